"""`rank_suspects`: which services, pods, hosts and changes most likely caused the trouble.

A thin, read-only wrapper over `sre_agent.suspects` for the agent and the offline triage: it reads
what the thread stored (nothing is fetched) over the window asked for and as long again before it
(at least `LOOK_BACK`), so the onset can be compared with a calmer period, and returns the ranked
list with each suspect's reason and strongest evidence line. The registry budgets and redacts
the output like every tool's; the stored lines were redacted when they were stored. The offline
triage calls it when the question asks why, what is wrong or which service (`asks_for_a_cause`).
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field

from sre_agent.models import TimeWindow
from sre_agent.suspects import SuspectRanking, rank_suspects, render_suspects, summary_phrase
from sre_agent.timephrases import named_window
from sre_agent.tools import log_common as common
from sre_agent.tools.base import ToolContext, ToolOutput
from sre_agent.tools.phrases import scope
from sre_agent.tools.spec import Planning, ToolCallPlan, ToolSpec
from sre_agent.tools.stored import require_stored, stored_rows

#: How far before the window the lines are read, at least: the calm to compare the onset with.
LOOK_BACK = timedelta(minutes=15)


ASKS_FOR_A_CAUSE = re.compile(
    r"\b(?:why|how come|what(?:'s| is| was| went) (?:wrong|broken|going on|happening|the (?:root )?cause)"
    r"|which (?:service|services|pod|pods|host|hosts|node|component|deploy\w*|change|one)|root cause"
    r"|caus(?:e|es|ed|ing)|culprit|to blame|responsible|who broke|where does it (?:fail|break))\b",
    re.IGNORECASE,
)


def asks_for_a_cause(question: str) -> bool:
    """Whether the question asks why, what is wrong, or which service, pod or change it is."""
    return bool(ASKS_FOR_A_CAUSE.search(question))


class RankSuspectsArgs(common.Args):
    window: str | None = Field(default=None, max_length=120, description=common.STORED_WINDOW_HELP)
    query: str | None = Field(
        default=None,
        max_length=500,
        description="what is wrong, in plain words; a time it names ('since 14:05') narrows the window",
    )


def _read_window(ctx: ToolContext, args: RankSuspectsArgs) -> TimeWindow | None:
    """The window asked for (stated, or named by the query), widened back by its length (at
    least `LOOK_BACK`); None: everything stored."""
    window = common.window(ctx, args.window)
    if window is None and args.query:
        window = named_window(args.query, ctx.now or datetime.now(UTC), ctx.engine.log_clock(ctx.session))
    if window is None:
        return None
    back = max(window.end - window.start, LOOK_BACK)
    return TimeWindow(start=window.start - back, end=window.end)


def _header(ranking: SuspectRanking, where: str) -> str:
    if not ranking.suspects:
        return f"{ranking.lines} stored lines ({where}): no service, pod or host stands out (no bad lines)"
    onset = ranking.onset.strftime("%Y-%m-%d %H:%M:%S") if ranking.onset else "?"
    calm = (
        "compared with the calmer time before it"
        if ranking.calm_before
        else "no calmer time before it to compare with"
    )
    return (
        f"{ranking.lines} stored lines ({where}); the trouble began about {onset} UTC ({calm}). "
        + summary_phrase(ranking)
        + "\nsuspects, most likely first (score: onset + blame + trace + silence + change):"
    )


async def rank_suspects_tool(ctx: ToolContext, args: RankSuspectsArgs) -> ToolOutput:
    """Rank the suspects of what the thread stored."""
    require_stored(ctx)
    window = _read_window(ctx, args)
    read = await asyncio.to_thread(stored_rows, ctx, window)
    utc_offset = ctx.engine.log_clock(ctx.session)
    ranking = await asyncio.to_thread(rank_suspects, read.rows, utc_offset=utc_offset)
    where = f"{window.start:%Y-%m-%d %H:%M} → {window.end:%Y-%m-%d %H:%M} UTC" if window else "all stored"
    if (note := read.note()) is not None:
        where += f"; {note}"
    header = _header(ranking, where)
    counts = {"lines": ranking.lines, "suspects": len(ranking.suspects)}
    if read.older_unread:
        counts["older_unread"] = 1
    return ToolOutput(
        header=header,
        items=render_suspects(ranking, utc_offset).split("\n") if ranking.suspects else [],
        hint="narrow the window",
        summary=header.split("\n")[0],
        counts=counts,
        scope=where,
        suspects=ranking,
    )


def _doing(args: dict[str, Any]) -> str:
    return f"ranking the suspects: which service, pod or change it is{scope(args)}…"


def _plan(p: Planning) -> ToolCallPlan | None:
    """When the question asks for a cause: after everything else, so it ranks what they stored."""
    if not asks_for_a_cause(p.question):
        return None
    return ToolCallPlan(
        tool="rank_suspects", args={"query": p.question}, why="rank the suspects: which is it?"
    )


SPEC = ToolSpec(
    "rank_suspects",
    "Rank the services, pods, hosts and changes most likely at fault, from what this thread stored "
    "(optionally one window): when the trouble began, which services' errors are new, which service "
    "the callers' errors name, the deepest failing hop of failing requests (or the callee whose "
    "answer its caller failed right after), who went quiet, and "
    "deploy/config/restart lines just before. Up to five suspects, each with its reason and evidence "
    "line. Use it for 'why?', 'what is wrong?' and 'which service is it?', after fetching the logs.",
    RankSuspectsArgs,
    rank_suspects_tool,
    doing=_doing,
    prompt='for "why", "what is wrong" or "which service", once the logs are fetched: it ranks the services, '
    "pods, hosts and changes most likely at fault (callers' errors name their callee; the first error of a "
    "request; who went quiet)",
    plan=_plan,
    plan_order=90,
)

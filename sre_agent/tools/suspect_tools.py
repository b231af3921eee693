"""`rank_suspects`: which services, pods, hosts and changes most likely caused the trouble.

A thin, read-only wrapper over `sre_agent.suspects` for the agent and the offline triage: it reads
what the thread stored (nothing is fetched) over the window asked for and as long again before it
(at least `LOOK_BACK`), so the onset can be compared with a calmer period, and returns the ranked
list with each suspect's reason and strongest evidence line. The registry redacts the result
(`tools/redaction.py`) like every tool's; the stored lines were redacted when they were stored.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from sre_agent.models import TimeWindow
from sre_agent.suspects import SuspectRanking, rank_suspects, render_suspects, summary_phrase
from sre_agent.timephrases import named_window
from sre_agent.tools.base import ToolContext, ToolResult
from sre_agent.tools.budget import fit_to_budget
from sre_agent.tools.log_tools import WINDOW_HELP, _require_stored, _window, stored_rows

#: How far before the window the lines are read, at least: the calm to compare the onset with.
LOOK_BACK = timedelta(minutes=15)


class RankSuspectsArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window: str | None = Field(
        default=None, max_length=120, description=WINDOW_HELP.split("; default")[0] + "; default: all stored"
    )
    query: str | None = Field(
        default=None,
        max_length=500,
        description="what is wrong, in plain words; a time it names ('since 14:05') narrows the window",
    )


def _read_window(ctx: ToolContext, args: RankSuspectsArgs) -> TimeWindow | None:
    """The window asked for (stated, or named by the query), widened back by its length (at
    least `LOOK_BACK`); None: everything stored."""
    window = _window(ctx, args.window)
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


async def rank_suspects_tool(ctx: ToolContext, args: RankSuspectsArgs) -> ToolResult:
    """Rank the suspects of what the thread stored."""
    started = time.perf_counter()
    _require_stored(ctx)
    window = _read_window(ctx, args)
    read = await asyncio.to_thread(stored_rows, ctx, window)
    utc_offset = ctx.engine.log_clock(ctx.session)
    ranking = await asyncio.to_thread(rank_suspects, read.rows, utc_offset=utc_offset)
    where = f"{window.start:%Y-%m-%d %H:%M} → {window.end:%Y-%m-%d %H:%M} UTC" if window else "all stored"
    if (note := read.note()) is not None:
        where += f"; {note}"
    header = _header(ranking, where)
    items = render_suspects(ranking, utc_offset).split("\n") if ranking.suspects else []
    text, left = fit_to_budget(
        header, items, ctx.engine.settings.tool_output_tokens, hint="narrow the window"
    )
    counts = {"lines": ranking.lines, "suspects": len(ranking.suspects)}
    if read.older_unread:
        counts["older_unread"] = 1
    if left:
        counts["truncated"] = left
    return ToolResult(
        tool="rank_suspects",
        args=args.model_dump(exclude_none=True),
        summary=header.split("\n")[0][:200],
        text=text,
        counts=counts,
        scope=where,
        suspects=ranking,
        seconds=time.perf_counter() - started,
    )

"""`summarize_stored_logs`: the drain3 patterns of a window of what the thread stored, errors first,
and the timeline of the worst one, its edges read past the window (`edge_lines.py`) (ours: the
offline triage's analysis, for the LLM)."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import Field

from sre_agent.patterns import mine_patterns, render_patterns
from sre_agent.timeline import build_timeline, render_timeline
from sre_agent.tools import log_common as common
from sre_agent.tools.base import ToolContext, ToolOutput
from sre_agent.tools.edge_lines import read_edges
from sre_agent.tools.phrases import scope
from sre_agent.tools.spec import ToolSpec
from sre_agent.tools.stored import require_stored, stored_rows


class SummarizeStoredArgs(common.Args):
    window: str | None = Field(default=None, max_length=120, description=common.STORED_WINDOW_HELP)
    limit: int = Field(default=10, ge=1, le=30, description="patterns to return")


async def summarize_stored_logs(ctx: ToolContext, args: SummarizeStoredArgs) -> ToolOutput:
    """drain3 patterns of a window of the thread's logs (errors first) and the worst one's timeline."""
    require_stored(ctx)
    window = common.window(ctx, args.window)
    read = await asyncio.to_thread(stored_rows, ctx, window)
    rows = read.rows
    summary = mine_patterns(rows, limit=args.limit)
    problem = next(iter(summary.problems()), None)
    edges = await read_edges(ctx, problem, environment=ctx.environment) if problem else None
    timeline = build_timeline(rows, problem, edges=edges)
    where = (
        f"window {window.start:%Y-%m-%d %H:%M} → {window.end:%Y-%m-%d %H:%M} UTC" if window else "all stored"
    )
    if (note := read.note()) is not None:
        where += f"; {note}"
    header = f"{summary.total_records} stored lines ({where}) fall into {summary.total_patterns} patterns:"
    items = render_patterns(summary).splitlines()
    if timeline is not None:
        items += ["timeline of the worst pattern:", *render_timeline(timeline).splitlines()]
    counts = {"lines": summary.total_records, "patterns": summary.total_patterns}
    if read.older_unread:
        counts["older_unread"] = 1
    return ToolOutput(
        header=header,
        items=items,
        hint="ask for fewer patterns or a narrower window",
        summary=header,
        counts=counts,
        scope=where,
    )


def _doing(args: dict[str, Any]) -> str:
    return f"summarising the logs this thread fetched (patterns, timeline){scope(args)}…"


SPEC = ToolSpec(
    "summarize_stored_logs",
    "Group what this thread stored (optionally one window) into log patterns with counts and "
    "first/last seen, warnings and errors first, plus a timeline of the worst pattern with the "
    "config/deploy/restart lines logged just before it began and around when it stopped. Use it "
    "for 'what went wrong?', 'did someone ship something?' and 'what fixed it?'.",
    SummarizeStoredArgs,
    summarize_stored_logs,
    doing=_doing,
    prompt="for the patterns of a window and what changed (config, deploys, restarts) when the trouble "
    "began and ended",
)

"""The timeline's reads at the problem's edges: the 15 minutes before its first line and the
minutes around its last, read past the question's window and past the method the fetch was for.

"Did someone ship something right before?" is asked of the time before the first error, which the
question's window often leaves out ("after 14:05", a window that begins at the first error), and
of lines no method's fetch holds (a config reload names no RPC method); "what fixed it?" likewise
of the minutes after the last one. So each span is read on its own: the thread's stored rows of
it, in every table, and, when a logstore is connected, the span fetched again for the service and
environment only (no method, user or level filter), the fetched records cleaned and redacted like
any fetch but not stored. A span is short and each fetch bounded (`fetch_limit` records); when
more matched, or the logstore failed, the `EdgeLines` say so and the timeline tells the engineer.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sre_agent.clean import clean_records
from sre_agent.connectors.base import FetchResult
from sre_agent.errors import ConnectorError
from sre_agent.indexes import SearchFilters, table_name
from sre_agent.models import CleanRecord, LogQuery, TimeWindow
from sre_agent.patterns import LogPattern
from sre_agent.timeline import EdgeLines, Edges, around_span, before_span
from sre_agent.tools.base import ToolContext
from sre_agent.workflows.events import ProgressEvent
from sre_agent.workflows.log_search import with_config


def _micros(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1_000_000, tz=UTC)


def _stored(ctx: ToolContext, span: TimeWindow) -> EdgeLines:
    """The thread's stored rows in `span` (every table, each record once), and the span of all
    it stored."""
    store = ctx.engine.store
    if ctx.session not in store.list_sessions():
        return EdgeLines()
    found = store.scan(
        ctx.session,
        filters=SearchFilters(start=span.start, end=span.end),
        limit=ctx.engine.settings.fetch_limit,
    )
    unique: dict[str, CleanRecord] = {row.id: row for row in found}
    whole = store.time_span(ctx.session)
    return EdgeLines(
        rows=list(unique.values()),
        earliest=_micros(whole[0]) if whole else None,
        latest=_micros(whole[1]) if whole else None,
    )


def _dropped(ctx: ToolContext) -> set[str]:
    """The filters an earlier fetch of this turn had to drop (the service's name, the environment),
    with which a fetch of the span would find nothing either."""
    return {name for r in ctx.results if r.fetch_report is not None for name in r.fetch_report.dropped()}


def _fetch(ctx: ToolContext, query: LogQuery) -> FetchResult:
    assert ctx.logstore is not None
    config = ctx.engine.config(ctx.service) if ctx.service else None
    return ctx.logstore.fetch(with_config(query, config))


async def read_span(ctx: ToolContext, span: TimeWindow, *, environment: str | None, what: str) -> EdgeLines:
    """The lines of `span`, stored and (with a logstore) fetched; `what` names it in the progress."""
    edge = await asyncio.to_thread(_stored, ctx, span)
    if ctx.logstore is None:
        return edge
    every_line = table_name("logs", "all", environment or "prod")
    if every_line in ctx.engine.fetched_from(ctx.session, ctx.logstore, span.within(ctx.default_window)):
        return edge  # this source's every line of the span is stored already: nothing to fetch
    dropped = _dropped(ctx)
    query = LogQuery(
        service=None if "service" in dropped else ctx.service,
        environment=None if "environment" in dropped else environment,
        window=span,
        limit=ctx.engine.settings.fetch_limit,
    )
    try:
        result = await asyncio.to_thread(_fetch, ctx, query)
    except ConnectorError as exc:
        edge.unread = str(exc)
        return edge
    config = ctx.engine.config(ctx.service) if ctx.service else None
    fetched = clean_records(result.records, config, id_key=ctx.engine.id_key).records
    stamps = [row.timestamp for row in fetched]
    if stamps:
        edge.earliest = min(stamps) if edge.earliest is None else min(edge.earliest, *stamps)
        edge.latest = max(stamps) if edge.latest is None else max(edge.latest, *stamps)
        if result.cut is not None:  # logstores keep the newest lines of a cut read (CloudWatch the oldest)
            edge.cut_newest = result.cut.newest_first
            edge.cut_at = min(stamps) if edge.cut_newest else max(stamps)
    unique = {row.id: row for row in [*edge.rows, *fetched]}  # stored and fetched: each line once
    edge.rows = sorted(unique.values(), key=lambda row: row.timestamp)
    if ctx.on_progress is not None:
        ctx.on_progress(
            ProgressEvent(
                stage="timeline",
                message=f"read {len(fetched)} lines {what} from {ctx.logstore.name}, for changes",
                data={"fetched": len(fetched), "query": query.model_dump(mode="json", exclude_none=True)},
            )
        )
    return edge


async def read_edges(ctx: ToolContext, problem: LogPattern, *, environment: str | None) -> Edges:
    """The lines before `problem`'s first line and around its last one."""
    start, end = before_span(problem.first_seen)
    before = TimeWindow(start=start, end=end)
    start, end = around_span(problem.first_seen, problem.last_seen)
    around = TimeWindow(start=start, end=end)
    return Edges(
        before=await read_span(ctx, before, environment=environment, what="of the 15 min before it started"),
        around=await read_span(ctx, around, environment=environment, what="around when it stopped"),
    )

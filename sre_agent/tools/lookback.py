"""The timeline's look-back: the lines of the 15 minutes before the trouble's first line, read
past the question's window and past the method the fetch was for.

"Did someone ship something right before?" is asked of the time before the first error, which the
question's window often leaves out ("after 14:05", a window that begins at the first error), and
of lines no method's fetch holds (a config reload names no RPC method). So this reads that span on
its own: the thread's stored rows of it, in every table, and, when a logstore is connected, the
span fetched again for the service and environment only (no method, user or level filter), the
fetched records cleaned and redacted like any fetch but not stored. The span is short and bounded
(`fetch_limit` records); when more matched, or the logstore failed, the look-back says so.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sre_agent.clean import clean_records
from sre_agent.connectors.base import FetchResult
from sre_agent.errors import ConnectorError
from sre_agent.indexes import SearchFilters
from sre_agent.models import CleanRecord, LogQuery, TimeWindow
from sre_agent.timeline import BEFORE_START, LookBack
from sre_agent.tools.base import ToolContext
from sre_agent.workflows.events import ProgressEvent
from sre_agent.workflows.log_search import with_config


def _stored(ctx: ToolContext, span: TimeWindow) -> tuple[list[CleanRecord], datetime | None]:
    """The thread's stored rows in `span` (every table, each record once) and its earliest row."""
    store = ctx.engine.store
    if ctx.session not in store.list_sessions():
        return [], None
    filters = SearchFilters(start=span.start, end=span.end)
    unique = {
        row.id: row for row in store.scan(ctx.session, filters=filters, limit=ctx.engine.settings.fetch_limit)
    }
    first = store.time_span(ctx.session)
    earliest = datetime.fromtimestamp(first[0] / 1_000_000, tz=UTC) if first else None
    return list(unique.values()), earliest


def _dropped(ctx: ToolContext) -> set[str]:
    """The filters an earlier fetch of this turn had to drop (the service's name, the environment),
    which a look-back with them would find nothing for either."""
    return {name for r in ctx.results if r.fetch_report is not None for name in r.fetch_report.dropped()}


def _query(ctx: ToolContext, span: TimeWindow, environment: str | None) -> LogQuery:
    dropped = _dropped(ctx)
    return LogQuery(
        service=None if "service" in dropped else ctx.service,
        environment=None if "environment" in dropped else environment,
        window=span,
        limit=ctx.engine.settings.fetch_limit,
    )


def _fetch(ctx: ToolContext, query: LogQuery) -> FetchResult:
    assert ctx.logstore is not None
    config = ctx.engine.config(ctx.service) if ctx.service else None
    return ctx.logstore.fetch(with_config(query, config))


async def read_lookback(ctx: ToolContext, started: datetime, *, environment: str | None) -> LookBack:
    """The lines of the 15 min before `started` (the problem's first line), stored and fetched."""
    span = TimeWindow(start=started - BEFORE_START, end=started)
    rows, earliest = await asyncio.to_thread(_stored, ctx, span)
    lookback = LookBack(earliest=earliest)
    if ctx.logstore is not None:
        query = _query(ctx, span, environment)
        try:
            result = await asyncio.to_thread(_fetch, ctx, query)
        except ConnectorError as exc:
            lookback.unread = str(exc)
        else:
            config = ctx.engine.config(ctx.service) if ctx.service else None
            fetched = clean_records(result.records, config, id_key=ctx.engine.id_key).records
            rows += fetched
            stamps = [row.timestamp for row in fetched]
            if stamps and (earliest is None or min(stamps) < earliest):
                lookback.earliest = min(stamps)
            if result.truncated and stamps:
                lookback.cut_at = max(stamps)
            if ctx.on_progress is not None:
                ctx.on_progress(
                    ProgressEvent(
                        stage="lookback",
                        message=f"read {len(fetched)} lines of the {BEFORE_START.seconds // 60} min before "
                        f"the first problem line from {ctx.logstore.name}, for changes",
                        data={
                            "fetched": len(fetched),
                            "query": query.model_dump(mode="json", exclude_none=True),
                        },
                    )
                )
    lookback.rows = sorted(rows, key=lambda row: row.timestamp)
    return lookback

"""The seed's four log tools, each a thin wrapper over the log-search spine.

- `search_logstore`: fetch one method's logs into `logs_<method>_<env>`, then retrieve.
- `get_all_logs_for_request_id`: one request's lines, in time order, from `req_<id>_<env>`.
- `search_panic_logs`: panics, crashes and fatal errors into `panic_logs_<env>`.
- `retrieve_stored_logs`: hybrid search over everything the thread stored; never fetches.
- `summarize_stored_logs`: the drain3 patterns of a window of what the thread stored, errors
  first, and the timeline of the worst one, its edges read past the window (`edge_lines.py`)
  (ours: the offline triage's analysis, for the LLM).

Arguments are pydantic models with bounds (window at most `max_window_hours`, limits capped);
a wrong argument raises `ToolError` with a message the model can act on.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from sre_agent.connectors.report import FetchReport
from sre_agent.errors import InputError
from sre_agent.evidence import rhythm, source_of
from sre_agent.indexes import SearchFilters, table_name
from sre_agent.indexes.records import StoredRecord
from sre_agent.models import LEVELS, LogQuery, TimeWindow, normalize_level
from sre_agent.patterns import mine_patterns, render_patterns
from sre_agent.stacktrace import one_line
from sre_agent.timeline import build_timeline, render_timeline
from sre_agent.timephrases import named_window, parse_time_window
from sre_agent.tools.base import ToolContext, ToolError, ToolResult
from sre_agent.tools.budget import fit_to_budget
from sre_agent.tools.edge_lines import read_edges
from sre_agent.workflows.events import SearchJob
from sre_agent.workflows.results import ResultLine, SearchResult
from sre_agent.workflows.retrieve import to_result_line

WINDOW_HELP = (
    "time range as words: 'last 30 minutes', 'since 14:00', 'between 2024-03-12 13:50 and 14:40'"
    " (UTC); default: the incident window or the last hour"
)
PATTERN_SCAN_LIMIT = 20_000
PANIC_QUERY = "panic fatal crash segfault out of memory killed exception traceback abort"


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SearchLogstoreArgs(_Args):
    method: str | None = Field(
        default=None, max_length=100, description="RPC method or endpoint, e.g. GetMembership; omit for all"
    )
    user_id: str | None = Field(default=None, max_length=100, description="only this user's lines")
    environment: str | None = Field(default=None, max_length=40, description="e.g. prod, staging")
    window: str | None = Field(default=None, max_length=120, description=WINDOW_HELP)
    query: str = Field(min_length=1, max_length=500, description="what to look for, in plain words")
    limit: int = Field(default=10, ge=1, le=50, description="distinct lines to return")


class RequestLogsArgs(_Args):
    request_id: str = Field(min_length=1, max_length=120, description="the request or trace id")
    environment: str | None = Field(default=None, max_length=40)
    window: str | None = Field(default=None, max_length=120, description=WINDOW_HELP)


class PanicLogsArgs(_Args):
    environment: str | None = Field(default=None, max_length=40)
    window: str | None = Field(default=None, max_length=120, description=WINDOW_HELP)
    limit: int = Field(default=10, ge=1, le=50)


class RetrieveStoredArgs(_Args):
    query: str = Field(min_length=1, max_length=500, description="what to look for, in plain words")
    method: str | None = Field(default=None, max_length=100)
    user_id: str | None = Field(default=None, max_length=100)
    request_id: str | None = Field(default=None, max_length=120)
    host: str | None = Field(default=None, max_length=200)
    min_level: str | None = Field(default=None, description="DEBUG, INFO, WARN, ERROR or FATAL")
    window: str | None = Field(
        default=None, max_length=120, description=WINDOW_HELP + "; default: all stored"
    )
    limit: int = Field(default=10, ge=1, le=50)


class SummarizeStoredArgs(_Args):
    window: str | None = Field(
        default=None, max_length=120, description=WINDOW_HELP.split("; default")[0] + "; default: all stored"
    )
    limit: int = Field(default=10, ge=1, le=30, description="patterns to return")


# ----------------------------------------------------------------------------------------- helpers


class StoredLines(BaseModel):
    """The thread's stored lines of a window, and whether older lines of it were left unread."""

    rows: list[StoredRecord] = Field(default_factory=list, description="oldest first, each record once")
    older_unread: bool = Field(default=False, description="the window holds more lines, older than these")

    def note(self) -> str | None:
        """What a reader of a cut read must be told; None when every line of the window was read."""
        if not self.older_unread or not self.rows:
            return None
        return (
            f"only the newest {len(self.rows):,} stored lines of the window were read (from "
            f"{self.rows[0].timestamp:%Y-%m-%d %H:%M:%S} UTC on); older ones were not"
        )


def stored_rows(ctx: ToolContext, window: TimeWindow | None) -> StoredLines:
    """The thread's stored lines in `window` (all when None): at most `PATTERN_SCAN_LIMIT`, the
    newest (the trouble is usually recent), and whether older ones were left."""
    store = ctx.engine.store
    if ctx.session not in store.list_sessions():
        return StoredLines()
    filters = SearchFilters(start=window.start if window else None, end=window.end if window else None)
    rows = store.scan(ctx.session, filters=filters, limit=PATTERN_SCAN_LIMIT + 1, newest=True)
    older_unread = len(rows) > PATTERN_SCAN_LIMIT
    # A record fetched by two tools (GetMembership's logs, then all logs) is one line, counted once.
    unique: dict[str, StoredRecord] = {}
    for row in rows[1:] if older_unread else rows:
        unique.setdefault(row.id, row)
    return StoredLines(rows=list(unique.values()), older_unread=older_unread)


def _now(ctx: ToolContext) -> datetime:
    return ctx.now or datetime.now(UTC)


def _window(ctx: ToolContext, phrase: str | None) -> TimeWindow | None:
    """The window `phrase` names, checked against the bound; None when no phrase was given."""
    if phrase is None or not phrase.strip():
        return None
    parsed = parse_time_window(phrase, _now(ctx))
    if parsed.window is None:
        raise ToolError(
            f"window: could not read {phrase!r} as a time range; "
            "write e.g. 'last 30 minutes' or 'between 2024-03-12 13:50 and 14:40'"
        )
    hours = (parsed.window.end - parsed.window.start).total_seconds() / 3600
    if hours > ctx.max_window_hours:
        raise ToolError(
            f"window: {phrase!r} spans {hours:.1f} h; at most {ctx.max_window_hours:g} h may be fetched "
            "at once (SRE_AGENT_MAX_WINDOW_HOURS): ask for a narrower range"
        )
    return parsed.window


def _focus(ctx: ToolContext, stated: TimeWindow | None, query: str) -> TimeWindow | None:
    """The window `query`'s words name, to be read first (none when a window was stated): in the
    logs' clock, widened by 14 h while that clock is not known yet, as "14:05" may be local time."""
    if stated is not None:
        return None
    named = named_window(query, _now(ctx), ctx.engine.log_clock(ctx.session))
    if named is None or (named.end - named.start).total_seconds() / 3600 > ctx.max_window_hours:
        return None
    return named


def _fetch_window(ctx: ToolContext, stated: TimeWindow | None) -> TimeWindow:
    if stated is not None:
        return stated
    if ctx.default_window is not None:
        return ctx.default_window
    now = _now(ctx)
    return TimeWindow(start=now - timedelta(hours=1), end=now)


def _environment(ctx: ToolContext, value: str | None) -> str:
    env = (value or ctx.environment or "prod").strip().lower()
    config = ctx.engine.config(ctx.service) if ctx.service else None
    if config is not None and config.environments and env not in [e.lower() for e in config.environments]:
        raise ToolError(
            f"environment: {env!r} is not one of {config.name}'s environments "
            f"({', '.join(config.environments)})"
        )
    return env


def _method(ctx: ToolContext, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    config = ctx.engine.config(ctx.service) if ctx.service else None
    known = config.method_names() if config is not None else []
    if not known:
        return value.strip()
    for name in known:
        if name.lower() == value.strip().lower():
            return name
    raise ToolError(f"method: {value!r} is not a method of {ctx.service} (known: {', '.join(known)})")


def _logstore(ctx: ToolContext):
    if ctx.logstore is None:
        raise ToolError(
            "no logstore is connected to this conversation, so nothing can be fetched; "
            "use retrieve_stored_logs to search what the thread already stored"
        )
    return ctx.logstore


def _require_stored(ctx: ToolContext) -> None:
    if ctx.session not in ctx.engine.store.list_sessions():
        raise ToolError("this thread has stored no logs yet: fetch some with search_logstore first")


def _limit(ctx: ToolContext, wanted: int) -> int:
    return min(wanted, ctx.engine.settings.tool_max_lines)


def _render_line(i: int, line: ResultLine) -> str:
    when = f"{line.first_seen:%Y-%m-%d %H:%M:%S}"
    if line.count > 1 and line.last_seen != line.first_seen:
        when += f" → {line.last_seen:%Y-%m-%d %H:%M:%S}"
    extra = "".join(
        f" {part}"
        for part in (
            source_of(line),
            f"method={line.method}" if line.method else "",
            f"user={line.user_id}" if line.user_id else "",
        )
        if part
    )
    if line.pattern is not None and line.pattern.count > line.count:
        extra += f" (its pattern: ×{line.pattern.count}"
        extra += f", {said})" if (said := rhythm(line.pattern)) else ")"
    message = one_line(line.message, 400)  # a stack trace keeps its causes and our innermost frames
    return f"{i}. [{line.level or '-'}] ×{line.count} {when}{extra}: {message}"


def _scope(result: SearchResult, table: str | None) -> str:
    plan = result.plan
    parts = [f"table {table}" if table else "all tables of this thread"]
    if plan.window:
        parts.append(f"window {plan.window.start:%Y-%m-%d %H:%M} → {plan.window.end:%Y-%m-%d %H:%M} UTC")
    parts += [f"{k}={v}" for k, v in plan.field_filters.items()]
    if plan.identifiers:
        parts.append("containing " + ", ".join(repr(i) for i in plan.identifiers))
    if plan.min_level:
        parts.append(f"level ≥ {plan.min_level}")
    if result.relaxed:
        parts.append("nothing matched every filter, so dropped: " + ", ".join(result.relaxed))
    return "; ".join(parts)


def _finish(
    ctx: ToolContext,
    tool: str,
    args: BaseModel,
    header: str,
    lines: list[ResultLine],
    *,
    counts: dict[str, int],
    scope: str,
    started: float,
    report: FetchReport | None = None,
) -> ToolResult:
    budget = ctx.engine.settings.tool_output_tokens
    items = [_render_line(i, line) for i, line in enumerate(lines, 1)]
    # Stored lines were redacted at ingest; arguments echoed in the header are redacted by the
    # registry, with the rest of the result (tools/redaction.py).
    text, left = fit_to_budget(
        header, items, budget, hint="narrow the query, the window or the filters to see the rest"
    )
    if left:
        counts = {**counts, "truncated": left}
    return ToolResult(
        tool=tool,
        args=args.model_dump(exclude_none=True),
        summary=header.splitlines()[0][:200],
        text=text,
        lines=lines,
        counts=counts,
        scope=scope,
        fetch_report=report,
        seconds=time.perf_counter() - started,
    )


def fetch_notes(report: FetchReport | None) -> str:
    """The fetch's report as lines of the tool text ('fetch: no record said service=…')."""
    if report is None:
        return ""
    return "".join(f"\nfetch: {sentence}" for sentence in report.sentences())


def _header(result: SearchResult, scope: str) -> str:
    head = []
    if result.fetched or result.new:
        head.append(f"fetched {result.fetched} records from {result.source} ({result.new} new to the thread)")
    head.append(f"searched {scope}")
    head.append(f"{len(result.lines)} distinct lines, best first (×count = identical lines):")
    text = "; ".join(head) + fetch_notes(result.fetch_report)
    for warning in result.warnings:
        text += f"\nwarning: {warning}"
    return text


async def _run(ctx: ToolContext, job: SearchJob, *, fetch: bool) -> SearchResult:
    config = ctx.engine.config(ctx.service) if ctx.service else None
    try:
        return await ctx.engine.run_job(
            job,
            logstore=_logstore(ctx) if fetch else None,
            config=config,
            on_progress=ctx.on_progress,
            use_llm=ctx.use_llm,
        )
    except InputError as exc:
        raise ToolError(str(exc)) from None


def _searched(
    ctx: ToolContext, tool: str, args: BaseModel, result: SearchResult, table: str | None, started: float
) -> ToolResult:
    """The `ToolResult` of a tool whose answer is one log search's result."""
    scope = _scope(result, table)
    counts = {"fetched": result.fetched, "new": result.new, "lines": len(result.lines)}
    header = _header(result, scope)
    return _finish(
        ctx,
        tool,
        args,
        header,
        result.lines,
        counts=counts,
        scope=scope,
        started=started,
        report=result.fetch_report,
    )


# ------------------------------------------------------------------------------------------- tools


async def search_logstore(ctx: ToolContext, args: SearchLogstoreArgs) -> ToolResult:
    """Fetch logs of one method (or all) for a window into the thread, then retrieve the best lines."""
    started = time.perf_counter()
    env = _environment(ctx, args.environment)
    method = _method(ctx, args.method)
    stated = _window(ctx, args.window)
    focus = _focus(ctx, stated, args.query)  # read first: all of it before the newest of the rest
    window = _fetch_window(ctx, stated).holding(focus)  # a question about a time outside the default
    table = table_name("logs", method or "all", env)
    query = LogQuery(
        service=ctx.service,
        method=method,
        user_id=args.user_id,
        environment=env,
        window=window,
        focus=focus,
        limit=ctx.engine.settings.fetch_limit,
    )
    filters = {k: v for k, v in (("method", method), ("user_id", args.user_id)) if v}
    job = SearchJob(
        question=args.query,
        session=ctx.session,
        table=table,
        query=query,
        now=_now(ctx),
        environment=env,
        thread=ctx.engine.thread_context(ctx.session),
        k=_limit(ctx, args.limit),
        search_tables=[table],
        field_filters=filters,
        window=stated,
    )
    result = await _run(ctx, job, fetch=True)
    return _searched(ctx, "search_logstore", args, result, table, started)


async def get_all_logs_for_request_id(ctx: ToolContext, args: RequestLogsArgs) -> ToolResult:
    """Every line of one request, in time order."""
    started = time.perf_counter()
    env = _environment(ctx, args.environment)
    stated = _window(ctx, args.window)
    if stated is None and ctx.default_window is None:
        now = _now(ctx)
        stated = TimeWindow(start=now - timedelta(hours=ctx.max_window_hours), end=now)
    window = _fetch_window(ctx, stated)
    table = table_name("req", args.request_id, env)
    query = LogQuery(
        service=ctx.service,
        request_id=args.request_id,
        environment=env,
        window=window,
        limit=ctx.engine.settings.fetch_limit,
    )
    job = SearchJob(
        question=f"request {args.request_id}",
        session=ctx.session,
        table=table,
        query=query,
        now=_now(ctx),
        environment=env,
        k=1,
        search_tables=[table],
        field_filters={"request_id": args.request_id},
    )
    result = await _run(ctx, job, fetch=True)
    limit = ctx.engine.settings.tool_max_lines * 4
    store = ctx.engine.store
    stored = ctx.session in store.list_sessions() and table in store.list_tables(ctx.session)
    rows = (
        store.scan(
            ctx.session, tables=[table], filters=SearchFilters(request_id=args.request_id), limit=limit + 1
        )
        if stored
        else []
    )
    lines = [to_result_line(row, via="scan", score=0.0) for row in rows[:limit]]
    scope = f"table {table}; request_id={args.request_id}; in time order"
    cut = f" (first {limit} only)" if len(rows) > limit else ""
    header = (
        f"fetched {result.fetched} records from {result.source} ({result.new} new); "
        f"{len(lines)} lines of request {args.request_id} in time order{cut}:"
    )
    if not lines:
        header = (
            f"no line of request {args.request_id} in {env} between "
            f"{window.start:%Y-%m-%d %H:%M} and {window.end:%Y-%m-%d %H:%M} UTC"
        )
    header += fetch_notes(result.fetch_report)
    return _finish(
        ctx,
        "get_all_logs_for_request_id",
        args,
        header,
        ctx.engine.name_files(ctx.session, lines),
        counts={"fetched": result.fetched, "new": result.new, "lines": len(lines)},
        scope=scope,
        started=started,
        report=result.fetch_report,
    )


async def search_panic_logs(ctx: ToolContext, args: PanicLogsArgs) -> ToolResult:
    """Panics, crashes and fatal errors of a window, the rarest and most severe first."""
    started = time.perf_counter()
    env = _environment(ctx, args.environment)
    stated = _window(ctx, args.window)
    window = _fetch_window(ctx, stated)
    table = table_name("panic_logs", env)
    query = LogQuery(
        service=ctx.service,
        environment=env,
        level="ERROR",
        window=window,
        limit=ctx.engine.settings.fetch_limit,
    )
    job = SearchJob(
        question=PANIC_QUERY,
        session=ctx.session,
        table=table,
        query=query,
        now=_now(ctx),
        environment=env,
        k=_limit(ctx, args.limit),
        search_tables=[table],
        window=stated,
        min_level="ERROR",
        broad=True,
    )
    result = await _run(ctx, job, fetch=True)
    return _searched(ctx, "search_panic_logs", args, result, table, started)


async def retrieve_stored_logs(ctx: ToolContext, args: RetrieveStoredArgs) -> ToolResult:
    """Hybrid search over every table this thread stored; fetches nothing."""
    started = time.perf_counter()
    _require_stored(ctx)
    level = normalize_level(args.min_level) if args.min_level else None
    if level is not None and level not in LEVELS:
        raise ToolError(f"min_level: {args.min_level!r} is not a level ({', '.join(LEVELS)})")
    filters = {
        k: v
        for k, v in (
            ("method", args.method),
            ("user_id", args.user_id),
            ("request_id", args.request_id),
            ("host", args.host),
        )
        if v
    }
    job = SearchJob(
        question=args.query,
        session=ctx.session,
        table=table_name("logs", "all", ctx.environment or "prod"),
        now=_now(ctx),
        environment=None,
        thread=ctx.engine.thread_context(ctx.session),
        k=_limit(ctx, args.limit),
        field_filters=filters,
        window=_window(ctx, args.window),
        min_level=level,
    )
    result = await _run(ctx, job, fetch=False)
    return _searched(ctx, "retrieve_stored_logs", args, result, None, started)


async def summarize_stored_logs(ctx: ToolContext, args: SummarizeStoredArgs) -> ToolResult:
    """drain3 patterns of a window of the thread's logs (errors first) and the worst one's timeline."""
    started = time.perf_counter()
    _require_stored(ctx)
    window = _window(ctx, args.window)
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
    budget = ctx.engine.settings.tool_output_tokens
    text, left = fit_to_budget(header, items, budget, hint="ask for fewer patterns or a narrower window")
    counts = {"lines": summary.total_records, "patterns": summary.total_patterns}
    if read.older_unread:
        counts["older_unread"] = 1
    if left:
        counts["truncated"] = left
    return ToolResult(
        tool="summarize_stored_logs",
        args=args.model_dump(exclude_none=True),
        summary=header[:200],
        text=text,
        counts=counts,
        scope=where,
        seconds=time.perf_counter() - started,
    )

"""`get_all_logs_for_request_id`: every line of one request, fetched into the thread's
`req_<id>_<env>` table and read back in time order."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import Field

from sre_agent.indexes import SearchFilters, table_name
from sre_agent.models import LogQuery, TimeWindow
from sre_agent.tools import log_common as common
from sre_agent.tools.base import ToolContext, ToolOutput
from sre_agent.tools.phrases import clip, scope
from sre_agent.tools.spec import Planning, ToolCallPlan, ToolSpec
from sre_agent.workflows.constraints import request_clause
from sre_agent.workflows.events import SearchJob
from sre_agent.workflows.order import to_result_line


class RequestLogsArgs(common.Args):
    request_id: str = Field(min_length=1, max_length=120, description="the request or trace id")
    environment: str | None = Field(default=None, max_length=40)
    window: str | None = Field(default=None, max_length=120, description=common.WINDOW_HELP)


async def get_all_logs_for_request_id(ctx: ToolContext, args: RequestLogsArgs) -> ToolOutput:
    """Every line of one request, in time order."""
    env = common.environment(ctx, args.environment)
    stated = common.window(ctx, args.window)
    if stated is None and ctx.default_window is None:
        now = common.now(ctx)
        stated = TimeWindow(start=now - timedelta(hours=ctx.max_window_hours), end=now)
    window = common.fetch_window(ctx, stated)
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
        now=common.now(ctx),
        environment=env,
        k=1,
        search_tables=[table],
        field_filters={"request_id": args.request_id},
    )
    result = await common.run_search(ctx, job, fetch=True)
    limit = ctx.engine.settings.tool_max_lines * 4
    store = ctx.engine.store
    stored = ctx.session in store.list_sessions() and table in store.list_tables(ctx.session)
    # its lines: those whose request id field names it, and those that mention it (an access line)
    of_request = SearchFilters(where=request_clause(args.request_id))
    rows = store.scan(ctx.session, tables=[table], filters=of_request, limit=limit + 1) if stored else []
    lines = [to_result_line(row, via="scan", score=0.0) for row in rows[:limit]]
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
    lines = ctx.engine.name_files(ctx.session, lines)
    return ToolOutput(
        header=header + common.fetch_notes(result.fetch_report),
        items=common.render_lines(lines),
        hint=common.NARROW_HINT,
        lines=lines,
        counts={"fetched": result.fetched, "new": result.new, "lines": len(lines)},
        scope=f"table {table}; request_id={args.request_id}; in time order",
        fetch_report=result.fetch_report,
    )


def _doing(args: dict[str, Any]) -> str:
    rid = clip(args.get("request_id", "?"), 40)
    return f"fetching every log line of request {rid}{scope({**args, 'request_id': None})}…"


def _plan(p: Planning) -> ToolCallPlan | None:
    """When the question names a request this logstore has not filled the thread's table of."""
    request_id = p.plan.field_filters.get("request_id")
    if p.ctx.logstore is None or not request_id or table_name("req", request_id, p.environment) in p.stored:
        return None
    return ToolCallPlan(
        tool="get_all_logs_for_request_id",
        args={"request_id": request_id, "environment": p.environment},
        why=f"the question names request {request_id}",
    )


SPEC = ToolSpec(
    "get_all_logs_for_request_id",
    "Fetch every log line of one request id, in time order. Use it when the question or an "
    "earlier result names a request id.",
    RequestLogsArgs,
    get_all_logs_for_request_id,
    doing=_doing,
    prompt="when a request id is known",
    plan=_plan,
    plan_order=10,
)

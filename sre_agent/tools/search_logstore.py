"""`search_logstore`: fetch one method's logs (or every method's) for a window into the thread's
`logs_<method>_<env>` table, then retrieve the most relevant distinct lines."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sre_agent.indexes import table_name
from sre_agent.models import LogQuery
from sre_agent.tools import log_common as common
from sre_agent.tools.base import ToolContext, ToolOutput
from sre_agent.tools.phrases import clip, scope
from sre_agent.tools.spec import Planning, ToolCallPlan, ToolSpec
from sre_agent.workflows.events import SearchJob


class SearchLogstoreArgs(common.Args):
    method: str | None = Field(
        default=None, max_length=100, description="RPC method or endpoint, e.g. GetMembership; omit for all"
    )
    user_id: str | None = Field(default=None, max_length=100, description="only this user's lines")
    environment: str | None = Field(default=None, max_length=40, description="e.g. prod, staging")
    window: str | None = Field(default=None, max_length=120, description=common.WINDOW_HELP)
    query: str = Field(min_length=1, max_length=500, description="what to look for, in plain words")
    limit: int = Field(default=10, ge=1, le=50, description="distinct lines to return")


async def search_logstore(ctx: ToolContext, args: SearchLogstoreArgs) -> ToolOutput:
    """Fetch logs of one method (or all) for a window into the thread, then retrieve the best lines."""
    env = common.environment(ctx, args.environment)
    method = common.method(ctx, args.method)
    stated = common.window(ctx, args.window)
    focus = common.focus(ctx, stated, args.query)  # read first: all of it before the newest of the rest
    window = common.fetch_window(ctx, stated).holding(focus)  # a question about a time outside the default
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
        now=common.now(ctx),
        environment=env,
        thread=ctx.engine.thread_context(ctx.session),
        k=common.limit(ctx, args.limit),
        search_tables=[table],
        field_filters=filters,
        window=stated,
    )
    result = await common.run_search(ctx, job, fetch=True)
    return common.searched(result, table)


def _doing(args: dict[str, Any]) -> str:
    what = f"{clip(args['method'], 40)} logs" if args.get("method") else "all logs"
    return f"searching {what}{scope(args)}…"


def _plan(p: Planning) -> ToolCallPlan | None:
    """A method's logs, or (a question naming none) every method's, once per thread and logstore;
    follow-ups that need nothing new search what the thread stored."""
    method = p.plan.field_filters.get("method")
    if p.ctx.logstore is None or table_name("logs", method or "all", p.environment) in p.stored:
        return None
    return ToolCallPlan(
        tool="search_logstore",
        args={"method": method, "environment": p.environment, "query": p.question},
        why=f"first look at {method or 'all'} logs in {p.environment}",
    )


SPEC = ToolSpec(
    "search_logstore",
    "Fetch one method's logs (or all methods') for a time window from the logstore into this "
    "thread, then return the most relevant distinct lines with counts and first/last seen. "
    "Use it first for a new question about a method, user or time range.",
    SearchLogstoreArgs,
    search_logstore,
    doing=_doing,
    prompt="start with it for a new question (name the method, user and window when the question gives them)",
    plan=_plan,
    plan_order=20,
)

"""`retrieve_stored_logs`: hybrid search over every table the thread stored; never fetches."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sre_agent.indexes import table_name
from sre_agent.models import LEVELS, normalize_level
from sre_agent.tools import log_common as common
from sre_agent.tools.base import ToolContext, ToolError, ToolOutput
from sre_agent.tools.phrases import clip, scope
from sre_agent.tools.spec import Planning, ToolCallPlan, ToolSpec
from sre_agent.tools.stored import require_stored
from sre_agent.workflows.events import SearchJob


class RetrieveStoredArgs(common.Args):
    query: str = Field(min_length=1, max_length=500, description="what to look for, in plain words")
    method: str | None = Field(default=None, max_length=100)
    user_id: str | None = Field(default=None, max_length=100)
    request_id: str | None = Field(default=None, max_length=120)
    host: str | None = Field(default=None, max_length=200)
    min_level: str | None = Field(default=None, description="DEBUG, INFO, WARN, ERROR or FATAL")
    window: str | None = Field(
        default=None, max_length=120, description=common.WINDOW_HELP + "; default: all stored"
    )
    limit: int = Field(default=10, ge=1, le=50)


async def retrieve_stored_logs(ctx: ToolContext, args: RetrieveStoredArgs) -> ToolOutput:
    """Hybrid search over every table this thread stored; fetches nothing."""
    require_stored(ctx)
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
        now=common.now(ctx),
        environment=None,
        thread=ctx.engine.thread_context(ctx.session),
        k=common.limit(ctx, args.limit),
        field_filters=filters,
        window=common.window(ctx, args.window),
        min_level=level,
    )
    result = await common.run_search(ctx, job, fetch=False)
    return common.searched(result, None)


def _doing(args: dict[str, Any]) -> str:
    query = f" for “{clip(args['query'])}”" if args.get("query") else ""
    return f"searching the logs this thread fetched{query}{scope(args)}…"


def _plan(p: Planning) -> ToolCallPlan | None:
    """Unless a search_logstore call is planned: search what this thread already stored."""
    if any(call.tool == "search_logstore" for call in p.planned):
        return None
    return ToolCallPlan(
        tool="retrieve_stored_logs", args={"query": p.question}, why="search what this thread already stored"
    )


SPEC = ToolSpec(
    "retrieve_stored_logs",
    "Search everything this thread already fetched (all its tables) without fetching again; "
    "optional filters by method, user, request, host, level and window. Use it for follow-ups.",
    RetrieveStoredArgs,
    retrieve_stored_logs,
    doing=_doing,
    prompt="for follow-ups about what this thread already fetched",
    plan=_plan,
    plan_order=80,
)

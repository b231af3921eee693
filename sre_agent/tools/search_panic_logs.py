"""`search_panic_logs`: panics, crashes, fatal errors and other ERROR lines of a window, fetched
into the thread's `panic_logs_<env>` table; the most severe and rarest first."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sre_agent.indexes import table_name
from sre_agent.models import LogQuery
from sre_agent.tools import log_common as common
from sre_agent.tools.base import ToolContext, ToolOutput
from sre_agent.tools.phrases import scope
from sre_agent.tools.spec import Planning, ToolCallPlan, ToolSpec
from sre_agent.workflows.events import SearchJob

PANIC_QUERY = "panic fatal crash segfault out of memory killed exception traceback abort"


class PanicLogsArgs(common.Args):
    environment: str | None = Field(default=None, max_length=40)
    window: str | None = Field(default=None, max_length=120, description=common.WINDOW_HELP)
    limit: int = Field(default=10, ge=1, le=50)


async def search_panic_logs(ctx: ToolContext, args: PanicLogsArgs) -> ToolOutput:
    """Panics, crashes and fatal errors of a window, the rarest and most severe first."""
    env = common.environment(ctx, args.environment)
    stated = common.window(ctx, args.window)
    window = common.fetch_window(ctx, stated)
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
        now=common.now(ctx),
        environment=env,
        k=common.limit(ctx, args.limit),
        search_tables=[table],
        window=stated,
        min_level="ERROR",
        broad=True,
    )
    result = await common.run_search(ctx, job, fetch=True)
    return common.searched(result, table)


def _doing(args: dict[str, Any]) -> str:
    return f"looking for panics and crashes{scope(args)}…"


def _plan(p: Planning) -> ToolCallPlan | None:
    """When the question asks about crashes (the refiner read FATAL in it), once per thread."""
    asks_for_crashes = "FATAL" in (p.plan.min_level, p.plan.prefer_level)
    if p.ctx.logstore is None or not asks_for_crashes or table_name("panic_logs", p.environment) in p.stored:
        return None
    return ToolCallPlan(
        tool="search_panic_logs",
        args={"environment": p.environment},
        why="the question asks about crashes, panics or fatal errors",
    )


SPEC = ToolSpec(
    "search_panic_logs",
    "Fetch panics, crashes, fatal errors and other ERROR lines of a time window; the most severe "
    "and rarest first. Use it for 'did anything crash?' and when errors have no obvious cause.",
    PanicLogsArgs,
    search_panic_logs,
    doing=_doing,
    prompt="for crashes",
    plan=_plan,
    plan_order=30,
)

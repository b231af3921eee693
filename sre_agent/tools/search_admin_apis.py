"""`search_admin_apis`: one GET of an endpoint the service config declares (user lookups, feature
flags, cache state…). Parameters are checked against their declared types before any request;
the answer is capped and trimmed to the declared fields; the registry redacts it as a structure (a
secret-named field loses its whole value) and fits it to the budget."""

from __future__ import annotations

import asyncio
import json
import os
from typing import TYPE_CHECKING

import httpx
from pydantic import BaseModel, ConfigDict, Field

from sre_agent.connectors.admin_api import AdminApiClient
from sre_agent.errors import ConnectorError, InputError
from sre_agent.tools.base import ToolContext, ToolError, ToolOutput, ToolResult
from sre_agent.tools.spec import Check, Planning, ToolCallPlan, ToolSpec

if TYPE_CHECKING:
    from sre_agent.configs import ServiceConfig
    from sre_agent.tools.host import ToolHost


class SearchAdminApisArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    endpoint: str = Field(min_length=1, max_length=100, description="an endpoint the service config declares")
    params: dict[str, str | int | bool] = Field(
        default_factory=dict, description='its parameters, e.g. {"user_id": 123}'
    )


async def search_admin_apis(ctx: ToolContext, args: SearchAdminApisArgs) -> ToolOutput:
    config = ctx.engine.config(ctx.service) if ctx.service else None
    if config is None or config.admin_api is None:
        raise ToolError(f"service {ctx.service or '(none named)'} declares no admin API")
    client = AdminApiClient(config.name, config.admin_api)
    try:
        response = await asyncio.to_thread(client.call, args.endpoint, dict(args.params))
    except (InputError, ConnectorError) as exc:
        raise ToolError(str(exc)) from None
    body = response.data
    size = len(body if isinstance(body, str) else json.dumps(body, indent=1, sort_keys=True, default=str))
    note = " (the answer was longer than the size cap: cut)" if response.truncated else ""
    return ToolOutput(
        header=f"{config.name} admin API {args.endpoint}: HTTP {response.status}{note}",
        values=[body],
        indent=1,
        counts={"bytes": size},
        scope=f"{config.name} admin API {args.endpoint}",
    )


def _plan(p: Planning) -> ToolCallPlan | None:
    """The service's admin API endpoint that takes just a user id, when the question names a user
    and the API is configured (its base URL is in the environment)."""
    user = p.plan.field_filters.get("user_id")
    ctx = p.ctx
    config = ctx.engine.config(ctx.service) if ctx.service else None
    if not user or config is None or config.admin_api is None:
        return None
    if not AdminApiClient(config.name, config.admin_api).configured():
        return None
    for endpoint in config.admin_api.endpoints:
        if [param.name for param in endpoint.params] == ["user_id"]:
            return ToolCallPlan(
                tool="search_admin_apis",
                args={"endpoint": endpoint.name, "params": {"user_id": user}},
                why=f"the question names user {user}: {endpoint.name} from the admin API",
            )
    return None


def _section(result: ToolResult) -> str:
    return "**Admin API**:\n```text\n" + result.text + "\n```"


def _health(host: ToolHost, config: ServiceConfig | None) -> list[Check]:
    """The service's admin API: declared? its URL set? reachable?"""
    if config is None:
        return []
    api = config.admin_api
    if api is None:
        return [Check(config.name, "admin API", "off", "none declared")]
    base = os.environ.get(api.base_url_env, "")
    if not base:
        detail = f"{api.base_url_env} is not set: the agent will not call it"
        return [Check(config.name, "admin API", "warn", detail)]
    if api.auth_env and not os.environ.get(api.auth_env):
        return [Check(config.name, "admin API", "fail", f"{api.auth_env} is not set")]
    try:
        status = httpx.get(base, timeout=api.timeout).status_code
    except httpx.HTTPError as exc:
        return [Check(config.name, "admin API", "fail", f"{base} unreachable ({type(exc).__name__})")]
    names = ", ".join(e.name for e in api.endpoints)
    return [Check(config.name, "admin API", "ok", f"reachable (HTTP {status} at /); GET only: {names}")]


SPEC = ToolSpec(
    "search_admin_apis",
    "Call one read-only endpoint of the service's admin API, as the service config declares it "
    "(name, parameters and their types are in the config): e.g. look up a user's memberships or a "
    "cache entry. Only declared endpoints; parameters are checked before the request.",
    SearchAdminApisArgs,
    search_admin_apis,
    plan=_plan,
    plan_order=40,
    answer_section=_section,
    not_called="admin API: not called (it is, for a question naming a user id, when the service config "
    "declares one and its URL variable is set)",
    health=_health,
)

"""`search_admin_apis`: one GET of an endpoint the service config declares (user lookups, feature
flags, cache state…). Parameters are checked against their declared types before any request;
the answer is capped, trimmed to the declared fields, and redacted."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sre_agent.connectors.admin_api import AdminApiClient
from sre_agent.errors import ConnectorError, InputError
from sre_agent.redact import Redactor
from sre_agent.tools.base import ToolContext, ToolError, ToolResult
from sre_agent.tools.budget import fit_to_budget


class SearchAdminApisArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    endpoint: str = Field(min_length=1, max_length=100, description="an endpoint the service config declares")
    params: dict[str, str | int | bool] = Field(
        default_factory=dict, description='its parameters, e.g. {"user_id": 123}'
    )


async def search_admin_apis(ctx: ToolContext, args: SearchAdminApisArgs) -> ToolResult:
    started = time.perf_counter()
    config = ctx.engine.config(ctx.service) if ctx.service else None
    if config is None or config.admin_api is None:
        raise ToolError(f"service {ctx.service or '(none named)'} declares no admin API")
    client = AdminApiClient(config.name, config.admin_api)
    try:
        response = await asyncio.to_thread(client.call, args.endpoint, dict(args.params))
    except (InputError, ConnectorError) as exc:
        raise ToolError(str(exc)) from None
    # The body redacted as a structure (a secret-named field loses its whole value); the registry
    # redacts the text again, like every tool's.
    body: Any = Redactor.for_config(config).redact_value(response.data)
    text_body = body if isinstance(body, str) else json.dumps(body, indent=1, sort_keys=True, default=str)
    note = " (the answer was longer than the size cap: cut)" if response.truncated else ""
    header = f"{config.name} admin API {args.endpoint}: HTTP {response.status}{note}"
    text, left = fit_to_budget(header, text_body.splitlines(), ctx.engine.settings.tool_output_tokens)
    counts = {"bytes": len(text_body)}
    if left:
        counts["truncated"] = left
    return ToolResult(
        tool="search_admin_apis",
        args=args.model_dump(),
        summary=header[:200],
        text=text,
        counts=counts,
        scope=f"{config.name} admin API {args.endpoint}",
        seconds=time.perf_counter() - started,
    )

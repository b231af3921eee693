"""`search_aws_cli`: read-only DynamoDB for the agent, kept under the seed's name for familiarity
but not a shell: GetItem, Query or a small Scan on tables the service config allow-lists, with
typed key values (see `sre_agent/connectors/dynamodb.py`). There is no argument that could write."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sre_agent.connectors.dynamodb import DynamoReader, SortCondition
from sre_agent.errors import ConnectorError, InputError
from sre_agent.redact import Redactor
from sre_agent.tools.base import ToolContext, ToolError, ToolResult
from sre_agent.tools.budget import fit_to_budget


class SearchAwsCliArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operation: Literal["GetItem", "Query", "Scan"] = Field(description="read operations only")
    table: str = Field(min_length=1, max_length=255, description="a table the service config allow-lists")
    partition_value: str | int | None = Field(
        default=None, description="partition key value (GetItem, Query)"
    )
    sort_value: str | int | None = Field(
        default=None, description="sort key value (GetItem) or bound (Query)"
    )
    sort_condition: SortCondition | None = Field(default=None, description="Query: how sort_value compares")
    sort_value_to: str | int | None = Field(default=None, description="Query: upper bound for 'between'")
    index: str | None = Field(default=None, max_length=255, description="Query: a declared index")
    limit: int | None = Field(default=None, ge=1, le=100, description="items (capped by the config)")


async def search_aws_cli(ctx: ToolContext, args: SearchAwsCliArgs) -> ToolResult:
    started = time.perf_counter()
    config = ctx.engine.config(ctx.service) if ctx.service else None
    if config is None or config.dynamodb is None:
        raise ToolError(f"service {ctx.service or '(none named)'} allow-lists no DynamoDB table")
    reader = DynamoReader(config.name, config.dynamodb)
    try:
        result = await asyncio.to_thread(
            reader.read,
            args.operation,
            args.table,
            partition_value=args.partition_value,
            sort_value=args.sort_value,
            sort_condition=args.sort_condition,
            sort_value_to=args.sort_value_to,
            index=args.index,
            limit=args.limit,
        )
    except (InputError, ConnectorError) as exc:
        raise ToolError(str(exc)) from None
    more = " (more items exist: the limit was reached)" if result.more else ""
    header = f"DynamoDB {args.operation} on {args.table}: {len(result.items)} items{more}"
    # Each item redacted as a structure (a secret-named attribute loses its whole value); the
    # registry redacts the text again, like every tool's.
    redactor = Redactor.for_config(config)
    items = [json.dumps(redactor.redact_value(item), sort_keys=True, default=str) for item in result.items]
    text, left = fit_to_budget(header, items, ctx.engine.settings.tool_output_tokens)
    counts = {"items": len(result.items), "scanned": result.scanned}
    if left:
        counts["truncated"] = left
    return ToolResult(
        tool="search_aws_cli",
        args=args.model_dump(exclude_none=True),
        summary=header[:200],
        text=text,
        counts=counts,
        scope=f"DynamoDB table {args.table}",
        seconds=time.perf_counter() - started,
    )

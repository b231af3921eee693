"""`search_aws_cli`: read-only DynamoDB for the agent, kept under the seed's name for familiarity
but not a shell: GetItem, Query or a small Scan on tables the service config allow-lists, with
typed key values (see `sre_agent/connectors/dynamodb.py`). There is no argument that could write.
The registry redacts each item as a structure (a secret-named attribute loses its whole value)."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from sre_agent.connectors.dynamodb import DynamoReader, SortCondition
from sre_agent.errors import ConnectorError, InputError
from sre_agent.tools.base import ToolContext, ToolError, ToolOutput, ToolResult
from sre_agent.tools.spec import Check, Planning, Status, ToolCallPlan, ToolSpec

if TYPE_CHECKING:
    from sre_agent.configs import ServiceConfig
    from sre_agent.tools.host import ToolHost


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


async def search_aws_cli(ctx: ToolContext, args: SearchAwsCliArgs) -> ToolOutput:
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
    return ToolOutput(
        header=f"DynamoDB {args.operation} on {args.table}: {len(result.items)} items{more}",
        values=list(result.items),
        counts={"items": len(result.items), "scanned": result.scanned},
        scope=f"DynamoDB table {args.table}",
    )


_TABLE_WORDS = re.compile(r"\b(dynamo(db)?|table|item|stored|what does the db hold)\b", re.IGNORECASE)


def _plan(p: Planning) -> ToolCallPlan | None:
    """A Query of the allow-listed table (or its index) keyed by the user the question names, when
    the question asks what the table holds."""
    user = p.plan.field_filters.get("user_id")
    ctx = p.ctx
    config = ctx.engine.config(ctx.service) if ctx.service else None
    if not user or config is None or config.dynamodb is None or not _TABLE_WORDS.search(p.question):
        return None
    for table in config.dynamodb.tables:
        keyed = [(None, table.partition_key.name)] + [(i.name, i.partition_key.name) for i in table.indexes]
        for index, key in keyed:
            if key == "user_id":
                args: dict[str, str | int | dict[str, str] | None] = {
                    "operation": "Query",
                    "table": table.name,
                    "partition_value": user,
                    "index": index,
                }
                return ToolCallPlan(
                    tool="search_aws_cli",
                    args=args,
                    why=f"the question asks what {table.name} holds for user {user}",
                )
    return None


def _section(result: ToolResult) -> str:
    return "**DynamoDB**:\n```text\n" + result.text + "\n```"


def _health(host: ToolHost, config: ServiceConfig | None) -> list[Check]:
    """Each allow-listed table of the service: readable (Scan 1)?"""
    if config is None:
        return []
    if config.dynamodb is None:
        return [Check(config.name, "DynamoDB", "off", "no table allow-listed")]
    reader = DynamoReader(config.name, config.dynamodb)
    out = []
    for table in config.dynamodb.tables:
        try:
            reader.read("Scan", table.name, limit=1)
        except (ConnectorError, InputError) as exc:
            # No credentials at all is "not set up here", not a broken connector.
            status: Status = "warn" if "NoCredentialsError" in str(exc) else "fail"
            out.append(Check(config.name, f"DynamoDB {table.name}", status, str(exc)))
            continue
        except Exception as exc:  # no credentials, no region: botocore's own errors
            detail = f"{type(exc).__name__}: {exc}"[:200]
            out.append(Check(config.name, f"DynamoDB {table.name}", "fail", detail))
            continue
        detail = "readable (Scan 1); read-only is not provable from here"
        out.append(Check(config.name, f"DynamoDB {table.name}", "ok", detail))
    return out


SPEC = ToolSpec(
    "search_aws_cli",
    "Read DynamoDB, read-only (not a shell): GetItem by key, Query by partition key with an optional "
    "sort-key condition or on a declared index, or a small Scan, on tables the service config "
    "allow-lists (their key schemas are in the config). Use it to see what the table really holds.",
    SearchAwsCliArgs,
    search_aws_cli,
    plan=_plan,
    plan_order=50,
    answer_section=_section,
    not_called="DynamoDB: not read (ask what the table holds for a user, where the config allow-lists it)",
    health=_health,
)

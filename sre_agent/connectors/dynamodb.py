"""Read-only DynamoDB: GetItem, Query (a key condition built from typed values, never an expression
the model wrote) and a small Scan, on the tables a service config allow-lists with their key
schema. No other AWS API is reachable from here: the seed let an LLM run AWS CLI commands; we don't.

boto3 with a connect/read timeout and botocore's standard retries (DynamoDB reads are idempotent);
credentials come from the usual AWS chain (environment, profile, role), never from config.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sre_agent.configs import DynamoConfig, DynamoTable, KeyAttribute
from sre_agent.connectors.aws import aws_client
from sre_agent.errors import ConnectorError, InputError

Operation = Literal["GetItem", "Query", "Scan"]
SortCondition = Literal["eq", "lt", "le", "gt", "ge", "begins_with", "between"]
#: Items one Scan may return at most, whatever the table allows: a Scan reads the whole table.
SCAN_CAP = 10
_OPS = {"eq": "=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


@dataclass(frozen=True)
class DynamoResult:
    items: list[dict[str, Any]]
    scanned: int  # items DynamoDB read (Query/Scan)
    more: bool  # DynamoDB had more (LastEvaluatedKey): the cap was reached


def _typed(attr: KeyAttribute, value: Any, what: str) -> dict[str, str]:
    text = str(value).strip()
    if attr.type == "N":
        try:
            Decimal(text)
        except ArithmeticError:
            raise InputError(f"{what} {attr.name!r} is a number (N); got {value!r}") from None
    if not text or len(text) > 1024:
        raise InputError(f"{what} {attr.name!r} must be 1 to 1,024 characters")
    return {attr.type: text}


def _plain(value: Any) -> Any:
    """Decimals from DynamoDB as ints or floats, for JSON."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_plain(v) for v in value]
    return value


class DynamoReader:
    """Reads the allow-listed tables of one service (see the module docstring)."""

    def __init__(self, service: str, config: DynamoConfig) -> None:
        self.service = service
        self.config = config
        self._client: Any = None

    def _table(self, name: str) -> DynamoTable:
        table = self.config.table(name)
        if table is None:
            allowed = ", ".join(t.name for t in self.config.tables)
            raise InputError(f"table {name!r} is not allow-listed for {self.service} (allowed: {allowed})")
        return table

    def client(self) -> Any:
        if self._client is None:
            cfg = self.config
            self._client = aws_client(
                "dynamodb", region=cfg.region, endpoint_url_env=cfg.endpoint_url_env, read_timeout=5
            )
        return self._client

    def read(
        self,
        operation: Operation,
        table_name: str,
        *,
        partition_value: Any = None,
        sort_value: Any = None,
        sort_condition: SortCondition | None = None,
        sort_value_to: Any = None,
        index: str | None = None,
        limit: int | None = None,
    ) -> DynamoResult:
        table = self._table(table_name)
        cap = min(limit or table.max_items, table.max_items)
        if operation == "Scan":
            return self._call("scan", table, {"TableName": table.name, "Limit": min(cap, SCAN_CAP)})
        keys = table
        if index is not None:
            found = next((i for i in table.indexes if i.name == index), None)
            if found is None:
                known = ", ".join(i.name for i in table.indexes) or "none"
                raise InputError(f"table {table.name!r} has no index {index!r} (indexes: {known})")
            keys = found  # type: ignore[assignment]
        if partition_value is None:
            raise InputError(f"{operation} needs partition_value ({keys.partition_key.name})")
        if operation == "GetItem":
            if index is not None:
                raise InputError("GetItem reads the table's own key; use Query for an index")
            key = {table.partition_key.name: _typed(table.partition_key, partition_value, "partition key")}
            if table.sort_key is not None:
                if sort_value is None:
                    raise InputError(f"GetItem on {table.name!r} needs sort_value ({table.sort_key.name})")
                key[table.sort_key.name] = _typed(table.sort_key, sort_value, "sort key")
            return self._call("get_item", table, {"TableName": table.name, "Key": key})
        names = {"#pk": keys.partition_key.name}
        values = {":pk": _typed(keys.partition_key, partition_value, "partition key")}
        condition = "#pk = :pk"
        if sort_value is not None or sort_condition is not None:
            if keys.sort_key is None:
                raise InputError(f"{index or table.name!r} has no sort key to compare")
            if sort_value is None:
                raise InputError("sort_condition needs sort_value")
            names["#sk"] = keys.sort_key.name
            values[":sk"] = _typed(keys.sort_key, sort_value, "sort key")
            how = sort_condition or "eq"
            if how == "begins_with":
                condition += " AND begins_with(#sk, :sk)"
            elif how == "between":
                if sort_value_to is None:
                    raise InputError("between needs sort_value_to")
                values[":sk2"] = _typed(keys.sort_key, sort_value_to, "sort key")
                condition += " AND #sk BETWEEN :sk AND :sk2"
            else:
                condition += f" AND #sk {_OPS[how]} :sk"
        request = {
            "TableName": table.name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "Limit": cap,
        }
        if index is not None:
            request["IndexName"] = index
        return self._call("query", table, request)

    def _call(self, method: str, table: DynamoTable, request: dict[str, Any]) -> DynamoResult:
        from boto3.dynamodb.types import TypeDeserializer
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = getattr(self.client(), method)(**request)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "error")
            raise ConnectorError(f"DynamoDB: {code} on table {table.name}") from None
        except BotoCoreError as exc:
            raise ConnectorError(f"DynamoDB: {type(exc).__name__} on table {table.name}") from None
        raw = [response["Item"]] if "Item" in response else response.get("Items", [])
        decode = TypeDeserializer().deserialize
        items = [_plain({k: decode(v) for k, v in item.items()}) for item in raw]
        return DynamoResult(
            items, int(response.get("ScannedCount", len(items))), "LastEvaluatedKey" in response
        )

"""`search_aws_cli` over real boto3 calls to moto's server on 127.0.0.1: GetItem, Query (table and
index, sort conditions), a capped Scan, the allow-list, typed keys, no way to write; the offline
triage reads the table when a question asks what it holds for a user."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes.aws import client, create_memberships_table, moto_endpoint
from paths import ROOT

from sre_agent.engine import Engine
from sre_agent.settings import Settings
from sre_agent.tools import ToolContext, default_registry

THROTTLING = ROOT / "incidents" / "membership-dynamodb-throttling" / "logs.jsonl"


@pytest.fixture(scope="module")
def dynamo_endpoint() -> Iterator[str]:
    with moto_endpoint() as endpoint:
        _fill(client("dynamodb", endpoint))
        yield endpoint


def _fill(ddb: Any) -> None:
    create_memberships_table(ddb)
    for district in range(1, 41):
        ddb.put_item(
            TableName="memberships",
            Item={
                "district_id": {"N": str(district)},
                "user_id": {"N": "123" if district <= 30 else str(500 + district)},
                "role": {"S": "editor" if district == 12 else "viewer"},
                "contact": {"S": "ann@example.com"},
            },
        )


@pytest.fixture
def aws(dynamo_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MEMBERSHIP_DYNAMODB_ENDPOINT", dynamo_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "t")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "t")
    return dynamo_endpoint


def _call(engine: Engine, args: dict) -> object:
    ctx = ToolContext(engine=engine, session="ddb-tests", logstore=None, service="membership")
    return asyncio.run(default_registry().call(ctx, "search_aws_cli", args))


def test_get_item_and_query_read_the_table(engine: Engine, aws: str) -> None:
    got = _call(
        engine, {"operation": "GetItem", "table": "memberships", "partition_value": 12, "sort_value": 123}
    )
    assert got.ok, got.error
    assert '"role": "editor"' in got.text and '"user_id": 123' in got.text
    assert "ann@example.com" not in got.text  # redacted like everything the model sees

    by_user = _call(
        engine,
        {"operation": "Query", "table": "memberships", "index": "user_id-index", "partition_value": 123},
    )
    assert by_user.ok and by_user.counts["items"] == 25  # the config's max_items caps it
    assert "more items exist" in by_user.text

    ranged = _call(
        engine,
        {
            "operation": "Query",
            "table": "memberships",
            "index": "user_id-index",
            "partition_value": 123,
            "sort_condition": "between",
            "sort_value": 10,
            "sort_value_to": 12,
        },
    )
    assert ranged.ok and ranged.counts["items"] == 3


def test_scan_is_small(engine: Engine, aws: str) -> None:
    scanned = _call(engine, {"operation": "Scan", "table": "memberships", "limit": 100})
    assert scanned.ok and scanned.counts["items"] == 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"operation": "PutItem", "table": "memberships"}, "operation"),
        (
            {"operation": "Query", "table": "memberships", "update_expression": "SET role = :r"},
            "not a parameter",
        ),
        ({"operation": "Scan", "table": "users"}, "'users' is not allow-listed"),
        (
            {"operation": "GetItem", "table": "memberships", "partition_value": "abc", "sort_value": 1},
            "is a number",
        ),
        ({"operation": "GetItem", "table": "memberships", "partition_value": 12}, "needs sort_value"),
        (
            {"operation": "Query", "table": "memberships", "index": "by_email", "partition_value": 1},
            "no index",
        ),
    ],
)
def test_writes_and_what_is_not_allow_listed_are_impossible(
    engine: Engine, aws: str, args: dict, message: str
) -> None:
    result = _call(engine, args)
    assert not result.ok and message in result.error


def test_an_aws_error_is_a_readable_tool_error(tmp_path: Path, embedder, aws: str) -> None:
    import json

    config = json.loads((ROOT / "configs" / "membership.json").read_text(encoding="utf-8"))
    config["dynamodb"]["tables"][0]["name"] = "ghost"
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "membership.json").write_text(json.dumps(config), encoding="utf-8")
    engine = Engine(Settings(data_dir=tmp_path / "data", configs_dir=configs), embedder=embedder)
    result = _call(engine, {"operation": "Scan", "table": "ghost"})
    assert not result.ok and "DynamoDB: ResourceNotFoundException on table ghost" in result.error


def test_offline_triage_reads_the_table_when_asked_what_it_holds(tmp_path: Path, embedder, aws: str) -> None:
    engine = Engine(Settings(data_dir=tmp_path / "data", configs_dir=ROOT / "configs"), embedder=embedder)
    question = "what does the memberships table hold for user 123?"
    answer = asyncio.run(engine.ask(question, session="ddb", logs=THROTTLING, service="membership"))
    assert "search_aws_cli" in [c.tool for c in answer.tool_calls]
    section = answer.answer.split("**DynamoDB**", 1)[1].split("**Next steps**", 1)[0]
    assert '"role": "editor"' in section

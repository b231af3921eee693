"""User-defined fields: a config maps the log's own field names onto ours (`fields`), the JSON
record parser reads them before the usual spellings (file and HTTP logstores), and the refine
rules read "is customer 8812 affected?" as user_id=8812. Real engine, LanceDB and model; small
fixtures of our own."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from test_logstores import serve

from sre_agent.configs import HttpLogstoreConfig, ServiceConfig
from sre_agent.connectors.file import FileLogstore, record_from_object
from sre_agent.connectors.http_logstore import HttpLogstore
from sre_agent.engine import Engine
from sre_agent.models import LogQuery
from sre_agent.settings import Settings
from sre_agent.workflows.log_search import with_config
from sre_agent.workflows.refine import RuleRefiner

FIELDS = {
    "user_id": ["customer", "member_id"],
    "request_id": ["trace_id", "correlation_id"],
    "host": ["vm_name"],
}
CONFIG = {"name": "membership", "methods": [{"name": "GetMembership"}], "fields": FIELDS}
NOW = datetime(2024, 5, 1, 11, 0, tzinfo=UTC)


def _records() -> list[dict[str, Any]]:
    out = []
    for i, customer in enumerate(["8812", "8812", "4100", "4100", "4100", "8812"]):
        out.append(
            {
                "ts": f"2024-05-01T10:0{i}:00Z",
                "severity": "ERROR" if customer == "8812" else "INFO",
                "msg": f"GetMembership failed: card declined for account {customer}"
                if customer == "8812"
                else f"GetMembership OK for account {customer}",
                "service": "membership",
                "customer": customer,
                "user": "svc-frontend",
                "trace_id": f"t-{i}",
                "request_id": f"r-{i}",
                "vm_name": f"node-{i % 2}",
            }
        )
    return out


def test_the_configs_names_come_before_the_usual_ones() -> None:
    record = record_from_object(_records()[0], source="x", aliases=FIELDS)
    assert (record.user_id, record.request_id, record.host) == ("8812", "t-0", "node-0")
    assert record.fields == {"user": "svc-frontend", "request_id": "r-0"}
    plain = record_from_object(_records()[0], source="x")
    assert (plain.user_id, plain.request_id, plain.host) == ("svc-frontend", "r-0", None)
    assert plain.fields["customer"] == "8812"


def test_file_and_http_logstores_read_records_with_the_configs_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = ServiceConfig.model_validate(CONFIG)
    query = with_config(LogQuery(service="membership", user_id="8812"), config)
    assert query.field_aliases == FIELDS
    logs = tmp_path / "logs.jsonl"
    logs.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")
    from_file = FileLogstore(logs).fetch(query)
    assert [r.request_id for r in from_file.records] == ["t-0", "t-1", "t-5"]
    with serve(monkeypatch, "LOGS_URL") as server:
        server.handler = lambda path, q, headers: (200, {"records": _records()})
        http = HttpLogstore("membership", HttpLogstoreConfig(kind="http", base_url_env="LOGS_URL"))
        from_http = http.fetch(query)
    assert [(r.user_id, r.request_id) for r in from_http.records] == [
        ("8812", "t-0"),
        ("8812", "t-1"),
        ("8812", "t-5"),
    ]


def test_refine_reads_the_configs_names_for_user_and_request_ids() -> None:
    refiner = RuleRefiner(ServiceConfig.model_validate(CONFIG))
    assert refiner.refine("is customer 8812 affected?", now=NOW).field_filters == {"user_id": "8812"}
    assert refiner.refine("what failed for member id 77?", now=NOW).field_filters == {"user_id": "77"}
    assert refiner.refine("what did correlation id c-9 do?", now=NOW).field_filters == {"request_id": "c-9"}
    # Without the config, "customer" is not a name of the user id.
    assert RuleRefiner(None).refine("is customer 8812 affected?", now=NOW).field_filters == {}
    assert RuleRefiner(None).refine("what did correlation id c-9 do?", now=NOW).field_filters == {}


def test_is_customer_affected_is_answered_from_that_customers_lines(tmp_path: Path, embedder) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "membership.json").write_text(json.dumps(CONFIG), encoding="utf-8")
    logs = tmp_path / "logs.jsonl"
    logs.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")
    engine = Engine(Settings(data_dir=tmp_path / "data", configs_dir=configs), embedder=embedder)
    answer = asyncio.run(
        engine.ask("is customer 8812 affected?", session="cust", logs=logs, service="membership")
    )
    assert answer.lines and {line.user_id for line in answer.lines} == {"8812"}
    assert "user_id=8812" in answer.tool_calls[0].scope
    evidence = answer.answer[answer.answer.index("**Evidence**") : answer.answer.index("**Log patterns**")]
    assert "GetMembership failed: card declined for account 8812" in evidence
    assert "4100" not in evidence

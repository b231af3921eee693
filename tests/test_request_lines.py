"""Every line of one request: the lines whose request id field names it, and the lines that only
mention it (a proxy's access line with its `x-request-id`, a nested trace field), at fetch
(`connectors.base.names_request`) and in `get_all_logs_for_request_id`, on a real LanceDB."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_retrieve_rules import NOW, SESSION, _store

from sre_agent.connectors.base import names_request
from sre_agent.connectors.file import FileLogstore
from sre_agent.engine import Engine
from sre_agent.models import LogRecord
from sre_agent.settings import Settings
from sre_agent.tools import ToolContext, default_registry
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.retrieve import Retriever

T0 = datetime(2024, 3, 7, 9, 12, tzinfo=UTC)
RID = "fc4645e8-a616-48ca-8985-a2489391ea5b"


def _record(message: str, request_id: str | None = None, **fields: Any) -> LogRecord:
    return LogRecord(timestamp=T0, message=message, request_id=request_id, fields=fields)


@pytest.mark.parametrize(
    ("record", "found"),
    [
        (_record("quote priced", request_id=RID.upper()), True),
        (_record(f'"POST /api/cart/quote HTTP/1.1" 502 UF "{RID}" "pricing:8080"'), True),
        (_record("upstream call failed", trace={"parent": {"id": RID}}), True),
        (_record("upstream call failed", x_request_id=RID.upper()), True),
        (_record(f"retry of {RID}0 gave up"), False),  # a longer id that starts with it
        (_record(f"retry of {RID}-2 gave up"), False),  # nor a derived one
        (_record(f"quote for {RID}", request_id="another-request"), True),
        (_record("quote priced", request_id="another-request"), False),
        (_record("quote priced"), False),
    ],
)
def test_a_line_belongs_to_a_request_by_its_field_or_by_naming_it(record: LogRecord, found: bool) -> None:
    assert names_request(record, RID) is found


def test_a_short_id_counts_in_the_request_id_field_only() -> None:
    assert names_request(_record("served", request_id="r-42"), "R-42")
    assert not names_request(_record("served r-42 quickly"), "r-42")
    assert not names_request(_record("served", rid="r-42"), "r-42")


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def test_the_request_tool_returns_the_lines_that_only_mention_the_id(tmp_path: Path, embedder) -> None:
    def at(second: int) -> str:
        return (T0 + timedelta(seconds=second)).isoformat()

    logs = tmp_path / "mesh.jsonl"
    _write(
        logs,
        [
            {"timestamp": at(0), "message": "quote requested", "service": "cart", "request_id": RID},
            {"timestamp": at(1), "message": "quote requested", "service": "cart", "request_id": "other-1"},
            {
                "timestamp": at(2),
                "message": f'[2024-03-07T09:12:02Z] "POST /api/cart/quote HTTP/1.1" 502 UF "{RID}"',
                "service": "istio-proxy",
            },
            {"timestamp": at(3), "message": "pricing call failed", "service": "cart", "trace": {"id": RID}},
            {"timestamp": at(4), "message": "served quote", "service": "cart"},
        ],
    )
    settings = Settings(data_dir=tmp_path / "data", configs_dir=tmp_path / "no-configs")
    engine = Engine(settings, embedder=embedder)
    store = FileLogstore(logs)
    span = store.span()
    assert span is not None
    ctx = ToolContext(engine=engine, session="req", logstore=store, now=span.end, default_window=span)
    result = asyncio.run(default_registry().call(ctx, "get_all_logs_for_request_id", {"request_id": RID}))
    assert result.ok, result.error
    assert [line.message for line in result.lines] == [
        "quote requested",
        f'[2024-03-07T09:12:02Z] "POST /api/cart/quote HTTP/1.1" 502 UF "{RID}"',
        "pricing call failed",
    ]
    assert f"3 lines of request {RID} in time order" in result.text


def test_a_question_about_a_request_gets_the_lines_that_only_mention_it(tmp_path: Path, embedder) -> None:
    records = [
        LogRecord(timestamp=T0, message="quote requested for cart 311", request_id=RID, line=1),
        LogRecord(
            timestamp=T0 + timedelta(seconds=2),
            message=f'"POST /api/cart/quote HTTP/1.1" 502 UF upstream_reset "{RID}"',
            line=2,
        ),
        *[
            LogRecord(
                timestamp=T0 + timedelta(seconds=3 + i),
                message=f"quote requested for cart {400 + i}",
                request_id=f"other-request-{i}",
                line=3 + i,
            )
            for i in range(20)
        ],
    ]
    store = _store(tmp_path, embedder, records)
    plan = RuleRefiner().refine(f"what happened to request {RID}?", now=NOW)
    assert plan.field_filters == {"request_id": RID}
    lines, notes = Retriever(store).retrieve(SESSION, plan, k=5)
    assert sorted(line.message for line in lines) == sorted(r.message for r in records[:2])
    assert notes == []  # found on the request's own constraint, nothing relaxed

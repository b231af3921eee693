"""One contract, every logstore backend: the same records served by a JSONL file, an HTTP logstore
API (local server), Grafana Loki (local server speaking query_range) and CloudWatch Logs (moto's
server, real boto3), asked the same questions — window, limit, user and request ids, text, level,
a malformed record — must give the same answer: exactly the records the query matches, oldest
first; when a limit cuts, the newest ones and a cut that says so; a bad record skipped, counted
and named, never fatal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes.aws import client, moto_endpoint
from fakes.json_http import serve

from sre_agent.configs import CloudWatchLogstoreConfig, HttpLogstoreConfig, LokiLogstoreConfig
from sre_agent.connectors.base import FetchResult, record_matches
from sre_agent.connectors.cloudwatch import CloudWatchLogstore
from sre_agent.connectors.file import FileLogstore
from sre_agent.connectors.http_logstore import HttpLogstore
from sre_agent.connectors.json_record import record_from_object
from sre_agent.connectors.loki import LokiLogstore
from sre_agent.models import LogQuery, TimeWindow

# CloudWatch refuses events older than 14 days: the records are the last hour and a half.
T0 = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=90)
LEVELS = ("INFO", "WARN", "ERROR")


def _record(i: int) -> dict[str, Any]:
    return {
        "timestamp": (T0 + timedelta(minutes=2 * i)).isoformat().replace("+00:00", "Z"),
        "level": LEVELS[i % 3],
        "service": "billing",
        "env": "prod",
        "user_id": "u-7" if i % 5 == 0 else f"u-{100 + i}",
        "request_id": "req-3" if i in (3, 13) else f"req-{1000 + i}",
        "message": f"Disk quota exceeded on volume {i}" if i % 7 == 0 else f"served invoice {i}",
    } | MENTIONS.get(i, {})


#: Records that name request `gw-77aa91` only inside the line: the message of a proxy's access line,
#: a nested trace field.
MENTIONS: dict[int, dict[str, Any]] = {
    20: {"message": "upstream reset before headers, x-request-id=gw-77aa91"},
    22: {"trace": {"parent": "gw-77aa91"}},
}


GOOD = [_record(i) for i in range(30)]
#: The same bad record for every backend: a JSON object whose timestamp is not a time.
BAD_TIME = T0 + timedelta(minutes=31)
BAD = {"timestamp": "half past nine", "level": "ERROR", "message": "a record nobody can place"}
WHOLE = TimeWindow(start=T0 - timedelta(minutes=1), end=T0 + timedelta(minutes=61))

Fetch = Callable[[LogQuery], FetchResult]


def _ns(ts: str) -> int:
    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1e9)


# ---------------------------------------------------------------------------- the four backends


def _file_backend(tmp_path: Path) -> Fetch:
    lines = [json.dumps(r) for r in GOOD]
    lines.insert(16, json.dumps(BAD))
    path = tmp_path / "billing.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return FileLogstore(path).fetch


def _http_backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[Fetch]:
    """An API that pages every record it holds, oldest first, 7 a page, whatever the query says."""
    items: list[Any] = [*GOOD[:16], BAD, *GOOD[16:]]

    def handler(path: str, query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, Any]:
        start = int(query.get("cursor", ["0"])[0])
        page = items[start : start + 7]
        nxt = str(start + 7) if start + 7 < len(items) else None
        return 200, {"data": {"records": page, "next": nxt}}

    config = HttpLogstoreConfig.model_validate(
        {
            "kind": "http",
            "base_url_env": "CONTRACT_LOGS_URL",
            "records_path": "data.records",
            "pagination": "cursor",
            "cursor_field": "data.next",
        }
    )
    with serve(monkeypatch, "CONTRACT_LOGS_URL") as server:
        server.handler = handler
        yield HttpLogstore("billing", config).fetch


def _loki_backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[Fetch]:
    """query_range as Loki answers it: the window (ns), `|=` line filters, `limit` lines in
    `direction` order, one stream."""
    lines = [(_ns(r["timestamp"]), json.dumps(r)) for r in GOOD]
    lines.append((int(BAD_TIME.timestamp() * 1e9), json.dumps(BAD)))

    def handler(path: str, query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, Any]:
        assert path == "/loki/api/v1/query_range"
        start, end = int(query["start"][0]), int(query["end"][0])
        # `|= "x"` keeps lines holding x; `|~ "re"` lines matching the regex (RE2; these are Python-safe)
        filters = [
            (op, json.loads(v)) for op, v in re.findall(r'\|([=~]) ("(?:[^"\\]|\\.)*")', query["query"][0])
        ]

        def kept(line: str) -> bool:
            return all(v in line if op == "=" else re.search(v, line) is not None for op, v in filters)

        chosen = [(ts, line) for ts, line in lines if start <= ts <= end and kept(line)]
        chosen.sort(reverse=query.get("direction", ["backward"])[0] == "backward")
        values = [[str(ts), line] for ts, line in chosen[: int(query["limit"][0])]]
        stream = {"stream": {"app": "billing", "env": "prod"}, "values": values}
        return 200, {"status": "success", "data": {"resultType": "streams", "result": [stream]}}

    config = LokiLogstoreConfig.model_validate(
        {"kind": "loki", "base_url_env": "CONTRACT_LOKI_URL", "labels": {"app": "billing"}}
    )
    with serve(monkeypatch, "CONTRACT_LOKI_URL") as server:
        server.handler = handler
        yield LokiLogstore("billing", config).fetch


@pytest.fixture(scope="module")
def cloudwatch_endpoint() -> Iterator[str]:
    with moto_endpoint() as endpoint:
        logs = client("logs", endpoint)
        logs.create_log_group(logGroupName="/billing/prod")
        logs.create_log_stream(logGroupName="/billing/prod", logStreamName="pod-1")
        events = [{"timestamp": _ns(r["timestamp"]) // 1_000_000, "message": json.dumps(r)} for r in GOOD]
        events.append({"timestamp": int(BAD_TIME.timestamp() * 1000), "message": json.dumps(BAD)})
        events.sort(key=lambda e: e["timestamp"])
        logs.put_log_events(logGroupName="/billing/prod", logStreamName="pod-1", logEvents=events)
        yield endpoint


def _cloudwatch_backend(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Fetch:
    monkeypatch.setenv("CONTRACT_CW_URL", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "t")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "t")
    config = CloudWatchLogstoreConfig.model_validate(
        {
            "kind": "cloudwatch",
            "log_groups": ["/billing/{environment}"],
            "endpoint_url_env": "CONTRACT_CW_URL",
        }
    )
    return CloudWatchLogstore("billing", config).fetch


@pytest.fixture(params=["file", "http", "loki", "cloudwatch"])
def fetch(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fetch]:
    if request.param == "file":
        yield _file_backend(tmp_path)
    elif request.param == "http":
        yield from _http_backend(monkeypatch)
    elif request.param == "loki":
        yield from _loki_backend(monkeypatch)
    else:
        yield _cloudwatch_backend(request.getfixturevalue("cloudwatch_endpoint"), monkeypatch)


# ---------------------------------------------------------------------------- the contract


def _expected(query: LogQuery) -> list[str]:
    """The messages `query` matches among the good records, oldest first, the newest `limit`."""
    records = [record_from_object(r, source="expected") for r in GOOD]
    return [r.message for r in records if record_matches(r, query)][-query.limit :]


def _messages(result: FetchResult) -> list[str]:
    return [r.message for r in result.records]


CASES = {
    "window": LogQuery(window=TimeWindow(start=T0 + timedelta(minutes=10), end=T0 + timedelta(minutes=30))),
    "user id": LogQuery(user_id="u-7", window=WHOLE),
    "request id": LogQuery(request_id="req-3", window=WHOLE),
    "text, any case": LogQuery(text="DISK QUOTA", window=WHOLE),
    "level and above": LogQuery(level="ERROR", window=WHOLE),
    "env": LogQuery(environment="prod", user_id="u-7", window=WHOLE),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_backend_returns_exactly_what_the_query_matches(fetch: Fetch, case: str) -> None:
    query = CASES[case]
    result = fetch(query)
    assert _messages(result) == _expected(query)
    assert result.cut is None and not result.truncated
    assert [r.timestamp for r in result.records] == sorted(r.timestamp for r in result.records)


def test_every_backend_finds_a_request_where_the_line_only_mentions_it(fetch: Fetch) -> None:
    result = fetch(LogQuery(request_id="gw-77aa91", window=WHOLE))
    assert _messages(result) == ["upstream reset before headers, x-request-id=gw-77aa91", "served invoice 22"]


def test_a_cut_read_keeps_the_newest_records_and_says_so(fetch: Fetch) -> None:
    query = LogQuery(window=WHOLE, limit=4)
    result = fetch(query)
    assert _messages(result) == [r["message"] for r in GOOD[-4:]]
    assert result.cut is not None and result.cut.read == 4
    assert result.cut.newest_first
    assert "only the newest 4 were read" in result.cut.sentence()


def test_a_malformed_record_is_skipped_counted_and_named(fetch: Fetch) -> None:
    result = fetch(LogQuery(window=WHOLE))
    assert _messages(result) == [r["message"] for r in GOOD]
    assert result.skipped == 1
    assert len(result.problems) == 1 and "timestamp" in result.problems[0]

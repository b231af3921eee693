"""The remote logstores over their real protocols: an HTTP logstore API (local server: pagination,
auth, retries, timeout), Loki's query_range (local server answering Loki's documented JSON), and
CloudWatch Logs (moto's server, real boto3); and a service whose config names one, end to end."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes.aws import client, moto_endpoint
from fakes.json_http import serve
from paths import ROOT

from sre_agent.configs import CloudWatchLogstoreConfig, HttpLogstoreConfig, LokiLogstoreConfig
from sre_agent.connectors.cloudwatch import CloudWatchLogstore
from sre_agent.connectors.http_logstore import HttpLogstore
from sre_agent.connectors.loki import LokiLogstore, logql
from sre_agent.engine import Engine
from sre_agent.errors import ConnectorError
from sre_agent.models import LogQuery, TimeWindow
from sre_agent.settings import Settings

THROTTLING = ROOT / "incidents" / "membership-dynamodb-throttling" / "logs.jsonl"
LINES = [json.loads(line) for line in THROTTLING.read_text(encoding="utf-8").splitlines() if line.strip()]
WINDOW = TimeWindow(
    start=datetime(2024, 3, 12, 13, 0, tzinfo=UTC), end=datetime(2024, 3, 12, 15, 0, tzinfo=UTC)
)
SHIFT = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1) - WINDOW.end
RECENT = TimeWindow(start=WINDOW.start + SHIFT, end=WINDOW.end + SHIFT)


# ---------------------------------------------------------------------------- HTTP logstore


def _http_config(**extra: object) -> HttpLogstoreConfig:
    return HttpLogstoreConfig.model_validate(
        {
            "kind": "http",
            "base_url_env": "LOGS_URL",
            "auth_env": "LOGS_TOKEN",
            "records_path": "data.records",
            "pagination": "cursor",
            "cursor_field": "data.next",
            **extra,
        }
    )


def _paged(per_page: int):
    def handler(path: str, query: dict, headers: dict) -> tuple[int, dict]:
        if headers.get("authorization") != "Bearer tok":
            return 401, {"error": "who are you"}
        start = int(query.get("cursor", ["0"])[0])
        chosen = [r for r in LINES if r.get("method") == query.get("method", [None])[0]]
        page = chosen[start : start + per_page]
        nxt = str(start + per_page) if start + per_page < len(chosen) else None
        return 200, {"data": {"records": page, "next": nxt}}

    return handler


def test_http_logstore_follows_cursors_sends_the_token_and_filters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGS_TOKEN", "tok")
    with serve(monkeypatch, "LOGS_URL") as server:
        server.handler = _paged(per_page=100)
        store = HttpLogstore("membership", _http_config())
        result = store.fetch(LogQuery(method="ListMemberships", window=WINDOW, limit=20_000))
        expected = [r for r in LINES if r.get("method") == "ListMemberships"]
        assert len(result.records) == len(expected) > 100  # several pages
        assert len(server.requests) == -(-len(expected) // 100)
        first = server.requests[0][1]
        assert first["method"] == ["ListMemberships"] and first["start"][0].startswith("2024-03-12T13:00")
        assert all(r.method == "ListMemberships" for r in result.records)


def test_http_logstore_caps_pages_and_reports_faults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGS_TOKEN", "tok")
    with serve(monkeypatch, "LOGS_URL") as server:
        server.handler = _paged(per_page=10)
        capped = HttpLogstore("membership", _http_config(max_pages=3)).fetch(
            LogQuery(method="GetMembership", window=WINDOW, limit=20_000)
        )
        assert len(server.requests) == 3 and len(capped.records) == 30 and capped.truncated
        # the API pages oldest first and the page cap stopped the read: the cut says so
        assert capped.cut is not None and not capped.cut.newest_first
        assert "only the oldest 30 were read" in capped.cut.sentence()
        # under a limit, an oldest-first API is read on to the page cap, keeping its newest
        limited = HttpLogstore("membership", _http_config(max_pages=3)).fetch(
            LogQuery(method="GetMembership", window=WINDOW, limit=5)
        )
        served = [r for r in LINES if r.get("method") == "GetMembership"][:30]
        assert [r.message for r in limited.records] == [r["message"] for r in served[-5:]]
        assert len(server.requests) == 6

        server.requests.clear()
        server.handler = lambda path, query, headers: (500, {"error": "down"})
        with pytest.raises(ConnectorError, match="HTTP 500, after 3 attempts"):
            HttpLogstore("membership", _http_config()).fetch(LogQuery(window=WINDOW))
        assert len(server.requests) == 3

        monkeypatch.setenv("LOGS_TOKEN", "wrong")
        server.handler = _paged(per_page=10)
        with pytest.raises(ConnectorError, match="401: not authorised"):
            HttpLogstore("membership", _http_config()).fetch(LogQuery(window=WINDOW))

        def slow(path: str, query: dict, headers: dict) -> tuple[int, dict]:
            time.sleep(1.0)
            return 200, {"data": {"records": []}}

        server.handler = slow
        started = time.monotonic()
        with pytest.raises(ConnectorError, match="no answer within 0.2s"):
            HttpLogstore("membership", _http_config(timeout=0.2)).fetch(LogQuery(window=WINDOW))
        assert time.monotonic() - started < 5


# ---------------------------------------------------------------------------- Loki


def _loki_config() -> LokiLogstoreConfig:
    return LokiLogstoreConfig.model_validate(
        {"kind": "loki", "base_url_env": "LOKI_URL", "labels": {"app": "membership", "env": "{environment}"}}
    )


def test_loki_gets_logql_and_reads_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = [r for r in LINES if r.get("method") == "GetMembership"][:50]

    def handler(path: str, query: dict, headers: dict) -> tuple[int, dict]:
        assert path == "/loki/api/v1/query_range"
        values = [
            [
                str(int(datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")).timestamp() * 1e9)),
                json.dumps(r),
            ]
            for r in chosen
        ]
        stream = {
            "stream": {"app": "membership", "env": "prod", "pod": "membership-7d9f-x"},
            "values": values,
        }
        return 200, {"status": "success", "data": {"resultType": "streams", "result": [stream]}}

    with serve(monkeypatch, "LOKI_URL") as server:
        server.handler = handler
        query = LogQuery(method="GetMembership", environment="prod", window=WINDOW)
        result = LokiLogstore("membership", _loki_config()).fetch(query)
        sent = server.requests[0][1]
        assert sent["query"] == ['{app="membership", env="prod"} |~ "(?i)GetMembership"']
        assert sent["direction"] == ["backward"] and int(sent["start"][0]) == int(
            WINDOW.start.timestamp() * 1e9
        )
        prod = [r for r in chosen if r.get("env") == "prod"]  # the query's own filter applies too
        assert (
            len(result.records) == len(prod) and result.records[0].timestamp <= result.records[-1].timestamp
        )
        assert all(r.method == "GetMembership" for r in result.records)
    assert logql(_loki_config(), LogQuery(user_id='12"3', environment="staging")) == (
        '{app="membership", env="staging"} |~ "(?i)12\\"3"'
    )


def test_loki_errors_are_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with serve(monkeypatch, "LOKI_URL") as server:
        server.handler = lambda path, query, headers: (400, {"message": "parse error at line 1"})
        with pytest.raises(ConnectorError, match="HTTP 400"):
            LokiLogstore("membership", _loki_config()).fetch(LogQuery(window=WINDOW))
    monkeypatch.delenv("LOKI_URL")
    with pytest.raises(ConnectorError, match="LOKI_URL is not set"):
        LokiLogstore("membership", _loki_config()).fetch(LogQuery(window=WINDOW))


# ---------------------------------------------------------------------------- CloudWatch


@pytest.fixture(scope="module")
def cloudwatch_endpoint() -> Iterator[str]:
    with moto_endpoint() as endpoint:
        _fill_logs(client("logs", endpoint))
        yield endpoint


def _fill_logs(logs: Any) -> None:
    logs.create_log_group(logGroupName="/svc/membership/prod")
    logs.create_log_stream(logGroupName="/svc/membership/prod", logStreamName="pod-1")
    # CloudWatch refuses events older than 14 days: the incident is moved to end a minute ago.
    events = []
    for r in LINES[:400]:
        ts = datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")) + SHIFT
        message = json.dumps({**r, "timestamp": ts.isoformat()})
        events.append({"timestamp": int(ts.timestamp() * 1000), "message": message})
    events.sort(key=lambda e: e["timestamp"])
    logs.put_log_events(logGroupName="/svc/membership/prod", logStreamName="pod-1", logEvents=events)


def _cw_config(**extra: object) -> CloudWatchLogstoreConfig:
    return CloudWatchLogstoreConfig.model_validate(
        {
            "kind": "cloudwatch",
            "log_groups": ["/svc/membership/{environment}"],
            "endpoint_url_env": "CW_URL",
            **extra,
        }
    )


def test_cloudwatch_filters_the_log_group_of_the_environment(
    cloudwatch_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CW_URL", cloudwatch_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "t")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "t")
    result = CloudWatchLogstore("membership", _cw_config()).fetch(
        LogQuery(method="GetMembership", environment="prod", window=RECENT)
    )
    expected = [r for r in LINES[:400] if r.get("method") == "GetMembership" and r.get("env") == "prod"]
    assert len(result.records) == len(expected) > 0
    assert all(r.method == "GetMembership" for r in result.records)

    missing = CloudWatchLogstore("membership", _cw_config()).fetch
    with pytest.raises(
        ConnectorError, match="CloudWatch: ResourceNotFoundException on log group /svc/membership/dev"
    ):
        missing(LogQuery(environment="dev", window=RECENT))


def test_cloudwatch_pagination_is_capped(cloudwatch_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CW_URL", cloudwatch_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "t")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "t")
    store = CloudWatchLogstore("membership", _cw_config(max_pages=2))
    result = store.fetch(LogQuery(environment="prod", window=RECENT, limit=50))
    assert len(result.records) == 50  # the query's limit, from at most two pages


def test_cloudwatch_reads_the_newest_part_of_the_window_first(
    cloudwatch_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FilterLogEvents serves the oldest first: a cut read must still be the newest events."""
    monkeypatch.setenv("CW_URL", cloudwatch_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "t")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "t")
    result = CloudWatchLogstore("membership", _cw_config()).fetch(
        LogQuery(environment="prod", window=RECENT, limit=50)
    )
    newest = sorted(
        datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")) + SHIFT
        for r in LINES[:400]
        if r.get("env", "prod") == "prod"
    )[-50:]
    assert [r.timestamp for r in result.records] == newest
    assert result.cut is not None and result.cut.newest_first and result.cut.read == 50
    assert "more records matched, only the newest 50 were read" in result.cut.sentence()


# ---------------------------------------------------------------------------- end to end


def _membership_with_logstore(tmp_path: Path, logstore: dict) -> Path:
    """A configs folder whose membership config names `logstore`."""
    config = json.loads((ROOT / "configs" / "membership.json").read_text(encoding="utf-8"))
    config["logstore"] = logstore
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "membership.json").write_text(json.dumps(config), encoding="utf-8")
    return configs


def test_a_service_with_an_http_logstore_is_answered_without_logs_given(
    tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    configs = _membership_with_logstore(tmp_path, _http_config().model_dump())
    monkeypatch.setenv("LOGS_TOKEN", "tok")
    with serve(monkeypatch, "LOGS_URL") as server:
        server.handler = _paged(per_page=500)
        engine = Engine(Settings(data_dir=tmp_path / "data", configs_dir=configs), embedder=embedder)
        end = datetime(2024, 3, 12, 14, 40, tzinfo=UTC)
        answer = asyncio.run(
            engine.ask(
                "why is GetMembership failing for user 123 in prod?",
                session="remote",
                service="membership",
                now=end,
                window=TimeWindow(start=end - timedelta(hours=1), end=end),
            )
        )
    assert server.requests and "DEADLINE_EXCEEDED" in answer.answer


def test_a_remote_fetch_without_a_window_remembers_the_hour_it_read_not_everything(
    tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A live store is asked for the last hour when the question names no time: a later question
    # about yesterday must not take the thread's table as holding all of it.
    monkeypatch.setenv("LOGS_TOKEN", "tok")
    shifted = [
        {**r, "timestamp": (_ts(r) + SHIFT).isoformat()} for r in LINES if r.get("method") == "GetMembership"
    ]
    store = HttpLogstore("membership", _http_config())
    with serve(monkeypatch, "LOGS_URL") as server:
        server.handler = lambda path, query, headers: (200, {"data": {"records": shifted}})
        engine = Engine(Settings(data_dir=tmp_path / "data"), embedder=embedder)
        result = asyncio.run(engine.search("why is GetMembership failing?", session="live", logstore=store))
    assert result.new > 0
    now = datetime.now(UTC)
    half_hour = TimeWindow(start=now - timedelta(minutes=40), end=now - timedelta(minutes=10))
    yesterday = TimeWindow(start=now - timedelta(days=1, hours=1), end=now - timedelta(days=1))
    assert engine.fetched_from("live", store, half_hour) == engine.fetched_from("live", store) != set()
    assert engine.fetched_from("live", store, yesterday) == set()


def _ts(record: dict) -> datetime:
    return datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00"))


def test_doctor_reports_each_connector_in_one_line(
    tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from sre_agent.cli import app
    from sre_agent.settings import get_settings

    configs = _membership_with_logstore(tmp_path, _http_config(pagination="none").model_dump())
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "MEMBERSHIP_ADMIN_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("SRE_AGENT_CONFIGS_DIR", str(configs))
    monkeypatch.setenv("SRE_AGENT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LOGS_TOKEN", "tok")
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    try:
        with serve(monkeypatch, "LOGS_URL") as server:
            server.handler = lambda path, query, headers: (200, {"data": {"records": []}})
            ok = CliRunner().invoke(app, ["doctor"])
            assert ok.exit_code == 0, ok.output
            rows = {
                line.split("│")[2].strip(): line for line in ok.output.splitlines() if line.count("│") >= 4
            }
            assert "ok" in rows["logstore (http)"] and "reachable, authorised" in rows["logstore (http)"]
            assert "warn" in rows["admin API"] and "MEMBERSHIP_ADMIN_URL is not set" in rows["admin API"]
            assert (
                "warn" in rows["DynamoDB memberships"]
                and "NoCredentialsError" in rows["DynamoDB memberships"]
            )
            monkeypatch.setenv("LOGS_TOKEN", "wrong")
            server.handler = lambda path, query, headers: (401, {"error": "no"})
            bad = CliRunner().invoke(app, ["doctor"])
            assert bad.exit_code == 1 and "not authorised" in bad.output and "Traceback" not in bad.output
    finally:
        get_settings.cache_clear()


def test_an_oversize_answer_is_refused_not_downloaded_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGS_TOKEN", "tok")
    with serve(monkeypatch, "LOGS_URL") as server:
        server.handler = lambda path, query, headers: (200, {"data": {"records": LINES[:300]}})
        with pytest.raises(ConnectorError, match="over 10,000 bytes"):
            HttpLogstore("membership", _http_config(max_bytes=10_000)).fetch(LogQuery(window=WINDOW))
        assert len(server.requests) == 1  # not retried: a bigger answer would not get smaller


# ---------------------------------------------------------------------------- the factory


def test_each_logstore_kind_is_read_by_its_own_backend_and_an_unknown_one_fails_loudly() -> None:
    from typing import get_args

    from sre_agent.configs import LogstoreConfig, ServiceConfig
    from sre_agent.connectors.factory import logstore_for

    configs = {"http": _http_config(), "loki": _loki_config(), "cloudwatch": _cw_config()}
    members = get_args(get_args(LogstoreConfig)[0])  # Annotated[A | B | C, …] -> (A, B, C)
    kinds = {get_args(member.model_fields["kind"].annotation)[0] for member in members}  # Literal["http"]
    assert kinds == set(configs), "a logstore kind without a case here"
    built = {
        kind: logstore_for(ServiceConfig(name="membership", logstore=spec)) for kind, spec in configs.items()
    }
    assert {kind: type(store) for kind, store in built.items()} == {
        "http": HttpLogstore,
        "loki": LokiLogstore,
        "cloudwatch": CloudWatchLogstore,
    }
    assert logstore_for(ServiceConfig(name="membership")) is None

    class ElasticConfig:  # a kind added to the configs but not to the factory
        kind = "elastic"

    with pytest.raises(AssertionError, match="unreachable"):
        logstore_for(ServiceConfig.model_construct(name="membership", logstore=ElasticConfig()))

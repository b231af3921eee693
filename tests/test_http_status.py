"""Access-log lines: the HTTP status they report, and the ERROR level a 5xx gets when its source
logged every request alike (`http_status`, the clean step's level rule, a broad question)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from llama_index.core.base.embeddings.base import BaseEmbedding

from sre_agent.clean import clean_records
from sre_agent.http_status import http_status, status_field
from sre_agent.indexes import LogIndex, table_name
from sre_agent.models import LogRecord
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.retrieve import Retriever

T0 = datetime(2024, 6, 18, 13, 50, tzinfo=UTC)
HAPROXY = (
    "192.0.2.139:54811 [18/Jun/2024:13:59:30.327] fe_https~ api_back/<NOSRV> "
    '0/30001/-1/-1/30001 {status} 217 - - sQ-- 603/765/494/500/0 0/0 "GET /v1/orders HTTP/1.1"'
)


@pytest.mark.parametrize(
    ("message", "status"),
    [
        ('202.208.239.108 "POST /api/checkout/cart/items HTTP/1.1" 504 167', 504),
        ('127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "-" "curl"', 200),
        ('10.0.0.1 "GET / HTTP/2" 502 0', 502),
        (HAPROXY.format(status=503), 503),
        ("10.0.0.2 [18/Jun/2024:13:59:30.327] fe be/web1 0/0/+1/-1/+7 500 194 - - SH--", 500),
        # an AWS load balancer's line: three timings, its status, the target's, the bytes
        (
            "https 2026-12-05T14:10:01.681303Z app/shop-alb/50dc 203.0.113.135:60259 10.0.13.57:8080"
            ' 0.000 30.001 -1 502 - 345 551 "POST https://shop.example.com:443/api/checkout HTTP/2.0"'
            ' "okhttp"',
            502,
        ),
        (
            "https 2026-12-05T13:30:01Z app/shop-alb/50dc 203.0.113.1:6 10.0.14.21:8080 0.000 0.048 0.000"
            ' 200 200 345 551 "GET https://shop.example.com:443/api/session HTTP/2.0" "okhttp"',
            200,
        ),
        # a JSON access line kept as text (API Gateway in CloudWatch)
        ('{ "requestId":"70e48a95", "httpMethod":"POST", "status":"502", "responseLength":"36" }', 502),
        ('{"msg": "batch done", "retries": 503}', None),
        ("took 0.5 1.0 2.0 503 200 12 13 bytes", None),
        # not an access-log layout: no status
        ("GetMembership returned UNAVAILABLE (HTTP 503), retrying", None),
        ("took 1/2/3/4/5 200 ms", None),
        ("HTTP/1.1 client sent 503 bytes", None),
        ('"GET / HTTP/1.1" 999 3', None),
    ],
)
def test_the_status_of_an_access_log_line(message: str, status: int | None) -> None:
    assert http_status(message) == status


def test_a_status_field_with_a_well_known_name_wins_over_the_message() -> None:
    assert status_field({"Status": "503"}) == 503
    assert status_field({"statusCode": 500}) == 500
    assert status_field({"res": {"statusCode": 502}}) == 502  # pino-http
    assert status_field({"http": {"response": {"status_code": 503}}}) == 503  # ECS, nested
    assert status_field({"response": {"body": {"status": 504}}}) is None  # a body is no response status
    assert status_field({"req": {"statusCode": 500}}) is None  # a request has no status
    assert status_field({"res": "500"}) is None
    assert status_field({"STATUS_WORD": "503"}) is None
    assert status_field({"http.response.status_code": 502}) == 502
    assert status_field({"status": "ok", "code": 500}) is None  # neither a status nor a known name
    assert status_field({"status": True}) is None
    assert status_field({"status": 42}) is None
    assert status_field({"status": "n/a"}) is None  # three characters, not digits
    assert [status_field({"status": v}) for v in (99, 100, 599, 600)] == [None, 100, 599, None]
    assert [status_field({"status": v}) for v in ("099", "100", "599", "600")] == [None, 100, 599, None]
    assert http_status('1.2.3.4 "GET / HTTP/1.1" 200 5', {"status_code": "504"}) == 504


def _clean(message: str, level: str | None, **fields: object) -> str | None:
    record = LogRecord(timestamp=T0, message=message, level=level, fields=fields)
    [out] = clean_records([record], None).records
    return out.level


def test_a_5xx_request_is_an_error_when_its_source_gave_it_a_routine_level_or_none() -> None:
    assert _clean(HAPROXY.format(status=503), "info") == "ERROR"
    assert _clean(HAPROXY.format(status=503), None) == "ERROR"
    assert _clean(HAPROXY.format(status=503), "debug") == "ERROR"
    assert _clean('1.2.3.4 "POST /pay HTTP/1.1" 504 167', None) == "ERROR"
    assert _clean("request done", None, status="502") == "ERROR"
    assert _clean("request completed", "INFO", res={"statusCode": 500}) == "ERROR"  # pino-http


def test_other_lines_keep_their_level() -> None:
    assert _clean(HAPROXY.format(status=404), "info") == "INFO"  # the client's mistake
    assert _clean(HAPROXY.format(status=200), None) is None
    assert _clean(HAPROXY.format(status=503), "warning") == "WARN"  # the source chose a level
    assert _clean(HAPROXY.format(status=503), "alert") == "FATAL"
    assert _clean("GetMembership returned UNAVAILABLE (HTTP 503)", "INFO") == "INFO"
    assert _clean("request done", "INFO", status="404") == "INFO"


def test_what_went_wrong_finds_the_5xx_lines_of_an_access_log(
    tmp_path: Path, embedder: BaseEmbedding
) -> None:
    """A load balancer logs every request at "info": the window's 503s and 504s are what went
    wrong, before the 200s and the 404s that fill it."""
    lines = [HAPROXY.format(status=200).replace("<NOSRV>", f"web{i % 3}") for i in range(30)]
    lines += [HAPROXY.format(status=404).replace("/v1/orders", f"/wp-login{i}.php") for i in range(10)]
    lines += [
        HAPROXY.format(status=503),
        "192.0.2.7:4242 [18/Jun/2024:13:58:01.000] fe_https~ api_back/api2 0/662/1/-1/30663 504 194 - - sH-- "
        '831/852/481/500/0 0/0 "GET /v1/cart HTTP/1.1"',
    ]
    records = [
        LogRecord(timestamp=T0 + timedelta(seconds=10 * n), message=m, level="info", host="lb1", line=n)
        for n, m in enumerate(lines, 1)
    ]
    store = LogIndex(str(tmp_path / "lance"), embedder)
    store.ingest("s", table_name("logs", "all", "prod"), clean_records(records, None).records)
    plan = RuleRefiner().refine(
        "5xx alarm on the public api. what's going on between 13:50 and 14:05 on jun 18?",
        now=T0 + timedelta(hours=2),
    )
    found, _ = Retriever(store).retrieve("s", plan, k=3)
    assert [line.level for line in found[:2]] == ["ERROR", "ERROR"]
    assert {http_status(line.message) for line in found[:2]} == {503, 504}

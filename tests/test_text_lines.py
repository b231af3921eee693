"""Plain-text log lines in the shapes real logs are written in: each starts a record with its time
read right (and its level, host and program where the line says them); a line with no time starts
none. Then the file logstore on such files: nothing dated by the file's clock, lines before the
first record located, and a file not one line of which is a log refused in one line (exit 2)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sre_agent.cli import app
from sre_agent.connectors import FileLogstore
from sre_agent.connectors.file import NO_TIME
from sre_agent.connectors.inputs import NotALog
from sre_agent.connectors.text_lines import record_start
from sre_agent.models import LogQuery, LogRecord, TimeWindow

runner = CliRunner()


def _start(line: str) -> LogRecord | None:
    return record_start(line, source="x.log", lineno=7, default_year=2025)


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_logfmt_is_read_as_the_object_it_is() -> None:
    record = _start(
        "ts=2025-03-18T14:05:00.250Z level=error svc=payments host=pay-3 request_id=7c18 "
        'msg="charge failed: \\"too many clients\\" on pool" status=503 duration_ms=30012'
    )
    assert record is not None
    assert record.timestamp == _utc(2025, 3, 18, 14, 5, 0, 250000)
    assert (record.level, record.service, record.host, record.request_id) == (
        "ERROR",
        "payments",
        "pay-3",
        "7c18",
    )
    assert record.message == 'charge failed: "too many clients" on pool'
    assert record.fields == {"status": "503", "duration_ms": "30012"}
    assert (record.source, record.line) == ("x.log", 7)


def test_logfmt_without_a_time_or_mostly_not_pairs_starts_no_record() -> None:
    assert _start("level=error msg=oops") is None  # no time field: a continuation
    assert (
        _start("user=bob said hello to everyone in the room today at lunch, ts=2025-03-18T14:05:00Z") is None
    )


def test_rfc5424_gives_level_host_program_and_fields() -> None:
    record = _start('<11>1 2025-04-02T03:39:58.100Z db-02 postgres 2291 WAL [meta seq="193"] PANIC: no space')
    assert record is not None
    assert record.timestamp == _utc(2025, 4, 2, 3, 39, 58, 100000)
    assert (record.level, record.host, record.service) == ("ERROR", "db-02", "postgres")  # 11 % 8 = 3: err
    assert record.fields == {"procid": "2291", "msgid": "WAL"}
    assert record.message == '[meta seq="193"] PANIC: no space'
    nil = _start("<14>1 2025-04-02T03:00:19Z - sshd - - - Accepted publickey for deploy")
    assert nil is not None
    assert (nil.level, nil.host, nil.service, nil.fields) == ("INFO", None, "sshd", {})
    assert nil.message == "Accepted publickey for deploy"  # the `-` of no structured data is dropped
    assert _start("<14>1 - db-01 sshd - - - no time") is None
    assert _start("<999>1 2025-04-02T03:00:19Z db-01 sshd - - - PRI out of range") is None


def test_rfc3164_behind_its_pri() -> None:
    record = _start("<12>Apr  2 03:00:19 db-01 kernel: EXT4-fs warning: mounting unchecked fs")
    assert record is not None
    assert record.timestamp == _utc(2025, 4, 2, 3, 0, 19)
    assert record.level == "WARN"  # 12 % 8 = 4: warning
    assert record.message == "db-01 kernel: EXT4-fs warning: mounting unchecked fs"


def test_access_logs_keep_the_whole_line_and_its_offset() -> None:
    line = (
        '203.0.113.9 - - [06/May/2025:09:12:11 +0200] "POST /api/checkout HTTP/1.1" 502 157 "-" "curl/8.5.0"'
    )
    record = _start(line)
    assert record is not None
    assert record.timestamp == _utc(2025, 5, 6, 7, 12, 11)
    assert record.utc_offset == 120
    assert record.message == line


@pytest.mark.parametrize(
    ("line", "when", "message"),
    [
        (
            "2025-03-18T14:05:00.123Z ERROR checkout failed",
            _utc(2025, 3, 18, 14, 5, 0, 123000),
            "ERROR checkout failed",
        ),
        (
            "[2025-03-18 14:05:00,123] ERROR in app: boom",
            _utc(2025, 3, 18, 14, 5, 0, 123000),
            "ERROR in app: boom",
        ),
        ("web01 2025-03-18 14:05:00 WARN slow disk", _utc(2025, 3, 18, 14, 5), "web01 WARN slow disk"),
        (
            "INFO  2025-03-18T14:05:00+09:00 started",
            datetime(2025, 3, 18, 14, 5, tzinfo=timezone(timedelta(hours=9))),
            "INFO  started",
        ),
        (
            "Dec 10 06:55:46 combo sshd[1]: Failed password",
            _utc(2025, 12, 10, 6, 55, 46),
            "combo sshd[1]: Failed password",
        ),
        (
            "081109 203615 148 INFO dfs.DataNode: Receiving block",
            _utc(2008, 11, 9, 20, 36, 15),
            "148 INFO dfs.DataNode: Receiving block",
        ),
        (
            "[Sun Dec 04 04:47:44 2005] [error] mod_jk child in error state 6",
            _utc(2005, 12, 4, 4, 47, 44),
            "[error] mod_jk child in error state 6",
        ),
        (
            "[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708] AH00037",
            _utc(2011, 9, 9, 10, 42, 29, 902022),
            "[core:error] [pid 35708] AH00037",
        ),
    ],
)
def test_a_time_at_the_start_in_the_usual_shapes(line: str, when: datetime, message: str) -> None:
    record = _start(line)
    assert record is not None
    assert record.timestamp == when.astimezone(UTC)
    assert record.message == message


@pytest.mark.parametrize(
    ("line", "when", "level", "message"),
    [
        (
            "03-17 16:13:38.811  1702  2395 W WindowManager: Attempted to add window",
            _utc(2025, 3, 17, 16, 13, 38, 811000),
            "WARN",
            "1702  2395 W WindowManager: Attempted to add window",
        ),
        (
            "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered",
            _utc(2017, 6, 9, 20, 10, 40),
            "INFO",
            "INFO executor.CoarseGrainedExecutorBackend: Registered",
        ),
        (
            "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
            _utc(2017, 12, 23, 22, 15, 29, 606000),
            None,
            "|Step_LSC|30002312|onStandStepChanged 3579",
        ),
        ("20171223-22:15:29|Step_LSC|x", _utc(2017, 12, 23, 22, 15, 29), None, "|Step_LSC|x"),
        (
            "2025/03/18 14:05:00 [error] 1234#0: *5 upstream timed out (110: Connection timed out)",
            _utc(2025, 3, 18, 14, 5),
            "ERROR",
            "[error] 1234#0: *5 upstream timed out (110: Connection timed out)",
        ),
        (  # Elixir's Logger: metadata, then the level in brackets
            "2025-03-18 14:05:00.126 request_id=F7Ikc_hT8x0AABcB [error] GenServer #PID<0.512.0> terminating",
            _utc(2025, 3, 18, 14, 5, 0, 126000),
            "ERROR",
            "request_id=F7Ikc_hT8x0AABcB [error] GenServer #PID<0.512.0> terminating",
        ),
        (
            "2025/03/18 14:05:00.123456 http: TLS handshake error from 10.0.0.1:5050: EOF",
            _utc(2025, 3, 18, 14, 5, 0, 123456),
            None,
            "http: TLS handshake error from 10.0.0.1:5050: EOF",
        ),
        (
            "1:M 18 Mar 2025 14:05:00.123 # Can't save in background: fork: Cannot allocate memory",
            _utc(2025, 3, 18, 14, 5, 0, 123000),
            "WARN",  # Redis's `#`
            "# Can't save in background: fork: Cannot allocate memory",
        ),
        (
            "7:S 18 Mar 2025 14:05:01 * Ready to accept connections",
            _utc(2025, 3, 18, 14, 5, 1),
            "INFO",
            "* Ready to accept connections",
        ),
        (
            "2025-03-18 14:05:00.123 UTC [29661] orders_app@orders FATAL:  too many clients",
            _utc(2025, 3, 18, 14, 5, 0, 123000),
            "FATAL",
            "[29661] orders_app@orders FATAL:  too many clients",  # PostgreSQL: its `UTC` read as the zone
        ),
        (
            "2025-03-18T00:00:10.000000Z 0 [Warning] [MY-010055] [Server] IP address could not be resolved",
            _utc(2025, 3, 18, 0, 0, 10),
            "WARN",
            "0 [Warning] [MY-010055] [Server] IP address could not be resolved",  # MySQL 8
        ),
        (
            "2025-03-18 00:00:50 4402 [Note] Aborted connection 4402 to db: 'shop'",
            _utc(2025, 3, 18, 0, 0, 50),
            "INFO",
            "4402 [Note] Aborted connection 4402 to db: 'shop'",  # MariaDB
        ),
        (
            "2025-03-18T14:05:31.000000Z\twarning\tenvoy upstream\toutlier detection: ejecting host",
            _utc(2025, 3, 18, 14, 5, 31),
            "WARN",
            "warning\tenvoy upstream\toutlier detection: ejecting host",  # Istio's proxy, zap's console
        ),
        (
            "[Fri Sep 09 10:42:29 2011] [core:crit] [pid 35708] AH00037: Symlink not allowed",
            _utc(2011, 9, 9, 10, 42, 29),
            "FATAL",
            "[core:crit] [pid 35708] AH00037: Symlink not allowed",
        ),
        (
            "[10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through proxy",
            _utc(2025, 10, 30, 16, 49, 6),
            None,
            "chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through proxy",
        ),
    ],
)
def test_compact_and_year_less_shapes(line: str, when: datetime, level: str | None, message: str) -> None:
    record = _start(line)  # a year-less time is on `default_year` (2025 here)
    assert record is not None
    assert (record.timestamp, record.level, record.message) == (when, level, message)


@pytest.mark.parametrize(
    "line",
    [
        "\tat com.example.Foo.bar(Foo.java:42)",
        "13-45 99:00:00.000 not a time",
        "[13.45 10:00:00] not a time either",
        "Caused by: java.io.IOException: No space left on device",
        "Traceback (most recent call last):",
        "one two three four 2025-03-18 14:05:00 too many words before the time",
        "timestamp,level,service,message",
        "2025-13-45T99:00:00Z not a date",
    ],
)
def test_lines_without_a_readable_time_start_no_record(line: str) -> None:
    assert _start(line) is None


def _fetch(path: Path) -> tuple[list[LogRecord], list[str]]:
    result = FileLogstore(path).fetch(LogQuery(limit=1000))
    return result.records, result.problems


def test_a_logfmt_file_is_one_record_per_line_and_a_header_is_located(tmp_path: Path) -> None:
    path = tmp_path / "payments.log"
    path.write_text(
        "# payments service, exported\n"
        'ts=2025-03-18T14:00:03Z level=info svc=payments msg="request completed" status=200\n'
        'ts=2025-03-18T14:00:04Z level=error svc=payments msg="too many clients already" status=503\n'
        "  retry budget exhausted\n",
        encoding="utf-8",
    )
    records, problems = _fetch(path)
    assert [(r.level, r.message) for r in records] == [
        ("INFO", "request completed"),
        ("ERROR", "too many clients already\n  retry budget exhausted"),
    ]
    assert problems == [f"{path}:1: {NO_TIME}"]
    assert NO_TIME.startswith("no time we can read at its start (nor a logfmt time field)")


def test_a_file_with_no_readable_line_is_refused_in_one_line(tmp_path: Path, cli_env: Path) -> None:
    path = tmp_path / "jobs.txt"  # (as `jobs.csv` it is read by its header row)
    path.write_text("host,timestamp,message\netl-1,2025-10-14T01:00:16Z,step completed\n", encoding="utf-8")
    with pytest.raises(NotALog, match="none of its 2 lines could be read as a log record"):
        FileLogstore(path).span()
    result = runner.invoke(app, ["ask", "what failed?", "--logs", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.count("\n") == 1
    assert (
        f"{path}: none of its 2 lines could be read as a log record ({path}:1: no time we can read"
        in result.output
    )


def test_a_big_file_with_no_readable_line_says_only_its_start_and_end_were_read(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("w", encoding="utf-8") as out:  # 2 MiB of lines with no time: only ends are read
        for n in range(40_000):
            out.write(f"row {n}: nothing here says when this happened, padded to be long\n")
    said = "none of the [0-9]+ lines read from its start and its end could be read"
    with pytest.raises(NotALog, match=said):
        FileLogstore(path).span()


def test_in_a_folder_a_file_with_no_readable_line_is_named_and_the_others_read(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text("2025-03-18T14:00:03Z ERROR boom\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("remember to rotate\nthe keys\n", encoding="utf-8")
    result = FileLogstore(tmp_path).fetch(LogQuery(limit=10))
    assert [r.message for r in result.records] == ["ERROR boom"]
    assert result.report.skipped_files == {"notes.txt": "none of its 2 lines could be read as a log record"}


def test_kubernetes_events_and_other_field_names(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    event = {
        "kind": "Event",
        "involvedObject": {"kind": "Pod", "name": "orders-api-6c8f9d7b5-qx2lm"},
        "reason": "BackOff",
        "message": "Back-off restarting failed container",
        "type": "Warning",
        "eventTime": None,
        "firstTimestamp": "2025-08-12T16:20:00Z",
        "lastTimestamp": "2025-08-12T16:25:08Z",
    }
    normal = {**event, "type": "Normal", "message": "Pulled image"}
    node = {**event, "involvedObject": {"kind": "Node", "name": "ip-10-0-1-7"}, "message": "NodeNotReady"}
    other = {"ts": 1763665204792, "event_message": "disk watermark exceeded", "component": "indexer"}
    path.write_text("\n".join(json.dumps(o) for o in (event, normal, other, node)) + "\n", encoding="utf-8")
    records, problems = _fetch(path)
    assert problems == []
    by_message = {record.message: record for record in records}
    warning, pulled, indexer = (
        by_message[o["message" if "message" in o else "event_message"]] for o in (event, normal, other)
    )
    not_ready = by_message["NodeNotReady"]
    assert (not_ready.host, not_ready.service) == ("ip-10-0-1-7", None)  # a node is no service
    assert warning.timestamp == _utc(2025, 8, 12, 16, 25, 8)  # the last time it was seen
    assert (warning.level, warning.host) == ("WARN", "orders-api-6c8f9d7b5-qx2lm")
    assert warning.service == "orders-api"  # the pod's deployment, as for a pod field
    assert pulled.level is None  # `Normal` is no level
    assert (indexer.message, indexer.fields) == ("disk watermark exceeded", {"component": "indexer"})


def test_a_csv_log_is_read_by_its_header(tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    path.write_text(
        "host,timestamp,level,service,job_id,message\n"
        'etl-6,2025-10-14T01:00:16Z,INFO,scheduler,job-516,"step completed, rows=26312"\n'
        "etl-7,2025-10-14T01:40:24Z,ERROR,scheduler,job-562,load_orders failed\n"
        "etl-7,2025-10-14T01:41:00Z,ERROR,scheduler\n"
        "etl-8,yesterday,ERROR,scheduler,job-563,no time here\n",
        encoding="utf-8",
    )
    records, problems = _fetch(path)
    assert [(r.timestamp, r.level, r.service, r.host, r.message, r.fields) for r in records] == [
        (
            _utc(2025, 10, 14, 1, 0, 16),
            "INFO",
            "scheduler",
            "etl-6",
            "step completed, rows=26312",
            {"job_id": "job-516"},
        ),
        (
            _utc(2025, 10, 14, 1, 40, 24),
            "ERROR",
            "scheduler",
            "etl-7",
            "load_orders failed",
            {"job_id": "job-562"},
        ),
    ]
    assert problems[0] == f"{path}:4: 4 columns where the header names 6"
    assert problems[1].startswith(f"{path}:5: field 'timestamp'")
    tsv = tmp_path / "jobs.tsv"
    tsv.write_text("time\tmsg\n2025-10-14T01:00:16Z\tstarted, then stopped\n", encoding="utf-8")
    assert [r.message for r in _fetch(tsv)[0]] == ["started, then stopped"]


def test_a_big_csv_keeps_its_header_for_the_span_and_for_a_read_from_its_middle(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    start = _utc(2025, 10, 14)
    rows = [
        f"{(start + timedelta(seconds=s)).isoformat()},INFO,worker {s} done {'x' * 60}" for s in range(30_000)
    ]
    path.write_text("ts,level,msg\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert path.stat().st_size > 2 << 20  # past what is read whole for the span: its head and tail
    store = FileLogstore(path, index_dir=tmp_path / "index")
    span = store.span()
    assert span is not None and (span.start, span.end) == (start, start + timedelta(seconds=29_999))
    store.fetch(LogQuery(limit=50_000))  # read whole once: leaves the file's time index behind
    late = TimeWindow(start=start + timedelta(seconds=20_000), end=start + timedelta(seconds=20_002))
    again = FileLogstore(path, index_dir=tmp_path / "index").fetch(LogQuery(window=late, limit=10))
    assert [r.message.split(" x")[0] for r in again.records] == [
        f"worker {s} done" for s in (20_000, 20_001, 20_002)
    ]
    assert again.problems == []


def test_a_klog_line_starts_a_record_with_its_level_and_the_files_year() -> None:
    said = 'apiserver received an error: "etcdserver: mvcc: database space exceeded"'
    line = f"E0709 14:02:11.123456       1 status.go:71] {said}"
    record = record_start(line, source="apiserver.log", lineno=3, default_year=2024)
    assert record is not None
    assert (record.timestamp, record.level, record.line) == (
        datetime(2024, 7, 9, 14, 2, 11, 123456, tzinfo=UTC),
        "ERROR",
        3,
    )
    assert (
        record.message
        == '1 status.go:71] apiserver received an error: "etcdserver: mvcc: database space exceeded"'
    )
    for letter, level in (("I", "INFO"), ("W", "WARN"), ("F", "FATAL")):
        said = record_start(letter + line[1:], source="f", lineno=1, default_year=2024)
        assert said is not None and said.level == level
    # not a klog head: no source file, a month that is none, another letter
    assert record_start("E0709 14:02:11.123456 status", source="f", lineno=1, default_year=2024) is None
    assert (
        record_start("E1309 14:02:11.123456       1 a.go:1] x", source="f", lineno=1, default_year=2024)
        is None
    )
    assert (
        record_start("X0709 14:02:11.123456       1 a.go:1] x", source="f", lineno=1, default_year=2024)
        is None
    )

"""The file logstore: JSONL and plain text, filters, and honest reports of bad lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sre_agent.connectors import FileLogstore
from sre_agent.errors import InputError
from sre_agent.models import LogQuery, TimeWindow


def _write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8"
    )
    return path


def test_jsonl_fields_aliases_and_extra_fields(tmp_path: Path) -> None:
    path = _write_jsonl(
        tmp_path / "a.jsonl",
        [
            {
                "timestamp": "2024-05-01T12:00:00Z",
                "message": "ok",
                "level": "info",
                "method": "GetMembership",
                "user_id": 123,
                "latency_ms": 12,
            },
            {
                "@timestamp": "2024-05-01T12:00:01+02:00",
                "msg": "boom",
                "severity": "warning",
                "environment": "prod",
            },
        ],
    )
    result = FileLogstore(path).fetch(LogQuery())
    assert [r.message for r in result.records] == ["boom", "ok"]  # oldest first: +02:00 is earlier in UTC
    boom, ok = result.records
    assert boom.level == "WARN" and boom.env == "prod"
    assert boom.timestamp == datetime(2024, 5, 1, 10, 0, 1, tzinfo=UTC)
    assert ok.user_id == "123" and ok.method == "GetMembership" and ok.fields == {"latency_ms": 12}
    assert ok.line == 1 and boom.line == 2


def test_malformed_lines_are_skipped_counted_and_reported(tmp_path: Path) -> None:
    path = _write_jsonl(
        tmp_path / "bad.jsonl",
        [
            {"timestamp": "2024-05-01T12:00:00Z", "message": "good"},
            "{not json",
            {"message": "no time"},
            "[1, 2]",
            {"timestamp": "yesterday-ish", "message": "bad time"},
            {"timestamp": "2024-05-01T12:00:05Z", "message": "also good"},
        ],
    )
    result = FileLogstore(path).fetch(LogQuery())
    assert [r.message for r in result.records] == ["good", "also good"]
    assert result.skipped == 4
    assert result.problems[0].startswith(f"{path}:2: invalid JSON")
    assert (
        result.problems[1]
        == f"{path}:3: missing field 'timestamp' (nor time, ts, @timestamp or another usual name for it)"
    )
    assert result.problems[2] == f"{path}:4: not a JSON object"
    assert result.problems[3].startswith(f"{path}:5: field 'timestamp'")


def test_lines_only_the_standard_library_reads_are_read_and_errors_say_where(tmp_path: Path) -> None:
    """orjson reads the lines; NaN, a number beyond 64 bits and an escaped lone surrogate it refuses
    are read as Python's json reads them, and a broken line is located to its column."""
    path = _write_jsonl(
        tmp_path / "odd.jsonl",
        [
            '{"timestamp": "2024-05-01T12:00:00Z", "message": "nan latency", "latency": NaN}',
            '{"timestamp": "2024-05-01T12:00:01Z", "message": "big", '
            '"offset": 123456789012345678901234567890}',
            '{"timestamp": "2024-05-01T12:00:02Z", "message": "half \\ud83d emoji"}',
            '{"timestamp": "2024-05-01T12:00:03Z", "message": "cut"',
        ],
    )
    result = FileLogstore(path).fetch(LogQuery())
    nan, big, half = result.records
    assert nan.message == "nan latency" and nan.fields["latency"] != nan.fields["latency"]  # NaN
    assert big.fields == {"offset": 123456789012345678901234567890}
    assert half.message == "half \ud83d emoji"
    # the cut line's column is just past its end (54 characters)
    assert result.problems == [f"{path}:4: invalid JSON (Expecting ',' delimiter at column 55)"]


def test_query_filters_window_level_ids_and_limit(tmp_path: Path) -> None:
    rows = [
        {
            "timestamp": f"2024-05-01T12:{m:02d}:00Z",
            "message": f"m{m}",
            "level": lvl,
            "user_id": uid,
            "method": "GetMembership",
            "env": "prod",
        }
        for m, lvl, uid in [(0, "INFO", "1"), (5, "ERROR", "123"), (10, "WARN", "123"), (15, "ERROR", "9")]
    ]
    store = FileLogstore(_write_jsonl(tmp_path / "a.jsonl", rows))
    window = TimeWindow(
        start=datetime(2024, 5, 1, 12, 4, tzinfo=UTC),
        end=datetime(2024, 5, 1, 12, 12, tzinfo=UTC),
    )
    assert [r.message for r in store.fetch(LogQuery(window=window)).records] == ["m5", "m10"]
    assert [r.message for r in store.fetch(LogQuery(level="error")).records] == ["m5", "m15"]
    assert [r.message for r in store.fetch(LogQuery(user_id="123", level="WARN")).records] == ["m5", "m10"]
    assert store.fetch(LogQuery(environment="staging")).records == []
    assert (
        store.fetch(LogQuery(request_id="r-1")).records == []
    )  # records without a request id never match one
    limited = store.fetch(LogQuery(limit=2))
    assert len(limited.records) == 2 and limited.truncated


def test_plain_text_keeps_stack_traces_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    path.write_text(
        "2024-05-01 12:00:00,123 INFO started\n"
        "2024-05-01 12:00:01,000 ERROR request failed\n"
        "java.lang.IllegalStateException: boom\n"
        "\tat com.acme.Foo.bar(Foo.java:42)\n"
        "Caused by: java.io.IOException: disk\n"
        "2024-05-01 12:00:02,000 WARN retrying\n",
        encoding="utf-8",
    )
    records = FileLogstore(path).fetch(LogQuery()).records
    assert [r.level for r in records] == ["INFO", "ERROR", "WARN"]
    assert records[1].message.splitlines() == [
        "ERROR request failed",
        "java.lang.IllegalStateException: boom",
        "\tat com.acme.Foo.bar(Foo.java:42)",
        "Caused by: java.io.IOException: disk",
    ]
    assert records[1].line == 2


def test_syslog_and_hdfs_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "mixed.log"
    path.write_text(
        "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster\n"
        "081109 203615 148 INFO dfs.DataNode: PacketResponder 1 terminating\n",
        encoding="utf-8",
    )
    records = FileLogstore(path, default_year=2017).fetch(LogQuery()).records
    assert records[0].timestamp == datetime(2008, 11, 9, 20, 36, 15, tzinfo=UTC)
    assert records[1].timestamp == datetime(2017, 12, 10, 6, 55, 46, tzinfo=UTC)


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        FileLogstore(tmp_path / "nope.jsonl")
    with pytest.raises(InputError, match="no log files in this folder"):
        FileLogstore(tmp_path).fetch(LogQuery())

"""The log-search workflow end to end: real file logstore, real LanceDB, the real local model."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from paths import ROOT

from sre_agent.connectors.base import FetchResult
from sre_agent.errors import ConnectorError, InputError
from sre_agent.models import LogQuery, LogRecord
from sre_agent.workflows.events import ProgressEvent

THROTTLING = ROOT / "incidents" / "membership-dynamodb-throttling"
NOW = datetime(2024, 3, 12, 14, 40, tzinfo=UTC)


def _search(engine, question: str, **kwargs):
    events: list[ProgressEvent] = []
    result = asyncio.run(engine.search(question, on_progress=events.append, **kwargs))
    return result, events


def test_fetch_clean_embed_refine_retrieve_streams_progress(engine) -> None:
    result, events = _search(
        engine,
        "why is GetMembership failing for user 123 in prod?",
        session="t1",
        logs=THROTTLING / "logs.jsonl",
        service="membership",
        now=NOW,
    )
    stages = [e.stage for e in events]
    assert stages == ["fetch", "clean", "embed", "refine", "retrieve"]
    assert events[0].data["fetched"] == 2482
    assert events[2].data["new"] > 0
    assert "user_id=123" in events[3].message
    assert result.lines, "the failing lines of user 123 are found"
    top = result.lines[0]
    assert top.user_id == "123" and "DEADLINE_EXCEEDED" in top.message
    assert top.count >= 1 and top.first_seen <= top.last_seen


def test_follow_up_reuses_the_thread_and_embeds_nothing_again(engine, tmp_path: Path) -> None:
    logs = tmp_path / "logs.jsonl"
    shutil.copy(THROTTLING / "logs.jsonl", logs)
    first, _ = _search(
        engine,
        "are we being rate limited by the database?",
        session="t2",
        logs=logs,
        service="membership",
        now=NOW,
    )
    # The same file, unchanged: not read again at all.
    unchanged, events = _search(
        engine,
        "are we being rate limited by the database?",
        session="t2",
        logs=logs,
        service="membership",
        now=NOW,
    )
    assert [e.stage for e in events] == ["fetch", "fetch", "refine", "retrieve"]
    assert events[0].message == f"file {logs}: unchanged since this thread read it into logs_all_prod"
    assert unchanged.fetched == 0 and [x.message for x in unchanged.lines] == [x.message for x in first.lines]
    # Touched since (as a log being written is): read again, but nothing is cleaned or embedded twice.
    os.utime(logs, ns=(logs.stat().st_atime_ns, logs.stat().st_mtime_ns + 1_000_000_000))
    again, events = _search(
        engine,
        "are we being rate limited by the database?",
        session="t2",
        logs=logs,
        service="membership",
        now=NOW,
    )
    assert first.new > 0 and again.new == 0
    clean = next(e for e in events if e.stage == "clean")
    assert clean.data["already_stored"] == 2482 and clean.data["kept"] == 0  # nothing cleaned twice
    embed = next(e for e in events if e.stage == "embed")
    assert embed.data["shapes_embedded"] == 0
    assert [x.message for x in again.lines] == [x.message for x in first.lines]
    # A follow-up without fetching searches what the thread already stored.
    stored_only, events = _search(
        engine, "which table was throttled?", session="t2", service="membership", now=NOW
    )
    assert [e.stage for e in events] == ["fetch", "refine", "retrieve"]
    assert any("ProvisionedThroughputExceededException" in x.message for x in stored_only.lines)


def test_follow_up_inherits_the_user_the_thread_named(engine) -> None:
    logs = ROOT / "incidents" / "membership-stale-cache-permission-denied" / "logs.jsonl"
    now = datetime(2024, 4, 2, 9, 55, tzinfo=UTC)
    _search(
        engine,
        "user 4821 gets PERMISSION_DENIED on district 77. why?",
        session="t3",
        logs=logs,
        service="membership",
        now=now,
    )
    result, _ = _search(
        engine,
        "was the user removed and added back at the same moment?",
        session="t3",
        service="membership",
        now=now,
    )
    assert result.plan.field_filters.get("user_id") == "4821"
    assert any(x.message.startswith("RemoveMember: removed user 4821") for x in result.lines)


def test_broad_question_gets_new_error_patterns_of_the_window_first(engine) -> None:
    result, _ = _search(
        engine,
        "what went wrong between 14:00 and 14:20?",
        session="t4",
        logs=THROTTLING / "logs.jsonl",
        service="membership",
        now=NOW,
    )
    assert result.plan.broad and result.plan.min_level == "WARN"
    levels = [x.level for x in result.lines]
    assert levels == sorted(levels, key=lambda lv: ["WARN", "ERROR", "FATAL"].index(lv), reverse=True)
    window = result.plan.window
    assert all(window.start <= x.first_seen <= window.end for x in result.lines)
    messages = [x.message for x in result.lines]
    # The throttling that began in the window outranks warnings seen all along (NOT_FOUND rejections).
    throttled = next(i for i, m in enumerate(messages) if "throttled on table memberships" in m)
    assert all(i > throttled for i, m in enumerate(messages) if "NOT_FOUND" in m)


def test_no_secret_reaches_the_store(engine, tmp_path: Path) -> None:
    secret_lines = [
        {
            "timestamp": "2024-03-12T14:00:00Z",
            "level": "ERROR",
            "message": "login failed for jane.doe@example.com "
            "with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXZhbHVl",
        },
        {
            "timestamp": "2024-03-12T14:00:01Z",
            "level": "WARN",
            "message": "charge declined card=4111 1111 1111 1111",
            "user_id": "bob@example.org",
            "aws_key": "AKIAIOSFODNN7EXAMPLE",
        },
    ]
    path = tmp_path / "secrets.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in secret_lines) + "\n", encoding="utf-8")
    _search(engine, "why did the login fail?", session="t5", logs=path)
    stored = engine.store.scan("t5")
    dump = "\n".join(r.model_dump_json() for r in stored)
    for secret in (
        "jane.doe@example.com",
        "eyJhbGciOiJIUzI1NiJ9",
        "4111 1111 1111 1111",
        "bob@example.org",
        "AKIAIOSFODNN7EXAMPLE",
    ):
        assert secret not in dump
    assert len(stored) == 2


def test_malformed_lines_are_reported_and_the_rest_is_stored(engine, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"timestamp": "2024-03-12T14:00:00Z", "message": "disk full on db-1", "level": "ERROR"}\n'
        "not json at all\n",
        encoding="utf-8",
    )
    result, _ = _search(engine, "disk full?", session="t6", logs=path)
    assert result.skipped == 1 and result.problems == [
        f"{path}:2: invalid JSON (Expecting value at column 1)"
    ]
    assert [x.message for x in result.lines] == ["disk full on db-1"]


class _FlakyLogstore:
    """A logstore that fails `fails` times before answering: what a flaky network looks like."""

    name = "flaky"

    def __init__(self, fails: int, sleep: float = 0.0) -> None:
        self.fails, self.sleep, self.calls = fails, sleep, 0

    def fetch(self, query: LogQuery) -> FetchResult:
        self.calls += 1
        time.sleep(self.sleep)
        if self.calls <= self.fails:
            raise ConnectorError("logstore answered 503")
        record = LogRecord(
            timestamp=datetime(2024, 1, 1, tzinfo=UTC), message="payment timeout", level="ERROR"
        )
        return FetchResult(records=[record])


def test_fetch_is_retried_then_reported_honestly(engine) -> None:
    flaky = _FlakyLogstore(fails=1)
    result, _ = _search(engine, "payment timeout?", session="t7", logstore=flaky)
    assert flaky.calls == 2 and [x.message for x in result.lines] == ["payment timeout"]

    down = _FlakyLogstore(fails=99)
    with pytest.raises(ConnectorError, match="failed after 3 attempts: logstore answered 503"):
        _search(engine, "payment timeout?", session="t7", logstore=down)
    assert down.calls == 3
    # What the thread already stored is still there.
    assert [r.message for r in engine.store.scan("t7")] == ["payment timeout"]


def test_a_slow_logstore_hits_the_workflow_timeout(settings, embedder) -> None:
    from sre_agent.engine import Engine

    engine = Engine(settings.model_copy(update={"workflow_timeout": 0.5}), embedder=embedder)
    with pytest.raises(ConnectorError, match="stopped after"):
        _search(engine, "anything?", session="t8", logstore=_FlakyLogstore(fails=0, sleep=1.5))


def test_unknown_service_and_empty_question_are_input_errors(engine) -> None:
    with pytest.raises(InputError, match="--service: no config named 'nope'"):
        _search(engine, "why?", session="t9", logs=THROTTLING / "logs.jsonl", service="nope")
    with pytest.raises(InputError, match="empty question"):
        _search(engine, "   ", session="t9")


def test_without_a_working_embedder_search_falls_back_to_full_text_with_a_warning(settings) -> None:
    from sre_agent.engine import Engine

    dead = settings.model_copy(
        update={"embed_backend": "openai", "embed_base_url": "http://127.0.0.1:9/v1", "embed_model": "x"}
    )
    engine = Engine(dead)
    result, _ = _search(
        engine,
        "are we being rate limited?",
        session="t10",
        logs=THROTTLING / "logs.jsonl",
        service="membership",
        now=NOW,
    )
    assert any("full text only" in w for w in result.warnings)
    assert any("ProvisionedThroughputExceededException" in x.message for x in result.lines)


def test_a_follow_ups_clock_time_is_read_on_the_day_the_thread_asked_about(engine, tmp_path) -> None:
    """ "and after 18:00?" in a thread about jul 26 means jul 26, not the day the logs end."""
    lines = []
    for day in (26, 27):
        for minute in range(0, 240, 5):
            ts = datetime(2016, 7, day, 16, 0, tzinfo=UTC) + timedelta(minutes=minute)
            lines.append({"timestamp": ts.isoformat(), "level": "INFO", "message": f"served page {minute}"})
        late = datetime(2016, 7, day, 18, 30, tzinfo=UTC).isoformat()
        lines.append(
            {"timestamp": late, "level": "ERROR", "message": f"gateway refused connection on day {day}"}
        )
    logs = tmp_path / "proxy.jsonl"
    logs.write_text("".join(json.dumps(r) + "\n" for r in sorted(lines, key=lambda r: r["timestamp"])))
    now = datetime(2016, 7, 27, 20, 0, tzinfo=UTC)
    _search(engine, "what went wrong between 17:00 and 18:00 on jul 26?", session="day", logs=logs, now=now)
    follow_up, _ = _search(engine, "and anything wrong after 18:00?", session="day", logs=logs, now=now)
    assert follow_up.plan.window is not None
    assert follow_up.plan.window.start == datetime(2016, 7, 26, 18, 0, tzinfo=UTC)
    assert follow_up.plan.window.end == datetime(2016, 7, 27, 0, 0, tzinfo=UTC)
    assert any("the day this thread was about" in note for note in follow_up.plan.notes)
    messages = [x.message for x in follow_up.lines]
    assert "gateway refused connection on day 26" in messages
    assert "gateway refused connection on day 27" not in messages
    # a new thread reads the same clock time on the day the logs end
    fresh, _ = _search(engine, "and anything wrong after 18:00?", session="fresh", logs=logs, now=now)
    assert fresh.plan.window is not None and fresh.plan.window.start.day == 27


def test_after_overnight_on_a_day_the_thread_is_about_that_day(engine, tmp_path) -> None:
    """ "fired overnight on feb 14" reads feb 13 20:00 → feb 14 08:00; "earlier that night,
    between 00:30 and 02:30?" then means feb 14, the day named, not the 13th the window began on."""
    stamps = [datetime(2024, 2, 13, 0, 0, tzinfo=UTC) + timedelta(minutes=20 * i) for i in range(2 * 72)]
    lines = [
        {"timestamp": t.isoformat(), "level": "INFO", "message": f"checkpoint {i}"}
        for i, t in enumerate(stamps)
    ]
    lines.append({"timestamp": "2024-02-14T03:17:41+00:00", "level": "ERROR", "message": "deadlock detected"})
    logs = tmp_path / "pg.jsonl"
    logs.write_text("".join(json.dumps(r) + "\n" for r in sorted(lines, key=lambda r: r["timestamp"])))
    now = datetime(2024, 2, 15, 0, 0, tzinfo=UTC)
    first, _ = _search(
        engine, "'deadlock detected' fired overnight on feb 14: which rows?", session="n", logs=logs, now=now
    )
    assert first.plan.window is not None
    assert (first.plan.window.start, first.plan.window.end) == (
        datetime(2024, 2, 13, 20, 0, tzinfo=UTC),
        datetime(2024, 2, 14, 8, 0, tzinfo=UTC),
    )
    assert first.lines[0].message == "deadlock detected"
    # "today" in a thread about feb 14 is feb 14 (asked at midnight after it, or in a replay whose
    # clock is the end of the logs), said as such; it does not move the thread's day
    today, _ = _search(engine, "nobody deployed anything today, right?", session="n", logs=logs, now=now)
    assert today.plan.window is not None and today.plan.window.start == datetime(2024, 2, 14, tzinfo=UTC)
    assert "today read as 2024-02-14, by the days this thread is about" in today.plan.notes[-1]
    follow_up, _ = _search(
        engine,
        "earlier that night, anything else off between 00:30 and 02:30?",
        session="n",
        logs=logs,
        now=now,
    )
    assert follow_up.plan.window is not None and follow_up.plan.broad
    assert follow_up.plan.window.start == datetime(2024, 2, 14, 0, 30, tzinfo=UTC)


def test_a_thread_that_said_yesterday_reads_its_today_as_the_day_after(engine, tmp_path) -> None:
    """'started yesterday … on jul 10' is asked on jul 11: that thread's 'around 11:20 today' is
    jul 11, though its day (for clock times alone) stays jul 10; a thread that said nothing of the
    kind reads 'today' as its own day (the replay's clock is the end of the logs, the day after)."""
    stamps = [datetime(2017, 7, 10, 8, 0, tzinfo=UTC) + timedelta(minutes=15 * i) for i in range(4 * 28)]
    lines = [
        {"timestamp": t.isoformat(), "level": "INFO", "message": f"poll {i}"} for i, t in enumerate(stamps)
    ]
    logs = tmp_path / "wifi.jsonl"
    logs.write_text("".join(json.dumps(r) + "\n" for r in lines))
    now = datetime(2017, 7, 11, 12, 0, tzinfo=UTC)
    _search(
        engine,
        "wifi dies since yesterday. what went wrong between 14:35 and 14:45 on jul 10?",
        session="y",
        logs=logs,
        now=now,
    )
    later, _ = _search(
        engine, "IT re-pushed the profile around 11:20 today, anything since?", session="y", now=now
    )
    assert later.plan.window is not None and later.plan.window.start == datetime(
        2017, 7, 11, 10, 50, tzinfo=UTC
    )
    clock, _ = _search(engine, "and after 18:00?", session="y", now=now)
    assert clock.plan.window is not None and clock.plan.window.start == datetime(2017, 7, 10, 18, tzinfo=UTC)
    _search(engine, "what went wrong between 14:35 and 14:45 on jul 10?", session="z", logs=logs, now=now)
    same, _ = _search(engine, "how many polls today?", session="z", now=now)
    assert same.plan.window is not None and same.plan.window.start == datetime(2017, 7, 10, tzinfo=UTC)

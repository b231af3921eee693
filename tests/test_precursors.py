"""Follow-ups about what came before the trouble ("already … before it died?", "in the hours before
that", "since when") are searched in the week before the thread's window, say so, and show each
kind of line from its first (`workflows/precursors.py`). A real engine: JSONL file, LanceDB in a
temp folder, the real model, the thread's memory between questions; `earliest_first` on its own."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sre_agent.answer import render_answer
from sre_agent.engine import Engine
from sre_agent.indexes import Hit
from sre_agent.models import TimeWindow
from sre_agent.workflows.precursors import (
    MAX_TROUBLE,
    TROUBLE_KEY,
    asks_since_when,
    earliest_first,
    first_different,
    pointed_window,
    remembered_trouble,
    trouble_shapes,
)
from sre_agent.workflows.referents import WINDOW_KEY
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.results import PatternStats, ResultLine, SearchResult

T0 = datetime(2024, 5, 21, 6, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=1, hours=6)


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("was it already flaky before it started bouncing? since when", True),
        ("going back further, when did the sidecars first lose touch with the control plane?", True),
        ("what was the earliest sign of it?", True),
        ("was that the first time it showed?", True),
        ("the first task that died there was TID 56. what killed it?", False),  # which one, not when
        ("when did the timeouts start?", True),
        ("when did those errors begin on cache-2?", True),
        ("when did it come back?", False),
        ("which pods threw them?", False),
    ],
)
def test_which_questions_ask_when_something_began(question: str, asks: bool) -> None:
    assert asks_since_when(question) is asks


def _hit(shape: str, minute: int, message: str) -> Hit:
    at = T0 + timedelta(minutes=minute)
    return Hit(
        id=message,
        table="logs_all_prod",
        timestamp=at,
        message=message,
        shape=shape,
        shape_hash=shape,
        msg_hash=message,
        level_rank=2,
        score=1.0,
        via="both",
    )


def test_earliest_first_puts_each_shapes_oldest_lines_in_that_shapes_places() -> None:
    hits = [
        _hit("a", 30, "a30"),
        _hit("b", 50, "b50"),
        _hit("a", 10, "a10"),
        _hit("b", 5, "b5"),
        _hit("a", 20, "a20"),
    ]
    assert [hit.message for hit in earliest_first(hits)] == ["a10", "b5", "a20", "b50", "a30"]
    assert earliest_first([]) == []


def _row(minute: int, message: str, level: str = "INFO", host: str = "api-1") -> dict:
    return {
        "timestamp": (T0 + timedelta(minutes=minute)).isoformat(),
        "level": level,
        "host": host,
        "msg": message,
    }


def _log(path: Path) -> Path:
    """A day of routine lines; from 10:52 an error about a bad uuid repeats every 40 minutes; at
    00:30 the next night the database gives out (the trouble the thread asks about)."""
    rows = [_row(m, f"GET /v1/invoices/{m} 200 in {m % 40 + 5} ms") for m in range(0, 1200, 7)]
    rows += [
        _row(m, 'invalid input syntax for type uuid: "undefined"', "ERROR") for m in range(292, 1100, 40)
    ]
    rows += [_row(m, f"exchange rates refreshed ({m % 9} currencies)") for m in range(0, 1200, 60)]
    rows += [
        _row(1110 + m, "remaining connection slots are reserved for superuser", "FATAL") for m in range(5)
    ]
    rows += [_row(1112, "could not serve /v1/invoices: connection pool exhausted", "ERROR")]
    rows.sort(key=lambda r: r["timestamp"])
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _search(engine: Engine, question: str, logs: Path) -> SearchResult:
    return asyncio.run(engine.search(question, session="inv", logs=logs, now=NOW))


def test_the_hours_before_that_are_searched_before_the_threads_window_and_the_answer_says_so(
    engine, tmp_path
) -> None:
    logs = _log(tmp_path / "api.jsonl")
    first = _search(engine, "what went wrong between 00:25 and 00:40 utc on the 22nd?", logs)
    assert first.plan.window is not None
    assert {line.message for line in first.lines} >= {"remaining connection slots are reserved for superuser"}
    window = engine.thread_context("inv")[WINDOW_KEY]

    before = _search(engine, "anything erroring over and over in the hours before that?", logs)
    assert before.plan.window is not None
    assert before.plan.window.end == first.plan.window.start
    assert before.plan.window.start == first.plan.window.start - timedelta(days=7)
    assert before.plan.before_then
    assert before.plan.window_referent == (
        "'in the hours before': the week before the time asked about earlier in this thread"
    )
    assert before.plan.notes == [
        "'in the hours before' read as the week before 2024-05-22 00:25 UTC, where the time asked about "
        "earlier in this thread begins"
    ]
    assert f"({before.plan.window_referent})" in render_answer(before).split("\n")[0]
    assert before.lines[0].message == 'invalid input syntax for type uuid: "undefined"'
    assert before.lines[0].count == 21
    assert all(line.last_seen <= first.plan.window.start for line in before.lines)
    # the week before is not the thread's window: a second look back starts from the same trouble
    assert engine.thread_context("inv")[WINDOW_KEY] == window
    again = _search(engine, "going back further, when did the uuid errors first show?", logs)
    assert again.plan.window == before.plan.window
    # without pointing back, the question is about all of the stored time
    anywhere = _search(engine, "anything erroring over and over?", logs)
    assert anywhere.plan.window is None
    assert "remaining connection slots are reserved for superuser" in {
        line.message for line in anywhere.lines
    }


def test_since_when_shows_a_kind_of_line_from_its_first(engine, tmp_path) -> None:
    rows = [_row(m, f"GET /v1/invoices/{m} 200 in {m % 40 + 5} ms") for m in range(0, 600, 7)]
    rows += [
        _row(m, f"upstream [{m}] terminated with unexpected error: EOF", "WARN") for m in range(100, 600, 20)
    ]
    rows.sort(key=lambda r: r["timestamp"])
    logs = tmp_path / "mesh.jsonl"
    logs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    first = _search(engine, "when did the upstream terminated errors first show?", logs)
    warned = [line.message for line in first.lines if "upstream" in line.message]
    assert warned[:3] == [f"upstream [{m}] terminated with unexpected error: EOF" for m in (100, 120, 140)]


def _line(
    message: str, level: str | None, shape: str | None = None, count: int = 1, service: str | None = None
) -> ResultLine:
    at = T0
    return ResultLine(
        message=message,
        level=level,
        first_seen=at,
        last_seen=at,
        shape=shape or message,
        count=count,
        service=service,
    )


def test_the_trouble_an_answer_showed_is_its_errors_or_lines_that_say_something_failed() -> None:
    lines = [
        _line("GET / 200", "INFO"),
        _line("CSR retrial timed out: <*>", "ERROR"),
        _line("slow query <*> ms", "WARN"),  # a warning without words of failure is too often routine
        _line("out of memory: killed <*>", "FATAL"),
        _line("CSR retrial timed out: <*>", "ERROR"),  # one shape once
        _line("debug tick", "DEBUG"),
        _line("sync failed for <*>", None),  # no level: its words
        _line("sync done for <*>", None),
        _line("", "ERROR", shape=""),  # no shape: nothing to look for
        _line("request handled for <*>", "ERROR"),  # the level says it, whatever the words
        # and the words, whatever the level, from a service with no error among the lines (a
        # source whose levels say nothing); a service with errors has routine warnings
        _line("status=deferred (Host not found)", "INFO", service="postfix/smtp"),
        _line("retry failed for <*>", "INFO"),
        _line("transport failed, retrying", "WARN", service="api"),
        _line("GetOrder failed", "ERROR", service="api"),
    ]
    assert trouble_shapes(lines) == [
        "CSR retrial timed out: <*>",
        "out of memory: killed <*>",
        "sync failed for <*>",
        "request handled for <*>",
        "status=deferred (Host not found)",
        "GetOrder failed",
    ]
    many = [_line(f"error {n} <*>", "ERROR") for n in range(MAX_TROUBLE + 2)]
    assert trouble_shapes(many) == [f"error {n} <*>" for n in range(MAX_TROUBLE)]
    # the patterns with most lines first: the trouble is what failed most, not a one-off beside it
    counted = [
        _line("map error", "ERROR", service="rspamd"),
        _line("deferred: not found", "INFO", count=40, service="smtp"),
        _line("x failed", "WARN", count=3, service="cleanup"),
    ]
    assert trouble_shapes(counted) == ["deferred: not found", "x failed", "map error"]
    # a pattern's count in the searched scope, when known, over the line's own count
    counted[0].pattern = PatternStats(count=90, first_seen=T0, last_seen=T0)
    assert trouble_shapes(counted)[0] == "map error"


def test_in_that_same_run_is_the_threads_window_and_before_that_the_week_before_it() -> None:
    window = TimeWindow(start=T0, end=T0 + timedelta(hours=1))
    memory = {WINDOW_KEY: f"{window.start.isoformat()}/{window.end.isoformat()}"}
    same = pointed_window("in that same run, did it retry?", memory)
    assert same is not None and (same.window, same.before) == (window, False)
    assert same.referent == "'in that same run': the time asked about earlier in this thread"
    before = pointed_window("anything odd in the hours before that?", memory)
    assert before is not None and before.before
    assert before.window == TimeWindow(start=T0 - timedelta(days=7), end=T0)
    assert pointed_window("did it retry?", memory) is None


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("anything change right before that?", "right before that"),
        ("did someone deploy just before it?", "just before it"),
        ("was a setting tweaked shortly beforehand?", "shortly beforehand"),
        ("Immediately before this, any rollout?", "Immediately before this"),
    ],
)
def test_right_before_that_is_the_threads_window_and_the_hour_before_it(question: str, said: str) -> None:
    """The change that set the trouble off is often inside the time asked about, minutes before the
    errors: "right before that" reads that time and the hour before it, not the week before."""
    window = TimeWindow(start=T0, end=T0 + timedelta(minutes=40))
    memory = {WINDOW_KEY: f"{window.start.isoformat()}/{window.end.isoformat()}"}
    pointed = pointed_window(question, memory)
    assert pointed is not None and not pointed.before
    assert pointed.window == TimeWindow(start=T0 - timedelta(hours=1), end=T0 + timedelta(minutes=40))
    assert pointed.referent == f"'{said}': the time asked about earlier in this thread and the hour before it"
    assert pointed.note.startswith(f"'{said}' read as {T0 - timedelta(hours=1):%Y-%m-%d %H:%M} .. ")
    assert pointed_window(question, {}) is None  # no window in the thread: nothing to point at
    week = pointed_window("anything change before that?", memory)  # not "right before": the week
    assert week is not None and week.before


def test_first_different_counts_a_repeated_line_once() -> None:
    hits = [_hit("a", 1, "x"), _hit("a", 2, "x"), _hit("b", 3, "y"), _hit("c", 4, "z"), _hit("a", 5, "x")]
    assert [h.message for h in first_different(hits, 2)] == ["x", "x", "y"]
    assert [h.message for h in first_different(hits, 3)] == ["x", "x", "y", "z", "x"]
    assert first_different(hits, 0) == []
    assert first_different([], 2) == []


def test_a_threads_remembered_trouble_is_read_back_and_damage_reads_as_none() -> None:
    assert remembered_trouble({TROUBLE_KEY: json.dumps(["a <*>", "b"])}) == ["a <*>", "b"]
    assert remembered_trouble({}) == []
    assert remembered_trouble(None) == []
    assert remembered_trouble({TROUBLE_KEY: "not json"}) == []
    assert remembered_trouble({TROUBLE_KEY: json.dumps({"a": 1})}) == []
    assert remembered_trouble({TROUBLE_KEY: json.dumps(["a", 3])}) == ["a"]


def test_since_when_finds_the_trouble_the_thread_found_earlier_oldest_first(engine, tmp_path) -> None:
    """The certificate of a pod stops being renewed at 16:50; every two hours after, the same error;
    at 08:45 the next morning its requests fail. The follow-up names neither the error nor the pod."""
    rows = [_row(m, f"GET /v1/stock/{m} 200 in {m % 40 + 5} ms") for m in range(0, 1700, 9)]
    csr = "request:{} CSR retrial timed out: rpc error: code = Unavailable"
    rows += [
        _row(m, csr.format(f"{m:08x}-eee9-40cf-bb84-225c6a6f2796"), "ERROR", "stock-7")
        for m in [*range(650, 1600, 130), 1610]
    ]
    rows += [_row(1605 + m, "GET /v1/stock 503 UF upstream reset", "ERROR") for m in range(0, 20, 2)]
    rows.sort(key=lambda r: r["timestamp"])
    logs = tmp_path / "mesh.jsonl"
    logs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    first = _search(engine, "what went wrong in the mesh between 08:45 and 09:05 utc on may 22?", logs)
    assert csr.format(f"{1610:08x}-eee9-40cf-bb84-225c6a6f2796") in [line.message for line in first.lines]
    shapes = json.loads(engine.thread_context("inv")[TROUBLE_KEY])
    csr_shape = next(line.shape for line in first.lines if "CSR" in line.message)
    assert csr_shape in shapes and "eee9" not in csr_shape  # the shape: the request id masked
    question = "had that pod been trying and not managing to get its identity re-signed? since when"
    before = _search(engine, question, logs)
    assert before.plan.before_then and before.plan.trouble_shapes == shapes
    earlier = [line.message for line in before.lines if "CSR" in line.message]
    assert earlier[:5] == [
        csr.format(f"{m:08x}-eee9-40cf-bb84-225c6a6f2796") for m in (650, 780, 910, 1040, 1170)
    ]


def test_warnings_earlier_today_before_it_started_read_the_day_up_to_the_trouble(engine, tmp_path) -> None:
    """From 06:00 the tombstone warnings of one table climb; at 16:00 its reads abort (the trouble);
    a memtable's flush reports grow all day too, and a nightly repair failed at 01:00. The
    follow-up asks for "warnings earlier today, before it started": the day up to the trouble, the
    reports that climbed toward it first; its own window does not replace the thread's trouble."""
    day = datetime(2024, 5, 22, tzinfo=UTC)
    at = lambda minute: (day + timedelta(minutes=minute)).isoformat()  # noqa: E731
    rows = [{"timestamp": at(60), "level": "ERROR", "msg": "Repair 41 failed: Too many open files"}]
    rows += [{"timestamp": at(m), "msg": f"GET /v1/prices/{m} 200"} for m in range(0, 1140, 11)]
    rows += [
        {
            "timestamp": at(m),
            "level": "WARN",
            "msg": f"Read 1187 live rows and {m * 3} tombstone cells on promos",
        }
        for m in range(360, 960, 60)
    ]
    rows += [
        {"timestamp": at(m), "msg": f"Enqueuing flush of carts, usage {m // 10} MiB"}
        for m in range(0, 960, 90)
    ]
    rows += [
        {"timestamp": at(m), "level": "ERROR", "msg": f"Scanned over 100001 tombstones on promos (read {m})"}
        for m in range(960, 1000, 5)
    ]
    rows.sort(key=lambda r: r["timestamp"])
    logs = tmp_path / "db.jsonl"
    logs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    def ask(question: str) -> SearchResult:
        return asyncio.run(engine.search(question, session="tomb", logs=logs, now=day + timedelta(hours=19)))

    ask("reads failing on the promos table, what went wrong between 16:00 and 16:30 utc on may 22?")
    trouble = json.loads(engine.thread_context("tomb")[TROUBLE_KEY])
    assert any("Scanned over" in shape for shape in trouble)
    earlier = ask("since when has that been building up? any warnings earlier today before it started?")
    assert earlier.plan.window == TimeWindow(start=day, end=day + timedelta(hours=16))
    assert earlier.plan.before_then
    assert earlier.plan.notes[-1] == (
        "'since when': up to 2024-05-22 16:00 UTC, where the time asked about earlier in this thread begins"
    )
    top = [line.message for line in earlier.lines[:10]]
    # the reports that climbed toward the trouble, not the memtable's: they share its words
    assert sum("tombstone cells" in message for message in top) >= 7
    assert not any("Enqueuing flush" in message for message in top)
    assert all(line.last_seen <= day + timedelta(hours=16) for line in earlier.lines)
    assert json.loads(engine.thread_context("tomb")[TROUBLE_KEY]) == trouble  # still the thread's trouble


def test_before_that_earlier_today_is_the_threads_day_when_today_is_a_later_day() -> None:
    """A replay's "now" (or a thread picked up next morning) is a day after the trouble: "what
    changed before that? anything rolled out earlier today" is about the trouble's day, up to it."""
    trouble = TimeWindow(
        start=datetime(2024, 6, 11, 13, 55, tzinfo=UTC), end=datetime(2024, 6, 11, 14, tzinfo=UTC)
    )
    memory = {WINDOW_KEY: f"{trouble.start.isoformat()}/{trouble.end.isoformat()}"}
    now = datetime(2024, 6, 12, 7, 30, tzinfo=UTC)
    plan = RuleRefiner().refine(
        "what changed before that? was anything rolled out earlier today", now=now, thread=memory
    )
    assert plan.window == TimeWindow(start=datetime(2024, 6, 11, tzinfo=UTC), end=trouble.start)
    assert plan.before_then
    assert plan.notes[-1] == (
        "'before that' before 'today': read as the day the thread is about, 2024-06-11 00:00 .. "
        "2024-06-11 13:55 UTC, up to the time it asked about"
    )


def test_before_it_with_a_time_of_its_own_points_back_unless_the_question_says_it_is_unrelated() -> None:
    trouble = TimeWindow(
        start=datetime(2024, 7, 9, 14, 5, tzinfo=UTC), end=datetime(2024, 7, 9, 14, 9, tzinfo=UTC)
    )
    memory = {WINDOW_KEY: f"{trouble.start.isoformat()}/{trouble.end.isoformat()}"}
    now = datetime(2024, 7, 10, 7, tzinfo=UTC)
    # "before it filled up … this morning": the trouble's morning, up to it (no "already" needed)
    plan = RuleRefiner().refine(
        "ok so what changed before it filled up? did anyone roll out something this morning",
        now=now,
        thread=memory,
    )
    assert plan.window == TimeWindow(start=datetime(2024, 7, 9, tzinfo=UTC), end=trouble.start)
    said = "'before it' before 'this morning': read as the day the thread is about"
    assert plan.notes[-1].startswith(said)
    # "since when" asks when, not what came before; "unrelated:" is about something else
    for question in (
        "cert-manager fails since last night. since when and how often?",
        "unrelated: the webhook failed before the renewals last night, why?",
    ):
        plan = RuleRefiner().refine(question, now=now, thread=memory)
        assert plan.window is not None and plan.window.start == datetime(2024, 7, 9, 18, tzinfo=UTC), question
        assert not plan.before_then

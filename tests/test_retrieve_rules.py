"""The retrieve step's rules, exactly, on a small real LanceDB (a handful of rows) with the real model.

Each test builds the rows it needs through the clean step (so ids, shapes and redaction are the
real ones), asks through the rule refiner and the retriever, and asserts what an engineer would
see: which lines come first, which are left out, and what the result says it relaxed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from llama_index.core.base.embeddings.base import BaseEmbedding

from sre_agent.answer import render_answer
from sre_agent.clean import clean_records
from sre_agent.indexes import LogIndex, SearchFilters, table_name
from sre_agent.indexes.filters import in_clause
from sre_agent.indexes.rows import fts_text
from sre_agent.models import LogRecord, normalize_level
from sre_agent.shapes import message_shape, sounds_like_trouble
from sre_agent.workflows.constraints import identifier_clause
from sre_agent.workflows.log_search import log_clock
from sre_agent.workflows.origins import named_origin_ids
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.results import SearchResult, relaxed_sentences
from sre_agent.workflows.retrieve import Retriever
from sre_agent.workflows.windows import absent

SESSION = "rules"
TABLE = table_name("logs", "all", "prod")
BASE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NOW = BASE + timedelta(hours=3)


def _rows(*lines: tuple[int, str] | tuple[int, str, dict]) -> list[LogRecord]:
    """(minute, message[, fields]) → records at BASE + minute, line numbers in order."""
    out = []
    for n, item in enumerate(lines, 1):
        minute, message = item[0], item[1]
        extra = dict(item[2]) if len(item) > 2 else {}  # type: ignore[misc]
        level = extra.pop("level", "INFO")
        env = extra.pop("env", None)
        host = extra.pop("host", None)
        out.append(
            LogRecord(
                timestamp=BASE + timedelta(minutes=minute),
                message=message,
                level=level,
                env=env,
                host=host,
                fields=extra,
                source="t.jsonl",
                line=n,
            )
        )
    return out


def _store(tmp_path: Path, embedder: BaseEmbedding, records: list[LogRecord]) -> LogIndex:
    store = LogIndex(str(tmp_path / "lance"), embedder)
    store.ingest(SESSION, TABLE, clean_records(records, None).records)
    return store


def _ask(store: LogIndex, question: str, k: int = 10, **refine) -> tuple[list[str], list[str]]:
    plan = RuleRefiner().refine(question, now=NOW, **refine)
    lines, relaxed = Retriever(store).retrieve(SESSION, plan, k=k)
    return [line.message for line in lines], relaxed


FILLER = [(m, f"GET /v1/items/{m} 200 in {m + 3}ms") for m in range(40, 60)]


def test_a_quoted_phrase_ranks_first_and_the_rest_of_k_is_filled(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        _rows(
            (1, "payments-7: disk usage at 91% on /data"),
            (2, "payments-7: disk usage at 97% on /data"),
            (3, "payments-7: write failed: disk quota exceeded", {"level": "ERROR"}),
            (4, "payments-7: compaction wrote 12 GB to /data"),
            *FILLER,
        ),
    )
    found, relaxed = _ask(
        store, "payments-7 logged 'disk quota exceeded': was anything filling up before that?"
    )
    assert found[0] == "payments-7: write failed: disk quota exceeded"
    assert len(found) == 10  # the phrase did not truncate the answer to its one line
    assert {"payments-7: disk usage at 91% on /data", "payments-7: disk usage at 97% on /data"} <= set(
        found[:5]
    )
    assert relaxed == []


def test_a_quoted_phrase_with_numbers_also_finds_its_shape_after_its_exact_lines(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        _rows(
            (1, "connection pool exhausted (used 48/50)"),
            (2, "connection pool exhausted (used 49/50)"),
            (3, "connection pool exhausted (used 50/50)"),
            (4, "pool size set to 50"),
            *FILLER,
        ),
    )
    found, _ = _ask(store, "why did we see 'connection pool exhausted (used 50/50)'?")
    assert found[0] == "connection pool exhausted (used 50/50)"
    assert set(found[1:3]) == {
        "connection pool exhausted (used 48/50)",
        "connection pool exhausted (used 49/50)",
    }


def test_an_identifier_no_line_holds_is_named(tmp_path, embedder) -> None:
    store = _store(tmp_path, embedder, _rows((1, "GetUser failed for 10.0.0.7"), *FILLER))
    found, relaxed = _ask(store, "what did 10.9.9.9 do?")
    assert found  # still an answer from the question's words
    assert relaxed == ["'10.9.9.9' (no stored line holds it)"]


def test_an_ip_is_also_found_written_with_dashes(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        _rows((1, "resolved ip-10-0-0-7.ec2.internal"), (2, "resolved ip-10-0-0-8.ec2.internal"), *FILLER),
    )
    found, _ = _ask(store, "what about 10.0.0.7?")
    assert found[0] == "resolved ip-10-0-0-7.ec2.internal"


def test_an_identifier_is_a_whole_token_not_the_start_of_a_longer_one(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        _rows(
            (1, "Receiving block blk_-1237 src: /10.0.0.10:5001"),
            (2, "Deleting block blk_-123."),
            (3, "PacketResponder for block blk_-12 terminating"),
            (4, "Served block blk_-123 to /10.0.0.1:5001"),
            (5, "Receiving block blk_-9123 src: /110.0.0.1:5001"),
            *FILLER,
        ),
    )
    found, relaxed = _ask(store, "what happened to blk_-123?", k=3)
    assert sorted(found[:2]) == ["Deleting block blk_-123.", "Served block blk_-123 to /10.0.0.1:5001"]
    assert relaxed == []
    found, _ = _ask(store, "who talked to 10.0.0.1?", k=1)
    assert found == ["Served block blk_-123 to /10.0.0.1:5001"]
    found, relaxed = _ask(store, "what about blk_-1?")
    assert relaxed == ["'blk_-1' (no stored line holds it)"]


def test_a_number_in_the_question_puts_its_lines_first(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        _rows(
            (1, "connect to db.internal:5432 failed: connection refused", {"level": "ERROR"}),
            (2, "connect to db.internal:5433 failed: connection refused", {"level": "ERROR"}),
            (3, "connect to db.internal:5434 failed: connection refused", {"level": "ERROR"}),
            *FILLER,
        ),
    )
    found, _ = _ask(store, "what failed on port 5433?")
    assert found[0] == "connect to db.internal:5433 failed: connection refused"


def test_a_number_held_in_a_field_counts_too(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        _rows(
            (1, "acquire wakelock lock=1", {"pid": 7111}),
            (2, "acquire wakelock lock=2", {"pid": 2626}),
            (3, "release wakelock lock=1", {"pid": 7111}),
            (4, "release wakelock lock=2", {"pid": 2626}),
            *FILLER,
        ),
    )
    found, _ = _ask(store, "what did pid 7111 log?", k=4)
    assert set(found[:2]) == {"acquire wakelock lock=1", "release wakelock lock=1"}


def test_a_lone_common_number_is_not_an_anchor(tmp_path, embedder) -> None:
    """'port 22' is on every line: it says nothing about which line is meant."""
    rows = [(m, f"session {m} opened on port 22") for m in range(120)]
    store = _store(
        tmp_path, embedder, _rows(*rows, (130, "Did not receive identification string from 5.188.10.180"))
    )
    plan = RuleRefiner().refine("who connected to port 22 and sent no identification?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=3)
    assert lines[0].message == "Did not receive identification string from 5.188.10.180"


def test_an_environment_nobody_logged_is_relaxed_and_said(tmp_path, embedder) -> None:
    store = _store(
        tmp_path, embedder, _rows((1, "GetUser failed: timeout", {"env": "staging", "level": "ERROR"}))
    )
    found, relaxed = _ask(store, "why is GetUser failing in prod?")
    assert found == ["GetUser failed: timeout"]
    assert relaxed == ["env=prod"]


def test_a_level_the_question_asks_for_is_relaxed_when_no_line_has_it(tmp_path, embedder) -> None:
    store = _store(tmp_path, embedder, _rows((1, "cache warmed"), (2, "cache evicted 40 keys")))
    found, relaxed = _ask(store, "show me every warning about the cache")
    assert set(found) == {"cache warmed", "cache evicted 40 keys"}
    assert relaxed == ["level>=WARN"]


def test_a_range_across_midnight_reads_the_other_night_when_the_first_is_empty(tmp_path, embedder) -> None:
    night = datetime(2026, 2, 28, 23, 59, 30, tzinfo=UTC)
    records = [
        LogRecord(timestamp=night, message="day changed, counter reset", line=1),
        LogRecord(timestamp=night + timedelta(hours=2), message="sync ok", line=2),
    ]
    store = LogIndex(str(tmp_path / "lance"), embedder)
    store.ingest(SESSION, TABLE, clean_records(records, None).records)
    plan = RuleRefiner().refine("what happened on mar 1 between 23:59 and 00:01?", now=NOW)
    lines, relaxed = Retriever(store).retrieve(SESSION, plan, k=5)
    assert [line.message for line in lines] == ["day changed, counter reset"]
    assert plan.read_notes == [
        "no stored line in 2026-03-01 23:59 → 2026-03-02 00:01 UTC, so I read the time as "
        "2026-02-28 23:59 → 2026-03-01 00:01 UTC"
    ]
    assert relaxed == ["level>=WARN"]  # "what happened" asks for trouble first; none is a warning
    # the answer says the other night with what it searched; only the level was dropped
    said = render_answer(SearchResult(question="q", session=SESSION, plan=plan, lines=lines, relaxed=relaxed))
    assert (
        "; no stored line in 2026-03-01 23:59 → 2026-03-02 00:01 UTC, so I read the time as "
        "2026-02-28 23:59 → 2026-03-01 00:01 UTC.\n"
    ) in said
    assert "_Nothing matched every filter, so I dropped: level>=WARN._" in said


def test_the_other_night_is_said_in_the_clock_the_logs_were_written_in(tmp_path, embedder) -> None:
    # Written at 23:59:30+08:00 (15:59:30 UTC): the engineer reads and asks in that clock.
    night = datetime.fromisoformat("2026-03-01T23:59:30+08:00")
    records = [LogRecord(timestamp=night, message="day changed, counter reset", line=1)]
    store = LogIndex(str(tmp_path / "lance"), embedder)
    store.ingest(SESSION, TABLE, clean_records(records, None).records)
    plan = RuleRefiner().refine("what happened on mar 2 between 23:59 and 00:01?", now=NOW, utc_offset=480)
    lines, relaxed = Retriever(store).retrieve(SESSION, plan, k=5)
    assert [line.message for line in lines] == ["day changed, counter reset"]
    assert relaxed == ["level>=WARN"]
    assert plan.read_notes[0] == (
        "no stored line in 2026-03-02 23:59 → 2026-03-03 00:01 (+08:00), so I read the time as "
        "2026-03-01 23:59 → 2026-03-02 00:01 (+08:00)"
    )


def test_clock_times_are_read_in_the_logs_own_offset() -> None:
    plan = RuleRefiner().refine("what went wrong between 22:00 and 23:00?", now=NOW, utc_offset=480)
    assert plan.window is not None
    assert (plan.window.start, plan.window.end) == (
        datetime(2026, 3, 1, 14, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 15, 0, tzinfo=UTC),
    )
    assert "read in the logs' clock, UTC+08:00" in plan.notes[0]


def test_the_logs_clock_is_the_offset_most_lines_were_written_in() -> None:
    records = [
        LogRecord.model_validate({"timestamp": "2017-12-23T22:00:00+08:00", "message": "a"}),
        LogRecord.model_validate({"timestamp": "2017-12-23T22:00:01+08:00", "message": "b"}),
        LogRecord.model_validate({"timestamp": "2017-12-23T14:00:02Z", "message": "c"}),
        LogRecord.model_validate({"timestamp": "2017-12-23T14:00:03", "message": "d"}),
    ]
    assert [r.utc_offset for r in records] == [480, 480, 0, None]
    assert records[0].timestamp == datetime(2017, 12, 23, 14, 0, tzinfo=UTC)
    assert log_clock(records) == 480
    assert log_clock(records[2:]) == 0
    assert log_clock(records[3:]) is None


def test_numbers_are_never_dropped_from_the_search() -> None:
    plan = RuleRefiner().refine("is customer 8812 affected since 14:05 on mar 1?", now=NOW)
    assert "8812" in plan.query_text.split() and "14:05" not in plan.query_text
    assert plan.terms == ["customer 8812", "8812"]
    as_filter = RuleRefiner().refine("why is GetMembership failing for user 123 in prod?", now=NOW)
    assert as_filter.field_filters == {"user_id": "123"} and "123" in as_filter.query_text.split()
    assert RuleRefiner().refine("what failed on port 5433?", now=NOW).terms == ["port 5433", "5433"]
    assert RuleRefiner().refine("what happened in session 11152_142416105?", now=NOW).terms == [
        "11152_142416105"
    ]
    only_id = RuleRefiner().refine("0x14f05578bf60002", now=NOW)
    assert only_id.identifiers == ["0x14f05578bf60002"] and "0x14f05578bf60002" in only_id.query_text


def test_broad_words_with_an_id_the_logs_hold_ask_about_that_id(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        _rows(
            (1, "qa.sockets.example.com:443 close, 0 bytes sent"),
            (2, "disk almost full", {"level": "WARN"}),
            *FILLER,
        ),
    )
    about_id, _ = _ask(store, "what happened with qa.sockets.example.com?", k=3)
    assert about_id[0] == "qa.sockets.example.com:443 close, 0 bytes sent"
    # An id-like word no stored line holds ("win7") leaves the question broad: trouble first.
    broad, _ = _ask(store, "the win7 box misbehaved. what went wrong?", k=3)
    assert broad[0] == "disk almost full"
    # With a time window named, the question is about the window, whatever ids it mentions.
    window, _ = _ask(
        store, "qa.sockets.example.com was slow. what went wrong between 12:00 and 12:05 on mar 1?", k=3
    )
    assert window[0] == "disk almost full"


def test_which_questions_are_broad() -> None:
    assert RuleRefiner().refine("what went wrong between 14:00 and 14:20?", now=NOW).broad
    assert RuleRefiner().refine("what was android complaining about between 16:15 and 16:16?", now=NOW).broad
    assert RuleRefiner().refine("what did the step service do between 23:59 and 00:01?", now=NOW).broad
    assert not RuleRefiner().refine("what did the step service do?", now=NOW).broad
    assert not RuleRefiner().refine("what happened to 10.0.0.7?", now=NOW).broad
    assert (
        RuleRefiner()
        .refine("and earlier that night, anything else off between 00:30 and 02:30?", now=NOW)
        .broad
    )
    assert RuleRefiner().refine("something amiss on web02 between 14:00 and 14:20?", now=NOW).broad
    assert RuleRefiner().refine("between 14:15 and 14:45, did it happen again?", now=NOW).broad
    assert RuleRefiner().refine("what's wrong between 14:00 and 14:30 on jun 3?", now=NOW).broad
    assert RuleRefiner().refine("what is broken between 14:00 and 14:30?", now=NOW).broad
    assert RuleRefiner().refine("what was the problem between 14:00 and 14:30?", now=NOW).broad
    assert not RuleRefiner().refine("what's wrong with user 8812?", now=NOW).broad
    assert (
        not RuleRefiner()
        .refine("did anything turn the cache offline between 14:00 and 14:20?", now=NOW)
        .broad
    )


@pytest.mark.parametrize(
    ("written", "level"),
    [
        ("W", "WARN"),
        ("E", "ERROR"),
        ("D", "DEBUG"),
        ("V", "TRACE"),
        ("F", "FATAL"),
        ("Info", "INFO"),
        ("wrn", "WARN"),
    ],
)
def test_one_letter_and_short_levels_are_normalised(written: str, level: str) -> None:
    assert normalize_level(written) == level


def test_camel_case_names_read_as_words_in_the_full_text() -> None:
    """The message, then again with its camelCase names split in place (a phrase of the split words
    with the value after them matches: "stream type 3"), then the record's fields."""
    record = clean_records(
        [LogRecord(timestamp=BASE, message="getDevicesForStream streamType: 3", fields={"pid": 1702})], None
    ).records[0]
    assert (
        fts_text(record) == "getDevicesForStream streamType: 3 get Devices For Stream stream Type: 3 pid 1702"
    )
    plain = clean_records([LogRecord(timestamp=BASE, message="ERR_DATA_INSERT at step 4")], None).records[0]
    assert fts_text(plain) == "ERR_DATA_INSERT at step 4"


def test_a_phrase_of_split_words_and_a_value_finds_the_camel_case_line(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        _rows(
            (1, "getDevicesForStream streamType: 3"),
            (2, "getDevicesForStream streamType: 7"),
            *[(3 + i, f"alarm type 3 fired for job {i}") for i in range(3)],
            *FILLER,
        ),
    )
    # "type 3" is a phrase of the split line as of the alarm lines: the question's words choose.
    found, _ = _ask(store, "which stream type 3 lookups ran?", k=3)
    assert "getDevicesForStream streamType: 3" in found


@pytest.mark.parametrize(
    ("message", "trouble"),
    [
        ("sendSyncFailedBroadcast", True),
        ("insertHiHealthData() fail errorCode = 4,errorMessage = ERR_DATA_INSERT", True),
        ("Could not resolve proxy.example.com: error 11001", True),
        ("onStandStepChanged 3579", False),
        ("Verification succeeded for blk_1", False),
        ("Out of memory: Kill process 28377 (java) score 620 or sacrifice child", True),
        ("java invoked oom-killer: gfp_mask=0x14280ca", True),
        ("write failed: No space left on device", True),
        ("skill matrix loaded; bloom filter ready", False),
    ],
)
def test_trouble_words(message: str, trouble: bool) -> None:
    assert sounds_like_trouble(message) is trouble


def test_broad_questions_put_trouble_words_first_in_a_source_without_levels(tmp_path, embedder) -> None:
    records = [
        LogRecord(timestamp=BASE + timedelta(minutes=m), message=f"onStandStepChanged {3000 + m}", line=m + 1)
        for m in range(30)
    ] + [LogRecord(timestamp=BASE + timedelta(minutes=31), message="sendSyncFailedBroadcast", line=40)]
    store = LogIndex(str(tmp_path / "lance"), embedder)
    store.ingest(SESSION, TABLE, clean_records(records, None).records)
    plan = RuleRefiner().refine("what went wrong between 12:00 and 13:00 on mar 1?", now=NOW)
    lines, relaxed = Retriever(store).retrieve(SESSION, plan, k=3)
    assert lines[0].message == "sendSyncFailedBroadcast"
    assert relaxed == ["level>=WARN"]


def test_the_lines_right_around_a_quoted_phrase_come_next(tmp_path, embedder) -> None:
    """ "'has died': did it come back?" is answered by the lines next to the death, not by lines
    that share the question's words."""
    records = [
        LogRecord(timestamp=BASE, message="Process com.example.app:web (pid 12236) has died", line=1),
        LogRecord(
            timestamp=BASE + timedelta(seconds=1), message="Scheduling restart of crashed service", line=2
        ),
        LogRecord(
            timestamp=BASE + timedelta(seconds=1.5), message="Start proc 13003:com.example.app:web", line=3
        ),
    ] + [
        LogRecord(
            timestamp=BASE + timedelta(minutes=m), message=f"app brought back to front, task {m}", line=3 + m
        )
        for m in range(1, 30)
    ]
    store = LogIndex(str(tmp_path / "lance"), embedder)
    store.ingest(SESSION, TABLE, clean_records(records, None).records)
    found, _ = _ask(store, "one of them says 'has died'. did the system bring it back?", k=4)
    assert found[0] == "Process com.example.app:web (pid 12236) has died"
    assert set(found[1:3]) == {
        "Scheduling restart of crashed service",
        "Start proc 13003:com.example.app:web",
    }


def test_a_name_most_searched_lines_hold_is_not_an_anchor(tmp_path, embedder) -> None:
    """'GetMembership' is on every line of these logs: the failing line, not the shortest line that
    names it, answers "why is GetMembership failing?"."""
    rows = [(m, f"GetMembership OK user {100 + m}") for m in range(30)]
    store = _store(
        tmp_path,
        embedder,
        _rows(*rows, (40, "GetMembership failed: DEADLINE_EXCEEDED while retrying", {"level": "ERROR"})),
    )
    found, _ = _ask(store, "why is GetMembership failing?", k=3)
    assert found[0] == "GetMembership failed: DEADLINE_EXCEEDED while retrying"


def test_a_broad_question_fills_the_rest_of_k_from_lower_levels_worst_first(tmp_path, embedder) -> None:
    """Two warnings in the window and ten places: the warnings first, then the window's INFO lines
    that say something failed, then the rest; never an answer of two lines when the window has more."""
    store = _store(
        tmp_path,
        embedder,
        _rows(
            (1, "connection pool nearly exhausted (48/50)", {"level": "WARN"}),
            (2, "Expiring session 0x51, timeout of 10000ms exceeded"),
            (3, "leader election lost, rejoining quorum", {"level": "ERROR"}),
            (4, "heartbeat sent to follower 3"),
            (5, "snapshot written to disk"),
            *FILLER,
        ),
    )
    lines, _ = _ask(store, "what went wrong between 12:00 and 12:10?", k=4)
    assert lines[:2] == ["leader election lost, rejoining quorum", "connection pool nearly exhausted (48/50)"]
    assert lines[2] == "Expiring session 0x51, timeout of 10000ms exceeded"  # INFO, but it says it failed
    assert len(lines) == 4
    # a window with k warnings or more gets only warnings, as before
    only_warnings, _ = _ask(store, "what went wrong between 12:00 and 12:10?", k=2)
    assert only_warnings == lines[:2]


def test_nested_fields_read_into_the_full_text_by_their_dotted_names() -> None:
    fields = {
        "attr": {
            "ns": "orders.items",
            "durationMillis": 1500,
            "plan": {"stage": "COLLSCAN", "deeper": {"x": 1, "too": {"deep": 2}}},
        },
        "ok": True,
        "tags": ["a", "b"],
        "long": "y" * 201,
        "c": "COMMAND",
    }
    record = clean_records([LogRecord(timestamp=BASE, message="Slow query", fields=fields)], None).records[0]
    assert fts_text(record) == (
        "Slow query attr.durationMillis 1500 attr.ns orders.items attr.plan.deeper.x 1 "
        "attr.plan.stage COLLSCAN c COMMAND"
    )


def test_a_value_only_a_nested_field_holds_is_found(tmp_path, embedder) -> None:
    records = _rows(
        *[(m, f"Slow query {m}", {"attr": {"ns": f"shop.coll{m}"}}) for m in range(20)],
        (30, "Slow query 99", {"attr": {"ns": "orders.items", "durationMillis": 1500}}),
    )
    store = _store(tmp_path, embedder, records)
    found, _ = _ask(store, "which slow queries hit orders.items?", k=3)
    assert found[0] == "Slow query 99"


def test_when_the_top_lines_are_variants_of_few_patterns_the_next_patterns_follow(tmp_path, embedder) -> None:
    waits = [
        (m, f"{100 + m} sessions waiting on orders.items; blocker id=4509568 time={600 + m}s")
        for m in range(9)
    ]
    store = _store(
        tmp_path,
        embedder,
        _rows(
            *waits,
            (20, "long-running query id=4509568 user=migrate info='ALTER TABLE items'"),
            (21, "query id=4509568 finished after 2691s"),
            (22, "Too many connections"),
            *FILLER,
        ),
    )
    found, _ = _ask(store, "id 4509568 keeps showing up as the blocker. what was it running?", k=4)
    top, more = found[:4], found[4:]
    assert sum("sessions waiting" in line for line in top) >= 2  # the top 4 show fewer than 4 patterns
    # one line of each next pattern follows, in rank order (the id's own lines first), until the
    # lines show 4 patterns
    top_shapes, more_shapes = {message_shape(line) for line in top}, [message_shape(line) for line in more]
    assert len(more_shapes) == len(set(more_shapes)) == 4 - len(top_shapes)
    assert not top_shapes & set(more_shapes)
    assert more[0] == "query id=4509568 finished after 2691s"
    # one pattern per slot already: nothing follows
    alone, _ = _ask(store, "id 4509568 keeps showing up as the blocker. what was it running?", k=1)
    assert len(alone) == 1


def test_what_the_question_names_is_followed_just_past_its_window_after_the_lines_inside(
    tmp_path, embedder
) -> None:
    """ "command 3106 between 12:05 and 12:15: did it go through?" — its timeout came at 12:20."""
    store = _store(
        tmp_path,
        embedder,
        _rows(
            (2, "command 3106 queued by operator"),  # before the window: not in it, not after it
            (9, "Targeting nodes:node-[176-183] child of command 3106"),
            (10, "boot (command 3106)"),
            *[(m, f"GET /v1/items/{m} 200 in {m + 3}ms") for m in range(5, 15)],
            (20, "boot (command 3106) Error: Timeout", {"level": "ERROR"}),
            (29, "boot (command 3107) Error: Timeout", {"level": "ERROR"}),
            (31, "command 3106 retried by operator"),
        ),
    )
    plan = RuleRefiner().refine("did command 3106 between 12:05 and 12:15 go through?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=10)
    found = [line.message for line in lines]
    assert set(found[:2]) == {"boot (command 3106)", "Targeting nodes:node-[176-183] child of command 3106"}
    assert found[2] == "boot (command 3106) Error: Timeout"
    # the stretch after a 10-minute window is 15 minutes: 12:31 is past it, and 3107 is not named
    assert "command 3106 retried by operator" not in found
    assert "command 3106 queued by operator" not in found
    assert "boot (command 3107) Error: Timeout" not in found  # after the window, 3106 not in it
    assert plan.read_on_to == BASE + timedelta(minutes=30)
    said = render_answer(SearchResult(question="q", session=SESSION, plan=plan, lines=lines))
    assert "time 2026-03-01 12:05 → 2026-03-01 12:15 UTC; what it names read on to 2026-03-01 12:30" in said
    assert lines[2].count == 1 and lines[2].lines == [14]


def test_nothing_past_the_window_is_added_or_said_when_the_named_id_stops_in_it(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        _rows(
            (10, "boot (command 3106)"),
            (11, "boot (command 3106) done"),
            *[(m, f"GET /v1/items/{m} 200 in {m + 3}ms") for m in range(5, 15)],
            (20, "boot (command 3107) Error: Timeout", {"level": "ERROR"}),
        ),
    )
    plan = RuleRefiner().refine("did command 3106 between 12:05 and 12:15 go through?", now=NOW)
    found = [line.message for line in Retriever(store).retrieve(SESSION, plan, k=10)[0]]
    assert set(found[:2]) == {"boot (command 3106)", "boot (command 3106) done"}
    assert "boot (command 3107) Error: Timeout" not in found
    assert plan.read_on_to is None


def _written(*lines: tuple[int, str, str]) -> list[LogRecord]:
    """(minute, component, message) → records with that writer."""
    return _rows(*[(m, message, {"component": writer}) for m, writer, message in lines])


def test_the_lines_of_the_program_the_question_names_come_first(tmp_path, embedder) -> None:
    """The program's name is in its records' component field, never in its messages."""
    store = _store(
        tmp_path,
        embedder,
        _written(
            (1, "eapolclient", "en0 START uid 0 (EAP-TLS, system mode)"),
            (2, "eapolclient", "en0 STATUS: Authenticated"),
            *[(m, "kernel", f"AirPort: RSN handshake complete on en0 after {m} ms") for m in range(3, 13)],
            *[(m, "configd", f"network changed: v4(en0:10.40.13.{m}) DNS Proxy SMB") for m in range(13, 23)],
            (24, "symptomsd", "wifi link quality degraded on en0, rssi -81"),
        ),
    )
    found, _ = _ask(store, "what does eapolclient say about the wifi since noon?")
    assert set(found[:2]) == {"en0 START uid 0 (EAP-TLS, system mode)", "en0 STATUS: Authenticated"}


def test_a_writers_name_that_the_messages_also_use_or_that_wrote_most_lines_narrows_nothing(
    tmp_path, embedder
) -> None:
    store = _store(
        tmp_path,
        embedder,
        _written(
            (1, "admin", "cache evict done for district 77"),
            (2, "membership", "admin removed user 4821 from district 77"),
            (3, "membership", "admin added user 4821 to district 77"),
            *[(m, "sshd", f"Failed password for root from 10.0.0.{m} port 22") for m in range(4, 20)],
        ),
    )
    index_plan = RuleRefiner().refine("could those two admin actions have collided?", now=NOW)
    assert named_origin_ids(store, SESSION, None, index_plan, SearchFilters()) == []
    sshd_plan = RuleRefiner().refine("what does sshd say about root?", now=NOW)  # 16 of 19 lines
    assert named_origin_ids(store, SESSION, None, sshd_plan, SearchFilters()) == []
    # the same words, but a writer of 2 lines whose name no message uses: its lines
    membership = RuleRefiner().refine("what did membership log about district 77?", now=NOW)
    ids = named_origin_ids(store, SESSION, None, membership, SearchFilters())
    rows = store.scan(SESSION, filters=SearchFilters(where=in_clause("id", ids)), limit=10)
    assert sorted(row.message for row in rows) == [
        "admin added user 4821 to district 77",
        "admin removed user 4821 from district 77",
    ]


def test_a_four_letter_program_and_a_service_are_writers_the_question_can_name(tmp_path, embedder) -> None:
    records = _rows(
        (1, "synchronized to 10.0.0.1, stratum 2", {"program": "ntpd"}),
        (2, "time reset +0.713 s", {"program": "ntpd"}),
        (3, "charge declined: card expired"),
        *[(m, f"GET /v1/items/{m} 200 in {m + 3}ms", {"program": "nginx"}) for m in range(4, 16)],
    )
    records[2].service = "checkout-api"
    store = _store(tmp_path, embedder, records)
    for question, expected in [
        ("what did ntpd log?", {"synchronized to 10.0.0.1, stratum 2", "time reset +0.713 s"}),
        ("what did checkout-api say?", {"charge declined: card expired"}),
    ]:
        plan = RuleRefiner().refine(question, now=NOW)
        ids = named_origin_ids(store, SESSION, None, plan, SearchFilters())
        rows = store.scan(SESSION, filters=SearchFilters(where=in_clause("id", ids)), limit=10)
        assert {row.message for row in rows} == expected, question


def test_a_writer_narrows_only_under_half_the_lines_in_scope_and_a_shared_word_skips_only_itself(
    tmp_path, embedder
) -> None:
    # minutes 0-9: 5 lines of ntpd and 5 of nginx; minutes 20-39: 20 more of nginx
    records = _rows(
        *[(m, f"clock step {m} ms", {"program": "ntpd"}) for m in range(0, 5)],
        *[(m, f"GET /v1/items/{m} 200", {"program": "nginx"}) for m in range(5, 10)],
        *[(m, f"GET /v1/cart/{m} 200", {"program": "nginx"}) for m in range(20, 40)],
        (41, "admin removed user 4821", {"program": "membership"}),
        (42, "cache evict done", {"program": "admin"}),
    )
    store = _store(tmp_path, embedder, records)
    plan = RuleRefiner().refine("what did ntpd log?", now=NOW)
    everything = SearchFilters()
    first_ten = SearchFilters(start=BASE, end=BASE + timedelta(minutes=9))
    assert len(named_origin_ids(store, SESSION, None, plan, everything)) == 5  # 5 of 32 lines
    assert named_origin_ids(store, SESSION, None, plan, first_ten) == []  # exactly half of 10: no
    nine = SearchFilters(start=BASE, end=BASE + timedelta(minutes=8))
    assert named_origin_ids(store, SESSION, None, plan, nine) == []  # 5 of 9: more than half
    eleven = SearchFilters(start=BASE, end=BASE + timedelta(minutes=20))
    assert len(named_origin_ids(store, SESSION, None, plan, eleven)) == 5  # 5 of 11: under half
    # a word other lines say ("admin") is skipped, and the words after it are still tried
    both = RuleRefiner().refine("did admin work break ntpd?", now=NOW)
    assert len(named_origin_ids(store, SESSION, None, both, everything)) == 5


def test_beside_a_quoted_line_the_closest_lines_come_then_the_ones_that_say_something_failed(
    tmp_path, embedder
) -> None:
    """ "'checkCurrentDay': did that sync work?": the five lines written closest to the quoted one
    come next (they say what it went on to do), then the failure that ends the sync, though a sixth
    routine line was written closer to the quoted one than the failure."""
    routine = ["stepSyncOrNot appSynTimes is 0", "needAutoSync autoSyncSwitch is open"]
    routine += [f"initPrivacy switch {n} is open" for n in range(4)]
    records = [LogRecord(timestamp=BASE, message="checkCurrentDay a new day comes", line=1)]
    records += [
        LogRecord(timestamp=BASE + timedelta(milliseconds=1 + n), message=text, line=2 + n)
        for n, text in enumerate(routine)
    ]
    records.append(
        LogRecord(timestamp=BASE + timedelta(milliseconds=9), message="sendSyncFailedBroadcast", line=9)
    )
    # lines the question's own words find, away from it: without the failure's tier they fill k
    records += [
        LogRecord(
            timestamp=BASE + timedelta(minutes=m), message=f"the {m} sync did work for day {m}", line=9 + m
        )
        for m in range(1, 30)
    ]
    store = LogIndex(str(tmp_path / "lance"), embedder)
    store.ingest(SESSION, TABLE, clean_records(records, None).records)
    found, _ = _ask(store, "it logged 'checkCurrentDay' for the new day. did that sync work?", k=7)
    assert found[:7] == ["checkCurrentDay a new day comes", *routine[:5], "sendSyncFailedBroadcast"]


def test_beside_a_quoted_line_a_warning_further_off_comes_after_the_closest_info_lines(
    tmp_path, embedder
) -> None:
    """With levels, "says something failed" is the level: a WARN or worse beyond the five closest
    lines is taken, an INFO line that far is not (whatever its words)."""

    def at(ms: int, message: str, level: str, line: int) -> LogRecord:
        return LogRecord(timestamp=BASE + timedelta(milliseconds=ms), message=message, level=level, line=line)

    records = [at(0, "checkCurrentDay a new day comes", "INFO", 1)]
    records += [at(1 + n, f"routine step {n} is open", "INFO", 2 + n) for n in range(6)]
    records.append(at(8, "upload refused by the cloud", "INFO", 8))  # trouble words, but INFO
    records.append(at(9, "cloud version missing", "WARN", 9))  # a warning, no trouble words
    records += [at(60_000 * m, f"the {m} sync did work for day {m}", "INFO", 9 + m) for m in range(1, 30)]
    store = LogIndex(str(tmp_path / "lance"), embedder)
    store.ingest(SESSION, TABLE, clean_records(records, None).records)
    found, _ = _ask(store, "it logged 'checkCurrentDay' for the new day. did that sync work?", k=7)
    assert found[6] == "cloud version missing"
    assert "upload refused by the cloud" not in found[:7]


def test_an_identifier_held_only_outside_the_window_is_not_called_absent(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        _rows(
            (1, "lease renewed for 10.0.0.9", {"level": "WARN"}),  # before the window only
            (31, "GetUser failed for 10.0.0.7", {"level": "ERROR"}),
            (32, "GetUser retried for 10.0.0.7"),
            *FILLER,
        ),
    )
    _, relaxed = _ask(store, "what did 10.0.0.7 and 10.0.0.9 do between 12:30 and 12:35?")
    assert relaxed == ["'10.0.0.9' (no line in the time asked about holds it; 1 stored line outside it does)"]
    _, relaxed = _ask(store, "what did 10.0.0.7 and 10.9.9.9 do between 12:30 and 12:35?")
    assert relaxed == ["'10.9.9.9' (no stored line holds it)"]


def test_an_identifier_left_out_by_the_other_filters_says_so(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        _rows((1, "lease renewed for 10.0.0.9"), (2, "lease renewed for 10.0.0.9"), *FILLER),
    )
    held = identifier_clause("10.0.0.9")
    errors = SearchFilters(min_level="ERROR")
    assert absent(store, SESSION, None, errors, held) == (
        "no line the question's filters keep holds it; 2 stored lines outside them do"
    )
    late = SearchFilters(start=BASE + timedelta(minutes=30), end=BASE + timedelta(minutes=35))
    assert absent(store, SESSION, None, late, held) == (
        "no line in the time asked about holds it; 2 stored lines outside it do"
    )
    both = late.model_copy(update={"min_level": "ERROR"})  # the time alone would not bring it in
    assert absent(store, SESSION, None, both, held).startswith("no line the question's filters keep")
    assert absent(store, SESSION, None, late, identifier_clause("10.9.9.9")) == "no stored line holds it"


def test_a_patterns_lines_are_counted_per_host(tmp_path, embedder) -> None:
    hosts = ["idx-1", "idx-2", "idx-2", "idx-3", "idx-2", None]
    store = _store(
        tmp_path,
        embedder,
        _rows(
            *[
                (
                    n,
                    f"bulk index failed on batch {700 + n}",
                    {"level": "WARN" if n == 4 else "ERROR", "host": host},
                )
                for n, host in enumerate(hosts)
            ],
            *FILLER,
        ),
    )
    plan = RuleRefiner().refine("why did 'bulk index failed' happen?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=3)
    assert lines[0].pattern is not None
    assert lines[0].pattern.count == 6
    assert lines[0].pattern.hosts == {
        "idx-2": 3,
        "idx-1": 1,
        "idx-3": 1,
    }  # busiest first; no host: not counted
    assert list(lines[0].pattern.hosts) == ["idx-2", "idx-1", "idx-3"]
    assert lines[0].pattern.levels == {"ERROR": 5, "WARN": 1}


def test_a_number_of_the_question_no_line_holds_is_named(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        _rows(
            (1, "render_invoice failed for order 149341", {"level": "ERROR"}),
            (31, "render_invoice succeeded for order 149342"),
            *FILLER,
        ),
    )
    found, relaxed = _ask(store, "why did render_invoice fail for order 149340?")
    assert found[0] == "render_invoice failed for order 149341"  # still an answer from its words
    assert relaxed == ["'149340' (no stored line holds it)"]
    _, relaxed = _ask(store, "why did render_invoice fail for order 149341?")
    assert relaxed == []
    _, relaxed = _ask(store, "what about order 149341 between 12:30 and 12:35?")
    assert relaxed == ["'149341' (no line in the time asked about holds it; 1 stored line outside it does)"]


def test_dropped_filters_and_unheld_names_are_said_apart() -> None:
    relaxed = ["level>=WARN", "'149340' (no stored line holds it)", "'blk_9' (no stored line holds it)"]
    assert relaxed_sentences(relaxed, "I ") == [
        "nothing matched every filter, so I dropped: level>=WARN",
        "not in the lines searched: '149340' (no stored line holds it), 'blk_9' (no stored line holds it)",
    ]
    assert relaxed_sentences(relaxed[1:]) == [
        "not in the lines searched: '149340' (no stored line holds it), 'blk_9' (no stored line holds it)"
    ]
    assert relaxed_sentences([]) == []


def test_a_line_stored_in_two_tables_of_the_thread_counts_once(tmp_path, embedder) -> None:
    """A request follow-up stores that request's lines again in a table of its own: counts, first
    and last seen, pattern counts and hosts must not count them twice."""
    records = _rows(
        *[
            (n, "inventory reserve failed: lock wait timeout", {"level": "ERROR", "host": "inv-1"})
            for n in range(3)
        ],
        (5, "inventory reserve failed: deadlock found", {"level": "ERROR", "host": "inv-2"}),
        *FILLER,
    )
    store = _store(tmp_path, embedder, records)
    store.ingest(SESSION, table_name("req", "all", "prod"), clean_records(records[:2], None).records)
    plan = RuleRefiner().refine("why did 'inventory reserve failed' happen?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=3)
    wait = next(line for line in lines if line.message.endswith("lock wait timeout"))
    assert wait.count == 3
    assert wait.pattern is not None
    assert (wait.pattern.count, wait.pattern.hosts, wait.pattern.levels) == (3, {"inv-1": 3}, {"ERROR": 3})

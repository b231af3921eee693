"""What a result line of the retrieve step carries, exactly: tests that kill surviving mutants of
`make mutation` (docs/mutation.md). Same small real LanceDB and real model as test_retrieve_rules.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from test_retrieve_rules import BASE, FILLER, NOW, SESSION, TABLE, _store

from sre_agent.clean import clean_records
from sre_agent.indexes import Hit, SearchFilters
from sre_agent.models import LogRecord
from sre_agent.workflows.constraints import env_clause, field_clause, identifier_clause
from sre_agent.workflows.order import (
    holders_first,
    like,
    merge_hits,
    merge_rows,
    origin,
    pattern_stats,
    pid,
    signals_first,
    to_result_line,
)
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.retrieve import Retriever
from sre_agent.workflows.windows import absent, unheld_numbers


def _gets(minutes: range) -> list[LogRecord]:
    """Routine request lines, one a minute, to fill the rest of k."""
    return [_record(m, f"GET /v1/items/{m} 200 in {m + 3}ms", m) for m in minutes]


def _record(minute: int, message: str, line: int, **extra) -> LogRecord:
    return LogRecord(
        timestamp=BASE + timedelta(minutes=minute), message=message, source="t.jsonl", line=line, **extra
    )


def test_a_result_line_carries_the_rows_level_host_ids_count_times_and_line_numbers(
    tmp_path, embedder
) -> None:
    failed = "GetUser failed: upstream timeout after 3000ms"
    who = {"level": "ERROR", "host": "api-3", "method": "GetUser", "request_id": "r-77", "user_id": "u-9"}
    records = [
        _record(1, failed, 1, **who),
        _record(2, "GetUser ok in 12ms", 2, host="api-3"),
        _record(5, failed, 3, **who),
        _record(9, failed, 7, **who),
        *[_record(m, msg, 10 + i) for i, (m, msg) in enumerate(FILLER)],
    ]
    store = _store(tmp_path, embedder, records)
    plan = RuleRefiner().refine("why did GetUser fail with an upstream timeout?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=5)
    line = next(x for x in lines if x.message == failed)
    assert (line.level, line.host, line.method, line.request_id, line.user_id) == (
        "ERROR",
        "api-3",
        "GetUser",
        "r-77",
        "u-9",
    )
    assert line.table == TABLE
    assert line.count == 3  # the three identical lines, one result
    assert line.lines == [1, 3, 7]
    assert (line.first_seen, line.last_seen) == (BASE + timedelta(minutes=1), BASE + timedelta(minutes=9))
    assert line.shape  # the line's shape (numbers masked) is named
    assert line.via and line.score > 0


def test_a_single_line_keeps_its_own_line_number_and_count_one(tmp_path, embedder) -> None:
    records = [_record(1, "cache evicted 40 keys", 12, level="WARN"), _record(2, "cache warmed", 13)]
    store = _store(tmp_path, embedder, records)
    plan = RuleRefiner().refine("what did the cache evict?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=5)
    line = next(x for x in lines if x.message == "cache evicted 40 keys")
    assert (line.count, line.lines, line.level) == (1, [12], "WARN")
    assert line.first_seen == line.last_seen == BASE + timedelta(minutes=1)


# --- the SQL the tiers filter with: exact strings (LanceDB reads them as they are) ----------------


def test_like_lowers_the_value_and_escapes_the_wildcards_it_holds() -> None:
    assert like("text", "A_b%c\\d") == "lower(text) LIKE '%a\\_b\\%c\\\\d%'"


def _token(value: str) -> str:
    """What `identifier_clause` asks of a one-word identifier made of letters, digits, `_.:-`."""
    escaped = value.replace("_", chr(92) + "_")
    pattern = value.replace(".", "[.]")
    return (
        f"(lower(text) LIKE '%{escaped}%' AND regexp_like(lower(text), "
        f"'(?:^|[^a-z0-9_]){pattern}(?:[^a-z0-9_]|$)'))"
    )


def test_an_ipv4_identifier_also_matches_its_dashed_form_as_dns_names_write_it() -> None:
    assert identifier_clause("10.251.26.8:50010") == (
        f"({_token('10.251.26.8:50010')} OR {_token('10-251-26-8')})"
    )
    assert identifier_clause("10.251.26.8") == f"({_token('10.251.26.8')} OR {_token('10-251-26-8')})"


@pytest.mark.parametrize("identifier", ["1.2.3.4567", "1.2.3", "1.2.3.4.5", "a.b.c.d", "v1.2.3.4", "blk_-42"])
def test_what_is_not_an_ipv4_address_matches_only_as_written(identifier: str) -> None:
    assert identifier_clause(identifier) == f"({_token(identifier.lower())})"


def test_a_phrase_matches_anywhere_and_odd_characters_fall_back_to_like() -> None:
    assert identifier_clause("Connection Reset by") == "(lower(text) LIKE '%connection reset by%')"
    assert identifier_clause("GetMembership()") == "(lower(text) LIKE '%getmembership()%')"
    assert identifier_clause("/v1/items+") == (
        "((lower(text) LIKE '%/v1/items+%' AND regexp_like(lower(text), '/v1/items[+]')))"
    )


def test_a_field_filter_is_exact_on_its_column_or_loose_on_the_text() -> None:
    assert field_clause("user_id", "o'k", strict=True) == "user_id = 'o''k'"
    assert field_clause("user_id", "O'k", strict=False) == "(user_id = 'O''k' OR lower(text) LIKE '%o''k%')"


def test_the_environment_matches_without_case_and_keeps_rows_that_name_none() -> None:
    assert env_clause("Prod") == "(env IS NULL OR lower(env) IN ('prod', 'production', 'prd', 'live'))"
    assert env_clause("eu-canary") == "(env IS NULL OR lower(env) IN ('eu-canary'))"


def test_merging_tiers_keeps_the_first_tiers_order_and_adds_only_new_hits() -> None:
    a, b, c = (_hit(n) for n in "abc")
    assert [h.id for h in merge_hits([a, b], [b, c, a])] == ["a", "b", "c"]
    assert merge_hits([], []) == []


def _hit(name: str) -> Hit:
    return Hit(
        id=name,
        timestamp=datetime(2024, 5, 1, tzinfo=UTC),
        message=name,
        shape=name,
        table="t",
        level_rank=2,
        msg_hash=name,
        shape_hash=name,
        score=0.0,
        via="fts",
    )


# --- a thread's other tables stay out of a question scoped to one -------------------------------

OTHER = "logs_billing_prod"


def test_a_question_scoped_to_one_table_sees_no_line_of_the_threads_other_tables(tmp_path, embedder) -> None:
    ours = [
        _record(5, "job 4242 failed: disk quota exceeded", 1, level="ERROR"),
        _record(5, "scheduler picked job 4243", 2),
        _record(6, "disk usage at 97% on /data", 3, level="WARN"),
        *(_record(m, f"GET /v1/items/{m} 200 in {m + 3}ms", 10 + m) for m in range(40, 52)),
    ]
    theirs = [
        _record(5, "job 4242 failed: billing export refused", 1, level="ERROR"),
        _record(5, "job 4242 retry scheduled on billing", 2, level="WARN"),
        *(_record(5, f"billing ledger line {i} written", 3 + i) for i in range(8)),
        *(_record(m, f"billing queue error {m}", 20 + m, level="ERROR") for m in range(1, 30)),
        _record(6, "billing: disk usage at 97% and job 4242 failed", 60, level="WARN"),
        _record(7, "disk usage at 98% on billing", 61, level="WARN"),
    ]
    store = _store(tmp_path, embedder, ours)
    store.ingest(SESSION, OTHER, clean_records(theirs, None).records)
    retriever = Retriever(store)
    for question in (
        "what happened to job 4242?",
        "job 4242 'failed': any errors around it?",
        "were there any errors about job 4242 or 'disk quota'?",
        "'disk usage at 97%' and 'job 4242 failed': related?",  # both, either, and the phrase's shape
        "what went wrong between 12:00 and 12:30?",
    ):
        plan = RuleRefiner().refine(question, now=NOW)
        lines, _ = retriever.retrieve(SESSION, plan, k=10, tables=[TABLE])
        assert lines, question
        assert {line.table for line in lines} == {TABLE}, question
        assert not any("billing" in line.message for line in lines), question


def _found(store, question: str, k: int = 10) -> list[tuple[str, str]]:
    plan = RuleRefiner().refine(question, now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=k)
    return [(line.message, line.via) for line in lines]


def test_lines_of_a_quoted_phrases_shape_come_through_the_exact_tiers_and_the_rest_from_the_search(
    tmp_path, embedder
) -> None:
    store = _store(
        tmp_path,
        embedder,
        [
            _record(1, "queue backlog at 88% of capacity", 1, level="WARN"),
            _record(2, "queue backlog at 91% of capacity", 2, level="WARN"),
            _record(3, "queue backlog at 97% of capacity", 3, level="WARN"),
            _record(4, "consumer lag grew to 120 s", 4, level="WARN"),
            *_gets(range(40, 52)),
        ],
    )
    found = _found(store, "what caused 'queue backlog at 97% of capacity'?")
    assert found[0] == ("queue backlog at 97% of capacity", "exact")
    assert set(found[1:3]) == {
        ("queue backlog at 88% of capacity", "exact"),
        ("queue backlog at 91% of capacity", "exact"),
    }
    assert len(found) == 10 and all(via != "exact" for _, via in found[3:])


def test_with_two_identifiers_lines_holding_both_come_first_then_lines_holding_either(
    tmp_path, embedder
) -> None:
    store = _store(
        tmp_path,
        embedder,
        [
            _record(1, "worker-3 started job-17", 1),
            _record(9, "worker-3 heartbeat ok", 2),
            _record(20, "job-17 queued by cron", 3),
            _record(30, "disk usage at 40%", 4),
            *_gets(range(40, 52)),
        ],
    )
    found = _found(store, "did 'worker-3' ever pick up 'job-17'?")
    assert found[0] == ("worker-3 started job-17", "exact")
    assert set(found[1:3]) == {("worker-3 heartbeat ok", "exact"), ("job-17 queued by cron", "exact")}
    assert all(via != "exact" for _, via in found[3:])


# --- field filters: exact on the column, then any mention in the text, then dropped, and said -------


def _user_rows() -> list[LogRecord]:
    return [
        _record(1, "GetMembership denied: not a member", 1, level="WARN", user_id="8812"),
        _record(2, "GetMembership OK", 2, user_id="8812"),
        _record(3, "GetMembership denied: not a member of district 9", 3, level="WARN", user_id="9001"),
        _record(4, "cache evicted key membership:77:8812", 4),
        _record(5, "GetMembership OK", 5, user_id="4821"),
    ]


def test_a_user_filter_keeps_only_that_users_lines_when_the_column_holds_them(tmp_path, embedder) -> None:
    store = _store(tmp_path, embedder, _user_rows())
    plan = RuleRefiner().refine("is user 8812 affected?", now=NOW)
    lines, relaxed = Retriever(store).retrieve(SESSION, plan, k=10)
    assert {(line.message, line.user_id) for line in lines} == {
        ("GetMembership denied: not a member", "8812"),
        ("GetMembership OK", "8812"),
    }
    assert relaxed == []


def test_a_user_no_column_holds_is_found_in_the_text_and_the_loosening_is_said(tmp_path, embedder) -> None:
    rows = [r for r in _user_rows() if r.user_id != "8812"]
    store = _store(tmp_path, embedder, rows)
    plan = RuleRefiner().refine("is user 8812 affected?", now=NOW)
    lines, relaxed = Retriever(store).retrieve(SESSION, plan, k=10)
    assert [line.message for line in lines] == ["cache evicted key membership:77:8812"]
    assert relaxed == ["exact user_id match"]


def test_a_user_nobody_mentions_is_dropped_from_the_filters_and_said(tmp_path, embedder) -> None:
    rows = [r for r in _user_rows() if "8812" not in (r.user_id or "") + r.message]
    store = _store(tmp_path, embedder, rows)
    plan = RuleRefiner().refine("is user 8812 affected?", now=NOW)
    lines, relaxed = Retriever(store).retrieve(SESSION, plan, k=10)
    assert len(lines) == 2  # the question's words still search what is there
    assert relaxed == ["user_id=8812"]


def test_two_field_filters_relax_to_either_before_none(tmp_path, embedder) -> None:
    store = _store(tmp_path, embedder, _user_rows())
    plan = RuleRefiner().refine("why is GetUser failing for user 8812?", now=NOW)
    plan.field_filters["method"] = "GetUser"  # as a config naming GetUser would have it
    lines, relaxed = Retriever(store).retrieve(SESSION, plan, k=10)
    assert {line.user_id for line in lines} == {"8812", None}  # the user's lines and the one naming them
    assert relaxed == ["all of user_id=8812, method=GetUser"]


# --- anchors: the question's numbers, most held first; a number most lines hold is no anchor --------


def test_lines_holding_more_of_the_questions_numbers_come_first(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        [
            _record(1, "listener bound to port 5433", 1),
            _record(2, "pid 7111 listening on port 5433", 2),
            _record(3, "pid 7111 exited with status 1", 3),
            *_gets(range(40, 52)),
        ],
    )
    found = _found(store, "what did pid 7111 do on port 5433?")
    assert found[0] == ("pid 7111 listening on port 5433", "exact")
    assert {m for m, _ in found[1:3]} == {"listener bound to port 5433", "pid 7111 exited with status 1"}
    assert all(via == "exact" for _, via in found[:3]) and all(via != "exact" for _, via in found[3:])


@pytest.mark.parametrize("holding, anchor", [(6, True), (7, False)])
def test_a_number_more_than_half_the_searched_lines_hold_is_no_anchor(
    tmp_path, embedder, holding: int, anchor: bool
) -> None:
    rows = [_record(m, f"shard 12 replica {m} in sync", m) for m in range(holding)]
    rows += [_record(20 + m, f"compaction of table t{m} finished", 20 + m) for m in range(12 - holding)]
    store = _store(tmp_path, embedder, rows)
    found = _found(store, "is shard 12 healthy?", k=12)
    assert (found[0][1] == "exact") is anchor
    assert len(found) == 12


def test_a_number_a_hundred_lines_hold_is_no_anchor(tmp_path, embedder) -> None:
    rows = [_record(m % 60, f"GET /v1/items/{m} 200 from pool 9", m) for m in range(99)]
    rows += [_record(30, f"pool {n} drained", 200 + n) for n in range(10, 130)]
    store = _store(tmp_path, embedder, rows)
    assert _found(store, "is pool 9 draining?", k=3)[0][1] == "exact"  # 99 lines: still an anchor
    store.ingest(
        SESSION, TABLE, clean_records([_record(59, "GET /v1/items/999 200 from pool 9", 999)], None).records
    )
    assert all(via != "exact" for _, via in _found(store, "is pool 9 draining?", k=3))


# --- counts: identical lines among those the search could see, and k distinct messages ------------


def test_a_lines_count_is_of_identical_lines_inside_the_window_and_table_only(tmp_path, embedder) -> None:
    timeout = "upstream timeout calling ledger"
    ours = [_record(m, timeout, m, level="ERROR") for m in (10, 12, 14)] + [
        _record(m, timeout, m, level="ERROR") for m in (70, 80)
    ]
    store = _store(tmp_path, embedder, ours)
    store.ingest(SESSION, OTHER, clean_records([_record(11, timeout, 1, level="ERROR")], None).records)
    plan = RuleRefiner().refine("why the 'upstream timeout' errors between 12:05 and 12:30?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=10, tables=[TABLE])
    [line] = [line for line in lines if line.message == timeout]
    assert (line.count, line.lines) == (3, [10, 12, 14])


def test_identical_lines_take_one_place_and_k_places_are_still_filled(tmp_path, embedder) -> None:
    rows = [_record(m, "GetMembership failed: DEADLINE_EXCEEDED", m, level="ERROR") for m in range(5)]
    rows += [
        _record(10 + m, f"GetMembership failed: user {m} unknown", 10 + m, level="ERROR") for m in range(12)
    ]
    store = _store(tmp_path, embedder, rows)
    found = _found(store, "why is GetMembership failing?", k=10)
    assert len(found) == 10 and len({m for m, _ in found}) == 10


# --- broad: a pattern's rise is measured against the whole span the thread's logs cover ---------------


def _rise_store(tmp_path, embedder, usual_outside: int, new_inside: int):
    """`usual`: 10 lines in the window 12:00-12:10 and `usual_outside` over the 10 days before;
    `fresh`: `new_inside` lines in the window and none before."""
    rows = [_record(m, f"retrying upload of part {m}", m, level="WARN") for m in range(10)]
    rows += [
        _record(m, f"consumer rebalanced generation {m}", 20 + m, level="WARN") for m in range(new_inside)
    ]
    step = 10 * 24 * 60 // usual_outside
    rows += [
        _record(-(1 + i) * step, f"retrying upload of part {900 + i}", 100 + i, level="WARN")
        for i in range(usual_outside)
    ]
    return _store(tmp_path, embedder, rows)


@pytest.mark.parametrize(
    "usual_outside, new_inside, first",
    [
        # 10 seen where 100 over 10 days make 0.07 expected: rose 10.3x; the new one 6x.
        (100, 5, "retrying upload of part 0"),
        # 10 seen where 1000 make 0.69 expected: rose 6.5x; the new one 7x.
        (1000, 6, "consumer rebalanced generation 0"),
        # ... and the new one with 5 lines, 6x: the usual one leads (each line outside counts once).
        (1000, 5, "retrying upload of part 0"),
    ],
)
def test_the_pattern_that_rose_most_over_the_threads_whole_span_comes_first(
    tmp_path, embedder, usual_outside: int, new_inside: int, first: str
) -> None:
    store = _rise_store(tmp_path, embedder, usual_outside, new_inside)
    found = _found(store, "what went wrong between 12:00 and 12:10?", k=2)
    assert found[0][0] == first


def test_a_patterns_usual_rate_counts_its_lines_before_and_after_the_window_in_this_table_at_the_level_asked(
    tmp_path, embedder
) -> None:
    """10 `retrying` lines in 12:00-12:10 against 100 over the 10 days around it (0.07 expected):
    rose 10.3x, ahead of a new pattern's 6x. Lines of the same shape below the level asked, or in
    another table, are not its usual rate; lines after the window are."""
    rows = [_record(m, f"retrying upload of part {m}", m, level="WARN") for m in range(10)]
    rows += [_record(m, f"consumer rebalanced generation {m}", 20 + m, level="WARN") for m in range(5)]
    rows += [
        _record(-(1 + i) * 72, f"retrying upload of part {900 + i}", 100 + i, level="WARN") for i in range(50)
    ]
    rows += [
        _record(20 + (1 + i) * 72, f"retrying upload of part {950 + i}", 200 + i, level="WARN")
        for i in range(50)
    ]
    rows += [
        _record(-(1 + i), f"retrying upload of part {5000 + i}", 300 + i, level="INFO") for i in range(900)
    ]
    store = _store(tmp_path, embedder, rows)
    noise = [_record(-(1 + i), f"retrying upload of part {7000 + i}", i, level="WARN") for i in range(900)]
    noise.append(_record(-60 * 24 * 30, "billing started", 999))  # a month before: another table's span
    store.ingest(SESSION, OTHER, clean_records(noise, None).records)
    plan = RuleRefiner().refine("what went wrong between 12:00 and 12:10?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=2, tables=[TABLE])
    assert [line.message for line in lines] == [
        "retrying upload of part 0",
        "consumer rebalanced generation 0",
    ]


@pytest.mark.parametrize(
    "question",
    [
        "did pid 7111 exit between 12:00 and 12:10?",
        "was pid 7111 'started by supervisor' between 12:00 and 12:10?",  # beside a quoted phrase too
    ],
)
def test_an_anchor_outside_the_questions_window_is_not_shown(tmp_path, embedder, question: str) -> None:
    store = _store(
        tmp_path,
        embedder,
        [
            _record(5, "pid 7111 started by supervisor", 1),
            _record(6, "pid 7112 started by supervisor", 2),
            _record(50, "pid 7111 exited with status 137", 3, level="ERROR"),
            *_gets(range(1, 9)),
        ],
    )
    plan = RuleRefiner().refine(question, now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=10)
    assert lines[0].message == "pid 7111 started by supervisor"
    assert all(line.first_seen < BASE + timedelta(minutes=10) for line in lines)


def test_an_identifier_only_another_table_holds_is_named_as_missing(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        [
            _record(1, "GetUser failed for 10.0.0.7", 1),
            *(_record(m, f"GET /v1/items/{m} 200", m) for m in range(2, 9)),
        ],
    )
    store.ingest(SESSION, OTHER, clean_records([_record(1, "billing refused 10.9.9.9", 1)], None).records)
    plan = RuleRefiner().refine("what did 10.9.9.9 do?", now=NOW)
    lines, relaxed = Retriever(store).retrieve(SESSION, plan, k=10, tables=[TABLE])
    assert lines and relaxed == ["'10.9.9.9' (no stored line holds it)"]


def test_when_the_question_says_something_failed_the_lines_at_that_level_come_first(
    tmp_path, embedder
) -> None:
    store = _store(
        tmp_path,
        embedder,
        [
            _record(1, "payment service failover drill: payment service failing over to replica 2", 1),
            _record(2, "payment service failing health probe during the drill", 2),
            _record(3, "card charge declined for order 77", 3, level="WARN"),
            *_gets(range(40, 46)),
        ],
    )
    plan = RuleRefiner().refine("why is the payment service failing?", now=NOW)
    assert plan.prefer_level == "WARN" and plan.min_level is None
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=10)
    assert lines[0].message == "card charge declined for order 77"
    assert len(lines) == 9  # the level orders, it does not filter


def test_the_lines_beside_an_identifier_carry_no_search_score(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        [
            LogRecord(timestamp=BASE, message="worker 9 'has died'", source="t", line=1),
            LogRecord(
                timestamp=BASE + timedelta(seconds=1), message="respawning worker 10", source="t", line=2
            ),
            *_gets(range(40, 46)),
        ],
    )
    plan = RuleRefiner().refine("a worker 'has died': did it come back?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=10)
    beside = [line for line in lines if line.message == "respawning worker 10"]
    assert [(line.via, line.score) for line in beside] == [("exact", 0.0)]


def test_a_usual_pattern_that_rose_less_than_a_new_one_comes_after_it(tmp_path, embedder) -> None:
    """10 `retrying` lines in the window against 1,300 over the 10 days around it (600 before, 700
    after: 0.90 expected) rose 5.8x, behind a new pattern's 6x. Counting only the lines before the
    window, or measuring the span over the thread's other tables too, would put it first."""
    rows = [_record(m, f"retrying upload of part {m}", m, level="WARN") for m in range(10)]
    rows += [_record(m, f"consumer rebalanced generation {m}", 20 + m, level="WARN") for m in range(5)]
    rows += [
        _record(-(1 + i) * 12, f"retrying upload of part {900 + i}", 100 + i, level="WARN")
        for i in range(600)
    ]
    rows += [
        _record(10 + (1 + i) * 10, f"retrying upload of part {2000 + i}", 800 + i, level="WARN")
        for i in range(700)
    ]
    store = _store(tmp_path, embedder, rows)
    store.ingest(SESSION, OTHER, clean_records([_record(-60 * 24 * 30, "billing started", 1)], None).records)
    plan = RuleRefiner().refine("what went wrong between 12:00 and 12:10?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=2, tables=[TABLE])
    assert [line.message for line in lines] == [
        "consumer rebalanced generation 0",
        "retrying upload of part 0",
    ]


# --- within a shape, the lines holding the question's numbers take its first places ----------------


def _shaped(message: str, shape: str, fields: str = "{}") -> tuple[Hit, str]:
    hit = _hit(message).model_copy(update={"shape_hash": shape, "fields_json": fields})
    return hit, "both"


def test_within_each_shape_the_lines_holding_a_number_of_the_question_come_first() -> None:
    ranked = [
        _shaped("worker 3 idle", "idle"),  # a shape where no line holds it keeps its order
        _shaped("job 3 finished in 20 s", "job"),
        _shaped("disk 1.7 full", "disk"),  # 1.7 is not 7
        _shaped("disk 7.5 full", "disk"),  # nor is 7.5
        _shaped("job 17 finished in 2 s", "job"),  # nor is 17
        _shaped("job 7 finished in 30 s", "job"),
        _shaped("disk 4 full", "disk"),
        _shaped("disk 9 full", "disk", '{"volume": "7"}'),  # a field holding it counts
    ]
    out = [hit.message for hit, _ in signals_first(ranked, ["job 7"])]
    assert out == [
        "worker 3 idle",
        "job 7 finished in 30 s",
        "disk 9 full",
        "disk 1.7 full",
        "job 3 finished in 20 s",
        "job 17 finished in 2 s",
        "disk 7.5 full",
        "disk 4 full",
    ]


def test_a_shape_whose_lines_all_hold_the_number_keeps_its_order_and_no_numbers_change_nothing() -> None:
    ranked = [_shaped("job 7 started", "a"), _shaped("job 7 done", "a"), _shaped("x 1", "b")]
    assert signals_first(ranked, ["7"]) == ranked
    assert signals_first(ranked, []) == ranked
    assert signals_first(ranked, [" "]) == ranked


def test_a_single_id_does_not_pull_every_line_of_its_kind_ahead_of_the_search(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        [
            _record(1, "GetUser failed for 10.0.0.7", 1, level="ERROR"),
            *(_record(1 + m, f"health probe from 10.0.1.{m} ok", 1 + m) for m in range(1, 9)),
            *(_record(20 + m, f"GET /v1/items/{m} 200 in {m + 3}ms", 20 + m) for m in range(1, 4)),
        ],
    )
    found = _found(store, "what did 10.0.0.7 do?")
    assert found[0] == ("GetUser failed for 10.0.0.7", "exact")
    assert [via for _, via in found].count("exact") == 1  # other addresses come from the search, if at all


@pytest.mark.parametrize("scope", ["table", "window"])
def test_whether_a_number_is_an_anchor_is_judged_within_the_questions_scope(
    tmp_path, embedder, scope: str
) -> None:
    """7 of the 12 lines in scope hold 'shard 12': not an anchor, though it is 7 of 32 in the thread."""
    rows = [_record(m, f"shard 12 replica {m} in sync", m) for m in range(7)]
    rows += [_record(20 + m, f"compaction of table t{m} finished", 20 + m) for m in range(5)]
    outside = [_record(200 + m, f"cache warmed in {m} ms", 100 + m) for m in range(20)]
    store = _store(tmp_path, embedder, rows + (outside if scope == "window" else []))
    if scope == "table":
        store.ingest(SESSION, OTHER, clean_records(outside, None).records)
    question = "is shard 12 healthy?" + (" between 12:00 and 12:30" if scope == "window" else "")
    plan = RuleRefiner().refine(question, now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=12, tables=[TABLE])
    assert lines and all(line.via != "exact" for line in lines)


def test_more_anchors_beat_a_better_score_and_among_equals_the_better_score_leads(tmp_path, embedder) -> None:
    filler = " ".join(f"step{i} ok" for i in range(30))
    both = f"pid 7111 {filler} then bound port 5433"
    store = _store(
        tmp_path,
        embedder,
        [
            _record(1, both, 1),
            _record(2, "port 5433 open", 2),
            _record(3, f"port 5433 probe {filler}", 3),
            *_gets(range(40, 46)),
        ],
    )
    found = _found(store, "what did pid 7111 do on port 5433?", k=3)
    assert [m for m, _ in found] == [both, "port 5433 open", f"port 5433 probe {filler}"]


# --- a result line carries what the row says, and a pattern's stats are exact -------------------------


def test_origin_is_the_first_field_naming_what_wrote_the_line() -> None:
    assert origin('{"pid": 7, "component": "ActivityManager", "program": "sshd"}') == "ActivityManager"
    assert origin('{"program": "  sshd  "}') == "sshd"
    assert origin('{"logger": 42}') == "42"
    assert origin('{"component": "' + "x" * 100 + '"}') == "x" * 80
    assert origin('{"component": " ", "tag": "kernel"}') == "kernel"
    assert origin('{"component": null, "app": ["a"]}') is None
    assert origin('["component"]') is None
    assert origin("not json") is None


def test_pid_is_the_process_id_a_record_names() -> None:
    assert pid('{"component": "sshd", "pid": "25457"}') == "25457"
    assert pid('{"process_id": 7}') == "7"
    assert pid('{"pid": " ", "process_id": 12}') == "12"
    assert pid('{"thread": "17632"}') is None
    assert pid("[]") is None


def test_identical_lines_keep_a_process_id_only_when_they_all_share_it() -> None:
    def said_by(process: str) -> Hit:
        return _hit("fatal: Write failed").model_copy(update={"fields_json": json.dumps({"pid": process})})

    line = to_result_line(said_by("25457"), via="fts", score=1.0)
    assert line.pid == "25457"
    merge_rows(line, [said_by("25457"), said_by("25457")])
    assert (line.pid, line.count) == ("25457", 2)
    merge_rows(line, [said_by("25457"), said_by("25463")])
    assert (line.pid, line.count) == (None, 2)


def test_a_result_line_takes_every_field_of_its_row() -> None:
    row = _hit("GET /x failed").model_copy(
        update={
            "service": "api",
            "env": "prod",
            "fields_json": '{"component": "router"}',
            "level": "ERROR",
            "host": "h1",
            "line": 12,
            "table": "logs_api_prod",
            "shape": "GET /x failed",
        }
    )
    line = to_result_line(row, via="fts", score=2.5)
    assert (line.service, line.env, line.origin, line.level, line.host) == (
        "api",
        "prod",
        "router",
        "ERROR",
        "h1",
    )
    assert (line.lines, line.table, line.shape, line.via, line.score, line.count) == (
        [12],
        "logs_api_prod",
        "GET /x failed",
        "fts",
        2.5,
        1,
    )
    bare = to_result_line(
        _hit("x").model_copy(update={"table": "", "shape": "", "line": None}), via="v", score=0
    )
    assert (bare.lines, bare.table, bare.shape, bare.origin) == ([], "", "", None)


def test_pattern_stats_count_days_span_and_the_busiest_hours_in_utc() -> None:
    def micros(*stamps: str) -> list[int]:
        return [int(datetime.fromisoformat(s).timestamp() * 1_000_000) for s in stamps]

    stats = pattern_stats(
        micros(
            "2024-05-01T02:10:00+00:00",
            "2024-05-01T02:50:00+00:00",
            "2024-05-03T02:05:00+00:00",
            "2024-05-03T23:59:59+00:00",
            "2024-05-04T05:00:00+00:00",
            "2024-05-04T05:30:00+00:00",
            "2024-05-04T09:00:00+00:00",
        )
    )
    assert stats is not None
    assert (stats.count, stats.days, stats.span_days) == (7, 3, 4)
    assert stats.first_seen == datetime(2024, 5, 1, 2, 10, tzinfo=UTC)
    assert stats.last_seen == datetime(2024, 5, 4, 9, 0, tzinfo=UTC)
    assert stats.busiest_hours == [2, 5, 9]  # most lines first, ties by the hour; at most three
    one = pattern_stats(micros("2024-05-01T23:00:00+00:00"))
    assert one is not None and (one.count, one.days, one.span_days, one.busiest_hours) == (1, 1, 1, [23])
    assert pattern_stats([]) is None


def test_each_result_carries_its_patterns_count_in_the_searched_scope(tmp_path, embedder) -> None:
    rows = [
        _record(m, f"upstream timeout calling ledger after {m}00 ms", m, level="ERROR") for m in range(1, 6)
    ]
    rows += [
        _record(40 + m, f"upstream timeout calling ledger after {m}00 ms", 40 + m, level="ERROR")
        for m in range(3)
    ]
    store = _store(tmp_path, embedder, rows)
    store.ingest(SESSION, OTHER, clean_records(rows[:2], None).records)
    for question, count in (
        ("why the 'upstream timeout' errors between 12:00 and 12:30?", 5),
        ("why 'upstream timeout'?", 8),
    ):
        plan = RuleRefiner().refine(question, now=NOW)
        lines, _ = Retriever(store).retrieve(SESSION, plan, k=10, tables=[TABLE])
        assert lines and {line.pattern.count for line in lines if line.pattern} == {count}, question
        assert all(line.pattern is not None for line in lines)


def test_a_window_with_no_stored_line_says_so_and_returns_nothing(tmp_path, embedder) -> None:
    store = _store(tmp_path, embedder, [_record(m, f"GET /v1/items/{m} 200", m) for m in range(30, 40)])
    plan = RuleRefiner().refine("what went wrong between 12:00 and 12:10?", now=NOW)
    assert Retriever(store).retrieve(SESSION, plan, k=10) == ([], [])  # no filter was dropped
    assert plan.read_notes == [
        "no stored line in 2026-03-01 12:00 → 2026-03-01 12:10 UTC"
        " (the stored lines run 2026-03-01 12:30 → 2026-03-01 12:39 UTC)"
    ]


def test_a_window_with_no_stored_line_still_finds_what_the_question_names(tmp_path, embedder) -> None:
    rows = [_record(m, f"GET /v1/items/{m} 200", m) for m in range(30, 40)]
    store = _store(tmp_path, embedder, [*rows, _record(41, "deadlock detected", 11, level="ERROR")])
    plan = RuleRefiner().refine("'deadlock detected' fired between 12:00 and 12:10: which rows?", now=NOW)
    lines, dropped = Retriever(store).retrieve(SESSION, plan, k=2)
    assert [line.message for line in lines][:1] == ["deadlock detected"] and dropped == []
    assert plan.read_notes[0] == (
        "no stored line in 2026-03-01 12:00 → 2026-03-01 12:10 UTC (the stored lines run 2026-03-01 12:30 → "
        "2026-03-01 12:41 UTC),"
        " so I searched them all for what the question names"
    )
    assert plan.window is None


def test_an_identifier_no_line_of_the_window_holds_is_searched_outside_it(tmp_path, embedder) -> None:
    rows = [_record(m, f"GET /v1/items/{m} 200", m) for m in range(30, 40)]
    created = _record(5, "Scaled up replica set checkout-api-5c7d9f6b8 to 2", 41)
    store = _store(tmp_path, embedder, [created, *rows])
    plan = RuleRefiner().refine(
        "where did replica set checkout-api-5c7d9f6b8 come from, between 12:30 and 12:45?", now=NOW
    )
    lines, dropped = Retriever(store).retrieve(SESSION, plan, k=3)
    assert lines[0].message == "Scaled up replica set checkout-api-5c7d9f6b8 to 2" and dropped == []
    assert plan.read_notes == [
        "no line in 2026-03-01 12:30 → 2026-03-01 12:45 UTC holds 'checkout-api-5c7d9f6b8', so I searched all"
        " the stored lines (the stored lines run 2026-03-01 12:05 → 2026-03-01 12:39 UTC)"
    ]
    assert plan.window is None
    # an identifier the window holds keeps the window; one no line holds keeps it too (and is named)
    inside = RuleRefiner().refine("what about 'GET /v1/items/31' between 12:30 and 12:45?", now=NOW)
    Retriever(store).retrieve(SESSION, inside, k=3)
    assert inside.window is not None
    nowhere = RuleRefiner().refine(
        "where did replica set web-0a1b2c3d come from, between 12:30 and 12:45?", now=NOW
    )
    _, missing = Retriever(store).retrieve(SESSION, nowhere, k=3)
    assert nowhere.window is not None and missing == ["'web-0a1b2c3d' (no stored line holds it)"]


def test_a_quoted_phrase_keeps_the_users_filter(tmp_path, embedder) -> None:
    store = _store(tmp_path, embedder, _user_rows())
    plan = RuleRefiner().refine("why is user 8812 'denied: not a member'?", now=NOW)
    lines, relaxed = Retriever(store).retrieve(SESSION, plan, k=10)
    assert [(line.message, line.user_id, line.via) for line in lines if line.via == "exact"] == [
        ("GetMembership denied: not a member", "8812", "exact")
    ]
    assert relaxed == []


def test_the_environment_is_relaxed_when_the_questions_table_has_none_of_it(tmp_path, embedder) -> None:
    store = _store(
        tmp_path, embedder, [_record(1, "GetUser failed: timeout", 1, level="ERROR", env="staging")]
    )
    store.ingest(SESSION, OTHER, clean_records([_record(1, "billing ok", 1, env="prod")], None).records)
    plan = RuleRefiner().refine("why is GetUser failing in prod?", now=NOW)
    lines, relaxed = Retriever(store).retrieve(SESSION, plan, k=10, tables=[TABLE])
    assert [line.message for line in lines] == ["GetUser failed: timeout"]
    assert relaxed == ["env=prod"]


# --- windows.settle_window: one table of the thread's, terms, the logs' clock --------------------


def _two_tables(tmp_path, embedder):
    """This table: routine lines 12:30–12:39 and a deadlock at 12:41; the other table: lines at
    12:00–12:10 and a deadlock at 12:35."""
    ours = [_record(m, f"GET /v1/items/{m} 200", m) for m in range(30, 40)]
    store = _store(tmp_path, embedder, [*ours, _record(41, "deadlock detected", 41, level="ERROR")])
    theirs = [_record(m, f"billing run {m} ok", m) for m in range(0, 11)] + [
        _record(35, "deadlock detected", 99)
    ]
    store.ingest(SESSION, OTHER, clean_records(theirs, None).records)
    return store


def test_a_window_only_another_table_holds_is_empty_for_this_table(tmp_path, embedder) -> None:
    store = _two_tables(tmp_path, embedder)
    plan = RuleRefiner().refine("what went wrong between 12:00 and 12:10?", now=NOW)
    assert Retriever(store).retrieve(SESSION, plan, k=5, tables=[TABLE]) == ([], [])
    assert plan.read_notes == [
        "no stored line in 2026-03-01 12:00 → 2026-03-01 12:10 UTC"
        " (the stored lines run 2026-03-01 12:30 → 2026-03-01 12:41 UTC)"
    ]
    # in the logs' own clock (+08:00) when they were written in one
    east = RuleRefiner().refine("what went wrong between 20:00 and 20:10?", now=NOW, utc_offset=480)
    Retriever(store).retrieve(SESSION, east, k=5, tables=[TABLE])
    assert east.read_notes == [
        "no stored line in 2026-03-01 20:00 → 2026-03-01 20:10 (+08:00)"
        " (the stored lines run 2026-03-01 20:30 → 2026-03-01 20:41 (+08:00))"
    ]


def test_an_identifier_only_another_table_holds_in_the_window_is_searched_outside_it(
    tmp_path, embedder
) -> None:
    store = _two_tables(tmp_path, embedder)
    plan = RuleRefiner().refine("'deadlock detected' between 12:30 and 12:39: which rows?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=2, tables=[TABLE])
    assert lines[0].message == "deadlock detected" and lines[0].lines == [41]
    assert plan.read_notes[0].startswith(
        "no line in 2026-03-01 12:30 → 2026-03-01 12:39 UTC holds 'deadlock detected'"
    )
    assert plan.window is None


def test_an_empty_window_with_a_number_to_find_searches_everything(tmp_path, embedder) -> None:
    store = _two_tables(tmp_path, embedder)
    plan = RuleRefiner().refine("what did item 33 log between 12:00 and 12:10?", now=NOW)
    assert plan.terms and not plan.identifiers and not plan.field_filters
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=1, tables=[TABLE])
    assert lines[0].message == "GET /v1/items/33 200"
    assert plan.read_notes[0].endswith(", so I searched them all for what the question names")


def test_identifiers_outside_the_window_are_named_in_the_logs_clock_for_this_table_only(
    tmp_path, embedder
) -> None:
    store = _two_tables(tmp_path, embedder)
    both = RuleRefiner().refine(
        "'deadlock detected' or 'billing run 3 ok' between 20:30 and 20:35?", now=NOW, utc_offset=480
    )
    Retriever(store).retrieve(SESSION, both, k=2, tables=[TABLE])
    assert both.read_notes[0] == (
        "no line in 2026-03-01 20:30 → 2026-03-01 20:35 (+08:00) holds 'deadlock detected',"
        " 'billing run 3 ok', so I searched all the stored lines"
        " (the stored lines run 2026-03-01 20:30 → 2026-03-01 20:41 (+08:00))"
    )
    # held only by another table of the thread: the window stays, and the answer says no line holds it
    theirs = RuleRefiner().refine("'billing run 3 ok' between 20:30 and 20:35?", now=NOW, utc_offset=480)
    _, missing = Retriever(store).retrieve(SESSION, theirs, k=2, tables=[TABLE])
    assert theirs.window is not None and missing == ["'billing run 3 ok' (no stored line holds it)"]
    assert theirs.read_notes == []


def test_the_questions_hits_naming_its_short_id_come_first_each_part_in_its_order() -> None:
    hits = [
        _shaped("Server api_back/api1 is DOWN", "down")[0],
        _shaped("Server api_back/api3 is DOWN", "down")[0],
        _shaped("backend api_back has no server available", "none")[0],
        _shaped("Health check for server api_back/api3 failed", "check")[0],
        _shaped("Server api_back/api33 is UP", "up")[0],  # api33 is not api3
        _shaped("request served", "req", '{"server": "api3"}')[0],  # a field naming it counts
    ]
    out = [hit.message for hit in holders_first(hits, ["api3"])]
    assert out == [
        "Server api_back/api3 is DOWN",
        "Health check for server api_back/api3 failed",
        "request served",
        "Server api_back/api1 is DOWN",
        "backend api_back has no server available",
        "Server api_back/api33 is UP",
    ]
    assert holders_first(hits, []) == hits
    assert holders_first(hits, ["api9"]) == hits


def test_where_a_missing_name_is_said_to_be_reads_the_tables_and_filters_asked(tmp_path, embedder) -> None:
    """`windows.absent` and `unheld_numbers`: the other table's 'billing run 3 ok' is not ours to
    count; lines after the window count as outside it; a window with an end only is a time too;
    a level filter that leaves the lines out is said as the filters, not the time."""
    store = _two_tables(tmp_path, embedder)
    store.ingest(SESSION, TABLE, clean_records([_record(50, "late lease for 10.0.0.9", 50)], None).records)
    held = identifier_clause("10.0.0.9")
    window = SearchFilters(start=BASE + timedelta(minutes=30), end=BASE + timedelta(minutes=35))
    assert absent(store, SESSION, [TABLE], window, held) == (
        "no line in the time asked about holds it; 1 stored line outside it does"  # after the window
    )
    since = SearchFilters(end=BASE + timedelta(minutes=45))
    assert absent(store, SESSION, [TABLE], since, held).startswith("no line in the time asked about")
    errors = window.model_copy(update={"min_level": "ERROR"})  # the deadlock is an ERROR, not the lease
    assert absent(store, SESSION, [TABLE], errors, held).startswith("no line the question's filters keep")
    # an ERROR holding it in the other table does not make the time the reason in ours
    billing = [_record(20, "lease lost for 10.0.0.9", 98, level="ERROR")]
    store.ingest(SESSION, OTHER, clean_records(billing, None).records)
    assert absent(store, SESSION, [TABLE], errors, held).startswith("no line the question's filters keep")
    theirs = identifier_clause("billing run 3 ok")
    assert absent(store, SESSION, [TABLE], window, theirs) == "no stored line holds it"
    plan = RuleRefiner().refine("did run 3 of billing go ok?", now=NOW)
    assert unheld_numbers(store, SESSION, [TABLE], plan, SearchFilters()) == ["'3' (no stored line holds it)"]
    assert unheld_numbers(store, SESSION, None, plan, SearchFilters()) == []

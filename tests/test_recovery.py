"""'Did it recover? are orders going through again?': the trouble's last line, then what came right
after it, not the routine success lines of the whole day (`workflows/recovery.py`). Small real
LanceDB, the real model."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_retrieve_rules import BASE, NOW, SESSION, _ask, _rows, _store

from sre_agent.answer import render_answer
from sre_agent.indexes import Hit, SearchFilters
from sre_agent.models import LogRecord
from sre_agent.shapes import message_shape
from sre_agent.workflows.recovery import (
    AFTER,
    BACKGROUND,
    STILL,
    after_trouble,
    asks_about_recovery,
    each_word_first,
    fix_text,
    fixed_after,
    recovery_lines,
    recovery_note,
    trouble_end,
    trouble_of,
)
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.results import SearchResult
from sre_agent.workflows.retrieve import Retriever


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("did it recover after that? are orders going through again?", True),
        ("is it still failing?", True),
        ("are payments working again", True),
        ("has the replica recovered?", True),
        ("back to normal now?", True),
        ("did the errors stop? is it fixed?", True),
        ("did it calm down after they compacted that table?", True),
        ("any more of those aborted reads since?", True),
        ("has it settled down", True),
        ("did it clear up by noon?", True),
        ("did it drain, or is anything still stuck?", True),
        ("has the queue caught up?", True),
        ("are the consumers catching up", True),
        ("how do I drain a node?", False),
        ("why is the queue stuck?", False),
        ("how many more errors since yesterday than the day before?", False),
        ("when was the last 'timeout' before it cleared up?", False),
        ("why are orders failing?", False),
        ("what happened after it recovered at 14:30?", False),
        ("how do I recover a deleted table?", False),
    ],
)
def test_which_questions_ask_whether_the_trouble_is_over(question: str, asks: bool) -> None:
    assert asks_about_recovery(question) is asks


def test_did_it_recover_gets_the_last_failure_then_what_came_after(tmp_path, embedder) -> None:
    gets = [(m, f"GET /orders?user=u{m} -> 200", {"host": "api-1"}) for m in range(0, 60, 2)]
    failures = [
        (
            m,
            f"Failed to create order for cart c-{m}: cannot execute INSERT in a read-only transaction",
            {"level": "ERROR"},
        )
        for m in range(20, 31)
    ]
    store = _store(
        tmp_path,
        embedder,
        _rows(
            *gets,
            *failures,
            (31, "Rebinding datasource: jdbc:postgresql://orders-db-ro -> orders-db-primary"),
            (33, "POST /orders user=u7 order=ord-77 -> 201"),
        ),
    )
    found, _ = _ask(store, "did it recover after that? are orders going through again?", k=5)
    # the last failure (at minute 30) first, then the lines after it, none from before it
    assert (
        found[0] == "Failed to create order for cart c-30: cannot execute INSERT in a read-only transaction"
    )
    assert "POST /orders user=u7 order=ord-77 -> 201" in found[1:5]
    assert "Rebinding datasource: jdbc:postgresql://orders-db-ro -> orders-db-primary" in found[1:5]
    early = {f"GET /orders?user=u{m} -> 200" for m in range(0, 30, 2)}
    assert not early & set(found[:5])


def test_with_a_window_named_the_question_gets_that_windows_lines(tmp_path, embedder) -> None:
    gets = [(m, f"GET /orders?user=u{m} -> 200", {"host": "api-1"}) for m in range(0, 60, 2)]
    failures = [
        (m, f"Failed to create order for cart c-{m}: read-only transaction", {"level": "ERROR"})
        for m in range(20, 31)
    ]
    store = _store(
        tmp_path, embedder, _rows(*gets, *failures, (33, "POST /orders user=u7 order=ord-77 -> 201"))
    )
    found, _ = _ask(store, "ok, and 12:20 to 12:28 - still failing, or did it clear up?", k=3)
    assert all(line.startswith("Failed to create order") for line in found[:3])
    assert "Failed to create order for cart c-30: read-only transaction" not in found  # after the window


def test_a_moment_named_for_the_fix_still_gets_the_troubles_end_and_what_came_after(
    tmp_path, embedder
) -> None:
    gets = [(m, f"GET /orders?user=u{m} -> 200", {"host": "api-1"}) for m in range(0, 60, 2)]
    failures = [
        (m, f"Failed to create order for cart c-{m}: read-only transaction", {"level": "ERROR"})
        for m in range(20, 31)
    ]
    rows = [*gets, *failures, (33, "POST /orders user=u7 order=ord-77 -> 201")]
    store = _store(tmp_path, embedder, _rows(*rows))
    question = "they failed the db over around 12:31. did it recover after that?"
    plan = RuleRefiner().refine(question, now=NOW)
    assert plan.window_at_moment and plan.window is not None
    assert not RuleRefiner().refine("from 12:20 to 12:28, did it recover?", now=NOW).window_at_moment
    found, _ = _ask(store, question, k=3)
    assert found[0] == "Failed to create order for cart c-30: read-only transaction"
    assert "POST /orders user=u7 order=ord-77 -> 201" in found[1:3]


def test_recovery_lines_give_each_kinds_last_line_latest_first_and_the_stretch_after(
    tmp_path, embedder
) -> None:
    rows = [
        (-90, "metrics push failed: 401 Unauthorized", {"level": "ERROR"}),
        (20, "Failed to create order: read-only transaction", {"level": "ERROR"}),
        (25, "Failed to create order: read-only transaction", {"level": "ERROR"}),
        (26, "POST /orders order=17 -> 201"),
        (27, "Kafka publish failed: broker not available", {"level": "ERROR"}),
        (28, "POST /orders order=18 -> 201"),
        (30, "metrics push failed: 401 Unauthorized", {"level": "ERROR"}),
    ]
    store = _store(tmp_path, embedder, _rows(*rows))
    shapes = [message_shape(rows[1][1]), message_shape(rows[4][1]), message_shape(rows[0][1])]
    last, ended = recovery_lines(store, SESSION, None, SearchFilters(), shapes)
    by_id = {row.id: row for row in store.scan(SESSION)}
    assert [by_id[i].timestamp for i in last] == [BASE + timedelta(minutes=m) for m in (30, 27, 25)]
    # the trouble ends with the last of its kinds that began with it (the Kafka failure at 27),
    # not with the metrics push that has failed since long before (its line at 30)
    assert ended is not None
    after = after_trouble(SearchFilters(), ended)
    assert (after.start, after.end) == (
        BASE + timedelta(minutes=27, microseconds=1),
        BASE + timedelta(minutes=42),
    )
    assert recovery_lines(store, SESSION, None, SearchFilters(), []) == ([], None)
    # both lines of one kind after the trouble come, the first of each kind first
    found, _ = _ask(store, "did it recover?", k=10)
    assert found.index("POST /orders order=17 -> 201") < found.index("POST /orders order=18 -> 201")


def test_after_the_trouble_the_quieter_lines_come_before_its_stragglers(tmp_path, embedder) -> None:
    rows = [(m, "Failed to create order: read-only transaction", {"level": "ERROR"}) for m in range(20, 26)]
    rows += [
        (26, "Unhandled exception for PUT /api/v1/carts/c_1", {"level": "ERROR"}),  # a straggler
        (27, "Unhandled exception for PUT /api/v1/carts/c_2", {"level": "ERROR"}),
        (27.5, "HikariPool-1 - Connection is not available, request timed out", {"level": "WARN"}),
        (28, "Full resync committed: 184233 rows"),
        (29, "Order ORD-24-4647627 placed for cart c_7f3e91a2"),
    ]
    store = _store(tmp_path, embedder, _rows(*rows))
    found, _ = _ask(store, "how long did it hang on, and did orders go thru again after it let go?", k=4)
    # each kind's last failure (latest first), then after the main one's: the quieter lines first,
    # though a straggler of the trouble came before them
    assert found == [
        "Unhandled exception for PUT /api/v1/carts/c_2",
        "Failed to create order: read-only transaction",
        "Full resync committed: 184233 rows",
        "Order ORD-24-4647627 placed for cart c_7f3e91a2",
    ]


def test_only_the_three_error_patterns_with_most_lines_are_the_trouble(tmp_path, embedder) -> None:
    rows = [
        (m, f"kind {kind} failed: boom", {"level": "ERROR"})
        for kind, count in zip("abcd", (5, 4, 3, 1), strict=True)
        for m in range(10, 10 + count)
    ]
    rows.append((40, "kind d failed: boom", {"level": "ERROR"}))  # the rarest kind, latest of all
    store = _store(tmp_path, embedder, _rows(*rows))
    assert trouble_of(store, SESSION, None, SearchFilters(), []) == [
        message_shape(f"kind {kind} failed: boom") for kind in "abc"
    ]


def _failing_until(last_minute: int, logs_end: int) -> list:
    gets = [(m, f"GET /orders?user=u{m} -> 200", {"host": "api-1"}) for m in range(0, logs_end + 1, 2)]
    failures = [
        (m, f"Failed to create order for cart c-{m}: read-only transaction", {"level": "ERROR"})
        for m in range(20, last_minute + 1)
    ]
    return _rows(*gets, *failures)


def test_the_answer_says_when_the_trouble_last_showed_and_that_the_logs_go_on_without_it(
    tmp_path, embedder
) -> None:
    store = _store(tmp_path, embedder, _failing_until(30, 58))
    plan = RuleRefiner().refine("did it recover? is it still failing?", now=NOW)
    Retriever(store).retrieve(SESSION, plan, k=5)
    assert plan.recovery == (
        "The trouble's last line, `Failed to create order for cart c-30: read-only transaction`, is at"
        " 2026-03-01 12:30:00 UTC; the stored logs go on for 28m after it (to 2026-03-01 12:58:00) without"
        " another."
    )
    assert "**Recovery**: The trouble's last line" in render_answer(
        SearchResult(question=plan.question, session=SESSION, plan=plan)
    )


def test_a_trouble_still_logged_near_the_end_of_the_logs_is_not_called_over(tmp_path, embedder) -> None:
    store = _store(tmp_path, embedder, _failing_until(56, 58))
    plan = RuleRefiner().refine("did it recover? is it still failing?", now=NOW, utc_offset=120)
    Retriever(store).retrieve(SESSION, plan, k=5)
    assert plan.recovery == (
        "Not recovered as far as the stored logs go: the trouble was still being logged when they end"
        " (its last line, `Failed to create order for cart c-56: read-only transaction`, at"
        " 2026-03-01 14:56:00 (+02:00), 2m before the last stored line)."
    )
    named = RuleRefiner().refine("between 12:20 and 12:28 - still failing?", now=NOW)
    Retriever(store).retrieve(SESSION, named, k=5)
    assert named.recovery is None  # a window named: its own lines answer, no verdict over the whole log


def test_the_recovery_sentence_at_its_bounds() -> None:
    said = "Failed to create order `c-56`: " + "x" * 80
    last = Hit.model_construct(timestamp=BASE, message=said + "\nCaused by: read-only")
    over = recovery_note(last, BASE + STILL, 120)  # exactly STILL later: the logs went on without it
    assert over == (
        "The trouble's last line, `Failed to create order 'c-56': " + "x" * 49 + "`, is at "
        "2026-03-01 14:00:00 (+02:00); the stored logs go on for 5m after it (to 2026-03-01 14:05:00)"
        " without another."
    )
    still = recovery_note(last, BASE + STILL - timedelta(seconds=1), None)
    assert still.startswith("Not recovered as far as the stored logs go:")


def test_a_kind_that_began_exactly_an_hour_before_the_trouble_is_part_of_it() -> None:
    began = {
        "main": BASE,
        "with it": BASE - BACKGROUND,
        "before it": BASE - BACKGROUND - timedelta(seconds=1),
    }
    ends = {
        "main": (BASE + timedelta(minutes=5), "a"),
        "with it": (BASE + timedelta(minutes=9), "b"),
        "before it": (BASE + timedelta(minutes=30), "c"),
    }
    assert trouble_end(["main", "with it", "before it"], began, ends) == BASE + timedelta(minutes=9)


def _service_rows(*lines: tuple[float, str, str, str]) -> list[LogRecord]:
    """(minute, service, level, message) → records at BASE + minute."""
    return [
        LogRecord(
            timestamp=BASE + timedelta(minutes=m),
            message=msg,
            level=level,
            service=service,
            source="t.jsonl",
            line=n,
        )
        for n, (m, service, level, msg) in enumerate(lines, 1)
    ]


def test_a_shape_with_failing_lines_counts_only_those_as_the_trouble(tmp_path, embedder) -> None:
    # one access-line shape holds the 502s and the 201s around them: the trouble is the 502s
    failing = [(m, "gw", "ERROR", f"POST /orders status=502 latency={m}ms") for m in range(20, 26)]
    fine = [(m, "gw", "INFO", f"POST /orders status=201 latency={m}ms") for m in range(10, 41, 3)]
    store = _store(tmp_path, embedder, _service_rows(*sorted(failing + fine)))
    shape = message_shape("POST /orders status=502 latency=20ms")
    assert shape == message_shape("POST /orders status=201 latency=40ms")
    last, ended = recovery_lines(store, SESSION, None, SearchFilters(), [shape])
    assert ended == BASE + timedelta(minutes=25)
    assert [row.message for row in store.scan(SESSION) if row.id in last] == [
        "POST /orders status=502 latency=25ms"
    ]


def test_after_the_trouble_the_lines_of_the_services_in_trouble_come_first(tmp_path, embedder) -> None:
    rows = [(m, "createOrder", "ERROR", "Task timed out after 6.01 seconds") for m in range(20, 26)]
    rows += [
        (26, "thumbs", "INFO", "resizing products/P1/IMG_1.jpg"),
        (27, "thumbs", "INFO", "wrote 3 thumbnails for products/P1/IMG_1.jpg"),
        (28, "createOrder", "INFO", "START RequestId: 3d39 Version: 41"),
        (29, "createOrder", "INFO", "order ord_1 created for customer cus_1"),
    ]
    store = _store(tmp_path, embedder, _service_rows(*rows))
    found, _ = _ask(store, "they flipped the alias back. did it recover after that?", k=5)
    assert found == [
        "Task timed out after 6.01 seconds",
        "START RequestId: 3d39 Version: 41",
        "order ord_1 created for customer cus_1",
        "resizing products/P1/IMG_1.jpg",
        "wrote 3 thumbnails for products/P1/IMG_1.jpg",
    ]


def test_a_shape_whose_failing_lines_are_warnings_counts_only_those(tmp_path, embedder) -> None:
    warned = [(m, "gw", "WARN", f"POST /orders status=429 latency={m}ms") for m in range(20, 24)]
    fine = [(m, "gw", "INFO", f"POST /orders status=201 latency={m}ms") for m in range(10, 41, 3)]
    store = _store(tmp_path, embedder, _service_rows(*sorted(warned + fine)))
    last, ended = recovery_lines(
        store, SESSION, None, SearchFilters(), [message_shape("POST /orders status=429 latency=1ms")]
    )
    assert ended == BASE + timedelta(minutes=23)
    assert [row.message for row in store.scan(SESSION) if row.id in last] == [
        "POST /orders status=429 latency=23ms"
    ]


def test_a_fix_that_came_later_than_the_stretch_after_the_trouble_is_where_it_reads_on(
    tmp_path, embedder
) -> None:
    rows = [(m, "api", "ERROR", "Failed to create order: too many clients already") for m in range(10, 21)]
    rows += [(m + 0.5, "api", "INFO", f"retry queue holds {m} jobs") for m in range(21, 36)]
    rows += [
        (36, "deploy", "INFO", "Rolled back deployment orders-worker to revision 41"),
        (37, "api", "INFO", "Order ord_9 placed for cart c_1"),
    ]
    store = _store(tmp_path, embedder, _service_rows(*sorted(rows)))
    ended = BASE + timedelta(minutes=20)
    moved = fixed_after(store, SESSION, None, SearchFilters(), ended)
    assert (moved.start, moved.end) == (BASE + timedelta(minutes=36), BASE + timedelta(minutes=51))
    found, _ = _ask(store, "they rolled the workers back. did it recover after that?", k=3)
    assert found == [
        "Failed to create order: too many clients already",
        "Order ord_9 placed for cart c_1",
        "Rolled back deployment orders-worker to revision 41",
    ]


def test_the_stretch_after_the_trouble_stays_when_a_change_is_in_it_or_none_comes_within_the_hour(
    tmp_path, embedder
) -> None:
    rows = [(m, "api", "ERROR", "Failed to create order: too many clients already") for m in range(10, 21)]
    rows += [(34, "deploy", "INFO", "Rolled back deployment orders-worker to revision 41")]
    rows += [(101, "deploy", "INFO", "Rolled out deployment orders-worker revision 42")]
    store = _store(tmp_path, embedder, _service_rows(*sorted(rows)))
    ended = BASE + timedelta(minutes=20)
    kept = fixed_after(store, SESSION, None, SearchFilters(), ended)  # the rollback at 34 is in it
    assert (kept.start, kept.end) == (ended + timedelta(microseconds=1), ended + AFTER)
    later = BASE + timedelta(minutes=40)  # the next change is 61 min on: not this trouble's fix
    alone = fixed_after(store, SESSION, None, SearchFilters(), later)
    assert (alone.start, alone.end) == (later + timedelta(microseconds=1), later + AFTER)


@pytest.mark.parametrize(
    ("question", "done"),
    [
        (
            "someone defragged every member and disarmed it ~14:30. did it come back after that, or is "
            "anything still failing?",
            "defragged every member disarmed",
        ),
        (
            "they put the old resolvers back and flushed the queue. did it drain, or is anything still "
            "stuck?",
            "old resolvers flushed queue",
        ),
        (
            "did it calm down after they compacted that table? any more of those aborted reads since?",
            "compacted table",
        ),
        ("they put it back a while ago and started the osds again. is it healthy now?", "started osds"),
        # too little said about what was done: the failing words and "they set it back" are not a fix
        ("they set it back a while ago. did it recover after that or is it still happening?", None),
        ("they rolled the workers back. did it recover after that?", None),
        ("is it still failing? are the errors degraded?", None),
        ("is it still failing?", None),
        # nobody did anything: not a fix
        ("how long did it hang on, and did orders go thru again after it let go?", None),
        # each clause of someone doing something; the asking part is not one; short names count
        ("they rolled it back. then someone flushed the queue. is it still stuck?", "flushed queue"),
        ("someone restarted the broker and are orders working again?", "restarted broker orders"),
        ("they rebooted the db host. is it still failing?", "rebooted host"),
    ],
)
def test_what_a_recovery_question_says_was_done(question: str, done: str | None) -> None:
    assert fix_text(question) == done


def _named(message: str) -> Hit:
    return Hit(
        id=message,
        table="logs_all_prod",
        timestamp=BASE,
        message=message,
        shape=message,
        shape_hash=message,
        msg_hash=message,
        level_rank=2,
        score=1.0,
        via="both",
    )


def test_each_thing_done_gets_its_best_line_before_more_of_the_first() -> None:
    hits = [
        _named(m) for m in ("defragmenting", "Members: 3", "finished defragmenting", "alarm disarmed", "ok")
    ]
    ordered = each_word_first(hits, ["defragged", "every", "member", "disarmed"])
    # "membe" is held by "Members: 3" only in its capital form: the words are read case-blind; a
    # line holding none of the words ("ok") is not what was done
    assert [hit.message for hit in ordered] == [
        "defragmenting",
        "Members: 3",
        "alarm disarmed",
        "finished defragmenting",
    ]
    # a word shorter than the stem is matched whole, at the start of a word of the line; a hit
    # holding nothing new waits
    ok = [_named("the threshold"), _named("b ok"), _named("a ok"), _named("an older one")]
    assert [h.message for h in each_word_first(ok, ["ok", "old"])] == ["b ok", "an older one", "a ok"]


def test_did_it_recover_after_what_they_did_gets_the_lines_saying_it_was_done(tmp_path, embedder) -> None:
    rows = [(m, "apiserver", "ERROR", "etcdserver: mvcc: database space exceeded") for m in range(10, 31)]
    rows += [(m + 0.5, "etcd", "INFO", f"compacted revision {m * 1000}") for m in range(0, 30, 3)]
    rows += [(m + 0.2, "etcd", "INFO", "defragmenting") for m in (24, 26, 28)]
    rows += [(-5, "etcd", "INFO", "defragmenting member 3 of the old cluster")]  # 35 min before the end
    rows += [(95, "etcd", "WARN", "alarm disarmed: NOSPACE on member 2")]  # 65 min after it
    rows += [(m + 0.7, "etcd", "INFO", "finished defragmenting directory") for m in (24, 26, 28)]
    rows += [
        (31, "etcd", "WARN", "alarm disarmed"),
        (32, "scheduler", "INFO", "successfully acquired lease kube-system/kube-scheduler"),
    ]
    store = _store(tmp_path, embedder, _service_rows(*sorted(rows)))
    found, _ = _ask(store, "someone defragged every member and disarmed it. is it still failing?", k=5)
    # (the defrag line long before the trouble's end, and the alarm long after it, are not read)
    assert found[0] == "etcdserver: mvcc: database space exceeded"
    # what was done, each thing once, before what came after the trouble
    assert found[1:4] == ["defragmenting", "alarm disarmed", "finished defragmenting directory"]
    assert found[4] == "successfully acquired lease kube-system/kube-scheduler"
    # without words for what was done, the lines after the trouble come right after its last line
    plain, _ = _ask(store, "is it still failing?", k=2)
    assert plain == [
        "etcdserver: mvcc: database space exceeded",
        "successfully acquired lease kube-system/kube-scheduler",
    ]


def test_the_fix_the_question_names_is_a_change_first_and_what_came_after_it_is_read_from_it(
    tmp_path, embedder
) -> None:
    rows = [(m, "mta", "ERROR", "map error: cannot resolve maps.example.com") for m in range(10, 31, 2)]
    rows += [(m + 0.5, "smtp", "INFO", f"mail q{m} deferred: host not found") for m in range(10, 40, 3)]
    rows += [(m + 0.2, "dns", "INFO", f"resolver cache holds {m} names") for m in range(0, 60, 5)]
    rows += [
        (41, "ansible", "INFO", "config copied: /etc/resolv.conf from resolv.conf.bak"),
        (42, "smtp", "INFO", "mail q41 sent to gmail"),
        (43, "smtp", "INFO", "mail q42 removed from queue"),
    ]
    store = _store(tmp_path, embedder, _service_rows(*sorted(rows)))
    question = "they put the old resolvers back a while ago. is anything still stuck?"
    found, _ = _ask(store, question, k=5)
    # the trouble's last line; then what was done, the change before the lines that only hold the
    # word ("resolver cache"); then what came after that change (not the deferrals between the
    # trouble's end at 30 and the fix at 41)
    assert found[:2] == [
        "map error: cannot resolve maps.example.com",
        "config copied: /etc/resolv.conf from resolv.conf.bak",
    ]
    assert found[2].startswith("resolver cache holds ") and found[3].startswith("resolver cache holds ")
    assert found[4] == "mail q41 sent to gmail"
    assert not [line for line in found if "deferred" in line]

"""Following the requests of the lines found (`workflows/requests.py`): the lower layer's warnings
of the same requests, which name neither the user nor the id asked about, come right after the
first lines found; exact orders on a small real LanceDB with the real model."""

from __future__ import annotations

from datetime import timedelta

from test_retrieve_mutants import _hit
from test_retrieve_rules import BASE, NOW, SESSION, TABLE, _store

from sre_agent.clean import clean_records
from sre_agent.models import LogRecord
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.requests import (
    FOLLOW_AFTER,
    asks_about_someone,
    follow_requests,
    followed_note,
    place_followed,
    request_ids,
)
from sre_agent.workflows.retrieve import Retriever

THROTTLED = "DynamoDB GetItem throttled on table memberships: ProvisionedThroughputExceededException"


def _line(second: int, message: str, level: str = "INFO", **columns: str) -> LogRecord:
    return LogRecord(
        timestamp=BASE + timedelta(seconds=second), message=message, level=level, line=second + 1, **columns
    )


def _records() -> list[LogRecord]:
    out = []
    for i in range(3):  # user 123's requests: the API layer names the user, the store layer does not
        request = f"req-u123-{i}"
        out.append(
            _line(
                10 * i,
                f"GetMembership called by user 123 for district {i}",
                user_id="123",
                request_id=request,
            )
        )
        out.append(_line(10 * i + 1, THROTTLED, "WARN", request_id=request))
        out.append(_line(10 * i + 2, "cache miss for district membership", "DEBUG", request_id=request))
        out.append(
            _line(
                10 * i + 3,
                "GetMembership failed: DEADLINE_EXCEEDED",
                "ERROR",
                user_id="123",
                request_id=request,
            )
        )
    for i in range(40):  # everyone else
        request = f"req-other-{i}"
        out.append(
            _line(
                100 + i,
                f"GetMembership OK: user {5000 + i} is member",
                user_id=str(5000 + i),
                request_id=request,
            )
        )
        out.append(
            _line(100 + i, "connection pool near its limit (48 of 50 in use)", "WARN", request_id=request)
        )
    return out


def test_the_users_requests_bring_the_store_layers_warnings_that_do_not_name_the_user(
    tmp_path, embedder
) -> None:
    store = _store(tmp_path, embedder, _records())
    plan = RuleRefiner().refine("why is GetMembership failing for user 123?", now=NOW)
    assert plan.field_filters == {"user_id": "123"}
    lines, dropped = Retriever(store).retrieve(SESSION, plan, k=10)
    messages = [line.message for line in lines]
    assert dropped == []  # following the requests drops no filter
    assert THROTTLED in messages
    assert messages.index(THROTTLED) <= FOLLOW_AFTER  # right after the first lines found
    assert next(line for line in lines if line.message == THROTTLED).via == "request"
    # other requests' warnings, and the same requests' DEBUG lines, are not followed
    assert "connection pool near its limit (48 of 50 in use)" not in messages
    assert "cache miss for district membership" not in messages
    assert (
        "followed 3 requests of the lines found: 3 line(s) at WARN or worse of the same requests that "
        "do not name what was asked"
    ) in plan.read_notes


def test_a_question_about_a_request_is_not_followed_again(tmp_path, embedder) -> None:
    store = _store(tmp_path, embedder, _records())
    plan = RuleRefiner().refine("can you trace req-u123-1? where did the time go?", now=NOW)
    lines, notes = Retriever(store).retrieve(SESSION, plan, k=10)
    assert not any(note.startswith("followed") for note in notes)
    assert all(line.via != "request" for line in lines)


def test_a_question_naming_nobody_follows_no_request(tmp_path, embedder) -> None:
    store = _store(tmp_path, embedder, _records())
    plan = RuleRefiner().refine("is the connection pool running out?", now=NOW)
    _, notes = Retriever(store).retrieve(SESSION, plan, k=10)
    assert not any(note.startswith("followed") for note in notes)


def test_request_ids_are_the_first_hits_distinct_ones_in_order() -> None:
    hits = [
        _hit(f"h{i}").model_copy(update={"request_id": r}) for i, r in enumerate(["a", None, "b", "a", "c"])
    ]
    assert request_ids(hits) == ["a", "b", "c"]
    assert request_ids([]) == []


def test_followed_lines_go_after_the_first_three_distinct_messages_and_their_repeats() -> None:
    def item(message: str) -> tuple:
        return (_hit(message), "fts")

    ranked = [item("a"), item("a"), item("b"), item("c"), item("c"), item("d"), item("e")]
    followed = [item("x"), item("y")]
    out = [hit.message for hit, _ in place_followed(ranked, followed)]
    assert out == ["a", "a", "b", "c", "c", "x", "y", "d", "e"]
    short = [item("a"), item("b")]
    assert [hit.message for hit, _ in place_followed(short, followed)] == ["a", "b", "x", "y"]


def test_who_is_asked_about() -> None:
    def plan(question: str):
        return RuleRefiner().refine(question, now=NOW)

    assert asks_about_someone(plan("why is GetMembership failing for user 123?"))  # a user
    assert asks_about_someone(plan("what happened to blk_-4567?"))  # an identifier
    assert not asks_about_someone(plan("can you trace req-u123-1?"))  # a request: its own lines
    assert not asks_about_someone(plan("is the connection pool running out?"))  # nobody
    both = plan("why is user 123 failing?").model_copy(
        update={"field_filters": {"user_id": "123", "request_id": "r1"}}
    )
    assert not asks_about_someone(both)  # a user's request: its own lines


def test_following_keeps_to_the_window_environment_and_tables_worst_first(tmp_path, embedder) -> None:
    """Of the followed requests' lines: WARN or worse only, in the question's window and
    environment and tables; the worse level first, then the older."""
    at = 30 * 60  # 12:30, in the question's window 12:00-13:00

    def r1(second: int, message: str, level: str, env: str = "prod") -> LogRecord:
        return _line(at + second, message, level, request_id="r1", env=env)

    ours = [
        _line(at, "GetMembership called by user 7", "INFO", user_id="7", request_id="r1", env="prod"),
        r1(2, "store: slow GetItem", "WARN"),
        r1(1, "store: GetItem throttled", "WARN"),
        r1(3, "store: retries exhausted", "ERROR"),
        r1(4, "store: cache refreshed", "INFO"),
        r1(5, "staging: same request id replayed", "ERROR", env="staging"),
        r1(3 * 3600, "store: late retry of r1", "ERROR"),
        r1(-3600, "store: early try of r1", "ERROR"),
    ]
    theirs = [_line(at, "billing: r1 refused", "ERROR", request_id="r1", env="prod")]
    store = _store(tmp_path, embedder, ours)
    store.ingest(SESSION, "logs_billing_prod", clean_records(theirs, None).records)
    plan = RuleRefiner().refine("why is user 7 failing in prod between 12:00 and 13:00?", now=NOW)
    assert plan.window is not None and plan.environment == "prod"
    found = [_hit("asked").model_copy(update={"request_id": "r1", "table": TABLE})]
    followed = follow_requests(store, SESSION, [TABLE], plan, found)
    assert [hit.message for hit in followed] == [
        "store: retries exhausted",
        "store: GetItem throttled",
        "store: slow GetItem",
    ]
    assert follow_requests(store, SESSION, [TABLE], plan, []) == []


def test_the_note_names_one_request_or_several() -> None:
    assert followed_note(1, 2) == (
        "followed 1 request of the lines found: 2 line(s) at WARN or worse of the same request that do not "
        "name what was asked"
    )
    assert followed_note(2, 1).startswith("followed 2 requests of the lines found: 1 line(s)")

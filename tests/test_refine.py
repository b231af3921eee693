"""The rule refiner turns questions into plans: identifiers, filters, severity, vocabulary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from sre_agent.configs import RpcMethod, ServiceConfig
from sre_agent.models import TimeWindow
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.thread_days import THREAD_DAY, day_of_asking

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
CONFIG = ServiceConfig(
    name="membership",
    methods=[RpcMethod(name="GetMembership"), RpcMethod(name="AddMember")],
    vocabulary={
        "rate limited": ["ProvisionedThroughputExceededException", "throttl"],
        "storage node": ["datanode"],
    },
)


def test_seed_question_becomes_filters() -> None:
    plan = RuleRefiner(CONFIG).refine("why is GetMembership failing for user 123 in prod?", now=NOW)
    assert plan.field_filters == {"user_id": "123", "method": "GetMembership"}
    assert plan.environment == "prod"
    assert plan.min_level is None  # "failing" describes the problem; it does not ask for warnings only
    assert not plan.broad


@pytest.mark.parametrize(
    ("question", "environment"),
    [
        ("why is checkout failing in Production?", "prod"),
        ("is staging ok after the deploy?", "staging"),
        ("failing in prod.", "prod"),
        # a piece of a path, a host or an id names no environment
        ("he grew /dev/vg0/pgdata and restarted pg: did it come back?", None),
        ("prod-db-01 stopped answering at 14:05", None),
        ("what does dev.example.com return?", None),
        # nor does a stage of a job
        ("when was its ordering stage putting its results on disk?", None),
    ],
)
def test_the_environment_is_a_word_of_its_own(question: str, environment: str | None) -> None:
    assert RuleRefiner().refine(question, now=NOW).environment == environment


def test_severity_filters_only_when_the_question_asks_for_such_lines() -> None:
    refiner = RuleRefiner()
    assert refiner.refine("show me every warning that involves 10.251.26.8", now=NOW).min_level == "WARN"
    assert refiner.refine("any errors for req-1234ab?", now=NOW).min_level == "ERROR"
    assert refiner.refine("did someone deploy right before the errors started?", now=NOW).min_level is None


def test_identifiers_quoted_phrases_ips_ids() -> None:
    plan = RuleRefiner().refine(
        "since aug 24, 10.10.34.11 keeps logging 'Cannot open channel to'"
        " for blk_-877560 and 0x14f3fdae8ba0002",
        now=NOW,
    )
    assert plan.identifiers == ["Cannot open channel to", "10.10.34.11", "blk_-877560", "0x14f3fdae8ba0002"]
    assert plan.window is not None and plan.window.end == NOW


def test_a_json_key_pasted_with_its_value_is_one_phrase() -> None:
    asked = 'the slowlog is full of terms aggs with "size":65535. who sends them?'
    plan = RuleRefiner().refine(asked, now=NOW)
    assert plan.identifiers == ['"size":65535']
    said = RuleRefiner().refine('the error says "timeout": what is it? and "retries": 3', now=NOW)
    assert said.identifiers == ["timeout", '"retries": 3']


def test_request_id_is_a_field_filter_not_an_identifier() -> None:
    plan = RuleRefiner().refine("trace request req-8f3a2b9c please", now=NOW)
    assert plan.field_filters == {"request_id": "req-8f3a2b9c"}
    assert plan.identifiers == []


def test_an_id_ends_before_the_punctuation_that_follows_it() -> None:
    for question in ("can you trace req-1af8a5e985a2: it timed out", "trace req-1af8a5e985a2; user u-77!"):
        plan = RuleRefiner().refine(question, now=NOW)
        assert plan.field_filters["request_id"] == "req-1af8a5e985a2", question
    assert RuleRefiner().refine("is user 8812: locked out?", now=NOW).field_filters == {"user_id": "8812"}


def test_vocabulary_expands_paraphrases_with_stemming() -> None:
    plan = RuleRefiner(CONFIG).refine("are we being rate limited? which storage nodes?", now=NOW)
    assert "ProvisionedThroughputExceededException" in plan.expansions and "datanode" in plan.expansions
    assert "datanode" in plan.query_text


def test_broad_questions_get_errors_and_warnings_of_the_window() -> None:
    plan = RuleRefiner().refine("what went wrong between 14:00 and 14:20?", now=NOW)
    assert plan.broad and plan.min_level == "WARN" and plan.window is not None
    assert not plan.tells_a_story  # what went wrong, not what something did


def test_what_something_did_in_a_window_tells_its_story() -> None:
    story = RuleRefiner().refine("what did pid 13 log between 14:00 and 14:20?", now=NOW)
    assert story.broad and story.tells_a_story and story.terms == ["pid 13", "13"]
    wrong = RuleRefiner().refine("pid 13 was slow. what went wrong between 14:00 and 14:20?", now=NOW)
    assert wrong.broad and not wrong.tells_a_story
    no_window = RuleRefiner().refine("what did pid 13 log?", now=NOW)
    assert not no_window.broad and not no_window.tells_a_story
    serious = RuleRefiner().refine(
        "the cluster misbehaved on july 29, 2015. what were the most serious errors?", now=NOW
    )
    assert serious.broad and serious.min_level == "ERROR"


def test_a_question_naming_an_id_is_not_broad() -> None:
    plan = RuleRefiner().refine("what happened to 52.80.34.196?", now=NOW)
    assert not plan.broad and plan.identifiers == ["52.80.34.196"]


@pytest.mark.parametrize(
    "question",
    [
        "ok and after midnight going into nov 11, any more trouble?",
        "anything else go wrong from 23:00 on dec 23 through 01:00?",
        "did anything go wrong after 18:00?",
        "any other problems between 14:00 and 14:20?",
        "what else broke between 14:00 and 14:20?",
    ],
)
def test_the_usual_ways_of_asking_what_went_wrong_are_broad(question: str) -> None:
    plan = RuleRefiner().refine(question, now=NOW)
    assert plan.broad and plan.min_level == "WARN" and plan.window is not None


def test_a_question_about_one_thing_is_not_broad() -> None:
    plan = RuleRefiner().refine("did the cache go stale after 18:00?", now=NOW)
    assert not plan.broad


def test_errors_or_warnings_asks_for_warnings_too() -> None:
    both = RuleRefiner().refine("what errors or warnings came up before 16:13:50?", now=NOW)
    assert both.broad and both.min_level == "WARN"
    errors = RuleRefiner().refine("what errors came up before 16:13:50?", now=NOW)
    assert errors.min_level == "ERROR"
    crashes = RuleRefiner().refine("any crashes or warnings between 14:00 and 14:20?", now=NOW)
    assert crashes.min_level == "WARN"


@pytest.mark.parametrize(
    ("question", "prefer"),
    [
        ("the scheduler run around 02:00 exited with status 137, why?", "WARN"),
        ("why did the nightly export stop overnight", "WARN"),
        ("why did wait_for_partner_file give up?", "WARN"),
        ("why is checkout slow for user 8812?", None),
        ("which job exited first?", None),
        ("why did the errors start?", "ERROR"),  # a level it names by name stays that level
    ],
)
def test_why_something_broke_puts_its_warnings_and_errors_first(question: str, prefer: str | None) -> None:
    plan = RuleRefiner().refine(question, now=NOW)
    assert plan.prefer_level == prefer and plan.min_level is None


def test_an_unrelated_question_is_read_without_the_thread() -> None:
    thread = {"user_id": "8812", THREAD_DAY: "2026-11-20"}
    plan = RuleRefiner().refine("unrelated: what failed around 02:00?", now=NOW, thread=thread)
    assert plan.field_filters == {} and plan.window is not None
    assert plan.window.start == datetime(2026, 11, 24, 1, 30, tzinfo=UTC)
    assert plan.notes[0] == "'unrelated': read without this thread's earlier turns"
    followed = RuleRefiner().refine("what failed for the user around 02:00?", now=NOW, thread=thread)
    assert followed.field_filters == {"user_id": "8812"}
    assert followed.window is not None and followed.window.start == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("question", "start", "offset", "asked_on"),
    [
        (
            "a hole in the logs from last night, between 21:30 and 23:00 on the 12th",
            (2024, 2, 12, 21, 30),
            0,
            13,
        ),
        ("it died last night, between 00:30 and 01:00 on the 13th", (2024, 2, 13, 0, 30), 0, 13),
        ("wifi dies since yesterday, between 14:35 and 14:45 on feb 12", (2024, 2, 12, 14, 35), 0, 13),
        # read in the logs' clock: 23:30 UTC is the 13th at UTC+1
        ("started yesterday at 00:30", (2024, 2, 12, 23, 30), 60, 14),
        ("what went wrong between 14:35 and 14:45 on feb 12?", (2024, 2, 12, 14, 35), 0, None),
    ],
)
def test_the_day_a_question_is_asked_on_when_it_says_yesterday_or_last_night(
    question: str, start: tuple[int, ...], offset: int, asked_on: int | None
) -> None:
    begins = datetime(*start, tzinfo=UTC)
    window = TimeWindow(start=begins, end=begins + timedelta(minutes=30))
    day = day_of_asking(question, window, offset)
    assert day == (date(2024, 2, asked_on) if asked_on else None)

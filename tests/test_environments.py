"""One environment, several spellings: a question about prod reads the lines whose `env` says
`production`, at fetch (`record_matches`) and at retrieve (`env_clause`), on a real LanceDB."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_retrieve_rules import BASE, NOW, SESSION, _store

from sre_agent.connectors.base import record_matches
from sre_agent.models import LogQuery, LogRecord, env_spellings, same_env
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.retrieve import Retriever


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("prod", "production", True),
        ("Production", "PRD", True),
        ("prod", "live", True),
        ("staging", "stg", True),
        ("stage", "Staging", True),
        ("dev", "development", True),
        ("test", "testing", True),
        ("prod", "staging", False),
        ("prod", "preprod", False),
        ("eu-canary", "EU-Canary ", True),
        ("eu-canary", "canary", False),
    ],
)
def test_spellings_of_one_environment(a: str, b: str, same: bool) -> None:
    assert same_env(a, b) is same
    assert same_env(b, a) is same


def test_an_environment_we_know_no_other_spelling_of_is_only_itself() -> None:
    assert env_spellings(" QA ") == ("qa",)
    assert env_spellings("production") == ("prod", "production", "prd", "live")


def _line(minute: int, message: str, env: str | None, level: str = "INFO") -> LogRecord:
    return LogRecord(
        timestamp=BASE + timedelta(minutes=minute), message=message, env=env, level=level, line=minute + 1
    )


def test_a_fetch_for_prod_keeps_the_lines_that_say_production() -> None:
    query = LogQuery(environment="prod")
    assert record_matches(_line(1, "invoice-api 2.9.0 starting", "production"), query)
    assert record_matches(_line(1, "no env at all", None), query)
    assert not record_matches(_line(1, "staging deploy", "staging"), query)


def test_a_question_about_prod_finds_the_lines_that_say_production(tmp_path, embedder) -> None:
    records = [
        _line(0, "invoice-api 2.9.0 starting", "production"),
        _line(1, "invoice-api 2.9.0 starting on staging", "staging"),
        *[_line(2 + i, f"export {i} requested", None) for i in range(30)],
    ]
    store = _store(tmp_path, embedder, records)
    plan = RuleRefiner().refine(
        "was it the 2.9.0 rollout? when did that go out?", now=NOW, environment="prod"
    )
    lines, dropped = Retriever(store).retrieve(SESSION, plan, k=3)
    assert lines[0].message == "invoice-api 2.9.0 starting"
    assert "invoice-api 2.9.0 starting on staging" not in [line.message for line in lines]
    assert dropped == []  # nothing relaxed: the environment matched

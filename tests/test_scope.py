"""A broad question naming a host: "what went wrong on gke-node-x8kq between 12:00 and 12:10?"
gets that host's worst lines of the window, not the lines that mention its name
(`workflows/scope.py`). Small real LanceDB, the real model."""

from __future__ import annotations

from datetime import timedelta

from test_retrieve_rules import BASE, NOW, SESSION, TABLE, _store

from sre_agent.models import LogRecord
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.retrieve import Retriever

NODE = "gke-prod-pool-2-7c9f1e3a-x8kq"
OTHER_NODE = "gke-prod-pool-2-7c9f1e3a-b2mn"


def _at(minute: int, message: str, host: str, level: str = "INFO") -> LogRecord:
    return LogRecord(
        timestamp=BASE + timedelta(minutes=minute), message=message, level=level, host=host, line=minute + 1
    )


RECORDS = [
    *[_at(m, f"Successfully assigned shop/web-{m} to {NODE}", OTHER_NODE) for m in range(5)],
    _at(5, "Liveness probe failed: connection refused", NODE, "WARN"),
    _at(6, "Back-off restarting failed container api", NODE, "WARN"),
    _at(7, "Error syncing pod, skipping: CrashLoopBackOff", NODE, "ERROR"),
    _at(8, "Readiness probe failed: HTTP 503", OTHER_NODE, "WARN"),
    *[_at(9 + m, "routine sync ok", NODE) for m in range(5)],
    _at(40, "later trouble outside the window", NODE, "ERROR"),
]


def test_a_broad_question_naming_a_host_gets_that_hosts_worst_lines(tmp_path, embedder) -> None:
    store = _store(tmp_path, embedder, RECORDS)
    plan = RuleRefiner().refine(
        f"pods sit on {NODE}. what went wrong on that node between 12:00 and 12:15?", now=NOW
    )
    assert plan.identifiers == [NODE] and not plan.broad
    lines, dropped = Retriever(store).retrieve(SESSION, plan, k=3)
    assert [line.message for line in lines] == [
        "Error syncing pod, skipping: CrashLoopBackOff",
        "Liveness probe failed: connection refused",
        "Back-off restarting failed container api",
    ]
    assert dropped == []
    assert plan.read_notes == [
        f"'{NODE}' is a host of the stored lines: the window's worst lines of that host"
    ]
    assert plan.broad and plan.field_filters == {"host": NODE} and plan.min_level == "WARN"


def test_a_name_that_is_no_host_or_no_story_stays_a_search_for_the_name(tmp_path, embedder) -> None:
    store = _store(tmp_path, embedder, RECORDS)
    not_a_host = RuleRefiner().refine("what went wrong with shop/web-3 between 12:00 and 12:15?", now=NOW)
    lines, notes = Retriever(store).retrieve(SESSION, not_a_host, k=1)
    assert lines[0].message == f"Successfully assigned shop/web-3 to {NODE}" and not not_a_host.broad
    # "what did <host> do at 12:05?" asks for its story, not its worst lines
    story = RuleRefiner().refine(f"what did {NODE} do between 12:00 and 12:15?", now=NOW)
    Retriever(store).retrieve(SESSION, story, k=1)
    assert not story.broad and story.field_filters == {}
    no_window = RuleRefiner().refine(f"what went wrong on {NODE}?", now=NOW)
    Retriever(store).retrieve(SESSION, no_window, k=1)
    assert not no_window.broad and no_window.field_filters == {}


def test_a_question_with_no_severity_word_is_scoped_at_warn_and_a_user_filter_is_kept(
    tmp_path, embedder
) -> None:
    store = _store(tmp_path, embedder, RECORDS)
    odd = RuleRefiner().refine(f"anything odd on {NODE} between 12:00 and 12:15?", now=NOW)
    assert odd.prefer_level is None
    lines, _ = Retriever(store).retrieve(SESSION, odd, k=1)
    assert odd.min_level == "WARN" and odd.field_filters == {"host": NODE}
    assert lines[0].message == "Error syncing pod, skipping: CrashLoopBackOff"
    # a question already filtered on a field (the user) stays a search for the name
    user = RuleRefiner().refine(f"what went wrong for user 7 on {NODE} between 12:00 and 12:15?", now=NOW)
    assert user.field_filters == {"user_id": "7"}
    Retriever(store).retrieve(SESSION, user, k=1)
    assert user.field_filters == {"user_id": "7"} and user.identifiers == [NODE]


def test_a_host_only_another_table_of_the_thread_has_does_not_scope(tmp_path, embedder) -> None:
    from sre_agent.clean import clean_records

    store = _store(tmp_path, embedder, RECORDS)
    elsewhere = "gke-prod-pool-9-0a1b2c3d-zz9z"
    store.ingest(
        SESSION, "logs_billing_prod", clean_records([_at(6, "disk full", elsewhere, "ERROR")], None).records
    )
    plan = RuleRefiner().refine(f"what went wrong on {elsewhere} between 12:00 and 12:15?", now=NOW)
    Retriever(store).retrieve(SESSION, plan, k=1, tables=[TABLE])
    assert not plan.broad and plan.identifiers == [elsewhere] and plan.field_filters == {}

"""Questions about something going down and coming back put the stored lines that say a stop, a
start or a return first after what the question names, ranked by the question: "did the init
system bring it back by itself?" is answered by `Scheduled restart job` and `Started … worker`,
which share none of its words. Small real LanceDB, the real model (`workflows/restarts.py`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_retrieve_rules import BASE, NOW, SESSION, TABLE, _ask, _rows, _store

from sre_agent.clean import clean_records
from sre_agent.indexes import LogIndex, SearchFilters, table_name
from sre_agent.indexes.filters import in_clause
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.restarts import asks_about_restarts, restart_ids, speaks_of_restart
from sre_agent.workflows.retrieve import Retriever


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("did the init system bring it back by itself?", True),
        ("which zookeeper servers were restarted during this period?", True),
        ("how many times did 10.10.34.11 get bounced?", True),
        ("did it actually come back up?", True),
        ("when did that box come back to life?", True),
        ("was the api answering again by 14:10?", True),
        ("did the node reboot overnight?", True),
        ("when was it back online?", True),
        ("which box came back first?", True),
        ("when was it back in sync with the primary?", False),  # replication, not a restart
        ("after coming back, did a node pull a whole copy of the data?", False),  # the return is the time
        ("since it came back, has it dropped any writes?", False),
        ("since it came back up, did it restart again?", True),  # the rest asks about a restart
        ("are we back to normal?", False),
        ("did the users come back with more errors?", False),
        ("what went wrong between 14:00 and 14:10?", False),
        ("what started failing at 14:00?", False),  # "started" failing is not a start
    ],
)
def test_which_questions_ask_about_a_restart(question: str, asks: bool) -> None:
    assert asks_about_restarts(question) is asks


@pytest.mark.parametrize(
    ("message", "says"),
    [
        ("inventory-sync.service: Scheduled restart job, restart counter is at 1.", True),
        ("Started Inventory sync worker.", True),
        ("Stopped Inventory sync worker.", True),
        ("Start proc 13003:com.example.app:web for service", True),
        ("Server api_back/api2 is UP, reason: Layer7 check passed", True),
        ("LOG:  database system is ready to accept connections", True),
        ("Instance spawned successfully.", True),
        ("charge authorized: provider=adyen amount=100 EUR", False),
        ("bound to 10.0.5.14 -- renewal in 3364 seconds.", False),
        ("startup_probe_path=/healthz", False),  # a word inside a name is not a start
    ],
)
def test_which_lines_speak_of_a_stop_start_or_return(message: str, says: bool) -> None:
    assert speaks_of_restart(message) is says


def test_the_stop_and_start_lines_come_first_ranked_by_the_question(tmp_path, embedder) -> None:
    routine = [
        (m, f"bound to 10.0.5.14 -- renewal in {3300 + m} seconds.", {"host": "app14"}) for m in range(30)
    ]
    # a worker that logs a start for every job is not restarting: 12 lines of one shape on one host
    jobs = [(m, f"job {m} started by scheduler", {"host": "app14"}) for m in range(30, 42)]
    store = _store(
        tmp_path,
        embedder,
        _rows(
            *routine,
            *jobs,
            (
                43,
                "inventory-sync.service: Main process exited, code=exited, status=1/FAILURE",
                {"level": "ERROR"},
            ),
            (
                44,
                "inventory-sync.service: Scheduled restart job, restart counter is at 1.",
                {"host": "app14"},
            ),
            (44, "Stopped Inventory sync worker.", {"host": "app14"}),
            (45, "Started Inventory sync worker.", {"host": "app14"}),
        ),
    )
    found, _ = _ask(store, "did the init system bring it back by itself, and how long did that take?", k=4)
    assert set(found[:4]) == {
        "inventory-sync.service: Main process exited, code=exited, status=1/FAILURE",
        "inventory-sync.service: Scheduled restart job, restart counter is at 1.",
        "Stopped Inventory sync worker.",
        "Started Inventory sync worker.",
    }
    # without the question asking about a restart, the same lines do not come first
    other, _ = _ask(store, "how long did the renewal take?", k=4)
    assert other[0].startswith("bound to 10.0.5.14 -- renewal in")
    assert other[0] not in found[:4]


def test_a_restart_question_naming_a_server_gets_that_servers_return_first(tmp_path, embedder) -> None:
    # api3 is on most lines (the access log names it): too common to pick lines out by itself
    access = [(m, f"fe_https api_back/api3 GET /v1/items 200 {40 + m}ms") for m in range(30)]
    store = _store(
        tmp_path,
        embedder,
        _rows(
            *access,
            (31, "Server api_back/api3 is DOWN, reason: Layer4 timeout", {"level": "ERROR"}),
            (33, "Server api_back/api1 is DOWN, reason: Layer4 timeout", {"level": "ERROR"}),
            (35, "Server api_back/api1 is UP, reason: Layer7 check passed"),
            (36, "Server api_back/api2 is UP, reason: Layer7 check passed"),
            (38, "Server api_back/api3 is UP, reason: Layer7 check passed"),
        ),
    )
    found, _ = _ask(store, "when did api3 drop out and why? did it come back?", k=3)
    # api3's return first, not the others' (their lines say a return too)
    assert found[0] == "Server api_back/api3 is UP, reason: Layer7 check passed"
    assert not [line for line in found[:3] if "api1" in line or "api2" in line]


def test_a_return_just_after_the_window_the_question_guessed_is_found_and_said(tmp_path, embedder) -> None:
    """ "kicked pg somewhere between 12:40 and 12:50. did it come back up?": it came back at 12:51."""
    checks = [(m, f"checkpoint complete: wrote {m} buffers", {"host": "pg-db-03"}) for m in range(0, 60, 2)]
    store: LogIndex = _store(
        tmp_path,
        embedder,
        _rows(
            *checks,
            (41, "Stopped postgresql@15-main.service - PostgreSQL Cluster 15-main.", {"host": "pg-db-03"}),
            (51, "Started postgresql@15-main.service - PostgreSQL Cluster 15-main.", {"host": "pg-db-03"}),
            (51, "LOG:  database system is ready to accept connections", {"host": "pg-db-03"}),
        ),
    )
    plan = RuleRefiner().refine(
        "pg was kicked between 12:40 and 12:50 on mar 1. did it come back up?", now=NOW
    )
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=3)
    assert {line.message for line in lines[:3]} == {
        "Stopped postgresql@15-main.service - PostgreSQL Cluster 15-main.",
        "Started postgresql@15-main.service - PostgreSQL Cluster 15-main.",
        "LOG:  database system is ready to accept connections",
    }
    assert plan.read_on_to is not None and plan.read_on_to > plan.window.end  # said with the scope


def test_restart_lines_are_read_from_the_tables_asked_and_of_any_name_given(tmp_path, embedder) -> None:
    """`restart_ids` itself: only the tables it is given (a thread's other fetch is not this
    question's), and among the lines holding any of the names when some do."""
    store = _store(
        tmp_path,
        embedder,
        _rows(
            (1, "Server api_back/api1 is UP"),
            (2, "Server api_back/api3 is UP"),
            (3, "Server api_back/api4 is UP"),
            (4, "fe_https api_back/api3 GET / 200"),
        ),
    )
    other = table_name("logs", "other", "prod")
    store.ingest(SESSION, other, clean_records(_rows((5, "Started api3 on the other cluster")), None).records)

    def said(ids: list[str]) -> list[str]:
        return [row.message for row in store.scan(SESSION, filters=SearchFilters(where=in_clause("id", ids)))]

    everywhere = restart_ids(store, SESSION, None, SearchFilters())
    assert sorted(said(everywhere)) == [
        "Server api_back/api1 is UP",
        "Server api_back/api3 is UP",
        "Server api_back/api4 is UP",
        "Started api3 on the other cluster",
    ]
    assert sorted(said(restart_ids(store, SESSION, [TABLE], SearchFilters()))) == [
        "Server api_back/api1 is UP",
        "Server api_back/api3 is UP",
        "Server api_back/api4 is UP",
    ]
    # two names: lines holding either; the other table's api3 line stays out when not asked
    assert sorted(said(restart_ids(store, SESSION, [TABLE], SearchFilters(), ["api3", "api4"]))) == [
        "Server api_back/api3 is UP",
        "Server api_back/api4 is UP",
    ]
    assert said(restart_ids(store, SESSION, [other], SearchFilters(), ["api3"])) == [
        "Started api3 on the other cluster"
    ]
    # a name no restart line holds: every restart line of the tables asked
    assert len(restart_ids(store, SESSION, [TABLE], SearchFilters(), ["api9"])) == 3
    # … within the filters it is given (here a time: the first two minutes)
    early = SearchFilters(start=BASE, end=BASE + timedelta(minutes=2, seconds=30))
    assert sorted(said(restart_ids(store, SESSION, [TABLE], early, ["api9"]))) == [
        "Server api_back/api1 is UP",
        "Server api_back/api3 is UP",
    ]


def test_only_the_head_of_a_line_is_read_for_restart_words(tmp_path, embedder) -> None:
    """A restart word in the first 300 characters counts; one deep in a trace or a dump does not."""
    head = "x" * 292 + " Started"  # the word ends at character 300
    deep = "x" * 293 + " Started"  # one character further: cut to "Starte"
    store = _store(tmp_path, embedder, _rows((1, head), (2, deep)))
    found = restart_ids(store, SESSION, None, SearchFilters())
    assert [
        row.message for row in store.scan(SESSION, filters=SearchFilters(where=in_clause("id", found)))
    ] == [head]


def test_did_it_come_back_up_gets_each_kind_of_return_before_the_stops(tmp_path, embedder) -> None:
    starting = [
        (52 + m // 3, f"[3103{m}] app@orders FATAL:  the database system is starting up", {"level": "FATAL"})
        for m in range(8)
    ]
    stops = [
        (36, "[1] LOG:  server process (PID 28417) was terminated by signal 6: Aborted"),
        (36, "[1] LOG:  terminating any other active server processes"),
        (36, "[1] LOG:  all server processes terminated; reinitializing"),
        (37, "[1] LOG:  aborting startup due to startup process failure"),
        (37, "[1] LOG:  database system is shut down"),
    ]
    store = _store(
        tmp_path,
        embedder,
        _rows(
            *stops,
            (52, "[1] LOG:  starting PostgreSQL 15.6 on x86_64-pc-linux-gnu"),
            *starting,
            (55, "[1] LOG:  database system is ready to accept connections"),
        ),
    )
    found, _ = _ask(store, "did it come back up after the crash?", k=4)
    # one "starting up" stands for the eight, so the start and the ready line make the top 3
    assert sorted(found[:3]) == sorted(
        [
            "[1] LOG:  starting PostgreSQL 15.6 on x86_64-pc-linux-gnu",
            "[1] LOG:  database system is ready to accept connections",
            next(line for line in found if "starting up" in line),
        ]
    )
    assert sum("starting up" in line for line in found[:4]) <= 2
    # the other seven come after each kind's first, before the stops
    every, _ = _ask(store, "did it come back up after the crash?", k=20)
    assert sum("starting up" in line for line in every) == 8
    assert max(i for i, line in enumerate(every) if "starting up" in line) < every.index(
        "[1] LOG:  database system is shut down"
    )
    # a question about the going down keeps the question's own order of the same lines
    down, _ = _ask(store, "which processes were terminated when it restarted?", k=4)
    assert any("terminat" in line for line in down[:2])

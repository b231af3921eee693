"""'Is that only the web boxes or are the workers getting it too?': each host's first line of what
the question names, not the ten lines of the host that logs it most (`workflows/spread.py`)."""

from __future__ import annotations

import pytest
from test_retrieve_rules import _ask, _rows, _store

from sre_agent.workflows.spread import asks_where, each_named_in_turn


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("is that only the web boxes or are the workers and beat getting it too?", True),
        ("just payments-7, or the other pods as well?", True),
        ("which pods log it?", True),
        ("how many of the brokers saw it", True),
        ("is it on the other nodes too?", True),
        ("does it happen on all of the api servers?", True),
        ("anywhere else?", True),
        ("did it spread to the replicas", True),
        ("which port did it fail on?", False),
        ("is it only slow or also failing?", False),
        ("why did the node go down?", False),
        ("what went wrong on web02?", False),
    ],
)
def test_which_questions_ask_where_it_happens(question: str, asks: bool) -> None:
    assert asks_where(question) is asks


def test_each_hosts_first_line_of_the_phrase_comes_first(tmp_path, embedder) -> None:
    oom = "command not allowed when used memory > 'maxmemory'"
    trace = "Traceback (most recent call last):\nredis.exceptions.OutOfMemoryError: " + oom
    rows = [
        (
            m,
            f"Task export[{m}] INTERNAL ERROR: OutOfMemoryError({oom})",
            {"host": "worker-3", "level": "ERROR"},
        )
        for m in range(1, 12)
    ]
    rows += [
        (
            5,
            f"Internal Server Error: /checkout/\n{trace}",
            {"host": "web-1", "level": "ERROR"},
        ),
        (9, f"Couldn't apply scheduled task cleanup: {oom}", {"host": "beat-1", "level": "ERROR"}),
        (
            10,
            f"Internal Server Error: /cart/\n{trace}",
            {"host": "web-1", "level": "ERROR"},
        ),
    ]
    store = _store(tmp_path, embedder, _rows(*sorted(rows, key=lambda row: row[0])))
    found, _ = _ask(
        store, '"command not allowed when used memory" - only the web boxes or the workers and beat too?', k=3
    )
    # each host's first in time: worker-3's, web-1's (its trace carries it), beat-1's
    assert found == [
        f"Task export[1] INTERNAL ERROR: OutOfMemoryError({oom})",
        f"Internal Server Error: /checkout/\n{trace}",
        f"Couldn't apply scheduled task cleanup: {oom}",
    ]


def test_lines_of_several_named_things_are_taken_in_turn(tmp_path, embedder) -> None:
    rows = [(m, f"reloading configuration on ns-2 step {m}", {"host": "ns-2"}) for m in range(8)]
    rows += [(10 + m, f"reloading configuration on ns-1 step {m}", {"host": "ns-1"}) for m in range(3)]
    rows += [(20, "zone transfer of example.com started")]
    store = _store(tmp_path, embedder, _rows(*rows))
    hits = store.search("rules", "reloading configuration", k=20)
    ordered = each_named_in_turn(hits, ["ns-1", "ns-2"])
    assert len(ordered) == len(hits)
    named = [hit.host for hit in ordered if hit.host]
    assert named[:6] == ["ns-1", "ns-2", "ns-1", "ns-2", "ns-1", "ns-2"]
    assert named[6:] == ["ns-2"] * 5
    assert ordered[-1].message == "zone transfer of example.com started"  # naming neither: last
    assert each_named_in_turn(hits, []) == list(hits)  # nothing named: as given
    # within each named thing, the order of the hits it was given
    ns2 = [hit.message for hit in hits if hit.host == "ns-2"]
    assert [hit.message for hit in ordered if hit.host == "ns-2"] == ns2
    found, _ = _ask(store, "what changed on ns-1 and ns-2 right before that?", k=4)
    assert sum("ns-1" in line for line in found) == 2

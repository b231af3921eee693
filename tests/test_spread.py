"""'Is that only the web boxes or are the workers getting it too?': each host's first line of what
the question names, not the ten lines of the host that logs it most (`workflows/spread.py`)."""

from __future__ import annotations

import pytest
from test_retrieve_rules import _ask, _rows, _store

from sre_agent.workflows.spread import asks_where


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

"""Questions about what was building up put first the reports whose number climbs (or falls) at
every step: "was that box already running low on room before it died?" (incidents-h, -k). Small
real LanceDB, the real model (`workflows/trends.py`)."""

from __future__ import annotations

import pytest
from test_retrieve_rules import NOW, SESSION, _ask, _rows, _store

from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.retrieve import Retriever
from sre_agent.workflows.trends import asks_about_buildup


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("was that box already running low on room before it died? since when", True),
        ("was it actually running out of room? how full was it getting?", True),
        ("was the pile of waiting jobs already growing before that node tripped?", True),
        ("did the connections just pile up until someone bounced the pods?", True),
        ("did memory keep climbing on cache-2 overnight?", True),
        # when a named error began is not something building up
        ("i see 'archive command failed with exit code 255' all over the journal. since when?", False),
        ("was the wire to that node already flaky before it started bouncing?", False),
        ("what went wrong between 14:00 and 14:10?", False),
    ],
)
def test_which_questions_ask_what_was_building_up(question: str, asks: bool) -> None:
    assert asks_about_buildup(question) is asks


def _disk(minute: int, used: int) -> tuple[int, str, dict]:
    return (minute, f"/var/lib/pg (vg0-data): {used}% used, {100 - used:.1f}G free", {"level": "WARN"})


NOISE = [
    # a number that rises and falls is no trend; nor is a session id of six digits that only rises,
    # nor the time of day a line gives
    *[(m, f"checkpoint complete: wrote {(m * 37) % 90 + 10} buffers") for m in range(0, 40, 2)],
    *[(m, f"New session {100000 + m * 1000} of user ops") for m in range(1, 40, 4)],
    *[(m, f"backup finished at 0{m % 10}:{m:02d}:00") for m in range(3, 40, 5)],
]


def _search(store, question: str, **plan_update) -> list[str]:
    plan = RuleRefiner().refine(question, now=NOW).model_copy(update=plan_update)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=10)
    return [line.message for line in lines]


def test_the_reports_that_climb_come_first_for_a_question_about_building_up(tmp_path, embedder) -> None:
    climbing = [_disk(m, used) for m, used in zip(range(0, 40, 8), (85, 87, 90, 92, 94), strict=True)]
    store = _store(tmp_path, embedder, _rows(*NOISE, *climbing))
    found, _ = _ask(store, "was that box already running low on room before it died? since when", k=10)
    assert set(found[:5]) == {message for _, message, _ in climbing}


def test_numbers_that_wobble_count_up_as_ids_or_tell_the_time_make_no_trend(tmp_path, embedder) -> None:
    wobbling = [_disk(m, used) for m, used in zip(range(0, 40, 8), (85, 91, 86, 93, 88), strict=True)]
    store = _store(tmp_path, embedder, _rows(*NOISE, *wobbling))
    question = "was the pile of waiting jobs already growing?"
    assert RuleRefiner().refine(question, now=NOW).asks_about_buildup
    # nothing climbs: the answer is the question's own search, as if it asked nothing of the kind
    assert _search(store, question) == _search(store, question, asks_about_buildup=False)

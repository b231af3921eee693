"""Questions about what was building up put first the reports whose number climbs (or falls) at
every step: "was that box already running low on room before it died?" (incidents-h, -k). Small
real LanceDB, the real model (`workflows/trends.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from test_retrieve_rules import NOW, SESSION, _ask, _rows, _store

from sre_agent.clean import clean_records
from sre_agent.indexes import SearchFilters
from sre_agent.workflows import trends
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


# --- the trend itself (`_steps`, `_numbers`), line by line ---------------------------------------


@dataclass
class _Line:
    timestamp: datetime
    message: str


def _lines(*messages: str) -> list[_Line]:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    return [_Line(start + timedelta(minutes=10 * n), m) for n, m in enumerate(messages)]


def _series(*values: float, unit: str = "%") -> list[_Line]:
    return _lines(*[f"disk at {v}{unit} used" for v in values])


@pytest.mark.parametrize(
    ("values", "steps"),
    [
        ((214, 1930, 18342), 2),  # three reports are a trend when they move five-fold (a SymbolErrorCounter)
        ((100, 150, 500), 2),  # to five times the first exactly
        ((100, 150, 499), 0),  # less: three values of noise go one way one time in three
        ((85, 87, 90), 0),
        ((500, 100, 100), 0),  # nor one move among three reports
        ((10, 10, 30, 30, 90), 2),  # repeats neither break nor lengthen it
        ((90, 88, 85, 80, 75), 4),  # four steps: falling counts as much as climbing (free space)
        ((85, 91, 86, 93, 95), 0),  # up and down is noise
        ((50, 95, 96, 97, 98), 4),  # judged from the first report, not the second
        ((100, 99, 98, 97, 95.1), 0),  # 4.9 % of the larger end: under `MIN_CHANGE`
        ((100, 99, 98, 97, 94.9), 4),  # 5.1 %
        ((100, 99, 98, 97.5, 95), 4),  # 5 % exactly
        ((95.1, 96, 97, 98, 100), 0),  # climbing too: 4.9 % of the larger end, the last
        ((0.01, 0.02, 0.03, 0.04, 0.05), 4),  # small measures move by their own size
        ((2.0, 2.5, 2.1, 2.6, 2.7), 0),  # small steps up and down are noise too
        ((10, 20, 30, 40, 50, 30), 0),  # a last step back down ends it: no run of two steps
        ((0, 0, 0), 0),  # nothing moves (and nothing is divided by zero)
    ],
)
def test_a_trend_is_a_number_that_moves_one_way_at_every_step(values: tuple[float, ...], steps: int) -> None:
    assert trends._steps(_series(*values))[:2] == (steps, 0)


def test_a_trend_says_how_far_it_moved_relative_to_its_larger_end() -> None:
    assert trends._steps(_series(90, 88, 85, 80, 72)) == (4, 0, 0.2)
    assert trends._steps(_series(85, 91, 86, 93, 95)) == (0, 0, 0.0)


@pytest.mark.parametrize(
    ("values", "run"),
    [
        # hours of a queue that wobbles, then it fills: the run from where it turned
        ((20, 35, 22, 38, 25, 40, 30, 200, 900, 4000), (3, 6)),
        ((80, 95, 85, 90, 88, 93, 91, 40, 20, 5), (4, 5)),  # free space falling out of its band
        ((20, 35, 22, 38, 25, 40, 21, 30, 39), (0, 0)),  # a climb inside the band is noise
        ((20, 35, 22, 38, 25, 40, 30, 45, 55, 68, 69), (0, 0)),  # out of it by less than twice its spread
        ((20, 35, 22, 38, 25, 40, 30, 45, 55, 68, 81), (4, 6)),  # by more
        ((20, 35, 22, 38, 25, 40, 30, 81, 200), (2, 6)),  # a short run: five-fold as well
        ((35, 22, 38, 25, 30, 200, 900, 4000), (0, 0)),  # four values before are no band yet
        ((20, 35, 22, 38, 25, 40, 30, 4000), (0, 0)),  # one jump is no run
        ((20, 35, 22, 38, 25, 40, 30, 30, 200, 200, 900), (2, 6)),  # repeats stay in it, not moves
        ((5, 1000, 22, 38, 25, 40, 30, 200, 900), (0, 0)),  # still inside the band
    ],
)
def test_a_run_at_the_end_that_breaks_out_of_the_earlier_band_is_a_trend(
    values: tuple[float, ...], run: tuple[int, int]
) -> None:
    assert trends._steps(_series(*values))[:2] == run


@pytest.mark.parametrize(
    ("series", "run"),
    [
        # ending level with the band's top or bottom is not out of it
        ((0, 100, 0, 100, 0, -150, -20, 50, 100), (0, 0)),
        ((0, 100, 0, 100, 0, -150, -20, 50, 101), (3, 5)),
        ((100, 0, 100, 0, 100, 250, 120, 50, 0), (0, 0)),
        ((100, 0, 100, 0, 100, 250, 120, 50, -1), (3, 5)),
        # moving exactly twice the band's spread is not more than twice
        ((20, 35, 22, 38, 25, 40, 30, 40, 50, 60, 70), (0, 0)),
        ((20, 35, 22, 38, 25, 40, 30, 40, 50, 60, 70.5), (4, 6)),
        # the direction is the run's, whatever the size of its last step
        ((0.1, 0.2, 0.1, 0.2, 0.1, 0.2, 0.15, 0.9, 2.0, 2.5), (3, 6)),
    ],
)
def test_a_breakout_is_judged_against_the_bands_edges(
    series: tuple[float, ...], run: tuple[int, int]
) -> None:
    assert trends._run(series)[:2] == run


def test_a_breakout_says_how_far_it_moved() -> None:
    assert trends._steps(_series(20, 35, 22, 38, 25, 40, 30, 200, 900, 4000)) == (
        3,
        6,
        pytest.approx(3970 / 4000),
    )


def test_a_short_run_is_believed_only_of_a_line_with_few_numbers() -> None:
    three = _lines(
        *[
            f"port {p}: {v} errors in {s} sweeps of {w} s"
            for p, v, s, w in ((9, 214, 1, 7), (9, 1930, 1, 7), (9, 18342, 1, 7))
        ]
    )
    assert trends._steps(three)[:2] == (2, 0)  # 214, 1, 7 are read: three numbers
    four = _lines(
        *[
            f"{v} errors in {s} sweeps of {w} s at {x}%"
            for v, s, w, x in ((214, 1, 7, 3), (1930, 1, 7, 5), (18342, 1, 7, 4))
        ]
    )
    assert trends._steps(four)[:2] == (0, 0)
    long_four = _lines(*[f"{v} errors in 1 sweeps of 7 s at 3%" for v in (214, 1930, 18342, 20000, 30000)])
    assert trends._steps(long_four)[:2] == (4, 0)  # four steps are believed of any line
    assert trends._run((214, 1930, 18342), short_ok=False)[:2] == (0, 0)
    assert trends._run((214, 1930, 18342, 20000, 30000), short_ok=False)[:2] == (4, 0)


def test_of_two_numbers_moving_as_many_steps_the_one_that_moved_further_counts() -> None:
    # a: a breakout from its band (4 steps, 0.64 of its end); b: climbs throughout (4 steps, 0.9)
    a = (20, 35, 22, 38, 25, 40, 30, 81, 82, 83, 84)
    b = (10, 10, 10, 10, 10, 10, 10, 20, 40, 80, 100)
    lines = _lines(*[f"a={x} b={y}" for x, y in zip(a, b, strict=True)])
    assert trends._steps(lines) == (4, 0, pytest.approx(0.9))


def test_lines_of_one_shape_that_hold_different_counts_of_numbers_make_no_trend() -> None:
    assert trends._steps(_lines("queue 1 ready=10", "queue 1 ready=50", "queue ready=90"))[:2] == (0, 0)
    assert trends._steps(_lines("no number", "no number", "no number"))[:2] == (0, 0)
    # the longest-moving of several numbers counts: here the second
    assert trends._steps(
        _lines("stats 7 ready=10", "stats 5 ready=20", "stats 9 ready=40", "stats 2 ready=80")
    )[:2] == (3, 0)


def test_too_many_lines_of_one_shape_are_not_a_report_that_builds_up() -> None:
    many = [float(v) for v in range(trends.MAX_LINES + 1)]
    assert trends._steps(_series(*many[: trends.MAX_LINES]))[:2] == (trends.MAX_LINES - 1, 0)
    assert trends._steps(_series(*many))[:2] == (0, 0)


def test_the_numbers_read_are_measures_not_times_dates_versions_or_ids() -> None:
    assert trends._numbers("ready=13865 unacked=60 avg=2.29s free: 230.1gb[15.0%]") == [
        13865.0,
        60.0,
        2.29,
        230.1,
        15.0,
    ]
    assert trends._numbers("at 12:00:01 on 2024-02-13 v2.14.0 blk_123 node-7 /dev/sda1") == []
    assert trends._numbers("uptime 1199219 ms, session 100037, used 1234567.5 kB") == [
        1199219,
        100037,
        1234567.5,
    ]
    # a number a word says names something: a process, a port, a thread
    assert trends._numbers("saving started by pid 3410, port=5432, thread #12, rapid 7") == [7.0]
    assert trends._numbers("Background saving started by PID: 3410") == []
    assert trends._numbers("port 5432 used 85%") == [85.0]  # at the start of the message too
    # time gone by grows by itself: no measure of anything building up
    assert trends._numbers("stream closed since 6318s ago: 14, retry in 5 s") == [14.0, 5.0]
    assert trends._numbers("last seen 3 hours ago, 2 days ago, 40 ms ago; 7 agones") == [7.0]


def test_a_whole_number_that_starts_with_six_digits_counts_or_names_one_that_grows_to_them_measures() -> None:
    assert (
        trends._steps(_lines(*[f"uptime {v} ms" for v in (100000, 160000, 220000, 280000, 990000)])).steps
        == 0
    )
    assert (
        trends._steps(_lines(*[f"uptime {v} ms" for v in (99999, 160000, 220000, 280000, 990000)])).steps == 4
    )
    assert trends._steps(_lines(*[f"used {v} kB" for v in (100000.5, 160000.5, 990000.5)])).steps == 2
    # judged by the first value alone
    assert trends._steps(_lines(*[f"uptime {v} ms" for v in (100000, 160000.5, 990000.5)])).steps == 0
    queue = _lines(*[f"ready={v} unacked=60" for v in (13, 13865, 88974, 147099)])
    assert trends._steps(queue)[:2] == (3, 0)


def test_the_shapes_with_the_longest_runs_come_first(tmp_path, embedder) -> None:
    queue = [(m, f"queue ready={100 * (m + 1)} messages") for m in range(0, 30, 5)]  # 6 reports
    disk = [(m + 1, f"disk at {10 * 3 ** (m // 10)}% used") for m in range(0, 30, 10)]  # 3
    store = _store(tmp_path, embedder, _rows(*disk, *queue))
    ids = trends.trend_ids(store, SESSION, None, SearchFilters())
    by_id = {row.id: row.message for row in store.scan(SESSION)}
    assert [by_id[i] for i in ids] == [m for _, m in queue] + [m for _, m in disk]


def test_of_runs_as_long_the_one_that_began_first_comes_first(tmp_path, embedder) -> None:
    early = [(m, f"queue ready={100 * 3**n} messages") for n, m in enumerate((0, 10, 20))]
    late = [(m, f"disk at {10 * 3**n}% used") for n, m in enumerate((5, 6, 25))]  # its second line is earlier
    store = _store(tmp_path, embedder, _rows(*late, *early))
    ids = trends.trend_ids(store, SESSION, None, SearchFilters())
    by_id = {row.id: row.message for row in store.scan(SESSION)}
    assert [by_id[i] for i in ids] == [m for _, m in early] + [m for _, m in late]


def test_only_the_tables_asked_for_are_read(tmp_path, embedder) -> None:
    queue = [(m, f"queue ready={100 * (m + 1)} messages") for m in range(5)]
    disk = [(m, f"disk at {70 + 5 * m}% used") for m in range(5)]
    store = _store(tmp_path, embedder, _rows(*queue))
    store.ingest(SESSION, "logs_other_prod", clean_records(_rows(*disk), None).records)
    by_id = {row.id: row.message for row in store.scan(SESSION)}
    found = trends.trend_ids(store, SESSION, ["logs_other_prod"], SearchFilters())
    assert {by_id[i] for i in found} == {message for _, message in disk}


def test_only_the_run_that_breaks_out_is_handed_on_and_each_host_is_its_own_series(
    tmp_path, embedder
) -> None:
    # worker-1's queue wobbles for an hour, then fills; worker-2 writes the same report, flat
    wobble = (20, 35, 22, 38, 25, 40, 30)
    filling = (200, 900, 4000)
    rows = [(m, f"queue ready={v} messages", {"host": "worker-1"}) for m, v in enumerate(wobble + filling)]
    rows += [(m + 20, f"queue ready={v} messages", {"host": "worker-2"}) for m, v in enumerate((30, 31, 30))]
    store = _store(tmp_path, embedder, _rows(*rows))
    by_id = {row.id: row.message for row in store.scan(SESSION)}
    found = trends.trend_ids(store, SESSION, None, SearchFilters())
    assert [by_id[i] for i in found] == [f"queue ready={v} messages" for v in (30, *filling)]

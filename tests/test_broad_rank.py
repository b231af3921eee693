"""How broad questions rank a window's lines ("what went wrong between X and Y?"): exact orders
on a handful of rows, no store needed (`workflows/broad.py`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sre_agent.indexes import StoredRecord
from sre_agent.models import TimeWindow
from sre_agent.shapes import message_shape
from sre_agent.workflows.broad import burst, rank_broad, rise, window_seconds

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
DAY = 86_400.0
WINDOW = TimeWindow(start=T0, end=T0 + timedelta(minutes=10))


def row(message: str, level: str | None = "INFO", minute: float = 0, line: int | None = None) -> StoredRecord:
    shape = message_shape(message)
    return StoredRecord(
        id=f"{message}-{minute}",
        timestamp=T0 + timedelta(minutes=minute),
        message=message,
        shape=shape,
        level=level,
        line=line,
        table="logs_all_prod",
        level_rank=2,
        msg_hash=message,
        shape_hash=shape,
    )


def messages(rows: list[StoredRecord], baseline: dict[str, int] | None = None, k: int = 10) -> list[str]:
    return [line.message for line in rank_broad(rows, baseline or {}, DAY, WINDOW, k)]


def test_the_worse_level_comes_first_even_when_the_milder_line_says_it_failed() -> None:
    rows = [row("upload failed for batch 7", "WARN"), row("job state changed to 3", "ERROR")]
    assert messages(rows) == ["job state changed to 3", "upload failed for batch 7"]


def test_a_line_without_a_level_ranks_as_info() -> None:
    rows = [
        row("cache warmed in 3 ms", "DEBUG"),
        row("checkpoint written 5", None),
        row("slow disk 9", "WARN"),
    ]
    assert messages(rows) == ["slow disk 9", "checkpoint written 5", "cache warmed in 3 ms"]


def test_within_a_level_a_line_whose_words_say_it_failed_comes_first() -> None:
    rows = [
        row("REPORT : 7007 5002", None, minute=1),
        row("uploadStaticsToDB failed message=true", None, minute=2),
    ]
    assert messages(rows) == ["uploadStaticsToDB failed message=true", "REPORT : 7007 5002"]


def test_a_pattern_new_in_the_window_comes_before_a_louder_usual_one() -> None:
    usual = [row(f"heartbeat from node {i}", minute=i / 10) for i in range(20)]
    new = [row(f"leader changed to {i}", minute=i) for i in range(5)]
    baseline = {message_shape("heartbeat from node 1"): 1000}
    ranked = messages(usual + new, baseline, k=2)
    assert ranked == ["leader changed to 0", "heartbeat from node 0"]


def test_without_anything_outside_the_window_the_rarest_pattern_comes_first() -> None:
    rows = [row(f"heartbeat from node {i}", minute=i / 10) for i in range(20)]
    rows += [row(f"leader changed to {i}", minute=i) for i in range(5)]
    assert messages(rows, {}, k=2) == ["leader changed to 0", "heartbeat from node 0"]
    # The same when a pattern lies outside but the louder one rose just as much.
    assert messages(rows, {message_shape("heartbeat from node 1"): 0}, k=2)[0] == "leader changed to 0"


@pytest.mark.parametrize(
    "seen, seen_outside, inside, span, outside_rows, expected",
    [
        (5, 0, 600.0, DAY, 10, 6.0),  # new in the window: (5 + 1) / (0 + 1)
        (20, 1000, 600.0, DAY, 1000, 21 / (1000 * 600 / (DAY - 600) + 1)),
        (
            9,
            30,
            600.0,
            900.0,
            30,
            10 / (30 * 600 / 600 + 1),
        ),  # the outside is never taken shorter than the window
        (5, 4, 600.0, DAY, 0, 1.0),  # nothing outside at all: no rise
        (5, 4, 0.0, DAY, 10, 1.0),  # a window without length: no rise
        (5, 0, 0.5, DAY, 10, 6.0),  # half a second is a window too
    ],
)
def test_rise_compares_the_window_with_the_rate_outside_it(
    seen: int, seen_outside: int, inside: float, span: float, outside_rows: int, expected: float
) -> None:
    assert rise(seen, seen_outside, inside, span, outside_rows) == pytest.approx(expected)


def test_the_pattern_that_rose_most_above_its_usual_rate_comes_first() -> None:
    a = [row(f"retrying call {i}", "WARN", minute=i / 10) for i in range(30)]  # 31 / (3 + 1) = 7.75
    b = [row(f"queue depth {i} high", "WARN", minute=i / 10) for i in range(10)]  # 11 / (0 + 1) = 11
    c = [row(f"pool resized to {i}", "WARN", minute=i / 10) for i in range(6)]  # 7 / (0 + 1) = 7
    outside = {message_shape("retrying call 1"): int(3 * (DAY - 600) / 600), message_shape("x 1"): 1}
    assert messages(a + b + c, outside, k=3) == ["queue depth 0 high", "retrying call 0", "pool resized to 0"]


def test_one_message_per_pattern_in_turn_each_patterns_lines_oldest_first() -> None:
    rows = [
        row("disk full on /dev/sdb 1", "ERROR", minute=5),
        row("disk full on /dev/sdb 3", "ERROR", minute=1),
        row("disk full on /dev/sdb 2", "ERROR", minute=3),
        row("zookeeper session expired 7", "ERROR", minute=2),
    ]
    assert messages(rows) == [
        "zookeeper session expired 7",  # rarer of two equal rises
        "disk full on /dev/sdb 3",
        "disk full on /dev/sdb 2",
        "disk full on /dev/sdb 1",
    ]
    assert messages(rows, k=3) == [
        "zookeeper session expired 7",
        "disk full on /dev/sdb 3",
        "disk full on /dev/sdb 2",
    ]
    assert messages([], k=3) == []


def test_each_line_counts_its_identical_lines_and_says_it_came_from_the_scan() -> None:
    rows = [row("GC pause 1200 ms", "WARN", minute=m, line=n) for n, m in ((4, 1), (9, 7), (2, 0))]
    [line] = rank_broad(rows, {}, DAY, WINDOW, 10)
    assert (line.count, line.lines, line.via, line.score) == (3, [2, 4, 9], "scan", 0.0)
    assert (line.first_seen, line.last_seen) == (T0, T0 + timedelta(minutes=7))


def test_the_window_lasts_the_questions_window_else_its_rows_span() -> None:
    rows = [row("a 1", minute=2), row("a 2", minute=5)]
    assert window_seconds(rows, WINDOW) == 600.0
    assert window_seconds(rows, None) == 180.0
    assert window_seconds([], None) == 0.0


def _rose(new_lines: int, usual_lines: int, usual_outside: int) -> list[str]:
    """A pattern new in the window and a usual one with `usual_outside` lines over the day before."""
    rows = [row(f"consumer rebalanced generation {i}", "WARN", minute=i / 10) for i in range(new_lines)]
    rows += [row(f"retrying upload of part {i}", "WARN", minute=i / 10) for i in range(usual_lines)]
    baseline = {message_shape("retrying upload of part 1"): usual_outside}
    return messages(rows, baseline, k=2)


def test_rises_are_compared_to_one_decimal_then_the_rarer_pattern_first() -> None:
    # new: 6 lines, rose 7.0x; usual: 14 lines where 147 over the day make 1.03 expected: 7.40x.
    assert _rose(6, 14, 147) == ["retrying upload of part 0", "consumer rebalanced generation 0"]
    # usual: 162 outside make 1.13 expected: 7.03x, the same as 7.0x to one decimal: the rarer first.
    assert _rose(6, 14, 162) == ["consumer rebalanced generation 0", "retrying upload of part 0"]


def test_a_pattern_absent_outside_the_window_counts_none_there() -> None:
    # span = 2 windows: new (6 lines) rose 7x; usual (9 lines, 1 outside: 1 expected) rose 5x.
    rows = [row(f"consumer rebalanced generation {i}", "WARN", minute=i / 10) for i in range(6)]
    rows += [row(f"retrying upload of part {i}", "WARN", minute=i / 10) for i in range(9)]
    baseline = {message_shape("retrying upload of part 1"): 1}
    ranked = [line.message for line in rank_broad(rows, baseline, 1200.0, WINDOW, 2)]
    assert ranked == ["consumer rebalanced generation 0", "retrying upload of part 0"]


def test_notable_patterns_show_three_lines_each_before_a_routine_pattern_shows_its_first() -> None:
    expiring = [row(f"Expiring session 0x{i}f, timeout of 10000ms exceeded", minute=i) for i in range(5)]
    failing = [row(f"disk {i} slow", "WARN", minute=i) for i in range(2)]  # WARN, no word of trouble
    routine = [row(f"Established session 0x{i}a", minute=i) for i in range(3)]
    routine += [row(f"Accepted socket connection from 10.0.0.{i}", minute=i) for i in range(2)]
    ranked = messages(expiring + failing + routine, k=20)
    assert ranked == [
        # WARN first, then the INFO pattern whose words say it failed: three of each, in turn
        "disk 0 slow",
        "Expiring session 0x0f, timeout of 10000ms exceeded",
        "disk 1 slow",
        "Expiring session 0x1f, timeout of 10000ms exceeded",
        "Expiring session 0x2f, timeout of 10000ms exceeded",
        # then the routine patterns, one in turn (the rarer first)
        "Accepted socket connection from 10.0.0.0",
        "Established session 0x0a",
        "Accepted socket connection from 10.0.0.1",
        "Established session 0x1a",
        "Established session 0x2a",
        # then the rest of the notable ones
        "Expiring session 0x3f, timeout of 10000ms exceeded",
        "Expiring session 0x4f, timeout of 10000ms exceeded",
    ]
    assert messages(expiring + failing + routine, k=6)[-1] == "Accepted socket connection from 10.0.0.0"


def test_a_pattern_that_rose_comes_before_a_steady_one_of_a_worse_level() -> None:
    # the window holds one steady critical line (as often outside it) and a new burst of errors
    rows = [row("SSL_do_handshake() failed bad key share", "FATAL", minute=m) for m in (1, 6)]
    rows += [row(f"connect() failed (111: Connection refused) to {m}", "ERROR", minute=m) for m in (2, 3, 4)]
    steady = {message_shape("SSL_do_handshake() failed bad key share"): 288}  # ~2 per 10 min all day
    ranked = [line.message for line in rank_broad(rows, steady, DAY, WINDOW, 2)]
    assert ranked == [
        "connect() failed (111: Connection refused) to 2",
        "SSL_do_handshake() failed bad key share",
    ]
    # a routine (INFO) pattern that rose does not jump the worse ones
    routine = [row(f"cache refreshed {m}", "INFO", minute=m) for m in (1, 2, 3, 4, 5)]
    assert [line.message for line in rank_broad(rows[:2] + routine, steady, DAY, WINDOW, 1)] == [
        "SSL_do_handshake() failed bad key share"
    ]


def test_without_a_window_a_burst_stands_out_from_a_pattern_spread_over_the_day() -> None:
    hours = 6 * 60  # six hours of minutes
    noise = [row("SSL_do_handshake() failed bad key share", "FATAL", minute=m) for m in range(0, hours, 20)]
    spike = [row(f"connect() failed to upstream {m}", "ERROR", minute=200 + m / 10) for m in range(40)]
    ranked = [line.message for line in rank_broad(noise + spike, {}, hours * 60.0, None, 2)]
    assert ranked == ["connect() failed to upstream 0", "SSL_do_handshake() failed bad key share"]
    assert burst_of(spike, hours * 60.0) == 41.0  # all 40 in one stretch, none outside it
    assert burst_of(noise, hours * 60.0) < 1.5  # as often in every stretch: no burst
    assert burst_of([], hours * 60.0) == burst_of(noise, 0.0) == 1.0


def burst_of(rows: list[StoredRecord], span: float) -> float:
    return burst([rows], span)


@pytest.mark.parametrize(
    ("times", "span", "expected"),
    [
        ([0.0, 100.0], 1000.0, 3.0),  # two lines exactly a stretch (100 s) apart are in one stretch
        ([0.0, 60.0, 130.0, 140.0, 150.0], 1000.0, 5 / (1 * 100 / 900 + 1)),  # 60…150: four in one
        ([0.0, 0.05], 1.0, 3.0),  # a session of one second still has its stretches
    ],
)
def test_the_densest_stretch_is_counted_exactly(times: list[float], span: float, expected: float) -> None:
    rows = [row(f"disk full {n}", "ERROR", minute=t / 60) for n, t in enumerate(times)]
    assert round(burst_of(rows, span), 6) == round(expected, 6)


def test_a_steady_pattern_spread_evenly_has_a_burst_of_about_one() -> None:
    noise = [row("SSL_do_handshake() failed bad key share", "FATAL", minute=m) for m in range(0, 360, 20)]
    # two lines in the densest 36-minute stretch, 16 outside it over the other 5.4 hours
    assert round(burst_of(noise, 360 * 60.0), 2) == round(3 / (16 * 2160 / 19440 + 1), 2) == 1.08


@pytest.mark.parametrize(
    ("risen_line", "level"),
    [
        ("job state changed to 3", "ERROR"),  # no words of trouble: its level makes it notable
        ("queue depth 900 of 1000", "WARN"),  # a warning is notable too
    ],
)
def test_a_notable_pattern_that_rose_exactly_three_times_comes_first(risen_line: str, level: str) -> None:
    steady = row("SSL_do_handshake() failed bad key share", "FATAL", minute=1)
    rose = [row(risen_line, level, minute=m) for m in (2, 3)]  # 2 in the window, none outside: (2+1)/(0+1)
    baseline = {message_shape(steady.message): 144}  # its usual one per ten minutes
    assert rise(2, 0, 600.0, DAY, 144) == 3.0
    ranked = [line.message for line in rank_broad([steady, *rose], baseline, DAY, WINDOW, 2)]
    assert ranked == [risen_line, steady.message]

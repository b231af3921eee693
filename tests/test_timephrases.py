"""Time phrases in questions become UTC windows, relative to a given 'now'."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sre_agent.timephrases import parse_time_window

UTC = UTC
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def _w(q: str, now: datetime = NOW) -> tuple[datetime, datetime] | None:
    window = parse_time_window(q, now).window
    return (window.start, window.end) if window else None


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        (
            "which problems between 21:00 and midnight on nov 9, 2008?",
            datetime(2008, 11, 9, 21),
            datetime(2008, 11, 10),
        ),
        (
            "what happened before 07:00 on dec 10?",
            datetime(2026, 11, 24).replace(month=12, day=10, year=2025),
            datetime(2025, 12, 10, 7),
        ),
        ("errors on july 29, 2015", datetime(2015, 7, 29), datetime(2015, 7, 30)),
        ("stuck on aug 24-25, 2015", datetime(2015, 8, 24), datetime(2015, 8, 26)),
        (
            "what went wrong between 14:00 and 14:20?",
            datetime(2026, 11, 24, 14),
            datetime(2026, 11, 24, 14, 20),
        ),
        (
            "errors between 00:05 and 00:10 on nov 21",
            datetime(2026, 11, 21, 0, 5),
            datetime(2026, 11, 21, 0, 10),
        ),
        ("failures in the last 30 min", datetime(2026, 11, 24, 14, 30), datetime(2026, 11, 24, 15)),
        ("anything in the past hour", datetime(2026, 11, 24, 14), datetime(2026, 11, 24, 15)),
        ("errors around 3pm", datetime(2026, 11, 24, 14, 30), datetime(2026, 11, 24, 15, 30)),
        ("timeouts since yesterday", datetime(2026, 11, 23), datetime(2026, 11, 24, 15)),
        ("what happened on the evening of nov 9, 2008", datetime(2008, 11, 9, 17), datetime(2008, 11, 10)),
        ("what happened at night on nov 9, 2008", datetime(2008, 11, 9, 20), datetime(2008, 11, 10)),
        # the night before which is another time: not a part of the day the question names
        (
            "limping before last night? anything off on nov 9, 2008",
            datetime(2008, 11, 9),
            datetime(2008, 11, 10),
        ),
        ("any trouble before evening on nov 9, 2008?", datetime(2008, 11, 9), datetime(2008, 11, 10)),
    ],
)
def test_phrases(question: str, start: datetime, end: datetime) -> None:
    assert _w(question) == (start.replace(tzinfo=UTC), end.replace(tzinfo=UTC))


def test_since_a_date_runs_to_now() -> None:
    now = datetime(2015, 8, 25, 11, 26, tzinfo=UTC)
    assert _w("since aug 24, 10.10.34.11 keeps failing", now) == (datetime(2015, 8, 24, tzinfo=UTC), now)


def test_a_future_clock_time_means_yesterday() -> None:
    assert _w("what broke at 16:30?") == (
        datetime(2026, 11, 23, 16, tzinfo=UTC),
        datetime(2026, 11, 23, 17, tzinfo=UTC),
    )


def test_no_time_phrase_no_window() -> None:
    assert _w("why is GetMembership failing for user 123 in prod?") is None
    assert _w("what was 52.80.34.196 trying to do?") is None  # an IP is not a time
    assert _w("sessions ended with 'timeout of 10000ms exceeded'") is None


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("between 2026-11-22 00:00 and 2026-11-24 14:00", datetime(2026, 11, 22), datetime(2026, 11, 24, 14)),
        ("from 2026-11-23 23:00 to 01:30", datetime(2026, 11, 23, 23), datetime(2026, 11, 24, 1, 30)),
        ("since 2026-11-22 06:00", datetime(2026, 11, 22, 6), datetime(2026, 11, 24, 15)),
    ],
)
def test_full_dates_on_both_ends_span_days(phrase: str, start: datetime, end: datetime) -> None:
    """A range written with dates is read as written, not cut to the first day (tools bound its width)."""
    assert _w(phrase) == (start.replace(tzinfo=UTC), end.replace(tzinfo=UTC))


@pytest.mark.parametrize(
    ("question", "start", "end", "phrase"),
    [
        # "after midnight" on a named day starts that day; it was an empty window at its end
        (
            "ok and after midnight going into nov 11, any more trouble?",
            datetime(2026, 11, 11),
            datetime(2026, 11, 12),
            "after midnight",
        ),
        ("what happened since midnight?", datetime(2026, 11, 24), NOW.replace(tzinfo=None), "since midnight"),
        # "from X on <day> through Y" reads whole, across midnight; the phrase is the question's own text
        (
            "anything else go wrong from 23:00 on dec 23 through 01:00?",
            datetime(2025, 12, 23, 23),
            datetime(2025, 12, 24, 1),
            "from 23:00 on dec 23 through 01:00",
        ),
        ("what failed 03:00 through 03:30?", datetime(2026, 11, 24, 3), datetime(2026, 11, 24, 3, 30), None),
    ],
)
def test_midnight_and_through(question: str, start: datetime, end: datetime, phrase: str | None) -> None:
    parsed = parse_time_window(question, NOW)
    assert parsed.window is not None
    assert (parsed.window.start, parsed.window.end) == (start.replace(tzinfo=UTC), end.replace(tzinfo=UTC))
    if phrase is not None:
        assert phrase in parsed.phrases and phrase in question


def test_a_follow_ups_clock_time_is_read_on_the_day_the_thread_was_about() -> None:
    from datetime import date

    thread_day = date(2016, 7, 26)
    parsed = parse_time_window("and later that evening, anything after 18:00?", NOW, default_day=thread_day)
    assert parsed.window is not None and parsed.on_default_day
    assert (parsed.window.start, parsed.window.end) == (
        datetime(2016, 7, 26, 18, tzinfo=UTC),
        datetime(2016, 7, 27, tzinfo=UTC),
    )
    # a day the question names wins; no time named, no window
    named = parse_time_window("anything after 18:00 on jul 27?", NOW, default_day=thread_day)
    assert named.window is not None and named.window.start.day == 27 and not named.on_default_day
    assert parse_time_window("anything else?", NOW, default_day=thread_day).window is None
    # without a thread day, a clock time still means today (or yesterday, if it is still to come)
    today = parse_time_window("anything after 18:00?", NOW).window
    assert today is not None and today.start == datetime(2026, 11, 23, 18, tzinfo=UTC)


def test_today_and_yesterday_in_a_thread_are_its_day_and_the_one_before() -> None:
    from datetime import date

    thread_day = date(2016, 7, 26)  # asked the morning after: NOW is another day
    today = parse_time_window("since when, and how many times today?", NOW, default_day=thread_day)
    assert today.window is not None and today.thread_relative == thread_day and not today.on_default_day
    assert (today.window.start, today.window.end) == (
        datetime(2016, 7, 26, tzinfo=UTC),
        datetime(2016, 7, 27, tzinfo=UTC),
    )
    before = parse_time_window("was it flapping yesterday too?", NOW, default_day=thread_day)
    assert before.window is not None and before.window.start == datetime(2016, 7, 25, tzinfo=UTC)
    # a date the question writes is that date; without a thread, today is the day of NOW
    dated = parse_time_window("how many times on jul 27?", NOW, default_day=thread_day)
    assert dated.window is not None and dated.window.start.day == 27 and not dated.on_default_day
    # "this afternoon" is that day's afternoon, said as written
    afternoon = parse_time_window("did anyone touch the config this afternoon", NOW, default_day=thread_day)
    assert afternoon.window is not None and afternoon.thread_relative == thread_day
    assert (afternoon.window.start, afternoon.window.end) == (
        datetime(2016, 7, 26, 12, tzinfo=UTC),
        datetime(2016, 7, 26, 18, tzinfo=UTC),
    )
    assert afternoon.phrases == ["this afternoon"]
    alone = parse_time_window("how many times today?", NOW)
    assert alone.window is not None and alone.window.start == datetime(2026, 11, 24, tzinfo=UTC)
    assert not alone.on_default_day and alone.thread_relative is None
    # a thread that said its day was yesterday is held the day after: that is its today
    asked_on = date(2016, 7, 27)
    later = parse_time_window("re-pushed around 11:20 today", NOW, default_day=thread_day, today=asked_on)
    assert later.window is not None and later.window.start == datetime(2016, 7, 27, 10, 50, tzinfo=UTC)
    assert later.thread_relative == asked_on


@pytest.mark.parametrize("written", ["overnight", "over night"])
def test_overnight_on_a_day_is_the_night_into_its_morning_and_the_night_after_is_the_other_reading(
    written: str,
) -> None:
    parsed = parse_time_window(f"'deadlock detected' fired {written} on feb 14, which rows?", NOW)
    assert parsed.window is not None
    assert (parsed.window.start, parsed.window.end) == (
        datetime(2026, 2, 13, 20, tzinfo=UTC),
        datetime(2026, 2, 14, 8, tzinfo=UTC),
    )
    assert [(w.start, w.end) for w in parsed.alternatives] == [
        (datetime(2026, 2, 14, 20, tzinfo=UTC), datetime(2026, 2, 15, 8, tzinfo=UTC))
    ]
    assert parsed.phrases == ["feb 14", "overnight"]
    # "the night of feb 14" is still that day's evening; "overnight" with no day names no window
    night = parse_time_window("what happened on the night of feb 14?", NOW)
    assert night.window is not None and night.window.start == datetime(2026, 2, 14, 20, tzinfo=UTC)
    assert not night.alternatives
    assert parse_time_window("any errors overnight?", NOW).window is None


@pytest.mark.parametrize(
    ("question", "window"),
    [
        # the latest such day up to now (NOW is nov 24): this month's
        (
            "what went wrong on the cluster between 21:30 and 23:00 on the 12th?",
            (datetime(2026, 11, 12, 21, 30, tzinfo=UTC), datetime(2026, 11, 12, 23, 0, tzinfo=UTC)),
        ),
        (
            "what failed on the 24th?",
            (datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC)),
        ),
        (
            "what failed on the 25th?",
            (datetime(2026, 11, 25, tzinfo=UTC), datetime(2026, 11, 26, tzinfo=UTC)),
        ),
        # later than tomorrow this month: last month's
        (
            "what failed on the 26th?",
            (datetime(2026, 10, 26, tzinfo=UTC), datetime(2026, 10, 27, tzinfo=UTC)),
        ),
        # november has no 31st, october has
        ("what failed on the 31st?", (datetime(2026, 10, 31, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))),
        (
            "logs from the 3rd at 10:00",
            (datetime(2026, 11, 3, 9, 30, tzinfo=UTC), datetime(2026, 11, 3, 10, 30, tzinfo=UTC)),
        ),
        (
            "was it the 12th, or later?",
            (datetime(2026, 11, 12, tzinfo=UTC), datetime(2026, 11, 13, tzinfo=UTC)),
        ),
        # ordinals that are no dates
        ("the 3rd retry failed", None),
        ("what happened on the 3rd attempt?", None),
        ("the 2nd node restarted", None),
    ],
)
def test_a_day_of_the_month_alone(question: str, window: tuple[datetime, datetime] | None) -> None:
    assert _w(question) == window


def test_a_day_of_the_month_neither_month_has_is_no_date() -> None:
    march = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # february has no 30th, march's is ahead
    assert _w("what failed on the 30th?", now=march) is None
    # january's 31st, when the month before is last year's december
    assert _w("what failed on the 31st?", now=datetime(2026, 1, 10, tzinfo=UTC)) == (
        datetime(2025, 12, 31, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("question", "window", "phrase"),
    [
        # a clock time naming an event is read as "around" it
        (
            "the 00:32 sync logged checkCurrentDay. did it work?",
            (datetime(2026, 11, 24, 0, 2), datetime(2026, 11, 24, 1, 2)),
            "the 00:32",
        ),
        (
            "did that 14:05 deploy roll back?",
            (datetime(2026, 11, 24, 13, 35), datetime(2026, 11, 24, 14, 35)),
            "that 14:05",
        ),
        # a clock time that is a value, not a moment: no window
        ("which connections lasted 14:59?", None, None),
        ("which connections had a lifetime of 14:59?", None, None),
        (
            "what ran at the 14:59 mark?",
            (datetime(2026, 11, 24, 14, 29), datetime(2026, 11, 24, 15, 29)),
            "the 14:59",
        ),
    ],
)
def test_a_clock_time_naming_an_event_is_read_as_around_it(
    question: str, window: tuple[datetime, datetime] | None, phrase: str | None
) -> None:
    parsed = parse_time_window(question, NOW)
    got = (parsed.window.start, parsed.window.end) if parsed.window else None
    assert got == (tuple(t.replace(tzinfo=UTC) for t in window) if window else None)
    assert parsed.phrases == ([phrase] if phrase else [])


@pytest.mark.parametrize(
    ("question", "now", "start", "end"),
    [
        # asked at 07:50: the night that is ending, since last evening (it was the whole day ahead)
        (
            "how many times did it get kicked out tonight?",
            datetime(2024, 4, 17, 7, 50, tzinfo=UTC),
            datetime(2024, 4, 16, 18, 0, tzinfo=UTC),
            datetime(2024, 4, 17, 7, 50, tzinfo=UTC),
        ),
        # asked at 22:00: this evening so far
        (
            "what broke tonight?",
            datetime(2024, 4, 17, 22, 0, tzinfo=UTC),
            datetime(2024, 4, 17, 18, 0, tzinfo=UTC),
            datetime(2024, 4, 17, 22, 0, tzinfo=UTC),
        ),
        # asked at 10:00: yesterday evening into this morning
        (
            "anything wrong last night?",
            datetime(2024, 4, 17, 10, 0, tzinfo=UTC),
            datetime(2024, 4, 16, 18, 0, tzinfo=UTC),
            datetime(2024, 4, 17, 8, 0, tzinfo=UTC),
        ),
        # a clock time tonight, asked in the small hours: the evening before
        (
            "errors tonight at 20:05?",
            datetime(2024, 4, 17, 4, 0, tzinfo=UTC),
            datetime(2024, 4, 16, 19, 35, tzinfo=UTC),
            datetime(2024, 4, 16, 20, 35, tzinfo=UTC),
        ),
    ],
)
def test_tonight_and_last_night_are_the_night_nearest_now(
    question: str, now: datetime, start: datetime, end: datetime
) -> None:
    assert _w(question, now) == (start, end)

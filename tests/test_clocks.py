"""Every time an answer shows is in the clock the logs were written in, labelled: the patterns,
the timeline, the rhythm and the evidence of one answer never mix UTC with the logs' own clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sre_agent.clocks import MINUTES, label, lasting, span, stamp, stated_zone
from sre_agent.evidence import rhythm
from sre_agent.patterns import mine_patterns, render_patterns
from sre_agent.timeline import Change, Timeline, render_timeline
from sre_agent.timephrases import named_window
from sre_agent.workflows.order import pattern_stats
from sre_agent.workflows.refine import RuleRefiner

# 16:00:05 UTC is 00:00:05 the next day in a log written at +08:00.
T = datetime(2017, 12, 23, 16, 0, 5, tzinfo=UTC)


def test_the_label_names_utc_or_the_offset() -> None:
    assert [label(None), label(0), label(480), label(-330), label(345)] == [
        "UTC",
        "UTC",
        "(+08:00)",
        "(-05:30)",
        "(+05:45)",
    ]


def test_a_time_is_shown_in_the_logs_clock() -> None:
    assert stamp(T) == "2017-12-23 16:00:05"
    assert stamp(T, 480) == "2017-12-24 00:00:05"
    assert stamp(T, -300, MINUTES) == "2017-12-23 11:00"
    assert stamp(T.replace(tzinfo=None), 60) == "2017-12-23 17:00:05"  # naive is UTC


def test_a_span_across_midnight_keeps_both_dates() -> None:
    assert span(T - timedelta(minutes=2), T, 480, MINUTES) == "2017-12-23 23:58 → 2017-12-24 00:00 (+08:00)"
    assert span(T, T, None) == "2017-12-23 16:00:05 → 2017-12-23 16:00:05 UTC"


class _Record:
    def __init__(self, message: str, timestamp: datetime, level: str | None = "ERROR") -> None:
        self.message, self.timestamp, self.level, self.line = message, timestamp, level, 1


def test_log_patterns_are_shown_in_the_logs_clock() -> None:
    summary = mine_patterns(
        [_Record("upload failed: 503", T), _Record("upload failed: 504", T + timedelta(seconds=7))]
    )
    assert (
        render_patterns(summary, utc_offset=480)
        .splitlines()[0]
        .startswith("- **ERROR** ×2, 2017-12-24 00:00:05 → 2017-12-24 00:00:12 (+08:00): ")
    )
    assert "2017-12-23 16:00:05 → 2017-12-23 16:00:12 UTC: " in render_patterns(summary)


def test_the_timeline_is_shown_in_the_logs_clock() -> None:
    timeline = Timeline(
        problem="upload failed: <NUM>",
        level="ERROR",
        count=2,
        started=T,
        stopped=T + timedelta(minutes=1),
        before_start=[
            Change(timestamp=T - timedelta(minutes=2), message="deployed revision 41", host="web-1")
        ],
    )
    assert render_timeline(timeline, utc_offset=480).splitlines()[:3] == [
        "- 2017-12-24 00:00:05 first and 2017-12-24 00:01:05 last (+08:00) [ERROR] ×2 `upload failed: <NUM>`",
        "- changes in the 15 min before it started:",
        "  - 23:58:05 web-1: `deployed revision 41`",
    ]
    assert (
        render_timeline(timeline)
        .splitlines()[0]
        .startswith("- 2017-12-23 16:00:05 first and 2017-12-23 16:01:05 last UTC [ERROR]")
    )


def test_a_rhythm_names_its_hours_in_the_logs_clock() -> None:
    nights = [datetime(2026, 3, d, 18, 30, tzinfo=UTC) for d in (1, 2, 4)]  # 02:30 at +08:00
    stats = pattern_stats([int(t.timestamp() * 1_000_000) for t in nights])
    assert rhythm(stats) == "on 3 of 4 days, mostly 18:00–19:00 UTC"
    assert rhythm(stats, 480) == "on 3 of 4 days, mostly 02:00–03:00 (+08:00)"
    assert rhythm(stats, 330) == "on 3 of 4 days, mostly 23:30–00:30 (+05:30)"


def test_how_long_a_span_lasted_reads_in_its_two_largest_units() -> None:
    t0 = datetime(2024, 3, 6, 19, 59, 56, tzinfo=UTC)
    after = [(0, "0s"), (42, "42s"), (60, "1m"), (252, "4m 12s"), (600, "10m"), (1686, "28m"), (3600, "1h"),
             (48_562, "13h 29m"), (86_400, "1d"), (183_600, "2d 3h")]  # fmt: skip
    assert [lasting(t0, t0 + timedelta(seconds=s)) for s, _ in after] == [text for _, text in after]
    assert lasting(t0, t0 - timedelta(seconds=5)) == "0s"  # an end before its start is no span


def test_a_zone_the_question_states_is_read_and_a_range_or_a_word_is_no_zone() -> None:
    east = timedelta(hours=2)
    assert stated_zone("what went wrong between 09:10 and 09:25 UTC?") == UTC
    assert stated_zone("anything at 14:05Z?") == UTC
    assert stated_zone("around 3pm gmt+2") == timezone(east)
    assert stated_zone("at 9 utc-05:30") == timezone(-timedelta(hours=5, minutes=30))
    assert stated_zone("between 14:05-14:10 on plan Z") is None
    assert stated_zone("UTC+15 is no zone") is None
    assert stated_zone("what went wrong between 10:40 and 11:00 CET?") == timezone(timedelta(hours=1))
    assert stated_zone("ERROR at 9am PST on the API box") == timezone(-timedelta(hours=8))
    assert stated_zone("the API and DNS were fine at 10:00") is None  # capitals that name no zone


def test_a_question_stating_utc_is_not_read_in_the_logs_clock() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    plan = RuleRefiner().refine("what went wrong between 09:10 and 09:25 UTC?", now=now, utc_offset=60)
    assert plan.window is not None
    assert (plan.window.start, plan.window.end) == (
        datetime(2026, 3, 1, 9, 10, tzinfo=UTC),
        datetime(2026, 3, 1, 9, 25, tzinfo=UTC),
    )
    assert any("(read in UTC, as the question says)" in note for note in plan.notes)
    local = RuleRefiner().refine("what went wrong between 10:10 and 10:25?", now=now, utc_offset=60)
    assert local.window == plan.window  # the same minutes, read in the logs' clock (+01:00)
    assert named_window("between 09:10 and 09:25 utc", now, 60) == plan.window

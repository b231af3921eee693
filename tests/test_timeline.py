"""The timeline's edges say how far the logs read reached: a look-back cut short by where the
logs begin, a fetch limit, or a logstore that failed is said in words, in the logs' clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sre_agent.models import CleanRecord
from sre_agent.patterns import mine_patterns
from sre_agent.shapes import message_shape
from sre_agent.timeline import EdgeLines, Edges, Reach, Timeline, build_timeline, render_timeline

# 16:00:05 UTC is 00:00:05 the next day in a log written at +08:00.
T = datetime(2017, 12, 23, 16, 0, 5, tzinfo=UTC)


def _row(n: int, message: str, at: datetime, level: str = "INFO") -> CleanRecord:
    return CleanRecord(id=f"r{n}", timestamp=at, message=message, shape=message_shape(message), level=level)


def test_a_short_look_back_a_fetch_limit_and_a_failed_logstore_are_said() -> None:
    timeline = Timeline(
        problem="upload failed: <NUM>",
        level="ERROR",
        count=2,
        started=T,
        stopped=T + timedelta(minutes=1),
        before_reach=Reach(start=T - timedelta(minutes=4, seconds=5), end=T, unread="connection refused"),
        around_reach=Reach(
            start=T - timedelta(minutes=4),
            end=T + timedelta(minutes=11),
            cut_at=T + timedelta(minutes=9),
        ),
    )
    assert render_timeline(timeline, utc_offset=480).splitlines()[1:] == [
        "- changes in the 4 min before it started (the earliest line read is at 23:56:00 (+08:00), so the "
        "look-back covered only that, not 15 min); the logstore could not be read (connection refused), "
        "only what this thread stored: none logged",
        "- changes around when it stopped (23:56:05 → 00:11:05 (+08:00)); more lines fell in it than one "
        "fetch returns, so it read only those from 00:09:05 (+08:00) on: none logged",
    ]
    oldest_first = timeline.model_copy(
        update={"around_reach": timeline.around_reach.model_copy(update={"cut_newest": False})}
    )
    assert (
        render_timeline(oldest_first, utc_offset=480)
        .splitlines()[-1]
        .endswith("so it read only those up to 00:09:05 (+08:00): none logged")
    )


def test_the_edges_find_changes_outside_the_window_and_leave_checks_out() -> None:
    window = [
        _row(i, f"upload failed: status {500 + i}", T + timedelta(seconds=i), "ERROR") for i in range(3)
    ]
    before = [
        _row(10, "config watcher: configmap app unchanged (revision 6)", T - timedelta(minutes=9)),
        _row(11, "config revision 7 loaded", T - timedelta(minutes=2)),
        _row(12, "config revision 5 loaded", T - timedelta(minutes=16)),  # before the 15 min
    ]
    after = [_row(20, "rolled back to revision 6", T + timedelta(minutes=3))]
    problem = mine_patterns(window).problems()[0]
    edges = Edges(
        before=EdgeLines(rows=before, earliest=T - timedelta(minutes=16), latest=T + timedelta(hours=1)),
        around=EdgeLines(
            rows=before + after, earliest=T - timedelta(minutes=16), latest=T + timedelta(minutes=3)
        ),
    )
    timeline = build_timeline(window, problem, edges=edges)
    assert timeline is not None
    # The problem lasted 2 s: the change before it is its cause, not shown again as what ended it.
    assert render_timeline(timeline).splitlines()[1:] == [
        "- changes in the 15 min before it started (since 15:45:05 UTC):",
        "  - 15:58:05: `config revision 7 loaded`",
        "- changes around when it stopped (16:00:05 → 16:03:05 UTC; the logs read end there, not 10 min "
        "after it):",
        "  - 16:03:05: `rolled back to revision 6`",
    ]
    alone = build_timeline(window, problem)  # the window's rows only: nothing before it
    assert alone is not None and alone.before_start == [] and alone.before_reach is None

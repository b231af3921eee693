"""When the trouble started and stopped, and what changed around those two moments.

The first question of every incident review: "did someone ship something right before?" and
"what fixed it?". Given the window's stored lines and its worst problem pattern (from
`patterns.py`), this finds the rare lines that speak of a change (config, deploy, rollout,
restart, scaling, …) shortly before the problem's first line and around its last one.

The look-back before the first line is not bounded by the question's window: a deploy two minutes
before a window that begins at the first error is the answer, not noise. Its lines come as a
`LookBack` (read by `tools/lookback.py`: the stored rows of the span and, with a logstore, that
span fetched without the method filter), which also says how far back the logs read reach.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from sre_agent.clocks import label, stamp
from sre_agent.models import CleanRecord
from sre_agent.patterns import LogPattern

CHANGE_WORDS = re.compile(
    r"\b(?:config(?:uration)?|deploy\w*|rollout|rolled back|rollback|revision|release[ds]?|version"
    r"|upgrad\w*|downgrad\w*|restart\w*|reload\w*|scal(?:ed|ing) (?:up|down|to)|migrat\w*|feature flag"
    r"|failover|promoted|leader)\b",
    re.IGNORECASE,
)
#: A line that says nothing changed ("configmap unchanged", "already up to date") is a check, not a
#: change; over a short look-back a watcher's check is not yet frequent enough to count as routine.
NO_CHANGE_WORDS = re.compile(
    r"\b(?:unchanged|no changes?|not changed|nothing (?:to|changed)|up[ -]to[ -]date"
    r"|already (?:at|on|running))\b",
    re.IGNORECASE,
)
#: A change is rare: a line whose shape repeats more than this many times per host in the window is
#: routine (config watchers, heartbeats), not a change.
MAX_REPEATS_PER_HOST = 3
BEFORE_START = timedelta(minutes=15)
AROUND_END = (timedelta(minutes=5), timedelta(minutes=10))


class Change(BaseModel):
    timestamp: datetime
    message: str
    host: str | None = None
    line: int | None = None


class LookBack(BaseModel):
    """The lines of the span before the problem's first line, read beyond the question's window."""

    rows: list[CleanRecord] = Field(default_factory=list, description="oldest first")
    earliest: datetime | None = Field(
        default=None, description="the earliest line read at all (stored or fetched), if any"
    )
    cut_at: datetime | None = Field(
        default=None, description="more lines fell in the span than one fetch returns: read up to here"
    )
    unread: str | None = Field(default=None, description="why the logstore could not be read, if it failed")


class Timeline(BaseModel):
    """The worst problem's span and the changes near its edges."""

    problem: str = Field(description="the problem pattern's template")
    level: str | None = None
    count: int
    started: datetime
    stopped: datetime
    before_start: list[Change] = Field(default_factory=list)
    before_from: datetime | None = Field(
        default=None,
        description="where the look-back began: 15 min before `started`, or the earliest line read "
        "when the logs start later (None: the full 15 min, the look-back not told otherwise)",
    )
    before_cut_at: datetime | None = None
    before_unread: str | None = None
    around_stop: list[Change] = Field(default_factory=list)


def _changes(
    rows: Sequence[CleanRecord], start: datetime, end: datetime, limit: int, *, last: bool = False
) -> list[Change]:
    """The rare change lines of `rows` in [start, end], each message once: the first `limit`, or
    with `last` the `limit` nearest to `end` (still oldest first)."""
    repeats = Counter(row.shape for row in rows)
    hosts = len({row.host for row in rows}) or 1
    seen: set[str] = set()
    out: list[Change] = []
    for row in rows:
        if not (start <= row.timestamp <= end) or row.message in seen:
            continue
        routine = repeats[row.shape] > MAX_REPEATS_PER_HOST * hosts
        head = row.message.split("\n", 1)[0]
        if routine or not CHANGE_WORDS.search(head) or NO_CHANGE_WORDS.search(head):
            continue
        seen.add(row.message)
        out.append(Change(timestamp=row.timestamp, message=row.message, host=row.host, line=row.line))
        if len(out) == limit and not last:
            break
    return out[-limit:]


def _with_lookback(rows: Sequence[CleanRecord], lookback: LookBack) -> list[CleanRecord]:
    """`rows` and the look-back's, each record once (by id), oldest first."""
    unique: dict[str, CleanRecord] = {row.id: row for row in lookback.rows}
    for row in rows:
        unique.setdefault(row.id, row)
    return sorted(unique.values(), key=lambda row: row.timestamp)


def build_timeline(
    rows: Sequence[CleanRecord],
    problem: LogPattern | None,
    *,
    limit: int = 6,
    lookback: LookBack | None = None,
) -> Timeline | None:
    """The timeline of `problem` over `rows` (oldest first); None without a problem pattern.

    With `lookback`, the changes before the start are looked for in its lines too (those before
    the window), and the timeline says where the look-back began when the logs read start later
    than 15 min before the first line."""
    if problem is None:
        return None
    started, stopped = problem.first_seen, problem.last_seen
    before_rows = list(rows) if lookback is None else _with_lookback(rows, lookback)
    begin = started - BEFORE_START
    if lookback is not None and (lookback.earliest is None or lookback.earliest > begin):
        begin = min(lookback.earliest or started, started)
    return Timeline(
        problem=problem.template,
        level=problem.level,
        count=problem.count,
        started=started,
        stopped=stopped,
        before_start=_changes(before_rows, started - BEFORE_START, started, limit, last=True),
        before_from=begin if lookback is not None else None,
        before_cut_at=lookback.cut_at if lookback is not None else None,
        before_unread=lookback.unread if lookback is not None else None,
        around_stop=_changes(rows, stopped - AROUND_END[0], stopped + AROUND_END[1], limit),
    )


def _minutes(span: timedelta) -> str:
    """'5 min', or '40 s' under a minute."""
    seconds = int(span.total_seconds())
    return f"{seconds // 60} min" if seconds >= 60 else f"{seconds} s"


def _before_title(timeline: Timeline, utc_offset: int | None) -> str:
    """How far the look-back reached, in words: the full 15 min, or where the logs read begin."""
    begin = timeline.before_from
    full = timeline.started - BEFORE_START
    clock = label(utc_offset)
    title = f"changes in the {_minutes(BEFORE_START)} before it started"
    if begin is not None and begin > full:
        title = (
            f"changes in the {_minutes(timeline.started - begin)} before it started (the earliest line "
            f"read is at {stamp(begin, utc_offset, '%H:%M:%S')} {clock}, so the look-back covered only "
            f"that, not {_minutes(BEFORE_START)})"
        )
    elif begin is not None:
        title += f" (since {stamp(begin, utc_offset, '%H:%M:%S')} {clock})"
    if timeline.before_cut_at is not None:
        title += (
            "; more lines fell in it than one fetch returns, so it read only those up to "
            f"{stamp(timeline.before_cut_at, utc_offset, '%H:%M:%S')} {clock}"
        )
    if timeline.before_unread is not None:
        title += f"; the logstore could not be read ({timeline.before_unread}), only what this thread stored"
    return title


def render_timeline(timeline: Timeline, *, utc_offset: int | None = None) -> str:
    """Markdown: the span of the problem, then the changes before it started and around its end;
    times in the logs' clock when `utc_offset` is known, else UTC (labelled either way)."""
    parts = [
        f"- {stamp(timeline.started, utc_offset)} first and {stamp(timeline.stopped, utc_offset)} last "
        f"{label(utc_offset)} [{timeline.level or '-'}] ×{timeline.count} `{timeline.problem[:160]}`"
    ]
    for title, changes in (
        (_before_title(timeline, utc_offset), timeline.before_start),
        ("changes around when it stopped", timeline.around_stop),
    ):
        if changes:
            parts.append(f"- {title}:")
            parts += [
                f"  - {stamp(c.timestamp, utc_offset, '%H:%M:%S')}{' ' + c.host if c.host else ''}: "
                f"`{c.message[:200]}`"
                for c in changes
            ]
        else:
            parts.append(f"- {title}: none logged")
    return "\n".join(parts)

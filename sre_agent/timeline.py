"""When the trouble started and stopped, and what changed around those two moments.

The first question of every incident review: "did someone ship something right before?" and
"what fixed it?". Given the window's stored lines and its worst problem pattern (from
`patterns.py`), this finds the rare lines that speak of a change (config, deploy, rollout,
restart, scaling, …) shortly before the problem's first line and around its last one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from sre_agent.clocks import label, stamp
from sre_agent.indexes.records import StoredRecord
from sre_agent.patterns import LogPattern

CHANGE_WORDS = re.compile(
    r"\b(?:config(?:uration)?|deploy\w*|rollout|rolled back|rollback|revision|release[ds]?|version"
    r"|upgrad\w*|downgrad\w*|restart\w*|reload\w*|scal(?:ed|ing) (?:up|down|to)|migrat\w*|feature flag"
    r"|failover|promoted|leader)\b",
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


class Timeline(BaseModel):
    """The worst problem's span and the changes near its edges."""

    problem: str = Field(description="the problem pattern's template")
    level: str | None = None
    count: int
    started: datetime
    stopped: datetime
    before_start: list[Change] = Field(default_factory=list)
    around_stop: list[Change] = Field(default_factory=list)


def _changes(rows: Sequence[StoredRecord], start: datetime, end: datetime, limit: int) -> list[Change]:
    repeats = Counter(row.shape for row in rows)
    hosts = len({row.host for row in rows}) or 1
    seen: set[str] = set()
    out: list[Change] = []
    for row in rows:
        if not (start <= row.timestamp <= end) or row.message in seen:
            continue
        routine = repeats[row.shape] > MAX_REPEATS_PER_HOST * hosts
        if routine or not CHANGE_WORDS.search(row.message.split("\n", 1)[0]):
            continue
        seen.add(row.message)
        out.append(Change(timestamp=row.timestamp, message=row.message, host=row.host, line=row.line))
        if len(out) == limit:
            break
    return out


def build_timeline(
    rows: Sequence[StoredRecord], problem: LogPattern | None, *, limit: int = 6
) -> Timeline | None:
    """The timeline of `problem` over `rows` (oldest first); None without a problem pattern."""
    if problem is None:
        return None
    started, stopped = problem.first_seen, problem.last_seen
    return Timeline(
        problem=problem.template,
        level=problem.level,
        count=problem.count,
        started=started,
        stopped=stopped,
        before_start=_changes(rows, started - BEFORE_START, started, limit),
        around_stop=_changes(rows, stopped - AROUND_END[0], stopped + AROUND_END[1], limit),
    )


def render_timeline(timeline: Timeline, *, utc_offset: int | None = None) -> str:
    """Markdown: the span of the problem, then the changes before it started and around its end;
    times in the logs' clock when `utc_offset` is known, else UTC (labelled either way)."""
    parts = [
        f"- {stamp(timeline.started, utc_offset)} first and {stamp(timeline.stopped, utc_offset)} last "
        f"{label(utc_offset)} [{timeline.level or '-'}] ×{timeline.count} `{timeline.problem[:160]}`"
    ]
    for title, changes in (
        ("changes in the 15 min before it started", timeline.before_start),
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

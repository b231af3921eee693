"""When the trouble started and stopped, and what changed around those two moments.

The first question of every incident review: "did someone ship something right before?" and
"what fixed it?". Given the window's stored lines and its worst problem pattern (from
`patterns.py`), this finds the rare lines that speak of a change (config, deploy, rollout,
restart, scaling, …) shortly before the problem's first line and around its last one.

The spans at the edges are not bounded by the question's window: a deploy two minutes before a
window that begins at the first error is the answer, not noise. Their lines come as `Edges` (read
by `tools/edge_lines.py`: the stored rows of each span and, with a logstore, the span fetched
without the method filter), which also say how far the logs read reach, and the timeline says so.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from sre_agent.clocks import label, stamp
from sre_agent.models import CleanRecord
from sre_agent.patterns import LogPattern

CHANGE_WORDS = re.compile(
    r"\b(?:(?<![/.-])config(?:uration)?|(?<![/.-])deploy[a-z]*|(?<=/)deploy(?!ments)[a-z]*"
    r"|rollout|rolled back|rollback|revision|release[ds]?|(?<![-_])version(?!/)"
    r"|upgrad[a-z]*|downgrad[a-z]*|restart[a-z]*|reload[a-z]*|reconfigur[a-z]*|SIGHUP|signal: hup"
    r"|(?:warm|cold|graceful) shutdown|scal(?:ed|ing) (?:up|down|to)"
    r"|migrat[a-z]*|feature flag"
    r"|failover|promoted|leader|(?<![/.-])(?:un)?install(?:ed|ing)?|patched)\b",
    re.IGNORECASE,
)
#: A line that says nothing changed ("configmap unchanged", "already up to date") is a check, not a
#: change; over a short look-back a watcher's check is not yet frequent enough to count as routine.
NO_CHANGE_WORDS = re.compile(
    r"\b(?:unchanged|no changes?|not changed|nothing (?:to|changed)|up[ -]to[ -]date"
    r"|already (?:at|on|running)|\w*DeprecationWarning|deprecated)\b",
    re.IGNORECASE,
)


#: A version as a program's start banner names it: `v5.3.6`, `v24.0` (not a path's `/v1.2/`, nor
#: `TLSv1.2`): `celery@worker-2 v5.3.6 (emerald-rush)` is a start, so a change.
_BANNER_VERSION = re.compile(r"(?<![\w/.-])v\d+\.\d+(?:\.\d+)*(?![\w/.-])")


#: A line that says a process starts (`starting payment-gateway`, `Started OrdersApplication`).
_STARTS = re.compile(r"\b(?:start(?:s|ed|ing)|boot(?:ed|ing)|launch(?:ed|ing))\b", re.IGNORECASE)
#: A release number of three parts (`24.0.5`, `3.8.4`): with words of a start, a start banner
#: (`Keycloak 24.0.5 on JVM (powered by Quarkus 3.8.4) started in 13.293s`). Not an address's
#: four parts, nor a duration's two (`13.293s`).
_RELEASE = re.compile(r"(?<![\w.-])v?\d+\.\d+\.\d+(?:[-+][\w.]+)?(?![\w]|\.\d)")


def speaks_of_change(text: str) -> bool:
    """Whether `text` names a change (config, deploy, rollout, restart, …, or a version as a start
    banner does) and does not say that nothing changed."""
    named = (
        CHANGE_WORDS.search(text) is not None
        or _BANNER_VERSION.search(text) is not None
        or (_STARTS.search(text) is not None and _RELEASE.search(text) is not None)
    )
    return named and NO_CHANGE_WORDS.search(text) is None


#: The version a record names in a field of its own (`"version": "2.14.0"`), else its build
#: (`"commit": "a91c3e2"`): the first of these that it has.
_VERSION_KEYS = [
    re.compile(rf"^(?:{keys})$", re.IGNORECASE)
    for keys in ("version|app_?version|service_?version|image_?tag", "build|commit|git_?(?:sha|commit)")
]
_VERSION_VALUE = re.compile(r"^[\w.:/@+-]{2,80}$")
#: Objects a shipper adds about itself and the machine (Filebeat's `agent.version`, `ecs.version`,
#: `host.os.version`, Winlogbeat's `winlog.version`): their versions are not the program's.
_SHIPPER_KEYS = frozenset(
    {"agent", "ecs", "beat", "host", "os", "log", "input", "cloud", "winlog", "fluentbit"}
)


def version_started(head: str, fields_json: str) -> str | None:
    """The version the record of a start line (its first line `head`) names (`starting
    payment-gateway` with `version: 2.14.0`): a process that starts and says what it runs is a
    deploy or a restart, though its words name neither. None when the line says no start or its
    record names no version (a shipper's own `agent.version` is not one)."""
    if _STARTS.search(head) is None or NO_CHANGE_WORDS.search(head) is not None:
        return None
    try:
        fields = json.loads(fields_json)
    except ValueError:
        return None
    if not isinstance(fields, dict):
        return None
    for keys in _VERSION_KEYS:
        if (found := _version_in(fields, keys)) is not None:
            return found
    return None


def _version_in(fields: dict[str, Any], keys: re.Pattern[str]) -> str | None:
    """The first value under a key `keys` matches, in `fields` and the objects in it (a shipper's
    own objects aside, `_SHIPPER_KEYS`)."""
    for key, value in fields.items():
        if isinstance(value, dict):
            if key.lower() not in _SHIPPER_KEYS and (found := _version_in(value, keys)) is not None:
                return found
        elif keys.match(key) and _VERSION_VALUE.match(str(value)):
            return str(value)
    return None


def change_said(message: str, fields_json: str) -> str | None:
    """What a line says changed, as the timeline shows it: its first line when its words name a
    change, that line with the version it started (`starting payment-gateway (version 2.14.0)`),
    else None. The first line is the first that says something (a banner may begin with a blank
    one)."""
    head = next((line for line in message.split("\n") if line.strip()), "")
    if speaks_of_change(head):
        return message
    version = version_started(head, fields_json)
    return f"{head} (version {version})" if version else None


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


class EdgeLines(BaseModel):
    """The lines of the span at one edge of the problem, read past the question's window."""

    rows: list[CleanRecord] = Field(default_factory=list, description="oldest first")
    earliest: datetime | None = Field(default=None, description="the earliest line read at all, if any")
    latest: datetime | None = Field(default=None, description="the latest line read at all, if any")
    cut_at: datetime | None = Field(
        default=None,
        description="more lines fell in the span than one fetch returns: read from here on (the newest), "
        "or up to here when the logstore serves the oldest first",
    )
    cut_newest: bool = Field(default=True, description="a cut read kept the newest lines")
    unread: str | None = Field(default=None, description="why the logstore could not be read, if it failed")


class Edges(BaseModel):
    """The lines before the problem's first line and around its last one (`tools/edge_lines.py`)."""

    before: EdgeLines
    around: EdgeLines


class Reach(BaseModel):
    """The part of an edge's span the logs read covered, and what kept it from more."""

    start: datetime
    end: datetime
    cut_at: datetime | None = None
    cut_newest: bool = True
    unread: str | None = None


class Timeline(BaseModel):
    """The worst problem's span and the changes near its edges."""

    problem: str = Field(description="the problem pattern's template")
    level: str | None = None
    count: int
    started: datetime
    stopped: datetime
    before_start: list[Change] = Field(default_factory=list)
    before_reach: Reach | None = Field(default=None, description="None: the window's rows only")
    around_stop: list[Change] = Field(default_factory=list)
    around_reach: Reach | None = Field(default=None, description="None: the window's rows only")


def before_span(started: datetime) -> tuple[datetime, datetime]:
    """Where the changes before the problem's first line are looked for."""
    return started - BEFORE_START, started


def around_span(started: datetime, stopped: datetime) -> tuple[datetime, datetime]:
    """Where the changes around the problem's last line are looked for: not before its first line,
    so a short problem's cause is not shown again as what ended it."""
    return max(stopped - AROUND_END[0], started), stopped + AROUND_END[1]


def _changes(
    rows: Sequence[CleanRecord], span: tuple[datetime, datetime], limit: int, *, last: bool = False
) -> list[Change]:
    """The rare change lines of `rows` in `span`, each message once: the first `limit`, or with
    `last` the `limit` nearest to its end (still oldest first)."""
    repeats = Counter(row.shape for row in rows)
    hosts = len({row.host for row in rows}) or 1
    seen: set[str] = set()
    out: list[Change] = []
    for row in rows:
        if not (span[0] <= row.timestamp <= span[1]) or row.message in seen:
            continue
        routine = repeats[row.shape] > MAX_REPEATS_PER_HOST * hosts
        said = None if routine else change_said(row.message, row.fields_json)
        if said is None:
            continue
        seen.add(row.message)
        out.append(Change(timestamp=row.timestamp, message=said, host=row.host, line=row.line))
        if len(out) == limit and not last:
            break
    return out[-limit:]


def _edge(
    rows: Sequence[CleanRecord], span: tuple[datetime, datetime], edge: EdgeLines | None
) -> tuple[list[CleanRecord], Reach | None]:
    """`rows` with the edge's lines (each record once, by id, oldest first), and how much of
    `span` the lines read covered: from the earliest line read to the latest, within the span."""
    if edge is None:
        return list(rows), None
    unique: dict[str, CleanRecord] = {row.id: row for row in edge.rows}
    for row in rows:
        unique.setdefault(row.id, row)
    merged = sorted(unique.values(), key=lambda row: row.timestamp)
    start, end = span
    earliest, latest = edge.earliest or end, edge.latest or start
    reach = Reach(
        start=min(max(start, earliest), end),
        end=max(min(end, latest), start),
        cut_at=edge.cut_at,
        cut_newest=edge.cut_newest,
        unread=edge.unread,
    )
    return merged, reach


def build_timeline(
    rows: Sequence[CleanRecord],
    problem: LogPattern | None,
    *,
    limit: int = 6,
    edges: Edges | None = None,
) -> Timeline | None:
    """The timeline of `problem` over `rows` (oldest first); None without a problem pattern.

    With `edges`, the changes are looked for in their lines too (those outside the window, and
    those a method's fetch left out), and the timeline says how far the logs read reached."""
    if problem is None:
        return None
    started, stopped = problem.first_seen, problem.last_seen
    before, around = before_span(started), around_span(started, stopped)
    before_rows, before_reach = _edge(rows, before, edges.before if edges else None)
    around_rows, around_reach = _edge(rows, around, edges.around if edges else None)
    return Timeline(
        problem=problem.template,
        level=problem.level,
        count=problem.count,
        started=started,
        stopped=stopped,
        before_start=_changes(before_rows, before, limit, last=True),
        before_reach=before_reach,
        around_stop=_changes(around_rows, around, limit),
        around_reach=around_reach,
    )


def _minutes(span: timedelta) -> str:
    """'5 min', or '40 s' under a minute."""
    seconds = int(span.total_seconds())
    return f"{seconds // 60} min" if seconds >= 60 else f"{seconds} s"


def _limits(reach: Reach, utc_offset: int | None) -> str:
    """What kept an edge's read short: a fetch limit, a logstore that failed."""
    out = ""
    if reach.cut_at is not None:
        at = f"{stamp(reach.cut_at, utc_offset, '%H:%M:%S')} {label(utc_offset)}"
        which = f"from {at} on" if reach.cut_newest else f"up to {at}"
        out += f"; more lines fell in it than one fetch returns, so it read only those {which}"
    if reach.unread is not None:
        out += f"; the logstore could not be read ({reach.unread}), only what this thread stored"
    return out


def _before_title(timeline: Timeline, utc_offset: int | None) -> str:
    """How far the look-back reached, in words: the full 15 min, or where the logs read begin."""
    reach = timeline.before_reach
    title = f"changes in the {_minutes(BEFORE_START)} before it started"
    if reach is None:
        return title
    begin, clock = stamp(reach.start, utc_offset, "%H:%M:%S"), label(utc_offset)
    if reach.start > before_span(timeline.started)[0]:
        title = (
            f"changes in the {_minutes(timeline.started - reach.start)} before it started (the earliest "
            f"line read is at {begin} {clock}, so the look-back covered only that, not "
            f"{_minutes(BEFORE_START)})"
        )
    else:
        title += f" (since {begin} {clock})"
    return title + _limits(reach, utc_offset)


def _around_title(timeline: Timeline, utc_offset: int | None) -> str:
    """The span looked at around the last line, and where the logs read end when that is sooner."""
    reach = timeline.around_reach
    title = "changes around when it stopped"
    if reach is None:
        return title
    title += f" ({stamp(reach.start, utc_offset, '%H:%M:%S')} → {stamp(reach.end, utc_offset, '%H:%M:%S')}"
    title += f" {label(utc_offset)}"
    if reach.end < timeline.stopped + AROUND_END[1]:
        title += f"; the logs read end there, not {_minutes(AROUND_END[1])} after it"
    return title + ")" + _limits(reach, utc_offset)


def render_timeline(timeline: Timeline, *, utc_offset: int | None = None) -> str:
    """Markdown: the span of the problem, then the changes before it started and around its end;
    times in the logs' clock when `utc_offset` is known, else UTC (labelled either way)."""
    parts = [
        f"- {stamp(timeline.started, utc_offset)} first and {stamp(timeline.stopped, utc_offset)} last "
        f"{label(utc_offset)} [{timeline.level or '-'}] ×{timeline.count} `{timeline.problem[:160]}`"
    ]
    for title, changes in (
        (_before_title(timeline, utc_offset), timeline.before_start),
        (_around_title(timeline, utc_offset), timeline.around_stop),
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

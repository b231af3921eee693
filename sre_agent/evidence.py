"""Evidence an engineer can act on: the retrieved lines as patterns, not one error ten times.

Lines that differ only by an id, a thread or a number share a shape; they are shown as one
pattern: its level, how many lines it has in the searched scope, first and last seen, who wrote
it (service, component or program, host, environment), two or three of its variants, and, when
it spans more than a day, its rhythm ("on 12 of 14 days, mostly 02:00–03:00 UTC"), which is what
"every night? since when? how often?" asks. The pattern's other variants among the retrieved
lines are listed by what differs in them (the ids and numbers), so none is hidden. Times are shown
in the clock the logs were written in when that is known (`utc_offset`), as the engineer reads
them on the lines themselves. A stack trace is folded (`stacktrace`): its first line, every
`Caused by:` and the innermost frames of our code stay, one line each, under the pattern. A
structured log's detail fields (`workflows/details.py`) follow its message, indented.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sre_agent.clocks import label, lasting, stamp
from sre_agent.shapes import pattern_key
from sre_agent.stacktrace import display_lines, one_line
from sre_agent.workflows.results import PatternStats, ResultLine

MAX_MESSAGE = 300
VARIANTS = 3


def line_message(line: ResultLine) -> str:
    """The message for a Markdown code span: on one line, without backticks that would end it;
    capped, or for a stack trace its first line and causes with the frames folded."""
    return one_line(line.message, MAX_MESSAGE, frames=0).replace("`", "'")


def message_rows(line: ResultLine, indent: str, keep: Sequence[str] = ()) -> list[str]:
    """The message as rows of a code block: capped on one row (the stretch holding one of the
    `keep` words kept), or a folded stack trace with the rows after the first indented two more
    spaces; backticks that could end the block become '."""
    shown = display_lines(line.message, MAX_MESSAGE, keep=keep)
    first, *rest = [row.replace("`", "'") for row in shown]
    return [indent + first, *(indent + "  " + row for row in rest)]


MAX_DIFFERENCES = 12
#: Characters of a quoted phrase named in a pattern's heading ("×20 with 'upstream server…'").
HELD_CHARS = 24
#: Hosts named in a pattern's heading when its lines are on several.
MAX_HOSTS = 3


def _when(first: datetime, last: datetime, count: int, utc_offset: int | None = None) -> str:
    """First seen (→ last seen and how long that is, when identical lines span a while), with the
    clock's offset when it is not UTC (evidence shows UTC unlabelled, as the lines' own stamps were)."""
    text = stamp(first, utc_offset)
    if count > 1 and last != first:
        text += f" → {stamp(last, utc_offset)} ({lasting(first, last)})"
    return f"{text} {label(utc_offset)}" if utc_offset else text


def line_when(line: ResultLine, utc_offset: int | None = None) -> str:
    """First seen, and last seen when identical lines span a while (in the logs' clock when known)."""
    return _when(line.first_seen, line.last_seen, line.count, utc_offset)


def differences(base: str, other: str) -> str:
    """What `other` says where `base` says something else (same words otherwise), e.g. an id."""
    a, b = base.split(), other.split()
    if len(a) != len(b):
        return other if len(other) <= 80 else other[:80] + "…"
    return " ".join(y.strip(",;.()[]{}'\"") for x, y in zip(a, b, strict=True) if x != y) or other


def source_of(line: ResultLine, *, with_pid: bool = True, hosts: dict[str, int] | None = None) -> str:
    """Who wrote the line, as far as the record says: service, component/program, host, process
    id, env; and its file when the thread fetched from more than one logs source. `hosts`: the
    lines per host of the pattern it stands for; when they are on several, those hosts (the
    busiest `MAX_HOSTS`, each with its count) stand where the line's own host would."""
    several = hosts is not None and len(hosts) > 1
    parts = [
        f"{name}={value}"
        for name, value in (
            ("file", line.file),
            ("service", line.service),
            ("from", line.origin),
            ("host", None if several else line.host),
            ("hosts", _hosts(hosts) if several and hosts else None),
            ("pid", line.pid if with_pid else None),
            ("env", line.env),
        )
        if value
    ]
    return " ".join(parts)


def _hosts(hosts: dict[str, int]) -> str:
    """'idx-3×16,idx-1×15,idx-2×14' (the busiest `MAX_HOSTS`, then how many more)."""
    shown = ",".join(f"{host}×{n}" for host, n in list(hosts.items())[:MAX_HOSTS])
    more = len(hosts) - MAX_HOSTS
    return shown + (f",+{more} more" if more > 0 else "")


def _counted(levels: dict[str, int]) -> str:
    """'ERROR×24, INFO×825': a pattern's lines per level, worst first; its heading's level is the
    worst, and '[ERROR] ×849' alone would call 825 routine lines errors."""
    ordered = sorted(levels.items(), key=lambda item: -_severity(item[0]))
    return ", ".join(f"{level}×{n}" for level, n in ordered)


def rhythm(stats: PatternStats | None, utc_offset: int | None = None) -> str | None:
    """'on 3 of 14 days, mostly 02:00–03:00 UTC' for a pattern that spans more than a day; the
    hours in the logs' clock when `utc_offset` is known ('mostly 10:00–11:00 (+08:00)')."""
    if stats is None or stats.span_days < 2:
        return None
    text = f"on {stats.days} of {stats.span_days} days"
    if stats.busiest_hours:
        hours = ", ".join(_hour_span(h, utc_offset) for h in stats.busiest_hours[:2])
        text += f", mostly {hours} {label(utc_offset)}"
    return text


def _hour_span(utc_hour: int, utc_offset: int | None) -> str:
    """The UTC hour `utc_hour` as "HH:MM–HH:MM" in the logs' clock."""
    start = (utc_hour * 60 + (utc_offset or 0)) % (24 * 60)
    end = (start + 60) % (24 * 60)
    return f"{start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d}"


def group_key(line: ResultLine) -> tuple[str, tuple[str, ...]]:
    """What the lines of one evidence entry share: their pattern (`shapes.pattern_key`), else the
    message itself; and the identifiers their pattern's lines were counted holding, so that one
    entry's count never adds lines counted two ways."""
    holding = tuple(line.pattern.holding) if line.pattern is not None else ()
    return (pattern_key(line.shape) if line.shape else line.message, holding)


def group_patterns(lines: Sequence[ResultLine]) -> list[list[ResultLine]]:
    """The lines grouped by `group_key`, groups in the order of their best line, lines in rank order."""
    groups: dict[tuple[str, tuple[str, ...]], list[ResultLine]] = {}
    for line in lines:
        groups.setdefault(group_key(line), []).append(line)
    return list(groups.values())


def group_stats(group: Sequence[ResultLine]) -> PatternStats | None:
    """The pattern figures of a group: its one shape's, or those of its shapes added up (count,
    first and last seen, hosts, levels); a rhythm over days is left out then, as it was counted per
    shape. None when no line has them."""
    per_shape: dict[str, PatternStats] = {}
    for line in group:
        if line.pattern is not None:
            per_shape.setdefault(line.shape, line.pattern)
    if not per_shape:
        return None
    if len(per_shape) == 1:
        return next(iter(per_shape.values()))
    parts = list(per_shape.values())
    hosts: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    for part in parts:
        hosts.update(part.hosts)
        levels.update(part.levels)
    return PatternStats(
        count=sum(part.count for part in parts),
        first_seen=min(part.first_seen for part in parts),
        last_seen=max(part.last_seen for part in parts),
        hosts=dict(hosts.most_common()),
        levels=dict(levels.most_common()),
        holding=parts[0].holding,  # the same for every line of a group (`group_key`)
    )


def render_evidence(
    lines: Sequence[ResultLine],
    *,
    max_patterns: int = 10,
    utc_offset: int | None = None,
    keep: Sequence[str] = (),
) -> str:
    """The lines as a code block of patterns: one numbered entry per pattern with its count, times
    (in the logs' clock when `utc_offset` is known) and source, its variants below (three in full,
    the rest by what differs in them), then its rhythm when it spans days. A long line cut keeps
    the stretch holding the first of the `keep` words (what the question named) it has."""
    rows: list[str] = []
    for i, group in enumerate(group_patterns(lines)[:max_patterns], 1):
        best = group[0]
        stats = group_stats(group)
        count = stats.count if stats is not None else sum(line.count for line in group)
        first = stats.first_seen if stats is not None else min(line.first_seen for line in group)
        last = stats.last_seen if stats is not None else max(line.last_seen for line in group)
        level = max((line.level or "-" for line in group), key=_severity)
        kinds = f" in {len(group)} variants" if len(group) > 1 else ""
        # a process id only when every line of the pattern is known to have the same one: "pid=7"
        # over ×368 lines would lie, and so would "pid=1432" over ×75 lines of which the variants
        # shown hold 18 (the others came from the process started after 1432 was killed);
        # the hosts of every line of the pattern, not the first variant's: "host=idx-3" over ×45
        # lines of three hosts sent people to one box
        one_pid = len({line.pid for line in group}) == 1 and sum(line.count for line in group) >= count
        said_by = source_of(best, with_pid=one_pid, hosts=stats.hosts if stats else None)
        source = f"  {said_by}" if said_by else ""
        mixed = f" ({_counted(stats.levels)})" if stats is not None and len(stats.levels) > 1 else ""
        when = _when(first, last, count, utc_offset)
        holding = f" with {held_ids(stats.holding)}" if stats is not None and stats.holding else ""
        rows.append(f"{i:>2}. [{level}] ×{count}{holding}{mixed}{kinds}  {when}{source}")
        for line in group[:VARIANTS]:
            rows += message_rows(line, "    ", keep)
            if line.details:  # a structured log's substance: `from=closed to=half-open`
                rows.append("      " + line.details.replace("`", "'"))
        rest = [differences(best.message, line.message).replace("\n", " ") for line in group[VARIANTS:]]
        if rest:
            shown = ", ".join(rest[:MAX_DIFFERENCES]).replace("`", "'")
            more = f" and {len(rest) - MAX_DIFFERENCES} more" if len(rest) > MAX_DIFFERENCES else ""
            rows.append(f"    … also with: {shown}{more}")
        if said := rhythm(stats, utc_offset):
            rows.append(f"    ({said})")
    return "```text\n" + "\n".join(rows) + "\n```" if rows else ""


def held_ids(identifiers: Sequence[str]) -> str:
    """'10.0.3.7' or "'upstream server temporar…' and 10.0.3.7": the identifiers a pattern's lines
    were counted holding, a phrase quoted and cut at `HELD_CHARS`."""
    said = [
        f"'{i[:HELD_CHARS]}…'" if len(i) > HELD_CHARS else f"'{i}'" if " " in i else i for i in identifiers
    ]
    return " and ".join(said)


_ORDER = ("-", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")


def _severity(level: str) -> int:
    return _ORDER.index(level) if level in _ORDER else _ORDER.index("INFO")

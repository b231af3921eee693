"""Questions about what was building up before a failure: "was that box already running low on
room before it died? since when", "how full was it getting in the hours before that", "was the
pile of waiting jobs already growing?". The answer is a line that repeats with a number that moves
one way, report after report (`85% used` … `94% used`, `ready=13865` … `ready=88974`,
`SymbolErrorCounter … 214` … `18342 in last sweep`), and its words are rarely the question's.

`asks_about_buildup` reads the question; `trend_ids` finds the shapes in scope one of whose numbers
climbs (or falls) at every step it moves, over at least `MIN_POINTS` lines, and returns their
lines, the longest runs first. Numbers that are parts of a time or a date are not read, and a
shape of more than `MAX_LINES` lines (a request log's ids, a counter on every line) is not a
report that builds up.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import NamedTuple

from sre_agent.indexes import Hit, LogIndex, SearchFilters, StoredRecord
from sre_agent.stems import stems

#: The fewest lines of one shape that make a trend.
MIN_POINTS = 3
#: The most lines of one shape that may (periodic reports, not every request).
MAX_LINES = 200
#: Whole numbers of this many digits are counters or ids (uptime in ms, a session id), not gauges.
MAX_DIGITS = 6
_COUNTER_FROM = 10 ** (MAX_DIGITS - 1)
#: A run at the end of a shape's lines that is not all of them: the fewest values before it, and
#: how many times their spread it must move (`_run`).
MIN_BAND = 5
BREAKOUT = 2
#: A run of fewer steps than this must move at least `SHORT_RUN_CHANGE` (to five times or a fifth of
#: its first value: 214 → 1930 → 18342 errors): three values of noise go one way one time in three,
#: and a line of twenty numbers (a GC report, an access log line) has twenty chances: such a run
#: is believed only of a line with at most `FEW_NUMBERS` numbers.
LONG_RUN = 4
SHORT_RUN_CHANGE = 0.8
FEW_NUMBERS = 3
#: The least a trend moves from its first value to its last, relative to the larger of the two.
MIN_CHANGE = 0.05
#: Shapes handed on (the longest runs), and the most lines of them.
MAX_SHAPES = 8
MAX_IDS = 400
#: Rows read to find them (the newest: what built up before now).
SCAN_LIMIT = 20_000

_ASKS = re.compile(
    r"\b(?:grow(?:ing|n|s)?|build(?:ing|s)? up|climb(?:ing|s|ed)?"
    r"|fill(?:ing|s|ed)? up|pil(?:e|es|ed|ing) up|running (?:low|out)|ran out|run out"
    r"|creep(?:ing|s)? up|how (?:full|big|high|far)|getting (?:full|worse|bigger|higher)"
    r"|going downhill|keeps? (?:rising|growing|climbing|increasing))\b",
    re.IGNORECASE,
)
# A number, with a unit glued after it (`29.6G`, `85%`, `230.1gb`), but not a part of a time,
# a date, a version or an identifier (`12:00:01`, `2024-02-13`, `v2.14.0`, `blk_123`).
_NUMBER = re.compile(r"(?<![\w.:\-/])(\d+(?:\.\d+)?)(?![\d.:]|-\d)")


# A word that says the number after it names something: `pid 3410`, `port=5432`, `thread #12`.
_NAMES_IT = re.compile(r"\b(?:pid|tid|uid|gid|port|thread|id)\s*[=:#]?\s*$", re.IGNORECASE)


# Time gone by since something (`closed since 31s ago`, `3 hours ago`): it grows by itself.
_AGO = re.compile(r"\s*(?:ms|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)\s+ago\b", re.IGNORECASE)


def asks_about_buildup(question: str) -> bool:
    """Whether `question` asks about something building up (`_ASKS`): growing, filling up,
    running low, how full. "since when" alone does not: it asks when a named error began."""
    return _ASKS.search(question) is not None


def trend_ids(index: LogIndex, session: str, tables: list[str] | None, filters: SearchFilters) -> list[str]:
    """Ids of the lines passing `filters` whose shape has a number that moves one way on one host
    (module doc): the lines of each such run, oldest first, the longest runs first."""
    rows = index.scan(session, tables=tables, filters=filters, limit=SCAN_LIMIT, newest=True)  # oldest first
    # each host's lines of each shape in time order: a report per host is one series
    by_shape: dict[tuple[str, str], list[StoredRecord]] = defaultdict(list)
    for row in rows:
        by_shape[(row.shape_hash, row.host or "")].append(row)
    runs = [(_steps(lines), lines) for lines in by_shape.values()]
    scored = [(run, lines[run.start :]) for run, lines in runs if run.steps]
    scored.sort(key=lambda item: (-item[0].steps, item[1][0].timestamp))
    ids = [row.id for _, lines in scored[:MAX_SHAPES] for row in lines]
    return ids[:MAX_IDS]


class Run(NamedTuple):
    """A number's run that moves one way: its steps, the index of its first line, and how far it
    moved, relative to the larger of its ends (0 to 1)."""

    steps: int
    start: int
    moved: float


_NONE = Run(0, 0, 0.0)


def _steps(lines: Sequence[StoredRecord]) -> Run:
    """The best run (`_run`) of one number of these lines (given in time order): the most steps,
    then the furthest move; `_NONE` (no steps) when no number has one, or there are fewer than
    `MIN_POINTS` lines or more than `MAX_LINES`."""
    if not MIN_POINTS <= len(lines) <= MAX_LINES:
        return _NONE
    numbers = [_numbers(row.message) for row in lines]
    width = len(numbers[0])
    if width == 0 or any(len(found) != width for found in numbers):
        return _NONE
    series = [[found[position] for found in numbers] for position in range(width)]
    # a whole number that starts with `MAX_DIGITS` digits counts or names (uptime in ms, a session
    # id); one that grows to them measures (a queue of 13 that holds 147,000 an hour later)
    gauges = [values for values in series if not (values[0].is_integer() and abs(values[0]) >= _COUNTER_FROM)]
    few = width <= FEW_NUMBERS  # a short run is believed only of a line with few numbers
    return max((_run(values, few) for values in gauges), key=lambda r: (r.steps, r.moved), default=_NONE)


def _run(series: Sequence[float], short_ok: bool = True) -> Run:
    """The run of `series` that moves one way: the whole series, or its last values breaking out
    of the band the values before them kept to (`ready=2 … 40` for hours, then `13865 … 134261`: a
    queue that began to fill). `_NONE` (no steps) when neither: noise that rises and falls is no
    trend, nor a run that moves less than `MIN_CHANGE` of its size, nor a run of fewer than
    `LONG_RUN` steps that moves less than `SHORT_RUN_CHANGE` or, unless `short_ok`, at all."""
    start = len(series) - 1
    direction = 0.0
    while start > 0:
        step = series[start] - series[start - 1]
        if step and direction and (step > 0) != (direction > 0):
            break
        direction = direction or step
        start -= 1
    run = series[start:]
    moves = sum(1 for a, b in zip(run, run[1:], strict=False) if b != a)
    first, last = run[0], run[-1]
    moved = abs(last - first) / max(abs(first), abs(last), 1e-9)
    if moves < MIN_POINTS - 1 or (moves < LONG_RUN and not short_ok):
        return _NONE
    if moved < (MIN_CHANGE if moves >= LONG_RUN else SHORT_RUN_CHANGE):
        return _NONE
    if start == 0:
        return Run(moves, 0, moved)
    band = series[:start]
    outside = last > max(band) if direction > 0 else last < min(band)
    if len(band) >= MIN_BAND and outside and abs(last - first) > BREAKOUT * (max(band) - min(band)):
        return Run(moves, start, moved)
    return _NONE


def _numbers(message: str) -> list[float]:
    """The numbers of a message that may measure something (`_NUMBER`): not parts of a time, a
    date, a version or an identifier, nor numbers a word names (`_NAMES_IT`) or time gone by
    (`_AGO`)."""
    return [
        float(m.group(1))
        for m in _NUMBER.finditer(message)
        if not _NAMES_IT.search(message[max(0, m.start() - 12) : m.start()])
        and not _AGO.match(message, m.end())
    ]


def closeness_to(trouble: Sequence[str]) -> Callable[[Hit], int]:
    """How many words a line's shape shares with the thread's `trouble` shapes (0 for every line
    when there is none): "since when has that been building up?" asks about the tombstone counts
    that climbed before the tombstone errors, not about any memtable that grew that day."""
    words = {w for shape in trouble for w in stems(shape)}
    return lambda hit: len(words & set(stems(hit.shape))) if words else 0

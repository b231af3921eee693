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
from collections.abc import Sequence

from sre_agent.indexes import LogIndex, SearchFilters, StoredRecord

#: The fewest lines of one shape that make a trend.
MIN_POINTS = 3
#: The most lines of one shape that may (periodic reports, not every request).
MAX_LINES = 200
#: Whole numbers of this many digits are counters or ids (uptime in ms, a session id), not gauges.
MAX_DIGITS = 6
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


def asks_about_buildup(question: str) -> bool:
    """Whether `question` asks about something building up (`_ASKS`): growing, filling up,
    running low, how full. "since when" alone does not: it asks when a named error began."""
    return _ASKS.search(question) is not None


def trend_ids(index: LogIndex, session: str, tables: list[str] | None, filters: SearchFilters) -> list[str]:
    """Ids of the lines passing `filters` whose shape has a number that moves one way (module
    doc), oldest first within each shape, the shapes with the longest runs first."""
    rows = index.scan(session, tables=tables, filters=filters, limit=SCAN_LIMIT, newest=True)  # oldest first
    by_shape: dict[str, list[StoredRecord]] = defaultdict(list)  # each shape's lines in time order
    for row in rows:
        by_shape[row.shape_hash].append(row)
    scored = [(steps, lines) for lines in by_shape.values() if (steps := _steps(lines))]
    scored.sort(key=lambda item: (-item[0], item[1][0].timestamp))
    ids = [row.id for _, lines in scored[:MAX_SHAPES] for row in lines]
    return ids[:MAX_IDS]


def _steps(lines: Sequence[StoredRecord]) -> int:
    """How many steps one number of these lines (given in time order) moves, all of them one way;
    0 when no number does, or it moves less than `MIN_CHANGE`, or there are fewer than
    `MIN_POINTS` lines or more than `MAX_LINES`. Noise that rises and falls is no trend."""
    if not MIN_POINTS <= len(lines) <= MAX_LINES:
        return 0
    numbers = [_numbers(row.message) for row in lines]
    width = len(numbers[0])
    if width == 0 or any(len(found) != width for found in numbers):
        return 0
    best = 0
    for position in range(width):
        series = [found[position] for found in numbers]
        steps = [b - a for a, b in zip(series, series[1:], strict=False) if b != a]
        one_way = bool(steps) and (all(s > 0 for s in steps) or all(s < 0 for s in steps))
        first, last = series[0], series[-1]
        moved = abs(last - first) / max(abs(first), abs(last), 1e-9)
        if one_way and len(steps) >= MIN_POINTS - 1 and moved >= MIN_CHANGE:
            best = max(best, len(steps))
    return best


def _numbers(message: str) -> list[float]:
    """The numbers of a message that may measure something (`_NUMBER`), not a counter or an id of
    `MAX_DIGITS` digits or more."""
    return [float(n) for n in _NUMBER.findall(message) if "." in n or len(n) < MAX_DIGITS]

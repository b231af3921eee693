"""Ranking for broad questions ("what went wrong between X and Y?"): not the lines that resemble
the words, but the window's worst and most unusual patterns.

First the notable patterns (WARN or worse, or words of trouble) that rose `RISEN` times above
their rate outside the window (without a window: whose densest stretch stands out so, `burst`);
then most severe first; within a level, the patterns whose words say something failed (for
sources that write no level, or call everything "Info"); then the patterns that rose most above
their rate outside the window (new patterns first), rarest first among equals. One message per
pattern in turn, so ten places hold ten different things before any pattern gets a second one;
but the notable patterns (WARN or worse, or words of trouble) show up to `NOTABLE_DEPTH` messages
each before a routine pattern shows its first: "Expiring session …, timeout exceeded" three
times is more of what went wrong than one "Established session". Measured cold
(bench/bench_recall.py): visible incident sets 0.713 → 0.715, incidents-c 0.731 → 0.739, d–g
unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sre_agent.indexes import LogIndex, SearchFilters, StoredRecord
from sre_agent.models import LEVELS, TimeWindow
from sre_agent.shapes import sounds_like_trouble
from sre_agent.workflows.constraints import Attempt, search_filters
from sre_agent.workflows.order import merge_rows, to_result_line
from sre_agent.workflows.plan import RetrievalPlan
from sre_agent.workflows.results import ResultLine

BROAD_SCAN_LIMIT = 50_000
#: Messages of one notable pattern shown before the routine patterns' first (the evidence shows a
#: pattern with two or three variants).
NOTABLE_DEPTH = 3


def window_seconds(rows: Sequence[StoredRecord], window: TimeWindow | None) -> float:
    """How long the searched window lasts: the question's window, else from its first to last row."""
    if window is not None:
        return (window.end - window.start).total_seconds()
    times = [r.timestamp for r in rows]
    return (max(times) - min(times)).total_seconds() if times else 0.0


def rise(seen: int, seen_outside: int, inside: float, span: float, outside_rows: int) -> float:
    """How far a pattern rose above its rate outside the window: (seen + 1) / (expected + 1), where
    `expected` is its `seen_outside` lines scaled to the window's length (`inside` seconds, out of
    the `span` seconds the session covers). 1.0 when nothing lies outside the window to compare with
    (`outside_rows`, every pattern's lines outside it) or the window has no length."""
    if not outside_rows or inside <= 0:
        return 1.0
    outside = max(span - inside, inside)
    expected = seen_outside * inside / outside
    return (seen + 1) / (expected + 1)


#: The stretch a pattern's burst is measured in when the question gives no window: this share of
#: the session's span (`burst`).
BURST_PARTS = 10
#: A notable pattern that rose this many times above its usual rate (or burst so, without a window)
#: comes before steadier ones of any level: 111 `[crit] SSL_do_handshake() failed` spread evenly
#: over six hours of client noise are not what went wrong when 573 `connect() failed` came in 44
#: minutes. Measured cold (bench/bench_recall.py): visible sets 0.762 → 0.764 (broad 0.810 →
#: 0.816), incidents-c … -k unchanged.
RISEN = 3.0


def burst(groups: Sequence[Sequence[StoredRecord]], span: float) -> float:
    """How far a pattern's densest stretch (a `BURST_PARTS`th of the `span` seconds) rose above its
    rate in the rest: `rise` with that stretch as the window."""
    times = sorted(row.timestamp.timestamp() for group in groups for row in group)
    if span <= 0 or not times:
        return 1.0
    width = span / BURST_PARTS
    densest, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] > width:
            start += 1
        densest = max(densest, end - start + 1)
    return rise(densest, len(times) - densest, width, span, len(times))


def _in_turn(by_shape: dict[str, list[str]], order: Sequence[str], depth: int | None) -> list[str]:
    """The messages of the patterns in `order`, one per pattern in turn, at most `depth` of each."""
    deepest = max((len(by_shape[s]) for s in order), default=0)
    deepest = deepest if depth is None else min(depth, deepest)
    return [by_shape[s][d] for d in range(deepest) for s in order if d < len(by_shape[s])]


def rank_broad(
    rows: Sequence[StoredRecord],
    baseline: dict[str, int],
    span: float,
    window: TimeWindow | None,
    k: int,
) -> list[ResultLine]:
    """The `k` messages of `rows` to show first. `baseline` counts each shape's lines outside the
    window, `span` is the seconds the session's lines cover."""
    out = []
    for group in _picked(rows, baseline, span, window, k):
        line = to_result_line(group[0], via="scan", score=0.0)
        merge_rows(line, group)
        out.append(line)
    return out


def _picked(
    rows: Sequence[StoredRecord],
    baseline: dict[str, int],
    span: float,
    window: TimeWindow | None,
    k: int,
) -> list[list[StoredRecord]]:
    """The rows of each of the `k` messages to show first, in order (`rank_broad`)."""
    by_message: dict[str, list[StoredRecord]] = defaultdict(list)
    for row in rows:
        by_message[row.message].append(row)
    by_shape: dict[str, list[str]] = defaultdict(list)
    for message, group in by_message.items():
        by_shape[group[0].shape].append(message)

    def severity(shape: str) -> int:
        level = by_message[by_shape[shape][0]][0].level
        return LEVELS.index(level) if level in LEVELS else LEVELS.index("INFO")

    def trouble(shape: str) -> bool:
        return sounds_like_trouble(by_shape[shape][0])

    def shape_count(shape: str) -> int:
        return sum(len(by_message[m]) for m in by_shape[shape])

    inside = window_seconds(rows, window)
    outside_rows = sum(baseline.values())

    def rise_of(shape: str) -> float:
        if window is None:  # no window to compare with: how far its densest stretch stands out
            return burst([by_message[m] for m in by_shape[shape]], span)
        return rise(shape_count(shape), baseline.get(shape, 0), inside, span, outside_rows)

    rises = {s: round(rise_of(s), 1) for s in by_shape}

    def risen(shape: str) -> bool:
        return rises[shape] >= RISEN and (severity(shape) >= LEVELS.index("WARN") or trouble(shape))

    order = sorted(by_shape, key=lambda s: (-risen(s), -severity(s), -trouble(s), -rises[s], shape_count(s)))
    for shape in order:
        by_shape[shape].sort(key=lambda m: by_message[m][0].timestamp)
    # The notable patterns (WARN or worse, or words of trouble) show up to `NOTABLE_DEPTH` of their
    # messages before a routine pattern shows its first; within each part, one message per pattern
    # in turn: every pattern's first, then every pattern's second, …
    notable = [s for s in order if severity(s) >= LEVELS.index("WARN") or trouble(s)]
    held = set(notable)
    routine = [s for s in order if s not in held]
    picked = [
        *_in_turn(by_shape, notable, NOTABLE_DEPTH),
        *_in_turn(by_shape, routine, None),
        *[m for s in notable for m in by_shape[s][NOTABLE_DEPTH:]],
    ][:k]
    return [by_message[message] for message in picked]


def ranked_window(
    index: LogIndex,
    session: str,
    tables: list[str] | None,
    plan: RetrievalPlan,
    attempt: Attempt,
    span: float,
    k: int,
) -> list[ResultLine]:
    """The window's worst and most unusual patterns under `attempt`'s filters (`rank_broad`), each
    pattern's usual rate read from the same filters outside the window."""
    filters = search_filters(plan, attempt)
    rows = index.scan(session, tables=tables, filters=filters, limit=BROAD_SCAN_LIMIT)
    return rank_broad(rows, _baseline(index, session, tables, filters, plan.window), span, plan.window, k)


def worst_rows(
    index: LogIndex,
    session: str,
    tables: list[str] | None,
    filters: SearchFilters,
    window: TimeWindow | None,
    k: int,
) -> list[StoredRecord]:
    """One row of each of the `k` messages passing `filters` that a broad question would show
    first: worst and most unusual patterns first, one message per pattern in turn (`rank_broad`).
    "What happened to upstream 10.0.3.21?" asks this of the lines that hold the address."""
    rows = index.scan(session, tables=tables, filters=filters, limit=BROAD_SCAN_LIMIT)
    baseline = _baseline(index, session, tables, filters, window)
    return [group[0] for group in _picked(rows, baseline, session_span(index, session, tables), window, k)]


def _baseline(
    index: LogIndex,
    session: str,
    tables: list[str] | None,
    filters: SearchFilters,
    window: TimeWindow | None,
) -> dict[str, int]:
    """Lines per shape outside the window (same filters otherwise): a pattern's usual rate."""
    baseline: dict[str, int] = defaultdict(int)
    if window is None:
        return baseline
    everywhere = filters.model_copy(update={"start": None, "end": None})
    for row in index.scan(session, tables=tables, filters=everywhere, limit=BROAD_SCAN_LIMIT):
        if not window.contains(row.timestamp):
            baseline[row.shape] += 1
    return baseline


def session_span(index: LogIndex, session: str, tables: list[str] | None) -> float:
    """Seconds between the session's first and last stored line."""
    span = index.time_span(session, tables=tables)
    return (span[1] - span[0]) / 1_000_000 if span else 0.0

"""Ranking for broad questions ("what went wrong between X and Y?"): not the lines that resemble
the words, but the window's worst and most unusual patterns.

Most severe first; then, within a level, the patterns whose words say something failed (for
sources that write no level, or call everything "Info"); then the patterns that rose most above
their rate outside the window (new patterns first), rarest first among equals; one message per
pattern in turn, so ten places hold ten different things before any pattern gets a second one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sre_agent.indexes import StoredRecord
from sre_agent.models import LEVELS, TimeWindow
from sre_agent.shapes import sounds_like_trouble
from sre_agent.workflows.order import merge_rows, to_result_line
from sre_agent.workflows.results import ResultLine

BROAD_SCAN_LIMIT = 50_000


def rank_broad(
    rows: Sequence[StoredRecord],
    baseline: dict[str, int],
    span: float,
    window: TimeWindow | None,
    k: int,
) -> list[ResultLine]:
    """The `k` messages of `rows` to show first. `baseline` counts each shape's lines outside the
    window, `span` is the seconds the session's lines cover."""
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

    times = [r.timestamp for r in rows]
    inside = (max(times) - min(times)).total_seconds() if times else 0.0
    if window is not None:
        inside = (window.end - window.start).total_seconds()
    outside_rows = sum(baseline.values())

    def rise(shape: str) -> float:
        """How far the pattern rose above its rate elsewhere: (seen + 1) / (expected + 1)."""
        if not outside_rows or inside <= 0:
            return 1.0
        outside = max(span - inside, inside)
        expected = baseline.get(shape, 0) * inside / outside
        return (shape_count(shape) + 1) / (expected + 1)

    order = sorted(by_shape, key=lambda s: (-severity(s), -trouble(s), -round(rise(s), 1), shape_count(s)))
    for shape in order:
        by_shape[shape].sort(key=lambda m: by_message[m][0].timestamp)
    picked: list[str] = []
    depth = 0
    while len(picked) < k and any(len(by_shape[s]) > depth for s in order):
        for shape in order:
            if depth < len(by_shape[shape]) and len(picked) < k:
                picked.append(by_shape[shape][depth])
        depth += 1
    out = []
    for message in picked:
        group = by_message[message]
        line = to_result_line(group[0], via="scan", score=0.0)
        merge_rows(line, group)
        out.append(line)
    return out

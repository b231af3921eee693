"""Which records a fetch keeps when more match than its limit: the newest.

An incident is almost always recent, so a fetch cut by its record limit keeps the newest records
that matched, and says so (`report.FetchCut`): how many matched, how many were read, the span the
read covers and where the matches began. `NewestKept` does this while records stream past, in
memory bounded by the limit (a heap of at most `limit` records), so a 1M-line file costs no more
memory than its newest `limit` records; `keep_newest` does it for a list a remote store returned.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from datetime import datetime

from sre_agent.connectors.report import FetchCut
from sre_agent.models import LogRecord, TimeWindow


class NewestKept:
    """Offered records, of which the newest `limit` are kept; every offer is counted. With a
    `focus` window, its records come first: all of them are kept (the newest, if even they are
    more than the limit) before the newest of the rest."""

    def __init__(self, limit: int, focus: TimeWindow | None = None) -> None:
        self.limit = limit
        self.focus = focus
        self.matched = 0
        self.in_focus = 0
        self.oldest: datetime | None = None
        self._heap: list[tuple[bool, datetime, int, LogRecord]] = []

    def offer(self, record: LogRecord) -> None:
        """Count `record`; keep it if it is among the `limit` first so far (in the focus, then
        newest; later lines win ties)."""
        self.matched += 1
        ts = record.timestamp
        if self.oldest is None or ts < self.oldest:
            self.oldest = ts
        focused = self.focus is not None and self.focus.contains(ts)
        self.in_focus += focused
        item = (focused, ts, self.matched, record)
        if len(self._heap) < self.limit:
            heapq.heappush(self._heap, item)
        elif item[:3] > self._heap[0][:3]:
            heapq.heapreplace(self._heap, item)

    def records(self) -> list[LogRecord]:
        """What was kept, oldest first (file order among equal timestamps)."""
        return [item[3] for item in sorted(self._heap, key=lambda item: item[1:3])]

    def cut(self) -> FetchCut | None:
        """What the limit left out; None when everything that matched was kept."""
        if self.matched <= self.limit:
            return None
        times = [item[1] for item in self._heap]
        others = [item[1] for item in self._heap if not item[0]]
        kept_focus = len(self._heap) - len(others)
        return FetchCut(
            limit=self.limit,
            read=len(self._heap),
            matched=self.matched,
            first=min(times) if times else None,
            last=max(times) if times else None,
            matched_first=self.oldest,
            focus=self.focus,
            focus_read=kept_focus if self.focus is not None else None,
            focus_whole=kept_focus == self.in_focus,
            focus_matched=self.in_focus if self.focus is not None else None,
            others_first=min(others) if others else None,
        )


def keep_newest(
    records: Sequence[LogRecord], limit: int, *, complete: bool = True
) -> tuple[list[LogRecord], FetchCut | None]:
    """The newest `limit` of `records`, oldest first, and the cut when some were left out.
    `complete=False`: the store stopped serving before it ran out, so the matches are at least these."""
    kept = NewestKept(limit)
    for record in records:
        kept.offer(record)
    cut = kept.cut()
    if cut is not None and not complete:
        cut.matched = None
    return kept.records(), cut

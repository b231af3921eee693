"""Where in a log file a time window starts: a sparse time index, so a second fetch of the same
file for a short window (the timeline's look-back, a follow-up about "14:05 to 14:20") reads that
part of the file only, not all of it again.

While a plain (uncompressed) file is read whole, every `MARK_EVERY`-th record's time, byte offset
and line number are noted, and whether the file is in time order: no record earlier than one
before it by more than `SLACK` (lines of several threads or hosts interleave a little). For a file
in order, the records before a mark whose time is earlier than `start - SLACK` are all before
`start`, and once a record is later than `end + SLACK` every record after it is after `end`: a
window's records are exactly those between the two. A file out of order, compressed or changed
since (size or modification time) is read whole, as before. Indexes live in this process only,
for the last `KEEP_FILES` files read.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from threading import Lock

#: A mark every this many records.
MARK_EVERY = 1000
#: How far a record may be earlier than one before it for the file to count as in time order.
SLACK = timedelta(minutes=5)
#: Files whose index is kept.
KEEP_FILES = 64


def file_key(path: Path) -> tuple[str, int, int]:
    """What says a file is the one indexed: its resolved path, size and modification time."""
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@dataclass
class TimeIndex:
    """Marks of one file read whole, and whether it was in time order."""

    key: tuple[str, int, int]
    marks: list[tuple[datetime, int, int]] = field(default_factory=list)  # (time, byte offset, line)
    ordered: bool = True
    _newest: datetime | None = None
    _count: int = 0

    def note(self, ts: datetime, offset: int, line: int) -> None:
        """One record, in file order, that starts at byte `offset` (line `line`)."""
        if self._newest is not None and ts < self._newest - SLACK:
            self.ordered = False
        if self._newest is None or ts > self._newest:
            self._newest = ts
        if self._count % MARK_EVERY == 0:
            self.marks.append((ts, offset, line))
        self._count += 1

    def seek(self, start: datetime) -> tuple[int, int]:
        """Byte offset and line number to read from so that no record at or after `start` is missed."""
        offset, line = 0, 1
        for ts, mark_offset, mark_line in self.marks:
            if ts < start - SLACK:
                offset, line = mark_offset, mark_line
        return offset, line


_indexes: OrderedDict[tuple[str, int, int], TimeIndex] = OrderedDict()
_lock = Lock()


def lookup(path: Path) -> TimeIndex | None:
    """The index of `path` as it is now, if it was read whole before and is in time order."""
    key = file_key(path)
    with _lock:
        index = _indexes.get(key)
        if index is not None:
            _indexes.move_to_end(key)
    return index if index is not None and index.ordered else None


def keep(index: TimeIndex) -> None:
    """Remember `index` (the oldest of more than `KEEP_FILES` is forgotten)."""
    with _lock:
        _indexes[index.key] = index
        _indexes.move_to_end(index.key)
        while len(_indexes) > KEEP_FILES:
            _indexes.popitem(last=False)

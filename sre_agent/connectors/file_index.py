"""Where in a log file a time window starts: a sparse time index, so a second fetch of the same
file for a short window (the timeline's look-back, a follow-up about "14:05 to 14:20") reads that
part of the file only, not all of it again.

While a plain (uncompressed) file is read whole, every `MARK_EVERY`-th record's time, byte offset
and line number are noted, and whether the file is in time order: no record earlier than one
before it by more than `SLACK` (lines of several threads or hosts interleave a little). For a file
in order, the records before a mark whose time is earlier than `start - SLACK` are all before
`start`, and once a record is later than `end + SLACK` every record after it is after `end`: a
window's records are exactly those between the two. A file out of order, compressed or changed
since (size or modification time) is read whole, as before. Indexes are kept in the process for
the last `KEEP_FILES` files read and, given a folder (the engine's data dir), written there as
small JSON files, so the next command about the same unchanged file seeks too. An index that
cannot be written costs only speed: a warning is logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from threading import Lock

log = logging.getLogger(__name__)

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


def lookup(path: Path, folder: Path | None = None) -> TimeIndex | None:
    """The index of `path` as it is now, if it was read whole before and is in time order (in this
    process, or written to `folder` by an earlier one)."""
    key = file_key(path)
    with _lock:
        index = _indexes.get(key)
        if index is not None:
            _indexes.move_to_end(key)
    if index is None and folder is not None:
        index = _load(_file_of(folder, key), key)
        if index is not None:
            keep(index)
    return index if index is not None and index.ordered else None


def keep(index: TimeIndex, folder: Path | None = None) -> None:
    """Remember `index` (the oldest of more than `KEEP_FILES` is forgotten); with `folder`, write it
    there too."""
    with _lock:
        _indexes[index.key] = index
        _indexes.move_to_end(index.key)
        while len(_indexes) > KEEP_FILES:
            _indexes.popitem(last=False)
    if folder is None:
        return
    data = {
        "key": list(index.key),
        "ordered": index.ordered,
        "marks": [[ts.isoformat(), offset, line] for ts, offset, line in index.marks],
    }
    target = _file_of(folder, index.key)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        log.warning(
            "could not keep the time index of %s in %s (%s): the next read of it is whole",
            index.key[0],
            folder,
            exc,
        )


def _file_of(folder: Path, key: tuple[str, int, int]) -> Path:
    return folder / (hashlib.sha256(key[0].encode("utf-8")).hexdigest()[:24] + ".json")


def _load(file: Path, key: tuple[str, int, int]) -> TimeIndex | None:
    """The index written in `file`, if it is of `key` (the file as it is now) and readable."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        if tuple(data["key"]) != key:
            return None  # written for another version of the file
        marks = [(datetime.fromisoformat(ts), int(offset), int(line)) for ts, offset, line in data["marks"]]
        return TimeIndex(key=key, marks=marks, ordered=bool(data["ordered"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None

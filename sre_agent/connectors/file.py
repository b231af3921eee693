"""The `file` logstore: JSONL files (the incident `logs.jsonl` format), CSV, container runtime
(CRI) logs, W3C extended logs (IIS, CloudFront) and plain text log files.

It is the embedded default and what replay serves. JSONL lines that cannot be read are
skipped, counted, and the first few reported as `file:line: reason`. Plain text lines that
start with a timestamp begin a record; lines that do not (stack frames, "Caused by") are
joined to the record above so a stack trace stays with its line. Which files are read, and
how (gzip, rotated names, binary refused, JSONL or text), is `inputs`.

Files are streamed, never read whole: each record is matched as it is read, and of those that
match, the newest `limit` are kept (`newest.NewestKept`), so memory is bounded by the limit, not
by the file, and a cut read keeps the recent records an incident is about and says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from sre_agent.connectors import file_index, wrapped
from sre_agent.connectors.base import FETCH_PROGRESS, FETCH_SEEN, FetchResult, record_matches
from sre_agent.connectors.cri_lines import cri_records
from sre_agent.connectors.csv_lines import csv_records, delimiter, header_of
from sre_agent.connectors.file_index import file_key
from sre_agent.connectors.inputs import CUT_SHORT, Format, Line, NotALog, check_text, log_files, open_text
from sre_agent.connectors.json_record import MAX_DEPTH, Aliases, record_from_object
from sre_agent.connectors.newest import NewestKept
from sre_agent.connectors.text_lines import continues, record_start
from sre_agent.connectors.w3c_lines import w3c_header, w3c_records
from sre_agent.errors import InputError
from sre_agent.models import LogQuery, LogRecord, TimeWindow, log_clock

MAX_PROBLEMS = 5
#: Longest line read (characters, 1 MiB); a longer one is skipped and located like a malformed one.
MAX_LINE_CHARS = 1 << 20
#: Files up to this size are read whole for their span; of bigger ones, the head and the tail.
SPAN_SCAN_BYTES = 1 << 20
#: A long read says how far it is every this many records (see `base.FETCH_PROGRESS`).
PROGRESS_EVERY = 100_000
#: Suffixes of files read through a decompressor (never seeked).
COMPRESSED = {".gz", ".zst"}
#: What a file none of whose lines could be read is told (`FileLogstore.fetch`).
_TIMES_READ = (
    "a log line starts with a time (ISO 8601, syslog, RFC 5424, Apache or nginx access/error logs), "
    "is logfmt with a time field, or is a JSON object with one; a container runtime's log, a W3C "
    "log (#Fields:) and a CSV or TSV with a time column are read too"
)
#: Why a text line before a file's first record is skipped.
NO_TIME = "no time we can read at its start (nor a logfmt time field), and no record above it to join"


class FileLogstore:
    """Serves log records from local files: one path, or a folder of logs (see `inputs.log_files`)."""

    def __init__(
        self, path: Path | str, *, default_year: int | None = None, index_dir: Path | None = None
    ) -> None:
        """`index_dir`: where the time indexes of files read whole are kept between commands
        (`file_index`); None keeps them in this process only."""
        self.path = Path(path)
        self.index_dir = index_dir
        self.name = f"file {self.path}"
        self.default_year = default_year or datetime.now(UTC).year
        if not self.path.exists():
            raise InputError(f"{self.path}: no such file or folder")

    def files(self) -> list[Path]:
        return log_files(self.path)[0]

    def fetch(self, query: LogQuery) -> FetchResult:
        """Stream every file, keep `query.limit` of the records `query` matches: all of `query.focus`
        first, then the newest (oldest first in the result); when the limit cut, `result.cut` says
        what matched and what was read."""
        result = FetchResult(source=str(self.path))
        kept = NewestKept(query.limit, query.focus)
        paths, result.report.skipped_files = log_files(self.path)
        say, seen = FETCH_PROGRESS.get(), FETCH_SEEN.get()
        window = query.window
        unreadable: dict[Path, str] = {}  # files of which not one line could be read
        for path in paths:
            index = file_index.lookup(path, self.index_dir) if window is not None else None
            # Indexed: only the window's part of the file (a short read, said nothing of). Else the
            # whole file, counted aloud, leaving an index behind unless it is compressed.
            start, line, stop = 0, 1, None
            if index is not None and window is not None:
                start, line = index.seek(window.start)
                stop = window.end + file_index.SLACK
            counted = _every(say, path) if say is not None and index is None else None
            whole = index is None and path.suffix.lower() not in COMPRESSED
            building = file_index.TimeIndex(file_key(path)) if whole else None
            read, skipped_before = 0, result.skipped
            for offset, record in self._records(path, result, query.field_aliases, start, line):
                read += 1
                if stop is not None and record.timestamp > stop:
                    break
                if counted is not None:
                    counted(offset)
                if building is not None:
                    building.note(record.timestamp, offset, record.line or 0)
                if record_matches(record, query):
                    kept.offer(record)
                    if seen is not None:
                        seen(record)
            if building is not None:
                file_index.keep(building, self.index_dir)
            if not read and start == 0 and result.skipped > skipped_before:  # not one line was a record
                unreadable[path] = _unreadable(result.skipped - skipped_before)
        if unreadable and len(unreadable) == len(paths):
            path, reason = next(iter(unreadable.items()))
            raise NotALog(path, reason, result.problems[0] if result.problems else "", _TIMES_READ)
        named = {str(p.relative_to(self.path)): why for p, why in unreadable.items()}
        result.report.skipped_files.update(named)
        result.records = kept.records()
        result.cut = kept.cut()
        result.truncated = result.cut is not None
        return result

    def _records(
        self, path: Path, result: FetchResult, aliases: Aliases, start: int = 0, line: int = 1
    ) -> Iterator[tuple[int, LogRecord]]:
        """(byte offset, record) of one file from byte `start` (line `line`); -1 when compressed.
        A read from the middle of a CSV or W3C file takes the columns its start names."""
        kind = check_text(path)
        header = _columns(kind, path) if start else None
        return self._read(kind, _lines(path, start, line, result), path, result, aliases, header)

    def _read(
        self,
        kind: Format,
        lines: Iterable[Line],
        path: Path,
        result: FetchResult,
        aliases: Aliases,
        header: list[str] | None = None,
    ) -> Iterator[tuple[int, LogRecord]]:
        """(byte offset, record) of `lines` of a file read as `kind`; `header`: the column names in
        force where `lines` begin (CSV, W3C), None when they begin with the file's own."""
        noted = partial(_note, result)
        if kind == "jsonl":
            return _jsonl_records(lines, path, result, aliases)
        if kind == "csv":
            return csv_records(lines, path, noted, aliases, header)
        if kind == "cri":
            return _joined(cri_records(lines, path, noted, aliases), wrapped.continues)
        if kind == "w3c":
            return w3c_records(lines, path, noted, aliases, header)
        return self._text_records(lines, path, result, aliases)

    def span(self) -> TimeWindow | None:
        """First to last timestamp of the snapshot (see `span_and_clock`); None when it holds none."""
        return self.span_and_clock()[0]

    def span_and_clock(self) -> tuple[TimeWindow | None, int | None]:
        """First to last timestamp of the snapshot, and the UTC offset (minutes) most of the records
        read for it were written with (None: their times name none); (None, None) when it holds no
        record. A file up to `SPAN_SCAN_BYTES` is read whole; of a bigger one, the records of its first and
        last `SPAN_SCAN_BYTES // 2` (logs are written in time order, so its span is theirs)."""
        first: datetime | None = None
        last: datetime | None = None
        ignored = FetchResult()
        paths = self.files()
        offsets: list[int | None] = []
        for path in paths:
            for record in self._span_records(path, ignored):
                ts = record.timestamp
                first = ts if first is None or ts < first else first
                last = ts if last is None or ts > last else last
                offsets.append(record.utc_offset)
        if first is None or last is None:
            if ignored.skipped:  # lines there were, and not one could be read: no log of ours
                where = paths[0] if len(paths) == 1 else self.path
                sampled = any(p.stat().st_size > SPAN_SCAN_BYTES for p in paths)
                reason = _unreadable(ignored.skipped, sampled)
                raise NotALog(where, reason, ignored.problems[0], _TIMES_READ)
            return None, None
        return TimeWindow(start=first, end=last), log_clock(offsets)

    def _span_records(self, path: Path, ignored: FetchResult) -> Iterator[LogRecord]:
        size = path.stat().st_size
        kind = check_text(path)
        if size <= SPAN_SCAN_BYTES or path.suffix.lower() in COMPRESSED:
            yield from (record for _, record in self._records(path, ignored, None))
            return
        half = SPAN_SCAN_BYTES // 2
        with path.open("rb") as fh:
            head = fh.read(half)
            fh.seek(size - half)
            tail = fh.read(half)
        # Whole lines only: the head's last line and the tail's first may be cut. A W3C file's
        # columns are its first #Fields:; a CSV's, the head's first line, for the tail.
        header = _columns(kind, path) if kind == "w3c" else None
        for chunk in (head.rsplit(b"\n", 1)[0], tail.split(b"\n", 1)[-1]):
            lines = chunk.decode("utf-8", errors="replace").splitlines()
            numbered = [(-1, n, text) for n, text in enumerate(lines, 1)]
            yield from (record for _, record in self._read(kind, numbered, path, ignored, None, header))
            if kind == "csv":
                header = header or header_of(numbered, delimiter(path))

    def _text_records(
        self, lines: Iterable[Line], path: Path, result: FetchResult, aliases: Aliases = None
    ) -> Iterator[tuple[int, LogRecord]]:
        """Records of text lines: a line with a time starts one (`text_lines.record_start`), the
        lines after it that have none (stack frames, "Caused by", wrapped text) are joined to it,
        and so are the records that are parts of it (PostgreSQL's DETAIL, HINT, STATEMENT:
        `text_lines.continues`). Lines before the first record are skipped and located: nothing
        places them in time."""
        return _joined(self._text_lines(lines, path, result, aliases), continues)

    def _text_lines(
        self, lines: Iterable[Line], path: Path, result: FetchResult, aliases: Aliases
    ) -> Iterator[tuple[int, LogRecord]]:
        """`_text_records` before the records that are parts of others are joined."""
        pending: LogRecord | None = None
        pending_at = -1
        source = str(path)  # one string shared by every record of the file
        for offset, lineno, raw in lines:
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            if len(line) > MAX_LINE_CHARS:
                _note(result, f"{path}:{lineno}", _too_long(line))
                continue
            record = record_start(
                line, source=source, lineno=lineno, default_year=self.default_year, aliases=aliases
            )
            if record is None:
                if pending is not None:  # a continuation: stack frame, "Caused by", wrapped text
                    pending.message += "\n" + line
                else:
                    _note(result, f"{path}:{lineno}", NO_TIME)
                continue
            if pending is not None:
                yield pending_at, pending
            pending, pending_at = record, offset
        if pending is not None:
            yield pending_at, pending


def _columns(kind: Format, path: Path) -> list[str] | None:
    """The column names a CSV or W3C file's start gives (None for the other kinds)."""
    if kind == "csv":
        return header_of(_lines(path), delimiter(path))
    if kind == "w3c":
        return w3c_header(_lines(path))
    return None


def _joined(
    records: Iterable[tuple[int, LogRecord]], part_of: Callable[[LogRecord, LogRecord], str | None]
) -> Iterator[tuple[int, LogRecord]]:
    """`records` (with their offsets), each record that `part_of` says belongs to the one above
    joined to it as the text `part_of` gives: a PostgreSQL report's DETAIL line, a stack frame a
    container's shipper stored as a record of its own."""
    pending: LogRecord | None = None
    pending_at = -1
    for offset, record in records:
        if pending is not None and (part := part_of(pending, record)) is not None:
            pending.message += "\n" + part
            continue
        if pending is not None:
            yield pending_at, pending
        pending, pending_at = record, offset
    if pending is not None:
        yield pending_at, pending


def _unreadable(lines: int, sampled: bool = False) -> str:
    """Why a file of `lines` lines none of which is a record is refused (or skipped in a folder);
    `sampled`: the lines were its first and last ones only (a big file's span is read so)."""
    if sampled:
        return f"none of the {lines} lines read from its start and its end could be read as a log record"
    return f"none of its {lines} lines could be read as a log record"


def _note(result: FetchResult, where: str, reason: str) -> None:
    result.skipped += 1
    if len(result.problems) < MAX_PROBLEMS:
        result.problems.append(f"{where}: {reason}")


def _too_long(line: str) -> str:
    return f"line of {len(line):,} characters, longer than the {MAX_LINE_CHARS:,} (1 MiB) a line may have"


def parse_jsonl_line(
    text: str, *, source: str, line: int, aliases: Aliases = None, day: date | None = None
) -> LogRecord:
    """Turn one JSONL line into a LogRecord; raise ValueError with the reason when it cannot.
    `day`: the date for a wrapped line that gives only a time of day (the file's).

    orjson reads the line; what it refuses is read again by the standard library, which says where
    the line is wrong and reads what orjson does not (NaN, lone surrogates). So is a line where
    orjson gave a float beyond 64-bit integers: it reads such integers as floats, which would
    change an id."""
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError:
        obj = _stdlib_json(text)
    else:
        if isinstance(obj, dict) and _beyond_64_bits(obj.values(), MAX_DEPTH):
            obj = _stdlib_json(text)
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    return record_from_object(obj, source=source, line=line, aliases=aliases, day=day)


def _beyond_64_bits(values: Iterable[Any], room: int) -> bool:
    """Whether a float among `values` (nested ones too) is beyond the 64-bit integers; True also
    when they nest deeper than `room` (the standard library then says so)."""
    for value in values:
        kind = type(value)
        if kind is float:
            if not -(2**63) <= value < 2**64:
                return True
        elif (kind is dict or kind is list) and (
            room == 0 or _beyond_64_bits(value.values() if kind is dict else value, room - 1)
        ):
            return True
    return False


def _stdlib_json(text: str) -> Any:
    try:
        return json.loads(text.rstrip("\r\n"))  # without its newline: a cut line's column is its end
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:  # nested deeper than Python's parser goes (~1000 levels)
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels of objects and lists") from None


def _every(say: Callable[[str], None], path: Path) -> Callable[[int], None]:
    """A counter of the records read from `path` that says how far it is every `PROGRESS_EVERY`."""
    size = path.stat().st_size
    read = 0

    def count(offset: int) -> None:
        nonlocal read
        read += 1
        if read % PROGRESS_EVERY == 0:
            share = f" ({offset * 100 // size}%)" if offset >= 0 and size else ""
            say(f"read {read:,} records of {path.name}{share}")

    return count


def _lines(path: Path, start: int = 0, line: int = 1, result: FetchResult | None = None) -> Iterator[Line]:
    """(byte offset, line number, text) of each line of `path` from byte `start`, which is line
    `line`; a compressed file is read from its start, with offset -1 (it cannot be seeked cheaply).
    A gzip file cut short (still being written, copied half) gives the lines before the cut, and the
    cut is noted in `result` as `file:line: reason`."""
    if path.suffix.lower() in COMPRESSED:
        n = 0
        try:
            with open_text(path) as fh:
                for n, text in enumerate(fh, 1):
                    yield -1, n, text
        except NotALog as exc:
            if result is None or exc.reason != CUT_SHORT:
                raise
            _note(result, f"{path}:{n + 1}", f"{exc}; the {n:,} lines before it were read")
            result.report.ends_early.append(f"{path} is {CUT_SHORT}: only its first {n:,} lines were read")
        return
    with path.open("rb") as fh:
        fh.seek(start)
        offset = start
        for n, raw in enumerate(fh, line):
            yield offset, n, raw.decode("utf-8", errors="replace")
            offset += len(raw)


def _jsonl_records(
    lines: Iterable[Line], path: Path, result: FetchResult, aliases: Aliases
) -> Iterator[tuple[int, LogRecord]]:
    """Records of JSONL lines, one a line; a line that continues the record above (a stack frame
    a container's shipper stored as a record of its own: `wrapped.continues`) is joined to it."""
    return _joined(_jsonl_lines(lines, path, result, aliases), wrapped.continues)


def _jsonl_lines(
    lines: Iterable[Line], path: Path, result: FetchResult, aliases: Aliases
) -> Iterator[tuple[int, LogRecord]]:
    """A record of each JSONL line (`parse_jsonl_line`); a line that cannot be read is located."""
    source = str(path)  # one string shared by every record of the file
    day = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).date()  # for lines with a time of day only
    for offset, lineno, raw in lines:
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_CHARS and len(raw.rstrip("\r\n")) > MAX_LINE_CHARS:
            _note(result, f"{path}:{lineno}", _too_long(raw.rstrip("\r\n")))
            continue
        try:
            yield offset, parse_jsonl_line(raw, source=source, line=lineno, aliases=aliases, day=day)
        except ValueError as exc:
            _note(result, f"{path}:{lineno}", str(exc))

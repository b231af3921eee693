"""The `file` logstore: JSONL files (the incident `logs.jsonl` format) and plain text log files.

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
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from sre_agent.connectors.base import FetchResult, record_matches
from sre_agent.connectors.inputs import check_text, log_files, open_text
from sre_agent.connectors.json_record import LEVEL_IN_TEXT, Aliases, record_from_object
from sre_agent.connectors.newest import NewestKept
from sre_agent.errors import InputError
from sre_agent.models import LogQuery, LogRecord, TimeWindow

MAX_PROBLEMS = 5
#: Files up to this size are read whole for their span; of bigger ones, the head and the tail.
SPAN_SCAN_BYTES = 4 << 20
_TS_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # 2024-05-01T12:00:00.123Z, 2024-05-01 12:00:00,123 +0000
    (re.compile(r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)"), "iso"),
    # Dec 10 06:55:46 (syslog; no year)
    (re.compile(r"^([A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2})"), "syslog"),
    # 081109 203615 (HDFS)
    (re.compile(r"^(\d{6} \d{6})"), "yymmdd"),
]


class FileLogstore:
    """Serves log records from local files: one path, or a folder of logs (see `inputs.log_files`)."""

    def __init__(self, path: Path | str, *, default_year: int | None = None) -> None:
        self.path = Path(path)
        self.name = f"file {self.path}"
        self.default_year = default_year or datetime.now(UTC).year
        if not self.path.exists():
            raise InputError(f"{self.path}: no such file or folder")

    def files(self) -> list[Path]:
        return log_files(self.path)[0]

    def fetch(self, query: LogQuery) -> FetchResult:
        """Stream every file, keep the newest `query.limit` records `query` matches (oldest first in
        the result); when the limit cut, `result.cut` says what matched and what was read."""
        result = FetchResult(source=str(self.path))
        kept = NewestKept(query.limit)
        paths, result.report.skipped_files = log_files(self.path)
        for path in paths:
            for record in self.records(path, result, aliases=query.field_aliases):
                if record_matches(record, query):
                    kept.offer(record)
        result.records = kept.records()
        result.cut = kept.cut()
        result.truncated = result.cut is not None
        return result

    def records(self, path: Path, result: FetchResult, *, aliases: Aliases = None) -> Iterator[LogRecord]:
        """The records of one file as they are read (lines that cannot be read are noted in `result`)."""
        if check_text(path) == "jsonl":
            return _read_jsonl(path, result, aliases=aliases)
        return self._read_text(path, result)

    def span(self) -> TimeWindow | None:
        """First to last timestamp of the snapshot; None when it holds no record.

        A file up to `SPAN_SCAN_BYTES` is read whole; of a bigger one, the records of its first and
        last `SPAN_SCAN_BYTES // 2` (logs are written in time order, so its span is theirs)."""
        first: datetime | None = None
        last: datetime | None = None
        for path in self.files():
            for record in self._span_records(path):
                ts = record.timestamp
                first = ts if first is None or ts < first else first
                last = ts if last is None or ts > last else last
        if first is None or last is None:
            return None
        return TimeWindow(start=first, end=last)

    def _span_records(self, path: Path) -> Iterator[LogRecord]:
        ignored = FetchResult()
        size = path.stat().st_size
        jsonl = check_text(path) == "jsonl"
        if size <= SPAN_SCAN_BYTES or path.suffix.lower() in {".gz", ".zst"}:
            yield from self.records(path, ignored)
            return
        half = SPAN_SCAN_BYTES // 2
        with path.open("rb") as fh:
            head = fh.read(half)
            fh.seek(size - half)
            tail = fh.read(half)
        # Whole lines only: the head's last line and the tail's first may be cut.
        for chunk in (head.rsplit(b"\n", 1)[0], tail.split(b"\n", 1)[-1]):
            lines = chunk.decode("utf-8", errors="replace").splitlines()
            if jsonl:
                for n, text in enumerate(lines, 1):
                    try:
                        yield parse_jsonl_line(text, source=str(path), line=n)
                    except ValueError:
                        continue
            else:
                yield from self._text_records(lines, path, ignored)

    def _read_text(self, path: Path, result: FetchResult) -> Iterator[LogRecord]:
        with open_text(path) as fh:
            yield from self._text_records(fh, path, result)

    def _text_records(self, lines: Iterable[str], path: Path, result: FetchResult) -> Iterator[LogRecord]:
        """Records of text lines: a line with a timestamp starts one, the lines after it that have
        none (stack frames, "Caused by", wrapped text) are joined to it."""
        pending: LogRecord | None = None
        for lineno, raw in enumerate(lines, start=1):
            line = raw.rstrip("\n")
            if not line.strip():
                continue
            ts, rest = self._parse_text_timestamp(line)
            if ts is None:
                if pending is not None:  # a continuation: stack frame, "Caused by", wrapped text
                    pending.message += "\n" + line
                    continue
                ts, rest = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC), line
            if pending is not None:
                yield pending
            level_match = LEVEL_IN_TEXT.search(rest[:80])
            pending = LogRecord(
                timestamp=ts,
                message=rest.strip(),
                level=level_match.group(1) if level_match else None,
                source=str(path),
                line=lineno,
            )
        if pending is not None:
            yield pending

    def _parse_text_timestamp(self, line: str) -> tuple[datetime | None, str]:
        for pattern, kind in _TS_PATTERNS:
            m = pattern.match(line)
            if not m:
                continue
            text = m.group(1)
            try:
                if kind == "iso":
                    ts = datetime.fromisoformat(text.replace(",", ".").replace("Z", "+00:00"))
                elif kind == "syslog":
                    ts = datetime.strptime(f"{self.default_year} {text}", "%Y %b %d %H:%M:%S")
                else:
                    ts = datetime.strptime(text, "%y%m%d %H%M%S")
            except ValueError:
                continue
            return ts, line[m.end() :]
        return None, line


def _note(result: FetchResult, where: str, reason: str) -> None:
    result.skipped += 1
    if len(result.problems) < MAX_PROBLEMS:
        result.problems.append(f"{where}: {reason}")


def parse_jsonl_line(text: str, *, source: str, line: int, aliases: Aliases = None) -> LogRecord:
    """Turn one JSONL line into a LogRecord; raise ValueError with the reason when it cannot."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    return record_from_object(obj, source=source, line=line, aliases=aliases)


def _read_jsonl(path: Path, result: FetchResult, *, aliases: Aliases = None) -> Iterator[LogRecord]:
    with open_text(path) as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                yield parse_jsonl_line(raw, source=str(path), line=lineno, aliases=aliases)
            except ValueError as exc:
                _note(result, f"{path}:{lineno}", str(exc))

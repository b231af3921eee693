"""The `file` logstore: JSONL files (the incident `logs.jsonl` format) and plain text log files.

It is the embedded default and what replay serves. JSONL lines that cannot be read are
skipped, counted, and the first few reported as `file:line: reason`. Plain text lines that
start with a timestamp begin a record; lines that do not (stack frames, "Caused by") are
joined to the record above so a stack trace stays with its line. Which files are read, and
how (gzip, rotated names, binary refused, JSONL or text), is `inputs`.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from sre_agent.connectors.base import FetchResult, record_matches
from sre_agent.connectors.inputs import check_text, log_files, open_text
from sre_agent.connectors.json_record import LEVEL_IN_TEXT, Aliases, record_from_object
from sre_agent.errors import InputError
from sre_agent.models import LogQuery, LogRecord, TimeWindow

MAX_PROBLEMS = 5
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

    name = "file"

    def __init__(self, path: Path | str, *, default_year: int | None = None) -> None:
        self.path = Path(path)
        self.default_year = default_year or datetime.now(UTC).year
        if not self.path.exists():
            raise InputError(f"{self.path}: no such file or folder")

    def files(self) -> list[Path]:
        return log_files(self.path)[0]

    def fetch(self, query: LogQuery) -> FetchResult:
        """Read every file, keep the records `query` matches, oldest first, at most `query.limit`."""
        result = FetchResult(source=str(self.path))
        matched: list[LogRecord] = []
        paths, result.report.skipped_files = log_files(self.path)
        for path in paths:
            if check_text(path) == "jsonl":
                records = _read_jsonl(path, result, aliases=query.field_aliases)
            else:
                records = self._read_text(path, result)
            for record in records:
                if record_matches(record, query):
                    matched.append(record)
        matched.sort(key=lambda r: r.timestamp)
        if len(matched) > query.limit:
            result.truncated = True
            matched = matched[: query.limit]
        result.records = matched
        return result

    def span(self) -> TimeWindow | None:
        """First to last timestamp of the snapshot; None when it holds no record."""
        records = self.fetch(LogQuery(limit=100_000)).records
        if not records:
            return None
        return TimeWindow(start=records[0].timestamp, end=records[-1].timestamp)

    def _read_text(self, path: Path, result: FetchResult) -> list[LogRecord]:
        records: list[LogRecord] = []
        with open_text(path) as fh:
            for lineno, raw in enumerate(fh, start=1):
                line = raw.rstrip("\n")
                if not line.strip():
                    continue
                ts, rest = self._parse_text_timestamp(line)
                if ts is None:
                    if records:  # a continuation: stack frame, "Caused by", wrapped text
                        records[-1].message += "\n" + line
                        continue
                    ts, rest = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC), line
                level_match = LEVEL_IN_TEXT.search(rest[:80])
                records.append(
                    LogRecord(
                        timestamp=ts,
                        message=rest.strip(),
                        level=level_match.group(1) if level_match else None,
                        source=str(path),
                        line=lineno,
                    )
                )
        return records

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


def _read_jsonl(path: Path, result: FetchResult, *, aliases: Aliases = None) -> list[LogRecord]:
    records: list[LogRecord] = []
    with open_text(path) as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                records.append(parse_jsonl_line(raw, source=str(path), line=lineno, aliases=aliases))
            except ValueError as exc:
                _note(result, where, str(exc))
    return records

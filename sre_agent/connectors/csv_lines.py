"""CSV and TSV logs (`*.csv`, `*.tsv`, also gzipped or rotated): a header row names the columns,
each line after it is one record, read like a JSON object of those names
(`json_record.record_from_object`: `timestamp`/`time`/`ts`, `level`, `service`, `host`, `message`
under whatever usual names the header uses; the other columns become the record's fields). A
`date` and a `time` column (CloudFront's logs as a table) are one UTC time.

A line is one record: a quoted value may hold the delimiter, not a line break. A line whose
column count differs from the header's, or that has no readable time, is skipped and located like
a malformed JSON line (`file:line: reason`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sre_agent.connectors.inputs import Line
from sre_agent.connectors.json_record import Aliases, record_from_object
from sre_agent.models import LogRecord

#: Where a skipped line goes: (where, reason).
Note = Callable[[str, str], None]


def delimiter(path: Path) -> str:
    """A tab for `*.tsv` (under compression and rotation suffixes), else a comma."""
    return "\t" if ".tsv" in path.name.lower() else ","


def header_of(lines: Iterable[Line], sep: str) -> list[str] | None:
    """The column names: the first non-empty line's values, stripped; None when there is none."""
    for _, _, raw in lines:
        if raw.strip():
            return [name.strip() for name in next(csv.reader([raw.rstrip("\r\n")], delimiter=sep))]
    return None


_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_CLOCK = re.compile(r"\d\d:\d\d:\d\d(?:\.\d+)?")


def with_date_and_time(obj: dict[str, Any]) -> dict[str, Any]:
    """`obj` with its `date` and `time` columns (`2026-12-10`, `13:00:03`) as one `timestamp`
    (UTC: W3C logs and CloudFront's are written in it) when it has no timestamp of its own: a
    time of day alone places nothing."""
    date, clock = obj.get("date"), obj.get("time")
    if "timestamp" in obj or not isinstance(date, str) or not isinstance(clock, str):
        return obj
    if not (_DATE.fullmatch(date) and _CLOCK.fullmatch(clock)):
        return obj
    return {
        "timestamp": f"{date}T{clock}+00:00",
        **{k: v for k, v in obj.items() if k not in ("date", "time")},
    }


def csv_records(
    lines: Iterable[Line], path: Path, note: Note, aliases: Aliases, header: list[str] | None
) -> Iterator[tuple[int, LogRecord]]:
    """(byte offset, record) of each data line. `header`: the column names when `lines` starts
    after the header row (a read from the middle of the file); None: the first line is the header."""
    sep = delimiter(path)
    source = str(path)
    for offset, lineno, raw in lines:
        text = raw.rstrip("\r\n")
        if not text.strip():
            continue
        row = next(csv.reader([text], delimiter=sep))
        if header is None:
            header = [name.strip() for name in row]
            continue
        if len(row) != len(header):
            note(f"{path}:{lineno}", f"{len(row)} columns where the header names {len(header)}")
            continue
        obj = with_date_and_time(dict(zip(header, row, strict=True)))
        try:
            yield offset, record_from_object(obj, source=source, line=lineno, aliases=aliases)
        except ValueError as exc:
            note(f"{path}:{lineno}", str(exc))

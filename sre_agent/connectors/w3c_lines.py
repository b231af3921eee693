"""W3C extended log files: IIS's web logs (`u_ex240618.log`), Amazon CloudFront's standard logs and
the other servers that write them. Directives start with `#` (`#Software:`, `#Version:`, `#Date:`);
`#Fields:` names the columns of the lines that follow, which are separated by spaces (IIS) or tabs
(CloudFront). A file may hold several `#Fields:` blocks (IIS starts one on each restart).

Each data line is read like a JSON object of those names (`json_record.record_from_object`), with
its `date` and `time` columns as one UTC time (W3C logs are written in UTC) and the line itself as
the message, as an access log's text line is; `sc-status` gives a 5xx its ERROR level
(`http_status`). A line before any `#Fields:`, or whose column count differs from it, is located
like a malformed JSON line (`file:line: reason`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from sre_agent.connectors.csv_lines import Note, with_date_and_time
from sre_agent.connectors.inputs import Line
from sre_agent.connectors.json_record import Aliases, record_from_object
from sre_agent.models import LogRecord

#: The directive that names the columns.
FIELDS = "#Fields:"


def w3c_records(
    lines: Iterable[Line], path: Path, note: Note, aliases: Aliases, header: list[str] | None = None
) -> Iterator[tuple[int, LogRecord]]:
    """(byte offset, record) of each data line. `header`: the columns in force when `lines` starts
    after a `#Fields:` line (a read from the middle of the file)."""
    source = str(path)
    for offset, lineno, raw in lines:
        text = raw.rstrip("\r\n")
        if not text.strip():
            continue
        if text.startswith("#"):
            if text.startswith(FIELDS):
                header = text[len(FIELDS) :].split()
            continue
        if header is None:
            note(f"{path}:{lineno}", f"a line before the file's first {FIELDS} line names its columns")
            continue
        row = text.split("\t") if "\t" in text else text.split()
        if len(row) != len(header):
            note(f"{path}:{lineno}", f"{len(row)} columns where {FIELDS} names {len(header)}")
            continue
        obj = with_date_and_time(dict(zip(header, row, strict=True)))
        obj["message"] = " ".join(row)
        try:
            yield offset, record_from_object(obj, source=source, line=lineno, aliases=aliases)
        except ValueError as exc:
            note(f"{path}:{lineno}", str(exc))


def w3c_header(lines: Iterable[Line]) -> list[str] | None:
    """The columns of the file's first `#Fields:` line, for a read from the middle of the file."""
    for _, _, raw in lines:
        if raw.startswith(FIELDS):
            return raw[len(FIELDS) :].split()
        if raw.strip() and not raw.startswith("#"):
            return None
    return None

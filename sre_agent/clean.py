"""The clean step: turn fetched `LogRecord`s into `CleanRecord`s that are safe to store and embed.

For each record, in input order (no record is ever dropped):

1. Fields: `config.log_fields.keep` (empty: keep all) and `.drop` (wins over keep) pick the extra
   `fields`. The standard columns (`STANDARD_COLUMNS`) are never removed by `keep`; `drop` may
   remove them, except `timestamp` and `message` (a config that tries is a `ConfigError`).
2. Redaction, before anything else looks at the text: the message, every standard string column
   (a `user_id` may be an e-mail), `source`, and the extra fields (`Redactor.redact_value`).
   Messages are first read with their neighbours of the same source (`redact_neighbours`): a
   private key logged one line per record, or a token cut across two records, is caught there.
3. Capping: a message longer than `config.max_message_chars` (4000 without a config) is cut, see
   `cap_message`: a stack trace keeps its first line, its `Caused by` lines and its last frames.
4. `shape` is `message_shape` of the cleaned message; `id` is, with an id key, the keyed hash of
   what the fetched line says (`record_ids`: not where it was read, identical lines of one fetch
   told apart by their occurrence), else a hash of every other cleaned field but `line`.
5. Level: a request whose access-log line reports a 5xx status (`http_status`) is an ERROR when
   its source gave it no level or a routine one.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from sre_agent.configs import ServiceConfig
from sre_agent.errors import ConfigError, InputError
from sre_agent.http_status import ROUTINE_LEVELS, http_status, status_field
from sre_agent.indexes.rows import CLEAN_COLUMNS, clean_schema, records_of
from sre_agent.models import CleanRecord, LogRecord
from sre_agent.record_ids import RecordIds
from sre_agent.redact import Redactor
from sre_agent.redact_neighbours import across_records
from sre_agent.shapes import message_shape
from sre_agent.stacktrace import our_frames

#: Columns every record has; `keep` never removes them.
STANDARD_COLUMNS = (
    "timestamp",
    "message",
    "level",
    "service",
    "method",
    "request_id",
    "user_id",
    "host",
    "env",
)
#: Standard string columns that `drop` may remove.
_DROPPABLE_COLUMNS = ("level", "service", "method", "request_id", "user_id", "host", "env")
#: Distinct column values (services, hosts, sources…) whose redaction one call remembers.
_MEMO_LIMIT = 10_000
#: Distinct messages whose cleaning one call remembers (cleared when full: repeats come in runs).
_MESSAGE_MEMO = 4096
#: Message cap when there is no service config.
DEFAULT_MAX_MESSAGE_CHARS = 4000

# Lines that start a new exception in a trace: Java's `Caused by:` / `Suppressed:`, Python's
# chained-exception banners. The last one is usually the root cause.
_CAUSE_LINE = re.compile(
    r"^\s*(?:Caused by\b|Suppressed:|The above exception was|During handling of the above exception)"
)


class CleanResult(BaseModel):
    """The clean records, in input order, and what the clean step did to get them."""

    records: list[CleanRecord] = Field(default_factory=list)
    seen: int = Field(default=0, description="records read")
    kept: int = Field(default=0, description="records written (the clean step drops none)")
    dropped_fields: int = Field(default=0, description="field values removed by log_fields keep/drop")
    capped: int = Field(default=0, description="messages cut to max_message_chars")
    redactions: int = Field(default=0, description="secrets replaced by a marker, over all fields")


def _cut_marker(chars: int) -> str:
    return f"… [{chars} chars cut] …"


def _cut_line(line: str, max_chars: int) -> str:
    """`line` cut to at most `max_chars`, the cut part replaced by a marker at the end."""
    if len(line) <= max_chars:
        return line
    room = len(" " + _cut_marker(len(line)))  # the longest the marker can be
    keep = max(0, max_chars - room)
    return line[:keep] + " " + _cut_marker(len(line) - keep)


def _cap_lines(lines: list[str], total_chars: int, max_chars: int) -> str:
    """Pick whole lines of a multi-line message to fit `max_chars`; mark each run left out.

    Lines are offered in order of importance: the first line, the innermost frames of our code
    (`stacktrace.our_frames`, what every surface shows of a trace), the last cause line and its top
    frames, the other cause lines, then the head (two lines) and tail (one line) of the trace in
    turn. A line is taken only if the result still fits, counting one marker per run of lines
    left out; head and tail stop at their first line that does not fit, so each stays one
    unbroken block.
    """
    n = len(lines)
    line_cap = max(60, max_chars // 3)
    short = [_cut_line(line, line_cap) for line in lines]
    marker_room = len(_cut_marker(total_chars)) + 1
    chosen = [False] * n
    used = 0  # chars of the chosen lines, one newline each
    gaps = 1  # runs of lines not chosen

    def take(i: int) -> bool:
        nonlocal used, gaps
        if chosen[i]:
            return True
        left_free = i > 0 and not chosen[i - 1]
        right_free = i < n - 1 and not chosen[i + 1]
        new_gaps = gaps + (1 if left_free and right_free else 0) - (0 if left_free or right_free else 1)
        new_used = used + len(short[i]) + 1
        if new_used + new_gaps * marker_room > max_chars:
            return False
        chosen[i], used, gaps = True, new_used, new_gaps
        return True

    take(0)
    for i in our_frames(lines):  # the frames every surface shows: our innermost code
        take(i)
    causes = [i for i in range(1, n) if _CAUSE_LINE.match(lines[i])]
    for rank, i in enumerate(reversed(causes)):
        if take(i):
            frames = 3 if rank == 0 else 1
            for j in range(i + 1, min(n, i + 1 + frames)):
                if not take(j):
                    break
    head, tail = 1, n - 1
    head_open, tail_open = True, True
    while (head_open or tail_open) and head <= tail:
        for _ in range(2):
            if head_open and head <= tail:
                head_open = take(head)
                head += 1 if head_open else 0
        if tail_open and head <= tail:
            tail_open = take(tail)
            tail -= 1 if tail_open else 0

    out: list[str] = []
    i = 0
    while i < n:
        if chosen[i]:
            out.append(short[i])
            i += 1
            continue
        j = i
        while j < n and not chosen[j]:
            j += 1
        out.append(_cut_marker(sum(len(lines[k]) + 1 for k in range(i, j))))
        i = j
    return "\n".join(out)


def cap_message(message: str, max_chars: int) -> str:
    """`message` if it fits in `max_chars`, else a shortened copy of at most `max_chars`.

    A single line keeps its start and ends with `… [N chars cut] …`. A multi-line message (a
    stack trace) keeps its first line, its `Caused by` lines (the last one with its top frames)
    and as many head and tail lines as fit; each run of lines left out becomes one marker line.
    Lines longer than a third of the cap are shortened on their own first.
    """
    if max_chars < 200:
        raise InputError(f"max_message_chars must be at least 200 (as in ServiceConfig), got {max_chars}")
    if len(message) <= max_chars:
        return message
    if "\n" not in message:
        return _cut_line(message, max_chars)
    return _cap_lines(message.split("\n"), len(message), max_chars)


def _check_config(config: ServiceConfig) -> None:
    for column in ("timestamp", "message"):
        if column in config.log_fields.drop:
            raise ConfigError(
                f"service config '{config.name}': field 'log_fields.drop': '{column}' cannot be dropped "
                "(every record needs a timestamp and a message)"
            )


def _record_id(payload: dict[str, Any]) -> str:
    """sha256 (first 32 hex chars) of the canonical JSON of every CleanRecord field but id and line."""
    as_text = {**payload, "timestamp": payload["timestamp"].isoformat()}
    canonical = json.dumps(as_text, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


class CleanTable(BaseModel):
    """The clean records as a table (`indexes.rows.clean_schema`, input order), and what the clean
    step did to get them; the form the store ingests, at a fraction of the records' memory."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    rows: pa.Table
    seen: int = Field(default=0, description="records read")
    dropped_fields: int = Field(default=0, description="field values removed by log_fields keep/drop")
    capped: int = Field(default=0, description="messages cut to max_message_chars")
    redactions: int = Field(default=0, description="secrets replaced by a marker, over all fields")


def clean_records(
    records: Iterable[LogRecord],
    config: ServiceConfig | None,
    redactor: Redactor | None = None,
    *,
    id_key: bytes | None = None,
    ids: Sequence[str] | None = None,
) -> CleanResult:
    """`clean_table`'s records as `CleanRecord`s (see it for the arguments)."""
    done = clean_table(records, config, redactor, id_key=id_key, ids=ids)
    return CleanResult(
        records=records_of(done.rows),
        seen=done.seen,
        kept=done.rows.num_rows,
        dropped_fields=done.dropped_fields,
        capped=done.capped,
        redactions=done.redactions,
    )


def clean_table(
    records: Iterable[LogRecord],
    config: ServiceConfig | None,
    redactor: Redactor | None = None,
    *,
    id_key: bytes | None = None,
    ids: Sequence[str] | None = None,
) -> CleanTable:
    """Clean `records` (in order) with a service's config; see the module docstring for the steps.

    `redactor` defaults to `Redactor.for_config(config)`; pass one to reuse it across calls.
    With `id_key`, ids are `record_ids.RecordIds` of the records as fetched, by content (so a
    caller can tell which fetched records are already stored before cleaning them); without, a
    hash of the cleaned record.
    `ids`, when the caller computed those already, are used instead (one per record, in order).
    Raises `InputError` naming the position of anything that is not a `LogRecord`, and
    `ConfigError` if the config drops `timestamp` or `message`.
    """
    if config is not None:
        _check_config(config)
    redactor = redactor or Redactor.for_config(config)
    max_chars = config.max_message_chars if config else DEFAULT_MAX_MESSAGE_CHARS
    keep = set(config.log_fields.keep) if config else set()
    drop = set(config.log_fields.drop) if config else set()

    # Columns and sources repeat (a few services, levels, hosts, one file): each distinct value
    # is redacted once. The same text always redacts the same way, so this changes no output.
    redacted: dict[str, tuple[str, int]] = {}

    def redact_short(value: str) -> tuple[str, int]:
        done = redacted.get(value)
        if done is None:
            done = redactor.redact_counted(value)
            if len(redacted) < _MEMO_LIMIT:
                redacted[value] = done
        return done

    # Messages repeat too (half the lines of the sample incidents are repeats): each distinct one
    # is redacted (2), capped (3) and shaped (4) once, among the last `_MESSAGE_MEMO` distinct.
    cleaned: dict[str, tuple[str, str, int, bool, int | None]] = {}

    def clean_message(text: str) -> tuple[str, str, int, bool, int | None]:
        """The message redacted and capped, its shape, the redactions made, whether it was cut,
        and the HTTP status it reports as an access-log line (`http_status`)."""
        done = cleaned.get(text)
        if done is None:
            message, n = redactor.redact_counted(text)
            capped = cap_message(message, max_chars)
            done = (capped, message_shape(capped), n, capped != message, http_status(text))
            if len(cleaned) >= _MESSAGE_MEMO:
                cleaned.clear()
            cleaned[text] = done
        return done

    records = list(records)
    for index, record in enumerate(records):
        if not isinstance(record, LogRecord):
            raise InputError(f"record {index}: expected a LogRecord, got {type(record).__name__}")
    # secrets that span records of one source, before each record is redacted on its own
    messages, redactions = across_records(
        [r.message for r in records],
        [r.source for r in records],
        redactor,
        config_rules=bool(config and config.redaction_patterns),
    )

    content_ids = RecordIds(id_key) if id_key is not None and ids is None else None
    out: dict[str, list[Any]] = {name: [] for name in CLEAN_COLUMNS}
    dropped_fields = capped_count = 0
    for index, record in enumerate(records):
        # 1. which fields stay
        fields = record.fields
        if fields and (keep or drop):
            fields = {k: v for k, v in fields.items() if (not keep or k in keep) and k not in drop}
            dropped_fields += len(record.fields) - len(fields)
        columns: dict[str, str | None] = {}
        for column in _DROPPABLE_COLUMNS:
            value = getattr(record, column)
            if column in drop and value is not None:
                dropped_fields += 1
                value = None
            columns[column] = value

        # 2.-4. the message redacted, capped and shaped; then the other text redacted
        capped, shape, n, was_capped, status = clean_message(messages[index])
        redactions += n
        # 5. a request that ended in a 5xx is an error, whatever level its access log gave it
        if columns["level"] is None or columns["level"] in ROUTINE_LEVELS:
            status = status_field(record.fields) or status
            if status is not None and status >= 500:
                columns["level"] = "ERROR"
        for column, value in columns.items():
            if value is not None:
                columns[column], n = redact_short(value)
                redactions += n
        source, n = redact_short(record.source)
        redactions += n
        clean_fields, n = redactor.redact_value_counted(fields) if fields else ({}, 0)
        redactions += n

        capped_count += was_capped

        # 4. id
        payload: dict[str, Any] = {
            "timestamp": record.timestamp,
            "message": capped,
            "shape": shape,
            **columns,
            "fields_json": json.dumps(
                clean_fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
            )
            if clean_fields
            else "{}",
            "source": source,
        }
        if ids is not None:
            payload["id"] = ids[index]
        elif content_ids is not None:
            payload["id"] = content_ids(record)
        else:
            payload["id"] = _record_id(payload)
        payload["line"] = record.line
        for name, values in out.items():
            values.append(payload[name])
    return CleanTable(
        rows=pa.Table.from_pydict(out, schema=clean_schema()),
        seen=len(records),
        dropped_fields=dropped_fields,
        capped=capped_count,
        redactions=redactions,
    )

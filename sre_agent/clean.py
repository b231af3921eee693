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
   `capping.cap_message`: a stack trace keeps its first line, its `Caused by` lines and its last frames.
4. `shape` is `message_shape` of the cleaned message; `id` is, with an id key, the keyed hash of
   what the fetched line says (`record_ids`: not where it was read, identical lines of one fetch
   told apart by their occurrence), else a hash of every other cleaned field but `line`.
5. Level: a request whose access-log line reports a 5xx status (`http_status`) is an ERROR when
   its source gave it no level or a routine one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from sre_agent.clean_messages import Cleaned, clean_message, message_cap
from sre_agent.configs import ServiceConfig
from sre_agent.errors import ConfigError, InputError
from sre_agent.http_status import ROUTINE_LEVELS, status_field
from sre_agent.indexes.rows import CLEAN_COLUMNS, clean_schema, records_of
from sre_agent.models import CleanRecord, LogRecord
from sre_agent.record_ids import RecordIds
from sre_agent.redact import Redactor
from sre_agent.redact_neighbours import across_records

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


class CleanResult(BaseModel):
    """The clean records, in input order, and what the clean step did to get them."""

    records: list[CleanRecord] = Field(default_factory=list)
    seen: int = Field(default=0, description="records read")
    kept: int = Field(default=0, description="records written (the clean step drops none)")
    dropped_fields: int = Field(default=0, description="field values removed by log_fields keep/drop")
    capped: int = Field(default=0, description="messages cut to max_message_chars")
    redactions: int = Field(default=0, description="secrets replaced by a marker, over all fields")


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
    done: Mapping[str, Cleaned] | None = None,
) -> CleanTable:
    """Clean `records` (in order) with a service's config; see the module docstring for the steps.

    `redactor` defaults to `Redactor.for_config(config)`; pass one to reuse it across calls.
    With `id_key`, ids are `record_ids.RecordIds` of the records as fetched, by content (so a
    caller can tell which fetched records are already stored before cleaning them); without, a
    hash of the cleaned record.
    `ids`, when the caller computed those already, are used instead (one per record, in order).
    `done`: messages a `clean_messages.MessageHelper` cleaned already, by their text.
    Raises `InputError` naming the position of anything that is not a `LogRecord`, and
    `ConfigError` if the config drops `timestamp` or `message`.
    """
    if config is not None:
        _check_config(config)
    redactor = redactor or Redactor.for_config(config)
    max_chars = message_cap(config)
    keep = set(config.log_fields.keep) if config else set()
    drop = set(config.log_fields.drop) if config else set()

    # Columns and sources repeat (a few services, levels, hosts, one file): each distinct value
    # is redacted once. The same text always redacts the same way, so this changes no output.
    redacted: dict[str, tuple[str, int]] = {}

    def redact_short(value: str) -> tuple[str, int]:
        found = redacted.get(value)
        if found is None:
            found = redactor.redact_counted(value)
            if len(redacted) < _MEMO_LIMIT:
                redacted[value] = found
        return found

    # Messages repeat too (half the lines of the sample incidents are repeats): each distinct one
    # is redacted (2), capped (3) and shaped (4) once, among the last `_MESSAGE_MEMO` distinct,
    # unless a helper process did it already (`done`).
    memo: dict[str, Cleaned] = {}
    done = done or {}

    def clean(text: str) -> Cleaned:
        found = memo.get(text) or done.get(text)
        if found is None:
            found = clean_message(text, redactor, max_chars)
            if len(memo) >= _MESSAGE_MEMO:
                memo.clear()
            memo[text] = found
        return found

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
        capped, shape, n, was_capped, status = clean(messages[index])
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

"""How a `CleanRecord` becomes a LanceDB row (explicit Arrow schema) and how a row comes back.

Besides the record's own fields a row holds:
- `ts`: int64 microseconds since the epoch (UTC), for time-window filters;
- `level_rank`: TRACE 0 … FATAL 5 (unknown 2), for "this level or worse" filters;
- `msg_hash` / `shape_hash`: short hashes of the message and of its shape, for grouping;
- `text`: what the full-text index reads: the message, the words inside its camelCase names
  (`getAllCellInfo` also as `get All Cell Info`, so "cell info" finds it), plus the record's
  non-empty standard fields (service, method, request id, user id, host, env), so a search for
  a request id finds the lines tagged with it even when the message does not repeat it, and the
  record's other short fields as `name value` (a question about "pid 7111" finds the lines of
  that pid);
- `vector`: the embedding of the shape (all zeros when the store has no embedder).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from sre_agent.indexes.filters import level_rank, to_micros
from sre_agent.indexes.records import StoredRecord
from sre_agent.models import CleanRecord, normalize_level
from sre_agent.shapes import readable

#: Longest extra field value that goes into the full-text `text` column.
MAX_FIELD_CHARS = 200
#: Standard fields appended to the message in the full-text `text` column.
TEXT_FIELDS = ("service", "method", "request_id", "user_id", "host", "env")

_OPTIONAL_STRINGS = ("level", "service", "method", "request_id", "user_id", "host", "env")

#: Columns read back into a `StoredRecord` (everything but `ts`, `text` and `vector`).
RECORD_COLUMNS = [
    "id", "timestamp", "message", "shape", *_OPTIONAL_STRINGS,
    "fields_json", "source", "line", "level_rank", "msg_hash", "shape_hash",
]  # fmt: skip


def short_hash(text: str) -> str:
    """16 hex characters of BLAKE2b over `text`."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def row_schema(vector_dim: int) -> pa.Schema:
    """The Arrow schema of every session table."""
    return pa.schema(
        [
            # Declared the primary key so that LanceDB detects two writers inserting the same new
            # id at once (merge_insert then retries instead of committing a duplicate).
            pa.field(
                "id", pa.string(), nullable=False, metadata={"lance-schema:unenforced-primary-key": "true"}
            ),
            pa.field("timestamp", pa.timestamp("us", tz="UTC"), nullable=False),
            pa.field("ts", pa.int64(), nullable=False),
            pa.field("message", pa.string(), nullable=False),
            pa.field("shape", pa.string(), nullable=False),
            *[pa.field(name, pa.string()) for name in _OPTIONAL_STRINGS],
            pa.field("fields_json", pa.string(), nullable=False),
            pa.field("source", pa.string(), nullable=False),
            pa.field("line", pa.int64()),
            pa.field("level_rank", pa.int32(), nullable=False),
            pa.field("msg_hash", pa.string(), nullable=False),
            pa.field("shape_hash", pa.string(), nullable=False),
            pa.field("text", pa.string(), nullable=False),
            pa.field("vector", pa.list_(pa.float32(), vector_dim), nullable=False),
        ]
    )


def fts_text(record: CleanRecord) -> str:
    """The message; again with its camelCase names split in place when it has any (so "stream type
    3" finds `streamType: 3` as a phrase, and "cell info" finds `getAllCellInfo`); the record's
    non-empty standard fields; then its other short fields as `name value` ("pid 7111")."""
    extras = [str(v) for v in (getattr(record, name) for name in TEXT_FIELDS) if v]
    split = readable(record.message)
    words = [split] if split != record.message else []
    return " ".join([record.message, *words, *extras, *_field_words(record.fields_json)])


def _field_words(fields_json: str) -> list[str]:
    if fields_json == "{}":
        return []
    try:
        fields = json.loads(fields_json)
    except json.JSONDecodeError:
        return []
    if not isinstance(fields, dict):
        return []
    return [
        f"{key} {value}"
        for key, value in fields.items()
        if isinstance(value, str | int | float)
        and not isinstance(value, bool)
        and len(str(value)) <= MAX_FIELD_CHARS
    ]


def to_arrow(records: Sequence[CleanRecord], vectors: np.ndarray, vector_dim: int) -> pa.Table:
    """Rows for `records`; `vectors[i]` is the (float32) vector of `records[i]`."""
    columns: dict[str, list] = {
        "id": [r.id for r in records],
        "timestamp": [r.timestamp for r in records],
        "ts": [to_micros(r.timestamp) for r in records],
        "message": [r.message for r in records],
        "shape": [r.shape for r in records],
        "level": [normalize_level(r.level) for r in records],
    }
    for name in _OPTIONAL_STRINGS[1:]:
        columns[name] = [getattr(r, name) for r in records]
    columns["fields_json"] = [r.fields_json for r in records]
    columns["source"] = [r.source for r in records]
    columns["line"] = [r.line for r in records]
    columns["level_rank"] = [level_rank(r.level) for r in records]
    columns["msg_hash"] = [short_hash(r.message) for r in records]
    columns["shape_hash"] = [short_hash(r.shape) for r in records]
    columns["text"] = [fts_text(r) for r in records]
    flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1))
    schema = row_schema(vector_dim)
    arrays = [pa.array(columns[f.name], type=f.type) for f in schema if f.name != "vector"]
    arrays.append(pa.FixedSizeListArray.from_arrays(flat, vector_dim))
    return pa.Table.from_arrays(arrays, schema=schema)


def to_stored(rows: pa.Table, table: str) -> list[StoredRecord]:
    """`StoredRecord`s for rows read with (at least) `RECORD_COLUMNS`."""
    out = []
    for row in rows.select(RECORD_COLUMNS).to_pylist():
        row["table"] = table
        out.append(StoredRecord.model_validate(row))
    return out

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
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sre_agent.indexes.filters import level_rank
from sre_agent.indexes.records import StoredRecord
from sre_agent.models import CleanRecord, normalize_level
from sre_agent.shapes import readable

#: Longest extra field value that goes into the full-text `text` column.
MAX_FIELD_CHARS = 200
#: Nested objects in a record's fields read into its full text this many levels down.
FIELD_DEPTH = 3
#: Standard fields appended to the message in the full-text `text` column.
TEXT_FIELDS = ("service", "method", "request_id", "user_id", "host", "env")

_OPTIONAL_STRINGS = ("level", "service", "method", "request_id", "user_id", "host", "env")

#: Columns of a clean table: a `CleanRecord`'s fields.
CLEAN_COLUMNS = (
    "id", "timestamp", "message", "shape", *_OPTIONAL_STRINGS, "fields_json", "source", "line",
)  # fmt: skip

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
    return text_of(record.message, [getattr(record, name) for name in TEXT_FIELDS], record.fields_json)


def text_of(message: str, standard: Sequence[str | None], fields_json: str, split: str | None = None) -> str:
    """`fts_text` of a row given as its message, its `TEXT_FIELDS` values and its `fields_json`
    (`split`: `readable(message)`, when the caller has it)."""
    extras = [str(v) for v in standard if v]
    split = readable(message) if split is None else split
    words = [split] if split != message else []
    return " ".join([message, *words, *extras, *_field_words(fields_json)])


def _field_words(fields_json: str) -> list[str]:
    """`name value` for each short scalar field; a nested object's as `outer.inner value` (a
    structured log's `attr.ns orders.items`, a GCP entry's `jsonPayload.user u-7`), a few levels deep."""
    if fields_json == "{}":
        return []
    try:
        fields = json.loads(fields_json)
    except json.JSONDecodeError:
        return []
    if not isinstance(fields, dict):
        return []
    return list(_scalar_words(fields, "", 0))


def _scalar_words(fields: dict[str, Any], prefix: str, depth: int) -> Iterator[str]:
    for key, value in fields.items():
        if isinstance(value, dict):
            if depth < FIELD_DEPTH:
                yield from _scalar_words(value, f"{prefix}{key}.", depth + 1)
        elif _short_scalar(value):
            yield f"{prefix}{key} {value}"


def _short_scalar(value: Any) -> bool:
    scalar = isinstance(value, str | int | float) and not isinstance(value, bool)
    return scalar and len(str(value)) <= MAX_FIELD_CHARS


def clean_schema() -> pa.Schema:
    """The columns of a clean table: a `CleanRecord` per row, as `clean.clean_table` builds them."""
    whole = row_schema(1)
    return pa.schema([whole.field(name) for name in CLEAN_COLUMNS])


def clean_rows(records: Sequence[CleanRecord]) -> pa.Table:
    """`records` as a clean table (see `clean_schema`)."""
    columns = {name: [getattr(r, name) for r in records] for name in CLEAN_COLUMNS}
    return pa.Table.from_pydict(columns, schema=clean_schema())


def records_of(rows: pa.Table) -> list[CleanRecord]:
    """The `CleanRecord`s of a clean table's rows, in order."""
    return [CleanRecord.model_validate(row) for row in rows.select(list(CLEAN_COLUMNS)).to_pylist()]


def to_arrow(rows: pa.Table, vectors: np.ndarray, vector_dim: int) -> pa.Table:
    """Stored rows for a clean table's `rows`: its columns plus the derived ones (module doc);
    `vectors[i]` is the (float32) vector of row `i`.

    Values that repeat (levels, shapes, messages) are worked out once per distinct value."""
    columns: dict[str, pa.ChunkedArray | pa.Array | list] = {name: rows[name] for name in CLEAN_COLUMNS}
    columns["ts"] = pc.cast(rows["timestamp"], pa.int64())
    levels = rows["level"].to_pylist()
    normal = {level: normalize_level(level) for level in set(levels)}
    columns["level"] = [normal[level] for level in levels]
    rank = {level: level_rank(level) for level in normal.values()}
    columns["level_rank"] = [rank[normal[level]] for level in levels]
    messages = rows["message"].to_pylist()
    shapes = rows["shape"].to_pylist()
    split = {m: readable(m) for m in set(messages)}
    msg_hash = {m: short_hash(m) for m in split}
    columns["msg_hash"] = [msg_hash[m] for m in messages]
    shape_hash = {shape: short_hash(shape) for shape in set(shapes)}
    columns["shape_hash"] = [shape_hash[s] for s in shapes]
    standard = zip(*(rows[name].to_pylist() for name in TEXT_FIELDS), strict=True)
    fields_json = rows["fields_json"].to_pylist()
    columns["text"] = [
        text_of(m, s, f, split[m]) for m, s, f in zip(messages, standard, fields_json, strict=True)
    ]
    flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1))
    columns["vector"] = pa.FixedSizeListArray.from_arrays(flat, vector_dim)
    schema = row_schema(vector_dim)
    arrays = [_array(columns[f.name], f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _array(values: pa.ChunkedArray | pa.Array | list, kind: pa.DataType) -> pa.ChunkedArray:
    if isinstance(values, pa.ChunkedArray):
        return values
    array = values if isinstance(values, pa.Array) else pa.array(values, type=kind)
    return pa.chunked_array([array], type=kind)


def to_stored(rows: pa.Table, table: str) -> list[StoredRecord]:
    """`StoredRecord`s for rows read with (at least) `RECORD_COLUMNS`."""
    out = []
    for row in rows.select(RECORD_COLUMNS).to_pylist():
        row["table"] = table
        out.append(StoredRecord.model_validate(row))
    return out

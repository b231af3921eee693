"""Reading a session's log tables without ranking: rows in time order, timestamps per shape, the
time span, the sources, counts.

Each function takes the tables it reads (name → open table) and the SQL where-clause of the
filters (None: every row); `LogIndex` checks the names and opens the tables. Light columns are
read first and whole rows only for what is returned, because reading all 17 columns of a row costs
LanceDB several times more than reading one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from lancedb.table import Table

from sre_agent.errors import InputError
from sre_agent.indexes.records import StoredRecord
from sre_agent.indexes.repair import is_storage_fault
from sre_agent.indexes.retrieval import run_query
from sre_agent.indexes.rows import RECORD_COLUMNS, to_stored


def scan_rows(tables: Mapping[str, Table], where: str | None, limit: int, newest: bool) -> list[StoredRecord]:
    """The rows passing `where`, oldest first, at most `limit`: the oldest ones, or with `newest`
    the newest ones."""
    found: list[tuple[int, str, int]] = []
    for name, tbl in tables.items():
        query = tbl.search().select(["ts"]).with_row_id(True).limit(None)
        if where:
            query = query.where(where)
        light = run_query(query, where)
        found += zip(
            light["ts"].to_pylist(), [name] * light.num_rows, light["_rowid"].to_pylist(), strict=True
        )
    found.sort(key=lambda item: item[0])
    found = found[-limit:] if newest else found[:limit]
    by_table: dict[str, list[int]] = {}
    for _, name, row_id in found:
        by_table.setdefault(name, []).append(row_id)
    records: dict[tuple[str, int], StoredRecord] = {}
    for name, row_ids in by_table.items():
        rows = tables[name].take_row_ids(row_ids).select(RECORD_COLUMNS).with_row_id().to_arrow()
        for row_id, record in zip(rows["_rowid"].to_pylist(), to_stored(rows, name), strict=True):
            records[(name, row_id)] = record
    return [records[(name, row_id)] for _, name, row_id in found]


def shape_timestamps(tables: Mapping[str, Table], where: str | None, limit: int) -> dict[str, list[int]]:
    """The timestamps (µs since the epoch) of the rows passing `where`, per shape hash, unordered,
    at most `limit` rows per table: reads two light columns, not the rows."""
    out: dict[str, list[int]] = {}
    seen: set[str] = set()  # a row stored in two tables (a thread's logs and a request's) counts once
    for tbl in tables.values():
        query = tbl.search().select(["id", "shape_hash", "ts"]).limit(limit)
        if where:
            query = query.where(where)
        found = run_query(query, where)
        ids = found["id"].to_pylist()
        fresh = [row_id not in seen for row_id in ids]
        seen.update(ids)
        if not all(fresh):
            found = found.filter(pa.array(fresh, type=pa.bool_()))
        shapes = found["shape_hash"].to_numpy(zero_copy_only=False)
        stamps = found["ts"].to_numpy()
        for shape in np.unique(shapes):
            out.setdefault(str(shape), []).extend(stamps[shapes == shape].tolist())
    return out


def shape_counts(
    tables: Mapping[str, Table], where: str | None, limit: int, columns: Sequence[str]
) -> dict[str, dict[str, Counter[str]]]:
    """For each of `columns` (`host`, `level`): how many rows passing `where` hold each of its
    values, per shape hash (rows with no value are not counted); at most `limit` rows per table,
    read once for all the columns, not the rows. A row stored in two tables counts once."""
    out: dict[str, dict[str, Counter[str]]] = {column: {} for column in columns}
    seen: set[str] = set()
    for tbl in tables.values():
        query = tbl.search().select(["id", "shape_hash", *columns]).limit(limit)
        if where:
            query = query.where(where)
        found = run_query(query, where)
        ids, shapes = found["id"].to_pylist(), found["shape_hash"].to_pylist()
        fresh = [row_id not in seen for row_id in ids]
        seen.update(ids)
        for column in columns:
            counts = out[column]
            for keep, shape, value in zip(fresh, shapes, found[column].to_pylist(), strict=True):
                if keep and value:
                    counts.setdefault(shape, Counter())[value] += 1
    return out


def time_span(tables: Mapping[str, Table]) -> tuple[int, int] | None:
    """(first, last) timestamp in µs since the epoch of the tables' rows; None when empty."""
    lows, highs = [], []
    for tbl in tables.values():
        ts = tbl.search().select(["ts"]).limit(None).to_arrow()["ts"]
        if len(ts):
            lows.append(pc.min(ts).as_py())
            highs.append(pc.max(ts).as_py())
    return (min(lows), max(highs)) if lows else None


def sources(tables: Mapping[str, Table]) -> set[str]:
    """Where the tables' rows were read from (the `source` column: file paths), none empty."""
    found: set[str] = set()
    for tbl in tables.values():
        column = tbl.search().select(["source"]).limit(None).to_arrow()["source"]
        found.update(str(s) for s in pc.unique(column).to_pylist() if s)
    return found


def count_rows(tbl: Table, where: str | None) -> int:
    """How many rows pass `where`: a count, not a read of the rows; `InputError` for a where-clause
    LanceDB cannot use."""
    try:
        return tbl.count_rows(where)
    except ValueError as exc:  # DataFusion's error for an invalid where-clause
        if is_storage_fault(exc):
            raise
        raise InputError(f"bad filter {where!r}: {exc}") from None

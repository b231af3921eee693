"""The two retrievers of one session table: full-text (native LanceDB index) and vector (shapes).

Both return light `Candidate`s (row id, shape, score) filtered by the same SQL where-clause;
full rows are read only for the few hits that survive fusion (`fetch_hits`), because reading all
17 columns of a row costs LanceDB several times more than reading one.

Vector retrieval: every row of a shape carries the shape's vector, so ranking rows by similarity
is ranking the table's distinct shapes, done in memory (`ShapeVectors.rank`). We then take rows
of the best shapes, at most `per_shape` of each, so one chatty shape cannot fill the list.
Rows of one shape tie on similarity; the tie is broken in favour of rows the full-text search
also found, the rest come in storage order. Without filters the rows come straight from the
in-memory row ids of each shape. With filters we ask LanceDB which rows of the best shapes pass:
the next shapes in rank order together (as many as should fill the list, holding at most `budget`
rows: a lookup costs ~5 ms plus ~1 ms per 1000 rows read at 100k rows), or one chatty shape (more
rows than the budget) alone with a LIMIT. Shape count and budget grow with each lookup, so a
selective filter (few rows of each shape pass) still gets its candidates in two or three lookups;
the last lookup takes every shape left but reads a bounded number of rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from lancedb.query import FullTextQuery
from lancedb.table import Table

from sre_agent.errors import InputError
from sre_agent.indexes.filters import combine, sql_string
from sre_agent.indexes.records import Hit, Via
from sre_agent.indexes.repair import is_storage_fault
from sre_agent.indexes.rows import RECORD_COLUMNS
from sre_agent.indexes.shape_vectors import ShapeVectors

#: Fewest rows one shape may put into the vector list.
MIN_ROWS_PER_SHAPE = 3
#: Rows (before filtering) the first filtered lookup may cover; each further lookup covers `GROWTH`
#: times more rows and shapes.
FIRST_BUDGET = 20_000
GROWTH = 4
#: Most row lookups one filtered vector search makes.
MAX_LOOKUPS = 3


@dataclass
class Candidate:
    """One row a retriever found, before its full record is read."""

    table: str
    row_id: int  # LanceDB row id, valid for the table version searched
    shape_hash: str
    score: float  # BM25 (full-text) or cosine similarity (vector)


def run_query(query: Any, where: str | None) -> pa.Table:
    """Run a LanceDB query; a where-clause LanceDB rejects becomes an `InputError` naming it."""
    try:
        return query.to_arrow()
    except (ValueError, RuntimeError) as exc:
        if where is None or is_storage_fault(exc):
            raise
        raise InputError(f"invalid filter {where!r}: {exc}") from exc


def fts_rows(tbl: Table, fts_query: FullTextQuery, where: str | None, n: int) -> list[dict[str, Any]]:
    """One full-text query: its `n` best rows that pass `where` (row id, shape hash, BM25 score)."""
    search = tbl.search(fts_query, query_type="fts").select(["shape_hash", "_score"]).with_row_id(True)
    if where:
        search = search.where(where, prefilter=True)
    return run_query(search.limit(n), where).to_pylist()


def fts_candidates(table: str, results: list[list[dict[str, Any]]], n: int) -> list[Candidate]:
    """Merge the match query's and the phrase queries' rows: scores add up per row; best `n` first."""
    found: dict[int, Candidate] = {}
    for rows in results:
        for row in rows:
            seen = found.get(row["_rowid"])
            if seen is None:
                found[row["_rowid"]] = Candidate(table, row["_rowid"], row["shape_hash"], row["_score"])
            else:
                seen.score += row["_score"]
    return sorted(found.values(), key=lambda c: (-c.score, c.row_id))[:n]  # ties: storage order


#: A shape's row ids in storage order: a list, or the array `ShapeVectors` holds.
RowIds = Sequence[int] | np.ndarray


def rows_per_shape(n: int) -> int:
    """How many rows one shape may put into a vector list of `n` candidates."""
    return max(MIN_ROWS_PER_SHAPE, n // 10)


def shape_rows(
    tbl: Table, shapes: ShapeVectors, ranked: list[tuple[str, float]], where: str | None, n: int
) -> Mapping[str, RowIds]:
    """Row ids (storage order) of the best-ranked shapes' rows that pass `where`, per shape.

    Without `where`, every shape's rows from memory. With it, only the shapes looked up (see the
    module docstring), enough to fill `n` candidates where the rows exist; a shape looked up with
    no passing row maps to an empty list.
    """
    if where is None:
        return shapes.row_ids
    per_shape = rows_per_shape(n)
    found: dict[str, list[int]] = {}
    filled, position, budget, wanted = 0, 0, FIRST_BUDGET, math.ceil(n / per_shape)
    limit: int | None
    for lookup in range(1, MAX_LOOKUPS + 1):
        if position >= len(ranked) or filled >= n:
            break
        if lookup == MAX_LOOKUPS:  # last chance: every shape left, reading a bounded number of rows
            group, position, limit = [s for s, _ in ranked[position:]], len(ranked), 4 * (n - filled)
        else:
            group, position = _next_group(ranked, position, shapes, budget, wanted)
            chatty = len(group) == 1 and shapes.count(group[0]) > budget
            limit = 2 * per_shape if chatty else None
        passing = _passing_rows(tbl, group, where, limit)
        for shape in group:
            found[shape] = passing.get(shape, [])
            filled += min(per_shape, len(found[shape]))
        budget, wanted = budget * GROWTH, wanted * GROWTH
    return found


def vector_candidates(
    table: str,
    ranked: list[tuple[str, float]],
    rows_by_shape: Mapping[str, RowIds],
    fts: list[Candidate],
    n: int,
) -> list[Candidate]:
    """Up to `n` rows of the most similar shapes, best shape first, a few per shape.

    Rows the full-text search also found go first within their shape (they tie on similarity).
    """
    per_shape = rows_per_shape(n)
    fts_by_shape: dict[str, list[int]] = {}
    for candidate in fts:
        fts_by_shape.setdefault(candidate.shape_hash, []).append(candidate.row_id)
    picked: list[Candidate] = []
    for shape, similarity in ranked:
        if len(picked) >= n:
            break
        if shape not in rows_by_shape:
            continue
        chosen = fts_by_shape.get(shape, [])[:per_shape]
        more = [int(i) for i in rows_by_shape[shape][: 2 * per_shape] if i not in chosen]
        chosen += more[: per_shape - len(chosen)]
        picked.extend(Candidate(table, row_id, shape, similarity) for row_id in chosen)
    return picked[:n]


def fetch_hits(tables: dict[str, Table], fused: list[tuple[Candidate, float, Via]], k: int) -> list[Hit]:
    """Read the full rows of the fused candidates (one take per table): the best `k` distinct hits.

    A line stored in two tables (fetched twice under different names) appears once, as its best copy.
    """
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    by_table: dict[str, list[int]] = {}
    for candidate, _, _ in fused:
        by_table.setdefault(candidate.table, []).append(candidate.row_id)
    for table, row_ids in by_table.items():
        taken = tables[table].take_row_ids(row_ids).select(RECORD_COLUMNS).with_row_id().to_arrow()
        for row in taken.to_pylist():
            rows[(table, row.pop("_rowid"))] = row
    hits: list[Hit] = []
    seen: set[str] = set()
    for candidate, score, via in fused:
        row = rows[(candidate.table, candidate.row_id)]
        if row["id"] in seen:
            continue
        seen.add(row["id"])
        hits.append(Hit.model_validate({**row, "table": candidate.table, "score": score, "via": via}))
        if len(hits) == k:
            break
    return hits


def _next_group(
    ranked: list[tuple[str, float]], position: int, shapes: ShapeVectors, budget: int, wanted: int
) -> tuple[list[str], int]:
    """The next shapes to look up: up to `wanted` holding at most `budget` rows, or one chatty shape."""
    group = [ranked[position][0]]
    rows = shapes.count(group[0])
    position += 1
    if rows > budget:
        return group, position
    while position < len(ranked) and len(group) < wanted:
        count = shapes.count(ranked[position][0])
        if rows + count > budget:
            break
        rows += count
        group.append(ranked[position][0])
        position += 1
    return group, position


def _passing_rows(tbl: Table, shapes: list[str], where: str, limit: int | None) -> dict[str, list[int]]:
    """Row ids (storage order) of the rows of `shapes` that pass `where`, per shape."""
    in_shapes = "shape_hash IN (" + ", ".join(sql_string(s) for s in shapes) + ")"
    # Selecting shape_hash is much faster than selecting no column at all on LanceDB 0.40.
    clause = combine(in_shapes, where) or in_shapes
    search = tbl.search().where(clause).select(["shape_hash"]).with_row_id(True)
    light = run_query(search.limit(limit), where)
    by_shape: dict[str, list[int]] = {}
    for shape, row_id in zip(light["shape_hash"].to_pylist(), light["_rowid"].to_pylist(), strict=True):
        by_shape.setdefault(shape, []).append(row_id)
    return by_shape

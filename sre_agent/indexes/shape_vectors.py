"""The distinct shapes of one table version, their vectors and their rows, held in memory.

Every row of a shape carries the same vector (the embedding of the shape), so ranking rows by
vector similarity is the same as ranking the table's few distinct shapes. Doing that in numpy
over a few hundred shapes takes microseconds, where LanceDB's brute-force scan of 100k stored
vectors took ~330 ms on 2 cores, and it needs no approximate index (IVF training warns and
degrades on a table made of a few hundred distinct vectors repeated thousands of times).

We also keep the row ids of each shape (storage order), so an unfiltered vector search picks
its rows without asking LanceDB at all. Row ids are only valid for one table version: a
`ShapeVectors` is loaded for a version and thrown away when the table changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
from lancedb.table import Table


class ShapeVectors:
    """Shape hash → vector and row ids, for one table version.

    Shapes stored with a zero vector (ingested without an embedder) are left out of `rank`.
    """

    def __init__(
        self,
        hashes: Sequence[str],
        vectors: np.ndarray,
        row_ids: dict[str, np.ndarray],
        version: int,
    ) -> None:
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(hashes), -1)
        norms = np.linalg.norm(vectors, axis=1)
        keep = norms > 0
        self.hashes: list[str] = [h for h, k in zip(hashes, keep, strict=True) if k]
        self.vectors: np.ndarray = vectors[keep]
        self.unit: np.ndarray = self.vectors / norms[keep][:, None]
        self.position: dict[str, int] = {h: i for i, h in enumerate(self.hashes)}
        self.row_ids = row_ids
        self.version = version

    def __len__(self) -> int:
        return len(self.hashes)

    def get(self, shape_hash: str) -> np.ndarray | None:
        """The stored vector of a shape, or None if no row of this shape has a (non-zero) one."""
        i = self.position.get(shape_hash)
        return None if i is None else self.vectors[i]

    def count(self, shape_hash: str) -> int:
        """How many rows of this shape the table holds."""
        ids = self.row_ids.get(shape_hash)
        return 0 if ids is None else len(ids)

    def rank(self, query_vector: np.ndarray) -> list[tuple[str, float]]:
        """Every shape with its cosine similarity to `query_vector`, most similar first."""
        if not self.hashes:
            return []
        q = np.asarray(query_vector, dtype=np.float32)
        norm = float(np.linalg.norm(q))
        if norm == 0:
            return []
        sims = self.unit @ (q / norm)
        order = np.argsort(-sims, kind="stable")
        return [(self.hashes[i], float(sims[i])) for i in order]


def load_shape_vectors(table: Table, vector_dim: int) -> ShapeVectors:
    """Group the row ids of `table` by shape and read one vector per shape (its last row's)."""
    version = table.version
    light = table.search().select(["shape_hash"]).with_row_id(True).limit(None).to_arrow()
    shape_column = light["shape_hash"].to_numpy(zero_copy_only=False)
    row_column = light["_rowid"].to_numpy()
    order = np.argsort(shape_column, kind="stable")  # groups each shape, keeps storage order inside
    shapes, starts = np.unique(shape_column[order], return_index=True)
    groups = np.split(row_column[order], starts[1:]) if len(shapes) else []
    row_ids = {str(shape): ids for shape, ids in zip(shapes, groups, strict=True)}
    if not row_ids:
        return ShapeVectors([], np.zeros((0, vector_dim), dtype=np.float32), {}, version)
    last_rows = [int(ids[-1]) for ids in row_ids.values()]
    rows = table.take_row_ids(last_rows).select(["shape_hash", "vector"]).to_arrow()
    vectors = _vector_matrix(rows["vector"], vector_dim)
    return ShapeVectors(rows["shape_hash"].to_pylist(), vectors, row_ids, version)


def _vector_matrix(column: pa.ChunkedArray, vector_dim: int) -> np.ndarray:
    flat = column.combine_chunks().flatten().to_numpy(zero_copy_only=False)
    return np.asarray(flat, dtype=np.float32).reshape(-1, vector_dim)

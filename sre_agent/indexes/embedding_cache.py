"""The log index's vectors: shapes and questions embedded, and the vectors it already holds.

A record's vector is the embedding of its shape (`shapes.embedding_text` of it), so an ingest
embeds each distinct shape once, and only shapes it has no vector for yet:
- the last `VECTOR_CACHE_SIZE` shape vectors this process embedded or read are kept in memory
  (LRU, across tables and sessions);
- a table's own vectors (its `ShapeVectors`, which `LogTables.shapes` loads once per table
  version) are read only for shapes the memory does not hold;
- shapes that read the same (differing only in digits glued to letters) are embedded once.
The embedder's output is checked: the wrong dimension or NaN is a `ConfigError` naming it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from sre_agent.errors import ConfigError
from sre_agent.indexes.rows import short_hash
from sre_agent.indexes.shape_vectors import ShapeVectors
from sre_agent.shapes import embedding_text, readable

#: Shape vectors kept in memory across tables (LRU), to skip re-embedding known shapes.
VECTOR_CACHE_SIZE = 20_000


class EmbeddingCache:
    """Embeds shapes and questions with `embedder` (None: shapes get zero vectors, see `vectors`),
    remembering the last `VECTOR_CACHE_SIZE` shape vectors; thread-safe."""

    def __init__(self, embedder: BaseEmbedding | None, vector_dim: int) -> None:
        self.embedder = embedder
        self.vector_dim = vector_dim
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()  # shape hash → vector, LRU

    def vectors(
        self, shapes: list[str], stored: Callable[[], ShapeVectors] | None
    ) -> tuple[np.ndarray, int, int]:
        """One vector per record, given by its shape (zeros without an embedder); how many shapes
        were embedded, how many reused. `stored` gives the vectors of the table the records go to
        (None: it does not exist yet)."""
        vectors = np.zeros((len(shapes), self.vector_dim), dtype=np.float32)
        if self.embedder is None or not shapes:
            return vectors, 0, 0
        hash_of = {shape: short_hash(shape) for shape in set(shapes)}
        hashes = [hash_of[shape] for shape in shapes]
        shape_text = {hash_of[shape]: shape for shape in dict.fromkeys(shapes)}
        known: dict[str, np.ndarray] = {}
        for shape_hash in shape_text:
            vector = self._cached(shape_hash)
            if vector is not None:
                known[shape_hash] = vector
        # The table's own vectors are read only for shapes this process has not embedded lately
        # (reading them for every batch of a big ingest cost more than the embedding).
        if stored is not None and any(h not in known for h in shape_text):
            in_table = stored()
            for shape_hash in shape_text:
                vector = in_table.get(shape_hash) if shape_hash not in known else None
                if vector is not None:
                    known[shape_hash] = vector
        unknown = [h for h in shape_text if h not in known]
        if unknown:
            texts = {h: embedding_text(shape_text[h]) for h in unknown}
            distinct = list(dict.fromkeys(texts.values()))  # shapes that read the same: embedded once
            by_text = dict(zip(distinct, self._embed(distinct), strict=True))
            known.update((h, by_text[texts[h]]) for h in unknown)
        # One row per distinct shape, then each record's row by index (not 100k row copies in Python).
        slot = {shape_hash: i for i, shape_hash in enumerate(shape_text)}
        rows = np.stack([known[shape_hash] for shape_hash in shape_text]).astype(np.float32, copy=False)
        vectors = rows[np.fromiter((slot[h] for h in hashes), dtype=np.intp, count=len(hashes))]
        self._remember(known)
        return vectors, len(unknown), len(shape_text) - len(unknown)

    def query_vector(self, query: str) -> np.ndarray:
        """The embedding of a question (read as `shapes.readable` reads it); needs an embedder."""
        assert self.embedder is not None
        vector = self.embedder.get_query_embedding(readable(query))
        return self._checked(np.asarray(vector, dtype=np.float32), None)

    def _embed(self, texts: list[str]) -> np.ndarray:
        assert self.embedder is not None
        vectors = np.asarray(self.embedder.get_text_embedding_batch(texts), dtype=np.float32)
        return self._checked(vectors, len(texts))

    def _checked(self, vectors: np.ndarray, count: int | None) -> np.ndarray:
        expected = (count, self.vector_dim) if count is not None else (self.vector_dim,)
        if vectors.shape != expected:
            name = type(self.embedder).__name__
            raise ConfigError(
                f"embedder {name} returned vectors of shape {vectors.shape}, the store expects {expected}; "
                f"set vector_dim to the model's dimension"
            )
        if not np.isfinite(vectors).all():
            raise ConfigError(f"embedder {type(self.embedder).__name__} returned NaN or infinite values")
        return vectors

    def _cached(self, shape_hash: str) -> np.ndarray | None:
        with self._lock:
            vector = self._recent.get(shape_hash)
            if vector is not None:
                self._recent.move_to_end(shape_hash)
            return vector

    def _remember(self, vectors: dict[str, np.ndarray]) -> None:
        with self._lock:
            for shape_hash, vector in vectors.items():
                self._recent[shape_hash] = vector
                self._recent.move_to_end(shape_hash)
            while len(self._recent) > VECTOR_CACHE_SIZE:
                self._recent.popitem(last=False)

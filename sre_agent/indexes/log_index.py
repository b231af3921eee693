"""`LogIndex`: cleaned log lines in per-session LanceDB tables, with hybrid search.

One LanceDB namespace per session (the Slack thread id), one table per fetch inside it: see
`log_tables` for the layout, the indexes each table keeps and how soon other processes' writes
show up.

Ingest (`ingest`, see `ingest.py`): records the table already holds are skipped before anything
is embedded, each distinct shape is embedded once, rows are written in batches.

Search (`search`), per table, both filtered by the same SQL where-clause before ranking:
- full-text: a `MatchQuery` of the question plus phrase queries for identifiers (`fts_query`);
- vector: the table's distinct shapes ranked in memory, then rows of the best shapes, a few per
  shape (`retrieval`).
hybrid fuses all lists of all tables with Reciprocal Rank Fusion (`fusion`); "vector" ranks by
cosine similarity, "fts" by BM25. A store without an embedder searches full-text only (its hits
say `via="fts"`). Full rows are read only for the final `k` hits.
An empty query is an `InputError`: use `scan` to list rows without ranking.

A search never sees a table change under it. All methods are synchronous and thread-safe; call
them from a worker thread in async code.

Faults: what LanceDB or the disk raises becomes one `StorageError` naming the session; tables that
cannot be read are moved into the quarantine folder, a lost catalog is rebuilt on connecting, and
commit conflicts between writers are retried (`repair`).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

import pyarrow as pa
from lancedb.query import PhraseQuery
from lancedb.table import Table
from llama_index.core.base.embeddings.base import BaseEmbedding

from sre_agent.errors import ConfigError, InputError, StorageError
from sre_agent.indexes import reads
from sre_agent.indexes.embedding_cache import EmbeddingCache
from sre_agent.indexes.filters import SearchFilters
from sre_agent.indexes.fts_query import TEXT_COLUMN, build_fts_queries
from sre_agent.indexes.fusion import fuse
from sre_agent.indexes.ingest import ingest_rows
from sre_agent.indexes.log_tables import LogTables, stored_ids
from sre_agent.indexes.naming import check_session, check_table
from sre_agent.indexes.records import Hit, IngestStats, StoredRecord, Via
from sre_agent.indexes.repair import guarded
from sre_agent.indexes.retrieval import (
    Candidate,
    RowIds,
    fetch_hits,
    fts_candidates,
    fts_rows,
    shape_rows,
    vector_candidates,
)
from sre_agent.models import CleanRecord

SearchMode = Literal["hybrid", "vector", "fts"]

#: Each retriever returns at least this many candidates per table before fusion.
MIN_CANDIDATES = 50
#: Largest `k` a search accepts.
MAX_K = 1000
#: Worker threads for the full-text queries of one search (LanceDB releases the GIL while it works).
SEARCH_THREADS = 4


class LogIndex:
    """Per-session tables of `CleanRecord`s in LanceDB, searchable by meaning and by words."""

    def __init__(
        self,
        uri: str,
        embedder: BaseEmbedding | None,
        *,
        storage_options: dict[str, str] | None = None,
        vector_dim: int = 384,
        quarantine_dir: Path | None = None,
    ) -> None:
        """`quarantine_dir` receives the tables that cannot be read (default: `quarantine` beside
        the store's folder)."""
        if not uri or not str(uri).strip():
            raise ConfigError("LogIndex needs a LanceDB uri: a folder or s3://bucket/prefix")
        if vector_dim < 1:
            raise ConfigError(f"vector_dim must be positive, got {vector_dim}")
        self.uri = str(uri)
        self.embedder = embedder
        self.vector_dim = vector_dim
        self._tables = LogTables(self.uri, vector_dim, dict(storage_options or {}), quarantine_dir)
        self._vectors = EmbeddingCache(embedder, vector_dim)
        self._lock = threading.Lock()
        self._threads: ThreadPoolExecutor | None = None

    # ----------------------------------------------------------------- sessions

    def list_sessions(self) -> list[str]:
        """Every session id that has stored something, sorted."""
        return self._tables.sessions()

    @guarded
    def list_tables(self, session: str) -> list[str]:
        """The tables of a session, sorted; `InputError` if the session is unknown.

        The listing is reused for `log_tables.TABLE_LIST_SECONDS` (one question makes many
        calls); this index's own creates and drops refresh it at once."""
        check_session(session)
        names = self._tables.listing(session)
        if names is None:
            raise InputError(f"unknown session {session!r}")
        return names

    @guarded
    def count(self, session: str, table: str | None = None) -> int:
        """Rows stored in one table of the session, or in all of them."""
        names = self._resolve_tables(session, None if table is None else [table])
        return sum(self._tables.table(session, name).count_rows() for name in names)

    @guarded
    def drop_session(self, session: str) -> None:
        """Delete a session and everything stored in it; `InputError` if it is unknown."""
        check_session(session)
        if session not in self.list_sessions():
            raise InputError(f"unknown session {session!r}")
        self._tables.drop(session)

    @guarded
    def drop_all(self) -> int:
        """Delete every session; returns how many there were."""
        sessions = self.list_sessions()
        for session in sessions:
            self._tables.drop(session)
        return len(sessions)

    def id_mark(self, session: str) -> str | None:
        """The `id_mark` the session was created with (None: none given, or an older version)."""
        check_session(session)
        return self._tables.id_mark(session)

    # ----------------------------------------------------------------- ingest

    @guarded
    def stored_ids(self, session: str, table: str, ids: Sequence[str]) -> set[str]:
        """Which of `ids` `session`/`table` already holds (empty when the table does not exist)."""
        check_session(session)
        check_table(table)
        if not ids or table not in (self._tables.names(session) or []):
            return set()
        return stored_ids(self._tables.open(session, table), list(dict.fromkeys(ids)))

    @guarded
    def ingest(
        self,
        session: str,
        table: str,
        records: Sequence[CleanRecord] | pa.Table,
        *,
        id_mark: str | None = None,
    ) -> IngestStats:
        """Store `records` (`CleanRecord`s, or a clean table: `rows.clean_schema`) in
        `session`/`table`, embedding only what is not stored yet. A session this creates keeps
        `id_mark` (what made the record ids, see `id_mark`)."""
        check_session(session)
        check_table(table)
        return ingest_rows(self._tables, self._vectors, self.vector_dim, session, table, records, id_mark)

    # ----------------------------------------------------------------- search and scan

    @guarded
    def search(
        self,
        session: str,
        query: str,
        *,
        tables: list[str] | None = None,
        filters: SearchFilters | None = None,
        k: int = 50,
        mode: SearchMode = "hybrid",
        phrases: Sequence[str] = (),
        vector_weight: float = 1.0,
        vector_query: str | None = None,
    ) -> list[Hit]:
        """The `k` rows of the session that best answer `query`, best first (see module doc).

        `phrases` are more exact phrases for the full-text side ("port 5433"), besides the ones
        `fts_query` finds in `query` itself. `vector_weight` weighs the vector lists against the
        full-text ones in the hybrid fusion (1: equal); `vector_query` is the text embedded for the
        vector side when it differs from `query` (the question without the vocabulary's words)."""
        self._check_search(session, query, k, mode)
        use_vector = mode != "fts" and self.embedder is not None
        use_fts = mode != "vector"
        pool = self._pool()
        # The query is embedded, and the full-text queries run, in worker threads meanwhile.
        vector_future = pool.submit(self._vectors.query_vector, vector_query or query) if use_vector else None
        opened = self._opened(session, tables)
        where = _where(filters)
        n = max(k, MIN_CANDIDATES)
        fts_futures = {
            name: [pool.submit(fts_rows, tbl, q, where, n) for q in build_fts_queries(query, extra=phrases)]
            for name, tbl in opened.items()
            if use_fts
        }
        query_vector = vector_future.result() if vector_future is not None else None
        lists: list[tuple[Literal["vector", "fts"], list[Candidate]]] = []
        for name, tbl in opened.items():
            ranked: list[tuple[str, float]] = []
            rows_by_shape: Mapping[str, RowIds] = {}
            if query_vector is not None:  # while the full-text queries may still be running
                shapes = self._tables.shapes((session, name), tbl)
                ranked = shapes.rank(query_vector)
                rows_by_shape = shape_rows(tbl, shapes, ranked, where, n)
            fts = fts_candidates(name, [f.result() for f in fts_futures.get(name, [])], n)
            if use_fts:
                lists.append(("fts", fts))
            if query_vector is not None:
                lists.append(("vector", vector_candidates(name, ranked, rows_by_shape, fts, n)))
        fused = fuse(lists, mode, vector_weight)
        # A line stored in two tables shows up twice in `fused`; read a few spare rows for that.
        return fetch_hits(opened, fused[: k if len(opened) == 1 else 2 * k], k)

    @guarded
    def phrase_hits(
        self,
        session: str,
        phrase: str,
        *,
        tables: list[str] | None = None,
        filters: SearchFilters | None = None,
        limit: int = 200,
    ) -> list[Hit]:
        """Rows whose full text holds `phrase` (its tokens in a row, as the index splits them: "port
        5433" finds "port=5433" too), best BM25 first, at most `limit`."""
        check_session(session)
        if not phrase.strip():
            return []
        opened = self._opened(session, tables)
        where = _where(filters)
        found: list[tuple[Candidate, float, Via]] = []
        for name, tbl in opened.items():
            phrase_query = PhraseQuery(phrase, TEXT_COLUMN)  # type: ignore[call-arg]  # lancedb's defaults
            for row in fts_rows(tbl, phrase_query, where, limit):
                found.append(
                    (Candidate(name, row["_rowid"], row["shape_hash"], row["_score"]), row["_score"], "fts")
                )
        found.sort(key=lambda item: -item[1])
        return fetch_hits(opened, found[:limit], limit)

    @guarded
    def scan(
        self,
        session: str,
        *,
        tables: list[str] | None = None,
        filters: SearchFilters | None = None,
        limit: int = 100_000,
        newest: bool = False,
    ) -> list[StoredRecord]:
        """Rows matching `filters`, oldest first, at most `limit` (no ranking): the oldest ones,
        or with `newest` the newest ones."""
        if limit < 1:
            raise InputError(f"limit must be at least 1, got {limit}")
        return reads.scan_rows(self._opened(session, tables), _where(filters), limit, newest)

    @guarded
    def timestamps(
        self,
        session: str,
        *,
        tables: list[str] | None = None,
        filters: SearchFilters | None = None,
        limit: int = 100_000,
    ) -> dict[str, list[int]]:
        """The timestamps (µs since the epoch) of the rows matching `filters`, per shape hash,
        unordered, at most `limit` rows per table: reads two light columns, not the rows."""
        return reads.shape_timestamps(self._opened(session, tables), _where(filters), limit)

    @guarded
    def counts_by_shape(
        self,
        session: str,
        columns: Sequence[str],
        *,
        tables: list[str] | None = None,
        filters: SearchFilters | None = None,
        limit: int = 100_000,
    ) -> dict[str, dict[str, Counter[str]]]:
        """For each of `columns` (`host`, `level`), lines per value of the rows matching `filters`,
        per shape hash, at most `limit` rows per table: one read of light columns, not the rows."""
        return reads.shape_counts(self._opened(session, tables), _where(filters), limit, columns)

    @guarded
    def time_span(self, session: str, *, tables: list[str] | None = None) -> tuple[int, int] | None:
        """(first, last) timestamp in µs since the epoch of the session's rows; None when empty."""
        return reads.time_span(self._opened(session, tables))

    @guarded
    def sources(self, session: str) -> set[str]:
        """Where the session's rows were read from (the `source` column: file paths), none empty."""
        return reads.sources(self._opened(session, None))

    @guarded
    def count_matching(
        self, session: str, *, tables: list[str] | None = None, filters: SearchFilters | None = None
    ) -> int:
        """How many rows match `filters`: a count, not a read of the rows."""
        where = _where(filters)
        names = self._resolve_tables(session, tables)
        return sum(reads.count_rows(self._tables.table(session, name), where) for name in names)

    @guarded
    def exists(
        self, session: str, *, tables: list[str] | None = None, filters: SearchFilters | None = None
    ) -> bool:
        """Whether any row matches `filters`: a cheap count, not a read of the rows."""
        where = _where(filters)
        names = self._resolve_tables(session, tables)
        return any(reads.count_rows(self._tables.table(session, name), where) > 0 for name in names)

    def _fault(self, session: str | None, exc: BaseException) -> StorageError:  # for `repair.guarded`
        return self._tables.fault(session, exc)

    # ----------------------------------------------------------------- internals

    def _check_search(self, session: str, query: str, k: int, mode: str) -> None:
        check_session(session)
        if not isinstance(query, str) or not query.strip():
            raise InputError("search query is empty: give words to search for, or use scan() to list rows")
        if mode not in ("hybrid", "vector", "fts"):
            raise InputError(f"unknown search mode {mode!r}; expected 'hybrid', 'vector' or 'fts'")
        if not 1 <= k <= MAX_K:
            raise InputError(f"k must be between 1 and {MAX_K}, got {k}")
        if mode == "vector" and self.embedder is None:
            raise InputError(
                "vector search needs an embedder and this store has none; use mode='fts' or 'hybrid'"
            )

    def _resolve_tables(self, session: str, tables: list[str] | None) -> list[str]:
        existing = self.list_tables(session)
        if tables is None:
            return existing
        for name in tables:
            check_table(name)
            if name not in existing:
                have = ", ".join(existing) or "no tables"
                raise InputError(f"unknown table {name!r} in session {session!r} (it has: {have})")
        return list(dict.fromkeys(tables))

    def _opened(self, session: str, tables: list[str] | None) -> dict[str, Table]:
        """The session's tables (all, or the ones named), open, by name."""
        return {name: self._tables.table(session, name) for name in self._resolve_tables(session, tables)}

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._threads is None:
                self._threads = ThreadPoolExecutor(max_workers=SEARCH_THREADS, thread_name_prefix="log-index")
            return self._threads


def _where(filters: SearchFilters | None) -> str | None:
    return filters.to_sql() if filters is not None else None

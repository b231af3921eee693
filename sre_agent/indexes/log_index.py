"""`LogIndex`: cleaned log lines in per-session LanceDB tables, with hybrid search.

Layout: one LanceDB namespace per session (the Slack thread id, stored unchanged), one table
per fetch inside it (`logs_getuser_prod`, `req_abc123_prod`, …; see `naming.table_name`).
Namespaces work on the plain connection (`lancedb.connect(folder)`): LanceDB keeps a
`__manifest` table next to the tables. The same calls take `s3://bucket/prefix` with
`storage_options`.

Ingest (`ingest`):
- records whose id the table already holds are skipped before anything is embedded;
- each distinct shape is embedded once, as `shapes.embedding_text` reads it (camelCase names split
  into words, as the question is; digits glued to letters dropped, so shapes differing only there
  share one embedding): vectors already stored in the table, or seen earlier by this process, are
  reused; only unknown shapes go to `embedder.get_text_embedding_batch`;
- all embedding happens before the first write, so an embedder failure writes nothing;
- new rows go in with `merge_insert("id")` (insert-if-absent) into a table created empty, `id`
  declared its primary key; processes writing one table of a local store take turns (a file
  lock, `repair.writers_lock`): racing, LanceDB 0.40 doubled rows when a merge met another
  writer's index or compaction commit;
- without an embedder rows get zero vectors, which the vector search leaves out;
- the first ingest builds LanceDB's native full-text index on `text` (with positions, for
  phrase queries) and scalar indexes (`id`, `shape_hash`, filter columns). Rows added later are
  searchable at once (LanceDB also scans rows the index has not seen yet); once more than
  `OPTIMIZE_AFTER_UNINDEXED` such rows pile up, `optimize()` folds them into the indexes.

Search (`search`), per table, both filtered by the same SQL where-clause before ranking:
- full-text: a `MatchQuery` of the question plus phrase queries for identifiers (`fts_query`);
- vector: the table's distinct shapes ranked in memory, then rows of the best shapes, a few per
  shape (`retrieval`).
hybrid fuses all lists of all tables with Reciprocal Rank Fusion (`fusion`); "vector" ranks by
cosine similarity, "fts" by BM25. A store without an embedder searches full-text only (its hits
say `via="fts"`). Full rows are read only for the final `k` hits.
An empty query is an `InputError`: use `scan` to list rows without ranking.

Consistency: a session's table listing is reused for up to `TABLE_LIST_SECONDS` and open tables
for up to `TABLE_HANDLE_SECONDS`, so another process's new tables and writes show up within that
time; this store's own writes show up at once, and a search never sees a table change under it.
All methods are synchronous and thread-safe; call them from a worker thread in async code.

Faults: what LanceDB or the disk raises becomes one `StorageError` naming the session; tables that
cannot be read are moved into the quarantine folder, a lost catalog is rebuilt on connecting, and
commit conflicts between writers are retried (`repair`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

import lancedb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from lancedb.index import FTS, Bitmap, BTree
from lancedb.query import PhraseQuery
from lancedb.table import Table
from llama_index.core.base.embeddings.base import BaseEmbedding

from sre_agent.errors import ConfigError, InputError, StorageError
from sre_agent.indexes.filters import SearchFilters, sql_string
from sre_agent.indexes.fts_query import TEXT_COLUMN, build_fts_queries
from sre_agent.indexes.fusion import fuse
from sre_agent.indexes.naming import check_session, check_table
from sre_agent.indexes.records import Hit, IngestStats, StoredRecord, Via
from sre_agent.indexes.repair import (
    LANCE_ERRORS,
    committed,
    create_index,
    fault_message,
    forget_table,
    guarded,
    is_storage_fault,
    local_root,
    open_healed,
    optimize,
    set_aside_unreadable,
    writers_lock,
)
from sre_agent.indexes.retrieval import (
    Candidate,
    fetch_hits,
    fts_candidates,
    fts_rows,
    run_query,
    shape_rows,
    vector_candidates,
)
from sre_agent.indexes.rows import RECORD_COLUMNS, clean_rows, row_schema, short_hash, to_arrow, to_stored
from sre_agent.indexes.shape_vectors import ShapeVectors, load_shape_vectors
from sre_agent.models import CleanRecord
from sre_agent.shapes import embedding_text, readable

log = logging.getLogger(__name__)
SearchMode = Literal["hybrid", "vector", "fts"]

#: Each retriever returns at least this many candidates per table before fusion.
MIN_CANDIDATES = 50
#: Largest `k` a search accepts.
MAX_K = 1000
#: Ids per `id IN (…)` lookup when checking which records are already stored.
ID_CHUNK = 2000
#: Shape vectors kept in memory across tables (LRU), to skip re-embedding known shapes.
VECTOR_CACHE_SIZE = 20_000
#: A LogIndex reuses an open table this long, then reopens it to see other processes' writes.
TABLE_HANDLE_SECONDS = 10.0
#: A LogIndex reuses a session's table listing this long (another process's new table shows up after it).
TABLE_LIST_SECONDS = 1.0
#: Worker threads for the full-text queries of one search (LanceDB releases the GIL while it works).
SEARCH_THREADS = 4
#: Longest token the full-text index keeps (LanceDB's default, 40, drops sha256 digests: 64 chars).
MAX_TOKEN_LENGTH = 128
#: Tries at creating a table (or opening one another writer has just created).
OPEN_ATTEMPTS = 5
#: Rows written per `merge_insert` of one ingest: bounds the memory a big fetch needs to store.
WRITE_BATCH = 10_000
#: Run `optimize()` after an ingest once the full-text index misses more rows than this.
OPTIMIZE_AFTER_UNINDEXED = 1000

#: The session (namespace) property holding what made its record ids (`ingest`'s `id_mark`).
ID_MARK = "id_mark"

_FTS_INDEX = "text_idx"
#: Scalar indexes: `id` for the stored-ids check and merge_insert, `shape_hash` for the vector
#: search's row lookups, the rest for the filters every search applies before ranking.
_SCALAR_INDEXES = {
    "id": BTree(),
    "shape_hash": Bitmap(),
    "ts": BTree(),
    "level_rank": Bitmap(),
    "host": Bitmap(),
    "service": Bitmap(),
    "method": Bitmap(),
    "env": Bitmap(),
}

_Key = tuple[str, str]


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
        self._storage_options = dict(storage_options or {})
        self._root = local_root(self.uri)
        self._quarantine = quarantine_dir or (self._root or Path(".")).parent / "quarantine"
        self._db: lancedb.DBConnection | None = None
        self._lock = threading.Lock()
        self._tables: dict[_Key, tuple[Table, float]] = {}  # open table, when it was opened
        self._listings: dict[str, tuple[list[str], float]] = {}  # session's tables, when listed
        self._shapes: dict[_Key, ShapeVectors] = {}
        self._write_locks: dict[_Key, threading.Lock] = {}
        self._vector_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._threads: ThreadPoolExecutor | None = None

    # ----------------------------------------------------------------- sessions

    @guarded
    def list_sessions(self) -> list[str]:
        """Every session id that has stored something, sorted."""
        names: list[str] = []
        token: str | None = None
        while True:
            page = self._connection().list_namespaces(page_token=token)
            names += page.namespaces
            token = page.page_token
            if not token:
                return sorted(names)

    @guarded
    def list_tables(self, session: str) -> list[str]:
        """The tables of a session, sorted; `InputError` if the session is unknown.

        The listing is reused for `TABLE_LIST_SECONDS` (one question makes many calls); this
        store's own creates and drops refresh it at once."""
        check_session(session)
        with self._lock:
            cached = self._listings.get(session)
        if cached is not None and time.monotonic() - cached[1] < TABLE_LIST_SECONDS:
            return list(cached[0])
        names = self._table_names(session)
        if names is None:
            raise InputError(f"unknown session {session!r}")
        with self._lock:
            self._listings[session] = (names, time.monotonic())
        return names

    @guarded
    def count(self, session: str, table: str | None = None) -> int:
        """Rows stored in one table of the session, or in all of them."""
        names = self._resolve_tables(session, None if table is None else [table])
        return sum(self._table(session, name).count_rows() for name in names)

    @guarded
    def drop_session(self, session: str) -> None:
        """Delete a session and everything stored in it; `InputError` if it is unknown."""
        check_session(session)
        if session not in self.list_sessions():
            raise InputError(f"unknown session {session!r}")
        self._drop(session)

    @guarded
    def drop_all(self) -> int:
        """Delete every session; returns how many there were."""
        sessions = self.list_sessions()
        for session in sessions:
            self._drop(session)
        return len(sessions)

    def id_mark(self, session: str) -> str | None:
        """The `id_mark` the session was created with (None: none given, or an older version)."""
        check_session(session)
        properties = self._connection().describe_namespace([session]).properties or {}
        return properties.get(ID_MARK)

    # ----------------------------------------------------------------- ingest

    @guarded
    def stored_ids(self, session: str, table: str, ids: Sequence[str]) -> set[str]:
        """Which of `ids` `session`/`table` already holds (empty when the table does not exist)."""
        check_session(session)
        check_table(table)
        if not ids or table not in (self._table_names(session) or []):
            return set()
        tbl = self._connection().open_table(table, namespace_path=[session], storage_options=self._options())
        return self._stored_ids(tbl, list(dict.fromkeys(ids)))

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
        started = time.perf_counter()
        rows = records if isinstance(records, pa.Table) else clean_rows(records)
        first: dict[str, int] = {}  # each id's first row
        for i, record_id in enumerate(rows["id"].to_pylist()):
            first.setdefault(record_id, i)
        key = (session, table)
        with self._write_lock(key), writers_lock(self._root, session, table):
            tbl = None
            if table in (self._table_names(session) or []):
                tbl = self._connection().open_table(
                    table, namespace_path=[session], storage_options=self._options()
                )
            stored = self._stored_ids(tbl, list(first)) if tbl is not None else set()
            keep = [i for record_id, i in first.items() if record_id not in stored]
            new = rows if len(keep) == rows.num_rows else rows.take(pa.array(keep, type=pa.int64()))
            inserted = embedded = reused = 0
            # In batches, so that memory holds one batch's vectors and Arrow rows, not the fetch's;
            # the indexes are brought up to date once, after the last batch.
            for start in range(0, new.num_rows, WRITE_BATCH):
                batch = new.slice(start, WRITE_BATCH)
                shapes = batch["shape"].to_pylist()
                vectors, batch_embedded, batch_reused = self._vectors_for(key, tbl, shapes)
                tbl, written = self._write(key, tbl, batch, vectors, id_mark)
                inserted += written
                embedded += batch_embedded
                reused += batch_reused
            if tbl is not None and new.num_rows:
                self._maintain_indexes(tbl)
                self._hand_over(key, tbl)
        return IngestStats(
            fetched=rows.num_rows,
            new=inserted,
            already_stored=rows.num_rows - inserted,
            shapes_embedded=embedded,
            shapes_reused=reused,
            seconds=round(time.perf_counter() - started, 4),
        )

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
        vector_future = pool.submit(self._query_vector, vector_query or query) if use_vector else None
        names = self._resolve_tables(session, tables)
        where = filters.to_sql() if filters is not None else None
        n = max(k, MIN_CANDIDATES)
        opened = {name: self._table(session, name) for name in names}
        fts_futures = {
            name: [pool.submit(fts_rows, tbl, q, where, n) for q in build_fts_queries(query, extra=phrases)]
            for name, tbl in opened.items()
            if use_fts
        }
        query_vector = vector_future.result() if vector_future is not None else None
        lists: list[tuple[Literal["vector", "fts"], list[Candidate]]] = []
        for name, tbl in opened.items():
            ranked: list[tuple[str, float]] = []
            rows_by_shape: Mapping[str, Sequence[int]] = {}
            if query_vector is not None:  # while the full-text queries may still be running
                shapes = self._shape_vectors((session, name), tbl)
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
        names = self._resolve_tables(session, tables)
        where = filters.to_sql() if filters is not None else None
        opened = {name: self._table(session, name) for name in names}
        found: list[tuple[Candidate, float, Via]] = []
        for name, tbl in opened.items():
            for row in fts_rows(tbl, PhraseQuery(phrase, TEXT_COLUMN), where, limit):
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
        names = self._resolve_tables(session, tables)
        where = filters.to_sql() if filters is not None else None
        found: list[tuple[int, str, int]] = []
        for name in names:
            query = self._table(session, name).search().select(["ts"]).with_row_id(True).limit(None)
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
            rows = (
                self._table(session, name)
                .take_row_ids(row_ids)
                .select(RECORD_COLUMNS)
                .with_row_id()
                .to_arrow()
            )
            for row_id, record in zip(rows["_rowid"].to_pylist(), to_stored(rows, name), strict=True):
                records[(name, row_id)] = record
        return [records[(name, row_id)] for _, name, row_id in found]

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
        where = filters.to_sql() if filters is not None else None
        out: dict[str, list[int]] = {}
        for name in self._resolve_tables(session, tables):
            query = self._table(session, name).search().select(["shape_hash", "ts"]).limit(limit)
            if where:
                query = query.where(where)
            found = run_query(query, where)
            shapes = found["shape_hash"].to_numpy(zero_copy_only=False)
            stamps = found["ts"].to_numpy()
            for shape in np.unique(shapes):
                out.setdefault(str(shape), []).extend(stamps[shapes == shape].tolist())
        return out

    @guarded
    def time_span(self, session: str, *, tables: list[str] | None = None) -> tuple[int, int] | None:
        """(first, last) timestamp in µs since the epoch of the session's rows; None when empty."""
        lows, highs = [], []
        for name in self._resolve_tables(session, tables):
            ts = self._table(session, name).search().select(["ts"]).limit(None).to_arrow()["ts"]
            if len(ts):
                lows.append(pc.min(ts).as_py())
                highs.append(pc.max(ts).as_py())
        return (min(lows), max(highs)) if lows else None

    @guarded
    def sources(self, session: str) -> set[str]:
        """Where the session's rows were read from (the `source` column: file paths), none empty."""
        found: set[str] = set()
        for name in self._resolve_tables(session, None):
            column = self._table(session, name).search().select(["source"]).limit(None).to_arrow()["source"]
            found.update(str(s) for s in pc.unique(column).to_pylist() if s)
        return found

    @guarded
    def count_matching(
        self, session: str, *, tables: list[str] | None = None, filters: SearchFilters | None = None
    ) -> int:
        """How many rows match `filters`: a count, not a read of the rows."""
        where = filters.to_sql() if filters is not None else None
        return sum(self._count(session, name, where) for name in self._resolve_tables(session, tables))

    @guarded
    def exists(
        self, session: str, *, tables: list[str] | None = None, filters: SearchFilters | None = None
    ) -> bool:
        """Whether any row matches `filters`: a cheap count, not a read of the rows."""
        where = filters.to_sql() if filters is not None else None
        return any(self._count(session, name, where) > 0 for name in self._resolve_tables(session, tables))

    def _count(self, session: str, table: str, where: str | None) -> int:
        try:
            return self._table(session, table).count_rows(where)
        except ValueError as exc:  # DataFusion's error for an invalid where-clause
            if is_storage_fault(exc):
                raise
            raise InputError(f"bad filter {where!r}: {exc}") from None

    def _fault(self, session: str | None, exc: BaseException) -> StorageError:
        """The one line for a LanceDB fault (see `repair`): the session's unreadable tables are
        moved into the quarantine and dropped; the other sessions are not looked at."""
        self._forget_handles()
        damaged = []
        if session is not None:
            try:
                db, names, options = self._connection(), self._table_names(session) or [], self._options()

                def reopen(name: str) -> Table:  # not a cached handle: see the table as it is now
                    return db.open_table(name, namespace_path=[session], storage_options=options)

                damaged = set_aside_unreadable(db, self._root, self._quarantine, session, names, reopen)
            except Exception as probe_exc:  # the report must not fail: say what first went wrong
                log.info("could not check the tables of session %s: %s", session, probe_exc)
        self._forget_handles()  # of the tables just set aside too
        return fault_message(session, self.uri, exc, damaged)

    def _forget_handles(self) -> None:
        with self._lock:
            for cache in (self._listings, self._tables, self._shapes):
                cache.clear()

    # ----------------------------------------------------------------- internals: connection and tables

    def _options(self) -> dict[str, str] | None:
        """Storage options again for every open: LanceDB 0.40 does not hand the connection's options
        to tables opened inside a namespace (S3 then fails with "Failed to resolve region")."""
        return self._storage_options or None

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

    def _connection(self) -> lancedb.DBConnection:
        with self._lock:
            if self._db is None:
                self._db = open_healed(
                    lambda: lancedb.connect(self.uri, storage_options=self._storage_options or None),
                    self._root,
                    self._quarantine,
                    self._maintain_indexes,
                )
            return self._db

    def _table_names(self, session: str) -> list[str] | None:
        """The session's tables, sorted, or None if there is no such session."""
        names: list[str] = []
        token: str | None = None
        while True:
            try:
                page = self._connection().list_tables(namespace_path=[session], page_token=token)
            except RuntimeError as exc:  # a folder where no session was ever created
                if "not found" in str(exc).lower():
                    return None
                raise
            names += page.tables
            token = page.page_token
            if not token:
                break
        if not names and session not in self.list_sessions():
            return None
        return sorted(names)

    def _table(self, session: str, table: str) -> Table:
        """The open table, reopened when older than `TABLE_HANDLE_SECONDS` (to see other writers).

        An open table never moves to a newer version under a running search: ingest writes
        through a table it opened itself and only then hands it over for searching.
        """
        key = (session, table)
        with self._lock:
            cached = self._tables.get(key)
        if cached is not None and time.monotonic() - cached[1] < TABLE_HANDLE_SECONDS:
            return cached[0]
        tbl = self._connection().open_table(table, namespace_path=[session], storage_options=self._options())
        self._hand_over(key, tbl)
        return tbl

    def _hand_over(self, key: _Key, tbl: Table) -> None:
        with self._lock:
            self._tables[key] = (tbl, time.monotonic())

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

    def _drop(self, session: str) -> None:
        db = self._connection()
        try:
            db.drop_all_tables(namespace_path=[session])
        except LANCE_ERRORS as exc:  # a table folder is gone or damaged: drop the tables one by one
            if not is_storage_fault(exc):
                raise
            for name in self._table_names(session) or []:
                forget_table(db, session, name)
        db.drop_namespace([session])
        with self._lock:
            self._listings.pop(session, None)
            for cache in (self._tables, self._shapes):
                for key in [key for key in cache if key[0] == session]:
                    del cache[key]

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._threads is None:
                self._threads = ThreadPoolExecutor(max_workers=SEARCH_THREADS, thread_name_prefix="log-index")
            return self._threads

    def _write_lock(self, key: _Key) -> threading.Lock:
        with self._lock:
            return self._write_locks.setdefault(key, threading.Lock())

    # ----------------------------------------------------------------- internals: ingest

    def _stored_ids(self, tbl: Table, ids: list[str]) -> set[str]:
        """Which of `ids` the table holds: by `id IN (…)` lookups, or, for a batch that is large
        next to the table, by reading the whole id column (0.5 ms per 1000 rows against ~10 ms
        per lookup of 1000 ids at 100k rows)."""
        if len(ids) * 20 >= tbl.count_rows():
            every_id = tbl.search().select(["id"]).limit(None).to_arrow()["id"].to_pylist()
            return set(every_id).intersection(ids)
        stored: set[str] = set()
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            where = "id IN (" + ", ".join(sql_string(i) for i in chunk) + ")"
            found = tbl.search().where(where).select(["id"]).limit(None).to_arrow()
            stored.update(found["id"].to_pylist())
        return stored

    def _vectors_for(self, key: _Key, tbl: Table | None, shapes: list[str]) -> tuple[np.ndarray, int, int]:
        """One vector per record, given by its shape (zeros without an embedder), shapes
        embedded, shapes reused."""
        vectors = np.zeros((len(shapes), self.vector_dim), dtype=np.float32)
        if self.embedder is None or not shapes:
            return vectors, 0, 0
        hash_of = {shape: short_hash(shape) for shape in set(shapes)}
        hashes = [hash_of[shape] for shape in shapes]
        shape_text = {hash_of[shape]: shape for shape in dict.fromkeys(shapes)}
        known: dict[str, np.ndarray] = {}
        for shape_hash in shape_text:
            vector = self._cached_vector(shape_hash)
            if vector is not None:
                known[shape_hash] = vector
        # The table's own vectors are read only for shapes this process has not embedded lately
        # (reading them for every batch of a big ingest cost more than the embedding).
        if tbl is not None and any(h not in known for h in shape_text):
            stored = self._shape_vectors(key, tbl)
            for shape_hash in shape_text:
                vector = stored.get(shape_hash) if shape_hash not in known else None
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

    def _embed(self, texts: list[str]) -> np.ndarray:
        assert self.embedder is not None
        vectors = np.asarray(self.embedder.get_text_embedding_batch(texts), dtype=np.float32)
        return self._checked(vectors, len(texts))

    def _query_vector(self, query: str) -> np.ndarray:
        assert self.embedder is not None
        vector = self.embedder.get_query_embedding(readable(query))
        return self._checked(np.asarray(vector, dtype=np.float32), None)

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

    def _cached_vector(self, shape_hash: str) -> np.ndarray | None:
        with self._lock:
            vector = self._vector_cache.get(shape_hash)
            if vector is not None:
                self._vector_cache.move_to_end(shape_hash)
            return vector

    def _remember(self, vectors: dict[str, np.ndarray]) -> None:
        with self._lock:
            for shape_hash, vector in vectors.items():
                self._vector_cache[shape_hash] = vector
                self._vector_cache.move_to_end(shape_hash)
            while len(self._vector_cache) > VECTOR_CACHE_SIZE:
                self._vector_cache.popitem(last=False)

    def _write(
        self,
        key: _Key,
        tbl: Table | None,
        rows: pa.Table,
        vectors: np.ndarray,
        id_mark: str | None,
    ) -> tuple[Table, int]:
        """Insert `rows` (a clean table), whose ids the table lacks (creating it first if need be):
        the table and how many were inserted. An object store, which has no writers lock, checks
        the ids again."""
        session, table = key
        data = to_arrow(rows, vectors, self.vector_dim)
        if tbl is None:
            self._ensure_namespace(session, id_mark)
            tbl = self._create_table(key)
            with self._lock:
                self._listings.pop(session, None)
        self._check_vector_dim(tbl, key)
        if self._root is not None:
            # A local store: this process holds the table's writers lock (see `ingest`) and took
            # out the ids already stored, so the rows are appended. `merge_insert` would check the
            # ids again, and held ~200 MB more at its peak on a 100k-record ingest.
            committed(tbl, lambda: tbl.add(data))
            return tbl, rows.num_rows
        merged = committed(tbl, lambda: tbl.merge_insert("id").when_not_matched_insert_all().execute(data))
        return tbl, merged.num_inserted_rows

    def _create_table(self, key: _Key) -> Table:
        """Create the (empty) table, or open it if another writer has just created it.

        Rows always go in through `merge_insert`, never with the create: when two processes
        create the same table at the same moment, LanceDB 0.40 may keep only one creator's
        first version, which is harmless when both are empty (measured: rows were lost 1 time
        in 20 when creating with data).
        """
        session, table = key
        for attempt in range(1, OPEN_ATTEMPTS + 1):
            try:
                return self._connection().create_table(
                    table,
                    schema=row_schema(self.vector_dim),
                    namespace_path=[session],
                    exist_ok=True,
                    storage_options=self._options(),
                )
            except (ValueError, RuntimeError):  # the other writer's table is not readable yet
                if attempt == OPEN_ATTEMPTS:
                    raise
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")

    def _ensure_namespace(self, session: str, id_mark: str | None) -> None:
        if session in self.list_sessions():
            return
        properties = {ID_MARK: id_mark} if id_mark is not None else None
        try:
            self._connection().create_namespace([session], properties=properties)
        except RuntimeError:
            if session not in self.list_sessions():
                raise
            # another writer created it in the meantime: fine

    def _check_vector_dim(self, tbl: Table, key: _Key) -> None:
        stored_dim = tbl.schema.field("vector").type.list_size
        if stored_dim != self.vector_dim:
            raise ConfigError(
                f"table {key[1]!r} of session {key[0]!r} holds {stored_dim}-dim vectors, "
                f"this store writes {self.vector_dim}-dim ones"
            )

    def _maintain_indexes(self, tbl: Table) -> None:
        """Create the indexes the table lacks; fold rows the indexes have not seen yet into them."""
        create_index(tbl, _FTS_INDEX, TEXT_COLUMN, FTS(with_position=True, max_token_length=MAX_TOKEN_LENGTH))
        for column, config in _SCALAR_INDEXES.items():
            create_index(tbl, f"{column}_idx", column, config)
        stats = tbl.index_stats(_FTS_INDEX)
        if stats is not None and stats.num_unindexed_rows > OPTIMIZE_AFTER_UNINDEXED:
            optimize(tbl)

    def _shape_vectors(self, key: _Key, tbl: Table) -> ShapeVectors:
        with self._lock:
            cached = self._shapes.get(key)
        if cached is not None and cached.version == tbl.version:
            return cached
        loaded = load_shape_vectors(tbl, self.vector_dim)
        with self._lock:
            self._shapes[key] = loaded
        return loaded

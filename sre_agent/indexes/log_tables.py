"""The LanceDB side of the log index: a namespace per session, a table per fetch, their indexes.

Layout: one LanceDB namespace per session (the Slack thread id, stored unchanged), one table
per fetch inside it (`logs_getuser_prod`, `req_abc123_prod`, …; see `naming.table_name`).
Namespaces work on the plain connection (`lancedb.connect(folder)`): LanceDB keeps a
`__manifest` table next to the tables. The same calls take `s3://bucket/prefix` with
`storage_options`. The connection is opened on first use, the catalog healed first when it is
lost or damaged (`repair.open_healed`).

Tables are created empty (`row_schema`, `id` its primary key); a table gets LanceDB's native
full-text index on `text` (with positions, for phrase queries) and scalar indexes (`id`,
`shape_hash`, filter columns) when rows first go in (`maintain_indexes`). Rows added later are
searchable at once (LanceDB also scans rows the index has not seen yet); once more than
`OPTIMIZE_AFTER_UNINDEXED` such rows pile up, `optimize()` folds them into the indexes.

Consistency: a session's table listing is reused for up to `TABLE_LIST_SECONDS` and open tables
for up to `TABLE_HANDLE_SECONDS`, so another process's new tables and writes show up within that
time; this process's own creates, drops and writes (`hand_over`) show up at once. A table's
distinct shapes and their vectors (`shapes`) are loaded once per table version.

Faults (`repair`): what LanceDB or the disk raises becomes one `StorageError` naming the session
(`fault`); its tables that cannot be read are moved into the quarantine folder.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import lancedb
import pyarrow as pa
from lancedb.index import FTS, Bitmap, BTree
from lancedb.table import Table
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from sre_agent.errors import ConfigError, StorageError
from sre_agent.indexes.filters import in_clause
from sre_agent.indexes.fts_query import TEXT_COLUMN
from sre_agent.indexes.lance import LazyConnection, namespace_names, table_names
from sre_agent.indexes.repair import (
    LANCE_ERRORS,
    Damaged,
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
from sre_agent.indexes.rows import row_schema
from sre_agent.indexes.shape_vectors import ShapeVectors, load_shape_vectors

log = logging.getLogger(__name__)

#: A table handle is reused this long, then reopened to see other processes' writes.
TABLE_HANDLE_SECONDS = 10.0
#: A session's table listing is reused this long (another process's new table shows up after it).
TABLE_LIST_SECONDS = 1.0
#: Tries at creating a session or a table (or opening one another writer has just created), with
#: jittered exponential waits of at most OPEN_WAIT_MAX s (five tries 50 ms apart were a budget of
#: half a second, which a loaded machine with four writers creating one session may outlast).
OPEN_ATTEMPTS = 8
OPEN_WAIT_MAX = 1.0
#: Ids per `id IN (…)` lookup when checking which records are already stored.
ID_CHUNK = 2000
#: Longest token the full-text index keeps (LanceDB's default, 40, drops sha256 digests: 64 chars).
MAX_TOKEN_LENGTH = 128
#: Run `optimize()` after an ingest once the full-text index misses more rows than this.
OPTIMIZE_AFTER_UNINDEXED = 1000
#: The session (namespace) property holding what made its record ids (`LogIndex.ingest`'s `id_mark`).
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

#: A table: (session, table).
TableKey = tuple[str, str]


def maintain_indexes(tbl: Table) -> None:
    """Create the indexes the table lacks; fold rows the indexes have not seen yet into them."""
    create_index(tbl, _FTS_INDEX, TEXT_COLUMN, FTS(with_position=True, max_token_length=MAX_TOKEN_LENGTH))
    for column, config in _SCALAR_INDEXES.items():
        create_index(tbl, f"{column}_idx", column, config)
    stats = tbl.index_stats(_FTS_INDEX)
    if stats is not None and stats.num_unindexed_rows > OPTIMIZE_AFTER_UNINDEXED:
        optimize(tbl)


def stored_ids(tbl: Table, ids: list[str]) -> set[str]:
    """Which of `ids` the table holds: by `id IN (…)` lookups, or, for a batch that is large
    next to the table, by reading the whole id column (0.5 ms per 1000 rows against ~10 ms
    per lookup of 1000 ids at 100k rows)."""
    if len(ids) * 20 >= tbl.count_rows():
        every_id = tbl.search().select(["id"]).limit(None).to_arrow()["id"].to_pylist()
        return set(every_id).intersection(ids)
    stored: set[str] = set()
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        where = in_clause("id", chunk)
        found = tbl.search().where(where).select(["id"]).limit(None).to_arrow()
        stored.update(found["id"].to_pylist())
    return stored


def check_vector_dim(tbl: Table, key: TableKey, vector_dim: int) -> None:
    """`ConfigError` when the table holds vectors of another size than `vector_dim`."""
    stored_dim = tbl.schema.field("vector").type.list_size
    if stored_dim != vector_dim:
        raise ConfigError(
            f"table {key[1]!r} of session {key[0]!r} holds {stored_dim}-dim vectors, "
            f"this store writes {vector_dim}-dim ones"
        )


class LogTables:
    """The sessions and tables of one LanceDB folder (or object store prefix); thread-safe.

    Names are not checked here: `LogIndex` checks them before asking."""

    def __init__(
        self, uri: str, vector_dim: int, storage_options: dict[str, str], quarantine_dir: Path | None
    ) -> None:
        """`vector_dim` is the size of the vectors the tables hold; `quarantine_dir` receives the
        tables that cannot be read (default: `quarantine` beside the store's folder)."""
        self.uri = uri
        self.vector_dim = vector_dim
        self.root = local_root(uri)
        self.quarantine = quarantine_dir or (self.root or Path(".")).parent / "quarantine"
        self._storage_options = storage_options
        self.connection = LazyConnection(
            lambda: open_healed(
                lambda: lancedb.connect(uri, storage_options=storage_options or None),
                self.root,
                self.quarantine,
                maintain_indexes,
            )
        )
        self._lock = threading.Lock()
        self._handles: dict[TableKey, tuple[Table, float]] = {}  # open table, when it was opened
        self._listings: dict[str, tuple[list[str], float]] = {}  # session's tables, when listed
        self._shapes: dict[TableKey, ShapeVectors] = {}
        self._write_locks: dict[TableKey, threading.Lock] = {}

    def options(self) -> dict[str, str] | None:
        """Storage options again for every open: LanceDB 0.40 does not hand the connection's options
        to tables opened inside a namespace (S3 then fails with "Failed to resolve region")."""
        return self._storage_options or None

    # ----------------------------------------------------------------- sessions and listings

    @guarded
    def sessions(self) -> list[str]:
        """Every session id that has stored something, sorted; a fault is a `StorageError` naming
        the store, not a session."""
        return sorted(namespace_names(self.connection()))

    def names(self, session: str) -> list[str] | None:
        """The session's tables, sorted, or None if there is no such session (read now)."""
        try:
            names = table_names(self.connection(), [session])
        except RuntimeError as exc:  # a folder where no session was ever created
            if "not found" in str(exc).lower():
                return None
            raise
        if not names and session not in self.sessions():
            return None
        return sorted(names)

    def listing(self, session: str) -> list[str] | None:
        """`names`, reused for `TABLE_LIST_SECONDS` (one question makes many calls)."""
        with self._lock:
            cached = self._listings.get(session)
        if cached is not None and time.monotonic() - cached[1] < TABLE_LIST_SECONDS:
            return list(cached[0])
        names = self.names(session)
        if names is not None:
            with self._lock:
                self._listings[session] = (names, time.monotonic())
        return names

    def id_mark(self, session: str) -> str | None:
        """The `ID_MARK` property the session was created with (None: none given)."""
        properties = self.connection().describe_namespace([session]).properties or {}
        return properties.get(ID_MARK)

    # ----------------------------------------------------------------- tables

    def table(self, session: str, table: str) -> Table:
        """The open table, reopened when older than `TABLE_HANDLE_SECONDS` (to see other writers).

        An open table never moves to a newer version under a running search: ingest writes
        through a table it opened itself (`open`) and only then hands it over for searching.
        """
        key = (session, table)
        with self._lock:
            cached = self._handles.get(key)
        if cached is not None and time.monotonic() - cached[1] < TABLE_HANDLE_SECONDS:
            return cached[0]
        tbl = self.open(session, table)
        self.hand_over(key, tbl)
        return tbl

    def open(self, session: str, table: str) -> Table:
        """A new handle on the table as it is now (not the one searches use)."""
        return self.connection().open_table(table, namespace_path=[session], storage_options=self.options())

    def hand_over(self, key: TableKey, tbl: Table) -> None:
        """Make `tbl` the handle searches use (after writing through it)."""
        with self._lock:
            self._handles[key] = (tbl, time.monotonic())

    def shapes(self, key: TableKey, tbl: Table) -> ShapeVectors:
        """The distinct shapes of `tbl`'s version, their vectors and rows: loaded once per version."""
        with self._lock:
            cached = self._shapes.get(key)
        if cached is not None and cached.version == tbl.version:
            return cached
        loaded = load_shape_vectors(tbl, self.vector_dim)
        with self._lock:
            self._shapes[key] = loaded
        return loaded

    def create(self, key: TableKey, id_mark: str | None) -> Table:
        """Create the (empty) table, and its session with `id_mark` if need be, or open it if
        another writer has just created it."""
        self._ensure_namespace(key[0], id_mark)
        tbl = self._create_table(key)
        with self._lock:
            self._listings.pop(key[0], None)
        return tbl

    def _create_table(self, key: TableKey) -> Table:
        """Rows always go in afterwards, never with the create: when two processes create the same
        table at the same moment, LanceDB 0.40 may keep only one creator's first version, which is
        harmless when both are empty (measured: rows were lost 1 time in 20 when creating with data).
        """
        session, table = key
        for attempt in _opening():  # the other writer's table is not readable yet
            with attempt:
                return self.connection().create_table(
                    table,
                    schema=row_schema(self.vector_dim),
                    namespace_path=[session],
                    exist_ok=True,
                    storage_options=self.options(),
                )
        raise AssertionError("unreachable")

    @contextmanager
    def writing(self, key: TableKey) -> Iterator[None]:
        """Hold the table for writing: this process's threads take turns by a lock, the processes
        writing to a local store by a file lock (`repair.writers_lock`)."""
        with self._lock:
            lock = self._write_locks.setdefault(key, threading.Lock())
        with lock, writers_lock(self.root, *key):
            yield

    def write(
        self, key: TableKey, tbl: Table | None, data: pa.Table, id_mark: str | None
    ) -> tuple[Table, int]:
        """Insert `data` (rows with their vectors, `rows.to_arrow`), whose ids the table lacks,
        creating the table first if need be (`create`): the table and how many rows went in. Call it
        while `writing`; an object store, which has no writers lock, checks the ids again."""
        if tbl is None:
            tbl = self.create(key, id_mark)
        check_vector_dim(tbl, key, self.vector_dim)
        if self.root is not None:
            # A local store: this process holds the table's writers lock (see `writing`) and took
            # out the ids already stored, so the rows are appended. `merge_insert` would check the
            # ids again, and held ~200 MB more at its peak on a 100k-record ingest.
            committed(tbl, lambda: tbl.add(data))
            return tbl, data.num_rows
        merged = committed(tbl, lambda: tbl.merge_insert("id").when_not_matched_insert_all().execute(data))
        return tbl, merged.num_inserted_rows

    def _ensure_namespace(self, session: str, id_mark: str | None) -> None:
        if session in self.sessions():
            return
        properties = {ID_MARK: id_mark} if id_mark is not None else None
        for attempt in _opening():  # another writer may be creating it this moment
            with attempt:
                try:
                    self.connection().create_namespace([session], properties=properties)
                except RuntimeError:
                    if session not in self.sessions():
                        raise
                    # another writer created it in the meantime: fine

    def drop(self, session: str) -> None:
        """Delete the session and its tables, also those whose folder is gone or damaged."""
        db = self.connection()
        try:
            db.drop_all_tables(namespace_path=[session])
        except LANCE_ERRORS as exc:  # a table folder is gone or damaged: drop the tables one by one
            if not is_storage_fault(exc):
                raise
            for name in self.names(session) or []:
                forget_table(db, session, name)
        db.drop_namespace([session])
        with self._lock:
            self._listings.pop(session, None)
            for cache in (self._handles, self._shapes):
                for key in [key for key in cache if key[0] == session]:
                    del cache[key]

    def forget(self) -> None:
        """Drop every listing, handle and shape held: the next call reads the store afresh."""
        with self._lock:
            for cache in (self._listings, self._handles, self._shapes):
                cache.clear()

    # ----------------------------------------------------------------- faults

    def fault(self, session: str | None, exc: BaseException) -> StorageError:
        """The one line for a LanceDB fault (see `repair`): the session's unreadable tables are
        moved into the quarantine and dropped; the other sessions are not looked at."""
        self.forget()
        damaged: list[Damaged] = []
        if session is not None:
            try:
                db, names, options = self.connection(), self.names(session) or [], self.options()

                def reopen(name: str) -> Table:  # not a cached handle: see the table as it is now
                    return db.open_table(name, namespace_path=[session], storage_options=options)

                damaged = set_aside_unreadable(db, self.root, self.quarantine, session, names, reopen)
            except Exception as probe_exc:  # the report must not fail: say what first went wrong
                log.info("could not check the tables of session %s: %s", session, probe_exc)
        self.forget()  # of the tables just set aside too
        return fault_message(session, self.uri, exc, damaged)

    def _fault(self, session: str | None, exc: BaseException) -> StorageError:  # for `repair.guarded`
        return self.fault(session, exc)


def _opening() -> Retrying:
    """Retries for creating a session or table that another writer may be creating too."""
    return Retrying(
        retry=retry_if_exception_type((ValueError, RuntimeError)),
        stop=stop_after_attempt(OPEN_ATTEMPTS),
        wait=wait_random_exponential(multiplier=0.05, max=OPEN_WAIT_MAX),
        reraise=True,
    )

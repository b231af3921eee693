"""Keeping the log index usable when its files are not.

- A LanceDB fault (a truncated data file, a deleted table folder, a damaged version manifest, a
  disk that refuses reads or writes) reaches the caller as one `StorageError` line naming the
  session: every table of the session is read through; the ones that cannot be read are moved into
  the quarantine folder (`<data dir>/quarantine/<session>-<table>-<time>`) and dropped from the
  catalog, so the next fetch builds them anew. Other sessions are not touched.
- The namespace catalog (LanceDB's `__manifest` table, which says which folder holds which
  session's table) is checked when the store first connects: when it is missing, or cannot be
  read (it is then moved into the quarantine too), it is rebuilt from the table folders
  themselves (`<8 hex>_<session>$<table>`): each one is copied into a table the new catalog knows.
- Processes writing one table of a local store take turns (`writers_lock`); a write that still
  loses a commit race (an object store, index creation) is retried with jittered, growing
  waits, a bounded number of times (`committed`).

Moving folders works on a local data dir only; in an object store (`s3://…`) a damaged table is
reported, not moved.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import lancedb
import pyarrow as pa
from lance_namespace.errors import LanceNamespaceError
from lancedb.table import LanceTable, Table
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from sre_agent.errors import SreAgentError, StorageError
from sre_agent.storage import describe, quarantine

log = logging.getLogger(__name__)
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

#: Tries at one write when other writers' commits keep winning (waits grow, with jitter, to 2 s).
COMMIT_ATTEMPTS = 10
#: The folder of LanceDB's namespace catalog inside the store's folder.
CATALOG = "__manifest"
#: Rows per batch when a table is read through (to check it) or copied (to rebuild the catalog).
READ_BATCH = 10_000
#: Lock files shared by the tables of a local store (one writing process per table at a time).
WRITER_LOCKS = 64
#: Wait before reading a table a second time, before it is called damaged.
SECOND_LOOK_SECONDS = 0.5
#: A table's folder: LanceDB names it `<8 hex>_<session>$<table>`.
_FOLDER = re.compile(r"[0-9a-f]{8}_(?P<session>[A-Za-z0-9_.\-]+)\$(?P<table>[a-z0-9_]+)")
#: What LanceDB raises; which of them are storage faults `is_storage_fault` decides.
LANCE_ERRORS = (OSError, RuntimeError, ValueError, LanceNamespaceError)


def is_conflict(exc: BaseException) -> bool:
    """Whether LanceDB refused a commit because another writer's commit came first."""
    text = str(exc).lower()
    return isinstance(exc, RuntimeError | OSError) and (
        "conflict" in text or "preempted" in text or "concurrent writer" in text
    )


def is_storage_fault(exc: BaseException) -> bool:
    """Whether `exc` is LanceDB (or the disk) failing, rather than a bad filter or a bug of ours."""
    if isinstance(exc, SreAgentError):
        return False
    if isinstance(exc, OSError | LanceNamespaceError):
        return True
    if isinstance(exc, RuntimeError | ValueError):
        text = str(exc)
        if text.startswith("Invalid input"):  # LanceDB's word for a where-clause it cannot use
            return False
        return any(word in text.lower() for word in ("lance", "not found", "namespace", "i/o", "io error"))
    return False


def committed(tbl: Table | None, write: Callable[[], T]) -> T:
    """`write()`; when another writer's commit wins, look at the table's newest version and retry
    (at most `COMMIT_ATTEMPTS` tries, jittered exponential waits)."""
    for attempt in Retrying(
        retry=retry_if_exception(is_conflict),
        stop=stop_after_attempt(COMMIT_ATTEMPTS),
        wait=wait_random_exponential(multiplier=0.05, max=2.0),
        reraise=True,
    ):
        with attempt:
            if attempt.retry_state.attempt_number > 1 and tbl is not None:
                tbl.checkout_latest()
            return write()
    raise AssertionError("unreachable")


def create_index(tbl: Table, name: str, column: str, config: Any) -> None:
    """Create one index unless the table has it; when another writer's commit wins, look again."""

    def create() -> None:
        if name not in {index.name for index in tbl.list_indices()}:
            tbl.create_index(column, config=config, name=name)

    committed(tbl, create)


def optimize(tbl: Table) -> None:
    """Compact the table and update its indexes; when another writer's commit wins, retry."""
    committed(tbl, tbl.optimize)


def guarded(method: F) -> F:
    """A method of `LogIndex` or `LogTables` whose LanceDB faults become one `StorageError` (see
    `LogTables.fault`). The method's first argument, if any, is the session it works on."""

    @wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except LANCE_ERRORS as exc:
            if not is_storage_fault(exc):
                raise
            session = args[0] if args else kwargs.get("session")
            raise self._fault(session, exc) from exc

    return wrapper  # type: ignore[return-value]


def local_root(uri: str) -> Path | None:
    """The folder of a local store; None for an object store, where nothing can be moved aside."""
    if uri.startswith("file://"):
        return Path(uri.removeprefix("file://"))
    return None if "://" in uri else Path(uri)


# ----------------------------------------------------------------- damaged tables


@dataclass
class Damaged:
    """A table that could not be read, and what was done about it."""

    table: str
    problem: str
    moved_to: Path | None  # None: its folder was gone already, or the store is not local


def read_through(tbl: Table) -> None:
    """Read every column of every row (raises when a data file or index is damaged)."""
    for _ in tbl.search().select(tbl.schema.names).limit(None).to_batches(READ_BATCH):
        pass


def set_aside_unreadable(
    db: lancedb.DBConnection,
    root: Path | None,
    quarantine_dir: Path,
    session: str,
    tables: list[str],
    open_table: Callable[[str], Table],
) -> list[Damaged]:
    """Read each of the session's `tables` through; move the ones that fail into the quarantine
    and drop them from the catalog (so the next fetch creates them afresh)."""
    damaged: list[Damaged] = []
    for name in tables:
        problem = _unreadable(open_table, name)
        if problem is not None:  # a table another writer is creating becomes readable in a moment
            time.sleep(SECOND_LOOK_SECONDS)
            problem = _unreadable(open_table, name)
        if problem is None:
            continue
        folder = table_folder(root, session, name) if root is not None else None
        moved = quarantine(folder, quarantine_dir, f"{session}-{name}") if folder is not None else None
        if root is not None:
            forget_table(db, session, name)
        damaged.append(Damaged(name, problem, moved))
    return damaged


def _unreadable(open_table: Callable[[str], Table], name: str) -> str | None:
    """What went wrong reading a table, or None when it read through."""
    try:
        read_through(open_table(name))
    except LANCE_ERRORS as exc:
        if not is_storage_fault(exc):
            raise
        return describe(exc)
    return None


def fault_message(session: str | None, uri: str, exc: BaseException, damaged: list[Damaged]) -> StorageError:
    """The one line a storage fault reaches the user as."""
    where = f"session {session!r}" if session else f"the log store at {uri}"
    if damaged:
        parts = []
        for d in damaged:
            if d.moved_to is not None:
                parts.append(f"table {d.table} could not be read ({d.problem}); moved it to {d.moved_to}")
            elif local_root(uri) is not None:
                parts.append(f"table {d.table} could not be read ({d.problem}); removed it from the catalog")
            else:
                parts.append(f"table {d.table} could not be read ({d.problem})")
        if local_root(uri) is None:
            return StorageError(
                f"{where}: {'; '.join(parts)}; drop the session (`sre-agent sessions drop {session}`) "
                "and ask again"
            )
        return StorageError(f"{where}: {'; '.join(parts)}; ask again and its logs are fetched anew")
    if is_conflict(exc):
        return StorageError(
            f"{where}: other processes kept writing to the same table ({describe(exc)}); try again"
        )
    failed = f"the log store at {uri} failed ({describe(exc)}); check its disk (free space, permissions)"
    return StorageError(f"{where}: {failed} and try again" if session else f"{failed} and try again")


def table_folder(root: Path, session: str, table: str) -> Path | None:
    """The folder that holds `session`'s `table`, if there is one."""
    for folder in table_folders(root):
        if folder.session == session and folder.table == table:
            return folder.path
    return None


def forget_table(db: lancedb.DBConnection, session: str, table: str) -> None:
    """Drop a table whose folder is gone or set aside: LanceDB removes it from the catalog, then
    complains that there is no folder to delete."""
    try:
        db.drop_table(table, namespace_path=[session])
    except LANCE_ERRORS as exc:
        log.debug("dropping %s/%s after setting it aside: %s", session, table, exc)


# ----------------------------------------------------------------- the namespace catalog


@dataclass
class Folder:
    """A table's folder in the store, and whose table it is."""

    session: str
    table: str
    path: Path


def table_folders(root: Path) -> list[Folder]:
    """Every table folder in the store's folder (what the catalog should describe)."""
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.iterdir()):
        match = _FOLDER.fullmatch(path.name)
        if match and path.is_dir():
            found.append(Folder(match["session"], match["table"], path))
    return found


def catalog_problem(db: lancedb.DBConnection, root: Path) -> str | None:
    """Why the catalog needs rebuilding ("missing", or the error reading it), or None."""
    if not (root / CATALOG).exists():
        return "was missing" if table_folders(root) else None
    try:
        db.list_namespaces()
    except LANCE_ERRORS as exc:
        if not is_storage_fault(exc):
            raise
        return f"could not be read ({describe(exc)})"
    return None


def open_healed(
    connect: Callable[[], lancedb.DBConnection],
    root: Path | None,
    quarantine_dir: Path,
    build_indexes: Callable[[Table], None],
) -> lancedb.DBConnection:
    """A connection to the store, its catalog rebuilt first when it is missing or damaged."""
    db = connect()
    if root is None or catalog_problem(db, root) is None:
        return db
    with _repair_lock(root):
        db = connect()  # another process may have repaired it while we waited
        problem = catalog_problem(db, root)
        if problem is None:
            return db
        moved = ""
        if (root / CATALOG).exists():
            moved = f"; moved it to {quarantine(root / CATALOG, quarantine_dir, 'catalog')}"
            db = connect()
        adopted, damaged = rebuild_catalog(db, root, quarantine_dir, build_indexes)
    sessions = sorted({f.session for f in adopted})
    log.warning(
        "the session catalog of %s %s%s; rebuilt it from %d table folders (sessions: %s)%s",
        root,
        problem,
        moved,
        len(adopted),
        ", ".join(sessions) or "none",
        "".join(f"; {d.table}: unreadable ({d.problem}), moved to {d.moved_to}" for d in damaged),
    )
    return db


def rebuild_catalog(
    db: lancedb.DBConnection, root: Path, quarantine_dir: Path, build_indexes: Callable[[Table], None]
) -> tuple[list[Folder], list[Damaged]]:
    """Copy every table folder into a table of the (new) catalog, then delete the old folder; a
    folder that cannot be read goes to the quarantine. Returns the adopted and the damaged."""
    adopted: list[Folder] = []
    damaged: list[Damaged] = []
    for folder in table_folders(root):
        try:
            _adopt(db, folder, build_indexes)
        except LANCE_ERRORS as exc:
            if not is_storage_fault(exc):
                raise
            forget_table(db, folder.session, folder.table)
            moved = quarantine(folder.path, quarantine_dir, f"{folder.session}-{folder.table}")
            damaged.append(Damaged(f"{folder.session}/{folder.table}", describe(exc), moved))
            continue
        shutil.rmtree(folder.path)
        adopted.append(folder)
    return adopted, damaged


def _adopt(db: lancedb.DBConnection, folder: Folder, build_indexes: Callable[[Table], None]) -> None:
    old = LanceTable.open(db, folder.table, location=str(folder.path))
    read_through(old)  # a damaged folder fails here, before anything is written
    if folder.session not in db.list_namespaces().namespaces:
        db.create_namespace([folder.session])
    new = db.create_table(folder.table, schema=old.schema, namespace_path=[folder.session], exist_ok=True)
    names = old.schema.names
    for batch in old.search().select(names).limit(None).to_batches(READ_BATCH):
        rows = pa.Table.from_batches([batch.select(names)])
        if "id" in names:  # two folders of one table (an old create race): each row once
            new.merge_insert("id").when_not_matched_insert_all().execute(rows)
        else:
            new.add(rows)
    if new.count_rows():
        build_indexes(new)


def _repair_lock(root: Path) -> AbstractContextManager[None]:
    """One repairing process at a time."""
    return _file_lock(_locks_dir(root) / "repair.lock")


def writers_lock(root: Path | None, session: str, table: str) -> AbstractContextManager[None]:
    """One writing process at a time per table of a local store (nothing for an object store).

    Without it, four processes ingesting the same records into one table stored some of them twice
    (LanceDB 0.40: a `merge_insert` whose commit met another writer's index or compaction commit
    skipped the key check). Tables share `WRITER_LOCKS` lock files by hash, so the files stay few."""
    if root is None:
        return nullcontext()
    bucket = int(hashlib.sha256(f"{session}${table}".encode()).hexdigest(), 16) % WRITER_LOCKS
    return _file_lock(_locks_dir(root) / f"writers-{bucket}.lock")


def _locks_dir(root: Path) -> Path:
    """Lock files live beside the store's folder (`<data dir>/lancedb.locks`), not inside it."""
    folder = root.with_name(root.name + ".locks")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

"""Where run traces live: one JSON file per run under `<data dir>/runs/`, found through a SQLite index.

The index (`runs.db`) holds each run's summary (id, start, kind, question, session, duration,
status) so `sre-agent runs list` and the Slack `trace` word never parse trace files to find one;
SQLite also keeps concurrent writers (the bot's workers, a replay beside it) safe. Traces are
kept `SRE_AGENT_TRACE_KEEP_DAYS` (7) days; `prune` removes older ones, `clear` all of them.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from sre_agent.errors import InputError
from sre_agent.storage import describe, quarantine
from sre_agent.trace.model import RunSummary, RunTrace

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    question TEXT NOT NULL,
    session TEXT NOT NULL,
    service TEXT,
    seconds REAL,
    status TEXT NOT NULL,
    mode TEXT
);
CREATE INDEX IF NOT EXISTS runs_session ON runs (session, started_at);
"""
_COLUMNS = list(RunSummary.model_fields)
log = logging.getLogger(__name__)
#: How often (seconds) a process that writes traces also removes expired ones.
PRUNE_EVERY = 3600.0


class TraceStore:
    """Reads and writes run traces in one folder."""

    def __init__(self, folder: Path, *, keep_days: float = 7.0) -> None:
        self.folder = folder
        self.keep_days = keep_days
        self._lock = threading.Lock()
        self._last_prune = 0.0

    # ------------------------------------------------------------------------------------ writing

    def write(self, trace: RunTrace) -> Path:
        """Store `trace` (replacing an earlier version of the same run) and index it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path(trace.id)
        tmp = path.with_suffix(f".{threading.get_ident()}.tmp")
        tmp.write_text(trace.model_dump_json(), encoding="utf-8")
        tmp.replace(path)
        with self._connect() as db:
            _index(db, trace.summary())
        if time.monotonic() - self._last_prune > PRUNE_EVERY:
            self._last_prune = time.monotonic()
            self.prune()
        return path

    def prune(self, now: datetime | None = None) -> int:
        """Remove traces that started more than `keep_days` ago. Returns how many went."""
        if not self.folder.is_dir():
            return 0
        cutoff = (now or datetime.now(UTC)) - timedelta(days=self.keep_days)
        stamp = cutoff.astimezone(UTC).isoformat().replace("+00:00", "Z")  # as the index stores them
        with self._connect() as db:
            old = [r[0] for r in db.execute("SELECT id FROM runs WHERE started_at < ?", [stamp])]
            db.executemany("DELETE FROM runs WHERE id = ?", [[i] for i in old])
        for run_id in old:
            self.path(run_id).unlink(missing_ok=True)
        return len(old)

    def clear(self) -> int:
        """Remove every trace (the midnight purge, when SRE_AGENT_TRACE_PURGE is set)."""
        if not self.folder.is_dir():
            return 0
        with self._connect() as db:
            count = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
            db.execute("DELETE FROM runs")
        for path in self.folder.glob("*.json"):
            path.unlink(missing_ok=True)
        return int(count)

    # ------------------------------------------------------------------------------------ reading

    def path(self, run_id: str) -> Path:
        return self.folder / f"{run_id}.json"

    def list(self, *, limit: int = 20, session: str | None = None) -> list[RunSummary]:
        """The newest runs first (of one session, if given)."""
        if not (self.folder / "runs.db").is_file():
            return []
        query = f"SELECT {', '.join(_COLUMNS)} FROM runs"
        params: list[object] = []
        if session is not None:
            query += " WHERE session = ?"
            params.append(session)
        query += " ORDER BY started_at DESC, id DESC LIMIT ?"
        params.append(limit)
        with self._connect() as db:
            rows = db.execute(query, params).fetchall()
        return [RunSummary(**dict(zip(_COLUMNS, row, strict=True))) for row in rows]

    def resolve(self, run_id: str) -> str:
        """The full id of `run_id`: itself, `last`, or a unique prefix; InputError otherwise."""
        if run_id == "last":
            latest = self.list(limit=1)
            if not latest:
                raise InputError(f"RUN_ID: no runs are recorded in {self.folder}/ yet")
            return latest[0].id
        if self.path(run_id).is_file():
            return run_id
        matches = []
        if (self.folder / "runs.db").is_file():
            with self._connect() as db:
                pattern = run_id.replace("%", "").replace("_", "") + "%"
                matches = [r[0] for r in db.execute("SELECT id FROM runs WHERE id LIKE ? LIMIT 3", [pattern])]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise InputError(
                f"RUN_ID: '{run_id}' matches several runs ({', '.join(matches)}, …); give more of it"
            )
        raise InputError(
            f"RUN_ID: no run '{run_id}' in {self.folder}/ (traces are kept {self.keep_days:g} days; "
            "`sre-agent runs list` shows what there is)"
        )

    def get(self, run_id: str) -> RunTrace:
        """The trace of `run_id` (full id, unique prefix or `last`)."""
        full = self.resolve(run_id)
        path = self.path(full)
        try:
            return RunTrace.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise InputError(f"RUN_ID: the trace file of '{full}' is gone ({path})") from None
        except (json.JSONDecodeError, ValidationError) as exc:
            raise InputError(f"{path}: not a readable trace ({str(exc).splitlines()[0]})") from None

    def latest(self, session: str) -> RunTrace | None:
        """The last run of a session (a Slack thread), or None."""
        found = self.list(limit=1, session=session)
        return self.get(found[0].id) if found else None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One connection per use, committed and closed: the bot's worker threads share the store."""
        self.folder.mkdir(parents=True, exist_ok=True)
        db = self._open()
        try:
            with db:
                yield db
        finally:
            db.close()

    def _open(self) -> sqlite3.Connection:
        """A connection to the index; a damaged index (not a locked or busy one) is moved into the
        quarantine, said in one warning, and rebuilt from the trace files beside it."""
        path = self.folder / "runs.db"
        db = sqlite3.connect(path, timeout=30)
        try:
            db.executescript(_SCHEMA)
            return db
        except sqlite3.OperationalError:  # locked, busy, a disk error: not damage
            db.close()
            raise
        except sqlite3.DatabaseError as exc:
            db.close()
            with self._lock:
                moved = (
                    quarantine(path, self.folder.parent / "quarantine", "runs.db") if path.exists() else None
                )
                db = sqlite3.connect(path, timeout=30)
                db.executescript(_SCHEMA)
                count = self._reindex(db)
            log.warning(
                "the run index %s was damaged (%s): moved to %s and rebuilt from %d trace files",
                path,
                describe(exc),
                moved,
                count,
            )
            return db

    def _reindex(self, db: sqlite3.Connection) -> int:
        """Index every readable trace file of the folder again; how many went in."""
        count = 0
        with db:
            for trace_file in sorted(self.folder.glob("*.json")):
                try:
                    summary = RunTrace.model_validate_json(trace_file.read_bytes()).summary()
                except (OSError, ValidationError):
                    continue  # half written or not a trace: `runs show` says so when asked for it
                _index(db, summary)
                count += 1
        return count


def _index(db: sqlite3.Connection, summary: RunSummary) -> None:
    row = summary.model_dump(mode="json")
    columns, marks = ", ".join(_COLUMNS), ", ".join("?" * len(_COLUMNS))
    db.execute(f"INSERT OR REPLACE INTO runs ({columns}) VALUES ({marks})", [row[c] for c in _COLUMNS])

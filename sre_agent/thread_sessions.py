"""Which session a Slack thread is: the thread → session map, kept in SQLite in the data dir so a
restart keeps threads alive. Below the engine (it is storage, like the chat memories), so the
engine's purge forgets the threads too; the bot opens and evicts them.

A thread (channel + thread_ts) is one session. At most `max_live` sessions are live; opening one
more evicts the least recently used, whose logs the caller drops. A thread that comes back after
its eviction, or after the nightly purge, starts a fresh session and is told why.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sre_agent.settings import Settings
from sre_agent.storage import describe, quarantine

_SCHEMA = """
CREATE TABLE IF NOT EXISTS threads (
    channel TEXT NOT NULL,
    thread_ts TEXT NOT NULL,
    session TEXT,
    user TEXT,
    created REAL NOT NULL,
    last_used REAL NOT NULL,
    evicted REAL,
    PRIMARY KEY (channel, thread_ts)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS purged (
    channel TEXT NOT NULL,
    thread_ts TEXT NOT NULL,
    purged_at REAL NOT NULL,
    PRIMARY KEY (channel, thread_ts)
);
"""
log = logging.getLogger(__name__)
#: How long a purged thread is remembered, to tell it why it starts afresh when it comes back.
PURGED_MEMORY = 30 * 24 * 3600


@dataclass(frozen=True)
class Opened:
    """What `ThreadSessions.open` found or made for a thread."""

    session: str
    new: bool  # no live session before this message
    was_evicted: bool = False  # this thread had a session, dropped to stay within the cap
    was_purged: bool = False  # this thread had a session when the last purge ran, and none since
    evicted: list[str] = field(default_factory=list)  # sessions evicted now to make room


def session_id(channel: str, thread_ts: str, generation: int = 0) -> str:
    """A readable session id: `slack-<channel>-<thread ts>`, `-2`, `-3`… for later generations."""
    base = f"slack-{re.sub(r'[^A-Za-z0-9]', '', channel)}-{re.sub(r'[^0-9.]', '', thread_ts)}"
    return base if generation == 0 else f"{base}-{generation + 1}"


class ThreadSessions:
    """The persistent thread → session map with a cap on live sessions (LRU eviction)."""

    def __init__(self, path: Path, *, max_live: int = 100, quarantine_dir: Path | None = None) -> None:
        """`quarantine_dir` receives a damaged map (default: `quarantine` beside it)."""
        self.path = path
        self.max_live = max_live
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._connect() as db:
                db.executescript(_SCHEMA)
        except sqlite3.OperationalError:  # locked, busy, a disk error: not damage
            raise
        except sqlite3.DatabaseError as exc:
            # Damaged: set aside, and start an empty map. A thread's first session id is made from
            # the thread itself, so a thread that asks again finds the logs it stored.
            moved = quarantine(path, quarantine_dir or path.parent / "quarantine", path.name)
            log.warning(
                "the thread map %s was damaged (%s): moved to %s; starting an empty one",
                path,
                describe(exc),
                moved,
            )
            with self._connect() as db:
                db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def get(self, channel: str, thread_ts: str) -> str | None:
        """The live session of a thread, or None."""
        with self._lock, self._connect() as db:
            row = db.execute(
                "SELECT session FROM threads WHERE channel=? AND thread_ts=? AND evicted IS NULL",
                (channel, thread_ts),
            ).fetchone()
        return row[0] if row else None

    def open(self, channel: str, thread_ts: str, user: str | None = None) -> Opened:
        """The thread's session, made when it has none; marks it most recently used by `user`."""
        with self._lock, self._connect() as db:
            now = time.time()  # under the lock: last_used must follow the order of opens (LRU)
            row = db.execute(
                "SELECT session, evicted FROM threads WHERE channel=? AND thread_ts=?", (channel, thread_ts)
            ).fetchone()
            if row and row[1] is None:
                db.execute(
                    "UPDATE threads SET last_used=?, user=COALESCE(?, user) WHERE channel=? AND thread_ts=?",
                    (now, user, channel, thread_ts),
                )
                return Opened(session=row[0], new=False)
            was_evicted = row is not None
            generation = self._generation(db, channel, thread_ts) if was_evicted else 0
            session = session_id(channel, thread_ts, generation)
            db.execute(
                "INSERT OR REPLACE INTO threads (channel, thread_ts, session, user, created, last_used, "
                "evicted) VALUES (?, ?, ?, ?, ?, ?, NULL)",
                (channel, thread_ts, session, user, now, now),
            )
            evicted = self._evict_beyond_cap(db)
            was_purged = (
                db.execute(
                    "DELETE FROM purged WHERE channel=? AND thread_ts=?", (channel, thread_ts)
                ).rowcount
                > 0
            )
        return Opened(session, new=True, was_evicted=was_evicted, was_purged=was_purged, evicted=evicted)

    def latest(self, channel: str, user: str) -> str | None:
        """The thread_ts of the live thread `user` used last in `channel` (for `/sre reset`)."""
        with self._lock, self._connect() as db:
            row = db.execute(
                "SELECT thread_ts FROM threads WHERE channel=? AND user=? AND evicted IS NULL "
                "ORDER BY last_used DESC LIMIT 1",
                (channel, user),
            ).fetchone()
        return row[0] if row else None

    def forget(self, channel: str, thread_ts: str) -> str | None:
        """Remove a thread from the map (`reset`); returns the session it had."""
        with self._lock, self._connect() as db:
            row = db.execute(
                "SELECT session FROM threads WHERE channel=? AND thread_ts=? AND evicted IS NULL",
                (channel, thread_ts),
            ).fetchone()
            db.execute("DELETE FROM threads WHERE channel=? AND thread_ts=?", (channel, thread_ts))
        return row[0] if row else None

    def live(self) -> list[tuple[str, str, str]]:
        """(channel, thread_ts, session) of every live thread, most recently used first."""
        with self._lock, self._connect() as db:
            rows = db.execute(
                "SELECT channel, thread_ts, session FROM threads WHERE evicted IS NULL "
                "ORDER BY last_used DESC"
            ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def clear(self) -> int:
        """Forget every thread (the nightly purge), noting which were live so that they are told
        when they come back; returns how many were live."""
        with self._lock, self._connect() as db:
            live = db.execute("SELECT COUNT(*) FROM threads WHERE evicted IS NULL").fetchone()[0]
            now = time.time()
            db.execute("DELETE FROM purged WHERE purged_at < ?", (now - PURGED_MEMORY,))
            db.execute(
                "INSERT OR REPLACE INTO purged (channel, thread_ts, purged_at) "
                "SELECT channel, thread_ts, ? FROM threads WHERE evicted IS NULL",
                (now,),
            )
            db.execute("DELETE FROM threads")
        return int(live)

    # ------------------------------------------------------------------ internals

    def _generation(self, db: sqlite3.Connection, channel: str, thread_ts: str) -> int:
        key = f"generation:{channel}:{thread_ts}"
        row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        generation = int(row[0]) + 1 if row else 1
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(generation)))
        return generation

    def _evict_beyond_cap(self, db: sqlite3.Connection) -> list[str]:
        rows = db.execute(
            "SELECT channel, thread_ts, session FROM threads WHERE evicted IS NULL "
            "ORDER BY last_used DESC LIMIT -1 OFFSET ?",
            (self.max_live,),
        ).fetchall()
        now = time.time()
        for channel, thread_ts, _ in rows:
            db.execute(
                "UPDATE threads SET evicted=?, session=NULL WHERE channel=? AND thread_ts=?",
                (now, channel, thread_ts),
            )
        return [r[2] for r in rows]


def threads_path(settings: Settings) -> Path:
    """Where the thread → session map lives: <data dir>/slack/threads.db."""
    return settings.data_dir / "slack" / "threads.db"

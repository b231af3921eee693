"""Chat history per session, in SQLite in the data dir, through LlamaIndex `Memory`.

Each turn opens its own async engine on `<data dir>/memory.db` and disposes of it afterwards,
so a history survives restarts of the process (and the CLI's one event loop per command).
We never rely on a reused agent `Context` to carry memory: with the default serializer it
silently drops the memory key. Every message is redacted before it is written
(`memory_store.RedactingChatStore`), with the service's redactor when the caller gives one.

A `memory.db` SQLite cannot read (garbage, a truncated file) is moved into the quarantine folder and
the turn fails with one `StorageError` line saying where it went; the next turn starts a new one.
Other SQLite or disk faults (locked, unwritable) are one line too, and move nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sre_agent.redact import Redactor

from sre_agent.errors import StorageError
from sre_agent.storage import describe, quarantine

TABLE = "sre_agent_memory"
#: SQLite's words for a file it cannot read as a database: such a file is moved aside.
_DAMAGED = ("not a database", "malformed", "file is encrypted", "disk image")


class ChatMemories:
    """Opens the `Memory` of one session; clears one or all."""

    def __init__(self, data_dir: Path, *, token_limit: int = 12_000) -> None:
        self.path = data_dir / "memory.db"
        self.quarantine_dir = data_dir / "quarantine"
        self.token_limit = token_limit

    @asynccontextmanager
    async def open(self, session: str, redactor: Redactor | None = None) -> AsyncIterator[Any]:
        """The session's `Memory`, usable inside the `async with` block; what it writes is redacted
        with `redactor` (default: the built-in rules)."""
        from llama_index.core.memory import Memory
        from sqlalchemy.exc import SQLAlchemyError
        from sqlalchemy.ext.asyncio import create_async_engine

        from sre_agent.memory_store import RedactingChatStore

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._fault(session, exc) from exc
        engine = create_async_engine(f"sqlite+aiosqlite:///{self.path}", connect_args={"timeout": 30})
        try:
            try:
                store = RedactingChatStore(TABLE, async_engine=engine, redactor=redactor)
                memory = Memory.from_defaults(
                    session_id=session, token_limit=self.token_limit, chat_store=store
                )
                await _ensure_table(memory, session)
            except (SQLAlchemyError, OSError) as exc:
                raise self._fault(session, exc) from exc
            try:
                yield memory
            except SQLAlchemyError as exc:  # only the database's own errors: the body's others pass
                raise self._fault(session, exc) from exc
        finally:
            await engine.dispose()

    def _fault(self, session: str, exc: Exception) -> StorageError:
        """One line for a chat-memory fault; a file SQLite cannot read is moved aside first."""
        problem = describe(exc)
        if any(word in problem.lower() for word in _DAMAGED) and self.path.is_file():
            moved = quarantine(self.path, self.quarantine_dir, "memory.db")
            return StorageError(
                f"chat memory {self.path} is damaged ({problem}); moved it to {moved}, where the earlier "
                f"history of every thread stays; ask again and session {session!r} starts a new history"
            )
        return StorageError(
            f"chat memory {self.path} (session {session!r}) failed: {problem}; check the data dir's "
            "disk (free space, permissions) and try again"
        )

    async def history(self, session: str) -> list[Any]:
        """Every stored message of the session (ChatMessage), oldest first."""
        async with self.open(session) as memory:
            return await memory.aget_all()

    async def clear(self, session: str) -> None:
        async with self.open(session) as memory:
            await memory.areset()

    async def clear_all(self) -> int:
        """Forget every session's history; returns how many sessions had one."""
        if not self.path.is_file():
            return 0
        async with self.open("purge") as memory:
            keys = await memory.sql_store.get_keys()
            for key in keys:
                await memory.sql_store.delete_messages(key)
        return len(keys)


async def _ensure_table(memory: Any, session: str) -> None:
    """Create the history table before use. Two sessions opening a new database at once race on
    LlamaIndex's CREATE TABLE; the loser finds the table there and simply goes on."""
    from sqlalchemy.exc import OperationalError

    try:
        await memory.sql_store.count_messages(session)
    except OperationalError as exc:
        if "already exists" not in str(exc):
            raise
        await memory.sql_store.count_messages(session)

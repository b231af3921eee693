"""What a thread remembers between its questions, besides its logs and its chat: the ids earlier
turns named (user, request, method), the day its last window was on, the clock its logs were
written in and which sources filled which tables. One small JSON file per session under
`<data dir>/threads/`, written whole through a temporary file so a reader never sees half of one.
"""

from __future__ import annotations

import json
from pathlib import Path

from sre_agent.indexes import check_session

#: In a thread's memory: the clock its logs were written in (minutes east of UTC).
CLOCK_KEY = "_utc_offset"


class ThreadMemory:
    """The memory files of every thread in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, session: str) -> Path:
        return self.folder / f"{check_session(session)}.json"

    def read(self, session: str) -> dict[str, str]:
        """Everything the thread remembers; {} for a new thread or an unreadable file."""
        path = self.path(session)
        if not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def context(self, session: str) -> dict[str, str]:
        """What a question of this thread may lean on: the keys not kept for ourselves (`_…`)."""
        return {k: v for k, v in self.read(session).items() if not k.startswith("_")}

    def log_clock(self, session: str) -> int | None:
        """The UTC offset (minutes) this thread's fetched logs were written in; None if unknown."""
        value = self.read(session).get(CLOCK_KEY)
        return int(value) if value is not None and value.lstrip("-").isdigit() else None

    def remember(self, session: str, values: dict[str, str], utc_offset: int | None = None) -> None:
        """Add `values` (and the logs' clock, when it changed) to what the thread remembers."""
        if utc_offset is not None and utc_offset != self.log_clock(session):
            values = {**values, CLOCK_KEY: str(utc_offset)}
        if not values:
            return
        self._write(session, {**self.read(session), **values})

    def forget(self, session: str, key: str) -> None:
        memory = self.read(session)
        if memory.pop(key, None) is not None:
            self._write(session, memory)

    def _write(self, session: str, memory: dict[str, str]) -> None:
        """The whole file, through a temporary one: a reader never sees half of it."""
        path = self.path(session)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(memory, sort_keys=True), encoding="utf-8")
        tmp.replace(path)

    def drop(self, session: str) -> None:
        self.path(session).unlink(missing_ok=True)

    def drop_all(self) -> None:
        if self.folder.is_dir():
            for path in self.folder.glob("*.json"):
                path.unlink(missing_ok=True)

"""What the thread stored, read back whole for the tools that analyse it (patterns, suspects) and
for the offline triage's window: at most `PATTERN_SCAN_LIMIT` lines, the newest, and never
silently fewer (`StoredLines.note`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from sre_agent.indexes import SearchFilters
from sre_agent.indexes.records import StoredRecord
from sre_agent.models import TimeWindow
from sre_agent.tools.base import ToolContext, ToolError

PATTERN_SCAN_LIMIT = 20_000


class StoredLines(BaseModel):
    """The thread's stored lines of a window, and whether older lines of it were left unread."""

    rows: list[StoredRecord] = Field(default_factory=list, description="oldest first, each record once")
    older_unread: bool = Field(default=False, description="the window holds more lines, older than these")

    def note(self) -> str | None:
        """What a reader of a cut read must be told; None when every line of the window was read."""
        if not self.older_unread or not self.rows:
            return None
        return (
            f"only the newest {len(self.rows):,} stored lines of the window were read (from "
            f"{self.rows[0].timestamp:%Y-%m-%d %H:%M:%S} UTC on); older ones were not"
        )


def stored_rows(ctx: ToolContext, window: TimeWindow | None) -> StoredLines:
    """The thread's stored lines in `window` (all when None): at most `PATTERN_SCAN_LIMIT`, the
    newest (the trouble is usually recent), and whether older ones were left."""
    store = ctx.engine.store
    if ctx.session not in store.list_sessions():
        return StoredLines()
    filters = SearchFilters(start=window.start if window else None, end=window.end if window else None)
    rows = store.scan(ctx.session, filters=filters, limit=PATTERN_SCAN_LIMIT + 1, newest=True)
    older_unread = len(rows) > PATTERN_SCAN_LIMIT
    # A record fetched by two tools (GetMembership's logs, then all logs) is one line, counted once.
    unique: dict[str, StoredRecord] = {}
    for row in rows[1:] if older_unread else rows:
        unique.setdefault(row.id, row)
    return StoredLines(rows=list(unique.values()), older_unread=older_unread)


def require_stored(ctx: ToolContext) -> None:
    """A tool that reads only what the thread stored fails readably on a thread that stored nothing."""
    if ctx.session not in ctx.engine.store.list_sessions():
        raise ToolError("this thread has stored no logs yet: fetch some with search_logstore first")

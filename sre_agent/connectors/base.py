"""The logstore interface every connector implements, and the shared query matching."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from sre_agent.models import LEVELS, LogQuery, LogRecord


class FetchResult(BaseModel):
    """What one fetch returned, with honest counts of what it could not read."""

    records: list[LogRecord] = Field(default_factory=list)
    skipped: int = Field(default=0, description="malformed lines skipped")
    problems: list[str] = Field(
        default_factory=list, description="the first few skipped lines as file:line: reason"
    )
    truncated: bool = Field(default=False, description="more records matched than the query's limit")
    source: str = ""


class Logstore(Protocol):
    """A place logs can be fetched from. Implementations must be read-only."""

    name: str

    def fetch(self, query: LogQuery) -> FetchResult: ...


def _level_rank(level: str | None) -> int:
    return LEVELS.index(level) if level in LEVELS else LEVELS.index("INFO")


def record_matches(record: LogRecord, query: LogQuery) -> bool:
    """True when `record` satisfies every filter `query` sets (exact ids, min level, window, text)."""
    exact = (
        (query.method, record.method),
        (query.user_id, record.user_id),
        (query.request_id, record.request_id),
    )
    for wanted, have in exact:
        # A record that does not name its method/user/request cannot match a query for one.
        if wanted is not None and (have is None or wanted.lower() != have.lower()):
            return False
    # A record without a service or env is kept: single-service sources often omit them.
    for wanted, have in ((query.service, record.service), (query.environment, record.env)):
        if wanted is not None and have is not None and wanted.lower() != have.lower():
            return False
    if (
        query.level is not None
        and record.level is not None
        and _level_rank(record.level) < _level_rank(query.level)
    ):
        return False
    if query.window is not None and not query.window.contains(record.timestamp):
        return False
    if query.text and query.text.lower() not in record.message.lower():
        return False
    return True

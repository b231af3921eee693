"""The logstore interface every connector implements, and the shared query matching."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Protocol

from pydantic import BaseModel, Field

from sre_agent.connectors.names import method_matches, service_matches
from sre_agent.connectors.report import FetchCut, FetchReport
from sre_agent.models import LEVELS, LogQuery, LogRecord, same_env


class FetchResult(BaseModel):
    """What one fetch returned, with honest counts of what it could not read."""

    records: list[LogRecord] = Field(default_factory=list)
    skipped: int = Field(default=0, description="malformed lines skipped")
    problems: list[str] = Field(
        default_factory=list, description="the first few skipped lines as file:line: reason"
    )
    truncated: bool = Field(default=False, description="more records matched than the query's limit")
    cut: FetchCut | None = Field(
        default=None, description="what the limit left out (the newest records are kept), when it cut"
    )
    source: str = ""
    report: FetchReport = Field(
        default_factory=FetchReport,
        description="names the service filter matched, filters dropped to find anything, what the source had",
    )


#: Where a long fetch says how far it has read ("read 400,000 lines of big.jsonl (40%)"), set by
#: the caller for the fetch's thread; None: nobody is listening.
FETCH_PROGRESS: ContextVar[Callable[[str], None] | None] = ContextVar("fetch_progress", default=None)


class Logstore(Protocol):
    """A place logs can be fetched from. Implementations must be read-only."""

    name: str

    def fetch(self, query: LogQuery) -> FetchResult: ...


def _level_rank(level: str | None) -> int:
    return LEVELS.index(level) if level in LEVELS else LEVELS.index("INFO")


def record_matches(record: LogRecord, query: LogQuery) -> bool:
    """True when `record` satisfies every filter `query` sets: user and request ids exactly (case
    aside), the method also fully qualified, the service by `names.service_matches` (suffixes, pod
    names, the config's log names), env under any of its spellings (`prod` = `production`,
    `models.same_env`), min level, window, text."""
    exact = ((query.user_id, record.user_id), (query.request_id, record.request_id))
    for wanted, have in exact:
        # A record that does not name its user/request cannot match a query for one.
        if wanted is not None and (have is None or wanted.lower() != have.lower()):
            return False
    if query.method is not None and (
        record.method is None or not method_matches(record.method, query.method)
    ):
        return False
    # A record without a service or env is kept: single-service sources often omit them.
    if (
        query.service is not None
        and record.service is not None
        and not service_matches(record.service, query.service, query.service_names)
    ):
        return False
    if (
        query.environment is not None
        and record.env is not None
        and not same_env(query.environment, record.env)
    ):
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

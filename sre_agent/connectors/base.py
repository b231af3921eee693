"""The logstore interface every connector implements, and the shared query matching."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, Protocol

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

#: Told of each record a fetch keeps as it reads (it may still be left out by the limit), so a
#: later step can start on it while the fetch goes on; set by the caller, None: nobody is.
FETCH_SEEN: ContextVar[Callable[[LogRecord], None] | None] = ContextVar("fetch_seen", default=None)


class Logstore(Protocol):
    """A place logs can be fetched from. Implementations must be read-only."""

    name: str

    def fetch(self, query: LogQuery) -> FetchResult: ...


def _level_rank(level: str | None) -> int:
    return LEVELS.index(level) if level in LEVELS else LEVELS.index("INFO")


#: A request id this long or longer is also found where a line mentions it (see `names_request`);
#: a shorter one ("42") would find every line holding that number.
MENTIONED_ID_CHARS = 6


def names_request(record: LogRecord, request_id: str) -> bool:
    """Whether `record` is a line of request `request_id`: its request id field says so (case
    aside), or its message or one of its other fields holds the id as a whole token: an access
    log's `x-request-id` inside the line, a `trace_id` or `reqId` field our names do not map. Ids
    shorter than `MENTIONED_ID_CHARS` count in the request id field only."""
    wanted = request_id.strip().lower()
    if record.request_id is not None and record.request_id.lower() == wanted:
        return True
    if len(wanted) < MENTIONED_ID_CHARS:
        return False
    token = re.compile(rf"(?<![\w-]){re.escape(wanted)}(?![\w-])", re.IGNORECASE)
    if wanted in record.message.lower() and token.search(record.message):
        return True
    return any(isinstance(v, str | int) and token.search(str(v)) for v in _values(record.fields))


def _values(fields: dict[str, Any]) -> Iterator[Any]:
    """The scalar values of `fields`, nested objects' too."""
    for value in fields.values():
        if isinstance(value, dict):
            yield from _values(value)
        else:
            yield value


def record_matches(record: LogRecord, query: LogQuery) -> bool:
    """True when `record` satisfies every filter `query` sets: the user id exactly (case aside),
    the request id as `names_request` finds it, the method also fully qualified, the service by
    `names.service_matches` (suffixes, pod names, the config's log names), env under any of its
    spellings (`prod` = `production`, `models.same_env`), min level, window, text."""
    user = query.user_id
    if user is not None and (record.user_id is None or user.lower() != record.user_id.lower()):
        return False  # a record that does not name its user cannot match a query for one
    if query.request_id is not None and not names_request(record, query.request_id):
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

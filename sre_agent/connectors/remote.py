"""What the remote logstores share: the time window a query fetches, records from API objects or
text lines, a bounded-retry policy for idempotent reads, and secrets from the environment."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from sre_agent.connectors.base import FetchResult, record_matches
from sre_agent.connectors.json_record import record_from_object
from sre_agent.connectors.newest import keep_newest
from sre_agent.connectors.report import FetchCut
from sre_agent.errors import ConnectorError
from sre_agent.models import LogQuery, LogRecord, TimeWindow

#: Attempts of one idempotent read: the first and two retries, 0.2 s, 0.4 s… apart.
ATTEMPTS = 3
#: The window of a query that names none.
DEFAULT_WINDOW = timedelta(hours=1)


class Retryable(Exception):
    """A 5xx, a 429, a timeout or a connection problem: worth another attempt."""


def retrying() -> Retrying:
    return Retrying(
        stop=stop_after_attempt(ATTEMPTS),
        wait=wait_exponential(multiplier=0.2, max=2.0),
        retry=retry_if_exception(lambda e: isinstance(e, Retryable)),
        reraise=True,
    )


def window_of(query: LogQuery) -> TimeWindow:
    """What a remote store is asked for: the question's own window first (`focus`: a remote store
    cannot rank it above the rest), else the query's window, else the last `DEFAULT_WINDOW`."""
    if query.focus is not None:
        return query.focus
    if query.window is not None:
        return query.window
    now = datetime.now(UTC)
    return TimeWindow(start=now - DEFAULT_WINDOW, end=now)


def env_value(name: str | None, what: str) -> str | None:
    """The value of env var `name` (None when no name); ConnectorError naming it when unset."""
    if name is None:
        return None
    value = os.environ.get(name, "")
    if not value:
        raise ConnectorError(f"{what}: {name} is not set")
    return value


def dig(data: Any, path: str) -> Any:
    """`data["a"]["b"]` for path "a.b"; None where a step is missing."""
    for part in path.split(".") if path else []:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def to_record(
    raw: Any,
    *,
    source: str,
    ts: datetime | None = None,
    extra: dict[str, Any] | None = None,
    aliases: dict[str, list[str]] | None = None,
) -> LogRecord:
    """A record from an API object, or from a log line (JSON or text) with the timestamp the store
    gave; `aliases` are the config's names for our fields (see `json_record.record_from_object`)."""
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict):
            raw = parsed
        else:
            if ts is None:
                raise ValueError("a text line without a timestamp")
            return LogRecord(timestamp=ts, message=raw, source=source, fields=dict(extra or {}))
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    obj = {**(extra or {}), **raw}
    own = (aliases or {}).get("timestamp", [])
    if ts is not None and not any(k in obj for k in ("timestamp", "ts", "time", "@timestamp", *own)):
        obj["timestamp"] = ts.isoformat()
    return record_from_object(obj, source=source, aliases=aliases)


def keep_matching(
    result: FetchResult, records: list[LogRecord], query: LogQuery, *, newest_first: bool = True
) -> FetchResult:
    """What the store returned, filtered by the query's own matching (stores filter loosely), capped
    to the newest `query.limit`. `result.truncated` set beforehand means the store had more than it
    served (a page cap, its own limit): the cut then says so without a total; `newest_first=False`
    for a store that serves the oldest records first."""
    matching = [r for r in records if record_matches(r, query)]
    kept, cut = keep_newest(matching, query.limit, complete=not result.truncated)
    if cut is None and result.truncated:
        cut = FetchCut(
            limit=query.limit,
            read=len(kept),
            first=kept[0].timestamp if kept else None,
            last=kept[-1].timestamp if kept else None,
        )
    if cut is not None:
        cut.newest_first = newest_first
    result.records = kept
    result.cut = cut
    result.truncated = cut is not None
    return result


def get_json(
    client: httpx.Client,
    url: str,
    *,
    params: dict[str, str],
    headers: dict[str, str] | None = None,
    name: str,
    timeout: float,
    max_bytes: int,
) -> Any:
    """GET `url` and parse its JSON: retried on 5xx, 429, timeouts and connection errors (it is a
    read), the body read up to `max_bytes` (beyond: a ConnectorError, not a bigger download)."""
    try:
        for attempt in retrying():
            with attempt:
                status, body = _get_capped(client, url, params, headers or {}, timeout, max_bytes, name)
    except Retryable as exc:
        raise ConnectorError(f"{name}: {exc}, after {ATTEMPTS} attempts") from None
    if status in (401, 403):
        raise ConnectorError(f"{name}: HTTP {status}: not authorised")
    if status >= 400:
        raise ConnectorError(f"{name}: HTTP {status}: {body[:200].decode('utf-8', 'replace')}")
    try:
        return json.loads(body)
    except ValueError:
        raise ConnectorError(f"{name}: the answer is not JSON") from None


def _get_capped(
    client: httpx.Client,
    url: str,
    params: dict[str, str],
    headers: dict[str, str],
    timeout: float,
    max_bytes: int,
    name: str,
) -> tuple[int, bytes]:
    try:
        with client.stream("GET", url, params=params, headers=headers, timeout=timeout) as response:
            if response.status_code >= 500 or response.status_code == 429:
                raise Retryable(f"HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise ConnectorError(
                        f"{name}: the answer is over {max_bytes:,} bytes; ask for a narrower window"
                    )
            return response.status_code, bytes(body)
    except httpx.TimeoutException:
        raise Retryable(f"no answer within {timeout:g}s") from None
    except httpx.TransportError as exc:
        raise Retryable(f"could not connect ({type(exc).__name__})") from None

"""A logstore API over HTTP (like the seed's): GET with the query mapped to parameters, records at
a JSON path, cursor or page pagination up to `max_pages`; timeouts, bounded retries, auth from env.
Whichever order the API pages in, the newest matching records are the ones kept (`_newest_first`)."""

from __future__ import annotations

from typing import Any

import httpx

from sre_agent.configs import HttpLogstoreConfig
from sre_agent.connectors.base import FetchResult
from sre_agent.connectors.remote import dig, env_value, get_json, keep_matching, to_record, window_of
from sre_agent.errors import ConnectorError
from sre_agent.models import LogQuery, LogRecord


class HttpLogstore:
    def __init__(self, service: str, config: HttpLogstoreConfig) -> None:
        self.service = service
        self.config = config
        self.name = f"http logstore of {service}"

    def _params(self, query: LogQuery) -> dict[str, str]:
        window = window_of(query)
        ours: dict[str, Any] = {
            "method": query.method,
            "user_id": query.user_id,
            "request_id": query.request_id,
            "environment": query.environment,
            "level": query.level,
            "text": query.text,
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
            "limit": query.limit,
        }
        return {
            theirs: str(ours[field])
            for field, theirs in self.config.params.items()
            if ours.get(field) is not None
        }

    def fetch(self, query: LogQuery) -> FetchResult:
        cfg = self.config
        base = env_value(cfg.base_url_env, self.name) or ""
        headers = {"Accept": "application/json"}
        token = env_value(cfg.auth_env, self.name)
        if token is not None:
            headers[cfg.auth_header] = f"{cfg.auth_prefix}{token}"
        params = self._params(query)
        result = FetchResult(source=f"{self.name} ({cfg.path})")
        records: list[LogRecord] = []
        cursor: str | None = None
        with httpx.Client(base_url=base.rstrip("/"), timeout=cfg.timeout, headers=headers) as client:
            for page in range(1, cfg.max_pages + 1):
                page_params = dict(params)
                if cfg.pagination == "cursor" and cursor:
                    page_params[cfg.cursor_param] = cursor
                elif cfg.pagination == "page":
                    page_params[cfg.page_param] = str(page)
                data = get_json(
                    client,
                    cfg.path,
                    params=page_params,
                    name=self.name,
                    timeout=cfg.timeout,
                    max_bytes=cfg.max_bytes,
                )
                items = dig(data, cfg.records_path)
                if not isinstance(items, list):
                    raise ConnectorError(f"{self.name}: no list at {cfg.records_path!r} in the answer")
                for n, item in enumerate(items):
                    try:
                        records.append(
                            to_record(item, source=f"{cfg.path} page {page}", aliases=query.field_aliases)
                        )
                    except ValueError as exc:
                        result.skipped += 1
                        if len(result.problems) < 5:
                            result.problems.append(f"page {page} record {n + 1}: {exc}")
                if len(records) >= query.limit and _newest_first(records):
                    result.truncated = True  # as many as asked for: the store may hold more
                    break
                if not items or cfg.pagination == "none":
                    break
                if cfg.pagination == "cursor":
                    cursor = dig(data, cfg.cursor_field)
                    if not cursor:
                        break
            else:
                result.truncated = True  # stopped at max_pages
        # what was read is the newest the store holds unless it pages oldest first and max_pages hit
        newest = _newest_first(records) or not result.truncated
        return keep_matching(result, records, query, newest_first=newest)


def _newest_first(records: list[LogRecord]) -> bool:
    """Whether the API serves the newest records first (what was read goes back in time). An API
    serving the oldest first is read on past the limit, up to `max_pages`, so that the newest
    records it holds are the ones kept; when `max_pages` stops it before the store runs out, the
    cut says it read the oldest."""
    return len(records) < 2 or records[0].timestamp >= records[-1].timestamp

"""Grafana Loki: `GET /loki/api/v1/query_range` with LogQL built from the query: the stream
selector from the config's labels, case-insensitive line filters for method / user / request /
text; newest first
up to the limit. Lines that are JSON give their fields; others are messages with Loki's timestamp."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx

from sre_agent.configs import LokiLogstoreConfig
from sre_agent.connectors.base import FetchResult
from sre_agent.connectors.remote import env_value, get_json, keep_matching, to_record, window_of
from sre_agent.errors import ConnectorError
from sre_agent.models import LogQuery, LogRecord

#: Most lines one query_range returns (Loki's own default cap is 5000).
MAX_LINES = 5000


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def logql(config: LokiLogstoreConfig, query: LogQuery) -> str:
    """The LogQL for `query`: `{app="x", env="prod"} |~ "(?i)GetMembership" |~ "(?i)123"`.

    Line filters ignore case, as our own matching of ids and text does (`record_matches`): Loki's
    `|=` is case-sensitive, so "disk quota" would miss `Disk quota exceeded` there and nowhere
    else. The value is escaped to match literally (RE2 reads an escaped punctuation mark as itself)."""
    env = query.environment or "prod"
    selector = ", ".join(
        f"{k}={_quote(v.replace('{environment}', env))}" for k, v in sorted(config.labels.items())
    )
    filters = [v for v in (query.method, query.user_id, query.request_id, query.text) if v]
    return "{" + selector + "}" + "".join(f" |~ {_quote('(?i)' + re.escape(f))}" for f in filters)


class LokiLogstore:
    def __init__(self, service: str, config: LokiLogstoreConfig) -> None:
        self.service = service
        self.config = config
        self.name = f"Loki logstore of {service}"

    def fetch(self, query: LogQuery) -> FetchResult:
        cfg = self.config
        base = (env_value(cfg.base_url_env, self.name) or "").rstrip("/")
        headers: dict[str, str] = {}
        token = env_value(cfg.auth_env, self.name)
        if token is not None:
            headers[cfg.auth_header] = f"{cfg.auth_prefix}{token}"
        tenant = env_value(cfg.tenant_env, self.name)
        if tenant is not None:
            headers["X-Scope-OrgID"] = tenant
        window = window_of(query)
        params = {
            "query": logql(cfg, query),
            "start": str(int(window.start.timestamp() * 1e9)),
            "end": str(int(window.end.timestamp() * 1e9)),
            "limit": str(min(query.limit, MAX_LINES)),
            "direction": "backward",
        }
        with httpx.Client() as client:
            data = get_json(
                client,
                f"{base}/loki/api/v1/query_range",
                params=params,
                headers=headers,
                name=self.name,
                timeout=cfg.timeout,
                max_bytes=cfg.max_bytes,
            )
        if data.get("status") != "success":
            raise ConnectorError(f"{self.name}: Loki answered status {data.get('status')!r}")
        result = FetchResult(source=f"{self.name} ({params['query']})")
        records: list[LogRecord] = []
        for stream in data.get("data", {}).get("result", []):
            labels = stream.get("stream", {})
            for ts_ns, line in stream.get("values", []):
                ts = datetime.fromtimestamp(int(ts_ns) / 1e9, tz=UTC)
                try:
                    extra = _label_fields(labels)
                    records.append(
                        to_record(line, source="loki", ts=ts, extra=extra, aliases=query.field_aliases)
                    )
                except ValueError as exc:
                    result.skipped += 1
                    if len(result.problems) < 5:
                        result.problems.append(f"loki line at {ts.isoformat()}: {exc}")
        records.sort(key=lambda r: r.timestamp)
        result.truncated = len(records) >= min(query.limit, MAX_LINES)
        return keep_matching(result, records, query)


def _label_fields(labels: dict[str, str]) -> dict[str, Any]:
    """Stream labels that name our fields (env, level, host…) become the record's, others extra fields."""
    renamed = {"environment": "env", "pod": "host", "instance": "host"}
    return {renamed.get(k, k): v for k, v in labels.items()}

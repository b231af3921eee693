"""AWS CloudWatch Logs: FilterLogEvents over the config's log groups for the query's window, with
a filter pattern from the query's ids, the newest part of the window first, paginated up to
`max_pages`. boto3 with timeouts and
botocore's standard retries; AWS errors become one line ("CloudWatch: AccessDeniedException on
log group /aws/x")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sre_agent.configs import CloudWatchLogstoreConfig
from sre_agent.connectors.aws import aws_client
from sre_agent.connectors.base import FetchResult, record_matches
from sre_agent.connectors.remote import keep_matching, to_record, window_of
from sre_agent.errors import ConnectorError
from sre_agent.models import LogQuery, LogRecord, TimeWindow

#: Parts a window is read in, newest first (FilterLogEvents itself serves the oldest first).
SLICES = 6


def filter_pattern(query: LogQuery) -> str:
    """Terms every event must contain: CloudWatch's plain-term pattern, each term quoted. The ids
    only: CloudWatch's terms are case-sensitive, and free text from a question ("disk quota") must
    also find `Disk quota exceeded`, so the text is matched here (`record_matches`), ignoring case."""
    terms = [v for v in (query.method, query.user_id, query.request_id) if v]
    return " ".join('"' + t.replace('"', "") + '"' for t in terms)


class CloudWatchLogstore:
    def __init__(self, service: str, config: CloudWatchLogstoreConfig) -> None:
        self.service = service
        self.config = config
        self.name = f"CloudWatch logstore of {service}"
        self._client: Any = None

    def client(self) -> Any:
        if self._client is None:
            cfg = self.config
            self._client = aws_client(
                "logs", region=cfg.region, endpoint_url_env=cfg.endpoint_url_env, read_timeout=10
            )
        return self._client

    def fetch(self, query: LogQuery) -> FetchResult:
        """The newest `query.limit` matching events of the window over the config's log groups.

        FilterLogEvents serves a window oldest first, so the window is read in `SLICES` parts, the
        newest part first, until the limit is reached; at most `max_pages` pages of events per log group."""
        window = window_of(query)
        env = query.environment or "prod"
        result = FetchResult(source=self.name)
        records: list[LogRecord] = []
        for group in (g.replace("{environment}", env) for g in self.config.log_groups):
            records += self._group(group, window, query, result)
        return keep_matching(result, records, query)

    def _group(self, group: str, window: TimeWindow, query: LogQuery, result: FetchResult) -> list[LogRecord]:
        from botocore.exceptions import BotoCoreError, ClientError

        out: list[LogRecord] = []
        matched = pages = 0  # records the query's own filter keeps: the store's pattern is looser
        parts = newest_first_slices(window, SLICES)
        pattern = filter_pattern(query)
        try:
            for n, (start_ms, end_ms) in enumerate(parts, 1):
                request: dict[str, Any] = {
                    "logGroupName": group,
                    "startTime": start_ms,
                    "endTime": end_ms,
                    "limit": 10_000,
                    **({"filterPattern": pattern} if pattern else {}),
                }
                while True:
                    if pages == self.config.max_pages:
                        result.truncated = True  # the group holds more than was read
                        return out
                    response = self.client().filter_log_events(**request)
                    pages += bool(response.get("events"))  # an empty part costs a call, not a page
                    for event in response.get("events", []):
                        record = self._record(event, group, query, result)
                        if record is not None:
                            out.append(record)
                            matched += record_matches(record, query)
                    if not response.get("nextToken"):
                        break
                    request["nextToken"] = response["nextToken"]
                if matched >= query.limit:
                    result.truncated = result.truncated or n < len(parts)  # older parts unread
                    return out
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "error")
            raise ConnectorError(f"CloudWatch: {code} on log group {group}") from None
        except BotoCoreError as exc:
            raise ConnectorError(f"CloudWatch: {type(exc).__name__} on log group {group}") from None
        return out

    @staticmethod
    def _record(event: dict[str, Any], group: str, query: LogQuery, result: FetchResult) -> LogRecord | None:
        ts = datetime.fromtimestamp(event["timestamp"] / 1000, tz=UTC)
        extra = {"log_stream": event.get("logStreamName")}
        try:
            return to_record(
                event.get("message", ""), source=group, ts=ts, extra=extra, aliases=query.field_aliases
            )
        except ValueError as exc:
            result.skipped += 1
            if len(result.problems) < 5:
                result.problems.append(f"{group}: {exc}")
            return None


def newest_first_slices(window: TimeWindow, parts: int) -> list[tuple[int, int]]:
    """`window` cut into `parts` equal spans as (start, end) epoch milliseconds, both inclusive as
    CloudWatch reads them, the newest span first; no millisecond is in two spans."""
    start = int(window.start.timestamp() * 1000)
    end = int(window.end.timestamp() * 1000)
    bounds = [start + (end - start) * i // parts for i in range(parts + 1)]
    spans = [(bounds[i], bounds[i + 1] - 1) for i in range(parts - 1)] + [(bounds[parts - 1], end)]
    return [(a, b) for a, b in reversed(spans) if a <= b]

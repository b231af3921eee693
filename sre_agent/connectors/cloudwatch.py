"""AWS CloudWatch Logs: FilterLogEvents over the config's log groups for the query's window, with
a filter pattern from the query's ids, paginated up to `max_pages`. boto3 with timeouts and
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
from sre_agent.models import LogQuery, LogRecord


def filter_pattern(query: LogQuery) -> str:
    """Terms every event must contain: CloudWatch's plain-term pattern, each term quoted."""
    terms = [v for v in (query.method, query.user_id, query.request_id, query.text) if v]
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
        from botocore.exceptions import BotoCoreError, ClientError

        window = window_of(query)
        env = query.environment or "prod"
        result = FetchResult(source=self.name)
        records: list[LogRecord] = []
        matched = 0  # records the query's own filter keeps: the store's pattern is looser
        for group in (g.replace("{environment}", env) for g in self.config.log_groups):
            request: dict[str, Any] = {
                "logGroupName": group,
                "startTime": int(window.start.timestamp() * 1000),
                "endTime": int(window.end.timestamp() * 1000),
                "limit": min(query.limit, 10_000),
            }
            pattern = filter_pattern(query)
            if pattern:
                request["filterPattern"] = pattern
            try:
                for page in range(self.config.max_pages):
                    response = self.client().filter_log_events(**request)
                    for event in response.get("events", []):
                        ts = datetime.fromtimestamp(event["timestamp"] / 1000, tz=UTC)
                        extra = {"log_stream": event.get("logStreamName")}
                        try:
                            message = event.get("message", "")
                            record = to_record(
                                message, source=group, ts=ts, extra=extra, aliases=query.field_aliases
                            )
                            records.append(record)
                            matched += record_matches(record, query)
                        except ValueError as exc:
                            result.skipped += 1
                            if len(result.problems) < 5:
                                result.problems.append(f"{group}: {exc}")
                    token = response.get("nextToken")
                    if not token:
                        break
                    if matched >= query.limit or page == self.config.max_pages - 1:
                        result.truncated = True  # the group holds more than was read
                        break
                    request["nextToken"] = token
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "error")
                raise ConnectorError(f"CloudWatch: {code} on log group {group}") from None
            except BotoCoreError as exc:
                raise ConnectorError(f"CloudWatch: {type(exc).__name__} on log group {group}") from None
        records.sort(key=lambda r: r.timestamp)
        # FilterLogEvents serves a window oldest first: a cut read is its oldest part.
        return keep_matching(result, records, query, newest_first=False)

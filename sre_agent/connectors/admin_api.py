"""A service's admin API, read-only: GET one endpoint the service config declares, with its
parameters checked against their types before any request, a timeout, bounded retries (tenacity,
GET is idempotent) on 5xx and connection errors, and a cap on the bytes read.

The base URL and the token come from environment variables the config names; neither is ever
logged or put in an error message.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from sre_agent.configs import AdminApi, AdminEndpoint, AdminParam
from sre_agent.errors import ConnectorError, InputError

#: Attempts of one call (the first and two retries), with 0.2 s, 0.4 s… between them.
ATTEMPTS = 3


@dataclass(frozen=True)
class AdminResponse:
    endpoint: str
    status: int
    data: Any  # the JSON, fields kept per the config
    truncated: bool  # the body was longer than max_bytes: cut there


class _Retryable(Exception):
    """A 5xx or a connection problem: worth another attempt."""


def check_params(endpoint: AdminEndpoint, given: dict[str, Any]) -> dict[str, str]:
    """The parameters as strings for the URL, or `InputError` naming the one that is wrong."""
    declared = {p.name: p for p in endpoint.params}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise InputError(
            f"endpoint {endpoint.name}: unknown parameter {unknown[0]!r} (parameters: {', '.join(declared)})"
        )
    out: dict[str, str] = {}
    for name, param in declared.items():
        if name not in given or given[name] is None:
            if name in endpoint.path_params():
                raise InputError(f"endpoint {endpoint.name}: parameter {name!r} is required")
            continue
        out[name] = _typed(endpoint.name, param, given[name])
    return out


def _typed(endpoint: str, param: AdminParam, value: Any) -> str:
    text = str(value).strip()
    if param.type == "integer":
        if isinstance(value, bool) or not re.fullmatch(r"-?\d{1,18}", text):
            raise InputError(
                f"endpoint {endpoint}: parameter {param.name!r} must be an integer (got {value!r})"
            )
    elif param.type == "boolean":
        if text.lower() not in ("true", "false"):
            raise InputError(
                f"endpoint {endpoint}: parameter {param.name!r} must be true or false (got {value!r})"
            )
        text = text.lower()
    elif param.pattern and not re.fullmatch(param.pattern, text):
        raise InputError(
            f"endpoint {endpoint}: parameter {param.name!r} does not match {param.pattern!r} (got {value!r})"
        )
    if len(text) > 200:
        raise InputError(f"endpoint {endpoint}: parameter {param.name!r} is longer than 200 characters")
    return text


def _keep(data: Any, fields: list[str]) -> Any:
    """Only the dotted `fields` of a JSON object (or of each object of a list)."""
    if not fields:
        return data
    if isinstance(data, list):
        return [_keep(item, fields) for item in data]
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for field in fields:
        value: Any = data
        for part in field.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            out[field] = value
    return out


class AdminApiClient:
    """Calls the declared endpoints of one service's admin API (see the module docstring)."""

    def __init__(self, service: str, api: AdminApi) -> None:
        self.service = service
        self.api = api

    def configured(self) -> bool:
        return bool(os.environ.get(self.api.base_url_env))

    def call(self, endpoint_name: str, params: dict[str, Any]) -> AdminResponse:
        endpoint = self.api.endpoint(endpoint_name)
        if endpoint is None:
            names = ", ".join(e.name for e in self.api.endpoints)
            raise InputError(
                f"{self.service} admin API has no endpoint {endpoint_name!r} (endpoints: {names})"
            )
        values = check_params(endpoint, params)
        base = os.environ.get(self.api.base_url_env, "").rstrip("/")
        if not base:
            raise ConnectorError(f"{self.service} admin API: {self.api.base_url_env} is not set")
        path = endpoint.path
        query = {}
        for name, value in values.items():
            if "{" + name + "}" in path:
                path = path.replace("{" + name + "}", quote(value, safe=""))
            else:
                query[name] = value
        headers = {"Accept": "application/json"}
        if self.api.auth_env:
            token = os.environ.get(self.api.auth_env, "")
            if not token:
                raise ConnectorError(f"{self.service} admin API: {self.api.auth_env} is not set")
            headers[self.api.auth_header] = f"{self.api.auth_prefix}{token}"
        where = f"{self.service} admin API: GET {endpoint.path}"
        try:
            for attempt in Retrying(
                stop=stop_after_attempt(ATTEMPTS),
                wait=wait_exponential(multiplier=0.2, max=2.0),
                retry=retry_if_exception(lambda e: isinstance(e, _Retryable)),
                reraise=True,
            ):
                with attempt:
                    status, body, truncated = self._get(base + path, query, headers, where)
        except _Retryable as exc:
            raise ConnectorError(f"{where} failed {ATTEMPTS} times: {exc}") from None
        if status >= 400:
            raise ConnectorError(f"{where} answered HTTP {status}")
        try:
            data = json.loads(body) if not truncated else body.decode("utf-8", "replace")
        except json.JSONDecodeError:
            data = body.decode("utf-8", "replace")
        return AdminResponse(endpoint.name, status, _keep(data, endpoint.keep), truncated)

    def _get(
        self, url: str, query: dict[str, str], headers: dict[str, str], where: str
    ) -> tuple[int, bytes, bool]:
        try:
            with (
                httpx.Client(timeout=self.api.timeout, follow_redirects=False) as client,
                client.stream("GET", url, params=query, headers=headers) as response,
            ):
                if response.status_code >= 500:
                    raise _Retryable(f"HTTP {response.status_code}")
                body = b""
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self.api.max_bytes:
                        return response.status_code, body[: self.api.max_bytes], True
                return response.status_code, body, False
        except httpx.TimeoutException:
            raise _Retryable(f"no answer within {self.api.timeout:.0f}s") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"could not connect ({type(exc).__name__})") from None

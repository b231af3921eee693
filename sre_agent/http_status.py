"""The HTTP status of an access-log line, and the level it implies when the source wrote none.

Web servers and load balancers log every request at one level ("info", or none at all): a 503 in
an nginx, Apache or HAProxy access log says nothing to a level filter, so "what went wrong?"
passed over the very lines behind a 5xx alert. As log pipelines do (Loki's detected level,
Datadog's status remapper), a line whose request ended in a 5xx status is read as an ERROR when
its source gave it no level or a routine one (TRACE, DEBUG, INFO). 4xx answers stay as they were:
they are the clients' mistakes (scanners' 404s, rate limits), and would bury the server's own.

The status is found in a record field with a well-known name (`status`, `status_code`,
`http.response.status_code`, ..., also inside `res`, `response` or `http` objects: pino-http's
`res.statusCode`) or in the message, in the two layouts access logs use:
`"GET /path HTTP/1.1" 503 217` (common/combined log format, nginx, Apache), HAProxy's
`Tq/Tw/Tc/Tr/Tt 503 217` (five timers, the status, the bytes read), AWS load balancers'
`0.000 6.012 0.000 502 - 345 551 "POST https://…"` (three timings, the balancer's status, the
target's) and a JSON access line kept as a message's text (API Gateway's `"status":"502"`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: Field names that hold a response's HTTP status, in the spellings shippers use.
STATUS_FIELDS = frozenset(
    {
        "status",
        "Status",
        "status_code",
        "statusCode",
        "StatusCode",
        "http_status",
        "httpStatus",
        "http_status_code",
        "http.status_code",
        "http.response.status_code",
        "response_code",
        "responseCode",
        "response_status",
        "sc-status",
    }
)
#: The levels a source gives every request alike; a 5xx line at one of these is read as an ERROR.
ROUTINE_LEVELS = frozenset({"TRACE", "DEBUG", "INFO"})

_REQUEST_THEN_STATUS = re.compile(r'HTTP/\d(?:\.\d)?"\s+([1-5]\d\d)\b')
_TIMER = r"[+-]?\d+"
_TIMERS_THEN_STATUS = re.compile(rf"(?:^|\s){_TIMER}(?:/{_TIMER}){{4}}\s+([1-5]\d\d)\s+\d+\s")
_SECONDS = r"-?\d+(?:\.\d+)?"
_TIMINGS_THEN_STATUS = re.compile(
    rf"(?:^|\s){_SECONDS}\s+{_SECONDS}\s+{_SECONDS}\s+([1-5]\d\d)\s+(?:[1-5]\d\d|-)\s+\d+\s+\d+\s+\""
)
_JSON_STATUS = re.compile(r'"(?:status|statusCode|status_code|httpStatus)"\s*:\s*"?([1-5]\d\d)\b')


def _status_value(value: Any) -> int | None:
    """`value` as an HTTP status (100–599), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and len(value) == 3 and value.isdigit():
        number = int(value)
    else:
        return None
    return number if 100 <= number <= 599 else None


#: Objects that hold a response's status nested (pino-http's `res.statusCode`, ECS's
#: `http.response.status_code`), and the names of the status inside them.
STATUS_PARENTS = frozenset({"res", "response", "http"})


def status_field(fields: Mapping[str, Any] | None) -> int | None:
    """The HTTP status held by a field with a well-known name (`STATUS_FIELDS`), at the top or
    inside a response object (`STATUS_PARENTS`, two levels down), if any."""
    if not fields:
        return None
    for key in STATUS_FIELDS.intersection(fields):
        if (status := _status_value(fields[key])) is not None:
            return status
    for key in STATUS_PARENTS.intersection(fields):
        inner = fields[key]
        if isinstance(inner, Mapping) and (status := status_field(inner)) is not None:
            return status
    return None


def http_status(message: str, fields: Mapping[str, Any] | None = None) -> int | None:
    """The HTTP status a request's log line reports: from a status field, else from the message
    written in an access-log layout; None when it reports none."""
    if (status := status_field(fields)) is not None:
        return status
    if "HTTP/" in message and (m := _REQUEST_THEN_STATUS.search(message)):
        return int(m.group(1))
    if "/" in message and (m := _TIMERS_THEN_STATUS.search(message)):
        return int(m.group(1))
    if '"' in message and (m := _TIMINGS_THEN_STATUS.search(message)):
        return int(m.group(1))
    if message.lstrip().startswith("{") and (m := _JSON_STATUS.search(message)):
        return int(m.group(1))
    return None

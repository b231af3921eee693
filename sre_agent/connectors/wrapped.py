"""Log lines inside log lines: what a cluster's shipper wraps an application's line in.

On Kubernetes the application writes a line to stdout, and the node's shipper (Docker's json-file
driver, Fluent Bit, Fluentd, Vector, Promtail) stores it as the text of a JSON record of its own,
with the pod's metadata beside it:

    {"log": "12:03:04.120 ERROR c.x.FooImpl#42 TraceID: 3f… message\\n", "stream": "stdout",
     "time": "2024-03-12T12:03:04.120Z", "kubernetes": {"pod_name": "cart-7d9f8-x2k4p", …}}

The application's own line holds what matters: its level, its logger, sometimes a full time.
`inner_line` reads those from a Java (logback, log4j, Spring Boot), Go or Python line; when the
text is itself a JSON object (a structured logger behind the shipper), `inner_object` returns it,
to be read as the record instead, the wrapper's fields beside it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sre_agent.models import LogRecord

#: A leading time: `2024-03-12 12:03:04,120`, `2024-03-12T12:03:04.120Z`, `2024/03/12 12:03:04`,
#: or the time of day alone (`12:03:04.120`), optionally in brackets.
_LEADING_TIME = re.compile(
    r"^\s*\[?(?P<date>\d{4}[-/]\d{2}[-/]\d{2}[T ])?(?P<time>\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?)"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?\]?\s*"
)
_LEVEL = re.compile(
    r"(?<![\w.])\[?(?P<level>TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL|SEVERE|PANIC)\]?(?![\w.])"
)
#: A level in any case right after the time (zap's console `info`, `warn`), or logfmt's `level=error`.
_LEVEL_FIRST = re.compile(
    r"^\[?(?P<level>trace|debug|info|warn|warning|error|fatal|critical|panic)\]?(?![\w.])", re.IGNORECASE
)
_LEVEL_LOGFMT = re.compile(r"\blevel=\"?(?P<level>[A-Za-z]+)")
#: A logger after the level: a dotted or slashed name, maybe with a line (`c.x.FooImpl#42`,
#: `com.shop.cart.CartService:88`, `internal/cart/handler.go:42`, `shop.views`), a thread or a pid
#: and `---` between (Spring Boot: `INFO 1 --- [nio-8080-exec-1] c.x.Foo : msg`).
_LOGGER = re.compile(
    r"^[\s:|-]*(?:\d+\s+)?(?:---\s+)?(?:\[[^\]]{0,80}\]\s+)?"
    r"(?P<logger>[A-Za-z_$][\w$-]*(?:[./][\w$-]+)+(?:[#:]\w+)?)(?=\s|:|$)"
)
#: How far into the line the level may be: after a time, a thread name, a pid.
LEVEL_REACH = 100
#: A level this near the head of the line (after its time) is what the line says of itself.
LEADING_REACH = 2


@dataclass(frozen=True)
class InnerLine:
    """What an application's own line says about itself."""

    message: str  # the line without its leading time
    level: str | None
    logger: str | None
    timestamp: datetime | None  # only when the line carries a full date and time
    clock: time | None = None  # the time of day of a line that gives no date
    leading: bool = False  # the level opens the line (after its time): the line's own, surely


def inner_line(text: str) -> InnerLine:
    """The level, logger and (full) time an application's line starts with, and the line without
    its leading time. A line with none of them comes back as it was, with nothing found."""
    timestamp = clock = None
    rest = text
    found = _LEADING_TIME.match(text)
    if found:
        rest = text[found.end() :]
        if found.group("date"):
            stamp = found.group("date").replace("/", "-") + found.group("time").replace(",", ".")
            stamp += (found.group("zone") or "").replace("Z", "+00:00")
            try:
                timestamp = datetime.fromisoformat(stamp)
            except ValueError:
                timestamp = None
        else:
            try:
                clock = time.fromisoformat(found.group("time").replace(",", ".")[:15])
            except ValueError:
                clock = None
    level = logger = None
    head = (_LEVEL_FIRST.match(rest) if found else None) or _LEVEL.search(rest[:LEVEL_REACH])
    if head is None and (logfmt := _LEVEL_LOGFMT.search(rest[:LEVEL_REACH])):
        level = logfmt.group("level").upper()
        return InnerLine(
            message=rest.rstrip("\r\n"), level=level, logger=None, timestamp=timestamp, clock=clock
        )
    leading = False
    if head:
        level = head.group("level").upper()
        leading = head.start() <= LEADING_REACH
        named = _LOGGER.match(rest[head.end() :])
        if named:
            logger = named.group("logger")
    return InnerLine(
        message=(rest if found else text).rstrip("\r\n"),
        level=level,
        logger=logger,
        timestamp=timestamp,
        clock=clock,
        leading=leading,
    )


def inner_object(text: str) -> dict[str, Any] | None:
    """The JSON object a message's text is, when it is one (a structured logger's line, wrapped)."""
    stripped = text.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


#: The head of a line that goes on the record above: a stack frame (`\tat com.x.Foo.bar(Foo.java:42)`,
#: Python's `  File "…", line 3` and its code four spaces in, Go's `\t/src/x.go:42 +0x1d`), a
#: `Caused by:`, `... 12 more`, Python's `Traceback (…):`, a native frame (Node/V8's ` 1: 0xc98e20
#: node::Abort() [node]`, glibc's backtrace) (one leading space is not enough by itself: HealthApp
#: writes ` getTodayTotal…` as a record of its own).
_CONTINUATION = re.compile(
    r"^(?:\t|\s+at [\w$.<>/]+\(| {4,}\S|\s+File \"|\s*\.\.\. \d+ (?:more|common frames omitted)"
    r"|Caused by: |Suppressed: |Traceback \(most recent call last\):|\s*\d{1,3}: 0x[0-9a-f]+\b)"
)
#: The exception a logged error carries (`org.x.DataAccessException: …`, Python's last line
#: `KeyError: 'sku'`): glued only when it says no level (a record `KafkaError: broker down` at
#: level ERROR is a report of its own).
_EXCEPTION = re.compile(r"^(?:[\w$]+\.)*[\w$]*(?:Exception|Error|Throwable)(?::|$)")
#: How long after the record above a continuation may come (a shipper stamps each line it reads).
CONTINUATION_SECONDS = 2.0


def continues(previous: LogRecord, record: LogRecord) -> str | None:
    """The text `record` adds to `previous` (its whole message) when it is a line of `previous`
    that a container's shipper (Docker's json-file, Fluent Bit, Google's agent) stored as a record
    of its own, else None: its text starts like a stack frame or a `Caused by:` (or is an
    exception's line and says no level), it comes from the same stream, container and host within
    `CONTINUATION_SECONDS`. (A frame's text may name a level, `Caused by: …PSQLException: ERROR:
    …`: that is the exception's, not the line's.)"""
    if not _CONTINUATION.match(record.message) and not (
        record.level is None and _EXCEPTION.match(record.message)
    ):
        return None
    if (record.service, record.host) != (previous.service, previous.host):
        return None
    if record.fields.get("stream") != previous.fields.get("stream"):
        return None
    if not 0 <= (record.timestamp - previous.timestamp).total_seconds() <= CONTINUATION_SECONDS:
        return None
    return record.message

"""Values of a JSON log record read as ours: field names compared without case or punctuation, epoch
and ISO times, and levels given as numbers (pino/bunyan 10-60, syslog 0-7, OpenTelemetry's
severityNumber 1-24). `json_record.py` uses them to find a record's fields whatever they are called.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

_EPOCH_DIGITS = re.compile(r"\d{9,19}(?:\.\d+)?")
_PINO = ((10, "TRACE"), (20, "DEBUG"), (30, "INFO"), (40, "WARN"), (50, "ERROR"))
_SYSLOG = ("FATAL", "FATAL", "FATAL", "ERROR", "WARN", "INFO", "INFO", "DEBUG")  # 0 emerg … 7 debug
_OTEL = ((4, "TRACE"), (8, "DEBUG"), (12, "INFO"), (16, "WARN"), (20, "ERROR"))


@lru_cache(maxsize=4096)  # a source repeats its few key names on every line
def field_name(name: str) -> str:
    """A field's name as names are compared: without case and punctuation. `@timestamp`,
    `Time_Stamp` and `timeStamp` are `timestamp`; `SYSLOG_IDENTIFIER` is `syslogidentifier`;
    `_PID` is `pid`."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def epoch_time(value: Any) -> datetime | None:
    """An epoch number (or string of digits) as UTC, its unit told by its size; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not _EPOCH_DIGITS.fullmatch(value.strip()):
            return None
        value = float(value)
    if not isinstance(value, int | float):
        return None
    number = float(value)
    for limit, scale in ((1e17, 1e9), (1e14, 1e6), (1e11, 1e3)):
        if number >= limit:
            number /= scale
            break
    return datetime.fromtimestamp(number, tz=UTC)


def iso_time(value: Any) -> Any:
    """An ISO 8601 string as a datetime (UTC when it says `Z`); anything else as it is, for the
    record model to read or reject. One C call: the model's own parser costs twice the time."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def numeric_level(value: Any, key: str) -> str | None:
    """A level given as a number: OpenTelemetry's severityNumber, syslog's 0-7, pino's 10-60."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not value.strip().isdigit():
            return None
        value = int(value.strip())
    if not isinstance(value, int | float):
        return None
    number = int(value)
    table = _OTEL if field_name(key).endswith("severitynumber") else None
    if table is None and 0 <= number <= 7:
        return _SYSLOG[number]
    for limit, name in table or _PINO:
        if number <= limit:
            return name
    return "FATAL"

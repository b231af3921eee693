"""Values of a JSON log record read as ours: field names compared without case or punctuation, epoch
and ISO times (and a time under an unusual name: `named_like_a_time`), levels given as numbers
(pino/bunyan 10-60, syslog 0-7, OpenTelemetry's severityNumber 1-24), and a record's message made
of its fields when it has none. `json_record.py` uses them to find a record's fields whatever they
are called.
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


def named_like_a_time(flat: dict[str, Any]) -> tuple[str | None, Any]:
    """The first field whose name ends like a time's (`requestReceivedTimestamp`, `stageTimestamp`,
    `event_time`) and whose value reads as one, for a record with none of the usual names."""
    for key, value in flat.items():
        named = field_name(key).endswith(("timestamp", "time")) and isinstance(value, str | int | float)
        if named and isinstance(epoch_time(value) or iso_time(value), datetime):
            return key, value
    return None, None


def usable(value: Any) -> bool:
    return value is not None and value != "" and not isinstance(value, dict | list)


#: Words in a field's name that say something went wrong: a record with no message field gets
#: `name=value …` of those fields first (CloudTrail: `errorCode=AccessDenied errorMessage=Access
#: Denied` before `eventVersion=1.08 awsRegion=…`), the rest in their order.
_TELLING = ("error", "exception", "fault")
#: Field names (as `field_name` gives them) whose value, when there is one, says the record is an
#: error, for a record with no level of its own (CloudTrail's `errorCode` is set only on failures).
_ERROR_FIELDS = frozenset({"error", "err", "errorcode", "errormessage", "errortype", "exception", "excinfo"})


def _telling(key: str) -> int:
    name = field_name(key)
    return next((rank for rank, word in enumerate(_TELLING) if word in name), len(_TELLING))


def message_from_fields(flat: dict[str, Any], skip: set[str]) -> str:
    """`name=value …` of a record's fields, for a record that has no message field: the fields
    whose names say something went wrong first (`_TELLING`), the rest in their order."""
    keys = sorted((k for k, v in flat.items() if k not in skip and usable(v)), key=_telling)
    return " ".join(f"{k}={flat[k]}" for k in keys)


def says_error(flat: dict[str, Any]) -> bool:
    """Whether a field named like an error (`_ERROR_FIELDS`) holds something."""
    return any(field_name(k) in _ERROR_FIELDS and v not in (None, "", {}, [], False) for k, v in flat.items())


def rendered(template: str, flat: dict[str, Any]) -> str:
    """A message template (Serilog's `@mt`) with its `{Name}` holes filled from the record."""

    def fill(m: re.Match[str]) -> str:
        value = flat.get(m.group(1))
        return m.group(0) if value is None else str(value)

    return re.sub(r"\{@?(\w+)(?::[^}]*)?\}", fill, template)

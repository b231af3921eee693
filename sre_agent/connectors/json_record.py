"""One JSON log object as a `LogRecord`, whatever its shipper called the fields.

Real logs arrive from zap, pino, logrus, Serilog, Elastic's ECS, OpenTelemetry, Google Cloud
Logging, Docker's json-file driver or someone's own RPC logger, each with its own names: `msg`,
`@m`, `body`, `textPayload`; `ts`, `@t`, `timeUnixNano`; `severity`, `log.level`, a pino number.
We find our fields in this order:

1. the names a service config gives (`fields`), exactly as written;
2. the usual names below, compared without case and punctuation (`@timestamp`, `Timestamp` and
   `time_stamp` are one name) and with nested objects read as dotted names (`{"log": {"level":
   "error"}}` is `log.level`, `{"service": {"name": "x"}}` is `service.name`);
3. for the level only: a level word at the start of the message (Docker's `log` lines).

Numbers are understood too: epoch seconds, milliseconds, microseconds or nanoseconds for the time
(told apart by their size), pino/bunyan levels (10 … 60), syslog severities (0 … 7) and
OpenTelemetry's `severityNumber` (1 … 24). A record without a message field gets one made of its
other fields (`event=rpc failed status=UNAVAILABLE`), so it stays searchable instead of being
dropped; a record without a time is still an error (ValueError), as nothing can place it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from sre_agent.connectors.json_values import (
    epoch_time,
    field_name,
    iso_time,
    message_from_fields,
    named_like_a_time,
    numeric_level,
    rendered,
    says_error,
    usable,
)
from sre_agent.connectors.klog import klog_level
from sre_agent.connectors.names import service_of_pod
from sre_agent.connectors.wrapped import inner_line, inner_object
from sre_agent.models import LEVELS, LogRecord, normalize_level

#: Our field -> a source's own names for it (a service config's `fields`), tried first.
Aliases = dict[str, list[str]] | None

#: Our fields, and the names shippers give them, best first (compared by `field_name`).
_NAMES: dict[str, tuple[str, ...]] = {
    "timestamp": (
        "timestamp",
        "time",
        "ts",
        "datetime",
        "date",
        "@t",
        "eventTime",
        "timeUnixNano",
        "observedTimeUnixNano",
        "__REALTIME_TIMESTAMP",
        "logtime",
        "logged_at",
        "created_at",
        "asctime",
        "when",
        "t",
        "t.$date",  # MongoDB's structured log (relaxed extended JSON): {"t": {"$date": "…"}}
        # Kubernetes events: `eventTime` is often null; the last time the event was seen, else the first
        "lastTimestamp",
        "firstTimestamp",
        "metadata.creationTimestamp",
    ),
    "message": (
        "message",
        "msg",
        "log",
        "text",
        "body",
        "body.stringValue",
        "textPayload",
        "jsonPayload.message",
        "@m",
        "@mt",
        "short_message",
        "full_message",
        "event",
        "log_message",
        "event_message",
        "description",
        "summary",
        "content",
    ),
    "level": (
        "level",
        "severity",
        "lvl",
        "log.level",
        "loglevel",
        "severityText",
        "@l",
        "levelname",
        "sev",
        "level_name",
        "priority",
        "severityNumber",
        "s",  # MongoDB's structured log: F, E, W, I, D1-D5 (`_WEAK_LEVEL_KEYS`)
        "type",  # Kubernetes events: `Warning` (a `Normal` one has no level) (`_WEAK_LEVEL_KEYS`)
        "at",  # Heroku's router and logfmt loggers: `at=error code=H12` (`_WEAK_LEVEL_KEYS`)
    ),
    "service": (
        "service",
        "service.name",
        "service_name",
        "resource.service.name",
        "app",
        "application",
        "app_name",
        "svc",
        "kubernetes.labels.app",
        "kubernetes.labels.app.kubernetes.io/name",
        "kubernetes.container_name",
        "k8s.container.name",
        "resource.k8s.container.name",
        "resource.labels.container_name",  # Google Cloud Logging: a GKE container
        "resource.labels.service_name",  # Cloud Run
        "resource.labels.function_name",  # Cloud Functions
        "_SYSTEMD_UNIT",  # the journal (`journalctl -o json`): the unit, else the program
        "SYSLOG_IDENTIFIER",
        "logGroupName",  # CloudWatch Logs (`aws logs filter-log-events`): `/aws/lambda/<function>`
    ),
    "method": ("method", "rpc_method", "rpc.method", "rpc", "grpc.method", "endpoint", "operation"),
    "request_id": (
        "request_id",
        "req_id",
        "trace_id",
        "trace.id",
        "traceId",
        "correlation_id",
        "x_request_id",
    ),
    "user_id": ("user_id", "uid", "user", "user.id", "usr.id", "enduser.id"),
    "host": (
        "host",
        "hostname",
        "host.name",
        "pod",
        "pod_name",
        "kubernetes.pod.name",
        "k8s.pod.name",
        "resource.k8s.pod.name",
        "resource.labels.pod_name",  # Google Cloud Logging: a GKE pod
        "instance",
        "involvedObject.name",  # a Kubernetes event's pod or node
        # Where no field says "host": the machine by the other names shippers and systems give it
        # (names are compared without case and punctuation: `node_name` is also `node.name`).
        "host.hostname",
        "agent.hostname",
        "source_host",
        "computer",
        "computer_name",
        "machine",
        "node",
        "node_name",
        "kubernetes.node.name",
        "k8s.node.name",
    ),
    "env": ("env", "environment", "stage", "deployment.environment", "resource.deployment.environment"),
}
_STANDARD = tuple(name for name in _NAMES if name not in ("timestamp", "message"))
_FLATTEN_DEPTH = 4
#: Fields that take a few values over a whole log: each value is kept once in memory, not once per
#: record (a 100k-record fetch held ~20 MB of copies of "checkout" and "prod").
_FEW_VALUES = frozenset({"service", "method", "host", "env"})
#: Deepest nesting of objects and lists a record may have (real logs use under 10); a deeper one
#: is refused as malformed (ValueError) instead of failing the whole fetch where it is stored.
MAX_DEPTH = 64
LEVEL_IN_TEXT = re.compile(r"\b(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL|PANIC|SEVERE)\b")
#: A message that opens with a capitalised level word (Heroku's `Error R14 (Memory quota exceeded)`,
#: Node's `Error: connect ECONNREFUSED`, `Warning: …`).
LEADING_LEVEL = re.compile(r"^(Error|Warning|Fatal|Critical|Panic)(?=[:\s])")
#: A logfmt message's own level pair (`at=error code=H12 …`, `level=warn msg=…`), when a shipper
#: kept the line whole as the record's message.
LOGFMT_LEVEL = re.compile(r'(?:^|\s)(?:level|lvl|severity|at)="?([A-Za-z]+)\b')
#: Message fields that hold another program's whole line (a shipper's wrapper): its leading time,
#: level and logger are read from it (`wrapped.py`).
_WRAPPER_KEYS = frozenset({"log", "textpayload"})


#: The usual names as `field_name` compares them.
_NORMED = {field: tuple(field_name(name) for name in names) for field, names in _NAMES.items()}


def _flatten(obj: dict[str, Any], prefix: str = "", depth: int = 0) -> dict[str, Any]:
    """Nested objects as dotted keys (`{"log": {"level": "x"}}` → `log.level`), a few levels deep."""
    if not prefix and dict not in map(type, obj.values()):
        return obj  # the usual flat line (no value is an object): nothing to do
    out: dict[str, Any] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and depth < _FLATTEN_DEPTH:
            out.update(_flatten(value, f"{name}.", depth + 1))
        else:
            out[name] = value
    return out


@lru_cache(maxsize=1024)  # lines of one source share their key names: work them out once
def _candidates(keys: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """For each of our fields, the keys among `keys` that may hold it, best name first."""
    by_norm: dict[str, str] = {}
    for key in keys:
        by_norm.setdefault(field_name(key), key)
    return {
        field: tuple(by_norm[name] for name in names if name in by_norm) for field, names in _NORMED.items()
    }


@lru_cache(maxsize=1024)
def _standard_present(keys: tuple[str, ...]) -> tuple[str, ...]:
    """Our standard fields (`_STANDARD`) that some of `keys` may hold, in `_STANDARD`'s order."""
    candidates = _candidates(keys)
    return tuple(name for name in _STANDARD if candidates[name])


class _Keys:
    """One object's keys, looked up exactly (a config's names) or loosely (the usual names)."""

    def __init__(self, obj: dict[str, Any]) -> None:
        self.obj = obj
        self.flat = _flatten(obj)
        names = tuple(self.flat)
        self.candidates = _candidates(names)
        #: the standard fields some key may hold: the only ones worth a look without aliases
        self.present = _standard_present(names)

    def pick(self, field: str, aliases: Aliases) -> tuple[str | None, Any]:
        """The key and value of our `field`: the config's names exactly, then the usual names loosely."""
        if aliases:
            for key in aliases.get(field, ()):
                for source in (self.obj, self.flat):
                    if key in source and usable(source[key]):
                        return key, source[key]
        flat = self.flat
        for key in self.candidates[field]:  # `usable`, written out: it runs ~10 times a record
            value = flat[key]
            if value is not None and value != "" and not isinstance(value, dict | list):
                return key, value
        return None, None


#: Level names too short to trust: taken only when the value reads as a level ("W", "D2").
_WEAK_LEVEL_KEYS = frozenset({"s", "type", "at"})  # as `field_name` gives them


def _level_like(key: str, value: Any) -> bool:
    """Whether `value` under `key` may be a level: a number (pino, syslog, OpenTelemetry) or a text
    that normalises to one of `LEVELS`; under a weak name (`_WEAK_LEVEL_KEYS`) only such a text.
    A Kubernetes audit event's `level: Metadata` is how much it recorded, not how bad it was."""
    if isinstance(value, str) and normalize_level(value) in LEVELS:
        return True
    if field_name(key) in _WEAK_LEVEL_KEYS:
        return False
    return isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit())


def record_from_object(
    obj: dict[str, Any],
    *,
    source: str,
    line: int | None = None,
    aliases: Aliases = None,
    day: date | None = None,
    _inner: bool = False,
) -> LogRecord:
    """A JSON object (a JSONL line, an API's record) as a LogRecord; ValueError with the reason
    when it has no time we can read, or is nested deeper than `MAX_DEPTH`.

    A wrapper's message that is itself a JSON object is read as the record (the wrapper's other
    fields beside it); one that is an application's text line gives its level, logger and time
    (`wrapped.py`); when neither has a date, a wrapped line's time of day is taken on `day` (the
    file's date, as for text lines without a time). With no service field, a pod's name gives one
    (`cart-7d9f8-x2k4p` → `cart`)."""
    kinds = set(map(type, obj.values()))
    flat = dict not in kinds and list not in kinds  # the usual line: no object or list in it
    if not flat and _too_deep(obj.values(), MAX_DEPTH - 1):
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels of objects and lists")
    keys = _Keys(obj)
    msg_key, msg = keys.pick("message", aliases)
    wrapper = msg_key is not None and field_name(msg_key) in _WRAPPER_KEYS and isinstance(msg, str)
    # a message that is itself a JSON object with a message of its own (zap's, Sidekiq's line kept
    # whole by the shipper) is read as the record, whatever the message field is called; one
    # without (an access log's JSON line) stays the message, as its fields alone say less
    whole = msg_key is not None and isinstance(msg, str) and msg[:1] == "{"
    inner = inner_object(msg) if whole and not _inner and msg_key in obj else None
    if inner is not None and not wrapper and _Keys(inner).pick("message", aliases)[0] is None:
        inner = None
    if inner is not None:
        merged = {k: v for k, v in obj.items() if k != msg_key} | inner
        return record_from_object(merged, source=source, line=line, aliases=aliases, day=day, _inner=True)
    said = inner_line(msg) if wrapper else None
    ts_key, ts = keys.pick("timestamp", aliases)
    if ts_key is None:  # no usual name: a field named like a time that holds one (`stageTimestamp`)
        ts_key, ts = named_like_a_time(keys.flat)
    if ts_key is not None:
        timestamp = epoch_time(ts) or iso_time(ts)
    elif said is not None and said.timestamp is not None:
        timestamp = said.timestamp
    elif said is not None and said.clock is not None and day is not None:
        timestamp = datetime.combine(day, said.clock, UTC)
    else:
        raise ValueError("missing field 'timestamp' (nor time, ts, @timestamp or another usual name for it)")
    used = {ts_key} if ts_key is not None else set()
    fields: dict[str, Any] = {"timestamp": timestamp, "source": source, "line": line}
    if msg_key is not None:
        used.add(msg_key)
    level_key: str | None = None
    host_key: str | None = None
    for name in _STANDARD if aliases else keys.present:
        key, value = keys.pick(name, aliases)
        if key is None or (name == "level" and not _level_like(key, value)):
            continue
        used.add(key)
        if name == "level":
            level_key = key
            fields[name] = numeric_level(value, key) or str(value)
        elif name in _FEW_VALUES:
            text = str(value)
            if name == "service" and text.endswith(".service"):  # a systemd unit: `cron.service`
                text = text[: -len(".service")]
            elif name == "service" and text.startswith("/"):  # a log group: its last part names it
                text = text.rstrip("/").rsplit("/", 1)[-1] or text
            fields[name] = sys.intern(text)
            host_key = key if name == "host" else host_key
        else:
            fields[name] = str(value)
    if "service" not in fields and host_key is not None and _names_a_pod(host_key, keys.flat):
        fields["service"] = sys.intern(service_of_pod(fields["host"]))
    if msg_key is None:  # every field but the time and level: `rpc=GetMembership status=UNAVAILABLE`
        message = message_from_fields(keys.flat, {ts_key or "", level_key or ""})
    elif said is not None:
        message = said.message
    elif field_name(msg_key) == "mt":
        message = rendered(str(msg), keys.flat)
    else:
        message = str(msg).rstrip("\n")
    fields["message"] = message
    if said is not None and said.level is not None and ("level" not in fields or said.leading):
        # the application's own level at the head of its line wins over the wrapper's, which a
        # shipper guesses from the stream (Google's agent calls every stderr line ERROR)
        fields["level"] = said.level
    elif "level" not in fields and (level := klog_level(message) or _logfmt_level(message[:200])):
        fields["level"] = level  # `E0709 14:02:11.123456 1 status.go:71] …`, `at=error code=H12 …`
    elif "level" not in fields and (written := level_in_text(message)):
        fields["level"] = written
    elif "level" not in fields and says_error(keys.flat):  # no level, but an `errorCode` set
        fields["level"] = "ERROR"
    if flat:
        fields["fields"] = {k: v for k, v in obj.items() if k not in used}
    else:
        fields["fields"] = {k: v for k, v in obj.items() if not _all_taken(k, v, used)}
    if said is not None and said.logger and "logger" not in fields["fields"]:
        fields["fields"]["logger"] = said.logger
    try:
        return LogRecord.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"field '{first['loc'][0]}': {first['msg']}") from None


def level_in_text(message: str) -> str | None:
    """The level a message's words give it: a capitalised level word opening it (`Error R14 …`,
    `LEADING_LEVEL`), else a level word in capitals in its first 80 characters (`LEVEL_IN_TEXT`);
    None when neither. The last resort of the JSON and the text readers alike."""
    if lead := LEADING_LEVEL.match(message):
        return lead.group(1)
    if found := LEVEL_IN_TEXT.search(message[:80]):
        return found.group(1)
    return None


def _logfmt_level(head: str) -> str | None:
    """The level a logfmt message's level pair names (`at=error` → ERROR); None when it has none
    that reads as a level (`at=checkout` is a place)."""
    for found in LOGFMT_LEVEL.finditer(head):
        if (level := normalize_level(found.group(1))) in LEVELS:
            return level
    return None


def _names_a_pod(host_key: str, flat: dict[str, Any]) -> bool:
    """Whether the host field names a pod: a pod field, or a Kubernetes event's object of kind Pod."""
    name = field_name(host_key)
    if name == "involvedobjectname":
        return str(flat.get(host_key[: -len("name")] + "kind", "")).lower() == "pod"
    return "pod" in name


def _too_deep(values: Iterable[Any], room: int) -> bool:
    """Whether any of `values` nests objects or lists more than `room` levels deep."""
    for value in values:
        if isinstance(value, dict):
            if room == 0 or _too_deep(value.values(), room - 1):
                return True
        elif isinstance(value, list) and (room == 0 or _too_deep(value, room - 1)):
            return True
    return False


def _all_taken(key: str, value: Any, used: set[str]) -> bool:
    """Whether a top-level field was read whole into ours (a nested object: every value in it)."""
    if not isinstance(value, dict) or not value:
        return key in used
    return all(name in used for name in _flatten(value, f"{key}."))

"""A record's detail fields, for evidence: what a structured log says beside its message.

Structured loggers (zap, pino, logrus, Serilog) write a short constant message and put the
substance in fields: `circuit breaker state changed` with `from=closed to=half-open
upstream=risk-svc`, `upstream call failed` with `error=... connection refused`. Evidence that shows
the message alone hides the cause. `field_details` gives the record's short scalar fields as
`name=value` (over identical lines: each field's values, `from=closed|open|half-open`), nested
ones by their dotted names, leaving out what the evidence line shows already
(who wrote it, its time, level and message) and the shipper's bookkeeping (trace and span ids,
the caller's file and line, the stream, Kubernetes metadata). Values are as stored: redacted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from sre_agent.connectors.json_values import field_name
from sre_agent.indexes.rows import TEXT_FIELDS

#: Longest value shown; a longer one is cut with "…".
MAX_VALUE = 80
#: Longest value of a field that says what went wrong (`error=`, `reason=`, `cause=`): the cause is
#: often at its end (`score transfer tx_01…: attempt 1/5: circuit breaker is open`).
MAX_ERROR_VALUE = 160
#: Longest detail text shown for one line; the fields after it are counted instead.
MAX_DETAILS = 200
#: Values of one field listed across identical lines; beyond that, their number.
VALUES = 3
#: Identical lines whose fields are read for one result line (a message repeated 50,000 times
#: would cost a JSON parse each).
SAMPLE = 200
#: Nested objects read this many levels down (a loaded config's
#: `config.upstreams.risk-svc.retry.max_attempts` is four objects down).
DEPTH = 4

#: Record fields that name what wrote a line, in the order they are looked for (the evidence's
#: `from=`, `order.to_result_line`); names compare without case and punctuation
#: (`json_record.field_name`, as the record reader compares them):
#: a systemd journal's `SYSLOG_IDENTIFIER`, rsyslog's `programname`, logback's `logger_name`.
ORIGIN_FIELDS = (
    "component", "program", "syslog_identifier", "programname", "logger", "logger_name", "process", "app",
    "container", "source_name", "tag", "module",
)  # fmt: skip
#: Record fields that hold the id of the process that wrote a line (sshd's child, a worker; the
#: journal's `_PID`).
PID_FIELDS = ("pid", "process_id")

#: Field names (lower case, any nesting) left out: shown already (who wrote it, the standard
#: fields), or bookkeeping.
_SHOWN = frozenset(
    field_name(name)
    for name in [*ORIGIN_FIELDS, *PID_FIELDS, *TEXT_FIELDS]
    + "msg message log text level severity lvl loglevel ts time timestamp @timestamp date datetime epoch "
    "hostname environment caller stream trace_id span_id traceid spanid trace_flags line source".split()
)
#: Words of a field's name (any part of its dotted name) that say it holds what went wrong: such
#: fields come first, longer, and an error object's `message` is kept (ECS's
#: `error.message`, zap's `errorVerbose`).
_ERROR_WORDS = frozenset("err error errors exception exc reason cause fault failure failures failed".split())
#: Last words of a field name that hold a stack trace (`err.stack`, `error.stack_trace`).
_STACK_WORDS = frozenset({"stack", "trace", "stacktrace", "backtrace", "traceback"})
#: The words of a field name: `error.message`, `last_error_text`, `errorVerbose`, `Exception-Type`.
_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_NUMBER = re.compile(r"-?[\d.]+")
#: Top-level objects left out whole: the shipper's metadata about where the line ran.
_METADATA = frozenset({"kubernetes", "k8s", "docker", "ecs", "agent", "labels", "resource", "fluent", "_p"})
#: A systemd journal's bookkeeping (systemd.journal-fields(7)), besides its address fields
#: (`__CURSOR`, `__REALTIME_TIMESTAMP`: every name that starts with two underscores): the trusted
#: fields that say how a line was logged, not what happened (`_SYSTEMD_UNIT`, `_COMM`, `_EXE`,
#: `_CMDLINE` stay).
_JOURNAL_BOOKKEEPING = frozenset(
    "_boot_id _machine_id _transport _uid _gid _cap_effective _selinux_context _audit_session "
    "_audit_loginuid _systemd_cgroup _systemd_slice _systemd_invocation_id _systemd_owner_uid "
    "_systemd_user_slice _systemd_user_unit _stream_id _source_realtime_timestamp "
    "_source_monotonic_timestamp _runtime_scope syslog_facility syslog_timestamp syslog_pid".split()
)


def field_details(
    records: Sequence[dict[str, Any]], *, sampled: bool = False, message: str | None = None
) -> str | None:
    """`name=value …` of the detail fields (module doc) of identical lines' records, in this order:
    fields that say what went wrong (`error=`, `reason=`: values up to `MAX_ERROR_VALUE`), fields
    whose value changed across the lines (`from=closed|open|half-open`, a reloaded config's
    `retry.max_attempts=5|2`), fields of one value, then fields of more than `VALUES` values (an
    account id), as their most common value and their number; within each, as first seen. A field
    whose one value is the line's `message` is left out (pino's `err.message`: shown already). At
    most `MAX_DETAILS` characters, then "(+N more)"; None when there are none. `sampled`: `records`
    are some of the lines only, so a count of values is a floor ("(200+ values)")."""
    said = " ".join(message.split()) if message else None
    values: dict[str, Counter[str]] = {}
    news: set[str] = set()  # fields with a value that is not the line's message
    for fields in records:
        for name, value in _scalars(fields, "", 0):
            values.setdefault(name, Counter())[_cut(name, value)] += 1
            if value != said:
                news.add(name)
    shown: list[str] = []
    size = left = 0
    for name, seen in sorted(values.items(), key=lambda item: _rank(item[0], list(item[1]))):
        if name not in news:  # its one value is the message, shown already
            continue
        listed = list(seen)  # in the order first seen
        plus = "+" if sampled else ""
        common = seen.most_common(1)[0][0]
        text = "|".join(listed) if len(listed) <= VALUES else f"{common}|… ({len(listed)}{plus} values)"
        part = f"{name}={text}"
        if size + len(part) + 1 > MAX_DETAILS:
            left += 1
            continue
        shown.append(part)
        size += len(part) + 1
    if not shown:
        return None
    return " ".join(shown) + (f" (+{left} more)" if left else "")


def _rank(name: str, values: list[str]) -> tuple[int, int]:
    """Where a field of these distinct `values` comes in the details (see `field_details`): a
    count (`consecutive_failures=10`) is not what went wrong; of the fields of many values, the
    fewer first (4 client addresses say more than 57 client ports); a stack trace last (its first
    line is the error, which its sibling `message` says; its frames are long)."""
    if _is_stack(name):
        return 4, 0
    if len(values) > VALUES:
        return 3, len(values)
    if _is_error(name) and any(not _NUMBER.fullmatch(value) for value in values):
        return 0, 0
    return (1, 0) if len(values) > 1 else (2, 0)


@lru_cache(maxsize=4096)  # a log repeats its few field names on every line: read each name once
def _is_error(name: str) -> bool:
    """Whether some word of the field's (dotted) name says it holds what went wrong (a stack trace
    aside)."""
    return bool(_ERROR_WORDS & set(_words(name))) and not _is_stack(name)


def _is_stack(name: str) -> bool:
    """Whether the field's (dotted) name ends in a word that says it holds a stack trace."""
    return bool(_STACK_WORDS & set(_words(name)[-1:]))


def _words(name: str) -> list[str]:
    return [word.lower() for word in _NAME_WORDS.findall(name)]


def _cut(name: str, value: str) -> str:
    limit = MAX_ERROR_VALUE if _is_error(name) else MAX_VALUE
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _scalars(fields: dict[str, Any], prefix: str, depth: int) -> Iterator[tuple[str, str]]:
    """`(dotted name, value as one line of text)` of the fields to show, nested objects `DEPTH` deep."""
    for key, value in fields.items():
        name = str(key)
        parent, _, leaf = f"{prefix}{name}".rpartition(".")
        # shown already, except an error object's own `message` (ECS `error.message`): its cause
        shown = field_name(leaf) in _SHOWN and not _is_error(parent)
        if shown or (not prefix and _bookkeeping(name)):
            continue
        if isinstance(value, dict):
            if depth < DEPTH:
                yield from _scalars(value, f"{prefix}{name}.", depth + 1)
        elif isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
            yield f"{prefix}{name}", " ".join(str(value).split())
        elif isinstance(value, bool):
            yield f"{prefix}{name}", str(value).lower()


def _bookkeeping(name: str) -> bool:
    """Whether a top-level field is a shipper's or the journal's bookkeeping, not the line's."""
    lower = name.lower()
    return lower in _METADATA or lower in _JOURNAL_BOOKKEEPING or name.startswith("__")

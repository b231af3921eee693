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

from collections.abc import Iterator, Sequence
from typing import Any

from sre_agent.indexes.rows import TEXT_FIELDS

#: Longest value shown; a longer one is cut with "…".
MAX_VALUE = 80
#: Longest detail text shown for one line; the fields after it are counted instead.
MAX_DETAILS = 200
#: Values of one field listed across identical lines; beyond that, their number.
VALUES = 3
#: Identical lines whose fields are read for one result line (a message repeated 50,000 times
#: would cost a JSON parse each).
SAMPLE = 200
#: Nested objects read this many levels down.
DEPTH = 3

#: Record fields that name what wrote a line, in the order they are looked for (the evidence's
#: `from=`, `order.to_result_line`).
ORIGIN_FIELDS = ("component", "program", "logger", "process", "app", "container", "source_name", "tag")
#: Record fields that hold the id of the process that wrote a line (sshd's child, a worker).
PID_FIELDS = ("pid", "process_id")
#: Field names (lower case, any nesting) left out: shown already (who wrote it, the standard
#: fields), or bookkeeping.
_SHOWN = frozenset(
    [*ORIGIN_FIELDS, *PID_FIELDS, *TEXT_FIELDS]
    + "msg message log text level severity lvl loglevel ts time timestamp @timestamp date datetime epoch "
    "hostname environment caller stream trace_id span_id traceid spanid trace_flags line source".split()
)
#: Top-level objects left out whole: the shipper's metadata about where the line ran.
_METADATA = frozenset({"kubernetes", "k8s", "docker", "ecs", "agent", "labels", "resource", "fluent", "_p"})


def field_details(records: Sequence[dict[str, Any]], *, sampled: bool = False) -> str | None:
    """`name=value …` of the detail fields (module doc) of identical lines' records: each field's
    values in the order first seen, `a|b|c` when they differ; a field of more than `VALUES` values
    after the others, as its first value and their number; at most `MAX_DETAILS` characters and
    then "(+N more)"; None when they have none. `sampled`: `records` are some of the lines only,
    so a count of values is a floor ("(200+ values)")."""
    values: dict[str, dict[str, None]] = {}
    for fields in records:
        for name, value in _scalars(fields, "", 0):
            values.setdefault(name, {})[_cut(value)] = None
    shown: list[str] = []
    size = left = 0
    # fields of a few values first (they tell the lines' story: `from=closed|open`), then those that
    # differ on every line (an account id), one value and their number
    for name, seen in sorted(values.items(), key=lambda item: len(item[1]) > VALUES):
        listed = list(seen)
        plus = "+" if sampled else ""
        text = "|".join(listed) if len(listed) <= VALUES else f"{listed[0]}|… ({len(listed)}{plus} values)"
        part = f"{name}={text}"
        if size + len(part) + 1 > MAX_DETAILS:
            left += 1
            continue
        shown.append(part)
        size += len(part) + 1
    if not shown:
        return None
    return " ".join(shown) + (f" (+{left} more)" if left else "")


def _cut(value: str) -> str:
    return value if len(value) <= MAX_VALUE else value[: MAX_VALUE - 1] + "…"


def _scalars(fields: dict[str, Any], prefix: str, depth: int) -> Iterator[tuple[str, str]]:
    """`(dotted name, value as one line of text)` of the fields to show, nested objects `DEPTH` deep."""
    for key, value in fields.items():
        name = str(key)
        leaf = name.rsplit(".", 1)[-1].lower()
        if leaf in _SHOWN or (not prefix and name.lower() in _METADATA):
            continue
        if isinstance(value, dict):
            if depth < DEPTH:
                yield from _scalars(value, f"{prefix}{name}.", depth + 1)
        elif isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
            yield f"{prefix}{name}", " ".join(str(value).split())
        elif isinstance(value, bool):
            yield f"{prefix}{name}", str(value).lower()

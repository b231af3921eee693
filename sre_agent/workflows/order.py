"""Ordering helpers of the retrieve step: SQL LIKE clauses, lexical signals, merging tiers of hits,
and turning stored rows into result lines (one per distinct message).

`signals_first`: a number of the question ("port 5433", "job 8") is a lexical signal. The shape
embedding masks numbers, so lines of one shape tie on meaning; within a shape, the lines whose
message or fields hold one of the question's numbers (as a whole token) take the places of that
shape's lines first. Lines of other shapes keep their places.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import numpy as np

from sre_agent.connectors.json_values import field_name
from sre_agent.indexes import Hit, StoredRecord
from sre_agent.indexes.filters import sql_string
from sre_agent.shapes import pattern_key
from sre_agent.workflows.details import ORIGIN_FIELDS, PID_FIELDS, field_details
from sre_agent.workflows.details import SAMPLE as DETAIL_SAMPLE
from sre_agent.workflows.results import PatternStats, ResultLine

T = TypeVar("T")
_HOUR = 3_600_000_000  # µs
_DAY = 24 * _HOUR


def like(column: str, value: str) -> str:
    """SQL: `column` contains `value`, case-insensitively (LIKE wildcards in `value` escaped)."""
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"lower({column}) LIKE {sql_string('%' + escaped + '%')}"


#: Characters an identifier may hold for `whole_token` to bound it: a regex of them needs no
#: backslash (the SQL layer reads backslashes in string literals itself), `.` and `+` go in brackets.
_PLAIN = re.compile(r"[a-z0-9_.:/@=+, -]+")
_WORD = re.compile(r"[a-z0-9_]")


def whole_token(column: str, value: str) -> str:
    """SQL: `column` holds `value` as a whole token, case-insensitively: `blk_-123` is not found in
    `blk_-1237`, nor `10.0.0.1` in `10.0.0.10` or `110.0.0.1`, but `blk_-123.` and `10.0.0.1:80`
    hold theirs. A value starting or ending in a non-word character is bounded there by itself.
    Values with other characters (brackets, quotes, backslashes) fall back to `like`."""
    text = value.lower()
    if not text or not _PLAIN.fullmatch(text):
        return like(column, value)
    pattern = text.replace(".", "[.]").replace("+", "[+]")
    if _WORD.match(text[0]):
        pattern = "(?:^|[^a-z0-9_])" + pattern
    if _WORD.match(text[-1]):
        pattern += "(?:[^a-z0-9_]|$)"
    # the LIKE lets the engine drop most rows before the regex reads them
    return f"({like(column, value)} AND regexp_like(lower({column}), {sql_string(pattern)}))"


def signal_patterns(terms: Sequence[str]) -> list[re.Pattern[str]]:
    """One whole-token pattern per number of `terms` ("port 5433" and "5433" both give 5433)."""
    numbers = dict.fromkeys(t.split()[-1] for t in terms if t.strip())
    return [re.compile(rf"(?<![\w.]){re.escape(n)}(?![\w]|\.\d)") for n in numbers]


def holds_signal(hit: StoredRecord, patterns: Sequence[re.Pattern[str]]) -> bool:
    """Whether the line's message or its fields hold one of the numbers."""
    return any(p.search(hit.message) or p.search(hit.fields_json) for p in patterns)


def holders_first(hits: Sequence[Hit], terms: Sequence[str]) -> list[Hit]:
    """`hits` (the question's own search) with the lines holding a number or short id of `terms`
    first, each part in its order. "when did api3 drop out?": `api3` is on hundreds of access
    lines, too many to be an anchor, yet of the lines the question's words and meaning found,
    those naming api3 are about it; the api1 and api2 lines that mean the same come after."""
    patterns = signal_patterns(terms)
    if not patterns:
        return list(hits)
    holding = [hit for hit in hits if holds_signal(hit, patterns)]
    held = {hit.id for hit in holding}
    return [*holding, *[hit for hit in hits if hit.id not in held]]


def heads_first(hits: Sequence[Hit], identifiers: Sequence[str]) -> list[Hit]:
    """`hits` (lines holding `identifiers`) with those that hold one only below their first line
    last, each part in its order: the lines that say `HikariPool-1 - Connection is not available`
    before the `Unhandled exception` lines that carry it deep in a stack trace's `Caused by:` (a line
    whose field holds it keeps its place)."""
    wanted = [identifier.lower() for identifier in identifiers]

    def deep(hit: Hit) -> bool:  # held below the first line only (a field holding it is not)
        head, _, rest = hit.message.lower().partition("\n")
        return any(w not in head and w in rest for w in wanted)

    return merge_hits([hit for hit in hits if not deep(hit)], hits)


def signals_first(ranked: Sequence[tuple[Hit, T]], terms: Sequence[str]) -> list[tuple[Hit, T]]:
    """`ranked` with, inside each shape, the lines holding a number of `terms` moved to the front
    of that shape's places (stable otherwise)."""
    patterns = signal_patterns(terms)
    if not patterns:
        return list(ranked)
    return within_shapes(ranked, lambda item: item[0], lambda hit: not holds_signal(hit, patterns))


def within_shapes(items: Sequence[T], hit_of: Callable[[T], Hit], key: Callable[[Hit], Any]) -> list[T]:
    """`items` with, inside each shape, its items sorted by `key` of their hit (stably) in that
    shape's places; items of other shapes keep theirs."""
    slots: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        slots.setdefault(hit_of(item).shape_hash, []).append(i)
    out = list(items)
    for positions in slots.values():
        ordered = sorted((items[i] for i in positions), key=lambda item: key(hit_of(item)))
        for i, item in zip(positions, ordered, strict=True):
            out[i] = item
    return out


def set_aside_last(hits: Sequence[Hit], excluded: Sequence[str]) -> list[Hit]:
    """`hits` with the lines whose message holds a word the question set aside ("besides root")
    moved after the others, each part in its order."""
    if not excluded:
        return list(hits)
    patterns = [re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])", re.IGNORECASE) for word in excluded]
    aside = [any(p.search(hit.message) for p in patterns) for hit in hits]
    return [hit for hit, out in zip(hits, aside, strict=True) if not out] + [
        hit for hit, out in zip(hits, aside, strict=True) if out
    ]


def _fields(fields_json: str) -> dict[str, object]:
    """A record's fields ({} when they are not a JSON object)."""
    try:
        fields = json.loads(fields_json)
    except json.JSONDecodeError:
        return {}
    return fields if isinstance(fields, dict) else {}


def _first_field(fields: dict[str, object], keys: Sequence[str]) -> str | None:
    """The first of `keys` the fields hold a non-blank text or number for (80 characters); names
    compare without case and punctuation (`json_record.field_name`)."""
    named = {field_name(name): value for name, value in fields.items()}
    for key in keys:
        value = named.get(field_name(key))
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()[:80]
    return None


def origin(fields_json: str) -> str | None:
    """The component, program or logger a record names in its fields, if any."""
    return _first_field(_fields(fields_json), ORIGIN_FIELDS)


def pid(fields_json: str) -> str | None:
    """The process id a record names in its fields, if any."""
    return _first_field(_fields(fields_json), PID_FIELDS)


def to_result_line(row: StoredRecord, *, via: str, score: float) -> ResultLine:
    """One stored row as a result line (count 1; callers merge identical rows)."""
    ts = row.timestamp
    line_no = row.line
    fields = _fields(row.fields_json)  # read once for both
    return ResultLine(
        service=row.service,
        env=row.env,
        origin=_first_field(fields, ORIGIN_FIELDS),
        pid=_first_field(fields, PID_FIELDS),
        details=field_details([fields], message=row.message),
        message=row.message,
        level=row.level,
        host=row.host,
        method=row.method,
        request_id=row.request_id,
        user_id=row.user_id,
        table=row.table or "",
        first_seen=ts,
        last_seen=ts,
        lines=[line_no] if line_no is not None else [],
        score=score,
        via=via,
        shape=row.shape or "",
        source=row.source,
    )


def merge_rows(line: ResultLine, rows: Sequence[StoredRecord]) -> None:
    """Give `line` the count, first/last seen, line numbers and detail fields of its identical `rows`."""
    if not rows:
        return
    times = [r.timestamp for r in rows]
    sample = [_fields(r.fields_json) for r in rows[:DETAIL_SAMPLE]]
    line.details = field_details(sample, sampled=len(rows) > DETAIL_SAMPLE, message=line.message)
    line.count = len(rows)
    line.first_seen, line.last_seen = min(times), max(times)
    line.lines = sorted({int(n) for r in rows if (n := r.line) is not None})
    pids = {pid(r.fields_json) for r in rows}
    line.pid = pids.pop() if len(pids) == 1 else None  # identical lines of several processes: none


def as_hit(row: StoredRecord) -> Hit:
    """A scanned row as a hit of the exact tiers (no score: its place is its rank)."""
    return Hit.model_validate({**row.model_dump(), "score": 0.0, "via": "fts"})


def firsts_by(hits: Sequence[Hit], key: Callable[[Hit], str]) -> list[Hit]:
    """The first hit of each `key` in `hits`, in their order."""
    firsts: dict[str, Hit] = {}
    for hit in hits:
        firsts.setdefault(key(hit), hit)
    return list(firsts.values())


def shape_firsts(hits: Sequence[Hit]) -> list[Hit]:
    """The first hit of each shape in `hits`, in their order: one line of each kind."""
    return firsts_by(hits, lambda hit: hit.shape_hash)


def host_firsts(hits: Sequence[Hit]) -> list[Hit]:
    """The first hit of each host in `hits` (lines without a host as one), in their order."""
    return firsts_by(hits, lambda hit: hit.host or "")


def merge_hits(first: Sequence[Hit], then: Sequence[Hit]) -> list[Hit]:
    """`first`, then the hits of `then` not in it, each in its own order."""
    seen = {h.id for h in first}
    return list(first) + [h for h in then if h.id not in seen]


def dedupe(ranked: Sequence[tuple[Hit, str]], k: int) -> list[ResultLine]:
    """The first `k` distinct messages of `ranked`, each as a result line."""
    out: dict[str, ResultLine] = {}
    for hit, via in ranked:
        if hit.message in out:
            continue
        out[hit.message] = to_result_line(hit, via=via, score=hit.score)
        if len(out) == k:
            break
    return list(out.values())


def more_patterns(ranked: Sequence[tuple[Hit, str]], top: Sequence[ResultLine], k: int) -> list[ResultLine]:
    """When the `top` lines show fewer than `k` patterns (`shapes.pattern_key`), one line of each further
    pattern down `ranked`, in its order, until `k` patterns are shown: the ten lines that hold an id
    may all be variants of one message ("157 sessions waiting … blocker id=4509568", "490 sessions
    waiting …"), and the evidence, which shows lines as patterns, would show one thing, not ten."""
    shapes = {pattern_key(line.shape) for line in top}
    out: list[ResultLine] = []
    for hit, via in ranked:
        if len(shapes) >= k:
            break
        if (key := pattern_key(hit.shape)) not in shapes:
            shapes.add(key)
            out.append(to_result_line(hit, via=via, score=hit.score))
    return out


def pattern_stats(stamps: Sequence[int]) -> PatternStats | None:
    """Count, first/last seen, distinct days and busiest hours (UTC) of a pattern's timestamps (µs)."""
    if len(stamps) == 0:
        return None
    micros = np.asarray(stamps, dtype=np.int64)
    days = micros // _DAY
    hours = np.bincount((micros // _HOUR) % 24, minlength=24)
    busiest = [int(h) for h in np.argsort(-hours, kind="stable")[:3] if hours[h] > 0]
    first, last = int(micros.min()), int(micros.max())
    return PatternStats(
        count=len(micros),
        first_seen=datetime.fromtimestamp(first / 1_000_000, tz=UTC),
        last_seen=datetime.fromtimestamp(last / 1_000_000, tz=UTC),
        days=len(np.unique(days)),
        span_days=int(last // _DAY - first // _DAY) + 1,
        busiest_hours=busiest,
    )

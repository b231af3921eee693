"""The signals `suspects.py` ranks by, each a pure function over a session's lines.

An SRE asked "which service is it?" looks for five things; each function here measures one:

- **onset** (`find_onset`, `novelty`): when the trouble began (the moment the rate of bad lines
  rose most, over all services), and, per service and log pattern, whether its bad lines are new
  since then or were there before at a similar rate (an old, louder error is not the news);
- **blame** (in `suspect_blame.py`): a bad line that names another service, pod or host points
  at it, not at the caller;
- **trace joins** (in `suspect_traces.py`): lines sharing a trace or request id show who called
  whom, and in a failing request where the failure began;
- **silence** (`silence`): a service or pod that logged steadily before the onset and (nearly)
  stopped after it;
- **changes** (`changes`): a rare deploy, rollout, config or restart line shortly before the onset.

Lines are read once into `Line`s (service from the record, else from its pod or host name, else
from its file; a trace id from the record or the message); nothing here knows any log's vocabulary
beyond what an SRE would read into such lines.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from sre_agent.connectors.names import service_of_pod
from sre_agent.models import CleanRecord
from sre_agent.shapes import sounds_like_trouble
from sre_agent.timeline import MAX_REPEATS_PER_HOST, change_said

#: How bad a line is, by level: an ERROR counts whole, a WARN a little (a service that warns on
#: every request must not outweigh one that fails), a line without a level when its words say so.
_BAD = {"FATAL": 1.0, "ERROR": 1.0, "WARN": 0.3}
_NO_LEVEL_TROUBLE = 0.5
#: Changes are looked for this long before the onset (as the timeline does) and this long after.
CHANGE_BEFORE_S = 15 * 60.0
CHANGE_AFTER_S = 60.0
#: An onset is a rise of the bad lines' rate by this factor at least, and at least this likely
#: (log-likelihood gain over one steady rate: 8 is well past chance over 60 possible splits).
MIN_RISE = 1.3
MIN_GAIN = 8.0
#: A pattern that was there before the onset and got louder counts this much of a new one.
OLD_PATTERN = 0.4
#: A pod whose first line comes this long after the logs begin is new (started during them).
NEW_POD_AFTER_S = 60.0
#: … is a replacement when a sibling's last line falls this long before or after its first.
REPLACED_BEFORE_S = 120.0
REPLACED_AFTER_S = 300.0
#: Silence needs this many lines of a service before the onset to tell a drop from a quiet service.
SILENCE_MIN_BEFORE = 10

_TRACE_IN_TEXT = re.compile(
    r"\b(?:x-b3-)?(?:trace[-_ ]?id|request[-_ ]?id|req[-_]?id|correlation[-_ ]?id)\b[\"']?\s*[:=]\s*"
    r"[\"']?(?P<id>[A-Za-z0-9][\w-]{5,})",
    re.IGNORECASE,
)
#: Spring Cloud Sleuth's `[app,traceId,spanId]` (or `[app,traceId,spanId,exportable]`) after the level.
_SLEUTH = re.compile(r"\[[\w.-]*,(?P<id>[0-9a-f]{16,32}),[0-9a-f]{16}(?:,(?:true|false))?\]")
_TRACE_FIELDS = ("trace_id", "traceId", "trace.id", "traceid", "x_b3_traceid", "correlation_id")


@dataclass(slots=True)
class Line:
    """One stored line as the signals read it."""

    t: float  # seconds since the epoch
    service: str
    pod: str | None
    bad: float  # 0 (fine) … 1 (an error)
    shape: str
    trace: str | None
    row: CleanRecord


#: The program a record says wrote it, for logs with neither a service nor a host (one machine's
#: components: `"component": "dfs.DataNode"`, `"program": "sshd"`).
_ORIGIN = re.compile(r'"(?:component|program|app|application|container|process)":\s*"(?P<name>[^"]{1,80})"')
#: File names that say nothing about which service wrote them.
_GENERIC_FILES = frozenset(
    {"logs", "log", "all", "output", "out", "stdout", "stderr", "messages", "syslog", "export"}
)


def service_of(row: CleanRecord) -> str:
    """The service a line belongs to: its service field, else its pod's (`cart-7d9f8-x2k4p` →
    `cart`) or host's name, else the component or program it names, else its file's name (`cart.log`
    → `cart`, not a `logs.jsonl`); `unknown` when nothing says."""
    if row.service:
        return row.service.strip().lower()
    if row.host:
        return service_of_pod(row.host)
    if (origin := _ORIGIN.search(row.fields_json)) is not None:
        return origin.group("name").strip().lower()
    stem = PurePath(row.source).name.split(".")[0].lower() if row.source else ""
    return stem if stem and stem not in _GENERIC_FILES else "unknown"


def badness(row: CleanRecord, said: dict[str, bool] | None = None) -> float:
    """How much a line says something is wrong (see `_BAD`); `said` remembers, per shape, whether
    the words of a line without a level say trouble."""
    if row.level is not None:
        return _BAD.get(row.level, 0.0)
    said = {} if said is None else said
    if row.shape not in said:
        said[row.shape] = sounds_like_trouble(row.message[:300])
    return _NO_LEVEL_TROUBLE if said[row.shape] else 0.0


def trace_of(row: CleanRecord) -> str | None:
    """The trace or request id a line carries: its field, a trace field, `traceId=…` in its text, or
    Sleuth's `[app,traceId,spanId]`."""
    if row.request_id:
        return row.request_id
    if "trace" in row.fields_json.lower() or "correlation" in row.fields_json.lower():
        fields = json.loads(row.fields_json)
        for key in _TRACE_FIELDS:
            if isinstance(fields.get(key), str | int) and str(fields[key]):
                return str(fields[key])
    found = _TRACE_IN_TEXT.search(row.message[:500]) or _SLEUTH.search(row.message[:200])
    return found.group("id") if found else None


def read_lines(rows: Iterable[CleanRecord]) -> list[Line]:
    """The rows as `Line`s, oldest first."""
    said: dict[str, bool] = {}
    out = [
        Line(
            t=row.timestamp.timestamp(),
            service=service_of(row),
            pod=row.host,
            bad=badness(row, said),
            shape=row.shape or row.message[:200],
            trace=trace_of(row),
            row=row,
        )
        for row in rows
    ]
    out.sort(key=lambda line: line.t)
    return out


# ------------------------------------------------------------------------------------------ onset


def _gain(before: int, after: int, k: int, bins: int) -> float:
    """Log-likelihood gain of a rate that rises at slice `k` over one steady rate (0 unless it rose)."""
    rate_b, rate_a = before / k, after / (bins - k)
    if after < 2 or rate_a < MIN_RISE * rate_b:
        return 0.0
    rate = (before + after) / bins
    return after * math.log(rate_a / rate) + (before * math.log(rate_b / rate) if before else 0.0)


def find_onset(lines: Sequence[Line], bins: int = 60) -> tuple[float, bool]:
    """When the trouble began, and whether a calmer period precedes it.

    Each service's pattern of bad lines is a stream; the onset is the split of the span (into `bins`
    slices) where the streams' rates rose most convincingly: the sum over streams of each one's
    Poisson log-likelihood gain of "lower before, higher after" over "steady", less one per stream
    (so streams that merely wobble add nothing). A new pattern gains much, an old one that got
    louder a little. The bad lines as a whole must rise there too (`MIN_RISE`): in a log that begins
    in trouble, a pattern that appears later is not where it began. Without a rise worth `MIN_GAIN`
    after a period of at least a twentieth of the span, the trouble is taken to be there from the
    first line (False: nothing before to compare)."""
    if not lines:
        return 0.0, False
    start, end = lines[0].t, lines[-1].t
    width = (end - start) / bins
    streams: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * bins)
    bad = [line for line in lines if line.bad]
    if width <= 0 or len(bad) < 5:
        return (bad[0].t if bad else start), False
    for line in bad:
        streams[(line.service, line.shape)][min(int((line.t - start) / width), bins - 1)] += 1
    cumulative = {key: [0, *itertools.accumulate(counts)] for key, counts in streams.items()}
    overall = [0.0] * bins  # all bad lines, each by how bad it is
    for line in bad:
        overall[min(int((line.t - start) / width), bins - 1)] += line.bad
    so_far = [0.0, *itertools.accumulate(overall)]
    best, best_k, rising = 0.0, 0, set()
    for k in range(max(bins // 20, 1), bins):
        if (so_far[bins] - so_far[k]) / (bins - k) < MIN_RISE * so_far[k] / k:
            continue  # the trouble as a whole did not rise here: a pattern that did is not its start
        gains = {key: _gain(c[k], c[bins] - c[k], k, bins) - 1.0 for key, c in cumulative.items()}
        total = sum(g for g in gains.values() if g > 0)
        if total > best:
            best, best_k, rising = total, k, {key for key, g in gains.items() if g > 0}
    if best < MIN_GAIN:
        return start, False
    edge = start + best_k * width
    # the first bad line of a stream that rose, not the slice's edge
    first = next(line.t for line in bad if line.t >= edge and (line.service, line.shape) in rising)
    return first, True


def novelty(lines: Sequence[Line], onset: float, calm: bool) -> dict[tuple[str, str], tuple[float, float]]:
    """Per (service, pattern) of bad lines after the onset: (how much its kind counts, the share of
    its lines that are more than before). A pattern new since the onset is (1, 1); one that was
    there before counts `OLD_PATTERN` for the part of its rate it rose by (as frequent as before:
    nothing). Without a calm period before the onset everything is new."""
    if not calm or not lines:
        return defaultdict(lambda: (1.0, 1.0))
    start, end = lines[0].t, lines[-1].t
    span_before, span_after = max(onset - start, 1.0), max(end - onset, 1.0)
    before: Counter[tuple[str, str]] = Counter()
    after: Counter[tuple[str, str]] = Counter()
    for line in lines:
        if line.bad:
            (after if line.t >= onset else before)[(line.service, line.shape)] += 1
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for key, n_after in after.items():
        n_before = before.get(key, 0)
        ratio = (n_after / span_after) / (n_before / span_before) if n_before else math.inf
        out[key] = (1.0, 1.0) if n_before == 0 else (OLD_PATTERN, max(0.0, 1.0 - 1.0 / ratio))
    return out


# ------------------------------------------------------------------------------------ silence, changes


def silence(
    lines: Sequence[Line], onset: float, calm: bool, key: str = "service"
) -> dict[str, tuple[float, Line]]:
    """Per service (or pod), how far its logging dropped after the onset (0 none … 1 stopped), with
    its last line before the drop; only for those with enough lines before to tell."""
    if not calm or not lines:
        return {}
    start, end = lines[0].t, lines[-1].t
    span_before, span_after = max(onset - start, 1.0), max(end - onset, 1.0)
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    last: dict[str, Line] = {}
    for line in lines:
        name = getattr(line, key)
        if name is None:
            continue
        if line.t < onset:
            before[name] += 1
            last[name] = line
        else:
            after[name] += 1
    out: dict[str, tuple[float, Line]] = {}
    for name, n_before in before.items():
        if n_before < SILENCE_MIN_BEFORE:
            continue
        ratio = (after[name] / span_after) / (n_before / span_before)
        if ratio < 0.5:
            out[name] = (1.0 - 2.0 * ratio, last[name])
    return out


def _replacements(lines: Sequence[Line]) -> set[str]:
    """Pods that began during the logs in place of a sibling: a pod of the same service stopped
    logging from 2 min before to 5 min after the new one's first line, well before the logs end
    (a rollout, or a pod rescheduled). A pod that merely logged late replaces nothing."""
    first: dict[str, Line] = {}
    last: dict[str, Line] = {}
    for line in lines:
        if line.pod:
            first.setdefault(line.pod, line)
            last[line.pod] = line
    if not lines:
        return set()
    start, end = lines[0].t, lines[-1].t
    out = set()
    for pod, head in first.items():
        if head.t - start <= NEW_POD_AFTER_S:
            continue
        if any(
            other != pod
            and tail.service == head.service
            and end - tail.t > NEW_POD_AFTER_S
            and head.t - REPLACED_BEFORE_S <= tail.t <= head.t + REPLACED_AFTER_S
            for other, tail in last.items()
        ):
            out.add(pod)
    return out


def changes(lines: Sequence[Line], onset: float) -> list[tuple[float, Line]]:
    """Changes from 15 min before the onset to a minute after it, each with a weight: 1 right at
    the onset, less the longer before it. A change is a rare line (deploy, rollout, config,
    restart…) that is not itself an error, or the first line of a pod that replaced a sibling
    (a rollout or a reschedule)."""
    low, high = onset - CHANGE_BEFORE_S, onset + CHANGE_AFTER_S
    # routine lines (a watcher's "config checked", a handler's "config: request received") repeat
    # over the whole log, not only near the onset
    per_host: Counter[tuple[str | None, str]] = Counter((line.pod, line.shape) for line in lines)
    new_pods = _replacements(lines)
    seen_pods: set[str] = set()
    out = []
    for line in lines:
        first_of_pod = line.pod is not None and line.pod not in seen_pods
        if line.pod is not None:
            seen_pods.add(line.pod)
        if not (low <= line.t <= high) or line.bad >= 0.3:
            continue
        if not (first_of_pod and line.pod in new_pods):
            if per_host[(line.pod, line.shape)] > MAX_REPEATS_PER_HOST:
                continue
            if change_said(line.row.message[:300], line.row.fields_json) is None:
                continue
        ago = max(onset - line.t, 0.0)
        out.append((max(0.1, 1.0 - ago / CHANGE_BEFORE_S), line))
    return out

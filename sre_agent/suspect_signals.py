"""The signals `suspects.py` ranks by, each a pure function over a session's lines.

An SRE asked "which service is it?" looks for five things; each function here measures one:

- **onset** (`find_onset`, `novelty`): when the trouble began (the moment the rate of bad lines
  rose most, over all services), and, per service and log pattern, whether its bad lines are new
  since then or were there before at a similar rate (an old, louder error is not the news);
- **blame** (`blamed`): a bad line that names another service, pod or host (`No instances
  available for X`, `connection refused to X:8080`, `timeout calling X`, `upstream X returned
  503`, `X: deadline exceeded`, a URL `http://X:8080/…`) points at X, not at the caller;
- **trace joins** (`deepest_hops`): lines sharing a trace or request id show who called whom; in a
  failing request the service that joined last and failed is the deepest failing hop;
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
from sre_agent.timeline import CHANGE_WORDS, MAX_REPEATS_PER_HOST, NO_CHANGE_WORDS

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
#: Silence needs this many lines of a service before the onset to tell a drop from a quiet service.
SILENCE_MIN_BEFORE = 10

_TRACE_IN_TEXT = re.compile(
    r"\b(?:x-b3-)?(?:trace[-_ ]?id|request[-_ ]?id|req[-_]?id|correlation[-_ ]?id)\b[\"']?\s*[:=]\s*"
    r"[\"']?(?P<id>[A-Za-z0-9][\w-]{5,})",
    re.IGNORECASE,
)
_TRACE_FIELDS = ("trace_id", "traceId", "trace.id", "traceid", "x_b3_traceid", "correlation_id")
_URL_HOST = re.compile(r"\b[a-z][a-z0-9+.-]{1,15}://(?:[^@/\s]+@)?(?P<t>[A-Za-z0-9_.-]+)(?::\d+)?")
_HOST_PORT = re.compile(r"(?<![\w.:/-])(?P<t>[A-Za-z][\w.-]*[A-Za-z0-9]):(?P<port>\d{2,5})(?![\d.])")
_SOURCE_FILE = re.compile(r"\.(?:java|kt|scala|groovy|py|go|rb|js|ts|cs|cpp|cc|c|h|rs|php|swift)$", re.I)
#: Words before a callee: "calling X", "connection refused to X", "no instances available for X".
_BEFORE_TARGET = re.compile(
    r"\b(?:calling|call(?:ed|s|ing)? (?:to|into)|requests? to|sending to|send to|connect(?:ing|ion)?"
    r"(?: (?:refused|reset|timed out|failed|error|closed))?(?: by peer)? (?:to|from|with)|timed? ?out "
    r"(?:calling|waiting for|connecting to|talking to|reaching|on)|no (?:healthy |live |ready |available )?"
    r"(?:instances?|endpoints?|upstreams?|hosts?|servers?|replicas?|backends?)(?: available)? for"
    r"|(?:up|down)stream(?: service| host| server)?|dependency|backend|failed to (?:reach|call|contact|"
    r"connect to|invoke|query|get \w+ from)|(?:cannot|can't|could not|couldn't|unable to) (?:reach|"
    r"connect to|call|contact|resolve|get \w+ from)|error (?:from|calling|talking to|connecting to)"
    r"|(?:bad |invalid |unexpected |empty |error )?response from|reply from|invoking|circuit(?: breaker)?"
    r"(?: is)? open (?:for|on)|(?:for|from|to) service)\s+[\"'`\[(<]?(?P<t>[A-Za-z][\w.-]{1,62})",
    re.IGNORECASE,
)
#: A callee before words of its failure: "upstream X returned 503", "X: deadline exceeded".
_AFTER_TARGET = re.compile(
    r"(?P<t>[A-Za-z][\w.-]{1,62})[\"'`\])>]?(?: service| server| host)?:?\s+(?:returned|responded|"
    r"answered|replied|is (?:down|unavailable|unreachable|not responding)|unavailable|unreachable|"
    r"timed out|deadline exceeded|context deadline exceeded|connection refused|not responding|"
    r"refused (?:the )?connection)",
    re.IGNORECASE,
)


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


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def service_of(row: CleanRecord) -> str:
    """The service a line belongs to: its service field, else its pod's (`cart-7d9f8-x2k4p` →
    `cart`) or host's name, else its file's name; `unknown` when nothing says."""
    if row.service:
        return row.service.strip().lower()
    if row.host:
        return service_of_pod(row.host)
    if row.source:
        stem = PurePath(row.source).name.split(".")[0]
        if stem:
            return stem.lower()
    return "unknown"


def badness(row: CleanRecord) -> float:
    """How much a line says something is wrong (see `_BAD`)."""
    if row.level is None:
        return _NO_LEVEL_TROUBLE if sounds_like_trouble(row.message[:300]) else 0.0
    return _BAD.get(row.level, 0.0)


def trace_of(row: CleanRecord) -> str | None:
    """The trace or request id a line carries: its field, a trace field, or `traceId=…` in its text."""
    if row.request_id:
        return row.request_id
    if "trace" in row.fields_json.lower() or "correlation" in row.fields_json.lower():
        fields = json.loads(row.fields_json)
        for key in _TRACE_FIELDS:
            if isinstance(fields.get(key), str | int) and str(fields[key]):
                return str(fields[key])
    found = _TRACE_IN_TEXT.search(row.message[:500])
    return found.group("id") if found else None


def read_lines(rows: Iterable[CleanRecord]) -> list[Line]:
    """The rows as `Line`s, oldest first."""
    out = [
        Line(
            t=row.timestamp.timestamp(),
            service=service_of(row),
            pod=row.host,
            bad=badness(row),
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
    louder a little. Without a rise worth `MIN_GAIN` after a period of at least a twentieth of the
    span, the trouble is taken to be there from the first line (False: nothing before to compare)."""
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
    best, best_k, rising = 0.0, 0, set()
    for k in range(max(bins // 20, 1), bins):
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


# ------------------------------------------------------------------------------------------ blame


class Names:
    """The services and pods of a session, and the names their callers may write them by."""

    def __init__(self, lines: Sequence[Line]) -> None:
        services = sorted({line.service for line in lines if line.service != "unknown"})
        self.services = services
        self.pods = {line.pod.lower(): line.service for line in lines if line.pod}
        prefix = _common_prefix(services)
        aliases: dict[str, str] = {}
        weak: dict[str, str] = {}
        for name in services:
            for alias in {name, name[len(prefix) :]}:
                if len(_norm(alias)) >= 4:
                    aliases.setdefault(_norm(alias), name)
            stem = re.sub(r"[-_.]?(?:service|svc|server|api|app)$", "", name[len(prefix) :].lower())
            if len(_norm(stem)) >= 3:
                weak.setdefault(_norm(stem), name)
        self.aliases, self.weak = aliases, weak
        # Mentions are matched as written: a name's own spelling (`order-service`) or, squashed, its
        # alias (`orderservice` in `/api/v1/orderservice/…`); six characters at least.
        written = {name: name for name in services} | {a: s for a, s in aliases.items()}
        strong = sorted((w for w in written if len(_norm(w)) >= 6), key=len, reverse=True)
        self._written = {w.lower(): s for w, s in written.items()}
        self._mention = (
            re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, strong)) + r")(?![a-z0-9])")
            if strong
            else None
        )

    def resolve(self, token: str, *, weak: bool) -> tuple[str | None, str | None]:
        """(service, pod) a written name stands for; (None, None) when it names none we know."""
        token = token.strip(".-_").lower()
        if token in self.pods:
            return self.pods[token], token
        head = token.split(".")[0]  # cart.shop.svc.cluster.local
        for key in (_norm(token), _norm(head)):
            if key in self.aliases:
                return self.aliases[key], None
            if weak and key in self.weak:
                return self.weak[key], None
        if head in self.pods:
            return self.pods[head], head
        return None, None

    def mentioned(self, text: str) -> set[str]:
        """Services whose full names (or names without the shared prefix) a text holds."""
        if self._mention is None:
            return set()
        return {self._written[m.group(0)] for m in self._mention.finditer(text.lower())}


def _common_prefix(names: Sequence[str]) -> str:
    """A prefix every service name shares up to a separator (`ts-` of `ts-order-service`, …)."""
    if len(names) < 3:
        return ""
    first, last = min(names), max(names)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    cut = max(first.rfind(sep, 0, n) for sep in "-_.")
    return first[: cut + 1] if cut >= 0 else ""


def blamed(line: Line, names: Names) -> tuple[set[str], set[str], float]:
    """(services, unknown hosts) a bad line points at besides its own service, and how surely:
    1 for words of a call that failed or a URL/host:port, 0.5 for a bare mention of a service."""
    text = line.row.message[:600]
    services: set[str] = set()
    hosts: set[str] = set()
    for pattern, weak in (
        (_URL_HOST, False),
        (_HOST_PORT, False),
        (_BEFORE_TARGET, True),
        (_AFTER_TARGET, True),
    ):
        for m in pattern.finditer(text):
            token = m.group("t")
            if pattern is _HOST_PORT and _SOURCE_FILE.search(token):
                continue
            service, _ = names.resolve(token, weak=weak)
            if service is not None:
                services.add(service)
            elif pattern in (_URL_HOST, _HOST_PORT) and not token.replace(".", "").isdigit():
                hosts.add(token.lower())
    services.discard(line.service)
    if services or hosts:
        return services, hosts, 1.0
    mentioned = names.mentioned(text) - {line.service}
    return mentioned, set(), 0.5


# ------------------------------------------------------------------------------ traces, silence, changes


def deepest_hops(lines: Sequence[Line], onset: float) -> Counter[str]:
    """Per service, in how many failing requests after the onset it was the deepest failing hop:
    of the services that logged a bad line in the request, the one whose first line came last."""
    first: dict[str, dict[str, float]] = defaultdict(dict)
    failing: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        if line.trace is None:
            continue
        first[line.trace].setdefault(line.service, line.t)
        if line.bad >= 0.3 and line.t >= onset:
            failing[line.trace].add(line.service)
    out: Counter[str] = Counter()
    for trace, bad in failing.items():
        if len(first[trace]) < 2:
            continue  # one service's request: no hop to compare
        out[max(bad, key=lambda s: (first[trace][s], s))] += 1
    return out


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


def changes(lines: Sequence[Line], onset: float) -> list[tuple[float, Line]]:
    """Rare change lines (deploy, rollout, config, restart…) from 15 min before the onset to a
    minute after it, each with a weight: 1 right at the onset, less the longer before it."""
    per_host: Counter[tuple[str | None, str]] = Counter(
        (line.pod, line.shape)
        for line in lines
        if onset - CHANGE_BEFORE_S <= line.t <= onset + CHANGE_AFTER_S
    )
    out = []
    for line in lines:
        if not (onset - CHANGE_BEFORE_S <= line.t <= onset + CHANGE_AFTER_S):
            continue
        if per_host[(line.pod, line.shape)] > MAX_REPEATS_PER_HOST:
            continue
        head = line.row.message.split("\n", 1)[0][:300]
        if not CHANGE_WORDS.search(head) or NO_CHANGE_WORDS.search(head):
            continue
        ago = max(onset - line.t, 0.0)
        out.append((max(0.1, 1.0 - ago / CHANGE_BEFORE_S), line))
    return out

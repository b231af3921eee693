"""Blame in the callers' words: which service, pod or host a bad line points at, and how
suspicion passes down a chain of callers (for `suspects.py`).

A caller that fails because of what it called usually says so: `No instances available for X`,
`connection refused to X:8080`, `timeout calling X`, `upstream X returned 503`, `X: deadline
exceeded`, a URL `http://X:8080/…`. `Names` knows the session's services and pods and the ways
they are written (the full name, without a prefix all share, a part only one has, a pod name, the
port a service said it listens on); `blamed` reads one line; `blame_flow` passes a victim's
suspicion on to the services it names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence

from sre_agent.suspect_signals import Line

#: A service passes its suspicion on in proportion to the share of its new bad lines that name
#: another service, times this (half its lines naming others: all of it passes).
PASS_ON = 2.0

_URL_HOST = re.compile(r"\b[a-z][a-z0-9+.-]{1,15}://(?:[^@/\s]+@)?(?P<t>[A-Za-z0-9_.-]+)(?::\d+)?")
#: `host:port`; not a time (`2025-03-18T10:00:54`), not a number with its unit (`pgtables:9544kB`).
_HOST_PORT = re.compile(r"(?<![\w.:/-])(?P<t>[A-Za-z0-9][\w.-]*[A-Za-z0-9]):(?P<port>\d{2,5})(?![\w.:])")
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
_FAILURE_WORDS = re.compile(
    r"(?<=\s)(?:returned|responded|answered|replied|is (?:down|unavailable|unreachable|not responding)"
    r"|unavailable|unreachable|timed out|deadline exceeded|context deadline exceeded|connection refused"
    r"|not responding|refused (?:the )?connection)\b",
    re.IGNORECASE,
)
#: … and the name just before those words (read backwards from them: one pass over the line).
_NAME_BEFORE = re.compile(
    r"(?P<t>[A-Za-z][\w.-]{1,62})[\"'`\])>]?(?: service| server| host)?:?\s+$", re.IGNORECASE
)


def _after_target(text: str) -> Iterator[re.Match[str]]:
    """Names written just before words of their failure: "upstream X returned 503", "X: deadline exceeded"."""
    for words in _FAILURE_WORDS.finditer(text):
        found = _NAME_BEFORE.search(text, max(0, words.start() - 80), words.start())
        if found:
            yield found


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


#: Parts of service names that say nothing about which service it is.
_GENERIC_PARTS = frozenset(
    {"service", "server", "proxy", "worker", "backend", "frontend", "gateway", "prod", "main"}
)
_ANNOUNCED_PORT = re.compile(
    r"\b(?:listen\w*|serving|bound|started|running|port\(s\)|port)\b[^\n]{0,40}?"
    r"(?:port\(s\)?:?\s*|port\s+|:)(?P<port>\d{2,5})\b",
    re.IGNORECASE,
)


def announced_ports(lines: Sequence[Line]) -> dict[str, str]:
    """Port → service, for ports exactly one service says it listens on (`listening on :7070`,
    `Tomcat started on port(s): 12031`): a caller that names only an address and port names it."""
    seen: dict[str, set[str]] = defaultdict(set)
    read: set[tuple[str, str]] = set()
    for line in lines:
        if line.bad or len(line.row.message) > 300 or (line.service, line.shape) in read:
            continue
        read.add((line.service, line.shape))  # a shape's first line says what its others say
        found = _ANNOUNCED_PORT.search(line.row.message)
        if found:
            seen[found.group("port")].add(line.service)
    return {port: next(iter(s)) for port, s in seen.items() if len(s) == 1}


class Names:
    """The services and pods of a session, and the names their callers may write them by."""

    def __init__(self, lines: Sequence[Line]) -> None:
        self.ports = announced_ports(lines)
        self.read: dict[tuple[str, str], tuple[set[str], set[str], float]] = {}  # `blamed`, per shape
        services = sorted({line.service for line in lines if line.service != "unknown"})
        self.services = services
        self.pods = {line.pod.lower(): line.service for line in lines if line.pod}
        prefix = _common_prefix(services)
        aliases: dict[str, str] = {}
        weak: dict[str, str] = {}
        parts: dict[str, set[str]] = defaultdict(set)
        for name in services:
            for alias in {name, name[len(prefix) :]}:
                if len(_norm(alias)) >= 4:
                    aliases.setdefault(_norm(alias), name)
            stem = re.sub(r"[-_.]?(?:service|svc|server|api|app)$", "", name[len(prefix) :].lower())
            if len(_norm(stem)) >= 3:
                weak.setdefault(_norm(stem), name)
            for part in re.split(r"[-_.]", name[len(prefix) :].lower()):
                if len(part) >= 4 and part not in _GENERIC_PARTS:
                    parts[part].add(name)
        # a part of one service's name only ("fraud" of fraud-check), after words of a failed call
        for part, owners in parts.items():
            if len(owners) == 1:
                weak.setdefault(part, next(iter(owners)))
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
    1 for words of a call that failed or a URL/host:port, 0.5 for a bare mention of a service.
    Lines of one shape name the same (unless an address was masked in it): read once per shape."""
    key = (line.service, line.shape if "<IP>" not in line.shape else line.row.message[:600])
    known = names.read.get(key)
    if known is None:
        known = names.read[key] = _blamed(line.row.message[:600], line.service, names)
    return known


def _blamed(text: str, own: str, names: Names) -> tuple[set[str], set[str], float]:
    services: set[str] = set()
    hosts: set[str] = set()
    finders = (
        ("url", _URL_HOST.finditer),
        ("address", _HOST_PORT.finditer),
        ("words", _BEFORE_TARGET.finditer),
        ("words", _after_target),
    )
    for kind, finder in finders:
        for m in finder(text):
            token = m.group("t")
            if kind == "address" and (_SOURCE_FILE.search(token) or (token.isalpha() and token.isupper())):
                continue  # Foo.java:42 is a line of code; the kernel's `UID:1001` a field
            service, _ = names.resolve(token, weak=kind == "words")
            if service is None and kind == "address":
                service = names.ports.get(m.group("port"))
            if service is not None:
                services.add(service)
            elif kind != "words" and not token.replace(".", "").isdigit():
                hosts.add(token.lower())
    services.discard(own)
    if services or hosts:
        return services, hosts, 1.0
    return names.mentioned(text) - {own}, set(), 0.5


def blame_flow(
    own: dict[str, float],
    received: dict[str, float],
    edges: dict[str, dict[str, float]],
    own_weight: dict[str, float],
    rounds: int = 6,
) -> tuple[dict[str, float], dict[str, float]]:
    """Suspicion passed down the call chain: a service whose new bad lines mostly name another is a
    victim too, so what its callers blame it for (and its own generic errors, "failed with 500")
    flows on to the services it names, in proportion to how much it names each.

    `own`: each service's score for its own bad lines; `received`: the score of the lines others
    wrote naming it; `edges[s][t]`: weight of s's lines naming t; `own_weight[s]`: weight of s's
    lines naming no one. Returns (own score each keeps, blame each ends up with)."""
    passing = {}
    for source, out in edges.items():
        named = sum(out.values())
        passing[source] = min(1.0, PASS_ON * named / (named + own_weight.get(source, 0.0)))
    kept = {s: v * (1.0 - passing.get(s, 0.0)) for s, v in own.items()}
    ends: dict[str, float] = defaultdict(float)
    moving: dict[str, float] = defaultdict(float, received)

    def hand_on(source: str, amount: float, into: dict[str, float]) -> None:
        out = edges[source]
        total = sum(out.values())
        for target, weight in out.items():
            into[target] += amount * weight / total

    for source, value in own.items():
        if passing.get(source):
            hand_on(source, value * passing[source], moving)
    for _ in range(rounds):
        onward: dict[str, float] = defaultdict(float)
        for target, value in moving.items():
            share = passing.get(target, 0.0)
            ends[target] += value * (1.0 - share)
            if share:
                hand_on(target, value * share, onward)
        moving = onward
    for target, value in moving.items():
        ends[target] += value
    return kept, dict(ends)

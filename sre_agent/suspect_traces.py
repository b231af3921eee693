"""Trace joins for `suspects.py`: in each failing request, which hop the failure started at.

Lines sharing a trace or request id are one request. Two signals come out of a failing request:

- **trace** (the deepest failing hop): the service whose error came first (a failure travels up the
  call chain); when that first error says it timed out, the hop it waited on, still at work after
  the caller gave up;
- **answered** (the caller failed right after it answered): when the first error of a request
  comes right after a callee of the failing service answered, without an error of its own, the
  failure began in that answer. A service that returns a wrong value (an empty list, a null, a
  negative amount) logs nothing unusual; its caller fails on what it got, in its own words
  ("foodStoresListResult is null", a NullPointerException, "order not found"), naming no one.

Who calls whom is read from the requests that did not fail: a callee's lines lie within its
caller's, a sibling's beside them (`Callees`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sre_agent.suspect_signals import Line

#: "Right after": the failing caller's error comes at most this long after the callee's last line
#: (a caller failing on an answer fails as it reads it; one that works on for longer failed in its
#: own work).
RIGHT_AFTER_S = 0.1
#: A service is seen around another in at least this share of the requests holding both: its caller.
CALLER_SHARE = 0.1
_TIMED_OUT = re.compile(r"time[sd]?[ -]?out|deadline exceeded|took too long", re.IGNORECASE)
#: Words of a call that got no answer at all (nothing to have been wrong in): refused, reset,
#: unreachable, no instance to send it to.
_NO_ANSWER = re.compile(
    r"connection refused|refused (?:the )?connection|econnrefused|econnreset|connection reset|reset by peer"
    r"|unreachable|unavailable|no route to host|no such host|name resolution|could not resolve"
    r"|no (?:healthy |live |ready |available )?(?:instances?|endpoints?|upstreams?|servers?|hosts?|replicas?)"
    r"|does not have available server|failed to establish a new connection|upstream connect error"
    r"|broken pipe|connectexception",
    re.IGNORECASE,
)


@dataclass
class Hops:
    """Per service, in how many failing requests it was where the failure began, and how."""

    #: its error came first (or a caller that timed out waited on it)
    failed: Counter[str] = field(default_factory=Counter)
    #: a caller failed right after its answer, and which callers did
    answered: Counter[str] = field(default_factory=Counter)
    callers: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def total(self) -> int:
        return sum(self.failed.values()) + sum(self.answered.values())

    def why(self, service: str, signal: str) -> str:
        """The reason a signal ("trace" or "answered") gives for a service, in one line."""
        if signal == "trace":
            return f"the deepest failing hop in {self.failed[service]} failing requests"
        n, callers = self.answered[service], [name for name, _ in self.callers[service].most_common(3)]
        return (
            f"in {n} failing request{'s' if n != 1 else ''} its caller ({', '.join(callers)}) failed right "
            "after it answered, while it logged no error (a wrong answer?)"
        )


class Callees:
    """Who calls whom, from the requests that did not fail: a caller is at work while its callee
    is, so the callee's lines lie within the caller's; a sibling's never do (they lie beside). Many
    services log only as they answer, so a caller is seen around its callee only in the requests
    where it also logged as it began: `b` is a callee of `a` when `b`'s lines lay within `a`'s in
    at least `CALLER_SHARE` of the requests that hold both (twice at least), more often than the
    other way round, and `a` seldom logged while `b` was at work (less than `CALLER_SHARE`): a
    service called twice in a request lies around what was called between, but logs within it."""

    def __init__(self, requests: dict[str, list[Line]], skip: set[str]) -> None:
        self._requests: list[dict[str, list[float]]] = []
        for trace, lines in requests.items():
            if trace in skip:
                continue
            times: dict[str, list[float]] = defaultdict(list)
            for line in lines:
                times[line.service].append(line.t)
            if len(times) > 1:
                self._requests.append(times)
        self._known: dict[tuple[str, str], bool] = {}

    def within(self, caller: str, callee: str) -> bool:
        key = (caller, callee)
        if key not in self._known:
            inside = outside = during = both = 0
            for times in self._requests:
                if caller in times and callee in times:
                    both += 1
                    mine, theirs = times[caller], times[callee]
                    (a0, a1), (b0, b1) = (mine[0], mine[-1]), (theirs[0], theirs[-1])
                    if a0 <= b0 and b1 <= a1 and (a0 < b0 or b1 < a1):
                        inside += 1
                    elif b0 <= a0 and a1 <= b1 and (b0 < a0 or a1 < b1):
                        outside += 1
                    during += any(b0 < t < b1 for t in mine)
            share = CALLER_SHARE * both
            self._known[key] = inside >= 2 and inside > outside and inside >= share and during < share
        return self._known[key]


def deepest_hops(
    lines: Sequence[Line],
    onset: float,
    fresh: dict[tuple[str, str], tuple[float, float]],
    *,
    answered: bool = True,
) -> Hops:
    """Per service, in how many failing requests after the onset the failure began at it.

    A request's failing services are those that logged an error in it (of a pattern that is new or
    rose since the onset: a warning every request logs says nothing). A failure travels up the call
    chain, so it began at the service whose error came first; of errors at the same moment, the one
    of the service that joined the request last (many services log only when they answer, so joining
    order alone misleads). When that first error says it timed out, the hop it waited on is deeper:
    the service (not failing) that still logged in the request after the caller gave up. Else, with
    `answered`, when the error came right after a callee of it (not failing) answered, the failure
    began in that answer."""
    spans: dict[str, dict[str, tuple[float, float]]] = defaultdict(dict)  # first and last line
    by_trace: dict[str, list[Line]] = defaultdict(list)
    failed: dict[str, dict[str, Line]] = defaultdict(dict)
    for line in lines:
        if line.trace is None:
            continue
        by_trace[line.trace].append(line)
        was = spans[line.trace].get(line.service)
        spans[line.trace][line.service] = (was[0] if was else line.t, line.t)
        if line.bad >= 0.5 and line.t >= onset and fresh.get((line.service, line.shape), (1.0, 1.0))[1] > 0:
            failed[line.trace].setdefault(line.service, line)
    callees = Callees(by_trace, set(failed))
    out = Hops()
    for trace, errors in failed.items():
        joined = spans[trace]
        if len(joined) < 2:
            continue  # one service's request: no hop to compare
        origin = min(errors, key=lambda s: (round(errors[s].t, 3), -joined[s][0], s))
        first = errors[origin]
        if _TIMED_OUT.search(first.row.message[:400]):
            # it gave up waiting: the hop it waited on is the one still at work after that
            busy = [s for s, (_, t) in joined.items() if t > first.t and s not in errors]
            out.failed[max(busy, key=lambda s: (joined[s][1], s)) if busy else origin] += 1
            continue
        callee = _answered_before(by_trace[trace], first, callees) if answered else None
        if callee is not None:
            out.answered[callee] += 1
            out.callers[callee][origin] += 1
        else:
            out.failed[origin] += 1
    return out


def _answered_before(lines: list[Line], error: Line, callees: Callees) -> str | None:
    """The callee whose line came last before `error` (its caller's first error in the request),
    when that was right before it and the callee logged no error itself; else None. An error that
    says the call got no answer at all (refused, reset, no instance) is not about an answer."""
    if _NO_ANSWER.search(error.row.message[:400]):
        return None
    last: Line | None = None
    for line in lines:
        if line.t > error.t:
            break
        if line is not error and line.service != error.service:
            last = line  # lines are in time order: the latest so far (of equal times, the later written)
    if last is None or error.t - last.t > RIGHT_AFTER_S:
        return None
    if any(line.service == last.service and line.bad >= 0.5 for line in lines if line.t <= error.t):
        return None  # it failed too: its own error is the evidence, not its answer
    return last.service if callees.within(error.service, last.service) else None

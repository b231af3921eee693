"""A suspect's entry in the ranking (`suspects.rank_suspects`): the `Suspect` model, the evidence
one service or host collects (`Evidence`), and how each entry is written.

- A service: its score is the sum of its weighted signals; its reason names its two strongest
  (the callers that name it, its own errors at the onset, the failing requests, its silence, a
  change it logged); its evidence line is its own new error, else the line behind its strongest
  reason.
- A host no log line comes from: the callers that fail calling it.
- After each service, the pod that carries `POD_SHARE` of its own evidence (when it has sibling
  pods), or else a pod that went quiet, and the change line it logged before the onset.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from sre_agent.clocks import stamp
from sre_agent.stacktrace import one_line
from sre_agent.suspect_signals import Line
from sre_agent.suspect_traces import Hops

#: A pod is named when it carries at least this share of its service's evidence (and has siblings).
POD_SHARE = 0.7


class Suspect(BaseModel):
    """One suspect: a service, a pod, a host others name, or a change line."""

    kind: Literal["service", "pod", "host", "change"]
    name: str
    service: str | None = Field(default=None, description="the service it belongs to (None for a host)")
    score: float
    reason: str = Field(description="one line: why it is suspected")
    evidence: str = Field(default="", description="its strongest evidence line, cut to one line")
    evidence_at: datetime | None = None
    signals: dict[str, float] = Field(default_factory=dict, description="each signal's weighted part")


class Evidence:
    """What one service (or host) collected: weight per (accuser, pattern) and example lines."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str], float] = defaultdict(float)
        self.kinds: dict[tuple[str, str], float] = {}
        self.lines = 0
        self.examples: dict[tuple[str, str], Line] = {}
        self.pods: dict[str, float] = defaultdict(float)
        self.pod_examples: dict[str, dict[tuple[str, str], Line]] = defaultdict(dict)

    def add(self, accuser: str, line: Line, weight: float, kind: float, pod: str | None) -> None:
        key = (accuser, line.shape)
        self.groups[key] += weight
        self.lines += 1
        self.kinds[key] = kind
        self.examples.setdefault(key, line)
        if pod:
            self.pods[pod] += weight
            self.pod_examples[pod].setdefault(key, line)

    def score(self) -> float:
        return sum(self.kinds[k] * math.log1p(w) for k, w in self.groups.items())

    def best(self) -> tuple[tuple[str, str], Line] | None:
        if not self.groups:
            return None
        key = max(self.groups, key=lambda k: (self.groups[k], k))
        return key, self.examples[key]


def _when(t: float, utc_offset: int | None) -> str:
    return stamp(datetime.fromtimestamp(t, UTC), utc_offset, "%H:%M:%S")


def _cut(line: Line) -> str:
    return one_line(line.row.message, 240)


def service_suspect(
    service: str,
    weighted: dict[str, float],
    own: dict[str, Evidence],
    named: dict[str, Evidence],
    hops: Hops,
    silent: dict[str, tuple[float, Line, str | None]],
    change_of: dict[str, tuple[float, Line]],
    utc_offset: int | None,
) -> Suspect:
    reasons: list[tuple[float, str, Line | None]] = []
    if "blame" in weighted:
        callers = sorted({accuser for accuser, _ in named[service].groups})
        best = named[service].best()
        reasons.append(
            (
                weighted["blame"],
                f"{len(callers)} other service{'s' if len(callers) != 1 else ''} ({', '.join(callers[:3])}"
                f"{', …' if len(callers) > 3 else ''}) name it in their errors",
                best[1] if best else None,
            )
        )
    if "onset" in weighted:
        best = own[service].best()
        patterns, lines_n = len(own[service].groups), own[service].lines
        reasons.append(
            (
                weighted["onset"],
                f"its own errors rose at the onset ({patterns} pattern{'s' if patterns != 1 else ''}, "
                f"{lines_n} line{'s' if lines_n != 1 else ''})",
                best[1] if best else None,
            )
        )
    for signal in ("trace", "answered"):
        if signal in weighted:
            reasons.append((weighted[signal], hops.why(service, signal), None))
    if "silence" in weighted:
        _, last, pod = silent[service]
        who = f"its pod {pod}" if pod else "it"
        reasons.append(
            (
                weighted["silence"],
                f"{who} (nearly) stopped logging at the onset (last before: {_when(last.t, utc_offset)})",
                last,
            )
        )
    if "change" in weighted:
        line = change_of[service][1]
        reasons.append(
            (
                weighted["change"],
                f"a change was logged at {_when(line.t, utc_offset)}, just before the onset",
                line,
            )
        )
    reasons.sort(key=lambda r: -r[0])
    # its own new error says most about it; else the line behind its strongest reason
    mine = own[service].best() if "onset" in weighted else None
    evidence = mine[1] if mine else next((line for _, _, line in reasons if line is not None), None)
    return Suspect(
        kind="service",
        name=service,
        service=service,
        score=round(sum(weighted.values()), 4),
        reason="; ".join(text for _, text, _ in reasons[:2]),
        evidence=_cut(evidence) if evidence else "",
        evidence_at=evidence.row.timestamp if evidence else None,
        signals={k: round(v, 4) for k, v in weighted.items()},
    )


def host_suspect(host: str, part: float, evidence: Evidence) -> Suspect:
    callers = sorted({accuser for accuser, _ in evidence.groups})
    best = evidence.best()
    suspect = _follower("host", host, None, part, "", best[1] if best else None)
    suspect.reason = (
        f"{', '.join(callers[:3])} fail{'s' if len(callers) == 1 else ''} calling it "
        "(a host no log line comes from)"
    )
    suspect.signals = {"blame": round(part, 4)}
    return suspect


def _follower(
    kind: str, name: str, service: str | None, score: float, reason: str, line: Line | None
) -> Suspect:
    return Suspect(
        kind=kind,  # type: ignore[arg-type]
        name=name,
        service=service,
        score=round(score, 4),
        reason=reason,
        evidence=_cut(line) if line else "",
        evidence_at=line.row.timestamp if line else None,
    )


def _pod_of(service: str, evidence: Evidence | None, siblings: set[str]) -> tuple[str, float, Line] | None:
    """The pod that carries `POD_SHARE` of a service's own evidence, when the service has others."""
    if evidence is None or len(siblings) < 2 or not evidence.pods:
        return None
    total = sum(evidence.pods.values())
    pod, weight = max(evidence.pods.items(), key=lambda item: (item[1], item[0]))
    if total <= 0 or weight / total < POD_SHARE:
        return None
    examples = evidence.pod_examples[pod]
    return pod, weight / total, examples[max(examples, key=lambda k: (evidence.groups[k], k))]


def with_pods_and_changes(
    suspects: list[Suspect],
    own: dict[str, Evidence],
    siblings: dict[str, set[str]],
    quiet_pods: dict[str, tuple[float, Line]],
    change_of: dict[str, tuple[float, Line]],
    utc_offset: int | None,
) -> list[Suspect]:
    """The list with, after each service, the pod that carries most of its evidence (when it has
    siblings) or else one that went quiet, and the change line it logged before the onset."""
    out: list[Suspect] = []
    for suspect in suspects:
        out.append(suspect)
        if suspect.kind != "service":
            continue
        service, score = suspect.name, suspect.score
        found = _pod_of(service, own.get(service), siblings[service])
        quiet = sorted(p for p, (_, line) in quiet_pods.items() if line.service == service)
        if found is not None:
            pod, share, line = found
            why = f"{round(100 * share)}% of the service's own new errors come from this pod"
            out.append(_follower("pod", pod, service, score * share, why, line))
        elif quiet and len(siblings[service]) >= 2:
            share, line = quiet_pods[quiet[0]]
            why = f"it (nearly) stopped logging at the onset (last line before: {_when(line.t, utc_offset)})"
            out.append(_follower("pod", quiet[0], service, score * share, why, line))
        if service in change_of:
            share, line = change_of[service]
            why = f"logged by {line.pod or service} at {_when(line.t, utc_offset)}, shortly before the onset"
            out.append(_follower("change", one_line(line.row.message, 80), service, score * share, why, line))
    return out

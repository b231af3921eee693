"""Name the suspect: rank the services, pods, hosts and changes most likely at fault.

The first question of a multi-service outage is "which service is it?", and the loudest lines
usually answer it wrongly: the callers of a failing service log the most errors. `rank_suspects`
weighs the signals of `suspect_signals.py`, `suspect_blame.py` and `suspect_traces.py` for every
service that logged:

    score = 0.5·onset + 1.5·blame + 1.0·trace + 1.0·answered + 0.7·silence + 0.3·change

- onset: the service's own bad lines since the trouble began, new patterns counting whole and
  patterns that were there before only for their rise; each (service, pattern) counts
  log(1 + its weight), so distinct patterns matter more than volume;
- blame: the bad lines of *other* services that name it (same weighting, per caller and pattern),
  and what those it calls pass on when their own errors mostly name it (`blame_flow`);
- trace: the share of failing requests in which it is the deepest failing hop;
- answered: the share of failing requests whose first error came right after it answered its
  caller (without an error of its own): a wrong answer fails the caller, not the callee;
- silence: how far its logging dropped at the onset (0 … 1);
- change: a rare deploy/config/restart line of it shortly before the onset (0 … 1).

onset and blame are shares of all the suspicion the bad lines carry (what a service keeps of its
own, what it ends up with of the others'); trace and answered are shares of the failing requests.
A pod follows its service in the list when its lines carry most of the service's evidence (the
fault is often in one pod); an unknown host that callers name (a database, `10.0.3.7:6379`) is a
suspect of its own; a change line follows the service it was logged by. Up to five suspects, best
first, each with a one-line reason and its strongest evidence line (`suspect_entries.py` writes
them). The confidence says how far the first
is ahead of the second: "high" (less than half its score), "medium" (less than 0.8), else
"unclear".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from sre_agent.clocks import stamp
from sre_agent.models import CleanRecord
from sre_agent.suspect_blame import Names, blame_flow, blamed
from sre_agent.suspect_entries import Evidence, Suspect, host_suspect, service_suspect, with_pods_and_changes
from sre_agent.suspect_signals import Line, changes, find_onset, novelty, read_lines, silence
from sre_agent.suspect_traces import Hops, deepest_hops

WEIGHTS = {"onset": 0.5, "blame": 1.5, "trace": 1.0, "answered": 1.0, "silence": 0.7, "change": 0.3}
MAX_SUSPECTS = 5
_HOST_DISCOUNT = 0.8
Confidence = Literal["high", "medium", "unclear"]


class SuspectRanking(BaseModel):
    suspects: list[Suspect] = Field(default_factory=list)
    onset: datetime | None = Field(default=None, description="when the trouble began")
    calm_before: bool = Field(default=False, description="a calmer period before the onset was compared")
    confidence: Confidence = "unclear"
    lines: int = 0

    def services(self) -> list[str]:
        """The services named, in order, each once (a pod or change counts for its service)."""
        out: list[str] = []
        for suspect in self.suspects:
            name = suspect.service or suspect.name
            if name not in out:
                out.append(name)
        return out


def rank_suspects(
    rows: Iterable[CleanRecord], *, utc_offset: int | None = None, disabled: Iterable[str] = ()
) -> SuspectRanking:
    """The suspects of `rows` (a session's stored lines), best first. `disabled` names signals to
    leave out (to measure what each adds)."""
    lines = read_lines(rows)
    if not lines:
        return SuspectRanking()
    off = set(disabled)
    onset, calm = find_onset(lines)
    fresh = novelty(lines, onset, calm)
    names = Names(lines)
    own: dict[str, Evidence] = defaultdict(Evidence)
    named: dict[str, Evidence] = defaultdict(Evidence)
    hosts: dict[str, Evidence] = defaultdict(Evidence)
    edges: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    own_weight: dict[str, float] = defaultdict(float)
    for line in lines:
        if line.t < onset or not line.bad:
            continue
        kind, rise = fresh.get((line.service, line.shape), (1.0, 1.0))
        weight = line.bad * rise
        if weight <= 0:
            continue
        services, unknown, sure = blamed(line, names) if "blame" not in off else (set(), set(), 0.0)
        if not services and not unknown:
            own[line.service].add(line.service, line, weight, kind, line.pod)
            own_weight[line.service] += weight
            continue
        share = weight * sure / (len(services) + len(unknown))
        for service in services:
            named[service].add(line.service, line, share, kind, None)
            edges[line.service][service] += share
        for host in unknown:
            hosts[host].add(line.service, line, share, kind, None)
            edges[line.service]["host:" + host] += share
    hops = deepest_hops(lines, onset, fresh, answered="answered" not in off) if "trace" not in off else Hops()
    quiet = silence(lines, onset, calm) if "silence" not in off else {}
    quiet_pods = silence(lines, onset, calm, key="pod") if "silence" not in off else {}
    moved = changes(lines, onset) if "change" not in off else []

    own_raw = {s: e.score() for s, e in own.items()}
    received = {s: e.score() for s, e in named.items()} | {"host:" + h: e.score() for h, e in hosts.items()}
    kept, blame = blame_flow(own_raw, received, edges, own_weight)
    # onset and blame are shares of one whole, all the suspicion the bad lines carry: a little
    # blame is little even when it is the only blame there is
    mass = sum(own_raw.values()) + sum(received.values()) or 1.0
    totals = {"onset": mass, "blame": mass, "trace": hops.total() or 1}
    change_of: dict[str, tuple[float, Line]] = {}
    for weight, line in moved:
        if weight > change_of.get(line.service, (0.0, line))[0]:
            change_of[line.service] = (weight, line)

    silent = {s: q for s in names.services if (q := _silence_of(s, quiet, quiet_pods)) is not None}
    suspects: list[Suspect] = []
    for service in names.services:
        signals = {
            "onset": kept.get(service, 0.0) / totals["onset"] if "onset" not in off else 0.0,
            "blame": blame.get(service, 0.0) / totals["blame"],
            "trace": hops.failed.get(service, 0) / totals["trace"],
            "answered": hops.answered.get(service, 0) / totals["trace"],
            "silence": silent[service][0] if service in silent else 0.0,
            "change": change_of[service][0] if service in change_of else 0.0,
        }
        weighted = {k: WEIGHTS[k] * v for k, v in signals.items() if v > 0}
        if weighted:
            suspects.append(
                service_suspect(service, weighted, own, named, hops, silent, change_of, utc_offset)
            )
    for host, evidence in hosts.items():
        part = WEIGHTS["blame"] * _HOST_DISCOUNT * blame.get("host:" + host, 0.0) / totals["blame"]
        suspects.append(host_suspect(host, part, evidence))
    suspects.sort(key=lambda s: (-s.score, s.name))
    siblings: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        if line.pod:
            siblings[line.service].add(line.pod)
    ranked = with_pods_and_changes(suspects, own, siblings, quiet_pods, change_of, utc_offset)
    return SuspectRanking(
        suspects=ranked[:MAX_SUSPECTS],
        onset=datetime.fromtimestamp(onset, UTC),
        calm_before=calm,
        confidence=_confidence(suspects),
        lines=len(lines),
    )


Quiet = dict[str, tuple[float, Line]]


def _silence_of(service: str, quiet: Quiet, pods: Quiet) -> tuple[float, Line, str | None] | None:
    """How far a service went quiet, its last line before, and the pod when only one of its pods
    did (half as telling as the whole service); None when it did not."""
    if service in quiet:
        return quiet[service][0], quiet[service][1], None
    mine = [(value, line) for value, line in pods.values() if line.service == service]
    if not mine:
        return None
    value, line = max(mine, key=lambda vl: (vl[0], vl[1].t))
    return 0.5 * value, line, line.pod


def _confidence(suspects: list[Suspect]) -> Confidence:
    """How far the first suspect is ahead of the second (services and hosts only)."""
    if not suspects:
        return "unclear"
    if len(suspects) == 1:
        return "high" if suspects[0].score >= 0.5 else "medium"
    ratio = suspects[1].score / suspects[0].score if suspects[0].score else 1.0
    return "high" if ratio < 0.5 else "medium" if ratio < 0.8 else "unclear"


def render_suspects(ranking: SuspectRanking, utc_offset: int | None = None) -> str:
    """The ranked list as Markdown: one numbered entry per suspect, its reason and evidence line."""
    out = []
    for i, suspect in enumerate(ranking.suspects, 1):
        entry = f"{i}. **{suspect.name}** ({suspect.kind}, score {suspect.score:.2f}): {suspect.reason}"
        if suspect.evidence:
            when = f"{stamp(suspect.evidence_at, utc_offset, '%H:%M:%S')} " if suspect.evidence_at else ""
            quoted = suspect.evidence.replace("`", "'")
            entry += f"\n   - {when}`{quoted}`"
        out.append(entry)
    return "\n".join(out)


def summary_phrase(ranking: SuspectRanking) -> str:
    """The summary's opening: the top suspect in plain words, with the confidence the ranking supports."""
    if not ranking.suspects:
        return ""
    top = ranking.suspects[0]
    what = {"service": "the service", "pod": "the pod", "host": "the host", "change": "the change"}[top.kind]
    text = f"Top suspect: {what} **{top.name}** ({ranking.confidence} confidence"
    names = ranking.services()
    if ranking.confidence == "unclear" and len(names) > 1:
        text += f"; **{names[1]}** is close behind"
    return text + f"): {top.reason}."

"""Questions about where something happens: "is that only the web boxes or are the workers and
beat getting it too?", "which pods log it?", "is it on the other nodes as well?".

They are answered by each host's first line of what the question names, in time order (where it
showed, and when it got there), not by the ten lines of the one host that logs it most. The
retrieve step orders its exact tiers so (`hosts_first`) when `asks_where` reads the question so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sre_agent.indexes import Hit
from sre_agent.workflows.anchors import holds
from sre_agent.workflows.order import heads_first, host_firsts, merge_hits

#: Names of the places a line comes from, as an engineer says them.
_PLACES = (
    r"(?:hosts?|pods?|nodes?|box(?:es)?|servers?|machines?|instances?|brokers?|workers?|replicas?"
    r"|containers?|vms?|dynos?|shards?|regions?|zones?)"
)

_WHERE = re.compile(
    r"\b(?:only|just)\b[^?.]{0,60}\bor\b[^?.]{0,80}\b(?:too|as well)\b"
    rf"|\b(?:which|what|how many) (?:of the )?{_PLACES}\b"
    r"|\b(?:on|across|in|from) (?:all|every|each|any|the other|other|more than one)(?: of the)?"
    rf" (?:\w+ )?{_PLACES}\b"
    r"|\b(?:anywhere|everywhere|elsewhere) else\b|\bspread(?:ing)? to\b",
    re.IGNORECASE,
)


def asks_where(question: str) -> bool:
    """Whether `question` asks on which hosts (pods, boxes, workers) something happens."""
    return _WHERE.search(question) is not None


def hosts_first(hits: Sequence[Hit], identifiers: Sequence[str]) -> list[Hit]:
    """`hits` (lines holding what the question names) as each host's first line in time, in time
    order, then the rest oldest first, the lines that say it before traces that only carry it
    (`heads_first`): the web box whose stack trace carries the error counts as much as the worker
    that says it in its first line."""
    in_time = sorted(hits, key=lambda hit: hit.timestamp)
    return merge_hits(host_firsts(in_time), heads_first(in_time, identifiers))


def each_named_in_turn(hits: Sequence[Hit], named: Sequence[str]) -> list[Hit]:
    """`hits` (lines holding any of several things the question names: "what changed on ns-1 and
    ns-2?") taken in turn, the best line of each named thing, then the second best of each, and so
    on, in `hits`' order within each; not the ten best lines of whichever one logs the most. A line
    counts for the first named thing it holds; lines holding none come last."""
    queues: list[list[Hit]] = [[] for _ in named]
    rest: list[Hit] = []
    for hit in hits:
        at = next((i for i, name in enumerate(named) if holds(hit, name)), None)
        (rest if at is None else queues[at]).append(hit)
    out: list[Hit] = []
    for rank in range(max((len(q) for q in queues), default=0)):
        out.extend(q[rank] for q in queues if rank < len(q))
    return out + rest

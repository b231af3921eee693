"""Follow-ups that point back at a machine: "had that box been limping before last night?",
"when did each of those nodes drop off the network?". The engineer means the host(s) the thread
has been about; the words themselves match nothing useful ("box" is in no log line).

- After each search, `subject_hosts` says which hosts the answer was about: those the question
  named (as an identifier, or the host a broad question was scoped to), else, for a question
  about what went wrong, the hosts that wrote or are named by most of its top lines. A question
  about something else (a switch port, a quoted message) leaves the thread's hosts as they were.
  The thread remembers them (`HOSTS_KEY`, `search_memory`).
- `referred_hosts` reads a later question: "that box" (one) is the first of them, "those boxes"
  (many) all of them, searched as if the question had named them, and the answer says so.
"""

from __future__ import annotations

import re
from collections import Counter

from sre_agent.indexes import LogIndex, SearchFilters
from sre_agent.indexes.filters import in_clause
from sre_agent.workflows.constraints import with_clause
from sre_agent.workflows.plan import RetrievalPlan
from sre_agent.workflows.results import ResultLine

#: In a thread's memory: the hosts its last answers were about, comma-separated.
HOSTS_KEY = "hosts"
#: The most hosts remembered (and searched for "those nodes").
MAX_HOSTS = 8
#: Rows of the top lines read to see which hosts wrote them.
SCAN_LIMIT = 5_000
#: Words in a message checked as host names (the ones with a digit: `bn251`, `cmp-09`, an IP).
MAX_NAMED = 12

_MACHINE = r"box|node|host|machine|server|instance|vm|pod|worker|broker|replica"
_ONE = re.compile(rf"\b(?:that|this|the same)\s+(?:{_MACHINE})\b", re.IGNORECASE)
_MANY = re.compile(
    r"\b(?:those|these|the same)\s+(?:boxes|nodes|hosts|machines|servers|instances|vms|pods|workers"
    r"|brokers|replicas)\b",
    re.IGNORECASE,
)
_HOST_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9]")


def referred_hosts(question: str, thread: dict[str, str] | None) -> tuple[list[str], str | None]:
    """The hosts "that box" / "those nodes" in `question` stand for, from the thread's memory,
    and the words that said it; ([], None) when the question points at none or none is known."""
    remembered = [h for h in (thread or {}).get(HOSTS_KEY, "").split(",") if h]
    if not remembered:
        return [], None
    if m := _MANY.search(question):
        return remembered[:MAX_HOSTS], m.group(0)
    if m := _ONE.search(question):
        return remembered[:1], m.group(0)
    return [], None


def subject_hosts(
    index: LogIndex, session: str, tables: list[str] | None, plan: RetrievalPlan, lines: list[ResultLine]
) -> list[str] | None:
    """The hosts an answer of `plan` with `lines` is about, most telling first; None when the
    question was about something else, or found nothing (the thread keeps the hosts it had)."""
    if not lines:  # (and a fetch that found nothing left no table to ask)
        return None
    if host := plan.field_filters.get("host"):
        return [host]
    named = [
        i for i in plan.identifiers if index.exists(session, tables=tables, filters=SearchFilters(host=i))
    ]
    if named:
        return named[:MAX_HOSTS]
    if not (plan.broad or plan.asks_what_went_wrong):
        return None
    return _most_telling(index, session, tables, plan, lines) or None


def _most_telling(
    index: LogIndex, session: str, tables: list[str] | None, plan: RetrievalPlan, lines: list[ResultLine]
) -> list[str]:
    """The hosts that wrote, or are named in, the most of `lines` (each distinct line once): at
    least two lines and at least half as many as the first."""
    scope = SearchFilters(
        start=plan.window.start if plan.window else None, end=plan.window.end if plan.window else None
    )
    rows = index.scan(
        session, tables=tables, filters=with_clause(scope, in_clause("message", (x.message for x in lines))),
        limit=SCAN_LIMIT,
    )  # fmt: skip
    wrote: dict[str, set[str]] = {}
    for row in rows:
        if row.host:
            wrote.setdefault(row.host, set()).add(row.message)
    words = {line.message: set(_HOST_WORD.findall(line.message)) for line in lines}
    for host in _named_hosts(index, session, tables, words, set(wrote)):
        wrote.setdefault(host, set()).update(message for message, said in words.items() if host in said)
    counts = Counter({host: len(messages) for host, messages in wrote.items()})
    ranked = counts.most_common()
    if not ranked:
        return []
    most = ranked[0][1]
    return [host for host, n in ranked if n >= 2 and 2 * n >= most][:MAX_HOSTS]


def _named_hosts(
    index: LogIndex, session: str, tables: list[str] | None, words: dict[str, set[str]], known: set[str]
) -> list[str]:
    """Words of the messages that are hosts of stored lines (`dest rank 140 (bn251)`): only words
    with a digit are looked up, at most `MAX_NAMED` of them besides the hosts already `known`."""
    said = dict.fromkeys(w for ws in words.values() for w in sorted(ws) if any(c.isdigit() for c in w))
    found = [w for w in said if w in known]
    for word in [w for w in said if w not in known][:MAX_NAMED]:
        if index.exists(session, tables=tables, filters=SearchFilters(host=word)):
            found.append(word)
    return found

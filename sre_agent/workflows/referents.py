"""Follow-ups that point back at a machine: "had that box been limping before last night?",
"when did each of those nodes drop off the network?". The engineer means the host(s) the thread
has been about; the words themselves match nothing useful ("box" is in no log line).

- After each search, `subject_hosts` says which hosts the answer was about: those the question
  named (as an identifier, or the host a broad question was scoped to), else, for a question
  about what went wrong, the hosts that wrote or are named by most of its top lines. A question
  about something else (a switch port, a quoted message) leaves the thread's hosts as they were.
  The thread remembers them (`HOSTS_KEY`, `search_memory`).
- `referred_hosts` reads a later question: "that box" (one) is the host that stood out, "those
  boxes" (many) all of them, searched as if the question had named them, and the answer says so.
  When the answer was about several hosts alike, "that box" is none of them, and the answer says
  that instead of guessing.
- `referred_window` reads "in that same run", "during that second outage": the time the thread's
  last windowed question asked about (`WINDOW_KEY`), for a follow-up that gives no time of its own.
  Only "that" / "the same" point back ("during this period" is the incident as a whole), and only
  after in / during / within / throughout ("after that evening" is another time).
- `referred_trouble` reads "is it just this one person, or is anyone else locked out?": the
  identifiers the thread last searched for (`NAMED_KEY`: `PERMISSION_DENIED`), searched again for
  everyone, for a follow-up that names none of its own.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple

from sre_agent.indexes import LogIndex, SearchFilters
from sre_agent.indexes.filters import LEVEL_RANKS, in_clause, level_rank
from sre_agent.models import TimeWindow
from sre_agent.workflows.constraints import with_clause
from sre_agent.workflows.plan import RetrievalPlan
from sre_agent.workflows.results import ResultLine

#: In a thread's memory: the hosts its last answers were about, comma-separated, and the one of
#: them that stood out ("" when several were alike).
HOSTS_KEY = "hosts"
ONE_HOST_KEY = "host_one"
#: In a thread's memory: the last window a question of it was searched in ("start/end", ISO, UTC).
WINDOW_KEY = "window"
#: In a thread's memory: the identifiers its last question naming any searched for, one per line.
NAMED_KEY = "named"
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
_SPAN = (
    r"stretch|period|run|outage|incident|episode|spell|burst|storm|spike|window|time|minutes?|hours?"
    r"|night|evening|morning|afternoon|wave|failure|crash|restart|update|deploy(?:ment)?|job|attempt"
)
_THAT_TIME = re.compile(
    rf"\b(?:in|during|within|throughout)\s+(?:that|the\s+same)\s+(?:[a-z]+\s+)?(?:{_SPAN})\b", re.IGNORECASE
)
_ANYONE_ELSE = re.compile(
    r"\b(?:any(?:one|body) else|some(?:one|body) else|who else|other (?:users|customers|people"
    r"|persons|accounts|tenants|members|clients|callers)|(?:just|only) (?:this|that|the|one) (?:one )?"
    r"(?:person|user|customer|account|tenant|member|client|caller|one)|blast radius)\b",
    re.IGNORECASE,
)
_HOST_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9]")


class Referent(NamedTuple):
    """What "that box" / "those nodes" in a question stands for."""

    hosts: list[str]  # searched as if the question had named them ([]: none)
    said: str | None  # the words that pointed back
    alike: list[str]  # "that box" when the thread's answers were about these alike: none assumed


def referred_hosts(question: str, thread: dict[str, str] | None) -> Referent:
    """The hosts "that box" / "those nodes" in `question` stand for, from the thread's memory;
    no hosts when the question points at none or the thread knows none."""
    memory = thread or {}
    remembered = [h for h in memory.get(HOSTS_KEY, "").split(",") if h]
    if not remembered:
        return Referent([], None, [])
    if m := _MANY.search(question):
        return Referent(remembered[:MAX_HOSTS], m.group(0), [])
    if m := _ONE.search(question):
        one = memory.get(ONE_HOST_KEY, "")
        return Referent([one], m.group(0), []) if one else Referent([], m.group(0), remembered)
    return Referent([], None, [])


def remembered_window(window: TimeWindow) -> str:
    """How `WINDOW_KEY` holds `window`."""
    return f"{window.start.isoformat()}/{window.end.isoformat()}"


def thread_window(thread: dict[str, str] | None) -> TimeWindow | None:
    """The window the thread last asked about (`WINDOW_KEY`); None when it has none."""
    remembered = (thread or {}).get(WINDOW_KEY, "")
    if not remembered:
        return None
    start, _, end = remembered.partition("/")
    try:
        return TimeWindow(start=datetime.fromisoformat(start), end=datetime.fromisoformat(end))
    except ValueError:  # a memory file edited by hand: no window, rather than a crash
        return None


def referred_window(question: str, thread: dict[str, str] | None) -> tuple[TimeWindow, str] | None:
    """The window "in that same run" in `question` stands for (the thread's last one) and the words
    that pointed back; None when the question points at no earlier time or the thread has none."""
    m = _THAT_TIME.search(question)
    if m is None or (window := thread_window(thread)) is None:
        return None
    return window, m.group(0)


def referred_trouble(question: str, thread: dict[str, str] | None) -> tuple[list[str], str] | None:
    """What "is anyone else locked out?" in `question` asks about: the identifiers the thread last
    searched for, and the words that asked; None when it asks about no one else or the thread
    searched for none."""
    named = [i for i in (thread or {}).get(NAMED_KEY, "").split("\n") if i]
    m = _ANYONE_ELSE.search(question)
    if not named or m is None:
        return None
    return named, m.group(0)


def subject_hosts(
    index: LogIndex, session: str, tables: list[str] | None, plan: RetrievalPlan, lines: list[ResultLine]
) -> tuple[list[str], str | None] | None:
    """The hosts an answer of `plan` with `lines` is about, most telling first, and the one that
    stands out (half again as telling as the next; None when several are alike); None when the
    question was about something else, or found nothing (the thread keeps the hosts it had)."""
    if not lines:  # (and a fetch that found nothing left no table to ask)
        return None
    if host := plan.field_filters.get("host"):
        return [host], host
    asked = [  # its identifiers and short ids ("what did bn251 log?") that are hosts
        i
        for i in dict.fromkeys([*plan.identifiers, *plan.terms])
        if index.exists(session, tables=tables, filters=SearchFilters(host=i))
    ]
    if asked:
        return asked[:MAX_HOSTS], asked[0] if len(asked) == 1 else None
    if not (plan.broad or plan.asks_what_went_wrong):
        return None
    # the answer's warnings and errors, when it has any: not the routine lines that fill it up
    telling = [line for line in lines if level_rank(line.level) >= LEVEL_RANKS["WARN"]] or lines
    wrote, named = _who_wrote_and_who_is_named(index, session, tables, plan, telling)
    ranked = most_telling(wrote, named)
    if not ranked:
        return None
    return [host for host, _ in ranked], standing_out(ranked)


def most_telling(wrote: dict[str, set[str]], named: dict[str, set[str]]) -> list[tuple[str, int]]:
    """The hosts that wrote (`wrote`) or are named in (`named`) the most distinct lines, with that
    count, most first: a line naming a host counts twice (a line a host wrote may be about others:
    a subnet manager reporting the fabric); at least two, and at least half the first's."""
    counts = {
        host: len(wrote.get(host, set()) | named.get(host, set())) + len(named.get(host, ()))
        for host in {*wrote, *named}
    }
    # most first, ties by name: the same order in every process (a set's order is not)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if not ranked:
        return []
    most = ranked[0][1]
    return [(host, n) for host, n in ranked if n >= 2 and 2 * n >= most][:MAX_HOSTS]


def standing_out(ranked: list[tuple[str, int]]) -> str | None:
    """The first host of `ranked` when it is alone or counts half again as much as the next."""
    if not ranked:
        return None
    if len(ranked) == 1 or 2 * ranked[0][1] >= 3 * ranked[1][1]:
        return ranked[0][0]
    return None


def _who_wrote_and_who_is_named(
    index: LogIndex, session: str, tables: list[str] | None, plan: RetrievalPlan, lines: list[ResultLine]
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """For each host, which of `lines` (in the plan's window) it wrote, and which name it."""
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
    named: dict[str, set[str]] = {}
    for host in _named_hosts(index, session, tables, words, set(wrote)):
        named[host] = {message for message, said in words.items() if host in said}
    return wrote, named


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

"""Questions about something going down and coming back: "did the init system bring it back by
itself?", "which servers were restarted, and when did each come back up?", "did it actually come
back up?". The lines that answer say it in their own words (`Scheduled restart job`, `Started
Inventory sync worker.`, `Start proc 13003:…`, `Server api2 is UP`), rarely the question's.

`asks_about_restarts` reads the question; `restart_ids` finds the stored lines in scope whose words
say a process or service stopped, started or came back (`speaks_of_restart`), leaving out shapes
that repeat more than `MAX_REPEATS_PER_HOST` times on one host (a worker that logs "task started"
for every task is not restarting); among the lines of what the question names when some say so
("did api3 come back?"). The retrieve step ranks those lines by the question, after the lines of
what the question names.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import timedelta

from sre_agent.indexes import Hit, LogIndex, SearchFilters, StoredRecord
from sre_agent.workflows.changes import SCAN_LIMIT, rare_ids_saying
from sre_agent.workflows.constraints import any_identifier_clause, with_clause
from sre_agent.workflows.order import merge_hits, shape_firsts

#: A line whose shape repeats more than this many times on one host is routine, not a restart.
MAX_REPEATS_PER_HOST = 10
#: The most lines handed on to be ranked (an `id IN (...)` clause).
MAX_RESTARTS = 200
#: The part of a line read for restart words.
HEAD_CHARS = 300
#: How soon after a change line (a shutdown, a reload) a line of its host saying it is back
#: belongs to that change.
RETURN_WITHIN = timedelta(minutes=5)

#: Words of a question about something coming back: "came back", then "back up", "running again".
_COME_BACK = r"\b(?:come|comes|came|coming|get|got|brought|bring|bringing)\s+(?:\w+\s+)?back\b"
_BACK_AGAIN = (
    r"|\bback\s+(?:up|online|to life)\b"
    r"|\b(?:answering|responding|serving|running)\s+again\b"
    r"|\bstart(?:ed)?\s+(?:up\s+)?again\b"
)
_ASKS = re.compile(
    r"\b(?:re-?start(?:ed|s|ing)?|re-?boot(?:ed|s|ing)?|bounced?|booted|re-?spawn(?:ed|s)?)\b"
    rf"|{_COME_BACK}(?!\s+(?:in|into|to normal|from|with|and forth)){_BACK_AGAIN}",
    re.IGNORECASE,
)
_RESTART_WORDS = re.compile(
    r"\b(?:re-?start\w*|start(?:ed|ing|s)?|start-?up|re-?boot\w*|boot(?:ed|ing)|(?:re-?)?spawn(?:ed|ing)?"
    r"|launch(?:ed|ing)|ready|listening|initiali[sz](?:ed|ing|ation)|(?:is|are|now|back|came|comes) up"
    r"|online|recover(?:ed|ing|y)|resum(?:ed|ing)|new process|stopp(?:ed|ing)|shut(?:ting)?\s?down"
    r"|exit(?:ed|ing)|terminat(?:ed|ing))\b",
    re.IGNORECASE,
)

#: A question about the return ("did it come back up?"), not only about the going down.
_ASKS_RETURN = re.compile(rf"{_COME_BACK}{_BACK_AGAIN}|\brecover(?:ed|y)?\b", re.IGNORECASE)
#: The words of a line that says something started or is back (not that it stopped).
_RETURN_WORDS = re.compile(
    r"\b(?:re-?start(?:ed)?|start(?:ed|ing|s)?|re-?boot(?:ed)?|boot(?:ed)|(?:re-?)?spawned"
    r"|launch(?:ed|ing)|ready|listening|initiali[sz]ed|(?:is|are|now|back|came|comes) up|online"
    r"|recovered|resum(?:ed|ing)|new process)\b",
    re.IGNORECASE,
)

#: The words of a line that says a process stops: the first half of a redeploy whose start banner
#: is the change (`Keycloak stopped in 0.232s`, then `Keycloak 24.0.5 … started`).
_STOP_WORDS = re.compile(
    r"\b(?:stopp(?:ed|ing)|shut(?:ting)?\s?down|exit(?:ed|ing)|terminat(?:ed|ing)|killed)\b", re.IGNORECASE
)


# "after coming back, did a node resync?", "since it came back, …": the return only sets the time
_SINCE_BACK = re.compile(
    r"\b(?:after|since|once)\s+(?:\w+\s+)?(?:come|comes|came|coming|got|getting)\s+back\b[^,?.]*",
    re.IGNORECASE,
)


def asks_about_restarts(question: str) -> bool:
    """Whether `question` asks about something going down and coming back (a restart, a reboot,
    a process brought back); not when a return only says when ("after coming back, did …?")."""
    return _ASKS.search(_SINCE_BACK.sub(" ", question)) is not None


def returns_first(hits: Sequence[Hit], question: str) -> list[Hit]:
    """`hits` (lines that say a stop, start or return), with those that say a start or a return
    first when `question` asks about the return ("did it come back up?": `ready to accept
    connections` before `terminating connection because of crash`), one line of each shape before a
    shape's second; otherwise in their own order."""
    if _ASKS_RETURN.search(_SINCE_BACK.sub(" ", question)) is None:
        return list(hits)
    back = [hit for hit in hits if _RETURN_WORDS.search(hit.message[:HEAD_CHARS])]
    # one line of each kind first: "starting up" ×8 is one thing, not eight
    return merge_hits(merge_hits(shape_firsts(back), back), hits)


def speaks_of_restart(text: str) -> bool:
    """Whether `text` says something stopped, started or came back."""
    return _RESTART_WORDS.search(text) is not None


def restart_ids(
    index: LogIndex, session: str, tables: list[str] | None, filters: SearchFilters, named: Sequence[str] = ()
) -> list[str]:
    """The ids of the stored lines passing `filters` that speak of a stop, start or return, oldest
    first (at most `MAX_RESTARTS`): among the lines holding any of `named` (what the question
    names: "did api3 come back?") when some do, else among all."""
    if named:
        held = with_clause(filters, any_identifier_clause(named))
        if found := _restart_ids(index, session, tables, held):
            return found
    return _restart_ids(index, session, tables, filters)


def _restart_ids(
    index: LogIndex, session: str, tables: list[str] | None, filters: SearchFilters
) -> list[str]:
    return rare_ids_saying(
        index,
        session,
        tables,
        filters,
        lambda row: _head_says_restart(row.message),
        MAX_REPEATS_PER_HOST,
        MAX_RESTARTS,
    )


def _head_says_restart(message: str) -> bool:
    """Whether the first `HEAD_CHARS` of `message` say a stop, start or return: a `Started` deep
    in a stack trace or a dumped config is not a restart."""
    return speaks_of_restart(message[:HEAD_CHARS])


def return_ids(
    index: LogIndex, session: str, tables: list[str] | None, filters: SearchFilters, changed: Sequence[str]
) -> list[str]:
    """The ids of the lines passing `filters` that say a process is back (`ready`, `started`,
    `listening`) on the host of a change line (`changed`, ids) within `RETURN_WITHIN` after it,
    the first such line after each change: "was anything rolled out?" is answered by `Warm
    shutdown` and, 7 s later, `celery@worker-1 ready.`; a deploy is the stop and the start. When
    the change is itself a start (a start banner naming its release), the last line of its host
    saying a stop within `RETURN_WITHIN` before it comes too. Shapes that repeat more than
    `MAX_REPEATS_PER_HOST` times on one host are routine, not a return."""
    rows = index.scan(session, tables=tables, filters=filters, limit=SCAN_LIMIT)
    per_host = Counter((row.shape, row.host) for row in rows)
    wanted = set(changed)
    on_host: dict[str | None, list[StoredRecord]] = defaultdict(list)  # oldest first, as scanned
    for row in rows:
        on_host[row.host].append(row)
    found: list[str] = []
    for change in (row for row in rows if row.id in wanted):
        mine = on_host[change.host]  # its host's lines after it, up to `RETURN_WITHIN` on
        start = bisect_right(mine, change.timestamp, key=lambda row: row.timestamp)
        end = bisect_right(mine, change.timestamp + RETURN_WITHIN, key=lambda row: row.timestamp)
        back = next(
            (
                row
                for row in mine[start:end]
                if row.id not in wanted
                and per_host[(row.shape, row.host)] <= MAX_REPEATS_PER_HOST
                and _RETURN_WORDS.search(row.message[:HEAD_CHARS])
            ),
            None,
        )
        # a change that is itself a start: the stop just before it, on its host, belongs to it
        stop = None
        if _RETURN_WORDS.search(change.message[:HEAD_CHARS]):
            begin = bisect_left(mine, change.timestamp - RETURN_WITHIN, key=lambda row: row.timestamp)
            before = bisect_left(mine, change.timestamp, key=lambda row: row.timestamp)
            stop = next(
                (
                    row
                    for row in reversed(mine[begin:before])
                    if per_host[(row.shape, row.host)] <= MAX_REPEATS_PER_HOST
                    and _STOP_WORDS.search(row.message[:HEAD_CHARS])
                ),
                None,
            )
        for line in (stop, back):
            if line is not None and line.id not in found:
                found.append(line.id)
    return found

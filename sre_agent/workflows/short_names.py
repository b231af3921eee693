"""Short names the logs spell out: "core-1 te1/0/12 keeps going down" asks about the line
`Interface TenGigabitEthernet1/0/12, changed state to down`. Network engineers type an interface
as its first letters and its number (`te1/0/12`, `gi0/1`, `eth1/12`); the device logs the whole
name. A name of the question that is such a short form (a few letters, then numbers joined by `/`,
`:` or `.`) is also searched for as the one stored name that begins with its letters and ends
with its numbers, said in the answer; with none or more than one such name, it stays as asked.
"""

from __future__ import annotations

import re

from sre_agent.indexes import LogIndex, SearchFilters
from sre_agent.indexes.filters import sql_string
from sre_agent.workflows.constraints import with_clause
from sre_agent.workflows.order import like
from sre_agent.workflows.plan import RetrievalPlan

#: A short form: one to four letters, then numbers joined by `/`, `:` or `.` (`te1/0/12`, `gi0/1`).
_SHORT = re.compile(r"([A-Za-z]{1,4})(\d+(?:[/:.]\d+)+)")
#: The stored lines read for the whole name of one short form.
LOOKED_AT = 50


def _long_name(index: LogIndex, session: str, tables: list[str] | None, short: str) -> str | None:
    """The one stored name `short` abbreviates (see module doc), or None."""
    m = _SHORT.fullmatch(short)
    if m is None:
        return None
    letters, number = m.group(1).lower(), m.group(2)
    name = f"{re.escape(letters)}[a-z-]*{re.escape(number)}"  # its letters, maybe more, its number
    # the lines holding it (the engine's regex has no lookarounds: the bounds are matched), then
    # the name read from them, case aside
    sql = (
        f"({like('text', number)} AND regexp_like(lower(text), "
        f"{sql_string(f'(?:^|[^a-z0-9_]){name}(?:[^0-9/:.]|$)')}))"
    )
    rows = index.scan(session, tables=tables, filters=with_clause(SearchFilters(), sql), limit=LOOKED_AT)
    whole = re.compile(rf"(?<![A-Za-z0-9_]){name}(?![0-9/:.])", re.IGNORECASE)
    names = {found.group(0) for row in rows for found in whole.finditer(row.message)}
    longer = {name for name in names if len(name) > len(short)}  # not `Te1/0/12` itself
    return longer.pop() if len(longer) == 1 else None


def spell_out(index: LogIndex, session: str, tables: list[str] | None, plan: RetrievalPlan) -> list[str]:
    """Add to `plan`'s terms (in place) the stored name each short form among them stands for (a
    device may log both: `Te1/0/12: Rx power low` and `Interface TenGigabitEthernet1/0/12 …`),
    with a note for each. (The question's short forms are terms: the refine step reads a word with
    digits as one.)"""
    notes: list[str] = []
    for short in list(plan.terms):
        if (long := _long_name(index, session, tables, short)) is not None and long not in plan.terms:
            plan.terms.append(long)
            plan.query_text = f"{plan.query_text} {long}"
            notes.append(f"'{short}' also read as '{long}', the name the stored lines use")
    return notes

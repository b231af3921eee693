"""Which time window a plan is searched in, settled before the search (`settle_window`).

- A time phrase can be read more than one way (a range across midnight: the night before;
  "overnight on feb 14": the night into the 14th, else the night after it): the first reading
  that holds a stored line is used, and the answer says when that was not the first.
- A window that holds no stored line at all is said, with the span the stored lines cover; a
  question that names something (a quoted phrase, an id, a field value) is then searched in all
  of them ("'deadlock detected' fired overnight on feb 14" when the night was read wrong).
- A window that holds stored lines but none holding any identifier the question names, while
  lines outside it do, is dropped the same way, and said ("where did replica set X come from?
  nobody deployed today": X was created yesterday); so is one that holds no line of a short name
  it gives (`web02`). A question asking what went wrong in a window it gives in clock times ("ceph
  -s shows HEALTH_WARN: whats going on between 09:31 and 09:32?") is about the window: it keeps
  it and reads its worst lines instead ("this morning" is too loose a time to outweigh an id).
- What the question names goes on after its window ends ("command 3106 before midnight: did that
  boot go through?" — it timed out at 00:03): `just_after` is the stretch after the window where
  its lines are still looked for, after those inside it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sre_agent.clocks import MINUTES, span
from sre_agent.indexes import LogIndex, SearchFilters
from sre_agent.models import TimeWindow
from sre_agent.workflows.constraints import identifier_clause, with_clause
from sre_agent.workflows.plan import RetrievalPlan


def settle_window(
    index: LogIndex, session: str, tables: list[str] | None, plan: RetrievalPlan
) -> tuple[bool, list[str]]:
    """Settle `plan.window` in place (another reading, or None to search everything); False when
    nothing is to be searched at all (a window with no stored line, and the question names
    nothing to look for elsewhere), and the notes for the answer."""
    if plan.window is None:
        return True, []
    asked = _text(plan.window, plan.utc_offset)
    window = _first_holding(index, session, tables, plan)
    if window is None:
        empty = f"no stored line in {asked}{_covered(index, session, tables, plan)}"
        if not (plan.identifiers or plan.terms or plan.field_filters):
            return False, [empty]
        plan.window = None  # "'deadlock detected' fired overnight on feb 14": wherever it is
        return True, [f"{empty}, so I searched them all for what the question names"]
    notes = []
    if window != plan.window:
        notes.append(f"no stored line in {asked}, so I read the time as {_text(window, plan.utc_offset)}")
        plan.window = window
    names = named_things(plan)
    elsewhere = names and not _holds_one(index, session, tables, names, plan.window)
    elsewhere = elsewhere and _holds_one(index, session, tables, names, None)
    named = ", ".join(f"'{i}'" for i in names)
    if elsewhere and plan.asks_what_went_wrong and plan.identifiers and plan.window_by_clock:
        # "ceph -s shows HEALTH_WARN: whats going on between 09:31 and 09:32?" asks about the window
        notes.append(
            f"no line in {_text(plan.window, plan.utc_offset)} holds {named}, so I read the window's "
            "worst lines"
        )
        plan.identifiers, plan.broad = [], True
        plan.min_level, plan.prefer_level = plan.prefer_level or plan.min_level or "WARN", None
    elif elsewhere:
        notes.append(
            f"no line in {_text(plan.window, plan.utc_offset)} holds {named}, so I searched all the "
            f"stored lines{_covered(index, session, tables, plan)}"
        )
        plan.window = None
    return True, notes


#: How long after a window the lines of what the question names are still looked for: as long
#: as the window, at least `AFTER_MIN` and at most `AFTER_MAX`.
AFTER_MIN = timedelta(minutes=15)
AFTER_MAX = timedelta(hours=1)


def just_after(window: TimeWindow | None, filters: SearchFilters) -> SearchFilters | None:
    """`filters` moved to the stretch right after `window` (None without a window)."""
    if window is None:
        return None
    start = window.end + timedelta(microseconds=1)
    return filters.model_copy(update={"start": start, "end": read_on_to(window)})


def read_on_to(window: TimeWindow) -> datetime:
    """The end of the stretch `just_after` reads."""
    return window.end + min(max(window.end - window.start, AFTER_MIN), AFTER_MAX)


def absent(
    index: LogIndex, session: str, tables: list[str] | None, filters: SearchFilters, clause: str
) -> str:
    """Why no line passing `filters` holds an identifier (`clause`), in words: no stored line at
    all, or only lines outside the time asked about (or outside the question's other filters), and
    how many."""
    elsewhere = index.count_matching(session, tables=tables, filters=SearchFilters(where=clause))
    if not elsewhere:
        return "no stored line holds it"
    lines = f"{elsewhere} stored line{'s' if elsewhere > 1 else ''}"
    does = "does" if elsewhere == 1 else "do"
    timeless = with_clause(filters.model_copy(update={"start": None, "end": None}), clause)
    if (filters.start or filters.end) and index.exists(session, tables=tables, filters=timeless):
        return f"no line in the time asked about holds it; {lines} outside it {does}"
    return f"no line the question's filters keep holds it; {lines} outside them {does}"


def unheld_numbers(
    index: LogIndex, session: str, tables: list[str] | None, plan: RetrievalPlan, filters: SearchFilters
) -> list[str]:
    """The question's numbers and short ids (one word, a digit in it: `149340`, `TID-56`) that no
    line passing `filters` holds, each with why (`absent`): "why did order 149340 fail?" over logs
    that never name that order says so instead of answering with other orders alone."""
    out = []
    for term in plan.terms:
        if " " in term or not any(c.isdigit() for c in term):
            continue
        clause = identifier_clause(term)
        if not index.exists(session, tables=tables, filters=with_clause(filters, clause)):
            out.append(f"'{term}' ({absent(index, session, tables, filters, clause)})")
    return out


def _first_holding(
    index: LogIndex, session: str, tables: list[str] | None, plan: RetrievalPlan
) -> TimeWindow | None:
    """The first reading of the question's time that holds a stored line; None when none does."""
    for window in [plan.window, *plan.window_alternatives]:
        if window is not None and index.exists(
            session, tables=tables, filters=SearchFilters(start=window.start, end=window.end)
        ):
            return window
    return None


def named_things(plan: RetrievalPlan) -> list[str]:
    """What the question names that a window must hold a line of: its identifiers, else its short
    names with a letter and a digit (`web02`, `osd.7`; not a bare number such as a status code)."""
    if plan.identifiers:
        return plan.identifiers
    return [
        term
        for term in plan.terms
        if " " not in term and any(c.isdigit() for c in term) and any(c.isalpha() for c in term)
    ]


def _holds_one(
    index: LogIndex, session: str, tables: list[str] | None, names: list[str], window: TimeWindow | None
) -> bool:
    """Whether a stored line (in `window`, if one is given) holds one of `names`."""
    filters = SearchFilters(start=window.start, end=window.end) if window else SearchFilters()
    return any(
        index.exists(session, tables=tables, filters=with_clause(filters, identifier_clause(i)))
        for i in names
    )


def _covered(index: LogIndex, session: str, tables: list[str] | None, plan: RetrievalPlan) -> str:
    """' (the stored lines run <first> → <last>)', in the logs' clock; '' when none is stored."""
    stored = index.time_span(session, tables=tables)
    if stored is None:
        return ""
    first, last = (datetime.fromtimestamp(t / 1_000_000, tz=UTC) for t in stored)
    return f" (the stored lines run {span(first, last, plan.utc_offset, MINUTES)})"


def _text(window: TimeWindow, utc_offset: int | None) -> str:
    return span(window.start, window.end, utc_offset, MINUTES)

"""The days a thread is about and asked on, as its memory keeps them: the day its last window was
on (`THREAD_DAY`: a follow-up's clock time with no date is read on it) and, when a question placed
that day in the past ("started yesterday … on jul 10"), the day the thread is held on
(`THREAD_TODAY`: its "today"). `refine.py` reads them; `search_memory.py` writes them.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from sre_agent.models import TimeWindow

#: The thread-memory key of the day (ISO date, in the logs' clock) the thread's last window was on.
THREAD_DAY = "day"


#: The thread-memory key of the day its questions are asked on, when one placed its day in the past
#: ("started yesterday … on jul 10": it is jul 11), in the logs' clock.
THREAD_TODAY = "today"
#: Words that place the day asked about before the day of asking.
_SAID_BEFORE_TODAY = re.compile(r"\b(?:yesterday|last night)\b", re.IGNORECASE)


def remembered_day(thread: dict[str, str] | None, key: str = THREAD_DAY) -> date | None:
    """The day earlier turns of the thread asked about (`THREAD_DAY`), if any: a follow-up's clock
    time with no date ("and after 18:00?") is read on it; or (`key` `THREAD_TODAY`) the day they
    said they were asked on."""
    value = (thread or {}).get(key)
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def day_of_asking(question: str, window: TimeWindow, utc_offset: int | None) -> date | None:
    """The day `question` is asked on when it says its `window` was yesterday or last night (the
    morning after the night), in the logs' clock; None when it does not say so."""
    said = _SAID_BEFORE_TODAY.search(question)
    if said is None:
        return None
    start = window.start + timedelta(minutes=utc_offset or 0)
    if said.group(0).lower() == "last night":
        return (start + timedelta(hours=12)).date()  # 21:30 or 00:30: the morning after
    return start.date() + timedelta(days=1)

"""What a thread remembers of one search, for the questions after it (`Engine.run_job`).

- The field filters the question used (user, request, method): a follow-up that says "the user"
  or "that request" inherits them.
- The day its time window was on, in the logs' own clock (`thread_days.THREAD_DAY`): a follow-up's
  clock time with no day is read on that day.
- Which logs source filled which table, and the spans its fetch read whole (`sources.with_fetch`):
  a later question about the same source and time is answered from the table, not fetched again.
- Its time window: "in that same run" in a follow-up (`referents.referred_window`).
- The identifiers it searched for ("PERMISSION_DENIED"), not hosts "that box" stood for: "is
  anyone else locked out?" in a follow-up (`referents.referred_trouble`).
- The hosts its answer was about (`referents.subject_hosts`): "that box" in a follow-up.
- The clock the logs were written in (`ThreadMemory.remember`).
"""

from __future__ import annotations

import json
from datetime import timedelta

from sre_agent.connectors.base import Logstore
from sre_agent.connectors.file import FileLogstore
from sre_agent.connectors.remote import window_of
from sre_agent.sources import SOURCES_KEY, read_spans, source_id, with_fetch
from sre_agent.thread_memory import ThreadMemory
from sre_agent.workflows.events import SearchJob
from sre_agent.workflows.precursors import TROUBLE_KEY, trouble_shapes
from sre_agent.workflows.referents import HOSTS_KEY, NAMED_KEY, ONE_HOST_KEY, WINDOW_KEY, remembered_window
from sre_agent.workflows.results import SearchResult
from sre_agent.workflows.thread_days import THREAD_DAY, THREAD_TODAY, day_of_asking


def remember_search(
    threads: ThreadMemory, job: SearchJob, result: SearchResult, logstore: Logstore | None
) -> None:
    """Add what `job`'s search found out to its thread's memory; when it fetched from `logstore`,
    that source is named on `result` too."""
    memory = threads.read(job.session)
    remembered = dict(result.plan.field_filters)
    # A follow-up's clock time with no day is read on this one: the date the question wrote ("fired
    # overnight on feb 14": the 14th, though the night began on the 13th); else, when the thread
    # has no day yet, its window's day ("today" or a clock time alone does not move a thread's day).
    if result.plan.day is not None:
        remembered[THREAD_DAY] = result.plan.day.isoformat()
    elif result.plan.window is not None and THREAD_DAY not in memory and not result.plan.before_then:
        clock = timedelta(minutes=result.utc_offset or 0)
        remembered[THREAD_DAY] = (result.plan.window.start + clock).date().isoformat()
    # "started yesterday … on jul 10": the thread is held on jul 11, and its "today" is that day
    if result.plan.window is not None and THREAD_TODAY not in memory:
        asked_on = day_of_asking(result.question, result.plan.window, result.utc_offset)
        if asked_on is not None:
            remembered[THREAD_TODAY] = asked_on.isoformat()
    if result.plan.identifiers and result.plan.referent is None:  # its own, not "that box"'s hosts
        remembered[NAMED_KEY] = "\n".join(result.plan.identifiers)
    if result.plan.window is not None and not result.plan.before_then:  # not the week before it
        remembered[WINDOW_KEY] = remembered_window(result.plan.window)
        # What "before it" is before, "did it recover" is about: what a question about a window
        # found failing ("what went wrong between …?" starts a new story); a follow-up's window
        # ("warnings earlier today?") does not replace the trouble the thread is about.
        if result.plan.broad or TROUBLE_KEY not in memory:
            remembered[TROUBLE_KEY] = json.dumps(trouble_shapes(result.lines))
    if result.hosts is not None:  # what "that box" / "those nodes" mean in the next question
        remembered[HOSTS_KEY] = ",".join(h for h in result.hosts if "," not in h)
        remembered[ONE_HOST_KEY] = result.host_one or ""
    if job.query is not None and logstore is not None:  # this source has filled this table
        cut = result.fetch_report.cut if result.fetch_report is not None else None
        # A file reads the whole window (the question's part first); a remote store only the
        # question's part, or without any window the last hour (`window_of`), never "all".
        asked = job.query.window if isinstance(logstore, FileLogstore) else window_of(job.query)
        fetched = with_fetch(memory.get(SOURCES_KEY), source_id(logstore), job.table, read_spans(asked, cut))
        remembered[SOURCES_KEY] = fetched
        result.source = logstore.name
    threads.remember(job.session, remembered, result.utc_offset)

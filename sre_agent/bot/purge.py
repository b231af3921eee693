"""The nightly purge: a `schedule` job in a daemon thread drops every session's logs, the thread →
session map and the chat memories, at SRE_AGENT_PURGE_AT in SRE_AGENT_PURGE_TIMEZONE.

`RunGate` makes it safe while questions run: the purge waits (up to SRE_AGENT_PURGE_WAIT seconds)
for running questions to finish and holds new ones until it is done, so no run writes into a
session that is being dropped. What a purge drops is `sre_agent.purge.purge_everything` (also what
`sre-agent sessions purge` runs).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import schedule

log = logging.getLogger(__name__)


class RunGate:
    """Counts running questions; `purging()` waits for them and holds new ones meanwhile."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._running = 0
        self._purging = False

    @contextmanager
    def run(self) -> Iterator[None]:
        with self._cond:
            while self._purging:
                self._cond.wait()
            self._running += 1
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()

    @contextmanager
    def purging(self, wait: float) -> Iterator[int]:
        """Hold new runs; wait up to `wait` seconds for running ones. Yields how many still run."""
        with self._cond:
            while self._purging:  # one purge at a time
                self._cond.wait()
            self._purging = True
            deadline = time.monotonic() + wait
            while self._running and time.monotonic() < deadline:
                self._cond.wait(timeout=max(deadline - time.monotonic(), 0.0))
            still = self._running
        try:
            yield still
        finally:
            with self._cond:
                self._purging = False
                self._cond.notify_all()

    @property
    def running(self) -> int:
        with self._cond:
            return self._running


class PurgeScheduler:
    """Runs `job` every day at `at` (HH:MM) in `timezone`, in a daemon thread."""

    def __init__(self, job: Callable[[], object], *, at: str, timezone: str) -> None:
        self._scheduler = schedule.Scheduler()
        self._job = self._scheduler.every().day.at(at, timezone).do(self._run, job)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def _run(job: Callable[[], object]) -> None:
        try:
            job()
        except Exception:  # a failed purge must not kill the scheduler: log it, try again tomorrow
            log.exception("the nightly purge failed")

    @property
    def next_run(self) -> datetime | None:
        """When the purge runs next, in this machine's local time (naive, as `schedule` keeps it)."""
        return self._job.next_run

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="sre-agent-purge", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(timeout=min(max(self._scheduler.idle_seconds or 30.0, 0.5), 30.0)):
            self._scheduler.run_pending()

    def stop(self) -> None:
        self._stop.set()

"""A message's cleaning (redacted, capped, shaped), done here or by a second process while the
fetch still reads.

Most of the clean step's time goes to its distinct messages: each is redacted, capped to what a
record may hold, reduced to its shape and read for an HTTP status. That work needs nothing but the
text, so a big fetch hands its messages, as it reads them, to a helper process on the other core
(`MessageHelper`); the clean step then finds them done. Whatever the helper did not do (a message
changed by a secret that spans records, a helper that could not start) is cleaned in this process
by the same function, so the output never depends on whether the helper ran.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import queue
import re
import signal
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from sre_agent.capping import cap_message
from sre_agent.configs import ServiceConfig
from sre_agent.http_status import http_status
from sre_agent.redact import Redactor
from sre_agent.shapes import message_shape

log = logging.getLogger(__name__)

#: A message cleaned: the text redacted and capped, its shape, the redactions made, whether it
#: was cut, and the HTTP status it reports as an access-log line (None: not one).
Cleaned = tuple[str, str, int, bool, int | None]

#: Message cap when there is no service config.
DEFAULT_MAX_MESSAGE_CHARS = 4000
#: A fetch starts the helper once it has offered this many distinct messages: below, starting a
#: process costs more than it saves.
START_AFTER = 5_000
#: Messages sent to the helper at a time.
BATCH = 4_000
#: Longest wait for the helper's results once the fetch is done, before cleaning here instead.
WAIT_SECONDS = 60.0


def message_cap(config: ServiceConfig | None) -> int:
    """The most characters a message may keep: the config's `max_message_chars`, else 4000."""
    return config.max_message_chars if config else DEFAULT_MAX_MESSAGE_CHARS


def clean_message(text: str, redactor: Redactor, max_chars: int) -> Cleaned:
    """`text` redacted, capped to `max_chars`, shaped and read for a status (see `Cleaned`)."""
    message, n = redactor.redact_counted(text)
    capped = cap_message(message, max_chars)
    return capped, message_shape(capped), n, capped != message, http_status(text)


def _serve(conn: Connection, config: ServiceConfig | None, max_chars: int) -> None:
    """The helper process: clean each batch of messages it is sent; on `None`, send back every
    result, in the order sent, and stop. A thread of its own empties the pipe as batches come, so
    the fetch that writes them never waits for the cleaning."""
    # Ctrl-C reaches the whole process group: the fetch's process stops the helper itself, so
    # the engineer sees one interruption, not a second traceback from here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    batches: queue.SimpleQueue[list[str] | None] = queue.SimpleQueue()

    def read() -> None:
        try:
            while (texts := conn.recv()) is not None:
                batches.put(texts)
        except EOFError:  # the fetch's side closed: it wants nothing back
            pass
        batches.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    redactor = Redactor.for_config(config)
    done: list[Cleaned] = []
    while (texts := batches.get()) is not None:
        done.extend(clean_message(text, redactor, max_chars) for text in texts)
    reader.join()
    with contextlib.suppress(OSError):  # nobody is reading any more
        conn.send((done, _peak_mb()))
    conn.close()


def _peak_mb() -> float | None:
    """The most memory this process held (VmHWM), in MB; None where /proc does not say. Not
    `getrusage`: after a fork and exec it also counts the parent's memory at the fork."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else None


class MessageHelper:
    """Cleans, in a second process, the distinct messages a fetch offers; a fetch that offers
    more than `most` records (its limit: it will keep the ones it reads last) stops it.

    Call `offer` from the fetch (any one thread) and `take` once, when the fetch is done: it waits
    for the results and stops the process. Nothing starts before `start_after` distinct messages
    were offered; a helper that fails is dropped and its messages cleaned by the caller, so the
    result of a fetch is the same with or without it (only slower).

    Batches go down a pipe written by the fetch's own thread, and all results come back at the
    end: no thread of this process has to win the GIL from the fetch for the helper to go on."""

    def __init__(
        self,
        config: ServiceConfig | None,
        max_chars: int,
        *,
        most: int,
        start_after: int = START_AFTER,
        batch: int = BATCH,
        wait: float = WAIT_SECONDS,
    ) -> None:
        self.config = config
        self.max_chars = max_chars
        self.most = most
        self.start_after = start_after
        self.batch = batch
        self.wait = wait
        self._seen: set[str] = set()
        self._pending: list[str] = []
        self._sent: list[str] = []
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._offered = 0
        self._failed = False
        #: the most memory the helper process held, in MB, once `take` has its results
        self.peak_mb: float | None = None

    @property
    def process_id(self) -> int | None:
        """The helper process's pid while it runs; None before it starts and after it stops."""
        return self._process.pid if self._process is not None else None

    def offer(self, text: str) -> None:
        """A message the fetch read: sent to the helper (once) unless enough were sent already."""
        if self._failed:
            return
        self._offered += 1
        if self._offered > self.most:  # the fetch will be cut, and keep the records read last:
            self._give_up("the fetch read more than its limit")  # the helper's work would be lost
            return
        if text in self._seen:
            return
        self._seen.add(text)
        self._pending.append(text)
        if len(self._seen) >= self.start_after and len(self._pending) >= self.batch:
            self._send()

    def _send(self) -> None:
        texts, self._pending = self._pending, []
        try:
            if self._conn is None:
                context = multiprocessing.get_context("spawn")  # not fork: this process has threads
                self._conn, theirs = context.Pipe()
                self._process = context.Process(
                    target=_serve, args=(theirs, self.config, self.max_chars), daemon=True
                )
                self._process.start()
                theirs.close()
            self._conn.send(texts)
            self._sent.extend(texts)
        except Exception as exc:  # noqa: BLE001 - cleaned here instead
            self._give_up(exc)

    def _give_up(self, exc: BaseException | str) -> None:
        log.info("the message helper process stopped (%s); cleaning here instead", exc)
        self._failed = True
        self.close()

    def take(self) -> dict[str, Cleaned]:
        """The messages the helper cleaned, by text (empty when it never started or failed);
        stops the helper. The rest are the caller's to clean."""
        if self._conn is None or self._failed:
            self.close()
            return {}
        if self._pending:
            self._send()  # the tail of a fetch that started the helper
        try:
            assert self._conn is not None
            self._conn.send(None)
            if not self._conn.poll(self.wait):
                self._give_up(f"no answer in {self.wait:.0f} s")
                return {}
            results, self.peak_mb = self._conn.recv()
        except Exception as exc:  # noqa: BLE001 - a broken helper: the caller cleans these
            self._give_up(exc)
            return {}
        done = dict(zip(self._sent, results, strict=True))
        self.close()
        return done

    def close(self) -> None:
        """Stop the helper process (if it started) without waiting for more work; later offers
        are ignored (a fetch cancelled while its thread still reads starts no new helper)."""
        self._failed = True
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            self._process.join(timeout=1.0)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._process = None
        self._sent, self._pending, self._seen = [], [], set()

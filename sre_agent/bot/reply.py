"""One answer in its Slack thread: live status while the agent works, then the answer.

Two ways to show it:
- **stream** (Slack's chat.startStream / appendStream / stopStream, what bolt's `say_stream` calls):
  each tool call is a task of a plan (`task_display_mode="plan"`), the answer's first message
  grows as the LLM writes it, longer answers continue in further messages;
- **status message**: where streaming is refused, one message names the step being run and is
  updated in place ("searching GetMembership logs in prod, last 30 min…"); the answer follows
  in messages of its own.

The agent calls `on_event` from its thread; Slack is called from the reply's own thread, so the
agent never waits for Slack, and a slow Slack never slows an investigation.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.messages.chunk import PlanUpdateChunk, TaskUpdateChunk

from sre_agent.agent.investigator import AgentEvent
from sre_agent.bot.formatting import MarkdownChunker, split_markdown

log = logging.getLogger(__name__)

#: Least seconds between two in-place updates of the status message (Slack allows ~1 per second).
STATUS_INTERVAL = 1.0
#: Longest a reply waits for Slack to take what is queued once the answer is known.
DRAIN_TIMEOUT = 60.0


@dataclass
class Step:
    """A tool call as the thread shows it."""

    id: str
    tool: str
    doing: str
    done: bool = False
    ok: bool = True
    seconds: float = 0.0
    summary: str = ""


@dataclass
class Where:
    """The thread a reply goes to, and who asked (streams to channels name the recipient)."""

    channel: str
    thread_ts: str
    user: str | None = None
    team: str | None = None


@dataclass
class StreamSupport:
    """Whether this workspace takes chat streams: tried once in `auto` mode, then remembered."""

    mode: str = "auto"  # auto | on | off
    refused: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wanted(self) -> bool:
        return self.mode == "on" or (self.mode == "auto" and not self.refused)

    def refuse(self, why: str) -> None:
        with self.lock:
            if not self.refused:
                log.warning("Slack refused a chat stream (%s); posting answers as messages from now on", why)
            self.refused = True


class ThreadReply:
    """Status and answer of one question in one thread (see the module docstring)."""

    def __init__(self, client: WebClient, where: Where, streams: StreamSupport) -> None:
        self.client = client
        self.where = where
        self.streams = streams
        self.steps: list[Step] = []
        self.posted: list[str] = []  # ts of every message this reply posted
        self.failed: str | None = None  # why delivering to Slack failed, if it did
        self._ops: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._started = time.monotonic()
        self._stream: Any = None  # slack_sdk ChatStream
        self._status_ts: str | None = None
        self._status_sent = 0.0
        self._status_dirty = False
        self._chunker = MarkdownChunker()
        self._later: dict[int, str] = {}  # answer chunks after the first, when streaming
        self._worker = threading.Thread(target=self._work, name="slack-reply", daemon=True)
        self._worker.start()
        self._ops.put(("start", None))

    # ------------------------------------------------------------------ called by the bot / agent

    def on_event(self, event: AgentEvent) -> None:
        """An agent event (any thread): queued for the reply's thread."""
        if event.kind in ("tool_started", "tool_finished"):
            self._ops.put((event.kind, event))
        elif event.kind == "answer_delta" and not event.data.get("complete"):
            self._ops.put(("delta", event.message))

    def finish(self, answer: str) -> None:
        """Post the whole answer (Markdown, run id included) and wait until Slack has it."""
        self._ops.put(("finish", answer))
        self._drain()

    def fail(self, message: str) -> None:
        """End with a short message instead of an answer (an apology, a refusal)."""
        self._ops.put(("fail", message))
        self._drain()

    def _drain(self) -> None:
        self._ops.put(("stop", None))
        self._worker.join(timeout=DRAIN_TIMEOUT)
        if self._worker.is_alive():
            self.failed = self.failed or f"Slack did not take the answer within {DRAIN_TIMEOUT:.0f}s"

    # ------------------------------------------------------------------ the reply's thread

    def _work(self) -> None:
        while True:
            try:
                op, value = self._ops.get(timeout=STATUS_INTERVAL)
            except queue.Empty:
                self._do("status", None)
                continue
            if op == "stop":
                return
            self._do(op, value)
            if self._ops.empty():
                self._do("status", None)

    def _do(self, op: str, value: Any) -> None:
        """One step of the reply; a Slack failure is noted and logged, never the end of the reply."""
        try:
            getattr(self, f"_on_{op}")(value)
        except (SlackClientError, OSError) as exc:  # Slack said no, or is unreachable, after retries
            self.failed = _describe(exc)
            log.warning("Slack call failed in %s (%s): %s", self.where.channel, op, self.failed)
            if self._stream is not None:  # a broken stream: the answer goes out as messages
                self._stream = None
                if op in ("finish", "fail"):
                    self._retry_as_messages(op, value)

    def _on_status(self, _: None) -> None:
        self._flush_status()

    def _on_start(self, _: None) -> None:
        if self.streams.wanted():
            try:
                self._stream = self.client.chat_stream(
                    channel=self.where.channel,
                    thread_ts=self.where.thread_ts,
                    recipient_user_id=self.where.user,
                    recipient_team_id=self.where.team,
                    task_display_mode="plan",
                    buffer_size=200,
                )
                self._stream.append(chunks=[PlanUpdateChunk(title="Investigating…")])
                self.posted.append(str(self._stream.ts))
                return
            except SlackApiError as exc:
                self._stream = None
                self.streams.refuse(_describe(exc))
        response = self.client.chat_postMessage(
            channel=self.where.channel, thread_ts=self.where.thread_ts, text=":mag: Looking into it…"
        )
        self._status_ts = response["ts"]
        self.posted.append(str(response["ts"]))

    def _on_tool_started(self, event: AgentEvent) -> None:
        doing = event.data.get("doing") or event.message
        step = Step(id=f"step-{len(self.steps) + 1}", tool=str(event.tool), doing=doing)
        self.steps.append(step)
        if self._stream is not None:
            self._stream.append(chunks=[TaskUpdateChunk(id=step.id, title=step.doing, status="in_progress")])
        self._status_dirty = True

    def _on_tool_finished(self, event: AgentEvent) -> None:
        step = next((s for s in self.steps if not s.done and s.tool == event.tool), None)
        if step is None:
            return
        step.done, step.ok = True, bool(event.data.get("ok"))
        step.seconds, step.summary = float(event.data.get("seconds", 0.0)), event.message
        if self._stream is not None:
            self._stream.append(
                chunks=[
                    TaskUpdateChunk(
                        id=step.id,
                        title=step.doing,
                        status="complete" if step.ok else "error",
                        output=step.summary[:200],
                    )
                ]
            )
        self._status_dirty = True

    def _on_delta(self, text: str) -> None:
        if self._stream is not None:  # only a stream shows the answer while it is written
            self._place(self._chunker.add(text))

    def _retry_as_messages(self, op: str, value: str) -> None:
        try:
            getattr(self, f"_on_{op}")(value)
            self.failed = None
        except (SlackClientError, OSError) as exc:
            self.failed = _describe(exc)
            log.error("could not post in %s after a broken stream: %s", self.where.channel, self.failed)

    def _on_finish(self, answer: str) -> None:
        if self._stream is None:
            self._status_dirty = True
            self._flush_status(final=True)
            self._post_all(split_markdown(answer))
            return
        fed = self._chunker.fed
        # What streamed is the start of the answer (the LLM's text before its footer), unless the
        # LLM failed half-way and the offline triage answered instead: then it follows, marked.
        rest = answer[len(fed) :] if answer.startswith(fed) else ("\n\n---\n" if fed else "") + answer
        self._place(self._chunker.add(rest) + self._chunker.finish())
        self._stop_stream()
        for index in sorted(self._later):
            self._post(self._later[index])

    def _on_fail(self, message: str) -> None:
        if self._stream is not None:
            self._stop_stream(extra=f"\n\n{message}")
            return
        self._status_dirty = True
        self._flush_status(final=True)
        self._post(message)

    # ------------------------------------------------------------------ helpers

    def _place(self, pieces: list) -> None:
        for piece in pieces:
            if piece.index == 0:
                self._stream.append(markdown_text=piece.text)
            else:
                self._later[piece.index] = self._later.get(piece.index, "") + piece.text

    def _stop_stream(self, extra: str = "") -> None:
        done = sum(1 for s in self.steps if s.done)
        title = f"Done: {done} step{'s' if done != 1 else ''} in {time.monotonic() - self._started:.1f}s"
        self._stream.stop(markdown_text=extra or None, chunks=[PlanUpdateChunk(title=title)])
        self._stream = None

    def _post(self, markdown: str) -> None:
        response = self.client.chat_postMessage(
            channel=self.where.channel, thread_ts=self.where.thread_ts, markdown_text=markdown
        )
        self.posted.append(str(response["ts"]))

    def _post_all(self, chunks: list[str]) -> None:
        for chunk in chunks:
            self._post(chunk)

    def _flush_status(self, final: bool = False) -> None:
        """Update the status message in place, at most once per STATUS_INTERVAL unless final."""
        if self._status_ts is None or not self._status_dirty:
            return
        if not final and time.monotonic() - self._status_sent < STATUS_INTERVAL:
            return
        self._status_sent = time.monotonic()
        self._status_dirty = False
        try:
            text = self._status_text(final)
            self.client.chat_update(channel=self.where.channel, ts=self._status_ts, text=text)
        except (SlackClientError, OSError) as exc:  # a stale status is no reason to lose the answer
            log.warning("status update in %s failed: %s", self.where.channel, _describe(exc))

    def _status_text(self, final: bool) -> str:
        lines = []
        for step in self.steps:
            if not step.done:
                lines.append(f":hourglass_flowing_sand: {step.doing}")
            else:
                mark = ":white_check_mark:" if step.ok else ":x:"
                lines.append(f"{mark} {step.doing.rstrip('…')} ({step.seconds:.1f}s)")
        took = time.monotonic() - self._started
        head = f":mag: Done in {took:.1f}s" if final else ":mag: Looking into it…"
        return "\n".join([head, *lines[-12:]])


def _describe(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        error = exc.response.get("error") if exc.response is not None else None
        return f"Slack answered {error or exc.response.status_code}"
    return f"{type(exc).__name__}: {exc}"

"""The bot apart from Slack's plumbing: takes a message (`Incoming`), decides what it is (a word
such as `help`, a refusal, a question), and answers questions with `Engine.ask` in a bounded pool
of worker threads, each with its own event loop.

Listeners (`listeners.py`) turn Slack events into `Incoming`; replies go through `ThreadReply`.
Nothing here parses Slack payloads, and nothing in the engine knows about Slack.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from sre_agent.bot.formatting import run_footer
from sre_agent.bot.purge import RunGate
from sre_agent.bot.reply import StreamSupport, ThreadReply, Where
from sre_agent.engine import Engine
from sre_agent.errors import ConnectorError, InputError, StorageError
from sre_agent.purge import PurgeReport, purge_everything
from sre_agent.settings import Settings
from sre_agent.thread_sessions import ThreadSessions, threads_path
from sre_agent.trace.html import render_run
from sre_agent.trace.model import RunTrace, new_run_id
from sre_agent.trace.text import summary_markdown

log = logging.getLogger(__name__)

Source = Literal["dm", "mention", "command"]
WORDS = ("help", "reset", "session", "trace")
#: Message keys remembered to answer each message once (Slack re-sends events it thinks were lost).
SEEN_KEYS = 10_000


class Incoming(BaseModel):
    """One message to the bot, whichever way it came (DM, @mention, /sre)."""

    source: Source
    channel: str = Field(min_length=1)
    user: str = Field(min_length=1)
    team: str | None = None
    text: str
    ts: str = Field(description="the message's own ts (for /sre: the root message the bot posted)")
    thread_ts: str = Field(description="the thread the answer goes to")
    retry: int = Field(default=0, description="Slack's retry number of this event (x-slack-retry-num)")
    response_url: str | None = Field(default=None, description="/sre: where replies only the asker sees go")

    @property
    def key(self) -> str:
        """channel:ts of the message; a /sre command has no message yet (and Slack never re-sends one)."""
        return f"{self.channel}:{self.ts}" if self.ts else f"{self.channel}:/sre"


def clean_text(text: str, bot_user_id: str | None) -> str:
    """The question without the bot's @mention and surrounding space."""
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", " ")
    return " ".join(text.split())


def word_of(text: str) -> str | None:
    """`help`, `reset`, `session` or `trace` when the message is just that word (any case, punctuation)."""
    word = re.sub(r"[^a-z]", "", text.lower())
    return word if word in WORDS and len(text) <= 20 else None


@dataclass(frozen=True)
class Outcome:
    """What the bot did with a message (tests and logs read it)."""

    kind: Literal["answered", "word", "refused", "duplicate", "busy", "failed", "ignored"]
    run_id: str | None = None
    session: str | None = None


class SlackBot:
    """Answers `Incoming` messages; owns the worker pool, the thread map and the purge gate."""

    def __init__(self, engine: Engine, client: WebClient, settings: Settings) -> None:
        self.engine = engine
        self.client = client
        self.settings = settings
        self.sessions = ThreadSessions(
            threads_path(settings),
            max_live=settings.slack_max_sessions,
            quarantine_dir=settings.data_dir / "quarantine",
        )
        self.gate = RunGate()
        self.streams = StreamSupport(mode=settings.slack_stream)
        self.pool = ThreadPoolExecutor(max_workers=settings.slack_workers, thread_name_prefix="sre-question")
        self._loops = threading.local()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._waiting = 0

    # ------------------------------------------------------------------ entry

    def receive(self, msg: Incoming) -> Outcome:
        """Take a message: words and refusals are answered now, questions go to the pool."""
        if msg.ts and not self._first_time(msg.key):  # commands are never re-sent: no key to check
            log.info("ignoring a repeat of %s (Slack retry %s)", msg.key, msg.retry)
            return Outcome("duplicate")
        if refusal := self._refusal(msg):
            self._say(msg, refusal)
            return Outcome("refused")
        if not msg.text:
            self._say(msg, "Ask me a question about a service, e.g. `why is GetMembership failing in prod?`")
            return Outcome("word")
        word = word_of(msg.text)
        if word is not None:
            self._word(msg, word)
            return Outcome("word")
        with self._lock:
            if self._waiting >= self.settings.slack_workers + self.settings.slack_queue:
                busy = True
            else:
                busy = False
                self._waiting += 1
        if busy:
            self._say(msg, "I am answering too many questions right now; please ask again in a minute.")
            return Outcome("busy")
        if not msg.thread_ts:  # /sre: the question becomes a root message, answered in its thread
            opened = self._open_thread(msg)
            if opened is None:
                with self._lock:
                    self._waiting -= 1
                return Outcome("failed")
            msg = opened
        self._react(msg, "eyes")
        self.pool.submit(self._answer_in_worker, msg)
        return Outcome("answered")

    def _open_thread(self, msg: Incoming) -> Incoming | None:
        try:
            response = self.client.chat_postMessage(
                channel=msg.channel, text=f"<@{msg.user}> asked: {msg.text}", unfurl_links=False
            )
        except SlackClientError as exc:
            log.warning("could not post /sre question in %s: %s", msg.channel, exc)
            self._say(msg, "I cannot post in this channel; invite me first (`/invite @sre-agent`) or DM me.")
            return None
        ts = str(response["ts"])
        return msg.model_copy(update={"ts": ts, "thread_ts": ts})

    # ------------------------------------------------------------------ questions

    def _answer_in_worker(self, msg: Incoming) -> Outcome:
        try:
            with self.gate.run():
                return self.answer(msg)
        except Exception:  # the pool would swallow it silently: log it
            log.exception("answering %s failed", msg.key)
            return Outcome("failed")
        finally:
            with self._lock:
                self._waiting -= 1

    def answer(self, msg: Incoming) -> Outcome:
        """Answer one question in its thread (runs in a worker thread)."""
        run_id = new_run_id()
        opened = self.sessions.open(msg.channel, msg.thread_ts, msg.user)
        runner = self._runner()
        for old in opened.evicted:
            runner.run(self.engine.reset(old))
            log.info("evicted session %s (more than %d live threads)", old, self.sessions.max_live)
        if opened.was_evicted:
            self._say(
                msg,
                f"_This thread was idle and its logs were dropped to keep me within "
                f"{self.sessions.max_live} live threads; I am starting afresh._",
            )
        elif opened.was_purged:
            self._say(msg, "_The nightly purge dropped the logs this thread fetched; starting afresh._")
        reply = ThreadReply(self.client, Where(msg.channel, msg.thread_ts, msg.user, msg.team), self.streams)
        log.info("run %s: %s asks in %s (session %s)", run_id, msg.user, msg.key, opened.session)
        try:
            answer = runner.run(
                self.engine.ask(
                    msg.text,
                    session=opened.session,
                    logs=self.settings.bot_logs,
                    service=self.settings.bot_service,
                    on_event=reply.on_event,
                    run_id=run_id,
                    kind="bot",
                )
            )
        except (InputError, ConnectorError, StorageError) as exc:
            reply.fail(f":warning: {exc}{run_footer(run_id)}")
            self._react(msg, "warning")
            return Outcome("failed", run_id, opened.session)
        except Exception:
            log.exception("run %s failed", run_id)
            reply.fail(
                ":warning: Sorry, something went wrong while I investigated; the maintainers can look "
                f"it up by its run id.{run_footer(run_id)}"
            )
            self._react(msg, "warning")
            return Outcome("failed", run_id, opened.session)
        reply.finish(answer.answer + run_footer(run_id))
        if reply.failed:
            log.error("run %s: the answer did not reach Slack: %s", run_id, reply.failed)
        self._react(msg, "white_check_mark")
        return Outcome("answered", run_id, opened.session)

    def _runner(self) -> asyncio.Runner:
        """This worker thread's event loop, kept for its life (the LLM client belongs to it)."""
        if not hasattr(self._loops, "runner"):
            self._loops.runner = asyncio.Runner()
        return self._loops.runner

    # ------------------------------------------------------------------ words

    def _word(self, msg: Incoming, word: str) -> None:
        if word == "help":
            self._say(msg, help_text(self.settings))
            return
        if msg.source == "command":  # /sre has no thread: act on the asker's latest thread here
            thread_ts = self.sessions.latest(msg.channel, msg.user)
            if thread_ts is None:
                self._say(msg, "You have no live thread with me in this channel.")
                return
        else:
            thread_ts = msg.thread_ts
        if word == "session":
            self._say(msg, self._describe_session(msg.channel, thread_ts))
        elif word == "trace":
            self._trace(msg, thread_ts)
        else:
            session = self.sessions.forget(msg.channel, thread_ts)
            if session is None:
                self._say(msg, "Nothing to reset: this thread has no session yet.")
                return
            with self.gate.run():
                asyncio.run(self.engine.reset(session))
            self._say(msg, f"Session `{session}` reset: its logs and history are gone.")

    def _describe_session(self, channel: str, thread_ts: str) -> str:
        session = self.sessions.get(channel, thread_ts)
        if session is None:
            return "This thread has no session yet: ask a question to start one."
        stored = self.engine.stored(session)
        listed = ", ".join(f"`{t}`" for t in stored) or "none"
        return f"Session `{session}`: {len(stored)} tables ({listed}), {sum(stored.values()):,} log records."

    def _trace(self, msg: Incoming, thread_ts: str) -> None:
        """`trace`: the thread's last run in words (where the word came), and its picture as an HTML
        file in the thread; a file Slack refuses costs one honest line, never the summary."""
        session = self.sessions.get(msg.channel, thread_ts)
        try:
            trace = self.engine.traces.latest(session) if session else None
        except InputError as exc:  # its trace file is gone or unreadable
            self._say(msg, f"I could not read this thread's last run: {exc}")
            return
        if trace is None:
            off = "" if self.settings.traces else " (Run traces are off here: SRE_AGENT_TRACES=false.)"
            self._say(msg, "No run in this thread yet — ask a question first." + off)
            return
        self._say(msg, summary_markdown(trace))
        problem = self._upload_picture(msg.channel, thread_ts, trace)
        if problem is not None:
            self._say(
                msg,
                f"_I could not upload the picture ({problem}). Run `sre-agent runs show {trace.id} "
                "--html run.html` where the bot runs._",
            )
        elif msg.source == "command":
            self._say(msg, f"_The picture of run `{trace.id}` is in your thread._")

    def _upload_picture(self, channel: str, thread_ts: str, trace: RunTrace) -> str | None:
        """Upload `run-<id>.html` to the thread (files upload v2): None when it went, else why not."""
        try:
            page = render_run(trace)
        except Exception:  # a picture is not worth a crash; the log keeps the details
            log.exception("drawing run %s failed", trace.id)
            return "drawing it failed; the bot's log says why"
        try:
            self.client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                content=page,
                filename=f"run-{trace.id}.html",
                title=f"Run {trace.id}",
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "error")
            log.warning("uploading the picture of run %s failed: %s", trace.id, error)
            if error == "missing_scope":
                return f"missing_scope: the app needs the {exc.response.get('needed') or 'files:write'} scope"
            if error == "not_allowed_token_type":
                return "not_allowed_token_type: uploads need the bot token with the files:write scope"
            return error
        except (SlackClientError, OSError) as exc:  # the upload URL refused the bytes, or no Slack
            log.warning("uploading the picture of run %s failed: %s", trace.id, exc)
            return "Slack did not take the file"
        return None

    # ------------------------------------------------------------------ purge

    def purge(self) -> PurgeReport:
        """The nightly purge: waits for running questions (bounded), holds new ones meanwhile."""
        with self.gate.purging(self.settings.purge_wait) as still_running:
            if still_running:
                log.warning("purging while %d questions still run", still_running)
            report = purge_everything(self.engine)
        log.info(
            "purge: dropped %d sessions' tables, forgot %d threads, removed %d run traces, in %.2fs",
            report.sessions,
            report.threads,
            report.traces,
            report.seconds,
        )
        return dataclasses.replace(report, still_running=still_running)

    # ------------------------------------------------------------------ helpers

    def _first_time(self, key: str) -> bool:
        with self._lock:
            if key in self._seen:
                return False
            self._seen[key] = None
            while len(self._seen) > SEEN_KEYS:
                self._seen.popitem(last=False)
            return True

    def _refusal(self, msg: Incoming) -> str | None:
        users, channels = self.settings.slack_allowed_users, self.settings.slack_allowed_channels
        if users and msg.user not in users:
            return "Sorry, I only answer people my operators have allowed; ask them to add you."
        if channels and msg.source != "dm" and msg.channel not in channels:
            return "Sorry, I do not answer in this channel; ask my operators to allow it, or DM me."
        return None

    def _say(self, msg: Incoming, text: str) -> None:
        """A short reply: in the thread (DM, mention), or only to the asker (/sre before its thread)."""
        try:
            if not msg.thread_ts and msg.response_url:
                WebhookClient(msg.response_url, timeout=10).send(text=text, response_type="ephemeral")
            elif not msg.thread_ts:
                self.client.chat_postEphemeral(channel=msg.channel, user=msg.user, text=text)
            else:
                self.client.chat_postMessage(channel=msg.channel, thread_ts=msg.thread_ts, markdown_text=text)
        except (SlackClientError, OSError) as exc:  # OSError: Slack unreachable after the retries
            log.warning("could not reply in %s: %s", msg.key, exc)

    def _react(self, msg: Incoming, name: str) -> None:
        if not msg.ts:
            return
        try:
            self.client.reactions_add(channel=msg.channel, timestamp=msg.ts, name=name)
        except (SlackClientError, OSError) as exc:  # a missing reaction is not worth failing over
            log.debug("reaction %s on %s failed: %s", name, msg.key, exc)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=False)


def help_text(settings: Settings) -> str:
    purge = (
        f"Every night at {settings.purge_at} {settings.purge_timezone} the logs I fetched are dropped."
        if settings.purge_enabled
        else "Fetched logs are kept until someone says `reset`."
    )
    return (
        "**sre-agent** answers on-call questions from logs, in a thread.\n"
        "- Ask in plain words: `why is GetMembership failing for user 123 in prod?`\n"
        "- Follow-ups in the same thread reuse the logs it fetched.\n"
        "- `help`: this message\n"
        "- `session`: this thread's session and what it stored\n"
        "- `reset`: forget this thread's logs and history\n"
        "- `trace`: what this thread's last run did (steps, tool calls) and its picture as an HTML file\n"
        "Mention me in a channel, DM me, or use `/sre <question>`. " + purge
    )

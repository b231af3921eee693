"""Runs the real bot against the fake Slack for tests and bench: `running_bot(...)` builds it from
settings exactly as `sre-agent bot --http` does, serves it with waitress on 127.0.0.1, and gives
helpers that post signed events and slash commands to its HTTP endpoint."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from fakes.slack_server import FakeSlack
from paths import ROOT
from slack_sdk.signature import SignatureVerifier

from sre_agent.bot.app import Runtime, create, http_server
from sre_agent.engine import Engine
from sre_agent.settings import Settings

SECRET = "test-signing-secret"
THROTTLING = ROOT / "incidents" / "membership-dynamodb-throttling" / "logs.jsonl"


def bot_settings(data_dir: Path, slack: FakeSlack, **overrides: Any) -> Settings:
    options: dict[str, Any] = {
        "data_dir": data_dir,
        "configs_dir": ROOT / "configs",
        "slack_bot_token": "xoxb-test",
        "slack_app_token": "xapp-test",
        "slack_signing_secret": SECRET,
        "slack_api_url": slack.base_url,
        "bot_logs": THROTTLING,
        "bot_service": "membership",
        "purge_enabled": False,
        "llm_backend": "none",
    }
    options.update(overrides)
    return Settings(**options)


def message_event(
    slack: FakeSlack, kind: str, channel: str, user: str, text: str, ts: str, thread_ts: str | None = None
) -> dict[str, Any]:
    """An `app_mention` (the text gets the bot's mention) or a DM `message` event as Slack sends it."""
    event: dict[str, Any] = {
        "type": kind,
        "user": user,
        "text": f"<@{slack.bot_user_id}> {text}" if kind == "app_mention" else text,
        "ts": ts,
        "channel": channel,
        "team": slack.team_id,
        "event_ts": ts,
    }
    if kind == "message":
        event["channel_type"] = "im"
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


@dataclass
class Bot:
    runtime: Runtime
    url: str
    slack: FakeSlack
    http: httpx.Client
    threads: dict[str, str] = field(default_factory=dict)  # question ts → its thread

    def post(self, body: str, content_type: str, *, headers: dict[str, str] | None = None) -> httpx.Response:
        stamp = str(int(time.time()))
        signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
            **(headers or {}),
        }
        return self.http.post(self.url, content=body.encode("utf-8"), headers=sent)

    def event(
        self, event: dict[str, Any], *, retry: int | None = None, event_id: str | None = None
    ) -> httpx.Response:
        body = {
            "token": "legacy",
            "team_id": self.slack.team_id,
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10]}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [
                {"team_id": self.slack.team_id, "user_id": self.slack.bot_user_id, "is_bot": True}
            ],
        }
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return self.post(json.dumps(body), "application/json", headers=headers)

    def mention(
        self,
        text: str,
        *,
        channel: str = "C0OPS",
        user: str = "U0ALICE",
        thread_ts: str | None = None,
        retry: int | None = None,
        ts: str | None = None,
    ) -> tuple[str, httpx.Response]:
        """A user's @mention: the message is put in the fake first (as Slack has it), then the event."""
        ts = ts or self.slack.add_user_message(
            channel, f"<@{self.slack.bot_user_id}> {text}", user, thread_ts
        )
        self.threads[ts] = thread_ts or ts
        event = message_event(self.slack, "app_mention", channel, user, text, ts, thread_ts)
        return ts, self.event(event, retry=retry)

    def dm(
        self, text: str, *, channel: str = "D0ALICE", user: str = "U0ALICE", thread_ts: str | None = None
    ) -> tuple[str, httpx.Response]:
        ts = self.slack.add_user_message(channel, text, user, thread_ts)
        self.threads[ts] = thread_ts or ts
        event = message_event(self.slack, "message", channel, user, text, ts, thread_ts)
        return ts, self.event(event)

    def command(self, text: str, *, channel: str = "C0OPS", user: str = "U0ALICE") -> httpx.Response:
        form = {
            "token": "legacy",
            "team_id": self.slack.team_id,
            "channel_id": channel,
            "user_id": user,
            "command": "/sre",
            "text": text,
            "response_url": self.slack.response_url(uuid.uuid4().hex[:8]),
            "trigger_id": "123.456",
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def replies(self, channel: str, thread_ts: str) -> list[str]:
        """The bot's messages in a thread, oldest first (final text)."""
        return [m.text for m in self.slack.messages(channel, thread_ts) if m.user == self.slack.bot_user_id]

    def wait_answer(
        self, channel: str, thread_ts: str, *, count: int = 1, timeout: float = 60.0
    ) -> list[str]:
        """Wait until the bot put its ✅ on `count` questions of the thread (their answers are
        posted), then return its replies."""
        self.slack.wait_for(lambda s: self.answered(channel, thread_ts) >= count, timeout=timeout)
        return self.replies(channel, thread_ts)

    def answered(self, channel: str, thread_ts: str) -> int:
        """Questions of this thread the bot marked ✅ (a question's thread is its thread_ts, or itself)."""
        done = 0
        for call in self.slack.calls_to("reactions.add"):
            if call.args.get("name") != "white_check_mark" or call.args.get("channel") != channel:
                continue
            ts = str(call.args.get("timestamp"))
            if self.threads.get(ts, ts) == thread_ts:
                done += 1
        return done


@contextmanager
def running_bot(data_dir: Path, slack: FakeSlack, embedder: Any, **overrides: Any) -> Iterator[Bot]:
    settings = bot_settings(data_dir, slack, **overrides)
    runtime = create(settings, http=True, engine=Engine(settings, embedder=embedder))
    server = http_server(runtime, host="127.0.0.1", port=0)
    stopping = threading.Event()

    def serve() -> None:
        try:
            server.run()
        except OSError:  # closing the socket under waitress's select() at the end: expected
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.effective_port}/slack/events"
    try:
        with httpx.Client(timeout=10) as client:
            yield Bot(runtime, url, slack, client)
    finally:
        stopping.set()
        server.close()
        runtime.bot.close()
        thread.join(timeout=5)

"""A fake Slack (Web API and Socket Mode WebSocket) on 127.0.0.1 over real HTTP, for tests.

One aiohttp server in a background thread (with its own event loop) answers `POST /api/<method>`
like Slack's Web API and upgrades `GET /socket` to a Socket Mode WebSocket:

    with serve_slack() as slack:
        client = WebClient(base_url=slack.base_url, token="xoxb-test")
        handler = SocketModeHandler(App(client=client), app_token="xapp-test")
        handler.connect()
        slack.wait_connected()
        ts = slack.add_user_message("C1", "<@U0BOT> why is checkout failing?", "U1")
        slack.send_event({"type": "app_mention", "channel": "C1", "user": "U1", "text": "...", "ts": ts})
        slack.wait_for(lambda s: s.calls_to("chat.stopStream"))
        assert "cache" in slack.messages("C1", thread_ts=ts)[-1].text

Every API call is recorded (`calls`, `calls_to`). The fake keeps the messages the bot posted
(`messages`, with the final text after `chat.update` and stream appends) and the ones a test put in
with `add_user_message`, so `conversations.replies` shows a thread. `fail_next` makes the next calls
of a method fail (rate limits, HTTP errors, Slack errors); `serve_slack(streaming=False)` answers the
`chat.*Stream` methods with `not_allowed`; `fail_next(..., error="missing_scope", needed="files:write")`
adds Slack's `needed` and `provided` fields. Socket Mode: `send_envelope` sends an envelope to the
connected client and waits for its ack.

Files upload v2 (what `WebClient.files_upload_v2` does): `files.getUploadURLExternal` hands out a
file id and an upload URL on this server, the client POSTs the bytes there (recorded as a call of
method "upload_url", which `fail_next("upload_url", status=...)` can fail), and
`files.completeUploadExternal` shares the files in a channel or thread (a bot message carrying
`files` appears there). `uploads()` gives the shared files with their bytes.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

TS_SECONDS = 1_700_000_000  # every ts is "1700000000.<6-digit counter>": unique and increasing
MARKDOWN_LIMIT = 12_000
TEXT_LIMIT = 40_000
APP_ID = "A0APP"
STREAM_METHODS = ("chat.startStream", "chat.appendStream", "chat.stopStream")
BOT_TOKEN_PREFIXES = ("xoxb-", "xoxp-")
PING_INTERVAL = 0.2  # seconds between the server's WebSocket pings
#: The bot scopes of manifest.json: what a `missing_scope` error says the token has (`provided`).
BOT_SCOPES = ("app_mentions:read", "chat:write", "commands", "im:history", "reactions:write", "files:write")


@dataclass
class SlackCall:
    """One Web API call as the fake received it."""

    method: str  # e.g. "chat.postMessage"
    args: dict[str, Any]  # query + form / JSON body; form values holding JSON arrays/objects decoded
    token: str | None  # from "Authorization: Bearer ..." or a `token` arg
    headers: dict[str, str]  # names lowercased
    at: float  # time.monotonic() at arrival


@dataclass
class FakeMessage:
    """A message in the fake workspace (posted by the bot, or put in by a test)."""

    channel: str
    ts: str
    thread_ts: str | None
    text: str  # text or markdown_text, final (after chat.update / stream appends)
    blocks: list | None = None
    streamed: bool = False  # created by chat.startStream
    chunks: list[dict] = field(default_factory=list)  # stream chunks received, in order
    stopped: bool = False  # chat.stopStream called
    updates: int = 0  # chat.update calls that hit it
    user: str = ""  # the bot's user id for the bot's messages
    reactions: list[str] = field(default_factory=list)  # emoji names the bot added
    deleted: bool = False  # chat.delete hit it (then it is left out of `messages` and replies)
    files: list[dict] = field(default_factory=list)  # files shared with it (files.completeUploadExternal)


@dataclass
class FakeUpload:
    """A file uploaded the v2 way: announced, its bytes POSTed, then shared (or not yet)."""

    file_id: str
    filename: str
    length: int  # as announced to files.getUploadURLExternal
    data: bytes | None = None  # what was POSTed to the upload URL
    title: str | None = None
    channel: str | None = None  # where files.completeUploadExternal shared it
    thread_ts: str | None = None
    initial_comment: str | None = None
    completed: bool = False
    message_ts: str | None = None  # the bot message that carries it in the channel

    @property
    def text(self) -> str:
        return (self.data or b"").decode("utf-8", errors="replace")


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: int
    extra: dict[str, Any] = field(default_factory=dict)


class _SlackError(Exception):
    """Answer {"ok": false, "error": <code>}."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _decode_form_value(value: Any) -> Any:
    """Form fields come as strings; the ones holding JSON arrays/objects ("blocks") are decoded."""
    if isinstance(value, web.FileField):
        return value.file.read()
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


async def _read_args(request: web.Request) -> dict[str, Any]:
    """Query args merged with the body (JSON, form-encoded or multipart)."""
    args: dict[str, Any] = {k: _decode_form_value(v) for k, v in request.query.items()}
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        args.update({k: _decode_form_value(v) for k, v in form.items()})
        return args
    body = await request.read()
    if body:  # slack_sdk labels even empty bodies application/json, so only parse what is there
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            data = None
        if isinstance(data, dict):
            args.update(data)
    return args


def _token(request: web.Request, args: dict[str, Any]) -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer ") and auth[len("Bearer ") :].strip():
        return auth[len("Bearer ") :].strip()
    token = args.get("token")
    return str(token) if token else None


def _check_auth(method: str, token: str | None) -> None:
    if not token:
        raise _SlackError("not_authed")
    prefixes = ("xapp-",) if method == "apps.connections.open" else BOT_TOKEN_PREFIXES
    if not token.startswith(prefixes):
        raise _SlackError("invalid_auth")


def _required(args: dict[str, Any], name: str, error: str) -> str:
    value = args.get(name)
    if not value:
        raise _SlackError(error)
    return str(value)


def _check_lengths(args: dict[str, Any]) -> None:
    if len(str(args.get("markdown_text") or "")) > MARKDOWN_LIMIT:
        raise _SlackError("msg_too_long")
    if len(str(args.get("text") or "")) > TEXT_LIMIT:
        raise _SlackError("msg_too_long")


def _chunks(args: dict[str, Any]) -> list[dict]:
    chunks = args.get("chunks") or []
    if not isinstance(chunks, list) or not all(isinstance(c, dict) and c.get("type") for c in chunks):
        raise _SlackError("invalid_chunks")
    for chunk in chunks:
        if chunk["type"] == "markdown_text" and len(str(chunk.get("text") or "")) > MARKDOWN_LIMIT:
            raise _SlackError("msg_too_long")
    return chunks


def _chunk_text(chunks: list[dict]) -> str:
    return "".join(str(c.get("text") or "") for c in chunks if c["type"] == "markdown_text")


async def _ping_often(socket: web.WebSocketResponse) -> None:
    """Ping the client every PING_INTERVAL s, as Slack pings too (answered pongs are not checked).

    slack_sdk's builtin client holds its receive lock for up to 3 s while waiting for data, and its
    close() waits for that lock: frequent frames make closing the client take a moment, not 3 s.
    """
    while not socket.closed:
        await asyncio.sleep(PING_INTERVAL)
        with suppress(ConnectionError, RuntimeError):
            await socket.ping(b"fake-slack")


class FakeSlack:
    """The fake's state. Read it from tests; the server thread changes it under `_lock`."""

    def __init__(self, *, team_id: str, bot_user_id: str, bot_id: str, streaming: bool) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.streaming = streaming  # False: chat.*Stream answer not_allowed
        self.base_url = ""  # http://127.0.0.1:PORT/api/ -- WebClient(base_url=...)
        self.socket_url = ""  # ws://127.0.0.1:PORT/socket -- what apps.connections.open returns
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # notified on acks and (dis)connections
        self._calls: list[SlackCall] = []
        self._acks: list[dict] = []
        self._messages: dict[str, FakeMessage] = {}  # by ts, in posting order
        self._failures: dict[str, list[_Failure]] = {}
        self._ts_counter = 100
        self._uploads: dict[str, FakeUpload] = {}  # by file id, in announcing order
        self.upload_url = ""  # http://127.0.0.1:PORT/upload/v1/ -- where upload URLs point
        self._socket: web.WebSocketResponse | None = None  # the newest connection
        self._open_sockets: set[web.WebSocketResponse] = set()
        self._connections = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.delete": self._delete,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "conversations.replies": self._replies,
            "assistant.threads.setStatus": self._set_status,
            "chat.startStream": self._start_stream,
            "chat.appendStream": self._append_stream,
            "chat.stopStream": self._stop_stream,
            "apps.connections.open": self._connections_open,
            "users.info": self._users_info,
            "chat.postEphemeral": self._post_ephemeral,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    # ----- what tests read and arrange -----

    @property
    def calls(self) -> list[SlackCall]:
        """Every API call in arrival order (a copy, taken under the lock)."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[SlackCall]:
        return [c for c in self.calls if c.method == method]

    @property
    def acks(self) -> list[dict]:
        """Every ack (client message with an envelope_id) received over Socket Mode (a copy)."""
        with self._lock:
            return list(self._acks)

    def statuses(self, channel_id: str, thread_ts: str) -> list[str]:
        """The statuses assistant.threads.setStatus set on this thread, in order."""
        calls = self.calls_to("assistant.threads.setStatus")
        return [
            str(c.args.get("status", ""))
            for c in calls
            if c.args.get("channel_id") == channel_id and c.args.get("thread_ts") == thread_ts
        ]

    def messages(self, channel: str, thread_ts: str | None = None) -> list[FakeMessage]:
        """Copies of the bot's (undeleted) messages in `channel`, or in one thread of it, oldest first.

        With `thread_ts`: the replies in that thread, plus its root if the bot posted the root.
        """
        with self._lock:
            found = [
                m
                for m in self._messages.values()
                if m.channel == channel
                and m.user == self.bot_user_id
                and not m.deleted
                and (thread_ts is None or thread_ts in (m.ts, m.thread_ts))
            ]
            return copy.deepcopy(found)

    def uploads(
        self, channel: str | None = None, thread_ts: str | None = None, *, completed: bool = True
    ) -> list[FakeUpload]:
        """Copies of the uploads shared (`completed=False`: all announced ones), in a channel or one
        thread of it if given, oldest first."""
        with self._lock:
            found = [
                u
                for u in self._uploads.values()
                if (u.completed or not completed)
                and (channel is None or u.channel == channel)
                and (thread_ts is None or u.thread_ts == thread_ts)
            ]
            return copy.deepcopy(found)

    def add_user_message(
        self, channel: str, text: str, user: str = "U0USER", thread_ts: str | None = None
    ) -> str:
        """Put a message from `user` in the workspace (e.g. the mention a test then sends); returns its ts."""
        with self._lock:
            ts = self._new_ts()
            self._messages[ts] = FakeMessage(
                channel=channel, ts=ts, thread_ts=thread_ts, text=text, user=user
            )
            return ts

    def fail_next(
        self,
        method: str,
        *,
        times: int = 1,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        needed: str | None = None,
    ) -> None:
        """Make the next `times` calls of `method` fail (they are still recorded).

        status 429: HTTP 429, `Retry-After: retry_after` (1 if None), {"ok": false, "error": "ratelimited"}.
        Other statuses: that HTTP status with {"ok": false, "error": error or "internal_error"}.
        `needed` (with error="missing_scope"): Slack's `needed` scope and the `provided` ones (the
        manifest's, without it) are added to the body.
        """
        extra: dict[str, Any] = {}
        if needed is not None:
            extra = {"needed": needed, "provided": ",".join(s for s in BOT_SCOPES if s != needed)}
        failure = _Failure(
            status=status,
            error="ratelimited" if status == 429 else (error or "internal_error"),
            retry_after=1 if retry_after is None else retry_after,
            extra=extra,
        )
        with self._lock:
            self._failures.setdefault(method, []).extend([failure] * times)

    def wait_for(self, predicate: Callable[[FakeSlack], bool], timeout: float = 10.0) -> None:
        """Poll until `predicate(self)` is true; on timeout fail with a summary of the calls."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s; calls so far:\n{self.summary()}")
            time.sleep(0.02)

    def summary(self) -> str:
        """One line per recorded call (for failure messages)."""
        lines = [f"  {c.method} {json.dumps(c.args, default=str)[:200]}" for c in self.calls]
        return "\n".join(lines) or "  (none)"

    # ----- Socket Mode -----

    def wait_connected(self, timeout: float = 10.0) -> None:
        """Wait until a Socket Mode client is connected (and has been sent its hello)."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._socket is not None, timeout):
                raise AssertionError(
                    f"no Socket Mode connection within {timeout} s; calls:\n{self.summary()}"
                )

    @property
    def connections(self) -> int:
        """How many Socket Mode connections were opened so far."""
        with self._lock:
            return self._connections

    def send_envelope(
        self,
        type: str,  # noqa: A002 - the envelope's field name
        payload: dict,
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        accepts_response_payload: bool = False,
        timeout: float = 5.0,
    ) -> dict:
        """Send an envelope to the connected client; return its ack (its message with this envelope_id)."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        with self._lock:
            socket, loop = self._socket, self._loop
        if socket is None or loop is None:
            raise AssertionError("no Socket Mode client is connected (call wait_connected first)")
        asyncio.run_coroutine_threadsafe(socket.send_str(json.dumps(envelope)), loop).result(timeout)

        def acked() -> dict | None:
            return next((a for a in self._acks if a.get("envelope_id") == envelope_id), None)

        with self._changed:
            if not self._changed.wait_for(lambda: acked() is not None, timeout):
                raise AssertionError(f"no ack for {type} envelope {envelope_id} within {timeout} s")
            return acked() or {}

    def send_event(self, event: dict, *, timeout: float = 5.0, **envelope: Any) -> dict:
        """Send an Events API envelope carrying `event` (as Slack wraps it); returns the ack."""
        payload = {
            "token": "fake-verification-token",
            "team_id": self.team_id,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        return self.send_envelope("events_api", payload, timeout=timeout, **envelope)

    # ----- the server side (runs in the server thread) -----

    def _new_ts(self) -> str:
        self._ts_counter += 1
        return f"{TS_SECONDS}.{self._ts_counter:06d}"

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> tuple[int, dict, dict]:
        """(HTTP status, JSON body, extra headers) for one call; records it first."""
        with self._lock:
            pending = self._failures.get(method)
            if pending:
                failure = pending.pop(0)
                body = {"ok": False, "error": failure.error, **failure.extra}
                if failure.status == 429:
                    return 429, body, {"Retry-After": str(failure.retry_after)}
                return failure.status, body, {}
            handler = self._handlers.get(method)
            try:
                if handler is None:
                    raise _SlackError("unknown_method")
                _check_auth(method, token)
                return 200, {"ok": True, **handler(args)}, {}
            except _SlackError as e:
                return 200, {"ok": False, "error": e.code}, {}

    def _message_json(self, m: FakeMessage) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "message", "user": m.user, "text": m.text, "ts": m.ts}
        if m.user == self.bot_user_id:
            out["bot_id"] = self.bot_id
        thread_ts = m.thread_ts or (m.ts if self._has_replies(m) else None)
        if thread_ts:
            out["thread_ts"] = thread_ts
        if m.blocks is not None:
            out["blocks"] = m.blocks
        if m.files:
            out["files"] = m.files
        if m.reactions:
            out["reactions"] = [{"name": n, "users": [self.bot_user_id], "count": 1} for n in m.reactions]
        return out

    def _has_replies(self, root: FakeMessage) -> bool:
        return any(m.thread_ts == root.ts and not m.deleted for m in self._messages.values())

    def _find(self, args: dict[str, Any], ts_name: str = "ts") -> FakeMessage:
        channel = _required(args, "channel", "channel_not_found")
        message = self._messages.get(str(args.get(ts_name) or ""))
        if message is None or message.channel != channel or message.deleted:
            raise _SlackError("message_not_found")
        return message

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://fake.slack.com/",
            "team": "Fake",
            "user": "sre-agent",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
        }

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = _required(args, "channel", "channel_not_found")
        if args.get("text") and args.get("markdown_text"):
            raise _SlackError("markdown_text_conflict")
        if not (
            args.get("text") or args.get("markdown_text") or args.get("blocks") or args.get("attachments")
        ):
            raise _SlackError("no_text")
        _check_lengths(args)
        ts = self._new_ts()
        thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
        text = str(args.get("markdown_text") or args.get("text") or "")
        message = FakeMessage(channel, ts, thread_ts, text, args.get("blocks"), user=self.bot_user_id)
        self._messages[ts] = message
        return {"channel": channel, "ts": ts, "message": self._message_json(message)}

    def _post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        """Only its user sees it: recorded as a call, not kept as a channel message."""
        _required(args, "channel", "channel_not_found")
        _required(args, "user", "user_not_in_channel")
        if not (args.get("text") or args.get("markdown_text") or args.get("blocks")):
            raise _SlackError("no_text")
        return {"message_ts": self._new_ts()}

    def response_url(self, name: str = "cmd") -> str:
        """A slash command's response_url: POSTs to it are recorded as calls of method "response_url"."""
        return self.base_url.replace("/api/", f"/response/{name}")

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self._lock:
            self._calls.append(SlackCall("response_url", body, None, headers, time.monotonic()))
        return web.Response(text="ok")

    def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self._find(args)
        if message.user != self.bot_user_id:
            raise _SlackError("cant_update_message")
        if args.get("text") and args.get("markdown_text"):
            raise _SlackError("markdown_text_conflict")
        _check_lengths(args)
        for name in ("markdown_text", "text"):
            if args.get(name) is not None:
                message.text = str(args[name])
        if args.get("blocks") is not None:
            message.blocks = args["blocks"]
        message.updates += 1
        return {"channel": message.channel, "ts": message.ts, "text": message.text}

    def _delete(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self._find(args)
        message.deleted = True
        return {"channel": message.channel, "ts": message.ts}

    def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        name = _required(args, "name", "invalid_name")
        message = self._find(args, "timestamp")
        if name in message.reactions:
            raise _SlackError("already_reacted")
        message.reactions.append(name)
        return {}

    def _reactions_remove(self, args: dict[str, Any]) -> dict[str, Any]:
        name = _required(args, "name", "invalid_name")
        message = self._find(args, "timestamp")
        if name not in message.reactions:
            raise _SlackError("no_reaction")
        message.reactions.remove(name)
        return {}

    def _replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = _required(args, "channel", "channel_not_found")
        ts = _required(args, "ts", "thread_not_found")
        thread = [
            m
            for m in self._messages.values()
            if m.channel == channel and not m.deleted and ts in (m.ts, m.thread_ts)
        ]
        if not thread:
            raise _SlackError("thread_not_found")
        thread.sort(key=lambda m: (m.ts != ts, m.ts))  # root first
        messages = [self._message_json(m) for m in thread]
        return {"messages": messages, "has_more": False, "response_metadata": {"next_cursor": ""}}

    def _set_status(self, args: dict[str, Any]) -> dict[str, Any]:
        _required(args, "channel_id", "channel_not_found")
        _required(args, "thread_ts", "invalid_arguments")
        if "status" not in args:
            raise _SlackError("invalid_arguments")
        return {}

    def _start_stream(self, args: dict[str, Any]) -> dict[str, Any]:
        if not self.streaming:
            raise _SlackError("not_allowed")
        channel = _required(args, "channel", "channel_not_found")
        thread_ts = _required(args, "thread_ts", "invalid_arguments")
        _check_lengths(args)
        chunks = _chunks(args)
        ts = self._new_ts()
        text = str(args.get("markdown_text") or "") + _chunk_text(chunks)
        message = FakeMessage(channel, ts, thread_ts, text, streamed=True, user=self.bot_user_id)
        message.chunks.extend(chunks)
        self._messages[ts] = message
        return {"channel": channel, "ts": ts}

    def _streaming_message(self, args: dict[str, Any]) -> FakeMessage:
        if not self.streaming:
            raise _SlackError("not_allowed")
        message = self._find(args)
        if not message.streamed or message.stopped:
            raise _SlackError("message_not_in_streaming_state")
        _check_lengths(args)
        return message

    def _append_to(self, message: FakeMessage, args: dict[str, Any]) -> None:
        chunks = _chunks(args)
        message.text += str(args.get("markdown_text") or "") + _chunk_text(chunks)
        message.chunks.extend(chunks)

    def _append_stream(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self._streaming_message(args)
        if not (args.get("markdown_text") or args.get("chunks")):
            raise _SlackError("no_text")
        self._append_to(message, args)
        return {"channel": message.channel, "ts": message.ts}

    def _stop_stream(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self._streaming_message(args)
        self._append_to(message, args)
        if args.get("blocks") is not None:
            message.blocks = args["blocks"]
        message.stopped = True
        return {"channel": message.channel, "ts": message.ts, "message": self._message_json(message)}

    def _connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.socket_url}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = _required(args, "user", "user_not_found")
        name = f"user-{user}"
        profile = {"display_name": name, "real_name": name}
        info = {"id": user, "name": name, "real_name": name, "tz": "UTC", "tz_offset": 0}
        return {"user": {**info, "is_bot": user == self.bot_user_id, "profile": profile}}

    def _get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        """Step 1 of an upload: a file id and where to POST its bytes."""
        filename = _required(args, "filename", "invalid_arguments")
        try:
            length = int(args.get("length") or 0)
        except (TypeError, ValueError):
            raise _SlackError("invalid_arguments") from None
        if length <= 0:
            raise _SlackError("invalid_arguments")
        file_id = f"F0FILE{len(self._uploads) + 1:04d}"
        self._uploads[file_id] = FakeUpload(file_id=file_id, filename=filename, length=length)
        return {"upload_url": f"{self.upload_url}{file_id}", "file_id": file_id}

    def _complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        """Step 3: share the uploaded files (in a thread with thread_ts), one bot message carrying them."""
        files = args.get("files")
        if not isinstance(files, list) or not files or not all(isinstance(f, dict) for f in files):
            raise _SlackError("invalid_arguments")
        found = [self._uploads.get(str(f.get("id") or "")) for f in files]
        uploads = [u for u in found if u is not None and u.data is not None and not u.completed]
        if len(uploads) != len(files):
            raise _SlackError("file_not_found")
        channel = str(args.get("channel_id") or args.get("channels") or "") or None
        if channel is not None and "," in channel:  # the fake shares in one channel only
            raise _SlackError("invalid_arguments")
        thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
        if thread_ts and channel is None:
            raise _SlackError("invalid_arguments")
        comment = str(args["initial_comment"]) if args.get("initial_comment") else None
        ts = self._new_ts() if channel is not None else None
        for upload, asked in zip(uploads, files, strict=True):
            upload.title = str(asked.get("title") or upload.filename)
            upload.channel, upload.thread_ts, upload.initial_comment = channel, thread_ts, comment
            upload.completed, upload.message_ts = True, ts
        infos = [self._file_json(u) for u in uploads]
        if channel is not None and ts is not None:
            message = FakeMessage(channel, ts, thread_ts, comment or "", user=self.bot_user_id, files=infos)
            self._messages[ts] = message
        return {"files": infos}

    def _file_json(self, upload: FakeUpload) -> dict[str, Any]:
        ext = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else "text"
        return {
            "id": upload.file_id,
            "name": upload.filename,
            "title": upload.title,
            "filetype": ext,
            "mimetype": {"html": "text/html", "txt": "text/plain"}.get(ext, "application/octet-stream"),
            "size": len(upload.data or b""),
            "user": self.bot_user_id,
        }

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """Step 2: the file's bytes, POSTed raw as slack_sdk does; answers "OK - <length>"."""
        file_id = request.match_info["file_id"]
        data = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self._lock:
            call = SlackCall(
                "upload_url", {"file_id": file_id, "length": len(data)}, None, headers, time.monotonic()
            )
            self._calls.append(call)
            pending = self._failures.get("upload_url")
            if pending:
                failure = pending.pop(0)
                return web.Response(status=failure.status, text=failure.error)
            upload = self._uploads.get(file_id)
            if upload is None or upload.completed:
                return web.Response(status=404, text="file not found")
            upload.data = data
        return web.Response(text=f"OK - {len(data)}")

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _read_args(request)
        token = _token(request, args)
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self._lock:
            self._calls.append(SlackCall(method, args, token, headers, time.monotonic()))
        try:
            status, body, extra = self._answer(method, args, token)
        except Exception as e:  # a bug in the fake: say so rather than hang up
            status, body, extra = 500, {"ok": False, "error": f"fake_slack_bug: {e!r}"}, {}
        return web.json_response(body, status=status, headers=extra)

    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(timeout=0.5)  # close handshake wait: the builtin client never answers
        await socket.prepare(request)
        self._open_sockets.add(socket)
        pinger: asyncio.Task | None = None
        try:
            await socket.send_json(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "fake-slack", "approximate_connection_time": 3600},
                    "connection_info": {"app_id": APP_ID},
                }
            )
            with self._changed:
                self._socket = socket
                self._connections += 1
                self._changed.notify_all()
            pinger = asyncio.create_task(_ping_often(socket))
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    self._on_client_text(message.data)
        finally:
            if pinger is not None:
                pinger.cancel()
                with suppress(asyncio.CancelledError):
                    await pinger
            self._open_sockets.discard(socket)
            with self._changed:
                if self._socket is socket:
                    self._socket = None
                self._changed.notify_all()
        return socket

    def _on_client_text(self, data: str) -> None:
        try:
            message = json.loads(data)
        except json.JSONDecodeError:
            return
        if isinstance(message, dict) and message.get("envelope_id"):
            with self._changed:
                self._acks.append(message)
                self._changed.notify_all()

    async def _close_sockets(self, app: web.Application) -> None:
        for socket in list(self._open_sockets):
            await socket.close(code=1001, message=b"fake slack shutting down")

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_get("/socket", self._handle_socket)
        app.router.add_post("/response/{name}", self._handle_response_url)
        app.router.add_post("/upload/v1/{file_id}", self._handle_upload)
        app.on_shutdown.append(self._close_sockets)
        return app

    async def _serve(
        self, ready: threading.Event, stop: list[asyncio.Event], errors: list[BaseException]
    ) -> None:
        """Run the server until `stop[0]` is set (the list hands the event to the starting thread)."""
        runner = web.AppRunner(self._app(), access_log=None, shutdown_timeout=2.0)
        try:
            self._loop = asyncio.get_running_loop()
            stop.append(asyncio.Event())
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            self.base_url = f"http://127.0.0.1:{port}/api/"
            self.socket_url = f"ws://127.0.0.1:{port}/socket"
            self.upload_url = f"http://127.0.0.1:{port}/upload/v1/"
        except BaseException as e:
            errors.append(e)
            await runner.cleanup()
            raise
        finally:
            ready.set()
        try:
            await stop[0].wait()
        finally:
            await runner.cleanup()


@contextmanager
def serve_slack(
    *,
    team_id: str = "T0TEAM",
    bot_user_id: str = "U0BOT",
    bot_id: str = "B0BOT",
    streaming: bool = True,
) -> Iterator[FakeSlack]:
    """Start the fake on a free port of 127.0.0.1; stops it (closing any WebSocket) on exit."""
    slack = FakeSlack(team_id=team_id, bot_user_id=bot_user_id, bot_id=bot_id, streaming=streaming)
    ready = threading.Event()
    stop: list[asyncio.Event] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(slack._serve(ready, stop, errors))
        except BaseException as e:  # reported through `errors` when it happens at startup
            if not errors:
                errors.append(e)

    thread = threading.Thread(target=run, name="fake-slack", daemon=True)
    thread.start()
    if not ready.wait(10) or errors:
        raise RuntimeError(f"fake Slack did not start: {errors[:1]}")
    try:
        yield slack
    finally:
        loop = slack._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop[0].set)
        thread.join(timeout=10)

"""A real HTTP server on 127.0.0.1 speaking OpenAI's chat-completions protocol, for tests.

Serves `POST /v1/chat/completions` (plain JSON, or server-sent events when the body says
`"stream": true`) and `GET /v1/models`. Each chat request takes the next scripted reply:

    with serve_chat(ToolCalls([ToolCallSpec("search", {"q": "oom"})]), Text("It was the cache.")) as chat:
        llm = OpenAILike(model="fake-model", api_base=chat.base_url, api_key="k", max_retries=0, ...)

A reply is `Text`, `ToolCalls`, `Error` or `Delay` (see below). When the queue is empty the
`responder` (request body -> reply) answers, or else `Text("(script exhausted)")`. The reply
dataclasses are shared with the Bedrock fake (`bedrock_server.py`). Every request is recorded.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Text:
    """An assistant message with this text."""

    content: str


@dataclass(frozen=True)
class ToolCallSpec:
    """One call; `arguments` as a dict is sent as JSON, a str is sent verbatim (may be malformed)."""

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    id: str = ""  # empty: "call_<request>_<i>" (OpenAI) or "tooluse_<request>_<i>" (Bedrock)


@dataclass(frozen=True)
class ToolCalls:
    """An assistant message calling these tools (optionally with some text before the calls)."""

    calls: list[ToolCallSpec]
    content: str = ""


@dataclass(frozen=True)
class Error:
    """An HTTP error in the protocol's error JSON; `code` is OpenAI's `code` or AWS's error type."""

    status: int
    message: str = "fake failure"
    code: str | None = None


@dataclass(frozen=True)
class Delay:
    """Wait `seconds` (e.g. past a client's timeout), then answer with `then`."""

    seconds: float
    then: Reply = Text("")


Reply = Text | ToolCalls | Error | Delay
Responder = Callable[[dict[str, Any]], Reply]
EXHAUSTED = Text("(script exhausted)")


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # names lowercased
    body: dict[str, Any]


@dataclass
class FakeChat:
    """What the server answers and what it was sent. Change fields while it runs to change it."""

    replies: list[Reply] = field(default_factory=list)  # consumed one per chat request
    responder: Responder | None = None  # answers once `replies` is empty
    required_headers: dict[str, str] = field(default_factory=dict)  # else 401 (names case-insensitive)
    models: list[str] = field(default_factory=lambda: ["fake-model"])  # for GET /v1/models
    requests: list[RecordedRequest] = field(default_factory=list)
    base_url: str = ""  # http://127.0.0.1:PORT/v1 -- what OpenAI clients take as base URL / api_base

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def last_body(self) -> dict[str, Any]:
        return self.chat_requests[-1].body

    @property
    def last_messages(self) -> list[dict[str, Any]]:
        return self.last_body.get("messages", [])

    @property
    def last_headers(self) -> dict[str, str]:
        return self.requests[-1].headers


def next_reply(
    replies: list[Reply], responder: Responder | None, body: dict[str, Any], lock: threading.Lock
) -> Reply:
    """Pop the next scripted reply, else ask the responder, else say the script ran out."""
    with lock:
        if replies:
            return replies.pop(0)
    if responder is None:
        return EXHAUSTED
    try:
        return responder(body)
    except Exception as e:  # a bug in the test's script: answer with it rather than hang up
        return Error(500, f"fake responder raised {e!r}")


def split(text: str, parts: int = 3) -> list[str]:
    """`text` in up to `parts` pieces for streaming ("" gives [""])."""
    size = max(1, -(-len(text) // parts))
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def arguments_text(arguments: dict[str, Any] | str) -> str:
    return arguments if isinstance(arguments, str) else json.dumps(arguments)


class QuietHandler(BaseHTTPRequestHandler):
    """Shared plumbing: quiet logs, JSON body reading, JSON answers, recording."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output clean
        pass

    def read_json(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length", "0"))
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            return {}
        return body if isinstance(body, dict) else {}

    def record(self, requests: list[RecordedRequest], body: dict[str, Any]) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        requests.append(RecordedRequest(self.command, self.path, headers, body))

    def send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


_OPENAI_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    404: "invalid_request_error",
}
_OPENAI_ERROR_CODES = {401: "invalid_api_key", 404: "model_not_found", 429: "rate_limit_exceeded"}


def openai_error(status: int, message: str, code: str | None = None) -> dict[str, Any]:
    kind = _OPENAI_ERROR_TYPES.get(status, "server_error" if status >= 500 else "requests")
    return {
        "error": {
            "message": message,
            "type": kind,
            "param": None,
            "code": code or _OPENAI_ERROR_CODES.get(status),
        }
    }


def _tool_call_id(spec: ToolCallSpec, n: int, i: int) -> str:
    return spec.id or f"call_{n}_{i}"


def _usage(body: dict[str, Any], completion: str) -> dict[str, int]:
    prompt_tokens = len(json.dumps(body.get("messages", []))) // 4
    completion_tokens = len(completion) // 4 + 1
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def completion(reply: Text | ToolCalls, body: dict[str, Any], n: int) -> dict[str, Any]:
    """The non-streaming `chat.completion` object for a reply."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.content or None, "refusal": None}
    finish = "stop"
    if isinstance(reply, ToolCalls):
        message["tool_calls"] = [
            {
                "id": _tool_call_id(c, n, i),
                "type": "function",
                "function": {"name": c.name, "arguments": arguments_text(c.arguments)},
            }
            for i, c in enumerate(reply.calls)
        ]
        finish = "tool_calls"
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
    return {
        "id": f"chatcmpl-{n}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", ""),
        "choices": [choice],
        "usage": _usage(body, reply.content),
    }


def completion_chunks(reply: Text | ToolCalls, body: dict[str, Any], n: int) -> Iterator[dict[str, Any]]:
    """The `chat.completion.chunk` objects streaming a reply, as OpenAI sends them."""
    with_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    head = {"id": f"chatcmpl-{n}", "object": "chat.completion.chunk", "created": int(time.time())}
    head["model"] = body.get("model", "")

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**head, "choices": [choice], **({"usage": None} if with_usage else {})}

    yield chunk({"role": "assistant", "content": "", "refusal": None})
    if reply.content:
        for piece in split(reply.content):
            yield chunk({"content": piece})
    finish = "stop"
    if isinstance(reply, ToolCalls):
        finish = "tool_calls"
        for i, call in enumerate(reply.calls):
            first = {"name": call.name, "arguments": ""}
            start = {"index": i, "id": _tool_call_id(call, n, i), "type": "function", "function": first}
            yield chunk({"tool_calls": [start]})
            for piece in split(arguments_text(call.arguments)):
                yield chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
    yield chunk({}, finish)
    if with_usage:
        yield {**head, "choices": [], "usage": _usage(body, reply.content)}


def _handler(state: FakeChat, closing: threading.Event) -> type[BaseHTTPRequestHandler]:
    lock = threading.Lock()

    class Handler(QuietHandler):
        def _authorized(self) -> bool:
            for name, value in state.required_headers.items():
                if self.headers.get(name) != value:
                    message = f"Missing or wrong header {name!r}."
                    self.send_json(401, openai_error(401, message))
                    return False
            return True

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            with lock:
                self.record(state.requests, {})
            if not self._authorized():
                return
            if self.path.split("?")[0] != "/v1/models":
                self.send_json(404, openai_error(404, f"Unknown route {self.path}", "unknown_url"))
                return
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in state.models]
            self.send_json(200, {"object": "list", "data": data})

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.read_json()
            with lock:
                self.record(state.requests, body)
                n = len(state.requests)
            if not self._authorized():
                return
            if self.path.split("?")[0] != "/v1/chat/completions":
                self.send_json(404, openai_error(404, f"Unknown route {self.path}", "unknown_url"))
                return
            reply = next_reply(state.replies, state.responder, body, lock)
            while isinstance(reply, Delay):
                if closing.wait(reply.seconds):
                    return
                reply = reply.then
            with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (e.g. timed out)
                self._answer(reply, body, n)

        def _answer(self, reply: Text | ToolCalls | Error, body: dict[str, Any], n: int) -> None:
            if isinstance(reply, Error):
                self.send_json(reply.status, openai_error(reply.status, reply.message, reply.code))
            elif not body.get("stream"):
                self.send_json(200, completion(reply, body, n))
            else:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream; charset=utf-8")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()  # HTTP/1.0: the body ends when the connection closes
                for event in completion_chunks(reply, body, n):
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")

    return Handler


@contextmanager
def serve(name: str, handler: type[BaseHTTPRequestHandler], closing: threading.Event) -> Iterator[int]:
    """Run `handler` on a free port of 127.0.0.1 in a daemon thread; yields the port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # A short poll interval: shutdown() waits for the loop to notice (0.5 s per server by default).
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), name=name, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        closing.set()  # cut pending Delays short
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def serve_chat(
    *replies: Reply,
    responder: Responder | None = None,
    required_headers: dict[str, str] | None = None,
    models: list[str] | None = None,
) -> Iterator[FakeChat]:
    """Start the fake; `state.base_url` is http://127.0.0.1:PORT/v1 (pass it as `api_base`)."""
    state = FakeChat(
        replies=list(replies), responder=responder, required_headers=dict(required_headers or {})
    )
    if models is not None:
        state.models = list(models)
    closing = threading.Event()
    with serve("fake-chat", _handler(state, closing), closing) as port:
        state.base_url = f"http://127.0.0.1:{port}/v1"
        yield state

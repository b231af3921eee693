"""A real HTTP server on 127.0.0.1 speaking Bedrock Runtime's Converse protocol, for tests.

Serves `POST /model/{modelId}/converse` (JSON) and `POST /model/{modelId}/converse-stream`
(AWS event-stream binary frames, `application/vnd.amazon.eventstream`). Scripted with the same
reply dataclasses as the OpenAI fake (`Text`, `ToolCalls`, `ToolCallSpec`, `Error`, `Delay`):

    with serve_bedrock(Text("hello")) as fake:
        llm = BedrockConverse(model=..., endpoint_url=fake.base_url, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test", max_retries=1)

Errors are AWS JSON errors (`x-amzn-errortype` header + `{"message": ...}`). The SigV4 signature
is not checked. Every request is recorded; botocore percent-encodes the model id in the path.
"""

from __future__ import annotations

import json
import struct
import threading
import uuid
from binascii import crc32
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

from fakes.chat_server import (
    Delay,
    Error,
    QuietHandler,
    RecordedRequest,
    Reply,
    Responder,
    Text,
    ToolCalls,
    ToolCallSpec,
    arguments_text,
    next_reply,
    serve,
    split,
)

__all__ = ["Delay", "Error", "FakeBedrock", "Text", "ToolCallSpec", "ToolCalls", "serve_bedrock"]

AWS_ERROR_TYPES = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    408: "ModelTimeoutException",
    424: "ModelErrorException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}


@dataclass
class FakeBedrock:
    """What the server answers and what it was sent. Change fields while it runs to change it."""

    replies: list[Reply] = field(default_factory=list)  # consumed one per converse(-stream) request
    responder: Responder | None = None  # answers (request body -> reply) once `replies` is empty
    requests: list[RecordedRequest] = field(default_factory=list)
    base_url: str = ""  # http://127.0.0.1:PORT -- pass as `endpoint_url`

    @property
    def model_ids(self) -> list[str]:
        """The model id of each request, percent-decoded from its path."""
        return [unquote(r.path.split("/")[2]) for r in self.requests if r.path.startswith("/model/")]

    @property
    def last_body(self) -> dict[str, Any]:
        return self.requests[-1].body

    @property
    def last_messages(self) -> list[dict[str, Any]]:
        return self.last_body.get("messages", [])


def event_message(event_type: str, payload: dict[str, Any]) -> bytes:
    """One AWS event-stream frame: prelude (lengths + CRC), string headers, JSON payload, CRC."""
    headers = b""
    fields = {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"}
    for name, value in fields.items():
        raw = value.encode()  # header value type 7 = string, with a 2-byte length
        headers += struct.pack("!B", len(name)) + name.encode() + struct.pack("!BH", 7, len(raw)) + raw
    body = json.dumps(payload).encode()
    prelude = struct.pack("!II", 12 + len(headers) + len(body) + 4, len(headers))
    message = prelude + struct.pack("!I", crc32(prelude)) + headers + body
    return message + struct.pack("!I", crc32(message))


def _tool_use_id(spec: ToolCallSpec, n: int, i: int) -> str:
    return spec.id or f"tooluse_{n}_{i}"


def _input_document(arguments: dict[str, Any] | str) -> Any:
    """Converse's `input` is a JSON document; a str that isn't JSON goes as a JSON string."""
    if isinstance(arguments, dict):
        return arguments
    try:
        return json.loads(arguments)
    except json.JSONDecodeError:
        return arguments


def _usage(body: dict[str, Any], reply: Text | ToolCalls) -> dict[str, int]:
    inputs = len(json.dumps(body.get("messages", []))) // 4
    outputs = len(reply.content) // 4 + 1
    return {"inputTokens": inputs, "outputTokens": outputs, "totalTokens": inputs + outputs}


def converse_response(reply: Text | ToolCalls, body: dict[str, Any], n: int) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"text": reply.content}] if reply.content else []
    stop = "end_turn"
    if isinstance(reply, ToolCalls):
        stop = "tool_use"
        for i, call in enumerate(reply.calls):
            use = {"toolUseId": _tool_use_id(call, n, i), "name": call.name}
            content.append({"toolUse": {**use, "input": _input_document(call.arguments)}})
    message = {"role": "assistant", "content": content or [{"text": ""}]}
    return {
        "output": {"message": message},
        "stopReason": stop,
        "usage": _usage(body, reply),
        "metrics": {"latencyMs": 1},
    }


def converse_events(reply: Text | ToolCalls, body: dict[str, Any], n: int) -> Iterator[tuple[str, dict]]:
    """The (event type, payload) pairs of a ConverseStream answer, in Bedrock's order."""
    yield "messageStart", {"role": "assistant"}
    index = 0
    if reply.content or isinstance(reply, Text):
        for piece in split(reply.content):
            yield "contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": piece}}
        yield "contentBlockStop", {"contentBlockIndex": index}
        index += 1
    stop = "end_turn"
    if isinstance(reply, ToolCalls):
        stop = "tool_use"
        for i, call in enumerate(reply.calls):
            use = {"toolUseId": _tool_use_id(call, n, i), "name": call.name}
            yield "contentBlockStart", {"contentBlockIndex": index, "start": {"toolUse": use}}
            for piece in split(arguments_text(call.arguments)):
                yield (
                    "contentBlockDelta",
                    {"contentBlockIndex": index, "delta": {"toolUse": {"input": piece}}},
                )
            yield "contentBlockStop", {"contentBlockIndex": index}
            index += 1
    yield "messageStop", {"stopReason": stop}
    yield "metadata", {"usage": _usage(body, reply), "metrics": {"latencyMs": 1}}


def _handler(state: FakeBedrock, closing: threading.Event) -> type[BaseHTTPRequestHandler]:
    lock = threading.Lock()

    class Handler(QuietHandler):
        def _error(self, status: int, message: str, code: str | None = None) -> None:
            kind = code or AWS_ERROR_TYPES.get(status, "InternalServerException")
            headers = {"x-amzn-errortype": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/"}
            self.send_json(status, {"message": message}, {**headers, "x-amzn-requestid": str(uuid.uuid4())})

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.read_json()
            with lock:
                self.record(state.requests, body)
                n = len(state.requests)
            parts = self.path.split("?")[0].split("/")
            if len(parts) != 4 or parts[1] != "model" or parts[3] not in ("converse", "converse-stream"):
                self._error(404, f"Unknown route {self.path}", "UnknownOperationException")
                return
            reply = next_reply(state.replies, state.responder, body, lock)
            while isinstance(reply, Delay):
                if closing.wait(reply.seconds):
                    return
                reply = reply.then
            with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (e.g. timed out)
                if isinstance(reply, Error):
                    self._error(reply.status, reply.message, reply.code)
                elif parts[3] == "converse":
                    self.send_json(200, converse_response(reply, body, n), {"x-amzn-requestid": str(n)})
                else:
                    self._stream(reply, body, n)

        def _stream(self, reply: Text | ToolCalls, body: dict[str, Any], n: int) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.amazon.eventstream")
            self.send_header("x-amzn-requestid", str(n))
            self.end_headers()  # HTTP/1.0: the body ends when the connection closes
            for event_type, payload in converse_events(reply, body, n):
                self.wfile.write(event_message(event_type, payload))

    return Handler


@contextmanager
def serve_bedrock(*replies: Reply, responder: Responder | None = None) -> Iterator[FakeBedrock]:
    """Start the fake; `state.base_url` is http://127.0.0.1:PORT (pass it as `endpoint_url`)."""
    state = FakeBedrock(replies=list(replies), responder=responder)
    closing = threading.Event()
    with serve("fake-bedrock", _handler(state, closing), closing) as port:
        state.base_url = f"http://127.0.0.1:{port}"
        yield state

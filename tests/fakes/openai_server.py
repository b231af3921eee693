"""A real HTTP server on 127.0.0.1 speaking OpenAI's JSON, for tests.

Serves `POST /v1/embeddings` (`{"model": ..., "input": [...]}` in,
`{"object": "list", "data": [{"object": "embedding", "embedding": [...], "index": i}], "model": ...}`
out). A chat-completions fake can grow here next to it. Every request is recorded so tests can
check what the client sent (headers, bodies).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def fake_vector(text: str, dim: int) -> list[float]:
    """A deterministic vector for `text` (from its sha256), so tests can check which text got which."""
    digest = hashlib.sha256(text.encode()).digest()
    return [(digest[i % len(digest)] - 128) / 128 for i in range(dim)]


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeOpenAI:
    """What the server serves and what it was sent. Change fields while it runs to change it."""

    models: dict[str, int]  # model name -> vector length; other models get a 404 "model_not_found"
    fail_status: int | None = None  # answer every request with this status
    fail_first: int = 0  # answer the first N requests with `fail_status` (then serve normally)
    reverse_data: bool = False  # list `data` last index first, as the spec allows
    requests: list[RecordedRequest] = field(default_factory=list)
    base_url: str = ""

    @property
    def models_asked(self) -> list[str]:
        return [r.body.get("model", "") for r in self.requests]


def _handler(state: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output clean
            pass

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", "0"))
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except json.JSONDecodeError:
                body = {}
            with lock:
                state.requests.append(RecordedRequest(self.path, dict(self.headers.items()), body))
                failing = state.fail_status is not None and (
                    state.fail_first == 0 or len(state.requests) <= state.fail_first
                )
            if self.path != "/v1/embeddings":
                self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                return
            if failing:
                self._send(state.fail_status, {"error": {"message": "fake failure", "type": "server_error"}})
                return
            model = body.get("model", "")
            if model not in state.models:
                error = {
                    "message": f"The model `{model}` does not exist or you do not have access to it.",
                    "type": "invalid_request_error",
                    "code": "model_not_found",
                }
                self._send(404, {"error": error})
                return
            texts = body.get("input", [])
            texts = [texts] if isinstance(texts, str) else texts
            data = [
                {"object": "embedding", "embedding": fake_vector(t, state.models[model]), "index": i}
                for i, t in enumerate(texts)
            ]
            if state.reverse_data:
                data.reverse()
            usage = {"prompt_tokens": len(texts), "total_tokens": len(texts)}
            self._send(200, {"object": "list", "data": data, "model": model, "usage": usage})

    return Handler


@contextmanager
def running_openai_server(
    models: dict[str, int] | None = None, fail_status: int | None = None, fail_first: int = 0
) -> Iterator[FakeOpenAI]:
    """Start the fake on a free port of 127.0.0.1; `state.base_url` is like http://127.0.0.1:PORT/v1."""
    state = FakeOpenAI(
        models=dict(models or {"text-embedding-3-small": 8}), fail_status=fail_status, fail_first=fail_first
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, name="fake-openai", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

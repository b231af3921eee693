"""A local HTTP server answering GETs with JSON from a handler function: the wire side of the
remote logstores' fakes (an HTTP logstore API, Loki's query_range), on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

#: (path, query parameters, lower-cased headers) -> (status, JSON body)
Handler = Callable[[str, dict[str, list[str]], dict[str, str]], tuple[int, Any]]


class Server:
    """A local HTTP server whose GET handler is a function of (path, query, headers)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []
        self.handler: Handler = lambda path, query, headers: (404, {})
        self.url = ""


@contextmanager
def serve(monkeypatch: pytest.MonkeyPatch, env: str) -> Iterator[Server]:
    """A server for the duration, its URL in env var `env`."""
    state = Server()

    class _Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            parsed = urlparse(self.path)
            query = parse_qs(parsed.query)
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.requests.append((parsed.path, query, headers))
            status, body = state.handler(parsed.path, query, headers)
            payload = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv(env, state.url)
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()

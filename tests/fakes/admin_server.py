"""A fake admin API on 127.0.0.1 (real HTTP): answers GETs from a script and records each request."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeAdmin:
    """What the fake admin API answers next (status, body, delay) and what it was asked."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.script: list[tuple[int, bytes, float]] = []
        self.base_url = ""

    def answer(
        self, status: int = 200, body: object = None, delay: float = 0.0, raw: bytes | None = None
    ) -> None:
        self.script.append((status, raw if raw is not None else json.dumps(body).encode(), delay))


@contextmanager
def serve_admin() -> Iterator[FakeAdmin]:
    fake = FakeAdmin()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            fake.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            status, body, delay = fake.script.pop(0) if fake.script else (404, b'{"error": "nothing"}', 0.0)
            time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout, size cap)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()

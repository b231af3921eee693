"""Questions of the form "what happened to <an id>?": the lines holding the id, worst first.

The words left beside the id ("upstream") are in every line that holds it, so the question's own
ranking cannot tell a refused connection from a routine note; the retrieve step ranks those lines
as a broad question would (`broad.worst_rows`). Same small real LanceDB and real model as
test_retrieve_rules.
"""

from __future__ import annotations

from test_retrieve_rules import _ask, _rows, _store

ADDRESS = "10.0.3.21"


def _nginx(minute: int, level: str, text: str, upstream: str = ADDRESS) -> tuple[int, str, dict]:
    """An nginx error-log line about one request to `upstream`."""
    path = f"/v1/orders/{minute}"
    message = (
        f"[{level.lower()}] 48220#48220: *{1800000 + minute} {text}, client: 192.0.2.33, "
        f'server: api.example.com, request: "GET {path} HTTP/1.1", upstream: "http://{upstream}:9090{path}"'
    )
    return (minute, message, {"level": level})


DISABLED = "upstream server temporarily disabled while connecting to upstream"
REFUSED = "connect() failed (111: Connection refused) while connecting to upstream"
BUFFERED = "an upstream response is buffered to a temporary file while reading upstream"


def _lines() -> list:
    return [
        *[_nginx(m, "WARN", DISABLED) for m in range(0, 30)],
        *[_nginx(m, "INFO", BUFFERED) for m in range(30, 40)],
        *[_nginx(m, "ERROR", REFUSED) for m in range(40, 50)],
        *[_nginx(m, "ERROR", REFUSED, upstream="10.0.3.22") for m in range(50, 55)],
    ]


def test_what_happened_to_an_address_puts_its_worst_lines_first(tmp_path, embedder) -> None:
    store = _store(tmp_path, embedder, _rows(*_lines()))
    top, relaxed = _ask(store, f"what happened to upstream {ADDRESS}?", k=5)
    assert relaxed == []
    # a refused connection (error) first, then a warning, one of each pattern in turn (the routine
    # line only after them, as one line of a further pattern); never the other upstream's lines
    kinds = [next(kind for kind in (REFUSED, DISABLED, BUFFERED) if kind in line) for line in top]
    assert kinds[:5] == [REFUSED, DISABLED, REFUSED, DISABLED, REFUSED]
    assert all(ADDRESS in line for line in top)


def test_a_question_that_asks_for_one_kind_of_line_keeps_its_own_ranking(tmp_path, embedder) -> None:
    store = _store(tmp_path, embedder, _rows(*_lines()))
    top, _ = _ask(store, f"show the server temporarily disabled lines of upstream {ADDRESS}", k=3)
    assert all(DISABLED in line for line in top[:3])

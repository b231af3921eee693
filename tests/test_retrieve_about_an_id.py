"""Questions of the form "what happened to <an id>?": the lines holding the id, worst first.

The words left beside the id ("upstream") are in every line that holds it, so the question's own
ranking cannot tell a refused connection from a routine note; the retrieve step ranks those lines
as a broad question would (`broad.worst_rows`). Same small real LanceDB and real model as
test_retrieve_rules.
"""

from __future__ import annotations

from datetime import timedelta

from test_retrieve_rules import BASE, NOW, SESSION, _ask, _rows, _store

from sre_agent.evidence import render_evidence
from sre_agent.indexes import SearchFilters
from sre_agent.models import TimeWindow
from sre_agent.workflows.broad import worst_rows
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.retrieve import Retriever

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


def test_worst_rows_takes_k_messages_and_reads_the_usual_rate_outside_the_window(tmp_path, embedder) -> None:
    steady = [_nginx(m, "ERROR", REFUSED) for m in range(0, 120, 4)]  # all along, one in four minutes
    risen = [_nginx(m, "WARN", DISABLED) for m in (100, 101, 102)]  # only inside the window
    store = _store(tmp_path, embedder, _rows(*steady, *risen))
    window = TimeWindow(start=BASE + timedelta(minutes=98), end=BASE + timedelta(minutes=110))
    inside = SearchFilters(start=window.start, end=window.end)
    worst = worst_rows(store, SESSION, None, inside, window, 2)
    assert len(worst) == 2
    # the warnings rose above their usual rate (none outside the window); the errors did not
    assert DISABLED in worst[0].message and REFUSED in worst[1].message


def test_the_pattern_of_a_line_holding_the_id_counts_only_the_lines_holding_it(tmp_path, embedder) -> None:
    # ten refusals from 10.0.3.21, five from 10.0.3.22: one pattern (the address is masked), but the
    # engineer asked about one upstream and must not read "×15" as its refusals
    store = _store(tmp_path, embedder, _rows(*_lines()))
    plan = RuleRefiner().refine(f"what happened to upstream {ADDRESS}?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=5)
    refused = next(line for line in lines if REFUSED in line.message)
    assert refused.pattern is not None
    assert (refused.pattern.count, refused.pattern.holding) == (10, [ADDRESS])
    assert refused.pattern.last_seen == BASE + timedelta(minutes=49)  # not the other upstream's 54
    evidence = render_evidence(lines)
    assert f"×10 with {ADDRESS}" in evidence and "×15" not in evidence


def test_a_question_naming_no_identifier_counts_the_whole_pattern(tmp_path, embedder) -> None:
    store = _store(tmp_path, embedder, _rows(*_lines()))
    plan = RuleRefiner().refine("any connection refused by the upstreams?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=5)
    refused = next(line for line in lines if REFUSED in line.message)
    assert refused.pattern is not None
    assert (refused.pattern.count, refused.pattern.holding) == (15, [])


def test_when_did_it_start_on_each_gives_each_hosts_first_line_then_the_rest_oldest_first(
    tmp_path, embedder
) -> None:
    said = "HikariPool-1 - Connection is not available, request timed out after 30000ms"
    lines = [(m, f"[exec-{m}] {said}", {"level": "ERROR", "host": "pod-a"}) for m in range(10, 40, 3)]
    lines += [(m, f"[exec-{m}] {said}", {"level": "ERROR", "host": "pod-b"}) for m in range(25, 40, 2)]
    lines += [(m, f"[nio-{m}] {said}", {"level": "ERROR", "host": "pod-c"}) for m in (31, 38)]
    lines += [(m, f"GET /v1/cart/{m} 200", {"host": "pod-a"}) for m in range(0, 40)]
    store = _store(tmp_path, embedder, _rows(*sorted(lines, key=lambda line: line[0])))
    top, _ = _ask(store, f"the traces say '{said}'. which pods, and when did it start on each?", k=5)
    assert top[:5] == [
        f"[exec-10] {said}",
        f"[exec-25] {said}",
        f"[nio-31] {said}",
        f"[exec-13] {said}",
        f"[exec-16] {said}",
    ]

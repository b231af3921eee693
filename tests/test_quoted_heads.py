"""A quoted phrase: the lines that say it in their first line come before the lines that carry it
deep in a stack trace (`order.heads_first`). Same small real LanceDB and real model as
test_retrieve_rules."""

from __future__ import annotations

from test_retrieve_rules import SESSION, _ask, _rows, _store

from sre_agent.workflows.order import as_hit, heads_first

PHRASE = "HikariPool-1 - Connection is not available, request timed out after"
SAID = f"o.h.engine.jdbc.spi.SqlExceptionHelper : {PHRASE} 30000ms."


def _carried(n: int) -> str:
    """An error whose stack trace carries the phrase in a `Caused by:` far down."""
    frames = "\n".join(f"\tat com.shop.orders.Handler.step{i}(Handler.java:{i})" for i in range(12))
    return (
        f"c.a.shop.orders.web.ApiExceptionHandler : pod order-service-{n} trace started: unhandled "
        f"exception for GET /api/v1/carts/{n}\n"
        "org.springframework.transaction.CannotCreateTransactionException: Could not open JPA EntityManager\n"
        f"{frames}\nCaused by: java.sql.SQLTransientConnectionException: {PHRASE} 30000ms."
    )


def test_the_lines_that_say_a_quoted_phrase_come_before_traces_that_carry_it(tmp_path, embedder) -> None:
    rows = [(m, _carried(m), {"level": "ERROR"}) for m in range(8)]
    rows += [(10 + m, f"[exec-{m}] {SAID}", {"level": "ERROR"}) for m in range(3)]
    store = _store(tmp_path, embedder, _rows(*rows))
    top, _ = _ask(store, f"now the traces all say '{PHRASE}'. which pods, and when did it start?", k=4)
    assert [line.startswith("[exec-") for line in top[:4]] == [True, True, True, False]


def test_a_line_holding_the_identifier_in_a_field_keeps_its_place(tmp_path, embedder) -> None:
    store = _store(
        tmp_path,
        embedder,
        _rows(
            (1, "job failed\nCaused by: 10.1.1.1 unreachable", {"level": "ERROR"}),
            (2, "heartbeat ok", {"host": "10.1.1.1"}),
            (3, "conn from 10.1.1.1 refused"),
        ),
    )
    hits = [as_hit(row) for row in store.scan(SESSION)]
    ordered = [hit.message for hit in heads_first(hits, ["10.1.1.1"])]
    assert ordered == [
        "heartbeat ok",
        "conn from 10.1.1.1 refused",
        "job failed\nCaused by: 10.1.1.1 unreachable",
    ]
    assert [hit.message for hit in heads_first(hits, [])] == [hit.message for hit in hits]

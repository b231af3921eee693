"""A quoted phrase: the lines that say it in their first line come before the lines that carry it
deep in a stack trace (`order.heads_first`). Same small real LanceDB and real model as
test_retrieve_rules."""

from __future__ import annotations

from test_retrieve_rules import _ask, _rows, _store

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

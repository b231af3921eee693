"""The suspect ranking: each signal alone decides the order, and the list reads as an engineer needs.

Every case builds a small multi-service log as the clean step stores it (the real `clean_records`)
and checks the order the ranking gives, and, with that signal left out, that the order changes:
so each test shows what its signal adds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sre_agent.clean import clean_records
from sre_agent.models import CleanRecord, LogRecord
from sre_agent.suspects import rank_suspects, render_suspects, summary_phrase

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
ONSET = 300  # seconds after T0


def _rows(records: list[LogRecord]) -> list[CleanRecord]:
    return clean_records(records, None).records


def _line(second: float, service: str | None, message: str, level: str = "INFO", **kw) -> LogRecord:
    return LogRecord(
        timestamp=T0 + timedelta(seconds=second), message=message, level=level, service=service, **kw
    )


def _traffic(services: list[str], seconds: int = 600) -> list[LogRecord]:
    """Every service serving a request a second, fine all along."""
    return [
        _line(s, name, f"handled request {s} in {5 + s % 7} ms") for s in range(seconds) for name in services
    ]


def _order(records: list[LogRecord], **kw) -> list[str]:
    return rank_suspects(_rows(records), **kw).services()


def test_onset_a_new_error_outranks_a_louder_old_one() -> None:
    records = _traffic(["billing", "search"])
    # search has always failed now and then, and a little more after the onset; billing's error is new.
    records += [
        _line(s, "search", "index shard 3 unavailable, partial results", "ERROR") for s in range(0, 600, 4)
    ]
    records += [
        _line(s, "search", "index shard 3 unavailable, partial results", "ERROR")
        for s in range(ONSET, 600, 9)
    ]
    records += [
        _line(s, "billing", "invoice total mismatch: ledger says 0", "ERROR") for s in range(ONSET, 600, 20)
    ]
    assert _order(records)[:2] == ["billing", "search"]
    assert _order(records, disabled=["onset"]) == []  # errors of their own are the only evidence here


def test_blame_the_service_callers_name_not_the_callers() -> None:
    records = _traffic(["web", "checkout", "payments"])
    for s in range(ONSET, 600, 2):
        records.append(_line(s, "web", "POST /order failed: timeout calling payments after 2000 ms", "ERROR"))
        records.append(_line(s, "checkout", "charge failed: connection refused to payments:8080", "ERROR"))
    assert _order(records)[0] == "payments"
    assert _order(records, disabled=["blame"])[0] in ("web", "checkout")


def test_blame_reads_urls_hosts_and_failure_words_after_the_name() -> None:
    records = _traffic(["gateway", "orders", "stock"])
    for s in range(ONSET, 600, 3):
        records.append(
            _line(
                s,
                "gateway",
                'I/O error on GET request for "http://stock.shop.svc:8080/v1/items": Read timed out',
                "ERROR",
            )
        )
        records.append(_line(s + 1, "orders", "stock: context deadline exceeded", "ERROR"))
    ranking = rank_suspects(_rows(records))
    assert ranking.services()[0] == "stock"
    assert "2 other services (gateway, orders) name it" in ranking.suspects[0].reason


def test_blame_flows_down_the_chain_to_the_service_the_victims_name() -> None:
    # web names checkout (which failed), checkout names payments (which failed first)
    records = _traffic(["web", "checkout", "payments"])
    for s in range(ONSET, 600, 2):
        records.append(_line(s, "checkout", "charge failed: upstream payments returned 503", "ERROR"))
        records.append(_line(s, "checkout", "place order failed with status 500", "ERROR"))
        records.append(_line(s, "web", "POST /order: upstream checkout returned 500", "ERROR"))
        records.append(_line(s, "web", "GET /order/confirm: upstream checkout returned 500", "ERROR"))
    ranking = rank_suspects(_rows(records))
    assert ranking.services() == ["payments"]  # checkout's errors are all about payments: a victim
    assert "1 other service (checkout) name it in their errors" in ranking.suspects[0].reason


def test_an_address_callers_write_is_the_service_that_listens_on_its_port() -> None:
    records = _traffic(["api", "worker"]) + [_line(5, "cache", "Server listening on port 6380")]
    records += [_line(s, "cache", "evicted 3 keys") for s in range(10, ONSET, 7)]
    for s in range(ONSET, 600, 2):
        records.append(_line(s, "api", "dial tcp 10.4.2.17:6380: connect: connection refused", "ERROR"))
        records.append(_line(s, "worker", "job failed: dial tcp 10.4.2.17:6380: i/o timeout", "ERROR"))
    assert _order(records)[0] == "cache"


def test_an_unknown_host_callers_name_is_a_suspect_of_its_own() -> None:
    records = _traffic(["api", "worker"])
    for s in range(ONSET, 600, 2):
        records.append(_line(s, "api", "query failed: could not connect to pg-primary:5432", "ERROR"))
        records.append(
            _line(s, "worker", "job 12 failed: dial tcp pg-primary:5432: connection refused", "ERROR")
        )
    top = rank_suspects(_rows(records)).suspects[0]
    assert (top.kind, top.name) == ("host", "pg-primary")


def test_a_time_a_uid_or_a_number_with_its_unit_is_not_a_host() -> None:
    records = _traffic(["kernel", "search"])
    for s in range(ONSET, 600, 2):
        records.append(
            _line(s, "kernel", f"Out of memory: Killed process {s} (java) UID:1001 pgtables:9544kB", "ERROR")
        )
        records.append(_line(s, "search", "[2025-03-18T10:00:54,000][WARN ] [worker-07] gc overhead", "WARN"))
    hosts = [suspect.name for suspect in rank_suspects(_rows(records)).suspects if suspect.kind == "host"]
    assert hosts == []


def test_trace_the_deepest_failing_hop_of_a_request() -> None:
    # alpha calls beta calls gamma; alpha and beta log the same errors, naming no one; gamma is fine.
    records = _traffic(["alpha", "beta", "gamma"])
    for i, s in enumerate(range(ONSET, 600, 3)):
        trace = f"tr-{i:06d}"
        records.append(_line(s, "alpha", "request received", request_id=trace))
        records.append(_line(s + 0.01, "beta", "request received", request_id=trace))
        records.append(_line(s + 0.02, "gamma", "lookup done", request_id=trace))
        records.append(_line(s + 0.5, "beta", "request failed with status 500", "ERROR", request_id=trace))
        records.append(_line(s + 0.6, "alpha", "request failed with status 500", "ERROR", request_id=trace))
    assert _order(records)[0] == "beta"
    assert _order(records, disabled=["trace"])[0] == "alpha"  # a tie otherwise: the name decides


def test_trace_a_caller_that_timed_out_points_at_the_hop_still_at_work() -> None:
    # front calls slow, which answers after front gave up; front times out, nobody names slow
    # (edge fails as often as front, outside any request: so their errors alone tie)
    records = _traffic(["edge", "front", "slow"])
    records += [_line(s + 2, "edge", "render failed: internal error", "ERROR") for s in range(ONSET, 600, 3)]
    for i, s in enumerate(range(ONSET, 600, 3)):
        trace = f"tr-{i:06d}"
        records.append(_line(s, "front", "request received", request_id=trace))
        records.append(
            _line(s + 2.0, "front", "request failed: read timed out after 2000 ms", "ERROR", request_id=trace)
        )
        records.append(_line(s + 2.4, "slow", "lookup done in 2400 ms", request_id=trace))
    assert _order(records)[0] == "slow"
    assert _order(records, disabled=["trace"])[:2] == ["edge", "front"]


def _requests(calls: list[str], failing: list[tuple[float, str, str]]) -> list[LogRecord]:
    """A request every 3 s: the first service logs as it begins, each callee after it in turn, the
    first logs again as it answers; after the onset `failing` (delay after the last callee, service,
    message) replace that last line with errors."""
    records = []
    for i, s in enumerate(range(0, 600, 3)):
        trace = f"tr-{i:06d}"
        records.append(_line(s, calls[0], "POST /order received", request_id=trace))
        for k, callee in enumerate(calls[1:], 1):
            records.append(_line(s + 0.01 * k, callee, f"{callee} lookup served", request_id=trace))
        last = s + 0.01 * (len(calls) - 1)
        if s < ONSET:
            records.append(_line(last + 0.02, calls[0], "order placed", request_id=trace))
        for delay, service, message in failing if s >= ONSET else []:
            records.append(_line(last + delay, service, message, "ERROR", request_id=trace))
    return records


def test_answered_the_caller_failed_right_after_it_answered() -> None:
    # rates answers a wrong value and logs nothing unusual; web fails on it in its own words
    records = _traffic(["web", "rates"]) + _requests(
        ["web", "rates"], [(0.002, "web", "order rejected: total must be positive (got -12.50)")]
    )
    ranking = rank_suspects(_rows(records))
    assert ranking.services()[0] == "rates"
    assert ranking.suspects[0].reason == (
        "in 100 failing requests its caller (web) failed right after it answered, while it logged "
        "no error (a wrong answer?)"
    )
    assert _order(records, disabled=["answered"]) == ["web"]


def test_answered_not_a_sibling_a_refused_call_or_a_caller_that_worked_on() -> None:
    # web calls auth, then orders; orders throws as it begins: auth, its sibling, answered before
    records = _traffic(["web", "auth", "orders"]) + _requests(
        ["web", "auth"], [(0.002, "orders", "NullPointerException at OrderMapper.java:42")]
    )
    assert _order(records)[0] == "orders"
    # web calls auth, then stock, which is down: web's "connection refused" is not about auth's answer
    records = _traffic(["web", "auth"]) + _requests(
        ["web", "auth"], [(0.002, "web", "dial tcp 10.0.0.9:80: connect: connection refused")]
    )
    assert "auth" not in _order(records)
    # web fails half a second after auth answered: it failed in its own work, not on the answer
    records = _traffic(["web", "auth"]) + _requests(
        ["web", "auth"], [(0.5, "web", "order failed: internal error")]
    )
    assert _order(records) == ["web"]


def test_answered_not_by_a_service_called_twice_around_it() -> None:
    # web calls seat, which calls order; then web calls order again, which fails on its own right
    # after seat answered. order's lines lie around seat's when seat logs only as it answers, but
    # order also logs while seat is at work: it is not seat's caller, seat's answer is not the cause
    records = _traffic(["web", "seat", "order"])
    for i, s in enumerate(range(0, 600, 3)):
        trace = f"tr-{i:06d}"
        lines = [(0.0, "web", "POST /book received"), (0.02, "order", "sold tickets counted")]
        lines += [(0.01, "seat", "distributing seats")] if i % 2 else []
        lines += [(0.03, "seat", "seat distributed")]
        lines += [(0.04, "order", "order created"), (0.05, "web", "booked")] if s < ONSET else []
        records += [_line(s + dt, name, text, request_id=trace) for dt, name, text in lines]
        if s >= ONSET:
            records.append(
                _line(s + 0.032, "order", "create order: NullPointerException", "ERROR", request_id=trace)
            )
    assert _order(records) == ["order"]


def test_trace_ids_are_read_from_the_message_when_no_field_holds_them() -> None:
    records = _traffic(["alpha", "beta"])
    for i, s in enumerate(range(ONSET, 600, 3)):
        records.append(_line(s, "alpha", f"TraceID: {i:016x} POST /pay"))
        records.append(_line(s + 0.01, "beta", f"TraceID: {i:016x} charge"))
        records.append(_line(s + 0.5, "beta", f"TraceID: {i:016x} charge failed", "ERROR"))
        records.append(_line(s + 0.6, "alpha", f"TraceID: {i:016x} pay failed", "ERROR"))
    assert _order(records)[0] == "beta"


def test_spring_sleuths_bracketed_trace_ids_join_requests() -> None:
    records = _traffic(["alpha", "beta"])
    for i, s in enumerate(range(ONSET, 600, 3)):
        ids = f"{i:016x},{i + 7:016x}"
        records.append(_line(s, "alpha", f"[alpha,{ids}] POST /pay"))
        records.append(_line(s + 0.01, "beta", f"[beta,{ids},true] charge"))
        records.append(_line(s + 0.5, "beta", f"[beta,{ids},true] charge failed", "ERROR"))
        records.append(_line(s + 0.6, "alpha", f"[alpha,{ids}] pay failed", "ERROR"))
    assert _order(records)[0] == "beta"
    assert _order(records, disabled=["trace"])[0] == "alpha"


def test_silence_a_service_that_stops_logging_at_the_onset() -> None:
    records = _traffic(["edge", "web"]) + [_line(s, "ledger", "posted entry") for s in range(0, ONSET)]
    for s in range(ONSET, 600, 2):
        records.append(_line(s, "edge", "request failed: internal error", "ERROR"))
        records.append(_line(s, "web", "render failed: internal error", "ERROR"))
    ranking = rank_suspects(_rows(records))
    assert ranking.services()[0] == "ledger"
    assert "stopped logging" in ranking.suspects[0].reason
    assert rank_suspects(_rows(records), disabled=["silence"]).services()[0] != "ledger"


def test_change_a_deploy_just_before_the_onset() -> None:
    records = _traffic(["cart", "search"])
    records.append(_line(ONSET - 90, "search", "deployed version 2.4.1 (rollout 88 complete)"))
    for s in range(ONSET, 600, 2):
        records.append(_line(s, "cart", "request failed: internal error", "ERROR"))
        records.append(_line(s, "search", "request failed: internal error", "ERROR"))
    ranking = rank_suspects(_rows(records))
    assert ranking.services()[0] == "search"
    assert [s.kind for s in ranking.suspects[:2]] == ["service", "change"]
    assert ranking.suspects[1].evidence == "deployed version 2.4.1 (rollout 88 complete)"
    assert rank_suspects(_rows(records), disabled=["change"]).services()[0] == "cart"


def test_change_a_new_pod_of_a_running_service_is_a_rollout() -> None:
    old, new = "search-5c6b7d8f9-a1b2c", "search-7f8g9h2k4-x9y8z"
    records = [
        _line(s, None, f"served {s}", host=pod) for s in range(600) for pod in ("cart-5c6b7d8f9-q2w3e", old)
    ]
    records = [
        r for r in records if not (r.host == old and r.timestamp >= T0 + timedelta(seconds=ONSET - 60))
    ]
    records += [_line(s, None, f"served {s}", host=new) for s in range(ONSET - 60, 600)]
    for s in range(ONSET, 600, 2):
        records.append(_line(s, None, "request failed: internal error", "ERROR", host=new))
        records.append(_line(s, None, "request failed: internal error", "ERROR", host="cart-5c6b7d8f9-q2w3e"))
    ranking = rank_suspects(_rows(records))
    assert [(s.kind, s.name) for s in ranking.suspects[:3]] == [
        ("service", "search"),
        ("pod", new),
        ("change", "served 240"),
    ]
    assert ranking.suspects[2].reason.startswith(f"logged by {new} at 10:04:00, shortly before the onset")


def test_the_pod_carrying_the_errors_follows_its_service_and_pods_give_the_service() -> None:
    pods = ["cart-7d9f8c6b5-x2k4p", "cart-7d9f8c6b5-q9w2z", "web-5c6b7d8f9-a1b2c"]
    records = [_line(s, None, f"served {s}", host=pod) for s in range(600) for pod in pods]
    records += [
        _line(s, None, "java.lang.OutOfMemoryError: Java heap space", "ERROR", host=pods[1])
        for s in range(ONSET, 600, 5)
    ]
    ranking = rank_suspects(_rows(records))
    assert [(s.kind, s.name) for s in ranking.suspects[:2]] == [("service", "cart"), ("pod", pods[1])]
    assert ranking.suspects[1].reason == "100% of the service's own new errors come from this pod"


def test_without_service_or_host_the_component_a_record_names_is_the_unit() -> None:
    records = [
        _line(s, None, f"served block {s}", fields={"component": name}, source="/x/logs.jsonl")
        for s in range(600)
        for name in ("dfs.DataNode", "dfs.FSNamesystem")
    ]
    records += [
        _line(s, None, "writeBlock failed: disk full", "ERROR", fields={"component": "dfs.DataNode"})
        for s in range(ONSET, 600, 5)
    ]
    assert _order(records) == ["dfs.datanode"]
    # a file called logs.jsonl names no service: nothing to tell apart, no suspect
    plain = [
        _line(s, None, "request failed", "ERROR" if s >= ONSET else "INFO", source="/x/logs.jsonl")
        for s in range(600)
    ]
    assert rank_suspects(_rows(plain)).suspects == []


def test_the_answer_names_the_top_suspect_and_says_when_it_is_unclear() -> None:
    records = _traffic(["cart", "search"])
    for s in range(ONSET, 600, 2):
        records.append(_line(s, "cart", "request failed: internal error", "ERROR"))
        records.append(_line(s, "search", "request failed: internal error", "ERROR"))
    ranking = rank_suspects(_rows(records))
    assert ranking.confidence == "unclear"
    assert summary_phrase(ranking).startswith(
        "Top suspect: the service **cart** (unclear confidence; **search** is close behind)"
    )
    text = render_suspects(ranking)
    assert text.startswith("1. **cart** (service, score 0.25): its own errors rose at the onset")
    assert "\n   - 10:05:00 `request failed: internal error`" in text


def test_no_lines_no_suspects() -> None:
    ranking = rank_suspects([])
    assert ranking.suspects == [] and summary_phrase(ranking) == "" and render_suspects(ranking) == ""

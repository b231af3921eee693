"""A structured log's detail fields in the evidence: `circuit breaker state changed` says little,
`from=closed|open|half-open name=risk-svc` says what happened. Unit tests of `field_details`, the
evidence block and the agent's tool lines, and the retrieve step on a small real LanceDB."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from test_retrieve_mutants import _hit
from test_retrieve_rules import NOW, SESSION, _rows, _store

from sre_agent.evidence import render_evidence
from sre_agent.tools.log_common import render_line
from sre_agent.workflows.details import MAX_DETAILS, field_details
from sre_agent.workflows.details import SAMPLE as DETAIL_SAMPLE
from sre_agent.workflows.order import merge_rows, to_result_line
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.results import ResultLine
from sre_agent.workflows.retrieve import Retriever

T0 = datetime(2024, 9, 10, 14, 5, tzinfo=UTC)


def test_details_leave_out_what_the_line_shows_and_the_shippers_bookkeeping() -> None:
    record = {
        "ts": 1725977138.5,
        "msg": "circuit breaker state changed",
        "caller": "breaker/breaker.go:57",
        "level": "warn",
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
        "kubernetes": {"pod_name": "ledger-svc-7b9c5d8f6-q2x8k", "labels": {"app": "ledger-svc"}},
        "stream": "stderr",
        "from": "closed",
        "to": "open",
        "breaker": {"name": "risk-svc", "consecutive_failures": 10, "tripped": True},
        "tags": ["a", "b"],
        "note": "  spaced\n  out  ",
    }
    assert field_details([record]) == (
        "from=closed to=open breaker.name=risk-svc breaker.consecutive_failures=10 breaker.tripped=true "
        "note=spaced out"
    )
    assert field_details([{"ts": 1, "msg": "x", "pid": 7}]) is None
    assert field_details([]) is None


def test_identical_lines_show_each_fields_values_few_first() -> None:
    records = [
        {"from": "closed", "to": "open", "account_id": 1, "name": "risk-svc"},
        {"from": "open", "to": "half-open", "account_id": 2, "name": "risk-svc"},
        {"from": "half-open", "to": "closed", "account_id": 3, "name": "risk-svc"},
        {"from": "closed", "to": "open", "account_id": 4, "name": "risk-svc"},
    ]
    assert field_details(records) == (
        "from=closed|open|half-open to=open|half-open|closed name=risk-svc account_id=1|… (4 values)"
    )


def test_what_went_wrong_comes_first_and_whole_then_what_changed_then_the_rest() -> None:
    cause = "score transfer tx_01J71T9DFMT21DVNHWSNH4AFR7: attempt 1/5: circuit breaker is open"
    record = {"account_id": 88121, "attempts": 1, "consecutive_failures": 3, "upstream": "risk"}
    record["error"] = cause
    assert field_details([record]) == (
        f"error={cause} account_id=88121 attempts=1 consecutive_failures=3 upstream=risk"
    )
    assert field_details([{"a": 1, "reason": "x" * 200}]) == "reason=" + "x" * 159 + "… a=1"
    reloads = [
        {"config": {"db": {"pool": 20}, "upstreams": {"risk": {"retry": {"max_attempts": n, "backoff": b}}}}}
        for n, b in ((5, "0s"), (5, "0s"), (2, "100ms"))
    ]
    assert field_details(reloads) == (
        "config.upstreams.risk.retry.max_attempts=5|2 config.upstreams.risk.retry.backoff=0s|100ms "
        "config.db.pool=20"
    )
    failures = [{"failures": n, "pool": "a"} for n in (1, 2)]  # a count of failures is no cause
    assert field_details(failures) == "failures=1|2 pool=a"
    # what went wrong comes before what changed, too
    flips = [{"from": a, "errorVerbose": "dial tcp: i/o timeout"} for a in ("closed", "open")]
    assert field_details(flips) == "errorVerbose=dial tcp: i/o timeout from=closed|open"


def test_an_error_objects_message_and_type_are_its_cause_not_the_lines_message() -> None:
    nested = {"msg": "charge failed", "error": {"type": "IOError", "message": "connection reset"}}
    assert field_details([nested]) == "error.type=IOError error.message=connection reset"
    flat = {"message": "charge failed", "error.message": "connection reset", "log.level": "error"}
    assert field_details([flat]) == "error.message=connection reset"
    words = {
        "terror": "no",
        "sequence": "s",
        "last_error_text": "x",
        "Exception-Type": "y",
        "reasonCode": "z",
    }
    assert field_details([words]) == "last_error_text=x Exception-Type=y reasonCode=z terror=no sequence=s"
    assert field_details([{"count": "four", "errors.count": "three"}]) == "errors.count=three count=four"


def test_details_are_capped_and_say_how_many_fields_were_left_out() -> None:
    long = "x" * 200
    record = {f"field{i}": long for i in range(5)}
    text = field_details([record])
    assert text is not None
    assert text.startswith("field0=" + "x" * 79 + "…")
    assert text.endswith("(+3 more)")  # two fields of 87 characters fit in MAX_DETAILS
    assert len(text) <= MAX_DETAILS + len(" (+3 more)")


def _line(**extra) -> ResultLine:
    return ResultLine(
        message="circuit breaker state changed", shape="circuit breaker state changed", first_seen=T0,
        last_seen=T0 + timedelta(minutes=28), count=45, level="WARN", **extra,
    )  # fmt: skip


def test_the_evidence_and_the_agents_lines_show_the_details() -> None:
    line = _line(details="from=closed|open name=risk-svc")
    block = render_evidence([line]).splitlines()
    assert block[2:4] == ["    circuit breaker state changed", "      from=closed|open name=risk-svc"]
    assert render_line(1, line).endswith(": circuit breaker state changed [from=closed|open name=risk-svc]")
    assert "      " not in render_evidence([_line()]).splitlines()[-2]  # no details: no row


def test_a_retrieved_line_carries_the_details_of_all_its_identical_lines(tmp_path, embedder) -> None:
    transitions = [("closed", "open"), ("open", "half-open"), ("half-open", "closed")]
    store = _store(
        tmp_path,
        embedder,
        _rows(
            *[
                (m, "circuit breaker state changed", {"level": "WARN", "from": a, "to": b, "name": "risk"})
                for m, (a, b) in enumerate(transitions)
            ],
            *[(10 + m, f"served transfer {m}", {"duration_ms": 20 + m}) for m in range(20)],
        ),
    )
    plan = RuleRefiner().refine("when did the circuit breaker change state?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=5)
    assert lines[0].message == "circuit breaker state changed" and lines[0].count == 3
    assert lines[0].details == "from=closed|open|half-open to=open|half-open|closed name=risk"


def test_a_journal_export_says_which_program_and_process_wrote_a_line() -> None:
    """`journalctl -o json` names the writer SYSLOG_IDENTIFIER and the process _PID: they are the
    line's `from=` and pid (names compare without case and punctuation), not details again."""
    fields = {
        "__CURSOR": "s=9e41c07a;i=2c46db",  # the journal's bookkeeping: never a detail
        "__REALTIME_TIMESTAMP": "1707887850783085",
        "_BOOT_ID": "5b0e2d9f",
        "_TRANSPORT": "syslog",
        "SYSLOG_FACILITY": "16",
        "SYSLOG_IDENTIFIER": "postgres",
        "_PID": "1074686",
        "_SYSTEMD_UNIT": "postgresql@15-main.service",
    }
    row = _hit("PANIC:  could not write to file").model_copy(update={"fields_json": json.dumps(fields)})
    line = to_result_line(row, via="exact", score=1.0)
    assert (line.origin, line.pid) == ("postgres", "1074686")
    assert line.details == "_SYSTEMD_UNIT=postgresql@15-main.service"
    # a program named in the usual way still comes first; logback's logger_name is one too
    both = {"program": "sshd", "SYSLOG_IDENTIFIER": "other"}
    assert (
        to_result_line(row.model_copy(update={"fields_json": json.dumps(both)}), via="x", score=1).origin
        == "sshd"
    )
    logback = {"logger_name": "c.a.billing.SyncListener"}
    named = to_result_line(row.model_copy(update={"fields_json": json.dumps(logback)}), via="x", score=1)
    assert named.origin == "c.a.billing.SyncListener"


def test_a_sample_of_identical_lines_gives_a_floor_for_the_count_of_values() -> None:
    records = [{"account_id": i, "upstream": "risk"} for i in range(5)]
    assert field_details(records, sampled=True) == "upstream=risk account_id=0|… (5+ values)"


def test_merged_lines_read_the_fields_of_their_first_identical_lines_only() -> None:
    rows = [
        _hit("served").model_copy(update={"id": str(i), "fields_json": json.dumps({"account_id": i})})
        for i in range(DETAIL_SAMPLE + 1)
    ]
    line = _line()
    merge_rows(line, rows)
    assert line.count == DETAIL_SAMPLE + 1
    assert line.details == f"account_id=0|… ({DETAIL_SAMPLE}+ values)"
    merge_rows(line, rows[:4])
    assert line.details == "account_id=0|… (4 values)"


def test_details_read_four_levels_of_nesting_and_skip_blank_values_and_shown_leaves() -> None:
    record = {
        "a": {"b": {"c": {"d": {"e": "deep", "f": {"g": "too deep"}}}}},
        "empty": "  ",
        "log.level": "warn",  # a dotted key whose last part is shown already
        "grpc.code": "Unavailable",
        "x": {"labels": {"team": "ledger"}},  # metadata names count at the top only
        "exact": "y" * 80,
    }
    assert field_details([record]) == (
        "a.b.c.d.e=deep grpc.code=Unavailable x.labels.team=ledger exact=" + "y" * 80
    )


def test_one_row_as_a_result_line_carries_its_details_and_a_full_sample_is_no_floor() -> None:
    row = _hit("served").model_copy(update={"fields_json": json.dumps({"upstream": "risk", "pid": 7})})
    assert to_result_line(row, via="scan", score=0.0).details == "upstream=risk"
    rows = [
        row.model_copy(update={"id": str(i), "fields_json": json.dumps({"n": i})})
        for i in range(DETAIL_SAMPLE)
    ]
    line = _line()
    merge_rows(line, rows)
    assert line.details == f"n=0|… ({DETAIL_SAMPLE} values)"  # every line was read: no "+"


def test_a_field_that_repeats_the_message_is_left_out_and_a_stack_comes_last() -> None:
    said = "timeout exceeded when trying to connect"
    record = {
        "err": {"type": "Error", "message": said, "stack": f"Error: {said}\n    at Timeout (pool.js:205)"},
        "res": {"statusCode": 500},
    }
    assert field_details([record], message=said) == "err.type=Error res.statusCode=500 err.stack=Error: " + (
        f"{said} at Timeout (pool.js:205)"
    )
    assert field_details([record], message="another message").startswith(
        f"err.type=Error err.message={said} "
    )


def test_of_fields_of_many_values_the_fewer_first_each_by_its_most_common_value() -> None:
    records = [
        {
            "port": 40000 + n,
            "url": "/v1/exports" if n % 3 else f"/v1/invoices/{n}",
            "client": f"10.0.0.{n % 4}",
        }
        for n in range(12)
    ]
    assert field_details(records) == (
        "client=10.0.0.0|… (4 values) url=/v1/exports|… (5 values) port=40000|… (12 values)"
    )


def test_a_stack_is_told_by_the_last_word_of_its_name_and_comes_after_fields_of_many_values() -> None:
    records = [
        {"stack": "Error: x\n at a.js:1", "port": n, "app.stack.name": "prod-a", "error.stack_trace": "at b"}
        for n in range(5)
    ]
    assert field_details(records) == (
        "app.stack.name=prod-a port=0|… (5 values) stack=Error: x at a.js:1 error.stack_trace=at b"
    )
    # only the last word makes a stack: `err.stack.top` is still about what went wrong, so it is whole
    assert field_details([{"err": {"stack": {"top": "y" * 120}}}]) == "err.stack.top=" + "y" * 120


def test_a_long_message_repeated_in_a_field_is_left_out_too() -> None:
    said = "connection to the ledger database was lost while committing the transfer " * 3
    assert field_details([{"err": {"message": said}, "n": 1}], message=said) == "n=1"
    # the same start, another end: not the message, so shown (cut)
    other = {"err": {"message": said + "then retried"}, "n": 1}
    assert field_details([other], message=said) == f"err.message={said[:159]}… n=1"

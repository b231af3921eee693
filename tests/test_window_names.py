"""A window that holds none of the short names a question gives (`web02`) while other stored lines
do is searched outside, and said: "ReportsPool on web02 shows Stopped this morning, why?" is about
web02's crash before the morning, not the morning's lines of other hosts."""

from __future__ import annotations

from datetime import timedelta

from test_retrieve_rules import BASE, NOW, SESSION, TABLE, _store

from sre_agent.models import LogRecord
from sre_agent.workflows.plan import RetrievalPlan
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.retrieve import Retriever
from sre_agent.workflows.windows import named_things


def _record(minute: int, message: str, line: int, **extra) -> LogRecord:
    return LogRecord(
        timestamp=BASE + timedelta(minutes=minute), message=message, source="t.jsonl", line=line, **extra
    )


def _logs(tmp_path, embedder):
    """web02 crashes at 11:40 and its pool is disabled; 12:30–12:39 only web01 and web03 log."""
    crash = [
        _record(
            -20,
            "Application pool 'ReportsPool' is being automatically disabled",
            1,
            host="web02",
            level="ERROR",
        ),
        _record(-21, "w3wp.exe terminated due to stack overflow", 2, host="web02", level="ERROR"),
    ]
    routine = [
        _record(
            30 + m,
            f"worker serving 'ReportsPool' shut down after idle {m}",
            10 + m,
            host=f"web0{1 + 2 * (m % 2)}",
        )
        for m in range(10)
    ]
    return _store(tmp_path, embedder, crash + routine)


def test_a_host_name_no_line_of_the_window_holds_searches_outside_it(tmp_path, embedder) -> None:
    store = _logs(tmp_path, embedder)
    plan = RuleRefiner().refine("ReportsPool on web02 stopped between 12:30 and 12:40. why?", now=NOW)
    assert plan.terms == ["ReportsPool", "web02"] and not plan.identifiers
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=3, tables=[TABLE])
    assert plan.window is None
    assert plan.read_notes == [
        "no line in 2026-03-01 12:30 → 2026-03-01 12:40 UTC holds 'web02', so I searched all the stored"
        " lines (the stored lines run 2026-03-01 11:39 → 2026-03-01 12:39 UTC)"
    ]
    assert {line.message for line in lines[:2]} == {
        "Application pool 'ReportsPool' is being automatically disabled",
        "w3wp.exe terminated due to stack overflow",
    }


def test_a_name_the_window_holds_keeps_the_window(tmp_path, embedder) -> None:
    store = _logs(tmp_path, embedder)
    plan = RuleRefiner().refine("ReportsPool on web03 stopped between 12:30 and 12:40. why?", now=NOW)
    Retriever(store).retrieve(SESSION, plan, k=3, tables=[TABLE])
    assert plan.window is not None and plan.read_notes == []


def test_a_name_no_stored_line_holds_keeps_the_window(tmp_path, embedder) -> None:
    store = _logs(tmp_path, embedder)
    plan = RuleRefiner().refine("ReportsPool on web07 stopped between 12:30 and 12:40. why?", now=NOW)
    Retriever(store).retrieve(SESSION, plan, k=3, tables=[TABLE])
    assert plan.window is not None and plan.read_notes == []


def test_the_names_a_window_must_hold() -> None:
    # identifiers when there are some; else one-word terms with a letter and a digit
    assert named_things(
        RetrievalPlan(question="q", query_text="q", identifiers=["blk_1"], terms=["web02"])
    ) == ["blk_1"]
    plan = RetrievalPlan(
        question="q", query_text="q", terms=["503", "web02", "osd.7", "port 5433", "ReportsPool", "x9"]
    )
    assert named_things(plan) == ["web02", "osd.7", "x9"]


def test_what_went_wrong_in_a_window_without_the_named_thing_reads_the_windows_worst(
    tmp_path, embedder
) -> None:
    records = [_record(30 + m, f"pgmap v{m}: 12 pgs active+clean", 10 + m, host="mon-1") for m in range(10)]
    records += [
        _record(35, "heartbeat_check: no reply from osd.8", 30, host="osd-2", level="ERROR"),
        _record(36, "Health check failed: 1 osds down (OSD_DOWN)", 31, host="mon-1", level="WARN"),
        _record(-30, "overall HEALTH_WARN 1 osds down", 1, host="mon-1", level="WARN"),
    ]
    store = _store(tmp_path, embedder, sorted(records, key=lambda r: r.timestamp))
    question = "ceph -s shows HEALTH_WARN. whats going on between 12:30 and 12:40?"
    plan = RuleRefiner().refine(question, now=NOW)
    assert plan.identifiers == ["HEALTH_WARN"] and plan.asks_what_went_wrong
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=2, tables=[TABLE])
    assert plan.window is not None and plan.broad and not plan.identifiers
    assert plan.read_notes == [
        "no line in 2026-03-01 12:30 → 2026-03-01 12:40 UTC holds 'HEALTH_WARN', so I read the window's"
        " worst lines"
    ]
    assert [line.message for line in lines] == [
        "heartbeat_check: no reply from osd.8",
        "Health check failed: 1 osds down (OSD_DOWN)",
    ]


def test_the_windows_worst_lines_keep_the_level_the_question_asked_for(tmp_path, embedder) -> None:
    records = [_record(30 + m, f"pgmap v{m}: 12 pgs active+clean", 10 + m, host="mon-1") for m in range(10)]
    records += [
        _record(35, "heartbeat_check: no reply from osd.8", 30, host="osd-2", level="ERROR"),
        _record(36, "Health check failed: 1 osds down (OSD_DOWN)", 31, host="mon-1", level="WARN"),
        _record(-30, "overall HEALTH_WARN 1 osds down; 'slow ops' seen", 1, host="mon-1", level="WARN"),
    ]
    store = _store(tmp_path, embedder, sorted(records, key=lambda r: r.timestamp))
    plain = RuleRefiner().refine(
        "ceph -s shows HEALTH_WARN. whats going on between 12:30 and 12:40?", now=NOW
    )
    Retriever(store).retrieve(SESSION, plain, k=2, tables=[TABLE])
    assert (plain.min_level, plain.prefer_level) == ("WARN", None)
    # errors named: the errors; two names, in the logs' own clock (+08:00)
    asked = RuleRefiner().refine(
        "'HEALTH_WARN' and 'slow ops' and erroring: whats going on between 20:30 and 20:40?",
        now=NOW,
        utc_offset=480,
    )
    lines, _ = Retriever(store).retrieve(SESSION, asked, k=2, tables=[TABLE])
    assert (asked.min_level, asked.prefer_level) == ("ERROR", None)
    assert [line.message for line in lines][:1] == ["heartbeat_check: no reply from osd.8"]
    assert asked.read_notes == [
        "no line in 2026-03-01 20:30 → 2026-03-01 20:40 (+08:00) holds 'HEALTH_WARN', 'slow ops', so I read"
        " the window's worst lines"
    ]

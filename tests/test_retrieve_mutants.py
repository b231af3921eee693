"""What a result line of the retrieve step carries, exactly: tests that kill surviving mutants of
`make mutation` (docs/mutation.md). Same small real LanceDB and real model as test_retrieve_rules.
"""

from __future__ import annotations

from datetime import timedelta

from test_retrieve_rules import BASE, FILLER, NOW, SESSION, TABLE, _store

from sre_agent.models import LogRecord
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.retrieve import Retriever


def _record(minute: int, message: str, line: int, **extra) -> LogRecord:
    return LogRecord(
        timestamp=BASE + timedelta(minutes=minute), message=message, source="t.jsonl", line=line, **extra
    )


def test_a_result_line_carries_the_rows_level_host_ids_count_times_and_line_numbers(
    tmp_path, embedder
) -> None:
    failed = "GetUser failed: upstream timeout after 3000ms"
    who = {"level": "ERROR", "host": "api-3", "method": "GetUser", "request_id": "r-77", "user_id": "u-9"}
    records = [
        _record(1, failed, 1, **who),
        _record(2, "GetUser ok in 12ms", 2, host="api-3"),
        _record(5, failed, 3, **who),
        _record(9, failed, 7, **who),
        *[_record(m, msg, 10 + i) for i, (m, msg) in enumerate(FILLER)],
    ]
    store = _store(tmp_path, embedder, records)
    plan = RuleRefiner().refine("why did GetUser fail with an upstream timeout?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=5)
    line = next(x for x in lines if x.message == failed)
    assert (line.level, line.host, line.method, line.request_id, line.user_id) == (
        "ERROR",
        "api-3",
        "GetUser",
        "r-77",
        "u-9",
    )
    assert line.table == TABLE
    assert line.count == 3  # the three identical lines, one result
    assert line.lines == [1, 3, 7]
    assert (line.first_seen, line.last_seen) == (BASE + timedelta(minutes=1), BASE + timedelta(minutes=9))
    assert line.shape  # the line's shape (numbers masked) is named
    assert line.via and line.score > 0


def test_a_single_line_keeps_its_own_line_number_and_count_one(tmp_path, embedder) -> None:
    records = [_record(1, "cache evicted 40 keys", 12, level="WARN"), _record(2, "cache warmed", 13)]
    store = _store(tmp_path, embedder, records)
    plan = RuleRefiner().refine("what did the cache evict?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=5)
    line = next(x for x in lines if x.message == "cache evicted 40 keys")
    assert (line.count, line.lines, line.level) == (1, [12], "WARN")
    assert line.first_seen == line.last_seen == BASE + timedelta(minutes=1)

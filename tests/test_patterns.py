"""Log patterns mined with drain3: what the offline triage answer shows."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from paths import ROOT

from sre_agent.models import LogRecord
from sre_agent.patterns import PatternSummary, mine_patterns, render_patterns

T0 = datetime(2024, 5, 1, 10, 0, 0, tzinfo=UTC)


def rec(message: str, minute: float = 0, level: str | None = "INFO", line: int | None = None) -> LogRecord:
    return LogRecord(timestamp=T0 + timedelta(minutes=minute), message=message, level=level, line=line)


def hdfs_records() -> list[LogRecord]:
    path = ROOT / "bench" / "incidents" / "hdfs-block-serve-failures" / "logs.jsonl"
    out = []
    for n, raw in enumerate(path.read_text().splitlines(), start=1):
        row = json.loads(raw)
        level = row.get("level")
        out.append(LogRecord(timestamp=row["timestamp"], message=row["message"], level=level, line=n))
    return out


def test_lines_differing_in_numbers_ips_and_block_ids_collapse_into_one_pattern():
    records = [  # given out of time order on purpose
        rec("Received block blk_-1608999687919862906 of size 91178 from /10.250.19.102", 7, line=3),
        rec("Received block blk_7503483334202473044 of size 233217 from /10.250.10.6:50010", 1, line=1),
        rec("Received block blk_38865049064139660 of size 67108864 from /10.251.42.84", 4, line=2),
    ]
    summary = mine_patterns(records)

    assert summary.total_records == 3
    assert summary.total_patterns == 1
    (p,) = summary.patterns
    assert p.count == 3
    assert p.template == "Received block <BLK> of size <NUM> from /<IP>"
    assert p.first_seen == T0 + timedelta(minutes=1)
    assert p.last_seen == T0 + timedelta(minutes=7)
    assert p.example == "Received block blk_7503483334202473044 of size 233217 from /10.250.10.6:50010"
    assert p.lines == [1, 2, 3]
    assert p.level == "INFO"


def test_the_template_is_the_one_drain_ends_with_not_the_first_line():
    users = ["alice", "bob", "carol"]
    line = "Accepted password for {} from 203.0.113.{} port 4{}22 ssh2"
    records = [rec(line.format(u, n, n), n) for n, u in enumerate(users)]
    (p,) = mine_patterns(records).patterns
    assert p.template == "Accepted password for <*> from <IP> port <NUM> ssh2"
    assert p.example == "Accepted password for alice from 203.0.113.0 port 4022 ssh2"


def test_an_error_pattern_comes_before_a_much_more_frequent_info_pattern():
    records = [rec(f"Served block blk_{i} to /10.0.0.{i % 200}", i) for i in range(60)]
    records += [rec("Disk failure on volume 3", 30, "ERROR"), rec("Disk failure on volume 4", 31, "ERROR")]
    records += [rec("Slow sync took 1200 ms", 5, level="WARN")] * 3
    summary = mine_patterns(records)

    assert [(p.level, p.count) for p in summary.patterns] == [("ERROR", 2), ("WARN", 3), ("INFO", 60)]
    assert summary.patterns[0].template == "Disk failure on volume <NUM>"


def test_in_logs_without_levels_a_pattern_that_says_it_failed_comes_before_louder_routine_ones():
    records = [rec(f"onStandStepChanged {i}", i, level=None) for i in range(40)]
    records += [rec(f"REPORT : {i} 5002 240", i, level=None) for i in range(20)]
    records += [rec("uploadStaticsToDB failed message=true", 3, level=None)]
    summary = mine_patterns(records, limit=2)
    assert [(p.template, p.count) for p in summary.patterns] == [
        ("uploadStaticsToDB failed message=true", 1),
        ("onStandStepChanged <NUM>", 40),
    ]


def test_a_pattern_takes_the_worst_level_of_its_lines():
    records = [rec(f"Connection to 10.0.0.{i}:5432 lost", i) for i in range(5)]
    records.append(rec("Connection to 10.0.0.9:5432 lost", 9, level="warning"))
    (p,) = mine_patterns(records).patterns
    assert p.count == 6
    assert p.level == "WARN"


def test_a_pattern_of_mostly_fine_lines_says_how_many_are_at_its_level():
    """757 calls that "finished with code <*>", 3 of them errors, are not 757 errors."""
    records = [rec(f"finished unary call with code OK in {i} ms", i / 10) for i in range(20)]
    records += [
        rec(f"finished unary call with code Internal in {i} ms", 3 + i, level="ERROR") for i in range(3)
    ]
    records += [
        rec(f"finished unary call with code Unavailable in {i} ms", 9, level="ERROR") for i in range(1)
    ]
    records += [rec(f"disk {i} almost full", 1 + i, level="ERROR") for i in range(2)]
    calls, disk = mine_patterns(records).patterns
    assert (calls.count, calls.level, calls.at_level) == (24, "ERROR", 4)
    assert (
        calls.example == "finished unary call with code Internal in 0 ms"
    )  # the first error, not the first OK
    assert calls.tally() == "×4 of 24"
    assert (disk.count, disk.at_level, disk.tally()) == (2, 2, "×2")
    shown = render_patterns(mine_patterns(records))
    assert "- **ERROR** ×4 of 24, " in shown and "- **ERROR** ×2, " in shown


def test_more_lines_at_the_level_rank_first_not_more_lines_in_all():
    records = [rec(f"request {i} served with status 200", i / 100) for i in range(50)]
    records += [rec("request 7 served with status 500", 1, level="ERROR")]
    records += [rec(f"queue {i} is stuck", 2 + i, level="ERROR") for i in range(3)]
    first, second = mine_patterns(records).patterns
    assert first.template.startswith("queue") and second.tally() == "×1 of 51"


def test_limit_keeps_the_most_frequent_and_total_patterns_counts_them_all():
    words = ["alpha", "bravo", "charlie", "delta", "echo"]
    records = []
    for n, word in enumerate(words):  # alpha 5 times, bravo 4, ... echo once
        records += [rec(f"{word} job finished in {k} s", k) for k in range(len(words) - n)]
    summary = mine_patterns(records, limit=2)

    assert summary.total_patterns == 5
    assert summary.total_records == 15
    assert [(p.template, p.count) for p in summary.patterns] == [
        ("alpha job finished in <NUM> s", 5),
        ("bravo job finished in <NUM> s", 4),
    ]
    assert "3 more patterns not shown" in render_patterns(summary)


def test_a_stack_trace_counts_by_its_first_line():
    trace = "java.io.IOException: Connection reset by peer on 10.1.{i}.2:8020\n\tat org.x.Y.read(Y.java:{i})"
    records = [rec(trace.format(i=i) + "\n\tat org.x.Z.run(Z.java:9)" * i, i, "ERROR") for i in range(1, 4)]
    records.append(rec("java.lang.NullPointerException\n\tat org.x.W.go(W.java:1)", 9, "ERROR"))
    summary = mine_patterns(records)

    assert summary.total_patterns == 2
    first = summary.patterns[0]
    assert first.count == 3
    assert first.template == "java.io.IOException: Connection reset by peer on <IP>"
    assert first.example == "java.io.IOException: Connection reset by peer on 10.1.1.2:8020"


def test_no_records_give_an_empty_summary_and_an_empty_rendering():
    summary = mine_patterns([])
    assert summary == PatternSummary(patterns=[], total_records=0, total_patterns=0)
    assert render_patterns(summary) == ""


def test_the_same_records_in_any_order_give_the_same_patterns():
    records = [rec(f"worker {i % 7} picked task {i} from queue q{i % 3}", i, line=i) for i in range(200)]
    records += [rec(f"worker {i} crashed: out of memory", i * 10, "FATAL", line=500 + i) for i in range(5)]
    shuffled = records[:]
    random.Random(7).shuffle(shuffled)
    assert mine_patterns(shuffled) == mine_patterns(records)


def test_any_object_with_timestamp_and_message_will_do():
    class Row(NamedTuple):
        timestamp: datetime
        message: str

    summary = mine_patterns([Row(T0, "cache miss for key 17"), Row(T0, "cache miss for key 18")])
    (p,) = summary.patterns
    assert (p.template, p.count, p.level, p.lines) == ("cache miss for key <NUM>", 2, None, [])


def test_extra_masks_name_their_own_parameters():
    records = [rec("order ORD-AB12 shipped"), rec("order ORD-ZZ99 shipped")]
    (p,) = mine_patterns(records, extra_masks=[(r"\bORD-[A-Z0-9]+\b", "ORDER")]).patterns
    assert p.template == "order <ORDER> shipped"


def test_free_text_lines_do_not_each_become_a_pattern():
    rnd = random.Random(3)
    vocab = ["".join(rnd.choice("bcdfghklmnprstvz") for _ in range(6)) for _ in range(500)]
    records = [rec("user wrote " + " ".join(rnd.choice(vocab) for _ in range(6)), i) for i in range(400)]
    summary = mine_patterns(records, limit=100)

    assert summary.total_patterns <= 40
    assert sum(p.count for p in summary.patterns) == 400
    assert any(p.template == "user wrote <*> <*> <*> <*> <*> <*>" for p in summary.patterns)


def test_a_real_hdfs_incident_gives_few_patterns_that_account_for_every_line():
    records = hdfs_records()
    summary = mine_patterns(records, limit=1000)

    assert summary.total_records == len(records) == 2000
    assert summary.total_patterns == len(summary.patterns) <= 30
    assert sum(p.count for p in summary.patterns) == 2000
    top = summary.patterns[0]
    assert top.level == "WARN"
    assert top.template == "<IP>:Got exception while serving <BLK> to /<IP>:"
    assert top.count == 80
    by_line = {r.line: r for r in records}
    for p in summary.patterns:
        assert 1 <= len(p.lines) <= min(p.count, 20)
        times = [by_line[n].timestamp for n in p.lines]
        assert times == sorted(times)
        assert times[0] == p.first_seen <= p.last_seen
        assert by_line[p.lines[0]].message == p.example


def test_render_shows_level_count_times_template_and_example():
    records = [
        rec("Served block blk_1 to /10.0.0.1", 0),
        rec("Served block blk_2 to /10.0.0.2", 65),
        rec("Lease expired for " + "/user/data/" * 30 + " after 3600 s", 2, "ERROR"),
    ]
    text = render_patterns(mine_patterns(records), max_template=60)
    lines = text.splitlines()

    assert len(lines) == 2
    assert lines[0].startswith("- **ERROR** ×1")
    assert "`Lease expired for /user/data//user/data/" in lines[0]
    assert "…`" in lines[0]
    assert (
        lines[1] == "- **INFO** ×2, 2024-05-01 10:00:00 → 2024-05-01 11:05:00 UTC: "
        "`Served block <BLK> to /<IP>` e.g. `Served block blk_1 to /10.0.0.1`"
    )

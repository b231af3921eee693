"""PostgreSQL's text log, read as the reports it writes: the severity after the process id is the
record's level (`LOG` is INFO, `PANIC` FATAL), and a report's DETAIL, HINT and STATEMENT lines
are part of it, so the statement that filled the disk stays beside the PANIC it caused."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sre_agent.connectors import FileLogstore
from sre_agent.connectors.text_lines import continues, record_start
from sre_agent.models import LogQuery

CRASH = [
    '2025-02-07 03:36:05.311 UTC [28417] orders_app@orders PANIC:  could not write to file "pg_wal/x": '
    "No space left on device",
    "2025-02-07 03:36:05.311 UTC [28417] app@orders STATEMENT:  INSERT INTO events SELECT * FROM orders",
    "2025-02-07 03:36:05.431 UTC [1] LOG:  server process (PID 28417) was terminated by signal 6: Aborted",
    "2025-02-07 03:36:05.431 UTC [1] DETAIL:  Failed process was running: INSERT INTO events SELECT 1",
    "2025-02-07 03:36:05.433 UTC [24721] orders_app@orders WARNING:  terminating connection because of crash",
    "2025-02-07 03:36:05.433 UTC [99999] orders_app@orders HINT:  In a moment you should reconnect",
    "2025-02-07 03:36:07.433 UTC [24721] orders_app@orders HINT:  In a moment you should reconnect",
    "2025-02-07 03:52:41.250 UTC [1] LOG:  database system is ready to accept connections",
]


def _record(line: str):
    record = record_start(line, source="pg.log", lineno=1, default_year=2025)
    assert record is not None
    return record


@pytest.mark.parametrize(
    ("line", "level"),
    [
        (CRASH[0], "FATAL"),
        (CRASH[2], "INFO"),
        (CRASH[4], "WARN"),
        (
            "2025-02-07 03:36:09.623 UTC [29661] app@orders FATAL:  the database system is in recovery mode",
            "FATAL",
        ),
        (
            "2025-02-07 03:36:09.623 UTC [29661] ERROR:  duplicate key value violates unique constraint",
            "ERROR",
        ),
        ("2025-02-07 03:36:09.623 UTC [29661] DEBUG2:  autovacuum: processing database", "DEBUG"),
        ("2025-02-07 03:36:09.623 UTC [29661] NOTICE:  relation exists, skipping", "INFO"),
        (CRASH[1], None),  # a part of the report above, not one of its own
        ("2025-02-07 03:36:09.623 UTC [29661] a LOG: of our own words", None),  # no severity after the pid
    ],
)
def test_the_severity_after_the_process_id_is_the_level(line: str, level: str | None) -> None:
    assert _record(line).level == level


def test_a_part_continues_the_report_of_its_own_process_within_a_second() -> None:
    panic, statement, terminated, detail, warning, other_pid, late_hint, ready = map(_record, CRASH)
    assert continues(panic, statement) == "STATEMENT:  INSERT INTO events SELECT * FROM orders"
    assert continues(terminated, detail) == "DETAIL:  Failed process was running: INSERT INTO events SELECT 1"
    assert continues(warning, other_pid) is None  # another process's hint
    assert continues(warning, late_hint) is None  # two seconds later
    assert continues(terminated, ready) is None  # a report of its own
    assert continues(ready, panic) is None


def test_the_file_logstore_joins_each_report(tmp_path: Path) -> None:
    path = tmp_path / "postgresql-main.log"
    path.write_text("\n".join(CRASH) + "\n")
    result = FileLogstore(path).fetch(LogQuery(limit=100))
    assert [(r.line, r.level, r.message.splitlines()[-1][:25]) for r in result.records] == [
        (1, "FATAL", "STATEMENT:  INSERT INTO e"),
        (3, "INFO", "DETAIL:  Failed process w"),
        (5, "WARN", "[24721] orders_app@orders"),
        (6, None, "[99999] orders_app@orders"),
        (7, None, "[24721] orders_app@orders"),
        (8, "INFO", "[1] LOG:  database system"),
    ]
    assert result.records[0].timestamp == datetime(2025, 2, 7, 3, 36, 5, 311000, tzinfo=UTC)

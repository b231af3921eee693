"""Record ids come from what a line says, not where it was read: the same lines through a relative
path, an absolute path and a copy are stored once, lines that really repeated keep their count, and
a lost id key is said in one line instead of storing the session a second time."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from typer.testing import CliRunner

from sre_agent.agent.investigator import TurnAnswer
from sre_agent.clean import clean_records
from sre_agent.cli import app
from sre_agent.models import LogRecord
from sre_agent.record_ids import key_mark, record_ids

runner = CliRunner()
ERROR = "card charge failed: issuer gateway timeout"
KEY = b"k" * 32


def _logs(path: Path) -> int:
    """40 seconds' worth of lines 30 s apart; every 10th second an ERROR written 3 times in that
    same second (a busy log's real repeats). Returns how many lines were written."""
    start = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    lines = []
    for i in range(40):
        ts = (start + timedelta(seconds=30 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        failed = i % 10 == 0
        message = ERROR if failed else f"charge accepted order={1000 + i}"
        line = json.dumps({"timestamp": ts, "level": "ERROR" if failed else "INFO", "message": message})
        lines += [line] * (3 if failed else 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def _ask(logs: str):
    result = runner.invoke(app, ["ask", "which errors were logged?", "--logs", logs, "--session", "s1"])
    assert result.exit_code == 0, result.output
    return result


def _stored() -> str:
    """The records column of `sessions list` for s1."""
    listed = runner.invoke(app, ["sessions", "list"]).stdout
    found = re.search(r"│ s1 +│ logs_all_prod +│ (\d+) +│", listed)
    assert found, listed
    return found.group(1)


def _error_count(printed: str) -> int:
    found = re.search(r"\[ERROR\] ×(\d+)", printed)
    assert found, printed
    return int(found.group(1))


def _touch(path: Path) -> None:
    """A newer modification time: the file counts as changed and is read again."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_the_same_lines_through_three_paths_are_stored_once_and_repeats_keep_their_count(
    cli_env: Path, tmp_path: Path
) -> None:
    relative = Path("logs") / "app.jsonl"
    total = _logs(tmp_path / relative)
    copy = tmp_path / "copy.jsonl"
    shutil.copy(tmp_path / relative, copy)

    first = _ask(str(relative))
    assert f"stored {total} new records" in first.stderr
    assert _error_count(first.stdout) == 12  # 4 seconds × 3 identical lines each, none merged
    assert _stored() == str(total)

    _touch(tmp_path / relative)  # read again, now through its absolute path
    absolute = _ask(str(tmp_path / relative))
    assert f"fetched {total} records from file {tmp_path / relative}" in absolute.stderr
    assert f"{total} were already stored in this thread" in absolute.stderr
    assert _error_count(absolute.stdout) == 12

    copied = _ask(str(copy))
    assert f"fetched {total} records from file {copy}" in copied.stderr
    assert f"stored 0 new records in logs_all_prod ({total} already there" in copied.stderr
    assert _error_count(copied.stdout) == 12
    assert _stored() == str(total)
    assert "warning" not in first.stderr + absolute.stderr + copied.stderr


def test_a_lost_id_key_is_one_warning_and_the_session_is_stored_once_again(
    cli_env: Path, tmp_path: Path
) -> None:
    logs = tmp_path / "app.jsonl"
    total = _logs(logs)
    _ask(str(logs))
    (cli_env / "id.key").unlink()

    # The same file, unchanged: nothing is read, so nothing is stored twice and nothing to say.
    unchanged = _ask(str(logs))
    assert "→ retrieve_stored_logs()" in unchanged.stderr and "fetched" not in unchanged.stderr
    assert "warning" not in unchanged.stderr
    assert _stored() == str(total)

    # A fetch under the new key: one line says the session is stored again, and it holds each line once.
    _touch(logs)
    again = _ask(str(logs))
    warnings = [line for line in again.stderr.splitlines() if "warning:" in line]
    assert len(warnings) == 1, again.stderr
    assert (
        f"warning: session 's1' held {total} lines stored under another record-id key (the data dir's "
        "id.key was lost or SRE_AGENT_ID_KEY changed); to not store them twice they were dropped, and "
        "this fetch stores and embeds its lines again"
    ) in warnings[0]
    assert f"stored {total} new records" in again.stderr
    assert _error_count(again.stdout) == 12
    assert _stored() == str(total)

    # From then on the new key is the session's: no warning, nothing new.
    _touch(logs)
    later = TurnAnswer.model_validate_json(
        runner.invoke(app, ["ask", "which errors?", "--logs", str(logs), "--session", "s1", "--json"]).stdout
    )
    assert later.tool_calls[0].counts["fetched"] == total and later.tool_calls[0].counts["new"] == 0
    assert _stored() == str(total)


def _record(message: str, *, source: str = "a.log", line: int = 1, clock: timezone = UTC) -> LogRecord:
    ts = datetime(2024, 5, 1, 10, 0, tzinfo=UTC).astimezone(clock)
    return LogRecord(
        timestamp=ts, message=message, level="ERROR", fields={"port": 5433}, source=source, line=line
    )


def test_an_id_is_of_the_content_and_its_occurrence_not_of_source_line_or_clock() -> None:
    here = record_ids([_record("boom"), _record("boom", line=2), _record("other", line=3)], KEY)
    there = record_ids(
        [
            _record("boom", source="/abs/a.log", line=7, clock=timezone(timedelta(hours=2))),
            _record("boom", source="/abs/a.log", line=8),
            _record("other", source="/abs/a.log", line=9),
        ],
        KEY,
    )
    assert here == there  # the same lines read elsewhere: the same ids, in the same order
    assert len(set(here)) == 3  # the repeated line keeps both of its occurrences
    assert record_ids([_record("boom")], KEY) == here[:1]
    assert record_ids([_record("boom")], b"another key") != here[:1]  # keyed


def test_the_key_mark_tells_keys_apart_and_gives_none_away() -> None:
    mark = key_mark(KEY)
    assert mark.startswith("content-v2:") and mark == key_mark(KEY)
    assert mark != key_mark(b"another key")
    assert "kkkk" not in mark and KEY.hex() not in mark


def test_a_session_stored_by_an_older_version_is_said_and_stored_once_again(engine, tmp_path: Path) -> None:
    """A session without a key mark holds ids of an older scheme (the source was in them)."""
    logs = tmp_path / "app.jsonl"
    total = _logs(logs)
    old = [_record(f"older line {i}", line=i) for i in range(5)]
    engine.store.ingest("s2", "logs_all_prod", clean_records(old, None).records)  # no id_mark
    result = asyncio.run(engine.search("which errors were logged?", session="s2", logs=logs))
    assert result.warnings == [
        "session 's2' held 5 lines stored under an older version's record ids; to not store them twice "
        "they were dropped, and this fetch stores and embeds its lines again (other logs sources of the "
        "session are read again when asked)"
    ]
    assert engine.stored("s2") == {"logs_all_prod": total}
    assert engine.store.id_mark("s2") == key_mark(engine.id_key)

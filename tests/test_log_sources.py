"""`ask --logs A`, then `--logs B`: in one session B is fetched too and each evidence line names its
file; without `--session` each file gets its own session, so two unrelated files never mix."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from sre_agent.agent.investigator import TurnAnswer
from sre_agent.cli import app
from sre_agent.workflows.source_names import short_names

runner = CliRunner()
PAYMENTS_ERROR = "card charge failed: issuer gateway timeout after 3000ms"
INDEXER_ERROR = "shard rebalance failed: replica 7 unreachable on node search-3"


def _payments(folder: Path) -> Path:
    """A's logs: a payments service, JSONL, May 1st."""
    start = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    path = folder / "payments.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(60):
            ts = (start + timedelta(seconds=20 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            failed = i % 5 == 0
            message = f"{PAYMENTS_ERROR} order={1000 + i}" if failed else f"charge accepted order={1000 + i}"
            record = {"timestamp": ts, "level": "ERROR" if failed else "INFO", "service": "payments"}
            fh.write(json.dumps({**record, "message": message}) + "\n")
    return path


def _indexer(folder: Path) -> Path:
    """B's logs: a search indexer, plain text, a month later."""
    start = datetime(2024, 6, 2, 8, 0, tzinfo=UTC)
    path = folder / "indexer.log"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(60):
            ts = (start + timedelta(seconds=15 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            fh.write(f"{ts} ERROR {INDEXER_ERROR}\n" if i % 6 == 0 else f"{ts} INFO indexed batch {i}\n")
    return path


def _ask(*args: str):
    result = runner.invoke(app, ["ask", *args])
    assert result.exit_code == 0, result.output
    return result


def _ask_json(*args: str) -> TurnAnswer:
    return TurnAnswer.model_validate_json(_ask(*args, "--json").stdout)


def _evidence(printed: str) -> tuple[int, str]:
    """How many entries the printed answer's Evidence block has, and its text (as printed: wrapped)."""
    evidence = printed[printed.index("Evidence:") : printed.index("Log patterns")]
    return len(re.findall(r"^ *\d+\. \[[A-Z-]+\] ×\d+", evidence, re.MULTILINE)), evidence


def test_a_new_logs_file_in_one_session_is_fetched_and_both_files_are_searched(
    cli_env: Path, tmp_path: Path
) -> None:
    a, b = _payments(tmp_path), _indexer(tmp_path)
    first = _ask_json("which errors were logged?", "--logs", str(a), "--session", "s1")
    assert [c.tool for c in first.tool_calls] == ["search_logstore"]
    assert all(line.file is None for line in first.lines)  # one file: nothing to tell apart
    assert "file=" not in first.answer

    second = _ask("which errors were logged?", "--logs", str(b), "--session", "s1")
    # B is fetched (not only A's stored lines searched), and the progress says from where.
    assert f"fetched 60 records from file {b}" in second.stderr
    assert "→ search_logstore(" in second.stderr and "retrieve_stored_logs" not in second.stderr
    # Evidence from both files, each entry naming its file.
    entries, evidence = _evidence(second.stdout)
    named = re.findall(r"\bfile=(\S+)", evidence)
    assert entries and len(named) == entries, evidence
    assert set(named) == {"indexer.log", "payments.jsonl"}, evidence
    assert INDEXER_ERROR in second.stdout and PAYMENTS_ERROR in second.stdout
    assert "session s1" in second.stderr

    # A follow-up with B again fetches nothing new and its lines still name their files.
    again = _ask_json("is the shard rebalance still failing?", "--logs", str(b), "--session", "s1")
    assert [c.tool for c in again.tool_calls] == ["retrieve_stored_logs"]
    assert again.lines and {line.file for line in again.lines} <= {"indexer.log", "payments.jsonl"}
    assert next(line for line in again.lines if INDEXER_ERROR in line.message).file == "indexer.log"


def test_without_session_each_logs_source_gets_its_own_session(cli_env: Path, tmp_path: Path) -> None:
    a, b = _payments(tmp_path), _indexer(tmp_path)
    first = _ask("what is failing?", "--logs", str(a))
    second = _ask("what is failing?", "--logs", str(b))
    session_a = re.search(r"session (logs-payments\.jsonl-[0-9a-f]{10})\b", first.stderr)
    session_b = re.search(r"session (logs-indexer\.log-[0-9a-f]{10})\b", second.stderr)
    assert session_a and session_b, (first.stderr, second.stderr)
    assert f"fetched 60 records from file {b}" in second.stderr
    # B's answer holds nothing of A: not its lines, not its service, no file names to tell apart.
    assert INDEXER_ERROR in second.stdout
    for of_a in ("card charge", "payments", "order=", "file="):
        assert of_a not in second.stdout, of_a
    listed = runner.invoke(app, ["sessions", "list"]).stdout
    assert session_a.group(1) in listed and session_b.group(1) in listed

    # The same file again (spelled another way) reuses its session and what it fetched.
    again = _ask_json("any errors in the indexer?", "--logs", "./indexer.log")
    assert again.session == session_b.group(1)
    assert [c.tool for c in again.tool_calls] == ["retrieve_stored_logs"]
    assert again.tool_calls[0].counts["fetched"] == 0


def test_a_file_that_changed_since_it_was_fetched_is_fetched_again(cli_env: Path, tmp_path: Path) -> None:
    b = _indexer(tmp_path)
    _ask("what is failing?", "--logs", str(b))
    with b.open("a", encoding="utf-8") as fh:
        fh.write("2024-06-02T08:20:00Z FATAL indexer out of memory: heap exhausted\n")
    later = _ask_json("what is failing?", "--logs", str(b))
    assert [c.tool for c in later.tool_calls] == ["search_logstore"]
    assert later.tool_calls[0].counts["fetched"] == 61 and later.tool_calls[0].counts["new"] == 1


def test_ask_without_logs_or_session_says_what_to_give(cli_env: Path) -> None:
    result = runner.invoke(app, ["ask", "why?"])
    assert result.exit_code == 2
    assert "--logs: no logs given" in result.output and "Traceback" not in result.output


def test_files_are_named_by_the_fewest_parts_that_tell_them_apart() -> None:
    assert short_names({"/x/a/logs.jsonl", "/x/b/logs.jsonl", "/y/app.log"}) == {
        "/x/a/logs.jsonl": "a/logs.jsonl",
        "/x/b/logs.jsonl": "b/logs.jsonl",
        "/y/app.log": "app.log",
    }

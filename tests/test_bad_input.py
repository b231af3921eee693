"""Bad input is one line that names it, never a traceback or a lost file: a JSON line nested too
deep or a line over 1 MiB is skipped and located while the rest is stored; a window outside the
years logs can be from is refused in one line, one wider than the logs says so; an error quoting a
10 kB value quotes 200 characters of it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sre_agent.cli import app
from sre_agent.connectors import FileLogstore
from sre_agent.errors import InputError
from sre_agent.models import LogQuery
from sre_agent.timephrases import parse_time_window

runner = CliRunner()
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _good(second: int) -> str:
    return json.dumps(
        {"timestamp": f"2024-05-01T10:00:{second:02d}Z", "level": "ERROR", "message": f"db timeout {second}"}
    )


def _deep(levels: int) -> str:
    return (
        '{"timestamp": "2024-05-01T10:00:30Z", "message": "deep", "a": ' + "[" * levels + "]" * levels + "}"
    )


def _stored(session_prefix: str) -> int:
    listed = runner.invoke(app, ["sessions", "list"]).stdout
    found = re.search(rf"│ {re.escape(session_prefix)}\S* +│ logs_all_prod +│ (\d+) +│", listed)
    assert found, listed
    return int(found.group(1))


def test_a_deep_json_line_is_skipped_and_located_and_the_good_ones_are_stored(
    cli_env: Path, tmp_path: Path
) -> None:
    path = tmp_path / "deep.jsonl"
    rows = [_good(1), _good(2), _deep(300), _deep(5000), _good(3)]  # 5000: past Python's own parser
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")

    result = runner.invoke(app, ["ask", "what failed?", "--logs", str(path)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert (
        f"fetched 3 records from file {path}; 2 malformed lines skipped: "
        f"{path}:3: nested deeper than 64 levels of objects and lists; "
        f"{path}:4: nested deeper than 64 levels of objects and lists"
    ) in result.stderr
    assert _stored("logs-deep.jsonl-") == 3


def test_a_json_line_nested_64_deep_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonl"
    path.write_text(_deep(63) + "\n", encoding="utf-8")  # the object itself is the 64th level
    result = FileLogstore(path).fetch(LogQuery())
    assert [r.message for r in result.records] == ["deep"] and result.problems == []


def test_a_line_over_1_mib_is_skipped_and_located_in_jsonl_and_text(tmp_path: Path) -> None:
    jsonl = tmp_path / "long.jsonl"
    huge = json.dumps({"timestamp": "2024-05-01T10:00:05Z", "message": "x" * (1 << 20)})
    jsonl.write_text("\n".join([_good(1), huge, _good(2)]) + "\n", encoding="utf-8")
    result = FileLogstore(jsonl).fetch(LogQuery())
    assert [r.message for r in result.records] == ["db timeout 1", "db timeout 2"]
    assert result.problems == [
        f"{jsonl}:2: line of {len(huge):,} characters, longer than the 1,048,576 (1 MiB) a line may have"
    ]

    text = tmp_path / "long.log"
    long_line = "2024-05-01T10:00:02Z INFO " + "y" * (1 << 20)
    text.write_text(
        f"2024-05-01T10:00:01Z ERROR db timeout 1\n{long_line}\n2024-05-01T10:00:03Z ERROR db timeout 3\n",
        encoding="utf-8",
    )
    result = FileLogstore(text).fetch(LogQuery())
    assert [r.message for r in result.records] == ["ERROR db timeout 1", "ERROR db timeout 3"]
    assert result.problems == [
        f"{text}:2: line of {len(long_line):,} characters, longer than the 1,048,576 (1 MiB) a line may have"
    ]


OUT_OF_RANGE = (
    "window: 'last 9999999999 hours' reaches outside 1900 to 2199, the years a log line can be from; "
    "name a window inside them, e.g. 'last 30 days' or '2024-03-10 to 2024-03-12'"
)


def test_a_window_outside_the_years_of_logs_is_one_line(cli_env: Path, tmp_path: Path) -> None:
    path = tmp_path / "app.jsonl"
    path.write_text(_good(1) + "\n", encoding="utf-8")
    asked = runner.invoke(app, ["ask", "what failed in the last 9999999999 hours?", "--logs", str(path)])
    assert asked.exit_code == 2
    assert asked.stderr.strip().endswith(f"error: {OUT_OF_RANGE}")
    assert "Traceback" not in asked.output and "OverflowError" not in asked.output

    tool = runner.invoke(
        app,
        ["tool", "search_logstore", "--arg", "window=last 9999999999 hours", "--arg", "query=timeout"]
        + ["--logs", str(path)],
    )
    assert tool.stdout.strip() == f"error: search_logstore failed: {OUT_OF_RANGE}"

    with pytest.raises(InputError, match="'jan 1 1850' reaches outside 1900 to 2199"):
        parse_time_window("what failed on jan 1 1850?", NOW)


def test_a_range_of_dates_is_all_of_its_days_and_a_window_wider_than_the_logs_says_so(
    cli_env: Path, tmp_path: Path
) -> None:
    parsed = parse_time_window("what failed between 2024-03-10 and 2024-03-12?", NOW)
    assert parsed.window is not None and parsed.phrases == ["2024-03-10 and 2024-03-12"]
    assert (parsed.window.start, parsed.window.end) == (
        datetime(2024, 3, 10, tzinfo=UTC),
        datetime(2024, 3, 13, tzinfo=UTC),
    )

    path = tmp_path / "app.jsonl"
    path.write_text("\n".join([_good(1), _good(3)]) + "\n", encoding="utf-8")
    runner.invoke(app, ["ask", "what failed?", "--logs", str(path)])  # stored first
    wide = runner.invoke(app, ["ask", "what failed between 1970-01-01 to 2100-01-01?", "--logs", str(path)])
    assert wide.exit_code == 0, wide.output
    assert "window 1970-01-01 00:00 → 2100-01-02 00:00 UTC" in wide.stderr  # not the first day only
    assert (
        "the window 1970-01-01 00:00 → 2100-01-02 00:00 UTC is wider than the logs this thread holds "
        "(2024-05-01 10:00:01 → 2024-05-01 10:00:03 UTC): it holds all of them"
    ) in wide.stderr
    assert "[ERROR] ×2" in wide.stdout


def test_an_error_about_a_10_kb_query_quotes_200_characters_of_it(cli_env: Path) -> None:
    query = "q" * 10_000
    result = runner.invoke(app, ["tool", "search_logstore", "--arg", f"query={query}"])
    said = result.stdout.strip()
    assert said == (
        "error: search_logstore: argument 'query': String should have at most 500 characters "
        f"(got '{'q' * 199}… (10,000 characters))"
    )
    assert len(said) < 400

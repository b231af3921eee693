"""The agent from the command line: `ask`, `chat`, `tool`, a full `replay` and `sessions drop`."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from paths import ROOT, SHARED
from typer.testing import CliRunner

from sre_agent.agent.investigator import TurnAnswer
from sre_agent.cli import app
from sre_agent.engine import Engine
from sre_agent.memory import ChatMemories
from sre_agent.settings import get_settings
from sre_agent.tools import ToolContext, ToolResult, default_registry

runner = CliRunner()
INCIDENTS = ROOT / "incidents"
LOGS = INCIDENTS / "membership-dynamodb-throttling" / "logs.jsonl"
QUESTION = "why is GetMembership failing for user 123 in prod?"
TOOLS = ("search_logstore", "get_all_logs_for_request_id", "search_panic_logs", "retrieve_stored_logs")


def _run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def _history(data_dir: Path, session: str) -> list:
    return asyncio.run(ChatMemories(data_dir).history(session))


def test_ask_prints_the_offline_answer_and_tool_progress(cli_env: Path) -> None:
    result = _run("ask", QUESTION, "--logs", str(LOGS), "--session", "a1")
    assert result.exit_code == 0, result.output
    assert "Summary" in result.stdout and "Evidence" in result.stdout and "Next steps" in result.stdout
    assert "DEADLINE_EXCEEDED" in result.stdout
    assert "→ search_logstore(" in result.stderr and "method='GetMembership'" in result.stderr
    assert "← search_logstore:" in result.stderr
    assert "offline triage" in result.stderr and "session a1" in result.stderr


def test_ask_json_is_a_turn_answer(cli_env: Path) -> None:
    result = _run("ask", QUESTION, "--logs", str(LOGS), "--session", "a2", "--json")
    assert result.exit_code == 0, result.output
    answer = TurnAnswer.model_validate_json(result.stdout)  # stdout is the JSON and nothing else
    assert answer.mode == "offline" and answer.session == "a2" and answer.service == "membership"
    assert "**Summary**" in answer.answer and "**Evidence**" in answer.answer
    assert answer.tool_calls[0].tool == "search_logstore" and answer.tool_calls[0].ok
    assert answer.lines


def test_tool_runs_one_tool_by_hand(cli_env: Path) -> None:
    result = _run(
        "tool",
        "search_logstore",
        "--arg",
        "method=GetMembership",
        "--arg",
        "query=deadline",
        "--logs",
        str(LOGS),
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if re.match(r"\d+\. \[", line)]
    assert lines and all("×" in line for line in lines)
    assert any("DEADLINE_EXCEEDED" in line for line in lines)
    assert "logs_getmembership_prod" in result.stdout


def test_tool_is_recorded_as_a_run_and_prints_what_the_registry_returns(
    cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["--arg", "method=GetMembership", "--arg", "query=deadline", "--logs", str(LOGS), "--json"]
    result = _run("tool", "search_logstore", *args)
    assert result.exit_code == 0, result.output
    printed = ToolResult.model_validate_json(result.stdout)

    # The same call wired by hand, as the command wired it before it went through the engine.
    monkeypatch.setenv("SRE_AGENT_DATA_DIR", str(tmp_path / "by-hand"))  # a data dir of its own
    get_settings.cache_clear()
    engine = Engine()
    snapshot = engine.snapshot(LOGS)
    ctx = ToolContext(engine=engine, session="cli", environment="prod", logstore=snapshot.logstore)
    ctx.now, ctx.default_window, ctx.max_window_hours = (
        snapshot.now,
        snapshot.window,
        snapshot.max_window_hours,
    )
    call = default_registry().call(ctx, "search_logstore", {"method": "GetMembership", "query": "deadline"})
    by_hand = asyncio.run(call)
    assert printed.ok and printed.model_dump(exclude={"seconds"}) == by_hand.model_dump(exclude={"seconds"})

    monkeypatch.setenv("SRE_AGENT_DATA_DIR", str(cli_env))  # the command's data dir again
    get_settings.cache_clear()
    listed = runner.invoke(app, ["runs", "list"], env={"COLUMNS": "200"})
    rows = [line for line in listed.stdout.splitlines() if "search_logstore" in line]
    assert len(rows) == 1 and " tool " in rows[0] and " ok " in rows[0], listed.stdout
    run_id = re.search(r"\d{8}-\d{6}-[0-9a-f]{6}", rows[0])
    assert run_id, rows[0]
    shown = runner.invoke(app, ["runs", "show", run_id.group(0)], env={"COLUMNS": "160"})
    assert shown.exit_code == 0, shown.output
    assert "search_logstore" in shown.stdout and "step fetch" in shown.stdout
    assert '"method": "GetMembership"' in shown.stdout


def test_tool_with_a_bad_argument_exits_2_naming_it(cli_env: Path) -> None:
    result = _run("tool", "search_logstore", "--arg", "limit=500", "--logs", str(LOGS))
    assert result.exit_code == 2
    assert "'limit'" in result.output and "Traceback" not in result.output


def test_unknown_tool_exits_2_listing_the_tools(cli_env: Path) -> None:
    result = _run("tool", "nope")
    assert result.exit_code == 2
    assert "nope" in result.output and all(name in result.output for name in TOOLS)
    assert "Traceback" not in result.output


def test_chat_answers_and_obeys_help_session_and_reset(cli_env: Path) -> None:
    script = "help\nsession\nwhy is GetMembership failing for user 123?\nsession\nreset\nsession\nexit\n"
    result = _run("chat", "--logs", str(LOGS), "--session", "c1", input=script)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Type a question and press Enter" in out and "leave (also quit" in out  # the help text
    sessions = re.findall(r"session c1: (\d+) tables \(([^)]*)\), (\d+) log records", out)
    assert len(sessions) == 3, out
    before, after_question, after_reset = sessions
    assert before == ("0", "none", "0")
    assert int(after_question[0]) >= 1 and "logs_getmembership_prod" in after_question[1]
    assert int(after_question[2]) > 0
    assert after_reset == ("0", "none", "0")
    assert "session c1 reset" in out
    answered = out.index("Summary")
    assert out.index("DEADLINE_EXCEEDED") > out.index("session c1: 0 tables")
    assert out.index("session c1: 0 tables") < answered < out.index(f"session c1: {after_question[0]} tables")
    assert "→ search_logstore(" in result.stderr
    assert _history(cli_env, "c1") == []  # reset forgot the conversation too


@pytest.mark.slow  # a browser or a subprocess: `make test-fast` skips it
def test_full_replay_writes_a_report_with_answers(cli_env: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = _run("replay", str(INCIDENTS), "--json", str(out), "--parallel", "2")
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert [inc["id"] for inc in report["incidents"]] == sorted(
        p.name for p in INCIDENTS.iterdir() if (p / "incident.json").is_file()
    )
    turns = [turn for inc in report["incidents"] for turn in inc["turns"]]
    assert turns
    for turn in turns:
        assert turn["answer"].strip(), turn["ask"]
        assert isinstance(turn["mentions_hit"], float | int), turn["ask"]
        assert turn["tool_calls"] and all("tool" in call for call in turn["tool_calls"])
        assert isinstance(turn["retrieved_lines"], list)
        assert all(isinstance(n, int) for n in turn["retrieved_lines"])
    assert any(turn["retrieved_lines"] for turn in turns)
    summary = report["summary"]
    assert summary["turns"] == len(turns) and isinstance(summary["mentions_hit"], float)
    scorer = SHARED / "spec" / "score_replay.py"
    if not scorer.is_file():
        pytest.skip("shared/spec/score_replay.py is not beside this checkout")
    scored = subprocess.run(
        [sys.executable, str(scorer), "--incidents", str(INCIDENTS), "--report", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert scored.returncode == 0, scored.stdout + scored.stderr
    assert "recall@10=" in scored.stdout


def test_sessions_drop_forgets_tables_and_history(cli_env: Path) -> None:
    assert _run("ask", QUESTION, "--logs", str(LOGS), "--session", "d1").exit_code == 0
    assert "d1" in _run("sessions", "list").stdout
    assert [m.content for m in _history(cli_env, "d1")][0] == QUESTION
    dropped = _run("sessions", "drop", "d1")
    assert dropped.exit_code == 0, dropped.output
    assert "d1" not in _run("sessions", "list").stdout
    assert _history(cli_env, "d1") == []
    unknown = _run("sessions", "drop", "unknown")
    assert unknown.exit_code == 2 and "unknown session 'unknown'" in unknown.output


def test_ask_with_an_llm_streams_the_text_once_then_the_tools_footer(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fakes.chat_server import Text, ToolCalls, ToolCallSpec, serve_chat

    from sre_agent.settings import get_settings

    text = "**Summary**: reads of table memberships are throttled, so GetMembership times out."

    def llm(body: dict) -> object:
        if not body.get("tools"):  # the refine step
            return Text('{"terms": ["ProvisionedThroughputExceededException"]}')
        if body["messages"][-1]["role"] == "tool":
            return Text(text)
        return ToolCalls([ToolCallSpec("search_logstore", {"method": "GetMembership", "query": "errors"})])

    with serve_chat(responder=llm) as chat:
        monkeypatch.setenv("SRE_AGENT_LLM_BASE_URL", chat.base_url)
        monkeypatch.setenv("SRE_AGENT_LLM_MAX_RETRIES", "0")
        get_settings.cache_clear()
        result = _run("ask", QUESTION, "--logs", str(LOGS), "--session", "llm1")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("reads of table memberships are throttled") == 1  # streamed, not repeated
    assert "Tools run:" in result.stdout and "search_logstore" in result.stdout
    assert "Offline triage" not in result.stdout
    assert "→ search_logstore(" in result.stderr and "(OpenAI-compatible)" in result.stderr


def test_tool_without_a_name_lists_every_tool_with_its_arguments(cli_env: Path) -> None:
    result = runner.invoke(app, ["tool"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in (*TOOLS, "summarize_stored_logs"):
        assert name in result.stdout
    assert "request_id: str" in result.stdout and "method?: str" in result.stdout


def test_a_question_that_is_a_log_dump_is_refused_before_anything_runs(cli_env: Path) -> None:
    result = _run("ask", "why? " + "x" * 5000, "--logs", str(LOGS), "--session", "big")
    assert result.exit_code == 2
    assert "QUESTION: 5,005 characters; at most 4,000" in result.stderr
    assert "big" not in _run("sessions", "list").stdout


def test_chat_refuses_bad_flags_before_the_first_question(cli_env: Path) -> None:
    result = _run("chat", "--logs", "/no/such/logs.jsonl", input="why?\nexit\n")
    assert result.exit_code == 2
    assert "/no/such/logs.jsonl: no such file" in result.stderr and "you>" not in result.stdout
    bad_service = _run("chat", "--service", "nope", input="why?\nexit\n")
    assert bad_service.exit_code == 2 and "--service: no config named 'nope'" in bad_service.stderr


def _logs_with_bad_lines(folder: Path) -> list[str]:
    """A folder as an engineer might pass it: the incident's logs with seven malformed lines, a
    rotated gzip of more, and a screenshot. Returns what the answer must say, in order."""
    folder.mkdir()
    rows = LOGS.read_text(encoding="utf-8").splitlines()
    bad = [f"oops {i}" for i in range(7)]
    (folder / "app.jsonl").write_text("\n".join(rows[:1200] + bad) + "\n", encoding="utf-8")
    (folder / "app.jsonl.1.gz").write_bytes(gzip.compress(("\n".join(rows[1200:]) + "\n").encode()))
    (folder / "screenshot.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    located = "; ".join(
        f"logs/app.jsonl:{1201 + i}: invalid JSON (Expecting value at column 1)" for i in range(5)
    )
    return [
        "skipped in the folder 1 file: screenshot.png (not named .jsonl, .log or .txt)",
        f"7 malformed lines skipped, the first 5: {located}",
    ]


def _flat(text: str) -> str:
    """Terminal text as one line: rich wraps the Markdown at the console's width."""
    return " ".join(text.split())


def test_ask_locates_malformed_lines_and_skipped_files_in_the_answer(cli_env: Path) -> None:
    said = _logs_with_bad_lines(Path("logs"))  # cli_env runs in a temp folder
    result = _run("ask", QUESTION, "--logs", "logs", "--session", "bad1")
    assert result.exit_code == 0, result.output
    assert "DEADLINE_EXCEEDED" in result.stdout
    assert f"Not checked: • ⚠ {said[0]} • ⚠ {said[1]} •" in _flat(result.stdout)
    progress = rf"· fetch: fetched \d+ records from file logs; {re.escape(said[0])}; {re.escape(said[1])}\n"
    assert re.search(progress, result.stderr), result.stderr


def test_ask_with_an_llm_puts_the_malformed_lines_in_the_footer(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fakes.chat_server import Text, ToolCalls, ToolCallSpec, serve_chat

    from sre_agent.settings import get_settings

    said = _logs_with_bad_lines(Path("logs"))
    tool_texts: list[str] = []

    def llm(body: dict) -> object:
        if not body.get("tools"):  # the refine step
            return Text('{"terms": []}')
        if body["messages"][-1]["role"] == "tool":
            tool_texts.append(body["messages"][-1]["content"])
            return Text("**Summary**: throttled.")
        return ToolCalls([ToolCallSpec("search_logstore", {"method": "GetMembership", "query": "errors"})])

    with serve_chat(responder=llm) as chat:
        monkeypatch.setenv("SRE_AGENT_LLM_BASE_URL", chat.base_url)
        monkeypatch.setenv("SRE_AGENT_LLM_MAX_RETRIES", "0")
        get_settings.cache_clear()
        result = _run("ask", QUESTION, "--logs", "logs", "--session", "bad2")
    assert result.exit_code == 0, result.output
    footer = _flat(result.stdout.split("Tools run:")[1])
    assert f"⚠ {said[0]} ⚠ {said[1]}" in footer
    assert f"\nfetch: {said[0]}\nfetch: {said[1]}\n" in tool_texts[0]  # the model was told too


def test_ask_did_it_recover_says_in_the_summary_when_the_trouble_last_showed(cli_env: Path) -> None:
    path = Path("orders.log")  # cli_env runs in a temp folder
    lines = [f"2026-03-01T12:{m:02d}:00Z INFO GET /orders?user=u{m} -> 200" for m in range(0, 60, 2)]
    failed = "failed: read-only transaction"
    lines += [f"2026-03-01T12:{m:02d}:30Z ERROR order {m} {failed}" for m in range(20, 31)]
    path.write_text("\n".join(sorted(lines)) + "\n", encoding="utf-8")
    result = _run("ask", "did it recover? is it still failing?", "--logs", str(path), "--session", "rec1")
    assert result.exit_code == 0, result.output
    summary = _flat(result.stdout).split("Evidence:")[0]
    assert "The trouble's last line, ERROR order 30 failed: read-only transaction, is at" in summary
    after = "is at 2026-03-01 12:30:30 UTC; the stored logs go on for 27m after it (to 2026-03-01 12:58:00)"
    assert after in summary

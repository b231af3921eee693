"""The `sre-agent` command line as a user runs it: exit codes, messages, the replay report."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from paths import ROOT, SHARED
from typer.testing import CliRunner

from sre_agent.cli import app

runner = CliRunner()
THROTTLING = ROOT / "incidents" / "membership-dynamodb-throttling"


def _run(*args: str):
    return runner.invoke(app, list(args))


def test_ask_retrieve_only_answers_from_a_log_file(cli_env: Path) -> None:
    result = _run(
        "ask",
        "--retrieve-only",
        "why is GetMembership failing for user 123 in prod?",
        "--logs",
        str(THROTTLING / "logs.jsonl"),
        "--service",
        "membership",
        "--session",
        "s1",
    )
    assert result.exit_code == 0, result.output
    assert "DEADLINE_EXCEEDED" in result.stdout
    assert "user_id=123" in result.stdout  # the answer states the filters it used
    listed = _run("sessions", "list")
    assert "s1" in listed.stdout and "logs_all_prod" in listed.stdout


def test_ask_retrieve_only_json_output(cli_env: Path) -> None:
    logs = str(THROTTLING / "logs.jsonl")
    result = _run("ask", "--retrieve-only", "are we being rate limited?", "--logs", logs, "--json")
    data = json.loads(result.stdout)
    assert data["fetched"] == 2482 and data["lines"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "why?", "--logs", "/no/such/file.jsonl"], "/no/such/file.jsonl: no such file"),
        (["ask", "why?", "--session", "never-seen"], "unknown session 'never-seen'"),
        (
            ["ask", "why?", "--logs", str(THROTTLING / "logs.jsonl"), "--service", "nope"],
            "--service: no config",
        ),
        (["sessions", "drop", "never-seen"], "unknown session 'never-seen'"),
        (["replay", "/no/such/dir"], "/no/such/dir: no such file or folder"),
    ],
)
def test_bad_input_exits_2_with_one_line(cli_env: Path, args: list[str], message: str) -> None:
    result = _run(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_bad_incident_names_file_and_field(cli_env: Path, tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(THROTTLING, folder)
    data = json.loads((folder / "incident.json").read_text())
    data["turns"][0].pop("ask")
    (folder / "incident.json").write_text(json.dumps(data))
    result = _run("replay", str(folder))
    assert result.exit_code == 2
    assert f"{folder / 'incident.json'}: field 'turns.0.ask'" in result.output


def test_wrong_flag_is_a_usage_error(cli_env: Path) -> None:
    result = _run("replay", str(THROTTLING), "--no-such-flag")
    assert result.exit_code == 2


def test_config_masks_secrets(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sre_agent.settings import get_settings

    monkeypatch.setenv("SRE_AGENT_EMBED_API_KEY", "sk-supersecretvalue123")
    get_settings.cache_clear()
    result = _run("config")
    assert result.exit_code == 0
    assert "supersecretvalue" not in result.stdout and "set, 22 chars" in result.stdout
    assert str(cli_env) in result.stdout  # data dir from the environment
    assert "# answering with: offline triage" in result.stdout


def test_config_masks_the_llm_key_and_secret_headers(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sre_agent.settings import get_settings

    monkeypatch.setenv("SRE_AGENT_LLM_BASE_URL", "http://gateway.internal/v1")
    monkeypatch.setenv("SRE_AGENT_LLM_API_KEY", "sk-llmsecret42")
    monkeypatch.setenv("SRE_AGENT_LLM_HEADERS", '{"x-api-key": "hdrsecret", "x-project-name": "sre"}')
    get_settings.cache_clear()
    result = _run("config")
    assert result.exit_code == 0, result.output
    assert "llmsecret" not in result.stdout and "hdrsecret" not in result.stdout
    assert "'x-project-name': 'sre'" in result.stdout  # a plain header stays readable
    assert "# answering with: gpt-4o-mini at http://gateway.internal/v1" in result.stdout


@pytest.mark.slow  # a browser or a subprocess: `make test-fast` skips it
def test_replay_report_follows_the_spec_and_matches_the_independent_scorer(
    cli_env: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    result = _run("replay", str(THROTTLING), "--retrieval-only", "--json", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    turns = report["incidents"][0]["turns"]
    assert len(turns) == 6
    for turn in turns:
        assert {
            "ask",
            "retrieved_lines",
            "recall_at_10",
            "mrr",
            "answer",
            "mentions_hit",
            "tool_calls",
            "seconds",
        } <= set(turn)
        assert turn["answer"] == ""  # retrieval-only
    assert {"recall_at_10", "mrr", "mentions_hit", "seconds"} <= set(report["summary"])
    scorer = SHARED / "spec" / "score_replay.py"
    if not scorer.is_file():
        pytest.skip("shared/spec/score_replay.py is not beside this checkout")
    folder = tmp_path / "incidents"
    shutil.copytree(THROTTLING, folder / THROTTLING.name)
    scored = subprocess.run(
        [sys.executable, str(scorer), "--incidents", str(folder), "--report", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    last = scored.stdout.strip().splitlines()[-1]
    independent = float(last.split("recall@10=")[1].split()[0])
    assert abs(independent - report["summary"]["recall_at_10"]) < 0.001, scored.stdout


def test_sessions_drop_and_purge(cli_env: Path) -> None:
    for session in ("a", "b"):
        assert (
            _run("ask", "errors?", "--logs", str(THROTTLING / "logs.jsonl"), "--session", session).exit_code
            == 0
        )
    assert _run("sessions", "drop", "a").exit_code == 0
    listed = _run("sessions", "list").stdout
    assert " a " not in listed and "b" in listed
    purged = _run("sessions", "purge")
    assert "dropped 1 sessions" in purged.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "SRE_AGENT_LLM_HEADERS",
            "not json",
            "SRE_AGENT_LLM_HEADERS: could not read the value (JSON expected",
        ),
        ("SRE_AGENT_TOP_K", "0", "SRE_AGENT_TOP_K: Input should be greater than or equal to 1 (got '0')"),
        ("SRE_AGENT_LLM_BACKEND", "gpt", "SRE_AGENT_LLM_BACKEND: Input should be 'auto', 'openai'"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    from sre_agent.settings import get_settings

    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    result = _run("config")
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


# ---------------------------------------------------------------- one bad config is one warning

BROKEN_FIELD = "field 'error_patterns.0.pattern': not a valid regular expression"


@pytest.fixture
def broken_beside_good(cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A configs folder holding the shipped membership config and a broken `billing.json`."""
    from sre_agent.settings import get_settings

    folder = tmp_path / "configs"
    folder.mkdir()
    shutil.copy(ROOT / "configs" / "membership.json", folder)
    broken = folder / "billing.json"
    broken.write_text(json.dumps({"name": "billing", "error_patterns": [{"name": "x", "pattern": "(a"}]}))
    monkeypatch.setenv("SRE_AGENT_CONFIGS_DIR", str(folder))
    get_settings.cache_clear()
    return broken


def test_a_broken_config_is_one_warning_and_questions_about_others_work(broken_beside_good: Path) -> None:
    logs = str(THROTTLING / "logs.jsonl")
    question = "why is GetMembership failing for user 123?"
    result = _run("ask", question, "--logs", logs, "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["service"] == "membership"
    assert "DEADLINE_EXCEEDED" in answer["answer"] and "Check DynamoDB throttling" in answer["answer"]
    warned = [line for line in answer["answer"].splitlines() if "billing" in line]
    assert warned == [
        f"⚠ skipped the config {broken_beside_good}: {BROKEN_FIELD}: missing ), unterminated subpattern "
        "at position 0; questions about billing get none of its knowledge until it is fixed "
        "(`sre-agent doctor` lists it)"
    ]
    searched = _run(
        "ask",
        "--retrieve-only",
        question,
        "--logs",
        logs,
        "--service",
        "membership",
        "--session",
        "r",
        "--json",
    )
    assert searched.exit_code == 0, searched.output
    assert [w for w in json.loads(searched.stdout)["warnings"] if "billing" in w] == [warned[0][2:]]


def test_asking_about_the_broken_configs_own_service_is_exit_2_naming_file_and_field(
    broken_beside_good: Path,
) -> None:
    result = _run("ask", "why?", "--logs", str(THROTTLING / "logs.jsonl"), "--service", "billing")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: --service: the config of 'billing' is invalid: {broken_beside_good}: {BROKEN_FIELD}: "
        "missing ), unterminated subpattern at position 0"
    ]


def test_doctor_shows_the_broken_config_as_fail_and_exits_2(
    broken_beside_good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # one table row per check, not wrapped
    result = _run("doctor")
    assert result.exit_code == 2, result.output
    row = next(line for line in result.stdout.splitlines() if "billing" in line)
    cells = [cell.strip() for cell in row.strip("│ ").split("│")]
    assert cells[:3] == ["billing", "config", "fail"]
    assert cells[3].startswith(f"skipped: {broken_beside_good}: {BROKEN_FIELD}")
    assert "membership │ logstore" in result.stdout  # the good config is checked as usual


def test_doctor_reminds_of_what_the_quarantine_holds(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    empty = _run("doctor")
    row = next(line for line in empty.stdout.splitlines() if "quarantine" in line)
    assert [cell.strip() for cell in row.strip("│ ").split("│")] == [
        "-",
        "quarantine",
        "ok",
        "nothing set aside",
    ]
    quarantine = cli_env / "quarantine"
    (quarantine / "a-logs-20261205T101010Z").mkdir(parents=True)
    (quarantine / "a-logs-20261205T101010Z" / "data.lance").write_bytes(bytes(3 * 2**20))
    (quarantine / "memory.db-20261205T111111Z").write_bytes(bytes(2**19))
    full = _run("doctor")
    row = next(line for line in full.stdout.splitlines() if "quarantine" in line)
    assert [cell.strip() for cell in row.strip("│ ").split("│")] == [
        "-",
        "quarantine",
        "warn",
        f"2 damaged store(s) set aside in {quarantine} (3.5 MB: a-logs-20261205T101010Z, "
        "memory.db-20261205T111111Z); look at them, then delete them",
    ]


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("screenshot.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "a NUL byte at offset 8"),
        ("core.log", b"2024-05-01 12:00:00 ok\n\x00\x00\x00", "a NUL byte at offset 23"),
    ],
    ids=["png", "nul-bytes"],
)
@pytest.mark.parametrize("mode", [[], ["--retrieve-only"]], ids=["agent", "retrieve-only"])
def test_a_binary_log_exits_2_with_one_line_naming_it(
    cli_env: Path, name: str, content: bytes, why: str, mode: list[str]
) -> None:
    Path(name).write_bytes(content)  # cli_env runs in a temp folder
    result = _run("ask", "why?", "--logs", name, *mode)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {name}: binary, not a log ({why}); give a JSONL or plain text log (.gz is read too)"
    ]
    assert result.stdout == ""


@pytest.mark.parametrize("mode", [[], ["--retrieve-only"]], ids=["agent", "retrieve-only"])
def test_a_time_of_day_is_read_on_the_day_of_an_old_log_file(cli_env: Path, mode: list[str]) -> None:
    """A file's last time is "now" for both ways of asking: "around 03:36" in a log of 2025-02-07
    is that day's 03:36, not today's (where no line is)."""
    lines = [
        "2025-02-07 01:00:00.000 UTC [1] LOG:  checkpoint starting: time",
        '2025-02-07 03:36:05.311 UTC [28417] PANIC:  could not write to file "pg_wal/x": No space left',
        "2025-02-07 06:02:25.524 UTC [1] LOG:  checkpoint complete",
    ]
    Path("pg.log").write_text("\n".join(lines) + "\n")
    result = _run("ask", "what happened around 03:36?", "--logs", "pg.log", "--json", *mode)
    assert result.exit_code == 0, result.output
    # only the line of that hour (on today's 03:36 no line is, and the answer would hold none)
    found = [line["first_seen"] for line in json.loads(result.stdout)["lines"]]
    assert found == ["2025-02-07T03:36:05.311000Z"]

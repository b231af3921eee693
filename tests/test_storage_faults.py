"""Faults of the data dir as a user meets them: a damaged table, chat memory or catalog, a data dir
that takes no writes, writers racing on one table. Each costs one line (exit 1) and heals: the next
`ask --logs` answers, and the other sessions are never affected.

Each test copies a data dir that two real asks filled (sessions `a` and `b`, real LanceDB, the real
model), breaks it the way a disk or a person would, and runs the CLI on it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from paths import ROOT
from typer.testing import CliRunner

from sre_agent.cli import app
from sre_agent.indexes import LogIndex

pytestmark = pytest.mark.slow  # real processes racing and damaged data dirs: `make test-fast` skips this file

LOGS = ROOT / "incidents" / "membership-dynamodb-throttling" / "logs.jsonl"
QUESTION = "why is GetMembership failing?"
runner = CliRunner()


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    """A data dir where sessions `a` and `b` each asked about the throttling incident."""
    from sre_agent.engine import Engine
    from sre_agent.settings import Settings

    data = tmp_path_factory.mktemp("filled") / "data"
    engine = Engine(Settings(data_dir=data, configs_dir=ROOT / "configs"), embedder=embedder)
    for session in ("a", "b"):
        asyncio.run(engine.ask(QUESTION, session=session, logs=LOGS))
    return data


@pytest.fixture
def data(filled: Path, cli_env: Path) -> Path:
    """A copy of `filled` that the CLI (through `cli_env`) uses."""
    shutil.copytree(filled, cli_env)
    return cli_env


def _counts(data: Path) -> dict[str, int]:
    store = LogIndex(str(data / "lancedb"), None)
    return {session: store.count(session) for session in store.list_sessions()}


def _table_folder(data: Path, session: str) -> Path:
    (folder,) = (data / "lancedb").glob(f"*_{session}$*")
    return folder


def _ask(session: str = "a"):
    return runner.invoke(app, ["ask", QUESTION, "--logs", str(LOGS), "--session", session])


def _error_line(result) -> str:
    """The one error line of a failed command (asserting there is exactly one, and no traceback)."""
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert result.stderr.rstrip().endswith(errors[0])  # nothing after it
    return errors[0]


def _moved_to(line: str) -> Path:
    match = re.search(r"moved it to (\S+?)[;,]", line)
    assert match, line
    return Path(match[1])


def _answers(result) -> None:
    assert result.exit_code == 0, result.output
    assert "DEADLINE_EXCEEDED" in result.stdout
    assert "error:" not in result.stderr


def _truncate_data_file(data: Path) -> None:
    biggest = max((_table_folder(data, "a") / "data").glob("*.lance"), key=lambda p: p.stat().st_size)
    with biggest.open("r+b") as handle:
        handle.truncate(biggest.stat().st_size // 2)


def _delete_table_folder(data: Path) -> None:
    shutil.rmtree(_table_folder(data, "a"))


def _corrupt_manifests(data: Path) -> None:
    for manifest in (_table_folder(data, "a") / "_versions").glob("*.manifest"):
        manifest.write_bytes(b"\x00garbage" * 8)


@pytest.mark.parametrize(
    ("fault", "moved"),
    [(_truncate_data_file, True), (_delete_table_folder, False), (_corrupt_manifests, True)],
    ids=["truncated-data-file", "deleted-table-folder", "corrupt-manifest"],
)
def test_a_damaged_table_is_one_line_then_quarantined_and_fetched_anew(
    data: Path, fault, moved: bool
) -> None:
    before = _counts(data)
    fault(data)
    failed = _ask()
    assert failed.exit_code == 1
    line = _error_line(failed)
    table = _table_folder(Path(data), "b").name.split("$")[1]  # a's is named alike
    assert line.startswith(f"error: session 'a': table {table} could not be read (")
    assert line.endswith("ask again and its logs are fetched anew")
    if moved:
        quarantined = _moved_to(line)
        assert quarantined.parent == data / "quarantine" and quarantined.name.startswith(f"a-{table}-")
        assert (quarantined / "_versions").is_dir()  # the whole folder, kept for a look
    else:
        assert "removed it from the catalog" in line
    _answers(_ask())
    assert _counts(data) == before  # a rebuilt as it was; b never touched


@pytest.mark.parametrize("fault", [_delete_table_folder, _corrupt_manifests], ids=["deleted", "corrupt"])
def test_a_session_with_a_damaged_table_can_still_be_dropped(data: Path, fault) -> None:
    fault(data)
    dropped = runner.invoke(app, ["sessions", "drop", "a"])
    assert dropped.exit_code == 0, dropped.output
    assert list(_counts(data)) == ["b"]


def test_a_damaged_chat_memory_is_one_line_then_moved_aside_and_started_afresh(data: Path) -> None:
    garbage = os.urandom(4096)
    (data / "memory.db").write_bytes(garbage)
    failed = _ask()
    assert failed.exit_code == 1
    line = _error_line(failed)
    assert line.startswith(f"error: chat memory {data / 'memory.db'} is damaged (file is not a database)")
    assert _moved_to(line).read_bytes() == garbage
    _answers(_ask())
    _answers(_ask("b"))


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    """The CLI in its own process, as a user runs it (its stderr is what a terminal shows)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HF_HUB_OFFLINE": "1",
        "SRE_AGENT_DATA_DIR": str(data),
        "SRE_AGENT_CONFIGS_DIR": str(ROOT / "configs"),
    }
    env.setdefault("SRE_AGENT_MODEL_CACHE_DIR", str(data / "models"))
    return subprocess.run(
        [sys.executable, "-m", "sre_agent.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("damage", ["deleted", "garbage"])
def test_a_lost_catalog_is_rebuilt_from_the_table_folders(data: Path, damage: str) -> None:
    before = _counts(data)
    catalog = data / "lancedb" / "__manifest"
    if damage == "deleted":
        shutil.rmtree(catalog)
    else:
        for part in (catalog / "data").glob("*.lance"):
            part.write_bytes(b"garbage")
    listed = _cli(data, "sessions", "list")
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"│ a\s+│ logs_\w+ │ \d+", listed.stdout)
    assert re.search(r"│ b\s+│ logs_\w+ │ \d+", listed.stdout)
    (said,) = listed.stderr.splitlines()  # one line, saying what was done
    assert "the session catalog of" in said and "rebuilt it from 2 table folders (sessions: a, b)" in said
    assert ("was missing" in said) == (damage == "deleted")
    assert (data / "quarantine").is_dir() == (damage == "garbage")
    assert _counts(data) == before
    _answers(_ask("b"))


@pytest.mark.parametrize("args", [["ask", QUESTION, "--logs", str(LOGS)], ["sessions", "list"]])
def test_a_data_dir_that_takes_no_writes_is_one_line_at_start(tmp_path: Path, args: list[str]) -> None:
    # Tests run as root, which writes through any chmod: a folder under a regular file fails for root too.
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = _cli(blocker / "data", *args)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: data dir {blocker / 'data'}: cannot write there (Not a directory); "
        "point SRE_AGENT_DATA_DIR at a folder this user can write to\n"
    )


def test_a_file_the_engine_keeps_that_cannot_be_written_is_one_line_naming_it(data: Path) -> None:
    (data / "id.key").unlink()
    (data / "id.key").mkdir()  # a folder where the key of the record ids goes
    failed = runner.invoke(app, ["ask", "--retrieve-only", QUESTION, "--logs", str(LOGS), "--session", "c"])
    assert failed.exit_code == 1
    assert _error_line(failed) == f"error: Is a directory: {data / 'id.tmp'} -> {data / 'id.key'}"


def test_four_processes_ingesting_overlapping_files_into_one_session_all_succeed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_cache: Path
) -> None:
    lines = LOGS.read_text(encoding="utf-8").splitlines(keepends=True)
    first, last = tmp_path / "first.jsonl", tmp_path / "last.jsonl"
    first.write_text("".join(lines[:1800]), encoding="utf-8")
    last.write_text("".join(lines[-1800:]), encoding="utf-8")
    files = [first, last, LOGS, LOGS]  # overlapping lines, and one file read by two writers at once
    monkeypatch.setenv("SRE_AGENT_ID_KEY", "one key for every process")
    monkeypatch.setenv("SRE_AGENT_MODEL_CACHE_DIR", str(model_cache))
    racing, alone = tmp_path / "racing", tmp_path / "alone"
    question = ["ask", "--retrieve-only", "errors?", "--session", "s", "--logs"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "SRE_AGENT_DATA_DIR": str(racing)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "sre_agent.cli", *question, str(f)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    failures = [(f.name, p.wait(timeout=600), p.stderr.read()) for f, p in zip(files, procs, strict=True)]
    failed = [(name, code, err[-2000:]) for name, code, err in failures if code != 0]
    assert not failed, failed  # the failing process's own last words, not the others' progress
    for f in dict.fromkeys(files):  # the same files one after the other: what the table must hold
        done = _cli(alone, *question, str(f))
        assert done.returncode == 0, done.stderr
    expected = LogIndex(str(alone / "lancedb"), None).count("s")
    assert expected > 1800
    assert LogIndex(str(racing / "lancedb"), None).count("s") == expected


def test_in_slack_a_damaged_table_is_a_short_message_with_the_run_id_and_the_next_question_answers(
    tmp_path: Path, embedder
) -> None:
    from fakes.slack_server import serve_slack
    from slack_harness import running_bot

    channel = "C0OPS"
    with serve_slack(streaming=False) as slack, running_bot(tmp_path, slack, embedder) as bot:
        ts, _ = bot.mention(QUESTION)
        bot.wait_answer(channel, ts)
        session = bot.runtime.bot.sessions.get(channel, ts)
        data = Path(bot.runtime.settings.lancedb_uri).parent
        biggest = max((_table_folder(data, session) / "data").glob("*.lance"), key=lambda p: p.stat().st_size)
        biggest.write_bytes(biggest.read_bytes()[:1000])

        bot.mention(QUESTION, thread_ts=ts)
        slack.wait_for(lambda s: sum("_run `" in t for t in bot.replies(channel, ts)) >= 2, timeout=60)
        said, footer = bot.replies(channel, ts)[-1].split("\n\n")
        assert said.startswith(f":warning: session {session!r}: table logs_")
        assert "could not be read (" in said
        assert _moved_to(said).parent == data / "quarantine"
        assert said.endswith("ask again and its logs are fetched anew")
        assert re.fullmatch(r"_run `\d{8}-\d{6}-[0-9a-f]{6}`_", footer)

        bot.mention(QUESTION, thread_ts=ts)
        replies = bot.wait_answer(channel, ts, count=2)
        assert "DEADLINE_EXCEEDED" in "\n".join(replies[-3:])


def _ingest_in_a_process(uri: str, start: multiprocessing.synchronize.Barrier, sets, done) -> None:
    from datetime import UTC, datetime, timedelta

    from sre_agent.models import CleanRecord

    at = datetime(2024, 3, 12, tzinfo=UTC)
    records = [
        CleanRecord(
            id=f"{tag}-{i}",
            timestamp=at + timedelta(seconds=i),
            message=f"request {i} of {tag} failed",
            shape=f"request <n> of {tag} failed",
            level="ERROR",
            service="membership",
            source=f"{tag}.jsonl",
        )
        for tag, count in sets
        for i in range(count)
    ]
    store = LogIndex(uri, None)
    start.wait()  # all four write at the same moment
    try:
        done.put(store.ingest("s", "t", records).new)
    except Exception as exc:  # the parent reports it
        done.put(f"{type(exc).__name__}: {exc}")


def test_four_writers_racing_on_one_table_store_each_record_once(tmp_path: Path) -> None:
    """The same records from several processes at once: enough rows that indexes are built and
    compacted while the others merge (which made LanceDB store some records twice)."""
    uri = str(tmp_path / "lancedb")
    plans = [[("a", 2000)], [("a", 2000)], [("b", 1500), ("a", 500)], [("c", 1500)]]
    context = multiprocessing.get_context("spawn")
    start, done = context.Barrier(len(plans)), context.Queue()
    workers = [context.Process(target=_ingest_in_a_process, args=(uri, start, p, done)) for p in plans]
    for worker in workers:
        worker.start()
    results = [done.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 2000 + 1500 + 1500  # every record inserted by exactly one writer
    assert LogIndex(uri, None).count("s") == 2000 + 1500 + 1500

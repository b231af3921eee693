"""The codebase index: this repository indexed with the real local model and found by paraphrased
questions; incremental re-index of a small git repo; chunks with line numbers; the
`search_codebase` tool's answers and refusals; never touched by the purge."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest
from paths import ROOT
from typer.testing import CliRunner

from sre_agent.cli import app
from sre_agent.engine import Engine
from sre_agent.indexes.code_chunks import MAX_LINES, chunk_file
from sre_agent.indexes.code_index import CodeIndex
from sre_agent.settings import Settings
from sre_agent.tools import ToolContext, default_registry


@pytest.fixture(scope="module")
def repo_engine(tmp_path_factory: pytest.TempPathFactory, embedder) -> Engine:
    """An engine whose code index holds this repository (indexed once for the module)."""
    data = tmp_path_factory.mktemp("code-data")
    engine = Engine(Settings(data_dir=data, configs_dir=ROOT / "configs"), embedder=embedder)
    stats = engine.code_index.index(ROOT, "sre-agent", include=["sre_agent/*"])  # its code, not the tests
    assert stats.files > 50 and stats.chunks > 300 and stats.indexed == stats.files
    return engine


def _git_repo(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    for rel, text in files.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text, encoding="utf-8")
    subprocess.run(["git", "-C", str(path), "add", "-A"], check=True)
    return path


def _call(engine: Engine, args: dict) -> object:
    ctx = ToolContext(engine=engine, session="code-tests", logstore=None)
    return asyncio.run(default_registry().call(ctx, "search_codebase", args))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("cut a long answer into slack messages keeping code blocks intact", "sre_agent/bot/formatting.py"),
        ("which thread sessions are evicted when too many threads are live", "sre_agent/thread_sessions.py"),
        ("decide which log tools the offline triage runs for a question", "sre_agent/agent/triage.py"),
    ],
)
def test_a_paraphrased_question_finds_the_code(repo_engine: Engine, question: str, expected: str) -> None:
    hits = repo_engine.code_index.search(question, k=3)
    assert expected in [h.path for h in hits], [(h.path, h.symbol) for h in hits]


def test_search_codebase_tool_returns_path_line_snippets_and_respects_the_glob(repo_engine: Engine) -> None:
    result = _call(repo_engine, {"query": "retry slack calls when rate limited", "path_glob": "sre_agent/*"})
    assert result.ok, result.error
    located = [line for line in result.text.splitlines() if line.startswith("sre_agent/")]
    assert located and all(":" in line.split()[0] for line in located)
    paths = [line.split(":")[0].removeprefix("sre_agent/") for line in located]  # "<repo>/<path>:<lines>"
    assert all(p.startswith("sre_agent/") for p in paths), paths  # only what the glob allows
    assert "```" in result.text


def test_search_codebase_refuses_what_is_not_indexed(repo_engine: Engine, tmp_path: Path, embedder) -> None:
    unknown = _call(repo_engine, {"query": "anything", "repo": "payments"})
    assert not unknown.ok and "'payments' is not indexed" in unknown.error and "sre_agent" in unknown.error
    bad = _call(repo_engine, {"query": "x", "limit": 500})
    assert not bad.ok and "limit" in bad.error
    empty = Engine(Settings(data_dir=tmp_path / "empty", configs_dir=ROOT / "configs"), embedder=embedder)
    none = _call(empty, {"query": "anything"})
    assert not none.ok and "sre-agent index-code" in none.error


def test_reindex_touches_only_what_changed(tmp_path: Path, embedder) -> None:
    repo = _git_repo(
        tmp_path / "svc",
        {
            "billing.py": "def charge_card(amount):\n    '''Charge the card.'''\n    return amount\n",
            "refunds.py": "def refund(order):\n    '''Give the money back.'''\n    return order\n",
            "README.md": "# Service\n\nBills customers.\n",
        },
    )
    index = CodeIndex(str(tmp_path / "code"), embedder)
    first = index.index(repo, "svc")
    assert (first.files, first.indexed, first.unchanged) == (3, 3, 0)
    again = index.index(repo, "svc")
    assert (again.indexed, again.unchanged, again.chunks) == (0, 3, 0)

    (repo / "billing.py").write_text(
        "def charge_card(amount):\n    '''Charge the card, retrying declines twice.'''\n    return amount\n",
        encoding="utf-8",
    )
    changed = index.index(repo, "svc")
    assert (changed.indexed, changed.unchanged, changed.removed) == (1, 2, 0)
    hits = index.search("retry a declined card charge", k=1)
    assert hits[0].path == "billing.py" and "retrying declines" in hits[0].text
    assert len([h for h in index.search("charge card", k=10) if h.path == "billing.py"]) == 1  # replaced

    subprocess.run(["git", "-C", str(repo), "rm", "-q", "-f", "refunds.py"], check=True)
    gone = index.index(repo, "svc")
    assert gone.removed == 1
    assert all(h.path != "refunds.py" for h in index.search("give the money back", k=5))


def test_python_is_cut_at_functions_and_classes_with_line_numbers() -> None:
    methods = "\n".join(f"    def m{i}(self):\n        return {i}\n" for i in range(60))
    source = (
        "import os\n\nLIMIT = 3\n\n\n@decorator\ndef first():\n    return 1\n\n\n"
        f"class Big:\n    '''A long class.'''\n{methods}\n"
    )
    chunks = chunk_file("mod.py", source)
    by_symbol = {c.symbol: c for c in chunks}
    assert by_symbol["first"].kind == "function" and by_symbol["first"].start == 6  # the decorator's line
    assert by_symbol["Big"].kind == "class" and by_symbol["Big.m0"].kind == "method"
    assert source.splitlines()[by_symbol["Big.m7"].start - 1].strip() == "def m7(self):"
    assert any(c.kind == "window" and "LIMIT = 3" in c.text for c in chunks)  # module level kept
    assert all(c.end - c.start + 1 <= MAX_LINES for c in chunks)
    sections = chunk_file("doc.md", "# Title\nintro\n## Setup\nsteps\n")
    assert [(c.symbol, c.start, c.end) for c in sections] == [("Title", 1, 2), ("Setup", 3, 4)]


def test_not_a_checkout_is_one_clear_line_and_the_purge_leaves_the_code(
    repo_engine: Engine, tmp_path: Path, cli_env: Path
) -> None:
    result = CliRunner().invoke(app, ["index-code", str(tmp_path)])
    assert result.exit_code == 2 and "is not a git checkout" in result.output
    asyncio.run(repo_engine.purge_all())
    assert repo_engine.code_index.repos() == ["sre_agent"]


def test_offline_triage_searches_the_code_when_the_question_asks_about_it(repo_engine: Engine) -> None:
    logs = ROOT / "incidents" / "membership-dynamodb-throttling" / "logs.jsonl"
    question = "where in the code do we cut long answers into slack messages?"
    answer = asyncio.run(repo_engine.ask(question, session="code-q", logs=logs, service="membership"))
    assert "search_codebase" in [call.tool for call in answer.tool_calls]
    code = answer.answer.split("**Code**", 1)[1].split("**Next steps**", 1)[0]
    assert "sre_agent/bot/formatting.py:" in code
    logs_only = asyncio.run(
        repo_engine.ask("why is GetMembership failing?", session="code-q2", logs=logs, service="membership")
    )
    assert "search_codebase" not in [call.tool for call in logs_only.tool_calls]
    assert "code: not searched" in logs_only.answer


def test_lock_files_and_generated_files_are_not_indexed(tmp_path: Path, embedder) -> None:
    repo = _git_repo(
        tmp_path / "svc",
        {
            "app.py": "def main():\n    return 0\n",
            "requirements.txt": "httpx==0.28.1 --hash=sha256:" + "a" * 64 + "\n",
            "vocab.json": '{"tokens": "' + "x" * 5000 + '"}\n',
        },
    )
    stats = CodeIndex(str(tmp_path / "code"), embedder).index(repo, "svc")
    assert stats.files == 1 and stats.indexed == 1

"""The code index stays in its repository and keeps no secret: a tracked symlink whose real path is
outside the repository (to a file elsewhere, to /etc/passwd) is not read, and `index-code` says how
many were skipped; secrets hard-coded in a file are redacted before the chunk is stored or embedded."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import lancedb
import pytest
from typer.testing import CliRunner

from sre_agent.cli import app
from sre_agent.engine import Engine
from sre_agent.indexes.code_index import CodeIndex
from sre_agent.settings import Settings
from sre_agent.tools import ToolContext, default_registry

OUTSIDE_TEXT = "zebra_outside_marker = 'the content of a file outside the repository'"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPLANTED01"
PASSWORD = "Tr0ub4dor-planted-77"
SETTINGS = (
    f'AWS_SECRET_ACCESS_KEY = "{AWS_SECRET}"\n'
    f'DB_PASSWORD = "{PASSWORD}"\n\n\n'
    "def connect_to_database():\n"
    '    """Open the zebra database connection with the configured password."""\n'
    "    return DB_PASSWORD\n"
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with a module holding secrets, a symlink to a file beside the repository,
    one to /etc/passwd, and one to a file inside the repository (which is read, once per path)."""
    (tmp_path / "elsewhere").mkdir()
    outside = tmp_path / "elsewhere" / "private.py"
    outside.write_text(OUTSIDE_TEXT + "\n", encoding="utf-8")
    root = tmp_path / "svc"
    (root / "pkg").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "pkg" / "settings.py").write_text(SETTINGS, encoding="utf-8")
    os.symlink(outside, root / "pkg" / "vendored.py")
    os.symlink("/etc/passwd", root / "passwd.txt")
    os.symlink("pkg/settings.py", root / "settings_link.py")
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    return root


def stored_text(uri: Path) -> str:
    """Every stored chunk's text and search text, of every table of the code index."""
    db = lancedb.connect(str(uri))
    texts = []
    for name in db.list_tables().tables:
        for row in db.open_table(name).search().limit(None).to_arrow().to_pylist():
            texts += [row["text"], row["search_text"]]
    assert texts, "nothing was indexed"
    return "\n".join(texts)


def test_symlinks_out_of_the_repository_are_skipped_and_secrets_are_stored_redacted(
    repo: Path, tmp_path: Path, embedder
) -> None:
    engine = Engine(
        Settings(data_dir=tmp_path / "data", configs_dir=tmp_path / "no-configs"), embedder=embedder
    )
    stats = engine.code_index.index(repo, "svc")

    assert sorted(stats.outside) == ["passwd.txt", "pkg/vendored.py"]
    assert stats.files == 2  # pkg/settings.py, and settings_link.py whose real path is inside
    stored = stored_text(Path(engine.settings.code_index_uri))
    assert "zebra_outside_marker" not in stored and "root:" not in stored
    assert AWS_SECRET not in stored and PASSWORD not in stored
    assert 'AWS_SECRET_ACCESS_KEY = "[SECRET]"' in stored and 'DB_PASSWORD = "[PASSWORD]"' in stored
    assert "def connect_to_database" in stored

    ctx = ToolContext(engine=engine, session="confined")
    found = asyncio.run(default_registry().call(ctx, "search_codebase", {"query": "zebra outside marker"}))
    assert found.ok, found.error
    assert "connect_to_database" in found.text  # the zebra inside the repository is found, …
    assert (
        "zebra_outside_marker" not in found.text and "vendored.py" not in found.text
    )  # … not the one outside


def test_index_code_says_how_many_files_it_did_not_read(repo: Path, cli_env: Path) -> None:
    result = CliRunner().invoke(app, ["index-code", str(repo)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert (
        "2 files were not read because they are symlinks whose real path is outside the repository: "
        "passwd.txt, pkg/vendored.py"
    ) in result.output
    again = CliRunner().invoke(app, ["index-code", str(repo)], env={"COLUMNS": "200"})
    assert "2 files were not read" in again.output  # said on every run, not only the first


def test_a_repository_without_symlinks_out_says_nothing_about_them(tmp_path: Path, embedder) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "app.py").write_text("def main():\n    return 0\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    stats = CodeIndex(str(tmp_path / "code"), embedder).index(root, "plain")
    assert stats.outside == () and stats.files == 1


def test_an_index_made_before_redaction_is_redone_once(repo: Path, tmp_path: Path, embedder) -> None:
    uri = tmp_path / "code"
    index = CodeIndex(str(uri), embedder)
    index.index(repo, "svc")
    # What an older version stored: the file's bare hash, and its text in clear.
    table = lancedb.connect(str(uri)).open_table("code_svc")
    for row in table.search().select(["path", "file_hash"]).limit(None).to_list():
        table.update(where=f"path = '{row['path']}'", values={"file_hash": row["file_hash"].split(":", 1)[1]})
    table.update(where="path = 'pkg/settings.py'", values={"text": SETTINGS, "search_text": SETTINGS})
    assert PASSWORD in stored_text(uri)

    again = index.index(repo, "svc")
    assert (again.indexed, again.unchanged) == (2, 0)
    assert PASSWORD not in stored_text(uri) and AWS_SECRET not in stored_text(uri)
    third = index.index(repo, "svc")
    assert (third.indexed, third.unchanged) == (0, 2)  # once

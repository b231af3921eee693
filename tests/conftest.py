"""Shared fixtures: a real local embedding model (loaded once), engines over temp data dirs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the local model must never reach for a hub
# rich fixes a console's width from COLUMNS when the console is made (the CLI's, at import), and
# pytest-xdist's workers run with COLUMNS=80: the CLI tests that pass a width of their own would
# get the runner's. Without it the width is read at each print, so each test sets what it needs.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

from paths import ROOT


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory):
    """The real local model, as `make demo` uses it; loaded once for the whole run."""
    from sre_agent.embeddings import LocalOnnxEmbedding

    return LocalOnnxEmbedding(cache_dir=tmp_path_factory.mktemp("models"))


@pytest.fixture
def settings(tmp_path: Path):
    from sre_agent.settings import Settings

    return Settings(data_dir=tmp_path / "data", configs_dir=ROOT / "configs")


@pytest.fixture
def engine(settings, embedder):
    from sre_agent.engine import Engine

    return Engine(settings, embedder=embedder)


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-models")


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_cache: Path) -> Iterator[Path]:
    """Point the CLI's settings at a temp data dir (and the repo's configs)."""
    from sre_agent.settings import get_settings

    data = tmp_path / "cli-data"
    monkeypatch.setenv("SRE_AGENT_DATA_DIR", str(data))
    monkeypatch.setenv("SRE_AGENT_MODEL_CACHE_DIR", str(model_cache))
    monkeypatch.setenv("SRE_AGENT_CONFIGS_DIR", str(ROOT / "configs"))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()

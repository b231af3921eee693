"""The process asks glibc for one malloc heap (heaps.py), unless the operator chose a number."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ASK = "from sre_agent.heaps import share_heaps; print(share_heaps(), share_heaps())"


def _run(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", ASK], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_one_heap_is_asked_for_once_and_an_operators_choice_is_left_alone() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    assert _run(env) == "True True"
    assert _run({**env, "MALLOC_ARENA_MAX": "4"}) == "False False"

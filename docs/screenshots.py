"""Re-make the README's pictures: a run picture and a replay report, rendered in headless Chromium.

    .venv/bin/python docs/screenshots.py

Runs the offline demo (bundled incidents, local model, a temporary data dir), writes the HTML
pages with the real commands, and screenshots them with Debian's chromium through playwright
(the same browser the tests use; SRE_AGENT_CHROMIUM overrides its path).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "sre_agent.cli"]
QUESTION = "why is GetMembership failing for user 123 in prod?"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def sre_agent(env: dict[str, str], *args: str) -> None:
    subprocess.run([*CLI, *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        env = {**os.environ, "SRE_AGENT_DATA_DIR": str(out / "data"), "HF_HUB_OFFLINE": "1"}
        sre_agent(env, "replay", "incidents", "--html", str(out / "report.html"))
        logs = "incidents/membership-dynamodb-throttling/logs.jsonl"
        sre_agent(env, "ask", QUESTION, "--logs", logs, "--service", "membership", "--session", "shots")
        sre_agent(env, "runs", "show", "last", "--html", str(out / "run.html"))
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=os.environ.get("SRE_AGENT_CHROMIUM", "/usr/bin/chromium"), args=ARGS
            )
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            for name, target in (("run.html", "run-picture.png"), ("report.html", "replay-report.png")):
                page.goto((out / name).as_uri())
                page.screenshot(path=ROOT / "docs" / target)
                print(f"docs/{target}")
            browser.close()


if __name__ == "__main__":
    main()

"""`sre-agent bot` as a user runs it: a real process, its banner, HTTP mode answering Slack, a clean
stop on SIGTERM; one clear line when a token is missing; the purge scheduler's own thread firing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from fakes.slack_server import serve_slack
from paths import ROOT
from slack_harness import SECRET, THROTTLING
from slack_sdk.signature import SignatureVerifier

pytestmark = pytest.mark.slow  # the bot as a subprocess: `make test-fast` skips this file

SRE_AGENT = str(Path(sys.executable).parent / "sre-agent")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path: Path, model_cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SRE_AGENT_"))}
    env.update(
        HF_HUB_OFFLINE="1",
        SRE_AGENT_DATA_DIR=str(tmp_path / "data"),
        SRE_AGENT_MODEL_CACHE_DIR=str(model_cache),
        SRE_AGENT_CONFIGS_DIR=str(ROOT / "configs"),
        SRE_AGENT_LLM_BACKEND="none",
    )
    env.update(extra)
    return env


def _signed(body: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body),
    }


def test_bot_over_http_prints_its_banner_answers_slack_and_stops_on_sigterm(
    tmp_path: Path, model_cache: Path
) -> None:
    port = _free_port()
    with serve_slack(streaming=False) as slack:
        env = _env(
            tmp_path,
            model_cache,
            SLACK_BOT_TOKEN="xoxb-1111-2222-abcdefsecret",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.base_url,
            SRE_AGENT_BOT_LOGS=str(THROTTLING),
            SRE_AGENT_BOT_SERVICE="membership",
        )
        proc = subprocess.Popen(
            [SRE_AGENT, "bot", "--http", "--port", str(port), "--host", "127.0.0.1"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output: list[str] = []
        reader = threading.Thread(target=lambda: output.extend(proc.stdout), daemon=True)  # type: ignore[arg-type]
        reader.start()
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).text.strip() == "ok":
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None, "".join(output)
                assert time.monotonic() < deadline, "".join(output)
                time.sleep(0.3)
            # Slack's URL check when the Request URL is saved.
            body = json.dumps({"type": "url_verification", "challenge": "ch4ll3nge", "token": "x"})
            check = httpx.post(
                f"{base}/slack/events",
                content=body,
                headers={**_signed(body), "Content-Type": "application/json"},
            )
            assert check.status_code == 200 and "ch4ll3nge" in check.text
            # A slash command, answered only to the asker through its response_url.
            form = urlencode(
                {
                    "command": "/sre",
                    "text": "help",
                    "channel_id": "C0OPS",
                    "user_id": "U0ALICE",
                    "team_id": slack.team_id,
                    "response_url": slack.response_url("x"),
                    "trigger_id": "1.2",
                }
            )
            sent = httpx.post(
                f"{base}/slack/events",
                content=form,
                headers={**_signed(form), "Content-Type": "application/x-www-form-urlencoded"},
            )
            assert sent.status_code == 200
            slack.wait_for(lambda s: bool(s.calls_to("response_url")), timeout=10)
            assert "`reset`" in slack.calls_to("response_url")[0].args["text"]
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=30)
            reader.join(timeout=5)
    text = "".join(output)
    assert code == 0, text
    assert "sre-agent bot · HTTP on 127.0.0.1" in text
    assert "xoxb-****** (set, 27 chars)" in text and "abcdefsecret" not in text
    assert "offline triage" in text.lower() and "next purge" in text and "Traceback" not in text


def test_the_bot_starts_beside_a_broken_config_and_says_which_it_skipped(
    tmp_path: Path, model_cache: Path
) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    shutil.copy(ROOT / "configs" / "membership.json", configs)
    broken = configs / "billing.json"
    broken.write_text(json.dumps({"name": "billing", "error_patterns": [{"name": "x", "pattern": "(a"}]}))
    port = _free_port()
    with serve_slack(streaming=False) as slack:
        env = _env(
            tmp_path,
            model_cache,
            SLACK_BOT_TOKEN="xoxb-1111-2222-abcdefsecret",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.base_url,
            SRE_AGENT_CONFIGS_DIR=str(configs),
        )
        proc = subprocess.Popen(
            [SRE_AGENT, "bot", "--http", "--port", str(port), "--host", "127.0.0.1"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output: list[str] = []
        reader = threading.Thread(target=lambda: output.extend(proc.stdout), daemon=True)  # type: ignore[arg-type]
        reader.start()
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).text.strip() == "ok":
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None, "".join(output)
                assert time.monotonic() < deadline, "".join(output)
                time.sleep(0.3)
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=30)
            reader.join(timeout=5)
        # Its own service's config broken: the start stops with one line naming file and field.
        env["SRE_AGENT_BOT_SERVICE"] = "billing"
        refused = subprocess.run(
            [SRE_AGENT, "bot", "--http", "--port", "0"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    text = "".join(output)
    assert code == 0, text
    assert f"  configs       membership from {configs}" in text
    skipped = [line for line in text.splitlines() if "billing" in line]
    assert skipped == [
        f"  ⚠ skipped the config {broken}: field 'error_patterns.0.pattern': not a valid regular "
        "expression: missing ), unterminated subpattern at position 0; questions about billing get none "
        "of its knowledge until it is fixed (`sre-agent doctor` lists it)"
    ]
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        f"error: SRE_AGENT_BOT_SERVICE: the config of 'billing' is invalid: {broken}: field "
        "'error_patterns.0.pattern': not a valid regular expression: missing ), unterminated subpattern "
        "at position 0"
    ]


@pytest.mark.parametrize(
    ("extra", "expected", "code"),
    [
        ({}, "SLACK_BOT_TOKEN is not set", 2),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN is not set", 2),
        (
            {"SLACK_BOT_TOKEN": "xoxp-1", "SLACK_APP_TOKEN": "xapp-1"},
            "SLACK_BOT_TOKEN should start with xoxb-",
            2,
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SRE_AGENT_BOT_SERVICE": "nope"},
            "SRE_AGENT_BOT_SERVICE: no config named 'nope'",
            2,
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SRE_AGENT_BOT_LOGS": "nowhere.jsonl"},
            "SRE_AGENT_BOT_LOGS: nowhere.jsonl: no such file",
            2,
        ),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_API_URL": "http://127.0.0.1:9/api/",
                "SLACK_APP_TOKEN": "xapp-1",
            },
            "Slack could not be reached at http://127.0.0.1:9/api/",
            1,  # a fault outside, not bad input
        ),
    ],
)
def test_bot_start_problems_are_one_line(
    tmp_path: Path, model_cache: Path, extra: dict, expected: str, code: int
) -> None:
    with serve_slack() as slack:  # where the token is checked, unless the case names another URL
        env = _env(tmp_path, model_cache, **{"SLACK_API_URL": slack.base_url, **extra})
        result = subprocess.run(
            [SRE_AGENT, "bot"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr


def test_purge_scheduler_runs_its_job_in_its_own_thread_at_the_time_set() -> None:
    from sre_agent.bot.purge import PurgeScheduler

    fired = threading.Event()
    at = (datetime.now(UTC) + timedelta(seconds=2)).strftime("%H:%M:%S")
    scheduler = PurgeScheduler(fired.set, at=at, timezone="UTC")
    scheduler.start()
    try:
        assert fired.wait(timeout=8), f"the job set for {at} UTC did not run"
    finally:
        scheduler.stop()

"""The suspects in the offline answer: a cold engine (no service config) asked why, about the logs of
a small cluster as a node's shipper writes them ({"log": <the app's line>, "kubernetes": {...}})."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sre_agent.engine import Engine
from sre_agent.settings import Settings

T0 = datetime(2025, 2, 3, 9, 0, tzinfo=UTC)
PODS = {
    "web": ["web-6c8f9d7b5-k2x4p", "web-6c8f9d7b5-z8w2q"],
    "checkout": ["checkout-5d9c8b7f6-q4r7t"],
    "payments": ["payments-7b6f5d9c8-m3n5v", "payments-7b6f5d9c8-h6j8k"],
}


def _wrapped(second: float, pod: str, line: str) -> str:
    when = T0 + timedelta(seconds=second)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    inner = when.strftime("%H:%M:%S.") + f"{when.microsecond // 1000:03d} " + line
    k8s = {"pod_name": pod, "namespace_name": "shop", "host": "node-1"}
    return json.dumps({"log": inner + "\n", "stream": "stdout", "time": stamp, "kubernetes": k8s})


def _logs(path: Path) -> Path:
    """Ten minutes of a web → checkout → payments call chain; from minute five one payments pod
    throws, checkout names payments in its errors, web names checkout."""
    lines = []
    for i in range(0, 600, 2):
        web, pay = PODS["web"][i % 4 // 2], PODS["payments"][i % 3 % 2]
        lines.append(_wrapped(i, web, f"INFO c.s.web.OrderController#40 POST /order {i} accepted"))
        lines.append(
            _wrapped(i + 0.01, PODS["checkout"][0], "INFO c.s.checkout.CheckoutService#88 placing order")
        )
        if i >= 300 and pay == PODS["payments"][1]:
            lines.append(
                _wrapped(
                    i + 0.02,
                    pay,
                    "ERROR c.s.pay.ChargeService#112 java.lang.IllegalStateException: card vault key missing",
                )
            )
            lines.append(
                _wrapped(
                    i + 0.03,
                    PODS["checkout"][0],
                    "ERROR c.s.checkout.PaymentClient#51 upstream payments returned 500",
                )
            )
            lines.append(
                _wrapped(i + 0.04, web, "ERROR c.s.web.OrderController#44 upstream checkout returned 500")
            )
        else:
            lines.append(_wrapped(i + 0.02, pay, f"INFO c.s.pay.ChargeService#97 charged order {i}"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def cold_engine(tmp_path: Path, embedder) -> Engine:
    empty = tmp_path / "no-configs"
    empty.mkdir()
    return Engine(Settings(data_dir=tmp_path / "data", configs_dir=empty), embedder=embedder)


def test_a_why_question_gets_the_suspects_first_named_in_the_summary(
    cold_engine: Engine, tmp_path: Path
) -> None:
    logs = _logs(tmp_path / "shop.jsonl")
    answer = asyncio.run(cold_engine.ask("why are orders failing?", session="s1", logs=logs))
    text = answer.answer
    assert [c.tool for c in answer.tool_calls] == ["search_logstore", "rank_suspects"]
    summary = text[text.index("**Summary**") : text.index("**Suspects**")]
    assert summary.startswith("**Summary**: Top suspect: the service **payments** (high confidence): ")
    suspects = text[text.index("**Suspects**") : text.index("**Evidence**")]
    assert (
        "The trouble began about 2025-02-03 09:05:04 UTC (compared with the calmer time before)." in suspects
    )
    entries = [line for line in suspects.splitlines() if line[:1].isdigit()]
    assert entries[0].startswith("1. **payments** (service, score ")
    assert "1 other service (checkout) name it in their errors" in entries[0]
    assert entries[1] == (
        "2. **payments-7b6f5d9c8-h6j8k** (pod, score "
        + entries[1].split("score ")[1].split(")")[0]
        + "): 100% of the service's own new errors come from this pod"
    )
    vault = "java.lang.IllegalStateException: card vault key missing"
    assert f"   - 09:05:04 `ERROR c.s.pay.ChargeService#112 {vault}`" in suspects


def test_a_question_that_asks_no_cause_gets_no_suspects(cold_engine: Engine, tmp_path: Path) -> None:
    logs = _logs(tmp_path / "shop.jsonl")
    answer = asyncio.run(cold_engine.ask("show me the payment lines of order 312", session="s2", logs=logs))
    assert "rank_suspects" not in [c.tool for c in answer.tool_calls]
    assert "**Suspects**" not in answer.answer and "Top suspect" not in answer.answer

"""Advice only from the service it concerns: a config's debugging scenarios, known error patterns
and Next steps appear in an offline answer only when the question or the fetched logs are about
its service; otherwise the Next steps come from the logs and say that no service config applies."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from paths import ROOT

from sre_agent.engine import Engine
from sre_agent.settings import Settings

PAYMENTS = {
    "name": "payments",
    "description": "Charges cards through the card processor.",
    "methods": [{"name": "Charge", "description": "charges a card"}],
    "error_patterns": [
        {
            "name": "processor_timeout",
            "pattern": "timeout",
            "meaning": "PAYMENTS-MEANING: the card processor is slow",
        }
    ],
    "debugging_scenarios": [
        {
            "name": "PAYMENTS-SCENARIO charges timing out",
            "symptoms": ["timeout", "timing out", "DEADLINE_EXCEEDED"],
            "steps": ["PAYMENTS-STEP: open the card processor's status page"],
        }
    ],
}
SECTIONS = (
    "**Summary**",
    "**Evidence**",
    "**Log patterns**",
    "**Timeline**",
    "**Next steps**",
    "**Not checked**",
)


def _logs(path: Path, service: str, method: str) -> Path:
    """Half an hour of one service's logs: OK lines, a deploy, then timeouts."""
    start = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    rows = []
    for i in range(240):
        when = (start + timedelta(seconds=7 * i)).isoformat().replace("+00:00", "Z")
        row = {"timestamp": when, "service": service, "method": method, "host": f"{service}-1"}
        if i == 120:
            row |= {"level": "INFO", "message": "deploy #812 rolled out: upstream timeout from 30s to 5s"}
        elif i > 130 and i % 3 == 0:
            row |= {
                "level": "ERROR",
                "request_id": f"req-{i:04x}",
                "message": f"{method} failed: upstream timeout after 5000 ms (order {9000 + i}) "
                "DEADLINE_EXCEEDED",
            }
        else:
            row |= {"level": "INFO", "request_id": f"req-{i:04x}", "message": f"{method} OK in 120 ms"}
        rows.append(json.dumps(row))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def payments_engine(tmp_path: Path, embedder) -> Engine:
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "payments.json").write_text(json.dumps(PAYMENTS), encoding="utf-8")
    return Engine(Settings(data_dir=tmp_path / "data", configs_dir=configs), embedder=embedder)


def _section(answer: str, name: str) -> str:
    start = answer.index(f"**{name}**")
    rest = answer[start + len(name) + 4 :]
    following = [rest.index(s) for s in SECTIONS if s in rest]
    return rest[: min(following)] if following else rest


def _ask(engine: Engine, question: str, logs: Path, session: str) -> str:
    return asyncio.run(engine.ask(question, session=session, logs=logs)).answer


def test_a_payments_config_never_advises_on_other_services_logs(
    payments_engine: Engine, tmp_path: Path
) -> None:
    logs = _logs(tmp_path / "checkout.jsonl", "checkout", "PlaceOrder")
    answer = _ask(payments_engine, "why are checkouts timing out?", logs, "s1")
    assert "PAYMENTS-" not in answer and "processor_timeout" not in answer
    steps = _section(answer, "Next steps")
    assert steps.startswith(
        " (no service config applies: neither the question nor the fetched records name any of payments"
    )
    # Built from what the logs show: the worst pattern, the change before it, a request to follow.
    assert "[ERROR] ×36 `PlaceOrder failed: upstream timeout after <NUM> ms" in steps
    assert "`deploy #812 rolled out: upstream timeout from 30s to 5s`" in steps
    assert "ask about request req-0" in steps


def test_a_question_naming_payments_does_not_bring_its_advice_to_other_logs(
    payments_engine: Engine, tmp_path: Path
) -> None:
    logs = _logs(tmp_path / "checkout.jsonl", "checkout", "PlaceOrder")
    answer = _ask(payments_engine, "is payments timing out?", logs, "s2")
    assert "so I did not apply the payments config" in answer
    assert "PAYMENTS-" not in answer and "no service config applies" in _section(answer, "Next steps")


def test_logs_of_the_service_bring_its_advice(payments_engine: Engine, tmp_path: Path) -> None:
    """The question names nothing; the records' service (payments-api) is payments'."""
    logs = _logs(tmp_path / "payments.jsonl", "payments-api", "Authorize")
    answer = _ask(payments_engine, "why are requests timing out?", logs, "s3")
    assert "**processor_timeout** (×" in _section(answer, "Summary")
    steps = _section(answer, "Next steps")
    assert "*PAYMENTS-SCENARIO charges timing out* (payments;" in steps
    assert "1. PAYMENTS-STEP: open the card processor's status page" in steps
    assert "no service config applies" not in answer


def test_records_naming_no_service_belong_to_the_config_of_their_method(
    payments_engine: Engine, tmp_path: Path
) -> None:
    logs = tmp_path / "plain.jsonl"
    lines = _logs(tmp_path / "x.jsonl", "payments", "Charge").read_text(encoding="utf-8").splitlines()
    rows = [{k: v for k, v in json.loads(line).items() if k != "service"} for line in lines]
    logs.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    answer = _ask(payments_engine, "why are requests timing out?", logs, "s4")
    assert "1. PAYMENTS-STEP: open the card processor's status page" in _section(answer, "Next steps")


def test_sshd_lines_get_the_openssh_advice_without_naming_it(engine) -> None:
    """The shipped openssh config declares `sshd`, the program its lines are written by."""
    logs = ROOT / "bench" / "incidents" / "openssh-brute-force-labsz" / "logs.jsonl"
    answer = _ask(engine, "is LabSZ under attack?", logs, "s5")
    assert "**invalid_user** (×" in _section(answer, "Summary")
    steps = _section(answer, "Next steps")
    assert "*Password guessing / brute force* (openssh; matched: attack" in steps
    assert "membership" not in steps and "no service config applies" not in steps

"""A replay of an incident whose service has no config here runs cold and says so."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sre_agent.engine import Engine
from sre_agent.replay.incidents import find_incidents
from sre_agent.replay.runner import replay_incident
from sre_agent.settings import Settings


def test_an_incident_naming_a_service_without_a_config_replays_cold(tmp_path: Path, embedder) -> None:
    folder = tmp_path / "incidents" / "checkout-timeouts"
    folder.mkdir(parents=True)
    lines = [
        {"timestamp": "2026-03-01T12:00:00Z", "message": "checkout ok order 1", "level": "INFO"},
        {
            "timestamp": "2026-03-01T12:01:00Z",
            "message": "checkout failed: payment timeout",
            "level": "ERROR",
        },
    ]
    (folder / "logs.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    incident = {
        "id": "checkout-timeouts",
        "title": "Checkouts time out",
        "service": "checkout",
        "turns": [{"ask": "why do checkouts fail?", "expect": {"relevant_lines": [2]}}],
    }
    (folder / "incident.json").write_text(json.dumps(incident), encoding="utf-8")
    empty = tmp_path / "no-configs"
    empty.mkdir()
    engine = Engine(Settings(data_dir=tmp_path / "data", configs_dir=empty), embedder=embedder)
    (found,) = find_incidents(tmp_path / "incidents")
    report = asyncio.run(replay_incident(engine, found, retrieval_only=True))
    assert report.notes == [
        "the incident names service 'checkout', which has no config here: replayed without one"
    ]
    assert report.turns[0].recall_at_10 == 1.0

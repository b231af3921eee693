"""The refine step with an LLM, against a local OpenAI-compatible server over real HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fakes.chat_server import Error, Text, serve_chat
from paths import ROOT

from sre_agent.configs import load_service_configs
from sre_agent.llm import build_llm
from sre_agent.settings import Settings
from sre_agent.workflows.llm_refine import LLMRefiner, parse_terms

NOW = datetime(2024, 3, 12, 14, 40, tzinfo=UTC)
CONFIG = load_service_configs(ROOT / "configs")["membership"]


def _refiner(url: str, tmp_path) -> LLMRefiner:
    settings = Settings(data_dir=tmp_path, llm_base_url=url, llm_max_retries=0, llm_timeout=5)
    return LLMRefiner(build_llm(settings), CONFIG)


def test_terms_from_the_llm_join_the_search_and_the_rules_still_read_ids(tmp_path) -> None:
    reply = Text('```json\n{"terms": ["PERMISSION_DENIED", "source=cache"]}\n```')
    with serve_chat(reply) as chat:
        plan = _refiner(chat.base_url, tmp_path).refine("user 4821 is locked out of district 77", now=NOW)
        system = chat.last_messages[0]["content"]
    assert "PERMISSION_DENIED" in plan.expansions and "source=cache" in plan.expansions
    assert "source=cache" in plan.query_text
    assert plan.field_filters["user_id"] == "4821"  # from the rules
    assert any("LLM added" in note for note in plan.notes)
    assert "GetMembership" in system  # the same service knowledge as the agent


def test_an_llm_failure_leaves_the_rule_plan_with_a_note(tmp_path) -> None:
    with serve_chat(Error(500, "upstream exploded")) as chat:
        plan = _refiner(chat.base_url, tmp_path).refine("why is GetMembership slow for user 123?", now=NOW)
        assert len(chat.chat_requests) == 1  # no retry storm with SRE_AGENT_LLM_MAX_RETRIES=0
    assert plan.field_filters["user_id"] == "123"
    assert "DEADLINE_EXCEEDED" in plan.expansions  # the config vocabulary for "slow"
    assert any("LLM refine failed" in note for note in plan.notes)


def test_the_question_is_redacted_before_it_is_sent(tmp_path) -> None:
    with serve_chat(Text('{"terms": []}')) as chat:
        _refiner(chat.base_url, tmp_path).refine(
            "jane.doe@example.com says token AKIAIOSFODNN7EXAMPLE fails", now=NOW
        )
        sent = json.dumps(chat.last_body)
    assert "jane.doe@example.com" not in sent and "AKIAIOSFODNN7EXAMPLE" not in sent


def test_unreadable_replies_add_nothing() -> None:
    assert parse_terms("I think you should look for errors") == []
    assert parse_terms('{"terms": "not a list"}') == []
    assert parse_terms('{"terms": ["a", " ", "b"]}') == ["a", "b"]

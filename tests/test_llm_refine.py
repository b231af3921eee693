"""The refine step with an LLM, against a local OpenAI-compatible server over real HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fakes.chat_server import Error, Text, serve_chat
from paths import ROOT

from sre_agent.clean import clean_records
from sre_agent.configs import load_service_configs
from sre_agent.indexes import LogIndex, table_name
from sre_agent.llm import build_llm
from sre_agent.models import LogRecord
from sre_agent.settings import Settings
from sre_agent.workflows.llm_refine import LLMRefiner, parse_terms
from sre_agent.workflows.retrieve import Retriever

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
    assert plan.suggested == ["PERMISSION_DENIED", "source=cache"]
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


def test_a_term_the_llm_suggests_ranks_its_few_lines_first(tmp_path, embedder) -> None:
    """ "Accepted password" as a mere search word loses to the many "Failed password" lines, which
    mean nearly the same to the model; as a suggested phrase held by one line, that line leads."""
    t0 = datetime(2017, 12, 10, 9, 0, tzinfo=UTC)
    messages = [f"Failed password for root from 5.36.59.{n} port {40000 + n} ssh2" for n in range(30)]
    messages += [f"Received disconnect from 112.95.230.{n}: 11: Bye Bye [preauth]" for n in range(10)]
    messages += ["Accepted password for fztu from 119.137.62.142 port 49116 ssh2"]
    records = [LogRecord(timestamp=t0 + timedelta(seconds=i), message=m) for i, m in enumerate(messages)]
    store = LogIndex(str(tmp_path / "lance"), embedder)
    store.ingest("s", table_name("logs", "all", "prod"), clean_records(records, None).records)
    question = "did anybody actually manage to get in, or was every attempt turned away?"
    with serve_chat(Text('{"terms": ["Accepted password"]}')) as chat:
        plan = _refiner(chat.base_url, tmp_path).refine(question, now=NOW)
    lines, _ = Retriever(store).retrieve("s", plan, k=10)
    assert lines[0].message == "Accepted password for fztu from 119.137.62.142 port 49116 ssh2"
    assert lines[0].via == "exact"

"""Service knowledge put to use: the system prompt, matching scenarios, known error patterns."""

from __future__ import annotations

from paths import ROOT

from sre_agent.configs import load_service_configs
from sre_agent.knowledge import known_patterns, match_scenarios, service_for_question, system_prompt
from sre_agent.tools.budget import count_tokens

CONFIGS = load_service_configs(ROOT / "configs")
MEMBERSHIP = CONFIGS["membership"]


def test_one_service_gets_its_whole_knowledge_in_the_prompt() -> None:
    prompt = system_prompt([MEMBERSHIP], max_window_hours=24)
    assert "GetMembership timing out (DEADLINE_EXCEEDED)" in prompt  # a debugging scenario, with steps
    assert "ProvisionedThroughputExceededException" in prompt  # an error pattern
    assert "never invent a log line" in prompt.lower()
    assert "at most 24 h per call" in prompt


def test_no_named_service_gets_a_short_catalogue_instead_of_every_config() -> None:
    catalogue = system_prompt(list(CONFIGS.values()), max_window_hours=24)
    assert all(f"- `{name}`:" in catalogue for name in CONFIGS)
    assert "Debugging scenarios:" not in catalogue
    assert count_tokens(catalogue) < count_tokens(system_prompt([MEMBERSHIP], max_window_hours=24))


def test_the_service_is_found_by_a_method_or_its_name_and_only_when_clear() -> None:
    configs = list(CONFIGS.values())
    assert service_for_question(configs, "why is GetMembership failing?") == "membership"
    assert service_for_question(configs, "is zookeeper healthy?") == "zookeeper"
    assert service_for_question(configs, "what went wrong at 14:00?") is None
    assert service_for_question(configs, "why did readBlock fail?") == "hdfs"
    assert service_for_question(configs, "many keyboard-interactive failures?") == "openssh"


def test_a_method_named_like_an_ordinary_word_does_not_name_its_service() -> None:
    # openssh's methods include "password" and "none": questions about other logs say those too
    configs = list(CONFIGS.values())
    assert service_for_question(configs, "why do password resets fail for none of the users?") is None
    assert service_for_question(configs, "why does publickey auth fail in openssh?") == "openssh"


def test_scenarios_rank_what_the_question_says_over_what_the_lines_show() -> None:
    said = match_scenarios([MEMBERSHIP], "GetMembership is timing out for everyone")
    assert said and said[0].scenario.name == "GetMembership timing out (DEADLINE_EXCEEDED)"
    shown = match_scenarios([MEMBERSHIP], "what is going on?", ["GetMembership denied: PERMISSION_DENIED"])
    assert shown and "stale cache" in shown[0].scenario.name
    assert match_scenarios([MEMBERSHIP], "hello") == []


def test_known_error_patterns_are_counted_in_lines() -> None:
    lines = [
        "DynamoDB GetItem throttled on table memberships: ProvisionedThroughputExceededException",
        "DynamoDB GetItem throttled on table memberships: ProvisionedThroughputExceededException",
        "GetMembership OK: user 1 is member of district 2",
    ]
    found = {pattern.name: hits for pattern, hits in known_patterns([MEMBERSHIP], lines)}
    assert found.get("dynamodb_throttling") == 2

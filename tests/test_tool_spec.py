"""Adding a tool is one spec: a tool defined here, in the test, is listed by the registry, named in
the system prompt, said in the bot's status line, planned and shown by the offline triage, checked
by `sre-agent doctor`, and its output comes back through `registry.call` bounded and redacted
although the tool itself redacts and cuts nothing."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from paths import ROOT
from pydantic import BaseModel, ConfigDict

from sre_agent.agent.investigator import AgentEvent, Investigator
from sre_agent.configs import ServiceConfig
from sre_agent.doctor import check_all
from sre_agent.engine import Engine
from sre_agent.knowledge import system_prompt
from sre_agent.settings import Settings
from sre_agent.tools import ToolContext, ToolOutput, ToolRegistry, default_registry
from sre_agent.tools.host import ToolHost
from sre_agent.tools.spec import Check, Planning, ToolCallPlan, ToolSpec

EMAIL = "jane.doe@example.com"
PASSWORD = "hunter2hunter2"
TOKEN = "tok-5f1e2d3c4b5a69788796a5b4"
ITEMS = 200


class EchoArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    word: str


async def _echo(ctx: ToolContext, args: EchoArgs) -> ToolOutput:
    """Returns what it 'read' in clear and whole: a careless new tool."""
    return ToolOutput(
        header=f"echoes of {args.word} for {EMAIL}:",
        items=[f"{i}. {args.word} said by {EMAIL} with password={PASSWORD}" for i in range(ITEMS)],
        values=[{"api_token": TOKEN, "owner": EMAIL}],
        hint="ask for fewer echoes",
        counts={"echoes": ITEMS},
        scope="the echo chamber",
    )


def _plan(p: Planning) -> ToolCallPlan | None:
    if "echo" not in p.question:
        return None
    return ToolCallPlan(tool="echo_tool", args={"word": "ping"}, why="the question asks for an echo")


def _health(host: ToolHost, config: ServiceConfig | None) -> list[Check]:
    return [Check(config.name if config is not None else "-", "echo chamber", "ok", "it echoes")]


ECHO = ToolSpec(
    "echo_tool",
    "Echo a word back, many times.",
    EchoArgs,
    _echo,
    doing=lambda args: f"echoing {args.get('word', '?')}…",
    prompt="when the user asks for an echo",
    plan=_plan,
    plan_order=5,
    answer_section=lambda result: "**Echo**:\n" + result.text,
    not_called="echo: not called (ask for an echo)",
    health=_health,
)


def _registry() -> ToolRegistry:
    return ToolRegistry([*default_registry().specs(), ECHO])


def test_the_spec_alone_puts_the_tool_in_the_list_the_prompt_the_status_line_and_doctor(
    engine: Engine,
) -> None:
    registry = _registry()
    assert registry.names()[-1] == "echo_tool" and registry.get("echo_tool") is ECHO
    prompt = system_prompt([], max_window_hours=24, tools=registry.specs())
    assert "\n  - echo_tool: when the user asks for an echo.\n" in prompt
    assert "\n  - search_panic_logs: for crashes.\n" in prompt  # the others' lines stay
    assert registry.doing("echo_tool", {"word": "ping"}) == "echoing ping…"
    assert registry.doing("search_codebase", {"query": "x"}) == "running search_codebase…"  # no phrase

    checks = check_all(engine, ToolRegistry([ECHO]))
    echoes = [(c.service, c.status, c.detail) for c in checks if c.connector == "echo chamber"]
    assert echoes == [
        *((name, "ok", "it echoes") for name in sorted(engine.configs)),
        ("-", "ok", "it echoes"),
    ]


def test_the_offline_triage_plans_it_says_its_phrase_and_shows_its_section(engine: Engine) -> None:
    investigator = Investigator(engine, _registry())
    events: list[AgentEvent] = []

    def ask(question: str, session: str) -> str:
        ctx = engine.tool_context(session=session, question=question, service="membership")
        return asyncio.run(investigator.ask(question, ctx, on_event=events.append)).answer

    answer = ask("give me an echo", "echo-1")
    started = [e for e in events if e.kind == "tool_started"]
    assert started[0].tool == "echo_tool" and started[0].data["doing"] == "echoing ping…"
    section = answer.split("**Echo**:\n", 1)[1]
    assert section.startswith("echoes of ping for [EMAIL]:\n0. ping said by [EMAIL] with password=[PASSWORD]")
    assert "echo: not called" not in answer
    assert EMAIL not in answer and PASSWORD not in answer and TOKEN not in answer

    other = ask("what went wrong?", "echo-2")
    assert "**Echo**" not in other and "\n- echo: not called (ask for an echo)" in other


def test_its_raw_output_comes_back_redacted_and_cut_to_the_budget(tmp_path: Path, embedder: Any) -> None:
    settings = Settings(data_dir=tmp_path / "data", configs_dir=ROOT / "configs", tool_output_tokens=200)
    engine = Engine(settings, embedder=embedder)
    ctx = engine.tool_context(session="echo", service="membership")
    result = asyncio.run(_registry().call(ctx, "echo_tool", {"word": "ping"}))

    assert result.ok, result.error
    dumped = result.model_dump_json()
    assert EMAIL not in dumped and PASSWORD not in dumped and TOKEN not in dumped
    assert result.text.startswith(
        "echoes of ping for [EMAIL]:\n0. ping said by [EMAIL] with password=[PASSWORD]"
    )
    assert result.summary == "echoes of ping for [EMAIL]:" and result.scope == "the echo chamber"
    last = result.text.splitlines()[-1]
    match = re.fullmatch(
        r"\[… truncated: (\d+) more items not shown \(tool output budget 200 tokens\); "
        r"ask for fewer echoes\]",
        last,
    )
    assert match, last
    shown = len(result.text.splitlines()) - 2  # the header and the marker
    assert 0 < shown < ITEMS and result.counts == {"echoes": ITEMS, "truncated": int(match.group(1))}
    assert shown + int(match.group(1)) == ITEMS + 1  # the items and the one JSON value
    assert result.args == {"word": "ping"} and result.seconds > 0 and ctx.results == [result]


def test_its_values_are_redacted_as_structures(tmp_path: Path, embedder: Any) -> None:
    """A field named like a secret loses its whole value, whatever the value looks like."""
    settings = Settings(data_dir=tmp_path / "data", configs_dir=ROOT / "configs", tool_output_tokens=50_000)
    ctx = Engine(settings, embedder=embedder).tool_context(session="echo")
    result = asyncio.run(_registry().call(ctx, "echo_tool", {"word": "ping"}))
    assert result.ok and result.counts == {"echoes": ITEMS}
    value = result.text.splitlines()[-1]
    assert value.startswith('{"api_token": "[') and '"owner": "[EMAIL]"' in value and TOKEN not in value

"""End to end: a config named `membership` over logs that call the service something else never
gives a silent empty answer. The offline answer, the tool text the LLM reads and
`ask --retrieve-only` all say what the fetch matched or dropped, or what the source holds.

Real engine, real LanceDB in a temp folder, the real local model; small JSONL fixtures of our own
and a small config of our own in a temp configs folder."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sre_agent.answer import render_answer
from sre_agent.cli import app
from sre_agent.connectors.file import FileLogstore
from sre_agent.engine import Engine
from sre_agent.settings import Settings
from sre_agent.tools import ToolContext, default_registry

CONFIG = {
    "name": "membership",
    "environments": ["prod", "staging"],
    "methods": [{"name": "GetMembership"}, {"name": "ListMemberships"}],
}


def _lines(service: str, env: str = "prod") -> list[dict[str, Any]]:
    out = []
    for i in range(6):
        failing = i % 2 == 1
        out.append(
            {
                "timestamp": f"2024-05-01T10:{i:02d}:00Z",
                "level": "ERROR" if failing else "INFO",
                "message": f"GetMembership failed: DEADLINE_EXCEEDED after 800ms (attempt {i})"
                if failing
                else f"GetMembership OK: user {100 + i} is member of district 7",
                "service": service,
                "method": "GetMembership",
                "env": env,
                "host": f"{service}-7d9f-abc1{i % 2}",
            }
        )
    return out


@pytest.fixture
def setup(tmp_path: Path, embedder) -> tuple[Engine, Path]:
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "membership.json").write_text(json.dumps(CONFIG), encoding="utf-8")
    engine = Engine(Settings(data_dir=tmp_path / "data", configs_dir=configs), embedder=embedder)
    return engine, tmp_path


def _write(folder: Path, name: str, records: list[dict[str, Any]]) -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_logs_saying_membership_api_answer_a_question_about_membership(setup) -> None:
    engine, folder = setup
    logs = _write(folder, "api.jsonl", _lines("membership-api"))
    answer = asyncio.run(
        engine.ask("why is GetMembership failing?", session="api", logs=logs, service="membership")
    )
    assert answer.mode == "offline"
    fetch = answer.tool_calls[0]
    assert fetch.tool == "search_logstore" and fetch.counts["fetched"] == 6
    assert "GetMembership failed: DEADLINE_EXCEEDED after 800ms (attempt 1)" in answer.answer
    assert "- service=membership matched the names these logs use: membership-api ×6" in answer.answer
    assert "fetch: service=membership matched the names these logs use: membership-api ×6" in fetch.text


def test_logs_naming_another_service_are_fetched_with_the_filter_dropped_and_said(setup) -> None:
    engine, folder = setup
    logs = _write(folder, "gw.jsonl", _lines("identity-gateway", env="staging"))
    answer = asyncio.run(
        engine.ask("why is GetMembership failing?", session="gw", logs=logs, service="membership")
    )
    text = answer.answer
    assert "**What the fetch found** (`search_logstore`):" in text
    assert (
        "- no record said service=membership; 6 records said identity-gateway, "
        "so I dropped the service filter" in text
    )
    assert "- no record said env=prod; 6 records said staging, so I dropped the environment filter" in text
    evidence = text[text.index("**Evidence**") : text.index("**Log patterns**")]
    for attempt in (1, 3, 5):
        assert f"GetMembership failed: DEADLINE_EXCEEDED after 800ms (attempt {attempt})" in evidence
    assert {line.level for line in answer.lines} == {"ERROR", "INFO"}


def test_nothing_matching_at_all_lists_the_facets_in_every_surface(setup) -> None:
    engine, folder = setup
    logs = _write(folder, "quiet.jsonl", [r for r in _lines("membership-api") if r["level"] == "INFO"])
    # The offline triage: a question about crashes in logs with no error at all.
    answer = asyncio.run(
        engine.ask("did GetMembership crash?", session="quiet", logs=logs, service="membership")
    )
    panic = next(c for c in answer.tool_calls if c.tool == "search_panic_logs")
    assert panic.lines == [] and panic.fetch_report is not None
    facets = [
        "  - services: membership-api ×3",
        "  - environments: prod ×3",
        "  - hosts: membership-api-7d9f-abc10 ×3",
        "  - levels: INFO ×3",
        "  - methods: GetMembership ×3",
    ]
    assert (
        "- no record matched service=membership, env=prod, level ≥ ERROR, but the source holds 3 records "
        "between 2024-05-01 10:00 and 2024-05-01 10:04 UTC (2024-05-01 10:00:00 → 2024-05-01 10:04:00 UTC); "
        "re-ask with one of these:\n" + "\n".join(facets)
    ) in answer.answer
    # The tool text the LLM reads.
    span = FileLogstore(logs).span()
    ctx = ToolContext(engine=engine, session="tool", logstore=FileLogstore(logs), service="membership")
    ctx.now, ctx.default_window = span.end if span else None, span
    result = asyncio.run(
        default_registry().call(ctx, "search_logstore", {"user_id": "8812", "query": "is the user affected?"})
    )
    assert result.ok and result.lines == []
    assert (
        "\nfetch: no record matched service=membership, env=prod, user_id=8812, but the source holds 3"
        in (result.text)
    )
    assert "\nfetch: services: membership-api ×3\n" in result.text
    # ask --retrieve-only (the log search alone), over a window with nothing in it.
    from sre_agent.models import TimeWindow

    empty = TimeWindow(start="2024-04-01T00:00:00Z", end="2024-04-01T01:00:00Z")
    search = asyncio.run(
        engine.search("deadline exceeded", session="ro", logs=logs, service="membership", window=empty)
    )
    assert search.fetch_report is not None and search.fetch_report.facets is not None
    rendered = render_answer(search)
    assert (
        "- the source holds no record between 2024-04-01 00:00 and 2024-04-01 01:00 UTC; its 3 records span "
        "2024-05-01 10:00:00 → 2024-05-01 10:04:00 UTC; re-ask with one of these:\n"
        "  - services: membership-api ×3"
    ) in rendered
    assert "**No matching log lines.** The fetch found nothing matching" in rendered


def test_ask_retrieve_only_says_which_filter_it_dropped(
    setup, monkeypatch: pytest.MonkeyPatch, model_cache: Path
) -> None:
    from sre_agent.settings import get_settings

    _, folder = setup
    logs = _write(folder, "gw.jsonl", _lines("identity-gateway"))
    monkeypatch.setenv("SRE_AGENT_DATA_DIR", str(folder / "cli-data"))
    monkeypatch.setenv("SRE_AGENT_MODEL_CACHE_DIR", str(model_cache))
    monkeypatch.setenv("SRE_AGENT_CONFIGS_DIR", str(folder / "configs"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            app,
            ["ask", "--retrieve-only", "deadline exceeded", "--logs", str(logs), "--service", "membership"],
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.split())  # the terminal wraps the Markdown
    assert (
        "What the fetch found: • no record said service=membership; 6 records said identity-gateway, "
        "so I dropped the service filter" in shown
    )
    assert "DEADLINE_EXCEEDED" in result.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"log_names": ["membership-[api"]},
            "field 'log_names.0': 'membership-[api': not a valid glob: unbalanced or empty '[' ']'",
        ),
        (
            {"fields": {"customer": ["cust"]}},
            "field 'fields.customer': not a field we know (ours: level, service, method, request_id, "
            "user_id, host, env, message, timestamp)",
        ),
    ],
    ids=["malformed-glob", "unknown-field"],
)
def test_a_bad_config_exits_2_in_one_line_naming_file_and_field(
    setup, monkeypatch: pytest.MonkeyPatch, model_cache: Path, change: dict[str, Any], message: str
) -> None:
    from sre_agent.settings import get_settings

    _, folder = setup
    bad = folder / "configs" / "membership.json"
    bad.write_text(json.dumps({**CONFIG, **change}), encoding="utf-8")
    logs = _write(folder, "api.jsonl", _lines("membership-api"))
    monkeypatch.setenv("SRE_AGENT_DATA_DIR", str(folder / "cli-data"))
    monkeypatch.setenv("SRE_AGENT_MODEL_CACHE_DIR", str(model_cache))
    monkeypatch.setenv("SRE_AGENT_CONFIGS_DIR", str(folder / "configs"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["ask", "why?", "--logs", str(logs), "--service", "membership"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    said = f"error: --service: the config of 'membership' is invalid: {bad}: {message}"
    assert " ".join(result.output.split()) == " ".join(said.split())
    assert "Traceback" not in result.output


# ------------------------------------------------------------ a method name does not pull a config in


def test_a_method_of_a_config_does_not_apply_it_to_logs_of_another_service(setup) -> None:
    engine, folder = setup
    logs = _write(folder, "orders.jsonl", _lines("orders-api"))
    answer = asyncio.run(engine.ask("why is GetMembership failing?", session="orders", logs=logs))
    assert answer.service is None
    note = (
        "The question names GetMembership, a method of `membership`, but these logs name other services "
        "(orders-api ×6), none of them membership's (membership), so I did not apply the membership config "
        "(its service filter, methods, vocabulary and scenarios). "
        "Ask with --service membership to apply it anyway."
    )
    assert answer.service_note == note
    assert answer.answer.startswith(f"_{note}_\n\n_Offline triage")
    fetch = answer.tool_calls[0]
    assert fetch.tool == "search_logstore" and fetch.counts["fetched"] == 6
    assert fetch.fetch_report is not None and fetch.fetch_report.relaxed == []
    assert "GetMembership failed: DEADLINE_EXCEEDED after 800ms (attempt 1)" in answer.answer


def test_a_method_of_a_config_applies_it_to_logs_that_carry_its_names(setup) -> None:
    engine, folder = setup
    api = _write(folder, "api.jsonl", _lines("membership-api"))
    answer = asyncio.run(engine.ask("why is GetMembership failing?", session="mine", logs=api))
    assert answer.service == "membership" and answer.service_note is None
    assert answer.tool_calls[0].args["method"] == "GetMembership"
    # Logs that name no service at all: nothing says they are another's, so the config applies.
    bare = _write(folder, "bare.jsonl", [{k: v for k, v in r.items() if k != "service"} for r in _lines("x")])
    answer = asyncio.run(engine.ask("is ListMemberships failing?", session="bare", logs=bare))
    assert answer.service == "membership" and answer.service_note is None
    # A follow-up without logs decides by what the thread stored.
    follow = asyncio.run(engine.ask("and GetMembership?", session="mine"))
    assert follow.service == "membership" and follow.service_note is None

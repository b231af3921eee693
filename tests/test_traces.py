"""Run traces as a maintainer reads them: what a scripted run recorded (steps in order, tool calls
with their arguments, a failing step marked failed), where traces live and how long, and the run
picture and workflow drawings opened in headless Chromium."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser import open_page
from fakes.chat_server import Error, Text, ToolCalls, serve_chat
from paths import ROOT
from test_agent_llm import SEARCH, SUMMARY, Script, make_engine
from typer.testing import CliRunner

from sre_agent.cli import app
from sre_agent.connectors.base import FetchResult
from sre_agent.engine import Engine
from sre_agent.errors import ConnectorError, InputError
from sre_agent.models import LogQuery, LogRecord
from sre_agent.purge import purge_everything
from sre_agent.settings import Settings
from sre_agent.trace.html import render_run, render_workflows
from sre_agent.trace.model import RunTrace

THROTTLING = ROOT / "incidents" / "membership-dynamodb-throttling"
QUESTION = "why is GetMembership failing for user 123 in prod? (asked by jane.doe@example.com)"
STEPS = ["start", "fetch", "clean", "embed", "refine", "retrieve"]
runner = CliRunner()


class _DownLogstore:
    """A logstore whose every fetch fails, as an unreachable one does."""

    name = "down"

    def __init__(self) -> None:
        self.calls = 0

    def fetch(self, query: LogQuery) -> FetchResult:
        self.calls += 1
        raise ConnectorError("logstore answered 503")


class _SlowLogstore:
    """One record, after a pause: lets two runs overlap."""

    name = "slow"

    def __init__(self, message: str) -> None:
        self.message = message

    def fetch(self, query: LogQuery) -> FetchResult:
        time.sleep(0.3)
        return FetchResult(
            records=[
                LogRecord(timestamp=datetime(2024, 1, 1, tzinfo=UTC), message=self.message, level="ERROR")
            ]
        )


def _engine(tmp_path: Path, embedder: Any, **overrides: Any) -> Engine:
    settings = Settings(data_dir=tmp_path / "data", configs_dir=ROOT / "configs", **overrides)
    return Engine(settings, embedder=embedder)


@pytest.fixture(scope="module")
def offline_run(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> tuple[Engine, RunTrace]:
    """One offline turn over the throttling incident, and its trace as written to disk."""
    engine = _engine(tmp_path_factory.mktemp("offline"), embedder)
    answer = asyncio.run(
        engine.ask(QUESTION, session="trace-s1", logs=THROTTLING / "logs.jsonl", service="membership")
    )
    return engine, engine.traces.get(answer.run_id)


# --------------------------------------------------------------------------------- what is recorded


def test_an_offline_turn_records_its_steps_in_order_with_events_and_tool_arguments(offline_run) -> None:
    engine, trace = offline_run
    assert trace.status == "ok" and trace.kind == "ask" and trace.mode == "offline"
    assert trace.session == "trace-s1" and trace.service == "membership"
    assert "jane.doe@example.com" not in trace.model_dump_json(), "the question is redacted in the trace"
    assert trace.seconds and trace.seconds > 0

    steps = trace.steps("LogSearchWorkflow")
    assert [s.name for s in steps] == STEPS
    assert [(s.input_event, s.output_event) for s in steps] == [
        ("SearchStart", "FetchRequested"),
        ("FetchRequested", "Fetched"),
        ("Fetched", "Cleaned"),
        ("Cleaned", "RefineRequested"),
        ("RefineRequested", "Refined"),
        ("Refined", "StopEvent"),
    ]
    assert all(s.status == "ok" and s.seconds is not None for s in steps)
    assert all(a.started <= b.started for a, b in zip(steps, steps[1:], strict=False))
    assert any("fetched 1213 records" in note for note in steps[1].notes), steps[1].notes

    # the tool call, with the arguments triage gave it, is the parent of the workflow run
    call = trace.tool_calls[0]
    assert call.tool == "search_logstore" and call.ok
    assert call.args["method"] == "GetMembership" and call.args["environment"] == "prod"
    assert call.result_chars > 0 and "DEADLINE_EXCEEDED" in call.result
    assert trace.workflows() == ["TriageWorkflow", "LogSearchWorkflow"]
    assert [s.name for s in trace.steps("TriageWorkflow")] == [
        "plan",
        "run_tools",
        "mine_window",
        "write_answer",
    ]
    run_tools = trace.steps("TriageWorkflow")[1]
    assert next(s for s in trace.spans if s.id == call.span_id).parent_id == run_tools.id
    workflow = next(s for s in trace.spans if s.kind == "workflow" and s.name == "LogSearchWorkflow")
    assert workflow.parent_id == call.span_id
    assert all(s.workflow_span == workflow.id for s in steps)

    # the embed step's call of the model is its child, with how many texts it embedded
    embedding = next(s for s in trace.spans if s.kind == "embedding" and s.name.endswith("_batch"))
    assert embedding.parent_id == steps[3].id
    assert embedding.notes and embedding.notes[0].endswith("texts")

    assert trace.lines and any("DEADLINE_EXCEEDED" in line.message for line in trace.lines)
    assert "DEADLINE_EXCEEDED" in trace.answer
    assert [r.id for r in engine.traces.list()] == [trace.id]


def test_a_failing_step_is_recorded_as_failed_with_each_attempt(tmp_path: Path, embedder: Any) -> None:
    engine = _engine(tmp_path, embedder)
    down = _DownLogstore()
    with pytest.raises(ConnectorError):
        asyncio.run(engine.search("payment timeout?", session="down-1", logstore=down))
    trace = engine.traces.get("last")
    assert trace.status == "failed" and trace.kind == "search"
    assert "503" in (trace.error or "")
    steps = trace.steps("LogSearchWorkflow")
    assert [s.name for s in steps] == ["start", "fetch", "fetch", "fetch"], "three attempts, then it gave up"
    assert [s.status for s in steps] == ["ok", "failed", "failed", "failed"]
    assert all(s.error == "ConnectorError: logstore answered 503" for s in steps[1:])
    assert down.calls == 3


def test_an_llm_turn_records_the_agent_workflow_its_tool_calls_and_llm_calls(
    tmp_path: Path, embedder: Any
) -> None:
    with serve_chat(responder=Script(ToolCalls([SEARCH]), Text(SUMMARY))) as chat:
        engine = make_engine(tmp_path, embedder, chat)
        answer = asyncio.run(
            engine.ask(
                "why is GetMembership failing for user 123?",
                session="llm-1",
                logs=THROTTLING / "logs.jsonl",
                service="membership",
                kind="chat",
            )
        )
    trace = engine.traces.get(answer.run_id)
    assert trace.mode == "llm" and trace.kind == "chat" and trace.status == "ok"
    assert trace.workflows() == ["FunctionAgent", "LogSearchWorkflow"]
    agent_steps = [s.name for s in trace.steps("FunctionAgent")]
    assert agent_steps[:4] == ["init_run", "setup_agent", "run_agent_step", "parse_agent_output"]
    assert "call_tool" in agent_steps and agent_steps[-1] == "parse_agent_output"
    call = trace.tool_calls[0]
    assert call.tool == "search_logstore"
    assert call.args == {"method": "GetMembership", "user_id": "123", "query": "deadline exceeded"}
    tool_span = next(s for s in trace.spans if s.id == call.span_id)
    parent = next(s for s in trace.spans if s.id == tool_span.parent_id)
    assert parent.kind == "step" and parent.name == "call_tool", (
        "the tool ran inside the agent's call_tool step"
    )
    assert len(trace.llm_calls) >= 2 and all(c.seconds is not None for c in trace.llm_calls)
    assert all(c.model == engine.settings.llm_model for c in trace.llm_calls)
    # streamed or not, every call carries the usage the endpoint reported
    assert all(c.prompt_tokens and c.completion_tokens for c in trace.llm_calls), trace.llm_calls
    assert SUMMARY in trace.answer


@pytest.mark.slow  # a browser or a subprocess: `make test-fast` skips it
def test_an_llm_that_fails_leaves_a_fallback_run_with_the_reason(tmp_path: Path, embedder: Any) -> None:
    with serve_chat(responder=Script(then=Error(500, "upstream exploded"))) as chat:
        engine = make_engine(tmp_path, embedder, chat)
        answer = asyncio.run(
            engine.ask(QUESTION, session="llm-2", logs=THROTTLING / "logs.jsonl", service="membership")
        )
    trace = engine.traces.get(answer.run_id)
    assert trace.status == "fallback" and trace.mode == "offline"
    assert "LLM abandoned" in (trace.error or "") and "HTTP 500" in (trace.error or "")
    assert trace.llm_calls and all("InternalServerError" in (c.error or "") for c in trace.llm_calls)
    assert [s.name for s in trace.steps("LogSearchWorkflow")][:2] == ["start", "fetch"], "triage still ran"
    page = tmp_path / "fallback.html"
    page.write_text(render_run(trace), encoding="utf-8")
    with open_page(page) as check:
        assert check.page.locator("#run-status").get_attribute("data-status") == "fallback"
        assert "HTTP 500" in check.page.locator("#run-error").inner_text()
        check.assert_clean()


def test_runs_at_the_same_time_keep_their_own_traces(tmp_path: Path, embedder: Any) -> None:
    engine = _engine(tmp_path, embedder)

    async def both() -> None:
        await asyncio.gather(
            engine.search("disk full?", session="a-1", logstore=_SlowLogstore("disk full on db-1")),
            engine.search("payment timeout?", session="b-1", logstore=_SlowLogstore("payment timeout")),
        )

    asyncio.run(both())
    traces = {t.session: engine.traces.get(t.id) for t in engine.traces.list()}
    assert set(traces) == {"a-1", "b-1"}
    for session, message in (("a-1", "disk full on db-1"), ("b-1", "payment timeout")):
        trace = traces[session]
        assert [s.name for s in trace.steps("LogSearchWorkflow")] == STEPS
        assert len([s for s in trace.spans if s.kind == "workflow"]) == 1
        assert [line.message for line in trace.lines] == [message]
    a, b = traces["a-1"], traces["b-1"]
    assert a.started_at < b.started_at + timedelta(seconds=0.3), "the two runs overlapped"


def test_an_input_error_is_a_failed_run_with_its_id(tmp_path: Path, embedder: Any) -> None:
    engine = _engine(tmp_path, embedder)
    with pytest.raises(InputError):
        asyncio.run(engine.ask("   ", session="e-1", run_id="20260101-000000-abcdef"))
    trace = engine.traces.get("20260101-000000-abcdef")
    assert trace.status == "failed" and "empty question" in (trace.error or "")


# --------------------------------------------------------------------------------- keeping them


def test_traces_are_kept_seven_days_and_the_purge_takes_them_only_when_asked(
    tmp_path: Path, embedder: Any, offline_run
) -> None:

    _, template = offline_run
    engine = _engine(tmp_path, embedder)
    now = datetime.now(UTC)
    for days, run_id in ((8, "old-run"), (1, "new-run")):
        engine.traces.write(
            template.model_copy(update={"id": run_id, "started_at": now - timedelta(days=days)})
        )
    engine.traces.prune()  # (writing prunes too, at most hourly)
    assert [r.id for r in engine.traces.list()] == ["new-run"]
    assert not engine.traces.path("old-run").exists()

    assert purge_everything(engine).traces == 0, "by default the nightly purge keeps traces"
    assert engine.traces.get("new-run").id == "new-run"
    purging = _engine(tmp_path, embedder, trace_purge=True)
    assert purge_everything(purging).traces == 1
    assert purging.traces.list() == [] and not purging.traces.path("new-run").exists()

    silent = _engine(tmp_path / "off", embedder, traces=False)
    asyncio.run(silent.search("disk full?", session="x-1", logstore=_SlowLogstore("disk full")))
    assert silent.traces.list() == []


def test_a_trace_that_cannot_be_written_never_costs_the_answer(tmp_path: Path, embedder: Any, caplog) -> None:
    engine = _engine(tmp_path, embedder)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "runs").write_text("not a folder", encoding="utf-8")
    result = asyncio.run(
        engine.search("disk full?", session="w-1", logstore=_SlowLogstore("disk full on db-1"))
    )
    assert [line.message for line in result.lines] == ["disk full on db-1"]
    assert any("could not write the trace" in r.getMessage() for r in caplog.records)
    assert engine.traces.list() == []


def test_a_damaged_trace_file_is_named_not_a_stack_trace(tmp_path: Path, cli_env: Path, offline_run) -> None:
    _, template = offline_run
    engine = _cli_engine()
    engine.traces.write(template.model_copy(update={"id": "20260101-000000-aaaaaa"}))
    engine.traces.path("20260101-000000-aaaaaa").write_text(
        '{"id": "20260101-000000-aaaaaa", "kind"', "utf-8"
    )
    shown = runner.invoke(app, ["runs", "show", "20260101-000000-aaaaaa"])
    assert shown.exit_code == 2
    assert "20260101-000000-aaaaaa.json: not a readable trace" in shown.output
    assert "Traceback" not in shown.output


def test_a_damaged_run_index_is_set_aside_in_one_warning_and_rebuilt_from_the_traces(
    tmp_path: Path, embedder: Any, offline_run, caplog
) -> None:
    _, template = offline_run
    engine = _engine(tmp_path, embedder)
    started = datetime.now(UTC) - timedelta(hours=1)  # within the days traces are kept
    for minute, run_id in ((0, "20260101-000000-aaaaaa"), (1, "20260101-000100-bbbbbb")):
        engine.traces.write(
            template.model_copy(update={"id": run_id, "started_at": started + timedelta(minutes=minute)})
        )
    engine.traces.path("20260101-000200-cccccc").write_text('{"id": "half', "utf-8")  # cut short
    index = engine.traces.folder / "runs.db"
    garbage = b"\x00not sqlite\xff" * 300
    index.write_bytes(garbage)

    assert [r.id for r in engine.traces.list()] == ["20260101-000100-bbbbbb", "20260101-000000-aaaaaa"]
    [warning] = [r.getMessage() for r in caplog.records if "run index" in r.getMessage()]
    (moved,) = (tmp_path / "data" / "quarantine").glob("runs.db-*")
    assert warning == (
        f"the run index {index} was damaged (file is not a database): moved to {moved} "
        "and rebuilt from 2 trace files"
    )
    assert moved.read_bytes() == garbage
    engine.traces.write(template.model_copy(update={"id": "20260101-000300-dddddd", "started_at": started}))
    assert len(engine.traces.list()) == 3
    assert len([r for r in caplog.records if "run index" in r.getMessage()]) == 1


def test_a_run_id_is_found_by_prefix_or_last_and_a_bad_one_is_named(offline_run) -> None:
    engine, trace = offline_run
    assert engine.traces.get(trace.id[:17]).id == trace.id
    assert engine.traces.get("last").id == trace.id
    with pytest.raises(InputError, match="RUN_ID: no run 'nope'"):
        engine.traces.get("nope")


# --------------------------------------------------------------------------------- the pictures


@pytest.mark.slow  # a browser or a subprocess: `make test-fast` skips it
def test_the_run_picture_marks_the_path_and_shows_the_timeline_offline(tmp_path: Path, offline_run) -> None:
    _, trace = offline_run
    page_file = tmp_path / "run.html"
    page_file.write_text(render_run(trace), encoding="utf-8")
    with open_page(page_file, screenshot=tmp_path / "run.png") as check:
        page = check.page
        triage = page.locator('svg.workflow[data-workflow="triage"]')
        for step in ("plan", "run_tools", "mine_window", "write_answer"):
            assert triage.locator(f'g.node.on-path[data-node="{step}"]').count() == 1
        graph = page.locator('svg.workflow[data-workflow="log-search"]')
        assert graph.count() == 1
        for step in STEPS:
            node = graph.locator(f'g.node[data-node="{step}"]')
            assert node.count() == 1 and "on-path" in (node.get_attribute("class") or "")
        assert graph.locator('g.node[data-node="RefineRequested"].on-path').count() == 1
        assert graph.locator("path.edge.on-path").count() == 12  # 6 steps, each an edge in and out
        skipped = graph.locator('path.edge[data-source="start"][data-target="RefineRequested"]')
        assert "on-path" not in (skipped.get_attribute("class") or ""), "the branch not taken stays plain"
        assert page.locator(".tl-row[data-kind=step]").count() == 6 + 4  # log search + triage
        assert page.locator(".tl-row[data-kind=tool][data-name=search_logstore]").count() == 1
        assert "GetMembership" in page.locator("#tool-calls pre.args").first.inner_text()
        assert page.locator("#lines tr.line").count() == len(trace.lines)
        assert page.locator("#run-status").get_attribute("data-status") == "ok"
        check.assert_clean()
    assert (tmp_path / "run.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow  # a browser or a subprocess: `make test-fast` skips it
def test_a_failed_run_picture_marks_the_failed_step(tmp_path: Path, embedder: Any) -> None:
    engine = _engine(tmp_path, embedder)
    with pytest.raises(ConnectorError):
        asyncio.run(engine.search("payment timeout?", session="down-2", logstore=_DownLogstore()))
    page_file = tmp_path / "failed.html"
    page_file.write_text(render_run(engine.traces.get("last")), encoding="utf-8")
    with open_page(page_file) as check:
        page = check.page
        fetch = page.locator('g.node[data-node="fetch"]')
        assert "failed" in (fetch.get_attribute("class") or "") and fetch.get_attribute("data-runs") == "3"
        assert "on-path" not in (page.locator('g.node[data-node="retrieve"]').get_attribute("class") or "")
        assert page.locator("#run-status").get_attribute("data-status") == "failed"
        assert "logstore answered 503" in page.locator("#failed-steps").inner_text()
        assert page.locator(".tl-row[data-status=failed][data-name=fetch]").count() == 3
        check.assert_clean()


@pytest.mark.slow  # a browser or a subprocess: `make test-fast` skips it
def test_draw_writes_every_workflow_as_one_offline_page(tmp_path: Path, cli_env: Path) -> None:
    from workflows.representation import get_workflow_representation

    from sre_agent.trace.graph import WORKFLOWS, workflow_class

    out = tmp_path / "pictures" / "workflows.html"
    result = runner.invoke(app, ["draw", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with open_page(out) as check:
        for name in WORKFLOWS:
            graph = get_workflow_representation(workflow_class(name))
            steps = {n.id for n in graph.nodes if n.node_type == "step"}
            svg = check.page.locator(f'svg.workflow[data-workflow="{name}"]')
            drawn = set(svg.locator("g.node.step").evaluate_all("els => els.map(e => e.dataset.node)"))
            assert drawn == steps
            assert svg.locator("path.edge").count() == len(
                [
                    e
                    for e in graph.edges
                    if e.source in {n.id for n in graph.nodes if n.node_type != "resource"}
                ]
            )
        assert check.page.locator("g.node.on-path").count() == 0
        check.assert_clean()

    mermaid = runner.invoke(app, ["draw", "log-search", "--mermaid"])
    assert mermaid.exit_code == 0 and "fetch --> Fetched" in mermaid.stdout
    bad = runner.invoke(app, ["draw", "nope"])
    assert bad.exit_code == 2 and "no workflow named 'nope' (known: agent, triage, log-search)" in bad.output


def test_the_workflow_page_needs_no_network(tmp_path: Path) -> None:
    html = render_workflows(["log-search"])
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "no external resource"


# --------------------------------------------------------------------------------- the commands


def test_runs_list_and_show_from_the_command_line(tmp_path: Path, cli_env: Path) -> None:
    asked = runner.invoke(
        app,
        [
            "ask",
            "why is GetMembership failing for user 123 in prod?",
            "--logs",
            str(THROTTLING / "logs.jsonl"),
            "--service",
            "membership",
            "--session",
            "cli-1",
        ],
    )
    assert asked.exit_code == 0, asked.output
    run_id = re.search(r"\d{8}-\d{6}-[0-9a-f]{6}", asked.output)
    assert run_id, asked.output
    listed = runner.invoke(app, ["runs", "list"], env={"COLUMNS": "160"})
    assert listed.exit_code == 0 and run_id.group(0) in listed.stdout
    assert "ask" in listed.stdout and "ok" in listed.stdout and "why is GetMembership" in listed.stdout

    picture = tmp_path / "run.html"
    shown = runner.invoke(
        app, ["runs", "show", run_id.group(0), "--html", str(picture)], env={"COLUMNS": "160"}
    )
    assert shown.exit_code == 0, shown.output
    assert "search_logstore" in shown.stdout and "step fetch" in shown.stdout
    assert '"method": "GetMembership"' in shown.stdout
    assert run_id.group(0) in picture.read_text(encoding="utf-8")

    spine = runner.invoke(app, ["ask", "--retrieve-only", "what was throttled?", "--session", "cli-1"])
    assert spine.exit_code == 0, spine.output
    spine_id = re.search(r"run (\d{8}-\d{6}-[0-9a-f]{6})", spine.output)
    assert spine_id, spine.output
    assert [s.name for s in _cli_engine().traces.get(spine_id.group(1)).steps("LogSearchWorkflow")] == [
        "start",
        "refine",
        "retrieve",
    ], "a follow-up on stored logs skips fetch, clean and embed"

    missing = runner.invoke(app, ["runs", "show", "20990101-000000-000000"])
    assert missing.exit_code == 2 and "no run '20990101-000000-000000'" in missing.output
    folder = runner.invoke(app, ["runs", "show", run_id.group(0), "--html", str(tmp_path)])
    assert folder.exit_code == 2 and "is a folder" in folder.output


def _cli_engine() -> Engine:
    from sre_agent.settings import get_settings

    return Engine(get_settings())


def test_replay_html_report_links_every_turn_to_its_run_picture(tmp_path: Path, cli_env: Path) -> None:
    report = tmp_path / "out" / "report.html"
    result = runner.invoke(
        app,
        [
            "replay",
            str(THROTTLING),
            "--retrieval-only",
            "--html",
            str(report),
            "--json",
            str(tmp_path / "r.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    html = report.read_text(encoding="utf-8")
    hrefs = re.findall(r'<a class="run-link[^"]*" href="([^"]+)"', html)
    assert hrefs, "every turn links its run picture"
    for href in hrefs:
        assert (report.parent / href).is_file(), href
    with open_page(report) as check:
        assert check.page.locator("a.run-link").count() == len(hrefs)
        check.assert_clean()
    with open_page(report.parent / hrefs[0]) as check:
        assert check.page.locator('g.node[data-node="retrieve"].on-path').count() == 1
        assert check.page.locator("#run-status").get_attribute("data-status") == "ok"
        check.assert_clean()

"""The LLM agent path end to end: the real OpenAI/Bedrock clients against the fake servers on
127.0.0.1, the real tools over a real LanceDB in a temp folder, and the real local embedding model."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fakes.bedrock_server import serve_bedrock
from fakes.chat_server import (
    EXHAUSTED,
    Delay,
    Error,
    FakeChat,
    RecordedRequest,
    Reply,
    Text,
    ToolCalls,
    ToolCallSpec,
    serve_chat,
)
from paths import ROOT

from sre_agent.agent.investigator import AgentEvent, TurnAnswer
from sre_agent.engine import Engine
from sre_agent.settings import Settings

THROTTLING = ROOT / "incidents" / "membership-dynamodb-throttling" / "logs.jsonl"
BEDROCK_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
QUESTION = "why is GetMembership failing for user 123?"
SUMMARY = (
    "**Summary**: DynamoDB throttling on table memberships makes GetMembership time out "
    "(DEADLINE_EXCEEDED) for user 123. High confidence."
)
SEARCH = ToolCallSpec(
    "search_logstore", {"method": "GetMembership", "user_id": "123", "query": "deadline exceeded"}
)


NO_TERMS = Text('{"terms": []}')  # what the fake answers calls made without tools (LLM refine)


class Script:
    """Answers the agent's calls (they offer tools) in order, then `then` forever; any other call
    (the refine step's plain chat) gets `side`. Keeps a script independent of how many side calls
    a tool makes."""

    def __init__(self, *replies: Reply, then: Reply = EXHAUSTED, side: Reply = NO_TERMS) -> None:
        self.replies, self.then, self.side = list(replies), then, side

    def __call__(self, body: dict[str, Any]) -> Reply:
        if not (body.get("tools") or body.get("toolConfig")):
            return self.side
        return self.replies.pop(0) if self.replies else self.then


def agent_bodies(requests: list[RecordedRequest]) -> list[dict[str, Any]]:
    """The bodies of the agent's own LLM calls (OpenAI `tools` or Bedrock `toolConfig`)."""
    return [r.body for r in requests if r.body.get("tools") or r.body.get("toolConfig")]


def make_engine(tmp_path: Path, embedder: Any, chat: FakeChat | None = None, **overrides: Any) -> Engine:
    """An engine over `tmp_path/data` talking to the fake chat server (one request per LLM call)."""
    options: dict[str, Any] = {"llm_api_key": "sk-test", "llm_max_retries": 0, "llm_timeout": 10.0}
    if chat is not None:
        options["llm_base_url"] = chat.base_url
    options.update(overrides)
    settings = Settings(data_dir=tmp_path / "data", configs_dir=ROOT / "configs", **options)
    return Engine(settings, embedder=embedder)


def ask(
    engine: Engine, question: str = QUESTION, *, session: str = "s1", **kwargs: Any
) -> tuple[TurnAnswer, list[AgentEvent]]:
    """One turn over the throttling incident's logs; returns the answer and the events it emitted."""
    events: list[AgentEvent] = []
    kwargs.setdefault("logs", THROTTLING)
    kwargs.setdefault("service", "membership")
    answer = asyncio.run(engine.ask(question, session=session, on_event=events.append, **kwargs))
    return answer, events


def tool_messages(body: dict[str, Any]) -> list[str]:
    return [str(m.get("content")) for m in body.get("messages", []) if m.get("role") == "tool"]


def all_text(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False)


# --- a scripted investigation ------------------------------------------------------------------


def test_tool_call_then_answer_streams_and_reports_the_tool(tmp_path: Path, embedder: Any) -> None:
    with serve_chat(responder=Script(ToolCalls([SEARCH]), Text(SUMMARY))) as chat:
        engine = make_engine(tmp_path, embedder, chat)
        answer, events = ask(engine)
        requests = agent_bodies(chat.chat_requests)

    assert answer.mode == "llm", answer.fallback_reason
    assert answer.fallback_reason is None
    assert SUMMARY in answer.answer
    assert "Tools run:" in answer.answer and "`search_logstore`" in answer.answer
    assert answer.tool_calls[0].tool == "search_logstore" and answer.tool_calls[0].ok
    assert answer.lines, "the tool's lines come with the answer"
    assert any("DEADLINE_EXCEEDED" in line.message for line in answer.lines)

    assert len(requests) == 2
    assert requests[0]["stream"] is True
    system = requests[0]["messages"][0]
    assert system["role"] == "system"
    assert "GetMembership" in system["content"]
    assert "GetMembership timing out (DEADLINE_EXCEEDED)" in system["content"]  # a debugging scenario
    assert QUESTION in all_text(requests[0])
    tool_out = tool_messages(requests[1])
    assert len(tool_out) == 1
    assert "DEADLINE_EXCEEDED" in tool_out[0] and "user=123" in tool_out[0]

    kinds = [e.kind for e in events]
    started = [i for i, e in enumerate(events) if e.kind == "tool_started" and e.tool == "search_logstore"]
    finished = [i for i, e in enumerate(events) if e.kind == "tool_finished" and e.tool == "search_logstore"]
    assert started and finished and started[0] < finished[0], kinds
    assert events[finished[0]].data["ok"] is True
    deltas = [e.message for e in events if e.kind == "answer_delta"]
    assert len(deltas) > 1, "the answer is streamed in pieces"
    assert "".join(deltas) == SUMMARY
    assert "notice" not in kinds


def test_a_secret_in_the_models_tool_arguments_is_shown_redacted(tmp_path: Path, embedder: Any) -> None:
    """What the terminal, Slack and the trace show of a tool call is redacted like its result."""
    token = "ghp_" + "a1B2c3D4" * 4 + "e5F6"
    leaky = ToolCallSpec(
        "search_logstore", {"method": "GetMembership", "user_id": "jane.doe@example.com", "query": token}
    )
    with serve_chat(responder=Script(ToolCalls([leaky]), Text(SUMMARY))) as chat:
        engine = make_engine(tmp_path, embedder, chat)
        answer, events = ask(engine)
    calls = [e for e in events if e.kind in ("tool_started", "tool_finished")]
    assert [e.kind for e in calls] == ["tool_started", "tool_finished"]
    started, finished = calls
    assert started.message == "search_logstore(method='GetMembership', user_id='[EMAIL]')"
    assert (
        started.args
        == finished.args
        == {
            "method": "GetMembership",
            "user_id": "[EMAIL]",
            "query": "[TOKEN]",
        }
    )
    assert "jane.doe" not in json.dumps(started.data) and token not in json.dumps(started.data)
    assert answer.tool_calls[0].args == {**started.args, "limit": 10}  # as validated: its default too


def test_bad_tool_arguments_go_back_to_the_model(tmp_path: Path, embedder: Any) -> None:
    bad = ToolCallSpec("search_logstore", {"method": "GetMembership", "limit": 500})
    with serve_chat(
        responder=Script(ToolCalls([bad]), Text("I could not search: the call was wrong."))
    ) as chat:
        engine = make_engine(tmp_path, embedder, chat)
        answer, _ = ask(engine)
        bodies = agent_bodies(chat.chat_requests)

    assert answer.mode == "llm", answer.fallback_reason
    assert "I could not search" in answer.answer
    assert not answer.tool_calls[0].ok
    assert len(bodies) == 2
    (message,) = tool_messages(bodies[1])
    assert message.startswith("error:")
    assert "'query' is required" in message
    assert "'limit'" in message and "500" in message
    assert "`search_logstore` failed" in answer.answer


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ('{"method": "GetMembership", "query": ', "'query'"),  # cut off mid-object
        ("method=GetMembership query=oops", "'query' is required"),  # not JSON at all
    ],
)
def test_malformed_json_arguments_go_back_to_the_model(
    tmp_path: Path, embedder: Any, arguments: str, named: str
) -> None:
    broken = ToolCallSpec("search_logstore", arguments)
    with serve_chat(responder=Script(ToolCalls([broken]), Text("The search call was malformed."))) as chat:
        engine = make_engine(tmp_path, embedder, chat)
        answer, _ = ask(engine)
        bodies = agent_bodies(chat.chat_requests)

    assert answer.mode == "llm", answer.fallback_reason
    assert "The search call was malformed." in answer.answer
    assert len(bodies) == 2
    (message,) = tool_messages(bodies[1])
    assert message.startswith("error:") and named in message


# --- memory -------------------------------------------------------------------------------------


def test_memory_survives_a_restart_and_reset_forgets_it(tmp_path: Path, embedder: Any) -> None:
    script = Script(Text("noted"), Text("ok"), Text("It is INC-4242."), Text("I don't know."))
    with serve_chat(responder=script) as chat:
        first = make_engine(tmp_path, embedder, chat)
        answer, _ = ask(first, "remember: the incident ticket is INC-4242", logs=None)
        assert answer.mode == "llm", answer.fallback_reason

        restarted = make_engine(tmp_path, embedder, chat)  # a new process: same data dir, nothing in RAM
        ask(restarted, "GetMembership looks fine again now", logs=None)
        answer, _ = ask(restarted, "what was the incident ticket?", logs=None)
        third = agent_bodies(chat.chat_requests)[2]
        assert answer.mode == "llm" and "INC-4242" in answer.answer
        assert "INC-4242" in all_text(third), "the first turn's message reaches the model after a restart"
        assert "GetMembership looks fine again now" in all_text(third)

        asyncio.run(restarted.reset("s1"))
        assert asyncio.run(restarted.memories.history("s1")) == []
        answer, _ = ask(restarted, "what was the incident ticket?", logs=None)
        fourth = agent_bodies(chat.chat_requests)[3]

    assert answer.mode == "llm"
    assert "INC-4242" not in all_text(fourth)
    assert "GetMembership looks fine again now" not in all_text(fourth)


def test_sessions_do_not_share_memory(tmp_path: Path, embedder: Any) -> None:
    with serve_chat(responder=Script(Text("noted"), Text("no idea"))) as chat:
        engine = make_engine(tmp_path, embedder, chat)
        ask(engine, "remember: the incident ticket is INC-4242", session="s1", logs=None)
        ask(engine, "what was the incident ticket?", session="s2", logs=None)
        other = agent_bodies(chat.chat_requests)[1]
    assert "INC-4242" not in all_text(other)


def test_a_new_logs_file_in_a_thread_is_named_to_the_model_and_fetched(tmp_path: Path, embedder: Any) -> None:
    other = tmp_path / "indexer.log"
    other.write_text(
        "".join(
            f"2024-06-02T08:00:{i:02d}Z ERROR shard rebalance failed on node search-{i}\n" for i in range(20)
        )
    )
    fetch_it = ToolCallSpec("search_logstore", {"query": "shard rebalance failed"})
    script = Script(ToolCalls([SEARCH]), Text(SUMMARY), ToolCalls([fetch_it]), Text("the indexer"))
    with serve_chat(responder=script) as chat:
        engine = make_engine(tmp_path, embedder, chat)
        ask(engine)
        answer, _ = ask(engine, "and the indexer?", logs=other, service=None)
        requests = agent_bodies(chat.chat_requests)
    told = "is new to it and not stored yet: fetch from it (search_logstore)"
    assert told not in requests[0]["messages"][0]["content"]
    assert f"file {other} {told}" in requests[2]["messages"][0]["content"]
    fetched = tool_messages(requests[3])[-1]
    assert f"fetched 20 records from file {other}" in fetched and "file=indexer.log" in fetched
    assert answer.tool_calls[0].counts["fetched"] == 20


# --- failures fall back to offline triage --------------------------------------------------------


def assert_offline_fallback(answer: TurnAnswer, events: list[AgentEvent], reason: str) -> None:
    assert answer.mode == "offline"
    assert answer.backend == "offline triage"
    assert answer.fallback_reason is not None and reason in answer.fallback_reason
    assert answer.answer.startswith("⚠ **The LLM failed**")
    assert reason in answer.answer.splitlines()[0]
    assert "**Evidence**" in answer.answer and "DEADLINE_EXCEEDED" in answer.answer
    assert answer.lines
    assert "Traceback" not in answer.answer
    notices = [e.message for e in events if e.kind == "notice"]
    assert notices and reason in notices[0]


def test_http_error_falls_back_to_offline_triage(tmp_path: Path, embedder: Any) -> None:
    with serve_chat(responder=Script(Error(500, "upstream exploded"))) as chat:
        engine = make_engine(tmp_path, embedder, chat)
        answer, events = ask(engine)
    assert_offline_fallback(answer, events, "HTTP 500")


def test_timeout_falls_back_to_offline_triage(tmp_path: Path, embedder: Any) -> None:
    # a reply no log line could hold: the evidence shows fields such as `latency_ms`
    with serve_chat(responder=Script(Delay(3, then=Text("a late reply from the model")))) as chat:
        engine = make_engine(tmp_path, embedder, chat, llm_timeout=0.5)
        answer, events = ask(engine)
    assert_offline_fallback(answer, events, "did not answer in time")
    assert "a late reply from the model" not in answer.answer


@pytest.mark.parametrize(
    "down", [Error(503, "gateway down"), Delay(3, then=Text("late"))], ids=["503", "slow"]
)
def test_offline_fallback_does_not_call_the_failed_llm_again(
    tmp_path: Path, embedder: Any, down: Reply
) -> None:
    """When the LLM is down for every call, the fallback says "nothing left this machine": it must
    not send the question to the LLM again (nor wait for it once per tool)."""
    with serve_chat(responder=lambda _body: down) as chat:
        engine = make_engine(tmp_path, embedder, chat, llm_timeout=0.5)
        answer, _ = ask(engine)
        calls = len(chat.chat_requests)
    assert answer.mode == "offline" and answer.fallback_reason
    assert "nothing left this machine" in answer.answer
    assert calls == 1, f"{calls} LLM calls for a turn answered offline"


def test_too_many_steps_ends_the_turn_with_offline_triage(tmp_path: Path, embedder: Any) -> None:
    again = ToolCalls([ToolCallSpec("retrieve_stored_logs", {"query": "deadline exceeded"})])
    with serve_chat(responder=Script(then=again)) as chat:
        engine = make_engine(tmp_path, embedder, chat, agent_max_steps=2)
        answer, events = ask(engine)
        calls = len(agent_bodies(chat.chat_requests))
    assert answer.mode == "offline"
    assert answer.fallback_reason and "2" in answer.fallback_reason
    assert_offline_fallback(answer, events, answer.fallback_reason)
    assert 1 <= calls <= 3


# --- what reaches the model ------------------------------------------------------------------------


PLANTED_EMAILS = sorted(set(re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", THROTTLING.read_text())))
REJECTED = "rejected INVALID_ARGUMENT not a numeric id"


def test_secrets_and_personal_data_never_reach_the_model(tmp_path: Path, embedder: Any) -> None:
    assert PLANTED_EMAILS, "the incident's logs have planted emails"
    secrets = [
        "oncall.lead@corp-mail.io",
        "abcdef0123456789abcdef",
        "AKIAIOSFODNN7EXAMPLE",
        *PLANTED_EMAILS,
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",  # the JWTs planted in the audit lines
        "msess_",  # their session cookies
    ]
    question = (
        "GetMembership rejects ids, reported by oncall.lead@corp-mail.io. Our client sent "
        "Authorization: Bearer abcdef0123456789abcdef with key AKIAIOSFODNN7EXAMPLE. What is going on?"
    )
    calls = ToolCalls(
        [
            ToolCallSpec("search_logstore", {"method": "GetMembership", "query": REJECTED, "limit": 20}),
            ToolCallSpec("search_logstore", {"method": "AddMember", "query": "grpc request metadata"}),
        ]
    )
    with serve_chat(responder=Script(calls, Text("Some callers send emails as user ids."))) as chat:
        engine = make_engine(tmp_path, embedder, chat)
        answer, _ = ask(engine, question)
        every_body = [r.body for r in chat.chat_requests]  # the agent's calls and any side calls
        bodies = agent_bodies(chat.chat_requests)

    assert answer.mode == "llm", answer.fallback_reason
    assert all(r.ok for r in answer.tool_calls)
    sent = "\n".join(all_text(b) for b in every_body)
    leaked = [s for s in secrets if s in sent]
    assert not leaked, f"sent to the LLM: {leaked}"
    tools_out = "\n".join(tool_messages(bodies[-1]))
    assert "is not a numeric id" in tools_out, "the lines with planted emails were retrieved"
    assert "grpc request metadata" in tools_out, "the lines with planted tokens were retrieved"
    assert "[EMAIL]" in tools_out and "[EMAIL]" in all_text(bodies[0])
    assert "[AWS_KEY]" in all_text(bodies[0])


def test_configured_headers_and_key_are_sent_with_every_call(tmp_path: Path, embedder: Any) -> None:
    required = {"x-project": "sre", "authorization": "Bearer sk-test"}
    script = Script(ToolCalls([SEARCH]), Text(SUMMARY))
    with serve_chat(responder=script, required_headers=required) as chat:
        engine = make_engine(tmp_path, embedder, chat, llm_headers={"x-project": "sre"})
        answer, _ = ask(engine)
        requests = chat.chat_requests

    assert answer.mode == "llm", answer.fallback_reason
    assert SUMMARY in answer.answer
    assert len(agent_bodies(requests)) == 2
    for request in requests:
        assert request.headers["x-project"] == "sre"
        assert request.headers["authorization"] == "Bearer sk-test"


def test_a_missing_header_is_an_http_error_not_a_crash(tmp_path: Path, embedder: Any) -> None:
    with serve_chat(responder=Script(Text(SUMMARY)), required_headers={"x-project": "sre"}) as chat:
        engine = make_engine(tmp_path, embedder, chat)  # no llm_headers
        answer, events = ask(engine)
    assert_offline_fallback(answer, events, "HTTP 401")


# --- Bedrock -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "no-stream"])
def test_bedrock_tool_call_and_answer(
    tmp_path: Path, embedder: Any, monkeypatch: pytest.MonkeyPatch, stream: bool
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with serve_bedrock(responder=Script(ToolCalls([SEARCH]), Text(SUMMARY))) as fake:
        engine = make_engine(
            tmp_path,
            embedder,
            llm_backend="bedrock",
            bedrock_model=BEDROCK_MODEL,
            bedrock_endpoint_url=fake.base_url,
            llm_stream=stream,
        )
        answer, events = ask(engine)
        bodies = agent_bodies(fake.requests)
        paths = [r.path for r in fake.requests if r.body.get("toolConfig")]

    assert answer.mode == "llm", answer.fallback_reason
    assert "Bedrock" in answer.backend
    assert SUMMARY in answer.answer
    assert answer.tool_calls[0].tool == "search_logstore" and answer.tool_calls[0].ok
    assert len(bodies) == 2
    assert all(p.endswith("/converse-stream" if stream else "/converse") for p in paths)
    assert "GetMembership timing out (DEADLINE_EXCEEDED)" in all_text(bodies[0])  # the system prompt
    results = [
        block["toolResult"]
        for m in bodies[1]["messages"]
        for block in m.get("content", [])
        if "toolResult" in block
    ]
    assert results and "DEADLINE_EXCEEDED" in json.dumps(results)
    if stream:
        assert "".join(e.message for e in events if e.kind == "answer_delta") == SUMMARY


def test_a_turn_cut_short_leaves_a_history_the_next_turn_can_send(tmp_path: Path, embedder: Any) -> None:
    """The LLM dies after asking for a tool: the history must not keep a tool call without its result
    (endpoints reject such a history on every later turn); the next turn works and sends none."""
    script = Script(ToolCalls([SEARCH]), Error(500, "gateway fell over"), Text(SUMMARY))
    with serve_chat(responder=script) as chat:
        engine = make_engine(tmp_path, embedder, chat)
        first, _ = ask(engine)
        history = asyncio.run(engine.memories.history("s1"))
        second, _ = ask(engine, "and now?")
        last = agent_bodies(chat.chat_requests)[-1]["messages"]
    assert first.mode == "offline" and "HTTP 500" in (first.fallback_reason or "")
    assert second.mode == "llm", second.fallback_reason
    answered = {m.get("tool_call_id") for m in last if m.get("role") == "tool"}
    asked = {c["id"] for m in last if m.get("role") == "assistant" for c in (m.get("tool_calls") or [])}
    assert asked <= answered, "every tool call in the history has its result"
    assert QUESTION in json.dumps(last), "the failed turn's question is still in the thread's history"
    # The failed turn is in the history once: its question and the offline answer, nothing half-done.
    assert [m.role.value for m in history] == ["user", "assistant"]
    assert "Offline triage" in str(history[1].content)


def test_replay_through_the_llm_records_its_tool_calls_and_answers(tmp_path: Path, embedder: Any) -> None:
    """`replay` without --retrieval-only sends every turn through the agent: the report carries the
    LLM's answers, the tools it chose with their arguments, and the lines those tools surfaced."""
    from sre_agent.replay.incidents import load_incident
    from sre_agent.replay.runner import replay_incident

    def llm(body: dict[str, Any]) -> Reply:
        if not body.get("tools"):
            return NO_TERMS
        messages = body["messages"]
        if messages[-1]["role"] == "tool":
            return Text(
                "**Summary**: DEADLINE_EXCEEDED from DynamoDB throttling (ProvisionedThroughputExceeded)."
            )
        if any(m["role"] == "tool" for m in messages):  # a follow-up: search what is stored
            return ToolCalls([ToolCallSpec("retrieve_stored_logs", {"query": str(messages[-1]["content"])})])
        return ToolCalls([SEARCH])

    incident = load_incident(THROTTLING.parent)
    with serve_chat(responder=llm) as chat:
        engine = make_engine(tmp_path, embedder, chat)
        report = asyncio.run(replay_incident(engine, incident, retrieval_only=False))
    assert len(report.turns) == len(incident.turns)
    first, second = report.turns[0], report.turns[1]
    assert first.tool_calls[0]["tool"] == "search_logstore"
    assert first.tool_calls[0]["args"]["method"] == "GetMembership" and first.tool_calls[0]["ok"]
    assert second.tool_calls[0]["tool"] == "retrieve_stored_logs"
    assert all("**Summary**" in t.answer and "Tools run:" in t.answer for t in report.turns)
    assert first.retrieved_lines and first.mentions_hit is not None and first.mentions_hit > 0


def test_arguments_cannot_switch_which_tool_runs(tmp_path: Path, embedder: Any) -> None:
    """A model that slips a '_name' (or any unknown key) into its arguments gets an error from the tool
    it called; no other tool runs."""
    sneaky = ToolCallSpec("retrieve_stored_logs", {"query": "errors", "_name": "search_panic_logs"})
    with serve_chat(responder=Script(ToolCalls([SEARCH]), ToolCalls([sneaky]), Text(SUMMARY))) as chat:
        engine = make_engine(tmp_path, embedder, chat)
        answer, _ = ask(engine)
        last = agent_bodies(chat.chat_requests)[-1]
    assert [c.tool for c in answer.tool_calls] == ["search_logstore", "retrieve_stored_logs"]
    assert answer.tool_calls[1].ok is False and "'_name' is not a parameter" in answer.tool_calls[1].error
    assert "panic_logs_prod" not in engine.store.list_tables("s1")
    assert "'_name' is not a parameter" in tool_messages(last)[-1]


def test_a_slow_refine_call_does_not_hold_the_search_up(tmp_path: Path, embedder: Any) -> None:
    """The refine step only adds search terms: when the LLM is slow it gets one short try, then the
    rules go on alone and the turn still ends with the LLM's answer."""
    slow_side = Delay(30, then=NO_TERMS)
    with serve_chat(responder=Script(ToolCalls([SEARCH]), Text(SUMMARY), side=slow_side)) as chat:
        engine = make_engine(tmp_path, embedder, chat, llm_refine_timeout=0.5)
        answer, _ = ask(engine)
        refine_calls = [r for r in chat.chat_requests if not r.body.get("tools")]
    assert answer.mode == "llm", answer.fallback_reason
    assert answer.tool_calls[0].ok and answer.lines
    assert len(refine_calls) == 1  # no retries of an optional call
    assert answer.tool_calls[0].seconds < 20  # it did not wait the 30 s the LLM took


def test_quotes_the_tools_never_returned_are_flagged(tmp_path: Path, embedder: Any) -> None:
    """The prompt forbids invented log lines; the footer names any Evidence quote no tool returned."""
    invented = "DynamoDB table memberships deleted by operator bob"
    real = "context deadline exceeded (deadline 800ms) while retrying DynamoDB GetItem"
    text = (
        f"**Summary**: throttling.\n\n**Evidence**:\n- `{real}` ×64\n- `{invented}`\n\n"
        "**Next steps**: run `aws dynamodb describe-table --table-name memberships`"
    )
    with serve_chat(responder=Script(ToolCalls([SEARCH]), Text(text))) as chat:
        engine = make_engine(tmp_path, embedder, chat)
        answer, _ = ask(engine)
    assert answer.mode == "llm"
    assert "in no tool output" in answer.footer
    assert invented in answer.footer
    assert real not in answer.footer  # a true quote passes
    assert "describe-table" not in answer.footer  # a suggested command is not a quote of the logs

"""Everything that leaves a tool is redacted, through the registry: secrets planted in every source a
tool reads (DynamoDB on moto's server, the admin API's fake on 127.0.0.1, code files of a git repo,
a log file) appear in none of the tool outputs, the run trace on disk, the chat memory database, or
the bodies sent to the (fake, OpenAI-compatible) LLM; nor does a tool that forgets to redact leak."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes.admin_server import FakeAdmin, serve_admin
from fakes.aws import client, create_memberships_table, moto_endpoint
from fakes.chat_server import Reply, Text, ToolCalls, ToolCallSpec, serve_chat
from paths import ROOT
from pydantic import BaseModel

from sre_agent.engine import Engine
from sre_agent.settings import Settings
from sre_agent.tools import ToolContext, ToolOutput, ToolRegistry, ToolSpec, default_registry
from sre_agent.trace.recorder import recording
from sre_agent.trace.store import TraceStore

EMAIL = "planted.person@example.org"
BEARER = "Zm9vYmFyUGxhbnRlZDEyMzQ1Njc4OQ"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPLANTED01"
CARD = "4111 1111 1111 1111"
PASSWORD = "Tr0ub4dor-planted-77"
#: What must never be found: each planted value (the card also without its spaces).
PLANTED = [EMAIL, BEARER, AWS_SECRET, CARD, CARD.replace(" ", ""), PASSWORD]
#: The planted values in one line of free text, as a log line or a comment would hold them.
SENTENCE = (
    f"user {EMAIL} sent Authorization: Bearer {BEARER} with aws_secret_access_key={AWS_SECRET}, "
    f"paid with card {CARD}, password={PASSWORD}"
)


def leaks(text: str) -> list[str]:
    """The planted values found in `text`."""
    return [value for value in PLANTED if value in text]


# --- the sources ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dynamo() -> Iterator[str]:
    """moto's DynamoDB with the membership table; user 123's item in district 12 holds every secret.
    moto keeps its tables per process, not per server: they are reset before and after, so other
    modules' tables of the same name neither clash with these nor see them."""
    with moto_endpoint() as endpoint:
        reset = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
        urllib.request.urlopen(reset, timeout=10).close()
        ddb = client("dynamodb", endpoint)
        create_memberships_table(ddb)
        ddb.put_item(
            TableName="memberships",
            Item={
                "district_id": {"N": "12"},
                "user_id": {"N": "123"},
                "role": {"S": "editor"},
                "contact": {"S": EMAIL},
                "last_auth": {"S": f"Bearer {BEARER}"},
                "aws_secret_access_key": {"S": AWS_SECRET},
                "note": {"S": f"paid with card {CARD}"},
                "password": {"S": PASSWORD},
            },
        )
        yield endpoint
        urllib.request.urlopen(reset, timeout=10).close()


@pytest.fixture
def sources(dynamo: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAdmin]:
    """DynamoDB and the admin API set up for the membership service (its config names the variables)."""
    monkeypatch.setenv("MEMBERSHIP_DYNAMODB_ENDPOINT", dynamo)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "t")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "t")
    with serve_admin() as admin:
        monkeypatch.setenv("MEMBERSHIP_ADMIN_URL", admin.base_url)
        monkeypatch.setenv("MEMBERSHIP_ADMIN_TOKEN", "admin-token-of-the-test")
        yield admin


def admin_body() -> dict[str, Any]:
    """The admin API's answer for user 123: every secret inside a field the config keeps."""
    membership = {
        "district": 12,
        "role": "editor",
        "email": EMAIL,
        "headers": f"Authorization: Bearer {BEARER}",
        "aws_secret_access_key": AWS_SECRET,
        "note": f"paid with card {CARD}",
        "password": PASSWORD,
    }
    return {"user_id": 123, "memberships": [membership]}


def code_repo(path: Path) -> Path:
    """A git repository whose one module hard-codes every secret."""
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    (path / "billing.py").write_text(
        f'AWS_SECRET_ACCESS_KEY = "{AWS_SECRET}"\n'
        f'DB_PASSWORD = "{PASSWORD}"\n'
        f'SUPPORT_EMAIL = "{EMAIL}"\n'
        f'TEST_CARD = "{CARD}"\n'
        f'AUTH_HEADER = "Authorization: Bearer {BEARER}"\n\n\n'
        "def charge_membership(user_id):\n"
        '    """Charge the membership fee of a user with the billing account."""\n'
        "    return AUTH_HEADER, DB_PASSWORD\n",
        encoding="utf-8",
    )
    subprocess.run(["git", "-C", str(path), "add", "-A"], check=True)
    return path


def log_file(path: Path) -> Path:
    """Three membership log lines; the error one holds every secret in its message."""
    base = {"service": "membership", "method": "GetMembership", "env": "prod", "host": "membership-1"}
    lines = [
        {
            **base,
            "timestamp": "2024-03-12T13:50:00Z",
            "level": "INFO",
            "message": "GetMembership OK for user 7",
        },
        {
            **base,
            "timestamp": "2024-03-12T13:51:00Z",
            "level": "ERROR",
            "message": f"charge failed: {SENTENCE}",
        },
        {
            **base,
            "timestamp": "2024-03-12T13:52:00Z",
            "level": "INFO",
            "message": "GetMembership OK for user 8",
        },
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def indexed_engine(tmp_path: Path, embedder: Any, **settings: Any) -> Engine:
    engine = Engine(
        Settings(data_dir=tmp_path / "data", configs_dir=ROOT / "configs", **settings), embedder=embedder
    )
    engine.code_index.index(code_repo(tmp_path / "billing-repo"), "billing")
    return engine


# --- what was written where ---------------------------------------------------------------------


def trace_text(data: Path) -> str:
    """Every run trace on disk and the runs index, as text."""
    runs = data / "runs"
    texts = [p.read_text(encoding="utf-8") for p in sorted(runs.glob("*.json"))]
    assert texts, "no run trace was written"
    with sqlite3.connect(runs / "runs.db") as db:
        texts += [json.dumps(row) for row in db.execute("SELECT * FROM runs")]
    return "\n".join(texts)


def memory_text(data: Path) -> str:
    """Every row of the chat memory database, as text (and the file's raw bytes, for good measure)."""
    with sqlite3.connect(data / "memory.db") as db:
        rows = [json.dumps(row) for row in db.execute("SELECT * FROM sre_agent_memory")]
    assert rows, "nothing was remembered"
    return "\n".join(rows) + (data / "memory.db").read_bytes().decode("utf-8", "replace")


# --- the registry's guarantee ---------------------------------------------------------------------


class _Args(BaseModel):
    note: str = ""


async def _careless(ctx: ToolContext, args: _Args) -> ToolOutput:
    """A tool that returns what it read in clear, everywhere an output can hold text."""
    return ToolOutput(
        header=SENTENCE, items=[SENTENCE], values=[{"said": SENTENCE}], summary=SENTENCE, scope=SENTENCE
    )


async def _failing(ctx: ToolContext, args: _Args) -> ToolOutput:
    raise RuntimeError(f"could not parse {SENTENCE}")


def test_a_tool_that_forgets_to_redact_still_returns_and_records_nothing_in_clear(
    engine: Engine, tmp_path: Path
) -> None:
    registry = ToolRegistry(
        [
            ToolSpec("careless", "returns secrets", _Args, _careless),
            ToolSpec("failing", "fails", _Args, _failing),
        ]
    )
    ctx = ToolContext(engine=engine, session="careless", service="membership")
    store = TraceStore(tmp_path / "runs")
    with recording(store, run_id="careless-run", kind="ask", question="q", session="careless"):
        result = asyncio.run(registry.call(ctx, "careless", {"note": f"for {EMAIL}"}))
        failed = asyncio.run(registry.call(ctx, "failing", {}))
    assert result.ok and not failed.ok
    for outcome in (result, failed, *ctx.results):
        assert leaks(outcome.model_dump_json()) == []
    assert "[EMAIL]" in result.text and "[PASSWORD]" in result.text and "[CARD]" in result.text
    assert result.args == {"note": "for [EMAIL]"}
    assert "could not parse" in failed.error
    written = store.path("careless-run").read_text(encoding="utf-8")
    assert "[EMAIL]" in written and leaks(written) == []


def test_every_tool_called_through_the_registry_returns_only_redacted_values(
    sources: FakeAdmin, tmp_path: Path, embedder: Any
) -> None:
    engine = indexed_engine(tmp_path, embedder)
    sources.answer(body=admin_body())
    ctx = ToolContext(engine=engine, session="tools", service="membership")
    registry = default_registry()
    calls = {
        "search_aws_cli": {
            "operation": "GetItem",
            "table": "memberships",
            "partition_value": 12,
            "sort_value": 123,
        },
        "search_admin_apis": {"endpoint": "user_memberships", "params": {"user_id": 123}},
        "search_codebase": {"query": "charge the membership fee with the billing account"},
    }
    for name, args in calls.items():
        result = asyncio.run(registry.call(ctx, name, args))
        assert result.ok, result.error
        assert leaks(result.model_dump_json()) == [], name
        assert "[PASSWORD]" in result.text, f"{name} did not read the planted source:\n{result.text}"
    assert sources.requests[0][0] == "/v1/users/123/memberships"


# --- a whole turn -----------------------------------------------------------------------------------


QUESTION = f"what does the memberships table hold for user 123, and where is the billing code? ({EMAIL})"
TOOL_CALLS = ToolCalls(
    [
        ToolCallSpec(
            "search_aws_cli",
            {"operation": "GetItem", "table": "memberships", "partition_value": 12, "sort_value": 123},
        ),
        ToolCallSpec("search_admin_apis", {"endpoint": "user_memberships", "params": {"user_id": 123}}),
        ToolCallSpec("search_codebase", {"query": "charge the membership fee with the billing account"}),
        ToolCallSpec("search_logstore", {"method": "GetMembership", "query": "charge failed"}),
    ]
)


class Scripted:
    """Answers the agent's calls (they offer tools) in order; a side call (the refine step's plain
    chat) finds no terms, so the script does not depend on how many side calls a tool makes."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)

    def __call__(self, body: dict[str, Any]) -> Reply:
        if not body.get("tools"):
            return Text('{"terms": []}')
        return self.replies.pop(0) if self.replies else Text("(script exhausted)")


#: The model's answer repeats a secret it was never shown: memory and trace must not keep it.
ANSWER = f"**Summary**: user 123 is an editor of district 12; write to {EMAIL} (password={PASSWORD})."


def test_an_llm_turn_sends_records_and_remembers_no_planted_value(
    sources: FakeAdmin, tmp_path: Path, embedder: Any
) -> None:
    sources.answer(body=admin_body())
    logs = log_file(tmp_path / "membership.jsonl")
    with serve_chat(responder=Scripted(TOOL_CALLS, Text(ANSWER), Text("The same user as before."))) as chat:
        engine = indexed_engine(
            tmp_path, embedder, llm_base_url=chat.base_url, llm_api_key="sk-test", llm_max_retries=0
        )
        first = asyncio.run(engine.ask(QUESTION, session="t1", logs=logs, service="membership"))
        second = asyncio.run(
            engine.ask("and the same user again?", session="t1", logs=logs, service="membership")
        )
        bodies = [json.dumps(r.body, ensure_ascii=False) for r in chat.chat_requests]

    assert first.mode == "llm" and second.mode == "llm", first.fallback_reason
    assert sorted(c.tool for c in first.tool_calls) == sorted(s.name for s in TOOL_CALLS.calls)
    assert all(c.ok for c in first.tool_calls), [c.error for c in first.tool_calls]
    for call in first.tool_calls:
        assert leaks(call.model_dump_json()) == [], call.tool
    sent = "\n".join(bodies)
    assert sent.count("[PASSWORD]") >= 4, "every tool's output reached the model, redacted"
    assert leaks(sent) == []
    data = engine.settings.data_dir
    assert "[EMAIL]" in trace_text(data) and leaks(trace_text(data)) == []
    assert "[PASSWORD]" in memory_text(data) and leaks(memory_text(data)) == []


def test_an_offline_turn_answers_records_and_remembers_no_planted_value(
    sources: FakeAdmin, tmp_path: Path, embedder: Any
) -> None:
    sources.answer(body=admin_body())
    engine = indexed_engine(tmp_path, embedder)
    logs = log_file(tmp_path / "membership.jsonl")
    answer = asyncio.run(engine.ask(QUESTION, session="o1", logs=logs, service="membership"))

    assert answer.mode == "offline"
    ran = {c.tool for c in answer.tool_calls if c.ok}
    assert {"search_aws_cli", "search_admin_apis", "search_codebase"} <= ran, answer.tool_calls
    assert "**DynamoDB**" in answer.answer and "**Admin API**" in answer.answer
    assert leaks(answer.answer) == []
    data = engine.settings.data_dir
    assert leaks(trace_text(data)) == []
    assert leaks(memory_text(data)) == []

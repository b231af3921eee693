"""The admin API tool against a local HTTP server: only declared endpoints, parameters checked
before any request, the token sent, 500s retried then reported, timeouts reported, big answers
capped, fields trimmed and redacted; the offline triage looks a named user up."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.admin_server import FakeAdmin, serve_admin
from paths import ROOT

from sre_agent.configs import AdminApi
from sre_agent.connectors.admin_api import AdminApiClient
from sre_agent.engine import Engine
from sre_agent.errors import ConnectorError
from sre_agent.settings import Settings
from sre_agent.tools import ToolContext, default_registry

THROTTLING = ROOT / "incidents" / "membership-dynamodb-throttling" / "logs.jsonl"


@pytest.fixture
def admin(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAdmin]:
    with serve_admin() as fake:
        monkeypatch.setenv("MEMBERSHIP_ADMIN_URL", fake.base_url)
        monkeypatch.setenv("MEMBERSHIP_ADMIN_TOKEN", "s3cr3t-admin-token")
        yield fake


def _call(engine: Engine, args: dict) -> object:
    ctx = ToolContext(engine=engine, session="admin-tests", logstore=None, service="membership")
    return asyncio.run(default_registry().call(ctx, "search_admin_apis", args))


def test_a_declared_endpoint_is_called_with_the_token_and_its_answer_trimmed(
    engine: Engine, admin: FakeAdmin
) -> None:
    admin.answer(
        body={
            "user_id": 123,
            "memberships": [{"district": 12, "role": "editor", "contact": "ann@example.com"}],
            "internal_notes": "not for the model",
        }
    )
    result = _call(engine, {"endpoint": "user_memberships", "params": {"user_id": 123}})
    assert result.ok, result.error
    path, headers = admin.requests[0]
    assert path == "/v1/users/123/memberships" and headers["authorization"] == "Bearer s3cr3t-admin-token"
    assert '"district": 12' in result.text and "editor" in result.text
    assert "internal_notes" not in result.text  # only the fields the config keeps
    assert "ann@example.com" not in result.text  # redacted
    assert "s3cr3t" not in result.text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"endpoint": "delete_user", "params": {"user_id": 1}}, "has no endpoint 'delete_user'"),
        ({"endpoint": "user_memberships", "params": {"user_id": "1; DROP TABLE"}}, "must be an integer"),
        ({"endpoint": "user_memberships", "params": {}}, "'user_id' is required"),
        (
            {"endpoint": "user_memberships", "params": {"user_id": 1, "admin": True}},
            "unknown parameter 'admin'",
        ),
        (
            {"endpoint": "user_memberships", "params": {"user_id": 1}, "method": "POST"},
            "'method' is not a parameter",
        ),
    ],
)
def test_undeclared_endpoints_and_bad_parameters_are_refused_before_any_request(
    engine: Engine, admin: FakeAdmin, args: dict, message: str
) -> None:
    result = _call(engine, args)
    assert not result.ok and message in result.error
    assert admin.requests == []


def test_a_500_is_retried_then_reported(engine: Engine, admin: FakeAdmin) -> None:
    for _ in range(3):
        admin.answer(500, {"error": "boom"})
    result = _call(engine, {"endpoint": "user_memberships", "params": {"user_id": 7}})
    assert not result.ok and "failed 3 times: HTTP 500" in result.error
    assert len(admin.requests) == 3
    admin.answer(500, {"error": "boom"})
    admin.answer(200, {"user_id": 7, "memberships": []})
    assert _call(engine, {"endpoint": "user_memberships", "params": {"user_id": 7}}).ok  # a retry got through


def test_a_timeout_is_reported_and_a_big_answer_is_capped(admin: FakeAdmin) -> None:
    api = AdminApi.model_validate(
        {
            "base_url_env": "MEMBERSHIP_ADMIN_URL",
            "timeout": 0.3,
            "max_bytes": 2048,
            "endpoints": [{"name": "dump", "path": "/v1/dump"}],
        }
    )
    client = AdminApiClient("membership", api)
    for _ in range(3):
        admin.answer(body={"slow": True}, delay=1.0)
    started = time.monotonic()
    with pytest.raises(ConnectorError, match="no answer within 0s|no answer within"):
        client.call("dump", {})
    assert time.monotonic() - started < 3.0  # 3 attempts of 0.3 s and short waits, not a hang
    admin.answer(raw=b'{"rows": "' + b"x" * 100_000 + b'"}')
    response = client.call("dump", {})
    assert response.truncated and len(response.data) == 2048


def test_offline_triage_looks_up_the_user_the_question_names(
    tmp_path: Path, embedder, admin: FakeAdmin
) -> None:
    engine = Engine(Settings(data_dir=tmp_path / "data", configs_dir=ROOT / "configs"), embedder=embedder)
    admin.answer(body={"user_id": 123, "memberships": [{"district": 12, "role": "editor"}]})
    answer = asyncio.run(
        engine.ask("why is GetMembership failing for user 123 in prod?", session="adm", logs=THROTTLING)
    )
    assert "search_admin_apis" in [c.tool for c in answer.tool_calls]
    section = answer.answer.split("**Admin API**", 1)[1].split("**Next steps**", 1)[0]
    assert '"role": "editor"' in section
    assert admin.requests[0][0] == "/v1/users/123/memberships"


def test_without_the_admin_url_set_the_triage_does_not_call_it(tmp_path: Path, embedder, monkeypatch) -> None:
    monkeypatch.delenv("MEMBERSHIP_ADMIN_URL", raising=False)
    engine = Engine(Settings(data_dir=tmp_path / "data", configs_dir=ROOT / "configs"), embedder=embedder)
    answer = asyncio.run(
        engine.ask("why is GetMembership failing for user 123 in prod?", session="adm2", logs=THROTTLING)
    )
    assert "search_admin_apis" not in [c.tool for c in answer.tool_calls]
    assert "admin API: not called" in answer.answer


def test_the_tool_command_calls_it_with_json_params(admin: FakeAdmin, cli_env: Path) -> None:
    from typer.testing import CliRunner

    from sre_agent.cli import app

    admin.answer(body={"user_id": 5, "memberships": [{"district": 3, "role": "viewer"}]})
    args = ["tool", "search_admin_apis", "--service", "membership", "--arg", "endpoint=user_memberships"]
    result = CliRunner().invoke(app, [*args, "--arg", 'params={"user_id": 5}'])
    assert result.exit_code == 0, result.output
    assert '"role": "viewer"' in result.output and admin.requests[0][0] == "/v1/users/5/memberships"

"""The agent's log tools as the model calls them: real engine, real LanceDB, the throttling snapshot."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from paths import ROOT

from sre_agent.connectors.file import FileLogstore
from sre_agent.engine import Engine
from sre_agent.settings import Settings
from sre_agent.tools import ToolContext, ToolResult, default_registry

LOGS = ROOT / "incidents" / "membership-dynamodb-throttling" / "logs.jsonl"
RECORDS = [json.loads(line) for line in LOGS.read_text(encoding="utf-8").splitlines() if line.strip()]
TOOLS = (
    "search_logstore",
    "get_all_logs_for_request_id",
    "search_panic_logs",
    "retrieve_stored_logs",
    "summarize_stored_logs",
)


def _request_with_most_lines() -> tuple[str, int]:
    counts: dict[str, int] = {}
    for record in RECORDS:
        if record.get("request_id"):
            counts[record["request_id"]] = counts.get(record["request_id"], 0) + 1
    request_id = max(counts, key=lambda r: (counts[r], r))
    return request_id, counts[request_id]


def _planted_emails() -> set[str]:
    pattern = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}")
    return {m for line in LOGS.read_text(encoding="utf-8").splitlines() for m in pattern.findall(line)}


def _ctx(engine: Engine, session: str, *, logstore: bool = True, **kwargs: Any) -> ToolContext:
    store = FileLogstore(LOGS)
    span = store.span()
    assert span is not None
    return ToolContext(
        engine=engine,
        session=session,
        logstore=store if logstore else None,
        service=kwargs.pop("service", "membership"),
        now=span.end,
        default_window=span,
        **kwargs,
    )


def _call(ctx: ToolContext, name: str, args: dict[str, Any]) -> ToolResult:
    return asyncio.run(default_registry().call(ctx, name, args))


def _shown(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"\d+\. \[", line)]


@pytest.fixture(scope="module")
def tools_engine(tmp_path_factory: pytest.TempPathFactory, embedder) -> Engine:
    """One engine for the module: every test works in its own session of it."""
    data = tmp_path_factory.mktemp("tools-data")
    return Engine(Settings(data_dir=data, configs_dir=ROOT / "configs"), embedder=embedder)


@pytest.fixture(scope="module")
def fetched(tools_engine: Engine) -> ToolResult:
    """search_logstore for GetMembership, once, in session 'fetched'."""
    ctx = _ctx(tools_engine, "fetched")
    return _call(ctx, "search_logstore", {"method": "GetMembership", "query": "deadline exceeded"})


def test_search_logstore_stores_the_method_table_and_returns_counted_lines(
    tools_engine: Engine, fetched: ToolResult
) -> None:
    assert fetched.ok, fetched.error
    assert tools_engine.store.list_tables("fetched") == ["logs_getmembership_prod"]
    method_records = sum(1 for r in RECORDS if r.get("method") == "GetMembership" and r.get("env") == "prod")
    assert fetched.counts["fetched"] == method_records
    assert tools_engine.store.count("fetched", "logs_getmembership_prod") > 0
    assert fetched.lines and fetched.counts["lines"] == len(fetched.lines)
    assert all(line.method == "GetMembership" for line in fetched.lines)
    top = fetched.lines[0]
    assert "DEADLINE_EXCEEDED" in top.message and top.count > 1
    shown = _shown(fetched.text)
    assert len(shown) == len(fetched.lines)
    assert f"×{top.count}" in shown[0] and "DEADLINE_EXCEEDED" in shown[0]
    assert "logs_getmembership_prod" in fetched.text  # the model is told what was searched
    record = fetched.record()
    assert record["tool"] == "search_logstore" and record["ok"] is True
    assert record["args"]["method"] == "GetMembership" and record["args"]["query"] == "deadline exceeded"
    assert record["lines"] == len(fetched.lines)


@pytest.mark.parametrize(
    "window",
    ["between 2024-03-10 00:00 and 2024-03-12 14:00", "last 3 days"],
)
def test_a_window_wider_than_the_bound_is_refused(tools_engine: Engine, window: str) -> None:
    ctx = _ctx(tools_engine, "bounds-window", max_window_hours=24.0)
    result = _call(ctx, "search_logstore", {"method": "GetMembership", "query": "errors", "window": window})
    assert result.ok is False, result.text
    assert "window" in result.error and "24 h" in result.error
    assert result.text.startswith("error:")
    assert "bounds-window" not in tools_engine.store.list_sessions()  # nothing was fetched


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("search_logstore", {"query": "errors", "limit": 500}, ["'limit'", "50"]),
        (
            "search_logstore",
            {"query": "errors", "methd": "GetMembership"},
            ["'methd'", "method, user_id, environment, window, query, limit"],
        ),
        (
            "search_logstore",
            {"query": "errors", "method": "GetMembersihp"},
            ["'GetMembersihp'", "GetMembership", "ListMemberships", "BatchGetMemberships"],
        ),
        ("search_logstore", {"query": "errors", "environment": "qa"}, ["'qa'", "prod, staging, dev"]),
        ("search_panic_logs", {"environment": "qa"}, ["'qa'", "prod"]),
        ("search_logstore", {"method": "GetMembership"}, ["'query'", "required"]),
        ("get_all_logs_for_request_id", {}, ["'request_id'", "required"]),
        ("retrieve_stored_logs", {"query": "x", "min_level": "LOUD"}, ["min_level", "'LOUD'"]),
        ("search_the_web", {"query": "errors"}, ["search_the_web", *TOOLS]),
    ],
)
def test_bad_calls_come_back_as_readable_errors(
    tools_engine: Engine, fetched: ToolResult, name: str, args: dict[str, Any], expected: list[str]
) -> None:
    ctx = _ctx(tools_engine, "fetched")
    result = _call(ctx, name, args)  # never raises
    assert result.ok is False
    assert result.error and all(part in result.error for part in expected), result.error
    assert result.text == f"error: {result.error}"
    assert result.record()["ok"] is False and result.record()["error"] == result.error
    assert ctx.results == [result]  # failed calls are recorded too


def test_without_a_logstore_fetching_tools_fail_readably(tools_engine: Engine) -> None:
    ctx = _ctx(tools_engine, "no-logstore", logstore=False)
    for name, args in (
        ("search_logstore", {"method": "GetMembership", "query": "errors"}),
        ("search_panic_logs", {}),
        ("get_all_logs_for_request_id", {"request_id": "req-1"}),
    ):
        result = _call(ctx, name, args)
        assert result.ok is False
        assert "no logstore" in result.error and "retrieve_stored_logs" in result.error, result.error
    empty = _call(ctx, "retrieve_stored_logs", {"query": "errors"})
    assert empty.ok is False
    assert "stored no logs" in empty.error and "search_logstore" in empty.error, empty.error


def test_request_id_returns_every_line_in_time_order(tools_engine: Engine) -> None:
    request_id, expected = _request_with_most_lines()
    assert expected >= 5
    ctx = _ctx(tools_engine, "request")
    result = _call(ctx, "get_all_logs_for_request_id", {"request_id": request_id})
    assert result.ok, result.error
    table = f"req_{request_id.replace('-', '_')}_prod"
    assert tools_engine.store.list_tables("request") == [table]
    assert len(result.lines) == expected == result.counts["lines"]
    assert all(line.request_id == request_id for line in result.lines)
    seen = [line.first_seen for line in result.lines]
    assert seen == sorted(seen)
    own = sorted(r["timestamp"] for r in RECORDS if r.get("request_id") == request_id)
    assert f"{seen[0]:%H:%M:%S}" == own[0][11:19] and f"{seen[-1]:%H:%M:%S}" == own[-1][11:19]
    assert len(_shown(result.text)) == expected and request_id in result.text


def test_unknown_request_id_says_nothing_was_found(tools_engine: Engine) -> None:
    ctx = _ctx(tools_engine, "request-none")
    result = _call(ctx, "get_all_logs_for_request_id", {"request_id": "req-000000000000"})
    assert result.ok, result.error
    assert result.lines == [] and "no line of request req-000000000000" in result.text


def test_panic_search_returns_only_errors_and_fatals(tools_engine: Engine) -> None:
    ctx = _ctx(tools_engine, "panic")
    result = _call(ctx, "search_panic_logs", {})
    assert result.ok, result.error
    assert tools_engine.store.list_tables("panic") == ["panic_logs_prod"]
    assert result.lines
    assert {line.level for line in result.lines} <= {"ERROR", "FATAL"}
    assert any("DEADLINE_EXCEEDED" in line.message for line in result.lines)
    assert not any("[WARN]" in line or "[INFO]" in line for line in _shown(result.text))


def test_retrieve_stored_logs_searches_without_fetching_and_filters_by_user(
    tools_engine: Engine, fetched: ToolResult
) -> None:
    assert fetched.ok
    ctx = _ctx(tools_engine, "fetched", logstore=False)  # no logstore: it cannot fetch
    before = tools_engine.store.count("fetched", "logs_getmembership_prod")
    everyone = _call(ctx, "retrieve_stored_logs", {"query": "throttled DynamoDB"})
    assert everyone.ok, everyone.error
    assert everyone.counts["fetched"] == 0 and everyone.lines
    assert len({line.user_id for line in everyone.lines}) > 1
    one = _call(ctx, "retrieve_stored_logs", {"query": "throttled DynamoDB", "user_id": "123"})
    assert one.ok, one.error
    assert one.counts["fetched"] == 0 and one.lines
    assert {line.user_id for line in one.lines} == {"123"}
    assert any("DEADLINE_EXCEEDED" in line.message for line in one.lines)
    assert tools_engine.store.count("fetched", "logs_getmembership_prod") == before


def test_a_window_with_no_logs_is_an_empty_answer_not_an_error(tools_engine: Engine) -> None:
    """Before the incident there is nothing; saying so beats naming an internal table."""
    ctx = _ctx(tools_engine, "quiet-window")
    request_id, _ = _request_with_most_lines()
    assert _call(ctx, "get_all_logs_for_request_id", {"request_id": request_id}).ok
    result = _call(
        ctx, "search_logstore", {"query": "errors", "window": "between 2024-03-12 10:00 and 11:00"}
    )
    assert result.ok, result.error
    assert result.lines == [] and result.counts["fetched"] == 0


def test_output_is_cut_to_the_token_budget_with_a_marker(tmp_path: Path, embedder) -> None:
    settings = Settings(data_dir=tmp_path / "data", configs_dir=ROOT / "configs", tool_output_tokens=150)
    engine = Engine(settings, embedder=embedder)
    ctx = _ctx(engine, "budget")
    result = _call(ctx, "search_logstore", {"method": "GetMembership", "query": "errors", "limit": 20})
    assert result.ok, result.error
    last = result.text.splitlines()[-1]
    match = re.fullmatch(
        r"\[… truncated: (\d+) more items? not shown \(tool output budget 150 tokens\).*\]", last
    )
    assert match, last
    left = int(match.group(1))
    assert left > 0 and result.counts["truncated"] == left
    assert len(_shown(result.text)) + left == len(result.lines) == result.counts["lines"]
    assert len(result.lines) > 10  # the limit asked for more than the default


def test_tool_text_never_shows_the_planted_emails(tools_engine: Engine) -> None:
    emails = _planted_emails()
    assert emails, "the sample logs plant e-mail addresses"
    ctx = _ctx(tools_engine, "redaction")
    texts = [
        _call(
            ctx,
            "search_logstore",
            {"method": "GetMembership", "query": "INVALID_ARGUMENT user_id is not a numeric id", "limit": 50},
        ),
        _call(ctx, "retrieve_stored_logs", {"query": "rejected: user_id is not a numeric id"}),
    ]
    assert all(t.ok for t in texts), [t.error for t in texts]
    assert any("INVALID_ARGUMENT" in t.text for t in texts)  # the lines that carried them are shown
    for result in texts:
        for email in emails:
            assert email not in result.text
            assert all(email not in line.message and email != line.user_id for line in result.lines)


def test_summarize_stored_logs_groups_the_window_and_times_the_worst_pattern(
    tools_engine: Engine, fetched: ToolResult
) -> None:
    ctx = _ctx(tools_engine, "fetched")
    result = _call(ctx, "summarize_stored_logs", {"limit": 4})
    assert result.ok, result.error
    assert result.counts["lines"] == 1213 and result.counts["patterns"] > 4  # GetMembership's lines
    bullets = [line for line in result.text.splitlines() if line.startswith("- **")]
    assert len(bullets) == 4 and bullets[0].startswith("- **ERROR** ×64")  # errors first, each line once
    assert "more patterns not shown" in result.text
    assert "timeline of the worst pattern" in result.text and "14:05:54 first" in result.text

    narrow = _call(ctx, "summarize_stored_logs", {"window": "between 13:50 and 14:00"})
    assert narrow.ok and narrow.counts["lines"] < result.counts["lines"]
    assert "DEADLINE_EXCEEDED" not in narrow.text  # the trouble began at 14:05

    empty = _call(_ctx(tools_engine, "nothing-stored"), "summarize_stored_logs", {})
    assert empty.ok is False and "search_logstore" in empty.error


def test_a_window_holding_more_lines_than_are_read_is_read_newest_first_and_says_so(
    tools_engine: Engine, fetched: ToolResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The patterns, the suspects and the offline answer read at most PATTERN_SCAN_LIMIT lines of a
    window: the newest (the trouble is usually recent), never silently."""
    from sre_agent.tools import stored

    monkeypatch.setattr(stored, "PATTERN_SCAN_LIMIT", 1000)  # the session holds 1,213 lines
    ctx = _ctx(tools_engine, "fetched")
    every = tools_engine.store.scan("fetched")
    newest = every[-1000:]
    note = (
        "only the newest 1,000 stored lines of the window were read "
        f"(from {newest[0].timestamp:%Y-%m-%d %H:%M:%S} UTC on); older ones were not"
    )
    summary = _call(ctx, "summarize_stored_logs", {})
    assert summary.counts["lines"] == 1000 and summary.counts["older_unread"] == 1
    assert summary.text.splitlines()[0].startswith(f"1000 stored lines (all stored; {note}) fall into ")
    suspects = _call(ctx, "rank_suspects", {})
    assert suspects.suspects is not None and suspects.suspects.lines == 1000
    assert suspects.text.splitlines()[0].startswith(f"1000 stored lines (all stored; {note}); the trouble")
    assert stored.stored_rows(ctx, None).rows == newest

    monkeypatch.setattr(stored, "PATTERN_SCAN_LIMIT", 2000)
    whole = stored.stored_rows(ctx, None)
    assert whole.rows == every and whole.note() is None


def test_rank_suspects_names_the_service_and_the_config_change_before_the_onset(tools_engine: Engine) -> None:
    ctx = _ctx(tools_engine, "suspects")
    assert _call(ctx, "search_logstore", {"query": "what went wrong"}).ok  # every method, prod only
    result = _call(ctx, "rank_suspects", {"query": "why is GetMembership failing?"})
    assert result.ok, result.error
    ranking = result.suspects
    assert ranking is not None and ranking.calm_before
    assert [(s.kind, s.name) for s in ranking.suspects] == [
        ("service", "membership"),
        ("change", "config diff: dynamodb.max_retries changed from 3 to 8"),
    ]
    assert f"{ranking.onset:%H:%M:%S}" == "14:05:53"  # the first throttled read
    first = result.text.splitlines()[0]
    assert first.startswith("2317 stored lines (all stored); the trouble began about 2024-03-12 14:05:53 UTC")
    assert "Top suspect: the service **membership** (high confidence)" in first
    assert "2. **config diff: dynamodb.max_retries changed from 3 to 8** (change" in result.text
    assert "   - 14:03:05 `config diff: dynamodb.max_retries changed from 3 to 8`" in result.text

    before = _call(ctx, "rank_suspects", {"window": "between 13:50 and 14:00"})
    assert before.ok and before.counts["lines"] < ranking.lines
    assert "DynamoDB" not in before.text  # the window (and 15 min before it) ends before the trouble

    empty = _call(_ctx(tools_engine, "nothing-stored"), "rank_suspects", {})
    assert empty.ok is False and "search_logstore" in empty.error

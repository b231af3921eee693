"""Service names as logs carry them, and the fetch that relaxes its filters instead of coming back
silently empty: the matching rules, the config's `log_names`, the relaxation and the facets, over
the file logstore and a real HTTP logstore on localhost."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from test_logstores import serve

from sre_agent.configs import HttpLogstoreConfig, ServiceConfig, load_service_configs
from sre_agent.connectors.file import FileLogstore
from sre_agent.connectors.http_logstore import HttpLogstore
from sre_agent.connectors.names import method_matches, service_key, service_matches
from sre_agent.connectors.relax import fetch_relaxed
from sre_agent.errors import ConfigError
from sre_agent.models import LogQuery, TimeWindow
from sre_agent.workflows.log_search import with_config


def _record(minute: int, **fields: Any) -> dict[str, Any]:
    base = {
        "timestamp": f"2024-05-01T10:{minute:02d}:00Z",
        "level": "INFO",
        "message": f"GetMembership OK (call {minute})",
        "service": "membership-api",
        "method": "GetMembership",
        "env": "prod",
        "host": "membership-api-7d9f-abc12",
    }
    return {**base, **fields}


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("membership", "membership"),
        ("Membership-API", "membership"),
        ("membership-svc", "membership"),
        ("membership_service", "membership"),
        ("membership-server", "membership"),
        ("membership-worker", "membership"),
        ("membership-api-server", "membership"),
        ("membership-7d9f-abc12", "membership"),
        ("membership-5f6b7c8d9-x2x4z", "membership"),
        ("membership-api-5f6b7c8d9-x2x4z", "membership"),
        ("membership-0", "membership"),
        ("membership-cache", "membership-cache"),
        ("billing-api", "billing"),
        ("api", "api"),
    ],
)
def test_service_key_strips_case_role_and_pod_suffixes(name: str, key: str) -> None:
    assert service_key(name) == key


def test_service_matching_accepts_suffixes_and_declared_names_only() -> None:
    assert service_matches("MEMBERSHIP-api", "membership")
    assert service_matches("membership-5f6b7c8d9-x2x4z", "membership")
    assert not service_matches("membership-cache", "membership")
    assert not service_matches("billing-api", "membership")
    assert not service_matches("identity-gateway", "membership")
    assert service_matches("identity-gateway", "membership", ["identity-*"])
    assert service_matches("Identity-Gateway", "membership", ["identity-gateway"])
    assert not service_matches("identity-gateway", "membership", ["identity-gw"])
    assert method_matches("/membership.v1.Membership/GetMembership", "GetMembership")
    assert method_matches("getmembership", "GetMembership")
    assert not method_matches("GetMembershipV2", "GetMembership")


def test_a_config_declares_the_names_its_service_carries_in_logs(tmp_path: Path) -> None:
    logs = _write(tmp_path / "logs.jsonl", [_record(1, service="idgw-eu1"), _record(2, service="billing")])
    config = ServiceConfig(name="membership", log_names=["idgw-*"])
    query = with_config(LogQuery(service="membership"), config)
    assert query.service_names == ["idgw-*"]
    result = fetch_relaxed(FileLogstore(logs), query)
    assert [r.service for r in result.records] == ["idgw-eu1"]
    assert result.report.sentences() == ["service=membership matched the names these logs use: idgw-eu1 ×1"]
    # Without the config's names, the same fetch has to drop the service filter, and says so.
    bare = fetch_relaxed(FileLogstore(logs), LogQuery(service="membership"))
    assert len(bare.records) == 2
    assert bare.report.sentences() == [
        "no record said service=membership; 1 record said billing, 1 said idgw-eu1, "
        "so I dropped the service filter"
    ]


def test_relaxation_goes_service_then_environment_then_method(tmp_path: Path) -> None:
    logs = _write(
        tmp_path / "logs.jsonl",
        [_record(m, service="identity-gateway", env="staging", method="Lookup") for m in range(3)],
    )
    query = LogQuery(service="membership", environment="prod", method="GetMembership")
    result = fetch_relaxed(FileLogstore(logs), query)
    assert len(result.records) == 3
    assert result.report.dropped() == ["service", "environment", "method"]
    assert result.report.sentences() == [
        "no record said service=membership; 3 records said identity-gateway, so I dropped the service filter",
        "no record said env=prod; 3 records said staging, so I dropped the environment filter",
        "no record said method=GetMembership; 3 records said Lookup, so I dropped the method filter",
    ]
    # Only as far as needed: the right service and env keep their filters.
    logs2 = _write(tmp_path / "logs2.jsonl", [_record(1, method="Lookup"), _record(2, method=None)])
    partial = fetch_relaxed(FileLogstore(logs2), query)
    assert partial.report.dropped() == ["method"]
    assert partial.report.relaxed[0].seen == {"(not set)": 1, "Lookup": 1}
    assert partial.report.sentences()[-1] == (
        "no record said method=GetMembership; 1 record said Lookup, so I dropped the method filter"
    )


def test_nothing_matching_lists_what_the_source_holds(tmp_path: Path) -> None:
    logs = _write(
        tmp_path / "logs.jsonl",
        [
            _record(1),
            _record(2, level="WARN", host="membership-api-7d9f-k2x8p"),
            _record(3, service="billing", method="Charge", env="staging"),
        ],
    )
    window = TimeWindow(
        start=datetime(2024, 5, 1, 10, 0, tzinfo=UTC), end=datetime(2024, 5, 1, 11, 0, tzinfo=UTC)
    )
    query = LogQuery(service="membership", user_id="8812", window=window)
    result = fetch_relaxed(FileLogstore(logs), query)
    assert result.records == [] and result.report.relaxed == []
    facets = result.report.facets
    assert facets is not None and facets.records == 3
    assert facets.services == {"membership-api": 2, "billing": 1}
    assert facets.lines() == [
        "no record matched service=membership, user_id=8812, but the source holds 3 records between "
        "2024-05-01 10:00 and 2024-05-01 11:00 UTC (2024-05-01 10:01:00 → 2024-05-01 10:03:00 UTC); "
        "re-ask with one of these:",
        "services: membership-api ×2, billing ×1",
        "environments: prod ×2, staging ×1",
        "hosts: membership-api-7d9f-abc12 ×2, membership-api-7d9f-k2x8p ×1",
        "levels: INFO ×2, WARN ×1",
        "methods: GetMembership ×2, Charge ×1",
    ]
    # An empty window says where the records are instead.
    before = TimeWindow(start=datetime(2024, 4, 1, tzinfo=UTC), end=datetime(2024, 4, 2, tzinfo=UTC))
    empty = fetch_relaxed(FileLogstore(logs), LogQuery(service="membership", window=before))
    assert empty.report.sentences()[0] == (
        "the source holds no record between 2024-04-01 00:00 and 2024-04-02 00:00 UTC; its 3 records "
        "span 2024-05-01 10:01:00 → 2024-05-01 10:03:00 UTC; re-ask with one of these:"
    )


def test_the_http_logstore_relaxes_its_server_side_method_filter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [_record(m, method="membership.v1.Membership/Lookup") for m in range(4)]

    def handler(path: str, query: dict, headers: dict) -> tuple[int, dict]:
        method = query.get("rpc", [None])[0]
        chosen = [r for r in records if method is None or r["method"].endswith(method)]
        return 200, {"records": chosen}

    config = HttpLogstoreConfig(kind="http", base_url_env="LOGS_URL", params={"method": "rpc"})
    with serve(monkeypatch, "LOGS_URL") as server:
        server.handler = handler
        store = HttpLogstore("membership", config)
        result = fetch_relaxed(store, LogQuery(service="membership", method="GetMembership"))
        asked = [q.get("rpc", [None])[0] for _, q, _ in server.requests]
    assert len(result.records) == 4
    assert asked == ["GetMembership", None, None]  # the query, the probe of the window, the relaxed query
    assert result.report.sentences() == [
        "no record said method=GetMembership; 4 records said membership.v1.Membership/Lookup, "
        "so I dropped the method filter"
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"log_names": ["membership-api", "membership-[ap"]},
            "field 'log_names.1': 'membership-[ap': not a valid glob: unbalanced or empty '[' ']'",
        ),
        (
            {"log_names": ["*"]},
            "field 'log_names.0': '*': a glob of only wildcards would match every service",
        ),
        (
            {"fields": {"user_id": ["customer"], "customer_id": ["cust"]}},
            "field 'fields.customer_id': not a field we know (ours: level, service, method, request_id, "
            "user_id, host, env, message, timestamp)",
        ),
    ],
    ids=["bad-glob", "match-everything", "unknown-field"],
)
def test_bad_log_names_and_fields_name_the_file_and_field(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = tmp_path / "membership.json"
    path.write_text(json.dumps({"name": "membership", **change}), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_service_configs(tmp_path)
    assert str(exc.value) == f"{path}: {message}"

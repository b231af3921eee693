"""`sre-agent doctor`: one row per config file skipped as invalid (fail, naming file and field),
one row per configured connector of every service (logstore, admin API, DynamoDB tables) plus the
code index, the LLM and the data dir's quarantine: reachable? authorised? anything set aside?
Each check makes the smallest read the connector allows and reports what went wrong in one line,
never a trace.

What it cannot prove is that a credential is read-only (only a write attempt would); it says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import httpx

from sre_agent.configs import ServiceConfig
from sre_agent.connectors.factory import logstore_for
from sre_agent.engine import Engine
from sre_agent.errors import ConnectorError, InputError
from sre_agent.models import LogQuery, TimeWindow

Status = Literal["ok", "warn", "fail", "off"]


@dataclass(frozen=True)
class Check:
    service: str
    connector: str
    status: Status
    detail: str


def check_all(engine: Engine) -> list[Check]:
    """Every check: config files skipped as invalid (fail), services in name order, then the code
    index and the LLM."""
    out: list[Check] = [
        Check(skipped.service, "config", "fail", f"skipped: {skipped.problem}")
        for skipped in engine.config_folder.skipped
    ]
    for name in sorted(engine.configs):
        config = engine.configs[name]
        out += [_logstore(config), _admin_api(config), *_dynamodb(config)]
    out.append(_code_index(engine))
    out.append(_llm(engine))
    out.append(_quarantine(engine))
    return [c for c in out if c is not None]


def _logstore(config: ServiceConfig) -> Check:
    store = logstore_for(config)
    if store is None:
        return Check(config.name, "logstore", "off", "no logstore in the config (answers need --logs)")
    kind = config.logstore.kind if config.logstore else "?"
    now = datetime.now(UTC)
    query = LogQuery(
        service=config.name, window=TimeWindow(start=now - timedelta(minutes=15), end=now), limit=1
    )
    try:
        result = store.fetch(query)
    except (ConnectorError, InputError) as exc:
        return Check(config.name, f"logstore ({kind})", "fail", str(exc))
    return Check(
        config.name,
        f"logstore ({kind})",
        "ok",
        f"reachable, authorised; {len(result.records)} record(s) in the last 15 min",
    )


def _admin_api(config: ServiceConfig) -> Check:
    api = config.admin_api
    if api is None:
        return Check(config.name, "admin API", "off", "none declared")
    base = os.environ.get(api.base_url_env, "")
    if not base:
        return Check(
            config.name, "admin API", "warn", f"{api.base_url_env} is not set: the agent will not call it"
        )
    if api.auth_env and not os.environ.get(api.auth_env):
        return Check(config.name, "admin API", "fail", f"{api.auth_env} is not set")
    try:
        status = httpx.get(base, timeout=api.timeout).status_code
    except httpx.HTTPError as exc:
        return Check(config.name, "admin API", "fail", f"{base} unreachable ({type(exc).__name__})")
    names = ", ".join(e.name for e in api.endpoints)
    return Check(config.name, "admin API", "ok", f"reachable (HTTP {status} at /); GET only: {names}")


def _dynamodb(config: ServiceConfig) -> list[Check]:
    if config.dynamodb is None:
        return [Check(config.name, "DynamoDB", "off", "no table allow-listed")]
    from sre_agent.connectors.dynamodb import DynamoReader

    reader = DynamoReader(config.name, config.dynamodb)
    out = []
    for table in config.dynamodb.tables:
        try:
            reader.read("Scan", table.name, limit=1)
        except (ConnectorError, InputError) as exc:
            # No credentials at all is "not set up here", not a broken connector.
            status: Status = "warn" if "NoCredentialsError" in str(exc) else "fail"
            out.append(Check(config.name, f"DynamoDB {table.name}", status, str(exc)))
            continue
        except Exception as exc:  # no credentials, no region: botocore's own errors
            out.append(
                Check(config.name, f"DynamoDB {table.name}", "fail", f"{type(exc).__name__}: {exc}"[:200])
            )
            continue
        out.append(
            Check(
                config.name,
                f"DynamoDB {table.name}",
                "ok",
                "readable (Scan 1); read-only is not provable from here",
            )
        )
    return out


def _code_index(engine: Engine) -> Check:
    repos = engine.code_index.repos()
    if not repos:
        return Check("-", "code index", "off", "nothing indexed (sre-agent index-code PATH)")
    return Check("-", "code index", "ok", f"repositories: {', '.join(repos)}")


def _quarantine(engine: Engine) -> Check:
    """What the data dir set aside as damaged (storage.quarantine): kept to be looked at, never
    deleted by sre-agent, so the operator is reminded here."""
    folder = engine.settings.data_dir / "quarantine"
    items = sorted(folder.iterdir()) if folder.is_dir() else []
    if not items:
        return Check("-", "quarantine", "ok", "nothing set aside")
    size = sum(_bytes(item) for item in items)
    shown = ", ".join(item.name for item in items[:3]) + (", …" if len(items) > 3 else "")
    return Check(
        "-",
        "quarantine",
        "warn",
        f"{len(items)} damaged store(s) set aside in {folder} ({size / 2**20:.1f} MB: {shown}); "
        "look at them, then delete them",
    )


def _bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _llm(engine: Engine) -> Check:
    from sre_agent.llm import describe_llm

    kind = engine.settings.llm_kind
    return Check("-", "LLM", "ok" if kind != "none" else "off", describe_llm(engine.settings))

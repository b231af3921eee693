"""`sre-agent doctor`: one row per config file skipped as invalid (fail, naming file and field),
one row per configured connector of every service (its logstore, then what each tool reaches: the
tools' health checks, `ToolSpec.health`, e.g. the admin API and DynamoDB tables), then the tools'
deployment-wide checks (the code index), the LLM and the data dir's quarantine: reachable?
authorised? anything set aside? Each check makes the smallest read the connector allows and
reports what went wrong in one line, never a trace.

What it cannot prove is that a credential is read-only (only a write attempt would); it says so.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sre_agent.configs import ServiceConfig
from sre_agent.connectors.factory import logstore_for
from sre_agent.engine import Engine
from sre_agent.errors import ConnectorError, InputError
from sre_agent.models import LogQuery, TimeWindow
from sre_agent.tools.registry import ToolRegistry, default_registry
from sre_agent.tools.spec import Check, Status

__all__ = ["Check", "Status", "check_all"]


def check_all(engine: Engine, registry: ToolRegistry | None = None) -> list[Check]:
    """Every check: config files skipped as invalid (fail), services in name order (each its
    logstore, then the tools' checks of it), then the tools' deployment-wide checks, the LLM and
    the quarantine. `registry`: the tools whose health to check (default: every tool)."""
    health = [spec.health for spec in (registry or default_registry()).specs() if spec.health is not None]
    out: list[Check] = [
        Check(skipped.service, "config", "fail", f"skipped: {skipped.problem}")
        for skipped in engine.config_folder.skipped
    ]
    for name in sorted(engine.configs):
        config = engine.configs[name]
        out.append(_logstore(config))
        for check in health:
            out += check(engine, config)
    for check in health:
        out += check(engine, None)
    out.append(_llm(engine))
    out.append(_quarantine(engine))
    return out


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

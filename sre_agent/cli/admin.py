"""The commands that look after sre-agent itself: `config`, `doctor`, `index-code`, `sessions
list|drop|purge`, and `tool` (one agent tool run by hand)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from sre_agent.cli.common import app, console, friendly, make_engine, sessions_app
from sre_agent.errors import InputError, echo


@app.command()
@friendly
def config() -> None:
    """Print the effective settings (secrets masked)."""
    from sre_agent.llm import describe_llm
    from sre_agent.settings import get_settings

    settings = get_settings()
    # Plain lines, not a table: values such as paths must never be wrapped, and grep should work.
    for name, value in settings.masked().items():
        console.print(f"SRE_AGENT_{name.upper()}={value}", highlight=False, soft_wrap=True)
    console.print(f"# answering with: {describe_llm(settings)}", highlight=False, soft_wrap=True)


def _list_tools(registry) -> None:
    """Each tool with what the model reads about it and its arguments."""
    table = Table("tool", "arguments", "what it does", title="agent tools", show_lines=True)
    for tool_name in registry.names():
        spec = registry.get(tool_name)
        args = []
        for arg, field in spec.args_model.model_fields.items():
            kind = getattr(field.annotation, "__name__", None) or str(field.annotation).replace(" | None", "")
            args.append(f"{arg}{'' if field.is_required() else '?'}: {kind}")
        table.add_row(tool_name, "\n".join(args), spec.description)
    console.print(table)


def _parse_args(pairs: list[str]) -> dict[str, Any]:
    """`key=value` pairs; a value that reads as JSON (numbers, true, lists) is taken as such."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--arg {echo(pair)}: expected key=value, e.g. --arg method=GetMembership")
        try:
            parsed = json.loads(value)
            out[key.strip()] = parsed  # a JSON object too: search_admin_apis takes params={...}
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


@app.command()
@friendly
def tool(
    name: Annotated[
        str | None, typer.Argument(help="tool name, e.g. search_logstore; omit to list the tools")
    ] = None,
    arg: Annotated[list[str] | None, typer.Option("--arg", help="key=value, repeatable")] = None,
    logs: Annotated[Path | None, typer.Option(help="a log file or folder the tool may fetch from")] = None,
    service: Annotated[str | None, typer.Option(help="service config name under configs/")] = None,
    session: Annotated[str, typer.Option(help="conversation id the tool works in")] = "cli",
    env: Annotated[str, typer.Option(help="default environment")] = "prod",
    as_json: Annotated[bool, typer.Option("--json", help="print the whole result as JSON")] = False,
) -> None:
    """Run one agent tool by hand and print what the model would see (for debugging tools and prompts).
    The call is recorded as a run of kind "tool" (`sre-agent runs list`)."""
    from sre_agent.tools import default_registry

    registry = default_registry()
    if name is None:
        _list_tools(registry)
        return
    registry.get(name)  # unknown names fail here, with the list of tools
    engine = make_engine()
    call = engine.call_tool(
        name,
        _parse_args(arg or []),
        session=session,
        logs=logs,
        service=service,
        environment=env,
        registry=registry,
    )
    result = asyncio.run(call)
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        console.print(result.text, highlight=False, soft_wrap=True, markup=False)
    if not result.ok:
        raise typer.Exit(2)


@app.command()
@friendly
def doctor() -> None:
    """Check the config files, every configured connector (logstore, admin API, DynamoDB), the code
    index and the LLM. Exit 2 when a config is invalid, 1 when a connector fails."""
    from sre_agent.doctor import check_all

    checks = check_all(make_engine())
    colour = {"ok": "green", "warn": "yellow", "fail": "red", "off": "dim"}
    table = Table("service", "connector", "status", "detail", title="sre-agent doctor")
    for check in checks:
        style = colour[check.status]
        table.add_row(check.service, check.connector, f"[{style}]{check.status}[/{style}]", check.detail)
    console.print(table)
    failed = [check for check in checks if check.status == "fail"]
    if any(check.connector == "config" for check in failed):
        raise typer.Exit(2)  # bad input: a config file to fix
    if failed:
        raise typer.Exit(1)  # a fault outside: a connector


@app.command("index-code")
@friendly
def index_code(
    path: Annotated[Path, typer.Argument(help="a git checkout; its `git ls-files` are indexed")],
    name: Annotated[str | None, typer.Option(help="repository name (default: the folder's name)")] = None,
    include: Annotated[
        list[str] | None, typer.Option(help="only files matching this glob, e.g. 'src/*' (repeatable)")
    ] = None,
) -> None:
    """Index a repository's code for `search_codebase` (incremental: unchanged files are skipped)."""
    from sre_agent.indexes.code_index import outside_sentence

    engine = make_engine()
    stats = engine.code_index.index(path.resolve(), name or path.resolve().name, include=include)
    table = Table("repo", "files", "indexed", "unchanged", "removed", "chunks", "seconds", title="code index")
    table.add_row(
        stats.repo,
        str(stats.files),
        str(stats.indexed),
        str(stats.unchanged),
        str(stats.removed),
        str(stats.chunks),
        f"{stats.seconds:.1f}",
    )
    console.print(table)
    if stats.outside:
        console.print(outside_sentence(stats.outside), highlight=False, markup=False)


@sessions_app.command("list")
@friendly
def sessions_list() -> None:
    """List sessions with their tables and row counts."""
    engine = make_engine()
    table = Table("session", "tables", "records", title="sessions")
    for name in engine.store.list_sessions():
        stored = engine.stored(name)
        table.add_row(name, ", ".join(stored), str(sum(stored.values())))
    console.print(table)


@sessions_app.command("drop")
@friendly
def sessions_drop(session: Annotated[str, typer.Argument(help="the session id")]) -> None:
    """Forget one session: its tables and its chat history."""
    engine = make_engine()
    if session not in engine.store.list_sessions():
        raise InputError(f"SESSION: unknown session '{session}' (see `sre-agent sessions list`)")
    asyncio.run(engine.reset(session))
    console.print(f"dropped session {session}")


@sessions_app.command("purge")
@friendly
def sessions_purge() -> None:
    """Drop every session's tables and chat histories and forget the bot's threads (what the nightly
    purge does)."""
    engine = make_engine()
    from sre_agent.purge import purge_everything

    report = purge_everything(engine)
    kept = (
        "every trace" if engine.settings.trace_purge else "expired ones; SRE_AGENT_TRACE_PURGE=true takes all"
    )
    console.print(
        f"dropped {report.sessions} sessions; forgot {report.threads} Slack threads; "
        f"removed {report.traces} run traces ({kept})"
    )

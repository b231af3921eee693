"""The `sre-agent` command line (typer + rich).

Commands: `ask`, `replay`, `sessions list|drop|purge`, `config`. Bad input exits 2 with one
line naming what is wrong; heavy modules are imported inside commands so `--help` is instant.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from sre_agent.errors import ConnectorError, InputError

app = typer.Typer(
    help="sre-agent: answers on-call questions from logs.", no_args_is_help=True, add_completion=False
)
sessions_app = typer.Typer(help="List and drop the per-thread log tables.", no_args_is_help=True)
app.add_typer(sessions_app, name="sessions")

console = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def _friendly(func: F) -> F:
    """Turn our own errors into one line on stderr and an exit code (2: bad input, 1: a fault outside)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except ConnectorError as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def _engine():
    from sre_agent.engine import Engine

    return Engine()


@app.command()
@_friendly
def config() -> None:
    """Print the effective settings (secrets masked)."""
    from sre_agent.settings import get_settings

    # Plain lines, not a table: values such as paths must never be wrapped, and grep should work.
    for name, value in get_settings().masked().items():
        console.print(f"SRE_AGENT_{name.upper()}={value}", highlight=False, soft_wrap=True)


@app.command()
@_friendly
def ask(
    question: Annotated[str, typer.Argument(help="what you want to know, in plain words")],
    logs: Annotated[
        Path | None, typer.Option(help="a log file or folder to fetch from (JSONL or plain text)")
    ] = None,
    service: Annotated[str | None, typer.Option(help="service config name under configs/")] = None,
    session: Annotated[str, typer.Option(help="conversation id; reuse it for follow-ups")] = "cli",
    env: Annotated[str | None, typer.Option(help="environment, e.g. prod")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Answer QUESTION from logs: fetch (with --logs), store in the session, retrieve what matters."""
    from sre_agent.answer import render_answer

    engine = _engine()
    if logs is None and session not in engine.store.list_sessions():
        raise InputError(
            f"--session: unknown session '{session}' and no --logs given; fetch logs with --logs PATH"
        )

    def show(event) -> None:
        if not as_json:
            err.print(f"[dim]· {event.stage}: {event.message}[/dim]", highlight=False)

    result = asyncio.run(
        engine.search(
            question, session=session, logs=logs, service=service, environment=env, on_progress=show
        )
    )
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    from rich.markdown import Markdown

    console.print(Markdown(render_answer(result)))


@app.command()
@_friendly
def replay(
    path: Annotated[Path, typer.Argument(help="an incident folder, or a folder of them")],
    retrieval_only: Annotated[
        bool, typer.Option("--retrieval-only", help="score retrieval; leave answers empty")
    ] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the report here")] = None,
) -> None:
    """Replay past incidents turn by turn and print recall@10, MRR and timings."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sre_agent.replay.incidents import find_incidents
    from sre_agent.replay.runner import ReplayReport, replay_incident, summarize

    incidents = find_incidents(path)
    engine = _engine()
    report = ReplayReport()
    total = sum(len(i.turns) for i in incidents)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("replaying", total=total)
        for incident in incidents:
            progress.update(task, description=incident.id)
            rep = asyncio.run(
                replay_incident(
                    engine, incident, retrieval_only=retrieval_only, on_turn=lambda _t: progress.advance(task)
                )
            )
            report.incidents.append(rep)
    report.summary = summarize(report.incidents)

    table = Table(title="replay")
    # The figures must always show: the text columns are cut to what the terminal leaves them.
    room = max(console.width - 52, 30)
    id_width, ask_width = room * 2 // 5, room - room * 2 // 5
    table.add_column("incident", no_wrap=True)
    table.add_column("turn", no_wrap=True)
    for name in ("recall@10", "MRR", "mentions", "s"):
        table.add_column(name, justify="right", no_wrap=True)
    fmt = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
    for inc in report.incidents:
        for i, turn in enumerate(inc.turns, 1):
            table.add_row(
                _cut(inc.id, id_width),
                _cut(f"{i}. {turn.ask}", ask_width),
                fmt(turn.recall_at_10),
                fmt(turn.mrr),
                fmt(turn.mentions_hit),
                f"{turn.seconds:.2f}",
            )
    s = report.summary
    table.add_section()
    table.add_row(
        "[b]mean[/b]",
        f"{s['turns']} turns",
        fmt(s["recall_at_10"]),
        fmt(s["mrr"]),
        fmt(s["mentions_hit"]),
        fmt(s["seconds"]),
    )
    console.print(table)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(report.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8")
        console.print(f"report written to {json_out}")


@sessions_app.command("list")
@_friendly
def sessions_list() -> None:
    """List sessions with their tables and row counts."""
    store = _engine().store
    table = Table("session", "tables", "records", title="sessions")
    for name in store.list_sessions():
        tables = store.list_tables(name)
        table.add_row(name, ", ".join(tables), str(sum(store.count(name, t) for t in tables)))
    console.print(table)


@sessions_app.command("drop")
@_friendly
def sessions_drop(session: Annotated[str, typer.Argument(help="the session id")]) -> None:
    """Drop one session's tables."""
    _engine().drop_session(session)
    console.print(f"dropped session {session}")


@sessions_app.command("purge")
@_friendly
def sessions_purge() -> None:
    """Drop every session's tables (what the midnight purge does)."""
    n = _engine().purge()
    console.print(f"dropped {n} sessions")


if __name__ == "__main__":
    app()

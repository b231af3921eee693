"""`sre-agent draw` (the workflows as a picture) and `sre-agent runs list|show|prune` (the recorded
run traces)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sre_agent.cli.common import app, console, friendly, make_engine, runs_app, write_page


@app.command()
@friendly
def draw(
    workflow: Annotated[
        str | None, typer.Argument(help="agent, triage or log-search; default: every workflow")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="the HTML file to write")] = Path("workflows.html"),
    mermaid: Annotated[bool, typer.Option("--mermaid", help="print Mermaid source instead of HTML")] = False,
) -> None:
    """Draw the workflows' steps and events as one self-contained HTML page (or Mermaid source)."""
    from sre_agent.trace.graph import WORKFLOWS, workflow_class
    from sre_agent.trace.graph import mermaid as to_mermaid
    from sre_agent.trace.html import render_workflows

    names = [workflow] if workflow else list(WORKFLOWS)
    for name in names:
        workflow_class(name)  # an unknown name is one line, before anything is written
    if mermaid:
        for name in names:
            console.print(f"%% {name}\n{to_mermaid(name)}", highlight=False, markup=False, end="")
        return
    write_page(out, render_workflows(names))
    console.print(f"{', '.join(names)} drawn in {out}", highlight=False)


@runs_app.command("list")
@friendly
def runs_list(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="how many runs, newest first")] = 20,
    session: Annotated[str | None, typer.Option(help="only this session's runs")] = None,
) -> None:
    """The recorded runs, newest first: id, when, kind, status, duration, question."""
    from sre_agent.trace.text import runs_table

    engine = make_engine()
    runs = engine.traces.list(limit=limit, session=session)
    if not runs:
        console.print(
            f"no runs recorded in {engine.traces.folder}/" + (f" for session {session}" if session else "")
        )
        return
    console.print(runs_table(runs))


@runs_app.command("show")
@friendly
def runs_show(
    run_id: Annotated[str, typer.Argument(help="a run id (or a unique start of one, or 'last')")],
    html: Annotated[Path | None, typer.Option("--html", help="also write the run's picture here")] = None,
) -> None:
    """One run: its steps, tool calls with arguments and results, LLM calls, retrieved lines."""
    from sre_agent.trace.html import render_run
    from sre_agent.trace.text import print_run

    trace = make_engine().traces.get(run_id)
    print_run(console, trace)
    if html is not None:
        write_page(html, render_run(trace))
        console.print(f"picture written to {html}", highlight=False)


@runs_app.command("prune")
@friendly
def runs_prune(
    all_runs: Annotated[
        bool, typer.Option("--all", help="remove every trace, not only expired ones")
    ] = False,
) -> None:
    """Remove traces older than SRE_AGENT_TRACE_KEEP_DAYS (or all of them)."""
    engine = make_engine()
    removed = engine.traces.clear() if all_runs else engine.traces.prune()
    console.print(f"removed {removed} run traces from {engine.traces.folder}/")

"""`sre-agent replay` (past incidents turn by turn through the agent, scored) and `sre-agent
replay-diff` (two reports compared turn by turn). The replaying itself is `replay.batch`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sre_agent.cli.common import app, console, cut, err, friendly, make_engine


@app.command()
@friendly
def replay(
    path: Annotated[Path, typer.Argument(help="an incident folder, or a folder of them")],
    retrieval_only: Annotated[
        bool, typer.Option("--retrieval-only", help="score retrieval; leave answers empty")
    ] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the report here")] = None,
    html_out: Annotated[
        Path | None,
        typer.Option("--html", help="write an HTML report here (run pictures go in <name>_runs/ beside it)"),
    ] = None,
    parallel: Annotated[int, typer.Option(min=1, max=16, help="incidents replayed at once")] = 1,
) -> None:
    """Replay past incidents turn by turn through the agent; print recall@10, MRR, mentions and timings."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sre_agent.replay.batch import replay_all
    from sre_agent.replay.incidents import find_incidents

    incidents = find_incidents(path)
    engine = make_engine()
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
        report = replay_all(
            engine,
            incidents,
            retrieval_only=retrieval_only,
            parallel=parallel,
            on_turn=lambda _t: progress.advance(task),
        )

    table = Table(title="replay")
    # The figures must always show: the question column gets what the terminal leaves it, and each
    # incident's id heads its own rows instead of taking a column.
    ask_width = max(console.width - 44, 24)
    table.add_column("incident / turn", no_wrap=True)
    for name in ("recall@10", "MRR", "mentions", "s"):
        table.add_column(name, justify="right", no_wrap=True)
    fmt = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
    for inc in report.incidents:
        table.add_row(f"[b]{cut(inc.id, ask_width)}[/b]")
        for i, turn in enumerate(inc.turns, 1):
            table.add_row(
                cut(f"{i}. {turn.ask}", ask_width),
                fmt(turn.recall_at_10),
                fmt(turn.mrr),
                fmt(turn.mentions_hit),
                f"{turn.seconds:.2f}",
            )
        table.add_section()
    s = report.summary
    table.add_row(
        f"[b]mean of {s['turns']} turns[/b]",
        fmt(s["recall_at_10"]),
        fmt(s["mrr"]),
        fmt(s["mentions_hit"]),
        fmt(s["seconds"]),
    )
    console.print(table)
    for inc in report.incidents:
        for note in inc.notes:
            console.print(f"{inc.id}: {note}", highlight=False)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(report.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8")
        console.print(f"report written to {json_out}")
    if html_out is not None:
        from sre_agent.replay.batch import write_report_html

        pictures = write_report_html(report, html_out, engine)
        console.print(f"HTML report written to {html_out} ({pictures} run pictures)")


@app.command("replay-diff")
@friendly
def replay_diff(
    a: Annotated[Path, typer.Argument(help="the earlier report (replay --json)")],
    b: Annotated[Path, typer.Argument(help="the later report")],
    html_out: Annotated[Path | None, typer.Option("--html", help="write the comparison as HTML here")] = None,
) -> None:
    """Compare two replay reports: which turns got better or worse, and how the means moved (B - A)."""
    from rich.markup import escape

    from sre_agent.replay.diff import METRICS, diff_files

    diff = diff_files(a, b)
    tones = {
        "better": "green",
        "worse": "red",
        "mixed": "yellow",
        "same": "dim",
        "added": "cyan",
        "removed": "magenta",
    }

    def delta(change) -> str:
        if change is None or change.delta is None:
            return "-"
        text = f"{change.delta:+.2f}"
        colour = {True: "green", False: "red"}.get(change.better)
        return f"[{colour}]{text}[/{colour}]" if colour else text

    table = Table(title=escape(f"replay diff: {a.name} → {b.name}"))
    # As in `replay`: the figures always show; the question gets what the terminal leaves.
    ask_width = max(console.width - 54, 16)
    table.add_column("incident / turn", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    for name in ("Δrecall", "ΔMRR", "Δmentions", "Δs"):
        table.add_column(name, justify="right", no_wrap=True)
    incident = None
    for t in diff.turns:
        if t.incident != incident:
            if incident is not None:
                table.add_section()
            incident = t.incident
            table.add_row(f"[b]{escape(cut(t.incident, ask_width))}[/b]")
        tone = tones[t.verdict]
        table.add_row(
            escape(cut(f"{t.turn}. {t.ask}", ask_width)),
            f"[{tone}]{t.verdict}[/{tone}]",
            *(delta(t.changes.get(m)) for m in METRICS),
        )
    if diff.turns:
        table.add_section()
    s = diff.summary
    table.add_row(
        f"[b]means ({s.turns_a} → {s.turns_b} turns)[/b]", "", *(delta(s.changes.get(m)) for m in METRICS)
    )
    console.print(table)
    fmt = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
    for m, label in zip(METRICS, ("recall@10", "MRR", "mentions", "seconds"), strict=True):
        c = s.changes[m]
        console.print(f"{label}: {fmt(c.a)} → {fmt(c.b)} ({delta(c)})", highlight=False)
    console.print(
        " · ".join(f"[{tones[v]}]{v}[/{tones[v]}] {n}" for v, n in s.counts.items())
        + f" · tool calls changed {s.tools_changed}",
        highlight=False,
    )
    for t in diff.turns:
        if t.tools_changed:
            before, after = ", ".join(t.tools_a) or "none", ", ".join(t.tools_b) or "none"
            line = f"  {t.incident} #{t.turn} tools: {before} → {after}"
        elif t.note:
            line = f"  {t.incident} #{t.turn} {t.verdict}: {t.note}"
        else:
            continue
        console.print(escape(line), highlight=False, soft_wrap=True)
    if html_out is not None:
        from sre_agent.replay.report_html import render_diff

        html_out.parent.mkdir(parents=True, exist_ok=True)
        html_out.write_text(render_diff(diff, str(a), str(b)), encoding="utf-8")
        console.print(f"HTML comparison written to {html_out}")

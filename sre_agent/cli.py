"""The `sre-agent` command line (typer + rich).

Commands: `ask`, `chat`, `tool`, `replay`, `replay-diff`, `bot`, `sessions list|drop|purge`, `config`.
Bad input exits 2 with one line naming what is wrong; heavy modules are imported inside commands so
`--help` is instant.
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

from sre_agent.errors import ConnectorError, InputError, StorageError, echo
from sre_agent.storage import describe

app = typer.Typer(
    help="sre-agent: answers on-call questions from logs.", no_args_is_help=True, add_completion=False
)
sessions_app = typer.Typer(help="List and drop the per-thread log tables.", no_args_is_help=True)
app.add_typer(sessions_app, name="sessions")
runs_app = typer.Typer(
    help="Run traces: list them, show one (as an HTML picture too), prune.", no_args_is_help=True
)
app.add_typer(runs_app, name="runs")

console = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def _friendly(func: F) -> F:
    """Turn our own errors into one line on stderr and an exit code (2: bad input, 1: a fault outside
    or of the data dir's storage)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except (ConnectorError, StorageError) as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except OSError as exc:  # the disk under a file we keep: full, read-only, gone
            err.print(f"[red]error:[/red] {describe(exc)}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def _engine(fetch_limit: int | None = None):
    """The engine of a command; a data dir it cannot write to stops the command here, in one line."""
    from sre_agent.engine import Engine
    from sre_agent.settings import get_settings
    from sre_agent.storage import check_writable

    settings = get_settings()
    check_writable(settings.data_dir)
    if fetch_limit is None:
        return Engine()
    return Engine(settings.model_copy(update={"fetch_limit": fetch_limit}))


#: `--limit`, the same on every command that fetches.
FetchLimit = Annotated[
    int | None,
    typer.Option(
        "--limit",
        min=1,
        max=1_000_000,
        help="most records one fetch reads, the newest first (default: SRE_AGENT_FETCH_LIMIT)",
    ),
]


@app.command()
@_friendly
def config() -> None:
    """Print the effective settings (secrets masked)."""
    from sre_agent.llm import describe_llm
    from sre_agent.settings import get_settings

    settings = get_settings()
    # Plain lines, not a table: values such as paths must never be wrapped, and grep should work.
    for name, value in settings.masked().items():
        console.print(f"SRE_AGENT_{name.upper()}={value}", highlight=False, soft_wrap=True)
    console.print(f"# answering with: {describe_llm(settings)}", highlight=False, soft_wrap=True)


class _Live:
    """Shows an agent turn as it happens: tool calls and progress on stderr; the LLM's text on stdout,
    rendered as Markdown while it streams (rich `Live`)."""

    def __init__(self, *, quiet: bool = False) -> None:
        self.quiet = quiet
        self.streamed = False  # some of the LLM's text is on screen already
        self._text = ""
        self._live: Any = None

    def __call__(self, event) -> None:
        if self.quiet:
            return
        if event.kind == "answer_delta" and not event.data.get("complete"):
            self._stream(event.message)
            return
        self.stop()  # progress lines must not land inside the streaming text
        if event.kind == "tool_started":
            err.print(f"[cyan]→ {event.message}[/cyan]", highlight=False, soft_wrap=True)
        elif event.kind == "tool_finished":
            style = "green" if event.data.get("ok") else "red"
            secs = event.data.get("seconds", 0)
            err.print(
                f"[{style}]← {event.tool}: {event.message}[/{style}] [dim]({secs:.2f}s)[/dim]", soft_wrap=True
            )
        elif event.kind == "progress":
            err.print(f"[dim]  · {event.message}[/dim]", highlight=False, soft_wrap=True)
        elif event.kind == "notice":
            err.print(f"[yellow]! {event.message}[/yellow]", highlight=False, soft_wrap=True)

    def _stream(self, delta: str) -> None:
        from rich.live import Live
        from rich.markdown import Markdown

        if self._live is None:
            self._text = ""
            self._live = Live(
                Markdown(""), console=console, refresh_per_second=8, vertical_overflow="visible"
            )
            self._live.start()
        self._text += delta
        self._live.update(Markdown(self._text))
        self.streamed = True

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


def _print_answer(answer, live: _Live) -> None:
    from rich.markdown import Markdown

    live.stop()
    if live.streamed:  # the text is on screen already: add what came after it
        console.print()
        console.print(Markdown(answer.footer))
        live.streamed = False
    else:
        console.print(Markdown(answer.answer))
    err.print(
        f"[dim]{answer.backend} · {len(answer.tool_calls)} tool calls · {answer.seconds:.2f}s · "
        f"session {answer.session} · run {answer.run_id}[/dim]",
        highlight=False,
    )


@app.command()
@_friendly
def ask(
    question: Annotated[str, typer.Argument(help="what you want to know, in plain words")],
    logs: Annotated[
        Path | None, typer.Option(help="a log file or folder to fetch from (JSONL or plain text)")
    ] = None,
    service: Annotated[str | None, typer.Option(help="service config name under configs/")] = None,
    session: Annotated[str | None, typer.Option(help="conversation id (default: one per --logs)")] = None,
    env: Annotated[str | None, typer.Option(help="environment, e.g. prod")] = None,
    retrieve_only: Annotated[
        bool, typer.Option("--retrieve-only", help="only the log search, no agent (the spine alone)")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
    limit: FetchLimit = None,
) -> None:
    """Answer QUESTION: the agent (LLM, or offline triage without one) runs the log tools and explains."""
    from sre_agent.sources import ask_session

    engine = _engine(limit)
    session = ask_session(engine, session, logs, service)  # one per --logs: files never mix by accident
    if retrieve_only:
        from sre_agent.answer import render_answer

        def show(event) -> None:
            if not as_json:
                err.print(f"[dim]· {event.stage}: {event.message}[/dim]", highlight=False)

        result = asyncio.run(
            engine.search(
                question,
                session=session,
                logs=logs,
                service=service,
                environment=env,
                on_progress=show,
                kind="ask",
            )
        )
        if as_json:
            sys.stdout.write(result.model_dump_json(indent=2) + "\n")
            return
        from rich.markdown import Markdown

        console.print(Markdown(render_answer(result)))
        err.print(f"[dim]session {session} · run {result.run_id}[/dim]", highlight=False)
        return
    live = _Live(quiet=as_json)
    answer = asyncio.run(
        engine.ask(question, session=session, logs=logs, service=service, environment=env, on_event=live)
    )
    if as_json:
        sys.stdout.write(answer.model_dump_json(indent=2) + "\n")
        return
    _print_answer(answer, live)


CHAT_HELP = """\
Type a question and press Enter; follow-ups reuse what this conversation fetched.
  help      this text
  session   show the session id and what it stored
  reset     forget this conversation: its logs and its history
  exit      leave (also quit, Ctrl-D)"""


@app.command()
@_friendly
def chat(
    logs: Annotated[
        Path | None, typer.Option(help="a log file or folder to fetch from (JSONL or plain text)")
    ] = None,
    service: Annotated[str | None, typer.Option(help="service config name under configs/")] = None,
    session: Annotated[
        str | None, typer.Option(help="conversation id (default: a new one); reuse one to continue it")
    ] = None,
    env: Annotated[str | None, typer.Option(help="environment, e.g. prod")] = None,
    limit: FetchLimit = None,
) -> None:
    """A terminal conversation that behaves like one Slack thread (help, session, reset work too)."""
    import secrets

    from sre_agent.llm import describe_llm

    engine = _engine(limit)
    # Bad flags fail now, not at the first question.
    engine.config(service)
    if logs is not None:
        engine.snapshot(logs)
    session = session or f"chat-{secrets.token_hex(4)}"
    err.print(f"sre-agent chat · session {session} · {describe_llm(engine.settings)} · 'help' for help")
    # One event loop for the whole conversation: the LLM's HTTP client belongs to the loop it first used.
    with asyncio.Runner() as runner:
        _chat_loop(engine, runner, logs=logs, service=service, session=session, env=env)


def _chat_loop(engine, runner: asyncio.Runner, *, logs, service, session: str, env) -> None:
    while True:
        try:
            line = console.input("[bold]you>[/bold] ").strip()
        except (EOFError, KeyboardInterrupt):
            err.print("")
            return
        if not line:
            continue
        word = line.lower()
        if word in ("exit", "quit"):
            return
        if word == "help":
            console.print(CHAT_HELP, highlight=False)
            continue
        if word == "session":
            stored = engine.stored(session)
            tables, count = list(stored), sum(stored.values())
            console.print(
                f"session {session}: {len(tables)} tables ({', '.join(tables) or 'none'}), "
                f"{count} log records",
                highlight=False,
            )
            continue
        if word == "reset":
            runner.run(engine.reset(session))
            console.print(f"session {session} reset: its logs and history are gone", highlight=False)
            continue
        live = _Live()
        try:
            answer = runner.run(
                engine.ask(
                    line,
                    session=session,
                    logs=logs,
                    service=service,
                    environment=env,
                    on_event=live,
                    kind="chat",
                )
            )
        except (InputError, ConnectorError, StorageError) as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            continue
        _print_answer(answer, live)


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
@_friendly
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
    """Run one agent tool by hand and print what the model would see (for debugging tools and prompts)."""
    from sre_agent.tools import ToolContext, default_registry

    registry = default_registry()
    if name is None:
        _list_tools(registry)
        return
    registry.get(name)  # unknown names fail here, with the list of tools
    engine = _engine()
    if service is not None:
        engine.config(service)
    ctx = ToolContext(engine=engine, session=session, service=service, environment=env)
    if logs is not None:
        snapshot = engine.snapshot(logs)
        ctx.logstore, ctx.now, ctx.default_window = snapshot.logstore, snapshot.now, snapshot.window
        ctx.max_window_hours = snapshot.max_window_hours
    elif service is not None:
        from sre_agent.connectors.factory import logstore_for

        ctx.logstore = logstore_for(engine.config(service))  # the service's own, if its config names one
    result = asyncio.run(registry.call(ctx, name, _parse_args(arg or [])))
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        console.print(result.text, highlight=False, soft_wrap=True, markup=False)
    if not result.ok:
        raise typer.Exit(2)


@app.command()
@_friendly
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

        async def run_all() -> list:
            gate = asyncio.Semaphore(parallel)

            async def one(incident):
                async with gate:
                    return await replay_incident(
                        engine,
                        incident,
                        retrieval_only=retrieval_only,
                        on_turn=lambda _t: progress.advance(task),
                    )

            return await asyncio.gather(*(one(i) for i in incidents))

        report.incidents.extend(asyncio.run(run_all()))
    report.summary = summarize(report.incidents)

    table = Table(title="replay")
    # The figures must always show: the question column gets what the terminal leaves it, and each
    # incident's id heads its own rows instead of taking a column.
    ask_width = max(console.width - 44, 24)
    table.add_column("incident / turn", no_wrap=True)
    for name in ("recall@10", "MRR", "mentions", "s"):
        table.add_column(name, justify="right", no_wrap=True)
    fmt = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
    for inc in report.incidents:
        table.add_row(f"[b]{_cut(inc.id, ask_width)}[/b]")
        for i, turn in enumerate(inc.turns, 1):
            table.add_row(
                _cut(f"{i}. {turn.ask}", ask_width),
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
        pictures = _write_replay_html(report, html_out, engine)
        console.print(f"HTML report written to {html_out} ({pictures} run pictures)")


def _write_replay_html(report, path: Path, engine) -> int:
    """Write the HTML report to `path` and each turn's run picture to `<stem>_runs/`; returns how many.

    A run whose trace cannot be loaded (expired, cleared) shows its id without a link."""
    import re
    from urllib.parse import quote

    from sre_agent.replay.report_html import render_report
    from sre_agent.trace.html import render_run

    runs_dir = path.parent / f"{path.stem}_runs"
    links: dict[str, str] = {}
    for turn in (t for inc in report.incidents for t in inc.turns):
        if not turn.run_id or turn.run_id in links:
            continue
        try:
            trace = engine.traces.get(turn.run_id)
        except InputError:
            continue
        name = re.sub(r"[^A-Za-z0-9._-]", "_", turn.run_id) + ".html"
        runs_dir.mkdir(parents=True, exist_ok=True)
        (runs_dir / name).write_text(render_run(trace), encoding="utf-8")
        links[turn.run_id] = f"{quote(runs_dir.name)}/{quote(name)}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(report, run_links=links), encoding="utf-8")
    return len(links)


@app.command("replay-diff")
@_friendly
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
            table.add_row(f"[b]{escape(_cut(t.incident, ask_width))}[/b]")
        tone = tones[t.verdict]
        table.add_row(
            escape(_cut(f"{t.turn}. {t.ask}", ask_width)),
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


@app.command()
@_friendly
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
    _write_page(out, render_workflows(names))
    console.print(f"{', '.join(names)} drawn in {out}", highlight=False)


def _write_page(path: Path, html: str) -> None:
    if path.is_dir():
        raise InputError(f"--out/--html: {path} is a folder; give a file name such as {path / 'run.html'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--out/--html: cannot write {path}: {exc.strerror or exc}") from None


@runs_app.command("list")
@_friendly
def runs_list(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="how many runs, newest first")] = 20,
    session: Annotated[str | None, typer.Option(help="only this session's runs")] = None,
) -> None:
    """The recorded runs, newest first: id, when, kind, status, duration, question."""
    from sre_agent.trace.text import runs_table

    engine = _engine()
    runs = engine.traces.list(limit=limit, session=session)
    if not runs:
        console.print(
            f"no runs recorded in {engine.traces.folder}/" + (f" for session {session}" if session else "")
        )
        return
    console.print(runs_table(runs))


@runs_app.command("show")
@_friendly
def runs_show(
    run_id: Annotated[str, typer.Argument(help="a run id (or a unique start of one, or 'last')")],
    html: Annotated[Path | None, typer.Option("--html", help="also write the run's picture here")] = None,
) -> None:
    """One run: its steps, tool calls with arguments and results, LLM calls, retrieved lines."""
    from sre_agent.trace.html import render_run
    from sre_agent.trace.text import print_run

    trace = _engine().traces.get(run_id)
    print_run(console, trace)
    if html is not None:
        _write_page(html, render_run(trace))
        console.print(f"picture written to {html}", highlight=False)


@runs_app.command("prune")
@_friendly
def runs_prune(
    all_runs: Annotated[
        bool, typer.Option("--all", help="remove every trace, not only expired ones")
    ] = False,
) -> None:
    """Remove traces older than SRE_AGENT_TRACE_KEEP_DAYS (or all of them)."""
    engine = _engine()
    removed = engine.traces.clear() if all_runs else engine.traces.prune()
    console.print(f"removed {removed} run traces from {engine.traces.folder}/")


@app.command()
@_friendly
def doctor() -> None:
    """Check the config files, every configured connector (logstore, admin API, DynamoDB), the code
    index and the LLM. Exit 2 when a config is invalid, 1 when a connector fails."""
    from sre_agent.doctor import check_all

    checks = check_all(_engine())
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
@_friendly
def index_code(
    path: Annotated[Path, typer.Argument(help="a git checkout; its `git ls-files` are indexed")],
    name: Annotated[str | None, typer.Option(help="repository name (default: the folder's name)")] = None,
    include: Annotated[
        list[str] | None, typer.Option(help="only files matching this glob, e.g. 'src/*' (repeatable)")
    ] = None,
) -> None:
    """Index a repository's code for `search_codebase` (incremental: unchanged files are skipped)."""
    from sre_agent.indexes.code_index import outside_sentence

    engine = _engine()
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
@_friendly
def sessions_list() -> None:
    """List sessions with their tables and row counts."""
    engine = _engine()
    table = Table("session", "tables", "records", title="sessions")
    for name in engine.store.list_sessions():
        stored = engine.stored(name)
        table.add_row(name, ", ".join(stored), str(sum(stored.values())))
    console.print(table)


@sessions_app.command("drop")
@_friendly
def sessions_drop(session: Annotated[str, typer.Argument(help="the session id")]) -> None:
    """Forget one session: its tables and its chat history."""
    engine = _engine()
    if session not in engine.store.list_sessions():
        raise InputError(f"SESSION: unknown session '{session}' (see `sre-agent sessions list`)")
    asyncio.run(engine.reset(session))
    console.print(f"dropped session {session}")


@sessions_app.command("purge")
@_friendly
def sessions_purge() -> None:
    """Drop every session's tables and chat histories and forget the bot's threads (what the nightly
    purge does)."""
    from sre_agent.bot.purge import purge_everything

    engine = _engine()
    report = purge_everything(engine)
    kept = (
        "every trace" if engine.settings.trace_purge else "expired ones; SRE_AGENT_TRACE_PURGE=true takes all"
    )
    console.print(
        f"dropped {report.sessions} sessions; forgot {report.threads} Slack threads; "
        f"removed {report.traces} run traces ({kept})"
    )


@app.command()
@_friendly
def bot(
    http: Annotated[
        bool, typer.Option("--http", help="serve the Events API over HTTP instead of Socket Mode")
    ] = False,
    port: Annotated[int, typer.Option(help="HTTP port (--http)", min=0, max=65535)] = 3000,
    host: Annotated[str, typer.Option(help="HTTP address to listen on (--http)")] = "0.0.0.0",
) -> None:
    """Run the Slack bot: Socket Mode (SLACK_BOT_TOKEN, SLACK_APP_TOKEN) or --http (SLACK_SIGNING_SECRET)."""
    import logging
    import signal

    from sre_agent.bot.app import banner, create, http_server, socket_mode_handler
    from sre_agent.settings import get_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # SIGTERM (docker stop, systemd, Kubernetes) stops the bot the way Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    runtime = create(get_settings(), http=http)
    mode = f"HTTP on {host}:{port} (POST /slack/events, GET /healthz)" if http else "Socket Mode"
    for line in banner(runtime, mode=mode):
        err.print(line, highlight=False, soft_wrap=True)
    if runtime.scheduler is not None:
        runtime.scheduler.start()
    try:
        if http:
            http_server(runtime, host=host, port=port).run()
        else:
            socket_mode_handler(runtime).start()
    except KeyboardInterrupt:
        err.print("stopping: finishing the questions already running…")
    finally:
        if runtime.scheduler is not None:
            runtime.scheduler.stop()
        runtime.bot.close()


if __name__ == "__main__":
    app()

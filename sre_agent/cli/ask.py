"""`sre-agent ask` and `sre-agent chat`: a question (or a conversation) answered by the agent, its
tool calls and progress shown on stderr as they happen, the answer on stdout."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from sre_agent.cli.common import FetchLimit, app, console, err, friendly, make_engine
from sre_agent.errors import ConnectorError, InputError, StorageError


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
@friendly
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

    engine = make_engine(limit)
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
@friendly
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

    engine = make_engine(limit)
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

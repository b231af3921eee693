"""What every command of the `sre-agent` command line shares: the typer apps, the consoles, the
one-line error handling and exit codes, the engine of a command and the `--limit` option."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from sre_agent.errors import ConnectorError, InputError, StorageError
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


def friendly(func: F) -> F:
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


def cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def make_engine(fetch_limit: int | None = None):
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


def write_page(path: Path, html: str) -> None:
    if path.is_dir():
        raise InputError(f"--out/--html: {path} is a folder; give a file name such as {path / 'run.html'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--out/--html: cannot write {path}: {exc.strerror or exc}") from None

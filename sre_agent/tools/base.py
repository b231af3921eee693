"""What every agent tool shares: the context it runs in, what it returns, and its error.

A tool is a thin, read-only wrapper over the spine (or a connector). It gets its arguments
validated by a pydantic model, runs, and returns a `ToolOutput`: what it found, whole and as
read (a header, the items to show best first, structured values, the lines it surfaced). The
registry makes the `ToolResult` of it: the text for the LLM fitted to the token budget, every
string redacted, the call timed. A `ToolError` is a mistake the model can fix (bad argument,
window too wide); the registry turns it, and any outside fault, into a readable error for the
model instead of a crashed turn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from sre_agent.connectors.report import FetchReport
from sre_agent.models import TimeWindow
from sre_agent.suspects import SuspectRanking
from sre_agent.workflows.events import ProgressEvent
from sre_agent.workflows.results import ResultLine

if TYPE_CHECKING:
    from sre_agent.connectors.base import Logstore
    from sre_agent.tools.host import ToolHost


class ToolError(Exception):
    """A tool call the model can correct: the message says what was wrong and how to fix it."""


class ToolOutput(BaseModel):
    """What a tool found, before the registry budgets and redacts it into a `ToolResult`.

    The text the model reads is `header`, then `items`, then each of `values` as JSON, as many
    items as fit in the token budget (a last line says how many were cut and `hint` what to do).
    `values` are structured (an API's answer, a table's items): the registry redacts them as
    structures first, so a field named like a secret loses its whole value, then shows each as
    JSON (`indent` None: one line each; else indented, a line per item)."""

    header: str
    items: list[str] = Field(default_factory=list, description="best first; the budget cuts the tail")
    values: list[Any] = Field(default_factory=list, description="JSON values shown after the items")
    indent: int | None = Field(default=None, description="JSON indent of `values` (None: one line each)")
    hint: str = Field(default="", description="what to do to see what the budget cut")
    summary: str | None = Field(
        default=None, description="one line for progress; default: the header's first"
    )
    lines: list[ResultLine] = Field(default_factory=list, description="lines surfaced, best first")
    counts: dict[str, int] = Field(default_factory=dict)
    scope: str = ""
    fetch_report: FetchReport | None = None
    suspects: SuspectRanking | None = None
    findings: list[str] = Field(
        default_factory=list, description="what the lines say to the question, in sentences for the summary"
    )


class ToolResult(BaseModel):
    """The outcome of one tool call, as the registry returns it: bounded, redacted and timed."""

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    ok: bool = True
    error: str | None = None
    summary: str = Field(default="", description="one line for progress displays")
    text: str = Field(default="", description="what the LLM sees: bounded and redacted")
    lines: list[ResultLine] = Field(default_factory=list, description="lines surfaced, best first")
    counts: dict[str, int] = Field(default_factory=dict)
    scope: str = Field(default="", description="table, window and filters searched, for the answer")
    fetch_report: FetchReport | None = Field(
        default=None, description="what the tool's fetch matched, dropped, or found the source held"
    )
    suspects: SuspectRanking | None = Field(
        default=None, description="rank_suspects' ranking, for the answer"
    )
    findings: list[str] = Field(
        default_factory=list, description="what the lines say to the question, in sentences for the summary"
    )
    seconds: float = 0.0

    def record(self) -> dict[str, Any]:
        """The replay report's entry for this call (spec: tool and arguments, plus what came back)."""
        out: dict[str, Any] = {"tool": self.tool, "args": self.args, "ok": self.ok, "lines": len(self.lines)}
        if self.error:
            out["error"] = self.error
        out["seconds"] = round(self.seconds, 3)
        return out


@dataclass
class ToolContext:
    """Where a tool runs: one session of one engine (seen as a `ToolHost`), and the logstore
    fetches go to.

    `now` anchors time phrases (replay sets the incident's end); `default_window` is used when a
    call names no window; `max_window_hours` bounds the widest window a call may fetch.
    `use_llm` False keeps the tools' refine step on rules (offline triage sends nothing out).
    """

    engine: ToolHost
    session: str
    logstore: Logstore | None = None
    service: str | None = None
    environment: str = "prod"
    now: datetime | None = None
    default_window: TimeWindow | None = None
    max_window_hours: float = 24.0
    on_progress: Callable[[ProgressEvent], None] | None = None
    use_llm: bool = True
    results: list[ToolResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said in the answer, e.g. a config not applied
    #: the UTC offset (minutes) the snapshot's times were written with, read with its span before any
    #: fetch (None: unknown, or no snapshot): "03:00" is then read in that clock from the first fetch
    source_clock: int | None = None

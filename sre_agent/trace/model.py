"""What a run trace holds: one turn (or bare search) as spans, tool calls, LLM calls and lines.

A `RunTrace` is written as JSON to `<data dir>/runs/<run id>.json` by the recorder
(`trace/recorder.py`) and read back by `sre-agent runs`, the run picture and the Slack `trace`
word. Times inside a trace are seconds from the run's start, so a trace reads the same in any
time zone and the timeline needs no arithmetic on dates.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

SpanKind = Literal["workflow", "step", "tool", "embedding"]
RunStatus = Literal["running", "ok", "fallback", "failed"]


def new_run_id() -> str:
    """A run id people can read out and sort: UTC time of the start, then random hex."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


class SpanRecord(BaseModel):
    """One span of the instrumentation: a workflow run, one of its steps, a tool call, or a call of
    the embedding model (the first one in a process includes loading the model)."""

    id: str
    parent_id: str | None = None
    kind: SpanKind
    name: str = Field(description="the step or tool name, the workflow class, or the LLM method")
    workflow: str | None = Field(default=None, description="the workflow class of a workflow or step span")
    workflow_span: str | None = Field(default=None, description="id of the workflow run a step belongs to")
    started: float = Field(description="seconds from the run's start")
    seconds: float | None = Field(default=None, description="None while it runs (or if it never ended)")
    status: Literal["running", "ok", "failed"] = "running"
    error: str | None = None
    input_event: str | None = None
    output_event: str | None = None
    notes: list[str] = Field(default_factory=list, description="progress the step reported")


class ToolCallRecord(BaseModel):
    """One tool call: what was asked and what came back (already redacted, capped)."""

    span_id: str
    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    ok: bool = True
    error: str | None = None
    summary: str = ""
    counts: dict[str, int] = Field(default_factory=dict)
    result_chars: int = Field(default=0, description="size of the full result the agent saw")
    result: str = Field(default="", description="the result text, cut at RESULT_CHARS")
    started: float = 0.0
    seconds: float = 0.0


class LLMCallRecord(BaseModel):
    """One call to the LLM; token counts where the endpoint reported them."""

    span_id: str | None = None
    model: str | None = None
    started: float = 0.0
    seconds: float | None = None
    messages: int = 0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    error: str | None = None


class LineRecord(BaseModel):
    """One retrieved log line (distinct message) as the answer's tools surfaced it."""

    message: str
    level: str | None = None
    table: str = ""
    count: int = 1
    first_seen: datetime | None = None
    lines: list[int] = Field(default_factory=list)
    score: float = 0.0
    via: str = ""


class RunSummary(BaseModel):
    """The columns of `sre-agent runs list`: enough to find a run."""

    id: str
    kind: str = Field(description="ask, chat, bot, replay, search or tool")
    started_at: datetime
    question: str
    session: str
    service: str | None = None
    seconds: float | None = None
    status: RunStatus = "running"
    mode: str | None = Field(default=None, description="llm or offline (None for a bare search)")


class RunTrace(RunSummary):
    """A whole run."""

    backend: str | None = None
    error: str | None = Field(default=None, description="why the run failed, or why the LLM was abandoned")
    answer: str = ""
    spans: list[SpanRecord] = Field(default_factory=list, description="in start order")
    tool_calls: list[ToolCallRecord] = Field(default_factory=list, description="in call order")
    llm_calls: list[LLMCallRecord] = Field(default_factory=list)
    lines: list[LineRecord] = Field(default_factory=list, description="retrieved lines, best first")

    def summary(self) -> RunSummary:
        return RunSummary(**{name: getattr(self, name) for name in RunSummary.model_fields})

    def workflows(self) -> list[str]:
        """The workflow classes this run went through, in first-use order."""
        seen: list[str] = []
        for span in self.spans:
            if span.kind == "workflow" and span.workflow and span.workflow not in seen:
                seen.append(span.workflow)
        return seen

    def depths(self) -> dict[str, int]:
        """How deep each span sits under the spans that started it (0 for a top-level span)."""
        by_id = {span.id: span for span in self.spans}
        out: dict[str, int] = {}
        for span in self.spans:
            level, parent = 0, by_id.get(span.parent_id or "")
            while parent is not None and level < 50:
                level, parent = level + 1, by_id.get(parent.parent_id or "")
            out[span.id] = level
        return out

    def steps(self, workflow: str) -> list[SpanRecord]:
        return [s for s in self.spans if s.kind == "step" and s.workflow == workflow]

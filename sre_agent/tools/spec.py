"""One tool, whole: a `ToolSpec` holds all that any part of sre-agent knows about a tool.

The registry runs it (name, argument model, `run`) and gives the model its description; the
system prompt says its paragraph (`knowledge.system_prompt`); the bot's status line says its
phrase (`ToolRegistry.doing`); the offline triage asks its planning hook whether to call it,
shows its answer section and, when it was not called, says so (`agent/triage.py`); and
`sre-agent doctor` runs its health check. A tool is one module defining its `SPEC`; the registry
lists the specs (`tools/registry.py`). Only the name, description, argument model and `run` are
required: a tool without a planning hook is one the offline triage never calls, and so on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from sre_agent.tools.base import ToolContext, ToolOutput, ToolResult
from sre_agent.workflows.plan import RetrievalPlan

if TYPE_CHECKING:
    from sre_agent.configs import ServiceConfig
    from sre_agent.tools.host import ToolHost

Status = Literal["ok", "warn", "fail", "off"]
ToolFn = Callable[[ToolContext, Any], Awaitable[ToolOutput]]


@dataclass(frozen=True)
class Check:
    """One row of `sre-agent doctor`: a connector of a service ("-": of the whole deployment)."""

    service: str
    connector: str
    status: Status
    detail: str


class ToolCallPlan(BaseModel):
    """One tool call the offline triage decided to make, and why."""

    tool: str
    args: dict[str, str | int | dict[str, str] | None] = Field(default_factory=dict)
    why: str


@dataclass
class Planning:
    """What a tool's planning hook is shown: the turn's context, the question, what the rule
    refiner read in it, and the calls planned before this tool's (in `plan_order`)."""

    ctx: ToolContext
    question: str
    plan: RetrievalPlan
    planned: list[ToolCallPlan] = field(default_factory=list)

    @property
    def environment(self) -> str:
        return self.plan.environment or self.ctx.environment or "prod"

    @cached_property
    def stored(self) -> set[str]:
        """The thread's tables the connected logstore filled (tables another source, e.g. an earlier
        --logs file, filled do not count), and only those whose fetch read the question's whole
        window: a cut fetch read only its newest part. Empty without a logstore."""
        ctx = self.ctx
        if ctx.logstore is None:
            return set()
        needed = self.plan.window.within(ctx.default_window) if self.plan.window is not None else None
        return ctx.engine.fetched_from(ctx.session, ctx.logstore, needed)


PlanHook = Callable[[Planning], ToolCallPlan | None]
#: Called once per service config (rows about that service) and once with None (rows about the
#: whole deployment, service "-"); returns [] when it has nothing to check there.
HealthCheck = Callable[["ToolHost", "ServiceConfig | None"], list[Check]]


@dataclass(frozen=True)
class ToolSpec:
    """A tool: what runs it, what the model reads about it, and how every other part uses it."""

    name: str
    #: What the model reads about the tool (and `sre-agent tool` lists).
    description: str
    args_model: type[BaseModel]
    run: ToolFn
    #: The status line of a call about to run, from its (redacted) arguments: "searching … logs…".
    doing: Callable[[dict[str, Any]], str] | None = None
    #: The system prompt's line on when to use it ("for crashes"); "" leaves it to the description.
    prompt: str = ""
    #: The offline triage's hook: the call to make for this question, or None.
    plan: PlanHook | None = None
    #: Where its hook stands among the others' (lower first); later hooks see earlier calls.
    plan_order: int = 100
    #: The offline answer's section showing what its first successful call returned.
    answer_section: Callable[[ToolResult], str] | None = None
    #: The offline answer's "Not checked" line when the triage did not call it.
    not_called: str = ""
    #: `sre-agent doctor`'s check of what the tool reaches.
    health: HealthCheck | None = None

    def phrase(self, args: dict[str, Any]) -> str:
        """What a call of it is doing, in plain words."""
        return self.doing(args) if self.doing is not None else f"running {self.name}…"

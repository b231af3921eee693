"""The tools the agent may call, by name: validation, budget, redaction, timing, LlamaIndex wrapping.

`ToolRegistry.call` is the one way a tool runs (agent, offline triage, `sre-agent tool`): it
validates the arguments against the tool's pydantic model, runs it, and never raises: a bad
argument or an outside fault comes back as a `ToolResult` with `ok=False` and a readable
error, which is what the model sees. It alone turns what a tool found (`ToolOutput`) into the
text the model reads: structured values redacted as structures, every item redacted, the whole
fitted to the token budget (`tools/budget.py`) with a marker saying what was cut. Every result,
failed or not, is then redacted again as a whole with the service's redactor
(`tools/redaction.py`), timed, appended to the context's `results` and, as a span, recorded in
the run trace: no tool can skip redaction or the budget.

`default_registry` lists the tools every deployment has: one module per tool, each its `SPEC`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from llama_index_instrumentation import get_dispatcher
from pydantic import BaseModel, ValidationError

from sre_agent.errors import ConnectorError, InputError, StorageError, echo
from sre_agent.redact import Redactor
from sre_agent.tools import (
    get_all_logs_for_request_id,
    rank_suspects,
    retrieve_stored_logs,
    search_admin_apis,
    search_aws_cli,
    search_codebase,
    search_logstore,
    search_panic_logs,
    summarize_stored_logs,
)
from sre_agent.tools.base import ToolContext, ToolError, ToolOutput, ToolResult
from sre_agent.tools.budget import fit_to_budget
from sre_agent.tools.redaction import redact_result, redactor_for
from sre_agent.tools.spec import ToolSpec

log = logging.getLogger(__name__)
dispatcher = get_dispatcher(__name__)


def describe_validation(tool: str, exc: ValidationError, model: type[BaseModel]) -> str:
    """A pydantic error as one line per bad argument, naming the argument and the value given."""
    known = ", ".join(model.model_fields)
    problems = []
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or "(arguments)"
        if error["type"] == "extra_forbidden":
            problems.append(f"argument '{name}' is not a parameter of {tool} (parameters: {known})")
        elif error["type"] == "missing":
            problems.append(f"argument '{name}' is required")
        else:
            problems.append(f"argument '{name}': {error['msg']} (got {echo(error.get('input'))})")
    return f"{tool}: " + "; ".join(problems)


class ToolRegistry:
    """A fixed set of tools, in the order the model is shown them."""

    def __init__(self, specs: list[ToolSpec]) -> None:
        self._specs = {spec.name: spec for spec in specs}

    def names(self) -> list[str]:
        return list(self._specs)

    def specs(self) -> list[ToolSpec]:
        return list(self._specs.values())

    def doing(self, name: str, args: dict[str, Any]) -> str:
        """The status line of a call about to run ("searching GetMembership logs in prod…")."""
        spec = self._specs.get(name)
        return spec.phrase(args) if spec is not None else f"running {name}…"

    def get(self, name: str) -> ToolSpec:
        if name not in self._specs:
            raise InputError(f"TOOL: unknown tool {echo(name)} (known: {', '.join(self._specs)})")
        return self._specs[name]

    @dispatcher.span
    async def call(self, ctx: ToolContext, name: str, raw_args: dict[str, Any]) -> ToolResult:
        """Validate and run one call; errors come back as a failed `ToolResult`, never as an exception.
        What comes back is bounded and redacted, whatever the tool did."""
        started = time.perf_counter()
        redactor = redactor_for(ctx)
        spec = self._specs.get(name)
        if spec is None:
            result = _failed(
                name, raw_args, f"there is no tool named {echo(name)} (tools: {', '.join(self._specs)})"
            )
        else:
            try:
                args = spec.args_model.model_validate(raw_args)
                output = await spec.run(ctx, args)
                result = _result(name, args, output, redactor, ctx.engine.settings.tool_output_tokens)
            except ValidationError as exc:
                result = _failed(name, raw_args, describe_validation(name, exc, spec.args_model))
            except StorageError:  # the data dir failed: no answer can be trusted, the turn stops
                raise
            except ToolError as exc:
                result = _failed(name, raw_args, f"{name}: {exc}")
            except (ConnectorError, InputError, OSError, TimeoutError) as exc:
                result = _failed(name, raw_args, f"{name} failed: {exc}")
            except Exception as exc:  # a bug or a library fault: the turn goes on, the log keeps the trace
                log.exception("tool %s failed", name)
                result = _failed(name, raw_args, f"{name} failed unexpectedly: {type(exc).__name__}: {exc}")
        result = redact_result(result, redactor)
        result.seconds = time.perf_counter() - started
        ctx.results.append(result)
        return result

    def llama_tools(self, ctx: ToolContext) -> list[Any]:
        """The tools as LlamaIndex `FunctionTool`s bound to `ctx`; the model sees each args schema."""
        from llama_index.core.tools import FunctionTool

        return [
            FunctionTool.from_defaults(
                async_fn=self._bound(ctx, spec.name),
                name=spec.name,
                description=spec.description,
                fn_schema=spec.args_model,
            )
            for spec in self._specs.values()
        ]

    def _bound(self, ctx: ToolContext, name: str) -> Callable[..., Awaitable[str]]:
        """A function of the model's arguments only: nothing it sends can change which tool runs."""

        async def run(**kwargs: Any) -> str:
            return (await self.call(ctx, name, kwargs)).text

        return run


def _failed(name: str, args: dict[str, Any], error: str) -> ToolResult:
    return ToolResult(
        tool=name, args=dict(args), ok=False, error=error, summary=error[:200], text=f"error: {error}"
    )


def _result(name: str, args: BaseModel, output: ToolOutput, redactor: Redactor, budget: int) -> ToolResult:
    """The `ToolResult` of what a tool found: its items redacted (its values as structures, so a
    secret-named field loses its whole value) and fitted to `budget` tokens."""
    items = [redactor.redact(item) for item in output.items]
    for value in output.values:
        value = redactor.redact_value(value)
        shown = (
            value
            if isinstance(value, str)
            else json.dumps(value, indent=output.indent, sort_keys=True, default=str)
        )
        items += shown.splitlines()
    text, left = fit_to_budget(redactor.redact(output.header), items, budget, hint=output.hint)
    counts = {**output.counts, "truncated": left} if left else dict(output.counts)
    summary = output.summary if output.summary is not None else (output.header.splitlines() or [""])[0]
    return ToolResult(
        tool=name,
        args=args.model_dump(exclude_none=True),
        summary=summary[:200],
        text=text,
        lines=output.lines,
        counts=counts,
        scope=output.scope,
        fetch_report=output.fetch_report,
        suspects=output.suspects,
        findings=output.findings,
    )


def default_registry() -> ToolRegistry:
    """The tools every deployment has, in the order the model is shown them."""
    return ToolRegistry(
        [
            search_logstore.SPEC,
            get_all_logs_for_request_id.SPEC,
            search_panic_logs.SPEC,
            retrieve_stored_logs.SPEC,
            summarize_stored_logs.SPEC,
            rank_suspects.SPEC,
            search_codebase.SPEC,
            search_admin_apis.SPEC,
            search_aws_cli.SPEC,
        ]
    )

"""The one redaction every tool result passes before it leaves the registry.

`ToolRegistry.call` hands each `ToolResult` to `redact_result` before it is returned, appended to
the context's results, recorded in the run trace or sent to a model, so a tool that forgets to
redact (or a new one) cannot leak what its source held. Every string in the result is redacted
with the service's redactor: the text the model reads, the summary, the error, the scope, each
line's message and fields, the fetch report's values (dict keys too: facets are keyed by what
the logs said); the arguments as a structured value (a parameter named like a secret loses its
value). Redacting is idempotent, so a tool that already redacted loses nothing.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from pydantic import BaseModel

from sre_agent.errors import SreAgentError
from sre_agent.redact import Redactor
from sre_agent.tools.base import ToolContext, ToolResult

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


def redactor_for(ctx: ToolContext) -> Redactor:
    """The service's redactor (built-in rules plus its `redaction_patterns`); the built-in rules
    alone when the context names no service or its config cannot be had (never no redaction)."""
    try:
        config = ctx.engine.config(ctx.service) if ctx.service else None
        return Redactor.for_config(config)
    except SreAgentError as exc:
        log.warning("redacting tool output with the built-in rules only: %s", exc)
        return Redactor.for_config(None)


def _strings(value: Any, redactor: Redactor) -> Any:
    """`value` with every string in it (dict keys included) redacted; its shape kept."""
    if isinstance(value, str):
        return redactor.redact(value)
    if isinstance(value, dict):
        return {_strings(k, redactor): _strings(v, redactor) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v, redactor) for v in value]
    return value


def _model(model: M, redactor: Redactor) -> M:
    """A copy of a pydantic model with every string redacted, rebuilt from its JSON (times parse back)."""
    return type(model).model_validate(_strings(model.model_dump(mode="json"), redactor))


def redact_result(result: ToolResult, redactor: Redactor) -> ToolResult:
    """A copy of `result` in which nothing a secret or personal datum could hide in is left clear."""
    out = _model(result.model_copy(update={"args": {}, "lines": [], "fetch_report": None}), redactor)
    out.args = redactor.redact_value(result.args)  # as a structure: a secret-named parameter loses its value
    out.lines = [_model(line, redactor) for line in result.lines]
    out.fetch_report = _model(result.fetch_report, redactor) if result.fetch_report is not None else None
    out.seconds = result.seconds
    return out

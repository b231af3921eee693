"""The tools the agent may call, by name: validation, error handling and LlamaIndex wrapping.

`ToolRegistry.call` is the one way a tool runs (agent, offline triage, `sre-agent tool`): it
validates the arguments against the tool's pydantic model, runs it, and never raises: a bad
argument or an outside fault comes back as a `ToolResult` with `ok=False` and a readable
error, which is what the model sees. Every result, failed or not, is redacted with the
service's redactor (`tools/redaction.py`) before it is returned, appended to the context's
`results`, recorded in the run trace or sent to a model: no tool can skip redaction.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from llama_index_instrumentation import get_dispatcher
from pydantic import BaseModel, ValidationError

from sre_agent.errors import ConnectorError, InputError, StorageError, echo
from sre_agent.tools import admin_tools, aws_tools, code_tools, log_tools, suspect_tools
from sre_agent.tools.base import ToolContext, ToolError, ToolResult
from sre_agent.tools.redaction import redact_result, redactor_for

log = logging.getLogger(__name__)
dispatcher = get_dispatcher(__name__)
ToolFn = Callable[[ToolContext, Any], Awaitable[ToolResult]]


@dataclass(frozen=True)
class ToolSpec:
    """One tool: its name and description for the model, its argument model, and what runs it."""

    name: str
    description: str
    args_model: type[BaseModel]
    run: ToolFn


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
    """A fixed set of tools. The [connectors] work adds codebase, admin API and DynamoDB tools here."""

    def __init__(self, specs: list[ToolSpec]) -> None:
        self._specs = {spec.name: spec for spec in specs}

    def names(self) -> list[str]:
        return list(self._specs)

    def get(self, name: str) -> ToolSpec:
        if name not in self._specs:
            raise InputError(f"TOOL: unknown tool {echo(name)} (known: {', '.join(self._specs)})")
        return self._specs[name]

    @dispatcher.span
    async def call(self, ctx: ToolContext, name: str, raw_args: dict[str, Any]) -> ToolResult:
        """Validate and run one call; errors come back as a failed `ToolResult`, never as an exception.
        What comes back is redacted, whatever the tool did."""
        started = time.perf_counter()
        spec = self._specs.get(name)
        if spec is None:
            result = _failed(
                name, raw_args, f"there is no tool named {echo(name)} (tools: {', '.join(self._specs)})"
            )
        else:
            try:
                args = spec.args_model.model_validate(raw_args)
                result = await spec.run(ctx, args)
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
        result = redact_result(result, redactor_for(ctx))
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


LOG_TOOLS = [
    ToolSpec(
        "search_logstore",
        "Fetch one method's logs (or all methods') for a time window from the logstore into this "
        "thread, then return the most relevant distinct lines with counts and first/last seen. "
        "Use it first for a new question about a method, user or time range.",
        log_tools.SearchLogstoreArgs,
        log_tools.search_logstore,
    ),
    ToolSpec(
        "get_all_logs_for_request_id",
        "Fetch every log line of one request id, in time order. Use it when the question or an "
        "earlier result names a request id.",
        log_tools.RequestLogsArgs,
        log_tools.get_all_logs_for_request_id,
    ),
    ToolSpec(
        "search_panic_logs",
        "Fetch panics, crashes, fatal errors and other ERROR lines of a time window; the most severe "
        "and rarest first. Use it for 'did anything crash?' and when errors have no obvious cause.",
        log_tools.PanicLogsArgs,
        log_tools.search_panic_logs,
    ),
    ToolSpec(
        "retrieve_stored_logs",
        "Search everything this thread already fetched (all its tables) without fetching again; "
        "optional filters by method, user, request, host, level and window. Use it for follow-ups.",
        log_tools.RetrieveStoredArgs,
        log_tools.retrieve_stored_logs,
    ),
    ToolSpec(
        "summarize_stored_logs",
        "Group what this thread stored (optionally one window) into log patterns with counts and "
        "first/last seen, warnings and errors first, plus a timeline of the worst pattern with the "
        "config/deploy/restart lines logged just before it began and around when it stopped. Use it "
        "for 'what went wrong?', 'did someone ship something?' and 'what fixed it?'.",
        log_tools.SummarizeStoredArgs,
        log_tools.summarize_stored_logs,
    ),
    ToolSpec(
        "rank_suspects",
        "Rank the services, pods, hosts and changes most likely at fault, from what this thread stored "
        "(optionally one window): when the trouble began, which services' errors are new, which service "
        "the callers' errors name, the deepest failing hop of failing requests (or the callee whose "
        "answer its caller failed right after), who went quiet, and "
        "deploy/config/restart lines just before. Up to five suspects, each with its reason and evidence "
        "line. Use it for 'why?', 'what is wrong?' and 'which service is it?', after fetching the logs.",
        suspect_tools.RankSuspectsArgs,
        suspect_tools.rank_suspects_tool,
    ),
]


CODE_TOOLS = [
    ToolSpec(
        "search_codebase",
        "Search the indexed source code (repositories an operator indexed with `sre-agent index-code`) "
        "by meaning and by words; returns snippets with repo/path:line. Use it to find where an error "
        "message, a method or a config key lives in the code, optionally within one repo or path glob.",
        code_tools.SearchCodebaseArgs,
        code_tools.search_codebase,
    ),
]


ADMIN_TOOLS = [
    ToolSpec(
        "search_admin_apis",
        "Call one read-only endpoint of the service's admin API, as the service config declares it "
        "(name, parameters and their types are in the config): e.g. look up a user's memberships or a "
        "cache entry. Only declared endpoints; parameters are checked before the request.",
        admin_tools.SearchAdminApisArgs,
        admin_tools.search_admin_apis,
    ),
    ToolSpec(
        "search_aws_cli",
        "Read DynamoDB, read-only (not a shell): GetItem by key, Query by partition key with an optional "
        "sort-key condition or on a declared index, or a small Scan, on tables the service config "
        "allow-lists (their key schemas are in the config). Use it to see what the table really holds.",
        aws_tools.SearchAwsCliArgs,
        aws_tools.search_aws_cli,
    ),
]


def default_registry() -> ToolRegistry:
    """The tools every deployment has."""
    return ToolRegistry(list(LOG_TOOLS) + list(CODE_TOOLS) + list(ADMIN_TOOLS))

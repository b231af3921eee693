"""`search_codebase`: snippets of the indexed repositories (`sre-agent index-code`) with
`path:line`, found by meaning and by words. Read-only; the repositories indexed are the allow-list."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from sre_agent.errors import InputError
from sre_agent.tools.base import ToolContext, ToolError, ToolOutput, ToolResult
from sre_agent.tools.spec import Check, Planning, ToolCallPlan, ToolSpec

if TYPE_CHECKING:
    from sre_agent.configs import ServiceConfig
    from sre_agent.tools.host import ToolHost

#: Lines of one snippet shown to the model (the chunk can be longer; the path:line says where).
SNIPPET_LINES = 30
SNIPPET_LINE_CHARS = 200


class SearchCodebaseArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=500, description="what the code does, in plain words")
    repo: str | None = Field(default=None, max_length=120, description="one indexed repository")
    path_glob: str | None = Field(default=None, max_length=200, description="e.g. 'sre_agent/bot/*'")
    limit: int = Field(default=6, ge=1, le=20, description="snippets to return")


async def search_codebase(ctx: ToolContext, args: SearchCodebaseArgs) -> ToolOutput:
    index = ctx.engine.code_index
    if not index.repos():
        raise ToolError("no code is indexed; an operator runs `sre-agent index-code PATH` first")
    try:
        hits = await asyncio.to_thread(
            index.search, args.query, repo=args.repo, path_glob=args.path_glob, k=args.limit
        )
    except InputError as exc:
        raise ToolError(str(exc)) from None
    header = f"{len(hits)} code snippets for {args.query!r}" + (f" in {args.repo}" if args.repo else "")
    items = []
    for hit in hits:
        shown = [line[:SNIPPET_LINE_CHARS] for line in hit.text.splitlines()[:SNIPPET_LINES]]
        more = hit.end - hit.start + 1 - len(shown)
        what = f" ({hit.kind} {hit.symbol})" if hit.symbol else ""
        tail = f"\n  … {more} more lines" if more > 0 else ""
        items.append(
            f"{hit.repo}/{hit.path}:{hit.start}-{hit.end}{what}\n```\n" + "\n".join(shown) + f"\n```{tail}"
        )
    # Chunks were redacted when indexed; the registry redacts the output again.
    return ToolOutput(
        header=header,
        items=items,
        hint="ask for fewer snippets",
        summary=header,
        counts={"snippets": len(hits)},
        scope=args.repo or "all indexed repositories",
    )


#: Words of a question about the code rather than (only) the logs.
_CODE_WORDS = re.compile(
    r"\b(code|codebase|source|function|method in|class|implemented|implementation|which file|"
    r"where is .* (defined|handled|thrown|raised|logged))\b",
    re.IGNORECASE,
)


def _plan(p: Planning) -> ToolCallPlan | None:
    """When the question asks about the code, and code is indexed."""
    if not _CODE_WORDS.search(p.question) or not p.ctx.engine.code_index.repos():
        return None
    return ToolCallPlan(
        tool="search_codebase",
        args={"query": p.question},
        why="the question asks about the code, and code is indexed",
    )


def _section(result: ToolResult) -> str:
    return "**Code**: where the indexed repositories touch this (path:lines):\n\n" + result.text


def _health(host: ToolHost, config: ServiceConfig | None) -> list[Check]:
    """The code index is the deployment's, not a service's."""
    if config is not None:
        return []
    repos = host.code_index.repos()
    if not repos:
        return [Check("-", "code index", "off", "nothing indexed (sre-agent index-code PATH)")]
    return [Check("-", "code index", "ok", f"repositories: {', '.join(repos)}")]


SPEC = ToolSpec(
    "search_codebase",
    "Search the indexed source code (repositories an operator indexed with `sre-agent index-code`) "
    "by meaning and by words; returns snippets with repo/path:line. Use it to find where an error "
    "message, a method or a config key lives in the code, optionally within one repo or path glob.",
    SearchCodebaseArgs,
    search_codebase,
    plan=_plan,
    plan_order=60,
    answer_section=_section,
    not_called="code: not searched (ask about the code, once `sre-agent index-code` has indexed it)",
    health=_health,
)

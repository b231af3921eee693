"""`search_codebase`: snippets of the indexed repositories (`sre-agent index-code`) with
`path:line`, found by meaning and by words. Read-only; the repositories indexed are the allow-list."""

from __future__ import annotations

import asyncio
import time

from pydantic import BaseModel, ConfigDict, Field

from sre_agent.errors import InputError
from sre_agent.tools.base import ToolContext, ToolError, ToolResult
from sre_agent.tools.budget import fit_to_budget

#: Lines of one snippet shown to the model (the chunk can be longer; the path:line says where).
SNIPPET_LINES = 30
SNIPPET_LINE_CHARS = 200


class SearchCodebaseArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=500, description="what the code does, in plain words")
    repo: str | None = Field(default=None, max_length=120, description="one indexed repository")
    path_glob: str | None = Field(default=None, max_length=200, description="e.g. 'sre_agent/bot/*'")
    limit: int = Field(default=6, ge=1, le=20, description="snippets to return")


async def search_codebase(ctx: ToolContext, args: SearchCodebaseArgs) -> ToolResult:
    started = time.perf_counter()
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
    text, left = fit_to_budget(
        header, items, ctx.engine.settings.tool_output_tokens, hint="ask for fewer snippets"
    )
    counts = {"snippets": len(hits)}
    if left:
        counts["truncated"] = left
    return ToolResult(
        tool="search_codebase",
        args=args.model_dump(exclude_none=True),
        summary=header[:200],
        text=text,  # chunks were redacted when indexed; the registry redacts the result again
        counts=counts,
        scope=args.repo or "all indexed repositories",
        seconds=time.perf_counter() - started,
    )

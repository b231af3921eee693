"""The rest of a request's story: the lines of the same requests that do not name what was asked.

"Why is GetMembership failing for user 123?" filters on the user, and "what happened to order
8812?" finds the lines naming the order; but the line that says why (a throttled database call,
an exhausted pool) is often written by a lower layer that logs the request id and not the user
or the order. The request ids (`request_id`: a record's `request_id`, `trace_id`, `correlation_id`
...) of the first lines found are followed: their lines at WARN or worse that the search left out
come right after the first `FOLLOW_AFTER` lines, worst first, and the answer says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sre_agent.indexes import Hit, LogIndex
from sre_agent.indexes.filters import in_clause
from sre_agent.workflows.constraints import Attempt, env_clause, search_filters
from sre_agent.workflows.order import as_hit
from sre_agent.workflows.plan import RetrievalPlan

T = TypeVar("T")

MAX_REQUESTS = 10  # request ids followed: those of the first lines found
FOLLOW_AFTER = 3  # lines found for the question itself that keep the first places
FOLLOW_SCAN = 1_000  # rows of the followed requests read
#: Where the request ids come from: the hits of the question's own search, this many.
FIRST_HITS = 30


def asks_about_someone(plan: RetrievalPlan) -> bool:
    """Whether the question names a user or an identifier (not a request: that is followed already)."""
    if "request_id" in plan.field_filters:
        return False
    return "user_id" in plan.field_filters or bool(plan.identifiers)


def request_ids(hits: Sequence[Hit]) -> list[str]:
    """The distinct request ids of `hits` (the first `FIRST_HITS`), in order, at most `MAX_REQUESTS`."""
    ids = dict.fromkeys(hit.request_id for hit in hits[:FIRST_HITS] if hit.request_id)
    return list(ids)[:MAX_REQUESTS]


def follow_requests(
    index: LogIndex, session: str, tables: list[str] | None, plan: RetrievalPlan, found: Sequence[Hit]
) -> list[Hit]:
    """The lines at WARN or worse of the requests of `found` (the question's window and
    environment, but not its user or identifier), not among `found`'s first `FIRST_HITS`: worst
    first, then oldest first."""
    ids = request_ids(found)
    if not ids:
        return []
    clauses = [in_clause("request_id", ids)]
    if plan.environment:
        clauses.append(env_clause(plan.environment))
    filters = search_filters(plan, Attempt(clauses, "WARN", []))
    held = {hit.id for hit in found[:FIRST_HITS]}
    scanned = index.scan(session, tables=tables, filters=filters, limit=FOLLOW_SCAN)
    rows = [row for row in scanned if row.id not in held]
    rows.sort(key=lambda r: (-r.level_rank, r.timestamp))
    return [as_hit(row) for row in rows]


def place_followed(ranked: Sequence[tuple[Hit, T]], followed: Sequence[tuple[Hit, T]]) -> list[tuple[Hit, T]]:
    """`followed` right after the first `FOLLOW_AFTER` distinct messages of `ranked` (and their
    repeats before the next one), the rest of `ranked` after them."""
    messages: set[str] = set()
    cut = len(ranked)
    for i, (hit, _) in enumerate(ranked):
        if hit.message not in messages and len(messages) == FOLLOW_AFTER:
            cut = i
            break
        messages.add(hit.message)
    return [*ranked[:cut], *followed, *ranked[cut:]]


def followed_note(ids: int, lines: int) -> str:
    """What the answer says about the lines it added."""
    requests = "request" if ids == 1 else "requests"
    return (
        f"followed {ids} {requests} of the lines found: {lines} line(s) at WARN or worse of the same "
        f"{requests} that do not name what was asked"
    )

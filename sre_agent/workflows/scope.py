"""A broad question scoped to a host: "what went wrong on gke-prod-pool-2-7c9f1e3a-x8kq between
13:50 and 13:55?" names the node as an identifier, which made it a search for the name (the
lines mentioning it), not the window's worst lines of that node. When the one identifier of a
question that asks what went wrong in a window is the host of stored lines, it becomes a host
filter and the question is broad again; the answer's notes say so.
"""

from __future__ import annotations

from sre_agent.indexes import LogIndex, SearchFilters
from sre_agent.workflows.plan import RetrievalPlan


def scope_to_host(index: LogIndex, session: str, tables: list[str] | None, plan: RetrievalPlan) -> list[str]:
    """Turn `plan` (in place) into a broad question filtered on the host it names, when it asks
    what went wrong in a window and its one identifier is a host of the stored lines; the note."""
    if not (plan.asks_what_went_wrong and plan.window is not None and len(plan.identifiers) == 1):
        return []
    if plan.broad or plan.field_filters:
        return []
    host = plan.identifiers[0]
    if not index.exists(session, tables=tables, filters=SearchFilters(host=host)):
        return []
    plan.identifiers = []
    plan.field_filters = {"host": host}
    plan.broad = True
    plan.min_level, plan.prefer_level = plan.prefer_level or "WARN", None
    return [f"'{host}' is a host of the stored lines: the window's worst lines of that host"]

"""The constraints the retrieve step tries, strictest first, as the SQL the index filters with.

- `identifier_clause`, `field_clause`, `request_clause`, `env_clause`: the where-clauses for an
  identifier the question names (a whole token; an IPv4 address also in its dashed DNS form), a
  field filter (exactly on its column, or loosely anywhere in the text; a request id also where a
  line names it) and the environment.
- `attempts`: the sets of clauses `Retriever.retrieve` tries in turn, from every field filter on
  its column down to none, with the environment then without, with the asked level then without;
  each says what it gave up, for the answer's notes.
- `search_filters`, `with_clause`: the `SearchFilters` of one attempt in the question's window,
  and one more clause AND-ed onto filters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sre_agent.connectors.base import MENTIONED_ID_CHARS
from sre_agent.indexes import SearchFilters
from sre_agent.indexes.filters import combine, in_clause, sql_string
from sre_agent.models import env_spellings
from sre_agent.workflows.order import like, whole_token
from sre_agent.workflows.plan import RetrievalPlan


def identifier_clause(identifier: str) -> str:
    """SQL that matches rows whose text holds `identifier`: a one-word identifier as a whole token
    (`blk_-123` is not `blk_-1237`), a phrase anywhere; an IP also as a-b-c-d, as in DNS names."""
    bounded = " " not in identifier.strip()
    clauses = [whole_token("text", identifier) if bounded else like("text", identifier)]
    parts = identifier.split(":")[0].split(".")
    if len(parts) == 4 and all(p.isdigit() and len(p) <= 3 for p in parts):
        clauses.append(whole_token("text", "-".join(parts)))
    return "(" + " OR ".join(clauses) + ")"


def any_identifier_clause(identifiers: Iterable[str]) -> str:
    """SQL that matches rows holding any of `identifiers` (each as `identifier_clause` reads it)."""
    return "(" + " OR ".join(identifier_clause(i) for i in identifiers) + ")"


def request_clause(request_id: str) -> str:
    """SQL for the lines of one request, as the fetch keeps them (`connectors.base.names_request`):
    its id in the request id column (case aside) or, when it is long enough, a whole token of the
    line's text (message and fields): an access log's `x-request-id`, a `trace_id` field."""
    wanted = request_id.strip()
    column = f"lower(request_id) = {sql_string(wanted.lower())}"
    if len(wanted) < MENTIONED_ID_CHARS:
        return column
    return f"({column} OR {whole_token('text', wanted)})"


def field_clause(column: str, value: str, *, strict: bool) -> str:
    """`column = value` (a request id: `request_clause`); loosely, also any row whose text mentions
    the value (sources without the field)."""
    exact = request_clause(value) if column == "request_id" else f"{column} = {sql_string(value)}"
    return exact if strict else f"({exact} OR {like('text', value)})"


def env_clause(environment: str) -> str:
    """Rows of `environment` under any of its spellings (`prod`: also `production`), and rows
    that name none (single-environment sources omit it)."""
    return f"(env IS NULL OR {in_clause('lower(env)', env_spellings(environment))})"


@dataclass
class Attempt:
    """One set of constraints to try, and what was given up to get there."""

    clauses: list[str]
    level: str | None
    dropped: list[str]


def attempts(plan: RetrievalPlan) -> list[Attempt]:
    """Constraint sets from strictest to loosest: field filters on their columns, then on the text,
    then any of them, then none; the environment, then without it; each with the level the
    question asks for, then without."""
    strict = [(f"{c}={v}", field_clause(c, v, strict=True)) for c, v in plan.field_filters.items()]
    loose = [(f"{c}={v}", field_clause(c, v, strict=False)) for c, v in plan.field_filters.items()]
    names = [n for n, _ in strict]
    steps: list[tuple[list[str], list[str]]] = []
    if names:
        steps.append(([c for _, c in strict], []))
        steps.append(([c for _, c in loose], [f"exact {', '.join(plan.field_filters)} match"]))
        if len(names) > 1:
            steps.append((["(" + " OR ".join(c for _, c in loose) + ")"], ["all of " + ", ".join(names)]))
    steps.append(([], names))
    if plan.environment:
        env = env_clause(plan.environment)
        steps = [([*c, env], d) for c, d in steps] + [(c, [*d, f"env={plan.environment}"]) for c, d in steps]
    level_drop = [f"level>={plan.min_level}"] if plan.min_level else []
    out = [Attempt(clauses, plan.min_level, dropped) for clauses, dropped in steps]
    if plan.min_level:
        out += [Attempt(clauses, None, dropped + level_drop) for clauses, dropped in steps]
    return out


def search_filters(plan: RetrievalPlan, attempt: Attempt) -> SearchFilters:
    """The filters of one attempt within the question's window."""
    return SearchFilters(
        start=plan.window.start if plan.window else None,
        end=plan.window.end if plan.window else None,
        min_level=attempt.level,
        where=" AND ".join(attempt.clauses) or None,
    )


def with_clause(filters: SearchFilters, clause: str) -> SearchFilters:
    """`filters` with one more where-clause AND-ed on."""
    return filters.model_copy(update={"where": combine(filters.where, clause)})

"""The retrieve step's logic: run a `RetrievalPlan` against a session's tables.

- Identifiers and field filters (a user id, an IP, a quoted phrase) narrow the candidates
  first; if nothing matches them all, they are relaxed one by one, and the result says so.
- Specific questions are ranked by hybrid search (vector + full text, fused with RRF)
  inside those candidates.
- Broad questions ("what went wrong between X and Y?") get the error and warning lines of
  the window, most severe and rarest patterns first, not the lines that resemble the words.
- Results are de-duplicated by message; each keeps its count of identical lines, first and
  last seen time, and source line numbers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sre_agent.indexes import Hit, LogStore, SearchFilters, StoredRecord
from sre_agent.indexes.filters import sql_string
from sre_agent.models import LEVELS
from sre_agent.workflows.plan import RetrievalPlan
from sre_agent.workflows.results import ResultLine

CANDIDATES = 200  # hits pulled from the store before de-duplication
BROAD_SCAN_LIMIT = 50_000
_IPV4 = re.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?::\d+)?$")


def _like(value: str) -> str:
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"lower(text) LIKE {sql_string('%' + escaped + '%')}"


def identifier_clause(identifier: str) -> str:
    """SQL that matches rows whose text contains `identifier` (an IP also as a-b-c-d, as in DNS names)."""
    clauses = [_like(identifier)]
    m = _IPV4.match(identifier)
    if m:
        clauses.append(_like("-".join(m.groups())))
    return "(" + " OR ".join(clauses) + ")"


def field_clause(column: str, value: str, *, strict: bool) -> str:
    """`column = value`; loosely, also any row whose text mentions the value (sources without the field)."""
    exact = f"{column} = {sql_string(value)}"
    return exact if strict else f"({exact} OR {_like(value)})"


@dataclass
class Attempt:
    """One set of constraints to try, and what was given up to get there."""

    clauses: list[str]
    level: str | None
    dropped: list[str]


def _attempts(plan: RetrievalPlan) -> list[Attempt]:
    """Constraint sets from strictest to loosest: field filters on their columns, then on the text;
    all identifiers, then any of them, then none; each with the level filter, then without."""
    ids = [(f"'{i}'", identifier_clause(i)) for i in plan.identifiers]
    strict = ids + [(f"{c}={v}", field_clause(c, v, strict=True)) for c, v in plan.field_filters.items()]
    loose = ids + [(f"{c}={v}", field_clause(c, v, strict=False)) for c, v in plan.field_filters.items()]
    names = [n for n, _ in strict]
    steps: list[tuple[list[str], list[str]]] = []
    if names:
        steps.append(([c for _, c in strict], []))
        if plan.field_filters:
            steps.append(([c for _, c in loose], [f"exact {', '.join(plan.field_filters)} match"]))
        if len(names) > 1:
            steps.append((["(" + " OR ".join(c for _, c in loose) + ")"], ["all of " + ", ".join(names)]))
    steps.append(([], names))
    level_drop = [f"level>={plan.min_level}"] if plan.min_level else []
    out: list[Attempt] = []
    for clauses, dropped in steps:
        out.append(Attempt(clauses, plan.min_level, dropped))
        if plan.min_level:
            out.append(Attempt(clauses, None, dropped + level_drop))
    return out


class Retriever:
    """Runs plans against a `LogStore`. Stateless apart from the store."""

    def __init__(self, store: LogStore) -> None:
        self.store = store

    def _filters(self, plan: RetrievalPlan, attempt: Attempt) -> SearchFilters:
        clauses = list(attempt.clauses)
        if plan.environment:
            clauses.append(f"(env IS NULL OR env = {sql_string(plan.environment)})")
        return SearchFilters(
            start=plan.window.start if plan.window else None,
            end=plan.window.end if plan.window else None,
            min_level=attempt.level,
            where=" AND ".join(clauses) or None,
        )

    def retrieve(
        self, session: str, plan: RetrievalPlan, *, k: int = 10, tables: Sequence[str] | None = None
    ) -> tuple[list[ResultLine], list[str]]:
        """The top `k` distinct messages for `plan`, and the constraints that had to be relaxed."""
        table_list = list(tables) if tables else None
        if session not in self.store.list_sessions():
            return [], []
        if table_list is not None:  # a fetch that found nothing creates no table
            existing = set(self.store.list_tables(session))
            table_list = [t for t in table_list if t in existing]
            if not table_list:
                return [], []
        for attempt in _attempts(plan):
            filters = self._filters(plan, attempt)
            if not self.store.exists(session, tables=table_list, filters=filters):
                continue
            if plan.broad and not attempt.clauses:
                rows = self.store.scan(session, tables=table_list, filters=filters, limit=BROAD_SCAN_LIMIT)
                baseline: dict[str, int] = defaultdict(int)
                if plan.window is not None:
                    everywhere = filters.model_copy(update={"start": None, "end": None})
                    for row in self.store.scan(
                        session, tables=table_list, filters=everywhere, limit=BROAD_SCAN_LIMIT
                    ):
                        if not plan.window.contains(row.timestamp):
                            baseline[row.shape] += 1
                span = self._span(session, table_list)
                return self._rank_broad(rows, baseline, span, plan, k), attempt.dropped
            hits = self.store.search(
                session, plan.query_text, tables=table_list, filters=filters, k=CANDIDATES
            )
            if plan.expansions:
                lexical = self.store.search(
                    session,
                    expansion_query(plan.expansions),
                    tables=table_list,
                    filters=filters,
                    k=CANDIDATES,
                    mode="fts",
                )
                hits = _merge(lexical, hits)
            if plan.prefer_level:
                hits = _prefer_level(hits, plan.prefer_level)
            lines = self._dedupe(hits, k)
            self._add_counts(session, table_list, plan, attempt, lines)
            return lines, attempt.dropped
        return [], ["no stored line matches the time window"] if plan.window else []

    def _span(self, session: str, tables: list[str] | None) -> float:
        """Seconds between the session's first and last stored line."""
        span = self.store.time_span(session, tables=tables)
        return (span[1] - span[0]) / 1_000_000 if span else 0.0

    def _dedupe(self, hits: Sequence[Hit], k: int) -> list[ResultLine]:
        out: dict[str, ResultLine] = {}
        for hit in hits:
            message = hit.message
            if message in out:
                continue
            out[message] = to_result_line(hit, via=hit.via, score=hit.score)
            if len(out) == k:
                break
        return list(out.values())

    def _add_counts(
        self,
        session: str,
        tables: list[str] | None,
        plan: RetrievalPlan,
        attempt: Attempt,
        lines: list[ResultLine],
    ) -> None:
        """Count the identical lines of each result among the lines the search was allowed to see
        (same window, level and id filters), with their first and last times and line numbers."""
        if not lines:
            return
        in_list = ", ".join(sql_string(line.message) for line in lines)
        base = self._filters(plan, attempt)
        where = f"message IN ({in_list})" + (f" AND {base.where}" if base.where else "")
        filters = SearchFilters(start=base.start, end=base.end, min_level=base.min_level, where=where)
        by_message: dict[str, list[StoredRecord]] = defaultdict(list)
        for row in self.store.scan(session, tables=tables, filters=filters, limit=BROAD_SCAN_LIMIT):
            by_message[row.message].append(row)
        for line in lines:
            _merge_rows(line, by_message.get(line.message, []))

    def _rank_broad(
        self, rows: Sequence[StoredRecord], baseline: dict[str, int], span: float, plan: RetrievalPlan, k: int
    ) -> list[ResultLine]:
        """Most severe first; then patterns that rose most above their rate outside the window (new
        patterns first), rarest first among equals; one message per pattern in turn."""
        by_message: dict[str, list[StoredRecord]] = defaultdict(list)
        for row in rows:
            by_message[row.message].append(row)
        by_shape: dict[str, list[str]] = defaultdict(list)
        for message, group in by_message.items():
            by_shape[group[0].shape].append(message)

        def severity(shape: str) -> int:
            level = by_message[by_shape[shape][0]][0].level
            return LEVELS.index(level) if level in LEVELS else LEVELS.index("INFO")

        def shape_count(shape: str) -> int:
            return sum(len(by_message[m]) for m in by_shape[shape])

        times = [r.timestamp for r in rows]
        inside = (max(times) - min(times)).total_seconds() if times else 0.0
        if plan.window is not None:
            inside = (plan.window.end - plan.window.start).total_seconds()
        outside_rows = sum(baseline.values())

        def rise(shape: str) -> float:
            """How far the pattern rose above its rate elsewhere: (seen + 1) / (expected + 1)."""
            if not outside_rows or inside <= 0:
                return 1.0
            outside = max(span - inside, inside)
            expected = baseline.get(shape, 0) * inside / outside
            return (shape_count(shape) + 1) / (expected + 1)

        order = sorted(by_shape, key=lambda s: (-severity(s), -round(rise(s), 1), shape_count(s)))
        for shape in order:
            by_shape[shape].sort(key=lambda m: by_message[m][0].timestamp)
        picked: list[str] = []
        depth = 0
        while len(picked) < k and any(len(by_shape[s]) > depth for s in order):
            for shape in order:
                if depth < len(by_shape[shape]) and len(picked) < k:
                    picked.append(by_shape[shape][depth])
            depth += 1
        out = []
        for message in picked:
            group = by_message[message]
            line = to_result_line(group[0], via="scan", score=0.0)
            _merge_rows(line, group)
            out.append(line)
        return out


def expansion_query(expansions: Sequence[str]) -> str:
    """The vocabulary's words as one full-text query; several-word terms become phrase queries."""
    return " ".join(f'"{e}"' if " " in e.strip() else e for e in expansions)


def _merge(lexical: Sequence[StoredRecord], hybrid: Sequence[StoredRecord]) -> list[StoredRecord]:
    """Lines in the service's own words for what was asked come first (the vocabulary's full-text
    hits), then the question's hybrid hits. Measured on bench/: this beat fusing the two lists with
    RRF (recall@10 0.850 vs 0.847 on the LogHub set, 0.854 vs 0.821 on ours)."""
    seen = {h.id for h in lexical}
    return list(lexical) + [h for h in hybrid if h.id not in seen]


def _prefer_level(hits: Sequence[StoredRecord], level: str) -> list[StoredRecord]:
    """Hits at `level` or worse first, each group in its original order (a stable partition)."""
    floor = LEVELS.index(level)
    worse = [h for h in hits if h.level in LEVELS and LEVELS.index(h.level) >= floor]
    if not worse:
        return list(hits)
    keep = {id(h) for h in worse}
    return worse + [h for h in hits if id(h) not in keep]


def to_result_line(row: StoredRecord, *, via: str, score: float) -> ResultLine:
    """One stored row as a result line (count 1; callers merge identical rows)."""
    ts = row.timestamp
    line_no = row.line
    return ResultLine(
        message=row.message,
        level=row.level,
        host=row.host,
        method=row.method,
        request_id=row.request_id,
        user_id=row.user_id,
        table=row.table or "",
        first_seen=ts,
        last_seen=ts,
        lines=[line_no] if line_no is not None else [],
        score=score,
        via=via,
        shape=row.shape or "",
    )


def _merge_rows(line: ResultLine, rows: Sequence[StoredRecord]) -> None:
    if not rows:
        return
    times = [r.timestamp for r in rows]
    line.count = len(rows)
    line.first_seen, line.last_seen = min(times), max(times)
    line.lines = sorted({int(n) for r in rows if (n := r.line) is not None})

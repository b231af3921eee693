"""The question's own search over a session's tables, the primitive every tier of the retrieve
step ranks with: the hybrid search (words and meaning, meaning weighed over words), the same inside
a clause ("the lines holding these ids, as the question ranks them"), and the anchor tier (lines
holding the question's rarest words). `retrieve.Retriever` builds its tiers on these.
"""

from __future__ import annotations

from collections.abc import Sequence

from sre_agent.indexes import Hit, LogIndex, SearchFilters
from sre_agent.indexes.filters import in_clause
from sre_agent.workflows.anchors import anchor_matches, holds, rank_matches, selective_hits
from sre_agent.workflows.constraints import with_clause
from sre_agent.workflows.entities import without_words
from sre_agent.workflows.plan import RetrievalPlan
from sre_agent.workflows.precursors import first_different

EXACT_CANDIDATES = 100  # hits of one exact tier (lines holding the identifiers)
#: How much more the meaning (vector) list counts than the words (full-text) list in the question's
#: hybrid search. The question's exact words already rank first through the tiers (identifiers,
#: anchors); what is left to rank is by meaning. Measured cold over the incident sets (bench/
#: bench_recall.py): paraphrase recall@10 0.325 at 1, 0.397 at 4, 0.430 at 8 and 100; lexical
#: 0.854 → 0.861, broad and the factual set unchanged.
VECTOR_WEIGHT = 8.0
#: The same weight where the lines are already known to hold the question's identifiers, anchors or
#: quoted shape: what is left to choose among them is which aspect the question asks about ("which
#: blocks did 10.251.90.64 *serve*?"), and its words say that as much as its meaning. Measured cold
#: on factual-b (bench/bench_recall.py), with the anchor lines ranked by the question: scoped
#: 0.857 → 0.877, count 0.646 → 0.696 at 1 (0.760 overall at 2, 0.775 at 1); the incident sets
#: and factual unchanged.
TIER_VECTOR_WEIGHT = 1.0
#: Different messages of the lines holding the logs' words for what the question says in plain
#: words (`ops_words`) that rank before the question's hybrid hits.
JARGON_LINES = 3


class PlanSearch:
    """A `RetrievalPlan`'s searches over one `LogIndex`."""

    def __init__(self, index: LogIndex) -> None:
        self.index = index

    def _ranked(
        self,
        session: str,
        tables: list[str] | None,
        plan: RetrievalPlan,
        filters: SearchFilters,
        vector_weight: float = VECTOR_WEIGHT,
        held: Sequence[str] = (),
    ) -> list[Hit]:
        """The lines passing `filters`, ranked by the question's hybrid search ([] when none pass)."""
        if not self.index.exists(session, tables=tables, filters=filters):
            return []
        return self._search(session, tables, plan, filters, EXACT_CANDIDATES, vector_weight, held)

    def _search(
        self,
        session: str,
        tables: list[str] | None,
        plan: RetrievalPlan,
        filters: SearchFilters,
        k: int,
        vector_weight: float = VECTOR_WEIGHT,
        held: Sequence[str] = (),
    ) -> list[Hit]:
        """The question's hybrid search: its words (with the vocabulary's and its numbers as
        phrases) for the full text, its own words for the meaning, meaning weighed `vector_weight`
        times over words. `held`: identifiers every line searched holds; their words leave the
        full-text query, where they would only favour the shortest lines."""
        return self.index.search(
            session,
            without_words(plan.query_text, held),
            tables=tables,
            filters=filters,
            k=k,
            phrases=[*plan.terms, *plan.suggested],
            vector_weight=vector_weight,
            vector_query=plan.meaning_text,
        )

    def _searched(
        self, session: str, tables: list[str] | None, text: str, filters: SearchFilters
    ) -> list[Hit]:
        """The lines passing `filters` that best answer `text` (not the whole question: what it says
        was done, for a recovery), words weighing as much as meaning."""
        if not self.index.exists(session, tables=tables, filters=filters):
            return []
        return self.index.search(
            session,
            text,
            tables=tables,
            filters=filters,
            k=EXACT_CANDIDATES,
            vector_weight=TIER_VECTOR_WEIGHT,
        )

    def _anchored(
        self,
        session: str,
        tables: list[str] | None,
        plan: RetrievalPlan,
        filters: SearchFilters,
        *,
        rare_words: bool = True,
    ) -> list[Hit]:
        """Lines holding the question's anchors (`anchors`): most anchors first, then as the
        question ranks them among themselves, words weighing as much as meaning."""
        matched = anchor_matches(self.index, session, tables, plan, filters, rare_words=rare_words)
        if not matched:
            return []
        among = with_clause(filters, in_clause("id", matched))
        by_question = self._search(session, tables, plan, among, EXACT_CANDIDATES, TIER_VECTOR_WEIGHT)
        return rank_matches(matched, by_question, worst_first=plan.prefer_level is not None)

    def _in_jargon(
        self, session: str, tables: list[str] | None, plan: RetrievalPlan, filters: SearchFilters
    ) -> list[Hit]:
        """The lines holding the logs' words for what the question says in plain words
        (`plan.jargon`: "ran out of ram" → `OOMKilled`), as the question ranks them, their first
        `JARGON_LINES` different messages. A word many lines hold says nothing about which line
        is meant: skipped, as an anchor is (`anchors.selective_hits`). The answer says which words
        were read so (`plan.read_notes`)."""
        if not plan.jargon:
            return []
        in_scope = self.index.count_matching(session, tables=tables, filters=filters)
        ids: set[str] = set()
        for word in plan.jargon:
            hits = selective_hits(self.index, session, tables, filters, word, in_scope, whole=True)
            ids.update(hit.id for hit in hits)
        if not ids:
            return []
        among = with_clause(filters, in_clause("id", ids))
        ranked = self._search(session, tables, plan, among, EXACT_CANDIDATES, VECTOR_WEIGHT)
        tier = first_different(ranked, JARGON_LINES)
        said = [word for word in plan.jargon if any(holds(hit, word) for hit in tier)]
        plan.read_notes.append(
            "the logs' words for what the question says in plain words: "
            + ", ".join(f"“{word}”" for word in said[:4])
            + f" ({len(tier)} line{'' if len(tier) == 1 else 's'}, ranked after the lines of what it names)"
        )
        return tier

"""Reciprocal Rank Fusion: merge ranked lists without comparing their scores.

Each list adds `1 / (k + rank)` (rank 1 = best) to the score of every item in it; items found by
several lists rise. The hybrid search feeds it the vector list and the full-text list of every
table it searched, in one go: for one table that is the usual vector+FTS fusion, and across
tables it is the same as fusing each table's fused list again with RRF. (A line stored in two
tables, fetched twice under different names, is shown once: see `retrieval.fetch_hits`.)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Literal, TypeVar

from sre_agent.indexes.records import Via
from sre_agent.indexes.retrieval import Candidate

#: The usual RRF constant (Cormack et al. 2009): damps the weight of the very first ranks.
RRF_K = 60


K = TypeVar("K", bound=Hashable)


def rrf_scores(
    ranked_lists: Iterable[Sequence[K]], k: int = RRF_K, weights: Sequence[float] | None = None
) -> dict[K, float]:
    """Fused score of every key appearing in `ranked_lists` (each list best first), each list's
    contribution multiplied by its weight (1 when `weights` is None)."""
    scores: dict[K, float] = {}
    for i, keys in enumerate(ranked_lists):
        weight = 1.0 if weights is None else weights[i]
        for rank, key in enumerate(keys, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return scores


def fuse(
    lists: Sequence[tuple[Literal["vector", "fts"], Sequence[Candidate]]],
    mode: Literal["hybrid", "vector", "fts"],
    vector_weight: float = 1.0,
) -> list[tuple[Candidate, float, Via]]:
    """Every row (table, row id) of all lists once, best first: (candidate, score, via).

    hybrid scores by RRF (the vector lists weighted by `vector_weight`, the full-text ones by 1);
    the single modes by the retriever's own score (cosine similarity, BM25).
    """
    first: dict[tuple[str, int], Candidate] = {}
    found_by: dict[tuple[str, int], set[str]] = {}
    raw: dict[tuple[str, int], float] = {}
    for via, candidates in lists:
        for candidate in candidates:
            key = (candidate.table, candidate.row_id)
            first.setdefault(key, candidate)
            found_by.setdefault(key, set()).add(via)
            raw[key] = max(raw.get(key, float("-inf")), candidate.score)
    if mode == "hybrid":
        weights = [vector_weight if via == "vector" else 1.0 for via, _ in lists]
        scores = rrf_scores(
            ([(c.table, c.row_id) for c in candidates] for _, candidates in lists), weights=weights
        )
    else:
        scores = raw
    fused: list[tuple[Candidate, float, Via]] = []
    for key in sorted(scores, key=lambda key: (-scores[key], key)):  # ties in storage order: stable
        vias = found_by[key]
        found_via: Via = "both" if len(vias) == 2 else ("vector" if "vector" in vias else "fts")
        fused.append((first[key], scores[key], found_via))
    return fused

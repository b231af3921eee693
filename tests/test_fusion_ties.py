"""Ties are broken by storage order, so one question over the same stored lines always gets the
same answer: LanceDB hands back rows of equal score in whatever order its threads finish, and ten
identical `Back-off restarting …` lines of one score decided which other lines made the top ten."""

from __future__ import annotations

from sre_agent.indexes.fusion import fuse
from sre_agent.indexes.retrieval import Candidate, fts_candidates


def test_rows_of_equal_score_come_in_storage_order_whatever_order_they_arrived_in() -> None:
    arrived = [Candidate("logs", row, "s", 1.0) for row in (7, 3, 9, 1)]
    fused = fuse([("fts", arrived)], "fts")
    assert [candidate.row_id for candidate, _, _ in fused] == [1, 3, 7, 9]
    hybrid = fuse(
        [("vector", [Candidate("logs", 5, "s", 0.9)]), ("fts", [Candidate("logs", 2, "s", 3.0)])], "hybrid"
    )
    assert [candidate.row_id for candidate, _, _ in hybrid] == [2, 5]  # one rank each: equal RRF scores


def test_full_text_rows_of_equal_score_are_cut_in_storage_order() -> None:
    rows = [{"_rowid": row, "shape_hash": "s", "_score": 2.5} for row in (40, 12, 33)]
    assert [c.row_id for c in fts_candidates("logs", [rows], 2)] == [12, 33]

"""Replay metrics follow the spec: distinct messages take the ranks, duplicates take none."""

from __future__ import annotations

from sre_agent.replay.scoring import mentions_hit, recall_and_mrr, top_messages

MESSAGES = ["a", "b", "a", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"]


def test_duplicates_take_no_rank() -> None:
    assert top_messages([1, 3, 2], MESSAGES) == ["a", "b"]


def test_recall_counts_every_line_with_a_found_message() -> None:
    recall, rr = recall_and_mrr([2, 1], relevant=[1, 3, 4], messages=MESSAGES)
    assert recall == 2 / 3  # lines 1 and 3 are both "a"
    assert rr == 1 / 2  # "b" at rank 1 is not relevant, "a" at rank 2 is


def test_only_the_first_ten_distinct_messages_count() -> None:
    retrieved = [2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]  # "l" (line 13) is the 11th distinct message
    recall, rr = recall_and_mrr(retrieved, relevant=[13], messages=MESSAGES)
    assert (recall, rr) == (0.0, 0.0)


def test_out_of_range_lines_are_ignored() -> None:
    assert recall_and_mrr([0, 99, 4], relevant=[4], messages=MESSAGES) == (1.0, 1.0)


def test_mentions_case_insensitive() -> None:
    assert (
        mentions_hit("Found 10.10.34.12 and SOCK STILL OPEN", ["sock still open", "10.10.34.12", "x"])
        == 2 / 3
    )

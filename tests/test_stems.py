"""The crude stemmer that matches a question's words against a config's symptoms and vocabulary."""

from __future__ import annotations

import pytest

from sre_agent.stems import contains_phrase, stem, stems


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("nodes", "nod"),  # "node" and "nodes" meet at the same stem
        ("node", "nod"),
        ("copies", "copy"),
        ("copy", "copy"),
        ("stored", "stor"),
        ("store", "stor"),
        ("failing", "fail"),
        ("Failed", "fail"),
        ("matches", "match"),
        ("access", "access"),  # "-ss" is not a plural
        ("bus", "bus"),  # too short to lose a suffix
        ("uses", "use"),  # too short for "-es": only its "s" goes
        ("used", "used"),  # too short for "-ed"
        ("take", "tak"),
        ("ace", "ace"),  # a trailing "e" stays on short words
    ],
)
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_stems_reads_words_in_order_and_skips_numbers_and_punctuation() -> None:
    assert stems("Which nodes stored 3 copies, e.g. blk_1?") == ["which", "nod", "stor", "copy", "blk_1"]


def test_contains_phrase_needs_the_stems_in_a_row() -> None:
    question = stems("which storage nodes stored the copies")
    assert contains_phrase(question, stems("node stores"))
    assert not contains_phrase(question, stems("nodes copies"))  # both there, not in a row
    assert contains_phrase(question, stems("copies"))  # at the very end
    assert contains_phrase(question, stems("which"))  # at the very start
    assert not contains_phrase(question, [])  # an empty phrase matches nothing
    assert not contains_phrase([], stems("node"))

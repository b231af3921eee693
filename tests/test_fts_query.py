"""The full-text queries built from a question: which words become exact phrases, exactly."""

from __future__ import annotations

import pytest
from lancedb.query import MatchQuery, PhraseQuery

from sre_agent.indexes.fts_query import MAX_PHRASES, TEXT_COLUMN, build_fts_queries, is_identifier, phrases


@pytest.mark.parametrize(
    "word, identifier",
    [
        ("blk_-8775602795571523802", True),
        ("10.10.34.11", True),
        ("req-abc-123", True),
        ("user_id=42", True),
        ("GetUser404", True),
        ("db.internal", True),
        ("a@b", True),
        ("v2", True),  # two characters, one a digit
        ("x#y", True),
        ("a:b", True),
        ("a/b", True),
        ("timeout", False),
        ("the", False),
        ("don't", False),
        ("7", False),  # one character is not a name
        ("-7", False),
        ("end.", False),  # a sentence's full stop joins nothing
        (":end:", False),
    ],
)
def test_what_counts_as_an_identifier(word: str, identifier: bool) -> None:
    assert is_identifier(word) is identifier


def test_phrases_are_the_identifiers_then_the_quoted_phrases_then_the_extras() -> None:
    question = "did (blk_-42) fail on 10.0.0.7: 'disk quota exceeded' or \"pool exhausted\", don't 'x'?"
    assert phrases(question, extra=["port 5433", "  ", "pid 7111 "]) == [
        "blk_-42",
        "10.0.0.7",
        "disk quota exceeded",
        "pool exhausted",
        "port 5433",
        "pid 7111",
    ]


def test_phrases_are_unique_and_at_most_max_phrases() -> None:
    words = " ".join(f"node-{n}" for n in range(MAX_PHRASES + 3))
    assert phrases(f"{words} node-0") == [f"node-{n}" for n in range(MAX_PHRASES)]


def test_a_one_word_quote_is_not_a_phrase_of_its_own() -> None:
    assert phrases("why 'timeout'?") == []


def test_the_queries_are_one_match_over_the_question_then_one_phrase_per_phrase() -> None:
    queries = build_fts_queries("why did req-9 fail?", extra=["port 5433"])
    assert [type(q) for q in queries] == [MatchQuery, PhraseQuery, PhraseQuery]
    assert queries == [
        MatchQuery("why did req-9 fail?", TEXT_COLUMN),
        PhraseQuery("req-9", TEXT_COLUMN),
        PhraseQuery("port 5433", TEXT_COLUMN),
    ]
    assert build_fts_queries("x", column="other") == [MatchQuery("x", "other")]

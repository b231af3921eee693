"""Turn a user's question into a LanceDB native full-text query that never fails to parse.

The native index (tokenizer "simple") splits text on every character that is not a letter or a
digit, lower-cases, drops English stop words, stems, and ignores tokens longer than its
`max_token_length` (LanceDB's default is 40, which loses sha256 digests; the store sets 128):
`blk_-8775602795571523802` is indexed as `blk`, `8775602795571523802`; `10.10.34.11` as `10`,
`10`, `34`, `11`; `req-abc-123` as `req`, `abc`, `123`.

So we never hand the raw question to a query parser. We build query objects:
- one `MatchQuery` over the whole question (any token may match, BM25 ranks), plus
- one `PhraseQuery` per identifier-like word (`blk_-877…`, `10.10.34.11`, `req-abc-123`) and per
  quoted phrase. The store runs them separately and adds up each row's scores, so the line
  holding the exact identifier scores far above lines that merely share one of its pieces
  (`blk`, `10`). (One `BooleanQuery` of SHOULD clauses means the same but measured 3-10x slower
  on LanceDB 0.40: 11-48 ms against 2-5 ms per clause at 100k rows.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lancedb.query import FullTextQuery, MatchQuery, PhraseQuery

#: The column the full-text index is built on.
TEXT_COLUMN = "text"

#: At most this many phrase clauses are added (identifiers first, then quoted phrases).
MAX_PHRASES = 8

_QUOTED_RE = re.compile(r"\"([^\"]+)\"|(?<!\w)'([^']+)'(?!\w)")  # not the apostrophe of "don't"
_EDGE_PUNCT = "\"'`()[]{}<>,;!?"
_ALNUM_RE = re.compile(r"[A-Za-z0-9]")
_JOINERS = set("_-.:/=@#")


def is_identifier(word: str) -> bool:
    """A word that names one thing: holding a digit, or letters joined by `_ - . : / = @ #`.

    `blk_-877`, `10.10.34.11`, `req-abc-123`, `user_id=42`, `GetUser404`, `db.internal` are;
    `timeout`, `the`, `don't` are not.
    """
    if len(_ALNUM_RE.findall(word)) < 2:
        return False
    return any(c.isdigit() for c in word) or any(c in _JOINERS for c in word.strip(".:"))


def phrases(query: str, extra: Sequence[str] = ()) -> list[str]:
    """The identifier-like words and quoted phrases of `query`, then `extra`, de-duplicated, at most
    `MAX_PHRASES`."""
    found: list[str] = []
    for word in query.split():
        word = word.strip(_EDGE_PUNCT).rstrip(".:")
        if is_identifier(word):
            found.append(word)
    for match in _QUOTED_RE.finditer(query):
        text = (match.group(1) or match.group(2)).strip()
        if len(text.split()) > 1:
            found.append(text)
    found += [p.strip() for p in extra if _ALNUM_RE.search(p)]
    unique = list(dict.fromkeys(found))
    return unique[:MAX_PHRASES]


def build_fts_queries(
    query: str, column: str = TEXT_COLUMN, extra: Sequence[str] = ()
) -> list[FullTextQuery]:
    """The full-text queries for `query`: the match query first, then one phrase query per phrase
    (those of `query`, then `extra`)."""
    # lancedb's query models give their other fields defaults; a type checker reads them as required
    queries: list[FullTextQuery] = [MatchQuery(query, column)]  # type: ignore[call-arg]
    queries += [PhraseQuery(p, column) for p in phrases(query, extra)]  # type: ignore[call-arg]
    return queries

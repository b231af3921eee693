"""The entities a tier's lines name, and the words they all hold.

- `named_ids`: the ids the found lines name (`attempt_1718600012345_0322_m_000033_0`, a container,
  a transaction), whose other lines answer "which attempts hit it and where did they run?".
- `without_words`: a question's full-text query without the words every line of a tier holds
  (the identifier that selected them): there, they only favour the shortest lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sre_agent.indexes import Hit
from sre_agent.indexes.fts_query import is_identifier

#: An id is a word with a digit of at least this many characters (`blk_-42` is not; a job's
#: attempt, a container or a transaction id is).
ID_CHARS = 8
_EDGE = "[](){}<>,;:'\""
#: Where a message's words end: spaces, and the quotes, brackets and separators of the JSON or
#: `key=value` text a line may carry (`"integrationRequestId":"f80a3c11-…"` names f80a3c11-…).
_BETWEEN = re.compile(r"[\s\"'=,;{}\[\]()<>]+")
#: Words with digits that are no entity: times, dates, protocols and versions (`14:14:47`,
#: `04/Jun/2024:14:14:47`, `2024-06-04T14:14:49.755Z`, `HTTP/1.1`).
_NOT_AN_ENTITY = re.compile(r".*\d:\d\d(?::\d\d)?\b.*|\d{4}-\d\d-\d\d.*|[A-Za-z]+/\d+(?:\.\d+)*")


def named_ids(hits: Sequence[Hit], asked: Sequence[str]) -> list[str]:
    """The ids `hits`' messages name, in order, without those the question `asked` about."""
    seen = {a.lower() for a in asked}
    ids: list[str] = []
    for hit in hits:
        for token in _BETWEEN.split(hit.message):
            word = token.strip(_EDGE)
            long_id = len(word) >= ID_CHARS and any(c.isdigit() for c in word)
            if (
                long_id
                and not _NOT_AN_ENTITY.fullmatch(word)
                and word.lower() not in seen
                and is_identifier(word)
            ):
                seen.add(word.lower())
                ids.append(word)
    return ids


def without_words(query: str, held: Sequence[str]) -> str:
    """`query` without the words of `held` (each whole, and its parts split at punctuation:
    `R23-M0-N9` also takes `R23`, `M0`, `N9`); `query` itself when nothing else would be left."""
    if not held:
        return query
    parts = {p.lower() for name in held for p in [name, *re.split(r"[^A-Za-z0-9_]+", name)] if p}
    kept = [word for word in query.split() if word.lower() not in parts]
    return " ".join(kept) if kept else query

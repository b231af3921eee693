"""The question's anchors: exact words that pick out a few stored lines, so those lines rank first.

An anchor is a phrase of the full text that few lines hold:
- the question's numbers and short ids with the word before them ("pid 7111", "5433", "job 8"),
  its identifier-like words ("msfeedssync.exe") and the terms an LLM suggested;
- a plain word of the question that the stored lines hardly use: "what did acrobat connect to?"
  (two of 2,000 Proxifier lines say `acrobat.exe`), "when did the component store get initialized?"
  (`CSI Store … initialized`). Full text alone finds these by their rarity; in the hybrid search
  the meaning of the question outweighs one rare word, so they need the anchor tier. A word is
  rare when at most `RARE_LINES` lines, or `RARE_SHARE` of the lines searched, hold it (and no
  more than `RARE_CAP` of them). In a long question one rare word is a small part of what is
  asked and often names another line, so a line found by rare words alone must hold one per
  `WORDS_PER_RARE` words of the question. Measured cold (bench/bench_recall.py, stored sessions):
  factual-b 0.800 → 0.849 (plain 0.747 → 0.897), the incident sets and factual unchanged; without
  `WORDS_PER_RARE` the incident sets lost 0.02 MRR and a windows turn a line.

An anchor many lines hold (`ANCHOR_LIMIT`, or more than `ANCHOR_SHARE` of the lines searched) says
nothing about which line is meant and is left out. `anchor_matches` finds the lines; the retrieve
step ranks them by how many anchors they hold, then by the question (`rank_matches`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sre_agent.indexes import Hit, LogIndex, SearchFilters
from sre_agent.indexes.fts_query import phrases
from sre_agent.indexes.rows import TEXT_FIELDS
from sre_agent.shapes import sounds_like_trouble
from sre_agent.workflows.line_stats import add_counts
from sre_agent.workflows.order import dedupe
from sre_agent.workflows.plan import RetrievalPlan
from sre_agent.workflows.results import ResultLine

ANCHOR_LIMIT = 100  # an anchor held by this many lines or more is not selective: not an anchor
ANCHOR_SHARE = 0.5  # nor is one held by more than this share of the lines searched
RARE_LINES = 5  # a plain word held by at most this many lines is rare ...
RARE_SHARE = 0.0025  # ... or by at most this share of the lines searched (5 of 2,000; 250 of 100k),
RARE_CAP = 0.05  # and never by more than this share (in a store of 60 lines, a word of 3 is not rare)
MAX_WORDS = 8  # plain words of one question looked up
#: A line found by rare plain words alone must hold one of them per this many plain words of the
#: question: one for "what did acrobat connect to?", two for a long plain-words question, where one
#: rare word ("older" in "... load registry files from an older snapshot of the disk?") is a small
#: part of what is asked and often names another line.
WORDS_PER_RARE = 4
_WORD = re.compile(r"[A-Za-z][A-Za-z_.-]{3,}")


@dataclass
class Match:
    """A line holding anchors: how many (numbers and ids, then rare words), how many of the
    numbers and ids its message says (not only a field of it), and their summed BM25."""

    hit: Hit
    anchors: int
    score: float
    words: int = 0
    said: int = 0


def says(message: str, phrase: str) -> bool:
    """Whether `message` holds `phrase` as whole words (case aside): `[28377]` says 28377,
    `128377` does not."""
    return re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", message, re.IGNORECASE) is not None


def _word_name(phrase: str) -> bool:
    """A one-word anchor without a digit: `catalog-web`, `msfeedssync.exe`, but also an English
    compound (`re-read`, `read-only`) that only looks like a name."""
    return " " not in phrase and not any(c.isdigit() for c in phrase)


def holds(hit: Hit, phrase: str) -> bool:
    """Whether the line holds `phrase` as written (whole words, case aside) in its message or a
    field. The full-text phrase search also finds the parts of a word joined by punctuation
    apart and stemmed: "re-read" found `while reading client request line`."""
    fields = [getattr(hit, name) for name in TEXT_FIELDS] + [hit.fields_json]
    return says(hit.message, phrase) or any(value and says(value, phrase) for value in fields)


def anchor_phrases(plan: RetrievalPlan) -> list[str]:
    """The question's numbers, short ids, identifier-like words and suggested terms, in order."""
    taken = {*plan.identifiers, *plan.expansions}
    own = [*plan.terms, *phrases(plan.query_text)]
    return [a for a in dict.fromkeys([*own, *plan.suggested]) if a not in taken]


def plain_words(plan: RetrievalPlan, anchors: list[str]) -> list[str]:
    """The question's other words of four letters or more (the search text has no stopwords)."""
    taken = {w.lower() for w in [*plan.identifiers, *plan.expansions, *anchors]}
    words = [w.strip(".-_") for w in _WORD.findall(plan.query_text)]
    return [w for w in dict.fromkeys(words) if len(w) >= 4 and w.lower() not in taken][:MAX_WORDS]


def selective_hits(
    index: LogIndex,
    session: str,
    tables: list[str] | None,
    filters: SearchFilters,
    phrase: str,
    in_scope: int,
    *,
    whole: bool,
) -> list[Hit]:
    """The lines passing `filters` that hold `phrase` (as written, whole words, when `whole`), or
    none when so many hold it (`ANCHOR_LIMIT`, or more than `ANCHOR_SHARE` of the `in_scope` lines
    searched) that it says nothing about which line is meant."""
    hits = index.phrase_hits(session, phrase, tables=tables, filters=filters, limit=ANCHOR_LIMIT)
    if whole:
        hits = [hit for hit in hits if holds(hit, phrase)]
    if len(hits) >= ANCHOR_LIMIT or len(hits) > in_scope * ANCHOR_SHARE:
        return []
    return hits


def anchor_matches(
    index: LogIndex,
    session: str,
    tables: list[str] | None,
    plan: RetrievalPlan,
    filters: SearchFilters,
    *,
    rare_words: bool = True,
) -> dict[str, Match]:
    """The lines holding the question's anchors (by row id), with rare plain words as anchors too
    unless `rare_words` is False."""
    anchors = anchor_phrases(plan)
    words = plain_words(plan, anchors) if rare_words else []
    if not anchors and not words:
        return {}
    in_scope = index.count_matching(session, tables=tables, filters=filters)
    rare = min(max(RARE_LINES, int(in_scope * RARE_SHARE)), int(in_scope * RARE_CAP))
    matched: dict[str, Match] = {}
    for phrase in [*anchors, *words]:
        whole = phrase in anchors and _word_name(phrase)
        hits = selective_hits(index, session, tables, filters, phrase, in_scope, whole=whole)
        if not hits:
            continue
        is_word = phrase not in anchors
        if is_word and len(hits) > rare:
            continue
        for hit in hits:
            seen = matched.setdefault(hit.id, Match(hit, 0, 0.0))
            seen.score += hit.score
            if is_word:
                seen.words += 1
            else:
                seen.anchors += 1
                seen.said += says(hit.message, phrase)
    needed = math.ceil(len(words) / WORDS_PER_RARE)
    return {i: m for i, m in matched.items() if m.anchors or m.words >= needed}


def rank_matches(
    matched: dict[str, Match], by_question: list[Hit], *, worst_first: bool = False
) -> list[Hit]:
    """Most anchors first; among lines holding as many, the question's ranking of them
    (`by_question`: its search among these lines), then best BM25.

    `worst_first` ("what happened to pid 28377?", a question about what went wrong with an id):
    the lines whose message says the most of its numbers and ids come first (the kernel's `Killed
    process 28377` is about the pid; the process's own lines, which hold it only in their `pid`
    field, were written by it: "what was pid 68175 up to?" wants those, and is not `worst_first`);
    then, among lines holding as many anchors, the worst level first, and within a level the
    lines whose words say something failed."""
    place = {hit.id: rank for rank, hit in enumerate(by_question)}

    def key(m: Match) -> tuple[float, ...]:
        asked = place.get(m.hit.id, len(place))
        if not worst_first:
            return (-(m.anchors + m.words), asked, -m.score)
        trouble = 0 if sounds_like_trouble(m.hit.message) else 1
        return (-m.said, -(m.anchors + m.words), -m.hit.level_rank, trouble, asked, -m.score)

    ordered = sorted(matched.values(), key=key)
    return [m.hit for m in ordered]


def named_first(
    index: LogIndex,
    session: str,
    tables: list[str] | None,
    plan: RetrievalPlan,
    filters: SearchFilters,
    broad: list[ResultLine],
    k: int,
) -> list[ResultLine]:
    """A broad answer with the window's lines that hold the question's numbers and short ids
    first (at any level, in time order; those holding the most of them: "pid 13", not every
    "13"); the rest of `k` stays the window's worst lines ("what did pid 13 log on nov 11?")."""
    any_level = filters.model_copy(update={"min_level": None})
    matched = anchor_matches(index, session, tables, plan, any_level, rare_words=False)
    if not matched:
        return broad
    most = max(m.anchors for m in matched.values())
    hits = sorted((m.hit for m in matched.values() if m.anchors == most), key=lambda h: h.timestamp)
    named = dedupe([(hit, "exact") for hit in hits], k)
    add_counts(index, session, tables, any_level, named)
    held = {line.message for line in named}
    return [*named, *[line for line in broad if line.message not in held]][:k]

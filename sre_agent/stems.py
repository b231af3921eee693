"""Words reduced to a crude stem, and phrases found among them: how a question is matched against
the symptoms a service config lists ("which nodes stored copies" holds "node store copy")."""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]+")


def stem(word: str) -> str:
    """A crude stemmer, good enough to match "nodes"/"node", "copies"/"copy", "stored"/"store"."""
    w = word.lower()
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix) and not w.endswith("ss"):
            w = w[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return w[:-1] if len(w) > 3 and w.endswith("e") else w


def stems(text: str) -> list[str]:
    """The stems of `text`'s words (a word: a letter, then letters, digits or `_`), in order."""
    return [stem(w) for w in _WORD.findall(text)]


def contains_phrase(haystack: list[str], phrase: list[str]) -> bool:
    """Whether `phrase` (a non-empty list of stems) occurs in `haystack`, its stems in a row."""
    n = len(phrase)
    return n > 0 and any(haystack[i : i + n] == phrase for i in range(len(haystack) - n + 1))

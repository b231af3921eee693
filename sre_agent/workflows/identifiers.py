"""The identifiers a question names: its quoted phrases (a JSON key pasted with its value is one:
`"size":65535`), then the ids written without quotes (IPs, HDFS blocks, hex ids, UUIDs, error
codes like DEADLINE_EXCEEDED, dashed ids like req-8f3a). The rule refiner (`refine.py`) reads them;
the retrieve step ranks the lines holding them first.
"""

from __future__ import annotations

import re

#: A quoted phrase of the question ('…', "…", `…`, “…”), or a JSON key pasted with its value.
QUOTED = re.compile(
    # a JSON key with its value, pasted from a line: `"size":65535` is one phrase, not the word size
    r"(\"[\w.@-]{1,60}\"\s*:\s*(?:-?\d+(?:\.\d+)?|true|false|null|\"[^\"]{0,200}\"))"
    r"|(?<![A-Za-z0-9])'([^']{2,200})'(?![A-Za-z0-9])|\"([^\"]{2,200})\"|`([^`]{2,200})`|“([^”]{2,200})”"
)
_IDENTIFIER_PATTERNS = [
    re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b"),  # IPv4[:port]
    re.compile(r"\bblk_-?\d+\b"),  # HDFS block
    re.compile(r"\b0x[0-9a-fA-F]{4,}\b"),  # hex ids (ZooKeeper sessions, addresses)
    re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),  # UUID
    re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b"),  # error codes: DEADLINE_EXCEEDED
    re.compile(
        r"\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)+\b"
    ),  # req-8f3a
]


def quoted_and_ids(question: str) -> list[str]:
    """Quoted phrases, then IPs, block ids, hex ids, UUIDs, error codes and dashed ids."""
    found: list[str] = []
    for m in QUOTED.finditer(question):
        found.append(next(g for g in m.groups() if g))
    unquoted = QUOTED.sub(" ", question)
    for pattern in _IDENTIFIER_PATTERNS:
        for m in pattern.finditer(unquoted):
            value = m.group(0)
            if not any(value in f for f in found):
                found.append(value)
    return found

"""Retrieval metrics exactly as ../shared/spec/incident-format.md defines them.

Walk `retrieved_lines` in order and give one rank to each distinct message text; the first
10 distinct messages are the top 10. A relevant line is found when its message is among them.
"""

from __future__ import annotations

from collections.abc import Sequence

K = 10


def top_messages(retrieved: Sequence[int], messages: Sequence[str], k: int = K) -> list[str]:
    """The first `k` distinct message texts of `retrieved` (1-based line numbers into `messages`)."""
    slots: list[str] = []
    seen: set[str] = set()
    for line in retrieved:
        if not 1 <= line <= len(messages):
            continue
        msg = messages[line - 1]
        if msg in seen:
            continue
        seen.add(msg)
        slots.append(msg)
        if len(slots) == k:
            break
    return slots


def recall_and_mrr(
    retrieved: Sequence[int], relevant: Sequence[int], messages: Sequence[str]
) -> tuple[float, float]:
    """(recall@10, MRR) of one turn; (0, 0) when nothing is relevant."""
    if not relevant:
        return 0.0, 0.0
    slots = top_messages(retrieved, messages)
    wanted = {messages[i - 1] for i in relevant if 1 <= i <= len(messages)}
    found = sum(1 for i in relevant if 1 <= i <= len(messages) and messages[i - 1] in slots)
    rr = next((1.0 / rank for rank, msg in enumerate(slots, 1) if msg in wanted), 0.0)
    return found / len(relevant), rr


def mentions_hit(answer: str, mentions: Sequence[str]) -> float:
    """Share of `mentions` found in `answer`, case-insensitively; 0 when there are none."""
    if not mentions:
        return 0.0
    low = answer.lower()
    return sum(1 for m in mentions if m.lower() in low) / len(mentions)

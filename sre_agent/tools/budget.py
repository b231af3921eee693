"""Fit a tool's output into a token budget, with a truncation marker the model can read."""

from __future__ import annotations

from collections.abc import Sequence


def count_tokens(text: str) -> int:
    """Tokens of `text` with LlamaIndex's tokenizer (tiktoken cl100k, shipped with llama-index-core)."""
    from llama_index.core.utils import get_tokenizer

    return len(get_tokenizer()(text))


def fit_to_budget(header: str, items: Sequence[str], budget: int, *, hint: str = "") -> tuple[str, int]:
    """`header` then as many `items` as fit in `budget` tokens; returns (text, items left out).

    When items are left out, a last line says how many and what to do about it, so the model
    never mistakes a cut list for the whole story.
    """
    lines = [header]
    used = count_tokens(header)
    for shown, item in enumerate(items):
        cost = count_tokens(item) + 1
        if used + cost > budget:
            left = len(items) - shown
            lines.append(
                f"[… truncated: {left} more item{'s' if left != 1 else ''} not shown "
                f"(tool output budget {budget} tokens){'; ' + hint if hint else ''}]"
            )
            return "\n".join(lines), left
        lines.append(item)
        used += cost
    return "\n".join(lines), 0

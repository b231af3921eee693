"""The suspects in the offline answer: how the answer says what came out.

The triage calls `rank_suspects` when the question asks why, what is wrong or which service (its
planning hook, `tools/rank_suspects.py`); the answer then opens its Summary with the top suspect
and its confidence, and lists the suspects, with reasons and evidence lines, before the evidence.
"""

from __future__ import annotations

from collections.abc import Sequence

from sre_agent.clocks import label, stamp
from sre_agent.suspects import SuspectRanking, render_suspects, summary_phrase
from sre_agent.tools.base import ToolResult


def ranking_of(results: Sequence[ToolResult]) -> SuspectRanking | None:
    """The last ranking a `rank_suspects` call of this turn returned, if any."""
    for result in reversed(results):
        if result.tool == "rank_suspects" and result.ok and result.suspects is not None:
            return result.suspects
    return None


def summary_opening(ranking: SuspectRanking | None) -> str:
    """The Summary's first sentence: the top suspect, in plain words, with its confidence."""
    phrase = summary_phrase(ranking) if ranking is not None else ""
    return phrase + " " if phrase else ""


def suspects_section(ranking: SuspectRanking | None, utc_offset: int | None) -> str | None:
    """The **Suspects** block: the ranked list, or a line saying none stood out; None when the
    suspects were not ranked this turn."""
    if ranking is None:
        return None
    if not ranking.suspects:
        return (
            f"**Suspects**: none stands out: the {ranking.lines} stored lines name no service, pod, host "
            "or component to tell apart, or hold no error or warning that began, rose or named one."
        )
    when = ""
    if ranking.onset is not None:
        calm = (
            "compared with the calmer time before"
            if ranking.calm_before
            else "no calmer time before to compare"
        )
        when = f" The trouble began about {stamp(ranking.onset, utc_offset)} {label(utc_offset)} ({calm})."
    return (
        "**Suspects**, most likely first (a service, pod, host or change; its reason; its strongest "
        f"line).{when}\n" + render_suspects(ranking, utc_offset)
    )

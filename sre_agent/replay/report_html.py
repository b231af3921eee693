"""HTML pages of a replay: the report (`sre-agent replay --html`) and the comparison of two
(`sre-agent replay-diff --html`).

Both are self-contained pages rendered from `trace/templates/replay_*.html.j2`. This module turns
the report models into plain rows (figures formatted, tool arguments as compact JSON) so the
templates only lay them out.
"""

from __future__ import annotations

import json
from typing import Any

from sre_agent.replay.diff import METRICS, Change, ReplayDiff
from sre_agent.replay.runner import ReplayReport, TurnReport
from sre_agent.trace.pages import format_seconds, render_page

#: Retrieved line numbers shown per turn (the JSON report has all of them).
SHOWN_LINES = 20
METRIC_LABELS = {"recall_at_10": "recall@10", "mrr": "MRR", "mentions_hit": "mentions", "seconds": "seconds"}


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _tool_row(call: dict[str, Any]) -> dict[str, Any]:
    args = call.get("args", {})
    return {
        "name": str(call.get("tool") or call.get("name") or "?"),
        "args": json.dumps(args, ensure_ascii=False, separators=(",", ":"), default=str),
        # Retrieval-only calls record no outcome: they show neither ok nor error.
        "status": "error" if call.get("ok") is False or call.get("error") else "ok" if "ok" in call else "",
        "error": str(call.get("error") or ""),
        "lines": call.get("lines", ""),
        "seconds": format_seconds(call["seconds"]) if isinstance(call.get("seconds"), int | float) else "",
    }


def _turn_row(n: int, turn: TurnReport, run_links: dict[str, str]) -> dict[str, Any]:
    lines = turn.retrieved_lines
    shown = ", ".join(str(x) for x in lines[:SHOWN_LINES]) + (", …" if len(lines) > SHOWN_LINES else "")
    return {
        "n": n,
        "ask": turn.ask,
        "recall": _figure(turn.recall_at_10),
        "mrr": _figure(turn.mrr),
        "mentions": _figure(turn.mentions_hit),
        "seconds": format_seconds(turn.seconds),
        "tools": [_tool_row(call) for call in turn.tool_calls],
        "answer": turn.answer,
        "relaxed": turn.relaxed,
        "lines_count": len(lines),
        "lines": shown,
        "run_id": turn.run_id,
        "run_href": run_links.get(turn.run_id) if turn.run_id else None,
    }


def render_report(report: ReplayReport, *, run_links: dict[str, str]) -> str:
    """The report page; `run_links` maps a run id to the relative href of its run picture."""
    s = report.summary
    summary = [
        ("incidents", str(s.get("incidents", len(report.incidents)))),
        ("turns", str(s.get("turns", sum(len(i.turns) for i in report.incidents)))),
        ("recall@10", _figure(s.get("recall_at_10"))),
        ("MRR", _figure(s.get("mrr"))),
        ("mentions", _figure(s.get("mentions_hit"))),
        ("seconds / turn", format_seconds(s.get("seconds"))),
    ]
    incidents = [
        {
            "id": inc.id,
            "title": inc.title,
            "turns": [_turn_row(n, t, run_links) for n, t in enumerate(inc.turns, 1)],
        }
        for inc in report.incidents
    ]
    return render_page("replay_report.html.j2", summary=summary, incidents=incidents)


def _delta_cell(name: str, change: Change | None) -> dict[str, str]:
    if change is None or change.delta is None:
        return {"text": "–", "tone": "muted", "title": ""}
    text = f"{change.delta:+.2f}" if name != "seconds" else f"{change.delta:+.2f} s"
    tone = {True: "ok", False: "bad", None: ""}[change.better]
    return {"text": text, "tone": tone, "title": f"{_figure(change.a)} → {_figure(change.b)}"}


def render_diff(diff: ReplayDiff, a_name: str, b_name: str) -> str:
    """The comparison page of report `a_name` (A) and `b_name` (B)."""
    summary = [
        {
            "label": METRIC_LABELS[m],
            "a": _figure(diff.summary.changes[m].a if m in diff.summary.changes else None),
            "b": _figure(diff.summary.changes[m].b if m in diff.summary.changes else None),
            "delta": _delta_cell(m, diff.summary.changes.get(m)),
        }
        for m in METRICS
    ]
    turns = [
        {
            "incident": t.incident,
            "n": t.turn,
            "ask": t.ask,
            "verdict": t.verdict,
            "note": t.note,
            "deltas": [_delta_cell(m, t.changes.get(m)) for m in METRICS],
            "tools_changed": t.tools_changed,
            "tools_a": ", ".join(t.tools_a) or "none",
            "tools_b": ", ".join(t.tools_b) or "none",
        }
        for t in diff.turns
    ]
    return render_page(
        "replay_diff.html.j2",
        a_name=a_name,
        b_name=b_name,
        summary=summary,
        counts=diff.summary.counts,
        turns_a=diff.summary.turns_a,
        turns_b=diff.summary.turns_b,
        tools_changed=diff.summary.tools_changed,
        labels=[METRIC_LABELS[m] for m in METRICS],
        turns=turns,
    )

"""The run picture and the workflow drawings as self-contained HTML pages.

`render_run(trace)` is what `sre-agent runs show --html`, the replay report's run links and the
Slack `trace` upload give: the workflows with this run's path marked, a timeline of steps, tool
and LLM calls, each tool call's arguments and result, the retrieved lines and the answer.
`render_workflows(names)` is `sre-agent draw`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sre_agent.trace.graph import Drawing, describe, layout, mermaid, run_drawings
from sre_agent.trace.model import RunTrace
from sre_agent.trace.pages import render_page


@dataclass
class TimelineRow:
    """One bar of the timeline."""

    kind: str  # run | workflow | step | tool | embedding | llm
    name: str
    depth: int
    left: float  # percent of the run
    width: float  # percent of the run
    started: float
    seconds: float | None
    status: str
    detail: str = ""


def timeline(trace: RunTrace) -> list[TimelineRow]:
    """Spans and LLM calls in start order, indented under the span that started them."""
    total = max(trace.seconds or 0.0, 1e-6)
    depths = trace.depths()  # rows sit one level below the whole-run row

    def bar(started: float, seconds: float | None) -> tuple[float, float]:
        left = min(started / total * 100, 100.0)
        width = (seconds if seconds is not None else total - started) / total * 100
        return round(left, 3), round(max(min(width, 100.0 - left), 0.4), 3)

    rows: list[TimelineRow] = [
        TimelineRow(
            kind="run",
            name=trace.kind,
            depth=0,
            left=0.0,
            width=100.0,
            started=-1.0,  # first, whatever else starts at 0
            seconds=trace.seconds,
            status="failed" if trace.status == "failed" else "ok",
            detail="the whole run (gaps: reading configs and snapshots, planning)",
        )
    ]
    for span in trace.spans:
        left, width = bar(span.started, span.seconds)
        if span.kind == "step":
            returned = span.output_event or ("failed" if span.error else "(events sent, none returned)")
            detail = f"{span.input_event or '?'} → {returned}"
        elif span.kind == "workflow":
            detail = "workflow run"
        else:
            detail = "; ".join(span.notes)
        rows.append(
            TimelineRow(
                kind=span.kind,
                name=span.name,
                depth=depths[span.id] + 1,
                left=left,
                width=width,
                started=span.started,
                seconds=span.seconds,
                status=span.status,
                detail=(span.error or detail) if span.status == "failed" else detail,
            )
        )
    for call in trace.llm_calls:
        left, width = bar(call.started, call.seconds)
        tokens = (
            f"{call.prompt_tokens} in / {call.completion_tokens} out tokens"
            if call.prompt_tokens is not None
            else "tokens not reported"
        )
        rows.append(
            TimelineRow(
                kind="llm",
                name=call.model or "LLM",
                depth=depths[call.span_id] + 2 if call.span_id in depths else 1,
                left=left,
                width=width,
                started=call.started,
                seconds=call.seconds,
                status="failed" if call.error else "ok",
                detail=f"{call.messages} messages; {tokens}",
            )
        )
    rows.sort(key=lambda r: (r.started, r.depth))
    return rows


def render_run(trace: RunTrace) -> str:
    """The picture of one run, as one HTML page."""
    drawings = run_drawings(trace)
    return render_page(
        "run.html.j2",
        trace=trace,
        drawings=[(d, describe(d)) for d in drawings],
        rows=timeline(trace),
        tool_calls=[
            (call, json.dumps(call.args, ensure_ascii=False, default=str)) for call in trace.tool_calls
        ],
        failed_spans=[s for s in trace.spans if s.status == "failed"],
    )


def render_workflows(names: list[str]) -> str:
    """Every named workflow's graph of steps and events (with its Mermaid source), as one page."""
    drawings: list[tuple[Drawing, str]] = [(layout(name), mermaid(name)) for name in names]
    return render_page("workflows.html.j2", drawings=drawings)

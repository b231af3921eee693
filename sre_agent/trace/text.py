"""A run trace in words: a Markdown summary (the Slack `trace` reply) and rich tables (`runs show`)."""

from __future__ import annotations

import json

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sre_agent.stacktrace import one_line
from sre_agent.trace.model import RunSummary, RunTrace
from sre_agent.trace.pages import format_seconds


def summary_markdown(trace: RunTrace, *, max_tools: int = 8) -> str:
    """What the last run did, short enough for one Slack message (standard Markdown: paragraphs
    and a list, as Slack's `markdown_text` renders them)."""
    head = (
        f"**Run `{trace.id}`** · {trace.status} · {format_seconds(trace.seconds)} · "
        f"{trace.mode or trace.kind}" + (f" ({trace.backend})" if trace.backend else "")
    )
    parts = [head, f"> {trace.question[:300]}"]
    if trace.error:
        parts.append(f"⚠ {trace.error}")
    steps: dict[str, list[float]] = {}
    failed = []
    for span in trace.spans:
        if span.kind == "step":
            steps.setdefault(span.name, []).append(span.seconds or 0.0)
            if span.status == "failed":
                failed.append(f"{span.name}: {span.error}")
    if steps:
        parts.append(
            "Steps: "
            + " → ".join(
                f"{name}" + (f" ×{len(t)}" if len(t) > 1 else "") + f" ({format_seconds(sum(t))})"
                for name, t in steps.items()
            )
        )
    parts += [f"Failed step {problem}" for problem in failed[:3]]
    if trace.tool_calls:
        calls = [f"Tool calls ({len(trace.tool_calls)}):", ""]
        for call in trace.tool_calls[:max_tools]:
            args = ", ".join(f"{k}={v!r}" for k, v in call.args.items() if k != "query")
            outcome = f"{call.counts.get('lines', 0)} lines" if call.ok else f"failed: {call.error}"
            calls.append(f"- `{call.tool}({args[:160]})` → {outcome} in {format_seconds(call.seconds)}")
        if len(trace.tool_calls) > max_tools:
            calls.append(f"- … and {len(trace.tool_calls) - max_tools} more")
        parts.append("\n".join(calls))
    if trace.llm_calls:
        prompt = sum(c.prompt_tokens or 0 for c in trace.llm_calls)
        completion = sum(c.completion_tokens or 0 for c in trace.llm_calls)
        tokens = f", {prompt} in / {completion} out tokens" if prompt or completion else ""
        parts.append(f"LLM calls: {len(trace.llm_calls)}{tokens}")
    parts.append(f"Retrieved lines: {len(trace.lines)}")
    return "\n\n".join(parts)


def runs_table(runs: list[RunSummary]) -> Table:
    """`sre-agent runs list`: id, when, kind, status, duration, question (cut to the terminal)."""
    table = Table(title="runs (newest first)", box=box.SIMPLE_HEAD, pad_edge=False)
    # Everything but the question keeps its full width: an id cut short cannot be looked up.
    for name, size in (("id", 22), ("when (UTC)", 14), ("kind", 6), ("status", 8), ("took", 7)):
        table.add_column(name, no_wrap=True, min_width=size, justify="right" if name == "took" else "left")
    table.add_column("question", overflow="ellipsis", no_wrap=True, min_width=12)
    colours = {"ok": "green", "fallback": "yellow", "failed": "red", "running": "dim"}
    for run in runs:
        table.add_row(
            run.id,
            f"{run.started_at:%m-%d %H:%M:%S}",
            run.kind,
            f"[{colours[run.status]}]{run.status}[/]",
            format_seconds(run.seconds),
            Text(run.question),
        )
    return table


def print_run(console: Console, trace: RunTrace) -> None:
    """`sre-agent runs show`: the header, the timeline as a table, tool calls and the top lines."""
    console.print(summary_markdown(trace).splitlines()[0].replace("**", "").replace("`", ""), highlight=False)
    console.print(f"question: {trace.question}", highlight=False, soft_wrap=True)
    console.print(
        f"kind {trace.kind} · session {trace.session} · service {trace.service or '-'} · "
        f"started {trace.started_at:%Y-%m-%d %H:%M:%S} UTC",
        highlight=False,
    )
    if trace.error:
        console.print(f"[red]{escape(trace.error)}[/red]", highlight=False, soft_wrap=True)
    timeline = Table(title="timeline", box=box.SIMPLE_HEAD, pad_edge=False)
    for name in ("at", "took"):
        timeline.add_column(name, justify="right", no_wrap=True)
    timeline.add_column("what")
    timeline.add_column("status", no_wrap=True)
    timeline.add_column("detail", overflow="fold")
    depth = trace.depths()
    for span in trace.spans:
        detail = span.error or (
            f"{span.input_event} → {span.output_event}" if span.kind == "step" else "; ".join(span.notes)
        )
        if span.kind == "step" and span.notes and not span.error:
            detail += f" ({span.notes[-1]})"
        timeline.add_row(
            format_seconds(span.started),
            format_seconds(span.seconds),
            Text("  " * depth[span.id] + f"{span.kind} {span.name}"),
            "[red]failed[/red]" if span.status == "failed" else span.status,
            Text(detail),
        )
    for llm in trace.llm_calls:
        tokens = f"{llm.prompt_tokens} in / {llm.completion_tokens} out" if llm.prompt_tokens else ""
        timeline.add_row(
            format_seconds(llm.started), format_seconds(llm.seconds), Text(f"llm {llm.model}"), "", tokens
        )
    console.print(timeline)
    for index, call in enumerate(trace.tool_calls, 1):
        status = "ok" if call.ok else f"[red]failed: {escape(call.error or '')}[/red]"
        args = escape(json.dumps(call.args, ensure_ascii=False, default=str))
        console.print(
            f"[b]{index}. {call.tool}[/b] {args} → {status}",
            highlight=False,
            soft_wrap=True,
            markup=True,
        )
        if call.summary:
            console.print(f"   {call.summary[:300]}", highlight=False, soft_wrap=True, markup=False)
    if trace.lines:
        console.print(f"[b]retrieved lines[/b] ({len(trace.lines)}, best first):")
        for line in trace.lines[:10]:
            console.print(
                f"  {line.level or '':5} ×{line.count:<4} {one_line(line.message, 200)}",
                highlight=False,
                markup=False,
            )

"""Offline triage: a deterministic, useful answer without any LLM.

It reads the question's entities with the rule refiner (method names from configs, user and
request ids, environment, time phrases, severity words), runs the tools an engineer would run
(each tool's planning hook says whether it is one of them: `ToolSpec.plan`), mines the window's
log patterns with drain3, and matches the service's debugging scenarios. The answer has the same
sections as the LLM path: Summary, Evidence, Log patterns, Next steps, Not checked, plus the
section of each tool that shows what it returned (`ToolSpec.answer_section`).

`TriageWorkflow` runs it as steps, like the log-search workflow (and so a run picture shows
where an offline turn spent its time): plan the calls → run them → mine the window → write the
answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import Field
from workflows import Workflow, step
from workflows.events import Event, StartEvent, StopEvent

from sre_agent.agent.advice import advising_configs, plain, record_marks, render_next_steps
from sre_agent.agent.suspect_answer import ranking_of, summary_opening, suspects_section
from sre_agent.answer import render_fetch_report, unread_notes
from sre_agent.clocks import span
from sre_agent.configs import ServiceConfig
from sre_agent.evidence import line_message, line_when, render_evidence
from sre_agent.indexes.filters import level_rank
from sre_agent.knowledge import known_patterns, match_scenarios
from sre_agent.patterns import PatternSummary, mine_patterns, render_patterns
from sre_agent.shapes import sounds_like_trouble
from sre_agent.timeline import Timeline, build_timeline, render_timeline
from sre_agent.tools.base import ToolContext, ToolResult
from sre_agent.tools.edge_lines import read_edges
from sre_agent.tools.registry import ToolRegistry
from sre_agent.tools.spec import Planning, ToolCallPlan
from sre_agent.tools.stored import stored_rows
from sre_agent.workflows.events import ProgressEvent
from sre_agent.workflows.plan import RetrievalPlan
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.results import ResultLine


def plan_calls(
    ctx: ToolContext, registry: ToolRegistry, question: str, plan: RetrievalPlan
) -> list[ToolCallPlan]:
    """Which tools to run for `question`, from the entities the rule refiner found: each tool's
    planning hook in `plan_order`, each seeing the calls planned before it."""
    planning = Planning(ctx=ctx, question=question, plan=plan)
    hooked = [spec for spec in registry.specs() if spec.plan is not None]
    for spec in sorted(hooked, key=lambda spec: spec.plan_order):
        assert spec.plan is not None
        call = spec.plan(planning)
        if call is not None:
            planning.planned.append(call)
    return planning.planned


class TriageStart(StartEvent):
    question: str


class ToolsPlanned(Event):
    question: str
    plan: RetrievalPlan
    calls: list[ToolCallPlan]


class ToolsRan(Event):
    question: str
    plan: RetrievalPlan


class WindowMined(Event):
    question: str
    plan: RetrievalPlan
    patterns: PatternSummary
    timeline: Timeline | None = None
    advising: list[str] = Field(default_factory=list, description="configs whose advice applies")
    read_note: str | None = Field(default=None, description="older lines of the window left unread")


class TriageWorkflow(Workflow):
    """Offline triage of one question: plan the tool calls, run them, mine the window, answer."""

    def __init__(
        self,
        ctx: ToolContext,
        registry: ToolRegistry,
        *,
        config: ServiceConfig | None,
        configs: Sequence[ServiceConfig],
    ) -> None:
        # No timeout of its own: every tool call is bounded (its search by SRE_AGENT_WORKFLOW_TIMEOUT).
        super().__init__(timeout=None)
        self.tools, self.registry, self.config, self.configs = ctx, registry, config, list(configs)

    def _refine(self, question: str) -> RetrievalPlan:
        ctx = self.tools
        return RuleRefiner(self.config).refine(
            question,
            now=ctx.now or datetime.now(UTC),
            environment=ctx.environment,
            thread=ctx.engine.thread_context(ctx.session),
            utc_offset=ctx.engine.log_clock(ctx.session),
        )

    @step
    async def plan(self, ev: TriageStart) -> ToolsPlanned:
        plan = self._refine(ev.question)
        calls = plan_calls(self.tools, self.registry, ev.question, plan)
        return ToolsPlanned(question=ev.question, plan=plan, calls=calls)

    @step
    async def run_tools(self, ev: ToolsPlanned) -> ToolsRan:
        """One call after the other, in the planned order (results land in the context's `results`)."""
        for call in ev.calls:
            if self.tools.on_progress is not None:
                self.tools.on_progress(
                    ProgressEvent(stage="triage", message=call.why, data={"tool": call.tool})
                )
            args = {k: v for k, v in call.args.items() if v is not None}
            await self.registry.call(self.tools, call.tool, args)
        plan = ev.plan
        if self.tools.engine.log_clock(self.tools.session) != plan.utc_offset:
            plan = self._refine(ev.question)  # the first fetch told us the logs' own clock
        return ToolsRan(question=ev.question, plan=plan)

    @step
    async def mine_window(self, ev: ToolsRan) -> WindowMined:
        """drain3 templates of the window and the problem's timeline (its look-back reaching before
        the window): off the event loop, as reading and mining a big window take a while."""
        read = await asyncio.to_thread(stored_rows, self.tools, ev.plan.window)
        rows = read.rows
        patterns = await asyncio.to_thread(mine_patterns, rows, limit=8)
        problem = next(iter(patterns.problems()), None)
        env = ev.plan.environment or self.tools.environment
        edges = await read_edges(self.tools, problem, environment=env) if problem else None
        timeline = build_timeline(rows, problem, edges=edges)
        marks = await asyncio.to_thread(record_marks, rows, merged_lines(self.tools.results))
        advising = [c.name for c in advising_configs(self.config, self.configs, marks)]
        return WindowMined(
            question=ev.question,
            plan=ev.plan,
            patterns=patterns,
            timeline=timeline,
            advising=advising,
            read_note=read.note(),
        )

    @step
    async def write_answer(self, ev: WindowMined) -> StopEvent:
        results = list(self.tools.results)
        lines = merged_lines(results)
        evidence = [line.message for line in lines] + [p.example for p in ev.patterns.patterns]
        pool = {c.name: c for c in self.configs} | ({self.config.name: self.config} if self.config else {})
        advising = [pool[name] for name in ev.advising]
        scenarios = match_scenarios(advising, ev.question, evidence)
        known = known_patterns(advising, evidence)
        next_steps = render_next_steps(
            scenarios,
            advising,
            [c.name for c in self.configs],
            lines=lines,
            patterns=ev.patterns,
            timeline=ev.timeline,
            utc_offset=ev.plan.utc_offset,
        )
        return StopEvent(
            result=render_triage(
                ev.plan,
                results,
                lines,
                ev.patterns,
                known,
                next_steps,
                ev.timeline,
                read_note=ev.read_note,
                registry=self.registry,
            )
        )


async def triage(
    ctx: ToolContext,
    registry: ToolRegistry,
    question: str,
    *,
    config: ServiceConfig | None,
    configs: Sequence[ServiceConfig],
) -> str:
    """Run the right tools for `question` (results land in `ctx.results`) and return the Markdown answer."""
    workflow = TriageWorkflow(ctx, registry, config=config, configs=configs)
    answer: str = await workflow.run(start_event=TriageStart(question=question))
    return answer


def merged_lines(results: Sequence[ToolResult]) -> list[ResultLine]:
    """Every line the tool calls surfaced, best first, one per distinct message."""
    seen: set[str] = set()
    out: list[ResultLine] = []
    for result in results:
        for line in result.lines:
            if line.message not in seen:
                seen.add(line.message)
                out.append(line)
    return out


def _partly(results: Sequence[ToolResult]) -> str:
    """A word in the summary when a fetch read only part of what matched (the notes below say how)."""
    reports = [r.fetch_report for r in results if r.fetch_report is not None]
    if any(report.cut is not None for report in reports):
        return " _This is from a partial read: the fetch limit left older records out (see below)._"
    if ended := [sentence for report in reports for sentence in report.ends_early]:
        return f" _This is from a partial read: {ended[0]}._"
    return ""


def _fetch_notes(results: Sequence[ToolResult]) -> list[str]:
    """Each fetch's report (names matched, filters dropped, what the source held), per tool."""
    out = []
    for result in results:
        text = render_fetch_report(result.fetch_report, f"**What the fetch found** (`{result.tool}`)")
        if text:
            out.append(text)
    return out


def most_telling(lines: Sequence[ResultLine]) -> ResultLine:
    """The line the summary names: the most severe; among equally severe lines (or logs that write
    no level), one whose words say something failed; then the most relevant (the first). Not the
    most frequent: the loudest line of a level is usually routine ("SCREEN_ON" ×13)."""
    return max(
        enumerate(lines), key=lambda il: (level_rank(il[1].level), sounds_like_trouble(il[1].message), -il[0])
    )[1]


def _summary(lines: Sequence[ResultLine], patterns: PatternSummary, known: list, plan: RetrievalPlan) -> str:
    if not lines:
        return "No stored log line matches the question; see Not checked for what was searched."
    worst = most_telling(lines)
    text = ""
    asked = plan.min_level or plan.prefer_level  # "were there any errors?"
    if asked and level_rank(worst.level) < level_rank(asked):
        text = f"No matching line is at level {asked} or worse: the closest lines are below. "
    text += (
        f"{len(lines)} distinct lines match. The most telling: [{worst.level or '-'}] ×{worst.count} "
        f"`{line_message(worst)}` ({line_when(worst, plan.utc_offset)}"
        + (f", host {worst.host}" if worst.host else "")
        + ")."
    )
    if known:
        text += " Known error patterns seen: " + "; ".join(
            f"**{p.name}** (×{hits}): {plain(p.meaning)}" if p.meaning else f"**{p.name}** (×{hits})"
            for p, hits in known[:3]
        )
    problems = patterns.problems()
    if problems:
        top = problems[0]  # patterns come worst level first, then most frequent
        text += (
            f" In the window, {len(problems)} warning or error pattern{'s' if len(problems) != 1 else ''}"
            f"; the worst: [{top.level}] {top.tally()} `{top.template[:160]}` "
            f"({span(top.first_seen, top.last_seen, plan.utc_offset)})."
        )
    return text


def render_triage(
    plan: RetrievalPlan,
    results: Sequence[ToolResult],
    lines: Sequence[ResultLine],
    patterns: PatternSummary,
    known: list,
    next_steps: str,
    timeline: Timeline | None = None,
    *,
    read_note: str | None = None,
    registry: ToolRegistry,
) -> str:
    """The offline answer in the same sections as the LLM path's (`read_note`: what the window's
    patterns left unread, see `tools.stored.StoredLines`), with the section of each tool of
    `registry` that shows what its first successful call returned, in the order they ran."""
    ranking = ranking_of(results)
    parts = [
        "_Offline triage: no LLM was used; this answer is built from the logs and the service "
        "config by rules, and nothing left this machine._",
        "**Summary**: "
        + summary_opening(ranking)
        + _summary(lines, patterns, known, plan)
        + "".join(f" {finding}" for result in results for finding in result.findings)
        + _partly(results),
        *_fetch_notes(results),
    ]
    if (block := suspects_section(ranking, plan.utc_offset)) is not None:
        parts.append(block)
    if lines:
        parts.append(
            "**Evidence**: the most relevant lines, as patterns (lines alike but for ids and numbers; "
            "×count = its lines in the searched window):\n"
            + render_evidence(list(lines), utc_offset=plan.utc_offset, keep=[*plan.identifiers, *plan.terms])
        )
    if patterns.patterns:
        parts.append(
            f"**Log patterns** of the window ({patterns.total_records} lines, drain3; errors first"
            + (f"; {read_note}" if read_note else "")
            + "):\n"
            + render_patterns(patterns, utc_offset=plan.utc_offset)
        )
    if timeline is not None:
        parts.append(
            "**Timeline** of the worst problem pattern:\n"
            + render_timeline(timeline, utc_offset=plan.utc_offset)
        )
    shown: set[str] = set()
    for result in results:
        spec = registry.get(result.tool) if result.tool in registry.names() else None
        if result.ok and spec is not None and spec.answer_section is not None and spec.name not in shown:
            shown.add(spec.name)
            parts.append(spec.answer_section(result))
    parts.append(next_steps)
    parts.append("**Not checked**:\n" + "\n".join(_not_checked(results, registry)))
    return "\n\n".join(parts)


def _not_checked(results: Sequence[ToolResult], registry: ToolRegistry) -> list[str]:
    out = [f"- ⚠ {note}" for note in unread_notes(r.fetch_report for r in results)]
    for result in results:
        if result.ok:
            counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
            out.append(f"- `{result.tool}` searched {result.scope} ({counts})")
        else:
            out.append(f"- `{result.tool}` failed: {result.error}")
    called = {r.tool for r in results}
    out += [
        f"- {spec.not_called}" for spec in registry.specs() if spec.not_called and spec.name not in called
    ]
    return out

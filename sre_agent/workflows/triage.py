"""Offline triage: a deterministic, useful answer without any LLM.

It reads the question's entities with the rule refiner (method names from configs, user and
request ids, environment, time phrases, severity words), runs the tools an engineer would run
(`search_logstore` for a new question, `get_all_logs_for_request_id` for a named request,
`search_panic_logs` for crashes, `retrieve_stored_logs` for follow-ups), mines the window's log
patterns with drain3, and matches the service's debugging scenarios. The answer has the same
sections as the LLM path: Summary, Evidence, Log patterns, Next steps, Not checked.

`TriageWorkflow` runs it as steps, like the log-search workflow (and so a run picture shows
where an offline turn spent its time): plan the calls → run them → mine the window → write the
answer.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from workflows import Workflow, step
from workflows.events import Event, StartEvent, StopEvent

from sre_agent.answer import render_fetch_report, unread_notes
from sre_agent.clocks import span
from sre_agent.configs import ServiceConfig
from sre_agent.connectors.admin_api import AdminApiClient
from sre_agent.evidence import line_message, line_when, render_evidence
from sre_agent.indexes import table_name
from sre_agent.indexes.filters import level_rank
from sre_agent.knowledge import known_patterns, match_scenarios
from sre_agent.patterns import PatternSummary, mine_patterns, render_patterns
from sre_agent.shapes import sounds_like_trouble
from sre_agent.timeline import Timeline, build_timeline, render_timeline
from sre_agent.tools.base import ToolContext, ToolResult
from sre_agent.tools.edge_lines import read_edges
from sre_agent.tools.log_tools import stored_rows
from sre_agent.tools.registry import ToolRegistry
from sre_agent.workflows.advice import advising_configs, plain, record_marks, render_next_steps
from sre_agent.workflows.events import ProgressEvent
from sre_agent.workflows.plan import RetrievalPlan
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.results import ResultLine
from sre_agent.workflows.suspect_answer import asks_for_a_cause, ranking_of, summary_opening, suspects_section


class ToolCallPlan(BaseModel):
    """One tool call the triage decided to make, and why."""

    tool: str
    args: dict[str, str | int | dict[str, str] | None] = Field(default_factory=dict)
    why: str


#: Words of a question about the code rather than (only) the logs.
_CODE_WORDS = re.compile(
    r"\b(code|codebase|source|function|method in|class|implemented|implementation|which file|"
    r"where is .* (defined|handled|thrown|raised|logged))\b",
    re.IGNORECASE,
)


def _asks_about_code(question: str) -> bool:
    return bool(_CODE_WORDS.search(question))


_TABLE_WORDS = re.compile(r"\b(dynamo(db)?|table|item|stored|what does the db hold)\b", re.IGNORECASE)


def _table_lookup(ctx: ToolContext, question: str, plan: RetrievalPlan) -> ToolCallPlan | None:
    """A Query of the allow-listed table (or its index) keyed by the user the question names, when
    the question asks what the table holds."""
    user = plan.field_filters.get("user_id")
    config = ctx.engine.config(ctx.service) if ctx.service else None
    if not user or config is None or config.dynamodb is None or not _TABLE_WORDS.search(question):
        return None
    for table in config.dynamodb.tables:
        keyed = [(None, table.partition_key.name)] + [(i.name, i.partition_key.name) for i in table.indexes]
        for index, key in keyed:
            if key == "user_id":
                args: dict[str, str | int | dict[str, str] | None] = {
                    "operation": "Query",
                    "table": table.name,
                    "partition_value": user,
                    "index": index,
                }
                return ToolCallPlan(
                    tool="search_aws_cli",
                    args=args,
                    why=f"the question asks what {table.name} holds for user {user}",
                )
    return None


def _admin_lookup(ctx: ToolContext, plan: RetrievalPlan) -> ToolCallPlan | None:
    """The service's admin API endpoint that takes just a user id, when the question names a user
    and the API is configured (its base URL is in the environment)."""
    user = plan.field_filters.get("user_id")
    config = ctx.engine.config(ctx.service) if ctx.service else None
    if not user or config is None or config.admin_api is None:
        return None
    if not AdminApiClient(config.name, config.admin_api).configured():
        return None
    for endpoint in config.admin_api.endpoints:
        if [p.name for p in endpoint.params] == ["user_id"]:
            return ToolCallPlan(
                tool="search_admin_apis",
                args={"endpoint": endpoint.name, "params": {"user_id": user}},
                why=f"the question names user {user}: {endpoint.name} from the admin API",
            )
    return None


def plan_calls(ctx: ToolContext, question: str, plan: RetrievalPlan) -> list[ToolCallPlan]:
    """Which tools to run for `question`, from the entities the rule refiner found."""
    env = plan.environment or ctx.environment or "prod"
    method = plan.field_filters.get("method")
    calls: list[ToolCallPlan] = []
    if ctx.logstore is not None:
        # What this logstore filled: tables another source (an earlier --logs file) filled do not count.
        # … and only if it read the question's whole window: a cut fetch read only its newest part.
        needed = plan.window.within(ctx.default_window) if plan.window is not None else None
        stored = ctx.engine.fetched_from(ctx.session, ctx.logstore, needed)
        request_id = plan.field_filters.get("request_id")
        if request_id and table_name("req", request_id, env) not in stored:
            calls.append(
                ToolCallPlan(
                    tool="get_all_logs_for_request_id",
                    args={"request_id": request_id, "environment": env},
                    why=f"the question names request {request_id}",
                )
            )
        # A method's logs, or (a question naming none) every method's, once per thread; follow-ups
        # that need nothing new search what the thread stored.
        if table_name("logs", method or "all", env) not in stored:
            calls.append(
                ToolCallPlan(
                    tool="search_logstore",
                    args={"method": method, "environment": env, "query": question},
                    why=f"first look at {method or 'all'} logs in {env}",
                )
            )
        asks_for_crashes = "FATAL" in (plan.min_level, plan.prefer_level)
        if asks_for_crashes and table_name("panic_logs", env) not in stored:
            calls.append(
                ToolCallPlan(
                    tool="search_panic_logs",
                    args={"environment": env},
                    why="the question asks about crashes, panics or fatal errors",
                )
            )
    for lookup in (_admin_lookup(ctx, plan), _table_lookup(ctx, question, plan)):
        if lookup is not None:
            calls.append(lookup)
    if _asks_about_code(question) and ctx.engine.code_index.repos():
        calls.append(
            ToolCallPlan(
                tool="search_codebase",
                args={"query": question},
                why="the question asks about the code, and code is indexed",
            )
        )
    if not calls or all(c.tool != "search_logstore" for c in calls):
        calls.append(
            ToolCallPlan(
                tool="retrieve_stored_logs",
                args={"query": question},
                why="search what this thread already stored",
            )
        )
    if asks_for_a_cause(question):
        calls.append(
            ToolCallPlan(
                tool="rank_suspects", args={"query": question}, why="rank the suspects: which is it?"
            )
        )
    return calls


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
        return ToolsPlanned(question=ev.question, plan=plan, calls=plan_calls(self.tools, ev.question, plan))

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
                ev.plan, results, lines, ev.patterns, known, next_steps, ev.timeline, read_note=ev.read_note
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
    if not any(r.fetch_report is not None and r.fetch_report.cut is not None for r in results):
        return ""
    return " _This is from a partial read: the fetch limit left older records out (see below)._"


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
            f"; the worst: [{top.level}] ×{top.count} `{top.template[:160]}` "
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
) -> str:
    """The offline answer in the same sections as the LLM path's (`read_note`: what the window's
    patterns left unread, see `log_tools.StoredLines`)."""
    ranking = ranking_of(results)
    parts = [
        "_Offline triage: no LLM was used; this answer is built from the logs and the service "
        "config by rules, and nothing left this machine._",
        "**Summary**: "
        + summary_opening(ranking)
        + _summary(lines, patterns, known, plan)
        + _partly(results),
        *_fetch_notes(results),
    ]
    if (block := suspects_section(ranking, plan.utc_offset)) is not None:
        parts.append(block)
    if lines:
        parts.append(
            "**Evidence**: the most relevant lines, as patterns (lines alike but for ids and numbers; "
            "×count = its lines in the searched window):\n"
            + render_evidence(list(lines), utc_offset=plan.utc_offset)
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
    admin = [r for r in results if r.tool == "search_admin_apis" and r.ok]
    if admin:
        parts.append("**Admin API**:\n```text\n" + admin[0].text + "\n```")
    table = [r for r in results if r.tool == "search_aws_cli" and r.ok]
    if table:
        parts.append("**DynamoDB**:\n```text\n" + table[0].text + "\n```")
    code = [r for r in results if r.tool == "search_codebase" and r.ok]
    if code:
        parts.append("**Code**: where the indexed repositories touch this (path:lines):\n\n" + code[0].text)
    parts.append(next_steps)
    parts.append("**Not checked**:\n" + "\n".join(_not_checked(plan, results)))
    return "\n\n".join(parts)


def _not_checked(plan: RetrievalPlan, results: Sequence[ToolResult]) -> list[str]:
    out = [f"- ⚠ {note}" for note in unread_notes(r.fetch_report for r in results)]
    for result in results:
        if result.ok:
            counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
            out.append(f"- `{result.tool}` searched {result.scope} ({counts})")
        else:
            out.append(f"- `{result.tool}` failed: {result.error}")
    if not any(r.tool == "search_codebase" for r in results):
        out.append("- code: not searched (ask about the code, once `sre-agent index-code` has indexed it)")
    if not any(r.tool == "search_admin_apis" for r in results):
        out.append(
            "- admin API: not called (it is, for a question naming a user id, when the service config "
            "declares one and its URL variable is set)"
        )
    if not any(r.tool == "search_aws_cli" for r in results):
        out.append(
            "- DynamoDB: not read (ask what the table holds for a user, where the config allow-lists it)"
        )
    return out

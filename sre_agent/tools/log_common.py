"""What the log tools share: their window, environment and method arguments read and checked, the
log search they run, and how one search's result is shown to the model.

Arguments are pydantic models with bounds (window at most `max_window_hours`, limits capped); a
wrong argument raises `ToolError` with a message the model can act on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict

from sre_agent.connectors.base import Logstore
from sre_agent.connectors.report import FetchReport
from sre_agent.errors import InputError
from sre_agent.evidence import held_ids, rhythm, source_of
from sre_agent.models import TimeWindow
from sre_agent.stacktrace import one_line
from sre_agent.timephrases import named_window, parse_time_window
from sre_agent.tools.base import ToolContext, ToolError, ToolOutput
from sre_agent.workflows.events import SearchJob
from sre_agent.workflows.results import ResultLine, SearchResult, relaxed_sentences

WINDOW_HELP = (
    "time range as words: 'last 30 minutes', 'since 14:00', 'between 2024-03-12 13:50 and 14:40'"
    " (UTC); default: the incident window or the last hour"
)
#: The window help of tools that read only what the thread stored.
STORED_WINDOW_HELP = WINDOW_HELP.split("; default")[0] + "; default: all stored"
#: What the model may do when the budget cut a list of log lines.
NARROW_HINT = "narrow the query, the window or the filters to see the rest"


class Args(BaseModel):
    """A log tool's arguments: an argument the tool does not have is an error, not ignored."""

    model_config = ConfigDict(extra="forbid")


def now(ctx: ToolContext) -> datetime:
    return ctx.now or datetime.now(UTC)


def window(ctx: ToolContext, phrase: str | None) -> TimeWindow | None:
    """The window `phrase` names, checked against the bound; None when no phrase was given."""
    if phrase is None or not phrase.strip():
        return None
    parsed = parse_time_window(phrase, now(ctx))
    if parsed.window is None:
        raise ToolError(
            f"window: could not read {phrase!r} as a time range; "
            "write e.g. 'last 30 minutes' or 'between 2024-03-12 13:50 and 14:40'"
        )
    hours = (parsed.window.end - parsed.window.start).total_seconds() / 3600
    if hours > ctx.max_window_hours:
        raise ToolError(
            f"window: {phrase!r} spans {hours:.1f} h; at most {ctx.max_window_hours:g} h may be fetched "
            "at once (SRE_AGENT_MAX_WINDOW_HOURS): ask for a narrower range"
        )
    return parsed.window


def focus(ctx: ToolContext, stated: TimeWindow | None, query: str) -> TimeWindow | None:
    """The window `query`'s words name, to be read first (none when a window was stated): in the
    logs' clock (the thread's, else the snapshot's own read with its span), widened by 14 h while
    that clock is not known, as "14:05" may be local time."""
    if stated is not None:
        return None
    clock = ctx.engine.log_clock(ctx.session)
    named = named_window(query, now(ctx), clock if clock is not None else ctx.source_clock)
    if named is None or (named.end - named.start).total_seconds() / 3600 > ctx.max_window_hours:
        return None
    return named


def fetch_window(ctx: ToolContext, stated: TimeWindow | None) -> TimeWindow:
    if stated is not None:
        return stated
    if ctx.default_window is not None:
        return ctx.default_window
    current = now(ctx)
    return TimeWindow(start=current - timedelta(hours=1), end=current)


def environment(ctx: ToolContext, value: str | None) -> str:
    env = (value or ctx.environment or "prod").strip().lower()
    config = ctx.engine.config(ctx.service) if ctx.service else None
    if config is not None and config.environments and env not in [e.lower() for e in config.environments]:
        raise ToolError(
            f"environment: {env!r} is not one of {config.name}'s environments "
            f"({', '.join(config.environments)})"
        )
    return env


def method(ctx: ToolContext, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    config = ctx.engine.config(ctx.service) if ctx.service else None
    known = config.method_names() if config is not None else []
    if not known:
        return value.strip()
    for name in known:
        if name.lower() == value.strip().lower():
            return name
    raise ToolError(f"method: {value!r} is not a method of {ctx.service} (known: {', '.join(known)})")


def logstore(ctx: ToolContext) -> Logstore:
    if ctx.logstore is None:
        raise ToolError(
            "no logstore is connected to this conversation, so nothing can be fetched; "
            "use retrieve_stored_logs to search what the thread already stored"
        )
    return ctx.logstore


def limit(ctx: ToolContext, wanted: int) -> int:
    return min(wanted, ctx.engine.settings.tool_max_lines)


def render_line(i: int, line: ResultLine) -> str:
    when = f"{line.first_seen:%Y-%m-%d %H:%M:%S}"
    if line.count > 1 and line.last_seen != line.first_seen:
        when += f" → {line.last_seen:%Y-%m-%d %H:%M:%S}"
    extra = "".join(
        f" {part}"
        for part in (
            source_of(line),
            f"method={line.method}" if line.method else "",
            f"user={line.user_id}" if line.user_id else "",
        )
        if part
    )
    if line.pattern is not None and line.pattern.count > line.count:
        extra += f" (its pattern: ×{line.pattern.count}"
        extra += f" with {held_ids(line.pattern.holding)}" if line.pattern.holding else ""
        extra += f", {said})" if (said := rhythm(line.pattern)) else ")"
    message = one_line(line.message, 400)  # a stack trace keeps its causes and our innermost frames
    details = f" [{line.details}]" if line.details else ""  # a structured log's substance
    return f"{i}. [{line.level or '-'}] ×{line.count} {when}{extra}: {message}{details}"


def render_lines(lines: list[ResultLine]) -> list[str]:
    """The lines as the model reads them, numbered, best first (stored lines were redacted at
    ingest; the registry redacts them again with the rest of the output)."""
    return [render_line(i, line) for i, line in enumerate(lines, 1)]


def _scope(result: SearchResult, table: str | None) -> str:
    plan = result.plan
    parts = [f"table {table}" if table else "all tables of this thread"]
    if plan.window:
        parts.append(f"window {plan.window.start:%Y-%m-%d %H:%M} → {plan.window.end:%Y-%m-%d %H:%M} UTC")
        if plan.window_referent:  # "in that same run"
            parts[-1] += f" ({plan.window_referent})"
        if plan.read_on_to:
            parts.append(f"what it names read on to {plan.read_on_to:%Y-%m-%d %H:%M} UTC")
    parts += [f"{k}={v}" for k, v in plan.field_filters.items()]
    if plan.identifiers:
        parts.append("containing " + ", ".join(repr(i) for i in plan.identifiers))
        if plan.referent:
            parts[-1] += f" ({plan.referent})"
    elif plan.referent:  # "that box", when no one host stood out
        parts.append(plan.referent)
    if plan.min_level:
        parts.append(f"level ≥ {plan.min_level}")
    parts += plan.read_notes
    parts += relaxed_sentences(result.relaxed)
    return "; ".join(parts)


def fetch_notes(report: FetchReport | None) -> str:
    """The fetch's report as lines of the tool text ('fetch: no record said service=…')."""
    if report is None:
        return ""
    return "".join(f"\nfetch: {sentence}" for sentence in report.sentences())


def _header(result: SearchResult, scope: str) -> str:
    head = []
    if result.fetched or result.new:
        head.append(f"fetched {result.fetched} records from {result.source} ({result.new} new to the thread)")
    head.append(f"searched {scope}")
    if result.plan.recovery:
        head.append(f"recovery: {result.plan.recovery}")
    head.append(f"{len(result.lines)} distinct lines, best first (×count = identical lines):")
    text = "; ".join(head) + fetch_notes(result.fetch_report)
    for warning in result.warnings:
        text += f"\nwarning: {warning}"
    return text


async def run_search(ctx: ToolContext, job: SearchJob, *, fetch: bool) -> SearchResult:
    """One log search of the thread (`fetch`: from the connected logstore first)."""
    config = ctx.engine.config(ctx.service) if ctx.service else None
    try:
        return await ctx.engine.run_job(
            job,
            logstore=logstore(ctx) if fetch else None,
            config=config,
            on_progress=ctx.on_progress,
            use_llm=ctx.use_llm,
        )
    except InputError as exc:
        raise ToolError(str(exc)) from None


def searched(result: SearchResult, table: str | None) -> ToolOutput:
    """The output of a tool whose answer is one log search's result."""
    scope = _scope(result, table)
    return ToolOutput(
        header=_header(result, scope),
        items=render_lines(result.lines),
        hint=NARROW_HINT,
        lines=result.lines,
        counts={"fetched": result.fetched, "new": result.new, "lines": len(result.lines)},
        scope=scope,
        fetch_report=result.fetch_report,
        findings=[result.plan.recovery] if result.plan.recovery else [],
    )

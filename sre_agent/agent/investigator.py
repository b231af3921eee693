"""The agent: one turn of a conversation, answered by an LLM with tools or by offline triage.

`Investigator.ask` is what `Engine.ask` (the CLI, replay and the Slack bot) calls, with the tool
context the engine made of the turn's logs, service and session (`Engine.tool_context`). With an
LLM configured it runs a LlamaIndex `FunctionAgent` over the tool registry, with the session's
chat history from SQLite; if the LLM fails (HTTP error, timeout, too many steps) the turn falls
back to offline triage and says why. Without an LLM it runs offline triage. Either way the
question and every tool output are redacted before they could reach a model, and callers get
`AgentEvent`s as the turn progresses (tool started, tool finished, answer text).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, Field

from sre_agent.agent.host import AgentHost
from sre_agent.agent.triage import merged_lines, triage
from sre_agent.answer import cut_notes, unread_notes
from sre_agent.configs import ServiceConfig
from sre_agent.errors import InputError, StorageError
from sre_agent.indexes import check_session
from sre_agent.knowledge import system_prompt
from sre_agent.llm import describe_llm
from sre_agent.redact import Redactor
from sre_agent.tools.base import ToolContext, ToolResult
from sre_agent.tools.redaction import redactor_for
from sre_agent.tools.registry import ToolRegistry, default_registry
from sre_agent.trace.model import new_run_id
from sre_agent.workflows.events import ProgressEvent
from sre_agent.workflows.results import ResultLine

log = logging.getLogger(__name__)

#: Longest question accepted: a question, not a log dump (those go through a logstore and redaction).
MAX_QUESTION_CHARS = 4_000
EventKind = Literal["tool_started", "tool_finished", "progress", "answer_delta", "notice"]


class AgentEvent(BaseModel):
    """Something a caller can show while the turn runs."""

    kind: EventKind
    message: str = ""
    tool: str | None = None
    args: dict[str, Any] = Field(default_factory=dict)
    data: dict[str, Any] = Field(default_factory=dict)


EventCallback = Callable[[AgentEvent], None]


class TurnAnswer(BaseModel):
    """The outcome of one turn."""

    run_id: str = Field(description="names this turn in logs, Slack messages and (later) traces")
    question: str
    session: str
    service: str | None = None
    service_note: str | None = Field(
        default=None, description="why the config the question pointed at was not applied"
    )
    mode: Literal["llm", "offline"]
    backend: str = Field(description="which LLM answered, or 'offline triage'")
    answer: str = Field(description="Markdown: the text, then the footer")
    footer: str = Field(default="", description="what the LLM path appends to the model's text (tools run)")
    tool_calls: list[ToolResult] = Field(default_factory=list)
    lines: list[ResultLine] = Field(default_factory=list, description="lines the tools surfaced, best first")
    fallback_reason: str | None = Field(default=None, description="why the LLM path was abandoned")
    seconds: float = 0.0
    tool_seconds: float = 0.0


def check_question(question: str) -> None:
    """A question, not empty and not a log dump: else one line saying what is wrong."""
    if not question.strip():
        raise InputError("QUESTION: empty question")
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(
            f"QUESTION: {len(question):,} characters; at most {MAX_QUESTION_CHARS:,} "
            "(paste log excerpts into a file and pass it with --logs)"
        )


def describe_llm_error(exc: BaseException) -> str:
    """A short, honest sentence about an LLM failure (no stack trace, no secrets)."""
    if m := re.search(r"Max iterations of (\d+)", str(exc)):
        return f"the agent used all its {m.group(1)} steps without a final answer (SRE_AGENT_AGENT_MAX_STEPS)"
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:  # the workflow may wrap the real error
        seen.add(id(current))
        name = type(current).__name__
        status = getattr(current, "status_code", None)
        if status is not None:
            return f"the LLM endpoint answered HTTP {status} ({name})"
        if "Timeout" in name or isinstance(current, TimeoutError):
            return f"the LLM did not answer in time ({name})"
        if "Connection" in name:
            return f"the LLM endpoint could not be reached ({name})"
        if name == "ClientError" and hasattr(current, "response"):
            code = current.response.get("Error", {}).get("Code", "error")  # type: ignore[attr-defined]
            return f"Bedrock refused the call: {code}"
        current = current.__cause__ or current.__context__
    text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return f"the agent stopped: {text}"


class Investigator:
    """Answers turns for an engine (seen as an `AgentHost`); holds the tool registry."""

    def __init__(self, engine: AgentHost, registry: ToolRegistry | None = None) -> None:
        self.engine = engine
        self.registry = registry or default_registry()

    async def ask(
        self,
        question: str,
        ctx: ToolContext,
        *,
        on_event: EventCallback | None = None,
        run_id: str | None = None,
    ) -> TurnAnswer:
        """Answer one message of the conversation `ctx.session` with the tools in `ctx` (what
        `Engine.tool_context` made of the turn's logs, service and session); `ctx.notes` are said
        in the answer. `run_id` names the turn (default: new)."""
        started = time.perf_counter()
        run_id = run_id or new_run_id()
        check_question(question)
        check_session(ctx.session)
        session, service = ctx.session, ctx.service
        settings = self.engine.settings
        configs = list(self.engine.configs.values())
        config = self.engine.config(service)
        emit = on_event or (lambda _e: None)
        ctx.on_progress = lambda ev: emit(_progress(ev))
        note = " ".join(ctx.notes) or None
        for told in ctx.notes:
            emit(AgentEvent(kind="notice", message=told))
        redacted = Redactor.for_config(config).redact(question)
        llm = self.engine.llm
        mode: Literal["llm", "offline"] = "offline"
        fallback = None
        answer = footer = ""
        if llm is not None:
            said: list[str] = []  # partial reads, streamed before the model's text as they happen
            try:
                text = await self._ask_llm(ctx, llm, redacted, config, configs, emit, said)
                footer = _footer(ctx.results, self.engine, text)
                answer = "".join(f"{note}\n\n" for note in said) + f"{text}\n\n{footer}"
                mode = "llm"
            except StorageError:  # the data dir failed, not the LLM: offline triage would fail too
                raise
            except Exception as exc:  # any LLM failure falls back to the offline answer
                fallback = describe_llm_error(exc)
                log.warning("LLM turn failed, falling back to offline triage: %s", fallback)
                emit(AgentEvent(kind="notice", message=f"{fallback}; answering with offline triage"))
        if mode == "offline":
            ctx.use_llm = False  # offline means offline: not even the refine step asks the LLM
            answer = await self._triage(ctx, redacted, config, configs, emit) + skipped_configs(self.engine)
            if fallback:
                answer = f"⚠ **The LLM failed** ({fallback}), so this is the offline triage.\n\n" + answer
        if note:
            answer = f"_{note}_\n\n{answer}"
        if mode == "offline":
            await self._remember_offline(session, redacted, answer, Redactor.for_config(config))
        return TurnAnswer(
            run_id=run_id,
            question=question,
            session=session,
            service=service,
            service_note=note,
            mode=mode,
            backend=describe_llm(settings) if mode == "llm" else "offline triage",
            answer=answer,
            footer=footer,
            tool_calls=list(ctx.results),
            lines=merged_lines(ctx.results),
            fallback_reason=fallback,
            seconds=time.perf_counter() - started,
            tool_seconds=sum(r.seconds for r in ctx.results),
        )

    # ------------------------------------------------------------------------------ the two paths

    async def _triage(
        self,
        ctx: ToolContext,
        question: str,
        config: ServiceConfig | None,
        configs: list[ServiceConfig],
        emit: EventCallback,
    ) -> str:
        traced = _Traced(self.registry, emit)
        answer = await triage(ctx, traced, question, config=config, configs=configs)
        emit(AgentEvent(kind="answer_delta", message=answer, data={"complete": True}))
        return answer

    async def _ask_llm(
        self,
        ctx: ToolContext,
        llm: Any,
        question: str,
        config: ServiceConfig | None,
        configs: list[ServiceConfig],
        emit: EventCallback,
        said: list[str],
    ) -> str:
        """The model's answer; each partial read a tool met is streamed first and added to `said`."""
        from llama_index.core.agent.workflow import AgentStream, FunctionAgent

        settings = self.engine.settings
        context = f"Conversation (thread) id: {ctx.session}. Default environment: {ctx.environment}."
        if ctx.now is not None:
            context += f" Treat {ctx.now:%Y-%m-%d %H:%M:%S} UTC as now."
        if ctx.default_window is not None:
            w = ctx.default_window
            context += f" The logs of interest span {w.start:%Y-%m-%d %H:%M} to {w.end:%Y-%m-%d %H:%M} UTC."
        held = ctx.session in self.engine.store.list_sessions()
        if ctx.logstore is not None and held and not self.engine.fetched_from(ctx.session, ctx.logstore):
            context += (
                f" This thread holds logs of other sources; {ctx.logstore.name} is new to it and not "
                "stored yet: fetch from it (search_logstore) before answering from what is stored."
            )
        for note in ctx.notes:
            context += f" {note} Tell the user this."
        services = [config] if config is not None else configs
        prompt = system_prompt(
            services, max_window_hours=ctx.max_window_hours, context=context, tools=self.registry.specs()
        )
        agent = FunctionAgent(
            name="sre-agent",
            description="investigates production problems from logs",
            tools=_Traced(self.registry, emit, said).llama_tools(ctx),
            llm=llm,
            system_prompt=prompt,
            streaming=settings.llm_stream,
            timeout=settings.workflow_timeout,
        )
        async with self.engine.memories.open(ctx.session, Redactor.for_config(config)) as memory:
            before = await memory.aget_all()
            try:
                handler = agent.run(user_msg=question, memory=memory, max_iterations=settings.agent_max_steps)
                async for event in handler.stream_events():
                    # Tool starts and ends are reported by the traced registry, with our own counts.
                    if isinstance(event, AgentStream) and event.delta:
                        emit(AgentEvent(kind="answer_delta", message=event.delta))
                output = await handler
                # the workflow's result type is generic: an AgentWorkflow's is an AgentOutput
                text = str(output.response.content or "").strip()  # type: ignore[attr-defined]
                if not text:
                    raise RuntimeError("the LLM returned an empty answer")
            except BaseException:
                # A turn cut short can leave a tool call without its result in the history, which
                # endpoints reject on every later turn: put the history back as it was.
                await memory.aset(before)
                raise
        return text

    async def _remember_offline(self, session: str, question: str, answer: str, redactor: Redactor) -> None:
        """Offline turns join the same history, so an LLM configured later sees the thread."""
        from llama_index.core.llms import ChatMessage

        async with self.engine.memories.open(session, redactor) as memory:
            await memory.aput_messages(
                [ChatMessage(role="user", content=question), ChatMessage(role="assistant", content=answer)]
            )


class _Traced(ToolRegistry):
    """The registry, announcing each call's start and end as `AgentEvent`s; with `said`, also each
    partial read (a fetch the limit cut) as the answer's first words, before the model's own (the
    offline answer says them in its fetch notes instead)."""

    def __init__(self, inner: ToolRegistry, emit: EventCallback, said: list[str] | None = None) -> None:
        super().__init__([inner.get(name) for name in inner.names()])
        self._emit = emit
        self._said = said

    async def call(self, ctx: ToolContext, name: str, raw_args: dict[str, Any]) -> ToolResult:
        # what the model asked for, as the terminal, Slack and the trace show it: redacted, as
        # the result will be (a question may name a token or a person's address)
        args = redactor_for(ctx).redact_value(raw_args)
        shown = ", ".join(f"{k}={v!r}" for k, v in args.items() if k != "query")
        self._emit(
            AgentEvent(
                kind="tool_started",
                tool=name,
                args=args,
                message=f"{name}({shown})",
                data={"doing": self.doing(name, args)},
            )
        )
        result = await super().call(ctx, name, raw_args)
        message = result.summary if result.ok else f"error: {result.error}"
        self._emit(
            AgentEvent(
                kind="tool_finished",
                tool=name,
                args=args,
                message=message,
                data={"ok": result.ok, **result.counts, "seconds": round(result.seconds, 3)},
            )
        )
        said = self._said
        for note in cut_notes([result.fetch_report]) if said is not None else []:
            if said is not None and note not in said:
                said.append(note)
                self._emit(AgentEvent(kind="answer_delta", message=f"{note}\n\n"))
        return result


def _progress(event: ProgressEvent) -> AgentEvent:
    return AgentEvent(kind="progress", message=f"{event.stage}: {event.message}", data={"stage": event.stage})


_QUOTED = re.compile(r"`([^`\n]{24,})`")


def unsupported_quotes(text: str, results: list[ToolResult]) -> list[str]:
    """Log-line-sized quotes in the model's Evidence that no tool output contains (ellipses allowed).

    The prompt forbids inventing log lines; this checks it, so a reader knows which quotes to distrust.
    """
    seen = " ".join(" ".join(r.text.split()) for r in results)
    start = text.find("Evidence")  # commands suggested under Next steps are not quotes of logs
    evidence = text[start:] if start >= 0 else text
    for heading in ("Next steps", "Not checked"):
        end = evidence.find(heading)
        if end > 0:
            evidence = evidence[:end]
    out = []
    for quote in _QUOTED.findall(evidence):
        pieces = [" ".join(p.split()) for p in re.split(r"…|\.\.\.", quote)]
        if not all(piece in seen for piece in pieces if piece):
            out.append(quote)
    return out


def _footer(results: list[ToolResult], engine: AgentHost, text: str = "") -> str:
    calls = []
    for result in results:
        if result.ok:
            calls.append(f"`{result.tool}` → {result.counts.get('lines', 0)} lines ({result.scope})")
        else:
            calls.append(f"`{result.tool}` failed: {result.error}")
    calls_text = "_Tools run: " + ("; ".join(calls) if calls else "none") + "._"
    backend = describe_llm(engine.settings)
    footer = calls_text + f"\n_Answered by {backend}; log lines were redacted before it saw them._"
    invented = unsupported_quotes(text, results)
    if invented:
        shown = "; ".join(f"`{q[:120]}`" for q in invented[:5])
        footer += f"\n⚠ _Quoted by the model but in no tool output (paraphrased or invented): {shown}_"
    footer += "".join(f"\n⚠ {note}" for note in unread_notes(r.fetch_report for r in results))
    return footer + skipped_configs(engine)


def skipped_configs(engine: AgentHost) -> str:
    """One warning line per config file skipped as invalid ("" for none), to end an answer with."""
    return "".join(f"\n\n⚠ {skipped.warning()}" for skipped in engine.config_folder.skipped)

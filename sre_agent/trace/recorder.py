"""Records a run trace from LlamaIndex's own instrumentation, not from timers of ours.

The workflows runtime opens a span for every workflow run and every step (with the input event
in its tags and the returned event as its result); `ToolRegistry.call` is a span of the same
dispatcher; LLM calls dispatch start/end events with the response (token usage where the
endpoint reports it). One span handler and one event handler on the root dispatcher turn these
into a `RunTrace` for the run that is active in the current context (`recording`), so
concurrent runs (the bot's workers, a parallel replay) never mix.

A trace is written to disk, so it holds only redacted text: a tool call's result is the
`ToolResult` the registry returns (redacted with the service's rules), its arguments are
redacted as they are recorded, and `close` passes every free-text field (question, answer,
errors, notes, tool calls, lines) through the redactor once more (`trace/redaction.py`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from llama_index_instrumentation import get_dispatcher
from llama_index_instrumentation.base import BaseEvent
from llama_index_instrumentation.event_handlers.base import BaseEventHandler
from llama_index_instrumentation.span.simple import SimpleSpan
from llama_index_instrumentation.span_handlers.base import BaseSpanHandler

from sre_agent.redact import Redactor
from sre_agent.trace.model import LLMCallRecord, RunTrace, SpanRecord, ToolCallRecord
from sre_agent.trace.outcomes import TracedSearch, TracedToolCall, TracedTurn, line_records
from sre_agent.trace.redaction import redact_trace

if TYPE_CHECKING:
    from sre_agent.trace.store import TraceStore

log = logging.getLogger(__name__)

#: Longest tool result kept in a trace (the agent saw all of it; `result_chars` says how much).
RESULT_CHARS = 6_000
_STEP_TAG = "llamaindex.step.input_event"
#: Cleans what a trace holds in words (the built-in rules: a trace may span services).
_REDACTOR = Redactor.for_config(None)


class StepNote(BaseEvent):
    """A step's progress in words ("fetched 1,213 records"), attached to the step's span."""

    message: str

    @classmethod
    def class_name(cls) -> str:
        return "StepNote"


def _error_text(err: BaseException | None) -> str:
    if err is None:
        return "stopped"
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return f"{type(err).__name__}: {text}"[:400] if text else type(err).__name__


class ActiveRun:
    """The trace being built for one run; the handlers add to it from any thread."""

    def __init__(self, *, run_id: str, kind: str, question: str, session: str, service: str | None) -> None:
        self._t0 = time.perf_counter()
        self._lock = threading.Lock()
        self.trace = RunTrace(
            id=run_id,
            kind=kind,
            started_at=datetime.now(UTC),
            question=question,
            session=session,
            service=service,
        )
        self._spans: dict[str, SpanRecord] = {}
        self._tools: dict[str, ToolCallRecord] = {}
        self._skipped: dict[str, str | None] = {}

    def _now(self) -> float:
        return round(time.perf_counter() - self._t0, 4)

    # --------------------------------------------------------------------------- from the handlers

    def span_started(
        self, id_: str, parent_id: str | None, bound_args: Any, instance: Any, tags: dict
    ) -> None:
        qualname = id_.rsplit("-", 5)[0]  # "<Class>.<method>-<uuid4>"
        owner, _, method = qualname.rpartition(".")
        arguments = getattr(bound_args, "arguments", {}) or {}
        started = self._now()
        with self._lock:
            # Spans we do not keep (a FunctionTool wrapper, memory reads) are skipped over: a kept
            # span's parent is its nearest kept ancestor.
            hops = 0
            while parent_id in self._skipped and hops < 100:
                parent_id, hops = self._skipped[parent_id], hops + 1
            parent = self._spans.get(parent_id or "")
            # A step's span is a direct child of its workflow's run span (spans nested in a step
            # inherit the step's tags, so the tag alone does not make a step).
            if _STEP_TAG in tags and parent is not None and parent.kind == "workflow":
                span = SpanRecord(
                    id=id_,
                    parent_id=parent_id,
                    kind="step",
                    name=method,
                    workflow=parent.workflow,
                    workflow_span=parent.id,
                    started=started,
                    input_event=str(tags[_STEP_TAG]),
                )
            elif method == "run" and instance is not None and hasattr(instance, "_get_steps"):
                span = SpanRecord(
                    id=id_, parent_id=parent_id, kind="workflow", name=owner, workflow=owner, started=started
                )
            elif method == "call" and "raw_args" in arguments and "name" in arguments:
                tool = str(arguments["name"])
                span = SpanRecord(id=id_, parent_id=parent_id, kind="tool", name=tool, started=started)
                raw = arguments.get("raw_args") or {}
                args = _REDACTOR.redact_value(dict(raw)) if isinstance(raw, dict) else {}
                self._tools[id_] = ToolCallRecord(span_id=id_, tool=tool, args=args, started=started)
                self.trace.tool_calls.append(self._tools[id_])
            elif _is_embedding(instance) and method.startswith(("get_", "aget_")):
                texts = arguments.get("texts")
                span = SpanRecord(
                    id=id_,
                    parent_id=parent_id,
                    kind="embedding",
                    name=f"{type(instance).__name__}.{method}",
                    started=started,
                    notes=[f"{len(texts)} texts"] if isinstance(texts, list) else [],
                )
            else:
                self._skipped[id_] = parent_id
                return
            self._spans[id_] = span
            self.trace.spans.append(span)

    def span_ended(self, id_: str, result: Any = None, err: BaseException | None = None) -> None:
        with self._lock:
            span = self._spans.get(id_)
            if span is None:
                if err is not None:  # an LLM method's span failing: its call never got an answer
                    for call in self.trace.llm_calls:
                        if call.span_id == id_ and call.seconds is None:
                            call.seconds = round(self._now() - call.started, 4)
                            call.error = _error_text(err)
                return
            span.seconds = round(self._now() - span.started, 4)
            span.status = "failed" if err is not None else "ok"
            if err is not None:
                span.error = _error_text(err)
                # A streamed LLM call fails while the step reads it, after its own span has ended.
                for call in self.trace.llm_calls:
                    if call.seconds is None and call.started >= span.started:
                        call.seconds = round(self._now() - call.started, 4)
                        call.error = span.error
            elif span.kind == "step" and result is not None:
                span.output_event = type(result).__name__
            tool = self._tools.get(id_)
            if tool is not None:
                tool.seconds = span.seconds
                if err is not None:
                    tool.ok, tool.error = False, span.error
                elif result is not None:
                    text = str(getattr(result, "text", "") or "")
                    tool.ok = bool(getattr(result, "ok", True))
                    tool.error = getattr(result, "error", None)
                    tool.summary = str(getattr(result, "summary", "") or "")
                    tool.counts = dict(getattr(result, "counts", {}) or {})
                    tool.result_chars = len(text)
                    tool.result = text[:RESULT_CHARS]
                    if not tool.ok:
                        span.status, span.error = "failed", tool.error

    def note(self, span_id: str | None, message: str) -> None:
        with self._lock:
            span = self._spans.get(span_id or "")
            if span is not None:
                span.notes.append(message)

    def llm_started(self, span_id: str | None, model: str | None, messages: int) -> None:
        with self._lock:
            self.trace.llm_calls.append(
                LLMCallRecord(span_id=span_id, model=model, started=self._now(), messages=messages)
            )

    def llm_ended(self, span_id: str | None, usage: dict[str, int | None], error: str | None = None) -> None:
        with self._lock:
            open_calls = [c for c in self.trace.llm_calls if c.seconds is None]
            call = next(
                (c for c in open_calls if c.span_id == span_id), open_calls[0] if open_calls else None
            )
            if call is None:
                return
            call.seconds = round(self._now() - call.started, 4)
            call.prompt_tokens = usage.get("prompt_tokens")
            call.completion_tokens = usage.get("completion_tokens")
            call.total_tokens = usage.get("total_tokens")
            call.error = error

    # ------------------------------------------------------------------------------ from the caller

    def finish_turn(self, answer: TracedTurn) -> None:
        """What the turn answered: mode, backend, answer text, the lines its tools surfaced."""
        self.trace.service = answer.service
        self.trace.mode = answer.mode
        self.trace.backend = answer.backend
        self.trace.answer = answer.answer
        if answer.fallback_reason:
            self.trace.status, self.trace.error = "fallback", f"LLM abandoned: {answer.fallback_reason}"
        else:
            self.trace.status = "ok"
        self.trace.lines = line_records(answer.lines)

    def finish_search(self, result: TracedSearch) -> None:
        """A bare log search's outcome: its lines (no answer text)."""
        self.trace.status = "ok"
        self.trace.lines = line_records(result.lines)

    def finish_tool(self, result: TracedToolCall) -> None:
        """A tool call's outcome: ok or failed with its error, and the lines it surfaced (its
        text is the tool call's record, as in any run)."""
        self.trace.status = "ok" if result.ok else "failed"
        self.trace.error = None if result.ok else result.error
        self.trace.lines = line_records(result.lines)

    def failed(self, exc: BaseException) -> None:
        self.trace.status = "failed"
        self.trace.error = _error_text(exc)

    def close(self) -> RunTrace:
        """The finished trace: spans still open (a cancelled run) stay 'running' with no duration."""
        with self._lock:
            self.trace.seconds = self._now()
            if self.trace.status == "running":
                self.trace.status = "failed"
                self.trace.error = self.trace.error or "the run stopped before it finished"
            self.trace.spans.sort(key=lambda s: s.started)
            for call in self.trace.llm_calls:
                if call.seconds is None:
                    call.error = call.error or "no answer was recorded for this call"
            return redact_trace(self.trace.model_copy(deep=True), _REDACTOR)


def _is_embedding(instance: Any) -> bool:
    """A LlamaIndex embedding model (by class name: importing llama_index.core here would slow start-up)."""
    return instance is not None and any(c.__name__ == "BaseEmbedding" for c in type(instance).__mro__)


# ---------------------------------------------------------------------------------- the handlers

_current: ContextVar[ActiveRun | None] = ContextVar("sre_agent_active_run", default=None)


class _SpanHandler(BaseSpanHandler[SimpleSpan]):
    """Hands every span that opens inside a recorded run to that run."""

    def model_post_init(self, __context: Any) -> None:
        self._owners: dict[str, ActiveRun] = {}
        self._owners_lock = threading.Lock()

    @classmethod
    def class_name(cls) -> str:
        return "SreAgentSpanHandler"

    def new_span(
        self,
        id_: str,
        bound_args: Any,
        instance: Any | None = None,
        parent_span_id: str | None = None,
        tags: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> SimpleSpan | None:
        run = _current.get()
        if run is None:
            return None
        run.span_started(id_, parent_span_id, bound_args, instance, tags or {})
        with self._owners_lock:
            self._owners[id_] = run
        return None  # nothing kept in the base class's open_spans

    def _owner(self, id_: str) -> ActiveRun | None:
        with self._owners_lock:
            return self._owners.pop(id_, None)

    def prepare_to_exit_span(
        self, id_: str, bound_args: Any, instance: Any | None = None, result: Any | None = None, **kwargs: Any
    ) -> None:
        run = self._owner(id_)
        if run is not None:
            run.span_ended(id_, result=result)

    def prepare_to_drop_span(
        self,
        id_: str,
        bound_args: Any,
        instance: Any | None = None,
        err: BaseException | None = None,
        **kwargs: Any,
    ) -> None:
        run = self._owner(id_)
        if run is not None:
            run.span_ended(id_, err=err)


def _usage(response: Any) -> dict[str, int | None]:
    """Token counts from a ChatResponse, where the endpoint reported them (OpenAI-style usage)."""
    usage: dict[str, int | None] = {}
    raw = getattr(response, "raw", None)
    found = raw.get("usage") if isinstance(raw, dict) else getattr(raw, "usage", None)
    extra = getattr(response, "additional_kwargs", None) or {}
    for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
        value = found.get(key) if isinstance(found, dict) else getattr(found, key, None)
        value = value if value is not None else extra.get(key)
        usage[key] = int(value) if isinstance(value, int | float) else None
    return usage


class _EventHandler(BaseEventHandler):
    """Step notes and LLM call start/end events, for the run active where they were dispatched."""

    @classmethod
    def class_name(cls) -> str:
        return "SreAgentEventHandler"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        run = _current.get()
        if run is None:
            return
        name = type(event).__name__
        if isinstance(event, StepNote):
            run.note(event.span_id, event.message)
        elif name == "LLMChatStartEvent":
            described = getattr(event, "model_dict", None) or {}
            model = described.get("model_name") or described.get("model") or described.get("class_name")
            run.llm_started(event.span_id, model, len(getattr(event, "messages", []) or []))
        elif name == "LLMChatEndEvent":
            run.llm_ended(event.span_id, _usage(getattr(event, "response", None)))


_installed = False
_install_lock = threading.Lock()


def install() -> None:
    """Attach our handlers to the root dispatcher, once per process."""
    global _installed
    with _install_lock:
        if _installed:
            return
        root = get_dispatcher()
        root.add_span_handler(_SpanHandler())
        root.add_event_handler(_EventHandler())
        _installed = True


def current_run() -> ActiveRun | None:
    """The run recorded in this context, if any."""
    return _current.get()


@contextmanager
def recording(
    store: TraceStore | None,
    *,
    run_id: str,
    kind: str,
    question: str,
    session: str,
    service: str | None = None,
) -> Iterator[ActiveRun]:
    """Record everything instrumented inside the block as run `run_id`, then write it to `store`.

    An exception marks the run failed (and goes on up). Writing the trace never fails the run:
    a store that cannot be written is logged and skipped. `store` None records without writing."""
    install()
    run = ActiveRun(run_id=run_id, kind=kind, question=question, session=session, service=service)
    token = _current.set(run)
    try:
        yield run
    except BaseException as exc:
        run.failed(exc)
        raise
    finally:
        _current.reset(token)
        if store is not None:
            try:
                store.write(run.close())
            except Exception as exc:  # a full disk must not turn an answer into a failure
                log.warning("could not write the trace of run %s: %s", run_id, exc)

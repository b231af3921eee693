"""The one API the CLI, the Slack bot and replay call: ask a question in a session.

`Engine` owns the lazily built parts (embedding model, log index, service configs, the LLM,
chat memories: `engine_parts.EngineParts`) so that start-up stays fast and a process reuses one
model. `ask` is one turn of the agent; `call_tool` one tool call by hand; `search` is the
log-search workflow alone; each is recorded as a run (what a search leaves in its thread's memory:
`search_memory`). `tool_context` turns what an entry point was given (logs, service, session,
environment) into the context tools run in, the same for all of them. Nothing here knows about
Slack or the terminal: progress goes to an optional callback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflows.errors import WorkflowTimeoutError

from sre_agent.configs import ServiceConfig
from sre_agent.connectors.base import Logstore
from sre_agent.connectors.factory import logstore_for
from sre_agent.connectors.file import FileLogstore
from sre_agent.engine_parts import EngineParts
from sre_agent.errors import ConnectorError, InputError
from sre_agent.indexes import table_name
from sre_agent.models import LogQuery, TimeWindow
from sre_agent.record_ids import key_mark
from sre_agent.search_memory import remember_search
from sre_agent.sources import SOURCES_KEY, fetched_tables, logs_sources, rekeyed, source_id
from sre_agent.tools.base import ToolContext
from sre_agent.trace.model import new_run_id
from sre_agent.trace.recorder import ActiveRun, recording
from sre_agent.workflows.events import ProgressEvent, SearchJob, SearchStart
from sre_agent.workflows.log_search import FETCH_ATTEMPTS, LogSearchWorkflow
from sre_agent.workflows.results import ResultLine, SearchResult
from sre_agent.workflows.source_names import name_files

if TYPE_CHECKING:
    from sre_agent.agent.investigator import EventCallback, Investigator, TurnAnswer
    from sre_agent.tools.base import ToolResult
    from sre_agent.tools.registry import ToolRegistry

ProgressCallback = Callable[[ProgressEvent], None]


class Engine(EngineParts):
    """Runs agent turns (`ask`), tool calls (`call_tool`) and bare log searches (`search`) with
    the parts it builds once (`EngineParts`: model, store, configs, LLM, chat memories)."""

    @cached_property
    def investigator(self) -> Investigator:
        from sre_agent.agent.investigator import Investigator

        return Investigator(self)

    def _recording(
        self, run_id: str, kind: str, question: str, session: str, service: str | None
    ) -> AbstractContextManager[ActiveRun]:
        """The trace recorder for one run; it writes nowhere when SRE_AGENT_TRACES is off."""
        from sre_agent.redact import Redactor

        return recording(
            self.traces if self.settings.traces else None,
            run_id=run_id,
            kind=kind,
            question=Redactor.for_config(None).redact(question),
            session=session,
            service=service,
        )

    def thread_context(self, session: str) -> dict[str, str]:
        """The ids (user, request, method) earlier turns of this thread named, and the day its last
        window was on (`thread_days.THREAD_DAY`); {} for a new thread."""
        return self.threads.context(session)

    def log_clock(self, session: str) -> int | None:
        """The UTC offset (minutes) this thread's fetched logs were written in; None if unknown."""
        return self.threads.log_clock(session)

    def fetched_from(self, session: str, logstore: Logstore, window: TimeWindow | None = None) -> set[str]:
        """The tables of this thread that `logstore` (as it is now) filled; a new source filled none.
        With `window`, only those whose fetches read all of it."""
        if session not in self.store.list_sessions():
            return set()
        memory = self.threads.read(session).get(SOURCES_KEY)
        recorded = fetched_tables(memory, source_id(logstore), window)
        return recorded & set(self.store.list_tables(session))

    def name_files(self, session: str, lines: list[ResultLine]) -> list[ResultLine]:
        """`lines`, each naming its file when this thread fetched from more than one logs source."""
        many = len(logs_sources(self.threads.read(session).get(SOURCES_KEY))) > 1
        held = many and session in self.store.list_sessions()
        name_files(lines, self.store.sources(session) if held else ())
        return lines

    def stored(self, session: str) -> dict[str, int]:
        """What a session holds: its tables and their row counts ({} for a session that stored nothing)."""
        store = self.store
        if session not in store.list_sessions():
            return {}
        return {table: store.count(session, table) for table in store.list_tables(session)}

    def drop_session(self, session: str) -> None:
        """Forget a thread's logs: its tables and the ids it remembered (not its chat history)."""
        self.store.drop_session(session)
        self.threads.drop(session)

    async def reset(self, session: str) -> None:
        """Forget a thread entirely: tables, remembered ids and chat history (`reset` in a chat).

        Resetting a thread that stored nothing is not an error."""
        if session in self.store.list_sessions():
            self.store.drop_session(session)
        self.threads.drop(session)
        await self.memories.clear(session)

    def purge(self) -> int:
        """Forget every thread's logs (the midnight purge). Returns how many sessions had tables."""
        dropped = self.store.drop_all()
        self.threads.drop_all()
        for path in self.file_indexes.glob("*.json"):  # where in which file each time is: a cache
            path.unlink(missing_ok=True)
        return dropped

    async def purge_all(self) -> int:
        """`purge`, and every chat history too."""
        dropped = self.purge()
        await self.memories.clear_all()
        return dropped

    async def ask(
        self,
        question: str,
        *,
        session: str,
        logs: Path | None = None,
        logstore: Logstore | None = None,
        service: str | None = None,
        environment: str | None = None,
        now: datetime | None = None,
        window: TimeWindow | None = None,
        max_window_hours: float | None = None,
        on_event: EventCallback | None = None,
        run_id: str | None = None,
        kind: str = "ask",
    ) -> TurnAnswer:
        """One turn of a conversation: the agent (LLM or offline triage) with the log tools.

        `logs` is a snapshot file or folder: its last timestamp is taken as "now" and its whole
        span as the default window (a snapshot is the logstore's whole content). The turn is
        recorded as run `run_id` (default: a new id) of `kind` (ask, chat, bot, replay), failed
        or not; `sre-agent runs show` reads it back."""
        from sre_agent.agent.investigator import check_question

        run_id = run_id or new_run_id()
        with self._recording(run_id, kind, question, session, service) as run:
            check_question(question)
            ctx = self.tool_context(
                session=session,
                question=question,
                logs=logs,
                logstore=logstore,
                service=service,
                environment=environment,
                now=now,
                window=window,
                max_window_hours=max_window_hours,
            )
            answer = await self.investigator.ask(question, ctx, on_event=on_event, run_id=run_id)
            run.finish_turn(answer)
        return answer

    def tool_context(
        self,
        *,
        session: str,
        question: str | None = None,
        logs: Path | None = None,
        logstore: Logstore | None = None,
        service: str | None = None,
        environment: str | None = None,
        now: datetime | None = None,
        window: TimeWindow | None = None,
        max_window_hours: float | None = None,
    ) -> ToolContext:
        """What an entry point was given, as the context tools run in (every entry point's one wiring).

        `logs` is a snapshot file or folder: its last timestamp is "now", its span the default
        window. Without `service`, a `question` that names a service or a method may choose its
        config (`service_choice.choose_for_turn`); when the logs show it does not apply, the
        context's notes say why. Without `logs` or `logstore`, the service's own logstore (its
        config's) is fetched from, if it names one."""
        from sre_agent.indexes import check_session
        from sre_agent.service_choice import choose_for_turn

        check_session(session)
        clock = None
        if logs is not None:
            snapshot = self.snapshot(logs)
            logstore, clock = snapshot.logstore, snapshot.clock
            now, window = now or snapshot.now, window or snapshot.window
            max_window_hours = max_window_hours or snapshot.max_window_hours
        notes = []
        if service is None and question is not None:
            configs = list(self.configs.values())
            choice = choose_for_turn(
                self, configs, question, session=session, logstore=logstore, window=window
            )
            service = choice.service
            notes += [choice.note] if choice.note else []
        config = self.config(service)
        if logstore is None and config is not None:
            logstore = logstore_for(config)  # the service's own logstore (http, Loki, CloudWatch)
        return ToolContext(
            engine=self,
            session=session,
            logstore=logstore,
            service=service,
            environment=environment or "prod",
            now=now,
            default_window=window,
            max_window_hours=max_window_hours or self.settings.max_window_hours,
            notes=notes,
            source_clock=clock,
        )

    async def call_tool(
        self,
        name: str,
        args: dict[str, Any],
        *,
        session: str,
        logs: Path | None = None,
        logstore: Logstore | None = None,
        service: str | None = None,
        environment: str | None = None,
        registry: ToolRegistry | None = None,
        run_id: str | None = None,
        kind: str = "tool",
    ) -> ToolResult:
        """One tool call by hand (`sre-agent tool`), through the registry like the agent's (bounded,
        redacted), recorded as run `run_id` (default: a new id) of `kind`. An unknown tool name is
        bad input; a call that failed comes back as a failed result (the run says so too)."""
        from sre_agent.redact import Redactor
        from sre_agent.tools.registry import default_registry

        registry = registry or default_registry()
        registry.get(name)  # unknown names fail here, with the list of tools
        shown = json.dumps(Redactor.for_config(None).redact_value(args), sort_keys=True, default=str)
        run_id = run_id or new_run_id()
        with self._recording(run_id, kind, f"{name} {shown}", session, service) as run:
            ctx = self.tool_context(
                session=session, logs=logs, logstore=logstore, service=service, environment=environment
            )
            result = await registry.call(ctx, name, args)
            run.finish_tool(result)
        return result

    def workflow(
        self, logstore: Logstore | None, config: ServiceConfig | None, *, use_llm: bool = True
    ) -> LogSearchWorkflow:
        """The log-search workflow; its refine step asks the LLM too when one is configured and
        `use_llm` (offline triage, also as a fallback after an LLM failure, passes False)."""
        refiner = None
        if use_llm and self.settings.llm_refine and self.refine_llm is not None:
            from sre_agent.workflows.llm_refine import LLMRefiner

            refiner = LLMRefiner(self.refine_llm, config)
        return LogSearchWorkflow(
            index=self.store,
            logstore=logstore,
            config=config,
            refiner=refiner,
            id_key=self.id_key,
            timeout=self.settings.workflow_timeout,
            clean_helper=self.settings.clean_helper,
        )

    async def search(
        self,
        question: str,
        *,
        session: str,
        logs: Path | None = None,
        logstore: Logstore | None = None,
        service: str | None = None,
        environment: str | None = None,
        window: TimeWindow | None = None,
        now: datetime | None = None,
        table: str | None = None,
        k: int | None = None,
        on_progress: ProgressCallback | None = None,
        run_id: str | None = None,
        kind: str = "search",
    ) -> SearchResult:
        """Fetch (when `logs` or `logstore` is given), store, and retrieve for one question,
        recorded as run `run_id` (default: a new id) of `kind`."""
        run_id = run_id or new_run_id()
        with self._recording(run_id, kind, question, session, service) as run:
            if not question.strip():
                raise InputError("QUESTION: empty question")
            config = self.config(service)
            if logs is not None:  # the snapshot's last time is "now", as for `ask` ("around 03:36")
                logstore = FileLogstore(logs, index_dir=self.file_indexes)
                now = now or self.snapshot(logs).now
            query = None
            table = table or table_name("logs", "all", environment or "prod")
            # a file's version is known; a live store's not
            if isinstance(logstore, FileLogstore) and table in self.fetched_from(session, logstore, window):
                if on_progress is not None:  # nothing changed since this thread read it: no re-read
                    on_progress(
                        ProgressEvent(
                            stage="fetch",
                            message=f"{logstore.name}: unchanged since this thread read it into {table}",
                        )
                    )
            elif logstore is not None:
                query = LogQuery(service=service, window=window, limit=self.settings.fetch_limit)
            job = SearchJob(
                question=question,
                session=session,
                table=table,
                query=query,
                now=now,
                environment=environment,
                thread=self.thread_context(session),
                k=k or self.settings.top_k,
            )
            result = await self.run_job(job, logstore=logstore, config=config, on_progress=on_progress)
            run.finish_search(result)
        result.run_id = run_id
        return result

    async def run_job(
        self,
        job: SearchJob,
        *,
        logstore: Logstore | None = None,
        config: ServiceConfig | None = None,
        on_progress: ProgressCallback | None = None,
        use_llm: bool = True,
    ) -> SearchResult:
        """Run one log-search job (what `search` and the agent's tools build) and remember its ids."""
        if job.utc_offset is None:
            job = job.model_copy(update={"utc_offset": self.log_clock(job.session)})
        dropped = rekeyed(self.store, job.session, key_mark(self.id_key)) if job.query is not None else None
        if dropped is not None:  # its tables are gone: no source filled any of them now
            self.threads.forget(job.session, SOURCES_KEY)
            if on_progress is not None:
                on_progress(ProgressEvent(stage="fetch", message=f"warning: {dropped}"))
        handler = self.workflow(logstore, config, use_llm=use_llm).run(start_event=SearchStart(job=job))
        try:
            async for event in handler.stream_events():
                if isinstance(event, ProgressEvent) and on_progress is not None:
                    on_progress(event)
            result: SearchResult = await handler
        except ConnectorError as exc:
            raise ConnectorError(f"fetching logs failed after {FETCH_ATTEMPTS} attempts: {exc}") from None
        except WorkflowTimeoutError:
            raise ConnectorError(
                f"the search was stopped after {self.settings.workflow_timeout:.0f}s "
                "(SRE_AGENT_WORKFLOW_TIMEOUT); nothing already stored was lost"
            ) from None
        result.warnings = self.warnings + ([dropped] if dropped else []) + result.warnings
        remember_search(self.threads, job, result, logstore)
        self.name_files(job.session, result.lines)
        return result

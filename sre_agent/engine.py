"""The one API the CLI, the Slack bot and replay call: ask a question in a session.

`Engine` owns the lazily built parts (embedding model, log index, service configs, the LLM,
chat memories) so that start-up stays fast and a process reuses one model. `ask` is one turn of
the agent; `call_tool` one tool call by hand; `search` is the log-search workflow alone; each is
recorded as a run. `tool_context` turns what an entry point was given (logs, service, session,
environment) into the context tools run in, the same for all of them. Nothing here knows about
Slack or the terminal: progress goes to an optional callback.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflows.errors import WorkflowTimeoutError

from sre_agent.config_folder import ConfigFolder, load_config_folder
from sre_agent.configs import ServiceConfig
from sre_agent.connectors.base import Logstore
from sre_agent.connectors.factory import logstore_for
from sre_agent.connectors.file import FileLogstore
from sre_agent.connectors.remote import window_of
from sre_agent.errors import ConnectorError, InputError
from sre_agent.heaps import share_heaps
from sre_agent.indexes import LogIndex, table_name
from sre_agent.memory import ChatMemories
from sre_agent.models import LogQuery, TimeWindow
from sre_agent.record_ids import key_mark
from sre_agent.settings import Settings, get_settings
from sre_agent.sources import (
    SOURCES_KEY,
    fetched_tables,
    logs_sources,
    read_spans,
    rekeyed,
    source_id,
    with_fetch,
)
from sre_agent.thread_memory import ThreadMemory
from sre_agent.tools.base import ToolContext
from sre_agent.trace.model import new_run_id
from sre_agent.trace.recorder import ActiveRun, recording
from sre_agent.trace.store import TraceStore
from sre_agent.workflows.events import ProgressEvent, SearchJob, SearchStart
from sre_agent.workflows.log_search import FETCH_ATTEMPTS, LogSearchWorkflow
from sre_agent.workflows.refine import THREAD_DAY
from sre_agent.workflows.results import ResultLine, SearchResult
from sre_agent.workflows.source_names import name_files

if TYPE_CHECKING:
    from sre_agent.agent.investigator import EventCallback, Investigator, TurnAnswer
    from sre_agent.indexes.code_index import CodeIndex
    from sre_agent.tools.base import ToolResult
    from sre_agent.tools.registry import ToolRegistry

log = logging.getLogger(__name__)
ProgressCallback = Callable[[ProgressEvent], None]


@dataclass
class Snapshot:
    """A log snapshot ready to be a conversation's logstore (see `Engine.snapshot`)."""

    logstore: FileLogstore
    now: datetime | None = None
    window: TimeWindow | None = None
    max_window_hours: float = 24.0


class Engine:
    """Builds the parts once (model, store, configs, LLM, chat memories) and runs agent turns
    (`ask`) and bare log searches (`search`) with them."""

    def __init__(self, settings: Settings | None = None, *, embedder: Any = None) -> None:
        """`embedder` (a LlamaIndex BaseEmbedding) lets several engines share one loaded model;
        by default the engine builds the one the settings name, on first use."""
        self.settings = settings or get_settings()
        share_heaps()  # before the store's and the model's threads start: see heaps.py
        self.warnings: list[str] = []
        self._embedder = embedder
        self._spans: dict[tuple, TimeWindow | None] = {}
        self._local = threading.local()

    @cached_property
    def config_folder(self) -> ConfigFolder:
        """The service configs, and the files skipped as invalid (each one a warning of every search)."""
        folder = load_config_folder(self.settings.configs_dir)
        for skipped in folder.skipped:
            self.warnings.append(skipped.warning())
        return folder

    @property
    def configs(self) -> dict[str, ServiceConfig]:
        return self.config_folder.configs

    def config(self, service: str | None) -> ServiceConfig | None:
        """The config of `service` (None: none); see `ConfigFolder.config` for the errors."""
        return self.config_folder.config(service)

    @cached_property
    def embedder(self) -> Any:
        """The embedding model (BaseEmbedding), or None for full-text-only search with a warning."""
        from sre_agent.embeddings import build_embedder, probe_embedder

        embedder, warning = probe_embedder(self._embedder or build_embedder(self.settings))
        if warning:
            self.warnings.append(warning)
            log.warning(warning)
        return embedder

    @cached_property
    def store(self) -> LogIndex:
        """The sessions' log tables in LanceDB (under SRE_AGENT_LANCEDB_URI)."""
        return LogIndex(
            self.settings.lancedb_uri,
            self.embedder,
            storage_options=self.settings.lancedb_storage_options or None,
            quarantine_dir=self.settings.data_dir / "quarantine",
        )

    @cached_property
    def traces(self) -> TraceStore:
        """Run traces (`sre-agent runs`), under <data dir>/runs, kept SRE_AGENT_TRACE_KEEP_DAYS."""
        return TraceStore(self.settings.data_dir / "runs", keep_days=self.settings.trace_keep_days)

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

    @cached_property
    def code_index(self) -> CodeIndex:
        """The indexed repositories (`sre-agent index-code`), apart from sessions and never purged."""
        from sre_agent.indexes.code_index import CodeIndex

        return CodeIndex(self.settings.code_index_uri, self.embedder)

    @cached_property
    def threads(self) -> ThreadMemory:
        """What each thread remembers between questions (ids, its day, its logs' clock, sources)."""
        return ThreadMemory(self.settings.data_dir / "threads")

    def thread_context(self, session: str) -> dict[str, str]:
        """The ids (user, request, method) earlier turns of this thread named, and the day its last
        window was on (`refine.THREAD_DAY`); {} for a new thread."""
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

    @cached_property
    def memories(self) -> ChatMemories:
        return ChatMemories(self.settings.data_dir, token_limit=self.settings.memory_tokens)

    def _per_thread(self, name: str, build: Callable[[], Any]) -> Any:
        """One `build()` per thread: an LLM's async HTTP client belongs to the event loop that first
        used it, and the Slack bot answers in several threads at once, each with its own loop."""
        if not hasattr(self._local, name):
            setattr(self._local, name, build())
        return getattr(self._local, name)

    @property
    def llm(self) -> Any:
        """The configured LLM (LlamaIndex), or None: offline triage."""
        from sre_agent.llm import build_llm

        return self._per_thread("llm", lambda: build_llm(self.settings))

    @property
    def file_indexes(self) -> Path:
        """Where the time indexes of log files read whole are kept (`connectors/file_index.py`)."""
        return self.settings.data_dir / "file-index"

    def snapshot(self, logs: Path) -> Snapshot:
        """A log file or folder as the logstore of a conversation.

        A snapshot is the logstore's whole content: its last timestamp is "now", its span the
        default window, and tools may fetch all of it even when it spans more than
        SRE_AGENT_MAX_WINDOW_HOURS."""
        logstore = FileLogstore(logs, index_dir=self.file_indexes)
        # Reading a snapshot for its span costs a full parse: do it again only when a file changed.
        key = tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in logstore.files())
        if key not in self._spans:
            self._spans[key] = logstore.span()
        span = self._spans[key]
        limit = self.settings.max_window_hours
        if span is None:
            return Snapshot(logstore=logstore, max_window_hours=limit)
        hours = (span.end - span.start).total_seconds() / 3600
        return Snapshot(logstore=logstore, now=span.end, window=span, max_window_hours=max(limit, hours))

    @property
    def refine_llm(self) -> Any:
        """The same LLM for the refine step, kept quick: it only adds search terms, so it gets
        SRE_AGENT_LLM_REFINE_TIMEOUT seconds and no retries before the rules go on alone."""
        from sre_agent.llm import build_llm

        timeout = min(self.settings.llm_refine_timeout, self.settings.llm_timeout)
        return self._per_thread("refine_llm", lambda: build_llm(self.settings, timeout=timeout, retries=0))

    @cached_property
    def investigator(self) -> Investigator:
        from sre_agent.agent.investigator import Investigator

        return Investigator(self)

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
        if logs is not None:
            snapshot = self.snapshot(logs)
            logstore = snapshot.logstore
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

    @cached_property
    def id_key(self) -> bytes:
        """The key of record ids: SRE_AGENT_ID_KEY, else a random key kept in the data dir.

        Deployments that share one LanceDB between processes must set the same SRE_AGENT_ID_KEY."""
        configured = self.settings.id_key.get_secret_value()
        if configured:
            return configured.encode("utf-8")
        path = self.settings.data_dir / "id.key"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(secrets.token_bytes(32))
            tmp.chmod(0o600)
            tmp.replace(path)
        return path.read_bytes()

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
            if logs is not None:
                logstore = FileLogstore(logs, index_dir=self.file_indexes)
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
        remembered = dict(result.plan.field_filters)
        if result.plan.window is not None:  # a follow-up's clock time with no day is read on this one
            clock = timedelta(minutes=result.utc_offset or 0)
            remembered[THREAD_DAY] = (result.plan.window.start + clock).date().isoformat()
        if job.query is not None and logstore is not None:  # this source has filled this table
            memory = self.threads.read(job.session).get(SOURCES_KEY)
            cut = result.fetch_report.cut if result.fetch_report is not None else None
            # A file reads the whole window (the question's part first); a remote store only the
            # question's part, or without any window the last hour (`window_of`), never "all".
            asked = job.query.window if isinstance(logstore, FileLogstore) else window_of(job.query)
            remembered[SOURCES_KEY] = with_fetch(
                memory, source_id(logstore), job.table, read_spans(asked, cut)
            )
            result.source = logstore.name
        self.threads.remember(job.session, remembered, result.utc_offset)
        self.name_files(job.session, result.lines)
        return result

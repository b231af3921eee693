"""The parts an `Engine` owns, each built on first use: `EngineParts`.

The settings, the service configs (and the files skipped as invalid), the embedding model, the
sessions' log tables, the run traces, the code index, the threads' memory and chat histories, the
LLM (one per thread), the key of record ids, and log snapshots read as a conversation's logstore.
Building them lazily keeps start-up fast, and a process reuses one model. `Engine` (engine.py),
their one subclass, adds what runs on them: the agent's turns, tool calls and searches.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sre_agent.config_folder import ConfigFolder, load_config_folder
from sre_agent.configs import ServiceConfig
from sre_agent.connectors.file import FileLogstore
from sre_agent.heaps import share_heaps
from sre_agent.indexes import LogIndex
from sre_agent.memory import ChatMemories
from sre_agent.models import TimeWindow
from sre_agent.settings import Settings, get_settings
from sre_agent.thread_memory import ThreadMemory
from sre_agent.trace.store import TraceStore

if TYPE_CHECKING:
    from sre_agent.indexes.code_index import CodeIndex

log = logging.getLogger("sre_agent.engine")  # the engine's warnings keep the engine's name


@dataclass
class Snapshot:
    """A log snapshot ready to be a conversation's logstore (see `Engine.snapshot`)."""

    logstore: FileLogstore
    now: datetime | None = None
    window: TimeWindow | None = None
    max_window_hours: float = 24.0
    clock: int | None = None  # the UTC offset (minutes) its times were written with; None: unknown


class EngineParts:
    """Builds the parts once (model, store, configs, LLM, chat memories); `Engine` runs with them."""

    def __init__(self, settings: Settings | None = None, *, embedder: Any = None) -> None:
        """`embedder` (a LlamaIndex BaseEmbedding) lets several engines share one loaded model;
        by default the engine builds the one the settings name, on first use."""
        self.settings = settings or get_settings()
        share_heaps()  # before the store's and the model's threads start: see heaps.py
        self.warnings: list[str] = []
        self._embedder = embedder
        self._spans: dict[tuple, tuple[TimeWindow | None, int | None]] = {}
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

    @cached_property
    def code_index(self) -> CodeIndex:
        """The indexed repositories (`sre-agent index-code`), apart from sessions and never purged."""
        from sre_agent.indexes.code_index import CodeIndex

        return CodeIndex(self.settings.code_index_uri, self.embedder)

    @cached_property
    def threads(self) -> ThreadMemory:
        """What each thread remembers between questions (ids, its day, its logs' clock, sources)."""
        return ThreadMemory(self.settings.data_dir / "threads")

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
            self._spans[key] = logstore.span_and_clock()
        span, clock = self._spans[key]
        limit = self.settings.max_window_hours
        if span is None:
            return Snapshot(logstore=logstore, max_window_hours=limit)
        hours = (span.end - span.start).total_seconds() / 3600
        return Snapshot(
            logstore=logstore, now=span.end, window=span, max_window_hours=max(limit, hours), clock=clock
        )

    @property
    def refine_llm(self) -> Any:
        """The same LLM for the refine step, kept quick: it only adds search terms, so it gets
        SRE_AGENT_LLM_REFINE_TIMEOUT seconds and no retries before the rules go on alone."""
        from sre_agent.llm import build_llm

        timeout = min(self.settings.llm_refine_timeout, self.settings.llm_timeout)
        return self._per_thread("refine_llm", lambda: build_llm(self.settings, timeout=timeout, retries=0))

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

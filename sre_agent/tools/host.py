"""What a tool may use of the engine it runs in: `ToolHost`, a protocol, so the tools sit below it.

`Engine` satisfies it by its own members; a tool reaches the engine only through
`ToolContext.engine`, typed as this, so what the tools depend on is written down here and the
import graph runs one way (tools -> search workflow, never tools -> engine).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sre_agent.configs import ServiceConfig
    from sre_agent.connectors.base import Logstore
    from sre_agent.indexes import LogIndex
    from sre_agent.indexes.code_index import CodeIndex
    from sre_agent.models import TimeWindow
    from sre_agent.settings import Settings
    from sre_agent.workflows.events import ProgressEvent, SearchJob
    from sre_agent.workflows.results import ResultLine, SearchResult


class ToolHost(Protocol):
    """The settings, stores, service configs, thread memory and log search the tools run on."""

    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> LogIndex:
        """The sessions' log tables (LanceDB)."""
        ...

    @property
    def code_index(self) -> CodeIndex:
        """The indexed repositories (`sre-agent index-code`)."""
        ...

    @property
    def id_key(self) -> bytes:
        """The key of record ids."""
        ...

    def config(self, service: str | None) -> ServiceConfig | None:
        """The config of `service` (None: none)."""
        ...

    def thread_context(self, session: str) -> dict[str, str]:
        """The ids (user, request, method) earlier turns of this thread named."""
        ...

    def log_clock(self, session: str) -> int | None:
        """The UTC offset (minutes) this thread's fetched logs were written in; None if unknown."""
        ...

    def fetched_from(self, session: str, logstore: Logstore, window: TimeWindow | None = None) -> set[str]:
        """The tables of this thread that `logstore` filled (with `window`: read all of it)."""
        ...

    def name_files(self, session: str, lines: list[ResultLine]) -> list[ResultLine]:
        """`lines`, each naming its file when this thread fetched from more than one logs source."""
        ...

    async def run_job(
        self,
        job: SearchJob,
        *,
        logstore: Logstore | None = None,
        config: ServiceConfig | None = None,
        on_progress: Callable[[ProgressEvent], None] | None = None,
        use_llm: bool = True,
    ) -> SearchResult:
        """Run one log-search job and remember its ids."""
        ...

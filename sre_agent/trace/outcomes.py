"""What the recorder reads of a run's outcome, as protocols: the traces take from no layer above.

An agent turn (`agent.investigator.TurnAnswer`), a bare search (`workflows.results.SearchResult`)
and a tool called by hand (`tools.base.ToolResult`) satisfy these by their fields; the recorder
never imports them, so anything may record a run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sre_agent.trace.model import LineRecord

#: Retrieved lines kept in a trace, best first.
MAX_LINES = 100


class TracedLine(Protocol):
    """One retrieved line (distinct message), as a trace keeps it."""

    @property
    def message(self) -> str: ...
    @property
    def level(self) -> str | None: ...
    @property
    def table(self) -> str: ...
    @property
    def count(self) -> int: ...
    @property
    def first_seen(self) -> datetime | None: ...
    @property
    def lines(self) -> Sequence[int]: ...
    @property
    def score(self) -> float: ...
    @property
    def via(self) -> str: ...


class TracedSearch(Protocol):
    """A bare log search's outcome: the lines it retrieved, best first."""

    @property
    def lines(self) -> Sequence[TracedLine]: ...


class TracedToolCall(TracedSearch, Protocol):
    """A tool call's outcome (`sre-agent tool`): whether it worked, why not, the lines it surfaced."""

    @property
    def ok(self) -> bool: ...
    @property
    def error(self) -> str | None: ...


class TracedTurn(TracedSearch, Protocol):
    """An agent turn's outcome: how it answered, what, and the lines its tools surfaced."""

    @property
    def service(self) -> str | None: ...
    @property
    def mode(self) -> str: ...
    @property
    def backend(self) -> str: ...
    @property
    def answer(self) -> str: ...
    @property
    def fallback_reason(self) -> str | None: ...


def line_records(lines: Sequence[TracedLine]) -> list[LineRecord]:
    """The first `MAX_LINES` lines as a trace holds them (at most 20 line numbers each)."""
    return [
        LineRecord(
            message=line.message,
            level=line.level,
            table=line.table,
            count=line.count,
            first_seen=line.first_seen,
            lines=list(line.lines[:20]),
            score=round(line.score, 4),
            via=line.via,
        )
        for line in lines[:MAX_LINES]
    ]

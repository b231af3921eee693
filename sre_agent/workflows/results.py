"""What a log search returns: the lines that matter, de-duplicated, with counts and times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from sre_agent.connectors.report import FetchReport
from sre_agent.workflows.plan import RetrievalPlan


class PatternStats(BaseModel):
    """How one pattern (the lines of one shape: alike but for ids and numbers) behaved in the
    searched scope: how often, since when, and its rhythm."""

    count: int = Field(description="lines of this pattern in the searched window and filters")
    first_seen: datetime
    last_seen: datetime
    days: int = Field(default=1, description="distinct days (UTC) it occurred on")
    span_days: int = Field(default=1, description="days from its first to its last line, both counted")
    busiest_hours: list[int] = Field(
        default_factory=list, description="hours of the day (UTC) with most of its lines, most first"
    )
    hosts: dict[str, int] = Field(
        default_factory=dict, description="its lines per host, most first (lines with no host not counted)"
    )
    levels: dict[str, int] = Field(
        default_factory=dict, description="its lines per level, most first (lines with no level not counted)"
    )
    holding: list[str] = Field(
        default_factory=list,
        description="identifiers of the question every line counted holds (only those lines were counted)",
    )


class ResultLine(BaseModel):
    """One distinct message, standing for every identical line in the searched window."""

    message: str
    level: str | None = None
    host: str | None = None
    method: str | None = None
    request_id: str | None = None
    user_id: str | None = None
    table: str = ""
    count: int = Field(default=1, description="identical lines in the searched window")
    first_seen: datetime
    last_seen: datetime
    lines: list[int] = Field(default_factory=list, description="source line numbers, where known")
    score: float = 0.0
    via: str = Field(default="", description="how it was found: exact, vector, fts, both, scan")
    shape: str = ""
    service: str | None = None
    env: str | None = None
    origin: str | None = Field(
        default=None, description="the component, program or logger that wrote it, where the record says"
    )
    pid: str | None = Field(
        default=None, description="the process id its record names, when every identical line has that one"
    )
    details: str | None = Field(
        default=None,
        description="its record's other short fields as name=value (a structured log's substance: "
        "`from=closed to=half-open`), from one of its identical lines",
    )
    pattern: PatternStats | None = Field(default=None, description="its pattern in the searched scope")
    source: str = Field(default="", description="where it was read from, as stored (e.g. a file path)")
    file: str | None = Field(
        default=None, description="its file, named when the thread fetched from more than one logs source"
    )


class SearchResult(BaseModel):
    """The outcome of one log-search run, for the CLI, the agent and replay."""

    question: str
    session: str
    run_id: str | None = Field(default=None, description="the run trace of a search the engine ran")
    plan: RetrievalPlan
    lines: list[ResultLine] = Field(default_factory=list)
    fetched: int = 0
    new: int = 0
    skipped: int = 0
    problems: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    relaxed: list[str] = Field(
        default_factory=list,
        description="filters dropped because nothing matched them, and what the question names that "
        "no searched line holds (`'149340' (no stored line holds it)`)",
    )
    utc_offset: int | None = Field(
        default=None, description="the clock the searched logs were written in (minutes east of UTC)"
    )
    fetch_report: FetchReport | None = Field(
        default=None,
        description="what the fetch says besides its records: service names matched, filters it "
        "dropped to find anything, what the source held when nothing matched (None: no fetch)",
    )
    source: str | None = Field(default=None, description="the logs source fetched from (None: no fetch)")
    hosts: list[str] | None = Field(
        default=None,
        description="the hosts this answer is about, for a follow-up's 'those nodes' (None: the "
        "question was about something else; `referents.subject_hosts`)",
    )
    host_one: str | None = Field(
        default=None, description="the one of `hosts` that stood out, for a follow-up's 'that box'"
    )
    stats: dict[str, Any] = Field(default_factory=dict)


def relaxed_sentences(relaxed: list[str], who: str = "") -> list[str]:
    """`SearchResult.relaxed` in words: the filters dropped, then what no searched line holds
    (those items are quoted: `'149340' (…)`), each kind in one sentence. `who`: "I " in an
    answer's own voice."""
    dropped = [item for item in relaxed if not item.startswith("'")]
    unheld = [item for item in relaxed if item.startswith("'")]
    out = [f"nothing matched every filter, so {who}dropped: " + ", ".join(dropped)] if dropped else []
    return out + (["not in the lines searched: " + ", ".join(unheld)] if unheld else [])

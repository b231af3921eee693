"""Typed events between the log-search workflow's steps, one small class per hand-off.

Each event carries the `SearchJob` (what was asked) so a step needs nothing but its input.
`ProgressEvent` is written to the stream for callers (CLI progress, Slack status).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import pyarrow as pa
from pydantic import BaseModel, Field, WithJsonSchema
from workflows.events import Event, StartEvent

from sre_agent.connectors.report import FetchReport
from sre_agent.models import LogQuery, LogRecord, TimeWindow
from sre_agent.workflows.plan import RetrievalPlan


class SearchJob(BaseModel):
    """One question against one session: what to fetch (optional) and what to retrieve."""

    question: str
    session: str
    table: str = Field(description="the session table fetched logs go into, e.g. logs_getmembership_prod")
    query: LogQuery | None = Field(default=None, description="what to fetch; None searches stored logs only")
    search_tables: list[str] | None = Field(
        default=None, description="tables to search; None: all of the session"
    )
    now: datetime | None = Field(
        default=None, description="'now' for time phrases; replay sets the incident end"
    )
    environment: str | None = None
    thread: dict[str, str] = Field(
        default_factory=dict, description="ids earlier turns named, for follow-ups"
    )
    utc_offset: int | None = Field(
        default=None, description="the clock (minutes east of UTC) this thread's logs were written in"
    )
    k: int = Field(default=10, ge=1, le=200)
    # What a caller (a tool call) states outright; it wins over what refine reads from the question.
    field_filters: dict[str, str] = Field(
        default_factory=dict, description="column -> value the caller asks for, e.g. user_id -> 123"
    )
    window: TimeWindow | None = Field(default=None, description="the time window the caller asks for")
    min_level: str | None = Field(default=None, description="only lines at this level or worse")
    broad: bool | None = Field(default=None, description="rank like a broad question (errors, rare first)")


class SearchStart(StartEvent):
    job: SearchJob


class FetchRequested(Event):
    job: SearchJob


class Fetched(Event):
    job: SearchJob
    records: list[LogRecord]
    skipped: int = 0
    problems: list[str] = Field(default_factory=list)
    report: FetchReport = Field(
        default_factory=FetchReport, description="names matched, filters dropped, what the source held"
    )
    helper: Any = Field(
        default=None, exclude=True, description="the clean_messages.MessageHelper the fetch fed, if any"
    )


class Cleaned(Event):
    job: SearchJob
    rows: Annotated[pa.Table, WithJsonSchema({"type": "object", "title": "Arrow table"})] = Field(
        description="the clean records, as `indexes.rows.clean_schema`"
    )
    redactions: int = 0
    already_stored: int = Field(default=0, description="fetched records the session already held")


class RefineRequested(Event):
    job: SearchJob


class Refined(Event):
    job: SearchJob
    plan: RetrievalPlan


class ProgressEvent(Event):
    """A human-readable step of progress, with numbers for machines."""

    stage: str
    message: str
    data: dict[str, Any] = Field(default_factory=dict)

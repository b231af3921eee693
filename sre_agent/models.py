"""The records that flow through the pipeline, as pydantic models.

`LogQuery` is what a caller asks a logstore for; `LogRecord` is one log line as a connector
returns it (before cleaning). Times are always timezone-aware UTC.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

#: Levels we normalise to, most severe last.
LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")

_LEVEL_ALIASES = {
    "WARNING": "WARN",
    "ERR": "ERROR",
    "CRITICAL": "FATAL",
    "CRIT": "FATAL",
    "PANIC": "FATAL",
    "EMERG": "FATAL",
    "ALERT": "FATAL",
    "SEVERE": "ERROR",
    "NOTICE": "INFO",
    "INFORMATION": "INFO",
    "FINE": "DEBUG",
    "FINER": "TRACE",
    "FINEST": "TRACE",
    "INFORMATIONAL": "INFO",
    "EMERGENCY": "FATAL",
    "DBG": "DEBUG",
    "TRC": "TRACE",
    "WRN": "WARN",
    "INF": "INFO",
    "FTL": "FATAL",
    # MongoDB's debug verbosities (its structured log's `s`).
    "D1": "DEBUG",
    "D2": "DEBUG",
    "D3": "DEBUG",
    "D4": "DEBUG",
    "D5": "DEBUG",
    # One-letter priorities: Android logcat (V D I W E F A), klog/glog (I W E F).
    "V": "TRACE",
    "D": "DEBUG",
    "I": "INFO",
    "W": "WARN",
    "E": "ERROR",
    "F": "FATAL",
    "A": "FATAL",
}


def normalize_level(level: str | None) -> str | None:
    """Map the many spellings of a level onto `LEVELS` (unknown spellings pass through upper-cased)."""
    if level is None:
        return None
    up = str(level).strip().upper()
    if not up:
        return None
    return _LEVEL_ALIASES.get(up, up)


#: The spellings of one environment, by the name questions and configs use for it: a question
#: about prod reads lines whose `env` says `production`.
ENVIRONMENT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "prod": ("prod", "production", "prd", "live"),
    "staging": ("staging", "stage", "stg"),
    "dev": ("dev", "development", "develop"),
    "test": ("test", "testing"),
}
_SPELLING_GROUP = {spelling: group for group in ENVIRONMENT_SPELLINGS.values() for spelling in group}


def env_spellings(environment: str) -> tuple[str, ...]:
    """The lower-case spellings of `environment` (`production` → prod, production, prd, live);
    an environment we know no other spelling of is only itself."""
    name = environment.strip().lower()
    return _SPELLING_GROUP.get(name, (name,))


def same_env(a: str, b: str) -> bool:
    """Whether two environment names mean the same one (case aside, `prod` = `production`)."""
    return b.strip().lower() in env_spellings(a)


def log_clock(offsets: Iterable[int | None]) -> int | None:
    """The UTC offset (minutes) most of a log's records were written with, from their
    `utc_offset`s; None when none names one."""
    counted = Counter(offset for offset in offsets if offset is not None)
    return counted.most_common(1)[0][0] if counted else None


def as_utc(value: datetime) -> datetime:
    """Return `value` as an aware UTC datetime (naive times are taken to be UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    if value.tzinfo is UTC:
        return value
    return value.astimezone(UTC)


class TimeWindow(BaseModel):
    """A closed time window [start, end] in UTC."""

    start: datetime
    end: datetime

    @field_validator("start", "end")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        return as_utc(v)

    def contains(self, t: datetime) -> bool:
        return self.start <= t <= self.end

    def holding(self, other: TimeWindow | None) -> TimeWindow:
        """This window, stretched to hold `other` too (itself when it does, or there is none)."""
        if other is None or (self.start <= other.start and other.end <= self.end):
            return self
        return TimeWindow(start=min(self.start, other.start), end=max(self.end, other.end))

    def within(self, bounds: TimeWindow | None) -> TimeWindow:
        """This window clipped to `bounds` (a snapshot's span: nothing is before or after it);
        itself when there are no bounds or it lies wholly outside them."""
        if bounds is None:
            return self
        start, end = max(self.start, bounds.start), min(self.end, bounds.end)
        return TimeWindow(start=start, end=end) if start <= end else self


class LogQuery(BaseModel):
    """What to fetch from a logstore. Every field but `limit` is optional."""

    service: str | None = None
    method: str | None = None
    user_id: str | None = None
    request_id: str | None = None
    environment: str | None = None
    level: str | None = Field(default=None, description="minimum level, e.g. WARN")
    text: str | None = Field(default=None, description="free text every returned message contains")
    window: TimeWindow | None = None
    focus: TimeWindow | None = Field(
        default=None,
        description="the part of the window the question is about: read first (a store that can "
        "keeps all of it before the newest of the rest; a store that cannot fetches only it)",
    )
    limit: int = Field(default=5000, ge=1, le=1_000_000)
    service_names: list[str] = Field(
        default_factory=list,
        description="other names and globs `service` carries in logs (its config's log_names); "
        "matched with `connectors.names.service_matches`",
    )
    field_aliases: dict[str, list[str]] = Field(
        default_factory=dict,
        description="our field -> the source's own names for it (the config's `fields`), tried first",
    )

    @field_validator("level")
    @classmethod
    def _level(cls, v: str | None) -> str | None:
        return normalize_level(v)


class LogRecord(BaseModel):
    """One log line as a connector returns it."""

    timestamp: datetime
    message: str
    level: str | None = None
    service: str | None = None
    method: str | None = None
    request_id: str | None = None
    user_id: str | None = None
    host: str | None = None
    env: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict, description="any other fields of the source")
    source: str = Field(default="", description="where it came from, e.g. a file path")
    line: int | None = Field(default=None, description="1-based line in the source file, where known")
    utc_offset: int | None = Field(
        default=None, description="minutes east of UTC the source wrote its timestamp in (its own clock)"
    )

    @model_validator(mode="after")
    def _clock(self) -> LogRecord:
        """Remember the clock the timestamp was written in, then hold the timestamp in UTC."""
        # Written to __dict__: both values are of their type already, and pydantic's __setattr__
        # costs as much as the rest of a record's validation (bench/bench_big_ingest.py).
        ts = self.timestamp
        if ts.tzinfo is UTC:  # the usual case, read without a call
            if self.utc_offset is None:
                self.__dict__["utc_offset"] = 0
            return self
        if self.utc_offset is None and (offset := ts.utcoffset()) is not None:
            self.__dict__["utc_offset"] = int(offset.total_seconds() // 60)
        if ts.tzinfo is not UTC:
            self.__dict__["timestamp"] = as_utc(ts)
        return self

    @field_validator("level")
    @classmethod
    def _level(cls, v: str | None) -> str | None:
        return normalize_level(v)


class CleanRecord(BaseModel):
    """One log line after the clean step: redacted, capped, ready to store and embed.

    `id` is a content hash of the cleaned record (everything but `line`), so the same line
    fetched twice gets the same id and is never embedded twice. `shape` is the message with
    numbers, hex, ids and IPs masked: lines of one shape share one embedding.
    """

    id: str
    timestamp: datetime
    message: str
    shape: str
    level: str | None = None
    service: str | None = None
    method: str | None = None
    request_id: str | None = None
    user_id: str | None = None
    host: str | None = None
    env: str | None = None
    fields_json: str = "{}"
    source: str = ""
    line: int | None = None

    @field_validator("timestamp")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        return as_utc(v)

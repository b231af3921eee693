"""`SearchFilters`: which stored rows a search or scan may return, and its SQL where-clause.

Every value a caller gives is put into the SQL as a quoted literal (single quotes doubled), so a
host named `x' OR '1'='1` matches nothing instead of everything. Only `where` is raw SQL, for
callers inside sre-agent that need something the fields do not cover; it is wrapped in
parentheses and AND-ed with the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sre_agent.models import LEVELS, as_utc, normalize_level

#: Rank of each level, used for `min_level`; rows without a level rank as INFO.
LEVEL_RANKS = {level: rank for rank, level in enumerate(LEVELS)}
UNKNOWN_LEVEL_RANK = LEVEL_RANKS["INFO"]


def level_rank(level: str | None) -> int:
    """TRACE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, FATAL 5; anything else (or none) 2."""
    return LEVEL_RANKS.get(normalize_level(level) or "", UNKNOWN_LEVEL_RANK)


def to_micros(value: datetime) -> int:
    """Microseconds since the epoch (UTC) of `value`; naive times are taken to be UTC."""
    return int(round(as_utc(value).timestamp() * 1_000_000))


def sql_string(value: str) -> str:
    """`value` as an SQL string literal: in single quotes, single quotes doubled."""
    return "'" + str(value).replace("'", "''") + "'"


def in_clause(column: str, values: Iterable[str]) -> str:
    """`column IN ('a', 'b', …)`, every value quoted by `sql_string`; `FALSE` for no values (an
    empty `IN ()` is a syntax error to LanceDB, and matches nothing)."""
    quoted = [sql_string(v) for v in values]
    return f"{column} IN (" + ", ".join(quoted) + ")" if quoted else "FALSE"


class SearchFilters(BaseModel):
    """Restrictions on stored rows. Every field is optional; all given fields must hold."""

    model_config = ConfigDict(extra="forbid")

    levels: list[str] | None = Field(default=None, description="only these levels, e.g. ['ERROR', 'FATAL']")
    min_level: str | None = Field(default=None, description="this level or more severe, e.g. 'WARN'")
    start: datetime | None = Field(default=None, description="not before this time (inclusive)")
    end: datetime | None = Field(default=None, description="not after this time (inclusive)")
    service: str | None = None
    method: str | None = None
    env: str | None = None
    host: str | None = None
    request_id: str | None = None
    user_id: str | None = None
    message_contains: list[str] | None = Field(
        default=None, description="every one of these appears in the message (case-insensitive)"
    )
    where: str | None = Field(default=None, description="extra raw SQL over the stored columns")

    @field_validator("levels")
    @classmethod
    def _levels(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return None
        levels = [normalize_level(x) for x in v]
        return [x for x in levels if x]

    @field_validator("min_level")
    @classmethod
    def _min_level(cls, v: str | None) -> str | None:
        level = normalize_level(v)
        if level is not None and level not in LEVEL_RANKS:
            raise ValueError(f"unknown level {v!r}; expected one of {', '.join(LEVELS)}")
        return level

    @field_validator("start", "end")
    @classmethod
    def _utc(cls, v: datetime | None) -> datetime | None:
        return None if v is None else as_utc(v)

    @model_validator(mode="after")
    def _window(self) -> SearchFilters:
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError(f"start {self.start.isoformat()} is after end {self.end.isoformat()}")
        return self

    def to_sql(self) -> str | None:
        """The where-clause these filters stand for, or None when they restrict nothing."""
        clauses: list[str] = []
        if self.levels is not None:
            if not self.levels:
                clauses.append("FALSE")
            else:
                clauses.append("level IN (" + ", ".join(sql_string(x) for x in self.levels) + ")")
        if self.min_level is not None:
            clauses.append(f"level_rank >= {LEVEL_RANKS[self.min_level]}")
        if self.start is not None:
            clauses.append(f"ts >= {to_micros(self.start)}")
        if self.end is not None:
            clauses.append(f"ts <= {to_micros(self.end)}")
        for column in ("service", "method", "env", "host", "request_id", "user_id"):
            value = getattr(self, column)
            if value is not None:
                clauses.append(f"{column} = {sql_string(value)}")
        for needle in self.message_contains or []:
            if needle:
                clauses.append(f"contains(lower(message), {sql_string(needle.lower())})")
        if self.where is not None and self.where.strip():
            clauses.append(f"({self.where})")
        return " AND ".join(clauses) if clauses else None


def combine(*clauses: str | None) -> str | None:
    """AND together the clauses that are not None."""
    present = [c for c in clauses if c]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return " AND ".join(f"({c})" for c in present)

"""What each result line says beside its message: how many identical lines the search could see,
their first and last times and line numbers (`add_counts`), and its pattern's rhythm over all
lines of its shape (`add_patterns`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from sre_agent.indexes import LogIndex, SearchFilters, StoredRecord
from sre_agent.indexes.filters import in_clause
from sre_agent.indexes.rows import short_hash
from sre_agent.workflows.broad import BROAD_SCAN_LIMIT
from sre_agent.workflows.constraints import identifier_clause, with_clause
from sre_agent.workflows.order import merge_rows, pattern_stats
from sre_agent.workflows.results import ResultLine

PATTERN_SCAN_LIMIT = 100_000  # timestamps read for the result's pattern stats


def add_counts(
    index: LogIndex,
    session: str,
    tables: list[str] | None,
    filters: SearchFilters,
    lines: list[ResultLine],
    late: SearchFilters | None = None,
) -> None:
    """Count the identical lines of each result among the lines the search was allowed to see
    (same window, level and field filters), with their first and last times and line numbers;
    a line found only after the window (`just_after`) among those of `late`."""
    if not lines:
        return
    by_message: dict[str, list[StoredRecord]] = defaultdict(list)
    seen: set[str] = set()  # a line a thread stored in two tables (its logs, a request's) counts once
    for scope in (filters, late):
        wanted = [line.message for line in lines if line.message not in by_message]
        if scope is None or not wanted:
            continue
        counted = with_clause(scope, in_clause("message", wanted))
        for row in index.scan(session, tables=tables, filters=counted, limit=BROAD_SCAN_LIMIT):
            if row.id not in seen:
                seen.add(row.id)
                by_message[row.message].append(row)
    for line in lines:
        merge_rows(line, by_message.get(line.message, []))


def add_patterns(
    index: LogIndex,
    session: str,
    tables: list[str] | None,
    filters: SearchFilters,
    lines: list[ResultLine],
    named: Sequence[str] = (),
) -> None:
    """Give each line its pattern's stats: all lines of its shape the search was allowed to see
    (their times, and how many lines each host logged and each level holds). A line holding
    identifiers the question names (`named`) counts only its pattern's lines that hold them too
    ("what happened to upstream 10.0.3.7?": its 58 timeouts, not the 172 of every upstream), and
    says so (`PatternStats.holding`)."""
    if not lines:
        return
    held = _holding(index, session, tables, filters, lines, named)
    groups: dict[tuple[str, ...], list[ResultLine]] = defaultdict(list)
    for line in lines:
        groups[held.get(line.message, ())].append(line)
    for ids, group in groups.items():
        scope = with_clause(filters, " AND ".join(identifier_clause(i) for i in ids)) if ids else filters
        _add_stats(index, session, tables, scope, group, list(ids))


def _holding(
    index: LogIndex,
    session: str,
    tables: list[str] | None,
    filters: SearchFilters,
    lines: list[ResultLine],
    named: Sequence[str],
) -> dict[str, tuple[str, ...]]:
    """The identifiers of `named` each line's message holds (in its text: message and fields, as
    the exact tiers read it), by message; lines holding none are left out."""
    held: dict[str, list[str]] = defaultdict(list)
    messages = list(dict.fromkeys(line.message for line in lines))
    for identifier in dict.fromkeys(named):
        holds = with_clause(filters, f"{in_clause('message', messages)} AND {identifier_clause(identifier)}")
        for message in dict.fromkeys(
            row.message for row in index.scan(session, tables=tables, filters=holds, limit=BROAD_SCAN_LIMIT)
        ):
            held[message].append(identifier)
    return {message: tuple(ids) for message, ids in held.items()}


def _add_stats(
    index: LogIndex,
    session: str,
    tables: list[str] | None,
    scope: SearchFilters,
    lines: list[ResultLine],
    holding: list[str],
) -> None:
    """`add_patterns` for lines whose patterns are counted in `scope`."""
    hashes = {line.shape: short_hash(line.shape) for line in lines}
    wanted = with_clause(scope, in_clause("shape_hash", dict.fromkeys(hashes.values())))
    stamps = index.timestamps(session, tables=tables, filters=wanted, limit=PATTERN_SCAN_LIMIT)
    counted = index.counts_by_shape(
        session, ("host", "level"), tables=tables, filters=wanted, limit=PATTERN_SCAN_LIMIT
    )
    hosts, levels = counted["host"], counted["level"]
    for line in lines:
        line.pattern = pattern_stats(stamps.get(hashes[line.shape], []))
        if line.pattern is not None:
            line.pattern.hosts = dict(hosts.get(hashes[line.shape], Counter()).most_common())
            line.pattern.levels = dict(levels.get(hashes[line.shape], Counter()).most_common())
            line.pattern.holding = holding

"""Evidence an engineer can act on: the retrieved lines as patterns, not one error ten times.

Lines that differ only by an id, a thread or a number share a shape; they are shown as one
pattern: its level, how many lines it has in the searched scope, first and last seen, who wrote
it (service, component or program, host, environment), two or three of its variants, and, when
it spans more than a day, its rhythm ("on 12 of 14 days, mostly 02:00–03:00 UTC"), which is what
"every night? since when? how often?" asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sre_agent.workflows.results import PatternStats, ResultLine

MAX_MESSAGE = 300
VARIANTS = 3


def line_message(line: ResultLine) -> str:
    """The message for a Markdown code span: capped, on one line, without backticks that would end it."""
    msg = line.message if len(line.message) <= MAX_MESSAGE else line.message[:MAX_MESSAGE] + "…"
    return msg.replace("\n", " ⏎ ").replace("`", "'")


def _when(first: datetime, last: datetime, count: int) -> str:
    text = first.strftime("%Y-%m-%d %H:%M:%S")
    if count > 1 and last != first:
        text += f" → {last.strftime('%Y-%m-%d %H:%M:%S')}"
    return text


def line_when(line: ResultLine) -> str:
    """First seen, and last seen when identical lines span a while."""
    return _when(line.first_seen, line.last_seen, line.count)


def source_of(line: ResultLine) -> str:
    """Who wrote the line, as far as the record says: service, component/program, host, env."""
    parts = [
        f"{name}={value}"
        for name, value in (
            ("service", line.service),
            ("from", line.origin),
            ("host", line.host),
            ("env", line.env),
        )
        if value
    ]
    return " ".join(parts)


def rhythm(stats: PatternStats | None) -> str | None:
    """'on 3 of 14 days, mostly 02:00–03:00 UTC' for a pattern that spans more than a day."""
    if stats is None or stats.span_days < 2:
        return None
    text = f"on {stats.days} of {stats.span_days} days"
    if stats.busiest_hours:
        hours = ", ".join(f"{h:02d}:00–{(h + 1) % 24:02d}:00" for h in stats.busiest_hours[:2])
        text += f", mostly {hours} UTC"
    return text


def group_patterns(lines: Sequence[ResultLine]) -> list[list[ResultLine]]:
    """The lines grouped by shape, groups in the order of their best line, lines in rank order."""
    groups: dict[str, list[ResultLine]] = {}
    for line in lines:
        groups.setdefault(line.shape or line.message, []).append(line)
    return list(groups.values())


def render_evidence(lines: Sequence[ResultLine], *, max_patterns: int = 10) -> str:
    """The lines as a code block of patterns: one numbered entry per pattern with its count, times
    and source, its variants below (at most three), then its rhythm when it spans days."""
    rows: list[str] = []
    for i, group in enumerate(group_patterns(lines)[:max_patterns], 1):
        best = group[0]
        stats = best.pattern
        count = stats.count if stats is not None else sum(line.count for line in group)
        first = stats.first_seen if stats is not None else min(line.first_seen for line in group)
        last = stats.last_seen if stats is not None else max(line.last_seen for line in group)
        level = max((line.level or "-" for line in group), key=_severity)
        kinds = f" in {len(group)} variants" if len(group) > 1 else ""
        source = f"  {source_of(best)}" if source_of(best) else ""
        rows.append(f"{i:>2}. [{level}] ×{count}{kinds}  {_when(first, last, count)}{source}")
        rows += [f"    {line_message(line)}" for line in group[:VARIANTS]]
        if len(group) > VARIANTS:
            rows.append(f"    … and {len(group) - VARIANTS} more variants")
        if said := rhythm(stats):
            rows.append(f"    ({said})")
    return "```text\n" + "\n".join(rows) + "\n```" if rows else ""


_ORDER = ("-", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")


def _severity(level: str) -> int:
    return _ORDER.index(level) if level in _ORDER else _ORDER.index("INFO")

"""A fetch that never comes back silently empty while the source has data.

`fetch_relaxed` fetches `query`; when nothing matches but the source holds records in the window,
it drops the service, then the environment, then the method filter, one at a time (each drop
kept), until something matches. Only filters no record of the window satisfies on its own are
dropped (all three when only their combination fails), and an earlier drop that turns out not to
be needed is put back; the report says which were dropped and what the records said instead.
When even that finds nothing, the report carries the facets of what the source held (services,
environments, hosts, levels, methods, time span) so the engineer can re-ask.

Why this order: the service filter is the one most often wrong while the logs are right (a
config's name against what the logs call it), and dropping it costs least, as the source is
usually that service's own logstore or snapshot. The environment comes next: it is mostly the
default (`prod`), not something the user said, and sources spell it many ways. The method goes
last: it is what the question named, the most specific of the three, and the retrieve step can
still look for it in the text of what was fetched.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sre_agent.connectors.base import FetchResult, Logstore, record_matches
from sre_agent.connectors.report import RELAXABLE, FetchReport, Relaxation, SourceFacets, count_values
from sre_agent.models import LogQuery, LogRecord

#: The filters relaxed, in order (see the module docstring for why).
RELAX_ORDER = ("service", "environment", "method")


def _other_names(records: list[LogRecord], service: str | None) -> dict[str, int]:
    """Service names in `records` other than `service` itself (which the filter accepted), most first."""
    if service is None:
        return {}
    counts = Counter(r.service for r in records if r.service and r.service.lower() != service.lower())
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


#: The query's filters named when nothing matched them, as the user would write them.
_ASKED = (
    ("service", "service={}"),
    ("environment", "env={}"),
    ("method", "method={}"),
    ("user_id", "user_id={}"),
    ("request_id", "request_id={}"),
    ("level", "level ≥ {}"),
    ("text", "text '{}'"),
)


def _facets(logstore: Logstore, query: LogQuery, probe: FetchResult) -> SourceFacets:
    asked = [shown.format(getattr(query, name)) for name, shown in _ASKED if getattr(query, name) is not None]
    if probe.records or query.window is None:
        return SourceFacets.of(probe.records, asked=asked, window=query.window, capped=probe.truncated)
    # Nothing at all in the window: say where the source's records are instead.
    whole = logstore.fetch(LogQuery(limit=query.limit, field_aliases=query.field_aliases))
    return SourceFacets.of(whole.records, window=query.window, in_window=False, capped=whole.truncated)


def _to_blame(query: LogQuery, window: list[LogRecord]) -> list[str]:
    """The relaxable filters, in `RELAX_ORDER`, that no record of the window satisfies on its own;
    when each is satisfied by some record (only their combination fails), all of them."""
    names = [n for n in RELAX_ORDER if getattr(query, n) is not None]
    blamed = []
    for name in names:
        alone = LogQuery(service_names=query.service_names, limit=1, **{name: getattr(query, name)})
        if not any(record_matches(r, alone) for r in window):
            blamed.append(name)
    return blamed or names


def _restore_unneeded(
    logstore: Logstore, query: LogQuery, found: FetchResult, dropped: list[tuple[str, str]]
) -> tuple[FetchResult, list[tuple[str, str]]]:
    """Put back each filter dropped on the way that was not to blame (the right service kept while
    the method was the one nothing said), so only the filters that had to go are dropped."""
    for name, value in list(dropped[:-1]):
        attempt = logstore.fetch(query.model_copy(update={name: value}))
        if attempt.records:
            query, found = query.model_copy(update={name: value}), attempt
            dropped.remove((name, value))
    return found, dropped


def fetch_relaxed(logstore: Logstore, query: LogQuery) -> FetchResult:
    """`logstore.fetch(query)`, relaxed as the module docstring says when it finds nothing; the
    result's `report` says what was matched, dropped, or (still nothing) what the source held."""
    result = logstore.fetch(query)
    # What the source could not read (files skipped, malformed lines) holds whatever the filters.
    unread: dict[str, Any] = {
        "skipped_files": result.report.skipped_files,
        "ends_early": result.report.ends_early,
        "malformed": result.skipped,
        "malformed_at": result.problems,
    }
    if result.records:
        result.report = FetchReport(
            service=query.service,
            matched_names=_other_names(result.records, query.service),
            cut=result.cut,
            **unread,
        )
        return result
    report = FetchReport(service=query.service, **unread)
    # Does the source hold anything in the window at all? Only then is a filter to blame.
    probe = logstore.fetch(
        LogQuery(window=query.window, limit=query.limit, field_aliases=query.field_aliases)
    )
    if probe.records:
        current, dropped = query, []
        for name in _to_blame(query, probe.records):
            value = getattr(current, name)
            if value is None:
                continue
            dropped.append((name, value))
            current = current.model_copy(update={name: None})
            attempt = logstore.fetch(current)
            if attempt.records:
                attempt, dropped = _restore_unneeded(logstore, current, attempt, dropped)
                report.relaxed = [
                    Relaxation(
                        filter=n,  # type: ignore[arg-type]
                        wanted=v,
                        seen=count_values(attempt.records, RELAXABLE[n]),
                        found=len(attempt.records),
                    )
                    for n, v in dropped
                ]
                report.cut = attempt.cut
                attempt.report = report
                return attempt
    report.facets = _facets(logstore, query, probe)
    result.report = report
    return result

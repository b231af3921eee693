"""Whose advice an offline answer gives: which service configs may contribute debugging
scenarios, known error patterns and Next steps, and the Next steps when none may.

A config advises only on its own service. It does when the turn applies it (`--service`, or the
question named it and the logs carry its names: `service_choice`), or when the fetched records
are its service's: a record's service field, or the program that wrote it (component, program,
logger), is one of the config's names (its own or its `log_names`), or a record that names no
service has one of its methods. Symptoms alone ("timeout") never bring in a config: every service
times out, and another service's steps ("check DynamoDB throttling for table memberships") would
send the engineer to the wrong place.

When no config applies, the Next steps are built from what the logs show (the worst problem
pattern, the changes before it, a request or user to follow) and say that no service config applies.
"""

from __future__ import annotations

from collections.abc import Sequence

from sre_agent.clocks import stamp
from sre_agent.configs import ServiceConfig
from sre_agent.connectors.names import method_matches, service_matches
from sre_agent.evidence import line_message
from sre_agent.indexes.filters import level_rank
from sre_agent.indexes.records import StoredRecord
from sre_agent.knowledge import ScenarioMatch
from sre_agent.patterns import PatternSummary
from sre_agent.timeline import Timeline
from sre_agent.workflows.order import origin
from sre_agent.workflows.results import ResultLine

#: A record's marks that can tie it to a service: (service, origin, method).
Marks = tuple[str | None, str | None, str | None]


def record_marks(rows: Sequence[StoredRecord], lines: Sequence[ResultLine]) -> set[Marks]:
    """The distinct (service, origin, method) the fetched records and the answer's lines carry."""
    marks = {(row.service, origin(row.fields_json), row.method) for row in rows}
    marks |= {(line.service, line.origin, line.method) for line in lines}
    return marks


def is_of(marks: Marks, config: ServiceConfig) -> bool:
    """Does a record with these marks belong to `config`'s service? Its service field decides when
    it has one; else the program that wrote it, else its method."""
    service, writer, method = marks
    if service:
        return service_matches(service, config.name, config.log_names)
    if writer and service_matches(writer, config.name, config.log_names):
        return True
    if not method:
        return False
    return any(method_matches(method, m) for m in config.method_names())


def advising_configs(
    applied: ServiceConfig | None, configs: Sequence[ServiceConfig], marks: set[Marks]
) -> list[ServiceConfig]:
    """The configs whose advice the answer may give: the one the turn applies, else those whose
    service the fetched records belong to (none: the answer says no service config applies)."""
    if applied is not None:
        return [applied]
    return [config for config in configs if any(is_of(m, config) for m in marks)]


def plain(text: str) -> str:
    """Config prose as Markdown text: `<district>` would otherwise vanish as an HTML tag."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_next_steps(
    scenarios: Sequence[ScenarioMatch],
    advising: Sequence[ServiceConfig],
    known: Sequence[str],
    *,
    lines: Sequence[ResultLine],
    patterns: PatternSummary,
    timeline: Timeline | None,
    utc_offset: int | None,
) -> str:
    """The **Next steps** section: the matching scenarios of the advising configs; else steps
    from the logs, saying why no config's advice is given. `known`: every loaded config's name."""
    if scenarios:
        steps = []
        for match in scenarios:
            matched = plain(", ".join(match.matched))
            steps.append(
                f"*{plain(match.scenario.name)}* ({match.service}; matched: {matched})\n"
                + "\n".join(f"{i}. {plain(step)}" for i, step in enumerate(match.scenario.steps, 1))
            )
        return "**Next steps**:\n" + "\n\n".join(steps)
    if advising:
        names = ", ".join(c.name for c in advising)
        return (
            f"**Next steps**: no debugging scenario of the {names} config matches; start from the "
            "error patterns above and narrow the window around their first occurrence."
        )
    named = (
        f"any of {', '.join(known)} (or their methods)" if known else "any service config (there are none)"
    )
    steps = from_the_logs(lines, patterns, timeline, utc_offset)
    return (
        f"**Next steps** (no service config applies: neither the question nor the fetched records name "
        f"{named}, so no debugging scenario or known error pattern is used; these steps come from the "
        "logs alone):\n" + "\n".join(f"{i}. {step}" for i, step in enumerate(steps, 1))
    )


def from_the_logs(
    lines: Sequence[ResultLine], patterns: PatternSummary, timeline: Timeline | None, utc_offset: int | None
) -> list[str]:
    """Steps an engineer would take from these logs alone: the worst problem first."""
    steps = []
    problems = patterns.problems()
    if problems:
        top = problems[0]
        steps.append(
            f"Start from the worst problem pattern, [{top.level}] {top.tally()} "
            f"`{top.template[:160]}`: "
            f"read the lines just before its first occurrence ({stamp(top.first_seen, utc_offset)}) "
            "and ask about that moment with a narrower window."
        )
    elif lines:
        first = lines[0]
        steps.append(
            f"No warning or error pattern in the window: check whether `{line_message(first)[:160]}` "
            "is what you expected, or widen the window."
        )
    else:
        steps.append("Nothing matched: widen the window or name the method, user or request id.")
    if timeline is not None and timeline.before_start:
        change = timeline.before_start[-1]
        steps.append(
            f"Check the change logged shortly before it began: `{change.message[:160]}` "
            f"({stamp(change.timestamp, utc_offset)})."
        )
    worst_first = sorted(lines, key=lambda line: -level_rank(line.level))  # stable: relevance next
    request = next((line.request_id for line in worst_first if line.request_id), None)
    user = next((line.user_id for line in worst_first if line.user_id), None)
    if request:
        steps.append(f"Follow one affected request end to end: ask about request {request}.")
    elif user:
        steps.append(f"Follow one affected user: ask about user {user}.")
    steps.append(
        "For this service's own checks, add a config for it under configs/ "
        "(methods, error patterns, debugging scenarios), or ask with --service NAME."
    )
    return steps

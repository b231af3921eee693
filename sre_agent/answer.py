"""Render a `SearchResult` as the Markdown answer users read (CLI today, Slack later).

The answer states what was searched (time range, filters, limits), lists the lines that
matter as patterns with their counts, first/last seen times and sources (`evidence`), and says
what was relaxed or not checked. It never invents a line: everything shown was retrieved.
"""

from __future__ import annotations

from collections.abc import Iterable

from sre_agent.clocks import MINUTES, span, stamp
from sre_agent.connectors.report import FetchCut, FetchReport
from sre_agent.evidence import render_evidence
from sre_agent.workflows.results import SearchResult, relaxed_sentences


def render_fetch_report(report: FetchReport | None, heading: str = "**What the fetch found**") -> str:
    """What the fetch matched, dropped or found the source held, as Markdown (empty: nothing to say).

    Sentences come first, as a list; the facets of a source where nothing matched follow as
    sub-items, so the engineer can re-ask with a name the logs really use."""
    if report is None:
        return ""
    matched = report.matched_sentence()
    items = [f"- {partial_read(report.cut)}"] if report.cut is not None else []
    items += [f"- {partial_read(sentence)}" for sentence in report.ends_early]
    items += [f"- {matched}"] if matched else []
    items += [f"- {r.sentence()}" for r in report.relaxed]
    if report.facets is not None:
        head, *facets = report.facets.lines()
        items.append(f"- {head}")
        items += [f"  - {line}" for line in facets]
    return f"{heading}:\n" + "\n".join(items) if items else ""


def partial_read(cut: FetchCut | str) -> str:
    """A fetch the record limit cut (or what else was read only in part, in words: a gzip file cut
    short), as the Markdown warning every answer gives it."""
    return f"⚠ **Partial read**: {cut if isinstance(cut, str) else cut.sentence()}"


def cut_notes(reports: Iterable[FetchReport | None]) -> list[str]:
    """Each fetch the record limit cut, and each file that ended early (a gzip file cut short), as a
    Markdown warning to open an answer with (each once)."""
    out: list[str] = []
    for report in reports:
        if report is None:
            continue
        notes = [f"{partial_read(report.cut)}."] if report.cut is not None else []
        notes += [f"{partial_read(sentence)}." for sentence in report.ends_early]
        out += [note for note in notes if note not in out]
    return out


def unread_notes(reports: Iterable[FetchReport | None]) -> list[str]:
    """What the fetches did not read (files a folder skipped, malformed lines located as
    `file:line: reason`) as Markdown sentences, each once: two tools fetching one source say it once."""
    out: list[str] = []
    for report in reports:
        for sentence in report.input_sentences(markdown=True) if report is not None else []:
            if sentence not in out:
                out.append(sentence)
    return out


def _scope(result: SearchResult) -> list[str]:
    plan = result.plan
    out = []
    if plan.window:
        out.append("time " + span(plan.window.start, plan.window.end, result.utc_offset, MINUTES))
        if plan.window_referent:  # "in that same run"
            out[-1] += f" ({plan.window_referent})"
        if plan.read_on_to:
            out.append(f"what it names read on to {stamp(plan.read_on_to, result.utc_offset, MINUTES)}")
    else:
        out.append("all stored time")
    if plan.identifiers:
        out.append("containing " + ", ".join(f"`{i}`" for i in plan.identifiers))
        if plan.referent:
            out[-1] += f" ({plan.referent})"
    elif plan.referent:  # "that box", when no one host stood out
        out.append(plan.referent)
    for key, value in plan.field_filters.items():
        out.append(f"{key}=`{value}`")
    if plan.min_level:
        out.append(f"level ≥ {plan.min_level}")
    if plan.environment:
        out.append(f"env {plan.environment}")
    also = [*plan.expansions, *plan.suggested]
    if also:
        out.append("also searched for " + ", ".join(f"“{e}”" for e in also[:8]))
    out += plan.read_notes  # how the question was read against the stored lines
    return out


def render_answer(result: SearchResult) -> str:
    """Markdown for humans. Deterministic for the same result."""
    parts: list[str] = []
    kind = (
        "broad question: errors and warnings first, rarest patterns first"
        if result.plan.broad
        else "hybrid search"
    )
    parts.append(f"**Searched** session `{result.session}` ({kind}): " + "; ".join(_scope(result)) + ".")
    if result.fetched:
        parts.append(
            f"Fetched {result.fetched} log records from {result.source} ({result.new} new to this thread)."
        )
    if fetch := render_fetch_report(result.fetch_report):
        parts.append(fetch)
    for sentence in relaxed_sentences(result.relaxed, "I "):
        parts.append(f"_{sentence[0].upper()}{sentence[1:]}._")
    if result.plan.recovery:
        parts.append(f"**Recovery**: {result.plan.recovery}")
    if not result.lines:
        facets = result.fetch_report is not None and result.fetch_report.facets is not None
        parts.append(
            "**No matching log lines.** "
            + (
                "The fetch found nothing matching; the source's own names are listed above, re-ask with one."
                if facets
                else "Nothing in the stored logs matches; widen the time window or check the identifiers."
            )
        )
    else:
        parts.append(
            f"**Top {len(result.lines)} distinct lines** as patterns (lines alike but for ids and numbers; "
            "×count = its lines in the window):"
        )
        named = [*result.plan.identifiers, *result.plan.terms]
        parts.append(render_evidence(result.lines, utc_offset=result.utc_offset, keep=named))
    for warning in result.warnings:
        parts.append(f"⚠ {warning}")
    parts += [f"⚠ {note}" for note in unread_notes([result.fetch_report])]
    parts.append(
        "_Not checked: code, admin APIs and DynamoDB (not connected yet); answer built from logs only, "
        "without an LLM._"
    )
    return "\n\n".join(parts)

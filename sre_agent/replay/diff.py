"""Compare two replay reports (`sre-agent replay --json`): which turns got better or worse.

Turns are matched by (incident id, turn number) and must ask the same question; a turn found in
one report only (or whose question changed) is listed as `removed` (only in A) or `added` (only
in B). The quality metrics (recall@10, MRR, mentions) decide a matched turn's verdict; the wall
time is shown beside them but never makes a turn better or worse.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, computed_field

from sre_agent.errors import InputError
from sre_agent.replay.runner import IncidentReport, ReplayReport, TurnReport, summarize

Verdict = Literal["better", "worse", "mixed", "same", "added", "removed"]
VERDICTS: tuple[Verdict, ...] = ("better", "worse", "mixed", "same", "added", "removed")
#: The metrics that decide a verdict; higher is better for each.
QUALITY = ("recall_at_10", "mrr", "mentions_hit")
#: Every metric compared, in display order.
METRICS = (*QUALITY, "seconds")
#: A quality metric must move by more than this to count as up or down.
EPSILON = 0.005
#: Wall time counts as faster or slower only when it moves by this share of A's time and…
SECONDS_SHARE = 0.1
#: …by at least this many seconds (timings are noisy).
SECONDS_FLOOR = 0.05


class Change(BaseModel):
    """One metric in A and in B; `better` is True for an improvement, False for a regression."""

    a: float | None = None
    b: float | None = None
    delta: float | None = Field(default=None, description="b - a, when both are present")
    better: bool | None = Field(default=None, description="None: no notable change (or not comparable)")


class TurnDiff(BaseModel):
    """One turn of one incident, as A and B replayed it."""

    incident: str
    turn: int = Field(description="1-based, as the replay table numbers turns")
    ask: str
    verdict: Verdict
    note: str = Field(default="", description="why a turn is added/removed, e.g. the question changed")
    changes: dict[str, Change] = Field(default_factory=dict, description="per metric in METRICS")
    tools_a: list[str] = Field(default_factory=list)
    tools_b: list[str] = Field(default_factory=list)
    run_a: str | None = None
    run_b: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def tools_changed(self) -> bool:
        return self.verdict not in ("added", "removed") and self.tools_a != self.tools_b


class SummaryDiff(BaseModel):
    """The reports' means (B minus A) and how many turns got each verdict."""

    changes: dict[str, Change] = Field(default_factory=dict)
    turns_a: int = 0
    turns_b: int = 0
    counts: dict[str, int] = Field(default_factory=dict, description="verdict -> number of turns")
    tools_changed: int = 0


class ReplayDiff(BaseModel):
    turns: list[TurnDiff] = Field(default_factory=list)
    summary: SummaryDiff = Field(default_factory=SummaryDiff)


class _LoadedReport(ReplayReport):
    """A report read from a file must list its incidents (an empty object is not a report)."""

    incidents: list[IncidentReport]


def _field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_report(path: Path) -> ReplayReport:
    """The replay report in `path`; InputError names the file and the line or field that is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a report file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
        ) from None
    try:
        report = _LoadedReport.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        if not first["loc"]:
            raise InputError(f"{path}: not a replay report (expected an object with `incidents`)") from None
        raise InputError(f"{path}: {_field_path(first['loc'])}: {first['msg']}") from None
    summary = report.summary
    for key in METRICS:
        value = summary.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InputError(f"{path}: summary.{key}: expected a number, got {json.dumps(value)}")
    return report


def _tool_names(turn: TurnReport) -> list[str]:
    return [str(call.get("tool") or call.get("name") or "?") for call in turn.tool_calls]


def _change(name: str, a: float | None, b: float | None) -> Change:
    if a is None or b is None:
        return Change(a=a, b=b)
    delta = round(b - a, 4)
    if name == "seconds":
        notable = abs(delta) >= max(SECONDS_FLOOR, SECONDS_SHARE * a)
        return Change(a=a, b=b, delta=delta, better=(delta < 0) if notable else None)
    return Change(a=a, b=b, delta=delta, better=(delta > 0) if abs(delta) > EPSILON else None)


def verdict_of(changes: dict[str, Change]) -> Verdict:
    """better: a quality metric rose and none fell; worse: one fell and none rose; else mixed/same."""
    moves = [changes[m].better for m in QUALITY if m in changes]
    up, down = True in moves, False in moves
    if up and down:
        return "mixed"
    return "better" if up else "worse" if down else "same"


def _same_question(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _one_side(incident: str, n: int, turn: TurnReport, verdict: Verdict, note: str = "") -> TurnDiff:
    tools = _tool_names(turn)
    return TurnDiff(
        incident=incident,
        turn=n,
        ask=turn.ask,
        verdict=verdict,
        note=note,
        tools_a=tools if verdict == "removed" else [],
        tools_b=tools if verdict == "added" else [],
        run_a=turn.run_id if verdict == "removed" else None,
        run_b=turn.run_id if verdict == "added" else None,
    )


def _turn_pairs(a: ReplayReport, b: ReplayReport) -> list[TurnDiff]:
    turns_a = {inc.id: inc.turns for inc in a.incidents}
    turns_b = {inc.id: inc.turns for inc in b.incidents}
    order = list(turns_a) + [i for i in turns_b if i not in turns_a]
    out: list[TurnDiff] = []
    for incident in order:
        left, right = turns_a.get(incident, []), turns_b.get(incident, [])
        for index in range(max(len(left), len(right))):
            n = index + 1
            ta = left[index] if index < len(left) else None
            tb = right[index] if index < len(right) else None
            if tb is None and ta is not None:
                out.append(_one_side(incident, n, ta, "removed", "only in A"))
            elif ta is None and tb is not None:
                out.append(_one_side(incident, n, tb, "added", "only in B"))
            elif ta is not None and tb is not None and not _same_question(ta.ask, tb.ask):
                out.append(_one_side(incident, n, ta, "removed", "question changed in B"))
                out.append(_one_side(incident, n, tb, "added", "question changed from A"))
            elif ta is not None and tb is not None:
                changes = {m: _change(m, getattr(ta, m), getattr(tb, m)) for m in METRICS}
                out.append(
                    TurnDiff(
                        incident=incident,
                        turn=n,
                        ask=tb.ask,
                        verdict=verdict_of(changes),
                        changes=changes,
                        tools_a=_tool_names(ta),
                        tools_b=_tool_names(tb),
                        run_a=ta.run_id,
                        run_b=tb.run_id,
                    )
                )
    return out


def _means(report: ReplayReport) -> dict[str, Any]:
    """The report's own summary, filled in from its turns where it lacks a mean."""
    computed = summarize(report.incidents)
    return {m: report.summary[m] if m in report.summary else computed[m] for m in METRICS}


def diff_reports(a: ReplayReport, b: ReplayReport) -> ReplayDiff:
    """How B differs from A, turn by turn and in the means."""
    turns = _turn_pairs(a, b)
    means_a, means_b = _means(a), _means(b)
    summary = SummaryDiff(
        changes={m: _change(m, means_a[m], means_b[m]) for m in METRICS},
        turns_a=sum(len(inc.turns) for inc in a.incidents),
        turns_b=sum(len(inc.turns) for inc in b.incidents),
        counts={v: sum(1 for t in turns if t.verdict == v) for v in VERDICTS},
        tools_changed=sum(1 for t in turns if t.tools_changed),
    )
    return ReplayDiff(turns=turns, summary=summary)


def diff_files(a: Path, b: Path) -> ReplayDiff:
    """Load both reports (InputError on bad input) and compare them."""
    return diff_reports(load_report(a), load_report(b))

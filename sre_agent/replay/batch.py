"""Replay a set of incidents through one engine, a few at a time, into one report; and write the
report as HTML with each turn's run picture beside it. What `sre-agent replay` runs."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from sre_agent.engine import Engine
from sre_agent.errors import InputError
from sre_agent.replay.incidents import Incident
from sre_agent.replay.report_html import render_report
from sre_agent.replay.runner import ReplayReport, TurnReport, replay_incident, summarize
from sre_agent.trace.html import render_run


def replay_all(
    engine: Engine,
    incidents: list[Incident],
    *,
    retrieval_only: bool = False,
    parallel: int = 1,
    on_turn: Callable[[TurnReport], None] | None = None,
) -> ReplayReport:
    """Every incident replayed (at most `parallel` at once), in the order given, and the means."""

    async def run_all() -> list:
        gate = asyncio.Semaphore(parallel)

        async def one(incident: Incident):
            async with gate:
                return await replay_incident(engine, incident, retrieval_only=retrieval_only, on_turn=on_turn)

        return await asyncio.gather(*(one(i) for i in incidents))

    report = ReplayReport()
    report.incidents.extend(asyncio.run(run_all()))
    report.summary = summarize(report.incidents)
    return report


def write_report_html(report: ReplayReport, path: Path, engine: Engine) -> int:
    """Write the HTML report to `path` and each turn's run picture to `<stem>_runs/`; returns how many.

    A run whose trace cannot be loaded (expired, cleared) shows its id without a link."""
    runs_dir = path.parent / f"{path.stem}_runs"
    links: dict[str, str] = {}
    for turn in (t for inc in report.incidents for t in inc.turns):
        if not turn.run_id or turn.run_id in links:
            continue
        try:
            trace = engine.traces.get(turn.run_id)
        except InputError:
            continue
        name = re.sub(r"[^A-Za-z0-9._-]", "_", turn.run_id) + ".html"
        runs_dir.mkdir(parents=True, exist_ok=True)
        (runs_dir / name).write_text(render_run(trace), encoding="utf-8")
        links[turn.run_id] = f"{quote(runs_dir.name)}/{quote(name)}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(report, run_links=links), encoding="utf-8")
    return len(links)

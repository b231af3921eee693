"""Run incidents turn by turn through the same engine the bot uses, and build the report.

One session per incident, in order: the first turn fetches the incident's logs (the replay
logstore serves `logs.jsonl`), later turns search what the thread already stored. The report
follows ../shared/spec/incident-format.md.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from sre_agent.clean import clean_records
from sre_agent.connectors.file import FileLogstore
from sre_agent.engine import Engine
from sre_agent.models import LogQuery
from sre_agent.replay.incidents import Incident
from sre_agent.replay.scoring import mentions_hit, recall_and_mrr


class TurnReport(BaseModel):
    ask: str
    run_id: str | None = Field(default=None, description="the turn's run trace (`sre-agent runs show`)")
    retrieved_lines: list[int] = Field(default_factory=list)
    recall_at_10: float | None = None
    mrr: float | None = None
    answer: str = ""
    mentions_hit: float | None = None
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    seconds: float = 0.0
    relaxed: list[str] = Field(default_factory=list)


class IncidentReport(BaseModel):
    id: str
    title: str
    notes: list[str] = Field(default_factory=list, description="what the replay could not apply, in words")
    turns: list[TurnReport] = Field(default_factory=list)


class ReplayReport(BaseModel):
    incidents: list[IncidentReport] = Field(default_factory=list)
    summary: dict[str, Any] = Field(default_factory=dict)


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 4) if present else None


def summarize(incidents: list[IncidentReport]) -> dict[str, Any]:
    turns = [t for inc in incidents for t in inc.turns]
    return {
        "incidents": len(incidents),
        "turns": len(turns),
        "recall_at_10": _mean([t.recall_at_10 for t in turns]),
        "mrr": _mean([t.mrr for t in turns]),
        "mentions_hit": _mean([t.mentions_hit for t in turns]),
        "seconds": _mean([t.seconds for t in turns]),
    }


def infer_service(incident: Incident, known: list[str]) -> str | None:
    """The incident's `service`, or else the one known config whose name is a word of its id or title.

    The shared LogHub incidents name no service; their ids ("hdfs-block-serve-failures") do. A
    service with no config among `known` is not used (the replay runs without one: cold).
    """
    if incident.service:
        return incident.service if incident.service in known else None
    words = set(re.findall(r"[a-z0-9]+", f"{incident.id} {incident.title}".lower()))
    named = [name for name in known if name.lower() in words]
    return named[0] if len(named) == 1 else None


async def replay_incident(
    engine: Engine,
    incident: Incident,
    *,
    retrieval_only: bool = True,
    on_turn: Callable[[TurnReport], None] | None = None,
) -> IncidentReport:
    """Replay every turn of `incident` in a fresh session named `replay-<id>`.

    `retrieval_only` runs the log-search spine alone (no answers); otherwise each turn goes
    through the agent (LLM or offline triage) and its answer is scored for mentions."""
    session = f"replay-{incident.id}"
    await engine.reset(session)
    logstore = FileLogstore(incident.logs_path)
    every = logstore.fetch(LogQuery(limit=100_000))
    messages = [""] * max((r.line or 0 for r in every.records), default=0)
    for record in every.records:
        if record.line is not None:
            messages[record.line - 1] = record.message
    window = incident.window
    now = window.end if window else (every.records[-1].timestamp if every.records else None)
    # A retrieved record stands for every line with the same (cleaned) message.
    service = infer_service(incident, list(engine.configs))
    config = engine.config(service) if service else None
    lines_of: dict[str, list[int]] = defaultdict(list)
    for rec in clean_records(every.records, config).records:
        if rec.line is not None:
            lines_of[rec.message].append(rec.line)

    report = IncidentReport(id=incident.id, title=incident.title)
    if incident.service and service is None:
        skipped = engine.config_folder.skipped_for(incident.service)
        why = f"whose config was skipped ({skipped.problem})" if skipped else "which has no config here"
        report.notes.append(f"the incident names service '{incident.service}', {why}: replayed without one")
    span_hours = (window.end - window.start).total_seconds() / 3600 if window else None
    for index, turn in enumerate(incident.turns):
        started = time.perf_counter()
        if retrieval_only:
            first = index == 0
            result = await engine.search(
                turn.ask,
                session=session,
                logstore=logstore if first else None,
                service=service,
                environment=incident.environment,
                window=window,
                now=now,
                kind="replay",
            )
            run_id = result.run_id
            found = result.lines
            tool = "search_logstore" if first else "retrieve_stored_logs"
            args: dict[str, Any] = {"query": result.plan.query_text}
            if first:
                args["environment"] = incident.environment
            tool_calls = [{"tool": tool, "args": args}]
            answer, relaxed = "", result.relaxed
        else:
            # The agent gets the snapshot as its logstore on every turn and decides what to fetch.
            turn_answer = await engine.ask(
                turn.ask,
                session=session,
                logstore=logstore,
                service=service,
                environment=incident.environment,
                now=now,
                window=window,
                max_window_hours=max(span_hours or 0, engine.settings.max_window_hours),
                kind="replay",
            )
            run_id = turn_answer.run_id
            found = turn_answer.lines
            tool_calls = [call.record() for call in turn_answer.tool_calls]
            answer, relaxed = turn_answer.answer, []
        seconds = time.perf_counter() - started
        retrieved: list[int] = []
        listed: set[int] = set()
        for line in found:
            for n in lines_of.get(line.message, line.lines):
                if n not in listed:
                    listed.add(n)
                    retrieved.append(n)
        recall, rr = (None, None)
        if turn.expect.relevant_lines:
            recall, rr = recall_and_mrr(retrieved, turn.expect.relevant_lines, messages)
        turn_report = TurnReport(
            ask=turn.ask,
            run_id=run_id,
            retrieved_lines=retrieved,
            recall_at_10=recall,
            mrr=rr,
            answer=answer,
            mentions_hit=mentions_hit(answer, turn.expect.mentions)
            if turn.expect.mentions and answer
            else None,
            tool_calls=tool_calls,
            seconds=round(seconds, 3),
            relaxed=relaxed,
        )
        report.turns.append(turn_report)
        if on_turn is not None:
            on_turn(turn_report)
    return report

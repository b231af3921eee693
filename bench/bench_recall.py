"""Retrieval quality: recall@10 and MRR per question style, for vector only, full text only,
hybrid (RRF) and the whole retrieve step (refine rules + filters + hybrid + de-duplication).

Usage: python bench/bench_recall.py [--incidents DIR ...] [--questions bench/questions.json] [--out DIR]

Each incident is replayed once through the real pipeline (session `replay-<id>`); the three
baselines then search the same stored session with the bare question. Reports for every mode
are written as replay JSON (the spec's format) under --out, so `shared/spec/score_replay.py`
can check the figures independently.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sre_agent.engine import Engine  # noqa: E402
from sre_agent.replay.incidents import find_incidents  # noqa: E402
from sre_agent.replay.runner import IncidentReport, ReplayReport, TurnReport, replay_incident, summarize  # noqa: E402
from sre_agent.replay.scoring import recall_and_mrr  # noqa: E402
from sre_agent.settings import Settings  # noqa: E402

MODES = ("vector", "fts", "hybrid")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--incidents", nargs="+", default=[str(ROOT / "bench/incidents"), str(ROOT / "incidents")]
    )
    ap.add_argument("--questions", default=str(ROOT / "bench/questions.json"))
    ap.add_argument("--out", default=str(ROOT / "bench/out"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    styles = {
        (inc["id"], turn["ask"]): turn.get("style", "?")
        for inc in json.loads(Path(args.questions).read_text())["incidents"]
        for turn in inc["turns"]
    }
    engine = Engine(Settings(data_dir=out / "data"))
    rows: dict[str, list[tuple[str, float, float]]] = defaultdict(list)  # mode -> (style, recall, mrr)
    for folder in args.incidents:
        reports = {mode: ReplayReport() for mode in (*MODES, "retrieve step")}
        for incident in find_incidents(Path(folder)):
            started = time.perf_counter()
            step = asyncio.run(replay_incident(engine, incident, retrieval_only=True))
            reports["retrieve step"].incidents.append(step)
            session = f"replay-{incident.id}"
            messages = [
                json.loads(x)["message"]
                for x in incident.logs_path.read_text(encoding="utf-8").splitlines()
                if x.strip()
            ]
            lines_of: dict[str, list[int]] = defaultdict(list)
            for rec in engine.store.scan(session, limit=1_000_000):
                if rec.line is not None:
                    lines_of[rec.message].append(rec.line)
            for mode in MODES:
                rep = IncidentReport(id=incident.id, title=incident.title)
                for turn in incident.turns:
                    hits = engine.store.search(session, turn.ask, k=200, mode=mode)
                    retrieved: list[int] = []
                    for hit in hits:
                        retrieved.extend(n for n in sorted(lines_of[hit.message]) if n not in retrieved)
                    recall, rr = recall_and_mrr(retrieved, turn.expect.relevant_lines, messages)
                    rep.turns.append(
                        TurnReport(ask=turn.ask, retrieved_lines=retrieved, recall_at_10=recall, mrr=rr)
                    )
                reports[mode].incidents.append(rep)
            for mode, report in reports.items():
                for turn_report, turn in zip(report.incidents[-1].turns, incident.turns, strict=True):
                    if turn.expect.relevant_lines:
                        style = styles.get((incident.id, turn.ask), "?")
                        rows[mode].append((style, turn_report.recall_at_10 or 0.0, turn_report.mrr or 0.0))
            print(f"{incident.id}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
        for mode, report in reports.items():
            report.summary = summarize(report.incidents)
            label = "-".join(Path(folder).resolve().relative_to(ROOT).parts)
            name = f"{label}-{mode.replace(' ', '-')}.json"
            (out / name).write_text(json.dumps(report.model_dump(mode="json"), indent=1), encoding="utf-8")

    table = Table(title="recall@10 / MRR by question style (all incidents)")
    table.add_column("mode")
    all_styles = sorted({s for r in rows.values() for s, _, _ in r})
    for style in [*all_styles, "overall"]:
        table.add_column(style)
    for mode in (*MODES, "retrieve step"):
        cells = []
        for style in [*all_styles, "overall"]:
            sub = [r for r in rows[mode] if style in ("overall", r[0])]
            if sub:
                recall = sum(r[1] for r in sub) / len(sub)
                mrr = sum(r[2] for r in sub) / len(sub)
                cells.append(f"{recall:.3f} / {mrr:.3f} (n={len(sub)})")
            else:
                cells.append("-")
        table.add_row(mode, *cells)
    Console().print(table)
    print(
        f"reports in {out}/ — check with: python3 ../shared/spec/score_replay.py --incidents bench/incidents "
        f"--report {out}/bench-incidents-retrieve-step.json --questions bench/questions.json"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

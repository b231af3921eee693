"""Retrieval quality: recall@10 and MRR per question style, for vector only, full text only,
hybrid (RRF) and the whole retrieve step (refine rules + filters + hybrid + de-duplication).

Usage: python bench/bench_recall.py [--incidents DIR ...] [--questions FILE ...] [--out DIR] [--cold]

Each incident is replayed once through the real pipeline (session `replay-<id>`); the three
baselines then search the same stored session with the bare question. Reports for every mode
are written as replay JSON (the spec's format) under --out, so `shared/spec/score_replay.py`
can check the figures independently. `--cold` runs with no service config at all (an empty
configs folder), as logs nobody wrote a config for arrive. One table per incident folder, and
one over the incident sets (everything but the factual sets, bench/factual and bench/factual-b).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
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
        "--incidents",
        nargs="+",
        default=[
            str(ROOT / "bench/incidents"),
            str(ROOT / "incidents"),
            str(ROOT / "bench/factual"),
            str(ROOT / "bench/factual-b"),
        ],
    )
    ap.add_argument(
        "--questions",
        nargs="+",
        default=[
            str(ROOT / "bench/questions.json"),
            str(ROOT / "bench/factual/questions.json"),
            str(ROOT / "bench/factual-b/questions.json"),
        ],
    )
    ap.add_argument("--out", default=str(ROOT / "bench/out"))
    ap.add_argument("--cold", action="store_true", help="no service config at all (an empty configs folder)")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    styles = {
        (inc["id"], turn["ask"]): turn.get("style", "?")
        for path in args.questions
        for inc in json.loads(Path(path).read_text())["incidents"]
        for turn in inc["turns"]
    }
    settings = Settings(data_dir=out / "data")
    if args.cold:
        settings = Settings(data_dir=out / "data", configs_dir=Path(tempfile.mkdtemp(prefix="no-configs-")))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    engine = Engine(settings)
    # (folder, mode) -> [(style, recall, mrr)]
    rows: dict[tuple[str, str], list[tuple[str, float, float]]] = defaultdict(list)
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
                        rows[(folder, mode)].append(
                            (style, turn_report.recall_at_10 or 0.0, turn_report.mrr or 0.0)
                        )
            print(f"{incident.id}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
        for mode, report in reports.items():
            report.summary = summarize(report.incidents)
            label = "-".join(Path(folder).resolve().relative_to(ROOT).parts)
            name = f"{label}-{mode.replace(' ', '-')}.json"
            (out / name).write_text(json.dumps(report.model_dump(mode="json"), indent=1), encoding="utf-8")

    console = Console()
    mode_names = (*MODES, "retrieve step")
    incident_sets = [f for f in args.incidents if not Path(f).name.startswith("factual")]
    groups = [(Path(f).name, [f]) for f in args.incidents]
    if len(incident_sets) > 1:
        groups.append(("incident sets together", incident_sets))
    for label, folders in groups:
        sub_rows = {mode: [r for f in folders for r in rows[(f, mode)]] for mode in mode_names}
        console.print(_table(f"{label} ({'cold' if args.cold else 'with configs'})", sub_rows))
    print(
        f"reports in {out}/ — check with: python3 ../shared/spec/score_replay.py --incidents bench/incidents "
        f"--report {out}/bench-incidents-retrieve-step.json --questions bench/questions.json"
    )
    return 0


def _table(title: str, rows: dict[str, list[tuple[str, float, float]]]) -> Table:
    """recall@10 / MRR per question style (and overall) for every mode."""
    table = Table(title=f"recall@10 / MRR by question style: {title}")
    table.add_column("mode")
    styles = sorted({s for r in rows.values() for s, _, _ in r})
    for style in [*styles, "overall"]:
        table.add_column(style)
    for mode, mode_rows in rows.items():
        cells = []
        for style in [*styles, "overall"]:
            sub = [r for r in mode_rows if style in ("overall", r[0])]
            if sub:
                recall = sum(r[1] for r in sub) / len(sub)
                mrr = sum(r[2] for r in sub) / len(sub)
                cells.append(f"{recall:.3f} / {mrr:.3f} (n={len(sub)})")
            else:
                cells.append("-")
        table.add_row(mode, *cells)
    return table


if __name__ == "__main__":
    sys.exit(main())

"""Offline triage (no LLM): mention hit rate of the answers and turn times, per incident.

Usage: python bench/bench_triage.py [--incidents DIR ...] [--out DIR] [--cold]

Each incident is replayed through the agent in offline mode, one session per incident, exactly
as `sre-agent replay DIR` does. "after first ingest" are the turns after each incident's first
(which fetches, cleans and embeds the snapshot). The replay reports are written under --out in
the spec's format, so `shared/spec/score_replay.py` can re-score them. `--cold`: no service config
at all (an empty configs folder).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sre_agent.engine import Engine  # noqa: E402
from sre_agent.replay.incidents import find_incidents  # noqa: E402
from sre_agent.replay.runner import ReplayReport, replay_incident, summarize  # noqa: E402
from sre_agent.settings import Settings  # noqa: E402


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--incidents", nargs="+", default=[str(ROOT / "bench/incidents"), str(ROOT / "incidents")]
    )
    ap.add_argument("--out", default=str(ROOT / "bench/out"))
    ap.add_argument("--cold", action="store_true", help="no service config at all (an empty configs folder)")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=out / "data-triage", llm_backend="none")
    if args.cold:
        empty = Path(tempfile.mkdtemp(prefix="no-configs-"))
        settings = Settings(data_dir=out / "data-triage", llm_backend="none", configs_dir=empty)
    engine = Engine(settings)
    table = Table(title=f"offline triage (no LLM, {'cold' if args.cold else 'with configs'})")
    for name in (
        "incidents",
        "turns",
        "mentions hit",
        "recall@10",
        "first turn s",
        "later p50 s",
        "later p95 s",
    ):
        table.add_column(name, justify="right" if name != "incidents" else "left")
    all_later: list[float] = []
    all_hits: list[float] = []
    for folder in args.incidents:
        report = ReplayReport()
        firsts: list[float] = []
        later: list[float] = []
        for incident in find_incidents(Path(folder)):
            started = time.perf_counter()
            rep = asyncio.run(replay_incident(engine, incident, retrieval_only=False))
            report.incidents.append(rep)
            firsts.append(rep.turns[0].seconds)
            later += [t.seconds for t in rep.turns[1:]]
            print(f"{incident.id}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
        report.summary = summarize(report.incidents)
        folder_path = Path(folder).resolve()
        rel = folder_path.relative_to(ROOT) if folder_path.is_relative_to(ROOT) else Path(folder_path.name)
        name = "-".join(rel.parts)
        (out / f"triage-{name}.json").write_text(json.dumps(report.model_dump(mode="json"), indent=2) + "\n")
        hits = [t.mentions_hit for inc in report.incidents for t in inc.turns if t.mentions_hit is not None]
        all_later += later
        all_hits += hits
        table.add_row(
            str(rel),
            str(report.summary["turns"]),
            f"{statistics.mean(hits):.3f}" if hits else "-",
            f"{report.summary['recall_at_10']:.3f}" if report.summary["recall_at_10"] is not None else "-",
            f"{statistics.median(firsts):.2f}",
            f"{_p(later, 0.5):.2f}",
            f"{_p(later, 0.95):.2f}",
        )
    table.add_section()
    table.add_row(
        "all",
        str(len(all_hits)),
        f"{statistics.mean(all_hits):.3f}",
        "",
        "",
        f"{_p(all_later, 0.5):.2f}",
        f"{_p(all_later, 0.95):.2f}",
    )
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

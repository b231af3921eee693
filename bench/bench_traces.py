"""What run traces cost: recording overhead per run, trace size, drawing time, and finding runs
among many.

Usage: python bench/bench_traces.py [--runs 30] [--stored 2000]

1. The same stored-logs search (the throttling incident, already ingested into one session) run
   `--runs` times with traces on and off, interleaved; p50/p95 of each, and the difference.
2. An offline agent turn over the incident (fetch, clean, embed, refine, retrieve): its trace's
   size, the run picture's size and time to render.
3. A trace store holding `--stored` runs: `runs list` (newest 20), the last run of one session
   (what Slack's `trace` word asks), and pruning them all.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sre_agent.embeddings import build_embedder  # noqa: E402
from sre_agent.engine import Engine  # noqa: E402
from sre_agent.settings import Settings  # noqa: E402
from sre_agent.trace.html import render_run  # noqa: E402

LOGS = ROOT / "incidents" / "membership-dynamodb-throttling" / "logs.jsonl"
QUESTION = "why is GetMembership failing for user 123 in prod?"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--stored", type=int, default=2000)
    args = parser.parse_args()
    console = Console()

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        base = Settings(data_dir=data / "data", configs_dir=ROOT / "configs", llm_backend="none")
        embedder = build_embedder(base)
        on = Engine(base, embedder=embedder)
        off = Engine(base.model_copy(update={"traces": False}), embedder=embedder)

        # 2. an offline turn (also ingests the incident into session "bench")
        answer = asyncio.run(on.ask(QUESTION, session="bench", logs=LOGS, service="membership"))
        trace = on.traces.get(answer.run_id)
        trace_bytes = on.traces.path(trace.id).stat().st_size
        render_ms = [timed(lambda: render_run(trace)) for _ in range(10)]
        page_bytes = len(render_run(trace).encode())

        # 1. stored-only searches, traces on vs off, interleaved
        def search(engine: Engine) -> None:
            asyncio.run(engine.search(QUESTION, session="bench", service="membership"))

        for engine in (on, off):  # warm both
            search(engine)
        times: dict[str, list[float]] = {"on": [], "off": []}
        for _ in range(args.runs):
            times["on"].append(timed(lambda: search(on)))
            times["off"].append(timed(lambda: search(off)))

        # 3. many stored runs
        store = on.traces
        now = datetime.now(UTC)
        write_ms = []
        for i in range(args.stored):
            copy = trace.model_copy(
                update={
                    "id": f"{trace.id}-{i:05d}",
                    "session": f"thread-{i % 200}",
                    "started_at": now - timedelta(days=8) + timedelta(seconds=i),
                }
            )
            write_ms.append(timed(lambda c=copy: store.write(c)))
        list_ms = statistics.median(timed(lambda: store.list(limit=20)) for _ in range(20))
        latest_ms = statistics.median(timed(lambda: store.latest("thread-7")) for _ in range(20))
        prune_ms = timed(lambda: store.prune())

    table = Table(title="run traces")
    table.add_column("what")
    table.add_column("figure", justify="right")
    p50_on, p50_off = pct(times["on"], 0.5), pct(times["off"], 0.5)
    table.add_row(
        f"stored-logs search, traces on: p50 / p95 ({args.runs} runs)",
        f"{p50_on:.1f} / {pct(times['on'], 0.95):.1f} ms",
    )
    table.add_row("the same, traces off: p50 / p95", f"{p50_off:.1f} / {pct(times['off'], 0.95):.1f} ms")
    table.add_row("recording overhead (p50 on − off)", f"{p50_on - p50_off:+.1f} ms")
    shape = f"{len(trace.spans)} spans, {len(trace.tool_calls)} tool calls, {len(trace.lines)} lines"
    table.add_row(f"offline turn: {shape}", f"{answer.seconds * 1000:.0f} ms")
    table.add_row("its trace file", f"{trace_bytes / 1024:.1f} KiB")
    table.add_row(
        "its run picture: render p50 / size",
        f"{statistics.median(render_ms):.1f} ms / {page_bytes / 1024:.1f} KiB",
    )
    table.add_row(f"writing a trace (p50 of {args.stored})", f"{statistics.median(write_ms):.2f} ms")
    table.add_row(f"runs list, newest 20 of {args.stored} (p50)", f"{list_ms:.2f} ms")
    table.add_row(f"last run of one thread among {args.stored} (p50)", f"{latest_ms:.2f} ms")
    table.add_row(f"prune {args.stored} expired traces", f"{prune_ms:.0f} ms")
    console.print(table)


if __name__ == "__main__":
    main()

"""Ingest speed: logs/s on first ingest and on re-ingest of the same logs in the same thread,
against the bare embedding model's texts/s on the same lines.

Usage: python bench/bench_ingest.py [LOGS.jsonl ...]   (default: every incident's logs.jsonl)

It runs the real workflow (engine.search with --logs) and times its steps from the progress
events: fetch (file logstore), clean (skip what is stored, redact, cap, shape), embed + store
(LanceDB; one embedding per new distinct shape). "ingest" = clean + embed; the fetch is the log
store's cost and is shown apart. The model is loaded before timing (cold load shown in the title).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sre_agent.connectors import FileLogstore  # noqa: E402
from sre_agent.embeddings import build_embedder  # noqa: E402
from sre_agent.engine import Engine  # noqa: E402
from sre_agent.models import LogQuery  # noqa: E402
from sre_agent.settings import Settings  # noqa: E402


def timed_run(engine: Engine, session: str, path: Path) -> dict[str, float]:
    """Seconds per step of one search that fetches `path` into `session`."""
    marks: list[tuple[str, float]] = []
    started = time.perf_counter()
    asyncio.run(
        engine.search(
            "errors?",
            session=session,
            logs=path,
            on_progress=lambda e: marks.append((e.stage, time.perf_counter())),
        )
    )
    at = dict(marks)
    return {
        "fetch": at["fetch"] - started,
        "clean": at["clean"] - at["fetch"],
        "embed": at["embed"] - at["clean"],
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("logs", nargs="*")
    args = ap.parse_args()
    paths = [Path(p) for p in args.logs] or sorted(
        [*ROOT.glob("bench/incidents/*/logs.jsonl"), *ROOT.glob("incidents/*/logs.jsonl")]
    )
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="sre-bench-ingest-")))
    started = time.perf_counter()
    embedder = build_embedder(settings)
    embedder.get_text_embedding("warm up")
    load_s = time.perf_counter() - started
    engine = Engine(settings, embedder=embedder)

    table = Table(title=f"ingest, 2 cores (model cold load {load_s:.2f}s, not included)")
    for col in (
        "logs",
        "lines",
        "first: fetch s",
        "first: ingest s",
        "first logs/s",
        "re: fetch s",
        "re: ingest s",
        "re logs/s",
        "ingest speed-up",
        "model texts/s",
        "first ingest ÷ model",
    ):
        table.add_column(col, justify="left" if col == "logs" else "right")
    for i, path in enumerate(paths):
        n = len(FileLogstore(path).fetch(LogQuery(limit=100_000)).records)
        copy = Path(tempfile.mkdtemp(prefix="sre-bench-logs-")) / path.name
        shutil.copy(path, copy)
        first = timed_run(engine, f"bench-{i}", copy)
        # Touched, as a log being written is: read again, every record found already stored. (An
        # unchanged file is not read again at all: bench_big_ingest.py's "again" column.)
        os.utime(copy, ns=(copy.stat().st_atime_ns, copy.stat().st_mtime_ns + 1_000_000_000))
        again = timed_run(engine, f"bench-{i}", copy)
        messages = [r.message for r in FileLogstore(path).fetch(LogQuery(limit=100_000)).records]
        t0 = time.perf_counter()
        embedder.get_text_embedding_batch(messages)
        model_rate = n / (time.perf_counter() - t0)
        first_ingest = first["clean"] + first["embed"]
        again_ingest = again["clean"] + again["embed"]
        table.add_row(
            path.parent.name,
            str(n),
            f"{first['fetch']:.2f}",
            f"{first_ingest:.2f}",
            f"{n / (first['fetch'] + first_ingest):.0f}",
            f"{again['fetch']:.2f}",
            f"{again_ingest:.3f}",
            f"{n / (again['fetch'] + again_ingest):.0f}",
            f"{first_ingest / again_ingest:.0f}×",
            f"{model_rate:.0f}",
            f"{(n / first_ingest) / model_rate:.1f}×",
        )
    Console(width=200).print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

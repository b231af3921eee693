"""The codebase index on this repository: full index, re-index, one-file re-index, search.

Usage: python bench/bench_code_index.py [--k 6] [--source PATH]

`git clone`s the repository (this one by default: committed files only) into a temp folder, so
the bench can edit a file without touching the working tree, and indexes it with the real
`CodeIndex` and the local embedding model (LanceDB in the same temp folder). Measured: the first
full index (files, chunks, time, and how much of it the embedding model took), a re-index with
nothing changed, a re-index after appending a comment to one Python file (exactly one file must
be re-indexed), search latency (query embedding included) over paraphrased questions about this
codebase, and for each question whether the file that answers it is in the top 3 (hit@3).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sre_agent.embeddings import build_embedder  # noqa: E402
from sre_agent.indexes.code_index import CodeIndex, IndexStats  # noqa: E402
from sre_agent.settings import Settings  # noqa: E402

#: The Python file the one-file re-index touches (a comment line appended).
TOUCHED = "sre_agent/answer.py"

#: Questions someone on call could ask about this codebase, in other words than the code's,
#: each with the file(s) that answer it.
QUERIES: list[tuple[str, tuple[str, ...]]] = [
    ("cut an answer into slack messages keeping code blocks intact", ("sre_agent/bot/formatting.py",)),
    ("which tools does the offline triage run", ("sre_agent/agent/triage.py",)),
    ("drop every session at midnight", ("sre_agent/bot/purge.py",)),
    ("hide email addresses and tokens in log lines", ("sre_agent/redact.py",)),
    ("turn 'since yesterday' into a time range", ("sre_agent/timephrases.py",)),
    ("merge ranked lists from vector and keyword search", ("sre_agent/indexes/fusion.py",)),
    ("which session does a slack thread belong to after a restart", ("sre_agent/thread_sessions.py",)),
    ("group similar log lines into templates", ("sre_agent/patterns.py",)),
    ("mask numbers and ids so log lines of one kind look the same", ("sre_agent/shapes.py",)),
    ("read log records from a jsonl file", ("sre_agent/connectors/file.py",)),
    ("what changed right before the errors started", ("sre_agent/timeline.py",)),
    ("keep a tool's output under the token budget", ("sre_agent/tools/budget.py",)),
    ("convert the onnx model to int8 row by row", ("sre_agent/embeddings/int8_rewrite.py",)),
    ("retry the embeddings endpoint when it answers 503", ("sre_agent/embeddings/openai_compat.py",)),
    ("validate a service config json file", ("sre_agent/configs.py",)),
    ("chat history kept in sqlite for each session", ("sre_agent/memory.py",)),
    ("ask the LLM which words the logs likely use", ("sre_agent/workflows/llm_refine.py",)),
    ("recall and MRR of a replayed incident", ("sre_agent/replay/scoring.py",)),
    (
        "the status line shown while a tool is running",
        ("sre_agent/tools/phrases.py", "sre_agent/tools/spec.py"),
    ),
    ("ignore slack retries so a question is not answered twice", ("sre_agent/bot/service.py",)),
    ("build the system prompt from what we know about the services", ("sre_agent/knowledge.py",)),
    ("make sure the full text query never fails to parse", ("sre_agent/indexes/fts_query.py",)),
    ("create the LLM client for openai or bedrock", ("sre_agent/llm.py",)),
    ("shorten very long log messages before storing them", ("sre_agent/clean.py",)),
    ("how do I install and run the demo", ("Makefile", "README.md")),
    ("p95 latency of the hybrid query at 100k records", ("docs/benchmarks.md",)),
]


class TimedEmbedder:
    """The embedder, with the seconds spent in it and the texts it embedded counted."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.texts = 0
        self.chars = 0

    def get_text_embedding(self, text: str) -> list[float]:
        return self.inner.get_text_embedding(text)

    def get_query_embedding(self, query: str) -> list[float]:
        return self.inner.get_query_embedding(query)

    def get_text_embedding_batch(self, texts: list[str]) -> list[list[float]]:
        started = time.perf_counter()
        vectors = self.inner.get_text_embedding_batch(texts)
        self.seconds += time.perf_counter() - started
        self.texts += len(texts)
        self.chars += sum(len(t) for t in texts)
        return vectors

    def reset(self) -> None:
        self.seconds, self.texts, self.chars = 0.0, 0, 0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(round(q * (len(ordered) - 1)), len(ordered) - 1)]


def clone(source: Path, target: Path) -> None:
    subprocess.run(["git", "clone", "--quiet", str(source), str(target)], check=True, timeout=120)


def run(args: argparse.Namespace) -> None:
    console = Console()
    with tempfile.TemporaryDirectory(prefix="bench-code-") as tmp:
        checkout = Path(tmp) / "repo"
        clone(Path(args.source), checkout)
        settings = Settings(data_dir=Path(tmp) / "data")
        started = time.perf_counter()
        embedder = TimedEmbedder(build_embedder(settings))
        embedder.get_text_embedding("warm up")
        warm = time.perf_counter() - started
        index = CodeIndex(settings.code_index_uri, embedder)

        runs: list[tuple[str, IndexStats, float, int]] = []
        steps = [("full index", False), ("re-index, nothing changed", False)]
        steps.append((f"re-index, {TOUCHED} changed", True))
        for label, touch in steps:
            if touch:
                with (checkout / TOUCHED).open("a", encoding="utf-8") as fh:
                    fh.write("# touched by bench_code_index.py\n")
            embedder.reset()
            stats = index.index(checkout, "sre-agent")
            runs.append((label, stats, embedder.seconds, embedder.chars))
        full, same, one = (stats for _, stats, _, _ in runs)
        assert same.indexed == 0 and same.chunks == 0, same
        assert one.indexed == 1 and one.unchanged == one.files - 1, one

        index.search("warm up the search", k=args.k)  # opens the table; not timed
        latencies: list[float] = []
        ranked: list[tuple[str, tuple[str, ...], list[str]]] = []
        for query, expected in QUERIES:
            started = time.perf_counter()
            hits = index.search(query, k=args.k)
            latencies.append(time.perf_counter() - started)
            ranked.append((query, expected, [h.path for h in hits]))

    table = Table(title=f"codebase index: {ROOT.name} ({full.files} files, {full.chunks} chunks)")
    for name in ("run", "files indexed", "unchanged", "chunks", "seconds", "in embedding s", "chunks/s"):
        table.add_column(name, justify="left" if name == "run" else "right")
    for label, stats, embed_s, _ in runs:
        rate = f"{stats.chunks / embed_s:.1f}" if embed_s else "-"
        table.add_row(
            label,
            str(stats.indexed),
            str(stats.unchanged),
            str(stats.chunks),
            f"{stats.seconds:.2f}",
            f"{embed_s:.2f}",
            rate,
        )
    console.print(table)
    chars = runs[0][3] / max(full.chunks, 1)
    print(f"model load + warm-up: {warm:.2f}s; embedded text per chunk (full index): {chars:.0f} chars mean")

    search = Table(title=f"search (k={args.k}, {len(latencies)} queries, query embedding included)")
    for name in ("p50 ms", "p95 ms", "max ms"):
        search.add_column(name, justify="right")
    search.add_row(*(f"{v * 1000:.1f}" for v in (pct(latencies, 0.5), pct(latencies, 0.95), max(latencies))))
    console.print(search)

    quality = Table(title="hit@3: the file that answers the question in the top 3")
    for name in ("query", "expected", "rank", "top 1"):
        quality.add_column(name, justify="right" if name == "rank" else "left")
    hits3 = 0
    for query, expected, paths in ranked:
        rank = next((i + 1 for i, p in enumerate(paths) if p in expected), None)
        hits3 += rank is not None and rank <= 3
        shown = "-" if rank is None else str(rank)
        quality.add_row(query, " | ".join(expected), shown, paths[0] if paths else "-")
    console.print(quality)
    print(f"hit@3: {hits3}/{len(ranked)} = {hits3 / len(ranked):.2f}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--k", type=int, default=6, help="snippets per search")
    ap.add_argument("--source", default=str(ROOT), help="git repository to clone and index")
    run(ap.parse_args())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

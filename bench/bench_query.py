"""Benchmark the log store: ingest time and hybrid-search latency at 10k and 100k records.

Builds one session in a temporary folder, ingests 10k synthetic but realistic records (varied
templates from several services, skewed like real logs: a few chatty lines, a long tail of rare
ones), times 200 hybrid searches without and with filters, then grows the same table to 100k
records and does it again. Prints p50/p95 per size in a table.

    .venv/bin/python bench/bench_query.py [--queries 200] [--sizes 10000,100000] [--fake-embedder]

Embedding uses the model the settings name (the local MiniLM by default; only the distinct shapes
are embedded, a few hundred; each query is embedded too, inside the timed search), or with
--fake-embedder a deterministic hashing stand-in, to time the store alone.
Target: hybrid p95 <= 50 ms at 100k records on 2 cores. The last row per size is the whole retrieve
step (refine rules, identifier/anchor tiers, hybrid search, counts, pattern stats) on the same
questions.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from rich.console import Console
from rich.table import Table

from sre_agent.embeddings import build_embedder
from sre_agent.indexes import LogIndex, SearchFilters, table_name
from sre_agent.models import CleanRecord
from sre_agent.settings import get_settings
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.retrieve import Retriever

SESSION = "C0BENCH-1700000000.000100"
TABLE = table_name("logs", "bench", "prod")
START = datetime(2024, 3, 1, tzinfo=UTC)

# (weight, level, service, method, template); {ip} {blk} {req} {user} {n} {ms} {host} {hex} are filled in.
TEMPLATES: list[tuple[float, str, str, str | None, str]] = [
    (30, "INFO", "hdfs", None, "Receiving block blk_{blk} src: /{ip}:{port} dest: /{ip}:50010"),
    (25, "INFO", "hdfs", None, "PacketResponder {n} for block blk_{blk} terminating"),
    (20, "INFO", "hdfs", None, "Received block blk_{blk} of size {size} from /{ip}"),
    (8, "WARN", "hdfs", None, "Slow BlockReceiver write packet to mirror took {ms}ms (threshold=300ms)"),
    (
        2,
        "ERROR",
        "hdfs",
        None,
        "writeBlock blk_{blk} received exception java.io.IOException: Connection reset by peer",
    ),
    (
        1,
        "ERROR",
        "hdfs",
        None,
        "DataXceiver error processing WRITE_BLOCK operation src: /{ip}:{port} dst: /{ip}:50010",
    ),
    (25, "INFO", "gateway", "GetUser", "GET /v1/users/{user} 200 in {ms}ms request_id={req}"),
    (15, "INFO", "gateway", "GetMembership", "GET /v1/memberships/{user} 200 in {ms}ms request_id={req}"),
    (4, "WARN", "gateway", "GetMembership", "GET /v1/memberships/{user} 503 in {ms}ms request_id={req}"),
    (3, "ERROR", "payments", "Charge", "Error: timeout of {ms}ms exceeded while calling stripe for {req}"),
    (2, "ERROR", "payments", "Charge", "charge failed: card_declined for user {user} request_id={req}"),
    (6, "INFO", "payments", "Charge", "charge succeeded amount={n}.00 currency=EUR user={user}"),
    (
        2,
        "ERROR",
        "membership",
        "GetMembership",
        "ProvisionedThroughputExceededException: Rate of requests exceeds "
        "the allowed throughput for table memberships (request {req})",
    ),
    (1, "WARN", "membership", "GetMembership", "DynamoDB retry {n}/3 after throttling on table memberships"),
    (10, "DEBUG", "membership", "GetMembership", "cache miss for key membership:{user}"),
    (10, "DEBUG", "membership", "GetMembership", "cache hit for key membership:{user}"),
    (
        1,
        "FATAL",
        "membership",
        None,
        "panic: runtime error: invalid memory address or nil pointer dereference",
    ),
    (6, "INFO", "sshd", None, "Accepted publickey for {name} from {ip} port {port} ssh2"),
    (5, "WARN", "sshd", None, "Failed password for invalid user {name} from {ip} port {port} ssh2"),
    (2, "INFO", "sshd", None, "Received disconnect from {ip}: 11: Bye Bye [preauth]"),
    (
        1,
        "ERROR",
        "sshd",
        None,
        "error: maximum authentication attempts exceeded for root from {ip} port {port} ssh2",
    ),
    (3, "INFO", "zookeeper", None, "Accepted socket connection from /{ip}:{port}"),
    (1, "WARN", "zookeeper", None, "Cannot open channel to {n} at election address /{ip}:3888"),
    (1, "ERROR", "zookeeper", None, "Connection refused to /{ip}:3888 while connecting to leader"),
    (2, "INFO", "kube", None, 'Pulling image "registry.internal/app:{hex}"'),
    (1, "WARN", "kube", None, "Back-off restarting failed container app in pod app-{hex}"),
    (1, "ERROR", "kube", None, "OOMKilled: container app exceeded memory limit of 512Mi"),
    (
        1,
        "ERROR",
        "db",
        None,
        "could not connect to server: Connection refused. Is the server running on host db-{n}?",
    ),
    (1, "WARN", "db", None, "duration: {ms} ms statement: SELECT * FROM orders WHERE user_id = {user}"),
    (2, "INFO", "db", None, "checkpoint complete: wrote {n} buffers ({size} kB)"),
]
# A long tail of rare component lines, as real services have.
_PARTS = ["auth", "billing", "cache", "dns", "etl", "feed", "geo", "index", "jobs", "kafka", "ledger", "mail"]
_EVENTS = ["started in {ms}ms", "stopped", "failed with code {n}", "heartbeat {n} ok", "queue depth {n}"]
for i in range(150):
    _pick = random.Random(i)
    TEMPLATES.append(
        (0.2, _pick.choice(["INFO", "DEBUG", "WARN"]), f"svc-{_PARTS[i % 12]}", None,
         f"{_pick.choice(_PARTS)} {_pick.choice(_PARTS)} worker {_pick.choice(_EVENTS)}")
    )  # fmt: skip

_MASKS = [
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b"), "<IP>"),
    (re.compile(r"\b[0-9a-f]{8,}\b"), "<HEX>"),
    (re.compile(r"-?\d+"), "<NUM>"),
]

QUESTIONS = [
    "why are payments timing out",
    "database connection refused",
    "throttling on dynamodb memberships table",
    "container killed out of memory",
    "ssh brute force invalid user",
    "slow writes to mirror datanode",
    "nil pointer panic",
    "zookeeper leader election cannot connect",
    "card declined",
    "503 errors on GetMembership",
    "connection reset by peer while writing block",
]


def mask(message: str) -> str:
    for pattern, token in _MASKS:
        message = pattern.sub(token, message)
    return message


def make_records(count: int, seed: int, offset: int) -> tuple[list[CleanRecord], list[str]]:
    """`count` records (and some identifiers found in them, for identifier queries)."""
    rng = random.Random(seed)
    weights = [t[0] for t in TEMPLATES]
    identifiers: list[str] = []
    records = []
    for i in range(count):
        _, level, service, method, template = rng.choices(TEMPLATES, weights)[0]
        values = {
            "ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            "port": rng.randrange(1024, 65535),
            "blk": rng.choice(["", "-"]) + str(rng.getrandbits(62)),
            "req": f"req-{rng.getrandbits(40):010x}",
            "user": rng.randrange(1, 50_000),
            "n": rng.randrange(1, 500),
            "ms": rng.randrange(1, 30_000),
            "size": rng.randrange(1, 70_000_000),
            "hex": f"{rng.getrandbits(40):010x}",
            "name": rng.choice(["root", "admin", "oracle", "test", "deploy", "ubuntu"]),
        }
        message = template.format(**values)
        if rng.random() < 0.01:
            if "{blk}" in template:
                identifiers.append("blk_" + values["blk"])
            elif "{req}" in template:
                identifiers.append(values["req"])
            elif "{ip}" in template:
                identifiers.append(values["ip"])
        host = f"ip-10-0-{rng.randrange(4)}-{rng.randrange(40)}"
        timestamp = START + timedelta(milliseconds=(offset + i) * 50)
        request_id = values["req"] if "{req}" in template else None
        user_id = str(values["user"]) if "{user}" in template else None
        record_id = hashlib.blake2b(f"{offset + i}|{message}".encode(), digest_size=16).hexdigest()
        records.append(
            CleanRecord(
                id=record_id, timestamp=timestamp, message=message, shape=mask(message), level=level,
                service=service, method=method, request_id=request_id, user_id=user_id, host=host,
                env="prod", source="bench", line=offset + i + 1,
            )
        )  # fmt: skip
    return records, identifiers


class HashingEmbedding(BaseEmbedding):
    """Stand-in when the real model is not available: character trigrams hashed into 384 dims."""

    model_name: str = "bench-trigram-384"

    def _vector(self, text: str) -> list[float]:
        vector = np.zeros(384, dtype=np.float32)
        padded = f"  {text.lower()} "
        for i in range(len(padded) - 2):
            digest = hashlib.blake2b(padded[i : i + 3].encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "big") % 384] += 1.0
        return (vector / max(float(np.linalg.norm(vector)), 1e-9)).tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)


def make_embedder(fake: bool) -> BaseEmbedding:
    """The embedder the settings name (the local model by default), or the hashing stand-in."""
    embedder = None if fake else build_embedder(get_settings())
    return embedder or HashingEmbedding()


def random_filters(rng: random.Random) -> SearchFilters:
    choice = rng.randrange(4)
    if choice == 0:
        return SearchFilters(min_level="WARN")
    if choice == 1:
        return SearchFilters(host=f"ip-10-0-{rng.randrange(4)}-{rng.randrange(40)}")
    if choice == 2:
        start = START + timedelta(minutes=rng.randrange(0, 60))
        return SearchFilters(start=start, end=start + timedelta(minutes=10))
    service = rng.choice(["payments", "membership", "hdfs", "db"])
    return SearchFilters(levels=["ERROR", "FATAL"], service=service)


def time_queries(
    store: LogIndex, queries: list[str], filters: list[SearchFilters | None], mode: str
) -> list[float]:
    timings = []
    for query, flt in zip(queries, filters, strict=True):
        started = time.perf_counter()
        store.search(SESSION, query, filters=flt, k=20, mode=mode)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def time_retrieve_step(store: LogIndex, queries: list[str]) -> list[float]:
    """The whole retrieve step per question: rule refine, identifier and anchor tiers, the hybrid
    search, counts and pattern stats (what a turn runs after its fetch)."""
    retriever = Retriever(store)
    refiner = RuleRefiner()
    timings = []
    for query in queries:
        started = time.perf_counter()
        plan = refiner.refine(query, now=START + timedelta(hours=2))
        retriever.retrieve(SESSION, plan, k=10)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--fake-embedder", action="store_true", help="use the hashing embedder")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    console = Console()
    embedder = make_embedder(args.fake_embedder)
    console.print(f"embedder: {type(embedder).__name__}; load average at start: {os.getloadavg()[0]:.2f}")
    rng = random.Random(7)
    results = Table(title="log store: ingest and query latency")
    for column in ("records", "ingest s", "shapes embedded", "mode", "filters", "p50 ms", "p95 ms", "max ms"):
        results.add_column(column, justify="right")
    with tempfile.TemporaryDirectory(prefix="bench-logstore-") as folder:
        store = LogIndex(folder, embedder)
        stored = 0
        identifiers: list[str] = []
        for size in sizes:
            records, ids = make_records(size - stored, seed=size, offset=stored)
            identifiers += ids
            started = time.perf_counter()
            stats = store.ingest(SESSION, TABLE, records)
            ingest_s = time.perf_counter() - started
            stored = store.count(SESSION)
            queries = [
                rng.choice(identifiers) if identifiers and rng.random() < 0.4 else rng.choice(QUESTIONS)
                for _ in range(args.queries)
            ]
            # Warm up (first query loads the table's shape vectors and index pages).
            store.search(SESSION, "warm up", k=20)
            for mode in ("hybrid", "fts", "vector"):
                for label, flt in (
                    ("none", [None] * len(queries)),
                    ("random", [random_filters(rng) for _ in queries]),
                ):
                    if mode != "hybrid" and label == "random":
                        continue
                    timings = time_queries(store, queries, flt, mode)
                    p50, p95 = percentile(timings, 50), percentile(timings, 95)
                    results.add_row(
                        f"{stored:,}", f"{ingest_s:.1f}", str(stats.shapes_embedded), mode, label,
                        f"{p50:.1f}", f"{p95:.1f}", f"{max(timings):.1f}",
                    )  # fmt: skip
            timings = time_retrieve_step(store, queries)
            results.add_row(
                f"{stored:,}", f"{ingest_s:.1f}", str(stats.shapes_embedded), "retrieve step", "question",
                f"{percentile(timings, 50):.1f}", f"{percentile(timings, 95):.1f}", f"{max(timings):.1f}",
            )  # fmt: skip
    console.print(results)
    console.print(
        f"load average at end: {os.getloadavg()[0]:.2f} (other work on the machine skews the numbers)"
    )


if __name__ == "__main__":
    main()

"""Suspect ranking: is the planted faulty service first (top-1) or among the first three (top-3)?

Usage: python bench/bench_suspects.py [--incidents DIR | --seed N] [--anonymous] [--verbose]

Without --incidents it generates the incidents of `incidents/generate_suspects.py` into a temp
folder first (deterministic; `--seed N` shifts every seed: the same kinds of incidents with other
traffic, other vocabularies drawn, other pods: a check that the figures are not one draw's luck;
`--anonymous`: callers write only status words, never what they called: blame has nothing to read).
Each incident's logs.jsonl is read by the real file connector and cleaned by the real clean step
(redaction included), as a session stores them; then:

- the ranking: `sre_agent.suspects.rank_suspects` over every line (no service config: cold);
- the naive rule beside it: the service whose ERROR lines grew most after the onset (after minus
  before, the before count scaled to the after period's length), given the planted onset;
- what each signal adds: the ranking again with one signal left out, top-1 / top-3 over all;
- the cost: the ranking's time per incident, and per 10,000 lines.

A top-k hit is the cause's service among the first k *distinct services or hosts* the list names
(a pod or change entry counts for its service).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "incidents"))

from sre_agent.clean import clean_records  # noqa: E402
from sre_agent.connectors import FileLogstore  # noqa: E402
from sre_agent.models import CleanRecord, LogQuery  # noqa: E402
from sre_agent.suspect_signals import service_of  # noqa: E402
from sre_agent.suspects import WEIGHTS, rank_suspects  # noqa: E402

SIGNALS = list(WEIGHTS)


def naive(rows: list[CleanRecord], onset: datetime) -> list[str]:
    """Services by how much their ERROR lines grew after the onset."""
    start, end = rows[0].timestamp, rows[-1].timestamp
    before_s = max((onset - start).total_seconds(), 0.0)
    after_s = max((end - onset).total_seconds(), 1.0)
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    for row in rows:
        if row.level in ("ERROR", "FATAL"):
            (after if row.timestamp >= onset else before)[service_of(row)] += 1
    growth = {
        s: after[s] - (before[s] * after_s / before_s if before_s else 0.0) for s in set(before) | set(after)
    }
    return sorted(growth, key=lambda s: (-growth[s], s))


def hits(order: list[str], cause: str) -> tuple[int, int]:
    return int(order[:1] == [cause]), int(cause in order[:3])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--incidents", type=Path, help="a folder of generated incidents (default: generate)")
    ap.add_argument("--seed", type=int, default=0, help="generate with this seed offset (held-out incidents)")
    ap.add_argument("--anonymous", action="store_true", help="generate callers that name nothing they called")
    ap.add_argument("--verbose", action="store_true", help="print each incident's first suspects")
    args = ap.parse_args()
    folder = args.incidents
    if folder is None:
        import generate_suspects

        folder = Path(tempfile.mkdtemp(prefix="suspect-incidents-"))
        generate_suspects.main(
            ["--out", str(folder), "--seed", str(args.seed)] + (["--anonymous"] if args.anonymous else [])
        )
    by_kind: dict[str, list[tuple[int, int, int, int]]] = defaultdict(list)
    ablated: dict[str, list[tuple[int, int]]] = defaultdict(list)
    timings: list[tuple[int, float]] = []
    for path in sorted(p.parent for p in folder.glob("*/incident.json")):
        incident = json.loads((path / "incident.json").read_text())
        cause = incident["cause"]
        fetched = FileLogstore(path / "logs.jsonl").fetch(LogQuery(limit=1_000_000))
        rows = sorted(clean_records(fetched.records, None).records, key=lambda r: r.timestamp)
        started = time.perf_counter()
        ranking = rank_suspects(rows)
        timings.append((len(rows), time.perf_counter() - started))
        order = ranking.services()
        plain = naive(rows, datetime.fromisoformat(cause["onset"]))
        by_kind[cause["kind"]].append((*hits(order, cause["service"]), *hits(plain, cause["service"])))
        for signal in SIGNALS:
            ablated[signal].append(hits(rank_suspects(rows, disabled=[signal]).services(), cause["service"]))
        if args.verbose:
            mark = "ok " if order[:1] == [cause["service"]] else "   "
            print(
                f"{mark}{incident['id']} ({len(rows)} lines; {ranking.confidence}): cause {cause['service']}"
            )
            for s in ranking.suspects[:3]:
                print(f"      {s.kind} {s.name} {s.score:.2f} {s.signals}")
            print(f"      naive: {plain[:3]}")
    print(f"\n{'fault kind':<12} {'n':>3} {'top-1':>6} {'top-3':>6} {'naive top-1':>12} {'naive top-3':>12}")
    every = [h for rows in by_kind.values() for h in rows]
    for kind, rows in [*sorted(by_kind.items()), ("all", every)]:
        n = len(rows)
        cols = [sum(r[i] for r in rows) / n for i in range(4)]
        print(f"{kind:<12} {n:>3} {cols[0]:>6.2f} {cols[1]:>6.2f} {cols[2]:>12.2f} {cols[3]:>12.2f}")
    print("\nwithout one signal (all incidents):")
    for signal in SIGNALS:
        rows = ablated[signal]
        top1, top3 = (sum(r[i] for r in rows) / len(rows) for i in range(2))
        print(f"  without {signal:<8} top-1 {top1:.2f}  top-3 {top3:.2f}")
    per_10k = [seconds * 10_000 / lines for lines, seconds in timings]
    largest = max(timings)
    print(
        f"\nranking time: median {statistics.median(per_10k) * 1000:.0f} ms per 10k lines, "
        f"max {max(per_10k) * 1000:.0f} ms; largest incident {largest[0]} lines in {largest[1] * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

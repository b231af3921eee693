"""Redaction against the adversarial corpus: what leaked, what was wrongly redacted, and how fast.

Usage: python bench/bench_redaction.py [--corpus FILE] [--logs FILE] [--repeat N] [--show N]

The corpus (default tests/data/redaction_corpus.jsonl, written by bench/make_redaction_corpus.py)
holds lines with planted secrets and benign lines. A planted line *leaks* when any of its
secrets is still in the redacted text; a benign line is *falsely redacted* when redaction changed
it at all. The table prints, per kind: items, leaked, falsely redacted, and the leak rate.

Speed is CPU µs a line and ms per MB of text (process time, so other work on a shared machine
counts less), best of N runs (default 5), over the corpus and over
`--logs` (JSONL from bench/make_big_logs.py; each record's `message` is redacted), which is what
ordinary traffic costs: `python bench/make_big_logs.py /tmp/rr.jsonl --lines 20000`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sre_agent.redact import Redactor  # noqa: E402

DEFAULT_CORPUS = ROOT / "tests" / "data" / "redaction_corpus.jsonl"


def leaked(row: dict, out: str) -> bool:
    return any(secret in out for secret in row["secrets"])


def speed(redactor: Redactor, lines: list[str], repeat: int) -> tuple[float, float]:
    """(µs a line, ms per MB) of `redactor.redact` over `lines`, best of `repeat` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for line in lines:
            redactor.redact(line)
        best = min(best, time.process_time() - start)
    megabytes = sum(len(line.encode()) for line in lines) / 1e6
    return best / len(lines) * 1e6, best * 1e3 / megabytes


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--logs", type=Path, help="JSONL of ordinary traffic (bench/make_big_logs.py) to time")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--show", type=int, default=0, help="print up to N leaked / falsely redacted lines per kind"
    )
    args = ap.parse_args()
    rows = [json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    redactor = Redactor.for_config(None)

    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # items, leaked, false
    examples: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        out = redactor.redact(row["line"])
        s = stats[row["kind"]]
        s[0] += 1
        bad = leaked(row, out) if row["secrets"] else out != row["line"]
        if bad:
            s[1 if row["secrets"] else 2] += 1
            examples[row["kind"]].append(f"[{row['format']}] {out[:200]}")

    table = Table(title=f"Redaction over {args.corpus.name}")
    for column in ("kind", "items", "leaked", "falsely redacted", "rate"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    planted = leaks = benign = false = 0
    for kind in sorted(stats, key=lambda k: (k == "benign", k)):
        items, n_leaked, n_false = stats[kind]
        bad = n_false if kind == "benign" else n_leaked
        table.add_row(kind, str(items), str(n_leaked), str(n_false), f"{bad / items:.1%}")
        if kind == "benign":
            benign, false = benign + items, false + n_false
        else:
            planted, leaks = planted + items, leaks + n_leaked
    table.add_section()
    table.add_row("planted, all", str(planted), str(leaks), "", f"{leaks / max(planted, 1):.1%}")
    table.add_row("benign, all", str(benign), "", str(false), f"{false / max(benign, 1):.1%}")
    console = Console()
    console.print(table)

    if args.show:
        for kind, lines in sorted(examples.items()):
            console.print(f"[bold]{kind}[/bold]")
            for line in lines[: args.show]:
                print("  " + line)

    timing = Table(title=f"Speed (CPU time), best of {args.repeat}")
    for column in ("text", "lines", "µs / line", "ms / MB"):
        timing.add_column(column, justify="left" if column == "text" else "right")
    us, ms = speed(redactor, [r["line"] for r in rows], args.repeat)
    timing.add_row("corpus", str(len(rows)), f"{us:.1f}", f"{ms:.0f}")
    if args.logs:
        messages = []
        for line in args.logs.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            messages.append(str(record.get("message") or record.get("msg") or line))
        us, ms = speed(redactor, messages, args.repeat)
        timing.add_row(f"{args.logs.name} (messages)", str(len(messages)), f"{us:.1f}", f"{ms:.0f}")
        us, ms = speed(redactor, args.logs.read_text(encoding="utf-8").splitlines(), args.repeat)
        timing.add_row(f"{args.logs.name} (whole lines)", str(len(messages)), f"{us:.1f}", f"{ms:.0f}")
    console.print(timing)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

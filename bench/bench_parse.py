"""Reading JSONL: microseconds a line for `parse_jsonl_line` (fields found whatever the shipper calls them).

Usage: python bench/bench_parse.py [--repeat N]

Each sample incident's `logs.jsonl` is parsed N times (default 5); the table prints lines, seconds
and µs per line. Measures only the parsing, not the file reading or the query filters.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sre_agent.connectors.file import parse_jsonl_line  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    table = Table(title="parse_jsonl_line, one core")
    for column in ("logs", "lines", "seconds", "µs / line"):
        table.add_column(column, justify="right" if column != "logs" else "left")
    paths = sorted((ROOT / "bench/incidents").glob("*/logs.jsonl")) + sorted(
        (ROOT / "incidents").glob("*/logs.jsonl")
    )
    for path in paths:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] * args.repeat
        started = time.perf_counter()
        for n, line in enumerate(lines, 1):
            parse_jsonl_line(line, source=str(path), line=n)
        seconds = time.perf_counter() - started
        table.add_row(
            path.parent.name, str(len(lines)), f"{seconds:.3f}", f"{seconds / len(lines) * 1e6:.1f}"
        )
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Writes a big synthetic log for the ingest and fetch benches: a long stretch of ordinary traffic
(several services, varied ids, numbers and messages) and, in its newest hour only, a fault.

Usage: python bench/make_big_logs.py OUT --lines N [--text] [--days D] [--seed S]

JSONL by default (one object per line, field names of a common shipper); `--text` writes plain
text lines (`2025-03-18T14:05:00.123Z ERROR checkout ...`). The fault's lines ("payment gateway
timed out after 30000 ms", then "checkout failed: upstream payments returned 503") begin 40
minutes before the end, preceded by a deploy line, so a question about the newest hour has
something to find that the oldest records do not hold.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

END = datetime(2025, 3, 18, 15, 0, tzinfo=UTC)
SERVICES = ["checkout", "cart", "catalog", "payments", "auth", "search", "shipping"]
ROUTINE = [
    ("INFO", "GET /api/v1/{svc}/items/{n} 200 in {ms} ms"),
    ("INFO", "user {user} signed in from 10.{a}.{b}.{c}"),
    ("INFO", "order {order} created with {n} items, total {ms}.{b} EUR"),
    ("DEBUG", "cache hit for key {svc}:{n} (age {ms} ms)"),
    ("INFO", "job export-{n} finished in {ms} ms, {a} rows"),
    ("WARN", "slow query on table {svc}_{a} took {ms} ms"),
    ("INFO", "connection pool stats: active {a}/50 idle {b}"),
    ("ERROR", "request {order} to {svc} failed: connection reset by peer"),
    ("INFO", "health check ok ({ms} ms)"),
    ("WARN", "retrying call to {svc} (attempt {a} of 3)"),
]
FAULT = [
    ("ERROR", "payment gateway timed out after 30000 ms for order {order}"),
    ("ERROR", "checkout failed: upstream payments returned 503 for order {order}"),
    ("WARN", "circuit breaker payments-gateway half-open after {a} failures"),
]


def lines(n: int, days: float, rng: random.Random, text: bool):
    start = END - timedelta(days=days)
    step = (END - start) / n
    fault_from = END - timedelta(minutes=40)
    deploy_done = False
    for i in range(n):
        ts = start + step * i
        if ts >= fault_from - timedelta(minutes=2) and not deploy_done:
            deploy_done = True
            yield _line(
                ts,
                "INFO",
                "payments",
                "deploy payments v2.14.0 rolled out (config: gateway_timeout_ms 30000)",
                text,
            )
            continue
        if ts >= fault_from and rng.random() < 0.3:
            level, tpl = rng.choice(FAULT)
            svc = "checkout" if "checkout" in tpl else "payments"
        else:
            level, tpl = rng.choice(ROUTINE)
            svc = rng.choice(SERVICES)
        msg = tpl.format(
            svc=svc,
            n=rng.randrange(1, 5000),
            ms=rng.randrange(1, 3000),
            user=rng.randrange(1000, 99999),
            order=f"ord-{rng.randrange(10**6, 10**7)}",
            a=rng.randrange(0, 50),
            b=rng.randrange(0, 255),
            c=rng.randrange(1, 255),
        )
        yield _line(ts, level, svc, msg, text)


def _line(ts: datetime, level: str, svc: str, msg: str, text: bool) -> str:
    stamp = ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"
    if text:
        return f"{stamp} {level} {svc} {msg}"
    return json.dumps(
        {"@timestamp": stamp, "log.level": level, "service.name": svc, "message": msg, "env": "prod"}
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--days", type=float, default=365.0)
    ap.add_argument("--text", action="store_true")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with args.out.open("w", encoding="utf-8") as fh:
        for line in lines(args.lines, args.days, rng, args.text):
            fh.write(line + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

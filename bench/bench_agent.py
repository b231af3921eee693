"""Agent overhead per turn with a scripted LLM: everything but the LLM's own time.

Usage: python bench/bench_agent.py [--turns N] [--stream/--no-stream] [--out DIR]

A local OpenAI-compatible server (tests/fakes/chat_server.py) plays the LLM: for a user message
it calls a tool (search_logstore on the first turn, retrieve_stored_logs after), for a tool
result it answers at once. Every turn runs through the real agent (FunctionAgent, OpenAILike
over HTTP, SQLite memory, redaction, tools over LanceDB). Overhead = turn wall time − time
inside our tools; the LLM server runs in a process of its own and answers from a script, so its
own time is the HTTP round trip on 127.0.0.1, which is counted as overhead (conservative).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from contextlib import contextmanager
from multiprocessing import Event, Process, Queue, Value
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fakes.chat_server import Text, ToolCalls, ToolCallSpec, serve_chat  # noqa: E402

from sre_agent.engine import Engine  # noqa: E402
from sre_agent.settings import Settings  # noqa: E402

LOGS = ROOT / "incidents/membership-dynamodb-throttling/logs.jsonl"
QUESTIONS = [
    "why is GetMembership failing for user 123 in prod?",
    "are we being rate limited by the database?",
    "did someone ship something right before the errors started?",
    "what went wrong between 14:00 and 14:20?",
    "which pods logged DEADLINE_EXCEEDED?",
]


def responder(body: dict) -> object:
    """Search terms for the refine step; for the agent, a tool for a user message, an answer after it."""
    messages = body["messages"]
    last = messages[-1]
    if not body.get("tools"):  # the refine step's call: search terms as JSON
        return Text('{"terms": ["ProvisionedThroughputExceededException", "DEADLINE_EXCEEDED"]}')
    if last["role"] == "tool":
        return Text("**Summary**: DynamoDB throttled reads of table memberships; see the evidence above.")
    fetched = any(m["role"] == "tool" for m in messages)
    if not fetched:
        return ToolCalls(
            [
                ToolCallSpec(
                    "search_logstore", {"method": "GetMembership", "query": str(last["content"])[:200]}
                )
            ]
        )
    return ToolCalls([ToolCallSpec("retrieve_stored_logs", {"query": str(last["content"])[:200]})])


def _serve(url: Queue, stop: Event, calls: Value) -> None:
    with serve_chat(responder=responder) as chat:
        url.put(chat.base_url)
        stop.wait()
        calls.value = len(chat.chat_requests)


@contextmanager
def _llm_in_another_process():
    """The scripted LLM in its own process, so its work does not count as ours (no shared GIL)."""
    url: Queue = Queue()
    stop, calls = Event(), Value("i", 0)
    server = Process(target=_serve, args=(url, stop, calls), daemon=True)
    server.start()
    try:
        yield url.get(timeout=30), calls
    finally:
        stop.set()
        server.join(timeout=10)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--turns", type=int, default=20)
    ap.add_argument("--stream", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--out", default=str(ROOT / "bench/out"))
    args = ap.parse_args()
    rows = []
    with _llm_in_another_process() as (base_url, calls):
        settings = Settings(
            data_dir=Path(args.out) / "data-agent",
            llm_base_url=base_url,
            llm_max_retries=0,
            llm_stream=args.stream,
        )
        engine = Engine(settings)

        async def run() -> None:
            await engine.reset("bench-agent")
            # The first turn pays the model load and the first ingest: reported, not in the figures.
            first = await engine.ask(QUESTIONS[0], session="bench-agent", logs=LOGS, service="membership")
            assert first.mode == "llm", first.fallback_reason
            rows.append(("first", first.seconds, first.tool_seconds))
            for i in range(args.turns):
                q = QUESTIONS[1 + i % (len(QUESTIONS) - 1)]
                answer = await engine.ask(q, session="bench-agent", logs=LOGS, service="membership")
                assert answer.mode == "llm", answer.fallback_reason
                rows.append((q, answer.seconds, answer.tool_seconds))

        started = time.perf_counter()
        asyncio.run(run())
        wall = time.perf_counter() - started
    requests = calls.value
    turns = rows[1:]
    overhead = [total - tools for _, total, tools in turns]
    totals = [total for _, total, _ in turns]
    tools = [t for _, _, t in turns]
    title = f"agent turn with a scripted LLM (stream={args.stream}; {len(turns)} turns, {requests} LLM calls)"
    table = Table(title=title)
    for name in ("", "p50 ms", "p95 ms", "mean ms"):
        table.add_column(name, justify="right" if name else "left")
    for name, values in (("turn total", totals), ("in tools", tools), ("agent overhead", overhead)):
        table.add_row(
            name,
            f"{_p(values, 0.5) * 1000:.0f}",
            f"{_p(values, 0.95) * 1000:.0f}",
            f"{statistics.mean(values) * 1000:.0f}",
        )
    Console().print(table)
    print(f"first turn (model load + first ingest): {rows[0][1]:.2f}s; whole run {wall:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

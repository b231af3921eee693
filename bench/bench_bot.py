"""The Slack bot under a burst: N questions in N threads at once through its HTTP endpoint.

Usage: python bench/bench_bot.py [--questions 20] [--workers 4] [--retries 5] [--stream] [--llm]

The real bot (`sre-agent bot --http`: bolt's WSGI adapter on waitress, the engine with the local
embedding model and LanceDB in a temp folder) answers @mentions posted, signed, all at once to
POST /slack/events; a fake Slack Web API on 127.0.0.1 (tests/fakes/slack_server.py) records
what the bot sends. `--retries K` re-sends K of the events with X-Slack-Retry-Num, as Slack
does when it thinks an ack was lost. Offline triage by default; `--llm` uses a scripted
OpenAI-compatible server (one tool call, then an answer).

Measured: ack time (the HTTP response Slack waits for; Slack's limit is 3 s), time until each
answer is posted, and whether every thread got exactly one answer in its own thread.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fakes.chat_server import Text, ToolCalls, ToolCallSpec, serve_chat  # noqa: E402
from fakes.slack_server import serve_slack  # noqa: E402
from slack_harness import running_bot  # noqa: E402

from sre_agent.embeddings import build_embedder  # noqa: E402
from sre_agent.settings import Settings  # noqa: E402

QUESTIONS = [
    "why is GetMembership failing for user {n} in prod?",
    "were there DynamoDB throttling errors for GetMembership?",
    "what went wrong with ListMemberships between 14:00 and 14:20?",
    "which pods logged DEADLINE_EXCEEDED for GetMembership?",
    "did AddMember fail for user {n}?",
]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def responder(body: dict) -> object:
    last = body["messages"][-1]
    if last["role"] == "tool":
        return Text("**Summary**: DynamoDB throttled reads of table memberships.")
    return ToolCalls([ToolCallSpec("search_logstore", {"method": "GetMembership", "query": "failures"})])


def run(args: argparse.Namespace) -> None:
    console = Console()
    embedder = build_embedder(Settings(data_dir=Path(tempfile.mkdtemp()) / "warm"))
    embedder.get_text_embedding("warm up")
    overrides: dict = {"slack_workers": args.workers, "slack_stream": "on" if args.stream else "off"}
    chat_cm = serve_chat(responder=responder) if args.llm else None
    chat = chat_cm.__enter__() if chat_cm else None
    if chat is not None:
        overrides.update(llm_backend="openai", llm_base_url=chat.base_url, llm_api_key="k", llm_refine=False)
    data = Path(tempfile.mkdtemp(prefix="bench-bot-"))
    try:
        with (
            serve_slack(streaming=args.stream) as slack,
            running_bot(data, slack, embedder, **overrides) as bot,
        ):
            asked: list[tuple[str, str]] = []
            for i in range(args.questions):
                channel = f"C{i % 3:04d}OPS"
                text = QUESTIONS[i % len(QUESTIONS)].format(n=100 + i)
                ts = slack.add_user_message(channel, f"<@{slack.bot_user_id}> {text}", f"U{i:04d}")
                bot.threads[ts] = ts
                asked.append((channel, ts))

            def post(i: int) -> tuple[float, float, int]:
                channel, ts = asked[i % len(asked)]
                text = QUESTIONS[i % len(QUESTIONS)].format(n=100 + i % len(asked))
                retry = 1 if i >= len(asked) else None
                started = time.monotonic()
                _, response = bot.mention(
                    text, channel=channel, user=f"U{i % len(asked):04d}", ts=ts, retry=retry
                )
                return started, time.monotonic() - started, response.status_code

            total = args.questions + args.retries
            began = time.monotonic()
            with ThreadPoolExecutor(max_workers=total) as pool:
                results = list(pool.map(post, range(total)))
            starts = {asked[i][1]: results[i][0] for i in range(args.questions)}
            for channel, ts in asked:
                slack.wait_for(lambda s, c=channel, t=ts: bot.answered(c, t) >= 1, timeout=600)
            time.sleep(1.0)  # let a duplicate, if any, show up
            wall = time.monotonic() - began

            acks = [r[1] for r in results]
            answered_at = {}
            for call in slack.calls_to("reactions.add"):
                if call.args.get("name") == "white_check_mark":
                    answered_at.setdefault(str(call.args["timestamp"]), call.at)
            answer_secs = [answered_at[ts] - starts[ts] for _, ts in asked]
            per_thread = [bot.answered(c, t) for c, t in asked]
            statuses = [
                sum(1 for m in slack.messages(c, t) if m.streamed or "Done in" in m.text) for c, t in asked
            ]
            stray = [m for c in {c for c, _ in asked} for m in slack.messages(c) if not m.thread_ts]
    finally:
        if chat_cm:
            chat_cm.__exit__(None, None, None)

    table = Table(title=f"bot burst: {args.questions} threads at once (+{args.retries} retried events)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row(
        "answer path",
        ("LLM (scripted)" if args.llm else "offline triage") + (", streamed" if args.stream else ""),
    )
    table.add_row("workers (SRE_AGENT_SLACK_WORKERS)", str(args.workers))
    table.add_row("HTTP status of every post", ", ".join(sorted({str(r[2]) for r in results})))
    table.add_row(
        "ack p50 / p99 / max",
        f"{pct(acks, 0.5) * 1000:.0f} / {pct(acks, 0.99) * 1000:.0f} / {max(acks) * 1000:.0f} ms",
    )
    table.add_row(
        "answer posted p50 / p95 / max",
        f"{pct(answer_secs, 0.5):.1f} / {pct(answer_secs, 0.95):.1f} / {max(answer_secs):.1f} s",
    )
    table.add_row("all answered, wall time", f"{wall:.1f} s")
    table.add_row("threads answered exactly once", f"{sum(1 for n in per_thread if n == 1)}/{len(asked)}")
    table.add_row(
        "threads with one status/stream message", f"{sum(1 for n in statuses if n == 1)}/{len(asked)}"
    )
    table.add_row("messages posted outside a thread", str(len(stray)))
    console.print(table)
    ok = all(n == 1 for n in per_thread) and all(n == 1 for n in statuses) and not stray
    console.print(
        "[green]every question answered once, in its own thread[/green]"
        if ok
        else "[red]LOST OR DUPLICATED[/red]"
    )
    if not ok:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--retries", type=int, default=5, help="events re-sent with X-Slack-Retry-Num")
    parser.add_argument("--stream", action="store_true", help="a workspace that takes chat streams")
    parser.add_argument("--llm", action="store_true", help="answer with a scripted LLM, not offline triage")
    run(parser.parse_args())


if __name__ == "__main__":
    main()

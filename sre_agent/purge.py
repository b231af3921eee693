"""What the nightly purge (and `sre-agent sessions purge`) drops: every session's tables and chat
history, the Slack thread → session map, and the run traces that expired (all of them with
SRE_AGENT_TRACE_PURGE). The bot's `bot/purge.py` schedules it and holds new questions meanwhile."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from sre_agent.engine import Engine
from sre_agent.thread_sessions import ThreadSessions, threads_path


@dataclass(frozen=True)
class PurgeReport:
    """What a purge dropped."""

    sessions: int  # sessions whose tables were dropped
    threads: int  # live Slack threads forgotten
    still_running: int  # questions that had not finished when the purge went ahead (the bot's gate)
    seconds: float
    traces: int = 0  # run traces removed: expired ones, or all with SRE_AGENT_TRACE_PURGE


def purge_everything(engine: Engine) -> PurgeReport:
    """Drop every session's tables and chat history, forget the Slack threads, prune the traces.
    Idempotent."""
    started = time.perf_counter()
    dropped = asyncio.run(engine.purge_all())
    path = threads_path(engine.settings)
    threads = ThreadSessions(path).clear() if path.is_file() else 0
    traces = engine.traces.clear() if engine.settings.trace_purge else engine.traces.prune()
    seconds = time.perf_counter() - started
    return PurgeReport(sessions=dropped, threads=threads, still_running=0, seconds=seconds, traces=traces)

"""A fetch the record limit cuts keeps the newest records and says so, first, in every answer.

What a user of a big log must be able to trust: the incident in the newest hour is read even when
the file holds a year before it, and the answer opens by saying how much matched, how much was
read, which span that covers and how to widen. Real files, a real LanceDB and the real model.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.chat_server import Text, ToolCalls, ToolCallSpec, serve_chat
from fakes.slack_server import serve_slack
from slack_harness import running_bot
from typer.testing import CliRunner

from sre_agent.agent.investigator import AgentEvent
from sre_agent.cli import app
from sre_agent.connectors import FileLogstore
from sre_agent.connectors.base import FetchResult
from sre_agent.connectors.newest import NewestKept, keep_newest
from sre_agent.connectors.remote import keep_matching
from sre_agent.engine import Engine
from sre_agent.models import LogQuery, LogRecord, TimeWindow
from sre_agent.settings import Settings
from sre_agent.sources import read_spans

pytestmark = pytest.mark.slow  # files of 300k lines: `make test-fast` skips this file

runner = CliRunner()
END = datetime(2025, 3, 18, 15, 0, tzinfo=UTC)
FAULT = "payment gateway timed out after 30000 ms for order ord-{n}"


def _write_log(
    path: Path, lines: int, *, days: float, fault_minutes: int = 40, extra: dict[int, str] | None = None
) -> None:
    """`lines` JSONL records spread evenly over `days` ending at END; only the last
    `fault_minutes` hold payment timeouts (every third line there); `extra` replaces line i's
    message by its own (an ERROR)."""
    step = timedelta(days=days) / lines
    start = END - timedelta(days=days)
    fault_from = END - timedelta(minutes=fault_minutes)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(lines):
            ts = start + step * (i + 1)
            if extra and i in extra:
                level, service, message = "ERROR", "storage", extra[i]
            elif ts > fault_from and i % 3 == 0:
                level, service, message = "ERROR", "payments", FAULT.format(n=i)
            else:
                level, service, message = (
                    "INFO",
                    "checkout",
                    f"GET /api/v1/cart/{i % 997} 200 in {i % 300} ms",
                )
            stamp = ts.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            fh.write(json.dumps({"ts": stamp, "level": level, "service": service, "msg": message}) + "\n")


def _record(minute: int, text: str = "x") -> LogRecord:
    return LogRecord(timestamp=END + timedelta(minutes=minute), message=text)


# ------------------------------------------------------------------------- which records are kept


def test_the_newest_records_are_kept_and_the_cut_counts_every_match() -> None:
    kept = NewestKept(3)
    for minute in (5, 1, 9, 3, 7, 2):  # out of order, as merged files are
        kept.offer(_record(minute, f"m{minute}"))
    assert [r.message for r in kept.records()] == ["m5", "m7", "m9"]
    cut = kept.cut()
    assert cut is not None
    assert (cut.limit, cut.read, cut.matched) == (3, 3, 6)
    assert (cut.first, cut.last, cut.matched_first) == (
        END + timedelta(minutes=5),
        END + timedelta(minutes=9),
        END + timedelta(minutes=1),
    )
    assert cut.sentence() == (
        "the fetch limit (3) cut this read: 6 records matched, only the newest 3 were read "
        "(2025-03-18 15:05 → 2025-03-18 15:09 UTC); older ones from 2025-03-18 15:01 UTC on were not read: "
        "ask about a narrower time window, or raise the limit (--limit, SRE_AGENT_FETCH_LIMIT)"
    )


def test_nothing_is_cut_at_the_limit_and_later_lines_win_a_tie() -> None:
    kept = NewestKept(2)
    for text in ("first", "second"):
        kept.offer(_record(0, text))
    assert kept.cut() is None
    kept.offer(_record(0, "third"))  # same second: the later line is the newer one
    assert [r.message for r in kept.records()] == ["second", "third"]
    assert kept.cut() is not None and kept.cut().matched == 3


def test_the_questions_window_is_kept_whole_before_the_newest_of_the_rest() -> None:
    focus = TimeWindow(start=END + timedelta(minutes=2), end=END + timedelta(minutes=3))
    kept = NewestKept(4, focus)
    for minute in range(10):
        kept.offer(_record(minute, f"m{minute}"))
    assert [r.message for r in kept.records()] == ["m2", "m3", "m8", "m9"]
    cut = kept.cut()
    assert cut is not None and (cut.focus_read, cut.focus_whole, cut.matched) == (2, True, 10)
    assert cut.sentence() == (
        "the fetch limit (4) cut this read: 10 records matched, 4 were read: all 2 of the 2 records of the "
        "question's window "
        "(2025-03-18 15:02 → 2025-03-18 15:03 UTC) and the newest 2 others (2025-03-18 15:08 → "
        "2025-03-18 15:09 UTC); older ones from 2025-03-18 15:00 UTC on were not read: ask about a narrower "
        "time window, or raise the limit (--limit, SRE_AGENT_FETCH_LIMIT)"
    )
    # What the session then knows it holds whole: the question's window, and the newest part.
    assert read_spans(TimeWindow(start=END, end=END + timedelta(minutes=9)), cut) == [
        focus,
        TimeWindow(start=END + timedelta(minutes=8), end=END + timedelta(minutes=9)),
    ]
    crowded = NewestKept(1, focus)
    for minute in range(10):
        crowded.offer(_record(minute, f"m{minute}"))
    assert [r.message for r in crowded.records()] == ["m3"]
    assert ": the newest 1 of the 2 records of the question's window (" in crowded.cut().sentence()
    assert crowded.cut().focus_whole is False


def test_a_store_that_stopped_serving_says_more_matched_without_a_count() -> None:
    records = [_record(m) for m in range(10)]
    kept, cut = keep_newest(records, 4, complete=False)
    assert [r.timestamp.minute for r in kept] == [6, 7, 8, 9]
    assert cut is not None and cut.matched is None
    assert cut.sentence().startswith(
        "the fetch limit (4) cut this read: more records matched, only the newest 4"
    )
    # A store serving the oldest first (CloudWatch) that hit its page cap says which part it read.
    result = FetchResult(truncated=True)
    keep_matching(result, records[:3], LogQuery(limit=50), newest_first=False)
    assert result.cut is not None and result.truncated
    assert "only the oldest 3 were read" in result.cut.sentence()
    assert "newer ones were not read" in result.cut.sentence()


def test_the_file_logstore_keeps_the_newest_and_a_window_first(tmp_path: Path) -> None:
    path = tmp_path / "app.jsonl"
    _write_log(path, 600, days=1)
    result = FileLogstore(path).fetch(LogQuery(limit=100))
    assert len(result.records) == 100 and result.cut is not None and result.cut.matched == 600
    assert result.records[-1].timestamp == END and result.records == sorted(
        result.records, key=lambda r: r.timestamp
    )
    faults = sum(FAULT[:20] in line for line in path.read_text().splitlines())
    assert faults == 5 and sum(FAULT[:20] in r.message for r in result.records) == faults
    # Within a window, nothing is cut when it holds fewer records than the limit.
    hour = LogQuery(limit=100, window={"start": END - timedelta(hours=1), "end": END})
    inside = FileLogstore(path).fetch(hour)
    assert inside.cut is None and len(inside.records) == 26  # the window is closed: 14:00 and 15:00 both in


# ------------------------------------------------------------------------------- in the answers


@pytest.fixture
def big_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300,000 records over 30 days; the payment timeouts only in the newest 40 minutes."""
    path = tmp_path_factory.mktemp("big") / "checkout.jsonl"
    _write_log(path, 300_000, days=30)
    return path


def _flat(text: str) -> str:
    """The answer as one line: the terminal wraps it, Markdown marks it up."""
    return " ".join(text.replace("*", "").split())


PARTIAL = re.compile(
    r"⚠ Partial read: the fetch limit \((?P<limit>[\d,]+)\) cut this read: (?P<matched>[\d,]+) records "
    r"matched, only the newest (?P<read>[\d,]+) were read \((?P<span>[^)]*)\)"
)


def test_a_300k_line_log_is_answered_from_its_newest_hour_and_the_cut_is_said_first(
    cli_env: Path, big_log: Path
) -> None:
    result = runner.invoke(app, ["ask", "why are payments failing?", "--logs", str(big_log)])
    assert result.exit_code == 0, result.output
    answer = _flat(result.stdout)
    found = PARTIAL.search(answer)
    assert found is not None, answer[:2000]
    assert (found["limit"], found["matched"], found["read"]) == ("20,000", "300,000", "20,000")
    assert found["span"].endswith("→ 2025-03-18 15:00 UTC")
    # The summary says it is from a partial read, the notes right after it say how, before the
    # evidence; and the fault itself is found.
    summary = answer[answer.index("Summary:") : answer.index("What the fetch found")]
    assert "This is from a partial read: the fetch limit left older records out (see below)." in summary
    assert answer.index("Partial read") < answer.index("Evidence")
    assert "payment gateway timed out after 30000 ms for order ord-" in answer


def test_limit_on_the_command_line_cuts_and_says_how_to_widen(cli_env: Path, tmp_path: Path) -> None:
    path = tmp_path / "small.jsonl"
    _write_log(path, 900, days=1)
    result = runner.invoke(
        app, ["ask", "--retrieve-only", "why are payments failing?", "--logs", str(path), "--limit", "300"]
    )
    assert result.exit_code == 0, result.output
    found = PARTIAL.search(_flat(result.stdout))
    assert found is not None, result.stdout
    assert (found["limit"], found["matched"], found["read"]) == ("300", "900", "300")
    assert "raise the limit (--limit, SRE_AGENT_FETCH_LIMIT)" in _flat(result.stdout)
    bad = runner.invoke(app, ["ask", "why?", "--logs", str(path), "--limit", "0"])
    assert bad.exit_code == 2 and "--limit" in bad.output


def test_the_slack_answer_opens_its_fetch_notes_with_the_cut(tmp_path: Path, embedder) -> None:
    path = tmp_path / "small.jsonl"
    _write_log(path, 900, days=1)
    with (
        serve_slack(streaming=False) as slack,
        running_bot(
            tmp_path / "bot", slack, embedder, bot_logs=path, bot_service=None, fetch_limit=300
        ) as bot,
    ):
        ts, _ = bot.mention("why are payments failing?")
        answer = _flat("\n".join(bot.wait_answer("C0OPS", ts)[1:]))
    found = PARTIAL.search(answer)
    assert found is not None, answer[:2000]
    assert (found["limit"], found["matched"], found["read"]) == ("300", "900", "300")
    assert answer.index("Partial read") < answer.index("Evidence")


OLD_EVENT = "disk quota exceeded on volume vol-7 (used 100%)"


def test_an_older_window_is_fetched_when_the_first_read_was_cut(cli_env: Path, tmp_path: Path) -> None:
    """A question naming a time the newest records do not reach reads that window; so does a
    follow-up in a thread whose first fetch the limit cut (the table cannot hold that time)."""
    path = tmp_path / "ten-days.jsonl"
    _write_log(path, 3000, days=10, extra={600: OLD_EVENT})  # line 600: 2025-03-10 15:00 UTC

    def ask(question: str, session: str):
        asked = runner.invoke(
            app, ["ask", question, "--logs", str(path), "--session", session, "--limit", "500"]
        )
        assert asked.exit_code == 0, asked.output
        return asked

    first = ask("why are payments failing?", "t1")
    assert "Partial read" in first.stdout and OLD_EVENT not in _flat(first.stdout)
    follow_up = ask("what failed on 2025-03-10 at 15:00?", "t1")
    assert OLD_EVENT in _flat(follow_up.stdout)
    assert "search_logstore" in follow_up.stderr  # fetched again, not only searched what was stored
    fresh = ask("what failed on 2025-03-10 at 15:00?", "t2")
    assert OLD_EVENT in _flat(fresh.stdout)


def test_with_an_llm_the_cut_is_streamed_before_the_models_own_words(tmp_path: Path, embedder) -> None:
    path = tmp_path / "small.jsonl"
    _write_log(path, 900, days=1)
    search = ToolCalls([ToolCallSpec("search_logstore", {"query": "payment errors"})])
    with serve_chat(search, Text("**Summary**: the payment gateway times out.")) as chat:
        settings = Settings(
            data_dir=tmp_path / "data",
            llm_base_url=chat.base_url,
            llm_api_key="sk-test",
            llm_max_retries=0,
            llm_refine=False,
            fetch_limit=300,
        )
        events: list[AgentEvent] = []
        answer = asyncio.run(
            Engine(settings, embedder=embedder).ask(
                "why are payments failing?", session="llm", logs=path, on_event=events.append
            )
        )
    assert answer.mode == "llm", answer.fallback_reason
    found = PARTIAL.search(_flat(answer.answer))
    assert found is not None and (found["matched"], found["read"]) == ("900", "300")
    assert answer.answer.startswith("⚠ **Partial read**: the fetch limit (300) cut this read")
    streamed = "".join(e.message for e in events if e.kind == "answer_delta")
    assert streamed.startswith("⚠ **Partial read**") and answer.answer.startswith(streamed)
    assert streamed.endswith("**Summary**: the payment gateway times out.")


def test_a_long_read_says_how_far_it_is_while_it_reads(
    tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big file takes a while to read: the progress says so as it goes, not only at the end."""
    from sre_agent.connectors import file as file_logstore

    monkeypatch.setattr(file_logstore, "PROGRESS_EVERY", 100)  # as every 100,000 on a big file
    path = tmp_path / "steady.jsonl"
    _write_log(path, 450, days=1)
    engine = Engine(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    said: list[str] = []
    asyncio.run(
        engine.search(
            "why are payments failing?", session="p", logs=path, on_progress=lambda e: said.append(e.message)
        )
    )
    reading = [m for m in said if m.startswith("read ")]
    assert [re.sub(r" \(\d+%\)$", "", m) for m in reading] == [
        f"read {n} records of steady.jsonl" for n in (100, 200, 300, 400)
    ]
    shares = [int(re.search(r"\((\d+)%\)$", m).group(1)) for m in reading]
    assert shares == sorted(shares) and 15 <= shares[0] <= 25 and 80 <= shares[-1] <= 90
    assert said.index(reading[-1]) < next(i for i, m in enumerate(said) if m.startswith("fetched "))


def test_a_first_question_reads_its_window_first_in_a_file_whose_clock_its_times_state(
    cli_env: Path, tmp_path: Path
) -> None:
    """One day of `…Z` times, over the limit: the snapshot's clock is read with its span, so the
    first question's "between 03:00 and 03:30" is read exactly first, not widened by 14 h (which
    swallowed the whole day and kept only its newest records)."""
    path = tmp_path / "one-day.jsonl"
    _write_log(path, 2400, days=1, extra={150: OLD_EVENT})  # one line a 36 s; line 150: 2025-03-17 16:30
    asked = runner.invoke(
        app,
        [
            "ask",
            "what went wrong between 16:15 and 16:45 on 2025-03-17?",
            "--logs",
            str(path),
            "--limit",
            "300",
        ],
    )
    assert asked.exit_code == 0, asked.output
    said = _flat(asked.stdout)
    assert (
        "all 51 of the 51 records of the question's window (2025-03-17 16:15 → 2025-03-17 16:45 UTC)" in said
    )
    assert OLD_EVENT in _flat(asked.stdout)

"""The Slack `trace` word end to end: the real bolt app and engine (offline triage over the sample
incident) against the fake Slack, which takes files the v2 way. `trace` in a thread posts the last
run's summary there and uploads its HTML picture to the thread; a refused upload costs one line."""

from __future__ import annotations

import re
from pathlib import Path

from fakes.slack_server import FakeSlack, serve_slack
from slack_harness import Bot, running_bot

CHANNEL = "C0OPS"
QUESTION = "why is GetMembership failing for user 123 in prod?"
RUN_ID = re.compile(r"_run `(\d{8}-\d{6}-[0-9a-f]{6})`_")
NO_RUN = "No run in this thread yet — ask a question first."


def texts(bot: Bot, channel: str, thread_ts: str) -> list[str]:
    """The bot's text messages in a thread (not the ones only carrying a file)."""
    return [m.text for m in bot.slack.messages(channel, thread_ts) if not m.files]


def said_after(bot: Bot, channel: str, thread_ts: str, before: int, count: int = 1) -> list[str]:
    """The bot's next `count` text messages in the thread, after the first `before`."""
    bot.slack.wait_for(lambda s: len(texts(bot, channel, thread_ts)) >= before + count, timeout=10)
    return texts(bot, channel, thread_ts)[before:]


def ephemerals(slack: FakeSlack) -> list[str]:
    return [str(c.args.get("text")) for c in slack.calls_to("response_url")]


def test_trace_posts_the_summary_and_uploads_the_picture_even_without_the_scope(
    tmp_path: Path, embedder
) -> None:
    with serve_slack(streaming=False) as slack, running_bot(tmp_path, slack, embedder) as bot:
        ts, _ = bot.mention(QUESTION)
        match = RUN_ID.search(bot.wait_answer(CHANNEL, ts)[-1])
        assert match
        run_id = match.group(1)

        # `trace` in the thread: the summary of that run, then its picture as a file in the thread.
        before = len(texts(bot, CHANNEL, ts))
        bot.mention("trace", thread_ts=ts)
        slack.wait_for(lambda s: len(s.uploads(CHANNEL, ts)) == 1, timeout=20)
        [summary] = said_after(bot, CHANNEL, ts, before)
        assert f"Run `{run_id}`" in summary and "Tool calls" in summary and "search_logstore" in summary
        [upload] = slack.uploads(CHANNEL, ts)
        assert (upload.filename, upload.title) == (f"run-{run_id}.html", f"Run {run_id}")
        page = upload.text
        assert page.lstrip().lower().startswith("<!doctype html") and run_id in page
        assert 'data-node="fetch"' in page
        assert "could not upload" not in summary

        # Without files:write: the summary still comes, then one line saying what is missing.
        slack.fail_next("files.getUploadURLExternal", error="missing_scope", needed="files:write")
        before = len(texts(bot, CHANNEL, ts))
        bot.mention("Trace", thread_ts=ts)
        summary, line = said_after(bot, CHANNEL, ts, before, count=2)
        assert f"Run `{run_id}`" in summary
        assert "could not upload the picture" in line and "missing_scope" in line and "files:write" in line
        assert f"sre-agent runs show {run_id} --html run.html" in line
        assert "Traceback" not in summary + line
        assert len(slack.uploads(CHANNEL, ts)) == 1  # nothing more was shared

        # The bot goes on answering, and `trace` follows the thread's latest run.
        bot.mention("were the GetMembership errors DynamoDB throttling?", thread_ts=ts)
        match = RUN_ID.search(bot.wait_answer(CHANNEL, ts, count=2)[-1])
        assert match and match.group(1) != run_id
        second = match.group(1)

        # `/sre trace`: the summary only to the asker; the picture goes to their latest thread.
        bot.command("trace")
        slack.wait_for(lambda s: len(s.uploads(CHANNEL, ts)) == 2, timeout=20)
        slack.wait_for(lambda s: len(ephemerals(s)) >= 2, timeout=10)
        summary, note = ephemerals(slack)
        assert f"Run `{second}`" in summary and "in your thread" in note
        assert slack.uploads(CHANNEL, ts)[-1].filename == f"run-{second}.html"
        assert second in slack.uploads(CHANNEL, ts)[-1].text
        assert all("asked: trace" not in m.text for m in slack.messages(CHANNEL))


def test_trace_without_a_run_is_a_friendly_line_in_threads_dms_and_via_sre(tmp_path: Path, embedder) -> None:
    with serve_slack(streaming=False) as slack, running_bot(tmp_path, slack, embedder) as bot:
        root = slack.add_user_message(CHANNEL, "anyone seen checkout errors?", "U0BOB")
        bot.mention("trace", thread_ts=root)
        assert said_after(bot, CHANNEL, root, 0) == [NO_RUN]

        ts, _ = bot.dm("trace", channel="D0ALICE")
        assert said_after(bot, "D0ALICE", ts, 0) == [NO_RUN]

        bot.command("trace")
        slack.wait_for(lambda s: bool(ephemerals(s)), timeout=10)
        assert ephemerals(slack) == ["You have no live thread with me in this channel."]

        bot.command("help")
        slack.wait_for(lambda s: len(ephemerals(s)) == 2, timeout=10)
        assert "`trace`" in ephemerals(slack)[1]
        assert slack.uploads(completed=False) == []

"""The Slack bot end to end: the real bolt app served by waitress, signed events and slash commands
posted to its HTTP endpoint, the real engine (offline triage or the scripted OpenAI-compatible
server), and a fake Slack Web API on 127.0.0.1 that records what the bot sent."""

from __future__ import annotations

import gzip
import re
import shutil
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytz
from fakes.chat_server import Delay, FakeChat, Text, ToolCalls, ToolCallSpec, serve_chat
from fakes.slack_server import serve_slack
from slack_harness import THROTTLING, bot_settings, message_event, running_bot

CHANNEL = "C0OPS"
QUESTION = "why is GetMembership failing for user 123 in prod?"
RUN_ID = re.compile(r"_run `(\d{8}-\d{6}-[0-9a-f]{6})`_")


def llm_options(chat: FakeChat) -> dict[str, object]:
    """Settings for a bot answering with the scripted OpenAI-compatible server."""
    return {
        "llm_backend": "openai",
        "llm_base_url": chat.base_url,
        "llm_api_key": "sk-test",
        "llm_refine": False,
        "llm_max_retries": 0,
    }


def test_mention_is_answered_in_its_thread_with_status_and_run_id(tmp_path: Path, embedder) -> None:
    with serve_slack(streaming=False) as slack, running_bot(tmp_path, slack, embedder) as bot:
        started = time.monotonic()
        ts, response = bot.mention(QUESTION)
        assert response.status_code == 200
        assert time.monotonic() - started < 3.0  # Slack's 3-second rule
        replies = bot.wait_answer(CHANNEL, ts)
        # The status message named the tool while it ran, then became a summary.
        status = next(m for m in slack.messages(CHANNEL, ts) if m.user == slack.bot_user_id)
        assert status.updates >= 1
        assert "searching GetMembership logs in prod" in status.text and "Done in" in status.text
        assert replies[0] == status.text
        answer = "\n".join(replies[1:])
        assert "DEADLINE_EXCEEDED" in answer
        assert RUN_ID.search(replies[-1])  # the run id ends the answer
        assert all(len(text) < 4000 for text in replies)
        # Nothing landed outside the thread.
        assert all((m.thread_ts or m.ts) == ts for m in slack.messages(CHANNEL))
        assert [c.args["name"] for c in slack.calls_to("reactions.add")] == ["eyes", "white_check_mark"]


def test_streaming_workspace_gets_a_plan_of_tool_steps_and_the_answer_in_a_stream(
    tmp_path: Path, embedder
) -> None:
    with serve_slack(streaming=True) as slack, running_bot(tmp_path, slack, embedder) as bot:
        ts, _ = bot.mention(QUESTION)
        bot.wait_answer(CHANNEL, ts)
        streamed = [m for m in slack.messages(CHANNEL, ts) if m.streamed]
        assert len(streamed) == 1 and streamed[0].stopped
        stream = streamed[0]
        tasks = [c for c in stream.chunks if c.get("type") == "task_update"]
        assert [t["status"] for t in tasks] == ["in_progress", "complete"] * 2  # "why": the suspects too
        assert tasks[0]["title"].startswith("searching GetMembership logs in prod")
        assert tasks[2]["title"] == "ranking the suspects: which service, pod or change it is…"
        start = slack.calls_to("chat.startStream")[0].args
        assert start["task_display_mode"] == "plan"
        assert start["recipient_user_id"] == "U0ALICE" and start["recipient_team_id"] == slack.team_id
        assert "DEADLINE_EXCEEDED" in stream.text
        # The answer is longer than one message: it continues after the stream, and ends with the run id.
        later = [
            m.text for m in slack.messages(CHANNEL, ts)[1:] if not m.streamed and m.user == slack.bot_user_id
        ]
        assert RUN_ID.search(later[-1] if later else stream.text)
        assert not slack.calls_to("chat.update")  # no status message when streaming


def test_direct_message_is_answered_in_a_thread_of_the_dm(tmp_path: Path, embedder) -> None:
    with serve_slack(streaming=False) as slack, running_bot(tmp_path, slack, embedder) as bot:
        ts, _ = bot.dm(QUESTION, channel="D0ALICE")
        replies = bot.wait_answer("D0ALICE", ts)
        assert "DEADLINE_EXCEEDED" in "\n".join(replies)
        assert all(c.args["channel"] == "D0ALICE" for c in slack.calls_to("chat.postMessage"))


def test_slash_command_acks_at_once_and_answers_in_a_new_thread(tmp_path: Path, embedder) -> None:
    with serve_slack(streaming=False) as slack, running_bot(tmp_path, slack, embedder) as bot:
        started = time.monotonic()
        response = bot.command(QUESTION)
        acked = time.monotonic() - started
        assert response.status_code == 200 and acked < 3.0
        slack.wait_for(lambda s: len(s.calls_to("reactions.add")) >= 2, timeout=60)
        root = slack.messages(CHANNEL)[0]
        assert root.thread_ts is None and QUESTION in root.text and "<@U0ALICE>" in root.text
        replies = bot.wait_answer(CHANNEL, root.ts)
        assert "DEADLINE_EXCEEDED" in "\n".join(replies)


def test_follow_up_in_the_thread_reuses_the_session_and_its_tables(tmp_path: Path, embedder) -> None:
    with serve_slack(streaming=False) as slack, running_bot(tmp_path, slack, embedder) as bot:
        ts, _ = bot.mention(QUESTION)
        bot.wait_answer(CHANNEL, ts)
        engine = bot.runtime.bot.engine
        session = bot.runtime.bot.sessions.get(CHANNEL, ts)
        assert session and engine.store.list_sessions() == [session]
        tables = engine.store.list_tables(session)
        rows = sum(engine.store.count(session, t) for t in tables)

        bot.mention("were the GetMembership errors DynamoDB throttling?", thread_ts=ts)
        replies = bot.wait_answer(CHANNEL, ts, count=2)
        assert "throttl" in "\n".join(replies).lower()
        assert bot.runtime.bot.sessions.get(CHANNEL, ts) == session
        assert engine.store.list_sessions() == [session]
        assert sum(engine.store.count(session, t) for t in engine.store.list_tables(session)) == rows


def test_words_help_session_reset_in_a_thread(tmp_path: Path, embedder) -> None:
    with serve_slack(streaming=False) as slack, running_bot(tmp_path, slack, embedder) as bot:
        ts, _ = bot.mention(QUESTION)
        bot.wait_answer(CHANNEL, ts)
        engine = bot.runtime.bot.engine
        session = bot.runtime.bot.sessions.get(CHANNEL, ts)

        def said_after(before: int) -> str:
            slack.wait_for(lambda s: len(bot.replies(CHANNEL, ts)) > before, timeout=10)
            return bot.replies(CHANNEL, ts)[-1]

        n = len(bot.replies(CHANNEL, ts))
        bot.mention("help", thread_ts=ts)
        assert "`reset`" in said_after(n) and "`session`" in said_after(n)

        n = len(bot.replies(CHANNEL, ts))
        bot.mention("session", thread_ts=ts)
        text = said_after(n)
        assert session in text and "log records" in text

        n = len(bot.replies(CHANNEL, ts))
        bot.mention("Reset!", thread_ts=ts)
        assert "reset" in said_after(n)
        assert engine.store.list_sessions() == []
        assert bot.runtime.bot.sessions.get(CHANNEL, ts) is None


def test_words_in_a_dm_and_through_the_slash_command(tmp_path: Path, embedder) -> None:
    with serve_slack(streaming=False) as slack, running_bot(tmp_path, slack, embedder) as bot:
        ts, _ = bot.dm("help", channel="D0ALICE")
        slack.wait_for(lambda s: bool(bot.replies("D0ALICE", ts)), timeout=10)
        assert "`reset`" in bot.replies("D0ALICE", ts)[0]

        bot.command("help")
        slack.wait_for(lambda s: bool(s.calls_to("response_url")), timeout=10)
        private = slack.calls_to("response_url")[0].args
        assert private["response_type"] == "ephemeral" and "`reset`" in private["text"]

        bot.command(QUESTION)
        slack.wait_for(lambda s: len([c for c in s.calls_to("reactions.add")]) >= 2, timeout=60)
        engine = bot.runtime.bot.engine
        assert len(engine.store.list_sessions()) == 1
        bot.command("session")
        slack.wait_for(lambda s: len(s.calls_to("response_url")) >= 2, timeout=10)
        assert "log records" in slack.calls_to("response_url")[1].args["text"]
        bot.command("reset")
        slack.wait_for(lambda s: len(s.calls_to("response_url")) >= 3, timeout=10)
        assert "reset" in slack.calls_to("response_url")[2].args["text"]
        assert engine.store.list_sessions() == []
        # A word is never posted to the channel as a question.
        assert all("asked: help" not in m.text for m in slack.messages(CHANNEL))


def test_long_llm_answer_is_split_without_breaking_code_fences(tmp_path: Path, embedder) -> None:
    lines = "\n".join(
        f"2024-03-12 14:{i % 60:02d}:00 ERROR GetMembership failed: DEADLINE_EXCEEDED #{i}"
        for i in range(120)
    )
    prose = " ".join(["The DynamoDB table was throttled while the cache was cold."] * 60)
    long_answer = (
        f"**Summary**: throttling.\n\n{prose}\n\n```log\n{lines}\n```\n\n{prose}\n\n```log\n{lines}\n```\n"
    )
    assert len(long_answer) > 12_000
    for streaming in (False, True):
        with (
            serve_chat(Text(long_answer)) as chat,
            serve_slack(streaming=streaming) as slack,
            running_bot(tmp_path / str(streaming), slack, embedder, **llm_options(chat)) as bot,
        ):
            ts, _ = bot.mention(QUESTION)
            bot.wait_answer(CHANNEL, ts)
            messages = [m for m in slack.messages(CHANNEL, ts) if m.user == slack.bot_user_id]
            answer = [m.text for m in messages if m.streamed or "Done in" not in m.text]
            assert len(answer) >= 4, (streaming, [len(a) for a in answer])
            for text in answer:
                assert len(text) < 4000
                fences = [ln for ln in text.split("\n") if ln.strip().startswith("```")]
                assert len(fences) % 2 == 0, text[-200:]
            joined = "\n".join(answer)
            for i in (0, 59, 119):
                assert f"DEADLINE_EXCEEDED #{i}\n" in joined + "\n"
            assert RUN_ID.search(answer[-1])
            if streaming:  # the first message grew while the LLM wrote it, not all at the end
                growing = [
                    c
                    for c in slack.calls_to("chat.appendStream")
                    if any(ch.get("type") == "markdown_text" for ch in c.args.get("chunks", []))
                ]
                assert len(growing) >= 2, len(growing)


def test_bad_signature_is_refused_and_nothing_is_fetched(tmp_path: Path, embedder) -> None:
    with serve_slack(streaming=False) as slack, running_bot(tmp_path, slack, embedder) as bot:
        body = '{"type": "event_callback", "event": {"type": "app_mention", "text": "hi"}}'
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": str(int(time.time())),
            "X-Slack-Signature": "v0=" + "0" * 64,
        }
        response = bot.http.post(bot.url, content=body, headers=headers)
        assert response.status_code == 401
        time.sleep(0.5)
        assert not slack.calls_to("chat.postMessage") and not slack.calls_to("reactions.add")
        assert bot.http.get(bot.url.replace("/slack/events", "/healthz")).text.strip() == "ok"


def test_a_429_from_slack_is_retried_after_retry_after(tmp_path: Path, embedder) -> None:
    with serve_slack(streaming=False) as slack, running_bot(tmp_path, slack, embedder) as bot:
        slack.fail_next("chat.postMessage", times=2, status=429, retry_after=0)
        ts, _ = bot.mention(QUESTION)
        replies = bot.wait_answer(CHANNEL, ts)
        assert "DEADLINE_EXCEEDED" in "\n".join(replies)
        posts = slack.calls_to("chat.postMessage")
        assert len(posts) >= 4  # two 429s, then the status message and the answer
        assert posts[0].args == posts[2].args  # the same message, sent again


def test_a_retried_event_is_answered_once(tmp_path: Path, embedder) -> None:
    with serve_slack(streaming=False) as slack, running_bot(tmp_path, slack, embedder) as bot:
        ts, _ = bot.mention(QUESTION)
        bot.mention(QUESTION, ts=ts, retry=1)  # Slack did not see our ack in time and sent it again
        bot.mention(QUESTION, ts=ts, retry=2)
        bot.wait_answer(CHANNEL, ts)
        time.sleep(1.0)
        statuses = [m for m in slack.messages(CHANNEL, ts) if "Done in" in m.text or "Looking" in m.text]
        assert len(statuses) == 1
        assert len(bot.runtime.bot.engine.store.list_sessions()) == 1


def test_people_and_channels_outside_the_allow_lists_are_refused_politely(tmp_path: Path, embedder) -> None:
    with (
        serve_slack(streaming=False) as slack,
        running_bot(
            tmp_path, slack, embedder, slack_allowed_users="U0ALICE", slack_allowed_channels="C0OPS"
        ) as bot,
    ):
        ts, _ = bot.mention(QUESTION, user="U0MALLORY")
        slack.wait_for(lambda s: bool(bot.replies(CHANNEL, ts)), timeout=10)
        assert "Sorry" in bot.replies(CHANNEL, ts)[0]
        ts2, _ = bot.mention(QUESTION, channel="C0RANDOM")
        slack.wait_for(lambda s: bool(bot.replies("C0RANDOM", ts2)), timeout=10)
        assert "do not answer in this channel" in bot.replies("C0RANDOM", ts2)[0]
        time.sleep(0.5)
        assert bot.runtime.bot.engine.store.list_sessions() == []  # nothing was fetched
        ts3, _ = bot.mention(QUESTION)  # Alice in #ops is allowed
        assert "DEADLINE_EXCEEDED" in "\n".join(bot.wait_answer(CHANNEL, ts3))


def test_least_recently_used_thread_is_evicted_and_told_when_it_comes_back(tmp_path: Path, embedder) -> None:
    with (
        serve_slack(streaming=False) as slack,
        running_bot(tmp_path, slack, embedder, slack_max_sessions=1) as bot,
    ):
        first, _ = bot.mention(QUESTION)
        bot.wait_answer(CHANNEL, first)
        old = bot.runtime.bot.sessions.get(CHANNEL, first)
        second, _ = bot.mention(QUESTION)
        bot.wait_answer(CHANNEL, second)
        engine = bot.runtime.bot.engine
        assert old not in engine.store.list_sessions() and len(engine.store.list_sessions()) == 1
        bot.mention("any throttling?", thread_ts=first)
        replies = bot.wait_answer(CHANNEL, first, count=2)
        assert any("idle and its logs were dropped" in r for r in replies)
        assert bot.runtime.bot.sessions.get(CHANNEL, first) != old


def test_purge_drops_tables_threads_and_memories_and_the_thread_starts_afresh(
    tmp_path: Path, embedder
) -> None:
    with serve_slack(streaming=False) as slack, running_bot(tmp_path, slack, embedder) as bot:
        ts, _ = bot.mention(QUESTION)
        bot.wait_answer(CHANNEL, ts)
        service = bot.runtime.bot
        session = service.sessions.get(CHANNEL, ts)
        import asyncio

        assert asyncio.run(service.engine.memories.history(session))
        report = service.purge()
        assert report.sessions == 1 and report.threads == 1
        assert service.engine.store.list_sessions() == [] and service.sessions.live() == []
        assert asyncio.run(service.engine.memories.history(session)) == []
        again = service.purge()  # idempotent
        assert again.sessions == 0 and again.threads == 0
        bot.mention("and now?", thread_ts=ts)
        replies = bot.wait_answer(CHANNEL, ts, count=2)
        assert any("nightly purge" in r for r in replies)


def test_purge_waits_for_a_running_question_which_finishes_cleanly(tmp_path: Path, embedder) -> None:
    with (
        serve_chat(Delay(2.0, Text("It is DynamoDB throttling."))) as chat,
        serve_slack(streaming=False) as slack,
        running_bot(tmp_path, slack, embedder, **llm_options(chat)) as bot,
    ):
        ts, _ = bot.mention(QUESTION)
        service = bot.runtime.bot
        slack.wait_for(lambda s: bool(s.calls_to("chat.postMessage")), timeout=10)  # the run has started
        done: list = []
        purger = threading.Thread(target=lambda: done.append(service.purge()))
        purger.start()
        replies = bot.wait_answer(CHANNEL, ts, timeout=30)
        purger.join(timeout=30)
        assert "It is DynamoDB throttling." in "\n".join(replies)
        assert done and done[0].still_running == 0  # it waited rather than pulling tables from under the run
        assert service.engine.store.list_sessions() == [] and service.sessions.live() == []


def test_restart_keeps_a_threads_session_tables_and_history(tmp_path: Path, embedder) -> None:
    search = ToolCalls([ToolCallSpec("search_logstore", {"method": "GetMembership", "query": "failures"})])
    with serve_chat(search, Text("First: throttling on memberships."), Text("Second answer.")) as chat:
        options = llm_options(chat)
        with serve_slack(streaming=False) as slack:
            with running_bot(tmp_path, slack, embedder, **options) as bot:
                ts, _ = bot.mention(QUESTION)
                bot.wait_answer(CHANNEL, ts)
                session = bot.runtime.bot.sessions.get(CHANNEL, ts)
            with running_bot(tmp_path, slack, embedder, **options) as bot:  # a restart: same data dir
                assert bot.runtime.bot.sessions.get(CHANNEL, ts) == session
                assert session in bot.runtime.bot.engine.store.list_sessions()
                bot.mention("what did you find before?", thread_ts=ts)
                bot.wait_answer(CHANNEL, ts, count=2)
        second = chat.requests[-1].body
        sent = " ".join(str(m.get("content")) for m in second["messages"])
        assert "First: throttling on memberships." in sent  # the thread's history came back


def test_failures_are_a_short_message_with_the_run_id_never_a_trace(tmp_path: Path, embedder) -> None:
    with serve_slack(streaming=False) as slack, running_bot(tmp_path, slack, embedder) as bot:
        settings = bot.runtime.settings

        def last_reply(ts: str) -> str:
            slack.wait_for(lambda s: any("run `" in t for t in bot.replies(CHANNEL, ts)), timeout=30)
            return bot.replies(CHANNEL, ts)[-1]

        # A problem with what the bot was given: said plainly.
        good_logs, settings.bot_logs = settings.bot_logs, tmp_path / "missing.jsonl"
        ts, _ = bot.mention(QUESTION)
        text = last_reply(ts)
        assert "missing.jsonl: no such file" in text and RUN_ID.search(text)
        # A fault of the data dir (the LanceDB folder is gone, a file sits in its place): one line
        # naming it and what to do.
        settings.bot_logs = good_logs
        lancedb = Path(settings.lancedb_uri)
        shutil.rmtree(lancedb, ignore_errors=True)
        lancedb.write_text("not a folder")
        ts, _ = bot.mention(QUESTION)
        text = last_reply(ts)
        assert text.startswith(f":warning: the log store at {lancedb} failed (") and RUN_ID.search(text)
        assert "check its disk (free space, permissions) and try again\n\n_run `" in text
        assert "Traceback" not in text and "Errno" not in text and len(text) < 600


def test_socket_mode_answers_a_mention(tmp_path: Path, embedder) -> None:
    from sre_agent.bot.app import create, socket_mode_handler
    from sre_agent.engine import Engine

    with serve_slack(streaming=False) as slack:
        settings = bot_settings(tmp_path, slack)
        runtime = create(settings, http=False, engine=Engine(settings, embedder=embedder))
        handler = socket_mode_handler(runtime)
        handler.connect()
        try:
            slack.wait_connected()
            ts = slack.add_user_message(CHANNEL, f"<@{slack.bot_user_id}> {QUESTION}", "U0ALICE")
            event = message_event(slack, "app_mention", CHANNEL, "U0ALICE", QUESTION, ts)
            ack = slack.send_event(event)
            assert ack["envelope_id"]
            slack.wait_for(
                lambda s: any(c.args.get("name") == "white_check_mark" for c in s.calls_to("reactions.add")),
                timeout=60,
            )
            replies = [m.text for m in slack.messages(CHANNEL, ts)]
            assert "DEADLINE_EXCEEDED" in "\n".join(replies) and RUN_ID.search(replies[-1])
        finally:
            handler.close()
            runtime.bot.close()


def test_banner_masks_tokens_and_names_mode_llm_and_next_purge(tmp_path: Path, embedder) -> None:
    from sre_agent.bot.app import banner, create
    from sre_agent.engine import Engine

    with serve_slack(streaming=False) as slack:
        settings = bot_settings(
            tmp_path,
            slack,
            slack_bot_token="xoxb-1234567890-secretpart",
            purge_enabled=True,
            purge_at="03:30",
            purge_timezone="Europe/Berlin",
        )
        runtime = create(settings, http=False, engine=Engine(settings, embedder=embedder))
        try:
            text = "\n".join(banner(runtime, mode="Socket Mode"))
        finally:
            runtime.bot.close()
    assert "Socket Mode" in text and "offline triage" in text.lower()
    assert "secretpart" not in text and "1234567890" not in text and "xoxb-****** (set, 26 chars)" in text
    assert "test-signing-secret"[:6] not in text
    assert "daily at 03:30 Europe/Berlin" in text
    nxt = runtime.scheduler.next_run  # this machine's local time, naive, as `schedule` keeps it
    berlin = nxt.astimezone(pytz.timezone("Europe/Berlin"))
    assert berlin.strftime("%H:%M") == "03:30"
    assert timedelta(0) < berlin - datetime.now(pytz.timezone("Europe/Berlin")) <= timedelta(days=1)
    assert f"next purge    {berlin:%Y-%m-%d} 03:30 Europe/Berlin" in text


def test_a_stream_that_breaks_half_way_still_delivers_the_whole_answer(tmp_path: Path, embedder) -> None:
    with serve_slack(streaming=True) as slack, running_bot(tmp_path, slack, embedder) as bot:
        slack.fail_next("chat.appendStream", times=50, error="message_not_in_streaming_state")
        slack.fail_next("chat.stopStream", error="message_not_in_streaming_state")
        ts, _ = bot.mention(QUESTION)
        bot.wait_answer(CHANNEL, ts)
        posted = [m.text for m in slack.messages(CHANNEL, ts) if not m.streamed]
        assert "**Summary**" in "\n".join(posted) and RUN_ID.search(posted[-1])  # the whole answer


def test_a_status_message_slack_will_not_update_does_not_cost_the_answer(tmp_path: Path, embedder) -> None:
    with serve_slack(streaming=False) as slack, running_bot(tmp_path, slack, embedder) as bot:
        slack.fail_next("chat.update", times=20, error="cant_update_message")
        ts, _ = bot.mention(QUESTION)
        replies = bot.wait_answer(CHANNEL, ts, timeout=30)
        assert "**Summary**" in "\n".join(replies) and RUN_ID.search(replies[-1])


def test_every_slash_command_is_answered_even_many_in_a_row(tmp_path: Path, embedder) -> None:
    # Slash commands are never re-sent by Slack, so none may be taken for a repeat (an id-based key
    # once was, when Python reused the id of a freed message object).
    with serve_slack(streaming=False) as slack, running_bot(tmp_path, slack, embedder) as bot:
        for _ in range(30):
            assert bot.command("help").status_code == 200
        slack.wait_for(lambda s: len(s.calls_to("response_url")) == 30, timeout=20)


def test_malformed_lines_and_skipped_files_are_located_at_the_end_of_the_answer(
    tmp_path: Path, embedder
) -> None:
    """Offline, in the answer's last section (Not checked); with an LLM, in the footer after the
    tools run, whatever the model wrote."""
    logs = tmp_path / "logs"
    logs.mkdir()
    rows = THROTTLING.read_text(encoding="utf-8").splitlines()
    (logs / "app.jsonl").write_text("\n".join(rows[:1200] + ["{oops", "[1]"]) + "\n", encoding="utf-8")
    (logs / "app.jsonl.1.gz").write_bytes(gzip.compress(("\n".join(rows[1200:]) + "\n").encode()))
    (logs / "core").write_bytes(b"\x7fELF" + bytes(64))
    said = (
        "⚠ skipped in the folder 1 file: `core` (not named .jsonl, .log or .txt)\n"
        f"⚠ 2 malformed lines skipped: `{logs}/app.jsonl:1201: invalid JSON (Expecting property name "
        f"enclosed in double quotes at column 2)`; `{logs}/app.jsonl:1202: not a JSON object`\n"
    )
    search = ToolCalls([ToolCallSpec("search_logstore", {"method": "GetMembership", "query": "errors"})])
    for mode, section in (("offline", "**Not checked**:\n- "), ("llm", " (OpenAI-compatible); log lines")):
        with (
            serve_chat(search, Text("**Summary**: throttled.")) as chat,
            serve_slack(streaming=False) as slack,
            running_bot(
                tmp_path / mode,
                slack,
                embedder,
                bot_logs=logs,
                **(llm_options(chat) if mode == "llm" else {}),
            ) as bot,
        ):
            ts, _ = bot.mention(QUESTION)
            answer = "\n".join(bot.wait_answer(CHANNEL, ts)[1:])
        last = answer[answer.index(section) :]
        expected = said.replace("\n", "\n- ") if mode == "offline" else said
        assert expected in last, (mode, last)

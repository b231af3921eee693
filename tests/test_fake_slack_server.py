"""The Slack fake speaks the real protocols: driven here by the real slack_sdk WebClient, the real
builtin Socket Mode client, and (once) a real slack_bolt App over Socket Mode."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fakes.slack_server import FakeSlack, serve_slack
from slack_bolt import App, Say
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.models.messages.chunk import TaskUpdateChunk
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with serve_slack() as fake:
        yield fake


def bot(slack: FakeSlack, **kwargs: object) -> WebClient:
    return WebClient(base_url=slack.base_url, token="xoxb-test", **kwargs)


def error_of(method: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """The Slack error code `method(*args, **kwargs)` (a WebClient call) raised."""
    with pytest.raises(SlackApiError) as info:
        method(*args, **kwargs)
    return info.value.response["error"]


def test_auth_test_answers_with_the_bot_identity_and_records_the_call(slack: FakeSlack) -> None:
    response = bot(slack).auth_test()

    assert response["ok"] is True
    assert (response["team_id"], response["user_id"], response["bot_id"]) == ("T0TEAM", "U0BOT", "B0BOT")
    [call] = slack.calls
    assert call.method == "auth.test"
    assert call.token == "xoxb-test"
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert "user-agent" in call.headers


def test_tokens_are_checked(slack: FakeSlack) -> None:
    assert error_of(WebClient(base_url=slack.base_url).auth_test) == "not_authed"
    assert error_of(WebClient(base_url=slack.base_url, token="xapp-1").auth_test) == "invalid_auth"
    assert error_of(bot(slack).apps_connections_open, app_token="xoxb-test") == "invalid_auth"
    assert error_of(bot(slack).api_call, "nope.nothing") == "unknown_method"


def test_post_update_and_replies_show_the_final_text_in_the_thread(slack: FakeSlack) -> None:
    client = bot(slack)
    root = slack.add_user_message("C1", "<@U0BOT> why is checkout failing?", "U1")
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Looking*"}}]

    posted = client.chat_postMessage(channel="C1", thread_ts=root, text="Looking…", blocks=blocks)
    client.chat_update(channel="C1", ts=posted["ts"], text="It was the cache.")
    client.reactions_add(channel="C1", timestamp=root, name="eyes")
    elsewhere = client.chat_postMessage(channel="C1", markdown_text="**unrelated**")

    assert posted["ts"] > root and elsewhere["ts"] > posted["ts"]
    assert posted["message"]["thread_ts"] == root
    replies = client.conversations_replies(channel="C1", ts=root)["messages"]
    assert [(m["ts"], m["text"]) for m in replies] == [
        (root, "<@U0BOT> why is checkout failing?"),
        (posted["ts"], "It was the cache."),
    ]
    assert replies[0]["reactions"][0]["name"] == "eyes"
    [reply] = slack.messages("C1", thread_ts=root)  # the root is the user's: not the bot's message
    assert (reply.text, reply.blocks, reply.updates) == ("It was the cache.", blocks, 1)
    assert not reply.streamed
    assert [m.text for m in slack.messages("C1")] == ["It was the cache.", "**unrelated**"]
    assert slack.calls_to("chat.postMessage")[0].args["blocks"] == blocks


def test_form_encoded_calls_get_their_json_fields_decoded(slack: FakeSlack) -> None:
    blocks = [{"type": "divider"}]
    bot(slack).api_call(
        "chat.postMessage", params={"channel": "C1", "text": "hi", "blocks": json.dumps(blocks)}
    )
    bot(slack).users_info(user="U7")  # declared GET in slack_sdk, still sent as a form POST

    post, info = slack.calls
    assert post.args == {"channel": "C1", "text": "hi", "blocks": blocks}
    assert post.headers["content-type"] == "application/x-www-form-urlencoded"
    assert info.args == {"user": "U7"}


def test_slack_errors_for_bad_messages(slack: FakeSlack) -> None:
    client = bot(slack)
    ts = client.chat_postMessage(channel="C1", text="x")["ts"]

    assert error_of(client.chat_postMessage, channel="", text="x") == "channel_not_found"
    with pytest.warns(UserWarning, match="`text` argument is missing"):  # slack_sdk's own warning
        assert error_of(client.chat_postMessage, channel="C1") == "no_text"
    both = {"text": "a", "markdown_text": "b"}
    assert error_of(client.chat_postMessage, channel="C1", **both) == "markdown_text_conflict"
    assert error_of(client.chat_postMessage, channel="C1", markdown_text="x" * 12_001) == "msg_too_long"
    assert error_of(client.chat_postMessage, channel="C1", text="x" * 40_001) == "msg_too_long"
    assert error_of(client.chat_update, channel="C1", ts="1.2", text="y") == "message_not_found"
    client.reactions_add(channel="C1", timestamp=ts, name="eyes")
    assert error_of(client.reactions_add, channel="C1", timestamp=ts, name="eyes") == "already_reacted"
    client.reactions_remove(channel="C1", timestamp=ts, name="eyes")
    client.chat_delete(channel="C1", ts=ts)
    assert slack.messages("C1") == []
    assert error_of(client.conversations_replies, channel="C1", ts=ts) == "thread_not_found"


def test_a_429_raises_with_retry_after_and_a_retry_handler_gets_through(slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as info:
        bot(slack).chat_postMessage(channel="C1", text="hi")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert info.value.response["error"] == "ratelimited"

    slack.fail_next("chat.postMessage", status=429, retry_after=0)  # the handler sleeps 0-1 s
    retrying = bot(slack, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    assert retrying.chat_postMessage(channel="C1", text="hi")["ok"] is True
    assert len(slack.calls_to("chat.postMessage")) == 3  # the failure, then the retried pair
    assert [m.text for m in slack.messages("C1")] == ["hi"]


def test_fail_next_with_a_slack_error_or_a_server_error(slack: FakeSlack) -> None:
    client = bot(slack)
    slack.fail_next("auth.test", times=2, error="fatal_error")
    slack.fail_next("auth.test", status=503)

    assert error_of(client.auth_test) == "fatal_error"
    assert error_of(client.auth_test) == "fatal_error"
    with pytest.raises(SlackApiError) as info:
        client.auth_test()
    assert info.value.response.status_code == 503
    assert client.auth_test()["ok"] is True


def test_chat_stream_builds_one_streamed_stopped_message(slack: FakeSlack) -> None:
    client = bot(slack)
    root = slack.add_user_message("C1", "<@U0BOT> status?", "U1")
    stream = client.chat_stream(
        channel="C1", thread_ts=root, recipient_team_id="T0TEAM", recipient_user_id="U1", buffer_size=12
    )
    stream.append(markdown_text="Looking ")  # buffered
    stream.append(markdown_text="at the logs. ")  # over the buffer: chat.startStream
    stream.append(chunks=[TaskUpdateChunk(id="t1", title="Search logs", status="in_progress")])
    stream.append(markdown_text="Found it: ")
    stream.stop(markdown_text="the cache.")

    methods = [c.method for c in slack.calls]
    assert methods == ["chat.startStream", "chat.appendStream", "chat.stopStream"]
    [message] = slack.messages("C1", thread_ts=root)
    assert message.text == "Looking at the logs. Found it: the cache."
    assert (message.streamed, message.stopped, message.ts) == (True, True, stream.ts)
    assert [c["type"] for c in message.chunks] == ["markdown_text", "task_update", "markdown_text"]
    assert slack.calls[0].args["recipient_user_id"] == "U1"
    late = error_of(client.chat_appendStream, channel="C1", ts=message.ts, markdown_text="more")
    assert late == "message_not_in_streaming_state"


def test_streaming_can_be_switched_off_or_failed(slack: FakeSlack) -> None:
    with serve_slack(streaming=False) as off:
        assert error_of(bot(off).chat_startStream, channel="C1", thread_ts="1.1", markdown_text="x") == (
            "not_allowed"
        )
        assert off.messages("C1") == []

    client = bot(slack)
    ts = client.chat_startStream(channel="C1", thread_ts="1.1", markdown_text="a")["ts"]
    slack.fail_next("chat.appendStream", error="streaming_failed")
    assert error_of(client.chat_appendStream, channel="C1", ts=ts, markdown_text="b") == "streaming_failed"
    client.chat_stopStream(channel="C1", ts=ts, markdown_text="c")
    [message] = slack.messages("C1", thread_ts="1.1")
    assert (message.text, message.stopped) == ("ac", True)


def test_assistant_status_is_recorded(slack: FakeSlack) -> None:
    bot(slack).assistant_threads_setStatus(channel_id="D1", thread_ts="1.1", status="is searching the logs…")
    bot(slack).assistant_threads_setStatus(channel_id="D1", thread_ts="1.1", status="")
    assert slack.statuses("D1", "1.1") == ["is searching the logs…", ""]


def socket_client(slack: FakeSlack, **kwargs: object) -> SocketModeClient:
    web = WebClient(base_url=slack.base_url)  # no bot token: apps.connections.open uses the app token
    return SocketModeClient(app_token="xapp-test", web_client=web, **kwargs)


def test_builtin_socket_mode_client_connects_and_acks_envelopes(slack: FakeSlack) -> None:
    received: list[SocketModeRequest] = []

    def listener(client: SocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)
        client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))

    client = socket_client(slack)
    client.socket_mode_request_listeners.append(listener)
    try:
        client.connect()
        slack.wait_connected()
        ack = slack.send_event(
            {"type": "app_mention", "channel": "C1", "user": "U1", "text": "hi", "ts": "1.1"}
        )
        retried = slack.send_envelope("events_api", {"event": {}}, retry_attempt=1, retry_reason="timeout")
    finally:
        client.close()

    assert [c.method for c in slack.calls] == ["apps.connections.open"]
    assert slack.calls[0].token == "xapp-test"
    assert ack["envelope_id"] == received[0].envelope_id
    assert retried["envelope_id"] == received[1].envelope_id
    assert received[0].type == "events_api"
    assert received[0].payload["event"]["type"] == "app_mention"
    assert received[0].payload["team_id"] == "T0TEAM"
    assert slack.acks == [ack, retried]
    assert slack.connections == 1


def test_exit_closes_the_websocket_and_stops_the_thread() -> None:
    closed = threading.Event()
    with serve_slack() as slack:
        client = socket_client(slack, auto_reconnect_enabled=False)
        client.on_close_listeners.append(lambda code, reason: closed.set())
        client.connect()
        slack.wait_connected()
    try:
        assert closed.wait(5), "the client never saw the close frame"
        deadline = time.monotonic() + 5
        while client.is_connected() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not client.is_connected()
    finally:
        client.close()
    assert not [t for t in threading.enumerate() if t.name == "fake-slack"]
    with pytest.raises(AssertionError, match="no Socket Mode client"):
        slack.send_envelope("events_api", {})


def test_wait_for_reports_the_calls_on_timeout(slack: FakeSlack) -> None:
    bot(slack).chat_postMessage(channel="C1", text="hello")
    with pytest.raises(AssertionError, match=r"chat.postMessage .*hello"):
        slack.wait_for(lambda s: bool(s.calls_to("chat.update")), timeout=0.1)


def test_a_bolt_app_over_socket_mode_answers_a_mention_in_its_thread(slack: FakeSlack) -> None:
    app = App(client=bot(slack))

    @app.event("app_mention")
    def mention(event: dict, say: Say, client: WebClient) -> None:
        client.reactions_add(channel=event["channel"], timestamp=event["ts"], name="eyes")
        say(text="on it", thread_ts=event["ts"])

    handler = SocketModeHandler(app, app_token="xapp-test")
    try:
        handler.connect()
        slack.wait_connected()
        ts = slack.add_user_message("C1", "<@U0BOT> hi", "U1")
        slack.send_event({"type": "app_mention", "channel": "C1", "user": "U1", "text": "hi", "ts": ts})
        slack.wait_for(lambda s: bool(s.messages("C1", thread_ts=ts)))
    finally:
        handler.close()

    assert [m.text for m in slack.messages("C1", thread_ts=ts)] == ["on it"]
    methods = [c.method for c in slack.calls]
    assert methods == ["auth.test", "apps.connections.open", "reactions.add", "chat.postMessage"]


def test_files_upload_v2_puts_the_bytes_in_the_thread(slack: FakeSlack) -> None:
    client = bot(slack)
    root = slack.add_user_message("C1", "<@U0BOT> trace", "U1")
    page = "<!doctype html><p>run é</p>" + "x" * 50_000

    response = client.files_upload_v2(
        channel="C1", thread_ts=root, content=page, filename="run-1.html", title="Run 1"
    )

    assert response["file"]["id"] == "F0FILE0001" and response["file"]["title"] == "Run 1"
    assert [c.method for c in slack.calls] == [
        "files.getUploadURLExternal",
        "upload_url",
        "files.completeUploadExternal",
    ]
    announce, posted, complete = slack.calls
    assert announce.args["filename"] == "run-1.html"
    assert int(announce.args["length"]) == len(page.encode()) == posted.args["length"]
    assert complete.args["files"] == [{"id": "F0FILE0001", "title": "Run 1"}]
    assert (complete.args["channel_id"], complete.args["thread_ts"]) == ("C1", root)
    [upload] = slack.uploads("C1", thread_ts=root)
    assert (upload.filename, upload.title, upload.text) == ("run-1.html", "Run 1", page)
    # The file shows in the thread, as a bot message carrying it.
    [shared] = slack.messages("C1", thread_ts=root)
    assert shared.files[0]["name"] == "run-1.html" and shared.ts == upload.message_ts
    replies = client.conversations_replies(channel="C1", ts=root)["messages"]
    assert replies[-1]["files"][0]["id"] == "F0FILE0001"


def test_files_upload_v2_failures(slack: FakeSlack) -> None:
    client = bot(slack)
    slack.fail_next("files.getUploadURLExternal", error="missing_scope", needed="files:write")
    with pytest.raises(SlackApiError) as info:
        client.files_upload_v2(channel="C1", content="hi", filename="a.txt")
    body = info.value.response.data
    assert (body["error"], body["needed"]) == ("missing_scope", "files:write")
    assert "chat:write" in body["provided"] and "files:write" not in body["provided"]

    slack.fail_next("upload_url", status=500)
    with pytest.raises(OSError, match="500"):  # slack_sdk lets urllib's HTTPError through
        client.files_upload_v2(channel="C1", content="hi", filename="a.txt")
    assert error_of(client.files_completeUploadExternal, files=[{"id": "F0NOPE"}]) == "file_not_found"
    assert slack.uploads() == [] and len(slack.uploads(completed=False)) == 1

"""Slack events → `Incoming` messages for the bot: one small listener per entry point (a DM,
an @mention, the /sre command), each only reading the payload and handing it over.

Bolt acknowledges events before the listener runs (`process_before_response=False`); /sre is
acknowledged first thing, so Slack's 3-second rule holds however long the answer takes.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest

from sre_agent.bot.service import Incoming, SlackBot, Source, clean_text

log = logging.getLogger(__name__)


def _retry_num(request: BoltRequest) -> int:
    values = request.headers.get("x-slack-retry-num") or ["0"]
    try:
        return int(values[0])
    except ValueError:
        return 0


def _from_event(
    source: Source, event: dict[str, Any], context: BoltContext, request: BoltRequest
) -> Incoming:
    """A mention or a DM as an `Incoming`: answered in the message's thread (or a new one under it)."""
    ts = event["ts"]
    return Incoming(
        source=source,
        channel=event["channel"],
        user=event.get("user") or "unknown",
        team=event.get("team") or context.team_id,
        text=clean_text(event.get("text", ""), context.bot_user_id),
        ts=ts,
        thread_ts=event.get("thread_ts") or ts,
        retry=_retry_num(request),
    )


def register(app: App, bot: SlackBot) -> None:
    """Attach the bot's listeners to a bolt app."""

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], context: BoltContext, request: BoltRequest) -> None:
        """@sre-agent in a channel: answer in the message's thread."""
        bot.receive(_from_event("mention", event, context, request))

    @app.event("message")
    def on_message(event: dict[str, Any], context: BoltContext, request: BoltRequest) -> None:
        """A direct message (other message events, edits and bots' messages are not questions)."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        if event.get("user") in (None, context.bot_user_id):
            return
        bot.receive(_from_event("dm", event, context, request))

    @app.command("/sre")
    def on_sre(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        """`/sre <question>`: acknowledged at once; the question becomes a thread the answer goes to."""
        ack()
        bot.receive(
            Incoming(
                source="command",
                channel=command["channel_id"],
                user=command["user_id"],
                team=command.get("team_id") or context.team_id,
                text=clean_text(command.get("text", ""), context.bot_user_id),
                ts="",
                thread_ts="",
                response_url=command.get("response_url"),
            )
        )

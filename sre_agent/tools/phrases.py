"""The words a tool's status phrase is made of ("searching GetMembership logs in prod, last 30
min…"): each tool's `SPEC.doing` says what it does; these clip what the arguments add to it, for
the Slack bot's live status and anything else that shows progress (`ToolRegistry.doing`)."""

from __future__ import annotations

from typing import Any


def clip(value: Any, width: int = 60) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def scope(args: dict[str, Any]) -> str:
    """ ", for user 123 in prod, last 30 min" from whichever of those arguments are given."""
    parts = []
    if args.get("user_id"):
        parts.append(f" for user {clip(args['user_id'], 40)}")
    if args.get("request_id"):
        parts.append(f" for request {clip(args['request_id'], 40)}")
    if args.get("environment"):
        parts.append(f" in {clip(args['environment'], 20)}")
    text = "".join(parts)
    if args.get("window"):
        text += f", {clip(args['window'], 40)}"
    return text

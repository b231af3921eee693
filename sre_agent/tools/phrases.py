"""What a tool call is doing, in the words a status line shows ("searching GetMembership logs in
prod, last 30 min…"): for the Slack bot's live status and anything else that shows progress."""

from __future__ import annotations

from typing import Any


def _clip(value: Any, width: int = 60) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _scope(args: dict[str, Any]) -> str:
    """ ", for user 123 in prod, last 30 min" from whichever of those arguments are given."""
    parts = []
    if args.get("user_id"):
        parts.append(f" for user {_clip(args['user_id'], 40)}")
    if args.get("request_id"):
        parts.append(f" for request {_clip(args['request_id'], 40)}")
    if args.get("environment"):
        parts.append(f" in {_clip(args['environment'], 20)}")
    text = "".join(parts)
    if args.get("window"):
        text += f", {_clip(args['window'], 40)}"
    return text


def doing(tool: str, args: dict[str, Any]) -> str:
    """One present-tense line for a tool call about to run."""
    if tool == "search_logstore":
        what = f"{_clip(args['method'], 40)} logs" if args.get("method") else "all logs"
        return f"searching {what}{_scope(args)}…"
    if tool == "get_all_logs_for_request_id":
        rid = _clip(args.get("request_id", "?"), 40)
        return f"fetching every log line of request {rid}{_scope({**args, 'request_id': None})}…"
    if tool == "search_panic_logs":
        return f"looking for panics and crashes{_scope(args)}…"
    if tool == "retrieve_stored_logs":
        query = f" for “{_clip(args['query'])}”" if args.get("query") else ""
        return f"searching the logs this thread fetched{query}{_scope(args)}…"
    if tool == "summarize_stored_logs":
        return f"summarising the logs this thread fetched (patterns, timeline){_scope(args)}…"
    if tool == "rank_suspects":
        return f"ranking the suspects: which service, pod or change it is{_scope(args)}…"
    return f"running {tool}…"

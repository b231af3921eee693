"""Builds the running bot from settings: the Slack client (with 429 retries), the bolt app with
its listeners, the `SlackBot`, the nightly purge; and serves it over Socket Mode or HTTP.

`create` checks the tokens first and says in one line what is missing; `banner` is what
`sre-agent bot` prints at start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytz
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from sre_agent.bot.listeners import register
from sre_agent.bot.purge import PurgeScheduler
from sre_agent.bot.service import SlackBot
from sre_agent.engine import Engine
from sre_agent.errors import ConfigError, ConnectorError, InputError
from sre_agent.settings import Settings
from sre_agent.storage import check_writable

log = logging.getLogger(__name__)

#: Slack Web API calls give up after this many seconds (then the client's retries, then an error).
SLACK_TIMEOUT = 15
#: Retries of a Slack call answered 429, each after the Retry-After Slack sent.
RATE_LIMIT_RETRIES = 3


@dataclass
class Runtime:
    """Everything `sre-agent bot` runs."""

    settings: Settings
    client: WebClient
    app: App
    bot: SlackBot
    scheduler: PurgeScheduler | None
    identity: dict[str, Any]  # auth.test: team, user, bot ids


def build_client(settings: Settings) -> WebClient:
    """The Web API client: SLACK_API_URL, a timeout, retries on 429 (after Retry-After) and on
    connection errors (slack_sdk has only the latter on by default)."""
    return WebClient(
        token=settings.slack_bot_token.get_secret_value() or None,
        base_url=settings.slack_api_url,
        timeout=SLACK_TIMEOUT,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


def check_tokens(settings: Settings, *, http: bool) -> None:
    """One clear line for a missing or mistyped token, before anything connects."""
    bot = settings.slack_bot_token.get_secret_value()
    if not bot:
        raise ConfigError("SLACK_BOT_TOKEN is not set: the bot needs its xoxb-… token (docs/slack-setup.md)")
    if not bot.startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN should start with xoxb- (the Bot User OAuth Token)")
    if http:
        if not settings.slack_signing_secret.get_secret_value():
            raise ConfigError("SLACK_SIGNING_SECRET is not set: --http needs it to verify Slack's requests")
        return
    app_token = settings.slack_app_token.get_secret_value()
    if not app_token:
        raise ConfigError(
            "SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-…, scope "
            "connections:write); or serve HTTP with `sre-agent bot --http`"
        )
    if not app_token.startswith("xapp-"):
        raise ConfigError("SLACK_APP_TOKEN should start with xapp- (an app-level token)")


def create(settings: Settings, *, http: bool, engine: Engine | None = None, purge: bool = True) -> Runtime:
    """The bot, ready to serve. Loads the engine's parts now, so the first question is not slow."""
    check_tokens(settings, http=http)
    client = build_client(settings)
    # slack_sdk logs each failed attempt: the one line below says it all.
    with _quiet("slack_sdk.web.base_client"):
        try:
            answer = client.auth_test().data
            identity = answer if isinstance(answer, dict) else {}  # auth.test answers a JSON object
        except SlackApiError as exc:
            raise ConfigError(f"SLACK_BOT_TOKEN was refused by Slack: {exc.response.get('error')}") from None
        except (SlackClientError, OSError) as exc:  # OSError: urllib's URLError after the retries
            raise ConnectorError(f"Slack could not be reached at {settings.slack_api_url}: {exc}") from None
    # bolt warns that SLACK_BOT_TOKEN in the environment is unused when given a client: it is ours.
    with _quiet("sre_agent.bot.bolt"):
        app = App(
            logger=logging.getLogger("sre_agent.bot.bolt"),
            client=client,
            signing_secret=settings.slack_signing_secret.get_secret_value(),
            token_verification_enabled=False,  # done above, with a clear message
            process_before_response=False,
            raise_error_for_unhandled_request=False,
        )
    engine = engine or Engine(settings)
    _warm(engine)
    bot = SlackBot(engine, client, settings)
    register(app, bot)
    scheduler = None
    if purge and settings.purge_enabled:
        scheduler = PurgeScheduler(bot.purge, at=settings.purge_at, timezone=settings.purge_timezone)
    return Runtime(settings, client, app, bot, scheduler, dict(identity))


@contextmanager
def _quiet(logger: str) -> Iterator[None]:
    """Silence one library logger for a moment (where we say the same thing better)."""
    log_ = logging.getLogger(logger)
    was, log_.disabled = log_.disabled, True
    try:
        yield
    finally:
        log_.disabled = was


def _warm(engine: Engine) -> None:
    """Build the shared parts once, in this thread, before worker threads race to build them; a
    wrong SRE_AGENT_BOT_LOGS or SRE_AGENT_BOT_SERVICE stops the start with one line."""
    settings = engine.settings
    check_writable(settings.data_dir)
    _ = engine.configs, engine.store, engine.investigator, engine.memories
    try:
        engine.config(settings.bot_service)
    except InputError as exc:
        raise ConfigError(f"SRE_AGENT_BOT_SERVICE: {str(exc).removeprefix('--service: ')}") from None
    if settings.bot_logs is not None:
        try:
            engine.snapshot(settings.bot_logs)
        except InputError as exc:
            raise ConfigError(f"SRE_AGENT_BOT_LOGS: {exc}") from None


def _mask(secret: str) -> str:
    """Whether a secret is set and of which kind (xoxb-, xapp-), never any of its own characters."""
    if not secret:
        return "(not set)"
    kind = secret[:5] if secret.startswith(("xoxb-", "xapp-")) else ""
    return f"{kind}****** (set, {len(secret)} chars)"


def banner(runtime: Runtime, *, mode: str) -> list[str]:
    """What `sre-agent bot` prints at start: tokens (masked), mode, LLM, logs, next purge."""
    from sre_agent.llm import describe_llm

    s = runtime.settings
    ident = runtime.identity
    lines = [
        f"sre-agent bot · {mode}",
        f"  workspace     {ident.get('team', '?')} ({ident.get('team_id', '?')}) as @{ident.get('user')}",
        f"  bot token     {_mask(s.slack_bot_token.get_secret_value())}",
        f"  app token     {_mask(s.slack_app_token.get_secret_value())}",
        f"  signing secret {_mask(s.slack_signing_secret.get_secret_value())}",
        f"  Slack API     {s.slack_api_url}",
        f"  answering     {describe_llm(s)}",
        f"  logs          {s.bot_logs or '(the logstore of each service config; see sre-agent doctor)'}",
        f"  service       {s.bot_service or '(from each question: a config named in it, else none)'}",
        f"  configs       {', '.join(sorted(runtime.bot.engine.configs)) or '(none)'} from {s.configs_dir}",
        *(f"  ⚠ {skipped.warning()}" for skipped in runtime.bot.engine.config_folder.skipped),
        f"  sessions      at most {s.slack_max_sessions} live threads · {s.slack_workers} questions at once",
    ]
    allowed = []
    if s.slack_allowed_channels:
        allowed.append(f"channels {', '.join(s.slack_allowed_channels)}")
    if s.slack_allowed_users:
        allowed.append(f"users {', '.join(s.slack_allowed_users)}")
    lines.append(f"  allowed       {'; '.join(allowed) or 'everyone, everywhere the bot is invited'}")
    if runtime.scheduler is not None:
        nxt = runtime.scheduler.next_run  # naive local time, as `schedule` keeps it
        when = f"{nxt.astimezone(pytz.timezone(s.purge_timezone)):%Y-%m-%d %H:%M}" if nxt else "?"
        lines.append(f"  next purge    {when} {s.purge_timezone} (daily at {s.purge_at} {s.purge_timezone})")
    else:
        lines.append("  next purge    off (SRE_AGENT_PURGE_ENABLED=false)")
    return lines


def http_server(runtime: Runtime, *, host: str, port: int, threads: int = 16) -> Any:
    """A waitress server for bolt's WSGI adapter: POST /slack/events (events and /sre), GET /healthz.
    `.run()` serves until `.close()`; `.effective_port` is the port when `port` was 0."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from waitress import create_server

    handler = SlackRequestHandler(runtime.app, path="/slack/events")

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        return handler(environ, start_response)

    return create_server(wsgi, host=host, port=port, threads=threads, ident="sre-agent")


def socket_mode_handler(runtime: Runtime) -> Any:
    """bolt's Socket Mode handler over slack_sdk's built-in WebSocket client (`.connect()`,
    `.start()` to block, `.close()`)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(
        runtime.app, app_token=runtime.settings.slack_app_token.get_secret_value(), web_client=runtime.client
    )

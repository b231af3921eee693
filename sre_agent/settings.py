"""Settings from the environment (prefix `SRE_AGENT_`) and an optional `.env` file.

`get_settings()` is the one way code reads settings. Paths default relative to the current
directory so that a fresh clone works without any configuration.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from sre_agent.errors import ConfigError

_SECRET_KEY = re.compile(r"secret|key|token|password|session|auth", re.IGNORECASE)
EmbedBackend = Literal["local", "openai", "none"]
LLMBackend = Literal["auto", "openai", "bedrock", "none"]
SlackStream = Literal["auto", "on", "off"]
CommaList = Annotated[list[str], NoDecode]
_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


class Settings(BaseSettings):
    """Every knob of sre-agent. Secrets are `SecretStr` so they never print by accident."""

    model_config = SettingsConfigDict(
        env_prefix="SRE_AGENT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,  # Settings(slack_bot_token=…) as well as SLACK_BOT_TOKEN
    )

    data_dir: Path = Field(default=Path(".sre-agent"), description="where everything we persist lives")
    lancedb_uri: str = Field(
        default="", description="LanceDB folder or s3://bucket/prefix; default <data dir>/lancedb"
    )
    lancedb_storage_options: dict[str, str] = Field(
        default_factory=dict,
        description='object-store options for s3:// URIs as JSON, e.g. {"aws_endpoint": "http://…"}',
    )
    model_cache_dir: Path | None = Field(
        default=None, description="converted models; default <data dir>/models"
    )
    configs_dir: Path = Field(default=Path("configs"), description="service configs (*.json)")
    code_index_uri: str = Field(
        default="", description="LanceDB folder of the code index (never purged); default <data dir>/code"
    )

    embed_backend: EmbedBackend = Field(
        default="local", description="local ONNX model, openai-compatible, or none"
    )
    embed_model: str = Field(default="all-MiniLM-L6-v2", description="model name for the chosen backend")
    embed_base_url: str = Field(default="", description="OpenAI-compatible embeddings endpoint")
    embed_api_key: SecretStr = Field(default=SecretStr(""), description="key for the embeddings endpoint")
    embed_batch_size: int = Field(default=64, ge=1, le=2048)

    id_key: SecretStr = Field(
        default=SecretStr(""), description="key of record ids; default: a random key in <data dir>/id.key"
    )

    workflow_timeout: float = Field(default=120.0, gt=0, description="seconds before a run is stopped")
    fetch_limit: int = Field(
        default=20_000, ge=1, le=1_000_000, description="most records one fetch reads (the newest first)"
    )
    top_k: int = Field(default=10, ge=1, le=200)
    clean_helper: bool = Field(
        default=True,
        description="a second process cleans a big fetch's messages while it reads (clean_messages.py)",
    )

    llm_backend: LLMBackend = Field(
        default="auto",
        description="auto: openai when LLM_BASE_URL is set, bedrock when BEDROCK_MODEL is set, else offline",
    )
    llm_base_url: str = Field(default="", description="OpenAI-compatible endpoint, e.g. http://gw/v1")
    llm_api_key: SecretStr = Field(default=SecretStr(""), description="key for the LLM endpoint")
    llm_model: str = Field(default="gpt-4o-mini", description="model name the endpoint serves")
    llm_headers: dict[str, str] = Field(
        default_factory=dict, description='extra request headers as JSON, e.g. {"x-project": "sre"}'
    )
    llm_timeout: float = Field(default=60.0, gt=0, description="seconds for one LLM call")
    llm_max_retries: int = Field(default=2, ge=0, le=10, description="retries of a failed LLM call")
    llm_context_window: int = Field(default=32_000, ge=2_000)
    llm_stream: bool = Field(default=True, description="stream answers token by token")
    llm_stream_usage: bool = Field(
        default=True,
        description="ask an OpenAI-compatible endpoint for token usage on streamed answers "
        "(stream_options.include_usage); off for an endpoint that rejects it",
    )
    llm_refine: bool = Field(default=True, description="let the LLM add search terms in the refine step")
    llm_refine_timeout: float = Field(
        default=10.0, gt=0, description="seconds the refine step waits for the LLM (no retries)"
    )
    bedrock_model: str = Field(default="", description="Bedrock model id, e.g. anthropic.claude-3-5-sonnet…")
    bedrock_region: str = Field(default="us-east-1")
    bedrock_endpoint_url: str = Field(default="", description="Bedrock Runtime endpoint (VPC endpoints)")

    agent_max_steps: int = Field(default=8, ge=1, le=50, description="most LLM calls in one turn")
    tool_output_tokens: int = Field(
        default=2_000, ge=100, le=50_000, description="budget of one tool output sent to the LLM"
    )
    memory_tokens: int = Field(default=12_000, ge=1_000, description="chat history kept for the LLM")
    max_window_hours: float = Field(default=24.0, gt=0, description="widest time window a tool may fetch")
    tool_max_lines: int = Field(default=50, ge=1, le=500, description="most lines one tool returns")

    # The Slack bot. Slack's own variable names, as in Slack's samples (SRE_AGENT_-prefixed work too).
    slack_bot_token: SecretStr = Field(
        default=SecretStr(""),
        validation_alias=AliasChoices("SLACK_BOT_TOKEN", "SRE_AGENT_SLACK_BOT_TOKEN"),
        description="xoxb-… bot token",
    )
    slack_app_token: SecretStr = Field(
        default=SecretStr(""),
        validation_alias=AliasChoices("SLACK_APP_TOKEN", "SRE_AGENT_SLACK_APP_TOKEN"),
        description="xapp-… app-level token (Socket Mode)",
    )
    slack_signing_secret: SecretStr = Field(
        default=SecretStr(""),
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "SRE_AGENT_SLACK_SIGNING_SECRET"),
        description="signs Slack's HTTP requests (--http)",
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        validation_alias=AliasChoices("SLACK_API_URL", "SRE_AGENT_SLACK_API_URL"),
        description="Slack Web API base URL (tests point it at a local server)",
    )
    slack_allowed_channels: CommaList = Field(
        default_factory=list, description="channel ids the bot answers in, comma-separated; empty: all"
    )
    slack_allowed_users: CommaList = Field(
        default_factory=list, description="user ids the bot answers, comma-separated; empty: all"
    )
    slack_max_sessions: int = Field(
        default=100, ge=1, description="live threads kept; the least recently used is dropped beyond"
    )
    slack_workers: int = Field(default=4, ge=1, le=64, description="questions answered at once")
    slack_queue: int = Field(default=50, ge=1, description="questions waiting for a worker before refusing")
    slack_stream: SlackStream = Field(
        default="auto", description="stream answers with chat.startStream: auto (fall back when refused)"
    )
    bot_logs: Path | None = Field(
        default=None, description="log file or folder the bot reads; unset: each service's own logstore"
    )
    bot_service: str | None = Field(
        default=None, description="service config the bot assumes when a question names none"
    )
    purge_enabled: bool = Field(default=True, description="drop every session's logs once a day")
    purge_at: str = Field(default="00:00", description="when the daily purge runs, HH:MM")
    purge_timezone: str = Field(default="UTC", description="time zone of PURGE_AT, e.g. Europe/Berlin")
    purge_wait: float = Field(
        default=300.0, ge=0, description="seconds the purge waits for running questions to finish"
    )
    traces: bool = Field(default=True, description="write a trace of every run to <data dir>/runs")
    trace_keep_days: float = Field(default=7.0, gt=0, description="days a run trace is kept")
    trace_purge: bool = Field(
        default=False, description="the midnight purge (and `sessions purge`) also removes every run trace"
    )

    @field_validator("slack_allowed_channels", "slack_allowed_users", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("purge_at")
    @classmethod
    def _purge_at(cls, value: str) -> str:
        if not _HHMM.fullmatch(value):
            raise ValueError("must be HH:MM on a 24-hour clock, e.g. 00:00")
        return value

    @field_validator("purge_timezone")
    @classmethod
    def _purge_timezone(cls, value: str) -> str:
        import pytz

        try:
            pytz.timezone(value)
        except pytz.UnknownTimeZoneError:
            raise ValueError("unknown time zone; use an IANA name such as UTC or Europe/Berlin") from None
        return value

    @model_validator(mode="after")
    def _default_lancedb_uri(self) -> Settings:
        if not self.lancedb_uri:
            self.lancedb_uri = str(self.data_dir / "lancedb")
        if not self.code_index_uri:
            self.code_index_uri = str(self.data_dir / "code")
        if self.model_cache_dir is None:
            self.model_cache_dir = self.data_dir / "models"
        return self

    def masked(self) -> dict[str, str]:
        """The effective settings as strings, secrets masked, for `sre-agent config`."""
        out: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name in ("lancedb_storage_options", "llm_headers"):
                out[name] = str({k: ("******" if _SECRET_KEY.search(k) else v) for k, v in value.items()})
            elif isinstance(value, SecretStr):
                secret = value.get_secret_value()
                out[name] = "(not set)" if not secret else f"****** (set, {len(secret)} chars)"
            else:
                out[name] = str(value)
        return out

    @property
    def llm_kind(self) -> Literal["openai", "bedrock", "none"]:
        """The LLM backend in use after resolving `auto`."""
        if self.llm_backend != "auto":
            return self.llm_backend
        if self.llm_base_url:
            return "openai"
        return "bedrock" if self.bedrock_model else "none"


def _env_name(field: object) -> str:
    name = str(field)
    return name if name.isupper() else f"SRE_AGENT_{name.upper()}"  # upper case: an alias (SLACK_…)


def load_settings() -> Settings:
    """`Settings()` from the environment, with errors that name the variable and what is wrong."""
    try:
        return Settings()
    except SettingsError as exc:  # a value pydantic-settings could not even decode (bad JSON)
        field = re.search(r'field "(\w+)"', str(exc))
        name = _env_name(field.group(1)) if field else "a setting"
        cause = f": {exc.__cause__}" if exc.__cause__ else ""
        raise ConfigError(f"{name}: could not read the value (JSON expected{cause})") from None
    except ValidationError as exc:
        problems = [
            f"{_env_name(e['loc'][0]) if e['loc'] else 'settings'}: {e['msg']} (got {e.get('input')!r})"
            for e in exc.errors()
        ]
        raise ConfigError("; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()

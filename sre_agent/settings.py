"""Settings from the environment (prefix `SRE_AGENT_`) and an optional `.env` file.

`get_settings()` is the one way code reads settings. Paths default relative to the current
directory so that a fresh clone works without any configuration.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_SECRET_KEY = re.compile(r"secret|key|token|password|session", re.IGNORECASE)
EmbedBackend = Literal["local", "openai", "none"]


class Settings(BaseSettings):
    """Every knob of sre-agent. Secrets are `SecretStr` so they never print by accident."""

    model_config = SettingsConfigDict(
        env_prefix="SRE_AGENT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
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
    fetch_limit: int = Field(default=20_000, ge=1, le=100_000, description="most records one fetch returns")
    top_k: int = Field(default=10, ge=1, le=200)

    @model_validator(mode="after")
    def _default_lancedb_uri(self) -> Settings:
        if not self.lancedb_uri:
            self.lancedb_uri = str(self.data_dir / "lancedb")
        if self.model_cache_dir is None:
            self.model_cache_dir = self.data_dir / "models"
        return self

    def masked(self) -> dict[str, str]:
        """The effective settings as strings, secrets masked, for `sre-agent config`."""
        out: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name == "lancedb_storage_options":
                out[name] = str({k: ("******" if _SECRET_KEY.search(k) else v) for k, v in value.items()})
            elif isinstance(value, SecretStr):
                secret = value.get_secret_value()
                out[name] = "(not set)" if not secret else f"****** (set, {len(secret)} chars)"
            else:
                out[name] = str(value)
        return out


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()

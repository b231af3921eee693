"""Build the LLM the agent talks to, from settings: any OpenAI-compatible endpoint, or Bedrock.

`build_llm` returns None when no LLM is configured: the agent then answers in offline triage
mode. Nothing here sends data; the agent redacts everything before it reaches the model.
"""

from __future__ import annotations

from typing import Any

from sre_agent.errors import ConfigError
from sre_agent.settings import Settings


def describe_llm(settings: Settings) -> str:
    """One line naming the backend in use, for banners and answers (never a secret)."""
    kind = settings.llm_kind
    if kind == "openai":
        return f"{settings.llm_model} at {settings.llm_base_url} (OpenAI-compatible)"
    if kind == "bedrock":
        return f"{settings.bedrock_model} on AWS Bedrock ({settings.bedrock_region})"
    return "offline triage (no LLM configured)"


def build_llm(settings: Settings, *, timeout: float | None = None, retries: int | None = None) -> Any:
    """The LlamaIndex LLM the settings name, or None for offline mode.

    `timeout` and `retries` override the settings' for helpers that must stay quick (refine)."""
    kind = settings.llm_kind
    timeout = settings.llm_timeout if timeout is None else timeout
    retries = settings.llm_max_retries if retries is None else retries
    if kind == "none":
        return None
    if kind == "openai":
        if not settings.llm_base_url:
            raise ConfigError(
                "SRE_AGENT_LLM_BACKEND=openai needs SRE_AGENT_LLM_BASE_URL (e.g. https://api.openai.com/v1)"
            )
        from llama_index.llms.openai_like import OpenAILike

        return OpenAILike(
            model=settings.llm_model,
            api_base=settings.llm_base_url.rstrip("/"),
            # Gateways that authenticate by headers alone still get a (dummy) bearer key.
            api_key=settings.llm_api_key.get_secret_value() or "none",
            default_headers=settings.llm_headers or None,
            timeout=timeout,
            max_retries=retries,
            is_chat_model=True,
            is_function_calling_model=True,
            context_window=settings.llm_context_window,
            temperature=0.0,
            # Streamed answers report their token usage only when asked (run traces count tokens).
            additional_kwargs={"stream_options": {"include_usage": True}}
            if settings.llm_stream_usage
            else {},
        )
    if not settings.bedrock_model:
        raise ConfigError("SRE_AGENT_LLM_BACKEND=bedrock needs SRE_AGENT_BEDROCK_MODEL (a Bedrock model id)")
    from botocore.config import Config
    from llama_index.llms.bedrock_converse import BedrockConverse

    # Credentials come from the usual AWS chain (env, profile, role), never from our settings.
    # botocore does the retries; the integration's own retry wrapper (4-10 s waits) makes one attempt.
    config = Config(
        retries={"total_max_attempts": retries + 1, "mode": "standard"},
        connect_timeout=timeout,
        read_timeout=timeout,
    )
    return BedrockConverse(
        model=settings.bedrock_model,
        region_name=settings.bedrock_region,
        endpoint_url=settings.bedrock_endpoint_url or None,
        botocore_config=config,
        max_retries=1,
        max_tokens=2048,
        temperature=0.0,
    )

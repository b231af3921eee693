"""Pick the embedding backend the settings name, and check it works before relying on it.

`build_embedder` only constructs (nothing is loaded or called). `probe_embedder` embeds one tiny
text: when that fails (model file missing, endpoint down) the caller gets `None` and a warning to
show, and goes on with full-text search only instead of failing.
"""

from __future__ import annotations

import importlib.util
import logging

from llama_index.core.base.embeddings.base import BaseEmbedding

from sre_agent.embeddings.local_onnx import MODEL_NAME, LocalOnnxEmbedding, is_builtin_model
from sre_agent.embeddings.openai_compat import OpenAICompatEmbedding
from sre_agent.errors import ConfigError
from sre_agent.settings import Settings

log = logging.getLogger(__name__)

PROBE_TEXT = "connection refused"
# Packages that could run other local models; sre-agent has no backend over them yet.
OTHER_LOCAL_PACKAGES = {"sentence_transformers": "sentence-transformers", "fastembed": "fastembed"}


def build_embedder(settings: Settings) -> BaseEmbedding | None:
    """The embedding model `settings.embed_backend` names, or None for "none"."""
    backend = settings.embed_backend
    if backend == "none":
        return None
    if backend == "local":
        if not is_builtin_model(settings.embed_model):
            raise ConfigError(_other_local_model_message(settings.embed_model))
        cache_dir = settings.model_cache_dir or settings.data_dir / "models"
        return LocalOnnxEmbedding(cache_dir=cache_dir, embed_batch_size=settings.embed_batch_size)
    if backend == "openai":
        return OpenAICompatEmbedding(
            settings.embed_base_url,
            settings.embed_api_key.get_secret_value(),
            settings.embed_model,
            settings.embed_batch_size,
        )
    raise ConfigError(f"embed_backend {backend!r} is not one of local, openai, none")


def probe_embedder(embedder: BaseEmbedding | None) -> tuple[BaseEmbedding | None, str | None]:
    """(embedder, None) when it embeds a tiny text; (None, warning) when it cannot.

    With no embedder at all (backend "none") the answer is (None, None): nothing to warn about.
    """
    if embedder is None:
        return None, None
    try:
        vector = embedder.get_text_embedding(PROBE_TEXT)
        if not vector:
            raise ValueError("it returned an empty vector")
    except Exception as exc:  # whatever broke, the caller degrades to full-text search
        warning = f"embeddings unavailable ({embedder.class_name()}: {exc}); searching logs by full text only"
        log.warning("%s", warning)
        return None, warning
    return embedder, None


def _other_local_model_message(model: str) -> str:
    installed = [pip for module, pip in OTHER_LOCAL_PACKAGES.items() if importlib.util.find_spec(module)]
    choices = (
        f"set SRE_AGENT_EMBED_MODEL={MODEL_NAME} (built in, offline) "
        "or SRE_AGENT_EMBED_BACKEND=openai with an endpoint that serves it"
    )
    if not installed:
        return (
            f"embedding model {model!r} needs package sentence-transformers or fastembed, "
            f"and neither is installed: {choices}"
        )
    return (
        f"embedding model {model!r}: {', '.join(installed)} is installed, but sre-agent's local backend "
        f"runs only {MODEL_NAME}: {choices}"
    )

"""Embedding backends behind LlamaIndex's `BaseEmbedding`: the local offline model, an
OpenAI-compatible endpoint, or none; `build_embedder` picks one from the settings and
`probe_embedder` checks it works before a caller relies on it."""

from sre_agent.embeddings.factory import build_embedder, probe_embedder
from sre_agent.embeddings.local_onnx import EMBED_DIM, LocalOnnxEmbedding
from sre_agent.embeddings.openai_compat import EmbeddingEndpointError, OpenAICompatEmbedding

__all__ = [
    "EMBED_DIM",
    "EmbeddingEndpointError",
    "LocalOnnxEmbedding",
    "OpenAICompatEmbedding",
    "build_embedder",
    "probe_embedder",
]

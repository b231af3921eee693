"""`ThreadedEmbedding`: the async half of LlamaIndex's `BaseEmbedding` for backends whose work
is blocking (ONNX inference, a sync HTTP client): each async call runs the sync one in a thread."""

from __future__ import annotations

import asyncio

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding


class ThreadedEmbedding(BaseEmbedding):
    """Subclasses implement the sync `_get_*` methods; the async ones come from here."""

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return await asyncio.to_thread(self._get_query_embedding, query)

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return await asyncio.to_thread(self._get_text_embedding, text)

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return await asyncio.to_thread(self._get_text_embeddings, texts)

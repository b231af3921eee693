"""The chat-history store that redacts every message before it is written to `memory.db`.

LlamaIndex's `Memory` writes through its chat store (`add_message`, `add_messages`,
`set_messages`); this store is the SQLAlchemy one with a redaction in front of each of them, so
whatever the agent puts in a thread's history (the question, tool results, the model's answers,
tool-call arguments) is stored only redacted, whichever path wrote it.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.llms import ChatMessage
from llama_index.core.storage.chat_store.base_db import MessageStatus
from llama_index.core.storage.chat_store.sql import SQLAlchemyChatStore
from pydantic import PrivateAttr

from sre_agent.redact import Redactor


class RedactingChatStore(SQLAlchemyChatStore):
    """`SQLAlchemyChatStore` whose writes pass through `redactor` first."""

    _redactor: Redactor = PrivateAttr(default_factory=Redactor)

    def __init__(self, table_name: str, *, async_engine: Any, redactor: Redactor | None = None) -> None:
        super().__init__(table_name=table_name, async_engine=async_engine)
        self._redactor = redactor or Redactor.for_config(None)

    def redact(self, message: ChatMessage) -> ChatMessage:
        """`message` with every string in it redacted (text, tool-call arguments, names)."""
        return ChatMessage.model_validate(self._redactor.redact_value(message.model_dump(mode="json")))

    async def add_message(
        self, key: str, message: ChatMessage, status: MessageStatus = MessageStatus.ACTIVE
    ) -> None:
        await super().add_message(key, self.redact(message), status=status)

    async def add_messages(
        self, key: str, messages: list[ChatMessage], status: MessageStatus = MessageStatus.ACTIVE
    ) -> None:
        await super().add_messages(key, [self.redact(m) for m in messages], status=status)

    async def set_messages(
        self, key: str, messages: list[ChatMessage], status: MessageStatus = MessageStatus.ACTIVE
    ) -> None:
        await super().set_messages(key, [self.redact(m) for m in messages], status=status)

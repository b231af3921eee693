"""What the log index gives back: stored rows, search hits and ingest statistics."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from sre_agent.models import CleanRecord

Via = Literal["vector", "fts", "both"]


class StoredRecord(CleanRecord):
    """A `CleanRecord` as the store holds it, plus the columns the store derives from it."""

    table: str = Field(description="the session table the row came from")
    level_rank: int = Field(description="TRACE 0 … FATAL 5; rows without a known level rank 2 (INFO)")
    msg_hash: str = Field(description="hash of the message: identical lines share it")
    shape_hash: str = Field(description="hash of the shape: lines of one shape share it (and one embedding)")


class Hit(StoredRecord):
    """One search result: a stored row, how well it matched and which retriever found it."""

    score: float = Field(
        description="hybrid: reciprocal-rank-fusion score; vector: cosine similarity; fts: BM25 score"
    )
    via: Via = Field(description="found by the vector search, the full-text search, or both")


class IngestStats(BaseModel):
    """What one `LogIndex.ingest` call did."""

    fetched: int = Field(description="records handed to ingest")
    new: int = Field(description="rows inserted")
    already_stored: int = Field(
        description="records whose id the table already held (or repeated in the batch)"
    )
    shapes_embedded: int = Field(description="distinct shapes sent to the embedder")
    shapes_reused: int = Field(description="distinct shapes whose vector was already known")
    seconds: float

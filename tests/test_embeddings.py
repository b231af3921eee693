"""Embedding backends: the real local model (offline), an OpenAI-compatible endpoint (a real HTTP
server on 127.0.0.1), and the factory/probe that picks one and degrades when it fails."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
from pathlib import Path

import numpy as np
import pytest
from fakes.openai_server import fake_vector, running_openai_server

from sre_agent.embeddings import (
    EMBED_DIM,
    EmbeddingEndpointError,
    LocalOnnxEmbedding,
    OpenAICompatEmbedding,
    build_embedder,
    probe_embedder,
)
from sre_agent.embeddings.local_onnx import ATTENTION_CELLS, shipped_model_path
from sre_agent.errors import ConfigError, InputError
from sre_agent.settings import Settings

TEMPLATES = [
    "connection refused to db-{n}:5432 after {m} retries",
    "GET /api/v1/orders/{n} 200 {m}ms",
    "user {n} logged in successfully from 10.0.{m}.4",
    "OOMKilled container worker-{n} memory limit {m}Mi",
    "timeout waiting for lock on table orders (pid {n}, waited {m} s)",
    "kafka consumer group payments lag {n} messages on partition {m}",
    "ERROR [payment-svc] java.lang.NullPointerException at com.acme.Pay.charge(Pay.java:{n})",
    "WARN disk usage on /var/lib/postgresql at {m}% on node ip-10-1-{n}",
    "Retrying request {n} (attempt {m}/5) to inventory-service: 503 Service Unavailable",
    '{{"level":"error","msg":"failed to publish event","topic":"orders","attempt":{m},"id":{n}}}',
    "pod/api-{n}-7f9c back-off restarting failed container (CrashLoopBackOff), restarts={m}",
    "nginx: upstream timed out (110: Connection timed out) while reading response header, client 10.2.{m}.9",
]


def log_lines(count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [
        rng.choice(TEMPLATES).format(n=rng.randint(1, 99_999), m=rng.randint(1, 999)) for _ in range(count)
    ]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.fixture(scope="module")
def shipped() -> LocalOnnxEmbedding:
    """The model file exactly as the package ships it (no cache dir, so no conversion)."""
    return LocalOnnxEmbedding(cache_dir=None)


# --- the local model ---------------------------------------------------------------------------


def test_local_model_loads_offline_and_gives_384_dim_unit_vectors(embedder: LocalOnnxEmbedding) -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    vectors = np.array(embedder.get_text_embedding_batch(["connection refused to db-1", "", "ok"]))
    assert vectors.shape == (3, EMBED_DIM) == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    query = np.array(embedder.get_query_embedding("why is the database down?"))
    assert query.shape == (384,) and abs(np.linalg.norm(query) - 1.0) < 1e-5


def test_semantically_close_log_lines_are_closer_than_unrelated_ones(embedder: LocalOnnxEmbedding) -> None:
    refused, cannot_connect, logged_in = np.array(
        embedder.get_text_embedding_batch(
            ["connection refused to db-1", "could not connect to database", "user logged in successfully"]
        )
    )
    close = refused @ cannot_connect
    assert close > refused @ logged_in + 0.2
    assert close > cannot_connect @ logged_in + 0.2


def test_batch_equals_one_by_one_and_keeps_order(embedder: LocalOnnxEmbedding) -> None:
    lines = log_lines(30, seed=1) + ["ok", "x " * 400]  # short, long and truncated texts mixed
    random.Random(2).shuffle(lines)
    batched = np.array(embedder.get_text_embedding_batch(lines))
    single = np.array([embedder.get_text_embedding(line) for line in lines])
    assert cosines(batched, single).min() > 0.999


def test_long_texts_run_in_small_batches_so_memory_stays_bounded(embedder: LocalOnnxEmbedding) -> None:
    # 64 texts of 256 tokens in one batch held ~1 GB more at once; a batch of 256-token texts
    # is now one text, of 128-token texts four, while short log lines still share batches of 64
    lines = log_lines(100, seed=4) + ["word " * 300] * 3 + ["word " * 120] * 9
    runner = embedder._load()
    shapes: list[tuple[int, int]] = []
    run_batch = runner._embed_batch

    def recorded(token_ids: list[list[int]]) -> np.ndarray:
        shapes.append((len(token_ids), max(len(ids) for ids in token_ids)))
        return run_batch(token_ids)

    runner._embed_batch = recorded  # type: ignore[method-assign]
    try:
        batched = embedder.embed_texts(lines)
    finally:
        del runner._embed_batch
    assert all(rows * longest**2 <= ATTENTION_CELLS for rows, longest in shapes), shapes
    assert (1, 256) in shapes and max(rows for rows, _ in shapes) == 64
    assert sum(rows for rows, _ in shapes) == len(lines)
    single = np.array([embedder.get_text_embedding(line) for line in lines])
    assert cosines(batched, single).min() > 0.999


def test_async_calls_give_the_sync_vectors(embedder: LocalOnnxEmbedding) -> None:
    lines = log_lines(5, seed=3)
    async_vectors = asyncio.run(embedder.aget_text_embedding_batch(lines))
    async_query = asyncio.run(embedder.aget_query_embedding(lines[0]))
    sync_vectors = np.array(embedder.get_text_embedding_batch(lines))
    assert cosines(np.array(async_vectors), sync_vectors).min() > 0.999
    assert cosines(np.array([async_query]), sync_vectors[:1])[0] > 0.999


def test_text_longer_than_256_tokens_is_truncated_not_rejected(embedder: LocalOnnxEmbedding) -> None:
    # "word " is one token; [CLS] + 254 words + [SEP] = 256 tokens: the rest is cut off
    long, cut = embedder.embed_texts(["word " * 2000, "word " * 254])
    assert float(long @ cut) > 0.9999


def test_bad_input_is_named(embedder: LocalOnnxEmbedding) -> None:
    assert embedder.embed_texts([]).shape == (0, 384)
    with pytest.raises(InputError, match="text 1 to embed is a int"):
        embedder.embed_texts(["fine", 42])  # type: ignore[list-item]


def test_converted_model_stays_within_cosine_099_of_the_shipped_one(
    embedder: LocalOnnxEmbedding, shipped: LocalOnnxEmbedding
) -> None:
    assert embedder.model_id == "all-MiniLM-L6-v2-int8-rowwise"
    assert shipped.model_id == "all-MiniLM-L6-v2-int8" and shipped.model_file == shipped_model_path()
    lines = log_lines(48, seed=4)
    assert cosines(embedder.embed_texts(lines), shipped.embed_texts(lines)).min() >= 0.99


def test_conversion_happens_on_first_embed_once_and_is_cached(tmp_path: Path) -> None:
    cache = tmp_path / "models"
    first = LocalOnnxEmbedding(cache_dir=cache)
    assert not first.is_loaded and not cache.exists()  # constructing loads nothing
    vector = first.get_text_embedding("disk full on /var")
    assert first.is_loaded
    files = list(cache.iterdir())
    assert [f.name for f in files] == [first.model_file.name]  # no temporary file left behind
    assert first.model_file.name.endswith(".onnx") and "8199be6f699a395f" in first.model_file.name
    written = files[0].stat().st_mtime_ns

    second = LocalOnnxEmbedding(cache_dir=cache)
    assert np.allclose(second.get_text_embedding("disk full on /var"), vector, atol=1e-6)
    assert second.model_file == first.model_file and files[0].stat().st_mtime_ns == written


def test_failed_conversion_falls_back_to_the_shipped_file_with_a_warning(
    tmp_path: Path, shipped: LocalOnnxEmbedding, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_dir = tmp_path / "models"
    not_a_dir.write_text("a file where the cache folder should be")
    embedder = LocalOnnxEmbedding(cache_dir=not_a_dir)
    with caplog.at_level(logging.WARNING):
        vector = embedder.get_text_embedding("connection refused to db-1")
    assert "using the shipped embedding model as is" in caplog.text
    assert embedder.model_file == shipped_model_path()
    assert np.allclose(vector, shipped.get_text_embedding("connection refused to db-1"), atol=1e-6)


# --- an OpenAI-compatible endpoint ------------------------------------------------------------


def test_fallback_chain_skips_a_model_the_server_does_not_have_and_sends_the_key() -> None:
    with running_openai_server(models={"text-embedding-3-small": 8}) as server:
        server.reverse_data = True  # vectors must be matched to texts by "index", not position
        embedder = OpenAICompatEmbedding(server.base_url, "sk-test-secret", "text-embedding-3-large")
        texts = ["connection refused", "disk full", "user logged in"]
        assert embedder.get_text_embedding_batch(texts) == [fake_vector(t, 8) for t in texts]
        assert server.models_asked == ["text-embedding-3-large", "text-embedding-3-small"]
        assert embedder.active_model == "text-embedding-3-small" and embedder.dimension == 8

        embedder.get_query_embedding("why?")  # remembered: the 404 model is not asked again
        assert server.models_asked[-1] == "text-embedding-3-small" and len(server.requests) == 3
        assert {r.path for r in server.requests} == {"/v1/embeddings"}
        assert {r.headers.get("Authorization") for r in server.requests} == {"Bearer sk-test-secret"}


def test_a_model_outside_the_chain_is_used_alone_and_no_key_means_no_header() -> None:
    with running_openai_server(models={"nomic-embed-text": 4}) as server:
        embedder = OpenAICompatEmbedding(server.base_url + "/", "", "nomic-embed-text", embed_batch_size=2)
        texts = [f"line {i}" for i in range(5)]
        assert embedder.get_text_embedding_batch(texts) == [fake_vector(t, 4) for t in texts]
        assert [len(r.body["input"]) for r in server.requests] == [2, 2, 1]  # batches of embed_batch_size
        assert all("Authorization" not in r.headers for r in server.requests)

        missing = OpenAICompatEmbedding(server.base_url, "", "text-embedding-ada-002")
        with pytest.raises(EmbeddingEndpointError, match="serves none of the models text-embedding-ada-002"):
            missing.get_text_embedding("x")


def test_a_server_that_always_fails_gives_a_clear_error_after_three_attempts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with running_openai_server(fail_status=500) as server:
        embedder = OpenAICompatEmbedding(
            server.base_url, "sk-never-log-me", "text-embedding-3-small", retry_wait=0.01
        )
        started = time.monotonic()
        with caplog.at_level(logging.DEBUG), pytest.raises(EmbeddingEndpointError) as caught:
            embedder.get_text_embedding("connection refused")
        assert time.monotonic() - started < 5
        assert len(server.requests) == 3
    message = str(caught.value)
    assert "answered HTTP 500 3 times" in message and server.base_url in message
    assert "retrying" in caplog.text
    assert "sk-never-log-me" not in caplog.text + message + repr(embedder) + str(embedder.to_payload())


def test_429_and_503_are_retried_then_succeed() -> None:
    with running_openai_server(fail_status=429, fail_first=2) as server:
        embedder = OpenAICompatEmbedding(server.base_url, "", "text-embedding-3-small", retry_wait=0.01)
        assert embedder.get_text_embedding("ok") == fake_vector("ok", 8)
        assert len(server.requests) == 3
    with running_openai_server(fail_status=401) as server:  # not transient: no retry, says what to check
        embedder = OpenAICompatEmbedding(server.base_url, "bad", "text-embedding-3-small", retry_wait=0.01)
        with pytest.raises(EmbeddingEndpointError, match="SRE_AGENT_EMBED_API_KEY"):
            embedder.get_text_embedding("ok")
        assert len(server.requests) == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_probe_returns_none_and_a_warning_for_an_unreachable_endpoint() -> None:
    embedder = OpenAICompatEmbedding(
        f"http://127.0.0.1:{free_port()}/v1", "", "text-embedding-3-small", retry_wait=0.01
    )
    probed, warning = probe_embedder(embedder)
    assert probed is None
    assert warning is not None and "could not connect" in warning and "full text only" in warning


def test_probe_passes_a_working_embedder_through(embedder: LocalOnnxEmbedding) -> None:
    assert probe_embedder(embedder) == (embedder, None)
    assert probe_embedder(None) == (None, None)
    with running_openai_server() as server:
        remote = OpenAICompatEmbedding(server.base_url, "", "text-embedding-3-small")
        assert probe_embedder(remote) == (remote, None)


# --- the factory -------------------------------------------------------------------------------


def test_build_embedder_follows_the_settings(tmp_path: Path) -> None:
    assert build_embedder(Settings(data_dir=tmp_path, embed_backend="none")) is None

    local = build_embedder(Settings(data_dir=tmp_path, embed_batch_size=16))
    assert isinstance(local, LocalOnnxEmbedding) and not local.is_loaded
    assert local.cache_dir == tmp_path / "models" and local.embed_batch_size == 16

    with running_openai_server(models={"text-embedding-3-large": 6}) as server:
        settings = Settings(
            data_dir=tmp_path,
            embed_backend="openai",
            embed_base_url=server.base_url,
            embed_api_key="sk-from-settings",
            embed_model="text-embedding-3-large",
        )
        remote = build_embedder(settings)
        assert isinstance(remote, OpenAICompatEmbedding)
        assert len(remote.get_text_embedding("hello")) == 6
        assert server.requests[0].headers["Authorization"] == "Bearer sk-from-settings"


def test_build_embedder_names_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match="'BAAI/bge-small-en' needs package sentence-transformers or fastembed"
    ):
        build_embedder(Settings(data_dir=tmp_path, embed_model="BAAI/bge-small-en"))
    with pytest.raises(ConfigError, match="SRE_AGENT_EMBED_BASE_URL"):
        build_embedder(Settings(data_dir=tmp_path, embed_backend="openai", embed_base_url=""))
    with pytest.raises(ConfigError, match="must start with http"):
        build_embedder(Settings(data_dir=tmp_path, embed_backend="openai", embed_base_url="host:8000/v1"))

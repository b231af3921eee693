"""The codebase index: a git checkout's files as chunks in a persistent LanceDB table per
repository, searched by meaning and by words (hybrid, fused by RRF).

It lives in its own LanceDB folder (`SRE_AGENT_CODE_INDEX_URI`, default `<data dir>/code`), apart
from the session tables, so neither `reset` nor the nightly purge touches it. Re-indexing is
incremental: a file whose content hash is unchanged is skipped; a changed file's chunks are
replaced; a file gone from `git ls-files` loses its chunks.

It stays inside the repository and stores no secret in clear: a file is read only when its real
path (symlinks resolved) is inside the repository's own, so a tracked symlink to `/etc/passwd`
or to a file elsewhere is skipped and counted (`IndexStats.outside`, said by `index-code`); and
every chunk is redacted (built-in rules) before it is stored or embedded.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import subprocess
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import lancedb
import numpy as np
import pyarrow as pa
from lancedb.index import FTS

from sre_agent.errors import InputError
from sre_agent.indexes.code_chunks import Chunk, chunk_file, generated, wanted
from sre_agent.indexes.fusion import rrf_scores
from sre_agent.indexes.lance import LazyConnection, table_names
from sre_agent.indexes.naming import table_name
from sre_agent.redact import Redactor

#: Files larger than this are not code worth reading (generated, vendored, data).
MAX_FILE_BYTES = 512 * 1024
#: Characters of a chunk the embedding model sees: its path, symbol and first lines (signature,
#: docstring) carry its meaning; full text is searched by BM25. 500 keeps indexing 2x faster than 1,200.
EMBED_CHARS = 500
EMBED_BATCH = 64
#: Part of every stored file hash: changing how chunks are made (v2: redacted) re-indexes every
#: file once, so an index written before holds no chunk made the old way.
CHUNKS_VERSION = "v2"


@dataclass(frozen=True)
class IndexStats:
    repo: str
    files: int  # files git lists that are code, config or docs
    indexed: int  # new or changed files (re)chunked and embedded
    unchanged: int
    removed: int
    chunks: int  # chunks written
    seconds: float
    outside: tuple[str, ...] = ()  # tracked paths whose real path is outside the repository: not read


@dataclass(frozen=True)
class CodeHit:
    repo: str
    path: str
    start: int
    end: int
    symbol: str
    kind: str
    text: str
    score: float


def _schema(dim: int) -> pa.Schema:
    return pa.schema(
        [
            ("id", pa.string()),
            ("repo", pa.string()),
            ("path", pa.string()),
            ("start", pa.int32()),
            ("end", pa.int32()),
            ("kind", pa.string()),
            ("symbol", pa.string()),
            ("text", pa.string()),
            ("search_text", pa.string()),
            ("file_hash", pa.string()),
            ("vector", pa.list_(pa.float32(), dim)),
        ]
    )


def git_files(root: Path) -> list[str]:
    """The files git tracks under `root` (relative paths); `InputError` if it is not a checkout."""
    if not root.is_dir():
        raise InputError(f"PATH: {root} is not a folder")
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z"], capture_output=True, check=True, timeout=60
        ).stdout
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        raise InputError(f"PATH: {root} is not a git checkout (git ls-files failed: {exc})") from None
    return [p for p in out.decode("utf-8", "replace").split("\0") if p]


def _read_files(root: Path, files: list[str]) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """The text of each file worth indexing, by relative path, with its hash; and the paths not
    read because their real path (symlinks resolved) is outside `root` (a resolved path)."""
    contents: dict[str, tuple[str, str]] = {}
    outside: list[str] = []
    for rel in files:
        try:
            real = (root / rel).resolve()
        except (OSError, RuntimeError):  # a symlink loop
            continue
        if not real.is_relative_to(root):
            outside.append(rel)
            continue
        try:
            if not real.is_file() or real.stat().st_size > MAX_FILE_BYTES:
                continue
            data = real.read_bytes()
        except OSError:
            continue
        if b"\0" in data[:8192] or not data.strip():
            continue  # binary, or empty (nothing to find, and no chunk to remember its hash by)
        text = data.decode("utf-8", "replace")
        if generated(text):
            continue
        contents[rel] = (f"{CHUNKS_VERSION}:{hashlib.sha256(data).hexdigest()}", text)
    return contents, outside


def outside_sentence(outside: tuple[str, ...] | list[str], shown: int = 5) -> str:
    """What `index-code` says about the files it did not read because they lead out of the repository."""
    n = len(outside)
    names = ", ".join(outside[:shown]) + (f" and {n - shown} more" if n > shown else "")
    files = "1 file was" if n == 1 else f"{n} files were"
    return (
        f"{files} not read because {'it is a symlink' if n == 1 else 'they are symlinks'} "
        f"whose real path is outside the repository: {names}"
    )


class CodeIndex:
    """Index and search repositories (see the module docstring)."""

    def __init__(self, uri: str, embedder: Any, redactor: Redactor | None = None) -> None:
        self.uri = uri
        self.embedder = embedder
        self.redactor = redactor or Redactor.for_config(None)
        self._connection = LazyConnection(lambda: lancedb.connect(uri))

    def _table_names(self) -> list[str]:
        return table_names(self._connection())

    def repos(self) -> list[str]:
        """Names of the indexed repositories."""
        return sorted(n.removeprefix("code_") for n in self._table_names() if n.startswith("code_"))

    # ------------------------------------------------------------------ indexing

    def index(self, root: Path, name: str, include: list[str] | None = None) -> IndexStats:
        """Index `root`'s code as repository `name`; `include` globs narrow the files (the others
        are removed from the index, as if deleted)."""
        started = time.perf_counter()
        table = table_name("code", name)
        repo = table.removeprefix("code_")
        files = [p for p in git_files(root) if wanted(p)]
        if include:
            files = [p for p in files if any(fnmatch.fnmatch(p, glob) for glob in include)]
        contents, outside = _read_files(root.resolve(), files)
        tbl = self._table(table)
        stored = self._stored_hashes(tbl)
        changed = [rel for rel, (digest, _) in contents.items() if stored.get(rel) != digest]
        removed = [rel for rel in stored if rel not in contents]
        rows = []
        for rel in changed:
            digest, text = contents[rel]
            # The whole file is redacted before it is cut, so a secret is never split between chunks.
            # Line numbers stay exact unless a multi-line secret (a PEM key) became one marker line.
            rows.extend(self._rows(repo, rel, digest, chunk_file(rel, self.redactor.redact(text))))
        self._embed(rows)
        for rel in changed + removed:
            if rel in stored:
                tbl.delete(f"path = '{_sql(rel)}'")
        if rows:
            tbl.add(pa.Table.from_pylist(rows, schema=_schema(self._dim)))
        if rows or removed:
            tbl.create_index("search_text", config=FTS(with_position=False), replace=True)
        return IndexStats(
            repo=repo,
            files=len(contents),
            indexed=len(changed),
            unchanged=len(contents) - len(changed),
            removed=len(removed),
            chunks=len(rows),
            seconds=time.perf_counter() - started,
            outside=tuple(outside),
        )

    @cached_property
    def _dim(self) -> int:
        """The embedding size, probed once (an embedding per call was spent on it before)."""
        if self.embedder is None:
            return 1
        return len(self.embedder.get_text_embedding("dimension probe"))

    def _table(self, table: str) -> Any:
        db = self._connection()
        if table in self._table_names():
            return db.open_table(table)
        return db.create_table(table, schema=_schema(self._dim), exist_ok=True)

    @staticmethod
    def _stored_hashes(tbl: Any) -> dict[str, str]:
        rows = tbl.search().select(["path", "file_hash"]).limit(None).to_arrow().to_pylist()
        return {r["path"]: r["file_hash"] for r in rows}

    @staticmethod
    def _rows(repo: str, rel: str, digest: str, chunks: list[Chunk]) -> list[dict[str, Any]]:
        return [
            {
                "id": f"{rel}:{c.start}-{c.end}",
                "repo": repo,
                "path": rel,
                "start": c.start,
                "end": c.end,
                "kind": c.kind,
                "symbol": c.symbol,
                "text": c.text,
                "search_text": f"{rel} {c.symbol}\n{c.text}",
                "file_hash": digest,
                "vector": None,
            }
            for c in chunks
        ]

    def _embed(self, rows: list[dict[str, Any]]) -> None:
        if self.embedder is None:
            for row in rows:
                row["vector"] = [0.0]
            return
        texts = [row["search_text"][:EMBED_CHARS] for row in rows]
        for at in range(0, len(texts), EMBED_BATCH):
            vectors = self.embedder.get_text_embedding_batch(texts[at : at + EMBED_BATCH])
            for row, vector in zip(rows[at : at + EMBED_BATCH], vectors, strict=True):
                row["vector"] = np.asarray(vector, dtype=np.float32).tolist()

    # ------------------------------------------------------------------ search

    def search(
        self, query: str, *, repo: str | None = None, path_glob: str | None = None, k: int = 8
    ) -> list[CodeHit]:
        """The `k` best chunks for `query` (hybrid: vector and BM25, fused by RRF)."""
        repos = self.repos()
        if repo is not None and repo not in repos:
            known = ", ".join(repos) or "none (run `sre-agent index-code PATH`)"
            raise InputError(f"repo {repo!r} is not indexed; indexed: {known}")
        n = k * (8 if path_glob else 3)
        lists: list[list[str]] = []
        rows: dict[str, dict[str, Any]] = {}
        for name in [repo] if repo else repos:
            tbl = self._connection().open_table(f"code_{name}")
            for found in self._ranked(tbl, query, n):
                keyed = [f"{name}\0{r['id']}" for r in found]
                rows.update(zip(keyed, found, strict=True))
                lists.append(keyed)
        fused = sorted(rrf_scores(lists).items(), key=lambda kv: -kv[1])
        hits = []
        for key, score in fused:
            row = rows[str(key)]
            if path_glob and not fnmatch.fnmatch(row["path"], path_glob):
                continue
            name = str(key).split("\0", 1)[0]
            hits.append(
                CodeHit(
                    name,
                    row["path"],
                    row["start"],
                    row["end"],
                    row["symbol"],
                    row["kind"],
                    row["text"],
                    score,
                )
            )
            if len(hits) == k:
                break
        return hits

    def _ranked(self, tbl: Any, query: str, n: int) -> list[list[dict[str, Any]]]:
        columns = ["id", "path", "start", "end", "kind", "symbol", "text"]
        out = []
        if self.embedder is not None:
            vector = self.embedder.get_query_embedding(query)
            search = tbl.search(vector, vector_column_name="vector").metric("cosine")
            out.append(search.select([*columns, "_distance"]).limit(n).to_list())
        with contextlib.suppress(ValueError, RuntimeError):  # no FTS index yet (nothing indexed)
            out.append(tbl.search(query, query_type="fts").select([*columns, "_score"]).limit(n).to_list())
        return out


def _sql(text: str) -> str:
    return text.replace("'", "''")

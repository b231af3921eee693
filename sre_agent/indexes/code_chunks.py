"""Source files cut into searchable chunks with their line numbers.

Python is cut at top-level functions and classes (a long class at its methods) with `ast`;
Markdown at its headings; everything else, and whatever a cut leaves over, in windows of lines.
No chunk is longer than `MAX_LINES`, so a snippet always fits a tool output.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

#: Longest chunk, in lines; longer functions are cut into windows.
MAX_LINES = 80
#: Window size and overlap for files (or parts) without cheap structure.
WINDOW, OVERLAP = 60, 10

#: What `sre-agent index-code` reads: code, config and docs by extension or by name.
CODE_SUFFIXES = frozenset(
    ".py .pyi .go .java .kt .kts .scala .js .jsx .ts .tsx .mjs .rb .rs .c .h .cc .cpp .hpp .cs .php "
    ".swift .m .sh .bash .zsh .sql .proto .tf .hcl .lua .ex .exs .erl .clj .dart .r .jl .vue .svelte "
    ".md .rst .txt .yaml .yml .toml .ini .cfg .json .xml .gradle".split()
)
CODE_NAMES = frozenset("Dockerfile Makefile Jenkinsfile Procfile .gitignore .dockerignore".split())
#: Lock files: hashes and versions, nothing to find by meaning (and costly to embed).
LOCK_NAMES = frozenset(
    "requirements.txt package-lock.json yarn.lock pnpm-lock.yaml poetry.lock Pipfile.lock uv.lock "
    "go.sum Cargo.lock composer.lock Gemfile.lock".split()
)
#: A file with a longer line is generated or minified (a tokenizer vocabulary, a bundle): skipped.
MAX_LINE_CHARS = 2_000


@dataclass(frozen=True)
class Chunk:
    """Lines `start`..`end` (1-based, inclusive) of a file; `symbol` names what they define."""

    start: int
    end: int
    kind: str  # function | class | method | section | window
    symbol: str
    text: str


def wanted(path: str) -> bool:
    """Whether a repository file is code, config or docs worth indexing (by its name)."""
    name = PurePosixPath(path).name
    if name in LOCK_NAMES or ".min." in name:
        return False
    return name in CODE_NAMES or PurePosixPath(path).suffix.lower() in CODE_SUFFIXES


def generated(text: str) -> bool:
    """Whether a file reads as generated or minified (a line longer than MAX_LINE_CHARS)."""
    return any(len(line) > MAX_LINE_CHARS for line in text.splitlines())


def chunk_file(path: str, text: str) -> list[Chunk]:
    """The chunks of one file."""
    lines = text.splitlines()
    if not lines:
        return []
    suffix = PurePosixPath(path).suffix.lower()
    spans: list[tuple[int, int, str, str]] = []
    if suffix in (".py", ".pyi"):
        spans = _python_spans(text)
    elif suffix in (".md", ".rst"):
        spans = _heading_spans(lines)
    return _assemble(lines, spans)


def _python_spans(text: str) -> list[tuple[int, int, str, str]]:
    try:
        with warnings.catch_warnings():  # someone else's invalid escapes are not ours to report
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []  # windows then
    spans = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        end = node.end_lineno or node.lineno
        if isinstance(node, ast.ClassDef) and end - start + 1 > MAX_LINES:
            methods = [n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
            first = min([m.lineno for m in methods], default=end + 1)
            spans.append((start, max(start, first - 1), "class", node.name))
            for m in methods:
                m_start = min([m.lineno, *(d.lineno for d in m.decorator_list)])
                spans.append((m_start, m.end_lineno or m.lineno, "method", f"{node.name}.{m.name}"))
        else:
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            spans.append((start, end, kind, node.name))
    return spans


def _heading_spans(lines: list[str]) -> list[tuple[int, int, str, str]]:
    heads = [(i + 1, line.lstrip("#").strip()) for i, line in enumerate(lines) if line.startswith("#")]
    spans = []
    for n, (start, title) in enumerate(heads):
        end = heads[n + 1][0] - 1 if n + 1 < len(heads) else len(lines)
        spans.append((start, end, "section", title[:80]))
    return spans


def _windows(lines: list[str], start: int, end: int, kind: str, symbol: str) -> list[Chunk]:
    """Lines start..end as chunks of at most MAX_LINES (WINDOW with OVERLAP when cut)."""
    if end - start + 1 <= MAX_LINES:
        return [Chunk(start, end, kind, symbol, "\n".join(lines[start - 1 : end]))]
    out = []
    at = start
    while at <= end:
        stop = min(at + WINDOW - 1, end)
        out.append(Chunk(at, stop, kind, symbol, "\n".join(lines[at - 1 : stop])))
        if stop == end:
            break
        at = stop - OVERLAP + 1
    return out


def _assemble(lines: list[str], spans: list[tuple[int, int, str, str]]) -> list[Chunk]:
    """The structured spans, and windows over the lines no span covers (imports, constants)."""
    chunks: list[Chunk] = []
    covered = [False] * (len(lines) + 2)
    for start, end, kind, symbol in spans:
        chunks.extend(_windows(lines, start, end, kind, symbol))
        for i in range(start, end + 1):
            covered[i] = True
    run_start = None
    for i in range(1, len(lines) + 2):
        free = i <= len(lines) and not covered[i]
        if free and run_start is None:
            run_start = i
        elif not free and run_start is not None:
            text = "\n".join(lines[run_start - 1 : i - 1])
            if text.strip():
                chunks.extend(_windows(lines, run_start, i - 1, "window", ""))
            run_start = None
    return sorted(chunks, key=lambda c: (c.start, c.end))

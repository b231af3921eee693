"""What a local log input is, before any line of it is parsed.

A log file is text: `.jsonl`, `.log` or `.txt`, a rotated copy of one (`app.log.1`,
`app.log-20240501`), and any of these compressed with gzip (`app.log.2.gz`, read transparently
with the standard library). zstd (`.zst`) is read only when the `zstandard` package is installed;
otherwise such a file is refused (a single file) or skipped with that reason (in a folder).

A file given alone is read whatever its name, if it is text; a binary one (a core dump, a PNG)
is refused in one line naming it. In a folder, only log names are read, and the files skipped
(other names, binary, .zst without its library) are listed with why. Binary is judged on the
first 8 KB (decompressed): a NUL byte, or mostly bytes that are not UTF-8 text (a log in Latin-1
with a few accented letters is still text; those letters read as U+FFFD). A gzip file cut short
is found only while reading it, and is refused then, in one line naming it.

JSONL or plain text: a file whose name (once compression and rotation suffixes are removed) ends
in `.jsonl` is JSONL; any other is JSONL when its first non-empty line starts with `{`, so the
structured `app.log` most services write is read field by field, not as text.
"""

from __future__ import annotations

import codecs
import gzip
import importlib.util
import io
import re
from pathlib import Path
from typing import IO, Literal, TextIO, cast

from sre_agent.connectors.report import files_sentence
from sre_agent.errors import InputError

#: Bytes read to judge whether a file is text.
SNIFF_BYTES = 8192
#: Share of a sniffed sample that may be undecodable or control characters in a text file.
MAX_NOT_TEXT = 0.10
#: name.log, name.log.1, name.log-20240501, name.log.2024-05-01, each optionally .gz or .zst
_LOG_NAME = re.compile(r"\.(jsonl|log|txt)(?:[.-]\d[\d-]*)?(?:\.(gz|zst))?$", re.IGNORECASE)
_ROTATION = re.compile(r"(?:[.-]\d[\d-]*)$")
# Tab, newline, carriage return, form feed and ESC (colour codes) are usual in logs.
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r", "\f", "\x1b"}
NAMES_READ = ".jsonl, .log, .txt, rotated (.log.1, .log-20240501) and their .gz"

_GIVE = "give a JSONL or plain text log (.gz is read too)"

Format = Literal["jsonl", "csv", "cri", "w3c", "text"]
#: One line of a log file as it is read: byte offset (-1 when compressed), 1-based line number, text.
Line = tuple[int, int, str]


class NotALog(InputError):
    """A file that cannot be read as a log; `reason` is the short why, for a folder's skip list."""

    def __init__(self, path: Path, reason: str, detail: str = "", advice: str = "") -> None:
        self.reason = reason
        super().__init__(
            f"{path}: {reason}" + (f" ({detail})" if detail else "") + (f"; {advice}" if advice else "")
        )


def _zstd_missing(path: Path) -> NotALog:
    return NotALog(
        path,
        "zstd-compressed: needs the zstandard package, not installed",
        advice=f"decompress it first: zstd -d {path}",
    )


#: The reason of a gzip file that ends before its end-of-stream marker.
CUT_SHORT = "a gzip file cut short"


def _cut_short(path: Path, exc: EOFError) -> NotALog:
    whole = path.with_suffix("")
    return NotALog(path, CUT_SHORT, str(exc), f"give what it holds: gzip -dc {path} > {whole}")


class _GzipFile(gzip.GzipFile):
    """A gzip file whose cut-short end is a `NotALog` naming it, not an EOFError (which the CLI
    would take for Ctrl-D and print only "Aborted.")."""

    def read(self, size: int | None = -1) -> bytes:
        try:
            return super().read(size)
        except EOFError as exc:
            raise _cut_short(Path(self.name), exc) from None

    def read1(self, size: int = -1) -> bytes:
        try:
            return super().read1(size)
        except EOFError as exc:
            raise _cut_short(Path(self.name), exc) from None


def _open_bytes(path: Path) -> IO[bytes]:
    suffix = path.suffix.lower()
    if suffix == ".gz":
        return cast(IO[bytes], _GzipFile(path, "rb"))  # a GzipFile reads as a binary stream does
    if suffix == ".zst":
        if importlib.util.find_spec("zstandard") is None:
            raise _zstd_missing(path)
        import zstandard

        return zstandard.open(path, "rb")
    return path.open("rb")


def open_text(path: Path) -> TextIO:
    """`path` opened for reading lines as UTF-8 text, decompressed when it ends in .gz (or .zst).

    Bytes that are not UTF-8 read as U+FFFD; call `check_text` first to refuse binary files."""
    return io.TextIOWrapper(_open_bytes(path), encoding="utf-8", errors="replace")


def _sniff(path: Path) -> bytes:
    try:
        with _open_bytes(path) as fh:
            return fh.read(SNIFF_BYTES)
    except NotALog:
        raise
    except gzip.BadGzipFile as exc:
        raise NotALog(path, "not a readable gzip file", str(exc)) from None
    except OSError as exc:
        raise NotALog(path, "cannot be read", exc.strerror or str(exc)) from None
    except Exception as exc:  # zstandard.ZstdError: a .zst file that is not one
        raise NotALog(path, "cannot be decompressed", str(exc)) from None


#: One line of a container runtime's log as the kubelet writes it (`cri_lines.py`): the runtime's
#: time (nanoseconds, `Z` or an offset), the stream, partial/full tag, the text.
CRI_LINE = re.compile(
    r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) (stdout|stderr) ([PF])(?: (.*))?"
)


def check_text(path: Path) -> Format:
    """How to read `path` (JSONL, CSV, a container runtime's CRI log, a W3C extended log or plain
    text); `NotALog` naming the file when it is not text."""
    head = _sniff(path)
    nul = head.find(b"\0")
    if nul >= 0:
        raise NotALog(path, "binary, not a log", f"a NUL byte at offset {nul}", _GIVE)
    # Not final: a character cut in two by the end of the sample is not counted as an error.
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(head, final=len(head) < SNIFF_BYTES)
    odd = sum(1 for ch in text if ch == "\ufffd" or ch in _CONTROL)
    if text and odd / len(text) > MAX_NOT_TEXT:
        raise NotALog(
            path,
            "binary, not a log",
            f"{odd} of its first {len(text)} characters are not UTF-8 text",
            _GIVE,
        )
    if _inner_suffix(path) == ".jsonl":
        return "jsonl"
    if _inner_suffix(path) in (".csv", ".tsv"):
        return "csv"
    first = next((line for line in text.splitlines() if line.strip()), "")
    if first.lstrip().startswith("{"):
        return "jsonl"
    if first.startswith(("#Software:", "#Version:", "#Fields:", "#Date:")):
        return "w3c"
    return "cri" if CRI_LINE.fullmatch(first) else "text"


def _inner_suffix(path: Path) -> str:
    """The suffix under compression and rotation: `.log` for app.log.2.gz, `.jsonl` for x.jsonl.zst."""
    name = path.name.lower()
    for outer in (".gz", ".zst"):
        name = name.removesuffix(outer)
    name = _ROTATION.sub("", name)
    return Path(name).suffix


def is_log_name(path: Path) -> bool:
    """True for the names `log_files` reads: app.log, app.log.1, app.log.2.gz, x.jsonl.zst, …"""
    return bool(_LOG_NAME.search(path.name))


def log_files(path: Path) -> tuple[list[Path], dict[str, str]]:
    """The files to read under `path` (itself when a file) and, for a folder, those skipped with why.

    A single file that is not text raises InputError; in a folder, such a file is skipped and said
    so (a stray core dump next to the logs should not stop the search). Skipped names are given
    relative to the folder. Raises InputError when a folder holds no readable log file."""
    if path.is_file():
        check_text(path)
        return [path], {}
    found: list[Path] = []
    skipped: dict[str, str] = {}
    for child in sorted(path.rglob("*")):
        if not child.is_file():
            continue
        name = str(child.relative_to(path))
        if not is_log_name(child):
            skipped[name] = "not named .jsonl, .log or .txt"
            continue
        try:
            check_text(child)
        except NotALog as exc:
            skipped[name] = exc.reason
            continue
        found.append(child)
    if not found:
        said = f"; skipped {files_sentence(skipped)}" if skipped else ""
        raise InputError(f"{path}: no log files in this folder (read: {NAMES_READ}){said}")
    return found, skipped

"""What the data dir's faults have in common: one line describing one, a quarantine for what can no
longer be read, and the check that the data dir takes writes at all.

A damaged file or folder is never deleted: it is moved into `<data dir>/quarantine/<name>-<time>`
(the message that reports the fault names that path), so that what it held can still be looked at,
and the next run builds a fresh one in its place.
"""

from __future__ import annotations

import re
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sre_agent.errors import StorageError

#: Longest description of a library's error that a one-line message quotes.
MAX_DETAIL = 200

#: Noise in LanceDB's messages: its prefixes and the Rust source location it appends.
_NOISE = (
    re.compile(r",?\s*/\S+\.rs:\d+:\d+"),
    re.compile(r"^(lance error: |Runtime error: )+"),
    re.compile(r"LanceError\(\w+\): "),
    re.compile(r"\(Background on this error at: \S+\)"),
    re.compile(r"\[SQL: [^\]]*\]"),
)


def describe(exc: BaseException) -> str:
    """A library's error as one short line: its own words, without source locations or SQL."""
    if isinstance(exc, OSError) and exc.strerror:  # "File exists: /x", not "[Errno 17] File exists: '/x'"
        files = " -> ".join(str(name) for name in (exc.filename, exc.filename2) if name is not None)
        return f"{exc.strerror}: {files}" if files else exc.strerror
    text = str(exc) or type(exc).__name__
    for noise in _NOISE:
        text = noise.sub("", text)
    text = " ".join(text.split()).strip(" ,;:")
    if text.startswith("(") and ") " in text:  # sqlalchemy's "(sqlite3.DatabaseError) file is not…"
        text = text.split(") ", 1)[1]
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def quarantine(path: Path, into: Path, name: str) -> Path:
    """Move `path` (a file or a folder) to `into/<name>-<UTC time>` and return where it went."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    into.mkdir(parents=True, exist_ok=True)
    target = into / f"{name}-{stamp}"
    if target.exists():  # two faults within a second
        target = into / f"{name}-{stamp}-{uuid.uuid4().hex[:6]}"
    shutil.move(str(path), str(target))
    return target


def check_writable(data_dir: Path) -> None:
    """Raise a one-line `StorageError` unless `data_dir` can be created and written to."""
    probe = data_dir / f".write-check-{uuid.uuid4().hex[:8]}"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or describe(exc)
        raise StorageError(
            f"data dir {data_dir}: cannot write there ({reason}); "
            "point SRE_AGENT_DATA_DIR at a folder this user can write to"
        ) from None

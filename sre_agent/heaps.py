"""One malloc heap for the process, so that memory one step frees is what the next step reuses.

glibc gives threads that allocate at once heaps of their own (arenas, up to eight per core), and
memory freed in one heap is not reused by a thread of another. LanceDB's writer threads and
onnxruntime's workers each grow one: measured on a 100k-record ingest, one heap peaks 60–70 MB
lower (`bench/bench_big_ingest.py`), with the same CPU time on 2 cores. Outside glibc (musl,
macOS) this does nothing; with `MALLOC_ARENA_MAX` set in the environment, glibc has read the
operator's choice and it is left alone.
"""

from __future__ import annotations

import ctypes
import os

#: glibc's `mallopt` parameter for the number of heaps (malloc.h).
M_ARENA_MAX = -8
_done: bool | None = None


def share_heaps(arenas: int = 1) -> bool:
    """Ask glibc for at most `arenas` heaps from now on (once per process); True if it took it."""
    global _done
    if _done is None:
        _done = _mallopt(M_ARENA_MAX, arenas) if not os.environ.get("MALLOC_ARENA_MAX") else False
    return _done


def _mallopt(param: int, value: int) -> bool:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return False
    mallopt = getattr(libc, "mallopt", None)
    return bool(mallopt(param, value)) if mallopt is not None else False

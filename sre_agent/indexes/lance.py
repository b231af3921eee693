"""LanceDB plumbing both indexes share (`LogIndex` and `CodeIndex`).

- `LazyConnection`: a connection opened on first use, then reused by every thread, so building an
  index costs nothing until it is used (the CLI's start-up stays fast).
- `table_names` and `namespace_names`: LanceDB lists names a page at a time (`page_token`); these
  read every page.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import lancedb


class LazyConnection:
    """A LanceDB connection made by `connect` on the first call, the same one afterwards;
    thread-safe (two threads asking at once connect once)."""

    def __init__(self, connect: Callable[[], lancedb.DBConnection]) -> None:
        self._connect = connect
        self._db: lancedb.DBConnection | None = None
        self._lock = threading.Lock()

    def __call__(self) -> lancedb.DBConnection:
        with self._lock:
            if self._db is None:
                self._db = self._connect()
            return self._db


def table_names(db: lancedb.DBConnection, namespace_path: list[str] | None = None) -> list[str]:
    """Every table of the namespace (None: the root), in LanceDB's order; what LanceDB raises
    for an unknown namespace reaches the caller."""
    names: list[str] = []
    token: str | None = None
    while True:
        page = db.list_tables(namespace_path=namespace_path, page_token=token)
        names += page.tables
        token = page.page_token
        if not token:
            return names


def namespace_names(db: lancedb.DBConnection) -> list[str]:
    """Every namespace at the root, in LanceDB's order."""
    names: list[str] = []
    token: str | None = None
    while True:
        page = db.list_namespaces(page_token=token)
        names += page.namespaces
        token = page.page_token
        if not token:
            return names

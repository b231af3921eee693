"""Logs sources and sessions: which source a session fetched into which table, and the CLI's
session per `--logs` source.

A session remembers, per logs source, the tables it fetched from it (in the thread's memory file,
under `SOURCES_KEY`). A table the session holds counts as fetched *from this source* only when this
source filled it: asking with a new `--logs` file in a session that already holds another file's
logs fetches the new file too, instead of searching only what the other file left.

Each table also keeps the spans its fetches read whole: a fetch the record limit cut read only the
newest part of its window, so a follow-up about an older time fetches again instead of searching
a table that cannot hold it.

A file source is known by its resolved path and its files' sizes and modification times, so a file
that changed since it was fetched (logs appended) is fetched again; a remote logstore by its name.

`sre-agent ask --logs PATH` without `--session` works in `logs-<name>-<hash>`: the file or folder
name and the first 10 hex digits of the SHA-256 of its resolved path. The same path asked again
reuses the session (and what it fetched); two different paths never share one by accident.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sre_agent.connectors.base import Logstore
from sre_agent.connectors.file import FileLogstore
from sre_agent.connectors.report import FetchCut
from sre_agent.errors import InputError
from sre_agent.models import TimeWindow
from sre_agent.record_ids import ID_SCHEME

if TYPE_CHECKING:
    from sre_agent.indexes import LogIndex
    from sre_agent.tools.host import ToolHost

#: The key of the thread memory that holds {source: [tables]} as JSON.
SOURCES_KEY = "_sources"
#: The session `ask` uses without --logs and without --session (a service's own logstore).
DEFAULT_SESSION = "cli"
_NOT_NAME = re.compile(r"[^A-Za-z0-9_.\-]+")
_VERSION = re.compile(r" \(version [0-9a-f]{12}\)$")


def source_id(logstore: Logstore) -> str:
    """What a logstore is known by in a session's memory: a file source by its resolved path and
    its files' sizes and modification times (a changed file is a new source), others by name."""
    if not isinstance(logstore, FileLogstore):
        return logstore.name
    stamps = [(f.stat().st_size, f.stat().st_mtime_ns) for f in logstore.files()]
    version = hashlib.sha256(json.dumps(stamps).encode("utf-8")).hexdigest()[:12]
    return f"{logstore.path.resolve()} (version {version})"


def fetched_tables(memory: str | None, source: str, window: TimeWindow | None = None) -> set[str]:
    """The tables `memory` (the value under SOURCES_KEY) says were fetched from `source`; with
    `window`, only those whose fetches read all of it (a fetch the limit cut read only its newest
    part: an older window is not in the table, and must be fetched)."""
    tables = _load(memory).get(source, {})
    return {table for table, spans in tables.items() if window is None or _covers(spans, window)}


def with_fetch(memory: str | None, source: str, table: str, read: list[TimeWindow] | None = None) -> str:
    """`memory` (the value under SOURCES_KEY) with `table` fetched from `source`, the fetch having
    read all of each span of `read` (None: all the source holds)."""
    sources = _load(memory)
    spans = sources.setdefault(source, {}).get(table, [])
    if spans is not None:
        new = [[w.start.isoformat(), w.end.isoformat()] for w in read] if read is not None else None
        spans = None if new is None else _merged([*spans, *new])
    sources[source][table] = spans
    return json.dumps(sources, sort_keys=True)


def read_spans(window: TimeWindow | None, cut: FetchCut | None) -> list[TimeWindow] | None:
    """The spans a fetch of `window` read all of (None: all the source holds): the window, less
    what the limit `cut` left out — the question's own window when all of it was read, and from the
    oldest other record read to the end (or, for a store serving the oldest first, the start to
    the newest record read)."""
    if cut is None or cut.first is None or cut.last is None:
        return None if window is None else [window]
    start = window.start if window is not None else cut.first
    end = window.end if window is not None else cut.last
    if not cut.newest_first:
        return [TimeWindow(start=start, end=cut.last)]
    spans = [cut.focus] if cut.focus is not None and cut.focus_whole else []
    others = cut.others_first if cut.focus is not None else cut.first
    if others is not None:
        spans.append(TimeWindow(start=others, end=end))
    return spans


def rekeyed(index: LogIndex, session: str, mark: str) -> str | None:
    """Before a fetch into `session`: when its lines were stored under ids another key (or an older
    id scheme) made, which this fetch's ids would never match, drop them and say so in one line;
    None when the session is new or its ids are this key's (`mark`, see `record_ids.key_mark`)."""
    if session not in index.list_sessions():
        return None
    held = index.id_mark(session)
    if held == mark:
        return None
    lines = index.count(session)
    index.drop_session(session)
    why = (
        "another record-id key (the data dir's id.key was lost or SRE_AGENT_ID_KEY changed)"
        if held is not None and held.startswith(f"{ID_SCHEME}:")
        else "an older version's record ids"
    )
    return (
        f"session '{session}' held {lines} lines stored under {why}; to not store them twice they "
        "were dropped, and this fetch stores and embeds its lines again (other logs sources of the "
        "session are read again when asked)"
    )


def logs_sources(memory: str | None) -> set[str]:
    """The distinct logs sources `memory` (the value under SOURCES_KEY) names, whatever their version."""
    return {_VERSION.sub("", source) for source in _load(memory)}


#: Per source, per table: the spans its fetches read whole ([start, end] ISO times), None for all.
_Sources = dict[str, dict[str, list[list[str]] | None]]


def _load(memory: str | None) -> _Sources:
    try:
        data = json.loads(memory) if memory else {}
    except json.JSONDecodeError:
        return {}
    if not isinstance(data, dict):
        return {}
    out: _Sources = {}
    for source, tables in data.items():
        if isinstance(tables, list):  # written before spans were kept: what was read is not known
            out[str(source)] = {str(t): None for t in tables}
        elif isinstance(tables, dict):
            out[str(source)] = {str(t): v if isinstance(v, list) else None for t, v in tables.items()}
    return out


def _merged(spans: list[list[str]]) -> list[list[str]]:
    """Spans joined where they overlap or touch, oldest first."""
    out: list[list[str]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out


def _covers(spans: list[list[str]] | None, window: TimeWindow) -> bool:
    if spans is None:
        return True
    start, end = window.start.isoformat(), window.end.isoformat()
    return any(a <= start and end <= b for a, b in spans)


def cli_session(logs: Path | None) -> str:
    """The session of `ask --logs PATH` without --session: `logs-<name>-<10 hex of the path's hash>`
    (DEFAULT_SESSION without --logs)."""
    if logs is None:
        return DEFAULT_SESSION
    resolved = logs.resolve()
    digest = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:10]
    name = _NOT_NAME.sub("-", resolved.name).strip("-.")[:40] or "root"
    return f"logs-{name}-{digest}"


def ask_session(engine: ToolHost, session: str | None, logs: Path | None, service: str | None) -> str:
    """The session `ask` works in: `session` when named, else `cli_session(logs)`. `InputError` when
    it would have nothing to search: no --logs, no logstore of the service's, and nothing stored."""
    chosen = session or cli_session(logs)
    config = engine.config(service)
    if logs is not None or (config is not None and config.logstore) or chosen in engine.store.list_sessions():
        return chosen
    if session is None:
        raise InputError(
            "--logs: no logs given; name a log file or folder with --logs PATH (the same PATH again "
            "reuses its session), a --session to follow up in, or a --service whose config has a logstore"
        )
    raise InputError(
        f"--session: unknown session '{session}' and no --logs given; fetch logs with --logs PATH "
        "or name a --service whose config has a logstore"
    )

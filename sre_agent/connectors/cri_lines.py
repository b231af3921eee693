"""Container logs as the kubelet writes them: the CRI format of `/var/log/pods/…/0.log` and
`/var/log/containers/*.log`, what an engineer copies off a node.

Each line is `<RFC 3339 time> <stdout|stderr> <P|F> <text>`: the runtime's time, the stream, and
whether the text is a partial line (`P`: the runtime split a long line, the rest follows) or the
full line or its last part (`F`). The parts of one line are joined (per stream, as the runtime
writes them) before it is read, and the text is read as Docker's json-file `log` field is
(`json_record.record_from_object`): a JSON object in it is the record (pino's `level` 50 is ERROR,
its `msg` the message), an application's text line gives its own level, logger and time, and the
runtime's time is the record's time where the text has none. Stack frames the runtime wrote as
lines of their own are joined to their record by the caller (`wrapped.continues`).

A record that names no service gets its container's: from the file's path as the kubelet names it
(`/var/log/containers/<pod>_<namespace>_<container>-<id>.log`,
`/var/log/pods/<namespace>_<pod>_<uid>/<container>/0.log`), else from the pod its host field
names (`checkout-web-7c9d8f6b5-x7k2p` → `checkout-web`). A file holds one container's lines, so a
record naming neither (the runtime's own crash dump on stderr) takes the pod and service of the
file's records before it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from sre_agent.connectors.inputs import CRI_LINE, Line
from sre_agent.connectors.json_record import Aliases, record_from_object
from sre_agent.connectors.names import service_of_pod
from sre_agent.models import LogRecord

#: `/var/log/containers/<pod>_<namespace>_<container>-<64 hex>.log`
_CONTAINERS_NAME = re.compile(r"[^_/]+_[^_/]+_(?P<container>.+)-[0-9a-f]{64}\.log")
#: `/var/log/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log`
_PODS_PATH = re.compile(r"[^_/]+_[^_/]+_[0-9a-f-]{36}/(?P<container>[^/]+)/\d+\.log(?:\.[^/]*)?")
#: A pod name of a deployment: `<name>-<replicaset hash>-<5 characters>`.
_DEPLOYMENT_POD = re.compile(r".+-[a-z0-9]{6,10}-[a-z0-9]{5}")


def container_of(path: Path) -> str | None:
    """The container a kubelet-named log file holds (`_CONTAINERS_NAME`, `_PODS_PATH`), else None."""
    if m := _CONTAINERS_NAME.fullmatch(path.name):
        return m.group("container")
    m = _PODS_PATH.search(path.as_posix())
    return m.group("container") if m and path.as_posix().endswith(m.group(0)) else None


#: Most characters the parts of one split line are joined into (a runtime splits at 16 KiB; a
#: runaway line is cut here and said to be).
MAX_JOINED_CHARS = 1024 * 1024


def cri_records(
    lines: Iterable[Line], path: Path, note: Callable[[str, str], None], aliases: Aliases
) -> Iterator[tuple[int, LogRecord]]:
    """(byte offset, record) of each full line of a CRI log, its partial parts joined first; a
    line that is no CRI line, or whose text cannot be read, is located through `note`."""
    source = str(path)
    container = container_of(path)
    pod: tuple[str | None, str | None] = (None, container)  # the file's pod and service, once known
    day = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).date()
    started: dict[str, tuple[int, int, list[str]]] = {}  # stream → where its split line began, its parts
    for offset, lineno, raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        m = CRI_LINE.fullmatch(line)
        if m is None:
            note(f"{path}:{lineno}", "not a container log line (<time> <stdout|stderr> <P|F> <text>)")
            continue
        time, stream, tag, text = m.group(1), m.group(2), m.group(3), m.group(4) or ""
        if tag == "P":
            started.setdefault(stream, (offset, lineno, []))[2].append(text)
            continue
        if stream in started:
            offset, lineno, parts = started.pop(stream)
            text = "".join(parts) + text
            if len(text) > MAX_JOINED_CHARS:
                note(f"{path}:{lineno}", f"a line split in parts of {len(text):,} characters in all, cut")
                text = text[:MAX_JOINED_CHARS]
        try:
            obj = {"time": time, "stream": stream, "log": text}
            record = record_from_object(obj, source=source, line=lineno, aliases=aliases, day=day)
        except ValueError as exc:
            note(f"{path}:{lineno}", str(exc))
            continue
        if record.host is None and record.service is None:
            record.host, record.service = pod
        elif record.service is None:
            record.service = container or _pods_service(record.host)
        if record.service is not None and pod == (None, None):
            pod = (record.host, record.service)
        yield offset, record


def _pods_service(host: str | None) -> str | None:
    """The deployment a pod-named host belongs to; None for a host that is no deployment's pod."""
    if host is None or not _DEPLOYMENT_POD.fullmatch(host) or not any(c.isdigit() for c in host[-17:]):
        return None
    return service_of_pod(host)

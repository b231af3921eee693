"""Which file each result line came from, named when a session holds lines of more than one file.

A session asked with `--logs a.jsonl` and then `--logs b.log` holds both files' lines; its evidence
names each line's file (`file=b.log`), so an answer never passes one file's line off as the
other's. A file is named by the fewest trailing parts of its path that tell it apart from the
session's other files (`a/logs.jsonl`, `b/logs.jsonl`). A session of one file names none, as
before: there is nothing to tell apart.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import PurePath

from sre_agent.workflows.results import ResultLine


def short_names(sources: Collection[str]) -> dict[str, str]:
    """Each source path by its shortest trailing parts that no other source in `sources` ends with."""
    parts = {source: PurePath(source).parts or (source,) for source in sources}
    out: dict[str, str] = {}
    for source, mine in parts.items():
        others = [theirs for other, theirs in parts.items() if other != source]
        for n in range(1, len(mine) + 1):
            if all(theirs[-n:] != mine[-n:] for theirs in others):
                break
        out[source] = str(PurePath(*mine[-n:]))
    return out


def name_files(lines: Sequence[ResultLine], sources: Collection[str]) -> None:
    """Name each line's file (`line.file`) by its short name among `sources`, the files the session
    holds; no line's when `sources` are fewer than two."""
    names = short_names(sources) if len(sources) > 1 else {}
    for line in lines:
        line.file = names.get(line.source) or None

"""Stack traces as an engineer reads them: the first line, every cause, the innermost frames of our code.

A log record's message may hold a whole stack trace (a plain-text log joins the lines after a
timestamped line into its record). Every surface that shows a message (the evidence of CLI and
Slack answers, the text the LLM's tools return, `runs show` and the run picture) folds a trace
the same way, with `fold`:

- kept: the first line (the log message) and every line that is not a frame: the exception's
  own line, each `Caused by:` / `Suppressed:` line, Python's "The above exception was the direct
  cause…" banners and its `SomeError: …` lines, and markers the clean step left;
- kept: the innermost `FRAMES` frames of our code. Walking the trace from the deepest cause
  outwards (Java prints the root cause last and its innermost frame first; Python prints the
  root cause first and its innermost frame last), the first frames that are not library code.
  No config says which packages are ours, so library code is what this module names: the JDK
  and its runtimes (`java.`, `javax.`, `jakarta.`, `jdk.`, `sun.`, `com.sun.`, `kotlin.`,
  `scala.`), Spring (`org.springframework.`), .NET's `System.` and `Microsoft.`, Python files
  under `site-packages`, `dist-packages` or the standard library, and Node's `node_modules` and
  `node:` internals. When no frame is ours, the innermost frames of the deepest cause are kept;
- folded: every other run of frames, into one line `… N frames folded` (Java's own `... 30 more`
  counts as its 30 frames);
- left out: blank lines, and Python's `^^^^` pointers (the indenting here would misplace them).

A message without a frame is not a trace: `fold` returns its lines unchanged, and `one_line` /
`display_lines` cut it at the caller's length as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

#: Frames of our code kept by default.
FRAMES = 3
#: A kept line of a trace longer than this is cut (the whole message is capped at store time).
LINE_CHARS = 240
#: The trace's first line, what the program said went wrong, is cut only past this: a framework's
#: context prefix (`[req-… … - default default] [instance: …] `) can take 200 characters before
#: `Instance failed to spawn: …HypervisorUnavailable`.
FIRST_LINE_CHARS = 2 * LINE_CHARS
#: The most characters a cut line's start runs on to end the word it would split.
WORD_ROOM = 24
_WORD_CHAR = re.compile(r"\w")
_WORD_RUN = re.compile(r"\w+")

_JAVA_FRAME = re.compile(r"^\s*at\s+(?P<where>[^\s(]*\.[^\s(]+)\s?\(")  # "at a.B.c(B.java:9)", a dot needed
_PY_FRAME = re.compile(r'^\s*File "(?P<where>[^"]+)", line \d+')
# Node: "    at handler (/app/src/x.js:10:5)", "    at /app/src/x.js:10:5", "    at node:internal/…:1:2"
_NODE_FRAME = re.compile(r"^\s+at\s+(?:async\s+)?(?:.+?\s\()?(?P<where>[^\s()]+):\d+:\d+\)?\s*$")
_MORE = re.compile(r"^\s*\.\.\.\s*(?P<n>\d+)\s+(?:more|common frames omitted)\s*$")
_CAUSE = re.compile(
    r"^\s*(?:Caused by\b|Suppressed:|The above exception was|During handling of the above exception)"
)
_PY_START = "Traceback (most recent call last)"
_CARETS = re.compile(r"^\s*[~^]+\s*$")  # Python 3.11's pointers under a frame's source line
_JAVA_LIBRARY = (
    "java.",
    "javax.",
    "jakarta.",
    "jdk.",
    "sun.",
    "com.sun.",
    "kotlin.",
    "scala.",
    "org.springframework.",
    "System.",
    "Microsoft.",
)
_PY_LIBRARY = ("site-packages", "dist-packages", "/lib/python", "<frozen")
_NODE_LIBRARY = ("node_modules", "node:", "internal/")


@dataclass
class _Item:
    """One line of the message: text, a frame (with a Python frame's source line) or `... N more`."""

    kind: str  # text | frame | more
    line: str
    section: int
    where: str = ""
    weight: int = 1  # frames it stands for
    suppressed: bool = False
    python: bool = False  # a Python `File "…", line N` frame
    node: bool = False  # a Node `at fn (path:line:col)` frame (neither: a Java or .NET `at a.B.c(…)`)
    extra: list[str] = field(default_factory=list)
    index: int = 0  # its line's position in the message


def _items(lines: list[str]) -> list[_Item]:
    items: list[_Item] = []
    section, suppressed = 0, False
    for index, line in enumerate(lines):
        if not line.strip() or _CARETS.match(line):
            continue  # blank lines and carets (whose alignment the indenting below would break)
        frame = _NODE_FRAME.match(line) or _JAVA_FRAME.match(line) or _PY_FRAME.match(line)
        more = _MORE.match(line)
        if index == 0:
            items.append(_Item("text", line, section))
        elif frame:
            items.append(
                _Item(
                    "frame",
                    line,
                    section,
                    where=frame.group("where"),
                    suppressed=suppressed,
                    python=frame.re is _PY_FRAME,
                    node=frame.re is _NODE_FRAME,
                    index=index,
                )
            )
        elif more:
            items.append(_Item("more", line, section, weight=int(more.group("n")), suppressed=suppressed))
        elif line[:1].isspace() and items and items[-1].python:
            items[-1].extra.append(line)  # the source line under a Python frame
        else:
            if _CAUSE.match(line):
                section += 1
                suppressed = line.strip().startswith("Suppressed:")
            items.append(_Item("text", line, section, suppressed=suppressed))
    return items


def _ours(item: _Item) -> bool:
    if item.python or item.node:
        return not any(part in item.where for part in (_PY_LIBRARY if item.python else _NODE_LIBRARY))
    name = item.where.rsplit("/", 1)[-1]  # "java.base/java.net.Socket.read" → "java.net.Socket.read"
    return not name.startswith(_JAVA_LIBRARY)


def _innermost_first(items: list[_Item], python: bool) -> list[int]:
    """Positions of the frames in `items`, innermost of the deepest cause first, then outwards
    (see the module docstring); frames of `Suppressed:` exceptions last, as they are no cause."""
    sections = sorted({item.section for item in items})
    if not python:
        sections.reverse()
    out: list[int] = []
    for section in sections:
        frames = [n for n, item in enumerate(items) if item.section == section and item.kind == "frame"]
        out += reversed(frames) if python else frames
    return [n for n in out if not items[n].suppressed] + [n for n in out if items[n].suppressed]


def _kept(items: list[_Item], lines: list[str], frames: int) -> list[int]:
    """Positions in `items` of the frames a fold keeps: our innermost, else the innermost."""
    walk = _innermost_first(items, any(_PY_START in line for line in lines))
    return [n for n in walk if _ours(items[n])][:frames] or walk[:frames]


def our_frames(lines: list[str], frames: int = FRAMES) -> list[int]:
    """Which of a trace's `lines` (by position) are the frames `fold` keeps, innermost first; the
    clean step keeps them too when it has to shorten a long trace."""
    items = _items(lines)
    return [items[n].index for n in _kept(items, lines, frames)]


def is_trace(message: str) -> bool:
    """Whether the message holds at least one stack frame after its first line."""
    return any(item.kind != "text" for item in _items(message.split("\n")))


def fold(message: str, frames: int = FRAMES) -> list[str]:
    """The lines of `message` to show: a trace folded as the module docstring says (frames
    indented two spaces, a Python frame's source four), any other message's lines unchanged."""
    lines = message.split("\n")
    items = _items(lines)
    if all(item.kind == "text" for item in items):
        return lines
    keep = set(_kept(items, lines, frames))
    out: list[str] = []
    folded = 0
    for n, item in enumerate(items):
        if item.kind != "text" and n not in keep:
            folded += item.weight
            continue
        if folded:
            out.append(f"  … {folded} frame{'s' if folded != 1 else ''} folded")
            folded = 0
        if item.kind == "text":
            out.append(item.line.strip())
        else:
            out.append("  " + item.line.strip())
            out += ["    " + extra.strip() for extra in item.extra]
    if folded:
        out.append(f"  … {folded} frame{'s' if folded != 1 else ''} folded")
    return out


def _cut(text: str, max_chars: int, keep: Sequence[str] = ()) -> str:
    """`text` within `max_chars`: its start and its end, the middle left out (` … `). The end of
    a long line is often what it says: `... Filter results: [..., 'RamFilter: (start: 5, end: 0)']`.
    No word is cut in two where it can be helped: the start runs on to the end of the word it
    would split (up to `WORD_ROOM` characters, which the end gives back: `CERTIFICATE_VERIFY_FAILED`,
    not `CERTIFICATE_VERIFY_`), and the end begins after a word it would split. When the middle
    holds one of the `keep` words (what the question named) that start and end leave out, that
    stretch is shown between them (`_cut_around`)."""
    if len(text) <= max_chars:
        return text
    if (kept := _cut_around(text, max_chars, keep)) is not None:
        return kept
    tail = max_chars // 3
    head = max_chars - tail
    if _WORD_CHAR.match(text, head - 1) and (word := _WORD_RUN.match(text, head)):
        grow = word.end() - head
        if grow <= min(WORD_ROOM, tail):
            head, tail = word.end(), tail - grow
    start = len(text) - tail
    splits = tail > 0 and _WORD_CHAR.match(text, start - 1)
    if splits and (word := _WORD_RUN.match(text, start)) and word.end() < len(text):
        start = word.end()
    return text[:head].rstrip() + " … " + text[start:].lstrip()


def _cut_around(text: str, max_chars: int, keep: Sequence[str]) -> str | None:
    """`text` as its start, the stretch around the first `keep` word it holds, and its end (a
    third of `max_chars` each) — None when no such word is there or the plain cut shows it."""
    lowered = text.lower()
    third = max_chars // 3  # also the plain cut's end (`_cut`: its start is the rest)
    for word in keep:
        at = lowered.find(word.lower()) if len(word) >= 2 else -1
        if at < 0:
            continue
        if at + len(word) <= max_chars - third or at >= len(text) - third:
            return None  # the plain cut's start or end holds it
        start = max(third, at - max(0, third - len(word)) // 2)
        end = min(len(text) - third, start + max(third, len(word)))
        head, middle, tail = text[:third], text[start:end], text[len(text) - third :]
        # whole words where a space is near (not `'ANO … s event`), never cutting into the word kept
        if " " in head[-WORD_ROOM:]:
            head = head.rsplit(" ", 1)[0]
        if at - start > WORD_ROOM and " " in middle[:WORD_ROOM]:
            middle = middle.split(" ", 1)[1]
        if end - (at + len(word)) > WORD_ROOM and " " in middle[-WORD_ROOM:]:
            middle = middle.rsplit(" ", 1)[0]
        if " " in tail[:WORD_ROOM]:
            tail = tail.split(" ", 1)[1]
        return f"{head.rstrip()} … {middle.strip()} … {tail.lstrip()}"
    return None


def display_lines(
    message: str, max_chars: int, *, frames: int = FRAMES, keep: Sequence[str] = ()
) -> list[str]:
    """`message` as lines to show: a trace folded, its first line cut at `FIRST_LINE_CHARS` and
    each other kept line at `LINE_CHARS`; any other message on one line (its line breaks shown as
    ` ⏎ `) cut at `max_chars`, keeping the first of the `keep` words it holds in the middle."""
    if is_trace(message):
        first, *rest = fold(message, frames)
        return [_cut(first, FIRST_LINE_CHARS, keep), *(_cut(line, LINE_CHARS, keep) for line in rest)]
    return [_cut(message, max_chars, keep).replace("\n", " ⏎ ")]


def one_line(message: str, max_chars: int, *, frames: int = FRAMES) -> str:
    """`display_lines` joined with ` ⏎ `, for places that show one line per message."""
    return " ⏎ ".join(line.strip() for line in display_lines(message, max_chars, frames=frames))

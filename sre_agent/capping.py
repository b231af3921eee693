"""Capping a long message: what of it is kept when it is longer than a record may hold.

A single line keeps its start and ends with a marker (`… [N chars cut] …`); a stack trace keeps
its first line, the innermost frames of our code, its `Caused by` lines (the last with its top
frames) and as much of its head and tail as fits, each run of lines left out one marker line.
"""

from __future__ import annotations

import re

from sre_agent.errors import InputError
from sre_agent.stacktrace import our_frames

# Lines that start a new exception in a trace: Java's `Caused by:` / `Suppressed:`, Python's
# chained-exception banners. The last one is usually the root cause.
_CAUSE_LINE = re.compile(
    r"^\s*(?:Caused by\b|Suppressed:|The above exception was|During handling of the above exception)"
)


def _cut_marker(chars: int) -> str:
    return f"… [{chars} chars cut] …"


def _cut_line(line: str, max_chars: int) -> str:
    """`line` cut to at most `max_chars`, the cut part replaced by a marker at the end."""
    if len(line) <= max_chars:
        return line
    room = len(" " + _cut_marker(len(line)))  # the longest the marker can be
    keep = max(0, max_chars - room)
    return line[:keep] + " " + _cut_marker(len(line) - keep)


def _cap_lines(lines: list[str], total_chars: int, max_chars: int) -> str:
    """Pick whole lines of a multi-line message to fit `max_chars`; mark each run left out.

    Lines are offered in order of importance: the first line, the innermost frames of our code
    (`stacktrace.our_frames`, what every surface shows of a trace), the last cause line and its top
    frames, the other cause lines, then the head (two lines) and tail (one line) of the trace in
    turn. A line is taken only if the result still fits, counting one marker per run of lines
    left out; head and tail stop at their first line that does not fit, so each stays one
    unbroken block.
    """
    n = len(lines)
    line_cap = max(60, max_chars // 3)
    short = [_cut_line(line, line_cap) for line in lines]
    marker_room = len(_cut_marker(total_chars)) + 1
    chosen = [False] * n
    used = 0  # chars of the chosen lines, one newline each
    gaps = 1  # runs of lines not chosen

    def take(i: int) -> bool:
        nonlocal used, gaps
        if chosen[i]:
            return True
        left_free = i > 0 and not chosen[i - 1]
        right_free = i < n - 1 and not chosen[i + 1]
        new_gaps = gaps + (1 if left_free and right_free else 0) - (0 if left_free or right_free else 1)
        new_used = used + len(short[i]) + 1
        if new_used + new_gaps * marker_room > max_chars:
            return False
        chosen[i], used, gaps = True, new_used, new_gaps
        return True

    take(0)
    for i in our_frames(lines):  # the frames every surface shows: our innermost code
        take(i)
    causes = [i for i in range(1, n) if _CAUSE_LINE.match(lines[i])]
    for rank, i in enumerate(reversed(causes)):
        if take(i):
            frames = 3 if rank == 0 else 1
            for j in range(i + 1, min(n, i + 1 + frames)):
                if not take(j):
                    break
    head, tail = 1, n - 1
    head_open, tail_open = True, True
    while (head_open or tail_open) and head <= tail:
        for _ in range(2):
            if head_open and head <= tail:
                head_open = take(head)
                head += 1 if head_open else 0
        if tail_open and head <= tail:
            tail_open = take(tail)
            tail -= 1 if tail_open else 0

    out: list[str] = []
    i = 0
    while i < n:
        if chosen[i]:
            out.append(short[i])
            i += 1
            continue
        j = i
        while j < n and not chosen[j]:
            j += 1
        out.append(_cut_marker(sum(len(lines[k]) + 1 for k in range(i, j))))
        i = j
    return "\n".join(out)


def cap_message(message: str, max_chars: int) -> str:
    """`message` if it fits in `max_chars`, else a shortened copy of at most `max_chars`.

    A single line keeps its start and ends with `… [N chars cut] …`. A multi-line message (a
    stack trace) keeps its first line, its `Caused by` lines (the last one with its top frames)
    and as many head and tail lines as fit; each run of lines left out becomes one marker line.
    Lines longer than a third of the cap are shortened on their own first.
    """
    if max_chars < 200:
        raise InputError(f"max_message_chars must be at least 200 (as in ServiceConfig), got {max_chars}")
    if len(message) <= max_chars:
        return message
    if "\n" not in message:
        return _cut_line(message, max_chars)
    return _cap_lines(message.split("\n"), len(message), max_chars)

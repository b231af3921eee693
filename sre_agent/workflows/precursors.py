"""Follow-ups about what came before the trouble: "was that box already running low on room before
it died? since when", "anything erroring over and over in the hours before that?", "going back
further, when did the sidecars first lose touch?". The engineer means the time before the one the
thread has been about, and often the first time something showed.

- `referred_before` reads the question: the stretch before the thread's last window
  (`PRECURSOR_LOOKBACK` of it), for a follow-up that gives no time of its own. "Before that" /
  "in the hours before" / "leading up to it" / "going back further" point back by themselves;
  "before it …" and "since when" only with an earlier state (already, had … been, going
  downhill): "how long before it was answering again" and "the last timeout before it cleared
  up" are about other times. Such a window is not remembered as the thread's (a second "going
  back further" looks before the same trouble, not before the week already looked at).
- `pointed_window` is what a follow-up with no time of its own points back at: the thread's
  window itself ("in that same run", `referents.referred_window`), that window and the hour before
  it ("anything change right before that?": the change is often inside the window, minutes before
  the errors), or the week before it.
- The trouble the thread found: the shapes of the errors (without levels, of the lines that say
  something failed) of its last windowed answer (`TROUBLE_KEY`). Their lines in the week before
  come right after what the question names, oldest first (`PRECURSOR_LINES` different ones): "had
  the pod been failing to get its certificate signed? since when" is answered by the same
  `CSR retrial timed out` error, hours earlier.
- `asks_since_when` reads "since when", "when did they first …", "the earliest", "when did it
  start": among the lines the question's own search found, each kind from its oldest
  (`earliest_first`), so the answer shows when it began.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import NamedTuple

from sre_agent.indexes import Hit
from sre_agent.indexes.filters import LEVEL_RANKS, level_rank
from sre_agent.models import TimeWindow
from sre_agent.shapes import sounds_like_trouble
from sre_agent.workflows.order import host_firsts, merge_hits, within_shapes
from sre_agent.workflows.referents import referred_window, thread_window
from sre_agent.workflows.results import ResultLine

#: In a thread's memory: the shapes of the trouble its last windowed answer showed (a JSON list).
TROUBLE_KEY = "trouble"
#: The most shapes remembered, and the most of their earlier lines a question about before gets.
MAX_TROUBLE = 8
PRECURSOR_LINES = 5

#: How far before the thread's window a question about what came before it looks.
PRECURSOR_LOOKBACK = timedelta(days=7)
#: How far before the thread's window "right before that" looks (the window itself is read too:
#: the change that set the trouble off is often inside it, minutes before the errors began).
JUST_BEFORE_LOOKBACK = timedelta(hours=1)
# "right before that", "just before it", "shortly beforehand": the moments before the trouble the
# thread is about, which are often inside the time it asked about
_JUST_BEFORE = re.compile(
    r"\b(?:right|just|shortly|immediately|directly)\s+before(?:hand\b|\s+(?:that|this|then|it)\b)",
    re.IGNORECASE,
)
# "before that", "in the hours before that", "leading up to it", "going back further": before the
# time the thread is about, whatever else the question says
_BEFORE_THEN = re.compile(
    r"\b(?:before (?:that|this|then)\b|in the (?:hours|days|minutes|weeks) (?:before|leading up)"
    r"|(?:in the )?(?:run-up|lead-up) to|leading up to (?:it|that|this)|going back (?:further|earlier)"
    r"|further back)",
    re.IGNORECASE,
)
# "before it died", "since when": before an event, which means the time before the thread's only
# when the question also asks about an earlier state (`_EARLIER_STATE`)
_BEFORE_EVENT = re.compile(
    r"\b(?:before (?:it|they|the \w+|those \w+|these \w+)\b|since when\b)", re.IGNORECASE
)
#: "before it filled up", "before the errors" (not "since when": that asks when, not what came before)
_BEFORE_AN_EVENT = re.compile(r"\bbefore (?:it|they|the \w+|those \w+|these \w+)\b", re.IGNORECASE)
#: A question that says it is about something else than the thread ("unrelated: …", "different
#: thing: …", "separate issue …") points back at nothing.
_UNRELATED = re.compile(
    r"^\W*(?:(?:also )?unrelated|different (?:thing|issue|question)|separate (?:issue|question)"
    r"|new (?:issue|question))\b",
    re.IGNORECASE,
)
_EARLIER_STATE = re.compile(
    r"\b(?:already|had (?:\S+ ){0,6}?been|going downhill|earlier"
    r"|build(?:ing)? up|pil(?:e|ing) up|creeping)\b",
    re.IGNORECASE,
)
# "first" only where it says when ("when did they first fail", "the first sign"), not which one
# ("the first task that died there was TID 56")
_SINCE_WHEN = re.compile(
    r"\b(?:since when|earliest|when did (?:\S+ ){0,6}?(?:first|start|begin|began|appear|show up)"
    r"|first (?:time|signs?|seen|noticed|appeared|showed|show up))\b",
    re.IGNORECASE,
)


def says_unrelated(question: str) -> bool:
    """Whether `question` says it is about something else than its thread ("unrelated: …")."""
    return _UNRELATED.match(question) is not None


def referred_before(
    question: str, thread: dict[str, str] | None, dated: bool = False
) -> tuple[TimeWindow, str] | None:
    """The stretch "already … before it died" / "in the hours before that" in `question` stands
    for: `PRECURSOR_LOOKBACK` up to the start of the thread's last window, and the words that
    pointed back; None when the question asks about no earlier time or the thread has no window.
    A question that names a time of its own (`dated`: "what changed before it filled up? … this
    morning") points back with "before it …" alone."""
    m = _BEFORE_THEN.search(question)
    if m is None and _EARLIER_STATE.search(question):
        m = _BEFORE_EVENT.search(question)
    if m is None and dated and not says_unrelated(question):
        m = _BEFORE_AN_EVENT.search(question)
    if m is None or (then := thread_window(thread)) is None:
        return None
    return TimeWindow(start=then.start - PRECURSOR_LOOKBACK, end=then.start), m.group(0)


class PointedWindow(NamedTuple):
    """The window a follow-up points back at, how the answer's scope says so, the note for the
    answer, and whether it is the time before the thread's window."""

    window: TimeWindow
    referent: str
    note: str
    before: bool


def pointed_window(question: str, thread: dict[str, str] | None) -> PointedWindow | None:
    """The window "in that same run" or "already … before it died" in `question` stands for, from
    the thread's memory; None when it points at no earlier time or the thread has no window."""
    if same := referred_window(question, thread):
        window, said = same
        then = "the time asked about earlier in this thread"
        span = f"{window.start:%Y-%m-%d %H:%M} .. {window.end:%Y-%m-%d %H:%M} UTC"
        return PointedWindow(window, f"'{said}': {then}", f"'{said}' read as {span}: {then}", False)
    if (m := _JUST_BEFORE.search(question)) and (asked := thread_window(thread)) is not None:
        said, window = m.group(0), TimeWindow(start=asked.start - JUST_BEFORE_LOOKBACK, end=asked.end)
        what = "the time asked about earlier in this thread and the hour before it"
        span = f"{window.start:%Y-%m-%d %H:%M} .. {window.end:%Y-%m-%d %H:%M} UTC"
        return PointedWindow(window, f"'{said}': {what}", f"'{said}' read as {span}: {what}", False)
    if earlier := referred_before(question, thread):
        window, said = earlier
        referent = f"'{said}': the week before the time asked about earlier in this thread"
        note = (
            f"'{said}' read as the week before {window.end:%Y-%m-%d %H:%M} UTC, where the time asked "
            "about earlier in this thread begins"
        )
        return PointedWindow(window, referent, note, True)
    return None


def asks_since_when(question: str) -> bool:
    """Whether `question` asks when something began (`_SINCE_WHEN`)."""
    return _SINCE_WHEN.search(question) is not None


def earliest_first(hits: Sequence[Hit]) -> list[Hit]:
    """`hits` with, inside each shape, its lines in time order, oldest first, in that shape's
    places (lines of other shapes keep theirs)."""
    return within_shapes(hits, lambda hit: hit, lambda hit: hit.timestamp)


def each_hosts_first(hits: Sequence[Hit]) -> list[Hit]:
    """`hits` with the first of each host's lines (in their order) before the rest: "when did it
    start on each?" is answered by each pod's first line, not by one pod's first ten."""
    return merge_hits(host_firsts(hits), hits)


def trouble_shapes(lines: Sequence[ResultLine]) -> list[str]:
    """The shapes of `lines` that say something failed: an error or worse; or a line whose words say
    it failed when it has no level, or its service has no error among the lines (a source whose
    levels say nothing: Postfix logs `status=deferred (Host or domain name not found)` at info;
    where a service has errors, its warnings are too often routine: a retry, a GC pause); the
    patterns with most lines first (the trouble is what failed most, not the one-off error beside
    it), at most `MAX_TROUBLE`."""
    erring = {line.service for line in lines if level_rank(line.level) >= LEVEL_RANKS["ERROR"]}
    bad = [
        line
        for line in lines
        if line.shape
        and (
            level_rank(line.level) >= LEVEL_RANKS["ERROR"]
            or (
                (line.level is None or line.service not in erring) and sounds_like_trouble(line.message[:300])
            )
        )
    ]
    most = sorted(bad, key=lambda line: -(line.pattern.count if line.pattern else line.count))
    return list(dict.fromkeys(line.shape for line in most))[:MAX_TROUBLE]


def remembered_trouble(thread: dict[str, str] | None) -> list[str]:
    """The trouble shapes a thread's memory holds (`TROUBLE_KEY`); [] when none or unreadable."""
    try:
        shapes = json.loads((thread or {}).get(TROUBLE_KEY, "[]"))
    except json.JSONDecodeError:  # a memory file edited by hand: no trouble, rather than a crash
        return []
    return [s for s in shapes if isinstance(s, str)] if isinstance(shapes, list) else []


def first_different(hits: Sequence[Hit], limit: int) -> list[Hit]:
    """The first lines of `hits` up to `limit` different messages (a repeated line is one)."""
    seen: set[str] = set()
    out: list[Hit] = []
    for hit in hits:
        if hit.message not in seen:
            if len(seen) == limit:
                break
            seen.add(hit.message)
        out.append(hit)
    return out

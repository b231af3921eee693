"""Questions about whether the trouble is over: "did it recover after that? are orders going
through again?", "is it still failing?", "back to normal?". The answer is the trouble's last line
and what came right after it — not the question's words, which match any routine success line
of the whole day ("GET /orders … 200" at 13:30, before anything broke).

`asks_about_recovery` reads the question; `trouble_of` is the thread's trouble (the shapes its
answers found failing, `precursors.remembered_trouble`), else the error patterns with the most
lines stored; `recovery_lines` gives each trouble shape's last line and when the trouble ended,
and `after_trouble` the stretch of `AFTER` right after it, where the retrieve step looks next,
each kind of line's first in time order, the quieter kinds first (`first_of_each`). The answer
also says it in words (`recovery_note`): when the trouble's last line came, and whether the stored
logs go on without another or end while it is still being logged.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta

from sre_agent.clocks import label, lasting, stamp
from sre_agent.indexes import Hit, LogIndex, SearchFilters
from sre_agent.indexes.filters import LEVEL_RANKS, in_clause
from sre_agent.timeline import speaks_of_change
from sre_agent.workflows.broad import BROAD_SCAN_LIMIT
from sre_agent.workflows.changes import change_ids
from sre_agent.workflows.constraints import with_clause
from sre_agent.workflows.order import merge_hits, shape_firsts
from sre_agent.workflows.precursors import first_different

#: How long after the trouble's last line is read for what came next.
AFTER = timedelta(minutes=15)
#: How long after the trouble a change may be the fix whose aftermath is read, when none came sooner.
FIX_LOOKAHEAD = timedelta(hours=1)
#: A trouble kind whose lines began this long before the main one's is a background error.
BACKGROUND = timedelta(hours=1)
#: A trouble whose last line came this close to the end of the stored logs may still be going.
STILL = timedelta(minutes=5)
#: The most trouble shapes followed.
MAX_TROUBLE = 3
#: Lines at WARN or worse come after the others in the stretch after the trouble.
WARN_RANK = LEVEL_RANKS["WARN"]
#: How long before the trouble's last line what was done about it may have been logged (the
#: defrag that ended it ran in its last minutes; stragglers of requests begun before a fix).
FIX_BEFORE = timedelta(minutes=30)
#: The most different lines of what the question says was done ("defragged every member").
FIX_LINES = 3
#: The fewest words a question must give about what was done for them to be searched.
FIX_WORDS = 2
#: The letters of a word that must appear in a line for it to hold the word ("defragged" ->
#: "defra", in "defragmenting").
STEM = 5

_ASKS = re.compile(
    r"\b(?:did|has|have|is|are)\b[^?.]{0,40}\b(?:recover(?:ed)?|resolved?|fixed|healthy|stable"
    r"|(?:calm|settle|quiet)(?:ed|d)? down|clear(?:ed)? up)\b"
    r"|\b(?:working|succeeding|passing|flowing|coming in) again\b"
    r"|\b(?:go|goes|going|went|get|gets|getting|got) (?:through|thru) again\b"
    r"|\bback to normal\b"
    r"|\bstill (?:failing|happening|broken|erroring|down|timing out|there|stuck|backed up|queued|growing)\b"
    r"|\b(?:did|has|have|is|are) (?:it|they|the \w+) (?:drain(?:ed|ing)?|caught up|catch(?:ing)? up)\b"
    r"|\bstopped (?:failing|erroring|happening)\b|\bis it over\b"
    r"|\b(?:any|no) more\b[^?.]{0,40}\bsince\b",
    re.IGNORECASE,
)


# Words of a recovery question that do not say what was done: "they set it back a while ago".
_NOT_THE_FIX = frozenset(
    """
    a about after again ago all an and any anyone anything are as at back been before bit but by
    came come coming degraded did do does done down error errors erroring failed failing failure
    for from going got had has have he her him his in is it its just minutes now of on or our out
    put rolled roll set she since so somebody someone something still that the their them then
    they this those through to up us was we were what while who working
    """.split()
)
_FIX_WORD = re.compile(r"[A-Za-z][\w.-]*[A-Za-z0-9]|[A-Za-z]")
# Who did something, and what they did, to the end of its sentence: "someone defragged every member".
_DONE = re.compile(r"\b(?:they|someone|somebody|we|ops|he|she|i)\b[^.?!;]*", re.IGNORECASE)


def asks_about_recovery(question: str) -> bool:
    """Whether `question` asks whether the trouble is over (it recovered, works again, still fails)."""
    return _ASKS.search(question) is not None


def fix_text(question: str) -> str | None:
    """What a recovery question says someone did about the trouble, as words to search for
    ("someone defragged every member and disarmed it ~14:30. did it come back?" -> "defragged
    every member disarmed"); None when it says too little ("they set it back a while ago") or
    nobody did anything ("did orders go thru again after it let go?")."""
    done = " ".join(clause.group(0) for clause in _DONE.finditer(_ASKS.sub(" . ", question)))
    words = [word for word in _FIX_WORD.findall(done) if word.lower() not in _NOT_THE_FIX and len(word) > 2]
    return " ".join(words) if len(words) >= FIX_WORDS else None


def trouble_of(
    index: LogIndex, session: str, tables: list[str] | None, filters: SearchFilters, remembered: list[str]
) -> list[str]:
    """The shapes of the trouble a recovery is asked about: the thread's (`remembered`), else the
    error patterns stored under `filters` with the most lines (at most `MAX_TROUBLE`): the trouble
    is what failed most, not a rare error beside it."""
    if remembered:
        return remembered[:MAX_TROUBLE]
    errors = filters.model_copy(update={"min_level": "ERROR"})
    counted = Counter(
        row.shape for row in index.scan(session, tables=tables, filters=errors, limit=BROAD_SCAN_LIMIT)
    )
    return [shape for shape, _ in counted.most_common(MAX_TROUBLE)]


def recovery_lines(
    index: LogIndex, session: str, tables: list[str] | None, filters: SearchFilters, shapes: list[str]
) -> tuple[list[str], datetime | None]:
    """The ids of each trouble shape's last line under `filters`, the latest first, and when the
    trouble ended (`trouble_end`; None when no line). A shape with lines at WARN or worse counts
    only those: an access line's shape holds its `201`s as well as its `502`s."""
    if not shapes:
        return [], None
    rows = index.scan(
        session,
        tables=tables,
        filters=with_clause(filters, in_clause("shape", shapes)),
        limit=BROAD_SCAN_LIMIT,
    )
    failing = {row.shape for row in rows if row.level_rank >= WARN_RANK}
    first: dict[str, datetime] = {}
    last: dict[str, tuple[datetime, str]] = {}
    for row in rows:
        if row.shape in failing and row.level_rank < WARN_RANK:
            continue  # an access line's 201 among its 502s: the trouble is the failing ones
        if row.shape not in first or row.timestamp < first[row.shape]:
            first[row.shape] = row.timestamp
        if row.shape not in last or row.timestamp >= last[row.shape][0]:
            last[row.shape] = (row.timestamp, row.id)
    if not last:
        return [], None
    ends = sorted(last.values(), reverse=True)
    return [row_id for _, row_id in ends], trouble_end(
        [shape for shape in shapes if shape in last], first, last
    )


def after_trouble(filters: SearchFilters, ended: datetime) -> SearchFilters:
    """`filters` over the stretch of `AFTER` right after the trouble `ended`."""
    return filters.model_copy(update={"start": ended + timedelta(microseconds=1), "end": ended + AFTER})


def read_from(filters: SearchFilters, start: datetime) -> SearchFilters:
    """`filters` over the `AFTER` from `start` on: from the fix that came after the trouble."""
    return filters.model_copy(update={"start": start, "end": start + AFTER})


def trouble_end(
    shapes: Sequence[str], first: dict[str, datetime], last: dict[str, tuple[datetime, str]]
) -> datetime:
    """When the trouble ended: the last line of its kinds that began with it. The first shape (the
    thread's first, or the one with the most lines) sets when it began; a kind whose lines began
    more than `BACKGROUND` before that is a background error going on beside it (an analytics
    call failing all day) and does not keep the trouble going, while the kinds that began with it
    do ("Internal Server Error" went on to 14:31 after the export job's out-of-memory stopped at
    13:57)."""
    began = first[shapes[0]]
    return max(last[shape][0] for shape in shapes if first[shape] >= began - BACKGROUND)


def first_of_each(hits: Sequence[Hit], troubled: Collection[str] = ()) -> list[Hit]:
    """`hits` (the lines right after the trouble) as each shape's first line in time order, the
    kinds below WARN first, then the rest in their order: what came next, one kind at a time
    (`Rebinding datasource …` at +3 s, the first `POST /orders … 201`), not ten `GET … 200` the
    question's words liked best, nor the trouble's own stragglers before the first success. The
    lines of the services that were in trouble (`troubled`) come before the others': whether the
    function that failed works again, not what an unrelated function did meanwhile."""
    quiet_first = sorted(
        hits, key=lambda hit: (hit.service not in troubled, hit.level_rank >= WARN_RANK, hit.timestamp)
    )
    return merge_hits(shape_firsts(quiet_first), hits)


def recovery_tiers(
    index: LogIndex,
    session: str,
    tables: list[str] | None,
    filters: SearchFilters,
    remembered: list[str],
    ranked: Callable[[SearchFilters], list[Hit]],
    utc_offset: int | None = None,
    fix: str | None = None,
    searched: Callable[[str, SearchFilters], list[Hit]] | None = None,
) -> tuple[list[list[Hit]], str | None]:
    """The retrieve step's first tiers for a recovery question: the trouble's last line of each
    shape, latest first; the lines saying what the question says was done (`fix`, `fix_lines`,
    ranked by `searched`); then the lines right after the trouble, each kind's first in time
    order; `ranked` ranks the lines passing a filter by the question. With them, the answer's
    words about it (`recovery_note`). ([], None) when no trouble line."""
    shapes = trouble_of(index, session, tables, filters, remembered)
    last, ended = recovery_lines(index, session, tables, filters, shapes)
    if not last or ended is None:
        return [], None
    ranked_last = sorted(
        ranked(with_clause(filters, in_clause("id", last))), key=lambda hit: last.index(hit.id)
    )
    main = next((hit for hit in ranked_last if hit.timestamp == ended), None)
    stored = index.time_span(session, tables=tables)
    note = None
    if main is not None and stored is not None:
        note = recovery_note(main, datetime.fromtimestamp(stored[1] / 1_000_000, tz=UTC), utc_offset)
    troubled = {hit.service for hit in ranked_last if hit.service}
    done = fix_lines(filters, ended, shapes, fix, searched) if fix and searched else []
    if later := [hit.timestamp for hit in done if hit.timestamp > ended]:  # what came after the fix
        stretch = read_from(filters, min(later))
    else:
        stretch = fixed_after(index, session, tables, filters, ended)
    return [ranked_last, done, first_of_each(ranked(stretch), troubled)], note


def fix_lines(
    filters: SearchFilters,
    ended: datetime,
    shapes: list[str],
    fix: str,
    searched: Callable[[str, SearchFilters], list[Hit]],
) -> list[Hit]:
    """The lines that say what the question says was done (`fix`: "defragged every member and
    disarmed it"), from `FIX_BEFORE` before the trouble `ended` to `FIX_LOOKAHEAD` after, not the
    trouble's own lines: at most `FIX_LINES` different messages as `searched` ranks them by `fix`."""
    around = filters.model_copy(update={"start": ended - FIX_BEFORE, "end": ended + FIX_LOOKAHEAD})
    hits = [hit for hit in searched(fix, around) if hit.shape not in shapes]
    # a fix is a change: a line that speaks of one first ("put the old resolvers back": Ansible's
    # copy of resolv.conf, before rspamd's "cannot resolve")
    changes_first = sorted(hits, key=lambda hit: not speaks_of_change(hit.message[:300]))
    return first_different(each_word_first(changes_first, fix.split()), FIX_LINES)


def each_word_first(hits: Sequence[Hit], words: Sequence[str]) -> list[Hit]:
    """The `hits` holding a word of `words` (a word of the line begins with its first `STEM`
    letters: "defragged" is in "defragmenting", "old" not in "threshold"): first each one that
    holds a word no earlier one held, then the rest, each part in its order. "Defragged every
    member and disarmed it" is two things done: the best "defragmenting" line, then "alarm
    disarmed", not three defragmenting lines. A line only close in meaning is not what the
    question says was done."""
    stems = re.compile(r"\b(?:" + "|".join(re.escape(w.lower()[:STEM]) for w in words) + ")", re.IGNORECASE)
    covered: set[str] = set()
    first: list[Hit] = []
    holding: list[Hit] = []
    for hit in hits:
        held = {stem.lower() for stem in stems.findall(hit.message)}
        if held - covered:
            covered |= held
            first.append(hit)
        elif held:
            holding.append(hit)
    return first + holding


def fixed_after(
    index: LogIndex, session: str, tables: list[str] | None, filters: SearchFilters, ended: datetime
) -> SearchFilters:
    """Where to read what came after the trouble `ended`: the `AFTER` right after it, unless no
    line there speaks of a change and one within `FIX_LOOKAHEAD` does ("they rolled the workers
    back": the rollback came 16 min after the last failure), then from that change on."""
    after = after_trouble(filters, ended)
    if change_ids(index, session, tables, after):
        return after
    later = filters.model_copy(update={"start": after.start, "end": ended + FIX_LOOKAHEAD})
    changed = change_ids(index, session, tables, later)
    if not changed:
        return after
    # `change_ids` gives the oldest first: that change's time is where the stretch begins
    first = index.scan(session, tables=tables, filters=with_clause(later, in_clause("id", changed[:1])))
    return read_from(filters, first[0].timestamp)


def recovery_note(last: Hit, logs_end: datetime, utc_offset: int | None) -> str:
    """Whether the trouble is over, as far as the stored logs tell: its last line (`last`, of its
    main shape) and how long the logs go on after it without another; within `STILL` of their
    end, that it may still be going."""
    when = f"{stamp(last.timestamp, utc_offset)} {label(utc_offset)}"
    said = last.message.splitlines()[0][:80].replace("`", "'")
    gap = lasting(last.timestamp, logs_end)
    if logs_end - last.timestamp < STILL:
        return (
            f"Not recovered as far as the stored logs go: the trouble was still being logged when they "
            f"end (its last line, `{said}`, at {when}, {gap} before the last stored line)."
        )
    return (
        f"The trouble's last line, `{said}`, is at {when}; the stored logs go on for {gap} after it "
        f"(to {stamp(logs_end, utc_offset)}) without another."
    )

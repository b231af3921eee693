"""Turn the time phrases engineers write ("between 21:00 and midnight", "on aug 24-25",
"since yesterday", "last 30 min", "around 3pm") into a UTC time window.

`now` is passed in, never read from the clock here: in a replay "now" is the end of the
incident's window. Clock times in questions are read in `tz` (default UTC): callers pass the
offset the logs were written in, so "between 22:00 and 23:00" means what the log lines show,
unless the question states its zone ("09:10 UTC", "14:05Z", "3pm GMT+2": `stated_zone`).
A range that crosses midnight with a named date ("between 23:59 and 00:01" on dec 24) can mean
two nights; the other reading is kept in `ParsedTime.alternatives` for a caller that finds no
line in the first. A window reaching outside the years 1900 to 2199 ("last 9999999999 hours")
is an `InputError` naming the phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from sre_agent.clocks import stated_zone
from sre_agent.errors import InputError, echo
from sre_agent.models import TimeWindow, as_utc

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = re.compile(
    rf"\b(?P<mon>{_MONTH_RE})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"(?:\s*(?:-|–|to|and)\s*(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?)?(?:,?\s+(?P<year>\d{{4}}))?\b",
    re.IGNORECASE,
)
_DATE_DMY = re.compile(
    rf"\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon>{_MONTH_RE})\b(?:,?\s+(?P<year>\d{{4}}))?", re.IGNORECASE
)
_ISO_DATE = re.compile(r"\b(?P<year>\d{4})-(?P<mon>\d{2})-(?P<d1>\d{2})\b")
# "on the 12th": a day of the month the question does not name (the latest such day up to now).
# "the 3rd retry" is no date: without "on", the ordinal must end a clause or lead to a time.
_DAY_OF_MONTH = re.compile(
    r"\bon\s+the\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:attempt|try|retry|time|run|call|request)\b)"
    r"|\bthe\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)"
    r"(?=\s*(?:[?.,;!]|$|\s+(?:at|between|from|after|before|around|until|till|through|in|and)\b))",
    re.IGNORECASE,
)
_T = r"(?:midnight|noon|\d{1,2}(?::\d{2})?(?::\d{2})?\s*(?:am|pm)?)"
_BETWEEN = re.compile(
    rf"\b(?:between|from)\s+(?P<a>{_T})\s+(?:and|to|until|till|through|thru|-)\s+(?P<b>{_T})", re.IGNORECASE
)
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?"
_DASH_RANGE = re.compile(
    rf"\b(?P<a>{_CLOCK})\s*(?:-|–|\bto\b|\buntil\b|\btill\b|\bthrough\b|\bthru\b)\s*(?P<b>{_CLOCK})(?![\d:])",
    re.IGNORECASE,
)
_BEFORE = re.compile(rf"\b(?:before|until|till|up to)\s+(?P<a>{_T})", re.IGNORECASE)
_AFTER = re.compile(rf"\b(?:after|since|from)\s+(?P<a>{_T})(?!\s*(?:and|to|through|thru|-))", re.IGNORECASE)
_AROUND = re.compile(rf"\b(?:around|about|at|near|~)\s*(?P<a>{_T})", re.IGNORECASE)
# "the 00:32 sync", "that 14:05 deploy": a clock time naming an event, read as "around" it
# ("lasted 14:59" is a value: no determiner before it).
_EVENT_AT = re.compile(rf"\b(?:the|that|this|its)\s+(?P<a>{_CLOCK})\s+(?=[a-z])", re.IGNORECASE)
_LAST = re.compile(
    r"\b(?:last|past|previous)\s+(?P<n>\d+|an?|one|two|three|few)?\s*"
    r"(?P<unit>s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)\b",
    re.IGNORECASE,
)
_SINCE_WORD = re.compile(r"\bsince\b(?! when\b)", re.IGNORECASE)  # "since when, … today?" asks when
_PARTS = {
    "morning": (time(6), time(12)),
    "afternoon": (time(12), time(18)),
    "evening": (time(17), None),
    "night": (time(20), None),
}
_THIS_PART = re.compile(r"\bthis (?:morning|afternoon|evening)\b", re.IGNORECASE)
_OVERNIGHT = re.compile(r"\bover ?night\b", re.IGNORECASE)
#: "tonight", "last night": the night nearest the question's now (`_night_near`).
_NIGHT_NEAR_NOW = re.compile(r"\b(?:tonight|last night)\b", re.IGNORECASE)
#: When a night begins and, seen from the next morning, ends.
NIGHT_FROM, NIGHT_UNTIL = time(18), time(8)
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "few": 3}
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: The earliest and latest a window may reach: no log line is from outside them (an `InputError`).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


@dataclass
class ParsedTime:
    """The window found in a question, and the phrases that produced it (for the answer's notes)."""

    window: TimeWindow | None = None
    phrases: list[str] = field(default_factory=list)
    alternatives: list[TimeWindow] = field(default_factory=list)
    on_default_day: bool = False  # a clock time was read on `default_day`, the question naming no day
    #: "today", "yesterday", "this morning" read on the thread's days (`default_day`, `today`), not
    #: the clock's: the day they were read as
    thread_relative: date | None = None
    day: date | None = None  # the (first) date the question wrote, in `tz` (not "today")


def _parse_clock(text: str) -> time | None:
    """'21:00' -> 21:00, '3pm' -> 15:00, 'midnight' -> None (meaning end of day), 'noon' -> 12:00."""
    t = text.strip().lower()
    if t == "midnight":
        return None
    if t == "noon":
        return time(12)
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(am|pm)?", t)
    if not m:
        raise ValueError(text)
    hour, minute, second = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
    if m.group(4) == "pm" and hour < 12:
        hour += 12
    if m.group(4) == "am" and hour == 12:
        hour = 0
    if not m.group(2) and not m.group(4):
        raise ValueError(text)  # a bare number is not a time of day
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(text)
    return time(hour, minute, second)


def _night_near(now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """The night "tonight" and "last night" name at `now`: from the evening before the morning
    `now` is in (or from this evening, after noon) until `now`, and no later than the morning."""
    local = now.astimezone(tz)
    evening = local.date() - timedelta(days=1) if local.hour < 12 else local.date()
    start = _at(evening, NIGHT_FROM, tz)
    morning = _at(evening + timedelta(days=1), NIGHT_UNTIL, tz)
    return start, max(min(now, morning), start + timedelta(hours=1))


def _at(day: date, clock: time | None, tz: tzinfo = UTC) -> datetime:
    if clock is None:  # midnight at the end of `day`
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return datetime.combine(day, clock, tzinfo=tz)


def _find_dates(q: str, now: datetime) -> tuple[date | None, date | None, str | None]:
    """First date (or date range) named in the question, with its year inferred from `now`."""
    for pattern in (_DATE, _DATE_DMY, _ISO_DATE):
        m = pattern.search(q)
        if not m:
            continue
        mon_text = m.group("mon").lower().rstrip(".")
        month = int(mon_text) if mon_text.isdigit() else _MONTHS[mon_text]
        d1 = int(m.group("d1"))
        d2 = int(m.group("d2")) if "d2" in m.groupdict() and m.group("d2") else None
        year = int(m.group("year")) if m.group("year") else now.year
        try:
            start = date(year, month, d1)
            end = date(year, month, d2) if d2 else start
        except ValueError:
            continue
        if not m.group("year") and start > now.date() + timedelta(days=1):
            start, end = start.replace(year=year - 1), end.replace(year=year - 1)
        return start, end, m.group(0)
    if m := _DAY_OF_MONTH.search(q):
        day = _latest_day_of_month(int(m.group("d1") or m.group("d2")), now.date())
        if day is not None:
            return day, day, m.group(0)
    return None, None, None


def _latest_day_of_month(number: int, today: date) -> date | None:
    """The latest date up to `today` (and the day after: clocks differ) that is the `number`th of
    its month: this month's, else the month before's; None when neither has that day."""
    year, month = today.year, today.month
    for _ in range(2):
        try:
            day = date(year, month, number)
        except ValueError:
            day = None
        if day is not None and day <= today + timedelta(days=1):
            return day
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return None


_ISO_DT = r"(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2}(?::\d{2})?)"
_ISO_RANGE = re.compile(
    rf"\b(?:between|from)\s+{_ISO_DT}\s*(?:and|to|until|till|-|–)\s*(?:(\d{{4}}-\d{{2}}-\d{{2}})[ T])?"
    r"(\d{1,2}:\d{2}(?::\d{2})?)",
    re.IGNORECASE,
)
_ISO_SINCE = re.compile(rf"\b(?:since|after|from)\s+{_ISO_DT}", re.IGNORECASE)
_ISO_DAYS = re.compile(
    r"\b(\d{4}-\d{2}-\d{2})\s*(?:-|–|\bto\b|\band\b|\buntil\b|\btill\b|\bthrough\b)\s*"
    r"(\d{4}-\d{2}-\d{2})\b(?![ T]\d{1,2}:)",
    re.IGNORECASE,
)


def _iso_window(q: str, now: datetime, tz: tzinfo = UTC) -> tuple[TimeWindow, str] | None:
    """A window written with full dates and times on its start (and maybe its end)."""
    try:
        if m := _ISO_RANGE.search(q):
            start = datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}").replace(tzinfo=tz)
            end = datetime.fromisoformat(f"{m.group(3) or m.group(1)}T{m.group(4)}").replace(tzinfo=tz)
            if end <= start and not m.group(3):
                end += timedelta(days=1)
            if end > start:
                return TimeWindow(start=start, end=end), m.group(0).strip()
        if m := _ISO_SINCE.search(q):
            start = datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}").replace(tzinfo=tz)
            if start < now:
                return TimeWindow(start=start, end=now), m.group(0).strip()
    except ValueError:  # 25:00, 2024-02-30: not a time; the other rules may still read the phrase
        return None
    return None


def _iso_days(q: str, tz: tzinfo = UTC) -> tuple[TimeWindow, str] | None:
    """A range of whole days written as dates: "2024-03-10 to 2024-03-12" is all of both days and
    those between (not the first day only)."""
    m = _ISO_DAYS.search(q)
    if m is None:
        return None
    try:
        first, last = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
    except ValueError:  # 2024-02-30: not a date
        return None
    if last < first:
        return None
    return TimeWindow(start=_at(first, time(0), tz), end=_at(last, None, tz)), m.group(0).strip()


def parse_time_window(
    question: str,
    now: datetime,
    tz: tzinfo | None = None,
    default_day: date | None = None,
    today: date | None = None,
) -> ParsedTime:
    """The time window a question asks about, or an empty ParsedTime when it names none.

    Clock times and dates are read in `tz` (UTC when None); the window comes back in UTC. A clock
    time with no date is read on `default_day` when given (the day a conversation is about:
    "and later that evening, anything after 18:00?"), else on the day of `now`. "Today" (and
    "yesterday", "this morning") is `today` when given (the day the conversation said it is held
    on), else `default_day`, else the day of `now`."""
    tz = tz or UTC
    now = as_utc(now).astimezone(tz)
    q = question
    out = ParsedTime()

    m = _LAST.search(q)
    if m:
        n_text = (m.group("n") or "1").lower()
        seconds = _UNIT_SECONDS[m.group("unit").lower()[0]]
        # Counted in whole seconds first: "last 9999999999 hours" is out of range, not an overflow.
        n = _WORDS.get(n_text) or (int(n_text) if len(n_text) <= 15 else None)
        if n is None or n * seconds > (now - EARLIEST).total_seconds():
            raise _out_of_range(m.group(0))
        out.window = TimeWindow(start=now - timedelta(seconds=n * seconds), end=now)
        out.phrases.append(m.group(0).strip())
        return out

    if window := _iso_window(q, now, tz) or _iso_days(q, tz):  # "between 2024-03-10 00:00 and 14:00"
        out.window, phrase = window
        out.phrases.append(phrase)
        return _in_range(out)

    day_start, day_end, date_text = _find_dates(q, now)
    out.day = day_start  # a date the question wrote; "today" and "yesterday" are not a thread's day
    lowered = q.lower()
    night: re.Match[str] | None = None
    # "today" and "yesterday" in a thread about a day are that day and the one before: "how many
    # times today?" asked the morning after the outage the thread is about means the outage's day
    thread_today = today or default_day
    today = thread_today or now.date()
    from_today = False  # the day was read from `today`: the thread's, when it has one
    if day_start is None:
        if "yesterday" in lowered:
            day_start = day_end = today - timedelta(days=1)
            date_text, from_today = "yesterday", True
        elif night := _NIGHT_NEAR_NOW.search(q):  # read after the clock times, below
            date_text = night.group(0)
        elif "today" in lowered or _THIS_PART.search(q):  # "this afternoon": today's afternoon
            day_start = day_end = today
            date_text, from_today = ("today" if "today" in lowered else None), True
    if date_text:
        out.phrases.append(date_text)
    # Strip the date (and an "on" before it) so its digits are not read as clock times and a
    # range around it reads whole: "from 23:00 on dec 23 through 01:00".
    # Blanked to the same length, so a phrase found in `rest` is `q` at the same place.
    if date_text:
        rest = re.sub(rf"(?:\bon\s+)?{re.escape(date_text)}", lambda m: " " * len(m.group(0)), q, flags=re.I)
    else:
        rest = q
    # the day clock times are read on: the question's own, else the conversation's
    on_day = day_start or default_day

    start: datetime | None = None
    end: datetime | None = None
    crossing: tuple[datetime, datetime] | None = None
    base = on_day or now.date()
    try:
        if m := _BETWEEN.search(rest) or _DASH_RANGE.search(rest):
            a, b = _parse_clock(m.group("a")), _parse_clock(m.group("b"))
            start = _at(base, a, tz) if a is not None else _at(base, None, tz) - timedelta(days=1)
            end = _at(base, b, tz)
            if end <= start:
                end += timedelta(days=1)
                if on_day is not None:  # "23:59 to 00:01" on a named day: maybe the night before
                    crossing = (start - timedelta(days=1), end - timedelta(days=1))
            out.phrases.append(_phrase(q, rest, m))
        elif m := _BEFORE.search(rest):
            start, end = _at(base, time(0), tz), _at(base, _parse_clock(m.group("a")), tz)
            out.phrases.append(_phrase(q, rest, m))
        elif m := _AFTER.search(rest):
            # "after midnight" on a day starts that day (its 00:00), not at its end
            start = _at(base, _parse_clock(m.group("a")) or time(0), tz)
            end = _at(day_end or base, None, tz) if on_day else max(now, start)
            out.phrases.append(_phrase(q, rest, m))
        elif m := _AROUND.search(rest) or _EVENT_AT.search(rest):
            center = _at(base, _parse_clock(m.group("a")), tz)
            start, end = center - timedelta(minutes=30), center + timedelta(minutes=30)
            out.phrases.append(_phrase(q, rest, m))
    except ValueError:
        start = end = None

    if start is None and night is not None:  # "how many times tonight?" at 04:00: since last evening
        start, end = _night_near(now, tz)
    if start is None and day_start is not None:
        since = bool(_SINCE_WORD.search(q[: q.lower().find((date_text or "").lower())]))
        start = _at(day_start, time(0), tz)
        end = max(now, _at(day_end or day_start, None, tz)) if since else _at(day_end or day_start, None, tz)
        if _OVERNIGHT.search(q) and day_end == day_start and not since:
            # "fired overnight on feb 14": the night into that day's morning; the night after
            # it is the other reading, tried when the first holds no line
            start, end = _at(day_start, time(20), tz) - timedelta(days=1), _at(day_start, time(8), tz)
            crossing = (start + timedelta(days=1), end + timedelta(days=1))
            out.phrases.append("overnight")
        for part, (p_start, p_end) in _PARTS.items():
            # "on the 18th … before last night": the day's night is another time, not a part of it
            named = re.search(rf"(?<!last )(?<!before )\b(?:this )?{part}\b", lowered)
            if named and day_end == day_start and not since and crossing is None:
                start, end = _at(day_start, p_start, tz), _at(day_start, p_end, tz)
                out.phrases.append(q[named.start() : named.end()])  # "this morning", as written
                break

    if start is not None and end is not None:
        # A clock time with no date that lies in the future means the same time yesterday.
        if on_day is None and start > now:
            start, end = start - timedelta(days=1), end - timedelta(days=1)
        out.window = TimeWindow(start=start, end=end)
        out.on_default_day = day_start is None and default_day is not None
        if from_today and thread_today is not None:
            out.thread_relative = day_start
        if crossing is not None:
            out.alternatives.append(TimeWindow(start=crossing[0], end=crossing[1]))
    return _in_range(out)


def _phrase(q: str, rest: str, m: re.Match[str]) -> str:
    """The question's own words `m` matched in `rest` (`q` with its date blanked), without the
    blanks the match ran on into."""
    return q[m.start() : m.start() + len(rest[m.start() : m.end()].rstrip())].strip()


def _in_range(parsed: ParsedTime) -> ParsedTime:
    """`parsed`, or `InputError` when its window reaches outside `EARLIEST` … `LATEST`."""
    window = parsed.window
    if window is not None and (window.start < EARLIEST or window.end > LATEST):
        raise _out_of_range(" ".join(parsed.phrases))
    return parsed


def _out_of_range(phrase: str) -> InputError:
    return InputError(
        f"window: {echo(phrase.strip())} reaches outside {EARLIEST.year} to {LATEST.year - 1}, the years "
        "a log line can be from; name a window inside them, e.g. 'last 30 days' or '2024-03-10 to 2024-03-12'"
    )


#: Farthest a UTC offset reaches: a clock time read while the logs' clock is unknown may be off by this.
ANY_CLOCK = timedelta(hours=14)


def named_window(text: str, now: datetime, utc_offset: int | None) -> TimeWindow | None:
    """The window `text` names, read in the zone it states, else in the logs' clock (`utc_offset`
    minutes east of UTC); while that clock is not known, widened by `ANY_CLOCK` on each side, as
    "at 14:05" may be local time. None when `text` names no time."""
    if (stated := stated_zone(text)) is not None:
        return parse_time_window(text, now, stated).window
    tz = timezone(timedelta(minutes=utc_offset)) if utc_offset else None
    window = parse_time_window(text, now, tz).window
    if window is None or utc_offset is not None:
        return window
    return TimeWindow(start=window.start - ANY_CLOCK, end=window.end + ANY_CLOCK)

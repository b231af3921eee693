"""Times as the engineer reads them: in the clock the logs were written in, labelled.

Records are stored in UTC, but a log written at `23:59+08:00` is read by its engineer as 23:59,
and the question "what went wrong between 23:59 and 00:01?" is read in that clock too
(`timephrases`). So every time an answer shows — evidence, log patterns, the timeline, the
searched window — is shown in the logs' own clock when it is known (`utc_offset`, minutes east of
UTC, as the fetch found it), with the offset beside it ("(+08:00)"), or in UTC, said so. One answer
then never mixes 16:00 UTC in one section with 00:00 in the next. A question that states its zone
("between 09:10 and 09:25 UTC") is read in that zone (`stated_zone`), not the logs' clock.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

SECONDS = "%Y-%m-%d %H:%M:%S"
MINUTES = "%Y-%m-%d %H:%M"


def zone(utc_offset: int | None) -> timezone:
    """The fixed-offset zone of the logs' clock; UTC when the offset is unknown or zero."""
    return timezone(timedelta(minutes=utc_offset)) if utc_offset else UTC


def label(utc_offset: int | None) -> str:
    """How the clock is named after a time: "UTC", or the offset in brackets ("(+08:00)", "(-05:30)")."""
    if not utc_offset:
        return "UTC"
    sign = "+" if utc_offset > 0 else "-"
    hours, minutes = divmod(abs(utc_offset), 60)
    return f"({sign}{hours:02d}:{minutes:02d})"


def stamp(value: datetime, utc_offset: int | None = None, fmt: str = SECONDS) -> str:
    """`value` in the logs' clock (naive values are taken as UTC), without the label."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(zone(utc_offset)).strftime(fmt)


def span(start: datetime, end: datetime, utc_offset: int | None = None, fmt: str = SECONDS) -> str:
    """ "start → end LABEL"; the end's date is kept, so a span across midnight reads right."""
    return f"{stamp(start, utc_offset, fmt)} → {stamp(end, utc_offset, fmt)} {label(utc_offset)}"


def lasting(start: datetime, end: datetime) -> str:
    """How long from `start` to `end`, in the two largest units that matter: `42s`, `4m 12s`, `28m`,
    `13h 29m`, `2d 3h` (seconds shown under 10 minutes, minutes under a day)."""
    seconds = max(0, round((end - start).total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes >= 10 or (minutes and not secs):
        return f"{minutes}m"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


#: A zone the question states for its clock times: "09:10 UTC", "14:05Z", "3pm GMT", "utc+2",
#: "UTC-05:30", or a zone's usual abbreviation ("10:40 CET", "9am PST": `ZONE_NAMES`). A bare
#: "+02:00" is not read: "14:05-14:10" would be one.
_STATED_ZONE = re.compile(
    r"(?i:\b(?:utc|gmt)(?:\s*(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d\d))?)?\b)|(?<=\d)Z\b"
    r"|\b(?P<name>[A-Z]{3,4})\b"
)
#: Zone abbreviations read as fixed offsets (minutes east of UTC), written in capitals after a
#: time. Ambiguous ones (IST: India, Ireland or Israel; CST: US Central or China) are read as the
#: most common in operations (India, US Central); the plan's note says what was read.
ZONE_NAMES = {
    "WET": 0, "WEST": 60, "BST": 60, "CET": 60, "CEST": 120, "EET": 120, "EEST": 180, "MSK": 180,
    "IST": 330, "SGT": 480, "HKT": 480, "JST": 540, "KST": 540, "AEST": 600, "AEDT": 660,
    "NZST": 720, "NZDT": 780, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420,
    "MDT": -360, "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600,
}  # fmt: skip


def stated_zone(question: str) -> tzinfo | None:
    """The zone the question states for its times (`_STATED_ZONE`), None when it states none."""
    for m in _STATED_ZONE.finditer(question):
        if m.group("name") is not None:
            if m.group("name") in ZONE_NAMES:
                return timezone(timedelta(minutes=ZONE_NAMES[m.group("name")]))
            continue
        if not m.group("sign"):
            return UTC
        minutes = int(m.group("hours")) * 60 + int(m.group("minutes") or 0)
        if minutes > 14 * 60:
            return None
        return timezone(timedelta(minutes=minutes if m.group("sign") == "+" else -minutes))
    return None

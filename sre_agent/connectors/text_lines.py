"""Plain-text log lines: which line starts a record, its time, and what the line says of itself.

A line starts a record when it carries a time we can read, in one of the shapes logs are written
in (others are lines of the record above: stack frames, "Caused by", wrapped text):

- ISO 8601 at the start, bare or in brackets: `2025-03-18T14:05:00.123Z …`, `[2025-03-18
  14:05:00,123] ERROR …` (Python's logging, log4j, Go);
- syslog (RFC 3164) `Dec 10 06:55:46 host prog[pid]: …`, also behind a `<PRI>`;
- RFC 5424 syslog `<34>1 2025-04-02T03:00:19Z host app procid msgid [sd] msg`: the PRI gives the
  level, the header the host and the program (as the service);
- HDFS's `081109 203615 …`; Android logcat's `03-17 16:13:38.811`, log4j's `17/06/09 20:10:40`
  (Spark, Hadoop), `20171223-22:15:29:606`, Proxifier's `[10.30 16:49:06]` (a missing year is
  `default_year`);
- Apache's error log `[Sun Dec 04 04:47:44 2005] [error] …` (and 2.4's microseconds);
- the access logs of nginx and Apache (common and combined format) `1.2.3.4 - - [06/May/2025:09:12:11
  +0200] "GET / HTTP/1.1" 502 …`: the whole line stays the message;
- logfmt `ts=2025-03-18T14:05:00Z level=error svc=payments host=pay-3 msg="…" status=503`: read
  as the object it is (`json_record.record_from_object`: its time, level, service, host and message
  under whatever usual names it uses; the other keys become the record's fields);
- Kubernetes' klog `E0709 14:02:11.123456       1 status.go:71] …` (the letter is the level, the
  year is `default_year`);
- an ISO 8601 time after a short prefix of at most `MAX_PREFIX_WORDS` words (`web01 2025-03-18
  14:05:00 ERROR …`, `INFO  2025-03-18 …`), the prefix kept in the message.

`record_start` is the one entry point; the `file` logstore joins the lines that start nothing to
the record above, and those that `continues` says are part of it (PostgreSQL's DETAIL, HINT, …).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sre_agent.connectors.json_record import Aliases, level_in_text, record_from_object
from sre_agent.connectors.klog import klog_start
from sre_agent.models import LogRecord, normalize_level

#: Words that may stand before an ISO time that starts a record ("web01", "INFO").
MAX_PREFIX_WORDS = 3
#: Syslog severities 0-7 as our levels (emerg, alert and crit are FATAL; notice is INFO).
SYSLOG_LEVELS = ("FATAL", "FATAL", "FATAL", "ERROR", "WARN", "INFO", "INFO", "DEBUG")

_ISO = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
_ISO_START = re.compile(rf"^\[?({_ISO})\]?")
_ISO_AFTER_PREFIX = re.compile(rf"^((?:\S+\s+){{1,{MAX_PREFIX_WORDS}}})\[?({_ISO})\]?")
_PRI = re.compile(r"^<(\d{1,3})>")
_RFC5424 = re.compile(r"^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) ?(.*)$", re.DOTALL)
_SYSLOG = re.compile(r"^([A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2})")
_HDFS = re.compile(r"^(\d{6} \d{6})")
_APACHE_ERROR = re.compile(r"^\[([A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2})(\.\d+)? (\d{4})\]")
_REDIS_PREFIX = r"^\d+:[XCSM] "  # Redis's `pid:role` before its time
_REDIS_START = re.compile(_REDIS_PREFIX)
#: Redis's level marks after its time: `.` debug, `-` verbose, `*` notice, `#` warning.
_REDIS_LEVELS = {".": "DEBUG", "-": "DEBUG", "*": "INFO", "#": "WARN"}
#: A zone written as a word after an ISO time without an offset, read as UTC.
_UTC_WORD = re.compile(r" (?:UTC|GMT)\b")
#: Shapes without a year (the `default_year`) or with a compact one: (pattern, strptime format).
_COMPACT: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3})\s"), "%Y-%m-%d %H:%M:%S.%f"),  # Android logcat
    (
        re.compile(r"^(\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2})\s"),
        "%y/%m/%d %H:%M:%S",
    ),  # log4j's yy/MM/dd (Spark)
    (re.compile(r"^(\d{8}-\d{2}:\d{2}:\d{2}(?::\d{3})?)\b"), "%Y%m%d-%H:%M:%S"),  # 20171223-22:15:29:606
    (re.compile(r"^\[(\d{2}\.\d{2} \d{2}:\d{2}:\d{2})\]"), "%Y-%m.%d %H:%M:%S"),  # [10.30 16:49:06]
    # nginx's error log and Go's log package: 2025/03/18 14:05:00 [error] …
    (re.compile(r"^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?)\s"), "%Y/%m/%d %H:%M:%S"),
    # Redis: 1:M 18 Mar 2025 14:05:00.123 * Ready to accept connections (the pid and role stay)
    (
        re.compile(_REDIS_PREFIX + r"(\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}(?:\.\d+)?)\s"),
        "%d %b %Y %H:%M:%S",
    ),
]
_LOGCAT_LEVEL = re.compile(r"^\d+\s+\d+\s+([VDIWEF])\s")
#: A lower-case level in brackets opening the message: nginx's `[error]`, Apache 2.4's `[core:warn]`,
#: also after a few `key=value` fields of metadata (Elixir's Logger: `request_id=F7Ikc [error] …`).
_BRACKET_LEVEL = re.compile(
    r"^(?:[\w.-]+=\S+\s+){0,4}\[(?:[\w.-]+:)?(emerg|alert|crit|critical|error|err|warn|warning|notice|info|debug)\]",
    re.IGNORECASE,
)
#: MySQL's and MariaDB's error log: the thread id, then the level in brackets (`12 [Warning] [MY-…]`).
_MYSQL_LEVEL = re.compile(r"^\d+ \[(System|Note|Warning|Error|ERROR)\]")
#: A level as the first tab-separated column (zap's console encoder, Envoy/Istio's proxy log).
_TAB_LEVEL = re.compile(r"^(trace|debug|info|warn|warning|error|fatal|critical|panic)\t", re.IGNORECASE)
#: PostgreSQL's `log_line_prefix` ends with the process id (`[1234]`, often `user@db` after it),
#: then the severity. DETAIL, HINT, STATEMENT, CONTEXT and QUERY lines are parts of the report
#: before them (`continues`); LOG and NOTICE are its INFO.
_PG_SEVERITY = re.compile(
    r"^\[(\d+)\](?:\s+\S*@\S*)?\s+(LOG|NOTICE|INFO|DEBUG[1-5]?|WARNING|ERROR|FATAL|PANIC"
    r"|DETAIL|HINT|STATEMENT|CONTEXT|QUERY|LOCATION):\s"
)
_PG_LEVELS = {"LOG": "INFO", "NOTICE": "INFO", "WARNING": "WARN", "PANIC": "FATAL"}
_PG_PARTS = frozenset({"DETAIL", "HINT", "STATEMENT", "CONTEXT", "QUERY", "LOCATION"})
_ACCESS_LOG = re.compile(r"^\S+ \S+ \S+ \[(\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] \"")
_LOGFMT_PAIR = re.compile(r'([A-Za-z_@][\w.@/-]*)=("(?:[^"\\]|\\.)*"|[^\s"]*)')
_LOGFMT_START = re.compile(r"^[A-Za-z_@][\w.@/-]*=")


def record_start(
    line: str, *, source: str, lineno: int, default_year: int, aliases: Aliases = None
) -> LogRecord | None:
    """The record `line` starts, or None when it carries no time we can read (it continues the
    record above). `default_year`: the year of times written without one (syslog)."""
    if line.startswith("<"):
        return _syslog_with_pri(line, source, lineno, default_year)
    if _LOGFMT_START.match(line) and (record := _logfmt(line, source, lineno, aliases)) is not None:
        return record
    if line[:1] in "IWEF" and (klog := klog_start(line, default_year)) is not None:
        when, severity, said = klog  # `E0709 14:02:11.123456       1 status.go:71] …`
        return _record(when, said, source, lineno, level=severity)
    found = _time_at_start(line, default_year)
    if found is None:
        return None
    ts, message = found
    level = _REDIS_LEVELS.get(message[:1]) if _REDIS_START.match(line) else None  # `# …` a warning
    return _record(ts, message, source, lineno, level=level)


def continues(previous: LogRecord, record: LogRecord) -> str | None:
    """The text `record` adds to `previous` when it is a part of the same report, else None:
    PostgreSQL's DETAIL, HINT, STATEMENT, CONTEXT or QUERY line of the same process within a second
    (`[28417] … PANIC:  could not write …` then `[28417] … STATEMENT:  INSERT …`)."""
    part = _PG_SEVERITY.match(record.message) if record.message.startswith("[") else None
    if part is None or part.group(2) not in _PG_PARTS:
        return None
    head = _PG_SEVERITY.match(previous.message)
    if head is None or head.group(1) != part.group(1):
        return None
    if abs((record.timestamp - previous.timestamp).total_seconds()) > 1:
        return None
    return record.message[part.start(2) :]


def _record(
    ts: datetime,
    message: str,
    source: str,
    lineno: int,
    level: str | None = None,
    host: str | None = None,
    service: str | None = None,
    fields: dict[str, str] | None = None,
) -> LogRecord:
    message = message.strip()
    if level is None and (letter := _LOGCAT_LEVEL.match(message)):  # `1702  2395 W WindowManager: …`
        level = normalize_level(letter.group(1))
    if level is None and (bracketed := _BRACKET_LEVEL.match(message)):  # `[error] 1234#0: …`
        level = normalize_level(bracketed.group(1))
    if level is None and (said_first := _MYSQL_LEVEL.match(message) or _TAB_LEVEL.match(message)):
        word = said_first.group(1)  # `12 [Warning] [MY-010055] …`, `warning\tenvoy upstream …`
        level = "INFO" if word in ("Note", "System") else normalize_level(word.upper())
    if level is None and message.startswith("[") and (pg := _PG_SEVERITY.match(message)):
        word = pg.group(2)  # PostgreSQL: `[1] LOG:  database system is ready to accept connections`
        level = None if word in _PG_PARTS else normalize_level(_PG_LEVELS.get(word, word.rstrip("12345")))
    if level is None:  # `Error: connect ECONNREFUSED`, `… ERROR …`
        level = level_in_text(message)
    return LogRecord(
        timestamp=ts,
        message=message,
        level=level,
        host=host,
        service=service,
        fields=fields or {},
        source=source,
        line=lineno,
    )


def _time_at_start(line: str, default_year: int) -> tuple[datetime, str] | None:
    """The time a line starts with and the rest of it (the whole line for an access log, where
    the client's address comes first); None when it starts with none."""
    if (m := _ISO_START.match(line)) and (ts := _iso(m.group(1))) is not None:
        rest = line[m.end() :]
        if ts.tzinfo is None and (zone := _UTC_WORD.match(rest)):  # PostgreSQL: `… 14:05:00.123 UTC [1234]`
            return ts.replace(tzinfo=UTC), rest[zone.end() :]
        return ts, rest
    if m := _SYSLOG.match(line):
        try:
            return datetime.strptime(f"{default_year} {m.group(1)}", "%Y %b %d %H:%M:%S"), line[m.end() :]
        except ValueError:
            pass
    if m := _HDFS.match(line):
        try:
            return datetime.strptime(m.group(1), "%y%m%d %H%M%S"), line[m.end() :]
        except ValueError:
            pass
    if m := _APACHE_ERROR.match(line):
        try:
            ts = datetime.strptime(f"{m.group(1)} {m.group(3)}", "%a %b %d %H:%M:%S %Y")
            if fraction := m.group(2):  # Apache 2.4: `04:47:44.902022`
                ts = ts.replace(microsecond=int(fraction[1:7].ljust(6, "0")))
            return ts, line[m.end() :]
        except ValueError:
            pass
    if m := _ACCESS_LOG.match(line):
        try:
            return datetime.strptime(m.group(1), "%d/%b/%Y:%H:%M:%S %z"), line
        except ValueError:
            pass
    for pattern, layout in _COMPACT:
        if (m := pattern.match(line)) and (ts := _compact(m.group(1), layout, default_year)) is not None:
            return ts, line[m.end() :]
    if (m := _ISO_AFTER_PREFIX.match(line)) and (ts := _iso(m.group(2))) is not None:
        return ts, m.group(1) + line[m.end() :].lstrip()
    return None


def _compact(text: str, layout: str, default_year: int) -> datetime | None:
    """A `_COMPACT` time: the year added where it has none; milliseconds after a third colon."""
    if layout.startswith("%Y-") and text[:2].isdigit() and text[2] in "-.":  # no year written
        text = f"{default_year}-{text}"
    if layout == "%Y%m%d-%H:%M:%S" and text.count(":") == 3:
        text, millis = text.rsplit(":", 1)
        layout, text = layout + ".%f", f"{text}.{millis}"
    elif "." in text[-7:] and not layout.endswith(".%f") and "%m.%d" not in layout:  # a fraction
        layout += ".%f"
    try:
        return datetime.strptime(text, layout)
    except ValueError:
        return None


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace(",", ".").replace("Z", "+00:00"))
    except ValueError:
        return None


def _syslog_with_pri(line: str, source: str, lineno: int, default_year: int) -> LogRecord | None:
    """An RFC 5424 line, or an RFC 3164 line behind its `<PRI>`; the PRI's severity is the level."""
    if m := _RFC5424.match(line):
        pri, stamp, host, app, procid, msgid, rest = m.groups()
        ts = _iso(stamp)
        if ts is None or int(pri) > 191:
            return None
        fields = {name: value for name, value in (("procid", procid), ("msgid", msgid)) if value != "-"}
        return _record(
            ts,
            rest[2:] if rest.startswith("- ") or rest == "-" else rest,  # `-`: no structured data
            source,
            lineno,
            level=SYSLOG_LEVELS[int(pri) % 8],
            host=None if host == "-" else host,
            service=None if app == "-" else app,
            fields=fields,
        )
    m = _PRI.match(line)
    if m is None or int(m.group(1)) > 191:
        return None
    found = _time_at_start(line[m.end() :], default_year)
    if found is None:
        return None
    ts, message = found
    return _record(ts, message, source, lineno, level=SYSLOG_LEVELS[int(m.group(1)) % 8])


def _logfmt(line: str, source: str, lineno: int, aliases: Aliases) -> LogRecord | None:
    """A logfmt line as the object it is; None when its pairs are not most of the line or it has
    no time field."""
    pairs = _LOGFMT_PAIR.findall(line)
    covered = sum(len(key) + 1 + len(value) for key, value in pairs)
    if len(pairs) < 2 or covered < 0.8 * len(line.replace(" ", "")):
        return None
    obj = {key: _unquote(value) for key, value in pairs}
    try:
        return record_from_object(obj, source=source, line=lineno, aliases=aliases)
    except ValueError:  # no time field: not a record's start
        return None


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


__all__ = ["MAX_PREFIX_WORDS", "SYSLOG_LEVELS", "continues", "record_start"]

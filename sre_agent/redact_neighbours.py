"""Secrets that span records: found by reading neighbouring records of the same source.

`Redactor` reads one record at a time, so two kinds of secret slip past it:

- A PEM private key logged one line per record: the `-----BEGIN ... PRIVATE KEY-----` record is
  redacted on its own, but the base64 body records after it look like any opaque id. Here a
  body record (only base64 lines, or PEM headers such as `Proc-Type:`) that follows a BEGIN
  record of the same source, or that precedes an END record when the BEGIN record was not
  fetched, becomes `[PRIVATE_KEY]`; so do the body lines an END record holds before its END.
  The END line holds no secret and stays: it tells the reader what the markers above it were.
  A key ends at its END record or at the first record of its source that is not body.
- A token cut in two by the logging system (a long stack-trace line split into two records):
  the first part ends one record, the rest starts the next record of the same source. The tail
  of the first record's last line and the head of the next record's first line are redacted
  joined; a marker that only the joined text produces, straddling the seam, replaces the part on
  each side (`...Bearer [JWT]` / `[JWT]\\n\\tat ...`). When the marker of one side alone only
  grows into the other side, the grown part must look like a credential's (a digit, one of
  `+/=_`, or 24 letters and no dot): `password=x` followed by a record starting `login ok` keeps
  `login`, and `token: x` followed by `java.lang.ClassCastException: ...` keeps the class name.
  A key or header more than `SEAM_CONTEXT` characters before the cut word is not seen.

`across_records` only puts markers into the raw messages; the caller (the clean step) redacts
every message as usual afterwards, so everything else in these records is redacted as before.
It is cheap on ordinary records: a PEM check is a substring test; two records that do not meet
mid-word are not joined; otherwise a seam is redacted joined only when digits meet there or a
hint search over the few dozen characters around it (`_SEAM_HINT`: a token prefix, `@`, a key or
header word) finds something. On the sample incidents' logs (100k records) this adds about 7 %
to the clean step, a quarter of what the per-record redaction costs: about 5 µs a record.

Neighbours are the records handed over together: records of other sources never join, and a
thread's already-stored records (skipped before cleaning) are not read again.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

from sre_agent.redact import PRIVATE_KEY, Redactor

#: How far back from an END record body records are looked for, when its BEGIN was not fetched
#: (a 16384-bit RSA key is about 200 lines of 64 characters).
MAX_BODY_RECORDS = 256
#: Characters of context read on each side of a seam, besides the word that meets it (enough
#: for `Authorization: Bearer ` or `aws_secret_access_key = ` before a cut value).
SEAM_CONTEXT = 32
#: The longest part of a cut word read on each side of a seam (a long JWT is a few kB).
MAX_WORD = 4096

_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
_END = re.compile(r"-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
# A PEM body line: base64 in groups of four (the last one padded), or an RFC 1421 header line;
# a body record is one or more of them.
_BODY_LINE = (
    r"[ \t]*(?:(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?"
    r"|(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)"
    r"|(?:Proc-Type|DEK-Info):[ \t]*[A-Za-z0-9,\- ]{1,200})[ \t\r]*"
)
_BODY = re.compile(rf"{_BODY_LINE}(?:\n{_BODY_LINE})*")
_PLAIN_WORD = re.compile(r"[ \t]*[A-Z]?[a-z]+[ \t\r]*")
_BODY_TAIL = re.compile(rf"(?:{_BODY_LINE}\n)+\Z")
# A word's characters at a seam: those a token, key, e-mail or number is made of.
_WORD_CHARS = string.ascii_letters + string.digits + "._~+/@%-"
_WORD = re.compile(f"[{re.escape(_WORD_CHARS)}]{{1,{MAX_WORD}}}")
_IN_WORD = frozenset(_WORD_CHARS)
#: What a record may end with when the next one starts the value it names (`token=` | `abc`).
_BEFORE_VALUE = frozenset("=:\"'")
#: What a built-in rule's secret holds near a seam it straddles (besides digits on both sides:
#: a card or phone number): a token's own prefix, an e-mail's `@`, or the key, header or URL
#: scheme just before a value. Finding none, the seam is not redacted joined.
_SEAM_HINT = re.compile(
    r"eyj|akia|asia|gh[pousr]_|github_pat_|xox|xapp-|_live_|_test_|whsec_|sk-|aiza|hooks\.slack"
    r"|@|%40|pass|pwd|secret|key|credential|token|authoriz|cookie|card|ssn|phone|email|bearer|basic|://"
)
_MARKER = re.compile(r"\[[A-Z][A-Z0-9_]{1,30}\]")
_MARKER_AT_END = re.compile(r"\[[A-Z][A-Z0-9_]{1,30}\]\Z")
_MARKERS_ONLY = re.compile(r"(?:\[[A-Z][A-Z0-9_]{1,30}\])+")


def _last(pattern: re.Pattern[str], text: str) -> int | None:
    """Where the last match of `pattern` in `text` starts, or None."""
    start = None
    for m in pattern.finditer(text):
        start = m.start()
    return start


def _is_body(message: str) -> bool:
    """Base64 lines or PEM headers, and not one plain word (`done`, `None` are base64-shaped too)."""
    return _BODY.fullmatch(message) is not None and _PLAIN_WORD.fullmatch(message) is None


def _body_records_before(messages: list[str], previous: list[int], j: int) -> int:
    """Replace the run of body records ending at `j` (following `previous` links); how many."""
    seen = 0
    while j >= 0 and seen < MAX_BODY_RECORDS and _is_body(messages[j]):
        messages[j] = PRIVATE_KEY
        j, seen = previous[j], seen + 1
    return seen


def _pem_bodies(messages: list[str], sources: Sequence[str]) -> int:
    """Replace PEM body records in `messages` (in place) with `[PRIVATE_KEY]`; how many."""
    count = 0
    open_block: set[str] = set()  # sources whose last record opened a key that has not ended
    previous: list[int] = []  # index of the record before, of the same source (-1: none)
    last: dict[str, int] = {}
    for i, message in enumerate(messages):
        source = sources[i]
        previous.append(last.get(source, -1))
        last[source] = i
        if "PRIVATE KEY" in message:
            begin, end = _last(_BEGIN, message), _last(_END, message)
            if end is not None and (begin is None or end > begin):
                if begin is None:
                    # the body lines this record holds before its END, then (when the record
                    # starts with them and the BEGIN was not fetched) the body records before it
                    tail = _BODY_TAIL.search(message, 0, end)
                    if tail is not None:
                        messages[i] = message[: tail.start()] + PRIVATE_KEY + "\n" + message[end:]
                        count += 1
                    if source not in open_block and (tail is None or tail.start() == 0):
                        count += _body_records_before(messages, previous, previous[i])
                open_block.discard(source)
                continue
            if begin is not None:
                open_block.add(source)
                continue
        if source in open_block:
            if message.strip() == "":
                continue  # the blank line after PEM headers
            if _is_body(message):
                messages[i] = PRIVATE_KEY
                count += 1
            else:
                open_block.discard(source)  # the key ended without its END record in this fetch
    return count


def _word_before(text: str) -> int:
    """The length of the word `text` ends with (at most MAX_WORD)."""
    cut = _WORD.match(text[: -SEAM_CONTEXT - 1 : -1])  # most words are short: reverse little
    if cut is not None and len(cut.group(0)) == SEAM_CONTEXT:
        cut = _WORD.match(text[: -MAX_WORD - 1 : -1])
    return len(cut.group(0)) if cut else 0


def _word_after(text: str) -> int:
    """The length of the word `text` starts with (at most MAX_WORD)."""
    cut = _WORD.match(text)
    return len(cut.group(0)) if cut else 0


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _outside_marker_start(text: str, at: int) -> int:
    """`at`, moved back to the start of a marker it falls inside of."""
    opened = text.rfind("[", 0, at)
    return opened if opened > text.rfind("]", 0, at) else at


def _opaque(piece: str) -> bool:
    """Part of a credential rather than a word: it holds a digit or one of `+/=_`, or is long
    without being a dotted name (`java.lang.ClassCastException` starting the next record is a
    class name, not the rest of the `token: ...` that ended the record before)."""
    return (len(piece) >= 24 and "." not in piece) or any(c.isdigit() or c in "+/=_" for c in piece)


def _digits_meet(before: str, after: str) -> bool:
    """A card or phone number may be cut here: a digit on one side, a digit or separator on the other."""
    a, b = before[-1], after[0]
    return (a.isdigit() and (b.isdigit() or b in "-.")) or (b.isdigit() and a in " -.")


def _seam(before: str, after: str, redactor: Redactor, every: bool) -> tuple[str, str, int] | None:
    """New `before` and `after` with a secret that straddles their seam replaced on both sides,
    and the markers put in (0: neither could be cut); None when no secret straddles it.
    `every`: redact the seam joined even without a hint (the redactor has rules from a config,
    whose shapes are unknown)."""
    word_a = _word_before(before)
    x_start = max(0, len(before) - word_a - SEAM_CONTEXT)
    x = before[x_start:]
    word_b = _word_after(after)
    y = after[: word_b + SEAM_CONTEXT]
    if not every and not _digits_meet(before, after) and _SEAM_HINT.search((x + y).lower()) is None:
        return None

    joined, n = redactor.redact_counted(x + y)
    if n == 0:
        return None
    rx, ry = redactor.redact(x), redactor.redact(y)
    if joined == rx + ry:
        return None
    p = _outside_marker_start(joined, _common_prefix(joined, rx))
    rest = joined[p:]
    s = _common_prefix(rest[::-1], ry[::-1])
    middle = rest[: len(rest) - s]
    tail, head = rx[p:], ry[: len(ry) - s]  # what each side loses to the joined redaction
    if middle:  # a secret neither side makes alone
        if _MARKERS_ONLY.fullmatch(middle) is None:
            return None  # the two parse differently, but no secret meets the seam
        marker = middle
    else:  # the marker one side makes alone grew into the other side's part of the word
        found = _MARKER.match(rest) or _MARKER_AT_END.search(joined, 0, p)
        grown = tail or head
        if found is None or not _opaque(grown):
            return None  # `password=x` then `login ok`: a word, not the rest of the secret
        marker = found.group(0)
    added = 0
    cut = len(tail) if "[" not in tail else word_a  # raw characters A loses (its word, if hidden)
    if cut:
        before = before[: len(before) - cut] + marker
        added = 1
    if head and "[" not in head:  # (a head B hid itself stays with B's own redaction)
        after = marker + after[len(head) :]
        added += 1
    return before, after, added


def _split_words(messages: list[str], sources: Sequence[str], redactor: Redactor, every: bool) -> int:
    """Replace secrets cut across two records of one source (in place); the markers put in."""
    count = 0
    last: dict[str, int] = {}
    for i, message in enumerate(messages):
        source = sources[i]
        j = last.get(source, -1)
        last[source] = i
        if j < 0:
            continue
        before = messages[j]
        if not before or not message or message[0] not in _IN_WORD:
            continue  # the next record does not start mid-word
        end = before[-1]
        if end not in _IN_WORD and end not in _BEFORE_VALUE and not (end == " " and message[0].isdigit()):
            continue  # nor does this one end mid-word, before a value or between groups of digits
        done = _seam(before, message, redactor, every)
        if done is not None:
            messages[j], messages[i], n = done
            count += n
    return count


def across_records(
    messages: Sequence[str], sources: Sequence[str], redactor: Redactor, *, config_rules: bool
) -> tuple[list[str], int]:
    """The messages with secrets that span neighbouring records of one source replaced by
    markers (the rest left raw for the caller's redaction), and the number of markers put in.

    `messages[i]` came from `sources[i]`, in the order the source wrote them. `config_rules`:
    the redactor has a service config's own patterns, so every seam is redacted joined (their
    shapes have no hint to check first).
    """
    out = list(messages)
    count = _pem_bodies(out, sources)
    count += _split_words(out, sources, redactor, config_rules)
    return out, count

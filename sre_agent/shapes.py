"""Message shapes: a log message with its variable parts masked, so lines of one kind match.

`message_shape("Receiving block blk_-160... src: /10.250.19.102:54106 dest: /10.250.19.102:50010")`
is `"Receiving block <ID> src: /<IP> dest: /<IP>"`, the same for every such line. Lines of one
shape share one embedding; `shape_hash` gives a short key for a shape.

The masks, tried left to right at each position (first that matches wins):

- redaction markers (`[EMAIL]`) and e-mail addresses stay as they are;
- UUIDs become `<UUID>`, also after a dashed prefix (OpenStack's `req-<UUID>`, a pod's `web-<UUID>`);
- IPv4 (optionally `::ffff:`-mapped) and IPv6 addresses, each with an optional `:port`, become `<IP>`;
- `0x`-prefixed hex and runs of 8+ hex characters holding both digits and letters become `<HEX>`,
  and so do runs of 6 or 7 that switch between digits and letters twice or more (rspamd's
  task tag `c261cd`, a short commit `e41d07c`; not `ED25519`);
- `name_123` / `blk_-123` style ids (letters, `_`, an optionally negative number) and numbers
  joined by underscores (`30546354_25138444`) become `<ID>`, and so do prefixed random ids
  (`ord_rAW3Latp63`, `cus_NffrFeUfNV2Hib`, `crt_z7gi99i3`: a short word, `_`, then six or more
  letters and digits holding a digit), and a field's value of one to three letters and four or more
  digits (`user=u50339`, `cart=c374203`: an id, where `ssh2` or `log4j` stay words);
- random ids of capitals, small letters and digits, 8 to 64 of them (Postfix's long queue id
  `4WyGg7EoVB`, a Dovecot session `qmUvejPYx4VUv9Q2JP6lMs`) become `<ID>` when they switch between
  the three often and, under 16 characters, hold no word of five letters: `Win32Exception`,
  `IPv4Address` and `iPhone15` stay;
- inside a path of two or more segments, a segment mixing letters and digits becomes `<ID>`:
  `/dfs/data/current/subdir37/blk_1` and `/dfs/data/current/subdir5/blk_2` are one shape, as are
  `_task_200811092030_0002_r_000318_0/part-00318` and its siblings;
- numbers not glued to a letter before them become `<NUM>`: `10000ms` -> `<NUM>ms`,
  `/data/3/dfs` -> `/data/<NUM>/dfs`, `2008-11-09` -> `<NUM>-<NUM>-<NUM>`, but `ssh2`
  and `log4j` stay: digits inside a word are part of the word.

Words are never masked, so `Invalid user webmaster from <IP>` and `Invalid user admin from <IP>`
are two shapes: a user name is meaningful to someone asking about it, and we cannot tell a name
from any other word. Quoted values are not masked either: a quoted string is often the very text
that tells two errors apart. Whitespace runs (newlines included) collapse to one space.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

_HEX4 = r"[0-9A-Fa-f]{1,4}"
_IPV4 = r"(?:::ffff:)?(?:\d{1,3}\.){3}\d{1,3}"
_IPV6 = (
    rf"(?:{_HEX4}:){{7}}{_HEX4}"  # full form
    rf"|(?:{_HEX4}(?::{_HEX4}){{0,6}})?::(?:{_HEX4}(?::{_HEX4}){{0,6}})?(?<!::)"  # with `::`
    rf"|::{_HEX4}"  # ::1
)
_PORT = r"(?::\d{1,5})?"
_NUMBER = r"\d+(?:[.,]\d+)*"  # a number, its decimal or thousands parts with it

# The masks in the order they are tried, each with what a line must hold for it to match there
# (see `_present`; None: any line may hold one). Every mask starts a token (no word character
# before it): that one check first lets the engine skip the positions inside a word.
_ALTERNATIVES: tuple[tuple[str | None, str], ...] = (
    ("[", r"(?P<keep>\[[A-Z][A-Z0-9_]{1,30}\])"),
    ("@", r"(?P<mail>(?<![\w.%+-])[\w.%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,10}[A-Za-z]{2,24}(?![\w-]))"),
    (
        "u",
        r"(?P<uuid>(?<!\w)[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![\w-]))",
    ),
    ("4", rf"(?P<ip>(?<![\w.]){_IPV4}{_PORT}(?!\w|\.\d))"),
    ("6", rf"(?P<ip6>(?<![\w:])(?:\[(?:{_IPV6})\]|{_IPV6}){_PORT}(?![\w:]))"),
    (
        None,
        r"(?P<hex>(?<![\w])(?:0[xX][0-9A-Fa-f]+|[0-9A-Fa-f]{8,}"
        r"|(?=[0-9A-Fa-f]{6,7}(?!\w))(?:[A-Fa-f]+\d+[A-Fa-f]|\d+[A-Fa-f]+\d)[0-9A-Fa-f]*)(?![\w]))",
    ),
    ("_", r"(?P<id>(?<![\w-])(?:[A-Za-z][A-Za-z0-9]*|\d+)_-?\d+(?:_-?\d+)*(?![\w]))"),
    ("_", r"(?P<rid>(?<![\w-])[A-Za-z]{2,12}_(?=[A-Za-z]*\d)[A-Za-z0-9]{6,}(?![\w-]))"),
    ("=", r"(?P<kid>(?<==)[A-Za-z]{1,3}\d{4,}(?![\w-]))"),
    # the value of a field named as an id (`request_id=FLqIPZlOJrJ9pYv759tn`, `traceId=…`): six or
    # more characters with a letter (a number alone stays a number); under a name that is only an
    # id (`id=`, Sidekiq's `tid=apr`, `…_id=`, `…Id=`, `…ID=`; not `valid=`), any such value
    (
        "=",
        r"(?P<idval>(?:(?<=[iI][dD]=)(?=[\w+/.:-]*[A-Za-z])[A-Za-z0-9][\w+/.:-]{5,}"
        r"|(?:(?<=\b[a-z]id=)|(?<=\bid=)|(?<=_id=)|(?<=Id=)|(?<=ID=))(?=[\w+/.:-]*[A-Za-z])[\w+/.:-]{1,64})"
        r"(?![\w-]))",
    ),
    # the string value of a JSON key named as an id (`"id"`, `"tid"`, `"..._id"`, `"...Id"`, `"...ID"`;
    # not `"valid"` or `"paid"`), however short (Sidekiq's `"tid":"apr"`)
    (
        "j",
        r'(?P<jsonid>(?:(?<="id":")|(?<="[a-z]id":")|(?<=_id":")|(?<=Id":")|(?<=ID":"))[\w+/.:-]{1,64}(?="))',
    ),
    # a random id of mixed-case letters and digits (Postfix's long queue id `4WyGg7EoVB`, a
    # Dovecot session `qmUvejPYx4VUv9Q2JP6lMs`); `_mask` keeps words like `Win32Exception`
    (
        None,
        r"(?P<mixed>(?=[A-Za-z0-9]{8})(?<!-)(?=[A-Za-z]*\d)(?=[a-z0-9]*[A-Z])(?=[A-Z0-9]*[a-z])"
        r"[A-Za-z0-9]{8,64}(?![\w-]))",
    ),
    ("T", r"(?P<isotime>\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?(?![\w.]))"),
    (None, rf"(?P<num>(?<![A-Za-z0-9_.]){_NUMBER})"),
)
_DIGIT = re.compile(r"\d", re.ASCII)


def _present(message: str) -> str:
    """What `message` holds of what the masks need: `[` (a redaction marker), `@` (an e-mail),
    `u` (4 dashes: a UUID), `4` (3 dots: IPv4), `6` (`::` or 7 colons: IPv6), `_` (an id), `=` (a
    field's value), `T` (an ISO 8601 time, `2024-06-04T14:14:49.755Z`), `j` (a JSON id's value).
    (A random id of both cases needs no check: looking for a digit beside a letter cost more than
    the mask it would skip, bench/bench_big_ingest.py.)"""
    return (
        ("[" if "[" in message else "")
        + ("@" if "@" in message else "")
        + ("u" if message.count("-") >= 4 else "")
        + ("4" if message.count(".") >= 3 else "")
        + ("6" if "::" in message or message.count(":") >= 7 else "")
        + ("_" if "_" in message else "")
        + ("=" if "=" in message else "")
        + ("T" if "T" in message else "")
        + ("j" if 'd":"' in message or 'D":"' in message else "")
    )


@lru_cache(maxsize=64)
def _masks(present: str) -> re.Pattern[str]:
    """The masks that can match a line holding `present` (see `_present`).

    A mask whose needs the line lacks cannot match anywhere in it, so leaving it out changes no
    shape; the IPv6 mask alone cost half the time of every line (bench/bench_big_ingest.py).
    """
    kept = [pattern for need, pattern in _ALTERNATIVES if need is None or need in present]
    return re.compile(r"(?<!\w)(?:" + "|".join(kept) + ")", re.ASCII)


_SPACES = re.compile(r"\s+")
_SEGMENT = r"[^\s\\/,;'\"()\[\]{}<>]"
#: A path of two or more segments (`/a/b`, `C:\\a\\b`), and a segment of it mixing letters and digits.
_PATH = re.compile(rf"(?:[A-Za-z]:)?(?:[\\/]{_SEGMENT}+){{2,}}[\\/]?")
_MIXED_SEGMENT = re.compile(
    rf"(?<=[\\/]){_SEGMENT}*(?:[A-Za-z]{_SEGMENT}*\d|\d{_SEGMENT}*[A-Za-z]){_SEGMENT}*"
)


_NUMBERS = re.compile(_NUMBER)
_TOKENS = {
    "uuid": "<UUID>",
    "ip": "<IP>",
    "ip6": "<IP>",
    "hex": "<HEX>",
    "id": "<ID>",
    "rid": "<ID>",
    "kid": "<ID>",
    "idval": "<ID>",
    "jsonid": "<ID>",
    "mixed": "<ID>",
    "num": "<NUM>",
}


#: How often a random id switches between capitals, small letters and digits, at least (per
#: character after the first): `4WyGg7EoVB` 8 of 9, `Win32Exception` 4 of 13.
RANDOM_SWITCHES = 0.35
_LEADING_NUMBER = re.compile(r"^\d+")
#: A word of five letters or more inside a name (`IPv4Address`, `S3Client`, `iPhone15`).
_WORD_INSIDE = re.compile(r"[A-Za-z][a-z]{4}")
#: From this length, a word inside is chance: `lwQBHzdwdrX5h6fRWjzTOE96` is random.
LONG_ID = 16


def _random_id(text: str) -> bool:
    """Whether `text` (letters of both cases and digits) reads as random: it switches between
    capitals, small letters and digits often and, when short, holds no word."""
    kinds = [1 if c.isupper() else 2 if c.islower() else 3 for c in text]
    switches = sum(a != b for a, b in zip(kinds, kinds[1:], strict=False))
    if switches < RANDOM_SWITCHES * (len(text) - 1):
        return False
    return len(text) >= LONG_ID or _WORD_INSIDE.search(text) is None


def _mask(m: re.Match[str]) -> str:
    kind = m.lastgroup
    text = m.group(0)
    if kind in ("keep", "mail"):
        return text
    if kind == "mixed":  # a word with digits in it keeps its letters; a leading number is a number
        if _random_id(text):
            return "<ID>"
        return _LEADING_NUMBER.sub("<NUM>", text)
    if kind == "isotime":  # its hour is a number like the rest: `T14:` is not a word of the line
        return _NUMBERS.sub("<NUM>", text)
    if kind == "hex" and not text.lower().startswith("0x"):
        has_digit = any(c.isdigit() for c in text)
        has_letter = any(c.isalpha() for c in text)
        if not has_letter:
            return "<NUM>"
        if not has_digit:
            return text  # a word that happens to use only a-f, e.g. "acceded"
    return _TOKENS[kind or "num"]


def message_shape(message: str) -> str:
    """`message` with IPs, UUIDs, hex, ids and numbers masked and whitespace collapsed."""
    if "/" in message or "\\" in message:
        message = _PATH.sub(lambda m: _MIXED_SEGMENT.sub("<ID>", m.group(0)), message)
    present = _present(message)
    if "u" in present or "6" in present or "j" in present or _DIGIT.search(message):
        # without a digit, only a UUID, an IPv6 address of letters alone or a JSON id's value
        # could be masked
        message = _masks(present).sub(_mask, message)
    return " ".join(message.split())  # whitespace runs, newlines included, as one space


# A hump inside a word: getAllCellInfo, HTTPServer, sendSyncFailedBroadcast.
_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_CAMEL_WORD = re.compile(r"\b[A-Za-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+\b|\b[A-Z]{2,}[a-z][A-Za-z0-9]*\b")


def readable(text: str) -> str:
    """`text` with camelCase identifiers split into words, for a model that reads words."""
    return _CAMEL_WORD.sub(lambda m: _HUMP.sub(" ", m.group(0)), text)


# Digits glued to letters: `KB3185319`, `subdir37`, `ShadowCopy2`, `ssh2`.
_DIGITS_IN_WORD = re.compile(r"(?<=[A-Za-z_])\d+|\d+(?=[A-Za-z_])")


def embedding_text(shape: str) -> str:
    """What the model reads for a shape: camelCase names split into words and the digits glued to
    letters dropped, so shapes that differ only by such a number (`Package_for_KB3185319` and
    `Package_for_KB2966583`) share one embedding. On the Windows CBS sample this takes the texts
    to embed from 951 to 74 (recall unchanged: bench/bench_recall.py); the words still tell the
    shapes apart in the full-text index."""
    return _SPACES.sub(" ", readable(_DIGITS_IN_WORD.sub("", shape))).strip()


#: A quoted value in a shape: a request line, a path, a URL (`request: "GET /v1/orders/<NUM> …"`).
_QUOTED_VALUE = re.compile(r'"[^"\n]{1,300}"')


def pattern_key(shape: str) -> str:
    """What lines of one pattern in an answer share: the shape with its quoted values left out, so
    nginx's `connect() failed … request: "GET /v1/orders/<NUM> HTTP/1.1"` and its `/v1/cart/items`
    twin are one pattern with two variants. (The shape keeps quoted values: they tell errors apart
    in a search; in an answer's list, they made ten entries of two things.)"""
    return _QUOTED_VALUE.sub('"…"', shape)


def shape_hash(shape: str) -> str:
    """A short stable key for a shape: the first 16 hex characters of its sha1."""
    return hashlib.sha1(shape.encode("utf-8")).hexdigest()[:16]


# Words that mean trouble in any system's logs, for sources that write no level (or call
# everything "Info"): a broad question ranks such lines before the rest of their level.
_TROUBLE = re.compile(
    r"\b(?:fail(?:s|ed|ure|ures|ing)?|errors?|err|exceptions?|fatal|panic(?:ked)?|crash(?:ed|es)?"
    r"|abort(?:ed|ing)?|refused|denied|forbidden|unauthori[sz]ed|timed out|time ?outs?|unreachable"
    r"|unavailable|cannot|can't|could not|couldn't|unable|invalid|corrupt(?:ed|ion)?|lost|broken"
    r"|reject(?:ed)?|killed|died|dead|not found|exceeded|overflow|unexpected(?:ly)?|illegal|mismatch"
    r"|missing|violation|warn(?:ing)?s?|bad|blocked|expired?|disconnect(?:ed)?|reset"
    r"|kill(?:s|ing)?|out of memory|oom|no space left)\b",
    re.IGNORECASE,
)


def sounds_like_trouble(message: str) -> bool:
    """Whether the words of `message` (camelCase and snake_case names split) say something failed."""
    return bool(_TROUBLE.search(readable(message).replace("_", " ")))

"""Redaction: replace secrets and personal data in log text with typed markers like `[EMAIL]`.

`Redactor.for_config(cfg)` builds a redactor from the built-in rules below plus the service's
own `redaction_patterns` (applied last, in the order the config lists them). `redact(text)`
cleans one string; `redact_value(obj)` cleans a nested JSON value, replacing the whole value of
any dict key that names a secret (`password`, `api_key`, `email`, ...).

Principles:
- Each rule is one regex plus what to put instead. Rules run in a fixed order; specific shapes
  (PEM blocks, JWTs, cloud keys, URL passwords) run before the generic `key=value` rule and the
  PII rules (email, card, phone).
- No rule can backtrack catastrophically: every repeated part is either bounded, anchored by a
  lookbehind to the start of a token, or a character class that cannot overlap what follows it.
  A 1 MB line is redacted in a fraction of a second.
- Redacting twice gives the same text as redacting once: no rule matches a marker.
- Ordinary log content stays: IPs, ports, timestamps, ZooKeeper session ids (`0x14f3...`), HDFS
  block ids (`blk_-877...`), sizes and pids never look like a phone or a card. A card number is
  only redacted if it has a real card prefix and length and passes the Luhn check; a phone
  number needs a `+` or North-American punctuation (`(415) 555-2671`, `415-555-2671`).
- A word is not a secret: "Failed password for invalid user admin" stays as it is. Only a value
  that follows a secret-naming key and `=` or `:` is replaced (`password=hunter2`,
  `"token": "..."`), and after a token-like key a plain word is prose (`token: expired`).

Config patterns are compiled as written (add `(?i)` for case-insensitive); their `replacement`
may use group references such as `\\1`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sre_agent.configs import ServiceConfig
from sre_agent.errors import ConfigError

EMAIL = "[EMAIL]"
PHONE = "[PHONE]"
CARD = "[CARD]"
JWT = "[JWT]"
AWS_KEY = "[AWS_KEY]"
TOKEN = "[TOKEN]"
PASSWORD = "[PASSWORD]"
SECRET = "[SECRET]"
PRIVATE_KEY = "[PRIVATE_KEY]"
SSN = "[SSN]"

#: A marker (ours, or a config replacement in the same style): never redacted again.
_MARKER = re.compile(r"\[[A-Z][A-Z0-9_]{1,30}\]")

# --- which keys name a secret ------------------------------------------------------------------
# A key names a secret when, lower-cased with everything but letters and digits removed, it
# ends with one of these. Ending (not containing) keeps `max_tokens`, `token_count`,
# `password_min_length`, `tokenizer` and `secretary` ordinary, while `db_password`,
# `X-Api-Key`, `aws_secret_access_key` and `refreshToken` are secrets.
_KEY_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("privatekey", PRIVATE_KEY),
    ("password", PASSWORD),
    ("passwd", PASSWORD),
    ("passphrase", PASSWORD),
    ("pwd", PASSWORD),
    ("secret", SECRET),
    ("secretkey", SECRET),
    ("accesskey", SECRET),
    ("apikey", SECRET),
    ("credential", SECRET),
    ("credentials", SECRET),
    ("token", TOKEN),
    ("authorization", TOKEN),
    ("cookie", TOKEN),
    ("cookies", TOKEN),
    ("creditcard", CARD),
    ("cardnumber", CARD),
    ("ssn", SSN),
    ("phone", PHONE),
    ("phonenumber", PHONE),
    ("email", EMAIL),
    ("emailaddress", EMAIL),
)
# Session keys are secrets in structured fields (a web session id is a credential), but not in
# free text, where `sessionid: 0x14f05578bf80005` is a ZooKeeper session people search for.
_SESSION_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("session", TOKEN),
    ("sessionid", TOKEN),
    ("sessionkey", TOKEN),
)


@lru_cache(maxsize=4096)
def marker_for_key(key: str, *, structured: bool = True) -> str | None:
    """The marker for the value of `key` if the key names a secret, else None.

    `structured=False` is the stricter reading used for `key=value` pairs in free text.
    """
    norm = re.sub(r"[^a-z0-9]", "", key.lower())
    suffixes = _KEY_SUFFIXES + _SESSION_SUFFIXES if structured else _KEY_SUFFIXES
    for suffix, marker in suffixes:
        if norm.endswith(suffix):
            return marker
    return None


# --- helpers used by rules ---------------------------------------------------------------------
def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# (prefixes, allowed lengths) of the card brands we recognise. Requiring a brand keeps 13-19
# digit ids that happen to pass Luhn (epoch micros, decimal trace ids) out.
_CARD_BRANDS: tuple[tuple[tuple[str, ...], tuple[int, ...]], ...] = (
    (("4",), (13, 16, 19)),  # Visa
    (("51", "52", "53", "54", "55"), (16,)),  # Mastercard
    (tuple(str(p) for p in range(2221, 2721)), (16,)),  # Mastercard 2-series
    (("34", "37"), (15,)),  # American Express
    (("6011", "65", "644", "645", "646", "647", "648", "649"), (16, 17, 18, 19)),  # Discover
    (("35",), (16, 17, 18, 19)),  # JCB
    (("36", "38", "39", "300", "301", "302", "303", "304", "305"), (14, 15, 16)),  # Diners
    (("62",), (16, 17, 18, 19)),  # UnionPay
)


def _is_card_number(digits: str) -> bool:
    for prefixes, lengths in _CARD_BRANDS:
        if len(digits) in lengths and digits.startswith(prefixes):
            return _luhn_ok(digits)
    return False


def _looks_opaque(word: str) -> bool:
    """True for a credential-like string, False for an English word such as 'authentication'."""
    if len(word) < 8:
        return False
    if len(word) >= 24 or any(not c.isalpha() for c in word):
        return True
    rest = word[1:]
    return any(c.isupper() for c in rest) and any(c.islower() for c in rest)


# --- the rules -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Rule:
    """One redaction: `apply(text)` gives the new text and how many replacements it made.

    `hint`, when set, is a cheap regex searched in the lower-cased original text first: if it
    finds nothing the rule cannot match and is skipped. It only saves time (most log lines hold
    no secret at all); it never changes what is redacted.
    """

    name: str
    apply: Callable[[str], tuple[str, int]]
    hint: re.Pattern[str] | None = None


def _sub(
    pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str | None]
) -> Callable[[str], tuple[str, int]]:
    """A rule body: each match of `pattern` becomes `replace(match)` (None: leave it as it is)."""

    def apply(text: str) -> tuple[str, int]:
        count = 0

        def substitute(m: re.Match[str]) -> str:
            nonlocal count
            new = replace(m)
            if new is None or new == m.group(0):
                return m.group(0)
            count += 1
            return new

        return pattern.sub(substitute, text), count

    return apply


def _const(marker: str) -> Callable[[re.Match[str]], str | None]:
    return lambda m: marker


def _token_start(excluded: str) -> str:
    """A lookbehind: a match starts a token. The character before it is not in `excluded` (nor a
    backslash), or it ends a URL escape (`%20AKIA...`) or a JSON escape (`\\nAKIA...`)."""
    return rf"(?:(?<![\\%{excluded}])|(?<=%[0-9A-Fa-f]{{2}})|(?<=\\[nrt]))"


_PEM = re.compile(
    r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----"
    r"(?:[A-Za-z0-9+/=\s\\:,.]|-(?!----))*"  # body: base64, newlines (real or `\n`), headers
    r"(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----)?"
)

_JWT = re.compile(_token_start("A-Za-z0-9_-") + r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")

_AWS_KEY_ID = re.compile(_token_start("A-Za-z0-9") + r"(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])")

_VENDOR_TOKEN = re.compile(
    _token_start("A-Za-z0-9_-") + r"(?:"
    r"gh[pousr]_[A-Za-z0-9]{30,255}"  # GitHub
    r"|github_pat_[A-Za-z0-9_]{22,255}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,255}"  # Slack
    r"|xapp-[A-Za-z0-9-]{10,255}"
    r"|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,255}"  # Stripe
    r"|whsec_[A-Za-z0-9]{20,255}"
    r"|sk-(?=[A-Za-z0-9_-]{0,255}[0-9])[A-Za-z0-9_-]{20,255}"  # OpenAI / Anthropic style
    r"|AIza[0-9A-Za-z_-]{35}"  # Google API key
    r")(?![A-Za-z0-9_-])"
)

_SLACK_WEBHOOK = re.compile(r"hooks\.slack\.com/services/[A-Za-z0-9/_-]+")

# `Authorization: Bearer abc`, `"authorization": "Basic dXNlcjpwYXNz"`: after a scheme the value is
# always secret; without one a plain word is prose ("Authorization: failed").
_AUTH_HEADER = re.compile(
    r"(?i)" + _token_start("a-z") + r"((?:proxy-)?authorization[\"']?[ \t]{0,3}[:=][ \t]{0,3}[\"']?)"
    r"((?:bearer|basic|digest|negotiate|token|apikey)[ \t]+)?+"  # `?+`: never re-read the scheme as value
    r"(?!\[[A-Z])([^\s\"',;]+)"
)

# A free-standing `Bearer <token>`: only if the token does not look like an English word.
_BEARER = re.compile(r"(?i)" + _token_start("a-z") + r"(bearer|basic)([ \t]+)([A-Za-z0-9._~+/-]{8,}=*)")

# `Cookie: a=1; b=2` (a header: `name=value` pairs up to the end of the line).
_COOKIE_HEADER = re.compile(
    r"(?im)" + _token_start("a-z-") + r"((?:set-)?cookie:[ \t]*+)([^\s\"'=;\[]{1,64}=[^\r\n]*)"
)

# `scheme://user:pass@host`: keep the user, redact the password.
_URL_PASSWORD = re.compile(r"(?<=://)([^\s:/@?#\"'<>]*):([^\s/@?#\"'<>]+)@")

# `key=value`, `key: value`, `"key": "value"`, `key='value'`, `\"key\": \"value\"` (JSON inside
# a JSON string). `_KEY_SEP` finds a key and its separator; only if `marker_for_key(key,
# structured=False)` names a secret is `_VALUE` read after it, so the value of an ordinary key
# (`"msg": "... password=x ..."`) is still searched for secrets.
_KEY_SEP = re.compile(
    _token_start("A-Za-z0-9_.\\-/") + r"(?P<key>[A-Za-z][A-Za-z0-9_.\-]{0,62}+)"
    r"(?P<kq>\\?[\"']|)(?P<sep>[ \t]{0,3}(?:=>|[:=])[ \t]{0,3})"
    r"(?!(?i:bearer|basic|digest|negotiate)[ \t])"
)
_VALUE = re.compile(
    r"(?P<eq>\\\")(?P<esc>[^\"\\\r\n]*)"  # \"value\"
    r"|(?P<dq>\")(?P<dval>(?:[^\"\\\r\n]|\\.)*)"  # "value" with escapes
    r"|(?P<sq>')(?P<sval>[^'\r\n]*)"  # 'value'
    r"|(?![\[=])(?P<bare>[^\s\"'\\&;,)\]}>]+)"  # value
)

_EMAIL_RE = re.compile(
    # the local part may hold `%` itself, so no `%20` case here (it would only add work)
    r"(?:(?<![\\\w.%+-])|(?<=\\[nrt]))[\w.%+-]{1,64}(?:@|%40)"
    r"(?:[A-Za-z0-9-]{1,63}\.){1,10}[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)

# 13-19 digits, contiguous or in groups of 4 (Amex 4-6-5); `_is_card_number` decides.
_CARD_RE = re.compile(
    _token_start(r"\w-")
    + r"(?<!\d[.,])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}|\d{4}([ -])\d{6}\2\d{4,5})"
    r"(?![\w-]|[.,]\d)",
    re.ASCII,
)

_PHONE_RE = re.compile(
    _token_start(r"\w+.-") + r"(?:"
    # international: +14155552671, +44 20 7946 0958, +1 (415) 555-2671
    r"\+[1-9]\d{9,14}"
    r"|\+[1-9]\d{0,2}(?:[ .-]\(?\d{1,5}\)?){1,6}"
    # North American: (415) 555-2671, 415-555-2671, 415.555.2671, 1-415-555-2671
    r"|(?:1[ .-])?\([2-9]\d{2}\)[ ]?[2-9]\d{2}[ .-]\d{4}"
    r"|(?:1([.-]))?[2-9]\d{2}([.-])[2-9]\d{2}\2\d{4}"
    r")(?![\w-]|\.\d)",
    re.ASCII,
)


def _is_plain_word(value: str) -> bool:
    """'expired', 'Missing': prose after `token:`, not a token (tokens are never plain words)."""
    return re.fullmatch(r"[A-Za-z][a-z]{0,19}", value) is not None


def _auth_header(m: re.Match[str]) -> str | None:
    scheme, value = m.group(2), m.group(3)
    if not scheme and _is_plain_word(value):
        return None  # "Authorization: failed for user bob"
    return f"{m.group(1)}{scheme or ''}{TOKEN}"


def _bearer(m: re.Match[str]) -> str | None:
    if not _looks_opaque(m.group(3)):
        return None
    return f"{m.group(1)}{m.group(2)}{TOKEN}"


def _cookie(m: re.Match[str]) -> str:
    return f"{m.group(1)}{TOKEN}"


def _url_password(m: re.Match[str]) -> str:
    return f"{m.group(1)}:{PASSWORD}@"


def _secret_value(marker: str, value_match: re.Match[str]) -> str | None:
    """The replacement for a value after a secret key (opening quote kept), or None to keep it."""
    for quote_group, value_group in (("eq", "esc"), ("dq", "dval"), ("sq", "sval"), (None, "bare")):
        value = value_match.group(value_group)
        if value is None:
            continue
        if not value or _MARKER.fullmatch(value):
            return None
        if marker == TOKEN and _is_plain_word(value):
            return None  # "token: expired" is prose; a password may be any word, so it has no such rule
        return (value_match.group(quote_group) if quote_group else "") + marker
    return None


def _redact_key_values(text: str) -> tuple[str, int]:
    """Replace the values of secret-naming keys (`password=...`, `"token": "..."`)."""
    parts: list[str] = []
    done = 0  # text[:done] is settled
    count = 0
    for m in _KEY_SEP.finditer(text):
        if m.start() < done:
            continue  # a key inside a value we have just replaced
        marker = marker_for_key(m.group("key"), structured=False)
        if marker is None:
            continue
        value = _VALUE.match(text, m.end())
        new = _secret_value(marker, value) if value else None
        if value is None or new is None:
            continue
        parts += [text[done : m.end()], new]
        done = value.end()
        count += 1
    return "".join(parts) + text[done:], count


def _card(m: re.Match[str]) -> str | None:
    digits = re.sub(r"[ -]", "", m.group(0))
    return CARD if _is_card_number(digits) else None


def _phone(m: re.Match[str]) -> str | None:
    digits = sum(c.isdigit() for c in m.group(0))
    return PHONE if 10 <= digits <= 15 else None


# What every card / phone shape holds somewhere (a hint must never be stricter than its rule):
# 13 digits in a row or two groups of four; a `+` and a digit, or a digit, a separator, 4 digits.
_CARD_HINT = re.compile(r"\d{13}|\d{4}[ -]\d{4}")
_PHONE_HINT = re.compile(r"\+[1-9]|\d[ .-]\d{4}")
_KEY_HINT = re.compile(r"pass|pwd|secret|key|credential|token|authoriz|cookie|card|ssn|phone|email")

_BUILTIN_RULES: tuple[_Rule, ...] = (
    _Rule("private_key", _sub(_PEM, _const(PRIVATE_KEY)), re.compile("private key")),
    _Rule("jwt", _sub(_JWT, _const(JWT)), re.compile("eyj")),
    _Rule("aws_key_id", _sub(_AWS_KEY_ID, _const(AWS_KEY)), re.compile("akia|asia")),
    _Rule(
        "vendor_token",
        _sub(_VENDOR_TOKEN, _const(TOKEN)),
        re.compile(r"gh[pousr]_|github_pat_|xox|xapp-|_live_|_test_|whsec_|sk-|aiza"),
    ),
    _Rule("slack_webhook", _sub(_SLACK_WEBHOOK, _const(TOKEN)), re.compile("hooks.slack.com")),
    _Rule("auth_header", _sub(_AUTH_HEADER, _auth_header), re.compile("authorization")),
    _Rule("bearer", _sub(_BEARER, _bearer), re.compile("bearer|basic")),
    _Rule("cookie_header", _sub(_COOKIE_HEADER, _cookie), re.compile("cookie:")),
    _Rule("url_password", _sub(_URL_PASSWORD, _url_password), re.compile("://")),
    _Rule("key_value", _redact_key_values, _KEY_HINT),
    _Rule("email", _sub(_EMAIL_RE, _const(EMAIL)), re.compile("@|%40")),
    _Rule("card", _sub(_CARD_RE, _card), _CARD_HINT),
    _Rule("phone", _sub(_PHONE_RE, _phone), _PHONE_HINT),
)


class Redactor:
    """Replaces secrets and personal data with markers. Build one with `Redactor.for_config`."""

    def __init__(self, extra_rules: list[_Rule] | None = None) -> None:
        self._rules: tuple[_Rule, ...] = _BUILTIN_RULES + tuple(extra_rules or ())
        # One search that finds no hint at all skips every hinted rule (most log lines hold no secret).
        self._any_hint = re.compile("|".join(f"(?:{r.hint.pattern})" for r in self._rules if r.hint))

    @classmethod
    def for_config(cls, config: ServiceConfig | None) -> Redactor:
        """The built-in rules, then `config.redaction_patterns` in order (none if config is None).

        Raises `ConfigError` naming the pattern if its `replacement` is not a valid template
        (a stray backslash, a group the pattern does not have).
        """
        if config is None:
            return cls()
        extra: list[_Rule] = []
        for i, p in enumerate(config.redaction_patterns):
            pattern = re.compile(p.pattern)
            try:
                pattern.sub(p.replacement, "")  # parses the template now rather than on the first match
            except re.error as exc:
                raise ConfigError(
                    f"service config '{config.name}': field 'redaction_patterns.{i}.replacement' "
                    f"({p.name}): {exc}"
                ) from None
            replacement = p.replacement
            extra.append(_Rule(f"config:{p.name}", _sub(pattern, lambda m, r=replacement: m.expand(r))))
        return cls(extra)

    def redact_counted(self, text: str) -> tuple[str, int]:
        """`text` with secrets replaced, and the number of replacements made."""
        total = 0
        lowered = text.lower()
        no_hint_at_all = self._any_hint.search(lowered) is None
        for rule in self._rules:
            if rule.hint is not None and (no_hint_at_all or rule.hint.search(lowered) is None):
                continue
            text, n = rule.apply(text)
            total += n
        return text, total

    def redact(self, text: str) -> str:
        """`text` with secrets replaced by markers."""
        return self.redact_counted(text)[0]

    def redact_value_counted(self, obj: Any) -> tuple[Any, int]:
        """`redact_value`, plus the number of replacements made."""
        if isinstance(obj, str):
            return self.redact_counted(obj)
        if obj is None or isinstance(obj, (bool, float)):
            return obj, 0
        if isinstance(obj, int):  # a number may be a phone or card number: keep it unless it is
            text, n = self.redact_counted(str(obj))
            return (text, n) if n else (obj, 0)
        if isinstance(obj, dict):
            out: dict[str, Any] = {}
            total = 0
            for key, value in obj.items():
                new_key, n_key = self.redact_counted(str(key))
                marker = marker_for_key(str(key))
                if marker is not None and value not in (None, "") and not isinstance(value, bool):
                    new_value, n_value = (value, 0) if value == marker else (marker, 1)
                else:
                    new_value, n_value = self.redact_value_counted(value)
                out[new_key] = new_value
                total += n_key + n_value
            return out, total
        if isinstance(obj, (list, tuple, set, frozenset)):
            items = []
            total = 0
            for item in obj:
                new_item, n = self.redact_value_counted(item)
                items.append(new_item)
                total += n
            return items, total
        return self.redact_counted(str(obj))  # anything else (a datetime, an object): its text

    def redact_value(self, obj: Any) -> Any:
        """A copy of a nested JSON-like value with secrets replaced.

        Strings are redacted; the whole value of a dict key that names a secret (see
        `marker_for_key`) becomes that key's marker, unless it is None, "" or a bool. Integers
        stay integers unless they are a phone or card number. Tuples and sets become lists; other
        objects become their redacted `str()`, so the result is always JSON-serialisable.
        """
        return self.redact_value_counted(obj)[0]

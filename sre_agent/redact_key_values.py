"""The generic `key=value` rule of redaction (`redact.py`): the value after a key that names a
secret is replaced by that key's marker (`password=[PASSWORD]`, `"token": "[TOKEN]"`).

Keys are found in every spelling logs use: `key=value`, `key: value`, `"key": "value"`,
`key='value'`, `\\"key\\": \\"value\\"` (JSON inside a JSON string), `user[password]=x`,
`--password=x`, `key => value`. Which keys name a secret, and when a weak name's value is one, is
`redact_keys.py`'s; this module finds the key and its value in text. A value already a marker stays;
after a token-like key a plain word is prose (`token: expired`); a phone number after a phone key
is taken whole, blanks and brackets included; an environment variable's value (`NAME=value`) runs
to a blank; `?code=` in a URL is an OAuth authorization code when its value is opaque.

It runs after the specific shapes (`redact_fields.py`) and before the free-text rule and the PII
rules, in `redact.py`'s order: `KEY_VALUE_RULE`.
"""

from __future__ import annotations

import re

from sre_agent.redact_keys import (
    KEY_HINT,
    MARKER,
    is_opaque,
    is_plain_word,
    key_marker,
    marker_for_key,
    may_name_secret,
    weak_value_is_secret,
)
from sre_agent.redact_rules import NEXT_FIELD, PHONE, TOKEN, Rule, token_start

# `key=value`, `key: value`, `"key": "value"`, `key='value'`, `\"key\": \"value\"` (JSON inside
# a JSON string), `user[password]=x`, `--password=x`. `_KEY_SEP` finds a key and its separator;
# only if the key names a secret is `_VALUE` read after it, so the value of an ordinary key
# (`"msg": "... password=x ..."`) is still searched for secrets.
_KEY_SEP = re.compile(
    token_start("A-Za-z0-9_.\\/") + r"(?P<key>[A-Za-z_][A-Za-z0-9_.\-]{0,62}+)(?:\]|%5[Dd])?"
    r"(?P<kq>\\?[\"']|)\]?(?P<sep>[ \t]{0,3}(?:=>|[:=])[ \t]{0,3})"
    r"(?!(?i:bearer|basic|digest|negotiate)[ \t])"
)
_VALUE = re.compile(
    r"(?P<eq>\\\")(?P<esc>[^\"\\\r\n]*)"  # \"value\"
    r"|(?P<dq>\")(?P<dval>(?:[^\"\\\r\n]|\\.)*)"  # "value" with escapes
    r"|(?P<sq>')(?P<sval>[^'\r\n]*)"  # 'value'
    r"|(?![\[=])(?P<bare>[^\s\"'\\&;,)\]}>]+)"  # value
)


# A value a header or bearer rule has already redacted (`"authorization": "Basic [TOKEN]"`).
_SCHEME_AND_MARKER = re.compile(r"(?i:bearer|basic|digest|negotiate|token|apikey)[ \t]+" + MARKER.pattern)

# An unquoted phone number after a phone key, blanks and brackets included.
_PHONE_VALUE = re.compile(r"(?P<bare>\+?\(?\d[\d ().-]{4,24}\d)")
# An environment variable's unquoted value (`NAME=value` in an env dump): everything to a blank.
_ENV_VALUE = re.compile(r"(?P<bare>[^\s\"'\\]+)")


def _secret_value(marker: str, weak: bool, value_match: re.Match[str], *, colon: bool) -> str | None:
    """The replacement for a value after a secret key (opening quote kept), or None to keep it.
    `colon`: the key ends in a colon, as in prose ("renew Vault token: alloc_id=…")."""
    groups = value_match.groupdict()
    for quote_group, value_group in (("eq", "esc"), ("dq", "dval"), ("sq", "sval"), (None, "bare")):
        value = groups.get(value_group)
        if value is None:
            continue
        if not value or MARKER.fullmatch(value) or _SCHEME_AND_MARKER.fullmatch(value):
            return None
        if marker == TOKEN and is_plain_word(value):
            return None  # "token: expired" is prose; a password may be any word, so it has no such rule
        if marker == TOKEN and colon and value_group == "bare" and NEXT_FIELD.match(value):
            return None  # "renew Vault token: alloc_id=670a…": the next field, whose own key is read next
        if weak and not weak_value_is_secret(marker, value):
            return None  # `auth=oauth2`, `confirm=true`
        return (value_match.group(quote_group) if quote_group else "") + marker
    return None


def _text_key_marker(text: str, m: re.Match[str]) -> tuple[str | None, bool]:
    """(marker, weak) for the key `m` found: see `key_marker`; and `?code=` in a URL names an
    OAuth authorization code when its value is opaque."""
    key = m.group("key")
    marker = marker_for_key(key, structured=False)
    if marker is not None:
        return marker, False
    is_code = key.lower() == "code" and m.start() > 0 and text[m.start() - 1] in "?&#"
    if not (is_code or may_name_secret(key)):
        return None, True
    value = _VALUE.match(text, m.end())
    text_value = value and (
        value.group("bare") or value.group("dval") or value.group("sval") or value.group("esc") or ""
    )
    if not text_value:
        return None, True
    if is_code:
        return (TOKEN if is_opaque(text_value) else None), True
    return key_marker(key, text_value), True


def _redact_key_values(text: str) -> tuple[str, int]:
    """Replace the values of secret-naming keys (`password=...`, `"token": "..."`)."""
    parts: list[str] = []
    done = 0  # text[:done] is settled
    count = 0
    for m in _KEY_SEP.finditer(text):
        if m.start() < done:
            continue  # a key inside a value we have just replaced
        start = m.start()
        if (
            start > 0
            and MARKER.fullmatch(text, start - 1, m.end("key") + 1)
            and not text[start - 2 : start - 1].isalnum()
        ):
            continue  # `[PHONE]: carrier`: a marker, not `user[phone]=` or `env[SECRET_KEY_BASE]=`
        marker, weak = _text_key_marker(text, m)
        if marker is None:
            continue
        value = _VALUE.match(text, m.end())
        if marker == PHONE and value and value.group("bare"):
            value = _PHONE_VALUE.match(text, m.end()) or value  # `phone=(020) 7946 0958`: all of it
        elif m.group("sep") == "=" and m.group("key").isupper() and text[m.end() : m.end() + 1] not in "\"'":
            value = _ENV_VALUE.match(text, m.end())  # `DJANGO_SECRET_KEY==x)y(`: an env value runs to a blank
        new = _secret_value(marker, weak, value, colon=":" in m.group("sep")) if value else None
        if value is None or new is None:
            continue
        parts += [text[done : m.end()], new]
        done = value.end()
        count += 1
    return "".join(parts) + text[done:], count


# Stricter hints, searched only when one of a rule's words is there: a secret word at the end
# of a key then a separator (what `_KEY_SEP` needs), a flag holding a secret word, a keyword
# then a blank.
_KEY_BEFORE_SEP = re.compile(
    "(?:" + "|".join(KEY_HINT) + r")[a-z0-9_.\-]{0,62}(?:\]|%5d)?\\?[\"']?[ \t]{0,3}(?:=>|[:=])"
)

KEY_VALUE_RULE = Rule("key_value", _redact_key_values, _KEY_BEFORE_SEP, words=KEY_HINT)

"""Which field names mean a secret, for `redact.py` and `redact_fields.py`.

A strong name (`password`, `db_password`, `X-Api-Key`, `aws_secret_access_key`) ends with one
of `_KEY_SUFFIXES` once lower-cased and stripped to letters and digits: its value is always
replaced, in text and in structured values. A weak name (`pass`, `SMTP_PASS`, `auth`, `sig`,
`confirm`) has one of `WEAK_LAST_WORDS` as its last word: its value is replaced unless it is a
plain word (`confirm=true`), or for `auth` and `sig` unless it looks generated (`auth=oauth2`
stays), and in structured values only a string is replaced.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sre_agent.redact_rules import CARD, EMAIL, PASSWORD, PHONE, PRIVATE_KEY, SECRET, SSN, TOKEN

# --- names added for issue 14 (env dumps, vendor SDK settings, forms) ---------------------------
#: Normalised key endings that name a secret beyond the common ones in `redact.py`.
EXTRA_KEY_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("secretkeybase", SECRET),
    ("masterkey", SECRET),
    ("signingkey", SECRET),
    ("encryptionkey", SECRET),
    ("accountkey", SECRET),
    ("sharedaccesskey", SECRET),
    ("storagekey", SECRET),
    ("appkey", SECRET),
    ("applicationkey", SECRET),
    ("authkey", SECRET),
    ("subscriptionkey", SECRET),
    ("functionskey", SECRET),
    ("clientkey", SECRET),
    ("signature", TOKEN),
    ("passwordconfirmation", PASSWORD),
    ("authtoken", TOKEN),
    ("privatekeyid", SECRET),  # a GCP service account key's id
    ("samlresponse", TOKEN),  # a signed SAML assertion: a bearer credential holding PII
)

#: A key whose *last word* is one of these names a secret (`SMTP_PASS`, `old_pass`, `x-auth`,
#: `sig`), but the word inside another (`bypass`, `oauth_provider`, `signal`) does not. These
#: are weak names: a plain word after them is prose (`auth: ok`, `confirm=true`), and in a
#: structured value only a string is replaced, never a nested object.
WEAK_LAST_WORDS: dict[str, str] = {
    "pass": PASSWORD,
    "pw": PASSWORD,
    "confirm": PASSWORD,
    "auth": TOKEN,
    "sig": TOKEN,
}

_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")


def last_word(key: str) -> str:
    """`SMTP_PASS` → 'pass', `xAuth` → 'auth', `user[password]` → 'password'."""
    words = [w for w in _WORD_SPLIT.split(key) if w]
    return words[-1].lower() if words else ""


#: A marker (ours, or a config replacement in the same style): never redacted again.
MARKER = re.compile(r"\[[A-Z][A-Z0-9_]{1,30}\]")

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
    *EXTRA_KEY_SUFFIXES,
)
# Session keys are secrets in structured fields (a web session id is a credential), but not in
# free text, where `sessionid: 0x14f05578bf80005` is a ZooKeeper session people search for.
_SESSION_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("session", TOKEN),
    ("sessionid", TOKEN),
    ("sessionkey", TOKEN),
)


# The shell's working directories (`PWD=/home/bob` in sudo and env logs), not passwords.
_SHELL_DIRECTORIES = frozenset({"PWD", "OLDPWD"})


@lru_cache(maxsize=4096)
def marker_for_key(key: str, *, structured: bool = True) -> str | None:
    """The marker for the value of `key` if the key names a secret, else None.

    `structured=False` is the stricter reading used for `key=value` pairs in free text.
    """
    if key in _SHELL_DIRECTORIES:
        return None
    norm = re.sub(r"[^a-z0-9]", "", key.lower())
    suffixes = _KEY_SUFFIXES + _SESSION_SUFFIXES if structured else _KEY_SUFFIXES
    for suffix, marker in suffixes:
        if norm.endswith(suffix):
            return marker
    return None


@lru_cache(maxsize=4096)
def weak_marker(key: str) -> str | None:
    """The marker for a weak secret name (`pass`, `SMTP_PASS`, `auth`, `sig`), else None."""
    return WEAK_LAST_WORDS.get(last_word(key))


def key_marker(key: str, value: str) -> str | None:
    """The marker for `value` after `key` in text: a strong name always, a weak one unless the
    value is a plain word (`auth: ok`, `confirm=true`), an environment variable `*_KEY` only if
    the value is opaque (`STRIPE_KEY=sk...` is a secret, `SORT_KEY=created_at` is not)."""
    marker = marker_for_key(key, structured=False)
    if marker is not None:
        return marker
    marker = weak_marker(key)
    if marker is not None:
        return marker if weak_value_is_secret(marker, value) else None
    return SECRET if key.endswith("_KEY") and key.isupper() and is_opaque(value) else None


def weak_value_is_secret(marker: str, value: str) -> bool:
    """After a weak name: a password may be any non-word (`pass=hunter2`), but a token or a
    signature looks generated (`auth: dXNlcjpwYXNz`, not `auth=oauth2`)."""
    return looks_opaque(value) if marker == TOKEN else not is_plain_word(value)


def may_name_secret(key: str) -> bool:
    """Cheap: can `key_marker(key, ...)` be other than None for some value?"""
    return (
        marker_for_key(key, structured=False) is not None
        or weak_marker(key) is not None
        or key.endswith("_KEY")
    )


# --- what a value looks like ---------------------------------------------------------------------
def looks_opaque(word: str) -> bool:
    """True for a credential-like string, False for an English word such as 'authentication'."""
    if len(word) < 8:
        return False
    if len(word) >= 24 or any(not c.isalpha() for c in word):
        return True
    rest = word[1:]
    return any(c.isupper() for c in rest) and any(c.islower() for c in rest)


def is_opaque(value: str) -> bool:
    """Ten or more characters with letters and digits: a generated value, not a name or a word."""
    return len(value) >= 10 and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def is_plain_word(value: str) -> bool:
    """'expired', 'Missing': prose after `token:`, not a token (tokens are never plain words)."""
    return re.fullmatch(r"[A-Za-z][a-z]{0,19}", value) is not None


KEY_WORDS = (
    "pass",
    "pw",
    "secret",
    "key",
    "cred",
    "token",
    "auth",
    "cookie",
    "card",
    "ssn",
    "phone",
    "email",
)
KEY_HINT = (*KEY_WORDS, "sig", "code", "confirm", "saml")

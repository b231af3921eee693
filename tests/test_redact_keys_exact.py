"""Which field names mean a secret (`redact_keys.py`), pinned exactly, one case per name or per side
of a boundary: every key suffix and weak last word gives its own marker, the words inside longer
names do not, and what a value must look like after a weak or an environment-variable name.

The same names are then read through the redactor, in text and in structured values, so a rule
that stops consulting them fails here too.
"""

from __future__ import annotations

from typing import Any

import pytest

from sre_agent.redact import Redactor
from sre_agent.redact_keys import (
    is_opaque,
    is_plain_word,
    key_marker,
    last_word,
    looks_opaque,
    marker_for_key,
    may_name_secret,
    weak_marker,
    weak_value_is_secret,
)

# (key, marker in a structured value, marker in free text)
SUFFIXES = [
    ("sslPrivateKey", "[PRIVATE_KEY]", "[PRIVATE_KEY]"),
    ("db_password", "[PASSWORD]", "[PASSWORD]"),
    ("MYSQL_PASSWD", "[PASSWORD]", "[PASSWORD]"),
    ("gpg-passphrase", "[PASSWORD]", "[PASSWORD]"),
    ("pwd", "[PASSWORD]", "[PASSWORD]"),
    ("client_secret", "[SECRET]", "[SECRET]"),
    ("aws_secret_key", "[SECRET]", "[SECRET]"),
    ("AccessKey", "[SECRET]", "[SECRET]"),
    ("X-Api-Key", "[SECRET]", "[SECRET]"),
    ("gcpCredential", "[SECRET]", "[SECRET]"),
    ("refresh_token", "[TOKEN]", "[TOKEN]"),
    ("Proxy-Authorization", "[TOKEN]", "[TOKEN]"),
    ("set_cookie", "[TOKEN]", "[TOKEN]"),
    ("credit_card", "[CARD]", "[CARD]"),
    ("user_ssn", "[SSN]", "[SSN]"),
    ("mobilePhone", "[PHONE]", "[PHONE]"),
    ("contact_email", "[EMAIL]", "[EMAIL]"),
    ("SECRET_KEY_BASE", "[SECRET]", "[SECRET]"),
    ("rails_master_key", "[SECRET]", "[SECRET]"),
    ("jwt_signing_key", "[SECRET]", "[SECRET]"),
    ("ENCRYPTION_KEY", "[SECRET]", "[SECRET]"),
    ("AccountKey", "[SECRET]", "[SECRET]"),
    ("SharedAccessKey", "[SECRET]", "[SECRET]"),
    ("storage_key", "[SECRET]", "[SECRET]"),
    ("APP_KEY", "[SECRET]", "[SECRET]"),
    ("application_key", "[SECRET]", "[SECRET]"),
    ("auth_key", "[SECRET]", "[SECRET]"),
    ("Ocp-Apim-Subscription-Key", "[SECRET]", "[SECRET]"),
    ("x-functions-key", "[SECRET]", "[SECRET]"),
    ("client_key", "[SECRET]", "[SECRET]"),
    ("X-Hub-Signature", "[TOKEN]", "[TOKEN]"),
    ("password_confirmation", "[PASSWORD]", "[PASSWORD]"),
    ("TWILIO_AUTH_TOKEN", "[TOKEN]", "[TOKEN]"),
    ("private_key_id", "[SECRET]", "[SECRET]"),
    ("SAMLResponse", "[TOKEN]", "[TOKEN]"),
    ("JSESSIONID", "[TOKEN]", None),
    ("user_session", "[TOKEN]", None),
    ("session-key", "[TOKEN]", None),
    # the shell's working directories, not passwords; any other case is a key like any other
    ("PWD", None, None),
    ("OLDPWD", None, None),
    ("pwd_old", None, None),
    ("sort_key", None, None),
    ("password_min_length", None, None),
    ("tokens", None, None),
    ("ssn_checked", None, None),
]


@pytest.mark.parametrize("key, structured, text", SUFFIXES)
def test_the_marker_each_key_names(key: str, structured: str | None, text: str | None) -> None:
    assert (marker_for_key(key), marker_for_key(key, structured=False)) == (structured, text)


@pytest.mark.parametrize(
    "key, word, marker",
    [
        ("SMTP_PASS", "pass", "[PASSWORD]"),
        ("old-pw", "pw", "[PASSWORD]"),
        ("confirm", "confirm", "[PASSWORD]"),
        ("xAuth", "auth", "[TOKEN]"),
        ("url.sig", "sig", "[TOKEN]"),
        ("user[password]", "password", None),
        ("HTTPAuth", "httpauth", None),  # a split only where lower case meets upper case
        ("bypass", "bypass", None),
        ("oauth_provider", "provider", None),
        ("signal", "signal", None),
        ("__", "", None),
        ("", "", None),
    ],
)
def test_the_last_word_of_a_key_and_the_weak_names(key: str, word: str, marker: str | None) -> None:
    assert (last_word(key), weak_marker(key)) == (word, marker)


@pytest.mark.parametrize(
    "key, value, marker",
    [
        ("db_password", "x", "[PASSWORD]"),  # a strong name: any value
        ("pass", "hunter2", "[PASSWORD]"),
        ("pass", "hunter", None),  # a weak password name: a plain word is prose
        ("confirm", "true", None),
        ("auth", "dXNlcjpwYXNz", "[TOKEN]"),
        ("auth", "oauth2", None),  # a weak token name: only a generated-looking value
        ("sig", "Abcdefgh", None),
        ("sig", "aBcdefgh", "[TOKEN]"),
        ("STRIPE_KEY", "sk1234567a", "[SECRET]"),  # an env `*_KEY`: ten characters, letters and digits
        ("STRIPE_KEY", "sk123456a", None),
        ("STRIPE_KEY", "1234567890", None),
        ("STRIPE_KEY", "abcdefghij", None),
        ("SORT_KEY", "created_at", None),
        ("stripe_key", "sk1234567a", None),  # not an environment variable's name
        ("Stripe_KEY", "sk1234567a", None),
        ("STRIPE_KEYS", "sk1234567a", None),
        ("user", "sk1234567a", None),
    ],
)
def test_the_marker_for_a_value_after_a_key(key: str, value: str, marker: str | None) -> None:
    assert key_marker(key, value) == marker


@pytest.mark.parametrize(
    "marker, value, secret",
    [
        ("[TOKEN]", "oauth2", False),
        ("[TOKEN]", "abcdefg1", True),
        ("[PASSWORD]", "hunter", False),
        ("[PASSWORD]", "hunter2", True),
        ("[PASSWORD]", "ab", False),
    ],
)
def test_what_a_weak_name_needs_of_its_value(marker: str, value: str, secret: bool) -> None:
    assert weak_value_is_secret(marker, value) is secret


@pytest.mark.parametrize(
    "key, may",
    [
        ("password", True),
        ("SMTP_PASS", True),
        ("STRIPE_KEY", True),
        ("sessionid", False),
        ("sort_key", False),
    ],
)
def test_which_keys_may_name_a_secret(key: str, may: bool) -> None:
    assert may_name_secret(key) is may


@pytest.mark.parametrize(
    "word, opaque",
    [
        ("aBcdef1", False),  # seven characters: never
        ("abcdefg1", True),  # eight, a digit
        ("abc-defg", True),  # eight, a symbol
        ("abcdefgh", False),  # eight lower-case letters: a word
        ("Abcdefgh", False),  # a capitalised word
        ("ABCDEFGH", False),  # all capitals
        ("aBCDEFGH", False),  # no lower case after the first letter
        ("aBcdefgh", True),  # mixed case after the first letter
        ("abcdefgH", True),
        ("Abcdefghijklmnopqrstuvw", False),  # 23 letters
        ("abcdefghijklmnopqrstuvwx", True),  # 24 characters: always
    ],
)
def test_looks_opaque(word: str, opaque: bool) -> None:
    assert looks_opaque(word) is opaque


@pytest.mark.parametrize(
    "value, opaque",
    [("abc4567890", True), ("abc456789", False), ("abcdefghij", False), ("1234567890", False)],
)
def test_is_opaque(value: str, opaque: bool) -> None:
    assert is_opaque(value) is opaque


@pytest.mark.parametrize(
    "value, plain",
    [
        ("a", True),
        ("Expired", True),
        ("abcdefghijklmnopqrst", True),  # 20 letters
        ("abcdefghijklmnopqrstu", False),  # 21
        ("AB", False),
        ("ab1", False),
        ("1ab", False),
        ("", False),
    ],
)
def test_is_plain_word(value: str, plain: bool) -> None:
    assert is_plain_word(value) is plain


# --- the names, read by the redactor ---------------------------------------------------------------


def redact(text: str) -> tuple[str, int]:
    return Redactor.for_config(None).redact_counted(text)


@pytest.mark.parametrize(
    "text, expected, n",
    [
        ("SMTP_PASS=hunter2 host=x", "SMTP_PASS=[PASSWORD] host=x", 1),
        ("SMTP_PASS=hunter host=x", "SMTP_PASS=hunter host=x", 0),
        ("x-auth: dXNlcjpwYXNz", "x-auth: [TOKEN]", 1),
        ("x-auth: oauth2", "x-auth: oauth2", 0),
        ("confirm=true", "confirm=true", 0),
        ("confirm=hunter2", "confirm=[PASSWORD]", 1),
        ("STRIPE_KEY=sk1234567a ok", "STRIPE_KEY=[SECRET] ok", 1),
        ("SORT_KEY=created_at ok", "SORT_KEY=created_at ok", 0),
        ("PWD=/home/bob OLDPWD=/tmp", "PWD=/home/bob OLDPWD=/tmp", 0),
        ("JSESSIONID=abc123def", "JSESSIONID=abc123def", 0),
        ("jwt_signing_key=abc", "jwt_signing_key=[SECRET]", 1),
        ("SAMLResponse=PHNhbWxw", "SAMLResponse=[TOKEN]", 1),
    ],
)
def test_names_in_text(text: str, expected: str, n: int) -> None:
    assert redact(text) == (expected, n)


@pytest.mark.parametrize(
    "value, expected, n",
    [
        ({"SMTP_PASS": "hunter2"}, {"SMTP_PASS": "[PASSWORD]"}, 1),
        ({"SMTP_PASS": "hunter"}, {"SMTP_PASS": "hunter"}, 0),
        ({"auth": "dXNlcjpwYXNz"}, {"auth": "[TOKEN]"}, 1),
        ({"auth": {"user": "bob"}}, {"auth": {"user": "bob"}}, 0),  # a weak name: an object is kept
        ({"password": {"user": "bob"}}, {"password": "[PASSWORD]"}, 1),  # a strong one: all of it
        ({"JSESSIONID": "abc123def"}, {"JSESSIONID": "[TOKEN]"}, 1),
        ({"PWD": "/home/bob"}, {"PWD": "/home/bob"}, 0),
        ({"STRIPE_KEY": "sk1234567a"}, {"STRIPE_KEY": "[SECRET]"}, 1),
        ({"SORT_KEY": "created_at"}, {"SORT_KEY": "created_at"}, 0),
    ],
)
def test_names_in_structured_values(value: Any, expected: Any, n: int) -> None:
    assert Redactor.for_config(None).redact_value_counted(value) == (expected, n)

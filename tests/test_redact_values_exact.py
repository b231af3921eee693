"""`redact.py`'s own rules, pinned exactly: `key=value` in every syntax (quotes, JSON escapes,
brackets, arrows, env dumps, URL query codes), Authorization and Bearer headers, and structured
values (`redact_value_counted`): HAR name/value pairs, weak names, numbers and other objects.

Each redactor is built inside the test, as a service's is at run time, so the code that builds
one (its rule segments and the words that gate them) is under test too.
"""

from __future__ import annotations

from typing import Any

import pytest
from redact_cases import case, check, kept

from sre_agent.redact import Redactor

KEY_VALUES = [
    case('{\\"password\\": \\"hunter2\\"}', '{\\"password\\": \\"[PASSWORD]\\"}', 1, "json-in-a-json-string"),
    case('{"password": "a\\"b"}', '{"password": "[PASSWORD]"}', 1, "escaped-quote-inside"),
    case("password='a b'", "password='[PASSWORD]'", 1, "single-quoted"),
    case("user[password]=x", "user[password]=[PASSWORD]", 1, "rails-brackets"),
    case("user%5Bpassword%5D=x", "user%5Bpassword%5D=[PASSWORD]", 1, "url-encoded-brackets"),
    case("password => x", "password => [PASSWORD]", 1, "arrow"),
    case("password\t:\tx", "password\t:\t[PASSWORD]", 1, "tabs"),
    kept("password    =x", "four-blanks-before-the-separator"),
    case("a.password=x", "a.password=[PASSWORD]", 1, "dotted-key"),
    kept("api/password=x", "after-a-slash"),
    kept("password=bearer x", "a-scheme-is-no-value"),
    case("x=1&password=y&z=2", "x=1&password=[PASSWORD]&z=2", 1, "query-string"),
    kept('token: "expired"', "token-quoted-word"),
    kept("token='expired'", "token-single-quoted-word"),
    kept('token=\\"expired\\"', "token-escaped-word"),
    kept('pass="hunter"', "weak-name-word"),
    case('pass="hunter2"', 'pass="[PASSWORD]"', 1, "weak-name-not-a-word"),
    case("pass='hunter2'", "pass='[PASSWORD]'", 1, "weak-name-single-quoted"),
    kept("pass='hunter'", "weak-name-single-quoted-word"),
    # weak and env names in JSON inside a JSON string, as in a log line's serialised payload
    case('{\\"SMTP_PASS\\": \\"hunter2\\"}', '{\\"SMTP_PASS\\": \\"[PASSWORD]\\"}', 1, "weak-name-escaped"),
    kept('{\\"SMTP_PASS\\": \\"hunter\\"}', "weak-name-escaped-word"),
    case(
        'log="{\\"x-auth\\": \\"dXNlcjpwYXNz\\"}"', 'log="{\\"x-auth\\": \\"[TOKEN]\\"}"', 1, "auth-escaped"
    ),
    kept('{\\"auth\\": \\"oauth2\\"}', "auth-escaped-word-and-digit"),
    case('{\\"STRIPE_KEY\\": \\"sk12345678a\\"}', '{\\"STRIPE_KEY\\": \\"[SECRET]\\"}', 1, "env-key-escaped"),
    kept("password=[PASSWORD]", "marker-value"),
    kept('password="[PASSWORD]"', "quoted-marker-value"),
    kept('auth=""', "weak-name-empty"),
    case("auth=dXNlcjpwYXNz ok", "auth=[TOKEN] ok", 1, "auth-generated"),
    kept("auth=oauth2 ok", "auth-word-and-digit"),
    kept("sig=abcdefgh ok", "sig-word"),
    case("sig=aBcdefgh ok", "sig=[TOKEN] ok", 1, "sig-mixed-case"),
    case("STRIPE_KEY=sk12345678a ok", "STRIPE_KEY=[SECRET] ok", 1, "env-key-opaque"),
    kept("STRIPE_KEY=created_at ok", "env-key-name"),
    kept("stripe_key=sk12345678a ok", "lower-case-key-suffix"),
    # an environment variable's value runs to a blank; elsewhere a bare value ends at `)`
    case("DJANGO_SECRET_KEY==x)y(z ok", "DJANGO_SECRET_KEY=[SECRET] ok", 1, "env-value-to-a-blank"),
    case('DJANGO_SECRET_KEY="x y" ok', 'DJANGO_SECRET_KEY="[SECRET]" ok', 1, "env-value-quoted"),
    case("PASSWORD=x)y( ok", "PASSWORD=[PASSWORD] ok", 1, "env-password"),
    case("Password=x)y( ok", "Password=[PASSWORD])y( ok", 1, "not-an-env-name"),
    kept("secret_key==x)y( ok", "a-comparison"),
    case("phone=(020) 7946 0958 ok", "phone=[PHONE] ok", 1, "phone-with-blanks"),
    case('phone="(020) 7946 0958" ok', 'phone="[PHONE]" ok', 1, "phone-quoted"),
    kept("[PHONE]: carrier", "a-marker-is-no-key"),
    case(
        "[PHONE]: carrier password=hunter2", "[PHONE]: carrier password=[PASSWORD]", 1, "a-key-after-a-marker"
    ),
    case("h[SECRET_KEY]=abc", "h[SECRET_KEY]=[SECRET]", 1, "one-letter-before-a-bracketed-key"),
    case("phone=555 1234 ok", "phone=[PHONE] ok", 1, "short-local-phone-after-its-key"),
    case("DJANGO_SECRET_KEY=Xy)z ok", "DJANGO_SECRET_KEY=[SECRET] ok", 1, "env-value-starting-with-x"),
    case("user[phone]=4155552671", "user[phone]=[PHONE]", 1, "bracketed-key-like-a-marker"),
    case("env[SECRET_KEY_BASE]=abc", "env[SECRET_KEY_BASE]=[SECRET]", 1, "bracketed-upper-case-key"),
    case("[x]password=hunter2", "[x]password=[PASSWORD]", 1, "after-a-bracket"),
    case("GET /cb?code=abc123def456&state=x", "GET /cb?code=[TOKEN]&state=x", 1, "oauth-code"),
    case("GET /cb#code=abc123def456", "GET /cb#code=[TOKEN]", 1, "oauth-code-fragment"),
    case("GET /cb?a=1&code=abc123def456", "GET /cb?a=1&code=[TOKEN]", 1, "oauth-code-second"),
    kept("GET /cb?code=200&state=x", "code-a-number"),
    kept("GET /cb?code=abc123456&x=1", "code-9-characters"),
    case("GET /cb?code=abc1234567&x=1", "GET /cb?code=[TOKEN]&x=1", 1, "code-10-characters"),
    kept("GET /cb?code=abcdefghijkl", "code-letters"),
    kept("GET /cb?code=&x", "code-empty"),
    kept("code=abc123def456", "code-not-in-a-url"),
    kept("code=a1b2c3d4e5f6 then what?", "code-at-the-start-of-a-question"),
    case("?code=abc123def456", "?code=[TOKEN]", 1, "code-second-character"),
    kept("exit code=abc123def456", "code-after-a-blank"),
]


@pytest.mark.parametrize("text, expected, n", KEY_VALUES)
def test_key_values(text: str, expected: str, n: int) -> None:
    check(text, expected, n)


HEADERS = [
    kept('Authorization: Digest username="bob"', "digest-user-kept"),
    kept("Authorization: Bearer [TOKEN]", "bearer-marker"),
    case("Authorization: token abcdef", "Authorization: token [TOKEN]", 1, "token-scheme"),
    case("Authorization: negotiate YIIabc123", "Authorization: negotiate [TOKEN]", 1, "negotiate"),
    case("Authorization: apikey abc", "Authorization: apikey [TOKEN]", 1, "apikey-scheme"),
    kept("Authorization:failed", "no-blank-word"),
    kept("Authorization: x", "one-letter-word"),
    kept("basic auth", "basic-then-a-word"),
    case("Bearer abcdefgh==", "Bearer [TOKEN]", 1, "bearer-padding"),
    case("Basic\tdXNlcjpwYXNz", "Basic\t[TOKEN]", 1, "basic-tab"),
]


@pytest.mark.parametrize("text, expected, n", HEADERS)
def test_headers(text: str, expected: str, n: int) -> None:
    check(text, expected, n)


STRUCTURED = [
    ({"name": "password", "value": "hunter2"}, {"name": "password", "value": "[PASSWORD]"}, 1),
    ({"key": "api_key", "value": "abc"}, {"key": "api_key", "value": "[SECRET]"}, 1),
    ({"name": "SMTP_PASS", "value": "hunter2"}, {"name": "SMTP_PASS", "value": "[PASSWORD]"}, 1),
    ({"name": "SMTP_PASS", "value": "hunter"}, {"name": "SMTP_PASS", "value": "hunter"}, 0),
    ({"name": "Accept", "value": "x@y.co"}, {"name": "Accept", "value": "[EMAIL]"}, 1),
    ({"name": "password", "value": "[PASSWORD]"}, {"name": "password", "value": "[PASSWORD]"}, 0),
    ({"name": "password", "value": ""}, {"name": "password", "value": ""}, 0),
    (
        {"name": "password", "key": "x", "value": "hunter2"},
        {"name": "password", "key": "x", "value": "[PASSWORD]"},
        1,
    ),
    ({"name": 5, "value": "hunter2"}, {"name": 5, "value": "hunter2"}, 0),
    # a session id is a credential in a structured value, under its own key or named by a pair
    ({"name": "JSESSIONID", "value": "abc123"}, {"name": "JSESSIONID", "value": "[TOKEN]"}, 1),
    ({"JSESSIONID": "abc123"}, {"JSESSIONID": "[TOKEN]"}, 1),
    ({"name": "password", "value": 5}, {"name": "password", "value": 5}, 0),
    ({"value": "hunter2"}, {"value": "hunter2"}, 0),
    (
        {"password": None, "token": False, "secret": 0},
        {"password": None, "token": False, "secret": "[SECRET]"},
        1,
    ),
    ({"a@b.co": 1}, {"[EMAIL]": 1}, 1),  # a key is text too
    ({"auth": 12345678901}, {"auth": 12345678901}, 0),  # a weak name takes a string only
    ({"pass": "[PASSWORD]"}, {"pass": "[PASSWORD]"}, 0),
    ({"contact": 4155552671}, {"contact": "[PHONE]"}, 1),
    ({"contact": True}, {"contact": True}, 0),
    ({"n": 1.5, "b": True, "z": None}, {"n": 1.5, "b": True, "z": None}, 0),
    (("a@b.co", {"x"}, 1.5, True, None), ["[EMAIL]", ["x"], 1.5, True, None], 1),
    (frozenset({"a@b.co"}), ["[EMAIL]"], 1),
    (4111111111111111, "[CARD]", 1),
    (4111111111111112, 4111111111111112, 0),
    (True, True, 0),
    ([{"password": "x"}, {"password": "y"}], [{"password": "[PASSWORD]"}, {"password": "[PASSWORD]"}], 2),
]


@pytest.mark.parametrize("value, expected, n", STRUCTURED)
def test_structured_values(value: Any, expected: Any, n: int) -> None:
    redactor = Redactor.for_config(None)
    assert redactor.redact_value_counted(value) == (expected, n)
    assert redactor.redact_value(value) == expected

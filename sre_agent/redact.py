"""Redaction: replace secrets and personal data in log text with typed markers like `[EMAIL]`.

`Redactor.for_config(cfg)` builds a redactor from the built-in rules below plus the service's
own `redaction_patterns` (applied last, in the order the config lists them). `redact(text)`
cleans one string; `redact_value(obj)` cleans a nested JSON value, replacing the whole value of
any dict key that names a secret (`password`, `api_key`, `email`, ...).

The rules live in small modules: token shapes and headers here; field names that mean a
secret in `redact_keys.py`; the generic `key=value` rule in `redact_key_values.py`; command
lines, forms, name/value pairs, XML and prose in `redact_fields.py`; e-mails, cards, phones,
IBANs and SSNs in `redact_pii.py`; the pieces they share (markers, `Rule`, vendor token shapes,
card/IBAN checks) in `redact_rules.py`. How well they hold is measured on an adversarial corpus:
`bench/bench_redaction.py`.

Principles:
- Each rule is one regex plus what to put instead. Rules run in a fixed order; specific shapes
  (PEM blocks, JWTs, cloud keys, vendor tokens, URL passwords, command-line flags, name/value
  pairs) run before the generic `key=value` rule and the PII rules (email, IBAN, card, phone).
- No rule can backtrack catastrophically: every repeated part is either bounded, anchored by a
  lookbehind to the start of a token, or a character class that cannot overlap what follows it.
  A 1 MB line is redacted in a fraction of a second.
- Cheap preconditions skip what cannot match: words a rule needs (`in` the lower-cased line),
  a run of 15 token characters for token shapes, ten digits close together for cards and phones.
  Most log lines pay for three searches and nothing else.
- Redacting twice gives the same text as redacting once: no rule matches a marker.
- Ordinary log content stays: IPs, ports, timestamps and dates, ZooKeeper session ids
  (`0x14f3...`), HDFS block ids (`blk_-877...`), sizes and pids never look like a phone or a
  card. A card number needs a real card prefix and length and the Luhn check, and a number right
  after a counter's key (`offset=`, `span_id=`) or before a unit (`bytes`) is never one. A phone
  needs a `+`, `00`, North-American punctuation, a national trunk format (`020 7946 0958`), or a
  word that says phone before it (`SMS to 4155552671`).
- A word is not a secret: "Failed password for invalid user admin" stays as it is. Only a value
  that follows a secret-naming key and `=` or `:` (`password=hunter2`, `"token": "..."`), a
  flag (`--password X`), a name (`<password>x</password>`) or a keyword in prose with an opaque
  value (`the api key is 9f8e...`) is replaced, and after a token-like key a plain word is prose
  (`token: expired`).

Config patterns are compiled as written (add `(?i)` for case-insensitive); their `replacement`
may use group references such as `\\1`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sre_agent.configs import ServiceConfig
from sre_agent.errors import ConfigError
from sre_agent.redact_fields import FIELD_RULES, FREE_TEXT_RULE
from sre_agent.redact_key_values import KEY_VALUE_RULE
from sre_agent.redact_keys import MARKER, is_plain_word, key_marker, looks_opaque, marker_for_key
from sre_agent.redact_pii import PII_RULES, is_phone_under
from sre_agent.redact_rules import (
    AWS_KEY,
    JWT,
    LONG_RUN,
    PASSWORD,
    PHONE,
    PRIVATE_KEY,
    SECRET,
    TOKEN,
    VENDOR_TOKENS,
    Rule,
    const,
    has_digit_run,
    sub,
    sub_in_runs,
    token_start,
)

__all__ = ["Redactor", "marker_for_key"]

# --- the rules -------------------------------------------------------------------------------
_PEM = re.compile(
    r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----"
    r"(?:[A-Za-z0-9+/=\s\\:,.]|-(?!----))*"  # body: base64, newlines (real or `\n`), headers
    r"(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----)?"
)

_JWT = re.compile(token_start("A-Za-z0-9_-") + r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")

_AWS_KEY_ID = re.compile(token_start("A-Za-z0-9") + r"(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])")
# The 40-character secret key right after its key id (`AKIA...,wJalr...`, `AKIA...:wJalr...`).
_AWS_SECRET_AFTER_ID = re.compile(r"(?<=\[AWS_KEY\])([\s,:/|;=\"']{1,3})[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")

_VENDOR_TOKEN = re.compile(
    token_start("A-Za-z0-9_-") + "(?:" + "|".join(rx for _, rx in VENDOR_TOKENS) + ")(?![A-Za-z0-9_-])"
)

_SLACK_WEBHOOK = re.compile(r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]+")
# Discord and Teams webhook URLs: the host stays, the path (the secret) goes.
_WEBHOOK_PATH = re.compile(
    r"(discord(?:app)?\.com/api/webhooks/)\d+/[A-Za-z0-9_-]+|(\.webhook\.office\.com/webhookb2/)[^\s\"'<>\\]+"
)

# `Authorization: Bearer abc`, `"authorization": "Basic dXNlcjpwYXNz"`: after a scheme the value is
# always secret; without one a plain word is prose ("Authorization: failed").
_AUTH_HEADER = re.compile(
    r"(?i)" + token_start("a-z") + r"((?:proxy-)?authorization[\"']?[ \t]{0,3}[:=][ \t]{0,3}[\"']?)"
    r"((?:bearer|basic|digest|negotiate|token|apikey)[ \t]+)?+"  # `?+`: never re-read the scheme as value
    r"(?!\[[A-Z])([^\s\"',;]+)"
)

# A free-standing `Bearer <token>`: only if the token does not look like an English word.
_BEARER = re.compile(r"(?i)" + token_start("a-z") + r"(bearer|basic)([ \t]+)([A-Za-z0-9._~+/-]{8,}=*)")

# `Cookie: a=1; b=2` (a header: `name=value` pairs up to the end of the line).
_COOKIE_HEADER = re.compile(
    r"(?im)" + token_start("a-z-") + r"((?:set-)?cookie:[ \t]*+)([^\s\"'=;\[]{1,64}=[^\r\n]*)"
)

# `scheme://user:pass@host`: keep the user, redact the password.
_URL_PASSWORD = re.compile(r"(?<=://)([^\s:/@?#\"'<>]*):([^\s/@?#\"'<>]+)@")


def _auth_header(m: re.Match[str]) -> str | None:
    scheme, value = m.group(2), m.group(3)
    if not scheme and is_plain_word(value):
        return None  # "Authorization: failed for user bob"
    if scheme and scheme.lower().startswith("digest"):
        return None  # `username="bob"` is no secret; `digest_response` takes the `response`
    return f"{m.group(1)}{scheme or ''}{TOKEN}"


def _bearer(m: re.Match[str]) -> str | None:
    if not looks_opaque(m.group(3)):
        return None
    return f"{m.group(1)}{m.group(2)}{TOKEN}"


_BUILTIN_RULES: tuple[Rule, ...] = (
    Rule("private_key", sub(_PEM, const(PRIVATE_KEY)), words=("private key",)),
    Rule("jwt", sub_in_runs(_JWT, const(JWT)), re.compile("eyj"), needs="run"),
    Rule("aws_key_id", sub_in_runs(_AWS_KEY_ID, const(AWS_KEY)), re.compile("akia|asia"), needs="run"),
    Rule(
        "aws_secret_key",
        sub(_AWS_SECRET_AFTER_ID, lambda m: m.group(1) + SECRET),
        re.compile("akia|asia"),
        needs="run",
    ),
    Rule("vendor_token", sub_in_runs(_VENDOR_TOKEN, const(TOKEN)), needs="run"),
    Rule("slack_webhook", sub(_SLACK_WEBHOOK, const(TOKEN)), re.compile("hooks.slack.com"), needs="run"),
    Rule(
        "webhook_url",
        sub(_WEBHOOK_PATH, lambda m: (m.group(1) or m.group(2)) + TOKEN),
        re.compile("webhook"),
        needs="run",
    ),
    Rule("auth_header", sub(_AUTH_HEADER, _auth_header), words=("authorization",)),
    Rule("bearer", sub(_BEARER, _bearer), words=("bearer", "basic")),
    Rule("cookie_header", sub(_COOKIE_HEADER, lambda m: m.group(1) + TOKEN), words=("cookie:",)),
    Rule("url_password", sub(_URL_PASSWORD, lambda m: f"{m.group(1)}:{PASSWORD}@"), words=("://",)),
    *FIELD_RULES,
    KEY_VALUE_RULE,
    FREE_TEXT_RULE,
    *PII_RULES,
)


def _expander(template: str) -> Callable[[re.Match[str]], str]:
    """A config pattern's replacement: its template expanded with the match's groups."""
    return lambda m: m.expand(template)


def _named_value_marker(obj: dict[Any, Any]) -> str | None:
    """`{"name": "X-Api-Key", "value": "..."}` (HAR headers, form params): the marker for the
    value, which the name says is a secret; else None. The name is read as a structured key
    (`{"name": "JSESSIONID", "value": ...}` is a session, as `{"JSESSIONID": ...}` is)."""
    name = obj.get("name", obj.get("key"))
    value = obj.get("value")
    if not isinstance(name, str) or not isinstance(value, str):
        return None
    return marker_for_key(name) or key_marker(name, value)


class Redactor:
    """Replaces secrets and personal data with markers. Build one with `Redactor.for_config`."""

    def __init__(self, extra_rules: list[Rule] | None = None) -> None:
        self._rules: tuple[Rule, ...] = _BUILTIN_RULES + tuple(extra_rules or ())
        # Consecutive rules with the same precondition form a segment, skipped whole when the
        # precondition fails (most log lines hold no secret at all). Config patterns always run.
        # A rule's words become one string (`in` is fastest) or one alternation.
        self._segments: list[tuple[str, list[tuple[Rule, str | re.Pattern[str] | None]]]] = []
        for rule in self._rules:
            needs = "always" if not (rule.hint or rule.words or rule.needs) else rule.needs
            if not self._segments or self._segments[-1][0] != needs:
                self._segments.append((needs, []))
            check: str | re.Pattern[str] | None = rule.hint
            if rule.words and not rule.hint:
                alternation = re.compile("|".join(map(re.escape, rule.words)))
                check = rule.words[0] if len(rule.words) == 1 else alternation
            self._segments[-1][1].append((rule, check))
        # One search for the words any hinted rule without another precondition asks for.
        words = {w for r in self._rules if not r.needs for w in r.words}
        # a word holding another is found whenever it is (`authorization`, `auth`): drop it
        gate_words = sorted(w for w in words if not any(o != w and o in w for o in words))
        self._any_hint = re.compile("|".join(map(re.escape, gate_words)))

    @classmethod
    def for_config(cls, config: ServiceConfig | None) -> Redactor:
        """The built-in rules, then `config.redaction_patterns` in order (none if config is None).

        Raises `ConfigError` naming the pattern if its `replacement` is not a valid template
        (a stray backslash, a group the pattern does not have).
        """
        if config is None:
            return cls()
        extra: list[Rule] = []
        for i, p in enumerate(config.redaction_patterns):
            pattern = re.compile(p.pattern)
            try:
                pattern.sub(p.replacement, "")  # parses the template now rather than on the first match
            except re.error as exc:
                raise ConfigError(
                    f"service config '{config.name}': field 'redaction_patterns.{i}.replacement' "
                    f"({p.name}): {exc}"
                ) from None
            extra.append(Rule(f"config:{p.name}", sub(pattern, _expander(p.replacement))))
        return cls(extra)

    def redact_counted(self, text: str) -> tuple[str, int]:
        """`text` with secrets replaced, and the number of replacements made."""
        total = 0
        lowered = text.lower()
        ready: dict[str, bool] = {"always": True}
        for needs, rules in self._segments:
            if needs not in ready:
                if needs == "run":
                    ready[needs] = LONG_RUN.search(text) is not None
                elif needs == "digits":
                    ready[needs] = has_digit_run(text)
                else:
                    ready[needs] = self._any_hint.search(lowered) is not None
            if not ready[needs]:
                continue
            for rule, check in rules:
                if check is not None and (
                    check not in lowered if isinstance(check, str) else check.search(lowered) is None
                ):
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
            named = _named_value_marker(obj)
            for key, value in obj.items():
                new_key, n_key = self.redact_counted(str(key))
                marker = marker_for_key(str(key))
                if marker is None and isinstance(value, (str, int)) and not isinstance(value, bool):
                    # a weak name (`"auth": "dXNl..."`), the value of `{"name": "password", "value": ...}`,
                    # a bare number under `contact` or `mobile`
                    text = str(value)
                    if is_phone_under(str(key), text):
                        marker = PHONE
                    elif isinstance(value, str) and not MARKER.fullmatch(value):
                        marker = named if key == "value" else key_marker(str(key), value)
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
        `marker_for_key`) becomes that key's marker, unless it is None, "" or a bool. So does a
        string under a weak name that looks like a secret (`"auth": "dXNl..."`, `"SMTP_PASS"`,
        `"STRIPE_KEY"`, see `key_marker`), the `value` of `{"name": "X-Api-Key", "value": ...}`
        (HAR headers, form params), and a bare phone number under `contact` or `mobile`. Integers
        stay integers unless they are a phone or card number. Tuples and sets become lists; other
        objects become their redacted `str()`, so the result is always JSON-serialisable.
        """
        return self.redact_value_counted(obj)[0]

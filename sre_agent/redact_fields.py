"""Redaction rules for secrets named by a field, a flag or a word around them, in any syntax:
command lines (`--password X`, `mysql -pX`, `curl -u user:pw`, `htpasswd -b f user pw`), multipart
form fields, name/value pairs (HAR headers, `<add key="ApiKey" value="..."/>`), XML elements
(`<password>x</password>`, `<entry key="db.password">x</entry>`), SQL (`IDENTIFIED BY 'pw'`),
SMTP `AUTH PLAIN`, Digest auth responses, and prose (`the api key is X`).

Which names mean a secret is `redact_keys.py`'s business. `redact.py` runs `FIELD_RULES` after
the token shapes and before its generic `key=value` rule, and `FREE_TEXT_RULE` after it.
"""

from __future__ import annotations

import re

from sre_agent.redact_keys import KEY_HINT, MARKER, key_marker, looks_opaque
from sre_agent.redact_rules import NEXT_FIELD, PASSWORD, SECRET, TOKEN, Rule, sub

# Command lines. `curl -u user:pw` keeps the user; `--password X`, `--api-token=X`,
# `-Dspring.datasource.password=X`: a flag that names a secret loses its value; `mysql -pX`,
# `sshpass -p X`, `docker login -p X`, `redis-cli -a X`: the short password flags of those tools.
_ARG = r"('[^'\r\n]*'|\"[^\"\r\n]*\"|[^\s'\"-][^\s'\"]*)"
# (Each starts with its literal `-`, which `re` finds fast, then looks behind it.)
# Between a flag and its value: blanks, `=`, or `', '` in an argv list (`['curl', '-u', 'a:b']`).
_SEP = r"([ \t]+|=|['\"],[ \t]*['\"])"
_CLI_USER = re.compile(r"(-(?<![\w-]-)(?:u|U|-user|-proxy-user)" + _SEP + r"['\"]?[^\s:'\"]*:)([^\s'\"]+)")
_CLI_FLAG = re.compile(r"(-(?<![\w-]-)-?[A-Za-z][\w.-]{0,60}+)" + _SEP + _ARG)
_SHORT_PASSWORD_FLAG = re.compile(r"-(?<![\w-]-)([paP])([ \t]+|)" + _ARG)
# Which tools take a password after which short flag: (flag, value glued to it?) -> tool names.
_SHORT_FLAG_TOOLS: dict[tuple[str, bool], tuple[str, ...]] = {
    ("p", True): ("mysql", "mariadb", "7z", "rar"),  # mysql -pX, 7z a -pX
    ("p", False): ("sshpass", " login "),  # sshpass -p X, docker login -p X
    ("a", False): ("redis-cli",),  # redis-cli -a X
    ("P", False): ("zip ",),  # zip -P X
}

# `name="password"\r\n\r\nhunter2` (a multipart form field, newlines real or escaped).
_MULTIPART = re.compile(
    r"(name=(\\?\")([^\"\\\r\n]{1,64})\2(?:;[^\r\n\\]{0,200})?(?:\\r|\r)?(?:\\n|\n)(?:\\r|\r)?(?:\\n|\n))"
    r"([^\r\n\\]{1,1024})"
)
# `{"name": "password", "value": "x"}` (HAR headers, form params), `<add key="ApiKey" value="x"/>`,
# `name="db.password" value="x"`: the name says what the value is.
_NAME_VALUE = re.compile(
    r"(?i)(\b(?:name|key)\\?[\"']?[ \t]*[:=][ \t]*(\\?[\"']|)(?P<key>[^\s\"'\\,]{1,64})\2"
    r"[ \t]*,?(?:[ \t]*(?:\\n|\r?\n))?[ \t]*\\?[\"']?value\\?[\"']?[ \t]*[:=][ \t]*)"
    r"(?:(?P<vq>\\?[\"'])(?P<qval>[^\"'\\\r\n]{0,1024})(?P=vq)|(?P<bval>[^\s\"',;}>]+))"
)
# `<password>x</password>`, `<ns:SecretKey>x</ns:SecretKey>`.
_XML_ELEMENT = re.compile(
    r"(<((?:[A-Za-z_][\w.-]{0,30}:)?(?P<key>[A-Za-z_][\w.-]{0,62}))(?:[ \t][^<>\r\n]{0,200})?>)"
    r"(?P<val>[^<>\r\n]{1,1024})(?=</(?P=key)>|</[\w.-]{1,31}:(?P=key)>)"
)
# `<entry key="db.password">x</entry>` (Java properties XML), `<param name="apiToken">x</param>`.
_XML_NAMED_ELEMENT = re.compile(
    r"(<(?P<tag>[A-Za-z_][\w.:-]{0,62})[ \t][^<>\r\n]{0,200}?\b(?:key|name)="
    r"[\"'](?P<key>[^\"'<>\r\n]{1,64})[\"'][^<>\r\n]{0,200}>)(?P<val>[^<>\r\n]{1,1024})(?=</(?P=tag)>)"
)
# A call whose first argument names the second: `define('DB_PASSWORD', 'x')`, `putenv("TOKEN", "x")`.
_CALL_PAIR = re.compile(
    r"(\w\([ \t]*(['\"])(?P<key>[A-Za-z_][\w.-]{0,62})\2[ \t]*,[ \t]*)"
    r"(?P<vq>['\"])(?P<val>[^'\"\r\n]{1,512})(?P=vq)"
)
# SQL: `CREATE USER x IDENTIFIED BY 'pw'`, `ALTER ROLE x WITH PASSWORD 'pw'`.
_SQL_PASSWORD = re.compile(r"(?i)(\b(?:identified[ \t]+by|password)[ \t]+)('[^'\r\n]*'|\"[^\"\r\n]*\")")
# Positional passwords of tools that take them so: `htpasswd -b FILE USER PW`, SMTP `AUTH PLAIN b64`.
_POSITIONAL_PASSWORD = re.compile(
    r"(\bhtpasswd[ \t]+-[A-Za-z]*b[A-Za-z]*[ \t]+\S+[ \t]+\S+[ \t]+)(\S+)"
    r"|(?i:(\bAUTH[ \t]+(?:PLAIN|LOGIN|XOAUTH2)[ \t]+))([A-Za-z0-9+/]{8,}={0,2})"
)
# Digest auth: the `response` is a hash of the password.
_DIGEST_RESPONSE = re.compile(r"(?i)(\bresponse=\\?\")[0-9a-f]{32,128}(?=\\?\")")

# Prose: `the api key is X`, `generated secret X`, `New password: X`, `one-time password is 1234`.
_FREE_TEXT_SECRET = re.compile(
    r"(?i)(?<![\w-])(api[ _-]?key|app[ _-]?key|secret|token|password|passwd|passphrase|passcode|otp|pin)"
    r"((?:[ \t]+(?:is|was|of|to))?[ \t]*[:=]?[ \t]+)([A-Za-z0-9+/=_.~!@#$%^&*-]{4,200})"
)


def _cli_flag(m: re.Match[str]) -> str | None:
    flag, value = m.group(1).lstrip("-"), m.group(3).strip("'\"")
    marker = key_marker(flag, value) if value and not MARKER.fullmatch(value) else None
    if marker is None:
        return None
    quote = m.group(3)[0] if m.group(3)[0] in "'\"" else ""
    return f"{m.group(1)}{m.group(2)}{quote}{marker}{quote}"


def _short_password_flag(m: re.Match[str]) -> str | None:
    line = m.string.lower()
    flag, spaced = m.group(1), bool(m.group(2))
    tools = _SHORT_FLAG_TOOLS.get((flag, not spaced), ())
    if not any(t in line for t in tools) or MARKER.fullmatch(m.group(3)):
        return None
    quote = m.group(3)[0] if m.group(3)[0] in "'\"" else ""
    return f"-{flag}{m.group(2)}{quote}{PASSWORD}{quote}"


def _multipart(m: re.Match[str]) -> str | None:
    marker = key_marker(m.group(3), m.group(4))
    return m.group(1) + marker if marker else None


def _name_value(m: re.Match[str]) -> str | None:
    value = m.group("qval") if m.group("vq") is not None else m.group("bval")
    marker = key_marker(m.group("key"), value) if value and not MARKER.fullmatch(value) else None
    if marker is None:
        return None
    quote = m.group("vq") or ""
    return f"{m.group(1)}{quote}{marker}{quote}"


def _xml_element(m: re.Match[str]) -> str | None:
    value = m.group("val")
    marker = key_marker(m.group("key"), value) if not MARKER.fullmatch(value) else None
    return m.group(1) + marker if marker else None


def _quoted(marker: str, quoted: str) -> str:
    """`'hunter2'` → `'[PASSWORD]'`: the marker inside the value's own quotes."""
    return quoted[0] + marker + quoted[-1]


def _sql_password(m: re.Match[str]) -> str | None:
    return None if MARKER.fullmatch(m.group(2)[1:-1]) else m.group(1) + _quoted(PASSWORD, m.group(2))


def _call_pair(m: re.Match[str]) -> str | None:
    value = m.group("val")
    marker = key_marker(m.group("key"), value) if not MARKER.fullmatch(value) else None
    return f"{m.group(1)}{m.group('vq')}{marker}{m.group('vq')}" if marker else None


def _positional_password(m: re.Match[str]) -> str:
    if m.group(1) is not None:
        return m.group(1) + PASSWORD
    return m.group(3) + TOKEN


def _free_text_secret(m: re.Match[str]) -> str | None:
    keyword, value = m.group(1).lower(), m.group(3).rstrip(".,;:!")
    has_digit = any(c.isdigit() for c in value)
    if keyword.startswith(("pass", "otp", "pin")):
        secret = has_digit or (len(value) >= 8 and looks_opaque(value))
    else:  # a key or token: 16 characters or more, not a word (digits, symbols or mixed case),
        # and not the next field ("token: alloc_id=670a…")
        secret = len(value) >= 16 and looks_opaque(value) and not NEXT_FIELD.match(value)
    if not secret:
        return None
    marker = PASSWORD if keyword.startswith(("pass", "otp", "pin")) else SECRET
    return f"{m.group(1)}{m.group(2)}{marker}{m.group(3)[len(value) :]}"


_CALL_PAIR_HINT = re.compile(r"\([ \t]*['\"][a-z0-9_.-]{0,62}(?:" + "|".join(KEY_HINT) + ")")
_FLAG_HINT = re.compile(r"-[a-z0-9_.-]{0,60}(?:" + "|".join(KEY_HINT) + ")")
_FREE_TEXT_WORDS = ("key", "secret", "token", "pass", "otp", "pin")
_FREE_TEXT_HINT = re.compile(r"(?:key|secret|token|pass\w*|otp|pin)[ \t:=]")


FIELD_RULES: tuple[Rule, ...] = (
    Rule("cli_user", sub(_CLI_USER, lambda m: m.group(1) + PASSWORD), words=("-u",)),
    Rule("cli_flag", sub(_CLI_FLAG, _cli_flag), _FLAG_HINT, words=KEY_HINT),
    Rule(
        "short_password_flag",
        sub(_SHORT_PASSWORD_FLAG, _short_password_flag),
        words=("mysql", "mariadb", "7z", "rar", "sshpass", "login", "redis-cli", "zip "),
    ),
    Rule("multipart", sub(_MULTIPART, _multipart), words=("name=",)),
    Rule("name_value", sub(_NAME_VALUE, _name_value), words=("value",)),
    Rule("xml_element", sub(_XML_ELEMENT, _xml_element), words=("</",)),
    Rule("xml_named_element", sub(_XML_NAMED_ELEMENT, _xml_element), words=("</",)),
    Rule("call_pair", sub(_CALL_PAIR, _call_pair), _CALL_PAIR_HINT, words=KEY_HINT),
    Rule(
        "sql_password",
        sub(_SQL_PASSWORD, _sql_password),
        re.compile(r"identified|password[ \t]+[\"']"),
        words=("identified", "password"),
    ),
    Rule(
        "positional_password",
        sub(_POSITIONAL_PASSWORD, _positional_password),
        re.compile(r"htpasswd|auth[ \t]+(?:plain|login|xoauth2)"),
        words=("htpasswd", "auth"),
    ),
    Rule("digest_response", sub(_DIGEST_RESPONSE, lambda m: m.group(1) + TOKEN), words=("response=",)),
)

FREE_TEXT_RULE = Rule(
    "free_text_secret", sub(_FREE_TEXT_SECRET, _free_text_secret), _FREE_TEXT_HINT, words=_FREE_TEXT_WORDS
)

"""Redaction rules for personal data: e-mail addresses, card numbers, phone numbers, IBANs, SSNs.

Each is a shape plus a check, so ordinary numbers stay: a card needs a brand prefix, its length
and the Luhn check; an IBAN its country's length and its check digits; an SSN an issued area and
group. A number right after a counter's key (`offset=`, `span_id=`, `message id`) or before a
unit (`bytes`, `ms`) is never a card or a phone, whatever its digits, unless it is written the way
people write cards and phones (`4111-1111-...`, `(555) 867-5309`).

Phones: international (`+44 (0)20 7946 0958`, `0049 89 1234567`), North American punctuation
(`(415) 555-2671`, `415.555.2671`), national trunk formats (`020 7946 0958`, `030/1234567`,
`06.12.34.56.78`, `(02) 9876 5432`: a leading 0, 10 to 12 digits, in groups no date has), and a bare
`4155552671` or `447911123456` only after a word that says phone (`phone`, `SMS`, `call`, `tel`...).
"""

from __future__ import annotations

import re

from sre_agent.redact_rules import (
    CARD,
    EMAIL,
    IBAN,
    IBAN_LENGTHS,
    PHONE,
    SSN,
    Rule,
    is_card_number,
    is_counter,
    is_iban,
    is_ssn,
    sub,
    token_start,
)

_U = r"\\u[0-9a-fA-F]{4}"  # a JSON \uXXXX escape, inside an address written by an ASCII-only encoder
_UNIT_SUFFIX = r"(?:service|socket|timer|mount|automount|target|path|slice|scope|swap|device)"
_EMAIL_RE = re.compile(
    r"(?:"
    # a quoted local part: "john doe"@example.com, or \"john doe\"@ inside a JSON string
    r"\\?\"[^\"\\\r\n]{1,64}\\?\""
    # the local part may hold `%` itself, so no `%20` case here (it would only add work)
    rf"|(?:(?<![\\\w])|(?<=\\[nrt]))(?:\w|{_U})(?:[\w.%+'-]|{_U}){{0,63}}"
    r")(?:@|%40)"
    # labels and a top-level domain of letters in any script (bücher.de, 例え.jp, пример.рф); not a
    # systemd unit's suffix: `postgresql@15-main.service` is a unit name, no address
    rf"(?:(?:[^\W_]|{_U})(?:[\w-]|{_U}){{0,62}}\.){{1,10}}(?!{_UNIT_SUFFIX}(?![\w-]))"
    rf"(?:[^\W\d_]|{_U}){{2,24}}(?![\w-])"
)

# 13-19 digits, contiguous or in groups of 4 split by spaces, dashes or dots (the last group may
# be short, and a 19-digit card has a fifth group), or Amex 4-6-5; `_card` decides.
_CARD_RE = re.compile(
    token_start(r"\w-") + r"(?<!\d[.,])(?:\d{13,19}|\d{4}([ .-])\d{4}\1\d{4}\1\d{1,7}(?:\1\d{1,4})?"
    r"|\d{4}([ -])\d{6}\2\d{4,5})(?![\w-]|[.,]\d)",
    re.ASCII,
)

_PHONE_RE = re.compile(
    token_start(r"\w+.-/:") + r"(?<!\d[.,])(?:"
    # international: +14155552671, +44 20 7946 0958, +1 (415) 555-2671, +44 (0)20 7946 0958
    r"\+[1-9]\d{9,14}"
    r"|\+[1-9]\d{0,2}(?:[ .-]?\(0\)[ ]?\d{1,5})?(?:[ ./-]\(?\d{1,8}\)?){1,6}"
    r"|00[1-9]\d{0,2}(?:[ .-]?\(0\)[ ]?\d{1,5}(?:[ .-]\d{1,8}){1,5}|(?:[ .-]\d{1,8}){2,6})"  # 0049 89 1234567
    # North American: (415) 555-2671, 415-555-2671, 415.555.2671, 1-415-555-2671
    r"|(?:1[ .-])?\([2-9]\d{2}\)[ ]?[2-9]\d{2}[ .-]\d{4}"
    r"|(?:1([.-]))?[2-9]\d{2}([.-])[2-9]\d{2}\2\d{4}"
    # national trunk formats: (02) 9876 5432, (089) 1234-5678, 020 7946 0958, 01 23 45 67 89
    r"|\(0\d{1,4}\)[ ]?\d{2,4}(?:[ -]?\d{2,4}){1,2}"
    r"|0[1-9]\d{0,3}(?:[/-]\d{5,8}|(?: \d{2,8}){1,4})"  # 030/1234567, 0151-12345678, 020 7946 0958
    r"|0[1-9](?:\.\d{2}){4}"  # 06.12.34.56.78
    r")(?![\w-]|[./:]\d)",
    re.ASCII,
)

# A bare or space-separated North American number after a word that says phone.
_PHONE_CONTEXT_RE = re.compile(
    r"(?i)\b(?:phone|mobile|cell|tel|sms|fax|call\w{0,4}|text(?:ed)?|whatsapp|contact|dial\w{0,3}|rückruf"
    r"|anruf|appel|telefon|tél)\b[^\d\r\n]{0,30}?"
    r"(?<![\w.+-])((?:\+?1[ .-]?)?[2-9]\d{2}[ .-]?[2-9]\d{2}[ .-]?\d{4}|\+?[1-9]\d{9,14})(?![\w-]|\.\d)"
)

_IBAN_RE = re.compile(
    r"(?i)(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])"
)

_SSN_RE = re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])", re.ASCII)


# The name's last word says phone, alone or with a number word (`contact`, `user-mobile`,
# `mobileNumber`, `contact_number`, `phone-nr`).
_PHONE_CONTEXT_KEY = re.compile(
    r"(?i)(?:^|[_-])(?:phone|mobile|cell|tel|sms|fax|contact|msisdn|whatsapp|callback)(?:[_-]?(?:number|no|nr))?\Z"
)
_BARE_PHONE = re.compile(r"(?:\+?1[ .-]?)?[2-9]\d{2}[ .-]?[2-9]\d{2}[ .-]?\d{4}", re.ASCII)


def is_phone_under(key: str, value: str) -> bool:
    """`{"contact": "4155552671"}`: a bare number is a phone when its field's name says phone
    (the structured twin of the `phone_in_context` rule)."""
    return bool(_PHONE_CONTEXT_KEY.search(key) and _BARE_PHONE.fullmatch(value.strip()))


_AT = re.compile("@|%40")
# What may end right before an `@`, read backwards: a quoted local part, or local-part characters
# and `\uXXXX` escapes. It bounds where an address can start.
_LOCAL_BACKWARDS = re.compile(r"\"\\?[^\"\\\r\n]{1,64}\"\\?|(?:[0-9a-fA-F]{4}u\\|[\w.%+'-]){1,64}")


def _redact_emails(text: str) -> tuple[str, int]:
    """`_EMAIL_RE` tried only where an address around an `@` can start (found by reading the text
    before the `@` backwards), not at every word: `{"@timestamp": ...}` costs almost nothing."""
    parts: list[str] = []
    done = count = 0
    for at in _AT.finditer(text):
        a = at.start()
        if a <= done or not (text[a - 1].isalnum() or text[a - 1] in "\"._%+'-"):
            continue  # inside an address already replaced, or no local part can end here
        local = _LOCAL_BACKWARDS.match(text[max(done, a - 70) : a][::-1])
        if local is None:
            continue
        end = min(len(text), at.end() + 270)
        for start in range(a - local.end(), a):
            m = _EMAIL_RE.match(text, start, end)
            if m:
                parts += [text[done:start], EMAIL]
                done = m.end()
                count += 1
                break
    return ("".join(parts) + text[done:], count) if count else (text, 0)


def _card(m: re.Match[str]) -> str | None:
    digits = re.sub(r"[ .-]", "", m.group(0))
    if not is_card_number(digits) or (digits == m.group(0) and is_counter(m.string, m.start(), m.end())):
        return None
    return CARD


def _phone(m: re.Match[str]) -> str | None:
    text = m.group(0)
    digits = sum(c.isdigit() for c in text)
    national = text.startswith(("0", "(0")) and not text.startswith("00")
    bare = text.replace(" ", "").isdigit()  # a counter is a bare number; `(555) 867-5309` is not
    if not (10 <= digits <= (12 if national else 15)) or (bare and is_counter(m.string, m.start(), m.end())):
        return None
    return PHONE


def _phone_in_context(m: re.Match[str]) -> str | None:
    if is_counter(m.string, m.start(1), m.end(1)):
        return None
    return m.group(0)[: m.start(1) - m.start()] + PHONE


def _iban(m: re.Match[str]) -> str | None:
    """The IBAN at the start of the match; the match may run on into a following word ("EUR")."""
    text = m.group(0)
    length = IBAN_LENGTHS.get(text[:2].upper(), 0)
    seen = 0
    for i, ch in enumerate(text):
        seen += ch != " "
        if seen == length:
            rest = text[i + 1 :]
            if (not rest or rest[0] == " ") and is_iban(text[: i + 1]):
                return IBAN + rest
            return None
    return None


def _ssn(m: re.Match[str]) -> str | None:
    return SSN if is_ssn(m.group(0)) else None


# What every shape holds somewhere (a hint must never be stricter than its rule).
_CARD_HINT = re.compile(r"\d{13}|\d{4}[ .-]\d{4}")
_PHONE_CONTEXT_HINT = re.compile(
    r"phone|mobile|cell|tel|sms|fax|call|text|whatsapp|contact|dial|ruf|appel|tél"
)

PII_RULES: tuple[Rule, ...] = (
    Rule("email", _redact_emails, words=("@", "%40")),
    Rule("iban", sub(_IBAN_RE, _iban), re.compile(r"[a-z]{2}\d{2}"), needs="digits"),
    Rule("card", sub(_CARD_RE, _card), _CARD_HINT, needs="digits"),
    Rule("ssn", sub(_SSN_RE, _ssn), re.compile(r"\d{3}-\d{2}-\d{4}"), needs="digits"),
    Rule("phone", sub(_PHONE_RE, _phone), None, needs="digits"),
    Rule("phone_in_context", sub(_PHONE_CONTEXT_RE, _phone_in_context), _PHONE_CONTEXT_HINT, needs="digits"),
)

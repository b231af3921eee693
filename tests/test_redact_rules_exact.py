"""The pieces redaction rules are made of (`redact_rules.py`), pinned exactly: the digit-run
precondition, the counter check, Luhn, the card brands, IBAN and SSN checks, and the rule bodies
`sub` and `sub_in_runs` with the `token_start` lookbehind.

The rule bodies are built here at run time, as a service config's patterns are: the built-in
rules are built once when `redact.py` is imported, so only a test that builds one checks the
builder's own code.
"""

from __future__ import annotations

import re

import pytest

from sre_agent.redact import Redactor
from sre_agent.redact_rules import (
    const,
    has_digit_run,
    is_card_number,
    is_counter,
    is_iban,
    is_ssn,
    luhn_ok,
    sub,
    sub_in_runs,
    token_start,
)


@pytest.mark.parametrize(
    "text, found",
    [
        ("1234567890", True),  # ten digits
        ("123456789", False),  # nine
        ("(415) 555-2671", True),
        ("x 12 34 56 78 90", True),
        ("2025-03-18", False),  # an ISO date
        ("2025-03-18 12", False),  # ... with its hour
        ("10.251.73.220", False),  # an IPv4 address
        ("10.251.73.2200", True),
        ("2025-03-18 123", True),
        ("a 2025-03-18 and 415-555-2671", True),  # a date first, then a phone
        ("2025-03-18 and 10.251.73.220", False),
    ],
)
def test_has_digit_run(text: str, found: bool) -> None:
    assert has_digit_run(text) is found


@pytest.mark.parametrize(
    "text, counter",
    [
        ("offset=1234", True),
        ("offset 1234", True),
        ("a_offset=1234", True),
        ("reoffset=1234", False),  # the key's word inside another word
        ('"offset": "1234', True),
        ("offset:  1234", True),
        ("offset    1234", True),  # up to two blanks each side of a missing separator
        ("offset     1234", False),
        ("span_id=1234", True),
        ("spanId=1234", True),
        ("Id=1234", True),
        ("x 1234 bytes", True),
        ("x 1234bytes", True),
        ("x 1234\tms", True),
        ("x 1234  ms", False),  # two blanks before the unit
        ("x 1234 bx", False),
        ("paid 1234", False),
    ],
)
def test_is_counter(text: str, counter: bool) -> None:
    start = text.index("1234")
    assert is_counter(text, start, start + 4) is counter


def test_is_counter_reads_a_key_at_the_start_of_the_text() -> None:
    assert is_counter("offset=5", 7, 8) is True
    assert is_counter('resourceVersion"  :  "5', 22, 23) is True  # the longest key, 22 characters back


@pytest.mark.parametrize(
    "digits, ok",
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("79927398713", True),  # the textbook example
        ("79927398710", False),
        ("0", True),
        ("18", True),  # 1*2 + 8
        ("59", True),  # 5*2-9 + 9
        ("42", True),  # 4*2 + 2: a doubled 4 is not reduced
        ("49", False),
    ],
)
def test_luhn(digits: str, ok: bool) -> None:
    assert luhn_ok(digits) is ok


@pytest.mark.parametrize(
    "digits, card",
    [
        ("4111111111111111", True),
        ("411111111111111", False),  # Visa does not issue 15 digits
        ("5555555555554444", True),
        ("2221000000000009", True),
        ("2720999999999996", True),
        ("2220999999999990", False),
        ("2721000000000004", False),
        ("378282246310005", True),
        ("6011111111111117", True),
        ("3530111333300000", True),
        ("30569309025904", True),
        ("30957777777777", True),  # Diners Club International's 3095
        ("30967777777776", False),  # passes Luhn, 3096 is no Diners prefix
        ("6200000000000005", True),
        ("1234567812345670", False),  # passes Luhn, no brand
        ("", False),
    ],
)
def test_is_card_number(digits: str, card: bool) -> None:
    assert is_card_number(digits) is card


@pytest.mark.parametrize(
    "text, iban",
    [
        ("GB82 WEST 1234 5698 7654 32", True),
        ("gb82west12345698765432", True),
        ("GB82WEST12345698765433", False),
        ("GB82WEST1234569876543", False),
        ("GB82WEST123456987654321", False),
        ("NO9386011117947", True),
        ("XX82WEST12345698765432", False),
        ("", False),
    ],
)
def test_is_iban(text: str, iban: bool) -> None:
    assert is_iban(text) is iban


@pytest.mark.parametrize(
    "text, ssn",
    [
        ("123-45-6789", True),
        ("899-99-9999", True),
        ("000-45-6789", False),
        ("666-45-6789", False),
        ("900-45-6789", False),
        ("123-00-6789", False),
        ("123-45-0000", False),
        ("665-01-0001", True),
    ],
)
def test_is_ssn(text: str, ssn: bool) -> None:
    assert is_ssn(text) is ssn


# --- rule bodies, built at run time ----------------------------------------------------------------

WORD = re.compile(token_start("a-z") + r"key[0-9]{2}")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("key12 and key34", "[K] and [K]"),
        ("akey12", "akey12"),  # inside a word
        ("\\key12", "\\key12"),  # after a backslash
        ("%key12", "%key12"),
        ("%20key12", "%20[K]"),  # after a URL escape
        ("%2Fkey12", "%2F[K]"),
        ("\\nkey12 \\rkey34 \\tkey56", "\\n[K] \\r[K] \\t[K]"),  # after a JSON escape
        ("\\xkey12", "\\xkey12"),
    ],
)
def test_token_start(text: str, expected: str) -> None:
    assert WORD.sub("[K]", text) == expected


def test_sub_counts_each_change_and_keeps_what_the_replacement_declines() -> None:
    def replace(m: re.Match[str]) -> str | None:
        return None if m.group() == "key00" else ("key11" if m.group() == "key11" else "[K]")

    apply = sub(WORD, replace)
    assert apply("key12 key00 key11 key34") == ("[K] key00 key11 [K]", 2)
    assert apply("nothing") == ("nothing", 0)
    assert sub(WORD, const("[C]"))("key12") == ("[C]", 1)


def test_sub_in_runs_searches_only_long_runs() -> None:
    pattern = re.compile(r"tok_[a-z]{3}")
    apply = sub_in_runs(pattern, const("[T]"))
    # `tok_abc` alone is 7 characters, no run; inside a 15-character run it is found
    assert apply("a tok_abc b") == ("a tok_abc b", 0)
    assert apply("a tok_abcdefghijk b tok_xyzxyzxyzxyz") == ("a [T]defghijk b [T]xyzxyzxyz", 2)
    assert apply("a tok_abcdefghij tok_abcdefghijk") == ("a tok_abcdefghij [T]defghijk", 1)  # 14, then 15
    declining = sub_in_runs(pattern, lambda m: None if m.group() == "tok_zzz" else m.group())
    assert declining("tok_zzzzzzzzzzzz tok_abcabcabcabc") == ("tok_zzzzzzzzzzzz tok_abcabcabcabc", 0)
    both = sub_in_runs(pattern, lambda m: None if m.group() == "tok_zzz" else "[T]")
    assert both("tok_zzzzzzzzzzzz tok_abcabcabcabc") == ("tok_zzzzzzzzzzzz [T]abcabcabc", 1)
    assert both("tok_zzztok_abcdefgh") == ("tok_zzz[T]defgh", 1)  # a declined match, then one in the same run


def test_a_config_pattern_is_a_rule_built_at_run_time() -> None:
    from sre_agent.configs import RedactionPattern, ServiceConfig

    cfg = ServiceConfig(
        name="svc",
        redaction_patterns=[RedactionPattern(name="k", pattern=r"key[0-9]{2}", replacement="[K]")],
    )
    assert Redactor.for_config(cfg).redact_counted("key12 key34") == ("[K] [K]", 2)

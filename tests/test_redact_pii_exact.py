"""Personal data (`redact_pii.py`), pinned exactly: e-mail addresses, IBANs (check digits and each
country's length), SSNs (issued areas, groups and serials), card numbers beside counters and units,
and phones in every format the rule reads, each beside the nearest thing that must stay.
"""

from __future__ import annotations

import pytest
from redact_cases import case, check, kept

from sre_agent.redact import Redactor
from sre_agent.redact_pii import is_phone_under

EMAILS = [
    case('"john doe"@example.com wrote', "[EMAIL] wrote", 1, "quoted-local-part"),
    case('{"to": "\\"john doe\\"@example.com"}', '{"to": "[EMAIL]"}', 1, "quoted-in-json"),
    case("x \\u00e9t\\u00e9@example.com y", "x [EMAIL] y", 1, "unicode-escapes"),
    case("to bob@bücher.de", "to [EMAIL]", 1, "unicode-domain"),
    case("\\nbob@example.com", "\\n[EMAIL]", 1, "after-a-json-newline"),
    case("bob%40example.com", "[EMAIL]", 1, "url-encoded-at"),
    case("a@b.co,a@b.co", "[EMAIL],[EMAIL]", 2, "two-glued"),
    case("a@b.co @c.io", "[EMAIL] @c.io", 1, "no-local-part"),
    kept('{"@timestamp": 1}', "at-sign-in-a-key"),
    kept("user@@example.com", "two-at-signs"),
    kept("x@y.z", "one-letter-tld"),
    case("from x.y@example.com.", "from [EMAIL].", 1, "dotted-local-part"),
    case("from o'brien@example.ie", "from [EMAIL]", 1, "apostrophe"),
    case("a b@c.io", "a [EMAIL]", 1, "after-a-word"),
    case("@a@b.co", "@[EMAIL]", 1, "after-an-at-sign"),
    # in single quotes (Python reprs, SQL literals) and after a character a local part may hold
    case("{'user': 'bob@example.com'}", "{'user': '[EMAIL]'}", 1, "python-dict"),
    case("sent to ['a@b.co', 'c@d.io']", "sent to ['[EMAIL]', '[EMAIL]']", 2, "python-list"),
    case("WHERE email = 'bob@example.com'", "WHERE email = '[EMAIL]'", 1, "sql-literal"),
    case("user 'o'brien@example.ie' locked", "user '[EMAIL]' locked", 1, "apostrophe-in-quotes"),
    case("mail to -bob@example.com", "mail to -[EMAIL]", 1, "after-a-dash"),
    case("mail to .bob@example.com", "mail to .[EMAIL]", 1, "after-a-dot"),
    case("mail to +bob@example.com", "mail to +[EMAIL]", 1, "after-a-plus"),
    case("x-bob@example.com", "[EMAIL]", 1, "dash-inside"),
    case('say "@ bob@example.com', 'say "@ [EMAIL]', 1, "after-a-quote-and-at-sign"),
    # a systemd unit instance is a name, not an address; a domain that only starts like a suffix is one
    kept("Started postgresql@15-main.service - PostgreSQL Cluster 15-main.", "systemd-service"),
    kept("getty@tty1.service: Succeeded.", "systemd-unit-colon"),
    kept("Mounted run-user@1000.mount and dev-disk@sda.device", "systemd-mount-and-device"),
    case("mail ops@acme.services now", "mail [EMAIL] now", 1, "services-tld"),
    case("mail ops@acme.service.example.com", "mail [EMAIL]", 1, "service-label-not-last"),
    case("mail ops@acme.serviced", "mail [EMAIL]", 1, "longer-than-the-suffix"),
]


@pytest.mark.parametrize("text, expected, n", EMAILS)
def test_emails(text: str, expected: str, n: int) -> None:
    check(text, expected, n)


IBANS = [
    case("pay to GB82 WEST 1234 5698 7654 32 today", "pay to [IBAN] today", 1, "gb-grouped"),
    case("pay to GB82WEST12345698765432 today", "pay to [IBAN] today", 1, "gb-solid"),
    case("pay to gb82west12345698765432 today", "pay to [IBAN] today", 1, "lower-case"),
    case("pay to GB82 WEST 1234 5698 7654 32 EUR", "pay to [IBAN] EUR", 1, "then-a-word"),
    case("pay to DE89370400440532013000 now", "pay to [IBAN] now", 1, "de"),
    case("pay to NO9386011117947 now", "pay to [IBAN] now", 1, "no-15-shortest"),
    case("pay to MT84MALT011000012345MTLCAST001S now", "pay to [IBAN] now", 1, "mt-31"),
    kept("pay to GB82WEST12345698765433 today", "check-digits-wrong"),
    kept("pay to GB82WEST1234569876543 today", "one-short"),
    kept("pay to GB82WEST12345698765432X today", "glued-letter"),
    kept("pay to GB82WEST123456987654321 today", "one-long"),
    kept("pay to XX82WEST12345698765432 today", "no-such-country"),
    case("pay to BE68 5390 0754 7034 EURO", "pay to [IBAN] EURO", 1, "then-a-four-letter-word"),
]


@pytest.mark.parametrize("text, expected, n", IBANS)
def test_ibans(text: str, expected: str, n: int) -> None:
    check(text, expected, n)


SSNS = [
    case("ssn 123-45-6789 ok", "ssn [SSN] ok", 1, "issued"),
    kept("ssn 000-45-6789 ok", "area-000"),
    kept("ssn 666-45-6789 ok", "area-666"),
    kept("ssn 900-45-6789 ok", "area-9xx"),
    case("ssn 899-45-6789 ok", "ssn [SSN] ok", 1, "area-899"),
    kept("ssn 123-00-6789 ok", "group-00"),
    kept("ssn 123-45-0000 ok", "serial-0000"),
    kept("ssn x123-45-6789 ok", "glued-to-a-word"),
    kept("ssn 123-45-6789-1 ok", "longer-id"),
]


@pytest.mark.parametrize("text, expected, n", SSNS)
def test_ssns(text: str, expected: str, n: int) -> None:
    check(text, expected, n)


CARDS_BY_COUNTERS = [
    case("paid 4111111111111111 ok", "paid [CARD] ok", 1, "card"),
    kept("offset=4111111111111111 ok", "after-offset"),
    kept("span_id=4111111111111111", "after-span-id"),
    kept("messageId: 4111111111111111", "after-camel-id"),
    kept("read 4111111111111111 bytes", "before-bytes"),
    kept("read 4111111111111111 ms", "before-ms"),
    case("offset=4111-1111-1111-1111", "offset=[CARD]", 1, "grouped-after-offset"),
    case("paid 4111 1111 1111 1111 ms", "paid [CARD] ms", 1, "grouped-before-ms"),
    case("paid 4111.1111.1111.1111 ok", "paid [CARD] ok", 1, "dots"),
    kept("v1.4111111111111111", "after-a-decimal"),
]


@pytest.mark.parametrize("text, expected, n", CARDS_BY_COUNTERS)
def test_cards_beside_counters(text: str, expected: str, n: int) -> None:
    check(text, expected, n)


PHONES = [
    case("+44 20 7946 0958", "[PHONE]", 1, "international-grouped"),
    case("+44 (0)20 7946 0958", "[PHONE]", 1, "international-trunk-zero"),
    case("0049 89 1234567", "[PHONE]", 1, "double-zero"),
    case("0049 (0)89 1234 567", "[PHONE]", 1, "double-zero-trunk"),
    case("020 7946 0958", "[PHONE]", 1, "uk-national"),
    case("030/1234567", "[PHONE]", 1, "german-slash"),
    case("0151-12345678", "[PHONE]", 1, "german-dash"),
    case("06.12.34.56.78", "[PHONE]", 1, "french-dots"),
    case("(02) 9876 5432", "[PHONE]", 1, "australian"),
    case("(089) 1234-5678", "[PHONE]", 1, "trunk-in-brackets"),
    case("x 0151 1234 5678 ok", "x [PHONE] ok", 1, "national-12-digits"),
    kept("x 0151 1234 56789 ok", "national-13-digits"),
    case("x (0151) 1234 5678 ok", "x [PHONE] ok", 1, "national-brackets-12-digits"),
    kept("x (020) 7946 0958 12 ok", "national-brackets-13-digits"),
    case("x +44 151 1234 56789 ok", "x [PHONE] ok", 1, "international-13-digits"),
    case("offset=+14155552671", "offset=[PHONE]", 1, "a-plus-is-a-phone-after-any-key"),
    kept("id 02079460958", "bare-national-after-id"),
    kept("n=0207946095812", "national-13-digits"),
    kept("call 02079460958123", "14-digits-after-call"),
    kept("took 0151 12345678 ms", "before-a-unit"),
    case("dial 020 7946 0958 9", "dial [PHONE] 9", 1, "then-a-number"),
    case("phone=(020) 7946 0958 ok", "phone=[PHONE] ok", 1, "after-a-phone-key-all-of-it"),
    case("phone=+1 415 555 2671 ok", "phone=[PHONE] ok", 1, "after-a-phone-key-grouped"),
    case('{"phone": "(020) 7946 0958"}', '{"phone": "[PHONE]"}', 1, "json-phone"),
    case("sms to 4155552671", "sms to [PHONE]", 1, "sms"),
    case("SMS to +447911123456", "SMS to [PHONE]", 1, "sms-international"),
    case("texted 415 555 2671", "texted [PHONE]", 1, "texted-spaced"),
    case("fax: 415.555.2671", "fax: [PHONE]", 1, "fax"),
    case("contact 1-415-555-2671", "contact [PHONE]", 1, "contact-country-code"),
    kept("call offset=4155552671", "context-then-a-counter"),
    kept("call me, count 4155552671", "context-then-count"),
    kept("call 4155552671x", "glued-letter"),
    kept("offset 4155552671", "no-context-word"),
]


@pytest.mark.parametrize("text, expected, n", PHONES)
def test_phones(text: str, expected: str, n: int) -> None:
    check(text, expected, n)


@pytest.mark.parametrize(
    "key, value, phone",
    [
        ("contact", "4155552671", True),
        ("Contact", "415-555-2671", True),
        ("user-mobile", "+1 415 555 2671", True),
        ("callback", " 4155552671 ", True),
        ("msisdn", "14155552671", True),
        ("mobileNumber", "4155552671", True),
        ("contact_number", "4155552671", True),
        ("mobile_no", "4155552671", True),
        ("phone-nr", "4155552671", True),
        ("contact", "41555526712", False),
        ("contact", "1415555267", False),
        ("contact", "bob", False),
        ("contactx", "4155552671", False),
        ("order", "4155552671", False),
        ("number", "4155552671", False),
    ],
)
def test_a_bare_number_is_a_phone_under_a_phone_name(key: str, value: str, phone: bool) -> None:
    assert is_phone_under(key, value) is phone
    expected = ({key: "[PHONE]"}, 1) if phone else ({key: value}, 0)
    assert Redactor.for_config(None).redact_value_counted({key: value}) == expected

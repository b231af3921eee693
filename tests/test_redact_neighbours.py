"""Secrets that span records of one source: a PEM key one line per record, a token cut in two.

Real records through `clean_records` (the exact stored text and the redaction count), and one
real ingest (file logstore → clean → LanceDB) asserting what the store holds.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sre_agent.clean import clean_records
from sre_agent.configs import RedactionPattern, ServiceConfig
from sre_agent.models import LogRecord
from sre_agent.redact import Redactor
from sre_agent.redact_neighbours import MAX_BODY_RECORDS, across_records

T0 = datetime(2024, 3, 12, 14, 0, tzinfo=UTC)
APP = "/var/log/app/server.log"
OTHER = "/var/log/app/worker.log"

BODY = [
    "UvImZaYMEtKJGF2VDuiBNgkWb2sRPReNbA/TkB/yOaGglfIPk5VlDPk4C47bIkpr",
    "JIoekk6P0K4uGpSSozBfGIy2EJAPnjR/rohtxlB3lex0XEw/yy6yxz4Uk0yGfuBX",
    "unJJm/oSHoNrKsFXJu59awr2qxPDjpLK4NFQV7FZmH+UzHQR1xfxRXmyqhAPu7NP",
    "pZP+rtJySLdi46tYBfB2WiucHX4=",
]
BEGIN = "-----BEGIN RSA PRIVATE KEY-----"
END = "-----END RSA PRIVATE KEY-----"
JWT_HEAD = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwi"  # longer than SEAM_CONTEXT
JWT_REST = "bmFtZSI6IkpvaG4ifQ.c2lnbmF0dXJlLXZhbHVl"


def recs(*items: str | tuple[str, str]) -> list[LogRecord]:
    """One record per item (a message, or (source, message)), a second apart, in order."""
    out = []
    for i, item in enumerate(items):
        source, message = item if isinstance(item, tuple) else (APP, item)
        out.append(LogRecord(timestamp=T0 + timedelta(seconds=i), message=message, source=source))
    return out


def cleaned(records: list[LogRecord], config: ServiceConfig | None = None) -> tuple[list[str], int]:
    result = clean_records(records, config)
    return [r.message for r in result.records], result.redactions


# --- a private key logged one line per record ------------------------------------------------


def test_a_key_logged_one_line_per_record_is_redacted_line_by_line() -> None:
    records = recs("loading TLS key from vault", BEGIN, *BODY, END, "server listening on :8443")
    messages, redactions = cleaned(records)
    assert messages == [
        "loading TLS key from vault",
        "[PRIVATE_KEY]",
        "[PRIVATE_KEY]",
        "[PRIVATE_KEY]",
        "[PRIVATE_KEY]",
        "[PRIVATE_KEY]",
        END,  # holds no secret: it tells the reader what the markers above were
        "server listening on :8443",
    ]
    assert redactions == 5  # BEGIN (by the record's own rules) and the four body records


def test_another_sources_records_in_between_do_not_break_the_key_and_stay() -> None:
    digest = "3f786850e387550fdab836ed7e6dc881de23001b"  # base64-shaped, but another source's
    records = recs(
        BEGIN,
        (OTHER, digest),
        BODY[0],
        (OTHER, "job 42 done"),
        BODY[1],
        END,
        digest,  # after the END: an ordinary line again
    )
    messages, redactions = cleaned(records)
    assert messages == ["[PRIVATE_KEY]", digest, "[PRIVATE_KEY]", "job 42 done", "[PRIVATE_KEY]", END, digest]
    assert redactions == 3


def test_body_records_before_an_end_are_redacted_when_the_begin_was_not_fetched() -> None:
    records = recs("cache warm", *BODY, END, BODY[0])
    messages, redactions = cleaned(records)
    assert messages == ["cache warm"] + ["[PRIVATE_KEY]"] * 4 + [END, BODY[0]]
    assert redactions == 4


def test_a_key_cut_off_by_the_fetch_ends_at_the_first_ordinary_record() -> None:
    records = recs(BEGIN, BODY[0], BODY[1], "request 7 served in 12ms", BODY[2])
    messages, redactions = cleaned(records)
    assert messages == [
        "[PRIVATE_KEY]",
        "[PRIVATE_KEY]",
        "[PRIVATE_KEY]",
        "request 7 served in 12ms",
        BODY[2],
    ]
    assert redactions == 3


def test_an_encrypted_key_with_headers_and_a_blank_line() -> None:
    records = recs(
        "-----BEGIN EC PRIVATE KEY-----",
        "Proc-Type: 4,ENCRYPTED",
        "DEK-Info: AES-128-CBC,3F17F5316E2BAC89",
        "",
        BODY[0],
        "-----END EC PRIVATE KEY-----",
    )
    messages, redactions = cleaned(records)
    assert messages == ["[PRIVATE_KEY]"] * 3 + ["", "[PRIVATE_KEY]", "-----END EC PRIVATE KEY-----"]
    assert redactions == 4


@pytest.mark.parametrize(
    "records, expected, redactions",
    [
        (  # several body lines in one record, and body lines in the END record
            [BEGIN, f"{BODY[0]}\n{BODY[1]}", f"{BODY[2]}\n{BODY[3]}\n{END}"],
            ["[PRIVATE_KEY]", "[PRIVATE_KEY]", f"[PRIVATE_KEY]\n{END}"],
            3,
        ),
        (  # the BEGIN was not fetched: the END record's body lines, then the records before
            ["cache warm", BODY[0], f"{BODY[1]}\n{END}"],
            ["cache warm", "[PRIVATE_KEY]", f"[PRIVATE_KEY]\n{END}"],
            2,
        ),
        (  # the END record starts with other text: the record before is not walked back to
            [BODY[0], f"dumping key:\n{BODY[1]}\n{END}"],
            [BODY[0], f"dumping key:\n[PRIVATE_KEY]\n{END}"],
            1,
        ),
    ],
)
def test_records_of_several_lines_in_a_key(records: list[str], expected: list[str], redactions: int) -> None:
    assert cleaned(recs(*records)) == (expected, redactions)


def test_a_key_in_one_record_is_left_to_the_records_own_rules() -> None:
    whole = "\n".join([BEGIN, *BODY, END])
    messages, redactions = cleaned(recs("ok", whole, BODY[0]))
    assert messages == ["ok", "[PRIVATE_KEY]", BODY[0]]
    assert redactions == 1


def test_the_walk_back_from_an_end_reaches_the_first_record() -> None:
    assert cleaned(recs(BODY[0], BODY[1], END)) == (["[PRIVATE_KEY]", "[PRIVATE_KEY]", END], 2)


def test_an_end_first_of_its_source_walks_back_to_nothing() -> None:
    records = recs((OTHER, "job 42 done"), (OTHER, BODY[0]), END)
    assert cleaned(records) == (["job 42 done", BODY[0], END], 0)


def test_two_keys_one_after_the_other() -> None:
    records = recs(BEGIN, BODY[0], END, "rotating", BEGIN, BODY[1], BODY[2], END)
    assert cleaned(records) == (
        [
            "[PRIVATE_KEY]",
            "[PRIVATE_KEY]",
            END,
            "rotating",
            "[PRIVATE_KEY]",
            "[PRIVATE_KEY]",
            "[PRIVATE_KEY]",
            END,
        ],
        5,
    )


def test_a_blank_record_keeps_a_key_cut_off_by_the_fetch_open() -> None:
    assert cleaned(recs(BEGIN, "", BODY[0], "next")) == (["[PRIVATE_KEY]", "", "[PRIVATE_KEY]", "next"], 2)


def test_two_cut_tokens_in_one_batch_are_both_counted() -> None:
    records = recs(
        "GET /v1/orders?token=ab12cd34",
        (OTHER, "s3 client using AKIAIOSFOD"),
        "ef56gh78&page=2 HTTP/1.1",
        (OTHER, "NN7EXAMPLE for bucket logs"),
    )
    assert cleaned(records) == (
        [
            "GET /v1/orders?token=[TOKEN]",
            "s3 client using [AWS_KEY]",
            "[TOKEN]&page=2 HTTP/1.1",
            "[AWS_KEY] for bucket logs",
        ],
        4,
    )


def test_a_key_and_a_cut_token_in_one_batch_are_both_counted() -> None:
    records = recs(BEGIN, BODY[0], END, "GET /v1/orders?token=ab12cd34", "ef56gh78&page=2 HTTP/1.1")
    assert cleaned(records) == (
        ["[PRIVATE_KEY]", "[PRIVATE_KEY]", END, "GET /v1/orders?token=[TOKEN]", "[TOKEN]&page=2 HTTP/1.1"],
        4,
    )


def test_the_walk_back_from_an_end_is_bounded() -> None:
    body = [BODY[0]] * (MAX_BODY_RECORDS + 2)
    out, n = across_records(
        [*body, END], [APP] * (len(body) + 1), Redactor.for_config(None), config_rules=False
    )
    assert n == MAX_BODY_RECORDS
    assert out[:2] == [BODY[0], BODY[0]] and set(out[2:-1]) == {"[PRIVATE_KEY]"}


# --- a token cut across two records of a stack trace ------------------------------------------


def test_a_jwt_cut_across_two_records_of_a_trace_is_redacted_on_both_sides() -> None:
    first = (
        "java.lang.IllegalStateException: upstream rejected the call\n"
        "\tat com.example.Client.call(Client.java:88)\n"
        f"Caused by: HttpException: 401 for header Authorization: Bearer {JWT_HEAD}"
    )
    second = f"{JWT_REST}\n\tat com.example.Client.send(Client.java:120)\n\t... 12 more"
    messages, redactions = cleaned(recs(first, second))
    assert messages == [
        "java.lang.IllegalStateException: upstream rejected the call\n"
        "\tat com.example.Client.call(Client.java:88)\n"
        "Caused by: HttpException: 401 for header Authorization: Bearer [JWT]",
        "[JWT]\n\tat com.example.Client.send(Client.java:120)\n\t... 12 more",
    ]
    assert redactions == 2


@pytest.mark.parametrize(
    "first, second, expected, redactions",
    [
        (  # the value of a secret key: the first part is redacted alone, the rest joined
            "GET /v1/orders?token=ab12cd34",
            "ef56gh78&page=2 HTTP/1.1",
            ["GET /v1/orders?token=[TOKEN]", "[TOKEN]&page=2 HTTP/1.1"],
            2,
        ),
        (  # neither part is an AWS key id alone
            "s3 client using AKIAIOSFOD",
            "NN7EXAMPLE for bucket logs",
            ["s3 client using [AWS_KEY]", "[AWS_KEY] for bucket logs"],
            2,
        ),
        (  # a card number cut between its groups of digits
            "charge declined for 4111 1111 11",
            "11 1111 retrying",
            ["charge declined for [CARD]", "[CARD] retrying"],
            2,
        ),
        (  # the record ends with the key, the next one starts with the value
            "db connect with password=",
            "Pa55w0rd! failed",
            ["db connect with password=", "[PASSWORD] failed"],
            1,
        ),
        (
            "notify phone +1415555",
            "2671 queued",
            ["notify phone [PHONE]", "[PHONE] queued"],
            2,
        ),
        # a card or phone cut at each kind of place, with no word near that names it
        ("pay 4111 1111 1111 ", "1111 ok", ["pay [CARD]", "[CARD] ok"], 2),
        ("pay 4111-1111-1111", "-1111 ok", ["pay [CARD]", "[CARD] ok"], 2),
        ("pay 4111-1111-", "1111-1111 ok", ["pay [CARD]", "[CARD] ok"], 2),
        ("ring 415.555", ".2671 now", ["ring [PHONE]", "[PHONE] now"], 2),
        ("ring 415.555.", "2671 now", ["ring [PHONE]", "[PHONE] now"], 2),
        ("pay 4111 1111 1111 111", "1 ok", ["pay [CARD]", "[CARD] ok"], 2),
        ("pay 4222 2222 2222 ", "2 ok", ["pay [CARD]", "[CARD] ok"], 2),  # Visa 13 cut at a space
        ("I use A", "KIAIOSFODNN7EXAMPLE now", ["I use [AWS_KEY]", "[AWS_KEY] now"], 2),
        # a short head of a JWT that is a bearer token alone, and a long one whose key is far back
        (
            "Bearer eyJhbGciOiJIUzI1NiJ9.eyJ",
            "zdWIiOiIxMjMifQ.c2lnbmF0dXJl ok",
            ["Bearer [JWT]", "[JWT] ok"],
            2,
        ),
        (
            "login password=" + "Zq3x" * 15,
            "Rt7 failed",
            ["login password=[PASSWORD]", "[PASSWORD] failed"],
            2,
        ),
        # a marker before the cut one on the same line
        (
            f"for a@b.co Authorization: Bearer {JWT_HEAD}",
            f"{JWT_REST} ok",
            ["for [EMAIL] Authorization: Bearer [JWT]", "[JWT] ok"],
            3,
        ),
        # a secret at the very start of the record, or the whole record
        ("AKIAIOSFOD", "NN7EXAMPLE ok", ["[AWS_KEY]", "[AWS_KEY] ok"], 2),
        ("ghp_" + "a1" * 18, "x9 ok", ["[TOKEN]", "[TOKEN] ok"], 2),
        # digits meet, with no word near that names a phone
        ("ring +1", "4155552671 now", ["ring [PHONE]", "[PHONE] now"], 2),
        # two markers before the seam: only the one the rest belongs to takes it
        ("mail a@b.co token=ab12cd34", "ef56gh78 ok", ["mail [EMAIL] token=[TOKEN]", "[TOKEN] ok"], 3),
        (
            "mail a@b.co c@d.io ab12",
            "cd@example.com now",
            ["mail [EMAIL] [EMAIL] [EMAIL]", "[EMAIL] now"],
            4,
        ),
        # the e-mail the next record starts grew into an opaque end of this one
        ("mail to ab12", "cd@example.com now", ["mail to [EMAIL]", "[EMAIL] now"], 2),
        # the rest of a value: a credential's piece has a digit, one of `+/=_`, or 24 letters
        ("session token=ab12cd34", "ab/cd done", ["session token=[TOKEN]", "[TOKEN] done"], 2),
        ("session token=ab12cd34", "ab+cd done", ["session token=[TOKEN]", "[TOKEN] done"], 2),
        ("session token=ab12cd34", "ab_cd done", ["session token=[TOKEN]", "[TOKEN] done"], 2),
        ("session token=ab12cd34", "cd=ef done", ["session token=[TOKEN]", "[TOKEN] done"], 2),
        (
            "session token=ab12cd34",
            "abcdefghijklmnopqrstuvwx done",
            ["session token=[TOKEN]", "[TOKEN] done"],
            2,
        ),
    ],
)
def test_a_secret_cut_between_two_records_is_redacted_on_both_sides(
    first: str, second: str, expected: list[str], redactions: int
) -> None:
    assert cleaned(recs(first, second)) == (expected, redactions)


@pytest.mark.parametrize(
    "first, second",
    [
        ("login password=aaa111", "login password=bbb222"),  # a word after a secret: not its rest
        ("session opened token=ab12cd34", "GetMembership OK: user 7"),
        (f"Authorization: Bearer {JWT_HEAD}.{JWT_REST}", "Request done"),  # a whole JWT, then a word
        ("mail sent to user", "bob@example.com bounced"),  # a word, then an e-mail
        (
            "PacketResponder 1 for block blk_38865049064139660 terminating",
            "Receiving block blk_5792489080791696128",
        ),
        ("order 4111111111111111", "1 item"),  # a card alone, then a digit: no longer a card joined
        ("session token=ab12cd34", "abcdefghijklmnopqrstuvw done"),  # 23 letters: a word
        # a dotted class name of 24+ letters starting the next record: a word (Android's
        # `Bad activity token: ...` followed by the exception line)
        ("Bad activity token: android.os.BinderProxy@2bd79ce", "java.lang.ClassCastException: x"),
        ("session token=ab12cd34", "org.apache.hadoop.ipc.RemoteException: y"),
        ("session token=ab12cd34", "Xenon started"),
        ("pay 4111 1111 1111 ", "done"),  # a record ending in a space meets only a digit
        ("mail a@b.co ", "x@y.io"),
        ("login password=ab12", "AKIAIOSFODNN7EXAMPLE used"),  # the next record's own marker stands
    ],
)
def test_records_that_only_touch_are_each_redacted_alone(first: str, second: str) -> None:
    records = recs(first, second)
    alone = [Redactor.for_config(None).redact_counted(r.message) for r in records]
    assert cleaned(records) == ([text for text, _ in alone], sum(n for _, n in alone))


def test_a_cut_token_of_two_sources_is_not_joined() -> None:
    first = f"header Authorization: Bearer {JWT_HEAD}"
    messages, _ = cleaned(recs(first, (OTHER, JWT_REST)))
    assert messages == ["header Authorization: Bearer [TOKEN]", JWT_REST]


def test_a_config_pattern_cut_across_records_is_redacted_joined() -> None:
    cfg = ServiceConfig(
        name="billing",
        redaction_patterns=[
            RedactionPattern(name="customer", pattern=r"\bcus_[A-Za-z0-9]{8,}", replacement="[CUSTOMER]")
        ],
    )
    messages, redactions = cleaned(recs("charge for cus_Ab12", "Cd34Ef failed"), cfg)
    assert (messages, redactions) == (["charge for [CUSTOMER]", "[CUSTOMER] failed"], 2)
    # without the config the same records are ordinary
    assert cleaned(recs("charge for cus_Ab12", "Cd34Ef failed")) == (
        ["charge for cus_Ab12", "Cd34Ef failed"],
        0,
    )


# --- through an ingest into a real LanceDB ----------------------------------------------------


def test_an_ingest_stores_no_part_of_a_key_or_a_cut_token(engine, tmp_path: Path) -> None:
    lines = [
        BEGIN,
        *BODY,
        END,
        f"upstream 401 for Authorization: Bearer {JWT_HEAD}",
        JWT_REST + " at Client.send",
    ]
    rows = [
        {"timestamp": (T0 + timedelta(seconds=i)).isoformat(), "level": "ERROR", "message": message}
        for i, message in enumerate(lines)
    ]
    path = tmp_path / "keys.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    events = []
    asyncio.run(
        engine.search("why did the upstream call fail?", session="k1", logs=path, on_progress=events.append)
    )
    stored = [r.message for r in engine.store.scan("k1")]
    assert stored == [
        "[PRIVATE_KEY]",
        "[PRIVATE_KEY]",
        "[PRIVATE_KEY]",
        "[PRIVATE_KEY]",
        "[PRIVATE_KEY]",
        END,
        "upstream 401 for Authorization: Bearer [JWT]",
        "[JWT] at Client.send",
    ]
    [clean] = [e for e in events if e.stage == "clean"]
    assert clean.data["redactions"] == 7

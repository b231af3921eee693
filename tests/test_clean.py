"""The clean step: fields kept/dropped, secrets redacted everywhere, messages capped, shapes and ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from sre_agent.capping import cap_message
from sre_agent.clean import clean_records
from sre_agent.clean_messages import DEFAULT_MAX_MESSAGE_CHARS
from sre_agent.configs import LogFields, RedactionPattern, ServiceConfig
from sre_agent.errors import ConfigError, InputError
from sre_agent.models import LogRecord
from sre_agent.redact import Redactor
from sre_agent.shapes import embedding_text, message_shape, shape_hash

T0 = datetime(2008, 11, 9, 20, 35, 18, tzinfo=UTC)


def rec(message: str, **kw: object) -> LogRecord:
    return LogRecord(timestamp=kw.pop("timestamp", T0), message=message, **kw)  # type: ignore[arg-type]


def java_trace(frames_before: int = 700, frames_after: int = 500) -> str:
    def frame(i: int) -> str:
        return f"\tat com.example.orders.OrderService.placeOrder{i}(OrderService.java:{100 + i})"

    return "\n".join(
        ["java.lang.RuntimeException: order 8812 failed for tenant acme"]
        + [frame(i) for i in range(frames_before)]
        + ["Caused by: java.sql.SQLTransientConnectionException: pool exhausted after 30000ms"]
        + [frame(i) for i in range(frames_before, frames_before + frames_after)]
        + ["\t... 57 more"]
    )


# --- fields ----------------------------------------------------------------------------------


def test_keep_and_drop_pick_the_extra_fields() -> None:
    cfg = ServiceConfig(
        name="hdfs",
        log_fields=LogFields(keep=["component", "pid", "thread"], drop=["pid", "host", "request_id"]),
    )
    record = rec(
        "PacketResponder 1 for block blk_38865049064139660 terminating",
        level="INFO",
        host="10.251.73.220",
        request_id="r-1",
        user_id="u-7",
        fields={"component": "dfs.DataNode$PacketResponder", "pid": "148", "thread": "main", "noise": 1},
    )
    result = clean_records([record], cfg)
    [out] = result.records
    assert json.loads(out.fields_json) == {"component": "dfs.DataNode$PacketResponder", "thread": "main"}
    assert out.host is None and out.request_id is None  # dropped standard columns
    assert out.user_id == "u-7" and out.level == "INFO"  # not in keep, but keep never removes them
    assert result.dropped_fields == 4  # noise (not kept), pid (dropped), host, request_id


def test_no_config_keeps_every_field_sorted() -> None:
    [out] = clean_records([rec("x", fields={"b": 2, "a": {"z": 1, "y": [1, 2]}})], None).records
    assert out.fields_json == '{"a":{"y":[1,2],"z":1},"b":2}'


@pytest.mark.parametrize("column", ["timestamp", "message"])
def test_a_config_cannot_drop_timestamp_or_message(column: str) -> None:
    cfg = ServiceConfig(name="svc", log_fields=LogFields(drop=[column]))
    with pytest.raises(ConfigError, match=rf"'svc'.*log_fields\.drop.*'{column}'"):
        clean_records([rec("x")], cfg)


def test_something_that_is_not_a_log_record_is_named_by_position() -> None:
    with pytest.raises(InputError, match="record 1: expected a LogRecord, got dict"):
        clean_records([rec("ok"), {"message": "no"}], None)  # type: ignore[list-item]


# --- redaction reaches every field, before shape and id -----------------------------------------


def test_user_id_that_is_an_email_is_redacted() -> None:
    [out] = clean_records([rec("login ok", user_id="Jane.Doe@Example.com")], None).records
    assert out.user_id == "[EMAIL]"


def test_no_secret_text_reaches_any_clean_record_field() -> None:
    secrets = {
        "hunter2": "password=hunter2",
        "jane@example.com": "jane@example.com",
        "AKIAIOSFODNN7EXAMPLE": "AKIAIOSFODNN7EXAMPLE",
        "s3cr3tPass": "s3cr3tPass",
        "4111111111111111": "4111111111111111",
        "cus_Ab12Cd34Ef": "cus_Ab12Cd34Ef",
        "tok-99-zz": "tok-99-zz",
    }
    cfg = ServiceConfig(
        name="billing",
        redaction_patterns=[
            RedactionPattern(name="customer", pattern=r"cus_[A-Za-z0-9]{8,}", replacement="[CUS]")
        ],
    )
    record = rec(
        "charge failed for jane@example.com with password=hunter2 key AKIAIOSFODNN7EXAMPLE\n"
        "\tat Billing.charge(Billing.java:10) card 4111111111111111 customer cus_Ab12Cd34Ef",
        user_id="jane@example.com",
        request_id="req token=tok-99-zz",
        source="postgres://billing:s3cr3tPass@db:5432/logs",
        fields={"ctx": {"password": "hunter2", "cards": ["4111111111111111"]}, "who": "jane@example.com"},
    )
    result = clean_records([record], cfg)
    dumped = result.records[0].model_dump_json()
    for secret in secrets:
        assert secret not in dumped, secret
    assert result.redactions >= 9
    assert "[CUS]" in result.records[0].shape


def test_redaction_happens_before_the_id_is_computed() -> None:
    # The same line with two different passwords: once redacted they are the same record.
    a, b = clean_records([rec("login password=aaa111"), rec("login password=bbb222")], None).records
    assert a.message == b.message == "login password=[PASSWORD]"
    assert a.id == b.id


def test_a_secret_at_the_cap_boundary_is_not_half_kept() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    cfg = ServiceConfig(name="svc", max_message_chars=200)
    message = "x" * 150 + " " + jwt + " " + "y" * 200
    [out] = clean_records([rec(message)], cfg).records
    assert "eyJ" not in out.message and "dozjg" not in out.message
    assert len(out.message) <= 200


# --- capping -------------------------------------------------------------------------------


def test_a_50kb_java_stack_trace_keeps_its_first_line_and_its_cause() -> None:
    trace = java_trace()
    assert len(trace) > 50_000
    result = clean_records([rec(trace, level="ERROR")], None)
    [out] = result.records
    assert result.capped == 1
    assert len(out.message) <= DEFAULT_MAX_MESSAGE_CHARS
    lines = out.message.split("\n")
    assert lines[0] == "java.lang.RuntimeException: order 8812 failed for tenant acme"
    assert "Caused by: java.sql.SQLTransientConnectionException: pool exhausted after 30000ms" in lines
    assert lines[-1] == "\t... 57 more"
    assert "\tat com.example.orders.OrderService.placeOrder0(OrderService.java:100)" in lines
    assert any(line.startswith("… [") and line.endswith("chars cut] …") for line in lines)


def test_the_cap_follows_the_config() -> None:
    cfg = ServiceConfig(name="svc", max_message_chars=1000)
    [out] = clean_records([rec(java_trace(50, 50))], cfg).records
    assert len(out.message) <= 1000
    assert out.message.startswith("java.lang.RuntimeException")
    assert "Caused by: java.sql.SQLTransientConnectionException" in out.message


def test_a_long_single_line_is_cut_with_a_marker() -> None:
    message = "GET /search?q=" + "a" * 10_000
    capped = cap_message(message, 4000)
    assert len(capped) <= 4000
    assert capped.startswith("GET /search?q=aaa")
    assert capped.endswith(f"[{len(message) - capped.index(' …')} chars cut] …")


def test_a_trace_with_one_huge_line_still_fits() -> None:
    message = "Error: " + "z" * 20_000 + "\nCaused by: boom\n\tat x.y(Z.java:1)"
    capped = cap_message(message, 1000)
    assert len(capped) <= 1000
    assert capped.startswith("Error: zzz")
    assert "Caused by: boom" in capped


def test_short_messages_are_untouched() -> None:
    result = clean_records([rec("line one\nline two")], None)
    assert result.records[0].message == "line one\nline two"
    assert result.capped == 0


# --- ids, order, counters --------------------------------------------------------------------


def test_ids_are_stable_and_depend_on_content_not_line() -> None:
    def worker_line(line: int = 1, host: str = "10.10.34.11", timestamp: datetime = T0) -> LogRecord:
        return rec("Send worker leaving thread", level="WARN", host=host, line=line, timestamp=timestamp)

    first = clean_records([worker_line(7), worker_line(8)], None).records
    again = clean_records([worker_line(7), worker_line(8)], None).records
    assert [r.id for r in first] == [r.id for r in again]
    assert first[0].id == first[1].id  # the same line fetched twice
    assert (first[0].line, first[1].line) == (7, 8)
    assert len(first[0].id) == 32 and int(first[0].id, 16) >= 0
    [later] = clean_records([worker_line(timestamp=T0 + timedelta(milliseconds=1))], None).records
    [elsewhere] = clean_records([worker_line(host="10.10.34.12")], None).records
    assert later.id != first[0].id
    assert elsewhere.id != first[0].id


def test_output_keeps_input_order_and_counts() -> None:
    messages = [f"message {i} from bob@example.com" for i in range(50)]
    timestamps = [T0 - timedelta(seconds=i) for i in range(50)]  # deliberately out of time order
    result = clean_records((rec(m, timestamp=t) for m, t in zip(messages, timestamps, strict=True)), None)
    assert [r.timestamp for r in result.records] == timestamps
    assert (result.seen, result.kept, result.redactions, result.capped) == (50, 50, 50, 0)


def test_a_repeated_message_is_cleaned_alike_and_counted_every_time() -> None:
    """Repeats are cleaned once (clean.py remembers the last 4,096 distinct messages): each record
    still counts its redactions and its cut, also past the point where the memory is cleared."""
    secret = "login failed for bob@example.com token=" + "a1B2" * 8
    long = "payload " + "x" * 5000
    messages = [secret, long, secret, *(f"filler line {i}" for i in range(5000)), secret, long]
    result = clean_records(
        [rec(m, timestamp=T0 + timedelta(seconds=i)) for i, m in enumerate(messages)], None
    )
    out = [r.message for r in result.records]
    assert out[0] == out[2] == out[-2] == "login failed for [EMAIL] token=[TOKEN]"
    assert out[1] == out[-1] == cap_message(long, DEFAULT_MAX_MESSAGE_CHARS) != long
    assert (result.redactions, result.capped) == (6, 2)
    assert result.records[-2].shape == message_shape(out[0])


def test_a_given_redactor_is_used() -> None:
    redactor = Redactor.for_config(
        ServiceConfig(name="x", redaction_patterns=[RedactionPattern(name="n", pattern="alpha")])
    )
    [out] = clean_records([rec("alpha beta")], None, redactor=redactor).records
    assert out.message == "[REDACTED] beta"


# --- shapes ----------------------------------------------------------------------------------


def test_hdfs_lines_of_one_kind_share_a_shape() -> None:
    lines = [
        "Receiving block blk_-1608999687919862906 src: /10.250.19.102:54106 dest: /10.250.19.102:50010",
        "Receiving block blk_5792489080791696128 src: /10.251.30.6:33145 dest: /10.251.30.6:50010",
    ]
    a, b = clean_records([rec(line) for line in lines], None).records
    assert a.shape == b.shape == "Receiving block <ID> src: /<IP> dest: /<IP>"
    assert shape_hash(a.shape) == shape_hash(b.shape)
    assert shape_hash(a.shape) != shape_hash("Receiving block")


def test_user_names_are_words_so_they_keep_shapes_apart() -> None:
    webmaster = message_shape("Invalid user webmaster from 173.234.31.186")
    admin = message_shape("Invalid user admin from 1.2.3.4")
    assert webmaster == "Invalid user webmaster from <IP>"
    assert admin == "Invalid user admin from <IP>"


@pytest.mark.parametrize(
    "message, shape",
    [
        (
            "Expiring session 0x14f3fdae8ba0002, timeout of 10000ms exceeded",
            "Expiring session <HEX>, timeout of <NUM>ms exceeded",
        ),
        ("request 123e4567-e89b-12d3-a456-426614174000 done", "request <UUID> done"),
        ("peer [2001:db8::1]:8080 and ::1 down", "peer <IP> and <IP> down"),
        ("QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181", "QuorumPeer[myid=<NUM>]/<IP>"),
        ("reading /data/3/dfs/current took 2.5 s", "reading /data/<NUM>/dfs/current took <NUM> s"),
        ("login [EMAIL] via ssh2 and log4j", "login [EMAIL] via ssh2 and log4j"),
        ("  two\n\tlines   here ", "two lines here"),
        ("commit 3f786850e387550fdab836ed7e6dc881de23001b", "commit <HEX>"),
        ("Session: 30546354_25138444 initialized", "Session: <ID> initialized"),
        (
            "Deleting block blk_-35 file /mnt/hadoop/dfs/data/current/subdir37/blk_-35",
            "Deleting block <ID> file /mnt/hadoop/dfs/data/current/<ID>/<ID>",
        ),
        (r"loading C:\Windows\System32\config\SAM", r"loading C:\Windows\<ID>\config\SAM"),
        (
            "one segment /ssh2 stays, as does v2 outside a path",
            "one segment /ssh2 stays, as does v2 outside a path",
        ),
        # masks a line can only match when it holds their characters: each on its own, and the
        # ones that need no digit at all (a UUID or an IPv6 address of letters alone)
        ("from fe80:0:0:0:abc:ff:1:2 and ::ffff:10.0.0.7:443", "from <IP> and <IP>"),
        ("no digits: fe::ab, abcdefab-abcd-abcd-abcd-abcdefabcdef", "no digits: <IP>, <UUID>"),
        ("only letters deadbeefcafe and a@b.co stay", "only letters deadbeefcafe and a@b.co stay"),
        ("port checkout:4515 is not an address", "port checkout:<NUM> is not an address"),
        ("job_77 a-b-c-d 1.2.3", "<ID> a-b-c-d <NUM>"),
        ("nbsp\u00a0and\x1cseparators 5", "nbsp and separators <NUM>"),
        # a UUID after a dashed prefix (OpenStack request ids): one shape for every request
        (
            "[req-488c2381-6ed9-442e-a306-5d56be647d26 - - - - -] Auditing resources",
            "[req-<UUID> - - - - -] Auditing resources",
        ),
        ("pod web-123e4567-e89b-12d3-a456-426614174000x up", "pod web-<HEX>-e89b-<NUM>d3-a456-<NUM>x up"),
        # prefixed random ids (Stripe-style): a short word, `_`, six or more characters with a digit
        ("cart crt_z7gi99i3 order ord_rAW3Latp63 charge ch_3MmlLr", "cart <ID> order <ID> charge <ID>"),
        (
            "utf8_general_ci ord_abcdefgh ord_a1b2c ord_a1b2c3_x",
            "utf8_general_ci ord_abcdefgh ord_a1b2c ord_a1b2c3_x",
        ),
        (
            "x-ord_a1b2c3d4 a_b1c2d3e4 abcdefghijklm_a1b2c3d4",
            "x-ord_a1b2c3d4 a_b1c2d3e4 abcdefghijklm_a1b2c3d4",
        ),
        # a field's value of a few letters and four or more digits is an id; words with digits stay
        ("order for user=u50339 cart=c374203 failed", "order for user=<ID> cart=<ID> failed"),
        (
            "proto=ssh2 lib=log4j os=win2019x user=wxyz12345 job u50339 k=u1234-b",
            "proto=ssh2 lib=log4j os=win2019x user=wxyz12345 job u50339 k=u1234-b",
        ),
        # the value of a field named as an id is an id; a number stays a number
        (
            "request_id=FLqIPZlOJrJ9pYv759tn [info] sessionId=abc123XYZ pid=123456 valid=true id=ab",
            "request_id=<ID> [info] sessionId=<ID> pid=<NUM> valid=true id=<ID>",
        ),
        # under a name that is only an id, however short (Sidekiq's `tid=`), but not a number
        (
            "pid=2 tid=syx jid=e1 user_id=bob userId=a ID=Q9 tid=42 paid=no ssid=x Kid=ab",
            "pid=<NUM> tid=<ID> jid=<ID> user_id=<ID> userId=<ID> ID=<ID> tid=<NUM> paid=no ssid=x Kid=ab",
        ),
        # the string value of a JSON key named as an id, however short or letters only
        (
            '{"tid":"apr","jid":"e1f","id":"q","user_id":"bob","requestId":"x.y","ID":"Z9","msg":"start"}',
            '{"tid":"<ID>","jid":"<ID>","id":"<ID>","user_id":"<ID>","requestId":"<ID>","ID":"<ID>","msg":"start"}',
        ),
        # not of keys that only end in "id" (`valid`, `paid`, `ssid`), nor a number or an empty value
        (
            '{"valid":"yes","paid":"no","ssid":"home","kid":"a b","id":"","Id": "spaced","xid":42}',
            '{"valid":"yes","paid":"no","ssid":"home","kid":"a b","id":"","Id": "spaced","xid":<NUM>}',
        ),
        # random ids of both cases and digits: one shape for every Postfix queue id and session
        (
            "4WyGg7EoVB: to=<[EMAIL]>, status=deferred lmtp<37699><qmUvejPYx4VUv9Q2JP6lMs> 4Xom5Yy1s7",
            "<ID>: to=<[EMAIL]>, status=deferred lmtp<<NUM>><<ID>> <ID>",
        ),
        # names with digits stay (few switches, or a word inside); a leading number is a number
        (
            "Win32Exception IPv4Address iPhone15 DB2Admin Base64Decoder 3Abcdefgh abc123XYZ",
            "Win32Exception IPv4Address iPhone15 DB2Admin Base64Decoder <NUM>Abcdefgh abc123XYZ",
        ),
        # from 16 characters a random id is one whatever words it seems to hold; too short, or
        # joined to a word by a dash or an underscore, it stays
        (
            "lwQBHzdwdrX5h6fRWjzTOE96 aB3dE5g web-4WyGg7EoVB a_4WyGg7EoVB x4WyGg7EoVB 4WyGg7EoVB-x",
            "<ID> aB3dE5g web-<NUM>WyGg7EoVB a_4WyGg7EoVB <ID> <NUM>WyGg7EoVB-x",
        ),
        # six or seven hex characters switching between digits and letters twice or more are an
        # id too (rspamd's task tag, a short commit); a key type, a size or a word with digits stay
        (
            "<c261cd>; map; error commit e41d07c ED25519 65536b cafe12 <644cdf>",
            "<<HEX>>; map; error commit <HEX> ED25519 <NUM>b cafe12 <<NUM>cdf>",
        ),
        # an ISO 8601 time in the text: its hour is a number too, so one shape over the hours
        (
            "2024-06-04T14:14:49.755Z retrying at 2024-06-04T13:05:00+02:00 (T14 stays)",
            "<NUM>-<NUM>-<NUM>T<NUM>:<NUM>:<NUM>Z retrying at"
            " <NUM>-<NUM>-<NUM>T<NUM>:<NUM>:<NUM>+<NUM>:<NUM> (T14 stays)",
        ),
    ],
)
def test_message_shape_masks_variable_parts(message: str, shape: str) -> None:
    assert message_shape(message) == shape


def test_the_model_reads_a_shape_with_camel_case_split_and_digits_glued_to_words_dropped() -> None:
    assert embedding_text("getAllCellInfo blocked for Package_for_KB3185319 via ssh2 port <NUM>") == (
        "get All Cell Info blocked for Package_for_KB via ssh port <NUM>"
    )


def test_a_long_trace_keeps_our_innermost_frame_even_below_library_frames() -> None:
    """The frame every surface shows (our code's, `stacktrace.fold`) survives the cap at store
    time, though the root cause's top frames are the JDK's."""
    library = [f"\tat java.net.SocketInputStream.read{i}(SocketInputStream.java:{i})" for i in range(12)]
    lines = [
        "ERROR payment failed",
        "org.acme.PaymentException: charge failed",
        *[f"\tat org.springframework.web.Dispatcher.call{i}(Dispatcher.java:{i})" for i in range(120)],
        "Caused by: java.net.SocketTimeoutException: Read timed out",
        *library,
        "\tat com.acme.pay.Gateway.charge(Gateway.java:88)",
        *[f"\tat org.springframework.web.Filter.run{i}(Filter.java:{i})" for i in range(60)],
    ]
    message = "\n".join(lines)
    assert len(message) > 4000
    capped = cap_message(message, 4000)
    assert len(capped) <= 4000
    kept = capped.split("\n")
    assert kept[0] == "ERROR payment failed"
    assert "Caused by: java.net.SocketTimeoutException: Read timed out" in kept
    assert "\tat com.acme.pay.Gateway.charge(Gateway.java:88)" in kept

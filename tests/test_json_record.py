"""JSON log records from the common shippers: our fields found whatever they are called."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sre_agent.connectors import FileLogstore
from sre_agent.connectors.json_record import record_from_object
from sre_agent.connectors.json_values import epoch_time, numeric_level
from sre_agent.connectors.text_lines import record_start
from sre_agent.models import LogQuery

T = datetime(2024, 3, 12, 14, 5, 16, 564000, tzinfo=UTC)
ISO = "2024-03-12T14:05:16.564Z"


@pytest.mark.parametrize(
    "shipper, obj, expected",
    [
        (
            "zap",
            {"level": "error", "ts": T.timestamp(), "caller": "h.go:42", "msg": "GetMembership failed"},
            ("ERROR", None, None, "GetMembership failed", {"caller": "h.go:42"}),
        ),
        (
            "pino",
            {"level": 50, "time": int(T.timestamp() * 1000), "hostname": "pod-1", "msg": "boom", "pid": 7},
            ("ERROR", None, "pod-1", "boom", {"pid": 7}),
        ),
        (
            "ECS, dotted",
            {"@timestamp": ISO, "log.level": "warn", "message": "slow", "service.name": "membership-api"},
            ("WARN", "membership-api", None, "slow", {}),
        ),
        (
            "ECS, nested",
            {
                "@timestamp": ISO,
                "log": {"level": "error", "logger": "db"},
                "message": "x",
                "service": {"name": "m"},
            },
            ("ERROR", "m", None, "x", {"log": {"level": "error", "logger": "db"}}),
        ),
        (
            "OpenTelemetry",
            {
                "timeUnixNano": str(int(T.timestamp() * 1e9)),
                "severityNumber": 17,
                "body": {"stringValue": "boom"},
            },
            ("ERROR", None, None, "boom", {}),
        ),
        (
            "Google Cloud",
            {"severity": "WARNING", "timestamp": ISO, "jsonPayload": {"message": "slow", "latency": 3}},
            ("WARN", None, None, "slow", {"jsonPayload": {"message": "slow", "latency": 3}}),
        ),
        (
            "Docker json-file",
            {"log": "ERROR upstream reset\n", "stream": "stderr", "time": ISO},
            ("ERROR", None, None, "ERROR upstream reset", {"stream": "stderr"}),
        ),
        (
            "Serilog",
            {"@t": ISO, "@l": "Error", "@mt": "GetMembership failed for {UserId}", "UserId": 123},
            ("ERROR", None, None, "GetMembership failed for 123", {}),
        ),
        (
            "journald",
            {"__REALTIME_TIMESTAMP": str(int(T.timestamp() * 1e6)), "PRIORITY": "3", "MESSAGE": "oops"},
            ("ERROR", None, None, "oops", {}),
        ),
        (
            "capitalised names",
            {"Timestamp": ISO, "Level": "Warning", "Message": "disk 91% full"},
            ("WARN", None, None, "disk 91% full", {}),
        ),
        (
            "MongoDB 4.4+ (relaxed extended JSON)",
            {
                "t": {"$date": "2024-03-12T14:05:16.564+00:00"},
                "s": "W",
                "c": "COMMAND",
                "id": 51803,
                "ctx": "conn12",
                "msg": "Slow query",
                "attr": {"ns": "orders.items", "durationMillis": 1500},
            },
            (
                "WARN",
                None,
                None,
                "Slow query",
                {
                    "c": "COMMAND",
                    "id": 51803,
                    "ctx": "conn12",
                    "attr": {"ns": "orders.items", "durationMillis": 1500},
                },
            ),
        ),
        (
            "MongoDB debug verbosity",
            {"t": {"$date": ISO}, "s": "D2", "c": "STORAGE", "msg": "WT checkpoint"},
            ("DEBUG", None, None, "WT checkpoint", {"c": "STORAGE"}),
        ),
        (
            "a short field named s that is no level",
            {"ts": ISO, "s": 12, "msg": "took a while"},
            (None, None, None, "took a while", {"s": 12}),
        ),
        (
            "a short field named s with a word that is no level",
            {"ts": ISO, "s": "abc", "msg": "took a while"},
            (None, None, None, "took a while", {"s": "abc"}),
        ),
        (
            "an RPC logger without a message field",
            {"ts": ISO, "sev": "E", "svc": "membership", "rpc": "GetMembership", "status": "UNAVAILABLE"},
            (
                "ERROR",
                "membership",
                None,
                "svc=membership rpc=GetMembership status=UNAVAILABLE",
                {"status": "UNAVAILABLE"},
            ),
        ),
    ],
)
def test_the_fields_of_common_shippers_are_found(shipper: str, obj: dict[str, Any], expected: tuple) -> None:
    record = record_from_object(obj, source="f.jsonl", line=1)
    level, service, host, message, rest = expected
    assert record.timestamp == T, shipper
    assert (record.level, record.service, record.host, record.message) == (level, service, host, message)
    assert record.fields == rest


@pytest.mark.parametrize(
    "obj, host, rest",
    [
        # an HPC event log
        ({"node": "node-181", "component": "unix.hw"}, "node-181", {"component": "unix.hw"}),
        ({"Computer": "WIN-7QK2", "EventID": 7031}, "WIN-7QK2", {"EventID": 7031}),  # a Windows event
        ({"agent": {"hostname": "web-3"}}, "web-3", {}),  # Beats
        ({"kubernetes": {"node": {"name": "gke-pool-1-x8kq"}}}, "gke-pool-1-x8kq", {}),
        # a field that says "host" wins, the others stay fields: a Redis Cluster's node is its id
        ({"host": "cache-2", "node": "07c37dfeb235213a"}, "cache-2", {"node": "07c37dfeb235213a"}),
        ({"pod": "cart-7d9f", "k8s.node.name": "gke-x8kq"}, "cart-7d9f", {"k8s.node.name": "gke-x8kq"}),
    ],
)
def test_the_machine_is_read_from_the_names_systems_give_it(
    obj: dict[str, Any], host: str, rest: dict
) -> None:
    record = record_from_object({"timestamp": ISO, "message": "m", **obj}, source="f", line=1)
    assert record.host == host
    assert record.fields == rest


def test_a_configs_own_names_come_before_the_usual_ones() -> None:
    obj = {"time": ISO, "msg": "m", "user": "bob", "customer": "8812"}
    record = record_from_object(obj, source="f", aliases={"user_id": ["customer"]})
    assert record.user_id == "8812"
    assert record.fields == {"user": "bob"}


def test_a_record_without_a_time_is_an_error_that_names_what_was_looked_for() -> None:
    with pytest.raises(ValueError, match="missing field 'timestamp'"):
        record_from_object({"msg": "no time here"}, source="f")


@pytest.mark.parametrize(
    "value, expected",
    [
        (1710252316, datetime(2024, 3, 12, 14, 5, 16, tzinfo=UTC)),
        ("1710252316564", datetime(2024, 3, 12, 14, 5, 16, 564000, tzinfo=UTC)),
        (1710252316564000, datetime(2024, 3, 12, 14, 5, 16, 564000, tzinfo=UTC)),
        ("1710252316564000000", datetime(2024, 3, 12, 14, 5, 16, 564000, tzinfo=UTC)),
        ("2024-03-12", None),
        (True, None),
    ],
)
def test_epoch_times_are_read_in_the_unit_their_size_tells(value: object, expected: datetime | None) -> None:
    assert epoch_time(value) == expected


@pytest.mark.parametrize(
    "value, key, expected",
    [
        (30, "level", "INFO"),
        (40, "level", "WARN"),
        (60, "level", "FATAL"),
        ("4", "PRIORITY", "WARN"),
        (0, "severity", "FATAL"),
        (9, "severityNumber", "INFO"),
        (21, "severityNumber", "FATAL"),
        ("error", "level", None),
    ],
)
def test_numeric_levels(value: object, key: str, expected: str | None) -> None:
    assert numeric_level(value, key) == expected


def test_a_file_of_pino_lines_is_read_and_filtered_by_level(tmp_path: Path) -> None:
    rows = [
        {"level": 30, "time": 1710252316000 + i, "msg": f"GET /v1/users/{i} 200", "hostname": "api-1"}
        for i in range(3)
    ] + [{"level": 50, "time": 1710252317000, "msg": "upstream reset", "hostname": "api-2"}]
    path = tmp_path / "pino.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = FileLogstore(path).fetch(LogQuery(level="WARN"))
    assert result.skipped == 0
    assert [(r.message, r.host, r.level) for r in result.records] == [("upstream reset", "api-2", "ERROR")]


K8S = {"pod_name": "cart-7d9f8c6b5-x2k4p", "namespace_name": "shop", "host": "node-3"}


@pytest.mark.parametrize(
    "inner, expected",
    [
        (
            "12:03:04.120 ERROR c.x.FooImpl#42 TraceID: 4bf92f3577b34da6 charge failed\n",
            ("ERROR", "c.x.FooImpl#42", "ERROR c.x.FooImpl#42 TraceID: 4bf92f3577b34da6 charge failed"),
        ),
        (
            "2024-03-12 14:05:16.564  WARN 1 --- [nio-8080-exec-1] c.s.cart.CartController  : slow cart",
            (
                "WARN",
                "c.s.cart.CartController",
                "WARN 1 --- [nio-8080-exec-1] c.s.cart.CartController  : slow cart",
            ),
        ),
        (
            "14:05:16.564 [http-nio-8080-exec-3] INFO  com.shop.cart.CartService - cart 12 saved",
            (
                "INFO",
                "com.shop.cart.CartService",
                "[http-nio-8080-exec-3] INFO  com.shop.cart.CartService - cart 12 saved",
            ),
        ),
        (
            "2024-03-12T14:05:16.564Z\tERROR\tinternal/cart/handler.go:42\tredis: connection refused",
            (
                "ERROR",
                "internal/cart/handler.go:42",
                "ERROR\tinternal/cart/handler.go:42\tredis: connection refused",
            ),
        ),
        (
            "2024-03-12T14:05:16.564Z\twarn\tcart/handler.go:42\tslow redis",
            ("WARN", "cart/handler.go:42", "warn\tcart/handler.go:42\tslow redis"),
        ),
        (
            'time="2024-03-12T14:05:16Z" level=error msg="redis down"',
            ("ERROR", None, 'time="2024-03-12T14:05:16Z" level=error msg="redis down"'),
        ),
        ("GET /healthz 200", (None, None, "GET /healthz 200")),
    ],
)
def test_a_wrapped_application_line_gives_level_logger_and_service_from_the_pod(
    inner: str, expected: tuple
) -> None:
    obj = {"log": inner, "stream": "stdout", "time": ISO, "kubernetes": K8S}
    record = record_from_object(obj, source="f.jsonl", line=1)
    level, logger, message = expected
    assert (record.level, record.fields.get("logger"), record.message) == (level, logger, message)
    assert (record.host, record.service) == ("cart-7d9f8c6b5-x2k4p", "cart")
    assert record.timestamp == T


def test_a_wrapped_line_with_a_full_time_needs_no_time_of_the_wrappers() -> None:
    record = record_from_object({"log": "2024-03-12 14:05:16,564 ERROR shop.views: boom"}, source="f")
    assert (record.timestamp, record.level, record.fields["logger"]) == (T, "ERROR", "shop.views")
    with pytest.raises(ValueError, match="missing field 'timestamp'"):
        record_from_object({"log": "14:05:16 ERROR shop.views: boom"}, source="f")  # a time of day is no date


def test_a_file_of_wrapped_lines_with_only_a_time_of_day_takes_the_files_date(tmp_path: Path) -> None:
    path = tmp_path / "pods.jsonl"
    lines = [
        {"log": "12:03:04.120 INFO c.x.FooImpl#40 started", "kubernetes": K8S},
        {"log": "12:03:05.250 ERROR c.x.FooImpl#42 TraceID: 4bf92f35 charge failed", "kubernetes": K8S},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    day = datetime(2024, 3, 12, 18, 0, tzinfo=UTC)
    os.utime(path, (day.timestamp(), day.timestamp()))
    result = FileLogstore(path).fetch(LogQuery())
    assert result.skipped == 0
    assert [(r.timestamp, r.level, r.service) for r in result.records] == [
        (datetime(2024, 3, 12, 12, 3, 4, 120000, tzinfo=UTC), "INFO", "cart"),
        (datetime(2024, 3, 12, 12, 3, 5, 250000, tzinfo=UTC), "ERROR", "cart"),
    ]


def test_a_wrapped_json_line_is_read_as_the_record_with_the_wrappers_fields_beside_it() -> None:
    inner = json.dumps({"level": "warn", "msg": "retrying payment", "trace_id": "abc123def", "logger": "pay"})
    obj = {"log": inner + "\n", "time": ISO, "kubernetes": K8S | {"labels": {"app": "checkout"}}}
    record = record_from_object(obj, source="f")
    assert (record.message, record.level, record.request_id) == ("retrying payment", "WARN", "abc123def")
    assert (record.service, record.host, record.timestamp) == ("checkout", "cart-7d9f8c6b5-x2k4p", T)
    assert record.fields["logger"] == "pay"


def test_a_service_field_wins_over_the_pod_name() -> None:
    obj = {"log": "INFO ok", "time": ISO, "service": "basket", "pod": "cart-7d9f8c6b5-x2k4p"}
    assert record_from_object(obj, source="f").service == "basket"


def test_a_record_with_no_level_is_an_error_when_an_error_field_is_set() -> None:
    trail = {
        "eventTime": ISO,
        "eventVersion": "1.08",
        "awsRegion": "eu-west-1",
        "eventSource": "s3.amazonaws.com",
        "eventName": "PutObject",
        "errorCode": "AccessDenied",
        "errorMessage": "Access Denied",
    }
    record = record_from_object(trail, source="f", line=1)
    assert record.level == "ERROR"
    # no message field: the fields that say something went wrong come first, the rest in their order
    assert record.message == (
        "errorCode=AccessDenied errorMessage=Access Denied eventVersion=1.08 awsRegion=eu-west-1 "
        "eventSource=s3.amazonaws.com eventName=PutObject"
    )
    fine = {k: v for k, v in trail.items() if not k.startswith("error")}
    assert record_from_object(fine, source="f", line=1).level is None
    assert record_from_object({**fine, "error": None, "err": ""}, source="f", line=1).level is None
    said = record_from_object({**trail, "level": "warn"}, source="f", line=1)
    assert said.level == "WARN"  # a level of its own is kept


def test_a_cloudwatch_log_group_names_the_service_by_its_last_part() -> None:
    def exported(group: str) -> dict:
        return {
            "logGroupName": group,
            "logStreamName": "2024/06/04/[42]5a6e9f8ffebb7e6386907a1b7cd59188",
            "timestamp": "2024-06-04T14:14:47.925Z",
            "message": "START RequestId: f80a3c11-816b-476f-b86f-31cd3ee282f8 Version: 42\n",
            "ingestionTime": 1717510489424,
        }

    lambda_ = record_from_object(exported("/aws/lambda/orders-api-prod-createOrder"), source="x")
    assert (lambda_.service, lambda_.message) == (
        "orders-api-prod-createOrder",
        "START RequestId: f80a3c11-816b-476f-b86f-31cd3ee282f8 Version: 42",
    )
    assert record_from_object(exported("/ecs/checkout/"), source="x").service == "checkout"
    named = {**exported("/aws/lambda/x"), "service": "payments"}
    assert record_from_object(named, source="x").service == "payments"  # a service field comes first


def test_a_time_under_an_unusual_name_is_read_and_an_audit_level_is_no_severity() -> None:
    audit = {
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "level": "Metadata",
        "auditID": "8f1a62b4-9356-4166-998c-2ac582af2904",
        "verb": "list",
        "requestURI": "/apis/batch/v1/jobs",
        "responseStatus": {"code": 429, "reason": "TooManyRequests"},
        "requestReceivedTimestamp": "2026-12-09T15:58:00.000000Z",
        "stageTimestamp": "2026-12-09T15:58:00.004211Z",
    }
    record = record_from_object(audit, source="audit.log")
    assert record.timestamp == datetime(2026, 12, 9, 15, 58, tzinfo=UTC)  # the first named like a time
    assert record.level is None and record.fields["level"] == "Metadata"
    assert record_from_object({**audit, "level": "warning"}, source="x").level == "WARN"
    assert record_from_object({**audit, "level": 50}, source="x").level == "ERROR"  # pino's number
    with pytest.raises(ValueError, match="missing field 'timestamp'"):
        record_from_object({"msg": "x", "requestTimestamp": "not a time"}, source="x")


@pytest.mark.parametrize(
    ("message", "level"),
    [
        ('at=error code=H12 desc="Request timeout" method=POST path="/checkout" status=503', "ERROR"),
        ("at=info method=GET path=/ status=200", "INFO"),
        ('level=warn msg="pool nearly full" used=48', "WARN"),
        ("method=GET path=/x lvl=debug", "DEBUG"),
        ('severity="error" msg=x', "ERROR"),
        ("at=checkout step=2 done", None),  # a place, not a level
        ("seat=error", None),  # not a level pair
        ("State changed from up to crashed", None),
    ],
)
def test_a_logfmt_message_kept_whole_gives_its_level(message: str, level: str | None) -> None:
    # a log drain ships Heroku's router lines whole, as the record's message
    record = record_from_object({"timestamp": ISO, "message": message, "dyno": "router"}, source="f", line=1)
    assert record.level == level


def test_a_logfmt_line_read_as_an_object_takes_at_as_its_level_only_when_it_is_one() -> None:
    assert record_from_object({"ts": ISO, "at": "warning", "msg": "x"}, source="f", line=1).level == "WARN"
    placed = record_from_object({"ts": ISO, "at": "checkout", "msg": "x"}, source="f", line=1)
    assert placed.level is None and placed.fields == {"at": "checkout"}


def test_a_klog_line_kept_as_the_message_gives_its_level() -> None:
    shipped = {"time": ISO, "stream": "stderr", "kubernetes": {"pod_name": "kube-apiserver-cp-1"}}
    said = "E0709 14:02:11.123456       1 status.go:71] apiserver received an error"
    assert record_from_object({**shipped, "message": said}, source="f", line=1).level == "ERROR"
    assert record_from_object({**shipped, "message": "W" + said[1:]}, source="f", line=1).level == "WARN"
    assert record_from_object({**shipped, "message": "Trace[1]: END"}, source="f", line=1).level is None


def test_a_message_that_is_a_json_object_is_read_as_the_record() -> None:
    # Fluent Bit kept etcd's zap line whole under `message`: its own level, message and fields count
    zap = (
        '{"level":"warn","ts":"2024-07-09T14:02:11.5Z","caller":"etcdserver/util.go:170",'
        '"msg":"apply request took too long","took":"1.2s"}'
    )
    record = record_from_object({"message": zap, "kubernetes": {"pod_name": "etcd-cp-1"}}, source="f", line=4)
    assert (record.level, record.message, record.host) == ("WARN", "apply request took too long", "etcd-cp-1")
    assert record.timestamp == datetime(2024, 7, 9, 14, 2, 11, 500000, tzinfo=UTC)
    assert record.fields["took"] == "1.2s" and record.fields["caller"] == "etcdserver/util.go:170"
    # one with no message of its own (API Gateway's JSON access line) stays the message
    access = '{ "requestId":"70e4", "httpMethod":"POST", "status":"502", "responseLength":"36" }'
    kept = record_from_object(
        {"timestamp": ISO, "message": access, "logStreamName": "b8e5"}, source="f", line=6
    )
    assert kept.message == access and kept.fields == {"logStreamName": "b8e5"}
    # a message that only looks like one stays as it is
    odd = record_from_object({"time": ISO, "message": "{not json} at all"}, source="f", line=5)
    assert odd.message == "{not json} at all"


@pytest.mark.parametrize(
    ("message", "level"),
    [
        ("Error R14 (Memory quota exceeded)", "ERROR"),  # Heroku's platform errors
        ("Error: connect ECONNREFUSED 10.0.0.5:5432", "ERROR"),
        ("Warning: vm.overcommit_memory is 0", "WARN"),
        ("Fatal error in main loop", "FATAL"),
        ("Errors found: 0", None),
        ("Error", None),
        ("no Error here", None),
    ],
)
def test_a_message_opening_with_a_capitalised_level_word_has_that_level(
    message: str, level: str | None
) -> None:
    assert record_from_object({"timestamp": ISO, "message": message}, source="f", line=1).level == level
    assert (
        record_start(f"2024-03-12T14:05:16Z {message}", source="f", lineno=1, default_year=2024).level
        == level
    )

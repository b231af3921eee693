"""Records as container platforms and the journal ship them: the service and host they name under
their own keys, the application's own level over the shipper's guess, and a stack trace a shipper
stored line by line put back together."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sre_agent.connectors import FileLogstore
from sre_agent.connectors.json_record import record_from_object
from sre_agent.models import LogQuery

ISO = "2025-03-18T09:00:02.123Z"


def _gcp(severity: str, **payload: Any) -> dict[str, Any]:
    return {
        "timestamp": ISO,
        "severity": severity,
        "logName": "projects/shop-prod/logs/stderr",
        "resource": {
            "type": "k8s_container",
            "labels": {
                "container_name": "cart",
                "pod_name": "cart-6d8f7b9c4-abq7d",
                "namespace_name": "shop",
            },
        },
        **payload,
    }


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (  # Google Cloud Logging: the container is the service, the pod the host
            _gcp("ERROR", jsonPayload={"message": "x509: certificate signed by unknown authority"}),
            ("ERROR", "cart", "cart-6d8f7b9c4-abq7d", "x509: certificate signed by unknown authority"),
        ),
        (  # Google's agent calls every stderr line ERROR; the line says INFO at its head
            _gcp("ERROR", textPayload="INFO:cart.api:GET /cart/4985 200 3ms"),
            ("INFO", "cart", "cart-6d8f7b9c4-abq7d", "INFO:cart.api:GET /cart/4985 200 3ms"),
        ),
        (  # a level deep in the text is not the line's own: the shipper's stands
            _gcp("WARNING", textPayload="retrying call to payments, last answer said ERROR 503"),
            ("WARN", "cart", "cart-6d8f7b9c4-abq7d", "retrying call to payments, last answer said ERROR 503"),
        ),
        (  # Cloud Run
            {
                "timestamp": ISO,
                "severity": "INFO",
                "resource": {"labels": {"service_name": "checkout"}},
                "textPayload": "ok",
            },
            ("INFO", "checkout", None, "ok"),
        ),
        (  # the journal: the unit without its `.service`, the machine's name, PRIORITY as the level
            {
                "__REALTIME_TIMESTAMP": "1742288402123000",
                "_HOSTNAME": "worker-07",
                "PRIORITY": "3",
                "SYSLOG_IDENTIFIER": "report-builder",
                "_SYSTEMD_UNIT": "report-builder.service",
                "MESSAGE": "batch failed",
            },
            ("ERROR", "report-builder", "worker-07", "batch failed"),
        ),
        (  # a kernel line has no unit: its program names it
            {
                "__REALTIME_TIMESTAMP": "1742288402123000",
                "_HOSTNAME": "worker-07",
                "PRIORITY": "3",
                "SYSLOG_IDENTIFIER": "kernel",
                "MESSAGE": "Out of memory: Killed process 1432 (java)",
            },
            ("ERROR", "kernel", "worker-07", "Out of memory: Killed process 1432 (java)"),
        ),
    ],
    ids=["gcp-json", "gcp-stderr-info", "gcp-level-deep", "cloud-run", "journal-unit", "journal-kernel"],
)
def test_the_platforms_own_keys_give_service_host_and_level(obj: dict[str, Any], expected: tuple) -> None:
    record = record_from_object(obj, source="x.json", line=1)
    assert (record.level, record.service, record.host, record.message) == expected


def _docker(time: str, log: str, stream: str = "stderr") -> str:
    return json.dumps({"log": log + "\n", "stream": stream, "time": f"2025-03-18T14:02:{time}Z"})


TRACE = [
    _docker(
        "17.234000",
        "2025-03-18 15:02:17.234 ERROR 1 --- [exec-4] c.s.o.OrderService : Failed to create order",
    ),
    _docker(
        "17.234037", "org.springframework.dao.DataAccessResourceFailureException: could not execute statement"
    ),
    _docker("17.234074", "\tat com.shop.orders.service.OrderService.createOrder(OrderService.java:88)"),
    _docker(
        "17.234111",
        "Caused by: org.postgresql.util.PSQLException: ERROR: cannot execute INSERT in a read-only tx",
    ),
    _docker("17.234148", "\t... 24 more"),
]


def test_a_stack_trace_stored_line_by_line_is_one_record(tmp_path: Path) -> None:
    path = tmp_path / "orders-api-docker.log"
    path.write_text(
        "\n".join(
            [
                *TRACE,
                _docker("17.300000", "\tat an.indented.Line(Of.java:1)", stream="stdout"),  # another stream
                _docker("20.500000", "\tat com.shop.Late(Late.java:2)"),  # three seconds on
                _docker(
                    "20.600000", "2025-03-18 15:02:20.600  WARN 1 --- [exec-4] c.s.o.Web : POST /orders 500"
                ),
                json.dumps(
                    {
                        "log": "KafkaError: broker down\n",
                        "level": "error",
                        "stream": "stderr",
                        "time": "2025-03-18T14:02:20.700Z",
                    }
                ),  # a report of its own
            ]
        )
        + "\n"
    )
    records = FileLogstore(path).fetch(LogQuery(limit=100)).records
    assert [(r.line, r.level, len(r.message.splitlines())) for r in records] == [
        (1, "ERROR", 5),
        (6, None, 1),
        (7, None, 1),
        (8, "WARN", 1),
        (9, "ERROR", 1),
    ]
    assert records[0].message.splitlines()[3] == (
        "Caused by: org.postgresql.util.PSQLException: ERROR: cannot execute INSERT in a read-only tx"
    )

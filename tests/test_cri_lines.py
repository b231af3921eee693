"""Container logs as the kubelet writes them (CRI: `<time> <stream> <P|F> <text>`), read from real
files through the file logstore: split lines joined, the text inside read as the record it is
(JSON or an application's line), the container named from the kubelet's file name."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sre_agent.connectors.file import FileLogstore
from sre_agent.connectors.inputs import check_text
from sre_agent.models import LogQuery

POD = "checkout-web-7c9d8f6b5-x7k2p"


def _pino(level: int, ms: int, msg: str, **extra: object) -> str:
    return json.dumps(
        {"level": level, "time": 1796463000000 + ms, "pid": 1, "hostname": POD, **extra, "msg": msg}
    )


def _write(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_split_lines_are_joined_and_the_json_inside_is_the_record(tmp_path: Path) -> None:
    big = _pino(40, 1000, "cart too large to cache", cartId="c-924231", items=["x" * 40] * 3)
    cut = len(big) // 2
    path = _write(
        tmp_path / "web.log",
        [
            f"2026-12-05T09:30:00.000000885Z stdout F {_pino(30, 0, 'server listening')}",
            f"2026-12-05T09:30:01.000000001Z stdout P {big[:cut]}",
            "2026-12-05T09:30:01.000000002Z stderr F plain words on stderr",
            f"2026-12-05T09:30:01.000000003Z stdout F {big[cut:]}",
            f"2026-12-05T09:30:02.000000000Z stdout F {_pino(50, 2000, 'failed to flush analytics batch')}",
        ],
    )
    assert check_text(path) == "cri"
    result = FileLogstore(path).fetch(LogQuery(limit=100))
    assert result.problems == []
    by_message = {record.message: record for record in result.records}
    assert set(by_message) == {
        "server listening",
        "cart too large to cache",
        "plain words on stderr",
        "failed to flush analytics batch",
    }
    joined = by_message["cart too large to cache"]
    assert (joined.level, joined.host, joined.line) == ("WARN", POD, 2)  # the line its first part is on
    assert joined.fields["cartId"] == "c-924231" and joined.fields["stream"] == "stdout"
    assert by_message["failed to flush analytics batch"].level == "ERROR"  # pino's 50
    assert by_message["server listening"].timestamp == datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    # no file name of the kubelet's: the service is the deployment the pod belongs to
    assert by_message["server listening"].service == "checkout-web"
    # a line naming no pod is the same container's: its pod and service are the file's
    said = by_message["plain words on stderr"]
    assert (said.host, said.service) == (POD, "checkout-web")


def test_a_text_line_keeps_its_level_and_its_stack_frames_and_the_kubelets_name_gives_the_container(
    tmp_path: Path,
) -> None:
    name = f"{POD}_shop_web-{'0123456789abcdef' * 4}.log"
    path = _write(
        tmp_path / "var/log/containers" / name,
        [
            "2026-12-05T10:51:49.100000000Z stderr F"
            " 2026-12-05 10:51:49.100 ERROR [main] c.a.Checkout - order failed",
            "2026-12-05T10:51:49.100000100Z stderr F java.lang.IllegalStateException: cache disabled",
            "2026-12-05T10:51:49.100000200Z stderr F \tat com.acme.Checkout.place(Checkout.java:42)",
            "2026-12-05T10:51:50.000000000Z stdout F 2026-12-05 10:51:50.000 INFO [main] c.a.Checkout - ok",
            "not a container line",
        ],
    )
    result = FileLogstore(path).fetch(LogQuery(limit=100))
    failed, ok = result.records
    assert failed.level == "ERROR" and failed.service == "web"
    assert failed.message.splitlines()[1:] == [
        "java.lang.IllegalStateException: cache disabled",
        "\tat com.acme.Checkout.place(Checkout.java:42)",
    ]
    assert (ok.level, ok.message.endswith("ok")) == ("INFO", True)
    assert result.problems == [f"{path}:5: not a container log line (<time> <stdout|stderr> <P|F> <text>)"]


def test_a_native_stack_the_runtime_wrote_line_by_line_is_one_record(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "web.log",
        [
            "2026-12-05T10:51:37.203350231Z stderr F FATAL ERROR: Reached heap limit Allocation failed"
            " - JavaScript heap out of memory",
            "2026-12-05T10:51:37.203500165Z stderr F  1: 0xc98e20 node::Abort() [node]",
            "2026-12-05T10:51:37.203650314Z stderr F  2: 0xb700f3  [node]",
            "2026-12-05T10:51:37.205000093Z stderr F 11: 0x7f2b5fe99ef6 ",
            "2026-12-05T10:51:49.000000000Z stdout F checkout-web starting",
        ],
    )
    fatal, starting = FileLogstore(path).fetch(LogQuery(limit=100)).records
    assert fatal.level == "FATAL"
    assert fatal.message.splitlines()[1:] == [
        " 1: 0xc98e20 node::Abort() [node]",
        " 2: 0xb700f3  [node]",
        "11: 0x7f2b5fe99ef6 ",
    ]
    assert starting.message == "checkout-web starting"

"""Evidence as patterns: what an engineer reads in the answer, exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sre_agent.evidence import differences, render_evidence, rhythm
from sre_agent.shapes import message_shape, pattern_key
from sre_agent.workflows.order import pattern_stats
from sre_agent.workflows.results import ResultLine

T0 = datetime(2026, 3, 1, 2, 10, tzinfo=UTC)


def _line(message: str, shape: str, minute: int = 0, **fields) -> ResultLine:
    at = T0 + timedelta(minutes=minute)
    return ResultLine(message=message, shape=shape, first_seen=at, last_seen=at, **fields)


TIMEOUT = "Expiring session <HEX>, timeout of <NUM>ms exceeded"


def test_lines_alike_but_for_an_id_are_one_pattern_with_every_variant_named() -> None:
    sessions = ["0x14f05578bf60001", "0x14f05578bf60002", "0x24f3fdaf738000a", "0x24f3fdaf738000b", "0x3"]
    lines = [
        _line(f"Expiring session {s}, timeout of 10000ms exceeded", TIMEOUT, i, level="INFO", host="zk-2")
        for i, s in enumerate(sessions)
    ] + [_line("Connection broken for id 3", "Connection broken for id <NUM>", 9, level="WARN")]
    text = render_evidence(lines)
    assert text.splitlines() == [
        "```text",
        " 1. [INFO] ×5 in 5 variants  2026-03-01 02:10:00 → 2026-03-01 02:14:00 (4m)  host=zk-2",
        "    Expiring session 0x14f05578bf60001, timeout of 10000ms exceeded",
        "    Expiring session 0x14f05578bf60002, timeout of 10000ms exceeded",
        "    Expiring session 0x24f3fdaf738000a, timeout of 10000ms exceeded",
        "    … also with: 0x24f3fdaf738000b, 0x3",
        " 2. [WARN] ×1  2026-03-01 02:19:00",
        "    Connection broken for id 3",
        "```",
    ]


def test_the_source_fields_and_the_logs_clock_are_shown() -> None:
    line = _line(
        "Connection reset by peer",
        "Connection reset by peer",
        service="checkout",
        origin="envoy",
        host="pod-7",
        env="prod",
        level="WARN",
    )
    text = render_evidence([line], utc_offset=480)
    assert text.splitlines()[1] == (
        " 1. [WARN] ×1  2026-03-01 10:10:00 (+08:00)  service=checkout from=envoy host=pod-7 env=prod"
    )


def test_the_process_id_is_shown_only_when_every_line_of_the_pattern_has_that_one() -> None:
    reset = _line(
        "fatal: Write failed: Connection reset by peer",
        "fatal: Write failed: Connection reset by peer",
        origin="sshd",
        host="LabSZ",
        pid="25457",
    )
    assert (
        render_evidence([reset]).splitlines()[1]
        == " 1. [-] ×1  2026-03-01 02:10:00  from=sshd host=LabSZ pid=25457"
    )
    shape = "Failed password for root from <IP> port <NUM> ssh2"
    one = [
        _line(f"Failed password for root from 10.0.0.1 port {p} ssh2", shape, i, pid="7")
        for i, p in enumerate((1, 2))
    ]
    assert render_evidence(one).splitlines()[1] == (
        " 1. [-] ×2 in 2 variants  2026-03-01 02:10:00 → 2026-03-01 02:11:00 (1m)  pid=7"
    )
    two = [one[0], one[1].model_copy(update={"pid": "8"})]
    assert (
        render_evidence(two).splitlines()[1]
        == " 1. [-] ×2 in 2 variants  2026-03-01 02:10:00 → 2026-03-01 02:11:00 (1m)"
    )
    # the pattern has lines the variants shown do not hold: their process is not known
    more = [line.model_copy() for line in one]
    more[0].pattern = pattern_stats([int(T0.timestamp() * 1_000_000)] * 3)
    assert render_evidence(more).splitlines()[1].startswith(" 1. [-] ×3 in 2 variants")
    assert "pid=" not in render_evidence(more).splitlines()[1]
    more[0].pattern = pattern_stats([int(T0.timestamp() * 1_000_000)] * 2)
    assert render_evidence(more).splitlines()[1].endswith(" pid=7")


def test_a_pattern_over_several_days_says_its_rhythm() -> None:
    nights = [T0 + timedelta(days=d, minutes=d) for d in (0, 1, 2, 4)]
    stats = pattern_stats([int(t.timestamp() * 1_000_000) for t in nights])
    assert stats is not None
    assert (stats.count, stats.days, stats.span_days, stats.busiest_hours) == (4, 4, 5, [2])
    assert rhythm(stats) == "on 4 of 5 days, mostly 02:00–03:00 UTC"
    line = _line("backup job failed: disk full", "backup job failed: disk full", level="ERROR")
    line.pattern = stats
    assert render_evidence([line]).splitlines()[1:4] == [
        " 1. [ERROR] ×4  2026-03-01 02:10:00 → 2026-03-05 02:14:00 (4d)",
        "    backup job failed: disk full",
        "    (on 4 of 5 days, mostly 02:00–03:00 UTC)",
    ]
    one_day = pattern_stats([int(T0.timestamp() * 1_000_000)])
    assert rhythm(one_day) is None


def test_differences_name_what_changed() -> None:
    assert differences("user 1 failed on port 22", "user 7 failed on port 2222") == "7 2222"
    assert differences("a b", "a b c") == "a b c"


def test_a_pattern_on_several_hosts_names_them_all_not_its_first_lines_host() -> None:
    stamps = [int((T0 + timedelta(minutes=m)).timestamp() * 1_000_000) for m in range(45)]
    failed = "bulk index failed on batch <NUM>"
    lines = [
        _line(f"bulk index failed on batch {n}", failed, n, level="ERROR", host="idx-3") for n in (687, 688)
    ]
    for line in lines:
        line.pattern = pattern_stats(stamps)
        assert line.pattern is not None
        line.pattern.hosts = {"idx-3": 16, "idx-1": 15, "idx-2": 12, "idx-4": 2}
    heading = render_evidence(lines).splitlines()[1]
    assert heading == (
        " 1. [ERROR] ×45 in 2 variants  2026-03-01 02:10:00 → 2026-03-01 02:54:00 (44m)"
        "  hosts=idx-3×16,idx-1×15,idx-2×12,+1 more"
    )
    for line in lines:
        assert line.pattern is not None
        line.pattern.hosts = {"idx-3": 45}  # every line on one host: that host, as before
    assert render_evidence(lines).splitlines()[1].endswith("(44m)  host=idx-3")


def test_a_pattern_of_several_levels_says_how_many_lines_each_holds() -> None:
    stamps = [int((T0 + timedelta(minutes=m)).timestamp() * 1_000_000) for m in range(849)]
    done = "request completed status=<NUM>"
    lines = [
        _line(f"request completed status={s}", done, n, level=lv)
        for n, (s, lv) in enumerate([(504, "ERROR"), (200, "INFO")])
    ]
    for line in lines:
        line.pattern = pattern_stats(stamps)
        assert line.pattern is not None
        line.pattern.levels = {"INFO": 825, "ERROR": 24}
    heading = render_evidence(lines).splitlines()[1]
    assert heading.startswith(" 1. [ERROR] ×849 (ERROR×24, INFO×825) in 2 variants  ")
    for line in lines:
        assert line.pattern is not None
        line.pattern.levels = {"ERROR": 849}  # one level: nothing more to say
    assert render_evidence(lines).splitlines()[1].startswith(" 1. [ERROR] ×849 in 2 variants  ")


def test_a_long_line_keeps_what_the_question_named() -> None:
    message = "Replica SQL failed: " + "x" * 250 + " Duplicate entry '918273' for key " + "y" * 250 + " end"
    line = _line(message, message, level="ERROR")
    assert "Duplicate entry '918273'" not in render_evidence([line])
    assert "Duplicate entry '918273'" in render_evidence([line], keep=["'918273'"])


def test_lines_alike_but_for_a_quoted_request_are_one_entry_with_their_counts_added() -> None:
    def nginx(path: str, minute: int, count: int, host: str) -> ResultLine:
        message = f'connect() failed (111: Connection refused), request: "GET {path} HTTP/1.1"'
        shape = message_shape(message)
        stamps = [int((T0 + timedelta(minutes=minute + n)).timestamp() * 1_000_000) for n in range(count)]
        stats = pattern_stats(stamps)
        assert stats is not None
        stats.hosts, stats.levels = {host: count}, {"ERROR": count}
        return _line(message, shape, minute, level="ERROR", pattern=stats)

    lines = [nginx("/v1/orders/17", 0, 99, "lb-1"), nginx("/v1/cart/items", 5, 121, "lb-2")]
    assert lines[0].shape != lines[1].shape  # two shapes: the paths differ in words
    rows = render_evidence(lines).splitlines()
    assert rows[1] == (
        " 1. [ERROR] ×220 in 2 variants  2026-03-01 02:10:00 → 2026-03-01 04:15:00 (2h 5m)"
        "  hosts=lb-2×121,lb-1×99"
    )
    assert [row.startswith(" 2.") for row in rows].count(True) == 0
    assert pattern_key(lines[0].shape) == pattern_key(lines[1].shape)


def test_lines_counted_holding_the_questions_ids_say_so_and_are_not_added_to_the_others() -> None:
    def refused(upstream: str, count: int, holding: list[str]) -> ResultLine:
        message = f'connect() failed (111: Connection refused), upstream: "http://{upstream}:9090/v1/orders"'
        stamps = [int((T0 + timedelta(minutes=n)).timestamp() * 1_000_000) for n in range(count)]
        stats = pattern_stats(stamps)
        assert stats is not None
        stats.holding = holding
        return _line(message, message_shape(message), level="ERROR", pattern=stats)

    phrase = "connect() failed (111: Connection refused)"
    lines = [refused("10.0.3.21", 10, [phrase, "10.0.3.21"]), refused("10.0.3.22", 15, [])]
    rows = [row for row in render_evidence(lines).splitlines() if row[:3] in (" 1.", " 2.")]
    assert rows == [
        " 1. [ERROR] ×10 with 'connect() failed (111: C…' and 10.0.3.21"
        "  2026-03-01 02:10:00 → 2026-03-01 02:19:00 (9m)",
        " 2. [ERROR] ×15  2026-03-01 02:10:00 → 2026-03-01 02:24:00 (14m)",
    ]

"""Root causes survive formatting: a stack trace in the evidence keeps its first line, its `Caused
by:` chain and the innermost frames of our code, with the middle frames folded and counted, in the
CLI answer, the LLM's tool text, the run picture and the Slack answer. End to end over a real
plain-text log file (continuation lines join the timestamped line's record), real LanceDB and the
real local embedding model, with no service config (cold)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fakes.slack_server import serve_slack
from slack_harness import running_bot
from typer.testing import CliRunner

from sre_agent.cli import app
from sre_agent.settings import get_settings
from sre_agent.stacktrace import LINE_CHARS, display_lines, fold, is_trace, one_line

runner = CliRunner()

TRACE = """\
OrderService - Failed to process order 42 for user 123
java.lang.IllegalStateException: could not save order 42
\tat com.acme.orders.OrderService.save(OrderService.java:88)
\tat com.acme.orders.OrderController.create(OrderController.java:41)
\tat sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
\tat java.lang.reflect.Method.invoke(Method.java:498)
\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)
Caused by: org.springframework.dao.DataAccessResourceFailureException: could not get a connection
\tat org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:82)
\tat com.acme.orders.OrderRepository.insert(OrderRepository.java:57)
\tat com.acme.orders.OrderService.save(OrderService.java:85)
\t... 5 more
Caused by: java.net.SocketTimeoutException: connect timed out to db-primary:5432
\tat java.base/java.net.PlainSocketImpl.socketConnect(Native Method)
\tat java.base/java.net.Socket.connect(Socket.java:609)
\tat com.acme.db.ConnectionPool.open(ConnectionPool.java:121)
\tat com.acme.db.ConnectionPool.borrow(ConnectionPool.java:77)
\tat org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:80)
\t... 9 more"""

#: The trace as every surface shows it: the library frames of the deepest cause and every frame of
#: the outer exception are folded; the three innermost frames of com.acme stay.
FOLDED = [
    "OrderService - Failed to process order 42 for user 123",
    "java.lang.IllegalStateException: could not save order 42",
    "  … 5 frames folded",
    "Caused by: org.springframework.dao.DataAccessResourceFailureException: could not get a connection",
    "  … 1 frame folded",
    "  at com.acme.orders.OrderRepository.insert(OrderRepository.java:57)",
    "  … 6 frames folded",
    "Caused by: java.net.SocketTimeoutException: connect timed out to db-primary:5432",
    "  … 2 frames folded",
    "  at com.acme.db.ConnectionPool.open(ConnectionPool.java:121)",
    "  at com.acme.db.ConnectionPool.borrow(ConnectionPool.java:77)",
    "  … 10 frames folded",
]

PYTHON = """\
payment worker crashed
Traceback (most recent call last):
  File "/usr/lib/python3.12/site-packages/psycopg/connection.py", line 120, in connect
    raise ex.with_traceback(None)
psycopg.OperationalError: connection refused

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/app/payments/worker.py", line 88, in run
    self.charge(job)
  File "/app/payments/charge.py", line 31, in charge
    conn = pool.get()
           ^^^^^^^^^^
  File "/usr/lib/python3.12/site-packages/psycopg_pool/pool.py", line 200, in get
    raise PoolTimeout() from e
psycopg_pool.PoolTimeout: couldn't get a connection after 30 sec"""


def _write_log(folder: Path) -> Path:
    """A service's plain-text log: requests around one failure whose trace follows its ERROR line."""
    thread = "[http-nio-8080-exec-3]"
    body, _, _ = TRACE.partition("\n")
    rest = TRACE.split("\n", 1)[1]
    path = folder / "orders.log"
    path.write_text(
        f"2024-05-02 10:14:58,001 INFO  {thread} c.a.o.OrderController - POST /orders user=123 order=42\n"
        f"2024-05-02 10:14:58,120 INFO  {thread} c.a.o.OrderService - reserving stock for order 42\n"
        f"2024-05-02 10:15:28,512 ERROR {thread} c.a.o.{body}\n{rest}\n"
        f"2024-05-02 10:15:28,530 INFO  {thread} c.a.o.OrderController - POST /orders -> 500 in 30529 ms\n"
        "2024-05-02 10:15:30,002 INFO  [scheduler-1] c.a.s.Health - health check ok\n",
        encoding="utf-8",
    )
    return path


def _block(text: str) -> list[str]:
    """The answer's rows from the traced ERROR line on, without the indentation and padding of the
    surface (a Rich code block, a Slack code fence), down to the last folded frame."""
    rows = [row.strip() for row in text.splitlines()]
    start = next(n for n, row in enumerate(rows) if row.endswith("Failed to process order 42 for user 123"))
    return rows[start : start + len(FOLDED)]


EXPECTED_ROWS = ["ERROR [http-nio-8080-exec-3] c.a.o." + FOLDED[0], *(row.strip() for row in FOLDED[1:])]


# ------------------------------------------------------------------------------------ the fold


def test_a_java_trace_keeps_its_causes_and_our_innermost_frames() -> None:
    assert fold(TRACE) == FOLDED
    assert one_line(TRACE, 300, frames=0) == (
        "OrderService - Failed to process order 42 for user 123 ⏎ "
        "java.lang.IllegalStateException: could not save order 42 ⏎ … 5 frames folded ⏎ "
        "Caused by: org.springframework.dao.DataAccessResourceFailureException: could not get a connection"
        " ⏎ … 8 frames folded ⏎ "
        "Caused by: java.net.SocketTimeoutException: connect timed out to db-primary:5432 ⏎ "
        "… 14 frames folded"
    )


def test_a_chained_python_traceback_keeps_both_errors_and_our_innermost_frames() -> None:
    # Python prints the root cause first and the innermost frame last; carets and blanks go.
    assert fold(PYTHON) == [
        "payment worker crashed",
        "Traceback (most recent call last):",
        "  … 1 frame folded",
        "psycopg.OperationalError: connection refused",
        "The above exception was the direct cause of the following exception:",
        "Traceback (most recent call last):",
        '  File "/app/payments/worker.py", line 88, in run',
        "    self.charge(job)",
        '  File "/app/payments/charge.py", line 31, in charge',
        "    conn = pool.get()",
        "  … 1 frame folded",
        "psycopg_pool.PoolTimeout: couldn't get a connection after 30 sec",
    ]


def test_when_no_frame_is_ours_the_deepest_cause_keeps_its_innermost_frames() -> None:
    trace = "\n".join(
        [
            "request failed",
            "java.lang.RuntimeException: wrapped",
            "\tat org.springframework.web.Filter.doFilter(Filter.java:10)",
            "Caused by: java.io.IOException: broken pipe",
            "\tat java.base/sun.nio.ch.IOUtil.write(IOUtil.java:62)",
            "\tat java.base/sun.nio.ch.SocketChannelImpl.write(SocketChannelImpl.java:462)",
            "\tat javax.net.ssl.SSLSocket.write(SSLSocket.java:99)",
            "\tat org.springframework.web.Filter.doFilter(Filter.java:9)",
        ]
    )
    assert fold(trace, frames=2) == [
        "request failed",
        "java.lang.RuntimeException: wrapped",
        "  … 1 frame folded",
        "Caused by: java.io.IOException: broken pipe",
        "  at java.base/sun.nio.ch.IOUtil.write(IOUtil.java:62)",
        "  at java.base/sun.nio.ch.SocketChannelImpl.write(SocketChannelImpl.java:462)",
        "  … 2 frames folded",
    ]


def test_a_node_trace_folds_the_dependencies_and_keeps_our_frames() -> None:
    trace = "\n".join(
        [
            "checkout failed",
            "Error: payment declined for order 42",
            "    at Object.charge (/app/node_modules/stripe/lib/charge.js:40:11)",
            "    at processTicksAndRejections (node:internal/process/task_queues:95:5)",
            "    at async chargeCard (/app/src/payments.js:31:7)",
            "    at async /app/src/routes/checkout.js:12:3",
            "    at async Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)",
        ]
    )
    assert fold(trace) == [
        "checkout failed",
        "Error: payment declined for order 42",
        "  … 2 frames folded",
        "  at async chargeCard (/app/src/payments.js:31:7)",
        "  at async /app/src/routes/checkout.js:12:3",
        "  … 1 frame folded",
    ]


def test_a_message_without_frames_keeps_its_start_and_its_end() -> None:
    message = "deploy finished\nat noon (UTC) the config was reloaded " + "x" * 300 + " -> result: FAILED"
    assert not is_trace(message)
    assert fold(message) == message.split("\n")
    # 27 characters of its start and 13 of its end (a third of 40), then ⏎ for the line break; the
    # start runs on to the end of "UTC" (one character the end gives back), the end begins after
    # the "result" it would split
    assert one_line(message, 40) == "deploy finished ⏎ at noon (UTC … : FAILED"
    assert one_line("short enough", 12) == "short enough"
    # one word longer than what the end gives back, and no word boundary left in the end: cut as is
    assert one_line("x" * 13, 12) == "x" * 8 + " … " + "x" * 4


@pytest.mark.parametrize(
    ("line", "max_chars", "cut"),
    [
        # the start runs on to the end of the error's name (17 characters the end gives back)
        (
            "503 UF,URX upstream_reset{TLS_error:CERTIFICATE_VERIFY_FAILED} " + "y " * 40 + "done",
            66,
            "503 UF,URX upstream_reset{TLS_error:CERTIFICATE_VERIFY_FAILED … done",
        ),
        # a word with more than WORD_ROOM (24) characters past the cut: cut where it falls
        ("a " * 28 + "b" * 40 + " tail end of it", 90, "a " * 28 + "bbbb … tail end of it"),
        # "five" ends the start; the end "nine ten" splits no word
        ("one two three four five six seven eight nine ten", 31, "one two three four five … nine ten"),
        # the start ends "seven"; the end would begin inside "eight": it begins after it
        (
            "one two three four five six seven eight nine ten",
            44,
            "one two three four five six seven … nine ten",
        ),
    ],
)
def test_a_cut_line_splits_no_word_where_it_can_be_helped(line: str, max_chars: int, cut: str) -> None:
    assert one_line(line, max_chars) == cut


# ------------------------------------------------------------------------------ the surfaces


def test_the_cli_answer_the_tool_text_and_the_run_picture_keep_the_root_cause(
    cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = tmp_path / "no-configs"
    cold.mkdir()
    monkeypatch.setenv("SRE_AGENT_CONFIGS_DIR", str(cold))
    get_settings.cache_clear()
    log = _write_log(tmp_path)

    asked = runner.invoke(
        app,
        ["ask", "why did order 42 fail?", "--logs", str(log), "--session", "orders"],
        env={"COLUMNS": "200"},
    )
    assert asked.exit_code == 0, asked.output
    assert _block(asked.stdout) == EXPECTED_ROWS
    assert "FrameworkServlet" not in asked.stdout  # a middle frame, folded

    run_id = re.search(r"run (\d{8}-\d{6}-[0-9a-f]{6})", asked.output)
    assert run_id, asked.output
    page_file = tmp_path / "run.html"
    shown = runner.invoke(
        app, ["runs", "show", run_id.group(1), "--html", str(page_file)], env={"COLUMNS": "200"}
    )
    assert shown.exit_code == 0, shown.output
    page = page_file.read_text(encoding="utf-8")

    # The retrieved line, folded, then the whole message as stored behind a click.
    cell = re.search(r'<td class="msg">(.*?)<details class="whole">', page, re.S)
    assert cell, "the traced line is in the retrieved lines"
    assert cell.group(1) == "ERROR [http-nio-8080-exec-3] c.a.o." + "\n".join(FOLDED)
    # The text the LLM's tools return (recorded as the tool call's result) keeps it on one line.
    tool_text = "ERROR [http-nio-8080-exec-3] c.a.o." + " ⏎ ".join(row.strip() for row in FOLDED)
    assert tool_text in page
    # The answer in the page is the CLI's Markdown: the same rows, in its evidence code block.
    answer = re.search(r'<section id="answer">.*?<pre>(.*?)</pre>', page, re.S)
    assert answer and _block(answer.group(1)) == EXPECTED_ROWS


def test_the_slack_answer_keeps_the_root_cause(tmp_path: Path, embedder) -> None:
    log = _write_log(tmp_path)
    cold = tmp_path / "no-configs"
    cold.mkdir()
    with (
        serve_slack(streaming=False) as slack,
        running_bot(
            tmp_path / "bot", slack, embedder, bot_logs=log, bot_service=None, configs_dir=cold
        ) as bot,
    ):
        ts, _ = bot.mention("why did order 42 fail?")
        answer = "\n".join(bot.wait_answer("C0OPS", ts))
    assert _block(answer) == EXPECTED_ROWS
    assert "FrameworkServlet" not in answer


def test_a_traces_first_line_keeps_twice_the_room_of_its_other_lines() -> None:
    prefix = "[req-4e5d559d-3cb6-44ef-89fb-c623902d9d83 " + "b8fc22f07da65874b7351bbc07a6f281 " * 4
    headline = prefix + "- default default] Instance failed to spawn: HypervisorUnavailable on host: cmp-09"
    frame = '  File "/usr/lib/python3/dist-packages/nova/virt/' + "x" * 300 + '.py", line 7, in spawn'
    trace = f"{headline}\nTraceback (most recent call last):\n{frame}\n    raise HypervisorUnavailable()\n"
    trace += "nova.exception.HypervisorUnavailable: Connection to the hypervisor is broken"
    lines = display_lines(trace, 300)
    assert len(headline) > LINE_CHARS and lines[0] == headline  # whole: what went wrong, and where
    assert all(len(line) <= LINE_CHARS + len(" … ") for line in lines[1:])
    assert any(" … " in line for line in lines[1:])  # the long frame is still cut
    assert display_lines("x" * 600 + "\n  at a.b(C.java:1)", 300)[0] == "x" * 320 + " … " + "x" * 160


MYSQL = (
    "15 [ERROR] [MY-010584] [Repl] Replica SQL for channel '': Worker 1 failed executing transaction "
    "'ANONYMOUS' at source log mysql-bin.000342, end_log_pos 88123411; Could not execute Write_rows event "
    "on table shop.orders; Duplicate entry '918273' for key 'orders.PRIMARY', Error_code: 1062; handler "
    "error HA_ERR_FOUND_DUPP_KEY; the event's source log mysql-bin.000342, end_log_pos 88123411, "
    "Error_code: MY-001062"
)


def test_a_cut_line_keeps_the_stretch_holding_what_the_question_named() -> None:
    plain = display_lines(MYSQL, 300)[0]
    assert "Duplicate entry" not in plain  # the start and the end leave it out
    kept = display_lines(MYSQL, 300, keep=["'918273'"])[0]
    assert kept == (
        "15 [ERROR] [MY-010584] [Repl] Replica SQL for channel '': Worker 1 failed executing transaction"
        " … event on table shop.orders; Duplicate entry '918273' for key 'orders.PRIMARY', Error_code:"
        " 1062; … the event's source log mysql-bin.000342, end_log_pos 88123411, Error_code: MY-001062"
    )
    assert len(kept) <= 300 + 6
    # a word the plain cut shows, or one the line does not hold, changes nothing
    assert display_lines(MYSQL, 300, keep=["MY-010584", "918999"])[0] == plain
    assert display_lines(MYSQL, 300, keep=["x"])[0] == plain  # one character is no word
    assert display_lines(MYSQL, 1000, keep=["'918273'"])[0] == MYSQL  # short enough: whole

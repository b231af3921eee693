"""The message helper: a second process cleans a big fetch's messages while it reads, and what is
stored is the same, line for line, with or without it (or when it dies)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from sre_agent.clean import clean_table
from sre_agent.clean_messages import MessageHelper, clean_message
from sre_agent.configs import RedactionPattern, ServiceConfig
from sre_agent.engine import Engine
from sre_agent.models import LogRecord
from sre_agent.redact import Redactor
from sre_agent.settings import Settings

T0 = datetime(2025, 3, 18, 14, 0, tzinfo=UTC)
KEY = SecretStr("one key for both data dirs, so the ids compare")
CONFIG = ServiceConfig(
    name="orders",
    max_message_chars=300,
    redaction_patterns=[RedactionPattern(name="tenant key", pattern=r"tk_[a-z0-9]{12}")],
)

MESSAGES = [
    "order 8812 placed by jane.doe@example.com",  # an e-mail
    "calling billing with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    "tenant key tk_abcdef123456 rotated",  # the config's own pattern
    '10.0.0.7 - - [18/Mar/2025:14:00:00 +0000] "GET /checkout HTTP/1.1" 502 173',  # a 5xx access line
    "retrying payment " + "x" * 400,  # longer than the config's cap
    "java.lang.IllegalStateException: boom\n\tat a.B.c(B.java:1)\nCaused by: java.io.IOException: pipe",
    "nothing to see here",
]


def test_the_helper_cleans_each_message_as_this_process_would() -> None:
    helper = MessageHelper(CONFIG, 300, most=1000, start_after=2, batch=2)
    for text in MESSAGES + MESSAGES:  # repeats are sent once
        helper.offer(text)
    done = helper.take()
    redactor = Redactor.for_config(CONFIG)
    assert done == {text: clean_message(text, redactor, 300) for text in MESSAGES}
    assert done[MESSAGES[2]][0] == "tenant key [REDACTED] rotated"
    assert done[MESSAGES[3]][4] == 502
    assert done[MESSAGES[4]][3] is True and len(done[MESSAGES[4]][0]) <= 300
    assert helper.process_id is None  # stopped after take
    assert helper.peak_mb is not None and 5 < helper.peak_mb < 200  # its own memory, not ours


def test_a_small_fetch_starts_no_process_and_one_longer_than_its_limit_stops_it() -> None:
    small = MessageHelper(None, 4000, most=1000, start_after=100, batch=2)
    for text in MESSAGES:
        small.offer(text)
    assert small.process_id is None
    assert small.take() == {}  # the caller cleans these itself

    within = MessageHelper(None, 4000, most=len(MESSAGES), start_after=1, batch=1)
    for text in MESSAGES:
        within.offer(text)
    assert set(within.take()) == set(MESSAGES)

    beyond = MessageHelper(None, 4000, most=3, start_after=1, batch=1)
    for text in MESSAGES[:3]:
        beyond.offer(text)
    assert beyond.process_id is not None
    beyond.offer(MESSAGES[3])  # a fourth record: the fetch will be cut, keeping what it reads last
    assert beyond.process_id is None
    assert beyond.take() == {}


def test_a_helper_that_died_gives_nothing_and_does_not_raise() -> None:
    helper = MessageHelper(None, 4000, most=1000, start_after=1, batch=1)
    helper.offer(MESSAGES[0])
    pid = helper.process_id
    assert pid is not None
    helper._process.kill()  # type: ignore[union-attr]  # as the OOM killer would
    helper._process.join()  # type: ignore[union-attr]
    for text in MESSAGES[1:]:
        helper.offer(text)  # a broken pipe here is not the fetch's problem
    assert helper.take() == {}
    assert helper.process_id is None


def test_a_closed_helper_starts_no_new_process() -> None:
    """A cancelled ask closes the helper while the fetch's thread may still be reading."""
    helper = MessageHelper(None, 4000, most=1000, start_after=1, batch=1)
    helper.offer(MESSAGES[0])
    assert helper.process_id is not None
    helper.close()
    for text in MESSAGES[1:]:
        helper.offer(text)
    assert helper.process_id is None
    assert helper.take() == {}


def test_ctrl_c_is_left_to_the_fetchs_process() -> None:
    """Ctrl-C reaches the whole process group; the helper neither dies nor prints a traceback."""
    helper = MessageHelper(None, 4000, most=1000, start_after=1, batch=1)
    helper.offer(MESSAGES[0])
    assert helper.process_id is not None
    time.sleep(1.0)  # its start (imports, the signal handler) is done
    os.kill(helper.process_id, signal.SIGINT)
    for text in MESSAGES[1:]:
        helper.offer(text)
    assert set(helper.take()) == set(MESSAGES)


def records() -> list[LogRecord]:
    lines = MESSAGES + [
        "-----BEGIN RSA PRIVATE KEY-----",  # a key logged one line per record: caught across records
        "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0",
        "-----END RSA PRIVATE KEY-----",
    ]
    return [
        LogRecord(timestamp=T0 + timedelta(seconds=i), message=text, source="app.log", service="orders")
        for i, text in enumerate(lines)
    ]


def test_the_clean_table_is_the_same_with_the_helpers_work() -> None:
    redactor = Redactor.for_config(CONFIG)
    alone = clean_table(records(), CONFIG, redactor)
    helper = MessageHelper(CONFIG, 300, most=1000, start_after=1, batch=3)
    for record in records():
        helper.offer(record.message)
    helped = clean_table(records(), CONFIG, redactor, done=helper.take())
    assert helped.rows.to_pylist() == alone.rows.to_pylist()
    assert (helped.redactions, helped.capped) == (alone.redactions, alone.capped)
    key_lines = alone.rows["message"].to_pylist()[len(MESSAGES) :]
    assert key_lines[1] == "[PRIVATE_KEY]"  # the body alone says nothing: only its neighbours tell


@pytest.mark.slow
def test_a_big_fetch_stores_the_same_rows_with_or_without_the_helper(tmp_path: Path, embedder) -> None:
    """6,000 distinct lines (over the helper's start) through the whole search, both ways."""
    log = tmp_path / "big.jsonl"
    with log.open("w") as fh:
        for i in range(6000):
            message = (
                f"payment {i} failed for user{i}@example.com: card declined"
                if i % 50 == 0
                else (f"order {i} placed with {i % 7} items in {i % 13} ms")
            )
            fh.write(json.dumps({"ts": (T0 + timedelta(seconds=i)).isoformat(), "msg": message}) + "\n")
    stored = {}
    for helper in (True, False):
        settings = Settings(
            data_dir=tmp_path / f"data-{helper}", clean_helper=helper, configs_dir=tmp_path, id_key=KEY
        )
        engine = Engine(settings, embedder=embedder)
        events = []
        result = asyncio.run(
            engine.search("why did payments fail?", session="s", logs=log, on_progress=events.append)
        )
        [cleaned] = [event.data for event in events if event.stage == "clean"]
        assert cleaned["messages_cleaned_by_helper"] == (6000 if helper else 0)
        rows = engine.store.scan("s", limit=10_000)
        stored[helper] = (
            result.new,
            [(row.id, row.message, row.shape, row.level) for row in rows],
            [line.message for line in result.lines],
        )
    assert stored[True] == stored[False]
    assert stored[True][0] == len(stored[True][1]) == 6000
    assert "payment 100 failed for [EMAIL]: card declined" in stored[True][2]

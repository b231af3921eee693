"""A second fetch of the same file for a window reads only the window's part of it, and finds
exactly what a whole read would: files in time order, out of order, changed since, plain text with
stack traces. Real files on disk."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sre_agent.connectors import FileLogstore, file_index
from sre_agent.models import LogQuery, TimeWindow

START = datetime(2025, 3, 18, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _forget_indexes() -> None:
    file_index._indexes.clear()


def _jsonl(path: Path, minutes: list[float], *, bad_first_line: bool = True) -> None:
    lines = ["{not json"] if bad_first_line else []
    for i, minute in enumerate(minutes):
        ts = (START + timedelta(minutes=minute)).isoformat()
        lines.append(json.dumps({"timestamp": ts, "message": f"event {i} at minute {minute:.2f}"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _whole(path: Path, window: TimeWindow) -> list[str]:
    """What a read of the whole file keeps for `window` (no index)."""
    file_index._indexes.clear()
    return [r.message for r in FileLogstore(path).fetch(LogQuery(window=window, limit=100_000)).records]


WINDOW = TimeWindow(start=START + timedelta(minutes=3000), end=START + timedelta(minutes=3030))


def test_a_file_in_time_order_is_read_from_the_window_on(tmp_path: Path) -> None:
    path = tmp_path / "app.jsonl"
    _jsonl(path, [i * 0.5 for i in range(12_000)])  # 100 hours, a line every 30 s
    store = FileLogstore(path)
    first = store.fetch(LogQuery(window=WINDOW, limit=100_000))  # read whole: builds the index
    assert first.skipped == 1  # the bad first line was read
    again = store.fetch(LogQuery(window=WINDOW, limit=100_000))
    assert again.skipped == 0  # … and not read again: the read began near the window
    assert [r.message for r in again.records] == [r.message for r in first.records] == _whole(path, WINDOW)
    assert len(again.records) == 61 and again.records[0].line == 6002  # line numbers stay right


def test_lines_slightly_out_of_order_are_still_all_found(tmp_path: Path) -> None:
    rng = random.Random(3)
    minutes = [i * 0.5 + rng.uniform(-2, 2) for i in range(12_000)]  # never 5 min (the slack) behind
    path = tmp_path / "app.jsonl"
    _jsonl(path, minutes)
    store = FileLogstore(path)
    store.fetch(LogQuery(limit=10))
    again = store.fetch(LogQuery(window=WINDOW, limit=100_000))
    assert again.skipped == 0
    assert sorted(r.message for r in again.records) == sorted(_whole(path, WINDOW))


def test_a_file_out_of_order_or_changed_is_read_whole(tmp_path: Path) -> None:
    rng = random.Random(5)
    minutes = [i * 0.5 for i in range(12_000)]
    rng.shuffle(minutes)
    shuffled = tmp_path / "shuffled.jsonl"
    _jsonl(shuffled, minutes)
    store = FileLogstore(shuffled)
    store.fetch(LogQuery(limit=10))
    again = store.fetch(LogQuery(window=WINDOW, limit=100_000))
    assert again.skipped == 1  # read whole: no index is trusted for a file out of order
    assert sorted(r.message for r in again.records) == sorted(_whole(shuffled, WINDOW))

    ordered = tmp_path / "ordered.jsonl"
    _jsonl(ordered, [i * 0.5 for i in range(12_000)])
    FileLogstore(ordered).fetch(LogQuery(limit=10))
    with ordered.open("a", encoding="utf-8") as fh:  # written to since: the index is stale
        fh.write(json.dumps({"timestamp": (START + timedelta(minutes=3029)).isoformat(), "message": "late"}))
        fh.write("\n")
    later = FileLogstore(ordered).fetch(LogQuery(window=WINDOW, limit=100_000))
    assert later.skipped == 1 and "late" in [r.message for r in later.records]


def test_plain_text_with_stack_traces_keeps_each_trace_with_its_line(tmp_path: Path) -> None:
    lines = []
    for i in range(6000):
        ts = START + timedelta(minutes=i)
        lines.append(f"{ts:%Y-%m-%d %H:%M:%S},000 ERROR worker {i} failed")
        if i % 7 == 0:
            lines += ["java.lang.IllegalStateException: boom", "\tat com.acme.Worker.run(Worker.java:42)"]
    path = tmp_path / "app.log"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")  # Windows line ends, too
    store = FileLogstore(path)
    store.fetch(LogQuery(limit=10))
    again = store.fetch(LogQuery(window=WINDOW, limit=100_000))
    assert [r.message for r in again.records] == _whole(path, WINDOW)
    assert again.records[0].message.startswith("ERROR worker 3000 failed")
    traced = next(r for r in again.records if "worker 3003 " in r.message)
    assert traced.message == (
        "ERROR worker 3003 failed\njava.lang.IllegalStateException: boom\n"
        "\tat com.acme.Worker.run(Worker.java:42)"
    )


def test_the_index_is_kept_in_a_folder_for_the_next_command(tmp_path: Path) -> None:
    """A new process (the next `sre-agent ask`) about the same unchanged file seeks too."""
    path = tmp_path / "app.jsonl"
    _jsonl(path, [i * 0.5 for i in range(12_000)])
    folder = tmp_path / "file-index"
    FileLogstore(path, index_dir=folder).fetch(LogQuery(limit=10))
    assert len(list(folder.glob("*.json"))) == 1
    file_index._indexes.clear()  # as in a new process
    again = FileLogstore(path, index_dir=folder).fetch(LogQuery(window=WINDOW, limit=100_000))
    assert again.skipped == 0 and [r.message for r in again.records] == _whole(path, WINDOW)
    # Written to since: the kept index is of another version, and the file is read whole.
    with path.open("a", encoding="utf-8") as fh:
        fh.write(
            json.dumps({"timestamp": (START + timedelta(minutes=3001)).isoformat(), "message": "new"}) + "\n"
        )
    file_index._indexes.clear()
    later = FileLogstore(path, index_dir=folder).fetch(LogQuery(window=WINDOW, limit=100_000))
    assert later.skipped == 1 and "new" in [r.message for r in later.records]


def test_a_search_keeps_the_index_in_the_data_dir_and_purge_forgets_it(engine, tmp_path: Path) -> None:
    path = tmp_path / "app.jsonl"
    _jsonl(path, [i * 0.5 for i in range(3_000)], bad_first_line=False)
    asyncio.run(engine.search("what happened?", session="idx", logs=path))
    assert len(list(engine.file_indexes.glob("*.json"))) == 1
    engine.purge()
    assert list(engine.file_indexes.glob("*.json")) == []

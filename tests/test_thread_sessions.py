"""Which session a Slack thread is: one session per thread, kept across a restart, at most
`max_live` live (least recently used dropped), fresh and told why after an eviction or the nightly
purge, and safe when many workers open threads at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from sre_agent.indexes import check_session
from sre_agent.thread_sessions import Opened, ThreadSessions, threads_path

CHANNEL = "C0OPS"
OTHER_CHANNEL = "C0DB"
OLD_TS = "1700000000.000100"  # November 2023: older than any purge a test makes


def _ts(n: int) -> str:
    """A Slack thread ts (epoch seconds, microseconds), distinct per `n`."""
    return f"1700000{n:03d}.{n:06d}"


def test_a_thread_keeps_its_session_and_threads_do_not_share_one(tmp_path: Path) -> None:
    sessions = ThreadSessions(tmp_path / "threads.db")
    first = sessions.open(CHANNEL, OLD_TS, "U1")
    assert first.new and not first.was_evicted and not first.was_purged and first.evicted == []
    again = sessions.open(CHANNEL, OLD_TS, "U1")
    assert again == Opened(first.session, new=False)
    assert sessions.get(CHANNEL, OLD_TS) == first.session
    other_thread = sessions.open(CHANNEL, _ts(2), "U1")
    other_channel = sessions.open(OTHER_CHANNEL, OLD_TS, "U1")
    ids = {first.session, other_thread.session, other_channel.session}
    assert len(ids) == 3
    for session in ids:
        assert check_session(session) == session
    assert sessions.get(CHANNEL, _ts(99)) is None


def test_odd_channel_and_ts_still_give_valid_session_ids(tmp_path: Path) -> None:
    sessions = ThreadSessions(tmp_path / "threads.db")
    opened = sessions.open("C0/ÖPS #1", "1700000000.000100 ", "U1")
    assert check_session(opened.session) == opened.session


def test_sessions_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "slack" / "threads.db"
    before = ThreadSessions(path).open(CHANNEL, OLD_TS, "U1")
    restarted = ThreadSessions(path)
    assert restarted.get(CHANNEL, OLD_TS) == before.session
    after = restarted.open(CHANNEL, OLD_TS, "U1")
    assert after.session == before.session and not after.new
    assert restarted.live() == [(CHANNEL, OLD_TS, before.session)]


def test_threads_path_is_in_the_data_dir_and_usable(settings) -> None:
    path = threads_path(settings)
    assert path == settings.data_dir / "slack" / "threads.db"
    ThreadSessions(path).open(CHANNEL, OLD_TS)
    assert path.is_file()


def test_least_recently_used_thread_is_evicted_and_starts_afresh(tmp_path: Path) -> None:
    sessions = ThreadSessions(tmp_path / "threads.db", max_live=3)
    one, two, three = (sessions.open(CHANNEL, _ts(n), "U1") for n in (1, 2, 3))
    assert sessions.open(CHANNEL, _ts(1), "U1").session == one.session  # 1 is now the most recent
    four = sessions.open(CHANNEL, _ts(4), "U1")
    assert four.new and four.evicted == [two.session]
    live = sessions.live()
    assert len(live) == 3
    assert [s for _, _, s in live] == [four.session, one.session, three.session]  # most recent first
    assert sessions.get(CHANNEL, _ts(2)) is None
    # Thread 2 comes back: a fresh session under a new id, so its old tables never mix in.
    back = sessions.open(CHANNEL, _ts(2), "U1")
    assert back.new and back.was_evicted and not back.was_purged
    assert back.session != two.session
    assert check_session(back.session) == back.session
    assert back.evicted == [three.session]  # now the least recently used
    # And again: every generation has its own id.
    sessions.open(CHANNEL, _ts(5), "U1")
    sessions.open(CHANNEL, _ts(6), "U1")
    sessions.open(CHANNEL, _ts(7), "U1")
    third_life = sessions.open(CHANNEL, _ts(2), "U1")
    assert third_life.was_evicted
    assert third_life.session not in (two.session, back.session)


def test_eviction_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "threads.db"
    sessions = ThreadSessions(path, max_live=1)
    old = sessions.open(CHANNEL, _ts(1))
    sessions.open(CHANNEL, _ts(2))
    back = ThreadSessions(path, max_live=1).open(CHANNEL, _ts(1))
    assert back.was_evicted and back.session != old.session


def test_forget_removes_a_thread(tmp_path: Path) -> None:
    sessions = ThreadSessions(tmp_path / "threads.db")
    opened = sessions.open(CHANNEL, OLD_TS, "U1")
    assert sessions.forget(CHANNEL, OLD_TS) == opened.session
    assert sessions.get(CHANNEL, OLD_TS) is None
    assert sessions.live() == []
    assert sessions.forget(CHANNEL, OLD_TS) is None  # nothing left to forget
    again = sessions.open(CHANNEL, OLD_TS, "U1")
    assert again.new and not again.was_evicted and not again.was_purged


def test_clear_forgets_everything_and_older_threads_are_told_of_the_purge(tmp_path: Path) -> None:
    sessions = ThreadSessions(tmp_path / "threads.db")
    sessions.open(CHANNEL, OLD_TS, "U1")
    sessions.open(OTHER_CHANNEL, _ts(2), "U2")
    assert sessions.clear() == 2
    assert sessions.live() == []
    assert sessions.get(CHANNEL, OLD_TS) is None
    old = sessions.open(CHANNEL, OLD_TS, "U1")
    assert old.new and old.was_purged and not old.was_evicted
    fresh = sessions.open(CHANNEL, str(time.time() + 10), "U1")
    assert fresh.new and not fresh.was_purged
    # The purge is remembered across a restart.
    restarted = ThreadSessions(tmp_path / "threads.db")
    assert restarted.open(OTHER_CHANNEL, _ts(2), "U2").was_purged
    assert restarted.clear() == 3


def test_latest_is_the_thread_the_user_used_last_in_that_channel(tmp_path: Path) -> None:
    sessions = ThreadSessions(tmp_path / "threads.db")
    assert sessions.latest(CHANNEL, "U1") is None
    sessions.open(CHANNEL, _ts(1), "U1")
    sessions.open(CHANNEL, _ts(2), "U1")
    sessions.open(CHANNEL, _ts(3), "U2")
    sessions.open(OTHER_CHANNEL, _ts(4), "U1")
    assert sessions.latest(CHANNEL, "U1") == _ts(2)
    assert sessions.latest(CHANNEL, "U2") == _ts(3)
    assert sessions.latest(OTHER_CHANNEL, "U1") == _ts(4)
    assert sessions.latest(OTHER_CHANNEL, "U2") is None
    sessions.open(CHANNEL, _ts(1), "U1")
    assert sessions.latest(CHANNEL, "U1") == _ts(1)
    sessions.open(CHANNEL, _ts(3), "U1")  # U1 writes in U2's thread
    assert sessions.latest(CHANNEL, "U1") == _ts(3)
    sessions.forget(CHANNEL, _ts(3))
    assert sessions.latest(CHANNEL, "U1") == _ts(1)


def test_many_workers_opening_threads_at_once(tmp_path: Path) -> None:
    sessions = ThreadSessions(tmp_path / "threads.db", max_live=50)
    start = threading.Barrier(8)
    results: list[Opened] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(w: int) -> None:
        try:
            start.wait()
            for i in range(20):
                opened = sessions.open(CHANNEL, f"17000{w:05d}.{i:06d}", f"U{w}")
                with lock:
                    results.append(opened)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    _run_workers(worker, 8)
    assert errors == []
    assert len(results) == 160
    opened_ids = [o.session for o in results]
    assert len(set(opened_ids)) == 160
    live = [s for _, _, s in sessions.live()]
    assert len(live) == 50 and len(set(live)) == 50
    evicted = [s for o in results for s in o.evicted]
    assert len(evicted) == 110 and len(set(evicted)) == 110
    assert set(live) | set(evicted) == set(opened_ids)


# ---------------------------------------------------------------------- known bugs


def test_reset_after_purge_is_not_reported_as_purged(tmp_path: Path) -> None:
    sessions = ThreadSessions(tmp_path / "threads.db")
    sessions.open(CHANNEL, OLD_TS, "U1")
    sessions.clear()  # last night's purge
    assert sessions.open(CHANNEL, OLD_TS, "U1").was_purged  # first question since: right
    sessions.forget(CHANNEL, OLD_TS)  # `/sre reset`
    again = sessions.open(CHANNEL, OLD_TS, "U1")
    assert again.new
    assert not again.was_purged  # it had a session after the purge; the reset dropped it


def test_open_never_evicts_the_session_it_returns(tmp_path: Path) -> None:
    sessions = ThreadSessions(tmp_path / "threads.db", max_live=2)
    start = threading.Barrier(8)
    self_evicted: list[Opened] = []

    def worker(w: int) -> None:
        start.wait()
        for i in range(20):
            opened = sessions.open(CHANNEL, f"17000{w:05d}.{i:06d}")
            if opened.session in opened.evicted:
                self_evicted.append(opened)

    _run_workers(worker, 8)
    assert self_evicted == []


def _run_workers(worker: Callable[[int], None], count: int) -> None:
    """`worker(0)` … `worker(count - 1)` in threads at once; returns when all are done."""
    threads = [threading.Thread(target=worker, args=(w,)) for w in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)


def test_a_damaged_thread_map_is_set_aside_in_one_warning_and_a_thread_finds_its_session_again(
    tmp_path: Path, caplog
) -> None:
    path = tmp_path / "slack" / "threads.db"
    first = ThreadSessions(path).open(CHANNEL, OLD_TS, "U1").session
    garbage = b"\x00not sqlite\xff" * 300
    path.write_bytes(garbage)
    path.with_name("threads.db-wal").unlink(missing_ok=True)

    sessions = ThreadSessions(path, quarantine_dir=tmp_path / "quarantine")
    (moved,) = (tmp_path / "quarantine").glob("threads.db-*")
    assert [r.getMessage() for r in caplog.records] == [
        f"the thread map {path} was damaged (file is not a database): moved to {moved}; starting an empty one"
    ]
    assert moved.read_bytes() == garbage
    again = sessions.open(CHANNEL, OLD_TS, "U1")
    assert again.session == first and again.new and not again.was_evicted

"""Follow-ups that point back at a machine ("that box", "those nodes") are searched for the host(s)
the thread has been about, and at a time ("in that same run") in the thread's last window, and say
so (`workflows/referents.py`). A real engine: JSONL file,
LanceDB in a temp folder, the real model, the thread's memory between questions."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sre_agent.answer import render_answer
from sre_agent.engine import Engine
from sre_agent.models import TimeWindow
from sre_agent.workflows.precursors import PRECURSOR_LOOKBACK, referred_before
from sre_agent.workflows.referents import (
    HOSTS_KEY,
    NAMED_KEY,
    ONE_HOST_KEY,
    WINDOW_KEY,
    most_telling,
    referred_hosts,
    referred_trouble,
    referred_window,
    standing_out,
    subject_hosts,
)
from sre_agent.workflows.results import SearchResult

T0 = datetime(2005, 12, 6, 22, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=1)


@pytest.mark.parametrize(
    ("question", "hosts", "said"),
    [
        ("did the scheduler ever pull that box out of rotation?", ["bn251"], "that box"),
        ("was this node already flaky before?", ["bn251"], "this node"),
        ("when did each of those nodes drop off the network?", ["bn251", "bn247"], "those nodes"),
        ("did these servers come back?", ["bn251", "bn247"], "these servers"),
        ("what did the scheduler do overnight?", [], None),  # points at no machine
        ("was that switch flapping?", [], None),  # a switch is not a host
    ],
)
def test_which_words_point_back_at_the_threads_hosts(
    question: str, hosts: list[str], said: str | None
) -> None:
    assert referred_hosts(question, {HOSTS_KEY: "bn251,bn247", ONE_HOST_KEY: "bn251"}) == (hosts, said, [])


def test_nothing_is_read_into_that_box_before_the_thread_knows_a_host() -> None:
    assert referred_hosts("had that box been limping?", {}) == ([], None, [])
    assert referred_hosts("had that box been limping?", None) == ([], None, [])


def test_that_box_is_no_host_when_the_answer_was_about_several_alike() -> None:
    memory = {HOSTS_KEY: "es-data-01,es-data-04", ONE_HOST_KEY: ""}
    assert referred_hosts("was that box running out of room?", memory) == (
        [],
        "that box",
        ["es-data-01", "es-data-04"],
    )
    assert referred_hosts("were those nodes out of room?", memory).hosts == ["es-data-01", "es-data-04"]


EARLIER = TimeWindow(start=T0 + timedelta(hours=5), end=T0 + timedelta(hours=8))


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("in that second outage, which programs kept retrying?", "in that second outage"),
        ("in that same run, did it load registry files from a snapshot?", "in that same run"),
        ("did keyguard complain during that stretch?", "during that stretch"),
        ("anything else within the same window?", "within the same window"),
        ("what did cron do throughout that night?", "throughout that night"),
        ("which servers were restarted during this period?", None),  # "this": the incident as a whole
        ("did it come back after that evening?", None),  # another time
        ("and earlier that night, anything else off?", None),  # another time
        ("did it happen in that file too?", None),  # not a time
    ],
)
def test_which_words_point_back_at_the_threads_last_window(question: str, said: str | None) -> None:
    memory = {WINDOW_KEY: f"{EARLIER.start.isoformat()}/{EARLIER.end.isoformat()}"}
    assert referred_window(question, memory) == ((EARLIER, said) if said else None)


def test_that_outage_is_no_window_before_the_thread_has_one_or_when_its_memory_is_damaged() -> None:
    assert referred_window("in that outage, who was affected?", {}) is None
    assert referred_window("in that outage, who was affected?", None) is None
    assert referred_window("in that outage, who was affected?", {WINDOW_KEY: "yesterday/today"}) is None
    memory = {WINDOW_KEY: f"{EARLIER.start.isoformat()}/{EARLIER.end.isoformat()}"}
    assert referred_window("in that outage, who was affected?", memory) == (EARLIER, "in that outage")


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("was the pile of waiting jobs already growing before that node tripped? since when", "before that"),
        ("how full was it getting in the hours before that", "in the hours before"),
        ("before that, was it quietly dropping entries to free up space?", "before that"),
        ("going back further, when did the sidecars first lose touch?", "going back further"),
        ("anything odd in the run-up to it?", "in the run-up to"),
        ("anything odd leading up to it?", "leading up to it"),
        # "before it …" and "since when" point back only with an earlier state
        ("was the wire to that node already flaky before it started bouncing?", "before it"),
        ("was that memory chip going downhill before it gave out?", "before it"),
        ("had the pod been trying and not managing to get its cert signed? since when", "since when"),
        ("had that box been limping before the outage?", "before the outage"),
        ("how long before it was answering again?", None),  # after, not before
        ("when was the last 'timeout' before it cleared up?", None),
        ("i see 'archive command failed' all over the journal. since when?", None),  # when it began
        ("did someone ship something right before the errors started?", None),  # the changes' own look-back
        ("was it already down?", None),  # an earlier state, but before nothing
    ],
)
def test_which_words_ask_about_the_time_before_the_threads_window(question: str, said: str | None) -> None:
    memory = {WINDOW_KEY: f"{EARLIER.start.isoformat()}/{EARLIER.end.isoformat()}"}
    before = TimeWindow(start=EARLIER.start - PRECURSOR_LOOKBACK, end=EARLIER.start)
    assert referred_before(question, memory) == ((before, said) if said else None)


def test_before_that_is_no_window_before_the_thread_has_one_or_when_its_memory_is_damaged() -> None:
    question = "anything erroring in the hours before that?"
    assert referred_before(question, {}) is None
    assert referred_before(question, None) is None
    assert referred_before(question, {WINDOW_KEY: "yesterday/today"}) is None


def _line(minute: int, host: str, message: str, level: str | None = None) -> dict:
    at = (T0 + timedelta(minutes=minute)).isoformat()
    return {"timestamp": at, "host": host, "level": level, "message": message}


def _cluster_log(path: Path) -> Path:
    """bn251's link flaps at 23:10–23:30 (its own kernel lines and a peer naming it); the
    subnet manager reports switch port 9; the scheduler host takes bn251 offline at 23:45 and
    back at 08:00; routine lines from other nodes all along."""
    rows = [
        _line(m, f"cn{m % 7}", f"session opened for user root by (uid=0) pid {m}") for m in range(0, 600, 3)
    ]
    for m in range(70, 90, 4):
        rows.append(_line(m, "bn251", "port 1 state changed to DOWN (PORT_ERROR)", "ERROR"))
        rows.append(
            _line(m + 1, "tbird-sm1", "port 9 of switch 0x0005ad0000021f4e changed state: ACTIVE -> DOWN")
        )
    rows.append(_line(75, "bn251", "ib_ipoib: multicast join failed for ff12:401b (status -110)", "ERROR"))
    vapi = "completion with error VAPI_RETRY_EXC_ERR, dest rank 140 (bn251)"
    rows.append(_line(76, "bn247", f"[rank 133] {vapi}", "ERROR"))
    rows.append(_line(77, "bn252", f"[rank 171] {vapi}", "ERROR"))
    # the subnet manager writes as many kinds of trouble as bn251 does, but about the fabric
    rows.append(
        _line(72, "tbird-sm1", "heavy sweep done: 4607 ports, 1 node lost (guid 0x0002c90200)", "ERROR")
    )
    rows.append(_line(73, "tbird-sm1", "Topology change detected (trap 128), starting heavy sweep", "WARN"))
    rows.append(
        _line(105, "tbird-admin1", "Node;bn251;state set to offline by root, note 'ib port flapping'")
    )
    rows.append(_line(600, "tbird-admin1", "Node;bn251;state offline cleared by root"))
    rows.append(_line(300, "tbird-admin1", "Node;cn3;state set to offline by root, note 'disk swap'"))
    rows.sort(key=lambda r: r["timestamp"])
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _search(engine: Engine, question: str, session: str, logs: Path) -> SearchResult:
    return asyncio.run(engine.search(question, session=session, logs=logs, now=NOW))


def test_that_box_is_the_host_the_thread_was_about_and_the_answer_says_so(engine, tmp_path) -> None:
    logs = _cluster_log(tmp_path / "tbird.jsonl")
    first = _search(engine, "what went wrong between 23:10 and 23:30 on dec 6?", "flap", logs)
    # of the answer's warnings and errors, bn251 wrote two kinds and two others name it (counted
    # twice): 6; the manager wrote 2, under half of it
    assert first.hosts == ["bn251"] and first.host_one == "bn251"
    assert engine.thread_context("flap")[ONE_HOST_KEY] == "bn251"
    # a question about a switch port names no host: the thread's host stays
    port = _search(engine, "what has switch 0x0005ad0000021f4e port 9 been doing overnight?", "flap", logs)
    assert port.hosts is None and engine.thread_context("flap")[ONE_HOST_KEY] == "bn251"
    pulled = _search(engine, "did the scheduler ever pull that box out of rotation?", "flap", logs)
    assert pulled.plan.identifiers == ["bn251"]
    assert "'that box' read as bn251: what this thread has been about" in pulled.plan.notes
    assert pulled.plan.referent == "'that box': what this thread has been about"
    assert "containing `bn251` ('that box': what this thread has been about)" in render_answer(pulled)
    top = [line.message for line in pulled.lines[:2]]
    assert set(top) == {
        "Node;bn251;state set to offline by root, note 'ib port flapping'",
        "Node;bn251;state offline cleared by root",
    }
    assert all("cn3" not in line.message for line in pulled.lines[:3])


def test_those_nodes_are_every_host_the_thread_was_about(engine, tmp_path) -> None:
    rows = [_line(m, f"node-{100 + m % 5}", "heartbeat ok") for m in range(0, 300, 2)]
    for n in (176, 177, 178):
        rows.append(
            _line(
                90 + n % 10,
                f"node-{n}",
                "Temperature (53C) exceeds critical threshold, powering off",
                "ERROR",
            )
        )
        rows.append(_line(91 + n % 10, f"node-{n}", "not responding", "ERROR"))
        rows.append(_line(140, f"node-{n}", 'Component "alt0" is in the unavailable state'))
    rows.append(_line(140, "node-101", 'Component "alt0" is in the unavailable state'))  # another node
    # the same trouble on another node long after the window: not what the window's answer is about
    rows.append(_line(250, "node-101", "Temperature (53C) exceeds critical threshold, powering off", "ERROR"))
    rows.append(_line(251, "node-101", "not responding", "ERROR"))
    rows.sort(key=lambda r: r["timestamp"])
    logs = tmp_path / "hpc.jsonl"
    logs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    first = _search(engine, "what went wrong between 23:25 and 23:40 on dec 6?", "hot", logs)
    assert sorted(first.hosts or []) == ["node-176", "node-177", "node-178"]
    assert first.host_one is None  # three alike
    which = _search(engine, "was that box overheating before?", "hot", logs)
    assert which.plan.identifiers == []
    assert which.plan.referent == (
        f"'that box': this thread's answers were about {', '.join(first.hosts or [])} alike, "
        "so none of them was assumed"
    )
    assert which.plan.referent in render_answer(which)
    dropped = _search(engine, "when exactly did each of those boxes drop off the network?", "hot", logs)
    assert sorted(dropped.plan.identifiers) == ["node-176", "node-177", "node-178"]
    alt0 = [line for line in dropped.lines if "alt0" in line.message]
    assert alt0 and {line.host for line in alt0} <= {"node-176", "node-177", "node-178"}


def test_the_most_telling_hosts_count_lines_naming_them_twice() -> None:
    wrote = {"bn251": {"a", "b"}, "tbird-sm1": {"c", "d", "e"}, "cn7": {"f"}}
    named = {"bn251": {"g", "h"}}  # two lines of others name bn251
    # bn251: 4 lines + 2 naming it = 6; the manager 3 (half of 6: kept); cn7 1 (under two: left)
    assert most_telling(wrote, named) == [("bn251", 6), ("tbird-sm1", 3)]
    # a host only named, never writing, counts too: 2 lines → 4
    assert most_telling({}, {"hdw-04": {"x", "y"}}) == [("hdw-04", 4)]
    # under half the first's count is left out: 5 and 2
    assert most_telling({"a": {"1", "2", "3", "4", "5"}, "b": {"1", "2"}}, {}) == [("a", 5)]
    assert most_telling({"a": {"1", "2", "3", "4"}, "b": {"1", "2"}}, {}) == [("a", 4), ("b", 2)]
    assert most_telling({}, {}) == []
    # hosts alike come in the order of their names, whatever order they were seen in
    assert most_telling({"node-9": {"1", "2"}, "node-10": {"1", "2"}}, {}) == [("node-10", 2), ("node-9", 2)]


@pytest.mark.parametrize(
    ("ranked", "one"),
    [
        ([("bn251", 6), ("tbird-sm1", 4)], "bn251"),  # half again as many: 6 = 1.5 × 4
        ([("es-data-04", 5), ("es-data-03", 4)], None),  # 5 < 6: alike
        ([("a", 7), ("b", 5)], None),
        ([("a", 4)], "a"),  # alone
        ([("a", 4), ("b", 4)], None),
        ([], None),
    ],
)
def test_one_host_stands_out_only_with_half_again_the_next_ones_count(
    ranked: list[tuple[str, int]], one: str | None
) -> None:
    assert standing_out(ranked) == one


def test_a_host_the_question_names_or_scopes_to_is_what_the_thread_is_about(engine, tmp_path) -> None:
    logs = _cluster_log(tmp_path / "tbird.jsonl")
    named = _search(engine, "what did bn251 log about its ib port?", "named", logs)
    assert (named.hosts, named.host_one) == (["bn251"], "bn251")
    # a broad question scoped to a host (`scope.scope_to_host`) is about that host
    scoped = named.plan.model_copy(
        update={"field_filters": {"host": "bn247"}, "identifiers": [], "terms": []}
    )
    assert subject_hosts(engine.store, "named", None, scoped, named.lines) == (["bn247"], "bn247")
    assert subject_hosts(engine.store, "named", None, scoped, []) is None  # found nothing: keep
    both = _search(engine, "did bn247 or bn252 log VAPI_RETRY_EXC_ERR?", "both", logs)
    assert (sorted(both.hosts or []), both.host_one) == (["bn247", "bn252"], None)
    nothing = _search(engine, "what did bn999 log?", "none", logs)  # no such host: not remembered
    assert nothing.hosts is None or "bn999" not in nothing.hosts


def test_a_host_only_other_hosts_name_is_what_the_thread_is_about(engine, tmp_path) -> None:
    """The resource manager writes every line about hdw-04; hdw-04 wrote none of them."""
    rows = [_line(m, "hdm-01", f"allocated container_{m} on hdw-0{m % 3 + 5}") for m in range(0, 120, 2)]
    for m in (60, 64, 68):
        rows.append(
            _line(m, "hdm-01", f"Node hdw-04:8041 reported UNHEALTHY: 1/4 local-dirs bad ({m})", "ERROR")
        )
    rows.append(_line(70, "hdm-01", "Blacklisted node hdw-04 for application_42", "WARN"))
    rows.append(_line(0, "hdw-04", "NodeManager started"))  # a host of the logs, writing none of the answer
    rows.sort(key=lambda r: r["timestamp"])
    logs = tmp_path / "yarn.jsonl"
    logs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    first = _search(engine, "what went wrong between 22:55 and 23:15 on dec 6?", "rm", logs)
    assert first.host_one == "hdw-04"


def test_in_that_same_run_is_searched_in_the_window_the_thread_asked_about_and_says_so(
    engine, tmp_path
) -> None:
    """Two servicing runs load hives from a shadow copy; the follow-up is about the second run."""
    rows = [
        _line(m, "win7", f"Session {m} initialized by client WindowsUpdateAgent") for m in range(0, 600, 5)
    ]
    for start in (60, 420):  # 23:00 and 05:00
        rows.append(
            _line(start + 1, "win7", f"Loaded hive from \\\\?\\GLOBALROOT\\ShadowCopy{start}\\SYSTEM")
        )
        rows.append(
            _line(start + 2, "win7", "Failed to internally open package. [HRESULT = 0x800f0805]", "ERROR")
        )
    rows.sort(key=lambda r: r["timestamp"])
    logs = tmp_path / "cbs.jsonl"
    logs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    first = _search(engine, "what went wrong between 04:55 and 05:10 on dec 7?", "cbs", logs)
    assert first.plan.window is not None
    assert engine.thread_context("cbs")[WINDOW_KEY] == (
        f"{first.plan.window.start.isoformat()}/{first.plan.window.end.isoformat()}"
    )
    hives = _search(engine, "in that same run, did it load hives from a shadow copy?", "cbs", logs)
    assert hives.plan.window == first.plan.window
    said = (
        "'in that same run' read as 2005-12-07 04:55 .. 2005-12-07 05:10 UTC: "
        "the time asked about earlier in this thread"
    )
    assert said in hives.plan.notes
    assert hives.plan.window_referent == "'in that same run': the time asked about earlier in this thread"
    assert f"({hives.plan.window_referent})" in render_answer(hives).split("\n")[0]
    assert [line.message for line in hives.lines if "hive" in line.message] == [
        "Loaded hive from \\\\?\\GLOBALROOT\\ShadowCopy420\\SYSTEM"
    ]
    # without the pointing back, the same question is about the whole of the stored logs
    anywhere = _search(engine, "did it load hives from a shadow copy?", "cbs", logs)
    assert anywhere.plan.window is None
    assert len([line for line in anywhere.lines if "hive" in line.message]) == 2


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("is it just this one person, or is anyone else locked out?", "just this one person"),
        ("is anybody else getting it?", "anybody else"),
        ("which other customers hit it today?", "other customers"),
        ("who else was affected?", "who else"),
        ("what is the blast radius?", "blast radius"),
        ("did the user retry?", None),  # about the same user
        ("what else went wrong?", None),  # other trouble, not others with this one
        ("anything else go wrong between 16:15:00 and 16:15:30?", None),
    ],
)
def test_which_words_ask_about_everyone_else(question: str, said: str | None) -> None:
    memory = {NAMED_KEY: "PERMISSION_DENIED\ndistrict 77"}
    expected = (["PERMISSION_DENIED", "district 77"], said) if said else None
    assert referred_trouble(question, memory) == expected
    assert referred_trouble(question, {}) is None  # the thread searched for nothing yet


def test_anyone_else_searches_what_the_thread_searched_for_everyone_and_says_so(engine, tmp_path) -> None:
    rows = [
        _line(m, "api-1", f"GetMembership ok: user {1000 + m} district {m % 9}") for m in range(0, 120, 2)
    ]
    for m, user, district in ((5, 4821, 77), (9, 4821, 77), (31, 12810, 92), (77, 98912, 296)):
        denied = (
            f"GetMembership denied: PERMISSION_DENIED: user {user} is not a member of district {district}"
        )
        rows.append({**_line(m, "api-1", denied, "WARN"), "user_id": str(user)})
    rows.sort(key=lambda r: r["timestamp"])
    logs = tmp_path / "membership.jsonl"
    logs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    first = _search(engine, "user 4821 gets PERMISSION_DENIED on district 77. why?", "denied", logs)
    assert first.plan.identifiers == ["PERMISSION_DENIED"] and first.plan.field_filters == {"user_id": "4821"}
    assert engine.thread_context("denied")[NAMED_KEY] == "PERMISSION_DENIED"
    others = _search(
        engine, "is it just this one person, or is anyone else locked out of their district?", "denied", logs
    )
    assert others.plan.identifiers == ["PERMISSION_DENIED"] and others.plan.field_filters == {}
    assert others.plan.referent == "'just this one person': what this thread searched for, for everyone"
    assert (
        "containing `PERMISSION_DENIED` ('just this one person': what this thread searched for, for everyone)"
        in (render_answer(others))
    )
    denied_users = {line.message.split("user ")[1].split(" ")[0] for line in others.lines[:3]}
    assert denied_users == {"4821", "12810", "98912"}
    # "besides the user" does not bring the thread's user back as a filter
    besides = _search(engine, "is anyone else besides the user locked out?", "denied", logs)
    assert besides.plan.identifiers == ["PERMISSION_DENIED"] and besides.plan.field_filters == {}
    # a follow-up that names its own trouble searches for that, not the thread's
    own = _search(engine, "is anyone else getting 'GetMembership ok'?", "denied", logs)
    assert own.plan.identifiers == ["GetMembership ok"]

"""The anchor tier: exact words of the question that few lines hold rank those lines first, and
among the lines of an entity the question's own words choose the aspect it asks about.

The failure classes came from bench/factual-b (written from the logs by someone who had not read
the retrieval code); the data here is our own. Small real LanceDB, the real model.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_retrieve_mutants import OTHER, _hit
from test_retrieve_rules import BASE, NOW, SESSION, TABLE, _ask, _store

from sre_agent.clean import clean_records
from sre_agent.indexes import SearchFilters
from sre_agent.models import LogRecord
from sre_agent.workflows import anchors
from sre_agent.workflows.anchors import Match, plain_words, rank_matches
from sre_agent.workflows.plan import RetrievalPlan
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.retrieve import Retriever


def _at(second: int, message: str, **extra) -> LogRecord:
    return LogRecord(timestamp=BASE + timedelta(seconds=second), message=message, line=second + 1, **extra)


def _connections(n: int) -> list[LogRecord]:
    """Routine proxy lines, each its own shape (host names are not masked): clients connecting to
    many hosts, the meaning of "connect" everywhere."""
    return [
        _at(i, f"client connected to upstream {_name(i)}.example.com:443, connection kept alive")
        for i in range(n)
    ]


def _name(i: int) -> str:
    return "".join(chr(97 + (i // 26**p) % 26) for p in range(3))


def test_a_rare_plain_word_of_the_question_ranks_its_few_lines_first(tmp_path, embedder) -> None:
    """'qxtool' is in 2 of 122 lines: plain full text finds them by rarity; the meaning of
    "connect" must not bury them under 120 lines about connections."""
    records = [
        *_connections(120),
        _at(200, "static.fooserv.net:443 close, 356 bytes sent", fields={"program": "qxtool.exe"}),
        _at(201, "ocsp.barcert.org:80 close, 942 bytes sent", fields={"program": "qxtool.exe"}),
    ]
    store = _store(tmp_path, embedder, records)
    found, _ = _ask(store, "what did qxtool connect to?")
    assert set(found[:2]) == {
        "static.fooserv.net:443 close, 356 bytes sent",
        "ocsp.barcert.org:80 close, 942 bytes sent",
    }
    # A word that many lines hold is no anchor: the question about connections is not reordered by it.
    matched = anchors.anchor_matches(
        store,
        SESSION,
        None,
        RuleRefiner().refine("which upstream connections were kept alive?", now=NOW),
        SearchFilters(),
    )
    assert matched == {}


def test_a_long_question_needs_more_than_one_rare_word_to_name_a_line(tmp_path, embedder) -> None:
    """One rare word of a long plain-words question ('older') often names another line."""
    records = [
        *_connections(120),
        *[_at(400 + i, f"loaded {i} files from the package cache") for i in range(20)],
        _at(300, "cleaning up report files older than 10 days"),
    ]
    store = _store(tmp_path, embedder, records)
    long = RuleRefiner().refine(
        "in that same run did it load registry files from an older snapshot of the disk?", now=NOW
    )
    short = RuleRefiner().refine("which files were older?", now=NOW)
    assert len(plain_words(long, [])) > anchors.WORDS_PER_RARE
    assert anchors.anchor_matches(store, SESSION, None, long, SearchFilters()) == {}
    assert [
        m.hit.message for m in anchors.anchor_matches(store, SESSION, None, short, SearchFilters()).values()
    ] == ["cleaning up report files older than 10 days"]


def test_a_store_of_a_few_lines_has_no_rare_words(tmp_path, embedder) -> None:
    records = [_at(1, "payment service failing over"), _at(2, "card declined"), *_connections(10)]
    store = _store(tmp_path, embedder, records)
    plan = RuleRefiner().refine("why is payment failing?", now=NOW)
    assert (
        anchors.anchor_matches(store, SESSION, None, plan, SearchFilters()) == {}
    )  # 1 of 12 lines is not rare


def test_among_the_lines_of_one_entity_the_question_chooses_the_aspect(tmp_path, embedder) -> None:
    """'which blocks did 10.9.8.7 serve?': the node is on 14 lines; the two it served come first,
    not its receive or store lines, which the model finds as close to 'blocks'."""
    node = "10.9.8.7"
    records = [
        *[_at(i, f"Receiving block blk_{900 + i} src: /{node}:4{i}01 dest: /{node}:50010") for i in range(6)],
        *[
            _at(10 + i, f"addStoredBlock: blockMap updated: {node}:50010 is added to blk_{800 + i}")
            for i in range(6)
        ],
        _at(30, f"{node}:50010 Served block blk_701 to /10.1.1.1"),
        _at(31, f"{node}:50010 Served block blk_702 to /10.1.1.2"),
        *_connections(40),
    ]
    store = _store(tmp_path, embedder, records)
    found, _ = _ask(store, f"which blocks did {node} serve to readers?")
    assert set(found[:2]) == {
        f"{node}:50010 Served block blk_701 to /10.1.1.1",
        f"{node}:50010 Served block blk_702 to /10.1.1.2",
    }


def test_among_lines_holding_a_number_the_question_chooses_which(tmp_path, embedder) -> None:
    """'which invoice reports showed a total of 4410?': 4410 is on 10 lines; the REPORT ones."""
    records = [
        *[_at(i, f"setInvoiceTotalDetail={i}##4410##{70 + i}") for i in range(8)],
        _at(20, "REPORT : 4410 12 88"),
        _at(21, "REPORT : 4410 13 91"),
        *_connections(40),
    ]
    store = _store(tmp_path, embedder, records)
    found, _ = _ask(store, "which invoice reports showed a total of 4410?")
    assert set(found[:2]) == {"REPORT : 4410 12 88", "REPORT : 4410 13 91"}


def test_more_anchors_first_then_the_questions_order_then_bm25() -> None:
    hit = _hit
    matched = {
        "a": Match(hit("a"), 1, 9.0),
        "b": Match(hit("b"), 2, 1.0),
        "c": Match(hit("c"), 1, 5.0, words=1),
        "d": Match(hit("d"), 1, 2.0),
        "e": Match(hit("e"), 1, 3.0),
        "f": Match(hit("f"), 1, 4.0),
    }
    by_question = [hit("d"), hit("a"), hit("c")]
    # b and c hold two anchors each (c: a number and a rare word), c ranks higher for the question;
    # d and a as the question ranks them; f and e, which the question's search did not return,
    # last, best BM25 first.
    assert [h.id for h in rank_matches(matched, by_question)] == ["c", "b", "d", "a", "f", "e"]


def test_what_happened_to_an_id_puts_its_worst_lines_first_among_as_many_anchors() -> None:
    def hit(name: str, message: str, level_rank: int = 2):
        return _hit(name).model_copy(update={"message": message, "level_rank": level_rank})

    matched = {
        "routine": Match(hit("routine", "pulled 746 deltas in 844 ms"), 1, 9.0),
        "killed": Match(hit("killed", "Killed process 28377 (java)"), 1, 1.0),
        "warned": Match(hit("warned", "old gen 13 GiB of 14 GiB", level_rank=3), 1, 2.0),
        "two": Match(hit("two", "pid 28377 started"), 2, 0.5),
        "quiet": Match(hit("quiet", "heartbeat ok"), 1, 3.0),
    }
    by_question = [matched["quiet"].hit, matched["routine"].hit]
    # more anchors still first; then the worse level, then words that say it failed, then as asked
    assert [h.id for h in rank_matches(matched, by_question, worst_first=True)] == [
        "two",
        "warned",
        "killed",
        "quiet",
        "routine",
    ]
    assert [h.id for h in rank_matches(matched, by_question)] == [
        "two",
        "quiet",
        "routine",
        "warned",
        "killed",
    ]


def test_what_happened_to_an_id_puts_the_lines_that_say_it_before_those_that_carry_it() -> None:
    def hit(name: str, level_rank: int = 2):
        return _hit(name).model_copy(update={"level_rank": level_rank})

    matched = {
        "field": Match(hit("field", level_rank=4), 2, 9.0),  # its pid field: "pid 28377" and "28377"
        "kernel": Match(hit("kernel"), 1, 1.0, said=1),  # "Killed process 28377"
        "both": Match(hit("both"), 2, 0.5, said=2),  # "port 5433" and "5433" in its message
        "word": Match(hit("word"), 1, 3.0, words=1),
    }
    # "what happened to pid 28377?": what the lines say first
    assert [h.id for h in rank_matches(matched, [], worst_first=True)] == ["both", "kernel", "field", "word"]
    # "what was pid 28377 up to?": the lines that carry it as much as those that say it
    assert [h.id for h in rank_matches(matched, [])] == ["field", "word", "both", "kernel"]


def test_what_happened_to_an_id_breaks_ties_by_rare_words_then_the_question_then_bm25() -> None:
    def hit(name: str):
        return _hit(name).model_copy(update={"message": "pulled 746 deltas", "level_rank": 2})

    matched = {
        "plain": Match(hit("plain"), 1, 1.0, said=1),
        "worded": Match(hit("worded"), 1, 0.5, words=1, said=1),  # a rare word of the question too
        "asked": Match(hit("asked"), 1, 0.2, said=1),
        "best": Match(hit("best"), 1, 3.0, said=1),
        "low": Match(hit("low"), 1, 2.0, said=1),
    }
    by_question = [matched["asked"].hit]
    ranked = [h.id for h in rank_matches(matched, by_question, worst_first=True)]
    assert ranked == ["worded", "asked", "best", "low", "plain"]


@pytest.mark.parametrize(
    ("message", "phrase", "expected"),
    [
        ("[3477170.301258] [28377]  1001 28377 java", "28377", True),
        ("Killed process 28377 (java)", "process 28377", True),
        ("KILLED PROCESS 28377", "process 28377", True),
        ("reaped 128377 pages", "28377", False),
        ("reaped 283770 pages", "28377", False),
        ("job_28377 done", "28377", False),
        ("port 5433.", "port 5433", True),
        ("a+b in c", "a+b", True),
    ],
)
def test_a_message_says_a_phrase_as_whole_words(message: str, phrase: str, expected: bool) -> None:
    assert anchors.says(message, phrase) is expected


def test_what_happened_to_a_pid_puts_what_was_said_of_it_before_its_own_warnings(tmp_path, embedder) -> None:
    """The process's own lines carry pid 28377 in a field, some at WARN; the kernel's lines about
    it say the pid, at no level: what happened to it is what the kernel said."""
    own = [
        _at(
            i, f"slow request GET /v1/stock/SKU-{i} took {3000 + i} ms", fields={"pid": "28377"}, level="WARN"
        )
        for i in range(12)
    ]
    store = _store(
        tmp_path,
        embedder,
        [
            *own,
            _at(20, "Out of memory: Kill process 28377 (java) score 620 or sacrifice child", level=None),
            _at(21, "Killed process 28377 (java) total-vm:20968452kB", level=None),
            *_connections(30),
        ],
    )
    found, _ = _ask(store, "what happened to pid 28377?", k=3)
    assert set(found[:2]) == {
        "Out of memory: Kill process 28377 (java) score 620 or sacrifice child",
        "Killed process 28377 (java) total-vm:20968452kB",
    }
    assert found[2].startswith("slow request ")


def test_what_happened_to_a_pid_shows_its_end_before_its_routine(tmp_path, embedder) -> None:
    routine = [_at(i, f"pulled {100 + i} deltas from warehouse feed", pid="28377") for i in range(12)]
    store = _store(
        tmp_path,
        embedder,
        [
            *routine,
            _at(20, "Out of memory: Kill process 28377 (java) score 620 or sacrifice child"),
            _at(21, "Killed process 28377 (java) total-vm:20968452kB"),
            *_connections(30),
        ],
    )
    found, _ = _ask(store, "what happened to pid 28377?", k=3)
    assert set(found[:2]) == {
        "Out of memory: Kill process 28377 (java) score 620 or sacrifice child",
        "Killed process 28377 (java) total-vm:20968452kB",
    }
    assert found[2].startswith("pulled ")


def test_a_clock_time_not_read_as_a_time_is_a_value_to_find(tmp_path, embedder) -> None:
    """'lasted 14:59' is a lifetime, not a time of day: its lines come first."""
    records = [
        *[
            _at(i, f"mtalk.example.com:443 close, {900 + i} bytes sent, lifetime 00:0{i % 10}")
            for i in range(30)
        ],
        _at(40, "mtalk.example.com:443 close, 985 bytes sent, lifetime 14:59"),
    ]
    store = _store(tmp_path, embedder, records)
    plan = RuleRefiner().refine("which connections lasted 14:59?", now=NOW)
    assert plan.window is None and "14:59" in plan.terms
    assert "14:59" not in plan.meaning_text  # to the model it reads as a time of day
    found, _ = _ask(store, "which connections lasted 14:59?")
    assert found[0] == "mtalk.example.com:443 close, 985 bytes sent, lifetime 14:59"


def test_a_broad_question_naming_a_number_shows_its_lines_of_the_window_first(tmp_path, embedder) -> None:
    """'what did pid 13 log between 12:00 and 12:10?': its INFO lines, then the window's warnings."""
    records = [
        _at(10, "Verification succeeded for blk_1", fields={"pid": "13"}),
        _at(20, "Verification succeeded for blk_2", fields={"pid": "13"}),
        _at(30, "disk slow on /data/3", level="WARN", fields={"pid": "7"}),
        _at(40, "replica lost for blk_9", level="ERROR", fields={"pid": "7"}),
        *[_at(50 + i, f"heartbeat from node {i}", fields={"pid": "7"}) for i in range(20)],
        _at(3600, "Verification succeeded for blk_3", fields={"pid": "13"}),  # outside the window
    ]
    store = _store(tmp_path, embedder, records)
    plan = RuleRefiner().refine("what did pid 13 log between 12:00 and 12:10?", now=NOW)
    assert plan.broad and plan.tells_a_story and plan.window is not None
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=4)
    assert [line.message for line in lines] == [
        "Verification succeeded for blk_1",
        "Verification succeeded for blk_2",
        "replica lost for blk_9",
        "disk slow on /data/3",
    ]


# --- exact behaviour of the anchor lookups (tests that kill mutants, docs/mutation.md) -----------


def test_plain_words_are_the_questions_other_words_of_four_letters_or_more() -> None:
    plan = RetrievalPlan(
        question="?",
        query_text="Acrobat qxtool connect retry.. ab.. node- GetUser kb cacheX",
        identifiers=["ACROBAT"],
        expansions=["Connect"],
    )
    # Case does not make a word new; trailing dots and dashes are not part of it; short ones drop.
    assert plain_words(plan, ["GETUSER"]) == ["qxtool", "retry", "node", "cacheX"]


def test_anchor_counts_scores_and_rare_words_exactly(tmp_path, embedder) -> None:
    records = [
        *_connections(122),
        _at(300, "quota exceeded on volume vol-7 by job 8812", fields={"program": "qxtool"}),
        _at(301, "job 8812 queued"),
    ]
    store = _store(tmp_path, embedder, records)
    plan = RuleRefiner().refine("why did qxtool job 8812 hit the quota?", now=NOW)
    assert plan.terms == ["job 8812", "8812"]
    matched = anchors.anchor_matches(store, SESSION, None, plan, SearchFilters())
    by_message = {m.hit.message: m for m in matched.values()}
    quota = by_message["quota exceeded on volume vol-7 by job 8812"]
    assert (quota.anchors, by_message["job 8812 queued"].anchors) == (2, 2)
    assert (quota.said, by_message["job 8812 queued"].said) == (2, 2)
    assert quota.words == 2  # "qxtool" and "quota": each on one line of 124
    phrase_scores = [
        h.score
        for p in ("job 8812", "8812", "qxtool", "quota")
        for h in store.phrase_hits(SESSION, p)
        if h.message == quota.hit.message
    ]
    assert quota.score == pytest.approx(sum(phrase_scores))
    without = anchors.anchor_matches(store, SESSION, None, plan, SearchFilters(), rare_words=False)
    assert {m.hit.message: m.words for m in without.values()} == {
        "quota exceeded on volume vol-7 by job 8812": 0,
        "job 8812 queued": 0,
    }


def test_a_word_on_six_of_130_lines_is_not_rare_on_five_it_is(tmp_path, embedder) -> None:
    def store_with(n: int):
        records = [*_connections(130 - n), *[_at(500 + i, f"qxtool sync pass {i}") for i in range(n)]]
        return _store(tmp_path / str(n), embedder, records)

    plan = RuleRefiner().refine("what did qxtool do?", now=NOW)
    assert len(anchors.anchor_matches(store_with(5), SESSION, None, plan, SearchFilters())) == 5
    assert anchors.anchor_matches(store_with(6), SESSION, None, plan, SearchFilters()) == {}


def test_a_long_question_keeps_a_line_holding_two_of_its_rare_words(tmp_path, embedder) -> None:
    records = [*_connections(120), _at(300, "qxtool cleaned snapshot files older than 10 days")]
    store = _store(tmp_path, embedder, records)
    plan = RuleRefiner().refine("in that run did qxtool load registry hives from an older snapshot?", now=NOW)
    assert len(plain_words(plan, [])) > anchors.WORDS_PER_RARE  # two rare words needed
    (match,) = anchors.anchor_matches(store, SESSION, None, plan, SearchFilters()).values()
    assert match.words == 3  # qxtool, older, snapshot


def test_a_story_question_names_only_its_tables_lines_and_not_by_rare_words(tmp_path, embedder) -> None:
    records = [
        _at(10, "Verification succeeded for blk_1", fields={"pid": "13"}),
        _at(12, "Verification succeeded for blk_1", fields={"pid": "13"}),
        _at(30, "disk slow on /data/3", level="WARN", fields={"pid": "7"}),
        _at(40, "qxtool sweep started", fields={"pid": "7"}),
        *[_at(50 + i, f"heartbeat from node {i + 20}", fields={"pid": "7"}) for i in range(120)],
    ]
    store = _store(tmp_path, embedder, records)
    other = [_at(20, "Verification succeeded for blk_1", fields={"pid": "13"})]
    store.ingest(SESSION, OTHER, clean_records(other, None).records)
    plan = RuleRefiner().refine("what did pid 13 and qxtool log between 12:00 and 12:10?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=3, tables=[TABLE])
    # The pid's lines of this table, counted in this table; then the window's worst.
    assert [(line.message, line.via, line.count) for line in lines[:2]] == [
        ("Verification succeeded for blk_1", "exact", 2),
        ("disk slow on /data/3", "scan", 1),
    ]
    # A rare word names no line first: only numbers and short ids do.
    plan = RuleRefiner().refine("what did pid 999 and qxtool log between 12:00 and 12:10?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=3, tables=[TABLE])
    assert lines[0].message == "disk slow on /data/3"


def test_a_short_id_on_too_many_lines_to_be_an_anchor_still_puts_its_lines_first(tmp_path, embedder) -> None:
    """`api3` is on 120 access lines (not an anchor: it picks out nothing); of the lines the
    question's words and meaning find, those naming api3 come before api1's and api2's."""
    access = [
        _at(i, f'10.0.0.{i % 200} "GET /v1/items/{i} HTTP/1.1" 200 512 via api_back/api3') for i in range(120)
    ]
    others = [
        _at(
            300 + i,
            f"Server api_back/api{1 + i % 2} is {state}, reason: Layer7 {why}, {i} active servers left",
        )
        for i, (state, why) in enumerate([("DOWN", "timeout"), ("UP", "check passed")] * 4)
    ]
    events = [
        *others,
        _at(320, "Health check for server api_back/api3 failed, reason: Layer4 timeout, status: 2/3 UP"),
        _at(321, "Server api_back/api3 is DOWN, reason: Layer4 timeout, 2 active servers left"),
        _at(322, "Server api_back/api3 is UP, reason: Layer7 check passed, 3 active servers online"),
    ]
    store = _store(tmp_path, embedder, [*access, *events])
    plan = RuleRefiner().refine("when did api3 drop out and why? did it come back?", now=NOW)
    assert plan.terms == ["api3"]
    assert anchors.anchor_matches(store, SESSION, None, plan, SearchFilters()) == {}
    found, _ = _ask(store, "when did api3 drop out and why? did it come back?", k=4)
    assert set(found[:3]) == {
        "Health check for server api_back/api3 failed, reason: Layer4 timeout, status: 2/3 UP",
        "Server api_back/api3 is DOWN, reason: Layer4 timeout, 2 active servers left",
        "Server api_back/api3 is UP, reason: Layer7 check passed, 3 active servers online",
    }


def test_a_word_that_only_looks_like_a_name_anchors_only_the_lines_that_write_it(tmp_path, embedder) -> None:
    """ "re-read" is an identifier to the question's parser (letters joined by a dash), and the
    full-text phrase search finds `reading` for it; only lines that write it count."""
    records = [
        *_connections(60),
        _at(100, "client sent invalid method while reading client request line"),
        _at(101, "master process will re-read its configuration"),
        _at(102, "signal 1 (SIGHUP) received, reconfiguring"),
        _at(103, "health probe passed", service="catalog-web"),
    ]
    store = _store(tmp_path, embedder, records)
    plan = RuleRefiner().refine("did the box re-read its settings? what did catalog-web say?", now=NOW)
    assert {"re-read", "catalog-web"} <= set(anchors.anchor_phrases(plan))
    matched = anchors.anchor_matches(store, SESSION, None, plan, SearchFilters(), rare_words=False)
    assert sorted(m.hit.message for m in matched.values()) == [
        "health probe passed",  # its service field says catalog-web
        "master process will re-read its configuration",
    ]


@pytest.mark.parametrize(
    ("phrase", "held"),
    [("re-read", True), ("Catalog-Web", True), ("web-17", True), ("reread", False), ("web-1", False)],
)
def test_a_line_holds_a_phrase_in_its_message_or_a_field(phrase: str, held: bool) -> None:
    hit = _hit("master will re-read its config").model_copy(
        update={"service": "catalog-web", "fields_json": '{"pod": "web-17"}'}
    )
    assert anchors.holds(hit, phrase) is held

"""Plain words for jargon (`workflows/ops_words.py`): the concepts a question speaks of, their log
words, and the tier of the few lines holding one (`plan_search._in_jargon`). Small real LanceDB,
the real model."""

from __future__ import annotations

from test_retrieve_rules import NOW, SESSION, _ask, _rows, _store

from sre_agent.workflows.ops_words import CONCEPTS, concepts_in, log_words
from sre_agent.workflows.plan_search import JARGON_LINES
from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.retrieve import Retriever


def _names(question: str) -> list[str]:
    return [concept.name for concept, _ in concepts_in(question)]


def test_plain_phrases_name_their_concepts_by_word_stems() -> None:
    assert _names("is the box running out of ram?") == ["memory exhausted"]
    assert _names("were the certs about to expire?") == ["certificate trouble"]
    assert _names("did the cache throw entries away too early?") == ["thrown away"]
    # a phrasal verb's particle may stand after its object, three words at most
    assert _names("the gateway kept turning every new connection away") == ["refused connections"]
    assert _names("the gateway kept turning every single new connection away") == []
    # nothing is read into questions that do not speak of trouble in plain words
    for question in (
        "what is behind this?",
        "is it resolved now?",
        "did it come back up?",
        "what went wrong?",
    ):
        assert _names(question) == [], question


def test_every_concept_has_plain_phrases_and_log_words_written_once() -> None:
    for concept in CONCEPTS:
        assert concept.plain and concept.jargon, concept.name
        assert all(p and p == p.strip() for p in (*concept.plain, *concept.jargon)), concept.name
        assert len(set(concept.jargon)) == len(concept.jargon), concept.name
    assert len({c.name for c in CONCEPTS}) == len(CONCEPTS)


def test_log_words_leave_out_single_words_the_question_says() -> None:
    spoken = concepts_in("did the disk fill up? the disk usage graph looked odd")
    assert [c.name for c, _ in spoken] == ["disk full"]
    words = log_words(spoken, "did the disk fill up? the disk usage graph looked odd")
    assert words[:2] == ["No space left on device", "ENOSPC"]
    assert "disk usage" in words  # a phrase stays: the question's words alone do not say it
    spoken = concepts_in("out of ram? any OOM? was it killed?")
    words = log_words(spoken, "out of ram? any OOM? was it killed?")
    assert "OOM" not in words and "killed" not in words and "OOMKilled" in words


def test_the_plan_carries_the_log_words_and_says_why() -> None:
    plan = RuleRefiner().refine("were clients turned away because every slot was taken?", now=NOW)
    assert plan.jargon[0] == "Connection refused"
    assert "too many connections" in plan.jargon
    assert plan.notes[:2] == [
        "'turned away' read as refused connections: its usual log words searched too",
        "'every slot' read as too many at once: its usual log words searched too",
    ]
    assert RuleRefiner().refine("what went wrong between 10:00 and 11:00?", now=NOW).jargon == []


NOISE = [(m, f"GET /api/orders/{m} 200 in {m + 3}ms") for m in range(30)]
KILLS = [
    (40, "Memory cgroup out of memory: Killed process 4242 (java) total-vm:8123456kB"),
    (41, "oom_reaper: reaped process 4242 (java), now anon-rss:0kB"),
]


def test_lines_in_the_logs_words_rank_first_for_a_plain_words_question(tmp_path, embedder) -> None:
    store = _store(tmp_path, embedder, _rows(*NOISE, *KILLS, (45, "worker pool resized to 8 threads")))
    plan = RuleRefiner().refine("did the app get killed for using too much ram?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=10)
    assert {line.message for line in lines[:2]} == {KILLS[0][1], KILLS[1][1]}
    assert plan.read_notes == [
        "the logs' words for what the question says in plain words: “out of memory”, “oom_reaper”, "
        "“Killed process” (2 lines, ranked after the lines of what it names)"
    ]


def test_a_log_word_many_lines_hold_lifts_nothing(tmp_path, embedder) -> None:
    # every line says `pool`: it does not say which line is meant
    pooled = [(m, f"pool worker-{m} took job {m} from the pool queue") for m in range(20)]
    store = _store(tmp_path, embedder, _rows(*pooled, (30, "db handle leak suspected in checkout")))
    plan = RuleRefiner().refine("are requests sitting on a db handle?", now=NOW)
    assert "pool" in plan.jargon
    found, _ = _ask(store, "are requests sitting on a db handle?", k=1)
    assert found == ["db handle leak suspected in checkout"]


def test_at_most_a_few_messages_of_the_logs_words_go_first(tmp_path, embedder) -> None:
    refused = [(50 + m, f"connect to 10.0.0.{m}:5432 failed: Connection refused") for m in range(6)]
    refused += [(60, "upstream connect error or disconnect/reset before headers")]
    refused += [(61, "dial tcp 10.0.9.9:443: connect: no route to host")]
    refused += [(62, "ECONNREFUSED 127.0.0.1:6379")]
    store = _store(tmp_path, embedder, _rows(*NOISE, *refused))
    found, _ = _ask(store, "was the database turning callers away?")
    jargon = {m for _, m in refused}
    held = [m for m in found if m in jargon]
    assert len(held) >= JARGON_LINES
    assert all(m in jargon for m in found[:JARGON_LINES])


def test_the_concept_lists_are_read_from_bar_separated_text() -> None:
    # the builders run at import; called here so that `make mutation` reaches them
    from sre_agent.stems import stems
    from sre_agent.workflows.ops_words import Concept, _concept, _stemmed

    assert _concept("c", "a | b c |d", "E|f g") == Concept("c", ("a", "b c", "d"), ("E", "f g"))
    assert _stemmed(("disks filled", "", "--")) == [stems("disks filled")]


def test_how_many_lines_hold_a_log_word_is_counted_among_the_lines_searched(tmp_path, embedder) -> None:
    # in the window asked about, 6 of 8 lines say `pool` (not a word that picks a line out); over the
    # whole store 6 of 20 do: the share that matters is the window's
    pooled = [(m, f"pool worker-{m} took job {m} from the pool queue") for m in range(6)]
    rows = [*pooled, (6, "db handle leak suspected in checkout"), (7, "GET /healthz 200")]
    rows += [(60 + m, f"GET /api/orders/{m} 200 in {m + 3}ms") for m in range(12)]
    store = _store(tmp_path, embedder, _rows(*rows))
    question = "between 12:00 and 12:08, were requests sitting on a db handle?"
    plan = RuleRefiner().refine(question, now=NOW)
    assert "pool" in plan.jargon and plan.window is not None
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=1)
    assert [line.message for line in lines] == ["db handle leak suspected in checkout"]
    assert not any("plain words" in note for note in plan.read_notes)  # no tier: nothing to say


def test_only_the_lines_searched_count_for_a_log_word(tmp_path, embedder) -> None:
    # one line of the window asked about says it; fifteen after the window do: in the window it
    # picks its line out
    late = [
        (60 + m, "HikariPool-1 - Connection is not available, request timed out after 30000ms")
        for m in range(15)
    ]
    rows = [(m, f"GET /api/orders/{m} 200 in {m + 3}ms") for m in range(7)]
    rows += [(7, "HikariPool-1 - Connection is not available, request timed out after 30000ms."), *late]
    store = _store(tmp_path, embedder, _rows(*rows))
    plan = RuleRefiner().refine("between 12:00 and 12:08, were requests sitting on a db handle?", now=NOW)
    lines, _ = Retriever(store).retrieve(SESSION, plan, k=3)
    assert lines[0].message == "HikariPool-1 - Connection is not available, request timed out after 30000ms."
    assert plan.read_notes == [
        "the logs' words for what the question says in plain words: “Connection is not available” "
        "(1 line, ranked after the lines of what it names)"
    ]


def test_a_line_sharing_no_word_with_the_question_comes_in_by_its_log_word(tmp_path, embedder) -> None:
    # the question's own words and meaning point at the database lines; the refusal says none of them
    kinds = [
        "database caller api-{n} opened session {n}",
        "database callers waiting in queue: {n}",
        "turning on database statement cache for caller {n}",
        "database away-mode disabled by caller {n}",
        "callers of the database throttled to {n} per second",
        "database caller {n} closed its session cleanly",
    ]
    noise = [(m, kinds[m % len(kinds)].format(n=m)) for m in range(36)]
    store = _store(tmp_path, embedder, _rows(*noise, (40, "ECONNREFUSED 127.0.0.1:6379")))
    found, _ = _ask(store, "was the database turning callers away?", k=3)
    assert "ECONNREFUSED 127.0.0.1:6379" in found[:3]

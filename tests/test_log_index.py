"""The per-session LanceDB log index: ingest without doubling, hybrid search, filters, sessions.

Everything runs on a real LanceDB in a tmp folder with the real local embedding model (the
`embedder` fixture of conftest.py, loaded once per run).
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lancedb
import pytest
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import ConfigDict, PrivateAttr

from sre_agent.errors import InputError
from sre_agent.indexes import LogIndex, SearchFilters, table_name
from sre_agent.indexes.filters import in_clause, level_rank, to_micros
from sre_agent.indexes.rows import clean_rows, fts_text, records_of, short_hash
from sre_agent.models import CleanRecord, normalize_level
from sre_agent.shapes import embedding_text

SESSION = "C123-1700000000.123456"
TABLE = table_name("logs", "GetUser", "prod")
BASE = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


class RecordingEmbedding(BaseEmbedding):
    """Wraps an embedder, remembers every text it embedded, and fails on texts holding `fail_on`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    model_name: str = "recording"
    inner: BaseEmbedding
    fail_on: str | None = None
    _texts: list[str] = PrivateAttr(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return self._texts

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        if self.fail_on is not None and any(self.fail_on in t for t in texts):
            raise RuntimeError("embedding service unavailable")
        self._texts.extend(texts)
        return self.inner.get_text_embedding_batch(texts)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.inner.get_query_embedding(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self.inner.get_query_embedding(query)


def record(
    minute: int, message: str, shape: str, level: str = "INFO", host: str = "web-1", **fields: str
) -> CleanRecord:
    """A cleaned record at BASE + `minute`; the id is a hash of its content, like the clean step's."""
    timestamp = BASE + timedelta(minutes=minute)
    content = f"{timestamp.isoformat()}|{host}|{level}|{message}|{sorted(fields.items())}"
    record_id = hashlib.blake2b(content.encode(), digest_size=16).hexdigest()
    return CleanRecord(
        id=record_id,
        timestamp=timestamp,
        message=message,
        shape=shape,
        level=level,
        host=host,
        env="prod",
        **fields,
    )


BLOCK = "Receiving block blk_<NUM> src: /<IP>:<NUM> dest: /<IP>:<NUM>"
TIMEOUT = "Error: timeout of <NUM>ms exceeded while calling stripe"
REFUSED = "Connection refused to database host db-<NUM>.internal"
SSH = "Failed password for invalid user admin from <IP> port <NUM> ssh2"
PANIC = "panic: runtime error: invalid memory address or nil pointer dereference"
OOM = "OOMKilled: container app exceeded memory limit of <NUM>Mi"
GET_USER = "GET /v1/users/<NUM> <NUM> in <NUM>ms"
BUILD_DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"  # 64 chars, one token


def sample_records() -> list[CleanRecord]:
    """A small incident: HDFS blocks, payment timeouts, a refused database, ssh noise, a panic."""
    block = "Receiving block blk_{} src: /{ip}:{} dest: /{ip}:50010"
    records = [
        record(0, block.format("-8775602795571523802", 54106, ip="10.10.34.11"), BLOCK),
        record(1, block.format("7128370237687728475", 41296, ip="10.10.34.12"), BLOCK, host="web-2"),
        record(2, block.format("3587508140051953248", 57069, ip="10.251.42.84"), BLOCK),
        record(3, "Error: timeout of 10000ms exceeded while calling stripe", TIMEOUT, "ERROR",
               method="Charge", request_id="req-7f3a-99"),
        record(4, "Error: timeout of 12000ms exceeded while calling stripe", TIMEOUT, "ERROR", "web-2",
               method="Charge"),
        record(5, "Connection refused to database host db-1.internal", REFUSED, "WARN", "db-1",
               method="GetMembership"),
        record(6, "Failed password for invalid user admin from 173.234.31.186 port 38926 ssh2", SSH, "WARN",
               "bastion"),
        record(8, PANIC, PANIC, "FATAL", "web-3"),
        record(9, "OOMKilled: container app exceeded memory limit of 512Mi", OOM, "ERROR", "kube-1"),
    ]  # fmt: skip
    for i in range(20):
        message = f"GET /v1/users/{40 + i} 200 in {10 + i}ms"
        records.append(
            record(
                10 + i, message, GET_USER, "INFO", f"web-{1 + i % 3}", method="GetUser", user_id=str(40 + i)
            )
        )
    return records


@pytest.fixture(scope="module")
def filled_store(tmp_path_factory: pytest.TempPathFactory, embedder: BaseEmbedding) -> LogIndex:
    """One session with the sample records in TABLE and three more lines in a second table."""
    store = LogIndex(str(tmp_path_factory.mktemp("lancedb")), embedder)
    store.ingest(SESSION, TABLE, sample_records())
    store.ingest(
        SESSION,
        table_name("panic_logs", "prod"),
        [
            record(40, "panic: send on closed channel", "panic: send on closed channel", "FATAL", "web-3"),
            record(
                41,
                "goroutine 17 [running]: main.worker()",
                "goroutine <NUM> [running]: main.worker()",
                "FATAL",
            ),
            record(42, f"deployed build {BUILD_DIGEST}", "deployed build <HEX>", "INFO", "ci-1"),
        ],
    )
    return store


# ------------------------------------------------------------------ ingest


def test_ingesting_twice_never_doubles_rows_and_embeds_nothing_the_second_time(
    tmp_path: Path, embedder: BaseEmbedding
) -> None:
    recording = RecordingEmbedding(inner=embedder)
    store = LogIndex(str(tmp_path), recording)
    records = sample_records()
    first = store.ingest(SESSION, TABLE, records)
    assert (first.fetched, first.new, first.already_stored) == (len(records), len(records), 0)
    assert store.count(SESSION, TABLE) == len(records)

    embedded_before = len(recording.texts)
    again = store.ingest(SESSION, TABLE, records + records[:3])  # repeats inside the batch too
    assert (again.new, again.already_stored, again.shapes_embedded) == (0, len(records) + 3, 0)
    assert len(recording.texts) == embedded_before
    assert store.count(SESSION, TABLE) == len(records)


def test_a_clean_table_is_stored_as_its_records_are_with_every_derived_column(
    tmp_path: Path, embedder: BaseEmbedding
) -> None:
    """The workflow hands the store a clean table (Arrow columns), other callers `CleanRecord`s:
    both store the same rows, and each derived column is what its definition says, row by row."""
    records = [
        *sample_records()[:5],
        record(40, "disk nearly full on kube-1", "disk nearly full on kube-<NUM>", "warning", "kube-1"),
        record(41, "no level here", "no level here", "", "web-1"),
        CleanRecord(
            id="with-fields",
            timestamp=BASE + timedelta(minutes=42, microseconds=7),
            message="getAllCellInfo failed pid 7111",
            shape="getAllCellInfo failed pid <NUM>",
            level=None,
            fields_json='{"pid":7111,"note":"x"}',
            source="/var/log/app.log",
            line=12,
        ),
    ]
    as_records, as_table = LogIndex(str(tmp_path / "a"), embedder), LogIndex(str(tmp_path / "b"), embedder)
    stats_a = as_records.ingest(SESSION, TABLE, records)
    stats_b = as_table.ingest(SESSION, TABLE, clean_rows(records + records[:2]))  # two repeated ids
    assert (stats_a.new, stats_b.new, stats_b.already_stored) == (8, 8, 2)

    def stored(root: Path) -> list[dict]:
        tbl = lancedb.connect(str(root)).open_table(TABLE, namespace_path=[SESSION])
        return sorted(tbl.to_arrow().to_pylist(), key=lambda row: row["ts"])

    rows_a, rows_b = stored(tmp_path / "a"), stored(tmp_path / "b")
    assert rows_a == rows_b
    for row, original in zip(rows_a, sorted(records, key=lambda r: r.timestamp), strict=True):
        level = normalize_level(original.level)
        assert row["id"] == original.id and row["message"] == original.message
        assert row["timestamp"] == original.timestamp and row["ts"] == to_micros(original.timestamp)
        assert (row["level"], row["level_rank"]) == (level, level_rank(level))
        assert row["msg_hash"] == short_hash(original.message)
        assert row["shape_hash"] == short_hash(original.shape)
        assert row["text"] == fts_text(original)
        assert (row["fields_json"], row["source"], row["line"]) == (
            original.fields_json,
            original.source,
            original.line,
        )
    assert [row["level"] for row in rows_a[-3:]] == ["WARN", None, None]
    assert rows_a[-1]["text"] == (
        "getAllCellInfo failed pid 7111 get All Cell Info failed pid 7111 pid 7111 note x"
    )
    assert records_of(clean_rows(records)) == records


def test_each_shape_is_embedded_once_even_by_a_new_process(tmp_path: Path, embedder: BaseEmbedding) -> None:
    recording = RecordingEmbedding(inner=embedder)
    store = LogIndex(str(tmp_path), recording)
    stats = store.ingest(SESSION, TABLE, sample_records())
    distinct_shapes = {r.shape for r in sample_records()}
    assert stats.shapes_embedded == len(distinct_shapes) == 7
    # Each shape once, as the model reads it: camelCase names split, digits glued to letters dropped.
    assert sorted(recording.texts) == sorted(embedding_text(shape) for shape in distinct_shapes)
    assert "OOM Killed: container app exceeded memory limit of <NUM>Mi" in recording.texts

    # A fresh store (a new process: empty caches) reuses the vectors stored with the rows.
    fresh = RecordingEmbedding(inner=embedder)
    later = [
        record(50, "GET /v1/users/999 200 in 7ms", GET_USER, method="GetUser"),
        record(51, "a shape never seen before", "a shape never seen before"),
    ]
    stats = LogIndex(str(tmp_path), fresh).ingest(SESSION, TABLE, later)
    assert (stats.new, stats.shapes_embedded, stats.shapes_reused) == (2, 1, 1)
    assert fresh.texts == ["a shape never seen before"]


def test_shapes_that_differ_only_by_a_number_glued_to_a_word_are_embedded_once(
    tmp_path: Path, embedder: BaseEmbedding
) -> None:
    recording = RecordingEmbedding(inner=embedder)
    store = LogIndex(str(tmp_path), recording)
    lines = [
        "Read out cached package applicability for package: Package_for_KB3185319",
        "Read out cached package applicability for package: Package_for_KB2966583",
        "Read out cached package applicability for package: Package_for_KB3019978",
    ]
    records = [record(80 + i, line, line) for i, line in enumerate(lines)]
    stats = store.ingest(SESSION, TABLE, records)
    assert (stats.new, stats.shapes_embedded) == (3, 3)
    assert recording.texts == ["Read out cached package applicability for package: Package_for_KB"]
    # The words still tell them apart: the package asked about comes first.
    hits = store.search(SESSION, "KB3019978", k=3)
    assert hits[0].message == lines[2]


def test_two_writers_racing_on_one_new_table_store_every_row_once(tmp_path: Path) -> None:
    records = sample_records()
    stores = [LogIndex(str(tmp_path), None), LogIndex(str(tmp_path), None)]  # like two processes
    batches = [records[:15], records[10:]]  # five records in both
    with ThreadPoolExecutor(max_workers=2) as pool:
        stats = list(pool.map(lambda store, batch: store.ingest(SESSION, TABLE, batch), stores, batches))
    stored = LogIndex(str(tmp_path), None).scan(SESSION)
    assert sorted(r.id for r in stored) == sorted(r.id for r in records)
    assert sum(s.new for s in stats) == len(records)


def test_rows_added_later_are_found_at_once(tmp_path: Path, embedder: BaseEmbedding) -> None:
    store = LogIndex(str(tmp_path), embedder)
    store.ingest(SESSION, TABLE, sample_records())
    assert store.search(SESSION, "block", k=3)  # the table is open and its shapes are loaded
    late = record(
        70,
        "Disk quota exceeded on /var/lib/kafka for broker-7",
        "Disk quota exceeded on <PATH> for broker-<NUM>",
    )
    store.ingest(SESSION, TABLE, [late])  # far fewer rows than it takes to re-index
    hits = store.search(SESSION, "broker-7 disk quota", k=3)
    assert hits[0].id == late.id and hits[0].via == "both"


def test_a_failing_embedder_writes_nothing_and_keeps_what_was_stored(
    tmp_path: Path, embedder: BaseEmbedding
) -> None:
    flaky = RecordingEmbedding(inner=embedder, fail_on="boom")
    store = LogIndex(str(tmp_path), flaky)
    store.ingest(SESSION, TABLE, sample_records())
    before = store.count(SESSION, TABLE)

    batch = [record(60, "new line that embeds fine", "new line that embeds fine"), record(61, "boom", "boom")]
    with pytest.raises(RuntimeError, match="embedding service unavailable"):
        store.ingest(SESSION, TABLE, batch)
    assert store.count(SESSION, TABLE) == before
    hits = store.search(SESSION, "blk_-8775602795571523802", k=3)
    assert hits[0].message.startswith("Receiving block blk_-8775602795571523802")

    # A brand-new session whose first ingest fails does not appear at all.
    with pytest.raises(RuntimeError):
        store.ingest("C999-1.2", TABLE, batch)
    assert store.list_sessions() == [SESSION]


def test_fts_only_store_without_an_embedder(tmp_path: Path) -> None:
    store = LogIndex(str(tmp_path), None)
    stats = store.ingest(SESSION, TABLE, sample_records())
    assert stats.new == len(sample_records()) and stats.shapes_embedded == 0
    hits = store.search(SESSION, "timeout stripe", k=5)
    assert hits and {h.via for h in hits} == {"fts"}
    assert hits[0].shape == TIMEOUT
    with pytest.raises(InputError, match="needs an embedder"):
        store.search(SESSION, "timeout", mode="vector")


# ------------------------------------------------------------------ search


def test_hybrid_search_finds_the_exact_identifier_line(filled_store: LogIndex) -> None:
    top = filled_store.search(SESSION, "blk_-8775602795571523802", k=5)[0]
    assert "blk_-8775602795571523802" in top.message and top.via in ("fts", "both")
    assert top.table == TABLE and top.level_rank == 2 and top.shape_hash

    # Other blocks share the tokens "blk" and "10", but only this line holds the exact IP.
    top = filled_store.search(SESSION, "10.10.34.12", k=5)[0]
    assert "10.10.34.12" in top.message
    top = filled_store.search(SESSION, "what happened to req-7f3a-99", k=5)[0]
    assert top.request_id == "req-7f3a-99"
    top = filled_store.search(SESSION, BUILD_DIGEST, k=5, mode="fts")[0]
    assert BUILD_DIGEST in top.message


def test_hybrid_search_finds_a_paraphrase_through_the_vector_side(filled_store: LogIndex) -> None:
    query = "time out"
    assert all(h.shape != TIMEOUT for h in filled_store.search(SESSION, query, mode="fts"))
    hits = filled_store.search(SESSION, query, k=5)
    assert hits[0].shape == TIMEOUT and hits[0].via == "vector"
    # One shape cannot fill the list: the other lines of the session are still there.
    assert len({h.shape for h in filled_store.search(SESSION, "GET users", k=20)}) > 3


@pytest.mark.parametrize(
    "query",
    ["blk_-8775602795571523802", "10.10.34.11", "'timeout of 10000ms exceeded'", '"unbalanced', "(", "a:b",
     "*", "x' OR '1'='1' --", "user_id=42", "!!!", "the of and"],
)  # fmt: skip
def test_queries_with_punctuation_never_crash(filled_store: LogIndex, query: str) -> None:
    for mode in ("hybrid", "fts", "vector"):
        filled_store.search(SESSION, query, k=5, mode=mode)


def test_quoted_phrase_finds_its_line(filled_store: LogIndex) -> None:
    hits = filled_store.search(SESSION, "'timeout of 10000ms exceeded'", k=3, mode="fts")
    assert hits[0].message == "Error: timeout of 10000ms exceeded while calling stripe"


def test_filters_restrict_every_hit(filled_store: LogIndex) -> None:
    query = "error refused timeout block users"
    everything = filled_store.search(SESSION, query, k=50)

    def check(filters: SearchFilters, holds) -> None:
        hits = filled_store.search(SESSION, query, k=50, filters=filters)
        assert hits, filters
        assert all(holds(h) for h in hits), filters
        assert not all(holds(h) for h in everything), "the filter should exclude something"

    check(SearchFilters(min_level="error"), lambda h: h.level in ("ERROR", "FATAL"))
    check(SearchFilters(levels=["warning"]), lambda h: h.level == "WARN")
    start, end = BASE + timedelta(minutes=2), BASE + timedelta(minutes=6)
    check(SearchFilters(start=start, end=end), lambda h: start <= h.timestamp <= end)
    check(SearchFilters(host="web-2"), lambda h: h.host == "web-2")
    check(SearchFilters(method="Charge"), lambda h: h.method == "Charge")
    check(SearchFilters(message_contains=["STRIPE", "12000"]), lambda h: "12000ms" in h.message)
    assert filled_store.search(SESSION, query, filters=SearchFilters(host="x' OR '1'='1")) == []


def test_an_empty_id_list_matches_nothing_rather_than_failing(filled_store: LogIndex) -> None:
    assert in_clause("id", []) == "FALSE"
    assert filled_store.scan(SESSION, filters=SearchFilters(where=in_clause("id", []))) == []
    assert filled_store.search(SESSION, "error", filters=SearchFilters(where=in_clause("id", []))) == []


def test_bad_filters_are_input_errors(filled_store: LogIndex) -> None:
    with pytest.raises(InputError, match="no_such_column"):
        filled_store.search(SESSION, "error", filters=SearchFilters(where="no_such_column = 1"))
    with pytest.raises(ValueError, match="unknown level"):
        SearchFilters(min_level="LOUD")
    with pytest.raises(ValueError, match="is after end"):
        SearchFilters(start=BASE, end=BASE - timedelta(minutes=1))


def test_search_covers_every_table_of_the_session_unless_told_otherwise(filled_store: LogIndex) -> None:
    panic_table = table_name("panic_logs", "prod")
    hits = filled_store.search(SESSION, "panic", k=10)
    assert {h.table for h in hits} == {TABLE, panic_table}
    only = filled_store.search(SESSION, "panic", k=10, tables=[panic_table])
    assert only and {h.table for h in only} == {panic_table}
    with pytest.raises(InputError, match="unknown table 'nope'"):
        filled_store.search(SESSION, "panic", tables=["nope"])


def test_empty_query_is_an_input_error(filled_store: LogIndex) -> None:
    with pytest.raises(InputError, match="empty"):
        filled_store.search(SESSION, "   ")


def test_scan_lists_matching_rows_oldest_first(filled_store: LogIndex) -> None:
    rows = filled_store.scan(SESSION, filters=SearchFilters(min_level="WARN"))
    assert [r.level for r in rows] == ["ERROR", "ERROR", "WARN", "WARN", "FATAL", "ERROR", "FATAL", "FATAL"]
    assert [r.timestamp for r in rows] == sorted(r.timestamp for r in rows)
    assert {r.table for r in rows} == {TABLE, table_name("panic_logs", "prod")}
    assert len(filled_store.scan(SESSION, limit=4)) == 4
    assert filled_store.count(SESSION) == len(sample_records()) + 3


def test_exists_and_time_span_agree_with_scan(filled_store: LogIndex) -> None:
    assert filled_store.exists(SESSION, filters=SearchFilters(min_level="FATAL"))
    assert not filled_store.exists(SESSION, filters=SearchFilters(host="no-such-host"))
    rows = filled_store.scan(SESSION)
    first, last = filled_store.time_span(SESSION)
    assert (first, last) == (to_micros(rows[0].timestamp), to_micros(rows[-1].timestamp))


# ------------------------------------------------------------------ sessions and names


def test_sessions_list_drop_and_drop_all(tmp_path: Path) -> None:
    store = LogIndex(str(tmp_path / "db"), None)
    assert store.list_sessions() == []
    with pytest.raises(InputError, match="unknown session 'C1-1.1'"):
        store.list_tables("C1-1.1")
    store.ingest("C1-1.1", "logs_a_prod", sample_records()[:3])
    store.ingest("C1-1.1", "logs_b_prod", sample_records()[3:5])
    store.ingest("C2-2.2", "logs_a_prod", sample_records()[:1])
    assert store.list_sessions() == ["C1-1.1", "C2-2.2"]
    assert store.list_tables("C1-1.1") == ["logs_a_prod", "logs_b_prod"]
    assert store.count("C1-1.1") == 5 and store.count("C1-1.1", "logs_b_prod") == 2

    store.drop_session("C1-1.1")
    assert store.list_sessions() == ["C2-2.2"]
    for call in (
        lambda: store.list_tables("C1-1.1"),
        lambda: store.search("C1-1.1", "block"),
        lambda: store.scan("C1-1.1"),
        lambda: store.count("C1-1.1"),
        lambda: store.drop_session("C1-1.1"),
    ):
        with pytest.raises(InputError, match="unknown session 'C1-1.1'"):
            call()
    assert store.drop_all() == 1
    assert store.list_sessions() == []


def test_names_are_checked_and_built() -> None:
    assert table_name("logs", "GetUser", "prod") == "logs_getuser_prod"
    assert table_name("req", "7F3A-99/x", "prod") == "req_7f3a_99_x_prod"
    assert table_name("panic_logs", "Prod") == "panic_logs_prod"
    long = table_name("logs", "m" * 200, "prod")
    assert len(long) == 120 and long != table_name("logs", "m" * 201, "prod")
    store = LogIndex("/nonexistent-never-created", None)
    with pytest.raises(InputError, match="session id 'C1/2'"):
        store.ingest("C1/2", "logs_a", [])
    with pytest.raises(InputError, match="table name 'Logs-A'"):
        store.ingest("C1", "Logs-A", [])

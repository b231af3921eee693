"""Ingest: clean log lines stored in one table of a session (`LogIndex.ingest`).

- records whose id the table already holds are skipped before anything is embedded;
- each distinct shape is embedded once, as `shapes.embedding_text` reads it (camelCase names split
  into words, as the question is; digits glued to letters dropped, so shapes differing only there
  share one embedding): vectors already stored in the table, or seen earlier by this process, are
  reused; only unknown shapes go to `embedder.get_text_embedding_batch` (`embedding_cache`);
- rows are embedded and written `WRITE_BATCH` at a time, each batch embedded before it is
  written, so an embedder failure writes nothing of its batch (of a smaller fetch: nothing);
- new rows go into a table created empty, `id` declared its primary key: appended on a local
  store, whose writing processes take turns per table (a file lock, `repair.writers_lock`:
  racing, LanceDB 0.40 doubled rows when a merge met another writer's index or compaction
  commit), with `merge_insert("id")` (insert-if-absent) on an object store;
- without an embedder rows get zero vectors, which the vector search leaves out;
- the indexes are then brought up to date (`log_tables.maintain_indexes`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import partial

import pyarrow as pa

from sre_agent.indexes.embedding_cache import EmbeddingCache
from sre_agent.indexes.log_tables import LogTables, maintain_indexes, stored_ids
from sre_agent.indexes.records import IngestStats
from sre_agent.indexes.rows import clean_rows, to_arrow
from sre_agent.models import CleanRecord

#: Rows embedded and written at a time by one ingest: bounds the memory a big fetch needs to store.
WRITE_BATCH = 10_000


def ingest_rows(
    tables: LogTables,
    vectors_of: EmbeddingCache,
    vector_dim: int,
    session: str,
    table: str,
    records: Sequence[CleanRecord] | pa.Table,
    id_mark: str | None,
) -> IngestStats:
    """Store `records` in `session`/`table` through `tables`, embedding (with `vectors_of`) only
    what is not stored yet; a session this creates keeps `id_mark`."""
    started = time.perf_counter()
    rows = records if isinstance(records, pa.Table) else clean_rows(records)
    first: dict[str, int] = {}  # each id's first row
    for i, record_id in enumerate(rows["id"].to_pylist()):
        first.setdefault(record_id, i)
    key = (session, table)
    with tables.writing(key):
        tbl = None
        if table in (tables.names(session) or []):
            tbl = tables.open(session, table)
        stored = stored_ids(tbl, list(first)) if tbl is not None else set()
        keep = [i for record_id, i in first.items() if record_id not in stored]
        new = rows if len(keep) == rows.num_rows else rows.take(pa.array(keep, type=pa.int64()))
        inserted = embedded = reused = 0
        # In batches, so that memory holds one batch's vectors and Arrow rows, not the fetch's;
        # the indexes are brought up to date once, after the last batch.
        for start in range(0, new.num_rows, WRITE_BATCH):
            batch = new.slice(start, WRITE_BATCH)
            shapes = batch["shape"].to_pylist()
            in_table = partial(tables.shapes, key, tbl) if tbl is not None else None
            vectors, batch_embedded, batch_reused = vectors_of.vectors(shapes, in_table)
            data = to_arrow(batch, vectors, vector_dim)
            tbl, written = tables.write(key, tbl, data, id_mark)
            inserted += written
            embedded += batch_embedded
            reused += batch_reused
        if tbl is not None and new.num_rows:
            maintain_indexes(tbl)
            tables.hand_over(key, tbl)
    return IngestStats(
        fetched=rows.num_rows,
        new=inserted,
        already_stored=rows.num_rows - inserted,
        shapes_embedded=embedded,
        shapes_reused=reused,
        seconds=round(time.perf_counter() - started, 4),
    )

"""Per-session LanceDB storage of cleaned log lines, with hybrid (vector + full-text) search.

`LogIndex` is the one entry point; `table_name` builds table names from fetch parameters;
`SearchFilters` restricts searches and scans; `Hit`, `StoredRecord` and `IngestStats` are
what comes back.
"""

from sre_agent.indexes.filters import SearchFilters
from sre_agent.indexes.log_index import LogIndex, SearchMode
from sre_agent.indexes.naming import check_session, check_table, table_name
from sre_agent.indexes.records import Hit, IngestStats, StoredRecord

__all__ = [
    "Hit",
    "IngestStats",
    "LogIndex",
    "SearchFilters",
    "SearchMode",
    "StoredRecord",
    "check_session",
    "check_table",
    "table_name",
]

"""Connectors fetch log records from where they live.

Every logstore implements `Logstore.fetch(LogQuery) -> FetchResult`. The `file` logstore
(JSONL and plain text files) is the embedded default and what replay serves.
"""

from sre_agent.connectors.base import FetchResult, Logstore, record_matches
from sre_agent.connectors.file import FileLogstore

__all__ = ["FetchResult", "FileLogstore", "Logstore", "record_matches"]

"""Questions about what changed: "did anything change on the card-charging side before this?",
"any deploys before the errors?". The first question of every incident review, asked in words
the change lines rarely share ("change" is not in `rollout payments started: 3.7.4 -> 3.8.0`).

`asks_about_changes` reads the question; `change_ids` finds the stored lines in scope that speak
of a change (config, deploy, rollout, version, restart, … as `timeline.CHANGE_WORDS` has them, or
a start whose record names its version: `timeline.change_said`),
leaving out those that say nothing changed and shapes that repeat more than
`timeline.MAX_REPEATS_PER_HOST` times on one host (watchers and heartbeats are routine, not
changes). The retrieve step ranks those lines by the question and puts them first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from sre_agent.indexes import LogIndex, SearchFilters, StoredRecord
from sre_agent.timeline import MAX_REPEATS_PER_HOST, change_said

#: The most change lines handed on to be ranked (an `id IN (...)` clause).
MAX_CHANGES = 200
#: The most rows read to find them.
SCAN_LIMIT = 50_000

_ASKS = re.compile(
    r"\b(?:what|anything|something) (?:else )?(?:has |had |have )?(?:changed?|get changed|got changed)\b"
    r"|\bany (?:recent )?(?:changes?|deploy(?:s|ments?)?|rollouts?|releases?|upgrades?"
    r"|config(?:uration)? changes?)\b"
    r"|\b(?:was|were) (?:anything|something|there any \w+) "
    r"(?:deployed|rolled out|released|upgraded|reconfigured|pushed|installed|updated|patched)\b"
    r"|\bdid (?:someone|somebody|anyone|anybody|we|they|it|ops|infra|the \w+ team) "
    r"(?:(?:re-?)?deploy|ship|push|roll out|release|upgrade|change|install|update|patch)\b",
    re.IGNORECASE,
)


def asks_about_changes(question: str) -> bool:
    """Whether `question` asks what changed (a deploy, a rollout, a config change, …)."""
    return _ASKS.search(question) is not None


def change_ids(index: LogIndex, session: str, tables: list[str] | None, filters: SearchFilters) -> list[str]:
    """The ids of the stored lines passing `filters` that speak of a change, oldest first (at most
    `MAX_CHANGES`)."""
    return rare_ids_saying(
        index,
        session,
        tables,
        filters,
        lambda row: change_said(row.message, row.fields_json) is not None,
        MAX_REPEATS_PER_HOST,
        MAX_CHANGES,
    )


def rare_ids_saying(
    index: LogIndex,
    session: str,
    tables: list[str] | None,
    filters: SearchFilters,
    says: Callable[[StoredRecord], bool],
    max_repeats: int,
    most: int,
) -> list[str]:
    """The ids of the stored lines passing `filters` of which `says` something, leaving out
    shapes that repeat more than `max_repeats` times on one host (routine), oldest first (at most
    `most`; `SCAN_LIMIT` rows read)."""
    rows = index.scan(session, tables=tables, filters=filters, limit=SCAN_LIMIT)
    per_host = Counter((row.shape, row.host) for row in rows)
    found = [row for row in rows if per_host[(row.shape, row.host)] <= max_repeats and says(row)]
    return [row.id for row in sorted(found, key=lambda row: row.timestamp)[:most]]

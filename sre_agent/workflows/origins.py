"""Questions that name the program that wrote the lines: "what does eapolclient say since
then?", "what did mod_jk log for worker app3?". The program's name is rarely in its own
messages (`en0 STATUS: Authenticated`); it is in the record's component, program, logger or
service field. `named_origin_ids` finds the lines whose writer a word of the question names,
so the retrieve step ranks them, by the question, right after the lines of what it names
exactly. A writer of half the lines or more (sshd in an sshd log) narrows nothing and is left
out, as are words no line's writer is called and words the messages use too ("could those two
admin actions have collided?" is not about a logger named `admin`).
"""

from __future__ import annotations

import re

from sre_agent.indexes import Hit, LogIndex, SearchFilters
from sre_agent.workflows.anchors import says
from sre_agent.workflows.order import origin
from sre_agent.workflows.plan import RetrievalPlan

#: Words of the question tried as writers' names (the first ones, 4 characters or more).
MAX_WORDS = 8
#: Lines of one word read to see who wrote them; a writer with more is not a narrowing one.
LIMIT = 200

_WORD = re.compile(r"[A-Za-z][\w.-]*[A-Za-z0-9]")


def named_origin_ids(
    index: LogIndex, session: str, tables: list[str] | None, plan: RetrievalPlan, filters: SearchFilters
) -> list[str]:
    """Ids of the lines passing `filters` whose writer (`details.ORIGIN_FIELDS`, or the service) one
    of the question's words names, case aside; [] when no word names one."""
    words = [w for w in dict.fromkeys(_WORD.findall(plan.query_text)) if len(w) >= 4][:MAX_WORDS]
    ids: list[str] = []
    in_scope: int | None = None
    for word in words:
        hits = index.phrase_hits(session, word, tables=tables, filters=filters, limit=LIMIT)
        written = [hit.id for hit in hits if _written_by(hit, word.lower())]
        if not written or len(hits) >= LIMIT and len(written) == len(hits):
            continue  # no writer of that name, or one of too many lines to narrow anything
        if any(says(hit.message, word) for hit in hits):
            continue  # a word the messages use too ("those two admin actions"): not only a name
        if in_scope is None:
            in_scope = index.count_matching(session, tables=tables, filters=filters)
        if 2 * len(written) < in_scope:
            ids += [i for i in written if i not in ids]
    return ids


def _written_by(hit: Hit, name: str) -> bool:
    writer = origin(hit.fields_json)
    return (writer is not None and writer.lower() == name) or (hit.service or "").lower() == name

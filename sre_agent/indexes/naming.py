"""Names of sessions and tables in the log index, and the checks that keep them safe.

A *session* is one Slack thread; its id comes straight from Slack (`C123-1700000000.123456`)
and is stored unchanged as a LanceDB namespace, so `list_sessions()` gives back exactly the
ids that were ingested. A *table* holds one fetch of logs inside a session; its name is built
by `table_name()` from the fetch's parameters (`logs_getuser_prod`, `req_abc123_prod`,
`panic_logs_prod`).
"""

from __future__ import annotations

import hashlib
import re

from sre_agent.errors import InputError

#: Longest session id or table name we accept.
MAX_NAME_LENGTH = 120

_SESSION_RE = re.compile(r"[A-Za-z0-9_.\-]+")
_TABLE_RE = re.compile(r"[a-z0-9_]+")
_NOT_ALNUM_RE = re.compile(r"[^a-z0-9]+")


def check_session(session: str) -> str:
    """Return `session` if it is a valid session id, else raise `InputError` saying why.

    Allowed: 1 to 120 characters from `A-Z a-z 0-9 _ - .` (a Slack thread id fits).
    """
    if not isinstance(session, str) or not session:
        raise InputError("session id is empty; expected e.g. 'C123-1700000000.123456'")
    if len(session) > MAX_NAME_LENGTH:
        raise InputError(
            f"session id {session[:40]!r}… is {len(session)} characters; at most {MAX_NAME_LENGTH}"
        )
    if not _SESSION_RE.fullmatch(session):
        bad = sorted({c for c in session if not _SESSION_RE.fullmatch(c)})
        raise InputError(
            f"session id {session!r} contains {''.join(bad)!r}; allowed are letters, digits, '_', '-' and '.'"
        )
    return session


def check_table(table: str) -> str:
    """Return `table` if it is a valid table name (`[a-z0-9_]`, 1 to 120 chars), else raise `InputError`."""
    if not isinstance(table, str) or not table:
        raise InputError("table name is empty; build one with table_name(kind, *parts)")
    if len(table) > MAX_NAME_LENGTH or not _TABLE_RE.fullmatch(table):
        raise InputError(
            f"table name {table!r} is not valid: use lower-case letters, digits and '_' "
            f"(at most {MAX_NAME_LENGTH} characters); build one with table_name(kind, *parts)"
        )
    return table


def table_name(kind: str, *parts: str | None) -> str:
    """Build a table name from a kind and the fetch's parameters.

    Lower-cases everything, turns each run of other characters into one `_`, and skips empty
    parts: `table_name("logs", "GetUser", "prod") == "logs_getuser_prod"`,
    `table_name("req", "7f3a-99", "prod") == "req_7f3a_99_prod"`,
    `table_name("panic_logs", "prod") == "panic_logs_prod"`. A name longer than 120 characters
    is cut and ends in a short hash of the full name, so two long names stay distinct.
    """
    pieces = [_NOT_ALNUM_RE.sub("_", str(p).lower()).strip("_") for p in (kind, *parts) if p is not None]
    pieces = [p for p in pieces if p]
    if not pieces or not _NOT_ALNUM_RE.sub("", str(kind).lower()):
        raise InputError(
            f"cannot build a table name from kind={kind!r}, parts={parts!r}: nothing alphanumeric"
        )
    name = "_".join(pieces)
    if len(name) > MAX_NAME_LENGTH:
        digest = hashlib.blake2b(name.encode(), digest_size=5).hexdigest()
        name = name[: MAX_NAME_LENGTH - len(digest) - 1].rstrip("_") + "_" + digest
    return name

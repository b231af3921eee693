"""Exceptions with meaning, and `echo`, how an error message quotes a value the user gave.

Every error a user can cause (a bad file, a bad flag, an unknown session) is an `InputError`:
the CLI prints its message on one line and exits 2. Faults of the world outside (a logstore or
Slack that does not answer) are `ConnectorError`s: one line, exit 1. Faults of our own storage
(a damaged table or chat memory, a data dir that refuses writes) are `StorageError`s: one line naming
the session or file and what to do, exit 1.
"""


class SreAgentError(Exception):
    """Base class of every error sre-agent raises on purpose."""


class InputError(SreAgentError):
    """Bad input from the user: the message names what is wrong and where (file:line, field, flag)."""


class ConfigError(InputError):
    """A service config or setting is invalid; the message names the file and the field."""


class ConnectorError(SreAgentError):
    """Something outside could not be reached or did not answer: a logstore (unreachable, timed
    out, refused), Slack."""


#: Longest part of a value an error message quotes; the rest is cut and its length said instead.
ECHO_CHARS = 200


def echo(value: object) -> str:
    """`value` quoted (its repr) for an error message, cut to `ECHO_CHARS` characters: a 10 kB query
    is echoed as its first 200 characters and how long it was, not whole."""
    text = repr(value)
    if len(text) <= ECHO_CHARS:
        return text
    size = len(value) if isinstance(value, str) else len(text)
    return f"{text[:ECHO_CHARS]}… ({size:,} characters)"


class StorageError(SreAgentError):
    """The data dir failed us: a LanceDB table or the chat memory could not be read (it was moved
    aside into `<data dir>/quarantine`, and the message says where), or the disk refused a write.
    The message names the session or file and what to do."""

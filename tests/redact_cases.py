"""The table helpers of the exact redaction tests: a case is the text in, the text out and the count.

`check` builds its `Redactor` when it runs, not when the test module is imported: mutmut's fork
server imports the tests before it switches a mutant on, so a redactor built at import time would
never run the mutated constructor.
"""

from __future__ import annotations

from typing import Any

import pytest

from sre_agent.redact import Redactor


def case(text: str, expected: str, n: int, name: str) -> Any:
    return pytest.param(text, expected, n, id=name)


def kept(text: str, name: str) -> Any:
    return pytest.param(text, text, 0, id=name)


def check(text: str, expected: str, n: int) -> None:
    redactor = Redactor.for_config(None)
    assert redactor.redact_counted(text) == (expected, n)
    assert redactor.redact_counted(expected) == (expected, 0)

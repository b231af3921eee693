"""A run trace with its free text redacted, as the recorder writes it to disk.

The tool calls in a trace come from the registry already redacted with the service's rules; this
pass covers everything else a trace holds in words (the question, the answer, errors, step
notes, the retrieved lines) and is a second net for the rest. Redacting is idempotent, so text
that was already clean stays exactly as it was.
"""

from __future__ import annotations

from sre_agent.redact import Redactor
from sre_agent.trace.model import RunTrace


def redact_trace(trace: RunTrace, redactor: Redactor) -> RunTrace:
    """`trace` with its free text redacted (idempotent: already redacted text stays as it is)."""

    def clean(text: str | None) -> str | None:
        return None if text is None else redactor.redact(text)

    trace.question = redactor.redact(trace.question)
    trace.answer = redactor.redact(trace.answer)
    trace.error = clean(trace.error)
    for span in trace.spans:
        span.error = clean(span.error)
        span.notes = [redactor.redact(note) for note in span.notes]
    for tool in trace.tool_calls:
        tool.args = redactor.redact_value(tool.args)
        tool.result = redactor.redact(tool.result)
        tool.summary = redactor.redact(tool.summary)
        tool.error = clean(tool.error)
    for call in trace.llm_calls:
        call.error = clean(call.error)
    for line in trace.lines:
        line.message = redactor.redact(line.message)
    return trace

"""The refine step with an LLM: the rule plan, plus the words the logs likely use, from the model.

The rules (`RuleRefiner`) still read ids, windows and levels: they are exact and cheap. The
LLM, given the same service knowledge as the agent, adds search terms a question does not
contain ("locked out" → "PERMISSION_DENIED", "source=cache"; "did anybody get in?" → "Accepted
password"). They join the full-text search and, like the question's own numbers, rank first as
exact phrases when few lines hold them (`plan.suggested`): on the OpenSSH sample, "Accepted
password" as a search word alone left the one such line out of the top 10 (meaning outweighs
words in the fusion, and "Failed password" lines mean nearly the same to the model); as a phrase
it comes first. (Having the model imagine whole log lines for the meaning search, HyDE, did not
lift it either on that probe, so it is not done.) The question is redacted before it is sent.
Any failure (HTTP error, timeout, unreadable reply) leaves the rule plan as it is, with a note.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from typing import Any

from sre_agent.configs import ServiceConfig
from sre_agent.redact import Redactor
from sre_agent.workflows.plan import RetrievalPlan
from sre_agent.workflows.refine import RuleRefiner

log = logging.getLogger(__name__)
MAX_TERMS = 8

INSTRUCTIONS = """\
You turn an on-call engineer's question into search terms for a log search.
Reply with JSON only: {"terms": ["...", ...]} with at most 8 short words or phrases that matching
log lines would literally contain (error codes, exception names, log wording), not words of the
question itself. Use the service knowledge below. No explanations."""


def _service_context(config: ServiceConfig | None) -> str:
    if config is None:
        return ""
    parts = [f"Service {config.name}: {config.description}"]
    parts += [f"- {m.name}: {'; '.join(m.common_errors)}" for m in config.methods]
    parts += [f"- pattern {p.name}: {p.pattern}" for p in config.error_patterns]
    return "\n".join(parts)


def parse_terms(text: str) -> list[str]:
    """The `terms` of the model's JSON reply (also inside a ```json fence); [] when unreadable."""
    match = re.search(r"\{.*\}", text, re.DOTALL)
    if not match:
        return []
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError:
        return []
    terms = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(terms, list):
        return []
    return [str(t).strip()[:80] for t in terms if str(t).strip()][:MAX_TERMS]


class LLMRefiner:
    """`RuleRefiner` plus LLM-suggested search terms. Synchronous: the workflow runs it in a thread."""

    def __init__(self, llm: Any, config: ServiceConfig | None = None) -> None:
        self.llm = llm
        self.rules = RuleRefiner(config)
        self.redactor = Redactor.for_config(config)
        self.context = _service_context(config)

    def refine(
        self,
        question: str,
        *,
        now: datetime,
        environment: str | None = None,
        thread: dict[str, str] | None = None,
        utc_offset: int | None = None,
    ) -> RetrievalPlan:
        plan = self.rules.refine(
            question, now=now, environment=environment, thread=thread, utc_offset=utc_offset
        )
        from llama_index.core.llms import ChatMessage

        messages = [
            ChatMessage(role="system", content=INSTRUCTIONS + "\n\n" + self.context),
            ChatMessage(role="user", content=self.redactor.redact(question)),
        ]
        try:
            reply = self.llm.chat(messages)
        except Exception as exc:  # the rule plan is a complete answer on its own
            log.warning("LLM refine failed, using the rules alone: %s", type(exc).__name__)
            return plan.model_copy(update={"notes": [*plan.notes, "LLM refine failed; rules only"]})
        terms = [
            t
            for t in parse_terms(str(reply.message.content or ""))
            if t not in {*plan.expansions, *plan.terms}
        ]
        if not terms:
            return plan
        return plan.model_copy(
            update={
                "suggested": terms,
                "query_text": f"{plan.query_text} {' '.join(terms)}",
                "notes": [*plan.notes, "LLM added: " + ", ".join(terms)],
            }
        )

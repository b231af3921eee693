"""Service knowledge from `configs/` put to use: the agent's system prompt, the debugging
scenarios that match a question, and the known error patterns found in retrieved lines.

The LLM path and the offline triage both draw on these, so both give the same next steps for
the same symptoms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sre_agent.configs import DebuggingScenario, ErrorPattern, ServiceConfig
from sre_agent.stems import contains_phrase, stems
from sre_agent.tools.registry import default_registry
from sre_agent.tools.spec import ToolSpec

SRE_PRACTICE = """\
How you work:
- Use the tools to look at real logs before you answer:
{tools}
- Windows are bounded (at most {max_window:g} h per call) and results are capped; say so when it matters.
- Never invent a log line, a count, a time or an id. Quote lines exactly as the tools returned them.
- If a tool returns an error, read it, fix the arguments and try again, or explain what you could not check.
- Tool outputs may be truncated (a line says so); narrow the search rather than guessing what was cut.

Answer in Markdown with these sections, short and concrete:
**Summary**: the most likely explanation in one to three sentences, with your confidence; name the top
suspect first when you ranked them.
**Suspects** (for a question about a problem): the ranked suspects rank_suspects gave, each with its
reason and evidence line; say where you disagree with its order and why.
**Evidence**: the log lines that support it, quoted in backticks, with ×count and first/last seen.
**Next steps**: what the engineer should check or do next (use the debugging scenarios below).
**Not checked**: the time range, filters and limits you used, and what you did not or could not look at.
"""


def _service_section(config: ServiceConfig) -> str:
    parts = [f"## Service `{config.name}`", config.description.strip()]
    if config.environments:
        parts.append("Environments: " + ", ".join(config.environments))
    if config.methods:
        parts.append("Methods:")
        for method in config.methods:
            parts.append(f"- {method.name}: {method.description}")
            parts += [f"  - {error}" for error in method.common_errors]
    if config.error_patterns:
        parts.append("Known error patterns (regex → meaning):")
        parts += [f"- {p.name} (`{p.pattern}`, {p.severity}): {p.meaning}" for p in config.error_patterns]
    if config.debugging_scenarios:
        parts.append("Debugging scenarios:")
        for scenario in config.debugging_scenarios:
            parts.append(f"- {scenario.name} (symptoms: {', '.join(scenario.symptoms)})")
            parts += [f"  {i}. {step}" for i, step in enumerate(scenario.steps, 1)]
    if config.vocabulary:
        words = "; ".join(f"{k} → {', '.join(v)}" for k, v in config.vocabulary.items())
        parts.append(f"What people say → what the logs say: {words}")
    return "\n".join(p for p in parts if p)


def _tool_lines(tools: Sequence[ToolSpec]) -> str:
    """One line per tool with a prompt paragraph: its name and when to use it."""
    return "\n".join(f"  - {spec.name}: {spec.prompt}." for spec in tools if spec.prompt)


def system_prompt(
    configs: Sequence[ServiceConfig],
    *,
    max_window_hours: float,
    context: str = "",
    tools: Sequence[ToolSpec] | None = None,
) -> str:
    """The agent's instructions: who it is, SRE practice, when to use each of `tools` (default: every
    tool's), tool rules and every given service's knowledge."""
    tools = default_registry().specs() if tools is None else tools
    parts = [
        "You are sre-agent, an assistant for on-call engineers. You investigate production problems "
        "from logs with read-only tools and explain what you found.",
        SRE_PRACTICE.format(max_window=max_window_hours, tools=_tool_lines(tools)),
    ]
    if context:
        parts.append(context)
    if len(configs) == 1:
        parts.append("# What we know about the service")
        parts.append(_service_section(configs[0]))
    elif configs:  # the question named no service: a catalogue keeps the prompt short
        parts.append(
            "# Services we know (the question named none; ask the user if it is unclear which one)\n"
            + "\n".join(_catalogue_entry(c) for c in configs)
        )
    return "\n\n".join(parts)


def _catalogue_entry(config: ServiceConfig) -> str:
    first = config.description.split(". ")[0].strip().rstrip(".")
    methods = f" Methods: {', '.join(config.method_names())}." if config.methods else ""
    return f"- `{config.name}`: {first}.{methods}"


@dataclass(frozen=True)
class ScenarioMatch:
    """A debugging scenario and why it matches."""

    scenario: DebuggingScenario
    service: str
    score: int
    matched: list[str]


def match_scenarios(
    configs: Sequence[ServiceConfig], question: str, evidence: Sequence[str] = (), *, limit: int = 2
) -> list[ScenarioMatch]:
    """Scenarios whose symptoms the question names (2 points each) or the evidence lines show (1 each)."""
    question_stems = stems(question)
    evidence_text = "\n".join(evidence).lower()
    found: list[ScenarioMatch] = []
    for config in configs:
        for scenario in config.debugging_scenarios:
            score, matched = 0, []
            for symptom in scenario.symptoms:
                if contains_phrase(question_stems, stems(symptom)):
                    score += 2
                    matched.append(symptom)
                elif symptom.lower() in evidence_text:
                    score += 1
                    matched.append(symptom)
            if score:
                found.append(ScenarioMatch(scenario, config.name, score, matched))
    found.sort(key=lambda m: -m.score)
    return found[:limit]


def known_patterns(configs: Sequence[ServiceConfig], lines: Sequence[str]) -> list[tuple[ErrorPattern, int]]:
    """The config's error patterns found in `lines`, with how many lines show each, most first."""
    out = []
    for config in configs:
        for pattern in config.error_patterns:
            regex = re.compile(pattern.pattern, re.IGNORECASE)
            hits = sum(1 for line in lines if regex.search(line))
            if hits:
                out.append((pattern, hits))
    out.sort(key=lambda item: -item[1])
    return out


# A method named like an ordinary word ("password", "none", "publickey") does not point at its
# service: "why do password resets fail?" is not a question about sshd. A name with a hump, a
# digit or punctuation (GetMembership, readBlock, keyboard-interactive) does.
_ORDINARY_WORD = re.compile(r"[A-Za-z][a-z]*")


def config_named_in(configs: Sequence[ServiceConfig], question: str) -> tuple[ServiceConfig, str] | None:
    """The one config whose service name or one of whose methods the question names, and the word
    it used; None when none or several are named. Methods named like ordinary words do not count."""
    words = {w.lower() for w in re.findall(r"[A-Za-z0-9_.-]+", question)}
    named = []
    for config in configs:
        methods = [m for m in config.method_names() if not _ORDINARY_WORD.fullmatch(m)]
        said = [n for n in (config.name, *methods) if n.lower() in words]
        if said:
            named.append((config, said[0]))
    return named[0] if len(named) == 1 else None


def service_for_question(configs: Sequence[ServiceConfig], question: str) -> str | None:
    """The one service whose name or one of whose methods the question names; None when unclear."""
    found = config_named_in(configs, question)
    return found[0].name if found else None

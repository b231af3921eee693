"""The agent above the tools: the LLM investigator (`investigator`), the offline triage that plans
the same tools without an LLM (`triage`), what both need from the engine (`host.AgentHost`), and
the answer parts they share (`advice`, `suspect_answer`). `workflows/` below holds the log search."""

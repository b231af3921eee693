"""sre-agent: an on-call assistant that answers questions from logs.

The public surface is small on purpose: `sre_agent.api` runs a question or a replay,
`sre_agent.cli` wraps it for the terminal. Everything else is an implementation detail.
"""

__version__ = "0.1.0"

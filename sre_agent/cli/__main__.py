"""`python -m sre_agent.cli …`: the same command line as `sre-agent …`."""

from sre_agent.cli import app

app()

"""sre-agent: an on-call assistant that answers questions from logs.

`sre_agent.engine.Engine` is the one API: `ask` runs a turn of the agent in a session, `search`
the log search alone. The CLI (`sre_agent.cli`), the Slack bot (`sre_agent.bot`) and replay
(`sre_agent.replay`) call it; README's Layout section shows the layers beneath it.
"""

__version__ = "0.1.0"

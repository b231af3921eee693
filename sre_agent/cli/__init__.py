"""The `sre-agent` command line (typer + rich), one module per room:

- `ask`: `ask`, `chat` — questions answered by the agent;
- `replay`: `replay`, `replay-diff` — past incidents scored, two reports compared;
- `runs`: `draw`, `runs list|show|prune` — workflow pictures and run traces;
- `admin`: `config`, `doctor`, `index-code`, `sessions list|drop|purge`, `tool`;
- `slack`: `bot` — the Slack bot.

Every command registers itself on `common.app` when its module is imported below. Bad input exits
2 with one line naming what is wrong; heavy modules are imported inside commands so `--help` is
instant.
"""

from __future__ import annotations

from sre_agent.cli import admin, ask, replay, runs, slack  # noqa: F401  (each registers its commands)
from sre_agent.cli.common import app

__all__ = ["app"]

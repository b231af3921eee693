"""What the agent may use of the engine it answers for: `AgentHost`, a protocol over `ToolHost`.

The agent runs the tools, so it needs all a tool may use, and also every service config (to
choose one and to warn about skipped files), the LLM and the chat memories. `Engine` satisfies it
by its own members, so the agent sits below the engine and never imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from sre_agent.tools.host import ToolHost

if TYPE_CHECKING:
    from sre_agent.config_folder import ConfigFolder
    from sre_agent.configs import ServiceConfig
    from sre_agent.memory import ChatMemories


class AgentHost(ToolHost, Protocol):
    """A `ToolHost` that also holds the service configs, the LLM and the chat memories."""

    @property
    def config_folder(self) -> ConfigFolder:
        """The service configs, and the files skipped as invalid."""
        ...

    @property
    def configs(self) -> dict[str, ServiceConfig]: ...

    @property
    def llm(self) -> Any:
        """The configured LLM (LlamaIndex), or None: offline triage."""
        ...

    @property
    def memories(self) -> ChatMemories:
        """The threads' chat histories."""
        ...

"""The agent's tools: read-only, bounded, validated wrappers over the spine and the connectors.

One module per tool, each defining its `SPEC` (`tools/spec.py`); `tools/registry.py` runs them."""

from sre_agent.tools.base import ToolContext, ToolError, ToolOutput, ToolResult
from sre_agent.tools.registry import ToolRegistry, default_registry
from sre_agent.tools.spec import ToolSpec

__all__ = [
    "ToolContext",
    "ToolError",
    "ToolOutput",
    "ToolRegistry",
    "ToolResult",
    "ToolSpec",
    "default_registry",
]

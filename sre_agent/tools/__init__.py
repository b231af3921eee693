"""The agent's tools: read-only, bounded, validated wrappers over the spine (and later connectors)."""

from sre_agent.tools.base import ToolContext, ToolError, ToolResult
from sre_agent.tools.registry import ToolRegistry, ToolSpec, default_registry

__all__ = ["ToolContext", "ToolError", "ToolRegistry", "ToolResult", "ToolSpec", "default_registry"]

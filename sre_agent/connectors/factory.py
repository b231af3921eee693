"""The logstore a service config names (`"logstore": {"kind": "http" | "loki" | "cloudwatch", …}`)."""

from __future__ import annotations

from sre_agent.configs import CloudWatchLogstoreConfig, HttpLogstoreConfig, ServiceConfig
from sre_agent.connectors.base import Logstore


def logstore_for(config: ServiceConfig) -> Logstore | None:
    """The configured logstore of a service, or None when its config names none."""
    spec = config.logstore
    if spec is None:
        return None
    if isinstance(spec, HttpLogstoreConfig):
        from sre_agent.connectors.http_logstore import HttpLogstore

        return HttpLogstore(config.name, spec)
    if isinstance(spec, CloudWatchLogstoreConfig):
        from sre_agent.connectors.cloudwatch import CloudWatchLogstore

        return CloudWatchLogstore(config.name, spec)
    from sre_agent.connectors.loki import LokiLogstore

    return LokiLogstore(config.name, spec)

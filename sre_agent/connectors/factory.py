"""The logstore a service config names (`"logstore": {"kind": "http" | "loki" | "cloudwatch", …}`).

One config kind, one branch: a kind added to `configs.LogstoreConfig` without a branch here fails
loudly (`assert_never`, and a type checker says so before that) instead of being read by another
backend. The backends' modules are imported only when a config names them.
"""

from __future__ import annotations

from typing import assert_never

from sre_agent.configs import (
    CloudWatchLogstoreConfig,
    HttpLogstoreConfig,
    LokiLogstoreConfig,
    ServiceConfig,
)
from sre_agent.connectors.base import Logstore


def logstore_for(config: ServiceConfig) -> Logstore | None:
    """The configured logstore of a service, or None when its config names none."""
    spec = config.logstore
    if spec is None:
        return None
    if isinstance(spec, HttpLogstoreConfig):
        from sre_agent.connectors.http_logstore import HttpLogstore

        return HttpLogstore(config.name, spec)
    if isinstance(spec, LokiLogstoreConfig):
        from sre_agent.connectors.loki import LokiLogstore

        return LokiLogstore(config.name, spec)
    if isinstance(spec, CloudWatchLogstoreConfig):
        from sre_agent.connectors.cloudwatch import CloudWatchLogstore

        return CloudWatchLogstore(config.name, spec)
    assert_never(spec)

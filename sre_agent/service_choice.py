"""Which service config a turn applies when the user named none.

A question that names a service or one of its methods ("why is GetMembership failing?") points
at that service's config. Applying it means its service filter on every fetch, its methods,
vocabulary and debugging scenarios. That is right for logs of that service and wrong for logs
it does not describe (another service that also has a GetMembership). The rule:

- no logs given and the config names its own logstore: apply it (its logs are what is fetched);
- otherwise look at the logs the turn will read (the given logstore's window, or what the thread
  stored): apply the config when some record's service field is one of its names
  (`connectors.names.service_matches`, with its `log_names`), or when no record names any service
  (nothing says they belong to another one);
- logs that name services, none of them this one: do not apply it, and say so in the answer.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel

from sre_agent.configs import ServiceConfig
from sre_agent.connectors.names import service_matches
from sre_agent.errors import SreAgentError
from sre_agent.knowledge import config_named_in
from sre_agent.models import LogQuery, LogRecord

if TYPE_CHECKING:
    from sre_agent.connectors.base import Logstore
    from sre_agent.models import TimeWindow
    from sre_agent.tools.host import ToolHost

log = logging.getLogger(__name__)
#: Records looked at to decide whether a config the question points at describes the logs.
SAMPLE = 2_000


class _Named(Protocol):
    service: str | None


class ServiceChoice(BaseModel):
    """The config a turn applies (None: none), and why one the question pointed at was not applied."""

    service: str | None = None
    note: str | None = None


def choose_service(
    configs: Sequence[ServiceConfig],
    question: str,
    *,
    given: Callable[[], Sequence[_Named]] | None,
    stored: Callable[[], Sequence[_Named]],
) -> ServiceChoice:
    """The config `question` points at, when the logs it will be answered from carry its names.

    `given` samples the logs the caller gave (None: none given); `stored` samples what the thread
    stored. Neither is read unless the question points at a config."""
    found = config_named_in(configs, question)
    if found is None:
        return ServiceChoice()
    config, word = found
    if given is None and config.logstore is not None:
        return ServiceChoice(service=config.name)
    records = given() if given is not None else stored()
    names = Counter(r.service for r in records if r.service)
    if not names or any(service_matches(n, config.name, config.log_names) for n in names):
        return ServiceChoice(service=config.name)
    seen = ", ".join(f"{n} ×{c:,}" for n, c in names.most_common(4))
    more = f" and {len(names) - 4} more" if len(names) > 4 else ""
    what = "names the service" if word == config.name else f"names {word}, a method of"
    return ServiceChoice(
        note=f"The question {what} `{config.name}`, but these logs name other services ({seen}{more}), "
        f"none of them {config.name}'s ({', '.join(config.service_names())}), so I did not apply the "
        f"{config.name} config (its service filter, methods, vocabulary and scenarios). "
        f"Ask with --service {config.name} to apply it anyway."
    )


def choose_for_turn(
    host: ToolHost,
    configs: Sequence[ServiceConfig],
    question: str,
    *,
    session: str,
    logstore: Logstore | None,
    window: TimeWindow | None,
) -> ServiceChoice:
    """`choose_service` for a turn of `session` that reads `logstore`'s `window` (None: no logs
    given), sampling at most `SAMPLE` records of it or of what the thread stored."""

    def stored() -> Sequence[_Named]:
        store = host.store
        return store.scan(session, limit=SAMPLE) if session in store.list_sessions() else []

    given = (lambda: _sample(logstore, window)) if logstore is not None else None
    return choose_service(configs, question, given=given, stored=stored)


def _sample(logstore: Logstore, window: TimeWindow | None) -> list[LogRecord]:
    """Up to `SAMPLE` records of the logstore's window: what the turn will read, to choose a config by.
    A logstore that cannot be read yields none (the tools will say why when they fetch)."""
    try:
        return logstore.fetch(LogQuery(window=window, limit=SAMPLE)).records
    except SreAgentError as exc:
        log.warning("could not sample %s to choose a service config: %s", logstore.name, exc)
        return []

"""How a record's service, environment and method are matched against a query's: one place.

Logs rarely carry the bare name a config has. A service `membership` shows up as
`membership-api`, `Membership-Svc`, a k8s deployment (`membership-worker`) or a pod
(`membership-7d9f-abc12`, `membership-5f6b7c8d9-x2x4z`). `service_key` strips case and those
suffixes; `service_matches` also accepts the names and globs a config declares (`log_names`).
Every connector that filters records in Python goes through `record_matches` in `base.py`, which
uses these.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence

#: Role suffixes a service's deployments and log names commonly add to it.
ROLE_SUFFIXES = ("api", "svc", "service", "server", "worker")
# k8s pod names: <deployment>-<replicaset hash>-<5 chars>, <daemonset>-<5 chars>, <statefulset>-<n>.
_POD = re.compile(r"-(?P<rs>[a-z0-9]{4,10})-(?P<pod>[a-z0-9]{5})$")
_SHORT_POD = re.compile(r"-(?P<pod>[a-z0-9]{5})$")
_ORDINAL = re.compile(r"-\d{1,3}$")


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _without_pod_suffix(key: str) -> str:
    """`key` without a k8s pod name's hash suffix; a suffix without a digit is kept (`-cache`)."""
    for pattern in (_POD, _SHORT_POD, _ORDINAL):
        m = pattern.search(key)
        if m and m.start() > 0 and _has_digit(m.group(0)):
            return key[: m.start()]
    return key


def service_key(name: str) -> str:
    """`name` reduced to what identifies the service: lower case, `_` as `-`, without a k8s pod or
    replicaset hash suffix and without role suffixes (`-api`, `-svc`, `-service`, `-server`,
    `-worker`). `Membership-API`, `membership-7d9f-abc12` and `membership` all give `membership`."""
    key = _without_pod_suffix(name.strip().lower().replace("_", "-"))
    changed = True
    while changed:
        changed = False
        for suffix in ROLE_SUFFIXES:
            if key.endswith("-" + suffix) and len(key) > len(suffix) + 1:
                key = key[: -len(suffix) - 1]
                changed = True
    return key


def service_matches(have: str, wanted: str, names: Sequence[str] = ()) -> bool:
    """Does a record saying service `have` belong to service `wanted`, which logs also call `names`
    (exact names or globs, from its config)? Case never matters."""
    have_l = have.strip().lower()
    for name in (wanted, *names):
        pattern = name.lower()
        if any(ch in pattern for ch in "*?["):
            if fnmatch.fnmatchcase(have_l, pattern):
                return True
        elif have_l == pattern:
            return True
    key = service_key(have)
    return bool(key) and any(key == service_key(n) for n in (wanted, *names) if not _is_glob(n))


def _is_glob(name: str) -> bool:
    return any(ch in name for ch in "*?[")


def method_matches(have: str, wanted: str) -> bool:
    """A record's method is the wanted one, case aside, also when logged fully qualified
    (`/membership.v1.Membership/GetMembership`, `membership.Membership.GetMembership`)."""
    have_l, wanted_l = have.strip().lower(), wanted.strip().lower()
    if have_l == wanted_l:
        return True
    return bool(wanted_l) and re.split(r"[/.:]", have_l)[-1] == wanted_l


def service_of_pod(name: str) -> str:
    """The workload a k8s pod belongs to: `cart-7d9f8c6b5-x2k4p` → `cart`, `kafka-0` → `kafka`;
    a name without a pod suffix (a host, a service) is returned as it is, in lower case."""
    return _without_pod_suffix(name.strip().lower())

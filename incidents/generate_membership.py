"""Generate the membership service's sample incidents: synthetic gRPC logs with a real-looking fault.

Run from anywhere:   python incidents/generate_membership.py [--out DIR]

It writes DIR/<incident-id>/incident.json and DIR/<incident-id>/logs.jsonl (format:
shared/spec/incident-format.md); DIR defaults to the folder this script is in. Everything is
deterministic (fixed seeds, no clock, no hash-order dependence): rerunning rewrites the same bytes.

How the logs come about: a small simulation of the service. A table of memberships (what DynamoDB
holds), a cache (a hit probability for positive answers; real, time-ordered entries for negative
ones, so a read that finishes after an invalidation can leave a stale entry), and Poisson traffic
of all six methods on four prod pods plus one staging pod. Each incident sets the knobs that make
its fault happen (cache TTL and retries after a config deploy, DynamoDB throttling, a
RemoveMember/AddMember race) and adds background lines: cache stats, config watcher, district
sync with district-service 503 retries, gRPC transport noise, and a few lines carrying secrets
(bearer token, session cookie, e-mail, card number) for the redaction step to catch.

`relevant_lines` of every turn are computed by a rule over the finished records (a predicate on
fields, message and time), never picked by hand; the script checks that every mention occurs in a
relevant line's message, that no relevant line or mention carries a secret, and that each turn's
relevant lines have at most 10 distinct messages (so recall@10 can reach 1).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SERVICE = "membership"
PODS = ["membership-7d9f-abc12", "membership-7d9f-k2x8p", "membership-7d9f-q9wzt", "membership-7d9f-m4hd6"]
STAGING_POD = "membership-5b6c-x7k2q"
APP_VERSION = "1.42.0"
DEADLINE_MS = 800
NEGATIVE_TTL = "24h"

THROTTLE_GETITEM = (
    "DynamoDB GetItem throttled on table memberships: ProvisionedThroughputExceededException: "
    "The level of configured provisioned throughput for the table was exceeded. "
    "Consider increasing your provisioning level with the UpdateTable API."
)
THROTTLE_BATCH = "DynamoDB BatchGetItem on table memberships returned UnprocessedKeys, retrying"
GRPC_PREFACE_EOF = (
    'grpc: Server.Serve failed to create ServerTransport: connection error: desc = "transport: '
    'http2Server.HandleStreams failed to receive the preface from client: EOF"'
)

# Shapes of secrets and personal data; used to check that no relevant line or mention holds one.
SECRET_PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    re.compile(r"Bearer\s+[A-Za-z0-9._-]+"),
    re.compile(r"msess_[A-Za-z0-9]{24}"),
    re.compile(r"(?<![\w-])[3-6](?:[ -]?\d){12,18}(?![\w-])"),
]
TEST_CARDS = ["4111 1111 1111 1111", "5555 5555 5555 4444", "4012 8888 8888 1881"]
PARTNER_EMAILS = ["maria.gomez@example.com", "j.okafor@example.org", "lena.fischer@example.net"]


# ---------------------------------------------------------------- time and ids


def stamp(start: datetime, t_ms: int) -> str:
    """ISO 8601 UTC with milliseconds for `start` + `t_ms`."""
    t = start + timedelta(milliseconds=t_ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def at(start: datetime, hhmmss: str) -> int:
    """Milliseconds from `start` to the wall-clock time `hhmmss` (HH:MM:SS[.mmm]) on the same day."""
    hms, _, ms = hhmmss.partition(".")
    h, m, s = (int(x) for x in hms.split(":"))
    wall = start.replace(hour=h, minute=m, second=s, microsecond=int(ms or 0) * 1000)
    return int((wall - start).total_seconds() * 1000)


def hexid(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


def b64url(rng: random.Random, n: int) -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return "".join(rng.choice(alphabet) for _ in range(n))


def alnum(rng: random.Random, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


# ---------------------------------------------------------------- the log being written


@dataclass
class Pod:
    name: str
    env: str
    uid: str
    node: str


class LogBook:
    """Collects records with their time; `records()` returns them in time order."""

    def __init__(self, rng: random.Random, start: datetime) -> None:
        self.rng = rng
        self.start = start
        self._events: list[tuple[int, int, dict[str, Any]]] = []
        self.pods: dict[str, Pod] = {}
        for name, env in [(p, "prod") for p in PODS] + [(STAGING_POD, "staging")]:
            variant = rng.choice("89ab")
            uid = (
                f"{hexid(rng, 8)}-{hexid(rng, 4)}-4{hexid(rng, 3)}-{variant}{hexid(rng, 3)}-{hexid(rng, 12)}"
            )
            node = f"ip-10-42-{rng.randint(1, 9)}-{rng.randint(10, 250)}.eu-west-1.compute.internal"
            self.pods[name] = Pod(name, env, uid, node)

    def emit(
        self,
        t_ms: int,
        level: str,
        message: str,
        *,
        host: str,
        logger: str,
        caller: str,
        method: str | None = None,
        request_id: str | None = None,
        user_id: str | None = None,
        latency_ms: int | None = None,
        status: str | None = None,
        trace_id: str | None = None,
        **extra: Any,
    ) -> None:
        pod = self.pods[host]
        rec: dict[str, Any] = {"timestamp": stamp(self.start, t_ms), "level": level, "message": message}
        rec["service"] = SERVICE
        for key, value in [
            ("method", method),
            ("request_id", request_id),
            ("user_id", user_id),
            ("host", host),
            ("env", pod.env),
            ("latency_ms", latency_ms),
            ("status", status),
        ]:
            if value is not None:
                rec[key] = value
        rec.update({k: v for k, v in extra.items() if v is not None})
        rec["logger"] = logger
        rec["caller"] = caller
        if trace_id is not None:
            rec["trace_id"] = trace_id
            rec["span_id"] = hexid(self.rng, 16)
            rec["trace_flags"] = "01"
        rec["k8s_namespace"] = "identity"
        rec["k8s_pod_uid"] = pod.uid
        rec["k8s_node"] = pod.node
        rec["version"] = APP_VERSION
        self._events.append((t_ms, len(self._events), rec))

    def records(self) -> list[dict[str, Any]]:
        return [rec for _, _, rec in sorted(self._events, key=lambda e: (e[0], e[1]))]


# ---------------------------------------------------------------- what DynamoDB and the cache hold


class Directory:
    """The memberships table: user -> {district: role}."""

    def __init__(self, rng: random.Random, n_users: int, n_districts: int) -> None:
        self.rng = rng
        self.districts = list(range(1, n_districts + 1))
        self.members: dict[str, dict[int, str]] = {}
        ids = rng.sample(range(1000, 99999), n_users)
        self.users = [str(i) for i in ids]
        for user in self.users:
            self.members[user] = {}
            for d in rng.sample(self.districts, rng.choice([1, 1, 2, 2, 3, 4])):
                self.members[user][d] = rng.choice(
                    ["member", "member", "member", "viewer", "editor", "admin"]
                )
        # a few users do most of the traffic
        self.weights = [1.0 / (rank + 1) ** 0.7 for rank in range(n_users)]

    def set_user(self, user: str, memberships: dict[int, str]) -> None:
        self.members[user] = dict(memberships)

    def pick_user(self, exclude: tuple[str, ...] = ()) -> str:
        while True:
            user = self.rng.choices(self.users, weights=self.weights)[0]
            if user not in exclude and self.members[user]:
                return user

    def pick_membership(self, user: str) -> int:
        return self.rng.choice(sorted(self.members[user]))

    def pick_non_member_district(self, user: str) -> int:
        while True:
            d = self.rng.choice(self.districts)
            if d not in self.members[user]:
                return d


class CacheLog:
    """Time-ordered cache writes and invalidations per key (membership:<district>:<user>).

    A lookup at time t sees the latest operation at or before t, whatever order the operations
    were recorded in: that is how a slow read that started before an AddMember can still write a
    stale entry after the AddMember's invalidation. Keys never written are left to the hit ratio.
    """

    def __init__(self) -> None:
        self._ops: dict[str, list[tuple[int, str]]] = {}

    def write(self, key: str, t_ms: int, value: str) -> None:
        """`value` is 'member' or 'not_member'."""
        self._ops.setdefault(key, []).append((t_ms, value))

    def invalidate(self, key: str, t_ms: int) -> None:
        self._ops.setdefault(key, []).append((t_ms, "invalid"))

    def state(self, key: str, t_ms: int) -> str | None:
        """'member', 'not_member', 'invalid', or None when nothing is known about the key."""
        past = [op for op in self._ops.get(key, []) if op[0] <= t_ms]
        return max(past)[1] if past else None


def cache_key(district: int, user: str) -> str:
    return f"membership:{district}:{user}"


# ---------------------------------------------------------------- the service


@dataclass
class Knobs:
    """What an incident changes over time (all functions of milliseconds since the start)."""

    cache_hit: Callable[[int], float]
    throttle: Callable[[int], float]
    max_retries: Callable[[int], int]
    district_503: Callable[[int], float]


class MembershipService:
    """Handles one request at a time and logs what the real service would log."""

    def __init__(
        self,
        rng: random.Random,
        book: LogBook,
        directory: Directory,
        knobs: Knobs,
        missing_in_staging: tuple[str, ...] = (),
    ) -> None:
        self.rng = rng
        self.book = book
        self.dir = directory
        self.knobs = knobs
        self.cache = CacheLog()
        self.missing_in_staging = missing_in_staging

    # -- helpers

    def _rid(self) -> str:
        return "req-" + hexid(self.rng, 12)

    def _read_ms(self) -> int:
        """One DynamoDB read round trip: mostly a few ms, with a tail."""
        return max(2, int(self.rng.lognormvariate(math.log(6), 0.45)))

    def _backoff(self, attempt: int) -> int:
        base = min(25 * 2 ** (attempt - 1), 400)
        return base // 2 + self.rng.randint(0, base // 2)

    def _dynamo_read(self, t: int, elapsed: int) -> tuple[str, int, list[tuple[int, int, int]]]:
        """Retry loop of the DynamoDB client: ('ok'|'deadline'|'exhausted', elapsed, throttles)."""
        throttles: list[tuple[int, int, int]] = []
        attempts = self.knobs.max_retries(t) + 1
        for attempt in range(1, attempts + 1):
            elapsed += self._read_ms()
            if self.rng.random() >= self.knobs.throttle(t + elapsed):
                return "ok", elapsed, throttles
            backoff = self._backoff(attempt)
            throttles.append((elapsed, attempt, backoff))
            if attempt == attempts:
                return "exhausted", elapsed, throttles
            if elapsed + backoff >= DEADLINE_MS:
                return "deadline", DEADLINE_MS + self.rng.randint(0, 4), throttles
            elapsed += backoff
        raise AssertionError("unreachable")

    def _metadata(self, t: int, host: str, method: str, rid: str, user: str, trace: str) -> None:
        """The admin console's request headers, logged by an over-eager audit interceptor."""
        jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + b64url(self.rng, 48) + "." + b64url(self.rng, 43)
        cookie = "msess_" + alnum(self.rng, 24)
        self.book.emit(
            t,
            "DEBUG",
            f"grpc request metadata: authorization=Bearer {jwt}; cookie={cookie}; "
            "user-agent=district-admin-ui/3.8.1",
            host=host,
            logger="grpc.audit",
            caller="interceptors/audit.go:41",
            method=method,
            request_id=rid,
            user_id=user,
            trace_id=trace,
        )

    def _after_write(
        self, t: int, host: str, method: str, rid: str, user: str, district: int, trace: str
    ) -> None:
        key = cache_key(district, user)
        self.book.emit(
            t + 1,
            "INFO",
            f"published cache invalidation for {key}",
            host=host,
            logger="cache",
            caller="cache/invalidate.go:27",
            method=method,
            request_id=rid,
            user_id=user,
            trace_id=trace,
            district_id=district,
        )
        self.cache.invalidate(key, t + 1)
        self.book.emit(
            t + 2 + self.rng.randint(0, 3),
            "INFO",
            f"published MembershipChanged event for user {user} district {district} to membership-events",
            host=host,
            logger="events",
            caller="events/producer.go:58",
            method=method,
            request_id=rid,
            user_id=user,
            trace_id=trace,
            district_id=district,
            partition=self.rng.randint(0, 11),
            offset=self.rng.randint(4_000_000, 4_900_000),
        )

    def district_lookup(self, t: int, host: str, rpc: str, rid: str | None, trace: str | None) -> int:
        """Call district-service; 503s are retried. Returns the elapsed ms."""
        elapsed = self.rng.randint(3, 9)
        attempt = 1
        while attempt < 3 and self.rng.random() < self.knobs.district_503(t):
            backoff = 50 * attempt
            self.book.emit(
                t + elapsed,
                "WARN",
                f"district-service {rpc} returned UNAVAILABLE (HTTP 503), retrying in {backoff}ms "
                f"(attempt {attempt}/3)",
                host=host,
                logger="districtclient",
                caller="districtclient/client.go:112",
                request_id=rid,
                trace_id=trace,
            )
            elapsed += backoff + self.rng.randint(3, 9)
            attempt += 1
        if attempt > 1:
            self.book.emit(
                t + elapsed,
                "INFO",
                f"district-service {rpc} succeeded on attempt {attempt}",
                host=host,
                logger="districtclient",
                caller="districtclient/client.go:131",
                request_id=rid,
                trace_id=trace,
            )
        return elapsed

    # -- the six methods

    def get_membership(self, t: int, host: str, user: str, district: int, slow_read_ms: int = 0) -> str:
        """Returns the gRPC status. `slow_read_ms` makes the DynamoDB read that long (for races)."""
        rid, trace = self._rid(), hexid(self.rng, 32)
        common = dict(host=host, method="GetMembership", request_id=rid, user_id=user, trace_id=trace)
        key = cache_key(district, user)
        if self.book.pods[host].env == "staging" and user in self.missing_in_staging:
            self.book.emit(
                t + 2,
                "WARN",
                f"GetMembership rejected: NOT_FOUND: user {user} does not exist",
                logger="grpc",
                caller="server/get_membership.go:58",
                latency_ms=2,
                status="NOT_FOUND",
                district_id=district,
                **common,
            )
            return "NOT_FOUND"
        if district not in self.dir.districts:
            self.book.emit(
                t + self.rng.randint(1, 3),
                "WARN",
                f"GetMembership rejected: NOT_FOUND: district {district} does not exist",
                logger="grpc",
                caller="server/get_membership.go:52",
                latency_ms=2,
                status="NOT_FOUND",
                district_id=district,
                **common,
            )
            return "NOT_FOUND"
        cached = self.cache.state(key, t)
        if cached == "not_member":
            lat = self.rng.randint(1, 3)
            self.book.emit(
                t + lat,
                "WARN",
                f"GetMembership denied: PERMISSION_DENIED: user {user} is not a member of district "
                f"{district} (source=cache)",
                logger="grpc",
                caller="server/get_membership.go:97",
                latency_ms=lat,
                status="PERMISSION_DENIED",
                district_id=district,
                cache="hit",
                **common,
            )
            return "PERMISSION_DENIED"
        role = self.dir.members[user].get(district)
        if role is not None and cached != "invalid" and self.rng.random() < self.knobs.cache_hit(t):
            lat = self.rng.randint(1, 4)
            self.book.emit(
                t + lat,
                "INFO",
                f"GetMembership OK: user {user} is {role} of district {district} (source=cache)",
                logger="grpc",
                caller="server/get_membership.go:88",
                latency_ms=lat,
                status="OK",
                district_id=district,
                cache="hit",
                **common,
            )
            return "OK"
        if slow_read_ms:
            outcome, elapsed, throttles = "ok", slow_read_ms, []
        else:
            outcome, elapsed, throttles = self._dynamo_read(t, self.rng.randint(1, 3))
        for off, attempt, backoff in throttles:
            self.book.emit(
                t + off,
                "WARN",
                THROTTLE_GETITEM,
                logger="dynamo",
                caller="store/dynamo.go:143",
                status="ProvisionedThroughputExceededException",
                table="memberships",
                attempt=attempt,
                backoff_ms=backoff,
                aws_request_id=alnum(self.rng, 52, string.ascii_uppercase + string.digits),
                district_id=district,
                **common,
            )
        if outcome == "deadline":
            self.book.emit(
                t + elapsed,
                "ERROR",
                "GetMembership failed: DEADLINE_EXCEEDED: context deadline exceeded "
                f"(deadline {DEADLINE_MS}ms) while retrying DynamoDB GetItem",
                logger="grpc",
                caller="server/get_membership.go:71",
                latency_ms=elapsed,
                status="DEADLINE_EXCEEDED",
                district_id=district,
                cache="miss",
                dynamo_attempts=len(throttles),
                **common,
            )
            return "DEADLINE_EXCEEDED"
        if outcome == "exhausted":
            self.book.emit(
                t + elapsed,
                "ERROR",
                "GetMembership failed: UNAVAILABLE: DynamoDB GetItem throttled, retries exhausted",
                logger="grpc",
                caller="server/get_membership.go:75",
                latency_ms=elapsed,
                status="UNAVAILABLE",
                district_id=district,
                cache="miss",
                dynamo_attempts=len(throttles),
                **common,
            )
            return "UNAVAILABLE"
        elapsed += self.rng.randint(1, 2)
        if role is not None:
            self.book.emit(
                t + elapsed,
                "INFO",
                f"GetMembership OK: user {user} is {role} of district {district} (source=dynamodb)",
                logger="grpc",
                caller="server/get_membership.go:88",
                latency_ms=elapsed,
                status="OK",
                district_id=district,
                cache="miss",
                **common,
            )
            self.cache.write(key, t + elapsed, "member")
            return "OK"
        self.book.emit(
            t + elapsed,
            "WARN",
            f"GetMembership denied: PERMISSION_DENIED: user {user} is not a member of district {district} "
            "(source=dynamodb)",
            logger="grpc",
            caller="server/get_membership.go:97",
            latency_ms=elapsed,
            status="PERMISSION_DENIED",
            district_id=district,
            cache="miss",
            **common,
        )
        self.book.emit(
            t + elapsed + 1,
            "INFO",
            f"cached negative membership for {key} (ttl {NEGATIVE_TTL})",
            logger="cache",
            caller="cache/membership.go:64",
            district_id=district,
            **common,
        )
        self.cache.write(key, t + elapsed + 1, "not_member")
        return "PERMISSION_DENIED"

    def get_membership_bad_user(self, t: int, host: str, email: str) -> None:
        """An old partner client that sends e-mail addresses as user ids."""
        rid = self._rid()
        self.book.emit(
            t + 1,
            "WARN",
            f'GetMembership rejected: INVALID_ARGUMENT: user_id "{email}" is not a numeric id',
            host=host,
            logger="grpc",
            caller="server/get_membership.go:44",
            method="GetMembership",
            request_id=rid,
            user_id=email,
            trace_id=hexid(self.rng, 32),
            latency_ms=1,
            status="INVALID_ARGUMENT",
            client="partner-sync/2.1.0",
        )

    def list_memberships(self, t: int, host: str, user: str) -> None:
        rid, trace = self._rid(), hexid(self.rng, 32)
        lat = self._read_ms() + self.rng.randint(4, 15)
        districts = sorted(self.dir.members[user])
        where = ", ".join(str(d) for d in districts) if districts else "none"
        self.book.emit(
            t + lat,
            "INFO",
            f"ListMemberships OK: user {user} belongs to districts {where}",
            host=host,
            logger="grpc",
            caller="server/list_memberships.go:61",
            method="ListMemberships",
            request_id=rid,
            user_id=user,
            trace_id=trace,
            latency_ms=lat,
            status="OK",
            count=len(districts),
        )

    def batch_get(self, t: int, host: str, district: int) -> None:
        rid, trace = self._rid(), hexid(self.rng, 32)
        n = self.rng.randint(5, 60)
        misses = sum(1 for _ in range(n) if self.rng.random() >= self.knobs.cache_hit(t))
        common = dict(
            host=host, method="BatchGetMemberships", request_id=rid, trace_id=trace, district_id=district
        )
        elapsed = self.rng.randint(1, 4)
        attempt = 1
        while misses:
            elapsed += self._read_ms() + self.rng.randint(2, 8)
            if self.rng.random() >= self.knobs.throttle(t + elapsed):
                break
            unprocessed = max(1, int(misses * self.rng.uniform(0.4, 1.0)))
            backoff = self._backoff(attempt)
            self.book.emit(
                t + elapsed,
                "WARN",
                THROTTLE_BATCH,
                logger="dynamo",
                caller="store/dynamo.go:201",
                table="memberships",
                unprocessed_keys=unprocessed,
                attempt=attempt,
                backoff_ms=backoff,
                **common,
            )
            if elapsed + backoff >= DEADLINE_MS:
                lat = DEADLINE_MS + self.rng.randint(0, 4)
                self.book.emit(
                    t + lat,
                    "ERROR",
                    f"BatchGetMemberships failed: DEADLINE_EXCEEDED: context deadline exceeded "
                    f"(deadline {DEADLINE_MS}ms) while retrying DynamoDB BatchGetItem",
                    logger="grpc",
                    caller="server/batch_get.go:93",
                    latency_ms=lat,
                    status="DEADLINE_EXCEEDED",
                    users=n,
                    **common,
                )
                return
            elapsed += backoff
            attempt += 1
        members = self.rng.randint(n // 2, n)
        self.book.emit(
            t + elapsed,
            "INFO",
            f"BatchGetMemberships OK: {members} of {n} users are members of district {district}",
            logger="grpc",
            caller="server/batch_get.go:80",
            latency_ms=elapsed,
            status="OK",
            users=n,
            cache_misses=misses,
            client="feed-service",
            **common,
        )

    def add_member(
        self, t: int, host: str, user: str, district: int, role: str, card: str | None = None
    ) -> None:
        rid, trace = self._rid(), hexid(self.rng, 32)
        common = dict(host=host, method="AddMember", request_id=rid, user_id=user, trace_id=trace)
        if self.rng.random() < 0.5:
            self._metadata(t, host, "AddMember", rid, user, trace)
        elapsed = self.district_lookup(t + 1, host, "GetDistrict", rid, trace) + 1
        if district in self.dir.members[user]:
            self.book.emit(
                t + elapsed + 3,
                "WARN",
                f"AddMember rejected: ALREADY_EXISTS: user {user} is already a member of district {district}",
                logger="grpc",
                caller="server/add_member.go:77",
                latency_ms=elapsed + 3,
                status="ALREADY_EXISTS",
                district_id=district,
                **common,
            )
            return
        elapsed += self._read_ms() + self.rng.randint(2, 6)
        self.dir.members[user][district] = role
        seat = {"seat": "paid", "billing_card": card} if card else {}
        self.book.emit(
            t + elapsed,
            "INFO",
            f"AddMember: added user {user} to district {district} with role {role}",
            logger="grpc",
            caller="server/add_member.go:95",
            latency_ms=elapsed,
            status="OK",
            district_id=district,
            role=role,
            **seat,
            **common,
        )
        self._after_write(t + elapsed, host, "AddMember", rid, user, district, trace)

    def remove_member(self, t: int, host: str, user: str, district: int) -> None:
        rid, trace = self._rid(), hexid(self.rng, 32)
        common = dict(host=host, method="RemoveMember", request_id=rid, user_id=user, trace_id=trace)
        if self.rng.random() < 0.5:
            self._metadata(t, host, "RemoveMember", rid, user, trace)
        elapsed = self._read_ms() + self.rng.randint(2, 6)
        if district not in self.dir.members[user]:
            self.book.emit(
                t + elapsed,
                "WARN",
                f"RemoveMember rejected: NOT_FOUND: user {user} is not a member of district {district}",
                logger="grpc",
                caller="server/remove_member.go:58",
                latency_ms=elapsed,
                status="NOT_FOUND",
                district_id=district,
                **common,
            )
            return
        del self.dir.members[user][district]
        self.book.emit(
            t + elapsed,
            "INFO",
            f"RemoveMember: removed user {user} from district {district}",
            logger="grpc",
            caller="server/remove_member.go:71",
            latency_ms=elapsed,
            status="OK",
            district_id=district,
            **common,
        )
        self._after_write(t + elapsed, host, "RemoveMember", rid, user, district, trace)

    def update_role(self, t: int, host: str, user: str, district: int, new_role: str) -> None:
        rid, trace = self._rid(), hexid(self.rng, 32)
        common = dict(host=host, method="UpdateRole", request_id=rid, user_id=user, trace_id=trace)
        if self.rng.random() < 0.5:
            self._metadata(t, host, "UpdateRole", rid, user, trace)
        elapsed = self._read_ms() + self.rng.randint(2, 6)
        old = self.dir.members[user].get(district)
        if old is None:
            self.book.emit(
                t + elapsed,
                "WARN",
                f"UpdateRole rejected: NOT_FOUND: user {user} is not a member of district {district}",
                logger="grpc",
                caller="server/update_role.go:49",
                latency_ms=elapsed,
                status="NOT_FOUND",
                district_id=district,
                **common,
            )
            return
        self.dir.members[user][district] = new_role
        self.book.emit(
            t + elapsed,
            "INFO",
            f"UpdateRole: user {user} in district {district} changed from {old} to {new_role}",
            logger="grpc",
            caller="server/update_role.go:66",
            latency_ms=elapsed,
            status="OK",
            district_id=district,
            role=new_role,
            **common,
        )
        self._after_write(t + elapsed, host, "UpdateRole", rid, user, district, trace)


# ---------------------------------------------------------------- traffic and background


def poisson_times(rng: random.Random, per_minute: float, start_ms: int, end_ms: int) -> list[int]:
    times, t = [], float(start_ms)
    while True:
        t += rng.expovariate(per_minute / 60_000)
        if t >= end_ms:
            return times
        times.append(int(t))


RATES_PER_MINUTE = {
    "GetMembership": 11.0,
    "ListMemberships": 3.0,
    "BatchGetMemberships": 1.6,
    "AddMember": 0.7,
    "RemoveMember": 0.45,
    "UpdateRole": 0.35,
}


def run_traffic(
    svc: MembershipService,
    rng: random.Random,
    end_ms: int,
    scheduled: list[tuple[int, Callable[[int], None]]],
    reserved_users: tuple[str, ...],
) -> None:
    """Random prod traffic of every method plus staging traffic, interleaved with scheduled calls."""
    calls: list[tuple[int, int, Callable[[int], None]]] = []
    for method, rate in RATES_PER_MINUTE.items():
        for t in poisson_times(rng, rate, 0, end_ms):
            calls.append((t, len(calls), _random_call(svc, rng, method, reserved_users)))
    for t in poisson_times(rng, 1.5, 0, end_ms):
        calls.append((t, len(calls), _staging_call(svc, rng, reserved_users)))
    for t, fn in scheduled:
        calls.append((t, len(calls), fn))
    for t, _, fn in sorted(calls, key=lambda c: (c[0], c[1])):
        fn(t)


def _random_call(
    svc: MembershipService, rng: random.Random, method: str, reserved: tuple[str, ...]
) -> Callable[[int], None]:
    def call(t: int) -> None:
        host = rng.choice(PODS)
        user = svc.dir.pick_user(exclude=reserved)
        if method == "GetMembership":
            svc.get_membership(t, host, user, svc.dir.pick_membership(user))
        elif method == "ListMemberships":
            svc.list_memberships(t, host, user)
        elif method == "BatchGetMemberships":
            svc.batch_get(t, host, rng.choice(svc.dir.districts))
        elif method == "AddMember":
            d = (
                svc.dir.pick_membership(user)
                if rng.random() < 0.08
                else svc.dir.pick_non_member_district(user)
            )
            svc.add_member(t, host, user, d, rng.choice(["member", "member", "viewer", "editor"]))
        elif method == "RemoveMember":
            if rng.random() < 0.08 or len(svc.dir.members[user]) < 2:
                svc.remove_member(t, host, user, svc.dir.pick_non_member_district(user))
            else:
                svc.remove_member(t, host, user, svc.dir.pick_membership(user))
        else:
            d = svc.dir.pick_membership(user)
            svc.update_role(t, host, user, d, rng.choice(["member", "editor", "admin", "viewer"]))

    return call


def _staging_call(
    svc: MembershipService, rng: random.Random, reserved: tuple[str, ...]
) -> Callable[[int], None]:
    def call(t: int) -> None:
        user = svc.dir.pick_user(exclude=reserved)
        if rng.random() < 0.8:
            svc.get_membership(t, STAGING_POD, user, svc.dir.pick_membership(user))
        else:
            svc.list_memberships(t, STAGING_POD, user)

    return call


def background(
    svc: MembershipService, rng: random.Random, end_ms: int, revision: Callable[[int], int]
) -> None:
    """Lines not tied to a request: cache stats, config watcher, district sync, transport noise."""
    book = svc.book
    for i, pod in enumerate(PODS):
        entries = rng.randint(46_000, 52_000)
        for t in range(7_000 + 13_000 * i, end_ms, 60_000):
            t += rng.randint(0, 400)
            hit = min(0.99, max(0.0, svc.knobs.cache_hit(t) + rng.uniform(-0.02, 0.02)))
            target = int(50_000 * (0.03 + 0.97 * hit))
            entries = entries + (target - entries) // 2 + rng.randint(-300, 300)
            book.emit(
                t,
                "INFO",
                f"membership cache stats: hit_ratio={hit:.2f} entries={entries} "
                f"evictions={rng.randint(0, 40)} (last 60s)",
                host=pod,
                logger="cache",
                caller="cache/stats.go:33",
            )
        for t in range(95_000 + 41_000 * i, end_ms, 600_000):
            book.emit(
                t + rng.randint(0, 900),
                "INFO",
                f"config watcher: configmap membership-config unchanged (revision {revision(t)})",
                host=pod,
                logger="config",
                caller="config/watch.go:88",
            )
        for t in range(21_000 + 9_000 * i, end_ms, 60_000):
            t += rng.randint(0, 700)
            elapsed = svc.district_lookup(t, pod, "ListDistricts", None, None)
            book.emit(
                t + elapsed + rng.randint(5, 20),
                "INFO",
                f"district sync: refreshed {rng.randint(405, 420)} districts from district-service",
                host=pod,
                logger="districtsync",
                caller="districtsync/sync.go:57",
            )
    for t in poisson_times(rng, 0.35, 0, end_ms):
        book.emit(
            t, "WARN", GRPC_PREFACE_EOF, host=rng.choice(PODS), logger="grpc", caller="grpc/server.go:879"
        )


def config_reload(
    book: LogBook, rng: random.Random, t: int, revision: int, deploy: int, diffs: list[str]
) -> None:
    """Every pod applies a new configmap revision within a few seconds."""
    for pod in PODS:
        t_pod = t + rng.randint(0, 4_000)
        book.emit(
            t_pod,
            "INFO",
            f"loaded config revision {revision} from configmap membership-config (deploy #{deploy})",
            host=pod,
            logger="config",
            caller="config/watch.go:102",
            config_revision=revision,
        )
        for n, diff in enumerate(diffs, 1):
            book.emit(
                t_pod + n,
                "INFO",
                f"config diff: {diff}",
                host=pod,
                logger="config",
                caller="config/watch.go:117",
                config_revision=revision,
            )


def partner_emails(svc: MembershipService, rng: random.Random, end_ms: int) -> None:
    """An old partner client that sends e-mail addresses as user ids (personal data in the logs)."""
    for email in PARTNER_EMAILS:
        svc.get_membership_bad_user(rng.randint(60_000, end_ms - 60_000), rng.choice(PODS), email)


def paid_seats(
    rng: random.Random, end_ms: int, svc: MembershipService, reserved: tuple[str, ...]
) -> list[tuple[int, Callable[[int], None]]]:
    """AddMember calls for paid seats, which log the billing card (a secret in the logs)."""
    calls = []
    for card in TEST_CARDS:

        def call(t: int, card: str = card) -> None:
            user = svc.dir.pick_user(exclude=reserved)
            svc.add_member(
                t, rng.choice(PODS), user, svc.dir.pick_non_member_district(user), "member", card=card
            )

        calls.append((rng.randint(60_000, end_ms - 60_000), call))
    return calls


# ---------------------------------------------------------------- turns: rules over the records


Rule = Callable[[int, dict[str, Any]], bool]


def when(rec: dict[str, Any]) -> datetime:
    return datetime.strptime(rec["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def lines_where(records: list[dict[str, Any]], rule: Rule) -> list[int]:
    return [n for n, rec in enumerate(records, 1) if rule(n, rec)]


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def looks_secret(text: str) -> bool:
    """An e-mail, bearer token, session cookie, or a Luhn-valid card number in `text`."""
    if any(p.search(text) for p in SECRET_PATTERNS[:3]):
        return True
    return any(luhn_ok(re.sub(r"[ -]", "", m.group())) for m in SECRET_PATTERNS[3].finditer(text))


def has_secret(rec: dict[str, Any]) -> bool:
    return any(looks_secret(str(value)) for value in rec.values())


def make_turn(records: list[dict[str, Any]], ask: str, rule: Rule, mentions: list[str]) -> dict[str, Any]:
    lines = lines_where(records, rule)
    assert lines, f"no relevant line for {ask!r}"
    messages = [records[n - 1]["message"] for n in lines]
    distinct = list(dict.fromkeys(messages))
    assert len(distinct) <= 10, f"{ask!r}: {len(distinct)} distinct relevant messages"
    for n in lines:
        assert not has_secret(records[n - 1]), f"{ask!r}: relevant line {n} holds a secret"
    for m in mentions:
        assert any(m.lower() in msg.lower() for msg in messages), (
            f"{ask!r}: mention {m!r} not in relevant lines"
        )
        assert not looks_secret(m), f"{ask!r}: mention {m!r} looks like a secret"
    return {"ask": ask, "expect": {"relevant_lines": lines, "mentions": mentions}}


def is_config_change(rec: dict[str, Any]) -> bool:
    return rec.get("logger") == "config" and bool(
        re.match(r"loaded config revision|config diff:", rec["message"])
    )


def is_throttle(rec: dict[str, Any]) -> bool:
    return bool(re.search(r"ProvisionedThroughputExceededException|UnprocessedKeys", rec["message"]))


# ---------------------------------------------------------------- incident 1: DynamoDB throttling


def build_dynamodb_throttling() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A config deploy cuts the cache TTL to 5s and raises retries; reads flood DynamoDB, which throttles."""
    rng = random.Random(20240312)
    start = datetime(2024, 3, 12, 13, 50, tzinfo=UTC)
    end_ms = at(start, "14:40:00")
    deploy_ms, rollback_ms = at(start, "14:03:02"), at(start, "14:22:09")
    throttle_from = at(start, "14:05:00")

    def cache_hit(t: int) -> float:
        if t < deploy_ms + 2_000:
            return 0.96
        if t < rollback_ms + 2_000:
            return 0.09
        return min(0.96, 0.09 + 0.87 * (t - rollback_ms) / 300_000)  # refills over ~5 minutes

    def throttle(t: int) -> float:
        if t < throttle_from:
            return 0.0
        if t < throttle_from + 120_000:
            return 0.9 * (t - throttle_from) / 120_000
        if t < rollback_ms + 2_000:
            return 0.9
        return max(0.0, 0.9 - 0.9 * (t - rollback_ms) / 140_000)

    def max_retries(t: int) -> int:
        return 8 if deploy_ms + 2_000 <= t < rollback_ms + 2_000 else 3

    def revision(t: int) -> int:
        return 1892 if t < deploy_ms else (1893 if t < rollback_ms else 1894)

    book = LogBook(rng, start)
    directory = Directory(rng, 650, 420)
    directory.set_user("123", {12: "editor", 48: "member"})
    knobs = Knobs(cache_hit, throttle, max_retries, district_503=lambda t: 0.06)
    svc = MembershipService(rng, book, directory, knobs, missing_in_staging=("123",))
    reserved = ("123",)

    scheduled: list[tuple[int, Callable[[int], None]]] = []
    # user 123's app checks its membership of district 12 every half minute or so (prod) ...
    t = rng.randint(2_000, 20_000)
    while t < end_ms:
        scheduled.append((t, lambda t: svc.get_membership(t, rng.choice(PODS), "123", 12)))
        t += rng.randint(20_000, 45_000)
    # ... and a tester's script polls it in staging, where user 123 does not exist.
    for t in sorted(rng.sample(range(60_000, end_ms - 60_000), 5)):
        scheduled.append((t, lambda t: svc.get_membership(t, STAGING_POD, "123", 12)))
    # genuine non-members asking for access
    for t in sorted(rng.sample(range(30_000, end_ms - 30_000), 8)):

        def deny(t: int) -> None:
            user = directory.pick_user(exclude=reserved)
            svc.get_membership(t, rng.choice(PODS), user, directory.pick_non_member_district(user))

        scheduled.append((t, deny))
    for d in (9999, 10433):
        scheduled.append(
            (
                rng.randint(60_000, end_ms - 60_000),
                lambda t, d=d: svc.get_membership(t, rng.choice(PODS), directory.pick_user(reserved), d),
            )
        )
    scheduled += paid_seats(rng, end_ms, svc, reserved)

    config_reload(
        book,
        rng,
        deploy_ms,
        1893,
        5521,
        [
            "membership_cache.ttl changed from 300s to 5s",
            "dynamodb.max_retries changed from 3 to 8",
        ],
    )
    config_reload(
        book,
        rng,
        rollback_ms,
        1894,
        5524,
        [
            "membership_cache.ttl changed from 5s to 300s",
            "dynamodb.max_retries changed from 8 to 3",
        ],
    )
    background(svc, rng, end_ms, revision)
    partner_emails(svc, rng, end_ms)
    run_traffic(svc, rng, end_ms, scheduled, reserved)
    records = book.records()

    first_throttle = min(when(r) for r in records if is_throttle(r))
    prod_123_deadline = [
        r
        for r in records
        if r.get("env") == "prod" and r.get("user_id") == "123" and r.get("status") == "DEADLINE_EXCEEDED"
    ]
    traced = prod_123_deadline[0]["request_id"]
    t1400, t1420 = start.replace(hour=14, minute=0), start.replace(hour=14, minute=20)

    turns = [
        make_turn(
            records,
            "why is GetMembership failing for user 123 in prod?",
            lambda n, r: (
                r.get("env") == "prod" and r.get("user_id") == "123" and r["level"] in ("WARN", "ERROR")
            ),
            ["DEADLINE_EXCEEDED", "ProvisionedThroughputExceededException"],
        ),
        make_turn(
            records,
            f"can you trace {traced}? the caller says it timed out. where did the time go?",
            lambda n, r: r.get("request_id") == traced,
            ["ProvisionedThroughputExceededException", "800ms"],
        ),
        make_turn(
            records,
            "are we being rate limited by the database?",
            lambda n, r: is_throttle(r),
            ["ProvisionedThroughputExceededException", "memberships"],
        ),
        make_turn(
            records,
            "did someone ship something right before the errors started?",
            lambda n, r: (
                is_config_change(r) and first_throttle - timedelta(minutes=10) <= when(r) < first_throttle
            ),
            ["1893", "ttl"],
        ),
        make_turn(
            records,
            "what went wrong between 14:00 and 14:20?",
            lambda n, r: (
                t1400 <= when(r) < t1420
                and (is_config_change(r) or is_throttle(r) or r.get("status") == "DEADLINE_EXCEEDED")
            ),
            ["DEADLINE_EXCEEDED", "throttled"],
        ),
        make_turn(
            records,
            "are we back to normal? what fixed it?",
            lambda n, r: is_config_change(r) and when(r) > first_throttle,
            ["1894", "300s"],
        ),
    ]
    incident = {
        "id": "membership-dynamodb-throttling",
        "title": "membership: GetMembership times out (DEADLINE_EXCEEDED) for many users while DynamoDB "
        "throttles reads on table memberships",
        "service": SERVICE,
        "environment": "prod",
        "window": {
            "start": stamp(start, 0).replace(".000Z", "Z"),
            "end": stamp(start, end_ms).replace(".000Z", "Z"),
        },
        "turns": turns,
    }
    return incident, records


# ---------------------------------------------------------------- incident 2: stale negative cache


def build_stale_cache() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """RemoveMember and AddMember race with a slow read; a stale 'not a member' entry locks one user out."""
    rng = random.Random(20240402)
    start = datetime(2024, 4, 2, 9, 10, tzinfo=UTC)
    end_ms = at(start, "09:55:00")
    remove_ms = at(start, "09:21:07.101")
    evict_ms = at(start, "09:44:31.250")
    victim, district = "4821", 77

    # district-service is flaky all morning, in bursts of 503s; the client's retries absorb them
    bursts = [
        ("09:12:10", "09:19:30"),
        ("09:24:05", "09:33:40"),
        ("09:38:00", "09:41:20"),
        ("09:47:30", "09:53:00"),
    ]
    burst_ms = [(at(start, a), at(start, b)) for a, b in bursts]

    def district_503(t: int) -> float:
        return 0.6 if any(a <= t < b for a, b in burst_ms) else 0.0

    knobs = Knobs(
        cache_hit=lambda t: 0.95, throttle=lambda t: 0.0, max_retries=lambda t: 3, district_503=district_503
    )
    book = LogBook(rng, start)
    directory = Directory(rng, 650, 420)
    directory.set_user(victim, {12: "member", 77: "member", 305: "viewer"})
    svc = MembershipService(rng, book, directory, knobs)
    reserved = (victim,)

    scheduled: list[tuple[int, Callable[[int], None]]] = []
    # the user's web app checks district 77 on every page load; more often once it starts failing
    t = rng.randint(5_000, 30_000)
    while t < end_ms:
        if abs(t - remove_ms) > 3_000:
            scheduled.append((t, lambda t: svc.get_membership(t, rng.choice(PODS), victim, district)))
        busy = remove_ms < t < evict_ms
        t += rng.randint(12_000, 35_000) if busy else rng.randint(25_000, 70_000)
    for t in sorted(rng.sample(range(60_000, end_ms - 60_000), 4)):
        scheduled.append((t, lambda t: svc.get_membership(t, rng.choice(PODS), victim, 12)))
    # the race: admin console sends remove and re-add; the user's app reads in between, slowly
    scheduled.append((remove_ms, lambda t: svc.remove_member(t, PODS[0], victim, district)))
    scheduled.append(
        (remove_ms + 19, lambda t: svc.get_membership(t, PODS[2], victim, district, slow_read_ms=41))
    )
    scheduled.append((remove_ms + 23, lambda t: svc.add_member(t, PODS[1], victim, district, "editor")))
    # support looks the user up (reads the table, not the cache)
    scheduled.append((at(start, "09:23:40.512"), lambda t: svc.list_memberships(t, PODS[3], victim)))

    # on-call evicts the key by hand
    def evict(t: int) -> None:
        book.emit(
            t,
            "INFO",
            f"evicted cache key {cache_key(district, victim)} (membership-admin cache evict)",
            host=PODS[1],
            logger="admin",
            caller="admin/cache.go:40",
            user_id=victim,
            district_id=district,
        )
        svc.cache.invalidate(cache_key(district, victim), t)

    scheduled.append((evict_ms, evict))
    # genuine non-members asking for access
    for t in sorted(rng.sample(range(30_000, end_ms - 30_000), 6)):

        def deny(t: int) -> None:
            user = directory.pick_user(exclude=reserved)
            svc.get_membership(t, rng.choice(PODS), user, directory.pick_non_member_district(user))

        scheduled.append((t, deny))
    scheduled += paid_seats(rng, end_ms, svc, reserved)

    background(svc, rng, end_ms, revision=lambda t: 1902)
    partner_emails(svc, rng, end_ms)
    run_traffic(svc, rng, end_ms, scheduled, reserved)
    records = book.records()

    removal = next(
        r
        for r in records
        if r.get("method") == "RemoveMember"
        and r.get("user_id") == victim
        and r.get("district_id") == district
        and r.get("status") == "OK"
    )
    t_removal = when(removal)
    key = cache_key(district, victim)

    def in_race(r: dict[str, Any]) -> bool:
        about_key = (r.get("user_id") == victim and r.get("district_id") == district) or key in r["message"]
        return (
            about_key
            and r.get("logger") != "grpc.audit"
            and t_removal - timedelta(seconds=1) <= when(r) <= t_removal + timedelta(seconds=1)
        )

    def denied_from_cache(r: dict[str, Any]) -> bool:
        return (
            r.get("user_id") == victim
            and r.get("status") == "PERMISSION_DENIED"
            and "source=cache" in r["message"]
        )

    t0915, t0930 = start.replace(minute=15), start.replace(minute=30)
    turns = [
        make_turn(
            records,
            "user 4821 gets PERMISSION_DENIED on district 77 although an admin just made them "
            "an editor there. why?",
            lambda n, r: (
                denied_from_cache(r)
                or (
                    r.get("user_id") == victim
                    and r.get("method") == "AddMember"
                    and r.get("status") == "OK"
                    and r.get("district_id") == district
                )
                or (
                    r.get("user_id") == victim
                    and r.get("method") == "ListMemberships"
                    and re.search(rf"\b{district}\b", r["message"]) is not None
                )
            ),
            ["cache", "editor"],
        ),
        make_turn(
            records,
            "the user was kicked out of the group and put back almost at the same moment. "
            "could those two admin actions have collided?",
            lambda n, r: in_race(r),
            ["RemoveMember", "AddMember", "negative"],
        ),
        make_turn(
            records,
            "is it just this one person, or is anyone else locked out of their district?",
            lambda n, r: r.get("status") == "PERMISSION_DENIED",
            ["4821"],
        ),
        make_turn(
            records,
            "we're also seeing lots of 'retrying' warnings from district-service. is that related?",
            lambda n, r: "district-service" in r["message"] and r.get("logger") == "districtclient",
            ["503", "succeeded on attempt"],
        ),
        make_turn(
            records,
            "what went wrong with membership between 09:15 and 09:30?",
            lambda n, r: t0915 <= when(r) < t0930 and (denied_from_cache(r) or in_race(r)),
            ["4821", "cache"],
        ),
    ]
    incident = {
        "id": "membership-stale-cache-permission-denied",
        "title": "membership: one user gets PERMISSION_DENIED for one district after a "
        "RemoveMember/AddMember race left a stale cache entry",
        "service": SERVICE,
        "environment": "prod",
        "window": {
            "start": stamp(start, 0).replace(".000Z", "Z"),
            "end": stamp(start, end_ms).replace(".000Z", "Z"),
        },
        "turns": turns,
    }
    return incident, records


# ---------------------------------------------------------------- writing


def write_incident(out: Path, incident: dict[str, Any], records: list[dict[str, Any]]) -> None:
    folder = out / incident["id"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "incident.json").write_text(
        json.dumps(incident, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    with (folder / "logs.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="folder to write the incident folders into (default: next to this script)",
    )
    args = ap.parse_args(argv)
    for build in (build_dynamodb_throttling, build_stale_cache):
        incident, records = build()
        write_incident(args.out, incident, records)
        sizes = [len(t["expect"]["relevant_lines"]) for t in incident["turns"]]
        print(f"{incident['id']}: {len(records)} lines, relevant lines per turn {sizes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

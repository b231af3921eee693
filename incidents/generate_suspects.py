"""Generate multi-service incidents with one planted faulty service each, to measure suspect ranking.

Run from anywhere:   python incidents/generate_suspects.py [--out DIR]

It writes DIR/<incident-id>/incident.json and DIR/<incident-id>/logs.jsonl in the replay format of
shared/spec/incident-format.md (DIR defaults to bench/out/suspect-incidents, which git ignores: the
logs are ~1 MB each and rerunning rewrites the same bytes, as everything is seeded). Each
incident.json carries a `cause`: the faulty service, the pod when only one was hit, and the kind.

How the logs come about: a small simulation of four made-up clusters (a shop, a train-booking
system with `ts-` names, a bank, a media site), each a call graph of 7-12 services in several
languages. Requests arrive at the entry service (Poisson), walk their call tree (each hop a few
milliseconds, a timeout per caller), and every service logs as its kind of program would: Java
(logback or Spring Boot layouts, stack traces, RestTemplate/Feign/Ribbon errors), Go (zap-like,
gRPC status errors), Python (requests/urllib3 errors) or Node (axios errors, pino JSON).

At the onset one service (or one of its pods) goes wrong in one of six ways:
- exception: it throws on many calls (its own ERROR lines with a stack trace) and answers 500;
- wrong result: it answers 200 with a wrong value; it logs nothing unusual, its callers sometimes
  notice (some name it, some do not) and fail, with no error status to report, and services
  called later in the request sometimes reject the bad value they are handed (and answer 500);
- latency: it answers seconds late; callers time out, retry, give up (some name it, some log only
  the gRPC status or the URL); only some languages log their own slowness;
- resource exhaustion: a pool, memory or file handles run out on one pod: its errors, then 503s;
- crash loop: one pod panics, restarts with a back-off (startup banners, silence between),
  callers get connection refused / no healthy upstream;
- bad deploy: new pods (a new replicaset) start shortly before the onset, with or without a line
  that says "version"/"config", and fail on a code path the old ones did not.

Noise in every incident: a service that WARNs on every request, errors that were there before the
onset and go on (a metrics sink refusing connections, a flaky optional dependency that callers
name), health checks, and in some an unrelated deploy or config line minutes before the onset.
Some incidents have ten minutes of calm before the onset, others start when it starts. Formats
vary: flat JSON with a service field, JSON with only a pod name, a shipper's `{"log": "<text
line>", "kubernetes": {...}}` wrapper, and wrapped JSON lines; trace ids in a field, in the text
(`TraceID: …`), or not at all.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "out" / "suspect-incidents"
HASH = "bcdfghjklmnpqrstvwxz2456789"  # the alphabet of k8s pod name hashes


# --------------------------------------------------------------------------------- the clusters


@dataclass
class Svc:
    name: str
    lang: str  # java | spring | go | python | node
    port: int
    replicas: int = 2
    short: str = ""  # how colleagues write it in messages ("cart" for cartservice)
    path: str = "/"  # its API path prefix
    pods: list[str] = field(default_factory=list)
    ips: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One hop of a request: the callee, whether the caller fails when it does, what it is for."""

    svc: str
    critical: bool
    what: str
    then: list[Call] = field(default_factory=list)


@dataclass
class App:
    name: str
    namespace: str
    services: dict[str, Svc]
    requests: list[tuple[str, str, Call]]  # (http method, path, the entry call tree)
    flaky: tuple[str, str]  # (caller, callee) that fail now and then all along: noise
    chatty: str  # a service that WARNs on every request
    warn_text: str
    anonymous: bool = False  # callers never name what they called (`--anonymous`)


def _shop() -> App:
    s = [
        Svc("frontend", "go", 8080, 3, "frontend", "/"),
        Svc("cartservice", "node", 7070, 2, "cart", "/cart"),
        Svc("checkoutservice", "go", 5050, 2, "checkout", "/checkout"),
        Svc("productcatalogservice", "go", 3550, 2, "catalog", "/products"),
        Svc("currencyservice", "node", 7000, 2, "currency", "/currency"),
        Svc("paymentservice", "node", 50051, 2, "payment", "/charge"),
        Svc("shippingservice", "go", 50052, 2, "shipping", "/quote"),
        Svc("emailservice", "python", 8081, 1, "email", "/send"),
        Svc("recommendationservice", "python", 8082, 2, "recommendations", "/recommend"),
        Svc("adservice", "java", 9555, 1, "ads", "/ads"),
    ]
    browse = Call(
        "frontend",
        True,
        "home",
        [
            Call("productcatalogservice", True, "list products"),
            Call("currencyservice", True, "convert prices"),
            Call(
                "recommendationservice",
                False,
                "recommendations",
                [Call("productcatalogservice", True, "products")],
            ),
            Call("adservice", False, "ads"),
        ],
    )
    checkout = Call(
        "frontend",
        True,
        "place order",
        [
            Call(
                "checkoutservice",
                True,
                "place order",
                [
                    Call("cartservice", True, "get cart"),
                    Call("productcatalogservice", True, "get product"),
                    Call("currencyservice", True, "convert"),
                    Call("shippingservice", True, "quote"),
                    Call("paymentservice", True, "charge"),
                    Call("emailservice", False, "confirmation"),
                ],
            )
        ],
    )
    cart = Call(
        "frontend",
        True,
        "view cart",
        [Call("cartservice", True, "get cart"), Call("currencyservice", True, "convert")],
    )
    reqs = [
        ("GET", "/", browse),
        ("GET", "/product/OLJCESPC7Z", browse),
        ("POST", "/cart/checkout", checkout),
        ("GET", "/cart", cart),
    ]
    return App(
        "shop",
        "boutique",
        {x.name: x for x in s},
        reqs,
        ("frontend", "adservice"),
        "currencyservice",
        "Conversion rate for {cur} is older than 24h, using cached value",
    )


def _travel() -> App:
    names = [
        ("ts-ui-dashboard", "node", 8080, 2, "ui", "/"),
        ("ts-travel-service", "spring", 12346, 2, "travel", "/api/v1/travelservice"),
        ("ts-order-service", "spring", 12031, 2, "order", "/api/v1/orderservice"),
        ("ts-route-service", "spring", 11178, 1, "route", "/api/v1/routeservice"),
        ("ts-station-service", "spring", 12345, 1, "station", "/api/v1/stationservice"),
        ("ts-price-service", "spring", 16579, 1, "price", "/api/v1/priceservice"),
        ("ts-seat-service", "spring", 18898, 2, "seat", "/api/v1/seatservice"),
        ("ts-basic-service", "spring", 15680, 2, "basic", "/api/v1/basicservice"),
        ("ts-config-service", "spring", 15679, 1, "config", "/api/v1/configservice"),
        ("ts-auth-service", "spring", 12340, 2, "auth", "/api/v1/auth"),
        ("ts-preserve-service", "spring", 14568, 2, "preserve", "/api/v1/preserveservice"),
        ("ts-user-service", "spring", 12342, 1, "user", "/api/v1/userservice"),
    ]
    s = [Svc(*n) for n in names]
    basic = Call(
        "ts-basic-service",
        True,
        "query travel",
        [
            Call("ts-station-service", True, "query station"),
            Call("ts-route-service", True, "query route"),
            Call("ts-price-service", True, "query price"),
        ],
    )
    search = Call(
        "ts-ui-dashboard",
        True,
        "search",
        [
            Call(
                "ts-travel-service",
                True,
                "query trips",
                [
                    basic,
                    Call(
                        "ts-seat-service", True, "left tickets", [Call("ts-config-service", True, "config")]
                    ),
                ],
            )
        ],
    )
    book = Call(
        "ts-ui-dashboard",
        True,
        "preserve",
        [
            Call("ts-auth-service", True, "verify token"),
            Call(
                "ts-preserve-service",
                True,
                "preserve",
                [
                    Call("ts-user-service", True, "get contacts"),
                    Call("ts-travel-service", True, "trip info", [basic]),
                    Call(
                        "ts-seat-service",
                        True,
                        "distribute seat",
                        [Call("ts-order-service", True, "sold tickets")],
                    ),
                    Call("ts-order-service", True, "create order"),
                ],
            ),
        ],
    )
    orders = Call(
        "ts-ui-dashboard",
        True,
        "orders",
        [
            Call("ts-auth-service", True, "verify token"),
            Call(
                "ts-order-service", True, "query orders", [Call("ts-station-service", True, "station names")]
            ),
        ],
    )
    reqs = [
        ("POST", "/api/v1/travelservice/trips/left", search),
        ("POST", "/api/v1/preserveservice/preserve", book),
        ("POST", "/api/v1/orderservice/order/refresh", orders),
    ]
    return App(
        "travel",
        "train-ticket",
        {x.name: x for x in s},
        reqs,
        ("ts-travel-service", "ts-route-service"),
        "ts-auth-service",
        "Token for user {user} expires in less than 5 minutes",
    )


def _bank() -> App:
    s = [
        Svc("api-gateway", "java", 8443, 2, "gateway", "/"),
        Svc("accounts", "java", 8080, 2, "accounts", "/v2/accounts"),
        Svc("ledger", "go", 9090, 3, "ledger", "/ledger"),
        Svc("fraud-check", "python", 5000, 2, "fraud", "/score"),
        Svc("notifications", "node", 3000, 1, "notify", "/notify"),
        Svc("auth", "go", 9000, 2, "auth", "/token"),
        Svc("fx-rates", "python", 5001, 1, "fx", "/rates"),
    ]
    transfer = Call(
        "api-gateway",
        True,
        "transfer",
        [
            Call("auth", True, "check token"),
            Call(
                "accounts",
                True,
                "transfer",
                [
                    Call("fraud-check", True, "score"),
                    Call("fx-rates", True, "rate"),
                    Call("ledger", True, "post entries"),
                    Call("notifications", False, "notify"),
                ],
            ),
        ],
    )
    balance = Call(
        "api-gateway",
        True,
        "balance",
        [
            Call("auth", True, "check token"),
            Call("accounts", True, "balance", [Call("ledger", True, "balance")]),
        ],
    )
    reqs = [
        ("POST", "/v2/transfers", transfer),
        ("GET", "/v2/accounts/balance", balance),
        ("GET", "/v2/accounts/balance", balance),
    ]
    return App(
        "bank",
        "payments",
        {x.name: x for x in s},
        reqs,
        ("accounts", "notifications"),
        "api-gateway",
        "Client {client} uses deprecated API version v1; please migrate to v2",
    )


def _media() -> App:
    s = [
        Svc("edge-proxy", "go", 8000, 2, "edge", "/"),
        Svc("catalog-api", "java", 8080, 2, "catalog", "/titles"),
        Svc("playback", "go", 8090, 3, "playback", "/play"),
        Svc("entitlements", "java", 8085, 2, "entitlements", "/entitlements"),
        Svc("recommender", "python", 8500, 2, "recs", "/recs"),
        Svc("user-profile", "node", 3100, 2, "profile", "/profiles"),
        Svc("search-indexer", "java", 8095, 1, "search", "/search"),
    ]
    play = Call(
        "edge-proxy",
        True,
        "play",
        [
            Call("user-profile", True, "profile"),
            Call(
                "playback",
                True,
                "start",
                [Call("entitlements", True, "check"), Call("catalog-api", True, "title")],
            ),
        ],
    )
    home = Call(
        "edge-proxy",
        True,
        "home",
        [
            Call("user-profile", True, "profile"),
            Call("recommender", False, "rows", [Call("catalog-api", True, "titles")]),
            Call("catalog-api", True, "titles"),
        ],
    )
    find = Call(
        "edge-proxy",
        True,
        "search",
        [Call("search-indexer", True, "query", [Call("catalog-api", True, "titles")])],
    )
    reqs = [("POST", "/play", play), ("GET", "/home", home), ("GET", "/home", home), ("GET", "/search", find)]
    return App(
        "media",
        "streaming",
        {x.name: x for x in s},
        reqs,
        ("edge-proxy", "recommender"),
        "user-profile",
        "Profile {user} has no avatar, falling back to default",
    )


APPS = {"shop": _shop, "travel": _travel, "bank": _bank, "media": _media}


# ------------------------------------------------------------------------------------ the log book


@dataclass
class Event:
    t: float  # seconds since the start
    svc: str
    pod: str
    level: str
    message: str
    trace: str | None = None
    logger: str | None = None


class Book:
    """Every line written, in any order; `records` formats them, oldest first."""

    def __init__(self) -> None:
        self.events: list[tuple[float, int, Event]] = []

    def add(self, event: Event) -> None:
        self.events.append((event.t, len(self.events), event))

    def sorted(self) -> list[Event]:
        return [e for _, _, e in sorted(self.events, key=lambda x: (x[0], x[1]))]


# ------------------------------------------------------------------------------------ how they talk

JAVA_PKG = {
    "shop": "hipstershop",
    "travel": "edu.fudan.common",
    "bank": "com.acme.bank",
    "media": "tv.stream",
}


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("ts-", "").replace("-service", "").split("-"))


def logger_of(app: App, svc: Svc, rng: random.Random, role: str) -> str:
    if svc.lang in ("java", "spring"):
        pkg = JAVA_PKG[app.name]
        if rng.random() < 0.5:
            pkg = ".".join(p[0] for p in pkg.split("."))
        return f"{pkg}.{camel(svc.name).lower()}.{role}.{camel(svc.name)}{role.capitalize()}"
    if svc.lang == "go":
        return f"{role}/{svc.short}.go:{rng.randint(30, 300)}"
    if svc.lang == "python":
        return f"{svc.short}.{role}"
    return svc.short


def url(app: App, callee: Svc, rng: random.Random, rest: str = "") -> str:
    host = callee.name if rng.random() < 0.6 else f"{callee.name}.{app.namespace}.svc.cluster.local"
    return f"http://{host}:{callee.port}{callee.path.rstrip('/')}{rest}"


#: What callers write when they name nothing they called (`--anonymous`): status words only.
ANONYMOUS = {
    "timeout": [
        "java.net.SocketTimeoutException: Read timed out",
        "context deadline exceeded",
        "AxiosError: timeout of 2000ms exceeded",
        "{what} timed out after 2000 ms",
    ],
    "down": [
        "java.net.ConnectException: Connection refused (Connection refused)",
        "connect: connection refused",
        "{what} failed: ECONNREFUSED",
        "upstream connect error or disconnect/reset before headers",
    ],
    "wrong": ["validation failed: unexpected value in response", "{what}: result out of range"],
    "fail": [
        "500 Internal Server Error",
        "rpc error: code = Internal desc = internal error",
        "Request failed with status code 500",
        "{what} failed: server error",
    ],
}


def call_failure(
    app: App, caller: Svc, callee: Svc, status: str, what: str, pod_ip: str, rng: random.Random
) -> str:
    """What a caller of `callee` writes when the call failed (`status`: fail, timeout, down, wrong)."""
    if app.anonymous:
        return rng.choice(ANONYMOUS[status]).format(what=what)
    lang, u = (
        caller.lang,
        url(app, callee, rng, rng.choice(["", "/query", "/v1/items", f"/{rng.randint(1, 999)}"])),
    )
    op = what.replace(" ", "_")
    if status == "timeout":
        options = {
            "java": [
                f'I/O error on POST request for "{u}": Read timed out; nested exception is java.net.SocketTimeoutException: Read timed out',
                f"feign.RetryableException: Read timed out executing POST {u}",
                f"{camel(callee.name)}Client#{op} timed-out and no fallback available.",
            ],
            "spring": [
                f'I/O error on POST request for "{u}": Read timed out; nested exception is java.net.SocketTimeoutException: Read timed out',
                f"[{op}][{what.capitalize()} fail][Read timed out]",
            ],
            "go": [
                f"failed to {what}: rpc error: code = DeadlineExceeded desc = context deadline exceeded",
                f'Post "{u}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
                f"{callee.short}: {what}: context deadline exceeded",
            ],
            "python": [
                f"HTTPConnectionPool(host='{callee.name}', port={callee.port}): Read timed out. (read timeout=2.0)",
                f"timed out waiting for {callee.short} after 2.0s ({what})",
            ],
            "node": [
                "AxiosError: timeout of 2000ms exceeded",
                f"{what} failed: timeout of 2000ms exceeded calling {u}",
            ],
        }
    elif status == "down":
        options = {
            "java": [
                f'I/O error on GET request for "{u}": Connection refused (Connection refused); nested exception is java.net.ConnectException: Connection refused (Connection refused)',
                f"java.lang.IllegalStateException: No instances available for {callee.name}",
                f"com.netflix.client.ClientException: Load balancer does not have available server for client: {callee.name}",
            ],
            "spring": [
                f"java.lang.IllegalStateException: No instances available for {callee.name}",
                f'I/O error on POST request for "{u}": Connection refused (Connection refused)',
            ],
            "go": [
                f'failed to {what}: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing dial tcp {pod_ip}:{callee.port}: connect: connection refused"',
                f"upstream connect error or disconnect/reset before headers. reset reason: connection failure ({what})",
            ],
            "python": [
                f"HTTPConnectionPool(host='{callee.name}', port={callee.port}): Max retries exceeded with url: {callee.path} (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f3a2c1d5e80>: Failed to establish a new connection: [Errno 111] Connection refused'))",
            ],
            "node": [
                f"Error: connect ECONNREFUSED {pod_ip}:{callee.port}",
                f"{callee.short} unavailable: connect ECONNREFUSED {pod_ip}:{callee.port}",
            ],
        }
    elif status == "wrong":
        options = {
            "java": [
                f"Validation failed for response of {callee.name}: field 'amount' must be greater than 0",
                "Inconsistent state: computed total does not match line items",
            ],
            "spring": [
                f"[{op}][{what.capitalize()} fail][unexpected response from {callee.name}: data is null]",
                f"[{op}][{what.capitalize()} fail]",
            ],
            "go": [
                f"invalid {what} result: value out of range",
                f"{callee.short} returned an invalid {what}: negative value",
            ],
            "python": [
                f"unexpected payload from {callee.short}: KeyError('rate')",
                f"sanity check failed on {what}: result is NaN",
            ],
            "node": [
                f"Invalid response from {callee.short}: expected number, got null",
                f"{what}: schema validation failed",
            ],
        }
    else:  # fail: the callee answered 5xx
        options = {
            "java": [
                f'org.springframework.web.client.HttpServerErrorException$InternalServerError: 500 Internal Server Error: [{{"status":500,"error":"Internal Server Error","path":"{callee.path}/{op}"}}]',
                f"feign.FeignException$InternalServerError: [500] during [POST] to [{u}] [{camel(callee.name)}Client#{op}]",
                f"{what} failed: {callee.short} answered 500",
            ],
            "spring": [
                f'500 Internal Server Error: [{{"timestamp":"","status":500,"error":"Internal Server Error","path":"{callee.path}/{op}"}}]',
                f"[{op}][{what.capitalize()} fail][response status 500]",
            ],
            "go": [
                f"failed to {what}: rpc error: code = Internal desc = internal error",
                f"failed to {what}: rpc error: code = Unknown desc = {callee.short} failed",
                f"{callee.name} {callee.path}: 500 Internal Server Error",
            ],
            "python": [
                f"500 Server Error: Internal Server Error for url: {u}",
                f"upstream {callee.short} returned 500 ({what})",
            ],
            "node": [
                "AxiosError: Request failed with status code 500",
                f"{what} failed: {callee.name} responded 500",
            ],
        }
    return rng.choice(options[lang])


JAVA_TRACE = "\n\tat {pkg}.{cls}.{m}({cls}.java:{n})\n\tat {pkg}.{cls}Controller.handle({cls}Controller.java:{k})\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)"


def own_error(app: App, svc: Svc, kind: str, rng: random.Random, variant: int) -> str:
    """The faulty service's own error line for a fault `kind` (one vocabulary per incident: `variant`)."""
    pkg, cls = JAVA_PKG[app.name], camel(svc.name)
    trace = JAVA_TRACE.format(
        pkg=pkg,
        cls=cls,
        m=rng.choice(["process", "compute", "load"]),
        n=rng.randint(40, 400),
        k=rng.randint(20, 90),
    )
    by_lang = {
        "exception": {
            "java": [
                f'Unhandled exception processing request\njava.lang.NullPointerException: Cannot invoke "{pkg}.model.Item.getPrice()" because "item" is null{trace}',
                f"java.lang.IllegalArgumentException: unknown id: null{trace}",
            ],
            "go": [
                "panic recovered in handler: runtime error: index out of range [2] with length 2",
                "handler error: invalid memory address or nil pointer dereference",
            ],
            "python": [
                "Exception on /process [POST]\nTraceback (most recent call last):\n  File \"/app/handlers.py\", line 88, in process\n    rate = table[code]\nKeyError: 'JPY'",
                "ZeroDivisionError: division by zero",
            ],
            "node": [
                "TypeError: Cannot read properties of undefined (reading 'units')\n    at convert (/usr/src/app/server.js:142:31)",
                "Unhandled rejection: RangeError: Invalid array length",
            ],
        },
        "deploy": {
            "java": [
                f"java.lang.NoSuchMethodError: 'java.lang.String {pkg}.model.Order.getCouponCode()'{trace}",
                f"org.springframework.jdbc.BadSqlGrammarException: PreparedStatementCallback; bad SQL grammar; nested exception is java.sql.SQLSyntaxErrorException: Unknown column 'discount_code' in 'field list'{trace}",
            ],
            "go": [
                'request failed: pq: column "discount_code" does not exist',
                'failed to decode request: json: unknown field "currencyCode"',
            ],
            "python": [
                'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedColumn) column "discount_code" does not exist',
                "AttributeError: 'NoneType' object has no attribute 'tier'",
            ],
            "node": [
                "ReferenceError: featureFlags is not defined\n    at handler (/usr/src/app/routes/index.js:57:9)",
                "Error: Cannot find module './lib/pricing-v2'",
            ],
        },
        "resource": {
            "java": [
                "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
                f"java.lang.OutOfMemoryError: Java heap space{trace}",
            ],
            "go": [
                "accept tcp [::]:8080: accept4: too many open files; retrying in 1s",
                "failed to open connection: dial tcp: lookup db: too many open files",
            ],
            "python": [
                "OSError: [Errno 24] Too many open files",
                "psycopg2.OperationalError: connection pool exhausted",
            ],
            "node": [
                "Error: EMFILE: too many open files, open '/usr/src/app/data/rates.json'",
                "<--- Last few GCs ---> allocation failure; scavenge might not succeed",
            ],
        },
    }
    lang = "java" if svc.lang == "spring" else svc.lang
    return by_lang[kind][lang][variant % 2]


CRASH = {
    "java": 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
    "go": "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x8b5d2c]\n\ngoroutine 71 [running]:",
    "python": "Fatal Python error: Segmentation fault",
    "node": "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
}


def banner(svc: Svc, version: str, rng: random.Random, with_version: bool) -> list[str]:
    if svc.lang in ("java", "spring"):
        first = (
            f"Starting {camel(svc.name)}Application v{version} using Java 17.0.9 with PID 1"
            if with_version
            else f"Starting {camel(svc.name)}Application using Java 17.0.9 with PID 1"
        )
        return [
            first,
            f"Tomcat initialized with port(s): {svc.port} (http)",
            f"Started {camel(svc.name)}Application in {rng.uniform(4, 12):.3f} seconds",
        ]
    if svc.lang == "go":
        return [
            f"{svc.name} {'version ' + version if with_version else 'starting'}",
            f"listening on :{svc.port}",
        ]
    if svc.lang == "python":
        return [
            "Booting worker with pid: 8",
            f"Listening at: http://0.0.0.0:{svc.port}" + (f" (release {version})" if with_version else ""),
        ]
    return [
        f"{svc.name}@{version} start" if with_version else f"{svc.name} starting",
        f"Server listening on port {svc.port}",
    ]


# ------------------------------------------------------------------------------------ the simulation


@dataclass
class Spec:
    id: str
    app: str
    culprit: str
    kind: str  # exception | wrong | latency | resource | crash | deploy
    seed: int
    fmt: str  # flat | pod | wrapped | wrapped-json
    calm: float  # seconds of normal traffic before the onset (0: the logs start at the onset)
    after: float  # seconds after the onset
    traces: str  # field | text | none
    one_pod: bool = False
    side_change: bool = False  # an unrelated deploy/config line minutes before the onset
    rate: float = 1.2  # requests per second at the entry
    anonymous: bool = False  # callers never name what they called


class Cluster:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.app = APPS[spec.app]()
        self.app.anonymous = spec.anonymous
        self.book = Book()
        self.onset = spec.calm
        self.end = spec.calm + spec.after
        self.variant = self.rng.randint(0, 1)
        rng = self.rng
        self.ip: dict[str, str] = {}
        self.node: dict[str, str] = {}
        self.alive: dict[str, tuple[float, float]] = {}  # pod -> (from, to)
        for svc in self.app.services.values():
            rs = "".join(rng.choice(HASH) for _ in range(rng.choice([9, 10])))
            for _ in range(svc.replicas):
                pod = f"{svc.name}-{rs}-{''.join(rng.choice(HASH) for _ in range(5))}"
                self._add_pod(svc, pod, -1.0, self.end + 1)
        self.culprit = self.app.services[spec.culprit]
        self.bad_pod = self.culprit.pods[0] if spec.one_pod or spec.kind in ("crash", "resource") else None
        self.down: list[tuple[float, float]] = []
        self.new_pods: list[str] = []
        self.loggers = {
            s.name: {r: logger_of(self.app, s, rng, r) for r in ("service", "controller", "client", "server")}
            for s in self.app.services.values()
        }

    def _add_pod(self, svc: Svc, pod: str, start: float, stop: float) -> None:
        svc.pods.append(pod)
        self.ip[pod] = f"10.{self.rng.randint(0, 3)}.{self.rng.randint(0, 255)}.{self.rng.randint(2, 254)}"
        self.node[pod] = (
            f"gke-{self.app.name}-pool-{self.rng.randint(1, 3)}-{''.join(self.rng.choice(string.ascii_lowercase + string.digits) for _ in range(4))}"
        )
        self.alive[pod] = (start, stop)

    # ---------------------------------------------------------------- logging

    def log(
        self,
        t: float,
        svc: Svc,
        pod: str,
        level: str,
        message: str,
        trace: str | None = None,
        role: str = "service",
    ) -> None:
        if -0.5 <= t <= self.end:
            self.book.add(
                Event(max(t, 0.0), svc.name, pod, level, message, trace, self.loggers[svc.name][role])
            )

    # ---------------------------------------------------------------- faults

    def faulty(self, svc: Svc, pod: str, t: float) -> bool:
        if svc is self.culprit and self.spec.kind == "deploy":
            return pod in self.new_pods  # from the moment a new pod serves
        if svc is not self.culprit or t < self.onset:
            return False
        return self.bad_pod is None or pod == self.bad_pod

    def is_down(self, pod: str, t: float) -> bool:
        return pod == self.bad_pod and any(a <= t < b for a, b in self.down)

    def pick(self, svc: Svc, t: float) -> str:
        pods = [p for p in svc.pods if self.alive[p][0] <= t < self.alive[p][1]] or svc.pods
        return self.rng.choice(pods)

    # ---------------------------------------------------------------- one request

    def call(self, node: Call, t: float, trace: str | None, ctx: dict[str, Any]) -> tuple[str, float]:
        """Serve one hop; returns (ok | fail | down | wrong, when it answered)."""
        rng, svc = self.rng, self.app.services[node.svc]
        pod = self.pick(svc, t)
        if self.is_down(pod, t):
            ctx["down_ip"] = self.ip[pod]
            return "down", t + 0.002
        t += rng.uniform(0.001, 0.012)
        faulty = self.faulty(svc, pod, t)
        kind = self.spec.kind
        if rng.random() < (0.5 if svc.lang in ("java", "spring") else 0.25):
            self.log(
                t,
                svc,
                pod,
                "DEBUG" if rng.random() < 0.3 else "INFO",
                f"{node.what}: request received",
                trace,
                "controller",
            )
        if svc.name == self.app.chatty:
            self.log(
                t,
                svc,
                pod,
                "WARN",
                self.app.warn_text.format(
                    cur=rng.choice(["JPY", "EUR", "GBP"]),
                    user=rng.randint(1000, 9999),
                    client=f"app-{rng.randint(1, 40)}",
                ),
                trace,
            )
        if ctx.get("tainted") and node.critical and rng.random() < 0.3:
            # a later step trips over the bad value it was handed, in its own words, naming no one,
            # and answers 500 instead of doing its work
            ctx["tainted"] = False
            t += 0.002
            self.log(
                t,
                svc,
                pod,
                "ERROR",
                rng.choice(
                    [
                        f"{node.what} rejected: amount must be positive (got -{rng.randint(1, 90)}.{rng.randint(10, 99)})",
                        f"{node.what}: invalid argument: quantity 0 is not allowed",
                        f"IllegalStateException: {node.what} for unknown reference null",
                    ]
                ),
                trace,
            )
            return "fail", t + 0.001
        if faulty and kind == "latency":
            delay = rng.uniform(1.5, 6.0)
            t += delay
            if svc.lang in ("java", "python") and rng.random() < 0.3:
                self.log(t, svc, pod, "WARN", f"{node.what} took {int(delay * 1000)} ms", trace)
        ramp = min(1.0, 0.3 + (t - self.onset) / 240) if faulty else 0.0
        if (
            faulty
            and kind in ("exception", "deploy", "resource")
            and rng.random() < (0.7 if kind != "resource" else 0.8 * ramp)
        ):
            message = own_error(self.app, svc, kind, rng, self.variant + (1 if rng.random() < 0.2 else 0))
            if svc.lang == "go" and rng.random() < 0.3:
                return "fail", t + 0.003  # returns the error without logging it
            if kind == "resource" and svc.lang in ("java", "spring") and "Hikari" in message:
                t += 2.0
            self.log(t, svc, pod, "ERROR", message, trace)
            return "fail", t + 0.002
        for child in node.then:
            status, answered = self.call(child, t, trace, ctx)
            timeout = 2.0 if svc.lang != "java" else 3.0
            if answered - t > timeout:
                status, answered = "timeout", t + timeout
            callee = self.app.services[child.svc]
            if status == "wrong":
                # the call succeeded (200): no retry, no error status to report; a caller that
                # checks the value says so in its own words and fails, the others pass it on
                ctx["tainted"] = True
                status = "ok"
                if rng.random() < 0.35:
                    self.log(
                        answered,
                        svc,
                        pod,
                        "ERROR" if child.critical else "WARN",
                        call_failure(self.app, svc, callee, "wrong", child.what, "", rng),
                        trace,
                        "client",
                    )
                    if child.critical:
                        t = answered + 0.001
                        self.log(
                            t,
                            svc,
                            pod,
                            "ERROR" if svc.lang != "node" else "WARN",
                            f"{node.what} failed with status 500",
                            trace,
                            "controller",
                        )
                        return "fail", t
            if status in ("fail", "down", "timeout"):
                message = call_failure(
                    self.app,
                    svc,
                    callee,
                    status,
                    child.what,
                    ctx.get("down_ip", self.ip[callee.pods[0]]),
                    rng,
                )
                level = "ERROR" if child.critical else "WARN"
                if rng.random() < 0.3 and svc.lang in ("java", "python", "go"):
                    self.log(
                        answered,
                        svc,
                        pod,
                        "WARN",
                        f"retrying {child.what} (attempt 2 of 3) after: {message[:90]}",
                        trace,
                        "client",
                    )
                    status, answered = self.call(child, answered + 0.2, trace, ctx)
                    if answered - t > 2 * timeout:
                        status = "timeout"
                    if status == "ok":
                        t = answered
                        continue
                self.log(answered, svc, pod, level, message, trace, "client")
                if child.critical:
                    t = answered + 0.001
                    self.log(
                        t,
                        svc,
                        pod,
                        "ERROR" if svc.lang != "node" else "WARN",
                        f"{node.what} failed with status 500",
                        trace,
                        "controller",
                    )
                    return "fail", t
            t = max(t, answered) + rng.uniform(0.0005, 0.004)
        if rng.random() < 0.6:
            self.log(
                t, svc, pod, "INFO", f"{node.what} completed in {rng.randint(2, 60)} ms", trace, "controller"
            )
        return ("wrong" if faulty and kind == "wrong" else "ok"), t

    # ---------------------------------------------------------------- the whole window

    def run(self) -> list[Event]:
        rng, spec, app = self.rng, self.spec, self.app
        self._plan_crashes()
        self._plan_deploy()
        t = 0.0
        n = 0
        while t < self.end:
            t += rng.expovariate(spec.rate)
            n += 1
            method, path, tree = rng.choice(app.requests)
            trace = f"{rng.getrandbits(128):032x}" if spec.traces != "none" else None
            ctx: dict[str, Any] = {}
            status, done = self.call(tree, t, trace, ctx)
            entry = app.services[tree.svc]
            code = 200 if status in ("ok", "wrong") else 503 if status == "down" else 500
            self.log(
                done,
                entry,
                self.pick(entry, done),
                "INFO" if code == 200 else "WARN",
                f'{method} {path} {code} {int((done - t) * 1000)}ms "Mozilla/5.0"',
                trace,
                "server",
            )
        self._background()
        return self.book.sorted()

    def _plan_crashes(self) -> None:
        if self.spec.kind != "crash":
            return
        svc, pod, t, backoff = self.culprit, self.bad_pod, self.onset, 10.0
        lang = "java" if svc.lang == "spring" else svc.lang
        while t < self.end:
            self.log(t, svc, pod, "FATAL" if lang != "java" else "ERROR", CRASH[lang])
            self.down.append((t, t + backoff))
            t += backoff
            for i, line in enumerate(banner(svc, "1.8.2", self.rng, self.variant == 0)):
                self.log(t + 0.4 * i, svc, pod, "INFO", line)
            t += self.rng.uniform(15, 40)
            backoff = min(backoff * 2, 160.0)

    def _plan_deploy(self) -> None:
        spec, rng = self.spec, self.rng
        if spec.kind == "deploy":
            self._roll(
                self.culprit, self.onset - rng.uniform(40, 150), "2.14.0", self.variant == 0, mark=True
            )
        if spec.side_change:
            other = rng.choice(
                [
                    s
                    for s in self.app.services.values()
                    if s is not self.culprit and s.name != self.app.requests[0][2].svc
                ]
            )
            when = (
                self.onset - rng.uniform(300, 700)
                if self.spec.calm > 700
                else max(self.onset - rng.uniform(60, 200), 1.0)
            )
            self.log(
                when,
                other,
                other.pods[0],
                "INFO",
                rng.choice(
                    [
                        "Reloading configuration from /etc/config/app.yaml (revision 31): log.level changed from DEBUG to INFO",
                        f"Feature flag 'new-{other.short}-layout' enabled for 10% of users",
                    ]
                ),
            )

    def _roll(self, svc: Svc, start: float, version: str, say_version: bool, mark: bool) -> None:
        rng = self.rng
        rs = "".join(rng.choice(HASH) for _ in range(10))
        old = list(svc.pods)
        for i, gone in enumerate(old):
            at = start + 20 * i
            pod = f"{svc.name}-{rs}-{''.join(rng.choice(HASH) for _ in range(5))}"
            self._add_pod(svc, pod, at + 5, self.end + 1)
            if mark:
                self.new_pods.append(pod)
            for j, line in enumerate(banner(svc, version, rng, say_version)):
                self.log(at + 0.5 * j, svc, pod, "INFO", line)
            self.alive[gone] = (self.alive[gone][0], at + 8)
            self.log(
                at + 7.5,
                svc,
                gone,
                "INFO",
                rng.choice(
                    [
                        "Received SIGTERM, shutting down gracefully",
                        "Commencing graceful shutdown. Waiting for active requests to complete",
                    ]
                ),
            )

    def _background(self) -> None:
        """Health checks, the metrics sink that has refused connections all along, a flaky call."""
        rng, app = self.rng, self.app
        for svc in app.services.values():
            for pod in svc.pods:
                start, stop = self.alive[pod]
                t = max(start, 0.0) + rng.uniform(0, 10)
                while t < min(stop, self.end):
                    if not self.is_down(pod, t) and rng.random() < 0.5:
                        self.log(
                            t, svc, pod, "DEBUG" if svc.lang == "java" else "INFO", "GET /healthz 200 1ms"
                        )
                    t += 10
        sink = rng.choice([s for s in app.services.values() if s is not self.culprit])
        t = rng.uniform(0, 30)
        while t < self.end:
            self.log(
                t,
                sink,
                rng.choice(sink.pods),
                "ERROR",
                rng.choice(
                    [
                        "failed to flush 120 metrics to statsd-exporter:9125: connection refused",
                        "Error sending spans to jaeger-agent:6831: dial udp: lookup jaeger-agent: no such host",
                    ]
                ),
            )
            t += rng.uniform(20, 45)
        caller, callee = (app.services[n] for n in app.flaky)
        if callee is not self.culprit:
            t = rng.uniform(0, 60)
            while t < self.end:
                self.log(
                    t,
                    caller,
                    rng.choice(caller.pods),
                    "WARN",
                    call_failure(
                        app, caller, callee, "timeout", "optional call", self.ip[callee.pods[0]], rng
                    ),
                )
                t += rng.uniform(25, 70)


# ------------------------------------------------------------------------------------ the formats


def iso(start: datetime, t: float) -> str:
    when = start + timedelta(seconds=t)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def text_line(event: Event, lang: str, when: datetime, with_trace: bool) -> str:
    """An application's own text line, as its logging library lays it out."""
    clock = when.strftime("%H:%M:%S.") + f"{when.microsecond // 1000:03d}"
    date = when.strftime("%Y-%m-%d")
    trace = f"TraceID: {event.trace} " if with_trace and event.trace else ""
    if lang == "java":
        return f"{clock} {event.level} {event.logger}#{len(event.logger) * 3} {trace}{event.message}"
    if lang == "spring":
        span = f"[{event.svc},{event.trace[:16]},{event.trace[16:]}] " if event.trace else ""
        return f"{date} {clock} {event.level:>5} 1 --- [nio-8080-exec-{len(event.message) % 10 + 1}] {span}{event.logger:<40} : {trace}{event.message}"
    if lang == "go":
        extra = f"\ttrace_id={event.trace}" if with_trace and event.trace else ""
        return f"{date}T{clock}Z\t{event.level.lower()}\t{event.logger}\t{event.message}{extra}"
    return f"{date} {clock.replace('.', ',')} {event.level} [{event.logger}] {trace}{event.message}"


def records(cluster: Cluster, events: list[Event], start: datetime) -> list[dict[str, Any]]:
    spec, app = cluster.spec, cluster.app
    out: list[dict[str, Any]] = []
    for e in events:
        svc = app.services[e.svc]
        stamp = iso(start, e.t)
        when = start + timedelta(seconds=e.t)
        trace_field = e.trace if spec.traces == "field" else None
        trace_text = spec.traces == "text"
        if spec.fmt == "flat":
            rec: dict[str, Any] = {
                "timestamp": stamp,
                "level": e.level,
                "service": e.svc,
                "host": e.pod,
                "message": e.message + (f" TraceID: {e.trace}" if trace_text and e.trace else ""),
            }
            if trace_field:
                rec["trace_id"] = trace_field
            rec["logger"] = e.logger
            out.append(rec)
        elif spec.fmt == "pod":
            rec = {
                "ts": stamp,
                "severity": e.level.lower(),
                "pod": e.pod,
                "msg": e.message,
                "caller": e.logger,
            }
            if trace_field:
                rec["traceId"] = trace_field
            elif trace_text and e.trace:
                rec["msg"] = f"traceId={e.trace} {e.message}"
            out.append(rec)
        else:
            k8s = {
                "pod_name": e.pod,
                "namespace_name": app.namespace,
                "host": cluster.node[e.pod],
                "container_image": f"registry.local/{app.name}/{e.svc}:1.8.2",
            }
            stream = "stderr" if e.level in ("ERROR", "FATAL") else "stdout"
            if spec.fmt == "wrapped-json" and svc.lang in ("go", "node", "python"):
                inner: dict[str, Any] = {
                    "level": e.level.lower(),
                    "ts": when.timestamp(),
                    "logger": e.logger,
                    "msg": e.message,
                }
                if e.trace and spec.traces != "none":
                    inner["trace_id"] = e.trace
                out.append(
                    {"log": json.dumps(inner) + "\n", "stream": stream, "time": stamp, "kubernetes": k8s}
                )
                continue
            line = text_line(e, svc.lang, when, spec.traces != "none")
            for part in line.split("\n"):  # the shipper sees one record per printed line
                out.append({"log": part + "\n", "stream": stream, "time": stamp, "kubernetes": k8s})
    return out


# ------------------------------------------------------------------------------------ the incidents

SPECS = [
    Spec("shop-payment-exception", "shop", "paymentservice", "exception", 101, "flat", 600, 480, "field"),
    Spec(
        "travel-order-exception",
        "travel",
        "ts-order-service",
        "exception",
        102,
        "wrapped",
        0,
        600,
        "text",
        one_pod=True,
    ),
    Spec(
        "bank-fraud-exception",
        "bank",
        "fraud-check",
        "exception",
        103,
        "pod",
        420,
        420,
        "none",
        side_change=True,
    ),
    Spec("shop-currency-wrong", "shop", "currencyservice", "wrong", 201, "wrapped-json", 540, 540, "field"),
    Spec("travel-price-wrong", "travel", "ts-price-service", "wrong", 202, "flat", 600, 600, "field"),
    Spec("bank-fx-wrong", "bank", "fx-rates", "wrong", 203, "pod", 0, 600, "none"),
    Spec(
        "shop-catalog-latency",
        "shop",
        "productcatalogservice",
        "latency",
        301,
        "wrapped",
        600,
        480,
        "text",
        one_pod=True,
    ),
    Spec("travel-station-latency", "travel", "ts-station-service", "latency", 302, "pod", 0, 540, "field"),
    Spec(
        "media-entitlements-latency",
        "media",
        "entitlements",
        "latency",
        303,
        "flat",
        480,
        480,
        "none",
        side_change=True,
    ),
    Spec("bank-ledger-pool-exhausted", "bank", "ledger", "resource", 401, "wrapped-json", 600, 600, "field"),
    Spec("media-catalog-out-of-memory", "media", "catalog-api", "resource", 402, "wrapped", 0, 540, "text"),
    Spec("shop-cart-crash-loop", "shop", "cartservice", "crash", 501, "wrapped-json", 600, 600, "none"),
    Spec("travel-seat-crash-loop", "travel", "ts-seat-service", "crash", 502, "flat", 480, 600, "text"),
    Spec("media-playback-bad-deploy", "media", "playback", "deploy", 601, "pod", 600, 480, "field"),
    Spec(
        "travel-basic-bad-deploy",
        "travel",
        "ts-basic-service",
        "deploy",
        602,
        "wrapped",
        540,
        480,
        "text",
        side_change=True,
    ),
    Spec("bank-accounts-bad-deploy", "bank", "accounts", "deploy", 603, "flat", 20, 540, "none"),
]

QUESTIONS = [
    "which service is causing the errors?",
    "why are requests failing? what's wrong?",
]


def relevant(events: list[Event], cluster: Cluster) -> list[int]:
    """Line numbers (1-based, in `events` order before formatting) of the culprit's own bad lines
    after the onset, or, when it logs none, of its callers' lines naming it: 10 messages at most."""
    culprit = cluster.culprit
    names = (culprit.name, culprit.short)
    picked, seen = [], set()
    for rule in (
        lambda e: e.svc == culprit.name and e.level in ("WARN", "ERROR", "FATAL"),
        lambda e: e.level in ("WARN", "ERROR") and any(n in e.message for n in names),
    ):
        for i, e in enumerate(events, 1):
            if e.t >= cluster.onset - 200 and rule(e) and (e.message in seen or len(seen) < 10):
                seen.add(e.message)
                picked.append(i)
        if picked:
            break
    return picked


def build(spec: Spec) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    cluster = Cluster(spec)
    events = cluster.run()
    day = datetime(2025, 1 + spec.seed % 12, 1 + spec.seed % 27, 9 + spec.seed % 8, 0, tzinfo=UTC)
    start = day
    rows = records(cluster, events, start)
    # relevant lines by record number: one event may be several records (a wrapped stack trace)
    event_lines = relevant(events, cluster)
    first_record: dict[int, int] = {}
    n = 0
    for i, e in enumerate(events, 1):
        first_record[i] = n + 1
        n += 1 + (
            e.message.count("\n")
            if spec.fmt == "wrapped"
            or (spec.fmt == "wrapped-json" and cluster.app.services[e.svc].lang in ("java", "spring"))
            else 0
        )
    lines = sorted(first_record[i] for i in event_lines)
    culprit = cluster.culprit
    incident = {
        "id": spec.id,
        "title": f"{spec.app}: {spec.kind.replace('-', ' ')} in {culprit.name}"
        + (" (one pod)" if cluster.bad_pod else ""),
        "environment": "prod",
        "window": {"start": iso(start, 0)[:-5] + "Z", "end": iso(start, cluster.end + 1)[:-5] + "Z"},
        "cause": {
            "service": culprit.name,
            "pod": cluster.bad_pod,
            "kind": spec.kind,
            "onset": iso(start, cluster.onset),
        },
        "turns": [
            {"ask": q, "expect": {"relevant_lines": lines if i == 0 else [], "mentions": [culprit.name]}}
            for i, q in enumerate(QUESTIONS)
        ],
    }
    return incident, rows


def write(out: Path, incident: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    folder = out / incident["id"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "incident.json").write_text(json.dumps(incident, indent=2) + "\n", encoding="utf-8")
    with (folder / "logs.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"folder for the incident folders (default {DEFAULT_OUT})",
    )
    ap.add_argument(
        "--seed", type=int, default=0, help="added to every incident's seed: other incidents alike"
    )
    ap.add_argument(
        "--anonymous", action="store_true", help="callers never name what they called (status words only)"
    )
    args = ap.parse_args(argv)
    for spec in SPECS:
        incident, rows = build(
            dataclasses.replace(spec, seed=spec.seed + args.seed, anonymous=args.anonymous)
        )
        write(args.out, incident, rows)
        print(f"{spec.id}: {len(rows)} lines, cause {incident['cause']['service']} ({spec.kind})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

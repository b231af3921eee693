#!/usr/bin/env python3
"""Build the "incidents-r" evaluation set: three synthetic incidents, each a six-turn on-call thread.

Usage: python3 make_incidents_r.py [--out DIR] [--show]

  --out   where to write; default: the folder of this script.
  --show  print every turn's relevant lines and each system's template counts; write nothing.

Writes <out>/r-<system>/logs.jsonl and incident.json for three systems, and <out>/questions.json
(the style of every turn, for shared/spec/score_replay.py --questions), then prints the sha256 of
every file written. Standard library only. All randomness comes from random.Random with fixed
seeds and nothing iterates over a set or depends on hash order, so a second run writes identical
bytes under any PYTHONHASHSEED.

The logs are synthetic. Each system is simulated from a story (a fault with a cause and its
consequences, a change shortly before it, a fix, a second unrelated problem, routine lines and
noise) and written in the wording of the real software as closely as the author could remember
it. Every record carries the two fields the replay format requires, `timestamp` (ISO 8601 with Z,
milliseconds) and `message`; all other fields keep the names (and the nesting) the source or its
shipper writes, so none of the three has `level`, `service`, `host`, `method`, `request_id` or
`user_id` as top-level fields:

  r-keycloak  Keycloak 24 (Quarkus) in Docker on two VMs, `--log-console-output=json`. Docker's
              fluentd log driver sends `container_id`, `container_name`, `source`, `log`; a Fluentd
              parser filter (reserve_data, remove_key_name_field, hash_value_field "kc") nests the
              parsed Quarkus JSON under `kc` {timestamp, sequence, loggerClassName, loggerName,
              level, message, threadName, threadId, mdc, ndc, hostName, processName, processId,
              exception {refId, exceptionType, message, frames[], causedBy {exception}}}; a
              record_transformer adds `docker_host`, `fluentd_tag`, `timestamp` and `message` (a copy
              of kc.message).
  r-dns       BIND 9.18 (named, `print-time iso8601-utc; print-category yes; print-severity yes;`)
              and ISC Kea 2.4 (kea-dhcp4 in an HA hot-standby pair, kea-dhcp-ddns) plain-text log
              files, tailed by Grafana Alloy into Loki and exported with `logcli query -o jsonl`;
              the export keeps Loki's stream `labels` {env, filename, host, job, service_name} and
              renames logcli's `line` to `message` and cuts its nanosecond `timestamp` to
              milliseconds. Kea's kea-dhcp-ddns lines carry multi-line request dumps.
  r-prom      Prometheus 2.53 and Alertmanager 0.27 go-kit logfmt (`ts=... caller=... level=...
              msg="..." key=value ...`) written to files by systemd, read by Vector's file source
              (host_key = "hostname"); a remap merges `parse_logfmt(.message)` into the event
              (every value a string), renaming `level` to `log_level`; `message` stays the raw
              logfmt line. Keys sorted as Vector writes them.

Four styles: broad (a time window, "what went wrong"), lexical (an exact id, number, name or quoted
log fragment), paraphrase (plain words about lines whose wording the ask does not share) and
follow-up (the ask only makes sense after the earlier turns: "it", "that", "after that").
Relevant lines are never listed by hand: a rule selects them. A rule is a dict, or a list of dicts
whose selections are united; every condition of a dict must hold:

  msg      regex searched in `message`
  not_msg  regex that must NOT be found in `message`
  field    {name: regex}, fully matched against the field's text (JSON text for numbers, booleans,
           null and objects). A name is looked up as a key first and otherwise as a dotted path
           into nested objects ("kc.level", "labels.host").
  since    ISO 8601 with offset; the record's timestamp must be >= it
  until    ISO 8601 with offset; the record's timestamp must be < it

Checks before anything is written: 1,500-2,500 records per system, timestamps never go backwards
and carry Z with milliseconds, span 20-48 h, at least 25 templates, no forbidden top-level field;
every turn selects 1-40 lines holding at most 10 distinct messages (so a perfect top 10 of distinct
messages can find all of them); both mentions occur (case-insensitively) in some field of a
relevant line; every style at least once per system, and exactly two paraphrase turns per system;
no ask repeats. Paraphrase asks are checked for any content word, or any pair of words with the
same first four letters, shared with the messages of their relevant lines; if one is found it is
printed and the script exits 1 without writing.
"""

import argparse
import hashlib
import json
import random
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
UTC = timezone.utc
STYLES = ("broad", "lexical", "paraphrase", "follow-up")
MIN_LINES, MAX_LINES, MAX_MSGS = 1, 40, 10
MIN_RECORDS, MAX_RECORDS = 1500, 2500
MIN_TEMPLATES = 25
MIN_SPAN_H, MAX_SPAN_H = 20, 48
FORBIDDEN_TOP = ("level", "service", "host", "method", "request_id", "user_id")
PARAPHRASES_PER_SYSTEM = 2


# ---------------------------------------------------------------------------------------------
# Small helpers


class Log:
    """Collects (time, template, record) and returns the records sorted by time (stable)."""

    def __init__(self):
        self.ev = []

    def add(self, dt, tpl, rec):
        assert "timestamp" in rec and "message" in rec, tpl
        self.ev.append((dt, len(self.ev), tpl, rec))

    def build(self):
        recs, tpls = [], []
        for dt, _, tpl, rec in sorted(self.ev, key=lambda e: (e[0], e[1])):
            recs.append(rec)
            tpls.append(tpl)
        return recs, tpls


def poisson(rng, start, end, per_hour, shape=None):
    """Arrival times of a Poisson process; shape(t) in [0, 1] thins it (time-of-day profile)."""
    out, t, rate = [], start, per_hour / 3600.0
    while True:
        t = t + timedelta(seconds=rng.expovariate(rate))
        if t >= end:
            return out
        if shape is None or rng.random() < shape(t):
            out.append(t)


def sec(x):
    return timedelta(seconds=x)


def hexs(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def alnum(rng, n):
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def uuid4(rng):
    h = hexs(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def inside(t, windows):
    return any(a <= t < b for a, b in windows)


def iso_ms(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def plus(ts, seconds):
    return iso_ms(parse_ts(ts) + sec(seconds))


def parse_ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def day_shape(t):
    return 1.0 if 7 <= t.hour < 19 else 0.2


def at_day(y, mo):
    def at(d, hh, mm, ss=0.0):
        return datetime(y, mo, d, hh, mm, tzinfo=UTC) + sec(ss)
    return at


# =============================================================================================
# 1. keycloak: the company SSO, Keycloak 24 (Quarkus distribution) in Docker on two VMs, idp-1
#    (10.40.1.11) and idp-2 (10.40.1.12), behind a round-robin load balancer (no sticky
#    sessions: the nodes share their session caches through the embedded Infinispan cluster,
#    JGroups TCP on port 7800 with JDBC_PING discovery in the shared PostgreSQL). Realm `corp`
#    with clients grafana, gitlab, jira, hr-portal (confidential, their backends exchange codes
#    and refresh tokens) and vault-ui (public), a service account `ci-runner`, LDAP federation
#    `corp-ad`. Success events are logged at INFO (`--spi-events-listener-jboss-logging-
#    success-level=info`), errors at WARN. Both containers used `--network host`.
#    Change: at 13:44 the rollout of 24.0.5 starts with idp-2; the new container is started from
#    an updated compose file that (by mistake) dropped `network_mode: host`, so it runs on
#    Docker's bridge: its hostname becomes the container id, and JGroups advertises
#    172.17.0.2:7800, an address idp-1 cannot reach. Fault: idp-2's JOIN reaches idp-1 through
#    NAT, idp-1 installs a two-member view that never gets acknowledged (Infinispan times out
#    on the new member), idp-2 gives up joining and becomes a singleton, idp-1 drops it again:
#    two one-node clusters (split brain), MERGE3 keeps trying and cancelling. With the load
#    balancer spreading requests over both, a login started on one node and continued on the
#    other fails: `LOGIN_ERROR` `expired_code` (auth session not found), `CODE_TO_TOKEN_ERROR`
#    `invalid_code` when the app's backend exchanges the code at the other node, and
#    `REFRESH_TOKEN_ERROR` `Session not active`. Fix: at 14:51 idp-2 is recreated with host
#    networking; it joins (two-member view, rebalance), the failures stop; sessions created on
#    the bridged idp-2 are gone, so a few refreshes still fail afterwards.
#    Unrelated: from 00:37 on August 7 the SMTP relay rejects Keycloak's mail account (535 5.7.8):
#    every password-reset mail fails (`KC-SERVICES0029: Failed to send email`, cause only in the
#    nested exception) and the event `SEND_RESET_PASSWORD_ERROR` `email_send_failed`.
#    Noise: logins, code exchanges, refreshes, logouts, the CI service account, invalid
#    passwords, unknown users, a brute-force lockout, expired refresh tokens, hourly LDAP sync,
#    Vert.x blocked-thread warnings, KC-SERVICES0091 for jira, two admin changes at 10:12.

K_REALM = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
K_APPS = [  # clientId, backend ip (None: public client, the browser exchanges the code), redirect uri, weight
    ("grafana", "10.40.2.31", "https://grafana.corp.example/login/generic_oauth", 5),
    ("gitlab", "10.40.2.32", "https://gitlab.corp.example/users/auth/openid_connect/callback", 4),
    ("jira", "10.40.2.33", "https://jira.corp.example/plugins/servlet/oauth/callback", 3),
    ("hr-portal", "10.40.2.35", "https://hr.corp.example/oidc/callback", 1),
    ("vault-ui", None, "https://vault.corp.example/ui/vault/auth/oidc/oidc/callback", 1),
]
K_CACHES = ["sessions", "authenticationSessions", "offlineSessions", "clientSessions", "offlineClientSessions", "loginFailures",
            "actionTokens", "work"]
K_BRIDGE = "7c1f9e2a4b3d"
K_N1, K_N2A, K_N2B, K_N2C = "idp-1-40213", "idp-2-31007", K_BRIDGE + "-18341", "idp-2-52877"
K_MERGE = f"{K_N1}: merge leader did not get data from all partition coordinators [{K_N1}, {K_N2B}], merge is cancelled"
K_SMTP = "KC-SERVICES0029: Failed to send email"
K_SMTP_CAUSE = "535 5.7.8 Authentication credentials invalid"
L_EVENTS = "org.keycloak.events"
LC_JBOSS = "org.jboss.logging.Logger"
LC_ISPN = "org.infinispan.util.logging.Log_$logger"
LC_JGRP = "org.jgroups.logging.JDKLogImpl"
LC_SVC = "org.keycloak.services.ServicesLogger_$logger"
K_FIRST = ["anna", "ben", "carla", "dmitri", "elif", "farid", "greta", "hugo", "ines", "jonas", "kasia", "liam", "maya", "nils",
           "olga", "pavel", "quinn", "rosa", "sven", "tariq", "uma", "viktor", "wen", "xavier", "yusuf", "zoe"]
K_LAST = ["kovacs", "nguyen", "schmidt", "oconnor", "petrov", "silva", "tanaka", "muller", "haddad", "jensen", "rossi", "novak",
          "garcia", "lindqvist", "okafor", "brandt"]


def jexc(ref, typ, msg, frames, caused=None):
    e = {"refId": ref, "exceptionType": typ, "message": msg,
         "frames": [{"class": c, "method": m, "line": n} for c, m, n in frames]}
    if caused:
        e["causedBy"] = {"exception": caused}
    return e


def evmsg(pairs):
    return ", ".join(f'{k}="{v}"' for k, v in pairs)


def gen_keycloak():
    rng = random.Random(20240806)
    L = Log()
    at = at_day(2024, 8)

    T0, T1 = at(6, 6, 12, 7.4), at(7, 8, 5)
    ADMIN_CHG = at(6, 10, 12, 33.4)
    LOCKOUT = at(6, 11, 2, 4.0)
    CHG_STOP = at(6, 13, 44, 51.62)
    CHG_START = at(6, 13, 45, 6.93)
    FIX_STOP = at(6, 14, 51, 38.21)
    FIX_START = at(6, 14, 51, 56.40)
    SMTP_BAD = at(7, 0, 37, 12.0)

    cont = {
        "c1": {"node": "idp-1", "id": hexs(rng, 64), "hostName": "idp-1", "seq": 48211},
        "c2a": {"node": "idp-2", "id": hexs(rng, 64), "hostName": "idp-2", "seq": 30877},
        "c2b": {"node": "idp-2", "id": K_BRIDGE + hexs(rng, 52), "hostName": K_BRIDGE, "seq": 0},
        "c2c": {"node": "idp-2", "id": hexs(rng, 64), "hostName": "idp-2", "seq": 0},
    }

    def tid(thread):
        m = re.match(r"executor-thread-(\d+)$", thread)
        if m:
            return 57 + int(m.group(1))
        m = re.match(r"jgroups-(\d+),", thread)
        if m:
            return 140 + int(m.group(1))
        return {"main": 1, "Shutdown thread": 44, "vertx-blocked-thread-checker": 27, "timeout-thread--p4-t1": 39,
                "non-blocking-thread--p2-t1": 36, "blocking-thread--p3-t2": 41, "Timer-0": 52}.get(thread, 60)

    def kc(dt, c, level, logger, thread, msg, tpl, lcn=LC_JBOSS, exc=None):
        inner = {"timestamp": iso_ms(dt), "sequence": 0, "loggerClassName": lcn, "loggerName": logger, "level": level, "message": msg,
                 "threadName": thread, "threadId": tid(thread), "mdc": {}, "ndc": "", "hostName": cont[c]["hostName"],
                 "processName": "QuarkusEntryPoint", "processId": 1}
        if exc:
            inner["exception"] = exc
        rec = {"container_id": cont[c]["id"], "container_name": "/keycloak", "source": "stdout", "kc": inner,
               "docker_host": cont[c]["node"], "fluentd_tag": "docker.keycloak", "timestamp": iso_ms(dt), "message": msg}
        L.add(dt, tpl, rec)

    def ex_thread():
        return f"executor-thread-{rng.randint(1, 64)}"

    def event(dt, c, pairs, tpl, level="INFO", thread=None):
        kc(dt, c, level, L_EVENTS, thread or ex_thread(), evmsg(pairs), tpl)

    # ---------------------------------------------------------------- cluster membership
    view = {"id": 5}
    topo = {name: 38 + 7 * k for k, name in enumerate(K_CACHES)}

    def ispn(dt, c, level, msg, tpl, logger="org.infinispan.CLUSTER", thread=None):
        node = {"c1": K_N1, "c2a": K_N2A, "c2b": K_N2B, "c2c": K_N2C}[c]
        kc(dt, c, level, logger, thread or f"jgroups-{rng.randint(3, 19)},{node}", msg, tpl, lcn=LC_ISPN)

    def new_view(dt, members, cs):
        view["id"] += 1
        text = f"ISPN000094: Received new cluster view for channel ISPN: [{K_N1}|{view['id']}] ({len(members)}) [{', '.join(members)}]"
        for k, c in enumerate(cs):
            ispn(dt + sec(0.003 * k), c, "INFO", text, "k_view")

    def rebalance(dt, members, finish=True):
        t = dt
        for name in K_CACHES:
            t += sec(rng.uniform(0.004, 0.03))
            topo[name] += 1
            ispn(t, "c1", "INFO", f"[Context={name}] ISPN100002: Starting rebalance with members [{', '.join(members)}], phase "
                                  f"READ_OLD_WRITE_ALL, topology id {topo[name]}", "k_rebalance_start", logger="org.infinispan.CLUSTER")
        if not finish:
            return t
        for name in K_CACHES:
            t += sec(rng.uniform(0.05, 0.6))
            topo[name] += 3
            ispn(t, "c1", "INFO", f"[Context={name}] ISPN100010: Finished rebalance with members [{', '.join(members)}], topology id "
                                  f"{topo[name]}", "k_rebalance_done")
        return t

    def members_list(dt, members):
        t = dt
        for name in K_CACHES:
            t += sec(rng.uniform(0.002, 0.02))
            topo[name] += 1
            ispn(t, "c1", "INFO", f"[Context={name}] ISPN100008: Updating cache members list [{', '.join(members)}], topology id "
                                  f"{topo[name]}", "k_members_list")

    def shutdown(dt, c):
        kc(dt, c, "INFO", "org.infinispan.CLUSTER", "Shutdown thread", "ISPN000080: Disconnecting JGroups channel `ISPN`", "k_disconnect",
           lcn=LC_ISPN)
        kc(dt + sec(rng.uniform(0.15, 0.3)), c, "INFO", "io.quarkus", "Shutdown thread", f"Keycloak stopped in {rng.uniform(0.12, 0.3):.3f}s",
           "k_stopped")

    def boot_head(dt, c):
        t = dt
        for logger, level, msg, tpl in [
            ("org.keycloak.quarkus.runtime.hostname.DefaultHostnameProvider", "INFO",
             "Hostname settings: Base URL: <unset>, Hostname: sso.corp.example, Strict HTTPS: true, Path: <request>, Strict BackChannel: "
             "false, Admin URL: <unset>, Admin: <request>, Port: -1, Proxied: true", "k_hostname"),
            ("org.keycloak.common.crypto.CryptoIntegration", "INFO", "Detected crypto provider: org.keycloak.crypto.def.DefaultCryptoProvider",
             "k_crypto"),
            ("org.keycloak.quarkus.runtime.storage.infinispan.CacheManagerFactory", "INFO", "Starting Infinispan embedded cache manager",
             "k_cache_mgr"),
            ("org.infinispan.CONTAINER", "INFO", "ISPN000556: Starting user marshaller "
             "'org.infinispan.commons.marshall.ImmutableProtoStreamMarshaller'", "k_marshaller"),
            ("org.infinispan.CLUSTER", "INFO", "ISPN000078: Starting JGroups channel `ISPN` with stack `jdbc-ping-tcp`", "k_jgroups_start"),
        ]:
            t += sec(rng.uniform(0.3, 1.6)) if tpl != "k_hostname" else sec(0)
            kc(t, c, level, logger, "main", msg, tpl, lcn=LC_ISPN if logger.startswith("org.infinispan") else LC_JBOSS)
        return t

    def boot_tail(dt, c, node, phys, took):
        t = dt
        kc(t, c, "INFO", "org.infinispan.CLUSTER", "main", f"ISPN000079: Channel `ISPN` local address is `{node}`, physical addresses are "
                                                          f"`[{phys}:7800]`", "k_phys", lcn=LC_ISPN)
        t += sec(rng.uniform(0.2, 0.6))
        t += sec(rng.uniform(0.5, 1.5))
        kc(t, c, "INFO", "org.keycloak.connections.infinispan.DefaultInfinispanConnectionProviderFactory", "main",
           f"Node name: {node}, Site name: null", "k_node_name")
        t += sec(rng.uniform(2.0, 4.0))
        kc(t, c, "INFO", "io.quarkus", "main", f"Keycloak 24.0.5 on JVM (powered by Quarkus 3.8.4) started in {took:.3f}s. Listening on: "
                                               "http://0.0.0.0:8080", "k_started")
        kc(t + sec(0.001), c, "INFO", "io.quarkus", "main", "Profile prod activated. ", "k_profile")
        kc(t + sec(0.002), c, "INFO", "io.quarkus", "main", "Installed features: [agroal, cdi, hibernate-orm, jdbc-postgresql, keycloak, "
                                                         "logging-gelf, micrometer, narayana-jta, reactive-routes, resteasy-reactive, "
                                                         "resteasy-reactive-jackson, smallrye-context-propagation, smallrye-health, vertx]",
           "k_features")
        return t + sec(rng.uniform(0.6, 1.2))     # the load balancer's health check passes

    # the change: idp-2 stops (24.0.4, host network) and comes back on the bridge (24.0.5)
    shutdown(CHG_STOP, "c2a")
    t = CHG_STOP + sec(0.41)
    new_view(t, [K_N1], ["c1"])
    ispn(t + sec(0.002), "c1", "INFO", f"ISPN100001: Node {K_N2A} left the cluster", "k_left")
    members_list(t + sec(0.01), [K_N1])
    t = boot_head(CHG_START, "c2b")
    tj = t + sec(0.92)
    new_view(tj, [K_N1, K_N2B], ["c1"])
    ispn(tj + sec(0.002), "c1", "INFO", f"ISPN100000: Node {K_N2B} joined the cluster", "k_joined")
    rebalance(tj + sec(0.01), [K_N1, K_N2B], finish=False)
    kc(tj + sec(2.004), "c1", "WARN", "org.jgroups.protocols.pbcast.GMS", f"jgroups-7,{K_N1}",
       f"{K_N1}: failed to collect all ACKs (expected=1) for view [{K_N1}|{view['id']}] after 2000ms, missing 1 ACKs from (1) {K_N2B}",
       "k_gms_acks", lcn=LC_JGRP)
    tt = t
    for k in range(1, 3):
        tt += sec(2.0 + rng.uniform(0.001, 0.02))
        kc(tt, "c2b", "WARN", "org.jgroups.protocols.pbcast.GMS", "main", f"{K_N2B}: JOIN({K_N2B}) sent to {K_N1} timed out (after 2000 ms), "
                                                                       f"on try {k}", "k_join_timeout", lcn=LC_JGRP)
    kc(tt + sec(0.003), "c2b", "WARN", "org.jgroups.protocols.pbcast.GMS", "main", f"{K_N2B}: too many JOIN attempts (2): becoming "
                                                                                  "singleton", "k_join_singleton", lcn=LC_JGRP)
    kc(tt + sec(0.05), "c2b", "INFO", "org.infinispan.CLUSTER", "main", f"ISPN000094: Received new cluster view for channel ISPN: "
                                                                      f"[{K_N2B}|0] (1) [{K_N2B}]", "k_view", lcn=LC_ISPN)
    CHG_READY = boot_tail(tt + sec(0.3), "c2b", K_N2B, "172.17.0.2", (tt - CHG_START).total_seconds() + rng.uniform(6, 8))
    # idp-1 blocks on the silent member: one request times out in Infinispan
    te = tj + sec(15.0 + rng.uniform(1, 3))
    key = uuid4(rng)
    tex = jexc(1, "org.infinispan.util.concurrent.TimeoutException",
               f"ISPN000476: Timed out waiting for responses for request {rng.randint(4000, 6000)} from {K_N2B} after 15 seconds",
               [("org.infinispan.remoting.transport.impl.MultiTargetRequest", "onTimeout", 163),
                ("org.infinispan.remoting.transport.AbstractRequest", "call", 88),
                ("org.infinispan.remoting.transport.AbstractRequest", "call", 33),
                ("java.util.concurrent.FutureTask", "run", 317),
                ("java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask", "run", 304),
                ("java.util.concurrent.ThreadPoolExecutor", "runWorker", 1144),
                ("java.lang.Thread", "run", 840)])
    th = ex_thread()
    kc(te, "c1", "ERROR", "org.infinispan.interceptors.impl.InvocationContextInterceptor", th,
       f"ISPN000136: Error executing command PutKeyValueCommand on Cache 'authenticationSessions', writing keys [{key}]", "k_ispn_cmd",
       lcn=LC_ISPN, exc=tex)
    kc(te + sec(0.004), "c1", "ERROR", "org.keycloak.services.error.KeycloakErrorHandler", th, "Uncaught server error", "k_uncaught",
       exc=tex)
    # failure detection drops the member again on idp-1
    ts = tj + sec(rng.uniform(38, 44))
    kc(ts - sec(0.5), "c1", "INFO", "org.jgroups.protocols.FD_ALL3", f"jgroups-4,{K_N1}", f"{K_N1}: suspecting [{K_N2B}]", "k_suspect",
       lcn=LC_JGRP)
    new_view(ts, [K_N1], ["c1"])
    ispn(ts + sec(0.002), "c1", "INFO", f"ISPN100001: Node {K_N2B} left the cluster", "k_left")
    members_list(ts + sec(0.01), [K_N1])
    # MERGE3 keeps discovering the other partition and cancelling the merge
    t = ts + sec(rng.uniform(100, 140))
    while t < FIX_STOP:
        kc(t, "c1", "WARN", "org.jgroups.protocols.pbcast.GMS", f"MergeTask,ISPN,{K_N1}", K_MERGE, "k_merge_cancelled", lcn=LC_JGRP)
        t += sec(rng.uniform(110, 190))
    # the fix: idp-2 recreated with host networking
    shutdown(FIX_STOP, "c2b")
    t = boot_head(FIX_START, "c2c")
    tj = t + sec(0.88)
    new_view(tj, [K_N1, K_N2C], ["c1", "c2c"])
    ispn(tj + sec(0.004), "c1", "INFO", f"ISPN100000: Node {K_N2C} joined the cluster", "k_joined")
    tr = rebalance(tj + sec(0.01), [K_N1, K_N2C])
    FIX_READY = boot_tail(tr + sec(0.4), "c2c", K_N2C, "10.40.1.12", (tr - FIX_START).total_seconds() + rng.uniform(4, 5))

    # ---------------------------------------------------------------- who serves, who sees what
    def serving(t):
        out = ["c1"]
        if t < CHG_STOP:
            out.append("c2a")
        elif CHG_READY <= t < FIX_STOP:
            out.append("c2b")
        elif t >= FIX_READY:
            out.append("c2c")
        return out

    def pick(t):
        s = serving(t)
        return s[rng.randrange(len(s))]

    def sees(c, made_on):
        if c == "c2b" or made_on == "c2b":
            return c == made_on
        return True

    # ---------------------------------------------------------------- users and flows
    users = []
    for k in range(90):
        f, l = K_FIRST[k % len(K_FIRST)], K_LAST[(k * 7 + k // len(K_FIRST)) % len(K_LAST)]
        users.append({"name": f"{f[0]}{l}" if k % 3 else f"{f}.{l}", "id": uuid4(rng),
                      "ip": f"10.50.{rng.randint(1, 9)}.{rng.randint(10, 250)}"})
    weights = [a[3] for a in K_APPS]

    def app_pick():
        return rng.choices(K_APPS, weights=weights)[0]

    def login_fail(t, c, app, user, error, extra=(), user_known=True, name=None):
        pairs = [("type", "LOGIN_ERROR"), ("realmId", K_REALM), ("clientId", app[0]), ("userId", user["id"] if user_known else "null"),
                 ("ipAddress", user["ip"]), ("error", error)]
        if error in ("invalid_user_credentials", "user_not_found", "user_temporarily_disabled"):
            pairs += [("auth_method", "openid-connect"), ("auth_type", "code"), ("redirect_uri", app[2]), ("code_id", uuid4(rng)),
                      ("username", name or user["name"])]
        pairs += list(extra)
        event(t, c, pairs, f"k_ev_login_error_{error}", level="WARN")

    def refreshes(t2, made_on, app, user, sess):
        if app[1] is None:
            return
        tr = t2
        for _ in range(rng.choice([0, 0, 1, 1, 1, 2, 3])):
            tr = tr + sec(rng.uniform(1200, 3300))
            if tr >= T1:
                return
            d = pick(tr)
            if sees(d, made_on):
                event(tr, d, [("type", "REFRESH_TOKEN"), ("realmId", K_REALM), ("clientId", app[0]), ("userId", user["id"]),
                              ("sessionId", sess), ("ipAddress", app[1]), ("token_id", uuid4(rng)), ("grant_type", "refresh_token"),
                              ("refresh_token_type", "Refresh"), ("scope", "openid profile email"), ("refresh_token_id", uuid4(rng)),
                              ("updated_refresh_token_id", uuid4(rng)), ("client_auth_method", "client-secret")], "k_ev_refresh")
            else:
                event(tr, d, [("type", "REFRESH_TOKEN_ERROR"), ("realmId", K_REALM), ("clientId", app[0]), ("userId", user["id"]),
                              ("ipAddress", app[1]), ("error", "invalid_token"), ("reason", "Session not active"),
                              ("grant_type", "refresh_token"), ("client_auth_method", "client-secret")], "k_ev_refresh_error",
                      level="WARN")
                return
        if rng.random() < 0.15:
            tl = tr + sec(rng.uniform(300, 5400))
            d = pick(tl) if tl < T1 else None
            if d and sees(d, made_on):
                event(tl, d, [("type", "LOGOUT"), ("realmId", K_REALM), ("clientId", app[0]), ("userId", user["id"]), ("sessionId", sess),
                              ("ipAddress", user["ip"]), ("redirect_uri", app[2].split("/", 3)[0] + "//" + app[2].split("/")[2] + "/")],
                      "k_ev_logout")

    def flow(t, user, app, attempt=0):
        if t >= T1:
            return
        a = pick(t)
        if app[0] == "jira" and rng.random() < 0.2:
            kc(t, a, "WARN", "org.keycloak.services", ex_thread(), "KC-SERVICES0091: Request is missing scope 'openid' so it's not treated "
                                                                  "as OIDC, but just pure OAuth2 request.", "k_scope_openid", lcn=LC_SVC)
        t1 = t + sec(rng.uniform(4, 20))
        b = pick(t1)
        if not sees(b, a):
            login_fail(t1, b, app, user, "expired_code", extra=[("restart_after_timeout", "true")], user_known=False)
            if attempt < 2:
                flow(t1 + sec(rng.uniform(2, 8)), user, app, attempt + 1)
            return
        if attempt == 0 and rng.random() < 0.035:
            login_fail(t1, b, app, user, "invalid_user_credentials")
            flow(t1 + sec(rng.uniform(5, 15)), user, app, attempt + 1)
            return
        sess = uuid4(rng)
        event(t1, b, [("type", "LOGIN"), ("realmId", K_REALM), ("clientId", app[0]), ("userId", user["id"]), ("sessionId", sess),
                      ("ipAddress", user["ip"]), ("auth_method", "openid-connect"), ("auth_type", "code"), ("response_type", "code"),
                      ("redirect_uri", app[2]), ("consent", "no_consent_required"), ("code_id", sess), ("response_mode", "query"),
                      ("username", user["name"])], "k_ev_login")
        t2 = t1 + sec(rng.uniform(0.15, 0.9))
        c = pick(t2)
        ip = app[1] or user["ip"]
        auth = [("client_auth_method", "client-secret")] if app[1] else []
        if not sees(c, b):
            event(t2, c, [("type", "CODE_TO_TOKEN_ERROR"), ("realmId", K_REALM), ("clientId", app[0]), ("userId", "null"),
                          ("ipAddress", ip), ("error", "invalid_code"), ("grant_type", "authorization_code"), ("code_id", sess)] + auth,
                  "k_ev_code_error", level="WARN")
            if attempt < 2 and rng.random() < 0.75:
                flow(t2 + sec(rng.uniform(6, 40)), user, app, attempt + 1)
            return
        event(t2, c, [("type", "CODE_TO_TOKEN"), ("realmId", K_REALM), ("clientId", app[0]), ("userId", user["id"]), ("sessionId", sess),
                      ("ipAddress", ip), ("token_id", uuid4(rng)), ("grant_type", "authorization_code"), ("refresh_token_type", "Refresh"),
                      ("scope", "openid profile email"), ("refresh_token_id", uuid4(rng)), ("code_id", sess)] + auth, "k_ev_code")
        refreshes(t2, b, app, user, sess)

    for t in poisson(rng, T0, T1, 26.0, day_shape):
        flow(t, users[rng.randrange(len(users))], app_pick())

    # ---------------------------------------------------------------- noise
    for t in poisson(rng, T0, T1, 0.45):
        u = users[rng.randrange(len(users))]
        app = app_pick()
        login_fail(t, pick(t), app, u, "user_not_found", user_known=False, name=u["name"].replace(".", "").upper()[:1] + u["name"][1:] + "1")
    for t in poisson(rng, T0, T1, 0.9):
        app = rng.choice(K_APPS[:4])
        u = users[rng.randrange(len(users))]
        event(t, pick(t), [("type", "REFRESH_TOKEN_ERROR"), ("realmId", K_REALM), ("clientId", app[0]), ("userId", u["id"]),
                           ("ipAddress", app[1]), ("error", "invalid_token"), ("reason", "Token is not active"),
                           ("grant_type", "refresh_token"), ("client_auth_method", "client-secret")], "k_ev_refresh_error", level="WARN")
    # the CI service account every 15 minutes
    svc = uuid4(rng)
    t = T0 + sec(rng.uniform(0, 900))
    while t < T1:
        event(t, pick(t), [("type", "CLIENT_LOGIN"), ("realmId", K_REALM), ("clientId", "ci-runner"), ("userId", svc),
                           ("ipAddress", "10.40.3.15"), ("token_id", uuid4(rng)), ("grant_type", "client_credentials"),
                           ("scope", "profile email"), ("client_auth_method", "client-secret"), ("username", "service-account-ci-runner")],
              "k_ev_client_login")
        t += sec(900 + rng.uniform(-20, 20))
    # a brute-force lockout in the morning
    u = users[17]
    app = K_APPS[1]
    for k in range(5):
        tt = LOCKOUT + sec(k * rng.uniform(12, 20) + rng.uniform(0.001, 0.999))
        login_fail(tt, pick(tt), app, u, "invalid_user_credentials")
    for k in range(2):
        tt = LOCKOUT + sec(100 + k * rng.uniform(60, 140) + rng.uniform(0.001, 0.999))
        login_fail(tt, pick(tt), app, u, "user_temporarily_disabled")
    # hourly LDAP sync (the `work` cache makes one node run it; during the split each partition runs its own)
    last = at(6, 5, 12, 3.0)
    t = at(6, 6, 12, 3.0) + sec(rng.uniform(0, 2))
    while t < T1:
        runners = ["c2b", "c1"] if CHG_READY <= t < FIX_STOP else [rng.choice(serving(t))]
        for c in runners:
            tt = t + sec(rng.uniform(0, 0.4))
            kc(tt, c, "INFO", "org.keycloak.storage.ldap.LDAPStorageProviderFactory", "Timer-0",
               f"Sync changed users from LDAP to local store: realm: {K_REALM}, federation provider: corp-ad, last sync time: "
               f"{last.strftime('%a %b %d %H:%M:%S')} UTC {last.year}", "k_ldap_sync")
            kc(tt + sec(rng.uniform(0.3, 1.4)), c, "INFO", "org.keycloak.storage.ldap.LDAPStorageProviderFactory", "Timer-0",
               f"Sync changed users finished: 0 imported users, {rng.choice([0, 0, 1, 2, 3, 5])} updated users", "k_ldap_done")
        last = t
        t += sec(3600 + rng.uniform(-1, 1))
    # Vert.x event loop blocked now and then
    for t in [at(6, 8, 41, 12.2), at(6, 16, 3, 44.7), at(7, 3, 20, 5.1)]:
        c = rng.choice(serving(t))
        ms = rng.randint(2100, 3400)
        kc(t, c, "WARN", "io.vertx.core.impl.BlockedThreadChecker", "vertx-blocked-thread-checker",
           f"Thread Thread[vert.x-eventloop-thread-{rng.randint(0, 3)},5,main] has been blocked for {ms} ms, time limit is 2000 ms",
           "k_vertx_blocked", exc=jexc(1, "io.vertx.core.VertxException", "Thread blocked",
                                       [("java.base/java.net.InetAddress$PlatformNameService", "lookupAllHostAddr", -2),
                                        ("io.netty.util.internal.SocketUtils$8", "run", 148),
                                        ("io.vertx.core.net.impl.NetServerImpl", "listen", 235)]))
    # two admin changes in the morning (a client's redirect URIs, a role)
    admin = uuid4(rng)
    console = uuid4(rng)
    for k, (rtype, rpath) in enumerate([("CLIENT", f"clients/{uuid4(rng)}"), ("CLIENT_ROLE", f"clients/{uuid4(rng)}/roles/hr-viewer")]):
        tt = ADMIN_CHG + sec(k * 91.4)
        kc(tt, "c1", "INFO", L_EVENTS, ex_thread(), evmsg([("operationType", "UPDATE" if k == 0 else "CREATE"), ("realmId", K_REALM),
                                                          ("clientId", console), ("userId", admin), ("ipAddress", "10.50.1.44"),
                                                          ("resourceType", rtype), ("resourcePath", rpath)]), "k_ev_admin")

    # ---------------------------------------------------------------- password resets; the SMTP relay rejects us from 00:37
    def smtp_exc():
        return jexc(1, "org.keycloak.email.EmailException", "Error when attempting to send the email to the server. More information is "
                                                          "available in the server log.",
                    [("org.keycloak.email.DefaultEmailSenderProvider", "send", 191),
                     ("org.keycloak.email.freemarker.FreeMarkerEmailTemplateProvider", "send", 268),
                     ("org.keycloak.email.freemarker.FreeMarkerEmailTemplateProvider", "sendPasswordReset", 150),
                     ("org.keycloak.authentication.authenticators.resetcred.ResetCredentialEmail", "authenticate", 106),
                     ("org.keycloak.authentication.DefaultAuthenticationFlow", "processSingleFlowExecutionModel", 442),
                     ("java.lang.Thread", "run", 840)],
                    caused=jexc(2, "jakarta.mail.AuthenticationFailedException", K_SMTP_CAUSE + "\n",
                                [("org.eclipse.angus.mail.smtp.SMTPTransport$Authenticator", "authenticate", 954),
                                 ("org.eclipse.angus.mail.smtp.SMTPTransport", "authenticate", 1134),
                                 ("org.eclipse.angus.mail.smtp.SMTPTransport", "protocolConnect", 779),
                                 ("jakarta.mail.Service", "connect", 345),
                                 ("org.keycloak.email.DefaultEmailSenderProvider", "send", 164)]))

    def reset(t, u, retry=True):
        c = pick(t)
        th = ex_thread()
        base = [("realmId", K_REALM), ("clientId", "account-console"), ("userId", u["id"]), ("ipAddress", u["ip"])]
        tail = [("auth_method", "openid-connect"), ("auth_type", "code"), ("redirect_uri", "https://sso.corp.example/realms/corp/account/"),
                ("code_id", uuid4(rng)), ("email", u["name"].replace(".", "") + "@corp.example"), ("username", u["name"])]
        if t < SMTP_BAD:
            event(t, c, [("type", "SEND_RESET_PASSWORD")] + base + tail, "k_ev_reset", thread=th)
            if rng.random() < 0.75:
                t2 = t + sec(rng.uniform(120, 700))
                c2 = pick(t2)
                event(t2, c2, [("type", "UPDATE_PASSWORD")] + base + tail[:4] + tail[5:], "k_ev_update_password")
            return
        kc(t, c, "ERROR", "org.keycloak.services", th, K_SMTP, "k_smtp_failed", lcn=LC_SVC, exc=smtp_exc())
        event(t + sec(0.003), c, [("type", "SEND_RESET_PASSWORD_ERROR")] + base + [("error", "email_send_failed")] + tail,
              "k_ev_reset_error", level="WARN", thread=th)
        if retry and rng.random() < 0.3:
            reset(t + sec(rng.uniform(60, 200)), u, retry=False)

    for t in poisson(rng, T0, SMTP_BAD, 0.7):
        reset(t, users[rng.randrange(len(users))])
    reset(SMTP_BAD + sec(233.61), users[40], retry=False)
    for t in poisson(rng, SMTP_BAD, T1, 2.2, lambda x: 1.0 if x.hour >= 6 else 0.55):
        reset(t, users[rng.randrange(len(users))])

    records, tpls = L.build()
    for r in records:     # JBoss log sequence numbers grow per process; lines below INFO are not shipped, so there are gaps
        for c in cont.values():
            if c["id"] == r["container_id"]:
                c["seq"] += rng.randint(1, 4)
                r["kc"]["sequence"] = c["seq"]
    return records, tpls


# =============================================================================================
# 2. dns: the office network's DNS and DHCP. ns-1 (10.60.0.53, primary for corp.example and
#    60.10.in-addr.arpa, resolver) and ns-2 (10.60.0.54, secondary, resolver) run BIND 9.18 with
#    `forward only` to the company's egress resolvers 10.60.0.1/10.60.0.2 and query logging on;
#    dhcp-1 (10.60.0.21) and dhcp-2 (10.60.0.22) run Kea 2.4 kea-dhcp4 as an HA hot-standby pair
#    (server1 primary, server2 standby); kea-dhcp-ddns on dhcp-1 sends RFC 2136 updates for
#    company laptops to ns-1, signed with the TSIG key `kea-ddns`. Every log file is tailed by
#    Grafana Alloy into Loki; the set is a `logcli query -o jsonl` export of the window.
#    Change: at 13:46 an Ansible run replaces the forwarders with 198.51.100.53 (a new upstream
#    resolver that does not answer queries from the office's address) and runs `rndc reconfig`
#    on both servers (BIND logs the reconfig, not the forwarders). Fault: names that are not in
#    the cache can no longer be resolved: `timed out resolving '...': 198.51.100.53#53`
#    (lame-servers), clients get SERVFAIL (query-errors), waiting clients pile up until the
#    recursive-clients quota is hit (`recursive-clients soft limit exceeded (.../900/1000),
#    aborting oldest query`, later `no more recursive clients (.../900/1000): quota reached`).
#    Fix: at 14:39 the old forwarders are put back (`reconfig`) and the cache flushed (`flush`)
#    on both servers; the errors stop.
#    Unrelated: at 01:05 on August 14 a secret-rotation job writes a new `kea-ddns` key on ns-1
#    and reconfigures named, but Kea keeps the old secret: every DDNS update is answered with
#    BADSIG (`request has invalid signature: TSIG kea-ddns: tsig verify failure (BADSIG)`) and
#    kea-dhcp-ddns logs `DHCP_DDNS_FORWARD_ADD_REJECTED ... with an RCODE: 9` and
#    `DHCP_DDNS_ADD_FAILED`; laptops that get a new lease (laptop-4411 twice) keep their old names.
#    Noise: queries (internal and external names), leases (advertise/allocate, renewals,
#    releases, a decline), DDNS adds with the update and zone-transfer lines, hourly lease file
#    cleanup, a Kea 2.4.1 restart of dhcp-1 at 09:05 with the HA partner taking over and
#    handing back, `query (cache) ... denied` for a lab subnet, an hourly monitoring probe of
#    dnssec-failed.org (DNSSEC validation failure, SERVFAIL), the odd timeout for a flaky
#    tracker domain before the change.

D_NS = {"ns-1": "10.60.0.53", "ns-2": "10.60.0.54"}
D_DHCP = {"dhcp-1": "10.60.0.21", "dhcp-2": "10.60.0.22"}
D_BAD_FWD = "198.51.100.53"
D_INTERNAL = ["intranet", "gitlab", "wiki", "jira", "vpn", "mail", "sso", "files", "print-01", "grafana", "nexus", "ldap"]
D_EXTERNAL = ["github.com", "api.github.com", "teams.microsoft.com", "outlook.office365.com", "login.microsoftonline.com", "slack.com",
              "edgeapi.slack.com", "www.google.com", "fonts.gstatic.com", "api.zoom.us", "zoom.us", "s3.eu-central-1.amazonaws.com",
              "registry.npmjs.org", "pypi.org", "files.pythonhosted.org", "cdn.jsdelivr.net", "update.googleapis.com",
              "ocsp.digicert.com", "ctldl.windowsupdate.com", "www.atlassian.com", "stackoverflow.com", "docs.python.org",
              "www.bbc.co.uk", "graph.microsoft.com", "clients4.google.com", "www.linkedin.com", "hub.docker.com",
              "production.cloudflare.docker.com", "api.openai.com", "settings-win.data.microsoft.com"]
D_LAPTOP = "laptop-4411"


def gen_dns():
    rng = random.Random(20240813)
    L = Log()
    at = at_day(2024, 8)

    T0, T1 = at(13, 6, 3, 41.0), at(14, 8, 12)
    KEA_UPGRADE = at(13, 9, 5, 12.6)
    CHG = {"ns-1": at(13, 13, 46, 18.44), "ns-2": at(13, 13, 46, 43.91)}
    FIX = {"ns-1": at(13, 14, 39, 12.72), "ns-2": at(13, 14, 39, 48.15)}
    FLUSH = {"ns-1": at(13, 14, 39, 31.20), "ns-2": at(13, 14, 40, 5.53)}
    SOFT_FROM, HARD_FROM = at(13, 13, 55, 40.0), at(13, 14, 5, 10.0)
    TSIG_ROT = at(14, 1, 5, 2.31)

    kpid = {("dhcp-1", "kea-dhcp4"): [1042, 140244857321216], ("dhcp-2", "kea-dhcp4"): [1039, 139873310418752],
            ("dhcp-1", "kea-dhcp-ddns"): [1187, 139912345678912]}

    def named(dt, host, cat, sev, text, tpl):
        L.add(dt, tpl, {"labels": {"env": "prod", "filename": "/var/log/named/named.log", "host": host, "job": "bind9",
                                   "service_name": "bind9"},
                        "message": f"{iso_ms(dt)} {cat}: {sev}: {text}", "timestamp": iso_ms(dt)})

    def kea(dt, host, daemon, sub, level, code, text, tpl):
        pid, tid = kpid[(host, daemon)]
        if (host, daemon) == ("dhcp-1", "kea-dhcp4") and dt >= KEA_UPGRADE + sec(71.4):
            pid, tid = 28817, 140508622110016       # restarted as 2.4.1
        line = f"{dt.strftime('%Y-%m-%d %H:%M:%S')}.{dt.microsecond // 1000:03d} {level:<5s} [{daemon}.{sub}/{pid}.{tid}] {code} {text}"
        L.add(dt, tpl, {"labels": {"env": "prod", "filename": f"/var/log/kea/{daemon}.log", "host": host, "job": daemon,
                                   "service_name": daemon},
                        "message": line, "timestamp": iso_ms(dt)})

    def ptr():
        return "@0x7f" + hexs(rng, 10)

    def port():
        return rng.randint(1024, 65535)

    def client_ip():
        r = rng.random()
        if r < 0.45:
            return f"10.60.{rng.choice([10, 11])}.{rng.randint(10, 250)}"
        if r < 0.9:
            return f"10.60.{rng.randint(12, 15)}.{rng.randint(2, 254)}"
        return f"10.60.20.{rng.randint(10, 240)}"

    def fwd(host, t):
        return D_BAD_FWD if CHG[host] <= t < FIX[host] else rng.choice(["10.60.0.1", "10.60.0.2"])

    def query(t, host, ip, p, name, qtype):
        flags = rng.choice(["+", "+E(0)", "+E(0)K", "+E(0)K", "+E(0)DK"])
        named(t, host, "queries", "info", f"client {ptr()} {ip}#{p} ({name}): query: {name} IN {qtype} {flags} ({D_NS[host]})", "d_query")

    def servfail(t, host, ip, p, name, qtype):
        named(t, host, "query-errors", "info", f"client {ptr()} {ip}#{p} ({name}): query failed (SERVFAIL) for {name}/IN/{qtype} at "
                                               "query.c:7837", "d_servfail")

    # ---------------------------------------------------------------- routine queries
    for host in D_NS:
        for t in poisson(rng, T0, T1, 21.0, day_shape):
            ip, p = client_ip(), port()
            if rng.random() < 0.35:
                query(t, host, ip, p, f"{rng.choice(D_INTERNAL)}.corp.example", rng.choice(["A", "A", "AAAA"]))
            else:
                query(t, host, ip, p, rng.choice(D_EXTERNAL), rng.choice(["A", "A", "AAAA", "HTTPS"]))

    # ---------------------------------------------------------------- the fault: the new forwarder never answers
    def ramp(host):
        def shape(t):
            if not CHG[host] + sec(20) <= t < FIX[host] + sec(8):
                return 0.0
            return min(1.0, 0.4 + (t - CHG[host]).total_seconds() / 1800.0)
        return shape

    for host in D_NS:
        for t in poisson(rng, CHG[host], FIX[host] + sec(8), 54.0, ramp(host)):
            name, qtype = rng.choice(D_EXTERNAL), rng.choice(["A", "A", "AAAA", "HTTPS"])
            ip, p = client_ip(), port()
            query(t - sec(rng.uniform(10.0, 10.4)), host, ip, p, name, qtype)
            named(t, host, "lame-servers", "info", f"timed out resolving '{name}/{qtype}/IN': {D_BAD_FWD}#53", "d_timeout")
            if rng.random() < 0.75:
                servfail(t + sec(rng.uniform(0.001, 0.01)), host, ip, p, name, qtype)
        for t in poisson(rng, SOFT_FROM, FIX[host], 17.0):
            n = rng.randint(901, 940)
            named(t, host, "client", "warning", f"client {ptr()} {client_ip()}#{port()} ({rng.choice(D_EXTERNAL)}): recursive-clients soft "
                                                 f"limit exceeded ({n}/900/1000), aborting oldest query", "d_soft_limit")
        for t in poisson(rng, HARD_FROM, FIX[host], 14.0):
            named(t, host, "client", "warning", f"client {ptr()} {client_ip()}#{port()} ({rng.choice(D_EXTERNAL)}): no more recursive "
                                                 "clients (1000/900/1000): quota reached", "d_quota")
        for k, tt in enumerate([CHG[host] + sec(rng.uniform(300, 420)), CHG[host] + sec(rng.uniform(1000, 1200))]):
            named(tt, host, "resolver", "info", f"clients-per-query increased to {15 + 5 * k}", "d_cpq_up")
        named(FLUSH[host] + sec(rng.uniform(280, 330)), host, "resolver", "info", "clients-per-query decreased to 10", "d_cpq_down")

    def reconfig(t, host):
        for k, text in enumerate(["received control channel command 'reconfig'", "loading configuration from '/etc/bind/named.conf'",
                                  "using default UDP/IPv4 port range: [32768, 60999]", "using default UDP/IPv6 port range: [32768, 60999]",
                                  "sizing zone task pool based on 5 zones", "reloading configuration succeeded",
                                  "scheduled loading new zones", "any newly configured zones are now loaded"]):
            tpl = {0: "d_cmd_reconfig", 1: "d_loading_config", 5: "d_reload_ok", 7: "d_zones_loaded"}.get(k, "d_reconfig_misc")
            named(t + sec(k * 0.004 + (0.08 if k >= 5 else 0)), host, "general", "info", text, tpl)

    for host in D_NS:
        reconfig(CHG[host], host)
        reconfig(FIX[host], host)
        named(FLUSH[host], host, "general", "info", "received control channel command 'flush'", "d_cmd_flush")
        named(FLUSH[host] + sec(0.011), host, "general", "info", "flushing caches in all views succeeded", "d_flushed")
    reconfig(TSIG_ROT, "ns-1")

    # ---------------------------------------------------------------- noise on the resolvers
    for host in D_NS:
        for t in poisson(rng, T0, T1, 2.4):
            ip = f"10.61.{rng.randint(1, 8)}.{rng.randint(10, 200)}"
            name = rng.choice(D_EXTERNAL)
            qtype = rng.choice(["A", "AAAA"])
            named(t, host, "security", "info", f"client {ptr()} {ip}#{port()} ({name}): query (cache) '{name}/{qtype}/IN' denied "
                                               "(allow-query-cache did not match)", "d_denied")
        t = at(13, 6, 30, 0) + sec(rng.uniform(0, 60))
        while t < T1:
            p = port()
            query(t, host, "10.60.0.90", p, "dnssec-failed.org", "A")
            named(t + sec(0.08), host, "dnssec", "info", "validating dnssec-failed.org/DNSKEY: no valid signature found", "d_dnssec")
            named(t + sec(0.081), host, "lame-servers", "info", f"broken trust chain resolving 'dnssec-failed.org/A/IN': {fwd(host, t)}#53",
                  "d_broken_chain")
            servfail(t + sec(0.082), host, "10.60.0.90", p, "dnssec-failed.org", "A")
            t += sec(7200 + rng.uniform(-5, 5))
        for t in poisson(rng, T0, CHG[host], 0.35):
            named(t, host, "lame-servers", "info", f"timed out resolving 'telemetry.adnet-metrics.example/A/IN': {fwd(host, t)}#53",
                  "d_timeout_old")

    # ---------------------------------------------------------------- DHCP
    devices = []
    for k in range(170):
        kind = "laptop" if k < 70 else ("phone" if k < 140 else "voip")
        mac = ":".join(f"{rng.randint(0, 255):02x}" for _ in range(6))
        if kind == "laptop":
            name = D_LAPTOP if k == 11 else f"laptop-{rng.randint(1000, 6999)}"
            wired = rng.random() < 0.5
            ip = f"10.60.{10 + rng.randint(0, 1)}.{rng.randint(10, 250)}" if wired else f"10.60.{rng.randint(12, 15)}.{rng.randint(2, 254)}"
            lt = 28800 if wired else 3600
        elif kind == "phone":
            name, ip, lt = None, f"10.60.20.{rng.randint(10, 240)}", 1800
        else:
            name, ip, lt = None, f"10.60.30.{rng.randint(20, 120)}", 86400
        devices.append({"kind": kind, "mac": mac, "name": name, "ip": ip, "lt": lt, "cid": rng.random() < 0.8})
    laptop = devices[11]

    def cl(dev, tid=None):
        cid = f"01:{dev['mac']}" if dev["cid"] else "no info"
        return f"[hwtype=1 {dev['mac']}], cid=[{cid}], tid=0x{tid or hexs(rng, 8)}"

    def dhcp_at(t):
        """Who answers at t: server2 from its PARTNER-DOWN transition until server1 is back; clients retry during the gap."""
        if KEA_UPGRADE <= t < KEA_UPGRADE + sec(9.4):
            t = KEA_UPGRADE + sec(9.4 + rng.uniform(0.1, 2.0))
        return ("dhcp-2" if KEA_UPGRADE <= t < KEA_UPGRADE + sec(74.9) else "dhcp-1"), t

    serial = {"n": 2024081304}
    xfer_last = {"t": T0 - sec(3600)}

    def ncr_text(dev, ip, dhcid, t, lt):
        exp = (t + sec(lt)).strftime("%Y%m%d%H%M%S")
        return (f"Type: 0 (CHG_ADD)\nForward Change: yes\nReverse Change: yes\nFQDN: [{dev['name']}.corp.example.]\nIP Address: [{ip}]\n"
                f"DHCID: [{dhcid}]\nLease Expires On: {exp}\nLease Length: {lt}\nConflict Resolution: yes")

    def ddns(t, dev, ip, lt):
        dhcid = "000101" + hashlib.sha256(f"{dev['mac']}|{dev['name']}.corp.example.".encode()).hexdigest().upper()
        td = t + sec(rng.uniform(0.01, 0.05))
        p = port()
        rev = ".".join(reversed(ip.split("."))) + ".in-addr.arpa"
        if td < TSIG_ROT:
            pt = ptr()
            named(td, "ns-1", "update-security", "info", f"client {pt} 10.60.0.21#{p}/key kea-ddns: signer \"kea-ddns\" approved",
                  "d_upd_approved")
            named(td + sec(0.001), "ns-1", "update", "info", f"client {pt} 10.60.0.21#{p}/key kea-ddns: updating zone 'corp.example/IN': "
                                                         f"adding an RR at '{dev['name']}.corp.example' A {ip}", "d_upd_add_a")
            named(td + sec(0.004), "ns-1", "update", "info", f"client {ptr()} 10.60.0.21#{port()}/key kea-ddns: updating zone "
                                                         f"'60.10.in-addr.arpa/IN': adding an RR at '{rev}' PTR {dev['name']}.corp.example.",
                  "d_upd_add_ptr")
            kea(td + sec(0.006), "dhcp-1", "kea-dhcp-ddns", "d2-to-dns", "INFO", "DHCP_DDNS_ADD_SUCCEEDED",
                f"DHCP_DDNS Request ID {dhcid}: successfully added the DNS mapping addition for this request: {ncr_text(dev, ip, dhcid, t, lt)}",
                "d_d2_add_ok")
            serial["n"] += 1
            if td - xfer_last["t"] > sec(1800):
                xfer_last["t"] = td
                zone_xfer(td + sec(rng.uniform(5.0, 5.5)))
            return
        named(td, "ns-1", "security", "error", f"client {ptr()} 10.60.0.21#{p}/key kea-ddns: request has invalid signature: TSIG kea-ddns: "
                                               "tsig verify failure (BADSIG)", "d_badsig")
        kea(td + sec(0.002), "dhcp-1", "kea-dhcp-ddns", "d2-to-dns", "ERROR", "DHCP_DDNS_FORWARD_ADD_REJECTED",
            f"DNS Request ID {dhcid}: Server, 10.60.0.53 port:53, rejected a DNS update request to add the address mapping for FQDN, "
            f"{dev['name']}.corp.example., with an RCODE: 9", "d_d2_rejected")
        kea(td + sec(0.003), "dhcp-1", "kea-dhcp-ddns", "dhcpddns", "ERROR", "DHCP_DDNS_ADD_FAILED",
            f"DHCP_DDNS Request ID {dhcid}: Transaction outcome Status: Failed, Event: UPDATE_FAILED_EVT,  Forward change: failed,  "
            f"Reverse change: failed,  request: {ncr_text(dev, ip, dhcid, t, lt)}", "d_d2_add_failed")

    def zone_xfer(t):
        s = serial["n"]
        named(t, "ns-1", "notify", "info", f"zone corp.example/IN: sending notifies (serial {s})", "d_notify_send")
        p1, p2 = port(), port()
        named(t + sec(0.003), "ns-2", "notify", "info", f"client {ptr()} 10.60.0.53#{p1}: received notify for zone 'corp.example'",
              "d_notify_recv")
        named(t + sec(0.004), "ns-2", "general", "info", f"zone corp.example/IN: notify from 10.60.0.53#{p1}: serial {s}", "d_notify_from")
        named(t + sec(0.006), "ns-2", "xfer-in", "info", "zone corp.example/IN: Transfer started.", "d_xfer_started")
        named(t + sec(0.008), "ns-2", "xfer-in", "info", f"transfer of 'corp.example/IN' from 10.60.0.53#53: connected using "
                                                       f"10.60.0.54#{p2} TSIG xfr-key", "d_xfer_connected")
        pt = ptr()
        recs = rng.randint(5, 9)
        named(t + sec(0.009), "ns-1", "xfer-out", "info", f"client {pt} 10.60.0.54#{p2}/key xfr-key (corp.example): transfer of "
                                                        f"'corp.example/IN': IXFR started: TSIG xfr-key (serial {s})", "d_ixfr_out_start")
        named(t + sec(0.010), "ns-1", "xfer-out", "info", f"client {pt} 10.60.0.54#{p2}/key xfr-key (corp.example): transfer of "
                                                        f"'corp.example/IN': IXFR ended: 1 messages, {recs} records, {recs * 52} bytes, "
                                                        f"0.001 secs ({recs * 52000} bytes/sec) (serial {s})", "d_ixfr_out_end")
        named(t + sec(0.012), "ns-2", "xfer-in", "info", f"transfer of 'corp.example/IN' from 10.60.0.53#53: Transfer completed: 1 "
                                                       f"messages, {recs} records, {recs * 52} bytes, 0.003 secs ({recs * 17333} bytes/sec) "
                                                       f"(serial {s})", "d_xfer_done")

    def new_lease(t, dev, ip=None, lt=None):
        ip, lt = ip or dev["ip"], lt or dev["lt"]
        srv, t = dhcp_at(t)
        tid = hexs(rng, 8)
        kea(t, srv, "kea-dhcp4", "leases", "INFO", "DHCP4_LEASE_ADVERT", f"{cl(dev, tid)}: lease {ip} will be advertised", "d_advert")
        t2 = t + sec(rng.uniform(0.02, 0.3))
        kea(t2, srv, "kea-dhcp4", "leases", "INFO", "DHCP4_LEASE_ALLOC", f"{cl(dev, hexs(rng, 8))}: lease {ip} has been allocated for {lt} "
                                                                       "seconds", "d_alloc")
        if dev["name"] and srv == "dhcp-1":
            ddns(t2, dev, ip, lt)

    laptops = [d for d in devices if d["kind"] == "laptop" and d is not laptop]
    # mornings: laptops arrive and get a new lease (a DDNS add each)
    for d in laptops + [laptop]:
        if rng.random() < 0.85 or d is laptop:
            new_lease(at(13, 6, 40) + sec(rng.uniform(0, 3.4 * 3600)), d)
    for d in laptops:
        if rng.random() < 0.55:
            new_lease(at(14, 6, 0) + sec(rng.uniform(0, 2.1 * 3600)), d)
    # laptop-4411 gets new leases on the wifi, then on the wired network, on the 14th
    new_lease(at(14, 6, 12, 40.37), laptop, ip="10.60.13.87", lt=3600)
    new_lease(at(14, 7, 41, 5.82), laptop, ip="10.60.10.142", lt=28800)
    # a few laptops roam in the evening and at night (DDNS adds, and BADSIG after the key rotation)
    for t in poisson(rng, at(13, 17, 0), T1, 1.1, lambda x: 0.5 if 7 <= x.hour < 19 else 0.25):
        new_lease(t, laptops[rng.randrange(len(laptops))])
    # phones on the guest network, voip phones booting
    for t in poisson(rng, T0, T1, 5.5, day_shape):
        new_lease(t, devices[rng.randrange(70, 140)])
    for t in poisson(rng, T0, T1, 0.5):
        new_lease(t, devices[rng.randrange(140, 170)])
    # renewals and releases
    for t in poisson(rng, T0, T1, 15.0, day_shape):
        d = devices[rng.randrange(0, 140)]
        srv, t = dhcp_at(t)
        kea(t, srv, "kea-dhcp4", "leases", "INFO", "DHCP4_LEASE_ALLOC", f"{cl(d)}: lease {d['ip']} has been allocated for "
                                                                                f"{d['lt']} seconds", "d_alloc")
    for t in poisson(rng, T0, T1, 1.2, day_shape):
        d = devices[rng.randrange(0, 140)]
        srv, t = dhcp_at(t)
        kea(t, srv, "kea-dhcp4", "leases", "INFO", "DHCP4_RELEASE", f"{cl(d)}: address {d['ip']} was released properly.",
            "d_release")
    d = devices[150]
    kea(at(13, 11, 27, 9.3), "dhcp-1", "kea-dhcp4", "leases", "INFO", "DHCP4_DECLINE_LEASE",
        f"Received DHCPDECLINE for addr 10.60.30.77 from client {cl(d)}. The lease will be unavailable for 86400 seconds.", "d_decline")
    # hourly lease file cleanup on the primary
    t = at(13, 6, 21, 0.0) + sec(rng.uniform(0, 30))
    while t < T1:
        srv, t = dhcp_at(t)
        kea(t, srv, "kea-dhcp4", "dhcpsrv", "INFO", "DHCPSRV_MEMFILE_LFC_START", "starting Lease File Cleanup", "d_lfc_start")
        kea(t + sec(0.002), srv, "kea-dhcp4", "dhcpsrv", "INFO", "DHCPSRV_MEMFILE_LFC_EXECUTE",
            "executing Lease File Cleanup using: /usr/sbin/kea-lfc -4 -x /var/lib/kea/kea-leases4.csv.2 -i /var/lib/kea/kea-leases4.csv.1 "
            "-o /var/lib/kea/kea-leases4.csv.output -f /var/lib/kea/kea-leases4.csv.completed -p /run/kea/kea-leases4.csv.pid "
            "-c ignored-path", "d_lfc_exec")
        t += sec(3600 + rng.uniform(-0.5, 0.5))

    # ---------------------------------------------------------------- Kea 2.4.0 -> 2.4.1 on dhcp-1 at 09:05; server2 takes over briefly
    t = KEA_UPGRADE
    kea(t, "dhcp-1", "kea-dhcp4", "dhcp4", "INFO", "DHCP4_SHUTDOWN_REQUEST", "shutdown of server requested", "d_kea_shutdown_req")
    kea(t + sec(0.03), "dhcp-1", "kea-dhcp4", "dhcp4", "INFO", "DHCP4_SHUTDOWN", "server shutdown", "d_kea_shutdown")
    kea(t + sec(1.8), "dhcp-2", "kea-dhcp4", "ha-hooks", "WARN", "HA_HEARTBEAT_COMMUNICATIONS_FAILED",
        "server2: failed to send heartbeat to server1 (http://10.60.0.21:8000/): Connection refused", "d_ha_hb_failed")
    kea(t + sec(1.81), "dhcp-2", "kea-dhcp4", "ha-hooks", "WARN", "HA_COMMUNICATION_INTERRUPTED",
        "server2: communication with server1 is interrupted", "d_ha_interrupted")
    kea(t + sec(9.3), "dhcp-2", "kea-dhcp4", "ha-hooks", "INFO", "HA_STATE_TRANSITION",
        "server2: server transitions from HOT-STANDBY to PARTNER-DOWN state, partner state is UNAVAILABLE", "d_ha_transition")
    kea(t + sec(9.31), "dhcp-2", "kea-dhcp4", "ha-hooks", "INFO", "HA_LOCAL_DHCP_ENABLE",
        "local DHCP service is enabled while the server2 is in the PARTNER-DOWN state", "d_ha_local_enable")
    t2 = t + sec(71.4)
    kea(t2, "dhcp-1", "kea-dhcp4", "dhcp4", "INFO", "DHCP4_STARTING", "Kea DHCPv4 server version 2.4.1 (stable) started", "d_kea_starting")
    kea(t2 + sec(0.21), "dhcp-1", "kea-dhcp4", "dhcp4", "INFO", "DHCP4_CONFIG_COMPLETE",
        "DHCPv4 server has completed configuration: added IPv4 subnets: 4; DDNS: activated.", "d_kea_config_complete")
    kea(t2 + sec(0.25), "dhcp-1", "kea-dhcp4", "ha-hooks", "INFO", "HA_LOCAL_DHCP_DISABLE",
        "local DHCP service is disabled while the server1 is in the WAITING state", "d_ha_local_disable")
    kea(t2 + sec(1.3), "dhcp-1", "kea-dhcp4", "ha-hooks", "INFO", "HA_STATE_TRANSITION",
        "server1: server transitions from WAITING to SYNCING state, partner state is PARTNER-DOWN", "d_ha_transition")
    kea(t2 + sec(1.6), "dhcp-1", "kea-dhcp4", "ha-hooks", "INFO", "HA_SYNC_SUCCESSFUL",
        "server1: lease database synchronization with server2 completed successfully in 0.284 s.", "d_ha_sync_ok")
    kea(t2 + sec(1.61), "dhcp-1", "kea-dhcp4", "ha-hooks", "INFO", "HA_STATE_TRANSITION",
        "server1: server transitions from SYNCING to READY state, partner state is PARTNER-DOWN", "d_ha_transition")
    kea(t2 + sec(2.4), "dhcp-2", "kea-dhcp4", "ha-hooks", "INFO", "HA_STATE_TRANSITION",
        "server2: server transitions from PARTNER-DOWN to HOT-STANDBY state, partner state is READY", "d_ha_transition")
    kea(t2 + sec(2.41), "dhcp-2", "kea-dhcp4", "ha-hooks", "INFO", "HA_LOCAL_DHCP_DISABLE",
        "local DHCP service is disabled while the server2 is in the HOT-STANDBY state", "d_ha_local_disable")
    kea(t2 + sec(3.5), "dhcp-1", "kea-dhcp4", "ha-hooks", "INFO", "HA_STATE_TRANSITION",
        "server1: server transitions from READY to HOT-STANDBY state, partner state is HOT-STANDBY", "d_ha_transition")
    kea(t2 + sec(3.51), "dhcp-1", "kea-dhcp4", "ha-hooks", "INFO", "HA_LOCAL_DHCP_ENABLE",
        "local DHCP service is enabled while the server1 is in the HOT-STANDBY state", "d_ha_local_enable")
    return L.build()


# =============================================================================================
# 3. prom: the metrics stack. prom-1 (32 GB) and prom-2 (64 GB) are an HA pair of Prometheus
#    2.53.1 servers with the same configuration, both remote-writing to Mimir
#    (https://mimir.obs.example/api/v1/push, tenant prod, remote_name 3f6a1c) and sending alerts
#    to am-1..am-3, an Alertmanager 0.27.0 cluster. Each process logs go-kit logfmt to a file;
#    Vector's file source (`host_key = "hostname"`, `file_key = "log_file"`, because Prometheus'
#    own rule lines carry a `file=` pair) reads them and a remap merges the parsed pairs into the
#    event, renaming `level` to `log_level`.
#    Change: at 13:18 a merge request adds the scrape job `checkout-edge` (four targets on :9102)
#    and CI reloads both servers (`Loading configuration file` / `Completed loading of
#    configuration file`; Prometheus does not log which job was added). Its
#    http_request_duration_seconds histogram carries the request path, order ids included, so
#    every scrape creates new series. Fault: from 13:51 Mimir rejects new series
#    (`non-recoverable error ... per-user series limit of 1500000 exceeded
#    (err-mimir-max-series-per-user)`), from 14:01 it throttles (`Failed to send batch, retrying`
#    ... 429 `err-mimir-tenant-max-ingestion-rate`), the remote-write queues reshard up to 30
#    shards and fall behind (`Skipping resharding, last successful send was beyond threshold`),
#    recording rules over the new histogram fail (`query processing would load too many samples
#    into memory`), and prom-1 runs out of memory at 14:24: systemd restarts it, it replays its
#    WAL (a torn segment is repaired on the second start) and is OOM-killed again before the
#    replay completes, three times. Fix: at 14:44 the job is removed and prom-2 reloaded; at 14:47
#    prom-1 is started by hand with a higher memory limit and completes its replay at 14:52; the
#    429s and the lag end by 14:57, the series rejections when Mimir's head compaction drops the
#    idle series at 15:31.
#    Unrelated: from 23:12 on August 20 the clock of batch-7 (10.70.5.17), whose exporter stamps
#    its samples, runs ahead; both servers drop every scrape of it (`Error on ingesting samples
#    that are too old or are too far into the future`).
#    Noise: Alertmanager silences/nflog maintenance, Slack notify retries, an am-3 reboot at 09:31
#    (cluster settle lines; both Prometheus servers fail to send alerts to it), a morning reload
#    for a rule change, head compaction and WAL checkpoints every two hours, a recording rule
#    with duplicate series, postgres_exporter's duplicate samples, routine resharding.

P_HOSTS = ["prom-1", "prom-2"]
P_AMS = {"am-1": "10.70.0.21", "am-2": "10.70.0.22", "am-3": "10.70.0.23"}
P_RW = [("component", "remote"), None, ("remote_name", "3f6a1c"), ("url", "https://mimir.obs.example/api/v1/push")]
P_SERIES = ("server returned HTTP status 400 Bad Request: send data to ingesters: failed pushing to ingester mimir-ingester-{n}: "
            "user=prod: per-user series limit of 1500000 exceeded (err-mimir-max-series-per-user). To adjust the related per-tenant "
            "limit, configure -ingester.max-global-series-per-user, or contact your service administrator.")
P_RATE = ("server returned HTTP status 429 Too Many Requests: the request has been rejected because the tenant exceeded the ingestion "
          "rate limit, set to 350000 items/s with a maximum allowed burst of 3500000. This limit is applied on the total number of "
          "samples, exemplars and metadata received across all distributors (err-mimir-tenant-max-ingestion-rate). To adjust the "
          "related per-tenant limits, configure -distributor.ingestion-rate-limit and -distributor.ingestion-burst-size, or contact "
          "your service administrator.")
P_SKIP = "Skipping resharding, last successful send was beyond threshold"
P_TOOMANY = "query processing would load too many samples into memory in query execution"
P_FUTURE = "Error on ingesting samples that are too old or are too far into the future"


def logfmt(pairs):
    out = []
    for k, v in pairs:
        s = str(v)
        if s == "" or re.search(r'[\s="\\]', s):
            s = '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        out.append(f"{k}={s}")
    return " ".join(out)


def ulid(rng, t):
    ms = int(t.timestamp() * 1000)
    alpha = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    head = ""
    for _ in range(10):
        head = alpha[ms % 32] + head
        ms //= 32
    return head + "".join(rng.choice(alpha) for _ in range(16))


def gen_prom():
    rng = random.Random(20240820)
    L = Log()
    at = at_day(2024, 8)

    T0, T1 = at(20, 6, 7, 12.0), at(21, 7, 58)
    AM3_REBOOT = at(20, 9, 31, 20.4)
    RULE_RELOAD = at(20, 9, 40, 2.2)
    CHG = at(20, 13, 18, 4.31)
    LIMIT = at(20, 13, 51, 12.5)
    RATE = at(20, 14, 1, 40.0)
    EVAL = at(20, 14, 9, 5.0)
    OOMS = [at(20, 14, 24, 31.2), at(20, 14, 31, 5.9), at(20, 14, 38, 43.3), at(20, 14, 44, 2.6)]
    FIX = at(20, 14, 44, 10.62)
    MANUAL = at(20, 14, 47, 31.08)
    RATE_END = at(20, 14, 57, 20.0)
    IDLE_DROP = at(20, 15, 31, 4.0)
    SKEW = at(20, 23, 12, 40.0)

    def log(dt, host, prog, pairs, tpl):
        pairs = [("ts", iso_ms(dt))] + [p for p in pairs if p is not None]
        rec = {}
        for k, v in pairs:
            rec["log_level" if k == "level" else k] = str(v)
        rec.update({"hostname": host, "log_file": f"/var/log/{prog}/{prog}.log", "message": logfmt(pairs), "source_type": "file",
                    "timestamp": iso_ms(dt)})
        L.add(dt, tpl, dict(sorted(rec.items())))

    def prom(dt, host, caller, level, pairs, tpl):
        log(dt, host, "prometheus", [("caller", caller), ("level", level)] + pairs, tpl)

    def remote(dt, host, level, pairs, tpl):
        rw = [("caller", "dedupe.go:112")] + [p if p is not None else ("level", level) for p in P_RW]
        log(dt, host, "prometheus", rw + pairs, tpl)

    def am(dt, host, caller, level, pairs, tpl):
        log(dt, host, "alertmanager", [("caller", caller), ("level", level)] + pairs, tpl)

    def dur(lo, hi, unit="s"):
        v = rng.uniform(lo, hi)
        return f"{v:.3f}{unit}" if unit == "s" else f"{v:.1f}{unit}"

    # prom-1 is down between an OOM kill and the next start; it is down for good from the last kill to the manual start
    down1 = []

    def up(host, t):
        return host != "prom-1" or not inside(t, down1)

    # ---------------------------------------------------------------- configuration reloads
    def reload(t, host, rules_ms):
        prom(t, host, "main.go:1372", "info", [("msg", "Loading configuration file"), ("filename", "/etc/prometheus/prometheus.yml")],
             "p_cfg_loading")
        total = rng.uniform(11, 19) + rules_ms
        prom(t + sec(total / 1000), host, "main.go:1409", "info",
             [("msg", "Completed loading of configuration file"), ("filename", "/etc/prometheus/prometheus.yml"),
              ("totalDuration", f"{total:.3f}ms"), ("db_storage", f"{rng.uniform(1, 2):.2f}µs"),
              ("remote_storage", f"{rng.uniform(1.2, 2.5):.3f}ms"), ("web_handler", f"{rng.randint(500, 900)}ns"),
              ("query_engine", f"{rng.uniform(0.8, 1.4):.3f}µs"), ("scrape", f"{rng.uniform(300, 700):.1f}µs"),
              ("scrape_sd", f"{rng.uniform(90, 200):.1f}µs"), ("notify", f"{rng.uniform(30, 60):.1f}µs"),
              ("notify_sd", f"{rng.uniform(15, 30):.1f}µs"), ("rules", f"{rules_ms:.3f}ms"), ("tracing", f"{rng.uniform(5, 10):.2f}µs")],
             "p_cfg_done")

    for k, h in enumerate(P_HOSTS):
        reload(RULE_RELOAD + sec(k * 3.7), h, rng.uniform(6, 9))
        reload(CHG + sec(k * 3.61), h, rng.uniform(6, 9))
    reload(FIX, "prom-2", rng.uniform(6, 9))

    # ---------------------------------------------------------------- prom-1: OOM kills, restarts, WAL replays
    def start(t, host, kill_at=None, repair=False, first_seg=1254, max_seg=1271):
        """A start of the server; when kill_at is given the kernel kills it there, in the middle of the WAL replay."""
        prom(t, host, "main.go:645", "info", [("msg", "Starting Prometheus Server"), ("mode", "server"),
                                               ("version", "(version=2.53.1, branch=HEAD, revision=14cfec3f6048b735e08c1e9c64c8d4211d32bab4)")],
             "p_starting")
        prom(t + sec(0.001), host, "main.go:650", "info", [("msg", "operational information"),
                                                            ("build_context", "(go=go1.22.5, platform=linux/amd64, user=root@4a8c1e5b9d27, "
                                                                              "date=20240710-10:16:27, tags=netgo,builtinassets,stringlabels)"),
                                                            ("host_details", f"(Linux 5.15.0-117-generic #127-Ubuntu SMP Fri Jul 5 "
                                                                             f"20:13:28 UTC 2024 x86_64 {host} (none))"),
                                                            ("fd_limits", "(soft=1048576, hard=1048576)"),
                                                            ("vm_limits", "(soft=unlimited, hard=unlimited)")], "p_opinfo")
        prom(t + sec(0.004), host, "web.go:568", "info", [("component", "web"), ("msg", "Start listening for connections"),
                                                           ("address", "0.0.0.0:9090")], "p_web_listen")
        prom(t + sec(0.005), host, "main.go:1143", "info", [("msg", "Starting TSDB ...")], "p_tsdb_starting")
        prom(t + sec(0.007), host, "tls_config.go:313", "info", [("component", "web"), ("msg", "Listening on"), ("address", "[::]:9090")],
             "p_tls_listen")
        prom(t + sec(0.008), host, "tls_config.go:316", "info", [("component", "web"), ("msg", "TLS is disabled."), ("http2", "false"),
                                                                 ("address", "[::]:9090")], "p_tls_disabled")
        tt = t + sec(rng.uniform(0.05, 0.1))
        prom(tt, host, "head.go:626", "info", [("component", "tsdb"), ("msg", "Replaying on-disk memory mappable chunks if any")],
             "p_mmap_replay")
        tt += sec(rng.uniform(9, 14))
        prom(tt, host, "head.go:713", "info", [("component", "tsdb"), ("msg", "On-disk memory mappable chunks replay completed"),
                                                ("duration", dur(9, 14))], "p_mmap_done")
        prom(tt + sec(0.001), host, "head.go:721", "info", [("component", "tsdb"), ("msg", "Replaying WAL, this may take a while")],
             "p_wal_replay")
        tt += sec(0.002)
        if repair:
            seg = max_seg
            prom(tt + sec(0.4), host, "head.go:755", "warn", [("component", "tsdb"), ("msg", "Encountered WAL read error, attempting repair"),
                                                                ("err", f"read records: corruption in segment /var/lib/prometheus/data/wal/"
                                                                        f"{seg:08d} at 94863360: unexpected full record")], "p_wal_error")
            prom(tt + sec(0.401), host, "wlog.go:434", "warn", [("component", "tsdb"), ("msg", "Starting corruption repair"),
                                                                 ("segment", str(seg)), ("offset", "94863360")], "p_wal_repair")
            prom(tt + sec(0.402), host, "wlog.go:442", "warn", [("component", "tsdb"), ("msg", "Deleting all segments newer than corrupted "
                                                                                            "segment"), ("segment", str(seg))],
                 "p_wal_delete")
            prom(tt + sec(0.403), host, "wlog.go:464", "warn", [("component", "tsdb"), ("msg", "Rewrite corrupted segment"),
                                                                 ("segment", str(seg))], "p_wal_rewrite")
            tt += sec(0.5)
        seg = first_seg
        while seg <= max_seg:
            tt += sec(rng.uniform(14, 26) if kill_at is None else rng.uniform(20, 32))
            if kill_at is not None and tt >= kill_at:
                return None
            prom(tt, host, "head.go:793", "info", [("component", "tsdb"), ("msg", "WAL segment loaded"), ("segment", str(seg)),
                                                    ("maxSegment", str(max_seg))], "p_wal_segment")
            seg += 1
        tot = (tt - t).total_seconds()
        prom(tt + sec(0.002), host, "head.go:830", "info", [("component", "tsdb"), ("msg", "WAL replay completed"),
                                                             ("checkpoint_replay_duration", dur(20, 30)),
                                                             ("wal_replay_duration", f"{tot - 30:.3f}s"),
                                                             ("wbl_replay_duration", "251ns"), ("chunk_snapshot_load_duration", "0s"),
                                                             ("mmap_chunk_replay_duration", dur(9, 14)),
                                                             ("total_replay_duration", f"{tot:.3f}s")], "p_wal_done")
        prom(tt + sec(0.6), host, "main.go:1164", "info", [("fs_type", "EXT4_SUPER_MAGIC")], "p_fs_type")
        prom(tt + sec(0.601), host, "main.go:1167", "info", [("msg", "TSDB started")], "p_tsdb_started")
        reload(tt + sec(0.602), host, rng.uniform(6, 9))
        tr = tt + sec(0.65)
        prom(tr, host, "main.go:1108", "info", [("msg", "Server is ready to receive web requests.")], "p_ready")
        prom(tr + sec(0.001), host, "manager.go:164", "info", [("component", "rule manager"), ("msg", "Starting rule manager...")],
             "p_rule_mgr")
        remote(tr + sec(0.002), host, "info", [("msg", "Starting WAL watcher"), ("queue", "3f6a1c")], "p_rw_watcher")
        remote(tr + sec(0.003), host, "info", [("msg", "Starting scraped metadata watcher")], "p_rw_meta")
        remote(tr + sec(0.004), host, "info", [("msg", "Replaying WAL"), ("queue", "3f6a1c")], "p_rw_replay")
        remote(tr + sec(rng.uniform(40, 70)), host, "info", [("msg", "Done replaying WAL"), ("duration", dur(40, 70))], "p_rw_replay_done")
        return tr

    restart_at = [o + sec(5.0 + rng.uniform(0.05, 0.4)) for o in OOMS[:3]]
    for k, ts in enumerate(restart_at):
        start(ts, "prom-1", kill_at=OOMS[k + 1], repair=(k == 1))
    READY1 = start(MANUAL, "prom-1")
    down1.append((OOMS[0], READY1))     # killed, replaying, killed again, ...: no scrapes, rules or remote write until ready

    # ---------------------------------------------------------------- remote write towards Mimir
    for h in P_HOSTS:
        # routine resharding before the change
        for t in poisson(rng, T0, LIMIT - sec(600), 0.35):
            a = rng.choice([3, 4, 4, 5])
            remote(t, h, "info", [("msg", "Remote storage resharding"), ("from", str(a)), ("to", str(a + rng.choice([-1, 1])))],
                   "p_rw_reshard")
        for t in poisson(rng, IDLE_DROP + sec(900), T1, 0.35):
            a = rng.choice([3, 4, 4, 5])
            remote(t, h, "info", [("msg", "Remote storage resharding"), ("from", str(a)), ("to", str(a + rng.choice([-1, 1])))],
                   "p_rw_reshard")
        off = 0 if h == "prom-1" else 3.4

        def series_rate(t, h=h):
            if t < FIX:
                return 1.0
            return 0.35

        for t in poisson(rng, LIMIT + sec(off), IDLE_DROP, 52.0, series_rate):
            if up(h, t):
                remote(t, h, "error", [("msg", "non-recoverable error"), ("count", "2000"), ("exemplarCount", "0"),
                                       ("err", P_SERIES.format(n=rng.randint(0, 5)))], "p_rw_nonrecoverable")
        for t in poisson(rng, RATE + sec(off * 7), RATE_END if h == "prom-2" else RATE_END + sec(540), 30.0):
            if up(h, t) and (h == "prom-2" or t < OOMS[0] or t > READY1 + sec(60)):
                remote(t, h, "warn", [("msg", "Failed to send batch, retrying"), ("err", P_RATE)], "p_rw_retry")
        for t0, a, b in [(LIMIT + sec(80 + off), 4, 7), (RATE + sec(30 + off), 7, 16), (RATE + sec(240 + off), 16, 30)]:
            t0 += sec(rng.uniform(0.001, 0.999))
            if up(h, t0):
                remote(t0, h, "info", [("msg", "Remote storage resharding"), ("from", str(a)), ("to", str(b))], "p_rw_reshard")
        t = RATE + sec(320 + off * 5 + rng.uniform(0.001, 0.999))
        end = RATE_END if h == "prom-2" else OOMS[0]
        while t < end:
            if up(h, t):
                last = int((t - sec(rng.uniform(95, 160))).timestamp())
                remote(t, h, "warn", [("msg", P_SKIP), ("lastSendTimestamp", str(last)), ("minSendTimestamp", str(int(t.timestamp()) - 20))],
                       "p_rw_skip")
            t += sec(rng.uniform(95, 170))
    # prom-1 after its manual start: the queue starts small, grows, falls behind for a while, catches up
    remote(READY1 + sec(75.2), "prom-1", "info", [("msg", "Remote storage resharding"), ("from", "1"), ("to", "18")], "p_rw_reshard")
    t = READY1 + sec(190)
    for _ in range(4):
        last = int((t - sec(rng.uniform(95, 160))).timestamp())
        remote(t, "prom-1", "warn", [("msg", P_SKIP), ("lastSendTimestamp", str(last)), ("minSendTimestamp", str(int(t.timestamp()) - 20))],
               "p_rw_skip")
        t += sec(rng.uniform(95, 150))
    remote(RATE_END + sec(366.1), "prom-2", "info", [("msg", "Remote storage resharding"), ("from", "30"), ("to", "11")], "p_rw_reshard")
    remote(t + sec(200.4), "prom-1", "info", [("msg", "Remote storage resharding"), ("from", "18"), ("to", "7")], "p_rw_reshard")
    for h in P_HOSTS:
        remote(IDLE_DROP + sec(rng.uniform(400, 600)), h, "info", [("msg", "Remote storage resharding"), ("from", "11" if h == "prom-2" else "7"),
                                                                     ("to", "4")], "p_rw_reshard")

    # ---------------------------------------------------------------- rules
    p99 = ("record: job:http_request_duration_seconds:p99_5m\nexpr: histogram_quantile(0.99, sum by (job, le) "
           "(rate(http_request_duration_seconds_bucket[5m])))\n")
    dup = ("record: instance:node_cpu_utilisation:rate5m\nexpr: 1 - avg without (cpu) (sum without (mode) "
           "(rate(node_cpu_seconds_total{mode=~\"idle|iowait|steal\"}[5m]))) * on (instance) group_left (nodename) node_uname_info\n")
    for h in P_HOSTS:
        t = EVAL + sec(rng.uniform(0, 60))
        while t < FIX:
            if up(h, t):
                prom(t, h, "group.go:500", "warn", [("name", "job:http_request_duration_seconds:p99_5m"), ("index", "0"),
                                                     ("component", "rule manager"), ("file", "/etc/prometheus/rules/slo.yml"),
                                                     ("group", "slo-latency"), ("msg", "Evaluating rule failed"), ("rule", p99),
                                                     ("err", P_TOOMANY)], "p_rule_toomany")
            t += sec(rng.uniform(150, 260))
        t = T0 + sec(rng.uniform(0, 1200))
        while t < T1:
            if up(h, t):
                prom(t, h, "group.go:500", "warn", [("name", "instance:node_cpu_utilisation:rate5m"), ("index", "3"),
                                                     ("component", "rule manager"), ("file", "/etc/prometheus/rules/node.yml"),
                                                     ("group", "node.rules"), ("msg", "Evaluating rule failed"), ("rule", dup),
                                                     ("err", "found duplicate series for the match group {instance=\"10.70.1.31:9100\"} on the "
                                                             "right hand-side of the operation: [{__name__=\"node_uname_info\", "
                                                             "instance=\"10.70.1.31:9100\", job=\"node\", nodename=\"build-3\"}, "
                                                             "{__name__=\"node_uname_info\", instance=\"10.70.1.31:9100\", job=\"node-legacy\", "
                                                             "nodename=\"build-3\"}];many-to-many matching not allowed: matching labels "
                                                             "must be unique on one side")], "p_rule_dup")
            t += sec(1200 + rng.uniform(-30, 30))

    # ---------------------------------------------------------------- scrapes
    for h in P_HOSTS:
        t = T0 + sec(rng.uniform(0, 1800))
        while t < T1:
            if up(h, t):
                prom(t, h, "scrape.go:1777", "warn", [("component", "scrape manager"), ("scrape_pool", "postgres"),
                                                       ("target", "http://10.70.4.8:9187/metrics"),
                                                       ("msg", "Error on ingesting samples with different value but same timestamp"),
                                                       ("num_dropped", str(rng.choice([2, 2, 4, 6])))], "p_scrape_dup_ts")
            t += sec(1800 + rng.uniform(-40, 40))
        t = SKEW + sec(rng.uniform(0, 600))
        while t < T1:
            prom(t, h, "scrape.go:1781", "warn", [("component", "scrape manager"), ("scrape_pool", "batch"),
                                                   ("target", "http://10.70.5.17:9464/metrics"), ("msg", P_FUTURE),
                                                   ("num_dropped", str(rng.randint(116, 131)))], "p_scrape_future")
            t += sec(600 + rng.uniform(-0.05, 0.05))

    # ---------------------------------------------------------------- TSDB housekeeping every two hours
    for h in P_HOSTS:
        t = at(20, 7, 0, 0) + sec(rng.uniform(30, 90))
        seg = 1190 if h == "prom-1" else 1211
        while t < T1:
            if up(h, t):
                maxt = int(t.timestamp() // 7200 * 7200 * 1000)
                mint = maxt - 7200 * 1000
                prom(t, h, "compact.go:576", "info", [("component", "tsdb"), ("msg", "write block"), ("mint", str(mint)), ("maxt", str(maxt)),
                                                       ("ulid", ulid(rng, t)), ("duration", dur(3, 6)), ("ooo", "false")], "p_write_block")
                prom(t + sec(rng.uniform(4, 7)), h, "head.go:1355", "info", [("component", "tsdb"), ("msg", "Head GC completed"),
                                                                              ("duration", f"{rng.uniform(180, 420):.3f}ms")], "p_head_gc")
                tc = t + sec(rng.uniform(7, 9))
                prom(tc, h, "checkpoint.go:101", "info", [("component", "tsdb"), ("msg", "Creating checkpoint"), ("from_segment", str(seg)),
                                                           ("to_segment", str(seg + 15)), ("mint", str(maxt))], "p_checkpoint")
                prom(tc + sec(rng.uniform(2, 4)), h, "head.go:1317", "info", [("component", "tsdb"), ("msg", "WAL checkpoint complete"),
                                                                               ("first", str(seg)), ("last", str(seg + 15)),
                                                                               ("duration", dur(2, 4))], "p_checkpoint_done")
                seg += 16
                if t.hour % 6 == 1:
                    tb = tc + sec(rng.uniform(20, 40))
                    u = ulid(rng, tb)
                    prom(tb, h, "compact.go:760", "info", [("component", "tsdb"), ("msg", "compact blocks"), ("count", "3"),
                                                            ("mint", str(mint - 4 * 7200 * 1000)), ("maxt", str(maxt - 7200 * 1000)),
                                                            ("ulid", u), ("sources", f"[{ulid(rng, tb - sec(14400))} {ulid(rng, tb - sec(7200))} "
                                                                                     f"{ulid(rng, tb)}]"),
                                                            ("duration", dur(8, 15))], "p_compact")
                    prom(tb + sec(rng.uniform(0.2, 0.5)), h, "db.go:1617", "info", [("component", "tsdb"), ("msg", "Deleting obsolete block"),
                                                                                     ("block", ulid(rng, tb - sec(86400)))], "p_delete_block")
            t += sec(7200 + rng.uniform(-20, 20))

    # ---------------------------------------------------------------- Alertmanager
    for a in P_AMS:
        for comp, caller in (("silences", "silence.go:441"), ("nflog", "nflog.go:357")):
            t = T0 + sec(rng.uniform(0, 900))
            while t < T1:
                if not (a == "am-3" and AM3_REBOOT - sec(1) <= t < AM3_REBOOT + sec(60)):
                    am(t, a, caller, "info", [("component", comp), ("msg", "Maintenance done"),
                                              ("duration", f"{rng.uniform(0.02, 0.9):.3f}ms"), ("size", str(rng.randint(180, 5200)))],
                       "p_am_maint")
                t += sec(900 + rng.uniform(-0.2, 0.2))
    groups = ['{}/{severity="warning"}:{alertname="HostHighCpuLoad"}', '{}/{severity="critical"}:{alertname="PrometheusRemoteWriteBehind"}',
              '{}/{severity="warning"}:{alertname="DiskWillFillIn24Hours"}', '{}/{severity="warning"}:{alertname="BlackboxProbeSlow"}']
    for t in poisson(rng, T0, T1, 1.6):
        a = rng.choice(list(P_AMS))
        g = groups[rng.randrange(len(groups))] if not (LIMIT <= t < IDLE_DROP) else groups[1]
        base = [("component", "dispatcher"), ("receiver", "slack-ops"), ("integration", "slack[0]"), ("aggrGroup", g)]
        am(t, a, "notify.go:848", "warn", base + [("msg", "Notify attempt failed, will retry later"), ("attempts", "1"),
                                                   ("err", f"unexpected status code {rng.choice([500, 503, 503])}: "
                                                           "https://hooks.slack.com/services/T024BE7LD/B06E5K3QK4N/<redacted>")], "p_am_retry")
        am(t + sec(rng.uniform(10, 40)), a, "notify.go:860", "info", base + [("msg", "Notify success"), ("attempts", "2"),
                                                                             ("duration", f"{rng.uniform(0.3, 1.2):.6f}s")], "p_am_success")
    # am-3 reboot at 09:31 (kernel patching)
    t = AM3_REBOOT
    am(t, "am-3", "main.go:584", "info", [("msg", "Received SIGTERM, exiting gracefully...")], "p_am_sigterm")
    for h in P_HOSTS:
        for k in range(2):
            tt = t + sec(rng.uniform(15, 45) + 30 * k)
            prom(tt, h, "notifier.go:530", "error", [("component", "notifier"), ("alertmanager", "http://10.70.0.23:9093/api/v2/alerts"),
                                                      ("count", str(rng.randint(1, 4))), ("msg", "Error sending alert"),
                                                      ("err", "Post \"http://10.70.0.23:9093/api/v2/alerts\": dial tcp 10.70.0.23:9093: "
                                                              "connect: connection refused")], "p_notifier_err")
    t = AM3_REBOOT + sec(96.3)
    for caller, pairs, tpl in [
        ("main.go:181", [("msg", "Starting Alertmanager"), ("version", "(version=0.27.0, branch=HEAD, "
                                                                     "revision=0aa3c2aad14cff039931923ab16b26b7481783b5)")], "p_am_starting"),
        ("main.go:182", [("build_context", "(go=go1.21.7, platform=linux/amd64, user=root@22cd11f671e9, date=20240228-11:51:20, "
                                           "tags=netgo)")], "p_am_build"),
        ("cluster.go:186", [("component", "cluster"), ("msg", "setting advertise address explicitly"), ("addr", "10.70.0.23"),
                            ("port", "9094")], "p_am_advertise"),
        ("cluster.go:683", [("component", "cluster"), ("msg", "Waiting for gossip to settle..."), ("interval", "2s")], "p_am_wait"),
        ("coordinator.go:113", [("component", "configuration"), ("msg", "Loading configuration file"),
                                ("file", "/etc/alertmanager/alertmanager.yml")], "p_am_cfg"),
        ("coordinator.go:126", [("component", "configuration"), ("msg", "Completed loading of configuration file"),
                                ("file", "/etc/alertmanager/alertmanager.yml")], "p_am_cfg_done"),
        ("tls_config.go:313", [("msg", "Listening on"), ("address", "[::]:9093")], "p_am_listen"),
        ("tls_config.go:316", [("msg", "TLS is disabled."), ("http2", "false"), ("address", "[::]:9093")], "p_am_tls"),
        ("cluster.go:708", [("component", "cluster"), ("msg", "gossip not settled"), ("polls", "0"), ("before", "0"), ("now", "2"),
                            ("elapsed", "2.000687831s")], "p_am_not_settled"),
        ("cluster.go:700", [("component", "cluster"), ("msg", "gossip settled; proceeding"), ("elapsed", "10.004285312s")], "p_am_settled"),
    ]:
        am(t, "am-3", caller, "info", pairs, tpl)
        t += sec(0.004 if tpl not in ("p_am_not_settled", "p_am_settled") else (2.0 if tpl == "p_am_not_settled" else 8.0))
    return L.build()


# =============================================================================================
# Facts computed from the generated records, and the questions


def kc_field(r, name):
    return r.get("kc", {}).get(name)


def facts_keycloak(records):
    bridge = next(r["timestamp"] for r in records if kc_field(r, "hostName") == K_BRIDGE)
    fix_view = next(r["timestamp"] for r in records if r["timestamp"] > bridge and re.match(r"ISPN000094: .* \(2\) \[idp-1-40213, idp-2-",
                                                                                               r["message"]))
    merges = [r["timestamp"] for r in records if r["message"] == K_MERGE]
    code_err = [r for r in records if r["message"].startswith('type="CODE_TO_TOKEN_ERROR"') and 'error="invalid_code"' in r["message"]]
    first_per_node = {}
    for r in code_err:
        first_per_node.setdefault(r["docker_host"], r["timestamp"])
    smtp = [r["timestamp"] for r in records if r["message"] == K_SMTP]
    resets_ok = [r["timestamp"] for r in records if r["message"].startswith('type="SEND_RESET_PASSWORD",')]
    return {"bridge": bridge, "fix_view": fix_view, "first_merge": merges[0], "merge_cut": merges[2], "last_merge": merges[-1],
            "n_merge": len(merges), "code_first_per_node": dict(sorted(first_per_node.items())), "last_code_err": code_err[-1]["timestamp"],
            "n_code_err": len(code_err), "smtp_first": smtp[0], "n_smtp": len(smtp), "last_reset_ok": resets_ok[-1]}


KEYCLOAK_PROBLEM = [{"field": {"kc.level": "WARN|ERROR"}}]


def questions_keycloak(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in KEYCLOAK_PROBLEM]

    return [
        q("broad",
          "sso is acting up since about quarter to two, ppl get kicked back to the login page over and over. what went wrong between "
          "13:45 and 13:47 utc on aug 6?",
          ["JOIN", "expired_code"],
          problems("2024-08-06T13:45:00Z", "2024-08-06T13:47:00Z")),
        q("paraphrase",
          "are the two sso boxes even talking to each other? feels like each one thinks its on its own",
          ["ISPN000094", "merge is cancelled"],
          [{"msg": r"^ISPN000094: .* \(1\) \[", "since": f["bridge"], "until": f["fix_view"]},
           {"msg": "^" + re.escape(K_MERGE) + "$", "until": plus(f["merge_cut"], 0.001)}]),
        q("follow-up",
          "what changed right before that? did somebody redeploy one of them",
          ["172.17.0.2", "24.0.5"],
          {"field": {"docker_host": "idp-2"}, "msg": r"^Keycloak .*(started|stopped) in |^ISPN000079: ", "since": "2024-08-06T13:00:00Z",
           "until": f["first_merge"]}),
        q("lexical",
          "keycloak events say error=\"invalid_code\" on the code exchange for grafana and jira. is that one node or both?",
          ["CODE_TO_TOKEN_ERROR", "idp-2"],
          [{"field": {"docker_host": re.escape(h)}, "msg": r'^type="CODE_TO_TOKEN_ERROR".*error="invalid_code"', "until": plus(ts, 0.001)}
           for h, ts in f["code_first_per_node"].items()]),
        q("follow-up",
          "they recreated idp-2 with host networking a few min ago. did it recover after that or are logins still failing?",
          ["joined the cluster", "10.40.1.12:7800"],
          [{"msg": r"^ISPN000094: .* \(2\) |^ISPN100000: |^ISPN000079: |^Keycloak .* started in ", "since": f["fix_view"],
            "until": plus(f["fix_view"], 60)},
           {"msg": r'^type="CODE_TO_TOKEN_ERROR".*error="invalid_code"', "since": f["last_code_err"]},
           {"msg": "^" + re.escape(K_MERGE) + "$", "since": f["last_merge"]}]),
        q("paraphrase",
          "unrelated: since last night ppl who forgot their pw never get the recovery link. is our outbound relay refusing the account "
          "keycloak logs in with?",
          ["535 5.7.8", "Failed to send email"],
          {"msg": "^" + re.escape(K_SMTP) + "$"}),
    ]


D_BAD_TIMEOUT = r"timed out resolving '[^']+': 198\.51\.100\.53#53$"
D_QUOTA = r"recursive-clients soft limit exceeded|no more recursive clients"


def facts_dns(records):
    msgs = [(r["timestamp"], r["labels"]["host"], r["message"]) for r in records]
    bad = [t for t, h, m in msgs if re.search(D_BAD_TIMEOUT, m)]
    soft = [t for t, h, m in msgs if "recursive-clients soft limit exceeded" in m]
    hard = [t for t, h, m in msgs if "no more recursive clients" in m]
    quota = [t for t, h, m in msgs if re.search(D_QUOTA, m)]
    fix = next(t for t, h, m in msgs if t > bad[0] and m.endswith("received control channel command 'reconfig'"))
    rej = [t for t, h, m in msgs if "DHCP_DDNS_FORWARD_ADD_REJECTED" in m and f"{D_LAPTOP}.corp.example." in m]
    badsig = [t for t, h, m in msgs if m.endswith("tsig verify failure (BADSIG)")]
    return {"first_bad": bad[0], "bad_cut": bad[4], "last_bad": bad[-1], "n_bad": len(bad), "soft_cut": soft[2], "hard_cut": hard[2],
            "n_soft": len(soft), "n_hard": len(hard), "last_quota": quota[-1], "fix": fix, "laptop_rejected": rej,
            "first_badsig": badsig[0], "n_badsig": len(badsig)}


DNS_PROBLEM = [{"msg": r"^\S+Z [a-z-]+: (warning|error|critical): "},
               {"msg": r"^\S+Z (lame-servers|query-errors): "},
               {"msg": r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (WARN|ERROR|FATAL) "}]


def questions_dns(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in DNS_PROBLEM]

    return [
        q("broad",
          "lots of 'site cant be reached' from the office since about quarter to two, teams and github mostly. what went wrong between "
          "13:58 and 14:00 utc on aug 13?",
          ["198.51.100.53", "SERVFAIL"],
          problems("2024-08-13T13:58:00Z", "2024-08-13T14:00:00Z")),
        q("paraphrase",
          "is the upstream we hand lookups off to just not answering anymore?",
          ["timed out resolving", "198.51.100.53"],
          {"msg": D_BAD_TIMEOUT, "until": plus(f["bad_cut"], 0.001)}),
        q("follow-up",
          "what changed on ns-1 and ns-2 right before that? did anyone push config",
          ["reconfig", "reloading configuration succeeded"],
          {"msg": r"received control channel command 'reconfig'$|reloading configuration succeeded$", "since": "2024-08-13T13:00:00Z",
           "until": f["first_bad"]}),
        q("paraphrase",
          "are they now turning people away because too many lookups are stuck waiting at once?",
          ["soft limit exceeded", "quota reached"],
          [{"msg": "recursive-clients soft limit exceeded", "until": plus(f["soft_cut"], 0.001)},
           {"msg": "no more recursive clients", "until": plus(f["hard_cut"], 0.001)}]),
        q("follow-up",
          "they put the old forwarders back and flushed the cache around 14:40. did it recover after that?",
          ["flushing caches in all views succeeded", "198.51.100.53"],
          [{"msg": r"received control channel command '(reconfig|flush)'$|flushing caches in all views succeeded$", "since": f["fix"],
            "until": plus(f["fix"], 120)},
           {"msg": D_BAD_TIMEOUT, "since": f["last_bad"]},
           {"msg": D_QUOTA, "since": f["last_quota"]}]),
        q("lexical",
          f"unrelated: {D_LAPTOP}.corp.example still resolves to its old ip even tho it got a new lease this morning. are the dns "
          "updates failing?",
          ["RCODE: 9", "BADSIG"],
          [{"msg": r"(?s)^\S+ \S+ ERROR .*" + re.escape(f"{D_LAPTOP}.corp.example.")}]
          + [{"msg": r"tsig verify failure \(BADSIG\)$", "since": plus(t, -1), "until": plus(t, 1)} for t in f["laptop_rejected"]]),
    ]


def facts_prom(records):
    rw_err = [r for r in records if r.get("msg") == "non-recoverable error" and "err-mimir-max-series-per-user" in r.get("err", "")]
    first_per_host = {}
    for r in rw_err:
        first_per_host.setdefault(r["hostname"], r["timestamp"])
    skips = [r["timestamp"] for r in records if r.get("msg") == P_SKIP]
    toomany = [r["timestamp"] for r in records if r.get("err") == P_TOOMANY]
    fix = next(r["timestamp"] for r in records if r["timestamp"] > rw_err[0]["timestamp"] and r.get("msg") == "Loading configuration file"
               and r["hostname"] == "prom-2")
    ready = [r["timestamp"] for r in records if r.get("msg") == "Server is ready to receive web requests."]
    down = next(r["timestamp"] for r in records if r["timestamp"] > fix and r.get("msg") == "Remote storage resharding"
                and int(r["from"]) > int(r["to"]))
    future = [r["timestamp"] for r in records if r.get("msg") == P_FUTURE]
    starts = [r["timestamp"] for r in records if r.get("msg") == "Starting Prometheus Server"]
    return {"first_err": rw_err[0]["timestamp"], "first_per_host": dict(sorted(first_per_host.items())), "last_err": rw_err[-1]["timestamp"],
            "n_err": len(rw_err), "skip_cut": skips[4], "last_skip": skips[-1], "n_skip": len(skips), "last_toomany": toomany[-1],
            "fix": fix, "ready_last": ready[-1], "reshard_down": down, "future_first": future[0], "future_cut": future[4],
            "n_future": len(future), "starts": starts}


PROM_PROBLEM = [{"field": {"log_level": "warn|error"}}]


def questions_prom(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in PROM_PROBLEM]

    return [
        q("broad",
          "mimir dashboards are missing data for a bunch of services since ~10 to 2. what went wrong between 13:52 and 13:55 utc on aug 20?",
          ["err-mimir-max-series-per-user", "non-recoverable error"],
          problems("2024-08-20T13:52:00Z", "2024-08-20T13:55:00Z")),
        q("lexical",
          "is the 'err-mimir-max-series-per-user' thing coming from both proms or just one?",
          ["per-user series limit", "prom-2"],
          [{"field": {"hostname": re.escape(h)}, "msg": "err-mimir-max-series-per-user", "until": plus(ts, 0.001)}
           for h, ts in f["first_per_host"].items()]),
        q("follow-up",
          "what changed before that? did anyone touch teh scrape config this afternoon",
          ["Completed loading of configuration file", "/etc/prometheus/prometheus.yml"],
          {"field": {"msg": "Loading configuration file|Completed loading of configuration file"}, "since": "2024-08-20T12:00:00Z",
           "until": f["first_err"]}),
        q("paraphrase",
          "so the feed into our long-term archive cant keep up and keeps lagging further behind?",
          ["Skipping resharding", "last successful send was beyond threshold"],
          {"field": {"msg": re.escape(P_SKIP)}, "until": plus(f["skip_cut"], 0.001)}),
        q("follow-up",
          "they pulled that job and started prom-1 again with more memory. did it recover after that or is it still falling over?",
          ["Server is ready to receive web requests", "from=30 to=11"],
          [{"field": {"msg": "Completed loading of configuration file", "hostname": "prom-2"}, "since": f["fix"],
            "until": plus(f["fix"], 60)},
           {"field": {"msg": re.escape("Server is ready to receive web requests.")}, "since": f["ready_last"]},
           {"field": {"msg": "Remote storage resharding"}, "since": f["reshard_down"], "until": plus(f["reshard_down"], 0.001)},
           {"field": {"msg": re.escape(P_SKIP)}, "since": f["last_skip"]},
           {"field": {"msg": "non-recoverable error"}, "since": f["last_err"]},
           {"field": {"err": re.escape(P_TOOMANY)}, "since": f["last_toomany"]}]),
        q("paraphrase",
          "unrelated: graphs for the nightly job box are empty since last night. is it binning whatever it pulls from there bc that "
          "machine's clock is off?",
          ["too far into the future", "10.70.5.17"],
          {"field": {"msg": re.escape(P_FUTURE)}, "until": plus(f["future_cut"], 0.001)}),
    ]


# =============================================================================================
# Question specs, rules and checks


def q(style, ask, mentions, rule):
    assert style in STYLES, style
    return {"style": style, "ask": ask, "mentions": mentions, "rule": rule}


SYSTEMS = [
    {
        "id": "r-keycloak",
        "title": "Keycloak 24 SSO on idp-1/idp-2 (Docker, Fluentd): idp-2 is redeployed as 24.0.5 on Docker's bridge network, so "
                 "JGroups advertises 172.17.0.2:7800; the Infinispan cluster splits into two one-node partitions (JOIN timeouts, "
                 "`merge is cancelled`) and logins that touch both nodes fail (`expired_code`, `CODE_TO_TOKEN_ERROR` `invalid_code`, "
                 "`Session not active`) until idp-2 is recreated with host networking; overnight the SMTP relay rejects Keycloak's "
                 "account (`KC-SERVICES0029: Failed to send email`, 535 5.7.8) and password-reset mails fail",
        "gen": gen_keycloak,
        "facts": facts_keycloak,
        "questions": questions_keycloak,
    },
    {
        "id": "r-dns",
        "title": "office DNS/DHCP (BIND 9.18 ns-1/ns-2, Kea 2.4 dhcp-1/dhcp-2 HA, kea-dhcp-ddns) via Loki: an Ansible run points "
                 "the resolvers' forwarders at 198.51.100.53, which never answers; resolutions time out, clients get SERVFAIL and "
                 "the recursive-clients quota is hit until the old forwarders are restored and the cache flushed; overnight a "
                 "rotated TSIG key on ns-1 makes every DDNS update fail with BADSIG / RCODE 9",
        "gen": gen_dns,
        "facts": facts_dns,
        "questions": questions_dns,
    },
    {
        "id": "r-prom",
        "title": "Prometheus 2.53 HA pair + Alertmanager 0.27 (logfmt via Vector): a new scrape job with a high-cardinality label "
                 "makes Mimir reject series (err-mimir-max-series-per-user) and throttle (429), remote write falls behind "
                 "(`Skipping resharding`), recording rules fail and prom-1 is OOM-killed in a WAL-replay loop until the job is "
                 "removed and prom-1 restarted with more memory; overnight batch-7's clock runs ahead and its samples are dropped "
                 "as too far into the future",
        "gen": gen_prom,
        "facts": facts_prom,
        "questions": questions_prom,
    },
]


def as_text(v):
    if isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


MISSING = object()


def get_field(rec, name):
    """A key of the record first, else a dotted path into nested objects."""
    if isinstance(rec, dict) and name in rec:
        return rec[name]
    if not isinstance(rec, dict):
        return MISSING
    parts = name.split(".")
    for i in range(len(parts) - 1, 0, -1):
        head = ".".join(parts[:i])
        if head in rec:
            v = get_field(rec[head], ".".join(parts[i:]))
            if v is not MISSING:
                return v
    return MISSING


def matches(rec, rule):
    if rule.get("msg") and not re.search(rule["msg"], rec["message"]):
        return False
    if rule.get("not_msg") and re.search(rule["not_msg"], rec["message"]):
        return False
    for name, rx in (rule.get("field") or {}).items():
        v = get_field(rec, name)
        if v is MISSING or v is None or not re.fullmatch(rx, as_text(v)):
            return False
    if rule.get("since") or rule.get("until"):
        t = parse_ts(rec["timestamp"])
        if rule.get("since") and t < parse_ts(rule["since"]):
            return False
        if rule.get("until") and t >= parse_ts(rule["until"]):
            return False
    return True


def relevant(records, rule):
    rules = rule if isinstance(rule, list) else [rule]
    for r in rules:
        assert set(r) <= {"msg", "not_msg", "field", "since", "until"}, r
        assert r.get("msg") or r.get("field"), f"rule selects too much: {r}"
        for k in ("since", "until"):
            if r.get(k):
                assert re.search(r"(Z|[+-]\d\d:\d\d)$", r[k]), f"{k} has no offset: {r[k]}"
                parse_ts(r[k])
    return [n for n, rec in enumerate(records, 1) if any(matches(rec, r) for r in rules)]


STOP = set(
    """a an the and or of to in on at for from by with without any anything did do does was were is are
    be been it its it's this that those these what which who whom when where why how many much some
    than then there their them they we our us i me my you your one ones like just only ever after before
    between around going into about over up out off again apart other else more most way not no yes
    had has have get got give given still same each every all both also very too can could would should
    through own later since until utc i'm i've what's who's that's there's so""".split()
)


def content_words(text):
    return sorted({w for w in re.findall(r"[a-z][a-z0-9']+", text.lower()) if w not in STOP and len(w) > 2})


def shared_with(ask, messages):
    """Content words of the ask that equal, or share the first four letters with, a word of the messages."""
    logw = set()
    for m in messages:
        logw |= set(re.findall(r"[a-z][a-z0-9']+", m.lower()))
    hits = []
    for a in content_words(ask):
        for w in sorted(logw):
            if a == w or (len(a) >= 4 and len(w) >= 4 and a[:4] == w[:4]):
                hits.append(f"{a}~{w}")
    return hits


def ceiling(records, lines):
    groups = {}
    for n in lines:
        m = records[n - 1]["message"]
        groups[m] = groups.get(m, 0) + 1
    top = sorted(groups.values(), reverse=True)[:10]
    return sum(top) / len(lines), len(groups)


def check_records(sid, records, tpls):
    assert MIN_RECORDS <= len(records) <= MAX_RECORDS, f"{sid}: {len(records)} records"
    prev = None
    for i, r in enumerate(records, 1):
        assert isinstance(r.get("message"), str) and r["message"].strip(), f"{sid}:{i} empty message"
        assert isinstance(r.get("timestamp"), str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", r["timestamp"]), (
            f"{sid}:{i} timestamp is not ISO 8601 UTC with milliseconds and Z")
        for k in FORBIDDEN_TOP:
            assert k not in r, f"{sid}:{i} has a top-level {k!r}"
        t = parse_ts(r["timestamp"])
        assert prev is None or t >= prev, f"{sid}:{i} timestamp goes backwards"
        prev = t
    span = (parse_ts(records[-1]["timestamp"]) - parse_ts(records[0]["timestamp"])).total_seconds() / 3600
    assert MIN_SPAN_H <= span <= MAX_SPAN_H, f"{sid}: span {span:.1f} h"
    n_tpl = len(set(tpls))
    assert n_tpl >= MIN_TEMPLATES, f"{sid}: only {n_tpl} templates"
    return span, n_tpl


def who(r):
    for name in ("hostname", "docker_host", "labels.host"):
        v = get_field(r, name)
        if v is not MISSING:
            return str(v)
    return ""


def jdump(obj):
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("--show", action="store_true", help="print every turn's relevant lines and template counts; write nothing")
    a = ap.parse_args()
    out = Path(a.out)

    seen_asks, outputs, table, overlaps = set(), [], [], []
    qfile = {"incidents": []}
    for sysdef in SYSTEMS:
        sid = sysdef["id"]
        assert re.fullmatch(r"r-[a-z0-9-]+", sid), sid
        records, tpls = sysdef["gen"]()
        span, n_tpl = check_records(sid, records, tpls)
        facts = sysdef["facts"](records)
        qs = sysdef["questions"](facts)
        if a.show:
            counts = {}
            for tp in tpls:
                counts[tp] = counts.get(tp, 0) + 1
            print(f"\n######## {sid}: {len(records)} records, {n_tpl} templates, span {span:.1f} h, "
                  f"{records[0]['timestamp']} .. {records[-1]['timestamp']}")
            print(f"   facts: {facts}")
            for tp, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
                print(f"  {c:5d}  {tp}")
        per_style = {s: 0 for s in STYLES}
        turns = []
        assert len(qs) == 6, sid
        for qd in qs:
            ask = qd["ask"]
            key = " ".join(ask.lower().split())
            assert key not in seen_asks, f"duplicate ask: {ask}"
            seen_asks.add(key)
            per_style[qd["style"]] += 1
            lines = relevant(records, qd["rule"])
            ceil, distinct = ceiling(records, lines) if lines else (0.0, 0)
            if a.show:
                print(f"\n== {sid} [{qd['style']}] {ask}  ({len(lines)} lines, {distinct} msgs, ceiling {ceil:.3f})")
                print(f"   mentions: {qd['mentions']}")
                for n in lines:
                    r = records[n - 1]
                    print(f"  {n:5d} {r['timestamp']} {who(r)} | {r['message'].splitlines()[0][:170]}")
            assert MIN_LINES <= len(lines) <= MAX_LINES, f"{sid}: {ask!r} selects {len(lines)} lines"
            assert all(1 <= n <= len(records) for n in lines), f"{sid}: line out of range"
            assert distinct <= MAX_MSGS, f"{sid}: {ask!r} has {distinct} distinct messages"
            assert len(qd["mentions"]) == 2, ask
            for m in qd["mentions"]:
                assert any(m.lower() in as_text(v).lower() for n in lines for v in records[n - 1].values()), (
                    f"{sid}: mention {m!r} is not in any relevant line of {ask!r}"
                )
            if qd["style"] == "paraphrase":
                hits = shared_with(ask, [records[n - 1]["message"] for n in lines])
                if hits:
                    overlaps.append((sid, ask, hits))
            turns.append({"ask": ask, "expect": {"relevant_lines": lines, "mentions": qd["mentions"]}})
            table.append((sid, qd["style"], len(lines), distinct, ceil, ask))
        assert all(v >= 1 for v in per_style.values()), f"{sid}: styles {per_style}"
        assert per_style["paraphrase"] == PARAPHRASES_PER_SYSTEM, f"{sid}: {per_style['paraphrase']} paraphrase turns"
        incident = {
            "id": sid,
            "title": sysdef["title"],
            "environment": "prod",
            "window": {"start": records[0]["timestamp"], "end": records[-1]["timestamp"]},
            "turns": turns,
        }
        outputs.append((sid, records, incident))
        qfile["incidents"].append({"id": sid, "turns": [{"ask": t["ask"], "style": t["style"]} for t in qs]})

    if overlaps:
        print("\nparaphrase asks sharing a word (or a 4-letter prefix) with their relevant lines:")
        for sid, ask, hits in overlaps:
            print(f"  {sid}: {hits}  <- {ask}")
        print("nothing written")
        return 1
    if a.show:
        return 0

    written = []
    out.mkdir(parents=True, exist_ok=True)
    for sid, records, incident in outputs:
        d = out / sid
        d.mkdir(exist_ok=True)
        with open(d / "logs.jsonl", "w", encoding="utf-8", newline="\n") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        with open(d / "incident.json", "w", encoding="utf-8", newline="\n") as f:
            f.write(jdump(incident))
        written += [d / "logs.jsonl", d / "incident.json"]
    with open(out / "questions.json", "w", encoding="utf-8", newline="\n") as f:
        f.write(jdump(qfile))
    written.append(out / "questions.json")

    print(f"{'incident':13s} {'style':10s} {'lines':>5s} {'msgs':>4s} {'ceil':>5s}  ask")
    for sid, style, n, distinct, ceil, ask in table:
        print(f"{sid:13s} {style:10s} {n:5d} {distinct:4d} {ceil:5.3f}  {ask}")
    print()
    for p in written:
        print(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(out).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

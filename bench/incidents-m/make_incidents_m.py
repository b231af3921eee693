#!/usr/bin/env python3
"""Build the "incidents-m" evaluation set: three synthetic incidents, each a six-turn on-call thread.

Usage: python3 make_incidents_m.py [--out DIR] [--show]

  --out   where to write; default: the folder of this script.
  --show  print every turn's relevant lines and each system's template counts; write nothing.

Writes <out>/m-<system>/logs.jsonl and incident.json for three systems, and <out>/questions.json
(the style of every turn, for shared/spec/score_replay.py --questions), then prints the sha256 of
every file written. Standard library only. All randomness comes from random.Random with fixed
seeds and nothing iterates over a set or depends on hash order, so a second run writes identical
bytes under any PYTHONHASHSEED.

The logs are synthetic. Each system is simulated from a story (a fault with a cause and its
consequences, a second unrelated problem, routine lines and noise) and written in the wording of
the real software as closely as the author could remember it. Every record carries the two fields
the replay format requires, `timestamp` (ISO 8601 with Z) and `message`; all other fields keep the
names (and the nesting) the source or its shipper writes, so none of the three has `level`,
`service`, `host`, `method`, `request_id` or `user_id` as top-level fields:

  m-mongo      a MongoDB 6.0 replica set `rs-shop` (mongo-0/1/2), mongod's own structured JSON log
               lines as written (t {"$date"}, s, c, id, ctx, msg, attr {...}), tailed by Fluent Bit
               with `hostname` and `log_file` added and a Lua filter that adds `timestamp` (t.$date
               in UTC with Z) and `message` (msg, then attr as compact JSON, the way mongod's 4.2
               text log used to read).
  m-lambda     AWS Lambda functions and an API Gateway REST stage's access log, as CloudWatch Logs
               events exported with `aws logs filter-log-events` (one call per log group, the
               group's name kept on each event): logGroupName, logStreamName, timestamp, message,
               ingestionTime, eventId. CloudWatch's `timestamp` (epoch ms) is written as ISO 8601
               (the replay format requires it); `ingestionTime` stays epoch ms. Messages are as
               the runtimes write them (START/END/REPORT RequestId lines, the Node.js runtime's
               `<time>\t<RequestId>\tINFO\t...` and `Invoke Error ` JSON, Python's `[INFO]\t...`,
               `Task timed out after`, `Runtime exited with error`), trailing newline included.
               The API Gateway access log's message is the JSON text of the stage's format; its
               keys (httpMethod, status, requestId, ...) live inside `message`, not as fields.
  m-cassandra  a Cassandra 4.1 cluster `shop-prod` (cass-1..cass-6), /var/log/cassandra/system.log
               shipped by Filebeat 8 (filestream input, multiline for stack traces, a dissect
               processor, no add_host_metadata): @timestamp, agent {hostname, name, type, version,
               id}, log {file.path, offset, flags}, input, ecs, cloud {...}, fields {cluster, dc},
               cassandra {level, thread, source} (from dissect), and `message` = the raw line(s).
               `timestamp` is a copy of @timestamp.

Four styles: broad (a time window, "what went wrong"), lexical (an exact id, host, number or quoted
log fragment), paraphrase (plain words about lines whose wording the ask does not share) and
follow-up (the ask only makes sense after the earlier turns: "it", "that box", "after that").
Relevant lines are never listed by hand: a rule selects them. A rule is a dict, or a list of dicts
whose selections are united; every condition of a dict must hold:

  msg      regex searched in `message`
  not_msg  regex that must NOT be found in `message`
  field    {name: regex}, fully matched against the field's text (JSON text for numbers, null and
           objects). A name is looked up as a key first and otherwise as a dotted path into nested
           objects ("agent.hostname", "cassandra.level").
  since    ISO 8601 with offset; the record's timestamp must be >= it
  until    ISO 8601 with offset; the record's timestamp must be < it

Checks before anything is written: 1,500-2,500 records per system, timestamps never go backwards
and carry Z, span 20-48 h, at least 25 templates, no forbidden top-level field; every turn selects
1-40 lines holding at most 10 distinct messages (so a perfect top 10 of distinct messages can find
all of them); both mentions occur (case-insensitively) in some field of a relevant line; every
style at least once per system; no ask repeats. Paraphrase asks are checked for any content word,
or any pair of words with the same first four letters, shared with the messages of their relevant
lines; if one is found it is printed and the script exits 1 without writing.
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


def uuid4(rng):
    h = hexs(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def inside(t, windows):
    return any(a <= t < b for a, b in windows)


def iso_ms(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def plus(ts, seconds):
    return iso_ms(parse_ts(ts) + sec(seconds))


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def day_shape(t):
    return 1.0 if 7 <= t.hour < 21 else 0.35


# =============================================================================================
# 1. mongo: the MongoDB 6.0 replica set `rs-shop` (mongo-0 primary, mongo-1 and mongo-2
#    secondaries; the oplog is sized for a normal day, ~9 h of it). At 15:06 on the 13th an
#    engineer starts a one-off backfill script (appName `backfill-loyalty`, from the ops box
#    10.0.8.15) that sets `loyaltyTier` on millions of customers with unindexed `update ...
#    multi:true` batches: every batch is a collection scan that rewrites ~50k documents. The
#    oplog fills with those updates; both secondaries fall behind applying them (slow `Applied
#    op` lines), the majority commit point stops moving, flow control engages on the primary, and
#    checkout-api's inserts and updates, which ask for w:"majority" with wtimeout 5000, fail with
#    `waiting for replication timed out` (WriteConcernFailed, code 64). The pools grow while the
#    writes hang. At 15:31 mongo-2, on a slower volume, has fallen off the end of the primary's
#    oplog: `too stale`, RECOVERING, stuck there. The script ends at 15:53; checkout recovers;
#    at 17:38 the on-call wipes mongo-2 and it does an initial sync, SECONDARY again at 18:08.
#    Unrelated: the `metabase` database user's password was rotated at 08:58 but Metabase still
#    has the old one: `Authentication failed ... storedKey mismatch` every few minutes from 09:00.

M_NODES = ["mongo-0", "mongo-1", "mongo-2"]
M_FQDN = {n: f"{n}.db.internal:27017" for n in M_NODES}
M_IP = {"mongo-0": "10.0.2.10", "mongo-1": "10.0.2.11", "mongo-2": "10.0.2.12"}
M_CHECKOUT = ["10.0.6.41", "10.0.6.42", "10.0.6.43", "10.0.6.44"]
M_CATALOG = ["10.0.7.21", "10.0.7.22", "10.0.7.23"]
M_METABASE = "10.0.3.77"
M_OPS = "10.0.8.15"
M_BACKUP = "10.0.9.5"
M_SPECIAL = ("10.0.6.41", 52878)
M_DRIVERS = {
    "checkout-api": {"driver": {"name": "nodejs", "version": "5.9.2"},
                     "os": {"type": "Linux", "name": "linux", "architecture": "x64", "version": "5.10.215-203.850.amzn2.x86_64"},
                     "platform": "Node.js v18.19.1, LE (unified)"},
    "catalog-api": {"driver": {"name": "mongo-go-driver", "version": "v1.14.0"}, "os": {"type": "linux", "architecture": "amd64"},
                    "platform": "go1.21.8"},
    "Metabase": {"driver": {"name": "mongo-java-driver|sync", "version": "4.11.1"},
                 "os": {"type": "Linux", "name": "Linux", "architecture": "amd64", "version": "5.15.0-1057-aws"},
                 "platform": "Java/Eclipse Adoptium/11.0.22+7"},
    "backfill-loyalty": {"driver": {"name": "PyMongo", "version": "4.6.3"},
                         "os": {"type": "Linux", "name": "Linux", "architecture": "x86_64", "version": "6.5.0-1017-aws"},
                         "platform": "CPython 3.11.9.final.0"},
    "mongodump": {"driver": {"name": "mongo-go-driver", "version": "v1.12.1"}, "os": {"type": "linux", "architecture": "amd64"},
                  "platform": "go1.20.11"},
}
M_USER = {"checkout-api": "checkout", "catalog-api": "catalog", "Metabase": "metabase", "backfill-loyalty": "ops-admin",
          "mongodump": "backup"}
M_LOCKS_W = {"ParallelBatchWriterMode": {"acquireCount": {"r": 1}}, "FeatureCompatibilityVersion": {"acquireCount": {"w": 1}},
             "ReplicationStateTransition": {"acquireCount": {"w": 1}}, "Global": {"acquireCount": {"w": 1}},
             "Database": {"acquireCount": {"w": 1}}, "Collection": {"acquireCount": {"w": 1}}, "Mutex": {"acquireCount": {"r": 1}}}
M_LOCKS_R = {"FeatureCompatibilityVersion": {"acquireCount": {"r": 1}}, "Global": {"acquireCount": {"r": 1}},
             "Mutex": {"acquireCount": {"r": 1}}}


def iso_mongo(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+00:00"


def gen_mongo():
    rng = random.Random(20240513)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 5, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(13, 7, 40), at(14, 8, 55)
    ROTATE = at(13, 8, 58, 12.0)
    BF_START, BF_END = at(13, 15, 6, 41.32), at(13, 15, 53, 12.7)
    FC_START, FC_END = at(13, 15, 18, 27.5), at(13, 15, 55, 2.0)
    STALE = at(13, 15, 31, 8.46)
    STOP2, START2 = at(13, 17, 38, 2.114), at(13, 17, 38, 41.602)
    INIT_DONE = at(13, 18, 7, 55.38)
    DUMP = at(14, 1, 0, 3.0)
    QUIET = [(at(13, 8, 55), at(13, 9, 20)), (at(13, 15, 15), at(13, 15, 26))]
    conn_next = {"mongo-0": 48112, "mongo-1": 31207, "mongo-2": 29844}
    conn_count = {"mongo-0": 214, "mongo-1": 96, "mongo-2": 88}
    down2 = [(STOP2, INIT_DONE)]

    def rec(dt, node, s, c, mid, ctx, msg, attr, tpl):
        r = {"t": {"$date": iso_mongo(dt)}, "s": s, "c": c, "id": mid, "ctx": ctx, "msg": msg}
        if attr is not None:
            r["attr"] = attr
        r["hostname"] = node
        r["log_file"] = "/var/log/mongodb/mongod.log"
        r["timestamp"] = iso_ms(dt)
        r["message"] = msg if attr is None else f"{msg} {compact(attr)}"
        L.add(dt, tpl, r)

    def port():
        while True:
            p = rng.randint(40000, 60999)
            if p != M_SPECIAL[1]:
                return p

    def lsid():
        return {"id": {"$uuid": uuid4(rng)}}

    # ---- connections: accepted, client metadata, authentication, ended
    def connection(t0, node, app, ip, life, prt=None, auth_ok=True):
        if node == "mongo-2" and inside(t0, down2):
            return None
        cid = conn_next[node]
        conn_next[node] += 1
        prt = prt or port()
        remote = f"{ip}:{prt}"
        uid = uuid4(rng)
        conn_count[node] = max(40, conn_count[node] + rng.choice([-1, 0, 1, 1]))
        ctx = f"conn{cid}"
        rec(t0, node, "I", "NETWORK", 22943, "listener", "Connection accepted",
            {"remote": remote, "uuid": {"uuid": {"$uuid": uid}}, "connectionId": cid, "connectionCount": conn_count[node]}, "m_conn_accepted")
        doc = dict(M_DRIVERS[app])
        doc["application"] = {"name": app}
        t = t0 + sec(rng.uniform(0.001, 0.004))
        rec(t, node, "I", "NETWORK", 51800, ctx, "client metadata", {"remote": remote, "client": ctx, "doc": doc}, "m_client_metadata")
        t += sec(rng.uniform(0.004, 0.02))
        user = M_USER[app]
        if auth_ok:
            rec(t, node, "I", "ACCESS", 5286306, ctx, "Successfully authenticated",
                {"client": remote, "isSpeculative": app != "Metabase", "isClusterMember": False, "mechanism": "SCRAM-SHA-256",
                 "user": user, "db": "admin", "result": 0,
                 "metrics": {"conversation_duration": {"micros": rng.randint(3200, 9800),
                                                       "summary": {"0": {"step": 1, "step_total": 2, "duration_micros": rng.randint(80, 190)},
                                                                   "1": {"step": 2, "step_total": 2, "duration_micros": rng.randint(25, 70)}}}},
                 "extraInfo": {}}, "m_auth_ok")
        else:
            rec(t, node, "I", "ACCESS", 20249, ctx, "Authentication failed",
                {"mechanism": "SCRAM-SHA-256", "speculative": False, "principalName": user, "authenticationDatabase": "admin",
                 "remote": remote, "extraInfo": {}, "error": "AuthenticationFailed: SCRAM authentication failed, storedKey mismatch"},
                "m_auth_failed")
            life = rng.uniform(0.01, 0.05)
        end = t + sec(life)
        if end < T1 and not (node == "mongo-2" and inside(end, down2)):
            conn_count[node] = max(40, conn_count[node] - 1)
            rec(end, node, "I", "NETWORK", 22944, ctx, "Connection ended",
                {"remote": remote, "uuid": {"uuid": {"$uuid": uid}}, "connectionId": cid, "connectionCount": conn_count[node]},
                "m_conn_ended")
        return ctx, remote

    opens = []
    for ip in M_CHECKOUT:
        for t in poisson(rng, T0, T1, 1.6, day_shape):
            opens.append((t, "mongo-0", "checkout-api", ip, rng.uniform(300, 3000)))
    for ip in M_CATALOG:
        for node in M_NODES:
            for t in poisson(rng, T0, T1, 0.8, day_shape):
                opens.append((t, node, "catalog-api", ip, rng.uniform(200, 2400)))
    # Metabase syncs every 20 minutes and opens one connection per dashboard load
    t = T0 + sec(41.7)
    while t < T1:
        t1 = t + sec(rng.uniform(0, 2.5))
        opens.append((t1, "mongo-1", "Metabase", M_METABASE, rng.uniform(2, 9)))
        if t1 >= ROTATE:  # the sync task retries once
            opens.append((t1 + sec(rng.uniform(2.0, 4.0)), "mongo-1", "Metabase", M_METABASE, 1.0))
        t += sec(1200)
    for t in poisson(rng, T0, T1, 1.0, day_shape):
        opens.append((t, "mongo-1", "Metabase", M_METABASE, rng.uniform(5, 60)))
    opens.sort(key=lambda o: (o[0], o[1], o[2], o[3]))
    for t, node, app, ip, life in opens:
        connection(t, node, app, ip, life, auth_ok=not (app == "Metabase" and t >= ROTATE))

    # ---- routine slow operations
    def slow_find(t, node, remote, ctx, err=False):
        coll = rng.choice(["products", "products", "categories", "reviews"])
        filt = {"products": {"categoryId": rng.randint(100, 990), "active": True},
                "categories": {"parentId": rng.randint(1, 60)}, "reviews": {"productId": f"P{rng.randint(100000, 999999)}"}}[coll]
        attr = {"type": "command", "ns": f"shop.{coll}", "appName": "catalog-api",
                "command": {"find": coll, "filter": filt, "sort": {"_id": 1}, "limit": 48, "maxTimeMS": 2000, "lsid": lsid(),
                            "$readPreference": {"mode": "secondaryPreferred"}, "$db": "shop"},
                "planSummary": "IXSCAN { " + next(iter(filt)) + ": 1 }", "planningTimeMicros": rng.randint(60, 900),
                "keysExamined": rng.randint(40, 9000), "docsExamined": rng.randint(40, 9000), "cursorExhausted": True,
                "numYields": rng.randint(0, 12), "nreturned": rng.randint(0, 48), "queryHash": hexs(rng, 8).upper(),
                "planCacheKey": hexs(rng, 8).upper(), "queryFramework": "classic", "reslen": rng.randint(900, 90000),
                "locks": M_LOCKS_R, "readConcern": {"level": "local", "provenance": "implicitDefault"},
                "storage": {"data": {"bytesRead": rng.randint(10000, 9000000), "timeReadingMicros": rng.randint(1000, 90000)}},
                "remote": remote, "protocol": "op_msg"}
        if err:
            attr.update({"errMsg": "operation exceeded time limit", "errName": "MaxTimeMSExpired", "errCode": 50,
                         "durationMillis": rng.randint(2000, 2012)})
            rec(t, node, "I", "COMMAND", 51803, ctx, "Slow query", attr, "m_slow_find_maxtime")
        else:
            attr["durationMillis"] = rng.randint(104, 690)
            rec(t, node, "I", "COMMAND", 51803, ctx, "Slow query", attr, "m_slow_find")

    def some_remote(ips):
        return f"{rng.choice(ips)}:{port()}", f"conn{rng.randint(20000, 47000)}"

    for node in M_NODES:
        for t in poisson(rng, T0, T1, 2.5, day_shape):
            if node == "mongo-2" and inside(t, [(STALE, INIT_DONE)]):
                continue
            slow_find(t, node, *some_remote(M_CATALOG))
        for t in poisson(rng, T0, T1, 0.22):
            if inside(t, QUIET) or (node == "mongo-2" and inside(t, [(STALE, INIT_DONE)])):
                continue
            slow_find(t, node, *some_remote(M_CATALOG), err=True)
        for t in poisson(rng, T0, T1, 0.6, day_shape):
            if node == "mongo-2" and inside(t, [(STALE, INIT_DONE)]):
                continue
            rec(t, node, "I", "COMMAND", 20883, f"conn{rng.randint(20000, 47000)}", "Interrupted operation as its client disconnected",
                {"opId": rng.randint(10**6, 9 * 10**7)}, "m_interrupted")
    for t in poisson(rng, T0, T1, 1.2, day_shape):
        remote, ctx = some_remote(M_CHECKOUT)
        rec(t, "mongo-0", "I", "COMMAND", 51803, ctx, "Slow query",
            {"type": "command", "ns": "shop.orders", "appName": "checkout-api",
             "command": {"insert": "orders", "ordered": True, "writeConcern": {"w": "majority", "wtimeout": 5000}, "lsid": lsid(),
                         "txnNumber": rng.randint(1, 400), "$db": "shop"},
             "ninserted": 1, "numYields": 0, "reslen": 230, "locks": M_LOCKS_W,
             "flowControl": {"acquireCount": 1, "timeAcquiringMicros": rng.randint(0, 3)},
             "writeConcern": {"w": "majority", "wtimeout": 5000, "provenance": "clientSupplied"}, "storage": {}, "remote": remote,
             "protocol": "op_msg", "durationMillis": rng.randint(101, 340)}, "m_slow_insert")
    t = T0 + sec(rng.uniform(30, 500))
    while t < T1:
        rec(t, "mongo-0", "I", "INDEX", 5479200, "TTLMonitor", "Deleted expired documents using index",
            {"namespace": rng.choice(["shop.sessions", "shop.sessions", "shop.carts"]),
             "index": "expiresAt_1", "numDeleted": rng.randint(40, 2400), "durationMillis": rng.randint(3, 140)}, "m_ttl")
        t += sec(rng.uniform(600, 1500))

    # ---- the backfill: one unindexed multi-update per batch
    bf_ctx, bf_remote = connection(BF_START - sec(1.2), "mongo-0", "backfill-loyalty", M_OPS, (BF_END - BF_START).total_seconds() + 2.5)
    regions = ["DE", "AT", "CH", "NL", "BE", "FR", "IT", "ES", "PL", "DK", "SE"]
    t, batch = BF_START, 0
    while t < BF_END:
        dur = rng.randint(14500, 19800) if t < FC_START else rng.randint(21000, 31000)
        t_end = t + sec(dur / 1000.0)
        if t_end > BF_END:
            break
        region = regions[batch % len(regions)]
        n = rng.randint(41000, 56000)
        docs = rng.randint(2800000, 2960000)
        rec(t_end, "mongo-0", "I", "WRITE", 51803, bf_ctx, "Slow query",
            {"type": "update", "ns": "shop.customers", "appName": "backfill-loyalty",
             "command": {"q": {"region": region, "lastOrderAt": {"$gte": {"$date": "2023-11-13T00:00:00.000Z"}},
                               "loyaltyTier": {"$exists": False}},
                         "u": {"$set": {"loyaltyTier": "silver", "loyaltyBackfilledAt": {"$date": iso_ms(t)}}},
                         "multi": True, "upsert": False},
             "planSummary": "COLLSCAN", "keysExamined": 0, "docsExamined": docs, "nMatched": n, "nModified": n, "nUpserted": 0,
             "keysInserted": n, "keysDeleted": n, "numYields": rng.randint(2600, 3400), "locks": M_LOCKS_W,
             "flowControl": {"acquireCount": rng.randint(2600, 3400),
                             "timeAcquiringMicros": rng.randint(10, 900) if t < FC_START else rng.randint(4000000, 9000000)},
             "storage": {"data": {"bytesRead": rng.randint(2 * 10**9, 3 * 10**9), "timeReadingMicros": rng.randint(3 * 10**6, 9 * 10**6)}},
             "remote": bf_remote, "durationMillis": dur}, "m_backfill_update")
        batch += 1
        t = t_end + sec(rng.uniform(0.05, 0.4))
    # secondaries apply the rewritten documents slowly
    for node, rate in (("mongo-1", 50.0), ("mongo-2", 70.0)):
        for t in poisson(rng, BF_START + sec(90), BF_END + sec(300 if node == "mongo-1" else 0), rate):
            if node == "mongo-2" and t >= STALE:
                continue
            ts = int(t.timestamp()) - rng.randint(60, 600)
            rec(t, node, "I", "REPL", 51801, f"ReplWriterWorker-{rng.randint(0, 15)}", "Applied op",
                {"command": {"op": "u", "ns": "shop.customers", "ui": {"$uuid": "3c1e9a52-7a0d-4f43-9d0e-6be1f2f0d4a7"},
                             "o": {"$v": 2, "diff": {"i": {"loyaltyBackfilledAt": {"$date": iso_ms(t - sec(400))}, "loyaltyTier": "silver"}}},
                             "o2": {"_id": {"$oid": hexs(rng, 24)}}, "ts": {"$timestamp": {"t": ts, "i": rng.randint(1, 4000)}},
                             "t": 57, "v": 2, "wall": {"$date": iso_ms(datetime.fromtimestamp(ts, UTC))}},
                 "durationMillis": rng.randint(240, 1900)}, "m_applied_op")
    # the primary's checkpoints drag while the batches run
    t = BF_START + sec(200)
    while t < BF_END:
        s = rng.randint(61, 148)
        rec(t, "mongo-0", "I", "WTCHKPT", 22430, "Checkpointer", "WiredTiger message",
            {"message": {"ts_sec": int(t.timestamp()), "ts_usec": t.microsecond, "thread": f"2871:0x7f3b{hexs(rng, 8)}",
                         "session_dhandle_name": "file:WiredTiger.wt", "session_name": "WT_SESSION.checkpoint",
                         "category": "WT_VERB_CHECKPOINT_PROGRESS", "category_id": 6, "verbose_level": "INFO", "verbose_level_id": 0,
                         "msg": f"Checkpoint has been running for {s} seconds and wrote: {s * rng.randint(1900, 3100)} pages "
                                f"({s * rng.randint(14, 24)} MB)"}}, "m_checkpoint_slow")
        t += sec(rng.uniform(240, 420))
    for t in (at(13, 15, 26, 12.8), at(13, 15, 41, 3.3)):
        rec(t, "mongo-0", "W", "FTDC", 20631, "ftdc", "serverStatus was very slow",
            {"timeStats": {"after basic": 0, "after asserts": 0, "after connections": 0, "after electionMetrics": 0,
                           "after flowControl": 0, "after globalLock": 1, "after locks": 1, "after network": 1, "after opLatencies": 1,
                           "after opcounters": 1, "after repl": rng.randint(1100, 2400), "after storageEngine": rng.randint(1100, 2400),
                           "after tcmalloc": rng.randint(1100, 2400), "after wiredTiger": rng.randint(2500, 4200),
                           "at end": rng.randint(2500, 4200)}}, "m_serverstatus_slow")
    # flow control, logged every two minutes while engaged
    t = FC_START
    while t < FC_END:
        rec(t, "mongo-0", "W", "STORAGE", 22225, "FlowControlRefresher",
            "Flow control is engaged and the sustainer point is not moving. Please check the health of all secondaries.", None,
            "m_flow_control")
        t += sec(120)

    # ---- checkout writes waiting for w:majority time out; the pools grow meanwhile
    pool = [(f"{rng.choice(M_CHECKOUT)}:{port()}", f"conn{rng.randint(41000, 47900)}") for _ in range(10)]
    special = None
    for k, t in enumerate(sorted(poisson(rng, FC_START + sec(20), FC_START + sec(400), 30.0)) + [at(13, 15, 19, 52.31)]):
        if t == at(13, 15, 19, 52.31):
            special = connection(t, "mongo-0", "checkout-api", M_SPECIAL[0], 1012.4, prt=M_SPECIAL[1])
        else:
            pool.append(connection(t, "mongo-0", "checkout-api", rng.choice(M_CHECKOUT), rng.uniform(900, 2400)))

    def wc_fail(t_end, remote, ctx, insert=None):
        dur = rng.randint(5001, 5019)
        if insert if insert is not None else rng.random() < 0.7:
            cmd = {"insert": "orders", "ordered": True, "writeConcern": {"w": "majority", "wtimeout": 5000}, "lsid": lsid(),
                   "txnNumber": rng.randint(1, 400), "$db": "shop"}
            attr = {"type": "command", "ns": "shop.orders", "appName": "checkout-api", "command": cmd, "ninserted": 1}
            tpl = "m_wc_fail_insert"
        else:
            cmd = {"update": "carts", "ordered": True, "writeConcern": {"w": "majority", "wtimeout": 5000}, "lsid": lsid(),
                   "txnNumber": rng.randint(1, 400), "$db": "shop"}
            attr = {"type": "command", "ns": "shop.carts", "appName": "checkout-api", "command": cmd, "nMatched": 1, "nModified": 1}
            tpl = "m_wc_fail_update"
        attr.update({"numYields": 0, "reslen": rng.choice([312, 318, 324]), "locks": M_LOCKS_W,
                     "flowControl": {"acquireCount": 1, "timeAcquiringMicros": rng.randint(200000, 1900000)},
                     "writeConcern": {"w": "majority", "wtimeout": 5000, "provenance": "clientSupplied"}, "storage": {},
                     "remote": remote, "protocol": "op_msg", "errMsg": "waiting for replication timed out",
                     "errName": "WriteConcernFailed", "errCode": 64, "durationMillis": dur})
        rec(t_end, "mongo-0", "I", "COMMAND", 51803, ctx, "Slow query", attr, tpl)

    for t in poisson(rng, FC_START + sec(30), BF_END + sec(40), 70.0):
        choices = [p for p in pool if p is not None]
        remote, ctx = rng.choice(choices)
        wc_fail(t, remote, ctx)
    for t in (at(13, 15, 21, 7.93), at(13, 15, 22, 41.18)):
        wc_fail(t, special[1], special[0], insert=True)

    # ---- mongo-2 falls off the oplog
    last_fetched = {"$timestamp": {"t": int((STALE - sec(3121)).timestamp()), "i": 1877}}
    cyc = STALE
    while cyc < STOP2:
        for k, cand in enumerate(("mongo-0", "mongo-1")):
            tt = cyc + sec(0.004 + k * 0.011)
            rec(tt, "mongo-2", "W", "REPL", 5579701, "BackgroundSync",
                "We are too stale to use candidate as a sync source. Denylisting this sync source because our last fetched timestamp "
                "is before their earliest timestamp",
                {"candidate": M_FQDN[cand], "lastOpTimeFetchedTimestamp": last_fetched,
                 "remoteEarliestOpTimeTimestamp": {"$timestamp": {"t": int((cyc - sec(2900 + rng.randint(0, 80))).timestamp()),
                                                                  "i": rng.randint(1, 40)}},
                 "denylistDuration": "1 minute", "denylistUntil": {"$date": iso_mongo(tt + sec(60))}}, "m_too_stale_candidate")
        rec(cyc + sec(0.031), "mongo-2", "I", "REPL", 21798, "BackgroundSync", "Could not find member to sync from", None,
            "m_no_sync_source")
        rec(cyc + sec(0.033), "mongo-2", "E", "REPL", 21803, "BackgroundSync", "Too stale to catch up",
            {"lastOpTimeFetched": {"ts": last_fetched, "t": 57},
             "oldestAvailableOpTimeOnSyncSource": {"ts": {"$timestamp": {"t": int((cyc - sec(2900)).timestamp()), "i": 3}}, "t": 57}},
            "m_too_stale_error")
        if cyc == STALE:
            rec(cyc + sec(0.035), "mongo-2", "I", "REPL", 21358, "BackgroundSync", "Replica set state transition",
                {"newState": "RECOVERING", "oldState": "SECONDARY"}, "m_state_transition")
            for other in ("mongo-0", "mongo-1"):
                rec(cyc + sec(rng.uniform(0.3, 1.9)), other, "I", "REPL", 21215, f"ReplCoord-{rng.randint(1, 9)}", "Member is in new state",
                    {"hostAndPort": M_FQDN["mongo-2"], "newState": "RECOVERING"}, "m_member_state")
        cyc += sec(600 + rng.uniform(0, 4))

    # ---- the on-call wipes mongo-2 and lets it resync
    for k, (ctx, msg, mid, attr, tpl) in enumerate([
            ("SignalHandler", "Received signal", 23377, {"signal": 15, "error": "Terminated"}, "m_signal"),
            ("SignalHandler", "Signal was sent by kill(2)", 23378, {"pid": 1, "uid": 0}, "m_signal_kill"),
            ("SignalHandler", "Shutting down the ReplicaSetMonitor", 4784920, None, "m_shutdown_step"),
            ("SignalHandler", "Shutting down the storage engine", 4784930, None, "m_shutdown_step2"),
            ("SignalHandler", "Now exiting", 20626, None, "m_now_exiting"),
            ("SignalHandler", "Shutting down", 23138, {"exitCode": 0}, "m_exit_code")]):
        rec(STOP2 + sec(0.002 + 0.41 * k), "mongo-2", "I", "CONTROL", mid, ctx, msg, attr, tpl)
    for other in ("mongo-0", "mongo-1"):
        rec(STOP2 + sec(rng.uniform(2.5, 4.5)), other, "I", "REPL", 21216, f"ReplCoord-{rng.randint(1, 9)}",
            "Member is now in state RS_DOWN",
            {"hostAndPort": M_FQDN["mongo-2"],
             "heartbeatMessage": f"Error connecting to {M_FQDN['mongo-2']} (10.0.2.12:27017) :: caused by :: Connection refused"},
            "m_member_down")
    boot = [
        ("CONTROL", 4615611, "initandlisten", "MongoDB starting",
         {"pid": 21877, "port": 27017, "dbPath": "/var/lib/mongodb", "architecture": "64-bit", "host": "mongo-2"}, "m_starting"),
        ("CONTROL", 23403, "initandlisten", "Build Info",
         {"buildInfo": {"version": "6.0.14", "gitVersion": "25225db95574916fecab3af75b184409f8713aef",
                        "openSSLVersion": "OpenSSL 3.0.2 15 Mar 2022", "modules": [], "allocator": "tcmalloc",
                        "environment": {"distmod": "ubuntu2204", "distarch": "x86_64", "target_arch": "x86_64"}}}, "m_build_info"),
        ("CONTROL", 51765, "initandlisten", "Operating System", {"os": {"name": "Ubuntu", "version": "22.04"}}, "m_os"),
        ("CONTROL", 21951, "initandlisten", "Options set by command line",
         {"options": {"config": "/etc/mongod.conf", "net": {"bindIp": "0.0.0.0", "port": 27017},
                      "replication": {"replSetName": "rs-shop"}, "security": {"authorization": "enabled", "keyFile": "/etc/mongodb/keyfile"},
                      "storage": {"dbPath": "/var/lib/mongodb", "wiredTiger": {"engineConfig": {"cacheSizeGB": 12}}},
                      "systemLog": {"destination": "file", "logAppend": True, "path": "/var/log/mongodb/mongod.log"}}}, "m_options"),
        ("STORAGE", 22315, "initandlisten", "Opening WiredTiger",
         {"config": "create,cache_size=12288M,session_max=33000,eviction=(threads_min=4,threads_max=4),config_base=false,"
                    "statistics=(fast),log=(enabled=true,remove=true,path=journal,compressor=snappy),builtin_extension_config="
                    "(zstd=(compression_level=6)),file_manager=(close_idle_time=600,close_scan_interval=10,close_handle_minimum=2000),"
                    "statistics_log=(wait=0),json_output=(error,message),verbose=[recovery_progress:1,checkpoint_progress:1,"
                    "compact_progress:1,backup:0,checkpoint:0,compact:0,evict:0,history_store:0,recovery:0,rts:0,salvage:0,tiered:0,"
                    "timestamp:0,transaction:0,verify:0,log:0],"}, "m_opening_wt"),
        ("REPL", 21313, "initandlisten", "Did not find local replica set configuration document at startup",
         {"error": {"code": 47, "codeName": "NoMatchingDocument", "errmsg": "Did not find replica set configuration document in local.system.replset"}},
         "m_no_local_config"),
        ("NETWORK", 23016, "listener", "Waiting for connections", {"port": 27017, "ssl": "off"}, "m_waiting"),
        ("REPL", 21392, "ReplCoord-0", "New replica set config in use",
         {"config": {"_id": "rs-shop", "version": 7, "term": 57,
                     "members": [{"_id": i, "host": M_FQDN[n], "priority": 2 if i == 0 else 1, "votes": 1} for i, n in enumerate(M_NODES)]}},
         "m_new_config"),
        ("REPL", 21394, "ReplCoord-0", "This node is in the config", {"hostAndPort": M_FQDN["mongo-2"]}, "m_in_config"),
        ("REPL", 21358, "ReplCoord-0", "Replica set state transition", {"newState": "STARTUP2", "oldState": "STARTUP"}, "m_state_transition"),
        ("INITSYNC", 21164, "ReplCoordExtern-0", "Starting initial sync attempt", {"initialSyncAttempt": 1, "initialSyncMaxAttempts": 10},
         "m_initsync_start"),
    ]
    for k, (c, mid, ctx, msg, attr, tpl) in enumerate(boot):
        rec(START2 + sec(0.02 + 0.37 * k + (2.2 if k >= 7 else 0)), "mongo-2", "I", c, mid, ctx, msg, attr, tpl)
    for other in ("mongo-0", "mongo-1"):
        rec(START2 + sec(rng.uniform(4.5, 6.0)), other, "I", "REPL", 21215, f"ReplCoord-{rng.randint(1, 9)}", "Member is in new state",
            {"hostAndPort": M_FQDN["mongo-2"], "newState": "STARTUP2"}, "m_member_state")
    tt = START2 + sec(30)
    for ns, mins in (("shop.categories", 0.2), ("shop.products", 6.5), ("shop.reviews", 4.1), ("shop.carts", 3.3), ("shop.orders", 9.8),
                     ("shop.customers", 4.4)):
        tt += sec(mins * 60 + rng.uniform(0, 20))
        rec(tt, "mongo-2", "I", "INITSYNC", 21183, f"ReplCoordExtern-{rng.randint(0, 3)}", "Finished cloning data",
            {"namespace": ns, "status": "OK", "durationMillis": int(mins * 60000) + rng.randint(0, 999)}, "m_initsync_cloned")
    rec(INIT_DONE - sec(6.2), "mongo-2", "I", "INITSYNC", 21191, "ReplCoordExtern-2", "Initial sync attempt finishing up", None,
        "m_initsync_finishing")
    rec(INIT_DONE, "mongo-2", "I", "INITSYNC", 21192, "ReplCoordExtern-2", "Initial sync done",
        {"durationSeconds": int((INIT_DONE - START2).total_seconds())}, "m_initsync_done")
    rec(INIT_DONE + sec(0.4), "mongo-2", "I", "REPL", 21358, "ReplCoord-3", "Replica set state transition",
        {"newState": "RECOVERING", "oldState": "STARTUP2"}, "m_state_transition")
    rec(INIT_DONE + sec(0.9), "mongo-2", "I", "REPL", 21799, "BackgroundSync", "Sync source candidate chosen",
        {"syncSource": M_FQDN["mongo-1"]}, "m_sync_source")
    rec(INIT_DONE + sec(6.7), "mongo-2", "I", "REPL", 21358, "ReplCoord-3", "Replica set state transition",
        {"newState": "SECONDARY", "oldState": "RECOVERING"}, "m_state_transition")
    for other in ("mongo-0", "mongo-1"):
        rec(INIT_DONE + sec(rng.uniform(8, 10)), other, "I", "REPL", 21215, f"ReplCoord-{rng.randint(1, 9)}", "Member is in new state",
            {"hostAndPort": M_FQDN["mongo-2"], "newState": "SECONDARY"}, "m_member_state")

    # ---- nightly mongodump from the backup box against mongo-1
    dctx, dremote = connection(DUMP, "mongo-1", "mongodump", M_BACKUP, 1460)
    tt = DUMP + sec(3)
    for coll in ("orders", "orders", "customers", "customers", "products", "carts", "reviews"):
        tt += sec(rng.uniform(60, 260))
        rec(tt, "mongo-1", "I", "COMMAND", 51803, dctx, "Slow query",
            {"type": "command", "ns": f"shop.{coll}", "appName": "mongodump",
             "command": {"getMore": rng.randint(10**17, 9 * 10**18), "collection": coll, "lsid": lsid(), "$db": "shop",
                         "$readPreference": {"mode": "secondaryPreferred"}},
             "originatingCommand": {"find": coll, "filter": {}, "sort": {"_id": 1}, "$db": "shop"}, "planSummary": "IXSCAN { _id: 1 }",
             "cursorid": rng.randint(10**17, 9 * 10**18), "keysExamined": 101000, "docsExamined": 101000, "numYields": rng.randint(90, 300),
             "nreturned": 101000, "reslen": rng.randint(16000000, 16777000), "locks": M_LOCKS_R,
             "storage": {"data": {"bytesRead": rng.randint(10**8, 4 * 10**8), "timeReadingMicros": rng.randint(10**5, 10**6)}},
             "remote": dremote, "protocol": "op_msg", "durationMillis": rng.randint(600, 2400)}, "m_dump_getmore")
    return L.build()


def facts_mongo(records):
    bf = [r for r in records if '"appName":"backfill-loyalty"' in r["message"] and r["msg"] == "Slow query"]
    stale = next(r for r in records if r["hostname"] == "mongo-2" and "too stale" in r["message"])
    rec_tr = next(r for r in records if r["hostname"] == "mongo-2" and '"newState":"RECOVERING","oldState":"SECONDARY"' in r["message"])
    return {"bf_first": bf[0]["timestamp"], "bf_batches": len(bf), "stale_first": stale["timestamp"], "recovering": rec_tr["timestamp"]}


MONGO_PROBLEM = [{"field": {"s": "W|E|F"}}, {"msg": r"^Authentication failed "}, {"msg": r'"errName":"'}]


def questions_mongo(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in MONGO_PROBLEM]

    return [
        q("broad",
          "checkout is throwing write errors and orders p99 went thru the roof around 15:20. what went wrong on the mongo side between "
          "15:19 and 15:23 utc on may 13?",
          ["waiting for replication timed out", "Flow control"],
          problems("2024-05-13T15:19:00Z", "2024-05-13T15:23:00Z")),
        q("paraphrase",
          "was something chewing on the primary right before that? feels like a batch job touching every document it can reach",
          ["backfill-loyalty", "COLLSCAN"],
          {"field": {"msg": "Slow query"}, "msg": r'"appName":"backfill-loyalty"', "since": f["bf_first"], "until": plus(f["bf_first"], 150)}),
        q("lexical",
          "rs.status shows mongo-2.db.internal:27017 stuck in RECOVERING since then. what is it complaining about?",
          ["too stale", "RECOVERING"],
          {"field": {"hostname": "mongo-2"}, "msg": r'(?i)too stale|"newState":"RECOVERING"', "since": f["stale_first"],
           "until": plus(f["stale_first"], 900)}),
        q("follow-up",
          "did it ever come back after that? is it a normal secondary again or do i need to babysit it",
          ["initial sync", "SECONDARY"],
          [{"field": {"hostname": "mongo-2"}, "msg": r"^Replica set state transition ", "since": plus(f["recovering"], 1)},
           {"field": {"hostname": "mongo-2"}, "msg": r"^Initial sync done"}]),
        q("lexical",
          "checkout team says one of teh failed inserts came from 10.0.6.41:52878 at about 15:21. what did mongo log for that connection?",
          ["WriteConcernFailed", "checkout-api"],
          {"msg": r"10\.0\.6\.41:52878(?!\d)"}),
        q("broad",
          "unrelated: metabase dashboards are all empty since this morning. anything off on the db between 09:00 and 09:15 utc on may 13?",
          ["Authentication failed", "metabase"],
          problems("2024-05-13T09:00:00Z", "2024-05-13T09:15:00Z")),
    ]


# =============================================================================================
# 2. lambda: the `orders-api-prod` functions behind an API Gateway REST API (stage `prod`), plus
#    two unrelated functions, in eu-west-1. At 14:00 on June 4 a promo e-mail goes out and order
#    traffic quadruples. At 14:03 a deploy moves the `live` alias of createOrder to version 42
#    and of refundOrder to version 17; the shared `flags` module now calls SSM Parameter Store
#    (`GetParameter /orders/prod/feature-flags`) on every invocation instead of once per cold
#    start. Parameter Store's standard throughput is low and shared with the account, so most
#    calls come back `ThrottlingException: Rate exceeded`; the module retries three times
#    (`retrying GetParameter ...`), then the handler throws (`Invoke Error` with the SDK's
#    ThrottlingException JSON) or, when the SDK's own retries are slow, runs into the 6 s
#    timeout (`Task timed out after 6.01 seconds`). API Gateway answers 502 for both. New
#    versions cold-start everywhere (INIT_START in `[42]` streams). At 14:41 the on-call moves
#    both aliases back (41, 16): cold starts of the old versions, 201s again.
#    Unrelated: at 02:00 on the 5th a supplier feed uploads 28 images to the media bucket; two are
#    huge TIFFs, Pillow warns about a decompression bomb and the thumbnailer, at 1024 MB, is
#    killed (`Runtime exited with error: signal: killed` / `Runtime.ExitError`) on every one of the
#    three async attempts; their thumbnails never appear.

A_REGION = "eu-west-1"
A_CREATE = "orders-api-prod-createOrder"
A_GET = "orders-api-prod-getOrder"
A_REFUND = "orders-api-prod-refundOrder"
A_HOOK = "payments-prod-stripeWebhook"
A_THUMB = "media-prod-thumbnailer"
A_ACCESS = "/aws/apigateway/orders-api-prod-access"
A_RUNTIME = {"node": ("nodejs:18.v26", "b475b23763329123d9e6f79f51886d0e9a54d78e9d9a7c6bb1b2d6b7f4a1c2d3"),
             "python": ("python:3.11.v38", "9f0e8a61b5c5a2e0cd1e4e6a2e0f1f9d93b4c7d1a6e2f0b8c4d1e9a7f3b2c6d5")}
A_MEM = {A_CREATE: 512, A_GET: 256, A_REFUND: 512, A_HOOK: 256, A_THUMB: 1024}
A_KIND = {A_CREATE: "node", A_GET: "node", A_REFUND: "node", A_HOOK: "python", A_THUMB: "python"}
A_SDK_STACK = [
    "ThrottlingException: Rate exceeded",
    "    at throwDefaultError (/var/runtime/node_modules/@aws-sdk/node_modules/@smithy/smithy-client/dist-cjs/index.js:838:20)",
    "    at /var/runtime/node_modules/@aws-sdk/node_modules/@smithy/smithy-client/dist-cjs/index.js:847:5",
    "    at de_CommandError (/var/runtime/node_modules/@aws-sdk/client-ssm/dist-cjs/index.js:6147:14)",
    "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
    "    at async /var/runtime/node_modules/@aws-sdk/node_modules/@smithy/middleware-serde/dist-cjs/index.js:35:20",
    "    at async /var/runtime/node_modules/@aws-sdk/node_modules/@smithy/core/dist-cjs/index.js:165:18",
    "    at async /var/runtime/node_modules/@aws-sdk/node_modules/@smithy/middleware-retry/dist-cjs/index.js:320:38",
    "    at async /var/runtime/node_modules/@aws-sdk/middleware-logger/dist-cjs/index.js:34:22",
    "    at async withRetry (/var/task/src/lib/retry.js:18:14)",
    "    at async getFlags (/var/task/src/lib/flags.js:11:17)",
]


def clf_time(dt):
    return dt.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def gen_lambda():
    rng = random.Random(20240604)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 6, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(4, 6, 0), at(5, 7, 40)
    PROMO, PROMO_END = at(4, 14, 0, 5.0), at(4, 15, 5)
    DEPLOY, ROLLBACK = at(4, 14, 3, 12.6), at(4, 14, 41, 37.2)
    FEED = at(5, 2, 0, 40.0)
    QUIET = [(at(4, 14, 0), at(4, 14, 12)), (at(5, 1, 55), at(5, 2, 35))]
    access_streams = [hexs(rng, 32), hexs(rng, 32)]

    def version(fn, t):
        if fn == A_CREATE:
            return "42" if DEPLOY <= t < ROLLBACK else "41"
        if fn == A_REFUND:
            return "17" if DEPLOY <= t < ROLLBACK else "16"
        if fn == A_GET:
            return "38"
        return "$LATEST"

    def event(dt, group, stream, text, tpl):
        r = {"logGroupName": group, "logStreamName": stream, "timestamp": iso_ms(dt), "message": text,
             "ingestionTime": int(dt.timestamp() * 1000) + rng.randint(180, 2400),
             "eventId": str(rng.randint(3, 3)) + "".join(rng.choice("0123456789") for _ in range(55))}
        L.add(dt, tpl, r)

    envs = {fn: [] for fn in A_MEM}  # [stream, version, busy_until, last_used, expires_after_s]

    def env_for(fn, t):
        v = version(fn, t)
        pool = envs[fn]
        for e in pool:
            if e[1] == v and e[2] <= t and (t - e[3]).total_seconds() < e[4]:
                return e, False
        stream = f"{t.strftime('%Y/%m/%d')}/[{v}]{hexs(rng, 32)}"
        e = [stream, v, t, t, rng.uniform(900, 2700)]
        pool.append(e)
        return e, True

    def node_line(dt, rid, lvl, text):
        return f"{iso_ms(dt)}\t{rid}\t{lvl}\t{text}\n"

    def py_line(dt, rid, lvl, text):
        return f"[{lvl}]\t{iso_ms(dt)}\t{rid}\t{text}\n"

    def invoke(fn, t, body):
        """body(start, rid, add) -> (duration_ms, outcome); add(offset_ms, text, tpl) logs a line."""
        group = f"/aws/lambda/{fn}"
        e, cold = env_for(fn, t)
        stream, v = e[0], e[1]
        init_ms = None
        start = t
        if cold:
            rt, arn = A_RUNTIME[A_KIND[fn]]
            event(t, group, stream, f"INIT_START Runtime Version: {rt}\tRuntime Version ARN: arn:aws:lambda:{A_REGION}::runtime:{arn}\n",
                  "a_init_start")
            init_ms = rng.uniform(280, 520) if A_KIND[fn] == "node" else rng.uniform(420, 980)
            start = t + sec(init_ms / 1000.0)
        rid = uuid4(rng)
        event(start, group, stream, f"START RequestId: {rid} Version: {v}\n", "a_start")

        def add(off_ms, text, tpl):
            event(start + sec(off_ms / 1000.0), group, stream, text, tpl)

        dur, outcome = body(start, rid, add)
        end = start + sec(dur / 1000.0)
        if outcome == "timeout":
            event(end, group, stream, f"{iso_ms(end)} {rid} Task timed out after {dur / 1000.0:.2f} seconds\n\n", "a_timeout")
        if outcome == "killed":
            event(end, group, stream, f"RequestId: {rid} Error: Runtime exited with error: signal: killed\nRuntime.ExitError\n", "a_exit_error")
        event(end + sec(0.001), group, stream, f"END RequestId: {rid}\n", "a_end")
        mem = A_MEM[fn]
        used = {A_CREATE: (84, 131), A_GET: (71, 96), A_REFUND: (86, 124), A_HOOK: (61, 88), A_THUMB: (180, 610)}[fn]
        used_mb = mem if outcome == "killed" else rng.randint(*used)
        billed = 6000 if outcome == "timeout" else int(dur) + 1
        rep = (f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {billed} ms\tMemory Size: {mem} MB\t"
               f"Max Memory Used: {used_mb} MB\t")
        if init_ms is not None:
            rep += f"Init Duration: {init_ms:.2f} ms\t"
        event(end + sec(0.002), group, stream, rep + "\n", "a_report" if init_ms is None else "a_report_cold")
        e[2] = end + sec(0.01)
        e[3] = end
        return rid, start, end, outcome

    def access(t_start, t_end, verb, resource, path, status, length, rid, lat):
        api_id = uuid4(rng)
        ip = f"{rng.choice([31, 62, 77, 81, 84, 85, 88, 91, 93, 109, 176, 178, 188, 213])}.{rng.randint(1, 254)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}"
        text = (f'{{ "requestId":"{api_id}", "ip": "{ip}", "caller":"-", "user":"-","requestTime":"{clf_time(t_start)}", '
                f'"httpMethod":"{verb}","resourcePath":"{resource}", "path":"/prod{path}", "status":"{status}","protocol":"HTTP/1.1", '
                f'"responseLength":"{length}", "integrationRequestId":"{rid}", "integrationStatus":"200", '
                f'"integrationLatency":"{lat}", "responseLatency":"{lat + rng.randint(8, 31)}" }}')
        event(t_end + sec(rng.uniform(0.008, 0.04)), A_ACCESS, rng.choice(access_streams), text,
              f"a_access_{status}")
        return api_id

    def oid():
        return "ord_" + "".join(rng.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(10))

    def cus():
        return f"cus_{rng.randint(100000, 999999)}"

    def node_line_at(start, off_ms, rid, lvl, text):
        return node_line(start + sec(off_ms / 1000.0), rid, lvl, text)

    # ---- the flags module: one GetParameter per invocation in the new versions
    def get_flags(add, start, start_ms, rid, new_code, p_throttle):
        """Returns (elapsed_ms, ok, timed_out)."""
        if not new_code:
            return start_ms, True, False
        elapsed = start_ms
        for attempt in (1, 2, 3):
            took = rng.uniform(60, 180) if rng.random() > p_throttle else rng.uniform(250, 2200)
            elapsed += took
            if elapsed >= 6000:
                return 6000 + rng.uniform(3, 14), False, True
            if took < 200:
                return elapsed, True, False
            if attempt < 3:
                back = 400 * 4 ** (attempt - 1)
                add(elapsed, node_line_at(start, elapsed, rid, "INFO",
                                          f"retrying GetParameter /orders/prod/feature-flags after ThrottlingException: Rate exceeded "
                                          f"(attempt {attempt} of 3, backoff {back} ms)"), "a_retry")
                elapsed += back
                if elapsed >= 6000:
                    return 6000 + rng.uniform(3, 14), False, True
        return elapsed, False, False

    def invoke_error(add, start, elapsed, rid):
        err = {"errorType": "ThrottlingException", "errorMessage": "Rate exceeded", "name": "ThrottlingException", "$fault": "client",
               "$metadata": {"httpStatusCode": 400, "requestId": uuid4(rng), "attempts": 3, "totalRetryDelay": rng.randint(150, 900)},
               "__type": "ThrottlingException", "message": "Rate exceeded", "stack": A_SDK_STACK}
        add(elapsed, node_line_at(start, elapsed, rid, "ERROR", "Invoke Error \t" + compact(err)), "a_invoke_error")

    def p_throttle(t):
        return 0.8 if t < PROMO_END else 0.35

    def create_body(start, rid, add):
        new = version(A_CREATE, start) == "42"
        el, ok, to = get_flags(add, start, rng.uniform(2, 9), rid, new, p_throttle(start))
        if to:
            return el, "timeout"
        if not ok:
            invoke_error(add, start, el, rid)
            return el + rng.uniform(2, 6), "error"
        if rng.random() < 0.05:
            el += rng.uniform(20, 60)
            add(el, node_line_at(start, el, rid, "INFO", f"rejecting order request: items[{rng.randint(0, 3)}].quantity must be >= 1"),
                "a_create_rejected")
            return el + 2, "400"
        el += rng.uniform(140, 520)
        add(el, node_line_at(start, el, rid, "INFO", f"order {oid()} created for customer {cus()} ({rng.randint(1, 7)} items, total "
                                                     f"{rng.randint(900, 29900) / 100:.2f} EUR)"), "a_create_ok")
        return el + rng.uniform(3, 12), "201"

    def refund_body(start, rid, add):
        new = version(A_REFUND, start) == "17"
        el, ok, to = get_flags(add, start, rng.uniform(2, 9), rid, new, p_throttle(start))
        if to:
            return el, "timeout"
        if not ok:
            invoke_error(add, start, el, rid)
            return el + rng.uniform(2, 6), "error"
        el += rng.uniform(300, 900)
        add(el, node_line_at(start, el, rid, "INFO", f"refund re_{hexs(rng, 14)} issued for order {oid()} ({rng.randint(500, 9900) / 100:.2f} EUR)"),
            "a_refund_ok")
        return el + rng.uniform(3, 12), "200"

    def get_body(start, rid, add):
        el = rng.uniform(25, 140)
        o = oid()
        if rng.random() < 0.12:
            add(el, node_line(start + sec(el / 1000.0), rid, "INFO", f"order {o} not found"), "a_get_404")
            return el + 2, "404"
        add(el, node_line(start + sec(el / 1000.0), rid, "INFO", f"order {o} fetched (status={rng.choice(['paid', 'shipped', 'delivered', 'paid'])})"),
            "a_get_ok")
        return el + rng.uniform(1, 6), "200"

    def api_call(fn, t, verb, resource, path, body):
        rid, s, e, outcome = invoke(fn, t, body)
        if outcome in ("timeout", "error"):
            status, length = 502, 36
        else:
            status = int(outcome)
            length = {201: rng.randint(180, 260), 200: rng.randint(300, 1400), 400: 96, 404: 41}[status]
        lat = int((e - t).total_seconds() * 1000) + rng.randint(3, 12)
        return access(t - sec(0.012), e, verb, resource, path, status, length, rid, lat)

    def order_rate_shape(t):
        return day_shape(t)

    arrivals = []
    for t in poisson(rng, T0, T1, 5.0, order_rate_shape):
        if not PROMO <= t < PROMO_END:
            arrivals.append((t, A_CREATE))
    for t in poisson(rng, PROMO, PROMO_END, 75.0):
        arrivals.append((t, A_CREATE))
    for t in poisson(rng, T0, T1, 4.5, day_shape):
        arrivals.append((t, A_GET))
    for t in poisson(rng, PROMO, PROMO_END, 6.0):
        arrivals.append((t, A_GET))
    for t in poisson(rng, T0, T1, 0.9, day_shape):
        arrivals.append((t, A_REFUND))
    for t in (at(4, 14, 9, 21.4), at(4, 14, 26, 3.8)):
        arrivals.append((t, A_REFUND))
    arrivals.sort(key=lambda a: (a[0], a[1]))
    for t, fn in arrivals:
        if fn == A_CREATE:
            api_call(fn, t, "POST", "/orders", "/orders", create_body)
        elif fn == A_GET:
            o = oid()
            api_call(fn, t, "GET", "/orders/{orderId}", f"/orders/{o}", get_body)
        else:
            o = oid()
            api_call(fn, t, "POST", "/orders/{orderId}/refund", f"/orders/{o}/refund", refund_body)

    # ---- payments webhook (Python): Stripe events
    for t in poisson(rng, T0, T1, 3.0, day_shape):
        def hook_body(start, rid, add):
            el = rng.uniform(40, 260)
            ev = f"evt_3P{''.join(rng.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789') for _ in range(22))}"
            if rng.random() < 0.06 and not inside(start, QUIET):
                add(el, py_line(start + sec(el / 1000.0), rid, "WARNING", f"stripe event {ev} already processed, skipping"), "a_hook_dup")
            elif rng.random() < 0.04 and not inside(start, QUIET):
                add(el, "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. However, in rare "
                        "cases, a Lambda runtime update can cause unexpected function behavior. For functions using managed runtimes, "
                        "runtime updates can be triggered by a function change, or can be applied automatically. To determine if the "
                        "runtime has been updated, check the runtime version in the INIT_START log entry. If this error correlates with "
                        "a change in the runtime version, you may be able to mitigate this error by temporarily rolling back to the "
                        "previous runtime version. For more information, see "
                        "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r", "a_lambda_warning")
                add(el + 1, "[ERROR] SignatureVerificationError: No signatures found matching the expected signature for payload\r"
                            "Traceback (most recent call last):\r"
                            "  File \"/var/task/handler.py\", line 31, in handler\r    event = stripe.Webhook.construct_event(\r"
                            "  File \"/var/task/stripe/_webhook.py\", line 34, in construct_event\r"
                            "    WebhookSignature.verify_header(payload, sig_header, secret, tolerance)\r"
                            "  File \"/var/task/stripe/_webhook.py\", line 108, in verify_header\r"
                            "    raise error.SignatureVerificationError(\n", "a_hook_sig_error")
                return el + rng.uniform(2, 9), "error"
            else:
                kind = rng.choice(["payment_intent.succeeded", "payment_intent.succeeded", "charge.refunded", "payment_intent.created"])
                add(el, py_line(start + sec(el / 1000.0), rid, "INFO", f"stripe event {ev} type={kind} order={oid()}"), "a_hook_ok")
            return el + rng.uniform(2, 9), "200"
        invoke(A_HOOK, t, hook_body)

    # ---- thumbnailer (Python, S3 events, async: two retries after ~1 and ~2 minutes)
    def thumb(t, key, w, h, fail=False):
        def body(start, rid, add):
            el = rng.uniform(30, 90)
            add(el, py_line(start + sec(el / 1000.0), rid, "INFO", f"resizing s3://acme-media-prod-uploads/{key} ({w}x{h})"),
                "a_thumb_begin")
            if fail:
                el += rng.uniform(300, 700)
                add(el, f"/var/task/PIL/Image.py:3186: DecompressionBombWarning: Image size ({w * h} pixels) exceeds limit of 89478485 "
                        f"pixels, could be decompression bomb DOS attack.\n  warnings.warn(\n", "a_thumb_bomb")
                return el + rng.uniform(2600, 5200), "killed"
            el += rng.uniform(300, 2400)
            if rng.random() < 0.08:
                add(el, py_line(start + sec(el / 1000.0), rid, "INFO", f"{key} already has thumbnails (etag unchanged), skipping"),
                    "a_thumb_skip")
                return el + rng.uniform(5, 30), "ok"
            add(el, py_line(start + sec(el / 1000.0), rid, "INFO", f"wrote 3 thumbnails for {key} (160, 480, 1200 px)"), "a_thumb_ok")
            return el + rng.uniform(5, 30), "ok"
        invoke(A_THUMB, t, body)

    for t in poisson(rng, T0, T1, 1.6, day_shape):
        if inside(t, [(FEED - sec(300), FEED + sec(2400))]):
            continue
        thumb(t, f"products/P{rng.randint(100000, 999999)}/IMG_{rng.randint(1000, 9999)}.jpg", rng.choice([2400, 3000, 4032]),
              rng.choice([1800, 3000, 3024]))
    big = {3: ("supplier-feeds/2024-06-05/HX-44190-master.tif", 12800, 10240),
           11: ("supplier-feeds/2024-06-05/HX-44217-master.tif", 14000, 9800)}
    tt = FEED
    for k in range(28):
        tt += sec(rng.uniform(20, 70))
        if k in big:
            key, w, h = big[k]
            thumb(tt, key, w, h, fail=True)
            thumb(tt + sec(rng.uniform(58, 66)), key, w, h, fail=True)
            thumb(tt + sec(rng.uniform(175, 190)), key, w, h, fail=True)
        else:
            thumb(tt, f"supplier-feeds/2024-06-05/HX-{44180 + k * 3}-{rng.choice(['front', 'side', 'detail'])}.jpg",
                  rng.choice([2000, 2400, 3000]), rng.choice([2000, 2400, 3000]))
    return L.build()


def facts_lambda(records):
    def ts(r):
        return r["timestamp"]

    v42 = [r for r in records if r["logGroupName"].endswith(A_CREATE) and re.search(r"^START RequestId: \S+ Version: 42", r["message"])]
    first42 = next(ts(r) for r in records if r["logGroupName"].endswith(A_CREATE) and "/[42]" in r["logStreamName"])
    last42 = ts(v42[-1])
    back = next(r for r in records if r["logGroupName"].endswith(A_CREATE) and ts(r) > last42
                and re.search(r"^START RequestId: \S+ Version: 41", r["message"]))
    timed_out = {re.search(r" (\S+) Task timed out", r["message"]).group(1): ts(r) for r in records
                 if r["logGroupName"].endswith(A_CREATE) and "Task timed out" in r["message"]}
    target = None
    for r in records:
        if r["logGroupName"] == A_ACCESS and ts(r) >= "2024-06-04T14:12:00" and '"status":"502"' in r["message"]:
            rid = re.search(r'"integrationRequestId":"([^"]+)"', r["message"]).group(1)
            if rid in timed_out:
                target = (re.search(r'"requestId":"([^"]+)"', r["message"]).group(1), rid, ts(r))
                break
    rate = {}
    for r in records:
        if "Rate exceeded" in r["message"]:
            rate.setdefault(r["logGroupName"], []).append(ts(r))
    rate_cut = {g: v[min(2, len(v) - 1)] for g, v in sorted(rate.items())}
    v41 = [ts(r) for r in records if r["logGroupName"].endswith(A_CREATE) and ts(r) >= ts(back)
           and re.search(r"^START RequestId: \S+ Version: 41", r["message"])]
    ok201 = [ts(r) for r in records if r["logGroupName"] == A_ACCESS and ts(r) >= ts(back) and re.search(A_POST_201, r["message"])]
    return {"first_v42": first42, "rollback": ts(back), "api_id": target[0], "lambda_rid": target[1], "target_at": target[2],
            "rate_cut": rate_cut, "v41_cut": v41[2], "ok201_cut": ok201[2]}


A_POST_201 = r'"httpMethod":"POST","resourcePath":"/orders", .*"status":"201"'


LAMBDA_PROBLEM = [
    {"field": {"logGroupName": re.escape(A_ACCESS)}, "msg": r'"status":"5\d\d"'},
    {"msg": r"^\S+\t\S+\t(ERROR|WARN)\t"},
    {"msg": r"^\[(ERROR|WARNING)\]\t"},
    {"msg": r"Task timed out after "},
    {"msg": r"Runtime exited with error"},
]


def questions_lambda(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in LAMBDA_PROBLEM]

    return [
        q("broad",
          "POST /orders started 502ing for a chunk of customers a bit after 2pm. what went wrong between 14:04 and 14:08 utc on jun 4?",
          ["Task timed out", "Rate exceeded"],
          problems("2024-06-04T14:04:00Z", "2024-06-04T14:08:00Z")),
        q("lexical",
          f"support sent an api gateway request id for a failed order: {f['api_id']}. what happened to that one inside the lambda?",
          ["Task timed out", "ThrottlingException"],
          [{"msg": re.escape(f["api_id"])}, {"msg": re.escape(f["lambda_rid"])}]),
        q("paraphrase",
          "did somebody push a fresh build of it right before all this?",
          ["Version: 42", "INIT_START"],
          {"field": {"logGroupName": re.escape(f"/aws/lambda/{A_CREATE}"), "logStreamName": r".*/\[42\].*"},
           "msg": r"^INIT_START |^START RequestId: \S+ Version: 42", "since": f["first_v42"], "until": plus(f["first_v42"], 180)}),
        q("lexical",
          "'ThrottlingException: Rate exceeded' is all over createOrder. is it only that function or are teh others hitting it too?",
          ["createOrder", "refundOrder"],
          [{"field": {"logGroupName": re.escape(g)}, "msg": r"Rate exceeded", "until": plus(cut, 0.001)}
           for g, cut in sorted(f["rate_cut"].items())]),
        q("follow-up",
          "they flipped the alias back a while ago. did it recover after that, or is anything still failing?",
          ["Version: 41", "201"],
          [{"field": {"logGroupName": re.escape(f"/aws/lambda/{A_CREATE}")}, "msg": r"^START RequestId: \S+ Version: 41",
            "since": f["rollback"], "until": plus(f["v41_cut"], 0.001)},
           {"field": {"logGroupName": re.escape(A_ACCESS)}, "msg": A_POST_201, "since": f["rollback"], "until": plus(f["ok201_cut"], 0.001)}]),
        q("broad",
          "unrelated: a bunch of product thumbnails never got generated overnight. anything wrong between 02:00 and 02:30 utc on jun 5?",
          ["signal: killed", "Runtime.ExitError"],
          problems("2024-06-05T02:00:00Z", "2024-06-05T02:30:00Z")),
    ]


# =============================================================================================
# 3. cassandra: the Cassandra 4.1 cluster `shop-prod` (cass-1..cass-6, one DC, RF 3). A new
#    version of the `promo-sync` job, deployed that morning, rewrites all promotions of store 0
#    every 10 minutes from 07:50 by deleting and re-inserting them in one unlogged batch
#    (`Batch for [shop.promotions_by_store] is of size ..., exceeding specified threshold`).
#    Every run leaves ~1,861 row tombstones in the single partition store_id = 0 (gc_grace 10
#    days). pricing-api reads that partition (cached 10 minutes); its replicas cass-2, cass-4 and
#    cass-6 warn from the first run on (`Read ... live rows and ... tombstone cells ... (see
#    tombstone_warn_threshold)`), the count climbing all day, until at 16:40 it passes 100,000 and
#    every read is aborted (`Scanned over 100001 tombstones during query ...; query aborted`).
#    pricing-api retries every 3 minutes per pod. The scans fill the heaps; cass-4 (the smallest
#    heap) goes into long old-generation collections (`G1 Old Generation GC in ...ms`), two of
#    them long enough that the other nodes mark 10.0.1.14 DOWN and UP again, replay hints to it,
#    and it drops messages. At 17:31 the on-call pauses the job, sets gc_grace_seconds to 3600
#    and runs a major compaction of the table on the three replicas (`Compacted ... (~0% of
#    original)`); reads succeed again, with smaller tombstone warnings.
#    Unrelated, that night: the 01:00 `nodetool repair -pr shop` cron on cass-3 fails: cass-5
#    runs out of file descriptors (`Too many open files`) while streaming, `Stream failed`.

C_NODES = ["cass-1", "cass-2", "cass-3", "cass-4", "cass-5", "cass-6"]
C_IP = {n: f"10.0.1.{11 + i}" for i, n in enumerate(C_NODES)}
C_AZ = {n: "eu-west-1" + "abc"[i % 3] for i, n in enumerate(C_NODES)}
C_REPLICAS = ["cass-2", "cass-4", "cass-6"]
C_TABLE_ID = {"orders": "7d1f0a40389011efb2a3d5b7c2f1e0a9", "carts": "8e20c1b0389011efb2a3d5b7c2f1e0a9",
              "customers": "9a31d2c0389011efb2a3d5b7c2f1e0a9", "promotions_by_store": "5a1c0f20389011efb2a3d5b7c2f1e0a9",
              "prices_by_sku": "b442e3d0389011efb2a3d5b7c2f1e0a9"}
C_QUERY = "SELECT * FROM shop.promotions_by_store WHERE store_id = 0 LIMIT 5000"
C_PER_RUN = 1861


def gen_cassandra():
    rng = random.Random(20240702)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 7, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(1, 19, 30), at(2, 19, 45)
    SYNC0 = at(2, 7, 50, 2.0)
    PAUSE = at(2, 17, 30, 40.0)
    ALTER = at(2, 17, 31, 5.48)
    COMPACT = {"cass-2": at(2, 17, 33, 0.9), "cass-4": at(2, 17, 34, 12.3), "cass-6": at(2, 17, 35, 31.7)}
    REPAIR = at(2, 1, 0, 1.2)
    FLAPS = [(at(2, 16, 52, 28.1), 14.8), (at(2, 17, 9, 2.6), 17.2)]
    QUIET = [(at(2, 0, 55), at(2, 1, 25)), (at(2, 16, 36), at(2, 16, 48))]
    IID = {n: "i-0" + hexs(rng, 16) for n in C_NODES}
    AGENT = {n: (uuid4(rng), uuid4(rng)) for n in C_NODES}
    HOSTID = {n: uuid4(rng) for n in C_NODES}
    thread_no = {"CompactionExecutor": 1, "MemtableFlushWriter": 1}

    def rec(dt, node, level, thread, source, text, tpl):
        ts = dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S,") + f"{dt.microsecond // 1000:03d}"
        raw = f"{level:<5} [{thread}] {ts} {source} - {text}"
        r = {"@timestamp": iso_ms(dt),
             "agent": {"ephemeral_id": AGENT[node][1], "hostname": node, "id": AGENT[node][0], "name": node, "type": "filebeat",
                       "version": "8.13.4"},
             "cassandra": {"level": level, "source": source, "thread": thread},
             "cloud": {"account": {"id": "730335264817"}, "availability_zone": C_AZ[node], "instance": {"id": IID[node]},
                       "machine": {"type": "r6i.2xlarge"}, "provider": "aws", "region": "eu-west-1", "service": {"name": "EC2"}},
             "ecs": {"version": "8.0.0"},
             "fields": {"cluster": "shop-prod", "dc": "eu-west-1"},
             "input": {"type": "filestream"},
             "log": {"file": {"path": "/var/log/cassandra/system.log"}, "offset": 0},
             "message": raw,
             "timestamp": iso_ms(dt)}
        if "\n" in raw:
            r["log"]["flags"] = ["multiline"]
        L.add(dt, tpl, r)

    def mib(lo, hi):
        return f"{rng.uniform(lo, hi):.3f}MiB"

    def sst_dir(table):
        return f"/var/lib/cassandra/data/shop/{table}-{C_TABLE_ID[table]}"

    gen = {n: rng.randint(3100, 4800) for n in C_NODES}

    def nb(node):
        gen[node] += 1
        return gen[node]

    def cthread(kind):
        return f"{kind}:{rng.randint(1, 8)}"

    # ---- routine: flushes, compactions, GC, index summaries, commit log syncs
    for node in C_NODES:
        for t in poisson(rng, T0, T1, 2.3, day_shape):
            table = rng.choice(["orders", "orders", "carts", "carts", "customers", "prices_by_sku"])
            size = rng.uniform(40, 128)
            rec(t, node, "INFO", "NativePoolCleaner", "ColumnFamilyStore.java:1013",
                f"Enqueuing flush of shop.{table}, Reason: MEMTABLE_LIMIT, Usage: {size:.3f}MiB ({int(size / 10)}%) on-heap, "
                f"{rng.uniform(0, 3):.3f}MiB (0%) off-heap", "c_flush_enqueue")
            th = cthread("MemtableFlushWriter")
            rec(t + sec(0.004), node, "INFO", th, "Flushing.java:145",
                f"Writing Memtable-{table}@{rng.randint(10**8, 2 * 10**9)}({size * 0.4:.3f}MiB serialized bytes, {rng.randint(40000, 400000)} ops, "
                f"{int(size / 10)}%/0% of on/off-heap limit), flushed range = [min(-9223372036854775808), max(9223372036854775807))",
                "c_flush_writing")
            rec(t + sec(rng.uniform(0.6, 2.5)), node, "INFO", th, "Flushing.java:171",
                f"Completed flushing {sst_dir(table)}/nb-{nb(node)}-big-Data.db ({size * 0.22:.3f}MiB) for commitlog position "
                f"CommitLogPosition(segmentId={int(T0.timestamp() * 1000) - rng.randint(10**6, 10**8)}, position={rng.randint(10**6, 3 * 10**7)})",
                "c_flush_done")
        for t in poisson(rng, T0, T1, 1.2, day_shape):
            table = rng.choice(["orders", "carts", "customers", "prices_by_sku"])
            n_in = rng.randint(2, 6)
            a = rng.uniform(20, 400)
            b = a * rng.uniform(0.82, 0.99)
            ms = rng.randint(900, 40000)
            rows = rng.randint(10000, 900000)
            rec(t, node, "INFO", cthread("CompactionExecutor"), "CompactionTask.java:253",
                f"Compacted ({uuid4(rng)}) {n_in} sstables to [{sst_dir(table)}/nb-{nb(node)}-big,] to level=0.  {a:.3f}MiB to {b:.3f}MiB "
                f"(~{int(100 * b / a)}% of original) in {ms:,}ms.  Read Throughput = {a / ms * 1000:.3f}MiB/s, Write Throughput = "
                f"{b / ms * 1000:.3f}MiB/s, Row Throughput = ~{int(rows / ms * 1000):,}/s.  {rows:,} total partitions merged to "
                f"{int(rows * 0.93):,}.  Partition merge counts were {{1:{int(rows * 0.88):,}, 2:{int(rows * 0.05):,}, }}. Time spent "
                f"writing keys = {int(ms * 0.9):,}ms", "c_compacted")
        for t in poisson(rng, T0, T1, 1.0):
            rec(t, node, "INFO", "Service Thread", "GCInspector.java:294",
                f"G1 Young Generation GC in {rng.randint(201, 460)}ms.  G1 Eden Space: {rng.randint(900, 1300) * 2 ** 20} -> 0; "
                f"G1 Old Gen: {rng.randint(2000, 4000) * 2 ** 20} -> {rng.randint(2000, 4000) * 2 ** 20}; G1 Survivor Space: "
                f"{rng.randint(20, 90) * 2 ** 20} -> {rng.randint(20, 90) * 2 ** 20}; ", "c_gc_young")
        t = T0 + sec(rng.uniform(0, 3600))
        while t < T1:
            rec(t, node, "INFO", "IndexSummaryManager:1", "IndexSummaryRedistribution.java:83", "Redistributing index summaries",
                "c_index_summaries")
            t += sec(3600 + rng.uniform(-2, 2))
        for t in poisson(rng, T0, T1, 0.35):
            if inside(t, QUIET):
                continue
            n_s = rng.randint(25, 31)
            rec(t, node, "WARN", "PERIODIC-COMMIT-LOG-SYNCER", "NoSpamLogger.java:108",
                f"Out of {n_s} commit log syncs over the past {rng.uniform(280, 300):.2f}s with average duration of "
                f"{rng.uniform(8, 40):.2f}ms, {rng.randint(1, 4)} have exceeded the configured commit interval by an average of "
                f"{rng.uniform(5, 30):.2f}ms", "c_commitlog_slow")

    # ---- promo-sync batches (logged by the coordinator that takes them)
    runs = []
    t = SYNC0
    while t < PAUSE:
        runs.append(t)
        coord = rng.choice(C_NODES)
        size = rng.uniform(208, 216)
        rec(t + sec(rng.uniform(0, 1.5)), coord, "WARN", f"Native-Transport-Requests-{rng.randint(1, 12)}", "BatchStatement.java:321",
            f"Batch for [shop.promotions_by_store] is of size {size:.3f}KiB, exceeding specified threshold of 5.000KiB by "
            f"{size - 5:.3f}KiB.", "c_batch_too_large")
        t += sec(600 + rng.uniform(-3, 3))

    def tombstones(t):
        n = sum(1 for r in runs if r <= t)
        if t >= COMPACT["cass-2"]:
            n = sum(1 for r in runs if t - sec(3600) <= r <= t)
        return n * C_PER_RUN

    token = "-9049342478231871245"
    live = 1187

    def read(t, replicas):
        tomb = tombstones(t)
        for k, node in enumerate(replicas):
            tt = t + sec(0.02 + 0.013 * k + rng.uniform(0, 0.05))
            th = f"ReadStage-{rng.randint(1, 32)}"
            if tomb > 100000:
                rec(tt + sec(0.9), node, "ERROR", th, "ReadCommand.java:673",
                    f"Scanned over 100001 tombstones during query '{C_QUERY}' (last scanned row token was {token} and partion key was "
                    f"((0), {rng.randint(10000, 19999)})); query aborted", "c_tombstone_abort")
            elif tomb > 1000:
                rec(tt + sec(tomb / 400000.0), node, "WARN", th, "ReadCommand.java:621",
                    f"Read {live} live rows and {tomb} tombstone cells for query {C_QUERY}; token {token} (see tombstone_warn_threshold)",
                    "c_tombstone_warn")

    fails_from = None
    for pod in range(2):
        t = T0 + sec(rng.uniform(0, 600))
        while t < T1:
            reps = sorted(rng.sample(C_REPLICAS, 2), key=C_REPLICAS.index)
            read(t, reps)
            if tombstones(t) > 100000 and t < COMPACT["cass-6"] + sec(60):
                t += sec(180 + rng.uniform(-10, 10))
            else:
                t += sec(600 + rng.uniform(-5, 5))

    # ---- cass-4 pays for it in old-generation GC
    gc_times = []
    t = at(2, 16, 44, 37.0)
    while t < at(2, 17, 36):
        gc_times.append((t, rng.randint(3100, 8900)))
        t += sec(rng.uniform(340, 480))
    gc_times += [(s0, int(d * 1000)) for s0, d in FLAPS]
    for t, ms in sorted(gc_times):
        old_a = rng.randint(6900, 7600) * 2 ** 20
        rec(t + sec(ms / 1000.0), "cass-4", "WARN", "Service Thread", "GCInspector.java:292",
            f"G1 Old Generation GC in {ms}ms.  G1 Eden Space: {rng.randint(100, 400) * 2 ** 20} -> 0; G1 Old Gen: {old_a} -> "
            f"{old_a - rng.randint(50, 700) * 2 ** 20}; G1 Survivor Space: {rng.randint(10, 60) * 2 ** 20} -> 0; ", "c_gc_old")
    for node in ("cass-2", "cass-6"):
        for t in poisson(rng, at(2, 16, 49), at(2, 17, 36), 4.0):
            rec(t, node, "WARN", "Service Thread", "GCInspector.java:292",
                f"G1 Young Generation GC in {rng.randint(1050, 2400)}ms.  G1 Eden Space: {rng.randint(900, 1300) * 2 ** 20} -> 0; "
                f"G1 Old Gen: {rng.randint(9000, 12000) * 2 ** 20} -> {rng.randint(9000, 12000) * 2 ** 20}; G1 Survivor Space: "
                f"{rng.randint(20, 90) * 2 ** 20} -> {rng.randint(20, 90) * 2 ** 20}; ", "c_gc_young_slow")
    for s0, d in FLAPS:
        back = s0 + sec(d)
        for node in C_NODES:
            if node == "cass-4":
                continue
            rec(s0 + sec(rng.uniform(9.2, 11.8)), node, "INFO", "GossipTasks:1", "Gossiper.java:1203",
                f"InetAddress /{C_IP['cass-4']}:7000 is now DOWN", "c_gossip_down")
            rec(back + sec(rng.uniform(0.8, 2.6)), node, "INFO", "GossipStage:1", "Gossiper.java:1418",
                f"InetAddress /{C_IP['cass-4']}:7000 is now UP", "c_gossip_up")
            rec(back + sec(rng.uniform(8, 20)), node, "INFO", f"HintsDispatcher:{rng.randint(1, 4)}", "HintsDispatchExecutor.java:287",
                f"Finished hinted handoff of file {HOSTID['cass-4']}-{int(s0.timestamp() * 1000) + rng.randint(9000, 12000)}-2.hints to "
                f"endpoint /{C_IP['cass-4']}:7000: {HOSTID['cass-4']}", "c_hints_done")
        rec(back + sec(3.9), "cass-4", "INFO", "ScheduledTasks:1", "MessagingMetrics.java:206",
            f"MUTATION_REQ messages were dropped in last 5000 ms: 0 internal and {rng.randint(300, 900)} cross node. Mean internal dropped "
            f"latency: 0 ms and Mean cross-node dropped latency: {rng.randint(6000, 12000)} ms", "c_dropped_mutation")
        rec(back + sec(3.9), "cass-4", "INFO", "ScheduledTasks:1", "MessagingMetrics.java:206",
            f"READ_REQ messages were dropped in last 5000 ms: 0 internal and {rng.randint(20, 90)} cross node. Mean internal dropped "
            f"latency: 0 ms and Mean cross-node dropped latency: {rng.randint(6000, 12000)} ms", "c_dropped_read")
        rec(back + sec(4.1), "cass-4", "WARN", "ScheduledTasks:1", "NoSpamLogger.java:95",
            "Some operations were slow, details available at debug level (debug.log)", "c_slow_ops")

    # ---- the fix: gc_grace_seconds 3600 and a major compaction on the three replicas
    rec(ALTER, "cass-1", "INFO", "Native-Transport-Requests-7", "MigrationManager.java:236",
        f"Update table 'shop/promotions_by_store' From org.apache.cassandra.schema.TableMetadata@6c3f1a2b[table=shop.promotions_by_store,"
        f"id={C_TABLE_ID['promotions_by_store']},params=TableParams{{gc_grace_seconds=864000, ...}}] To "
        f"org.apache.cassandra.schema.TableMetadata@1b7e4f02[table=shop.promotions_by_store,id={C_TABLE_ID['promotions_by_store']},"
        f"params=TableParams{{gc_grace_seconds=3600, ...}}]", "c_update_table")
    for node, t in COMPACT.items():
        ms = rng.randint(36000, 46000)
        a = rng.uniform(205, 225)
        rec(t + sec(ms / 1000.0), node, "INFO", cthread("CompactionExecutor"), "CompactionTask.java:253",
            f"Compacted ({uuid4(rng)}) {rng.randint(6, 9)} sstables to [{sst_dir('promotions_by_store')}/nb-{nb(node)}-big,] to level=0.  "
            f"{a:.3f}MiB to {rng.uniform(0.5, 0.7):.3f}MiB (~0% of original) in {ms:,}ms.  Read Throughput = {a / ms * 1000:.3f}MiB/s, "
            f"Write Throughput = {rng.uniform(13, 17):.3f}KiB/s, Row Throughput = ~{rng.randint(1100, 1300):,}/s.  1 total partitions "
            f"merged to 1.  Partition merge counts were {{{rng.randint(6, 9)}:1, }}. Time spent writing keys = {int(ms * 0.94):,}ms",
            "c_compacted_major")

    # ---- the nightly repair from cass-3 fails: cass-5 is out of file descriptors
    rid = uuid4(rng)
    rec(REPAIR, "cass-3", "INFO", "Repair-Task-2", "RepairRunnable.java:263",
        f"Starting repair command #41 ({rid}), repairing keyspace shop with repair options (parallelism: parallel, primary range: true, "
        f"incremental: false, job threads: 1, ColumnFamilies: [], dataCenters: [], hosts: [], previewKind: NONE, # of ranges: 16, "
        f"pull repair: false, force repair: false, optimise streams: false, ignore unreplicated keyspaces: false, repairPaxos: true, "
        f"paxosOnly: false)", "c_repair_start")
    sessions = []
    tt = REPAIR + sec(0.4)
    for k in range(4):
        sid = uuid4(rng)
        peers = ["cass-3", "cass-4", "cass-5"] if k % 2 == 0 else ["cass-3", "cass-5", "cass-6"]
        sessions.append(sid)
        tt += sec(rng.uniform(20, 90))
        lo = rng.randint(-9 * 10**18, 9 * 10**18)
        rec(tt, "cass-3", "INFO", f"Repair#41:{k + 1}", "RepairSession.java:209",
            f"[repair #{sid}] new session: will sync {', '.join('/' + C_IP[p] + ':7000' for p in peers)} on range "
            f"[({lo},{lo + rng.randint(10**15, 10**17)}]] for shop.[carts, customers, orders, prices_by_sku, promotions_by_store]",
            "c_repair_session")
        for table in ("carts", "orders"):
            for p in peers:
                rec(tt + sec(rng.uniform(15, 60)), "cass-3", "INFO", "AntiEntropyStage:1", "RepairSession.java:242",
                    f"[repair #{sid}] Received merkle tree for {table} from /{C_IP[p]}:7000", "c_repair_merkle")
    fail_t = tt + sec(75.3)
    stream = uuid4(rng)
    rec(fail_t - sec(2.1), "cass-3", "INFO", "RepairJobTask:3", "LocalSyncTask.java:118",
        f"[repair #{sessions[-1]}] Performing streaming repair of 38 ranges with /{C_IP['cass-5']}:7000", "c_repair_streaming")
    rec(fail_t, "cass-5", "ERROR", f"Stream-Deserializer-/{C_IP['cass-3']}:7000-{hexs(rng, 8)}", "StreamSession.java:718",
        f"[Stream #{stream}] Streaming error occurred on session with peer {C_IP['cass-3']}:7000\n"
        "java.io.IOException: Too many open files\n"
        "\tat java.base/sun.nio.ch.Net.socket0(Native Method)\n"
        "\tat java.base/sun.nio.ch.Net.socket(Net.java:524)\n"
        "\tat java.base/sun.nio.ch.SocketChannelImpl.<init>(SocketChannelImpl.java:153)\n"
        "\tat org.apache.cassandra.streaming.async.NettyStreamingConnectionFactory.connect(NettyStreamingConnectionFactory.java:53)\n"
        "\tat org.apache.cassandra.streaming.async.StreamingMultiplexedChannel.createChannel(StreamingMultiplexedChannel.java:186)\n"
        "\tat java.base/java.lang.Thread.run(Thread.java:829)", "c_stream_error")
    for k in range(2):
        rec(fail_t + sec(1.3 + k * 37.1), "cass-5", "WARN", f"epollEventLoopGroup-5-{rng.randint(1, 8)}", "AbstractEpollServerChannel.java:141",
            "Failed to accept a connection.\nio.netty.channel.unix.Errors$NativeIoException: accept(..) failed: Too many open files",
            "c_accept_failed")
    rec(fail_t + sec(0.8), "cass-3", "ERROR", f"Stream-Deserializer-/{C_IP['cass-5']}:7000-{hexs(rng, 8)}", "StreamResultFuture.java:202",
        f"[Stream #{stream}] Stream failed", "c_stream_failed")
    rec(fail_t + sec(0.9), "cass-3", "ERROR", "RepairJobTask:3", "RepairSession.java:370",
        f"[repair #{sessions[-1]}] Session completed with the following error\n"
        "org.apache.cassandra.streaming.StreamException: Stream failed\n"
        "\tat org.apache.cassandra.streaming.management.StreamEventJMXNotifier.onFailure(StreamEventJMXNotifier.java:88)\n"
        "\tat com.google.common.util.concurrent.Futures$CallbackListener.run(Futures.java:1056)\n"
        "\tat org.apache.cassandra.streaming.StreamResultFuture.maybeComplete(StreamResultFuture.java:221)\n"
        "\tat java.base/java.lang.Thread.run(Thread.java:829)", "c_session_error")
    rec(fail_t + sec(1.2), "cass-3", "ERROR", "Repair-Task-2", "RepairRunnable.java:184",
        f"Repair {rid} failed:\njava.lang.RuntimeException: Repair job has failed with the error message: Repair command #41 failed with "
        f"error Repair session {sessions[-1]} for range [(-2873641192837461,-1921836457283712]] failed with error Stream failed. Check "
        f"the logs on the repair participants for further details", "c_repair_failed")
    rec(fail_t + sec(1.3), "cass-3", "INFO", "Repair-Task-2", "RepairRunnable.java:347",
        f"Repair command #41 finished with error", "c_repair_finished")

    recs, tpls = L.build()
    offset = {n: rng.randint(10**6, 10**8) for n in C_NODES}
    for r in recs:
        n = r["agent"]["hostname"]
        r["log"]["offset"] = offset[n]
        offset[n] += len(r["message"].encode("utf-8")) + 1
    return recs, tpls


def facts_cassandra(records):
    def host(r):
        return r["agent"]["hostname"]

    aborts, warns = {}, {}
    for r in records:
        if "Scanned over 100001 tombstones" in r["message"]:
            aborts.setdefault(host(r), []).append(r["timestamp"])
        if "tombstone_warn_threshold" in r["message"]:
            warns.setdefault(host(r), []).append(r["timestamp"])
    alter = next(r["timestamp"] for r in records if "Update table 'shop/promotions_by_store'" in r["message"])
    first_node = min(aborts.items(), key=lambda kv: kv[1][0])[0]
    return {"abort_cut": {h: v[min(1, len(v) - 1)] for h, v in sorted(aborts.items())},
            "abort_last": {h: v[-1] for h, v in sorted(aborts.items())},
            "warn_cut": {h: v[min(1, len(v) - 1)] for h, v in sorted(warns.items())},
            "first_abort_node": first_node, "alter": alter,
            "n_aborts": sum(len(v) for v in aborts.values()), "n_warns": sum(len(v) for v in warns.values())}


CASS_PROBLEM = [{"field": {"cassandra.level": "WARN|ERROR"}}]


def questions_cassandra(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in CASS_PROBLEM]

    return [
        q("broad",
          "pricing-api reads against cassandra started failing around 16:45, promo prices missing on the site. what went wrong between "
          "16:42 and 16:48 utc on jul 2?",
          ["Scanned over", "promotions_by_store"],
          problems("2024-07-02T16:42:00Z", "2024-07-02T16:48:00Z")),
        q("lexical",
          "the driver error says 'Scanned over 100001 tombstones'. which nodes are throwing it, and when did it start on eahc?",
          ["promotions_by_store", f["first_abort_node"]],
          [{"field": {"agent.hostname": re.escape(h)}, "msg": r"Scanned over 100001 tombstones", "until": plus(ts, 0.001)}
           for h, ts in sorted(f["abort_cut"].items())]),
        q("follow-up",
          "since when has that been building up? were there warnings earlier today before it started failing outright?",
          ["tombstone_warn_threshold", "tombstone cells"],
          [{"field": {"agent.hostname": re.escape(h)}, "msg": r"tombstone_warn_threshold", "until": plus(ts, 0.001)}
           for h, ts in sorted(f["warn_cut"].items())]),
        q("paraphrase",
          "10.0.1.14 kept going away and coming back in nodetool status. was the jvm on it stuck cleaning house for whole seconds at a time?",
          ["G1 Old Generation", "cass-4"],
          {"field": {"agent.hostname": "cass-4", "cassandra.level": "WARN"}, "msg": r"GCInspector\.java:\d+ - G1 Old Generation GC in ",
           "since": "2024-07-02T16:00:00Z", "until": "2024-07-02T18:00:00Z"}),
        q("follow-up",
          "did it calm down after they compacted that table? any more of those aborted reads since?",
          ["Compacted", "promotions_by_store"],
          [{"msg": r"CompactionTask\.java:\d+ - Compacted .*/promotions_by_store-", "since": f["alter"]}]
          + [{"field": {"agent.hostname": re.escape(h)}, "msg": r"Scanned over 100001 tombstones", "since": ts}
             for h, ts in sorted(f["abort_last"].items())]),
        q("broad",
          "unrelated: the nightly repair cron mailed a failure this morning. anything wrong between 01:00 and 01:20 utc on jul 2?",
          ["Too many open files", "Stream failed"],
          problems("2024-07-02T01:00:00Z", "2024-07-02T01:20:00Z")),
    ]



# =============================================================================================
# Question specs, rules and checks


def q(style, ask, mentions, rule):
    assert style in STYLES, style
    return {"style": style, "ask": ask, "mentions": mentions, "rule": rule}


SYSTEMS = [
    {
        "id": "m-mongo",
        "title": "rs-shop: a one-off backfill rewrites millions of customers with unindexed multi-updates; the secondaries fall behind, "
                 "flow control engages and checkout's w:majority writes fail with WriteConcernFailed; mongo-2 falls off the oplog "
                 "and sits in RECOVERING until an initial sync; Metabase keeps failing SCRAM auth after a password rotation",
        "gen": gen_mongo,
        "facts": facts_mongo,
        "questions": questions_mongo,
    },
    {
        "id": "m-lambda",
        "title": "orders-api-prod: versions 42/17 of createOrder/refundOrder fetch feature flags from SSM Parameter Store on every "
                 "invocation; during a promo Parameter Store throttles (ThrottlingException: Rate exceeded), invocations error or time "
                 "out and API Gateway returns 502 on POST /orders until the aliases are rolled back; overnight the thumbnailer is "
                 "killed at 1024 MB on two huge supplier TIFFs",
        "gen": gen_lambda,
        "facts": facts_lambda,
        "questions": questions_lambda,
    },
    {
        "id": "m-cassandra",
        "title": "shop-prod: a new promo-sync job rewrites store 0's promotions every 10 minutes, piling row tombstones into one "
                 "partition until reads abort with TombstoneOverwhelming (Scanned over 100001 tombstones); cass-4 stalls in "
                 "old-generation GC and flaps DOWN/UP; fixed by gc_grace_seconds=3600 and a major compaction; the nightly repair "
                 "fails because cass-5 runs out of file descriptors",
        "gen": gen_cassandra,
        "facts": facts_cassandra,
        "questions": questions_cassandra,
    },
]


def parse_ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


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
        assert isinstance(r.get("timestamp"), str) and r["timestamp"].endswith("Z"), f"{sid}:{i} timestamp without Z"
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
    for name in ("hostname", "agent.hostname", "logGroupName"):
        v = get_field(r, name)
        if v is not MISSING:
            return str(v).replace("/aws/lambda/", "").replace("/aws/apigateway/", "apigw:")
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
        assert re.fullmatch(r"m-[a-z0-9-]+", sid), sid
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

#!/usr/bin/env python3
"""Build the "incidents-h" evaluation set: three synthetic incidents, each a six-turn on-call thread.

Usage: python3 make_incidents_h.py [--out DIR] [--show]

  --out   where to write; default: the folder of this script (bench/incidents-h/).
  --show  print every turn's relevant lines and each system's template counts; write nothing.

Writes <out>/h-<system>/logs.jsonl and incident.json for three systems, and <out>/questions.json
(the style of every turn, for shared/spec/score_replay.py --questions), then prints the sha256 of
every file written. Standard library only. All randomness comes from random.Random with fixed
seeds and nothing iterates over a set or depends on hash order, so a second run writes identical
bytes under any PYTHONHASHSEED.

The logs are synthetic. Each system is simulated from a story (a fault with a cause and its
consequences, plus unrelated routine lines, a second unrelated minor problem, scanners and cron
jobs) and written in the wording of the real software as closely as the author could remember it:

  h-elasticsearch  Elasticsearch 7.17 cluster log (text layout, multi-line Java stack traces),
                   timestamps in +01:00 (Europe/Berlin, winter).
  h-fastify        Node.js Fastify service logging with pino: JSON with numeric levels (30/40/50),
                   nested req/res/err objects and an epoch-millisecond `time`; UTC.
  h-envoy          Istio sidecars (istio-proxy containers): Envoy access-log lines kept raw in
                   `message`, plus pilot-agent/Envoy lines whose level and scope the shipper split
                   off; OpenTelemetry-style dotted resource fields; UTC.

Three styles, two turns each per system: broad (a time window, "what went wrong"), lexical (an exact
id, host, version or quoted log fragment) and paraphrase (plain words about lines whose wording the
ask does not share). Relevant lines are never listed by hand: a rule selects them. A rule is a dict,
or a list of dicts whose selections are united; every condition of a dict must hold:

  msg      regex searched in `message`
  not_msg  regex that must NOT be found in `message`
  field    {name: regex}, fully matched against str(value) of that field; a dotted name is looked up
           as a literal key first (OpenTelemetry style), else as a path into nested objects
  since    ISO 8601 with offset; the record's timestamp must be >= it
  until    ISO 8601 with offset; the record's timestamp must be < it

Checks before anything is written: 1,500-2,500 records per system, timestamps never go backwards,
span 20-48 h, at least 25 templates; every turn selects 1-40 lines holding at most 10 distinct
messages (so a perfect top 10 of distinct messages can find all of them); both mentions occur
(case-insensitively) in some field of a relevant line; two turns per style per system; no ask
repeats. Paraphrase asks are checked for any content word, or any pair of words with the same
first four letters, shared with the messages of their relevant lines; any found are printed.
"""

import argparse
import hashlib
import heapq
import json
import random
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
STYLES = ("broad", "lexical", "paraphrase")
MIN_LINES, MAX_LINES, MAX_MSGS = 1, 40, 10
MIN_RECORDS, MAX_RECORDS = 1500, 2500
MIN_TEMPLATES = 25
MIN_SPAN_H, MAX_SPAN_H = 20, 48


# ---------------------------------------------------------------------------------------------
# Small helpers


class Log:
    """Collects (time, template, record) and returns the records sorted by time (stable)."""

    def __init__(self, fmt):
        self.fmt = fmt
        self.ev = []

    def add(self, dt, tpl, rec):
        self.ev.append((dt, len(self.ev), tpl, rec))

    def build(self):
        recs, tpls = [], []
        for dt, _, tpl, rec in sorted(self.ev, key=lambda e: (e[0], e[1])):
            r = {"timestamp": self.fmt(dt)}
            r.update(rec)
            recs.append(r)
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


ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def b64id(rng, n=22):
    return "".join(rng.choice(ALNUM + "-_") for _ in range(n))


def hexs(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uuid4(rng):
    h = hexs(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:32]}"


def ksuffix(rng, n=5):
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(n))


def iso_ms_z(dt):
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso_us_z(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def epoch_ms(dt):
    return (dt - EPOCH) // timedelta(milliseconds=1)


def trunc_ms(dt):
    return dt.replace(microsecond=dt.microsecond // 1000 * 1000)


# =============================================================================================
# 1. Elasticsearch 7.17: disk fills up after ILM is left stopped; flood stage makes indices
#    read-only. Times in +01:00.

ES_TZ = timezone(timedelta(hours=1))
ES_V = "7.17.18"
ES_JAR = f"[elasticsearch-{ES_V}.jar:{ES_V}]"
ES_MON_JAR = f"[x-pack-monitoring-{ES_V}.jar:{ES_V}]"
NETTY = "[netty-transport-4.1.66.Final.jar:4.1.66.Final]"
NETTY_C = "[netty-common-4.1.66.Final.jar:4.1.66.Final]"

ES_RESET_STACK = "\n".join(
    [
        "java.io.IOException: Connection reset by peer",
        "\tat sun.nio.ch.SocketDispatcher.read0(Native Method) ~[?:?]",
        "\tat sun.nio.ch.SocketDispatcher.read(SocketDispatcher.java:47) ~[?:?]",
        "\tat sun.nio.ch.IOUtil.readIntoNativeBuffer(IOUtil.java:340) ~[?:?]",
        "\tat sun.nio.ch.IOUtil.read(IOUtil.java:294) ~[?:?]",
        "\tat sun.nio.ch.IOUtil.read(IOUtil.java:269) ~[?:?]",
        "\tat sun.nio.ch.SocketChannelImpl.read(SocketChannelImpl.java:425) ~[?:?]",
        "\tat org.elasticsearch.transport.CopyBytesSocketChannel.readFromSocketChannel(CopyBytesSocketChannel.java:130)"
        f" ~[transport-netty4-client-{ES_V}.jar:{ES_V}]",
        "\tat org.elasticsearch.transport.CopyBytesSocketChannel.doReadBytes(CopyBytesSocketChannel.java:115)"
        f" ~[transport-netty4-client-{ES_V}.jar:{ES_V}]",
        f"\tat io.netty.channel.nio.AbstractNioByteChannel$NioByteUnsafe.read(AbstractNioByteChannel.java:151) {NETTY}",
        f"\tat io.netty.channel.nio.NioEventLoop.processSelectedKey(NioEventLoop.java:719) {NETTY}",
        f"\tat io.netty.channel.nio.NioEventLoop.processSelectedKeysPlain(NioEventLoop.java:620) {NETTY}",
        f"\tat io.netty.channel.nio.NioEventLoop.processSelectedKeys(NioEventLoop.java:583) {NETTY}",
        f"\tat io.netty.channel.nio.NioEventLoop.run(NioEventLoop.java:493) {NETTY}",
        f"\tat io.netty.util.concurrent.SingleThreadEventExecutor$4.run(SingleThreadEventExecutor.java:986) {NETTY_C}",
        f"\tat io.netty.util.internal.ThreadExecutorMap$2.run(ThreadExecutorMap.java:74) {NETTY_C}",
        "\tat java.lang.Thread.run(Thread.java:1583) [?:?]",
    ]
)


def es_block(idx):
    return (
        f"index [{idx}] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, "
        "index has read-only-allow-delete block];"
    )


def es_export_doc_failed(idx):
    return "\n".join(
        [
            "unexpected error while indexing monitoring document",
            f"org.elasticsearch.xpack.monitoring.exporter.ExportException: ClusterBlockException[{es_block(idx)}]",
            f"\tat org.elasticsearch.xpack.monitoring.exporter.local.LocalBulk.lambda$throwExportException$2(LocalBulk.java:135) ~{ES_MON_JAR}",
            "\tat java.util.stream.ReferencePipeline$3$1.accept(ReferencePipeline.java:197) ~[?:?]",
            "\tat java.util.stream.ReferencePipeline$2$1.accept(ReferencePipeline.java:179) ~[?:?]",
            "\tat java.util.Spliterators$ArraySpliterator.forEachRemaining(Spliterators.java:1024) ~[?:?]",
            "\tat java.util.stream.AbstractPipeline.copyInto(AbstractPipeline.java:509) ~[?:?]",
            "\tat java.util.stream.ReferencePipeline.forEach(ReferencePipeline.java:596) ~[?:?]",
            f"\tat org.elasticsearch.xpack.monitoring.exporter.local.LocalBulk.throwExportException(LocalBulk.java:136) ~{ES_MON_JAR}",
            f"\tat org.elasticsearch.xpack.monitoring.exporter.local.LocalBulk.lambda$doFlush$0(LocalBulk.java:117) ~{ES_MON_JAR}",
            f"\tat org.elasticsearch.action.ActionListener$1.onResponse(ActionListener.java:136) ~{ES_JAR}",
            f"\tat org.elasticsearch.action.support.ContextPreservingActionListener.onResponse(ContextPreservingActionListener.java:31) ~{ES_JAR}",
            f"\tat org.elasticsearch.action.bulk.TransportBulkAction$BulkOperation$1.finishHim(TransportBulkAction.java:625) ~{ES_JAR}",
            f"Caused by: org.elasticsearch.cluster.block.ClusterBlockException: {es_block(idx)}",
            f"\tat org.elasticsearch.cluster.block.ClusterBlocks.indicesBlockedException(ClusterBlocks.java:222) ~{ES_JAR}",
            f"\tat org.elasticsearch.action.bulk.TransportBulkAction$BulkOperation.addFailureIfIndexIsBlocked(TransportBulkAction.java:762) ~{ES_JAR}",
            f"\tat org.elasticsearch.action.bulk.TransportBulkAction$BulkOperation.doRun(TransportBulkAction.java:523) ~{ES_JAR}",
            "\t... 12 more",
        ]
    )


ES_MON_FAILED = "\n".join(
    [
        "monitoring execution failed",
        "org.elasticsearch.xpack.monitoring.exporter.ExportException: failed to flush export bulks",
        f"\tat org.elasticsearch.xpack.monitoring.exporter.ExportBulk$Compound.lambda$doFlush$0(ExportBulk.java:110) {ES_MON_JAR}",
        f"\tat org.elasticsearch.action.ActionListener$1.onFailure(ActionListener.java:144) {ES_JAR}",
        f"\tat org.elasticsearch.xpack.monitoring.exporter.local.LocalBulk.throwExportException(LocalBulk.java:142) {ES_MON_JAR}",
        f"\tat org.elasticsearch.xpack.monitoring.exporter.local.LocalBulk.lambda$doFlush$0(LocalBulk.java:117) {ES_MON_JAR}",
        f"\tat org.elasticsearch.action.ActionListener$1.onResponse(ActionListener.java:136) {ES_JAR}",
        f"\tat org.elasticsearch.action.bulk.TransportBulkAction$BulkOperation$1.finishHim(TransportBulkAction.java:625) {ES_JAR}",
        f"\tat org.elasticsearch.common.util.concurrent.AbstractRunnable.run(AbstractRunnable.java:26) {ES_JAR}",
        "\tat java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1144) [?:?]",
        "\tat java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:642) [?:?]",
        "\tat java.lang.Thread.run(Thread.java:1583) [?:?]",
        "Caused by: org.elasticsearch.xpack.monitoring.exporter.ExportException: bulk [default_local] reports failures when exporting documents",
        f"\tat org.elasticsearch.xpack.monitoring.exporter.local.LocalBulk.throwExportException(LocalBulk.java:131) ~{ES_MON_JAR}",
        "\t... 11 more",
    ]
)

SLOW_QUERIES = [
    '"query_string":{"query":"message:*timeout*","analyze_wildcard":true}',
    '"query_string":{"query":"kubernetes.namespace:payments AND log.level:error","analyze_wildcard":true}',
    '"query_string":{"query":"http.response.status_code:5*","analyze_wildcard":true}',
    '"query_string":{"query":"*OutOfMemoryError*","analyze_wildcard":true}',
    '"match_phrase":{"kubernetes.labels.app":"billing-api"}',
    '"query_string":{"query":"user.id:8812* AND event.action:login","analyze_wildcard":true}',
]


def gen_elasticsearch():
    rng = random.Random(20240212)
    rid = random.Random(7)  # index uuids, kept apart so ids do not move when noise rates change

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 2, d, hh, mm, tzinfo=ES_TZ) + sec(ss)

    T0, T1 = at(12, 0, 30), at(13, 22, 0)
    L = Log(lambda d: d.isoformat(timespec="milliseconds"))
    MASTERS = ["es-master-01", "es-master-02", "es-master-03"]
    DATAS = ["es-data-01", "es-data-02", "es-data-03", "es-data-04"]
    NODES = MASTERS + DATAS
    MASTER = "es-master-01"
    IP = {
        "es-master-01": "10.20.1.21", "es-master-02": "10.20.1.22", "es-master-03": "10.20.1.23",
        "es-data-01": "10.20.1.11", "es-data-02": "10.20.1.12", "es-data-03": "10.20.1.13",
        "es-data-04": "10.20.1.14",
    }
    NID = {n: b64id(rng) for n in NODES}
    EPH = {n: b64id(rng) for n in NODES}
    JVM_START = {n: datetime(2024, 1, 29, 3, 10 + 7 * i, tzinfo=ES_TZ) for i, n in enumerate(NODES)}
    DISK = {"es-data-03": 1536.0, "es-data-04": 1024.0}

    def desc(n):
        if n in DATAS:
            roles, attrs = "cdfhilrstw", "{xpack.installed=true, transform.node=true}"
        else:
            roles, attrs = "mr", "{xpack.installed=true, transform.node=false}"
        return f"{{{n}}}{{{NID[n]}}}{{{EPH[n]}}}{{{IP[n]}}}{{{IP[n]}:9300}}{{{roles}}}{attrs}"

    def log(dt, level, comp, node, msg, tpl):
        L.add(
            dt,
            tpl,
            {
                "level": level,
                "component": comp,
                "cluster.name": "logs-prod",
                "node.name": node,
                "host": node,
                "service": "elasticsearch",
                "message": msg,
            },
        )

    UU = {}

    def iu(idx):
        if idx not in UU:
            UU[idx] = b64id(rid)
        return UU[idx]

    def day(t):
        return t.astimezone(UTC).strftime("%Y.%m.%d")

    def version(t):  # cluster state version grows with time
        return 183000 + int((t - T0).total_seconds() / 37)

    def gcsec(n, t):
        return int((t - JVM_START[n]).total_seconds())

    # key moments of the story
    ILM_STOP = at(12, 9, 27, 18.402)
    R_STOP, R_UP = at(12, 9, 29, 3.115), at(12, 9, 35, 51.870)
    LOW3, HIGH3, FLOOD3 = at(12, 14, 10, 22.5), at(12, 19, 5, 31.2), at(12, 21, 44, 17.4)
    NEWDAY = at(13, 1, 0, 2.1)
    LOW4, HIGH4, FLOOD4 = at(13, 4, 20, 9.8), at(13, 8, 31, 44.6), at(13, 10, 12, 40.3)
    DEL = at(13, 10, 47, 55.2)
    REL = at(13, 10, 50, 31.2)
    ILM_START = at(13, 10, 56, 4.7)
    GC2 = at(13, 16, 40, 43.2)

    def blocked(idx, t):
        if idx in ("applogs-2024.02.12", ".monitoring-es-7-2024.02.12") and FLOOD3 <= t < REL:
            return True
        if idx in ("applogs-2024.02.13", ".monitoring-es-7-2024.02.13") and FLOOD4 <= t < REL:
            return True
        return False

    def interp(points, t):
        for (ta, a), (tb, b) in zip(points, points[1:]):
            if ta <= t <= tb:
                return a + (b - a) * (t - ta).total_seconds() / (tb - ta).total_seconds()
        return points[-1][1]

    P3 = [(T0, 78.9), (LOW3, 85.02), (HIGH3, 90.03), (FLOOD3, 95.01)]
    P4 = [(T0, 70.8), (LOW4, 85.03), (HIGH4, 90.02), (FLOOD4, 95.02)]

    def du(n, pct):
        free = DISK[n] * (100 - pct) / 100
        return f"[{NID[n]}][{n}][/var/lib/elasticsearch/nodes/0] free: {free:.1f}gb[{100 - pct:.1f}%]"

    # ---- routine: mapping updates on the elected master
    def busy(t):
        return 0.35 if t.hour < 7 else 1.0

    for t in poisson(rng, T0, T1, 13, busy):
        fam = rng.choices(["applogs", "edge-access", "k8s-events"], [65, 25, 10])[0]
        idx = f"{fam}-{day(t)}"
        if blocked(idx, t) or abs((t - at(12, 1, 0, 2)).total_seconds()) < 6 or abs((t - NEWDAY).total_seconds()) < 6:
            continue
        log(t, "INFO", "o.e.c.m.MetadataMappingService", MASTER, f"[{idx}/{iu(idx)}] update_mapping [_doc]", "update_mapping")

    # ---- routine: GC overhead reports
    for n in NODES:
        per_h = 3.0 if n in DATAS else 0.5
        for t in poisson(rng, T0, T1, per_h):
            if n == "es-data-04" and R_STOP <= t < R_UP + sec(60):
                continue
            if n == "es-data-02" and GC2 - sec(300) <= t < GC2 + sec(300):
                continue
            if rng.random() < 0.06:
                ms, lvl = rng.randint(505, 870), "WARN"
            else:
                ms, lvl = rng.randint(250, 480), "INFO"
            log(t, lvl, "o.e.m.j.JvmGcMonitorService", n, f"[gc][{gcsec(n, t)}] overhead, spent [{ms}ms] collecting in the last [1s]", "gc_overhead")
        if n in DATAS:
            for t in poisson(rng, T0, T1, 0.22):
                if n == "es-data-04" and R_STOP <= t < R_UP + sec(60):
                    continue
                d = rng.uniform(1.0, 1.9)
                tot = 20 + (t - T0).total_seconds() / 3600 * 0.4
                a, b = rng.uniform(19, 24), rng.uniform(8, 11)
                log(
                    t, "WARN", "o.e.m.j.JvmGcMonitorService", n,
                    f"[gc][young][{gcsec(n, t)}][{4000 + int((t - T0).total_seconds() / 60)}] duration [{d:.1f}s], collections [1]/[{d + 0.4:.1f}s], "
                    f"total [{d:.1f}s]/[{tot:.1f}m], memory [{a:.1f}gb]->[{b:.1f}gb]/[31gb], all_pools {{[young] [{a - b:.1f}gb]->[0b]/[0b]}}"
                    f"{{[old] [{b - 0.3:.1f}gb]->[{b - 0.2:.1f}gb]/[31gb]}}{{[survivor] [{rng.randint(96, 240)}mb]->[{rng.randint(64, 180)}mb]/[0b]}}",
                    "gc_young",
                )

    # ---- noise: search slow log (Kibana dashboards)
    for t in poisson(rng, T0, T1, 1.1, busy):
        n = rng.choice(DATAS)
        if n == "es-data-04" and R_STOP <= t < R_UP:
            continue
        fam = rng.choice(["applogs", "applogs", "edge-access"])
        idx = f"{fam}-{day(t - sec(86400 * rng.randint(0, 3)))}"
        ms = rng.randint(5050, 14800)
        days = rng.choice([1, 7, 7, 14, 30])
        src = (
            '{"size":500,"query":{"bool":{"filter":[{"range":{"@timestamp":{"gte":"now-%dd","lte":"now",'
            '"format":"strict_date_optional_time"}}}],"must":[{%s}]}},"sort":[{"@timestamp":{"order":"desc"}}]}'
        ) % (days, rng.choice(SLOW_QUERIES))
        log(
            t, "WARN", "i.s.s.query", n,
            f"[{idx}][{rng.randint(0, 3)}] took[{ms / 1000:.1f}s], took_millis[{ms}], total_hits[10000+ hits], types[], stats[], "
            f"search_type[QUERY_THEN_FETCH], total_shards[{rng.choice([4, 8, 12, 28])}], source[{src}], id[],",
            "slowlog",
        )

    # ---- noise: clients dropping HTTP connections
    for t in poisson(rng, T0, T1, 0.45):
        n = rng.choice(["es-data-01", "es-data-02", "es-data-03"])
        remote = f"10.30.4.{rng.randint(20, 90)}:{rng.randint(32768, 60999)}"
        log(
            t, "WARN", "o.e.h.AbstractHttpServerTransport", n,
            f"caught exception while handling client http traffic, closing connection Netty4HttpChannel{{localAddress=/{IP[n]}:9200, remoteAddress=/{remote}}}\n"
            + ES_RESET_STACK,
            "http_reset",
        )

    # ---- second, unrelated minor problem: an old beats box with a stale password, every hour
    t = at(12, 0, 52, 11.0)
    while t < T1:
        log(
            t + sec(rng.uniform(-90, 90)), "WARN", "o.e.x.s.a.AuthenticationService", "es-data-01",
            "Authentication of [beats_legacy] was terminated by realm [native1] - failed to authenticate user [beats_legacy]",
            "auth_failed",
        )
        t += sec(3600)

    # ---- nightly: new daily indices at 00:00 UTC (01:00 local)
    for d in (12, 13):
        dd = f"2024.02.{d:02d}"
        base = at(d, 1, 0, 2.1)
        specs = [
            ("applogs", "applogs", 4, 1), ("edge-access", "edge-access", 2, 1), ("k8s-events", "k8s-events", 1, 1),
            (".monitoring-es-7", ".monitoring-es", 1, 0), (".monitoring-kibana-7", ".monitoring-kibana", 1, 0),
        ]
        for k, (fam, tmpl, p, r) in enumerate(specs):
            tc = base + sec(k * 0.9 + rng.uniform(0, 0.4))
            log(
                tc, "INFO", "o.e.c.m.MetadataCreateIndexService", MASTER,
                f"[{fam}-{dd}] creating index, cause [auto(bulk api)], templates [{tmpl}], shards [{p}]/[{r}]",
                "create_index",
            )
            log(tc + sec(0.05), "INFO", "o.e.c.m.MetadataMappingService", MASTER, f"[{fam}-{dd}/{iu(fam + '-' + dd)}] update_mapping [_doc]", "update_mapping")
        log(
            base + sec(9.6), "INFO", "o.e.c.r.a.AllocationService", MASTER,
            f"Cluster health status changed from [YELLOW] to [GREEN] (reason: [shards started [[applogs-{dd}][3]]]).",
            "health",
        )
        # monitoring's own cleaner (not ILM) drops 7-day-old monitoring indices at 01:00 UTC
        old = f"2024.02.{d - 7:02d}"
        for k, fam in enumerate([".monitoring-es-7", ".monitoring-kibana-7"]):
            log(at(d, 2, 0, 1.3 + k * 0.2), "INFO", "o.e.c.m.MetadataDeleteIndexService", MASTER, f"[{fam}-{old}/{iu(fam + '-' + old)}] deleting index", "delete_index")
        # ML daily maintenance and the nightly snapshot
        tm = at(d, 1, 31, rng.uniform(0, 50))
        log(tm, "INFO", "o.e.x.m.MlDailyMaintenanceService", MASTER, "Successfully completed [ML] maintenance task: triggerDeleteExpiredDataTask", "ml_maint")
        snap = f"nightly-snap-{dd}-{b64id(rng, 22).lower().replace('-', 'x').replace('_', 'y')}"
        ts = at(d, 1, 30, 0.4)
        log(ts, "INFO", "o.e.x.s.SnapshotLifecycleTask", MASTER, f"snapshot lifecycle policy [nightly-snapshots] issuing create snapshot [{snap}]", "slm_issue")
        suid = b64id(rng)
        log(ts + sec(0.8), "INFO", "o.e.s.SnapshotsService", MASTER, f"snapshot [s3_backups:{snap}/{suid}] started", "snap_started")
        log(ts + sec(rng.uniform(400, 700)), "INFO", "o.e.s.SnapshotsService", MASTER, f"snapshot [s3_backups:{snap}/{suid}] completed with state [SUCCESS]", "snap_done")
        tr = at(d, 1, 30, 0.1)
        log(tr, "INFO", "o.e.x.s.SnapshotRetentionTask", MASTER, "starting SLM retention snapshot cleanup task", "slm_ret_start")
        log(tr + sec(3.4), "INFO", "o.e.x.s.SnapshotRetentionTask", MASTER, "SLM retention snapshot cleanup task complete", "slm_ret_done")

    # ---- routine: hourly snapshots (SLM policy hourly-snapshots), kept by SLM retention
    t = at(12, 1, 15, 0.3)
    while t < T1:
        if t.hour != 1:
            snap = f"hourly-snap-{day(t)}-{b64id(rng, 22).lower().replace('-', 'x').replace('_', 'y')}"
            log(t, "INFO", "o.e.x.s.SnapshotLifecycleTask", MASTER, f"snapshot lifecycle policy [hourly-snapshots] issuing create snapshot [{snap}]", "slm_issue")
            suid = b64id(rng)
            log(t + sec(rng.uniform(0.5, 1.2)), "INFO", "o.e.s.SnapshotsService", MASTER, f"snapshot [s3_backups:{snap}/{suid}] started", "snap_started")
            log(t + sec(rng.uniform(40, 160)), "INFO", "o.e.s.SnapshotsService", MASTER, f"snapshot [s3_backups:{snap}/{suid}] completed with state [SUCCESS]", "snap_done")
        t += sec(3600 + rng.uniform(-0.2, 0.2))

    # ---- ILM, still running on the 12th: warm, cold and the 30-day delete
    def step(phase, action, name):
        return '{"phase":"%s","action":"%s","name":"%s"}' % (phase, action, name)

    def move(t, idx, pol, a, b):
        log(t, "INFO", "o.e.x.i.IndexLifecycleTransition", MASTER, f"moving index [{idx}] from [{a}] to [{b}] in policy [{pol}]", "ilm_move")

    t = at(12, 1, 5, 12.3)
    for fam in ("applogs", "edge-access"):
        pol = f"{fam}-30d"
        move(t, f"{fam}-2024.02.05", pol, step("hot", "complete", "complete"), step("warm", "set_priority", "set_priority"))
        move(t + sec(0.4), f"{fam}-2024.02.05", pol, step("warm", "set_priority", "set_priority"), step("warm", "forcemerge", "forcemerge"))
        move(t + sec(1.1), f"{fam}-2024.01.29", pol, step("warm", "complete", "complete"), step("cold", "set_priority", "set_priority"))
        t += sec(2.3)
    t = at(12, 1, 8, 39.6)
    for fam in ("applogs", "edge-access"):
        pol, idx = f"{fam}-30d", f"{fam}-2024.01.13"
        move(t, idx, pol, step("cold", "complete", "complete"), step("delete", "delete", "cleanup-snapshot"))
        move(t + sec(0.6), idx, pol, step("delete", "delete", "cleanup-snapshot"), step("delete", "delete", "delete"))
        log(t + sec(1.4), "INFO", "o.e.c.m.MetadataDeleteIndexService", MASTER, f"[{idx}/{iu(idx)}] deleting index", "delete_index")
        t += sec(3.1)
    t = at(12, 1, 18, 5.0)
    for fam in ("applogs", "edge-access"):
        move(t, f"{fam}-2024.02.05", f"{fam}-30d", step("warm", "forcemerge", "forcemerge"), step("warm", "complete", "complete"))
        t += sec(1.7)

    # ---- morning of the 12th: rolling restart of es-data-04 for OS patching. ILM is stopped for it
    #      and never started again (the cause).
    def all_nodes_setting(t, a, b):
        for k, n in enumerate(NODES):
            log(t + sec(0.02 * k + rng.uniform(0, 0.05)), "INFO", "o.e.c.s.ClusterSettings", n, f"updating [cluster.routing.allocation.enable] from [{a}] to [{b}]", "cluster_setting")

    all_nodes_setting(at(12, 9, 26, 40.1), "all", "primaries")
    log(ILM_STOP, "INFO", "o.e.x.i.OperationModeUpdateTask", MASTER, "updating ILM operation mode to STOPPING", "ilm_mode")
    log(ILM_STOP + sec(0.431), "INFO", "o.e.x.i.OperationModeUpdateTask", MASTER, "updating ILM operation mode to STOPPED", "ilm_mode")
    n4 = "es-data-04"
    log(R_STOP, "INFO", "o.e.n.Node", n4, "stopping ...", "node_stopping")
    log(R_STOP + sec(0.12), "INFO", "o.e.x.w.WatcherService", n4, "stopping watch service, reason [shutdown initiated]", "watcher_stop")
    log(R_STOP + sec(0.3), "INFO", "o.e.x.m.p.NativeController", n4, "Native controller process has stopped - no new native processes can be started", "native_stop")
    log(R_STOP + sec(1.9), "INFO", "o.e.n.Node", n4, "stopped", "node_stopped")
    log(R_STOP + sec(1.9), "INFO", "o.e.n.Node", n4, "closing ...", "node_closing")
    log(R_STOP + sec(2.0), "INFO", "o.e.n.Node", n4, "closed", "node_closed")
    v = version(R_STOP)
    tl = R_STOP + sec(0.61)
    old4 = desc(n4)
    log(tl, "INFO", "o.e.c.s.MasterService", MASTER, f"node-left[{old4} reason: disconnected], term: 9, version: {v}, delta: removed {{{old4}}}", "node_left")
    for n in NODES:
        if n == n4:
            continue
        why = f"Publication{{term=9, version={v}}}" if n == MASTER else f"ApplyCommitRequest{{term=9, version={v}, sourceNode={desc(MASTER)}}}"
        log(tl + sec(0.05 + rng.uniform(0, 0.08)), "INFO", "o.e.c.s.ClusterApplierService", n, f"removed {{{old4}}}, term: 9, version: {v}, reason: {why}", "applier_removed")
    log(tl + sec(0.2), "INFO", "o.e.c.r.a.AllocationService", MASTER, f"Cluster health status changed from [GREEN] to [YELLOW] (reason: [{old4} reason: disconnected]).", "health")
    EPH[n4] = b64id(rng)
    t = R_UP
    boot = [
        ("o.e.n.Node", f"version[{ES_V}], pid[2231], build[default/rpm/8682172c2130b9a411b1bd5ff37c9792367de6b0/2024-02-02T12:04:59.691750271Z], "
         "OS[Linux/5.15.0-94-generic/amd64], JVM[Oracle Corporation/OpenJDK 64-Bit Server VM/21.0.2/21.0.2+13-58]"),
        ("o.e.n.Node", "JVM home [/usr/share/elasticsearch/jdk], using bundled JDK [true]"),
        ("o.e.n.Node", "JVM arguments [-Xshare:auto, -Des.networkaddress.cache.ttl=60, -Des.networkaddress.cache.negative.ttl=10, "
         "-XX:+AlwaysPreTouch, -Xss1m, -Djava.awt.headless=true, -Dfile.encoding=UTF-8, -Djna.nosys=true, -XX:-OmitStackTraceInFastThrow, "
         "-Dio.netty.noUnsafe=true, -Dio.netty.noKeySetOptimization=true, -Dlog4j.shutdownHookEnabled=false, -Dlog4j2.disable.jmx=true, "
         "-Xms31g, -Xmx31g, -XX:+UseG1GC, -XX:G1ReservePercent=25, -XX:InitiatingHeapOccupancyPercent=30, "
         "-XX:HeapDumpPath=/var/lib/elasticsearch, -XX:ErrorFile=/var/log/elasticsearch/hs_err_pid%p.log, "
         "-Des.path.home=/usr/share/elasticsearch, -Des.path.conf=/etc/elasticsearch, -Des.distribution.flavor=default, "
         "-Des.distribution.type=rpm, -Des.bundled_jdk=true]"),
        ("o.e.p.PluginsService", "loaded module [x-pack-ilm]"),
        ("o.e.p.PluginsService", "loaded module [x-pack-monitoring]"),
        ("o.e.p.PluginsService", "loaded module [x-pack-security]"),
        ("o.e.p.PluginsService", "no plugins loaded"),
        ("o.e.e.NodeEnvironment", "using [1] data paths, mounts [[/var/lib/elasticsearch (/dev/nvme1n1)]], net usable_space [291.3gb], net total_space [1tb], types [xfs]"),
        ("o.e.e.NodeEnvironment", "heap size [31gb], compressed ordinary object pointers [true]"),
        ("o.e.n.Node", f"node name [es-data-04], node ID [{NID[n4]}], cluster name [logs-prod], roles [transform, data_frozen, ingest, data_cold, data, remote_cluster_client, data_warm, data_content, data_hot]"),
        ("o.e.n.Node", "initialized"),
        ("o.e.n.Node", "starting ..."),
        ("o.e.t.TransportService", f"publish_address {{{IP[n4]}:9300}}, bound_addresses {{[::]:9300}}"),
        ("o.e.b.BootstrapChecks", "bound or publishing to a non-loopback address, enforcing bootstrap checks"),
    ]
    for comp, msg in boot:
        log(t, "INFO", comp, n4, msg, "boot:" + msg[:18])
        t += sec(rng.uniform(0.05, 1.6))
    v2 = version(t)
    tj = t + sec(0.4)
    new4 = desc(n4)
    log(tj, "INFO", "o.e.c.s.MasterService", MASTER, f"node-join[{new4} join existing leader], term: 9, version: {v2}, delta: added {{{new4}}}", "node_join")
    log(tj + sec(0.3), "INFO", "o.e.c.s.ClusterApplierService", n4,
        f"master node changed {{previous [], current [{desc(MASTER)}]}}, added {{{', '.join(desc(n) for n in NODES if n != n4)}}}, term: 9, version: {v2}, "
        f"reason: ApplyCommitRequest{{term=9, version={v2}, sourceNode={desc(MASTER)}}}", "applier_master_changed")
    for n in NODES:
        if n == n4:
            continue
        why = f"Publication{{term=9, version={v2}}}" if n == MASTER else f"ApplyCommitRequest{{term=9, version={v2}, sourceNode={desc(MASTER)}}}"
        log(tj + sec(0.1 + rng.uniform(0, 0.1)), "INFO", "o.e.c.s.ClusterApplierService", n, f"added {{{new4}}}, term: 9, version: {v2}, reason: {why}", "applier_added")
    log(tj + sec(1.1), "INFO", "o.e.h.AbstractHttpServerTransport", n4, f"publish_address {{{IP[n4]}:9200}}, bound_addresses {{[::]:9200}}", "http_publish")
    log(tj + sec(1.2), "INFO", "o.e.n.Node", n4, "started", "node_started")
    log(tj + sec(1.9), "INFO", "o.e.l.LicenseService", n4, "license [8a3e41c2-6b0f-4d3c-9e51-0f2b7d4c9a18] mode [platinum] - valid", "license")
    all_nodes_setting(at(12, 9, 38, 12.6), "primaries", "all")
    log(at(12, 9, 44, 37.8), "INFO", "o.e.c.r.a.AllocationService", MASTER,
        "Cluster health status changed from [YELLOW] to [GREEN] (reason: [shards started [[applogs-2024.02.12][1]]]).", "health")

    # ---- the disk fills: es-data-03 on the 12th, es-data-04 on the 13th (logged by the master)
    for k in range(5):
        t = LOW3 + sec(3600 * k)
        log(t, "INFO", "o.e.c.r.a.DiskThresholdMonitor", MASTER,
            f"low disk watermark [85%] exceeded on {du('es-data-03', interp(P3, t))}, replicas will not be assigned to this node", "wm_low")
    high_tail = ("shards will be relocated away from this node; currently relocating away shards totalling [0b]; "
                 "the node is expected to continue to exceed the high disk watermark when these relocations are complete")
    for k in range(4):
        t = HIGH3 + sec(2400 * k)
        log(t, "WARN", "o.e.c.r.a.DiskThresholdMonitor", MASTER, f"high disk watermark [90%] exceeded on {du('es-data-03', interp(P3, t))}, {high_tail}", "wm_high")
        log(t + sec(0.04), "INFO", "o.e.c.r.a.DiskThresholdMonitor", MASTER, "rerouting shards: [high disk watermark exceeded on one or more nodes]", "wm_reroute")
    t = FLOOD3
    while t < REL:
        log(t, "WARN", "o.e.c.r.a.DiskThresholdMonitor", MASTER,
            f"flood stage disk watermark [95%] exceeded on {du('es-data-03', 95.04)}, all indices on this node will be marked read-only", "wm_flood")
        t += sec(600)
    for k in range(5):
        t = LOW4 + sec(3600 * k)
        log(t, "INFO", "o.e.c.r.a.DiskThresholdMonitor", MASTER,
            f"low disk watermark [85%] exceeded on {du('es-data-04', interp(P4, t))}, replicas will not be assigned to this node", "wm_low")
    for k in range(3):
        t = HIGH4 + sec(2400 * k)
        log(t, "WARN", "o.e.c.r.a.DiskThresholdMonitor", MASTER, f"high disk watermark [90%] exceeded on {du('es-data-04', interp(P4, t))}, {high_tail}", "wm_high")
        log(t + sec(0.04), "INFO", "o.e.c.r.a.DiskThresholdMonitor", MASTER, "rerouting shards: [high disk watermark exceeded on one or more nodes]", "wm_reroute")
    t = FLOOD4
    while t < REL:
        log(t, "WARN", "o.e.c.r.a.DiskThresholdMonitor", MASTER,
            f"flood stage disk watermark [95%] exceeded on {du('es-data-04', 95.05)}, all indices on this node will be marked read-only", "wm_flood")
        t += sec(600)

    # ---- consequence inside the cluster: monitoring cannot write its read-only index
    def mon_failures(start, end, idx):
        t, k = start, 0
        order = ["es-data-01", "es-master-01", "es-data-02", "es-data-04", "es-data-03", "es-master-02", "es-master-03"]
        while t < end:
            n = order[k % len(order)]
            log(t, "WARN", "o.e.x.m.e.l.LocalExporter", n, es_export_doc_failed(idx), "mon_doc_failed")
            log(t + sec(0.004), "WARN", "o.e.x.m.MonitoringService", n, ES_MON_FAILED, "mon_failed")
            t += sec(900 + rng.uniform(-20, 20))
            k += 1

    mon_failures(FLOOD3 + sec(48.3), NEWDAY, ".monitoring-es-7-2024.02.12")
    mon_failures(FLOOD4 + sec(40.1), REL, ".monitoring-es-7-2024.02.13")

    # ---- the fix on the 13th: delete old indices by hand, blocks released, ILM started again
    t = DEL
    for dd in range(14, 21):
        for fam in ("applogs", "edge-access"):
            idx = f"{fam}-2024.01.{dd}"
            log(t, "INFO", "o.e.c.m.MetadataDeleteIndexService", MASTER, f"[{idx}/{iu(idx)}] deleting index", "delete_index")
            t += sec(0.01)
    log(REL, "INFO", "o.e.c.r.a.DiskThresholdMonitor", MASTER,
        "releasing read-only-allow-delete block on indices: [[.kibana_task_manager_7.17.18_001, .monitoring-es-7-2024.02.12, "
        ".monitoring-es-7-2024.02.13, applogs-2024.02.12, applogs-2024.02.13]]", "wm_release")
    log(REL + sec(0.02), "INFO", "o.e.c.r.a.DiskThresholdMonitor", MASTER, f"low disk watermark [85%] no longer exceeded on {du('es-data-03', 71.3)}", "wm_low_ok")
    log(REL + sec(0.03), "INFO", "o.e.c.r.a.DiskThresholdMonitor", MASTER, f"low disk watermark [85%] no longer exceeded on {du('es-data-04', 73.8)}", "wm_low_ok")
    log(ILM_START, "INFO", "o.e.x.i.OperationModeUpdateTask", MASTER, "updating ILM operation mode to RUNNING", "ilm_mode")
    t = ILM_START + sec(8.2)
    for fam in ("applogs", "edge-access"):
        pol = f"{fam}-30d"
        move(t, f"{fam}-2024.02.06", pol, step("hot", "complete", "complete"), step("warm", "set_priority", "set_priority"))
        move(t + sec(0.4), f"{fam}-2024.02.06", pol, step("warm", "set_priority", "set_priority"), step("warm", "forcemerge", "forcemerge"))
        move(t + sec(1.0), f"{fam}-2024.01.30", pol, step("warm", "complete", "complete"), step("cold", "set_priority", "set_priority"))
        t += sec(2.2)

    # ---- unrelated, 13th afternoon: a 14 s old-gen pause on es-data-02 drops it from the cluster
    n2 = "es-data-02"
    v = version(GC2 + sec(15))
    log(GC2 + sec(10.4), "WARN", "o.e.c.c.C.CoordinatorPublication", MASTER,
        f"after [10s] publication of cluster state version [{v - 1}] is still waiting for {desc(n2)} [SENT_APPLY_COMMIT]", "publication_wait")
    tl = GC2 + sec(15.0)
    log(tl, "INFO", "o.e.c.s.MasterService", MASTER,
        f"node-left[{desc(n2)} reason: followers check retry count exceeded], term: 9, version: {v}, delta: removed {{{desc(n2)}}}", "node_left")
    for n in NODES:
        if n == n2:
            continue
        why = f"Publication{{term=9, version={v}}}" if n == MASTER else f"ApplyCommitRequest{{term=9, version={v}, sourceNode={desc(MASTER)}}}"
        log(tl + sec(0.06 + rng.uniform(0, 0.08)), "INFO", "o.e.c.s.ClusterApplierService", n, f"removed {{{desc(n2)}}}, term: 9, version: {v}, reason: {why}", "applier_removed")
    log(tl + sec(0.7), "INFO", "o.e.c.r.a.AllocationService", MASTER,
        f"Cluster health status changed from [GREEN] to [YELLOW] (reason: [{desc(n2)} reason: followers check retry count exceeded]).", "health")
    log(tl + sec(0.8), "INFO", "o.e.c.r.DelayedAllocationService", MASTER, "scheduling reroute for delayed shards in [59.3s] (37 delayed shards)", "delayed_reroute")
    tg = GC2 + sec(14.9)
    g = gcsec(n2, tg)
    log(tg, "WARN", "o.e.m.j.JvmGcMonitorService", n2,
        f"[gc][old][{g}][41] duration [14.6s], collections [1]/[14.9s], total [14.6s]/[1.4m], memory [30.4gb]->[12.1gb]/[31gb], "
        "all_pools {[young] [0b]->[0b]/[0b]}{[old] [30.2gb]->[12.1gb]/[31gb]}{[survivor] [160mb]->[0b]/[0b]}", "gc_old")
    log(tg + sec(0.001), "WARN", "o.e.m.j.JvmGcMonitorService", n2, f"[gc][{g}] overhead, spent [14.6s] collecting in the last [14.9s]", "gc_overhead")
    log(tg + sec(0.2), "WARN", "o.e.t.ThreadPool", n2, "timer thread slept for [14.8s/14872ms] on absolute clock which is above the warn threshold of [5000ms]", "timer_slept")
    log(tg + sec(0.6), "INFO", "o.e.c.s.ClusterApplierService", n2,
        f"master node changed {{previous [{desc(MASTER)}], current []}}, term: 9, version: {v - 1}, reason: becoming candidate: onLeaderFailure", "applier_master_changed")
    masters_desc = ", ".join(desc(m) for m in MASTERS)
    log(tg + sec(10.6), "WARN", "o.e.c.c.ClusterFormationFailureHelper", n2,
        f"master not discovered yet: have discovered [{desc(n2)}, {masters_desc}]; discovery will continue using "
        f"[10.20.1.21:9300, 10.20.1.22:9300, 10.20.1.23:9300] from hosts providers and [{masters_desc}] from last-known cluster state; "
        f"node term 9, last-accepted version {v - 1} in term 9", "master_not_discovered")
    tj = tg + sec(13.2)
    v2 = v + 2
    log(tj, "INFO", "o.e.c.s.MasterService", MASTER, f"node-join[{desc(n2)} join existing leader], term: 9, version: {v2}, delta: added {{{desc(n2)}}}", "node_join")
    log(tj + sec(0.2), "INFO", "o.e.c.s.ClusterApplierService", n2,
        f"master node changed {{previous [], current [{desc(MASTER)}]}}, term: 9, version: {v2}, reason: ApplyCommitRequest{{term=9, version={v2}, sourceNode={desc(MASTER)}}}",
        "applier_master_changed")
    for n in NODES:
        if n == n2:
            continue
        why = f"Publication{{term=9, version={v2}}}" if n == MASTER else f"ApplyCommitRequest{{term=9, version={v2}, sourceNode={desc(MASTER)}}}"
        log(tj + sec(0.1 + rng.uniform(0, 0.1)), "INFO", "o.e.c.s.ClusterApplierService", n, f"added {{{desc(n2)}}}, term: 9, version: {v2}, reason: {why}", "applier_added")
    log(tj + sec(38.5), "INFO", "o.e.c.r.a.AllocationService", MASTER,
        "Cluster health status changed from [YELLOW] to [GREEN] (reason: [shards started [[edge-access-2024.02.13][0]]]).", "health")

    recs, tpls = L.build()
    return recs, tpls, {}


ES_PROBLEM = r"^node-left|health status changed from \[GREEN\]|low disk watermark \[\d+%\] exceeded"


def questions_elasticsearch(facts):
    def problems(since, until):
        return [
            {"field": {"level": "WARN|ERROR"}, "since": since, "until": until},
            {"msg": ES_PROBLEM, "since": since, "until": until},
        ]

    return [
        q("broad",
          "kibana's got a hole in the app logs from last night. what went wrong on the es cluster between 21:30 and 23:00 on the 12th?",
          ["flood stage", "es-data-03"],
          problems("2024-02-12T21:30:00+01:00", "2024-02-12T23:00:00+01:00")),
        q("paraphrase",
          "was that box actually running out of room? how full was it getting in the hours before that",
          ["85%", "90%"],
          {"msg": r"disk watermark \[\d+%\] exceeded on \[[^\]]+\]\[es-data-03\]", "until": "2024-02-12T21:44:00+01:00"}),
        q("lexical",
          "grep shows 'updating ILM operation mode' on es-master-01. when did it get stopped and did anyone ever turn it back on?",
          ["STOPPED", "RUNNING"],
          {"msg": r"^updating ILM operation mode to "}),
        q("paraphrase",
          "so the 30-day expiry never kicked in last night? when did an old daily one last actually get dropped",
          ["applogs-2024.01.13", "01:08"],
          {"msg": r"^\[(applogs|edge-access)-2024\.01\.\d\d/\S+\] deleting index|\"phase\":\"delete\"",
           "until": "2024-02-13T10:00:00+01:00"}),
        q("lexical",
          "did es-data-04 end up read-only as well this morning? when did it cross flood stage and when did the blocks come off",
          ["es-data-04", "applogs-2024.02.13"],
          [{"msg": r"flood stage disk watermark .*\]\[es-data-04\]\["},
           {"msg": r"no longer exceeded on .*\]\[es-data-04\]\["},
           {"msg": r"^releasing read-only-allow-delete block"}]),
        q("broad",
          "different thing: monitoring showed a yellow blip on the 13th. what went wrong between 16:35 and 16:50?",
          ["es-data-02", "followers check retry count exceeded"],
          problems("2024-02-13T16:35:00+01:00", "2024-02-13T16:50:00+01:00")),
    ]


# =============================================================================================
# 2. Node.js (Fastify + pino) invoice-api: release 2.9.0 leaks pg pool clients on a failing
#    export query; pools run dry overnight and every DB request times out. UTC.

PG_TIMEOUT_STACK = (
    "Error: timeout exceeded when trying to connect\n"
    "    at Timeout._onTimeout (/app/node_modules/pg-pool/index.js:205:27)\n"
    "    at listOnTimeout (node:internal/timers:573:17)\n"
    "    at process.processTimers (node:internal/timers:514:7)"
)
PG_UUID_STACK = (
    'error: invalid input syntax for type uuid: "undefined"\n'
    "    at /app/node_modules/pg/lib/client.js:526:17\n"
    "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n"
    "    at async ExportService.countInvoices (/app/dist/services/export-service.js:88:25)\n"
    "    at async ExportService.create (/app/dist/services/export-service.js:41:23)\n"
    "    at async Object.<anonymous> (/app/dist/routes/exports.js:27:24)"
)
DNS_STACK = (
    "Error: getaddrinfo EAI_AGAIN www.ecb.europa.eu\n"
    "    at GetAddrInfoReqWrap.onlookup [as oncomplete] (node:dns:118:26)"
)
STRIPE_SIG = (
    "No signatures found matching the expected signature for payload. Are you passing the raw request body you "
    "received from Stripe? https://github.com/stripe/stripe-node#webhook-signing"
)
DEP_PUNYCODE = (
    "(node:1) [DEP0040] DeprecationWarning: The `punycode` module is deprecated. Please use a userland alternative instead.\n"
    "(Use `node --trace-deprecation ...` to show where the warning was created)"
)
SCAN_PATHS = [
    ("GET", "/wp-login.php"), ("GET", "/.env"), ("GET", "/.git/config"), ("GET", "/actuator/health"),
    ("GET", "/server-status"), ("GET", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php"),
    ("GET", "/api/v1/pods"), ("POST", "/cgi-bin/luci/;stok=/locale"), ("GET", "/owa/auth/logon.aspx"),
]
STRIPE_EVENTS = ["invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed", "customer.subscription.updated", "charge.refunded"]
POOL_MAX = 8  # pg pool size per pod (max)
CURRENCIES = ["EUR", "EUR", "EUR", "GBP", "USD", "CHF", "SEK"]


def gen_fastify():
    rng = random.Random(20240521)

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 5, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(21, 6, 0), at(22, 9, 30)
    L = Log(iso_ms_z)
    KNODES = ["ip-10-42-3-17.eu-west-1.compute.internal", "ip-10-42-5-204.eu-west-1.compute.internal",
              "ip-10-42-7-88.eu-west-1.compute.internal"]
    BFF, SUBS, INGRESS, WORKER = "10.42.5.61", "10.42.6.14", "10.42.1.5", "10.42.7.23"

    class Pod:
        def __init__(self, rs, ver, k, start, stop):
            self.name = f"invoice-api-{rs}-{ksuffix(rng)}"
            self.ver, self.node = ver, KNODES[k % 3]
            self.start, self.ready, self.stop = start, start + sec(2.6 + rng.uniform(0, 0.8)), stop
            self.seq, self.leaked, self.last_warn = 0, 0, None

    FAR = T1 + sec(86400)
    gens = [
        ("7d9c6b5f48", "2.8.3", [None] * 3, [at(21, 15, 42, 40.2), at(21, 15, 43, 35.7), at(21, 15, 44, 30.1)]),
        ("5b8f9d7c66", "2.9.0", [at(21, 15, 42, 8.3), at(21, 15, 43, 2.9), at(21, 15, 43, 57.6)],
         [at(22, 3, 7, 45.3), at(22, 3, 8, 38.9), at(22, 3, 9, 31.4)]),
        ("6f5c8d9b7d", "2.9.0", [at(22, 3, 7, 12.8), at(22, 3, 8, 5.5), at(22, 3, 8, 58.1)],
         [at(22, 7, 48, 52.0), at(22, 7, 49, 46.3), at(22, 7, 50, 39.7)]),
        ("7d9c6b5f48", "2.8.3", [at(22, 7, 48, 20.5), at(22, 7, 49, 14.1), at(22, 7, 50, 7.9)], [FAR] * 3),
    ]
    pods = []
    for rs, ver, starts, stops in gens:
        for k in range(3):
            start = starts[k] if starts[k] is not None else T0 - sec(86400 * 3)
            p = Pod(rs, ver, k, start, stops[k])
            if starts[k] is None:
                p.seq = rng.randint(40000, 90000)
            pods.append(p)

    def emit(dt, tpl, pod, level, msg, fields=None, stream="stdout"):
        r = {}
        if level is not None:
            dt = trunc_ms(dt)
            r.update({"level": level, "time": epoch_ms(dt), "pid": 1, "hostname": pod.name, "name": "invoice-api"})
            r.update(fields or {})
        r["message"] = msg
        r["stream"] = stream
        r["kubernetes"] = {"namespace": "billing", "pod": pod.name, "container": "invoice-api", "node": pod.node}
        L.add(dt, tpl, r)

    def live(t):
        return [p for p in pods if p.ready <= t < p.stop]

    # ---- container starts and stops
    for p in pods:
        if p.start >= T0:
            t = p.start
            emit(t + sec(0.21), "stderr_dep", p, None, DEP_PUNYCODE, stream="stderr")
            emit(t + sec(0.35), "starting", p, 30, f"invoice-api {p.ver} starting", {"node": "v20.12.2", "env": "production"})
            emit(t + sec(0.52), "pool_created", p, 30, "pg pool created",
                 {"pg": {"host": "pg-billing-primary.billing.svc", "database": "invoices", "max": POOL_MAX,
                         "idleTimeoutMillis": 30000, "connectionTimeoutMillis": 5000}})
            emit(t + sec(0.88), "templates", p, 30, "loaded pdf templates", {"count": 14, "dir": "/app/templates"})
            emit(t + sec(1.07), "tax_cache", p, 30, "tax rates cache warmed", {"jurisdictions": 214})
            emit(p.ready - sec(0.3), "listening", p, 30, "Server listening at http://0.0.0.0:8080")

    # ---- request streams (arrival time, kind, payload)
    def office(t):
        return 1.0 if 7 <= t.hour < 20 else 0.3

    heap = []

    def push(t, kind, data=None):
        heapq.heappush(heap, (t, len(heap) + rng.random(), kind, data or {}))

    for kind, per_h in [("get_invoice", 10), ("list_invoices", 5), ("create_invoice", 2), ("render_pdf", 2),
                        ("stripe", 2.5), ("expired_token", 0.7)]:
        for t in poisson(rng, T0, T1, per_h, office):
            push(t, kind)
    for t in poisson(rng, T0, T1, 0.55):  # scanner bursts through the public ingress
        for k in range(rng.randint(2, 6)):
            push(t + sec(k * rng.uniform(0.3, 4)), "scanner")
    # ad-hoc exports from the billing admin UI (the button shipped with 2.9.0)
    for t in poisson(rng, at(21, 15, 45), T1, 3.0, lambda t: 1.0 if 8 <= t.hour < 19 else 0.15):
        push(t, "export", {"by": "billing-admin", "ip": BFF, "bad": rng.random() < 0.5, "id": uuid4(rng), "attempt": 1})
    # nightly batch of the reports worker, 00:30 UTC
    t = at(22, 0, 30, 0.8)
    for k in range(36):
        push(t, "export", {"by": "reports-worker", "ip": WORKER, "bad": rng.random() < 0.5, "id": uuid4(rng), "attempt": 1})
        t += sec(rng.uniform(23, 27))
    RETRY_ROUNDS = [at(22, h, 30, 3.0) for h in (1, 2, 3)]
    retry_queue = {r: [] for r in range(len(RETRY_ROUNDS))}

    def req_fields(pod, method, url, ip, host="invoice-api.billing.svc.cluster.local:8080"):
        pod.seq += 1
        rid_ = "req-" + base36(pod.seq)
        trace = {"trace_id": hexs(rng, 32), "span_id": hexs(rng, 16), "trace_flags": "01"}
        req = {"method": method, "url": url, "hostname": host, "remoteAddress": ip, "remotePort": rng.randint(32768, 60999)}
        return rid_, trace, req

    def handle(t, pod, method, url, ip, kind, data, host="invoice-api.billing.svc.cluster.local:8080"):
        rid_, trace, req = req_fields(pod, method, url, ip, host)
        base = dict(reqId=rid_, **trace)
        emit(t, "incoming", pod, 30, "incoming request", dict(base, req=req))
        uses_db = kind not in ("scanner", "expired_token")
        if kind == "export" and pod.ver == "2.8.3":
            t2 = t + sec(rng.uniform(0.0006, 0.002))
            emit(t2, "route_404", pod, 30, f"Route {method}:{url} not found", dict(base, req=req))
            emit(t2 + sec(0.0004), "completed", pod, 30, "request completed", dict(base, res={"statusCode": 404}, responseTime=round(rng.uniform(0.6, 2.2), 3)))
            return 404
        if kind == "export":
            filt = {} if data["bad"] else {"customerId": data["id"]}
            emit(t + sec(0.001), "export_requested", pod, 30, "export requested",
                 dict(base, requestedBy=data["by"], format="csv", filter=filt, attempt=data["attempt"]))
        if uses_db and pod.leaked >= POOL_MAX:
            if pod.last_warn is None or t - pod.last_warn >= sec(900):
                pod.last_warn = t
                emit(t + sec(0.002), "pool_exhausted", pod, 40, "pg pool has no idle clients, requests are queueing",
                     dict(base, pool={"totalCount": POOL_MAX, "idleCount": 0, "waitingCount": rng.randint(1, 4)}))
            t2 = t + sec(5.0 + rng.uniform(0.001, 0.02))
            err = {"type": "Error", "message": "timeout exceeded when trying to connect", "stack": PG_TIMEOUT_STACK}
            emit(t2, "err_timeout", pod, 50, "timeout exceeded when trying to connect", dict(base, req=req, res={"statusCode": 500}, err=err))
            emit(t2 + sec(0.001), "completed", pod, 30, "request completed",
                 dict(base, res={"statusCode": 500}, responseTime=round((t2 - t).total_seconds() * 1000 + 0.8, 3)))
            return 500
        rt = rng.uniform(4, 40)
        status = 200
        if kind == "scanner":
            t2 = t + sec(rng.uniform(0.0005, 0.002))
            if method == "POST" and rng.random() < 0.5:
                err = {"type": "FastifyError", "message": "Unsupported Media Type: application/x-www-form-urlencoded",
                       "stack": "FastifyError: Unsupported Media Type: application/x-www-form-urlencoded\n    at ContentTypeParser.run (/app/node_modules/fastify/lib/contentTypeParser.js:192:16)",
                       "code": "FST_ERR_CTP_INVALID_MEDIA_TYPE", "name": "FastifyError", "statusCode": 415}
                emit(t2, "err_415", pod, 30, err["message"], dict(base, res={"statusCode": 415}, err=err))
                status = 415
            else:
                emit(t2, "route_404", pod, 30, f"Route {method}:{url} not found", dict(base, req=req))
                status = 404
            rt = rng.uniform(0.4, 2.0)
        elif kind == "expired_token":
            err = {"type": "FastifyError", "message": "Authorization token expired",
                   "stack": "FastifyError: Authorization token expired\n    at /app/node_modules/@fastify/jwt/jwt.js:540:22",
                   "code": "FST_JWT_AUTHORIZATION_TOKEN_EXPIRED", "name": "FastifyError", "statusCode": 401}
            emit(t + sec(0.003), "err_401", pod, 30, err["message"], dict(base, res={"statusCode": 401}, err=err))
            status, rt = 401, rng.uniform(1, 4)
        elif kind == "export" and data["bad"]:
            t2 = t + sec(rng.uniform(0.012, 0.03))
            err = {"type": "DatabaseError", "message": 'invalid input syntax for type uuid: "undefined"', "stack": PG_UUID_STACK,
                   "length": 98, "name": "error", "severity": "ERROR", "code": "22P02",
                   "where": "unnamed portal parameter $1 = '...'", "file": "uuid.c", "line": "133", "routine": "string_to_uuid"}
            emit(t2, "err_uuid", pod, 50, err["message"], dict(base, req=req, res={"statusCode": 500}, err=err))
            pod.leaked += 1  # the client is never released: the bug in 2.9.0
            status, rt = 500, (t2 - t).total_seconds() * 1000 + 1.1
        elif kind == "export":
            exp = "exp_" + b64id(rng, 16).replace("-", "x").replace("_", "y")
            emit(t + sec(0.02), "export_created", pod, 30, "export created", dict(base, exportId=exp))
            rows = rng.randint(40, 4200)
            emit(t + sec(rng.uniform(14, 80)), "export_done", pod, 30, "export completed",
                 {"exportId": exp, "rows": rows, "bytes": rows * rng.randint(180, 260),
                  "key": f"s3://billing-exports-prod/{t.strftime('%Y/%m/%d')}/{exp}.csv"})
            status, rt = 202, rng.uniform(20, 60)
        elif kind == "create_invoice":
            if rng.random() < 0.08:
                err = {"type": "Error", "message": "body must have required property 'currency'",
                       "stack": "Error: body must have required property 'currency'\n    at defaultSchemaErrorFormatter (/app/node_modules/fastify/lib/context.js:108:10)",
                       "code": "FST_ERR_VALIDATION", "statusCode": 400, "validation": [{"instancePath": "", "keyword": "required",
                       "params": {"missingProperty": "currency"}, "message": "must have required property 'currency'"}],
                       "validationContext": "body"}
                emit(t + sec(0.002), "err_400", pod, 30, err["message"], dict(base, res={"statusCode": 400}, err=err))
                status, rt = 400, rng.uniform(1, 3)
            else:
                num = f"INV-2024-{rng.randint(4100, 4999):06d}"
                cur = rng.choice(CURRENCIES)
                emit(t + sec(rt / 1000 * 0.8), "invoice_final", pod, 30, "invoice finalized",
                     dict(base, invoiceNumber=num, customerId=uuid4(rng), total=rng.randint(1900, 480000), currency=cur))
                emit(t + sec(rt / 1000 * 0.9), "email_queued", pod, 30, "invoice email queued",
                     dict(base, invoiceNumber=num, to=rng.choice("abcdefghjkmnprst") + "***@" + rng.choice(["gmail.com", "acme.io", "example.de", "firma.at"]),
                          messageId="0102018f" + hexs(rng, 8) + "-" + uuid4(rng) + "-000000"))
                status = 201
        elif kind == "render_pdf":
            ms = rng.randint(380, 2400)
            emit(t + sec(ms / 1000), "pdf", pod, 30, "rendered invoice pdf",
                 dict(base, invoiceNumber=f"INV-2024-{rng.randint(3000, 4999):06d}", pages=rng.randint(1, 6), durationMs=ms))
            rt = ms + rng.uniform(5, 20)
        elif kind == "stripe":
            if rng.random() < 0.04:
                err = {"type": "StripeSignatureVerificationError", "message": STRIPE_SIG,
                       "stack": "StripeSignatureVerificationError: " + STRIPE_SIG + "\n    at Object.verifyHeader (/app/node_modules/stripe/cjs/Webhooks.js:107:23)"}
                emit(t + sec(0.004), "stripe_sig", pod, 40, "stripe webhook signature verification failed", dict(base, err=err))
                status = 400
            else:
                emit(t + sec(0.004), "stripe_evt", pod, 30, "stripe webhook received",
                     dict(base, type=rng.choice(STRIPE_EVENTS), eventId="evt_1P" + b64id(rng, 22).replace("-", "Q").replace("_", "k")))
        elif kind == "list_invoices":
            if rng.random() < 0.04:
                ms = rng.randint(1200, 4100)
                emit(t + sec(ms / 1000), "slow_query", pod, 40, "slow query",
                     dict(base, query="listInvoicesByCustomer", durationMs=ms, rows=rng.randint(200, 3000)))
                rt = ms + rng.uniform(3, 9)
        elif kind == "get_invoice":
            if rng.random() < 0.05:
                status = 404
        emit(t + sec(rt / 1000), "completed", pod, 30, "request completed",
             dict(base, res={"statusCode": status}, responseTime=round(rt, 3)))
        return status

    urls = {
        "get_invoice": lambda: ("GET", f"/v1/invoices/{uuid4(rng)}", BFF),
        "list_invoices": lambda: ("GET", f"/v1/invoices?customerId={uuid4(rng)}&status=open&limit=50", BFF),
        "create_invoice": lambda: ("POST", "/v1/invoices", SUBS),
        "render_pdf": lambda: ("POST", f"/v1/invoices/{uuid4(rng)}/pdf", BFF),
        "stripe": lambda: ("POST", "/v1/webhooks/stripe", INGRESS),
        "expired_token": lambda: ("GET", f"/v1/invoices?customerId={uuid4(rng)}&status=paid&limit=20", BFF),
    }
    retries_done = set()
    while heap:
        t, _, kind, data = heapq.heappop(heap)
        if t >= T1:
            continue
        if kind == "retry_round":
            r = data["round"]
            tt = t
            for item in retry_queue[r]:
                push(tt, "export", dict(item, attempt=item["attempt"] + 1))
                tt += sec(rng.uniform(4.5, 5.5))
            continue
        lv = live(t)
        if not lv:
            continue
        pod = rng.choice(lv)
        if kind == "scanner":
            method, url = rng.choice(SCAN_PATHS)
            handle(t, pod, method, url, INGRESS, kind, data, host="api.acme-billing.com")
        elif kind == "export":
            status = handle(t, pod, "POST", "/v1/exports", data["ip"], kind, data)
            if status == 500 and data["by"] == "reports-worker" and data["attempt"] <= len(RETRY_ROUNDS):
                nxt = next((i for i, rt in enumerate(RETRY_ROUNDS) if rt > t), None)
                if nxt is not None:
                    retry_queue[nxt].append(data)
                    if nxt not in retries_done:
                        retries_done.add(nxt)
                        push(RETRY_ROUNDS[nxt], "retry_round", {"round": nxt})
        else:
            method, url, ip = urls[kind]()
            handle(t, pod, method, url, ip, kind, data)

    # ---- per-pod periodic jobs
    for p in pods:
        a, b = max(p.ready, T0), min(p.stop, T1)
        # exchange rates, hourly
        t = a.replace(minute=0, second=0, microsecond=0) + sec(3600)
        while t < b:
            tt = t + sec(rng.uniform(0.4, 3.5))
            if t in (at(21, 13, 0), at(21, 14, 0)):
                err = {"type": "Error", "message": "getaddrinfo EAI_AGAIN www.ecb.europa.eu", "stack": DNS_STACK,
                       "errno": -3001, "code": "EAI_AGAIN", "syscall": "getaddrinfo", "hostname": "www.ecb.europa.eu"}
                emit(tt, "fx_failed", p, 50, "exchange rate refresh failed", {"source": "ecb", "err": err})
                emit(tt + sec(0.002), "fx_cached", p, 40, "using cached exchange rates",
                     {"ratesAsOf": "2024-05-21T12:00:02Z", "ageMinutes": 60 if t.hour == 13 else 120})
            else:
                emit(tt, "fx_ok", p, 30, "exchange rates refreshed", {"source": "ecb", "currencies": 31, "base": "EUR"})
            t += sec(3600)
        # feature flags, every 30 min from start
        t = a + sec(1800 + rng.uniform(0, 30))
        while t < b:
            emit(t, "flags", p, 30, "feature flags refreshed", {"flags": 12, "etag": 'W/"5c-' + hexs(rng, 8) + '"'})
            t += sec(1800 + rng.uniform(-5, 5))
        # shutdown
        if T0 <= p.stop < T1:
            emit(p.stop, "sigterm", p, 30, "received SIGTERM, shutting down")
            if p.leaked >= POOL_MAX:
                emit(p.stop + sec(10.02), "drain_timeout", p, 40, "pg pool did not drain within 10000ms, exiting anyway",
                     {"pool": {"totalCount": POOL_MAX, "idleCount": 0, "waitingCount": 0}})
            else:
                emit(p.stop + sec(rng.uniform(0.2, 1.5)), "closed", p, 30, "server closed", {"openRequests": 0})
    # dunning cron, daily 09:00 UTC on one pod
    for d in (21, 22):
        t = at(d, 9, 0, 0.2)
        lv = live(t)
        if lv and t < T1:
            p = lv[0]
            emit(t, "dunning_start", p, 30, "dunning run started")
            n = rng.randint(20, 60)
            ms = rng.randint(3000, 9000)
            emit(t + sec(ms / 1000), "dunning_done", p, 30, "dunning run finished", {"remindersQueued": n, "durationMs": ms})

    recs, tpls = L.build()
    return recs, tpls, {}


def base36(n):
    s = ""
    while True:
        n, r = divmod(n, 36)
        s = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + s
        if n == 0:
            return s


def questions_fastify(facts):
    def problems(since, until):
        return {"field": {"level": "40|50|60"}, "since": since, "until": until}

    return [
        q("broad",
          "invoice-api started throwing 500s in the middle of the night. what went wrong between 00:30 and 01:00 utc on the 22nd?",
          ["invalid input syntax for type uuid", "timeout exceeded when trying to connect"],
          problems("2024-05-22T00:30:00Z", "2024-05-22T01:00:00Z")),
        q("paraphrase",
          "what was hogging the database? anything erroring over and over in the hours before that",
          ["uuid", "/v1/exports"],
          {"msg": r'^invalid input syntax for type uuid: "undefined"$', "until": facts["first_pool_warn"]}),
        q("paraphrase",
          "and were those connections ever handed back, or did they just pile up until someone bounced the pods at 03:07?",
          ["no idle clients", "waitingCount"],
          {"msg": r"^pg pool has no idle clients", "until": "2024-05-22T03:07:00Z"}),
        q("lexical",
          "was it the 2.9.0 rollout? when did that go out, and when were we back on 2.8.3?",
          ["2.9.0", "2.8.3"],
          {"msg": r"^invoice-api \d+\.\d+\.\d+ starting$"}),
        q("lexical",
          "since the rollback i keep seeing 'Route POST:/v1/exports not found'. who is still calling that?",
          ["10.42.5.61", "/v1/exports"],
          {"msg": r"^Route POST:/v1/exports not found$"}),
        q("broad",
          "unrelated: finance says fx rates looked stale on the 21st. anything wrong between 12:00 and 15:00 that day?",
          ["EAI_AGAIN", "cached exchange rates"],
          problems("2024-05-21T12:00:00Z", "2024-05-21T15:00:00Z")),
    ]


def facts_fastify(records):
    first = next(r["timestamp"] for r in records if r["message"].startswith("pg pool has no idle clients"))
    return {"first_pool_warn": first}


# =============================================================================================
# 3. Istio sidecars: istiod unreachable for a day; workload certificates cannot be renewed and
#    expire one after another; mTLS to inventory, pricing and reviews fails. UTC.

ISTIOD = "10.52.0.14:15012"
REFUSED = f'connection error: desc = "transport: Error while dialing: dial tcp {ISTIOD}: connect: connection refused"'
VERIFY_FAILED = "TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end"
NOT_READY = ("Envoy proxy is NOT ready: config not received from XDS server (is Istiod running?): cds updates: 0 successful, "
             "0 rejected; lds updates: 0 successful, 0 rejected")
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.105 Mobile Safari/537.36",
]
SCANNERS = [
    ("Mozilla/5.0 zgrab/0.x", ["/.env", "/.git/config", "/wp-admin/setup-config.php", "/.aws/credentials"]),
    ("python-requests/2.31.0", ["/phpmyadmin/index.php", "/admin/.env", "/config.json", "/backup.zip"]),
    ("Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)", ["/", "/favicon.ico", "/robots.txt", "/sitemap.xml"]),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36",
     ["/cgi-bin/luci/;stok=/locale", "/boaform/admin/formLogin", "/HNAP1/", "/solr/admin/info/system"]),
]
SLUGS = ["espresso-grinder-x2", "pour-over-kettle", "ceramic-dripper-02", "milk-frother-pro", "cold-brew-jar-1l",
         "burr-grinder-mini", "travel-mug-450", "scale-with-timer", "barista-tamper-58", "filter-papers-100"]
SEARCHES = ["grinder", "decaf", "kettle+gooseneck", "oat+milk", "gift+card", "espresso+machine", "descaler", "moka+pot"]


def gen_envoy():
    rng = random.Random(20240306)

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 3, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(6, 8, 0), at(7, 22, 0)
    L = Log(iso_us_z)
    OUTAGE, FIX = at(6, 10, 15, 33.6), at(7, 9, 58, 6.2)
    SCALE_UP = at(6, 19, 30, 12.4)

    class Pod:
        def __init__(self, app, name, ip, node, rotated, start=None):
            self.app, self.name, self.ip, self.node, self.rotated = app, name, ip, node, rotated
            self.start = start
            self.xds_id = rng.randint(3, 40)

    NODE_A, NODE_B, NODE_C = ("gke-shop-prod-pool-1-3f2a9c1e-7bxl", "gke-shop-prod-pool-1-3f2a9c1e-q2m8",
                              "gke-shop-prod-pool-1-3f2a9c1e-zt5c")
    web1 = Pod("catalog-web", "catalog-web-6f7d9c8b5-lx2pz", "10.48.1.17", NODE_A, at(6, 10, 2, 19.1))
    web2 = Pod("catalog-web", "catalog-web-6f7d9c8b5-9qv4m", "10.48.3.22", NODE_C, at(6, 10, 9, 52.7))
    pricing = Pod("pricing", "pricing-5c9b7d6f4-t8k2w", "10.48.2.31", NODE_B, at(6, 9, 12, 7.4))
    inventory = Pod("inventory", "inventory-7b4f8c9d5-mz6rq", "10.48.1.40", NODE_A, at(6, 8, 49, 31.0))
    reviews = Pod("reviews", "reviews-84d6c5b7f9-hp3xn", "10.48.3.8", NODE_C, at(6, 9, 38, 44.3))
    web3 = Pod("catalog-web", "catalog-web-6f7d9c8b5-wq7jd", "10.48.2.57", NODE_B, None, start=SCALE_UP)
    PODS = [web1, web2, pricing, inventory, reviews, web3]
    UPSTREAMS = {"pricing": pricing, "inventory": inventory, "reviews": reviews}
    SVC_IP = {"pricing": "10.52.9.144", "inventory": "10.52.11.20", "reviews": "10.52.4.201", "catalog-web": "10.52.7.9"}
    EXPIRES = {p.app: p.rotated + sec(86400) for p in (pricing, inventory, reviews)}
    GATEWAY = "10.48.0.9"

    def base_fields(p, stream="stdout"):
        return {"log.iostream": stream, "k8s.namespace.name": "shop", "k8s.pod.name": p.name,
                "k8s.container.name": "istio-proxy", "k8s.node.name": p.node, "service.name": p.app}

    def agent(dt, tpl, p, level, scope, msg, stream="stdout"):
        r = {"level": level}
        if scope:
            r["scope"] = scope
        r["message"] = msg
        r.update(base_fields(p, stream))
        L.add(dt, tpl, r)

    def envoy(dt, tpl, p, level, scope, caller, msg, thread):
        r = {"level": level, "scope": scope, "caller": caller, "message": msg, "thread": str(thread)}
        r.update(base_fields(p, "stderr"))
        L.add(dt, tpl, r)

    def access(end_dt, tpl, p, start, method, path, proto, code, flags, details, tfr, rx, tx, dur, ust, xff, ua, rid_,
               authority, up_host, cluster, up_local, ds_local, ds_remote, sni):
        line = (f'[{iso_ms_z(start)}] "{method} {path} {proto}" {code} {flags} {details} - "{tfr}" {rx} {tx} {dur} {ust} '
                f'"{xff}" "{ua}" "{rid_}" "{authority}" "{up_host}" {cluster} {up_local} {ds_local} {ds_remote} {sni} default')
        r = {"message": line}
        r.update(base_fields(p))
        L.add(end_dt + sec(rng.uniform(0.05, 1.0)), tpl, r)

    def port():
        return rng.randint(32768, 60999)

    def web_pods(t):
        out = [web1, web2]
        if t >= FIX + sec(3):
            out.append(web3)
        return out

    def failing(app, t):
        return app in EXPIRES and EXPIRES[app] <= t < FIX

    REVIEWS_SLOW = (at(6, 15, 23, 42.0), at(6, 15, 26, 31.0))

    def traffic(t):
        return [0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.2, 0.2, 0.25, 0.3,
                0.45, 0.6, 0.8, 0.9, 1, 1, 1, 1, 1, 0.95, 0.9, 0.85][t.hour]

    def outbound(t0, web, app, method, path, rid_, ua, code_ok=200, tx_ok=None, force_log=False, slow_p=0.035):
        """One call from a catalog-web sidecar to an upstream; logs what the access-log filter keeps
        (status >= 400, response flags, or slower than 500 ms). Returns (status, duration_ms)."""
        up = UPSTREAMS[app]
        svc = f"{app}.shop.svc.cluster.local"
        auth = f"{app}:8080"
        cl_out = f"outbound|8080||{svc}"
        sp = port()
        if failing(app, t0):
            dur = rng.randint(2, 9)
            access(t0 + sec(dur / 1000), "acc_out_tls", web, t0, method, path, "HTTP/1.1", 503, "UF,URX",
                   "upstream_reset_before_response_started{remote_connection_failure|" + VERIFY_FAILED.replace(" ", "_") + "}",
                   VERIFY_FAILED, 0, 190, dur, "-", "-", ua, rid_, auth, f"{up.ip}:8080", cl_out, "-",
                   f"{SVC_IP[app]}:8080", f"{web.ip}:{sp}", "-")
            return 503, dur
        if app == "reviews" and REVIEWS_SLOW[0] <= t0 < REVIEWS_SLOW[1]:
            dur = rng.randint(3000, 3003)
            access(t0 + sec(dur / 1000), "acc_out_ut", web, t0, method, path, "HTTP/1.1", 504, "UT", "response_timeout", "-",
                   0, 24, dur, "-", "-", ua, rid_, auth, f"{up.ip}:8080", cl_out, f"{web.ip}:{sp}", f"{SVC_IP[app]}:8080",
                   f"{web.ip}:{port()}", "-")
            access(t0 + sec(dur / 1000 + 0.002), "acc_in_dc", up, t0 + sec(0.001), method, path, "HTTP/1.1", 0, "DC",
                   "downstream_remote_disconnect", "-", 0, 0, dur - 1, "-", "-", ua, rid_, auth, f"{up.ip}:8080",
                   "inbound|8080||", f"127.0.0.6:{port()}", f"{up.ip}:8080", f"{web.ip}:{sp}", f"outbound_.8080_._.{svc}")
            return 504, dur
        if app == "reviews" and rng.random() < 0.006:
            dur = rng.randint(1, 4)
            access(t0 + sec(dur / 1000), "acc_out_uc", web, t0, method, path, "HTTP/1.1", 503, "UC",
                   "upstream_reset_before_response_started{connection_termination}", "-", 0, 95, dur, "-", "-", ua, rid_, auth,
                   f"{up.ip}:8080", cl_out, f"{web.ip}:{sp}", f"{SVC_IP[app]}:8080", f"{web.ip}:{port()}", "-")
            return 503, dur
        slow = rng.random() < slow_p
        dur = rng.randint(520, 2400) if slow else rng.randint(3, 60)
        tx = tx_ok if tx_ok is not None else rng.randint(120, 2400)
        if slow or force_log or code_ok >= 400:
            tag = "slow" if code_ok < 400 else str(code_ok)
            access(t0 + sec(dur / 1000), f"acc_out_{tag}", web, t0, method, path, "HTTP/1.1", code_ok, "-", "via_upstream", "-",
                   0 if method == "GET" else rng.randint(80, 400), tx, dur, dur - rng.randint(0, 2), "-", ua, rid_, auth,
                   f"{up.ip}:8080", cl_out, f"{web.ip}:{sp}", f"{SVC_IP[app]}:8080", f"{web.ip}:{port()}", "-")
            access(t0 + sec(dur / 1000 - 0.001), f"acc_in_{tag}", up, t0 + sec(0.001), method, path, "HTTP/1.1", code_ok, "-",
                   "via_upstream", "-", 0 if method == "GET" else rng.randint(80, 400), tx, dur - 1, dur - 2, "-", ua, rid_, auth,
                   f"{up.ip}:8080", "inbound|8080||", f"127.0.0.6:{port()}", f"{up.ip}:8080", f"{web.ip}:{sp}", f"outbound_.8080_._.{svc}")
        return code_ok, dur

    def inbound(t0, web, method, path, code, dur, ua, rid_, xff, tx, tpl, details="via_upstream", flags="-"):
        access(t0 + sec(dur / 1000), tpl, web, t0, method, path, "HTTP/1.1", code, flags, details, "-",
               0 if method == "GET" else rng.randint(60, 900), tx, dur, dur - 1 if code else "-", xff, ua, rid_,
               "shop.example.com", f"{web.ip}:8080", "inbound|8080||", f"127.0.0.6:{port()}", f"{web.ip}:8080",
               f"{GATEWAY}:{port()}", "outbound_.8080_._.catalog-web.shop.svc.cluster.local")

    def client_ip():
        return rng.choice(["73.", "98.", "24.", "71.", "108.", "174."]) + f"{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"

    CAW = "catalog-web/3.4.1"
    facts = {}
    # ---- page views: prices, stock and reviews per product page
    for t in poisson(rng, T0, T1, 110, traffic):
        web = rng.choice(web_pods(t))
        rid_ = uuid4(rng)
        ua = rng.choice(BROWSERS)
        sku = f"SKU-{rng.randint(10000, 99999)}"
        durs = []
        c = t + sec(0.002)
        durs.append(outbound(c, web, "pricing", "GET", f"/v2/prices?sku={sku}", rid_, CAW)[1])
        durs.append(outbound(c + sec(0.001), web, "inventory", "GET", f"/v1/stock/{sku}", rid_, CAW)[1])
        if rng.random() < 0.7:
            durs.append(outbound(c + sec(0.002), web, "reviews", "GET", f"/reviews/v1/sku/{sku}?limit=5", rid_, CAW)[1])
        total = max(durs) + rng.randint(8, 40)
        if total > 500 or rng.random() < 0.015:
            total = max(total, rng.randint(510, 900))
            inbound(t, web, "GET", f"/products/{rng.choice(SLUGS)}", 200, total, ua, rid_, client_ip(), rng.randint(18000, 42000), "acc_in_page_slow")
        elif rng.random() < 0.012:
            inbound(t, web, "GET", f"/products/{rng.choice(SLUGS)}", 0, rng.randint(80, 400), ua, rid_, client_ip(), 0,
                    "acc_in_page_dc", details="downstream_remote_disconnect", flags="DC")
    # ---- search (catalog-web only)
    for t in poisson(rng, T0, T1, 14, traffic):
        web = rng.choice(web_pods(t))
        if rng.random() < 0.13:
            inbound(t, web, "GET", f"/search?q={rng.choice(SEARCHES)}", 200, rng.randint(700, 3100), rng.choice(BROWSERS), uuid4(rng),
                    client_ip(), rng.randint(9000, 30000), "acc_in_search_slow")
    # ---- cart: reserve stock, quote prices
    for t in poisson(rng, T0, T1, 7, traffic):
        web = rng.choice(web_pods(t))
        rid_ = uuid4(rng)
        conflict = rng.random() < 0.08
        st, d = outbound(t + sec(0.002), web, "inventory", "POST", "/v1/reservations", rid_, CAW,
                         code_ok=409 if conflict else 201, tx_ok=88 if conflict else None)
        if st >= 500:
            inbound(t, web, "POST", "/api/cart/items", 502, d + rng.randint(3, 9), rng.choice(BROWSERS), rid_, client_ip(), 64, "acc_in_cart_502")
        elif st == 409:
            inbound(t, web, "POST", "/api/cart/items", 409, d + rng.randint(3, 9), rng.choice(BROWSERS), rid_, client_ip(), 71, "acc_in_cart_409")
    for t in poisson(rng, T0, T1, 9, traffic):
        web = rng.choice(web_pods(t))
        rid_ = uuid4(rng)
        st, d = outbound(t + sec(0.002), web, "pricing", "POST", "/v2/quotes", rid_, CAW)
        if st >= 500:
            inbound(t, web, "POST", "/api/cart/quote", 502, d + rng.randint(3, 9), rng.choice(BROWSERS), rid_, client_ip(), 64, "acc_in_quote_502")
    # ---- expired browser sessions
    for t in poisson(rng, T0, T1, 4, traffic):
        web = rng.choice(web_pods(t))
        inbound(t, web, "GET", "/account/orders", 401, rng.randint(2, 9), rng.choice(BROWSERS), uuid4(rng), client_ip(), 29, "acc_in_401")
    # ---- scanners through the ingress gateway
    for t in poisson(rng, T0, T1, 1.4):
        ua, paths = rng.choice(SCANNERS)
        ip = f"{rng.choice(['45.148.10', '185.220.101', '167.94.138', '94.102.61', '193.41.206'])}.{rng.randint(2, 250)}"
        web = rng.choice(web_pods(t))
        tt = t
        for path in rng.sample(paths, rng.randint(2, 4)):
            code = 200 if path in ("/", "/favicon.ico", "/robots.txt", "/sitemap.xml") else 404
            if code == 404:
                inbound(tt, web, "GET", path, 404, rng.randint(1, 6), ua, uuid4(rng), ip, 153, "acc_in_scan_404")
            tt += sec(rng.uniform(0.2, 6))

    # ---- control plane: periodic reconnects while istiod is up (max connection age 30 min)
    def reconnects(p, a, b):
        t = a + sec(rng.uniform(60, 1700))
        while t < b:
            p.xds_id += 1
            agent(t, "xds_connected", p, "info", "xdsproxy", "connected to upstream XDS server: istiod.istio-system.svc:15012")
            t += sec(1800 + rng.uniform(-40, 40))

    for p in PODS:
        if p is not web3:
            reconnects(p, T0, OUTAGE)
        reconnects(p, FIX + sec(1800), T1)
    # ---- certificates rotated on the 6th before the outage
    for p in (inventory, pricing, reviews, web1, web2):
        agent(p.rotated, "cert_generated", p, "info", "cache",
              f"generated new workload certificate\tlatency={rng.uniform(80, 160):.6f}ms ttl=23h59m59.{rng.randint(100000000, 999999999)}s")
        agent(p.rotated + sec(0.003), "sds_push", p, "info", "sds", "SDS: PUSH\tresource=default")
    # ---- istiod goes away at 10:15
    caller = "external/envoy/source/extensions/config_subscription/grpc/grpc_stream.h:152"
    for p in (web1, web2, pricing, inventory, reviews):
        t = OUTAGE + sec(rng.uniform(0.01, 0.4))
        agent(t, "xds_terminated", p, "warn", "xdsproxy", f"upstream [{p.xds_id}] terminated with unexpected error rpc error: code = Unavailable desc = error reading from server: EOF")
        envoy(t + sec(0.002), "xds_closed_first", p, "warning", "envoy config", caller,
              "StreamAggregatedResources gRPC config stream to xds-grpc closed: 14, error reading from server: EOF", 14)
        gap = rng.choice([30, 31, 32])
        envoy(t + sec(gap + rng.uniform(0.1, 0.6)), "xds_closed_since", p, "warning", "envoy config", caller,
              f"StreamAggregatedResources gRPC config stream to xds-grpc closed since {gap}s ago: 14, {REFUSED}", 14)
        tt = t + sec(7200 + rng.uniform(-900, 900))
        while tt < FIX:
            since = int((tt - OUTAGE).total_seconds())
            envoy(tt, "xds_closed_since", p, "warning", "envoy config", caller,
                  f"StreamAggregatedResources gRPC config stream to xds-grpc closed since {since}s ago: 14, {REFUSED}", 14)
            tt += sec(7200 + rng.uniform(-900, 900))
    # ---- rotation attempts from 12 h after the last certificate, retried every 2 h 10 min
    for p in (inventory, pricing, reviews, web1, web2):
        t = p.rotated + sec(43200 + rng.uniform(0.2, 2.0))
        while t < FIX:
            agent(t, "csr_failed", p, "error", "cache", f"resource:default request:{uuid4(rng)} CSR retrial timed out: rpc error: code = Unavailable desc = {REFUSED}")
            t += sec(7800 + rng.uniform(-3, 3))
    # ---- the HPA adds a catalog-web pod at 19:30; its sidecar never gets config
    t = SCALE_UP
    boot = [
        ("FLAG: --concurrency=\"2\"", None),
        ("FLAG: --domain=\"shop.svc.cluster.local\"", None),
        ("Version 1.20.3-2b5e8c0d9d0a6e5f4cd1c02e6e0a1b7d5b7a1f3e-Clean", None),
        ("Proxy role\tips=[10.48.2.57] type=sidecar id=catalog-web-6f7d9c8b5-wq7jd.shop domain=shop.svc.cluster.local", None),
        ("CA Endpoint istiod.istio-system.svc:15012, provider Citadel", None),
        ("Using CA istiod.istio-system.svc:15012 cert with certs: var/run/secrets/istio/root-cert.pem", None),
        ("Opening status port 15020", None),
        ("Initializing with upstream address \"istiod.istio-system.svc:15012\" and cluster \"Kubernetes\"", "xdsproxy"),
        ("Starting SDS grpc server", "sds"),
        ("starting Http service at 127.0.0.1:15004", None),
        ("Pilot SAN: [istiod.istio-system.svc]", None),
        ("Starting proxy agent", None),
        ("Envoy command: [-c etc/istio/proxy/envoy-rev.json --drain-time-s 45 --drain-strategy immediate --local-address-ip-version v4 "
         "--file-flush-interval-msec 1000 --disable-hot-restart --allow-unknown-static-fields -l warning --component-log-level misc:error "
         "--concurrency 2]", None),
    ]
    for msg, scope in boot:
        agent(t, "boot:" + msg[:14], web3, "info", scope, msg)
        t += sec(rng.uniform(0.001, 0.05))
    envoy(t + sec(0.4), "envoy_deprecated", web3, "warning", "envoy main", "external/envoy/source/server/server.cc:834",
          "Usage of the deprecated runtime key overload.global_downstream_max_connections, consider switching to "
          "`envoy.resource_monitors.downstream_connections` instead.This runtime key will be removed in future.", 8)
    agent(t + sec(0.6), "xds_terminated", web3, "warn", "xdsproxy",
          f"upstream [1] terminated with unexpected error rpc error: code = Unavailable desc = {REFUSED}")
    envoy(t + sec(0.7), "xds_closed_first", web3, "warning", "envoy config", caller,
          f"StreamAggregatedResources gRPC config stream to xds-grpc closed: 14, {REFUSED}", 14)
    tt = t + sec(10.3)
    while tt < FIX:
        agent(tt, "csr_failed", web3, "error", "cache", f"resource:default request:{uuid4(rng)} CSR retrial timed out: rpc error: code = Unavailable desc = {REFUSED}")
        tt += sec(7800 + rng.uniform(-3, 3))
    tt = t + sec(1800 + rng.uniform(-20, 20))
    while tt < FIX:
        agent(tt, "not_ready", web3, "warn", None, NOT_READY)
        tt += sec(1800 + rng.uniform(-20, 20))
    # ---- istiod is back at 09:58 on the 7th
    for p in PODS:
        t = FIX + sec(rng.uniform(0.5, 3.0))
        p.xds_id += 1
        agent(t, "xds_connected", p, "info", "xdsproxy", "connected to upstream XDS server: istiod.istio-system.svc:15012")
        agent(t + sec(rng.uniform(0.1, 0.3)), "cert_generated", p, "info", "cache",
              f"generated new workload certificate\tlatency={rng.uniform(80, 160):.6f}ms ttl=23h59m59.{rng.randint(100000000, 999999999)}s")
        agent(t + sec(0.35), "sds_push", p, "info", "sds", "SDS: PUSH\tresource=default")
        if p is web3:
            agent(t + sec(0.36), "sds_push_root", p, "info", "sds", "SDS: PUSH\tresource=ROOTCA")
            el = (t + sec(1.2) - SCALE_UP).total_seconds()
            h, rem = divmod(el, 3600)
            m, s = divmod(rem, 60)
            agent(t + sec(1.2), "ready", p, "info", None, f"Readiness succeeded in {int(h)}h{int(m)}m{s:.6f}s")
            agent(t + sec(1.21), "envoy_ready", p, "info", None, "Envoy proxy is ready")

    recs, tpls = L.build()
    return recs, tpls, facts


def facts_envoy(records):
    """The x-request-id of the first failed cart quote after pricing's certificate expired."""
    for r in records:
        m = r["message"]
        if '"POST /api/cart/quote HTTP/1.1" 502 ' in m and r["timestamp"] >= "2024-03-07T09:12":
            return {"quote_rid": re.findall(r'"([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})"', m)[0]}
    raise AssertionError("no failed cart quote after 09:12 on mar 7")


ENVOY_PROBLEM_ACCESS = r'^\[[^\]]+\] "[^"]*" 5\d\d '


def questions_envoy(facts):
    def problems(since, until):
        return [
            {"msg": ENVOY_PROBLEM_ACCESS, "since": since, "until": until},
            {"field": {"level": "warn|warning|error|critical"}, "since": since, "until": until},
        ]

    rid_ = facts["quote_rid"]
    return [
        q("broad",
          "shop alerts started firing around 08:50 this morning. what went wrong in the mesh between 08:45 and 09:05 on mar 7?",
          ["CERTIFICATE_VERIFY_FAILED", "inventory"],
          problems("2024-03-07T08:45:00Z", "2024-03-07T09:05:00Z")),
        q("paraphrase",
          "had the stock service's pod been trying and not managing to get its identity re-signed? since when",
          ["CSR retrial timed out", "20:49"],
          {"field": {"k8s.pod.name": "inventory-.*"}, "msg": r"CSR retrial timed out", "until": "2024-03-07T08:50:00Z"}),
        q("lexical",
          f"support forwarded a failed cart quote with x-request-id {rid_}. what happened to it?",
          ["CERTIFICATE_VERIFY_FAILED", "pricing"],
          {"msg": re.escape(rid_)}),
        q("paraphrase",
          "going back further, when did the sidecars first lose touch with the control plane?",
          ["connection refused", "10:15"],
          {"msg": r"xds-grpc closed|terminated with unexpected error", "until": "2024-03-06T11:00:00Z"}),
        q("lexical",
          "what's 'Envoy proxy is NOT ready' on catalog-web-6f7d9c8b5-wq7jd about? how long was it stuck like that",
          ["config not received", "14h"],
          {"field": {"k8s.pod.name": "catalog-web-6f7d9c8b5-wq7jd"}, "msg": r"^Envoy proxy is NOT ready|^Readiness succeeded"}),
        q("broad",
          "unrelated: reviews felt sluggish yesterday afternoon. what went wrong between 15:10 and 15:40 on mar 6?",
          ["response_timeout", "reviews"],
          problems("2024-03-06T15:10:00Z", "2024-03-06T15:40:00Z")),
    ]


# =============================================================================================
# Question specs, rules and checks


def q(style, ask, mentions, rule):
    assert style in STYLES, style
    return {"style": style, "ask": ask, "mentions": mentions, "rule": rule}


SYSTEMS = [
    {
        "id": "h-elasticsearch",
        "title": "Elasticsearch logs-prod: ILM left stopped after a patch restart; es-data-03 then es-data-04 hit flood stage and indices went read-only",
        "gen": gen_elasticsearch,
        "facts": lambda recs: {},
        "questions": questions_elasticsearch,
    },
    {
        "id": "h-fastify",
        "title": "invoice-api 2.9.0 leaks pg pool clients on failing exports; pools run dry overnight and requests time out",
        "gen": gen_fastify,
        "facts": facts_fastify,
        "questions": questions_fastify,
    },
    {
        "id": "h-envoy",
        "title": "shop mesh: istiod unreachable for a day, workload certificates expire and mTLS to inventory, pricing and reviews fails",
        "gen": gen_envoy,
        "facts": facts_envoy,
        "questions": questions_envoy,
    },
]


def parse_ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def field_value(rec, name):
    if name in rec:
        return rec[name]
    cur = rec
    for part in name.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def as_text(v):
    if isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


def matches(rec, rule):
    if rule.get("msg") and not re.search(rule["msg"], rec["message"]):
        return False
    if rule.get("not_msg") and re.search(rule["not_msg"], rec["message"]):
        return False
    for name, rx in (rule.get("field") or {}).items():
        v = field_value(rec, name)
        if v is None or not re.fullmatch(rx, as_text(v)):
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
    through own later since until utc i'm i've what's who's that's there's""".split()
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
        assert re.search(r"(Z|[+-]\d\d:\d\d)$", r["timestamp"]), f"{sid}:{i} timestamp without offset"
        t = parse_ts(r["timestamp"])
        assert prev is None or t >= prev, f"{sid}:{i} timestamp goes backwards"
        prev = t
    span = (parse_ts(records[-1]["timestamp"]) - parse_ts(records[0]["timestamp"])).total_seconds() / 3600
    assert MIN_SPAN_H <= span <= MAX_SPAN_H, f"{sid}: span {span:.1f} h"
    n_tpl = len(set(tpls))
    assert n_tpl >= MIN_TEMPLATES, f"{sid}: only {n_tpl} templates"
    return span, n_tpl


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
        assert re.fullmatch(r"h-[a-z0-9-]+", sid), sid
        records, tpls, _ = sysdef["gen"]()
        span, n_tpl = check_records(sid, records, tpls)
        facts = sysdef["facts"](records)
        qs = sysdef["questions"](facts)
        if a.show:
            counts = {}
            for tp in tpls:
                counts[tp] = counts.get(tp, 0) + 1
            print(f"\n######## {sid}: {len(records)} records, {n_tpl} templates, span {span:.1f} h, "
                  f"{records[0]['timestamp']} .. {records[-1]['timestamp']}")
            for tp, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
                print(f"  {c:5d}  {tp}")
        per_style = {s: 0 for s in STYLES}
        turns = []
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
                for n in lines:
                    r = records[n - 1]
                    who = r.get("host") or r.get("hostname") or r.get("k8s.pod.name") or ""
                    lvl = r.get("level", "")
                    print(f"  {n:5d} {r['timestamp']} {who} {lvl} | {r['message'].splitlines()[0][:160]}")
            assert MIN_LINES <= len(lines) <= MAX_LINES, f"{sid}: {ask!r} selects {len(lines)} lines"
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
        assert all(v == 2 for v in per_style.values()), f"{sid}: styles {per_style}"
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

    print(f"{'incident':16s} {'style':10s} {'lines':>5s} {'msgs':>4s} {'ceil':>5s}  ask")
    for sid, style, n, distinct, ceil, ask in table:
        print(f"{sid:16s} {style:10s} {n:5d} {distinct:4d} {ceil:5.3f}  {ask}")
    print()
    for p in written:
        print(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(out).as_posix()}")
    return 1 if overlaps else 0


if __name__ == "__main__":
    sys.exit(main())

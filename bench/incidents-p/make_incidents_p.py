#!/usr/bin/env python3
"""Build the "incidents-p" evaluation set: three synthetic incidents, each a six-turn on-call thread.

Usage: python3 make_incidents_p.py [--out DIR] [--show]

  --out   where to write; default: the folder of this script.
  --show  print every turn's relevant lines and each system's template counts; write nothing.

Writes <out>/p-<system>/logs.jsonl and incident.json for three systems, and <out>/questions.json
(the style of every turn, for shared/spec/score_replay.py --questions), then prints the sha256 of
every file written. Standard library only. All randomness comes from random.Random with fixed
seeds and nothing iterates over a set or depends on hash order, so a second run writes identical
bytes under any PYTHONHASHSEED.

The logs are synthetic. Each system is simulated from a story (a fault with a cause and its
consequences, a second unrelated problem, a change that matters, routine lines and noise) and
written in the wording of the real software as closely as the author could remember it. Every
record carries the two fields the replay format requires, `timestamp` (ISO 8601 with Z) and
`message`; all other fields keep the names (and the nesting) the source or its shipper writes, so
none of the three has `level`, `service`, `host`, `method`, `request_id` or `user_id` as top-level
fields:

  p-k8s      a Kubernetes 1.29 control plane (three kubeadm control-plane nodes k8s-cp-1..3, each
             with static pods etcd 3.5, kube-apiserver, kube-controller-manager, kube-scheduler in
             kube-system), container logs tailed by a Fluent Bit DaemonSet: CRI parser (`time`,
             `stream`, `_p`), the CRI `log` key renamed to `message` by a modify filter, kubernetes
             filter (`kubernetes` {pod_name, namespace_name, pod_id, labels, host, container_name,
             docker_id, container_hash, container_image}) with Merge_Log On and Merge_Log_Key
             `log_processed`, so etcd's zap JSON lands under `log_processed` {level, ts, caller, msg,
             ...} and never at the top. klog text lines (`E0709 14:02:11.123456       1 status.go:71]
             ...`) stay as text; multi-line klog entries (Trace[...]) arrive one record per line.
  p-mail     a mail relay mx1 (Postfix 3.7 smtpd/cleanup/qmgr/smtp/lmtp/bounce, rspamd as milter,
             OpenDKIM) and a mail store imap1 (Dovecot 2.3 imap-login, imap, lmtp), syslog read by
             rsyslog (RFC 5424) and forwarded as JSON by an omfwd template: `timestamp` (UTC, Z),
             `syslog_hostname`, `appname`, `procid`, `msgid`, `severity` (a word: info, warning,
             err, ...), `facility` (a word), `message` (the MSG part).
  p-airflow  Apache Airflow 2.8 with the CeleryExecutor (scheduler with its DAG processor, Celery
             workers, webserver, triggerer) and per-task-instance log files, all shipped by
             Filebeat 8.12 (filestream inputs, multiline `^\\[` so tracebacks and Celery's banner
             stay in one record, `host` dropped): `@timestamp`, `log` {file {path}, offset},
             `message`, `input`, `fields` {component}, `agent` {hostname, name, type, version, id,
             ephemeral_id}, `ecs`, and for task logs `dag_id`, `task_id`, `run_id`, `try_number`
             parsed from the log path by a dissect processor. `timestamp` is a copy of @timestamp.

Four styles: broad (a time window, "what went wrong"), lexical (an exact id, number, name or quoted
log fragment), paraphrase (plain words about lines whose wording the ask does not share) and
follow-up (the ask only makes sense after the earlier turns: "it", "that", "after that").
Relevant lines are never listed by hand: a rule selects them. A rule is a dict, or a list of dicts
whose selections are united; every condition of a dict must hold:

  msg      regex searched in `message`
  not_msg  regex that must NOT be found in `message`
  field    {name: regex}, fully matched against the field's text (JSON text for numbers, null and
           objects). A name is looked up as a key first and otherwise as a dotted path into nested
           objects ("kubernetes.pod_name", "fields.component", "log_processed.level").
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


def alnum(rng, n):
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def lower_alnum(rng, n):
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def uuid4(rng):
    h = hexs(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def inside(t, windows):
    return any(a <= t < b for a, b in windows)


def iso_ms(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso_us(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}Z"


def plus(ts, seconds):
    return iso_ms(parse_ts(ts) + sec(seconds))


def minus_ms(ts):
    return iso_ms(parse_ts(ts) - sec(0.001))


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def day_shape(t):
    return 1.0 if 7 <= t.hour < 21 else 0.25


def human_bytes(n):
    """go-humanize Bytes(): SI units, one decimal below 10."""
    units = ["B", "kB", "MB", "GB", "TB"]
    x, i = float(n), 0
    while x >= 1000 and i < len(units) - 1:
        x /= 1000.0
        i += 1
    if i == 0:
        return f"{int(n)} B"
    return (f"{x:.1f} {units[i]}" if x < 10 else f"{x:.0f} {units[i]}")


# =============================================================================================
# 1. k8s: the control plane of cluster `prod-eu1` (Kubernetes 1.29.4, kubeadm): three nodes
#    k8s-cp-1..3, each with static pods etcd (3.5.12, quota-backend-bytes 2 GiB), kube-apiserver,
#    kube-controller-manager and kube-scheduler. The apiservers compact etcd every 15 minutes
#    (--etcd-compaction-interval=15m). At 11:18 on July 9 Kyverno is upgraded from 1.11.4 to 1.12.0
#    (helm; new CRD group reports.kyverno.io, new ReplicaSets for its controllers). The new
#    reports-controller rewrites every PolicyReport on every admission and background scan; the
#    etcd database grows by hundreds of MB an hour, requests to etcd slow down (apply request took
#    too long, slow PUT traces in the apiserver), and at 13:58 the backend reaches its quota: etcd
#    raises the NOSPACE alarm and refuses every write (`etcdserver: mvcc: database space exceeded`).
#    kube-controller-manager and kube-scheduler cannot renew their leases, lose leadership and
#    restart; nobody can be elected; deployments, jobs and scheduling stop. At 14:26 an operator
#    compacts and defragments the three members (leader last) and disarms the alarm at 14:30;
#    leases are acquired again, and the kyverno reports-controller is scaled to zero at 14:36.
#    Unrelated: cert-manager's webhook serving certificate expires at 01:47 on July 10; from 01:52
#    every apiserver call to webhook.cert-manager.io fails with an x509 error (eight times, with
#    cert-manager's back-off) so no certificate can be renewed.
#    Noise: etcd compactions (db size in every line), raft snapshots, an etcd leader change at 17:44
#    (slow disk on the leader), apply-took-too-long warnings all day, slow LIST traces from
#    Prometheus, http2 `stream closed` errors from cancelled watches, a metrics-server restart at
#    08:12 (APIService unavailable), CronJob and HPA events in the controller-manager, scheduler
#    binds, and a GPU pod that stays unschedulable for hours.

K_CP = ["k8s-cp-1", "k8s-cp-2", "k8s-cp-3"]
K_IP = {"k8s-cp-1": "10.0.1.11", "k8s-cp-2": "10.0.1.12", "k8s-cp-3": "10.0.1.13"}
K_VER = "v1.29.4"
K_GIT = "55019c83b0fd51ef4ced8c29eec2c4847f896e74"
K_QUOTA = 2147483648
K_IMAGES = {"etcd": "registry.k8s.io/etcd:3.5.12-0", "kube-apiserver": f"registry.k8s.io/kube-apiserver:{K_VER}",
            "kube-controller-manager": f"registry.k8s.io/kube-controller-manager:{K_VER}",
            "kube-scheduler": f"registry.k8s.io/kube-scheduler:{K_VER}"}
K_DB_ERR = "etcdserver: mvcc: database space exceeded"
K_WORKERS = [f"k8s-worker-{i}" for i in range(1, 7)]
K_KYVERNO = ["kyverno-admission-controller", "kyverno-background-controller", "kyverno-reports-controller"]


def gen_k8s():
    rng = random.Random(20240709)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 7, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(9, 5, 41, 7.2), at(10, 7, 12)
    UPGRADE = at(9, 11, 18, 40.31)
    ALARM = at(9, 13, 58, 41.307)
    DEFRAG = {"k8s-cp-3": at(9, 14, 26, 5.12), "k8s-cp-1": at(9, 14, 27, 31.04), "k8s-cp-2": at(9, 14, 28, 49.66)}
    DISARM = at(9, 14, 30, 12.61)
    KSCALE0 = at(9, 14, 36, 2.08)
    REPORTS_DELETED = at(9, 14, 52, 0.0)
    METRICS = (at(9, 8, 12, 3.4), at(9, 8, 14, 41.0))
    ELECTION = at(9, 17, 44, 21.73)
    WEBHOOK = at(10, 1, 52, 13.21377)
    GPU_POD = (at(9, 9, 21, 40.0), at(9, 16, 2, 11.0))

    member_id = {p: hexs(rng, 16) for p in K_CP}
    kube = {}

    def incarnation(node, comp):
        pod = f"{comp}-{node}"
        kube[pod] = {"pod_name": pod, "namespace_name": "kube-system", "pod_id": uuid4(rng),
                     "labels": {"component": comp, "tier": "control-plane"},
                     "annotations": {"kubernetes.io/config.hash": hexs(rng, 32), "kubernetes.io/config.source": "file"},
                     "host": node, "container_name": comp, "docker_id": hexs(rng, 64),
                     "container_hash": K_IMAGES[comp].split(":")[0] + "@sha256:" + hexs(rng, 64),
                     "container_image": K_IMAGES[comp]}
        return pod

    for n in K_CP:
        for c in ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"):
            incarnation(n, c)

    def cri(dt):
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}{rng.randint(0, 999):03d}Z"

    def emit(dt, pod, text, tpl, processed=None):
        r = {"time": cri(dt), "stream": "stderr", "_p": "F", "message": text, "kubernetes": dict(kube[pod])}
        if processed is not None:
            r["log_processed"] = processed
        r["timestamp"] = iso_ms(dt)
        L.add(dt, tpl, r)

    def klog(dt, node, comp, sev, src, msg, tpl):
        head = f"{sev}{dt.strftime('%m%d %H:%M:%S')}.{dt.microsecond:06d} {1:>7} {src}] "
        emit(dt, f"{comp}-{node}", head + msg, tpl)

    def cont(dt, node, comp, text, tpl):          # continuation line of a multi-line klog entry
        emit(dt, f"{comp}-{node}", text, tpl)

    def etcd(dt, node, level, caller, msg, kv, tpl):
        obj = {"level": level, "ts": iso_us(dt), "caller": caller, "msg": msg}
        obj.update(kv)
        emit(dt, f"etcd-{node}", compact(obj), tpl, processed=obj)

    def dur(s):
        if s < 1:
            return f"{s * 1000:.6g}ms"
        return f"{s:.9g}s"

    # ---- etcd database size model
    U0 = 1_188_442_112
    P0 = 1_306_329_088
    U_UP = U0 + 21_000_000

    def in_use(t):
        if t < UPGRADE:
            return U0 + (t - T0).total_seconds() / (UPGRADE - T0).total_seconds() * 21_000_000
        if t < REPORTS_DELETED:
            frac = min((t - UPGRADE).total_seconds() / (ALARM - UPGRADE).total_seconds(), 1.25)
            return U_UP + (K_QUOTA * 0.982 - U_UP) * frac ** 1.15
        return 1_246_000_000 + (t - REPORTS_DELETED).total_seconds() / 3600 * 2_500_000

    def physical(t):
        if t < UPGRADE:
            return P0
        if t < ALARM:
            return max(P0, int(in_use(t) * 1.017))
        if t < DEFRAG["k8s-cp-3"]:
            return K_QUOTA + 4096 * 19
        return 1_702_543_360

    def slowness(t):
        """0 before the upgrade, rising to 1 at the alarm."""
        if t < UPGRADE or t >= ALARM:
            return 0.0
        return ((t - UPGRADE).total_seconds() / (ALARM - UPGRADE).total_seconds()) ** 2

    # ---- etcd: compaction every 15 minutes (all members), raft snapshots, slow applies
    rev = 981_233_411
    t = T0 + sec(251.7)
    while t < T1:
        rev += int(900 * (9.5 if UPGRADE <= t < KSCALE0 else 2.2) * rng.uniform(0.9, 1.1) * 60 / 60)
        for k, n in enumerate(K_CP):
            tk = t + sec(0.004 + 0.0011 * k + rng.uniform(0, 0.002))
            if DEFRAG["k8s-cp-3"] <= t and physical(t) == 1_702_543_360 and t < DISARM + sec(60):
                pass
            etcd(tk, n, "info", "mvcc/index.go:214", "compact tree index", {"revision": rev}, "e_compact_index")
            took = rng.uniform(0.02, 0.09) * (1 + 6 * (in_use(t) > 1.6e9))
            u = int(in_use(t) * rng.uniform(0.995, 1.003))
            p = max(physical(t), u + 4096 * rng.randint(200, 900))
            etcd(tk + sec(took), n, "info", "mvcc/kvstore_compaction.go:66", "finished scheduled compaction",
                 {"compact-revision": rev, "took": dur(took), "hash": rng.randint(100000000, 4294967295),
                  "current-db-size-bytes": p, "current-db-size": human_bytes(p), "current-db-size-in-use-bytes": u,
                  "current-db-size-in-use": human_bytes(u)}, "e_compact_done")
        t += sec(900 + rng.uniform(-0.4, 0.4))

    applied = {n: 412_873_004 + k * 3 for k, n in enumerate(K_CP)}
    for n in K_CP:
        t = T0 + sec(rng.uniform(1800, 9000))
        while t < T1:
            idx = applied[n] + int((t - T0).total_seconds() * 11.3)
            etcd(t, n, "info", "etcdserver/server.go:1399", "triggering snapshot",
                 {"local-member-id": member_id[n], "local-member-applied-index": idx,
                  "local-member-snapshot-index": idx - 100001, "local-member-snapshot-count": 100000}, "e_snap_trigger")
            t2 = t + sec(rng.uniform(0.01, 0.05))
            etcd(t2, n, "info", "etcdserver/server.go:2416", "saved snapshot", {"snapshot-index": idx}, "e_snap_saved")
            etcd(t2 + sec(0.0003), n, "info", "etcdserver/server.go:2446", "compacted Raft logs", {"compact-index": idx - 5000},
                 "e_snap_compacted")
            t += sec(rng.uniform(8500, 11500) / (3.0 if UPGRADE <= t < ALARM else 1.0))

    KEYS_ROUTINE = ["/registry/pods/shop/", "/registry/events/shop/", "/registry/leases/kube-node-lease/",
                    "/registry/configmaps/monitoring/", "/registry/services/endpoints/shop/"]

    def slow_apply(tt, n, key, took, count, size):
        etcd(tt, n, "warn", "etcdserver/util.go:170", "apply request took too long",
             {"took": dur(took), "expected-duration": "100ms", "prefix": "read-only range ",
              "request": f'key:"{key}" range_end:"{key[:-1]}0" ', "response": f"range_response_count:{count} size:{size}"},
             "e_slow_apply")

    for n in K_CP:
        for tt in poisson(rng, T0, T1, 0.45):
            if UPGRADE <= tt < ALARM + sec(3600):
                continue
            key = rng.choice(KEYS_ROUTINE)
            slow_apply(tt, n, key, rng.uniform(0.101, 0.34), rng.randint(1, 380), rng.randint(2000, 900000))
        tt = UPGRADE + sec(rng.uniform(300, 900))
        while tt < ALARM:
            s = slowness(tt)
            key = rng.choice(["/registry/wgpolicyk8s.io/policyreports/", "/registry/reports.kyverno.io/ephemeralreports/",
                              "/registry/wgpolicyk8s.io/policyreports/shop/", "/registry/pods/shop/"])
            slow_apply(tt, n, key, 0.11 + 1.7 * s * rng.uniform(0.6, 1.1), rng.randint(40, 3100),
                       rng.randint(400000, 92000000))
            tt += sec(max(240.0, 3600.0 / (0.6 + 5.0 * s)) * rng.uniform(0.6, 1.4))

    # ---- apiserver: kyverno writes after the upgrade -> slow PUT traces
    trace_ids = set()

    def trace_id():
        while True:
            x = rng.randint(100000000, 2147483647)
            if x not in trace_ids:
                trace_ids.add(x)
                return x

    def put_trace(tt, n, ns, name, total):
        tid = trace_id()
        start = tt - sec(total)
        aid = uuid4(rng)
        head = (f'Trace[{tid}]: "Update" accept:application/json, */*,audit-id:{aid},client:10.244.{rng.randint(2, 7)}.'
                f'{rng.randint(10, 250)},api-group:wgpolicyk8s.io,api-version:v1alpha2,name:{name},subresource:,namespace:{ns},'
                f'protocol:HTTP/2.0,resource:policyreports,scope:resource,url:/apis/wgpolicyk8s.io/v1alpha2/namespaces/{ns}/'
                f'policyreports/{name},user-agent:reports-controller/v1.12.0 (linux/amd64) kyverno/v1.12.0,verb:PUT '
                f'({start.strftime("%d-%b-%Y %H:%M:%S")}.{start.microsecond // 1000:03d}) (total time: {int(total * 1000)}ms):')
        klog(tt, n, "kube-apiserver", "I", "trace.go:236", head, "a_trace_put")
        inner = total - rng.uniform(0.001, 0.004)
        cont(tt + sec(0.00002), n, "kube-apiserver",
             f'Trace[{tid}]: ["GuaranteedUpdate etcd3" audit-id:{aid},key:/wgpolicyk8s.io/policyreports/{ns}/{name},'
             f'type:*unstructured.Unstructured,resource:policyreports.wgpolicyk8s.io {int(inner * 1000)}ms '
             f'({(start + sec(0.001)).strftime("%H:%M:%S")}.{(start + sec(0.001)).microsecond // 1000:03d})', "a_trace_put_gu")
        txn = inner - rng.uniform(0.002, 0.02)
        cont(tt + sec(0.00004), n, "kube-apiserver",
             f'Trace[{tid}]:  ---"Txn call completed" {int(txn * 1000)}ms ({tt.strftime("%H:%M:%S")}.{tt.microsecond // 1000:03d})]',
             "a_trace_put_txn")
        cont(tt + sec(0.00006), n, "kube-apiserver", f"Trace[{tid}]: [{total:.3f}s] [{total:.3f}s] END", "a_trace_end")

    NS = ["shop", "payments", "search", "checkout", "monitoring", "data", "identity"]
    POL = ["cpol-require-labels", "cpol-disallow-latest-tag", "cpol-require-requests-limits", "cpol-restrict-image-registries",
           "cpol-disallow-privileged"]
    for k, n in enumerate(K_CP):
        tt = UPGRADE + sec(rng.uniform(600, 1800))
        while tt < ALARM - sec(20):
            s = slowness(tt)
            total = 0.52 + 4.6 * s * rng.uniform(0.55, 1.08)
            put_trace(tt, n, rng.choice(NS), rng.choice(POL), total)
            tt += sec(max(420.0, 3600.0 / (0.8 + 4.5 * s)) * rng.uniform(0.7, 1.3))
        put_trace(ALARM - sec(rng.uniform(30, 200)), n, rng.choice(NS), rng.choice(POL), rng.uniform(5.0, 5.25))

    # routine slow LISTs from prometheus
    for tt in poisson(rng, T0, T1, 1.1):
        n = rng.choice(K_CP)
        tid = trace_id()
        total = rng.uniform(0.51, 0.98)
        start = tt - sec(total)
        aid = uuid4(rng)
        res = rng.choice(["pods", "configmaps", "secrets", "endpointslices"])
        grp = "discovery.k8s.io/v1" if res == "endpointslices" else "v1"
        url = f"/apis/{grp}/{res}" if res == "endpointslices" else f"/api/v1/{res}"
        klog(tt, n, "kube-apiserver", "I", "trace.go:236",
             f'Trace[{tid}]: "List" accept:application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json,'
             f'audit-id:{aid},client:10.244.5.{rng.randint(10, 99)},api-group:{"discovery.k8s.io" if res == "endpointslices" else ""},'
             f'api-version:v1,name:,subresource:,namespace:,protocol:HTTP/2.0,resource:{res},scope:cluster,url:{url},'
             f'user-agent:prometheus/2.51.2,verb:LIST ({start.strftime("%d-%b-%Y %H:%M:%S")}.{start.microsecond // 1000:03d}) '
             f'(total time: {int(total * 1000)}ms):', "a_trace_list")
        cont(tt + sec(0.00002), n, "kube-apiserver",
             f'Trace[{tid}]: ["List(recursive=true) etcd3" audit-id:{aid},key:/{res},resourceVersion:,resourceVersionMatch:,'
             f'limit:500,continue: {int(total * 1000) - 3}ms ({start.strftime("%H:%M:%S")}.{start.microsecond // 1000:03d})]',
             "a_trace_list_etcd")
        cont(tt + sec(0.00004), n, "kube-apiserver", f"Trace[{tid}]: [{total * 1000:.3f}ms] [{total * 1000:.3f}ms] END",
             "a_trace_end")

    # http2 stream closed (cancelled watches / port-forwards) - the routine status.go:71 errors
    for n in K_CP:
        for tt in poisson(rng, T0, T1, 0.75):
            path = rng.choice(["/api/v1/namespaces/shop/pods", "/api/v1/namespaces/monitoring/configmaps",
                               "/apis/apps/v1/namespaces/shop/deployments", "/api/v1/nodes"])
            klog(tt, n, "kube-apiserver", "E", "writers.go:122", "apiserver was unable to write a JSON response: http2: stream closed",
                 "a_http2_write")
            klog(tt + sec(0.00003), n, "kube-apiserver", "E", "status.go:71",
                 'apiserver received an error that is not an metav1.Status: &errors.errorString{s:"http2: stream closed"}: '
                 'http2: stream closed', "a_status_http2")
            klog(tt + sec(0.00006), n, "kube-apiserver", "E", "writers.go:135",
                 "apiserver was unable to write a fallback JSON response: http2: stream closed", "a_http2_fallback")
            klog(tt + sec(0.0011), n, "kube-apiserver", "E", "timeout.go:142",
                 f'post-timeout activity - time-elapsed: {rng.uniform(1.1, 9.8):.6f}ms, GET "{path}" result: <nil>',
                 "a_post_timeout")

    # metrics-server restart: APIService unavailable
    t = METRICS[0]
    while t < METRICS[1]:
        n = rng.choice(K_CP)
        klog(t, n, "kube-apiserver", "E", "available_controller.go:460",
             'v1beta1.metrics.k8s.io failed with: failing or missing response from https://10.244.3.17:10250/apis/metrics.k8s.io/'
             'v1beta1: Get "https://10.244.3.17:10250/apis/metrics.k8s.io/v1beta1": dial tcp 10.244.3.17:10250: connect: '
             'connection refused', "a_apiservice")
        t += sec(rng.uniform(18, 40))
    for k, n in enumerate(K_CP):
        tt = METRICS[0] + sec(40 + 11 * k)
        klog(tt, n, "kube-apiserver", "E", "controller.go:113",
             'loading OpenAPI spec for "v1beta1.metrics.k8s.io" failed with: Error, could not get list of group versions for '
             'APIService', "a_openapi_err")
        klog(tt + sec(0.0002), n, "kube-apiserver", "I", "controller.go:126",
             'OpenAPI AggregationController: action for item v1beta1.metrics.k8s.io: Rate Limited Requeue.', "a_openapi_requeue")

    # the kyverno upgrade: new CRD group version in every apiserver
    for k, n in enumerate(K_CP):
        klog(UPGRADE - sec(6.2) + sec(0.7 * k + rng.uniform(0, 0.09)), n, "kube-apiserver", "I", "handler.go:275",
             "Adding GroupVersion reports.kyverno.io v1 to ResourceManager", "a_add_gv")

    # ---- controller-manager / scheduler: leadership
    kcm_leader, sched_leader = {"node": "k8s-cp-1"}, {"node": "k8s-cp-2"}
    OUT = (ALARM, DISARM)

    def event(tt, obj, kind, api, typ, reason, msg):
        klog(tt, kcm_leader["node"], "kube-controller-manager", "I", "event.go:376",
             f'"Event occurred" object="{obj}" fieldPath="" kind="{kind}" apiVersion="{api}" type="{typ}" reason="{reason}" '
             f'message="{msg}"', f"k_event_{reason}")

    def bind(tt, pod):
        klog(tt, sched_leader["node"], "kube-scheduler", "I", "schedule_one.go:314",
             f'"Successfully bound pod to node" pod="{pod}" node="{rng.choice(K_WORKERS)}" evaluatedNodes=9 feasibleNodes=6',
             "s_bound")

    def podname(prefix):
        return f"{prefix}-{lower_alnum(rng, 5)}"

    # CronJob every 30 min (shop/cart-cleanup) and nightly-report at 01:00
    t = datetime(2024, 7, 9, 6, 0, tzinfo=UTC)
    while t < T1:
        if not inside(t, [OUT]):
            jn = f"cart-cleanup-{int(t.timestamp() // 60)}"
            t1 = t + sec(rng.uniform(0.02, 0.3))
            event(t1, "shop/cart-cleanup", "CronJob", "batch/v1", "Normal", "SuccessfulCreate", f"Created job {jn}")
            pn = podname(jn)
            event(t1 + sec(0.03), f"shop/{jn}", "Job", "batch/v1", "Normal", "SuccessfulCreate", f"Created pod: {pn}")
            bind(t1 + sec(0.05), f"shop/{pn}")
            t2 = t1 + sec(rng.uniform(25, 70))
            event(t2, f"shop/{jn}", "Job", "batch/v1", "Normal", "Completed", "Job completed")
            event(t2 + sec(rng.uniform(0.5, 9)), "shop/cart-cleanup", "CronJob", "batch/v1", "Normal", "SawCompletedJob",
                  f"Saw completed job: {jn}, status: Complete")
        t += sec(1800)

    # HPA rescale of shop/checkout-api
    rs = "checkout-api-6d5c7b9f8"
    size = 4
    for tt in sorted(poisson(rng, T0, T1, 0.55, day_shape)):
        if inside(tt, [(ALARM - sec(60), DISARM + sec(120))]):
            continue
        up = size <= 4 or (size < 10 and rng.random() < 0.5 and 9 <= tt.hour < 19)
        new = size + rng.randint(1, 2) if up else max(3, size - rng.randint(1, 2))
        if new == size:
            continue
        why = ("cpu resource utilization (percentage of request) above target" if new > size
               else "All metrics below target")
        event(tt, "shop/checkout-api", "HorizontalPodAutoscaler", "autoscaling/v2", "Normal", "SuccessfulRescale",
              f"New size: {new}; reason: {why}")
        verb = "up" if new > size else "down"
        tail = "" if new > size else f" from {size}"
        event(tt + sec(0.02), "shop/checkout-api", "Deployment", "apps/v1", "Normal", "ScalingReplicaSet",
              f"Scaled {verb} replica set {rs} to {new}{tail}")
        for j in range(abs(new - size)):
            pn = podname(rs)
            if new > size:
                event(tt + sec(0.04 + 0.01 * j), f"shop/{rs}", "ReplicaSet", "apps/v1", "Normal", "SuccessfulCreate", f"Created pod: {pn}")
                bind(tt + sec(0.06 + 0.01 * j), f"shop/{pn}")
            else:
                event(tt + sec(0.04 + 0.01 * j), f"shop/{rs}", "ReplicaSet", "apps/v1", "Normal", "SuccessfulDelete", f"Deleted pod: {pn}")
        size = new

    # the kyverno upgrade in the controller-manager
    for k, d in enumerate(K_KYVERNO):
        tt = UPGRADE + sec(1.3 + 2.7 * k + rng.uniform(0, 0.3))
        new_rs, old_rs = f"{d}-{hexs(rng, 10)}", f"{d}-{hexs(rng, 10)}"
        event(tt, f"kyverno/{d}", "Deployment", "apps/v1", "Normal", "ScalingReplicaSet", f"Scaled up replica set {new_rs} to 1")
        pn = podname(new_rs)
        event(tt + sec(0.02), f"kyverno/{new_rs}", "ReplicaSet", "apps/v1", "Normal", "SuccessfulCreate", f"Created pod: {pn}")
        bind(tt + sec(0.05), f"kyverno/{pn}")
        event(tt + sec(rng.uniform(24, 41)), f"kyverno/{d}", "Deployment", "apps/v1", "Normal", "ScalingReplicaSet",
              f"Scaled down replica set {old_rs} to 0 from 1")
        if d == "kyverno-reports-controller":
            reports_rs = new_rs

    # the GPU pod that never fits
    t = GPU_POD[0]
    while t < GPU_POD[1]:
        if not inside(t, [OUT]):
            klog(t, sched_leader["node"], "kube-scheduler", "I", "schedule_one.go:867",
                 '"Unable to schedule pod; no fit; waiting" pod="ml/train-embeddings-0" err="0/9 nodes are available: 3 node(s) '
                 'had untolerated taint {node-role.kubernetes.io/control-plane: }, 6 Insufficient nvidia.com/gpu. preemption: '
                 '0/9 nodes are available: 3 Preemption is not helpful for scheduling, 6 No preemption victims found for incoming '
                 'pod."', "s_unschedulable")
        t += sec(300 + rng.uniform(0.01, 0.9))

    # ---- the outage
    for k, n in enumerate(K_CP):
        etcd(ALARM + sec(0.0004 + 0.0013 * k), n, "warn", "etcdserver/server.go:2209", "alarm raised",
             {"alarm": "NOSPACE", "from": member_id["k8s-cp-2"]}, "e_alarm_raised")
    for n in K_CP:
        for tt in poisson(rng, ALARM + sec(0.5), DISARM, 26):
            klog(tt, n, "kube-apiserver", "E", "status.go:71",
                 f'apiserver received an error that is not an metav1.Status: rpctypes.EtcdError{{code:0x8, desc:"{K_DB_ERR}"}}: '
                 f'{K_DB_ERR}', "a_status_nospace")

    def lose(comp, leader, lease, exit_src, exit_msg, first):
        n = leader["node"]
        klog(first, n, comp, "E", "leaderelection.go:369", f"Failed to update lock: {K_DB_ERR}", "l_update_fail")
        klog(first + sec(8.02), n, comp, "I", "leaderelection.go:285",
             f"failed to renew lease kube-system/{lease}: timed out waiting for the condition", "l_renew_fail")
        klog(first + sec(8.03), n, comp, "E", exit_src, exit_msg, "l_lost")
        return first + sec(8.03)

    def start(comp, n, tt, lines):
        incarnation(n, comp)
        for k, (src, msg, tpl) in enumerate(lines):
            klog(tt + sec(0.02 * k + rng.uniform(0, 0.01)), n, comp, "I", src, msg, tpl)

    KCM_START = [("serving.go:380", "Generated self-signed cert in-memory", "c_selfsigned"),
                 ("controllermanager.go:189", f'"Starting" version="{K_VER}"', "c_starting"),
                 ("controllermanager.go:191", '"Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""', "c_golang"),
                 ("secure_serving.go:213", "Serving securely on 127.0.0.1:10257", "c_serving"),
                 ("leaderelection.go:250", "attempting to acquire leader lease kube-system/kube-controller-manager...", "l_attempt")]
    SCHED_START = [("serving.go:380", "Generated self-signed cert in-memory", "c_selfsigned"),
                   ("server.go:154", f'"Starting Kubernetes Scheduler" version="{K_VER}"', "s_starting"),
                   ("server.go:156", '"Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""', "c_golang"),
                   ("secure_serving.go:213", "Serving securely on 127.0.0.1:10259", "c_serving"),
                   ("leaderelection.go:250", "attempting to acquire leader lease kube-system/kube-scheduler...", "l_attempt")]
    lost_k = lose("kube-controller-manager", kcm_leader, "kube-controller-manager", "controllermanager.go:340",
                  '"leaderelection lost"', ALARM + sec(1.77))
    start("kube-controller-manager", kcm_leader["node"], lost_k + sec(11.4), KCM_START)
    klog(ALARM + sec(4.31), sched_leader["node"], "kube-scheduler", "E", "schedule_one.go:1004",
         f'"Error scheduling pod; retrying" err="running Bind plugin \\"DefaultBinder\\": {K_DB_ERR}" pod="shop/{podname(rs)}"',
         "s_bind_err")
    lost_s = lose("kube-scheduler", sched_leader, "kube-scheduler", "server.go:271", '"Leaderelection lost"', ALARM + sec(5.12))
    start("kube-scheduler", sched_leader["node"], lost_s + sec(13.8), SCHED_START)
    # nobody can take the expired leases: every candidate fails to write the lock (scaled down)
    for comp in ("kube-controller-manager", "kube-scheduler"):
        for n in K_CP:
            tt = ALARM + sec(rng.uniform(40, 150))
            while tt < DISARM:
                klog(tt, n, comp, "E", "leaderelection.go:369", f"Failed to update lock: {K_DB_ERR}", "l_update_fail")
                tt += sec(rng.uniform(300, 460))

    # ---- the fix: compact + defrag each member (leader last), disarm
    last_rev = rev
    etcd(DEFRAG["k8s-cp-3"] - sec(21.3), "k8s-cp-2", "info", "mvcc/index.go:214", "compact tree index", {"revision": last_rev + 411},
         "e_compact_index")
    for n in ("k8s-cp-3", "k8s-cp-1", "k8s-cp-2"):
        t = DEFRAG[n]
        etcd(t, n, "info", "v3rpc/maintenance.go:90", "starting defragment", {}, "e_defrag_start")
        etcd(t + sec(0.0009), n, "info", "backend/backend.go:497", "defragmenting",
             {"path": "/var/lib/etcd/member/snap/db", "current-db-size-bytes": K_QUOTA + 4096 * 19,
              "current-db-size": human_bytes(K_QUOTA + 4096 * 19), "current-db-size-in-use-bytes": 1_671_012_352,
              "current-db-size-in-use": human_bytes(1_671_012_352)}, "e_defragmenting")
        took = rng.uniform(9.5, 14.2)
        etcd(t + sec(took), n, "info", "backend/backend.go:549", "finished defragmenting directory",
             {"path": "/var/lib/etcd/member/snap/db", "current-db-size-bytes-diff": 1_702_543_360 - (K_QUOTA + 4096 * 19),
              "current-db-size-bytes": 1_702_543_360, "current-db-size": human_bytes(1_702_543_360),
              "current-db-size-in-use-bytes": 1_671_012_352, "current-db-size-in-use": human_bytes(1_671_012_352),
              "took": dur(took)}, "e_defrag_done")
        etcd(t + sec(took + 0.0004), n, "info", "v3rpc/maintenance.go:98", "finished defragment", {}, "e_defrag_finished")
        if n == "k8s-cp-2":
            etcd(t + sec(0.8), n, "warn", "rafthttp/probing_status.go:82", "prober found high clock drift",
                 {"round-tripper-name": "ROUND_TRIPPER_RAFT_MESSAGE", "remote-peer-id": member_id["k8s-cp-1"],
                  "clock-drift": "1.27s", "rtt": "4.1ms"}, "e_clock_drift")
            for o in ("k8s-cp-1", "k8s-cp-3"):
                etcd(t + sec(rng.uniform(1.1, 3.0)), o, "warn", "etcdserver/util.go:170", "apply request took too long",
                     {"took": dur(rng.uniform(4.1, 6.3)), "expected-duration": "100ms", "prefix": "",
                      "request": f'header:<ID:{rng.randint(10**18, 9 * 10**18)} > lease_grant:<ttl:15-second id:{hexs(rng, 16)}>',
                      "response": "size:41"}, "e_slow_apply")
    for k, n in enumerate(K_CP):
        etcd(DISARM + sec(0.0005 + 0.0012 * k), n, "warn", "etcdserver/server.go:2227", "alarm disarmed",
             {"alarm": "NOSPACE", "from": member_id["k8s-cp-2"]}, "e_alarm_disarmed")
    # leases are taken again (by whichever candidate comes first)
    kcm_leader["node"], sched_leader["node"] = "k8s-cp-3", "k8s-cp-1"
    ta = DISARM + sec(rng.uniform(2.2, 4.0))
    klog(ta, "k8s-cp-3", "kube-controller-manager", "I", "leaderelection.go:260",
         "successfully acquired lease kube-system/kube-controller-manager", "l_acquired")
    event(ta + sec(0.001), "kube-system/kube-controller-manager", "Lease", "coordination.k8s.io/v1", "Normal", "LeaderElection",
          f"k8s-cp-3_{uuid4(rng)} became leader")
    tb = DISARM + sec(rng.uniform(1.1, 2.0))
    klog(tb, "k8s-cp-1", "kube-scheduler", "I", "leaderelection.go:260", "successfully acquired lease kube-system/kube-scheduler",
         "l_acquired")
    for j in range(3):
        bind(tb + sec(0.3 + 0.05 * j), f"shop/{podname(rs)}")
    event(KSCALE0, "kyverno/kyverno-reports-controller", "Deployment", "apps/v1", "Normal", "ScalingReplicaSet",
          f"Scaled down replica set {reports_rs} to 0 from 1")
    event(KSCALE0 + sec(0.02), f"kyverno/{reports_rs}", "ReplicaSet", "apps/v1", "Normal", "SuccessfulDelete",
          f"Deleted pod: {podname(reports_rs)}")

    # ---- etcd leader change at 17:44 (slow disk on k8s-cp-2, the leader)
    lead, new = "k8s-cp-2", "k8s-cp-1"
    for j in range(4):
        etcd(ELECTION - sec(9.3 - 2.1 * j), lead, "warn", "etcdserver/raft.go:416",
             "leader failed to send out heartbeat on time; took too long, leader is overloaded likely from slow disk",
             {"to": member_id[rng.choice(["k8s-cp-1", "k8s-cp-3"])], "heartbeat-interval": "100ms",
              "expected-duration": "200ms", "exceeded-duration": dur(rng.uniform(0.6, 1.9))}, "e_heartbeat_slow")
    lid, nid, oid = member_id[lead], member_id[new], member_id["k8s-cp-3"]
    seq = [(new, f"{nid} is starting a new election at term 7", "e_raft_election"),
           (new, f"{nid} became pre-candidate at term 7", "e_raft_precand"),
           (new, f"{nid} [logterm: 7, index: {applied[new] + 811233}] sent MsgPreVote request to {oid} at term 7", "e_raft_prevote"),
           ("k8s-cp-3", f"{oid} [logterm: 7, index: {applied[new] + 811233}, vote: {lid}] cast MsgPreVote for {nid} at term 7",
            "e_raft_castvote"),
           (new, f"{nid} received MsgPreVoteResp from {oid} at term 7", "e_raft_voteresp"),
           (new, f"{nid} became candidate at term 8", "e_raft_candidate"),
           (new, f"{nid} became leader at term 8", "e_raft_leader"),
           (new, f"raft.node: {nid} elected leader {nid} at term 8", "e_raft_elected"),
           ("k8s-cp-3", f"raft.node: {oid} changed leader from {lid} to {nid} at term 8", "e_raft_changed"),
           (lead, f"{lid} [term: 7] received a MsgApp message with higher term from {nid} [term: 8]", "e_raft_higher"),
           (lead, f"{lid} became follower at term 8", "e_raft_follower"),
           (lead, f"raft.node: {lid} changed leader from {lid} to {nid} at term 8", "e_raft_changed")]
    for k, (n, msg, tpl) in enumerate(seq):
        etcd(ELECTION + sec(0.004 * k + rng.uniform(0, 0.002)), n, "info", "raft/raft.go:771" if "term" in msg else "raft/node.go:325",
             msg, {}, tpl)
    for n in K_CP:
        klog(ELECTION + sec(rng.uniform(0.3, 1.4)), n, "kube-apiserver", "E", "status.go:71",
             'apiserver received an error that is not an metav1.Status: rpctypes.EtcdError{code:0xe, desc:"etcdserver: leader '
             'changed"}: etcdserver: leader changed', "a_status_leader")

    # ---- unrelated: cert-manager's webhook certificate has expired (overnight)
    t = WEBHOOK
    gap = 300.0
    for j in range(8):
        n = K_CP[(j * 2 + 1) % 3]
        klog(t, n, "kube-apiserver", "W", "dispatcher.go:217",
             'Failed calling webhook, failing closed webhook.cert-manager.io: failed calling webhook "webhook.cert-manager.io": '
             'failed to call webhook: Post "https://cert-manager-webhook.cert-manager.svc:443/validate?timeout=30s": tls: failed '
             'to verify certificate: x509: certificate has expired or is not valid yet: current time '
             f'{t.strftime("%Y-%m-%dT%H:%M:%SZ")} is after 2024-07-10T01:47:00Z', "a_webhook_x509")
        t += sec(gap * rng.uniform(0.97, 1.05))
        gap = min(gap * 2, 3600.0)
    return L.build()


def facts_k8s(records):
    def pod(r):
        return r["kubernetes"]["pod_name"]

    nospace = [r for r in records if "database space exceeded" in r["message"] or '"NOSPACE"' in r["message"]]
    first_per_pod = {}
    for r in nospace:
        if '"alarm disarmed"' in r["message"] or r["kubernetes"]["container_name"] not in ("etcd", "kube-apiserver"):
            continue
        first_per_pod.setdefault(pod(r), r["timestamp"])
    alarm = next(r["timestamp"] for r in records if '"msg":"alarm raised"' in r["message"])
    disarm = next(r["timestamp"] for r in records if '"msg":"alarm disarmed"' in r["message"])
    slow = [r["timestamp"] for r in records if '"msg":"apply request took too long"' in r["message"] and r["timestamp"] < alarm]
    acquired = {}
    for r in records:
        if "successfully acquired lease" in r["message"] and r["timestamp"] > disarm:
            acquired.setdefault(r["kubernetes"]["container_name"], r["timestamp"])
    return {"alarm": alarm, "disarm": disarm, "first_per_pod": dict(sorted(first_per_pod.items())), "slow_cut": slow[-8],
            "acquired": dict(sorted(acquired.items())), "last_nospace": nospace[-1]["timestamp"]}


K8S_PROBLEM = [{"field": {"log_processed.level": "warn|error|dpanic|panic|fatal"}}, {"msg": r"^[EWF]\d{4} \d\d:\d\d:\d\d\.\d{6} "}]


def questions_k8s(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in K8S_PROBLEM]

    return [
        q("broad",
          "kubectl apply hangs then errors for everyone, deploys stuck in every namespace and no new pods come up. what went wrong "
          "between 14:05 and 14:09 utc on jul 9?",
          ["database space exceeded", "Failed to update lock"],
          problems("2024-07-09T14:05:00Z", "2024-07-09T14:09:00Z")),
        q("lexical",
          "apiserver keeps printing EtcdError{code:0x8 ... since when? which pod said it first, etcd or the apiservers?",
          ["NOSPACE", "alarm raised"],
          [{"field": {"kubernetes.pod_name": re.escape(p)}, "msg": r"database space exceeded|\"NOSPACE\"", "since": ts,
            "until": plus(ts, 0.001)} for p, ts in f["first_per_pod"].items()]),
        q("follow-up",
          "ok so what changed before it filled up? did anyone upgrade or roll out something in the cluster this morning",
          ["kyverno-reports-controller", "reports.kyverno.io"],
          [{"msg": r"Adding GroupVersion reports\.kyverno\.io"},
           {"msg": r'reason="ScalingReplicaSet" message="Scaled (up|down) replica set kyverno-', "until": f["alarm"]}]),
        q("paraphrase",
          "was the cluster's backing store already sluggish before it fell over, answering lookups way slower than normal?",
          ["apply request took too long", "expected-duration"],
          {"field": {"log_processed.msg": "apply request took too long"}, "since": f["slow_cut"], "until": f["alarm"]}),
        q("follow-up",
          "someone defragged every member and disarmed it ~14:30. did it come back after that, or is anything still failing?",
          ["alarm disarmed", "successfully acquired lease"],
          [{"field": {"log_processed.msg": "alarm disarmed|finished defragmenting directory"}}]
          + [{"msg": "successfully acquired lease", "since": ts, "until": plus(ts, 0.001)} for ts in f["acquired"].values()]),
        q("lexical",
          "unrelated: cert-manager hasnt renewed a single cert since last night, apiserver calls to cert-manager-webhook on 443 "
          "are failing. since when and how often?",
          ["x509: certificate has expired", "webhook.cert-manager.io"],
          {"msg": r"Failed calling webhook, failing closed webhook\.cert-manager\.io"}),
    ]

# =============================================================================================
# 2. mail: the relay mx1.example.org (Postfix 3.7: inbound for example.org and the outbound relay
#    for the app servers app1/app2; rspamd as milter; OpenDKIM signs outbound and verifies inbound;
#    delivery to the store by LMTP to [10.1.2.20]:24) and the store imap1.example.org (Dovecot 2.3:
#    IMAP and LMTP). delay_warning_time = 4h. At 10:12 on August 20 an Ansible run (role
#    `resolvers`) rewrites /etc/resolv.conf on mx1 to the new resolver pair 10.1.0.53/10.1.0.54,
#    whose ACL does not yet include the DMZ: every lookup is REFUSED. Postfix cannot look up any MX:
#    every outbound delivery is deferred (`Host or domain name not found. Name service error for
#    name=... type=MX: Host not found, try again`) and the deferred queue grows; OpenDKIM cannot
#    fetch keys for inbound mail, rspamd cannot refresh its maps, smtpd sees every client as
#    `unknown`; from 14:2x senders get "sender delay notification"s. At 15:41 the Ansible change is
#    reverted and at 15:42 the queue is flushed: the backlog goes out within a minute.
#    Unrelated: from 19:37 the mailbox of cfischer@example.org is full; every message for her is
#    bounced by Dovecot LMTP with `552 5.2.2 ... Quota exceeded (mailbox for user is full)`.
#    Noise: inbound and outbound mail, one message to a dead partner MX deferred all day
#    (`Connection timed out`), RBL rejects, rspamd spam rejects, SMTP AUTH and IMAP brute force,
#    a multifunction printer that only speaks TLS 1.0 (`SSL_accept error`, `unsupported protocol`),
#    IMAP logins, sysstat CRON lines, a postfix reload at 03:12, a nightly Ansible apt run.

M_MX, M_IMAP = "mx1", "imap1"
M_STORE = "10.1.2.20"
M_APPS = {"app1.example.org": "10.1.3.11", "app2.example.org": "10.1.3.12"}
M_SENDERS = ["billing@example.org", "noreply@example.org", "orders@example.org", "support@example.org"]
M_USERS = ["jdoe", "mkowalski", "asantos", "tnguyen", "lweber", "cfischer", "rpatel", "hmeyer", "dkim", "sbrown"]
M_DOMAINS = {
    "gmail.com": ("gmail-smtp-in.l.google.com", "142.250.102.27", "Trusted", "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (P-256) server-digest SHA256",
                  "250 2.0.0 OK  {ts} {id}.{n} - gsmtp"),
    "outlook.com": ("outlook-com.olc.protection.outlook.com", "52.101.68.12", "Trusted", "TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)",
                    "250 2.6.0 <{mid}> [InternalId={n}, Hostname=AM7EUR03HT{k}.eop-EUR03.prod.protection.outlook.com] {sz} bytes in 0.{ms}, {kb} KB/sec Queued mail for delivery"),
    "yahoo.com": ("mta7.am0.yahoodns.net", "67.195.204.72", "Trusted", "TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
                  "250 ok dirdel"),
    "web.de": ("mx-ha03.web.de", "212.227.15.41", "Trusted", "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
               "250 Requested mail action okay, completed: id={id}"),
    "gmx.de": ("mx01.emig.gmx.net", "212.227.17.5", "Trusted", "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
               "250 Requested mail action okay, completed: id={id}"),
    "acme-industries.com": ("acme-industries-com.mail.protection.outlook.com", "52.101.73.3", "Trusted", "TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)",
                            "250 2.6.0 <{mid}> [InternalId={n}, Hostname=DB9EUR02HT{k}.eop-EUR02.prod.protection.outlook.com] {sz} bytes in 0.{ms}, {kb} KB/sec Queued mail for delivery"),
    "nordbau.de": ("mail.nordbau.de", "85.13.144.90", "Untrusted", "TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)",
                   "250 2.0.0 Ok: queued as {id}"),
}
M_INBOUND = [("mail-ej1-f41.google.com", "209.85.218.41", "gmail.com", "20230601"),
             ("mail-wm1-f54.google.com", "209.85.128.54", "gmail.com", "20230601"),
             ("mail-am6eur05on2071.outbound.protection.outlook.com", "40.107.22.71", "acme-industries.com", "selector1"),
             ("mout.web.de", "217.72.192.78", "web.de", "dbaedf251592"),
             ("mout.gmx.net", "212.227.15.19", "gmx.de", "s31663417"),
             ("mail.nordbau.de", "85.13.144.90", "nordbau.de", "mail")]
M_DEAD = ("oldpartner-logistics.de", "mx.oldpartner-logistics.de", "203.0.113.45")


def gen_mail():
    rng = random.Random(20240820)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 8, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(20, 5, 7, 13.0), at(21, 7, 21)
    CHANGE = at(20, 10, 12, 7.41377)
    REVERT = at(20, 15, 41, 31.22841)
    FLUSH = at(20, 15, 42, 6.05)
    BROKEN = [(CHANGE + sec(0.5), REVERT + sec(0.4))]
    QUOTA_FULL = at(20, 19, 37, 44.0)
    RELOAD = at(21, 3, 12, 4.51)
    NIGHTLY = at(21, 3, 30, 2.7)

    def dns_ok(t):
        return not inside(t, BROKEN)

    def sys(dt, hostname, app, pid, sev, fac, text, tpl):
        L.add(dt, tpl, {"timestamp": iso_us(dt), "syslog_hostname": hostname, "appname": app, "procid": str(pid), "msgid": "-",
                        "severity": sev, "facility": fac, "message": text})

    def pf(dt, proc, pid, text, tpl, sev="info"):
        sys(dt, M_MX, f"postfix/{proc}", pid, sev, "mail", text, tpl)

    used = set()

    def qid():
        while True:
            x = "4" + rng.choice("VWX") + alnum(rng, 8)
            if x not in used:
                used.add(x)
                return x

    pids = {"qmgr": 1187, "master": 1123}

    def pid():
        return rng.randint(20000, 64000)

    def sid():
        return alnum(rng, 16)

    def delays(a, b, c, d):
        def f(x):
            return "0" if x < 0.005 else (f"{x:.2g}" if x < 10 else f"{x:.0f}")
        return "/".join(f(x) for x in (a, b, c, d))

    def delay_s(x):
        return f"{x:.2g}" if x < 10 else f"{x:.0f}"

    queue = []      # (next attempt, seq, msg)
    seq = [0]

    def push(t, m):
        seq[0] += 1
        queue.append((t, seq[0], m))

    # ---------------------------------------------------------------- outbound submissions
    def submit_out(t, app, sender, rcpt):
        m = {"qid": qid(), "t0": t, "rcpt": rcpt, "dom": rcpt.split("@")[1], "sender": sender, "size": rng.randint(9000, 190000),
             "backoff": 300.0, "warned": False, "tries": 0}
        ip = M_APPS[app]
        p = pid()
        name = app if dns_ok(t) else "unknown"
        pf(t, "smtpd", p, f"connect from {name}[{ip}]", "m_connect")
        pf(t + sec(0.05), "smtpd", p, f"{m['qid']}: client={name}[{ip}]", "m_client")
        mid = f"{t.strftime('%Y%m%d%H%M%S')}.{hexs(rng, 10).upper()}@{app}"
        c = pid()
        pf(t + sec(0.07), "cleanup", c, f"{m['qid']}: message-id=<{mid}>", "m_cleanup")
        sys(t + sec(0.09), M_MX, "opendkim", 812, "info", "mail", f"{m['qid']}: DKIM-Signature field added (s=mx2024, d=example.org)",
            "m_dkim_sign")
        pf(t + sec(0.11), "qmgr", pids["qmgr"], f"{m['qid']}: from=<{sender}>, size={m['size']}, nrcpt=1 (queue active)", "m_from")
        pf(t + sec(0.12), "smtpd", p, f"disconnect from {name}[{ip}] ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7",
           "m_disconnect")
        m["mid"] = mid
        push(t + sec(0.13), m)

    def attempt(t, m):
        m["tries"] += 1
        age = (t - m["t0"]).total_seconds()
        p = pid()
        dom = m["dom"]
        if dom == M_DEAD[0]:
            if dns_ok(t):
                pf(t + sec(30.0), "smtp", p, f"connect to {M_DEAD[1]}[{M_DEAD[2]}]:25: Connection timed out", "m_conn_timeout")
                pf(t + sec(30.01), "smtp", p, f"{m['qid']}: to=<{m['rcpt']}>, relay=none, delay={delay_s(age + 30)}, "
                   f"delays={delays(age - 0.3, 0.01, 30, 0)}, dsn=4.4.1, status=deferred (connect to {M_DEAD[1]}[{M_DEAD[2]}]:25: "
                   f"Connection timed out)", "m_deferred_timeout")
                return False
        if not dns_ok(t):
            d = rng.uniform(0.02, 0.2)
            pf(t + sec(d), "smtp", p, f"{m['qid']}: to=<{m['rcpt']}>, relay=none, delay={delay_s(age + d)}, "
               f"delays={delays(max(age - 0.1, 0.1), 0.01, d, 0)}, dsn=4.4.3, status=deferred (Host or domain name not found. "
               f"Name service error for name={dom} type=MX: Host not found, try again)", "m_deferred_dns")
            if age >= 4 * 3600 and not m["warned"]:
                m["warned"] = True
                n = qid()
                b = pid()
                pf(t + sec(d + 0.01), "bounce", b, f"{m['qid']}: sender delay notification: {n}", "m_delay_notice")
                local_dsn(t + sec(d + 0.02), n, m["sender"])
            return False
        mxh, mxip, trust, tls, resp = M_DOMAINS[dom]
        conn = rng.uniform(0.1, 0.6)
        xfer = rng.uniform(0.2, 1.4)
        pf(t + sec(conn), "smtp", p, f"{trust} TLS connection established to {mxh}[{mxip}]:25: {tls}", "m_tls_out")
        r = resp.format(ts=int((t + sec(conn)).timestamp()), id=alnum(rng, 12), n=rng.randint(100000000000, 999999999999),
                        mid=m["mid"], k=rng.randint(10, 99), sz=m["size"] + 2400, ms=rng.randint(100, 999), kb=rng.randint(40, 900))
        pf(t + sec(conn + xfer), "smtp", p, f"{m['qid']}: to=<{m['rcpt']}>, relay={mxh}[{mxip}]:25, delay={delay_s(age + conn + xfer)}, "
           f"delays={delays(max(age - 0.1, 0.1), 0.01, conn, xfer)}, dsn=2.0.0, status=sent ({r})", "m_sent_out")
        pf(t + sec(conn + xfer + 0.002), "qmgr", pids["qmgr"], f"{m['qid']}: removed", "m_removed")
        return True

    # ---------------------------------------------------------------- local deliveries (LMTP to the store)
    def lmtp(t, q, rcpt, msgid, tpl_suffix="", quota=False):
        p = pid()
        lp = rng.randint(20000, 64000)
        sess = alnum(rng, 22)
        d1 = rng.uniform(0.02, 0.2)
        user = rcpt
        if quota:
            sys(t + sec(d1), M_IMAP, "dovecot", lp, "info", "mail",
                f"lmtp({user})<{lp}><{sess}>: msgid=<{msgid}>: save failed to INBOX: Quota exceeded (mailbox for user is full)",
                "d_lmtp_quota")
            pf(t + sec(d1 + 0.01), "lmtp", p, f"{q}: to=<{rcpt}>, relay={M_STORE}[{M_STORE}]:24, delay={delay_s(d1 + 0.3)}, "
               f"delays={delays(0.25, 0.01, 0.03, d1)}, dsn=5.2.2, status=bounced (host {M_STORE}[{M_STORE}] said: 552 5.2.2 "
               f"<{rcpt}> Quota exceeded (mailbox for user is full) (in reply to end of DATA command))", "m_bounced_quota")
            return p
        sys(t + sec(d1), M_IMAP, "dovecot", lp, "info", "mail", f"lmtp({user})<{lp}><{sess}>: msgid=<{msgid}>: saved mail to INBOX",
            "d_lmtp_saved")
        pf(t + sec(d1 + 0.01), "lmtp", p, f"{q}: to=<{rcpt}>, relay={M_STORE}[{M_STORE}]:24, delay={delay_s(d1 + 0.3)}, "
           f"delays={delays(0.25, 0.01, 0.03, d1)}, dsn=2.0.0, status=sent (250 2.0.0 <{rcpt}> {sess} Saved)", "m_sent_lmtp")
        pf(t + sec(d1 + 0.012), "qmgr", pids["qmgr"], f"{q}: removed", "m_removed")
        return p

    def local_dsn(t, n, sender):
        mid = f"{t.strftime('%Y%m%d%H%M%S')}.{n}@mx1.example.org"
        pf(t, "cleanup", pid(), f"{n}: message-id=<{mid}>", "m_cleanup")
        pf(t + sec(0.002), "qmgr", pids["qmgr"], f"{n}: from=<>, size={rng.randint(4200, 6900)}, nrcpt=1 (queue active)", "m_from")
        lmtp(t + sec(0.004), n, sender, mid)

    def inbound(t, rcpt, quota=False, big=False):
        host, ip, dom, sel = rng.choice(M_INBOUND)
        p = pid()
        name = host if dns_ok(t) else "unknown"
        q = qid()
        pf(t, "smtpd", p, f"connect from {name}[{ip}]", "m_connect")
        pf(t + sec(0.21), "smtpd", p, f"Anonymous TLS connection established from {name}[{ip}]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 "
           f"(256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256", "m_tls_in")
        pf(t + sec(0.4), "smtpd", p, f"{q}: client={name}[{ip}]", "m_client")
        local = rng.choice(["anna.k", "j.schmidt", "orders", "info", "m.rossi", "p.novak", "accounts"])
        msgid = f"{alnum(rng, 20)}@{host if dom != 'gmail.com' else 'mail.gmail.com'}"
        pf(t + sec(0.55), "cleanup", pid(), f"{q}: message-id=<{msgid}>", "m_cleanup")
        if dns_ok(t):
            sys(t + sec(0.6), M_MX, "opendkim", 812, "info", "mail", f"{q}: DKIM verification successful", "m_dkim_ok")
            syms = (f"DMARC_POLICY_ALLOW(-0.50){{{dom};none;}},R_DKIM_ALLOW(-0.20){{{dom}:s={sel};}},R_SPF_ALLOW(-0.20){{+ip4:{ip}/24;}},"
                    "MIME_GOOD(-0.10){text/plain;},ASN(0.00){asn:15169, ipnet:" + ip + "/17, country:US;},FROM_HAS_DN(0.00){},"
                    "RCVD_TLS_LAST(0.00){},TO_DN_NONE(0.00){}")
            score = rng.uniform(-1.4, 0.9)
        else:
            sys(t + sec(0.6), M_MX, "opendkim", 812, "err", "mail",
                f"{q}: key retrieval failed (s={sel}, d={dom}): '{sel}._domainkey.{dom}' query failed", "m_dkim_fail")
            syms = ("R_DKIM_TEMPFAIL(0.00){" + dom + ":s=" + sel + ";},R_SPF_DNSFAIL(0.00){},DMARC_DNSFAIL(0.00){" + dom + "};,"
                    "MIME_GOOD(-0.10){text/plain;},HFILTER_HOSTNAME_UNKNOWN(2.50){},RDNS_NONE(2.00){},FROM_HAS_DN(0.00){}")
            score = rng.uniform(3.9, 5.4)
        size = rng.randint(4000, 250000) if not big else 48_211_773
        rs = hexs(rng, 6)
        sys(t + sec(0.7), M_MX, "rspamd", 2231, "info", "mail",
            f"<{rs}>; proxy; rspamd_task_write_log: id: <{msgid}>, qid: <{q}>, ip: {ip}, from: <{local}@{dom}>, (default: F (no action): "
            f"[{score:.2f}/15.00] [{syms}]), len: {size}, time: {rng.uniform(60, 900):.3f}ms, dns req: {rng.randint(8, 40)}, "
            f"digest: <{hexs(rng, 32)}>, rcpts: <{rcpt}>, mime_rcpts: <{rcpt}>", "m_rspamd_ok")
        pf(t + sec(0.72), "qmgr", pids["qmgr"], f"{q}: from=<{local}@{dom}>, size={size}, nrcpt=1 (queue active)", "m_from")
        pf(t + sec(0.75), "smtpd", p, f"disconnect from {name}[{ip}] ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7",
           "m_disconnect")
        lp = lmtp(t + sec(0.76), q, rcpt, msgid, quota=quota)
        if quota:
            n = qid()
            pf(t + sec(1.0), "bounce", pid(), f"{q}: sender non-delivery notification: {n}", "m_ndr")
            pf(t + sec(1.01), "cleanup", pid(), f"{n}: message-id=<{t.strftime('%Y%m%d%H%M%S')}.{n}@mx1.example.org>", "m_cleanup")
            pf(t + sec(1.02), "qmgr", pids["qmgr"], f"{n}: from=<>, size={rng.randint(9000, 14000)}, nrcpt=1 (queue active)", "m_from")
            pf(t + sec(1.03), "qmgr", pids["qmgr"], f"{q}: removed", "m_removed")
            push(t + sec(1.05), {"qid": n, "t0": t + sec(1.0), "rcpt": f"{local}@{dom}", "dom": dom, "sender": "", "size": 11000,
                                 "backoff": 300.0, "warned": True, "tries": 0, "mid": "x"})

    # ---------------------------------------------------------------- schedule traffic
    for t in poisson(rng, T0, T1, 3.6, day_shape):
        app = rng.choice(list(M_APPS))
        dom = rng.choice(list(M_DOMAINS))
        user = rng.choice(["m.huber", "k.larsen", "accounts", "einkauf", "j.smith", "ap", "finance", "s.ito", "lena.w"])
        submit_out(t, app, rng.choice(M_SENDERS), f"{user}@{dom}")
    # a message to the dead partner, queued since yesterday
    dead = {"qid": qid(), "t0": T0 - sec(61_200), "rcpt": f"edi@{M_DEAD[0]}", "dom": M_DEAD[0], "sender": "orders@example.org",
            "size": 23817, "backoff": 4000.0, "warned": True, "tries": 0, "mid": "x"}
    push(T0 + sec(1312.4), dead)

    quota_users = []
    for t in poisson(rng, T0, T1, 3.0, day_shape):
        u = rng.choice(M_USERS)
        if u == "cfischer" and t >= QUOTA_FULL:
            continue
        inbound(t, f"{u}@example.org")
    inbound(QUOTA_FULL - sec(2.3), "cfischer@example.org", big=True)
    for t in (at(20, 21, 14, 9.2), at(20, 23, 40, 51.0), at(21, 6, 2, 17.7), at(21, 6, 49, 3.3)):
        inbound(t, "cfischer@example.org", quota=True)

    # the queue manager: attempts in time order
    while queue:
        queue.sort(key=lambda e: (e[0], e[1]))
        t, _, m = queue.pop(0)
        if t >= T1:
            continue
        if attempt(t, m):
            continue
        nxt = t + sec(m["backoff"] + rng.uniform(-20, 40))
        m["backoff"] = min(m["backoff"] * 2, 4000.0)
        if t < FLUSH <= nxt:
            nxt = FLUSH + sec(rng.uniform(0.2, 40))
        push(nxt, m)

    # ---------------------------------------------------------------- noise
    # RBL rejects (not while DNS is broken: the lookups fail open)
    for t in poisson(rng, T0, T1, 2.4):
        if not dns_ok(t):
            continue
        ip = f"{rng.choice([185, 45, 91, 194, 103])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
        p = pid()
        helo = rng.choice(["User", "ylmf-pc", f"mail{rng.randint(1, 99)}.{lower_alnum(rng, 7)}.top", "localhost"])
        pf(t, "smtpd", p, f"connect from unknown[{ip}]", "m_connect")
        pf(t + sec(0.3), "smtpd", p, f"NOQUEUE: reject: RCPT from unknown[{ip}]: 554 5.7.1 Service unavailable; Client host [{ip}] "
           f"blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/{ip}; from=<{lower_alnum(rng, 8)}@{lower_alnum(rng, 6)}.top> "
           f"to=<{rng.choice(M_USERS)}@example.org> proto=ESMTP helo=<{helo}>", "m_rbl_reject")
        pf(t + sec(0.31), "smtpd", p, f"disconnect from unknown[{ip}] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4", "m_disconnect")
    # rspamd spam rejects
    for t in poisson(rng, T0, T1, 0.55):
        ip = f"{rng.choice([80, 87, 176, 31])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
        p, q = pid(), qid()
        pf(t, "smtpd", p, f"connect from unknown[{ip}]", "m_connect")
        pf(t + sec(0.4), "smtpd", p, f"{q}: client=unknown[{ip}]", "m_client")
        mid = f"{lower_alnum(rng, 12)}@{lower_alnum(rng, 6)}.xyz"
        frm = f"promo@{lower_alnum(rng, 7)}.xyz"
        to = f"{rng.choice(M_USERS)}@example.org"
        pf(t + sec(0.5), "cleanup", pid(), f"{q}: message-id=<{mid}>", "m_cleanup")
        sys(t + sec(0.9), M_MX, "rspamd", 2231, "info", "mail",
            f"<{hexs(rng, 6)}>; proxy; rspamd_task_write_log: id: <{mid}>, qid: <{q}>, ip: {ip}, from: <{frm}>, (default: T (reject): "
            f"[{rng.uniform(15.1, 24):.2f}/15.00] [BAYES_SPAM(5.10){{99.99%;}},ABUSE_SURBL(5.00){{{lower_alnum(rng, 7)}.xyz:url;}},"
            f"R_SPF_FAIL(1.00){{-all;}},RDNS_NONE(2.00){{}},HFILTER_HOSTNAME_UNKNOWN(2.50){{}},MIME_HTML_ONLY(0.20){{}}]), len: "
            f"{rng.randint(3000, 40000)}, time: {rng.uniform(80, 700):.3f}ms, dns req: {rng.randint(10, 50)}, digest: <{hexs(rng, 32)}>, "
            f"rcpts: <{to}>, mime_rcpts: <{to}>", "m_rspamd_reject")
        pf(t + sec(0.92), "cleanup", pid(), f"{q}: milter-reject: END-OF-MESSAGE from unknown[{ip}]: 5.7.1 Spam message rejected; "
           f"from=<{frm}> to=<{to}> proto=ESMTP helo=<{lower_alnum(rng, 8)}.xyz>", "m_milter_reject")
        pf(t + sec(0.95), "smtpd", p, f"disconnect from unknown[{ip}] ehlo=1 mail=1 rcpt=1 data=0/1 quit=1 commands=4/5", "m_disconnect")
    # SMTP AUTH brute force on the submission port and IMAP brute force on the store
    for t in poisson(rng, T0, T1, 0.5):
        ip = f"{rng.choice([45, 141, 193, 87])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
        for j in range(rng.randint(3, 5)):
            p = pid()
            tt = t + sec(j * rng.uniform(6, 14))
            pf(tt, "smtpd", p, f"warning: unknown[{ip}]: SASL LOGIN authentication failed: UGFzc3dvcmQ6", "m_sasl_fail", sev="warning")
            pf(tt + sec(0.6), "smtpd", p, f"lost connection after AUTH from unknown[{ip}]", "m_lost_auth")
        if rng.random() < 0.4:
            pf(t + sec(rng.uniform(300, 900)), "anvil", rng.randint(2000, 9000),
               f"statistics: max connection rate {rng.randint(4, 12)}/60s for (submission:{ip}) at {t.strftime('%b %d %H:%M:%S')}",
               "m_anvil")
    for t in poisson(rng, T0, T1, 0.35):
        ip = f"{rng.choice([5, 92, 178, 212])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
        for j in range(rng.randint(2, 4)):
            u = rng.choice(["admin", "info", "test", "office", "support", "webmaster"])
            sys(t + sec(j * rng.uniform(3, 9)), M_IMAP, "dovecot", rng.randint(20000, 64000), "info", "mail",
                f"imap-login: Disconnected: Connection closed (auth failed, 1 attempts in 2 secs): user=<{u}@example.org>, method=PLAIN, "
                f"rip={ip}, lip={M_STORE}, TLS, session=<{sid()}>", "d_auth_failed")
    # IMAP logins of the staff
    for t in poisson(rng, T0, T1, 4.0, day_shape):
        u = rng.choice(M_USERS)
        mp = rng.randint(20000, 64000)
        s = sid()
        rip = f"10.1.8.{rng.randint(20, 120)}"
        sys(t, M_IMAP, "dovecot", rng.randint(1000, 1999), "info", "mail",
            f"imap-login: Login: user=<{u}@example.org>, method=PLAIN, rip={rip}, lip={M_STORE}, mpid={mp}, TLS, session=<{s}>",
            "d_login")
        sys(t + sec(rng.uniform(30, 2400)), M_IMAP, "dovecot", mp, "info", "mail",
            f"imap({u}@example.org)<{mp}><{s}>: Logged out in={rng.randint(200, 9000)} out={rng.randint(900, 900000)} deleted=0 expunged=0 "
            f"trashed=0 hdr_count={rng.randint(0, 60)} hdr_bytes={rng.randint(0, 40000)} body_count={rng.randint(0, 8)} "
            f"body_bytes={rng.randint(0, 500000)}", "d_logout")
    # the printer that speaks TLS 1.0 only (scan to email)
    for t in poisson(rng, T0, T1, 0.9, day_shape):
        p = pid()
        name = "mfp-3og.example.org" if dns_ok(t) else "unknown"
        pf(t, "smtpd", p, f"connect from {name}[10.1.5.40]", "m_connect")
        pf(t + sec(0.03), "smtpd", p, f"SSL_accept error from {name}[10.1.5.40]: -1", "m_ssl_accept", sev="info")
        pf(t + sec(0.031), "smtpd", p, "warning: TLS library problem: error:0A000102:SSL routines::unsupported protocol:"
           "../ssl/statem/statem_srvr.c:1712:", "m_tls_problem", sev="warning")
        pf(t + sec(0.033), "smtpd", p, f"lost connection after STARTTLS from {name}[10.1.5.40]", "m_lost_starttls")
        pf(t + sec(0.034), "smtpd", p, f"disconnect from {name}[10.1.5.40] ehlo=1 starttls=0/1 commands=1/2", "m_disconnect")
    # rspamd maps (hourly), failing while DNS is broken
    t = T0 + sec(1733.1)
    while t < T1:
        for mp in ("https://maps.rspamd.com/rspamd/spf_dkim_whitelist.inc.zst", "https://maps.rspamd.com/freemail/free.txt.zst"):
            if dns_ok(t):
                sys(t, M_MX, "rspamd", 2231, "info", "mail", f"<{hexs(rng, 6)}>; map; http_map_finish: data is not modified for "
                    f"server maps.rspamd.com, next check at {(t + sec(3600)).strftime('%a, %d %b %Y %H:%M:%S GMT')} (http cache based: "
                    f"{(t + sec(3600)).strftime('%a, %d %b %Y %H:%M:%S GMT')})", "m_map_ok")
            else:
                sys(t, M_MX, "rspamd", 2231, "err", "mail", f"<{hexs(rng, 6)}>; map; http_map_error: error reading {mp}"
                    f"({mp.split('/')[2]}): connection with http server terminated incorrectly: cannot resolve maps.rspamd.com",
                    "m_map_err")
            t2 = t
        t = t2 + sec(3600 + rng.uniform(-5, 5))
    # cron (sysstat every 30 min on both hosts)
    for h in (M_MX, M_IMAP):
        t = datetime(2024, 8, 20, 5, 10, 1, tzinfo=UTC)
        while t < T1:
            sys(t + sec(rng.uniform(0, 0.5)), h, "CRON", rng.randint(10000, 64000), "info", "cron",
                "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)", "x_cron")
            t += sec(1800)
    # ansible: the resolver change, its revert and the nightly apt run
    def ansible(t, module, args, tpl):
        sys(t, M_MX, f"ansible-{module}", rng.randint(100000, 400000), "info", "user", f"Invoked with {args}", tpl)

    for base, tag in ((CHANGE, "new"), (REVERT, "old")):
        ansible(base - sec(3.9), "ansible.legacy.setup", "gather_subset=['all'] gather_timeout=10 filter=[] fact_path=/etc/ansible/facts.d",
                "x_ans_setup")
        ansible(base - sec(1.5), "ansible.legacy.stat", "path=/etc/resolv.conf follow=False get_checksum=True checksum_algorithm=sha1 "
                "get_mime=True get_attributes=True", "x_ans_stat")
        stamp = f"{base.timestamp() - 2.2:.2f}-{rng.randint(10000, 99999)}-{rng.randint(10**14, 10**15 - 1)}"
        ansible(base, "ansible.legacy.copy", f"src=/home/deploy/.ansible/tmp/ansible-tmp-{stamp}/source dest=/etc/resolv.conf mode=0644 "
                f"owner=root group=root backup=True follow=False _original_basename=resolv.conf.j2 checksum={hexs(rng, 40)} "
                "force=True unsafe_writes=False content=NOT_LOGGING_PARAMETER validate=None directory_mode=None remote_src=None "
                "local_follow=None seuser=None serole=None selevel=None setype=None attributes=None", "x_ans_copy")
    ansible(NIGHTLY, "ansible.legacy.setup", "gather_subset=['all'] gather_timeout=10 filter=[] fact_path=/etc/ansible/facts.d",
            "x_ans_setup")
    ansible(NIGHTLY + sec(4.2), "ansible.legacy.apt", "update_cache=True cache_valid_time=3600 upgrade=safe autoremove=False "
            "autoclean=False force=False lock_timeout=60 only_upgrade=False allow_unauthenticated=False", "x_ans_apt")
    # postfix reload after the nightly certificate renewal
    pf(RELOAD, "master", pids["master"], "reload -- version 3.7.10, configuration /etc/postfix", "m_reload")
    return L.build()


def facts_mail(records):
    def qids(r):
        m = re.match(r"(4[VWX][A-Za-z0-9]{8}): ", r["message"])
        return m.group(1) if m else None

    change = next(r["timestamp"] for r in records if r["appname"] == "ansible-ansible.legacy.copy")
    revert = [r["timestamp"] for r in records if r["appname"] == "ansible-ansible.legacy.copy"][1]
    by_q = {}
    for n, r in enumerate(records, 1):
        q = qids(r)
        if q:
            by_q.setdefault(q, []).append(r)
    pick = None
    for q, rs in by_q.items():
        msgs = [r["message"] for r in rs]
        if (len(rs) <= 10 and any("postfix/smtpd" == r["appname"] and "client=app" in r["message"] or "client=unknown[10.1.3." in r["message"]
                                  for r in rs)
                and sum("Name service error" in m for m in msgs) >= 3 and any("status=sent" in m for m in msgs)
                and rs[0]["timestamp"] >= "2024-08-20T13:30"):
            pick = q
            break
    sent_after = [r["timestamp"] for r in records if r["timestamp"] > revert and r["appname"] == "postfix/smtp"
                  and "status=sent" in r["message"]]
    deferred_after = [r["timestamp"] for r in records if r["timestamp"] > revert and "status=deferred" in r["message"]]
    return {"change": change, "revert": revert, "qid": pick, "sent_cut": sent_after[2], "deferred_after": deferred_after[0]}


MAIL_PROBLEM = [{"field": {"severity": "warning|err|crit|alert|emerg"}}, {"msg": r"status=(deferred|bounced)"}]


def questions_mail(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in MAIL_PROBLEM]

    return [
        q("broad",
          "outbound mail is stuck, mailq keeps growing and customers say invoices never arrive. what went wrong between 10:34 and "
          "10:46 utc on aug 20?",
          ["Name service error", "status=deferred"],
          problems("2024-08-20T10:34:00Z", "2024-08-20T10:46:00Z")),
        q("follow-up",
          "what changed on mx1 right before that started? someone push something?",
          ["resolv.conf", "ansible-ansible.legacy.copy"],
          {"field": {"appname": "ansible-.*"}, "until": "2024-08-20T12:00:00Z"}),
        q("lexical",
          f"customer says an invoice with queue id {f['qid']} showed up over an hour late. what was holding it and when did it finally go out?",
          ["Name service error", "status=sent"],
          {"msg": "^" + re.escape(f["qid"]) + ": "}),
        q("paraphrase",
          "did the folks who wrote those get an automatic 'still trying, not there yet' note back?",
          ["sender delay notification", "postfix/bounce"],
          {"msg": r": sender delay notification: "}),
        q("follow-up",
          "they put the old resolvers back and flushed the queue. did it drain, or is anything still stuck?",
          ["resolv.conf", "status=sent"],
          [{"field": {"appname": "ansible-ansible\\.legacy\\.copy"}, "since": f["revert"]},
           {"field": {"appname": "postfix/smtp"}, "msg": "status=sent", "since": f["revert"], "until": plus(f["sent_cut"], 0.001)},
           {"msg": "status=deferred", "since": f["deferred_after"], "until": plus(f["deferred_after"], 0.001)}]),
        q("lexical",
          "unrelated: cfischer@example.org hasnt gotten any mail since last night and people get bounces back. since when and what "
          "does the bounce say?",
          ["Quota exceeded", "552 5.2.2"],
          [{"msg": r"to=<cfischer@example\.org>.*status=bounced"}, {"msg": r"^lmtp\(cfischer@example\.org\).*Quota exceeded"}]),
    ]

# =============================================================================================
# 3. airflow: Apache Airflow 2.8.1 with the CeleryExecutor (Redis broker, Postgres metadata DB
#    `airflow-db.data.svc` with max_connections 150 that is also the Celery result backend): a
#    scheduler (with its DAG processor) airflow-scheduler-0, Celery workers airflow-worker-0/1
#    (concurrency 16), webserver airflow-webserver-0, triggerer airflow-triggerer-0. At 11:34 on
#    September 3 the workers are scaled to four (airflow-worker-2/3) and worker concurrency is raised
#    to 32. Every prefork child keeps its own result-backend connection, so the pool of idle
#    connections roughly doubles. At 13:00 the daily `customer_scores` run maps 12 `score_region`
#    tasks; at 13:01:38 Postgres refuses new connections (`FATAL:  sorry, too many clients
#    already`): running tasks cannot heartbeat (4 become zombies), new tasks fail before they start
#    or inside Variable.get, the scheduler loop crashes once and restarts, the UI returns 500,
#    retries fail too and customer_scores fails. At 13:37 the change is rolled back (two workers,
#    concurrency 16); at 13:44 the failed score_region tasks are cleared from the UI and succeed.
#    Unrelated: the partner never uploads its file: `partner_feed_import.wait_for_partner_file`
#    (S3KeySensor, reschedule mode, hourly pokes, timeout 6 h) times out at 06:00 on September 4.
#    Noise: hourly etl_orders (3 tasks) and refresh_dashboards, a flaky Tableau refresh that fails
#    once and succeeds on retry, DAG file processing, a DAG that cannot be imported since a provider
#    was removed (`No module named 'airflow.providers.sftp'`), orphaned-task checks, triggerer
#    heartbeats, the webserver's health checks and UI requests.

A_VER = "2.8.1"
A_DB = 'connection to server at "airflow-db.data.svc" (10.2.0.15), port 5432 failed: FATAL:  sorry, too many clients already'
A_PY = "/home/airflow/.local/lib/python3.11/site-packages"
A_CELERY_TASK = "airflow.providers.celery.executors.celery_executor_utils.execute_command"
A_SCHED, A_WEB, A_TRIG = "airflow-scheduler-0", "airflow-webserver-0", "airflow-triggerer-0"


def gen_airflow():
    rng = random.Random(20240903)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 9, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(3, 4, 52, 31.0), at(4, 7, 9)
    SCALE = at(3, 11, 34, 12.2)
    FULL = (at(3, 13, 1, 38.41), at(3, 13, 37, 55.0))
    ROLLBACK = at(3, 13, 37, 52.3)
    CLEAR = at(3, 13, 44, 10.7)
    SCHED_CRASH = at(3, 13, 2, 31.62)
    agents = {}

    def agent(h):
        if h not in agents:
            agents[h] = {"hostname": h, "name": h, "type": "filebeat", "version": "8.12.2", "id": uuid4(rng), "ephemeral_id": uuid4(rng)}
        return agents[h]

    def rec(dt, h, path, comp, text, tpl, extra=None):
        r = {"@timestamp": iso_ms(dt), "log": {"offset": 0, "file": {"path": path}}, "message": text, "input": {"type": "filestream"},
             "fields": {"component": comp}, "agent": agent(h), "ecs": {"version": "8.0.0"}}
        if extra:
            r.update(extra)
        r["timestamp"] = iso_ms(dt)
        L.add(dt, tpl, r)

    def afts(dt):
        return f"[{dt.strftime('%Y-%m-%dT%H:%M:%S')}.{dt.microsecond // 1000:03d}+0000]"

    def sched(dt, src, lvl, msg, tpl):
        rec(dt, A_SCHED, "/var/log/airflow/scheduler.log", "scheduler", f"{afts(dt)} {{{src}}} {lvl} - {msg}", tpl)

    def dagproc(dt, path, src, lvl, msg, tpl):
        rec(dt, A_SCHED, path, "dag-processor", f"{afts(dt)} {{{src}}} {lvl} - {msg}", tpl)

    def web(dt, src, lvl, msg, tpl):
        rec(dt, A_WEB, "/var/log/airflow/webserver.log", "webserver", f"{afts(dt)} {{{src}}} {lvl} - {msg}", tpl)

    def access(dt, ip, verb, path, status, size, ua, tpl):
        rec(dt, A_WEB, "/var/log/airflow/webserver-access.log", "webserver",
            f'{ip} - - [{dt.strftime("%d/%b/%Y:%H:%M:%S")} +0000] "{verb} {path} HTTP/1.1" {status} {size} "-" "{ua}"', tpl)

    def trig(dt, src, lvl, msg, tpl):
        rec(dt, A_TRIG, "/var/log/airflow/triggerer.log", "triggerer", f"{afts(dt)} {{{src}}} {lvl} - {msg}", tpl)

    def cel(dt, w, lvl, proc, msg, tpl):
        rec(dt, w, "/var/log/airflow/worker.log", "worker",
            f"[{dt.strftime('%Y-%m-%d %H:%M:%S')},{dt.microsecond // 1000:03d}: {lvl}/{proc}] {msg}", tpl)

    def tlog(dt, ti, src, lvl, msg, tpl):
        mi = f"map_index={ti['map']}/" if ti["map"] >= 0 else ""
        path = f"/opt/airflow/logs/dag_id={ti['dag']}/run_id={ti['run']}/task_id={ti['task']}/{mi}attempt={ti['try']}.log"
        extra = {"dag_id": ti["dag"], "task_id": ti["task"], "run_id": ti["run"], "try_number": ti["try"]}
        if ti["map"] >= 0:
            extra["map_index"] = ti["map"]
        rec(dt, ti["worker"], path, "task", f"[{dt.strftime('%Y-%m-%d, %H:%M:%S')} UTC] {{{src}}} {lvl} - {msg}", tpl, extra)

    def db_full(t):
        return inside(t, [FULL])

    def workers_at(t):
        if SCALE <= t < ROLLBACK:
            return ["airflow-worker-0", "airflow-worker-1", "airflow-worker-2", "airflow-worker-3"]
        return ["airflow-worker-0", "airflow-worker-1"]

    def db_tb(top):
        return ("Traceback (most recent call last):\n"
                + top +
                f'  File "{A_PY}/sqlalchemy/engine/base.py", line 3280, in _wrap_pool_connect\n'
                "    return fn()\n"
                f'  File "{A_PY}/sqlalchemy/pool/base.py", line 310, in connect\n'
                "    return _ConnectionFairy._checkout(self)\n"
                f'  File "{A_PY}/psycopg2/__init__.py", line 122, in connect\n'
                "    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)\n"
                f"psycopg2.OperationalError: {A_DB}\n\n\n"
                "The above exception was the direct cause of the following exception:\n\n"
                f"sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) {A_DB}\n\n"
                "(Background on this error at: https://sqlalche.me/e/14/e3q8)")

    job_id = [91_200]
    pid_box = [30_000]

    def next_job():
        job_id[0] += rng.randint(1, 4)
        return job_id[0]

    def next_pid():
        pid_box[0] += rng.randint(5, 400)
        return pid_box[0]

    def key(ti):
        return (f"TaskInstanceKey(dag_id='{ti['dag']}', task_id='{ti['task']}', run_id='{ti['run']}', try_number={ti['try']}, "
                f"map_index={ti['map']})")

    def ti_repr(ti, state):
        mi = f" map_index={ti['map']}" if ti["map"] >= 0 else ""
        return f"<TaskInstance: {ti['dag']}.{ti['task']} {ti['run']}{mi} [{state}]>"

    def dstamp(dt):
        return dt.strftime("%Y%m%dT%H%M%S")

    def finished(dt, ti, start, end, state, op):
        sched(dt, "scheduler_job_runner.py:733", "INFO",
              f"TaskInstance Finished: dag_id={ti['dag']}, task_id={ti['task']}, run_id={ti['run']}, map_index={ti['map']}, "
              f"run_start_date={start.strftime('%Y-%m-%d %H:%M:%S.%f')}+00:00, run_end_date={end.strftime('%Y-%m-%d %H:%M:%S.%f')}+00:00, "
              f"run_duration={(end - start).total_seconds():.6f}, state={state}, executor_state={'success' if state in ('success', 'up_for_reschedule') else 'failed'}, "
              f"try_number={ti['try']}, max_tries={ti['max'] - 1}, job_id={ti['job']}, pool=default_pool, queue=default, "
              f"priority_weight={ti.get('prio', 1)}, operator={op}, queued_dttm={ti['queued'].strftime('%Y-%m-%d %H:%M:%S.%f')}+00:00, "
              f"queued_by_job_id=91002, pid={ti['pid']}", "s_ti_finished")

    def run_ti(t, dag, task, run, logical, op, dur, try_no=1, max_tries=3, m_idx=-1, fate=None, prio=1):
        """One task instance try. Returns (end time, ok)."""
        w = rng.choice(workers_at(t))
        ti = {"dag": dag, "task": task, "run": run, "map": m_idx, "try": try_no, "max": max_tries, "worker": w, "queued": t,
              "job": next_job(), "pid": next_pid(), "prio": prio}
        sched(t, "scheduler_job_runner.py:696", "INFO",
              f"Sending {key(ti)} to CeleryExecutor with priority {prio} and queue default", "s_sending")
        cid = uuid4(rng)
        tr = t + sec(rng.uniform(0.02, 0.3))
        cel(tr, w, "INFO", "MainProcess", f"Task {A_CELERY_TASK}[{cid}] received", "w_received")
        fp = f"ForkPoolWorker-{rng.randint(1, 32 if SCALE <= t < ROLLBACK else 16)}"
        sub = f"DAGS_FOLDER/{dag}.py"
        mapped = ["--map-index", str(m_idx)] if m_idx >= 0 else []
        cmd = ["airflow", "tasks", "run", dag, task, run] + mapped + ["--local", "--subdir", sub]
        cel(tr + sec(0.01), w, "INFO", fp, f"[{cid}] Executing command in Celery: {cmd!r}", "w_executing")
        s = tr + sec(rng.uniform(2.5, 5.5))
        if fate is None:
            fate = "ok"
            if db_full(s):
                fate = "nostart" if rng.random() < 0.5 else "taskfail"
        raised = (f"Task {A_CELERY_TASK}[{cid}] raised unexpected: AirflowException('Celery command failed on host: {w} with "
                  f"celery_task_id {cid}')\nTraceback (most recent call last):\n"
                  f'  File "{A_PY}/celery/app/trace.py", line 477, in trace_task\n'
                  "    R = retval = fun(*args, **kwargs)\n"
                  f'  File "{A_PY}/airflow/providers/celery/executors/celery_executor_utils.py", line 136, in execute_command\n'
                  "    _execute_in_fork(command_to_exec, celery_task_id)\n"
                  f'  File "{A_PY}/airflow/providers/celery/executors/celery_executor_utils.py", line 151, in _execute_in_fork\n'
                  "    raise AirflowException(msg)\n"
                  f"airflow.exceptions.AirflowException: Celery command failed on host: {w} with celery_task_id {cid}")
        if fate == "nostart":
            e = s + sec(rng.uniform(0.05, 0.3))
            cel(e, w, "ERROR", fp, f"[{cid}] Failed to execute task.\n" + db_tb(
                f'  File "{A_PY}/airflow/providers/celery/executors/celery_executor_utils.py", line 171, in _execute_in_fork\n'
                "    args.func(args)\n"
                f'  File "{A_PY}/airflow/cli/commands/task_command.py", line 419, in task_run\n'
                "    ti, _ = _get_ti(task, args.map_index, exec_date_or_run_id=args.execution_date_or_run_id, pool=args.pool)\n"),
                "w_failed_exec")
            cel(e + sec(0.02), w, "ERROR", fp, raised, "w_raised")
            e2 = e + sec(rng.uniform(1.0, 4.0))
            sched(e2, "scheduler_job_runner.py:766", "ERROR",
                  f"Executor reports task instance {ti_repr(ti, 'queued')} finished (failed) although the task says it's queued. "
                  "(Info: None) Was the task killed externally?", "s_killed_ext")
            return e2, False, ti
        deps = f"Dependencies all met for dep_context=non-requeueable deps ti={ti_repr(ti, 'queued')}"
        tlog(s, ti, "taskinstance.py:1979", "INFO", deps, "t_deps")
        tlog(s + sec(0.01), ti, "taskinstance.py:2193", "INFO", f"Starting attempt {try_no} of {max_tries}", "t_attempt")
        tlog(s + sec(0.02), ti, "taskinstance.py:2214", "INFO", f"Executing <Task({op}): {task}> on {logical}", "t_executing")
        if fate == "sensor":
            return s, True, ti
        e = s + sec(dur)
        start_s = dstamp(s)
        mi = f"map_index={m_idx}, " if m_idx >= 0 else ""
        if fate == "ok":
            tlog(e, ti, "taskinstance.py:1138", "INFO", f"Marking task as SUCCESS. dag_id={dag}, task_id={task}, {mi}"
                 f"execution_date={logical_stamp(logical)}, start_date={start_s}, end_date={dstamp(e)}", "t_success")
            tlog(e + sec(0.4), ti, "local_task_job_runner.py:234", "INFO", "Task exited with return code 0", "t_exit0")
            cel(e + sec(0.5), w, "INFO", fp, f"Task {A_CELERY_TASK}[{cid}] succeeded in {(e - tr).total_seconds() + 0.5:.6f}s: None",
                "w_succeeded")
            finished(e + sec(rng.uniform(0.8, 2.5)), ti, s, e, "success", op)
            return e, True, ti
        if fate in ("taskfail", "zombie_fail", "http"):
            if fate == "http":
                exc = ("Traceback (most recent call last):\n"
                       f'  File "{A_PY}/airflow/providers/http/operators/http.py", line 183, in execute\n'
                       "    response = self.hook.run(self.endpoint, self.data, self.headers, self.extra_options)\n"
                       f'  File "{A_PY}/airflow/providers/http/hooks/http.py", line 208, in check_response\n'
                       "    raise AirflowException(str(response.status_code) + \":\" + response.reason)\n"
                       "airflow.exceptions.AirflowException: 502:Bad Gateway")
                short = "502:Bad Gateway"
            else:
                exc = db_tb(f'  File "/opt/airflow/dags/{dag}.py", line 41, in score\n'
                            "    model_uri = Variable.get(\"scoring_model_uri\")\n"
                            f'  File "{A_PY}/airflow/models/variable.py", line 143, in get\n'
                            "    var_val = Variable.get_variable_from_secrets(key=key)\n")
                short = f"(psycopg2.OperationalError) {A_DB}\n\n(Background on this error at: https://sqlalche.me/e/14/e3q8)"
            tlog(e, ti, "taskinstance.py:2731", "ERROR", "Task failed with exception\n" + exc, "t_failed_exc")
            st = "UP_FOR_RETRY" if try_no < max_tries else "FAILED"
            tlog(e + sec(0.05), ti, "taskinstance.py:1206", "INFO", f"Marking task as {st}. dag_id={dag}, task_id={task}, {mi}"
                 f"execution_date={logical_stamp(logical)}, start_date={start_s}, end_date={dstamp(e)}", "t_mark_" + st.lower())
            tlog(e + sec(0.06), ti, "standard_task_runner.py:107", "ERROR",
                 f"Failed to execute job {ti['job']} for task {task} ({short}; {ti['pid']})", "t_failed_job")
            tlog(e + sec(0.5), ti, "local_task_job_runner.py:234", "INFO", "Task exited with return code 1", "t_exit1")
            cel(e + sec(0.6), w, "ERROR", fp, raised, "w_raised")
            finished(e + sec(rng.uniform(0.8, 2.5)), ti, s, e, st.lower(), op)
            return e, False, ti
        raise ValueError(fate)

    def logical_stamp(logical):
        return logical.replace("-", "").replace(":", "").replace(" ", "T").replace("+0000", "")[:15]

    def lstr(dt):
        return dt.strftime("%Y-%m-%d %H:%M:%S+00:00")

    def runid(dt):
        return "scheduled__" + dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")

    def dagrun_done(dt, dag, logical, start, state):
        run = runid(logical)
        lvl = "INFO" if state == "success" else "ERROR"
        word = "successful" if state == "success" else "failed"
        sched(dt, "dagrun.py:854" if state == "success" else "dagrun.py:823", lvl,
              f"Marking run <DagRun {dag} @ {lstr(logical)}: {run}, state:running, queued_at: {lstr(start)}. externally triggered: "
              f"False> {word}", "s_dagrun_mark")
        sched(dt + sec(0.002), "dagrun.py:905", "INFO",
              f"DagRun Finished: dag_id={dag}, execution_date={lstr(logical)}, run_id={run}, run_start_date={start.strftime('%Y-%m-%d %H:%M:%S.%f')}+00:00, "
              f"run_end_date={dt.strftime('%Y-%m-%d %H:%M:%S.%f')}+00:00, run_duration={(dt - start).total_seconds():.6f}, state={state}, "
              f"external_trigger=False, run_type=scheduled, data_interval_start={lstr(logical)}, "
              f"data_interval_end={lstr(logical + sec(3600 if dag != 'customer_scores' else 86400))}, dag_hash={hexs(rng, 32)}",
              "s_dagrun_finished")

    # ---------------------------------------------------------------- hourly DAGs
    flaky = {at(3, 10, 0), at(3, 18, 0), at(4, 2, 0)}
    h = datetime(2024, 9, 3, 5, 0, tzinfo=UTC)
    while h < T1 - sec(600):
        # refresh_dashboards every two hours
        t = h + sec(rng.uniform(1.0, 4.0))
        logical = h - sec(7200)
        run = runid(logical)
        if t > T0 and h.hour % 2 == 0:
            ok_all = True
            for tr in range(1, 4):
                fate = "http" if (h in flaky and tr == 1) else None
                end, ok, _ = run_ti(t, "refresh_dashboards", "refresh_tableau_extracts", run, lstr(logical), "HttpOperator",
                                    rng.uniform(8, 25), try_no=tr, max_tries=3, fate=fate)
                if ok:
                    break
                t = end + sec(300 + rng.uniform(1, 5))
                ok_all = tr < 3
            dagrun_done(end + sec(rng.uniform(2, 5)), "refresh_dashboards", logical, h, "success" if ok else "failed")
        # etl_orders at :05
        t = h + sec(300 + rng.uniform(1.0, 4.0))
        logical = h + sec(300) - sec(3600)
        run = runid(logical)
        start = t
        if t < T1 - sec(300):
            ok = True
            for task, dur, prio in (("extract_orders", (25, 60), 3), ("transform_orders", (15, 40), 2), ("load_orders", (30, 80), 1)):
                for tr in range(1, 4):
                    end, ok, _ = run_ti(t, "etl_orders", task, run, lstr(logical), "PythonOperator", rng.uniform(*dur), try_no=tr,
                                        max_tries=3, prio=prio)
                    if ok:
                        break
                    t = end + sec(300 + rng.uniform(1, 5))
                if not ok:
                    break
                t = end + sec(rng.uniform(1.5, 4.0))
            dagrun_done(end + sec(rng.uniform(2, 5)), "etl_orders", logical, start, "success" if ok else "failed")
        h += sec(3600)

    # ---------------------------------------------------------------- customer_scores (13:00) and the outage
    cs_logical = at(2, 13, 0)
    cs_run = runid(cs_logical)
    cs_start = at(3, 13, 0, 1.9)
    sched(cs_start, "scheduler_job_runner.py:417", "INFO",
          "12 tasks up for execution:\n\t" + "\n\t".join(f"<TaskInstance: customer_scores.score_region {cs_run} map_index={i} [scheduled]>"
                                                        for i in range(12)), "s_up_for_exec")
    zombies = [2, 5, 8, 10]
    cs_ok_at = []
    retry_at = {}
    for i in range(12):
        t = cs_start + sec(0.4 + 0.05 * i)
        dur = rng.uniform(330, 540)
        if i in zombies:
            w = rng.choice(workers_at(t))
            end, _, ti = run_ti(t, "customer_scores", "score_region", cs_run, lstr(cs_logical), "PythonOperator", dur, try_no=1,
                                max_tries=3, m_idx=i, fate="sensor", prio=2)
            hb = FULL[0] + sec(rng.uniform(2, 20))
            tlog(hb, ti, "job.py:213", "ERROR", "LocalTaskJob heartbeat got an exception\n" + db_tb(
                f'  File "{A_PY}/airflow/jobs/job.py", line 192, in heartbeat\n'
                "    self.latest_heartbeat = timezone.utcnow()\n"), "t_heartbeat_err")
            dz = FULL[0] + sec(300 + rng.uniform(20, 70))
            sched(dz, "scheduler_job_runner.py:1745", "ERROR",
                  "Detected zombie job: {'full_filepath': '/opt/airflow/dags/customer_scores.py', 'processor_subdir': "
                  "'/opt/airflow/dags', 'msg': \"{'DAG Id': 'customer_scores', 'Task Id': 'score_region', 'Run Id': '" + cs_run +
                  f"', 'Map Index': {i}, 'Hostname': '{ti['worker']}', 'External Executor Id': '{uuid4(rng)}'}}\", "
                  f"'simple_task_instance': <airflow.models.taskinstance.SimpleTaskInstance object at 0x7f{hexs(rng, 10)}>, "
                  "'is_failure_callback': True, 'callback_type': None}", "s_zombie")
            retry_at[i] = (dz + sec(300 + rng.uniform(2, 30)), 2)
        else:
            end, ok, ti = run_ti(t, "customer_scores", "score_region", cs_run, lstr(cs_logical), "PythonOperator", dur, try_no=1,
                                 max_tries=3, m_idx=i, fate="taskfail", prio=2)
            retry_at[i] = (end + sec(300 + rng.uniform(2, 30)), 2)
    cs_end = cs_start
    for i in range(12):
        t, tr = retry_at[i]
        while tr <= 3:
            end, ok, _ = run_ti(t, "customer_scores", "score_region", cs_run, lstr(cs_logical), "PythonOperator", rng.uniform(330, 540),
                                try_no=tr, max_tries=3, m_idx=i, prio=2)
            assert not ok
            cs_end = max(cs_end, end)
            tr += 1
            t = end + sec(300 + rng.uniform(2, 30))
    dagrun_done(cs_end + sec(4.4), "customer_scores", cs_logical, cs_start, "failed")
    # the clear at 13:44 and the reruns (try 4)
    access(CLEAR, "10.3.0.7", "POST", "/api/v1/dags/customer_scores/clearTaskInstances", 200, 5813,
           "Mozilla/5.0 (X11; Linux x86_64; rv:129.0) Gecko/20100101 Firefox/129.0", "x_access")
    web(CLEAR + sec(0.01), "task_instance_endpoint.py:438", "INFO",
        "Clearing 12 task instances of dag customer_scores (only_failed=True, reset_dag_runs=True)", "x_web_clear")
    for i in range(12):
        t = CLEAR + sec(4.0 + 0.6 * i + rng.uniform(0, 3))
        run_ti(t, "customer_scores", "score_region", cs_run, lstr(cs_logical), "PythonOperator", rng.uniform(300, 460), try_no=4,
               max_tries=6, m_idx=i, fate="ok", prio=2)
    end, _, _ = run_ti(CLEAR + sec(520), "customer_scores", "publish_scores", cs_run, lstr(cs_logical), "PythonOperator", 21.3,
                       fate="ok")
    dagrun_done(end + sec(2.2), "customer_scores", cs_logical, cs_start, "success")

    # scheduler crash and restart
    sched(SCHED_CRASH, "scheduler_job_runner.py:849", "ERROR", "Exception when executing SchedulerJob._run_scheduler_loop\n" + db_tb(
        f'  File "{A_PY}/airflow/jobs/scheduler_job_runner.py", line 832, in _execute\n'
        "    self._run_scheduler_loop()\n"
        f'  File "{A_PY}/airflow/jobs/scheduler_job_runner.py", line 964, in _run_scheduler_loop\n'
        "    perform_heartbeat(\n"), "s_loop_exc")
    sched(SCHED_CRASH + sec(0.2), "scheduler_job_runner.py:861", "INFO", "Exited execute loop", "s_exited")
    st = SCHED_CRASH + sec(17.4)
    for k, (src, msg, tpl) in enumerate([
            ("executor_loader.py:115", "Loaded executor: CeleryExecutor", "s_loaded_exec"),
            ("scheduler_job_runner.py:803", "Starting the scheduler", "s_starting"),
            ("scheduler_job_runner.py:810", "Processing each file at most -1 times", "s_each_file"),
            ("manager.py:170", "Launched DagFileProcessorManager with pid: " + str(rng.randint(40, 90)), "s_launched_mgr"),
            ("settings.py:60", "Configured default timezone UTC", "s_tz")]):
        sched(st + sec(0.3 * k), src, "INFO", msg, tpl)

    # webserver errors during the outage
    for t in (at(3, 13, 2, 48.9), at(3, 13, 9, 12.2), at(3, 13, 21, 3.5)):
        page = rng.choice(["/dags/customer_scores/grid", "/home", "/dags/etl_orders/grid"])
        web(t, "app.py:1744", "ERROR", f"Exception on {page} [GET]\n" + db_tb(
            f'  File "{A_PY}/flask/app.py", line 2529, in wsgi_app\n'
            "    response = self.full_dispatch_request()\n"
            f'  File "{A_PY}/airflow/www/auth.py", line 139, in decorated\n'
            "    return _has_access(\n"), "x_web_exc")
        access(t + sec(0.01), "10.3.0.7", "GET", page, 500, 1538,
               "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
               "x_access_500")

    # ---------------------------------------------------------------- worker scale-up (11:34) and rollback (13:37)
    def banner(t, w, conc):
        rec(t, w, "/var/log/airflow/worker.log", "worker",
            f" \n -------------- celery@{w} v5.3.6 (emerald-rush)\n--- ***** ----- \n-- ******* ---- "
            f"Linux-5.15.0-1066-aws-x86_64-with-glibc2.36 {t.strftime('%Y-%m-%d %H:%M:%S')}\n- *** --- * --- \n"
            "- ** ---------- [config]\n"
            "- ** ---------- .> app:         airflow.providers.celery.executors.celery_executor:0x7f" + hexs(rng, 10) + "\n"
            "- ** ---------- .> transport:   redis://airflow-redis:6379/0\n"
            "- ** ---------- .> results:     postgresql://airflow:**@airflow-db.data.svc:5432/airflow\n"
            f"- *** --- * --- .> concurrency: {conc} (prefork)\n"
            "-- ******* ---- .> task events: OFF (enable -E to monitor tasks in this worker)\n--- ***** ----- \n"
            " -------------- [queues]\n                .> default          exchange=default(direct) key=default\n",
            "w_banner")

    def start_worker(t, w, conc):
        banner(t, w, conc)
        cel(t + sec(1.2), w, "INFO", "MainProcess", "Connected to redis://airflow-redis:6379/0", "w_connected")
        cel(t + sec(1.3), w, "INFO", "MainProcess", "mingle: searching for neighbors", "w_mingle")
        cel(t + sec(2.3), w, "INFO", "MainProcess", "mingle: all alone" if conc == 16 and w == "airflow-worker-0" else
            f"mingle: sync with {rng.randint(1, 3)} nodes", "w_mingle_sync")
        cel(t + sec(2.4), w, "INFO", "MainProcess", f"celery@{w} ready.", "w_ready")

    def stop_worker(t, w):
        cel(t, w, "INFO", "MainProcess", "worker: Warm shutdown (MainProcess)", "w_warm")

    for k, w in enumerate(["airflow-worker-2", "airflow-worker-3"]):
        start_worker(SCALE + sec(14.2 + 3.1 * k), w, 32)
    for k, w in enumerate(["airflow-worker-0", "airflow-worker-1"]):
        stop_worker(SCALE + sec(60 + 70 * k), w)
        start_worker(SCALE + sec(60 + 70 * k + 19.5), w, 32)
    for k, w in enumerate(["airflow-worker-3", "airflow-worker-2"]):
        stop_worker(ROLLBACK + sec(2.1 + 1.7 * k), w)
    for k, w in enumerate(["airflow-worker-0", "airflow-worker-1"]):
        stop_worker(ROLLBACK + sec(35 + 64 * k), w)
        start_worker(ROLLBACK + sec(35 + 64 * k + 18.8), w, 16)
    # the workers' own start at T0 is before the window; one restart at night (node patching)
    stop_worker(at(4, 2, 31, 8.0), "airflow-worker-1")
    start_worker(at(4, 2, 31, 41.3), "airflow-worker-1", 16)

    # ---------------------------------------------------------------- partner_feed_import (00:00) - sensor times out at 06:00
    pf_logical = at(3, 0, 0)
    pf_run = runid(pf_logical)
    t = at(4, 0, 0, 3.1)
    first = t
    key_path = "s3://partner-drop/acme/2024-09-03/orders.csv"
    for k in range(7):
        end, _, ti = run_ti(t, "partner_feed_import", "wait_for_partner_file", pf_run, lstr(pf_logical), "S3KeySensor", 0, try_no=1,
                            max_tries=1, fate="sensor")
        tp = end + sec(0.9)
        tlog(tp, ti, "s3.py:117", "INFO", f"Poking for key : {key_path}", "t_poke")
        if k < 6:
            tlog(tp + sec(0.3), ti, "taskinstance.py:2337", "INFO", "Rescheduling task, marking task as UP_FOR_RESCHEDULE", "t_resched")
            tlog(tp + sec(0.6), ti, "local_task_job_runner.py:234", "INFO", "Task exited with return code 0", "t_exit0")
            finished(tp + sec(1.5), ti, end, tp + sec(0.3), "up_for_reschedule", "S3KeySensor")
            t = t + sec(3600 + rng.uniform(0.5, 3))
        else:
            dur = (tp - first).total_seconds() + 0.3
            e = tp + sec(0.3)
            tlog(e, ti, "taskinstance.py:2731", "ERROR", "Task failed with exception\nTraceback (most recent call last):\n"
                 f'  File "{A_PY}/airflow/sensors/base.py", line 274, in execute\n'
                 "    raise AirflowSensorTimeout(message)\n"
                 f"airflow.exceptions.AirflowSensorTimeout: Sensor has timed out; run duration of {dur:.6f} seconds exceeds the "
                 "specified timeout of 21600.0.", "t_failed_exc")
            tlog(e + sec(0.05), ti, "taskinstance.py:1206", "INFO", "Immediate failure requested. Marking task as FAILED. "
                 f"dag_id=partner_feed_import, task_id=wait_for_partner_file, execution_date={dstamp(pf_logical)}, "
                 f"start_date={dstamp(first)}, end_date={dstamp(e)}", "t_mark_failed")
            tlog(e + sec(0.06), ti, "standard_task_runner.py:107", "ERROR", f"Failed to execute job {ti['job']} for task "
                 f"wait_for_partner_file (Sensor has timed out; run duration of {dur:.6f} seconds exceeds the specified timeout of "
                 f"21600.0.; {ti['pid']})", "t_failed_job")
            tlog(e + sec(0.5), ti, "local_task_job_runner.py:234", "INFO", "Task exited with return code 1", "t_exit1")
            finished(e + sec(1.4), ti, first, e, "failed", "S3KeySensor")
            sched(e + sec(1.9), "taskinstance.py:1401", "INFO", "Dependencies not met for <TaskInstance: partner_feed_import.import_feed "
                  f"{pf_run} [scheduled]>, dependency 'Trigger Rule' FAILED: Task's trigger rule 'all_success' requires all upstream "
                  "tasks to have succeeded, but found 1 non-success(es). upstream_states=_UpstreamTIStates(success=0, skipped=0, "
                  "failed=1, upstream_failed=0, removed=0, done=1, success_setup=0, skipped_setup=0), "
                  "upstream_task_ids={'wait_for_partner_file'}", "s_deps_not_met")
            dagrun_done(e + sec(3.2), "partner_feed_import", pf_logical, first, "failed")

    # ---------------------------------------------------------------- noise
    t = T0 + sec(77.3)
    while t < T1:
        sched(t, "scheduler_job_runner.py:1609", "INFO", "Adopting or resetting orphaned tasks for active dag runs", "s_adopting")
        t += sec(900 + rng.uniform(0, 1.5))
    files = ["etl_orders.py", "refresh_dashboards.py", "customer_scores.py", "partner_feed_import.py", "legacy_sftp_sync.py"]
    t = T0 + sec(190.4)
    while t < T1:
        for k, fn in enumerate(files):
            tt = t + sec(k * rng.uniform(1.0, 3.0))
            path = f"/opt/airflow/logs/scheduler/{tt.strftime('%Y-%m-%d')}/{fn}.log"
            dagproc(tt, path, "processor.py:161", "INFO", f"Started process (PID={rng.randint(1000, 99999)}) to work on /opt/airflow/dags/{fn}",
                    "p_started")
            if fn == "legacy_sftp_sync.py":
                dagproc(tt + sec(0.6), path, "processor.py:186", "ERROR", "Failed to import: /opt/airflow/dags/legacy_sftp_sync.py\n"
                        "Traceback (most recent call last):\n"
                        f'  File "{A_PY}/airflow/models/dagbag.py", line 343, in parse\n'
                        "    loader.exec_module(new_module)\n"
                        '  File "<frozen importlib._bootstrap_external>", line 940, in exec_module\n'
                        '  File "<frozen importlib._bootstrap>", line 241, in _call_with_frames_removed\n'
                        '  File "/opt/airflow/dags/legacy_sftp_sync.py", line 7, in <module>\n'
                        "    from airflow.providers.sftp.operators.sftp import SFTPOperator\n"
                        "ModuleNotFoundError: No module named 'airflow.providers.sftp'", "p_import_err")
            else:
                dag = fn[:-3]
                dagproc(tt + sec(0.5), path, "processor.py:840", "INFO", f"DAG(s) '{dag}' retrieved from /opt/airflow/dags/{fn}",
                        "p_retrieved")
            dagproc(tt + sec(0.9), path, "processor.py:183", "INFO",
                    f"Processing /opt/airflow/dags/{fn} took {rng.uniform(0.3, 1.9):.3f} seconds", "p_took")
        t += sec(7200 + rng.uniform(-3, 3))
    t = T0 + sec(44.1)
    while t < T1:
        n = 1 if at(3, 8, 0) <= t < at(3, 8, 40) else 0
        trig(t, "triggerer_job_runner.py:510", "INFO", f"{n} triggers currently running", "r_running")
        t += sec(1800 + rng.uniform(0, 1))
    t = T0 + sec(13.2)
    while t < T1:
        access(t + sec(rng.uniform(0, 1)), "10.3.4.1", "GET", "/health", 200, 318, "kube-probe/1.29", "x_access")
        t += sec(1200)
    for t in poisson(rng, T0, T1, 4.5, day_shape):
        page = rng.choice(["/home", "/dags/etl_orders/grid", "/dags/customer_scores/grid", "/dags/refresh_dashboards/grid",
                           "/object/grid_data?dag_id=etl_orders&num_runs=25", "/api/v1/dags?limit=100&only_active=true"])
        if db_full(t):
            continue
        access(t, "10.3.0.7", "GET", page, 200, rng.randint(2000, 90000),
               "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
               "x_access")
    recs, tpls = L.build()
    off = {}
    for r in recs:
        p = (r["agent"]["hostname"], r["log"]["file"]["path"])
        r["log"]["offset"] = off.get(p, rng.randint(0, 9000) * 137)
        off[p] = r["log"]["offset"] + len(r["message"].encode("utf-8")) + 1
    return recs, tpls


def facts_airflow(records):
    def comp(r):
        return r["fields"]["component"]

    first = {}
    for r in records:
        if "too many clients already" in r["message"]:
            first.setdefault(comp(r), r["timestamp"])
    last = [r["timestamp"] for r in records if "too many clients already" in r["message"]][-1]
    clear = next(r["timestamp"] for r in records if "clearTaskInstances" in r["message"])
    ok = [r["timestamp"] for r in records if r["timestamp"] > clear and "TaskInstance Finished: dag_id=customer_scores" in r["message"]
          and "state=success" in r["message"]]
    return {"first_per_comp": dict(sorted(first.items())), "last_db": last, "clear": clear, "ok_cut": ok[2]}


AIRFLOW_PROBLEM = [{"msg": r"^\[[^\]]+\] \{[^}]+\} (WARNING|ERROR|CRITICAL) - "}, {"msg": r"^\[[^\]]+: (WARNING|ERROR|CRITICAL)/"},
                   {"msg": r'^\S+ - - \[[^\]]+\] "[^"]*" 5\d\d '}]


def questions_airflow(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in AIRFLOW_PROBLEM]

    return [
        q("broad",
          "airflow ui throwing 500s and the customer_scores run just went red. what broke between 13:01 and 13:04 utc on sep 3?",
          ["too many clients already", "LocalTaskJob heartbeat"],
          problems("2024-09-03T13:01:00Z", "2024-09-03T13:04:00Z")),
        q("lexical",
          "postgres on 5432 says \"sorry, too many clients already\". is that only the task runs or are the scheduler and webserver "
          "getting it too?",
          ["scheduler", "webserver"],
          [{"field": {"fields.component": re.escape(c)}, "msg": "too many clients already", "since": ts, "until": plus(ts, 0.001)}
           for c, ts in f["first_per_comp"].items()]),
        q("follow-up",
          "what changed before that? did anyone touch the workers today",
          ["concurrency: 32", "airflow-worker-3"],
          {"msg": r"celery@airflow-worker-\d v5\.3\.6[\s\S]*concurrency: 32 \(prefork\)"}),
        q("paraphrase",
          "did the thing in charge lose track of stuff that was halfway done, like those boxes stopped checking in and it gave up on them?",
          ["zombie", "score_region"],
          {"msg": r"ERROR - Detected zombie job"}),
        q("follow-up",
          "they rolled the workers back and cleared the failed ones. is it still happening or did the reruns go through?",
          ["Warm shutdown", "state=success"],
          [{"msg": r"worker: Warm shutdown", "since": "2024-09-03T13:30:00Z", "until": "2024-09-03T14:00:00Z"},
           {"msg": r"TaskInstance Finished: dag_id=customer_scores, .*state=success", "since": f["clear"],
            "until": plus(f["ok_cut"], 0.001)}]),
        q("lexical",
          "unrelated: partner_feed_import loaded nothing overnight, wait_for_partner_file is red. how often was it checking for the "
          "file and why did it give up?",
          ["AirflowSensorTimeout", "s3://partner-drop"],
          {"field": {"task_id": "wait_for_partner_file"}, "msg": r"Poking for key|ERROR - |Marking task as FAILED"}),
    ]


# =============================================================================================
# Question specs, rules and checks


def q(style, ask, mentions, rule):
    assert style in STYLES, style
    return {"style": style, "ask": ask, "mentions": mentions, "rule": rule}


SYSTEMS = [
    {
        "id": "p-k8s",
        "title": "kubernetes control plane (1.29, etcd 3.5): after a Kyverno 1.12 upgrade the reports-controller rewrites policy "
                 "reports nonstop; etcd slows down, reaches its 2 GiB backend quota and raises NOSPACE, every write fails with "
                 "`mvcc: database space exceeded`, controller-manager and scheduler lose their leases until the members are "
                 "defragmented and the alarm is disarmed; overnight cert-manager's webhook fails with an expired certificate",
        "gen": gen_k8s,
        "facts": facts_k8s,
        "questions": questions_k8s,
    },
    {
        "id": "p-mail",
        "title": "mail relay (Postfix 3.7, rspamd, OpenDKIM, Dovecot 2.3): an Ansible change points mx1 at resolvers that refuse it; "
                 "every outbound delivery is deferred with `Name service error ... Host not found, try again` and the queue grows "
                 "until the change is reverted and the queue flushed; overnight a full mailbox bounces mail for cfischer (552 5.2.2)",
        "gen": gen_mail,
        "facts": facts_mail,
        "questions": questions_mail,
    },
    {
        "id": "p-airflow",
        "title": "airflow 2.8 (CeleryExecutor, Postgres metadata DB): a worker scale-up (4 workers, concurrency 32) exhausts Postgres "
                 "connections when customer_scores fans out at 13:00; `sorry, too many clients already` everywhere, zombie tasks, "
                 "failed retries, a scheduler crash and UI 500s until the rollback and a clear; overnight an S3 sensor times out",
        "gen": gen_airflow,
        "facts": facts_airflow,
        "questions": questions_airflow,
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
    for name in ("kubernetes.pod_name", "appname", "agent.hostname"):
        v = get_field(r, name)
        if v is not MISSING:
            if name == "appname":
                return f"{r['syslog_hostname']} {v}"
            if name == "agent.hostname":
                return f"{v} {r['fields']['component']}"
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
        assert re.fullmatch(r"p-[a-z0-9-]+", sid), sid
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

#!/usr/bin/env python3
"""Build the "incidents-n" evaluation set: three synthetic incidents, each a six-turn on-call thread.

Usage: python3 make_incidents_n.py [--out DIR] [--show]

  --out   where to write; default: the folder of this script.
  --show  print every turn's relevant lines and each system's template counts; write nothing.

Writes <out>/n-<system>/logs.jsonl and incident.json for three systems, and <out>/questions.json
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

  n-vault    a HashiCorp Vault 1.15 cluster on Kubernetes (vault-0 active, vault-1, vault-2; raft
             storage), collected by a Fluent Bit DaemonSet (tail of the container logs, CRI parser,
             kubernetes filter with Merge_Log On): `stream`, `kubernetes` {pod_name, namespace_name,
             host, container_name, container_image, ...} and the merged JSON keys. The server log
             (stderr) is hclog JSON: `@level`, `@message`, `@module`, `@timestamp` and the line's
             key/value pairs as top-level keys (`error`, `lease_id`, `peer`, ...). The `file` audit
             device writes to stdout (file_path=stdout): `time`, `type` (request/response), `auth`,
             `request`, `response`, `error`, strings HMAC'd as `hmac-sha256:...`. A Lua filter adds
             `timestamp` (UTC, Z, ms) and `message`: for server lines the text hclog would have
             printed (`[ERROR] expiration: failed to revoke lease: lease_id=... error="..."`), for
             audit lines the audit entry's own JSON text.
  n-celery   a Django + Celery 5.3 billing app with a Redis 7 broker and result backend, every
             file shipped by Vector (file source with host_key=hostname, multiline for
             tracebacks): `file`, `hostname`, `source_type`, `message` (the raw line(s): Celery's
             `[2024-06-11 13:57:02,118: ERROR/MainProcess] ...`, Django's `2024-06-11
             13:57:02,118 ERROR django.request ...`, gunicorn's error and access logs, redis-server's
             `1:M 11 Jun 2024 ...`) and `timestamp` parsed from the line by a remap.
  n-windows  Windows Server 2022 event logs (SQL01 with SQL Server 2019, WEB01/WEB02 with IIS 10,
             BACKUP01 file server) shipped by Winlogbeat 8.13 (the `host` object dropped by a
             drop_fields processor): `@timestamp`, `agent`, `ecs`, `event` {code, kind, provider,
             created, action, outcome}, `log` {level}, `winlog` {api, channel, computer_name,
             event_id, provider_name, record_id, event_data {...}, keywords, process, task} and the
             rendered `message`. `timestamp` is a copy of @timestamp.

Four styles: broad (a time window, "what went wrong"), lexical (an exact id, number, name or quoted
log fragment), paraphrase (plain words about lines whose wording the ask does not share) and
follow-up (the ask only makes sense after the earlier turns: "it", "that", "after that").
Relevant lines are never listed by hand: a rule selects them. A rule is a dict, or a list of dicts
whose selections are united; every condition of a dict must hold:

  msg      regex searched in `message`
  not_msg  regex that must NOT be found in `message`
  field    {name: regex}, fully matched against the field's text (JSON text for numbers, null and
           objects). A name is looked up as a key first and otherwise as a dotted path into nested
           objects ("winlog.event_id", "request.path").
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


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def day_shape(t):
    return 1.0 if 7 <= t.hour < 21 else 0.3


# =============================================================================================
# 1. vault: a HashiCorp Vault 1.15.6 cluster in the `vault` namespace (vault-0 active, vault-1 and
#    vault-2 standbys; integrated raft storage). Apps authenticate with the kubernetes auth method
#    and read dynamic Postgres credentials from the `database/` mount (roles payments-rw,
#    orders-ro). A lease-count quota `database-leases` (set long ago) caps the leases under
#    `database/`. At 13:52 on May 21 payments-api v3.8.0 rolls out (new pods log in from new
#    addresses); its new DB layer asks for fresh credentials for every unit of work instead of once
#    per pod. The leases pile up; at about 14:17 the quota is reached and every `database/creds/*`
#    read fails with `lease count quota exceeded`, for orders-api too. At 14:47 payments-api is
#    rolled back to v3.7.2 and at 14:49 an operator runs `vault lease revoke -prefix
#    database/creds/payments-rw`; a few revocations fail at first because Postgres is out of
#    connection slots, then creds reads succeed again.
#    Unrelated: at 18:12 an operator rewrites the `raft-snapshot` ACL policy; the 02:00 snapshot
#    CronJob then gets `permission denied` on `sys/storage/raft/snapshot` (three attempts).
#    Noise: TLS handshake EOFs from the load balancer's TCP checks, raft snapshots and log
#    compaction, vault-2 restarted by a node drain at 10:31 (raft heartbeat errors on vault-0
#    while it is gone), catalog-api KV reads, routine logins and lease revocations at TTL.

V_PODS = ["vault-0", "vault-1", "vault-2"]
V_NODE = {"vault-0": "ip-10-30-1-41.eu-central-1.compute.internal", "vault-1": "ip-10-30-2-17.eu-central-1.compute.internal",
          "vault-2": "ip-10-30-3-88.eu-central-1.compute.internal"}
V_NODE2 = "ip-10-30-3-102.eu-central-1.compute.internal"
V_IMAGE = "docker.io/hashicorp/vault:1.15.6"
V_LB = ["10.30.1.5", "10.30.2.5", "10.30.3.5"]
V_APPS = {
    "payments-api": {"role": "payments", "ns": "payments", "policies": ["default", "payments"], "creds": "payments-rw",
                     "ips": ["10.42.7.14", "10.42.8.22", "10.42.9.31"]},
    "orders-api": {"role": "orders", "ns": "orders", "policies": ["default", "orders"], "creds": "orders-ro",
                   "ips": ["10.42.7.19", "10.42.8.27", "10.42.9.33"]},
    "catalog-api": {"role": "catalog", "ns": "catalog", "policies": ["default", "catalog"], "creds": None,
                    "ips": ["10.42.8.35", "10.42.9.36"]},
}
V_NEW_IPS = ["10.42.7.40", "10.42.8.41", "10.42.9.42"]     # payments-api v3.8.0
V_BACK_IPS = ["10.42.7.55", "10.42.8.56", "10.42.9.57"]    # payments-api v3.7.2 again
V_OPS_IP = "10.30.200.14"
V_CRON_IP = "10.42.9.88"
V_HPA_IP = "10.42.8.61"                                   # orders-api pod added by the HPA at 14:19
V_QUOTA_AT = 22          # the v3.8.0 lease that fills the quota (computed into facts from the data)
V_MOUNTS = {
    "database/": ("database", "database_3f1c9e2a", "v1.15.6+builtin.vault", "secret"),
    "secret/": ("kv", "kv_81b0d7c4", "v0.16.1+builtin", "secret"),
    "auth/kubernetes/": ("kubernetes", "auth_kubernetes_6d1e0f3b", "v0.17.1+builtin", "auth"),
    "auth/approle/": ("approle", "auth_approle_0c7a9e51", "v1.15.6+builtin.vault", "auth"),
    "auth/userpass/": ("userpass", "auth_userpass_a4e2c913", "v1.15.6+builtin.vault", "auth"),
    "sys/": ("system", "system_52d7ab10", "v1.15.6+builtin.vault", ""),
}


def hclog_text(level, module, msg, kv):
    out = "[" + level.upper() + "]" + " " * (6 - len(level)) + (f"{module}: " if module else "") + msg
    parts = []
    for k, v in kv:
        if isinstance(v, list):
            s = "[" + " ".join(json.dumps(x) for x in v) + "]"
        else:
            s = str(v)
            if s == "" or re.search(r'[\s"=]', s):
                s = json.dumps(s, ensure_ascii=False)
        parts.append(f"{k}={s}")
    return out + (": " + " ".join(parts) if parts else "")


def gen_vault():
    rng = random.Random(20240521)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 5, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(21, 6, 12, 3.0), at(22, 7, 48)
    DRAIN_STOP, DRAIN_START = at(21, 10, 31, 14.208), at(21, 10, 32, 2.951)
    DEPLOY = at(21, 13, 52, 8.44)
    ROLLBACK = at(21, 14, 46, 52.1)
    REVOKE = at(21, 14, 49, 31.77)
    POLICY = at(21, 18, 12, 40.5)
    CRON = at(22, 2, 0, 4.31)
    HPA = at(21, 14, 19, 38.2)
    kube = {}

    def incarnation(pod, node):
        kube[pod] = {"pod_name": pod, "namespace_name": "vault", "pod_id": uuid4(rng),
                     "labels": {"app.kubernetes.io/instance": "vault", "app.kubernetes.io/name": "vault", "component": "server",
                                "statefulset.kubernetes.io/pod-name": pod},
                     "host": node, "container_name": "vault", "docker_id": hexs(rng, 64), "container_image": V_IMAGE}

    for p in V_PODS:
        incarnation(p, V_NODE[p])

    def srv(dt, pod, level, module, msg, kv, tpl):
        r = {"stream": "stderr", "logtag": "F", "kubernetes": kube[pod], "@level": level, "@message": msg, "@module": module,
             "@timestamp": iso_us(dt)}
        for k, v in kv:
            r[k] = v
        r["timestamp"] = iso_ms(dt)
        r["message"] = hclog_text(level, module, msg, kv)
        L.add(dt, tpl, r)

    def hm():
        return "hmac-sha256:" + hexs(rng, 64)

    def audit(dt, entry, tpl):
        r = {"stream": "stdout", "logtag": "F", "kubernetes": kube["vault-0"]}
        r.update(entry)
        r["timestamp"] = iso_ms(dt)
        r["message"] = compact(entry)
        L.add(dt, tpl, r)

    def mount_of(path):
        best = ""
        for m in V_MOUNTS:
            if path.startswith(m) and len(m) > len(best):
                best = m
        return best

    def req_obj(rid, op, path, ip, port, token, data=None):
        m = mount_of(path)
        mtype, acc, ver, cls = V_MOUNTS[m]
        o = {"id": rid}
        if token:
            o["client_id"] = token["entity_id"]
        o.update({"operation": op, "mount_point": m, "mount_type": mtype, "mount_accessor": acc, "mount_running_version": ver})
        if cls:
            o["mount_class"] = cls
        if token:
            o["client_token"] = token["client_token"]
            o["client_token_accessor"] = token["accessor"]
        o["namespace"] = {"id": "root"}
        o["path"] = path
        if data:
            o["data"] = data
        o["remote_address"] = ip
        o["remote_port"] = port
        return o

    def auth_obj(token, allowed=True):
        if token is None:
            return {"policy_results": {"allowed": True}, "token_type": "default"}
        a = {"client_token": token["client_token"], "accessor": token["accessor"], "display_name": token["display_name"],
             "policies": token["policies"], "token_policies": token["policies"]}
        if token.get("metadata"):
            a["metadata"] = token["metadata"]
        a["entity_id"] = token["entity_id"]
        a["token_type"] = "service"
        a["token_ttl"] = token["ttl"]
        a["token_issue_time"] = token["issued"]
        a["policy_results"] = {"allowed": allowed}
        return a

    def call(t, ip, token, op, path, tpl, data=None, resp=None, error=None, denied=False, dur=None):
        """One request: a `request` and a `response` audit entry. Returns the request id."""
        rid = uuid4(rng)
        port = rng.randint(32768, 60999)
        ro = req_obj(rid, op, path, ip, port, token, data)
        e1 = {"time": iso_us(t) + "", "type": "request", "auth": auth_obj(token, not denied), "request": ro}
        if denied:
            e1["error"] = error
        audit(t, e1, tpl + "_req")
        t2 = t + sec(dur if dur is not None else rng.uniform(0.002, 0.03))
        e2 = {"time": iso_us(t2), "type": "response", "auth": auth_obj(token, not denied), "request": ro}
        if resp is not None:
            m = mount_of(path)
            mtype, acc, ver, cls = V_MOUNTS[m]
            ro2 = {"mount_point": m, "mount_type": mtype, "mount_accessor": acc, "mount_running_plugin_version": ver}
            if cls:
                ro2["mount_class"] = cls
            ro2.update(resp)
            e2["response"] = ro2
        if error:
            e2["error"] = error
        audit(t2, e2, tpl + "_resp")
        return rid, t2

    def new_token(display, policies, metadata, issued, ttl):
        return {"client_token": hm(), "accessor": hm(), "display_name": display, "policies": policies, "metadata": metadata,
                "entity_id": uuid4(rng), "ttl": ttl, "issued": issued.strftime("%Y-%m-%dT%H:%M:%SZ")}

    def k8s_login(t, app, ip):
        a = V_APPS[app]
        md = {"role": a["role"], "service_account_name": app, "service_account_namespace": a["ns"],
              "service_account_secret_name": "", "service_account_uid": uuid4(rng)}
        tok = new_token(f"kubernetes-{a['ns']}-{app}", a["policies"], md, t, 14400)
        resp_auth = {"auth": {"client_token": tok["client_token"], "accessor": tok["accessor"], "display_name": tok["display_name"],
                              "policies": tok["policies"], "token_policies": tok["policies"], "metadata": md,
                              "entity_id": tok["entity_id"], "token_type": "service", "token_ttl": 14400,
                              "token_issue_time": tok["issued"]}}
        call(t, ip, None, "update", "auth/kubernetes/login", "a_k8s_login", data={"jwt": hm(), "role": hm()}, resp=resp_auth,
             dur=rng.uniform(0.008, 0.04))
        return tok

    # ---- state shared by the simulation
    quota = {"used": 0, "full_at": None, "lease_seq": []}
    leases = []        # (expiry, pod-less lease id) for revocation at TTL

    def quota_full(t):
        return quota["full_at"] is not None and quota["full_at"] <= t < REVOKE

    def creds(t, app, ip, tok, v380=False):
        role = V_APPS[app]["creds"]
        path = f"database/creds/{role}"
        if quota_full(t):
            call(t, ip, tok, "read", path, "a_creds_quota", error="1 error occurred:\n\t* lease count quota exceeded\n\n",
                 dur=rng.uniform(0.001, 0.004))
            return False
        lease = f"{path}/{alnum(rng, 24)}"
        call(t, ip, tok, "read", path, "a_creds", resp={"secret": {"lease_id": lease}, "data": {"password": hm(), "username": hm()}},
             dur=rng.uniform(0.04, 0.16))
        leases.append((t + sec(3600), lease, v380))
        if v380:
            quota["used"] += 1
            if quota["used"] == V_QUOTA_AT:
                quota["full_at"] = t + sec(0.5)
        return True

    # ---- events are generated in time order per actor; actors are independent except via `quota`
    actions = []   # (time, seq, kind, args)

    def sched(t, kind, *args):
        actions.append((t, len(actions), kind, args))

    # app pods: login at start (staggered), re-login every ~2h40m, creds every ~50 min (payments, orders), kv every ~20 min
    for app, a in V_APPS.items():
        for i, ip in enumerate(a["ips"]):
            end = DEPLOY + sec(35 * i) if app == "payments-api" else T1
            sched(T0 + sec(rng.uniform(5, 1500)), "pod", app, ip, end, False)
    for i, ip in enumerate(V_NEW_IPS):
        sched(DEPLOY + sec(33.2 * i), "pod", "payments-api", ip, ROLLBACK + sec(28 * i), True)
    for i, ip in enumerate(V_BACK_IPS):
        sched(ROLLBACK + sec(rng.uniform(0, 3)) + sec(26 * i), "pod", "payments-api", ip, T1, False)
    sched(HPA, "pod", "orders-api", V_HPA_IP, T1, False)

    pods = {}

    def run_pod(t, app, ip, end, v380):
        """Expand one pod's life into timed actions (creds retry timing depends on the quota, so it runs in order)."""
        pods[ip] = {"app": app, "end": end, "v380": v380, "tok": None, "tok_exp": None, "restarts": 0}
        sched(t, "login", ip)
        if app == "catalog-api":
            sched(t + sec(rng.uniform(1, 3)), "kv", ip)
        elif v380:
            sched(t + sec(rng.uniform(2, 6)), "burst", ip)
        else:
            sched(t + sec(rng.uniform(1, 3)), "creds", ip)

    actions.sort()
    i = 0
    while i < len(actions):
        actions.sort(key=lambda a: (a[0], a[1]))
        t, _, kind, args = actions[i]
        i += 1
        if t >= T1:
            continue
        if kind == "pod":
            run_pod(t, *args)
            continue
        ip = args[0]
        p = pods[ip]
        if t >= p["end"]:
            continue
        if kind == "login":
            p["tok"] = k8s_login(t, p["app"], ip)
            if p.get("restarts", 0) in (0, 99) and not p.get("relogin"):
                p["relogin"] = True
                sched(t + sec(rng.uniform(9000, 10200)), "relogin", ip)
        elif kind == "relogin":
            p["tok"] = k8s_login(t, p["app"], ip)
            sched(t + sec(rng.uniform(9000, 10200)), "relogin", ip)
        elif kind == "kv":
            path = "secret/data/catalog/config" if rng.random() < 0.7 else "secret/data/catalog/search"
            call(t, ip, p["tok"], "read", path, "a_kv", resp={"data": {"data": {"api_key": hm(), "dsn": hm()},
                                                                     "metadata": {"created_time": hm(), "version": 7}}})
            sched(t + sec(rng.uniform(1080, 1320)), "kv", ip)
        elif kind == "creds":
            ok = creds(t, p["app"], ip, p["tok"])
            if not ok and t >= HPA and (ip == V_HPA_IP or ip in V_BACK_IPS) and p["restarts"] < 99:
                # a pod that cannot get credentials at startup exits; the kubelet restarts it (CrashLoopBackOff)
                back = min(10 * 2 ** p["restarts"], 300)
                p["restarts"] += 1
                nxt = t + sec(back + rng.uniform(1.0, 2.5))
                sched(nxt, "login", ip)
                sched(nxt + sec(rng.uniform(0.5, 1.5)), "creds", ip)
                continue
            if ok and (ip == V_HPA_IP or ip in V_BACK_IPS) and p["restarts"]:
                p["restarts"] = 99
            sched(t + (sec(rng.uniform(2880, 3120)) if ok else sec(rng.uniform(150, 240))), "creds", ip)
        elif kind == "burst":
            creds(t, p["app"], ip, p["tok"], v380=True)
            sched(t + sec(rng.expovariate(1 / 200.0) + 4), "burst", ip)

    # ---- catalog-api occasionally tries a path it has no policy for
    for dt in (at(21, 11, 5, 12.3), at(21, 16, 40, 51.0), at(21, 21, 15, 8.7), at(22, 5, 44, 30.2)):
        ip = V_APPS["catalog-api"]["ips"][0]
        tok = pods[ip]["tok"]
        call(dt, ip, tok, "read", "secret/data/payments/stripe", "a_kv_denied", error="permission denied", denied=True)

    # ---- lease revocations at TTL (routine) and the revoke-prefix (fix)
    def revoked(dt, lease):
        srv(dt, "vault-0", "info", "expiration", "revoked lease", [("lease_id", lease)], "v_revoked")

    # the operator: userpass login, a look at the leases, then revoke-prefix
    ops = new_token("userpass-mkrause", ["default", "ops-admin"], {"username": "mkrause"}, REVOKE - sec(36), 28800)
    call(REVOKE - sec(36.2), V_OPS_IP, None, "update", "auth/userpass/login/mkrause", "a_userpass_login", data={"password": hm()},
         resp={"auth": {"client_token": ops["client_token"], "accessor": ops["accessor"], "display_name": ops["display_name"],
                        "policies": ops["policies"], "metadata": ops["metadata"], "entity_id": ops["entity_id"],
                        "token_type": "service", "token_ttl": 28800}}, dur=0.061)
    call(REVOKE - sec(14.9), V_OPS_IP, ops, "list", "sys/leases/lookup/database/creds/payments-rw/", "a_lease_list",
         resp={"data": {"keys": [hm() for _ in range(3)]}}, dur=0.012)
    call(REVOKE, V_OPS_IP, ops, "update", "sys/leases/revoke-prefix/database/creds/payments-rw", "a_revoke_prefix",
         resp={"headers": {}}, dur=0.019)
    outstanding = [(e, l) for e, l, v in leases if "payments-rw" in l and e > REVOKE]
    failed = set(range(2, len(outstanding), 9)[:3])
    tt = REVOKE + sec(0.05)
    for k, (e, l) in enumerate(outstanding):
        tt += sec(rng.uniform(0.02, 0.3))
        if k in failed:
            srv(tt, "vault-0", "error", "expiration", "failed to revoke lease",
                [("lease_id", l), ("error", "failed to revoke entry: resp: (*logical.Response)(nil) err: pq: remaining connection "
                                            "slots are reserved for non-replication superuser connections")], "v_revoke_fail")
        else:
            revoked(tt, l)
    for k in sorted(failed):
        revoked(REVOKE + sec(rng.uniform(20, 40)) + sec(k * 0.01), outstanding[k][1])
    for e, l, v in leases:
        if e < T1 and not ("payments-rw" in l and e > REVOKE):
            revoked(e + sec(rng.uniform(0.001, 0.2)), l)

    # ---- the policy edit (18:12) and the nightly snapshot CronJob (02:00)
    ops2 = new_token("userpass-lbecker", ["default", "ops-admin"], {"username": "lbecker"}, POLICY - sec(50), 28800)
    call(POLICY - sec(50.3), V_OPS_IP, None, "update", "auth/userpass/login/lbecker", "a_userpass_login", data={"password": hm()},
         resp={"auth": {"client_token": ops2["client_token"], "accessor": ops2["accessor"], "display_name": ops2["display_name"],
                        "policies": ops2["policies"], "metadata": ops2["metadata"], "entity_id": ops2["entity_id"],
                        "token_type": "service", "token_ttl": 28800}}, dur=0.058)
    call(POLICY - sec(31.0), V_OPS_IP, ops2, "read", "sys/policies/acl/raft-snapshot", "a_policy_read",
         resp={"data": {"name": hm(), "policy": hm()}}, dur=0.004)
    call(POLICY, V_OPS_IP, ops2, "update", "sys/policies/acl/raft-snapshot", "a_policy_write", data={"policy": hm()},
         resp={"headers": {}}, dur=0.007)
    for k, off in enumerate((0.0, 12.4, 34.9)):
        t = CRON + sec(off)
        tok = new_token("approle", ["default", "raft-snapshot"], {"role_name": "raft-snapshot"}, t, 600)
        call(t, V_CRON_IP, None, "update", "auth/approle/login", "a_approle_login", data={"role_id": hm(), "secret_id": hm()},
             resp={"auth": {"client_token": tok["client_token"], "accessor": tok["accessor"], "display_name": "approle",
                            "policies": tok["policies"], "metadata": tok["metadata"], "entity_id": tok["entity_id"],
                            "token_type": "service", "token_ttl": 600}}, dur=rng.uniform(0.01, 0.03))
        call(t + sec(rng.uniform(0.05, 0.2)), V_CRON_IP, tok, "read", "sys/storage/raft/snapshot", "a_snapshot_denied",
             error="permission denied", denied=True, dur=0.001)

    # ---- server-side noise: LB TCP checks, raft snapshots / compaction
    down2 = [(DRAIN_STOP, DRAIN_START)]
    for pod in V_PODS:
        for lb in V_LB:
            for t in poisson(rng, T0, T1, 1.5):
                if pod == "vault-2" and inside(t, down2):
                    continue
                srv(t, pod, "info", "http", f"TLS handshake error from {lb}:{rng.randint(1024, 65535)}: EOF", [], "v_tls_eof")
        index = {"vault-0": 48811203, "vault-1": 48811190, "vault-2": 48811177}[pod]
        t = T0 + sec(rng.uniform(600, 7000))
        while t < T1:
            index += rng.randint(20000, 26000)
            if not (pod == "vault-2" and inside(t, down2)):
                srv(t, pod, "info", "storage.raft", "starting snapshot up to", [("index", index)], "v_snap_start")
                t2 = t + sec(rng.uniform(0.3, 1.9))
                srv(t2, pod, "info", "storage.raft", "snapshot complete up to", [("index", index)], "v_snap_done")
                srv(t2 + sec(0.002), pod, "info", "storage.raft", "compacting logs", [("from", index - 20479), ("to", index - 10240)],
                    "v_compact")
            t += sec(rng.uniform(8000, 10800))

    # ---- vault-2 restarted by a node drain (10:31)
    t = DRAIN_STOP
    for mod, msg, kv, tpl in [("", "caught signal, shutting down", [("signal", "terminated")], "v_sigterm"),
                              ("core", "marked as sealed", [], "v_sealed_mark"),
                              ("core", "pre-seal teardown starting", [], "v_teardown"),
                              ("core", "stopping raft active node", [], "v_stop_raft"),
                              ("core", "pre-seal teardown complete", [], "v_teardown_done"),
                              ("core", "stopping cluster listeners", [], "v_stop_listeners"),
                              ("core.cluster-listener", "rpc listeners successfully shut down", [], "v_rpc_down"),
                              ("core", "cluster listeners successfully shut down", [], "v_listeners_down"),
                              ("core", "vault is sealed", [], "v_sealed")]:
        srv(t, "vault-2", "info", mod, msg, kv, tpl)
        t += sec(rng.uniform(0.001, 0.05))
    hb = DRAIN_STOP + sec(0.4)
    back = 0.01
    while hb < DRAIN_START + sec(3):
        srv(hb, "vault-0", "error", "storage.raft", "failed to heartbeat to",
            [("peer", "vault-2.vault-internal:8201"), ("backoff time", f"{int(back * 1000)}ms"),
             ("error", "dial tcp 10.42.3.21:8201: connect: connection refused" if hb < DRAIN_STOP + sec(6)
              else "dial tcp: lookup vault-2.vault-internal on 172.20.0.10:53: no such host")], "v_hb_fail")
        back = min(back * 4, 10.24)
        hb += sec(max(back, 2.5) + rng.uniform(0.1, 1.5))
    srv(DRAIN_STOP + sec(1.2), "vault-0", "info", "storage.raft", "aborting pipeline replication",
        [("peer", "{Voter vault-2 vault-2.vault-internal:8201}")], "v_pipeline_abort")
    incarnation("vault-2", V_NODE2)
    t = DRAIN_START
    for lvl, mod, msg, kv, tpl in [
            ("info", "", "proxy environment", [("http_proxy", ""), ("https_proxy", ""), ("no_proxy", "")], "v_proxy_env"),
            ("info", "", "incrementing seal generation", [("generation", 1)], "v_seal_gen"),
            ("info", "core", "Initializing version history cache for core", [], "v_version_cache"),
            ("info", "core", "raft retry join initiated", [], "v_retry_join"),
            ("info", "core", "stored unseal keys supported, attempting fetch", [], "v_unseal_fetch"),
            ("info", "core", "vault is unsealed", [], "v_unsealed"),
            ("info", "storage.raft", "initial configuration",
             [("index", 48870114), ("servers", "[{Suffrage:Voter ID:vault-0 Address:vault-0.vault-internal:8201} "
                                                "{Suffrage:Voter ID:vault-1 Address:vault-1.vault-internal:8201} "
                                                "{Suffrage:Voter ID:vault-2 Address:vault-2.vault-internal:8201}]")], "v_raft_init"),
            ("info", "storage.raft", "entering follower state",
             [("follower", "Node at vault-2.vault-internal:8201 [Follower]"), ("leader-address", ""), ("leader-id", "")],
             "v_follower"),
            ("info", "core", "entering standby mode", [], "v_standby"),
            ("info", "core", "unsealed with stored key", [], "v_unsealed_stored")]:
        srv(t, "vault-2", lvl, mod, msg, kv, tpl)
        t += sec(rng.uniform(0.01, 0.4))
    srv(DRAIN_START + sec(6.1), "vault-0", "info", "storage.raft", "pipelining replication",
        [("peer", "{Voter vault-2 vault-2.vault-internal:8201}")], "v_pipeline")
    for k in range(3):
        srv(DRAIN_START + sec(7.3 + k * 0.9), "vault-2", "error", "core.cluster-listener", "no TLS config found for ALPN",
            [("ALPN", ["req_fw_sb-act_v1"])], "v_alpn")
    return L.build()


def facts_vault(records):
    def path(r):
        return (r.get("request") or {}).get("path", "")

    quota = [r for r in records if r.get("type") == "response" and "lease count quota exceeded" in (r.get("error") or "")]
    first_quota = quota[0]["timestamp"]
    deploy_login = next(r for r in records if r.get("type") == "response" and path(r) == "auth/kubernetes/login"
                        and r["request"]["remote_address"] in V_NEW_IPS)
    v380 = [r for r in records if r.get("type") == "response" and path(r) == "database/creds/payments-rw"
            and r["request"]["remote_address"] in V_NEW_IPS and not r.get("error")]
    orders_q = next(r for r in quota if path(r) == "database/creds/orders-ro" and r["timestamp"] >= "2024-05-21T14:22")
    revoke = next(r for r in records if r.get("type") == "response" and path(r).startswith("sys/leases/revoke-prefix/"))
    ok_after = {}
    for r in records:
        if r.get("type") == "response" and path(r).startswith("database/creds/") and not r.get("error") \
                and r["timestamp"] > revoke["timestamp"]:
            ok_after.setdefault(path(r), r["timestamp"])
    return {"first_quota": first_quota, "n_quota": len(quota), "deploy_login": deploy_login["timestamp"],
            "v380_first": v380[0]["timestamp"], "orders_rid": orders_q["request"]["id"], "orders_at": orders_q["timestamp"],
            "revoke": revoke["timestamp"], "ok_after": dict(sorted(ok_after.items())),
            "last_quota": quota[-1]["timestamp"]}


VAULT_PROBLEM = [{"field": {"@level": "warn|error"}}, {"field": {"type": "response", "error": "(?s).+"}}]


def questions_vault(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in VAULT_PROBLEM]

    return [
        q("broad",
          "payments and orders both cant get db creds out of vault, pods crashlooping on startup. what went wrong between 14:19 and "
          "14:24 utc on may 21?",
          ["lease count quota exceeded", "database/creds/orders-ro"],
          problems("2024-05-21T14:19:00Z", "2024-05-21T14:24:00Z")),
        q("lexical",
          f"orders-api logged vault request id {f['orders_rid']} as the one that made its new pod crash on startup. what did vault record for it?",
          ["lease count quota exceeded", "orders-ro"],
          {"msg": re.escape(f["orders_rid"])}),
        q("follow-up",
          "what changed right before that started? did anything new show up and log in to vault in teh half hour before?",
          ["payments-api", "auth/kubernetes/login"],
          {"field": {"type": "response", "request.path": "auth/kubernetes/login", "request.remote_address": "|".join(
              re.escape(x) for x in V_NEW_IPS)}}),
        q("paraphrase",
          "so the new release is grabbing a brand new postgres identity for every single bit of work instead of reusing one?",
          ["payments-rw", "10.42.7.40"],
          {"field": {"type": "response", "request.remote_address": "|".join(re.escape(x) for x in V_NEW_IPS)},
           "msg": r'"path":"database/creds/payments-rw"', "since": f["v380_first"], "until": plus(f["v380_first"], 240)}),
        q("follow-up",
          "they rolled it back and somebody nuked its leases. did it recover after that or is anything still failing?",
          ["revoke-prefix", "orders-ro"],
          [{"field": {"type": "response"}, "msg": r'"path":"sys/leases/revoke-prefix/'},
           {"field": {"@level": "error", "@module": "expiration"}, "since": f["revoke"]}]
          + [{"field": {"type": "response", "request.path": re.escape(p)}, "since": ts, "until": plus(ts, 0.001)}
             for p, ts in f["ok_after"].items()]),
        q("broad",
          "unrelated: the raft snapshot cronjob mailed a failure overnight, no backup in s3 for today. anything wrong between 02:00 and "
          "02:15 utc on may 22?",
          ["permission denied", "sys/storage/raft/snapshot"],
          problems("2024-05-22T02:00:00Z", "2024-05-22T02:15:00Z")),
    ]

# =============================================================================================
# 2. celery: the `billing` Django 4.2 app (web-1, web-2: gunicorn 21) with Celery 5.3 workers
#    (worker-1, worker-2: queue `default`; worker-3: queues `default,reports`), celery beat on
#    beat-1, and Redis 7 on redis-1 as broker (db 0) and result backend (db 1, result_expires one
#    day, maxmemory 2gb, policy noeviction). At 09:40 on June 11 release 2024.06.11.1 is rolled out
#    (gunicorn HUP, workers restarted one by one). In it `reports.tasks.export_orders_csv` returns
#    the CSV text itself instead of uploading it to S3 and returning the URL, so every export's
#    result (tens of MB) lands in Redis. At 13:30 beat fans out the 40 merchant daily exports;
#    Redis reaches maxmemory and refuses writes (`command not allowed when used memory >
#    'maxmemory'.`): Django cannot publish tasks, so POST /checkout/confirm/ answers 500
#    (`kombu.exceptions.OperationalError`), beat cannot send due tasks (`Message Error: Couldn't
#    apply scheduled task`), and exports finishing on worker-3 cannot store their results
#    (`INTERNAL ERROR: OutOfMemoryError`). At 14:24 hotfix 2024.06.11.2 is rolled out and at 14:31
#    a management command deletes the export results; checkout and beat work again.
#    Unrelated: the SendGrid API key used as SMTP password has been revoked; the 02:00 daily digest
#    fails with SMTPAuthenticationError(535, ...) on every retry.
#    Noise: checkout confirmations, invoice syncs, hourly session cleanup and 15-minute exchange
#    rate syncs (received / succeeded), gunicorn access lines, bots probing for 404s, one gunicorn
#    WORKER TIMEOUT, one clock-drift warning, Celery's startup deprecation warning, redis RDB saves.

C_WEB = ["web-1", "web-2"]
C_WORKERS = ["worker-1", "worker-2", "worker-3"]
C_VENV = "/srv/billing/.venv/lib/python3.11/site-packages"
C_OOM = "command not allowed when used memory > 'maxmemory'."
C_SMTP = "(535, b'Authentication failed: The provided authorization grant is invalid, expired, or revoked')"
C_FILES = {"access": "/var/log/billing/gunicorn-access.log", "gunicorn": "/var/log/billing/gunicorn-error.log",
           "django": "/var/log/billing/django.log", "worker": "/var/log/billing/celery-worker.log",
           "beat": "/var/log/billing/celery-beat.log", "redis": "/var/log/redis/redis-server.log"}
C_CLIENTS = ["10.8.0.11", "10.8.0.12"]   # the load balancer's addresses as gunicorn sees them


def gen_celery():
    rng = random.Random(20240611)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 6, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(11, 5, 2, 11.0), at(12, 7, 36)
    DEPLOY1, HOTFIX = at(11, 9, 39, 30.2), at(11, 14, 24, 3.9)
    FANOUT = at(11, 13, 30, 0.004)
    PURGE = at(11, 14, 31, 20.66)
    DIGEST = at(12, 2, 0, 0.003)
    MAXMEM, BASE_MB = 2048, 470.0
    mem = {"used": BASE_MB, "oom_at": None}

    def ctime(dt):
        return dt.strftime("%Y-%m-%d %H:%M:%S,") + f"{dt.microsecond // 1000:03d}"

    def line(dt, hostname, kind, text, tpl):
        L.add(dt, tpl, {"file": C_FILES[kind], "hostname": hostname, "message": text, "source_type": "file", "timestamp": iso_ms(dt)})

    def celery(dt, hostname, level, proc, text, tpl, kind="worker"):
        line(dt, hostname, kind, f"[{ctime(dt)}: {level}/{proc}] {text}", tpl)

    def django(dt, hostname, level, logger, text, tpl):
        line(dt, hostname, "django", f"{ctime(dt)} {level} {logger} {text}", tpl)

    def gunicorn(dt, hostname, level, pid, text, tpl):
        line(dt, hostname, "gunicorn", f"[{dt.strftime('%Y-%m-%d %H:%M:%S')} +0000] [{pid}] [{level}] {text}", tpl)

    def access(dt, hostname, verb, path, status, size, agent, tpl):
        ip = rng.choice(C_CLIENTS)
        line(dt, hostname, "access", f'{ip} - - [{dt.strftime("%d/%b/%Y:%H:%M:%S")} +0000] "{verb} {path} HTTP/1.1" {status} {size} '
                                     f'"-" "{agent}"', tpl)

    def oom(t):
        return mem["oom_at"] is not None and mem["oom_at"] <= t < PURGE

    BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36"
    MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"

    # ---- the worker pool: a simple model of who runs what and when
    busy = {"reports": [T0, T0]}
    down = {w: [] for w in C_WORKERS}

    def pick_worker(t, queue):
        cands = ["worker-3"] if queue == "reports" else C_WORKERS
        cands = [w for w in cands if not inside(t, down[w])]
        return cands[rng.randrange(len(cands))] if cands else "worker-1"

    def run_task(t, name, queue, runtime, result, tid=None, fail=None):
        """received -> succeeded (or a failure). Returns (worker, end time, task id)."""
        tid = tid or uuid4(rng)
        w = pick_worker(t, queue)
        t_recv = t + sec(rng.uniform(0.003, 0.02))
        celery(t_recv, w, "INFO", "MainProcess", f"Task {name}[{tid}] received", "c_received")
        if queue == "reports":   # exports are generated in time order; two slots on worker-3 serve the reports queue
            slots = busy["reports"]
            k = min(range(len(slots)), key=lambda j: slots[j])
            start = max(t_recv + sec(0.002), slots[k])
            slots[k] = start + sec(runtime)
        else:
            k = rng.randrange(4)
            start = t_recv + sec(rng.uniform(0.002, 0.05))
        end = start + sec(runtime)
        proc = f"ForkPoolWorker-{k + 1}"
        if fail is not None:
            fail(end, w, proc, tid)
        elif oom(end):
            tb = (f"Traceback (most recent call last):\n"
                  f"  File \"{C_VENV}/celery/app/trace.py\", line 477, in trace_task\n"
                  f"    I, R, state, retval = on_error(task_request, exc, uuid)\n"
                  f"  File \"{C_VENV}/celery/app/trace.py\", line 453, in trace_task\n"
                  f"    task.backend.mark_as_done(\n"
                  f"  File \"{C_VENV}/celery/backends/base.py\", line 158, in mark_as_done\n"
                  f"    self.store_result(task_id, result, state, request=request)\n"
                  f"  File \"{C_VENV}/celery/backends/base.py\", line 528, in store_result\n"
                  f"    self._store_result(task_id, result, state, traceback,\n"
                  f"  File \"{C_VENV}/celery/backends/base.py\", line 956, in _store_result\n"
                  f"    self._set_with_state(self.get_key_for_task(task_id), self.encode(meta), state)\n"
                  f"  File \"{C_VENV}/celery/backends/redis.py\", line 376, in set\n"
                  f"    return self.ensure(self._set, (key, value), **retry_policy)\n"
                  f"  File \"{C_VENV}/redis/connection.py\", line 1035, in read_response\n"
                  f"    raise response\n"
                  f"redis.exceptions.OutOfMemoryError: {C_OOM}")
            celery(end, w, "CRITICAL", "MainProcess", f"Task {name}[{tid}] INTERNAL ERROR: OutOfMemoryError(\"{C_OOM}\")\n{tb}",
                   "c_internal_error")
        else:
            celery(end, w, "INFO", proc, f"Task {name}[{tid}] succeeded in {runtime:.{rng.choice([9, 10, 11])}g}s: {result}",
                   "c_succeeded")
        return w, end, tid

    def publish_error_tb(where):
        return (f"Traceback (most recent call last):\n"
                f"  File \"{C_VENV}/kombu/connection.py\", line 472, in _reraise_as_library_errors\n"
                f"    yield\n"
                f"  File \"{C_VENV}/celery/app/base.py\", line 801, in send_task\n"
                f"    amqp.send_task_message(P, name, message, **options)\n"
                f"  File \"{C_VENV}/celery/app/amqp.py\", line 518, in send_task_message\n"
                f"    ret = producer.publish(\n"
                f"  File \"{C_VENV}/kombu/transport/redis.py\", line 1001, in _put\n"
                f"    client.lpush(self._q_for_pri(queue, pri), dumps(message))\n"
                f"  File \"{C_VENV}/redis/connection.py\", line 1035, in read_response\n"
                f"    raise response\n"
                f"redis.exceptions.OutOfMemoryError: {C_OOM}\n\n"
                f"The above exception was the direct cause of the following exception:\n\n"
                f"Traceback (most recent call last):\n{where}"
                f"kombu.exceptions.OperationalError: {C_OOM}")

    # ---- exports: ad hoc from the UI during the day, the 40 merchant exports at 13:30
    def export_result(t, rows):
        if DEPLOY1 <= t < HOTFIX:
            body = "order_id,created_at,customer_email,total,currency\\r\\n"
            for _ in range(4):
                body += (f"{rng.randint(100000, 109999)},2024-06-{rng.randint(1, 10):02d}T{rng.randint(0, 23):02d}:"
                         f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z,{rng.choice(['a', 'j', 'm', 's', 'k'])}."
                         f"{rng.choice(['meyer', 'novak', 'silva', 'okafor', 'lind'])}@example.com,{rng.randint(5, 900)}."
                         f"{rng.randint(0, 99):02d},{rng.choice(['EUR', 'EUR', 'GBP', 'USD'])}\\r\\n")
            return "'" + body + "...", rows * 0.0024
        return f"{{'url': 's3://acme-billing-exports/{t.strftime('%Y/%m/%d')}/orders-{hexs(rng, 6)}.csv', 'rows': {rows}}}", 0.0

    def export(t, merchant=None):
        rows = rng.randint(9000, 26000)
        result, mb = export_result(t, rows)
        w, end, tid = run_task(t, "reports.tasks.export_orders_csv", "reports", rng.uniform(60, 110), result)
        if mb and not oom(end):
            mem["used"] += mb
            if mem["used"] >= MAXMEM and mem["oom_at"] is None:
                mem["oom_at"] = end + sec(0.2)

    adhoc = [t for t in poisson(rng, T0, T1, 1.3, day_shape) if not (FANOUT - sec(600) <= t < PURGE + sec(600))]
    fan = sorted([FANOUT + sec(0.5 + 0.05 * k) for k in range(40)])
    for t in sorted(adhoc + fan):
        if t in fan or not oom(t):
            export(t)
    celery(FANOUT, "beat-1", "INFO", "MainProcess", "Scheduler: Sending due task merchant-daily-exports "
                                                    "(reports.tasks.schedule_merchant_exports)", "c_beat_send", kind="beat")
    run_task(FANOUT + sec(0.001), "reports.tasks.schedule_merchant_exports", "default", 0.41, "40")

    # ---- checkouts: web request, then a confirmation task on a worker
    def checkout_shape(t):
        if t.hour in (12, 13, 14, 15, 16):
            return 1.0
        return 0.35 if 7 <= t.hour < 21 else 0.08

    for t in poisson(rng, T0, T1, 30, checkout_shape):
        web = rng.choice(C_WEB)
        oid = rng.randint(100400, 109999)
        if oom(t + sec(0.05)):
            where = (f"  File \"{C_VENV}/django/core/handlers/exception.py\", line 55, in inner\n"
                     f"    response = get_response(request)\n"
                     f"  File \"{C_VENV}/django/core/handlers/base.py\", line 197, in _get_response\n"
                     f"    response = wrapped_callback(request, *callback_args, **callback_kwargs)\n"
                     f"  File \"/srv/billing/app/checkout/views.py\", line 212, in confirm\n"
                     f"    send_order_confirmation.delay(order.pk)\n"
                     f"  File \"{C_VENV}/celery/app/task.py\", line 425, in delay\n"
                     f"    return self.apply_async(args, kwargs)\n"
                     f"  File \"{C_VENV}/celery/app/base.py\", line 799, in send_task\n"
                     f"    with P.connection._reraise_as_library_errors():\n")
            te = t + sec(rng.uniform(0.05, 0.2))
            django(te, web, "ERROR", "django.request", f"Internal Server Error: /checkout/confirm/\n{publish_error_tb(where)}",
                   "c_django_500")
            access(te + sec(0.001), web, "POST", "/checkout/confirm/", 500, 145, rng.choice([BROWSER, MAC]), "c_access_500")
            continue
        access(t + sec(rng.uniform(0.08, 0.3)), web, "POST", "/checkout/confirm/", 302, 0, rng.choice([BROWSER, MAC]), "c_access_checkout")
        run_task(t + sec(0.06), "orders.tasks.send_order_confirmation", "default", rng.uniform(0.4, 1.9), "None")
        if rng.random() < 0.6:
            access(t + sec(rng.uniform(0.5, 1.2)), web, "GET", f"/orders/{oid}/", 200, rng.randint(9000, 14000),
                   rng.choice([BROWSER, MAC]), "c_access_order")

    # ---- other web traffic
    for t in poisson(rng, T0, T1, 8, day_shape):
        web = rng.choice(C_WEB)
        access(t, web, "GET", f"/api/invoices/?page={rng.randint(1, 40)}", 200, rng.randint(2000, 30000),
               "python-requests/2.31.0", "c_access_api")
    for t in poisson(rng, T0, T1, 2.2, day_shape):
        web = rng.choice(C_WEB)
        inv = rng.randint(55000, 58999)
        if oom(t + sec(0.05)):
            continue
        access(t + sec(0.1), web, "POST", f"/invoices/{inv}/send/", 302, 0, rng.choice([BROWSER, MAC]), "c_access_invoice")
        run_task(t + sec(0.05), "billing.tasks.send_invoice_email", "default", rng.uniform(0.8, 3.1), "None")
    bots = ["/wp-login.php", "/.env", "/xmlrpc.php", "/.git/config", "/phpmyadmin/"]
    for t in poisson(rng, T0, T1, 0.55):
        web = rng.choice(C_WEB)
        path = rng.choice(bots)
        django(t, web, "WARNING", "django.request", f"Not Found: {path}", "c_django_404")
        access(t + sec(0.002), web, "GET", path, 404, 179, "Mozilla/5.0 zgrab/0.x", "c_access_404")

    # ---- beat: exchange rates every 15 min, session cleanup hourly, digest at 02:00
    t = datetime(2024, 6, 11, 5, 15, tzinfo=UTC)
    while t < T1:
        entries = [("sync-exchange-rates", "billing.tasks.sync_exchange_rates", rng.uniform(0.9, 2.4), "{'updated': 31}")]
        if t.minute == 0:
            entries.append(("cleanup-expired-sessions", "accounts.tasks.cleanup_sessions", rng.uniform(0.05, 0.4),
                            f"{rng.randint(0, 140)}"))
        for name, task, rt, res in entries:
            tt = t + sec(rng.uniform(0.0005, 0.004))
            if oom(tt):
                where = (f"  File \"{C_VENV}/celery/beat.py\", line 289, in apply_entry\n"
                         f"    result = self.apply_async(entry, producer=producer, advance=False)\n"
                         f"  File \"{C_VENV}/celery/beat.py\", line 411, in apply_async\n"
                         f"    return task.apply_async(entry_args, entry_kwargs,\n"
                         f"  File \"{C_VENV}/celery/app/task.py\", line 594, in apply_async\n"
                         f"    return app.send_task(\n"
                         f"  File \"{C_VENV}/celery/app/base.py\", line 799, in send_task\n"
                         f"    with P.connection._reraise_as_library_errors():\n")
                celery(tt, "beat-1", "ERROR", "MainProcess", f"Message Error: Couldn't apply scheduled task {name}: {C_OOM}\n"
                       + publish_error_tb(where), "c_beat_error", kind="beat")
                continue
            celery(tt, "beat-1", "INFO", "MainProcess", f"Scheduler: Sending due task {name} ({task})", "c_beat_send", kind="beat")
            run_task(tt + sec(0.003), task, "default", rt, res)
        t += sec(900)

    # the digest at 02:00: SMTP auth fails, three retries 5 minutes apart, then the task fails
    celery(DIGEST, "beat-1", "INFO", "MainProcess", "Scheduler: Sending due task daily-digest (notifications.tasks.send_daily_digest)",
           "c_beat_send", kind="beat")
    tid = uuid4(rng)
    tb = (f"Traceback (most recent call last):\n"
          f"  File \"{C_VENV}/celery/app/trace.py\", line 477, in trace_task\n"
          f"    R = retval = fun(*args, **kwargs)\n"
          f"  File \"{C_VENV}/celery/app/trace.py\", line 760, in __protected_call__\n"
          f"    return self.run(*args, **kwargs)\n"
          f"  File \"/srv/billing/app/notifications/tasks.py\", line 88, in send_daily_digest\n"
          f"    connection.send_messages(messages)\n"
          f"  File \"{C_VENV}/django/core/mail/backends/smtp.py\", line 128, in send_messages\n"
          f"    new_conn_created = self.open()\n"
          f"  File \"{C_VENV}/django/core/mail/backends/smtp.py\", line 95, in open\n"
          f"    self.connection.login(self.username, self.password)\n"
          f"  File \"/usr/lib/python3.11/smtplib.py\", line 750, in login\n"
          f"    raise last_exception\n"
          f"  File \"/usr/lib/python3.11/smtplib.py\", line 739, in login\n"
          f"    (code, resp) = self.auth(\n"
          f"  File \"/usr/lib/python3.11/smtplib.py\", line 662, in auth\n"
          f"    raise SMTPAuthenticationError(code, resp)\n"
          f"smtplib.SMTPAuthenticationError: {C_SMTP}")
    t = DIGEST + sec(0.004)
    for attempt in range(4):
        def fail(end, w, proc, task_id, attempt=attempt):
            if attempt < 3:
                celery(end, w, "INFO", proc, f"Task notifications.tasks.send_daily_digest[{task_id}] retry: Retry in 300s: "
                                             f"SMTPAuthenticationError{C_SMTP}", "c_retry")
            else:
                celery(end, w, "ERROR", proc, f"Task notifications.tasks.send_daily_digest[{task_id}] raised unexpected: "
                                              f"SMTPAuthenticationError{C_SMTP}\n{tb}", "c_raised")
        w, end, _ = run_task(t, "notifications.tasks.send_daily_digest", "default", rng.uniform(1.2, 2.6), None, tid=tid, fail=fail)
        t = end + sec(300.0 + rng.uniform(0.005, 0.05))

    # ---- deploys: gunicorn HUP on the web hosts, workers restarted one by one
    pids = {"web-1": [21117, 21118, 21119, 21120], "web-2": [20841, 20842, 20843, 20844]}
    master = {"web-1": 21093, "web-2": 20817}

    def hup(t, web):
        gunicorn(t, web, "INFO", master[web], "Handling signal: hup", "c_gu_hup")
        gunicorn(t + sec(0.001), web, "INFO", master[web], "Hang up: Master", "c_gu_hangup")
        new = []
        for k, old in enumerate(pids[web]):
            p = old + 40 + rng.randint(0, 9) + k * 3
            gunicorn(t + sec(0.02 + k * 0.011), web, "INFO", p, f"Booting worker with pid: {p}", "c_gu_boot")
            new.append(p)
        for k, old in enumerate(pids[web]):
            gunicorn(t + sec(0.9 + k * 0.03), web, "INFO", old, f"Worker exiting (pid: {old})", "c_gu_exit")
        pids[web] = new

    def restart(t, w, unacked):
        celery(t, w, "WARNING", "MainProcess", "worker: Warm shutdown (MainProcess)", "c_warm_shutdown")
        if unacked:
            celery(t + sec(0.31), w, "WARNING", "MainProcess", f"Restoring {unacked} unacknowledged message(s)", "c_restoring")
        t2 = t + sec(rng.uniform(6.5, 9.0))
        down[w].append((t, t2 + sec(2)))
        celery(t2, w, "INFO", "MainProcess", "Connected to redis://redis-1.internal:6379/0", "c_connected")
        celery(t2 + sec(0.004), w, "WARNING", "MainProcess",
               f"{C_VENV}/celery/worker/consumer/consumer.py:507: CPendingDeprecationWarning: The broker_connection_retry "
               "configuration setting will no longer determine\nwhether broker connection retries are made during startup in "
               "Celery 6.0 and above.\nIf you wish to retain the existing behavior for retrying connections on startup,\nyou "
               "should set broker_connection_retry_on_startup to True.\n  warnings.warn(", "c_deprecation")
        celery(t2 + sec(0.012), w, "INFO", "MainProcess", "mingle: searching for neighbors", "c_mingle_search")
        celery(t2 + sec(1.03), w, "INFO", "MainProcess", "mingle: sync with 2 nodes", "c_mingle_sync")
        celery(t2 + sec(1.031), w, "INFO", "MainProcess", "mingle: sync complete", "c_mingle_done")
        celery(t2 + sec(1.06), w, "INFO", "MainProcess", f"celery@{w} ready.", "c_ready")

    for t0, tag in ((DEPLOY1, 1), (HOTFIX, 2)):
        hup(t0, "web-1")
        hup(t0 + sec(21.4), "web-2")
        for k, w in enumerate(C_WORKERS):
            restart(t0 + sec(42.0 + 53.3 * k), w, 1 if (tag == 1 and k == 0) else 0)

    # the purge after the hotfix
    django(PURGE, "web-1", "INFO", "billing.management.commands.purge_export_results",
           "deleted 43 celery-task-meta-* keys holding export results (1.41 GiB) from redis://redis-1.internal:6379/1", "c_purge")

    # ---- noise: a gunicorn worker timeout, a clock drift warning
    wt = at(11, 11, 47, 31.0)
    victim = 20890
    gunicorn(wt, "web-2", "CRITICAL", master["web-2"], f"WORKER TIMEOUT (pid:{victim})", "c_gu_timeout")
    gunicorn(wt + sec(0.5), "web-2", "ERROR", master["web-2"], f"Worker (pid:{victim}) was sent SIGKILL! Perhaps out of memory?",
             "c_gu_sigkill")
    gunicorn(wt + sec(0.52), "web-2", "INFO", victim + 9, f"Booting worker with pid: {victim + 9}", "c_gu_boot")
    dt = at(11, 16, 20, 3.115)
    celery(dt, "worker-2", "WARNING", "MainProcess",
           f"Substantial drift from celery@worker-3 may mean clocks are out of sync.  Current drift is 62 seconds.  "
           f"[orig: 2024-06-11 16:21:05.523115 recv: 2024-06-11 16:20:03.115402]", "c_drift")

    # ---- redis: RDB saves
    t = T0 + sec(rng.uniform(30, 500))
    pid = 2231
    while t < T1:
        n = rng.choice([100, 100, 10000]) if 7 <= t.hour < 21 else 100
        period = 300 if n == 100 else 60

        def rl(dt, who, mark, text, tpl):
            line(dt, "redis-1", "redis", f"{who}:{'M' if who == 1 else 'C'} {dt.strftime('%d %b %Y %H:%M:%S.')}{dt.microsecond // 1000:03d} "
                                         f"{mark} {text}", tpl)
        rl(t, 1, "*", f"{n} changes in {period} seconds. Saving...", "c_redis_changes")
        rl(t + sec(0.003), 1, "*", f"Background saving started by pid {pid}", "c_redis_bgsave")
        size = mem["used"] if (mem["oom_at"] is None or t < PURGE) else BASE_MB
        dur = max(0.2, size / 900.0) * rng.uniform(0.8, 1.2)
        rl(t + sec(dur), pid, "*", "DB saved on disk", "c_redis_saved")
        rl(t + sec(dur + 0.001), pid, "*", f"Fork CoW for RDB: current {rng.randint(1, 9)} MB, peak {rng.randint(9, 24)} MB, "
                                           f"average {rng.randint(1, 8)} MB", "c_redis_cow")
        rl(t + sec(dur + 0.09), 1, "*", "Background saving terminated with success", "c_redis_done")
        pid += rng.randint(1, 3)
        t += sec(rng.uniform(900, 1500))
    return L.build()


def facts_celery(records):
    def oomline(r):
        return "used memory > 'maxmemory'" in r["message"]

    first = next(r["timestamp"] for r in records if oomline(r))
    per_host = {}
    for r in records:
        if oomline(r):
            per_host.setdefault(r["hostname"], r["timestamp"])
    purge = next(r["timestamp"] for r in records if "purge_export_results" in r["message"])
    digest = next(r for r in records if "send_daily_digest[" in r["message"])
    tid = re.search(r"send_daily_digest\[([0-9a-f-]+)\]", digest["message"]).group(1)
    csv = [r["timestamp"] for r in records if re.search(r"export_orders_csv\[[^\]]+\] succeeded in \S+: 'order_id,", r["message"])]
    ok302 = [r["timestamp"] for r in records if r["timestamp"] > purge and '"POST /checkout/confirm/ HTTP/1.1" 302' in r["message"]]
    beat_ok = next(r["timestamp"] for r in records if r["timestamp"] > purge and "Scheduler: Sending due task" in r["message"])
    return {"first_oom": first, "oom_per_host": dict(sorted(per_host.items())), "purge": purge, "digest_tid": tid,
            "csv_first": csv[0], "csv_cut": csv[2], "ok302_cut": ok302[2], "beat_ok": beat_ok}


CELERY_PROBLEM = [{"msg": r"^\[[^\]]+: (WARNING|ERROR|CRITICAL)/"}, {"msg": r"^\S+ \S+ (WARNING|ERROR|CRITICAL) "},
                  {"msg": r"^\[[^\]]+\] \[\d+\] \[(WARNING|ERROR|CRITICAL)\] "}, {"msg": r'^\S+ - - \[[^\]]+\] "[^"]*" 5\d\d '},
                  {"msg": r"^\d+:[MC] .* # "}]


def questions_celery(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in CELERY_PROBLEM]

    return [
        q("broad",
          "checkout is 500ing for everyone since just before 2pm. what broke between 13:55 and 14:00 utc on jun 11?",
          ["maxmemory", "/checkout/confirm/"],
          problems("2024-06-11T13:55:00Z", "2024-06-11T14:00:00Z")),
        q("lexical",
          "\"command not allowed when used memory\" - is that only the web boxes or are the workers and beat getting it too?",
          ["beat-1", "Couldn't apply scheduled task"],
          [{"field": {"hostname": re.escape(h)}, "msg": r"used memory > 'maxmemory'", "until": plus(ts, 0.001)}
           for h, ts in f["oom_per_host"].items()]),
        q("follow-up",
          "what changed before that? was anything rolled out earlier today",
          ["Warm shutdown", "ready"],
          [{"field": {"file": re.escape(C_FILES["worker"])}, "msg": r"worker: Warm shutdown|celery@\S+ ready\.",
            "until": "2024-06-11T12:00:00Z"},
           {"msg": r"Handling signal: hup", "until": "2024-06-11T12:00:00Z"}]),
        q("paraphrase",
          "did the accountants download job start handing back the entire spreadsheet body instead of a pointer to where it's stored?",
          ["export_orders_csv", "order_id,created_at"],
          {"msg": r"export_orders_csv\[[^\]]+\] succeeded in \S+: 'order_id,", "since": f["csv_first"],
           "until": plus(f["csv_cut"], 0.001)}),
        q("follow-up",
          "they shipped a fix and cleaned out teh result keys a while ago. did it come back after that, or is anything still erroring?",
          ["purge_export_results", "302"],
          [{"msg": r"purge_export_results"},
           {"msg": r'"POST /checkout/confirm/ HTTP/1\.1" 302 ', "since": f["purge"], "until": plus(f["ok302_cut"], 0.001)},
           {"msg": r"Scheduler: Sending due task", "since": f["beat_ok"], "until": plus(f["beat_ok"], 0.01)}]),
        q("lexical",
          f"unrelated: nobody got the daily digest mail this morning. flower has task {f['digest_tid']} as FAILURE, what happened to it?",
          ["SMTPAuthenticationError", "535"],
          {"msg": re.escape(f["digest_tid"])}),
    ]

# =============================================================================================
# 3. windows: four Windows Server 2022 hosts in CORP (corp.example.net): SQL01 (SQL Server 2019,
#    database OrdersDB in FULL recovery, a SQL Agent job `LogBackup - OrdersDB` every 15 minutes
#    to the share \\BACKUP01\sqlbackups), WEB01 and WEB02 (IIS 10, app pool `OrdersApi`; WEB02 also
#    hosts `ReportsPool`) and BACKUP01 (file server). At 09:58 on June 18 an admin tightens the
#    share permissions of `sqlbackups` (Security 5143 on BACKUP01): the SQL Server service account
#    loses write access. From 10:00 every log backup fails (18204 `Operating system error
#    5(Access is denied.)`, 3041, SQL Agent 208; 5145 audit failures on BACKUP01). The transaction
#    log cannot be truncated; L: fills (srv 2013) and at 10:58 the log cannot grow (17053, error 112)
#    and is full: every write to OrdersDB fails with 9002 `The transaction log for database
#    'OrdersDB' is full due to 'LOG_BACKUP'.` and the orders API logs ASP.NET 1309 warnings with
#    that SqlException. At 11:37 another admin restores the share permissions (5143 again) and at
#    11:39 runs a log backup by hand (18265); writes succeed again.
#    Unrelated: at 23:41 a report request makes ReportsPool's w3wp.exe overflow its stack; after
#    five crashes (.NET Runtime 1026, Application Error 1000, WAS 5011) WAS rapid-fail protection
#    disables the pool (5002).
#    Noise: the 15-minute log backups (18265) and their share access (5140), service-account logons
#    and logoffs (4624/4634), a monitoring box failing SQL logins (18456), DCOM 10016, DNS 1014,
#    service state changes (7036), app pool idle shutdowns and recycles (5186/5074), ASP.NET
#    dangerous-path warnings, time sync, nightly full backups and DBCC CHECKDB, a configuration
#    option change.

W_DOMAIN = "corp.example.net"
W_HOSTS = ["SQL01", "WEB01", "WEB02", "BACKUP01"]
W_IP = {"SQL01": "10.20.3.10", "WEB01": "10.20.4.21", "WEB02": "10.20.4.22", "BACKUP01": "10.20.3.40"}
W_SID = "S-1-5-21-3623811015-3361044348-30300820"
W_SHARE = r"\\BACKUP01\sqlbackups"
W_DB_CREATED = "2022/03/14(09:12:44)"
W_DCOM = ("The application-specific permission settings do not grant Local Activation permission for the COM Server application with "
          "CLSID \n{2593F8B9-4EAF-457C-B68A-50F6B8EA6B54}\n and APPID \n{15C20B67-12E7-4BB6-92BB-7AFF07997402}\n to the user "
          "NT AUTHORITY\\SYSTEM SID (S-1-5-18) from address LocalHost (Using LRPC) running in the application container Unavailable "
          "SID (Unavailable). This security permission can be modified using the Component Services administrative tool.")


def gen_windows():
    rng = random.Random(20240618)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 6, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(18, 4, 40, 7.0), at(19, 6, 55)
    CHANGE, REVERT = at(18, 9, 58, 41.31), at(18, 11, 37, 12.08)
    MANUAL = at(18, 11, 39, 50.7)
    AUTOGROW_FAIL = at(18, 10, 58, 36.2)
    CRASH = at(18, 23, 41, 7.5)
    agents = {h: (uuid4(rng), uuid4(rng)) for h in W_HOSTS}
    recno = {}
    lsn = [412873, 18211]

    def ev(dt, comp, channel, provider, eid, level, msg, data, tpl, keywords=("Classic",), task="", action=None, outcome=None,
           pid=0, tid=0, opcode=None):
        key = (comp, channel)
        recno[key] = recno.get(key, {"Application": 88120, "System": 41877, "Security": 5518230}[channel] + rng.randint(0, 999)) + 1
        event = {"code": str(eid), "created": iso_ms(dt + sec(rng.uniform(0.4, 4.0))), "kind": "event", "provider": provider}
        if action:
            event["action"] = action
        if outcome:
            event["outcome"] = outcome
        wl = {"api": "wineventlog", "channel": channel, "computer_name": f"{comp}.{W_DOMAIN}", "event_data": data,
              "event_id": str(eid), "keywords": list(keywords)}
        if opcode:
            wl["opcode"] = opcode
        wl["process"] = {"pid": pid, "thread": {"id": tid}}
        wl["provider_name"] = provider
        wl["record_id"] = str(recno[key])
        if task:
            wl["task"] = task
        r = {"@timestamp": iso_ms(dt),
             "agent": {"ephemeral_id": agents[comp][1], "id": agents[comp][0], "name": comp, "type": "winlogbeat", "version": "8.13.4"},
             "ecs": {"version": "8.0.0"}, "event": event, "log": {"level": level}, "message": msg, "timestamp": iso_ms(dt),
             "winlog": wl}
        L.add(dt, tpl, r)

    def mssql(dt, eid, level, msg, params, tpl, keywords=("Classic",)):
        ev(dt, "SQL01", "Application", "MSSQLSERVER", eid, level, msg, params, tpl, keywords=keywords, task="Server")

    def hexid():
        return "0x" + format(rng.randint(0x1000000, 0xFFFFFFF), "X")

    # ---- routine security: service-account logons on SQL01 (from the web hosts) and logoffs
    def logon(dt, comp, account, rid, src_ip, tpl_on="w_4624", life=None):
        lid = hexid()
        port = rng.randint(49152, 65535)
        guid = "{" + uuid4(rng) + "}"
        msg = ("An account was successfully logged on.\n\nSubject:\n\tSecurity ID:\t\tS-1-0-0\n\tAccount Name:\t\t-\n\tAccount Domain:\t\t-\n"
               "\tLogon ID:\t\t0x0\n\nLogon Information:\n\tLogon Type:\t\t3\n\tRestricted Admin Mode:\t-\n\tRemote Credential Guard:\t-\n"
               "\tVirtual Account:\t\tNo\n\tElevated Token:\t\tNo\n\nImpersonation Level:\t\tImpersonation\n\nNew Logon:\n"
               f"\tSecurity ID:\t\t{W_SID}-{rid}\n\tAccount Name:\t\t{account}\n\tAccount Domain:\t\tCORP.EXAMPLE.NET\n"
               f"\tLogon ID:\t\t{lid}\n\tLinked Logon ID:\t\t0x0\n\tNetwork Account Name:\t-\n\tNetwork Account Domain:\t-\n"
               f"\tLogon GUID:\t\t{guid}\n\nProcess Information:\n\tProcess ID:\t\t0x0\n\tProcess Name:\t\t-\n\n"
               f"Network Information:\n\tWorkstation Name:\t-\n\tSource Network Address:\t{src_ip}\n\tSource Port:\t\t{port}\n\n"
               "Detailed Authentication Information:\n\tLogon Process:\t\tKerberos\n\tAuthentication Package:\tKerberos\n"
               "\tTransited Services:\t-\n\tPackage Name (NTLM only):\t-\n\tKey Length:\t\t0\n\n"
               "This event is generated when a logon session is created. It is generated on the computer that was accessed.")
        ev(dt, comp, "Security", "Microsoft-Windows-Security-Auditing", 4624, "information", msg,
           {"AuthenticationPackageName": "Kerberos", "IpAddress": src_ip, "IpPort": str(port), "LogonGuid": guid,
            "LogonProcessName": "Kerberos", "LogonType": "3", "TargetDomainName": "CORP.EXAMPLE.NET", "TargetLogonId": lid,
            "TargetUserName": account, "TargetUserSid": f"{W_SID}-{rid}"},
           tpl_on, keywords=("Audit Success",), task="Logon", action="logged-in", outcome="success", pid=772, tid=rng.randint(800, 9000),
           opcode="Info")
        if life is not None and dt + sec(life) < T1:
            t2 = dt + sec(life)
            ev(t2, comp, "Security", "Microsoft-Windows-Security-Auditing", 4634, "information",
               f"An account was logged off.\n\nSubject:\n\tSecurity ID:\t\t{W_SID}-{rid}\n\tAccount Name:\t\t{account}\n"
               f"\tAccount Domain:\t\tCORP\n\tLogon ID:\t\t{lid}\n\nLogon Type:\t\t\t3\n\nThis event is generated when a logon session "
               "is destroyed. It may be positively correlated with a logon event using the Logon ID value. Logon IDs are only unique "
               "between reboots on the same computer.",
               {"TargetDomainName": "CORP", "TargetLogonId": lid, "TargetUserName": account, "TargetUserSid": f"{W_SID}-{rid}",
                "LogonType": "3"},
               "w_4634", keywords=("Audit Success",), task="Logoff", action="logged-out", outcome="success", pid=772,
               tid=rng.randint(800, 9000), opcode="Info")
        return lid

    for web in ("WEB01", "WEB02"):
        for t in poisson(rng, T0, T1, 9):
            logon(t, "SQL01", "svc-orders-app", 1184, W_IP[web], life=rng.uniform(30, 900))

    # ---- the log backups (every 15 min) and the incident
    def share_access(dt, ok, fname):
        lid = hexid()
        port = rng.randint(49152, 65535)
        subj = (f"Subject:\n\tSecurity ID:\t\t{W_SID}-1144\n\tAccount Name:\t\tsvc-sqlsrv\n\tAccount Domain:\t\tCORP\n"
                f"\tLogon ID:\t\t{lid}\n\n")
        data = {"SubjectUserName": "svc-sqlsrv", "SubjectDomainName": "CORP", "SubjectLogonId": lid, "IpAddress": W_IP["SQL01"],
                "IpPort": str(port), "ShareName": "\\\\*\\sqlbackups", "ShareLocalPath": "\\??\\D:\\Shares\\sqlbackups"}
        if ok:
            msg = ("A network share object was accessed.\n\t\n" + subj + "Network Information:\t\n\tObject Type:\t\tFile\n"
                   f"\tSource Address:\t\t{W_IP['SQL01']}\n\tSource Port:\t\t{port}\n\t\nShare Information:\n"
                   "\tShare Name:\t\t\\\\*\\sqlbackups\n\tShare Path:\t\t\\??\\D:\\Shares\\sqlbackups\n\n"
                   "Access Request Information:\n\tAccess Mask:\t\t0x1\n\tAccesses:\t\tReadData (or ListDirectory)\n\t\t\t\t")
            ev(dt, "BACKUP01", "Security", "Microsoft-Windows-Security-Auditing", 5140, "information", msg, data, "w_5140",
               keywords=("Audit Success",), task="File Share", action="network-share-object-accessed", outcome="success", pid=4,
               tid=rng.randint(100, 9000), opcode="Info")
        else:
            data["RelativeTargetName"] = fname
            msg = ("A network share object was checked to see whether client can be granted desired access.\n\n" + subj +
                   f"Network Information:\t\n\tObject Type:\t\tFile\n\tSource Address:\t\t{W_IP['SQL01']}\n\tSource Port:\t\t{port}\n"
                   "\t\nShare Information:\n\tShare Name:\t\t\\\\*\\sqlbackups\n\tShare Path:\t\t\\??\\D:\\Shares\\sqlbackups\n"
                   f"\tRelative Target Name:\t{fname}\n\nAccess Request Information:\n\tAccess Mask:\t\t0x100196\n"
                   "\tAccesses:\t\tREAD_CONTROL\n\t\t\t\tWriteData (or AddFile)\n\t\t\t\tAppendData (or AddSubdirectory or "
                   "CreatePipeInstance)\n\t\t\t\tWriteEA\n\t\t\t\tWriteAttributes\n\t\t\t\t\nAccess Check Results:\n\t-\n")
            ev(dt, "BACKUP01", "Security", "Microsoft-Windows-Security-Auditing", 5145, "information", msg, data, "w_5145",
               keywords=("Audit Failure",), task="Detailed File Share", action="network-share-object-access-checked",
               outcome="failure", pid=4, tid=rng.randint(100, 9000), opcode="Info")

    def backed_up(dt, fname):
        first = f"{lsn[0]}:{lsn[1]}:1"
        lsn[1] += rng.randint(800, 9000)
        if lsn[1] > 60000:
            lsn[0] += 1
            lsn[1] -= 60000
        last = f"{lsn[0]}:{lsn[1]}:1"
        dev = f"{W_SHARE}\\SQL01\\OrdersDB\\LOG\\{fname}"
        mssql(dt, 18265, "information",
              f"Log was backed up. Database: OrdersDB, creation date(time): {W_DB_CREATED}, first LSN: {first}, last LSN: {last}, number of "
              f"dump devices: 1, device information: (FILE=1, TYPE=DISK: {{'{dev}'}}). This is an informational message only. No user "
              "action is required.", {"param1": "OrdersDB", "param2": W_DB_CREATED, "param3": first, "param4": last, "param5": "1",
                                      "param6": f"(FILE=1, TYPE=DISK: {{'{dev}'}})"}, "w_18265")

    job_run = 0
    t = at(18, 4, 45)
    while t < T1:
        tt = t + sec(rng.uniform(0.6, 2.5))
        fname = f"SQL01_OrdersDB_LOG_{t.strftime('%Y%m%d_%H%M%S')}.trn"
        job_run += 1
        if CHANGE <= t < REVERT:
            share_access(tt - sec(0.05), False, f"SQL01\\OrdersDB\\LOG\\{fname}")
            dev = f"{W_SHARE}\\SQL01\\OrdersDB\\LOG\\{fname}"
            mssql(tt, 18204, "error", f"BackupDiskFile::CreateMedia: Backup device '{dev}' failed to create. Operating system error "
                                      "5(Access is denied.).", {"param1": "BackupDiskFile::CreateMedia", "param2": dev,
                                                                "param3": "5(Access is denied.)"}, "w_18204")
            mssql(tt + sec(0.004), 3041, "error", "BACKUP failed to complete the command BACKUP LOG OrdersDB. Check the backup "
                                                  "application log for detailed messages.",
                  {"param1": "BACKUP LOG OrdersDB"}, "w_3041")
            ev(tt + sec(0.2), "SQL01", "Application", "SQLSERVERAGENT", 208, "warning",
               f"SQL Server Scheduled Job 'LogBackup - OrdersDB' (0x5E1C9A2B7D4F4E1B8C3A6F0D2E9B7C41) - Status: Failed - Invoked on: "
               f"{t.strftime('%Y-%m-%d %H:%M:%S')} - Message: The job failed.  The Job was invoked by Schedule 9 (Every 15 minutes).  "
               "The last step to run was step 1 (Backup log).",
               {"param1": "LogBackup - OrdersDB", "param2": "0x5E1C9A2B7D4F4E1B8C3A6F0D2E9B7C41", "param3": "Failed",
                "param4": t.strftime('%Y-%m-%d %H:%M:%S'), "param5": "The job failed.  The Job was invoked by Schedule 9 (Every 15 "
                                                                     "minutes).  The last step to run was step 1 (Backup log)."},
               "w_208", task="Job Engine")
        else:
            logon(tt - sec(0.2), "BACKUP01", "svc-sqlsrv", 1144, W_IP["SQL01"], tpl_on="w_4624_backup")
            share_access(tt - sec(0.1), True, None)
            backed_up(tt + sec(rng.uniform(0.3, 4.0)), fname)
        t += sec(900)
    # the manual backup after the revert
    logon(MANUAL - sec(0.3), "BACKUP01", "svc-sqlsrv", 1144, W_IP["SQL01"], tpl_on="w_4624_backup")
    share_access(MANUAL - sec(0.2), True, None)
    backed_up(MANUAL + sec(212.4), "SQL01_OrdersDB_LOG_manual_20240618_1139.trn")
    FULL_END = MANUAL + sec(212.4)

    # the share permission edits
    def share_mod(dt, admin, rid, lid, old_sd, new_sd):
        msg = ("A network share object was modified.\n\t\nSubject:\n"
               f"\tSecurity ID:\t\t{W_SID}-{rid}\n\tAccount Name:\t\t{admin}\n\tAccount Domain:\t\tCORP\n\tLogon ID:\t\t{lid}\n\n"
               "Share Information:\t\n\tObject Type:\t\tDirectory\n\tShare Name:\t\t\\\\*\\sqlbackups\n"
               "\tShare Path:\t\tD:\\Shares\\sqlbackups\n\tOld Remark:\t\tN/A\n\tNew Remark:\t\tN/A\n\tOld MaxUsers:\t\t0xFFFFFFFF\n"
               "\tNew Maxusers:\t\t0xFFFFFFFF\n\tOld ShareFlags:\t\t0x0\n\tNew ShareFlags:\t\t0x0\n"
               f"\tOld SD:\t\t{old_sd}\n\tNew SD:\t\t{new_sd}\n")
        ev(dt, "BACKUP01", "Security", "Microsoft-Windows-Security-Auditing", 5143, "information", msg,
           {"SubjectUserSid": f"{W_SID}-{rid}", "SubjectUserName": admin, "SubjectDomainName": "CORP", "SubjectLogonId": lid,
            "ObjectType": "Directory", "ShareName": "\\\\*\\sqlbackups", "ShareLocalPath": "D:\\Shares\\sqlbackups",
            "OldSD": old_sd, "NewSD": new_sd},
           "w_5143", keywords=("Audit Success",), task="File Share", action="network-share-object-modified", outcome="success", pid=4,
           tid=rng.randint(100, 9000), opcode="Info")

    SD_OK = f"O:BAG:DUD:(A;;FA;;;BA)(A;;FA;;;{W_SID}-1144)(A;;0x1200a9;;;{W_SID}-1190)"
    SD_BAD = f"O:BAG:DUD:(A;;FA;;;BA)(A;;0x1200a9;;;{W_SID}-1190)(A;;0x1200a9;;;DU)"
    share_mod(CHANGE, "adm-jkowalski", 1207, "0x3E1A2F4", SD_OK, SD_BAD)
    share_mod(REVERT, "adm-rsingh", 1211, "0x41B07C2", SD_BAD, SD_OK)

    # the disk fills, the log cannot grow, every write to OrdersDB fails until the manual backup
    for dt in (at(18, 10, 24, 11.9), at(18, 10, 54, 12.2), at(18, 11, 24, 12.0), at(18, 11, 54, 12.4)):
        ev(dt, "SQL01", "System", "srv", 2013, "warning", "The L: disk is at or near capacity.  You may need to delete some files.",
           {"param1": "\\Device\\HarddiskVolume5", "param2": "L:"}, "w_2013")
    mssql(AUTOGROW_FAIL, 17053, "error", "L:\\MSSQL\\Log\\OrdersDB_log.ldf: Operating system error 112(There is not enough space on "
                                         "the disk.) encountered.",
          {"param1": "L:\\MSSQL\\Log\\OrdersDB_log.ldf", "param2": "112(There is not enough space on the disk.)"}, "w_17053")
    FULL = AUTOGROW_FAIL + sec(0.8)
    seq = {"WEB01": 1840, "WEB02": 1722}
    occ = {"WEB01": 0, "WEB02": 0}
    pid = {"WEB01": 5120, "WEB02": 6344}
    stack = ("   at System.Data.SqlClient.SqlConnection.OnError(SqlException exception, Boolean breakConnection, Action`1 wrapCloseInAction)\n"
             "   at System.Data.SqlClient.TdsParser.ThrowExceptionAndWarning(TdsParserStateObject stateObj, Boolean callerHasConnectionLock, "
             "Boolean asyncClose)\n"
             "   at System.Data.SqlClient.TdsParser.TryRun(RunBehavior runBehavior, SqlCommand cmdHandler, SqlDataReader dataStream, "
             "BulkCopySimpleResultSet bulkCopyHandler, TdsParserStateObject stateObj, Boolean& dataReady)\n"
             "   at System.Data.SqlClient.SqlCommand.RunExecuteNonQueryTds(String methodName, Boolean async, Int32 timeout, Boolean asyncWrite)\n"
             "   at System.Data.SqlClient.SqlCommand.ExecuteNonQuery()\n"
             "   at Contoso.Orders.Data.OrderRepository.Save(Order order) in D:\\a\\1\\s\\src\\Orders.Data\\OrderRepository.cs:line 88\n"
             "   at Contoso.Orders.Api.Controllers.OrdersController.Post(OrderDto dto) in D:\\a\\1\\s\\src\\Orders.Api\\Controllers\\"
             "OrdersController.cs:line 41\n")

    def aspnet(dt, web, exc_type, exc_msg, url, path, client, tpl, trace=""):
        seq[web] += rng.randint(1, 40)
        occ[web] += 1
        stamp = f"{dt.month}/{dt.day}/{dt.year} {(dt.hour % 12) or 12}:{dt.minute:02d}:{dt.second:02d} {'AM' if dt.hour < 12 else 'PM'}"
        eid = hexs(rng, 32)
        msg = (f"Event code: 3005 \nEvent message: An unhandled exception has occurred. \nEvent time: {stamp} \n"
               f"Event time (UTC): {stamp} \nEvent ID: {eid} \nEvent sequence: {seq[web]} \nEvent occurrence: {occ[web]} \n"
               "Event detail code: 0 \n \nApplication information: \n    Application domain: /LM/W3SVC/2/ROOT-1-133630381604712233 \n"
               "    Trust level: Full \n    Application Virtual Path: / \n    Application Path: D:\\sites\\OrdersApi\\ \n"
               f"    Machine name: {web} \n \nProcess information: \n    Process ID: {pid[web]} \n    Process name: w3wp.exe \n"
               "    Account name: IIS APPPOOL\\OrdersApi \n \nException information: \n"
               f"    Exception type: {exc_type} \n    Exception message: {exc_msg}\n{trace}\n \n \n"
               f"Request information: \n    Request URL: {url} \n    Request path: {path} \n    User host address: {client} \n"
               "    User:  \n    Is authenticated: False \n    Authentication Type:  \n    Thread account name: IIS APPPOOL\\OrdersApi \n")
        ev(dt, web, "Application", "ASP.NET 4.0.30319.0", 1309, "warning", msg,
           {"param1": "3005", "param2": "An unhandled exception has occurred.", "param3": stamp, "param4": stamp, "param5": eid,
            "param6": str(seq[web]), "param7": str(occ[web]), "param8": "0", "param9": "/LM/W3SVC/2/ROOT-1-133630381604712233",
            "param17": exc_type, "param18": exc_msg, "param19": url, "param20": path, "param21": client}, tpl, task="Web Event")

    for t in poisson(rng, FULL, FULL_END, 42):
        web = rng.choice(["WEB01", "WEB02"])
        mssql(t, 9002, "error", "The transaction log for database 'OrdersDB' is full due to 'LOG_BACKUP'.",
              {"param1": "OrdersDB", "param2": "LOG_BACKUP"}, "w_9002")
        aspnet(t + sec(rng.uniform(0.01, 0.08)), web, "SqlException",
               "The transaction log for database 'OrdersDB' is full due to 'LOG_BACKUP'.",
               "https://orders.example.net:443/api/orders", "/api/orders", f"10.20.1.{rng.randint(5, 8)}", "w_1309_sql", stack)
    # dangerous-path noise on both web hosts
    for t in poisson(rng, T0, T1, 0.45):
        web = rng.choice(["WEB01", "WEB02"])
        p = rng.choice(["/api/orders/<script>", "/api/orders/*", "/api/orders/..%5c..%5cwin.ini", "/api/orders/%3Csvg"])
        aspnet(t, web, "HttpException", f"A potentially dangerous Request.Path value was detected from the client ({rng.choice('<*%:')}).",
               f"https://orders.example.net:443{p}", p, f"10.20.1.{rng.randint(5, 8)}", "w_1309_path",
               "   at System.Web.HttpRequest.ValidateInputIfRequiredByConfig()\n"
               "   at System.Web.HttpApplication.PipelineStepManager.ValidateHelper(HttpContext context)\n")

    # ---- the ReportsPool crash on WEB02 (unrelated)
    t = CRASH
    wpid = 7712
    for k in range(5):
        stamp = format(rng.randint(0x01DAC1A000000000, 0x01DAC1AFFFFFFFFF), "016x")
        ev(t, "WEB02", "Application", ".NET Runtime", 1026, "error",
           "Application: w3wp.exe\nFramework Version: v4.0.30319\nDescription: The process was terminated due to stack overflow.",
           {"param1": "Application: w3wp.exe\nFramework Version: v4.0.30319\nDescription: The process was terminated due to stack "
                      "overflow."}, "w_1026")
        ev(t + sec(0.4), "WEB02", "Application", "Application Error", 1000, "error",
           "Faulting application name: w3wp.exe, version: 10.0.20348.1, time stamp: 0x6b8ffbcd\nFaulting module name: clr.dll, version: "
           f"4.8.4645.0, time stamp: 0x6453f2f5\nException code: 0xc00000fd\nFault offset: 0x0000000000006a2c\nFaulting process id: "
           f"0x{wpid:x}\nFaulting application start time: 0x{stamp}\nFaulting application path: c:\\windows\\system32\\inetsrv\\w3wp.exe\n"
           "Faulting module path: C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\clr.dll\n"
           f"Report Id: {uuid4(rng)}\nFaulting package full name: \nFaulting package-relative application ID: ",
           {"AppName": "w3wp.exe", "AppVersion": "10.0.20348.1", "ModuleName": "clr.dll", "ModuleVersion": "4.8.4645.0",
            "ExceptionCode": "c00000fd", "ProcessId": f"0x{wpid:x}"}, "w_1000", task="Application Crashing Events")
        ev(t + sec(1.1), "WEB02", "System", "Microsoft-Windows-WAS", 5011, "warning",
           f"A process serving application pool 'ReportsPool' suffered a fatal communication error with the Windows Process Activation "
           f"Service. The process id was '{wpid}'. The data field contains the error number.",
           {"AppPoolID": "ReportsPool", "ProcessID": str(wpid), "Binary": "6D000780"}, "w_5011")
        wpid += rng.randint(40, 400)
        t += sec(rng.uniform(35, 60))
    ev(t - sec(rng.uniform(30, 34)) + sec(1.3), "WEB02", "System", "Microsoft-Windows-WAS", 5002, "error",
       "Application pool 'ReportsPool' is being automatically disabled due to a series of failures in the process(es) serving that "
       "application pool.", {"AppPoolID": "ReportsPool"}, "w_5002")

    # ---- noise
    for h in W_HOSTS:
        for t in poisson(rng, T0, T1, 0.7):
            ev(t, h, "System", "Microsoft-Windows-DistributedCOM", 10016, "warning", W_DCOM,
               {"param1": "application-specific", "param2": "Local", "param3": "Activation",
                "param4": "{2593F8B9-4EAF-457C-B68A-50F6B8EA6B54}", "param5": "{15C20B67-12E7-4BB6-92BB-7AFF07997402}",
                "param6": "NT AUTHORITY", "param7": "SYSTEM", "param8": "S-1-5-18", "param9": "LocalHost (Using LRPC)",
                "param10": "Unavailable", "param11": "Unavailable"}, "w_10016")
        for t in poisson(rng, T0, T1, 0.5):
            svc = rng.choice(["Windows Modules Installer", "WinHTTP Web Proxy Auto-Discovery Service", "Windows Update",
                              "Background Intelligent Transfer Service", "Microsoft Edge Update Service (edgeupdate)"])
            ev(t, h, "System", "Service Control Manager", 7036, "information", f"The {svc} service entered the running state.",
               {"param1": svc, "param2": "running"}, "w_7036_run", keywords=("Classic",))
            ev(t + sec(rng.uniform(60, 600)), h, "System", "Service Control Manager", 7036, "information",
               f"The {svc} service entered the stopped state.", {"param1": svc, "param2": "stopped"}, "w_7036_stop")
        t = T0 + sec(rng.uniform(100, 3000))
        while t < T1:
            ev(t, h, "System", "Microsoft-Windows-Time-Service", 37, "information",
               f"The time provider NtpClient is currently receiving valid time data from DC01.{W_DOMAIN} (ntp.d|10.20.0.10:123->"
               f"{W_IP[h]}:123).", {"TimeSource": f"DC01.{W_DOMAIN} (ntp.d|10.20.0.10:123->{W_IP[h]}:123)"}, "w_time37")
            t += sec(rng.uniform(6 * 3600, 9 * 3600))
    for web in ("WEB01", "WEB02"):
        for t in poisson(rng, T0, T1, 0.25):
            ev(t, web, "System", "Microsoft-Windows-DNS-Client", 1014, "warning",
               f"Name resolution for the name wpad.{W_DOMAIN} timed out after none of the configured DNS servers responded.",
               {"QueryName": f"wpad.{W_DOMAIN}", "AddressLength": "128"}, "w_1014", task="(1014)")
        for t in poisson(rng, T0, T1, 0.3, lambda x: 0.2 if 7 <= x.hour < 21 else 1.0):
            p = rng.randint(3000, 9000)
            ev(t, web, "System", "Microsoft-Windows-WAS", 5186, "information",
               f"A worker process with process id of '{p}' serving application pool 'ReportsPool' was shutdown due to inactivity.  "
               "Application Pool timeout configuration was set to 20 minutes.  A new worker process will be started when needed.",
               {"AppPoolID": "ReportsPool", "ProcessID": str(p), "Minutes": "20"}, "w_5186")
        rt = at(18, 17, 12, 40.0) if web == "WEB01" else at(18, 17, 44, 3.0)
        ev(rt, web, "System", "Microsoft-Windows-WAS", 5074, "information",
           f"A worker process with process id of '{pid[web]}' serving application pool 'OrdersApi' has requested a recycle because the "
           "worker process reached its allowed processing time limit.",
           {"AppPoolID": "OrdersApi", "ProcessID": str(pid[web])}, "w_5074")
        pid[web] += rng.randint(100, 900)
    # a monitoring box with a stale password; SQL CHECKDB and full backups at night; a config change
    for t in poisson(rng, T0, T1, 2.0):
        mssql(t, 18456, "information", "Login failed for user 'zbx_monitor'. Reason: Password did not match that for the login "
                                       "provided. [CLIENT: 10.20.6.15]",
              {"param1": "zbx_monitor", "param2": "Reason: Password did not match that for the login provided.",
               "param3": "[CLIENT: 10.20.6.15]"}, "w_18456", keywords=("Audit Failure", "Classic"))
    for k, db in enumerate(["master", "msdb", "OrdersDB", "ReportingDB"]):
        dt = at(19, 1, 0, 4.0) + sec([6, 11, 1890, 2140][k])
        dev = f"{W_SHARE}\\SQL01\\{db}\\FULL\\SQL01_{db}_FULL_20240619_010000.bak"
        pages = [1017, 4210, 4417113, 812004][k]
        mssql(dt, 18264, "information",
              f"Database backed up. Database: {db}, creation date(time): {W_DB_CREATED if db == 'OrdersDB' else '2021/11/02(14:21:40)'}, "
              f"pages dumped: {pages}, first LSN: {rng.randint(1000, 400000)}:{rng.randint(10, 9999)}:1, last LSN: "
              f"{rng.randint(1000, 400000)}:{rng.randint(10, 9999)}:1, number of dump devices: 1, device information: (FILE=1, TYPE=DISK: "
              f"{{'{dev}'}}). This is an informational message only. No user action is required.",
              {"param1": db, "param3": str(pages), "param6": f"(FILE=1, TYPE=DISK: {{'{dev}'}})"}, "w_18264")
        share_access(dt - sec(2), True, None)
        dt2 = at(19, 2, 30, 1.0) + sec([20, 41, 300, 560][k])
        mssql(dt2, 8957, "information",
              f"DBCC CHECKDB ({db}) WITH no_infomsgs executed by CORP\\svc-sqlagent found 0 errors and repaired 0 errors. Elapsed time: "
              f"0 hours {[0, 0, 4, 3][k]} minutes {rng.randint(1, 59)} seconds.  Internal database snapshot has split point LSN = "
              f"{rng.randint(1000, 400000):08x}:{rng.randint(10, 9999):08x}:0001 and first LSN = {rng.randint(1000, 400000):08x}:"
              f"{rng.randint(10, 9999):08x}:0001.", {"param1": db}, "w_8957")
    for t in poisson(rng, T0, T1, 0.6):
        mssql(t, 17137, "information", "Starting up database 'ReportingDB'.", {"param1": "ReportingDB"}, "w_17137")
    mssql(at(18, 16, 5, 31.2), 15457, "information", "Configuration option 'cost threshold for parallelism' changed from 5 to 50. Run the "
                                                     "RECONFIGURE statement to install.",
          {"param1": "cost threshold for parallelism", "param2": "5", "param3": "50"}, "w_15457")
    return L.build()


def facts_windows(records):
    def eid(r):
        return r["winlog"]["event_id"]

    fails = [r["timestamp"] for r in records if eid(r) == "3041"]
    mods = [r["timestamp"] for r in records if eid(r) == "5143"]
    after = next(r["timestamp"] for r in records if eid(r) == "18265" and r["timestamp"] > mods[1])
    last_9002 = [r["timestamp"] for r in records if eid(r) == "9002"][-1]
    last_1309 = {}
    for r in records:
        if eid(r) == "1309" and "SqlException" in r["message"]:
            last_1309[r["agent"]["name"]] = r["timestamp"]
    return {"fail1": fails[0], "fail2": fails[1], "change": mods[0], "revert": mods[1], "ok_after": after, "last_9002": last_9002,
            "last_1309": dict(sorted(last_1309.items())), "n_9002": sum(1 for r in records if eid(r) == "9002")}


WINDOWS_PROBLEM = [{"field": {"log.level": "warning|error|critical"}}]


def questions_windows(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in WINDOWS_PROBLEM]

    return [
        q("broad",
          "orders api on web01/web02 cant save orders since about 11, users get a generic error page. what went wrong between 10:58 "
          "and 11:02 utc on jun 18?",
          ["transaction log", "SqlException"],
          problems("2024-06-18T10:58:00Z", "2024-06-18T11:02:00Z")),
        q("lexical",
          "sql01 keeps throwing event id 9002. which database is it and how many times has it fired so far?",
          ["OrdersDB", "LOG_BACKUP"],
          {"field": {"winlog.event_id": "9002"}}),
        q("follow-up",
          "why isnt it getting backed up then? since when have those jobs been failing",
          ["Access is denied", "LogBackup - OrdersDB"],
          {"field": {"winlog.event_id": "18204|3041|208|5145"}, "since": plus(f["fail1"], -30), "until": plus(f["fail2"], 30)}),
        q("paraphrase",
          "did anybody fiddle with who is allowed to write into the place those copies land, shortly before that?",
          ["sqlbackups", "adm-jkowalski"],
          {"field": {"winlog.event_id": "5143"}, "until": plus(f["change"], 0.001)}),
        q("follow-up",
          "someone put that back a while ago. did it recover after that, are saves going through again?",
          ["Log was backed up", "adm-rsingh"],
          [{"field": {"winlog.event_id": "5143"}, "since": f["revert"]},
           {"field": {"winlog.event_id": "18265"}, "since": f["ok_after"], "until": plus(f["ok_after"], 0.001)},
           {"field": {"winlog.event_id": "9002"}, "since": f["last_9002"]}]
          + [{"field": {"winlog.event_id": "1309", "agent.name": h}, "msg": "SqlException", "since": ts}
             for h, ts in f["last_1309"].items()]),
        q("lexical",
          "unrelated: ReportsPool on web02 shows as Stopped in iis manager this morning and reports.example.net gives 503. why did it "
          "stop?",
          ["stack overflow", "automatically disabled"],
          [{"field": {"winlog.event_id": "5011|5002", "agent.name": "WEB02"}, "msg": "'ReportsPool'"},
           {"field": {"winlog.event_id": "1026", "agent.name": "WEB02"}, "msg": "stack overflow"}]),
    ]


# =============================================================================================
# Question specs, rules and checks


def q(style, ask, mentions, rule):
    assert style in STYLES, style
    return {"style": style, "ask": ask, "mentions": mentions, "rule": rule}


SYSTEMS = [
    {
        "id": "n-vault",
        "title": "vault (1.15, raft, kubernetes auth): payments-api v3.8.0 requests fresh database credentials for every unit of work; "
                 "the leases fill the `database-leases` lease-count quota and every database/creds/* read fails with `lease count "
                 "quota exceeded` (orders-api too) until the rollback and a revoke-prefix; overnight the raft snapshot CronJob gets "
                 "`permission denied` after an edit of its ACL policy",
        "gen": gen_vault,
        "facts": facts_vault,
        "questions": questions_vault,
    },
    {
        "id": "n-celery",
        "title": "billing (Django + Celery + Redis): release 2024.06.11.1 makes the order export task return the CSV itself; the 13:30 "
                 "merchant exports fill Redis to maxmemory, publishing fails (`command not allowed when used memory > 'maxmemory'`), "
                 "checkout answers 500 and beat cannot send due tasks until a hotfix and a purge of the results; overnight the daily "
                 "digest fails SMTP authentication (535)",
        "gen": gen_celery,
        "facts": facts_celery,
        "questions": questions_celery,
    },
    {
        "id": "n-windows",
        "title": "corp Windows hosts: a share permission edit on BACKUP01 makes SQL01's OrdersDB log backups fail (Access is denied); "
                 "the transaction log fills (9002 LOG_BACKUP) and the orders API on WEB01/WEB02 cannot save orders until the "
                 "permissions are restored and a log backup runs; overnight WAS disables ReportsPool on WEB02 after stack-overflow "
                 "crashes",
        "gen": gen_windows,
        "facts": facts_windows,
        "questions": questions_windows,
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
    for name in ("kubernetes.pod_name", "hostname", "agent.name"):
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
        assert re.fullmatch(r"n-[a-z0-9-]+", sid), sid
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

#!/usr/bin/env python3
"""Build the "incidents-f" evaluation set: synthetic logs of three systems plus on-call Slack threads.

Usage: python3 make_incidents_f.py [--out DIR] [--show]

  --out   where to write; default: the folder of this script.
  --show  print every turn's relevant lines; write nothing.

Generates, for each system, <out>/f-<system>/logs.jsonl (log records in the replay format of
shared/spec/incident-format.md) and <out>/f-<system>/incident.json, plus <out>/questions.json (the
style of every turn). Standard library only. Every random choice comes from random.Random with a
fixed seed per system, so a second run rewrites identical bytes.

  f-k8s    one Kubernetes node: kubelet (klog) lines plus cluster events. A bad config rollout makes
           the new checkout-api pods crash-loop; the node then hits DiskPressure and evicts pods.
  f-nginx  an nginx edge box (+09:00): error log plus JSON access log. One checkout upstream stops
           answering (504s), then the whole pool is marked down ("no live upstreams", 502s).
  f-kafka  three Kafka brokers (log4j) plus one producer app. Broker 3 is cut off from ZooKeeper
           and its peers; ISRs shrink, producers see NotLeaderForPartition; it rejoins, ISRs expand.

Questions were written by hand, as an on-call engineer types in a Slack thread (six per system, two
per style: broad, lexical, paraphrase). Relevant lines are never listed by hand: a rule selects them
from the generated records. A rule is a dict (or a list of dicts whose selections are united);
every condition of a dict must hold:

  msg      regex searched in `message`
  not_msg  regex that must NOT be found in `message`
  field    {name: regex}, each fully matched against that record field (as a string)
  since    ISO 8601 time; the record's timestamp must be >= it
  until    ISO 8601 time; the record's timestamp must be < it
"""

import argparse
import json
import random
import re
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
STYLES = ("broad", "lexical", "paraphrase")
MIN_LINES, MAX_LINES = 1, 40
PER_STYLE_PER_SYSTEM = 2


# ---------------------------------------------------------------------------------------------
# Generation helpers


class Stream:
    """Collects (time, record) pairs; records come out sorted by time, ties in insertion order."""

    def __init__(self, seed, tz, frac_digits):
        self.r = random.Random(seed)
        self.tz = tz
        self.frac = frac_digits
        self.items = []

    def add(self, t, rec):
        self.items.append((t, len(self.items), rec))

    def fmt(self, t):
        t = t.astimezone(self.tz)
        s = t.strftime("%Y-%m-%dT%H:%M:%S")
        if self.frac:
            s += "." + f"{t.microsecond:06d}"[: self.frac]
        off = t.strftime("%z")
        return s + ("Z" if off == "+0000" else off[:3] + ":" + off[3:])

    def records(self):
        out = []
        for t, _, rec in sorted(self.items, key=lambda x: (x[0], x[1])):
            # the timestamp is cut to the stream's precision, so order is kept
            out.append(dict({"timestamp": self.fmt(t)}, **rec))
        return out

    # random helpers
    def hexs(self, n):
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def uid(self):
        return f"{self.hexs(8)}-{self.hexs(4)}-4{self.hexs(3)}-{self.r.choice('89ab')}{self.hexs(3)}-{self.hexs(12)}"

    def jitter(self, t, lo, hi):
        return t + timedelta(seconds=self.r.uniform(lo, hi))


def poisson_times(r, start, end, per_hour):
    """Event times of a Poisson process; per_hour may be a function of the local hour."""
    t = start
    out = []
    while True:
        rate = per_hour(t) if callable(per_hour) else per_hour
        t = t + timedelta(seconds=r.expovariate(rate / 3600.0))
        if t >= end:
            return out
        out.append(t)


# ---------------------------------------------------------------------------------------------
# f-k8s: kubelet on one GKE node plus cluster events (UTC)

UTC = UTC
K8S_NODE = "gke-prod-pool-2-7c9f1e3a-x8kq"
K8S_START = datetime(2024, 4, 11, 6, 0, 0, tzinfo=UTC)
K8S_END = datetime(2024, 4, 12, 10, 30, 0, tzinfo=UTC)
SUFFIX = "bcdfghjklmnpqrstvwxz2456789"


def gen_k8s():
    s = Stream(20240411, UTC, 6)
    r = s.r
    node = K8S_NODE

    def klog(t, lvl, src, msg):
        s.add(
            t,
            {"level": lvl, "message": msg, "source": src, "host": node, "service": "kubelet", "pid": "2291"},
        )

    def event(t, typ, reason, ns, kind, name, msg, container=None):
        rec = {
            "level": typ,
            "message": msg,
            "reason": reason,
            "namespace": ns,
            "object": f"{kind}/{name}",
            "host": node,
            "service": "k8s-events",
        }
        if kind == "Pod":
            rec["pod"] = name
        if container:
            rec["container"] = container
        s.add(t, rec)

    pods = {}  # name -> dict(ns, uid, ip)

    def pod(ns, name, ip):
        pods[name] = {"ns": ns, "uid": s.uid(), "ip": ip}
        return pods[name]

    def pleg(t, name, typ):
        p = pods[name]
        klog(
            t,
            "I",
            "kubelet.go:2187",
            f'"SyncLoop (PLEG): event for pod" pod="{p["ns"]}/{name}" event={{"ID":"{p["uid"]}","Type":"{typ}","Data":"{s.hexs(64)}"}}',
        )

    def start_pod(t, ns, name, ip, image, container, volumes, pulled=True, pull_secs=None):
        p = pod(ns, name, ip)
        event(t, "Normal", "Scheduled", ns, "Pod", name, f"Successfully assigned {ns}/{name} to {node}")
        t = s.jitter(t, 0.05, 0.3)
        klog(t, "I", "kubelet.go:2398", f'"SyncLoop ADD" source="api" pods=["{ns}/{name}"]')
        for v in volumes + [f"kube-api-access-{''.join(r.choice(SUFFIX) for _ in range(5))}"]:
            kind = (
                "configmap" if "config" in v else ("projected" if v.startswith("kube-api") else "empty-dir")
            )
            t = s.jitter(t, 0.01, 0.08)
            klog(
                t,
                "I",
                "reconciler_common.go:258",
                f'"operationExecutor.VerifyControllerAttachedVolume started for volume \\"{v}\\" (UniqueName: \\"kubernetes.io/{kind}/{p["uid"]}-{v}\\") pod \\"{name}\\" (UID: \\"{p["uid"]}\\") " pod="{ns}/{name}"',
            )
            t = s.jitter(t, 0.05, 0.2)
            klog(
                t,
                "I",
                "operation_generator.go:721",
                f'"MountVolume.SetUp succeeded for volume \\"{v}\\" (UniqueName: \\"kubernetes.io/{kind}/{p["uid"]}-{v}\\") pod \\"{name}\\" (UID: \\"{p["uid"]}\\") " pod="{ns}/{name}"',
            )
        t = s.jitter(t, 0.3, 0.9)
        if pulled:
            event(
                t,
                "Normal",
                "Pulled",
                ns,
                "Pod",
                name,
                f'Container image "{image}" already present on machine',
                container,
            )
        else:
            event(t, "Normal", "Pulling", ns, "Pod", name, f'Pulling image "{image}"', container)
            t = t + timedelta(seconds=pull_secs)
            size = r.randint(40_000_000, 480_000_000)
            event(
                t,
                "Normal",
                "Pulled",
                ns,
                "Pod",
                name,
                f'Successfully pulled image "{image}" in {pull_secs:.3f}s ({pull_secs:.3f}s including waiting). Image size: {size} bytes.',
                container,
            )
        t = s.jitter(t, 0.1, 0.4)
        event(t, "Normal", "Created", ns, "Pod", name, f"Created container {container}", container)
        t = s.jitter(t, 0.2, 0.6)
        event(t, "Normal", "Started", ns, "Pod", name, f"Started container {container}", container)
        pleg(s.jitter(t, 0.3, 1.0), name, "ContainerStarted")
        return t

    # --- steady pods on the node (started before the window) ---
    pod("shop", "checkout-api-7f8c9d5b6-h4vzt", "10.244.3.18")
    pod("shop", "cart-worker-84b6d7c9f-hn5tx", "10.244.3.22")
    pod("search", "search-indexer-0", "10.244.3.31")
    pod("kube-system", "fluent-bit-x7k2p", "10.128.0.57")
    pod("monitoring", "node-exporter-9vq4m", "10.128.0.57")

    # --- background: the report-rollup cronjob every 30 minutes ---
    t = K8S_START + timedelta(minutes=0)
    job = 28551720
    while t < K8S_END:
        job_t = t
        t = t + timedelta(minutes=30)
        job += 30
        if datetime(2024, 4, 11, 15, 25, tzinfo=UTC) <= job_t <= datetime(2024, 4, 11, 15, 35, tzinfo=UTC):
            continue  # handled by the DiskPressure scenario
        name = f"report-rollup-{job}-{''.join(r.choice(SUFFIX) for _ in range(5))}"
        st = job_t + timedelta(seconds=r.uniform(0.5, 2.5))
        event(
            job_t + timedelta(seconds=0.2),
            "Normal",
            "SuccessfulCreate",
            "batch",
            "Job",
            f"report-rollup-{job}",
            f"Created pod: {name}",
        )
        st = start_pod(
            st,
            "batch",
            name,
            f"10.244.3.{r.randint(40, 250)}",
            "registry.internal/batch/report-rollup:1.8.2",
            "rollup",
            ["report-rollup-config"],
        )
        done = st + timedelta(seconds=r.uniform(25, 140))
        pleg(done, name, "ContainerDied")
        event(
            done + timedelta(seconds=1.1),
            "Normal",
            "Completed",
            "batch",
            "Job",
            f"report-rollup-{job}",
            "Job completed",
        )
        klog(
            done + timedelta(seconds=r.uniform(60, 200)),
            "I",
            "kubelet.go:2414",
            f'"SyncLoop DELETE" source="api" pods=["batch/{name}"]',
        )
        if r.random() < 0.5:
            klog(
                done + timedelta(seconds=r.uniform(200, 260)),
                "I",
                "kubelet_volumes.go:161",
                f'"Cleaned up orphaned pod volumes dir" podUID="{pods[name]["uid"]}" path="/var/lib/kubelet/pods/{pods[name]["uid"]}/volumes"',
            )

    # --- background: warnings/errors that are not the fault ---
    for t in poisson_times(r, K8S_START, K8S_END, 1.3):
        klog(
            t,
            "E",
            "summary_sys_containers.go:48",
            '"Failed to get system container stats" err="failed to get cgroup stats for \\"/system.slice/docker.service\\": '
            'failed to get container info for \\"/system.slice/docker.service\\": unknown container \\"/system.slice/docker.service\\"" '
            'containerName="/system.slice/docker.service"',
        )
    for t in poisson_times(r, K8S_START, K8S_END, 1.0):
        klog(
            t,
            "W",
            "kubelet.go:2404",
            f'"Housekeeping took longer than expected" expected="1s" actual="{r.uniform(1.05, 2.4):.3f}s"',
        )
    for t in poisson_times(r, K8S_START, K8S_END, 0.9):
        klog(
            t,
            "I",
            "file.go:182",
            '"Unable to read config path" err="path does not exist, ignoring" path="/etc/kubernetes/manifests"',
        )
    for t in poisson_times(r, K8S_START, K8S_END, 0.7):
        klog(
            t,
            "I",
            "container_manager_linux.go:510",
            '"Discovered runtime cgroup name" cgroupName="/system.slice/containerd.service"',
        )
    # search-indexer readiness blips (routine probes that sometimes fail while it merges segments)
    for t in poisson_times(r, K8S_START, K8S_END, 0.8):
        if datetime(2024, 4, 11, 15, 20, tzinfo=UTC) <= t <= datetime(2024, 4, 11, 15, 30, tzinfo=UTC):
            continue
        p = pods["search-indexer-0"]
        code = r.choice([503, 503, 500])
        klog(
            t,
            "I",
            "prober.go:107",
            f'"Probe failed" probeType="Readiness" pod="search/search-indexer-0" podUID="{p["uid"]}" containerName="indexer" '
            f'probeResult="failure" output="HTTP probe failed with statuscode: {code}"',
        )
        event(
            t + timedelta(seconds=0.01),
            "Warning",
            "Unhealthy",
            "search",
            "Pod",
            "search-indexer-0",
            f"Readiness probe failed: HTTP probe failed with statuscode: {code}",
            "indexer",
        )
    # node-problem-detector: a batch job OOM in the early morning of apr 12
    event(
        datetime(2024, 4, 12, 3, 17, 42, 118000, tzinfo=UTC),
        "Warning",
        "OOMKilling",
        "default",
        "Node",
        node,
        "Memory cgroup out of memory: Killed process 48213 (java) total-vm:6219044kB, anon-rss:2094112kB, "
        "file-rss:21344kB, shmem-rss:0kB, UID:1000 pgtables:4820kB oom_score_adj:979",
    )
    klog(
        datetime(2024, 4, 12, 3, 17, 42, 530000, tzinfo=UTC),
        "I",
        "kubelet.go:2187",
        '"SyncLoop (PLEG): event for pod" pod="batch/ledger-export-28552635-kq8zt" event={"ID":"'
        + s.uid()
        + '","Type":"ContainerDied","Data":"'
        + s.hexs(64)
        + '"}',
    )

    # --- noise: unrelated ImagePullBackOff in namespace ml, apr 11 09:12 .. 11:40 ---
    fs = "feature-store-6b9c7d8f4-zt5rn"
    img = "registry.internal/ml/feature-store:v2.14.0-rc3"
    t0 = datetime(2024, 4, 11, 9, 12, 4, 220000, tzinfo=UTC)
    p = pod("ml", fs, "10.244.3.77")
    event(t0, "Normal", "Scheduled", "ml", "Pod", fs, f"Successfully assigned ml/{fs} to {node}")
    klog(t0 + timedelta(seconds=0.2), "I", "kubelet.go:2398", f'"SyncLoop ADD" source="api" pods=["ml/{fs}"]')
    t = t0 + timedelta(seconds=1.4)
    back = 10
    n = 0
    while t < datetime(2024, 4, 11, 11, 40, tzinfo=UTC):
        n += 1
        event(t, "Normal", "Pulling", "ml", "Pod", fs, f'Pulling image "{img}"', "feature-store")
        t = s.jitter(t, 0.4, 1.2)
        err = (
            f'rpc error: code = NotFound desc = failed to pull and unpack image \\"{img}\\": failed to resolve reference '
            f'\\"{img}\\": {img}: not found'
        )
        klog(
            t, "E", "remote_image.go:180", f'"PullImage from image service failed" err="{err}" image="{img}"'
        )
        klog(
            t + timedelta(microseconds=180),
            "E",
            "kuberuntime_manager.go:1256",
            f"container &Container{{Name:feature-store,Image:{img},...}} start failed in pod {fs}_ml({p['uid']}): ErrImagePull: {err}",
        )
        event(
            t + timedelta(microseconds=900),
            "Warning",
            "Failed",
            "ml",
            "Pod",
            fs,
            f'Failed to pull image "{img}": rpc error: code = NotFound desc = failed to pull and unpack image "{img}": '
            f'failed to resolve reference "{img}": {img}: not found',
            "feature-store",
        )
        t = s.jitter(t, 0.5, 1.5)
        klog(
            t,
            "E",
            "pod_workers.go:1300",
            f'"Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"feature-store\\" with ImagePullBackOff: '
            f'\\"Back-off pulling image \\\\\\"{img}\\\\\\"\\"" pod="ml/{fs}" podUID="{p["uid"]}"',
        )
        event(
            t + timedelta(microseconds=500),
            "Normal",
            "BackOff",
            "ml",
            "Pod",
            fs,
            f'Back-off pulling image "{img}"',
            "feature-store",
        )
        t = t + timedelta(seconds=back + r.uniform(0, 3))
        back = min(back * 2, 300)
    klog(t, "I", "kubelet.go:2414", f'"SyncLoop DELETE" source="api" pods=["ml/{fs}"]')

    # --- the fault: config rollout at 13:52 on apr 11, crash loop, DiskPressure, rollback ---
    t = datetime(2024, 4, 11, 13, 51, 48, 310000, tzinfo=UTC)
    event(
        t,
        "Normal",
        "OperationStarted",
        "argocd",
        "Application",
        "shop-checkout",
        "Initiated automated sync to '3f1c9e7a52d'",
    )
    event(
        t + timedelta(seconds=6.2),
        "Normal",
        "ResourceUpdated",
        "argocd",
        "Application",
        "shop-checkout",
        "Updated sync status: Synced -> OutOfSync",
    )
    t = datetime(2024, 4, 11, 13, 52, 9, 940000, tzinfo=UTC)
    # stakater Reloader rolls the Deployment when its ConfigMap changes
    event(
        t - timedelta(seconds=1.8),
        "Normal",
        "Reloaded",
        "shop",
        "Deployment",
        "checkout-api",
        "Changes detected in 'checkout-api-config' of type 'CONFIGMAP' in namespace 'shop'; updated 'checkout-api' of "
        "type 'Deployment' in namespace 'shop'",
    )
    event(
        t,
        "Normal",
        "ScalingReplicaSet",
        "shop",
        "Deployment",
        "checkout-api",
        "Scaled up replica set checkout-api-5c7d9f6b8 to 2",
    )
    crash = ["checkout-api-5c7d9f6b8-q7lmz", "checkout-api-5c7d9f6b8-w2vfn"]
    ips = {crash[0]: "10.244.3.41", crash[1]: "10.244.3.44"}
    started = {}
    for i, name in enumerate(crash):
        tt = t + timedelta(seconds=0.3 + i * 0.4)
        event(
            tt,
            "Normal",
            "SuccessfulCreate",
            "shop",
            "ReplicaSet",
            "checkout-api-5c7d9f6b8",
            f"Created pod: {name}",
        )
        started[name] = start_pod(
            tt + timedelta(seconds=0.4),
            "shop",
            name,
            ips[name],
            "registry.internal/shop/checkout-api:2.31.0",
            "api",
            ["app-config"],
        )
    event(
        t + timedelta(seconds=14.5),
        "Normal",
        "OperationCompleted",
        "argocd",
        "Application",
        "shop-checkout",
        "Sync operation to 3f1c9e7a52d succeeded",
    )
    event(
        t + timedelta(seconds=15.1),
        "Normal",
        "ResourceUpdated",
        "argocd",
        "Application",
        "shop-checkout",
        "Updated health status: Healthy -> Progressing",
    )
    event(
        datetime(2024, 4, 11, 14, 2, 10, 5000, tzinfo=UTC),
        "Normal",
        "ResourceUpdated",
        "argocd",
        "Application",
        "shop-checkout",
        "Updated health status: Progressing -> Degraded",
    )

    evict_at = {crash[0]: datetime(2024, 4, 11, 15, 22, 31, 200000, tzinfo=UTC)}
    rollback = datetime(2024, 4, 11, 15, 48, 12, 400000, tzinfo=UTC)
    for name in crash:
        p = pods[name]
        ip = p["ip"]
        t = started[name]
        back = 10
        restarts = 0
        cid = s.hexs(64)
        end = min(evict_at.get(name, rollback), rollback)
        while True:
            # liveness: initialDelaySeconds 15, periodSeconds 10, failureThreshold 3
            for k in range(3):
                pt = t + timedelta(seconds=15 + 10 * k + r.uniform(0, 0.4))
                if pt >= end:
                    break
                out = f'Get \\"http://{ip}:8080/healthz\\": dial tcp {ip}:8080: connect: connection refused'
                klog(
                    pt,
                    "I",
                    "prober.go:107",
                    f'"Probe failed" probeType="Liveness" pod="shop/{name}" podUID="{p["uid"]}" containerName="api" '
                    f'probeResult="failure" output="{out}"',
                )
                event(
                    pt + timedelta(microseconds=700),
                    "Warning",
                    "Unhealthy",
                    "shop",
                    "Pod",
                    name,
                    f'Liveness probe failed: Get "http://{ip}:8080/healthz": dial tcp {ip}:8080: connect: connection refused',
                    "api",
                )
            else:
                kt = t + timedelta(seconds=35 + r.uniform(0.4, 0.6))
                if kt >= end:
                    break
                klog(
                    kt,
                    "I",
                    "kubelet.go:2571",
                    f'"SyncLoop (probe)" probe="liveness" status="unhealthy" pod="shop/{name}"',
                )
                klog(
                    kt + timedelta(microseconds=400),
                    "I",
                    "kuberuntime_manager.go:1029",
                    f'"Message for Container of pod" containerName="api" containerStatusID={{"Type":"containerd","ID":"{cid}"}} '
                    f'pod="shop/{name}" containerMessage="Container api failed liveness probe, will be restarted"',
                )
                klog(
                    kt + timedelta(microseconds=900),
                    "I",
                    "kuberuntime_container.go:779",
                    f'"Killing container with a grace period" pod="shop/{name}" podUID="{p["uid"]}" containerName="api" '
                    f'containerID="containerd://{cid}" gracePeriod=30',
                )
                event(
                    kt + timedelta(microseconds=1200),
                    "Normal",
                    "Killing",
                    "shop",
                    "Pod",
                    name,
                    "Container api failed liveness probe, will be restarted",
                    "api",
                )
                dt = kt + timedelta(seconds=r.uniform(0.8, 1.6))
                pleg(dt, name, "ContainerDied")
                if restarts:
                    klog(
                        dt + timedelta(seconds=0.02),
                        "I",
                        "scope.go:117",
                        f'"RemoveContainer" containerID="{s.hexs(64)}"',
                    )
                restarts += 1
                bo = {10: "10s", 20: "20s", 40: "40s", 80: "1m20s", 160: "2m40s", 300: "5m0s"}[back]
                et = dt + timedelta(seconds=r.uniform(0.05, 0.3))
                err = (
                    f'"Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"api\\" with CrashLoopBackOff: '
                    f'\\"back-off {bo} restarting failed container=api pod={name}_shop({p["uid"]})\\"" pod="shop/{name}" podUID="{p["uid"]}"'
                )
                klog(et, "E", "pod_workers.go:1300", err)
                event(
                    et + timedelta(microseconds=600),
                    "Warning",
                    "BackOff",
                    "shop",
                    "Pod",
                    name,
                    f"Back-off restarting failed container api in pod {name}_shop({p['uid']})",
                    "api",
                )
                if back >= 80:
                    klog(et + timedelta(seconds=back / 2 + r.uniform(-3, 3)), "E", "pod_workers.go:1300", err)
                nt = dt + timedelta(seconds=back + r.uniform(0.5, 1.5))
                back = min(back * 2, 300)
                if nt >= end:
                    break
                cid = s.hexs(64)
                event(
                    nt,
                    "Normal",
                    "Pulled",
                    "shop",
                    "Pod",
                    name,
                    'Container image "registry.internal/shop/checkout-api:2.31.0" already present on machine',
                    "api",
                )
                event(
                    nt + timedelta(seconds=0.2),
                    "Normal",
                    "Created",
                    "shop",
                    "Pod",
                    name,
                    "Created container api",
                    "api",
                )
                event(
                    nt + timedelta(seconds=0.5),
                    "Normal",
                    "Started",
                    "shop",
                    "Pod",
                    name,
                    "Started container api",
                    "api",
                )
                pleg(nt + timedelta(seconds=0.9), name, "ContainerStarted")
                t = nt + timedelta(seconds=0.5)
                continue
            break

    # log growth: rotation failing just before the pressure
    for i, name in enumerate(crash):
        for k in range(2):
            tt = datetime(2024, 4, 11, 15, 18 + 2 * k, 3 + 11 * i, 440000, tzinfo=UTC)
            klog(
                tt,
                "E",
                "container_log_manager.go:296",
                f'"Failed to rotate log for container" err="failed to compress log \\"/var/log/pods/shop_{name}_{pods[name]["uid"]}/api/0.log.20240411-1{5 + k}1204\\": '
                f'write /var/log/pods/shop_{name}_{pods[name]["uid"]}/api/0.log.20240411-1{5 + k}1204.gz: no space left on device" '
                f'path="/var/log/pods/shop_{name}_{pods[name]["uid"]}/api/0.log" containerID="{s.hexs(64)}"',
            )
    t = datetime(2024, 4, 11, 15, 21, 40, 118000, tzinfo=UTC)
    klog(
        t,
        "I",
        "kubelet_node_status.go:679",
        f'"Recording event message for node" node="{node}" event="NodeHasDiskPressure"',
    )
    event(
        t + timedelta(seconds=0.01),
        "Normal",
        "NodeHasDiskPressure",
        "default",
        "Node",
        node,
        f"Node {node} status is now: NodeHasDiskPressure",
    )
    victims = [
        (crash[0], "api", "shop", 6328412),
        ("search-indexer-0", "indexer", "search", 2211840),
        ("cart-worker-84b6d7c9f-hn5tx", "worker", "shop", 912384),
    ]
    t = datetime(2024, 4, 11, 15, 22, 30, 100000, tzinfo=UTC)
    for vi, (vname, vc, vns, used) in enumerate(victims):
        klog(
            t,
            "W",
            "eviction_manager.go:366",
            '"Eviction manager: attempting to reclaim" resourceName="ephemeral-storage"',
        )
        event(
            t + timedelta(seconds=0.002),
            "Warning",
            "EvictionThresholdMet",
            "default",
            "Node",
            node,
            "Attempting to reclaim ephemeral-storage",
        )
        klog(
            t + timedelta(seconds=0.01), "I", "container_gc.go:88", '"Attempting to delete unused containers"'
        )
        klog(
            t + timedelta(seconds=0.05),
            "I",
            "image_gc_manager.go:391",
            '"Attempting to delete unused images"',
        )
        for _ in range(r.randint(1, 2)):
            klog(
                t + timedelta(seconds=0.09),
                "I",
                "image_gc_manager.go:447",
                f'"Removing image to free bytes" imageID="sha256:{s.hexs(64)}" size={r.randint(30_000_000, 600_000_000)} runtimeHandler=""',
            )
        klog(
            t + timedelta(seconds=0.9),
            "I",
            "eviction_manager.go:377",
            '"Eviction manager: must evict pod(s) to reclaim" resourceName="ephemeral-storage"',
        )
        ranked = [f"{vns2}/{v2}" for v2, _, vns2, _ in victims[vi:]] + [
            "kube-system/fluent-bit-x7k2p",
            "monitoring/node-exporter-9vq4m",
        ]
        klog(
            t + timedelta(seconds=0.91),
            "I",
            "eviction_manager.go:395",
            '"Eviction manager: pods ranked for eviction" pods=[' + ",".join(f'"{x}"' for x in ranked) + "]",
        )
        avail = r.randint(9_100_000, 9_800_000)
        event(
            t + timedelta(seconds=1.1),
            "Warning",
            "Evicted",
            vns,
            "Pod",
            vname,
            f"The node was low on resource: ephemeral-storage. Threshold quantity: 10120387052, available: {avail}Ki. "
            f"Container {vc} was using {used}Ki, request is 0, has larger consumption of ephemeral-storage.",
            vc,
        )
        klog(
            t + timedelta(seconds=1.2),
            "I",
            "kuberuntime_container.go:779",
            f'"Killing container with a grace period" pod="{vns}/{vname}" podUID="{pods[vname]["uid"]}" containerName="{vc}" '
            f'containerID="containerd://{s.hexs(64)}" gracePeriod=30',
        )
        klog(
            t + timedelta(seconds=r.uniform(3, 25)),
            "I",
            "eviction_manager.go:616",
            f'"Eviction manager: pod is evicted successfully" pod="{vns}/{vname}"',
        )
        klog(
            t + timedelta(seconds=r.uniform(26, 31)),
            "I",
            "eviction_manager.go:640",
            f'"Eviction manager: pods successfully cleaned up" pods=["{vns}/{vname}"]',
        )
        t = t + timedelta(seconds=r.uniform(70, 140))
    # pods that could not come back: the disk-pressure taint
    for i, (pn, ns) in enumerate(
        [
            ("checkout-api-5c7d9f6b8-d9xbr", "shop"),
            ("search-indexer-0", "search"),
            ("cart-worker-84b6d7c9f-7rj2m", "shop"),
        ]
    ):
        for k in range(2):
            tt = datetime(2024, 4, 11, 15, 23 + 3 * i + 6 * k, 12, 300000, tzinfo=UTC) + timedelta(
                seconds=7 * i
            )
            event(
                tt,
                "Warning",
                "FailedScheduling",
                ns,
                "Pod",
                pn,
                "0/6 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }, "
                "2 Insufficient memory, 3 node(s) didn't match pod anti-affinity rules. preemption: 0/6 nodes are "
                "available: 1 Preemption is not helpful for scheduling, 5 No preemption victims found for incoming pod.",
            )
    # the 15:30 cronjob run is refused on admission
    jt = datetime(2024, 4, 11, 15, 30, 0, 210000, tzinfo=UTC)
    jn = "report-rollup-28552650-m4x9c"
    pod("batch", jn, "")
    event(jt, "Normal", "SuccessfulCreate", "batch", "Job", "report-rollup-28552650", f"Created pod: {jn}")
    klog(
        jt + timedelta(seconds=1.3),
        "I",
        "kubelet.go:2398",
        f'"SyncLoop ADD" source="api" pods=["batch/{jn}"]',
    )
    klog(
        jt + timedelta(seconds=1.31),
        "W",
        "predicate.go:152",
        f'"Failed to admit pod, unexpected error while attempting to recover from admission failure" pod="batch/{jn}" '
        f'err="preemption: error finding a set of pods to preempt: no set of running pods found to reclaim resources: [(res: ephemeral-storage, q: 1048576)]"',
    )
    event(
        jt + timedelta(seconds=1.32),
        "Warning",
        "Evicted",
        "batch",
        "Pod",
        jn,
        "The node had condition: [DiskPressure].",
    )
    # rollback
    event(
        rollback,
        "Normal",
        "ScalingReplicaSet",
        "shop",
        "Deployment",
        "checkout-api",
        "Scaled down replica set checkout-api-5c7d9f6b8 to 0 from 2",
    )
    event(
        rollback + timedelta(seconds=0.3),
        "Normal",
        "SuccessfulDelete",
        "shop",
        "ReplicaSet",
        "checkout-api-5c7d9f6b8",
        f"Deleted pod: {crash[1]}",
    )
    klog(
        rollback + timedelta(seconds=0.5),
        "I",
        "kubelet.go:2414",
        f'"SyncLoop DELETE" source="api" pods=["shop/{crash[1]}"]',
    )
    klog(
        rollback + timedelta(seconds=0.52),
        "I",
        "kuberuntime_container.go:779",
        f'"Killing container with a grace period" pod="shop/{crash[1]}" podUID="{pods[crash[1]]["uid"]}" containerName="api" '
        f'containerID="containerd://{s.hexs(64)}" gracePeriod=30',
    )
    event(
        rollback + timedelta(seconds=0.6),
        "Normal",
        "Killing",
        "shop",
        "Pod",
        crash[1],
        "Stopping container api",
        "api",
    )
    event(
        rollback + timedelta(seconds=40),
        "Normal",
        "ResourceUpdated",
        "argocd",
        "Application",
        "shop-checkout",
        "Updated health status: Degraded -> Healthy",
    )
    t = datetime(2024, 4, 11, 15, 56, 41, 702000, tzinfo=UTC)
    klog(
        t,
        "I",
        "kubelet_node_status.go:679",
        f'"Recording event message for node" node="{node}" event="NodeHasNoDiskPressure"',
    )
    event(
        t + timedelta(seconds=0.01),
        "Normal",
        "NodeHasNoDiskPressure",
        "default",
        "Node",
        node,
        f"Node {node} status is now: NodeHasNoDiskPressure",
    )
    # search-indexer-0 and cart-worker come back after the pressure clears
    t = datetime(2024, 4, 11, 15, 58, 3, 118000, tzinfo=UTC)
    start_pod(
        t,
        "search",
        "search-indexer-0",
        "10.244.3.52",
        "registry.internal/search/indexer:5.2.1",
        "indexer",
        ["data"],
        pulled=True,
    )
    start_pod(
        t + timedelta(seconds=21.4),
        "shop",
        "cart-worker-84b6d7c9f-7rj2m",
        "10.244.3.53",
        "registry.internal/shop/cart-worker:1.12.4",
        "worker",
        ["cart-worker-config"],
        pulled=False,
        pull_secs=2.418,
    )
    return s.records()


# ---------------------------------------------------------------------------------------------
# f-nginx: one edge box in Tokyo (+09:00): error log + JSON access log

JST = timezone(timedelta(hours=9))
NG_START = datetime(2024, 3, 3, 0, 0, 0, tzinfo=JST)
NG_END = datetime(2024, 3, 4, 8, 0, 0, tzinfo=JST)
NG_HOST = "edge-tyo-1"
CHECKOUT = ["10.0.3.5:8080", "10.0.3.6:8080", "10.0.3.7:8080"]
CATALOG = ["10.0.4.11:9000", "10.0.4.12:9000"]
T_SLOW = datetime(2024, 3, 3, 14, 5, 20, tzinfo=JST)  # 10.0.3.7 stops answering
T_REFUSE = datetime(2024, 3, 3, 14, 16, 40, tzinfo=JST)  # .5 and .6 refuse (worker pools exhausted)
T_NOLIVE = datetime(2024, 3, 3, 14, 17, 30, tzinfo=JST)  # all three marked down
T_BACK = datetime(2024, 3, 3, 14, 19, 30, tzinfo=JST)  # .5 and .6 back
T_FIXED = datetime(2024, 3, 3, 14, 44, 0, tzinfo=JST)  # .7 restarted

UAS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.64 Mobile Safari/537.36",
    "ShopApp/4.12.0 (iOS 17.3.1; iPhone15,2)",
    "ShopApp/4.11.3 (Android 13; SM-S911N)",
]
SCANNER_UAS = [
    "Mozilla/5.0 zgrab/0.x",
    "python-requests/2.31.0",
    "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)",
]


def gen_nginx():
    s = Stream(20240303, JST, 3)
    r = s.r
    state = {"cid": 4_812_004, "master": 1021}
    # reloads: certbot's renew hook at 04:00 and a config deploy at 18:30; each starts four new workers
    reloads = [datetime(2024, 3, 3, 4, 0, 3, tzinfo=JST), datetime(2024, 3, 3, 18, 30, 41, tzinfo=JST)]
    gens = [(NG_START, [1187, 1188, 1189, 1190])]
    for rt_ in reloads:
        base = max(gens[-1][1]) + r.randint(900, 4000)
        gens.append((rt_, [base + i for i in range(4)]))

    def workers_at(t):
        return [w for start, w in gens if start <= t][-1]

    def cid():
        state["cid"] += r.randint(1, 40)
        return state["cid"]

    def err(t, lvl, msg, pid=None):
        pid = pid or r.choice(workers_at(t))
        s.add(
            t.replace(microsecond=0),
            {
                "level": lvl,
                "message": f"{pid}#{pid}: {msg}",
                "host": NG_HOST,
                "service": "nginx-error",
                "pid": str(pid),
            },
        )
        return pid

    def access(
        t, client, method, uri, status, nbytes, rt, up="-", urt="-", ust="-", ua=None, vhost="shop.example.jp"
    ):
        rid = s.hexs(32)
        rec = {
            "message": f'{client} "{method} {uri} HTTP/{r.choice(["1.1", "2.0"])}" {status} {nbytes}',
            "host": NG_HOST,
            "service": "nginx-access",
            "status": str(status),
            "rt": f"{rt:.3f}",
            "urt": urt,
            "ust": ust,
            "up": up,
            "ua": ua or r.choice(UAS),
            "vh": vhost,
            "rid": rid,
            "bs": str(nbytes),
        }
        s.add(t, rec)
        return rid

    def client():
        return (
            r.choice(["126", "133", "153", "180", "202", "219", "61", "106"])
            + f".{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        )

    def rate(t):
        h = t.astimezone(JST).hour
        return {
            0: 14,
            1: 9,
            2: 6,
            3: 5,
            4: 5,
            5: 6,
            6: 10,
            7: 18,
            8: 26,
            9: 30,
            10: 32,
            11: 36,
            12: 44,
            13: 40,
            14: 40,
            15: 34,
            16: 32,
            17: 34,
            18: 40,
            19: 46,
            20: 50,
            21: 46,
            22: 34,
            23: 22,
        }[h] * 1.6 + (900 if T_SLOW <= t < T_FIXED else 0)

    checkout_paths = [
        ("GET", "/api/checkout/cart"),
        ("POST", "/api/checkout/cart/items"),
        ("POST", "/api/checkout/confirm"),
        ("GET", "/api/checkout/shipping-options"),
        ("POST", "/api/checkout/coupon"),
    ]
    catalog_paths = ["/api/catalog/items?cat=", "/api/catalog/search?q=", "/api/catalog/items/"]
    static = [
        "/static/js/app.8c1f2e.js",
        "/static/css/main.41aa0b.css",
        "/img/banner-spring.webp",
        "/favicon.ico",
        "/static/js/vendor.d93b71.js",
    ]
    down7 = {"fails": 0}

    for t in poisson_times(r, NG_START, NG_END, rate):
        c = client()
        kind = r.random()
        if T_SLOW <= t < T_FIXED:
            kind = kind * 0.5  # checkout users keep retrying during the trouble
        if kind < 0.30:
            m, u = r.choice(checkout_paths)
            in_fault = T_SLOW <= t < T_FIXED
            if T_NOLIVE <= t < T_BACK:
                err(
                    t,
                    "error",
                    f"*{cid()} no live upstreams while connecting to upstream, client: {c}, server: shop.example.jp, "
                    f'request: "{m} {u} HTTP/1.1", upstream: "http://checkout_backend{u}", host: "shop.example.jp"',
                )
                access(t, c, m, u, 502, 157, 0.0, "checkout_backend", "-", "502")
                continue
            if T_REFUSE <= t < T_NOLIVE and r.random() < 0.7:
                peer = r.choice(CHECKOUT[:2])
                err(
                    t,
                    "error",
                    f"*{cid()} connect() failed (111: Connection refused) while connecting to upstream, client: {c}, "
                    f'server: shop.example.jp, request: "{m} {u} HTTP/1.1", upstream: "http://{peer}{u}", host: "shop.example.jp"',
                )
                access(t, c, m, u, 502, 157, r.uniform(0.001, 0.004), peer, "0.001", "502")
                continue
            peer = r.choice(CHECKOUT)
            if T_BACK <= t < T_FIXED and peer == CHECKOUT[2] and r.random() < 0.5:
                peer = r.choice(CHECKOUT[:2])  # .7 sits out fail_timeout between retries
            if in_fault and peer == CHECKOUT[2]:
                # the request waits the whole proxy_read_timeout (60s); the lines land when it gives up
                te = t + timedelta(seconds=60 + r.uniform(0.0, 0.02))
                wp = err(
                    te,
                    "error",
                    f"*{cid()} upstream timed out (110: Connection timed out) while reading response header from upstream, "
                    f'client: {c}, server: shop.example.jp, request: "{m} {u} HTTP/1.1", upstream: "http://{peer}{u}", '
                    f'host: "shop.example.jp"',
                )
                down7["fails"] += 1
                if down7["fails"] % 3 == 0:
                    err(
                        te,
                        "warn",
                        f"*{state['cid']} upstream server temporarily disabled while reading response header from upstream, "
                        f'client: {c}, server: shop.example.jp, request: "{m} {u} HTTP/1.1", upstream: "http://{peer}{u}", '
                        f'host: "shop.example.jp"',
                        wp,
                    )
                if m == "GET":
                    other = r.choice(CHECKOUT[:2])
                    access(
                        te + timedelta(seconds=0.05),
                        c,
                        m,
                        u,
                        200,
                        r.randint(800, 4000),
                        60.0 + r.uniform(0.04, 0.2),
                        f"{peer}, {other}",
                        f"60.001, {r.uniform(0.03, 0.15):.3f}",
                        "504, 200",
                    )
                else:
                    access(te, c, m, u, 504, 167, 60.0 + r.uniform(0.001, 0.01), peer, "60.001", "504")
                continue
            urt = r.uniform(0.02, 0.4) * (4 if in_fault else 1)
            st = 200 if m == "GET" or u != "/api/checkout/cart/items" else 201
            if r.random() < 0.01:
                st = 409
            access(t, c, m, u, st, r.randint(300, 6000), urt + 0.001, peer, f"{urt:.3f}", str(st))
        elif kind < 0.55:
            u = r.choice(catalog_paths)
            u += (
                str(r.randint(10000, 99999))
                if u.endswith("/") or u.endswith("=") and "cat" in u
                else r.choice(["sneakers", "rain+jacket", "tote", "linen+shirt", "umbrella"])
            )
            peer = r.choice(CATALOG)
            urt = r.uniform(0.01, 0.2)
            st = 200 if r.random() > 0.05 else 404
            access(t, c, "GET", u, st, r.randint(500, 30000), urt + 0.001, peer, f"{urt:.3f}", str(st))
        elif kind < 0.80:
            u = r.choice(static)
            access(t, c, "GET", u, r.choice([200, 200, 200, 304]), r.randint(0, 250000), r.uniform(0.0, 0.02))
        elif kind < 0.88:
            # client gave up before the answer came back
            m, u = r.choice(checkout_paths[:2] + [("GET", "/api/catalog/search?q=bag")])
            peer = r.choice(CHECKOUT if "checkout" in u else CATALOG)
            w = r.uniform(1.5, 12)
            err(
                t,
                "info",
                f"*{cid()} epoll_wait() reported that client prematurely closed connection, so upstream connection is "
                f"closed too while reading response header from upstream, client: {c}, server: shop.example.jp, "
                f'request: "{m} {u} HTTP/1.1", upstream: "http://{peer}{u}", host: "shop.example.jp"',
            )
            access(t, c, m, u, 499, 0, w, peer, f"{w:.3f}", "-")
        elif kind < 0.95:
            # scanners probing for files
            sc = f"{r.choice(['45.148', '185.220', '89.248', '193.42', '167.94'])}.{r.randint(0, 255)}.{r.randint(1, 254)}"
            u = r.choice(
                [
                    "/.env",
                    "/wp-login.php",
                    "/.git/config",
                    "/phpmyadmin/index.php",
                    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
                    "/server-status",
                    "/actuator/health",
                ]
            )
            access(t, sc, "GET", u, 404, 153, 0.0, ua=r.choice(SCANNER_UAS), vhost="_")
            err(
                t,
                "error",
                f'*{cid()} open() "/var/www/shop/public{u.split("?")[0]}" failed (2: No such file or directory), '
                f'client: {sc}, server: shop.example.jp, request: "GET {u} HTTP/1.1", host: "{r.choice(["203.0.113.10", "shop.example.jp"])}"',
            )
        else:
            sc = f"{r.choice(['45.148', '185.220', '89.248', '193.42', '167.94', '162.142'])}.{r.randint(0, 255)}.{r.randint(1, 254)}"
            which = r.random()
            if which < 0.5:
                err(
                    t,
                    "crit",
                    f"*{cid()} SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking, "
                    f"client: {sc}, server: 0.0.0.0:443",
                )
            elif which < 0.8:
                err(
                    t,
                    "info",
                    f"*{cid()} SSL_do_handshake() failed (SSL: error:0A000102:SSL routines::unsupported protocol) while SSL "
                    f"handshaking, client: {sc}, server: 0.0.0.0:443",
                )
            else:
                err(
                    t,
                    "info",
                    f"*{cid()} client sent invalid method while reading client request line, client: {sc}, "
                    f'server: shop.example.jp, request: "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03"',
                )

    # other background warnings/errors that are not the fault
    for t in poisson_times(r, NG_START, NG_END, 1.2):
        c = client()
        err(
            t,
            "warn",
            f"*{cid()} an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/{r.randint(0, 9)}/"
            f"{r.randint(10, 99)}/00000{r.randint(10000, 99999)} while reading upstream, client: {c}, server: shop.example.jp, "
            f'request: "GET /api/catalog/export?fmt=csv HTTP/1.1", upstream: "http://{r.choice(CATALOG)}/api/catalog/export?fmt=csv", '
            f'host: "shop.example.jp"',
        )
    for t in poisson_times(r, NG_START, NG_END, 0.5):
        c = client()
        n = r.randint(10_485_761, 31_000_000)
        err(
            t,
            "error",
            f"*{cid()} client intended to send too large body: {n} bytes, client: {c}, server: shop.example.jp, "
            f'request: "POST /api/account/avatar HTTP/2.0", host: "shop.example.jp"',
        )
        access(t, c, "POST", "/api/account/avatar", 413, 585, 0.0)
    for t in poisson_times(r, NG_START, NG_END, 0.6):
        c = client()
        n = r.randint(16, 99)
        err(
            t,
            "warn",
            f"*{cid()} a client request body is buffered to a temporary file /var/cache/nginx/client_temp/00000000{n}, "
            f'client: {c}, server: shop.example.jp, request: "POST /api/account/avatar HTTP/2.0", host: "shop.example.jp"',
        )
        w = r.uniform(0.2, 1.4)
        access(
            t + timedelta(seconds=w),
            c,
            "POST",
            "/api/account/avatar",
            200,
            92,
            w,
            "10.0.4.11:9000",
            f"{w - 0.001:.3f}",
            "200",
        )
    for t in poisson_times(r, NG_START, NG_END, 1.0):
        err(
            t,
            "info",
            f"*{cid()} client timed out (110: Connection timed out) while waiting for request, client: {client()}, "
            f"server: 0.0.0.0:443",
        )
    burst = datetime(2024, 3, 3, 21, 12, 0, tzinfo=JST)
    bot = "185.220.101.47"
    for i in range(9):
        t = burst + timedelta(seconds=i * 4 + r.uniform(0, 3))
        err(
            t,
            "error",
            f'*{cid()} limiting requests, excess: {10 + i * 2.5:.3f} by zone "api_rl", client: {bot}, '
            f'server: shop.example.jp, request: "GET /api/catalog/search?q=a{i} HTTP/1.1", host: "shop.example.jp"',
        )
        access(t, bot, "GET", f"/api/catalog/search?q=a{i}", 503, 197, 0.0, ua="python-requests/2.31.0")
    # a catalog blip at 09:40 (one peer briefly resets, nginx retries the other)
    t = datetime(2024, 3, 3, 9, 40, 7, tzinfo=JST)
    for i in range(3):
        c = client()
        u = f"/api/catalog/items/{r.randint(10000, 99999)}"
        wp = err(
            t + timedelta(seconds=i * 2),
            "error",
            f"*{cid()} upstream prematurely closed connection while reading response header from upstream, "
            f'client: {c}, server: shop.example.jp, request: "GET {u} HTTP/1.1", upstream: "http://10.0.4.12:9000{u}", host: "shop.example.jp"',
        )
        access(
            t + timedelta(seconds=i * 2, milliseconds=40),
            c,
            "GET",
            u,
            200,
            r.randint(900, 3000),
            0.061,
            "10.0.4.12:9000, 10.0.4.11:9000",
            "0.020, 0.040",
            "502, 200",
        )
    err(
        t + timedelta(seconds=4),
        "warn",
        f"*{state['cid']} upstream server temporarily disabled while reading response header from upstream, "
        f'client: {c}, server: shop.example.jp, request: "GET {u} HTTP/1.1", upstream: "http://10.0.4.12:9000{u}", host: "shop.example.jp"',
        wp,
    )

    for gi, t in enumerate(reloads, 1):
        old, new = gens[gi - 1][1], gens[gi][1]
        mpid = state["master"]
        hook = r.randint(30000, 60000)
        err(t, "notice", f"signal 1 (SIGHUP) received from {hook}, reconfiguring", mpid)
        err(t, "warn", 'conflicting server name "shop.example.jp" on 0.0.0.0:443, ignored', mpid)
        err(t, "notice", "reconfiguring", mpid)
        err(t, "notice", 'using the "epoll" event method', mpid)
        err(t, "notice", "start worker processes", mpid)
        for w in new:
            err(t, "notice", f"start worker process {w}", mpid)
        t2 = t + timedelta(seconds=1)
        for w in old:
            err(t2, "notice", "gracefully shutting down", w)
        t3 = t + timedelta(seconds=r.randint(2, 9))
        for w in old:
            err(t3, "notice", "exiting", w)
            err(t3, "notice", "exit", w)
            err(t3, "notice", f"signal 17 (SIGCHLD) received from {w}", mpid)
            err(t3, "notice", f"worker process {w} exited with code 0", mpid)
        err(t3, "notice", "signal 29 (SIGIO) received", mpid)
    return s.records()


# ---------------------------------------------------------------------------------------------
# f-kafka: three brokers (ZooKeeper mode, 2.4-era wording) plus one producer (UTC)

KF_START = datetime(2024, 5, 2, 0, 0, 0, tzinfo=UTC)
KF_END = datetime(2024, 5, 3, 4, 0, 0, tzinfo=UTC)
T_CUT = datetime(2024, 5, 2, 10, 14, 3, 123000, tzinfo=UTC)
T_REJOIN = datetime(2024, 5, 2, 10, 31, 47, 402000, tzinfo=UTC)


def gen_kafka():
    s = Stream(20240502, UTC, 3)
    r = s.r

    def log(t, b, lvl, logger, msg, host=None, service="kafka"):
        s.add(
            t,
            {
                "level": lvl,
                "message": msg,
                "logger": logger,
                "host": host or f"kafka-{b}",
                "service": service,
            },
        )

    topics = {"orders": 8, "payments": 4, "inventory-events": 4, "clickstream": 6}
    parts = []
    for tp, n in topics.items():
        for p in range(n):
            leader = (p + len(parts)) % 3 + 1
            parts.append(
                {
                    "tp": f"{tp}-{p}",
                    "leader": leader,
                    "isr": [1, 2, 3],
                    "epoch": r.randint(12, 30),
                    "zk": r.randint(30, 80),
                    "hw": r.randint(400_000, 9_000_000),
                }
            )

    # --- background: segment rolls, retention deletes ---
    def roll(t, b, tp):
        off = r.randint(10_000_000, 90_000_000)
        log(
            t,
            b,
            "INFO",
            "kafka.log.Log",
            f"[Log partition={tp}, dir=/var/lib/kafka/data] Rolled new log segment at offset {off} in {r.randint(1, 9)} ms.",
        )
        log(
            t + timedelta(milliseconds=r.randint(1, 4)),
            b,
            "INFO",
            "kafka.log.ProducerStateManager",
            f"[ProducerStateManager partition={tp}] Writing producer snapshot at offset {off}",
        )

    def retention(t, b, tp):
        base = r.randint(5_000_000, 60_000_000)
        nxt = base + r.randint(2_000_000, 9_000_000)
        size = r.randint(1_073_700_000, 1_073_741_823)
        lm = int((t - timedelta(days=7, hours=r.randint(0, 5))).timestamp() * 1000)
        log(
            t,
            b,
            "INFO",
            "kafka.log.Log",
            f"[Log partition={tp}, dir=/var/lib/kafka/data] Found deletable segments with base offsets [{base}] due to "
            f"retention time 604800000ms breach",
        )
        seg = f"LogSegment(baseOffset={base}, size={size}, lastModifiedTime={lm}, largestTime={lm - r.randint(1, 900)})"
        log(
            t + timedelta(milliseconds=1),
            b,
            "INFO",
            "kafka.log.Log",
            f"[Log partition={tp}, dir=/var/lib/kafka/data] Scheduling segments for deletion List({seg})",
        )
        log(
            t + timedelta(milliseconds=2),
            b,
            "INFO",
            "kafka.log.Log",
            f"[Log partition={tp}, dir=/var/lib/kafka/data] Incrementing log start offset to {nxt}",
        )
        t2 = t + timedelta(seconds=60, milliseconds=r.randint(0, 30))
        log(
            t2,
            b,
            "INFO",
            "kafka.log.Log",
            f"[Log partition={tp}, dir=/var/lib/kafka/data] Deleting segments List({seg})",
        )
        for suf, what in ((".log", "log"), (".index", "offset index"), (".timeindex", "time index")):
            log(
                t2 + timedelta(milliseconds=3),
                b,
                "INFO",
                "kafka.log.LogSegment",
                f"Deleted {what} /var/lib/kafka/data/{tp}/{base:020d}{suf}.deleted.",
            )

    for t in poisson_times(r, KF_START, KF_END, 9):
        pp = r.choice([p for p in parts if p["tp"].startswith(("clickstream", "orders"))])
        b = r.randint(1, 3)
        if b == 3 and T_CUT <= t < T_REJOIN:
            continue
        roll(t, b, pp["tp"])
    for t in poisson_times(r, KF_START, KF_END, 1.4):
        pp = r.choice([p for p in parts if p["tp"].startswith("clickstream")])
        b = r.randint(1, 3)
        if b == 3 and T_CUT <= t < T_REJOIN:
            continue
        retention(t, b, pp["tp"])
    # group metadata cleanup, every 10 minutes per broker (logged hourly when nothing expired is skipped)
    for b in (1, 2, 3):
        t = KF_START + timedelta(minutes=3 + b, seconds=r.uniform(0, 50))
        while t < KF_END:
            if not (b == 3 and T_CUT <= t < T_REJOIN):
                log(
                    t,
                    b,
                    "INFO",
                    "kafka.coordinator.group.GroupMetadataManager",
                    f"[GroupMetadataManager brokerId={b}] Removed {r.choice([0, 0, 0, 1, 2])} expired offsets in {r.randint(0, 3)} milliseconds.",
                )
            t = t + timedelta(minutes=10, milliseconds=r.randint(0, 20))
    # consumer group rebalances
    groups = [
        ("inventory-sync", 2, 31),
        ("fraud-scorer", 1, 7),
        ("clickstream-etl", 3, 44),
        ("order-mailer", 2, 12),
    ]
    gen = {g: r.randint(40, 300) for g, _, _ in groups}
    for t in poisson_times(r, KF_START, KF_END, 3.2):
        g, b, op = r.choice(groups)
        if b == 3 and T_CUT - timedelta(minutes=5) <= t < T_REJOIN + timedelta(minutes=5):
            continue
        member = f"consumer-{g}-{r.randint(1, 4)}-{s.uid()}"
        if r.random() < 0.5:
            reason = f"Adding new member {member} with group instance id None"
        else:
            reason = f"removing member {member} on LeaveGroup"
        log(
            t,
            b,
            "INFO",
            "kafka.coordinator.group.GroupCoordinator",
            f"[GroupCoordinator {b}]: Preparing to rebalance group {g} in state PreparingRebalance with old generation {gen[g]} "
            f"(__consumer_offsets-{op}) (reason: {reason})",
        )
        gen[g] += 1
        t2 = t + timedelta(seconds=r.uniform(3, 9))
        log(
            t2,
            b,
            "INFO",
            "kafka.coordinator.group.GroupCoordinator",
            f"[GroupCoordinator {b}]: Stabilized group {g} generation {gen[g]} (__consumer_offsets-{op})",
        )
        log(
            t2 + timedelta(milliseconds=r.randint(5, 60)),
            b,
            "INFO",
            "kafka.coordinator.group.GroupCoordinator",
            f"[GroupCoordinator {b}]: Assignment received from leader for group {g} for generation {gen[g]}",
        )
    for t in poisson_times(r, KF_START, KF_END, 0.3):
        g, b, op = r.choice(groups)
        if b == 3 and T_CUT - timedelta(minutes=5) <= t < T_REJOIN + timedelta(minutes=5):
            continue
        member = f"consumer-{g}-{r.randint(1, 4)}-{s.uid()}"
        log(
            t,
            b,
            "INFO",
            "kafka.coordinator.group.GroupCoordinator",
            f"[GroupCoordinator {b}]: Member {member} in group {g} has failed, removing it from the group",
        )
    # background warnings: HTTP probes on the plaintext port, dead-connection responses
    for t in poisson_times(r, KF_START, KF_END, 0.6):
        b = r.choice([1, 2] if T_CUT <= t < T_REJOIN else [1, 2, 3])
        src = f"10.0.9.{r.choice([77, 77, 78, 131])}"
        log(
            t,
            b,
            "WARN",
            "org.apache.kafka.common.network.Selector",
            f"[SocketServer brokerId={b}] Unexpected error from /{src}; closing connection\n"
            f"org.apache.kafka.common.network.InvalidReceiveException: Invalid receive (size = 1195725856 larger than 104857600)\n"
            f"\tat org.apache.kafka.common.network.NetworkReceive.readFrom(NetworkReceive.java:104)\n"
            f"\tat org.apache.kafka.common.network.KafkaChannel.receive(KafkaChannel.java:448)\n"
            f"\tat org.apache.kafka.common.network.Selector.attemptRead(Selector.java:684)",
        )
    for t in poisson_times(r, KF_START, KF_END, 0.5):
        b = r.choice([1, 2] if T_CUT <= t < T_REJOIN else [1, 2, 3])
        log(
            t,
            b,
            "WARN",
            "kafka.network.Processor",
            f"Attempting to send response via channel for which there is no open connection, connection id "
            f"10.0.2.1{b}:9092-10.0.7.{r.randint(2, 250)}:{r.randint(32768, 60999)}-{r.randint(1, 40)}",
        )
    # unrelated: one client with a bad truststore, 02:40 .. 04:10
    t = datetime(2024, 5, 2, 2, 40, 12, 0, tzinfo=UTC)
    while t < datetime(2024, 5, 2, 4, 10, tzinfo=UTC):
        log(
            t,
            2,
            "INFO",
            "org.apache.kafka.common.network.Selector",
            "[SocketServer brokerId=2] Failed authentication with /10.0.8.23 (SSL handshake failed)",
        )
        t = t + timedelta(seconds=r.uniform(290, 320))
    log(
        datetime(2024, 5, 2, 2, 40, 12, 611000, tzinfo=UTC),
        2,
        "ERROR",
        "kafka.network.Processor",
        "[Processor 3] Exception while processing SSL handshake from /10.0.8.23\n"
        "javax.net.ssl.SSLHandshakeException: No appropriate protocol (protocol is disabled or cipher suites are inappropriate)\n"
        "\tat java.base/sun.security.ssl.HandshakeContext.<init>(HandshakeContext.java:170)\n"
        "\tat java.base/sun.security.ssl.ServerHandshakeContext.<init>(ServerHandshakeContext.java:62)",
    )
    # controller's periodic preferred-leader check
    t = KF_START + timedelta(minutes=2, seconds=17)
    while t < KF_END:
        log(
            t,
            1,
            "INFO",
            "kafka.controller.KafkaController",
            "[Controller id=1] Processing automatic preferred replica leader election",
        )
        t = t + timedelta(minutes=60, milliseconds=r.randint(0, 40))

    # --- the fault ---
    c = T_CUT
    zk_session = "0x30000a4b2f10003"
    log(
        c,
        3,
        "WARN",
        "org.apache.zookeeper.ClientCnxn",
        f"Client session timed out, have not heard from server in 12003ms for sessionid {zk_session}",
    )
    log(
        c + timedelta(milliseconds=2),
        3,
        "INFO",
        "org.apache.zookeeper.ClientCnxn",
        f"Client session timed out, have not heard from server in 12003ms for sessionid {zk_session}, closing socket connection and attempting reconnect",
    )
    log(
        c + timedelta(milliseconds=105),
        3,
        "INFO",
        "kafka.zookeeper.ZooKeeperClient",
        "[ZooKeeperClient Kafka server] Waiting until connected.",
    )
    for i in range(4):
        tt = c + timedelta(seconds=2 + i * 3.3)
        zk = f"zk-{i % 3 + 1}.internal/10.0.5.{11 + i % 3}:2181"
        log(
            tt,
            3,
            "INFO",
            "org.apache.zookeeper.ClientCnxn",
            f"Opening socket connection to server {zk}. Will not attempt to authenticate using SASL (unknown error)",
        )
        log(
            tt + timedelta(seconds=3),
            3,
            "WARN",
            "org.apache.zookeeper.ClientCnxn",
            f"Session {zk_session} for server {zk}, unexpected error, closing socket connection and attempting reconnect\n"
            "java.net.NoRouteToHostException: No route to host\n"
            "\tat java.base/sun.nio.ch.SocketChannelImpl.checkConnect(Native Method)\n"
            "\tat org.apache.zookeeper.ClientCnxnSocketNIO.doTransport(ClientCnxnSocketNIO.java:357)",
        )
    # kafka-3's fetchers cannot reach the leaders
    for leader in (1, 2):
        for k in range(3):
            tt = c + timedelta(seconds=1.5 + leader * 0.7 + k * 31)
            sess = r.randint(1_000_000_000, 2_000_000_000)
            log(
                tt,
                3,
                "INFO",
                "org.apache.kafka.clients.FetchSessionHandler",
                f"[ReplicaFetcher replicaId=3, leaderId={leader}, fetcherId=0] Error sending fetch request (sessionId={sess}, "
                f"epoch={r.randint(20000, 90000)}) to node {leader}: java.io.IOException: Connection to {leader} was disconnected before the response was read.",
            )
            log(
                tt + timedelta(milliseconds=3),
                3,
                "WARN",
                "kafka.server.ReplicaFetcherThread",
                f"[ReplicaFetcher replicaId=3, leaderId={leader}, fetcherId=0] Error in response for fetch request "
                f"(type=FetchRequest, replicaId=3, maxWait=500, minBytes=1, maxBytes=10485760, fetchData={{}}, "
                f"isolationLevel=READ_UNCOMMITTED, toForget=, metadata=(sessionId={sess}, epoch=INITIAL), rackId=)\n"
                f"java.io.IOException: Connection to {leader} was disconnected before the response was read\n"
                f"\tat org.apache.kafka.clients.NetworkClientUtils.sendAndReceive(NetworkClientUtils.java:100)\n"
                f"\tat kafka.server.ReplicaFetcherBlockingSend.sendRequest(ReplicaFetcherBlockingSend.scala:108)",
            )
    # leaders 1 and 2 drop replica 3 after replica.lag.time.max.ms (30s)
    shrink_t = c + timedelta(seconds=30)
    for i, p in enumerate(pp for pp in parts if pp["leader"] in (1, 2)):
        tt = shrink_t + timedelta(milliseconds=200 + i * r.randint(40, 400))
        hw = p["hw"]
        p["zk"] += 1
        log(
            tt,
            p["leader"],
            "INFO",
            "kafka.cluster.Partition",
            f"[Partition {p['tp']} broker={p['leader']}] Shrinking ISR from 1,2,3 to 1,2. Leader: (highWatermark: {hw}, "
            f"endOffset: {hw + r.randint(10, 400)}). Out of sync replicas: (brokerId: 3, endOffset: {hw - r.randint(1, 90)}).",
        )
        log(
            tt + timedelta(milliseconds=r.randint(4, 15)),
            p["leader"],
            "INFO",
            "kafka.cluster.Partition",
            f"[Partition {p['tp']} broker={p['leader']}] ISR updated to [1,2] and zkVersion updated to [{p['zk']}]",
        )
    # controller (broker 1) sees broker 3's znode vanish once the ZK session expires (6s session timeout)
    ce = c + timedelta(seconds=18, milliseconds=402)
    log(
        ce,
        1,
        "INFO",
        "kafka.controller.KafkaController",
        "[Controller id=1] Newly added brokers: , deleted brokers: 3, bounced brokers: , all live brokers: 1,2",
    )
    log(
        ce + timedelta(milliseconds=3),
        1,
        "INFO",
        "kafka.controller.KafkaController",
        "[Controller id=1] Broker failure callback for 3",
    )
    led3 = [p for p in parts if p["leader"] == 3]
    for i, p in enumerate(led3):
        new = 1 if i % 2 == 0 else 2
        p["epoch"] += 1
        p["zk"] += 1
        tt = ce + timedelta(milliseconds=40 + i * 7)
        log(
            tt,
            1,
            "INFO",
            "state.change.logger",
            f"[Controller id=1 epoch=17] Changed partition {p['tp']} from OnlinePartition to OnlinePartition with state "
            f"LeaderAndIsr(leader={new}, leaderEpoch={p['epoch']}, isr=List({min(new, 3 - new)}, {max(new, 3 - new)}), zkVersion={p['zk']})",
        )
        p["newleader"] = new
    for i, p in enumerate(led3):
        tt = ce + timedelta(milliseconds=300 + i * 11)
        log(
            tt,
            p["newleader"],
            "INFO",
            "kafka.cluster.Partition",
            f"[Partition {p['tp']} broker={p['newleader']}] {p['tp']} starts at leader epoch {p['epoch']} from offset "
            f"{p['hw'] + r.randint(0, 50)} with high watermark {p['hw']}. Previous leader epoch was {p['epoch'] - 1}.",
        )
    for b in (1, 2):
        mine = [p["tp"] for p in led3 if p["newleader"] == b]
        log(
            ce + timedelta(milliseconds=420 + b),
            b,
            "INFO",
            "kafka.server.ReplicaFetcherManager",
            f"[ReplicaFetcherManager on broker {b}] Removed fetcher for partitions Set({', '.join(mine)})",
        )
    log(
        ce + timedelta(milliseconds=480),
        1,
        "ERROR",
        "kafka.server.KafkaApis",
        "[KafkaApi-1] Number of alive brokers '2' does not meet the required replication factor '3' for the offsets topic "
        "(configured via 'offsets.topic.replication.factor'). This error can be ignored if the cluster is starting up and "
        "not all brokers are up yet.",
    )
    # the producer (orders-api) was still writing to broker 3 for the partitions it led
    prod = "orders-api-7d4f8b9c6-rx2lp"
    corr = 88121
    tt = ce + timedelta(seconds=0.6)
    for k in range(8):
        p = [pp for pp in led3 if pp["tp"].startswith(("orders", "payments"))][k % 5]
        tt = tt + timedelta(seconds=r.uniform(0.3, 2.4))
        corr += r.randint(3, 40)
        log(
            tt,
            0,
            "WARN",
            "org.apache.kafka.clients.producer.internals.Sender",
            f"[Producer clientId=orders-api-producer-1] Got error produce response with correlation id {corr} on topic-partition "
            f"{p['tp']}, retrying (2147483646 attempts left). Error: NOT_LEADER_FOR_PARTITION",
            host=prod,
            service="orders-api",
        )
        log(
            tt + timedelta(milliseconds=1),
            0,
            "WARN",
            "org.apache.kafka.clients.producer.internals.Sender",
            f"[Producer clientId=orders-api-producer-1] Received invalid metadata error in produce request on partition {p['tp']} "
            f"due to org.apache.kafka.common.errors.NotLeaderForPartitionException: This server is not the leader for that "
            f"topic-partition.. Going to request metadata update now",
            host=prod,
            service="orders-api",
        )
    log(
        ce + timedelta(seconds=1.9),
        0,
        "INFO",
        "org.apache.kafka.clients.Metadata",
        "[Producer clientId=orders-api-producer-1] Cluster ID: 7hQk2x9RT3eZ0pN4mB1cAw",
        host=prod,
        service="orders-api",
    )
    # broker 3 stays cut off; its ZK client keeps failing until the network comes back
    tt = c + timedelta(seconds=20)
    while tt < T_REJOIN - timedelta(seconds=40):
        zk = f"zk-{r.randint(1, 3)}.internal/10.0.5.{r.randint(11, 13)}:2181"
        log(
            tt,
            3,
            "INFO",
            "org.apache.zookeeper.ClientCnxn",
            f"Opening socket connection to server {zk}. Will not attempt to authenticate using SASL (unknown error)",
        )
        log(
            tt + timedelta(seconds=3),
            3,
            "WARN",
            "org.apache.zookeeper.ClientCnxn",
            f"Session {zk_session} for server {zk}, unexpected error, closing socket connection and attempting reconnect\n"
            "java.net.NoRouteToHostException: No route to host\n"
            "\tat java.base/sun.nio.ch.SocketChannelImpl.checkConnect(Native Method)\n"
            "\tat org.apache.zookeeper.ClientCnxnSocketNIO.doTransport(ClientCnxnSocketNIO.java:357)",
        )
        tt = tt + timedelta(seconds=r.uniform(80, 140))
    # rejoin
    j = T_REJOIN
    zk = "zk-2.internal/10.0.5.12:2181"
    log(
        j - timedelta(seconds=1.2),
        3,
        "INFO",
        "org.apache.zookeeper.ClientCnxn",
        f"Opening socket connection to server {zk}. Will not attempt to authenticate using SASL (unknown error)",
    )
    log(
        j - timedelta(seconds=1.19),
        3,
        "INFO",
        "org.apache.zookeeper.ClientCnxn",
        f"Socket connection established, initiating session, client: /10.0.2.13:41872, server: {zk}",
    )
    log(
        j - timedelta(seconds=1.1),
        3,
        "WARN",
        "org.apache.zookeeper.ClientCnxn",
        f"Unable to reconnect to ZooKeeper service, session {zk_session} has expired",
    )
    log(
        j - timedelta(seconds=1.09),
        3,
        "INFO",
        "org.apache.zookeeper.ClientCnxn",
        f"Session {zk_session} for server {zk}, Closing socket connection. Attempting reconnect except it is a SessionExpiredException.",
    )
    log(
        j - timedelta(seconds=1.0),
        3,
        "INFO",
        "kafka.zookeeper.ZooKeeperClient",
        "[ZooKeeperClient Kafka server] Session expired.",
    )
    log(
        j - timedelta(seconds=0.99),
        3,
        "INFO",
        "kafka.zookeeper.ZooKeeperClient",
        "[ZooKeeperClient Kafka server] Initializing a new session to zk-1.internal:2181,zk-2.internal:2181,zk-3.internal:2181/kafka.",
    )
    new_sess = "0x20000b71c6e0011"
    log(
        j - timedelta(seconds=0.4),
        3,
        "INFO",
        "org.apache.zookeeper.ClientCnxn",
        f"Session establishment complete on server {zk}, sessionid = {new_sess}, negotiated timeout = 6000",
    )
    log(j, 3, "INFO", "kafka.zk.KafkaZkClient", "Creating /brokers/ids/3 (is it secure? false)")
    log(
        j + timedelta(milliseconds=9),
        3,
        "INFO",
        "kafka.zk.KafkaZkClient",
        "Stat of the created znode at /brokers/ids/3 is: 4294982011,4294982011,1714645907411,1714645907411,1,0,0,"
        f"{int(new_sess, 16)},200,0,4294982011",
    )
    log(
        j + timedelta(milliseconds=10),
        3,
        "INFO",
        "kafka.zk.KafkaZkClient",
        "Registered broker 3 at path /brokers/ids/3 with addresses: ArrayBuffer(EndPoint(kafka-3.internal,9092,"
        "ListenerName(PLAINTEXT),PLAINTEXT)), czxid (broker epoch): 4294982011",
    )
    j2 = j + timedelta(milliseconds=312)
    log(
        j2,
        1,
        "INFO",
        "kafka.controller.KafkaController",
        "[Controller id=1] Newly added brokers: 3, deleted brokers: , bounced brokers: , all live brokers: 1,2,3",
    )
    log(
        j2 + timedelta(milliseconds=2),
        1,
        "INFO",
        "kafka.controller.KafkaController",
        "[Controller id=1] New broker startup callback for 3",
    )
    # broker 3 truncates and catches up
    for i, p in enumerate(parts):
        ld = p.get("newleader", p["leader"])
        tt = j2 + timedelta(milliseconds=200 + i * 13)
        log(
            tt,
            3,
            "INFO",
            "kafka.log.Log",
            f"[Log partition={p['tp']}, dir=/var/lib/kafka/data] Truncating to offset {p['hw'] - r.randint(1, 90)}",
        )
    for b in (1, 2):
        mine = [p for p in parts if p.get("newleader", p["leader"]) == b]
        log(
            j2 + timedelta(milliseconds=600 + b),
            3,
            "INFO",
            "kafka.server.ReplicaFetcherManager",
            f"[ReplicaFetcherManager on broker 3] Added fetcher to broker BrokerEndPoint(id={b}, host=kafka-{b}.internal:9092) "
            f"for partitions Map("
            + ", ".join(f"{p['tp']} -> (offset={p['hw']}, leaderEpoch={p['epoch']})" for p in mine)
            + ")",
        )
    for i, p in enumerate(parts):
        ld = p.get("newleader", p["leader"])
        tt = j2 + timedelta(seconds=2 + i * r.uniform(0.2, 1.6))
        p["zk"] += 1
        log(
            tt,
            ld,
            "INFO",
            "kafka.cluster.Partition",
            f"[Partition {p['tp']} broker={ld}] Expanding ISR from 1,2 to 1,2,3",
        )
        log(
            tt + timedelta(milliseconds=r.randint(4, 15)),
            ld,
            "INFO",
            "kafka.cluster.Partition",
            f"[Partition {p['tp']} broker={ld}] ISR updated to [1,2,3] and zkVersion updated to [{p['zk']}]",
        )
    # preferred leaders come back at the next automatic check (5 min)
    pl = datetime(2024, 5, 2, 10, 37, 17, 88000, tzinfo=UTC)
    log(
        pl,
        1,
        "INFO",
        "kafka.controller.KafkaController",
        "[Controller id=1] Processing automatic preferred replica leader election",
    )
    log(
        pl + timedelta(milliseconds=4),
        1,
        "INFO",
        "kafka.controller.KafkaController",
        "[Controller id=1] Starting replica leader election (PREFERRED) for partitions "
        + ",".join(p["tp"] for p in led3)
        + " triggered by AutoTriggered",
    )
    for i, p in enumerate(led3):
        p["epoch"] += 1
        log(
            pl + timedelta(milliseconds=90 + i * 9),
            3,
            "INFO",
            "kafka.cluster.Partition",
            f"[Partition {p['tp']} broker=3] {p['tp']} starts at leader epoch {p['epoch']} from offset {p['hw'] + r.randint(900, 4000)} "
            f"with high watermark {p['hw'] + r.randint(100, 800)}. Previous leader epoch was {p['epoch'] - 1}.",
        )
    return s.records()


# ---------------------------------------------------------------------------------------------
# Questions. Times in rules carry the logs' own offset.


def q(style, ask, mentions, rule, derive=None):
    """One turn. With derive, {name} placeholders in ask and rule are filled from derive(records):
    for a token (a request id) that only the generated data fixes."""
    assert style in STYLES, style
    return {"style": style, "ask": ask, "mentions": mentions, "rule": rule, "derive": derive}


def fill(obj, subs):
    if isinstance(obj, str):
        return obj.format(**subs)
    if isinstance(obj, list):
        return [fill(x, subs) for x in obj]
    if isinstance(obj, dict):
        return {k: fill(v, subs) for k, v in obj.items()}
    return obj


# f-k8s problem lines for broad turns: kubelet E/W and Warning events, minus two kubelet complaints
# that repeat all through the two days whatever else happens (cAdvisor's "Failed to get system
# container stats" for docker.service, which the node does not run, and "Housekeeping took longer
# than expected"); plus the node's pressure and eviction decisions, which kubelet logs at I.
K8S_ROUTINE = r"Failed to get system container stats|Housekeeping took longer than expected"
K8S_PROBLEM = [
    {"field": {"level": "E|W|Warning"}, "not_msg": K8S_ROUTINE},
    {"msg": r"NodeHasDiskPressure|Eviction manager: (must evict|pod is evicted)"},
]

# f-nginx problem lines: error-log lines at warn or worse, and access lines with a 5xx status; minus
# the internet's background scanning (file probes answered by open() ... (2: No such file or
# directory), TLS handshakes that fail, raw TLS bytes sent to the plain port).
NG_SCANNER = r"No such file or directory|SSL_do_handshake\(\) failed|client sent invalid method"
NG_PROBLEM = [
    {"field": {"service": "nginx-error", "level": "warn|error|crit|alert|emerg"}, "not_msg": NG_SCANNER},
    {"field": {"service": "nginx-access", "status": r"5\d\d"}},
]

# f-kafka problem lines: WARN/ERROR, plus what Kafka logs at INFO when things go wrong: ISR shrinks,
# ZooKeeper session expiry, a broker leaving the controller's live set, failed TLS handshakes.
KF_PROBLEM_MSG = (
    r"Shrinking ISR|Session expired|has expired|deleted brokers: \d|Broker failure callback"
    r"|Failed authentication|SSL handshake failed"
)


def within(rule, since, until, **extra):
    """A problem rule (dict or list) restricted to [since, until) and to extra field patterns."""
    rules = rule if isinstance(rule, list) else [rule]
    out = []
    for r0 in rules:
        r1 = dict(r0, since=since, until=until)
        if extra:
            r1["field"] = dict(r0.get("field") or {}, **extra)
        out.append(r1)
    return out


def kf_problem(since, until, host):
    return [
        {"field": {"level": "WARN|ERROR", "host": host}, "since": since, "until": until},
        {"field": {"host": host}, "msg": KF_PROBLEM_MSG, "since": since, "until": until},
    ]


Q7 = "checkout-api-5c7d9f6b8-q7lmz"

SYSTEMS = [
    {
        "id": "f-k8s",
        "gen": gen_k8s,
        "title": "KubeNodeUnhealthy / checkout error budget burn on gke-prod-pool-2-7c9f1e3a-x8kq",
        "questions": [
            q(
                "broad",
                "checkout alerts firing and the pods all sit on gke-prod-pool-2-7c9f1e3a-x8kq. what went wrong on that "
                "node between 13:50 and 13:55 on apr 11?",
                ["CrashLoopBackOff", Q7],
                within(K8S_PROBLEM, "2024-04-11T13:50:00Z", "2024-04-11T13:55:00Z"),
            ),
            q(
                "lexical",
                "where did replica set checkout-api-5c7d9f6b8 come from? nobody on my team deployed today",
                ["checkout-api-config", "3f1c9e7a52d"],
                [
                    {"msg": r"checkout-api-5c7d9f6b8(?![-\w])"},
                    {"field": {"reason": "Reloaded"}},
                    {
                        "field": {
                            "object": "Application/shop-checkout",
                            "reason": "OperationStarted|OperationCompleted",
                        },
                        "since": "2024-04-11T13:00:00Z",
                        "until": "2024-04-11T14:00:00Z",
                    },
                ],
            ),
            q(
                "paraphrase",
                "for q7lmz: how long after each launch did the node decide it was dead and pull the plug? the first "
                "few tries up to 14:00 are enough",
                ["failed liveness probe", Q7],
                [
                    # the event carries the pod as a field; kubelet's own line names it in the message
                    {
                        "msg": r"^Container api failed liveness probe, will be restarted",
                        "field": {"pod": Q7},
                        "until": "2024-04-11T14:00:00Z",
                    },
                    {
                        "msg": 'pod="shop/' + Q7 + '" containerMessage="Container api failed liveness probe',
                        "until": "2024-04-11T14:00:00Z",
                    },
                ],
            ),
            q(
                "broad",
                "now stuff is getting kicked off the box. anything else odd on it from 15:18 to 15:25?",
                ["ephemeral-storage", "no space left on device"],
                within(K8S_PROBLEM, "2024-04-11T15:18:00Z", "2024-04-11T15:25:00Z"),
            ),
            q(
                "paraphrase",
                "did the machine actually run short of room for files? when did that begin and when did it clear?",
                ["NodeHasDiskPressure", "gke-prod-pool-2-7c9f1e3a-x8kq"],
                {"msg": r"NodeHas(No)?DiskPressure"},
            ),
            q(
                "lexical",
                "search-indexer-0 got hit too i think. what happened to it from 15:00 till it was back?",
                ["ephemeral-storage", "search-indexer-0"],
                [
                    {
                        "msg": r"search-indexer-0\b",
                        "not_msg": r"probeType=\"Readiness\"",
                        "since": "2024-04-11T15:00:00Z",
                        "until": "2024-04-11T16:30:00Z",
                    },
                    {
                        "field": {"pod": "search-indexer-0"},
                        "not_msg": r"^Readiness probe failed",
                        "since": "2024-04-11T15:00:00Z",
                        "until": "2024-04-11T16:30:00Z",
                    },
                ],
            ),
        ],
    },
]


def ng_first_confirm_504(records):
    """The request the support ticket is about: the first 504 on POST /api/checkout/confirm."""
    for rec in records:
        if rec.get("status") == "504" and '"POST /api/checkout/confirm ' in rec["message"]:
            t = parse_ts(rec["timestamp"]).replace(microsecond=0)
            return {
                "rid": rec["rid"],
                "client": re.escape(rec["message"].split(" ")[0]),
                "since": t.isoformat(),
                "until": (t + timedelta(seconds=1)).isoformat(),
            }
    raise AssertionError("no 504 on /api/checkout/confirm")


SYSTEMS += [
    {
        "id": "f-nginx",
        "gen": gen_nginx,
        "title": "HighHTTP5xxRate on edge-tyo-1 (shop.example.jp)",
        "questions": [
            q(
                "broad",
                "5xx alert on the tokyo edge box edge-tyo-1, mar 3 early afternoon. what went wrong between 14:05 and 14:08?",
                ["upstream timed out", "10.0.3.7:8080"],
                within(NG_PROBLEM, "2024-03-03T14:05:00+09:00", "2024-03-03T14:08:00+09:00"),
            ),
            q(
                "lexical",
                "it's still logging 'upstream server temporarily disabled' for 10.0.3.7 after 14:30. how often, and when "
                "was the last one?",
                ["temporarily disabled", "10.0.3.7:8080"],
                {
                    "msg": r"upstream server temporarily disabled .*upstream: \"http://10\.0\.3\.7:8080/",
                    "since": "2024-03-03T14:30:00+09:00",
                },
            ),
            q(
                "paraphrase",
                "around 14:17 it got worse. did nginx end up with nobody at all left in that pool to hand work to?",
                ["no live upstreams", "checkout_backend"],
                {"msg": r"no live upstreams"},
            ),
            q(
                "lexical",
                "customer sent support request id {rid}, they got an error while paying. what happened to it?",
                ["upstream timed out", "10.0.3.7:8080"],
                [
                    {"field": {"rid": "{rid}"}},
                    # its error-log lines: same client, same second (the error log has no request id)
                    {
                        "field": {"service": "nginx-error"},
                        "msg": "client: {client},",
                        "since": "{since}",
                        "until": "{until}",
                    },
                ],
                derive=ng_first_confirm_504,
            ),
            q(
                "paraphrase",
                "did the box re-read its settings around 18:30, and did the old helpers all wrap up cleanly?",
                ["SIGHUP", "exited with code 0"],
                {
                    "msg": r"SIGHUP|^\d+#\d+: reconfiguring$|exited with code",
                    "since": "2024-03-03T18:00:00+09:00",
                    "until": "2024-03-03T19:00:00+09:00",
                },
            ),
            q(
                "broad",
                "separate thing: someone says search was erroring the night of mar 3. anything odd on edge-tyo-1 between "
                "21:00 and 21:30?",
                ["limiting requests", "185.220.101.47"],
                within(NG_PROBLEM, "2024-03-03T21:00:00+09:00", "2024-03-03T21:30:00+09:00"),
            ),
        ],
    },
    {
        "id": "f-kafka",
        "gen": gen_kafka,
        "title": "UnderReplicatedPartitions > 0 on prod kafka; orders-api produce retries",
        "questions": [
            q(
                "broad",
                "orders-api started throwing produce errors around 10:14 utc on may 2. what went wrong on the brokers "
                "between 10:14 and 10:16?",
                ["Shrinking ISR", "kafka-3"],
                kf_problem("2024-05-02T10:14:00Z", "2024-05-02T10:16:00Z", r"kafka-\d"),
            ),
            q(
                "paraphrase",
                "which machines stopped counting kafka-3 as keeping pace with them, and for which topics?",
                ["Shrinking ISR", "brokerId: 3"],
                {"msg": r"Shrinking ISR from 1,2,3 to 1,2\b"},
            ),
            q(
                "lexical",
                "what happened to orders-7 between 10:10 and 10:45?",
                ["NotLeaderForPartition", "orders-7"],
                {"msg": r"orders-7(?!\d)", "since": "2024-05-02T10:10:00Z", "until": "2024-05-02T10:45:00Z"},
            ),
            q(
                "paraphrase",
                "did the app writing into the cluster get told it was knocking on the wrong door?",
                ["NOT_LEADER_FOR_PARTITION", "orders-api-producer-1"],
                {"msg": r"NOT_LEADER_FOR_PARTITION|NotLeaderForPartitionException"},
            ),
            q(
                "lexical",
                "when did kafka-3 get its /brokers/ids/3 znode back?",
                ["Registered broker 3", "4294982011"],
                [{"msg": r"/brokers/ids/3\b"}, {"msg": r"Newly added brokers: 3\b"}],
            ),
            q(
                "broad",
                "unrelated, but anything odd on kafka-2 between 02:30 and 04:30 on may 2?",
                ["SSL handshake failed", "10.0.8.23"],
                kf_problem("2024-05-02T02:30:00Z", "2024-05-02T04:30:00Z", "kafka-2"),
            ),
        ],
    },
]


# ---------------------------------------------------------------------------------------------


def parse_ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def matches(rec, rule):
    if rule.get("msg") and not re.search(rule["msg"], rec["message"]):
        return False
    if rule.get("not_msg") and re.search(rule["not_msg"], rec["message"]):
        return False
    for name, rx in (rule.get("field") or {}).items():
        v = rec.get(name)
        if v is None or not re.fullmatch(rx, str(v)):
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
        assert r.get("msg") or r.get("field") or r.get("since"), f"rule selects everything: {r}"
        for k in ("since", "until"):
            if r.get(k):
                parse_ts(r[k])
                assert re.search(r"(Z|[+-]\d\d:\d\d)$", r[k]), f"{k} has no offset: {r[k]}"
    return [n for n, rec in enumerate(records, 1) if any(matches(rec, r) for r in rules)]


STOP = set(
    """a an the and or of to in on at for from by with without any anything did do does was were is are
    be been it its it's this that those these what which who whom when where why how many much some
    than then there their them they we our us i me my you your one ones like just only ever after before
    between around going into about over up out off again apart other else more most way not no yes
    had has have get got give given still same each every all both also very too can could would should
    through own later ok now so but if i'm i'd it's did didn't don't get got say said see saw
    today tonight morning evening night till until""".split()
)
MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}


def words(text):
    return set(re.findall(r"[a-z][a-z0-9']+", text.lower()))


def content_words(text):
    return {w for w in words(text) if w not in STOP and w not in MONTHS and len(w) > 2}


def shared_words(ask, lines_text):
    """Content words of the ask found in the lines: equal, or sharing their first four letters."""
    logw = set()
    for t in lines_text:
        logw |= words(t)
    pref = {w[:4] for w in logw if len(w) >= 4}
    out = set()
    for w in content_words(ask):
        if w in logw or (len(w) >= 4 and w[:4] in pref):
            out.add(w)
    return sorted(out)


def name_words(text):
    """Words inside names the ask quotes (hosts, pods, partitions, addresses): exempt from the check."""
    out = set()
    for tok in re.findall(r"\S+", text.lower()):
        if re.search(r"[.:_/]\w", tok) or re.search(r"\d", tok):
            out |= words(tok)
    return out


def window(records):
    ts = sorted(records, key=lambda r: parse_ts(r["timestamp"]))
    return {"start": ts[0]["timestamp"], "end": ts[-1]["timestamp"]}


def dump_jsonl(records):
    return "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records)


def dump_json(obj):
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def write_text(path, text):
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("--show", action="store_true", help="print every turn's relevant lines; write nothing")
    a = ap.parse_args()
    out = Path(a.out)

    seen_ids, seen_asks = set(), set()
    table, outputs, qfile, overlaps = [], [], {"incidents": []}, []
    for sysdef in SYSTEMS:
        iid = sysdef["id"]
        assert re.fullmatch(r"[a-z0-9-]+", iid) and iid not in seen_ids, iid
        seen_ids.add(iid)
        records = sysdef["gen"]()
        assert 1500 <= len(records) <= 2500, f"{iid}: {len(records)} records"
        ts = [parse_ts(r["timestamp"]) for r in records]
        assert all(x <= y for x, y in zip(ts, ts[1:], strict=False)), f"{iid}: timestamps go back"
        assert timedelta(days=1) <= ts[-1] - ts[0] <= timedelta(days=2), f"{iid}: span {ts[-1] - ts[0]}"
        per_style = {st: 0 for st in STYLES}
        turns, asked = [], []
        for qd in sysdef["questions"]:
            if qd["derive"]:
                subs = qd["derive"](records)
                qd = dict(qd, ask=fill(qd["ask"], subs), rule=fill(qd["rule"], subs), derive=None)
                asked.append(qd)
            else:
                asked.append(qd)
            ask = qd["ask"]
            key = " ".join(ask.lower().split())
            assert key not in seen_asks, f"duplicate ask: {ask}"
            seen_asks.add(key)
            per_style[qd["style"]] += 1
            lines = relevant(records, qd["rule"])
            assert MIN_LINES <= len(lines) <= MAX_LINES, f"{iid}: {ask!r} selects {len(lines)} lines"
            assert all(1 <= n <= len(records) for n in lines)
            assert len(qd["mentions"]) == 2, ask
            if a.show:
                print(f"\n== {iid} [{qd['style']}] {ask}  ({len(lines)} lines)")
                for n in lines:
                    r = records[n - 1]
                    extra = " ".join(str(r.get(k)) for k in ("host", "level", "reason", "status") if r.get(k))
                    print(f"  {n:5d} {r['timestamp']} {extra} | {r['message'].splitlines()[0][:170]}")
            for m in qd["mentions"]:
                assert any(m.lower() in str(v).lower() for n in lines for v in records[n - 1].values()), (
                    f"{iid}: mention {m!r} is not in any relevant line of {ask!r}"
                )
            if qd["style"] == "paraphrase":
                shared = [
                    w
                    for w in shared_words(ask, [records[n - 1]["message"] for n in lines])
                    if w not in name_words(ask)
                ]
                if shared:
                    overlaps.append((iid, ask, shared))
            distinct = len({records[n - 1]["message"] for n in lines})
            turns.append({"ask": ask, "expect": {"relevant_lines": lines, "mentions": qd["mentions"]}})
            table.append((iid, qd["style"], len(lines), distinct, ask))
        assert all(v == PER_STYLE_PER_SYSTEM for v in per_style.values()), f"{iid}: styles {per_style}"
        incident = {"id": iid, "title": sysdef["title"], "window": window(records), "turns": turns}
        outputs.append((iid, records, incident))
        qfile["incidents"].append(
            {"id": iid, "turns": [{"ask": qd["ask"], "style": qd["style"]} for qd in asked]}
        )

    if not a.show:
        out.mkdir(parents=True, exist_ok=True)
        for iid, records, incident in outputs:
            d = out / iid
            d.mkdir(exist_ok=True)
            write_text(d / "logs.jsonl", dump_jsonl(records))
            write_text(d / "incident.json", dump_json(incident))
        write_text(out / "questions.json", dump_json(qfile))

    print(f"\n{'incident':8s} {'style':10s} {'lines':>5s} {'msgs':>4s}  question")
    for iid, style, n, distinct, ask in table:
        print(f"{iid:8s} {style:10s} {n:5d} {distinct:4d}  {ask}")
    by_style = {st: sum(1 for r in table if r[1] == st) for st in STYLES}
    print(f"\n{len(table)} turns over {len(SYSTEMS)} incidents; per style {by_style}")
    if overlaps:
        print(
            "\nparaphrase asks sharing a content word (or its first four letters) with their relevant lines:"
        )
        for iid, ask, shared in overlaps:
            print(f"  {iid}: {shared}  <- {ask}")
    else:
        print("no paraphrase ask shares a content word with its relevant lines (names aside)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

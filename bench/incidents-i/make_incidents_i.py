#!/usr/bin/env python3
"""Build the "incidents-i" evaluation set: three synthetic incidents, each a six-turn on-call thread.

Usage: python3 make_incidents_i.py [--out DIR] [--show]

  --out   where to write; default: the folder of this script (bench/incidents-i/).
  --show  print every turn's relevant lines and each system's template counts; write nothing.

Writes <out>/i-<system>/logs.jsonl and incident.json for three systems, and <out>/questions.json
(the style of every turn, for shared/spec/score_replay.py --questions), then prints the sha256 of
every file written. Standard library only. All randomness comes from random.Random with fixed
seeds and nothing iterates over a set or depends on hash order, so a second run writes identical
bytes under any PYTHONHASHSEED.

The logs are synthetic. Each system is simulated from a story (a fault with a cause and its
consequences, plus routine lines, a second unrelated problem and noise) and written in the wording
of the real software as closely as the author could remember it:

  i-yarn   Hadoop 3 YARN: ResourceManager, NodeManagers and one MapReduce ApplicationMaster, log4j
           text layout with the %m part kept as `message` and level, logger (full class name), host
           and thread as fields; timestamps in -05:00 (America/Chicago, summer).
  i-bgl    Blue Gene/L RAS log in LogHub's BGL flavour (RAS KERNEL INFO ..., RAS APP FATAL ...),
           as JSON with location, component and level split off; UTC.
  i-grpc   Go gRPC service ledger-svc logging with zap in production JSON (ts as epoch seconds,
           msg, caller, grpc.* fields, nested error text), with the shipper's kubernetes object
           and a copied ISO `timestamp` and `message`; UTC.

Three styles, two turns each per system: broad (a time window, "what went wrong"), lexical (an exact
id, host, number or quoted log fragment) and paraphrase (plain words about lines whose wording the
ask does not share). Relevant lines are never listed by hand: a rule selects them. A rule is a dict,
or a list of dicts whose selections are united; every condition of a dict must hold:

  msg      regex searched in `message`
  not_msg  regex that must NOT be found in `message`
  field    {name: regex}, fully matched against the field's text (JSON text for numbers and
           objects); a dotted name is looked up as a literal key first (zap's grpc.method), else as
           a path into nested objects (kubernetes.pod_name)
  since    ISO 8601 with offset; the record's timestamp must be >= it
  until    ISO 8601 with offset; the record's timestamp must be < it

Checks before anything is written: 1,500-2,500 records per system, timestamps never go backwards
and carry Z or an offset, span 20-48 h, at least 25 templates; every turn selects 1-40 lines
holding at most 10 distinct messages (so a perfect top 10 of distinct messages can find all of
them); both mentions occur (case-insensitively) in some field of a relevant line; two turns per
style per system; no ask repeats. Paraphrase asks are checked for any content word, or any pair of
words with the same first four letters, shared with the messages of their relevant lines; if one
is found it is printed and the script exits 1 without writing.
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


def hexs(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def epoch_ms(dt):
    return (dt - EPOCH) // timedelta(milliseconds=1)


def epoch_us(dt):
    return (dt - EPOCH) // timedelta(microseconds=1)


# =============================================================================================
# 1. Hadoop 3 YARN: hdw-04 lost one disk in the afternoon, the nightly MapReduce job filled the
#    other three; the NodeManager went UNHEALTHY, attempts failed and were killed and re-run.
#    Times in -05:00.

Y_TZ = timezone(timedelta(hours=-5))
CLUSTER_TS = 1718600012345  # RM start time, part of every application id
DOMAIN = "dc1.example.com"
RM_HOST = f"hdm-01.{DOMAIN}"
NM_HOSTS = [f"hdw-{i:02d}.{DOMAIN}" for i in range(1, 9)]
NM_IP = {h: f"10.20.1.{10 + i}" for i, h in enumerate(NM_HOSTS, 1)}
BAD = f"hdw-04.{DOMAIN}"
NM_MEM, NM_VC = 49152, 16

P_RM = "org.apache.hadoop.yarn.server.resourcemanager."
P_NM = "org.apache.hadoop.yarn.server.nodemanager."
P_AM = "org.apache.hadoop.mapreduce.v2.app."
LG = {
    "clientrm": P_RM + "ClientRMService",
    "rmapp": P_RM + "rmapp.RMAppImpl",
    "audit": P_RM + "RMAuditLogger",
    "summary": P_RM + "RMAppManager$ApplicationSummary",
    "ams": P_RM + "ApplicationMasterService",
    "cs": P_RM + "scheduler.capacity.CapacityScheduler",
    "leafq": P_RM + "scheduler.capacity.LeafQueue",
    "rmnode": P_RM + "rmnode.RMNodeImpl",
    "dtr": P_RM + "security.DelegationTokenRenewer",
    "proxy": "org.apache.hadoop.yarn.server.webproxy.WebAppProxyServlet",
    "pause": "org.apache.hadoop.util.JvmPauseMonitor",
    "cont": P_NM + "containermanager.container.ContainerImpl",
    "cmi": P_NM + "containermanager.ContainerManagerImpl",
    "dce": P_NM + "DefaultContainerExecutor",
    "dircol": P_NM + "DirectoryCollection",
    "ldhs": P_NM + "LocalDirsHandlerService",
    "cmon": P_NM + "containermanager.monitor.ContainersMonitorImpl",
    "logagg": P_NM + "containermanager.logaggregation.AppLogAggregatorImpl",
    "rls": P_NM + "containermanager.localizer.ResourceLocalizationService",
    "mram": P_AM + "MRAppMaster",
    "job": P_AM + "job.impl.JobImpl",
    "ta": P_AM + "job.impl.TaskAttemptImpl",
    "task": P_AM + "job.impl.TaskImpl",
    "rmca": P_AM + "rm.RMContainerAllocator",
    "rmcr": P_AM + "rm.RMContainerRequestor",
}

LAUNCH_STACK = "\n".join([
    "ExitCodeException exitCode=1: ",
    "\tat org.apache.hadoop.util.Shell.runCommand(Shell.java:1008)",
    "\tat org.apache.hadoop.util.Shell.run(Shell.java:901)",
    "\tat org.apache.hadoop.util.Shell$ShellCommandExecutor.execute(Shell.java:1213)",
    "\tat org.apache.hadoop.yarn.server.nodemanager.DefaultContainerExecutor.launchContainer(DefaultContainerExecutor.java:309)",
    "\tat org.apache.hadoop.yarn.server.nodemanager.containermanager.launcher.ContainerLaunch.launchContainer(ContainerLaunch.java:600)",
    "\tat org.apache.hadoop.yarn.server.nodemanager.containermanager.launcher.ContainerLaunch.call(ContainerLaunch.java:388)",
    "\tat org.apache.hadoop.yarn.server.nodemanager.containermanager.launcher.ContainerLaunch.call(ContainerLaunch.java:103)",
    "\tat java.util.concurrent.FutureTask.run(FutureTask.java:266)",
    "\tat java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1149)",
    "\tat java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:624)",
    "\tat java.lang.Thread.run(Thread.java:750)",
])

ADHOC_QUERIES = [
    "select count(*) from web_events where dt='2024-06-17' and page_type='checkout'(Stage-1)",
    "insert overwrite table scratch.jc_sessions select user_id, min(ts)...user_id(Stage-1)",
    "select campaign, sum(spend) from ads_daily where dt>='2024-06-01' group by campaign(Stage-1)",
    "select * from orders o join customers c on o.customer_id=c.id where o.dt='2024-06-18'(Stage-2)",
    "with s as (select user_id, count(*) n from web_events group by user_id) select...(Stage-1)",
]


def short(host):
    return host.split(".")[0]


def gen_yarn():
    rng = random.Random(20240618)

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 6, d, hh, mm, tzinfo=Y_TZ) + sec(ss)

    T0, T1 = at(18, 6, 0), at(19, 11, 0)
    L = Log(lambda d: d.astimezone(Y_TZ).isoformat(timespec="milliseconds"))

    def log(dt, level, lg, host, thread, msg, tpl, service):
        L.add(dt, tpl, {"level": level, "logger": LG[lg], "host": host, "thread": thread, "service": service, "message": msg})

    def rm(dt, level, lg, thread, msg, tpl):
        log(dt, level, lg, RM_HOST, thread, msg, tpl, "resourcemanager")

    def nm(dt, host, level, lg, thread, msg, tpl):
        log(dt, level, lg, host, thread, msg, tpl, "nodemanager")

    def am_logger(am_host):
        def amlog(dt, level, lg, thread, msg, tpl):
            log(dt, level, lg, am_host, thread, msg, tpl, "mr-appmaster")
        return amlog

    def ipc(port):
        return f"IPC Server handler {rng.randint(0, 49)} on default port {port}"

    DISP = "AsyncDispatcher event handler"
    SCHED = "SchedulerEventDispatcher:Event Processor"
    NMD = "NM ContainerManager dispatcher"
    DHM = "DiskHealthMonitor-Timer"
    ETL_IP, OOZIE_IP = "10.20.0.31", "10.20.0.32"

    def app_id(n):
        return f"application_{CLUSTER_TS}_{n:04d}"

    def cid(n, c, a=1):
        return f"container_e42_{CLUSTER_TS}_{n:04d}_{a:02d}_{c:06d}"

    def cluster_res(k):
        return f"<memory:{NM_MEM * k}, vCores:{NM_VC * k}>"

    # key moments of the story
    DISK4 = at(18, 16, 10, 37.412)            # /data/4 on hdw-04 goes bad (not writable); nobody acts
    SUBMIT = at(19, 0, 30, 2.418)             # nightly clickstream-sessionize submitted by oozie
    D_FULL = [at(19, 1, 1, 47.205), at(19, 1, 7, 12.881), at(19, 1, 14, 58.117)]  # /data/1..3 cross 90%
    FAILS = [at(19, 1, 3, 21.640), at(19, 1, 5, 49.302), at(19, 1, 8, 44.518), at(19, 1, 12, 6.775)]
    UNHEALTHY = D_FULL[2] + sec(1.338)        # the RM hears about it on the next heartbeat
    ADHOC_T = at(18, 13, 58, 41.09)
    state = {"next_app": 281, "recovered": None}

    def node_ok(h, t):
        """May a routine container run on h at t? hdw-04 is out from UNHEALTHY until it recovers."""
        if h != BAD or t < UNHEALTHY:
            return True
        return state["recovered"] is not None and t >= state["recovered"]

    def submit(t, name, user, queue, ip, token=False):
        n = state["next_app"]
        state["next_app"] += 1
        a = app_id(n)
        rm(t, "INFO", "clientrm", ipc(8032), f"Allocated new applicationId: {n}", "new_app_id")
        rm(t + sec(0.21), "INFO", "rmapp", DISP, f"Storing application with id {a}", "storing_app")
        rm(t + sec(0.22), "INFO", "audit", ipc(8032),
           f"USER={user}\tIP={ip}\tOPERATION=Submit Application Request\tTARGET=ClientRMService\tRESULT=SUCCESS\tAPPID={a}\tQUEUENAME={queue}",
           "audit_submit")
        if token:
            issue = epoch_ms(t) - rng.randint(1000, 9000)
            rm(t + sec(0.25), "INFO", "dtr", f"DelegationTokenRenewer #{rng.randint(1, 50)}",
               f"Renewed delegation-token= [Kind: HDFS_DELEGATION_TOKEN, Service: ha-hdfs:dc1, Ident: (token for {user}: HDFS_DELEGATION_TOKEN "
               f"owner={user}@DC1.EXAMPLE.COM, renewer=yarn, realUser=oozie/hdm-02.{DOMAIN}@DC1.EXAMPLE.COM, issueDate={issue}, "
               f"maxDate={issue + 604800000}, sequenceNumber={880000 + rng.randint(0, 99999)}, masterKeyId=417)];exp={issue + 86400000}; apps=[{a}]",
               "token_renewed")
        rm(t + sec(0.31), "INFO", "cs", SCHED, f"Accepted application {a} from user: {user}, in queue: {queue}", "accepted")
        return n

    def am_registered(n, t):
        rm(t, "INFO", "ams", ipc(8030), f"AM registration appattempt_{CLUSTER_TS}_{n:04d}_000001", "am_registration")
        rm(t + sec(0.02), "INFO", "rmapp", DISP, f"{app_id(n)} State change from ACCEPTED to RUNNING on event = ATTEMPT_REGISTERED", "app_state")

    def app_done(n, end, name, user, queue, am_host, t_submit, t_launch, final, containers, mem_s, vc_s, diag=""):
        a = app_id(n)
        rm(end - sec(1.4), "INFO", "rmapp", DISP, f"{a} State change from RUNNING to FINAL_SAVING on event = ATTEMPT_UNREGISTERED", "app_state")
        rm(end - sec(0.19), "INFO", "summary", DISP,
           f"appId={a},name={name},user={user},queue={queue},state=FINISHED,trackingUrl=http://{RM_HOST}:8088/proxy/{a}/,"
           f"appMasterHost={am_host},submitTime={epoch_ms(t_submit)},startTime={epoch_ms(t_submit) + 41},launchTime={epoch_ms(t_launch)},"
           f"finishTime={epoch_ms(end)},finalStatus={final},memorySeconds={mem_s},vcoreSeconds={vc_s},"
           f"preemptedMemorySeconds=0,preemptedVcoreSeconds=0,preemptedAMContainers=0,preemptedNonAMContainers=0,"
           f"preemptedResources=<memory:0\\, vCores:0>,applicationType=MAPREDUCE,resourceSeconds={mem_s} MB-seconds\\, {vc_s} vcore-seconds,"
           f"applicationTags=,applicationNodeLabel=,diagnostics={diag},totalAllocatedContainers={containers}",
           "app_summary")

    def log_agg(host, n, t):
        nm(t, host, "INFO", "logagg", f"LogAggregationService #{rng.randint(0, 30)}", f"Application just finished : {app_id(n)}", "logagg_finished")

    def c_start(host, c, t):
        nm(t, host, "INFO", "cont", NMD, f"Container {c} transitioned from SCHEDULED to RUNNING", "c_running")

    def c_ok(host, c, t):
        nm(t, host, "INFO", "cont", NMD, f"Container {c} transitioned from RUNNING to EXITED_WITH_SUCCESS", "c_success")

    # ---------------------------------------------------------------------------------------
    # routine applications: small MapReduce jobs, each an AM container plus a few task containers
    def routine_app(t, name, user, queue, ip, ncont, minutes, token=False):
        n = submit(t, name, user, queue, ip, token)
        ts = t + sec(rng.uniform(1.5, 4))
        end_guess = ts + sec(60 * minutes + 60)
        am_host = rng.choice([h for h in NM_HOSTS if node_ok(h, ts) and node_ok(h, end_guess)])
        c_start(am_host, cid(n, 1), ts)
        am_registered(n, ts + sec(rng.uniform(4, 9)))
        used = [am_host]
        last, mem = ts, 0
        for k in range(2, ncont + 2):
            tc0 = ts + sec(rng.uniform(12, 30) + (k - 2) * rng.uniform(0.2, 2))
            tc1 = tc0 + sec(60 * minutes * rng.uniform(0.45, 0.85))
            h = rng.choice([x for x in NM_HOSTS if node_ok(x, tc0) and node_ok(x, tc1)])
            c_start(h, cid(n, k), tc0)
            c_ok(h, cid(n, k), tc1)
            if h not in used:
                used.append(h)
            last = max(last, tc1)
            mem += int((tc1 - tc0).total_seconds() * 2048)
        end = max(ts + sec(60 * minutes), last + sec(rng.uniform(4, 20)))
        c_ok(am_host, cid(n, 1), end - sec(0.6))
        dur = int((end - ts).total_seconds())
        app_done(n, end, name, user, queue, am_host, t, ts, "SUCCEEDED", ncont + 1, mem + dur * 1536, mem // 2048 + dur)
        for h in sorted(used):
            log_agg(h, n, end + sec(rng.uniform(0.5, 3)))
        return n, am_host

    # ---------------------------------------------------------------------------------------
    # the unrelated problem: an analyst's join blows through the 4 GB container limit on every attempt
    def adhoc_fail(t):
        name, user, queue = "adhoc-feature-join", "mkowalski", "adhoc"
        n = submit(t, name, user, queue, "10.20.7.44")
        rm(t + sec(0.33), "WARN", "leafq", SCHED,
           "maximum-am-resource-percent is insufficient to start a single application in queue, it is likely set too low. "
           "skipping enforcement to allow at least one application to start", "am_resource_pct")
        am_host = f"hdw-07.{DOMAIN}"
        amlog = am_logger(am_host)
        job = f"job_{CLUSTER_TS}_{n:04d}"
        ts = t + sec(2.7)
        c_start(am_host, cid(n, 1), ts)
        am_registered(n, ts + sec(6.1))
        amlog(ts + sec(5.2), "INFO", "job", DISP, f"{job}Job Transitioned from INITED to SETUP", "am_job_state")
        amlog(ts + sec(5.4), "INFO", "job", DISP, f"{job}Job Transitioned from SETUP to RUNNING", "am_job_state")
        c, tc, used = 2, ts + sec(14), [am_host]
        for m in range(8):  # 7 maps succeed
            if m == 3:
                continue
            h = NM_HOSTS[(m * 3) % 8]
            att = f"attempt_{CLUSTER_TS}_{n:04d}_m_{m:06d}_0"
            d = rng.uniform(150, 400)
            amlog(tc, "INFO", "ta", DISP, f"TaskAttempt: [{att}] using containerId: [{cid(n, c)} on NM: [{h}:45454]", "am_using_container")
            c_start(h, cid(n, c), tc + sec(0.8))
            c_ok(h, cid(n, c), tc + sec(d))
            amlog(tc + sec(d + 0.4), "INFO", "task", DISP, f"Task succeeded with attempt {att}", "am_task_succeeded")
            used.append(h)
            c += 1
            tc += sec(rng.uniform(0.1, 0.6))
        ta = ts + sec(15)
        for k, h in enumerate([f"hdw-02.{DOMAIN}", f"hdw-05.{DOMAIN}", f"hdw-08.{DOMAIN}", f"hdw-01.{DOMAIN}"]):
            att = f"attempt_{CLUSTER_TS}_{n:04d}_m_000003_{k}"
            cc = cid(n, c)
            c += 1
            used.append(h)
            if k:
                amlog(ta - sec(2.1), "INFO", "ta", DISP, f"{att} TaskAttempt Transitioned from NEW to UNASSIGNED", "am_ta_state")
            amlog(ta, "INFO", "ta", DISP, f"TaskAttempt: [{att}] using containerId: [{cc} on NM: [{h}:45454]", "am_using_container")
            c_start(h, cc, ta + sec(0.8))
            tk = ta + sec(rng.uniform(150, 260))
            pid = rng.randint(20000, 64000)
            over = rng.randint(120, 480) * 1048576 + rng.randint(0, 1048575)
            rss = (4096 * 1048576 + over) / 1073741824
            vm = rng.uniform(6.0, 6.6)
            tree = (
                f"Dump of the process-tree for {cc} :\n"
                "\t|- PID PPID PGRPID SESSID CMD_NAME USER_MODE_TIME(MILLIS) SYSTEM_TIME(MILLIS) VMEM_USAGE(BYTES) RSSMEM_USAGE(PAGES) FULL_CMD_LINE\n"
                f"\t|- {pid} {pid - 2} {pid} {pid} (java) {rng.randint(90000, 190000)} {rng.randint(3000, 9000)} {int(vm * 1073741824)} {int(rss * 262144)} "
                "/usr/lib/jvm/java-8-openjdk-amd64/bin/java -Djava.net.preferIPv4Stack=true -Dhadoop.metrics.log.level=WARN -Xmx3276m "
                "-Djava.io.tmpdir=./tmp -Dlog4j.configuration=container-log4j.properties org.apache.hadoop.mapred.YarnChild "
                f"{NM_IP[am_host]} 41235 {att} {c}\n"
                f"\t|- {pid - 2} {pid - 4} {pid - 2} {pid - 2} (bash) 0 0 115900416 307 /bin/bash -c /usr/lib/jvm/java-8-openjdk-amd64/bin/java ... "
                f"1>/var/log/hadoop-yarn/containers/{app_id(n)}/{cc}/stdout 2>/var/log/hadoop-yarn/containers/{app_id(n)}/{cc}/stderr \n"
            )
            head = (f"Container [pid={pid},containerID={cc}] is running {over}B beyond the 'PHYSICAL' memory limit. "
                    f"Current usage: {rss:.1f} GB of 4 GB physical memory used; {vm:.1f} GB of 8.4 GB virtual memory used. Killing container.")
            nm(tk, h, "WARN", "cmon", "Container Monitor", head + "\n" + tree, "pmem_kill")
            nm(tk + sec(0.01), h, "INFO", "cont", NMD, f"Container {cc} transitioned from RUNNING to KILLING", "c_killing")
            nm(tk + sec(0.4), h, "INFO", "cont", NMD, f"Container {cc} transitioned from KILLING to CONTAINER_CLEANEDUP_AFTER_KILL", "c_cleanedup")
            stamp = tk.strftime("%Y-%m-%d %H:%M:%S.") + f"{tk.microsecond // 1000:03d}"
            amlog(tk + sec(1.1), "INFO", "ta", DISP,
                  f"Diagnostics report from {att}: [{stamp}]{head}\n{tree}\n[{stamp}]Container killed on request. Exit code is 143\n"
                  f"[{stamp}]Container exited with a non-zero exit code 143. ", "am_diag")
            amlog(tk + sec(1.12), "INFO", "ta", DISP, f"{att} TaskAttempt Transitioned from RUNNING to FAIL_CONTAINER_CLEANUP", "am_ta_state")
            ta = tk + sec(rng.uniform(2.5, 5))
        amlog(ta, "INFO", "task", DISP, f"task_{CLUSTER_TS}_{n:04d}_m_000003 Task Transitioned from RUNNING to FAILED", "am_task_state")
        fail_msg = "Job failed as tasks failed. failedMaps:1 failedReduces:0 killedMaps:0 killedReduces: 0"
        amlog(ta + sec(0.01), "INFO", "job", DISP, fail_msg, "am_job_failed")
        amlog(ta + sec(0.02), "INFO", "job", DISP, f"{job}Job Transitioned from RUNNING to FAIL_WAIT", "am_job_state")
        amlog(ta + sec(0.9), "INFO", "job", DISP, f"{job}Job Transitioned from FAIL_ABORT to FAILED", "am_job_state")
        end = ta + sec(3.2)
        c_ok(am_host, cid(n, 1), end - sec(0.6))
        app_done(n, end, name, user, queue, am_host, t, ts, "FAILED", c - 1, 8712302, 2231,
                 diag=f"Task failed task_{CLUSTER_TS}_{n:04d}_m_000003\\n{fail_msg}\\n")
        for h in sorted(set(used)):
            log_agg(h, n, end + sec(rng.uniform(0.5, 3)))

    # ---------------------------------------------------------------------------------------
    # the story: the nightly clickstream-sessionize job (96 maps, 24 reduces), simulated slot by slot
    def clickstream():
        name, user, queue = "clickstream-sessionize", "etl", "etl"
        n = submit(SUBMIT, name, user, queue, OOZIE_IP, token=True)
        job = f"job_{CLUSTER_TS}_{n:04d}"
        am_host = f"hdw-06.{DOMAIN}"
        amlog = am_logger(am_host)
        ts = SUBMIT + sec(2.9)
        c_start(am_host, cid(n, 1), ts)
        amlog(ts + sec(2.1), "INFO", "mram", "main", f"Created MRAppMaster for application appattempt_{CLUSTER_TS}_{n:04d}_000001", "am_created")
        amlog(ts + sec(4.0), "INFO", "job", DISP, f"Input size for job {job} = 1184213902336. Number of splits = 96", "am_input_size")
        amlog(ts + sec(4.01), "INFO", "job", DISP, f"Number of reduces for job {job} = 24", "am_reduces")
        amlog(ts + sec(4.02), "INFO", "job", DISP, f"{job}Job Transitioned from NEW to INITED", "am_job_state")
        am_registered(n, ts + sec(5.3))
        amlog(ts + sec(5.6), "INFO", "job", DISP, f"{job}Job Transitioned from INITED to SETUP", "am_job_state")
        amlog(ts + sec(5.9), "INFO", "job", DISP, f"{job}Job Transitioned from SETUP to RUNNING", "am_job_state")

        NMAPS, NRED = 96, 24
        free = {"m": {h: (3 if h == am_host else 4) for h in NM_HOSTS}, "r": {h: 3 for h in NM_HOSTS}}
        pend = {"m": list(range(NMAPS)), "r": []}
        att_no = {}
        cont = [2]
        run = {}           # attempt id -> dict
        done = {"m": {}, "r": {}}   # task -> attempt id that succeeded
        avoid = {}         # (kind, task) -> host its last attempt failed on; the retry goes elsewhere
        st = {"bl": False, "unusable": False, "maps_done": None, "reduces": False, "fails": 0, "end": None}
        ev, seq = [], [0]

        def push(t, kind, p=None):
            heapq.heappush(ev, (t, seq[0], kind, p))
            seq[0] += 1

        def aid(kind, task, a):
            return f"attempt_{CLUSTER_TS}_{n:04d}_{kind}_{task:06d}_{a}"

        def allowed(h):
            return not (h == BAD and (st["bl"] or st["unusable"]))

        def reduce_end(start, t_maps):
            return max(t_maps, start + sec(360)) + sec(rng.uniform(19, 26) * 60)

        def alloc(t):
            for kind in ("m", "r"):
                while pend[kind]:
                    task = pend[kind][0]
                    hosts = [h for h in NM_HOSTS if free[kind][h] > 0 and allowed(h) and h != avoid.get((kind, task))]
                    if not hosts:
                        break
                    pend[kind].pop(0)
                    h = rng.choice(hosts)
                    free[kind][h] -= 1
                    a = att_no.get((kind, task), 0)
                    att_no[(kind, task)] = a + 1
                    at_id = aid(kind, task, a)
                    c = cid(n, cont[0])
                    cont[0] += 1
                    t0 = t + sec(rng.uniform(0.8, 3.5))
                    amlog(t0 - sec(0.4), "INFO", "ta", DISP, f"TaskAttempt: [{at_id}] using containerId: [{c} on NM: [{h}:45454]", "am_using_container")
                    c_start(h, c, t0)
                    rec = {"kind": kind, "task": task, "host": h, "cont": c, "start": t0, "state": "run"}
                    run[at_id] = rec
                    if kind == "m":
                        push(t0 + sec(rng.uniform(14, 20) * 60), "end", at_id)
                    elif st["maps_done"] is not None:
                        push(reduce_end(t0, st["maps_done"]), "end", at_id)

        def requeue(t, kind, task, front):
            nxt = aid(kind, task, att_no[(kind, task)])
            amlog(t, "INFO", "ta", DISP, f"{nxt} TaskAttempt Transitioned from NEW to UNASSIGNED", "am_ta_state")
            if front:
                pend[kind].insert(0, task)
            else:
                pend[kind].append(task)

        def finish(t, at_id):
            r = run[at_id]
            if r["state"] != "run":
                return
            r["state"] = "ok"
            free[r["kind"]][r["host"]] += 1
            c_ok(r["host"], r["cont"], t)
            amlog(t + sec(0.6), "INFO", "task", DISP, f"Task succeeded with attempt {at_id}", "am_task_succeeded")
            done[r["kind"]][r["task"]] = at_id
            if r["kind"] == "m":
                if len(done["m"]) >= 0.6 * NMAPS and not st["reduces"]:
                    st["reduces"] = True
                    pend["r"] = list(range(NRED))
                if len(done["m"]) == NMAPS and st["maps_done"] is None:
                    st["maps_done"] = t
                    for rid in sorted(run):
                        rr = run[rid]
                        if rr["kind"] == "r" and rr["state"] == "run":
                            push(reduce_end(rr["start"], t), "end", rid)
            elif len(done["r"]) == NRED:
                st["end"] = t
            alloc(t + sec(1))

        def fail(t):
            cands = sorted((r["start"], k) for k, r in run.items()
                           if r["host"] == BAD and r["state"] == "run" and r["kind"] == "m" and r["start"] < t - sec(120))
            _, at_id = cands[0]
            r = run[at_id]
            r["state"] = "failed"
            free["m"][BAD] += 1
            c, k = r["cont"], rng.randint(1, 4)
            nm(t, BAD, "WARN", "dce", f"ContainersLauncher #{rng.randint(1, 60)}", f"Exit code from container {c} is : 1", "exit_code")
            nm(t + sec(0.002), BAD, "WARN", "dce", f"ContainersLauncher #{rng.randint(1, 60)}",
               f"Exception from container-launch with container ID: {c} and exit code: 1\n{LAUNCH_STACK}", "launch_exception")
            nm(t + sec(0.004), BAD, "INFO", "cont", NMD, f"Container {c} transitioned from RUNNING to EXITED_WITH_FAILURE", "c_failure")
            amlog(t + sec(0.9), "INFO", "ta", DISP,
                  f"Diagnostics report from {at_id}: Error: org.apache.hadoop.util.DiskChecker$DiskErrorException: Could not find any valid "
                  f"local directory for output/{at_id}/spill{k}.out", "am_diag")
            amlog(t + sec(0.91), "INFO", "ta", DISP, f"{at_id} TaskAttempt Transitioned from RUNNING to FAIL_CONTAINER_CLEANUP", "am_ta_state")
            st["fails"] += 1
            if st["fails"] == 3:
                st["bl"] = True
                amlog(t + sec(1.5), "INFO", "rmcr", "RMCommunicator Allocator", f"Blacklisted host {BAD}", "am_blacklisted")
                amlog(t + sec(1.51), "INFO", "rmcr", "RMCommunicator Allocator",
                      f"Update the blacklist for {app_id(n)}: blacklistAdditions=1 blacklistRemovals=0", "am_blacklist_update")
            avoid[("m", r["task"])] = BAD
            requeue(t + sec(0.92), "m", r["task"], True)
            alloc(t + sec(2))

        def unusable(t):
            st["unusable"] = True
            k = 0
            for at_id in sorted(run, key=lambda x: (run[x]["start"], x)):
                r = run[at_id]
                if r["host"] != BAD or r["state"] not in ("run", "ok"):
                    continue
                if r["state"] == "ok" and (r["kind"] == "r" or done["m"].get(r["task"]) != at_id):
                    continue
                tk = t + sec(0.003 * k)
                k += 1
                amlog(tk, "INFO", "job", DISP, f"TaskAttempt killed because it ran on unusable node {BAD}:45454. AttemptId:{at_id}", "am_unusable")
                if r["state"] == "run":
                    free[r["kind"]][BAD] += 1
                    c = r["cont"]
                    nm(tk + sec(0.3), BAD, "INFO", "cmi", f"IPC Server handler {rng.randint(0, 19)} on 45454",
                       f"Stopping container with container Id: {c}", "stop_container")
                    nm(tk + sec(0.31), BAD, "INFO", "cont", NMD, f"Container {c} transitioned from RUNNING to KILLING", "c_killing")
                    nm(tk + sec(0.9), BAD, "INFO", "cont", NMD, f"Container {c} transitioned from KILLING to CONTAINER_CLEANEDUP_AFTER_KILL", "c_cleanedup")
                    amlog(tk + sec(1.2), "INFO", "ta", DISP, f"{at_id} TaskAttempt Transitioned from RUNNING to KILL_CONTAINER_CLEANUP", "am_ta_state")
                    amlog(tk + sec(1.3), "INFO", "ta", DISP,
                          f"Diagnostics report from {at_id}: Container killed by the ApplicationMaster.\nContainer killed on request. "
                          "Exit code is 143\nContainer exited with a non-zero exit code 143. ", "am_diag")
                else:
                    amlog(tk + sec(0.01), "INFO", "ta", DISP, f"{at_id} TaskAttempt Transitioned from SUCCEEDED to KILLED", "am_ta_state")
                    del done["m"][r["task"]]
                r["state"] = "killed"
                requeue(tk + sec(1.31), r["kind"], r["task"], False)
            alloc(t + sec(2))

        push(ts + sec(9.0), "alloc")
        for F in FAILS:
            push(F, "fail")
        push(UNHEALTHY + sec(1.9), "unusable")
        while ev and st["end"] is None:
            t, _, kind, p = heapq.heappop(ev)
            if kind == "alloc":
                alloc(t)
            elif kind == "end":
                finish(t, p)
            elif kind == "fail":
                fail(t)
            elif kind == "unusable":
                unusable(t)
        end = st["end"]
        amlog(end + sec(1.1), "INFO", "job", DISP, f"{job}Job Transitioned from RUNNING to COMMITTING", "am_job_state")
        amlog(end + sec(4.3), "INFO", "job", DISP, f"{job}Job Transitioned from COMMITTING to SUCCEEDED", "am_job_state")
        amlog(end + sec(4.4), "INFO", "rmca", "RMCommunicator Allocator",
              f"Final Stats: PendingReds:0 ScheduledMaps:0 ScheduledReds:0 AssignedMaps:0 AssignedReds:0 CompletedMaps:{NMAPS} "
              f"CompletedReds:{NRED} ContAlloc:{cont[0] - 2} ContRel:0 HostLocal:{NMAPS - 14} RackLocal:14", "am_final_stats")
        fin = end + sec(7.9)
        c_ok(am_host, cid(n, 1), fin - sec(0.6))
        secs = int((fin - ts).total_seconds())
        app_done(n, fin, name, user, queue, am_host, SUBMIT, ts, "SUCCEEDED", cont[0] - 1, secs * 2048 * 60, secs * 52)
        for h in NM_HOSTS:
            log_agg(h, n, fin + sec(rng.uniform(0.5, 3)))
        return fin

    # ---- hdw-04's disks, checked every two minutes by the NodeManager
    def dirs_report(full):
        rep = "1/4 local-dirs have errors: [ /data/4/hadoop/yarn/local : Directory is not writable: /data/4/hadoop/yarn/local ] "
        if full:
            lst = " ; ".join(f"/data/{d}/hadoop/yarn/local : used space above threshold of 90.0%" for d in full)
            rep += f"; {len(full)}/4 local-dirs usable space is below configured utilization percentage/no more usable space [ {lst} ] "
        return rep

    nm(DISK4, BAD, "WARN", "dircol", DHM,
       "Directory /data/4/hadoop/yarn/local error, Directory is not writable: /data/4/hadoop/yarn/local, removing from list of valid directories",
       "dir_bad")
    nm(DISK4 + sec(0.003), BAD, "WARN", "ldhs", DHM, "Disk(s) failed: " + dirs_report([]), "disks_failed")
    for k, t in enumerate(D_FULL):
        d = k + 1
        nm(t, BAD, "WARN", "dircol", DHM,
           f"Directory /data/{d}/hadoop/yarn/local error, used space above threshold of 90.0%, removing from list of valid directories", "dir_bad")
        nm(t + sec(0.002), BAD, "WARN", "ldhs", DHM, "Disk(s) failed: " + dirs_report(list(range(1, d + 1))), "disks_failed")
    rm(UNHEALTHY, "INFO", "rmnode", "ResourceManager Event Processor",
       f"Node {BAD}:45454 reported UNHEALTHY with details: {dirs_report([1, 2, 3])}", "node_unhealthy_report")
    rm(UNHEALTHY + sec(0.001), "INFO", "rmnode", DISP, f"{BAD}:45454 Node Transitioned from RUNNING to UNHEALTHY", "node_state")
    rm(UNHEALTHY + sec(0.004), "INFO", "cs", SCHED, f"Removed node {BAD}:45454 clusterResource: {cluster_res(7)}", "node_removed")

    # ---- run the day, in time order (routine apps check hdw-04's state when they place containers)
    jobs = []
    t = at(18, 6, 5, 11.3)
    while t < T1 - sec(1800):
        jobs.append((t + sec(rng.uniform(0, 40)), "hourly"))
        t += sec(3600)
    t = at(18, 6, 20, 3.0)
    while t < T1 - sec(1800):
        jobs.append((t + sec(rng.uniform(0, 20)), "oozie"))
        t += sec(3 * 3600)
    for t in poisson(rng, at(18, 8, 30), at(18, 19, 0), 1.2):
        jobs.append((t, "adhoc"))
    for t in poisson(rng, at(19, 8, 30), T1 - sec(1500), 1.2):
        jobs.append((t, "adhoc"))
    jobs.append((ADHOC_T, "adhoc_fail"))
    jobs.append((SUBMIT, "clickstream"))
    jobs.sort(key=lambda j: j[0])
    for t, kind in jobs:
        if kind == "hourly":
            routine_app(t, "hourly-sessions-load", "etl", "etl", ETL_IP, rng.randint(2, 5), rng.uniform(4, 9))
        elif kind == "oozie":
            wf = rng.choice(["orders-snapshot", "inventory-delta", "crm-export"])
            wid = f"{rng.randint(400, 999):07d}-240601{rng.randint(100000000, 999999999)}-oozie-oozi-W"
            routine_app(t, f"oozie:launcher:T=hive2:W={wf}:A=load:ID={wid}", "etl", "oozie", OOZIE_IP, 1, rng.uniform(2, 4), token=True)
            routine_app(t + sec(rng.uniform(20, 40)),
                        f"HIVE-{hexs(rng, 8)}-{hexs(rng, 4)}-{hexs(rng, 4)}-{hexs(rng, 4)}-{hexs(rng, 12)}",
                        "etl", "etl", OOZIE_IP, rng.randint(2, 4), rng.uniform(3, 8), token=True)
        elif kind == "adhoc":
            user = rng.choice(["jchen", "apatel", "mkowalski", "tnguyen"])
            n, am_host = routine_app(t, rng.choice(ADHOC_QUERIES), user, "adhoc", f"10.20.7.{rng.randint(10, 90)}",
                                     rng.randint(2, 4), rng.uniform(2, 10))
            if rng.random() < 0.4:
                rm(t + sec(rng.uniform(60, 300)), "WARN", "proxy", f"qtp{rng.randint(100000000, 999999999)}-{rng.randint(20, 300)}",
                   f"dr.who is accessing unchecked http://{am_host}:{rng.randint(33000, 45000)}/ws/v1/mapreduce/jobs/job_{CLUSTER_TS}_{n:04d} "
                   f"which is the app master GUI of {app_id(n)} owned by {user}", "proxy_unchecked")
        elif kind == "adhoc_fail":
            adhoc_fail(t)
        elif kind == "clickstream":
            fin = clickstream()
            # the finished job's appcache is deleted; the next disk check finds /data/1..3 usable again
            rec = fin + sec(rng.uniform(60, 118))
            for d in (1, 2, 3):
                nm(rec + sec(0.001 * d), BAD, "INFO", "dircol", DHM,
                   f"Directory /data/{d}/hadoop/yarn/local passed disk check, adding to list of valid directories.", "dir_good")
            nm(rec + sec(0.005), BAD, "INFO", "ldhs", DHM, "Disk(s) turned good: 3/4 local-dirs are good again: /data/1/hadoop/yarn/local,"
               "/data/2/hadoop/yarn/local,/data/3/hadoop/yarn/local", "disks_good")
            rec_rm = rec + sec(0.8)
            rm(rec_rm, "INFO", "rmnode", DISP, f"{BAD}:45454 Node Transitioned from UNHEALTHY to RUNNING", "node_state")
            rm(rec_rm + sec(0.003), "INFO", "cs", SCHED, f"Added node {BAD}:45454 clusterResource: {cluster_res(8)}", "node_added")
            state["recovered"] = rec_rm + sec(1)

    # ---- noise: JVM pauses, NodeManager localizer cache cleanups
    for t in poisson(rng, T0, T1, 0.12):
        h = rng.choice([RM_HOST] + NM_HOSTS)
        ms = rng.randint(1100, 2900)
        log(t, "WARN", "pause", h, "org.apache.hadoop.util.JvmPauseMonitor$Monitor@5b8dfcc1",
            f"Detected pause in JVM or host machine (eg GC): pause of approximately {ms}ms\nGC pool 'PS MarkSweep' had collection(s): "
            f"count=1 time={ms + rng.randint(20, 90)}ms", "jvm_pause", "resourcemanager" if h == RM_HOST else "nodemanager")
    for h in NM_HOSTS:
        t = T0 + sec(rng.uniform(0, 1800))
        while t < T1:
            before = rng.randint(6, 14) * 1073741824 + rng.randint(0, 1073741823)
            deleted = rng.randint(0, before // 3)
            nm(t, h, "INFO", "rls", "ResourceLocalizationService Cache Cleanup",
               f"Cache Size Before Clean: {before}, Total Deleted: {deleted}, Public Deleted: 0, Private Deleted: {deleted}", "cache_clean")
            t += sec(3 * 3600 + rng.uniform(-30, 30))

    recs, tpls = L.build()
    return recs, tpls


def facts_yarn(records):
    """Attempts that failed on the full disks, and the first running attempt killed on the unusable node."""
    failed, killed, retry_host = [], None, None
    for r in records:
        m = re.match(r"Diagnostics report from (attempt_\S+): Error: org\.apache\.hadoop\.util\.DiskChecker\$DiskErrorException", r["message"])
        if m:
            failed.append(m.group(1))
        m = re.match(r"Diagnostics report from (attempt_\S+_m_\d+_\d+): Container killed by the ApplicationMaster", r["message"])
        if m and killed is None:
            killed = m.group(1)
    base = killed.rsplit("_", 1)[0] + "_"
    for r in records:
        m = re.match(r"TaskAttempt: \[" + re.escape(base) + r"[1-9]\] using containerId: \[\S+ on NM: \[([a-z0-9-]+)\.", r["message"])
        if m:
            retry_host = m.group(1)
    assert len(failed) == 4 and killed and retry_host and retry_host != "hdw-04", (failed, killed, retry_host)
    return {"failed": failed, "killed": killed, "killed_base": base, "retry_host": retry_host}


YARN_PROBLEM = r"UNHEALTHY|finalStatus=(FAILED|KILLED)"


def questions_yarn(facts):
    def problems(since, until):
        return [
            {"field": {"level": "WARN|ERROR|FATAL"}, "since": since, "until": until},
            {"msg": YARN_PROBLEM, "since": since, "until": until},
        ]

    failed_alt = "|".join(re.escape(a) for a in facts["failed"])
    return [
        q("broad",
          "the nightly clickstream rollup blew its 02:00 sla. what went wrong on the yarn cluster between 01:10 and 01:20 on the 19th?",
          ["hdw-04", "UNHEALTHY"],
          problems("2024-06-19T01:10:00-05:00", "2024-06-19T01:20:00-05:00")),
        q("paraphrase",
          "had that box been limping before last night? anything off with its drives on the 18th",
          ["/data/4", "not writable"],
          {"field": {"host": re.escape(BAD)}, "msg": r"/data/4/", "until": "2024-06-19T00:00:00-05:00"}),
        q("lexical",
          f"the am says {facts['killed']} went out with exit code 143. what happened to that map and where did its retry run?",
          ["unusable node", facts["retry_host"]],
          {"msg": re.escape(facts["killed_base"]) + r"\d"}),
        q("paraphrase",
          "did the scheduler quit handing it work, and did the job's master steer clear of it too?",
          ["Blacklisted", "clusterResource"],
          {"msg": r"^Removed node hdw-04\.|^Blacklisted host hdw-04\."}),
        q("lexical",
          "what's 'Could not find any valid local directory' in the am log about? which attempts hit it and where were they running",
          ["DiskErrorException", "hdw-04"],
          [{"msg": r"Could not find any valid local directory"},
           {"msg": r"^TaskAttempt: \[(" + failed_alt + r")\] using containerId"}]),
        q("broad",
          "unrelated: someone's adhoc job died yesterday afternoon. what went wrong between 14:00 and 14:30 on the 18th?",
          ["physical memory", "adhoc-feature-join"],
          problems("2024-06-18T14:00:00-05:00", "2024-06-18T14:30:00-05:00")),
    ]


# =============================================================================================
# 2. Blue Gene/L RAS log: one compute chip on node card R23-M0-N9 piles up correctable DDR errors,
#    steers a symbol, cannot steer a second one and panics; the job on midplane R23-M0 is killed,
#    its rerun cannot boot there; the card is serviced in the morning. UTC.

NODECARDS = "0123456789ABCDEF"
FAIL_LOC = "R23-M0-N9-C:J07-U01"
FAIL_IO = "R23-M0-N9-I:J18-U11"
FAIL_NC = "R23-M0-N9"
LINK = "R05-M1-L2-U18-C"
BGL_USERS = ["kalos", "glosli", "mdavis", "tpark", "jliu", "rsharma", "bwong", "ecarter"]


def gen_bgl():
    rng = random.Random(20051114)

    def at(d, hh, mm, ss=0.0):
        return datetime(2005, 11, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(14, 4, 0), at(15, 9, 30)
    L = Log(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))

    def ras(dt, loc, comp, level, msg, tpl):
        L.add(dt, tpl, {"epoch": int((dt - EPOCH).total_seconds()), "location": loc, "type": "RAS",
                        "component": comp, "level": level, "message": msg})

    def rack():
        while True:
            r = f"R{rng.randint(0, 7)}{rng.randint(0, 7)}"
            if r not in ("R23", "R24", "R05"):
                return r

    def cnode(r=None, mid=None, nc=None):
        r = r or rack()
        mid = rng.randint(0, 1) if mid is None else mid
        nc = rng.choice(NODECARDS) if nc is None else nc
        return f"{r}-M{mid}-N{nc}-C:J{rng.randint(2, 17):02d}-U{rng.choice(['01', '11'])}"

    def ionodes(block, k):
        out = []
        for nc in sorted(rng.sample(NODECARDS, k)):
            out.append(f"{block}-N{nc}-I:J18-U{rng.choice(['01', '11'])}")
        return out

    def addr():
        return f"0x{rng.randint(0x00100000, 0x1fffffff) & ~0x1f:08x}"

    # key moments
    STEER = at(14, 21, 12, 7.418)
    EXCESS = [at(14, 22, 31, 50.1), at(14, 23, 31, 50.3), at(15, 0, 31, 51.0), at(15, 1, 31, 52.2)]
    NOSTEER = at(15, 1, 47, 22.906)
    CRASH = at(15, 2, 3, 41.382117)
    RERUN_FAIL = [at(15, 2, 19, 5.52), at(15, 2, 21, 38.07)]
    RERUN_OK = at(15, 2, 26, 40.31)
    PREP = at(15, 3, 18, 12.664)
    ENDSVC = at(15, 6, 51, 30.218)
    LUSTRE = at(14, 18, 40, 31.0)
    JOB_KILLED, JOB_RERUN = 127654, 127671

    # ---- routine: jobs on midplane blocks (mmcs), some end in a core-dumping crash
    busy_blocks = {"R23-M0": (at(14, 20, 9, 12.5), CRASH), "R24-M0": (RERUN_OK, at(15, 7, 48, 3.3))}
    jid = [127480]
    job_starts = poisson(rng, T0 + sec(600), T1 - sec(1800), 1.5)
    crash_jobs = set()
    order = list(range(len(job_starts)))
    for k in rng.sample(order, 6):
        crash_jobs.add(k)
    for k, t in enumerate(job_starts):
        if abs((t - LUSTRE).total_seconds()) < 1200 or abs((t - CRASH).total_seconds()) < 2400:
            continue
        blk = f"{rack()}-M{rng.randint(0, 1)}"
        j = jid[0]
        jid[0] += 1
        user = rng.choice(BGL_USERS)
        ras(t, blk, "MMCS", "INFO", f"job {j} started on block {blk} by user {user}", "job_started")
        t_end = t + sec(rng.uniform(600, 5 * 3600))
        if t_end > T1:
            continue
        if k in crash_jobs:
            nodes = rng.randint(12, 40)
            base = rng.randint(0, 400)
            mid = int(blk[-1])
            for i in range(nodes):
                ras(t_end + sec(0.002 * i + rng.uniform(0, 0.01)), cnode(blk[:3], mid), "KERNEL", "INFO", f"generating core.{base + i}", "core")
            ras(t_end + sec(2.4), blk, "MMCS", "INFO", f"job {j} on block {blk} ended with exit status 134 ({nodes} core files)", "job_ended_core")
        else:
            ras(t_end, blk, "MMCS", "INFO", f"job {j} on block {blk} terminated normally", "job_ended")
            if rng.random() < 0.35:
                ras(t_end - sec(rng.uniform(1, 5)), cnode(blk[:3], int(blk[-1])), "KERNEL", "INFO",
                    f"{rng.randint(1, 900)} floating point alignment exceptions", "fp_align")

    # user programs faulting: bursts of data TLB errors (logged FATAL by the kernel), away from the story
    for t0 in (at(14, 9, 12, 33.8), at(15, 6, 20, 4.1)):
        r = rack()
        mid = rng.randint(0, 1)
        for i in range(rng.randint(8, 14)):
            loc = cnode(r, mid)
            ras(t0 + sec(0.004 * i), loc, "KERNEL", "FATAL", "data TLB error interrupt", "dtlb")
        ras(t0 + sec(0.2), cnode(r, mid), "KERNEL", "FATAL", f"instruction address: 0x{rng.randint(0x1000, 0x3fffff):08x}", "instr_addr")

    # ---- noise: corrected errors all over the machine
    for t in poisson(rng, T0, T1, 9.0):
        loc = cnode()
        for i in range(rng.choice([1, 1, 1, 2, 2, 3, 4, 6, 9, 14])):
            ras(t + sec(i * rng.uniform(0.2, 40)), loc, "KERNEL", "INFO", "instruction cache parity error corrected", "icache")
    for t in poisson(rng, T0, T1, 6.0):
        ras(t, cnode(), "KERNEL", "INFO", f"CE sym {rng.randint(0, 35)}, at {addr()}, mask 0x{rng.choice([1, 2, 4, 8, 16, 32, 64, 128]):02x}", "ce_sym")
    for t in poisson(rng, T0, T1, 2.0):
        ras(t, cnode(), "KERNEL", "INFO", f"total of {rng.randint(1, 24)} ddr error(s) detected and corrected", "ddr_total")
    for t in poisson(rng, T0, T1, 1.2):
        ras(t, cnode(), "KERNEL", "INFO",
            f"{rng.randint(1, 6)} ddr errors(s) detected and corrected on rank 0, symbol {rng.randint(0, 35)}, bit {rng.randint(0, 7)}", "ddr_rank")
    for t in poisson(rng, T0, T1, 1.3):
        ras(t, cnode(), "KERNEL", "INFO", f"{rng.randint(1, 40)} L3 EDRAM error(s) (dcr 0x0157) detected and corrected", "l3_edram")
    for t in poisson(rng, T0, T1, 0.8):
        ras(t, cnode(), "KERNEL", "INFO", f"{rng.randint(1, 30)} double-hummer alignment exceptions", "dh_align")
    for t in poisson(rng, T0, T1, 1.0):
        mac = ":".join(f"{rng.randint(0, 255):02X}" for _ in range(6))
        ras(t, f"{rack()}-M{rng.randint(0, 1)}-S", "DISCOVERY", "INFO",
            f"ido chip status changed: FF:F2:9F:{mac}:00:0D:60:E9 ip=10.0.{rng.randint(0, 3)}.{rng.randint(2, 250)} v=13 t=4 status=M "
            f"{t.strftime('%a %b %d %H:%M:%S')} PST 2005", "ido_status")
    for t in poisson(rng, T0, T1, 0.15):
        ras(t, f"{rack()}-M{rng.randint(0, 1)}-L{rng.randint(0, 3)}-U18-C", "LINKCARD", "INFO",
            f"MidplaneSwitchController performing bit sparing on {rack()}-M{rng.randint(0, 1)}-L{rng.randint(0, 3)}-U18-C bit {rng.randint(0, 23)}",
            "bit_sparing")
    for t in (at(14, 7, 41, 2.2), at(15, 8, 12, 44.0)):
        ras(t, f"{rack()}-M{rng.randint(0, 1)}-S", "DISCOVERY", "SEVERE",
            f"Problem communicating with service card, ido chip: U35. java.io.IOException: Could not find EthernetSwitch on port:address 1:{rng.randint(100, 160)}",
            "svc_card")
    ras(at(14, 5, 17, 3.1), "NULL", "MMCS", "INFO", "ciodb has been restarted.", "ciodb_restart")
    ras(at(14, 5, 17, 9.8), "NULL", "MMCS", "INFO",
        "idoproxydb has been started: $Name: V1R2M1_020_2006 $ Input parameters: -enableflush -loguserinfo db.properties BlueGene1", "idoproxy_start")

    # ---- a flaky link card (asked about by location): power module not accessible, bit sparing
    ras(at(14, 10, 58, 12.0), LINK, "LINKCARD", "SEVERE", "Link PGOOD error latched on link card", "link_pgood")
    for t in (at(14, 11, 2, 40.5), at(15, 4, 40, 9.9)):
        ras(t, LINK, "LINKCARD", "INFO", f"MidplaneSwitchController performing bit sparing on {LINK} bit {4 if t.day == 14 else 17}", "bit_sparing")
    t = at(14, 11, 30, 0.4)
    while t < T1:
        ras(t + sec(rng.uniform(0, 50)), LINK, "MONITOR", "FAILURE",
            "monitor caught java.lang.UnsupportedOperationException: power module U58 not present and is not accessible", "monitor_power")
        t += sec(2 * 3600 + rng.uniform(-300, 300))

    # ---- the unrelated problem, 14th evening: the Lustre servers behind /p/gb1 stall; logins fail
    for i, loc in enumerate(ionodes("R11-M0", 2)):
        ras(LUSTRE + sec(i * 1.7), loc, "KERNEL", "FATAL", "Lustre mount FAILED : bglio11 : block_id : location", "lustre")
    for k, (t, blk, user) in enumerate([(at(14, 18, 41, 10.2), "R11-M0", "mdavis"), (at(14, 18, 44, 30.9), "R36-M1", "tpark"),
                                        (at(14, 18, 47, 55.4), "R04-M0", "jliu")]):
        j = jid[0]
        jid[0] += 1
        ras(t, blk, "MMCS", "INFO", f"job {j} started on block {blk} by user {user}", "job_started")
        path = f"/p/gb1/{user}/run{rng.randint(10, 99)}"
        for i, loc in enumerate(ionodes(blk, 4)):
            ras(t + sec(3.1 + i * 0.05), loc, "APP", "FATAL", f"ciod: LOGIN chdir({path}) failed: Input/output error", "ciod_chdir")
        ras(t + sec(4.6), blk, "MMCS", "ERROR", f"job {j} on block {blk} ended abnormally: ciod LOGIN failed on 4 I/O nodes", "job_abnormal")

    # ---- the story: correctable DDR errors on R23-M0-N9-C:J07-U01 climb for 18 hours
    for a, b, rate in ((at(14, 8, 0), at(14, 16, 0), 1.5), (at(14, 16, 0), at(14, 21, 0), 4.0), (at(14, 21, 0), CRASH, 9.0)):
        for t in poisson(rng, a, b, rate):
            sym = 27 if (t > at(15, 0, 0) and rng.random() < 0.4) else 12
            ras(t, FAIL_LOC, "KERNEL", "INFO", f"CE sym {sym}, at {addr()}, mask 0x{rng.choice([16, 64]):02x}", "ce_sym")
    t, total = at(14, 9, 0, 14.2), 0
    while t < CRASH:
        hours = (t - at(14, 8, 0)).total_seconds() / 3600
        total += int(2 + 1.6 ** hours)
        ras(t, FAIL_LOC, "KERNEL", "INFO", f"total of {total} ddr error(s) detected and corrected", "ddr_total")
        t += sec(3600 + rng.uniform(-4, 4))
    ras(STEER, FAIL_LOC, "KERNEL", "INFO", "ddr: activating redundant bit steering: rank=1 symbol=12", "ddr_steer")
    for t in EXCESS:
        ras(t, FAIL_LOC, "KERNEL", "WARNING", "ddr: excessive soft failures, consider replacing the card", "ddr_excess")
    ras(NOSTEER, FAIL_LOC, "KERNEL", "ERROR",
        "ddr: Unable to steer rank=1 symbol=27 - rank is already steering symbol 12. Due to multiple symbols being over the "
        "correctable error threshold, consider replacing the card", "ddr_nosteer")
    # the panic
    ras(CRASH, FAIL_LOC, "KERNEL", "FATAL", "machine check interrupt (bit=0x10): uncorrectable ddr error, rank=1 symbol=27", "mchk")
    ras(CRASH + sec(0.000412), FAIL_LOC, "KERNEL", "FATAL", "machine check status register: 0x84000000", "mchk_reg")
    ras(CRASH + sec(0.002031), FAIL_LOC, "KERNEL", "FATAL", "rts panic! - stopping execution", "rts_panic")
    ras(CRASH + sec(1.6), FAIL_IO, "APP", "FATAL",
        "ciod: Error reading message prefix after LOAD_MESSAGE on CioStream socket to 172.16.96.116:40148: Link has been severed", "ciod_severed")
    ras(CRASH + sec(7.9), "R23-M0", "MMCS", "ERROR", f"job {JOB_KILLED} on block R23-M0 killed: rts panic on {FAIL_LOC}", "job_killed")
    ras(CRASH + sec(48.6), FAIL_NC, "DISCOVERY", "WARNING", "Node card is not fully functional", "nc_not_functional")
    ras(busy_blocks["R23-M0"][0], "R23-M0", "MMCS", "INFO", f"job {JOB_KILLED} started on block R23-M0 by user kalos", "job_started")
    for t in RERUN_FAIL:
        ras(t, "R23-M0", "MMCS", "ERROR", f"block R23-M0 boot failed for job {JOB_RERUN}: node card {FAIL_NC} is in error state", "boot_failed")
    ras(RERUN_OK, "R24-M0", "MMCS", "INFO", f"job {JOB_RERUN} started on block R24-M0 by user kalos", "job_started")
    ras(busy_blocks["R24-M0"][1], "R24-M0", "MMCS", "INFO", f"job {JOB_RERUN} on block R24-M0 terminated normally", "job_ended")
    # service action 541: the card is taken out, the compute card swapped, the midplane restarted
    ras(PREP, FAIL_NC, "MMCS", "INFO",
        f"PrepareForService shutting down NodeCard(mLctn({FAIL_NC}), mCardSernum(203937503631353900000000594c31304b34313435343930), "
        "mLp(FF:F2:9F:16:C2:BD:00:0D:60:E9:3D:42), mIp(10.1.1.41), mType(4)) as part of Service Action 541", "prep_service")
    ras(ENDSVC, "R23-M0", "MMCS", "INFO", "EndServiceAction is restarting the NodeCards in Midplane R23-M0 as part of Service Action 541",
        "end_service")
    ras(ENDSVC + sec(92.4), FAIL_NC, "DISCOVERY", "ERROR",
        "Node card VPD check: U01 node in processor card slot J07 do not match. VPD ecid 0B4F2A1D9C3E4F5A00000000000000, "
        "found 0C81D3E5F7A2B61900000000000000", "vpd_check")
    ras(ENDSVC + sec(131.0), FAIL_NC, "DISCOVERY", "INFO", f"Node card {FAIL_NC} is fully functional", "nc_functional")

    recs, tpls = L.build()
    return recs, tpls


BGL_PROBLEM_LEVELS = "WARNING|SEVERE|ERROR|FATAL|FAILURE"


def questions_bgl(facts):
    def problems(since, until):
        return [{"field": {"level": BGL_PROBLEM_LEVELS}, "since": since, "until": until}]

    return [
        q("broad",
          "kalos's 512-node run got killed overnight. what went wrong on bgl between 02:00 and 02:30 utc on nov 15?",
          [FAIL_NC, "rts panic"],
          problems("2005-11-15T02:00:00Z", "2005-11-15T02:30:00Z")),
        q("paraphrase",
          "was that memory chip going downhill before it gave out? did it ever ask to be swapped, and since when",
          ["redundant bit steering", "excessive soft failures"],
          {"field": {"location": re.escape(FAIL_LOC)}, "msg": r"^ddr: ", "until": "2005-11-15T02:03:41Z"}),
        q("lexical",
          f"node card {FAIL_NC}: when did they pull it for service, and when was it back?",
          ["PrepareForService", "541"],
          [{"msg": r"PrepareForService|EndServiceAction"},
           {"field": {"location": re.escape(FAIL_NC), "component": "DISCOVERY"}, "since": "2005-11-15T03:00:00Z"}]),
        q("paraphrase",
          "which workloads on that partition were taken out, and did the rerun manage to begin elsewhere?",
          [str(JOB_KILLED_ID), "R24-M0"],
          {"msg": rf"^job ({JOB_KILLED_ID}|{JOB_RERUN_ID}) |for job {JOB_RERUN_ID}:"}),
        q("lexical",
          f"linkcard {LINK} keeps paging. what's it been complaining about?",
          ["power module U58", "bit sparing"],
          {"field": {"location": re.escape(LINK)}}),
        q("broad",
          "unrelated: users said logins hung on the 14th in the evening. what went wrong between 18:30 and 19:00 utc that day?",
          ["Input/output error", "chdir"],
          problems("2005-11-14T18:30:00Z", "2005-11-14T19:00:00Z")),
    ]


JOB_KILLED_ID, JOB_RERUN_ID = 127654, 127671


# =============================================================================================
# 3. Go gRPC ledger-svc (zap production JSON, Kubernetes): release 2.7.0 raises the retry budget to
#    the risk-svc scorer (5 attempts, no backoff); risk-svc degrades, retries pile on, deadlines are
#    exceeded, per-pod circuit breakers open; rollback to 2.6.3. UTC.

G_NS = "payments"
RISK_RPC = "/risk.v1.Risk/Score"
GW_PEERS = [f"10.8.{a}.{b}" for a, b in ((3, 41), (3, 77), (5, 12), (5, 140), (6, 23))]
K8S_NODES = [f"ip-10-31-{a}-{b}.eu-central-1.compute.internal" for a, b in ((4, 112), (5, 87), (6, 19), (4, 203))]
CFG_OLD = {"version": "2.6.3", "commit": "8c1f2ab", "retry": {"max_attempts": 2, "per_try_timeout": "1s", "backoff": "100ms"}}
CFG_NEW = {"version": "2.7.0", "commit": "e41d09c", "retry": {"max_attempts": 5, "per_try_timeout": "500ms", "backoff": "0s"}}
DEADLINE_S = 3.0
BREAKER_TRIP, BREAKER_OPEN_S = 10, 90
ACCOUNT = 88121
ZAP_MW = "zap/options.go:212"  # grpc_zap's message producer
ZAP_STACK = "\n".join([
    "github.com/grpc-ecosystem/go-grpc-middleware/logging/zap.DefaultMessageProducer",
    "\t/go/pkg/mod/github.com/grpc-ecosystem/go-grpc-middleware@v1.4.0/logging/zap/options.go:212",
    "github.com/grpc-ecosystem/go-grpc-middleware/logging/zap.UnaryServerInterceptor.func1",
    "\t/go/pkg/mod/github.com/grpc-ecosystem/go-grpc-middleware@v1.4.0/logging/zap/server_interceptors.go:39",
    "github.com/grpc-ecosystem/go-grpc-middleware.ChainUnaryServer.func1.1.1",
    "\t/go/pkg/mod/github.com/grpc-ecosystem/go-grpc-middleware@v1.4.0/chain.go:25",
    "github.com/acme/ledger-svc/gen/ledger/v1._Ledger_PostTransfer_Handler",
    "\t/src/gen/ledger/v1/ledger_grpc.pb.go:231",
    "google.golang.org/grpc.(*Server).processUnaryRPC",
    "\t/go/pkg/mod/google.golang.org/grpc@v1.65.0/server.go:1379",
    "google.golang.org/grpc.(*Server).handleStream",
    "\t/go/pkg/mod/google.golang.org/grpc@v1.65.0/server.go:1790",
])


def gen_grpc():
    rng = random.Random(20240910)

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 9, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(9, 22, 0), at(10, 23, 0)
    L = Log(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    DEPLOY, ROLLBACK = at(10, 13, 41, 2.51), at(10, 15, 5, 40.07)
    RISK_BAD, RISK_OK = at(10, 14, 4, 30.0), at(10, 14, 31, 10.0)
    REDIS_DOWN, REDIS_UP = at(10, 3, 12, 5.3), at(10, 3, 15, 49.8)

    def pod_name(rs):
        return f"ledger-svc-{rs}-" + "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))

    pods = []   # each: name, rs, cfg, node, up, down, breaker state

    def mk(rs, cfg, up, down, name=None):
        p = {"name": name or pod_name(rs), "rs": rs, "cfg": cfg, "node": K8S_NODES[len(pods) % len(K8S_NODES)], "up": up, "down": down,
             "br": "closed", "fails": 0, "opened": None, "calls": []}
        pods.append(p)
        return p

    olds = [mk("5d8f9c7b64", CFG_OLD, T0 - sec(86400 * 3), DEPLOY + sec(38 + 41 * i)) for i in range(3)]
    news = [mk("7b9c5d8f6", CFG_NEW, DEPLOY + sec(41 * i), ROLLBACK + sec(36 + 40 * i), name)
            for i, name in enumerate(["ledger-svc-7b9c5d8f6-q2x8k", "ledger-svc-7b9c5d8f6-hm4vz", "ledger-svc-7b9c5d8f6-t6n9c"])]
    backs = [mk("5d8f9c7b64", CFG_OLD, ROLLBACK + sec(40 * i), T1 + sec(86400)) for i in range(3)]

    def zlog(dt, p, level, caller, msg, fields, tpl, stack=None):
        rec = {"level": level, "ts": epoch_us(dt) / 1e6, "caller": caller, "msg": msg}
        rec.update(fields)
        if stack:
            rec["stacktrace"] = stack
        rec["stream"] = "stderr"
        rec["kubernetes"] = {"pod_name": p["name"], "namespace_name": G_NS, "container_name": "ledger-svc", "host": p["node"],
                             "labels": {"app": "ledger-svc", "pod-template-hash": p["rs"]}}
        rec["message"] = msg
        L.add(dt, tpl, rec)

    def live(t):
        return [p for p in pods if p["up"] + sec(3) <= t < p["down"]]

    def tid():
        return hexs(rng, 32)

    # ---- pod lifecycle: startup and graceful shutdown lines
    for p in news + backs:
        t, c = p["up"], p["cfg"]
        zlog(t, p, "info", "ledger/main.go:61", "starting ledger-svc",
             {"version": c["version"], "commit": c["commit"], "go_version": "go1.22.6"}, "start")
        zlog(t + sec(0.004), p, "info", "ledger/main.go:74", "loaded configuration",
             {"config": {"grpc_addr": ":9090", "db": {"host": "ledger-pg-rw.payments.svc:5432", "max_conns": 20},
                         "cache": {"addr": "ledger-cache.payments.svc:6379", "ttl": "30s"},
                         "upstreams": {"risk-svc": {"addr": "risk-svc.risk.svc:9090", "retry": c["retry"],
                                                    "breaker": {"consecutive_failures": BREAKER_TRIP, "open_timeout": f"{BREAKER_OPEN_S}s"}}}}},
             "config")
        zlog(t + sec(0.09), p, "info", "store/postgres.go:48", "connected to postgres",
             {"pg_host": "ledger-pg-rw.payments.svc:5432", "max_conns": 20}, "pg_connected")
        zlog(t + sec(0.1), p, "info", "cache/redis.go:33", "connected to redis", {"addr": "ledger-cache.payments.svc:6379"}, "redis_connected")
        zlog(t + sec(0.12), p, "info", "ledger/main.go:118", "gRPC server listening", {"address": ":9090"}, "listening")
    for p in olds + news:
        t = p["down"] - sec(0.5)
        zlog(t, p, "info", "ledger/main.go:131", "received signal, shutting down", {"signal": "terminated"}, "sigterm")
        zlog(t + sec(rng.uniform(0.3, 2.0)), p, "info", "ledger/main.go:139", "gRPC server stopped gracefully",
             {"drain_ms": rng.randint(180, 1900)}, "stopped")

    # ---- traffic
    def day(t):
        return 1.0 if 7 <= t.hour < 21 else 0.35

    reqs = []
    for method, per_h in (("PostTransfer", 66), ("GetBalance", 360), ("ListEntries", 70), ("GetAccount", 130)):
        for t in poisson(rng, T0, T1, per_h, day):
            reqs.append((t, method, None))
    for t in (at(10, 14, 19, 2.871), at(10, 14, 20, 31.09)):  # the customer who complains, retrying by hand
        reqs.append((t, "PostTransfer", ACCOUNT))
    reqs.sort(key=lambda r: r[0])
    accounts = [x for x in (rng.randint(10000, 99999) for _ in range(400)) if x != ACCOUNT]

    def finished(t0, p, method, code, ms, acct, trace, peer, err=None):
        lvl = {"OK": "info", "InvalidArgument": "info", "NotFound": "info", "Unauthenticated": "info", "FailedPrecondition": "warn",
               "DeadlineExceeded": "warn", "Unavailable": "warn", "Internal": "error"}[code]
        f = {"grpc.start_time": t0.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "grpc.request.deadline": (t0 + sec(DEADLINE_S if method == "PostTransfer" else 1.0)).strftime("%Y-%m-%dT%H:%M:%SZ"),
             "system": "grpc", "span.kind": "server", "grpc.service": "ledger.v1.Ledger", "grpc.method": method,
             "peer.address": f"{peer}:{rng.randint(32768, 60999)}"}
        if acct is not None:
            f["account_id"] = acct
        f["trace_id"] = trace
        if err:
            f["error"] = err
        f["grpc.code"] = code
        f["grpc.time_ms"] = round(ms, 3)
        zlog(t0 + sec(ms / 1000), p, lvl, ZAP_MW, f"finished unary call with code {code}", f, "finished_" + code,
             stack=ZAP_STACK if lvl == "error" else None)

    def breaker(t, p, frm, to, extra=None):
        f = {"name": "risk-svc", "from": frm, "to": to}
        f.update(extra or {})
        zlog(t, p, "info" if to == "closed" else "warn", "upstream/breaker.go:57", "circuit breaker state changed", f, "breaker")

    def score(t, p, trace, acct, tx):
        """One PostTransfer's call to risk-svc through retries and the breaker. Returns (elapsed ms, error or None)."""
        cfg = p["cfg"]["retry"]
        per_try = float(cfg["per_try_timeout"].rstrip("ms")) / (1000 if cfg["per_try_timeout"].endswith("ms") else 1)
        backoff = 0.1 if cfg["backoff"] == "100ms" else 0.0
        st = {"t": t, "attempts": 0, "failures": 0, "rejected": 0, "ms": None}
        p["calls"].append(st)
        el, attempts, last = 0.0, 0, None
        for k in range(cfg["max_attempts"]):
            now = t + sec(el)
            if p["br"] == "open":
                if (now - p["opened"]).total_seconds() >= BREAKER_OPEN_S:
                    breaker(now, p, "open", "half-open")
                    p["br"] = "half-open"
                else:
                    st["rejected"] += 1
                    last = "circuit breaker is open"
                    el += 0.0004
                    break
            attempts += 1
            st["attempts"] += 1
            bad = RISK_BAD <= now < RISK_OK and rng.random() < 0.97
            if bad:
                el += per_try
                st["failures"] += 1
                last = "rpc error: code = DeadlineExceeded desc = context deadline exceeded"
                if p["br"] == "half-open":
                    p["br"], p["opened"] = "open", t + sec(el)
                    breaker(t + sec(el), p, "half-open", "open")
                else:
                    p["fails"] += 1
                    if p["fails"] >= BREAKER_TRIP and p["br"] == "closed":
                        p["br"], p["opened"] = "open", t + sec(el)
                        breaker(t + sec(el), p, "closed", "open", {"consecutive_failures": p["fails"]})
                if el + backoff + per_try > DEADLINE_S:
                    break
                el += backoff
            else:
                el += rng.lognormvariate(2.6, 0.5) / 1000 + (rng.uniform(0.15, 0.45) if RISK_BAD <= now < RISK_OK else 0)
                p["fails"] = 0
                if p["br"] == "half-open":
                    p["br"] = "closed"
                    breaker(t + sec(el), p, "half-open", "closed")
                st["ms"] = el * 1000
                return el * 1000, None, attempts
        if attempts:
            zlog(t + sec(el), p, "warn", "upstream/client.go:142", "upstream call failed",
                 {"upstream": "risk-svc", "rpc": RISK_RPC, "attempts": attempts, "account_id": acct, "trace_id": trace,
                  "error": f"score transfer {tx}: attempt {attempts}/{cfg['max_attempts']}: {last}"}, "upstream_failed")
        return el * 1000, last, attempts

    for t, method, acct in reqs:
        lp = live(t)
        if not lp:
            continue
        p = rng.choice(lp)
        if acct == ACCOUNT:  # the gateway keeps this client's connection on one pod
            p = news[0]
        trace, peer = tid(), rng.choice(GW_PEERS)
        if method == "PostTransfer":
            acct = acct or rng.choice(accounts)
            tx = "tx_01J7" + "".join(rng.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(22))
            x = rng.random()
            if x < 0.012:
                finished(t, p, method, "InvalidArgument", rng.uniform(0.2, 1.5), acct, trace, peer,
                         "rpc error: code = InvalidArgument desc = amount must be positive")
                continue
            ms, err, attempts = score(t, p, trace, acct, tx)
            if err is None:
                if x < 0.03:
                    finished(t, p, method, "FailedPrecondition", ms + rng.uniform(8, 30), acct, trace, peer,
                             f"rpc error: code = FailedPrecondition desc = post transfer {tx}: insufficient funds")
                    continue
                ms += rng.lognormvariate(3.3, 0.45)
                if x > 0.998:
                    finished(t, p, method, "Internal", ms, acct, trace, peer,
                             f"rpc error: code = Internal desc = post transfer {tx}: insert entries: ERROR: could not serialize access "
                             "due to concurrent update (SQLSTATE 40001)")
                elif ms > 250 or rng.random() < 0.05:
                    finished(t, p, method, "OK", ms, acct, trace, peer)
            elif err == "circuit breaker is open" and attempts == 0:
                finished(t, p, method, "Unavailable", ms + rng.uniform(0.2, 0.9), acct, trace, peer,
                         f"rpc error: code = Unavailable desc = score transfer {tx}: risk-svc: circuit breaker is open")
            elif err == "circuit breaker is open":
                finished(t, p, method, "Unavailable", ms + rng.uniform(0.2, 0.9), acct, trace, peer,
                         f"rpc error: code = Unavailable desc = score transfer {tx}: risk-svc: circuit breaker is open")
            else:
                finished(t, p, method, "DeadlineExceeded", min(ms + rng.uniform(1, 9), DEADLINE_S * 1000 + rng.uniform(0.1, 0.9)),
                         acct, trace, peer, f"rpc error: code = DeadlineExceeded desc = score transfer {tx}: risk-svc {RISK_RPC}: "
                         "context deadline exceeded")
        elif method == "GetBalance":
            acct = rng.choice(accounts)
            if REDIS_DOWN <= t < REDIS_UP:
                ms = rng.lognormvariate(5.6, 0.6)
                if ms > 1000:
                    finished(t, p, method, "DeadlineExceeded", 1000 + rng.uniform(0.1, 0.9), acct, trace, peer,
                             "rpc error: code = DeadlineExceeded desc = get balance: query balances: timeout: context deadline exceeded")
                elif ms > 250 or rng.random() < 0.05:
                    finished(t, p, method, "OK", ms, acct, trace, peer)
            else:
                ms = rng.lognormvariate(1.4, 0.5) if rng.random() < 0.92 else rng.lognormvariate(3.1, 0.4)
                if rng.random() < 0.004:
                    finished(t, p, method, "NotFound", ms, acct, trace, peer, f"rpc error: code = NotFound desc = account {acct} not found")
                elif rng.random() < 0.05:
                    finished(t, p, method, "OK", ms, acct, trace, peer)
        elif method == "ListEntries":
            acct = rng.choice(accounts)
            ms = rng.lognormvariate(3.7, 0.7)
            if ms > 250 or rng.random() < 0.05:
                finished(t, p, method, "OK", ms, acct, trace, peer)
        else:
            acct = rng.choice(accounts)
            ms = rng.lognormvariate(1.2, 0.4)
            x = rng.random()
            if x < 0.01:
                finished(t, p, method, "Unauthenticated", ms, None, trace, peer,
                         "rpc error: code = Unauthenticated desc = token is expired")
            elif x < 0.03:
                finished(t, p, method, "NotFound", ms, acct, trace, peer, f"rpc error: code = NotFound desc = account {acct} not found")
            elif x < 0.08:
                finished(t, p, method, "OK", ms, acct, trace, peer)

    # ---- periodic: upstream client and cache stats every 15 minutes, pool stats hourly, per pod
    for p in pods:
        t = max(T0, p["up"]) + sec(rng.uniform(5, 900))
        k = 0
        while t < min(T1, p["down"] - sec(1)):
            win = [c for c in p["calls"] if t - sec(900) < c["t"] <= t]
            lat = sorted(c["ms"] for c in win if c["ms"] is not None) or [0.0]
            zlog(t, p, "info", "upstream/client.go:201", "upstream client stats",
                 {"upstream": "risk-svc", "interval": "15m0s",
                  "stats": {"calls": len(win), "attempts": sum(c["attempts"] for c in win), "failures": sum(c["failures"] for c in win),
                            "rejected": sum(c["rejected"] for c in win), "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))], 1)}},
                 "upstream_stats")
            hits = rng.randint(700, 1500) if day(t) == 1.0 else rng.randint(150, 500)
            misses = int(hits * rng.uniform(0.05, 0.12))
            if REDIS_DOWN <= t < REDIS_UP + sec(900):
                misses, hits = hits // 3, int(hits * 0.7)
            zlog(t + sec(0.002), p, "info", "cache/redis.go:88", "balance cache stats",
                 {"cache": "ledger-cache", "hits": hits, "misses": misses, "evictions": rng.randint(0, 40),
                  "hit_ratio": round(hits / (hits + misses), 3)}, "cache_stats")
            if k % 4 == 0:
                acq = rng.randint(0, 4)
                zlog(t + sec(0.004), p, "info", "store/postgres.go:97", "pgxpool stats",
                     {"acquired_conns": acq, "idle_conns": rng.randint(2, 6), "total_conns": acq + rng.randint(3, 7), "max_conns": 20,
                      "empty_acquire_count": 0}, "pool_stats")
            k += 1
            t += sec(900 + rng.uniform(-0.05, 0.05))

    # ---- routine: hourly upstream token refresh, nightly accrual and reconciliation (run by one pod)
    for p in pods:
        t = max(T0, p["up"]) + sec(rng.uniform(20, 3500))
        while t < min(T1, p["down"] - sec(1)):
            zlog(t, p, "info", "upstream/auth.go:44", "refreshed upstream token", {"upstream": "risk-svc", "expires_in": "1h0m0s"}, "token_refresh")
            t += sec(3600 + rng.uniform(-2, 2))
    for t0, name in ((at(10, 0, 5, 0.31), "interest-accrual"), (at(10, 1, 30, 0.12), "reconciliation")):
        p = live(t0)[0]
        zlog(t0, p, "info", "jobs/runner.go:52", "job started", {"job": name, "lock": "pg_advisory_lock(4211)"}, "job_started")
        dur = rng.uniform(40, 300)
        extra = {"accounts": 48213} if name == "interest-accrual" else {"entries_checked": 391877, "mismatches": 0}
        zlog(t0 + sec(dur), p, "info", "jobs/runner.go:71", "job finished", dict({"job": name, "duration": f"{dur:.3f}s"}, **extra), "job_finished")
    for t in poisson(rng, T0, T1, 0.8, day):
        lp = live(t)
        if lp:
            zlog(t, rng.choice(lp), "info", "server/handler.go:104", "idempotency key seen before, returning stored result",
                 {"idempotency_key": hexs(rng, 8) + "-" + hexs(rng, 4) + "-4" + hexs(rng, 3) + "-a" + hexs(rng, 3) + "-" + hexs(rng, 12),
                  "account_id": rng.choice(accounts), "trace_id": tid()}, "idempotent_replay")

    # ---- noise: slow queries
    for t in poisson(rng, T0, T1, 0.35):
        lp = live(t)
        if lp:
            p = rng.choice(lp)
            zlog(t, p, "warn", "store/postgres.go:211", "slow query",
                 {"duration_ms": rng.randint(520, 2400),
                  "sql": rng.choice(["SELECT id, amount, posted_at FROM entries WHERE account_id = $1 ORDER BY posted_at DESC LIMIT $2",
                                     "SELECT sum(amount) FROM entries WHERE account_id = $1 AND posted_at >= $2",
                                     "UPDATE balances SET amount = amount + $1, version = version + 1 WHERE account_id = $2 AND version = $3"])},
                 "slow_query")

    # ---- the unrelated problem: the redis behind the balance cache fails over at 03:12
    for p in live(REDIS_DOWN):
        t = REDIS_DOWN + sec(rng.uniform(0.1, 3))
        while t < REDIS_UP:
            zlog(t, p, "warn", "cache/redis.go:61", "balance cache unavailable, falling back to postgres",
                 {"cache": "ledger-cache", "error": "dial tcp 10.12.4.7:6379: connect: connection refused"}, "cache_down")
            t += sec(rng.uniform(35, 50))
        zlog(REDIS_UP + sec(rng.uniform(0.2, 4)), p, "info", "cache/redis.go:70", "balance cache reachable again",
             {"cache": "ledger-cache", "down_for": "3m44s"}, "cache_up")

    recs, tpls = L.build()
    return recs, tpls


def gr_problems(since, until):
    return [{"field": {"level": "warn|error|dpanic|panic|fatal"}, "since": since, "until": until}]


def questions_grpc(facts):
    return [
        q("broad",
          "ledger PostTransfer errors spiked after lunch. what went wrong between 14:05 and 14:15 utc on sep 10?",
          ["DeadlineExceeded", "risk-svc"],
          gr_problems("2024-09-10T14:05:00Z", "2024-09-10T14:15:00Z")),
        q("paraphrase",
          "did anything get changed on our side shortly beforehand? a rollout or a settings tweak?",
          ["2.7.0", "max_attempts"],
          {"msg": r"^(starting ledger-svc|loaded configuration)$", "since": "2024-09-10T13:00:00Z", "until": "2024-09-10T14:05:00Z"}),
        q("lexical",
          "what's 'circuit breaker state changed' on ledger-svc-7b9c5d8f6-q2x8k telling me? when did it trip and when did it settle back",
          ["half-open", "closed"],
          {"field": {"kubernetes.pod_name": "ledger-svc-7b9c5d8f6-q2x8k"}, "msg": r"^circuit breaker state changed$"}),
        q("paraphrase",
          "were we hammering the risk scorer harder than usual while it was sick? how many tries per request",
          ["risk-svc", "attempts"],
          {"msg": r"^upstream client stats$", "since": "2024-09-10T14:00:00Z", "until": "2024-09-10T14:50:00Z"}),
        q("lexical",
          f"account {ACCOUNT} says a transfer bounced around 14:20. what happened to it?",
          ["Unavailable", "circuit breaker is open"],
          {"field": {"account_id": str(ACCOUNT), "level": "warn|error"}}),
        q("broad",
          "unrelated: GetBalance p99 jumped overnight. anything wrong between 03:00 and 03:30 utc on the 10th?",
          ["connection refused", "ledger-cache"],
          gr_problems("2024-09-10T03:00:00Z", "2024-09-10T03:30:00Z")),
    ]


# =============================================================================================
# Question specs, rules and checks


def q(style, ask, mentions, rule):
    assert style in STYLES, style
    return {"style": style, "ask": ask, "mentions": mentions, "rule": rule}


SYSTEMS = [
    {
        "id": "i-yarn",
        "title": "YARN: hdw-04 loses a disk, the nightly clickstream job fills the rest; NodeManager UNHEALTHY, attempts failed, killed and re-run",
        "gen": gen_yarn,
        "facts": facts_yarn,
        "questions": questions_yarn,
    },
    {
        "id": "i-bgl",
        "title": "BG/L: correctable DDR errors climb on R23-M0-N9-C:J07-U01 until an rts panic kills the job on R23-M0; node card serviced",
        "gen": gen_bgl,
        "facts": lambda recs: {},
        "questions": questions_bgl,
    },
    {
        "id": "i-grpc",
        "title": "ledger-svc 2.7.0 retries risk-svc 5x without backoff; risk-svc degrades, deadlines exceeded, circuit breakers open",
        "gen": gen_grpc,
        "facts": lambda recs: {},
        "questions": questions_grpc,
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
        assert re.fullmatch(r"i-[a-z0-9-]+", sid), sid
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
                    who = r.get("host") or r.get("location") or (r.get("kubernetes") or {}).get("pod_name") or ""
                    lvl = r.get("level", "")
                    print(f"  {n:5d} {r['timestamp']} {who} {lvl} | {r['message'].splitlines()[0][:150]}")
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

    print(f"{'incident':8s} {'style':10s} {'lines':>5s} {'msgs':>4s} {'ceil':>5s}  ask")
    for sid, style, n, distinct, ceil, ask in table:
        print(f"{sid:8s} {style:10s} {n:5d} {distinct:4d} {ceil:5.3f}  {ask}")
    print()
    for p in written:
        print(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(out).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

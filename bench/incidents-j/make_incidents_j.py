#!/usr/bin/env python3
"""Build the "incidents-j" evaluation set: three synthetic incidents, each a six-turn on-call thread.

Usage: python3 make_incidents_j.py [--out DIR] [--show]

  --out   where to write; default: the folder of this script (bench/incidents-j/).
  --show  print every turn's relevant lines and each system's template counts; write nothing.

Writes <out>/j-<system>/logs.jsonl and incident.json for three systems, and <out>/questions.json
(the style of every turn, for shared/spec/score_replay.py --questions), then prints the sha256 of
every file written. Standard library only. All randomness comes from random.Random with fixed
seeds and nothing iterates over a set or depends on hash order, so a second run writes identical
bytes under any PYTHONHASHSEED.

The logs are synthetic. Each system is simulated from a story (a fault with a cause and its
consequences, plus routine lines, a second unrelated problem and noise) and written in the wording
of the real software as closely as the author could remember it. None of the three has a log
level, so `level` is null on every record:

  j-thunderbird  syslog of the Thunderbird cluster in LogHub's Thunderbird flavour: the alert
                 category (`-` for none), epoch, node, location (`bn251/bn251`, `src@tbird-sm1`,
                 `local@tbird-admin1`), program and pid split off, `message` is the text after
                 `prog[pid]: `; times in -07:00 (Mountain, winter).
  j-hpc          LANL HPC cluster event log in LogHub's HPC flavour (log id, node, component,
                 state, epoch time, flag, message); UTC.
  j-macos        a MacBook's system.log in LogHub's Mac flavour: host (the DHCP name at the
                 office, the local name at home), process and pid split off, `message` is the
                 text after `process[pid]: `; times in -04:00 (Eastern, summer).

Three styles, two turns each per system: broad (a time window, "what went wrong"), lexical (an exact
id, host, number or quoted log fragment) and paraphrase (plain words about lines whose wording the
ask does not share). Relevant lines are never listed by hand: a rule selects them. A rule is a dict,
or a list of dicts whose selections are united; every condition of a dict must hold:

  msg      regex searched in `message`
  not_msg  regex that must NOT be found in `message`
  field    {name: regex}, fully matched against the field's text (JSON text for numbers, null and
           objects); a dotted name is looked up as a literal key first, else as a path into nested
           objects
  since    ISO 8601 with offset; the record's timestamp must be >= it
  until    ISO 8601 with offset; the record's timestamp must be < it

Checks before anything is written: 1,500-2,000 records per system, timestamps never go backwards
and carry Z or an offset, span 20-48 h, at least 25 templates; every turn selects 1-40 lines
holding at most 10 distinct messages (so a perfect top 10 of distinct messages can find all of
them); both mentions occur (case-insensitively) in some field of a relevant line; two turns per
style per system; no ask repeats. Paraphrase asks are checked for any content word, or any pair of
words with the same first four letters, shared with the messages of their relevant lines; if one
is found it is printed and the script exits 1 without writing.
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
STYLES = ("broad", "lexical", "paraphrase")
MIN_LINES, MAX_LINES, MAX_MSGS = 1, 40, 10
MIN_RECORDS, MAX_RECORDS = 1500, 2000
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


def near(t, moments, seconds):
    return any(abs((t - m).total_seconds()) < seconds for m in moments)


def inside(t, windows):
    return any(a <= t < b for a, b in windows)


# =============================================================================================
# 1. Thunderbird syslog: the cable from leaf switch ISR9024-R17-L2 port 9 to bn251 goes bad; symbol
#    errors climb, then the port flaps all night; a 256-node MPI run dies twice on
#    VAPI_RETRY_EXC_ERR; bn251 is taken offline and the port disabled; the cable is replaced in the
#    morning. Unrelated: a DIMM on en74 throws correctable ECC errors until a machine check panics
#    it at lunchtime. Times in -07:00.

TB_TZ = timezone(timedelta(hours=-7))
TB_ADMIN, TB_SM = "tbird-admin1", "tbird-sm1"
TB_NODE = "bn251"
TB_MS = "bn193"          # mother superior of the big MPI run
TB_ECC = "en74"
LEAF, LEAF_GUID, LEAF_LID, LEAF_PORT = "ISR9024-R17-L2", "0x0005ad0000021f4e", "0x0012", 9
HCA_GUID, HCA_LID = "0x0002c9020020a3d1", "0x03f7"
TB_USERS = ["mbrandt", "ktran", "jvelasco", "rpatel", "sholm", "dwebb", "alopez"]
TB_APPS = ["xhpl", "lammps", "ctest", "sage", "cth", "alegra", "its"]
TB_RESERVED = {f"bn{i}" for i in range(241, 257)} | {TB_ECC, TB_MS}


def tb_loc(host):
    if host == TB_ADMIN:
        return f"local@{host}"
    if host.startswith("tbird-"):
        return f"src@{host}"
    return f"{host}/{host}"


def gen_tbird():
    rng = random.Random(20051206)

    def at(d, hh, mm, ss=0.0):
        return datetime(2005, 12, d, hh, mm, tzinfo=TB_TZ) + sec(ss)

    T0, T1 = at(6, 7, 0), at(7, 13, 30)
    L = Log(lambda d: d.isoformat(timespec="seconds"))
    pids = {}

    def pid_of(host, prog):
        if (host, prog) not in pids:
            pids[(host, prog)] = rng.randint(1400, 4800)
        return pids[(host, prog)]

    def sl(dt, host, comp, msg, tpl, pid=None, alert="-"):
        rec = {"message": msg, "level": None, "alert": alert, "epoch": int(dt.timestamp()), "host": host,
               "location": tb_loc(host), "component": comp}
        if pid is not None:
            rec["pid"] = str(pid)
        L.add(dt, tpl, rec)

    def node():
        while True:
            n = f"{rng.choice('abcde')}n{rng.randint(1, 256)}"
            if n not in TB_RESERVED:
                return n

    def tbip(n):
        rackno = "abcde".index(n[0])
        num = int(n[2:])
        return f"172.30.{8 + rackno * 2 + num // 256}.{num % 256}"

    def mac():
        return "00:11:43:" + ":".join(f"{rng.randint(0, 255):02x}" for _ in range(3))

    # key moments
    SYM = [at(6, 19, 7, 12), at(6, 20, 7, 9), at(6, 21, 7, 14)]
    SYM_COUNTS = [214, 1930, 18342]
    FLAP_JOB1 = at(6, 23, 16, 52)
    FLAP_JOB2 = at(7, 1, 51, 40)
    FIRST_FLAP = at(6, 21, 41, 18)
    OFFLINE = at(7, 2, 29, 50)
    DISABLE = at(7, 2, 34, 5)
    ENABLE = at(7, 9, 41, 22)
    ONLINE = at(7, 10, 5, 40)
    ECC_START, ECC_STORM, MCE = at(6, 11, 2, 30), at(6, 12, 0, 0), at(6, 12, 41, 7)
    ECC_DOWN, ECC_OFF, ECC_BOOT = at(6, 12, 44, 31), at(6, 12, 58, 3), at(6, 13, 31, 12)
    QUIET = [(at(6, 11, 55), at(6, 13, 5)), (at(6, 23, 5), at(6, 23, 40)), (at(7, 1, 40), at(7, 2, 0))]

    # ---- jobs: routine ones and the story's; ids are handed out in start order
    job_plan = []  # (start, end, ms, user, app, nodes, kind)
    for t in poisson(rng, T0 + sec(300), T1 - sec(600), 1.1):
        dur = rng.uniform(900, 6 * 3600)
        job_plan.append((t, t + sec(dur), node(), rng.choice(TB_USERS[1:]), rng.choice(TB_APPS), rng.choice([8, 16, 32, 64, 128]), "routine"))
    job_plan.append((at(6, 9, 55, 41), MCE, TB_ECC, "jvelasco", "lammps", 16, "ecc"))
    job_plan.append((at(6, 18, 2, 44), FLAP_JOB1 + sec(80), TB_MS, "mbrandt", "xhpl", 256, "ib1"))
    job_plan.append((at(6, 23, 38, 10), FLAP_JOB2 + sec(81), TB_MS, "mbrandt", "xhpl", 256, "ib2"))
    job_plan.append((at(7, 2, 41, 33), at(7, 8, 33, 2), "bn118", "mbrandt", "xhpl", 255, "ib3"))
    job_plan.sort(key=lambda j: j[0])
    jid, jobs = 118231, []
    for j in job_plan:
        jid += rng.randint(1, 3)
        jobs.append((jid,) + j)
    story_jobs = {j[7]: j for j in jobs if j[7] != "routine"}

    for jid_, start, end, ms, user, app, nn, kind in jobs:
        job = f"{jid_}.{TB_ADMIN}"
        sl(start, TB_ADMIN, "pbs_server", f"Job;{job};Job Run at request of Scheduler@{TB_ADMIN}", "pbs_run", pid_of(TB_ADMIN, "pbs_server"))
        sl(start + sec(rng.uniform(0.4, 2.0)), ms, "pbs_mom", f"Job;{job};Started, pid = {rng.randint(5000, 32000)}", "mom_started",
           pid_of(ms, "pbs_mom"))
        if kind in ("routine", "ib3"):
            if end > T1:
                continue
            wall = int((end - start).total_seconds())
            status = 0 if (kind == "ib3" or rng.random() < 0.85) else rng.choice([1, 2, 139])
            if inside(end, QUIET):
                status = 0
            sl(end, ms, "pbs_mom", f"Job;{job};Obit sent", "mom_obit", pid_of(ms, "pbs_mom"))
            sl(end + sec(rng.uniform(0.5, 2)), TB_ADMIN, "pbs_server",
               f"Job;{job};Exit_status={status} resources_used.walltime={wall // 3600:02d}:{wall // 60 % 60:02d}:{wall % 60:02d}",
               "pbs_exit", pid_of(TB_ADMIN, "pbs_server"))

    # ---- routine: cron on every node, hourly cron on the admin node
    for t in poisson(rng, T0, T1, 9.0):
        n = node()
        p = rng.randint(2000, 31000)
        sl(t, n, "crond(pam_unix)", "session opened for user root by (uid=0)", "cron_open", p)
        sl(t + sec(rng.uniform(0.2, 3)), n, "crond(pam_unix)", "session closed for user root", "cron_close", p)
    t = at(6, 7, 1, 1)
    while t < T1:
        p = rng.randint(2000, 31000)
        sl(t, TB_ADMIN, "crond", "(root) CMD (run-parts /etc/cron.hourly)", "cron_hourly", p)
        t += sec(3600)

    # ---- routine: root logins from the admin node, ntp, dhcp leases, ganglia
    for t in poisson(rng, T0, T1, 2.0):
        n = node()
        p = rng.randint(2000, 31000)
        sl(t, n, "sshd", f"Accepted publickey for root from 172.30.0.2 port {rng.randint(32768, 61000)} ssh2", "ssh_accept", p)
        sl(t + sec(0.4), n, "sshd(pam_unix)", "session opened for user root by (uid=0)", "ssh_open", p)
        sl(t + sec(rng.uniform(3, 400)), n, "sshd(pam_unix)", "session closed for user root", "ssh_close", p)
    for t in poisson(rng, T0, T1, 2.0):
        n = node()
        k = rng.random()
        if k < 0.45:
            msg, tp = f"synchronized to 172.30.0.{rng.choice([1, 3])}, stratum 2", "ntp_sync"
        elif k < 0.8:
            msg, tp = f"time reset {rng.choice(['+', '-'])}{rng.uniform(0.12, 0.9):.6f} s", "ntp_reset"
        else:
            msg, tp = "synchronisation lost", "ntp_lost"
        sl(t, n, "ntpd", msg, tp, pid_of(n, "ntpd"))
    for t in poisson(rng, T0, T1, 3.0):
        n = node()
        ip, m = tbip(n), mac()
        sl(t, TB_ADMIN, "dhcpd", f"DHCPREQUEST for {ip} from {m} via eth1", "dhcp_req", pid_of(TB_ADMIN, "dhcpd"))
        sl(t + sec(0.01), TB_ADMIN, "dhcpd", f"DHCPACK on {ip} to {m} via eth1", "dhcp_ack", pid_of(TB_ADMIN, "dhcpd"))
    for t in poisson(rng, T0, T1, 1.5):
        sl(t, TB_ADMIN, "/apps/x86_64/system/ganglia-3.0.1/sbin/gmetad",
           f"data_thread() got not answer from any [Thunderbird_{rng.choice('ABCDE')}{rng.randint(1, 16)}] datasource", "gmetad",
           pid_of(TB_ADMIN, "gmetad"))
    # kernel chatter that means nothing
    for t in poisson(rng, T0, T1, 0.9):
        n = node()
        k = rng.random()
        if k < 0.5:
            msg, tp = "Losing some ticks... checking if CPU frequency changed.", "k_ticks"
        elif k < 0.8:
            msg, tp = ("process `sysctl' is using deprecated sysctl (syscall) net.ipv6.neigh.lo.base_reachable_time; "
                       "Use net.ipv6.neigh.lo.base_reachable_time_ms instead."), "k_sysctl"
        else:
            msg, tp = f"e1000: eth0: e1000_watchdog_task: NIC Link is Up 1000 Mbps Full Duplex", "k_e1000"
        sl(t, n, "kernel", msg, tp)
    for t in poisson(rng, T0, T1, 0.25):
        if inside(t, QUIET):
            continue
        sl(t, node(), "kernel", "nfs_statfs: statfs error = 116", "k_nfs")
    # stray corrected memory errors and pbs_mom complaints elsewhere (alerts, but nothing to do)
    for t in poisson(rng, T0, T1, 0.3):
        if inside(t, QUIET):
            continue
        sl(t, node(), "kernel",
           f"EDAC MC{rng.randint(0, 1)}: CE page 0x{rng.randint(0x1000, 0x7ffff):x}, offset 0x{rng.randint(0, 0xfff) & ~7:x}, grain 8, "
           f"syndrome 0x{rng.randint(1, 255):x}, row {rng.randint(0, 3)}, channel {rng.randint(0, 1)}, label \"\": k8_edac", "ecc_ce", alert="ECC")
    done = [j for j in jobs if j[7] == "routine"]
    for t in poisson(rng, T0, T1, 0.15):
        if inside(t, QUIET):
            continue
        old = [j for j in done if j[2] < t]
        if not old:
            continue
        j = rng.choice(old)
        sl(t, j[3], "pbs_mom", f"Bad file descriptor (9) in tm_request, job {j[0]}.{TB_ADMIN} not running", "mom_bfd",
           pid_of(j[3], "pbs_mom"), alert="PBS_BFD")

    # ---- subnet manager: light sweeps every 10 min ("No topology change"), hourly perfmgr summary
    sm = pid_of(TB_SM, "ib_sm.x")
    flaps = []
    t, gap = FIRST_FLAP, 38 * 60.0
    while t < DISABLE - sec(120):
        if not near(t, [FLAP_JOB1, FLAP_JOB2], 300):
            flaps.append((t, rng.uniform(6, 55)))
        t += sec(gap * rng.uniform(0.6, 1.4))
        gap = max(9 * 60.0, gap * 0.88)
    flaps += [(FLAP_JOB1, 94.3), (FLAP_JOB2, 121.7)]
    flaps.sort()
    t = at(6, 7, 4, 3)
    while t < T1:
        if not near(t, [f for f, _ in flaps] + [DISABLE, ENABLE], 200):
            sl(t, TB_SM, "ib_sm.x", "[ib_sm_sweep.c:1455]: No topology change", "sm_nochange", sm)
        t += sec(600 + rng.uniform(-2, 2))
    t = at(6, 7, 7, 10)
    while t < T1:
        bad = 1 if FIRST_FLAP - sec(7200) < t < ENABLE else 0
        sl(t, TB_SM, "ib_sm.x", f"[ib_sm_perfmgr.c:402]: perfmgr sweep complete: 4608 ports scanned, {bad} above threshold", "sm_perf", sm)
        t += sec(3600 + rng.uniform(-3, 3))
    for t, n in zip(SYM, SYM_COUNTS):
        sl(t + sec(0.3), TB_SM, "ib_sm.x",
           f"[ib_sm_perfmgr.c:388]: SymbolErrorCounter {LEAF_GUID} port {LEAF_PORT} ({LEAF}): {n} in last sweep (threshold 10)",
           "sm_symerr", sm)
    # after the flapping starts the counter is just logged; the ask is about before
    for t in (at(6, 22, 7, 11), at(6, 23, 7, 13), at(7, 0, 7, 9), at(7, 1, 7, 12), at(7, 2, 7, 10)):
        sl(t + sec(0.3), TB_SM, "ib_sm.x",
           f"[ib_sm_perfmgr.c:388]: SymbolErrorCounter {LEAF_GUID} port {LEAF_PORT} ({LEAF}): {rng.randint(40000, 90000)} in last sweep (threshold 10)",
           "sm_symerr", sm)

    # ---- the flaps
    port = f"port {LEAF_PORT} of switch {LEAF_GUID} ({LEAF})"
    for td, down in flaps:
        tu = td + sec(down)
        sl(td, TB_NODE, "kernel", "[KERNEL_IB][THH_hob_port_event][thh_hob.c:3154] port 1 state changed to DOWN (PORT_ERROR)",
           "ib_node_down", alert="VAPI")
        sl(td + sec(0.8), TB_SM, "ib_sm.x", f"[ib_sm_trap.c:281]: Topology change detected (trap 128 from lid {LEAF_LID}), starting heavy sweep",
           "sm_trap", sm)
        sl(td + sec(1.1), TB_SM, "ib_sm.x", f"[ib_sm_discover.c:944]: {port} changed state: ACTIVE -> DOWN", "sm_port_down", sm)
        sl(td + sec(3.6), TB_SM, "ib_sm.x", f"[ib_sm_sweep.c:1612]: heavy sweep done: 4607 ports, 1 node lost (guid {HCA_GUID} lid {HCA_LID})",
           "sm_lost", sm)
        sl(tu, TB_NODE, "kernel", "[KERNEL_IB][THH_hob_port_event][thh_hob.c:3154] port 1 state changed to ACTIVE (PORT_ACTIVE)",
           "ib_node_up", alert="VAPI")
        sl(tu + sec(0.7), TB_SM, "ib_sm.x", f"[ib_sm_trap.c:281]: Topology change detected (trap 128 from lid {LEAF_LID}), starting heavy sweep",
           "sm_trap", sm)
        sl(tu + sec(1.0), TB_SM, "ib_sm.x", f"[ib_sm_discover.c:944]: {port} changed state: DOWN -> ACTIVE", "sm_port_up", sm)
        sl(tu + sec(3.9), TB_SM, "ib_sm.x", f"[ib_sm_sweep.c:1612]: heavy sweep done: 4608 ports, 1 node added (guid {HCA_GUID} lid {HCA_LID})",
           "sm_added", sm)

    # ---- the two runs that die on the flaps
    for kind, td, ranks in (("ib1", FLAP_JOB1, [("bn247", 133, 140), ("bn252", 171, 140)]),
                            ("ib2", FLAP_JOB2, [("bn198", 58, 140), ("bn250", 139, 140)])):
        j = story_jobs[kind]
        job = f"{j[0]}.{TB_ADMIN}"
        for i, (n, rank, dest) in enumerate(ranks):
            sl(td + sec(58.2 + i * 0.9), n, "xhpl",
               f"[rank {rank}] Got completion with error VAPI_RETRY_EXC_ERR, vendor code 0x81, dest rank {dest} ({TB_NODE})",
               "mpi_retry_exc", rng.randint(8000, 30000))
        sl(td + sec(75.5), TB_MS, "pbs_mom", f"task_check, cannot tm_reply to {job} task 1", "mom_tm_reply", pid_of(TB_MS, "pbs_mom"),
           alert="PBS_CHK")
        wall = int((td + sec(80) - j[1]).total_seconds())
        sl(td + sec(80.1), TB_ADMIN, "pbs_server",
           f"Job;{job};Exit_status=271 resources_used.walltime={wall // 3600:02d}:{wall // 60 % 60:02d}:{wall % 60:02d}", "pbs_exit",
           pid_of(TB_ADMIN, "pbs_server"))
    # bn251 out of the batch system, the port disabled; back in the morning
    sl(OFFLINE, TB_ADMIN, "pbs_server", f"Node;{TB_NODE};state set to offline by root@{TB_ADMIN}, note 'ib port flapping - rt#4471'",
       "pbs_node_off", pid_of(TB_ADMIN, "pbs_server"))
    sl(DISABLE, TB_SM, "ib_sm.x", f"[ib_sm_mgr.c:233]: {port} disabled by admin request (root@{TB_SM})", "sm_disable", sm)
    sl(DISABLE + sec(0.6), TB_NODE, "kernel", "[KERNEL_IB][THH_hob_port_event][thh_hob.c:3154] port 1 state changed to DOWN (PORT_ERROR)",
       "ib_node_down", alert="VAPI")
    sl(DISABLE + sec(3.2), TB_SM, "ib_sm.x", f"[ib_sm_sweep.c:1612]: heavy sweep done: 4607 ports, 1 node lost (guid {HCA_GUID} lid {HCA_LID})",
       "sm_lost", sm)
    sl(ENABLE, TB_SM, "ib_sm.x", f"[ib_sm_mgr.c:233]: {port} enabled by admin request (root@{TB_SM})", "sm_enable", sm)
    sl(ENABLE + sec(4.2), TB_SM, "ib_sm.x", f"[ib_sm_discover.c:944]: {port} changed state: DOWN -> ACTIVE", "sm_port_up", sm)
    sl(ENABLE + sec(4.5), TB_NODE, "kernel", "[KERNEL_IB][THH_hob_port_event][thh_hob.c:3154] port 1 state changed to ACTIVE (PORT_ACTIVE)",
       "ib_node_up", alert="VAPI")
    sl(ENABLE + sec(7.9), TB_SM, "ib_sm.x", f"[ib_sm_sweep.c:1612]: heavy sweep done: 4608 ports, 1 node added (guid {HCA_GUID} lid {HCA_LID})",
       "sm_added", sm)
    sl(ONLINE, TB_ADMIN, "pbs_server", f"Node;{TB_NODE};state offline cleared by root@{TB_ADMIN}", "pbs_node_on", pid_of(TB_ADMIN, "pbs_server"))

    # ---- unrelated: en74's DIMM
    pages = [(0x3e7a1, 0x5c0, 0x9b, 2), (0x3e7a1, 0x5c8, 0x9b, 2), (0x3e7e9, 0x1a0, 0x4f, 2)]
    for a, b, rate in ((ECC_START, ECC_STORM, 7.0), (ECC_STORM, at(6, 12, 20), 18.0), (at(6, 12, 20), MCE, 48.0)):
        for t in poisson(rng, a, b, rate):
            pg, off, syn, row = pages[0] if rng.random() < 0.55 else rng.choice(pages[1:])
            sl(t, TB_ECC, "kernel",
               f"EDAC MC1: CE page 0x{pg:x}, offset 0x{off:x}, grain 8, syndrome 0x{syn:x}, row {row}, channel 1, label \"\": k8_edac",
               "ecc_ce", alert="ECC")
    sl(MCE, TB_ECC, "kernel", "CPU 1: Machine Check Exception: 0000000000000004", "mce", alert="CPU")
    sl(MCE, TB_ECC, "kernel", "Bank 4: b600000000070f0f at 000000003e7e91a0", "mce_bank", alert="CPU")
    sl(MCE + sec(0.4), TB_ECC, "kernel", "Kernel panic - not syncing: Uncorrected machine check", "panic", alert="CPU")
    ej = story_jobs["ecc"]
    sl(ECC_DOWN, TB_ADMIN, "pbs_server", f"Node;{TB_ECC};state changed to down (node not responding)", "pbs_node_down",
       pid_of(TB_ADMIN, "pbs_server"))
    wall = int((ECC_DOWN + sec(2) - ej[1]).total_seconds())
    sl(ECC_DOWN + sec(2.2), TB_ADMIN, "pbs_server",
       f"Job;{ej[0]}.{TB_ADMIN};Exit_status=-3 resources_used.walltime={wall // 3600:02d}:{wall // 60 % 60:02d}:{wall % 60:02d}",
       "pbs_exit", pid_of(TB_ADMIN, "pbs_server"))
    sl(ECC_OFF, TB_ADMIN, "pbs_server", f"Node;{TB_ECC};state set to offline by root@{TB_ADMIN}, note 'MC1 dimm errors, swap - rt#4468'",
       "pbs_node_off", pid_of(TB_ADMIN, "pbs_server"))
    # en74 power-cycled: dhcp, boot messages; it stays offline in the batch system
    emac = "00:11:43:d2:5e:1c"
    b = ECC_BOOT
    for dt, msg, tp in ((0, f"DHCPDISCOVER from {emac} via eth1", "dhcp_disc"), (0.9, f"DHCPOFFER on {tbip(TB_ECC)} to {emac} via eth1", "dhcp_offer"),
                        (1.1, f"DHCPREQUEST for {tbip(TB_ECC)} (172.30.0.2) from {emac} via eth1", "dhcp_req"),
                        (1.2, f"DHCPACK on {tbip(TB_ECC)} to {emac} via eth1", "dhcp_ack")):
        sl(b + sec(dt), TB_ADMIN, "dhcpd", msg, tp, pid_of(TB_ADMIN, "dhcpd"))
    b += sec(74)
    sl(b, TB_ECC, "syslogd 1.4.1", "restart.", "boot_syslogd")
    sl(b + sec(0.2), TB_ECC, "kernel", "klogd 1.4.1, log source = /proc/kmsg started.", "boot_klogd")
    sl(b + sec(0.2), TB_ECC, "kernel",
       "Linux version 2.6.9-22.0.1.ELsmp (bhcompile@x8664-build.redhat.com) (gcc version 3.4.4 20050721 (Red Hat 3.4.4-2)) #1 SMP Tue Oct 18 18:39:27 EDT 2005",
       "boot_linux")
    sl(b + sec(0.3), TB_ECC, "kernel", "Memory: 6113564k/6291456k available (2105k kernel code, 0k reserved, 1299k data, 200k init)", "boot_mem")
    sl(b + sec(0.9), TB_ECC, "kernel", "EDAC MC1: Giving out device to k8_edac Athlon64/Opteron: PCI 0000:00:19.2", "boot_edac")
    sl(b + sec(6.2), TB_ECC, "kernel", "ib_mthca: Mellanox InfiniBand HCA driver v0.06 (June 23, 2005)", "boot_mthca")
    sl(b + sec(11.5), TB_ECC, "sshd", "Server listening on 0.0.0.0 port 22.", "boot_sshd", rng.randint(2000, 3000))
    sl(b + sec(12.1), TB_ECC, "ntpd", "ntpd 4.2.0a@1.1190-r Thu Apr 14 09:44:53 EDT 2005 (1)", "boot_ntpd", pid_of(TB_ECC, "ntpd"))
    sl(b + sec(14.8), TB_ECC, "pbs_mom", "Is up", "boot_pbs_mom", pid_of(TB_ECC, "pbs_mom"))

    return L.build()


def facts_tbird(records):
    tm = [re.search(r"tm_reply to (\d+)\.", r["message"]).group(1) for r in records if "cannot tm_reply" in r["message"]]
    ecc_job = next(re.match(r"Job;(\d+)\.", r["message"]).group(1) for r in records if "Exit_status=-3" in r["message"])
    assert len(tm) == 2, tm
    return {"job1": tm[0], "job2": tm[1], "ecc_job": ecc_job}


TB_PROBLEM = (r"DOWN|[Ff]ail|[Ee]rror|panic|Exit_status=[1-9-]|cannot|not responding|node lost|state set to offline|"
              r"state changed to down")


def questions_tbird(facts):
    def problems(since, until):
        return [{"field": {"alert": r"(?!-$).+"}, "since": since, "until": until},
                {"msg": TB_PROBLEM, "since": since, "until": until}]

    j1, j2 = facts["job1"], facts["job2"]
    return [
        q("broad",
          f"mbrandt's xhpl run {j1} died last nigth, 256 nodes. what went wrong on tbird between 23:10 and 23:30 on the 6th?",
          [TB_NODE, "VAPI_RETRY_EXC_ERR"],
          problems("2005-12-06T23:10:00-07:00", "2005-12-06T23:30:00-07:00")),
        q("paraphrase",
          "was the wire to that node already flaky before it started bouncing? like corrupted bits, and since when",
          ["SymbolErrorCounter", "port 9"],
          {"msg": r"SymbolErrorCounter " + re.escape(LEAF_GUID) + r" port 9 ", "until": "2005-12-06T21:41:18-07:00"}),
        q("lexical",
          f"whats switch {LEAF_GUID} port 9 been doing overnight? how many times did it go down",
          [LEAF, "disabled"],
          {"msg": r"port 9 of switch " + re.escape(LEAF_GUID) + r" .*(ACTIVE -> DOWN|disabled by)"}),
        q("paraphrase",
          "did the scheduler ever pull that box out of rotation, and when did it get put back?",
          ["offline", TB_NODE],
          {"msg": r"^Node;" + TB_NODE + ";"}),
        q("lexical",
          f"what's 'cannot tm_reply' from pbs_mom on {TB_MS} about? which jobs, and did the resubmit die the same way",
          [j1, j2],
          {"msg": r"cannot tm_reply"}),
        q("broad",
          "unrelated: a user says their lammps job died yesterday around lunch w/ no reason given. anything wrong between 12:20 and 12:50 on the 6th?",
          [TB_ECC, "Machine Check"],
          problems("2005-12-06T12:20:00-07:00", "2005-12-06T12:50:00-07:00")),
    ]


# =============================================================================================
# 2. LANL HPC cluster event log: the fan tray of chassis 2 under domain node-D5 (nodes 176-183)
#    fails; the nodes heat up and power themselves off; a boot the same night is refused; the tray
#    is replaced in the morning and the nodes are booted (one needs a second try). Unrelated: the
#    disk of the file server node-250 drops out in the afternoon and storage3 has no server for half
#    an hour. UTC.

HPC_CH_NODES = [f"node-{i}" for i in range(176, 184)]
HPC_FS = "node-250"
HPC_DOMAIN = "storage3"
HPC_SCSI = "SCSI-WWID:01000010:6005-08b4-0001-00c6-0006-3000-0142-0000"
HPC_FLAKY = "node-42"
HPC_SWITCH = "ic-sw2"


def hpc_dc(n):
    return f"node-D{int(n.split('-')[1]) // 32}"


def gen_hpc():
    rng = random.Random(20040309)

    def at(d, hh, mm, ss=0.0):
        return datetime(2004, 3, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(9, 6, 0), at(10, 14, 0)
    L = Log(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"))

    def ev(dt, node, comp, state, msg, tpl, flag=1):
        L.add(dt, tpl, {"message": msg, "level": None, "log_id": None, "node": node, "component": comp, "state": state,
                        "time": int(dt.timestamp()), "flag": flag})

    hwid = {}

    def hw(n, c):
        if (n, c) not in hwid:
            hwid[(n, c)] = rng.randint(1000, 6999)
        return hwid[(n, c)]

    def fans(dead=()):
        out = []
        for i in range(6):
            out.append("0" if i in dead else str(rng.randint(3300, 4400) if i == 3 else rng.randint(3300, 3600)))
        return "Fan speeds ( " + " ".join(out) + " )"

    FAN_FAULT = at(9, 22, 14, 37)
    CRIT = [at(9, 23, 31, 4) + sec(i * 37 + rng.uniform(0, 20)) for i in range(8)]
    rng.shuffle(CRIT)
    POLL = at(9, 23, 45, 10)
    BOOT1 = at(9, 23, 58, 21)
    REPAIR = at(10, 9, 48, 10)
    BOOT2 = at(10, 9, 55, 2)
    BOOT3 = at(10, 10, 31, 44)
    STRAGGLER = "node-181"
    SCSI_DOWN, SCSI_UP = at(9, 14, 7, 33), at(9, 14, 35, 2)
    STORY = [(at(9, 13, 55), at(9, 14, 45)), (at(9, 22, 5), at(10, 0, 20)), (at(10, 9, 40), at(10, 10, 50))]

    # ---- commands: maintenance reboots (halt, boot, running) at fixed times, and the story's
    cmd_plan = []
    for t in (at(9, 7, 10, 3), at(9, 9, 31, 40), at(9, 11, 52, 9), at(9, 16, 40, 55), at(9, 19, 15, 12), at(10, 3, 20, 30),
              at(10, 6, 45, 1), at(10, 12, 10, 44)):
        base = rng.choice([i * 8 for i in range(32) if not 168 <= i * 8 <= 184 and i * 8 != 248])
        cmd_plan.append((t, "maint", [f"node-{base + i}" for i in range(8)]))
    cmd_plan += [(BOOT1, "boot1", HPC_CH_NODES), (BOOT2, "boot2", HPC_CH_NODES), (BOOT3, "boot3", [STRAGGLER])]
    cmd_plan.sort(key=lambda c: c[0])
    cmd = 3052
    for t, kind, nodes in cmd_plan:
        cmd += rng.randint(4, 12)
        dc = hpc_dc(nodes[0])
        target = f"node-[{nodes[0].split('-')[1]}-{nodes[-1].split('-')[1]}]" if len(nodes) > 1 else nodes[0]
        if kind == "maint":
            ev(t, dc, "boot_cmd", "new", f"Targeting domains:{dc} and nodes:{target} child of command {cmd}", "cmd_target")
            for n in nodes:
                ev(t + sec(rng.uniform(1, 4)), n, "node", "halt", f"halt (command {cmd})", "halt")
            for n in nodes:
                ev(t + sec(rng.uniform(30, 60)), n, "unix.hw", "state_change.unavailable",
                   f"Component State Change: Component \"alt0\" is in the unavailable state (HWID={hw(n, 'alt0')})", "alt0_unavail")
            cmd += 1
            t2 = t + sec(rng.uniform(300, 900))
            ev(t2, dc, "boot_cmd", "new", f"Targeting domains:{dc} and nodes:{target} child of command {cmd}", "cmd_target")
            for n in nodes:
                ev(t2 + sec(rng.uniform(1, 4)), n, "node", "boot", f"boot (command {cmd})", "boot")
                up = t2 + sec(rng.uniform(200, 330))
                ev(up, n, "node", "status", "running", "running")
                ev(up + sec(rng.uniform(5, 40)), n, "unix.hw", "state_change.available",
                   f"Component State Change: Component \"alt0\" is in the available state (HWID={hw(n, 'alt0')})", "alt0_avail")
            cmd += 1
            t3 = t2 + sec(rng.uniform(400, 500))
            ev(t3, "node-0", "action", "start", f"clusterAddMember (command {cmd})", "add_member")
            ev(t3 + sec(rng.uniform(8, 20)), "node-0", "action", "done", "Command has completed successfully", "cmd_done")
        else:
            ev(t, "node-D5", "boot_cmd", "new", f"Targeting domains:node-D5 and nodes:{target} child of command {cmd}", "cmd_target")
            for n in nodes:
                ev(t + sec(rng.uniform(1, 4)), n, "node", "boot", f"boot (command {cmd})", "boot")
            if kind == "boot1":
                ev(t + sec(6.2), "node-D5", "node", "psu", "chassis 2: power-on inhibited, fan tray fault", "inhibited")
                for n in nodes:
                    ev(t + sec(300 + rng.uniform(0, 3)), n, "node", "boot", f"boot (command {cmd}) Error: Timeout", "boot_timeout")
            else:
                for n in nodes:
                    if kind == "boot2" and n == STRAGGLER:
                        ev(t + sec(301.5), n, "node", "boot", f"boot (command {cmd}) Error: Timeout", "boot_timeout")
                        continue
                    up = t + sec(rng.uniform(210, 290))
                    ev(up, n, "node", "status", "running", "running")
                    ev(up + sec(rng.uniform(5, 40)), n, "unix.hw", "state_change.available",
                       f"Component State Change: Component \"alt0\" is in the available state (HWID={hw(n, 'alt0')})", "alt0_avail")
                cmd += 1
                ev(t + sec(rng.uniform(420, 480)), "node-0", "action", "start", f"clusterAddMember (command {cmd})", "add_member")
                ev(t + sec(rng.uniform(490, 520)), "node-0", "action", "done", "Command has completed successfully", "cmd_done")

    # ---- environment: each domain controller reports one chassis' fans every 30 min and ambient every hour
    for k in range(8):
        dc = f"node-D{k}"
        t, c = T0 + sec(k * 211 + rng.uniform(0, 60)), k % 4
        while t < T1:
            faulty = k == 5 and c == 2 and FAN_FAULT <= t < REPAIR
            ev(t, dc, "node", "fan", f"chassis {c}: " + fans((2, 3) if faulty else ()), "fan")
            c = (c + 1) % 4
            t += sec(1800 + rng.uniform(-20, 20))
        t = T0 + sec(k * 97 + rng.uniform(0, 60))
        while t < T1:
            ev(t, dc, "node", "temperature", f"ambient={rng.randint(24, 29)}", "ambient")
            t += sec(3600 + rng.uniform(-30, 30))
    # the failed tray, reported every 10 min until replaced
    ev(FAN_FAULT, "node-D5", "node", "fan", "chassis 2: fan tray fault, fans 3,4 below 500 rpm", "fan_fault")
    t = FAN_FAULT + sec(40)
    while t < REPAIR:
        ev(t, "node-D5", "node", "fan", "chassis 2: " + fans((2, 3)), "fan")
        t += sec(600 + rng.uniform(-5, 5))
    ev(REPAIR, "node-D5", "node", "fan", "chassis 2: fan tray fault cleared", "fan_cleared")
    ev(REPAIR + sec(31), "node-D5", "node", "fan", "chassis 2: " + fans(), "fan")

    # ---- the chassis heats up: warnings every ~10 min above 40C, critical at 52C, off, detected at the next poll
    for i, n in enumerate(HPC_CH_NODES):
        crit = CRIT[i]
        t = FAN_FAULT + sec(rng.uniform(1500, 2100))
        while t < crit - sec(60):
            frac = (t - FAN_FAULT).total_seconds() / (crit - FAN_FAULT).total_seconds()
            temp = int(36 + 16 * frac ** 1.3)
            if temp >= 40:
                ev(t, n, "node", "temperature", f"Temperature ({temp}C) exceeds warning threshold", "temp_warn")
            t += sec(600 + rng.uniform(-40, 40))
        ev(crit, n, "node", "temperature", f"Temperature ({rng.choice([52, 53])}C) exceeds critical threshold, powering off", "temp_crit")
        ev(crit + sec(rng.uniform(70, 110)), n, "node", "status", "not responding", "not_responding")
        ev(POLL + sec(i * 0.7 + rng.uniform(0, 0.5)), n, "unix.hw", "state_change.unavailable",
           f"Component State Change: Component \"alt0\" is in the unavailable state (HWID={hw(n, 'alt0')})", "alt0_unavail")
    ev(REPAIR + sec(3), "node-D5", "node", "psu", "chassis 2: power-on enabled", "psu_enabled")

    # ---- unrelated: the file server's disk drops out, storage3 has no server
    ev(SCSI_DOWN, HPC_FS, "unix.hw", "state_change.unavailable",
       f"Component State Change: Component \"{HPC_SCSI}\" is in the unavailable state (HWID={hw(HPC_FS, 'scsi')})", "scsi_unavail")
    ev(SCSI_DOWN + sec(6.4), HPC_FS, "unix.fs", "server_fs", f"ServerFileSystem domain {HPC_DOMAIN} lost its disk, going offline", "fs_offline")
    clients = [f"node-{i}" for i in sorted(rng.sample(range(0, 168), 11))]
    for t in poisson(rng, SCSI_DOWN + sec(20), SCSI_UP, 36.0):
        ev(t, rng.choice(clients), "unix.fs", "cluster_fs", f"ClusterFileSystem: There is no server for ServerFileSystem domain {HPC_DOMAIN}",
           "cfs_noserver")
    ev(SCSI_UP, HPC_FS, "unix.hw", "state_change.available",
       f"Component State Change: Component \"{HPC_SCSI}\" is in the available state (HWID={hw(HPC_FS, 'scsi')})", "scsi_avail")
    ev(SCSI_UP + sec(28.3), HPC_FS, "unix.fs", "server_fs", f"ServerFileSystem domain {HPC_DOMAIN} is back online", "fs_online")

    # ---- noise: a node whose network interface blinks, switch link errors, nodeset reports
    for t in poisson(rng, T0, T1, 0.35):
        if inside(t, STORY):
            continue
        ev(t, HPC_FLAKY, "unix.hw", "net.niff.down",
           f"NIFF: node {HPC_FLAKY} detected a failed network connection on network 10.128.0.0 via interface alt0", "niff_down")
        ev(t + sec(rng.uniform(20, 90)), HPC_FLAKY, "unix.hw", "net.niff.up",
           f"NIFF: node {HPC_FLAKY} has detected an available network connection on network 10.128.0.0 via interface alt0", "niff_up")
    for t in poisson(rng, T0, T1, 0.3):
        if inside(t, STORY):
            continue
        ev(t, HPC_SWITCH, "switch_module", "error", f"Link error on broadcast tree Interconnect-1T00:00:{rng.randint(0, 3)}:{rng.randint(0, 7)}",
           "sw_link_error")
        ev(t + sec(rng.uniform(300, 600)), HPC_SWITCH, "switch_module", "interval", "Linkerror event interval expired", "sw_interval")
    for t in poisson(rng, T0, T1, 0.12):
        parts = []
        for _ in range(rng.randint(6, 10)):
            parts.append(f"node-{rng.randint(0, 255)} 0x{rng.choice(['1fffffffe', 'fffffffe', '1fffffffc', 'ffffffff'])} <ok>")
        ev(t, "node-0", "partition", "inconsistent", "inconsistent nodesets " + " ".join(parts), "nodesets")
    # routine node heartbeats from the cluster monitor, a few an hour
    for t in poisson(rng, T0, T1, 16.0):
        n = f"node-{rng.choice([i for i in range(256) if t < FAN_FAULT or not 176 <= i <= 183])}"
        k = rng.random()
        if k < 0.55:
            ev(t, n, "node", "status", "running", "running")
        elif k < 0.8:
            ev(t, n, "unix.hw", "state_change.available",
               f"Component State Change: Component \"ee{rng.randint(0, 1)}\" is in the available state (HWID={hw(n, 'ee')})", "ee_avail")
        else:
            ev(t, n, "node", "psu", "PSU status ( on on )", "psu_status")

    recs, tpls = L.build()
    lid = 134000
    for r in recs:
        lid += rng.randint(1, 37)
        r["log_id"] = lid
    return recs, tpls


def facts_hpc(records):
    cmds = {}
    for r in records:
        m = re.match(r"Targeting domains:node-D5 and nodes:(\S+) child of command (\d+)", r["message"])
        if m:
            cmds.setdefault(m.group(1), []).append(m.group(2))
    boot1, boot2 = cmds["node-[176-183]"]
    stragglers = [r["node"] for r in records if r["message"] == f"boot (command {boot2}) Error: Timeout"]
    assert len(stragglers) == 1, stragglers
    return {"boot1": boot1, "boot2": boot2, "straggler": stragglers[0]}


HPC_PROBLEM = r"unavailable|[Ff]ailed|Error|exceeds|not responding|no server|inhibited|fault|going offline|Link error"


def questions_hpc(facts):
    def problems(since, until):
        return [{"msg": HPC_PROBLEM, "since": since, "until": until}]

    ch = "|".join(re.escape(n) for n in HPC_CH_NODES)
    return [
        q("broad",
          "half a chassis under d5 fell over last night and users lost their runs. what went wrong between 23:25 and 23:40 utc on mar 9?",
          ["critical threshold", "not responding"],
          problems("2004-03-09T23:25:00Z", "2004-03-09T23:40:00Z")),
        q("paraphrase",
          "was the cooling in that enclosure already busted before they cooked? since when",
          ["node-D5", "fan tray"],
          {"field": {"node": "node-D5"}, "msg": r"^chassis 2: (fan tray fault|Fan speeds .* 0 0 )", "until": "2004-03-09T23:25:00Z"}),
        q("lexical",
          f"someone tried to bring them back with command {facts['boot1']} before midnight. did that boot go through?",
          ["Timeout", "power-on inhibited"],
          [{"msg": rf"command {facts['boot1']}\b"}, {"msg": r"power-on inhibited", "until": "2004-03-10T06:00:00Z"}]),
        q("paraphrase",
          "when exactly did each of those boxes drop off the netwrok?",
          ["alt0", "unavailable"],
          {"field": {"node": ch}, "msg": r"Component \"alt0\" is in the unavailable state|^not responding$", "until": "2004-03-10T06:00:00Z"}),
        q("lexical",
          f"after the tray swap they ran command {facts['boot2']} on node-[176-183]. did evry one of them come back 'running'? any stragglers",
          [facts["straggler"], "Timeout"],
          [{"msg": rf"command {facts['boot2']}\b"},
           {"field": {"node": ch}, "msg": r"^running$", "since": "2004-03-10T09:50:00Z"}]),
        q("broad",
          "unrelated: people couldn't get at their files for a while on the 9th after lunch. anything wrong between 14:00 and 14:30 utc?",
          [HPC_DOMAIN, "SCSI"],
          problems("2004-03-09T14:00:00Z", "2004-03-09T14:30:00Z")),
    ]


# =============================================================================================
# 3. macOS system.log of one MacBook Pro: at 13:12 MDM installs an EAP-TLS Wi-Fi profile in user
#    mode; from then on every wake at the office fails 802.1X (the identity's key cannot be used
#    while the keychain waits for the user: -25308) until eapolclient's back-off runs out, minutes
#    later; at home (WPA2 personal) nothing happens. IT re-pushes the profile in system mode the
#    next morning. Unrelated: every Time Machine backup to the home NAS fails, the sparsebundle
#    cannot be attached. Times in -04:00.

M_TZ = timezone(timedelta(hours=-4))
M_HOME = "Jonass-MacBook-Pro"
M_OFFICE = {10: "wl-10-40-12-87", 11: "wl-10-40-13-142"}
M_IP = {10: "10.40.12.87", 11: "10.40.13.142"}
M_PROFILE = "com.acmecorp.wifi.eaptls"
M_USER = "jkellner"
SPARSE = "/Volumes/TimeMachine/Jonas's MacBook Pro.sparsebundle"
NAS_URL = "smb://jkellner@kellner-nas._smb._tcp.local./TimeMachine"


def gen_mac():
    rng = random.Random(20170710)

    def at(d, hh, mm, ss=0.0):
        return datetime(2017, 7, d, hh, mm, tzinfo=M_TZ) + sec(ss)

    T0, T1 = at(10, 7, 45), at(11, 12, 30)
    L = Log(lambda d: d.isoformat(timespec="seconds"))
    PROFILE_V1 = at(10, 13, 12, 40)
    PROFILE_V2 = at(11, 11, 20, 15)
    awake = [(at(10, 7, 52, 14), at(10, 8, 35, 40), "home"), (at(10, 9, 12, 5), at(10, 10, 30, 12), "office"),
             (at(10, 10, 55, 31), at(10, 12, 5, 2), "office"), (at(10, 12, 50, 44), at(10, 13, 55, 9), "office"),
             (at(10, 14, 38, 22), at(10, 15, 40, 3), "office"), (at(10, 15, 55, 47), at(10, 16, 45, 30), "office"),
             (at(10, 16, 50, 12), at(10, 17, 40, 51), "office"), (at(10, 18, 31, 9), at(10, 23, 12, 40), "home"),
             (at(11, 7, 49, 55), at(11, 8, 31, 20), "home"), (at(11, 9, 5, 33), at(11, 10, 10, 7), "office"),
             (at(11, 10, 25, 48), at(11, 11, 44, 30), "office"), (at(11, 12, 5, 16), T1, "office")]
    next_pid = [1800]

    def newpid():
        next_pid[0] += rng.randint(3, 60)
        return next_pid[0]

    def host_at(t, where):
        return M_OFFICE[t.day] if where == "office" else M_HOME

    def ml(dt, host, comp, pid, msg, tpl):
        L.add(dt, tpl, {"message": msg, "level": None, "host": host, "component": comp, "pid": str(pid)})

    def arpt(t):
        return f"{(t - at(9, 6, 12, 40)).total_seconds() + rng.uniform(0, 0.9):.6f}"

    def torpedo(t, host):
        app, port = rng.choice([("Slack", 443), ("Google Chrome", 443), ("Mail", 993), ("Dropbox", 443), ("zoom.us", 8801)])
        ml(t, host, "networkd", 195,
           f"-[NETClientConnection evaluateCrazyIvan46] CI46 - Hit by torpedo! {app}.{rng.randint(300, 9000)} tc{rng.randint(1000, 40000)} "
           f"{rng.choice(['52.', '34.', '17.', '104.'])}{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}:{port}", "torpedo")

    eap_mode = ["peap"]

    def eap_success(t, host, pid, mode):
        start = {"peap": "en0 START uid 0 (EAP-PEAP, system mode)", "tls-user": f"en0 START uid 501 (EAP-TLS, user mode)",
                 "tls-system": "en0 START uid 0 (EAP-TLS, system mode)"}[mode]
        ml(t, host, "eapolclient", pid, start, "eap_start")
        ml(t + sec(rng.uniform(0.4, 1.2)), host, "eapolclient", pid, "en0 STATUS: Authenticated", "eap_ok")

    def net_up(t, where, day):
        host = host_at(t, where)
        ssid = "AcmeCorp" if where == "office" else "kellner-5G"
        ip = M_IP[day] if where == "office" else "192.168.1.23"
        ml(t, host, "configd", 53, f"network changed: v4(en0+:{ip}) DNS+ Proxy+ SMB", "net_up")
        ml(t + sec(0.6), host, "UserEventAgent", 43, f"Captive: [CNInfoNetworkActive:1748] en0: SSID '{ssid}' making interface primary "
                                                      f"({'protected network' if where == 'office' else 'cache indicates no captive network'})",
           "captive")

    def wake(t, where, reason="EC.LidOpen (User)", dark=False):
        host = host_at(t, where) if not dark else M_HOME
        ml(t, host, "kernel", 0, f"Wake reason: {reason}", "wake_reason")
        ml(t, host, "kernel", 0, f"Previous sleep cause: 5", "sleep_cause")
        if dark:
            ml(t + sec(0.1), host, "kernel", 0, "DarkWake from Normal Sleep [CDNPB] : due to RTC/Maintenance Using AC", "darkwake")
        ml(t + sec(0.2), host, "kernel", 0, f"AppleThunderboltNHIType2::prePCIWake - power up complete - took {rng.randint(1, 3)} us", "tb_prewake")
        ml(t + sec(0.3), host, "kernel", 0, f"ARPT: {arpt(t)}: AirPort_Brcm43xx::powerChange: System Wake - Full Wake/ Dark Wake / Maintenance wake",
           "arpt_wake")
        if not dark:
            ml(t + sec(0.9), host, "WindowServer", 184,
               f"CGXDisplayDidWakeNotification [{int((t - at(9, 6, 12, 40)).total_seconds() * 1e9) + rng.randint(0, 999999)}]: posting kCGSDisplayDidWake",
               "ws_wake")
            ml(t + sec(1.4), host, "sharingd", 294, "BTLE scanner Powered On", "btle")
        ml(t + sec(1.8), host, "kernel", 0, "AirPort: Link Up on en0", "link_up")

    def sleep(t, where):
        host = host_at(t, where)
        ml(t, host, "kernel", 0, "AirPort: Link Down on en0. Reason 8 (Disassociated because station leaving).", "link_down_sleep")
        ml(t + sec(0.3), host, "UserEventAgent", 43, "Captive: CNPluginHandler en0: Inactive", "captive_inactive")
        ml(t + sec(0.9), host, "kernel", 0, f"PM response took {rng.randint(1500, 2100)} ms ({rng.choice([54, 75, 91])}, powerd)", "pm_response")

    def backup(t, host):
        p = newpid()
        ml(t, host, "com.apple.backupd", p, "Starting automatic backup", "tm_start")
        ml(t + sec(0.4), host, "com.apple.backupd", p, f"Attempting to mount network destination URL: {NAS_URL}", "tm_mount")
        ml(t + sec(3.1), host, "com.apple.backupd", p, f"Mounted network destination at mount point: /Volumes/TimeMachine using URL: {NAS_URL}",
           "tm_mounted")
        ml(t + sec(9.7), host, "com.apple.backupd", p, f"Failed to attach sparsebundle {SPARSE}, error 35 (Resource temporarily unavailable)",
           "tm_attach")
        ml(t + sec(9.8), host, "com.apple.backupd", p, "Backup failed with error 20: The backup disk image could not be mounted.", "tm_failed")
        ml(t + sec(12.5), host, "com.apple.backupd", p, "Ejected Time Machine network volume.", "tm_eject")

    # ---- wakes and sleeps
    for k, (a, b, where) in enumerate(awake):
        day = a.day
        host = host_at(a, where)
        wake(a, where)
        unlock = a + sec(rng.uniform(18, 45))
        ml(unlock, host, "loginwindow", 97,
           "-[SessionAgentNotificationCenter sendBSDNotification:withMessage:] - sending notification com.apple.sessionagent.screenIsUnlocked",
           "unlocked")
        if where == "office":
            ml(a + sec(2.6), host, "kernel", 0, f"IOThunderboltSwitch<0>(0x0)::listenerCallback - Thunderbolt HPD packet for route = 0x0 port = 11 unplug = 0",
               "tb_hpd")
        if where == "home":
            net_up(a + sec(3.1), where, day)
        elif PROFILE_V1 < a < PROFILE_V2:
            # user-mode EAP-TLS: three quick failures while the keychain waits for the user, then back-off
            p = newpid()
            ml(a + sec(2.2), host, "eapolclient", p, "en0 START uid 501 (EAP-TLS, user mode)", "eap_start")
            for i, off in enumerate((2.4, 12.9, 23.3)):
                t = a + sec(off + rng.uniform(0, 0.3))
                if i > 0:
                    ml(t - sec(0.5), host, "kernel", 0, "AirPort: Link Up on en0", "link_up")
                ml(t, host, "eapolclient", p, "en0 EAP-TLS: SecKeyRawSign failed: User interaction is not allowed. (-25308)", "eap_sign_fail")
                last = i == 2
                ml(t + sec(0.1), host, "eapolclient", p,
                   "en0 STATUS: Authentication failed (client status 21), retrying in 120 seconds" if last
                   else "en0 STATUS: Authentication failed (client status 21)", "eap_fail")
                ml(t + sec(0.4), host, "kernel", 0, "AirPort: Link Down on en0. Reason 23 (IEEE 802.1X authentication failed).", "link_down_8021x")
                if i == 0:
                    cp = newpid()
                    ts = (t - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()
                    ml(t + sec(0.9), host, "corecaptured", cp,
                       f"CCFile::captureLog Received Capture notice id: {ts + rng.uniform(0, 0.9):.6f}, reason = AuthFail:sts:0_rsn:23", "cc_capture")
                    ml(t + sec(1.0), host, "corecaptured", cp,
                       "CCIOReporterFormatter::refreshSubscriptionsFromStreamRegistry clearing out any previous subscriptions", "cc_refresh")
                if i == 1:
                    ml(t + sec(0.7), host, "mDNSResponder", 91, f"mDNS_DeregisterInterface: Frequent transitions for interface en0 ({M_IP[day]})",
                       "mdns_freq")
            for _ in range(rng.randint(1, 2)):
                torpedo(a + sec(rng.uniform(26, 60)), host)
            ml(a + sec(rng.uniform(30, 70)), host, "com.apple.geod", 312,
               "PBRequester failed with Error Error Domain=NSURLErrorDomain Code=-1009 \"The Internet connection appears to be offline.\"",
               "geod_offline")
            t = a + sec(23.4 + 120 + rng.uniform(0, 2))
            ml(t - sec(0.5), host, "kernel", 0, "AirPort: Link Up on en0", "link_up")
            ml(t, host, "eapolclient", p, "en0 EAP-TLS: authentication succeeded", "eap_tls_ok")
            ml(t + sec(0.4), host, "eapolclient", p, "en0 STATUS: Authenticated", "eap_ok")
            net_up(t + sec(1.3), where, day)
        else:
            mode = "peap" if a < PROFILE_V1 else "tls-system"
            eap_success(a + sec(2.3), host, newpid(), mode)
            net_up(a + sec(3.4), where, day)
        if b < T1:
            sleep(b, where)

    # the profile installs (while awake)
    for t, ver, mode in ((PROFILE_V1, 1, "tls-user"), (PROFILE_V2, 2, "tls-system")):
        p = 412
        host = host_at(t, "office")
        ml(t, host, "mdmclient", p, f"Processing server request: InstallProfile for: <User: {M_USER}>" if ver == 1
           else "Processing server request: InstallProfile for: <Device>", "mdm_request")
        ml(t + sec(1.2), host, "mdmclient", p,
           f"Installed configuration profile: Corp Wi-Fi (EAP-TLS) ({M_PROFILE}) for <User: {M_USER}>" if ver == 1
           else f"Installed configuration profile: Corp Wi-Fi (EAP-TLS) ({M_PROFILE}) for <Device>", "mdm_installed")
        ml(t + sec(2.0), host, "kernel", 0, "AirPort: Link Down on en0. Reason 8 (Disassociated because station leaving).", "link_down_sleep")
        ml(t + sec(3.5), host, "kernel", 0, "AirPort: Link Up on en0", "link_up")
        eap_success(t + sec(3.8), host, newpid(), mode)
        net_up(t + sec(5.0), "office", t.day)
    for t in (at(10, 9, 40, 2), at(11, 9, 31, 50)):
        ml(t, host_at(t, "office"), "mdmclient", 412, "Processing server request: DeviceInformation for: <Device>", "mdm_request")

    # ---- the night: dark wakes for maintenance and Power Nap, each with a backup attempt
    night = (at(10, 23, 12, 40), at(11, 7, 49, 55))
    t = night[0] + sec(2400)
    while t < night[1] - sec(600):
        wake(t, "home", reason="RTC (Alarm)", dark=True)
        net_up(t + sec(3.0), "home", 11)
        backup(t + sec(rng.uniform(20, 60)), M_HOME)
        sleep(t + sec(rng.uniform(95, 140)), "home")
        t += sec(rng.uniform(3300, 4300))
    # hourly backups while awake at home
    for a, b, where in awake:
        if where != "home":
            continue
        t = a + sec(rng.uniform(300, 900))
        while t < b - sec(60):
            backup(t, M_HOME)
            t += sec(3600 + rng.uniform(0, 120))

    # ---- routine chatter while awake
    def chatter(per_hour, fn):
        for a, b, where in awake:
            for t in poisson(rng, a + sec(5), b, per_hour):
                fn(t, host_at(t, where))

    chatter(26.0, lambda t, h: ml(t, h, "Google Chrome Helper", rng.choice([3318, 3321, 4472, 5109]),
                                  "Libnotify: notify_register_coalesced_registration failed with code 9 on line 2835", "libnotify"))
    sbx = [("com.apple.WebKit.WebContent", "file-read-data /Users/jkellner/Library/Preferences/com.apple.HIToolbox.plist"),
           ("Slack Helper", "mach-lookup com.apple.coreservices.launchservicesd"),
           ("Dropbox", "file-write-create /private/var/folders/7c/q1x0d9bn1wz4kq2s1f0r5wxw0000gn/C/com.getdropbox.dropbox"),
           ("QuickLookSatellite", "mach-lookup com.apple.cfprefsd.agent"),
           ("com.apple.Safari.SafeBrowsing.Service", "network-outbound /private/var/run/mDNSResponder"),
           ("mdworker", "file-read-xattr /Users/jkellner/Documents/expenses-q2.numbers")]
    chatter(19.0, lambda t, h: ml(t, h, "kernel", 0, "Sandbox: {}({}) deny(1) {}".format(*(lambda s: (s[0], rng.randint(400, 9900), s[1]))(rng.choice(sbx))),
                                 "sandbox"))
    chatter(4.0, lambda t, h: ml(t, h, "symptomsd", 215,
                                 "__73-[NetworkAnalyticsEngine _configureInterfaceObservers]_block_invoke unexpected switch value 2", "symptomsd"))
    chatter(4.0, lambda t, h: ml(t, h, "com.apple.CDScheduler", 43,
                                 f"Thermal pressure state: {rng.choice([0, 0, 0, 1])} Memory pressure state: 0", "cdscheduler"))
    chatter(5.0, lambda t, h: ml(t, h, "com.apple.xpc.launchd", 1,
                                 "(com.apple.imfoundation.IMRemoteURLConnectionAgent): Unknown key for integer: _DirtyJetsamMemoryLimit", "launchd_key"))
    chatter(1.2, lambda t, h: ml(t, h, "com.apple.xpc.launchd", 1,
                                 f"(com.apple.quicklook[{rng.randint(2000, 9900)}]): Endpoint has been activated through legacy launch(3) APIs. "
                                 "Please switch to XPC or bootstrap_check_in(): com.apple.quicklook", "launchd_legacy"))
    chatter(3.5, lambda t, h: ml(t, h, "WindowServer", 184,
                                 f"_CGXRemoveWindowFromWindowMovementGroup: window 0x{rng.randint(0x200, 0x3ff):x} is not attached to window "
                                 f"0x{rng.randint(0x200, 0x3ff):x}", "ws_group"))
    chatter(3.0, lambda t, h: ml(t, h, "locationd", 82, f"Location icon should now be in state '{rng.choice(['Active', 'Inactive'])}'", "locationd"))
    chatter(0.8, lambda t, h: ml(t, h, "Safari", 2211, "KeychainGetICDPStatus: keychain: -25300", "safari_icdp"))
    chatter(0.6, lambda t, h: ml(t, h, "com.apple.AddressBook.InternetAccountsBridge", rng.randint(2000, 9000), "Daemon connection invalidated!",
                                 "ab_bridge"))
    chatter(2.5, lambda t, h: ml(t, h, "kernel", 0, f"ARPT: {arpt(t)}: wl0: Roamed or switched channel, reason #{rng.choice([4, 8])}, bssid "
                                                  f"{':'.join(f'{rng.randint(0, 255):02x}' for _ in range(6))}, last RSSI {-rng.randint(48, 77)}", "arpt_roam"))
    chatter(2.0, lambda t, h: ml(t, h, "com.apple.WebKit.WebContent", rng.randint(2000, 9900),
                                 f"[{rng.randint(10, 59)}:{rng.randint(10, 59)}.{rng.randint(100, 999)}] <<<< CRABS >>>> crabsFlumeHostAvailable: "
                                 f"[0x7f9{hexs(rng, 9)}] Byte flume reports host available again.", "webkit_crabs"))
    chatter(3.0, lambda t, h: ml(t, h, "kernel", 0, "IO80211AWDLPeerManager::setAwdlSuspendedMode() Suspending AWDL, enterQuietMode(true)",
                                 "awdl_suspend"))
    chatter(3.0, lambda t, h: ml(t, h, "com.apple.cts", 43,
                                 f"com.apple.suggestions.harvest: scheduler_evaluate_activity told me to run this job; however, but the start time "
                                 f"isn't for {rng.randint(60, 900)} seconds.  Ignoring.", "cts_ignore"))
    chatter(2.0, lambda t, h: ml(t, h, "secd", 276, "SOSAccountThisDeviceCanSyncWithCircle sync with device failure: not in circle", "secd_sos"))
    chatter(1.5, lambda t, h: ml(t, h, "CalendarAgent", 279,
                                 "[com.apple.calendar.store.log.caldav.coredav] [Refusing to parse response to PROPPATCH because of content-type: "
                                 "[text/html; charset=UTF-8].]", "calendar_proppatch"))
    return L.build()


MAC_PROBLEM = r"[Ff]ailed|[Ee]rror|Link Down|AuthFail|Frequent transitions|Hit by torpedo|-1009"
MAC_CHATTER = r"^Libnotify: |Reason 8 \(Disassociated because station leaving\)"


def questions_mac(facts):
    def problems(since, until):
        return [{"msg": MAC_PROBLEM, "not_msg": MAC_CHATTER, "since": since, "until": until}]

    return [
        q("broad",
          "my wifi dies everytime i open the laptop at the office, started yesterday. what went wrong between 14:35 and 14:45 on jul 10?",
          ["-25308", "802.1X"],
          problems("2017-07-10T14:35:00-04:00", "2017-07-10T14:45:00-04:00")),
        q("paraphrase",
          "so after a wake the thing that signs me onto the office network gets blocked from my keychain until i type my password?",
          ["-25308", "User interaction is not allowed"],
          {"field": {"component": "eapolclient"}, "msg": r"SecKeyRawSign failed"}),
        q("lexical",
          "corecaptured keeps saving captures with 'reason = AuthFail:sts:0_rsn:23'. how many times, and what does the kernel say right then",
          ["AuthFail", "802.1X authentication failed"],
          [{"msg": r"AuthFail:sts:0_rsn:23"}, {"msg": r"Reason 23 \(IEEE 802\.1X"}]),
        q("paraphrase",
          "did IT push anything to this laptop right before it started? seems to be only since yesterday afternoon",
          [M_PROFILE, "EAP-TLS"],
          {"field": {"component": "mdmclient"}, "msg": r"InstallProfile|Installed configuration profile", "until": "2017-07-10T14:00:00-04:00"}),
        q("lexical",
          f"IT re-pushed {M_PROFILE} around 11:20 today. what does eapolclient say since then, incl when it came back from the 11:45 nap?",
          ["system mode", "Authenticated"],
          [{"field": {"component": "eapolclient"}, "since": "2017-07-11T11:15:00-04:00"},
           {"msg": re.escape(M_PROFILE), "since": "2017-07-11T11:00:00-04:00"}]),
        q("broad",
          "unrelated: time machine says it hasnt backed up in days. anything wrong overnight between 01:00 and 03:00 on the 11th?",
          ["sparsebundle", "error 20"],
          problems("2017-07-11T01:00:00-04:00", "2017-07-11T03:00:00-04:00")),
    ]


# =============================================================================================
# Question specs, rules and checks


def q(style, ask, mentions, rule):
    assert style in STYLES, style
    return {"style": style, "ask": ask, "mentions": mentions, "rule": rule}


SYSTEMS = [
    {
        "id": "j-thunderbird",
        "title": "Thunderbird: IB cable to bn251 (ISR9024-R17-L2 port 9) flaps all night; xhpl run dies twice on VAPI_RETRY_EXC_ERR; en74 panics on a machine check",
        "gen": gen_tbird,
        "facts": facts_tbird,
        "questions": questions_tbird,
    },
    {
        "id": "j-hpc",
        "title": "HPC cluster: chassis 2 fan tray under node-D5 fails, node-176..183 overheat and power off; storage3 loses its server for half an hour",
        "gen": gen_hpc,
        "facts": facts_hpc,
        "questions": questions_hpc,
    },
    {
        "id": "j-macos",
        "title": "MacBook: EAP-TLS profile in user mode breaks office Wi-Fi after every wake (-25308); Time Machine cannot attach its sparsebundle",
        "gen": gen_mac,
        "facts": lambda recs: {},
        "questions": questions_mac,
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
        assert re.fullmatch(r"j-[a-z0-9-]+", sid), sid
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
                print(f"   mentions: {qd['mentions']}")
                for n in lines:
                    r = records[n - 1]
                    who = r.get("host") or r.get("node") or ""
                    comp = r.get("component", "")
                    print(f"  {n:5d} {r['timestamp']} {who} {comp} | {r['message'].splitlines()[0][:150]}")
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

    print(f"{'incident':14s} {'style':10s} {'lines':>5s} {'msgs':>4s} {'ceil':>5s}  ask")
    for sid, style, n, distinct, ceil, ask in table:
        print(f"{sid:14s} {style:10s} {n:5d} {distinct:4d} {ceil:5.3f}  {ask}")
    print()
    for p in written:
        print(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(out).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

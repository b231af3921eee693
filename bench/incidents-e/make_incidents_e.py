#!/usr/bin/env python3
"""Build the "incidents-e" evaluation set: synthetic logs of three systems, each with one on-call
Slack thread of six questions.

Usage: python3 make_incidents_e.py [--out DIR] [--show]

  --out   where to write; default: the folder of this script.
  --show  print every turn's relevant lines and write nothing.

Writes <out>/e-<system>/logs.jsonl, <out>/e-<system>/incident.json for each system and
<out>/questions.json (the style of every turn, for shared/spec/score_replay.py --questions).
Standard library only. Every random choice comes from random.Random with a fixed seed per system,
so a second run rewrites identical bytes.

The logs are GENERATED here (nothing is copied from real systems); they imitate the formats of the
real software:

  e-openstack  nova-api / nova-scheduler / nova-conductor / nova-compute (oslo.log style), UTC.
               Fault: on 2024-03-05 at 14:07 the libvirt connection of compute node cmp-09 drops;
               builds sent there fail to spawn and are rescheduled; the other nodes are too full
               for large flavors, so new instances end in "No valid host was found" until libvirt
               is back at 15:40.
  e-postgres   a PostgreSQL server log (prefix "%m [%p] %q%u@%d/%a", one record per line, so
               DETAIL / HINT / CONTEXT / STATEMENT are records of their own), America/New_York
               (-05:00). Faults: on 2024-02-13 from 11:41 a rollout of orders-api opens a wave of
               connections: "remaining connection slots are reserved ..." then "sorry, too many
               clients already", until a DBA terminates idle BI sessions at 11:52. Separately, on
               2024-02-14 at 03:17 and 03:24 two stock-sync workers deadlock on stock_levels.
  e-checkout   JSON logs of checkout -> payments -> inventory pods with unusual field names (svc,
               pod, ver, trace, cust, http_status, dur_ms; level in lower case), UTC. Fault: on
               2024-04-18 payments 3.8.0 is rolled out at 15:02 with a DB pool of 5 connections;
               from 15:08 charges time out waiting for a connection and checkout returns 504 for
               the same traces, until the rollback to 3.7.4 at 15:38.

Three question styles, six turns per system (2 + 2 + 2), one Slack thread per system:

  broad       a time span or a host, "what went wrong / anything odd"; relevant = the problem lines
              of that span under the system's rule (PROBLEM_* below).
  lexical     names an exact token of the logs (an instance uuid, a pid, a trace id, a quoted
              phrase); relevant = the lines that answer the question about it.
  paraphrase  the engineer's own words for something the logs say in jargon; the ask shares no
              content word with its relevant lines (the script prints any it finds, and any ask word
              whose first four letters start a word of those lines, such as lose / lost).

Relevant lines are never listed by hand. A rule selects them; a rule is a dict (or a list of dicts,
whose selections are united), and every condition of a dict must hold for a line:

  msg      regex searched in `message`
  not_msg  regex that must NOT be found in `message`
  field    {name: regex}, each fully matched against str(record[name])
  since    ISO 8601 time; the record's timestamp must be >= it
  until    ISO 8601 time; the record's timestamp must be < it
  follow   (PostgreSQL) also take the DETAIL / HINT / CONTEXT / STATEMENT records that directly
           follow a selected line with the same pid (the server writes them right after it)

Checks before anything is written: every log line has timestamp and message, timestamps do not
decrease, every turn selects 1..MAX_LINES lines, every mention occurs (case-insensitively) in some
field of a relevant line, each system has >= 25 message templates and 1500..2500 lines, styles are
balanced, no ask repeats.
"""

import argparse
import json
import random
import re
import sys
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20240305
UTC = UTC
EST = timezone(timedelta(hours=-5))  # America/New_York in February

STYLES = ("broad", "lexical", "paraphrase")
MIN_LINES, MAX_LINES = 1, 40
PER_STYLE_PER_SYSTEM = 2
MIN_TEMPLATES = 25
LINES_RANGE = (1500, 2500)


# ---------------------------------------------------------------------------------------------
# Small helpers shared by the three generators.


class Log:
    """Records collected in any order; sorted by time (stable) when finished."""

    def __init__(self, tz, zulu):
        self.tz, self.zulu = tz, zulu
        self.items = []

    def add(self, t, tpl, rec):
        assert t.tzinfo is not None
        self.items.append((t, len(self.items), tpl, rec))

    def finish(self):
        items = sorted(self.items, key=lambda x: (x[0], x[1]))
        records, templates = [], []
        for t, _, tpl, rec in items:
            ts = t.astimezone(self.tz).isoformat(timespec="milliseconds")
            if self.zulu:
                assert ts.endswith("+00:00")
                ts = ts[:-6] + "Z"
            out = {"timestamp": ts}
            out.update(rec)
            records.append(out)
            templates.append(tpl)
        return records, templates


def hexid(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uuid4(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def alnum(rng, n, alphabet="bcdfghjklmnpqrstvwxz2456789"):
    return "".join(rng.choice(alphabet) for _ in range(n))


def arrivals(rng, start, end, per_hour, peak):
    """Poisson arrivals with a time-varying rate per_hour(t) <= peak (thinning)."""
    out, t = [], start
    while True:
        t = t + timedelta(hours=rng.expovariate(peak))
        if t >= end:
            return out
        if rng.random() < per_hour(t) / peak:
            out.append(t)


def sec(s):
    return timedelta(seconds=s)


def at(tz, y, mo, d, h, mi, s=0.0):
    whole = int(s)
    return datetime(y, mo, d, h, mi, whole, int(round((s - whole) * 1e6)), tzinfo=tz)


# ---------------------------------------------------------------------------------------------
# e-openstack


OS_A = "5f3c1d2e-8b7a-4c69-9e21-7d4a0b6c3f18"  # first build that dies on cmp-09 (lexical turn)
OS_I = "b81f0c9d-2e47-4a5b-8c3e-61d9f7a2e054"  # first build on cmp-09 after libvirt is back


def gen_openstack():
    rng = random.Random(SEED + 1)
    L = Log(UTC, True)
    start = at(UTC, 2024, 3, 5, 6, 0, 3.118)
    end = at(UTC, 2024, 3, 6, 7, 30)
    out_start = at(UTC, 2024, 3, 5, 14, 7, 31.204)  # libvirt connection lost on cmp-09
    out_end = at(UTC, 2024, 3, 5, 15, 40, 58.317)  # libvirtd restarted, nova reconnects

    ctls = ["ctl-01", "ctl-02"]
    computes = ["cmp-07", "cmp-08", "cmp-09", "cmp-10", "cmp-11", "cmp-12"]
    api_pids = {"ctl-01": [2871, 2874, 2877, 2880], "ctl-02": [2903, 2906, 2911, 2915]}
    sched_pid = {"ctl-01": 2733, "ctl-02": 2741}
    cond_pid = {"ctl-01": 2690, "ctl-02": 2702}
    comp_pid = {
        "cmp-07": 3514,
        "cmp-08": 3498,
        "cmp-09": 3527,
        "cmp-10": 3503,
        "cmp-11": 3519,
        "cmp-12": 3531,
    }
    dom = "cloud.internal"

    def node(h):
        return f"{h}.{dom}"

    def rec(t, tpl, level, comp, host, logger, msg):
        if comp == "nova-api":
            pid = rng.choice(api_pids[host])
        elif comp == "nova-scheduler":
            pid = sched_pid[host]
        elif comp == "nova-conductor":
            pid = cond_pid[host]
        else:
            pid = comp_pid[host]
        L.add(
            t,
            tpl,
            {"level": level, "component": comp, "host": host, "pid": pid, "logger": logger, "message": msg},
        )

    projects = []
    for _ in range(6):
        projects.append({"id": hexid(rng, 32), "users": [hexid(rng, 32) for _ in range(rng.randint(1, 2))]})
    admin = {"id": hexid(rng, 32), "users": [hexid(rng, 32)]}
    clients = [
        "10.0.2.41",
        "10.0.2.57",
        "10.0.3.12",
        "172.16.40.8",
        "172.16.40.23",
        "10.0.2.63",
        "172.16.41.5",
    ]
    flavors = {
        "m1.small": (2048, 20, 1),
        "m1.medium": (4096, 40, 2),
        "m1.large": (8192, 80, 4),
        "m1.xlarge": (16384, 160, 8),
    }
    images = [(uuid4(rng), hexid(rng, 40)) for _ in range(4)]
    services = {h: uuid4(rng) for h in computes}

    def req():
        return "req-" + uuid4(rng)

    def uctx(r, p, u=None):
        return f"[{r} {u or p['users'][0]} {p['id']} - default default]"

    def sctx(r):
        return f"[{r} - - - - -]"

    def api(t, method, path, status, length, p=None, r=None, ctl=None, tm=None):
        r = r or req()
        ctl = ctl or rng.choice(ctls)
        ctx = uctx(r, p, rng.choice(p["users"])) if p else sctx(r)
        tm = tm if tm is not None else rng.uniform(0.03, 0.45)
        msg = f'{ctx} {rng.choice(clients)} "{method} {path} HTTP/1.1" status: {status} len: {length} time: {tm:.7f}'
        rec(t, "wsgi access line", "INFO", "nova-api", ctl, "nova.osapi_compute.wsgi.server", msg)
        return r

    instances = []  # dicts: uuid, proj, host, flavor, born, died (None while it exists)
    for _ in range(44):
        h = rng.choice(computes)
        instances.append(
            {
                "uuid": uuid4(rng),
                "proj": rng.choice(projects),
                "host": h,
                "flavor": rng.choice(list(flavors)),
                "born": start - timedelta(days=9),
                "died": None,
            }
        )

    def alive(t, i):
        return i["born"] + sec(60) < t and (i["died"] is None or t < i["died"])

    # --- build flows -------------------------------------------------------------------------
    def claim(t, host, inst, r, p):
        ram, disk, vcpu = flavors[inst["flavor"]]
        ctx = uctx(r, p)
        rec(
            t,
            "claim attempt",
            "INFO",
            "nova-compute",
            host,
            "nova.compute.claims",
            f"{ctx} [instance: {inst['uuid']}] Attempting claim on node {node(host)}: memory {ram} MB, "
            f"disk {disk} GB, vcpus {vcpu} CPU",
        )
        t += sec(rng.uniform(0.01, 0.04))
        rec(
            t,
            "claim ok",
            "INFO",
            "nova-compute",
            host,
            "nova.compute.claims",
            f"{ctx} [instance: {inst['uuid']}] Claim successful on node {node(host)}",
        )
        t += sec(rng.uniform(0.9, 2.2))
        rec(
            t,
            "creating image",
            "INFO",
            "nova-compute",
            host,
            "nova.virt.libvirt.driver",
            f"{ctx} [instance: {inst['uuid']}] Creating image",
        )
        return t

    def spawn_ok(t, host, inst, r, p, t_req):
        t = claim(t, host, inst, r, p)
        u = inst["uuid"]
        t += sec(rng.uniform(6.0, 14.0))
        ev = req()
        rec(
            t,
            "lifecycle started",
            "INFO",
            "nova-compute",
            host,
            "nova.compute.manager",
            f"{sctx(ev)} [instance: {u}] VM Started (Lifecycle Event)",
        )
        t += sec(rng.uniform(0.02, 0.09))
        rec(
            t,
            "lifecycle resumed",
            "INFO",
            "nova-compute",
            host,
            "nova.compute.manager",
            f"{sctx(ev)} [instance: {u}] VM Resumed (Lifecycle Event)",
        )
        t += sec(rng.uniform(0.05, 0.2))
        rec(
            t,
            "pending task skip",
            "INFO",
            "nova-compute",
            host,
            "nova.compute.manager",
            f"{sctx(ev)} [instance: {u}] During sync_power_state the instance has a pending task (spawning). Skip.",
        )
        t += sec(rng.uniform(0.2, 0.6))
        rec(
            t,
            "spawned",
            "INFO",
            "nova-compute",
            host,
            "nova.virt.libvirt.driver",
            f"[-] [instance: {u}] Instance spawned successfully.",
        )
        spawn_s = rng.uniform(8.5, 16.0)
        t += sec(rng.uniform(0.005, 0.02))
        rec(
            t,
            "took spawn",
            "INFO",
            "nova-compute",
            host,
            "nova.compute.manager",
            f"{uctx(r, p)} [instance: {u}] Took {spawn_s:.2f} seconds to spawn the instance on the hypervisor.",
        )
        t += sec(rng.uniform(0.1, 0.3))
        build_s = (t - t_req).total_seconds()
        rec(
            t,
            "took build",
            "INFO",
            "nova-compute",
            host,
            "nova.compute.manager",
            f"{uctx(r, p)} [instance: {u}] Took {build_s:.2f} seconds to build instance.",
        )
        inst["host"] = host
        inst["born"], inst["died"] = t, None
        instances.append(inst)
        return t

    def post_servers(t, p):
        r = req()
        api(t, "POST", f"/v2.1/{p['id']}/servers", 202, rng.randint(810, 840), p, r, tm=rng.uniform(0.6, 1.4))
        return r

    def polls(t, inst, n, status=200):
        for _ in range(n):
            t += sec(rng.uniform(2.5, 9.0))
            api(
                t,
                "GET",
                f"/v2.1/{inst['proj']['id']}/servers/{inst['uuid']}",
                status,
                rng.randint(1690, 2140),
                inst["proj"],
            )

    def pick_host(flavor, t):
        big = flavor in ("m1.large", "m1.xlarge")
        if big:
            return "cmp-09"  # the only node with room for 8 GB+ flavors
        ok = [h for h in computes if not (out_start <= t < out_end + sec(600) and h == "cmp-09")]
        return rng.choice(ok)

    def boot(t, flavor=None, p=None, u=None, host=None):
        p = p or rng.choice(projects)
        flavor = flavor or rng.choices(list(flavors), weights=[4, 4, 2, 1])[0]
        inst = {"uuid": u or uuid4(rng), "proj": p, "flavor": flavor}
        r = post_servers(t, p)
        host = host or pick_host(flavor, t)
        t1 = spawn_ok(t + sec(rng.uniform(0.6, 1.5)), host, inst, r, p, t)
        polls(t, inst, rng.randint(1, 3))
        return t1

    TRACE_SPAWN = (
        "Traceback (most recent call last):\n"
        '  File "/usr/lib/python3/dist-packages/nova/compute/manager.py", line 2743, in _build_resources\n'
        "    yield resources\n"
        '  File "/usr/lib/python3/dist-packages/nova/compute/manager.py", line 2503, in _build_and_run_instance\n'
        "    self.driver.spawn(context, instance, image_meta,\n"
        '  File "/usr/lib/python3/dist-packages/nova/virt/libvirt/driver.py", line 4356, in spawn\n'
        "    self._create_guest_with_network(\n"
        '  File "/usr/lib/python3/dist-packages/nova/virt/libvirt/driver.py", line 7353, in _create_guest\n'
        "    guest = libvirt_guest.Guest.create(xml, self._host)\n"
        '  File "/usr/lib/python3/dist-packages/nova/virt/libvirt/host.py", line 1158, in write_instance_config\n'
        "    domain = self.get_connection().defineXML(xml)\n"
        '  File "/usr/lib/python3/dist-packages/nova/virt/libvirt/host.py", line 611, in get_connection\n'
        "    raise exception.HypervisorUnavailable()\n"
        "nova.exception.HypervisorUnavailable: Connection to the hypervisor is broken on host: cmp-09"
    )
    HV_BROKEN = "nova.exception.HypervisorUnavailable: Connection to the hypervisor is broken on host: cmp-09"

    def no_valid_host(t, inst, r, p, filters):
        ctl = rng.choice(ctls)
        rec(
            t,
            "filtering removed all",
            "INFO",
            "nova-scheduler",
            ctl,
            "nova.filters",
            f"{uctx(r, p)} Filtering removed all hosts for the request with instance ID '{inst['uuid']}'. "
            f"Filter results: {filters}",
        )
        t += sec(rng.uniform(0.02, 0.08))
        ctl = rng.choice(ctls)
        rec(
            t,
            "no valid host",
            "WARNING",
            "nova-conductor",
            ctl,
            "nova.scheduler.utils",
            f"{uctx(r, p)} Failed to compute_task_build_instances: No valid host was found. "
            "There are not enough hosts available.",
        )
        t += sec(rng.uniform(0.01, 0.05))
        rec(
            t,
            "set error state",
            "WARNING",
            "nova-conductor",
            ctl,
            "nova.scheduler.utils",
            f"{uctx(r, p)} [instance: {inst['uuid']}] Setting instance to ERROR state.",
        )
        return t

    def fail_on_cmp09(t, flavor, p, u=None):
        """Scheduled to cmp-09 while its libvirt connection is down: spawn fails, reschedule."""
        inst = {"uuid": u or uuid4(rng), "proj": p, "flavor": flavor}
        r = post_servers(t, p)
        t1 = claim(t + sec(rng.uniform(0.6, 1.5)), "cmp-09", inst, r, p)
        t1 += sec(rng.uniform(0.3, 0.9))
        rec(
            t1,
            "libvirt connect failed",
            "WARNING",
            "nova-compute",
            "cmp-09",
            "nova.virt.libvirt.host",
            f"{uctx(r, p)} Connection to libvirt failed: Failed to connect socket to "
            "'/var/run/libvirt/libvirt-sock': Connection refused",
        )
        t1 += sec(rng.uniform(0.01, 0.05))
        rec(
            t1,
            "failed to spawn",
            "ERROR",
            "nova-compute",
            "cmp-09",
            "nova.compute.manager",
            f"{uctx(r, p)} [instance: {inst['uuid']}] Instance failed to spawn: {HV_BROKEN}\n{TRACE_SPAWN}",
        )
        t1 += sec(rng.uniform(0.02, 0.1))
        rec(
            t1,
            "terminating",
            "INFO",
            "nova-compute",
            "cmp-09",
            "nova.compute.manager",
            f"{uctx(r, p)} [instance: {inst['uuid']}] Terminating instance",
        )
        t1 += sec(rng.uniform(0.3, 0.9))
        rec(
            t1,
            "rescheduled",
            "INFO",
            "nova-compute",
            "cmp-09",
            "nova.compute.manager",
            f"{uctx(r, p)} [instance: {inst['uuid']}] Build of instance {inst['uuid']} was re-scheduled: "
            "Connection to the hypervisor is broken on host: cmp-09",
        )
        t1 += sec(rng.uniform(0.2, 0.6))
        return inst, r, t1

    def fail_reschedule_none(t, flavor, p, u=None):
        inst, r, t1 = fail_on_cmp09(t, flavor, p, u)
        no_valid_host(
            t1,
            inst,
            r,
            p,
            "['RetryFilter: (start: 6, end: 5)', 'AvailabilityZoneFilter: (start: 5, end: 5)', "
            "'ComputeFilter: (start: 5, end: 5)', 'RamFilter: (start: 5, end: 0)']",
        )
        polls(t, inst, 3)

    def fail_disabled(t, flavor, p):
        inst = {"uuid": uuid4(rng), "proj": p, "flavor": flavor}
        r = post_servers(t, p)
        no_valid_host(
            t + sec(rng.uniform(0.4, 1.1)),
            inst,
            r,
            p,
            "['RetryFilter: (start: 6, end: 6)', 'AvailabilityZoneFilter: (start: 6, end: 6)', "
            "'ComputeFilter: (start: 6, end: 5)', 'RamFilter: (start: 5, end: 0)']",
        )
        polls(t, inst, 2)

    # --- the fault -----------------------------------------------------------------------------
    t = out_start
    rec(
        t,
        "libvirt broke",
        "WARNING",
        "nova-compute",
        "cmp-09",
        "nova.virt.libvirt.host",
        "[-] Connection to libvirt broke: internal error: connection closed due to keepalive timeout",
    )
    rec(
        t + sec(0.032),
        "conn event",
        "INFO",
        "nova-compute",
        "cmp-09",
        "nova.virt.libvirt.host",
        "[-] Connection event '0' reason 'Connection to libvirt lost: 1'",
    )
    rec(
        t + sec(60.036),
        "cannot update service",
        "WARNING",
        "nova-compute",
        "cmp-09",
        "nova.virt.libvirt.driver",
        '[-] Cannot update service status on host "cmp-09" due to an unexpected exception.: '
        "oslo_messaging.exceptions.MessagingTimeout: Timed out waiting for a reply to message ID "
        + hexid(rng, 32),
    )
    pml, pweb, pci = projects[0], projects[1], projects[2]
    fail_reschedule_none(at(UTC, 2024, 3, 5, 14, 9, 12.418), "m1.xlarge", pml, OS_A)
    fail_reschedule_none(at(UTC, 2024, 3, 5, 14, 16, 40.771), "m1.large", pweb)
    # a small flavor fails on cmp-09 and is rescheduled onto cmp-11, where it builds fine
    inst, r, t1 = fail_on_cmp09(at(UTC, 2024, 3, 5, 14, 23, 10.052), "m1.small", pci)
    spawn_ok(t1 + sec(0.8), "cmp-11", inst, r, pci, at(UTC, 2024, 3, 5, 14, 23, 10.052))
    fail_reschedule_none(at(UTC, 2024, 3, 5, 14, 27, 55.309), "m1.xlarge", pml)
    # the on-call disables the nova-compute service of cmp-09 by hand ...
    api(
        at(UTC, 2024, 3, 5, 14, 31, 20.644),
        "PUT",
        f"/v2.1/{admin['id']}/os-services/{services['cmp-09']}",
        200,
        389,
        admin,
        ctl="ctl-02",
    )
    fail_disabled(at(UTC, 2024, 3, 5, 14, 44, 10.187), "m1.large", projects[3])
    fail_disabled(at(UTC, 2024, 3, 5, 15, 2, 30.925), "m1.xlarge", pml)
    boot(at(UTC, 2024, 3, 5, 15, 15, 40.338), "m1.small", projects[4], host="cmp-07")
    fail_disabled(at(UTC, 2024, 3, 5, 15, 28, 5.501), "m1.large", pweb)
    # libvirtd restarted on cmp-09; nova reconnects
    t = out_end
    rec(
        t,
        "conn event",
        "INFO",
        "nova-compute",
        "cmp-09",
        "nova.virt.libvirt.host",
        "[-] Connection event '1' reason 'None'",
    )
    # ... and enables it again
    api(
        at(UTC, 2024, 3, 5, 15, 44, 31.07),
        "PUT",
        f"/v2.1/{admin['id']}/os-services/{services['cmp-09']}",
        200,
        388,
        admin,
        ctl="ctl-01",
    )
    boot(at(UTC, 2024, 3, 5, 15, 52, 18.226), "m1.xlarge", pml, OS_I, host="cmp-09")
    boot(at(UTC, 2024, 3, 5, 16, 5, 2.95), "m1.large", pweb, host="cmp-09")
    # periodic tasks on cmp-09 fail while libvirt is away
    for mm in ((14, 21, 5.31), (14, 51, 5.77), (15, 21, 6.02)):
        t = at(UTC, 2024, 3, 5, *mm)
        r = req()
        rec(
            t,
            "audit",
            "INFO",
            "nova-compute",
            "cmp-09",
            "nova.compute.resource_tracker",
            f"{sctx(r)} Auditing locally available compute resources for cmp-09 (node: {node('cmp-09')})",
        )
        rec(
            t + sec(0.011),
            "error updating resources",
            "ERROR",
            "nova-compute",
            "cmp-09",
            "nova.compute.manager",
            f"{sctx(r)} Error updating resources for node {node('cmp-09')}.: {HV_BROKEN}",
        )
    for mm in ((14, 24, 50.6), (15, 24, 51.2)):
        rec(
            at(UTC, 2024, 3, 5, *mm),
            "periodic error",
            "ERROR",
            "nova-compute",
            "cmp-09",
            "oslo_service.periodic_task",
            f"{sctx(req())} Error during ComputeManager._sync_power_states: {HV_BROKEN}",
        )

    # --- background: builds and deletes --------------------------------------------------------
    def busy(t):
        return 7 <= t.hour < 20

    quiet = (out_start - sec(300), out_end + sec(1500))
    for t in arrivals(rng, start, end, lambda t: 2.2 if busy(t) else 0.5, 2.2):
        if quiet[0] <= t < quiet[1]:
            continue
        boot(t)

    # a build on cmp-10 whose port cannot be bound (neutron trouble, not the fault)
    t = at(UTC, 2024, 3, 5, 9, 41, 27.03)
    p = projects[5]
    inst = {"uuid": uuid4(rng), "proj": p, "flavor": "m1.medium"}
    port = uuid4(rng)
    r = post_servers(t, p)
    t1 = claim(t + sec(1.1), "cmp-10", inst, r, p)
    bind = f"Binding failed for port {port}, please check neutron logs for more information."
    rec(
        t1 + sec(2.4),
        "failed to spawn",
        "ERROR",
        "nova-compute",
        "cmp-10",
        "nova.compute.manager",
        f"{uctx(r, p)} [instance: {inst['uuid']}] Instance failed to spawn: nova.exception.PortBindingFailed: {bind}\n"
        "Traceback (most recent call last):\n"
        '  File "/usr/lib/python3/dist-packages/nova/compute/manager.py", line 2503, in _build_and_run_instance\n'
        "    self.driver.spawn(context, instance, image_meta,\n"
        '  File "/usr/lib/python3/dist-packages/nova/network/neutron.py", line 1507, in _update_ports_for_instance\n'
        "    raise exception.PortBindingFailed(port_id=port_id)\n"
        f"nova.exception.PortBindingFailed: {bind}",
    )
    rec(
        t1 + sec(2.5),
        "terminating",
        "INFO",
        "nova-compute",
        "cmp-10",
        "nova.compute.manager",
        f"{uctx(r, p)} [instance: {inst['uuid']}] Terminating instance",
    )
    rec(
        t1 + sec(3.2),
        "build aborted",
        "ERROR",
        "nova-compute",
        "cmp-10",
        "nova.compute.manager",
        f"{uctx(r, p)} [instance: {inst['uuid']}] Build of instance {inst['uuid']} aborted: {bind}",
    )
    polls(t, inst, 2)

    for t in arrivals(rng, start, end, lambda t: 1.3 if busy(t) else 0.3, 1.3):
        cands = [i for i in instances if i["uuid"] != OS_I and alive(t, i)]
        if not cands:
            continue
        i = cands[rng.randrange(len(cands))]
        if i["host"] == "cmp-09" and quiet[0] <= t < quiet[1]:
            continue
        i["died"] = t
        p, h, u = i["proj"], i["host"], i["uuid"]
        r = req()
        api(t, "DELETE", f"/v2.1/{p['id']}/servers/{u}", 204, 0, p, r, tm=rng.uniform(0.15, 0.4))
        t1 = t + sec(rng.uniform(0.3, 0.9))
        rec(
            t1,
            "terminating",
            "INFO",
            "nova-compute",
            h,
            "nova.compute.manager",
            f"{uctx(r, p)} [instance: {u}] Terminating instance",
        )
        t1 += sec(rng.uniform(0.4, 1.2))
        rec(
            t1,
            "lifecycle stopped",
            "INFO",
            "nova-compute",
            h,
            "nova.compute.manager",
            f"{sctx(req())} [instance: {u}] VM Stopped (Lifecycle Event)",
        )
        rec(
            t1 + sec(0.01),
            "destroyed",
            "INFO",
            "nova-compute",
            h,
            "nova.virt.libvirt.driver",
            f"[-] [instance: {u}] Instance destroyed successfully.",
        )
        t1 += sec(rng.uniform(0.2, 0.5))
        rec(
            t1,
            "deleting files",
            "INFO",
            "nova-compute",
            h,
            "nova.virt.libvirt.driver",
            f"{uctx(r, p)} [instance: {u}] Deleting instance files /var/lib/nova/instances/{u}_del",
        )
        t1 += sec(rng.uniform(0.05, 0.3))
        rec(
            t1,
            "deletion complete",
            "INFO",
            "nova-compute",
            h,
            "nova.virt.libvirt.driver",
            f"{uctx(r, p)} [instance: {u}] Deletion of /var/lib/nova/instances/{u}_del complete",
        )
        t1 += sec(0.002)
        rec(
            t1,
            "took destroy",
            "INFO",
            "nova-compute",
            h,
            "nova.compute.manager",
            f"{uctx(r, p)} [instance: {u}] Took {rng.uniform(0.4, 1.6):.2f} seconds to destroy the instance on the hypervisor.",
        )
        t1 += sec(rng.uniform(0.4, 1.5))
        rec(
            t1,
            "took dealloc",
            "INFO",
            "nova-compute",
            h,
            "nova.compute.manager",
            f"{uctx(r, p)} [instance: {u}] Took {rng.uniform(0.5, 2.2):.2f} seconds to deallocate network for instance.",
        )

    # --- background: API traffic -----------------------------------------------------------------
    for t in arrivals(rng, start, end, lambda t: 30 if busy(t) else 8, 30):
        p = rng.choice(projects)
        k = rng.random()
        if k < 0.40:
            api(
                t,
                "GET",
                f"/v2.1/{p['id']}/servers/detail",
                200,
                rng.randint(1500, 28000),
                p,
                tm=rng.uniform(0.12, 0.95),
            )
        elif k < 0.62:
            mine = [i for i in instances if i["proj"] is p and alive(t, i)]
            if not mine:
                continue
            i = rng.choice(mine)
            api(t, "GET", f"/v2.1/{p['id']}/servers/{i['uuid']}", 200, rng.randint(1690, 2140), p)
        elif k < 0.70:
            api(t, "GET", f"/v2.1/{p['id']}/flavors/detail", 200, 2843, p)
        elif k < 0.76:
            api(t, "GET", f"/v2.1/{p['id']}/os-keypairs", 200, rng.randint(610, 1900), p)
        elif k < 0.82:
            api(t, "GET", f"/v2.1/{p['id']}/limits", 200, 553, p)
        elif k < 0.88:
            api(t, "GET", "/v2.1/", 200, 393)
        elif k < 0.93:
            api(t, "GET", f"/v2.1/{p['id']}/os-availability-zone", 200, 156, p)
        elif k < 0.965 and [i for i in instances if i["died"] and i["died"] + sec(300) < t]:
            i = rng.choice([i for i in instances if i["died"] and i["died"] + sec(300) < t])
            r = req()
            ctl = rng.choice(ctls)
            api(t, "GET", f"/v2.1/{i['proj']['id']}/servers/{i['uuid']}", 404, 285, i["proj"], r, ctl)
            rec(
                t - sec(0.004),
                "http 404",
                "INFO",
                "nova-api",
                ctl,
                "nova.api.openstack.wsgi",
                f"{uctx(r, i['proj'])} HTTP exception thrown: Instance {i['uuid']} could not be found.",
            )
        else:
            api(t, "GET", f"/v2.1/{admin['id']}/os-hypervisors/detail", 200, rng.randint(5200, 5600), admin)

    # --- background: periodic tasks on the computes ------------------------------------------
    for k, h in enumerate(computes):
        t = start + sec(97 + 431 * k)
        while t < end:
            if not (h == "cmp-09" and out_start <= t < out_end):
                r = req()
                rec(
                    t,
                    "audit",
                    "INFO",
                    "nova-compute",
                    h,
                    "nova.compute.resource_tracker",
                    f"{sctx(r)} Auditing locally available compute resources for {h} (node: {node(h)})",
                )
                used = rng.randint(188000, 232000) if h == "cmp-09" else rng.randint(377900, 381200)
                vc = rng.randint(60, 118)
                rec(
                    t + sec(rng.uniform(0.4, 1.3)),
                    "final resource view",
                    "INFO",
                    "nova-compute",
                    h,
                    "nova.compute.resource_tracker",
                    f"{sctx(r)} Final resource view: name={node(h)} phys_ram=385636MB used_ram={used}MB "
                    f"phys_disk=3571GB used_disk={rng.randint(1400, 2900)}GB total_vcpus=64 used_vcpus={vc} "
                    "pci_stats=[]",
                )
            t += sec(3600 + rng.uniform(-20, 20))
        # image cache manager, every two hours
        t = start + sec(1250 + 613 * k)
        while t < end:
            if not (h == "cmp-09" and out_start <= t < out_end):
                r = req()
                used = rng.sample(images, 2)
                t1 = t
                for img, base in used:
                    rec(
                        t1,
                        "imagecache checking",
                        "INFO",
                        "nova-compute",
                        h,
                        "nova.virt.libvirt.imagecache",
                        f"{sctx(r)} image {img} at (/var/lib/nova/instances/_base/{base}): checking",
                    )
                    t1 += sec(rng.uniform(0.01, 0.05))
                rec(
                    t1,
                    "imagecache active",
                    "INFO",
                    "nova-compute",
                    h,
                    "nova.virt.libvirt.imagecache",
                    f"{sctx(r)} Active base files: "
                    + " ".join(f"/var/lib/nova/instances/_base/{b}" for _, b in used),
                )
                left = [b for _, b in images if b not in [x[1] for x in used]]
                x = rng.random()
                if x < 0.3:
                    rec(
                        t1 + sec(0.003),
                        "imagecache removable",
                        "INFO",
                        "nova-compute",
                        h,
                        "nova.virt.libvirt.imagecache",
                        f"{sctx(r)} Removable base files: /var/lib/nova/instances/_base/{left[0]}",
                    )
                    rec(
                        t1 + sec(0.004),
                        "imagecache too young",
                        "INFO",
                        "nova-compute",
                        h,
                        "nova.virt.libvirt.imagecache",
                        f"{sctx(r)} Base or swap file too young to remove: /var/lib/nova/instances/_base/{left[0]}",
                    )
                elif x < 0.42 and h == "cmp-12":
                    rec(
                        t1 + sec(0.003),
                        "imagecache unknown",
                        "WARNING",
                        "nova-compute",
                        h,
                        "nova.virt.libvirt.imagecache",
                        f"{sctx(r)} Unknown base file: /var/lib/nova/instances/_base/{hexid(rng, 40)}",
                    )
            t += sec(7200 + rng.uniform(-30, 30))

    # scheduler hears from the computes
    for t in arrivals(rng, start, end, lambda t: 2.2, 2.2):
        h = rng.choice(computes)
        if h == "cmp-09" and out_start <= t < out_end:
            continue
        rec(
            t,
            "synced instances",
            "INFO",
            "nova-scheduler",
            rng.choice(ctls),
            "nova.scheduler.host_manager",
            f"{sctx(req())} Successfully synced instances from host '{h}'.",
        )

    # --- background: warnings and errors that are not the fault ------------------------------
    for mm in ((5, 8, 30, 2.2), (5, 13, 30, 4.9), (5, 20, 30, 9.1), (6, 4, 30, 5.5)):
        rec(
            at(UTC, 2024, 3, *mm),
            "power sync mismatch",
            "WARNING",
            "nova-compute",
            "cmp-08",
            "nova.compute.manager",
            f"{sctx(req())} While synchronizing instance power states, found 17 instances in the database and "
            "18 instances on the hypervisor.",
        )
    for _ in range(5):
        t = start + sec(rng.uniform(3600, (end - start).total_seconds() - 3600))
        i = rng.choice([x for x in instances if alive(t, x)])
        if i["host"] == "cmp-09" and quiet[0] <= t < quiet[1]:
            continue
        rec(
            t,
            "unexpected event",
            "WARNING",
            "nova-compute",
            i["host"],
            "nova.compute.manager",
            f"{sctx(req())} [instance: {i['uuid']}] Received unexpected event network-vif-plugged-{uuid4(rng)} "
            "for instance with vm_state active and task_state None.",
        )
    for t in sorted(start + sec(rng.uniform(0, (end - start).total_seconds())) for _ in range(7)):
        ctl = rng.choice(ctls)
        rec(
            t,
            "auth failed",
            "WARNING",
            "nova-api",
            ctl,
            "keystonemiddleware.auth_token",
            "[-] Authorization failed for token",
        )
        p = rng.choice(projects)
        api(
            t + sec(0.006),
            "GET",
            f"/v2.1/{p['id']}/servers/detail",
            401,
            283,
            None,
            ctl=ctl,
            tm=rng.uniform(0.008, 0.02),
        )
    t = at(UTC, 2024, 3, 6, 3, 41, 9.87)  # an expired token at night
    rec(
        t,
        "auth failed",
        "WARNING",
        "nova-api",
        "ctl-02",
        "keystonemiddleware.auth_token",
        "[-] Authorization failed for token",
    )
    api(
        t + sec(0.005),
        "GET",
        f"/v2.1/{projects[4]['id']}/servers/detail",
        401,
        283,
        None,
        ctl="ctl-02",
        tm=0.0113,
    )
    for t in (
        at(UTC, 2024, 3, 5, 11, 2, 44.1),
        at(UTC, 2024, 3, 5, 17, 48, 3.7),
        at(UTC, 2024, 3, 6, 4, 55, 12.3),
    ):
        rec(
            t,
            "more disk than expected",
            "WARNING",
            "nova-scheduler",
            rng.choice(ctls),
            "nova.scheduler.host_manager",
            f"{sctx(req())} Host cmp-07 has more disk space than database expected (3571 GB > 3480 GB)",
        )
    # an instance on cmp-11 powers itself off
    t = at(UTC, 2024, 3, 5, 19, 2, 17.5)
    i = [x for x in instances if x["host"] == "cmp-11" and alive(t, x)][0]
    rec(
        t,
        "lifecycle stopped",
        "INFO",
        "nova-compute",
        "cmp-11",
        "nova.compute.manager",
        f"{sctx(req())} [instance: {i['uuid']}] VM Stopped (Lifecycle Event)",
    )
    rec(
        t + sec(0.2),
        "shutdown by itself",
        "WARNING",
        "nova-compute",
        "cmp-11",
        "nova.compute.manager",
        f"{sctx(req())} [instance: {i['uuid']}] Instance shutdown by itself. Calling the stop API. Current vm_state: "
        "active, current task_state: None, original DB power_state: 1, current VM power_state: 4",
    )
    # RabbitMQ node restarts: everyone reconnects
    for when, hosts in (
        (at(UTC, 2024, 3, 5, 10, 22, 41.0), [("nova-compute", "cmp-12")]),
        (
            at(UTC, 2024, 3, 6, 2, 13, 7.0),
            [("nova-conductor", "ctl-01"), ("nova-scheduler", "ctl-01"), ("nova-conductor", "ctl-02")],
        ),
    ):
        for comp, h in hosts:
            cid = uuid4(rng)
            t = when + sec(rng.uniform(0, 0.8))
            rec(
                t,
                "amqp unreachable",
                "ERROR",
                comp,
                h,
                "oslo.messaging._drivers.impl_rabbit",
                f"[-] [{cid}] AMQP server on 10.0.0.21:5672 is unreachable: [Errno 104] Connection reset by peer. "
                "Trying again in 1 seconds.: ConnectionResetError: [Errno 104] Connection reset by peer",
            )
            rec(
                t + sec(rng.uniform(1.05, 1.4)),
                "amqp reconnected",
                "INFO",
                comp,
                h,
                "oslo.messaging._drivers.impl_rabbit",
                f"[-] [{cid}] Reconnected to AMQP server on 10.0.0.21:5672 via [amqp] client with port "
                f"{rng.randint(33000, 60000)}.",
            )

    records, templates = L.finish()
    return records, templates, {"services": services}


# ---------------------------------------------------------------------------------------------
# e-postgres


def gen_postgres():
    rng = random.Random(SEED + 2)
    L = Log(EST, False)
    start = at(EST, 2024, 2, 12, 20, 0, 1.337)
    end = at(EST, 2024, 2, 14, 8, 30)
    used_pids = set()

    def pid_at(t):
        """Backend pids grow with time, as fork() hands them out."""
        p = 52000 + int((t - start).total_seconds() / 6.9)
        while p in used_pids:
            p += 1
        used_pids.add(p)
        return p

    CKPT, WALSND = 1842, 48113  # the autovacuum launcher is pid 1846

    def rec(t, tpl, level, pid, msg, user=None, db=None, app=None):
        r = {"level": level, "pid": pid}
        if user is not None:
            r["user"], r["db"], r["app"] = user, db, app
        r["message"] = msg
        L.add(t, tpl, r)

    sessions = []  # dicts: start, end, pid, user, db, app, ip

    def fmt_dur(s):
        h, rem = divmod(s, 3600)
        m, s2 = divmod(rem, 60)
        return f"{int(h)}:{int(m):02d}:{s2:06.3f}"

    SSL = " SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)"

    def session(
        t0, dur, user, db, app, ip, ssl=True, disconnect=True, pid=None, log_start=True, pinned=False
    ):
        """One backend's connect / authorize / disconnect lines. A pinned session belongs to a scenario and
        is never picked to end with a background failure."""
        pid = pid or pid_at(t0)
        port = rng.randint(32768, 60999)
        if log_start:
            rec(
                t0,
                "connection received",
                "LOG",
                pid,
                f"connection received: host={ip} port={port}",
                "[unknown]",
                "[unknown]",
                "[unknown]",
            )
            rec(
                t0 + sec(rng.uniform(0.004, 0.03)),
                "connection authorized",
                "LOG",
                pid,
                f"connection authorized: user={user} database={db} application_name={app}"
                + (SSL if ssl else ""),
                user,
                db,
                app,
            )
        t1 = t0 + sec(dur)
        if disconnect and t1 < end:
            rec(
                t1,
                "disconnection",
                "LOG",
                pid,
                f"disconnection: session time: {fmt_dur(dur)} user={user} database={db} host={ip} port={port}",
                user,
                db,
                app,
            )
        s = {
            "start": t0,
            "end": t1 if disconnect else end,
            "pid": pid,
            "user": user,
            "db": db,
            "app": app,
            "ip": ip,
            "pinned": pinned,
            "logged_end": disconnect and t1 < end,
            "ended_by": None,
        }
        sessions.append(s)
        return s

    def rejected(t, user, db, app, ip, msg):
        pid = pid_at(t)
        rec(
            t,
            "connection received",
            "LOG",
            pid,
            f"connection received: host={ip} port={rng.randint(32768, 60999)}",
            "[unknown]",
            "[unknown]",
            "[unknown]",
        )
        rec(t + sec(rng.uniform(0.002, 0.01)), "rejected " + msg[:12], "FATAL", pid, msg, user, db, app)

    facts = {}

    # --- deadlocks on 2024-02-14 (claimed first so their pids are fixed early) -----------------
    t0 = at(EST, 2024, 2, 14, 3, 0, 2.114)
    w1 = session(t0, 1871.42, "stock_sync", "orders", "stock-sync", "10.20.7.22", pinned=True)
    w2 = session(t0 + sec(0.41), 1869.95, "stock_sync", "orders", "stock-sync", "10.20.7.22", pinned=True)
    W1, W2 = w1["pid"], w2["pid"]
    facts["W1"], facts["W2"] = W1, W2
    upd = (
        "UPDATE stock_levels SET on_hand = on_hand - {q}, updated_at = now() WHERE sku = '{s}' AND "
        "warehouse_id = 2"
    )
    ctx_fmt = 'while updating tuple ({a},{b}) in relation "stock_levels"'

    def annotate(t, pid, who, pairs):
        for lvl, msg in pairs:
            t += sec(0.000001)
            rec(t, "annot " + lvl + " " + msg.split(" ")[0], lvl, pid, msg, *who)
        return t

    def deadlock(t, waiter, victim, xw, xv, sw, sv, tw, tv):
        """`waiter` blocks first on `victim`'s row; then `victim` blocks on `waiter`'s: deadlock."""
        ww = ("stock_sync", "orders", "stock-sync")
        st_w = upd.format(q=rng.randint(1, 4), s=sw)
        st_v = upd.format(q=rng.randint(1, 4), s=sv)
        t1 = t + sec(1.000087)
        rec(
            t1,
            "still waiting",
            "LOG",
            waiter,
            f"process {waiter} still waiting for ShareLock on transaction {xv} after 1000.087 ms",
            *ww,
        )
        annotate(
            t1,
            waiter,
            ww,
            [
                ("DETAIL", f"Process holding the lock: {victim}. Wait queue: {waiter}."),
                ("CONTEXT", ctx_fmt.format(a=tw[0], b=tw[1])),
                ("STATEMENT", st_w),
            ],
        )
        t2 = t + sec(1.3881) + sec(1.000112)
        rec(t2, "deadlock detected", "ERROR", victim, "deadlock detected", *ww)
        annotate(
            t2,
            victim,
            ww,
            [
                (
                    "DETAIL",
                    f"Process {victim} waits for ShareLock on transaction {xw}; blocked by process {waiter}.\n"
                    f"Process {waiter} waits for ShareLock on transaction {xv}; blocked by process {victim}.\n"
                    f"Process {victim}: {st_v}\nProcess {waiter}: {st_w}",
                ),
                ("HINT", "See server log for query details."),
                ("CONTEXT", ctx_fmt.format(a=tv[0], b=tv[1])),
                ("STATEMENT", st_v),
            ],
        )
        t3 = t2 + sec(0.000912)
        waited = (t3 - t).total_seconds() * 1000
        rec(
            t3,
            "acquired",
            "LOG",
            waiter,
            f"process {waiter} acquired ShareLock on transaction {xv} after {waited:.3f} ms",
            *ww,
        )
        annotate(t3, waiter, ww, [("CONTEXT", ctx_fmt.format(a=tw[0], b=tw[1])), ("STATEMENT", st_w)])

    deadlock(
        at(EST, 2024, 2, 14, 3, 17, 40.1),
        W1,
        W2,
        91834409,
        91834412,
        "SKU-88102",
        "SKU-20417",
        (4411, 18),
        (1187, 4),
    )
    deadlock(
        at(EST, 2024, 2, 14, 3, 24, 8.73),
        W2,
        W1,
        91851176,
        91851170,
        "SKU-20417",
        "SKU-88102",
        (1187, 9),
        (4411, 21),
    )

    # --- connection storm on 2024-02-13 ----------------------------------------------------------
    # old orders-api pods: their pooled sessions were opened before this log begins
    old_ips = [f"10.20.6.{n}" for n in range(11, 17)]
    new_ips = [f"10.20.6.{n}" for n in range(21, 27)]
    for k in range(24):
        t_end = at(EST, 2024, 2, 13, 11, 53, 2.0) + sec(rng.uniform(0, 290))
        dur = rng.uniform(5 * 3600, 22 * 3600)
        t_begin = t_end - sec(dur)
        pid = pid_at(t_begin)
        session(
            t_begin,
            dur,
            "orders_app",
            "orders",
            "orders-api",
            old_ips[k % 6],
            pid=pid,
            log_start=False,
            pinned=True,
        )
    # BI tool pool, idle most of the morning
    bi = []
    for _k in range(14):
        t_b = at(EST, 2024, 2, 13, 8, 2, 0) + sec(rng.uniform(0, 3 * 3600))
        bi.append(
            session(t_b, 0, "bi_reader", "orders", "Metabase", "10.20.9.40", disconnect=False, pinned=True)
        )
    # the new pods open their pools
    for _k in range(48):
        t = at(EST, 2024, 2, 13, 11, 41, 5.0) + sec(rng.uniform(0, 105))
        session(
            t,
            rng.uniform(7200, 40000),
            "orders_app",
            "orders",
            "orders-api",
            rng.choice(new_ips),
            pinned=True,
        )
    for k in range(6):
        t = at(EST, 2024, 2, 13, 11, 42, 51.0) + sec(k * 8.7 + rng.uniform(0, 5))
        rejected(
            t,
            "orders_app",
            "orders",
            "orders-api",
            rng.choice(new_ips),
            "remaining connection slots are reserved for non-replication superuser connections",
        )
    t = at(EST, 2024, 2, 13, 11, 43, 47.0)
    while t < at(EST, 2024, 2, 13, 11, 51, 58.0):
        rejected(
            t, "orders_app", "orders", "orders-api", rng.choice(new_ips), "sorry, too many clients already"
        )
        t += sec(rng.uniform(8, 38))
    # a DBA logs in on a reserved slot and terminates the idle BI sessions
    dba = session(
        at(EST, 2024, 2, 13, 11, 51, 21.4), 96.3, "postgres", "orders", "psql", "10.20.1.9", pinned=True
    )
    t = at(EST, 2024, 2, 13, 11, 52, 4.512)
    for s in bi:
        t += sec(rng.uniform(0.0004, 0.002))
        rec(
            t,
            "admin terminate",
            "FATAL",
            s["pid"],
            "terminating connection due to administrator command",
            "bi_reader",
            "orders",
            "Metabase",
        )
        dur = (t - s["start"]).total_seconds()
        rec(
            t + sec(0.0001),
            "disconnection",
            "LOG",
            s["pid"],
            f"disconnection: session time: {fmt_dur(dur)} user=bi_reader database=orders host=10.20.9.40 "
            f"port={rng.randint(32768, 60999)}",
            "bi_reader",
            "orders",
            "Metabase",
        )
        s["end"] = t
    facts["dba_pid"] = dba["pid"]

    # --- background sessions -------------------------------------------------------------------
    def busy(t):
        return 8 <= t.hour < 19

    t = start + sec(412)
    while t < end:  # monitoring probe
        session(t, rng.uniform(0.04, 0.4), "monitor", "postgres", "check_postgres", "10.20.1.5", ssl=False)
        t += sec(1200 + rng.uniform(-3, 3))
    for t in arrivals(rng, start, end, lambda t: 5 if busy(t) else 1.2, 5):  # orders-api pool churn
        if at(EST, 2024, 2, 13, 11, 38, 0) <= t < at(EST, 2024, 2, 13, 12, 5, 0):
            continue
        session(
            t,
            rng.uniform(1800, 4 * 3600),
            "orders_app",
            "orders",
            "orders-api",
            rng.choice(old_ips + new_ips),
        )
    for t in arrivals(rng, start, end, lambda t: 1.5 if busy(t) else 0.2, 1.5):  # BI
        session(t, rng.uniform(60, 5400), "bi_reader", "orders", "Metabase", "10.20.9.40")
    for t in arrivals(rng, start, end, lambda t: 1.0 if busy(t) else 0.1, 1.0):  # invoices
        session(t, rng.uniform(20, 600), "billing", "orders", "invoice-worker", "10.20.7.31")
    h = start.replace(minute=0, second=2, microsecond=0) + timedelta(hours=1)
    while h < end:  # stock-sync, hourly, two workers
        if h != t0.replace(second=2, microsecond=0):
            for k in range(2):
                s = session(
                    h + sec(0.114 + 0.4 * k),
                    rng.uniform(600, 1900),
                    "stock_sync",
                    "orders",
                    "stock-sync",
                    "10.20.7.22",
                )
                rec(
                    s["start"] + sec(rng.uniform(200, 590)),
                    "slow statement",
                    "LOG",
                    s["pid"],
                    f"duration: {rng.uniform(1000, 4200):.3f} ms  statement: "
                    + upd.format(q="$1", s="$2").replace("'$2'", "$2"),
                    "stock_sync",
                    "orders",
                    "stock-sync",
                )
        h += timedelta(hours=1)
    for day in (12, 13, 14):  # humans with psql
        for _ in range(2):
            t = at(EST, 2024, 2, day, 9, 0) + sec(rng.uniform(0, 9 * 3600))
            if start < t < end:
                session(
                    t,
                    rng.uniform(40, 1500),
                    rng.choice(["dba_kim", "dba_omar"]),
                    "orders",
                    "psql",
                    "10.20.1.9",
                )

    # nightly dump and ETL
    etl_sessions = []
    for day in (13, 14):
        session(
            at(EST, 2024, 2, day, 0, 30, 1.2),
            rng.uniform(1200, 1500),
            "backup",
            "orders",
            "pg_dump",
            "10.20.1.14",
        )
        etl_sessions.append(
            session(
                at(EST, 2024, 2, day, 1, 0, 0.9),
                rng.uniform(2300, 2600),
                "etl",
                "orders",
                "nightly-etl",
                "10.20.7.5",
            )
        )

    def active(t, user):
        return [s for s in sessions if s["user"] == user and s["start"] < t < s["end"]]

    # --- background: checkpoints, autovacuum -------------------------------------------------------
    lsn = [0x1F_80000000]

    def next_lsn(kb):
        """(redo lsn, lsn) of a checkpoint that covers `kb` kB of WAL."""
        redo = lsn[0] + rng.randint(200, 4000)
        lsn[0] = redo + kb * 1024
        return f"{redo >> 32:X}/{redo & 0xFFFFFFFF:08X}", f"{lsn[0] >> 32:X}/{lsn[0] & 0xFFFFFFFF:08X}"

    t = start.replace(minute=7, second=31, microsecond=402000)
    while t < end:
        if any(s["start"] <= t < s["end"] for s in etl_sessions):
            t += timedelta(minutes=15)
            continue
        rec(t, "checkpoint starting", "LOG", CKPT, "checkpoint starting: time")
        bufs = rng.randint(40, 3900) if busy(t) else rng.randint(3, 300)
        write = rng.uniform(80, 269.9)
        tot = write + rng.uniform(0.01, 0.2)
        dist = bufs * 8 + rng.randint(0, 900)
        rec(
            t + sec(tot),
            "checkpoint complete",
            "LOG",
            CKPT,
            f"checkpoint complete: wrote {bufs} buffers ({bufs / 163.84:.1f}%); 0 WAL file(s) added, 0 removed, "
            f"{rng.randint(0, 3)} recycled; write={write:.3f} s, sync={rng.uniform(0.001, 0.03):.3f} s, "
            f"total={tot:.3f} s; sync files={rng.randint(4, 70)}, longest={rng.uniform(0.001, 0.009):.3f} s, "
            f"average={rng.uniform(0.001, 0.002):.3f} s; distance={dist} kB, estimate={dist + rng.randint(0, 4000)} kB; "
            "lsn={1}, redo lsn={0}".format(*next_lsn(dist)),
        )
        t += timedelta(minutes=15)
    for s in etl_sessions:  # the ETL's bulk load writes a lot of WAL for about ten minutes
        t = s["start"] + sec(140)
        crowded = rng.sample(
            range(1, 14), 4
        )  # four WAL checkpoints come < checkpoint_warning (30s) after the last
        prev = None
        for k in range(14):
            if k in crowded:
                rec(
                    t - sec(0.001),
                    "ckpt too frequent",
                    "LOG",
                    CKPT,
                    f"checkpoints are occurring too frequently ({int((t - prev).total_seconds())} seconds apart)",
                )
                rec(
                    t - sec(0.0009),
                    "hint max_wal_size",
                    "HINT",
                    CKPT,
                    'Consider increasing the configuration parameter "max_wal_size".',
                )
            rec(t, "checkpoint starting wal", "LOG", CKPT, "checkpoint starting: wal")
            nxt = rng.uniform(17, 29.5) if k + 1 in crowded else rng.uniform(34, 75)
            dur = min(nxt - 2.5, rng.uniform(11, 24))
            bufs = rng.randint(9000, 16000)
            dist = rng.randint(520000, 560000)
            rec(
                t + sec(dur),
                "checkpoint complete",
                "LOG",
                CKPT,
                f"checkpoint complete: wrote {bufs} buffers ({bufs / 163.84:.1f}%); 0 WAL file(s) added, "
                f"{rng.randint(0, 4)} removed, {rng.randint(8, 33)} recycled; write={dur - 0.4:.3f} s, "
                f"sync={rng.uniform(0.1, 0.4):.3f} s, total={dur:.3f} s; sync files={rng.randint(30, 90)}, "
                f"longest={rng.uniform(0.05, 0.2):.3f} s, average={rng.uniform(0.004, 0.02):.3f} s; "
                f"distance={dist} kB, estimate={dist + rng.randint(0, 30000)} kB; "
                "lsn={1}, redo lsn={0}".format(*next_lsn(dist)),
            )
            prev = t
            t += sec(nxt)
        for _ in range(3):
            tt = s["start"] + sec(rng.uniform(200, 2000))
            rec(
                tt,
                "temp file",
                "LOG",
                s["pid"],
                f'temporary file: path "base/pgsql_tmp/pgsql_tmp{s["pid"]}.{rng.randint(0, 40)}", '
                f"size {rng.choice([104857600, 268435456, 536870912, 73400320])}",
                "etl",
                "orders",
                "nightly-etl",
            )
            rec(
                tt + sec(0.000001),
                "annot STATEMENT etl",
                "STATEMENT",
                s["pid"],
                "INSERT INTO analytics.daily_order_facts SELECT o.id, o.customer_id, date_trunc('day', o.created_at), "
                "sum(i.qty * i.unit_price) FROM orders o JOIN order_items i ON i.order_id = o.id WHERE "
                "o.created_at >= $1 AND o.created_at < $2 GROUP BY 1, 2, 3",
                "etl",
                "orders",
                "nightly-etl",
            )

    tables = [
        ("orders", 1822011, 48211),
        ("order_items", 5120344, 130212),
        ("customers", 410233, 9120),
        ("stock_levels", 88211, 1420),
        ("payments", 1790012, 42118),
        ("sessions", 90122, 3311),
        ("carts", 301227, 8121),
    ]
    for t in arrivals(rng, start, end, lambda t: 3.5 if busy(t) else 1.5, 3.5):
        tb, rows, pages = rng.choice(tables)
        pid = pid_at(t)
        if rng.random() < 0.6:
            dead = rng.randint(1200, 60000)
            scanned = rng.randint(400, pages // 3 + 400)
            rec(
                t,
                "autovacuum",
                "LOG",
                pid,
                f'automatic vacuum of table "orders.public.{tb}": index scans: 1\n'
                f"\tpages: 0 removed, {pages} remain, {scanned} scanned ({100 * scanned / pages:.2f}% of total)\n"
                f"\ttuples: {dead} removed, {rows} remain, 0 are dead but not yet removable\n"
                f"\tremovable cutoff: {rng.randint(91000000, 92000000)}, which was {rng.randint(1, 900)} XIDs old "
                "when operation ended\n"
                f"\tindex scan needed: {rng.randint(100, scanned)} pages from table had {dead} dead item "
                "identifiers removed\n"
                f"\tavg read rate: {rng.uniform(0.1, 40):.3f} MB/s, avg write rate: {rng.uniform(0.1, 20):.3f} MB/s\n"
                f"\tbuffer usage: {rng.randint(2000, 90000)} hits, {rng.randint(0, 3000)} misses, "
                f"{rng.randint(0, 2000)} dirtied\n"
                f"\tWAL usage: {rng.randint(500, 40000)} records, {rng.randint(0, 900)} full page images, "
                f"{rng.randint(100000, 9000000)} bytes\n"
                f"\tsystem usage: CPU: user: {rng.uniform(0, 2):.2f} s, system: {rng.uniform(0, 0.3):.2f} s, "
                f"elapsed: {rng.uniform(0.2, 9):.2f} s",
            )
        else:
            rec(
                t,
                "autoanalyze",
                "LOG",
                pid,
                f'automatic analyze of table "orders.public.{tb}"\n'
                f"\tavg read rate: {rng.uniform(0.1, 60):.3f} MB/s, avg write rate: {rng.uniform(0, 2):.3f} MB/s\n"
                f"\tbuffer usage: {rng.randint(800, 30000)} hits, {rng.randint(0, 2000)} misses, "
                f"{rng.randint(0, 40)} dirtied\n"
                f"\tsystem usage: CPU: user: {rng.uniform(0, 1):.2f} s, system: {rng.uniform(0, 0.1):.2f} s, "
                f"elapsed: {rng.uniform(0.1, 3):.2f} s",
            )

    # --- background: slow statements and errors that are not the fault ---------------------------
    slow_q = {
        "orders_app": [
            "SELECT o.id, o.status, o.total_cents FROM orders o WHERE o.customer_id = $1 ORDER BY "
            "o.created_at DESC LIMIT 50",
            "UPDATE orders SET status = $1, updated_at = now() WHERE id = $2",
            "SELECT i.sku, i.qty FROM order_items i WHERE i.order_id = ANY($1)",
        ],
        "bi_reader": [
            "SELECT date_trunc('week', created_at) AS wk, count(*) FROM orders GROUP BY 1 ORDER BY 1",
            "SELECT c.country, sum(o.total_cents) FROM orders o JOIN customers c ON c.id = o.customer_id "
            "WHERE o.created_at > now() - interval '90 days' GROUP BY 1",
        ],
        "billing": [
            "SELECT * FROM payments WHERE settled_at IS NULL AND created_at < now() - interval '2 days' "
            "FOR UPDATE SKIP LOCKED"
        ],
    }
    for t in arrivals(rng, start, end, lambda t: 4 if busy(t) else 0.8, 4):
        user = rng.choices(list(slow_q), weights=[5, 3, 1])[0]
        act = active(t, user)
        if not act:
            continue
        s = rng.choice(act)
        rec(
            t,
            "slow statement",
            "LOG",
            s["pid"],
            f"duration: {rng.uniform(1000, 9500):.3f} ms  execute <unnamed>: {rng.choice(slow_q[user])}",
            s["user"],
            s["db"],
            s["app"],
        )

    def err_in(n, user, tpl, level, msg, annots, lo=start, hi=end):
        """n failed statements of `user`, each inside one of its (non-scenario) sessions."""
        cands = [
            s
            for s in sessions
            if s["user"] == user
            and not s["pinned"]
            and (min(s["end"], hi) - max(s["start"], lo)).total_seconds() > 20
        ]
        for s in rng.sample(cands, n):
            a_, b_ = max(s["start"], lo) + sec(5), min(s["end"], hi) - sec(5)
            t = a_ + sec(rng.uniform(0, (b_ - a_).total_seconds()))
            who = (s["user"], s["db"], s["app"])
            rec(t, tpl, level, s["pid"], msg, *who)
            annotate(t, s["pid"], who, annots(t) if callable(annots) else annots)

    def spread(n, lo=start, hi=end):
        return sorted(lo + sec(rng.uniform(0, (hi - lo).total_seconds())) for _ in range(n))

    emails = ["j.alvarez", "m.chen", "p.okafor", "s.novak", "a.haddad", "l.fischer", "r.tanaka", "k.osei"]
    err_in(
        12,
        "orders_app",
        "duplicate key",
        "ERROR",
        'duplicate key value violates unique constraint "customers_email_key"',
        lambda t: [
            (
                "DETAIL",
                "Key (email)=({}@{}) already exists.".format(
                    rng.choice(emails), rng.choice(["gmail.com", "outlook.com", "proton.me"])
                ),
            ),
            (
                "STATEMENT",
                "INSERT INTO customers (email, full_name, created_at) VALUES ($1, $2, now()) RETURNING id",
            ),
        ],
    )
    err_in(
        6,
        "bi_reader",
        "statement timeout",
        "ERROR",
        "canceling statement due to statement timeout",
        lambda t: [("STATEMENT", rng.choice(slow_q["bi_reader"]))],
    )
    err_in(6, "orders_app", "no tx", "WARNING", "there is no transaction in progress", [])
    err_in(
        3,
        "bi_reader",
        "no relation",
        "ERROR",
        'relation "order_audit_2023" does not exist',
        [("STATEMENT", "SELECT count(*) FROM order_audit_2023 WHERE created_at > now() - interval '1 day'")],
        at(EST, 2024, 2, 13, 8, 0),
        at(EST, 2024, 2, 13, 18, 0),
    )
    err_in(
        3,
        "billing",
        "serialize",
        "ERROR",
        "could not serialize access due to concurrent update",
        [("STATEMENT", slow_q["billing"][0])],
    )
    # a report on the night of the 14th times out, then its client drops
    night = session(
        at(EST, 2024, 2, 14, 1, 21, 7.05),
        1893.25,
        "bi_reader",
        "orders",
        "Metabase",
        "10.20.9.40",
        pinned=True,
    )
    t = at(EST, 2024, 2, 14, 1, 47, 12.6)
    rec(
        t,
        "statement timeout",
        "ERROR",
        night["pid"],
        "canceling statement due to statement timeout",
        "bi_reader",
        "orders",
        "Metabase",
    )
    annotate(t, night["pid"], ("bi_reader", "orders", "Metabase"), [("STATEMENT", slow_q["bi_reader"][1])])
    rec(
        night["end"] - sec(0.0003),
        "recv reset",
        "LOG",
        night["pid"],
        "could not receive data from client: Connection reset by peer",
        "bi_reader",
        "orders",
        "Metabase",
    )
    for t in spread(4, at(EST, 2024, 2, 13, 9, 0), at(EST, 2024, 2, 13, 17, 0)):
        pid = pid_at(t)
        rec(
            t,
            "connection received",
            "LOG",
            pid,
            f"connection received: host=10.20.9.77 port={rng.randint(32768, 60999)}",
            "[unknown]",
            "[unknown]",
            "[unknown]",
        )
        rec(
            t + sec(0.01),
            "password failed",
            "FATAL",
            pid,
            'password authentication failed for user "reporting"',
            "reporting",
            "orders",
            "[unknown]",
        )
        rec(
            t + sec(0.010001),
            "annot DETAIL hba",
            "DETAIL",
            pid,
            'Connection matched file "/etc/postgresql/16/main/pg_hba.conf" line 97: '
            '"host    all    all    10.20.0.0/16    scram-sha-256"',
            "reporting",
            "orders",
            "[unknown]",
        )

    def at_session_end(n, users, tpl, level, msg, lo=start, hi=end):
        """Background failures that end a session: logged just before its disconnection line."""
        cands = [
            s
            for s in sessions
            if s["user"] in users
            and not s["pinned"]
            and s["logged_end"]
            and s["ended_by"] is None
            and lo <= s["end"] < hi
        ]
        for s in rng.sample(cands, n):
            s["ended_by"] = tpl
            rec(s["end"] - sec(0.0003), tpl, level, s["pid"], msg, s["user"], s["db"], s["app"])

    at_session_end(
        6,
        ("bi_reader", "orders_app"),
        "recv reset",
        "LOG",
        "could not receive data from client: Connection reset by peer",
    )
    at_session_end(
        4,
        ("orders_app",),
        "eof open tx",
        "LOG",
        "unexpected EOF on client connection with an open transaction",
    )
    at_session_end(
        3,
        ("bi_reader",),
        "idle tx timeout",
        "FATAL",
        "terminating connection due to idle-in-transaction timeout",
        at(EST, 2024, 2, 13, 8, 0),
        at(EST, 2024, 2, 13, 18, 0),
    )
    # configuration reload in the morning of the 13th
    t = at(EST, 2024, 2, 13, 9, 12, 3.55)
    rec(t, "sighup", "LOG", 1811, "received SIGHUP, reloading configuration files")
    rec(t + sec(0.0004), "param changed", "LOG", 1811, 'parameter "work_mem" changed to "32MB"')
    rec(
        t + sec(0.0006),
        "param changed",
        "LOG",
        1811,
        'parameter "log_min_duration_statement" changed to "1000"',
    )
    # the standby's walsender times out and the standby reconnects
    t = at(EST, 2024, 2, 14, 2, 5, 17.2)
    rec(
        t,
        "walsender timeout",
        "LOG",
        WALSND,
        "terminating walsender process due to replication timeout",
        "replicator",
        "[unknown]",
        "pg-orders-02",
    )
    t += sec(5.1)
    pid = pid_at(t)
    rec(
        t,
        "connection received",
        "LOG",
        pid,
        f"connection received: host=10.20.0.12 port={rng.randint(32768, 60999)}",
        "[unknown]",
        "[unknown]",
        "[unknown]",
    )
    rec(
        t + sec(0.02),
        "replication authorized",
        "LOG",
        pid,
        "replication connection authorized: user=replicator application_name=pg-orders-02" + SSL,
        "replicator",
        "[unknown]",
        "pg-orders-02",
    )

    records, templates = L.finish()
    return records, templates, facts


# ---------------------------------------------------------------------------------------------
# e-checkout

CK_TRACE = "5c0e9f27a1d84b3e8f6a2c71d9e04b58"  # one of the failed checkouts (lexical turn)


def gen_checkout():
    rng = random.Random(SEED + 3)
    L = Log(UTC, True)
    start = at(UTC, 2024, 4, 18, 6, 0, 0.412)
    end = at(UTC, 2024, 4, 19, 8, 30)

    CHECKOUT = ["checkout-7b9c6d5f8-2xkqp", "checkout-7b9c6d5f8-h4m7z", "checkout-7b9c6d5f8-w9t2c"]
    PAY_OLD = ["payments-6f5d8c7b9-jx4rn", "payments-6f5d8c7b9-p8lq2", "payments-6f5d8c7b9-z2mv6"]
    PAY_NEW = ["payments-84b6d7f9c-9qv7k", "payments-84b6d7f9c-kc3wd", "payments-84b6d7f9c-t5xnf"]
    PAY_RB = ["payments-6f5d8c7b9-b7nrs", "payments-6f5d8c7b9-f2kdh", "payments-6f5d8c7b9-m6wq9"]
    INV = ["inventory-5c4b9d8f7-7vldm", "inventory-5c4b9d8f7-rq8xs"]
    VER = {"checkout": "4.21.3", "inventory": "2.3.9", "ledger-recon": "1.4.2", "rollouts": "1.6.4"}
    ROLL_POD = "argo-rollouts-6d8f5c7b9-tq2xw"

    def rec(t, tpl, level, svc, pod, msg, ver=None, trace=None, cust=None, status=None, dur=None):
        r = {"level": level, "svc": svc, "pod": pod, "ver": ver or VER[svc]}
        if trace:
            r["trace"] = trace
        if cust:
            r["cust"] = cust
        if status is not None:
            r["http_status"] = status
        if dur is not None:
            r["dur_ms"] = int(round(dur))
        r["message"] = msg
        L.add(t, tpl, r)

    # payments pods over time: (pod, version, up_from, down_at)
    pay = [(p, "3.7.4", start - sec(86400), None) for p in PAY_OLD]

    def pay_at(t):
        up = [(p, v) for p, v, a, b in pay if a <= t and (b is None or t < b)]
        return up

    def set_down(pod, t):
        for k, (p, v, a, _b) in enumerate(pay):
            if p == pod:
                pay[k] = (p, v, a, t)

    def pod_start(t, pod, ver, max_open):
        rec(
            t,
            "svc starting",
            "info",
            "payments",
            pod,
            f"payments-svc {ver} starting (commit "
            f"{'9f1c2ab' if ver == '3.8.0' else 'e41d07c'}, go1.22.2, GOMAXPROCS=2)",
            ver,
        )
        rec(
            t + sec(rng.uniform(0.3, 0.9)),
            "pool configured",
            "info",
            "payments",
            pod,
            f"db pool configured: max_open={max_open} max_idle={2 if max_open < 10 else 10} max_lifetime=30m "
            "target=pg-payments-rw.db.svc:5432/payments",
            ver,
        )
        t1 = t + sec(rng.uniform(4.5, 7.5))
        rec(t1, "listening", "info", "payments", pod, "listening on :8080, readiness probe passing", ver)
        pay.append((pod, ver, t1, None))
        return t1

    def pod_stop(t, pod, ver):
        rec(
            t,
            "sigterm",
            "info",
            "payments",
            pod,
            f"SIGTERM received, draining {rng.randint(0, 6)} in-flight request(s)",
            ver,
        )
        set_down(pod, t)
        rec(
            t + sec(rng.uniform(0.8, 2.5)),
            "shutdown complete",
            "info",
            "payments",
            pod,
            f"shutdown complete after {rng.randint(700, 2400)}ms",
            ver,
        )

    # --- rollout of 3.8.0, the fault, the rollback -------------------------------------------------
    t = at(UTC, 2024, 4, 18, 15, 2, 10.118)
    rec(
        t,
        "rollout started",
        "info",
        "rollouts",
        ROLL_POD,
        "rollout payments started: image registry.internal/shop/payments:3.7.4 -> 3.8.0 "
        "(RollingUpdate, maxSurge=1, maxUnavailable=0)",
    )
    t += sec(3.9)
    for k in range(3):
        t = pod_start(t, PAY_NEW[k], "3.8.0", 5)
        t += sec(rng.uniform(0.5, 1.5))
        pod_stop(t, PAY_OLD[k], "3.7.4")
        t += sec(rng.uniform(1.0, 2.0))
        if k < 2:
            rec(
                t,
                "rollout progress",
                "info",
                "rollouts",
                ROLL_POD,
                f"rollout payments: {k + 1}/3 replicas updated",
            )
        else:
            rec(
                t,
                "rollout complete",
                "info",
                "rollouts",
                ROLL_POD,
                "rollout payments complete: 3/3 replicas on 3.8.0 in 41s",
            )
        t += sec(rng.uniform(1.5, 3.0))
    t = at(UTC, 2024, 4, 18, 15, 38, 41.5)
    rec(
        t,
        "rollback requested",
        "info",
        "rollouts",
        ROLL_POD,
        "rollback of payments requested by j.moreau: revision 42 -> 41 (3.8.0 -> 3.7.4)",
    )
    rec(
        t + sec(0.2),
        "rollout started",
        "info",
        "rollouts",
        ROLL_POD,
        "rollout payments started: image registry.internal/shop/payments:3.8.0 -> 3.7.4 "
        "(RollingUpdate, maxSurge=1, maxUnavailable=0)",
    )
    t += sec(3.2)
    for k in range(3):
        t = pod_start(t, PAY_RB[k], "3.7.4", 40)
        t += sec(rng.uniform(0.5, 1.5))
        pod_stop(t, PAY_NEW[k], "3.8.0")
        t += sec(rng.uniform(1.0, 2.0))
        if k < 2:
            rec(
                t,
                "rollout progress",
                "info",
                "rollouts",
                ROLL_POD,
                f"rollout payments: {k + 1}/3 replicas updated",
            )
        else:
            rec(
                t,
                "rollout complete",
                "info",
                "rollouts",
                ROLL_POD,
                "rollout payments complete: 3/3 replicas on 3.7.4 in 38s",
            )
        t += sec(rng.uniform(1.5, 3.0))
    fault = (at(UTC, 2024, 4, 18, 15, 7, 40), at(UTC, 2024, 4, 18, 15, 38, 40))

    def trace_id():
        return hexid(rng, 32)

    def cust_id():
        return f"c_{rng.randint(100000, 999999)}"

    def money(rng_):
        cents = rng_.randint(899, 32900)
        return cents, f"{cents / 100:.2f}"

    def inv_reserve(t, trace, cust):
        n = rng.randint(1, 5)
        res = "res_" + alnum(rng, 10, "abcdefghijkmnopqrstuvwxyz0123456789")
        rec(
            t,
            "reserved",
            "info",
            "inventory",
            rng.choice(INV),
            f"reserved {n} item(s) for cart crt_{alnum(rng, 8, 'abcdefghijkmnopqrstuvwxyz0123456789')} "
            f"(reservation {res})",
            trace=trace,
            cust=cust,
            status=200,
            dur=rng.uniform(6, 45),
        )
        return n, res

    def checkout_ok(t, slow=False):
        trace, cust = trace_id(), cust_id()
        cpod = rng.choice(CHECKOUT)
        t0 = t
        x = rng.random()
        if x < 0.04:  # inventory hiccup, retried
            rec(
                t,
                "inv retry",
                "warn",
                "checkout",
                cpod,
                f"inventory reserve attempt 1/3 failed: read tcp 10.42.{rng.randint(1, 9)}.{rng.randint(2, 250)}:"
                f"{rng.randint(32768, 60999)}->10.43.12.9:8080: read: connection reset by peer; retrying in 100ms",
                trace=trace,
                cust=cust,
            )
            t += sec(rng.uniform(0.1, 0.14))
        if x >= 0.04 and x < 0.07:  # out of stock
            sku = f"SKU-{rng.randint(10000, 99999)}"
            rec(
                t,
                "out of stock",
                "warn",
                "inventory",
                rng.choice(INV),
                f"insufficient stock for {sku}: requested {rng.randint(2, 4)}, available {rng.randint(0, 1)}",
                trace=trace,
                cust=cust,
                status=409,
                dur=rng.uniform(5, 20),
            )
            rec(
                t + sec(0.02),
                "checkout status",
                "info",
                "checkout",
                cpod,
                "POST /api/v2/checkout 409",
                trace=trace,
                cust=cust,
                status=409,
                dur=rng.uniform(20, 60),
            )
            return
        n, res = inv_reserve(t, trace, cust)
        if x < 0.04:
            rec(
                t + sec(0.01),
                "inv retry ok",
                "info",
                "checkout",
                cpod,
                "inventory reserve succeeded on attempt 2",
                trace=trace,
                cust=cust,
            )
        t += sec(rng.uniform(0.02, 0.06))
        up = pay_at(t)
        ppod, pver = rng.choice(up)
        cents, amt = money(rng)
        cur = rng.choice(["EUR", "EUR", "EUR", "GBP", "SEK"])
        if rng.random() < 0.05:  # card declined
            d = rng.uniform(250, 900)
            t += sec(d / 1000)
            rec(
                t,
                "declined",
                "info",
                "payments",
                ppod,
                f'charge declined: provider=adyen refusal_reason="{rng.choice(["Not enough balance", "Expired Card", "Refused"])}" '
                f"psp_ref={rng.randint(10**15, 10**16 - 1)}",
                pver,
                trace,
                cust,
                402,
                d,
            )
            rec(
                t + sec(0.004),
                "payment declined",
                "warn",
                "checkout",
                cpod,
                "payment declined by provider, returning 402 to client",
                trace=trace,
                cust=cust,
            )
            rec(
                t + sec(0.005),
                "checkout status",
                "info",
                "checkout",
                cpod,
                "POST /api/v2/checkout 402",
                trace=trace,
                cust=cust,
                status=402,
                dur=(t - t0).total_seconds() * 1000 + 6,
            )
            rec(
                t + sec(0.03),
                "released",
                "info",
                "inventory",
                rng.choice(INV),
                f"released reservation {res} (checkout aborted)",
                trace=trace,
                cust=cust,
                status=200,
                dur=rng.uniform(3, 12),
            )
            return
        d = rng.uniform(2400, 4800) if slow else rng.uniform(180, 900)
        t += sec(d / 1000)
        rec(
            t,
            "charge authorized",
            "info",
            "payments",
            ppod,
            f"charge authorized: provider=adyen psp_ref={rng.randint(10**15, 10**16 - 1)} amount={cents} {cur}",
            pver,
            trace,
            cust,
            201,
            d,
        )
        t += sec(rng.uniform(0.01, 0.04))
        order = "ord_" + alnum(rng, 10, "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        rec(
            t,
            "order placed",
            "info",
            "checkout",
            cpod,
            f"order {order} placed: {n} item(s), total {amt} {cur}",
            trace=trace,
            cust=cust,
        )
        rec(
            t + sec(0.002),
            "checkout status",
            "info",
            "checkout",
            cpod,
            "POST /api/v2/checkout 200",
            trace=trace,
            cust=cust,
            status=200,
            dur=(t - t0).total_seconds() * 1000 + 3,
        )

    def checkout_timeout(t, trace=None):
        trace, cust = trace or trace_id(), cust_id()
        cpod = rng.choice(CHECKOUT)
        t0 = t
        n, res = inv_reserve(t, trace, cust)
        t += sec(rng.uniform(0.02, 0.05))
        ppod, pver = rng.choice(pay_at(t))
        t1 = t + sec(5.0 + rng.uniform(0.001, 0.004))
        rec(
            t1,
            "upstream timeout",
            "error",
            "checkout",
            cpod,
            "upstream payments timed out after 5000ms: POST http://payments.shop.svc.cluster.local:8080/v1/charges",
            trace=trace,
            cust=cust,
            status=504,
            dur=5000 + rng.uniform(1, 6),
        )
        rec(
            t1 + sec(0.001),
            "checkout status",
            "error",
            "checkout",
            cpod,
            "POST /api/v2/checkout 504",
            trace=trace,
            cust=cust,
            status=504,
            dur=(t1 - t0).total_seconds() * 1000 + 2,
        )
        t2 = t + sec(5.0 + rng.uniform(0.002, 0.006))
        rec(
            t2,
            "acquire timeout",
            "error",
            "payments",
            ppod,
            "charge failed: timeout acquiring db connection after 5000ms (pool in_use=5 idle=0 max=5 "
            f"waiting={rng.randint(9, 31)})",
            pver,
            trace,
            cust,
            503,
            5000 + rng.uniform(2, 7),
        )
        rec(
            t2 + sec(rng.uniform(0.02, 0.05)),
            "released",
            "info",
            "inventory",
            rng.choice(INV),
            f"released reservation {res} (checkout aborted)",
            trace=trace,
            cust=cust,
            status=200,
            dur=rng.uniform(3, 12),
        )
        return ppod

    failing = [
        (15, 8, 17.2),
        (15, 10, 2.6),
        (15, 12, 45.33),
        (15, 14, 30.9),
        (15, 17, 11.4),
        (15, 19, 48.0),
        (15, 22, 5.7),
        (15, 25, 40.25),
        (15, 28, 14.8),
        (15, 31, 52.1),
        (15, 34, 20.6),
        (15, 37, 3.45),
    ]
    facts = {}
    for k, hm in enumerate(failing):
        p = checkout_timeout(at(UTC, 2024, 4, 18, *hm), CK_TRACE if k == 2 else None)
        if k == 2:
            facts["trace_pod"] = p
    for pod in PAY_NEW:  # the pool saturates, logged by each new pod now and then
        t = fault[0] + sec(rng.uniform(20, 200))
        while t < fault[1] - sec(30):
            rec(
                t,
                "pool exhausted",
                "warn",
                "payments",
                pod,
                f"db pool exhausted: in_use=5 idle=0 max=5 waiting={rng.randint(11, 38)}, "
                f"p99 acquire wait {rng.randint(4100, 5000)}ms",
                "3.8.0",
            )
            t += sec(rng.uniform(420, 640))

    # --- background traffic ----------------------------------------------------------------------
    def rate(t, day, night):
        h = t.hour
        return day if 6 <= h < 21 else night

    for t in arrivals(rng, start, end, lambda t: rate(t, 16, 1.5), 16):
        checkout_ok(t, slow=fault[0] <= t < fault[1])
    for t in arrivals(rng, start, end, lambda t: rate(t, 13, 1.0), 13):
        rec(
            t,
            "cart get",
            "info",
            "checkout",
            rng.choice(CHECKOUT),
            "GET /api/v2/cart 200",
            trace=trace_id(),
            cust=cust_id(),
            status=200,
            dur=rng.uniform(4, 40),
        )
    for t in arrivals(rng, start, end, lambda t: rate(t, 9, 1.0), 9):
        sku = f"SKU-{rng.randint(10000, 99999)}"
        tr = trace_id()
        pod = rng.choice(INV)
        if rng.random() < 0.55:
            rec(
                t,
                "cache miss",
                "info",
                "inventory",
                pod,
                f"stock cache miss for {sku}, loaded from postgres in {rng.randint(6, 40)}ms",
                trace=tr,
            )
        rec(
            t + sec(rng.uniform(0.005, 0.05)),
            "stock get",
            "info",
            "inventory",
            pod,
            f"GET /v1/stock/{sku} 200",
            trace=tr,
            status=200,
            dur=rng.uniform(1, 48),
        )
    for t in arrivals(rng, start, end, lambda t: 1.1, 1.1):
        sku = f"SKU-{rng.randint(10000, 99999)}"
        rec(
            t,
            "redis timeout",
            "warn",
            "inventory",
            rng.choice(INV),
            f"redis GET stock:{sku} timed out after 50ms, falling back to postgres",
            trace=trace_id(),
        )
    for t in arrivals(rng, start, end, lambda t: rate(t, 5, 0.8), 5):
        up = pay_at(t)
        ppod, pver = rng.choice(up)
        rec(
            t,
            "webhook",
            "info",
            "payments",
            ppod,
            f"adyen webhook {rng.choice(['AUTHORISATION', 'CAPTURE', 'CAPTURE', 'REFUND'])} "
            f"psp_ref={rng.randint(10**15, 10**16 - 1)} acknowledged",
            pver,
            status=200,
            dur=rng.uniform(2, 30),
        )
    for t in arrivals(rng, start, end, lambda t: rate(t, 0.6, 0.3), 0.6):
        up = pay_at(t)
        ppod, pver = rng.choice(up)
        d = rng.randint(2050, 3400)
        rec(
            t,
            "provider slow",
            "warn",
            "payments",
            ppod,
            f"provider adyen responded slowly: {d}ms (threshold 2000ms) on /pal/servlet/Payment/v68/authorise",
            pver,
        )
    for t in arrivals(rng, start, end, lambda t: 0.5, 0.5):
        up = pay_at(t)
        ppod, pver = rng.choice(up)
        cents, amt = money(rng)
        rec(
            t,
            "refund",
            "info",
            "payments",
            ppod,
            f"refund issued: psp_ref={rng.randint(10**15, 10**16 - 1)} amount={cents} EUR reason=customer_request",
            pver,
            trace_id(),
            cust_id(),
            201,
            rng.uniform(200, 700),
        )
    for t in arrivals(rng, start, end, lambda t: rate(t, 0.6, 0.2), 0.6):
        rec(
            t,
            "session expired",
            "info",
            "checkout",
            rng.choice(CHECKOUT),
            "cart session expired, returning 401",
            trace=trace_id(),
            cust=cust_id(),
            status=401,
            dur=rng.uniform(1, 4),
        )

    # --- the nightly ledger reconciliation: slow, harmless ---------------------------------------------
    rp = "ledger-recon-28558080-hx7vq"
    t = at(UTC, 2024, 4, 19, 1, 0, 4.27)
    rows = 48211
    rec(
        t,
        "recon started",
        "info",
        "ledger-recon",
        rp,
        f"reconciliation run started for settlement date 2024-04-18 (source=adyen, {rows} rows expected)",
    )
    t += sec(41.25)
    rec(
        t,
        "recon fetched",
        "info",
        "ledger-recon",
        rp,
        "fetched settlement file adyen_settlement_2024-04-18.csv.gz (18.4 MB) in 41250ms",
        dur=41250,
    )
    rec(
        t + sec(0.002),
        "step slow",
        "warn",
        "ledger-recon",
        rp,
        "step fetch_settlements took 41250ms, over threshold 30000ms",
        dur=41250,
    )
    t0 = t
    for k in range(1, 5):
        t += sec(rng.uniform(330, 420))
        rec(t, "recon progress", "info", "ledger-recon", rp, f"matched {k * 10000}/{rows} rows")
    t += sec(rng.uniform(100, 200))
    d = (t - t0).total_seconds() * 1000
    rec(
        t,
        "step slow",
        "warn",
        "ledger-recon",
        rp,
        f"step match_ledger took {d:.0f}ms, over threshold 600000ms",
        dur=d,
    )
    t += sec(3.1)
    rec(
        t,
        "recon finished",
        "info",
        "ledger-recon",
        rp,
        f"reconciliation finished: {rows} rows, 0 mismatches, 3 pending settlement, "
        f"took {(t - at(UTC, 2024, 4, 19, 1, 0, 4.27)).total_seconds():.0f}s",
    )

    records, templates = L.finish()
    return records, templates, facts


# ---------------------------------------------------------------------------------------------
# Questions. Each system: one Slack thread of six turns.


def q(style, ask, mentions, rule):
    assert style in STYLES, style
    return {"style": style, "ask": ask, "mentions": mentions, "rule": rule}


# OpenStack problem lines: WARNING/ERROR/CRITICAL, plus three failure notices nova logs at INFO.
OS_PROBLEM_LEVEL = {"field": {"level": "WARNING|ERROR|CRITICAL"}}
OS_PROBLEM_INFO = r"Connection event '0'|Filtering removed all hosts|was re-scheduled"


def os_problem(since, until, host=None):
    a = {"field": {"level": "WARNING|ERROR|CRITICAL"}, "since": since, "until": until}
    b = {"msg": OS_PROBLEM_INFO, "since": since, "until": until}
    if host:
        a["field"]["host"] = host
        b["field"] = {"host": host}
    return [a, b]


# PostgreSQL problem lines: WARNING/ERROR/FATAL/PANIC records, plus LOG records that report trouble.
# The DETAIL/HINT/CONTEXT/STATEMENT records that annotate them are not counted.
PG_PROBLEM_LOG = (
    r"^(checkpoints are occurring too frequently|could not receive data from client"
    r"|unexpected EOF on client connection|terminating walsender|process \d+ still waiting for)"
)


def pg_problem(since, until):
    return [
        {"field": {"level": "WARNING|ERROR|FATAL|PANIC"}, "since": since, "until": until},
        {"field": {"level": "LOG"}, "msg": PG_PROBLEM_LOG, "since": since, "until": until},
    ]


# Checkout problem lines: level warn or error.
def ck_problem(since, until):
    return {"field": {"level": "warn|error"}, "since": since, "until": until}


def questions_openstack(f):
    return [
        q(
            "broad",
            "new vms keep landing in ERROR since a bit after 2pm. what went wrong between 14:05 and 14:15 on mar 5?",
            ["No valid host", "cmp-09"],
            os_problem("2024-03-05T14:05:00Z", "2024-03-05T14:15:00Z"),
        ),
        q(
            "lexical",
            f"user says {OS_A} went straight to error. what happened to that one?",
            ["failed to spawn", "cmp-09"],
            # its own lines and the lines of the request that created it, minus the user's polling GETs
            {"msg": re.escape(OS_A) + "|" + re.escape(OS_REQ_A[0]), "not_msg": r'"GET '},
        ),
        q(
            "paraphrase",
            "so did that node drop its link to the hypervisor daemon? when exactly?",
            ["Connection to libvirt", "14:07"],
            {"field": {"host": "cmp-09"}, "msg": r"Connection to libvirt broke|Connection event '0'"},
        ),
        q(
            "lexical",
            "'Filtering removed all hosts' shows up a bunch after that. which filters emptied the list each time?",
            ["RamFilter", "ComputeFilter"],
            {"msg": r"Filtering removed all hosts"},
        ),
        q(
            "paraphrase",
            "when did that box come back to life, and did the first vm it got afterwards turn out fine?",
            ["15:40", OS_I],
            [
                {"field": {"host": "cmp-09"}, "msg": r"Connection event '1'"},
                {
                    "field": {"host": "cmp-09"},
                    "msg": r"Instance spawned successfully|seconds to build instance",
                    "since": "2024-03-05T15:40:00Z",
                    "until": "2024-03-05T16:00:00Z",
                },
            ],
        ),
        q(
            "broad",
            "unrelated: anything odd on the controllers overnight, 00:00 to 06:00 on mar 6?",
            ["AMQP server", "10.0.0.21"],
            os_problem("2024-03-06T00:00:00Z", "2024-03-06T06:00:00Z", host=r"ctl-0[12]"),
        ),
    ]


OS_REQ_A = []  # filled in after generation: the request id that created OS_A


def questions_postgres(f):
    return [
        q(
            "broad",
            "orders-api started erroring on db connects right before lunch on feb 13. what went wrong on the db "
            "between 11:40 and 11:50?",
            ["too many clients already", "orders_app"],
            pg_problem("2024-02-13T11:40:00-05:00", "2024-02-13T11:50:00-05:00"),
        ),
        q(
            "paraphrase",
            "the handful of seats the db keeps back for admins, did regular apps start bumping into that limit too?",
            ["reserved for non-replication superuser", "orders_app"],
            {"msg": r"^remaining connection slots are reserved"},
        ),
        q(
            "paraphrase",
            "did someone on our side go in and boot idle sessions by hand to free things up?",
            ["administrator command", "bi_reader"],
            [
                {"msg": r"^terminating connection due to administrator command"},
                {"field": {"pid": str(f["dba_pid"])}, "msg": r"^connection authorized"},
            ],
        ),
        q(
            "lexical",
            "new one: 'deadlock detected' fired overnight on feb 14. which processes were fighting and over which rows?",
            ["deadlock detected", "stock_levels"],
            {"msg": r"^deadlock detected$", "follow": True},
        ),
        q(
            "lexical",
            f"what else was pid {f['W2']} up to around then?",
            ["ShareLock", str(f["W1"])],
            {"field": {"pid": str(f["W2"])}},
        ),
        q(
            "broad",
            "and earlier that night, anything else off between 00:30 and 02:30?",
            ["checkpoints are occurring too frequently", "walsender"],
            pg_problem("2024-02-14T00:30:00-05:00", "2024-02-14T02:30:00-05:00"),
        ),
    ]


def questions_checkout(f):
    return [
        q(
            "broad",
            "checkout 5xx alert fired on apr 18. what went wrong between 15:05 and 15:15?",
            ["timeout acquiring db connection", "payments-84b6d7f9c"],
            ck_problem("2024-04-18T15:05:00Z", "2024-04-18T15:15:00Z"),
        ),
        q(
            "lexical",
            f"support forwarded trace {CK_TRACE} from a customer who got an error. what happened to it end to end?",
            ["timed out", f["trace_pod"]],
            {"field": {"trace": CK_TRACE}},
        ),
        q(
            "paraphrase",
            "did anything change on the card-charging side right before this kicked off?",
            ["3.8.0", "rollout"],
            [
                {"field": {"svc": "rollouts"}, "msg": r"^rollout payments", "until": "2024-04-18T15:07:00Z"},
                {"field": {"svc": "payments", "ver": r"3\.8\.0"}, "msg": r"starting \("},
            ],
        ),
        q(
            "paraphrase",
            "how many datastore links could the new build hold at once, versus the old one?",
            ["max_open=5", "max_open=40"],
            {"field": {"svc": "payments"}, "msg": r"^db pool configured"},
        ),
        q(
            "lexical",
            "when was the last 'timeout acquiring db connection' before it cleared up, and which pods threw them?",
            ["15:37", "payments-84b6d7f9c"],
            {"msg": r"timeout acquiring db connection"},
        ),
        q(
            "broad",
            "different topic: anything odd overnight into apr 19, between 01:00 and 03:00? finance said their batch "
            "ran then",
            ["ledger-recon", "threshold"],
            ck_problem("2024-04-19T01:00:00Z", "2024-04-19T03:00:00Z"),
        ),
    ]


SYSTEMS = [
    {
        "id": "e-openstack",
        "gen": gen_openstack,
        "questions": questions_openstack,
        "title": "[nova] instance build failures above threshold in cell1 (mar 5)",
    },
    {
        "id": "e-postgres",
        "gen": gen_postgres,
        "questions": questions_postgres,
        "title": "pg-orders-01: client connection errors and aborted transactions, feb 13-14",
    },
    {
        "id": "e-checkout",
        "gen": gen_checkout,
        "questions": questions_checkout,
        "title": "checkout: 5xx rate above 5% for 10 minutes (apr 18)",
    },
]


# ---------------------------------------------------------------------------------------------


ANNOTATION_LEVELS = ("DETAIL", "HINT", "CONTEXT", "STATEMENT")


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
    chosen = set()
    for r in rules:
        assert set(r) <= {"msg", "not_msg", "field", "since", "until", "follow"}, r
        assert r.get("msg") or r.get("field") or r.get("since"), f"rule selects everything: {r}"
        for k in ("since", "until"):
            if r.get(k):
                parse_ts(r[k])
                assert re.search(r"(Z|[+-]\d\d:\d\d)$", r[k]), f"{k} has no offset: {r[k]}"
        for i, rec in enumerate(records):
            if matches(rec, r):
                chosen.add(i)
                if r.get("follow"):
                    j = i + 1
                    while (
                        j < len(records)
                        and records[j].get("level") in ANNOTATION_LEVELS
                        and records[j].get("pid") == rec.get("pid")
                    ):
                        chosen.add(j)
                        j += 1
    return sorted(i + 1 for i in chosen)


STOP = set(
    """a an the and or of to in on at for from by with without any anything did do does was were is are
    be been it its it's this that those these what which who whom when where why how many much some
    than then there their them they we our us i me my you your one ones like just only ever after before
    between around going into about over up out off again apart other else more most way not no yes
    had has have get got give given still same each every all both also very too can could would should
    through own later so ok okay""".split()
)


def content_words(text):
    return {w for w in re.findall(r"[a-z][a-z0-9']+", text.lower()) if w not in STOP and len(w) > 2}


def check_log(iid, records, templates):
    assert LINES_RANGE[0] <= len(records) <= LINES_RANGE[1], f"{iid}: {len(records)} lines"
    prev = None
    for n, r in enumerate(records, 1):
        assert isinstance(r.get("timestamp"), str) and isinstance(r.get("message"), str) and r["message"], (
            iid,
            n,
        )
        assert re.search(r"(Z|[+-]\d\d:\d\d)$", r["timestamp"]), (iid, n)
        t = parse_ts(r["timestamp"])
        assert prev is None or t >= prev, f"{iid}: line {n} goes back in time"
        prev = t
    n_tpl = len(set(templates))
    assert n_tpl >= MIN_TEMPLATES, f"{iid}: only {n_tpl} templates"
    first, last = parse_ts(records[0]["timestamp"]), parse_ts(records[-1]["timestamp"])
    assert timedelta(days=1) <= last - first <= timedelta(days=2), f"{iid}: spans {last - first}"
    return n_tpl


def dump_json(obj):
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def write_text(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("--show", action="store_true", help="print every turn's relevant lines; write nothing")
    a = ap.parse_args()
    out = Path(a.out)

    seen_ids, seen_asks = set(), set()
    table, outputs, qfile, overlaps, sizes = [], [], {"incidents": []}, [], []
    for sysdef in SYSTEMS:
        iid = sysdef["id"]
        assert re.fullmatch(r"[a-z0-9-]+", iid) and iid not in seen_ids, iid
        seen_ids.add(iid)
        records, templates, facts = sysdef["gen"]()
        if iid == "e-openstack":  # the request id that created OS_A, read from its claim line
            m = [
                re.search(r"\[(req-[0-9a-f-]{36}) ", r["message"])
                for r in records
                if OS_A in r["message"] and "Attempting claim" in r["message"]
            ]
            OS_REQ_A[:] = [m[0].group(1)]
        n_tpl = check_log(iid, records, templates)
        sizes.append((iid, len(records), n_tpl, records[0]["timestamp"], records[-1]["timestamp"]))
        per_style = {s: 0 for s in STYLES}
        turns = []
        questions = sysdef["questions"](facts)
        for qd in questions:
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
                    extra = " ".join(
                        f"{k}={r[k]}"
                        for k in ("level", "host", "component", "pid", "user", "svc", "pod", "trace")
                        if k in r
                    )
                    print(f"  {n:5d} {r['timestamp']} {extra} | {r['message'].splitlines()[0][:160]}")
            for m in qd["mentions"]:
                assert any(m.lower() in str(v).lower() for n in lines for v in records[n - 1].values()), (
                    f"{iid}: mention {m!r} is not in any relevant line of {ask!r}"
                )
            if qd["style"] == "paraphrase":
                logw = set()
                for n in lines:
                    logw |= set(re.findall(r"[a-z][a-z0-9']+", records[n - 1]["message"].lower()))
                shared = sorted(content_words(ask) & logw)
                # near misses: same first four letters (lose / lost would pass the exact check)
                stems = {w[:4] for w in logw if len(w) > 3}
                near = sorted(w for w in content_words(ask) - logw if len(w) > 3 and w[:4] in stems)
                if shared or near:
                    overlaps.append((iid, ask, shared + [w + "~" for w in near]))
            distinct = len({records[n - 1]["message"] for n in lines})
            turns.append({"ask": ask, "expect": {"relevant_lines": lines, "mentions": qd["mentions"]}})
            table.append((iid, qd["style"], len(lines), distinct, ask))
        assert all(v == PER_STYLE_PER_SYSTEM for v in per_style.values()), f"{iid}: styles {per_style}"
        incident = {
            "id": iid,
            "title": sysdef["title"],
            "window": {"start": records[0]["timestamp"], "end": records[-1]["timestamp"]},
            "turns": turns,
        }
        outputs.append((iid, records, incident))
        qfile["incidents"].append(
            {"id": iid, "turns": [{"ask": qd["ask"], "style": qd["style"]} for qd in questions]}
        )

    if overlaps:
        print(
            "\nparaphrase asks sharing a word (or, marked ~, its first 4 letters) with their relevant lines:"
        )
        for iid, ask, shared in overlaps:
            print(f"  {iid}: {shared}  <- {ask}")
    if a.show:
        return 0
    out.mkdir(parents=True, exist_ok=True)
    for iid, records, incident in outputs:
        d = out / iid
        d.mkdir(exist_ok=True)
        write_text(d / "logs.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        write_text(d / "incident.json", dump_json(incident))
    write_text(out / "questions.json", dump_json(qfile))

    print(f"{'incident':12s} {'lines':>5s} {'tpls':>4s}  window")
    for iid, n, n_tpl, first, last in sizes:
        print(f"{iid:12s} {n:5d} {n_tpl:4d}  {first} .. {last}")
    print(f"\n{'incident':12s} {'style':10s} {'lines':>5s} {'msgs':>4s}  question")
    for iid, style, n, distinct, ask in table:
        print(f"{iid:12s} {style:10s} {n:5d} {distinct:4d}  {ask}")
    by_style = {s: sum(1 for r in table if r[1] == s) for s in STYLES}
    print(f"\n{len(table)} turns over {len(SYSTEMS)} incidents; per style {by_style}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

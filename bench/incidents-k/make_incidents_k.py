#!/usr/bin/env python3
"""Build the "incidents-k" evaluation set: three synthetic incidents, each a six-turn on-call thread.

Usage: python3 make_incidents_k.py [--out DIR] [--show]

  --out   where to write; default: the folder of this script (bench/incidents-k/).
  --show  print every turn's relevant lines and each system's template counts; write nothing.

Writes <out>/k-<system>/logs.jsonl and incident.json for three systems, and <out>/questions.json
(the style of every turn, for shared/spec/score_replay.py --questions), then prints the sha256 of
every file written. Standard library only. All randomness comes from random.Random with fixed
seeds and nothing iterates over a set or depends on hash order, so a second run writes identical
bytes under any PYTHONHASHSEED.

The logs are synthetic. Each system is simulated from a story (a fault with a cause and its
consequences, plus routine lines, a second unrelated problem and noise) and written in the wording
of the real software as closely as the author could remember it. Every record carries the two
fields the replay format requires, `timestamp` (ISO 8601 with offset or Z) and `message`; all
other fields keep the names the source itself writes, so none of the three has `level`,
`service`, `host` or `request_id` under those names unless the source uses them:

  k-journald   one Linux host's systemd journal as `journalctl -o json` writes it: every value a
               string, __CURSOR, __REALTIME_TIMESTAMP (microseconds), __MONOTONIC_TIMESTAMP,
               _BOOT_ID, _MACHINE_ID, _HOSTNAME, _TRANSPORT, PRIORITY ("0".."7"), SYSLOG_FACILITY,
               SYSLOG_IDENTIFIER, _PID, _UID, _GID, _COMM, _SYSTEMD_UNIT, _SYSTEMD_SLICE, UNIT (on
               systemd's own lines), MESSAGE. `timestamp` is __REALTIME_TIMESTAMP in the host's
               zone (+01:00, CET) and `message` a copy of MESSAGE.
  k-rpc        a Go RPC service's home-made JSON logger: t (ISO time, +05:30), lvl ("I", "W",
               "E"), svc ("ledger-svc" / "ledger-svc-canary"), node (the pod), op (RPC method),
               acct, rid (request id), code (gRPC code), dur_ms, dep (the downstream called),
               amt / ccy, msg. `timestamp` is a copy of t and `message` a copy of msg.
  k-rabbitmq   a RabbitMQ 3.11 cluster and two consumer apps, one line (or one multi-line event)
               per record in a shipper's JSON wrapper: time (as the line itself wrote it: Erlang,
               Python logging or Spring Boot style), host, source ("rabbitmq" / "consumer"),
               message (RabbitMQ's "[level] <pid> text", Python's "LEVEL logger: text" with
               tracebacks, Spring's "LEVEL 1 --- [thread] logger : text" with "Caused by:"
               chains). `timestamp` is the same moment in UTC with Z.

Three styles, two turns each per system: broad (a time window, "what went wrong"), lexical (an exact
id, host, number or quoted log fragment) and paraphrase (plain words about lines whose wording the
ask does not share). Relevant lines are never listed by hand: a rule selects them. A rule is a dict,
or a list of dicts whose selections are united; every condition of a dict must hold:

  msg      regex searched in `message`
  not_msg  regex that must NOT be found in `message`
  field    {name: regex}, fully matched against the field's text (JSON text for numbers, null and
           objects)
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
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
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


def inside(t, windows):
    return any(a <= t < b for a, b in windows)


def go_dur(td):
    s = int(td.total_seconds())
    return f"{s // 3600}h{s // 60 % 60}m{s % 60}s"


# =============================================================================================
# 1. journald: pg-db-03, a PostgreSQL 15 host. WAL archiving to the backup server bk-01 breaks at
#    22:47 (bk-01 was reinstalled and has a new ssh host key: "Host key verification failed"), so
#    pg_wal can no longer be recycled and, with the nightly ETL, fills the 200G data volume. At
#    05:52 a backend PANICs on "No space left on device", the cluster cannot finish crash recovery
#    and systemd (Restart=on-failure, RestartSec=5min) restarts it nine times until the on-call
#    stops it, grows the volume, fixes known_hosts and starts it at 06:50. Unrelated: logstash-01
#    is down all afternoon, filebeat buffers events in memory and is OOM-killed twice by its
#    cgroup limit. Times in +01:00 (CET).

J_TZ = timezone(timedelta(hours=1))
J_HOST = "pg-db-03"
J_BOOT_ID = "5b0e2d9f7c4a41e8a3f6d1c8b2e9a7f4"
J_MACHINE_ID = "c3a9e1f47b2d4e8a9f0b6c5d2e7a1f38"
J_SEQNUM_ID = "9e41c07a2b5d4f36a8e1d3c5b7f90a2e"
J_BOOT_AT = datetime(2024, 1, 29, 3, 12, 44, 518230, tzinfo=UTC)
PG_UNIT = "postgresql@15-main.service"
PG_DESC = "PostgreSQL Cluster 15-main"
PG_SLICE = "system-postgresql.slice"
PG_MOUNT, PG_LV = "/var/lib/postgresql", "vg0-pgdata"
WAL_SEG = "0000000100000A2F000000C4"
BK = "bk-01"
WAL_DEST = f"barman@{BK}:/srv/wal/{J_HOST}"
FB_UNIT = "filebeat.service"
FB_DESC = "Filebeat sends log files to Logstash or directly to Elasticsearch."
ONCALL, ONCALL_UID = "akowalski", 1001
LS = "logstash-01.corp.internal:5044"


def us(dt):
    return (dt - EPOCH) // timedelta(microseconds=1)


def gen_journald():
    rng = random.Random(20240214)

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 2, d, hh, mm, tzinfo=J_TZ) + sec(ss)

    T0, T1 = at(13, 6, 0), at(14, 11, 0)
    L = Log(lambda d: d.isoformat(timespec="microseconds"))
    boot_us = us(J_BOOT_AT)
    def newpid(t):
        # pids grow with time (about five a second on this box); boot-time daemons have small ones
        return 611204 + int((t - T0).total_seconds() * 5.3) + rng.randint(0, 4)

    def rec(dt, ident, msg, prio, tpl, transport="syslog", facility=None, pid=None, uid=0, gid=None, comm=None, unit=None,
            slice_=None, extra=None):
        real = us(dt)
        r = {"message": msg, "__REALTIME_TIMESTAMP": str(real), "__MONOTONIC_TIMESTAMP": str(real - boot_us), "_BOOT_ID": J_BOOT_ID,
             "_MACHINE_ID": J_MACHINE_ID, "_HOSTNAME": J_HOST, "_TRANSPORT": transport, "PRIORITY": str(prio)}
        if facility is not None:
            r["SYSLOG_FACILITY"] = str(facility)
        r["SYSLOG_IDENTIFIER"] = ident
        if pid is not None:
            r["_PID"] = str(pid)
            r["_UID"] = str(uid)
            r["_GID"] = str(uid if gid is None else gid)
            r["_COMM"] = comm or ident
        if unit is not None:
            r["_SYSTEMD_UNIT"] = unit
            r["_SYSTEMD_SLICE"] = slice_ or "system.slice"
        if extra:
            r.update(extra)
        r["MESSAGE"] = msg
        L.add(dt, tpl, r)

    def sd(dt, msg, prio, tpl, unit=None):
        rec(dt, "systemd", msg, prio, tpl, transport="journal", facility=3, pid=1, comm="systemd", unit="init.scope", slice_="-.slice",
            extra={"UNIT": unit} if unit else None)

    def kern(dt, msg, prio, tpl):
        rec(dt, "kernel", msg, prio, tpl, transport="kernel", facility=0)

    def pg(dt, pid, msg, prio, tpl):
        rec(dt, "postgres", msg, prio, tpl, facility=16, pid=pid, uid=110, gid=118, comm="postgres", unit=PG_UNIT, slice_=PG_SLICE)

    def walpush(dt, msg, prio, tpl):
        rec(dt, "wal-push", msg, prio, tpl, facility=1, pid=newpid(dt), uid=110, gid=118, comm="logger", unit=PG_UNIT, slice_=PG_SLICE)

    def pgctl(dt, msg, tpl):
        rec(dt, "postgresql@15-main", msg, 6, tpl, transport="stdout", facility=3, pid=newpid(dt), uid=110, gid=118, comm="pg_ctlcluster",
            unit=PG_UNIT, slice_=PG_SLICE)

    def pgb(dt, msg, prio, tpl):
        rec(dt, "pgbouncer", msg, prio, tpl, facility=3, pid=1023, uid=110, gid=118, unit="pgbouncer.service")

    def fb(dt, pid, level, logger, text, tpl, origin=None):
        obj = {"log.level": level, "@timestamp": dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0100",
               "log.logger": logger}
        if origin:
            obj["log.origin"] = origin
        obj.update({"message": text, "service.name": "filebeat", "ecs.version": "1.6.0"})
        rec(dt, "filebeat", json.dumps(obj, separators=(",", ":")), 6, tpl, transport="stdout", facility=3, pid=pid, unit=FB_UNIT)

    def diskw(dt, msg, prio, tpl):
        rec(dt, "diskwatch", msg, prio, tpl, transport="journal", facility=1, pid=newpid(dt), unit="diskwatch.service")

    def sshd(dt, pid, msg, tpl, prio=6, facility=4):
        rec(dt, "sshd", msg, prio, tpl, facility=facility, pid=pid, unit="ssh.service")

    def logind(dt, msg, tpl):
        rec(dt, "systemd-logind", msg, 6, tpl, transport="journal", facility=4, pid=741, unit="systemd-logind.service")

    def sudo(dt, session, cmd, tpl="sudo_cmd"):
        p = newpid(dt)
        rec(dt, "sudo", f"{ONCALL} : TTY=pts/0 ; PWD=/home/{ONCALL} ; USER=root ; COMMAND={cmd}", 5, tpl, facility=10, pid=p,
            uid=ONCALL_UID, unit=f"session-{session}.scope", slice_=f"user-{ONCALL_UID}.slice")
        rec(dt + sec(0.004), "sudo", f"pam_unix(sudo:session): session opened for user root(uid=0) by {ONCALL}(uid={ONCALL_UID})", 6,
            "sudo_open", facility=10, pid=p, uid=ONCALL_UID, unit=f"session-{session}.scope", slice_=f"user-{ONCALL_UID}.slice")
        rec(dt + sec(rng.uniform(0.05, 3)), "sudo", "pam_unix(sudo:session): session closed for user root", 6, "sudo_close", facility=10,
            pid=p, uid=ONCALL_UID, unit=f"session-{session}.scope", slice_=f"user-{ONCALL_UID}.slice")

    # ---- key moments
    ARCH_FAIL = at(13, 22, 47, 31.204)
    ETL = (at(14, 1, 0), at(14, 4, 30))
    CRASH = at(14, 5, 52, 17.318)
    STOP = at(14, 6, 41, 5.77)
    RESIZE = at(14, 6, 44, 10.12)
    KEYFIX = at(14, 6, 47, 2.5)
    START = at(14, 6, 50, 22.41)
    LS_DOWN, LS_UP = at(13, 13, 38, 12), at(13, 16, 55, 40)
    OOMS = [at(13, 15, 8, 44.205), at(13, 16, 37, 12.811)]
    QUIET = [(at(13, 14, 55), at(13, 15, 25)), (at(14, 5, 40), at(14, 6, 5)), (at(14, 6, 35), at(14, 7, 0))]

    # ---- disk usage of the data volume (GB), capacity 200G, 300G after the resize
    pts = [(T0, 117.8), (ARCH_FAIL, 121.4), (ETL[0], 129.6), (ETL[1], 181.5), (CRASH, 200.0)]

    def used(t):
        if t >= CRASH:
            if t < START + sec(300):
                return 200.0
            # the archiver catches up and checkpoints remove the old WAL
            return max(123.1, 200.0 - (t - START - sec(300)).total_seconds() / 3600 * 31.0)
        for (a, ua), (b, ub) in zip(pts, pts[1:]):
            if a <= t < b:
                return ua + (ub - ua) * (t - a).total_seconds() / (b - a).total_seconds()
        return pts[0][1]

    def capacity(t):
        return 300.0 if t >= RESIZE + sec(21) else 200.0

    t = T0 + sec(7.3)
    while t < T1:
        u, cap = used(t), capacity(t)
        pct = min(100, int(round(100 * u / cap)))
        free = max(0.0, cap - u)
        msg = f"{PG_MOUNT} ({PG_LV}): {pct}% used, {free:.1f}G free"
        if pct >= 95:
            diskw(t, msg + " - above critical threshold 95%", 2, "disk_crit")
        elif pct >= 85:
            diskw(t, msg + " - above warning threshold 85%", 4, "disk_warn")
        else:
            diskw(t, msg, 6, "disk_ok")
        if t.minute < 5:
            diskw(t + sec(0.02), f"/ (vg0-root): {rng.choice([41, 41, 42])}% used, {rng.uniform(17.2, 17.9):.1f}G free", 6, "disk_root")
        t = T0 + sec(7.3) + sec(900) * ((t - T0).total_seconds() // 900 + 1) + sec(rng.uniform(0, 1.5))

    # ---- postgres: the long-running postmaster and its background processes
    PM0, CKPT, ARCH = 1187, 1189, 1192
    t = T0 + sec(rng.uniform(60, 600))
    ckpt_done = []
    while t < CRASH - sec(300):
        reason = "time"
        pg(t, CKPT, f"LOG:  checkpoint starting: {reason}", 6, "pg_ckpt_start")
        removed = rng.randint(6, 14) if t < ARCH_FAIL else 0
        recycled = rng.randint(8, 22) if t < ARCH_FAIL else 0
        w = rng.uniform(269.8, 270.1)
        ckpt_done.append(t + sec(w))
        pg(t + sec(w), CKPT,
           f"LOG:  checkpoint complete: wrote {rng.randint(900, 9000)} buffers ({rng.uniform(0.4, 5.5):.1f}%); 0 WAL file(s) added, "
           f"{removed} removed, {recycled} recycled; write={w - 0.02:.3f} s, sync={rng.uniform(0.002, 0.09):.3f} s, total={w:.3f} s; "
           f"sync files={rng.randint(40, 190)}, longest={rng.uniform(0.002, 0.03):.3f} s, average={rng.uniform(0.001, 0.003):.3f} s; "
           f"distance={rng.randint(60000, 420000)} kB, estimate={rng.randint(300000, 450000)} kB", 6, "pg_ckpt_done")
        t += sec(900 + rng.uniform(-0.5, 0.5))
    # max_wal_size cannot be honoured while nothing is archived: checkpoints pile up during the ETL
    t = ETL[0] + sec(400)
    while t < ETL[1]:
        pg(t, CKPT, f"LOG:  checkpoints are occurring too frequently ({rng.randint(38, 71)} seconds apart)", 6, "pg_ckpt_freq")
        pg(t + sec(0.0002), CKPT, "HINT:  Consider increasing the configuration parameter \"max_wal_size\".", 6, "pg_hint_wal")
        t += sec(rng.uniform(1100, 1500))
    for t in poisson(rng, ETL[0], ETL[1], 3.0):
        pg(t, newpid(t), f"etl@appdb LOG:  duration: {rng.uniform(20000, 190000):.3f} ms  statement: INSERT INTO ledger_daily "
                        "SELECT account_id, date_trunc('day', posted_at), sum(amount) FROM ledger_entries WHERE posted_at >= $1 GROUP BY 1, 2",
           6, "pg_etl_duration")
    tables = ["ledger_entries", "transfers", "accounts", "idempotency_keys", "audit_log"]
    for t in poisson(rng, T0, CRASH, 0.6):
        pg(t, newpid(t), f"LOG:  automatic vacuum of table \"appdb.public.{rng.choice(tables)}\": index scans: {rng.randint(0, 1)}", 6,
           "pg_autovacuum")
    for t in poisson(rng, T0, CRASH, 1.1):
        pg(t, newpid(t), f"reporting@appdb LOG:  duration: {rng.uniform(1000, 4800):.3f} ms  statement: SELECT currency, count(*), "
                        "sum(amount) FROM transfers WHERE created_at >= now() - interval '1 day' GROUP BY currency", 6, "pg_slow")
    # application errors (ERROR maps to syslog warning), not in the broad windows
    for t in poisson(rng, T0, T1, 0.5):
        if inside(t, QUIET) or CRASH - sec(60) < t < START + sec(120):
            continue
        p = newpid(t)
        key = hexs(rng, 32)
        pg(t, p, "app@appdb ERROR:  duplicate key value violates unique constraint \"idempotency_keys_pkey\"", 4, "pg_dup")
        pg(t + sec(0.0001), p, f"app@appdb DETAIL:  Key (key)=({key}) already exists.", 4, "pg_dup_detail")
        pg(t + sec(0.0002), p, "app@appdb STATEMENT:  INSERT INTO idempotency_keys (key, transfer_id, created_at) VALUES ($1, $2, now())", 4,
           "pg_dup_stmt")
    for t in poisson(rng, T0, T1, 0.12):
        if inside(t, QUIET) or CRASH - sec(60) < t < START + sec(120):
            continue
        pg(t, newpid(t), "app@appdb FATAL:  terminating connection due to idle-in-transaction timeout", 3, "pg_idle_tx")

    # ---- WAL archiving breaks: one archiver cycle logged every 12-16 minutes
    t, n = ARCH_FAIL, 0
    while t < CRASH:
        if n == 0:
            walpush(t - sec(0.05), f"ssh: WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! Host key for {BK} has changed and you have "
                                   "requested strict checking.", 4, "walpush_hostkey")
        walpush(t, f"push of {WAL_SEG} to {WAL_DEST} failed: Host key verification failed. (ssh exit 255)", 3, "walpush_fail")
        pg(t + sec(0.01), ARCH, "LOG:  archive command failed with exit code 255", 6, "pg_arch_fail")
        pg(t + sec(0.0101), ARCH, f"DETAIL:  The failing archive command was: /usr/local/bin/wal-push pg_wal/{WAL_SEG} {WAL_SEG}", 6,
           "pg_arch_detail")
        if n % 3 == 2:
            pg(t + sec(0.02), ARCH, f"WARNING:  archiving write-ahead log file \"{WAL_SEG}\" failed too many times, will try again later", 5,
               "pg_arch_warn")
        n += 1
        t += sec(rng.uniform(720, 960))
    arch_failures = n

    # ---- the crash and the restart loop
    stmt = "INSERT INTO ledger_entries (account_id, amount, currency, posted_at) VALUES ($1, $2, $3, now())"
    b = newpid(CRASH - sec(1893.4))
    pg(CRASH, b, f"app@appdb PANIC:  could not write to file \"pg_wal/xlogtemp.{b}\": No space left on device", 2, "pg_panic_nospace")
    pg(CRASH + sec(0.0003), b, f"app@appdb STATEMENT:  {stmt}", 2, "pg_panic_stmt")
    t = CRASH + sec(0.091)
    pg(t, PM0, f"LOG:  server process (PID {b}) was terminated by signal 6: Aborted", 6, "pg_child_died")
    pg(t + sec(0.0001), PM0, f"DETAIL:  Failed process was running: {stmt}", 6, "pg_child_detail")
    pg(t + sec(0.0002), PM0, "LOG:  terminating any other active server processes", 6, "pg_terminating")
    for i in range(3):
        pgb(t + sec(0.004 + i * 0.001),
            f"LOG S-0x55d7c8a1{hexs(rng, 4)}: appdb/app@127.0.0.1:5432 closing because: server conn crashed? (age={rng.randint(300, 9000)}s)",
            6, "pgb_crashed")
    t += sec(0.61)
    pg(t, PM0, "LOG:  all server processes terminated; reinitializing", 6, "pg_reinit")
    s = newpid(t)
    last_up = max(c for c in ckpt_done if c < CRASH)
    pg(t + sec(0.02), s, f"LOG:  database system was interrupted; last known up at {last_up.strftime('%Y-%m-%d %H:%M:%S')} CET", 6,
       "pg_interrupted")
    pg(t + sec(0.021), s, "LOG:  database system was not properly shut down; automatic recovery in progress", 6, "pg_recovery")
    pg(t + sec(0.03), s, "LOG:  redo starts at A31/7E2B1C48", 6, "pg_redo_start")
    el = rng.uniform(1.4, 1.9)
    pg(t + sec(0.03 + el), s, f"LOG:  redo done at A31/9FFFE7D0 system usage: CPU: user: {el * 0.55:.2f} s, system: {el * 0.24:.2f} s, "
                             f"elapsed: {el:.2f} s", 6, "pg_redo_done")
    t += sec(0.05 + el)
    pg(t, s, f"PANIC:  could not write to file \"pg_wal/xlogtemp.{s}\": No space left on device", 2, "pg_panic_nospace")
    pg(t + sec(0.05), PM0, f"LOG:  startup process (PID {s}) was terminated by signal 6: Aborted", 6, "pg_startup_died")
    pg(t + sec(0.0501), PM0, "LOG:  aborting startup due to startup process failure", 6, "pg_abort")
    pg(t + sec(0.07), PM0, "LOG:  database system is shut down", 6, "pg_shut_down")
    t += sec(0.09)
    sd(t, f"{PG_UNIT}: Main process exited, code=exited, status=1/FAILURE", 5, "sd_main_exited", PG_UNIT)
    sd(t + sec(0.001), f"{PG_UNIT}: Failed with result 'exit-code'.", 4, "sd_failed_result", PG_UNIT)
    sd(t + sec(0.002), f"{PG_UNIT}: Consumed 2d 4h 11min 31.877s CPU time.", 6, "sd_consumed", PG_UNIT)
    interrupted = t - sec(el)
    k = 0
    while True:
        t = t + sec(300 + rng.uniform(0.0, 0.02))
        if t >= STOP:
            break
        k += 1
        sd(t, f"{PG_UNIT}: Scheduled restart job, restart counter is at {k}.", 6, "sd_sched_restart", PG_UNIT)
        sd(t + sec(0.001), f"Stopped {PG_UNIT} - {PG_DESC}.", 6, "sd_stopped", PG_UNIT)
        sd(t + sec(0.003), f"Starting {PG_UNIT} - {PG_DESC}...", 6, "sd_starting", PG_UNIT)
        pm, s = newpid(t), None
        t1 = t + sec(rng.uniform(0.25, 0.4))
        pg(t1, pm, "LOG:  starting PostgreSQL 15.5 (Debian 15.5-1.pgdg120+1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) "
                   "12.2.0, 64-bit", 6, "pg_start")
        pg(t1 + sec(0.001), pm, "LOG:  listening on IPv4 address \"0.0.0.0\", port 5432", 6, "pg_listen")
        pg(t1 + sec(0.002), pm, "LOG:  listening on Unix socket \"/var/run/postgresql/.s.PGSQL.5432\"", 6, "pg_listen_unix")
        s = newpid(t1)
        t2 = t1 + sec(0.02)
        pg(t2, s, f"LOG:  database system was interrupted while in recovery at {interrupted.strftime('%Y-%m-%d %H:%M:%S')} CET", 6,
           "pg_interrupted_rec")
        pg(t2 + sec(0.0001), s, "HINT:  This probably means that some data is corrupted and you will have to use the last backup for "
                                "recovery.", 6, "pg_hint_corrupt")
        pg(t2 + sec(0.0002), s, "LOG:  database system was not properly shut down; automatic recovery in progress", 6, "pg_recovery")
        pg(t2 + sec(0.01), s, "LOG:  redo starts at A31/7E2B1C48", 6, "pg_redo_start")
        el = rng.uniform(1.4, 1.9)
        pg(t2 + sec(0.01 + el), s, f"LOG:  redo done at A31/9FFFE7D0 system usage: CPU: user: {el * 0.55:.2f} s, system: {el * 0.24:.2f} s, "
                                   f"elapsed: {el:.2f} s", 6, "pg_redo_done")
        t3 = t2 + sec(0.03 + el)
        interrupted = t3
        pg(t3, s, f"PANIC:  could not write to file \"pg_wal/xlogtemp.{s}\": No space left on device", 2, "pg_panic_nospace")
        pg(t3 + sec(0.05), pm, f"LOG:  startup process (PID {s}) was terminated by signal 6: Aborted", 6, "pg_startup_died")
        pg(t3 + sec(0.0501), pm, "LOG:  aborting startup due to startup process failure", 6, "pg_abort")
        pg(t3 + sec(0.07), pm, "LOG:  database system is shut down", 6, "pg_shut_down")
        pgctl(t3 + sec(0.2), "Error: /usr/lib/postgresql/15/bin/pg_ctl /usr/lib/postgresql/15/bin/pg_ctl start -D /var/lib/postgresql/15/main "
                             "-l /var/log/postgresql/postgresql-15-main.log -s -o  -c config_file=\"/etc/postgresql/15/main/postgresql.conf\"  "
                             "exited with status 1: ", "pgctl_error")
        t = t3 + sec(0.23)
        sd(t, f"{PG_UNIT}: Control process exited, code=exited, status=1/FAILURE", 5, "sd_control_exited", PG_UNIT)
        sd(t + sec(0.001), f"{PG_UNIT}: Failed with result 'exit-code'.", 4, "sd_failed_result", PG_UNIT)
        sd(t + sec(0.002), f"Failed to start {PG_UNIT} - {PG_DESC}.", 3, "sd_failed_start", PG_UNIT)
    restarts = k
    # pgbouncer keeps trying the server while it is down
    t = CRASH + sec(rng.uniform(20, 60))
    while t < START:
        pgb(t, "LOG S-0x55d7c8a1f3c0: appdb/app@127.0.0.1:5432 closing because: connect failed (age=0s)", 6, "pgb_connect_failed")
        t += sec(rng.uniform(120, 200))

    # ---- the on-call: log in, stop the loop, grow the volume, fix known_hosts, start
    sess = 881
    p = newpid(at(14, 6, 37, 48.2))
    login = at(14, 6, 37, 48.2)
    sshd(login, p, f"Accepted publickey for {ONCALL} from 10.20.0.15 port 52814 ssh2: ED25519 SHA256:Xk3vQ0lP8f2mZrYb1cT6wD9sHnE4aJ7uK5oG2iLqR0M",
         "ssh_accept", facility=4)
    sshd(login + sec(0.02), p, f"pam_unix(sshd:session): session opened for user {ONCALL}(uid={ONCALL_UID}) by (uid=0)", "ssh_pam_open",
         facility=10)
    logind(login + sec(0.03), f"New session {sess} of user {ONCALL}.", "logind_new")
    sd(login + sec(0.05), f"Started session-{sess}.scope - Session {sess} of User {ONCALL}.", 6, "sd_session_started", f"session-{sess}.scope")
    sudo(at(14, 6, 39, 40.6), sess, f"/usr/bin/journalctl -u {PG_UNIT} --since -1h")
    sudo(STOP - sec(0.3), sess, "/usr/bin/systemctl stop postgresql@15-main")
    sd(STOP, f"Stopped {PG_UNIT} - {PG_DESC}.", 6, "sd_stopped", PG_UNIT)
    sudo(at(14, 6, 42, 30.9), sess, "/usr/bin/du -sh /var/lib/postgresql/15/main/pg_wal")
    sudo(RESIZE, sess, "/usr/sbin/lvextend -r -L +100G /dev/vg0/pgdata")
    kern(RESIZE + sec(1.8), "EXT4-fs (dm-2): resizing filesystem from 52428800 to 78643200 blocks", 6, "k_ext4_resizing")
    kern(RESIZE + sec(20.6), "EXT4-fs (dm-2): resized filesystem to 78643200", 6, "k_ext4_resized")
    sudo(KEYFIX, sess, f"/usr/bin/sudo -u postgres ssh-keygen -f /var/lib/postgresql/.ssh/known_hosts -R {BK}")
    sudo(KEYFIX + sec(41.2), sess, f"/usr/bin/sudo -u postgres ssh -o StrictHostKeyChecking=accept-new barman@{BK} true")
    sudo(at(14, 6, 49, 40.2), sess, "/usr/bin/systemctl reset-failed postgresql@15-main")
    sudo(START - sec(0.05), sess, "/usr/bin/systemctl start postgresql@15-main")
    sd(START, f"Starting {PG_UNIT} - {PG_DESC}...", 6, "sd_starting", PG_UNIT)
    pm = newpid(START)
    t1 = START + sec(0.31)
    pg(t1, pm, "LOG:  starting PostgreSQL 15.5 (Debian 15.5-1.pgdg120+1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) "
               "12.2.0, 64-bit", 6, "pg_start")
    pg(t1 + sec(0.001), pm, "LOG:  listening on IPv4 address \"0.0.0.0\", port 5432", 6, "pg_listen")
    pg(t1 + sec(0.002), pm, "LOG:  listening on Unix socket \"/var/run/postgresql/.s.PGSQL.5432\"", 6, "pg_listen_unix")
    s = newpid(t1)
    t2 = t1 + sec(0.02)
    pg(t2, s, f"LOG:  database system was interrupted while in recovery at {interrupted.strftime('%Y-%m-%d %H:%M:%S')} CET", 6,
       "pg_interrupted_rec")
    pg(t2 + sec(0.0001), s, "HINT:  This probably means that some data is corrupted and you will have to use the last backup for recovery.",
       6, "pg_hint_corrupt")
    pg(t2 + sec(0.0002), s, "LOG:  database system was not properly shut down; automatic recovery in progress", 6, "pg_recovery")
    pg(t2 + sec(0.01), s, "LOG:  redo starts at A31/7E2B1C48", 6, "pg_redo_start")
    pg(t2 + sec(1.71), s, "LOG:  redo done at A31/9FFFE7D0 system usage: CPU: user: 0.93 s, system: 0.40 s, elapsed: 1.70 s", 6,
       "pg_redo_done")
    ck = newpid(t2)
    pg(t2 + sec(1.75), ck, "LOG:  checkpoint starting: end-of-recovery immediate wait", 6, "pg_ckpt_start")
    t3 = t2 + sec(1.75 + 38.91)
    pg(t3, ck, "LOG:  checkpoint complete: wrote 48213 buffers (29.4%); 0 WAL file(s) added, 0 removed, 0 recycled; write=38.114 s, "
               "sync=0.702 s, total=38.907 s; sync files=311, longest=0.091 s, average=0.003 s; distance=536871 kB, estimate=536871 kB",
       6, "pg_ckpt_done")
    pg(t3 + sec(0.01), pm, "LOG:  database system is ready to accept connections", 6, "pg_ready")
    sd(t3 + sec(0.03), f"Started {PG_UNIT} - {PG_DESC}.", 6, "sd_started", PG_UNIT)
    walpush(t3 + sec(7.4), f"pushed {WAL_SEG} to {WAL_DEST} (first success after {arch_failures} failed attempts)", 6, "walpush_ok")
    pgb(t3 + sec(2.2), "LOG S-0x55d7c8a1f3c0: appdb/app@127.0.0.1:5432 new connection to server (from 127.0.0.1:41822)", 6, "pgb_new_conn")
    # background again: checkpoints, now removing the WAL that piled up
    t = t3 + sec(300)
    while t < T1:
        pg(t, ck, "LOG:  checkpoint starting: time", 6, "pg_ckpt_start")
        w = rng.uniform(269.8, 270.1)
        removed = rng.randint(700, 1400) if t < at(14, 9, 40) else rng.randint(6, 14)
        pg(t + sec(w), ck,
           f"LOG:  checkpoint complete: wrote {rng.randint(900, 9000)} buffers ({rng.uniform(0.4, 5.5):.1f}%); 0 WAL file(s) added, "
           f"{removed} removed, {rng.randint(8, 22)} recycled; write={w - 0.02:.3f} s, sync={rng.uniform(0.002, 0.09):.3f} s, total={w:.3f} s; "
           f"sync files={rng.randint(40, 190)}, longest={rng.uniform(0.002, 0.03):.3f} s, average={rng.uniform(0.001, 0.003):.3f} s; "
           f"distance={rng.randint(60000, 420000)} kB, estimate={rng.randint(300000, 450000)} kB", 6, "pg_ckpt_done")
        t += sec(900 + rng.uniform(-0.5, 0.5))
    sshd(at(14, 7, 31, 9.4), p, f"Received disconnect from 10.20.0.15 port 52814:11: disconnected by user", "ssh_disconnect", facility=4)
    sshd(at(14, 7, 31, 9.41), p, f"Disconnected from user {ONCALL} 10.20.0.15 port 52814", "ssh_disconnected", facility=4)
    sshd(at(14, 7, 31, 9.43), p, f"pam_unix(sshd:session): session closed for user {ONCALL}", "ssh_pam_close", facility=10)
    logind(at(14, 7, 31, 9.45), f"Session {sess} logged out. Waiting for processes to exit.", "logind_logout")
    logind(at(14, 7, 31, 9.5), f"Removed session {sess}.", "logind_removed")

    # ---- pgbouncer stats every 15 minutes
    t = T0 + sec(rng.uniform(30, 800))
    while t < T1:
        down = CRASH <= t < START + sec(40)
        if down:
            msg = "LOG stats: 0 xacts/s, 0 queries/s, in 0 B/s, out 0 B/s, xact 0 us, query 0 us, wait 0 us"
        else:
            day = 8 <= t.hour < 20
            x = rng.randint(300, 520) if day else rng.randint(40, 140)
            msg = (f"LOG stats: {x} xacts/s, {x * rng.randint(4, 5)} queries/s, in {x * rng.randint(850, 990)} B/s, out "
                   f"{x * rng.randint(2300, 2600)} B/s, xact {rng.randint(1400, 2600)} us, query {rng.randint(300, 520)} us, wait "
                   f"{rng.randint(3, 40)} us")
        pgb(t, msg, 6, "pgb_stats")
        t += sec(900 + rng.uniform(-0.2, 0.2))

    # ---- unrelated: logstash-01 goes away, filebeat buffers in memory and is OOM-killed twice
    FBP = [2817, newpid(OOMS[0] + sec(10)), newpid(OOMS[1] + sec(10))]

    def fbpid_at(t):
        return FBP[sum(1 for o in OOMS if t > o + sec(10))]

    origin = {"function": "github.com/elastic/beats/v7/libbeat/publisher/pipeline.(*netClientWorker).run",
              "file.name": "pipeline/client_worker.go", "file.line": 150}
    for t in poisson(rng, T0, T1, 1.2):
        if LS_DOWN <= t < LS_UP + sec(60):
            continue
        fb(t, fbpid_at(t), "info", "input.harvester",
           f"File is inactive. Closing because close_inactive of 5m0s reached.", "fb_inactive")
    t = LS_DOWN + sec(4.2)
    while t < LS_UP:
        if any(o - sec(30) < t < o + sec(40) for o in OOMS):
            t += sec(60)
            continue
        cur = fbpid_at(t)
        fb(t, cur, "info", "publisher_pipeline_output", f"Connecting to backoff(async(tcp://{LS}))", "fb_connecting")
        fb(t + sec(0.002), cur, "error", "publisher_pipeline_output",
           f"Failed to connect to backoff(async(tcp://{LS})): dial tcp 10.20.0.31:5044: connect: connection refused", "fb_conn_refused", origin)
        t += sec(rng.uniform(240, 420))
    for i, o in enumerate(OOMS):
        victim = FBP[i]
        kern(o, "filebeat invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0", 4, "k_oom_invoked")
        kern(o + sec(0.0001), f"CPU: {rng.randint(0, 15)} PID: {victim} Comm: filebeat Not tainted 6.1.0-17-amd64 #1 Debian 6.1.69-1", 4, "k_oom_cpu")
        kern(o + sec(0.0002), "Hardware name: Dell Inc. PowerEdge R650/0Y2G81, BIOS 1.11.2 08/10/2023", 4, "k_oom_hw")
        kern(o + sec(0.0004), f"memory: usage 1048576kB, limit 1048576kB, failcnt {rng.randint(40000, 99000)}", 6, "k_oom_memory")
        kern(o + sec(0.0005), "swap: usage 0kB, limit 9007199254740988kB, failcnt 0", 6, "k_oom_swap")
        kern(o + sec(0.0006), "Tasks state (memory values in pages):", 6, "k_oom_tasks")
        kern(o + sec(0.0007), f"[  {victim}]     0  {victim}   {rng.randint(700000, 720000)}   {rng.randint(258000, 262000)}  "
                             f"{rng.randint(2300000, 2400000)}        0             0 filebeat", 6, "k_oom_task_line")
        kern(o + sec(0.0009), f"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice/"
                             f"{FB_UNIT},task_memcg=/system.slice/{FB_UNIT},task=filebeat,pid={victim},uid=0", 6, "k_oom_kill_constraint")
        kern(o + sec(0.001), f"Memory cgroup out of memory: Killed process {victim} (filebeat) total-vm:{rng.randint(2800000, 2880000)}kB, "
                            f"anon-rss:{rng.randint(1030000, 1045000)}kB, file-rss:{rng.randint(29000, 32000)}kB, shmem-rss:0kB, UID:0 "
                            f"pgtables:{rng.randint(2250, 2350)}kB oom_score_adj:0", 3, "k_oom_killed")
        sd(o + sec(0.07), f"{FB_UNIT}: A process of this unit has been killed by the OOM killer.", 4, "sd_oom_unit", FB_UNIT)
        sd(o + sec(0.21), f"{FB_UNIT}: Main process exited, code=killed, status=9/KILL", 5, "sd_main_killed", FB_UNIT)
        sd(o + sec(0.211), f"{FB_UNIT}: Failed with result 'oom-kill'.", 4, "sd_failed_oom", FB_UNIT)
        sd(o + sec(0.212), f"{FB_UNIT}: Consumed {rng.randint(1, 3)}h {rng.randint(1, 59)}min {rng.uniform(1, 59):.3f}s CPU time.", 6,
           "sd_consumed", FB_UNIT)
        sd(o + sec(10.3), f"{FB_UNIT}: Scheduled restart job, restart counter is at 1.", 6, "sd_sched_restart", FB_UNIT)
        sd(o + sec(10.301), f"Stopped {FB_UNIT} - {FB_DESC}.", 6, "sd_stopped", FB_UNIT)
        sd(o + sec(10.304), f"Started {FB_UNIT} - {FB_DESC}.", 6, "sd_started", FB_UNIT)
        fb(o + sec(10.9), FBP[i + 1], "info", "beat",
           "Home path: [/usr/share/filebeat] Config path: [/etc/filebeat] Data path: [/var/lib/filebeat] Logs path: [/var/log/filebeat]",
           "fb_start")
    fb(LS_UP, FBP[2], "info", "publisher_pipeline_output", f"Connection to backoff(async(tcp://{LS})) established",
       "fb_established")

    # ---- routine: cron, ssh sessions of the DBAs, chrony, smartd, kernel firewall, daily timers
    t = T0 + sec(17 * 60 + 1.2)
    while t < T1:
        p = newpid(t)
        rec(t, "CRON", "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", 6, "cron_open", facility=10, pid=p,
            unit="cron.service")
        rec(t + sec(0.003), "CRON", "(root) CMD (cd / && run-parts --report /etc/cron.hourly)", 6, "cron_cmd", facility=9, pid=p,
            unit="cron.service")
        rec(t + sec(0.04), "CRON", "pam_unix(cron:session): session closed for user root", 6, "cron_close", facility=10, pid=p, unit="cron.service")
        t += sec(3600)
    t = T0 + sec(5 * 60 + 1.1)
    while t < T1:
        if not (CRASH - sec(30) < t < START + sec(60)):
            p = newpid(t)
            rec(t, "CRON", "pam_unix(cron:session): session opened for user postgres(uid=110) by (uid=0)", 6, "cron_open", facility=10, pid=p,
                unit="cron.service")
            rec(t + sec(0.003), "CRON", "(postgres) CMD (/usr/local/bin/pg_partman_maint.sh >/dev/null 2>&1)", 6, "cron_cmd", facility=9, pid=p,
                unit="cron.service")
            rec(t + sec(rng.uniform(1.5, 4)), "CRON", "pam_unix(cron:session): session closed for user postgres", 6, "cron_close", facility=10,
                pid=p, unit="cron.service")
        t += sec(3600)
    sn_next = [702]
    dbas = [("mlindqvist", 1004, "10.20.0.22"), ("tbauer", 1007, "10.20.0.31"), ("svc-ansible", 998, "10.20.1.5")]
    for t in poisson(rng, T0, T1, 0.9, lambda x: 1.0 if 7 <= x.hour < 20 else 0.25):
        if inside(t, QUIET) or CRASH - sec(60) < t < START:
            continue
        user, uid, ip = rng.choice(dbas)
        p = newpid(t)
        sn_next[0] += rng.randint(1, 4)
        if t > login and sn_next[0] <= sess:
            sn_next[0] = sess + rng.randint(1, 3)
        sn = sn_next[0]
        port = rng.randint(40000, 60999)
        sshd(t, p, f"Accepted publickey for {user} from {ip} port {port} ssh2: ED25519 SHA256:{hexs(rng, 6)}{rng.choice(['Qm', 'Zx', 'Lp'])}"
                   f"{hexs(rng, 8)}", "ssh_accept", facility=4)
        sshd(t + sec(0.02), p, f"pam_unix(sshd:session): session opened for user {user}(uid={uid}) by (uid=0)", "ssh_pam_open", facility=10)
        logind(t + sec(0.03), f"New session {sn} of user {user}.", "logind_new")
        sd(t + sec(0.05), f"Started session-{sn}.scope - Session {sn} of User {user}.", 6, "sd_session_started", f"session-{sn}.scope")
        e = t + sec(rng.uniform(40, 1500))
        sshd(e, p, f"Received disconnect from {ip} port {port}:11: disconnected by user", "ssh_disconnect", facility=4)
        sshd(e + sec(0.01), p, f"Disconnected from user {user} {ip} port {port}", "ssh_disconnected", facility=4)
        sshd(e + sec(0.02), p, f"pam_unix(sshd:session): session closed for user {user}", "ssh_pam_close", facility=10)
        logind(e + sec(0.03), f"Session {sn} logged out. Waiting for processes to exit.", "logind_logout")
        logind(e + sec(0.08), f"Removed session {sn}.", "logind_removed")
    for t in poisson(rng, T0, T1, 0.8):
        k2 = rng.random()
        if k2 < 0.6:
            msg = f"Selected source 10.20.0.{rng.choice([2, 3])} (ntp{rng.choice([1, 2])}.corp.internal)"
        else:
            msg = f"Source 10.20.0.4 replaced with 10.20.0.{rng.choice([5, 6])} (ntp3.corp.internal)"
        rec(t, "chronyd", msg, 6, "chrony", facility=3, pid=702, uid=104, gid=111, unit="chrony.service")
    t, temp = T0 + sec(rng.uniform(60, 1700)), 33
    while t < T1:
        new = max(29, min(39, temp + rng.choice([-1, 1])))
        dev = rng.choice(["/dev/sda [SAT]", "/dev/sdb [SAT]"])
        rec(t, "smartd", f"Device: {dev}, SMART Usage Attribute: 194 Temperature_Celsius changed from {temp} to {new}", 6, "smartd_temp",
            facility=3, pid=689, unit="smartmontools.service")
        temp = new
        t += sec(1800 + rng.uniform(-2, 2))
    for t in poisson(rng, T0, T1, 1.5):
        if inside(t, QUIET):
            continue
        kern(t, f"[UFW BLOCK] IN=eno1 OUT= MAC=3c:ec:ef:4a:12:9e:00:1c:73:00:00:99:08:00 SRC=10.20.9.{rng.randint(10, 40)} DST=10.20.3.11 "
                f"LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID={rng.randint(1000, 65000)} DF PROTO=TCP SPT={rng.randint(33000, 60999)} "
                f"DPT={rng.choice([9187, 9100, 6432, 5433])} WINDOW=64240 RES=0x00 SYN URGP=0", 4, "k_ufw")
    for d, (unit, desc) in ((13, ("logrotate.service", "Rotate log files")), (14, ("logrotate.service", "Rotate log files")),
                            (13, ("apt-daily.service", "Daily apt download activities")),
                            (14, ("systemd-tmpfiles-clean.service", "Cleanup of Temporary Directories"))):
        t = at(d, 0, 0, rng.uniform(0.5, 9)) if unit == "logrotate.service" else at(d, rng.choice([9, 18, 21]), rng.randint(0, 59), rng.uniform(0, 59))
        if not T0 <= t < T1:
            continue
        sd(t, f"Starting {unit} - {desc}...", 6, "sd_starting", unit)
        sd(t + sec(rng.uniform(0.2, 2)), f"{unit}: Deactivated successfully.", 6, "sd_deactivated", unit)
        sd(t + sec(rng.uniform(2.1, 3)), f"Finished {unit} - {desc}.", 6, "sd_finished", unit)

    # nightly base backup to bk-01 (pgBackRest over ssh with its own key, so unaffected)
    t = at(14, 1, 30, 0.4)
    sd(t, "Starting pg-basebackup.service - Nightly pgBackRest backup of 15-main...", 6, "sd_starting", "pg-basebackup.service")
    bp = newpid(t)
    rec(t + sec(0.6), "pgbackrest", "P00   INFO: backup command begin 2.49: --exec-id=" + f"{bp}-{hexs(rng, 8)} --log-level-console=info "
        "--pg1-path=/var/lib/postgresql/15/main --repo1-host=bk-01 --stanza=main --type=incr", 6, "pgbr_begin", transport="stdout",
        facility=3, pid=bp, uid=110, gid=118, unit="pg-basebackup.service")
    rec(t + sec(1.1), "pgbackrest", "P00   INFO: execute non-exclusive backup start: backup begins after the next regular checkpoint completes",
        6, "pgbr_start", transport="stdout", facility=3, pid=bp, uid=110, gid=118, unit="pg-basebackup.service")
    done = t + sec(2311.7)
    rec(done, "pgbackrest", "P00   INFO: incr backup size = 14.2GB, file total = 3120", 6, "pgbr_size", transport="stdout", facility=3, pid=bp,
        uid=110, gid=118, unit="pg-basebackup.service")
    rec(done + sec(0.4), "pgbackrest", "P00   INFO: backup command end: completed successfully (2311702ms)", 6, "pgbr_end", transport="stdout",
        facility=3, pid=bp, uid=110, gid=118, unit="pg-basebackup.service")
    sd(done + sec(0.5), "pg-basebackup.service: Deactivated successfully.", 6, "sd_deactivated", "pg-basebackup.service")
    sd(done + sec(0.51), "Finished pg-basebackup.service - Nightly pgBackRest backup of 15-main.", 6, "sd_finished", "pg-basebackup.service")

    recs, tpls = L.build()
    out = []
    for i, r in enumerate(recs):
        seq = 0x2c41f0 + i
        x = hashlib.sha256(f"{seq}:{r['MESSAGE']}".encode()).hexdigest()[:16]
        cursor = (f"s={J_SEQNUM_ID};i={seq:x};b={J_BOOT_ID};m={int(r['__MONOTONIC_TIMESTAMP']):x};"
                  f"t={int(r['__REALTIME_TIMESTAMP']):x};x={x}")
        nr = {"timestamp": r["timestamp"], "message": r["message"], "__CURSOR": cursor}
        for k_, v in r.items():
            if k_ not in nr:
                nr[k_] = v
        out.append(nr)
    return out, tpls


def facts_journald(records):
    def ts(pred):
        return next(r["timestamp"] for r in records if pred(r))

    first_arch = ts(lambda r: "archive command failed" in r["message"])
    crash = ts(lambda r: "PANIC" in r["message"])
    start = ts(lambda r: r["message"].endswith("COMMAND=/usr/bin/systemctl start postgresql@15-main"))
    restarts = sum(1 for r in records if r["message"].startswith(f"{PG_UNIT}: Scheduled restart job"))
    return {"first_arch": first_arch, "crash": crash, "start": start, "restarts": restarts}


def plus(ts, minutes):
    return (datetime.fromisoformat(ts.replace("Z", "+00:00")) + timedelta(minutes=minutes)).isoformat(timespec="seconds")


def questions_journald(f):
    def problems(since, until):
        return [{"field": {"PRIORITY": "[0-4]"}, "since": since, "until": until}]

    return [
        q("broad",
          "pg-db-03 fell over early this morning and the app is throwing 500s. what went wrong between 05:45 and 06:00 on feb 14?",
          ["No space left on device", "pg_wal"],
          problems("2024-02-14T05:45:00+01:00", "2024-02-14T06:00:00+01:00")),
        q("paraphrase",
          "was that box already running low on room before it died? since when",
          [PG_MOUNT, "threshold"],
          {"field": {"SYSLOG_IDENTIFIER": "diskwatch", "PRIORITY": "[0-4]"}, "until": f["crash"]}),
        q("lexical",
          "i see 'archive command failed with exit code 255' all over the journal. since when, and whats the actual error underneath?",
          ["Host key verification failed", BK],
          {"msg": r"archive command failed with exit code 255|The failing archive command|Host key", "until": plus(f["first_arch"], 45)}),
        q("paraphrase",
          "how many times did it try to revive itself before a human stepped in?",
          ["restart counter", "postgresql@15-main"],
          {"field": {"SYSLOG_IDENTIFIER": "systemd"}, "msg": "^" + re.escape(PG_UNIT) + r": Scheduled restart job"}),
        q("lexical",
          "akowalski says he grew /dev/vg0/pgdata and kicked pg somewhere between 06:40 and 06:50. did it actualy come back up?",
          ["ready to accept connections", "Started postgresql@15-main"],
          {"msg": r"ready to accept connections|^Started postgresql@15-main|^pushed " + WAL_SEG, "since": f["start"],
           "until": plus(f["start"], 10)}),
        q("broad",
          "unrelated: kibana has a hole in this host's logs yesterday afternoon. anything wrong between 15:00 and 15:20 on the 13th?",
          ["filebeat", "out of memory"],
          problems("2024-02-13T15:00:00+01:00", "2024-02-13T15:20:00+01:00")),
    ]


# =============================================================================================
# 2. rpc: ledger-svc, a Go gRPC service with its own JSON logger. At 11:02 a canary (v2.14.0)
#    starts taking a share of traffic; it scores every transfer of 50,000 INR or more with the
#    fraud API risk-gw, whose quota for the new client id is tiny, so during the payroll bursts
#    PostTransfer fails with RESOURCE_EXHAUSTED for the business accounts that send large
#    transfers, on the canary only. The canary is pulled at 18:12 and comes back fixed (v2.14.1)
#    the next morning. Unrelated: the client certificate ledger-svc uses for fx-rates expires at
#    05:30 IST (00:00Z) on the 8th; GetBalance in a foreign currency fails until it is rotated at
#    07:48. Times in +05:30 (IST).

R_TZ = timezone(timedelta(hours=5, minutes=30))
R_STABLE = ["ledger-svc-6c8d7f9b5-2xkqp", "ledger-svc-6c8d7f9b5-9tzvw", "ledger-svc-6c8d7f9b5-m4hcr"]
R_STABLE_NEW = "ledger-svc-6c8d7f9b5-w8jzn"
R_CANARY1 = "ledger-svc-canary-5b7f4d8c9-qx7ln"
R_CANARY2 = "ledger-svc-canary-7f6c9d4b8-h2rmd"
R_ACME = "acc_40017733"
R_BIZ = ["acc_40017733", "acc_40021958", "acc_40090412", "acc_40055120", "acc_40063381", "acc_40078845"]
R_TICKET_ACCT = "acc_40090412"
R_CERT_OLD = "CN=ledger-svc.fx-client serial=4F:2A:91:0C notAfter=2023-11-08T00:00:00Z"
R_CERT_NEW = "CN=ledger-svc.fx-client serial=61:0B:7E:22 notAfter=2024-02-06T00:00:00Z"
R_RISK = "https://risk-gw.risk.svc:9443/v1/score"


def gen_rpc():
    rng = random.Random(20231107)

    def at(d, hh, mm, ss=0.0):
        return datetime(2023, 11, d, hh, mm, tzinfo=R_TZ) + sec(ss)

    T0, T1 = at(7, 8, 0), at(8, 11, 0)
    L = Log(lambda d: d.isoformat(timespec="milliseconds"))

    def rl(dt, lvl, node, msg, tpl, **kw):
        r = {"message": msg, "t": dt.isoformat(timespec="milliseconds"), "lvl": lvl,
             "svc": "ledger-svc-canary" if "-canary-" in node else "ledger-svc", "node": node}
        for k in ("op", "acct", "rid", "code", "dur_ms", "dep", "amt", "ccy"):
            if k in kw:
                r[k] = kw[k]
        r["msg"] = msg
        L.add(dt, tpl, r)

    def rid():
        return "r-" + hexs(rng, 16)

    CAN1_UP, CAN1_DOWN = at(7, 11, 2, 14.307), at(7, 18, 12, 40.118)
    DRAIN = at(8, 3, 10, 5.551)
    FX_EXP = datetime(2023, 11, 8, 0, 0, tzinfo=UTC).astimezone(R_TZ)
    FX_FIX = at(8, 7, 48, 31.92)
    CAN2_UP = at(8, 10, 15, 3.664)
    BURSTS = [(at(7, 12, 0), at(7, 12, 40)), (at(7, 17, 0), at(7, 17, 25))]
    QUIET = [(at(7, 12, 5), at(7, 12, 30)), (at(8, 5, 25), at(8, 5, 50))]

    lives = {R_STABLE[0]: (T0 - sec(86400 * 3), DRAIN), R_STABLE[1]: (T0 - sec(86400 * 3), T1), R_STABLE[2]: (T0 - sec(86400 * 3), T1),
             R_STABLE_NEW: (DRAIN + sec(38.2), T1), R_CANARY1: (CAN1_UP + sec(1.2), CAN1_DOWN), R_CANARY2: (CAN2_UP + sec(1.2), T1)}

    def alive(t):
        return [p for p, (a, b) in lives.items() if a <= t < b]

    def route(t):
        pods = alive(t)
        can = [p for p in pods if "-canary-" in p]
        if can and rng.random() < 0.2:
            return can[0]
        return rng.choice([p for p in pods if "-canary-" not in p])

    retail = [f"acc_{rng.randint(10000000, 19999999)}" for _ in range(240)]

    def any_acct():
        return rng.choice(R_BIZ) if rng.random() < 0.08 else rng.choice(retail)

    def day(t):
        return 1.0 if 8 <= t.hour < 22 else 0.3

    # ---- pod lifecycle
    def start_pod(t, node, ver, rev, gov, fraud):
        rl(t, "I", node, f"starting ledger-svc {ver} (rev {rev}, {gov})", "start")
        rl(t + sec(0.004), "I", node, "config: region=ap-south-1 db=ledger-db-primary.ledger.svc:5432 pool_max=20 "
                                      "fx=fx-rates.fx.svc:8443 risk=risk-gw.risk.svc:9443", "config")
        rl(t + sec(0.006), "I", node, fraud, "fraud_cfg")
        if t < FX_EXP:
            left = FX_EXP - t
            rl(t + sec(0.011), "W", node, f"fx-rates client certificate expires soon: {R_CERT_OLD} (in {fmt_hm(left)})",
               "cert_soon", dep="fx-rates")
        rl(t + sec(0.9), "I", node, "grpc listening on :8443, metrics on :9090", "listening")

    def stop_pod(t, node, served):
        rl(t, "I", node, f"received SIGTERM, draining {rng.randint(2, 9)} in-flight requests", "sigterm")
        up = t + sec(rng.uniform(1.2, 2.8))
        rl(up, "I", node, f"shutdown complete after {go_dur(up - lives[node][0] + sec(1.2))}, {served} requests served", "shutdown")

    fraud_on = f"fraud scoring enabled for transfers >= 50000.00 INR: risk-gw {R_RISK} (client_id=ledger-svc, timeout=800ms, retries=2)"
    start_pod(CAN1_UP, R_CANARY1, "v2.14.0", "3f9a2c1", "go1.21.3", fraud_on)
    stop_pod(DRAIN, R_STABLE[0], rng.randint(400000, 520000))
    start_pod(DRAIN + sec(37.0), R_STABLE_NEW, "v2.13.4", "a71c0d2", "go1.21.1", "fraud scoring disabled (flag fraud_scoring_large_transfers=off)")
    start_pod(CAN2_UP, R_CANARY2, "v2.14.1", "8b21e07", "go1.21.3",
              fraud_on.replace("retries=2)", "retries=2, quota=50rps)"))

    # ---- fx-rates certificate: reminders every 6 h per pod, then expiry and rotation
    for node, (a, b) in lives.items():
        t = max(a + sec(6 * 3600), T0 + sec(rng.uniform(100, 5000)))
        while t < min(b, FX_EXP):
            rl(t, "W", node, f"fx-rates client certificate expires soon: {R_CERT_OLD} (in {fmt_hm(FX_EXP - t)})", "cert_soon", dep="fx-rates")
            t += sec(6 * 3600 + rng.uniform(-3, 3))
        if a <= FX_EXP < b:
            rl(FX_EXP + sec(rng.uniform(0.5, 50)), "E", node, f"fx-rates client certificate has expired: {R_CERT_OLD}", "cert_expired",
               dep="fx-rates")
        if a <= FX_FIX < b:
            rl(FX_FIX + sec(rng.uniform(0.2, 9)), "I", node, f"reloaded fx-rates client certificate: {R_CERT_NEW}", "cert_reloaded",
               dep="fx-rates")
    fx_fail = ('fx-rates convert failed: rpc error: code = Unavailable desc = connection error: desc = "transport: authentication '
               'handshake failed: remote error: tls: expired certificate"')
    for t in poisson(rng, FX_EXP + sec(20), FX_FIX + sec(5), 17.0, lambda x: 0.6 if x.hour < 7 else 1.0):
        rl(t, "E", route(t), fx_fail, "fx_fail", op="GetBalance", acct=any_acct(), rid=rid(), code="UNAVAILABLE",
           dur_ms=rng.randint(4, 31), dep="fx-rates", ccy=rng.choice(["USD", "USD", "EUR", "GBP", "AED"]))

    # ---- sampled successful requests
    ops = [("GetBalance", 0.42, (3, 25)), ("ListTransactions", 0.25, (20, 180)), ("PostTransfer", 0.2, (35, 140)), ("GetAccount", 0.13, (2, 12))]
    served = {p: 0 for p in lives}
    for t in poisson(rng, T0, T1, 42.0, day):
        x, acc = rng.random(), 0.0
        for op, w, (lo, hi) in ops:
            acc += w
            if x < acc:
                break
        node = route(t)
        served[node] += 1
        kw = {"op": op, "acct": any_acct(), "rid": rid(), "code": "OK", "dur_ms": rng.randint(lo, hi)}
        if op == "PostTransfer":
            kw.update(amt=f"{rng.uniform(100, 45000):.2f}", ccy="INR")
        if op == "GetBalance":
            ccy = "INR" if rng.random() < 0.92 or FX_EXP <= t < FX_FIX else rng.choice(["USD", "EUR", "GBP"])
            kw.update(ccy=ccy)
            if ccy != "INR":
                kw.update(dep="fx-rates")
        rl(t, "I", node, "request completed", "req_ok_" + op, **kw)

    # ---- large transfers, scored by risk-gw on the first canary
    events = []
    for t in poisson(rng, T0, T1, 30.0, lambda x: 1.0 if 9 <= x.hour < 19 else 0.1):
        events.append((t, rng.choice(R_BIZ[1:]) if rng.random() < 0.75 else R_ACME, 0))
    for (a, b), share in zip(BURSTS, (0.6, 0.25)):
        for t in poisson(rng, a, b, 110.0):
            events.append((t, R_ACME if rng.random() < share else rng.choice(R_BIZ[1:]), 0))
    events.sort()
    canary_hour = {}
    while events:
        t, acct, tries = events.pop(0)
        node = route(t)
        served[node] += 1
        amt = f"{rng.uniform(50000, 900000):.2f}"
        throttled = False
        if node == R_CANARY1:
            burst = inside(t, BURSTS)
            throttled = rng.random() < (0.72 if burst else 0.3)
            h = t.replace(minute=0, second=0, microsecond=0)
            c = canary_hour.setdefault(h, [0, 0])
            c[0] += 3 if throttled else 1
            c[1] += 3 if throttled else 0
        r_ = rid()
        if throttled:
            d = rng.randint(2300, 3400)
            rl(t + sec(d / 1000 - 0.004), "W", node, "risk-gw throttled the score request 3 times (429 Too Many Requests, retry-after=1s), giving up",
               "risk_429", op="PostTransfer", acct=acct, rid=r_, dep="risk-gw", amt=amt, ccy="INR")
            rl(t + sec(d / 1000), "E", node, "transfer rejected: fraud score unavailable", "transfer_rejected", op="PostTransfer", acct=acct,
               rid=r_, code="RESOURCE_EXHAUSTED", dur_ms=d, amt=amt, ccy="INR")
            if tries < 2 and rng.random() < 0.55:
                events.append((t + sec(rng.uniform(20, 90)), acct, tries + 1))
                events.sort()
        elif rng.random() < 0.3:
            rl(t, "I", node, "request completed", "req_ok_PostTransfer", op="PostTransfer", acct=acct, rid=r_, code="OK",
               dur_ms=rng.randint(60, 180) + (rng.randint(70, 140) if "-canary-" in node else 0), amt=amt, ccy="INR")
    for h, (calls, thr) in sorted(canary_hour.items()):
        t = h + sec(3600 + rng.uniform(0.1, 0.9))
        if t < CAN1_DOWN:
            rl(t, "I", R_CANARY1, f"risk-gw client stats (last 1h): calls={calls} throttled={thr} p99={rng.randint(2600, 3300)}ms", "risk_stats",
               dep="risk-gw")
    rl(CAN1_DOWN, "I", R_CANARY1, f"received SIGTERM, draining {rng.randint(2, 9)} in-flight requests", "sigterm")
    up = CAN1_DOWN + sec(1.93)
    rl(up, "I", R_CANARY1, f"shutdown complete after {go_dur(up - CAN1_UP)}, {served[R_CANARY1] * 37 + rng.randint(0, 36)} requests served",
       "shutdown")

    # ---- client errors, timeouts, slow queries, pool stats
    client_errors = [("GetAccount", "NOT_FOUND", "account not found"), ("PostTransfer", "FAILED_PRECONDITION", "insufficient funds"),
                     ("PostTransfer", "INVALID_ARGUMENT", "amount must be positive"),
                     ("PostTransfer", "ALREADY_EXISTS", "idempotency key reused with a different payload"),
                     ("GetBalance", "INVALID_ARGUMENT", "unsupported currency"), ("ListTransactions", "INVALID_ARGUMENT", "page_token expired")]
    for t in poisson(rng, T0, T1, 4.5, day):
        if inside(t, QUIET):
            continue
        op, code, msg = rng.choice(client_errors)
        rl(t, "W", route(t), msg, "client_error_" + code, op=op, acct=any_acct(), rid=rid(), code=code, dur_ms=rng.randint(1, 9))
    for t in poisson(rng, T0, T1, 0.6):
        if inside(t, QUIET):
            continue
        rl(t, "E", route(t), "context deadline exceeded after 5000ms while scanning ledger_entries", "deadline", op="ListTransactions",
           acct=rng.choice(R_BIZ), rid=rid(), code="DEADLINE_EXCEEDED", dur_ms=5000 + rng.randint(0, 4), dep="ledger-db")
    for t in poisson(rng, T0, T1, 1.0):
        if inside(t, QUIET):
            continue
        rl(t, "W", route(t), f"slow query ({rng.randint(1000, 2900)}ms): SELECT id, amount, currency, counterparty, posted_at FROM "
                             "ledger_entries WHERE account_id = $1 ORDER BY posted_at DESC LIMIT $2", "slow_query", dep="ledger-db")
    for t in poisson(rng, T0, T1, 0.4):
        if inside(t, QUIET):
            continue
        p = rng.randint(30000, 60999)
        rl(t, "W", rng.choice(alive(t)), f"http2: server: error reading preface from client 10.8.{rng.randint(0, 9)}.{rng.randint(2, 250)}:{p}: "
                                         f"read tcp 10.8.3.{rng.randint(2, 250)}:8443->10.8.{rng.randint(0, 9)}.{rng.randint(2, 250)}:{p}: "
                                         "read: connection reset by peer", "http2_preface")
    # the outbox relay and the nightly interest accrual run on the lease holder
    t = T0 + sec(rng.uniform(5, 590))
    while t < T1:
        n = rng.randint(40, 260) if day(t) == 1.0 else rng.randint(3, 40)
        rl(t, "I", R_STABLE[1], f"outbox relay: published {n} events to ledger.events (lag {rng.randint(8, 90)}ms)", "outbox", dep="kafka")
        t += sec(600 + rng.uniform(-0.5, 0.5))
    t = at(8, 2, 0, 0.21)
    rl(t, "I", R_STABLE[1], "acquired lease ledger-svc-jobs/interest-accrual", "lease")
    rl(t + sec(0.05), "I", R_STABLE[1], "interest accrual: run 2023-11-07 started", "accrual_start", dep="ledger-db")
    rl(t + sec(41.22), "I", R_STABLE[1], f"interest accrual: run 2023-11-07 finished, {rng.randint(180000, 190000)} accounts, 0 errors in 41.2s",
       "accrual_done", dep="ledger-db")
    for node, (a, b) in lives.items():
        t = max(a + sec(rng.uniform(60, 1700)), T0 + sec(rng.uniform(1, 1700)))
        while t < b:
            use = rng.randint(2, 9) if day(t) == 1.0 else rng.randint(0, 3)
            o = use + rng.randint(3, 8)
            rl(t, "I", node, f"db pool stats: open={o} idle={o - use} in_use={use} wait_count=0 max=20", "pool_stats", dep="ledger-db")
            t += sec(1800 + rng.uniform(-1, 1))
    return L.build()


def fmt_hm(td):
    m = int(td.total_seconds() // 60)
    return f"{m // 60}h{m % 60:02d}m"


def facts_rpc(records):
    canary = next(r["node"] for r in records if r.get("svc") == "ledger-svc-canary")
    ticket = next(r for r in records if r.get("acct") == R_TICKET_ACCT and r.get("code") == "RESOURCE_EXHAUSTED"
                  and r["timestamp"] >= "2023-11-07T15:00")
    return {"canary": canary, "ticket_rid": ticket["rid"]}


def questions_rpc(f):
    def problems(since, until):
        return [{"field": {"lvl": "W|E"}, "since": since, "until": until}]

    c = re.escape(f["canary"])
    return [
        q("broad",
          "biz customers say big transfers keep failing since lunch, support is swamped. what went wrong in ledger-svc between 12:10 and "
          "12:25 on nov 7?",
          ["RESOURCE_EXHAUSTED", "risk-gw"],
          problems("2023-11-07T12:10:00+05:30", "2023-11-07T12:25:00+05:30")),
        q("lexical",
          f"acme payroll is {R_ACME}, they say a bunch of there PostTransfer calls bounced today. what happened to those, and which "
          "pods served them?",
          ["RESOURCE_EXHAUSTED", "ledger-svc-canary"],
          {"field": {"acct": re.escape(R_ACME), "op": "PostTransfer", "lvl": "W|E"}, "since": "2023-11-07T00:00:00+05:30", "until": "2023-11-08T00:00:00+05:30"}),
        q("paraphrase",
          "did that pod boot with some extra vetting on big payments switched on? what's different about it vs the others",
          ["v2.14.0", "fraud scoring"],
          {"field": {"node": c}, "msg": r"^(starting ledger-svc|fraud scoring)", "until": "2023-11-08T00:00:00+05:30"}),
        q("lexical",
          f"support ticket has request id {f['ticket_rid']} from this afternoon, customer says the transfer spun for a few secs then "
          "failed. what happened to it?",
          ["risk-gw", "429"],
          {"field": {"rid": re.escape(f["ticket_rid"])}}),
        q("paraphrase",
          "when did they yank the canary, and how long was it live taking traffic?",
          ["SIGTERM", "v2.14.0"],
          {"field": {"node": c}, "msg": r"^(starting ledger-svc|received SIGTERM|shutdown complete)"}),
        q("broad",
          "unrelated: some users got errors on balances shown in usd/eur early this morning. anything wrong between 05:30 and 05:45 on "
          "nov 8?",
          ["expired certificate", "fx-rates"],
          problems("2023-11-08T05:30:00+05:30", "2023-11-08T05:45:00+05:30")),
    ]


# =============================================================================================
# 3. rabbitmq: a three-node RabbitMQ 3.11 cluster (mq-1..3), the Python invoice-worker on
#    worker-a1..a3 and the Spring billing-sync on worker-b1. At 22:04 the month-end invoice run
#    publishes a flood of large messages into the classic queue invoice.render on mq-2; the
#    workers cannot keep up, mq-2's memory reaches the high watermark at 23:41 and the alarm
#    blocks every publisher in the cluster (twice: it clears for eight minutes at 23:58). The
#    workers, blocked while publishing their results, hit pika's blocked_connection_timeout
#    (600 s) and crash every ten minutes; billing-sync's listener hangs in a blocked publish until
#    the broker's consumer_timeout closes its channel. At 01:49 the on-call sets a lazy-queue
#    policy, the alarm clears at 01:58. Unrelated: at 09:14 on the 21st mq-3 loses sight of mq-1
#    (partial partition), pauses itself (pause_minority) and comes back two minutes later. UTC.

Q_NODES = {"mq-1": "10.42.1.11", "mq-2": "10.42.1.12", "mq-3": "10.42.1.13"}
Q_WORKERS = {"worker-a1": "10.42.3.21", "worker-a2": "10.42.3.22", "worker-a3": "10.42.3.23"}
Q_BILLING, Q_BILLING_IP = "worker-b1", "10.42.3.31"
Q_ALARM_NODE = "mq-2"
Q_ACK_TEXT = ("delivery acknowledgement on channel 1 timed out. Timeout value used: 1800000 ms. This timeout value can be configured, "
              "see consumers doc guide to learn more")
PIKA = "/usr/local/lib/python3.11/site-packages/pika/adapters/blocking_connection.py"
Q_TRACEBACK = f"""ERROR invoice_worker.main: could not publish render result, exiting
Traceback (most recent call last):
  File "/app/invoice_worker/publish.py", line 48, in publish_result
    self._channel.basic_publish(
  File "{PIKA}", line 2242, in basic_publish
    self._flush_output(self._message_confirmation_result.is_ready)
  File "{PIKA}", line 1330, in _flush_output
    self._connection._flush_output(lambda: self.is_closed, *waiters)
  File "{PIKA}", line 522, in _flush_output
    raise self._closed_result.value.error
pika.exceptions.ConnectionBlockedTimeout: Blocked connection timeout expired.

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/app/invoice_worker/consumer.py", line 131, in on_message
    self._publisher.publish_result(job, pdf)
  File "/app/invoice_worker/publish.py", line 61, in publish_result
    raise PublishTimeout("result not published within blocked_connection_timeout=600s") from exc
invoice_worker.errors.PublishTimeout: result not published within blocked_connection_timeout=600s

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/app/invoice_worker/consumer.py", line 139, in on_message
    ch.basic_nack(delivery_tag=method.delivery_tag, requeue=True)
  File "{PIKA}", line 2096, in basic_nack
    self._raise_if_not_open()
  File "{PIKA}", line 1400, in _raise_if_not_open
    raise exceptions.ChannelWrongStateError('Channel is closed.')
pika.exceptions.ChannelWrongStateError: Channel is closed."""
ALARM_BANNER = ("\n\n**********************************************************\n"
                "*** Publishers will be blocked until this alarm clears ***\n"
                "**********************************************************\n")


def gen_rabbitmq():
    rng = random.Random(20240521)

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 5, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(21, 0, 0), at(22, 6, 30)
    L = Log(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    base = {n: 2100 + 350 * i for i, n in enumerate(Q_NODES)}

    def newepid(node, t):
        # Erlang pids grow with time; connections made before the window have small ones
        if t < T0:
            return base[node] + rng.randint(0, 1800)
        return base[node] + 2000 + int((t - T0).total_seconds() * 1.7) + rng.randint(0, 40)

    def bl(dt, node, level, pid, text, tpl):
        L.add(dt, tpl, {"time": dt.strftime("%Y-%m-%d %H:%M:%S.%f") + "+00:00", "host": node, "source": "rabbitmq",
                        "message": f"[{level}] <0.{pid}.0> {text}"})

    def py(dt, host, level, logger, text, tpl):
        L.add(dt, tpl, {"time": dt.strftime("%Y-%m-%d %H:%M:%S,") + f"{dt.microsecond // 1000:03d}", "host": host, "source": "consumer",
                        "message": f"{level} {logger}: {text}"})

    def jv(dt, level, thread, logger, text, tpl):
        line = f"{level:>5} 1 --- [{thread[-15:]:>15}] {logger[:40]:<40} : {text}".lstrip()
        L.add(dt, tpl, {"time": dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z", "host": Q_BILLING,
                        "source": "consumer", "message": line})

    def conn_open(t, node, ip, user, tpl_prefix="conn"):
        pid, port = newepid(node, t), rng.randint(32800, 60999)
        c = f"<0.{pid}.0> ({ip}:{port} -> {Q_NODES[node]}:5672"
        bl(t, node, "info", pid, f"accepting AMQP connection {c})", "conn_accept")
        bl(t + sec(rng.uniform(0.003, 0.02)), node, "info", pid, f"connection {c}): user '{user}' authenticated and granted access to vhost '/'",
           "conn_auth")
        return (node, pid, c, user)

    def conn_close(t, conn, abrupt=False):
        node, pid, c, user = conn
        if abrupt:
            bl(t, node, "warning", pid, f"closing AMQP connection {c}, vhost: '/', user: '{user}'):\nclient unexpectedly closed TCP connection",
               "conn_close_abrupt")
        else:
            bl(t, node, "info", pid, f"closing AMQP connection {c}, vhost: '/', user: '{user}')", "conn_close")

    BATCH = at(21, 22, 4, 0.812)
    ALARMS = [(at(21, 23, 41, 7.381), at(21, 23, 58, 40.226)), (at(22, 0, 6, 12.904), at(22, 1, 58, 31.517))]
    POLICY = at(22, 1, 49, 12.33)
    PART, HEAL = at(21, 9, 14, 22.118), at(21, 9, 16, 41.402)
    QUIET = [(at(21, 9, 5), at(21, 9, 30)), (at(21, 23, 30), at(22, 0, 0))]
    MEMPID, ALARMPID = 512, 507

    def blocked(t):
        return inside(t, ALARMS)

    # ---- the alarm on mq-2
    allowed = 3435973836
    for a, b in ALARMS:
        bl(a - sec(0.002), Q_ALARM_NODE, "info", MEMPID,
           f"vm_memory_high_watermark set. Memory used:{allowed + rng.randint(1000000, 9000000)} allowed:{allowed}", "mem_set")
        bl(a, Q_ALARM_NODE, "warning", ALARMPID, f"memory resource limit alarm set on node 'rabbit@{Q_ALARM_NODE}'.{ALARM_BANNER}", "alarm_set")
        bl(b - sec(0.002), Q_ALARM_NODE, "info", MEMPID,
           f"vm_memory_high_watermark clear. Memory used:{allowed - rng.randint(40000000, 450000000)} allowed:{allowed}", "mem_clear")
        bl(b, Q_ALARM_NODE, "warning", ALARMPID, f"memory resource limit alarm cleared on node 'rabbit@{Q_ALARM_NODE}'", "alarm_cleared")
        bl(b + sec(0.001), Q_ALARM_NODE, "warning", ALARMPID, "memory resource limit alarm cleared across the cluster", "alarm_cleared_all")
    bl(POLICY, "mq-1", "info", newepid("mq-1", POLICY),
       "Successfully set policy 'invoice-lazy' matching queues names in virtual host '/' using pattern '^invoice\\.render$'", "policy_set")
    batch = conn_open(BATCH, "mq-2", "10.42.3.40", "invoice-batch")
    conn_close(at(22, 3, 12, 8.4), batch)

    # ---- invoice workers: render, publish results; blocked -> timeout -> crash -> restart
    worker_node = {"worker-a1": "mq-2", "worker-a2": "mq-1", "worker-a3": "mq-3"}
    conns = {}

    def worker_start(t, w):
        py(t, w, "INFO", "invoice_worker.main", "starting invoice-worker 1.8.2 (python 3.11.8, pika 1.3.2), prefetch=20", "w_start")
        conns[w] = conn_open(t + sec(0.05), worker_node[w], Q_WORKERS[w], "invoice")
        py(t + sec(0.09), w, "INFO", "invoice_worker.amqp",
           f"connected to mq-lb.internal:5672 (node rabbit@{worker_node[w]}), consuming invoice.render", "w_connected")

    for w in Q_WORKERS:
        wp = newepid(worker_node[w], T0 - sec(86400))
        conns[w] = (worker_node[w], wp,
                    f"<0.{wp}.0> ({Q_WORKERS[w]}:{rng.randint(32800, 60999)} -> {Q_NODES[worker_node[w]]}:5672", "invoice")
    crash_times = {w: [] for w in Q_WORKERS}
    # partition: worker-a3 is on mq-3 and is thrown out; the load balancer gives it mq-1
    py(PART + sec(1.31), "worker-a3", "WARNING", "invoice_worker.amqp",
       "connection lost: ConnectionClosedByBroker: (320, \"CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'\"), "
       "reconnecting in 5s", "w_conn_lost")
    worker_node["worker-a3"] = "mq-1"
    worker_start(PART + sec(6.5), "worker-a3")
    for w in Q_WORKERS:
        for a, b in ALARMS:
            t = a + sec(rng.uniform(0.8, 4.5))
            while t < b:
                py(t, w, "WARNING", "invoice_worker.amqp", "connection blocked by broker: low on memory", "w_blocked")
                crash = t + sec(600 + rng.uniform(0.0, 0.05))
                if crash >= b:
                    py(b + sec(rng.uniform(0.01, 0.2)), w, "INFO", "invoice_worker.amqp", "connection unblocked by broker", "w_unblocked")
                    break
                py(crash, w, "ERROR", "invoice_worker.main", Q_TRACEBACK[len("ERROR invoice_worker.main: "):], "w_crash")
                conn_close(crash + sec(0.012), conns[w], abrupt=True)
                crash_times[w].append(crash)
                worker_start(crash + sec(15 + rng.uniform(0.2, 1.5)), w)
                t = crash + sec(15 + rng.uniform(3.5, 6.5))
    # routine renders (while not blocked) and worker-a1's queue stats every 10 minutes
    for w in Q_WORKERS:
        for t in poisson(rng, T0, T1, 2.6, lambda x: 0.0 if blocked(x) else 1.0):
            inv = f"INV-2024-05-{rng.randint(100000, 999999):07d}"
            py(t, w, "INFO", "invoice_worker.consumer", f"rendered {inv} ({rng.randint(1, 9)} pages) in {rng.uniform(0.8, 3.9):.2f}s", "w_rendered")
        for t in poisson(rng, T0, T1, 0.14):
            if inside(t, QUIET):
                continue
            py(t, w, "WARNING", "invoice_worker.render", "template 'invoice_v3' is missing font 'Inter-SemiBold', falling back to 'DejaVu Sans'",
               "w_font")
        for t in poisson(rng, T0, T1, 0.06):
            if inside(t, QUIET):
                continue
            py(t, w, "ERROR", "invoice_worker.render", f"render failed for INV-2024-05-{rng.randint(100000, 999999):07d}: wkhtmltopdf exited "
                                                       "with code 1 (Exit with code 1 due to network error: HostNotFoundError)", "w_render_fail")
    t, ready = T0 + sec(183.4), rng.randint(0, 30)
    while t < T1:
        if t < BATCH:
            ready, rendered = rng.randint(0, 40), rng.randint(40, 210)
        elif t < ALARMS[0][0]:
            ready = int((t - BATCH).total_seconds() * 25.1) + rng.randint(0, 300)
            rendered = rng.randint(680, 760)
        elif t < POLICY:
            ready = max(ready, 146000) + (rng.randint(200, 2400) if not blocked(t) else rng.randint(0, 40))
            rendered = rng.randint(0, 6) if blocked(t) else rng.randint(300, 420)
        else:
            ready = max(0, ready - rng.randint(600, 1500) + (0 if t > at(22, 3, 12) else 800))
            rendered = rng.randint(680, 790)
        unacked = 60 if ready else rng.randint(0, 12)
        py(t, "worker-a1", "INFO", "invoice_worker.stats",
           f"stats: last 10m rendered={rendered} failed=0 avg={rng.uniform(2.2, 2.6):.2f}s; invoice.render ready={ready} unacked={unacked} "
           f"consumers=3", "w_stats")
        t += sec(600 + rng.uniform(-0.3, 0.3))

    # ---- billing-sync (Spring): blocked with the rest; its listener hangs and the ack times out once
    bconn = ("mq-1", 4417, f"<0.4417.0> ({Q_BILLING_IP}:51720 -> {Q_NODES['mq-1']}:5672", "billing")
    ctag = "amq.ctag-pYq0Yk3Jx5aO8yPp2n3t1w"
    for a, b in ALARMS:
        jv(a + sec(rng.uniform(0.5, 2.0)), "WARN", " 10.42.1.11:5672", "c.acme.billing.sync.AmqpEventsLogger",
           "connection billing-sync#1 blocked by broker: low on memory", "b_blocked")
        jv(b + sec(rng.uniform(0.02, 0.3)), "INFO", " 10.42.1.11:5672", "c.acme.billing.sync.AmqpEventsLogger", "connection billing-sync#1 unblocked",
           "b_unblocked")
    delivered = ALARMS[1][0] + sec(14.71)
    timeout = delivered + sec(1800 + rng.uniform(0.5, 4))
    bl(timeout, "mq-1", "warning", 4421, f"Consumer {ctag} on channel 1 has timed out waiting for delivery acknowledgement. Timeout used: "
                                         "1800000 ms. This timeout value can be configured, see consumers doc guide to learn more", "ack_timeout")
    bl(timeout + sec(0.003), "mq-1", "error", 4421,
       f"Channel error on connection {bconn[2]}, vhost: '/', user: 'billing'), channel 1:\noperation none caused a channel exception "
       f"precondition_failed: {Q_ACK_TEXT}", "channel_error")
    reply = (f"#method<channel.close>(reply-code=406, reply-text=PRECONDITION_FAILED - {Q_ACK_TEXT}, class-id=0, method-id=0)")
    jv(timeout + sec(0.011), "ERROR", " 10.42.1.11:5672", "o.s.a.r.c.CachingConnectionFactory",
       f"Shutdown Signal: channel error; protocol method: {reply}", "b_shutdown_signal")
    jv(ALARMS[1][1] + sec(0.41), "ERROR", "ntContainer#0-1", "o.s.a.r.l.SimpleMessageListenerContainer",
       "Failed to ack delivery 1 on channel 1 after listener returned\n"
       "org.springframework.amqp.AmqpIOException: java.io.IOException\n"
       "\tat org.springframework.amqp.rabbit.support.RabbitExceptionTranslator.convertRabbitAccessException(RabbitExceptionTranslator.java:70)\n"
       "\tat org.springframework.amqp.rabbit.connection.RabbitUtils.commitIfNecessary(RabbitUtils.java:118)\n"
       "\tat org.springframework.amqp.rabbit.listener.BlockingQueueConsumer.commitIfNecessary(BlockingQueueConsumer.java:871)\n"
       "\tat org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer.doReceiveAndExecute(SimpleMessageListenerContainer.java:1036)\n"
       "\tat org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer$AsyncMessageProcessingConsumer.run(SimpleMessageListenerContainer.java:1290)\n"
       "\tat java.base/java.lang.Thread.run(Thread.java:840)\n"
       "Caused by: java.io.IOException: null\n"
       "\tat com.rabbitmq.client.impl.AMQChannel.wrap(AMQChannel.java:129)\n"
       "\tat com.rabbitmq.client.impl.ChannelN.basicAck(ChannelN.java:1201)\n"
       "\t... 5 common frames omitted\n"
       f"Caused by: com.rabbitmq.client.AlreadyClosedException: channel is already closed due to channel error; protocol method: {reply}\n"
       "\tat com.rabbitmq.client.impl.AMQChannel.ensureIsOpen(AMQChannel.java:258)\n"
       "\tat com.rabbitmq.client.impl.AMQChannel.transmit(AMQChannel.java:430)\n"
       "\t... 7 common frames omitted", "b_ack_failed")
    jv(ALARMS[1][1] + sec(0.52), "INFO", "ntContainer#0-1", "o.s.a.r.l.SimpleMessageListenerContainer",
       f"Restarting Consumer@6b1e2f4a: tags=[[{ctag}]], channel=Cached Rabbit Channel: AMQChannel(amqp://billing@10.42.1.11:5672/,1), "
       "conn: Proxy@5d1b9c2e Shared Rabbit Connection: SimpleConnection@3f6a0b11 [delegate=amqp://billing@10.42.1.11:5672/, "
       "localPort=51720], acknowledgeMode=AUTO local queue size=0", "b_restart_consumer")
    for t in poisson(rng, T0, T1, 4.0, lambda x: 0.0 if blocked(x) or delivered <= x < ALARMS[1][1] + sec(5) else 1.0):
        jv(t, "INFO", "ntContainer#0-1", "c.acme.billing.sync.OrderPaidListener",
           f"synced order ORD-{rng.randint(88000000, 88999999)} to ledger ({rng.randint(1, 4)} entries)", "b_synced")
    for t in poisson(rng, T0, T1, 0.07):
        if inside(t, QUIET):
            continue
        jv(t, "WARN", "ool-1 housekeeper", "com.zaxxer.hikari.pool.HikariPool",
           f"HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta={rng.randint(61, 95)}s).", "b_hikari")

    # ---- orders-api publishers: two deploys by day; during the alarm they give up and reconnect
    oapi = {"10.42.3.17": None, "10.42.3.18": None}
    onode = {"10.42.3.17": "mq-1", "10.42.3.18": "mq-2"}
    for ip in oapi:
        op_ = newepid(onode[ip], T0 - sec(86400))
        oapi[ip] = (onode[ip], op_, f"<0.{op_}.0> ({ip}:{rng.randint(32800, 60999)} -> {Q_NODES[onode[ip]]}:5672",
                    "orders")
    for d in (at(21, 10, 31, 2.2), at(21, 15, 12, 40.7)):
        for i, ip in enumerate(oapi):
            t = d + sec(i * 41 + rng.uniform(0, 3))
            conn_close(t, oapi[ip])
            oapi[ip] = conn_open(t + sec(rng.uniform(6, 14)), onode[ip], ip, "orders")
    for a, b in ALARMS:
        t, i = a + sec(rng.uniform(380, 420)), 0
        while t < b:
            ip = list(oapi)[i % 2]
            conn_close(t, oapi[ip], abrupt=True)
            oapi[ip] = conn_open(t + sec(rng.uniform(1, 3)), onode[ip], ip, "orders")
            i += 1
            t += sec(rng.uniform(640, 820))

    # ---- unrelated: a partial partition; mq-3 pauses itself (pause_minority) and rejoins
    p3 = newepid("mq-3", PART)
    bl(PART, "mq-3", "error", 241, "** Node 'rabbit@mq-1' not responding **\n** Removing (timedout) connection **", "net_not_responding")
    bl(PART + sec(0.013), "mq-3", "info", 470, "rabbit on node 'rabbit@mq-1' down", "node_down_rabbit")
    bl(PART + sec(0.022), "mq-3", "info", 470, "node 'rabbit@mq-1' down: net_tick_timeout", "node_down")
    bl(PART + sec(0.294), "mq-3", "error", 470, "Partial partition detected:\n * We saw DOWN from rabbit@mq-1\n * We can still see "
                                               "rabbit@mq-2 which can see rabbit@mq-1\nWe will therefore intentionally disconnect from "
                                               "rabbit@mq-2", "partial_partition")
    bl(PART + sec(0.31), "mq-2", "info", 470, "node 'rabbit@mq-3' down: disconnect", "node_down")
    bl(PART + sec(0.52), "mq-1", "info", 470, "node 'rabbit@mq-3' down: connection_closed", "node_down")
    bl(PART + sec(0.88), "mq-3", "warning", 470, "Cluster minority/secondary status detected - awaiting recovery", "minority")
    bl(PART + sec(0.9), "mq-3", "info", p3, "RabbitMQ is asked to stop...", "asked_stop")
    bl(PART + sec(1.3), "mq-3", "info", p3, "Closing all connections in vhost '/' on node 'rabbit@mq-3' because the vhost is stopping",
       "vhost_stopping")
    bl(PART + sec(2.9), "mq-3", "info", p3, "Successfully stopped RabbitMQ and its dependencies", "stopped")
    bl(HEAL, "mq-3", "info", p3, "Starting RabbitMQ 3.11.28 on Erlang 25.3.2.8 [jit]", "starting")
    bl(HEAL + sec(4.7), "mq-3", "info", p3, "Server startup complete; 5 plugins started.\n * rabbitmq_prometheus\n * rabbitmq_management\n"
                                            " * rabbitmq_web_dispatch\n * rabbitmq_management_agent\n * rabbitmq_shovel", "startup_complete")
    for n in ("mq-1", "mq-2"):
        bl(HEAL + sec(4.9 + rng.uniform(0, 0.2)), n, "info", 470, "node 'rabbit@mq-3' up", "node_up")
        bl(HEAL + sec(5.1 + rng.uniform(0, 0.2)), n, "info", 470, "rabbit on node 'rabbit@mq-3' up", "node_up_rabbit")
    bl(HEAL + sec(5.4), "mq-1", "error", newepid("mq-1", HEAL),
       "Mnesia('rabbit@mq-1'): ** ERROR ** mnesia_event got {inconsistent_database, running_partitioned_network, 'rabbit@mq-3'}", "mnesia")

    # ---- routine broker traffic: the reporting job, a blackbox probe on every node, audit's bad declare, mgmt logins
    t = T0 + sec(rng.uniform(30, 600))
    while t < T1:
        c = conn_open(t, "mq-1", "10.42.3.50", "reporting")
        conn_close(t + sec(rng.uniform(1.5, 8)), c)
        t += sec(1200 + rng.uniform(-2, 2))
    for n in Q_NODES:
        t = T0 + sec(rng.uniform(10, 1700))
        while t < T1:
            if not (n == "mq-3" and PART - sec(60) < t < HEAL + sec(30)):
                c = conn_open(t, n, "10.42.0.9", "probe")
                conn_close(t + sec(rng.uniform(0.1, 0.6)), c)
            t += sec(1800 + rng.uniform(-1, 1))
    t = T0 + sec(rng.uniform(1800, 7200))
    while t < T1:
        if not inside(t, QUIET):
            n = rng.choice(["mq-1", "mq-3"])
            c = conn_open(t, n, "10.42.3.55", "audit")
            bl(t + sec(0.03), n, "error", newepid(n, t),
               f"Channel error on connection {c[2]}, vhost: '/', user: 'audit'), channel 1:\noperation queue.declare caused a channel exception "
               "precondition_failed: inequivalent arg 'x-message-ttl' for queue 'events.audit' in vhost '/': received the value '60000' of "
               "type 'signedint' but current is none", "audit_inequivalent")
            conn_close(t + sec(0.05), c)
        t += sec(rng.uniform(7200, 11000))
    for t in poisson(rng, T0, T1, 0.35):
        if inside(t, QUIET):
            continue
        bl(t, "mq-1", "warning", newepid("mq-1", t), "HTTP access denied: user 'guest' - invalid credentials", "http_denied")
    return L.build()


def facts_rabbitmq(records):
    batch = next(r["timestamp"] for r in records if "user 'invoice-batch' authenticated" in r["message"])
    alarm = next(r["timestamp"] for r in records if "memory resource limit alarm set" in r["message"])
    crashes = sum(1 for r in records if "ConnectionBlockedTimeout" in r["message"])
    return {"batch": batch, "alarm": alarm, "crashes": crashes}


RMQ_PROBLEM = r"^(\[(warning|error|critical)\]|(WARNING|ERROR|CRITICAL) |(WARN|ERROR) +1 --- )"


def questions_rabbitmq(f):
    def problems(since, until):
        return [{"msg": RMQ_PROBLEM, "since": since, "until": until}]

    return [
        q("broad",
          "month-end invoice run is stuck, workers keep dying and orders-api says publishes hang. what went wrong between 23:35 and 23:55 "
          "utc on may 21?",
          ["memory resource limit alarm", "ConnectionBlockedTimeout"],
          problems("2024-05-21T23:35:00Z", "2024-05-21T23:55:00Z")),
        q("paraphrase",
          "was the pile of waiting jobs already growing before that node tripped? since when",
          ["invoice.render", "ready="],
          {"field": {"host": "worker-a1"}, "msg": r"invoice\.render ready=", "since": f["batch"], "until": f["alarm"]}),
        q("lexical",
          "invoice-worker keeps dying with pika.exceptions.ConnectionBlockedTimeout. how many times overnight, and on which boxes?",
          ["ConnectionBlockedTimeout", "worker-a3"],
          {"field": {"source": "consumer"}, "msg": r"ConnectionBlockedTimeout"}),
        q("paraphrase",
          "how long in total was the broker refusing new writes, and when did it finally let go?",
          ["alarm cleared", f"rabbit@{Q_ALARM_NODE}"],
          {"field": {"host": Q_ALARM_NODE}, "msg": r"memory resource limit alarm|vm_memory_high_watermark"}),
        q("lexical",
          "billing-sync on worker-b1 logged 'delivery acknowledgement on channel 1 timed out'. whats that about, and did it sort itself "
          "out after teh alarm went away?",
          ["precondition_failed", "1800000"],
          {"msg": r"delivery acknowledgement on channel 1 timed out|timed out waiting for delivery acknowledgement"}),
        q("broad",
          "unrelated: clients on mq-3 got kicked for a couple minutes yesterday morning. anything wrong between 09:10 and 09:25 utc on "
          "the 21st?",
          ["partition", "rabbit@mq-1"],
          problems("2024-05-21T09:10:00Z", "2024-05-21T09:25:00Z")),
    ]


# =============================================================================================
# Question specs, rules and checks


def q(style, ask, mentions, rule):
    assert style in STYLES, style
    return {"style": style, "ask": ask, "mentions": mentions, "rule": rule}


SYSTEMS = [
    {
        "id": "k-journald",
        "title": "pg-db-03: WAL archiving to bk-01 fails (host key changed), pg_wal fills the data volume, PostgreSQL crash-loops on "
                 "'No space left on device'; filebeat OOM-killed while logstash-01 is down",
        "gen": gen_journald,
        "facts": facts_journald,
        "questions": questions_journald,
    },
    {
        "id": "k-rpc",
        "title": "ledger-svc: canary v2.14.0 scores large transfers with risk-gw, which throttles it (429), so PostTransfer fails "
                 "RESOURCE_EXHAUSTED for business accounts; fx-rates client certificate expires overnight",
        "gen": gen_rpc,
        "facts": facts_rpc,
        "questions": questions_rpc,
    },
    {
        "id": "k-rabbitmq",
        "title": "RabbitMQ: invoice.render backlog trips the memory alarm on mq-2, publishers blocked for two hours, invoice-workers "
                 "crash on ConnectionBlockedTimeout, billing-sync's ack times out; partial partition pauses mq-3",
        "gen": gen_rabbitmq,
        "facts": facts_rabbitmq,
        "questions": questions_rabbitmq,
    },
]


def parse_ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


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
        v = rec.get(name)
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
        assert re.fullmatch(r"k-[a-z0-9-]+", sid), sid
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
                    who = r.get("_HOSTNAME") or r.get("node") or r.get("host") or ""
                    comp = r.get("SYSLOG_IDENTIFIER") or r.get("op") or r.get("source") or ""
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

    print(f"{'incident':12s} {'style':10s} {'lines':>5s} {'msgs':>4s} {'ceil':>5s}  ask")
    for sid, style, n, distinct, ceil, ask in table:
        print(f"{sid:12s} {style:10s} {n:5d} {distinct:4d} {ceil:5.3f}  {ask}")
    print()
    for p in written:
        print(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(out).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Build the "incidents-g" evaluation set: three synthetic incidents (MySQL, Redis, HAProxy), each a
six-turn on-call Slack thread over generated logs.

Usage: python3 make_incidents_g.py [--out DIR] [--show]

  --out   where to write; default: the folder of this script.
  --show  print every turn's relevant lines (and the template counts); write nothing.

Writes <out>/g-<system>/logs.jsonl, <out>/g-<system>/incident.json and <out>/questions.json (the
style of every turn, for shared/spec/score_replay.py --questions). Standard library only. The logs
are synthetic: every record is generated here from a fixed seed, so a second run rewrites identical
bytes.

Three styles, six turns per system (2 + 2 + 2):

  broad       a time span or a host, "what went wrong / anything odd"; relevant = the problem lines
              of that span under a per-system rule (see PROBLEM rules below and the README).
  lexical     names an exact token of the logs (an error code, a connection id, a server name, an
              address, a short quoted phrase); relevant = the lines that answer the question.
  paraphrase  the engineer's own words for something the logs say in jargon; the ask shares no
              content word with its relevant lines (names, dates, times aside). The generator prints
              any shared word, or any pair of words sharing their first four letters.

Relevant lines are never listed by hand. A rule selects them from the generated records; a rule is a
dict (or a list of dicts whose selections are united), and every condition of a dict must hold:

  msg      regex searched in `message`
  not_msg  regex that must NOT be found in `message`
  field    {name: regex}, each fully matched against that record field (host, level, service, ...)
  since    ISO 8601 time with offset; the record's timestamp must be >= it
  until    ISO 8601 time with offset; the record's timestamp must be < it
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
SEED = 20240603
STYLES = ("broad", "lexical", "paraphrase")
MIN_LINES, MAX_LINES = 1, 40
MIN_TEMPLATES = 25
UTC = timezone.utc  # noqa: UP017 (kept as the generator wrote it)
PDT = timezone(timedelta(hours=-7))


# ---------------------------------------------------------------------------------------------
# A log under construction: records are added in any order and sorted by time at the end.


class Log:
    def __init__(self, name, frac_digits, tz):
        self.rnd = random.Random(f"{name}:{SEED}")
        self.events = []
        self.templates = {}
        self.frac_digits = frac_digits
        self.tz = tz

    def add(self, t, template, message, **fields):
        self.templates[template] = self.templates.get(template, 0) + 1
        self.events.append((t, len(self.events), message, fields))

    def ts(self, t):
        t = t.astimezone(self.tz)
        s = t.strftime("%Y-%m-%dT%H:%M:%S.%f")[: 20 + self.frac_digits]
        off = t.strftime("%z")
        return s + ("Z" if off == "+0000" else off[:3] + ":" + off[3:])

    def records(self):
        out = []
        for t, _, msg, fields in sorted(self.events, key=lambda e: (e[0], e[1])):
            rec = {"timestamp": self.ts(t), "message": msg}
            rec.update({k: v for k, v in fields.items() if v is not None})
            out.append(rec)
        return out

    # random helpers
    def between(self, a, b):
        return a + timedelta(microseconds=self.rnd.randrange(int((b - a).total_seconds() * 1e6)))

    def poisson(self, a, b, mean_s):
        """Times of a Poisson process with the given mean gap, in [a, b)."""
        out, t = [], a
        while True:
            t = t + timedelta(seconds=self.rnd.expovariate(1.0 / mean_s))
            if t >= b:
                return out
            out.append(t)

    def every(self, a, b, step_s, jitter_s=0.0):
        out, t = [], a
        while t < b:
            out.append(t + timedelta(seconds=self.rnd.uniform(0, jitter_s)) if jitter_s else t)
            t += timedelta(seconds=step_s)
        return out

    def pick(self, seq):
        return self.rnd.choice(seq)

    def hexid(self, n):
        return "".join(self.rnd.choice("0123456789abcdef") for _ in range(n))


def dt(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


# =============================================================================================
# g-mysql: MySQL 8.0 primary + replica. Error log, slow query log and a small watchdog ("dbwatch").
# Fault: on Jun 3 at 14:02Z an ALTER TABLE ... ALGORITHM=COPY on orders.order_items holds the
# table's metadata lock for 45 minutes; writes to the table queue up behind it ("Waiting for table
# metadata lock"), connections run out ("Too many connections"). When it finishes on the primary
# it replicates; on the replica a long report query holds the lock, the applier times out
# (Error_code: MY-001205) and stops, a DBA kills the report, then the 45-minute ALTER makes the
# replica fall more than an hour behind before it catches up.

MY_P, MY_R = "mysql-orders-01", "mysql-orders-02"
MY_P_IP, MY_R_IP = "10.0.2.11", "10.0.2.12"
MY_ALTER = (
    "ALTER TABLE order_items ADD COLUMN gift_wrap TINYINT(1) NOT NULL DEFAULT 0, "
    "ADD INDEX idx_order_items_sku_created (sku, created_at), ALGORITHM=COPY, LOCK=SHARED"
)
MY_IDS = {}  # ids the questions name, filled in by gen_mysql


def gen_mysql():
    L = Log("mysql", 6, UTC)
    r = L.rnd
    t0, t1 = dt("2024-06-03T00:00:00Z"), dt("2024-06-04T11:30:00Z")
    conn = [4481000]

    def cid():
        conn[0] += r.randint(3, 40)
        return conn[0]

    app_ips = [f"10.0.3.{i}" for i in range(11, 30)]
    pod_ips = [f"10.0.7.{i}" for i in (23, 41, 58, 102, 117, 164, 201, 233)]
    # (a per-host system thread counter was planned here; unused)

    def err(t, host, level, code, sub, text, tpl, thread=None):
        if thread is None:
            thread = cid() if level != "System" else 0
        L.add(t, tpl, f"[{code}] [{sub}] {text}", level=level, thread=thread, host=host, service="mysqld")

    def slow(t, host, user, ip, thread, qt, lt, sent, exam, stmt, tpl, db="orders"):
        start = t - timedelta(seconds=qt)
        msg = (
            f"# Time: {L.ts(t).replace('+00:00', 'Z')}\n"
            f"# User@Host: {user}[{user}] @  [{ip}]  Id: {thread}\n"
            f"# Query_time: {qt:.6f}  Lock_time: {lt:.6f} Rows_sent: {sent}  Rows_examined: {exam}\n"
            f"use {db};\nSET timestamp={int(start.timestamp())};\n{stmt};"
        )
        L.add(t, tpl, msg, host=host, service="mysqld-slow", user=user)

    def watch(t, host, level, text, tpl):
        L.add(t, tpl, text, level=level, host=host, service="dbwatch")

    # ---- background: error log noise on both hosts
    for host, dns_mean, pwd_mean in ((MY_P, 2400, 3600), (MY_R, 5400, 4000)):
        for t in L.poisson(t0, t1, dns_mean):
            err(
                t,
                host,
                "Warning",
                "MY-010055",
                "Server",
                f"IP address '{L.pick(pod_ips)}' could not be resolved: Name or service not known",
                "dns",
            )
        _users = ["grafana_ro", "legacy_batch"] if host == MY_P else ["report_ro", "grafana_ro"]
        for t in L.poisson(t0, t1, pwd_mean):
            err(
                t,
                host,
                "Warning",
                "MY-013360",
                "Server",
                "Plugin mysql_native_password reported: ''mysql_native_password' is deprecated and will be "
                "removed in a future release. Please use caching_sha2_password instead'",
                "native_pwd",
            )
        for t in L.poisson(t0, t1, 900 if host == MY_P else 2400):
            ip = L.pick(app_ips) if host == MY_P else "10.0.5.40"
            user = "app_rw" if host == MY_P else "report_ro"
            why = L.pick(
                ["Got an error reading communication packets", "Got timeout reading communication packets"]
            )
            c = cid()
            err(
                t,
                host,
                "Note",
                "MY-010914",
                "Server",
                f"Aborted connection {c} to db: 'orders' user: '{user}' host: '{ip}' ({why}).",
                "aborted",
                thread=c,
            )
        for t in L.poisson(t0, t1, 2000):
            who, ip = L.pick(
                [
                    ("root", "10.0.9.14"),
                    ("admin", "10.0.9.14"),
                    ("app_rw", "10.0.9.31"),
                    ("grafana", "10.0.8.5"),
                ]
            )
            err(
                t,
                host,
                "Note",
                "MY-010926",
                "Server",
                f"Access denied for user '{who}'@'{ip}' (using password: YES)",
                "access_denied",
            )
        for t in L.poisson(t0, t1, 3000):
            ms = r.randint(4100, 9800)
            err(
                t,
                host,
                "Note",
                "MY-011953",
                "InnoDB",
                f"Page cleaner took {ms}ms to flush {r.randint(300, 2100)} and evict 0 pages",
                "page_cleaner",
                thread=0,
            )
        for t in L.every(dt("2024-06-03T03:00:00Z"), t1, 6 * 3600):
            err(
                t,
                host,
                "Note",
                "MY-012551",
                "InnoDB",
                "Dumping buffer pool(s) to /var/lib/mysql/ib_buffer_pool",
                "bp_dump_start",
                thread=0,
            )
            done = t + timedelta(seconds=r.uniform(1.5, 6))
            err(
                done,
                host,
                "Note",
                "MY-012552",
                "InnoDB",
                f"Buffer pool(s) dump completed at {done.strftime('%y%m%d %H:%M:%S')}",
                "bp_dump_done",
                thread=0,
            )
    # an event on the primary that deadlocks now and then (background ERROR, not the fault)
    for t in (
        dt("2024-06-03T02:15:04.120033Z"),
        dt("2024-06-03T21:15:03.882410Z"),
        dt("2024-06-04T05:15:04.004127Z"),
    ):
        err(
            t,
            MY_P,
            "ERROR",
            "MY-010045",
            "Server",
            "Event Scheduler: [app_admin@localhost][orders.ev_purge_carts] Deadlock found when trying to get "
            "lock; try restarting transaction",
            "event_deadlock",
            thread=0,
        )
        err(
            t + timedelta(microseconds=311),
            MY_P,
            "Note",
            "MY-010046",
            "Server",
            "Event Scheduler: [app_admin@localhost].[orders.ev_purge_carts] event execution failed.",
            "event_failed",
            thread=0,
        )

    # ---- background: routine slow queries
    routine = [
        (
            "slow_orders_by_cust",
            lambda: (
                f"SELECT o.id, o.status, o.total_cents FROM orders o WHERE o.customer_id = {r.randint(10000, 990000)} "
                f"ORDER BY o.created_at DESC LIMIT 50",
                50,
                r.randint(40000, 180000),
            ),
        ),
        (
            "slow_sku_like",
            lambda: (
                f"SELECT COUNT(*) FROM order_items WHERE sku LIKE '%{L.pick(['TX', 'HB', 'KQ', 'ZL'])}-{r.randint(10, 99)}%'",
                1,
                r.randint(2000000, 5200000),
            ),
        ),
        (
            "slow_inventory",
            lambda: (
                f"UPDATE inventory SET reserved = reserved + 1 WHERE sku = 'SKU-{r.randint(10000, 19999)}' "
                f"AND warehouse_id = {r.randint(1, 6)}",
                0,
                r.randint(1, 3),
            ),
        ),
        (
            "slow_revenue",
            lambda: (
                "SELECT c.email, SUM(o.total_cents) FROM customers c JOIN orders o ON o.customer_id = c.id "
                f"WHERE o.created_at >= '2024-06-0{r.randint(1, 2)}' GROUP BY c.email",
                r.randint(2000, 9000),
                r.randint(800000, 2400000),
            ),
        ),
        (
            "slow_cart_purge",
            lambda: (
                "DELETE FROM cart_sessions WHERE updated_at < NOW() - INTERVAL 7 DAY LIMIT 5000",
                0,
                5000,
            ),
        ),
    ]
    for t in L.poisson(t0, t1, 170):
        tpl, mk = L.pick(routine)
        stmt, sent, exam = mk()
        qt = r.uniform(1.05, 4.5) if tpl != "slow_revenue" else r.uniform(6, 22)
        slow(
            t, MY_P, "app_rw", L.pick(app_ips), cid(), qt, r.uniform(0.000004, 0.0004), sent, exam, stmt, tpl
        )
    for t in L.poisson(t0, t1, 1500):
        d = r.randint(1, 28)
        stmt = (
            f"SELECT DATE(created_at) d, COUNT(*), SUM(total_cents) FROM orders WHERE created_at BETWEEN "
            f"'2024-05-{d:02d}' AND '2024-06-01' GROUP BY d"
        )
        slow(
            t,
            MY_R,
            "report_ro",
            "10.0.5.40",
            cid(),
            r.uniform(12, 95),
            r.uniform(0.000004, 0.0002),
            30 - d,
            r.randint(3000000, 9000000),
            stmt,
            "slow_report",
        )

    # ---- background: watchdog samples every 10 minutes on both hosts
    fault_p = (dt("2024-06-03T14:02:00Z"), dt("2024-06-03T14:48:00Z"))
    fault_r = (dt("2024-06-03T14:47:00Z"), dt("2024-06-03T16:32:00Z"))
    for t in L.every(t0 + timedelta(seconds=7), t1, 600, 2.0):
        if not (fault_p[0] <= t < fault_p[1]):
            watch(
                t,
                MY_P,
                "INFO",
                f"status: threads_connected={r.randint(140, 260)} threads_running={r.randint(2, 14)} "
                f"questions/s={r.randint(2100, 5200)} slow_queries+={r.randint(0, 9)}",
                "w_status",
            )
        if not (fault_r[0] <= t < fault_r[1]):
            pos = 4000000 + int((t - t0).total_seconds() * 1370)
            watch(
                t + timedelta(seconds=0.4),
                MY_R,
                "INFO",
                f"replica status: Replica_IO_Running=Yes Replica_SQL_Running=Yes Seconds_Behind_Source=0 "
                f"Exec_Source_Log_Pos={pos % 1073741824}",
                "w_repl_ok",
            )
    # background WARNs: undo history during the nightly ETL on the primary, disk usage on the replica
    for t in L.every(dt("2024-06-04T01:05:00Z"), dt("2024-06-04T01:45:00Z"), 600, 2.0):
        watch(
            t + timedelta(seconds=1.1),
            MY_P,
            "WARN",
            f"innodb history list length {r.randint(140000, 260000)} above 100000 (purge lagging)",
            "w_hll",
        )
    for t, pct in ((dt("2024-06-04T07:40:12.5Z"), 86), (dt("2024-06-04T09:20:13.1Z"), 87)):
        watch(t, MY_R, "WARN", f"disk usage on /var/lib/mysql at {pct}% (warn at 85%)", "w_disk")

    # ---- the fault on the primary
    a_start = dt("2024-06-03T14:02:11.402113Z")
    a_end = dt("2024-06-03T14:47:02.918274Z")
    alter_id = cid()
    MY_IDS["alter"] = alter_id
    for t in L.every(dt("2024-06-03T14:03:00Z"), a_end, 120, 3.0):
        age = (t - a_start).total_seconds()
        waiting = min(598, int(6 + age * 0.23 + r.randint(0, 5)))
        watch(
            t,
            MY_P,
            "WARN",
            f"{waiting} sessions in state 'Waiting for table metadata lock' on orders.order_items; oldest "
            f"{int(age) - r.randint(3, 20)}s; blocker id={alter_id} user=migrate state='copy to tmp table' "
            f"time={int(age)}s",
            "w_mdl",
        )
    for t in L.every(dt("2024-06-03T14:05:00Z"), a_end, 300, 2.0):
        age = (t - a_start).total_seconds()
        watch(
            t + timedelta(seconds=0.7),
            MY_P,
            "WARN",
            f"long-running query id={alter_id} user=migrate host=10.0.4.21:50122 db=orders time={int(age)}s "
            f"state='copy to tmp table' info='{MY_ALTER}'",
            "w_longq",
        )
    full = dt("2024-06-03T14:18:40Z")
    for t in L.every(full, a_end, 150, 20.0):
        watch(
            t,
            MY_P,
            "WARN",
            f"threads_connected={r.randint(596, 600)}/600 (max_connections reached) "
            f"threads_running={r.randint(480, 590)}",
            "w_maxconn",
        )
    for t in L.every(full + timedelta(seconds=45), a_end, 150, 30.0):
        watch(
            t,
            MY_P,
            "ERROR",
            "probe: connect to 127.0.0.1:3306 failed: ERROR 1040 (08004): Too many connections",
            "w_probe_1040",
        )
    # clients give up while waiting: aborted connections cluster during the pile-up
    for t in L.poisson(dt("2024-06-03T14:20:00Z"), a_end, 200):
        c = cid()
        err(
            t,
            MY_P,
            "Note",
            "MY-010914",
            "Server",
            f"Aborted connection {c} to db: 'orders' user: 'app_rw' host: '{L.pick(app_ips)}' "
            "(Got timeout reading communication packets).",
            "aborted",
            thread=c,
        )
    # the ALTER finishes; the queued writes complete at once and land in the slow log
    slow(
        a_end,
        MY_P,
        "migrate",
        "10.0.4.21",
        alter_id,
        (a_end - a_start).total_seconds(),
        0.000391,
        0,
        41877112,
        MY_ALTER,
        "slow_alter",
    )
    for i in range(14):
        t = a_end + timedelta(milliseconds=40 + i * r.randint(30, 400))
        waited = (t - dt("2024-06-03T14:02:30Z")).total_seconds() - r.uniform(0, 2300)
        if i % 2:
            stmt = (
                f"INSERT INTO order_items (order_id, sku, qty, price_cents) VALUES ({r.randint(9100000, 9200000)}, "
                f"'SKU-{r.randint(10000, 19999)}', {r.randint(1, 4)}, {r.randint(299, 18999)})"
            )
            tpl = "slow_mdl_insert"
        else:
            stmt = (
                f"UPDATE order_items SET qty = {r.randint(1, 5)} WHERE order_id = {r.randint(9100000, 9200000)} "
                f"AND sku = 'SKU-{r.randint(10000, 19999)}'"
            )
            tpl = "slow_mdl_update"
        slow(t, MY_P, "app_rw", L.pick(app_ips), cid(), waited + 0.004, waited, 0, 1, stmt, tpl)
    watch(
        a_end + timedelta(seconds=58),
        MY_P,
        "INFO",
        "metadata lock waits cleared on orders.order_items; 0 sessions waiting",
        "w_mdl_clear",
    )

    # ---- the fault on the replica
    report_id = cid()
    MY_IDS["report"] = report_id
    wt = dt("2024-06-03T14:47:03.611Z")
    pos = 88123456
    repl_err = (
        "Replica SQL for channel '': Worker 1 failed executing transaction 'ANONYMOUS' at source log "
        f"binlog.004417, end_log_pos {pos + 255}; Error 'Lock wait timeout exceeded; try restarting "
        f"transaction' on query. Default database: 'orders'. Query: '{MY_ALTER}', Error_code: MY-001205"
    )
    for k, lvl in ((1, "Warning"), (2, "Warning"), (3, "ERROR")):
        t = wt + timedelta(seconds=300 * k + r.uniform(0.001, 0.05))
        err(t, MY_R, lvl, "MY-010584", "Repl", repl_err, "repl_1205", thread=17)
    stop = wt + timedelta(seconds=900.2)
    err(
        stop,
        MY_R,
        "ERROR",
        "MY-010586",
        "Repl",
        "Error running query, replica SQL thread aborted. Fix the problem, and restart the replica SQL thread "
        f"with \"START REPLICA\". We stopped at log 'binlog.004417' position {pos}",
        "repl_aborted",
        thread=16,
    )
    lag_at = {}
    for t in L.every(dt("2024-06-03T14:52:30Z"), dt("2024-06-03T16:32:00Z"), 300, 2.0):
        if t < stop:
            lag = int((t - wt).total_seconds())
            lag_at[t] = lag
            watch(
                t,
                MY_R,
                "WARN",
                f"replication lag: Seconds_Behind_Source={lag} (warn > 300) "
                "Replica_SQL_Running_State='Waiting for table metadata lock'",
                "w_lag",
            )
        elif t < dt("2024-06-03T15:18:00Z"):
            watch(
                t,
                MY_R,
                "ERROR",
                "replication stopped: Replica_IO_Running=Yes Replica_SQL_Running=No Seconds_Behind_Source=NULL "
                "Last_SQL_Errno=1205 Last_SQL_Error='Worker 1 failed executing transaction; Lock wait timeout "
                "exceeded'",
                "w_repl_stopped",
            )
        elif t < dt("2024-06-03T16:03:00Z"):
            lag = int((t - wt).total_seconds())
            watch(
                t,
                MY_R,
                "WARN",
                f"replication lag: Seconds_Behind_Source={lag} (warn > 300) "
                "Replica_SQL_Running_State='altering table'",
                "w_lag",
            )
        else:
            left = (dt("2024-06-03T16:31:10Z") - t).total_seconds() / (28 * 60 + 10)
            lag = max(301, int(4560 * left))
            watch(
                t,
                MY_R,
                "WARN",
                f"replication lag: Seconds_Behind_Source={lag} (warn > 300) "
                "Replica_SQL_Running_State='Waiting for dependent transaction to commit'",
                "w_lag",
            )
    kt = dt("2024-06-03T15:17:41.200Z")
    watch(
        kt,
        MY_R,
        "INFO",
        f"killed id={report_id} user=report_ro host=10.0.5.40:61873 time=2884s state='executing' "
        "(held metadata lock on orders.order_items); requested by dba@bastion",
        "w_kill",
    )
    err(
        kt + timedelta(seconds=19.6),
        MY_R,
        "Warning",
        "MY-010897",
        "Repl",
        "Storing MySQL user name or password information in the connection metadata repository is not secure and "
        "is therefore not recommended. Please consider using the USER and PASSWORD connection options for "
        "START REPLICA; see the 'START REPLICA Syntax' in the MySQL Manual for more information.",
        "repl_insecure",
        thread=16,
    )
    err(
        kt + timedelta(seconds=19.61),
        MY_R,
        "System",
        "MY-010581",
        "Repl",
        f"Replica SQL thread for channel '' initialized, starting replication in log 'binlog.004417' at position "
        f"{pos}, relay log './{MY_R}-relay-bin.000212' position: 402",
        "repl_sql_start",
        thread=17,
    )
    watch(
        dt("2024-06-03T16:34:02.7Z"),
        MY_R,
        "INFO",
        "replication caught up: Seconds_Behind_Source=0 after 107 min of lag",
        "w_caught_up",
    )
    return L


MY_PROBLEM = {"field": {"level": "Warning|ERROR|WARN"}}


def mysql_questions():
    alter_id = MY_IDS["alter"]
    return {
        "id": "g-mysql",
        "title": "orders-db: p99 write latency and connection errors on Jun 3, replica lag alert follows",
        "questions": [
            q(
                "broad",
                "orders api is timing out and i'm getting paged. what's wrong on mysql-orders-01 between 14:00 and "
                "14:30 on jun 3?",
                ["Waiting for table metadata lock", "mysql-orders-01"],
                dict(
                    MY_PROBLEM,
                    field={"level": "Warning|ERROR|WARN", "host": MY_P},
                    since="2024-06-03T14:00:00Z",
                    until="2024-06-03T14:30:00Z",
                ),
            ),
            q(
                "lexical",
                f"id {alter_id} keeps showing up as the blocker. who is that, what was it running and when did it "
                "finish?",
                ["ALTER TABLE order_items", "migrate"],
                {"msg": rf"(?<!\d){alter_id}(?!\d)"},
            ),
            q(
                "paraphrase",
                "were clients being refused at the door because every slot on the primary was taken?",
                ["Too many connections", "mysql-orders-01"],
                {"msg": r"Too many connections|max_connections reached"},
            ),
            q(
                "lexical",
                "now the replica is logging MY-001205. what statement is it stuck on and did it give up?",
                ["Lock wait timeout exceeded", "mysql-orders-02"],
                {"msg": r"MY-001205|MY-010586"},
            ),
            q(
                "paraphrase",
                "how stale did the read copy get at worst, and when was it current again?",
                ["Seconds_Behind_Source", "mysql-orders-02"],
                {"msg": r"^replication (lag|caught up):", "field": {"host": MY_R}},
            ),
            q(
                "broad",
                "ok it's back. anything else odd on mysql-orders-02 after 17:00 and through the morning of jun 4?",
                ["disk usage", "mysql-orders-02"],
                {
                    "field": {"level": "Warning|ERROR|WARN", "host": MY_R},
                    "since": "2024-06-03T17:00:00Z",
                    "until": "2024-06-04T12:00:00Z",
                },
            ),
        ],
    }


# =============================================================================================
# g-redis: a Redis 7.2 primary (redis-a) and two replicas (redis-b, redis-c), a cart service that
# talks to them, a keyspace-notification listener and a metrics watcher.
# Fault: on Jun 11 memory reaches maxmemory (8gb, volatile-lru): volatile keys are evicted, then
# writes fail with "OOM command not allowed"; the RDB fork fails ("Can't save in background: fork:
# Cannot allocate memory") so writes also fail with MISCONF; redis-c is dropped for exceeding the
# replica output buffer, cannot partial-resync, and after maxmemory is raised does a full resync.

RD_HOSTS = {
    "redis-a": ("10.20.0.11", 2417, "M"),
    "redis-b": ("10.20.0.12", 2290, "S"),
    "redis-c": ("10.20.0.13", 1876, "S"),
}
RD_IDS = {}


def gen_redis():
    L = Log("redis", 3, UTC)
    r = L.rnd
    t0, t1 = dt("2024-06-10T06:00:00Z"), dt("2024-06-11T16:00:00Z")
    child = {"redis-a": 30110, "redis-b": 41020, "redis-c": 3400}
    pid = {h: v[1] for h, v in RD_HOSTS.items()}
    clients = [f"10.20.1.{i}" for i in (21, 22, 23, 24, 37, 41, 52)]
    pods = ["cart-api-7f9c-xk2lp", "cart-api-7f9c-q8m4t", "cart-api-7f9c-zz5rd"]
    cid = [18000]

    def srv(t, host, mark, text, tpl, role=None, p=None):
        level = {"*": "notice", "#": "warning", "-": "verbose", ".": "debug"}[mark]
        L.add(
            t,
            tpl,
            text,
            level=level,
            host=host,
            pid=p or pid[host],
            role=role or RD_HOSTS[host][2],
            service="redis",
        )

    def app(t, pod, level, text, tpl, **kw):
        L.add(t, tpl, text, level=level, host=pod, service="cart-api", **kw)

    def watch(t, node, level, text, tpl):
        L.add(t, tpl, text, level=level, host="mon-01", service="redis-watch", node=node)

    def ks(t, text, tpl):
        L.add(t, tpl, text, level="info", host="ks-listener-5d8f", service="ks-listener")

    def key(prefix):
        return f"{prefix}:{L.hexid(12)}"

    # a save on one host: trigger, fork, child writes, child reports CoW, parent reaps
    def save(t, host, trigger):
        child[host] += r.randint(3, 60)
        cp = child[host]
        srv(t, host, "*", trigger, "save_trigger")
        srv(
            t + timedelta(milliseconds=r.randint(2, 30)),
            host,
            "*",
            f"Background saving started by pid {cp}",
            "bgsave_started",
        )
        d = timedelta(seconds=r.uniform(18, 70))
        srv(t + d, host, "*", "DB saved on disk", "db_saved", role="C", p=cp)
        cur = r.randint(2, 90)
        srv(
            t + d + timedelta(milliseconds=1),
            host,
            "*",
            f"Fork CoW for RDB: current {cur} MB, peak {cur + r.randint(0, 40)} MB, average {max(1, cur // 2)} MB",
            "fork_cow",
            role="C",
            p=cp,
        )
        srv(
            t + d + timedelta(milliseconds=r.randint(90, 110)),
            host,
            "*",
            "Background saving terminated with success",
            "bgsave_ok",
        )

    fault_a = dt("2024-06-11T10:50:00Z"), dt("2024-06-11T11:24:00Z")
    for host in RD_HOSTS:
        mean = 1500 if host == "redis-a" else 3600
        for t in L.poisson(t0, t1, mean):
            if host == "redis-a" and fault_a[0] - timedelta(minutes=2) <= t < fault_a[1]:
                continue
            if host == "redis-c" and dt("2024-06-10T13:58:00Z") <= t < dt("2024-06-10T14:05:00Z"):
                continue
            trig = L.pick(
                ["100 changes in 300 seconds. Saving...", "10000 changes in 60 seconds. Saving..."]
                if host == "redis-a"
                else ["100 changes in 300 seconds. Saving...", "1 changes in 3600 seconds. Saving..."]
            )
            save(t, host, trig)
        # clients connecting and leaving
        for t in L.poisson(t0, t1, 600 if host == "redis-a" else 2400):
            ip = L.pick(clients)
            port = r.randint(32768, 60999)
            srv(t, host, "-", f"Accepted {ip}:{port}", "accepted")
            cid[0] += r.randint(1, 9)
            age = r.randint(1, 4000)
            end = t + timedelta(seconds=age)
            if end < t1:
                srv(
                    end,
                    host,
                    "-",
                    f"Client closed connection id={cid[0]} addr={ip}:{port} laddr={RD_HOSTS[host][0]}:6379 "
                    f"fd={r.randint(9, 400)} name= age={age} idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 "
                    f"qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 "
                    f"tot-mem=37760 events=r cmd=quit user=default redir=-1 resp=2 lib-name=redis-py lib-ver=5.0.4",
                    "client_closed",
                )

    # planned restart of redis-c on Jun 10 (noise with startup warnings)
    rt = dt("2024-06-10T13:59:41.118Z")
    srv(rt, "redis-c", "#", "User requested shutdown...", "shutdown_req")
    srv(
        rt + timedelta(milliseconds=2),
        "redis-c",
        "*",
        "Saving the final RDB snapshot before exiting.",
        "final_save",
    )
    srv(rt + timedelta(seconds=31.4), "redis-c", "*", "DB saved on disk", "db_saved")
    srv(rt + timedelta(seconds=31.41), "redis-c", "#", "Redis is now ready to exit, bye bye...", "bye")
    pid["redis-c"] = 3310
    st = dt("2024-06-10T14:01:12.450Z")
    boot = [
        ("#", "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo", "boot_banner"),
        (
            "#",
            "Redis version=7.2.4, bits=64, commit=00000000, modified=0, pid=3310, just started",
            "boot_version",
        ),
        ("#", "Configuration loaded", "boot_config"),
        ("*", "monotonic clock: POSIX clock_gettime", "boot_clock"),
        ("*", "Running mode=standalone, port=6379.", "boot_mode"),
        (
            "#",
            "WARNING: The TCP backlog setting of 511 cannot be enforced because /proc/sys/net/core/somaxconn is "
            "set to the lower value of 128.",
            "boot_somaxconn",
        ),
        (
            "#",
            "WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail "
            "under low memory condition. To fix this issue add 'vm.overcommit_memory = 1' to /etc/sysctl.conf "
            "and then reboot or run the command 'sysctl vm.overcommit_memory=1' for this to take effect.",
            "boot_overcommit",
        ),
        ("*", "Server initialized", "boot_init"),
        ("*", "Loading RDB produced by version 7.2.4", "rdb_loading"),
        ("*", "RDB age 36 seconds", "rdb_age"),
        ("*", "RDB memory usage when created 6012.77 Mb", "rdb_mem"),
        ("*", "Done loading RDB, keys loaded: 3902118, keys expired: 4471.", "rdb_done"),
        ("*", "DB loaded from disk: 21.734 seconds", "rdb_loaded"),
        (
            "*",
            "Before turning into a replica, using my own master parameters to synthesize a cached master: I may "
            "be able to synchronize with the new master with just a partial transfer.",
            "cached_master_synth",
        ),
        ("*", "Ready to accept connections tcp", "boot_ready"),
        ("*", "Connecting to MASTER 10.20.0.11:6379", "connecting_master"),
        ("*", "MASTER <-> REPLICA sync started", "sync_started"),
        ("*", "Non blocking connect for SYNC fired the event.", "sync_fired"),
        ("*", "Master replied to PING, replication can continue...", "master_ping"),
        (
            "*",
            "Trying a partial resynchronization (request 3a1f9c0d7e22b41c8f55a06d91e3b7c2a4f81e90:61138847122).",
            "psync_try",
        ),
        ("*", "Successful partial resynchronization with master.", "psync_ok"),
        ("*", "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.", "psync_accepted"),
    ]
    t = st
    for mark, text, tpl in boot:
        t += timedelta(milliseconds=r.randint(0, 3) if tpl != "rdb_loaded" else 21734)
        srv(t, "redis-c", mark, text, tpl, role="C" if tpl.startswith("boot_b") else "S")
    srv(
        t - timedelta(milliseconds=1),
        "redis-a",
        "*",
        "Replica 10.20.0.13:6379 asks for synchronization",
        "replica_asks",
    )
    srv(
        t + timedelta(milliseconds=1),
        "redis-a",
        "*",
        "Partial resynchronization request from 10.20.0.13:6379 accepted. Sending 81223 bytes of backlog starting "
        "from offset 61138847123.",
        "psync_accept_primary",
    )

    # background warnings that are not the fault
    srv(
        dt("2024-06-10T19:42:17.031Z"),
        "redis-b",
        "#",
        "Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This "
        "is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis "
        "instance. Connection from 10.20.9.77:44102 aborted.",
        "security_attack",
    )
    for t, node, d, cmd in (
        (dt("2024-06-10T09:12:40.5Z"), "redis-b", 48211, "KEYS session:*"),
        (dt("2024-06-10T22:31:02.2Z"), "redis-b", 61007, "KEYS cart:*"),
        (dt("2024-06-11T04:05:51.9Z"), "redis-a", 23940, "SMEMBERS promo:eligible"),
    ):
        watch(
            t,
            node,
            "WARN",
            f"slowlog {node} id={r.randint(1200, 9000)} duration_us={d} cmd='{cmd}' "
            f"client={L.pick(clients)}:{r.randint(32768, 60999)}",
            "w_slowlog",
        )
    for t in (dt("2024-06-10T22:30:58.1Z"), dt("2024-06-10T22:31:01.4Z")):
        app(
            t,
            L.pick(pods),
            "warn",
            "redis pool: dial tcp 10.20.0.12:6379: i/o timeout, retrying (attempt 1/3)",
            "app_dial_timeout",
            node="10.20.0.12:6379",
            lat_us=1000000,
        )
    for t in L.poisson(t0, t1, 2700):
        app(
            t,
            L.pick(pods),
            "warn",
            "redis call slow",
            "app_slow",
            cmd=L.pick(["HGETALL", "ZRANGEBYSCORE", "MGET"]),
            lat_us=r.randint(120000, 480000),
            node=L.pick(["10.20.0.12:6379", "10.20.0.13:6379"]),
        )
    for pod in pods:
        for t in L.every(t0 + timedelta(seconds=r.randint(0, 1799)), t1, 1800, 3.0):
            app(
                t,
                pod,
                "info",
                f"redis pool stats: active={r.randint(3, 40)} idle={r.randint(10, 60)} "
                f"waits={r.randint(0, 4)} timeouts=0",
                "app_pool_stats",
            )
    # keyspace notifications: expiries all day
    for t in L.poisson(t0, t1, 600):
        ks(
            t,
            f"keyspace event __keyevent@0__:expired {key(L.pick(['session', 'cart', 'ratelimit']))}",
            "ks_expired",
        )

    # watcher samples every 15 minutes; used memory climbs on Jun 11 morning
    def used(t):
        base = 5.9 + 0.05 * ((t - t0).total_seconds() / 3600) % 0.6
        ramp = max(0.0, (t - dt("2024-06-11T07:00:00Z")).total_seconds() / 3600) * 0.62
        return min(8.0, base + ramp)

    for t in L.every(t0 + timedelta(seconds=3), t1, 900, 1.0):
        for host, (_ip, _, role) in RD_HOSTS.items():
            u = used(t) if t < dt("2024-06-11T11:20:00Z") else 8.1 + r.uniform(0, 0.2)
            mx = 8.0 if t < dt("2024-06-11T11:20:00Z") else 10.0
            if role == "S":
                u = min(u, 8.0) - 0.05
            ev = 0 if t < dt("2024-06-11T10:31:00Z") or role == "S" else r.randint(300, 2900)
            bg = "err" if host == "redis-a" and fault_a[0] <= t < dt("2024-06-11T11:21:00Z") else "ok"
            level = "WARN" if host == "redis-a" and u / mx > 0.9 else "INFO"
            watch(
                t + timedelta(milliseconds=120),
                host,
                level,
                f"{host} role={'master' if role == 'M' else 'slave'} used_memory={u:.2f}G maxmemory={mx:.2f}G "
                f"evicted_keys+={ev} connected_clients={r.randint(150, 260)} rdb_last_bgsave_status={bg}",
                "w_info",
            )

    # ---- the fault
    for t in L.poisson(dt("2024-06-11T10:31:00Z"), dt("2024-06-11T10:44:00Z"), 34):
        ks(
            t,
            f"keyspace event __keyevent@0__:evicted {key(L.pick(['session', 'cart', 'ratelimit']))}",
            "ks_evicted",
        )
    oom = "OOM command not allowed when used memory > 'maxmemory'."
    for t in L.poisson(dt("2024-06-11T10:44:10Z"), dt("2024-06-11T11:20:30Z"), 80):
        app(
            t,
            L.pick(pods),
            "error",
            f"redis error: {oom}",
            "app_oom",
            cmd=L.pick(["HSET", "SET", "EXPIRE", "ZADD", "HINCRBY"]),
            lat_us=r.randint(180, 900),
            node="10.20.0.11:6379",
            key=key(L.pick(["cart", "session"])),
        )
    fork_fail = "Can't save in background: fork: Cannot allocate memory"
    fails = L.every(dt("2024-06-11T10:50:21Z"), dt("2024-06-11T11:20:00Z"), 240, 8.0)
    for t in fails:
        srv(t, "redis-a", "*", "10000 changes in 60 seconds. Saving...", "save_trigger")
        srv(t + timedelta(milliseconds=r.randint(40, 300)), "redis-a", "#", fork_fail, "fork_fail")
    misconf = (
        "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. "
        "Commands that may modify the data set are disabled, because this instance is configured to report "
        "errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check "
        "the Redis logs for details about the RDB error."
    )
    for t in L.poisson(fails[0] + timedelta(seconds=1), dt("2024-06-11T11:21:00Z"), 110):
        app(
            t,
            L.pick(pods),
            "error",
            f"redis error: {misconf}",
            "app_misconf",
            cmd=L.pick(["HSET", "SET", "DEL"]),
            lat_us=r.randint(150, 700),
            node="10.20.0.11:6379",
        )
    # redis-c dropped for output buffer limits, cannot partial-resync, its full sync cannot fork
    drop = dt("2024-06-11T10:58:12.604Z")
    RD_IDS["drop"] = drop
    srv(
        drop,
        "redis-a",
        "#",
        "Client id=18231 addr=10.20.0.13:41822 laddr=10.20.0.11:6379 fd=31 name= age=75421 idle=0 flags=S db=0 "
        "sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=8211 "
        "omem=268478411 tot-mem=268481632 events=r cmd=replconf user=default redir=-1 resp=2 lib-name= lib-ver= "
        "scheduled to be closed ASAP for overcoming of output buffer limits.",
        "obuf_limit",
    )
    srv(
        drop + timedelta(milliseconds=2),
        "redis-a",
        "*",
        "Connection with replica 10.20.0.13:6379 lost.",
        "replica_lost",
    )
    seq = [
        (0.05, "redis-c", "#", "Connection with master lost.", "master_lost"),
        (0.051, "redis-c", "*", "Caching the disconnected master state.", "caching_master"),
        (0.052, "redis-c", "*", "Reconnecting to MASTER 10.20.0.11:6379", "reconnecting_master"),
        (0.053, "redis-c", "*", "MASTER <-> REPLICA sync started", "sync_started"),
        (0.055, "redis-c", "*", "Non blocking connect for SYNC fired the event.", "sync_fired"),
        (0.058, "redis-c", "*", "Master replied to PING, replication can continue...", "master_ping"),
        (
            0.060,
            "redis-c",
            "*",
            "Trying a partial resynchronization (request 3a1f9c0d7e22b41c8f55a06d91e3b7c2a4f81e90:62990471815).",
            "psync_try",
        ),
        (0.061, "redis-a", "*", "Replica 10.20.0.13:6379 asks for synchronization", "replica_asks"),
        (
            0.062,
            "redis-a",
            "*",
            "Unable to partial resync with replica 10.20.0.13:6379 for lack of backlog (Replica request was: "
            "62990471815).",
            "psync_backlog",
        ),
        (0.063, "redis-a", "*", "Starting BGSAVE for SYNC with target: disk", "bgsave_sync"),
        (0.071, "redis-a", "#", fork_fail, "fork_fail"),
        (0.072, "redis-a", "#", "BGSAVE for replication failed", "bgsave_repl_failed"),
        (0.074, "redis-a", "*", "Connection with replica 10.20.0.13:6379 lost.", "replica_lost"),
        (0.080, "redis-c", "#", "Master did not reply to SYNC, will try later.", "sync_noreply"),
    ]
    base = drop
    for rep in range(2):
        for off, host, mark, text, tpl in seq[2 if rep else 0 :]:
            srv(base + timedelta(seconds=off), host, mark, text, tpl)
        base = base + timedelta(seconds=60 * (rep + 3) + r.uniform(0.1, 0.9))
    for t in L.poisson(drop + timedelta(minutes=1), dt("2024-06-11T11:24:00Z"), 150):
        app(
            t,
            L.pick(pods),
            "error",
            "redis error: LOADING Redis is loading the dataset in memory"
            if t > dt("2024-06-11T11:21:30Z")
            else "redis replica 10.20.0.13:6379 unavailable, reading from primary",
            "app_loading" if t > dt("2024-06-11T11:21:30Z") else "app_replica_fallback",
            cmd=L.pick(["HGETALL", "GET", "MGET"]),
            lat_us=r.randint(200, 2000),
            node="10.20.0.13:6379",
        )
    # operators raise maxmemory; the fork works; redis-c does a full resync
    fx = dt("2024-06-11T11:19:48.300Z")
    watch(
        fx,
        "redis-a",
        "INFO",
        "redis-a config change: maxmemory 8.00G -> 10.00G (CONFIG SET by ops@bastion)",
        "w_config",
    )
    full = dt("2024-06-11T11:20:44.200Z")
    cp = child["redis-a"] + 77
    steps = [
        (0.0, "redis-c", "*", "Reconnecting to MASTER 10.20.0.11:6379", "reconnecting_master"),
        (0.002, "redis-c", "*", "MASTER <-> REPLICA sync started", "sync_started"),
        (0.004, "redis-c", "*", "Non blocking connect for SYNC fired the event.", "sync_fired"),
        (0.006, "redis-c", "*", "Master replied to PING, replication can continue...", "master_ping"),
        (
            0.007,
            "redis-c",
            "*",
            "Trying a partial resynchronization (request 3a1f9c0d7e22b41c8f55a06d91e3b7c2a4f81e90:62990471815).",
            "psync_try",
        ),
        (0.008, "redis-a", "*", "Replica 10.20.0.13:6379 asks for synchronization", "replica_asks"),
        (
            0.009,
            "redis-a",
            "*",
            "Unable to partial resync with replica 10.20.0.13:6379 for lack of backlog (Replica request was: "
            "62990471815).",
            "psync_backlog",
        ),
        (0.010, "redis-a", "*", "Starting BGSAVE for SYNC with target: disk", "bgsave_sync"),
        (0.061, "redis-a", "*", f"Background saving started by pid {cp}", "bgsave_started"),
        (
            0.063,
            "redis-c",
            "*",
            "Full resync from master: 3a1f9c0d7e22b41c8f55a06d91e3b7c2a4f81e90:63104118290",
            "full_resync",
        ),
        (52.4, "redis-a", "*", "DB saved on disk", "db_saved"),
        (
            52.401,
            "redis-a",
            "*",
            "Fork CoW for RDB: current 1184 MB, peak 1184 MB, average 611 MB",
            "fork_cow",
        ),
        (52.52, "redis-a", "*", "Background saving terminated with success", "bgsave_ok"),
        (
            52.6,
            "redis-c",
            "*",
            "MASTER <-> REPLICA sync: receiving 5811402217 bytes from master to disk",
            "sync_receiving",
        ),
        (101.3, "redis-a", "*", "Synchronization with replica 10.20.0.13:6379 succeeded", "sync_succeeded"),
        (101.31, "redis-c", "*", "Discarding previously cached master state.", "discard_cached"),
        (101.312, "redis-c", "*", "MASTER <-> REPLICA sync: Flushing old data", "sync_flush"),
        (104.9, "redis-c", "*", "MASTER <-> REPLICA sync: Loading DB in memory", "sync_loading"),
        (104.91, "redis-c", "*", "Loading RDB produced by version 7.2.4", "rdb_loading"),
        (104.911, "redis-c", "*", "RDB age 53 seconds", "rdb_age"),
        (104.912, "redis-c", "*", "RDB memory usage when created 8071.30 Mb", "rdb_mem"),
        (134.2, "redis-c", "*", "Done loading RDB, keys loaded: 4411873, keys expired: 12208.", "rdb_done"),
        (134.21, "redis-c", "*", "MASTER <-> REPLICA sync: Finished with success", "sync_finished"),
    ]
    for off, host, mark, text, tpl in steps:
        role = "C" if host == "redis-a" and tpl in ("db_saved", "fork_cow") else None
        srv(full + timedelta(seconds=off), host, mark, text, tpl, role=role, p=cp if role else None)
    RD_IDS["done"] = full + timedelta(seconds=135)
    return L


RD_PROBLEM = {"field": {"level": "(?i)warn|warning|error"}}


def redis_questions():
    return {
        "id": "g-redis",
        "title": "cart-api error rate alert on Jun 11; redis-a memory above 90%",
        "questions": [
            q(
                "broad",
                "cart checkout is erroring for users. anything odd on the redis side between 10:45 and 10:55 on jun 11?",
                ["OOM command not allowed", "redis-a"],
                dict(RD_PROBLEM, since="2024-06-11T10:45:00Z", until="2024-06-11T10:55:00Z"),
            ),
            q(
                "paraphrase",
                "before that, was it quietly dropping entries on its own to free up space?",
                ["evicted", "10:31"],
                {"msg": r"__keyevent@0__:evicted"},
            ),
            q(
                "lexical",
                "what's the 'fork: Cannot allocate memory' on redis-a about and how many times did it hit?",
                ["Can't save in background", "redis-a"],
                {"msg": r"Cannot allocate memory|BGSAVE for replication failed"},
            ),
            q(
                "lexical",
                "and 10.20.0.13 - did it drop off the primary? what happened to it after that and when was it "
                "back in sync?",
                ["Full resync", "10.20.0.13"],
                [
                    {
                        "msg": r"10\.20\.0\.13(?!\d)",
                        "field": {"host": "redis-a"},
                        "since": "2024-06-11T10:58:00Z",
                    },
                    {
                        "field": {"host": "redis-c", "service": "redis"},
                        "msg": r"(?i)master|resync|sync|^Loading RDB|^Done loading RDB",
                        "since": "2024-06-11T10:58:00Z",
                    },
                ],
            ),
            q(
                "paraphrase",
                "once it couldn't back itself up anymore, which pods got their updates bounced, and until when?",
                ["MISCONF", "cart-api-7f9c-xk2lp"],
                {"field": {"service": "cart-api"}, "msg": r"MISCONF"},
            ),
            q(
                "broad",
                "separate thing, anything weird on redis-b on jun 10?",
                ["SECURITY ATTACK", "redis-b"],
                [
                    dict(
                        RD_PROBLEM,
                        field={"level": "(?i)warn|warning|error", "host": "redis-b"},
                        since="2024-06-10T00:00:00Z",
                        until="2024-06-11T00:00:00Z",
                    ),
                    {
                        "field": {"level": "WARN", "node": "redis-b"},
                        "since": "2024-06-10T00:00:00Z",
                        "until": "2024-06-11T00:00:00Z",
                    },
                ],
            ),
        ],
    }


# =============================================================================================
# g-haproxy: HAProxy 2.8 on lb1 in front of api_back (api1-3), static_back (web1-2) and auth_back
# (auth1-2); syslog records in local time (-07:00). Fault on Jun 18: api3 then api1 fail their
# health checks; api2 alone is swamped: requests queue and time out (503 sQ), connects time out
# (503 sC), responses time out (504 sH); then api2 fails its check too and "backend api_back has no
# server available!" (503 SC, <NOSRV>) until api2 comes back.

HA_SERVERS = {
    "api_back": ["api1", "api2", "api3"],
    "static_back": ["web1", "web2"],
    "auth_back": ["auth1", "auth2"],
}
HA_ADDR = {
    "api1": "10.30.1.11",
    "api2": "10.30.1.12",
    "api3": "10.30.1.13",
    "web1": "10.30.2.21",
    "web2": "10.30.2.22",
    "auth1": "10.30.3.31",
    "auth2": "10.30.3.32",
}


def gen_haproxy():
    L = Log("haproxy", 3, PDT)
    r = L.rnd
    t0 = datetime(2024, 6, 17, 6, 0, tzinfo=PDT)
    t1 = datetime(2024, 6, 18, 15, 30, tzinfo=PDT)
    worker = [4211]
    reload_t = datetime(2024, 6, 17, 19, 40, 3, 118000, tzinfo=PDT)
    clients = [f"203.0.113.{i}" for i in range(2, 250, 7)] + [f"198.51.100.{i}" for i in range(5, 250, 11)]
    clients += [f"192.0.2.{i}" for i in range(9, 250, 13)]

    def haline(t, level, text, tpl, p=None):
        L.add(
            t,
            tpl,
            text,
            level=level,
            host="lb1",
            pid=p or (worker[0] if t < reload_t else 18822),
            service="haproxy",
        )

    def path_for(be):
        if be == "api_back":
            return L.pick(
                [
                    ("GET", f"/v1/orders/{r.randint(810000, 899999)}"),
                    ("GET", f"/v1/cart/{L.hexid(8)}"),
                    ("POST", "/v1/cart/items"),
                    ("GET", f"/v1/products?page={r.randint(1, 40)}"),
                    ("POST", "/v1/checkout"),
                    ("GET", f"/v1/customers/{r.randint(1000, 99999)}/addresses"),
                ]
            )
        if be == "static_back":
            return L.pick(
                [
                    ("GET", f"/assets/app.{L.hexid(8)}.js"),
                    ("GET", "/assets/styles.css"),
                    ("GET", f"/img/p/{r.randint(1000, 9999)}.webp"),
                    ("GET", "/favicon.ico"),
                ]
            )
        return L.pick(
            [("POST", "/oauth/token"), ("GET", "/oauth/authorize?client_id=web"), ("POST", "/oauth/revoke")]
        )

    def req(t_accept, be, srv, tq, tw, tc, tr, status, nbytes, term, tpl, path=None, conns=None):
        # Ta: total time; a timeout adds its own length (timeout connect 5s, timeout server 30s)
        ta = max(tq, 0) + max(tw, 0) + max(tc, 0) + max(tr, 0) + r.randint(0, 3)
        if term.startswith("sC"):
            ta += 5000
        elif term.startswith("sH"):
            ta += 30000
        method, p = path or path_for(be)
        ip = L.pick(clients)
        ac, fc, bc, sc = conns or (
            r.randint(80, 160),
            r.randint(70, 150),
            r.randint(10, 40),
            r.randint(1, 15),
        )
        text = (
            f"{ip}:{r.randint(1025, 65535)} [{t_accept.strftime('%d/%b/%Y:%H:%M:%S')}.{t_accept.microsecond // 1000:03d}] "
            f"fe_https~ {be}/{srv} {tq}/{tw}/{tc}/{tr}/{ta} {status} {nbytes} - - {term} "
            f'{ac}/{fc}/{bc}/{sc}/0 0/0 "{method} {p} HTTP/1.1"'
        )
        haline(t_accept + timedelta(milliseconds=ta), "info", text, tpl)

    up = {s: True for s in HA_ADDR}
    f_start = datetime(2024, 6, 18, 13, 47, tzinfo=PDT)
    f_end = datetime(2024, 6, 18, 14, 30, tzinfo=PDT)

    def routine(t, backends=("api_back",) * 6 + ("static_back",) * 3 + ("auth_back",)):
        be = L.pick(backends)
        srv = L.pick([s for s in HA_SERVERS[be] if up[s]])
        x = r.random()
        if x < 0.05:
            req(t, be, srv, 0, 0, 1, r.randint(2, 20), 404, r.randint(180, 420), "----", "req_404")
        elif x < 0.08 and be == "static_back":
            req(t, be, srv, 0, 0, 0, r.randint(1, 4), 304, 0, "----", "req_304")
        elif x < 0.11 and be == "auth_back":
            req(t, be, srv, 0, 0, 1, r.randint(8, 30), 401, 112, "----", "req_401")
        elif x < 0.13:
            req(
                t, be, srv, 0, 0, 1, r.randint(40, 900), 200, r.randint(400, 9000), "CD--", "req_client_abort"
            )
        else:
            tr = r.randint(3, 120) if be != "static_back" else r.randint(1, 12)
            req(t, be, srv, 0, 0, r.randint(0, 2), tr, 200, r.randint(300, 48000), "----", "req_200")

    for t in L.poisson(t0, t1, 75):
        if f_start <= t < f_end:
            continue
        routine(t)
    # scanners probing for files that do not exist
    for t in L.poisson(t0, t1, 3600):
        p = L.pick(["/.env", "/wp-login.php", "/.git/config", "/phpmyadmin/index.php", "/server-status"])
        req(
            t,
            "static_back",
            L.pick(["web1", "web2"]),
            0,
            0,
            0,
            r.randint(1, 3),
            404,
            196,
            "----",
            "req_404",
            path=("GET", p),
        )

    def fe_only(t, fe, tq, ta, status, nbytes, term, reqline, tpl):
        ip = L.pick(clients)
        text = (
            f"{ip}:{r.randint(1025, 65535)} [{t.strftime('%d/%b/%Y:%H:%M:%S')}.{t.microsecond // 1000:03d}] "
            f"{fe} {fe.rstrip('~')}/<NOSRV> {tq}/-1/-1/-1/{ta} {status} {nbytes} - - {term} "
            f'{r.randint(80, 160)}/{r.randint(2, 20)}/0/0/0 0/0 "{reqline}"'
        )
        haline(t + timedelta(milliseconds=ta), "info", text, tpl)

    for t in L.poisson(t0, t1, 1500):  # plain-http clients sent to https
        fe_only(
            t,
            "fe_http",
            0,
            0,
            301,
            91,
            "LR--",
            L.pick(["GET / HTTP/1.1", "GET /v1/products HTTP/1.1"]),
            "req_redirect",
        )
    for t in L.poisson(t0, t1, 4000):  # per-client rate limit
        fe_only(t, "fe_https~", 0, 0, 429, 120, "PR--", "POST /oauth/token HTTP/1.1", "req_429")
    for t in L.poisson(t0, t1, 5400):  # garbage on the port
        fe_only(t, "fe_https~", -1, 0, 400, 0, "PR--", "<BADREQ>", "req_badreq")
    for t in L.poisson(t0, t1, 5400):  # client opened a connection and sent nothing
        fe_only(t, "fe_https~", -1, 5001, 408, 0, "cR--", "<BADREQ>", "req_408")
    # background 5xx: an auth server hiccups now and then (502 SH: it closed the connection mid-response)
    for t in (
        datetime(2024, 6, 17, 10, 12, 44, 301000, tzinfo=PDT),
        datetime(2024, 6, 17, 20, 47, 9, 14000, tzinfo=PDT),
        datetime(2024, 6, 18, 8, 3, 30, 770000, tzinfo=PDT),
    ):
        req(
            t,
            "auth_back",
            "auth2",
            0,
            0,
            1,
            -1,
            502,
            209,
            "SH--",
            "req_502_sh",
            path=("POST", "/oauth/token"),
        )
    # TLS handshake failures
    for t in (
        datetime(2024, 6, 17, 21, 14, 5, 2000, tzinfo=PDT),
        datetime(2024, 6, 17, 21, 14, 6, 517000, tzinfo=PDT),
        datetime(2024, 6, 18, 3, 51, 40, 88000, tzinfo=PDT),
        datetime(2024, 6, 18, 11, 2, 19, 640000, tzinfo=PDT),
    ):
        ip = L.pick(clients)
        haline(
            t,
            "err",
            f"{ip}:{r.randint(1025, 65535)} [{t.strftime('%d/%b/%Y:%H:%M:%S')}.{t.microsecond // 1000:03d}] "
            "fe_https/1: SSL handshake failure",
            "ssl_fail",
        )

    def down(t, be, s, reason, dur, sessions, tpl):
        up[s] = False
        left = sum(up[x] for x in HA_SERVERS[be])
        haline(
            t,
            "alert",
            f"Server {be}/{s} is DOWN, reason: {reason}, check duration: {dur}ms. {left} active and 0 "
            f"backup servers left. {sessions} sessions active, 0 requeued, 0 remaining in queue.",
            tpl,
        )

    def upline(t, be, s, reason, dur, tpl):
        up[s] = True
        n = sum(up[x] for x in HA_SERVERS[be])
        haline(
            t,
            "notice",
            f"Server {be}/{s} is UP, reason: {reason}, check duration: {dur}ms. {n} active and 0 "
            f"backup servers online. 0 sessions requeued, 0 total in queue.",
            tpl,
        )

    # config reload on the evening of Jun 17 (master-worker mode)
    rl = [
        (0.0, "notice", "[NOTICE]   (1) : Reloading HAProxy", "reload_start", 1),
        (0.09, "notice", "[NOTICE]   (1) : haproxy version is 2.8.5-1ubuntu3", "reload_version", 1),
        (0.091, "notice", "[NOTICE]   (1) : path to executable is /usr/sbin/haproxy", "reload_path", 1),
        (
            0.093,
            "warning",
            "[WARNING]  (1) : config : parsing [/etc/haproxy/haproxy.cfg:88] : 'option httplog' not "
            "usable with proxy 'stats_fe' (needs 'mode http'). Falling back to 'option tcplog'.",
            "reload_cfg_warn",
            1,
        ),
        (0.31, "notice", "[NOTICE]   (1) : New worker (18822) forked", "reload_forked", 1),
        (0.312, "notice", "[NOTICE]   (1) : Loading success.", "reload_ok", 1),
        (
            0.32,
            "warning",
            "Proxy fe_https stopped (cumulated conns: FE: 812331, BE: 0).",
            "proxy_stopped",
            4211,
        ),
        (
            0.321,
            "warning",
            "Proxy api_back stopped (cumulated conns: FE: 0, BE: 655102).",
            "proxy_stopped",
            4211,
        ),
        (
            0.322,
            "warning",
            "Proxy static_back stopped (cumulated conns: FE: 0, BE: 201877).",
            "proxy_stopped",
            4211,
        ),
        (
            0.323,
            "warning",
            "Proxy auth_back stopped (cumulated conns: FE: 0, BE: 41022).",
            "proxy_stopped",
            4211,
        ),
        (
            3.81,
            "warning",
            "[WARNING]  (1) : Former worker (4211) exited with code 0 (Exit)",
            "reload_former",
            1,
        ),
    ]
    for off, lvl, text, tpl, p in rl:
        haline(reload_t + timedelta(seconds=off), lvl, text, tpl, p=p)
    # static web2 flaps briefly on the evening of Jun 17 (a deploy restarting nginx)
    wt = datetime(2024, 6, 17, 22, 3, 17, 455000, tzinfo=PDT)
    down(
        wt,
        "static_back",
        "web2",
        'Layer4 connection problem, info: "Connection refused"',
        0,
        2,
        "hc_down_l4conn",
    )
    upline(wt + timedelta(seconds=41.2), "static_back", "web2", "Layer4 check passed", 1, "hc_up_l4")

    # ---- the fault
    d3 = datetime(2024, 6, 18, 13, 51, 7, 240000, tzinfo=PDT)
    d1 = datetime(2024, 6, 18, 13, 53, 40, 811000, tzinfo=PDT)
    d2 = datetime(2024, 6, 18, 14, 9, 22, 563000, tzinfo=PDT)
    u2 = datetime(2024, 6, 18, 14, 14, 31, 90000, tzinfo=PDT)
    u3 = datetime(2024, 6, 18, 14, 17, 55, 402000, tzinfo=PDT)
    u1a = datetime(2024, 6, 18, 14, 21, 12, 7000, tzinfo=PDT)
    d1b = datetime(2024, 6, 18, 14, 22, 40, 330000, tzinfo=PDT)
    u1b = datetime(2024, 6, 18, 14, 29, 2, 615000, tzinfo=PDT)

    def hc(t, s, ok, reason, dur, status):
        word = "succeeded" if ok else "failed"
        haline(
            t,
            "warning",
            f"Health check for server api_back/{s} {word}, reason: {reason}, check duration: "
            f"{dur}ms, status: {status}.",
            "hc_check_ok" if ok else "hc_check_failed",
        )

    ms = timedelta(milliseconds=1)
    events = [
        (d3 - 4000 * ms, lambda t: hc(t, "api3", False, "Layer4 timeout", 2001, "2/3 UP")),
        (d3 - 2000 * ms, lambda t: hc(t, "api3", False, "Layer4 timeout", 2001, "1/3 UP")),
        (d1 - 4000 * ms, lambda t: hc(t, "api1", False, "Layer7 timeout", 2001, "2/3 UP")),
        (d1 - 2000 * ms, lambda t: hc(t, "api1", False, "Layer7 timeout", 2001, "1/3 UP")),
        (d2 - 4000 * ms, lambda t: hc(t, "api2", False, "Layer7 timeout", 2002, "2/3 UP")),
        (d2 - 2000 * ms, lambda t: hc(t, "api2", False, "Layer7 timeout", 2002, "1/3 UP")),
        (d3, lambda t: down(t, "api_back", "api3", "Layer4 timeout", 2001, 4, "hc_down_l4")),
        (d1, lambda t: down(t, "api_back", "api1", "Layer7 timeout", 2001, 11, "hc_down_l7")),
        (d2, lambda t: down(t, "api_back", "api2", "Layer7 timeout", 2002, 87, "hc_down_l7")),
        (
            d2 + timedelta(milliseconds=1),
            lambda t: haline(t, "emerg", "backend api_back has no server available!", "no_server"),
        ),
        (u2, lambda t: upline(t, "api_back", "api2", "Layer7 check passed, code: 200", 4, "hc_up_l7")),
        (u3, lambda t: upline(t, "api_back", "api3", "Layer7 check passed, code: 200", 3, "hc_up_l7")),
        (u1a, lambda t: upline(t, "api_back", "api1", "Layer7 check passed, code: 200", 5, "hc_up_l7")),
        (
            d1b,
            lambda t: down(
                t,
                "api_back",
                "api1",
                'Layer7 wrong status, code: 503, info: "Service Unavailable"',
                2,
                9,
                "hc_down_l7status",
            ),
        ),
        (u1b, lambda t: upline(t, "api_back", "api1", "Layer7 check passed, code: 200", 4, "hc_up_l7")),
    ]
    events.sort(key=lambda e: e[0])
    traffic = L.poisson(f_start, f_end, 14)
    ei = 0
    for t in traffic:
        while ei < len(events) and events[ei][0] <= t:
            events[ei][1](events[ei][0])
            ei += 1
        if L.pick([0, 1, 1]) == 0:
            routine(t, ("static_back", "static_back", "auth_back"))  # the other backends are fine
            continue
        alive = [s for s in HA_SERVERS["api_back"] if up[s]]
        if t < d3:  # api3 slowing down before it drops out
            s = L.pick(alive)
            tr = r.randint(1800, 4800) if s == "api3" else r.randint(20, 140)
            req(t, "api_back", s, 0, 0, 1, tr, 200, r.randint(300, 9000), "----", "req_200")
        elif not alive:
            req(
                t,
                "api_back",
                "<NOSRV>",
                0,
                -1,
                -1,
                -1,
                503,
                217,
                "SC--",
                "req_503_nosrv",
                conns=(r.randint(600, 900), r.randint(580, 880), 0, 0),
            )
        elif len(alive) == 1 and t < u3:
            s = alive[0]
            x = r.random()
            busy = (r.randint(600, 900), r.randint(580, 880), r.randint(480, 500), 500)
            if x < 0.45:
                req(
                    t,
                    "api_back",
                    s,
                    0,
                    r.randint(2000, 28000),
                    1,
                    r.randint(300, 2900),
                    200,
                    r.randint(300, 9000),
                    "----",
                    "req_200_queued",
                    conns=busy,
                )
            elif x < 0.70:
                req(t, "api_back", "<NOSRV>", 0, 30001, -1, -1, 503, 217, "sQ--", "req_503_queue", conns=busy)
            elif x < 0.85:
                req(
                    t,
                    "api_back",
                    s,
                    0,
                    r.randint(0, 400),
                    -1,
                    -1,
                    503,
                    217,
                    "sC--",
                    "req_503_connect",
                    conns=busy,
                )
            else:
                req(t, "api_back", s, 0, r.randint(0, 900), 1, -1, 504, 194, "sH--", "req_504", conns=busy)
        else:
            s = L.pick(alive)
            req(
                t,
                "api_back",
                s,
                0,
                r.randint(0, 300),
                1,
                r.randint(30, 600),
                200,
                r.randint(300, 9000),
                "----",
                "req_200",
            )
    while ei < len(events):
        events[ei][1](events[ei][0])
        ei += 1
    return L


HA_5XX = r"^\S+:\d+ \[[^\]]+\] \S+ \S+ \S+ 5\d\d "
HA_PROBLEM = [{"field": {"level": "warning|alert|emerg|err"}}, {"msg": HA_5XX}]


def span(rules, since, until):
    return [dict(x, since=since, until=until) for x in rules]


def haproxy_questions():
    return {
        "id": "g-haproxy",
        "title": "public API 5xx rate above 20% on lb1 (Jun 18 afternoon)",
        "questions": [
            q(
                "broad",
                "5xx alarm on the public api, status page is red. what's going on on lb1 between 13:50 and 14:05 "
                "on jun 18?",
                ["is DOWN", "api3"],
                span(HA_PROBLEM, "2024-06-18T13:50:00-07:00", "2024-06-18T14:05:00-07:00"),
            ),
            q(
                "lexical",
                "when did api3 drop out and why? did it come back?",
                ["Layer4 timeout", "api3"],
                {"msg": r"[Ss]erver api_back/api3[ ,]"},
            ),
            q(
                "paraphrase",
                "were people stuck in line so long they gave up before anyone picked them up?",
                ["sQ", "api_back"],
                {"msg": r" sQ-- "},
            ),
            q(
                "lexical",
                "then i see 'has no server available'. how long were we completely dark, and which box came back "
                "first?",
                ["no server available", "api2"],
                {
                    "msg": r"has no server available|^Server api_back/\S+ is UP",
                    "since": "2024-06-18T14:09:00-07:00",
                    "until": "2024-06-18T14:15:00-07:00",
                },
            ),
            q(
                "broad",
                "and the evening before (jun 17, after 18:00), anything off on lb1 that might have set this up?",
                ["Connection refused", "web2"],
                span(HA_PROBLEM, "2024-06-17T18:00:00-07:00", "2024-06-18T00:00:00-07:00"),
            ),
            q(
                "paraphrase",
                "unrelated: did any browsers not manage to agree on encryption with us over those two days?",
                ["SSL handshake failure", "fe_https"],
                {"msg": r"SSL handshake failure"},
            ),
        ],
    }


# =============================================================================================


def q(style, ask, mentions, rule):
    assert style in STYLES, style
    return {"style": style, "ask": ask, "mentions": mentions, "rule": rule}


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
    t = parse_ts(rec["timestamp"])
    if rule.get("since") and t < parse_ts(rule["since"]):
        return False
    if rule.get("until") and t >= parse_ts(rule["until"]):
        return False
    return True


def relevant(records, rule):
    rules = rule if isinstance(rule, list) else [rule]
    for x in rules:
        assert set(x) <= {"msg", "not_msg", "field", "since", "until"}, x
        assert x.get("msg") or x.get("field") or x.get("since"), f"rule selects everything: {x}"
        for k in ("since", "until"):
            if x.get(k):
                assert re.search(r"(Z|[+-]\d\d:\d\d)$", x[k]), f"{k} has no offset: {x[k]}"
    return [n for n, rec in enumerate(records, 1) if any(matches(rec, x) for x in rules)]


STOP = set(
    """a an the and or of to in on at for from by with without any anything did do does was were is are
    be been it its it's this that those these what which who whom when where why how many much some
    than then there their them they we our us i me my you your one ones like just only ever after before
    between around going into about over up out off again apart other else more most way not no yes
    had has have get got give given still same each every all both also very too can could would should
    through own later now ok i'm so""".split()
)


def words(text):
    return set(re.findall(r"[a-z][a-z0-9']+", text.lower()))


def content_words(text):
    return {w for w in words(text) if w not in STOP and len(w) > 2}


def shared_words(ask, log_words):
    """Content words of the ask found in the log words, or sharing their first four letters with one."""
    out = set()
    for w in content_words(ask):
        for v in log_words:
            if w == v or (len(w) >= 4 and len(v) >= 4 and w[:4] == v[:4]):
                out.add(w if w == v else f"{w}~{v}")
    return sorted(out)


def dump_json(obj):
    return (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def dump_jsonl(records):
    return "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records).encode("utf-8")


SYSTEMS = [(gen_mysql, mysql_questions), (gen_redis, redis_questions), (gen_haproxy, haproxy_questions)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("--show", action="store_true", help="print every turn's relevant lines; write nothing")
    a = ap.parse_args()
    out = Path(a.out)

    files, table, overlaps, qfile, stats = {}, [], [], {"incidents": []}, []
    seen_asks = set()
    for gen, make in SYSTEMS:
        MY_IDS.clear()
        RD_IDS.clear()
        # the generator runs first: questions may name ids it picked
        log = gen()
        sysdef = make()
        records = log.records()
        iid = sysdef["id"]
        assert re.fullmatch(r"[a-z0-9-]+", iid), iid
        # the log itself: valid, ordered, within size
        prev = None
        for rec in records:
            assert isinstance(rec["message"], str) and rec["message"], rec
            assert re.search(r"(Z|[+-]\d\d:\d\d)$", rec["timestamp"]), rec["timestamp"]
            t = parse_ts(rec["timestamp"])
            assert prev is None or t >= prev, f"{iid}: timestamps go back at {rec['timestamp']}"
            prev = t
        assert 1500 <= len(records) <= 2500, f"{iid}: {len(records)} lines"
        assert len(log.templates) >= MIN_TEMPLATES, f"{iid}: {len(log.templates)} templates"
        first, last = parse_ts(records[0]["timestamp"]), parse_ts(records[-1]["timestamp"])
        assert timedelta(hours=20) <= last - first <= timedelta(days=2), f"{iid}: spans {last - first}"
        stats.append(
            (iid, len(records), len(log.templates), records[0]["timestamp"], records[-1]["timestamp"])
        )
        if a.show:
            print(f"\n#### {iid}: {len(records)} lines, {len(log.templates)} templates")
            for name, n in sorted(log.templates.items(), key=lambda kv: -kv[1]):
                print(f"   {n:5d} {name}")

        per_style = {s: 0 for s in STYLES}
        turns = []
        for qd in sysdef["questions"]:
            ask = qd["ask"]
            key = " ".join(ask.lower().split())
            assert key not in seen_asks, f"duplicate ask: {ask}"
            seen_asks.add(key)
            per_style[qd["style"]] += 1
            lines = relevant(records, qd["rule"])
            assert MIN_LINES <= len(lines) <= MAX_LINES, f"{iid}: {ask!r} selects {len(lines)} lines"
            assert len(qd["mentions"]) == 2, ask
            for m in qd["mentions"]:
                assert any(m.lower() in str(v).lower() for n in lines for v in records[n - 1].values()), (
                    f"{iid}: mention {m!r} is not in any relevant line of {ask!r}"
                )
            if qd["style"] == "paraphrase":
                logw = set()
                for n in lines:
                    logw |= words(records[n - 1]["message"])
                shared = shared_words(ask, logw)
                if shared:
                    overlaps.append((iid, ask, shared))
            distinct = len({records[n - 1]["message"] for n in lines})
            if a.show:
                print(f"\n== {iid} [{qd['style']}] {ask}  ({len(lines)} lines, {distinct} msgs)")
                for n in lines:
                    rr = records[n - 1]
                    extra = " ".join(str(rr.get(k)) for k in ("host", "service", "level") if rr.get(k))
                    m = rr["message"].replace("\n", " | ")
                    print(f"  {n:5d} {rr['timestamp']} {extra} | {m[:170]}")
            turns.append({"ask": ask, "expect": {"relevant_lines": lines, "mentions": qd["mentions"]}})
            table.append((iid, qd["style"], len(lines), distinct, ask))
        assert all(v == 2 for v in per_style.values()), f"{iid}: styles {per_style}"
        incident = {
            "id": iid,
            "title": sysdef["title"],
            "window": {"start": records[0]["timestamp"], "end": records[-1]["timestamp"]},
            "turns": turns,
        }
        files[f"{iid}/logs.jsonl"] = dump_jsonl(records)
        files[f"{iid}/incident.json"] = dump_json(incident)
        qfile["incidents"].append(
            {"id": iid, "turns": [{"ask": qd["ask"], "style": qd["style"]} for qd in sysdef["questions"]]}
        )
    files["questions.json"] = dump_json(qfile)

    if not a.show:
        for name, data in files.items():
            p = out / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
    print()
    for iid, n, nt, s, e in stats:
        print(f"{iid:10s} {n:5d} lines {nt:3d} templates  {s} .. {e}")
    print(f"\n{'incident':10s} {'style':10s} {'lines':>5s} {'msgs':>4s}  question")
    for iid, style, n, distinct, ask in table:
        print(f"{iid:10s} {style:10s} {n:5d} {distinct:4d}  {ask}")
    if overlaps:
        print("\nparaphrase asks sharing a word with their relevant lines:")
        for iid, ask, shared in overlaps:
            print(f"  {iid}: {shared}  <- {ask}")
    else:
        print("\nno paraphrase ask shares a content word (or a 4-letter prefix) with its relevant lines")
    if not a.show:
        print()
        for name in sorted(files):
            print(f"{hashlib.sha256(files[name]).hexdigest()}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

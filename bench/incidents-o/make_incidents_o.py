#!/usr/bin/env python3
"""Build the "incidents-o" evaluation set: three synthetic incidents, each a six-turn on-call thread.

Usage: python3 make_incidents_o.py [--out DIR] [--show]

  --out   where to write; default: the folder of this script.
  --show  print every turn's relevant lines and each system's template counts; write nothing.

Writes <out>/o-<system>/logs.jsonl and incident.json for three systems, and <out>/questions.json
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

  o-rails    a Rails 7.1 shop (puma), Sidekiq 7.2 workers and PgBouncer 1.22 on a Heroku-like
             platform, shipped by a log drain: `timestamp`, `app`, `source` (app / heroku),
             `proc_id` (web.3, worker.1, pgbouncer.1, router, api, heroku-postgres,
             scheduler.NNNN), `drain_id`, `syslog_pri`, `message` (the raw line: lograge logfmt,
             the router's logfmt, Sidekiq's text lines and JSON job lines, PgBouncer's log, the
             platform's dyno and release lines, Heroku Postgres metrics).
  o-dotnet   an ASP.NET Core 8 payments API logging Serilog compact JSON (CLEF) to Seq, exported
             from Seq: `@t`, `@mt`, `@l` (only when not Information), `@x`, `@r`, `@i`, the
             properties as top-level keys (SourceContext, RequestPath, StatusCode, Elapsed,
             ElapsedMilliseconds, TraceId, SpanId, RequestId, ConnectionId, MachineName,
             EnvironmentName, Application, Version, EventId {Id, Name}, ...), `timestamp` (= @t,
             ms) and `message` (the rendered template, strings in quotes as Serilog renders them).
  o-ceph     a Ceph Reef 18.2 cluster (3 mons, mgr, 12 OSDs on 4 hosts, rgw) plus sudo,
             NetworkManager, systemd, kernel and smartd lines, read from journald by Vector:
             `__REALTIME_TIMESTAMP`, `_BOOT_ID`, `_HOSTNAME`, `_TRANSPORT`, `SYSLOG_IDENTIFIER`,
             `_SYSTEMD_UNIT`, `_PID`, `PRIORITY` (a number), cluster log entries also `CEPH_CHANNEL`,
             `CEPH_NAME`, `CEPH_RANK`, `CEPH_SEQ`, `CEPH_STAMP`; `message`, `source_type`.

Four styles: broad (a time window, "what went wrong"), lexical (an exact id, number, name or quoted
log fragment), paraphrase (plain words about lines whose wording the ask does not share) and
follow-up (the ask only makes sense after the earlier turns: "it", "that", "after that").
Relevant lines are never listed by hand: a rule selects them. A rule is a dict, or a list of dicts
whose selections are united; every condition of a dict must hold:

  msg      regex searched in `message`
  not_msg  regex that must NOT be found in `message`
  field    {name: regex}, fully matched against the field's text (JSON text for numbers, null and
           objects). A name is looked up as a key first and otherwise as a dotted path into nested
           objects ("EventId.Id").
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
    return iso_us(parse_ts(ts) + sec(seconds))


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def day_shape(t):
    return 1.0 if 7 <= t.hour < 21 else 0.3



# =============================================================================================
# 1. rails: the `shop-prod` app on a Heroku-like platform: a Rails 7.1 shop (puma, web.1..web.4,
#    2 puma workers x 5 threads each), Sidekiq 7.2 (worker.1..worker.3, queues default, mailers,
#    images; concurrency from the SIDEKIQ_CONCURRENCY config var, 5), and PgBouncer 1.22 as its
#    own process (pgbouncer.1, transaction pooling, max_client_conn 100, default_pool_size 20) in
#    front of a managed PostgreSQL. Everything reaches the logs through a log drain: `app`,
#    `source` (`app` for the app's own output, `heroku` for the platform), `proc_id` (the dyno, or
#    `router` / `api` / `heroku-postgres`), `drain_id`, `syslog_pri`, `message`, `timestamp`.
#    At 12:31 on July 9 a catalog import enqueues 2,400 ProductImageVariantsJob; to drain the
#    backlog faster an engineer sets SIDEKIQ_CONCURRENCY to 25 at 12:48 (release v512, workers
#    restarted). 3 x 25 worker threads plus 40 web threads exceed PgBouncer's max_client_conn
#    (100) and the 20 server connections are held by image jobs: PgBouncer refuses new clients
#    (`pooler error: no more connections allowed (max_client_conn)`), some requests and jobs fail
#    with ActiveRecord::ConnectionNotEstablished, queries wait in PgBouncer for seconds and
#    checkouts run past the router's 30 s (H12 Request timeout, 503). At 13:41 the config var is
#    set back (v513) and the workers restart; errors stop.
#    Unrelated: the 02:00 Heroku Scheduler run of `rake reports:daily_sales` exceeds its memory
#    quota (R14, then R15) and is killed (status 137).
#    Noise: shop traffic (router + lograge lines), order confirmation and stock sync jobs,
#    PgBouncer logins/closes and stats, Heroku Postgres metrics, a deploy at 10:20 (v511), dyno
#    cycling, bots probing for 404s.

R_APP = "shop-prod"
R_DRAIN = "d.6f1c2b8e-5a4d-4e0f-9b7a-2c1d3e4f5a6b"
R_HOSTNAME = "shop.acme-outfitters.com"
R_WEB = ["web.1", "web.2", "web.3", "web.4"]
R_WORK = ["worker.1", "worker.2", "worker.3"]
R_IP = {"web.1": "10.1.4.11", "web.2": "10.1.4.12", "web.3": "10.1.4.13", "web.4": "10.1.4.14",
        "worker.1": "10.1.5.21", "worker.2": "10.1.5.22", "worker.3": "10.1.5.23"}
R_PGB = "10.1.3.5"
R_PG = "10.1.3.9"
R_DB = "shop_production"
R_PG_ADDON = "postgresql-rigid-40961"
R_REFUSED = ("connection to server at \"10.1.3.5\", port 6432 failed: FATAL:  no more connections allowed "
             "(max_client_conn)")
R_CMD = {"web": "bundle exec puma -C config/puma.rb", "worker": "bundle exec sidekiq -C config/sidekiq.yml",
         "pgbouncer": "bin/start-pgbouncer"}


def gen_rails():
    rng = random.Random(20240709)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 7, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(9, 5, 8, 41.0), at(10, 8, 3)
    DEPLOY = at(9, 10, 20, 4.61)
    IMPORT = at(9, 12, 31, 8.412)
    CHANGE = at(9, 12, 48, 12.33)
    FIX = at(9, 13, 41, 7.92)
    SCHED = at(10, 2, 0, 11.6)
    state = {"full": None, "ok": None}

    def rec(dt, source, proc, text, tpl, pri=None):
        if pri is None:
            pri = 158 if proc == "router" else (45 if source == "heroku" else 190)
        L.add(dt, tpl, {"timestamp": iso_us(dt), "app": R_APP, "source": source, "proc_id": proc, "drain_id": R_DRAIN,
                        "syslog_pri": pri, "message": text})

    def app(dt, proc, text, tpl):
        rec(dt, "app", proc, text, tpl)

    def plat(dt, proc, text, tpl):
        rec(dt, "heroku", proc, text, tpl)

    def pgb(dt, lvl, text, tpl):
        app(dt, "pgbouncer.1", f"{dt.strftime('%Y-%m-%d %H:%M:%S.')}{dt.microsecond // 1000:03d} UTC [1] {lvl} {text}", tpl)

    def ptr():
        return "0x55d5c6" + hexs(rng, 6)

    def fault(t):
        return state["full"] is not None and state["full"] <= t < state["ok"]

    def tid():
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.choice([3, 4])))

    def jid():
        return hexs(rng, 24)

    wpid = {w: 2 for w in R_WORK}

    # ---- Sidekiq jobs: JSON job log lines (custom job logger), the error handler in Sidekiq's text format
    def job_json(dt, w, t_id, lvl, msg, ctx, tpl):
        app(dt, w, compact({"ts": iso_ms(dt), "pid": wpid[w], "tid": t_id, "lvl": lvl, "msg": msg, "ctx": ctx}), tpl)

    def run_job(t, cls, queue, runtime, args, w=None, enq=None, j=None, retry=0, may_fail=True):
        """start -> done (or fail + retry). Returns the worker."""
        w = w or rng.choice(R_WORK)
        j = j or jid()
        t_id = tid()
        enq = enq or t - sec(rng.uniform(0.005, 0.4))
        job_json(t, w, t_id, "INFO", "start", {"class": cls, "jid": j}, "r_job_start")
        if may_fail and fault(t) and rng.random() < 0.14:
            el = rng.uniform(0.008, 0.04)
            te = t + sec(el)
            job_json(te, w, t_id, "INFO", "fail", {"class": cls, "jid": j, "elapsed": round(el, 3)}, "r_job_fail")
            pre = f"pid={wpid[w]} tid={t_id} class={cls} jid={j} elapsed={el:.3f}"
            ajid = uuid4(rng)
            job = {"retry": True, "queue": queue, "wrapped": cls, "args": [{
                "job_class": cls, "job_id": ajid, "provider_job_id": None, "queue_name": queue, "priority": None,
                "arguments": args, "executions": retry, "exception_executions": {}, "locale": "en", "timezone": "UTC",
                "enqueued_at": iso_ms(enq), "scheduled_at": None}], "class": "Sidekiq::ActiveJob::Wrapper", "jid": j,
                "created_at": round(enq.timestamp(), 3), "enqueued_at": round(enq.timestamp(), 3),
                "error_message": R_REFUSED + "\n", "error_class": "ActiveRecord::ConnectionNotEstablished",
                "failed_at": round(te.timestamp(), 3), "retry_count": retry}
            if retry:
                job["retried_at"] = round(te.timestamp(), 3)
            pgb(t + sec(0.003), "WARNING", f"C-{ptr()}: (nodb)/(nouser)@{R_IP[w]}:{rng.randint(32768, 60999)} pooler error: "
                                           "no more connections allowed (max_client_conn)", "r_pgb_refused")
            app(te + sec(0.001), w, f"{pre} WARN: " + compact({"context": "Job raised exception", "job": job}), "r_sq_warn_ctx")
            app(te + sec(0.002), w, f"{pre} WARN: ActiveRecord::ConnectionNotEstablished: {R_REFUSED}", "r_sq_warn_exc")
            delay = retry ** 4 + 15 + rng.randint(0, 9) * (retry + 1)
            run_job(te + sec(delay + rng.uniform(0.1, 4.0)), cls, queue, runtime, args, j=j, enq=enq, retry=retry + 1,
                    may_fail=retry < 1)
            return w
        if fault(t):
            runtime = runtime * rng.uniform(4.0, 9.0)
        job_json(t + sec(runtime), w, t_id, "INFO", "done", {"class": cls, "jid": j, "elapsed": round(runtime, 3)}, "r_job_done")
        return w

    # ---- platform lifecycle: deploys, config changes, restarts, cycling
    def puma_boot(t, dyno):
        lines = ["Puma starting in cluster mode...", "* Puma version: 6.4.2 (ruby 3.3.1-p55) (\"The Eagle of Durango\")",
                 "*  Min threads: 5", "*  Max threads: 5", "*  Environment: production", "*   Master PID: 2",
                 "*      Workers: 2", "*     Restarts: (\u2714) hot (\u2716) phased", "* Preloading application",
                 f"* Listening on http://0.0.0.0:{rng.randint(10000, 60000)}", "Use Ctrl-C to stop"]
        for k, s in enumerate(lines):
            app(t + sec(0.01 * k + (2.4 if k >= 9 else 0)), dyno, f"[2] {s}", "r_puma_boot")
        for k in range(2):
            app(t + sec(2.6 + 0.05 * k), dyno, f"[2] - Worker {k} (PID: {7 + 4 * k}) booted in {rng.uniform(0.01, 0.04):.2f}s, "
                                               "phase: 0", "r_puma_worker")

    def puma_stop(t, dyno):
        app(t, dyno, "[2] - Gracefully shutting down workers...", "r_puma_stop")
        app(t + sec(1.8), dyno, f"[2] === puma shutdown: {(t + sec(1.8)).strftime('%Y-%m-%d %H:%M:%S')} +0000 ===", "r_puma_stop")
        app(t + sec(1.81), dyno, "[2] - Goodbye!", "r_puma_stop")

    def sq(t, w, lvl, text, tpl, t_id=None):
        app(t, w, f"pid={wpid[w]} tid={t_id or tid()} {lvl}: {text}", tpl)

    def sidekiq_boot(t, w):
        t_id = tid()
        sq(t, w, "INFO", "Booting Sidekiq 7.2.4 with Sidekiq::RedisConnection::RedisClientAdapter options "
                         "{:url=>\"rediss://:REDACTED@ec2-34-201-118-47.compute-1.amazonaws.com:13580\", :ssl_params=>"
                         "{:verify_mode=>0}}", "r_sq_boot", t_id)
        sq(t + sec(1.9), w, "INFO", "Running in ruby 3.3.1 (2024-04-23 revision c56cd86388) +YJIT [x86_64-linux]", "r_sq_boot", t_id)
        sq(t + sec(1.901), w, "INFO", "See LICENSE and the LGPL-3.0 for licensing details.", "r_sq_boot", t_id)
        sq(t + sec(1.902), w, "INFO", "Upgrade to Sidekiq Pro for more features and support: https://sidekiq.org", "r_sq_boot", t_id)
        sq(t + sec(1.95), w, "INFO", "Sidekiq 7.2.4 connecting to Redis with options {:size=>10, :pool_name=>\"internal\", "
                                     ":url=>\"rediss://:REDACTED@ec2-34-201-118-47.compute-1.amazonaws.com:13580\", "
                                     ":ssl_params=>{:verify_mode=>0}}", "r_sq_boot", t_id)
        sq(t + sec(2.1), w, "INFO", "Starting processing, hit Ctrl-C to stop", "r_sq_start", t_id)

    def sidekiq_stop(t, w):
        t_id = tid()
        sq(t, w, "INFO", "Shutting down", "r_sq_stop", t_id)
        sq(t + sec(0.002), w, "INFO", "Terminating quiet threads for default capsule", "r_sq_stop", tid())
        sq(t + sec(0.003), w, "INFO", "Scheduler exiting...", "r_sq_stop", tid())
        sq(t + sec(0.51), w, "INFO", "Pausing to allow jobs to finish...", "r_sq_stop", t_id)
        sq(t + sec(3.4), w, "INFO", "Bye!", "r_sq_stop", t_id)

    def pgb_boot(t):
        pgb(t, "LOG", "kernel file descriptor limit: 10000 (hard: 10000); max_client_conn: 100, max expected fd use: 152",
            "r_pgb_boot")
        pgb(t + sec(0.001), "LOG", "listening on 0.0.0.0:6432", "r_pgb_boot")
        pgb(t + sec(0.0011), "LOG", "listening on [::]:6432", "r_pgb_boot")
        pgb(t + sec(0.0012), "LOG", "listening on unix:/tmp/.s.PGSQL.6432", "r_pgb_boot")
        pgb(t + sec(0.002), "LOG", "process up: PgBouncer 1.22.1, libevent 2.1.12-stable (epoll), adns: evdns2, tls: OpenSSL 3.0.2 "
                                   "15 Mar 2022", "r_pgb_boot")

    def restart(t, dyno, reason="Restarting"):
        kind = dyno.split(".")[0]
        plat(t, dyno, reason, "r_dyno_restart" if reason == "Restarting" else "r_dyno_cycling")
        plat(t + sec(0.4), dyno, "State changed from up to starting", "r_dyno_state")
        plat(t + sec(1.3), dyno, "Stopping all processes with SIGTERM", "r_dyno_sigterm")
        if kind == "web":
            puma_stop(t + sec(1.32), dyno)
            code = 143
        elif kind == "worker":
            sidekiq_stop(t + sec(1.32), dyno)
            code = 0
        else:
            pgb(t + sec(1.31), "LOG", "got SIGTERM, fast exit", "r_pgb_stop")
            code = 143
        plat(t + sec(5.1), dyno, f"Process exited with status {code}", "r_dyno_exit")
        t2 = t + sec(rng.uniform(6.5, 9.5))
        plat(t2, dyno, f"Starting process with command `{R_CMD[kind]}`", "r_dyno_start")
        if kind == "web":
            puma_boot(t2 + sec(1.1), dyno)
            up = t2 + sec(3.4)
        elif kind == "worker":
            wpid[dyno] = rng.choice([2, 3, 4])
            sidekiq_boot(t2 + sec(1.6), dyno)
            up = t2 + sec(2.0)
        else:
            pgb_boot(t2 + sec(0.6))
            up = t2 + sec(0.9)
        plat(up, dyno, "State changed from starting to up", "r_dyno_up")
        return t2 + sec(4.0)

    # cycling (daily restarts) in the morning of the 9th
    for dyno, hh, mm in (("worker.3", 6, 12), ("pgbouncer.1", 7, 3), ("web.2", 8, 44)):
        restart(at(9, hh, mm, rng.uniform(0, 59)), dyno, "Cycling")

    def release(t, user, lines):
        for k, s in enumerate(lines):
            plat(t + sec(0.35 * k), "api", s + f" by user {user}", "r_api")

    release(DEPLOY, "ci-bot@acme-outfitters.com", ["Deploy 4f2a9c1", "Release v511 created"])
    for k, dyno in enumerate(R_WEB + R_WORK + ["pgbouncer.1"]):
        restart(DEPLOY + sec(3.2 + 2.1 * k), dyno)

    release(CHANGE, "dana.kowalczyk@acme-outfitters.com", ["Set SIDEKIQ_CONCURRENCY config vars", "Release v512 created"])
    ups = [restart(CHANGE + sec(4.1 + 31.7 * k), w) for k, w in enumerate(R_WORK)]
    state["full"] = ups[-1] + sec(21.37)
    release(FIX, "dana.kowalczyk@acme-outfitters.com", ["Set SIDEKIQ_CONCURRENCY config vars", "Release v513 created"])
    fixes = [restart(FIX + sec(3.8 + 24.2 * k), w) for k, w in enumerate(R_WORK)]
    state["ok"] = fixes[1] - sec(3.0)

    # ---- web traffic: router line + lograge line
    ROUTES = [
        # weight, verb, path maker, format, controller, action, status, ms range, bytes range
        (14, "GET", lambda: "/", "html", "HomeController", "index", 200, (25, 90), (31000, 36000)),
        (30, "GET", lambda: f"/products/{rng.randint(1200, 9800)}", "html", "ProductsController", "show", 200, (30, 140),
         (24000, 41000)),
        (8, "GET", lambda: "/search?q=" + rng.choice(["linen+shirt", "rain+jacket", "hiking+boots", "wool+socks", "tote"]),
         "html", "SearchController", "index", 200, (60, 260), (28000, 52000)),
        (10, "GET", lambda: "/cart", "html", "CartsController", "show", 200, (20, 70), (14000, 19000)),
        (8, "POST", lambda: "/cart/items", "html", "CartItemsController", "create", 302, (25, 80), (0, 0)),
        (5, "GET", lambda: "/checkout", "html", "CheckoutsController", "new", 200, (80, 240), (21000, 26000)),
        (5, "POST", lambda: "/checkout", "html", "CheckoutsController", "create", 302, (380, 1400), (0, 0)),
        (6, "GET", lambda: f"/orders/{rng.randint(880000, 889999)}", "html", "OrdersController", "show", 200, (30, 110),
         (12000, 16000)),
        (9, "GET", lambda: f"/api/v1/stock/SKU-{rng.randint(10000, 99999)}", "json", "Api::V1::StockController", "show", 200,
         (8, 35), (180, 260)),
    ]
    WSUM = sum(r[0] for r in ROUTES)

    def fwd():
        return f"{rng.randint(23, 203)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"

    def router(dt, verb, path, dyno, service, status, nbytes, code=None, desc=None):
        head = f'at=error code={code} desc="{desc}" ' if code else "at=info "
        plat(dt, "router", f'{head}method={verb} path="{path}" host={R_HOSTNAME} request_id={uuid4(rng)} fwd="{fwd()}" '
                           f"dyno={dyno} connect={rng.choice([0, 0, 0, 1])}ms service={service}ms status={status} bytes={nbytes} "
                           "protocol=https", "r_router_err_" + code if code else ("r_router_5xx" if status >= 500 else "r_router"))

    def lograge(dt, dyno, verb, path, fmt, ctrl, action, status, dur, view, db, error=None):
        p = path.split("?")[0] if ctrl != "SearchController" else path
        err = f" error='{error}'" if error else ""
        app(dt, dyno, f"method={verb} path={p} format={fmt} controller={ctrl} action={action} status={status}{err} "
                      f"duration={dur:.2f} view={view:.2f} db={db:.2f}", "r_lograge_500" if status >= 500 else "r_lograge")

    def web_shape(t):
        if 12 <= t.hour < 14:
            return 1.0
        if 11 <= t.hour < 16:
            return 0.5
        return 0.2 if 7 <= t.hour < 22 else 0.05

    first = {"refuse": True}
    for t in poisson(rng, T0, T1, 90, web_shape):
        x = rng.uniform(0, WSUM)
        for route in ROUTES:
            x -= route[0]
            if x <= 0:
                break
        _, verb, mk, fmt, ctrl, action, status, (lo, hi), (blo, bhi) = route
        path = mk()
        dyno = rng.choice(R_WEB)
        dur = rng.uniform(lo, hi)
        db = dur * rng.uniform(0.2, 0.45)
        view = 0.0 if status == 302 or fmt == "json" else dur * rng.uniform(0.25, 0.5)
        nbytes = rng.randint(blo, bhi) if status == 200 else rng.randint(140, 190)
        if fault(t):
            if rng.random() < 0.09 or (first["refuse"] and t >= state["full"]):
                first["refuse"] = False
                d = rng.uniform(9, 22)
                te = t + sec(d / 1000)
                pgb(t + sec(0.004), "WARNING", f"C-{ptr()}: (nodb)/(nouser)@{R_IP[dyno]}:{rng.randint(32768, 60999)} pooler error: "
                                               "no more connections allowed (max_client_conn)", "r_pgb_refused")
                lograge(te, dyno, verb, path, fmt, ctrl, action, 500, d, 0.0, 0.0,
                        error=f"ActiveRecord::ConnectionNotEstablished: {R_REFUSED}")
                router(te + sec(0.002), verb, path, dyno, int(d) + 1, 500, 1477)
                continue
            wait = rng.uniform(20000, 60000) if ctrl == "CheckoutsController" else rng.uniform(1500, 40000)
            dur += wait
            db += wait
            if dur > 30000:
                router(t + sec(30.0), verb, path, dyno, 30000, 503, 0, "H12", "Request timeout")
                lograge(t + sec(dur / 1000), dyno, verb, path, fmt, ctrl, action, status, dur, view, db)
                continue
        te = t + sec(dur / 1000)
        lograge(te, dyno, verb, path, fmt, ctrl, action, status, dur, view, db)
        router(te + sec(rng.uniform(0.001, 0.004)), verb, path, dyno, int(dur) + rng.randint(0, 2), status, nbytes)
        if ctrl == "CheckoutsController" and verb == "POST":
            run_job(te + sec(rng.uniform(0.05, 0.5)), "OrderConfirmationJob", "mailers", rng.uniform(0.3, 1.4),
                    [{"_aj_globalid": f"gid://shop/Order/{rng.randint(880000, 889999)}"}])

    # bots
    for t in poisson(rng, T0, T1, 0.5):
        dyno = rng.choice(R_WEB)
        path = rng.choice(["/wp-login.php", "/.env", "/xmlrpc.php", "/.git/config", "/admin.php", "/phpmyadmin/index.php"])
        d = rng.uniform(1.5, 4.0)
        app(t, dyno, f"method=GET path={path} format=html controller=ApplicationController action=route_not_found status=404 "
                     f"duration={d:.2f} view=0.00 db=0.00", "r_lograge_404")
        router(t + sec(0.002), "GET", path, dyno, int(d) + 1, 404, 1722)

    # ---- the catalog import and its image backlog
    r_admin = "web.2"
    d = 212.4
    lograge(IMPORT - sec(0.05), r_admin, "POST", "/admin/catalog_imports", "html", "Admin::CatalogImportsController", "create", 302,
            d, 0.0, 61.3)
    router(IMPORT - sec(0.048), "POST", "/admin/catalog_imports", r_admin, 213, 302, 152)
    run_job(IMPORT + sec(0.3), "CatalogImportJob", "default", 96.31, [{"_aj_globalid": "gid://shop/CatalogImport/311"}],
            may_fail=False)
    app(IMPORT + sec(96.2), "worker.1", f"pid=2 tid={tid()} class=CatalogImportJob jid={jid()} INFO: catalog import 311: 2400 "
                                        "products upserted, 2400 ProductImageVariantsJob enqueued", "r_import_done")

    # image variant jobs: the backlog drains from 12:31 to about 15:20 (one logged job stands for many)
    t = IMPORT + sec(98.0)
    while t < at(9, 15, 21):
        run_job(t, "ProductImageVariantsJob", "images", rng.uniform(2.2, 6.8),
                [{"_aj_globalid": f"gid://shop/Product/{rng.randint(40100, 42499)}"}], enq=IMPORT + sec(96))
        rate = 1.3 if (CHANGE <= t < FIX) else 0.3   # logged jobs per minute
        t += sec(rng.expovariate(rate / 60.0))

    # routine jobs: stock sync every 30 min, abandoned cart reminders hourly
    t = at(9, 5, 30, 0.2)
    while t < T1:
        run_job(t + sec(rng.uniform(0, 2)), "StockSyncJob", "default", rng.uniform(3.1, 9.4), [], may_fail=False)
        if t.minute == 0:
            run_job(t + sec(rng.uniform(2, 4)), "AbandonedCartReminderJob", "mailers", rng.uniform(0.6, 5.5), [], may_fail=False)
        t += sec(1800)

    # ---- PgBouncer: connection churn and stats
    for t in poisson(rng, T0, T1, 2.0):
        who = rng.choice(R_WEB + R_WORK)
        p = ptr()
        port = rng.randint(32768, 60999)
        pgb(t, "LOG", f"C-{p}: {R_DB}/shop@{R_IP[who]}:{port} login attempt: db={R_DB} user=shop tls=no", "r_pgb_login")
        pgb(t + sec(rng.uniform(60, 900)), "LOG", f"C-{p}: {R_DB}/shop@{R_IP[who]}:{port} closing because: client close request "
                                                  f"(age={rng.randint(60, 900)}s)", "r_pgb_close")
    for t in poisson(rng, T0, T1, 1.2):
        p = ptr()
        port = rng.randint(32768, 60999)
        pgb(t, "LOG", f"S-{p}: {R_DB}/shop@{R_PG}:5432 new connection to server (from {R_PGB}:{port})", "r_pgb_server_new")
        pgb(t + sec(rng.uniform(700, 2400)), "LOG", f"S-{p}: {R_DB}/shop@{R_PG}:5432 closing because: server idle timeout "
                                                   f"(age={rng.randint(600, 2400)}s)", "r_pgb_server_idle")
    t = at(9, 5, 15, 0.041)
    while t < T1:
        busy = 1.0 if 11 <= t.hour < 16 else 0.4
        x = int(rng.uniform(20, 40) * busy)
        wait = rng.randint(3000000, 9000000) if fault(t) else rng.randint(4, 90)
        pgb(t, "LOG", f"stats: {x} xacts/s, {x * rng.randint(4, 6)} queries/s, 0 client parses/s, 0 server parses/s, 0 binds/s, "
                      f"in {x * rng.randint(900, 1300)} B/s, out {x * rng.randint(6000, 9000)} B/s, xact {rng.randint(1800, 4200)} us, "
                      f"query {rng.randint(300, 700)} us, wait {wait} us", "r_pgb_stats")
        t += sec(1200)

    # ---- Heroku Postgres metrics every 20 minutes
    t = at(9, 5, 11, 36.7)
    cur = 48213377
    while t < T1:
        cur += rng.randint(9000, 40000)
        act = rng.randint(21, 22) if fault(t) else rng.randint(6, 14)
        rec(t, "app", "heroku-postgres",
            f"source=DATABASE addon={R_PG_ADDON} sample#current_transaction={cur} sample#db_size={18734518319 + rng.randint(0, 90000000)}"
            f"bytes sample#tables=63 sample#active-connections={act} sample#waiting-connections={rng.randint(3, 9) if fault(t) else 0} "
            f"sample#index-cache-hit-rate=0.9{rng.randint(980, 999)} sample#table-cache-hit-rate=0.9{rng.randint(930, 990)} "
            f"sample#load-avg-1m={rng.uniform(0.1, 0.6) + (2.0 if fault(t) else 0):.3f} sample#load-avg-5m={rng.uniform(0.1, 0.5):.3f} "
            f"sample#load-avg-15m={rng.uniform(0.1, 0.4):.3f} sample#read-iops={rng.uniform(0, 12):.4g} "
            f"sample#write-iops={rng.uniform(4, 40):.4g} sample#tmp-disk-used=543633408 sample#tmp-disk-available=72435159040 "
            f"sample#memory-total=16085428kB sample#memory-free={rng.randint(900000, 1500000)}kB "
            f"sample#memory-cached={rng.randint(13000000, 13400000)}kB sample#memory-postgres={rng.randint(280000, 420000)}kB "
            f"sample#wal-percentage-used=0.0{rng.randint(600, 750)}", "r_pg_metrics", pri=190)
        t += sec(1200 + rng.uniform(-2, 2))

    # ---- unrelated: the nightly sales report dyno runs out of memory
    dyno = "scheduler.4127"
    plat(SCHED, dyno, "Starting process with command `bundle exec rake reports:daily_sales`", "r_dyno_start")
    plat(SCHED + sec(1.9), dyno, "State changed from starting to up", "r_dyno_up")
    app(SCHED + sec(9.4), dyno, f"I, [{iso_us(SCHED + sec(9.4))[:-1]} #2]  INFO -- : [daily_sales] building report for 2024-07-09 "
                                "(4 warehouses, 1882 orders)", "r_sched_info")
    mem = 489.0
    t = SCHED + sec(31.2)
    n = 0
    while True:
        mem += rng.uniform(70, 140)
        pct = mem / 512 * 100
        if mem >= 1024:
            plat(t, dyno, f"Process running mem={int(mem)}M({pct:.1f}%)", "r_dyno_mem")
            plat(t + sec(0.001), dyno, "Error R15 (Memory quota vastly exceeded)", "r_r15")
            plat(t + sec(0.002), dyno, "Stopping process with SIGKILL", "r_sigkill")
            plat(t + sec(0.41), dyno, "Process exited with status 137", "r_dyno_exit")
            plat(t + sec(0.42), dyno, "State changed from up to complete", "r_dyno_state")
            break
        if mem > 512:
            plat(t, dyno, f"Process running mem={int(mem)}M({pct:.1f}%)", "r_dyno_mem")
            plat(t + sec(0.001), dyno, "Error R14 (Memory quota exceeded)", "r_r14")
            n += 1
        t += sec(rng.uniform(19, 23))
    return L.build()


def facts_rails(records):
    refused = [r for r in records if "pooler error: no more connections allowed" in r["message"]]
    api = [r for r in records if r["proc_id"] == "api"]
    change = next(r["timestamp"] for r in api if "SIDEKIQ_CONCURRENCY" in r["message"])
    fix = [r["timestamp"] for r in api if "SIDEKIQ_CONCURRENCY" in r["message"]][1]
    # a ProductImageVariantsJob that failed once and then went through
    fails = [json.loads(r["message"]) for r in records if r["message"].startswith("{") and '"msg":"fail"' in r["message"]
             and "ProductImageVariantsJob" in r["message"]]
    counts = {}
    for f in fails:
        counts[f["ctx"]["jid"]] = counts.get(f["ctx"]["jid"], 0) + 1
    once = [f["ctx"]["jid"] for f in fails if counts[f["ctx"]["jid"]] == 1 and f["ts"] >= "2024-07-09T13:1"]
    last_err = [r["timestamp"] for r in records if r["timestamp"] < "2024-07-09T15" and re.search(r"pooler error|at=error code=H12|status=500 error=", r["message"])][-1]
    ok = [r["timestamp"] for r in records if r["proc_id"] == "router" and r["timestamp"] > last_err
          and 'method=POST path="/checkout"' in r["message"] and "status=302" in r["message"]]
    return {"first_refused": refused[0]["timestamp"], "third_refused": refused[2]["timestamp"], "n_refused": len(refused),
            "last_refused": refused[-1]["timestamp"], "change": change, "fix": fix, "jid": once[0], "last_err": last_err,
            "ok_cut": ok[1], "n_h12": sum(1 for r in records if "code=H12" in r["message"])}


RAILS_PROBLEM = [{"field": {"proc_id": "router"}, "msg": r"^at=error |status=5\d\d "},
                 {"msg": r"^method=\S+ path=\S+ .* status=5\d\d "},
                 {"msg": r"^\S+ \S+ UTC \[\d+\] (WARNING|ERROR|FATAL) "},
                 {"msg": r"^pid=\d+ tid=\S+ .*(WARN|ERROR|FATAL): "},
                 {"msg": r'^\{"ts":.*("lvl":"(WARN|ERROR|FATAL)"|"msg":"fail")'},
                 {"field": {"source": "heroku"}, "msg": r"^Error R\d+ |^Stopping process with SIGKILL|exited with status 137"}]


def questions_rails(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in RAILS_PROBLEM]

    return [
        q("broad",
          "checkout keeps timing out for customers, router is full of 503s. what went wrong between 13:20 and 13:24 utc on jul 9?",
          ["H12", "max_client_conn"],
          problems("2024-07-09T13:20:00Z", "2024-07-09T13:24:00Z")),
        q("lexical",
          f"sidekiq web shows ProductImageVariantsJob jid {f['jid']} with one retry, it went through on the second try. what did "
          "it fail with the first time?",
          ["ConnectionNotEstablished", "no more connections allowed"],
          {"msg": re.escape(f["jid"])}),
        q("paraphrase",
          "since when has the thing sitting in front of postgres been turning away newcomers because its guest list is full?",
          ["max_client_conn", "pooler error"],
          {"msg": r"pooler error: no more connections allowed", "until": plus(f["third_refused"], 0.000001)}),
        q("follow-up",
          "what changed right before it started? did someone touch config vars or scale anythign in the hour before",
          ["SIDEKIQ_CONCURRENCY", "v512"],
          [{"field": {"proc_id": "api"}, "since": "2024-07-09T11:45:00Z", "until": f["first_refused"]},
           {"field": {"source": "heroku", "proc_id": "worker\\.\\d"}, "msg": r"^Restarting$", "since": f["change"],
            "until": f["first_refused"]}]),
        q("follow-up",
          "they set it back a while ago. did it recover after that or is it still happening?",
          ["v513", "status=302"],
          [{"field": {"proc_id": "api"}, "since": f["fix"]},
           {"msg": r"pooler error: no more connections allowed", "since": f["last_refused"]},
           {"field": {"proc_id": "router"}, "msg": r"^at=error ", "since": f["last_err"]},
           {"field": {"proc_id": "router"}, "msg": r'method=POST path="/checkout" .* status=302 ', "since": f["last_err"],
            "until": plus(f["ok_cut"], 0.000001)}]),
        q("lexical",
          "unrelated: the daily sales report mail never came. the scheduler run around 02:00 exited with status 137, why?",
          ["R15", "Memory quota vastly exceeded"],
          {"field": {"proc_id": "scheduler\\.\\d+", "source": "heroku"},
           "msg": r"^Error R1[45]|SIGKILL|status 137"}),
    ]


# =============================================================================================
# 2. dotnet: `Acme.Payments.Api`, an ASP.NET Core 8 payments API on Kubernetes (three pods),
#    logging with Serilog's compact JSON formatter (CLEF) to Seq; the events are exported from Seq
#    as CLEF with the rendered text added as `message`. `@t`, `@mt` (the message template), `@l`
#    (only when not Information), `@x` (exception text), `@r` (renderings of formatted
#    placeholders), `@i` (Seq's event type) and the properties as top-level keys (SourceContext,
#    RequestPath, StatusCode, Elapsed, TraceId, SpanId, MachineName, EventId, ...). String values
#    are rendered in quotes, the way Serilog renders them (`HTTP "POST" "/api/payments"
#    responded 201 in 41.2038 ms`, `Executed DbCommand ("4"ms)`).
#    The API stores payments in SQL Server through EF Core 8; a hosted BackgroundService
#    (`CaptureBatchWorker`) captures authorized payments every five minutes on every pod; a
#    Polly v8 pipeline `payments-db` retries SQL deadlocks and timeouts once; HttpClients `psp`
#    (the card processor) and `fx-rates` log through IHttpClientFactory's LogicalHandler.
#    At 10:06 on August 14 version 3.9.0 rolls out (migration `20240812143005_CaptureBatchLocking`):
#    the worker now takes 500 payments per run in one transaction with UPDLOCK and holds it for the
#    whole processor round trip. While a run is in flight, API writes to the same rows block:
#    `Failed executing DbCommand` with SqlException -2 (Execution Timeout Expired) and 1205
#    (deadlock victim), Polly retries, `POST /api/payments/{id}/capture` answers 500. At 11:47
#    3.8.2 is rolled back; errors stop.
#    Unrelated: at 00:00 on the 15th the FX provider switches to a certificate chain whose new
#    intermediate the pods do not have: every 30-minute FX refresh fails with
#    `The SSL connection could not be established` (PartialChain) after four attempts.
#    Noise: request logs, EF commands, processor calls, expired JWTs (401), 404s, Kestrel
#    heartbeat warnings, DataProtection and HTTP_PORTS warnings at startup.

D_APP = "Acme.Payments.Api"
D_OLD = ["payments-api-7c9d5f8b6-2xkqp", "payments-api-7c9d5f8b6-8mj4t", "payments-api-7c9d5f8b6-rw5zn"]
D_NEW = ["payments-api-5f6b8c7d9-4hvtn", "payments-api-5f6b8c7d9-b2qxs", "payments-api-5f6b8c7d9-l9wfd"]
D_BACK = ["payments-api-7c9d5f8b6-cz7kd", "payments-api-7c9d5f8b6-hn3vx", "payments-api-7c9d5f8b6-pq8rm"]
D_CTX = "Acme.Payments.Data.PaymentsDbContext"
D_PSP = "https://api.psp-gateway.example.com"
D_FX = "https://fxrates.bank.example/api/v1/latest?base=EUR"
D_TIMEOUT = ("Execution Timeout Expired.  The timeout period elapsed prior to completion of the operation or the server is not "
             "responding.")
D_DEADLOCK = ("Transaction (Process ID {pid}) was deadlocked on lock resources with another process and has been chosen as the "
              "deadlock victim. Rerun the transaction.")


class Raw(str):
    """A property Serilog captures as a non-string scalar (TimeSpan, DateTimeOffset): rendered without quotes."""


def serilog_render(tpl, props):
    renders = []

    def rep(m):
        name, fmt = m.group(1), m.group(2)
        v = props[name]
        if fmt:
            digits = len(fmt.split(".")[1]) if "." in fmt else 0
            s = f"{v:.{digits}f}"
            renders.append(s)
            return s
        if isinstance(v, bool):
            return "True" if v else "False"
        if isinstance(v, Raw):
            return str(v)
        if isinstance(v, str):
            return '"' + v.replace('"', '\\"') + '"'
        if v is None:
            return "null"
        return str(v)

    return re.sub(r"\{@?([A-Za-z0-9_]+)(?::([^}]+))?\}", rep, tpl), renders


def sql_exception(kind, pid, conn_id):
    if kind == "timeout":
        head = (f"Microsoft.Data.SqlClient.SqlException (0x80131904): {D_TIMEOUT}\n"
                " ---> System.ComponentModel.Win32Exception (258): The wait operation timed out.\n"
                "   --- End of inner exception stack trace ---\n")
        tail = "Error Number:-2,State:0,Class:11"
    else:
        head = f"Microsoft.Data.SqlClient.SqlException (0x80131904): {D_DEADLOCK.format(pid=pid)}\n"
        tail = "Error Number:1205,State:51,Class:13"
    return (head +
            "   at Microsoft.Data.SqlClient.SqlConnection.OnError(SqlException exception, Boolean breakConnection, Action`1 "
            "wrapCloseInAction)\n"
            "   at Microsoft.Data.SqlClient.TdsParser.ThrowExceptionAndWarning(TdsParserStateObject stateObj, Boolean "
            "callerHasConnectionLock, Boolean asyncClose)\n"
            "   at Microsoft.Data.SqlClient.TdsParser.TryRun(RunBehavior runBehavior, SqlCommand cmdHandler, SqlDataReader "
            "dataStream, BulkCopySimpleResultSet bulkCopyHandler, TdsParserStateObject stateObj, Boolean& dataReady)\n"
            "   at Microsoft.Data.SqlClient.SqlDataReader.TryConsumeMetaData()\n"
            "   at Microsoft.Data.SqlClient.SqlDataReader.get_MetaData()\n"
            "   at Microsoft.Data.SqlClient.SqlCommand.FinishExecuteReader(SqlDataReader ds, RunBehavior runBehavior, String "
            "resetOptionsString, Boolean isInternal, Boolean forDescribeParameterEncryption, Boolean "
            "shouldCacheForAlwaysEncrypted)\n"
            "   at Microsoft.Data.SqlClient.SqlCommand.CompleteAsyncExecuteReader(Boolean isInternal, Boolean "
            "forDescribeParameterEncryption)\n"
            "   at Microsoft.Data.SqlClient.SqlCommand.InternalEndExecuteReader(IAsyncResult asyncResult, Boolean isInternal, "
            "String endMethod)\n"
            "   at Microsoft.Data.SqlClient.SqlCommand.EndExecuteReaderInternal(IAsyncResult asyncResult)\n"
            "   at System.Threading.Tasks.TaskFactory`1.FromAsyncCoreLogic(IAsyncResult iar, Func`2 endFunction, Action`1 "
            "endAction, Task`1 promise, Boolean requiresSynchronization)\n"
            "--- End of stack trace from previous location ---\n"
            "   at Microsoft.EntityFrameworkCore.Storage.RelationalCommand.ExecuteReaderAsync(RelationalCommandParameterObject "
            "parameterObject, CancellationToken cancellationToken)\n"
            "   at Microsoft.EntityFrameworkCore.Update.ReaderModificationCommandBatch.ExecuteAsync(IRelationalConnection "
            "connection, CancellationToken cancellationToken)\n"
            f"ClientConnectionId:{conn_id}\n{tail}")


def gen_dotnet():
    rng = random.Random(20240814)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 8, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(14, 5, 31, 2.0), at(15, 6, 52)
    DEPLOY = at(14, 10, 6, 11.37)
    ROLLBACK = at(14, 11, 47, 40.2)
    FX_BREAK = at(15, 0, 0, 0.0)
    pods = {}   # pod -> (version, start, end)
    for p in D_OLD:
        pods[p] = ("3.8.2", T0 - sec(86400), None)

    def iso7(dt):
        return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}{rng.randint(0, 9)}Z"

    def ev(dt, pod, tpl, props, tplname, level=None, exc=None, ctx=None, req=None, event_id=None):
        msg, renders = serilog_render(tpl, props)
        r = {"@t": iso7(dt), "@mt": tpl}
        if level:
            r["@l"] = level
        if exc:
            r["@x"] = exc
        if renders:
            r["@r"] = renders
        r["@i"] = hashlib.sha256(tpl.encode()).hexdigest()[:8]
        r.update(props)
        if event_id:
            r["EventId"] = {"Id": event_id[0], "Name": event_id[1]}
        if ctx:
            r["SourceContext"] = ctx
        if req:
            r.update(req)
        r["MachineName"] = pod
        r["EnvironmentName"] = "Production"
        r["Application"] = D_APP
        r["Version"] = pods[pod][0]
        r["timestamp"] = iso_ms(dt)
        r["message"] = msg
        L.add(dt, tplname, r)

    def live(t):
        return [p for p, (v, s, e) in pods.items() if s <= t and (e is None or t < e)]

    def new_req(pod, path):
        conn = "0HN5" + "".join(rng.choice("0123456789ABCDEFGHIJKLMNOPQRSTUV") for _ in range(9))
        return {"RequestId": f"{conn}:0000000{rng.randint(1, 9)}", "RequestPath": path, "ConnectionId": conn,
                "TraceId": hexs(rng, 32), "SpanId": hexs(rng, 16)}

    # ---- EF Core command lines
    SQL = {
        "insert": ("@p0='?' (DbType = Guid), @p1='?' (DbType = Decimal), @p2='?' (Size = 3), @p3='?' (DbType = DateTimeOffset), "
                   "@p4='?' (Size = 64), @p5='?' (DbType = Int32)",
                   "SET IMPLICIT_TRANSACTIONS OFF;\nSET NOCOUNT ON;\nINSERT INTO [Payments] ([Id], [Amount], [Currency], "
                   "[CreatedAt], [MerchantReference], [Status])\nOUTPUT INSERTED.[RowVersion]\nVALUES (@p0, @p1, @p2, @p3, @p4, @p5);"),
        "capture": ("@p2='?' (DbType = Guid), @p0='?' (DbType = DateTimeOffset), @p1='?' (DbType = Int32), @p3='?' (Size = 8) "
                    "(DbType = Binary)",
                    "SET IMPLICIT_TRANSACTIONS OFF;\nSET NOCOUNT ON;\nUPDATE [Payments] SET [CapturedAt] = @p0, [Status] = @p1\n"
                    "OUTPUT INSERTED.[RowVersion]\nWHERE [Id] = @p2 AND [RowVersion] = @p3;"),
        "get": ("@__id_0='?' (DbType = Guid)",
                "SELECT TOP(1) [p].[Id], [p].[Amount], [p].[CapturedAt], [p].[CreatedAt], [p].[Currency], "
                "[p].[MerchantReference], [p].[RowVersion], [p].[Status]\nFROM [Payments] AS [p]\nWHERE [p].[Id] = @__id_0"),
        "batch": ("@__batchSize_0='?' (DbType = Int32)",
                  "UPDATE [p] SET [p].[Status] = 3\nFROM [Payments] AS [p] WITH (UPDLOCK, ROWLOCK)\nWHERE [p].[Id] IN (\n"
                  "    SELECT TOP(@__batchSize_0) [p0].[Id]\n    FROM [Payments] AS [p0]\n    WHERE [p0].[Status] = 1 AND "
                  "[p0].[AutoCapture] = CAST(1 AS bit)\n    ORDER BY [p0].[CreatedAt])"),
    }

    def ef_cmd(dt, pod, kind, elapsed_ms, req=None, fail=None):
        params, text = SQL[kind]
        props = {"elapsed": f"{int(round(elapsed_ms)):,}", "parameters": params, "commandType": "Text", "commandTimeout": 30,
                 "newLine": "\n", "commandText": text}
        if fail:
            ev(dt, pod, "Failed executing DbCommand ({elapsed}ms) [Parameters=[{parameters}], CommandType='{commandType}', "
                        "CommandTimeout='{commandTimeout}']{newLine}{commandText}", props, "d_ef_failed", level="Error", exc=fail,
               ctx="Microsoft.EntityFrameworkCore.Database.Command", req=req,
               event_id=(20102, "Microsoft.EntityFrameworkCore.Database.Command.CommandError"))
        else:
            ev(dt, pod, "Executed DbCommand ({elapsed}ms) [Parameters=[{parameters}], CommandType='{commandType}', "
                        "CommandTimeout='{commandTimeout}']{newLine}{commandText}", props, "d_ef_executed",
               ctx="Microsoft.EntityFrameworkCore.Database.Command", req=req,
               event_id=(20101, "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuted"))

    def ef_save_failed(dt, pod, exc, req):
        full = ("Microsoft.EntityFrameworkCore.DbUpdateException: An error occurred while saving the entity changes. See the inner "
                "exception for details.\n ---> " + exc + "\n   --- End of inner exception stack trace ---\n"
                "   at Microsoft.EntityFrameworkCore.Update.ReaderModificationCommandBatch.ExecuteAsync(IRelationalConnection "
                "connection, CancellationToken cancellationToken)\n"
                "   at Microsoft.EntityFrameworkCore.SqlServer.Update.Internal.SqlServerModificationCommandBatch.ExecuteAsync("
                "IRelationalConnection connection, CancellationToken cancellationToken)\n"
                "   at Microsoft.EntityFrameworkCore.DbContext.SaveChangesAsync(Boolean acceptAllChangesOnSuccess, "
                "CancellationToken cancellationToken)")
        ev(dt, pod, "An exception occurred in the database while saving changes for context type '{contextType}'.{newline}"
                    "{exception}", {"contextType": D_CTX, "newline": "\n", "exception": full}, "d_ef_save_failed", level="Error",
           exc=full, ctx="Microsoft.EntityFrameworkCore.Update", req=req,
           event_id=(10000, "Microsoft.EntityFrameworkCore.Update.SaveChangesFailed"))
        return full

    def request_log(dt, pod, verb, path, status, elapsed, req):
        ev(dt, pod, "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms",
           {"RequestMethod": verb, "RequestPath": path, "StatusCode": status, "Elapsed": elapsed},
           "d_req_500" if status >= 500 else "d_req", level="Error" if status >= 500 else None,
           ctx="Serilog.AspNetCore.RequestLoggingMiddleware", req={k: v for k, v in req.items() if k != "RequestPath"})

    def http(dt, pod, client, verb, uri, ms, status, req=None):
        ev(dt, pod, "Start processing HTTP request {HttpMethod} {Uri}", {"HttpMethod": verb, "Uri": uri}, "d_http_start",
           ctx=f"System.Net.Http.HttpClient.{client}.LogicalHandler", req=req,
           event_id=(100, "RequestPipelineStart"))
        if status is not None:
            ev(dt + sec(ms / 1000), pod, "End processing HTTP request after {ElapsedMilliseconds}ms - {StatusCode}",
               {"ElapsedMilliseconds": round(ms, 4), "StatusCode": status}, "d_http_end",
               ctx=f"System.Net.Http.HttpClient.{client}.LogicalHandler", req=req, event_id=(101, "RequestPipelineEnd"))

    def polly_retry(dt, pod, pipeline, strategy, op_key, result, attempt, exec_ms, req=None):
        ev(dt, pod, "Execution attempt. Source: '{PipelineName}/{PipelineInstance}/{StrategyName}', Operation Key: "
                    "'{OperationKey}', Result: '{Result}', Handled: '{Handled}', Attempt: '{NumberOfAttempts}', Execution Time: "
                    "{ExecutionTimeMs}ms",
           {"PipelineName": pipeline, "PipelineInstance": "", "StrategyName": strategy, "OperationKey": op_key, "Result": result,
            "Handled": True, "NumberOfAttempts": attempt, "ExecutionTimeMs": round(exec_ms, 4)}, "d_polly_attempt",
           level="Warning", ctx="Polly", req=req, event_id=(3, "ExecutionAttempt"))

    def polly_event(dt, pod, pipeline, strategy, op_key, result, req=None):
        ev(dt, pod, "Resilience event occurred. EventName: '{EventName}', Source: '{PipelineName}/{PipelineInstance}/"
                    "{StrategyName}', Operation Key: '{OperationKey}', Result: '{Result}'",
           {"EventName": "OnRetry", "PipelineName": pipeline, "PipelineInstance": "", "StrategyName": strategy,
            "OperationKey": op_key, "Result": result}, "d_polly_event", level="Warning", ctx="Polly", req=req,
           event_id=(0, "ResilienceEvent"))

    # ---- lock windows of the 3.9.0 capture worker (filled in while the worker runs)
    locks = []   # (start, end, pod)

    def locked(t):
        for a, b, p in locks:
            if a <= t < b:
                return (a, b, p)
        return None

    # ---- pod lifecycle
    def startup(t, pod, version, migrate=False):
        pods[pod] = (version, t, None)
        ev(t, pod, "Starting {Application} {Version}", {"Application": D_APP, "Version": version}, "d_starting",
           ctx="Acme.Payments.Api.Program")
        ev(t + sec(0.412), pod, "Overriding HTTP_PORTS '{http}' and HTTPS_PORTS '{https}'. Binding to values defined by URLS "
                                "instead '{urls}'.", {"http": "8080", "https": "", "urls": "http://+:8080"}, "d_kestrel_ports",
           level="Warning", ctx="Microsoft.AspNetCore.Server.Kestrel")
        ev(t + sec(0.388), pod, "Storing keys in a directory '{path}' that may not be persisted outside of the container. Protected "
                                "data will be unavailable when container is destroyed. For more information go to "
                                "https://aka.ms/aspnet/dataprotectionwarning",
           {"path": "/home/app/.aspnet/DataProtection-Keys"}, "d_dp_dir", level="Warning",
           ctx="Microsoft.AspNetCore.DataProtection.Repositories.FileSystemXmlRepository")
        if migrate:
            ev(t + sec(1.9), pod, "Applying migration '{migrationId}'.", {"migrationId": "20240812143005_CaptureBatchLocking"},
               "d_migration", ctx="Microsoft.EntityFrameworkCore.Migrations",
               event_id=(20402, "Microsoft.EntityFrameworkCore.Migrations.MigrationApplying"))
        batch = 500 if version == "3.9.0" else 50
        ev(t + sec(2.31), pod, "Capture worker started (batch size {BatchSize}, interval {Interval})",
           {"BatchSize": batch, "Interval": Raw("00:05:00")}, "d_worker_started", ctx="Acme.Payments.Api.Capture.CaptureBatchWorker")
        ev(t + sec(2.33), pod, "FX rate refresher started (interval {Interval})", {"Interval": Raw("00:30:00")}, "d_fx_started",
           ctx="Acme.Payments.Api.Fx.FxRateRefreshService")
        ev(t + sec(2.35), pod, "Now listening on: {address}", {"address": "http://[::]:8080"}, "d_listening",
           ctx="Microsoft.Hosting.Lifetime", event_id=(14, "ListeningOnAddress"))
        ev(t + sec(2.36), pod, "Application started. Press Ctrl+C to shut down.", {}, "d_app_started", ctx="Microsoft.Hosting.Lifetime")
        ev(t + sec(2.361), pod, "Hosting environment: {EnvName}", {"EnvName": "Production"}, "d_hosting_env",
           ctx="Microsoft.Hosting.Lifetime")
        ev(t + sec(2.362), pod, "Content root path: {ContentRoot}", {"ContentRoot": "/app"}, "d_content_root",
           ctx="Microsoft.Hosting.Lifetime")

    def shutdown(t, pod):
        ev(t, pod, "Application is shutting down...", {}, "d_shutting_down", ctx="Microsoft.Hosting.Lifetime")
        ev(t + sec(0.02), pod, "Capture worker stopping", {}, "d_worker_stopping", ctx="Acme.Payments.Api.Capture.CaptureBatchWorker")
        v, s, _ = pods[pod]
        pods[pod] = (v, s, t + sec(0.5))

    for k, (old, new) in enumerate(zip(D_OLD, D_NEW)):
        t = DEPLOY + sec(41.3 * k)
        startup(t, new, "3.9.0", migrate=(k == 0))
        shutdown(t + sec(12.4), old)
    for k, (old, new) in enumerate(zip(D_NEW, D_BACK)):
        t = ROLLBACK + sec(38.7 * k)
        startup(t, new, "3.8.2")
        shutdown(t + sec(11.9), old)

    # ---- the capture worker on every pod, every five minutes (only runs that find work log anything)
    def biz(t):
        return 1.0 if 8 <= t.hour < 19 else (0.35 if 6 <= t.hour < 23 else 0.08)

    CW = "Acme.Payments.Api.Capture.CaptureBatchWorker"
    for pod in D_OLD + D_NEW + D_BACK:
        v, s, _ = pods[pod]
        e = pods[pod][2]
        t = max(T0, s + sec(5)) + sec(rng.uniform(0, 300))
        while t < (e or T1) and t < T1:
            if rng.random() < (1.0 if v == "3.9.0" else biz(t) * 0.15):
                if v == "3.9.0":
                    n = rng.randint(180, 500)
                    hold = n * rng.uniform(0.11, 0.17)
                else:
                    n = rng.randint(5, 50)
                    hold = 0.0
                ev(t, pod, "Capture run picked {Count} authorized payments", {"Count": n}, "d_worker_picked", ctx=CW)
                if v == "3.9.0":
                    ef_cmd(t + sec(0.3), pod, "batch", rng.uniform(40, 140))
                    http(t + sec(0.5), pod, "psp", "POST", f"{D_PSP}/v2/captures/batch", hold * 1000, 207)
                    locks.append((t + sec(0.4), t + sec(0.5 + hold), pod))
                    te = t + sec(0.6 + hold)
                else:
                    te = t + sec(n * rng.uniform(0.15, 0.3))
                ev(te, pod, "Captured {Captured} of {Count} payments in {ElapsedMs} ms",
                   {"Captured": n, "Count": n, "ElapsedMs": int((te - t).total_seconds() * 1000)}, "d_worker_done", ctx=CW)
            t += sec(300 + rng.uniform(-0.2, 0.2))

    # ---- API traffic
    JWT_EXP = "IDX10223: Lifetime validation failed. The token is expired. ValidTo (UTC): '{vt}', Current time (UTC): '{ct}'."

    def api_shape(t):
        return 1.0 if 8 <= t.hour < 19 else (0.3 if 6 <= t.hour < 23 else 0.07)

    def db_write(t, pod, kind, req, op_key):
        """One write through the payments-db pipeline (one retry). Returns (end time, ok)."""
        lk = locked(t)
        if lk is None:
            d = rng.uniform(2, 9)
            ef_cmd(t + sec(d / 1000), pod, kind, d, req=req)
            return t + sec(d / 1000), True
        tt = t
        for attempt in range(2):
            lk = locked(tt)
            if lk is None:
                d = rng.uniform(2, 9)
                ef_cmd(tt + sec(d / 1000), pod, kind, d, req=req)
                return tt + sec(d / 1000), True
            dead = rng.random() < 0.22
            if dead:
                d = rng.uniform(1500, 9000)
                exc = sql_exception("deadlock", rng.randint(52, 140), uuid4(rng))
                msg = D_DEADLOCK.format(pid=re.search(r"Process ID (\d+)", exc).group(1))
            else:
                d = 30000 + rng.uniform(2, 40)
                exc = sql_exception("timeout", 0, uuid4(rng))
                msg = D_TIMEOUT
            te = tt + sec(d / 1000)
            ef_cmd(te, pod, kind, d, req=req, fail=exc)
            full = ef_save_failed(te + sec(0.001), pod, exc, req)
            if attempt == 0:
                polly_event(te + sec(0.003), pod, "payments-db", "Retry", op_key,
                            "Microsoft.EntityFrameworkCore.DbUpdateException: An error occurred while saving the entity changes. "
                            "See the inner exception for details.", req=req)
                tt = te + sec(0.2 + rng.uniform(0, 0.05))
            else:
                return te + sec(0.002), full
        return tt, False

    def unhandled(t, pod, full, req):
        ev(t, pod, "An unhandled exception has occurred while executing the request.", {}, "d_unhandled", level="Error", exc=full,
           ctx="Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", req=req, event_id=(1, "UnhandledException"))

    for t in poisson(rng, T0, T1, 44, api_shape):
        ps = live(t)
        if not ps:
            continue
        pod = rng.choice(ps)
        x = rng.random()
        pid = uuid4(rng)
        if x < 0.36:            # create
            path = "/api/payments"
            req = new_req(pod, path)
            te, ok = db_write(t + sec(0.004), pod, "insert", req, "create-payment")
            if ok is True:
                request_log(te + sec(0.003), pod, "POST", path, 201, (te - t).total_seconds() * 1000 + 3.1, req)
            else:
                unhandled(te + sec(0.001), pod, ok, req)
                request_log(te + sec(0.004), pod, "POST", path, 500, (te - t).total_seconds() * 1000 + 4.0, req)
        elif x < 0.66:          # capture
            path = f"/api/payments/{pid}/capture"
            req = new_req(pod, path)
            ef_cmd(t + sec(0.003), pod, "get", rng.uniform(1, 4), req=req)
            ms = rng.uniform(140, 420)
            http(t + sec(0.006), pod, "psp", "POST", f"{D_PSP}/v2/payments/{pid}/captures", ms, 201, req=req)
            t2 = t + sec(0.008 + ms / 1000)
            te, ok = db_write(t2, pod, "capture", req, "capture-payment")
            if ok is True:
                request_log(te + sec(0.003), pod, "POST", path, 200, (te - t).total_seconds() * 1000 + 2.2, req)
            else:
                unhandled(te + sec(0.001), pod, ok, req)
                request_log(te + sec(0.004), pod, "POST", path, 500, (te - t).total_seconds() * 1000 + 4.0, req)
        elif x < 0.97:          # read
            path = f"/api/payments/{pid}"
            req = new_req(pod, path)
            status = 404 if rng.random() < 0.07 else 200
            d = rng.uniform(1, 4) + (rng.uniform(200, 3000) if locked(t) else 0)
            request_log(t + sec(d / 1000 + 0.004), pod, "GET", path, status, d + 3.3, req)
        else:                   # expired token
            path = rng.choice(["/api/payments", f"/api/payments/{pid}", "/api/refunds"])
            req = new_req(pod, path)
            vt = t - sec(rng.uniform(30, 4000))
            fm = JWT_EXP.format(vt=vt.strftime("%m/%d/%Y %H:%M:%S"), ct=t.strftime("%m/%d/%Y %H:%M:%S"))
            ev(t + sec(0.001), pod, "Failed to validate the token.", {}, "d_jwt_failed",
               exc=f"Microsoft.IdentityModel.Tokens.SecurityTokenExpiredException: {fm}\n   at Microsoft.IdentityModel.Tokens."
                   "Validators.ValidateLifetime(Nullable`1 notBefore, Nullable`1 expires, SecurityToken securityToken, "
                   "TokenValidationParameters validationParameters)",
               ctx="Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler", req=req, event_id=(1, "TokenValidationFailed"))
            ev(t + sec(0.0012), pod, "{AuthenticationScheme} was not authenticated. Failure message: {FailureMessage}",
               {"AuthenticationScheme": "Bearer", "FailureMessage": fm}, "d_jwt_notauth",
               ctx="Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler", req=req, event_id=(7, "AuthenticationSchemeNotAuthenticatedWithFailure"))
            verb = "GET" if path == f"/api/payments/{pid}" else "POST"
            request_log(t + sec(0.002), pod, verb, path, 401, rng.uniform(0.8, 2.0), req)

    # ---- Kestrel heartbeat warnings (thread pool starvation under the lock waits, and two at night from GC pauses)
    hb = [a + sec(rng.uniform(5, 25)) for a, b, p in locks if b - a > sec(45) and rng.random() < 0.3]
    hb += [at(14, 21, 17, 41.2), at(15, 3, 48, 9.9)]
    for t in sorted(hb):
        ps = live(t)
        pod = ps[int(rng.random() * len(ps))]
        ev(t, pod, "As of \"{now}\", the heartbeat has been running for \"{heartbeatDuration}\" which is longer than "
                   "\"{interval}\". This could be caused by thread pool starvation.",
           {"now": Raw(t.strftime("%m/%d/%Y %H:%M:%S +00:00")),
            "heartbeatDuration": Raw(f"00:00:0{rng.randint(1, 3)}.{rng.randint(1000000, 9999999)}"), "interval": Raw("00:00:01")}, "d_heartbeat", level="Warning", ctx="Microsoft.AspNetCore.Server.Kestrel",
           event_id=(22, "HeartbeatSlow"))

    # ---- FX refresh every 30 minutes (one pod holds the lease); broken chain from 00:00 on the 15th
    FXC = "Acme.Payments.Api.Fx.FxRateRefreshService"
    t = at(14, 5, 40, 12.5)
    last_ok = None
    while t < T1:
        ps = live(t)
        pod = sorted(ps)[0]
        if t < FX_BREAK:
            ms = rng.uniform(90, 260)
            http(t, pod, "fx-rates", "GET", D_FX, ms, 200)
            ev(t + sec(ms / 1000 + 0.004), pod, "Refreshed {Count} FX rates (base {Base}) from {Provider}",
               {"Count": 31, "Base": "EUR", "Provider": "fxrates.bank.example"}, "d_fx_ok", ctx=FXC)
            last_ok = t + sec(ms / 1000)
        else:
            ev(t, pod, "Start processing HTTP request {HttpMethod} {Uri}", {"HttpMethod": "GET", "Uri": D_FX}, "d_http_start",
               ctx="System.Net.Http.HttpClient.fx-rates.LogicalHandler", event_id=(100, "RequestPipelineStart"))
            tt = t
            res = "The SSL connection could not be established, see inner exception."
            for attempt in range(4):
                ms = rng.uniform(30, 70)
                tt = tt + sec(ms / 1000)
                polly_retry(tt, pod, "fx-rates-standard", "Standard-Retry", "", res, attempt, ms)
                if attempt < 3:
                    polly_event(tt + sec(0.0005), pod, "fx-rates-standard", "Standard-Retry", "", res)
                    tt = tt + sec(2 ** attempt * 2 * rng.uniform(0.8, 1.2))
            exc = ("System.Net.Http.HttpRequestException: The SSL connection could not be established, see inner exception.\n"
                   " ---> System.Security.Authentication.AuthenticationException: The remote certificate is invalid because of "
                   "errors in the certificate chain: PartialChain\n"
                   "   at System.Net.Security.SslStream.SendAuthResetSignal(ReadOnlySpan`1 alert, ExceptionDispatchInfo exception)\n"
                   "   at System.Net.Security.SslStream.CompleteHandshake(SslAuthenticationOptions sslAuthenticationOptions)\n"
                   "   at System.Net.Security.SslStream.ForceAuthenticationAsync[TIOAdapter](Boolean receiveFirst, Byte[] "
                   "reAuthenticationData, CancellationToken cancellationToken)\n"
                   "   at System.Net.Http.ConnectHelper.EstablishSslConnectionAsync(SslClientAuthenticationOptions sslOptions, "
                   "HttpRequestMessage request, Boolean async, Stream stream, CancellationToken cancellationToken)\n"
                   "   --- End of inner exception stack trace ---\n"
                   "   at System.Net.Http.ConnectHelper.EstablishSslConnectionAsync(SslClientAuthenticationOptions sslOptions, "
                   "HttpRequestMessage request, Boolean async, Stream stream, CancellationToken cancellationToken)\n"
                   "   at Microsoft.Extensions.Http.Resilience.ResilienceHandler.SendAsync(HttpRequestMessage request, "
                   "CancellationToken cancellationToken)\n"
                   "   at Acme.Payments.Api.Fx.FxRateRefreshService.RefreshAsync(CancellationToken ct) in "
                   "/src/Acme.Payments.Api/Fx/FxRateRefreshService.cs:line 58")
            ev(tt + sec(0.002), pod, "FX rate refresh failed; keeping cached rates from {FetchedAt}",
               {"FetchedAt": Raw(last_ok.strftime("%Y-%m-%dT%H:%M:%S.") + f"{last_ok.microsecond // 1000:03d}0000+00:00")},
               "d_fx_failed", level="Warning", exc=exc, ctx=FXC)
        t += sec(1800 + rng.uniform(-0.3, 0.3))
    return L.build()


def facts_dotnet(records):
    def ctx(r):
        return r.get("SourceContext", "")

    fails500 = [r for r in records if ctx(r) == "Serilog.AspNetCore.RequestLoggingMiddleware" and r.get("StatusCode") == 500]
    # the first failed capture whose request holds exactly one retry
    trace = None
    for r in fails500:
        if "/capture" in r["message"]:
            lines = [x for x in records if x.get("TraceId") == r["TraceId"]]
            if 6 <= len(lines) <= 10:
                trace = r["TraceId"]
                break
    deploy = next(r["timestamp"] for r in records if r.get("Version") == "3.9.0")
    rollback = next(r["timestamp"] for r in records if r["timestamp"] > deploy and r.get("Version") == "3.8.2"
                    and r["message"].startswith("Starting "))
    dead = [r for r in records if ctx(r) == "Microsoft.EntityFrameworkCore.Database.Command" and "Error Number:1205" in r.get("@x", "")]
    last500 = fails500[-1]["timestamp"]
    ok_caps = [r["timestamp"] for r in records if r["timestamp"] > rollback and r.get("StatusCode") == 200
               and "/capture" in r["message"] and r.get("Version") == "3.8.2" and ctx(r).startswith("Serilog")]
    ok_run = next(r["timestamp"] for r in records if r["timestamp"] > rollback and r["message"].startswith("Captured ")
                  and r.get("Version") == "3.8.2")
    fx = [r for r in records if ctx(r) == "Acme.Payments.Api.Fx.FxRateRefreshService" and r.get("@l") == "Warning"]
    fx_start = next(r["timestamp"] for r in records if "fx-rates" in ctx(r) and r["timestamp"] >= "2024-08-15T00:00")
    return {"n500": len(fails500), "first500": fails500[0]["timestamp"], "last500": last500, "trace": trace, "deploy": deploy,
            "rollback": rollback, "n_dead": len(dead), "ok_cap": ok_caps[0], "ok_run": ok_run, "fx_first_fail": fx[0]["timestamp"],
            "fx_start": fx_start, "n_fx_fail": len(fx)}


DOTNET_PROBLEM = [{"field": {"@l": "Warning|Error|Fatal"}}]


def questions_dotnet(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in DOTNET_PROBLEM]

    return [
        q("broad",
          "payments api is 500ing on captures, checkout team is yelling. what went wrong between 10:33 and 10:36 utc on aug 14?",
          ["Execution Timeout Expired", "capture"],
          problems("2024-08-14T10:33:00Z", "2024-08-14T10:36:00Z")),
        q("lexical",
          f"support ticket has trace id {f['trace']} for a capture that came back 500. what happened in that request?",
          ["Failed executing DbCommand", "responded 500"],
          {"field": {"TraceId": f["trace"]}}),
        q("follow-up",
          "what changed right before this started? was something deployed this mornign?",
          ["3.9.0", "batch size 500"],
          {"field": {"Version": "3\\.9\\.0"}, "msg": r"^Starting |^Applying migration|^Capture worker started"}),
        q("paraphrase",
          "is the db picking our writes as the loser when two of them end up stuck waiting on each other forever?",
          ["1205", "deadlock victim"],
          {"field": {"SourceContext": "Microsoft\\.EntityFrameworkCore\\.Database\\.Command", "@x": "(?s).*Error Number:1205,.*"}}),
        q("follow-up",
          "they rolled back to the old build a bit ago. did it recover after that or is anything still failing?",
          ["3.8.2", "batch size 50"],
          [{"field": {"Version": "3\\.8\\.2"}, "msg": r"^Starting |^Capture worker started", "since": f["rollback"]},
           {"field": {"SourceContext": "Serilog\\.AspNetCore\\.RequestLoggingMiddleware", "StatusCode": "500"}, "since": f["last500"]},
           {"field": {"SourceContext": "Serilog\\.AspNetCore\\.RequestLoggingMiddleware", "StatusCode": "200"}, "since": f["ok_cap"],
            "until": plus(f["ok_cap"], 0.001)},
           {"msg": r"^Captured ", "since": f["ok_run"], "until": plus(f["ok_run"], 0.001)}]),
        q("lexical",
          "unrelated: fx refresh keeps warning 'The SSL connection could not be established' and the dashboard rates are stale. since "
          "when, and how often is it retrying?",
          ["PartialChain", "fxrates.bank.example"],
          [{"field": {"@l": "Warning"}, "msg": "fx-rates|FX rate refresh failed", "since": f["fx_start"],
            "until": plus(f["fx_first_fail"], 0.001)},
           {"msg": r"^Start processing HTTP request .*fxrates", "since": f["fx_start"], "until": plus(f["fx_start"], 0.001)}]),
    ]


# =============================================================================================
# 3. ceph: a Ceph Reef 18.2.2 cluster (package install, systemd units): mons a/b/c on ceph-mon01..03,
#    active mgr on ceph-mon01, twelve OSDs on ceph-osd01..04 (osd.0-2, 3-5, 6-8, 9-11; public
#    network 10.20.1.0/24, cluster network 10.20.2.0/24 on VLAN bond0.20), one rgw on ceph-rgw01
#    (beast, rados_osd_op_timeout 30). Daemons log to journald; the mons also send the cluster log
#    to journald (`mon_cluster_log_to_journald`); Vector's journald source ships everything with the
#    journal's own fields (`_HOSTNAME`, `SYSLOG_IDENTIFIER`, `_SYSTEMD_UNIT`, `_PID`, `_TRANSPORT`,
#    `_BOOT_ID`, `__REALTIME_TIMESTAMP`, `PRIORITY` made a number by a remap, `CEPH_CHANNEL` on cluster
#    log entries) and `message`; Vector's `host` key is removed by the remap.
#    At 09:27 on September 3 an engineer sets MTU 9000 on bond0.20 of ceph-osd03 (jumbo frames
#    rollout; the switch ports are still 1500). OSD heartbeats are padded to 2000 bytes, so heartbeats
#    between osd.6-8 and their peers on other hosts are dropped: `heartbeat_check: no reply from`,
#    failure reports, the mons mark osd.6-8 down (OSD_DOWN, OSD_HOST_DOWN), the OSDs say `wrongly
#    marked me down` and boot again (flapping); PGs peer again and again, client ops block (SLOW_OPS,
#    PG_AVAILABILITY, PG_DEGRADED) and rgw PUTs time out (500). After the sixth markdown in ten
#    minutes each OSD shuts itself down (`osd_max_markdown_count`); ten minutes later the mons mark
#    them out and backfill starts. At 10:19 the MTU is set back to 1500 and the OSDs are started
#    again; recovery finishes and the cluster is healthy at about 10:50.
#    Unrelated: at 03:12 on the 4th the disk behind osd.10 (ceph-osd04, /dev/sdd) returns a medium
#    error during the deep scrub of pg 5.3f: `candidate had a read error`, OSD_SCRUB_ERRORS and
#    PG_DAMAGED (HEALTH_ERR).
#    Noise: pgmap lines, health summaries every ten minutes, audit entries from the monitoring's
#    `ceph status`, scrubs, mon cache and rocksdb lines, mgr balancer/progress lines, rgw access lines.

C_FSID = "5c0d2e7a-6b1f-11ef-9c2a-3cecef1a2b3c"
C_MON_HOST = {"a": "ceph-mon01", "b": "ceph-mon02", "c": "ceph-mon03"}
C_OSD_HOST = {i: f"ceph-osd0{i // 3 + 1}" for i in range(12)}
C_PUB = {"ceph-osd01": "10.20.1.21", "ceph-osd02": "10.20.1.22", "ceph-osd03": "10.20.1.23", "ceph-osd04": "10.20.1.24",
         "ceph-mon01": "10.20.1.11", "ceph-mon02": "10.20.1.12", "ceph-mon03": "10.20.1.13", "ceph-rgw01": "10.20.1.31"}
C_BACK = {h: ip.replace("10.20.1.", "10.20.2.") for h, ip in C_PUB.items() if "osd" in h}
C_PEERS = {6: [1, 10], 7: [3, 11], 8: [2, 5]}      # heartbeat peers of osd.6-8 on other hosts (logged ones)
C_MGR = "mgr.ceph-mon01"
C_MGR_GID = 24133
C_PGS = 353


def gen_ceph():
    rng = random.Random(20240903)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 9, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(3, 5, 38, 12.0), at(4, 7, 21)
    CHANGE = at(3, 9, 27, 41.28)
    REVERT = at(3, 10, 19, 12.6)
    SCRUB = at(4, 3, 12, 4.4)
    boot_id = {h: hexs(rng, 32) for h in sorted(set(C_PUB))}
    pid = {}
    tids = {}

    def daemon_pid(name):
        if name not in pid:
            pid[name] = rng.randint(1400, 4800)
            tids[name] = ["7f" + hexs(rng, 10) for _ in range(4)]
        return pid[name]

    def jrec(dt, host, ident, unit, prio, text, tpl, p=None, transport="journal", extra=None):
        r = {"timestamp": iso_us(dt), "__REALTIME_TIMESTAMP": str(int(dt.timestamp() * 1_000_000)), "_BOOT_ID": boot_id[host],
             "_HOSTNAME": host, "_TRANSPORT": transport}
        if ident:
            r["SYSLOG_IDENTIFIER"] = ident
        if unit:
            r["_SYSTEMD_UNIT"] = unit
        if p:
            r["_PID"] = str(p)
        r["PRIORITY"] = prio
        if extra:
            r.update(extra)
        r["message"] = text
        r["source_type"] = "journald"
        L.add(dt, tpl, r)

    def cts(dt, us=False):
        if us:
            return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}+0000"
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0000"

    def dlog(dt, daemon, level, text, tpl, prio=None):
        """A daemon's own log line: osd.7, mon.a, mgr, rgw."""
        kind, ident = daemon.split(".", 1)
        if kind == "osd":
            host, unit, sid = C_OSD_HOST[int(ident)], f"ceph-osd@{ident}.service", "ceph-osd"
        elif kind == "mon":
            host, unit, sid = C_MON_HOST[ident], f"ceph-mon@{ident}.service", "ceph-mon"
        elif kind == "mgr":
            host, unit, sid = ident, f"ceph-mgr@{ident}.service", "ceph-mgr"
        else:
            host, unit, sid = "ceph-rgw01", "ceph-radosgw@rgw.ceph-rgw01.service", "radosgw"
        p = daemon_pid(daemon)
        if prio is None:
            prio = 3 if level < 0 else (6 if level == 0 else 7)
        jrec(dt, host, sid, unit, prio, f"{cts(dt)} {rng.choice(tids[daemon])} {level:2d} {text}", tpl, p)

    CL_PRIO = {"DBG": 7, "INF": 6, "WRN": 4, "ERR": 3, "SEC": 2}
    seq = {"mon.a": 881204, C_MGR: 512377}
    for i in range(12):
        seq[f"osd.{i}"] = rng.randint(200, 900)
    echanges = []     # times of new osdmap epochs; epochs in messages are filled in after sorting
    E = "\x00E\x00"

    def E_at(t):
        return "\x00E:" + iso_us(t) + "\x00"

    def clog(dt, who, lvl, text, tpl, channel="cluster"):
        """A cluster (or audit) log entry as the leader mon writes it to journald."""
        if who == "mon.a":
            name, rank = "mon.a", "mon.0"
        elif who == "mgr":
            name, rank = C_MGR, f"mgr.{C_MGR_GID}"
        elif who == "audit":
            name, rank = "mon.a", "mon.0"
        else:
            name, rank = who, who
        jrec(dt, "ceph-mon01", "ceph-mon", "ceph-mon@a.service", CL_PRIO[lvl], f"{channel} [{lvl}] {text}", tpl,
             daemon_pid("mon.a"), extra={"CEPH_CHANNEL": channel, "CEPH_NAME": name, "CEPH_RANK": rank, "CEPH_SEQ": None,
                                         "CEPH_STAMP": cts(dt, us=True)})

    def oclog(dt, osd, lvl, text, tpl):
        """A cluster log entry from an OSD: its own echo line and the mon's copy a moment later."""
        dlog(dt, f"osd.{osd}", 0, f"log_channel(cluster) log [{lvl}] : {text}", tpl + "_echo", prio=CL_PRIO[lvl])
        clog(dt + sec(0.048), f"osd.{osd}", lvl, text, tpl)

    # ---- health checks (mon.a is the leader all along)
    health = {}     # code -> (severity, text)
    order = ["OSD_DOWN", "OSD_HOST_DOWN", "PG_AVAILABILITY", "PG_DEGRADED", "SLOW_OPS", "OSD_SCRUB_ERRORS", "PG_DAMAGED"]

    def hc_set(dt, code, text, sev="WRN"):
        if code not in health:
            clog(dt, "mon.a", sev, f"Health check failed: {text} ({code})", "c_hc_failed")
        elif health[code][1] != text:
            clog(dt, "mon.a", sev, f"Health check update: {text} ({code})", "c_hc_update")
        health[code] = (sev, text)

    def hc_clear(dt, code):
        if code in health:
            clog(dt, "mon.a", "INF", f"Health check cleared: {code} (was: {health[code][1]})", "c_hc_cleared")
            del health[code]
            if not health:
                clog(dt + sec(0.0002), "mon.a", "INF", "Cluster is now healthy", "c_healthy")

    def new_epoch(t):
        echanges.append(t)

    # ---- the change on ceph-osd03
    def sudo(dt, host, cmd, tpl="c_sudo"):
        jrec(dt, host, "sudo", None, 5, f"  mbauer : TTY=pts/1 ; PWD=/home/mbauer ; USER=root ; COMMAND={cmd}", tpl,
             rng.randint(20000, 40000), transport="syslog")

    def nm(dt, host, text):
        ts = f"{dt.timestamp():.4f}"
        jrec(dt, host, "NetworkManager", "NetworkManager.service", 6, f"<info>  [{ts}] {text}", "c_nm", 1187, transport="syslog")

    def mtu_change(t, mtu):
        sudo(t, "ceph-osd03", f"/usr/bin/nmcli connection modify bond0.20 802-3-ethernet.mtu {mtu}")
        sudo(t + sec(6.1), "ceph-osd03", "/usr/bin/nmcli connection up bond0.20")
        nm(t + sec(6.2), "ceph-osd03", "device (bond0.20): state change: activated -> deactivating (reason 'new-activation', "
                                       "sys-iface-state: 'managed')")
        nm(t + sec(6.25), "ceph-osd03", "device (bond0.20): Activation: starting connection 'bond0.20' "
                                        "(3b9e6d1c-8f42-4f0a-a6f1-5d2c7e9b0a14)")
        nm(t + sec(6.4), "ceph-osd03", "device (bond0.20): Activation: successful, device activated.")
        return t + sec(6.4)

    link_up = mtu_change(CHANGE, 9000)

    # ---- the flapping OSDs
    GRACE = 20.0
    state = {i: {"up": True, "marks": [], "dead": False} for i in (6, 7, 8)}
    down_set = set()

    def osd_addr(o, p):
        base = 6800 + 4 * (o % 3)
        ip = C_PUB[C_OSD_HOST[o]]
        return f"[v2:{ip}:{base}/{p},v1:{ip}:{base + 1}/{p}]"

    def update_down(dt):
        n = len(down_set)
        if n == 0:
            hc_clear(dt, "OSD_DOWN")
            hc_clear(dt + sec(0.0001), "OSD_HOST_DOWN")
            return
        hc_set(dt, "OSD_DOWN", f"{n} osds down")
        if n == 3:
            hc_set(dt + sec(0.0001), "OSD_HOST_DOWN", "1 host (3 osds) down")
        else:
            hc_clear(dt + sec(0.0001), "OSD_HOST_DOWN")

    # timeline per OSD: heartbeats fail GRACE s after the link change (or after each boot)
    t_hb = {6: link_up + sec(rng.uniform(0.5, 5)), 7: link_up + sec(rng.uniform(0.5, 5)), 8: link_up + sec(rng.uniform(0.5, 5))}
    cycle = []
    for o in (6, 7, 8):
        t = t_hb[o]
        for k in range(6):
            fail_at = t + sec(GRACE + rng.uniform(0.5, 3.0))
            cycle.append((fail_at, o, k))
            t = fail_at + sec(rng.uniform(40, 95))
    cycle.sort()
    first_fail = cycle[0][0]
    hc_set(first_fail + sec(6.1), "PG_AVAILABILITY", "Reduced data availability: 17 pgs peering")
    hc_set(first_fail + sec(6.2), "PG_DEGRADED", "Degraded data redundancy: 18231/1644087 objects degraded (1.109%), 31 pgs "
                                                 "degraded")
    final_down = {}
    dchanges = []

    def apply_down(changes):
        for t, down, o in sorted(changes):
            if down:
                down_set.add(o)
            else:
                down_set.discard(o)
            update_down(t)

    for fail_at, o, k in cycle:
        p = daemon_pid(f"osd.{o}")
        # heartbeat_check lines from both sides, about GRACE after the heartbeats started failing
        since = fail_at - sec(GRACE + rng.uniform(0.2, 1.5))
        for j, peer in enumerate(C_PEERS[o][:1] if k else C_PEERS[o]):
            tt = fail_at - sec(rng.uniform(0.3, 1.9))
            dl = since + sec(GRACE)
            dlog(tt, f"osd.{o}", -1, f"osd.{o} {E} heartbeat_check: no reply from {C_BACK[C_OSD_HOST[peer]]}:"
                                    f"{6802 + 4 * (peer % 3)} osd.{peer} since back {cts(since)} front {cts(since)} (oldest "
                                    f"deadline {cts(dl)})", "c_hb_check")
            tt2 = fail_at - sec(rng.uniform(0.3, 1.9))
            dlog(tt2, f"osd.{peer}", -1, f"osd.{peer} {E} heartbeat_check: no reply from {C_BACK['ceph-osd03']}:"
                                        f"{6802 + 4 * (o % 3)} osd.{o} since back {cts(since)} front {cts(since)} (oldest "
                                        f"deadline {cts(dl)})", "c_hb_check")
        # failure reports and markdown
        for j, peer in enumerate(C_PEERS[o]):
            clog(fail_at + sec(0.01 + 0.4 * j), "mon.a", "DBG", f"osd.{o} reported failed by osd.{peer}", "c_reported_failed")
        tm = fail_at + sec(0.45)
        clog(tm, "mon.a", "INF", f"osd.{o} failed (root=default,host=ceph-osd03) (2 reporters from different host after "
                                 f"{GRACE + rng.uniform(0.5, 3):.6f} >= grace {GRACE:.6f})", "c_osd_failed")
        new_epoch(tm + sec(0.0005))
        dchanges.append((tm + sec(0.9), 1, o))
        state[o]["marks"].append(tm)
        # the OSD sees the new map
        ts = tm + sec(rng.uniform(1.0, 2.2))
        oclog(ts, o, "WRN", f"Monitor daemon marked osd.{o} down, but it is still running", "c_marked_down")
        oclog(ts + sec(0.001), o, "DBG", f"map e{E} wrongly marked me down at e{E_at(tm + sec(0.0006))}", "c_wrongly")
        if k == 5:
            dlog(ts + sec(0.002), f"osd.{o}", -1, f"osd.{o} {E} _committed_osd_maps marked down 6 > osd_max_markdown_count 5 "
                                                 "in last 600.000000 seconds, shutting down", "c_markdown_shutdown")
            dlog(ts + sec(0.004), f"osd.{o}", -1, f"osd.{o} {E} *** Immediate shutdown (osd_fast_shutdown=true) ***",
                 "c_osd_fast_shutdown")
            jrec(ts + sec(1.8), "ceph-osd03", "systemd", "init.scope", 6, f"ceph-osd@{o}.service: Deactivated successfully.",
                 "c_systemd", 1)
            final_down[o] = tm
            continue
        tb = ts + sec(rng.uniform(5.0, 8.5))
        clog(tb, "mon.a", "INF", f"osd.{o} {osd_addr(o, p)} boot", "c_osd_boot")
        new_epoch(tb + sec(0.0005))
        dchanges.append((tb + sec(0.9), 0, o))
    apply_down(dchanges)
    flap_end = max(final_down.values())

    # PG health while flapping and after
    t = first_fail + sec(35)
    while t < flap_end + sec(40):
        n = rng.randint(9, 64)
        old = int((t - first_fail).total_seconds() % 90) + 31
        hc_set(t, "SLOW_OPS", f"{n} slow ops, oldest one blocked for {old} sec, daemons [osd.1,osd.11,osd.3,osd.5] have slow ops.")
        t += sec(rng.uniform(50, 80))
    for t in [first_fail + sec(95 + 120 * k + rng.uniform(0, 40)) for k in range(5)]:
        n = rng.randint(6, 29)
        if t < flap_end:
            hc_set(t, "PG_AVAILABILITY", f"Reduced data availability: {n} pgs peering")
    hc_clear(flap_end + sec(31.4), "PG_AVAILABILITY")
    hc_clear(flap_end + sec(58.2), "SLOW_OPS")
    # slow ops as the peers see them
    t = first_fail + sec(31.0)
    while t < flap_end + sec(30):
        o = rng.choice([1, 3, 5, 11])
        n = rng.randint(4, 40)
        oid = f"rbd_data.2b1c4e8a7d21.{rng.randint(0, 0x3fff):016x}"
        dlog(t, f"osd.{o}", -1, f"osd.{o} {E} get_health_metrics reporting {n} slow ops, oldest is osd_op(client.1184125.0:"
                               f"{rng.randint(880000, 990000)} 2.{rng.randint(0, 127):x} 2:{hexs(rng, 8)}:::{oid}:head [write "
                               f"{rng.randint(0, 63) * 65536}~65536 in=65536b] snapc 0=[] ondisk+write+known_if_redirected+"
                               f"supports_pool_eio e{E})", "c_slow_ops")
        t += sec(rng.uniform(40, 75))
    # mon marks them out 600 s after the final markdown; backfill
    for o in (6, 7, 8):
        tout = final_down[o] + sec(600 + rng.uniform(0.3, 4))
        clog(tout, "mon.a", "INF", f"Marking osd.{o} out (has been down for {600 + rng.randint(0, 4)} seconds)", "c_mark_out")
        new_epoch(tout + sec(0.0005))
    t_out = max(final_down.values()) + sec(605)
    # the revert
    link_ok = mtu_change(REVERT, 1500)
    sudo(link_ok + sec(64.2), "ceph-osd03", "/usr/bin/systemctl start ceph-osd@6 ceph-osd@7 ceph-osd@8")
    t_start = link_ok + sec(64.4)
    dchanges = []
    for k, o in enumerate((6, 7, 8)):
        jrec(t_start + sec(0.1 + 0.02 * k), "ceph-osd03", "systemd", "init.scope", 6, f"Started Ceph object storage daemon osd.{o}.",
             "c_systemd", 1)
        pid.pop(f"osd.{o}", None)
        p = daemon_pid(f"osd.{o}")
        tb = t_start + sec(rng.uniform(9, 14))
        dlog(tb - sec(0.8), f"osd.{o}", 0, f"osd.{o} {E} done with init, starting boot process", "c_osd_init")
        clog(tb, "mon.a", "INF", f"osd.{o} {osd_addr(o, p)} boot", "c_osd_boot")
        new_epoch(tb + sec(0.0005))
        dchanges.append((tb + sec(0.9), 0, o))
    apply_down(dchanges)
    back_at = t_start + sec(16)
    # degraded counts over time: rise while flapping/out, fall after the OSDs are back
    total_obj = 1644087
    deg = {"n": 18231}
    t = first_fail + sec(180)
    heal_end = back_at + sec(1900)
    while t < heal_end:
        if t < back_at:
            deg["n"] = min(deg["n"] + rng.randint(3000, 9000), 548000)
        else:
            deg["n"] = max(int(deg["n"] * rng.uniform(0.45, 0.7)), 0)
        if deg["n"] < 40:
            break
        pgs = max(1, int(deg["n"] / total_obj * 353 * 2.6))
        hc_set(t, "PG_DEGRADED", f"Degraded data redundancy: {deg['n']}/{total_obj} objects degraded "
                                 f"({deg['n'] / total_obj * 100:.3f}%), {min(pgs, 113)} pgs degraded")
        t += sec(rng.uniform(240, 330))
    hc_clear(t + sec(12.2), "PG_DEGRADED")
    healthy_at = t + sec(12.2)

    # ---- periodic cluster log: pgmap, health summary, audit
    def pg_state(t):
        if first_fail <= t < flap_end + sec(31):
            p = rng.randint(6, 29)
            d = rng.randint(60, 113)
            return f"{p} peering, {d} active+undersized+degraded, {C_PGS - p - d} active+clean", True
        if flap_end + sec(31) <= t < healthy_at:
            d = rng.randint(20, 90) if t < back_at else rng.randint(1, 30)
            b = rng.randint(3, 12)
            return f"{d} active+undersized+degraded+remapped+backfilling, {b} active+remapped+backfill_wait, " \
                   f"{C_PGS - d - b} active+clean", True
        return f"{C_PGS} active+clean", False

    v = 51234
    t = T0 + sec(rng.uniform(1, 30))
    while t < T1:
        v += rng.randint(110, 130)
        st, bad = pg_state(t)
        busy = 1.0 if 7 <= t.hour < 20 else 0.4
        tail = (f"{rng.uniform(0.4, 3.5) * busy:.1f} MiB/s rd, {rng.uniform(1, 9) * busy:.1f} MiB/s wr, {int(rng.uniform(80, 420) * busy)} "
                "op/s")
        if bad and healthy_at > t >= flap_end:
            tail += f"; {deg['n'] if t < back_at else rng.randint(100, 90000)}/{total_obj} objects degraded; " \
                    f"recovery: {rng.randint(40, 160)} MiB/s, {rng.randint(10, 40)} objects/s"
        clog(t, "mgr", "DBG", f"pgmap v{v}: {C_PGS} pgs: {st}; 2.1 TiB data, 6.4 TiB used, 15 TiB / 22 TiB avail; {tail}", "c_pgmap")
        t += sec(240 + rng.uniform(-3, 3))

    # ---- unrelated: a medium error on osd.10's disk during the deep scrub of 5.3f
    oid = "5:fc38b2ab:::rbd_data.7e31a9c04d5b.00000000000004a1:head"
    clog(SCRUB - sec(2.1), "osd.2", "DBG", "5.3f deep-scrub starts", "c_scrub_start")
    dlog(SCRUB - sec(2.1 - 0.0), "osd.2", 0, "log_channel(cluster) log [DBG] : 5.3f deep-scrub starts", "c_scrub_start_echo",
         prio=7)
    kt = SCRUB + sec(41.2)
    for k, s in enumerate(["sd 2:0:3:0: [sdd] tag#217 FAILED Result: hostbyte=DID_OK driverbyte=DRIVER_OK cmd_age=3s",
                           "sd 2:0:3:0: [sdd] tag#217 Sense Key : Medium Error [current] ",
                           "sd 2:0:3:0: [sdd] tag#217 Add. Sense: Unrecovered read error",
                           "sd 2:0:3:0: [sdd] tag#217 CDB: Read(16) 88 00 00 00 00 00 6f a9 1c 00 00 00 00 80 00 00",
                           "critical medium error, dev sdd, sector 1873353728 op 0x0:(READ) flags 0x0 phys_seg 16 prio class 2"]):
        jrec(kt + sec(0.0001 * k), "ceph-osd04", "kernel", None, 3 if k in (0, 4) else 6, s, "c_kernel", transport="kernel")
    dlog(kt + sec(0.004), "osd.10", -1, "bdev(0x55d8c6f2a000 /var/lib/ceph/osd/ceph-10/block) _aio_thread got r=-61 ((61) No data "
                                       "available)", "c_bdev")
    dlog(kt + sec(0.005), "osd.10", -1, f"bluestore(/var/lib/ceph/osd/ceph-10) _do_read bdev-read failed: (61) No data available",
         "c_bluestore_read")
    te = kt + sec(47.9)
    oclog(te, 2, "ERR", f"5.3f shard 10 soid {oid} : candidate had a read error", "c_scrub_err")
    oclog(te + sec(0.0006), 2, "ERR", "5.3f deep-scrub 0 missing, 1 inconsistent objects", "c_scrub_err")
    oclog(te + sec(0.0007), 2, "ERR", "5.3f deep-scrub 1 errors", "c_scrub_err")
    hc_set(te + sec(2.8), "OSD_SCRUB_ERRORS", "1 scrub errors", sev="ERR")
    hc_set(te + sec(2.81), "PG_DAMAGED", "Possible data damage: 1 pg inconsistent", sev="ERR")
    jrec(te + sec(1510.2), "ceph-osd04", "smartd", "smartd.service", 2, "Device: /dev/sdd [SAT], 8 Currently unreadable (pending) "
                                                                      "sectors", "c_smartd", 1022)
    jrec(te + sec(1510.3), "ceph-osd04", "smartd", "smartd.service", 2, "Device: /dev/sdd [SAT], 8 Offline uncorrectable sectors",
         "c_smartd", 1022)

    # overall health summaries every 10 minutes, from the health-check lines already written
    checks = sorted(((r["timestamp"], r["message"]) for _, _, _, r in L.ev if r.get("CEPH_CHANNEL") == "cluster"
                     and " Health check " in r["message"]))
    t = datetime(2024, 9, 3, 5, 40, tzinfo=UTC) + sec(0.4213)
    while t < T1:
        ts = iso_us(t)
        cur = {}
        for when, m in checks:
            if when > ts:
                break
            mm = re.search(r"\[(\w+)\] Health check (failed|update): (.*) \((\w+)\)$", m)
            if mm:
                cur[mm.group(4)] = (mm.group(1), mm.group(3))
                continue
            mm = re.search(r"Health check cleared: (\w+) ", m)
            if mm:
                cur.pop(mm.group(1), None)
        if not cur:
            clog(t, "mon.a", "INF", "overall HEALTH_OK", "c_overall_ok")
        else:
            sev = "ERR" if any(s == "ERR" for s, _ in cur.values()) else "WRN"
            parts = "; ".join(cur[c][1] for c in order if c in cur)
            clog(t, "mon.a", sev, f"overall HEALTH_{'ERR' if sev == 'ERR' else 'WARN'} {parts}", "c_overall")
        t += sec(600 + rng.uniform(-0.01, 0.01))

    # audit: the monitoring's `ceph status` and `ceph df` every 10 minutes
    t = T0 + sec(rng.uniform(10, 200))
    while t < T1:
        cmd = rng.choice(['{"prefix": "status", "format": "json"}', '{"prefix": "df", "format": "json"}'])
        port = rng.randint(1000000000, 4200000000)
        clog(t, "audit", "DBG", f"from='client.? 10.20.1.50:0/{port}' entity='client.monitoring' cmd=[{cmd}]: dispatch", "c_audit",
             channel="audit")
        t += sec(600 + rng.uniform(-20, 20))

    # scrubs through the day (shallow by day, deep at night)
    for t in poisson(rng, T0, T1, 4.2):
        o = rng.randrange(12)
        pool = rng.choice([2, 2, 3, 3, 4, 5])
        n = {2: 128, 3: 128, 4: 32, 5: 64}[pool]
        pgid = f"{pool}.{rng.randrange(n):x}"
        if pgid == "5.3f":
            continue
        kind = "deep-scrub" if (t.hour < 6 or t.hour >= 22) else "scrub"
        clog(t, f"osd.{o}", "DBG", f"{pgid} {kind} starts", "c_scrub_start")
        clog(t + sec(rng.uniform(2, 90 if kind == "deep-scrub" else 12)), f"osd.{o}", "DBG", f"{pgid} {kind} ok", "c_scrub_ok")

    # mon cache sizes and rocksdb
    t = T0 + sec(rng.uniform(1, 60))
    while t < T1:
        dlog(t, "mon.a", 1, f"mon.a@0(leader).osd e{E} _set_new_cache_sizes cache_size:1020054731 "
                            f"inc_alloc: 348127232 full_alloc: 348127232 kv_alloc: 322961408", "c_mon_cache")
        t += sec(900 + rng.uniform(-1, 1))
    t = T0 + sec(rng.uniform(100, 2000))
    wal = 41233
    while t < T1:
        mon = rng.choice(["a", "b", "c"])
        wal += rng.randint(1, 3)
        dlog(t, f"mon.{mon}", 4, f"rocksdb: [db/db_impl/db_impl_write.cc:2098] [default] New memtable created with log file: #{wal}. "
                                 "Immutable memtables: 0.", "c_rocksdb_memtable")
        dlog(t + sec(0.3), f"mon.{mon}", 4, f"rocksdb: (Original Log Time {(t + sec(0.3)).strftime('%Y/%m/%d-%H:%M:%S.')}"
                                            f"{(t + sec(0.3)).microsecond:06d}) [db/db_impl/db_impl_compaction_flush.cc:3005] "
                                            f"[default] Manual compaction starting", "c_rocksdb_compact")
        t += sec(rng.uniform(2400, 4800))
    # mgr modules
    t = datetime(2024, 9, 3, 6, 0, tzinfo=UTC) + sec(1.2)
    while t < T1:
        dlog(t, f"mgr.ceph-mon01", 0, f"[balancer INFO root] Optimize plan auto_{t.strftime('%Y-%m-%d_%H:%M:%S')}", "c_balancer")
        dlog(t + sec(0.2), f"mgr.ceph-mon01", 0, "[balancer INFO root] prepared 0/10 upmap changes", "c_balancer")
        t += sec(3600)
    for tt in sorted([first_fail + sec(2), flap_end + sec(3), t_out + sec(2), back_at + sec(1)]):
        dlog(tt, "mgr.ceph-mon01", 0, f"[progress INFO root] Processing OSDMap change {E_at(tt - sec(rng.uniform(20, 90)))}..{E}",
             "c_progress")

    # ---- rgw: beast access lines; PUTs time out while PGs peer
    blocked = [(cycle[0][0] - sec(5), flap_end + sec(31))]
    WALG = "wal-g/3.0.3 (go1.22.4; linux; amd64)"
    S3UA = "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.58.2"
    reqs = []
    for t in poisson(rng, T0, T1, 20):
        r = rng.random()
        if r < 0.5:
            reqs.append((t, "PUT", f"/pg-wal-archive/prod-main/wal_005/0000000100000A4{rng.randint(0, 15):X}000000"
                                   f"{rng.randint(10, 99)}.lz4", WALG, "wal-archiver"))
        elif r < 0.85:
            reqs.append((t, "GET", f"/media-prod/products/{rng.randint(1000, 9999)}/{hexs(rng, 8)}.webp", S3UA, "media-cdn"))
        else:
            reqs.append((t, "HEAD", f"/media-prod/products/{rng.randint(1000, 9999)}/{hexs(rng, 8)}.webp", S3UA, "media-cdn"))
    # the weekly base backup (wal-g backup-push) uploads its parts from 09:20
    t = at(3, 9, 20, 3.7)
    part = 1
    while part <= 96:
        reqs.append((t, "PUT", f"/pg-wal-archive/prod-main/basebackups_005/base_0000000100000A4C000000A1/tar_partitions/"
                               f"part_{part}.tar.lz4", WALG, "wal-archiver"))
        part += 1
        t += sec(rng.uniform(14, 26))
    reqs.sort(key=lambda x: x[0])
    for t, verb, path, ua, user in reqs:
        size = rng.randint(20000, 300000) if verb == "GET" else 0
        status, lat = 200, (rng.uniform(0.004, 0.09) if "tar_partitions" not in path else rng.uniform(1.2, 3.5))
        if inside(t, blocked) and verb == "PUT" and rng.random() < 0.6:
            status, lat = 500, 30.0 + rng.uniform(0.0005, 0.004)
        elif inside(t, blocked):
            lat += rng.uniform(1.5, 12.0)
        te = t + sec(lat)
        rid = rng.randint(7000000, 7999999)
        if status == 500:
            dlog(te - sec(0.0004), "client.rgw", 0, f"req {rid} {lat:.9f}s s3:put_obj WARNING: set_req_state_err err_no=110 resorting "
                                                    "to 500", "c_rgw_err", prio=4)
        dlog(te, "client.rgw", 1, f"beast: 0x7f2c4a1f6700: 10.20.5.{40 if user == 'wal-archiver' else rng.choice([41, 57])} - {user} "
                                  f"[{te.strftime('%d/%b/%Y:%H:%M:%S.')}{te.microsecond // 1000:03d} +0000] \"{verb} {path} "
                                  f"HTTP/1.1\" {status} {size} - \"{ua}\" - latency={lat:.9f}s",
             "c_rgw_access", prio=6)
    recs, tpls = L.build()
    echanges.sort()
    for r in recs:
        if "CEPH_SEQ" in r:
            seq[r["CEPH_NAME"]] = seq.get(r["CEPH_NAME"], 0) + 1
            r["CEPH_SEQ"] = str(seq[r["CEPH_NAME"]])
        if "\x00" in r["message"]:
            def ep(m, r=r):
                t = m.group(1) or r["timestamp"]
                return str(4398 + sum(1 for x in echanges if iso_us(x) <= t))
            r["message"] = re.sub(r"\x00E(?::([^\x00]+))?\x00", ep, r["message"])
    return recs, tpls


def facts_ceph(records):
    def ident(r):
        return r.get("SYSLOG_IDENTIFIER", "")

    hb = [r["timestamp"] for r in records if "heartbeat_check: no reply from" in r["message"]]
    change = next(r["timestamp"] for r in records if ident(r) == "sudo" and "mtu 9000" in r["message"])
    revert = next(r["timestamp"] for r in records if ident(r) == "sudo" and "mtu 1500" in r["message"])
    healthy = next(r["timestamp"] for r in records if r["message"].endswith("Cluster is now healthy") and r["timestamp"] > revert)
    flaps7 = sum(1 for r in records if r.get("_SYSTEMD_UNIT") == "ceph-osd@7.service" and "wrongly marked me down" in r["message"])
    return {"first_hb": hb[0], "hb_cut": hb[5], "n_hb": len(hb), "change": change, "revert": revert, "healthy": healthy,
            "flaps7": flaps7}


CEPH_PROBLEM = [{"field": {"CEPH_CHANNEL": "cluster", "PRIORITY": "[0-4]"}},
                {"field": {"SYSLOG_IDENTIFIER": "radosgw", "PRIORITY": "[0-4]"}},
                {"field": {"SYSLOG_IDENTIFIER": "radosgw"}, "msg": r'HTTP/1\.1" 5\d\d '}]


def questions_ceph(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in CEPH_PROBLEM]

    return [
        q("broad",
          "rgw uploads hanging and the wal archiving is erroring, ceph -s shows HEALTH_WARN. whats going on between 09:31 and 09:32 utc "
          "on sep 3?",
          ["OSD_DOWN", "slow ops"],
          problems("2024-09-03T09:31:00Z", "2024-09-03T09:32:00Z")),
        q("lexical",
          "osd.7 keeps logging 'wrongly marked me down'. how many times did it flap, and is it still up?",
          ["osd_max_markdown_count", "wrongly marked me down"],
          {"field": {"_SYSTEMD_UNIT": "ceph-osd@7\\.service"}, "msg": r"wrongly marked me down|osd_max_markdown_count"}),
        q("follow-up",
          "what changed on that host right before it started? did anyone touch it?",
          ["mtu 9000", "mbauer"],
          {"field": {"_HOSTNAME": "ceph-osd03", "SYSLOG_IDENTIFIER": "sudo|NetworkManager"}, "since": "2024-09-03T08:30:00Z",
           "until": f["first_hb"]}),
        q("paraphrase",
          "so the storage daemons on that box arent getting answers when they poke their neighbours, like packets just vanish?",
          ["heartbeat_check", "no reply from"],
          {"msg": r"heartbeat_check: no reply from", "until": plus(f["hb_cut"], 0.000001)}),
        q("follow-up",
          "they put it back a while ago and started the osds again. is it healthy now or still degraded?",
          ["mtu 1500", "Cluster is now healthy"],
          [{"field": {"_HOSTNAME": "ceph-osd03", "SYSLOG_IDENTIFIER": "sudo"}, "since": f["revert"], "until": "2024-09-03T12:00:00Z"},
           {"msg": r"Health check cleared: |Cluster is now healthy", "since": f["revert"], "until": plus(f["healthy"], 0.001)}]),
        q("lexical",
          "unrelated: ceph went HEALTH_ERR overnight, 1 pg inconsistent, pg 5.3f. whats wrong with it, is a disk dying?",
          ["candidate had a read error", "sdd"],
          [{"field": {"CEPH_CHANNEL": "cluster", "PRIORITY": "[0-3]"}, "msg": r"\b5\.3f "},
           {"field": {"_SYSTEMD_UNIT": "ceph-osd@10\\.service", "PRIORITY": "[0-3]"}, "since": "2024-09-04T00:00:00Z"},
           {"field": {"_HOSTNAME": "ceph-osd04", "SYSLOG_IDENTIFIER": "kernel|smartd", "PRIORITY": "[0-3]"}}]),
    ]


# =============================================================================================
# Question specs, rules and checks


def q(style, ask, mentions, rule):
    assert style in STYLES, style
    return {"style": style, "ask": ask, "mentions": mentions, "rule": rule}


SYSTEMS = [
    {
        "id": "o-rails",
        "title": "shop (Rails 7.1 + Sidekiq 7.2 + PgBouncer on a Heroku-like platform): SIDEKIQ_CONCURRENCY raised from 5 to 25 "
                 "(release v512) to drain an image backlog; worker and web clients exceed PgBouncer's max_client_conn, new "
                 "connections are refused (`no more connections allowed (max_client_conn)`), queries queue and checkout hits the "
                 "router's H12 timeout (503) until the var is set back (v513); overnight the sales report dyno is killed after "
                 "R14/R15 (status 137)",
        "gen": gen_rails,
        "facts": facts_rails,
        "questions": questions_rails,
    },
    {
        "id": "o-dotnet",
        "title": "payments API (ASP.NET Core 8, EF Core, SQL Server, Serilog/Seq): version 3.9.0's capture worker locks 500 "
                 "payments per run for the whole processor round trip; API writes time out (SqlException -2) or become deadlock "
                 "victims (1205), Polly retries and captures answer 500 until the rollback to 3.8.2; overnight the FX refresh "
                 "fails TLS validation (PartialChain) after the provider's certificate chain changes",
        "gen": gen_dotnet,
        "facts": facts_dotnet,
        "questions": questions_dotnet,
    },
    {
        "id": "o-ceph",
        "title": "ceph reef (3 mons, 12 OSDs, rgw): MTU 9000 set on ceph-osd03's cluster VLAN while the switch stays at 1500; "
                 "padded heartbeats are dropped, osd.6-8 flap (`wrongly marked me down`) until osd_max_markdown_count shuts them "
                 "down, slow ops, peering and degraded PGs, rgw PUTs fail with 500 until the MTU is reverted; overnight a medium "
                 "error on osd.10's disk makes the deep scrub of pg 5.3f find an inconsistent object (HEALTH_ERR)",
        "gen": gen_ceph,
        "facts": facts_ceph,
        "questions": questions_ceph,
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
    for name in ("proc_id", "MachineName", "_HOSTNAME"):
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
        assert re.fullmatch(r"o-[a-z0-9-]+", sid), sid
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

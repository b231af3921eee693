#!/usr/bin/env python3
"""Build the "incidents-c" evaluation set: on-call Slack threads over the seven LogHub 2k samples.

Usage: python3 make_incidents_c.py [--src DIR] [--out DIR]

  --src  folder holding the seven source incidents (<name>/logs.jsonl) and LICENSE-LOGHUB;
         default: ../incidents next to this script (i.e. bench/incidents when this file sits in
         bench/incidents-c/).
  --out  where to write; default: the folder of this script.

Writes, for each system, <out>/c-<system>/incident.json plus a byte-for-byte copy of that system's
logs.jsonl, <out>/questions.json (the style of every turn, for shared/spec/score_replay.py
--questions) and a copy of LICENSE-LOGHUB. Standard library only. The output depends only on the
input files: a second run rewrites identical bytes.

Every question was written by hand from reading the logs, as an on-call engineer would type it in a
Slack thread (later turns may lean on earlier ones). Three styles, six turns per system (2 + 2 + 2):

  broad       a time span or a host, "what went wrong / anything unusual"; relevant = the problem
              lines of that span (warnings, errors, failure words), chosen by a rule per system.
  lexical     names an exact token from the logs (an id, address, pid, error code or a short quoted
              phrase); relevant = the lines that answer the question about it.
  paraphrase  the engineer's own words for something the logs say in jargon, sharing (almost) no
              word with the log lines that answer it; relevant = those lines.

Relevant lines are never listed by hand. A rule selects them; a rule is a dict (or a list of dicts,
whose selections are united), and every condition of a dict must hold for a line:

  msg      regex searched in `message`
  not_msg  regex that must NOT be found in `message`
  field    {name: regex}, each fully matched against that record field (host, pid, component, level)
  since    ISO 8601 time; the record's timestamp must be >= it
  until    ISO 8601 time; the record's timestamp must be < it

Times in rules carry the logs' own offset (Z for most systems, +08:00 for HealthApp and Windows).
Checks before anything is written: sources match the recorded sha256; every turn selects at least
1 (at most MAX_LINES) lines; every mention occurs (case-insensitively) in some field of a relevant
line; ids are unique and well-formed; styles are balanced; no ask repeats.
"""

import argparse
import json
import re
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

# How files are hashed, written and copied is bench/factual's generator's, as for bench/factual-b.
sys.path.insert(0, str(HERE.parent / "factual"))
from make_factual import copy_exact, sha256, write_json  # noqa: E402

# The inputs these rules were written against. If a source changes, line numbers may no longer
# mean the same records: stop rather than guess.
SOURCES = {
    "android-qq-qzone-crash": "ce44d16e8d7081a7297424b77996f8f9b7f67f54b0aecc6a973cfd17954be6cd",
    "hdfs-block-serve-failures": "3efd7a1274dcfa2b948a2a7adb0c793917aca081200c70f62ff5a37e2cffdc02",
    "healthapp-step-sync-failures": "2b372437bc691800066b4b530c67866f2b59f399cb62b08834e546d60ce72c90",
    "openssh-brute-force-labsz": "cdc98b7463d05419c88d972440d4020bab046c01fdf146995a6f63b4c279ab96",
    "proxifier-cuhk-proxy-outage": "2b3c2518c92ea455bf2046dbbb387565cad652f9e2656ea03613537fca9c59f3",
    "windows-cbs-servicing-errors": "5d329cff4f9ffc1c5aa73bfc9e0d94281a1501fc4d44ad88ed48a844a50fb095",
    "zookeeper-election-port-failures": "8196716535e3120258bd95d0b32e5f1aad5d6238285d8de1ebc49a495ddd771d",
}
LICENSE_SHA256 = "9ffa6ae259833cdc6e7ed8a0219fec72ef6455fb457b3c44096cb1ac1f0696d4"

STYLES = ("broad", "lexical", "paraphrase")
MIN_LINES, MAX_LINES = 1, 40
PER_STYLE_PER_SYSTEM = 2


def ip(a):
    """An IPv4 address as a whole token."""
    return r"(?<![\d.])" + re.escape(a) + r"(?![\d])"


def q(style, ask, mentions, rule):
    assert style in STYLES, style
    return {"style": style, "ask": ask, "mentions": mentions, "rule": rule}


# ---------------------------------------------------------------------------------------------
# Per-system "problem line" rules used by broad questions.

# HDFS: the only WARN template is "Got exception while serving"; nothing is logged at ERROR.
HDFS_PROBLEM = {"field": {"level": "WARN|ERROR|FATAL"}}

# OpenSSH has no levels: a problem line carries a failure word.
SSH_PROBLEM = (
    r"(?i)fail|invalid user|error|break-in|did not receive identification|connection closed"
    r"|ignoring max retries|fatal|too many|more authentication"
)

# ZooKeeper: WARN/ERROR, plus session expiry and shutdown, which it logs at INFO.
ZK_PROBLEM_MSG = r"(?i)expiring session|shutdown"

# Android: W/E lines, minus the two permission notices the framework repeats every few seconds
# all through the sample (getRunningAppProcesses/getTasks "does not hold REAL_GET_TASKS; limiting
# output", 118 lines, and "shouldBlockLocation running ...", 37 lines); plus process deaths,
# crashes and kills, which ActivityManager logs at I.
ANDROID_ROUTINE = r"REAL_GET_TASKS|shouldBlockLocation running"
ANDROID_FAILWORDS = r"(?i)has died|crash|unable to|^killing "

# HealthApp has no levels: failure words and the sync refusal.
HEALTH_PROBLEM = r"(?i)fail|not!|err_|errorcode|timestamp back|unknown"

# Proxifier: every problem line is "<target> error : ...".
PROXY_PROBLEM = r" error : "

# Windows CBS logs everything at Info. Problems: failures, warnings, HRESULT errors. The two
# manifest-parse templates (CBS_E_MANIFEST_INVALID_ITEM and "Unrecognized packageExtended
# attribute") repeat 100+ times in every scan; the broad Windows questions explicitly set them aside.
WIN_PROBLEM = r"(?i)fail|warning|error|invalid"
WIN_MANIFEST_NOISE = r"CBS_E_MANIFEST_INVALID_ITEM|Unrecognized packageExtended attribute"


SYSTEMS = [
    {
        "id": "c-hdfs",
        "source": "hdfs-block-serve-failures",
        "title": "HDFS readers hit serve errors on Nov 10; a thread on failing datanodes and odd block writes",
        "questions": [
            q(
                "broad",
                "readers on the hadoop cluster were complaining this morning. what went wrong between 08:00 "
                "and 08:20 on nov 10?",
                ["Got exception while serving", "10.251.26.8"],
                dict(HDFS_PROBLEM, since="2008-11-10T08:00:00Z", until="2008-11-10T08:20:00Z"),
            ),
            q(
                "lexical",
                "10.251.126.255 is one of the nodes that keeps throwing serve errors. which blocks did it fail to "
                "hand out, and to which clients?",
                ["blk_", "10.251.126.255"],
                {"msg": r"^" + re.escape("10.251.126.255") + r":50010:Got exception while serving "},
            ),
            q(
                "lexical",
                "someone pinged me about blk_-7029628814943626474. where did that block get written from and "
                "who couldn't read it later?",
                ["10.250.7.230", "10.251.38.197"],
                {"msg": r"blk_-7029628814943626474(?!\d)"},
            ),
            q(
                "paraphrase",
                "on nov 11, did any of the pieces we wrote come out way under the normal 64 MB, like only a few megabytes?",
                ["3530010", "10.251.26.177"],
                {
                    "msg": r"(addStoredBlock: blockMap updated: .* size|Received block \S+ of size) "
                    r"[1-4]\d{6}(?!\d)",
                    "since": "2008-11-11T00:00:00Z",
                },
            ),
            q(
                "paraphrase",
                "the benchmark that kicked off on the evening of nov 9: when was its ordering stage putting its "
                "results on disk?",
                ["23:41", "00:22"],
                {"msg": r"allocateBlock: /user/root/sortrand/_temporary/_task_\d+_\d+_r_"},
            ),
            q(
                "broad",
                "ok and after midnight going into nov 11, any more trouble?",
                ["10.251.107.98", "10.251.39.144"],
                dict(HDFS_PROBLEM, since="2008-11-11T00:00:00Z"),
            ),
        ],
    },
    {
        "id": "c-openssh",
        "source": "openssh-brute-force-labsz",
        "title": "sshd on LabSZ under password guessing on Dec 10; a thread on who knocked and how",
        "questions": [
            q(
                "broad",
                "seeing alerts from the LabSZ box. what went wrong on it between 07:45 and 07:55 this morning?",
                ["191.210.223.172", "195.154.37.122"],
                {"msg": SSH_PROBLEM, "since": "2017-12-10T07:45:00Z", "until": "2017-12-10T07:55:00Z"},
            ),
            q(
                "paraphrase",
                "were any of those attackers using a scripted java tool rather than a regular client program?",
                ["195.154.37.122", "JSch"],
                {"msg": r"JSchException"},
            ),
            q(
                "paraphrase",
                "which addresses opened a socket and then hung up without ever saying hello?",
                ["123.235.32.19", "5.188.10.180"],
                {"msg": r"^Did not receive identification string from "},
            ),
            q(
                "lexical",
                "what was 60.2.12.12 up to around 10:05?",
                ["root", "60.2.12.12"],
                {"msg": ip("60.2.12.12")},
            ),
            q(
                "broad",
                "anything unusual on LabSZ between 10:15 and 10:50?",
                ["1.237.174.253", "88.147.143.242"],
                {"msg": SSH_PROBLEM, "since": "2017-12-10T10:15:00Z", "until": "2017-12-10T10:50:00Z"},
            ),
            q(
                "lexical",
                "one sshd child died with 'Connection reset by peer'. which client was that and what was it "
                "doing just before?",
                ["183.62.140.253", "25457"],
                {"field": {"pid": "25457"}},
            ),
        ],
    },
    {
        "id": "c-zookeeper",
        "source": "zookeeper-election-port-failures",
        "title": "ZooKeeper ensemble 10.10.34.11-13: client sessions lost on Aug 20, flapping in late July",
        "questions": [
            q(
                "broad",
                "apps lost their zookeeper connections late afternoon on aug 20. what broke between 17:10 and "
                "17:30?",
                ["not running", "Expiring session"],
                [
                    {
                        "field": {"level": "WARN|ERROR"},
                        "since": "2015-08-20T17:10:00Z",
                        "until": "2015-08-20T17:30:00Z",
                    },
                    {"msg": ZK_PROBLEM_MSG, "since": "2015-08-20T17:10:00Z", "until": "2015-08-20T17:30:00Z"},
                ],
            ),
            q(
                "lexical",
                "what happened to session 0x24f4a631df90002?",
                ["10.10.34.19", "timeout"],
                {"msg": r"0x24f4a631df90002(?![0-9a-f])"},
            ),
            q(
                "paraphrase",
                "how many times did 10.10.34.11 get bounced? i want the times it came back up",
                ["15:26", "19:30"],
                {
                    "field": {"host": re.escape("10.10.34.11")},
                    "msg": r"^(Starting quorum peer|Server environment:|tickTime set to|minSessionTimeout set to"
                    r"|maxSessionTimeout set to|autopurge\.)",
                },
            ),
            q(
                "paraphrase",
                "after coming back, did a node have to pull down a whole copy of the data from whoever was in "
                "charge?",
                ["10.10.34.13", "10.10.34.12"],
                {"msg": r"^Getting a snapshot from leader"},
            ),
            q(
                "broad",
                "separate question: anything unusual on 10.10.34.12 between jul 30 and jul 31?",
                ["end of stream", "old client"],
                {
                    "field": {"host": re.escape("10.10.34.12"), "level": "WARN|ERROR"},
                    "since": "2015-07-30T00:00:00Z",
                    "until": "2015-08-01T00:00:00Z",
                },
            ),
            q(
                "lexical",
                "besides 10.10.34.11, did any server log 'Cannot open channel'?",
                ["10.10.34.12", "10.10.34.13"],
                {"msg": r"^Cannot open channel to ", "field": {"host": r"10\.10\.34\.1[23]"}},
            ),
        ],
    },
    {
        "id": "c-android",
        "source": "android-qq-qzone-crash",
        "title": "Android test phone, Mar 17 16:13-16:16: warnings, a QQ process death and background kills",
        "questions": [
            q(
                "broad",
                "the test phone started acting up right around 16:13:45. what errors or warnings came up before "
                "16:13:50?",
                ["Must execute in UI", "ClassCastException"],
                {
                    "field": {"level": "W|E|F"},
                    "not_msg": ANDROID_ROUTINE,
                    "since": "2017-03-17T16:13:45Z",
                    "until": "2017-03-17T16:13:50Z",
                },
            ),
            q(
                "lexical",
                "where is 'Unknown animationType' coming from, and how often?",
                ["applyOptionsLocked"],
                {"msg": r"Unknown animationType"},
            ),
            q(
                "broad",
                "anything else go wrong between 16:15:00 and 16:15:30?",
                ["qzone", "crashed service"],
                [
                    {
                        "field": {"level": "W|E|F"},
                        "not_msg": ANDROID_ROUTINE,
                        "since": "2017-03-17T16:15:00Z",
                        "until": "2017-03-17T16:15:30Z",
                    },
                    {
                        "msg": ANDROID_FAILWORDS,
                        "since": "2017-03-17T16:15:00Z",
                        "until": "2017-03-17T16:15:30Z",
                    },
                ],
            ),
            q(
                "lexical",
                "what happened to pid 12236?",
                ["com.tencent.mobileqq:qzone", "died"],
                {"msg": r"(?<!\d)12236(?!\d)"},
            ),
            q(
                "paraphrase",
                "did the system bring it back on its own afterwards, and how quickly?",
                ["13003", "1000ms"],
                {
                    "msg": r"Scheduling restart of crashed service com\.tencent\.mobileqq/"
                    r"|^new Process app=.*com\.tencent\.mobileqq:qzone|^Start proc \d+:com\.tencent\.mobileqq:qzone/"
                },
            ),
            q(
                "paraphrase",
                "did the OS tidy away any apps that had been sitting idle in the background?",
                ["com.android.calendar", "1810s"],
                {
                    "msg": r"^Killing \d+:|^cleanUpApplicationRecord",
                    "since": "2017-03-17T16:14:27Z",
                    "until": "2017-03-17T16:14:28Z",
                },
            ),
        ],
    },
    {
        "id": "c-healthapp",
        "source": "healthapp-step-sync-failures",
        "title": "Health app step counter, Dec 23-24: a failed save, refused cloud syncs and the midnight reset",
        "questions": [
            q(
                "broad",
                "users say their step data didn't save around 22:19 on dec 23. what went wrong in that minute?",
                ["ERR_DATA_INSERT", "40003"],
                {
                    "msg": HEALTH_PROBLEM,
                    "since": "2017-12-23T22:19:00+08:00",
                    "until": "2017-12-23T22:20:00+08:00",
                },
            ),
            q(
                "lexical",
                "the stats manager logged a 'new date' entry for type 40002 on 20171223. what numbers did it "
                "record?",
                ["7163", "6724"],
                {"msg": r"^new date =20171223, type=40002,"},
            ),
            q(
                "lexical",
                "'no cloud version' - how often did we hit that, and at what times?",
                ["ifCanSync", "00:32"],
                {"msg": r"no cloud version"},
            ),
            q(
                "broad",
                "anything else go wrong from 23:00 on dec 23 through 01:00?",
                ["timeStamp back", "sendSyncFailedBroadcast"],
                {
                    "msg": HEALTH_PROBLEM,
                    "since": "2017-12-23T23:00:00+08:00",
                    "until": "2017-12-24T01:00:00+08:00",
                },
            ),
            q(
                "paraphrase",
                "did the app's own clock ever go in reverse?",
                ["extendReportTimeStamp"],
                {"msg": r"^timeStamp back,"},
            ),
            q(
                "paraphrase",
                "when the date rolled over, did the pedometer start counting from zero again?",
                ["3786", "restartSteps=0"],
                {
                    "msg": r"theDayChanged|reStartStepCounter|restartSteps|restar \d|BasicStandardSteps"
                    r"|tryToRecordAsBasicStepData|tryToReloadTodayBasicSteps",
                    "since": "2017-12-24T00:00:00+08:00",
                    "until": "2017-12-24T00:00:01+08:00",
                },
            ),
        ],
    },
    {
        "id": "c-proxifier",
        "source": "proxifier-cuhk-proxy-outage",
        "title": "Lab desktop behind proxy.cse.cuhk.edu.hk: name lookups fail Jul 26, refusals Jul 27",
        "questions": [
            q(
                "broad",
                "people in the lab lost internet for a bit on jul 26. what went wrong between 17:20 and 17:25?",
                ["11001", "Could not resolve"],
                {"msg": PROXY_PROBLEM, "since": "2017-07-26T17:20:00Z", "until": "2017-07-26T17:25:00Z"},
            ),
            q(
                "broad",
                "and later that evening, anything unusual with the proxy after 18:00?",
                ["mtalk.google.com", "local-p2p.qq.com"],
                {"msg": PROXY_PROBLEM, "since": "2017-07-26T18:00:00Z", "until": "2017-07-27T00:00:00Z"},
            ),
            q(
                "lexical",
                "which apps hit error 10061, and over what stretch of time?",
                ["Dropbox.exe", "bolt.dropbox.com"],
                {"msg": r"error 10061\b"},
            ),
            q(
                "lexical",
                "what was spoolsv trying to reach on 127.0.0.1:135?",
                ["403", "cannot establish a connection"],
                {"msg": re.escape("127.0.0.1:135")},
            ),
            q(
                "paraphrase",
                "after 21:00 on oct 30, did the dictionary app keep giving up on fetching its pictures?",
                ["ydstatic.com"],
                {
                    "field": {"component": r"YodaoDict\.exe"},
                    "msg": r"canceled before the completion",
                    "since": "2016-10-30T21:00:00Z",
                    "until": "2016-10-31T00:00:00Z",
                },
            ),
            q(
                "paraphrase",
                "did the gateway ever hang up on an app halfway through setting up a link?",
                ["tcpconn4.tencent.com", "86.99.222.235"],
                {"msg": r"Proxy closed the connection unexpectedly"},
            ),
        ],
    },
    {
        "id": "c-windows",
        "source": "windows-cbs-servicing-errors",
        "title": "Windows 7 servicing (CBS) runs on Sep 28-29: upload, package and log-backup failures",
        "questions": [
            q(
                "broad",
                "ignoring the manifest parse warnings, what failed on this pc between 00:00 and 00:05 on sep 29?",
                ["E_FAIL", "backup log cab"],
                {
                    "msg": WIN_PROBLEM,
                    "not_msg": WIN_MANIFEST_NOISE,
                    "since": "2016-09-29T00:00:00+08:00",
                    "until": "2016-09-29T00:05:00+08:00",
                },
            ),
            q(
                "broad",
                "and the run on sep 28 from 04:30 to 04:35, what did it trip over apart from that manifest noise?",
                ["CBS_E_INVALID_PACKAGE", "E_FAIL"],
                {
                    "msg": WIN_PROBLEM,
                    "not_msg": WIN_MANIFEST_NOISE,
                    "since": "2016-09-28T04:30:00+08:00",
                    "until": "2016-09-28T04:35:00+08:00",
                },
            ),
            q(
                "lexical",
                "what's 'Failed to create backup log cab' about, and how often did it happen?",
                ["ERROR_INVALID_FUNCTION", "0x80070001"],
                {"msg": r"Failed to create backup log cab"},
            ),
            q(
                "lexical",
                "how many times did CBS_E_INVALID_PACKAGE come up, and in which runs?",
                ["0x800f0805"],
                {"msg": r"CBS_E_INVALID_PACKAGE"},
            ),
            q(
                "paraphrase",
                "did servicing open up an old point-in-time copy of the disk to look at its settings?",
                ["HarddiskVolumeShadowCopy2"],
                {"msg": r"^Loading offline registry hive: |^Offline image is: "},
            ),
            q(
                "paraphrase",
                "did the cleanup of superseded components actually remove anything?",
                ["skipping scavenge"],
                {"msg": r"(?i)scavenge"},
            ),
        ],
    },
]


# ---------------------------------------------------------------------------------------------


def parse_ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def load_records(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def matches(rec, rule):
    if rule.get("msg") and not re.search(rule["msg"], rec["message"]):
        return False
    if rule.get("not_msg") and re.search(rule["not_msg"], rec["message"]):
        return False
    for name, rx in (rule.get("field") or {}).items():
        v = rec.get(name)
        if not isinstance(v, str) or not re.fullmatch(rx, v):
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
                parse_ts(r[k])  # must be valid ISO 8601 with an offset
                assert re.search(r"(Z|[+-]\d\d:\d\d)$", r[k]), f"{k} has no offset: {r[k]}"
    return [n for n, rec in enumerate(records, 1) if any(matches(rec, r) for r in rules)]


def window(records):
    ts = sorted(records, key=lambda r: parse_ts(r["timestamp"]))
    return {"start": ts[0]["timestamp"], "end": ts[-1]["timestamp"]}


STOP = set(
    """a an the and or of to in on at for from by with without any anything did do does was were is are
    be been it its it's this that those these what which who whom when where why how many much some
    than then there their them they we our us i me my you your one ones like just only ever after before
    between around going into about over up out off again apart other else more most way not no yes
    had has have get got give given still same each every all both also very too can could would should
    through own later later""".split()
)


def content_words(text):
    return {w for w in re.findall(r"[a-z][a-z0-9']+", text.lower()) if w not in STOP and len(w) > 2}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", default=str(HERE.parent / "incidents"))
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("--show", action="store_true", help="print every turn's relevant lines; write nothing")
    a = ap.parse_args()
    src_root, out = Path(a.src), Path(a.out)

    lic = src_root / "LICENSE-LOGHUB"
    assert sha256(lic) == LICENSE_SHA256, (
        "LICENSE-LOGHUB differs from the one these questions were written with"
    )

    seen_ids, seen_asks = set(), set()
    table, outputs, qfile = [], [], {"incidents": []}
    overlaps = []
    for sysdef in SYSTEMS:
        iid = sysdef["id"]
        assert re.fullmatch(r"[a-z0-9-]+", iid) and iid not in seen_ids, iid
        seen_ids.add(iid)
        logs = src_root / sysdef["source"] / "logs.jsonl"
        assert sha256(logs) == SOURCES[sysdef["source"]], f"{logs} changed since the rules were written"
        records = load_records(logs)
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
            assert all(1 <= n <= len(records) for n in lines)
            assert 1 <= len(qd["mentions"]) <= 3, ask
            if a.show:
                print(f"\n== {iid} [{qd['style']}] {ask}  ({len(lines)} lines)")
                for n in lines:
                    r = records[n - 1]
                    extra = " ".join(str(r.get(k)) for k in ("host", "component", "pid") if r.get(k))
                    print(f"  {n:5d} {r['timestamp']} {extra} | {r['message'][:150]}")
                continue
            for m in qd["mentions"]:
                assert any(m.lower() in str(v).lower() for n in lines for v in records[n - 1].values()), (
                    f"{iid}: mention {m!r} is not in any relevant line of {ask!r}"
                )
            if qd["style"] == "paraphrase":
                logw = set()
                for n in lines:
                    logw |= set(re.findall(r"[a-z][a-z0-9']+", records[n - 1]["message"].lower()))
                shared = sorted(content_words(ask) & logw)
                if shared:
                    overlaps.append((iid, ask, shared))
            distinct = len({records[n - 1]["message"] for n in lines})
            turns.append({"ask": ask, "expect": {"relevant_lines": lines, "mentions": qd["mentions"]}})
            table.append((iid, qd["style"], len(lines), distinct, ask))
        assert all(v == PER_STYLE_PER_SYSTEM for v in per_style.values()), f"{iid}: styles {per_style}"
        incident = {"id": iid, "title": sysdef["title"], "window": window(records), "turns": turns}
        outputs.append((iid, logs, incident))
        qfile["incidents"].append(
            {"id": iid, "turns": [{"ask": qd["ask"], "style": qd["style"]} for qd in sysdef["questions"]]}
        )

    if a.show:
        return 0
    out.mkdir(parents=True, exist_ok=True)
    copy_exact(lic, out / "LICENSE-LOGHUB")
    for iid, logs, incident in outputs:
        d = out / iid
        d.mkdir(exist_ok=True)
        write_json(d / "incident.json", incident)
        copy_exact(logs, d / "logs.jsonl")
    write_json(out / "questions.json", qfile)

    print(f"{'incident':12s} {'style':10s} {'lines':>5s} {'msgs':>4s}  question")
    for iid, style, n, distinct, ask in table:
        print(f"{iid:12s} {style:10s} {n:5d} {distinct:4d}  {ask}")
    by_style = {s: sum(1 for r in table if r[1] == s) for s in STYLES}
    print(f"\n{len(table)} turns over {len(SYSTEMS)} incidents; per style {by_style}")
    if overlaps:
        print("\nparaphrase asks sharing a word with their relevant lines:")
        for iid, ask, shared in overlaps:
            print(f"  {iid}: {shared}  <- {ask}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Build the short-factual-question evaluation set over the seven LogHub samples.

Usage: python3 bench/factual/make_factual.py

Reads bench/incidents/<system>/logs.jsonl (unchanged LogHub 2k samples) and writes, for each system,
bench/factual/factual-<name>/incident.json plus a byte-for-byte copy of its logs.jsonl, a copy of
LICENSE-LOGHUB in bench/factual/, and bench/factual/questions.json (the style of every turn, for
shared/spec/score_replay.py --questions). Standard library only; the output depends only on the
input files, so a second run changes nothing.

Every question below was written by hand from reading the logs. Its relevant lines are not listed
by hand: they are computed from the data by a rule, every condition of which must hold for a line:

  msg    regex searched in `message`
  field  {name: regex}, each fully matched against that record field (host, pid, component, ...)
  since  ISO 8601 time; the record's timestamp must be >= it
  until  ISO 8601 time; the record's timestamp must be < it

The script asserts that each rule selects between 1 and MAX_LINES lines, that each `mentions`
string occurs in the message of at least one relevant line, and that no question repeats one of
the shared incidents' questions.
"""

import hashlib
import json
import re
import shutil
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SRC = ROOT / "bench" / "incidents"
OUT = HERE
MAX_LINES = 15  # a short factual question has a short answer
TOP_K = 10  # score_replay.py ranks the first 10 distinct message texts

# The inputs these rules were written against (sha256 of each logs.jsonl and of LICENSE-LOGHUB).
# If a source file changes, line numbers may no longer mean the same records: stop, do not guess.
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

STYLES = ("id", "number", "phrase")


def q(style, ask, mentions, msg=None, field=None, since=None, until=None):
    assert style in STYLES, style
    return {
        "style": style,
        "ask": ask,
        "mentions": mentions,
        "rule": {"msg": msg, "field": field or {}, "since": since, "until": until},
    }


SYSTEMS = [
    {
        "id": "factual-hdfs",
        "source": "hdfs-block-serve-failures",
        "title": "Short factual questions over LogHub HDFS_2k (datanodes and namenode, 2008-11-09..11)",
        "questions": [
            q(
                "id",
                "what happened to blk_-7029628814943626474?",
                ["10.250.7.230", "exception while serving"],
                msg=r"blk_-7029628814943626474\b",
            ),
            q(
                "id",
                "anything logged about blk_707166530951154301?",
                ["10.251.126.22"],
                msg=r"blk_707166530951154301\b",
            ),
            q(
                "id",
                "what do the logs say about datanode 10.250.18.114?",
                ["blk_-5140072410813878235"],
                msg=r"(?<![\d.])10\.250\.18\.114(?!\d)",
            ),
            q(
                "id",
                "which blocks did job 200811101024_0011 allocate?",
                ["rand5"],
                msg=r"_task_200811101024_0011_",
            ),
            q(
                "number",
                "what came in from source port 54308?",
                ["blk_148513789886825227", "blk_-8123824094195108685"],
                msg=r":54308\b",
            ),
            q("number", "what did pid 4136 log?", ["blk_-8562334328670278932"], field={"pid": "4136"}),
            q(
                "number",
                "which blocks were deleted out of subdir37?",
                ["blk_-3636681193077858741"],
                msg=r"/subdir37/",
            ),
            q("number", "which blocks did reduce task 318 allocate?", ["sortrand"], msg=r"_r_000318_"),
            q(
                "phrase",
                "which blocks logged 'Received block ... src: ... dest: ... of size'?",
                ["blk_1473949624670719319"],
                msg=r"^Received block \S+ src: .* of size \d+",
            ),
            q(
                "phrase",
                "what got written under /user/root/sortrand2?",
                ["200811101024_0003"],
                msg=r"/user/root/sortrand2/",
            ),
            q(
                "phrase",
                "on nov 11 before 05:00, which blocks were deleted from data/current/ itself "
                "rather than a subdir?",
                ["blk_-8167717961644709843"],
                msg=r"file /mnt/hadoop/dfs/data/current/blk_",
                since="2008-11-11T00:00:00Z",
                until="2008-11-11T05:00:00Z",
            ),
        ],
    },
    {
        "id": "factual-openssh",
        "source": "openssh-brute-force-labsz",
        "title": "Short factual questions over LogHub OpenSSH_2k (sshd on LabSZ, Dec 10)",
        "questions": [
            q("id", "what was 88.147.143.242 up to?", ["sandeep"], msg=r"(?<![\d.])88\.147\.143\.242(?!\d)"),
            q("id", "what did sshd pid 24806 log?", ["181.214.87.4"], field={"pid": "24806"}),
            q("id", "who tried to log in as mysql?", ["187.141.143.180"], msg=r"\bmysql\b"),
            q("number", "what came in from port 2191?", ["119.4.203.64", "admin"], msg=r"port 2191\b"),
            q(
                "number",
                "when did PAM ignore max retries with 6 > 3?",
                ["ignoring max retries"],
                msg=r"6 > 3\b",
            ),
            q(
                "number",
                "which hosts had exactly 1 more PAM authentication failure?",
                ["5.188.10.180", "185.190.58.151"],
                msg=r"PAM 1 more authentication failure\b",
            ),
            q(
                "phrase",
                "where does 'Connection reset by peer' show up?",
                ["Write failed"],
                msg=r"Connection reset by peer",
            ),
            q(
                "phrase",
                "which logins were 'Failed none for invalid user'?",
                ["5.188.10.180", "181.214.87.4"],
                msg=r"Failed none for invalid user",
            ),
            q(
                "phrase",
                "which addresses disconnected with 'Closed due to user request'?",
                ["103.207.39.212"],
                msg=r"Closed due to user request",
            ),
            q(
                "phrase",
                "which hosts logged 'authentication failure ... user=uucp'?",
                ["195.154.37.122"],
                msg=r"authentication failure;.*\buser=uucp\b",
            ),
        ],
    },
    {
        "id": "factual-zookeeper",
        "source": "zookeeper-election-port-failures",
        "title": "Short factual questions over LogHub Zookeeper_2k "
        "(ensemble 10.10.34.11-13, 2015-07-29..08-25)",
        "questions": [
            q("id", "what happened to session 0x24ede63a01b003b?", ["10000ms"], msg=r"0x24ede63a01b003b\b"),
            q(
                "id",
                "what happened to session 0x14ed93111f20005?",
                ["10.10.34.18"],
                msg=r"0x14ed93111f20005\b",
            ),
            q(
                "id",
                "what did client 10.10.34.40 do on the ensemble?",
                ["0x24f4a631df90016"],
                msg=r"(?<![\d.])10\.10\.34\.40(?!\d)",
            ),
            q(
                "id",
                "which servers saw zxid 0x700000197 in election notifications?",
                ["LEADING"],
                msg=r"0x700000197 \(n\.zxid\)",
            ),
            q(
                "number",
                "which sessions were negotiated with a 20000 timeout?",
                ["0x14ed93111f20079"],
                msg=r"negotiated timeout 20000\b",
            ),
            q(
                "number",
                "which leader election took 238?",
                ["FOLLOWING"],
                msg=r"LEADER ELECTION TOOK - 238\b",
            ),
            q(
                "number",
                "when did the connection to peer id 3 break?",
                ["my id = 1"],
                msg=r"Connection broken for id 3,",
            ),
            q(
                "number",
                "which session timeouts are set to -1?",
                ["minSessionTimeout"],
                msg=r"SessionTimeout set to -1\b",
            ),
            q(
                "phrase",
                "where does 'Have smaller server identifier' show up?",
                ["(2, 1)"],
                msg=r"Have smaller server identifier",
            ),
            q(
                "phrase",
                "what triggered 'NodeExists for /home'?",
                ["/home/curi/.zookeeper"],
                msg=r"NodeExists for /home",
            ),
            q(
                "phrase",
                "which sessions logged 'Client attempting to renew session'?",
                ["0x24ed93119420016"],
                msg=r"Client attempting to renew session",
            ),
            q(
                "phrase",
                "when did zookeeper write snapshots ('Snapshotting: ... to /var/lib/zookeeper')?",
                ["snapshot.300000dcd"],
                msg=r"^Snapshotting: \S+ to /var/lib/zookeeper/",
            ),
        ],
    },
    {
        "id": "factual-android",
        "source": "android-qq-qzone-crash",
        "title": "Short factual questions over LogHub Android_2k (test phone, 2017-03-17 16:13-16:16)",
        "questions": [
            q("id", "what happened to pid 23484?", ["com.android.calendar"], msg=r"\b23484\b"),
            q("id", "what was wakelock 120758482 used for?", ["RILJ_ACK_WL"], msg=r"lock=120758482\b"),
            q("id", "what did pid 7111 log?", ["setDataSource"], field={"pid": "7111"}),
            q("number", "which records mention caller 10020?", ["getTasks"], msg=r"caller 10020\b"),
            q("number", "what was caller 10112 refused?", ["getRunningAppProcesses"], msg=r"caller 10112\b"),
            q("number", "when was keycode 4 pressed?", ["interceptKeyTq"], msg=r"keycode=4\b|key 4 ,"),
            q(
                "number",
                "what froze the screen for +1s0ms?",
                ["NewsDetailXmlActivity"],
                msg=r"Screen frozen for \+1s0ms",
            ),
            q(
                "phrase",
                "where does 'Unable to start service' show up?",
                ["XGPushService"],
                msg=r"Unable to start service",
            ),
            q(
                "phrase",
                "which app hit 'startActivity called from non-Activity context'?",
                ["com.tencent.mm"],
                msg=r"startActivity called from non-Activity context",
            ),
            q(
                "phrase",
                "which app shows up in 'getNeighboringCellInfo calling app is'?",
                ["com.amap.android.ams"],
                msg=r"getNeighboringCellInfo calling app is",
            ),
            q(
                "phrase",
                "what's the 'Sending non-protected broadcast' about?",
                ["statusbar.visible.change"],
                msg=r"Sending non-protected broadcast",
            ),
        ],
    },
    {
        "id": "factual-healthapp",
        "source": "healthapp-step-sync-failures",
        "title": "Short factual questions over LogHub HealthApp_2k (step counter and sync, 2017-12-23/24)",
        "questions": [
            q(
                "id",
                "what happened to data minute 25233979?",
                ["setWriteDBLastDataMinute"],
                msg=r"\b25233979\b",
            ),
            q(
                "id",
                "what is com.huawei.health.g.c@8a2a501 doing?",
                ["getTodaySportData"],
                msg=r"com\.huawei\.health\.g\.c@8a2a501\b",
            ),
            q("id", "what did Step_HGNH log?", ["mLastReport7214"], field={"component": "Step_HGNH"}),
            q("number", "what changed for stat type 40011?", ["6314"], msg=r"type=40011\b"),
            q("number", "what was saved for data type 40002?", ["7163"], msg=r"\b40002\b"),
            q("number", "where does the number 5112 come from?", ["Distance:5112"], msg=r"\b5112\b"),
            q("number", "what took totalTime = 94?", ["insertHiHealthData"], msg=r"totalTime = 94\b"),
            q("number", "what's the 500 steps sync about?", ["do all sync"], msg=r"\b500 steps\b"),
            q(
                "phrase",
                "where does 'checkFirstSyncByType no such data in db' show up?",
                ["type is 1"],
                msg=r"checkFirstSyncByType no such data in db",
            ),
            q(
                "phrase",
                "when did 'Alarm uploadStaticsToDB' fire, and with what totals?",
                ["7163"],
                msg=r"Alarm uploadStaticsToDB",
            ),
            q(
                "phrase",
                "what did 'new date =20171223, type=40005' report?",
                ["330"],
                msg=r"new date =20171223, type=40005,",
            ),
            q(
                "phrase",
                "what sizes did 'bulkSaveDetailHiHealthData() size' report?",
                ["size = 20"],
                msg=r"^bulkSaveDetailHiHealthData\(\) size",
            ),
        ],
    },
    {
        "id": "factual-proxifier",
        "source": "proxifier-cuhk-proxy-outage",
        "title": "Short factual questions over LogHub Proxifier_2k (lab desktop via proxy.cse.cuhk.edu.hk)",
        "questions": [
            q(
                "id",
                "what happened with qa.sockets.stackexchange.com?",
                ["02:02:11"],
                msg=r"^qa\.sockets\.stackexchange\.com:",
            ),
            q(
                "id",
                "what did msfeedssync.exe connect to?",
                ["go.microsoft.com"],
                field={"component": r"msfeedssync\.exe.*"},
            ),
            q("id", "what happened to tcpconn6.tencent.com?", ["canceled"], msg=r"^tcpconn6\.tencent\.com:"),
            q("number", "what's going wrong on port 8080?", ["qd-update.qq.com"], msg=r"^\S+:8080 "),
            q("number", "anything on port 843?", ["formi.baidu.com"], msg=r"^\S+:843 "),
            q(
                "number",
                "which connections closed with lifetime 01:05?",
                ["pixel.facebook.com"],
                msg=r"lifetime 01:05$",
            ),
            q(
                "phrase",
                "where does 'Proxy closed the connection unexpectedly' show up?",
                ["tcpconn4.tencent.com", "config.pinyin.sogou.com"],
                msg=r"Proxy closed the connection unexpectedly",
            ),
            q(
                "phrase",
                "what went 'through proxy socks.cse.cuhk.edu.hk'?",
                ["183.62.156.108:22"],
                msg=r"through proxy socks\.cse\.cuhk\.edu\.hk",
            ),
            q(
                "phrase",
                "in july 2017, which hosts hit 'A connection request was canceled before the completion'?",
                ["hm.baidu.com"],
                msg=r"A connection request was canceled before the completion",
                since="2017-07-01T00:00:00Z",
                until="2017-08-01T00:00:00Z",
            ),
            q(
                "phrase",
                "which connections logged 'MB) received' when they closed?",
                ["googlevideo.com"],
                msg=r"MB\) received",
            ),
        ],
    },
    {
        "id": "factual-windows",
        "source": "windows-cbs-servicing-errors",
        "title": "Short factual questions over LogHub Windows_2k (CBS servicing on a Win7 PC, 2016-09-28/29)",
        "questions": [
            q("id", "what does cbs say about KB3004375?", ["ApplicableState: 112"], msg=r"KB3004375\b"),
            q("id", "what happened in session 11152_142416105?", ["SPP"], msg=r"\b11152_142416105\b"),
            q(
                "id",
                "what happened to CSI Transaction @0x47e9e0?",
                ["destroyed"],
                msg=r"CSI Transaction @0x47e9e0\b",
            ),
            q(
                "id",
                "is Hyper-V integration services 6.3.9600.17681 installed?",
                ["CurrentState:0"],
                msg=r"Hyper-V-Integration-Services-Package~\S+~6\.3\.9600\.17681\b",
            ),
            q("number", "which package has ApplicableState 64?", ["KB3020393"], msg=r"ApplicableState: 64\b"),
            q("number", "what failed with 0x80070001?", ["backup log cab"], msg=r"0x80070001\b"),
            q("number", "what finished with disposition 0X1?", ["Scavenge"], msg=r"disposition: 0X1\b"),
            q("number", "what ran with applyflags=7?", ["coldpatching=FALSE"], msg=r"applyflags=7\b"),
            q(
                "phrase",
                "where does 'Offline image is: read-only' show up?",
                ["manifest caching"],
                msg=r"Offline image is: read-only|image is not writeable",
            ),
            q(
                "phrase",
                "when did cbs log 'skipping scavenge'?",
                ["coherency cookie"],
                msg=r"skipping scavenge",
            ),
            q(
                "phrase",
                "when was 'WcpInitialize (wcp.dll version 0.0.0.6) called' logged?",
                ["2016/9/28"],
                msg=r"WcpInitialize \(wcp\.dll version 0\.0\.0\.6\) called",
            ),
            q(
                "phrase",
                "what's the state of the 'EmbeddedLockdown-Package-TopLevel' package?",
                ["CurrentState:0"],
                msg=r"EmbeddedLockdown-Package-TopLevel",
            ),
        ],
    },
]


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def when(ts):
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def source_records(source, digest):
    """A system's logs.jsonl, checked against the hash its questions were written against: its
    path, its records and their time window."""
    src = SRC / source / "logs.jsonl"
    assert sha256(src) == digest, f"{src} differs from the file these questions were written against"
    records = [json.loads(x) for x in src.read_text(encoding="utf-8").splitlines()]
    times = [when(r["timestamp"]) for r in records]
    window = {
        "start": records[times.index(min(times))]["timestamp"],
        "end": records[times.index(max(times))]["timestamp"],
    }
    return src, records, window


def relevant(records, rule):
    msg = re.compile(rule["msg"]) if rule["msg"] else None
    fields = {k: re.compile(v) for k, v in rule["field"].items()}
    since = when(rule["since"]) if rule["since"] else None
    until = when(rule["until"]) if rule["until"] else None
    lines = []
    for n, rec in enumerate(records, 1):
        if msg and not msg.search(rec["message"]):
            continue
        if any(not (isinstance(rec.get(k), str) and rx.fullmatch(rec[k])) for k, rx in fields.items()):
            continue
        t = when(rec["timestamp"]) if since or until else None
        if since and t < since or until and t >= until:
            continue
        lines.append(n)
    return lines


def existing_asks():
    asks = set()
    for p in sorted(SRC.glob("*/incident.json")):
        for t in json.loads(p.read_text(encoding="utf-8"))["turns"]:
            asks.add(t["ask"].strip().lower())
    return asks


def write_json(path, obj):
    text = json.dumps(obj, indent=2, ensure_ascii=False) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def copy_exact(src, dst):
    if not dst.exists() or dst.read_bytes() != src.read_bytes():
        shutil.copyfile(src, dst)


def main():
    lic = SRC / "LICENSE-LOGHUB"
    assert sha256(lic) == LICENSE_SHA256, (
        "LICENSE-LOGHUB differs from the one these questions were written with"
    )
    copy_exact(lic, OUT / "LICENSE-LOGHUB")
    old = existing_asks()
    seen_asks, seen_ids = set(), set()
    table, qfile = [], {"incidents": []}
    for sysdef in SYSTEMS:
        iid = sysdef["id"]
        assert re.fullmatch(r"[a-z0-9-]+", iid) and iid not in seen_ids, iid
        seen_ids.add(iid)
        src, records, window = source_records(sysdef["source"], SOURCES[sysdef["source"]])
        turns = []
        for qd in sysdef["questions"]:
            ask = qd["ask"]
            key = ask.strip().lower()
            assert key not in old, f"reuses a shared incident question: {ask}"
            assert key not in seen_asks, f"duplicate question: {ask}"
            seen_asks.add(key)
            lines = relevant(records, qd["rule"])
            assert 1 <= len(lines) <= MAX_LINES, f"{iid}: {ask!r} selects {len(lines)} lines"
            assert 1 <= len(qd["mentions"]) <= 2, ask
            for m in qd["mentions"]:
                assert any(m.lower() in records[n - 1]["message"].lower() for n in lines), (
                    f"{iid}: mention {m!r} is not in the relevant lines of {ask!r}"
                )
            distinct = len({records[n - 1]["message"] for n in lines})
            assert distinct <= TOP_K, (
                f"{iid}: {ask!r} needs {distinct} distinct messages, more than top {TOP_K}"
            )
            turns.append(
                {
                    "ask": ask,
                    "style": qd["style"],
                    "expect": {"relevant_lines": lines, "mentions": qd["mentions"]},
                }
            )
            table.append((iid, qd["style"], len(lines), distinct, ask))
        d = OUT / iid
        d.mkdir(exist_ok=True)
        write_json(
            d / "incident.json", {"id": iid, "title": sysdef["title"], "window": window, "turns": turns}
        )
        copy_exact(src, d / "logs.jsonl")
        qfile["incidents"].append(
            {"id": iid, "turns": [{"ask": t["ask"], "style": t["style"]} for t in turns]}
        )
    write_json(OUT / "questions.json", qfile)

    print(f"{'incident':18s} {'style':7s} {'lines':>5s} {'msgs':>4s}  question")
    for iid, style, n, distinct, ask in table:
        print(f"{iid:18s} {style:7s} {n:5d} {distinct:4d}  {ask}")
    by_sys = {s["id"]: len(s["questions"]) for s in SYSTEMS}
    by_style = {s: sum(1 for r in table if r[1] == s) for s in STYLES}
    print(f"\n{len(table)} questions; per incident {by_sys}; per style {by_style}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Build the "right lines about an entity" evaluation set over the seven LogHub samples.

Usage: python3 bench/factual-b/make_factual_b.py

Reads bench/incidents/<system>/logs.jsonl (unchanged LogHub 2k samples) and writes, for each system,
bench/factual-b/factualb-<name>/incident.json plus a byte-for-byte copy of its logs.jsonl, a copy of
LICENSE-LOGHUB in bench/factual-b/, and bench/factual-b/questions.json (the style of every turn, for
shared/spec/score_replay.py --questions). Standard library only, with bench/factual/make_factual.py's
rule and file helpers; the output depends only on the input files, so a second run changes nothing.

Unlike bench/factual/, where a question's relevant lines are (almost) every line holding the
identifier it names, here the identifier or number a question names also sits on many lines that
do NOT answer it. Three styles:

  scoped  names an identifier found on >= 8 lines (usually several templates) but asks about one
          aspect of it; relevant = the identifier AND that aspect.
  count   hinges on a short number or code that is not a unique token (it sits on >= 8 lines);
          relevant = the lines where it plays the role the question asks about.
  plain   an engineer's own words about one rare event, naming a concrete anchor (a time, a host,
          a component, a user) but no exact log wording; relevant = the few lines answering it.

Every question below was written by hand from reading the logs. Its relevant lines are not listed
by hand: they are computed from the data by a rule, every condition of which must hold for a line:

  msg    regex searched in `message`
  field  {name: regex}, each fully matched against that record field (host, pid, component, ...)
  since  ISO 8601 time; the record's timestamp must be >= it
  until  ISO 8601 time; the record's timestamp must be < it

`anchor` (scoped and count only) is a regex for the identifier or number the question names; it
is searched in the message and in every string field of a record. The script checks that every
relevant line holds the anchor, that the anchor is on at least MIN_ANCHOR_LINES (scoped) or
MIN_COUNT_ANCHOR_LINES (count) lines, and on at least twice as many lines as the relevant set,
i.e. that naming it is not enough to find the answer.
"""

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SRC = ROOT / "bench" / "incidents"
OLD_SET = ROOT / "bench" / "factual"

# A rule means the same in both sets: bench/factual's generator holds how a rule selects lines, and
# how files are checked and written.
sys.path.insert(0, str(OLD_SET))
from make_factual import copy_exact, relevant, sha256, source_records, write_json  # noqa: E402

OUT = HERE
MIN_LINES, MAX_LINES = 1, 12  # a short question has a short answer
TOP_K = 10  # score_replay.py ranks the first 10 distinct message texts
MIN_ANCHOR_LINES = 8  # a scoped question's identifier is on at least this many lines
MIN_COUNT_ANCHOR_LINES = 5  # a count question's number is on at least this many lines
MAX_QUOTED_WORDS = 3  # a question may quote at most a 1-3 word fragment of a log line

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

STYLES = ("scoped", "count", "plain")


# an IPv4 address as a whole token (not a prefix/suffix of a longer dotted number)
def ip(a):
    return r"(?<![\d.])" + re.escape(a) + r"(?![\d])"


# a bare number as a whole token
def num(n):
    return r"(?<![\w.])" + re.escape(n) + r"(?![\w])"


def q(style, ask, mentions, msg=None, field=None, since=None, until=None, anchor=None):
    assert style in STYLES, style
    assert (anchor is not None) == (style in ("scoped", "count")), ask
    return {
        "style": style,
        "ask": ask,
        "mentions": mentions,
        "anchor": anchor,
        "rule": {"msg": msg, "field": field or {}, "since": since, "until": until},
    }


SYSTEMS = [
    {
        "id": "factualb-hdfs",
        "source": "hdfs-block-serve-failures",
        "title": (
            "Scoped, count and plain questions over LogHub HDFS_2k (datanodes and namenode, 2008-11-09..11)"
        ),
        "questions": [
            q(
                "scoped",
                "which blocks did the namenode mark for deletion on datanode 10.251.214.130?",
                ["blk_3858015337960682724"],
                msg=r"^BLOCK\* NameSystem\.delete: .* invalidSet of " + ip("10.251.214.130"),
                anchor=ip("10.251.214.130"),
            ),
            q(
                "scoped",
                "which blocks did 10.251.90.64 actually serve to readers without an error?",
                ["blk_-5719934513583495857", "10.250.14.196"],
                msg=r"^" + re.escape("10.251.90.64") + r":50010 Served block ",
                anchor=ip("10.251.90.64"),
            ),
            q(
                "scoped",
                "which blocks did the namenode record as stored on 10.251.214.67, and at what size?",
                ["blk_-5961895238114806886", "28508403"],
                msg=r"addStoredBlock: blockMap updated: " + ip("10.251.214.67") + r":",
                anchor=ip("10.251.214.67"),
            ),
            q(
                "count",
                "what did the namenode's pid 19 ask the datanodes to do?",
                ["replicate", "10.250.14.38"],
                field={"pid": "19", "component": r"dfs\.FSNamesystem"},
                anchor=num("19"),
            ),
            q(
                "count",
                "what did pid 13 log on nov 11?",
                ["Verification succeeded"],
                field={"pid": "13"},
                since="2008-11-11T00:00:00Z",
                anchor=num("13"),
            ),
            q(
                "plain",
                "what was 10.250.15.198 doing at 21:15 on nov 10?",
                ["transfer", "10.250.15.240"],
                msg=ip("10.250.15.198"),
                since="2008-11-10T21:15:00Z",
                until="2008-11-10T21:16:00Z",
            ),
            q(
                "plain",
                "which datanodes failed to hand a block to a reader between 02:00 and 04:00 on nov 10?",
                ["10.251.42.191", "10.251.26.8"],
                msg=r"Got exception while serving",
                since="2008-11-10T02:00:00Z",
                until="2008-11-10T04:00:00Z",
            ),
            q(
                "plain",
                "what did the namenode tell 10.251.126.5 to do around 09:17 on nov 11?",
                ["delete", "blk_-9016567407076718172"],
                msg=ip("10.251.126.5"),
                since="2008-11-11T09:17:00Z",
                until="2008-11-11T09:18:00Z",
            ),
        ],
    },
    {
        "id": "factualb-openssh",
        "source": "openssh-brute-force-labsz",
        "title": "Scoped, count and plain questions over LogHub OpenSSH_2k (sshd on LabSZ, Dec 10)",
        "questions": [
            q(
                "scoped",
                "besides root, which accounts did 112.95.230.3 try?",
                ["pgadmin", "utsims"],
                msg=r"(?i)invalid user \S+ from " + ip("112.95.230.3"),
                anchor=ip("112.95.230.3"),
            ),
            q(
                "scoped",
                "which source ports did 123.235.32.19 use for its failed root logins?",
                ["40652", "57100"],
                msg=r"^Failed password for root from " + ip("123.235.32.19") + r" port \d+",
                anchor=ip("123.235.32.19"),
            ),
            q(
                "scoped",
                "how many extra pam auth failures did 185.190.58.151 pile up per connection?",
                ["4 more"],
                msg=r"^PAM \d+ more authentication failures?;.*rhost=" + ip("185.190.58.151"),
                anchor=ip("185.190.58.151"),
            ),
            q(
                "count",
                "which connections piled up 5 more pam auth failures?",
                ["5.36.59.76", "119.4.203.64"],
                msg=r"^PAM 5 more authentication failures",
                anchor=num("5"),
            ),
            q(
                "count",
                "which failed root logins were repeated 5 times in a row?",
                ["106.5.5.195", "5.36.59.76"],
                msg=r"message repeated 5 times: \[ Failed password for root ",
                anchor=num("5"),
            ),
            q(
                "count",
                "which addresses tried to log in with the username 0?",
                ["181.214.87.4", "5.188.10.180"],
                msg=r"(?i)invalid user 0 from ",
                anchor=num("0"),
            ),
            q(
                "plain",
                "when did fztu log out, and how did the session end?",
                ["disconnected by user", "119.137.62.142"],
                msg=r"fztu|disconnected by user",
                since="2017-12-10T09:45:00Z",
                until="2017-12-10T09:46:00Z",
            ),
            q(
                "plain",
                "what did sshd do to the connection from 5.36.59.76 at 07:13:56?",
                ["Too many authentication failures", "root"],
                field={"pid": "24227"},
                since="2017-12-10T07:13:56Z",
                until="2017-12-10T07:13:57Z",
            ),
        ],
    },
    {
        "id": "factualb-zookeeper",
        "source": "zookeeper-election-port-failures",
        "title": "Scoped, count and plain questions over LogHub Zookeeper_2k "
        "(ensemble 10.10.34.11-13, 2015-07-29..08-25)",
        "questions": [
            q(
                "scoped",
                "when did 10.10.34.11 switch between looking and following?",
                ["FOLLOWING", "LOOKING"],
                msg=r"^(LOOKING|FOLLOWING|LEADING)\b",
                field={"host": re.escape("10.10.34.11")},
                anchor=ip("10.10.34.11"),
            ),
            q(
                "scoped",
                "on jul 29, how many times did the leader on 10.10.34.12 lose its follower 10.10.34.13?",
                ["GOODBYE", "10.10.34.13:57247"],
                msg=r"GOODBYE /" + ip("10.10.34.13") + r":",
                field={"host": re.escape("10.10.34.12")},
                since="2015-07-29T00:00:00Z",
                until="2015-07-30T00:00:00Z",
                anchor=ip("10.10.34.13"),
            ),
            q(
                "scoped",
                "what election notifications did 10.10.34.13 log, and what state was it in?",
                ["LOOKING", "0x100001564"],
                msg=r"^Notification: \d",
                field={"host": re.escape("10.10.34.13")},
                anchor=ip("10.10.34.13"),
            ),
            q(
                "count",
                "which sessions expired after a 20000ms timeout?",
                ["0x14ed93111f20068", "0x34ed9ac1c1e0065"],
                msg=r"^Expiring session \S+, timeout of 20000ms",
                anchor=num("20000") + r"|" + num("20000ms"),
            ),
            q(
                "count",
                "where was the autopurge interval set to 0?",
                ["purgeInterval"],
                msg=r"autopurge\.purgeInterval set to 0\b",
                anchor=num("0"),
            ),
            q(
                "count",
                "which election notifications were sent by server id 1?",
                ["1 (n.sid)"],
                msg=r"^Notification: .*(?<![\w.])1 \(n\.sid\)",
                anchor=num("1"),
            ),
            q(
                "plain",
                "what error did 10.10.34.11 hit around 23:44 on jul 29?",
                ["Unexpected Exception"],
                field={"host": re.escape("10.10.34.11"), "level": "ERROR"},
                since="2015-07-29T23:44:00Z",
                until="2015-07-29T23:45:00Z",
            ),
            q(
                "plain",
                "what happened on 10.10.34.12 at 16:09 on aug 18?",
                ["quorum", "0xb00000000"],
                field={"host": re.escape("10.10.34.12")},
                since="2015-08-18T16:09:00Z",
                until="2015-08-18T16:10:00Z",
            ),
            q(
                "plain",
                "what did 10.10.34.11 do at 15:31 on jul 31?",
                ["3888", "FOLLOWING"],
                field={"host": re.escape("10.10.34.11")},
                since="2015-07-31T15:31:00Z",
                until="2015-07-31T15:32:00Z",
            ),
        ],
    },
    {
        "id": "factualb-android",
        "source": "android-qq-qzone-crash",
        "title": (
            "Scoped, count and plain questions over LogHub Android_2k (test phone, 2017-03-17 16:13-16:16)"
        ),
        "questions": [
            q(
                "scoped",
                "did wechat (com.tencent.mm) post a notification, and with what id?",
                ["4097"],
                msg=r"(?i)notification.*com\.tencent\.mm\b",
                anchor=r"com\.tencent\.mm\b",
            ),
            q(
                "scoped",
                "the AudioMix wakelocks taken at 16:16:00, when were they released?",
                ["149977903", "173466309"],
                msg=r'^release:lock=\d+, .*tag="AudioMix"',
                since="2017-03-17T16:16:00Z",
                anchor=r"AudioMix",
            ),
            q(
                "scoped",
                "when was notepad launched?",
                ["NotePadActivity"],
                msg=r"^(START u0|ActivityRecord info).*notepad",
                anchor=r"notepad",
            ),
            q(
                "count",
                "what checked audio stream type 3?",
                ["getDevicesForStream"],
                msg=r"treamType: 3\b",
                anchor=num("3"),
            ),
            q(
                "count",
                "when did the status bar redraw the notification shade with 0 total?",
                ["total=0"],
                msg=r"^updateNotificationShade: total=0, active=0\b",
                anchor=num("0"),
            ),
            q(
                "count",
                "when did an app request screen orientation 1, and what rotation did it get?",
                ["got rotation 0"],
                msg=r"requested orientation 1\b",
                anchor=num("1"),
            ),
            q(
                "plain",
                "what did the ActivityManager warn about at 16:13:45?",
                ["Bad activity token", "ClassCastException"],
                field={"component": "ActivityManager", "level": "W"},
                since="2017-03-17T16:13:45Z",
                until="2017-03-17T16:13:46Z",
            ),
            q(
                "plain",
                "was a headset unplugged around 16:13:54?",
                ["setWiredDeviceConnectionState"],
                msg=r"Wired|handleAudioEvent",
                since="2017-03-17T16:13:54Z",
                until="2017-03-17T16:13:56Z",
            ),
            q(
                "plain",
                "how did wifi react to the battery update at 16:16:02?",
                ["pluggedType: 0"],
                field={"component": "WifiService|WifiController"},
                since="2017-03-17T16:16:02Z",
                until="2017-03-17T16:16:03Z",
            ),
        ],
    },
    {
        "id": "factualb-healthapp",
        "source": "healthapp-step-sync-failures",
        "title": (
            "Scoped, count and plain questions over LogHub HealthApp_2k"
            " (step counter and sync, 2017-12-23/24)"
        ),
        "questions": [
            q(
                "scoped",
                "how many records did com.huawei.health try to insert each time?",
                ["size = 20"],
                msg=r"^insertHiHealthData\(\) size = \d+,.*packageName = com\.huawei\.health",
                anchor=r"com\.huawei\.health\b",
            ),
            q(
                "scoped",
                "what options did HiSyncControl start its syncs with?",
                ["syncAction=1", "syncDataType=20000"],
                msg=r"^startSync hiSyncOption",
                field={"component": "HiH_HiSyncControl"},
                anchor=r"HiSyncControl",
            ),
            q(
                "scoped",
                "what step baseline did Step_SPUtils use when the day rolled over?",
                ["3786"],
                msg=r"BasicStandardSteps",
                field={"component": "Step_SPUtils"},
                since="2017-12-24T00:00:00+08:00",
                until="2017-12-24T00:01:00+08:00",
                anchor=r"Step_SPUtils",
            ),
            q(
                "count",
                "which step reports showed a total of 7214?",
                ["5150"],
                msg=r"^REPORT : 7214 ",
                anchor=num("7214") + r"|##7214##|mLastReport7214",
            ),
            q(
                "count",
                "what failed with error code 4?",
                ["ERR_DATA_INSERT"],
                msg=r"errorCode = 4\b",
                anchor=num("4"),
            ),
            q(
                "count",
                "when did the sync check find 0 app syncs so far?",
                ["appSynTimes"],
                msg=r"appSynTimes is 0\b",
                anchor=num("0"),
            ),
            q(
                "plain",
                "which detail records failed to save at 22:19:58?",
                ["40003", "40005"],
                msg=r"fail",
                field={"component": "HiH_HiHealthDataInsertStore"},
                since="2017-12-23T22:19:58+08:00",
                until="2017-12-23T22:19:59+08:00",
            ),
            q(
                "plain",
                "did the app clear its health notification around midnight?",
                ["deleteHealthNotification"],
                msg=r"(?i)notifi",
                since="2017-12-23T23:59:00+08:00",
                until="2017-12-24T00:01:00+08:00",
            ),
            q(
                "plain",
                "when did the screen go off between 23:00 and midnight on dec 23?",
                ["SCREEN_OFF"],
                msg=r"SCREEN_OFF",
                since="2017-12-23T23:00:00+08:00",
                until="2017-12-24T00:00:00+08:00",
            ),
        ],
    },
    {
        "id": "factualb-proxifier",
        "source": "proxifier-cuhk-proxy-outage",
        "title": (
            "Scoped, count and plain questions over LogHub Proxifier_2k"
            " (lab desktop via proxy.cse.cuhk.edu.hk)"
        ),
        "questions": [
            q(
                "scoped",
                "did any t12.baidu.com connection actually move data?",
                ["4059", "4198"],
                msg=r"^t12\.baidu\.com:80 close, (?!0 bytes sent, 0 bytes received)",
                anchor=r"t12\.baidu\.com",
            ),
            q(
                "scoped",
                "how long did the bolt.dropbox.com connections stay open?",
                ["15:31"],
                msg=r"^bolt\.dropbox\.com:443 close, .*lifetime",
                anchor=r"bolt\.dropbox\.com",
            ),
            q(
                "scoped",
                "did any api.github.com connection close without moving any data?",
                ["02:02"],
                msg=r"^api\.github\.com:443 close, 0 bytes sent, 0 bytes received",
                anchor=r"api\.github\.com",
            ),
            q(
                "count",
                "which connections sent only 5 bytes?",
                ["91.190.216.212", "91.190.218.125"],
                msg=r"close, 5 bytes sent,",
                anchor=num("5"),
            ),
            q(
                "count",
                "which connections sent exactly 494 bytes after 17:00 on jul 26?",
                ["qbwup.imtt.qq.com"],
                msg=r"close, 494 bytes sent,",
                since="2017-07-26T17:00:00Z",
                until="2017-07-27T00:00:00Z",
                anchor=num("494"),
            ),
            q(
                "count",
                "which connections lasted 14:59?",
                ["mtalk.google.com"],
                msg=r"lifetime 14:59$",
                anchor=r"(?<![\d:])14:59(?![\d:])|(?<![\d.])14(?![\d.])",
            ),
            q(
                "plain",
                "what did acrobat connect to?",
                ["ocsp.digicert.com", "static.adobelogin.com"],
                field={"component": r"Acrobat\.exe"},
            ),
            q(
                "plain",
                "what did svchost open on jul 27?",
                ["crl.microsoft.com", "pki.google.com"],
                field={"component": r"svchost\.exe.*"},
                since="2017-07-27T00:00:00Z",
                until="2017-07-28T00:00:00Z",
            ),
            q(
                "plain",
                "what did the 360 app (360AP) talk to?",
                ["qhimg.com"],
                field={"component": r"360AP\.exe"},
            ),
        ],
    },
    {
        "id": "factualb-windows",
        "source": "windows-cbs-servicing-errors",
        "title": (
            "Scoped, count and plain questions over LogHub Windows_2k"
            " (CBS servicing on a Win7 PC, 2016-09-28/29)"
        ),
        "questions": [
            q(
                "scoped",
                "when did TrustedInstaller shut down?",
                ["finalization"],
                msg=r"TrustedInstaller finalization|Ending the TrustedInstaller main loop",
                anchor=r"TrustedInstaller",
            ),
            q(
                "scoped",
                "which file pattern did SQM fail to start uploading?",
                ["_std.sqm"],
                msg=r"^SQM: Failed to start upload with file pattern",
                anchor=r"SQM",
            ),
            q(
                "scoped",
                "when were the hives from HarddiskVolumeShadowCopy2 unloaded?",
                ["Unloading", "schema.dat"],
                msg=r"^Unloading offline registry hive: .*HarddiskVolumeShadowCopy2/",
                anchor=r"HarddiskVolumeShadowCopy2",
            ),
            q(
                "count",
                "on sep 29, which kb packages show applicable state 112 but current state 0?",
                ["KB947821", "KB2834140"],
                msg=r"Package_for_KB\d+~.*ApplicableState: 112, CurrentState:0$",
                since="2016-09-29T00:00:00+08:00",
                anchor=num("112"),
            ),
            q(
                "count",
                "on sep 28, which packages other than the numbered kb ones are at current state 112?",
                ["RDP-BlueIP", "RollupFix"],
                msg=r"^Read out cached package applicability for package: (?!Package_for_KB)\S+, "
                r"ApplicableState: \d+, CurrentState:112$",
                since="2016-09-28T00:00:00+08:00",
                until="2016-09-29T00:00:00+08:00",
                anchor=num("112"),
            ),
            q(
                "count",
                "when did sqm end up queuing 0 files for upload?",
                ["_all.sqm"],
                msg=r"^SQM: Queued 0 file",
                anchor=num("0"),
            ),
            q(
                "plain",
                "did cbs mark a pending reboot during the 04:40 run on sep 28?",
                ["Reboot mark refs"],
                msg=r"Reboot mark",
                since="2016-09-28T04:40:00+08:00",
                until="2016-09-28T04:45:00+08:00",
            ),
            q(
                "plain",
                "which servicing stack version did cbs load?",
                ["6.1.7601.23505"],
                msg=r"^Loaded Servicing Stack",
                field={"component": "CBS"},
            ),
            q(
                "plain",
                "when did the component store get initialized on sep 29?",
                ["CSI Store"],
                msg=r"CSI Store \d+ .* initialized",
                field={"component": "CSI"},
                since="2016-09-29T00:00:00+08:00",
            ),
        ],
    },
]


def anchor_lines(records, anchor):
    rx = re.compile(anchor)
    out = []
    for n, rec in enumerate(records, 1):
        texts = [v for k, v in rec.items() if k != "timestamp" and isinstance(v, str)]
        if any(rx.search(t) for t in texts):
            out.append(n)
    return out


def norm(ask):
    return " ".join(re.sub(r"[^\w.@:/-]+", " ", ask.lower()).split())


def existing_asks():
    """Questions of the shared incidents and of bench/factual (which must not be reused)."""
    asks = set()
    paths = sorted(SRC.glob("*/incident.json")) + sorted(OLD_SET.glob("*/incident.json"))
    assert paths, "no existing incident files found"
    for p in paths:
        for t in json.loads(p.read_text(encoding="utf-8"))["turns"]:
            asks.add(norm(t["ask"]))
    for p in (ROOT / "bench" / "questions.json", OLD_SET / "questions.json"):
        if p.exists():
            for inc in json.loads(p.read_text(encoding="utf-8"))["incidents"]:
                for t in inc["turns"]:
                    asks.add(norm(t["ask"]))
    return asks


def check_wording(iid, ask, records, lines):
    """A question may quote at most a short fragment and never a whole log message."""
    for frag in re.findall(r"'([^']*)'|\"([^\"]*)\"", ask):
        frag = frag[0] or frag[1]
        assert len(frag.split()) <= MAX_QUOTED_WORDS, f"{iid}: {ask!r} quotes too much: {frag!r}"
    low = ask.lower()
    for n in lines:
        m = records[n - 1]["message"].strip().lower()
        assert not (len(m.split()) >= 2 and m in low), f"{iid}: {ask!r} contains log line {n} verbatim"


def main():
    lic = SRC / "LICENSE-LOGHUB"
    assert sha256(lic) == LICENSE_SHA256, (
        "LICENSE-LOGHUB differs from the one these questions were written with"
    )
    old = existing_asks()
    seen_asks, seen_ids = set(), set()
    table, qfile, outputs = [], {"incidents": []}, []
    # Check everything first; write only when every check has passed.
    for sysdef in SYSTEMS:
        iid = sysdef["id"]
        assert re.fullmatch(r"[a-z0-9-]+", iid) and iid not in seen_ids, iid
        seen_ids.add(iid)
        src, records, window = source_records(sysdef["source"], SOURCES[sysdef["source"]])
        assert len(sysdef["questions"]) >= 6, f"{iid}: fewer than 6 questions"
        turns = []
        for qd in sysdef["questions"]:
            ask = qd["ask"]
            key = norm(ask)
            assert not ask[0].isupper(), f"{iid}: write questions in lower case: {ask!r}"
            assert key not in old, f"reuses an existing question: {ask}"
            assert key not in seen_asks, f"duplicate question: {ask}"
            seen_asks.add(key)
            lines = relevant(records, qd["rule"])
            assert MIN_LINES <= len(lines) <= MAX_LINES, f"{iid}: {ask!r} selects {len(lines)} lines"
            distinct = len({records[n - 1]["message"] for n in lines})
            assert distinct <= TOP_K, (
                f"{iid}: {ask!r} needs {distinct} distinct messages, more than top {TOP_K}"
            )
            assert 1 <= len(qd["mentions"]) <= 2, ask
            for m in qd["mentions"]:
                assert any(m.lower() in records[n - 1]["message"].lower() for n in lines), (
                    f"{iid}: mention {m!r} is not in the relevant lines of {ask!r}"
                )
            check_wording(iid, ask, records, lines)
            rule = qd["rule"]
            n_anchor = None
            if qd["style"] in ("scoped", "count"):
                al = anchor_lines(records, qd["anchor"])
                n_anchor = len(al)
                need = MIN_ANCHOR_LINES if qd["style"] == "scoped" else MIN_COUNT_ANCHOR_LINES
                assert n_anchor >= need, f"{iid}: anchor of {ask!r} is on {n_anchor} lines, fewer than {need}"
                assert set(lines) <= set(al), f"{iid}: a relevant line of {ask!r} lacks its anchor"
                assert n_anchor >= 2 * len(lines), (
                    f"{iid}: anchor of {ask!r} is on {n_anchor} lines, not at least twice the "
                    f"{len(lines)} relevant ones: naming it nearly finds the answer"
                )
            if qd["style"] == "scoped":
                assert rule["msg"] or rule["field"], ask
            if qd["style"] == "plain":
                assert rule["field"] or rule["since"] or rule["until"], (
                    f"{iid}: plain question {ask!r} has no concrete anchor in its rule"
                )
            turns.append(
                {
                    "ask": ask,
                    "style": qd["style"],
                    "expect": {"relevant_lines": lines, "mentions": qd["mentions"]},
                }
            )
            table.append((iid, qd["style"], len(lines), distinct, n_anchor, ask))
        outputs.append((iid, src, {"id": iid, "title": sysdef["title"], "window": window, "turns": turns}))
        qfile["incidents"].append(
            {"id": iid, "turns": [{"ask": t["ask"], "style": t["style"]} for t in turns]}
        )
    assert len(table) >= 45, f"only {len(table)} questions"

    copy_exact(lic, OUT / "LICENSE-LOGHUB")
    for iid, src, incident in outputs:
        d = OUT / iid
        d.mkdir(exist_ok=True)
        write_json(d / "incident.json", incident)
        copy_exact(src, d / "logs.jsonl")
    write_json(OUT / "questions.json", qfile)

    print(f"{'incident':20s} {'style':6s} {'lines':>5s} {'msgs':>4s} {'anchor':>6s}  question")
    for iid, style, n, distinct, na, ask in table:
        print(f"{iid:20s} {style:6s} {n:5d} {distinct:4d} {'' if na is None else na:>6}  {ask}")
    by_sys = {s["id"]: len(s["questions"]) for s in SYSTEMS}
    by_style = {s: sum(1 for r in table if r[1] == s) for s in STYLES}
    print(f"\n{len(table)} questions; per incident {by_sys}; per style {by_style}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

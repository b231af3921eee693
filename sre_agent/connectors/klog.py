"""Kubernetes' klog (and Go's glog) line heads: `E0709 14:02:11.123456       1 status.go:71] …`.

The first letter is the level (I, W, E, F), then the month and day, the time of day to the
microsecond (no year: the file's or the logs' year is taken), the thread id and the source file and
line. Every Kubernetes component writes them (kube-apiserver, the controller manager, the
scheduler, the kubelet), so do many Go programs; shippers often keep the line whole as a record's
message.
"""

from __future__ import annotations

import re
from datetime import datetime

_HEAD = re.compile(r"^([IWEF])(\d{2})(\d{2}) (\d{2}:\d{2}:\d{2}\.\d{6})\s+\d+ [\w./-]+:\d+\] ")
_LEVELS = {"I": "INFO", "W": "WARN", "E": "ERROR", "F": "FATAL"}


def klog_level(text: str) -> str | None:
    """The level of a klog line (`W0709 …` → WARN); None when `text` does not start as one."""
    m = _HEAD.match(text)
    return _LEVELS[m.group(1)] if m else None


def klog_start(line: str, year: int) -> tuple[datetime, str, str] | None:
    """The time (in `year`), the level and the rest of a klog line (the thread id, the source file
    and the message); None when `line` does not start as one or its date is not a date."""
    m = _HEAD.match(line)
    if m is None:
        return None
    try:
        ts = datetime.strptime(f"{year}{m.group(2)}{m.group(3)} {m.group(4)}", "%Y%m%d %H:%M:%S.%f")
    except ValueError:
        return None
    return ts, _LEVELS[m.group(1)], line[m.end(4) :].strip()

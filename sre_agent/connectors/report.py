"""What a fetch has to tell besides its records, as data: which names the service filter matched,
which filters it dropped to find anything, and, when it still found nothing, what the source did
hold (facets with counts). Every surface (the tool text the LLM reads, the offline triage answer,
`ask --retrieve-only`) renders these fields with the sentences defined here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from sre_agent.models import LogRecord, TimeWindow

#: Values shown per facet before "and N more".
FACET_TOP = 8
#: The record attribute and the word used in sentences, per filter that may be relaxed.
RELAXABLE: dict[str, str] = {"service": "service", "environment": "env", "method": "method"}
NOT_SET = "(not set)"


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def count_values(records: Iterable[LogRecord], attribute: str) -> dict[str, int]:
    """How many records carry each value of `attribute` (None counted as `NOT_SET`), most first."""
    counts = Counter(getattr(r, attribute) or NOT_SET for r in records)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _code(text: str, markdown: bool) -> str:
    return f"`{text}`" if markdown else text


def files_sentence(skipped: dict[str, str], *, shown: int = 5, markdown: bool = False) -> str:
    """ "3 files: a.png, b.csv (not named .jsonl, .log or .txt); core (binary, not a log)": grouped by
    reason, at most `shown` names per reason."""
    by_reason: dict[str, list[str]] = {}
    for name, reason in skipped.items():
        by_reason.setdefault(reason, []).append(_code(name, markdown))
    groups = []
    for reason, names in by_reason.items():
        more = f" and {len(names) - shown} more" if len(names) > shown else ""
        groups.append(f"{', '.join(names[:shown])}{more} ({reason})")
    return f"{_n(len(skipped), 'file')}: " + "; ".join(groups)


def _listing(counts: dict[str, int], top: int = FACET_TOP) -> str:
    shown = [f"{value} ×{count:,}" for value, count in list(counts.items())[:top]]
    rest = len(counts) - top
    return ", ".join(shown) + (f" and {rest} more" if rest > 0 else "")


class Relaxation(BaseModel):
    """A filter the fetch dropped because no record in the window satisfied it."""

    filter: Literal["service", "environment", "method"]
    wanted: str = Field(description="the value asked for, e.g. membership")
    seen: dict[str, int] = Field(
        default_factory=dict, description="what the records found without it say in that field, most first"
    )
    found: int = Field(default=0, description="records found once it was dropped")

    def sentence(self) -> str:
        """'no record said service=membership; 1,213 records said membership-api, so I dropped the
        service filter'."""
        field = RELAXABLE[self.filter]
        named = {v: c for v, c in self.seen.items() if v != NOT_SET}
        head = f"no record said {field}={self.wanted}"
        if not named:
            said = f"the {_n(self.found, 'record')} found without it name no {field}"
        else:
            values = list(named.items())
            said = f"{_n(values[0][1], 'record')} said {values[0][0]}"
            said += "".join(f", {c:,} said {v}" for v, c in values[1:3])
            if len(values) > 3:
                said += f" (and {len(values) - 3} more {field} values)"
        return f"{head}; {said}, so I dropped the {self.filter} filter"


class SourceFacets(BaseModel):
    """What the source held when nothing matched: counts per value, so the engineer can re-ask."""

    records: int = Field(description="records the facets were counted over")
    asked: list[str] = Field(default_factory=list, description="the filters nothing matched, e.g. env=prod")
    window: TimeWindow | None = Field(default=None, description="the window that was asked for")
    in_window: bool = Field(default=True, description="False: the window held nothing, these span the source")
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    capped: bool = Field(default=False, description="counted over the first records only (the fetch limit)")
    services: dict[str, int] = Field(default_factory=dict)
    environments: dict[str, int] = Field(default_factory=dict)
    hosts: dict[str, int] = Field(default_factory=dict)
    levels: dict[str, int] = Field(default_factory=dict)
    methods: dict[str, int] = Field(default_factory=dict)

    @classmethod
    def of(
        cls,
        records: list[LogRecord],
        *,
        asked: list[str] | None = None,
        window: TimeWindow | None,
        in_window: bool = True,
        capped: bool = False,
    ) -> SourceFacets:
        times = [r.timestamp for r in records]
        return cls(
            records=len(records),
            asked=list(asked or []),
            window=window,
            in_window=in_window,
            first_seen=min(times) if times else None,
            last_seen=max(times) if times else None,
            capped=capped,
            services=count_values(records, "service"),
            environments=count_values(records, "env"),
            hosts=count_values(records, "host"),
            levels=count_values(records, "level"),
            methods=count_values(records, "method"),
        )

    def lines(self) -> list[str]:
        """The facets in words: a heading sentence, then one line per facet that has values."""
        where = (
            f" between {self.window.start:%Y-%m-%d %H:%M} and {self.window.end:%Y-%m-%d %H:%M} UTC"
            if self.window is not None
            else ""
        )
        if self.records == 0:
            return [f"the source holds no record at all{where}"]
        span = f"{self.first_seen:%Y-%m-%d %H:%M:%S} → {self.last_seen:%Y-%m-%d %H:%M:%S} UTC"
        more = "+" if self.capped else ""
        if self.in_window:
            filters = ", ".join(self.asked)
            head = f"no record matched {filters}" if filters else "no record matched"
            head += f", but the source holds {self.records:,}{more} records{where} ({span})"
        else:
            head = f"the source holds no record{where}; its {self.records:,}{more} records span {span}"
        out = [head + "; re-ask with one of these:"]
        for label, counts in (
            ("services", self.services),
            ("environments", self.environments),
            ("hosts", self.hosts),
            ("levels", self.levels),
            ("methods", self.methods),
        ):
            if counts and set(counts) != {NOT_SET}:
                out.append(f"{label}: {_listing(counts)}")
        return out


class FetchCut(BaseModel):
    """A fetch the record limit cut: what matched, what was read, and the span the read covers.

    Logstores read the newest records first (the incident is almost always recent), so what is
    left out is the oldest part of what matched."""

    limit: int = Field(description="the fetch limit that cut the read")
    read: int = Field(description="records kept")
    matched: int | None = Field(
        default=None, description="records that matched in all; None when the store does not say"
    )
    first: datetime | None = Field(default=None, description="oldest record read")
    last: datetime | None = Field(default=None, description="newest record read")
    matched_first: datetime | None = Field(default=None, description="oldest record that matched")
    newest_first: bool = Field(default=True, description="False: the store served the oldest records")
    focus: TimeWindow | None = Field(default=None, description="the question's window, read first")
    focus_read: int | None = Field(
        default=None, description="records of the question's window read (all it holds, up to the limit)"
    )
    focus_whole: bool = Field(default=True, description="every record of the question's window was read")
    focus_matched: int | None = Field(
        default=None, description="records of the question's window that matched"
    )
    others_first: datetime | None = Field(
        default=None, description="oldest record read outside the question's window"
    )

    def sentence(self) -> str:
        """'the fetch limit cut this read: 558,211 records matched, only the newest 20,000 were read
        (2025-03-12 09:00 → 2025-03-18 15:00 UTC); older ones …' — with the question's window read
        first: '…, 20,000 were read: all 1,204 of the question's window (…) and the newest 18,796
        others (…); older ones …'."""
        which = "newest" if self.newest_first else "oldest"
        matched = f"{self.matched:,} records matched" if self.matched is not None else "more records matched"
        head = f"the fetch limit ({self.limit:,}) cut this read: {matched}"
        first, last = self.first, self.last
        if self.focus is not None and self.focus_read is not None:
            whole = f"all {self.focus_read:,}" if self.focus_whole else f"the newest {self.focus_read:,}"
            of_window = f"of the {self.focus_matched or 0:,} records of the question's window"
            head += f", {self.read:,} were read: {whole} {of_window}"
            head += f" ({_span(self.focus.start, self.focus.end)})"
            rest = self.read - self.focus_read
            head += f" and the {which} {rest:,} others" if rest else ", none outside it"
            first = self.others_first if rest else None
        else:
            head += f", only the {which} {self.read:,} were read"
        if first is not None and last is not None:
            head += f" ({_span(first, last)})"
        left = "older" if self.newest_first else "newer"
        if self.newest_first and self.matched_first is not None and first is not None:
            left += f" ones from {self.matched_first:%Y-%m-%d %H:%M} UTC on"
        else:
            left += " ones"
        return (
            f"{head}; {left} were not read: ask about a narrower time window, "
            "or raise the limit (--limit, SRE_AGENT_FETCH_LIMIT)"
        )


def _span(start: datetime, end: datetime) -> str:
    return f"{start:%Y-%m-%d %H:%M} → {end:%Y-%m-%d %H:%M} UTC"


class FetchReport(BaseModel):
    """Everything a fetch says besides its records (empty when there is nothing to say)."""

    service: str | None = Field(default=None, description="the service the fetch asked for")
    matched_names: dict[str, int] = Field(
        default_factory=dict,
        description="service names in the records that the service filter accepted though they differ "
        "from the service's own name (membership-api for membership), with counts",
    )
    relaxed: list[Relaxation] = Field(default_factory=list)
    facets: SourceFacets | None = None
    cut: FetchCut | None = Field(default=None, description="set when the fetch limit cut the read")
    skipped_files: dict[str, str] = Field(
        default_factory=dict, description="files of a folder not read (name in the folder → why)"
    )
    ends_early: list[str] = Field(
        default_factory=list,
        description="files that end before their end (a gzip file cut short): what was read of each",
    )
    malformed: int = Field(default=0, description="lines that could not be read, skipped")
    malformed_at: list[str] = Field(
        default_factory=list, description="the first few of them as file:line: reason"
    )

    def input_sentences(self, *, markdown: bool = False) -> list[str]:
        """What of the input was not read: files a folder skipped, malformed lines (the first few
        located as `file:line: reason`). `markdown` quotes names and locations as code."""
        out = []
        if self.skipped_files:
            out.append("skipped in the folder " + files_sentence(self.skipped_files, markdown=markdown))
        if self.malformed:
            shown = self.malformed_at
            where = "; ".join(_code(p, markdown) for p in shown)
            first = f", the first {len(shown)}" if len(shown) < self.malformed else ""
            located = f"{first}: {where}" if shown else ""
            out.append(f"{_n(self.malformed, 'malformed line')} skipped{located}")
        return out

    def matched_sentence(self) -> str | None:
        """'service=membership matched the names these logs use: membership-api ×1,213'."""
        if not (self.matched_names and self.service):
            return None
        return f"service={self.service} matched the names these logs use: {_listing(self.matched_names, 5)}"

    def sentences(self) -> list[str]:
        """The report in words, one sentence per fact (facets as their own lines); what of the
        input was not read first."""
        out = self.input_sentences()
        matched = self.matched_sentence()
        if self.cut is not None:
            out.insert(0, self.cut.sentence())
        out += [matched] if matched else []
        out += [r.sentence() for r in self.relaxed]
        if self.facets is not None:
            out += self.facets.lines()
        return out

    def dropped(self) -> list[str]:
        """The filters dropped, e.g. ['service', 'environment']."""
        return [r.filter for r in self.relaxed]

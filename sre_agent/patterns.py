"""Log patterns of a window, mined with drain3, for the "offline triage" answer.

When no model is at hand (or before asking one), the most useful summary of a pile of log lines is
the list of their *patterns*: lines that differ only in numbers, addresses or ids collapse into one
template such as ``Received block <BLK> of size <NUM> from <IP>``. `mine_patterns` runs drain3's
`TemplateMiner` over the records (in memory: no ini file, no persistence, nothing written) and
returns, per pattern, its final template, how many lines it covers, when it was first and last
seen, a real example line, the worst level among its lines and the source line numbers.
`render_patterns` turns that into a Markdown bullet list, errors first.

Only the first line of a multi-line message (a stack trace) is mined. Records are mined in time
order (input order for equal times), so the same records always give the same patterns.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from drain3 import TemplateMiner
from drain3.drain import Drain, Node
from drain3.masking import MaskingInstruction
from drain3.template_miner_config import TemplateMinerConfig
from pydantic import BaseModel, Field

from sre_agent.clocks import span
from sre_agent.models import LEVELS, as_utc, normalize_level
from sre_agent.shapes import sounds_like_trouble

# drain3 logs "Starting Drain3 template miner" at INFO on every TemplateMiner(); we build one per
# call, so keep its loggers quiet unless the application has chosen a level for them itself.
_DRAIN3_LOGGER = logging.getLogger("drain3")
if _DRAIN3_LOGGER.level == logging.NOTSET:
    _DRAIN3_LOGGER.setLevel(logging.WARNING)

#: Masks applied before drain3 sees a line, one after another (an earlier mask claims its text first).
#: Each is (regex, mask name); in templates a mask shows as ``<NAME>``, drain's own wildcard as ``<*>``.
DEFAULT_MASKS: tuple[tuple[str, str], ...] = (
    (r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b", "UUID"),
    (r"\bblk_-?\d+\b", "BLK"),
    (r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?!\.?\w)", "IP"),
    (r"\b0[xX][0-9a-fA-F]+\b", "HEX"),
    (r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?!\.?\w)", "NUM"),
)

#: A line joins a cluster when at least this share of its tokens equal the template's fixed ones.
#: drain3's default, 0.4, merges "user alice opened file x" and "user bob deleted file y" (2 of 5)
#: into "user <*> <*> file <*>". Depth 4: the tree routes on token count, then the first token.
_SIM_TH = 0.5
_DEPTH = 4
_MAX_LINES = 20
#: Past this many clusters in one prefix-tree leaf (same token count and first token), a line that
#: fits none of them joins a per-leaf catch-all group instead of adding another cluster. Real logs
#: stay far below it (the bench incidents: 2); free text would otherwise make drain quadratic
#: (20,000 random lines: 230 s).
_MAX_LEAF_CLUSTERS = 32
#: Levels that get their own tier in the ordering, worst first; every other level shares the last.
_ALARM_LEVELS = ("FATAL", "ERROR", "WARN")


class PatternInput(Protocol):
    """What `mine_patterns` reads from a record (`LogRecord` and `CleanRecord` fit).

    `timestamp` should be aware (naive is taken as UTC); `line` is the 1-based source line. `level`
    and `line` may also be missing altogether: they are then taken as None.
    """

    @property
    def timestamp(self) -> datetime: ...

    @property
    def message(self) -> str: ...

    @property
    def level(self) -> str | None: ...

    @property
    def line(self) -> int | None: ...


class LogPattern(BaseModel):
    """One mined pattern: a drain3 template and the lines it covers."""

    template: str = Field(description="final drain3 template; masks such as <IP>, <NUM>, <BLK>, <*>")
    count: int = Field(description="how many records have this pattern")
    first_seen: datetime
    last_seen: datetime
    example: str = Field(description="first line of the earliest message of this pattern at its worst level")
    level: str | None = Field(default=None, description="worst level seen among its records")
    at_level: int = Field(default=0, description="how many of its records are at that worst level")
    lines: list[int] = Field(
        default_factory=list, description=f"source line numbers where known, at most {_MAX_LINES}"
    )

    def tally(self) -> str:
        """`×30 of 757` when only some of its lines are at its level, else `×757`."""
        if 0 < self.at_level < self.count:
            return f"×{self.at_level} of {self.count}"
        return f"×{self.count}"


PROBLEM_LEVELS = ("WARN", "ERROR", "FATAL")


class PatternSummary(BaseModel):
    """The patterns of a set of records, the most alarming first."""

    patterns: list[LogPattern] = Field(default_factory=list)
    total_records: int = 0
    total_patterns: int = Field(default=0, description="number of patterns before the limit")

    def problems(self) -> list[LogPattern]:
        """The warning, error and fatal patterns, worst and most frequent first."""
        return [p for p in self.patterns if p.level in PROBLEM_LEVELS]


class _Acc:
    """Running totals of one group of lines (a drain3 cluster, or a full leaf's overflow)."""

    __slots__ = (
        "count", "first", "first_seq", "last", "rank", "level", "worst", "worst_example", "worst_first",
        "lines", "tokens",
    )  # fmt: skip

    def __init__(self, when: datetime, seq: int, example: str, tokens: list[str] | None = None) -> None:
        self.count = 0
        self.first = when
        self.first_seq = seq
        self.last = when
        self.rank = -3
        self.level: str | None = None
        self.worst = 0  # lines at `level`
        self.worst_example = example  # the earliest of them
        self.worst_first = (when, seq)
        self.lines: list[tuple[datetime, int, int]] = []  # (time, input order, line), time order
        self.tokens = tokens  # the running template of an overflow group; None for a drain cluster

    def add(self, when: datetime, seq: int, level: str | None, line: int | None, text: str) -> None:
        self.count += 1
        self.last = when
        rank = _level_rank(level)
        if rank > self.rank:
            self.rank, self.level, self.worst = rank, level, 0
            self.worst_example, self.worst_first = text, (when, seq)
        if rank == self.rank:
            self.worst += 1
        if line is not None and len(self.lines) < _MAX_LINES:
            self.lines.append((when, seq, line))

    def merge(self, other: _Acc) -> None:
        """Fold in another group that ended with the same template."""
        if (other.first, other.first_seq) < (self.first, self.first_seq):
            self.first, self.first_seq = other.first, other.first_seq
        self.count += other.count
        self.last = max(self.last, other.last)
        if other.rank > self.rank or (other.rank == self.rank and other.worst_first < self.worst_first):
            self.worst_example, self.worst_first = other.worst_example, other.worst_first
        if other.rank > self.rank:
            self.rank, self.level, self.worst = other.rank, other.level, other.worst
        elif other.rank == self.rank:
            self.worst += other.worst
        self.lines = sorted(self.lines + other.lines)[:_MAX_LINES]


def _first_line(message: str) -> str:
    """The first line of a message, skipping leading empty lines (a stack trace counts by its headline)."""
    text = message.lstrip("\r\n")
    end = text.find("\n")
    if end >= 0:
        text = text[:end]
    return text.rstrip("\r")


def _level_rank(level: str | None) -> int:
    """Severity of a normalised level: its index in LEVELS, -1 for unknown names, -2 for none."""
    if level is None:
        return -2
    try:
        return LEVELS.index(level)
    except ValueError:
        return -1


def _order_key(pattern: LogPattern) -> tuple[int, bool, int, datetime, str]:
    """Worst level first; within a level (or in logs that write none), patterns whose words say
    something failed before the rest; then the most lines at that level."""
    tier = _ALARM_LEVELS.index(pattern.level) if pattern.level in _ALARM_LEVELS else len(_ALARM_LEVELS)
    return (
        tier,
        not sounds_like_trouble(pattern.template),
        -(pattern.at_level or pattern.count),  # its lines at that level: not 757 "errors" of which 3 are
        pattern.first_seen,
        pattern.template,
    )


def _miner(extra_masks: list[tuple[str, str]] | None) -> TemplateMiner:
    config = TemplateMinerConfig()
    config.drain_sim_th = _SIM_TH
    config.drain_depth = _DEPTH
    config.parametrize_numeric_tokens = True
    config.profiling_enabled = False
    config.masking_instructions = [
        MaskingInstruction(regex, name) for regex, name in [*(extra_masks or []), *DEFAULT_MASKS]
    ]
    # A config object means drain3 never looks for drain3.ini; no persistence handler means
    # nothing is saved.
    return TemplateMiner(persistence_handler=None, config=config)


def _leaf(drain: Drain, tokens: list[str]) -> Node | None:
    """The prefix-tree node whose clusters drain compares `tokens` with (its own tree_search walk)."""
    node = drain.root_node.key_to_child_node.get(str(len(tokens)))
    depth = 1
    for token in tokens:
        if node is None or depth >= drain.max_node_depth or depth == len(tokens):
            break
        children = node.key_to_child_node
        node = children.get(token) or children.get(drain.param_str)
        depth += 1
    return node


def _widen(template: list[str], tokens: list[str], param: str) -> None:
    """Drain's template merge: every position where the two differ becomes the wildcard."""
    for i, token in enumerate(tokens):
        if template[i] != token:
            template[i] = param


def mine_patterns(
    records: Iterable[PatternInput],
    *,
    limit: int = 10,
    extra_masks: list[tuple[str, str]] | None = None,
) -> PatternSummary:
    """Mine the log patterns of `records` with drain3.

    `extra_masks` are more (regex, mask name) pairs, applied before the default ones (UUIDs, HDFS
    block ids, IPs with optional port, hex and plain numbers). Patterns come ordered FATAL, ERROR,
    WARN, then all other levels together; within a tier by count, descending, then first seen.
    `limit` caps the list; `total_patterns` counts them all.
    """
    rows = [(as_utc(r.timestamp), r) for r in records]
    rows.sort(key=lambda row: row[0])  # stable: equal times keep their input order
    if not rows:
        return PatternSummary()

    miner = _miner(extra_masks)
    drain = miner.drain
    groups: dict[tuple[str, int], _Acc] = {}
    for seq, (when, record) in enumerate(rows):
        text = _first_line(record.message)
        # What TemplateMiner.add_log_message does (mask, then drain), with a look at the tree between.
        masked = miner.masker.mask(text)
        tokens = drain.get_content_as_tokens(masked)
        leaf = _leaf(drain, tokens)
        if (
            leaf is not None
            and len(leaf.cluster_ids) >= _MAX_LEAF_CLUSTERS
            and drain.fast_match(leaf.cluster_ids, tokens, drain.sim_th, False) is None
        ):
            # Free text, not templated logs: drain would add yet another cluster to this leaf, and
            # each line costs a comparison with every cluster there. Pool such lines per leaf.
            key = ("leaf", id(leaf))
            acc = groups.get(key)
            if acc is None:
                acc = groups[key] = _Acc(when, seq, text, tokens)
            elif acc.tokens is not None:
                _widen(acc.tokens, tokens, drain.param_str)
        else:
            cluster, _ = drain.add_log_message(masked)
            key = ("cluster", cluster.cluster_id)
            acc = groups.get(key)
            if acc is None:
                acc = groups[key] = _Acc(when, seq, text)
        level = normalize_level(getattr(record, "level", None))
        acc.add(when, seq, level, getattr(record, "line", None), text)

    # Templates generalise as lines arrive: read each cluster's final template at the end, and
    # fold together groups that ended with the same one.
    by_template: dict[str, _Acc] = {}
    for (_, ident), acc in groups.items():
        final = acc.tokens if acc.tokens is not None else drain.id_to_cluster[ident].log_template_tokens
        template = " ".join(final)
        if template in by_template:
            by_template[template].merge(acc)
        else:
            by_template[template] = acc
    patterns = [
        LogPattern(
            template=template,
            count=acc.count,
            first_seen=acc.first,
            last_seen=acc.last,
            example=acc.worst_example,
            level=acc.level,
            at_level=acc.worst,
            lines=[line for _, _, line in acc.lines],
        )
        for template, acc in by_template.items()
    ]
    patterns.sort(key=_order_key)
    return PatternSummary(
        patterns=patterns[: max(limit, 0)], total_records=len(rows), total_patterns=len(patterns)
    )


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _code(text: str) -> str:
    """Markdown inline code that survives backticks in the text."""
    if not text.strip():
        return "(empty)"
    if "`" not in text:
        return f"`{text}`"
    return f"`` {text} ``"


def render_patterns(
    summary: PatternSummary, *, max_template: int = 160, utc_offset: int | None = None
) -> str:
    """The summary as a Markdown bullet list, one pattern a line ("" when there were no records).

    Each bullet: level, ×count (at that level, "of" all when fewer: `ERROR ×30 of 757`), first →
    last seen (in the logs' clock when `utc_offset` is known, else UTC, labelled), the template and
    (when it differs) an example, both cut to `max_template` characters with "…".
    """
    if summary.total_records == 0:
        return ""
    out = []
    for p in summary.patterns:
        level = p.level or "no level"
        # "ERROR ×30 of 757": a pattern whose lines are mostly fine is not 757 errors
        line = (
            f"- **{level}** {p.tally()}, {span(p.first_seen, p.last_seen, utc_offset)}: "
            f"{_code(_cut(p.template, max_template))}"
        )
        if p.example != p.template:  # a template without masks is its own example
            line += f" e.g. {_code(_cut(p.example, max_template))}"
        out.append(line)
    hidden = summary.total_patterns - len(summary.patterns)
    if hidden > 0:
        out.append(f"- … {hidden} more pattern{'s' if hidden != 1 else ''} not shown")
    return "\n".join(out)

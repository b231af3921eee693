"""Replay reports as HTML and `sre-agent replay-diff`: verdicts, summary deltas, hooks, bad input."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sre_agent.cli import app
from sre_agent.replay.diff import diff_files
from sre_agent.replay.report_html import render_diff, render_report
from sre_agent.replay.runner import IncidentReport, ReplayReport, TurnReport, summarize

runner = CliRunner()
SEARCH = {"tool": "search_logstore", "args": {"query": "errors"}, "ok": True, "lines": 3, "seconds": 0.2}
STORED = {"tool": "retrieve_stored_logs", "args": {"query": "more"}, "ok": True, "lines": 1, "seconds": 0.1}


def _turn(ask: str, recall: float, mrr: float, seconds: float, **extra) -> TurnReport:
    return TurnReport(ask=ask, recall_at_10=recall, mrr=mrr, seconds=seconds, tool_calls=[SEARCH], **extra)


def _report(incidents: list[IncidentReport]) -> ReplayReport:
    return ReplayReport(incidents=incidents, summary=summarize(incidents))


def _write(path: Path, report: ReplayReport) -> Path:
    path.write_text(json.dumps(report.model_dump(mode="json"), indent=2), encoding="utf-8")
    return path


@pytest.fixture
def reports(tmp_path: Path) -> tuple[Path, Path]:
    """A and B: turn 1 better (and its tools changed), 2 worse, 3 same (only slower), 4 mixed,
    5 only in A (removed), and incident `inc-two` only in B (added)."""
    a = _report(
        [
            IncidentReport(
                id="inc-one",
                title="first",
                turns=[
                    _turn("why do writes fail?", 0.5, 0.5, 1.0, mentions_hit=0.5),
                    _turn("which hosts?", 1.0, 1.0, 1.0),
                    _turn("since when?", 0.5, 1.0, 1.0),
                    _turn("what changed?", 0.5, 1.0, 1.0),
                    _turn("anything else?", 0.0, 0.0, 1.0),
                ],
            )
        ]
    )
    b = _report(
        [
            IncidentReport(
                id="inc-one",
                title="first",
                turns=[
                    _turn("why do writes fail?", 1.0, 1.0, 2.0, mentions_hit=1.0).model_copy(
                        update={"tool_calls": [SEARCH, STORED]}
                    ),
                    _turn("which hosts?", 0.5, 0.5, 1.0),
                    _turn("since when?", 0.5, 1.0, 3.0),
                    _turn("what changed?", 1.0, 0.5, 1.0),
                ],
            ),
            IncidentReport(id="inc-two", title="second", turns=[_turn("is it <b>bad</b>?", 1.0, 1.0, 1.0)]),
        ]
    )
    return _write(tmp_path / "a.json", a), _write(tmp_path / "b.json", b)


EXPECTED = {
    ("inc-one", 1): "better",
    ("inc-one", 2): "worse",
    ("inc-one", 3): "same",
    ("inc-one", 4): "mixed",
    ("inc-one", 5): "removed",
    ("inc-two", 1): "added",
}


def test_diff_model_gives_verdicts_and_mean_deltas(reports: tuple[Path, Path]) -> None:
    diff = diff_files(*reports)
    assert {(t.incident, t.turn): t.verdict for t in diff.turns} == EXPECTED
    deltas = {m: c.delta for m, c in diff.summary.changes.items()}
    # A means: recall 0.5, MRR 0.7, mentions 0.5, 1.0 s; B: 0.8, 0.8, 1.0, 1.6 s.
    assert deltas == {"recall_at_10": 0.3, "mrr": 0.1, "mentions_hit": 0.5, "seconds": 0.6}
    assert diff.summary.counts == dict.fromkeys(["better", "worse", "mixed", "same", "added", "removed"], 1)
    assert (diff.summary.turns_a, diff.summary.turns_b, diff.summary.tools_changed) == (5, 5, 1)
    first = diff.turns[0]
    assert first.tools_changed and first.tools_b == ["search_logstore", "retrieve_stored_logs"]
    same = diff.turns[2]
    assert same.changes["seconds"].delta == 2.0 and same.changes["seconds"].better is False


def test_replay_diff_cli_prints_verdicts_and_summary(reports: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["replay-diff", str(reports[0]), str(reports[1])], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    rows = {
        "1. why do writes fail?": ("better", "+0.50", "+0.50", "+0.50", "+1.00"),
        "2. which hosts?": ("worse", "-0.50", "-0.50", "-", "+0.00"),
        "3. since when?": ("same", "+0.00", "+0.00", "-", "+2.00"),
        "4. what changed?": ("mixed", "+0.50", "-0.50", "-", "+0.00"),
        "5. anything else?": ("removed", "-", "-", "-", "-"),
        "1. is it <b>bad</b>?": ("added", "-", "-", "-", "-"),
    }
    for label, cells in rows.items():
        line = next((ln for ln in out.splitlines() if label in ln), None)
        assert line is not None, f"{label!r} missing from\n{out}"
        assert [c.strip() for c in line.split("│")[2:-1]] == list(cells), line
    assert "recall@10: 0.50 → 0.80 (+0.30)" in out
    assert "MRR: 0.70 → 0.80 (+0.10)" in out
    assert "mentions: 0.50 → 1.00 (+0.50)" in out
    assert "seconds: 1.00 → 1.60 (+0.60)" in out
    assert "better 1 · worse 1 · mixed 1 · same 1 · added 1 · removed 1 · tool calls changed 1" in out
    assert "inc-one #1 tools: search_logstore → search_logstore, retrieve_stored_logs" in out


def test_replay_diff_table_keeps_figures_in_a_narrow_terminal(reports: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["replay-diff", str(reports[0]), str(reports[1])], env={"COLUMNS": "72"})
    assert result.exit_code == 0, result.output
    line = next(ln for ln in result.stdout.splitlines() if "better" in ln and "│" in ln)
    assert len(line) <= 72 and "+1.00" in line


class _Hooks(HTMLParser):
    """Collects the elements that carry data-* hooks, and links."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self._cell: dict[str, str] | None = None
        self.cells: list[tuple[dict[str, str], str]] = []
        self._row: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.elements.append((tag, a))
        if tag == "tr":
            self._row = a
        if tag == "td" and "delta" in a.get("class", "").split():
            self._cell = {**a, "row": json.dumps(self._row)}

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self.cells.append((self._cell, data.strip()))
            self._cell = None


def _parse(html: str) -> _Hooks:
    parser = _Hooks()
    parser.feed(html)
    return parser


def test_replay_diff_html_marks_verdicts_and_colours_deltas(
    reports: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "pages" / "diff.html"
    result = runner.invoke(app, ["replay-diff", str(reports[0]), str(reports[1]), "--html", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    hooks = _parse(html)
    rows = [a for tag, a in hooks.elements if tag == "tr" and "turn" in a.get("class", "").split()]
    assert {(a["data-incident"], int(a["data-turn"])): a["data-verdict"] for a in rows} == EXPECTED
    assert "is it &lt;b&gt;bad&lt;/b&gt;?" in html and "<b>bad</b>" not in html

    def cells(incident: str, turn: int) -> list[tuple[str, str]]:
        return [
            (text, next((c for c in ("ok", "bad") if c in a["class"].split()), ""))
            for a, text in hooks.cells
            if json.loads(a["row"]).get("data-incident") == incident
            and json.loads(a["row"]).get("data-turn") == str(turn)
        ]

    assert cells("inc-one", 1) == [("+0.50", "ok"), ("+0.50", "ok"), ("+0.50", "ok"), ("+1.00 s", "bad")]
    assert cells("inc-one", 2) == [("-0.50", "bad"), ("-0.50", "bad"), ("–", ""), ("+0.00 s", "")]
    assert cells("inc-one", 4) == [("+0.50", "ok"), ("-0.50", "bad"), ("–", ""), ("+0.00 s", "")]
    means = [(text, a["class"]) for a, text in hooks.cells if "mean" in json.loads(a["row"]).get("class", "")]
    assert [t for t, _ in means] == ["+0.30", "+0.10", "+0.50", "+0.60 s"]
    assert all("ok" in c.split() for _, c in means[:3]) and "bad" in means[3][1].split()
    counts = dict(re.findall(r'data-count="([a-z-]+)"><span[^>]*>[^<]*</span><b>(\d+)</b>', html))
    assert counts == {**dict.fromkeys(EXPECTED.values(), "1"), "tools-changed": "1"}
    assert not re.search(r"(src|href)=\"(https?:)?//", html)


def test_render_diff_escapes_report_names(reports: tuple[Path, Path]) -> None:
    html = render_diff(diff_files(*reports), "<a>.json", "b.json")
    assert "&lt;a&gt;.json" in html and "<a>.json" not in html


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{\n  "incidents": [\n    oops\n  ]\n}\n', "line 3, column 5: not valid JSON"),
        ('{"summary": {}}', "incidents: Field required"),
        (
            '{"incidents": [{"id": "x", "title": "t", "turns": [{"ask": "q", "mrr": "high"}]}]}',
            "incidents[0].turns[0].mrr",
        ),
        ("[1, 2]", "not a replay report"),
        ('{"incidents": [], "summary": {"recall_at_10": "all"}}', "summary.recall_at_10: expected a number"),
    ],
)
def test_replay_diff_names_what_is_wrong(
    reports: tuple[Path, Path], tmp_path: Path, content: str, expected: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["replay-diff", str(reports[0]), str(bad)])
    assert result.exit_code == 2, result.output
    assert f"{bad}: " in result.stderr and expected in result.stderr, result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def test_replay_diff_of_a_missing_file(reports: tuple[Path, Path], tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = runner.invoke(app, ["replay-diff", str(missing), str(reports[1])])
    assert result.exit_code == 2
    assert f"{missing}: no such file" in result.stderr


def test_question_changed_lists_the_turn_as_removed_and_added(tmp_path: Path) -> None:
    a = _write(
        tmp_path / "a.json", _report([IncidentReport(id="i", title="t", turns=[_turn("old?", 1, 1, 1)])])
    )
    b = _write(
        tmp_path / "b.json", _report([IncidentReport(id="i", title="t", turns=[_turn("new?", 1, 1, 1)])])
    )
    diff = diff_files(a, b)
    assert [(t.turn, t.ask, t.verdict) for t in diff.turns] == [(1, "old?", "removed"), (1, "new?", "added")]
    assert "question changed" in diff.turns[0].note


def test_render_report_has_hooks_escapes_answers_and_links_runs() -> None:
    report = _report(
        [
            IncidentReport(
                id="hdfs-loss",
                title="Writes fail <now>",
                turns=[
                    _turn(
                        "why <b>failing</b>?",
                        0.5,
                        1.0,
                        1.5,
                        run_id="run-1",
                        answer="Datanode died.\n<script>alert(1)</script>",
                        relaxed=["host"],
                        retrieved_lines=[12, 57],
                    ),
                    _turn("which hosts?", 1.0, 1.0, 0.4, run_id="run-2").model_copy(
                        update={
                            "tool_calls": [
                                {
                                    "tool": "search_logstore",
                                    "args": {"q": "</td>x"},
                                    "ok": False,
                                    "error": "boom",
                                }
                            ]
                        }
                    ),
                ],
            ),
            IncidentReport(id="other", title="t", turns=[_turn("anything?", 0.0, 0.0, 0.1)]),
        ]
    )
    html = render_report(report, run_links={"run-1": "report_runs/run-1.html"})
    hooks = _parse(html)
    turns = [(a["data-incident"], a["data-turn"]) for tag, a in hooks.elements if tag == "article"]
    assert turns == [("hdfs-loss", "1"), ("hdfs-loss", "2"), ("other", "1")]
    sections = [a["data-incident"] for tag, a in hooks.elements if tag == "section"]
    assert sections == ["hdfs-loss", "other"]
    links = [a["href"] for tag, a in hooks.elements if tag == "a" and "run-link" in a.get("class", "")]
    assert links == ["report_runs/run-1.html"]
    assert '<span class="run-id mono">run-2</span>' in html  # no picture: the id, without a link
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "why &lt;b&gt;failing&lt;/b&gt;?" in html and "Writes fail &lt;now&gt;" in html
    assert "{&#34;q&#34;:&#34;&lt;/td&gt;x&#34;}" in html  # compact JSON arguments, escaped
    assert "boom" in html and "Relaxed filters: host" in html and "12, 57" in html
    assert re.search(
        r"<details[^>]*>\s*<summary>answer \(\d+ characters\)</summary>\s*<pre>Datanode died.", html
    )
    assert "recall@10" in html and "0.50" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)

"""Inputs are what they claim: gzip and rotated logs are read, binary files refused in one line
naming the file, and a folder says which files it skipped and why. Real files in a temp folder."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sre_agent.cli import app
from sre_agent.connectors import FileLogstore
from sre_agent.connectors.inputs import check_text, log_files
from sre_agent.errors import InputError
from sre_agent.models import LogQuery

runner = CliRunner()

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00" + bytes(200)


def _jsonl(minute: int, message: str) -> str:
    return json.dumps({"timestamp": f"2024-05-01T12:{minute:02d}:00Z", "message": message, "level": "ERROR"})


def _text(minute: int, message: str) -> str:
    return f"2024-05-01 12:{minute:02d}:00 ERROR {message}"


def test_a_gzip_log_reads_as_its_uncompressed_self(tmp_path: Path) -> None:
    lines = "\n".join([_jsonl(0, "first"), "{broken", _jsonl(1, "second")]) + "\n"
    (tmp_path / "app.jsonl").write_text(lines, encoding="utf-8")
    with gzip.open(tmp_path / "old.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(lines)
    plain = FileLogstore(tmp_path / "app.jsonl").fetch(LogQuery())
    packed = FileLogstore(tmp_path / "old.jsonl.gz").fetch(LogQuery())
    assert [(r.message, r.line) for r in packed.records] == [("first", 1), ("second", 3)]
    assert [r.message for r in packed.records] == [r.message for r in plain.records]
    assert {r.source for r in packed.records} == {str(tmp_path / "old.jsonl.gz")}
    assert packed.problems == [
        f"{tmp_path / 'old.jsonl.gz'}:2: invalid JSON (Expecting property name enclosed in double quotes "
        "at column 2)"
    ]


def test_a_gzip_text_log_keeps_its_stack_traces(tmp_path: Path) -> None:
    path = tmp_path / "app.log.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(_text(0, "boom") + "\n\tat Foo.bar(Foo.java:1)\n" + _text(1, "again") + "\n")
    records = FileLogstore(path).fetch(LogQuery()).records
    assert [r.message for r in records] == ["ERROR boom\n\tat Foo.bar(Foo.java:1)", "ERROR again"]


def test_a_folder_reads_rotated_logs_and_says_what_it_skipped_and_why(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text(_text(2, "now") + "\n", encoding="utf-8")
    (tmp_path / "app.log.1").write_text(_text(1, "an hour ago") + "\n", encoding="utf-8")
    with gzip.open(tmp_path / "app.log.2.gz", "wt", encoding="utf-8") as fh:
        fh.write(_text(0, "yesterday") + "\n")
    (tmp_path / "screenshot.png").write_bytes(PNG)
    (tmp_path / "crash.log").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(64))  # a core dump named .log
    (tmp_path / "notes.md").write_text("# notes\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "web.jsonl.1").write_text(_jsonl(3, "from a rotated jsonl") + "\n", encoding="utf-8")
    result = FileLogstore(tmp_path).fetch(LogQuery())
    assert [r.message for r in result.records] == [
        "ERROR yesterday",
        "ERROR an hour ago",
        "ERROR now",
        "from a rotated jsonl",
    ]
    assert result.report.skipped_files == {
        "crash.log": "binary, not a log",
        "notes.md": "not named .jsonl, .log or .txt",
        "screenshot.png": "not named .jsonl, .log or .txt",
    }
    assert result.report.sentences()[0] == (
        "skipped in the folder 3 files: crash.log (binary, not a log); "
        "notes.md, screenshot.png (not named .jsonl, .log or .txt)"
    )


def test_a_folder_with_no_log_says_what_it_holds(tmp_path: Path) -> None:
    (tmp_path / "screenshot.png").write_bytes(PNG)
    with pytest.raises(InputError) as caught:
        FileLogstore(tmp_path).fetch(LogQuery())
    assert str(caught.value) == (
        f"{tmp_path}: no log files in this folder (read: .jsonl, .log, .txt, rotated (.log.1, "
        ".log-20240501) and their .gz); skipped 1 file: screenshot.png (not named .jsonl, .log or .txt)"
    )


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("shot.png", PNG, "(a NUL byte at offset 8)"),
        ("core.dump", b"\x7fELF" + bytes(100), "(a NUL byte at offset 4)"),
        ("app.log", b"2024-05-01 12:00:00 ok\n" + b"\x00" * 10, "(a NUL byte at offset 23)"),
        ("blob.log", bytes(range(128, 256)) * 20, "(2560 of its first 2560 characters are not UTF-8 text)"),
    ],
    ids=["png", "core-dump", "nul-bytes", "not-utf8"],
)
def test_a_binary_file_is_refused_in_one_line_naming_it(
    tmp_path: Path, name: str, content: bytes, why: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        FileLogstore(path).fetch(LogQuery())
    assert str(caught.value) == (
        f"{path}: binary, not a log {why}; give a JSONL or plain text log (.gz is read too)"
    )


def test_a_latin1_log_with_a_few_accents_is_still_text(tmp_path: Path) -> None:
    path = tmp_path / "legacy.log"
    path.write_bytes("2024-05-01 12:00:00 ERROR caf\xe9 ferm\xe9 \xe0 midi\n".encode("latin-1"))
    assert [r.message for r in FileLogstore(path).fetch(LogQuery()).records] == [
        "ERROR caf\ufffd ferm\ufffd \ufffd midi"
    ]


def test_a_file_named_gz_that_is_not_gzip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.log.gz"
    path.write_text(_text(0, "plain text") + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"app\.log\.gz: not a readable gzip file \(Not a gzipped file"):
        FileLogstore(path).fetch(LogQuery())


def test_a_gzip_file_cut_short_gives_what_it_holds_and_says_where_it_ends(tmp_path: Path) -> None:
    """A rotated log still being compressed, or copied half: read up to the cut, and say so."""
    path = tmp_path / "app.log.2.gz"
    whole = gzip.compress("".join(_text(i % 60, f"line {i}") + "\n" for i in range(5000)).encode())
    path.write_bytes(whole[: len(whole) // 2])  # the first 8 KB are fine: it fails while reading
    result = FileLogstore(path).fetch(LogQuery(limit=10_000))
    read = len(result.records)
    assert 0 < read < 5000 and {r.message for r in result.records} == {f"ERROR line {i}" for i in range(read)}
    assert result.skipped == 1
    assert result.problems == [
        f"{path}:{read + 1}: {path}: a gzip file cut short (Compressed file ended before the end-of-stream "
        f"marker was reached); give what it holds: gzip -dc {path} > {tmp_path / 'app.log.2'}; the "
        f"{read:,} lines before it were read"
    ]
    assert result.report.ends_early == [
        f"{path} is a gzip file cut short: only its first {read:,} lines were read"
    ]


def test_a_cut_gzip_file_is_a_partial_read_in_the_answers_first_lines(tmp_path: Path, cli_env: Path) -> None:
    path = tmp_path / "app.log.2.gz"
    whole = gzip.compress("".join(_text(i % 60, f"line {i}") + "\n" for i in range(5000)).encode())
    path.write_bytes(whole[: len(whole) // 2])
    out = runner.invoke(app, ["ask", "what failed?", "--logs", str(path)])
    assert out.exit_code == 0, out.output
    # the summary's first paragraph, white space taken out: the terminal wraps long paths anywhere
    summary = "".join(out.stdout.split("What the fetch found")[0].split())
    said = f"Thisisfromapartialread:{path}isagzipfilecutshort:onlyitsfirst"
    assert re.search(re.escape(said) + r"[\d,]+lineswereread\.", summary), summary


@pytest.mark.skipif(importlib.util.find_spec("zstandard") is not None, reason="zstandard is installed")
def test_zstd_without_its_library_is_one_line_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "app.log.zst"
    path.write_bytes(b"\x28\xb5\x2f\xfd" + bytes(20))
    with pytest.raises(InputError) as caught:
        FileLogstore(path).fetch(LogQuery())
    assert str(caught.value) == (
        f"{path}: zstd-compressed: needs the zstandard package, not installed; "
        f"decompress it first: zstd -d {path}"
    )
    (tmp_path / "app.log").write_text(_text(0, "plain") + "\n", encoding="utf-8")
    assert log_files(tmp_path) == (
        [tmp_path / "app.log"],
        {"app.log.zst": "zstd-compressed: needs the zstandard package, not installed"},
    )


@pytest.mark.parametrize(
    ("name", "first_line", "kind"),
    [
        ("x.jsonl.gz", "not json", "jsonl"),  # the inner suffix decides: its bad lines get reported
        ("app.log", '{"timestamp": "2024-05-01T12:00:00Z", "message": "m"}', "jsonl"),
        ("app.log.1", "2024-05-01 12:00:00 INFO m", "text"),
        ("app.txt", "", "text"),
    ],
)
def test_jsonl_or_text_by_inner_suffix_then_by_the_first_line(
    tmp_path: Path, name: str, first_line: str, kind: str
) -> None:
    path = tmp_path / name
    data = ("\n" + first_line + "\n").encode("utf-8")
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    assert check_text(path) == kind


def test_a_structured_app_log_is_read_field_by_field(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    row = {"timestamp": "2024-05-01T12:00:00Z", "message": "boom", "level": "error", "user_id": 7}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    (record,) = FileLogstore(path).fetch(LogQuery()).records
    assert (record.message, record.level, record.user_id) == ("boom", "ERROR", "7")

"""Answers cut into Slack messages: every message under Slack's 4,000 characters, code fences balanced
in each message, a block cut in two reopened with its language, nothing lost or reordered, and the
same messages whether the answer arrives whole or streams in."""

from __future__ import annotations

import random

import pytest

from sre_agent.bot.formatting import CHUNK_LIMIT, MarkdownChunker, Piece, run_footer, split_markdown

SLACK_LIMIT = 4_000
FENCES = ("```", "~~~")


# ---------------------------------------------------------------------- texts


def _log_lines(rng: random.Random, count: int) -> list[str]:
    """Realistic service log lines (each about 100 characters)."""
    levels = ["INFO", "WARN", "ERROR", "DEBUG"]
    messages = [
        "GetMembership user_id=123 failed: rpc error: code = DeadlineExceeded desc = context deadline",
        "retrying call to membership-svc:8443 attempt={n} backoff_ms={ms}",
        "pool exhausted: 64/64 connections busy, waited {ms}ms for a connection to db-primary",
        "GET /api/v2/members/123 status=504 duration_ms={ms} upstream=membership-svc",
        "circuit breaker membership-svc state=OPEN failures={n} window=30s",
        "healthcheck ok latency_ms={ms} region=eu-west-1 pod=membership-7f9c{n}",
    ]
    lines = []
    for i in range(count):
        message = rng.choice(messages).format(n=rng.randint(1, 9), ms=rng.randint(5, 30_000))
        stamp = f"2026-11-25T01:{(i // 60) % 60:02d}:{i % 60:02d}.{rng.randint(0, 999):03d}Z"
        lines.append(f"{stamp} {rng.choice(levels):5} [membership-svc] {message}")
    return lines


def _long_answer() -> str:
    """A 12,000-character answer: paragraphs, a numbered list and two ```log blocks, the second
    about 5,000 characters (it cannot fit in one message with the text before it)."""
    rng = random.Random(7)
    first_block = _log_lines(rng, 14)
    second_block = _log_lines(rng, 41)
    paragraph = (
        "The membership service started timing out at 01:02 UTC after the connection pool to the "
        "primary database filled up; callers retried, which made the queue longer still. "
    )
    parts = [
        "## What happened",
        "",
        paragraph * 3,
        "",
        "Steps I took:",
        "",
        "1. Searched the membership-svc logs in prod for the last hour.",
        "2. Grouped the errors by pattern and counted them per minute.",
        "3. Compared the first errors with the deploy and config-change timeline.",
        "4. Checked the database pool metrics around the first timeout.",
        "",
        "The first errors:",
        "",
        "```log",
        *first_block,
        "```",
        "",
        paragraph * 4,
        "",
        "All errors of the incident window, in order:",
        "",
        "```log",
        *second_block,
        "```",
        "",
        "## What to do",
        "",
    ]
    text = "\n".join(parts)
    closing = []
    while len(text) + sum(len(p) + 2 for p in closing) < 12_000:
        closing.append(paragraph * 2)
    return text + "\n" + "\n\n".join(closing)


def _random_markdown(rng: random.Random, size: int, max_line: int = 80) -> str:
    """Random Markdown of about `size` characters: prose, lists and fenced blocks (``` and ~~~,
    with and without a language). Blocks are always separated by at least one prose line."""
    words = "pod node timeout retry error latency disk quota leader shard replica ingress".split()
    lines: list[str] = []
    length = 0
    while length < size:
        kind = rng.random()
        if kind < 0.4:
            new = [" ".join(rng.choice(words) for _ in range(rng.randint(1, max_line // 8)))]
        elif kind < 0.55:
            new = [f"{n + 1}. {rng.choice(words)} {rng.choice(words)}" for n in range(rng.randint(2, 6))]
        elif kind < 0.65:
            new = [""]
        else:
            fence = rng.choice(FENCES)
            info = rng.choice(["log", "json", "python", ""])
            body = [
                " ".join(rng.choice(words) for _ in range(rng.randint(0, max_line // 8)))
                for _ in range(rng.randint(1, 40))
            ]
            new = [fence + info, *body, fence, "after the block"]
        lines.extend(new)
        length += sum(len(line) + 1 for line in new)
    return "\n".join(lines)


# ---------------------------------------------------------------------- checks


def _is_fence(line: str) -> bool:
    return line.strip().startswith(FENCES)


def _rejoin(chunks: list[str]) -> list[str]:
    """The answer's lines as the chunks carry them, minus the fences the splitter added at a cut.

    Valid for texts whose fenced blocks are separated by other lines: then a chunk that ends with a
    fence line followed by a chunk that starts with one is exactly a block closed and reopened."""
    lines: list[str] = []
    for i, chunk in enumerate(chunks):
        these = chunk.split("\n")
        if i > 0 and _is_fence(lines[-1]) and _is_fence(these[0]):
            lines.pop()
            these = these[1:]
        lines.extend(these)
    return lines


def _same_lines(got: list[str], want: list[str]) -> None:
    """`got` is `want`, except that blank lines may be missing (a blank line that would open a
    message is dropped: Slack would not show it)."""
    at = 0
    for line in want:
        if at < len(got) and got[at] == line:
            at += 1
        else:
            assert line == "", f"line {line!r} lost or moved (got {got[at : at + 1]!r} there)"
    assert at == len(got), f"lines added: {got[at : at + 3]!r}"


def _check_chunks(text: str, chunks: list[str], limit: int = CHUNK_LIMIT) -> None:
    assert chunks, "no chunk"
    for chunk in chunks:
        assert len(chunk) <= limit, f"chunk of {len(chunk)} characters"
        assert len(chunk) < SLACK_LIMIT
        fences = [line for line in chunk.split("\n") if _is_fence(line)]
        assert len(fences) % 2 == 0, f"unbalanced fences {fences} in chunk starting {chunk[:60]!r}"
    # Nothing lost or reordered: the non-blank, non-fence lines are exactly the original's, and
    # with the added close/reopen pairs removed, so is every line (but a message's opening blank).
    original = text.split("\n")
    rejoined = _rejoin(chunks)
    assert [ln for ln in rejoined if ln and not _is_fence(ln)] == [
        ln for ln in original if ln and not _is_fence(ln)
    ]
    _same_lines(rejoined, original)


def _cuts_inside_blocks(chunks: list[str]) -> list[tuple[str, str]]:
    """(closing line of chunk i, opening line of chunk i + 1) wherever a block was cut in two."""
    return [
        (a.split("\n")[-1], b.split("\n")[0])
        for a, b in zip(chunks, chunks[1:], strict=False)
        if _is_fence(a.split("\n")[-1]) and _is_fence(b.split("\n")[0])
    ]


def _stream(text: str, rng: random.Random, limit: int = CHUNK_LIMIT) -> list[str]:
    """The chunks a stream builds from `text` arriving in random-sized deltas."""
    chunker = MarkdownChunker(limit)
    pieces: list[Piece] = []
    at = 0
    while at < len(text):
        step = rng.randint(1, 300)
        pieces += chunker.add(text[at : at + step])
        at += step
    pieces += chunker.finish()
    assert [p.index for p in pieces] == sorted(p.index for p in pieces), "pieces out of order"
    joined: dict[int, str] = {}
    for piece in pieces:
        joined[piece.index] = joined.get(piece.index, "") + piece.text
    return [joined[i] for i in sorted(joined)]


# ---------------------------------------------------------------------- tests


def test_long_answer_is_cut_into_balanced_messages_without_losing_text() -> None:
    text = _long_answer()
    assert 11_900 <= len(text) <= 12_300
    chunks = split_markdown(text)
    assert len(chunks) >= 4  # 12,000 characters need at least four 3,900-character messages
    _check_chunks(text, chunks)
    # The 5,000-character log block was cut inside: closed, then reopened as ```log.
    cuts = _cuts_inside_blocks(chunks)
    assert cuts, "the long log block was not cut inside"
    assert all(cut == ("```", "```log") for cut in cuts)
    second_block_line = text.split("```log")[2].split("\n")[25]
    assert sum(second_block_line in chunk for chunk in chunks) == 1


def test_short_text_is_one_message_unchanged() -> None:
    text = "Disk full on **db-1**: `/var/lib/postgres` at 100%.\n\n```log\nERROR could not write block\n```"
    assert split_markdown(text) == [text]
    assert split_markdown("ok") == ["ok"]


def test_line_longer_than_a_message_is_cut_keeping_every_character() -> None:
    line = "".join(random.Random(3).choice("abcdef0123456789") for _ in range(10_000))
    chunks = split_markdown(line)
    assert len(chunks) >= 3
    assert all(len(chunk) <= CHUNK_LIMIT for chunk in chunks)
    assert "".join(chunks) == line


def test_long_line_with_spaces_is_cut_keeping_every_character() -> None:
    words = random.Random(4).choices(
        ["trace", "at", "com.example.Membership.get(Membership.java:42)"], k=2_000
    )
    line = " ".join(words)
    assert len(line) > 10_000
    chunks = split_markdown(line)
    assert len(chunks) >= 3
    assert all(len(chunk) <= CHUNK_LIMIT for chunk in chunks)
    # The cut may wrap the line; it never drops or moves a character.
    assert "".join(chunk.replace("\n", "") for chunk in chunks) == line


def test_long_line_inside_a_code_block_keeps_fences_balanced() -> None:
    text = "A stack trace:\n\n```log\n" + "E" * 10_000 + "\n```\nThat was all."
    chunks = split_markdown(text)
    assert len(chunks) >= 3
    for chunk in chunks:
        assert len(chunk) <= CHUNK_LIMIT
        assert sum(_is_fence(line) for line in chunk.split("\n")) % 2 == 0
    assert all(cut == ("```", "```log") for cut in _cuts_inside_blocks(chunks))
    body = "".join(ln for c in chunks for ln in c.split("\n") if set(ln) == {"E"})
    assert body == "E" * 10_000


def test_tilde_fences_are_balanced_and_reopened_with_their_language() -> None:
    rng = random.Random(11)
    text = "Config diff:\n\n~~~json\n" + "\n".join(_log_lines(rng, 90)) + "\n~~~\n\nDone."
    chunks = split_markdown(text)
    assert len(chunks) >= 3
    _check_chunks(text, chunks)
    cuts = _cuts_inside_blocks(chunks)
    assert cuts and all(cut == ("~~~", "~~~json") for cut in cuts)


@pytest.mark.parametrize("seed", range(6))
def test_random_markdown_keeps_every_property(seed: int) -> None:
    rng = random.Random(seed)
    for limit, size in ((200, 3_000), (500, 6_000), (CHUNK_LIMIT, 20_000)):
        text = _random_markdown(rng, size)
        chunks = split_markdown(text, limit=limit)
        _check_chunks(text, chunks, limit)
        assert _stream(text, rng, limit) == chunks


def test_streamed_answer_gives_the_same_messages_as_the_whole_answer() -> None:
    text = _long_answer()
    for seed in range(5):
        assert _stream(text, random.Random(seed)) == split_markdown(text)


def test_first_message_can_be_shown_before_the_answer_is_complete() -> None:
    text = _long_answer()
    chunker = MarkdownChunker()
    pieces = chunker.add(text[:1_000])
    assert pieces, "nothing to show after 1,000 characters"
    assert {p.index for p in pieces} == {0}
    # Exactly the complete lines received so far; the line still arriving waits.
    assert "".join(p.text for p in pieces) == text[: text.rfind("\n", 0, 1_000)]


def test_run_footer_shows_the_run_id_as_code_on_its_own_line() -> None:
    run_id = "20261125-010203-abcdef"
    footer = run_footer(run_id)
    assert f"`{run_id}`" in footer
    assert footer.startswith("\n")
    last = split_markdown(_long_answer() + footer)[-1]
    assert last.endswith(footer.strip())


# ---------------------------------------------------------------------- known bugs


def test_backtick_line_inside_tilde_block_does_not_end_it() -> None:
    # A ~~~ block quoting Markdown that itself holds a ``` block; CommonMark ends a fence only with
    # a line of the same character, at least as long as the opening.
    prose = [f"line {i} of the explanation " + "x" * 60 for i in range(40)]
    text = "\n".join(
        ["Example:", "~~~markdown", "```python", "print(1)", "```", *prose, "~~~", "after", *prose]
    )
    chunks = split_markdown(text, limit=1_000)
    for chunk in chunks:
        fences = [line for line in chunk.split("\n") if line.startswith("~~~")]
        assert len(fences) % 2 == 0, f"unbalanced ~~~ fences {fences} in chunk starting {chunk[:40]!r}"

"""Answers as Slack messages: Markdown cut into messages under Slack's 4,000-character limit
without breaking code fences, the same cut whether the text arrives whole or streams in.

Slack renders standard Markdown itself when it comes as `markdown_text` (chat.postMessage and the
chat stream methods), so the text is not converted, only cut. A chunk that ends inside a code
fence closes it, and the next chunk opens it again with the same language.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Characters per message: Slack truncates a message's text at 4,000; keep a margin.
CHUNK_LIMIT = 3_900


@dataclass(frozen=True)
class Piece:
    """Text to add to chunk `index` (the n-th message of the answer)."""

    index: int
    text: str


def _fence_marker(line: str) -> str | None:
    """The run of backticks or tildes (three or more) a fence line starts with, else None."""
    stripped = line.strip()
    for char in "`~":
        if stripped.startswith(char * 3):
            return char * (len(stripped) - len(stripped.lstrip(char)))
    return None


def _closes(line: str, opening: str) -> bool:
    """Whether `line` ends the code block `opening` began: the same character, at least as many,
    and nothing else on the line (CommonMark)."""
    marker, opened = _fence_marker(line), _fence_marker(opening)
    return bool(marker and opened and marker[0] == opened[0] and len(marker) >= len(opened)) and (
        line.strip() == marker
    )


class MarkdownChunker:
    """Cuts Markdown into chunks of at most `limit` characters, line by line as text arrives.

    `add` and `finish` return the `Piece`s that became final: whole lines, each in the chunk it
    belongs to, so a stream can show the first chunk as it grows. Lines longer than a chunk are cut.
    """

    def __init__(self, limit: int = CHUNK_LIMIT) -> None:
        if limit < 40:
            raise ValueError("limit must be at least 40 characters")
        self.limit = limit
        self.index = 0
        self.fed = ""  # everything given to `add`, for callers that compare
        self._partial = ""  # the line still arriving
        self._length = 0  # characters in the current chunk
        self._opening: str | None = None  # the fence line opening the code block we are in

    def add(self, text: str) -> list[Piece]:
        self.fed += text
        self._partial += text
        *lines, self._partial = self._partial.split("\n")
        out: list[Piece] = []
        for line in lines:
            out.extend(self._line(line))
        return out

    def finish(self) -> list[Piece]:
        """The rest (a last line without newline)."""
        out = self._line(self._partial) if self._partial else []
        self._partial = ""
        return out

    # ------------------------------------------------------------------ internals

    def _reserve(self, opening: str | None) -> int:
        """Room kept for the closing fence ("\n```") a cut inside a code block needs."""
        return len(str(_fence_marker(opening))) + 1 if opening else 0

    def _line(self, line: str) -> list[Piece]:
        out: list[Piece] = []
        # A cut line inside a code block shares its chunk with the reopening and the closing fence.
        room = self.limit - (len(self._opening) + 1 + self._reserve(self._opening) if self._opening else 0)
        while len(line) > room:  # longer than any chunk could hold: cut it
            cut = line.rfind(" ", room // 2, room)
            cut = cut if cut > 0 else room
            out.extend(self._place(line[:cut]))
            line = line[cut:]
        out.extend(self._place(line))
        return out

    def _place(self, line: str) -> list[Piece]:
        out: list[Piece] = []
        sep = 1 if self._length else 0
        closes = self._opening is not None and _closes(line, self._opening)
        opens = self._opening is None and _fence_marker(line) is not None
        reserve_after = 0 if closes else self._reserve(self._opening or (line.strip() if opens else None))
        if self._length and self._length + sep + len(line) + reserve_after > self.limit:
            if self._opening:
                out.append(Piece(self.index, "\n" + str(_fence_marker(self._opening))))
            self.index += 1
            self._length = 0
            sep = 0
            if self._opening and not closes:
                out.append(Piece(self.index, self._opening))
                self._length = len(self._opening)
                sep = 1
            elif self._opening and closes:  # the block ended with the cut: nothing to reopen
                self._opening = None
                return out
        text = ("\n" if sep else "") + line
        out.append(Piece(self.index, text))
        self._length += len(text)
        if closes:
            self._opening = None
        elif opens:
            self._opening = line.strip()
        return out


def split_markdown(text: str, limit: int = CHUNK_LIMIT) -> list[str]:
    """Markdown cut into messages of at most `limit` characters, code fences kept balanced."""
    chunker = MarkdownChunker(limit)
    chunks: list[str] = []
    for piece in chunker.add(text) + chunker.finish():
        if piece.index == len(chunks):
            chunks.append("")
        chunks[piece.index] += piece.text
    return [chunk for chunk in chunks if chunk.strip()] or ([text] if text else [])


def run_footer(run_id: str) -> str:
    """The last line of every answer: the run id (the [runs] issue makes it a link)."""
    return f"\n\n_run `{run_id}`_"

"""Sentences of a paper, each knowing the lines it came from.

The sense of a term is read from its sentence, and a mention is reported at the line where
the term itself stands; sentences span lines (and PDF lines break anywhere), so each sentence
keeps a map from character offset to input line.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from kb.paper.extract import TextLine

# Words after which a full stop does not end a sentence.
ABBREVIATIONS = frozenset(
    {
        "e.g",
        "i.e",
        "al",
        "etc",
        "fig",
        "figs",
        "eq",
        "eqs",
        "sec",
        "secs",
        "cf",
        "vs",
        "approx",
        "resp",
        "no",
        "nos",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "vol",
        "pp",
        "ch",
        "app",
        "ref",
        "refs",
        "tab",
    }
)
_BOUNDARY = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)\.$")
_BLOCK_START = re.compile(r"^\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\|)")
_MARKUP_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|(?:>\s*)+)")


@dataclass(frozen=True)
class Sentence:
    """A sentence, where it starts, and the input line of each of its characters."""

    text: str
    line: int
    page: int | None = None
    line_starts: tuple[tuple[int, int, int | None], ...] = field(default=(), repr=False, compare=False)

    def location(self, offset: int) -> tuple[int, int | None]:
        """(line, page) of the character at `offset` in `text`."""
        if not self.line_starts:
            return self.line, self.page
        starts = [start for start, _, _ in self.line_starts]
        index = max(0, bisect.bisect_right(starts, offset) - 1)
        _, line, page = self.line_starts[index]
        return line, page


@dataclass
class _Block:
    parts: list[str] = field(default_factory=list)
    starts: list[tuple[int, int, int | None]] = field(default_factory=list)
    length: int = 0

    def add(self, text: str, line: int, page: int | None) -> None:
        if self.parts:
            previous = self.parts[-1]
            # A word hyphenated at a line end ("induction-" / "heads") stays one word.
            if not (previous.endswith("-") and previous[-2:-1].isalpha() and text[:1].islower()):
                self.parts.append(" ")
                self.length += 1
        self.starts.append((self.length, line, page))
        self.parts.append(text)
        self.length += len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _blocks(lines: Iterable[TextLine]) -> Iterator[_Block]:
    """Paragraphs: runs of non-blank lines; headings, list items and page breaks start anew."""
    block = _Block()
    page: int | None = None
    for item in lines:
        starts_block = bool(_BLOCK_START.match(item.text))
        text = re.sub(r"\s+", " ", _MARKUP_PREFIX.sub("", item.text).replace("|", " ")).strip()
        if not text or starts_block or item.page != page:
            if block.parts:
                yield block
            block = _Block()
            page = item.page
        if text:
            block.add(text, item.line, item.page)
    if block.parts:
        yield block


def _ends_sentence(text: str, period_at: int) -> bool:
    if text[period_at] != ".":
        return True
    word = _WORD_BEFORE.search(text[: period_at + 1])
    if word is None:
        return True
    before = word.group(1).lower().rstrip(".")
    if before in ABBREVIATIONS:
        return False
    return not (len(word.group(1)) == 1 and word.group(1).isupper())


def split_sentences(lines: Iterable[TextLine]) -> list[Sentence]:
    """Sentences of the given prose lines, in order."""
    sentences: list[Sentence] = []
    for block in _blocks(lines):
        text = block.text
        start = 0
        cuts = [m for m in _BOUNDARY.finditer(text) if _ends_sentence(text, m.start())]
        for end in [m.end() for m in cuts] + [len(text)]:
            piece = text[start:end]
            stripped = piece.strip()
            if stripped:
                offset = start + (len(piece) - len(piece.lstrip()))
                sentences.append(_sentence(stripped, offset, block))
            start = end
    return sentences


def _sentence(text: str, offset: int, block: _Block) -> Sentence:
    # Keep only the lines the sentence touches: the last line starting at or before it, and after.
    first = max(i for i, (line_start, _, _) in enumerate(block.starts) if line_start <= offset)
    starts = tuple(
        (max(0, line_start - offset), line, page)
        for line_start, line, page in block.starts[first:]
        if line_start < offset + len(text)
    )
    _, line, page = block.starts[first]
    return Sentence(text=text, line=line, page=page, line_starts=starts)

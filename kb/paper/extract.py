"""Prose of a paper, line by line, with the place each line came from.

A reviewer must be able to go from a reported mention back to the paper, so every line of
prose keeps its line number in the input file (for PDF: its page and its line within that
page). Everything that is not the authors' prose is dropped before terms are searched, because
a term inside code, a URL or a reference list is not a use of the term by the paper: fenced and
indented code blocks, URLs, LaTeX comments, commands, citations and math, and the bibliography.

Removed content is blanked rather than deleted, so the lines that remain keep their numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class TextFormat(StrEnum):
    """The input formats a paper can be scanned from."""

    markdown = "markdown"
    text = "text"
    latex = "latex"
    pdf = "pdf"


@dataclass(frozen=True)
class TextLine:
    """One line of prose and where it is: `line` is 1-based (within `page` for PDF)."""

    text: str
    line: int
    page: int | None = None


_SUFFIX_FORMATS: dict[str, TextFormat] = {
    ".md": TextFormat.markdown,
    ".markdown": TextFormat.markdown,
    ".mdown": TextFormat.markdown,
    ".tex": TextFormat.latex,
    ".latex": TextFormat.latex,
    ".ltx": TextFormat.latex,
    ".pdf": TextFormat.pdf,
}

URL_PATTERN = re.compile(
    r"(?:https?://|ftp://|www\.)[^\s<>()\[\]{}\"']+[^\s<>()\[\]{}\"'.,;:!?]", re.IGNORECASE
)
# A heading that opens the reference list, in any format: "References", "7 References", "Bibliography".
_REFERENCES_TITLE = re.compile(
    r"^\s*(?:[0-9IVX]+\.?\s+)?(?:references|bibliography|works cited|literature cited)\s*:?\s*$",
    re.IGNORECASE,
)


def detect_format(path: str | Path) -> TextFormat:
    """The format implied by the file name; anything unknown is read as plain text."""
    return _SUFFIX_FORMATS.get(Path(path).suffix.lower(), TextFormat.text)


def blank_urls(text: str) -> str:
    """Replace URLs by spaces of the same length, so columns and line numbers stay put."""
    return URL_PATTERN.sub(lambda m: " " * len(m.group(0)), text)


def is_references_title(text: str) -> bool:
    """Whether a line, stripped of heading markup, is the title of a reference list."""
    return bool(_REFERENCES_TITLE.match(text))


# --------------------------------------------------------------------------- plain text


def extract_plain(text: str) -> list[TextLine]:
    """Lines of a plain-text paper, without URLs, up to a "References" line."""
    lines: list[TextLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if is_references_title(raw):
            break
        lines.append(TextLine(blank_urls(raw), number))
    return lines


# --------------------------------------------------------------------------- Markdown

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_MD_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S+")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_EMPHASIS = re.compile(r"(?<![\w*])(\*{1,3}|_{1,3})(?=\S)|(?<=\S)(\*{1,3}|_{1,3})(?![\w*])")


def _clean_markdown_inline(text: str) -> str:
    text = _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), text)
    text = _MD_IMAGE.sub(lambda m: m.group(1), text)
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    text = _MD_REF_LINK.sub(lambda m: m.group(1), text)
    text = _HTML_TAG.sub(" ", text)
    text = blank_urls(text)
    return _EMPHASIS.sub("", text)


def extract_markdown(text: str) -> list[TextLine]:
    """Prose lines of a Markdown paper.

    Skips fenced code blocks, indented code blocks (four spaces or a tab after a blank line),
    link definitions, inline code and URLs, and the section under a "References" or
    "Bibliography" heading up to the next heading of the same or a higher level.
    """
    raw_lines = text.splitlines()
    lines: list[TextLine] = []
    fence: str | None = None
    in_indented_code = False
    skip_level: int | None = None  # inside a reference section opened by a heading of this level
    previous_blank = True
    for index, raw in enumerate(raw_lines):
        number = index + 1
        if fence is not None:
            if raw.strip().startswith(fence):
                fence = None
            previous_blank = False
            continue
        fence_match = _FENCE.match(raw)
        if fence_match:
            fence = fence_match.group(1)[0] * 3
            previous_blank = False
            continue
        if not raw.strip():
            in_indented_code = False
            previous_blank = True
            lines.append(TextLine("", number))
            continue
        indented = raw.startswith("    ") or raw.startswith("\t")
        if indented and (previous_blank or in_indented_code) and not _LIST_ITEM.match(raw):
            in_indented_code = True
            previous_blank = False
            continue
        in_indented_code = False
        previous_blank = False

        level, title = _heading(raw_lines, index)
        if level is not None:
            if skip_level is not None and level <= skip_level:
                skip_level = None
            if skip_level is None and is_references_title(title):
                skip_level = level
        if skip_level is not None:
            continue
        if _SETEXT_UNDERLINE.match(raw) and index > 0 and raw_lines[index - 1].strip():
            continue
        if _MD_LINK_DEFINITION.match(raw):
            continue
        content = raw
        atx = _ATX_HEADING.match(raw)
        if atx:
            content = "#" * len(atx.group(1)) + " " + (atx.group(2) or "")
        lines.append(TextLine(_clean_markdown_inline(content), number))
    return lines


def _heading(raw_lines: list[str], index: int) -> tuple[int | None, str]:
    """The heading level and title if line `index` is an ATX or setext heading."""
    raw = raw_lines[index]
    atx = _ATX_HEADING.match(raw)
    if atx:
        return len(atx.group(1)), _clean_markdown_inline(atx.group(2) or "")
    if index + 1 < len(raw_lines) and raw.strip() and not _LIST_ITEM.match(raw):
        underline = _SETEXT_UNDERLINE.match(raw_lines[index + 1])
        if underline:
            return (1 if underline.group(1).startswith("=") else 2), _clean_markdown_inline(raw)
    return None, ""


# --------------------------------------------------------------------------- LaTeX

_SKIPPED_ENVIRONMENTS = (
    "thebibliography",
    "verbatim",
    "Verbatim",
    "lstlisting",
    "minted",
    "comment",
    "equation",
    "equation*",
    "align",
    "align*",
    "alignat",
    "alignat*",
    "gather",
    "gather*",
    "multline",
    "multline*",
    "eqnarray",
    "eqnarray*",
    "displaymath",
    "math",
    "tikzpicture",
    "tabular",
    "tabular*",
    "algorithmic",
)
# Commands whose arguments are not prose: dropped with all their arguments.
_DROPPED_COMMANDS = (
    "cite",
    "citep",
    "citet",
    "citealp",
    "citealt",
    "citeauthor",
    "citeyear",
    "nocite",
    "parencite",
    "textcite",
    "autocite",
    "ref",
    "eqref",
    "autoref",
    "cref",
    "Cref",
    "pageref",
    "label",
    "url",
    "includegraphics",
    "bibliography",
    "bibliographystyle",
    "addbibresource",
    "printbibliography",
    "usepackage",
    "documentclass",
    "input",
    "include",
    "newcommand",
    "renewcommand",
    "vspace",
    "hspace",
    "begin",
    "end",
)
_ARGUMENTS = r"(?:\[[^\]]*\]|\s*\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})*"
_DROPPED_COMMAND = re.compile(r"\\(?:" + "|".join(_DROPPED_COMMANDS) + r")\*?(?![A-Za-z])" + _ARGUMENTS)
_HREF = re.compile(r"\\href\s*\{[^{}]*\}\s*\{([^{}]*)\}")
_COMMENT = re.compile(r"(?<!\\)%.*$", re.MULTILINE)
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$|\\\[.*?\\\]", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<!\\)\$(?:\\.|[^$\\])+?(?<!\\)\$|\\\(.*?\\\)", re.DOTALL)
_COMMAND_NAME = re.compile(r"\\[A-Za-z]+\*?|\\[^A-Za-z\s]")
_ESCAPED_CHARACTER = re.compile(r"\\([%$&#_{}])")


def _blank(match: re.Match[str]) -> str:
    """Keep only the newlines of a removed span, so later lines keep their numbers."""
    return "\n" * match.group(0).count("\n")


def extract_latex(text: str) -> list[TextLine]:
    """Prose lines of a LaTeX source, numbered as in the file.

    Drops the preamble, comments, math (inline, display and math environments), verbatim and
    code environments, citations and cross-references, and the bibliography
    (`thebibliography` environments and everything from `\\bibliography` / `\\printbibliography`
    on). Text-bearing commands (`\\section{...}`, `\\emph{...}`, `\\footnote{...}`) keep their
    text.
    """
    text = _COMMENT.sub("", text)
    document = re.search(r"\\begin\{document\}", text)
    if document:
        text = "\n" * text[: document.end()].count("\n") + text[document.end() :]
    end = re.search(r"\\(?:bibliography|printbibliography)(?![A-Za-z])|\\end\{document\}", text)
    if end:
        text = text[: end.start()]
    for environment in _SKIPPED_ENVIRONMENTS:
        name = re.escape(environment)
        text = re.sub(
            r"\\begin\{" + name + r"\}.*?(?:\\end\{" + name + r"\}|\Z)", _blank, text, flags=re.DOTALL
        )
    text = _DISPLAY_MATH.sub(_blank, text)
    text = _INLINE_MATH.sub(_blank, text)
    text = _HREF.sub(lambda m: m.group(1), text)
    text = _DROPPED_COMMAND.sub(_blank, text)
    text = _ESCAPED_CHARACTER.sub(r"\1", text)
    text = text.replace("\\\\", " ").replace("~", " ")
    text = _COMMAND_NAME.sub("", text)
    text = text.replace("{", "").replace("}", "")
    text = text.replace("``", "“").replace("''", "”")
    return [TextLine(blank_urls(line), number) for number, line in enumerate(text.split("\n"), start=1)]


# --------------------------------------------------------------------------- PDF


def extract_pdf(path: str | Path) -> list[TextLine]:
    """Lines of a PDF's text layer (pypdf), with page and line-within-page numbers.

    A PDF has no markup, so the reference list is recognised by its title line; everything
    after it, on any page, is dropped. A PDF without a text layer (a scan) gives no lines.
    """
    from pypdf import PdfReader  # imported here: only PDF scans pay for it

    reader = PdfReader(str(path))
    lines: list[TextLine] = []
    for page_number, page in enumerate(reader.pages, start=1):
        page_text = page.extract_text() or ""
        for number, raw in enumerate(page_text.splitlines(), start=1):
            if is_references_title(raw):
                return lines
            lines.append(TextLine(blank_urls(raw), number, page_number))
        # A page break ends a paragraph only if the text says so; keep pages apart for sentences.
        lines.append(TextLine("", len(page_text.splitlines()) + 1, page_number))
    return lines


# --------------------------------------------------------------------------- dispatch


def extract_text(text: str, text_format: TextFormat | str) -> list[TextLine]:
    """Prose lines of a paper given as a string (any format but PDF)."""
    text_format = TextFormat(text_format)
    if text_format is TextFormat.markdown:
        return extract_markdown(text)
    if text_format is TextFormat.latex:
        return extract_latex(text)
    if text_format is TextFormat.text:
        return extract_plain(text)
    raise ValueError("PDF is binary: use extract_file() with the PDF's path")


def extract_file(path: str | Path, text_format: TextFormat | str | None = None) -> list[TextLine]:
    """Prose lines of a paper file; the format comes from the file name unless given."""
    path = Path(path)
    text_format = TextFormat(text_format) if text_format is not None else detect_format(path)
    if text_format is TextFormat.pdf:
        return extract_pdf(path)
    return extract_text(path.read_text(encoding="utf-8", errors="replace"), text_format)

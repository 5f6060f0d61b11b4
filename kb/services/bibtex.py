"""Sources from BibTeX: `kb import refs.bib` reads each entry as a source.

An entry gives the source's key (the citation key), title, authors in order (`Last, First`
becomes `First Last`; LaTeX accents and braces are decoded), year, url, arXiv id and DOI:

* arXiv id: `eprint` when `archivePrefix` (or `eprinttype`) is arXiv, else an arxiv.org URL,
  else an `arXiv:NNNN.NNNNN` in `journal`; the `arXiv:` prefix is dropped.
* DOI: `doi`, else a doi.org URL; the `https://doi.org/` prefix is dropped.

Entries are validated like any other source, and problems name the file and the entry's line.
Parsing uses bibtexparser 2 (`bibtexparser.parse_string` with its name middlewares).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

import schema
from kb.errors import InvalidInput, Location
from kb.services.loading import LineIndex, LoadedDocument, read_text, validation_problems

_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?(?:[?#].*)?$", re.IGNORECASE)
_ARXIV_IN_TEXT = re.compile(r"arXiv:\s*([0-9]{4}\.[0-9]{4,5}(?:v[0-9]+)?|[a-z-]+(?:\.[A-Z]{2})?/[0-9]{7})", re.IGNORECASE)
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(.+)$", re.IGNORECASE)


def _parse(text: str):  # type: ignore[no-untyped-def]
    import bibtexparser
    from bibtexparser.middlewares import (
        LatexDecodingMiddleware,
        MergeNameParts,
        SeparateCoAuthors,
        SplitNameParts,
    )

    return bibtexparser.parse_string(
        text,
        append_middleware=[
            LatexDecodingMiddleware(),
            SeparateCoAuthors(),
            SplitNameParts(),
            MergeNameParts(style="first"),
        ],
    )


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).replace("{", "").replace("}", "").split())
    return text or None


def _arxiv(fields: dict[str, Any]) -> str | None:
    prefix = (_clean(fields.get("archiveprefix")) or _clean(fields.get("eprinttype")) or "").lower()
    eprint = _clean(fields.get("eprint"))
    if eprint and prefix == "arxiv":
        return re.sub(r"^arxiv:\s*", "", eprint, flags=re.IGNORECASE)
    url = _clean(fields.get("url"))
    if url and (match := _ARXIV_URL.search(url)):
        return match.group(1)
    for name in ("journal", "note", "howpublished"):
        text = _clean(fields.get(name))
        if text and (match := _ARXIV_IN_TEXT.search(text)):
            return match.group(1)
    return None


def _doi(fields: dict[str, Any]) -> str | None:
    doi = _clean(fields.get("doi"))
    if doi:
        match = _DOI_URL.match(doi)
        return match.group(1) if match else re.sub(r"^doi:\s*", "", doi, flags=re.IGNORECASE)
    url = _clean(fields.get("url"))
    if url and (match := _DOI_URL.match(url)):
        return match.group(1)
    return None


def _year(value: Any) -> Any:
    text = _clean(value)
    if text is None:
        return None
    match = re.fullmatch(r"\s*([0-9]{4})\s*", text)
    return int(match.group(1)) if match else text  # not a year: validation names it


def _source_data(key: str, fields: dict[str, Any]) -> dict[str, Any]:
    authors = fields.get("author")
    if isinstance(authors, str):
        authors = [authors]
    data: dict[str, Any] = {
        "key": key,
        "title": _clean(fields.get("title")),
        "authors": [a for a in (_clean(name) for name in authors or []) if a],
        "year": _year(fields.get("year")),
        "url": _clean(fields.get("url")),
        "arxiv": _arxiv(fields),
        "doi": _doi(fields),
    }
    return {k: v for k, v in data.items() if v is not None and v != []}


def parse_bibtex(text: str, path: str) -> LoadedDocument:
    """BibTeX text -> a validated document of sources, with each entry's line."""
    library = _parse(text)
    problems: list[tuple[Location, str]] = []
    for block in library.failed_blocks:
        line = block.start_line + 1 if block.start_line is not None else None
        reason = getattr(block, "error", None)
        detail = f": {reason}" if reason and str(reason) else ""
        problems.append((Location(file=path, line=line), f"invalid BibTeX entry{detail}"))
    raw_sources: list[dict[str, Any]] = []
    lines = LineIndex()
    for entry in library.entries:
        fields = {f.key.lower(): f.value for f in entry.fields}
        data = _source_data(entry.key, fields)
        key_lines = {
            name: f.start_line + 1
            for f in entry.fields
            if f.start_line is not None
            for name in (f.key.lower(),)
        }
        key_lines["authors"] = key_lines.get("author", entry.start_line + 1)
        lines.mappings[id(data)] = (entry.start_line + 1, key_lines)
        raw_sources.append(data)
    if problems:
        raise InvalidInput(problems)
    raw = {"sources": raw_sources}
    try:
        document = schema.Document.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput(validation_problems(exc, raw, lines, path)) from None
    return LoadedDocument(path=path, document=document, raw=raw, lines=lines)


def load_bibtex(path: Path) -> LoadedDocument:
    return parse_bibtex(read_text(path), str(path))

"""`kb paper scan`: scan a paper for the terms this knowledge base knows.

The scanner (`kb.paper`) knows nothing of the database; this module reads what it needs from
the store (each concept's name, aliases, and its definitions' cues by kind), runs the scan, and
drafts the claims file so that it imports as is: when the source is not in the store yet, the
draft carries a source record for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

import schema
from kb.errors import KbError
from kb.paper.classify import Vocabulary, load_vocabulary
from kb.paper.extract import TextFormat
from kb.paper.mentions import ConceptTerms
from kb.paper.scan import ScanResult, draft_claims, scan_file
from kb.services import catalog
from kb.store import models as m
from kb.store.database import Store
from kb.store.migrate import require_current


class PaperScanError(KbError):
    """A paper that cannot be scanned as asked (missing file, unreadable PDF, bad source key)."""


@dataclass
class PaperScan:
    """A scan and what is needed to draft its claims file."""

    result: ScanResult
    source: str
    source_known: bool
    concept_count: int

    def draft(self) -> schema.Document:
        """Draft claims; with a source record when the store does not know the source yet."""
        title = None if self.source_known else _title_from_path(self.result.path)
        return draft_claims(self.result, self.source, source_title=title)


def _title_from_path(path: str | None) -> str:
    stem = Path(path).stem if path else "paper"
    return stem.replace("_", " ").replace("-", " ").strip() or "paper"


def concept_terms(session: Session) -> list[ConceptTerms]:
    """Every concept as the scanner sees it: key, name, aliases, definition cues by kind."""
    terms = []
    for row in catalog.list_concepts(session):
        cues: dict[str, list[str]] = {}
        for definition in row.definitions:
            cues.setdefault(definition.kind, []).extend(definition.cues or [])
        terms.append(ConceptTerms(row.key, row.name, tuple(row.aliases or ()), {k: tuple(v) for k, v in cues.items()}))
    return terms


def scan_paper(
    store: Store,
    path: Path,
    source: str,
    vocabulary_path: Path | None = None,
    text_format: TextFormat | str | None = None,
) -> PaperScan:
    """Scan `path` for the store's concepts, reading senses with the KB's vocabulary."""
    if not re.fullmatch(schema.models.KEY_PATTERN, source):
        raise PaperScanError(f"source key {source!r} is not a valid key (letters, digits and ._:+- only)")
    if not path.is_file():
        raise PaperScanError(f"{path}: no such file")
    try:
        vocabulary: Vocabulary = load_vocabulary(vocabulary_path)
    except (OSError, ValueError) as exc:
        raise PaperScanError(f"vocabulary: {exc}") from None
    require_current(store)
    with store.session() as session:
        terms = concept_terms(session)
        source_known = session.scalar(select(m.Source.id).where(m.Source.key == source)) is not None
    try:
        result = scan_file(path, terms, vocabulary, source_key=source, text_format=text_format)
    except Exception as exc:  # pypdf raises many types for damaged files
        if isinstance(exc, KbError):
            raise
        raise PaperScanError(f"{path}: cannot read the paper ({type(exc).__name__}: {exc})") from None
    return PaperScan(result=result, source=source, source_known=source_known, concept_count=len(terms))


"""Scan a paper: every use of a known term, the sense of each use, and a draft claims file.

This is the library face of `kb paper scan`: extract the prose (`extract`), split it into
sentences (`sentences`), find the concepts' terms (`mentions`), read each sentence's sense
(`classify`), and sum up per concept. A paper that uses one term in both senses gets a
**conflation warning**: that is the confusion kb exists to catch (an "induction head" defined
by its scores in one paragraph and credited with a mechanism in the next).

A term used several times in one sentence is one use: the sentence is the unit whose sense is
read, and a claim is drafted per use.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.paper.classify import Sense, Vocabulary, classify_sentence
from kb.paper.extract import TextFormat, TextLine, detect_format, extract_file, extract_text
from kb.paper.mentions import ConceptTerms, TermIndex
from kb.paper.sentences import split_sentences
from schema import models


@dataclass(frozen=True)
class Mention:
    """One use of a concept's term: the sentence, its sense, the deciding cues, and where."""

    concept: str
    sense: Sense
    cues: tuple[str, ...]
    line: int
    sentence: str
    page: int | None = None
    term: str = ""

    def to_json(self) -> dict[str, Any]:
        """The public JSON form: concept, sense, cues, line, sentence (and page for PDF)."""
        record: dict[str, Any] = {
            "concept": self.concept,
            "sense": self.sense.value,
            "cues": list(self.cues),
            "line": self.line,
            "sentence": self.sentence,
        }
        if self.page is not None:
            record["page"] = self.page
        return record

    def origin(self, file_name: str) -> str:
        """Where the use is, as `file:line` (`file:pPAGE:line` for PDF)."""
        if self.page is not None:
            return f"{file_name}:p{self.page}:{self.line}"
        return f"{file_name}:{self.line}"


@dataclass(frozen=True)
class ConceptSummary:
    """Uses of one concept by sense; `conflated` when the paper uses it in both senses."""

    concept: str
    behavioral: int = 0
    mechanistic: int = 0
    unclear: int = 0

    @property
    def total(self) -> int:
        return self.behavioral + self.mechanistic + self.unclear

    @property
    def conflated(self) -> bool:
        return self.behavioral > 0 and self.mechanistic > 0


@dataclass
class ScanResult:
    """All mentions found in one paper, in reading order."""

    mentions: list[Mention]
    path: str | None = None
    text_format: TextFormat | None = None
    source: str | None = None
    concepts: list[str] = field(default_factory=list)

    def concept_summaries(self) -> list[ConceptSummary]:
        """One summary per concept that is mentioned, in order of first mention."""
        counts: dict[str, dict[Sense, int]] = {}
        for mention in self.mentions:
            counts.setdefault(mention.concept, dict.fromkeys(Sense, 0))[mention.sense] += 1
        return [
            ConceptSummary(key, c[Sense.behavioral], c[Sense.mechanistic], c[Sense.unclear])
            for key, c in counts.items()
        ]

    def conflations(self) -> list[str]:
        """Warnings, one per concept used in both senses, naming the lines of each sense."""
        warnings = []
        for summary in self.concept_summaries():
            if summary.conflated:
                behavioral = self._places(summary.concept, Sense.behavioral)
                mechanistic = self._places(summary.concept, Sense.mechanistic)
                warnings.append(
                    f"'{summary.concept}' is used in the behavioral sense ({behavioral}) and in the "
                    f"mechanistic sense ({mechanistic}): check that the paper does not slide "
                    "between the two definitions"
                )
        return warnings

    def _places(self, concept: str, sense: Sense) -> str:
        places = [
            f"p{m.page}:{m.line}" if m.page is not None else str(m.line)
            for m in self.mentions
            if m.concept == concept and m.sense is sense
        ]
        label = "line" if len(places) == 1 else "lines"
        return f"{label} {', '.join(places)}"

    def summary(self) -> dict[str, Any]:
        """Per-concept uses by sense, and the conflation warnings."""
        return {
            "concepts": {
                s.concept: {
                    "behavioral": s.behavioral,
                    "mechanistic": s.mechanistic,
                    "unclear": s.unclear,
                    "total": s.total,
                    "conflation": s.conflated,
                }
                for s in self.concept_summaries()
            },
            "conflations": self.conflations(),
        }

    def to_json(self) -> dict[str, Any]:
        """`{"mentions": [...], "summary": {...}}`: the public contract of `--format json`."""
        return {"mentions": [m.to_json() for m in self.mentions], "summary": self.summary()}

    def dumps(self) -> str:
        """`to_json()` as JSON text."""
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)


def scan_lines(
    lines: Iterable[TextLine],
    terms: Sequence[ConceptTerms],
    vocabulary: Vocabulary | None = None,
) -> list[Mention]:
    """Mentions of the concepts in already-extracted prose lines."""
    vocabulary = vocabulary or Vocabulary()
    index = TermIndex(tuple(terms))
    by_key = {concept.key: concept for concept in terms}
    per_concept_vocabulary: dict[str, Vocabulary] = {}
    mentions: list[Mention] = []
    for sentence in split_sentences(lines):
        matches = index.find(sentence.text)
        seen: set[str] = set()
        for match in matches:
            if match.concept in seen:
                continue
            seen.add(match.concept)
            concept_vocabulary = per_concept_vocabulary.get(match.concept)
            if concept_vocabulary is None:
                concept_vocabulary = vocabulary.with_definition_cues(by_key[match.concept].cues_by_kind)
                per_concept_vocabulary[match.concept] = concept_vocabulary
            surfaces = [m.surface for m in matches if m.concept == match.concept]
            classification = classify_sentence(sentence.text, concept_vocabulary, ignore=surfaces)
            line, page = sentence.location(match.start)
            mentions.append(
                Mention(
                    concept=match.concept,
                    sense=classification.sense,
                    cues=classification.cues,
                    line=line,
                    sentence=sentence.text,
                    page=page,
                    term=match.surface,
                )
            )
    return mentions


def scan_text(
    text: str,
    terms: Sequence[ConceptTerms],
    vocabulary: Vocabulary | None = None,
    source_key: str | None = None,
    text_format: TextFormat | str = TextFormat.markdown,
    path: str | None = None,
) -> ScanResult:
    """Scan a paper given as text (Markdown by default; plain text or LaTeX on request)."""
    text_format = TextFormat(text_format)
    mentions = scan_lines(extract_text(text, text_format), terms, vocabulary)
    return ScanResult(mentions, path, text_format, source_key, [t.key for t in terms])


def scan_file(
    path: str | Path,
    terms: Sequence[ConceptTerms],
    vocabulary: Vocabulary | None = None,
    source_key: str | None = None,
    text_format: TextFormat | str | None = None,
) -> ScanResult:
    """Scan a paper file: Markdown, plain text, LaTeX or PDF (by extension unless given)."""
    path = Path(path)
    text_format = TextFormat(text_format) if text_format is not None else detect_format(path)
    mentions = scan_lines(extract_file(path, text_format), terms, vocabulary)
    return ScanResult(mentions, str(path), text_format, source_key, [t.key for t in terms])


def draft_claims(
    result: ScanResult,
    source_key: str,
    source_title: str | None = None,
) -> models.Document:
    """A draft claims file: one claim per use, for the reviewer to check and add evidence to.

    Each claim carries the sentence and its origin (`file:line`) in its text, the concept, and
    the sense read from the sentence as a guessed `stated_kind` (left out when unclear). Keys
    are `{source}-{concept}-{n}`, numbered per concept in reading order, so scanning the same
    paper twice gives the same keys. Evidence is left empty: the scan cannot know which runs
    support a sentence. With `source_title`, the document also carries the source record, so
    it imports into a store that does not know the source yet.
    """
    file_name = Path(result.path).name if result.path else "text"
    numbers: dict[str, int] = {}
    claims: list[models.Claim] = []
    for mention in result.mentions:
        numbers[mention.concept] = numbers.get(mention.concept, 0) + 1
        claims.append(
            models.Claim(
                key=f"{source_key}-{mention.concept}-{numbers[mention.concept]}",
                source=source_key,
                concept=mention.concept,
                text=f"{mention.sentence} (origin: {mention.origin(file_name)})",
                stated_kind=None if mention.sense is Sense.unclear else models.Kind(mention.sense.value),
            )
        )
    sources = [models.Source(key=source_key, title=source_title)] if source_title else []
    return models.Document(sources=sources, claims=claims)

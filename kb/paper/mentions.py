"""Where a text names a known concept, by its name or an alias.

Papers write the same term many ways ("induction head", "Induction Heads", "induction-head",
"induction\u2011heads"), so a term matches case-insensitively, with a space or any hyphen
between its words, and with the plural of its last word; it must stand as whole words, so
"fire" is not found in "firewall". When terms overlap ("head" inside "induction head"), the
longest wins, so a mention belongs to the most specific concept.

The input is plain `ConceptTerms`, not database rows: the scanner works on a YAML file, a
store, or a test's literal list alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class ConceptTerms:
    """What the scanner needs to know about a concept: its key, the words for it, and cues.

    `cues_by_kind` maps a definition kind (`behavioral` / `mechanistic`) to the cue phrases of
    the concept's definitions of that kind (the interchange format's `Definition.cues`).
    """

    key: str
    name: str
    aliases: tuple[str, ...] = ()
    cues_by_kind: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Accept lists (as parsed from YAML or JSON) and store tuples, so the object is immutable.
        object.__setattr__(self, "aliases", tuple(self.aliases))
        object.__setattr__(
            self, "cues_by_kind", {str(kind): tuple(cues) for kind, cues in dict(self.cues_by_kind).items()}
        )

    @property
    def terms(self) -> tuple[str, ...]:
        """The name and aliases, without blanks or duplicates (case-insensitive)."""
        seen: dict[str, str] = {}
        for term in (self.name, *self.aliases):
            cleaned = " ".join(term.split())
            if cleaned and cleaned.lower() not in seen:
                seen[cleaned.lower()] = cleaned
        return tuple(seen.values())


@dataclass(frozen=True)
class TermMatch:
    """One occurrence of a concept's term in a text: `text[start:end]` is `surface`."""

    concept: str
    start: int
    end: int
    surface: str


_HYPHENS = "\\-\u2010\u2011\u2012\u2013\u2212"
_SEPARATOR = r"(?:\s*[" + _HYPHENS + r"]\s*|\s+)"
_WORD_SPLIT = re.compile(r"[\s" + _HYPHENS + r"]+")


def _plural_forms(word: str) -> str:
    """A regex for the word and its regular plural (and possessive), case preserved by (?i)."""
    escaped = re.escape(word)
    lower = word.lower()
    if not word[-1:].isalpha():
        return escaped
    if word.isupper() and len(word) > 1:  # acronyms: IOI, IOIs
        return escaped + r"(?:s|'s|’s)?"
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return re.escape(word[:-1]) + r"(?:y|ies)(?:'s|’s|s'|s’)?"
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return escaped + r"(?:es)?(?:'s|’s|'|’)?"
    return escaped + r"(?:s|es)?(?:'s|’s|'|’)?"


def term_pattern(term: str) -> str:
    """The regex source matching a term's case, plural and hyphen/space variants as whole words."""
    words = [w for w in _WORD_SPLIT.split(term.strip()) if w]
    if not words:
        raise ValueError("a term needs at least one word")
    body = _SEPARATOR.join([*(re.escape(w) for w in words[:-1]), _plural_forms(words[-1])])
    return r"(?<![\w" + _HYPHENS + r"])" + body + r"(?![\w])"


@dataclass(frozen=True)
class TermIndex:
    """All concepts' terms compiled once, for finding mentions in many sentences."""

    concepts: tuple[ConceptTerms, ...]

    @cached_property
    def _patterns(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        compiled: list[tuple[str, re.Pattern[str]]] = []
        for concept in self.concepts:
            for term in concept.terms:
                compiled.append((concept.key, re.compile(term_pattern(term), re.IGNORECASE)))
        return tuple(compiled)

    def find(self, text: str) -> list[TermMatch]:
        """Non-overlapping mentions in `text`, in order; the longest match wins an overlap."""
        candidates = [
            TermMatch(key, m.start(), m.end(), m.group(0))
            for key, pattern in self._patterns
            for m in pattern.finditer(text)
        ]
        candidates.sort(key=lambda m: (m.start, -(m.end - m.start), m.concept))
        chosen: list[TermMatch] = []
        taken: list[tuple[int, int]] = []
        for match in sorted(candidates, key=lambda m: (-(m.end - m.start), m.start)):
            if all(match.end <= s or match.start >= e for s, e in taken):
                chosen.append(match)
                taken.append((match.start, match.end))
        return sorted(chosen, key=lambda m: m.start)


def find_mentions(text: str, concepts: Sequence[ConceptTerms] | Iterable[ConceptTerms]) -> list[TermMatch]:
    """Mentions of the given concepts in `text` (see `TermIndex.find`)."""
    return TermIndex(tuple(concepts)).find(text)

"""In which sense a sentence uses a term: behavioral, mechanistic, or unclear.

The classifier is deliberately simple and explainable: it counts cue phrases of each sense in
the sentence and reports the cues that decided, so a reviewer can see *why* a sentence was read
as behavioral ("scores", "attends to") or mechanistic ("implemented by", "K-composition") and
overrule it. A sentence with no cue, or as many cues of each sense, is `unclear`: the scanner
would rather say "I can't tell" than guess.

Cues come from three places, merged into one `Vocabulary`:
- the shared vocabulary below (words that mark the senses in this research field);
- the knowledge base's own list (`data/vocabulary.yaml`, see `load_vocabulary`);
- the cues of the concept's definitions (`Definition.cues` in the interchange format).

Matching is on crude word stems, so "implements", "implemented" and "implementing" all match
the cue "implement", and "behaviour" matches "behavior".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any


class Sense(StrEnum):
    """How a sentence uses a term."""

    behavioral = "behavioral"
    mechanistic = "mechanistic"
    unclear = "unclear"


# Observable input/output behaviour: what a model outputs, attends to, scores; how it performs.
SHARED_BEHAVIORAL_CUES: tuple[str, ...] = (
    "score",
    "scores highly",
    "metric",
    "accuracy",
    "loss",
    "logit",
    "likelihood",
    "probability",
    "attends to",
    "attend back",
    "pays attention",
    "attention pattern",
    "behaves",
    "behavior",
    "behavioral",
    "behaviorally",
    "on repeated random tokens",
    "repeated random sequences",
    "random tokens",
    "random sequence",
    "prefix matching",
    "copying score",
    "empirically",
    "observed",
    "observable",
    "performance",
    "output",
    "predicts",
    "completes",
    "in practice",
    "measured",
    "benchmark",
    "out of distribution",
    "outside behavior",
)

# Internal structure: how the model implements the behaviour.
SHARED_MECHANISTIC_CUES: tuple[str, ...] = (
    "implements",
    "implemented by",
    "implementation",
    "mechanism",
    "mechanistic",
    "mechanistically",
    "circuit",
    "composition",
    "K-composition",
    "Q-composition",
    "V-composition",
    "weights",
    "parameters",
    "eigenvalue",
    "OV circuit",
    "QK circuit",
    "residual stream",
    "represents internally",
    "internally represented",
    "internal",
    "internally",
    "representation",
    "activations",
    "ablation",
    "ablate",
    "knock out",
    "patching",
    "causal intervention",
    "reverse engineer",
    "neurons",
    "key vector",
    "query vector",
    "embedding",
    "unembedding",
    "writes into",
    "reads from",
    "mediate",
)

_WORD = re.compile(r"[A-Za-z0-9]+")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s", "e")


def stem(word: str) -> str:
    """A crude stem: lower case, British -our as -or, and one common suffix removed."""
    word = word.lower()
    if word.endswith("our") and len(word) > 5:
        word = word[:-3] + "or"
    elif word.endswith("ours") and len(word) > 6:
        word = word[:-4] + "ors"
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if suffix == "ies":
                word += "y"
            elif suffix in ("ing", "ed") and len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # "mapped" -> "map"
            break
    return word


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(stem(m.group(0)), m.start(), m.end()) for m in _WORD.finditer(text)]


@dataclass(frozen=True)
class Vocabulary:
    """Cue phrases of each sense; `extended` adds more without changing this one."""

    behavioral: tuple[str, ...] = SHARED_BEHAVIORAL_CUES
    mechanistic: tuple[str, ...] = SHARED_MECHANISTIC_CUES

    def extended(self, behavioral: Iterable[str] = (), mechanistic: Iterable[str] = ()) -> Vocabulary:
        """This vocabulary plus the given cues (duplicates dropped, order kept)."""
        return Vocabulary(
            behavioral=_merge(self.behavioral, behavioral),
            mechanistic=_merge(self.mechanistic, mechanistic),
        )

    def with_definition_cues(self, cues_by_kind: Mapping[str, Iterable[str]]) -> Vocabulary:
        """This vocabulary plus a concept's definition cues, keyed by definition kind."""
        return self.extended(
            behavioral=cues_by_kind.get("behavioral", ()),
            mechanistic=cues_by_kind.get("mechanistic", ()),
        )

    @cached_property
    def _stemmed(self) -> tuple[tuple[tuple[str, ...], Sense], ...]:
        phrases: dict[tuple[str, ...], Sense] = {}
        for sense, cues in ((Sense.behavioral, self.behavioral), (Sense.mechanistic, self.mechanistic)):
            for cue in cues:
                stems = tuple(token for token, _, _ in _tokens(cue))
                if stems and stems not in phrases:
                    phrases[stems] = sense
        # Longest phrases first, so "OV circuit" is one cue rather than "circuit" plus a stray word.
        return tuple(sorted(phrases.items(), key=lambda item: -len(item[0])))


def _merge(first: Iterable[str], second: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for cue in (*first, *second):
        cleaned = " ".join(str(cue).split())
        if cleaned and cleaned.lower() not in seen:
            seen[cleaned.lower()] = cleaned
    return tuple(seen.values())


@dataclass(frozen=True)
class Classification:
    """The sense of a sentence and the cue words (as written in it) that decided it.

    `cues` are the winning side's cues; when the sense is `unclear` because both senses had as
    many cues, `cues` holds all of them, so the reader sees the tie.
    """

    sense: Sense
    cues: tuple[str, ...]
    behavioral_cues: tuple[str, ...] = ()
    mechanistic_cues: tuple[str, ...] = ()


def find_cues(text: str, vocabulary: Vocabulary) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(behavioral, mechanistic) cue words found in `text`, as written there, in text order."""
    tokens = _tokens(text)
    stems = [token for token, _, _ in tokens]
    used = [False] * len(tokens)
    found: list[tuple[int, Sense, str]] = []
    for phrase, sense in vocabulary._stemmed:
        size = len(phrase)
        for i in range(len(stems) - size + 1):
            if tuple(stems[i : i + size]) == phrase and not any(used[i : i + size]):
                for j in range(i, i + size):
                    used[j] = True
                found.append((i, sense, text[tokens[i][1] : tokens[i + size - 1][2]]))
    found.sort()
    behavioral = tuple(_unique(w for _, s, w in found if s is Sense.behavioral))
    mechanistic = tuple(_unique(w for _, s, w in found if s is Sense.mechanistic))
    return behavioral, mechanistic


def _unique(words: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for word in words:
        seen.setdefault(word.lower(), word)
    return list(seen.values())


def classify_sentence(
    sentence: str, vocabulary: Vocabulary | None = None, ignore: Iterable[str] = ()
) -> Classification:
    """The sense in which `sentence` reads, decided by counting cues of each sense.

    `ignore` lists substrings to blank before looking for cues, typically the term being
    classified: a concept named "IOI circuit" must not make every sentence that names it
    mechanistic.
    """
    vocabulary = vocabulary or Vocabulary()
    text = sentence
    for part in ignore:
        if part:
            text = re.sub(re.escape(part), lambda m: " " * len(m.group(0)), text, flags=re.IGNORECASE)
    behavioral, mechanistic = find_cues(text, vocabulary)
    if len(behavioral) > len(mechanistic):
        return Classification(Sense.behavioral, behavioral, behavioral, mechanistic)
    if len(mechanistic) > len(behavioral):
        return Classification(Sense.mechanistic, mechanistic, behavioral, mechanistic)
    return Classification(Sense.unclear, behavioral + mechanistic, behavioral, mechanistic)


# --------------------------------------------------------------------------- the KB's own list


def bundled_vocabulary_path() -> Path:
    """`data/vocabulary.yaml` of a checkout, or its copy inside an installed wheel (`kb.resources`)."""
    from kb.resources import data_dir

    return data_dir() / "vocabulary.yaml"


def parse_vocabulary(data: Any, base: Vocabulary | None = None) -> Vocabulary:
    """The shared vocabulary extended by a mapping with `behavioral:` / `mechanistic:` lists."""
    base = base or Vocabulary()
    if data is None:
        return base
    if not isinstance(data, Mapping):
        raise ValueError("a vocabulary file must be a mapping with 'behavioral' and 'mechanistic' lists")
    unknown = set(data) - {"behavioral", "mechanistic"}
    if unknown:
        raise ValueError(f"unknown vocabulary keys: {', '.join(sorted(map(str, unknown)))}")
    lists = {}
    for kind in ("behavioral", "mechanistic"):
        cues = data.get(kind) or []
        if not isinstance(cues, list) or not all(isinstance(c, str) for c in cues):
            raise ValueError(f"vocabulary '{kind}' must be a list of strings")
        lists[kind] = cues
    return base.extended(behavioral=lists["behavioral"], mechanistic=lists["mechanistic"])


def load_vocabulary(path: str | Path | None = None) -> Vocabulary:
    """The shared vocabulary extended by a KB vocabulary file (default: `data/vocabulary.yaml`).

    A missing default file is not an error (the shared vocabulary alone is used); a missing
    file that was asked for by name is.
    """
    import yaml

    target = Path(path) if path is not None else bundled_vocabulary_path()
    if not target.exists():
        if path is not None:
            raise FileNotFoundError(f"vocabulary file not found: {target}")
        return Vocabulary()
    return parse_vocabulary(yaml.safe_load(target.read_text(encoding="utf-8")))

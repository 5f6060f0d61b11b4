"""Which definitions of one concept each measured subject satisfies, and how the sets overlap.

The seed post's point in numbers: a concept with a behavioral and a mechanistic definition picks
out two sets of subjects (attention heads, policies, ...), and they need not coincide. Given the
definitions' criteria and the measured values, this module says, subject by subject, which
definitions are met, then compares the definitions pairwise: how many subjects each picks out,
the intersection, the union, the Jaccard index and the subjects in each difference.

Pure logic, no database: the store (or an experiment) supplies the definitions and a mapping
`{(subject, method): value}`. Whether one value meets one criterion is decided by
`kb.criteria.satisfies` and nowhere else.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Protocol

from kb.criteria import satisfies


class CriterionLike(Protocol):
    method: str
    op: Any  # `schema.Operator` or its string value
    threshold: float | None


class DefinitionLike(Protocol):
    key: str
    criteria: Any  # a sequence of CriterionLike


# One value per (subject, method), or several when the subject was measured more than once.
Measurements = Mapping[tuple[str, str], float | None | Sequence[float | None]]


def judge(definition: DefinitionLike, subject: str, measurements: Measurements) -> bool | None:
    """Whether `subject` satisfies every criterion of `definition`.

    True when all criteria are met, False as soon as one measured criterion is not met (one
    failure is enough, whatever is missing), None when nothing fails but some criterion cannot be
    judged: no measurement, a run without a value, or a criterion without a threshold. A
    definition without criteria judges nothing. When a subject was measured several times with
    the same method, every value must meet the criterion (one failing run fails it).
    """
    criteria = list(definition.criteria)
    if not criteria:
        return None
    verdicts = [_criterion(c, measurements.get((subject, c.method))) for c in criteria]
    if any(v is False for v in verdicts):
        return False
    if all(v is True for v in verdicts):
        return True
    return None


@dataclass(frozen=True)
class SubjectVerdicts:
    """One subject and, per definition key, True (satisfied), False (not) or None (not judged)."""

    subject: str
    verdicts: dict[str, bool | None]

    def satisfied(self) -> tuple[str, ...]:
        return tuple(key for key, verdict in self.verdicts.items() if verdict is True)

    def to_json(self) -> dict[str, Any]:
        return {"subject": self.subject, "verdicts": dict(self.verdicts)}


@dataclass(frozen=True)
class PairOverlap:
    """Two definitions compared on the subjects judged under both."""

    first: str
    second: str
    judged: int
    first_count: int
    second_count: int
    intersection: tuple[str, ...]
    union: tuple[str, ...]
    only_first: tuple[str, ...]
    only_second: tuple[str, ...]
    # Judged under both and satisfying neither (not part of `to_json`, which predates it).
    neither: tuple[str, ...] = ()

    @property
    def jaccard(self) -> float | None:
        """|A ∩ B| / |A ∪ B|; None when neither definition picks out any subject."""
        return len(self.intersection) / len(self.union) if self.union else None

    def to_json(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "second": self.second,
            "judged": self.judged,
            "counts": {self.first: self.first_count, self.second: self.second_count},
            "intersection": list(self.intersection),
            "union": list(self.union),
            "jaccard": self.jaccard,
            "only_first": list(self.only_first),
            "only_second": list(self.only_second),
        }


@dataclass(frozen=True)
class Agreement:
    """The agreement matrix of one concept: rows are subjects, columns are definitions."""

    concept: str | None
    definitions: tuple[str, ...]
    subjects: tuple[SubjectVerdicts, ...]
    pairs: tuple[PairOverlap, ...] = field(default=())

    def counts(self) -> dict[str, int]:
        """Per definition, how many of the listed subjects satisfy it."""
        return {
            key: sum(1 for row in self.subjects if row.verdicts.get(key) is True) for key in self.definitions
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "concept": self.concept,
            "definitions": list(self.definitions),
            "counts": self.counts(),
            "subjects": [row.to_json() for row in self.subjects],
            "pairs": [pair.to_json() for pair in self.pairs],
        }


def compute_agreement(
    definitions: Iterable[DefinitionLike],
    measurements: Measurements,
    concept: str | None = None,
) -> Agreement:
    """Judge every measured subject under every definition that has criteria.

    A subject is listed when it is judged (True or False) under two or more definitions; the
    others cannot show agreement or disagreement. Each pair of definitions is compared on the
    subjects judged under both. Definitions are ordered by key, subjects in natural order
    (`L1H2` before `L1H10`), so the result does not depend on input order.
    """
    judging = sorted((d for d in definitions if list(d.criteria)), key=lambda d: d.key)
    keys = tuple(d.key for d in judging)
    if len(set(keys)) != len(keys):
        raise ValueError(f"definition keys must be unique, got {list(keys)}")
    # Ties of the natural key (`L1H01`, `L1H1`) fall back to the text: the order never depends
    # on the set's iteration order (which changes with the hash seed).
    measured = sorted({subject for subject, _method in measurements}, key=lambda s: (natural_key(s), s))

    rows = []
    for subject in measured:
        verdicts = {d.key: judge(d, subject, measurements) for d in judging}
        if sum(1 for v in verdicts.values() if v is not None) >= 2:
            rows.append(SubjectVerdicts(subject=subject, verdicts=verdicts))

    pairs = tuple(_overlap(first, second, rows) for first, second in combinations(keys, 2))
    return Agreement(concept=concept, definitions=keys, subjects=tuple(rows), pairs=pairs)


def _overlap(first: str, second: str, rows: list[SubjectVerdicts]) -> PairOverlap:
    both_judged = [r for r in rows if r.verdicts[first] is not None and r.verdicts[second] is not None]
    in_first = [r.subject for r in both_judged if r.verdicts[first]]
    in_second = [r.subject for r in both_judged if r.verdicts[second]]
    first_set, second_set = set(in_first), set(in_second)
    ordered = [r.subject for r in both_judged]
    return PairOverlap(
        first=first,
        second=second,
        judged=len(both_judged),
        first_count=len(in_first),
        second_count=len(in_second),
        intersection=tuple(s for s in ordered if s in first_set and s in second_set),
        union=tuple(s for s in ordered if s in first_set or s in second_set),
        only_first=tuple(s for s in ordered if s in first_set and s not in second_set),
        only_second=tuple(s for s in ordered if s in second_set and s not in first_set),
        neither=tuple(s for s in ordered if s not in first_set and s not in second_set),
    )


def _criterion(criterion: CriterionLike, measured: Any) -> bool | None:
    values = list(measured) if isinstance(measured, (list, tuple)) else [measured]
    verdicts = [satisfies(_op(criterion.op), criterion.threshold, v) for v in values if v is not None]
    if not verdicts:
        return satisfies(_op(criterion.op), criterion.threshold, None)
    if any(v is False for v in verdicts):
        return False
    return True if all(verdicts) else None


@functools.lru_cache(maxsize=1 << 16)
def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that orders digit runs by value: `L1H2` < `L1H10`. Cached: the report sorts the
    same subjects again for every concept measured by the same methods."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text))


def _op(op: Any) -> str:
    return getattr(op, "value", op)

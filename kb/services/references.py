"""Reference checks: every key a record names must exist, in the database or in the same import.

References may point forward and across files of one import, so the check runs on the whole
changeset before anything is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

import schema
from kb.errors import InvalidInput, Location
from kb.services.changeset import Changeset, Incoming
from kb.store import models as m

CHUNK = 500

_MODELS = {"source": m.Source, "method": m.Method, "concept": m.Concept, "run": m.Run, "claim": m.Claim}


def references_of(incoming: Incoming) -> Iterator[tuple[str, str, str]]:
    """(target type, target key, field) for every reference the record makes."""
    record = incoming.record
    if isinstance(record, schema.Definition):
        yield "concept", incoming.key.split("/", 1)[0], "concept"
        if record.source:
            yield "source", record.source, "source"
        for dep in record.depends_on:
            yield "concept", dep, "depends_on"
        for i, criterion in enumerate(record.criteria):
            yield "method", criterion.method, f"criteria[{i}].method"
    elif isinstance(record, schema.Concept):
        for i, relation in enumerate(record.relations):
            yield "concept", relation.target, f"relations[{i}].target"
    elif isinstance(record, schema.Run):
        yield "method", record.method, "method"
        if record.source:
            yield "source", record.source, "source"
    elif isinstance(record, schema.Claim):
        yield "source", record.source, "source"
        yield "concept", record.concept, "concept"
        if record.definition:
            yield "definition", record.definition, "definition"
        for i, link in enumerate(record.evidence):
            if link.run is not None:
                yield "run", link.run, f"evidence[{i}].run"
            else:
                yield "claim", link.claim, f"evidence[{i}].claim"  # type: ignore[misc]


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def existing_keys(session: Session, type_: str, keys: Iterable[str]) -> set[str]:
    """Which of `keys` the database holds (definitions as `concept/key`)."""
    keys = sorted(set(keys))
    found: set[str] = set()
    if type_ == "definition":
        by_concept: dict[str, set[str]] = defaultdict(set)
        for ref in keys:
            concept, _, key = ref.partition("/")
            by_concept[concept].add(key)
        for chunk in _chunks(sorted(by_concept)):
            rows = session.execute(
                select(m.Concept.key, m.Definition.key).join(m.Definition.concept).where(m.Concept.key.in_(chunk))
            )
            found.update(f"{c}/{d}" for c, d in rows if d in by_concept[c])
        return found
    model = _MODELS[type_]
    for chunk in _chunks(keys):
        found.update(session.scalars(select(model.key).where(model.key.in_(chunk))))
    return found


def check_references(session: Session, changeset: Changeset) -> None:
    """Raise InvalidInput naming every reference that resolves neither in the import nor the DB."""
    wanted: dict[str, dict[str, list[tuple[Incoming, str]]]] = defaultdict(lambda: defaultdict(list))
    for incoming in changeset:
        for target_type, key, field in references_of(incoming):
            if key not in changeset.records[target_type]:
                wanted[target_type][key].append((incoming, field))
    problems: list[tuple[Location, str]] = []
    for target_type in sorted(wanted):
        found = existing_keys(session, target_type, wanted[target_type])
        for key in sorted(set(wanted[target_type]) - found):
            for incoming, field in wanted[target_type][key]:
                where = Location(
                    file=incoming.origin.file, line=incoming.line_of(field), record=incoming.key, field=field
                )
                problems.append((where, f"unknown {target_type} {key!r}"))
    if problems:
        problems.sort(key=lambda p: (p[0].file or "", p[0].line or 0, p[0].record or "", p[0].field or ""))
        raise InvalidInput(problems)

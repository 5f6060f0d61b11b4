"""A changeset: the records one import (or one CLI edit) brings, merged across files.

Definitions travel inside concepts in the interchange format but are records of their own here
(key `concept/key`), so that adding a definition does not rewrite its concept and a concept can
be updated without repeating its definitions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

import schema
from kb.errors import InvalidInput, Location
from kb.services.loading import LoadedDocument

# Order matters: each type is written after the types it references.
TYPES = ("source", "method", "concept", "definition", "run", "claim")


@dataclass(frozen=True)
class Incoming:
    type: str
    key: str
    record: BaseModel
    origin: Location

    @property
    def comparable(self) -> dict[str, Any]:
        """The record as compared with what the database holds (a concept without definitions)."""
        data = self.record.model_dump(mode="json")
        if self.type == "concept":
            data.pop("definitions", None)
            data["relations"] = sorted(
                (r for r in data["relations"] if r["type"] != "narrower"), key=lambda r: (r["type"], r["target"])
            )
        return data


@dataclass
class Changeset:
    records: dict[str, dict[str, Incoming]] = field(default_factory=lambda: {t: {} for t in TYPES})

    def __iter__(self) -> Iterator[Incoming]:
        for type_ in TYPES:
            yield from self.records[type_].values()

    def of(self, type_: str) -> list[Incoming]:
        return list(self.records[type_].values())

    def keys(self, type_: str) -> set[str]:
        return set(self.records[type_])

    def __len__(self) -> int:
        return sum(len(v) for v in self.records.values())

    def add(self, incoming: Incoming, problems: list[tuple[Location, str]]) -> None:
        """Add a record; the same key twice is fine only when both records are identical and
        come from different files (one file may not say the same thing twice)."""
        bucket = self.records[incoming.type]
        earlier = bucket.get(incoming.key)
        if earlier is None:
            bucket[incoming.key] = incoming
            return
        if earlier.origin.file == incoming.origin.file:
            where = f"line {earlier.origin.line}" if earlier.origin.line else "earlier in the file"
            problems.append(
                (
                    _at(incoming.origin, incoming.key, "key"),
                    f"duplicate {incoming.type} key {incoming.key!r} (also at {where})",
                )
            )
        elif earlier.record.model_dump() != incoming.record.model_dump():
            problems.append(
                (
                    _at(incoming.origin, incoming.key, "key"),
                    f"{incoming.type} {incoming.key!r} differs from the one in {earlier.origin.file}"
                    + (f":{earlier.origin.line}" if earlier.origin.line else "")
                    + "; one import cannot give a key two different records",
                )
            )


def _at(origin: Location, record: str, field_name: str | None) -> Location:
    return Location(file=origin.file, line=origin.line, record=record, field=field_name)


def from_documents(loaded: Iterable[LoadedDocument]) -> Changeset:
    """Merge documents into one changeset; raises InvalidInput listing every conflict."""
    changeset = Changeset()
    problems: list[tuple[Location, str]] = []
    for doc in loaded:
        for list_name, type_ in (("sources", "source"), ("methods", "method"), ("runs", "run"), ("claims", "claim")):
            for index, record in enumerate(getattr(doc.document, list_name)):
                origin = Location(file=doc.path, line=doc.record_line(list_name, index))
                changeset.add(Incoming(type_, record.key, record, origin), problems)
        for index, concept in enumerate(doc.document.concepts):
            origin = Location(file=doc.path, line=doc.record_line("concepts", index))
            changeset.add(Incoming("concept", concept.key, concept, origin), problems)
            raw_defs = _raw_definitions(doc, index)
            for d_index, definition in enumerate(concept.definitions):
                line = doc.lines.line_of(raw_defs[d_index]) if d_index < len(raw_defs) else None
                def_origin = Location(file=doc.path, line=line or origin.line)
                changeset.add(Incoming("definition", f"{concept.key}/{definition.key}", definition, def_origin), problems)
    if problems:
        raise InvalidInput(problems)
    return changeset


def _raw_definitions(doc: LoadedDocument, concept_index: int) -> list[Any]:
    try:
        raw = doc.raw["concepts"][concept_index].get("definitions") or []
        return raw if isinstance(raw, list) else []
    except (KeyError, IndexError, AttributeError, TypeError):
        return []


def single(type_: str, key: str, record: BaseModel) -> Changeset:
    """A changeset of one record, as a CLI `add` or `edit` makes."""
    changeset = Changeset()
    changeset.records[type_][key] = Incoming(type_, key, record, Location(record=key))
    return changeset


def definitions_of(concept: schema.Concept) -> list[tuple[str, schema.Definition]]:
    return [(f"{concept.key}/{d.key}", d) for d in concept.definitions]

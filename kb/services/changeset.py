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
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    def line_of(self, field_path: str) -> int | None:
        """Line of a field (`criteria[0].method` -> the line of `criteria:`), else the record's."""
        top = field_path.split(".", 1)[0].split("[", 1)[0]
        return self.field_lines.get(top, self.origin.line)

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
                raw = _raw_record(doc, list_name, index)
                origin = Location(file=doc.path, line=doc.lines.line_of(raw))
                changeset.add(Incoming(type_, record.key, record, origin, _field_lines(doc, raw)), problems)
        for index, concept in enumerate(doc.document.concepts):
            raw = _raw_record(doc, "concepts", index)
            origin = Location(file=doc.path, line=doc.lines.line_of(raw))
            changeset.add(Incoming("concept", concept.key, concept, origin, _field_lines(doc, raw)), problems)
            raw_defs = (raw or {}).get("definitions") if isinstance(raw, dict) else None
            raw_defs = raw_defs if isinstance(raw_defs, list) else []
            for d_index, definition in enumerate(concept.definitions):
                raw_def = raw_defs[d_index] if d_index < len(raw_defs) else None
                def_origin = Location(file=doc.path, line=doc.lines.line_of(raw_def) or origin.line)
                ref = f"{concept.key}/{definition.key}"
                changeset.add(Incoming("definition", ref, definition, def_origin, _field_lines(doc, raw_def)), problems)
    if problems:
        raise InvalidInput(problems)
    return changeset


def _raw_record(doc: LoadedDocument, list_name: str, index: int) -> Any:
    try:
        return doc.raw[list_name][index]
    except (KeyError, IndexError, TypeError):
        return None


def _field_lines(doc: LoadedDocument, raw: Any) -> dict[str, int]:
    entry = doc.lines.mappings.get(id(raw)) if raw is not None else None
    return dict(entry[1]) if entry else {}


def single(type_: str, key: str, record: BaseModel) -> Changeset:
    """A changeset of one record, as a CLI `add` or `edit` makes."""
    changeset = Changeset()
    changeset.records[type_][key] = Incoming(type_, key, record, Location(record=key))
    return changeset


def definitions_of(concept: schema.Concept) -> list[tuple[str, schema.Definition]]:
    return [(f"{concept.key}/{d.key}", d) for d in concept.definitions]

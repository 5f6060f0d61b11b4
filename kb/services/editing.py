"""Adding and editing single records (the CLI's `add` and `edit`), through the same checks and
writer as `kb import`, so a record added by hand obeys exactly the rules of an imported one."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

import schema
from kb.errors import AlreadyExists, InvalidInput, Location
from kb.services import catalog
from kb.services.changeset import single
from kb.services.importing import ImportReport, apply_changeset
from kb.services.loading import validation_problems
from kb.services.references import existing_keys
from kb.store.database import Store
from kb.store.migrate import require_current

RECORD_MODELS: dict[str, type[BaseModel]] = {
    "source": schema.Source,
    "method": schema.Method,
    "concept": schema.Concept,
    "definition": schema.Definition,
    "run": schema.Run,
    "claim": schema.Claim,
}


def build_record(type_: str, data: dict[str, Any], key: str) -> BaseModel:
    """Validate fields given on the command line; errors name the record and the field."""
    try:
        return RECORD_MODELS[type_].model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, data)
        raise InvalidInput([(Location(record=key, field=loc.field), msg) for loc, msg in problems]) from None


def _current(session, type_: str, key: str) -> BaseModel:  # type: ignore[no-untyped-def]
    if type_ == "definition":
        return catalog.definition_record(catalog.get_definition(session, key))
    if type_ == "concept":
        return catalog.concept_record(catalog.get_concept(session, key), with_definitions=False)
    getter = getattr(catalog, f"get_{type_}")
    return getattr(catalog, f"{type_}_record")(getter(session, key))


def add_record(store: Store, type_: str, data: dict[str, Any], concept: str | None = None) -> ImportReport:
    """Add a new record; refuses a key that exists (edit it instead)."""
    require_current(store)
    record = build_record(type_, data, data.get("key", "?"))
    key = f"{concept}/{record.key}" if type_ == "definition" else record.key  # type: ignore[attr-defined]
    with store.session(write=True) as session:
        if type_ == "definition":
            catalog.get_concept(session, concept)  # type: ignore[arg-type]
        if existing_keys(session, type_, [key]):
            raise AlreadyExists(f"{type_} {key!r} already exists: use `kb {type_} edit` to change it")
        return apply_changeset(session, single(type_, key, record))


def edit_record(store: Store, type_: str, key: str, changes: dict[str, Any]) -> tuple[BaseModel, ImportReport]:
    """Change the given fields of an existing record; other fields keep their values."""
    require_current(store)
    with store.session(write=True) as session:
        current = _current(session, type_, key)
        data = current.model_dump(mode="json")
        if type_ == "concept":
            data.pop("definitions", None)
        unknown = set(changes) - set(data)
        if unknown:
            raise InvalidInput([(Location(record=key, field=name), "not a field of this record") for name in sorted(unknown)])
        data.update(changes)
        record = build_record(type_, data, key)
        report = apply_changeset(session, single(type_, key, record))
        return record, report


def show_record(store: Store, type_: str, key: str) -> BaseModel:
    """One record as the interchange format has it (a concept with its definitions)."""
    require_current(store)
    with store.session() as session:
        if type_ == "concept":
            return catalog.concept_record(catalog.get_concept(session, key))
        return _current(session, type_, key)

"""Rows for `kb TYPE list` and `kb TYPE show`: each record in its interchange form plus the few
derived fields people look for first (a concept's kinds, a run's effective kind)."""

from __future__ import annotations

from typing import Any

from kb.services import catalog
from kb.store.database import Store
from kb.store.migrate import require_current

LIST_COLUMNS: dict[str, list[str]] = {
    "source": ["key", "year", "title", "authors"],
    "method": ["key", "kind", "name"],
    "concept": ["key", "name", "aliases", "domain", "kinds", "definition_count"],
    "definition": ["ref", "kind", "status", "source", "criteria_text", "depends_on"],
    "run": ["key", "method", "effective_kind", "subject", "value", "dataset", "source"],
    "claim": ["key", "source", "concept", "stated_kind", "definition", "subject", "evidence_count"],
}


def kinds_label(kinds: set[str]) -> str:
    """`behavioral`, `mechanistic`, `both` or `none`: the badge the glossary shows too."""
    if {"behavioral", "mechanistic"} <= kinds:
        return "both"
    return next(iter(kinds)) if kinds else "none"


def list_rows(store: Store, type_: str, concept: str | None = None) -> list[dict[str, Any]]:
    require_current(store)
    with store.session() as session:
        if type_ == "source":
            return [catalog.source_record(r).model_dump(mode="json") for r in catalog.list_sources(session)]
        if type_ == "method":
            return [catalog.method_record(r).model_dump(mode="json") for r in catalog.list_methods(session)]
        if type_ == "concept":
            rows = []
            for row in catalog.list_concepts(session):
                data = catalog.concept_record(row).model_dump(mode="json")
                data["kinds"] = kinds_label({d["kind"] for d in data["definitions"]})
                data["definition_count"] = len(data["definitions"])
                rows.append(data)
            return rows
        if type_ == "definition":
            rows = []
            for row in catalog.list_definitions(session, concept):
                data = {"ref": catalog.definition_ref(row), "concept": row.concept.key}
                data.update(catalog.definition_record(row).model_dump(mode="json"))
                data["criteria_text"] = [
                    catalog.schema.Criterion.model_validate(c).render() for c in data["criteria"]
                ]
                rows.append(data)
            return rows
        if type_ == "run":
            rows = []
            for row in catalog.list_runs(session):
                data = catalog.run_record(row).model_dump(mode="json")
                data["effective_kind"] = row.kind or row.method.kind
                rows.append(data)
            return rows
        if type_ == "claim":
            rows = []
            for row in catalog.list_claims(session):
                data = catalog.claim_record(row).model_dump(mode="json")
                data["evidence_count"] = len(data["evidence"])
                rows.append(data)
            return rows
    raise ValueError(f"unknown record type {type_!r}")

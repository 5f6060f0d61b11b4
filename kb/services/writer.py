"""Writing a changeset: upsert each record by key, in dependency order, inside the caller's
transaction. References were checked beforehand (`kb.services.references`), so a lookup that
fails here is a bug, not bad input.

Owned lists (criteria, dependencies, relations, evidence, suppressions) are replaced whole:
a record in an import says everything about itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import schema
from kb.services.changeset import Changeset, Incoming
from kb.store import models as m

_MODELS: dict[str, Any] = {"source": m.Source, "method": m.Method, "concept": m.Concept, "run": m.Run, "claim": m.Claim}


class Writer:
    """Upserts records, resolving keys to ids through per-type caches."""

    def __init__(self, session: Session):
        self.session = session
        self._ids: dict[str, dict[str, int]] = {t: {} for t in _MODELS}
        self._definition_ids: dict[str, int] = {}

    # --- key -> id --------------------------------------------------------------------------

    def id_of(self, type_: str, key: str) -> int:
        cache = self._ids[type_]
        if key not in cache:
            model = _MODELS[type_]
            cache[key] = self.session.scalars(select(model.id).where(model.key == key)).one()
        return cache[key]

    def definition_id(self, ref: str) -> int:
        if ref not in self._definition_ids:
            concept, _, key = ref.partition("/")
            self._definition_ids[ref] = self.session.scalars(
                select(m.Definition.id).join(m.Definition.concept).where(m.Concept.key == concept, m.Definition.key == key)
            ).one()
        return self._definition_ids[ref]

    def _existing(self, type_: str, keys: Iterable[str]) -> dict[str, Any]:
        model = _MODELS[type_]
        keys = sorted(set(keys))
        rows: dict[str, Any] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows.update({row.key: row for row in self.session.scalars(select(model).where(model.key.in_(chunk)))})
        return rows

    def _upsert_rows(self, type_: str, items: list[Incoming], assign) -> None:  # type: ignore[no-untyped-def]
        existing = self._existing(type_, (i.key for i in items))
        rows: dict[str, Any] = {}
        for item in items:
            row = existing.get(item.key)
            is_new = row is None
            if is_new:
                row = _MODELS[type_](key=item.key)
            assign(row, item.record)  # before add: lookups in assign must not flush a half-set row
            if is_new:
                self.session.add(row)
            if type_ == "claim":
                row.origin_file, row.origin_line = item.origin.file, item.origin.line
            rows[item.key] = row
        self.session.flush()
        self._ids[type_].update({key: row.id for key, row in rows.items()})

    # --- per type ---------------------------------------------------------------------------

    def _assign_source(self, row: m.Source, rec: schema.Source) -> None:
        row.title, row.authors, row.year = rec.title, list(rec.authors), rec.year
        row.url, row.arxiv, row.doi = rec.url, rec.arxiv, rec.doi

    def _assign_method(self, row: m.Method, rec: schema.Method) -> None:
        row.name, row.kind, row.description = rec.name, rec.kind.value, rec.description

    def _assign_concept(self, row: m.Concept, rec: schema.Concept) -> None:
        row.name, row.aliases, row.domain, row.summary = rec.name, list(rec.aliases), rec.domain, rec.summary

    def _assign_run(self, row: m.Run, rec: schema.Run) -> None:
        row.method_id = self.id_of("method", rec.method)
        row.subject, row.value, row.dataset, row.params = rec.subject, rec.value, rec.dataset, dict(rec.params)
        row.source_id = self.id_of("source", rec.source) if rec.source else None
        row.kind = rec.kind.value if rec.kind else None

    def _assign_claim(self, row: m.Claim, rec: schema.Claim) -> None:
        row.source_id = self.id_of("source", rec.source)
        row.concept_id = self.id_of("concept", rec.concept)
        row.text = rec.text
        row.stated_kind = rec.stated_kind.value if rec.stated_kind else None
        row.definition_id = self.definition_id(rec.definition) if rec.definition else None
        row.subject = rec.subject

    def write_definitions(self, items: list[Incoming]) -> None:
        for item in items:
            rec: schema.Definition = item.record  # type: ignore[assignment]
            concept_key, _, key = item.key.partition("/")
            concept_id = self.id_of("concept", concept_key)
            row = self.session.scalars(
                select(m.Definition).where(m.Definition.concept_id == concept_id, m.Definition.key == key)
            ).one_or_none()
            if row is None:
                row = m.Definition(concept_id=concept_id, key=key)
            source_id = self.id_of("source", rec.source) if rec.source else None
            row.kind, row.text, row.status, row.cues = rec.kind.value, rec.text, rec.status.value, list(rec.cues)
            row.source_id = source_id
            criteria = [
                m.Criterion(position=i, method_id=self.id_of("method", c.method), op=c.op.value, threshold=c.threshold)
                for i, c in enumerate(rec.criteria)
            ]
            dependencies = [
                m.DefinitionDependency(position=i, concept_id=self.id_of("concept", dep))
                for i, dep in enumerate(dict.fromkeys(rec.depends_on))
            ]
            self.session.add(row)
            self._replace(row, "criteria", criteria)
            self._replace(row, "dependencies", dependencies)
            self.session.flush()
            self._definition_ids[item.key] = row.id

    def write_relations(self, items: list[Incoming]) -> None:
        """Replace each concept's outgoing edges; then each `narrower` adds the inverse `broader`
        edge (a second pass, so a concept replaced later cannot drop an inverse added earlier)."""
        for item in items:
            rec: schema.Concept = item.record  # type: ignore[assignment]
            row = self.session.get(m.Concept, self.id_of("concept", rec.key))
            outgoing = sorted(
                {(r.type.value, self.id_of("concept", r.target)) for r in rec.relations if r.type != "narrower"}
            )
            self._replace(row, "relations", [m.ConceptRelation(type=t, target_id=target) for t, target in outgoing])
        self.session.flush()
        for item in items:
            rec = item.record  # type: ignore[assignment]
            concept_id = self.id_of("concept", rec.key)
            for relation in rec.relations:
                if relation.type != "narrower":
                    continue
                narrower_id = self.id_of("concept", relation.target)
                exists = self.session.scalars(
                    select(m.ConceptRelation.id).where(
                        m.ConceptRelation.concept_id == narrower_id,
                        m.ConceptRelation.type == "broader",
                        m.ConceptRelation.target_id == concept_id,
                    )
                ).first()
                if exists is None:
                    self.session.add(m.ConceptRelation(concept_id=narrower_id, type="broader", target_id=concept_id))
                    self.session.flush()

    def write_claim_links(self, items: list[Incoming]) -> None:
        for item in items:
            rec: schema.Claim = item.record  # type: ignore[assignment]
            row = self.session.get(m.Claim, self.id_of("claim", rec.key))
            self._replace(row, "evidence", [
                m.EvidenceLink(
                    position=i,
                    run_id=self.id_of("run", link.run) if link.run is not None else None,
                    cited_claim_id=self.id_of("claim", link.claim) if link.claim is not None else None,
                    stance=link.stance.value,
                )
                for i, link in enumerate(rec.evidence)
            ])
            self._replace(row, "suppressions", [
                m.Suppression(position=i, code=s.code, reason=s.reason) for i, s in enumerate(rec.suppress)
            ])
        self.session.flush()

    def _replace(self, row: Any, attribute: str, children: list[Any]) -> None:
        """Swap an owned list; old rows are deleted before new ones are inserted, so unique
        constraints never see both."""
        current = getattr(row, attribute)
        if current:
            current.clear()
            self.session.flush()
        current.extend(children)

    # --- the whole changeset ------------------------------------------------------------------

    def write(self, changeset: Changeset) -> None:
        self._upsert_rows("source", changeset.of("source"), self._assign_source)
        self._upsert_rows("method", changeset.of("method"), self._assign_method)
        self._upsert_rows("concept", changeset.of("concept"), self._assign_concept)
        self.write_definitions(changeset.of("definition"))
        self.write_relations(changeset.of("concept"))
        self._upsert_rows("run", changeset.of("run"), self._assign_run)
        self._upsert_rows("claim", changeset.of("claim"), self._assign_claim)
        self.write_claim_links(changeset.of("claim"))

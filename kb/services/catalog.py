"""Reading records: look them up by key and turn ORM rows into interchange records.

Export, `show`, `list`, dry-run diffs and edits all read records through these functions, so a
record looks the same wherever kb prints it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

import schema
from kb.errors import NotFound
from kb.store import models as m

RECORD_TYPES = ("source", "method", "concept", "definition", "run", "claim")


def split_definition_ref(ref: str) -> tuple[str, str]:
    """`induction-head/olsson2022` -> (`induction-head`, `olsson2022`)."""
    concept, sep, key = ref.partition("/")
    if not sep or not concept or not key:
        raise NotFound(f"definition reference {ref!r} is not of the form CONCEPT/KEY")
    return concept, key


def _one(session: Session, model: type, key: str, what: str):  # type: ignore[no-untyped-def]
    row = session.scalars(select(model).where(model.key == key)).one_or_none()
    if row is None:
        raise NotFound(f"no {what} with key {key!r}")
    return row


def get_source(session: Session, key: str) -> m.Source:
    return _one(session, m.Source, key, "source")


def get_method(session: Session, key: str) -> m.Method:
    return _one(session, m.Method, key, "method")


def get_concept(session: Session, key: str) -> m.Concept:
    return _one(session, m.Concept, key, "concept")


def get_run(session: Session, key: str) -> m.Run:
    return _one(session, m.Run, key, "run")


def get_claim(session: Session, key: str) -> m.Claim:
    return _one(session, m.Claim, key, "claim")


def get_definition(session: Session, ref: str) -> m.Definition:
    concept_key, key = split_definition_ref(ref)
    row = session.scalars(
        select(m.Definition).join(m.Definition.concept).where(m.Concept.key == concept_key, m.Definition.key == key)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no definition {ref!r} (concept {concept_key!r}, key {key!r})")
    return row


def definition_ref(definition: m.Definition) -> str:
    return f"{definition.concept.key}/{definition.key}"


# --- ORM -> interchange records ------------------------------------------------------------


def source_record(row: m.Source) -> schema.Source:
    return schema.Source(
        key=row.key, title=row.title, authors=list(row.authors or []), year=row.year,
        url=row.url, arxiv=row.arxiv, doi=row.doi,
    )


def method_record(row: m.Method) -> schema.Method:
    return schema.Method(key=row.key, name=row.name, kind=row.kind, description=row.description)


def definition_record(row: m.Definition) -> schema.Definition:
    return schema.Definition(
        key=row.key,
        kind=row.kind,
        text=row.text,
        source=row.source.key if row.source else None,
        status=row.status,
        depends_on=[dep.concept.key for dep in row.dependencies],
        criteria=[
            schema.Criterion(method=c.method.key, op=c.op, threshold=c.threshold) for c in row.criteria
        ],
        cues=list(row.cues or []),
    )


def relation_records(row: m.Concept) -> list[schema.Relation]:
    relations = [schema.Relation(type=r.type, target=r.target.key) for r in row.relations]
    return sorted(relations, key=lambda r: (r.type.value, r.target))


def concept_record(row: m.Concept, with_definitions: bool = True) -> schema.Concept:
    return schema.Concept(
        key=row.key,
        name=row.name,
        aliases=list(row.aliases or []),
        domain=row.domain,
        summary=row.summary,
        relations=relation_records(row),
        definitions=[definition_record(d) for d in row.definitions] if with_definitions else [],
    )


def run_record(row: m.Run) -> schema.Run:
    return schema.Run(
        key=row.key, method=row.method.key, subject=row.subject, value=row.value, dataset=row.dataset,
        params=dict(row.params or {}), source=row.source.key if row.source else None, kind=row.kind,
    )


def claim_record(row: m.Claim) -> schema.Claim:
    evidence = [
        schema.Evidence(run=link.run.key, stance=link.stance)
        if link.run is not None
        else schema.Evidence(claim=link.cited_claim.key, stance=link.stance)  # type: ignore[union-attr]
        for link in row.evidence
    ]
    return schema.Claim(
        key=row.key,
        source=row.source.key,
        concept=row.concept.key,
        text=row.text,
        stated_kind=row.stated_kind,
        definition=definition_ref(row.definition) if row.definition else None,
        subject=row.subject,
        evidence=evidence,
        suppress=[schema.Suppression(code=s.code, reason=s.reason) for s in row.suppressions],
    )


# --- listing ----------------------------------------------------------------------------------


def list_sources(session: Session) -> Sequence[m.Source]:
    return session.scalars(select(m.Source).order_by(m.Source.key)).all()


def list_methods(session: Session) -> Sequence[m.Method]:
    return session.scalars(select(m.Method).order_by(m.Method.key)).all()


def list_concepts(session: Session) -> Sequence[m.Concept]:
    return session.scalars(
        select(m.Concept)
        .options(
            selectinload(m.Concept.relations).selectinload(m.ConceptRelation.target),
            selectinload(m.Concept.definitions).options(
                selectinload(m.Definition.source),
                selectinload(m.Definition.criteria).selectinload(m.Criterion.method),
                selectinload(m.Definition.dependencies).selectinload(m.DefinitionDependency.concept),
            ),
        )
        .order_by(m.Concept.key)
    ).all()


def list_definitions(session: Session, concept: str | None = None) -> Sequence[m.Definition]:
    query = (
        select(m.Definition)
        .join(m.Definition.concept)
        .options(
            selectinload(m.Definition.concept),
            selectinload(m.Definition.source),
            selectinload(m.Definition.criteria).selectinload(m.Criterion.method),
            selectinload(m.Definition.dependencies).selectinload(m.DefinitionDependency.concept),
        )
        .order_by(m.Concept.key, m.Definition.key)
    )
    if concept is not None:
        get_concept(session, concept)
        query = query.where(m.Concept.key == concept)
    return session.scalars(query).all()


def list_runs(session: Session) -> Sequence[m.Run]:
    return session.scalars(
        select(m.Run).options(selectinload(m.Run.method), selectinload(m.Run.source)).order_by(m.Run.key)
    ).all()


def list_claims(session: Session) -> Sequence[m.Claim]:
    return session.scalars(
        select(m.Claim)
        .options(
            selectinload(m.Claim.source),
            selectinload(m.Claim.concept),
            selectinload(m.Claim.definition).selectinload(m.Definition.concept),
            selectinload(m.Claim.evidence).options(
                selectinload(m.EvidenceLink.run), selectinload(m.EvidenceLink.cited_claim)
            ),
            selectinload(m.Claim.suppressions),
        )
        .order_by(m.Claim.key)
    ).all()

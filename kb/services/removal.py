"""Removing records. A record that others reference is kept unless the caller asks to cascade;
then records that cannot exist without it go too (a run without its method, a claim without its
concept or source), and optional references to it are cleared. Either way the caller is told
exactly what goes, before (refusal) or after (cascade)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kb.errors import Referenced
from kb.services import catalog
from kb.store import models as m
from kb.store.database import Store
from kb.store.migrate import require_current


@dataclass
class RemovalPlan:
    """What removing a record takes with it: its own parts (`owned`, never a reason to refuse),
    records that depend on it (`removed`) and references to it that are cleared."""

    target: str
    owned: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)
    claim_ids: set[int] = field(default_factory=set)
    run_ids: set[int] = field(default_factory=set)
    criterion_ids: set[int] = field(default_factory=set)

    @property
    def has_dependents(self) -> bool:
        return bool(self.removed or self.cleared)

    def describe(self) -> list[str]:
        return [f"removes {item}" for item in self.owned + self.removed] + [f"clears {item}" for item in self.cleared]


def _claims_where(session: Session, condition) -> list[m.Claim]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(m.Claim).where(condition).order_by(m.Claim.key)))


def _plan_claims(session: Session, plan: RemovalPlan, claims: list[m.Claim], why: str) -> None:
    for claim in claims:
        if claim.id not in plan.claim_ids:
            plan.claim_ids.add(claim.id)
            plan.removed.append(f"claim {claim.key} ({why})")
    _plan_citations(session, plan)


def _plan_citations(session: Session, plan: RemovalPlan) -> None:
    if not plan.claim_ids:
        return
    links = session.execute(
        select(m.Claim.key, m.EvidenceLink.cited_claim_id)
        .join(m.EvidenceLink, m.EvidenceLink.claim_id == m.Claim.id)
        .where(m.EvidenceLink.cited_claim_id.in_(plan.claim_ids), m.Claim.id.not_in(plan.claim_ids))
        .order_by(m.Claim.key)
    )
    for citing, _ in links:
        note = f"claim {citing}'s citation of a removed claim"
        if note not in plan.cleared:
            plan.cleared.append(note)


def plan_removal(session: Session, type_: str, key: str) -> RemovalPlan:
    plan = RemovalPlan(target=f"{type_} {key}")
    if type_ == "source":
        source = catalog.get_source(session, key)
        _plan_claims(session, plan, _claims_where(session, m.Claim.source_id == source.id), f"made by {key}")
        for d in session.scalars(select(m.Definition).where(m.Definition.source_id == source.id)):
            plan.cleared.append(f"definition {catalog.definition_ref(d)}'s source")
        for run_key in session.scalars(select(m.Run.key).where(m.Run.source_id == source.id).order_by(m.Run.key)):
            plan.cleared.append(f"run {run_key}'s source")
    elif type_ == "method":
        method = catalog.get_method(session, key)
        for criterion in session.scalars(select(m.Criterion).where(m.Criterion.method_id == method.id)):
            plan.criterion_ids.add(criterion.id)
            definition = session.get(m.Definition, criterion.definition_id)
            plan.removed.append(f"a criterion of definition {catalog.definition_ref(definition)}")  # type: ignore[arg-type]
        for run in session.scalars(select(m.Run).where(m.Run.method_id == method.id).order_by(m.Run.key)):
            plan.run_ids.add(run.id)
            plan.removed.append(f"run {run.key} (measured with {key})")
        _plan_run_links(session, plan)
    elif type_ == "concept":
        concept = catalog.get_concept(session, key)
        for d in concept.definitions:
            plan.owned.append(f"definition {key}/{d.key}")
        _plan_claims(session, plan, _claims_where(session, m.Claim.concept_id == concept.id), f"about {key}")
        own_defs = [d.id for d in concept.definitions]
        if own_defs:
            for claim in _claims_where(session, m.Claim.definition_id.in_(own_defs)):
                if claim.id not in plan.claim_ids:
                    plan.cleared.append(f"claim {claim.key}'s definition")
        for dep in session.scalars(select(m.DefinitionDependency).where(m.DefinitionDependency.concept_id == concept.id)):
            definition = session.get(m.Definition, dep.definition_id)
            if definition.concept_id != concept.id:  # type: ignore[union-attr]
                plan.cleared.append(f"definition {catalog.definition_ref(definition)}'s dependency on {key}")  # type: ignore[arg-type]
        for rel in session.scalars(
            select(m.ConceptRelation).where(m.ConceptRelation.target_id == concept.id, m.ConceptRelation.concept_id != concept.id)
        ):
            owner = session.get(m.Concept, rel.concept_id)
            plan.cleared.append(f"concept {owner.key}'s {rel.type} relation to {key}")  # type: ignore[union-attr]
    elif type_ == "definition":
        definition = catalog.get_definition(session, key)
        for claim in _claims_where(session, m.Claim.definition_id == definition.id):
            plan.cleared.append(f"claim {claim.key}'s definition")
    elif type_ == "run":
        run = catalog.get_run(session, key)
        plan.run_ids.add(run.id)
        _plan_run_links(session, plan)
    elif type_ == "claim":
        claim = catalog.get_claim(session, key)
        plan.claim_ids.add(claim.id)
        _plan_citations(session, plan)
    return plan


def _plan_run_links(session: Session, plan: RemovalPlan) -> None:
    if not plan.run_ids:
        return
    rows = session.execute(
        select(m.Claim.key, m.Run.key)
        .join(m.EvidenceLink, m.EvidenceLink.claim_id == m.Claim.id)
        .join(m.Run, m.Run.id == m.EvidenceLink.run_id)
        .where(m.EvidenceLink.run_id.in_(plan.run_ids))
        .order_by(m.Claim.key, m.Run.key)
    )
    for claim_key, run_key in rows:
        plan.cleared.append(f"claim {claim_key}'s evidence link to run {run_key}")


def _execute(session: Session, type_: str, key: str, plan: RemovalPlan) -> None:
    """Delete dependents first, then the record itself, so no foreign key is ever dangling."""
    if plan.claim_ids:
        session.execute(delete(m.EvidenceLink).where(m.EvidenceLink.cited_claim_id.in_(plan.claim_ids)))
    if plan.run_ids:
        session.execute(delete(m.EvidenceLink).where(m.EvidenceLink.run_id.in_(plan.run_ids)))
    if plan.criterion_ids:
        session.execute(delete(m.Criterion).where(m.Criterion.id.in_(plan.criterion_ids)))
    if type_ == "source":
        source = catalog.get_source(session, key)
        session.execute(update(m.Definition).where(m.Definition.source_id == source.id).values(source_id=None))
        session.execute(update(m.Run).where(m.Run.source_id == source.id).values(source_id=None))
    if type_ == "concept":
        concept = catalog.get_concept(session, key)
        own_defs = [d.id for d in concept.definitions]
        if own_defs:
            session.execute(update(m.Claim).where(m.Claim.definition_id.in_(own_defs)).values(definition_id=None))
        session.execute(delete(m.DefinitionDependency).where(m.DefinitionDependency.concept_id == concept.id))
        session.execute(delete(m.ConceptRelation).where(m.ConceptRelation.target_id == concept.id))
    if type_ == "definition":
        definition = catalog.get_definition(session, key)
        session.execute(update(m.Claim).where(m.Claim.definition_id == definition.id).values(definition_id=None))
    for claim in session.scalars(select(m.Claim).where(m.Claim.id.in_(plan.claim_ids))):
        session.delete(claim)
    for run in session.scalars(select(m.Run).where(m.Run.id.in_(plan.run_ids))):
        session.delete(run)
    session.flush()
    if type_ == "definition":
        session.delete(catalog.get_definition(session, key))
    elif type_ not in ("claim", "run"):
        session.delete(getattr(catalog, f"get_{type_}")(session, key))
    session.flush()


def remove_record(store: Store, type_: str, key: str, cascade: bool = False) -> RemovalPlan:
    """Remove a record; refuse (listing what depends on it) unless `cascade`."""
    require_current(store)
    with store.session(write=True) as session:
        plan = plan_removal(session, type_, key)
        if plan.has_dependents and not cascade:
            details = "\n".join(f"  - {line}" for line in plan.describe())
            raise Referenced(
                f"{plan.target} is referenced; `--cascade` would:\n{details}\nnothing was removed"
            )
        _execute(session, type_, key, plan)
        return plan

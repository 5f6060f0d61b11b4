"""The audit's read-only view of claims and their evidence, gathered with a few set-based queries.

Five queries load everything the rules look at (claims, definitions, criteria, evidence links,
suppressions), however many claims there are: never one query per claim. The concept graph
(relations and definitions' dependencies) comes from `kb.graph.build`, in two more. When the audit is
restricted to a paper or a concept, a recursive query first finds those claims plus every claim
they cite for support, transitively, since a claim's supporting evidence runs through them.

The view holds frozen, slotted dataclasses and tuples, never ORM objects, so the rules that
read it cannot write to the database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from kb.graph.build import concept_graph
from kb.store import models as m

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True, slots=True)
class CriterionView:
    method: str
    op: str
    threshold: float | None


@dataclass(frozen=True, slots=True)
class DefinitionView:
    ref: str  # concept/key
    kind: str
    status: str
    criteria: tuple[CriterionView, ...]
    cues: tuple[str, ...] = ()  # phrases marking this definition's sense in text


@dataclass(frozen=True, slots=True)
class EvidenceView:
    """One evidence link: to a run (with the run's effective kind) or to a cited claim."""

    stance: str
    run: str | None = None
    run_kind: str | None = None  # the run's own kind, else its method's
    method: str | None = None
    subject: str | None = None
    value: float | None = None
    cited_claim: str | None = None

    @property
    def is_run(self) -> bool:
        return self.run is not None

    @property
    def supports(self) -> bool:
        return self.stance == "supports"


@dataclass(frozen=True, slots=True)
class SuppressionView:
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class ClaimView:
    key: str
    paper: str  # the source's key
    concept: str
    stated_kind: str | None  # as written on the claim; see ClaimFacts.stated_kind for the derived one
    definition: DefinitionView | None
    subject: str | None
    origin_file: str | None
    origin_line: int | None
    evidence: tuple[EvidenceView, ...]
    suppressions: tuple[SuppressionView, ...]
    concept_definition_kinds: frozenset[str]  # kinds of every definition of the claim's concept
    text: str = ""
    concept_terms: tuple[str, ...] = ()  # the concept's name and aliases
    concept_cues: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (kind, cues) of its definitions


@dataclass(frozen=True, slots=True)
class AuditView:
    """Every loaded claim by key, and which of them the audit reports on.

    `claims` also holds the claims that audited claims cite (transitively), since their
    evidence counts as support; only the keys in `audited` are checked by the rules. `concepts`
    is the whole concept graph (two more queries), from which dependency chains are derived.
    """

    claims: MappingProxyType[str, ClaimView]
    audited: tuple[str, ...]
    concepts: nx.MultiDiGraph | None = None  # the concept graph (`kb.graph.build`), for KB111


def load_view(session: Session, paper_id: int | None = None, concept_id: int | None = None) -> AuditView:
    """Gather the view of the claims of a paper and/or concept (every claim when neither is given)."""
    scope: list[ColumnElement[bool]] = []
    if paper_id is not None:
        scope.append(m.Claim.source_id == paper_id)
    if concept_id is not None:
        scope.append(m.Claim.concept_id == concept_id)
    loaded = _reachable_claim_ids(scope) if scope else None

    def only_loaded(query: Select[Any], column: Any) -> Select[Any]:
        return query if loaded is None else query.where(column.in_(loaded))

    # Plain Core execution: rows come back as tuples, without the ORM's per-row bookkeeping.
    conn = session.connection()
    claim_rows = conn.execute(
        only_loaded(
            select(
                m.Claim.id, m.Claim.key, m.Source.key, m.Claim.concept_id, m.Claim.stated_kind,
                m.Claim.definition_id, m.Claim.subject, m.Claim.origin_file, m.Claim.origin_line,
                m.Claim.source_id, m.Claim.text,
            )
            .join(m.Source, m.Claim.source_id == m.Source.id),
            m.Claim.id,
        )
    ).all()
    # Each concept's key and terms once, not once per claim (aliases are JSON to decode).
    concepts: dict[int, tuple[str, tuple[str, ...]]] = {
        concept_id: (key, (name, *(aliases or ())))
        for concept_id, key, name, aliases in conn.execute(
            select(m.Concept.id, m.Concept.key, m.Concept.name, m.Concept.aliases).where(
                m.Concept.id.in_(select(m.Claim.concept_id).where(m.Claim.id.in_(loaded)))
            )
            if loaded is not None
            else select(m.Concept.id, m.Concept.key, m.Concept.name, m.Concept.aliases)
        )
    }

    definitions = _load_definitions(session, loaded)
    kinds_by_concept: dict[int, set[str]] = defaultdict(set)
    cues_by_concept: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for concept, definition in definitions.values():
        kinds_by_concept[concept].add(definition.kind)
        cues_by_concept[concept][definition.kind].extend(definition.cues)

    evidence: dict[int, list[EvidenceView]] = defaultdict(list)
    cited = aliased(m.Claim)
    for claim_id, stance, run, run_kind, method, subject, value, cited_key in conn.execute(
        only_loaded(
            select(
                m.EvidenceLink.claim_id, m.EvidenceLink.stance, m.Run.key, func.coalesce(m.Run.kind, m.Method.kind),
                m.Method.key, m.Run.subject, m.Run.value, cited.key,
            )
            .outerjoin(m.Run, m.EvidenceLink.run_id == m.Run.id)
            .outerjoin(m.Method, m.Run.method_id == m.Method.id)
            .outerjoin(cited, m.EvidenceLink.cited_claim_id == cited.id)
            .order_by(m.EvidenceLink.claim_id, m.EvidenceLink.position),
            m.EvidenceLink.claim_id,
        )
    ).all():  # one fetchall: iterating the result would fetch row by row
        evidence[claim_id].append(EvidenceView(stance, run, run_kind, method, subject, value, cited_key))

    suppressions: dict[int, list[SuppressionView]] = defaultdict(list)
    for claim_id, code, reason in conn.execute(
        only_loaded(
            select(m.Suppression.claim_id, m.Suppression.code, m.Suppression.reason).order_by(
                m.Suppression.claim_id, m.Suppression.position
            ),
            m.Suppression.claim_id,
        )
    ).all():
        suppressions[claim_id].append(SuppressionView(code, reason))

    claims: dict[str, ClaimView] = {}
    audited: list[str] = []
    for (claim_id, key, paper, c_id, stated_kind, definition_id, subject, origin_file, origin_line,
         source_id, text) in claim_rows:
        concept, concept_terms = concepts[c_id]
        claims[key] = ClaimView(
            key=key,
            paper=paper,
            concept=concept,
            stated_kind=stated_kind,
            definition=definitions[definition_id][1] if definition_id is not None else None,
            subject=subject,
            origin_file=origin_file,
            origin_line=origin_line,
            evidence=tuple(evidence.get(claim_id, ())),
            suppressions=tuple(suppressions.get(claim_id, ())),
            concept_definition_kinds=frozenset(kinds_by_concept.get(c_id, ())),
            text=text,
            concept_terms=concept_terms,
            concept_cues=tuple(sorted((kind, tuple(cues)) for kind, cues in cues_by_concept.get(c_id, {}).items())),
        )
        if (paper_id is None or source_id == paper_id) and (concept_id is None or c_id == concept_id):
            audited.append(key)
    return AuditView(
        claims=MappingProxyType(claims), audited=tuple(sorted(audited)), concepts=concept_graph(session)
    )


def _reachable_claim_ids(scope: list[ColumnElement[bool]]) -> Select[Any]:
    """Ids of the claims in scope and of every claim they cite for support, transitively.

    `UNION` (not `UNION ALL`) drops ids already found, so the recursion ends on citation cycles.
    """
    reach = select(m.Claim.id.label("id")).where(*scope).cte("reach", recursive=True)
    reach = reach.union(
        select(m.EvidenceLink.cited_claim_id)
        .join(reach, m.EvidenceLink.claim_id == reach.c.id)
        .where(m.EvidenceLink.cited_claim_id.is_not(None), m.EvidenceLink.stance == "supports")
    )
    return select(reach.c.id)


def _load_definitions(session: Session, loaded: Select[Any] | None) -> dict[int, tuple[int, DefinitionView]]:
    """Definitions of the loaded claims' concepts and the definitions they name: id -> (concept id, view)."""
    query = select(
        m.Definition.id, m.Definition.concept_id, m.Concept.key, m.Definition.key, m.Definition.kind,
        m.Definition.status, m.Definition.cues,
    ).join(m.Concept, m.Definition.concept_id == m.Concept.id)
    criteria_query = (
        select(m.Criterion.definition_id, m.Method.key, m.Criterion.op, m.Criterion.threshold)
        .join(m.Method, m.Criterion.method_id == m.Method.id)
        .join(m.Definition, m.Criterion.definition_id == m.Definition.id)
        .order_by(m.Criterion.definition_id, m.Criterion.position)
    )
    if loaded is not None:
        wanted = or_(
            m.Definition.concept_id.in_(select(m.Claim.concept_id).where(m.Claim.id.in_(loaded))),
            m.Definition.id.in_(select(m.Claim.definition_id).where(m.Claim.id.in_(loaded))),
        )
        query, criteria_query = query.where(wanted), criteria_query.where(wanted)
    criteria: dict[int, list[CriterionView]] = defaultdict(list)
    for definition_id, method, op, threshold in session.connection().execute(criteria_query):
        criteria[definition_id].append(CriterionView(method, op, threshold))
    return {
        definition_id: (
            concept_id,
            DefinitionView(
                f"{concept_key}/{key}", kind, status, tuple(criteria.get(definition_id, ())), tuple(cues or ())
            ),
        )
        for definition_id, concept_id, concept_key, key, kind, status, cues in session.connection().execute(query)
    }

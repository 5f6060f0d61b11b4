"""The one place that turns the knowledge base into networkx graphs.

The CLI, import validation, `kb db check`, the audit (KB111), exports and the report's maps all
start from these builders; none of them walks the store's relations by hand.

**Concept graph** (`nx.MultiDiGraph`, one node per concept key):

- node attributes: `name`; `definitions`, a dict `ref -> {"kind", "status"}`; `kinds`, the
  sorted tuple of its definitions' kinds; `refuted`, True when the concept has definitions and
  every one of them is refuted.
- edges `concept --broader|related|part_of--> target` from its relations (edge key = the type;
  a `narrower` relation is stored, and drawn, as the inverse `broader` edge), and
  `concept --depends_on--> other` for each definition of `concept` that depends on `other`
  (edge key `depends_on:<definition ref>`, attributes `definition` and `status`).
- every edge has `relation` (its type) and, when it comes from an import, `origin` (the
  `kb.errors.Location` of the record that states it).

**Evidence graph** (`nx.MultiDiGraph`): nodes `claim:<key>` and `run:<key>`; edges from a claim to
each run and cited claim of its evidence, with `stance` (edge key = the evidence position).

Nodes and edges are inserted in sorted order, so every traversal and export is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from kb.errors import Location

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kb.services.changeset import Changeset

BROADER, NARROWER, RELATED, PART_OF, DEPENDS_ON = "broader", "narrower", "related", "part_of", "depends_on"
RELATIONS = (BROADER, PART_OF, RELATED)
HIERARCHICAL = (BROADER, PART_OF)
EDGE_TYPES = (BROADER, PART_OF, RELATED, DEPENDS_ON)


@dataclass(frozen=True)
class DefinitionFacts:
    """What the concept graph needs of one definition."""

    concept: str
    key: str
    kind: str
    status: str
    depends_on: tuple[str, ...] = ()
    origin: Location | None = None

    @property
    def ref(self) -> str:
        return f"{self.concept}/{self.key}"


@dataclass
class ConceptFacts:
    """Plain facts the concept graph is drawn from, read from the store or from an import.

    `relations` maps `(concept, type, target)` to the location of the record that states it
    (None for edges already in the database).
    """

    names: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, DefinitionFacts] = field(default_factory=dict)
    relations: dict[tuple[str, str, str], Location | None] = field(default_factory=dict)

    def overlay(self, incoming: ConceptFacts, replaced_concepts: Iterable[str]) -> ConceptFacts:
        """The facts after writing `incoming` over these, as `kb.services.writer` does: an
        imported concept replaces its outgoing relations, an imported definition replaces the
        stored one, and `narrower` edges (already inverted in `incoming`) are added."""
        replaced = set(replaced_concepts)
        relations = {edge: origin for edge, origin in self.relations.items() if edge[0] not in replaced}
        relations.update(incoming.relations)
        return ConceptFacts(
            names={**self.names, **incoming.names},
            definitions={**self.definitions, **incoming.definitions},
            relations=relations,
        )


# --- facts from the store ---------------------------------------------------------------------


def facts_from_store(session: Session) -> ConceptFacts:
    """Read every concept, definition, dependency and relation with two set-based queries:
    concepts with their definitions, then every edge (relations and dependencies, one union)."""
    from sqlalchemy import Integer, String, cast, literal, null, select, union_all
    from sqlalchemy.orm import aliased

    from kb.store import models as m

    facts = ConceptFacts()
    definitions: dict[tuple[str, str], tuple[str, str]] = {}
    for concept, name, key, kind, status in session.execute(
        select(m.Concept.key, m.Concept.name, m.Definition.key, m.Definition.kind, m.Definition.status).outerjoin(
            m.Definition, m.Definition.concept_id == m.Concept.id
        )
    ):
        facts.names[concept] = name
        if key is not None:
            definitions[(concept, key)] = (kind, status)

    source, target, owner = aliased(m.Concept), aliased(m.Concept), aliased(m.Concept)
    relations = (
        select(source.key, m.ConceptRelation.type, target.key, cast(null(), String), cast(null(), Integer))
        .join(source, m.ConceptRelation.concept_id == source.id)
        .join(target, m.ConceptRelation.target_id == target.id)
    )
    dependencies = (
        select(owner.key, literal(DEPENDS_ON, String), target.key, m.Definition.key, m.DefinitionDependency.position)
        .join(m.Definition, m.DefinitionDependency.definition_id == m.Definition.id)
        .join(owner, m.Definition.concept_id == owner.id)
        .join(target, m.DefinitionDependency.concept_id == target.id)
    )
    depends_on: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for src, type_, tgt, definition, position in session.execute(union_all(relations, dependencies)):
        if type_ == DEPENDS_ON:
            depends_on.setdefault((src, definition), []).append((position, tgt))
        else:
            facts.relations[(src, type_, tgt)] = None
    for (concept, key), (kind, status) in definitions.items():
        deps = tuple(k for _, k in sorted(depends_on.get((concept, key), [])))
        d = DefinitionFacts(concept=concept, key=key, kind=kind, status=status, depends_on=deps)
        facts.definitions[d.ref] = d
    return facts


# --- facts from an import -------------------------------------------------------------------


def facts_from_changeset(changeset: Changeset) -> ConceptFacts:
    """The concept-graph facts an import brings, each edge with the location that states it."""
    facts = ConceptFacts()
    for item in changeset.of("concept"):
        record = item.record
        facts.names[item.key] = record.name  # type: ignore[attr-defined]
        for index, relation in enumerate(record.relations):  # type: ignore[attr-defined]
            field = f"relations[{index}]"
            where = Location(file=item.origin.file, line=item.line_of(field), record=item.key, field=field)
            type_ = relation.type.value
            edge = (relation.target, BROADER, item.key) if type_ == NARROWER else (item.key, type_, relation.target)
            facts.relations.setdefault(edge, where)
    for item in changeset.of("definition"):
        record = item.record
        concept, _, key = item.key.partition("/")
        facts.definitions[item.key] = DefinitionFacts(
            concept=concept,
            key=key,
            kind=record.kind.value,  # type: ignore[attr-defined]
            status=record.status.value,  # type: ignore[attr-defined]
            depends_on=tuple(dict.fromkeys(record.depends_on)),  # type: ignore[attr-defined]
            origin=item.origin,
        )
    return facts


# --- graphs ---------------------------------------------------------------------------------


def graph_from_facts(facts: ConceptFacts) -> nx.MultiDiGraph:
    """Build the concept graph (see the module docstring) from plain facts."""
    graph = nx.MultiDiGraph()
    by_concept: dict[str, dict[str, dict[str, str]]] = {}
    for ref in sorted(facts.definitions):
        d = facts.definitions[ref]
        by_concept.setdefault(d.concept, {})[ref] = {"kind": d.kind, "status": d.status}
    keys = set(facts.names) | set(by_concept)
    keys |= {k for src, _, tgt in facts.relations for k in (src, tgt)}
    keys |= {k for d in facts.definitions.values() for k in d.depends_on}
    for key in sorted(keys):
        definitions = by_concept.get(key, {})
        graph.add_node(
            key,
            name=facts.names.get(key, key),
            definitions=definitions,
            kinds=tuple(sorted({d["kind"] for d in definitions.values()})),
            refuted=bool(definitions) and all(d["status"] == "refuted" for d in definitions.values()),
        )
    edges: list[tuple[str, str, str, dict[str, Any]]] = []
    for (src, type_, tgt), origin in facts.relations.items():
        edges.append((src, tgt, type_, {"relation": type_, "origin": origin}))
    for ref, d in facts.definitions.items():
        for dep in d.depends_on:
            edges.append(
                (d.concept, dep, f"{DEPENDS_ON}:{ref}",
                 {"relation": DEPENDS_ON, "definition": ref, "status": d.status, "origin": d.origin})
            )
    for src, tgt, key, data in sorted(edges, key=lambda e: (e[0], e[1], e[2])):
        if data["origin"] is None:
            del data["origin"]
        graph.add_edge(src, tgt, key=key, **data)
    return graph


def concept_graph(session: Session) -> nx.MultiDiGraph:
    """The concept graph of everything in the store."""
    return graph_from_facts(facts_from_store(session))


def concept_graph_from_changeset(changeset: Changeset, session: Session | None = None) -> nx.MultiDiGraph:
    """The concept graph an import would leave: with a session, the store's graph with the
    import written over it; without, the graph of the import alone (e.g. one document)."""
    incoming = facts_from_changeset(changeset)
    if session is None:
        return graph_from_facts(incoming)
    base = facts_from_store(session)
    return graph_from_facts(base.overlay(incoming, changeset.keys("concept")))


def evidence_graph(session: Session) -> nx.MultiDiGraph:
    """Claims and the runs and claims their evidence links to (see the module docstring)."""
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    from kb.store import models as m

    graph = nx.MultiDiGraph()
    def_concept = aliased(m.Concept)
    claims = session.execute(
        select(
            m.Claim.id, m.Claim.key, m.Source.key, m.Concept.key, m.Claim.stated_kind,
            def_concept.key, m.Definition.key, m.Claim.subject,
        )
        .join(m.Source, m.Claim.source_id == m.Source.id)
        .join(m.Concept, m.Claim.concept_id == m.Concept.id)
        .outerjoin(m.Definition, m.Claim.definition_id == m.Definition.id)
        .outerjoin(def_concept, m.Definition.concept_id == def_concept.id)
        .order_by(m.Claim.key)
    )
    claim_keys: dict[int, str] = {}
    for claim_id, key, source, concept, stated_kind, d_concept, d_key, subject in claims:
        claim_keys[claim_id] = key
        graph.add_node(
            claim_node(key), type="claim", key=key, source=source, concept=concept, stated_kind=stated_kind,
            definition=f"{d_concept}/{d_key}" if d_key else None, subject=subject,
        )
    runs = session.execute(
        select(m.Run.id, m.Run.key, m.Method.key, m.Run.kind, m.Method.kind, m.Run.subject, m.Run.value)
        .join(m.Method, m.Run.method_id == m.Method.id)
        .where(m.Run.id.in_(select(m.EvidenceLink.run_id).where(m.EvidenceLink.run_id.is_not(None))))
        .order_by(m.Run.key)
    )
    run_keys: dict[int, str] = {}
    for run_id, key, method, own_kind, method_kind, subject, value in runs:
        run_keys[run_id] = key
        graph.add_node(
            run_node(key), type="run", key=key, method=method, kind=own_kind or method_kind,
            subject=subject, value=value,
        )
    links = session.execute(
        select(m.EvidenceLink.claim_id, m.EvidenceLink.position, m.EvidenceLink.run_id,
               m.EvidenceLink.cited_claim_id, m.EvidenceLink.stance)
    )
    edges = []
    for claim_id, position, run_id, cited_id, stance in links:
        target = run_node(run_keys[run_id]) if run_id is not None else claim_node(claim_keys[cited_id])
        edges.append((claim_node(claim_keys[claim_id]), position, target, stance))
    for source_node, position, target, stance in sorted(edges):
        graph.add_edge(source_node, target, key=position, stance=stance)
    return graph


def claim_node(key: str) -> str:
    return f"claim:{key}"


def run_node(key: str) -> str:
    return f"run:{key}"


# --- views every consumer shares ------------------------------------------------------------


def kind_label(kinds: tuple[str, ...] | list[str]) -> str:
    """A concept's badge: `behavioral`, `mechanistic`, `both` or `none` (as `kb concept list`)."""
    if len(kinds) > 1:
        return "both"
    return kinds[0] if kinds else "none"


def relation_graph(graph: nx.MultiDiGraph, relations: Iterable[str]) -> nx.DiGraph:
    """A simple directed graph of the concept graph's edges of the given types (sorted)."""
    wanted = set(relations)
    view = nx.DiGraph()
    view.add_nodes_from(sorted(graph.nodes))
    view.add_edges_from(sorted({(u, v) for u, v, r in graph.edges(data="relation") if r in wanted}))
    return view


def undirected(graph: nx.MultiDiGraph) -> nx.Graph:
    """The concept graph with direction and edge types dropped (sorted), for distances and
    components."""
    view = nx.Graph()
    view.add_nodes_from(sorted(graph.nodes))
    view.add_edges_from(sorted({tuple(sorted((u, v))) for u, v in graph.edges()}))
    return view


def edges_between(graph: nx.MultiDiGraph, a: str, b: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every edge between `a` and `b` in either direction, sorted by (source, type, definition)."""
    found = [(a, b, d) for d in graph.get_edge_data(a, b, default={}).values()]
    if a != b:
        found += [(b, a, d) for d in graph.get_edge_data(b, a, default={}).values()]
    return sorted(found, key=lambda e: (e[0], EDGE_TYPES.index(e[2]["relation"]), e[2].get("definition", "")))


def edge_text(source: str, target: str, data: dict[str, Any]) -> str:
    """`a -broader-> b`, or `a -depends_on(a/def)-> b` for a definition's dependency."""
    label = data["relation"]
    if label == DEPENDS_ON:
        label = f"{DEPENDS_ON}({data['definition']})"
    return f"{source} -{label}-> {target}"

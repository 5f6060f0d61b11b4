"""The graph builders: from the store (both backends), from an import, and the two agree."""

from __future__ import annotations

import schema
from kb.graph.build import concept_graph, concept_graph_from_changeset, evidence_graph
from kb.services.changeset import single

CONCEPT_EDGES = [
    ("calx", "phlogiston", "depends_on:calx/stahl1703"),
    ("calx", "phlogiston", "related"),
    ("fire", "oxidation", "depends_on:fire/lavoisier-oxidation"),
    ("fire", "oxidation", "related"),
    ("fire", "phlogiston", "depends_on:fire/stahl-phlogiston"),
    ("induction-head", "attention-head", "broader"),
    ("induction-head", "in-context-learning", "related"),
    ("induction-head", "k-composition", "depends_on:induction-head/elhage2021"),
    ("induction-head", "previous-token-head", "depends_on:induction-head/elhage2021"),
    ("k-composition", "attention-head", "depends_on:k-composition/elhage2021"),
    ("k-composition", "induction-head", "part_of"),
    ("previous-token-head", "attention-head", "broader"),  # stated as attention-head's `narrower`
    ("rust", "calx", "broader"),
    ("rust", "calx", "depends_on:rust/stahl"),
]


def _comparable(graph):  # type: ignore[no-untyped-def]
    nodes = dict(graph.nodes(data=True))
    edges = [(u, v, k, {a: x for a, x in d.items() if a != "origin"}) for u, v, k, d in graph.edges(keys=True, data=True)]
    return nodes, edges


def test_concept_graph_from_the_store(small_store) -> None:  # type: ignore[no-untyped-def]
    with small_store.session() as session:
        graph = concept_graph(session)
    assert list(graph.nodes) == [
        "attention-head", "calx", "fire", "in-context-learning", "induction-head", "k-composition",
        "oxidation", "phlogiston", "previous-token-head", "rust", "whale",
    ]
    assert list(graph.edges(keys=True)) == CONCEPT_EDGES
    assert graph.nodes["fire"] == {
        "name": "Fire",
        "definitions": {
            "fire/flame": {"kind": "behavioral", "status": "active"},
            "fire/lavoisier-oxidation": {"kind": "mechanistic", "status": "active"},
            "fire/stahl-phlogiston": {"kind": "mechanistic", "status": "refuted"},
        },
        "kinds": ("behavioral", "mechanistic"),
        "refuted": False,
    }
    assert graph.nodes["phlogiston"]["refuted"] is True
    assert graph.edges["fire", "phlogiston", "depends_on:fire/stahl-phlogiston"] == {
        "relation": "depends_on", "definition": "fire/stahl-phlogiston", "status": "refuted",
    }


def test_graph_of_an_import_matches_the_stored_graph(small_store, small_graph) -> None:  # type: ignore[no-untyped-def]
    with small_store.session() as session:
        stored = concept_graph(session)
    assert _comparable(small_graph) == _comparable(stored)
    origin = small_graph.edges["previous-token-head", "attention-head", "broader"]["origin"]
    assert (origin.record, origin.field) == ("attention-head", "relations[0]")
    assert origin.file.endswith("small_kb.yaml") and origin.line == 18


def test_graph_an_import_would_leave_replaces_the_concepts_relations(small_store) -> None:  # type: ignore[no-untyped-def]
    rust = schema.Concept(key="rust", name="Rust", relations=[{"type": "related", "target": "fire"}])
    with small_store.session() as session:
        graph = concept_graph_from_changeset(single("concept", "rust", rust), session)
    assert ("rust", "calx", "broader") not in graph.edges(keys=True)
    assert ("rust", "calx", "depends_on:rust/stahl") in graph.edges(keys=True)  # definitions stay
    assert graph.edges["rust", "fire", "related"]["origin"].record == "rust"
    assert len(graph) == 11


def test_an_isolated_node_without_definitions_is_not_refuted() -> None:
    from kb.graph.build import ConceptFacts, graph_from_facts

    graph = graph_from_facts(ConceptFacts(names={"x": "X"}))
    assert graph.nodes["x"] == {"name": "X", "definitions": {}, "kinds": (), "refuted": False}


def test_evidence_graph(small_store) -> None:  # type: ignore[no-untyped-def]
    with small_store.session() as session:
        graph = evidence_graph(session)
    assert list(graph.edges(keys=True, data="stance")) == [
        ("claim:lavoisier-fire", "run:r-mass", 0, "supports"),
        ("claim:olsson-ih", "run:r-prefix", 0, "supports"),
        ("claim:stahl-fire", "run:r-mass", 0, "contradicts"),
        ("claim:stahl-rust", "run:r-mass", 0, "supports"),
        ("claim:wang-ih", "claim:olsson-ih", 0, "supports"),
    ]
    assert graph.nodes["claim:stahl-rust"] == {
        "type": "claim", "key": "stahl-rust", "source": "stahl1703", "concept": "rust", "stated_kind": None,
        "definition": "rust/stahl", "subject": None,
    }
    assert graph.nodes["run:r-prefix"]["kind"] == "behavioral"

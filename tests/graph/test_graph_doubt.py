"""Doubt propagation (KB111's core): chains from a definition to refuted concepts."""

from __future__ import annotations

from kb.graph.build import ConceptFacts, DefinitionFacts, graph_from_facts
from kb.graph.doubt import chain_text, refuted_chains, standing_dependencies


def _graph(*definitions: DefinitionFacts):  # type: ignore[no-untyped-def]
    return graph_from_facts(ConceptFacts(definitions={d.ref: d for d in definitions}))


def test_direct_and_transitive_chains_in_the_small_kb(small_graph) -> None:  # type: ignore[no-untyped-def]
    assert refuted_chains(small_graph, "fire/stahl-phlogiston") == [["fire/stahl-phlogiston", "phlogiston"]]
    assert refuted_chains(small_graph, "rust/stahl") == [["rust/stahl", "calx", "phlogiston"]]
    assert refuted_chains(small_graph, "fire/lavoisier-oxidation") == []
    assert refuted_chains(small_graph, "induction-head/elhage2021") == []
    assert refuted_chains(small_graph, "nowhere/x") == []


def test_chain_text() -> None:
    assert chain_text(["fire/stahl1697", "phlogiston"]) == "fire/stahl1697 -> phlogiston (all definitions refuted)"


def test_refuted_definitions_do_not_carry_doubt_further() -> None:
    graph = _graph(
        DefinitionFacts("a", "d", "mechanistic", "active", ("b",)),
        DefinitionFacts("b", "old", "mechanistic", "refuted", ("z",)),  # b's only route to z is refuted
        DefinitionFacts("b", "new", "mechanistic", "active"),
        DefinitionFacts("z", "d", "mechanistic", "refuted", ("y",)),  # the walk stops at z
        DefinitionFacts("y", "d", "mechanistic", "refuted"),
    )
    assert refuted_chains(graph, "a/d") == []
    assert refuted_chains(graph, "b/old") == [["b/old", "z"]]  # a refuted definition's own chain


def test_one_shortest_chain_per_refuted_concept_sorted_and_cycles_terminate() -> None:
    graph = _graph(
        DefinitionFacts("a", "d", "mechanistic", "active", ("c", "b")),
        DefinitionFacts("b", "d", "mechanistic", "active", ("c", "x", "a")),
        DefinitionFacts("c", "d", "mechanistic", "contested", ("x", "b")),
        DefinitionFacts("x", "d", "mechanistic", "refuted"),
        DefinitionFacts("x", "e", "behavioral", "refuted"),
    )
    standing = standing_dependencies(graph)
    assert refuted_chains(graph, "a/d", standing) == [["a/d", "b", "x"]]
    assert refuted_chains(graph, "a/d") == refuted_chains(graph, "a/d", standing)

"""Doubt propagation: which refuted concepts a definition rests on, and through what.

A concept is *refuted* when it has definitions and all of them are refuted (phlogiston). A
definition rests on each concept it `depends_on`, and transitively on what those concepts'
definitions depend on. Only definitions still standing carry doubt further: a refuted
definition's dependencies are its own problem (KB108), and the walk stops at the first refuted
concept on each route, which is the news.
"""

from __future__ import annotations

import networkx as nx

from kb.graph.build import DEPENDS_ON

SOURCE = ("definition",)  # a node no concept key can equal: the definition the walk starts from


def standing_dependencies(graph: nx.MultiDiGraph) -> nx.DiGraph:
    """`concept -> dependency` for each dependency of a definition that is not refuted, leaving
    refuted concepts as dead ends. Build once and pass to `refuted_chains` for many claims."""
    view = nx.DiGraph()
    view.add_nodes_from(sorted(graph.nodes))
    view.add_edges_from(
        sorted(
            {
                (u, v)
                for u, v, d in graph.edges(data=True)
                if d["relation"] == DEPENDS_ON and d["status"] != "refuted" and not graph.nodes[u]["refuted"]
            }
        )
    )
    return view


def refuted_chains(
    graph: nx.MultiDiGraph, definition_ref: str, standing: nx.DiGraph | None = None
) -> list[list[str]]:
    """Shortest chains from a definition to each refuted concept it rests on, sorted:
    `[["fire/stahl1697", "phlogiston"], ["rust/stahl", "calx", "phlogiston"]]`.

    The first element is the definition's ref, the others are concept keys; the last concept's
    definitions are all refuted. Unknown definitions have no chains.
    """
    concept = definition_ref.partition("/")[0]
    if concept not in graph:
        return []
    starts = sorted(
        {
            v
            for _, v, d in graph.out_edges(concept, data=True)
            if d["relation"] == DEPENDS_ON and d["definition"] == definition_ref
        }
    )
    if not starts:
        return []
    walk = nx.DiGraph(standing if standing is not None else standing_dependencies(graph))
    walk.add_edges_from((SOURCE, v) for v in starts)
    paths = nx.single_source_shortest_path(walk, SOURCE)
    chains = [[definition_ref, *paths[node][1:]] for node in paths if node != SOURCE and graph.nodes[node]["refuted"]]
    return sorted(chains, key=lambda chain: (len(chain), chain))


def chain_text(chain: list[str]) -> str:
    """`fire/stahl1697 -> phlogiston (all definitions refuted)`."""
    return " -> ".join(chain) + " (all definitions refuted)"

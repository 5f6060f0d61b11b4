"""What the `kb graph` commands ask of the graphs, as plain rows.

Each question has a pure function on graphs from `kb.graph.build` (tested without a database)
and a `*_of(store, ...)` wrapper that builds the graphs in one read transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import networkx as nx

from kb.errors import NotFound
from kb.graph.build import (
    DEPENDS_ON,
    EDGE_TYPES,
    concept_graph,
    edge_text,
    edges_between,
    evidence_graph,
    kind_label,
    relation_graph,
    undirected,
)

if TYPE_CHECKING:
    from kb.store.database import Store

T = TypeVar("T")


def _require(graph: nx.MultiDiGraph, key: str) -> None:
    if key not in graph:
        raise NotFound(f"no concept with key {key!r}")


# --- neighbors ------------------------------------------------------------------------------


def neighbors(graph: nx.MultiDiGraph, key: str, depth: int = 1) -> list[dict[str, Any]]:
    """Concepts within `depth` edges of `key` (any type, either direction), nearest first; `via`
    lists the edges that reach each one from the ring before it."""
    _require(graph, key)
    distance = nx.single_source_shortest_path_length(undirected(graph), key, cutoff=depth)
    rows = []
    for node in sorted(distance, key=lambda n: (distance[n], n)):
        if node == key:
            continue
        via = [
            edge_text(u, v, d)
            for other in sorted(set(graph.pred[node]) | set(graph.succ[node]))
            if distance.get(other) == distance[node] - 1
            for u, v, d in edges_between(graph, other, node)
        ]
        data = graph.nodes[node]
        rows.append(
            {"key": node, "name": data["name"], "kinds": kind_label(data["kinds"]), "distance": distance[node],
             "via": via}
        )
    return rows


# --- path -----------------------------------------------------------------------------------


def path(graph: nx.MultiDiGraph, a: str, b: str) -> list[dict[str, Any]] | None:
    """The shortest chain of edges between two concepts, ignoring direction (each step shows
    the edges with their real direction); None when they are not connected."""
    _require(graph, a)
    _require(graph, b)
    try:
        nodes = nx.shortest_path(undirected(graph), a, b)
    except nx.NetworkXNoPath:
        return None
    return [
        {"step": i + 1, "from": u, "to": v, "edges": [edge_text(s, t, d) for s, t, d in edges_between(graph, u, v)]}
        for i, (u, v) in enumerate(zip(nodes, nodes[1:], strict=False))
    ]


# --- dependents -----------------------------------------------------------------------------

_TYPE_ORDER = {"definition": 0, "concept": 1, "claim": 2}


def dependents(graph: nx.MultiDiGraph, evidence: nx.MultiDiGraph, key: str) -> list[dict[str, Any]]:
    """What rests on a concept: the definitions that depend on it, directly or through other
    concepts, the concepts they define, the claims stating those definitions, and the claims
    citing those claims in support. `depth` counts dependency steps; `rests_on` says on what."""
    _require(graph, key)
    reverse = relation_graph(graph, [DEPENDS_ON]).reverse(copy=False)
    concept_depth = nx.single_source_shortest_path_length(reverse, key)
    definitions: dict[str, tuple[int, list[str]]] = {}
    for _, v, d in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        if d["relation"] != DEPENDS_ON or v not in concept_depth:
            continue
        depth = concept_depth[v] + 1
        current = definitions.get(d["definition"])
        if current is None or depth < current[0]:
            definitions[d["definition"]] = (depth, [v])
        elif depth == current[0]:
            current[1].append(v)
    rows = [
        {"type": "definition", "key": ref, "depth": depth, "rests_on": sorted(on)}
        for ref, (depth, on) in definitions.items()
    ]
    for concept, depth in concept_depth.items():
        if concept != key:
            own = sorted(r for r, (dd, _) in definitions.items() if r.partition("/")[0] == concept and dd == depth)
            rows.append({"type": "concept", "key": concept, "depth": depth, "rests_on": own})
    claims: dict[str, tuple[int, list[str]]] = {}
    for node, data in evidence.nodes(data=True):
        if data["type"] == "claim" and data["definition"] in definitions:
            claims[node] = (definitions[data["definition"]][0], [data["definition"]])
    frontier = sorted(claims)
    while frontier:  # claims citing resting claims in support rest on them too, one step further
        step = []
        for cited in frontier:
            depth = claims[cited][0] + 1
            for citing, _, stance in evidence.in_edges(cited, data="stance"):
                if stance != "supports":
                    continue
                if citing not in claims:
                    claims[citing] = (depth, [])
                    step.append(citing)
                if claims[citing][0] == depth:
                    claims[citing][1].append(evidence.nodes[cited]["key"])
        frontier = sorted(step)
    rows += [
        {"type": "claim", "key": evidence.nodes[node]["key"], "depth": depth, "rests_on": sorted(set(on))}
        for node, (depth, on) in claims.items()
    ]
    return sorted(rows, key=lambda r: (r["depth"], _TYPE_ORDER[r["type"]], r["key"]))


# --- stats ----------------------------------------------------------------------------------


def stats(graph: nx.MultiDiGraph, top: int = 10) -> dict[str, Any]:
    """Counts by edge type, the most depended-upon concepts, orphans and connected components."""
    edge_counts = {t: 0 for t in EDGE_TYPES}
    depended: dict[str, set[str]] = {}
    for _, v, d in graph.edges(data=True):
        edge_counts[d["relation"]] += 1
        if d["relation"] == DEPENDS_ON:
            depended.setdefault(v, set()).add(d["definition"])
    ranked = sorted(depended.items(), key=lambda item: (-len(item[1]), item[0]))[:top]
    components = sorted(
        (sorted(c) for c in nx.connected_components(undirected(graph)) if len(c) > 1),
        key=lambda c: (-len(c), c[0]),
    )
    return {
        "concepts": graph.number_of_nodes(),
        "edges": edge_counts,
        "most_depended_upon": [
            {"key": k, "name": graph.nodes[k]["name"], "definitions": len(refs),
             "concepts": len({r.partition("/")[0] for r in refs})}
            for k, refs in ranked
        ],
        "orphans": sorted(n for n in graph.nodes if graph.degree(n) == 0),
        "components": [{"size": len(c), "concepts": c} for c in components],
    }


# --- on a store -----------------------------------------------------------------------------


def _on_concept_graph(store: Store, question: Callable[[nx.MultiDiGraph], T]) -> T:
    from kb.store.migrate import require_current

    require_current(store)
    with store.session() as session:
        graph = concept_graph(session)
    return question(graph)


def neighbors_of(store: Store, key: str, depth: int = 1) -> list[dict[str, Any]]:
    return _on_concept_graph(store, lambda g: neighbors(g, key, depth))


def path_of(store: Store, a: str, b: str) -> list[dict[str, Any]] | None:
    return _on_concept_graph(store, lambda g: path(g, a, b))


def stats_of(store: Store, top: int = 10) -> dict[str, Any]:
    return _on_concept_graph(store, lambda g: stats(g, top))


def dependents_of(store: Store, key: str) -> list[dict[str, Any]]:
    from kb.store.migrate import require_current

    require_current(store)
    with store.session() as session:
        graph, evidence = concept_graph(session), evidence_graph(session)
    return dependents(graph, evidence, key)

"""Graph validation: a concept cannot be broader than itself, nor part of itself.

Cycles are looked for in `broader` edges and in `part_of` edges, each type on its own (a concept
may be both a part of and a kind of something else). `related` and `depends_on` edges may form
cycles. On import the check runs on the graph the import would leave (stored edges, plus the
incoming ones, minus those the incoming concepts replace), and names the record that closes each
cycle; `kb db check` reports every cycle already stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

from kb.errors import InvalidInput, Location
from kb.graph.build import HIERARCHICAL, concept_graph, concept_graph_from_changeset
from kb.services.checks import Problem, register

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kb.services.changeset import Changeset


@dataclass(frozen=True)
class Cycle:
    relation: str
    nodes: tuple[str, ...]  # the first node is repeated at the end: a -> b -> a
    origin: Location | None = None  # where an import states the first incoming edge on it

    def __str__(self) -> str:
        return f"{self.relation} cycle: {' -> '.join(self.nodes)}"


def _cycle_through(sub: nx.DiGraph, u: str, v: str) -> tuple[str, ...]:
    """The shortest cycle that uses the edge u -> v."""
    return (u, *nx.shortest_path(sub, v, u))


def find_cycles(graph: nx.MultiDiGraph, incoming_only: bool = False) -> list[Cycle]:
    """One cycle per strongly connected component of each hierarchical relation, sorted.

    With `incoming_only`, only components holding an edge with an `origin` (stated by the
    import being checked) count, and the cycle reported goes through the first such edge.
    """
    cycles: list[Cycle] = []
    for relation in HIERARCHICAL:
        sub = nx.DiGraph()
        origins: dict[tuple[str, str], Location | None] = {}
        for u, v, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
            if data["relation"] == relation:
                sub.add_edge(u, v)
                origins[(u, v)] = data.get("origin")
        for component in nx.strongly_connected_components(sub):
            if len(component) == 1:
                (node,) = component
                if not sub.has_edge(node, node):
                    continue
            edges = sorted((u, v) for u, v in sub.subgraph(component).edges())
            if incoming_only:
                stated = [e for e in edges if origins[e] is not None]
                if not stated:
                    continue
                u, v = stated[0]
                cycles.append(Cycle(relation, _cycle_through(sub, u, v), origins[(u, v)]))
            else:
                start = min(component)
                u, v = min((e for e in edges if e[0] == start), key=lambda e: (len(_cycle_through(sub, *e)), e))
                cycles.append(Cycle(relation, _cycle_through(sub, u, v)))
    return sorted(cycles, key=lambda c: (c.relation, c.nodes))


def check_changeset(session: Session, changeset: Changeset) -> None:
    """Raise InvalidInput naming each broader/part_of cycle the import would create."""
    if not changeset.records["concept"]:
        return  # only concepts carry relations
    graph = concept_graph_from_changeset(changeset, session)
    cycles = find_cycles(graph, incoming_only=True)
    if cycles:
        raise InvalidInput([(c.origin or Location(record=c.nodes[0]), str(c)) for c in cycles])


@register
def check_graph(session: Session) -> list[Problem]:
    """`kb db check`: every broader/part_of cycle in the stored concept graph."""
    return [Problem("graph.cycle", c.nodes[0], str(c)) for c in find_cycles(concept_graph(session))]

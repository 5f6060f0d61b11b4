"""A deterministic layered layout of the concept graph, for the report's maps.

Every hierarchical edge points up the page: a broader concept sits above its narrower ones, a
whole above its parts, and a concept that definitions depend on above the concepts they define.
A concept joined to others only by `related` edges sits one layer below its highest related
neighbour. Concepts with no edge at all go in a block at the bottom.

Steps (a small Sugiyama layout, no numpy): layers by longest path over the strongly connected
components (a cycle of `depends_on` shares one layer); order within layers from keys, then a few
barycenter sweeps with exact fractions; layers wider than `per_row` wrap onto extra rows. All
coordinates are integers, so the same graph gives the same picture on every run and platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import networkx as nx

from kb.graph.build import DEPENDS_ON, HIERARCHICAL, relation_graph, undirected

UPWARD = (*HIERARCHICAL, DEPENDS_ON)


@dataclass(frozen=True)
class Box:
    """A node's rectangle: top-left corner, size."""

    x: int
    y: int
    width: int
    height: int

    @property
    def centre(self) -> tuple[Fraction, Fraction]:
        return Fraction(2 * self.x + self.width, 2), Fraction(2 * self.y + self.height, 2)


@dataclass(frozen=True)
class Spacing:
    node_width: int = 184
    node_height: int = 44
    h_gap: int = 20
    v_gap: int = 56
    margin: int = 16
    per_row: int = 5  # nodes per row before a layer wraps: 5 fit a 1100px column at full size


@dataclass
class Layout:
    boxes: dict[str, Box] = field(default_factory=dict)
    layers: list[list[str]] = field(default_factory=list)  # top first; the last may be the orphans
    orphans: list[str] = field(default_factory=list)
    width: int = 0
    height: int = 0


def layers_of(graph: nx.MultiDiGraph) -> tuple[list[list[str]], list[str]]:
    """Connected concepts by layer (top first, keys sorted), and the unconnected ones."""
    up = relation_graph(graph, UPWARD)
    up.remove_edges_from([(u, u) for u in list(up.nodes) if up.has_edge(u, u)])
    loose = undirected(graph)
    loose.remove_edges_from([(u, u) for u in list(loose.nodes) if loose.has_edge(u, u)])
    orphans = sorted(n for n in loose.nodes if loose.degree(n) == 0)
    condensed = nx.condensation(up)
    level: dict[int, int] = {}
    for component in reversed(list(nx.topological_sort(condensed))):
        above = [level[c] for c in condensed.successors(component)]
        level[component] = max(above) + 1 if above else 0
    placed = {
        node: level[component]
        for node, component in condensed.graph["mapping"].items()
        if up.degree(node) > 0
    }
    # Concepts joined only by `related` edges go one layer below a placed neighbour (the
    # highest one), working outwards; a group of them with no placed neighbour starts at the top.
    waiting = sorted(n for n in loose.nodes if n not in placed and n not in orphans)
    while waiting:
        ready = {n: [placed[m] for m in loose.neighbors(n) if m in placed] for n in waiting}
        batch = {n: min(levels) + 1 for n, levels in ready.items() if levels}
        if not batch:
            batch = {waiting[0]: 0}
        placed.update(batch)
        waiting = [n for n in waiting if n not in batch]
    layers: dict[int, list[str]] = {}
    for node, layer in placed.items():
        layers.setdefault(layer, []).append(node)
    return [sorted(layers[i]) for i in sorted(layers)], orphans


def _sweep(
    order: list[list[str]], neighbours: dict[str, set[str]], group: dict[str, int], rounds: int = 4
) -> list[list[str]]:
    """Reorder each layer by the mean position of its neighbours in the layer before it, down
    then up, `rounds` times, keeping each connected component (`group`) together, left to right;
    ties keep their order. Exact fractions: no float drift."""
    order = [sorted(layer, key=lambda n: (group[n], n)) for layer in order]
    passes = [range(1, len(order)), range(len(order) - 2, -1, -1)]
    for _ in range(rounds):
        for direction, indices in enumerate(passes):
            for i in indices:
                fixed = order[i - 1] if direction == 0 else order[i + 1]
                position = {n: p for p, n in enumerate(fixed)}
                current = {n: p for p, n in enumerate(order[i])}

                def barycenter(node: str, position=position, current=current) -> tuple[int, Fraction, int]:
                    around = [position[n] for n in neighbours[node] if n in position]
                    value = Fraction(sum(around), len(around)) if around else Fraction(current[node])
                    return group[node], value, current[node]

                order[i] = sorted(order[i], key=barycenter)
    return order


def layered_layout(graph: nx.MultiDiGraph, spacing: Spacing | None = None) -> Layout:
    """Place every node of the concept graph (see the module docstring)."""
    s = spacing or Spacing()
    layers, orphans = layers_of(graph)
    loose = undirected(graph)
    neighbours = {n: set(loose.neighbors(n)) - {n} for n in loose.nodes}
    components = sorted((sorted(c) for c in nx.connected_components(loose)), key=lambda c: (-len(c), c[0]))
    group = {n: i for i, c in enumerate(components) for n in c}
    layers = _sweep(layers, neighbours, group)
    rows: list[list[str]] = []
    for layer in layers:
        rows += [layer[i : i + s.per_row] for i in range(0, len(layer), s.per_row)]
    orphan_rows = [orphans[i : i + s.per_row] for i in range(0, len(orphans), s.per_row)]
    widest = max((len(r) for r in rows + orphan_rows), default=0)
    step_x, step_y = s.node_width + s.h_gap, s.node_height + s.v_gap
    width = 2 * s.margin + max(widest * step_x - s.h_gap, 0)
    layout = Layout(layers=[*layers, *([orphans] if orphans else [])], orphans=orphans, width=width)
    y = s.margin
    for index, row in enumerate(rows + orphan_rows):
        if index == len(rows) and rows:
            y += s.v_gap // 2  # a little more room before the unconnected block
        offset = (width - (len(row) * step_x - s.h_gap)) // 2
        for i, node in enumerate(row):
            layout.boxes[node] = Box(offset + i * step_x, y, s.node_width, s.node_height)
        y += step_y
    layout.height = max(y - s.v_gap + s.margin, 2 * s.margin)
    return layout

"""SVG drawings of the concept graph for the HTML report: the whole map, and one concept's
neighbourhood. Static markup, no script: nodes are links to concept pages, kinds are colours
(with the kind also written in each node) explained by a legend, edges are styled by type.

Two steps. `map_drawing` / `neighbourhood_drawing` turn the graph into a `Drawing`: plain,
frozen data (positions, labels, styles) that a report view can hold. `svg_markup(drawing, href)`
writes it out, asking `href(key)` for each node's link, so one drawing serves a site page
(`concepts/x.html`) and the single-file report (`#concept-x`) alike.

All styling is in presentation attributes (no `<style>`, which would leak into an HTML page the
SVG is inlined in); ids carry a prefix so several drawings can share one page. Every piece of
text is escaped. Coordinates come from `kb.graph.layout` as integers; edge ends are clipped to
the boxes with exact fractions and rounded to one decimal, so output is byte-identical everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from kb.graph.build import EDGE_TYPES, edge_text, kind_label, undirected
from kb.graph.layout import Box, Layout, Spacing, layered_layout
from kb.graph.style import EDGE_LEGEND, EDGE_STYLE, KIND_LEGEND, KIND_PALETTE, TEXT_COLOUR

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
MAX_LABEL = 22  # characters of a name shown in a node; the full name is in its tooltip
LEGEND_ROW = 22
LEGEND_ITEM = 290
MIN_WIDTH = 2 * LEGEND_ITEM + 32  # room for two legend columns, even for a tiny neighbourhood
EDGE_PRIORITY = ("broader", "part_of", "depends_on", "related")  # which edge styles a shared line


@dataclass(frozen=True, slots=True)
class NodeDrawing:
    key: str
    box: Box  # already shifted below the legend
    label: str  # the name, shortened to MAX_LABEL
    subtitle: str  # the kind, `· refuted` when every definition is
    kind: str
    refuted: bool
    current: bool  # the concept whose neighbourhood this is: drawn heavier, not a link
    tooltip: str


@dataclass(frozen=True, slots=True)
class EdgeDrawing:
    relation: str
    x1: str
    y1: str
    x2: str
    y2: str
    tooltip: str


@dataclass(frozen=True, slots=True)
class LegendItem:
    type: str  # kind, refuted or edge
    key: str
    label: str
    x: int
    y: int


@dataclass(frozen=True, slots=True)
class Drawing:
    """Everything `svg_markup` writes: plain data, no graph."""

    prefix: str
    title: str
    width: int
    height: int
    legend: tuple[LegendItem, ...]
    edges: tuple[EdgeDrawing, ...]
    nodes: tuple[NodeDrawing, ...]
    caption_y: int | None  # where "Not connected to other concepts:" goes, if anywhere


def _num(value: Fraction | int) -> str:
    """A coordinate as text: integers bare, others to one decimal (half away from zero)."""
    tenths = Fraction(value) * 10
    rounded = int(tenths + Fraction(1, 2)) if tenths >= 0 else -int(-tenths + Fraction(1, 2))
    whole, part = divmod(abs(rounded), 10)
    sign = "-" if rounded < 0 else ""
    return f"{sign}{whole}" if part == 0 else f"{sign}{whole}.{part}"


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clip(box: Box, towards: tuple[Fraction, Fraction]) -> tuple[Fraction, Fraction]:
    """Where the segment from the box's centre towards a point leaves the box."""
    cx, cy = box.centre
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scales = []
    if dx:
        scales.append(Fraction(box.width, 2) / abs(dx))
    if dy:
        scales.append(Fraction(box.height, 2) / abs(dy))
    t = min(min(scales), Fraction(1))
    return cx + dx * t, cy + dy * t


# --- graph -> drawing -------------------------------------------------------------------------


def _edges(graph: nx.MultiDiGraph, boxes: dict[str, Box]) -> tuple[EdgeDrawing, ...]:
    """One line per pair of connected concepts, styled by its strongest edge type, pointing the
    way that edge points; its tooltip lists every edge between the two."""
    pairs: dict[tuple[str, str], list[tuple[str, str, dict]]] = {}
    for u, v, data in graph.edges(data=True):
        if u != v and u in boxes and v in boxes:
            pairs.setdefault(tuple(sorted((u, v))), []).append((u, v, data))
    drawn = []
    for pair in sorted(pairs):
        edges = sorted(pairs[pair], key=lambda e: (e[0], EDGE_TYPES.index(e[2]["relation"]), e[2].get("definition", "")))
        u, v, data = min(edges, key=lambda e: EDGE_PRIORITY.index(e[2]["relation"]))
        start, end = _clip(boxes[u], boxes[v].centre), _clip(boxes[v], boxes[u].centre)
        drawn.append(
            EdgeDrawing(
                data["relation"], _num(start[0]), _num(start[1]), _num(end[0]), _num(end[1]),
                "; ".join(edge_text(s, t, d) for s, t, d in edges),
            )
        )
    return tuple(drawn)


def _node(graph: nx.MultiDiGraph, key: str, box: Box, current: bool) -> NodeDrawing:
    data = graph.nodes[key]
    kind = kind_label(data["kinds"])
    refuted = bool(data.get("refuted"))
    name = str(data.get("name") or key)
    statuses = ", ".join(f"{ref} ({d['kind']}, {d['status']})" for ref, d in sorted(data["definitions"].items()))
    return NodeDrawing(
        key=key, box=box, label=_short(name), subtitle=kind + (" · refuted" if refuted else ""), kind=kind,
        refuted=refuted, current=current,
        tooltip=f"{name} ({key})" + (f": {statuses}" if statuses else ": no definitions"),
    )


def _legend(graph: nx.MultiDiGraph, width: int) -> tuple[tuple[LegendItem, ...], int]:
    """The legend entries for what the drawing shows (every kind and edge type present), laid
    out in as many columns as fit; and the height it takes."""
    kinds = {kind_label(d["kinds"]) for _, d in graph.nodes(data=True)}
    relations = {d["relation"] for _, _, d in graph.edges(data=True)}
    entries = [("kind", k, KIND_LEGEND[k]) for k in KIND_PALETTE if k in kinds]
    if any(d.get("refuted") for _, d in graph.nodes(data=True)):
        entries.append(("refuted", "refuted", "all definitions refuted"))
    entries += [("edge", r, EDGE_LEGEND[r]) for r in EDGE_STYLE if r in relations]
    columns = max(1, (width - 32) // LEGEND_ITEM)
    items = tuple(
        LegendItem(t, k, label, 16 + (i % columns) * LEGEND_ITEM, 12 + (i // columns) * LEGEND_ROW)
        for i, (t, k, label) in enumerate(entries)
    )
    return items, 12 + -(-len(entries) // columns) * LEGEND_ROW + 8


def draw(
    graph: nx.MultiDiGraph,
    title: str,
    prefix: str = "kb-map",
    current: str | None = None,
    spacing: Spacing | None = None,
) -> Drawing:
    """Lay out a concept graph (all of it, or a subgraph) with a legend above it."""
    layout: Layout = layered_layout(graph, spacing)
    width = max(layout.width, MIN_WIDTH)
    shift = (width - layout.width) // 2
    legend, y0 = _legend(graph, width)
    boxes = {k: Box(b.x + shift, b.y + y0, b.width, b.height) for k, b in layout.boxes.items()}
    caption = None
    if layout.orphans and len(layout.orphans) < len(boxes):
        caption = min(boxes[k].y for k in layout.orphans) - 10
    return Drawing(
        prefix=prefix,
        title=title,
        width=width,
        height=y0 + layout.height,
        legend=legend,
        edges=_edges(graph, boxes),
        nodes=tuple(_node(graph, key, boxes[key], key == current) for key in sorted(boxes)),
        caption_y=caption,
    )


def map_drawing(graph: nx.MultiDiGraph, title: str | None = None, prefix: str = "kb-map") -> Drawing:
    """The whole concept map."""
    count = graph.number_of_nodes()
    return draw(graph, title or f"Concept map: {count} concept{'s' if count != 1 else ''}", prefix)


def neighbourhood(graph: nx.MultiDiGraph, key: str, depth: int = 1) -> nx.MultiDiGraph:
    """The subgraph of concepts within `depth` edges of `key` (any type, either direction)."""
    if key not in graph:
        from kb.errors import NotFound

        raise NotFound(f"no concept with key {key!r}")
    near = nx.single_source_shortest_path_length(undirected(graph), key, cutoff=depth)
    return graph.subgraph(sorted(near)).copy()


def neighbourhood_drawing(graph: nx.MultiDiGraph, key: str, depth: int = 1, prefix: str | None = None) -> Drawing:
    """One concept and its neighbours: the concept drawn with a heavy border and no link."""
    sub = neighbourhood(graph, key, depth)
    name = graph.nodes[key].get("name") or key
    others = sub.number_of_nodes() - 1
    title = f"{name} and {others} neighbouring concept{'s' if others != 1 else ''}"
    return draw(sub, title, prefix or f"kb-near-{key}", current=key)


# --- drawing -> markup ------------------------------------------------------------------------


def _marker_defs(prefix: str) -> list[str]:
    out = ["<defs>"]
    for relation, (colour, _dash, arrow) in EDGE_STYLE.items():
        if arrow:
            out.append(
                f'<marker id="{prefix}-arrow-{relation}" viewBox="0 0 10 10" refX="10" refY="5" '
                f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
                f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
            )
    out.append("</defs>")
    return out


def _legend_markup(items: tuple[LegendItem, ...], prefix: str) -> list[str]:
    out = ['<g class="legend" font-size="12">']
    for item in items:
        x, y = item.x, item.y
        if item.type == "edge":
            colour, dash, arrow = EDGE_STYLE[item.key]
            line = f'<line x1="{x}" y1="{y + 7}" x2="{x + 26}" y2="{y + 7}" stroke="{colour}" stroke-width="1.5"'
            line += f' stroke-dasharray="{dash}"' if dash else ""
            line += f' marker-end="url(#{prefix}-arrow-{item.key})"' if arrow else ""
            out.append(line + "/>")
        else:
            fill, stroke = KIND_PALETTE["none"] if item.type == "refuted" else KIND_PALETTE[item.key]
            dashed = ' stroke-dasharray="4 2"' if item.type == "refuted" else ""
            out.append(
                f'<rect x="{x}" y="{y}" width="26" height="14" rx="3" fill="{fill}" stroke="{stroke}"{dashed}/>'
            )
        out.append(f'<text x="{x + 34}" y="{y + 11}" fill="{TEXT_COLOUR}">{escape(item.label)}</text>')
    out.append("</g>")
    return out


def _edge_markup(edge: EdgeDrawing, prefix: str) -> str:
    colour, dash, arrow = EDGE_STYLE[edge.relation]
    attrs = (
        f'class="edge {edge.relation}" x1="{edge.x1}" y1="{edge.y1}" x2="{edge.x2}" y2="{edge.y2}" '
        f'stroke="{colour}" stroke-width="1.5"'
    )
    if dash:
        attrs += f' stroke-dasharray="{dash}"'
    if arrow:
        attrs += f' marker-end="url(#{prefix}-arrow-{edge.relation})"'
    return f"<line {attrs}><title>{escape(edge.tooltip)}</title></line>"


def _node_markup(node: NodeDrawing, href: Callable[[str], str] | None) -> str:
    fill, stroke = KIND_PALETTE[node.kind]
    box = node.box
    rect = (
        f'<rect x="{box.x}" y="{box.y}" width="{box.width}" height="{box.height}" rx="6" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="{3 if node.current else 1.5}"'
        + (' stroke-dasharray="5 3"' if node.refuted else "")
        + "/>"
    )
    mid = box.x + box.width // 2
    texts = (
        f'<text x="{mid}" y="{box.y + 19}" text-anchor="middle" font-size="13" font-weight="600" '
        f'fill="{TEXT_COLOUR}">{escape(node.label)}</text>'
        f'<text x="{mid}" y="{box.y + 35}" text-anchor="middle" font-size="11" fill="{TEXT_COLOUR}"'
        + (' text-decoration="line-through"' if node.refuted else "")
        + f">{escape(node.subtitle)}</text>"
    )
    inner = f"<title>{escape(node.tooltip)}</title>{rect}{texts}"
    node_class = quoteattr(
        f"node {node.kind}" + (" refuted" if node.refuted else "") + (" current" if node.current else "")
    )
    key = quoteattr(node.key)
    if href is None or node.current:
        current = ' aria-current="page"' if node.current else ""
        return f"<g class={node_class} data-key={key}{current}>{inner}</g>"
    return f"<a class={node_class} data-key={key} href={quoteattr(href(node.key))}>{inner}</a>"


def svg_markup(drawing: Drawing, href: Callable[[str], str] | None) -> str:
    """The drawing as an SVG element; each node not `current` links to `href(key)`."""
    prefix = drawing.prefix
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="concept-map" id={quoteattr(prefix)} '
        f'viewBox="0 0 {drawing.width} {drawing.height}" width="{drawing.width}" height="{drawing.height}" '
        f'aria-labelledby="{prefix}-title" font-family={quoteattr(FONT)}>',
        f'<title id="{prefix}-title">{escape(drawing.title)}</title>',
        *_marker_defs(prefix),
        *_legend_markup(drawing.legend, prefix),
        '<g class="edges" fill="none">',
        *(_edge_markup(edge, prefix) for edge in drawing.edges),
        "</g>",
        '<g class="nodes">',
        *(_node_markup(node, href) for node in drawing.nodes),
        "</g>",
    ]
    if drawing.caption_y is not None:
        parts.append(
            f'<text class="caption" x="16" y="{drawing.caption_y}" font-size="12" font-style="italic" '
            f'fill="{TEXT_COLOUR}">Not connected to other concepts:</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# --- both steps at once ---------------------------------------------------------------------


def concept_map_svg(
    graph: nx.MultiDiGraph,
    href: Callable[[str], str] = lambda key: f"concepts/{key}.html",
    title: str | None = None,
    prefix: str = "kb-map",
) -> str:
    """The whole concept map; each node links to `href(key)` (default `concepts/<key>.html`)."""
    return svg_markup(map_drawing(graph, title, prefix), href)


def neighbourhood_svg(
    graph: nx.MultiDiGraph,
    key: str,
    depth: int = 1,
    href: Callable[[str], str] = lambda other: f"{other}.html",
    prefix: str | None = None,
) -> str:
    """A small map of one concept and its neighbours, for its own page; neighbours link to
    `href(key)` (default `<key>.html`, the sibling page in `concepts/`)."""
    return svg_markup(neighbourhood_drawing(graph, key, depth, prefix), href)

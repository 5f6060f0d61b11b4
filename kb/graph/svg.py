"""SVG drawings of the concept graph for the HTML report: the whole map, and one concept's
neighbourhood. Static markup, no script: nodes are links to concept pages, kinds are colours
(with the kind also written in each node) explained by a legend, edges are styled by type.

All styling is in presentation attributes (no `<style>`, which would leak into an HTML page the
SVG is inlined in); ids carry a prefix so several drawings can share one page. Every piece of
text is escaped. Coordinates come from `kb.graph.layout` as integers; edge ends are clipped to
the boxes with exact fractions and rounded to one decimal, so output is byte-identical everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
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


def _defs(prefix: str) -> list[str]:
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


def _edge_markup(graph: nx.MultiDiGraph, layout: Layout, prefix: str, y0: int) -> list[str]:
    """One line per pair of connected concepts, styled by its strongest edge type (broader,
    part_of, depends_on, related), pointing the way that edge points; its tooltip lists all."""
    pairs: dict[tuple[str, str], list[tuple[str, str, dict]]] = {}
    for u, v, data in graph.edges(data=True):
        if u != v and u in layout.boxes and v in layout.boxes:
            pairs.setdefault(tuple(sorted((u, v))), []).append((u, v, data))
    priority = ("broader", "part_of", "depends_on", "related")
    out = ['<g class="edges" fill="none">']
    for pair in sorted(pairs):
        edges = sorted(pairs[pair], key=lambda e: (e[0], EDGE_TYPES.index(e[2]["relation"]), e[2].get("definition", "")))
        u, v, data = min(edges, key=lambda e: priority.index(e[2]["relation"]))
        relation = data["relation"]
        colour, dash, arrow = EDGE_STYLE[relation]
        a, b = layout.boxes[u], layout.boxes[v]
        start, end = _clip(a, b.centre), _clip(b, a.centre)
        attrs = (
            f'class="edge {relation}" x1="{_num(start[0])}" y1="{_num(start[1] + y0)}" '
            f'x2="{_num(end[0])}" y2="{_num(end[1] + y0)}" stroke="{colour}" stroke-width="1.5"'
        )
        if dash:
            attrs += f' stroke-dasharray="{dash}"'
        if arrow:
            attrs += f' marker-end="url(#{prefix}-arrow-{relation})"'
        tooltip = "; ".join(edge_text(s, t, d) for s, t, d in edges)
        out.append(f"<line {attrs}><title>{escape(tooltip)}</title></line>")
    out.append("</g>")
    return out


def _node_markup(
    graph: nx.MultiDiGraph, key: str, box: Box, y0: int, href: Callable[[str], str] | None, current: bool
) -> list[str]:
    data = graph.nodes[key]
    kind = kind_label(data["kinds"])
    fill, stroke = KIND_PALETTE[kind]
    refuted = bool(data.get("refuted"))
    name = str(data.get("name") or key)
    subtitle = kind + (" · refuted" if refuted else "")
    statuses = ", ".join(f"{ref} ({d['kind']}, {d['status']})" for ref, d in sorted(data["definitions"].items()))
    tooltip = f"{name} ({key})" + (f": {statuses}" if statuses else ": no definitions")
    x, y = box.x, box.y + y0
    rect = (
        f'<rect x="{x}" y="{y}" width="{box.width}" height="{box.height}" rx="6" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="{3 if current else 1.5}"'
        + (' stroke-dasharray="5 3"' if refuted else "")
        + "/>"
    )
    mid = x + box.width // 2
    texts = (
        f'<text x="{mid}" y="{y + 19}" text-anchor="middle" font-size="13" font-weight="600" '
        f'fill="{TEXT_COLOUR}">{escape(_short(name))}</text>'
        f'<text x="{mid}" y="{y + 35}" text-anchor="middle" font-size="11" fill="{TEXT_COLOUR}"'
        + (' text-decoration="line-through"' if refuted else "")
        + f">{escape(subtitle)}</text>"
    )
    inner = f"<title>{escape(tooltip)}</title>{rect}{texts}"
    node_class = quoteattr(f"node {kind}" + (" refuted" if refuted else "") + (" current" if current else ""))
    if href is None or current:
        return [f'<g class={node_class} data-key={quoteattr(key)}' + (' aria-current="page"' if current else "") + f">{inner}</g>"]
    return [f'<a class={node_class} data-key={quoteattr(key)} href={quoteattr(href(key))}>{inner}</a>']


def _legend_items(graph: nx.MultiDiGraph) -> list[tuple[str, str, str]]:
    """(type, style key, label) for what the drawing shows: every kind and edge type present."""
    kinds = {kind_label(d["kinds"]) for _, d in graph.nodes(data=True)}
    relations = {d["relation"] for _, _, d in graph.edges(data=True)}
    items = [("kind", k, KIND_LEGEND[k]) for k in KIND_PALETTE if k in kinds]
    if any(d.get("refuted") for _, d in graph.nodes(data=True)):
        items.append(("refuted", "refuted", "all definitions refuted"))
    items += [("edge", r, EDGE_LEGEND[r]) for r in EDGE_STYLE if r in relations]
    return items


def _legend_markup(items: list[tuple[str, str, str]], width: int, prefix: str) -> tuple[list[str], int]:
    columns = max(1, (width - 32) // LEGEND_ITEM)
    out = ['<g class="legend" font-size="12">']
    for index, (type_, key, label) in enumerate(items):
        x, y = 16 + (index % columns) * LEGEND_ITEM, 12 + (index // columns) * LEGEND_ROW
        if type_ == "edge":
            colour, dash, arrow = EDGE_STYLE[key]
            line = f'<line x1="{x}" y1="{y + 7}" x2="{x + 26}" y2="{y + 7}" stroke="{colour}" stroke-width="1.5"'
            line += f' stroke-dasharray="{dash}"' if dash else ""
            line += f' marker-end="url(#{prefix}-arrow-{key})"' if arrow else ""
            out.append(line + "/>")
        else:
            fill, stroke = KIND_PALETTE["none"] if type_ == "refuted" else KIND_PALETTE[key]
            dashed = ' stroke-dasharray="4 2"' if type_ == "refuted" else ""
            out.append(
                f'<rect x="{x}" y="{y}" width="26" height="14" rx="3" fill="{fill}" stroke="{stroke}"{dashed}/>'
            )
        out.append(f'<text x="{x + 34}" y="{y + 11}" fill="{TEXT_COLOUR}">{escape(label)}</text>')
    out.append("</g>")
    rows = -(-len(items) // columns)
    return out, 12 + rows * LEGEND_ROW + 8


def render_svg(
    graph: nx.MultiDiGraph,
    title: str,
    href: Callable[[str], str] | None,
    prefix: str = "kb-map",
    current: str | None = None,
    layout: Layout | None = None,
    spacing: Spacing | None = None,
) -> str:
    """Draw a concept graph (all of it, or a subgraph) with a legend above it."""
    layout = layout or layered_layout(graph, spacing)
    width = max(layout.width, MIN_WIDTH)
    shift = (width - layout.width) // 2
    if shift:
        layout = Layout(
            boxes={k: Box(b.x + shift, b.y, b.width, b.height) for k, b in layout.boxes.items()},
            layers=layout.layers, orphans=layout.orphans, width=width, height=layout.height,
        )
    legend, y0 = _legend_markup(_legend_items(graph), width, prefix)
    height = y0 + layout.height
    title_id = f"{prefix}-title"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="concept-map" id={quoteattr(prefix)} '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{title_id}" font-family={quoteattr(FONT)}>',
        f'<title id="{title_id}">{escape(title)}</title>',
        *_defs(prefix),
        *legend,
        *_edge_markup(graph, layout, prefix, y0),
        '<g class="nodes">',
    ]
    for key in sorted(layout.boxes):
        parts += _node_markup(graph, key, layout.boxes[key], y0, href, key == current)
    parts.append("</g>")
    if layout.orphans and len(layout.orphans) < len(layout.boxes):
        top = min(layout.boxes[k].y for k in layout.orphans) + y0
        parts.append(
            f'<text class="caption" x="16" y="{top - 10}" font-size="12" font-style="italic" '
            f'fill="{TEXT_COLOUR}">Not connected to other concepts:</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def concept_map_svg(
    graph: nx.MultiDiGraph,
    href: Callable[[str], str] = lambda key: f"concepts/{key}.html",
    title: str | None = None,
    prefix: str = "kb-map",
) -> str:
    """The whole concept map; each node links to `href(key)` (default `concepts/<key>.html`)."""
    count = graph.number_of_nodes()
    return render_svg(graph, title or f"Concept map: {count} concept{'s' if count != 1 else ''}", href, prefix)


def neighbourhood(graph: nx.MultiDiGraph, key: str, depth: int = 1) -> nx.MultiDiGraph:
    """The subgraph of concepts within `depth` edges of `key` (any type, either direction)."""
    if key not in graph:
        from kb.errors import NotFound

        raise NotFound(f"no concept with key {key!r}")
    near = nx.single_source_shortest_path_length(undirected(graph), key, cutoff=depth)
    return graph.subgraph(sorted(near)).copy()


def neighbourhood_svg(
    graph: nx.MultiDiGraph,
    key: str,
    depth: int = 1,
    href: Callable[[str], str] = lambda other: f"{other}.html",
    prefix: str | None = None,
) -> str:
    """A small map of one concept and its neighbours, for its own page: the concept is drawn
    with a heavy border and no link; neighbours link to `href(key)` (default `<key>.html`, the
    sibling page in `concepts/`)."""
    sub = neighbourhood(graph, key, depth)
    name = graph.nodes[key].get("name") or key
    others = sub.number_of_nodes() - 1
    title = f"{name} and {others} neighbouring concept{'s' if others != 1 else ''}"
    return render_svg(sub, title, href, prefix or f"kb-near-{key}", current=key)

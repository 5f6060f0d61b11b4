"""Writing a graph from `kb.graph.build` out: GraphML, GEXF, node-link JSON, DOT and Mermaid.

Output is deterministic: nodes sorted by id, edges by (source, target, key), attributes by name,
and no dates. GraphML, GEXF and JSON load back in networkx with the same nodes and edges
(`nx.read_graphml`, `nx.read_gexf`, `nx.node_link_graph(data, edges="edges")`). DOT and Mermaid
are written here (no Graphviz needed); both only draw, so they carry labels, not every attribute.

Attributes are flattened for the file formats: a concept's `kinds` and `definitions` become
comma-separated text, `None` values are left out, and import origins are dropped.
"""

from __future__ import annotations

import io
import json
import re
from enum import StrEnum
from typing import Any

import networkx as nx

from kb.graph.build import DEPENDS_ON, RELATED, kind_label
from kb.graph.style import KIND_PALETTE


class ExportFormat(StrEnum):
    graphml = "graphml"
    gexf = "gexf"
    json = "json"
    dot = "dot"
    mermaid = "mermaid"




def _flat_value(value: Any) -> Any:
    if isinstance(value, dict):
        return ",".join(sorted(value))
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(sorted(str(v) for v in value))
    return value


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _flat_value(data[k]) for k in sorted(data) if k != "origin" and data[k] is not None}


def _sorted_edges(graph: nx.MultiDiGraph) -> list[tuple[str, str, Any, dict[str, Any]]]:
    return sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))


def flat_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with export-friendly attributes, nodes and edges inserted in sorted order."""
    flat = nx.MultiDiGraph()
    for node in sorted(graph.nodes):
        flat.add_node(node, **_flat(graph.nodes[node]))
    for u, v, key, data in _sorted_edges(graph):
        flat.add_edge(u, v, key=str(key), **_flat(data))
    return flat


def to_graphml(graph: nx.MultiDiGraph) -> str:
    buffer = io.BytesIO()
    nx.write_graphml(flat_graph(graph), buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")


def to_gexf(graph: nx.MultiDiGraph) -> str:
    from networkx.readwrite.gexf import GEXFWriter

    writer = GEXFWriter(encoding="utf-8", prettyprint=True)
    meta = writer.xml.find("meta")
    if meta is not None:  # no date and no library version: the same graph gives the same bytes
        meta.attrib.pop("lastmodifieddate", None)
        creator = meta.find("creator")
        if creator is not None:
            creator.text = "kb"
    writer.add_graph(flat_graph(graph))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue().decode("utf-8")


def to_node_link(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """networkx's node-link form with `edges` as the edge list's name."""
    flat = flat_graph(graph)
    return {
        "directed": True,
        "multigraph": True,
        "graph": {},
        "nodes": [{"id": n, **d} for n, d in flat.nodes(data=True)],
        "edges": [{"source": u, "target": v, "key": k, **d} for u, v, k, d in flat.edges(keys=True, data=True)],
    }


def to_json(graph: nx.MultiDiGraph) -> str:
    return json.dumps(to_node_link(graph), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _dot_string(text: Any) -> str:
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _label(node: str, data: dict[str, Any]) -> str:
    return str(data.get("name") or node)


def _kind_class(data: dict[str, Any]) -> str | None:
    return kind_label(data["kinds"]) if "kinds" in data else None


def _edge_label(data: dict[str, Any]) -> str:
    if "relation" in data:
        return f"{DEPENDS_ON} ({data['definition']})" if data["relation"] == DEPENDS_ON else data["relation"]
    return str(data.get("stance", ""))


def to_dot(graph: nx.MultiDiGraph) -> str:
    lines = ["digraph kb {", "  rankdir=BT;", '  node [shape=box, style="rounded,filled", fillcolor="#ffffff"];']
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        attrs = [f"label={_dot_string(_label(node, data))}"]
        kind = _kind_class(data)
        if kind is not None:
            attrs.append(f'fillcolor="{KIND_PALETTE[kind][0]}"')
        if data.get("refuted"):
            attrs.append('style="rounded,filled,dashed"')
        lines.append(f"  {_dot_string(node)} [{', '.join(attrs)}];")
    for u, v, _key, data in _sorted_edges(graph):
        attrs = [f"label={_dot_string(_edge_label(data))}"]
        if data.get("relation") == RELATED:
            attrs.append("style=dashed, arrowhead=none")
        elif data.get("relation") == DEPENDS_ON:
            attrs.append("style=dotted")
        lines.append(f"  {_dot_string(u)} -> {_dot_string(v)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


_MERMAID_SAFE = re.compile(r"[A-Za-z0-9 _.,:;/()+\-=?!']")


def _mermaid_text(text: str) -> str:
    """Quoted Mermaid text: anything outside a plain set becomes an entity code (`#35;`)."""
    return '"' + "".join(c if _MERMAID_SAFE.fullmatch(c) else f"#{ord(c)};" for c in text) + '"'


def to_mermaid(graph: nx.MultiDiGraph) -> str:
    ids = {node: f"n{i}" for i, node in enumerate(sorted(graph.nodes))}
    lines = ["flowchart BT"]
    classes: dict[str, list[str]] = {}
    for node, node_id in ids.items():
        data = graph.nodes[node]
        lines.append(f"  {node_id}[{_mermaid_text(_label(node, data))}]")
        kind = _kind_class(data)
        if kind is not None:
            classes.setdefault(kind, []).append(node_id)
    for u, v, _key, data in _sorted_edges(graph):
        arrow = "-.-" if data.get("relation") == RELATED else "-->"
        lines.append(f"  {ids[u]} {arrow}|{_mermaid_text(_edge_label(data))}| {ids[v]}")
    for kind in KIND_PALETTE:
        if kind in classes:
            fill, stroke = KIND_PALETTE[kind]
            lines.append(f"  classDef {kind} fill:{fill},stroke:{stroke}")
            lines.append(f"  class {','.join(classes[kind])} {kind}")
    return "\n".join(lines) + "\n"


WRITERS = {
    ExportFormat.graphml: to_graphml,
    ExportFormat.gexf: to_gexf,
    ExportFormat.json: to_json,
    ExportFormat.dot: to_dot,
    ExportFormat.mermaid: to_mermaid,
}


def export_graph(graph: nx.MultiDiGraph, fmt: ExportFormat | str) -> str:
    """The graph in one of the export formats, as text."""
    return WRITERS[ExportFormat(fmt)](graph)


def export_of(store: Any, fmt: ExportFormat | str, which: str = "concepts") -> str:
    """Export the store's concept graph (`which="concepts"`) or evidence graph (`"evidence"`)."""
    from kb.graph.build import concept_graph, evidence_graph
    from kb.store.migrate import require_current

    require_current(store)
    with store.session() as session:
        graph = concept_graph(session) if which == "concepts" else evidence_graph(session)
    return export_graph(graph, fmt)

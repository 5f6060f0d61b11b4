"""The report's maps: a deterministic layered layout and escaped, linked, legible SVG."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from kb.graph.build import ConceptFacts, DefinitionFacts, graph_from_facts
from kb.graph.layout import layered_layout, layers_of
from kb.graph.svg import concept_map_svg, neighbourhood_svg
from tests.conftest import FIXTURES

SVG = "{http://www.w3.org/2000/svg}"


def _shuffled(graph: nx.MultiDiGraph, seed: int) -> nx.MultiDiGraph:
    """The same graph with nodes and edges inserted in another order."""
    rng = random.Random(seed)
    nodes, edges = list(graph.nodes(data=True)), list(graph.edges(keys=True, data=True))
    rng.shuffle(nodes)
    rng.shuffle(edges)
    other = nx.MultiDiGraph()
    other.add_nodes_from(nodes)
    other.add_edges_from(edges)
    return other


def _synthetic(n: int = 60) -> nx.MultiDiGraph:
    """A made-up KB of n concepts: a hierarchy, dependencies, related links and a few orphans."""
    rng = random.Random(7)
    facts = ConceptFacts()
    kinds = [("behavioral",), ("mechanistic",), ("behavioral", "mechanistic"), ()]
    for i in range(n):
        key = f"concept-{i:02d}"
        facts.names[key] = f"Concept number {i} with a long name" if i % 9 == 0 else f"Concept {i}"
        for j, kind in enumerate(kinds[i % 4]):
            deps = (f"concept-{rng.randrange(i):02d}",) if i > 3 and j == 0 and i % 3 == 0 else ()
            status = "refuted" if i % 11 == 0 else "active"
            d = DefinitionFacts(key, f"d{j}", kind, status, deps)
            facts.definitions[d.ref] = d
        if 0 < i < n - 4:
            facts.relations[(key, "broader" if i % 2 else "part_of", f"concept-{rng.randrange(max(1, i // 2)):02d}")] = None
        if i % 5 == 0 and i > 0:
            facts.relations[(key, "related", f"concept-{rng.randrange(i):02d}")] = None
    return graph_from_facts(facts)


def test_layers_put_what_is_pointed_at_above(small_graph) -> None:  # type: ignore[no-untyped-def]
    layers, orphans = layers_of(small_graph)
    assert layers == [
        ["attention-head", "oxidation", "phlogiston"],
        ["calx", "fire", "previous-token-head"],
        ["induction-head", "k-composition", "rust"],  # a depends_on/part_of cycle shares a layer
        ["in-context-learning"],  # related only: one layer below its neighbour
    ]
    assert orphans == ["whale"]


def test_layout_is_integral_and_independent_of_insertion_order(small_graph) -> None:  # type: ignore[no-untyped-def]
    layout = layered_layout(small_graph)
    assert layout.layers[1] == ["previous-token-head", "fire", "calx"]  # components kept together
    for seed in range(5):
        assert layered_layout(_shuffled(small_graph, seed)) == layout
    assert all(isinstance(v, int) for b in layout.boxes.values() for v in (b.x, b.y, b.width, b.height))


def test_map_matches_the_golden_file(small_graph) -> None:  # type: ignore[no-untyped-def]
    svg = concept_map_svg(small_graph)
    assert svg == (FIXTURES / "graph" / "small_kb_map.svg").read_text(encoding="utf-8")
    assert concept_map_svg(_shuffled(small_graph, 3)) == svg


def test_map_nodes_link_to_concept_pages_with_kinds_and_a_legend(small_graph) -> None:  # type: ignore[no-untyped-def]
    root = ET.fromstring(concept_map_svg(small_graph))
    links = {a.get("data-key"): a.get("href") for a in root.iter(f"{SVG}a")}
    assert links == {key: f"concepts/{key}.html" for key in small_graph.nodes}
    fire = next(a for a in root.iter(f"{SVG}a") if a.get("data-key") == "fire")
    assert fire.get("class") == "node both"
    assert [t.text for t in fire.iter(f"{SVG}text")] == ["Fire", "both"]
    phlogiston = next(a for a in root.iter(f"{SVG}a") if a.get("data-key") == "phlogiston")
    assert phlogiston.get("class") == "node mechanistic refuted"
    legend = [t.text for t in root.find(f"{SVG}g[@class='legend']").iter(f"{SVG}text")]
    assert legend == [
        "behavioral definitions", "mechanistic definitions", "both kinds", "all definitions refuted",
        "broader (points to the more general)", "part of (points to the whole)", "a definition depends on", "related",
    ]
    assert root.find(f"{SVG}title").text == "Concept map: 11 concepts"
    assert root.find(f".//{SVG}text[@class='caption']").text == "Not connected to other concepts:"
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}style"))


def test_neighbourhood_svg_marks_the_concept_and_links_its_neighbours(small_graph) -> None:  # type: ignore[no-untyped-def]
    root = ET.fromstring(neighbourhood_svg(small_graph, "rust"))
    assert root.find(f"{SVG}title").text == "Rust and 1 neighbouring concept"
    assert {a.get("data-key"): a.get("href") for a in root.iter(f"{SVG}a")} == {"calx": "calx.html"}
    current = root.find(f".//{SVG}g[@data-key='rust']")
    assert current.get("aria-current") == "page" and current.get("class") == "node mechanistic current"
    assert root.get("id") == "kb-near-rust" and root.find(f".//{SVG}marker").get("id").startswith("kb-near-rust-")
    two = ET.fromstring(neighbourhood_svg(small_graph, "rust", depth=2))
    assert sorted(g.get("data-key") for g in two.iter() if g.get("data-key")) == ["calx", "phlogiston", "rust"]


def test_all_text_is_escaped() -> None:
    nasty = '<script>alert(1)</script> & "quotes" \'too\''
    facts = ConceptFacts(names={"x": nasty, "y": "Y"}, relations={("x", "related", "y"): None})
    d = DefinitionFacts("x", "d", "behavioral", "active")
    facts.definitions[d.ref] = d
    graph = graph_from_facts(facts)
    svg = concept_map_svg(graph, href=lambda key: f'pages/{key}.html?a=1&b="2"')
    assert "<script>" not in svg
    root = ET.fromstring(svg)  # well-formed
    assert not list(root.iter(f"{SVG}script"))
    node = next(a for a in root.iter(f"{SVG}a") if a.get("data-key") == "x")
    assert node.get("href") == 'pages/x.html?a=1&b="2"'
    assert node.find(f"{SVG}title").text.startswith(nasty)
    assert next(node.iter(f"{SVG}text")).text == nasty[:21] + "…"
    near = ET.fromstring(neighbourhood_svg(graph, "x"))
    assert near.find(f"{SVG}title").text == f"{nasty} and 1 neighbouring concept"


def test_sixty_concepts_stay_readable() -> None:
    graph = _synthetic(60)
    layout = layered_layout(graph)
    assert len(layout.boxes) == 60
    assert layout.width <= 1100  # five nodes a row at most: full-size text in a desktop page column
    boxes = list(layout.boxes.values())
    for i, a in enumerate(boxes):  # no two nodes overlap
        for b in boxes[i + 1 :]:
            assert a.x + a.width <= b.x or b.x + b.width <= a.x or a.y + a.height <= b.y or b.y + b.height <= a.y
    root = ET.fromstring(concept_map_svg(graph))
    assert len(list(root.iter(f"{SVG}a"))) == 60
    assert min(float(t.get("font-size")) for t in root.iter(f"{SVG}text") if t.get("font-size")) >= 11
    assert concept_map_svg(_shuffled(graph, 1)) == concept_map_svg(graph)


@pytest.mark.parametrize("key", ["nowhere"])
def test_neighbourhood_of_an_unknown_concept(small_graph, key: str) -> None:  # type: ignore[no-untyped-def]
    from kb.errors import NotFound

    with pytest.raises(NotFound):
        neighbourhood_svg(small_graph, key)


def test_an_empty_graph_draws_an_empty_map() -> None:
    root = ET.fromstring(concept_map_svg(nx.MultiDiGraph()))
    assert root.find(f"{SVG}title").text == "Concept map: 0 concepts"
    assert not list(root.iter(f"{SVG}a"))

"""The concept map page and each concept's neighbourhood in the report (SVG from kb.graph.svg)."""

from __future__ import annotations

from pathlib import Path

from tests.report.helpers import parse, write


def _links(svg) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {a["data-key"]: a["href"] for a in svg.find_all("a")}


def test_map_page_draws_every_concept_linking_to_its_page(site: Path) -> None:
    doc = parse(site / "map.html")
    assert doc.find("h1").get_text() == "Concept map"
    assert doc.select_one('nav[aria-label="Main"] a[aria-current="page"]').get_text() == "Map"
    svg = doc.select_one("#map .map-wrap svg.concept-map")
    assert svg["viewbox"].startswith("0 0 ")
    assert _links(svg) == {
        "induction-head": "concepts/induction-head.html",
        "previous-token-head": "concepts/previous-token-head.html",
        "xss-concept": "concepts/xss-concept.html",
    }
    assert "3 concepts and 2 connections" in " ".join(doc.select_one("#map p").get_text().split())
    legend = [t.get_text() for t in svg.select("g.legend text")]
    assert legend[:2] == ["behavioral definitions", "mechanistic definitions"]
    assert "a definition depends on" in legend and "related" in legend


def test_markup_in_names_stays_text_in_the_svg(site: Path) -> None:
    raw = (site / "map.html").read_text(encoding="utf-8")
    assert "<script>" not in raw and "&lt;script&gt;" in raw
    doc = parse(site / "map.html")
    assert doc.find("script", src=False) is None  # the only script is the linked filter.js
    node = doc.select_one('svg a[data-key="xss-concept"]')
    assert node.find("title").get_text().startswith('Zany <script>alert("name")</script> (xss-concept)')
    assert node.find("text").get_text() == 'Zany <script>alert("n…'


def test_concept_page_shows_its_neighbourhood(site: Path) -> None:
    doc = parse(site / "concepts" / "induction-head.html")
    figure = doc.select_one("section.related figure.neighbourhood")
    svg = figure.find("svg")
    assert svg["id"] == "kb-near-induction-head"
    assert _links(svg) == {"previous-token-head": "../concepts/previous-token-head.html"}
    current = svg.select_one('g[data-key="induction-head"]')
    assert current["aria-current"] == "page" and "current" in current["class"]
    assert figure.find("figcaption").find("a")["href"] == "../map.html"
    # A concept with no edges gets no neighbourhood drawing.
    assert parse(site / "concepts" / "xss-concept.html").select_one("figure.neighbourhood") is None


def test_single_file_map_links_are_anchors(kb_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(kb_store, tmp_path / "out", single_file="glossary.html")
    doc = parse(tmp_path / "out" / "glossary.html")
    svg = doc.select_one("#map svg.concept-map")
    assert _links(svg) == {key: f"#concept-{key}" for key in ("induction-head", "previous-token-head", "xss-concept")}
    ids = {tag["id"] for tag in doc.find_all(id=True)}
    assert {"concept-induction-head", "concept-previous-token-head", "concept-xss-concept"} <= ids
    near = doc.select_one("#kb-near-induction-head")
    assert _links(near) == {"previous-token-head": "#concept-previous-token-head"}
    svg_ids = [tag["id"] for s in doc.find_all("svg") for tag in s.find_all(id=True)]
    assert len(svg_ids) == len(set(svg_ids)), "several drawings on one page never share an id"

"""Each page of the report, rendered from the small KB on SQLite and PostgreSQL, read as HTML."""

from __future__ import annotations

from pathlib import Path

from tests.report.helpers import (
    CASE_KB,
    INJECTED,
    RESERVED_KB,
    load,
    local_references,
    pages,
    parse,
    windows_device,
    write,
)


def text_of(tag) -> str:  # type: ignore[no-untyped-def]
    return " ".join(tag.get_text().split())


def test_site_has_every_page(site: Path) -> None:
    names = sorted(p.relative_to(site).as_posix() for p in pages(site))
    assert names == [
        "audit.html",
        "concepts/induction-head.html",
        "concepts/previous-token-head.html",
        "concepts/xss-concept.html",
        "index.html",
        "map.html",
        "papers/elhage2021.html",
        "papers/evil_3a2024.html",
        "papers/olsson2022.html",
        "rules.html",
        "sources.html",
        "vocabulary.html",
    ]
    assert (site / "assets" / "kb.css").is_file() and (site / "assets" / "filter.js").is_file()


def test_every_page_has_header_navigation_landmarks_and_title(site: Path) -> None:
    for page in pages(site):
        doc = parse(page)
        assert doc.html["lang"] == "en"
        assert doc.title.string.endswith("· Knowledge base glossary")
        header = doc.find("header")
        assert "Knowledge base glossary" in text_of(header)
        nav = header.find("nav", attrs={"aria-label": "Main"})
        assert [text_of(a) for a in nav.find_all("a")] == ["Concepts", "Map", "Audit", "Sources", "Rules", "Vocabulary"]
        assert text_of(header.find(class_="generation")).startswith("3 concepts · 3 papers · 3 claims · 3 open findings · kb ")
        assert doc.find("main", id="main") is not None and doc.find("footer") is not None
        assert len(doc.find_all("h1")) == 1


def test_index_lists_concepts_a_to_z_with_aliases_badges_and_counts(site: Path) -> None:
    doc = parse(site / "index.html")
    groups = doc.select("#concept-list section")
    assert [text_of(g.find("h2")) for g in groups] == ["I", "P", "Z"]
    entries = {text_of(li.find("a")): li for li in doc.select("li.concept-entry")}
    assert list(entries) == ["Induction head", "Previous-token head", 'Zany <script>alert("name")</script>']
    head = entries["Induction head"]
    assert head.find("a")["href"] == "concepts/induction-head.html"
    assert text_of(head.find(class_="kind")) == "both"
    assert [text_of(a) for a in head.select(".alias")] == ["induction heads", "copying head"]
    assert "2 claims" in text_of(head.find(class_="counts"))
    assert head["data-search"] == "induction head induction-head induction heads copying head"
    assert text_of(entries["Previous-token head"].find(class_="kind")) == "mechanistic"
    assert "0 claims" in text_of(entries["Previous-token head"])
    # The filter box is there for the script to reveal; without JS it stays hidden.
    box = doc.find(attrs={"data-filter": True})
    assert box.has_attr("hidden")
    assert box.find("label", attrs={"for": "concept-filter"}) is not None
    assert doc.find("script", src="assets/filter.js") is not None


def test_concept_page_shows_both_kinds_of_definition_side_by_side(site: Path) -> None:
    doc = parse(site / "concepts" / "induction-head.html")
    assert text_of(doc.find("h1")) == "Induction head both"
    assert "Also called: induction heads, copying head" in text_of(doc.find(class_="aliases"))
    behavioral = doc.find(class_="column-behavioral")
    mechanistic = doc.find(class_="column-mechanistic")
    assert [text_of(h) for h in behavioral.select(".definition-title .key")] == ["olsson2022", "naive"]
    assert [text_of(h) for h in mechanistic.select(".definition-title .key")] == ["elhage2021"]

    olsson = doc.find(id="def-induction-head/olsson2022")
    assert "prefix-matching score on repeated random tokens" in text_of(olsson.find(class_="definition-text"))
    assert text_of(olsson.find(class_="criterion")) == "Prefix-matching score >= 0.5"
    assert olsson.find(class_="criterion").a["href"] == "../vocabulary.html#method-prefix-matching-score"
    cite = olsson.find("cite")
    assert text_of(cite) == "Olsson et al. 2022" and cite.a["href"] == "../sources.html#src-olsson2022"

    elhage = doc.find(id="def-induction-head/elhage2021")
    assert text_of(elhage.find(class_="criterion")) == "K-composition score >= 0.1"
    depends = elhage.find("dt", string="Depends on").find_next_sibling("dd")
    assert depends.a["href"] == "../concepts/previous-token-head.html"

    naive = doc.find(id="def-induction-head/naive")
    assert naive.find("del") is not None and "Any head that attends" in text_of(naive.find("del"))
    assert text_of(naive.find(class_="status")) == "refuted"


def test_concept_page_relations_claims_and_evidence_runs(site: Path) -> None:
    doc = parse(site / "concepts" / "induction-head.html")
    related = doc.find(class_="related")
    assert "Related Previous-token head" in text_of(related)
    claims = doc.select("article.claim")
    assert [text_of(c.select_one(".claim-title .key")) for c in claims] == ["c1", "c2"]
    c1 = claims[0]
    assert "GPT-2 small has an induction head at L5H5." in text_of(c1.find("blockquote"))
    assert text_of(c1.find("dt", string="Stated kind").find_next_sibling("dd")) == "mechanistic"
    assert text_of(c1.find("dt", string="Evidence kinds").find_next_sibling("dd")) == "both"
    evidence = [text_of(li) for li in c1.select(".evidence li")]
    assert evidence[0].startswith("supports: r1: Prefix-matching score behavioral on gpt2-small/L5H5 = 0.9")
    assert evidence[1].startswith("contradicts: r2: K-composition score mechanistic")
    assert c1.find("a", string="this claim in the paper's audit")["href"] == "../papers/olsson2022.html#claim-c1"
    c2 = claims[1]
    assert c2.select_one(".evidence a")["href"] == "../papers/olsson2022.html#claim-c1"

    rows = doc.select(".runs tbody tr")
    assert [text_of(r.find("td")) for r in rows] == ["r1", "r2"]
    assert "olsson2022: prefix-matching-score >= 0.5 met" in text_of(rows[0])
    assert "elhage2021: k-composition-score >= 0.1 not met" in text_of(rows[1])


def test_concept_without_claims_or_mechanism_says_so(site: Path) -> None:
    doc = parse(site / "concepts" / "previous-token-head.html")
    assert "No behavioral definition recorded." in text_of(doc.find(class_="column-behavioral"))
    assert "No claims recorded." in text_of(doc.find(class_="claims"))
    related = text_of(doc.find(class_="related"))
    assert "Related Induction head" in related
    assert "Definitions that depend on it Induction head / elhage2021" in related


def test_paper_page_is_that_papers_audit(site: Path) -> None:
    doc = parse(site / "papers" / "olsson2022.html")
    assert text_of(doc.find("h1")) == "In-context Learning and Induction Heads"
    byline = doc.find(class_="byline")
    assert "Catherine Olsson, Nelson Elhage, Neel Nanda (2022)" in text_of(byline)
    assert byline.find("a", string="arXiv")["href"] == "https://arxiv.org/abs/2209.11895"
    claim = doc.find("article", id="claim-c1")
    assert claim is not None
    assert text_of(claim.find("dt", string="Concept").find_next_sibling("dd")) == "Induction head"
    assert [a["href"] for a in claim.select(".evidence a")][:1] == ["../vocabulary.html#method-prefix-matching-score"]


def test_sources_and_vocabulary_pages(site: Path) -> None:
    sources = parse(site / "sources.html")
    entries = sources.select(".bibliography > li")
    assert [li["id"] for li in entries] == ["src-Zhang2020", "src-elhage2021", "src-evil:2024", "src-olsson2022"]
    elhage = sources.find(id="src-elhage2021")
    assert elhage.find("a", string="Link")["href"] == "https://transformer-circuits.pub/2021/framework/index.html"
    assert elhage.find("a", string="1 claim: the paper's audit")["href"] == "papers/elhage2021.html"
    # A javascript: URL is kept as text, never as a link.
    evil = sources.find(id="src-evil:2024")
    assert "javascript:alert(1)" in text_of(evil.find(class_="unlinked-url"))
    assert not [a for a in sources.find_all("a") if a.get("href", "").startswith("javascript")]

    vocabulary = parse(site / "vocabulary.html")
    text = text_of(vocabulary.find("main"))
    assert "Behavioral, or extensional" in text and "Mechanistic, or intensional" in text
    method = vocabulary.find(id="method-prefix-matching-score")
    assert "Prefix-matching score behavioral" in text_of(method)


def test_markup_in_data_comes_out_as_text(site: Path) -> None:
    for page in pages(site):
        doc = parse(page)
        scripts = doc.find_all("script")
        assert [s.get("src") for s in scripts] == [("../" if page.parent != site else "") + "assets/filter.js"], page
        assert doc.find("img") is None, page
        assert not [t for t in doc.find_all(True) if any(a.startswith("on") for a in t.attrs)], page
        raw = page.read_text(encoding="utf-8")
        assert "<script>alert" not in raw and "<img src=x" not in raw and "<b>Bold</b>" not in raw, page
    concept = parse(site / "concepts" / "xss-concept.html")
    assert text_of(concept.find("h1")) == 'Zany <script>alert("name")</script> behavioral'
    definition = text_of(concept.find(id="def-xss-concept/evil").find(class_="definition-text"))
    assert definition == " ".join(INJECTED[0].split()) + " and " + INJECTED[1]
    assert '"><img src=x onerror=alert(2)>' in text_of(concept.find(class_="aliases"))
    paper = parse(site / "papers" / "evil_3a2024.html")
    assert text_of(paper.find("h1")) == "<script>alert('title')</script> Evil paper"
    assert 'alert("claim")' in text_of(paper.find("article", id="claim-c3").find("blockquote"))


def test_every_internal_link_resolves_to_a_file_and_anchor(site: Path) -> None:
    checked = 0
    for page in pages(site):
        for value, target, fragment in local_references(page):
            assert target.is_file(), f"{page.relative_to(site)}: {value} names a missing file"
            assert target.resolve().is_relative_to(site.resolve()), value
            if fragment and target.suffix == ".html":
                assert parse(target).find(id=fragment) is not None, f"{page.relative_to(site)}: {value} has no anchor"
            checked += 1
    assert checked > 100


def test_no_page_reaches_the_network(site: Path) -> None:
    for page in pages(site):
        doc = parse(page)
        for tag in doc.find_all(["link", "script", "img", "iframe", "source", "video", "audio"]):
            url = tag.get("href") or tag.get("src") or ""
            assert "://" not in url and not url.startswith("//"), (page, url)
    css = (site / "assets" / "kb.css").read_text()
    assert "url(" not in css and "@import" not in css
    assert "http" not in (site / "assets" / "filter.js").read_text()


def test_keys_differing_only_in_case_get_pages_whose_names_differ_in_more_than_case(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    load(store, [CASE_KB])
    site = tmp_path / "site"
    write(store, site)
    papers = sorted(p.name for p in (site / "papers").iterdir())
    assert len(papers) == 3 and len({name.lower() for name in papers}) == 3
    assert "olsson2022.html" in papers  # a key that collides with none keeps its plain name
    reached, queue = set(), [(site / "index.html").resolve()]
    while queue:
        page = queue.pop()
        if page not in reached:
            reached.add(page)
            queue += [target for _, target, _ in local_references(page) if target.suffix == ".html"]
    for key, title in (("Smith2020", "Smith with a capital"), ("smith2020", "smith in lower case")):
        [page] = [p for p in reached if p.parent.name == "papers" and parse(p).find(id=f"paper-{key}")]
        assert text_of(parse(page).find("h1")) == title
    assert {p for p in reached if p.parent.name == "papers"} == {(site / "papers" / n).resolve() for n in papers}


def test_keys_windows_keeps_for_devices_get_pages_it_can_write_each_reached_from_the_index(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    load(store, [RESERVED_KB])
    site = tmp_path / "site"
    write(store, site)
    written = [p for p in site.rglob("*") if p.is_file()]
    assert [p.name for p in written if windows_device(p.name)] == []
    reached, queue = set(), [(site / "index.html").resolve()]
    while queue:
        page = queue.pop()
        if page not in reached:
            reached.add(page)
            queue += [target for _, target, _ in local_references(page) if target.suffix == ".html"]
    assert reached == {p.resolve() for p in written if p.suffix == ".html"}
    for kind, key, title in (
        ("concept", "con", "The concept keyed con"),
        ("concept", "lpt9", "The concept keyed lpt9"),
        ("paper", "NUL", "The source keyed NUL"),
        ("paper", "Aux.v2", "The source keyed Aux.v2"),
    ):
        [page] = [p for p in reached if parse(p).find(id=f"{kind}-{key}")]
        assert page.parent.name == f"{kind}s" and text_of(parse(page).find("h1")).startswith(title)


def test_empty_knowledge_base_renders(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = write(store, tmp_path / "empty")
    assert result.pages == 6  # index, map, audit, sources, rules, vocabulary
    doc = parse(tmp_path / "empty" / "index.html")
    assert "no concepts yet" in text_of(doc.find("main"))

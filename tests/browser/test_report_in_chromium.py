"""The report opened from disk in Chromium: the filter, every link, injected scripts, layout at
desktop and phone widths, and axe-core's accessibility check."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urldefrag, urlsplit
from urllib.request import url2pathname

import pytest

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser


def visible_entries(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator("li.concept-entry:visible a.concept-name").all_inner_texts()


def test_typing_in_the_filter_narrows_the_list(small_site: Path, open_page) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page()
    page.goto((small_site / "index.html").as_uri())
    box = page.get_by_label("Filter concepts")
    assert box.is_visible()
    assert len(visible_entries(page)) == 3

    box.fill("prev")
    assert visible_entries(page) == ["Previous-token head"]
    assert page.locator("[data-filter-status]").inner_text() == "1 of 3 concepts shown"
    assert page.locator("#letter-I").is_hidden() and page.locator("#letter-P").is_visible()

    box.fill("copying")  # an alias
    assert visible_entries(page) == ["Induction head"]
    box.fill("head induction")  # every word must match
    assert visible_entries(page) == ["Induction head"]
    box.fill("no such concept")
    assert visible_entries(page) == []
    assert page.get_by_text("No concept matches the filter.").is_visible()
    box.fill("")
    assert len(visible_entries(page)) == 3
    assert watch.problems() == []


def test_without_javascript_the_whole_list_shows(small_site: Path, open_page) -> None:  # type: ignore[no-untyped-def]
    page, _ = open_page(javascript=False)
    page.goto((small_site / "index.html").as_uri())
    assert page.locator("[data-filter]").is_hidden()
    assert len(visible_entries(page)) == 3


def test_the_filter_works_in_the_single_file(small_site: Path, open_page) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page()
    page.goto((small_site.parent / "single" / "glossary.html").as_uri())
    page.get_by_label("Filter concepts").fill("zany")
    assert len(visible_entries(page)) == 1
    assert watch.problems() == []


def crawl(start: Path, open_page) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    """Open every page reachable from `start` and check each internal link's file and anchor."""
    root = start.parent.resolve()
    page, watch = open_page()
    problems: list[str] = []
    seen: set[str] = set()
    queue = [start.as_uri()]
    anchors_needed: dict[str, set[str]] = {}
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        page.goto(url)
        if watch.problems():
            problems += [f"{url}: {p}" for p in watch.problems()]
            watch.console_errors.clear(), watch.page_errors.clear(), watch.dialogs.clear(), watch.failed.clear()
        anchors_needed.setdefault(url, set())
        # Resolved from the attribute: an SVG <a>'s `href` property is not a string.
        hrefs = page.eval_on_selector_all(
            "a[href], link[href], script[src]",
            "els => els.map(e => new URL(e.getAttribute('href') || e.getAttribute('src'), document.baseURI).href)",
        )
        for href in hrefs:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "data"):
                continue
            assert parts.scheme == "file", href
            target, fragment = urldefrag(href)
            path = Path(url2pathname(urlsplit(target).path))
            if not path.is_file():
                problems.append(f"{url}: link to missing file {href}")
                continue
            if not path.resolve().is_relative_to(root):
                problems.append(f"{url}: link leaves the site: {href}")
            if path.suffix == ".html":
                queue.append(target)
                if fragment:
                    anchors_needed.setdefault(target, set()).add(fragment)
    for url, fragments in anchors_needed.items():
        if fragments:
            page.goto(url)
            present = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
            problems += [f"{url}: no element with id {f!r}" for f in sorted(fragments - present)]
    assert watch.problems() == []
    return len(seen), problems


@pytest.mark.parametrize("which", ["small_site", "seed_site", "case_site", "reserved_site"])
def test_every_internal_link_on_every_page_works(which: str, request, open_page) -> None:  # type: ignore[no-untyped-def]
    site: Path = request.getfixturevalue(which)
    count, problems = crawl(site / "index.html", open_page)
    assert problems == []
    assert count == len(list(site.rglob("*.html"))), "every page is reachable from the index"
    count, problems = crawl(site.parent / "single" / "glossary.html", open_page)
    assert problems == [] and count == 1


def test_an_injected_script_never_runs(small_site: Path, open_page) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page()
    for rel in ["index.html", "concepts/xss-concept.html", "papers/evil_3a2024.html", "sources.html", "audit.html"]:
        page.goto((small_site / rel).as_uri())
        page.wait_for_load_state("load")
        assert page.locator("img").count() == 0
    page.goto((small_site / "concepts" / "xss-concept.html").as_uri())
    assert page.get_by_role("heading", level=1).inner_text().startswith('Zany <script>alert("name")</script>')
    assert page.get_by_text('"><img src=x onerror=alert(1)>', exact=False).count() == 1
    page.goto((small_site.parent / "single" / "glossary.html").as_uri())
    page.get_by_role("link", name="Link").count()  # the javascript: URL is not a link
    assert page.locator('a[href^="javascript"]').count() == 0
    assert watch.dialogs == [] and watch.problems() == []


def test_concept_page_at_desktop_and_phone_width(small_site: Path, open_page, shots: Path) -> None:  # type: ignore[no-untyped-def]
    url = (small_site / "concepts" / "induction-head.html").as_uri()
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page, watch = open_page(viewport=viewport)
        page.goto(url)
        behavioral = page.locator(".column-behavioral").bounding_box()
        mechanistic = page.locator(".column-mechanistic").bounding_box()
        if name == "desktop":  # side by side
            assert behavioral["y"] == mechanistic["y"] and mechanistic["x"] > behavioral["x"] + behavioral["width"] - 1
        else:  # one column: mechanistic below behavioral, nothing wider than the screen
            assert mechanistic["y"] >= behavioral["y"] + behavioral["height"]
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        path = shots / f"induction-head-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
        assert watch.problems() == []


def test_seed_induction_head_page_renders(seed_site: Path, open_page, shots: Path) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page()
    page.goto((seed_site / "concepts" / "induction-head.html").as_uri())
    assert page.get_by_role("heading", level=1).inner_text().startswith("Induction head")
    assert page.locator(".column-behavioral .definition").count() >= 1
    assert page.locator(".column-mechanistic .definition").count() >= 1
    assert page.locator("article.claim").count() >= 5
    page.screenshot(path=str(shots / "seed-induction-head.png"))
    assert watch.problems() == []


@pytest.mark.parametrize("which, concepts", [("small_site", 3), ("seed_site", 19)])
def test_the_concept_map_renders_and_its_links_work(which: str, concepts: int, request, open_page, shots: Path) -> None:  # type: ignore[no-untyped-def]
    site: Path = request.getfixturevalue(which)
    page, watch = open_page()
    page.goto((site / "index.html").as_uri())
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Map").click()
    page.wait_for_url("**/map.html")
    svg = page.locator("#map svg.concept-map")
    box = svg.bounding_box()
    assert box["width"] > 500 and box["height"] > 150  # drawn, at its natural size
    nodes = svg.locator("a.node")
    assert nodes.count() == concepts
    for i in range(nodes.count()):  # every node is laid out inside the drawing, none on another
        node = nodes.nth(i).bounding_box()
        assert node["width"] > 100 and box["x"] <= node["x"] and node["x"] + node["width"] <= box["x"] + box["width"] + 1
    page.screenshot(path=str(shots / f"{which}-map.png"), full_page=True)
    # Following a node opens that concept's page, whose neighbourhood links back into the graph.
    target = "previous-token-head"
    svg.locator(f'a.node[data-key="{target}"]').click()
    page.wait_for_url(f"**/concepts/{target}.html")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Previous-token head")
    near = page.locator("figure.neighbourhood svg.concept-map")
    assert near.locator(f'g.current[data-key="{target}"]').count() == 1
    near.locator('a.node[data-key="induction-head"]').click()
    page.wait_for_url("**/concepts/induction-head.html")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Induction head")
    assert watch.problems() == []


def test_the_neighbourhood_fits_a_phone_screen(seed_site: Path, open_page) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page(viewport=PHONE)
    page.goto((seed_site / "concepts" / "induction-head.html").as_uri())
    near = page.locator("figure.neighbourhood svg.concept-map").bounding_box()
    assert 0 < near["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert watch.problems() == []


@pytest.mark.parametrize("which", ["small_site", "seed_site", "case_site", "agreement_site"])
def test_no_page_is_wider_than_a_phone_screen(which: str, request, open_page) -> None:  # type: ignore[no-untyped-def]
    site: Path = request.getfixturevalue(which)
    pages = sorted(site.rglob("*.html")) + [site.parent / "single" / "glossary.html"]
    page, watch = open_page(viewport=PHONE)
    too_wide = []
    for path in pages:
        page.goto(path.as_uri())
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.evaluate("innerWidth"):
            too_wide.append(f"{path.relative_to(site.parent)}: {width}px")
    assert too_wide == []
    assert watch.problems() == []


def serious_violations(page, context: str | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's serious and critical violations on the page, or only within the `context` selector."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    "which, rel",
    [
        ("small_site", "index.html"),
        ("small_site", "concepts/induction-head.html"),
        ("small_site", "papers/olsson2022.html"),
        ("seed_site", "index.html"),
        ("seed_site", "concepts/induction-head.html"),
        ("seed_site", "papers/olsson2022.html"),
        ("seed_site", "audit.html"),
        ("seed_site", "map.html"),
        ("seed_site", "../single/glossary.html"),
    ],
)
def test_axe_finds_no_serious_accessibility_problem(which: str, rel: str, request, open_page) -> None:  # type: ignore[no-untyped-def]
    site: Path = request.getfixturevalue(which)
    page, _ = open_page()
    page.goto((site / rel).as_uri())
    assert serious_violations(page) == []


@pytest.mark.parametrize("rel", ["rules.html", "../single/glossary.html"])
def test_the_rules_code_blocks_scroll_by_keyboard_at_phone_width_and_pass_axe(seed_site: Path, rel: str, open_page) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page(viewport=PHONE)
    page.goto((seed_site / rel).as_uri())
    blocks = page.locator("section.rules pre").all()
    assert any(block.evaluate("e => e.scrollWidth > e.clientWidth") for block in blocks)  # they do scroll
    for block in blocks:
        box = block.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
        assert block.get_attribute("tabindex") == "0"
    assert page.get_by_role("group", name="KB101, Failing example").count() == 1
    assert watch.problems() == []
    assert serious_violations(page, "section.rules") == []


@pytest.mark.parametrize("rel", ["concepts/head.html", "../single/glossary.html"])
def test_a_folded_agreement_matrix_opens_fits_a_phone_and_passes_axe(agreement_site: Path, rel: str, open_page) -> None:  # type: ignore[no-untyped-def]
    for viewport in (DESKTOP, PHONE):
        page, watch = open_page(viewport=viewport)
        page.goto((agreement_site / rel).as_uri())
        section = page.locator("section.agreement")
        matrix = section.get_by_role("table", name="Which definitions of Head each subject satisfies")
        assert matrix.is_hidden()
        section.get_by_text("Show the matrix (201 subjects)").click()
        assert matrix.is_visible() and matrix.locator("tbody tr").count() == 201
        for summary in section.locator("details.subjects summary").all():
            summary.click()
        assert section.locator('.subject-list li:has-text("<script>")').first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert watch.problems() == []  # before axe, whose own requests for the stylesheet log errors
        # The whole page at desktop width, as the other axe checks; the section at phone width.
        assert serious_violations(page, None if viewport == DESKTOP else "section.agreement") == []


def test_print_layout_drops_navigation_and_shows_link_targets(small_site: Path, open_page, shots: Path) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page()
    page.goto((small_site / "sources.html").as_uri())
    page.emulate_media(media="print")
    assert page.locator("nav.site-nav").is_hidden()
    after = page.evaluate(
        "getComputedStyle(document.querySelector('a[href^=\"http\"]'), '::after').content"
    )
    assert "https://" in after
    pdf = page.pdf(path=str(shots / "sources.pdf"))
    assert pdf[:4] == b"%PDF"
    assert watch.problems() == []

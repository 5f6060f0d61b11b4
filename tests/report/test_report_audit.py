"""The audit in the report: the real engine's findings on the pages, and pages without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.helpers import parse, write


def text_of(tag) -> str:  # type: ignore[no-untyped-def]
    return " ".join(tag.get_text().split())


def test_without_the_audit_engine_every_page_says_so(kb_store, tmp_path: Path, no_audit) -> None:  # type: ignore[no-untyped-def]
    from kb.report.findings import gather_audit

    with kb_store.session() as session:
        assert gather_audit(session).available is False
    site = tmp_path / "site"
    write(kb_store, site)
    for page in site.rglob("*.html"):
        assert "audit unavailable" in text_of(parse(page).find(class_="generation")), page
    assert "not installed" in text_of(parse(site / "audit.html").find(class_="notice"))
    assert "not installed" in text_of(parse(site / "rules.html").find(class_="notice"))
    concept = parse(site / "concepts" / "induction-head.html")
    assert "without findings" in text_of(concept.find(class_="notice"))
    paper = parse(site / "papers" / "olsson2022.html")
    claim = paper.find("article", id="claim-c1")
    assert "without findings" in text_of(paper.find(class_="notice"))
    # The claim's own suppressions still show, unlinked (there is no rules page entry).
    assert text_of(claim.find(class_="declared")) == "KB110: r2 measured another layer's head"
    assert claim.find(class_="declared").find("a") is None


@pytest.fixture
def audit_engine():  # type: ignore[no-untyped-def]
    return pytest.importorskip("kb.audit.engine", reason="the audit engine is not merged into this branch yet")


def test_the_audits_findings_show_on_every_page(site: Path, audit_engine) -> None:  # type: ignore[no-untyped-def]
    index = parse(site / "index.html")
    assert text_of(index.find(class_="generation")).startswith("3 concepts · 3 papers · 3 claims · 2 open findings")
    counts = {text_of(li.find("a")): text_of(li.find(class_="counts")) for li in index.select("li.concept-entry")}
    assert counts["Induction head"] == "2 claims · 2 open findings"
    assert counts["Previous-token head"] == "0 claims · 0 open findings"

    paper = parse(site / "papers" / "olsson2022.html")
    assert "2 open findings · 1 suppressed" in text_of(paper.find(class_="meta"))
    claim = paper.find("article", id="claim-c1")
    items = [text_of(li) for li in claim.select(":scope > ul.findings > li")]
    assert [i.split(" ", 2)[:2] for i in items] == [["error", "KB101"], ["warning", "KB106"]]
    assert "supporting evidence is behavioral only (run r1)" in items[0]
    assert claim.find("a", string="KB101")["href"] == "../rules.html#rule-KB101"
    suppressed = claim.find("details", class_="suppressed")
    assert text_of(suppressed.summary) == "1 suppressed finding"
    assert "warning KB110 run r2 (mechanistic) contradicts the claim" in text_of(suppressed)
    assert "Suppressed: r2 measured another layer's head" in text_of(suppressed)
    assert claim.find(class_="declared") is None  # the findings say it all

    concept = parse(site / "concepts" / "induction-head.html")
    c1 = concept.select("article.claim")[0]
    assert [text_of(a) for a in c1.select(":scope > ul.findings a.rule-code")] == ["KB101", "KB106"]
    assert concept.find(class_="notice") is None

    audit = parse(site / "audit.html")
    tables = audit.find_all("table")
    assert [text_of(r) for r in tables[0].select("tbody tr")] == ["error 1 0", "warning 1 1"]
    by_rule = [text_of(r) for r in tables[1].select("tbody tr")]
    assert [r.split(" ")[0] for r in by_rule] == ["KB101", "KB106", "KB110"]
    assert by_rule[2].endswith(" 0 1")
    assert [text_of(r) for r in tables[2].select("tbody tr")] == ["olsson2022 Olsson et al. 2022 2 1"]
    links = {a["href"] for a in audit.find_all("a")}
    assert {"papers/olsson2022.html#claim-c1", "rules.html#rule-KB101", "concepts/induction-head.html"} <= links
    assert audit.find("code", string="report_kb.yaml:86") is not None or audit.find(
        "code", string=lambda s: bool(s) and s.endswith("report_kb.yaml:86")
    )


def test_rules_page_documents_every_registered_rule(site: Path, audit_engine) -> None:  # type: ignore[no-untyped-def]
    from kb.audit.registry import default_registry

    registry = default_registry()
    rules = parse(site / "rules.html")
    articles = rules.select("article.rule")
    assert [a["id"] for a in articles] == [f"rule-{code}" for code in registry.codes()]
    for article, rule in zip(articles, registry, strict=True):
        assert text_of(article.find("h2")) == f"{rule.code} {rule.summary()}"
        assert f"default severity {rule.default_severity.value}" in text_of(article.find(class_="meta"))
        assert [text_of(h) for h in article.find_all("h3")] == [
            "What it flags", "Why it matters", "Failing example", "Passing example"
        ]
        assert article.find("pre") is not None

"""The audit in the report: the engine's findings, suppressions, severities and rule docs."""

from __future__ import annotations

from pathlib import Path

from tests.report.helpers import parse, write


def text_of(tag) -> str:  # type: ignore[no-untyped-def]
    return " ".join(tag.get_text().split())


def test_the_audits_findings_show_on_every_page(site: Path) -> None:
    index = parse(site / "index.html")
    assert text_of(index.find(class_="generation")).startswith("3 concepts · 3 papers · 3 claims · 3 open findings")
    counts = {text_of(li.find("a")): text_of(li.find(class_="counts")) for li in index.select("li.concept-entry")}
    assert counts["Induction head"] == "2 claims · 3 open findings"
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

    concept = parse(site / "concepts" / "induction-head.html")
    c1 = concept.select("article.claim")[0]
    assert [text_of(a) for a in c1.select(":scope > ul.findings a.rule-code")] == ["KB101", "KB106"]
    assert concept.find(class_="notice") is None

    audit = parse(site / "audit.html")
    tables = audit.find_all("table")
    assert [text_of(r) for r in tables[0].select("tbody tr")] == ["error 1 0", "warning 1 1", "info 1 0"]
    by_rule = [text_of(r) for r in tables[1].select("tbody tr")]
    assert [r.split(" ")[0] for r in by_rule] == ["KB101", "KB103", "KB106", "KB110"]
    assert by_rule[3].endswith(" 0 1")
    assert tables[1].select("tbody tr")[3].find("code").string == "contradicts"  # `contradicts` in the summary
    assert [text_of(r) for r in tables[2].select("tbody tr")] == [
        "elhage2021 Elhage 2021 1 0", "olsson2022 Olsson et al. 2022 2 1"
    ]
    links = {a["href"] for a in audit.find_all("a")}
    assert {"papers/olsson2022.html#claim-c1", "rules.html#rule-KB101", "concepts/induction-head.html"} <= links
    assert audit.find("code", string="report_kb.yaml:86") is not None or audit.find(
        "code", string=lambda s: bool(s) and s.endswith("report_kb.yaml:86")
    )


def test_rules_page_documents_every_registered_rule(site: Path) -> None:
    from kb.audit.registry import default_registry

    registry = default_registry()
    rules = parse(site / "rules.html")
    articles = rules.select("article.rule")
    assert [a["id"] for a in articles] == [f"rule-{code}" for code in registry.codes()]
    for article, rule in zip(articles, registry, strict=True):
        assert text_of(article.find("h2")) == f"{rule.code} {rule.summary().replace('`', '')}"
        assert f"default severity {rule.default_severity.value}" in text_of(article.find(class_="meta"))
        assert [text_of(h) for h in article.find_all("h3")] == [
            "What it flags", "Why it matters", "Failing example", "Passing example"
        ]
        assert article.find("pre") is not None


def test_severities_come_from_the_audit_configuration(kb_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "kb.toml"
    config.write_text('[audit.severity]\nKB106 = "error"\nKB110 = "info"\n')
    write(kb_store, tmp_path / "site", config=config)
    audit = parse(tmp_path / "site" / "audit.html")
    assert [text_of(r) for r in audit.find_all("table")[0].select("tbody tr")] == ["error 2 0", "info 1 1"]


def test_a_bad_configuration_is_a_clean_error(kb_init, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "kb.toml"
    config.write_text('[audit.severity]\nKB999 = "error"\n')
    result = kb_init("report", "-o", str(tmp_path / "site"), "--config", str(config))
    assert result.exit_code == 2 and "KB999" in result.stderr
    assert not (tmp_path / "site" / "index.html").exists()

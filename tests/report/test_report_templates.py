"""Template conventions, documented contexts, the Environment, and findings entering the pages."""

from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass, fields
from pathlib import Path

import pytest

from kb.report import render, views
from kb.report.environment import FILTERS, environment, number, plural
from kb.report.links import Links, PageFiles, file_stem
from kb.resources import templates_dir
from tests.report.helpers import parse, windows_device, write

TEMPLATES = sorted(p.name for p in templates_dir().glob("*.html"))


def test_templates_are_flat_pages_extend_base_and_partials_start_with_underscore() -> None:
    pages = [t for t in TEMPLATES if not t.startswith("_") and t != "base.html"]
    assert sorted(pages) == sorted(render.PAGE_TEMPLATES)
    for name in TEMPLATES:
        source = (templates_dir() / name).read_text(encoding="utf-8")
        if name in pages:
            assert '{% extends "base.html" %}' in source, name
        else:
            assert "{% extends" not in source, name


def test_safe_is_used_only_on_html_fields() -> None:
    for path in templates_dir().rglob("*.html"):
        for match in re.finditer(r"([\w.]+)\s*\|\s*safe", path.read_text(encoding="utf-8")):
            assert match.group(1).endswith("_html"), f"{path.name}: |safe on {match.group(1)}"


def test_one_environment_with_autoescape_and_the_registered_filters() -> None:
    env = environment()
    assert env is environment()
    assert env.autoescape is True
    for name, function in FILTERS.items():
        assert env.filters[name] is function
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    assert number(0.5) == "0.5" and number(None) == "\u2013" and number(12.0) == "12"
    assert plural(1, "claim") == "1 claim" and plural(2, "claim") == "2 claims"


@pytest.mark.parametrize("template", sorted(render.PAGE_TEMPLATES))
def test_every_page_renders_a_documented_context(template: str) -> None:
    page_class = render.PAGE_TEMPLATES[template]
    documented = page_class.__doc__ or ""
    for f in fields(page_class):
        assert f.name in documented, f"{page_class.__name__}.{f.name} is not documented"
    assert f"kb.report.views.{page_class.__name__}" in (templates_dir() / template).read_text()
    for f in fields(render.PageContext):
        assert f.name in (render.PageContext.__doc__ or "")
    assert hasattr(page_class, "__slots__")


def test_origins_name_the_file_not_the_machines_folders() -> None:
    from kb.report.findings import origin_label

    assert origin_label("data/claims.yaml", 12) == "data/claims.yaml:12"
    assert origin_label("/home/someone/kb/claims.yaml", 4) == "claims.yaml:4"
    assert origin_label(None, 3) is None and origin_label("a.yaml", None) == "a.yaml"


def test_a_template_refuses_the_wrong_page_object() -> None:
    info = views.SiteInfo("t", "0", None, 0, 0, 0, 0, False)
    with pytest.raises(TypeError, match="renders a ConceptPage"):
        render.render_template("concept.html", render.PageContext(info, views.SourcesPage(()), Links()))


def test_links_are_relative_on_pages_and_anchors_in_a_single_file() -> None:
    site, deep, single = Links(0), Links(1), Links(single=True)
    assert site.concept("whale") == "concepts/whale.html"
    assert deep.concept("whale") == "../concepts/whale.html"
    assert deep.claim("c1", "olsson2022") == "../papers/olsson2022.html#claim-c1"
    assert deep.page("audit") == "../audit.html" and deep.asset("kb.css") == "../assets/kb.css"
    assert single.concept("whale") == "#concept-whale" and single.claim("c1", "p") == "#claim-c1"
    assert single.definition("whale", "linnaeus") == "#def-whale/linnaeus"
    assert file_stem("evil:2024+x") == "evil_3a2024_2bx" and file_stem("a.b-c") == "a.b-c"


def test_page_file_names_differ_in_more_than_case_whatever_the_order_of_the_keys() -> None:
    keys = ["Smith2020", "smith2020", "SMITH2020", "olsson2022", "a:b", "A:b"]
    files = PageFiles(concepts=["whale"], papers=keys)
    names = [files.paper(key) for key in keys]
    assert len({name.lower() for name in names}) == len(keys)
    assert names == [PageFiles(papers=reversed(keys)).paper(key) for key in keys]
    assert files.paper("olsson2022") == "papers/olsson2022.html" and files.concept("whale") == "concepts/whale.html"
    assert files.paper("Smith2020").startswith("papers/Smith2020__")
    assert Links(1, files=files).paper("smith2020") == "../" + files.paper("smith2020")


def test_page_file_names_of_windows_device_keys_are_not_devices_and_do_not_depend_on_the_other_keys() -> None:
    devices = ["con", "NUL", "Prn", "aux", "com1", "LPT9", "Aux.v2", "nul.a.b"]
    lookalikes = ["com10", "lpt0", "console", "nul-x", "con:x", "a.con"]
    files = PageFiles(papers=devices + lookalikes)
    names = {key: files.paper(key).removeprefix("papers/") for key in devices + lookalikes}
    assert [name for name in names.values() if windows_device(name)] == []
    assert names["Aux.v2"].startswith("Aux__") and names["Aux.v2"].endswith(".v2.html")  # the suffix is before the dot
    assert {key: names[key] for key in lookalikes} == {key: f"{file_stem(key)}.html" for key in lookalikes}
    assert all(PageFiles().paper(key) == PageFiles(papers=[key]).paper(key) == files.paper(key) for key in devices)
    assert PageFiles(concepts=["con"]).concept("con") == PageFiles().concept("con") == "concepts/" + names["con"]


# --- findings --------------------------------------------------------------------------------


@dataclass
class FakeFinding:
    code: str
    severity: str
    claim: str | None
    paper: str | None
    concept: str | None
    message: str
    suppressed: bool = False
    suppress_reason: str | None = None
    origin_file: str | None = None
    origin_line: int | None = None


FAKE_FINDINGS = [
    FakeFinding("KB101", "error", "c1", "olsson2022", "induction-head", "mechanistic claim, behavioral evidence <b>only</b>",
                origin_file="claims.yaml", origin_line=3),
    FakeFinding("KB109", "warning", "c1", "olsson2022", "induction-head", "same subject twice", True, "the subject is the same head"),
    FakeFinding("KB105", "warning", "c3", None, None, "no run evidence"),
    FakeFinding("KB201", "info", None, None, "previous-token-head", "no criteria on the definition"),
]


@dataclass
class FakeRule:
    code: str
    name: str
    severity: str
    default_severity: str
    summary: str
    documentation: str


KB101_DOC = """A claim states the mechanistic sense, but all its supporting evidence is behavioral.

## What it flags
A claim whose stated kind is `mechanistic` and whose supporting
evidence is behavioral <only>.

## Failing example
```yaml
claims:
  - key: c1
    stated_kind: mechanistic   # <script>
```
"""
FAKE_RULES = [
    FakeRule("KB101", "mechanistic-claim-behavioral-evidence", "error", "error",
             "A claim states the mechanistic sense, but all its supporting evidence is behavioral.", KB101_DOC),
    FakeRule("KB105", "no-supporting-run", "warning", "warning", "No supporting run.", "No supporting run."),
    FakeRule("KB109", "subject-mismatch", "warning", "warning", "Subject mismatch.", "Subject mismatch."),
]


def test_rule_docstrings_become_headings_paragraphs_and_examples() -> None:
    from kb.report.findings import RuleBlock, code_spans, doc_blocks

    summary, blocks = doc_blocks(KB101_DOC)
    assert summary.startswith("A claim states the mechanistic sense")
    assert [b.kind for b in blocks] == ["heading", "text", "heading", "code"]
    assert code_spans(blocks[1].text) == (("A claim whose stated kind is ", False), ("mechanistic", True),
                                          (" and whose supporting evidence is behavioral <only>.", False))
    assert code_spans("an `unpaired tick") == (("an `unpaired tick", False),)
    assert blocks[3].text.startswith("claims:\n  - key: c1")
    _, plain = doc_blocks("Summary.\n\nA paragraph\nover two lines.\n\n    indented example\n")
    assert plain == (RuleBlock("text", "A paragraph over two lines."), RuleBlock("code", "indented example"))


@pytest.fixture
def fake_audit(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A stand-in `kb.audit.engine` that returns FAKE_FINDINGS and FAKE_RULES: the adapter and the
    pages meet findings the real rules never raise on the small KB (concept-level ones, markup in
    messages, several severities)."""
    engine = types.ModuleType("kb.audit.engine")

    @dataclass(frozen=True)
    class AuditOptions:
        include_suppressed: bool = False
        severities: dict = None  # type: ignore[assignment]

    def run_audit(session, options):  # type: ignore[no-untyped-def]
        assert isinstance(options, AuditOptions) and options.include_suppressed
        return types.SimpleNamespace(findings=list(FAKE_FINDINGS), rules=list(FAKE_RULES))

    engine.AuditOptions = AuditOptions  # type: ignore[attr-defined]
    engine.run_audit = run_audit  # type: ignore[attr-defined]
    import kb.audit  # noqa: F401  (the real package, whose config is read; only the engine is swapped)

    monkeypatch.setitem(sys.modules, "kb.audit.engine", engine)
    return engine


def text_of(tag) -> str:  # type: ignore[no-untyped-def]
    return " ".join(tag.get_text().split())


def test_findings_show_on_concept_paper_audit_and_index(kb_store, tmp_path: Path, fake_audit) -> None:  # type: ignore[no-untyped-def]
    write(kb_store, tmp_path / "site")
    site = tmp_path / "site"

    index = parse(site / "index.html")
    assert "2 concepts" not in text_of(index.find(class_="generation"))
    assert "3 open findings" in text_of(index.find(class_="generation"))
    head = next(li for li in index.select("li.concept-entry") if "Induction head" in text_of(li))
    assert "2 claims · 1 open finding" in text_of(head.find(class_="counts"))

    paper = parse(site / "papers" / "olsson2022.html")
    claim = paper.find("article", id="claim-c1")
    open_items = claim.select("ul.findings > li")
    assert "error KB101 mechanistic claim, behavioral evidence <b>only</b>" in text_of(open_items[0])
    assert claim.find("b") is None  # the message's markup is text
    suppressed = claim.find("details", class_="suppressed")
    assert "1 suppressed finding" in text_of(suppressed.summary)
    assert "Suppressed: the subject is the same head" in text_of(suppressed)
    assert "1 open finding · 1 suppressed" in text_of(paper.find(class_="meta"))

    concept = parse(site / "concepts" / "induction-head.html")
    c1 = concept.select("article.claim")[0]
    assert "KB101" in text_of(c1.find(class_="findings"))
    ptc = parse(site / "concepts" / "previous-token-head.html")
    assert "info KB201 no criteria on the definition" in text_of(ptc.find(class_="findings"))

    audit = parse(site / "audit.html")
    captions = [text_of(c) for c in audit.find_all("caption")]
    assert captions[:3] == ["By severity", "By rule", "By paper"]
    by_severity = [text_of(r) for r in audit.find_all("table")[0].select("tbody tr")]
    assert by_severity == ["error 1 0", "warning 1 1", "info 1 0"]
    by_paper = [text_of(r) for r in audit.find_all("table")[2].select("tbody tr")]
    assert by_paper == ["evil:2024 <b>Bold</b> 2024 1 0", "olsson2022 Olsson et al. 2022 1 1"]
    links = {a["href"] for a in audit.find_all("a")}
    assert "papers/olsson2022.html#claim-c1" in links and "papers/evil_3a2024.html#claim-c3" in links
    assert "concepts/previous-token-head.html" in links
    origin = audit.find("code", string="claims.yaml:3")
    assert origin is not None
    assert audit.find("a", string="KB101")["href"] == "rules.html#rule-KB101"
    assert audit.find("code", class_="rule-code", string="KB201") is not None  # not in the registry: no link

    rules = parse(site / "rules.html")
    kb101 = rules.find("article", id="rule-KB101")
    assert text_of(kb101.find("h2")).startswith("KB101 A claim states the mechanistic sense")
    assert "default severity error" in text_of(kb101.find(class_="meta"))
    assert [text_of(h) for h in kb101.find_all("h3")] == ["What it flags", "Failing example"]
    assert kb101.select("p:not(.meta)")[0].find("code").string == "mechanistic"
    assert "behavioral <only>." in text_of(kb101)
    assert "# <script>" in kb101.find("pre").get_text()
    assert rules.find("script", src=None) is None



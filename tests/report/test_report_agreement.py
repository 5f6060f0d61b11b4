"""The concept page's agreement matrix: which definitions each measured subject satisfies, and
how the definitions overlap pair by pair (the logic is `kb.agreement`; the page only shows it).

Each test builds a tiny KB: a concept whose definitions have criteria, and runs on subjects.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.report.helpers import KCOMP, PREFIX, agreement_document, heads, load, parse, write

COPYING = ("copying", "behavioral", "copying-score", 0.5)


def build(store, tmp_path: Path, runs: list[tuple[str, str, float | None]], definitions=(PREFIX, KCOMP)) -> Path:  # type: ignore[no-untyped-def]
    """Import a concept `head` with `definitions` (key, kind, method, threshold) and `runs`
    (subject, method, value), write the site and return the concept page's path."""
    path = tmp_path / "kb.yaml"
    path.write_text(yaml.safe_dump(agreement_document(runs, definitions), sort_keys=False), encoding="utf-8")
    load(store, [path])
    write(store, tmp_path / "site")
    return tmp_path / "site" / "concepts" / "head.html"


FOUR_HEADS = heads(
    **{"m/L0H1": (0.9, 0.3), "m/L1H10": (0.9, 0.01), "m/L1H9": (0.1, 0.3), "m/L0H2": (0.1, 0.0), "m/L2H0": (0.9, None)}
)


def text_of(tag) -> str:  # type: ignore[no-untyped-def]
    return " ".join(tag.get_text().split())


def matrix(page: Path) -> dict[str, list[str]]:
    """The matrix as {subject: [cell text per definition]}, in the page's row order."""
    table = parse(page).select_one("section.agreement table.agreement-matrix")
    return {text_of(tr.th): [text_of(td) for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")}


def pair_facts(page: Path) -> list[dict[str, str]]:
    """Each pair's facts as {term: description}."""
    return [
        {text_of(dt): text_of(dt.find_next_sibling("dd")) for dt in pair.find_all("dt")}
        for pair in parse(page).select("section.agreement .pair")
    ]


def test_matrix_shows_for_each_subject_which_definitions_it_satisfies(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = build(store, tmp_path, FOUR_HEADS)
    assert matrix(page) == {
        "m/L0H1": ["yes", "yes"],
        "m/L0H2": ["no", "no"],
        "m/L1H9": ["yes", "no"],
        "m/L1H10": ["no", "yes"],
    }, "columns by key (elhage2021, olsson2022); m/L2H0 is judged under one definition only"


def test_matrix_headers_name_each_definition_with_its_kind_and_link_to_it(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = build(store, tmp_path, FOUR_HEADS)
    table = parse(page).select_one("section.agreement table.agreement-matrix")
    assert text_of(table.caption) == "Which definitions of Head each subject satisfies"
    headers = table.thead.find_all("th")
    assert [h["scope"] for h in headers] == ["col", "col", "col"]
    assert [text_of(h) for h in headers] == ["Subject", "elhage2021 mechanistic", "olsson2022 behavioral"]
    assert [h.a["href"] for h in headers[1:]] == ["../concepts/head.html#def-head/elhage2021",
                                                  "../concepts/head.html#def-head/olsson2022"]
    assert [h.find(class_="badge")["class"] for h in headers[1:]] == [
        ["badge", "kind", "kind-mechanistic"], ["badge", "kind", "kind-behavioral"]]
    assert {th["scope"] for th in table.tbody.find_all("th")} == {"row"}
    assert [text_of(td) for td in table.tfoot.find_all("td")] == ["2 subjects", "2 subjects"]


def test_subjects_come_in_natural_order(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = build(store, tmp_path, heads(**{"h/L1H10": (0.9, 0.3), "h/L1H9": (0.9, 0.3), "h/L1H2": (0.9, 0.3)}))
    assert list(matrix(page)) == ["h/L1H2", "h/L1H9", "h/L1H10"]


def test_a_subject_not_judged_under_a_definition_says_so_in_words(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runs = [*heads(a=(0.9, 0.3)), ("b", "copying-score", 0.9), *heads(b=(0.1, None))]
    page = build(store, tmp_path, runs, definitions=(PREFIX, KCOMP, COPYING))
    assert matrix(page) == {"a": ["not judged", "yes", "yes"], "b": ["yes", "not judged", "no"]}
    cell = parse(page).select_one("table.agreement-matrix tbody td.verdict-not-judged")
    assert text_of(cell) == "not judged"


def test_every_run_of_a_subject_counts_one_failing_run_fails_it(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = build(store, tmp_path, [*heads(a=(0.9, 0.3)), ("a", "k-composition-score", 0.02)])
    assert matrix(page) == {"a": ["no", "yes"]}


def test_each_pair_shows_counts_intersection_union_and_jaccard(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    [facts] = pair_facts(build(store, tmp_path, FOUR_HEADS))
    assert facts["Judged under both"] == "4 subjects"
    assert (facts["Satisfy elhage2021"], facts["Satisfy olsson2022"]) == ("2", "2")
    assert (facts["Both (intersection)"], facts["Either (union)"]) == ("1", "3")
    assert facts["Jaccard index"] == "0.33"


def test_each_pair_lists_the_subjects_in_each_difference_and_in_neither(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = build(store, tmp_path, FOUR_HEADS)
    pair = parse(page).select_one("section.agreement .pair")
    lists = {cls: [text_of(li) for li in pair.select(f"dd.{cls} li")] for cls in ("only-first", "only-second", "neither")}
    assert lists == {"only-first": ["m/L1H9"], "only-second": ["m/L1H10"], "neither": ["m/L0H2"]}
    assert [text_of(a) for a in pair.find(["h2", "h3", "h4", "h5", "h6"]).find_all("a")] == ["elhage2021", "olsson2022"]


def test_an_empty_difference_says_none(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    [facts] = pair_facts(build(store, tmp_path, heads(a=(0.9, 0.3), b=(0.1, 0.0))))
    assert (facts["Only elhage2021"], facts["Only olsson2022"], facts["Neither"]) == ("none", "none", "b")


def test_jaccard_is_n_a_when_neither_definition_picks_out_a_subject(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    [facts] = pair_facts(build(store, tmp_path, heads(a=(0.1, 0.0), b=(0.2, 0.05))))
    assert (facts["Either (union)"], facts["Jaccard index"]) == ("0", "n/a")


def test_the_section_has_an_anchor_and_sits_between_the_definitions_and_the_claims(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = build(store, tmp_path, FOUR_HEADS)
    concept = parse(page).find("article", class_="concept")
    sections = [s["class"][0] for s in concept.find_all("section", recursive=False)]
    assert sections.index("definitions") < sections.index("agreement") < sections.index("claims")
    section = concept.find("section", class_="agreement")
    assert section["id"] == "agreement-head"
    assert text_of(section.find("h2")) == "Agreement between definitions"


def test_no_section_when_fewer_than_two_definitions_have_criteria(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = build(store, tmp_path, heads(a=(0.9, None)), definitions=(PREFIX,))
    doc = parse(page)
    assert doc.find("section", class_="agreement") is None
    assert "Agreement between definitions" not in doc.get_text()


def test_one_sentence_when_no_subject_is_judged_under_two_definitions(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = build(store, tmp_path, heads(a=(0.9, None), b=(None, 0.3)))
    section = parse(page).find("section", class_="agreement")
    assert section.find("table") is None and section.select(".pair") == []
    [sentence] = section.find_all("p")
    assert text_of(sentence) == (
        "No subject is measured against the criteria of two or more definitions yet, so there is no agreement to show."
    )


def test_a_hostile_subject_name_stays_text(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hostile = "<script>alert(1)</script>"
    page = build(store, tmp_path, heads(**{hostile: (0.9, 0.01), '"><img src=x onerror=alert(2)>': (0.1, 0.3)}))
    raw = page.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in raw and "<img src=x" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    doc = parse(page)
    assert list(matrix(page)) == ['"><img src=x onerror=alert(2)>', hostile]
    assert [text_of(li) for li in doc.select("section.agreement dd.only-second li")] == [hostile]
    assert doc.find("img") is None and [s.get("src") for s in doc.find_all("script")] == ["../assets/filter.js"]


def test_up_to_200_subjects_the_matrix_is_open(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = build(store, tmp_path, heads(**{f"m/H{i}": (0.9, 0.3) for i in range(200)}))
    section = parse(page).find("section", class_="agreement")
    assert section.find("details") is None
    assert len(matrix(page)) == 200


def test_more_than_200_subjects_fold_the_matrix_and_lists_into_closed_details(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = build(store, tmp_path, heads(**{f"m/H{i}": (0.9, 0.3 if i % 2 else 0.0) for i in range(201)}))
    section = parse(page).find("section", class_="agreement")
    fold = section.find("details", class_="agreement-fold")
    assert fold is not None and not fold.has_attr("open")
    assert text_of(fold.summary) == "Show the matrix (201 subjects)"
    assert len(fold.select("table.agreement-matrix tbody tr")) == 201, "every row is still in the page"
    only = section.select_one(".pair dd.only-second details")
    assert not only.has_attr("open") and text_of(only.summary) == "101 subjects"
    assert len(only.find_all("li")) == 101
    assert section.find("h3", string="Overlap per pair of definitions") is not None, "the overlap stays visible"


def test_the_page_shows_what_kb_agreement_computes(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from kb.services.agreement import concept_agreement

    page = build(store, tmp_path, FOUR_HEADS)
    expected = concept_agreement(store, "head")
    words = {True: "yes", False: "no", None: "not judged"}
    assert matrix(page) == {
        row.subject: [words[row.verdicts[key]] for key in expected.definitions] for row in expected.subjects
    }


def test_the_single_file_holds_the_agreement_with_anchor_links(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    build(store, tmp_path, FOUR_HEADS)
    write(store, tmp_path / "one", single_file="glossary.html")
    doc = parse(tmp_path / "one" / "glossary.html")
    section = doc.find("section", id="agreement-head")
    assert text_of(section.find("h4")) == "Agreement between definitions"
    assert len(section.select("table.agreement-matrix tbody tr")) == 4
    links = [a["href"] for a in section.find_all("a")]
    assert links and set(links) == {"#def-head/elhage2021", "#def-head/olsson2022"}
    assert all(doc.find(id=href[1:]) is not None for href in links)


def test_the_agreement_of_every_concept_takes_one_query(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The runs the matrices judge are read once for the whole report, not once per concept."""
    from sqlalchemy import event

    from kb.report.build import build_site
    from kb.report.findings import AuditData

    def run_queries() -> list[str]:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(store.engine, "before_cursor_execute", listener)
        try:
            with store.session() as session:
                site = build_site(session, AuditData(), title="t", version="0")
        finally:
            event.remove(store.engine, "before_cursor_execute", listener)
        assert all(c.agreement is not None for c in site.concepts)
        return [s for s in statements if "FROM runs" in s]

    build(store, tmp_path, FOUR_HEADS)
    one = run_queries()
    more = {"kb": 1, "concepts": [
        {"key": f"c{i}", "name": f"C{i}", "definitions": [
            {"key": key, "kind": kind, "text": "t", "criteria": [{"method": method, "op": ">=", "threshold": t}]}
            for key, kind, method, t in (PREFIX, KCOMP)
        ]} for i in range(12)
    ]}
    (tmp_path / "more.yaml").write_text(yaml.safe_dump(more), encoding="utf-8")
    load(store, [tmp_path / "more.yaml"])
    assert len(run_queries()) == len(one) == 1

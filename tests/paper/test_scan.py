import textwrap

import yaml

from kb.paper.classify import Sense
from kb.paper.mentions import ConceptTerms
from kb.paper.scan import draft_claims, scan_file, scan_text
from schema import models

TERMS = [
    ConceptTerms("induction-head", "induction head", (), {"mechanistic": ("previous-token head",)}),
    ConceptTerms("whale", "whale"),
]

PAPER = """Induction heads score highly on repeated random tokens.

We show that induction heads are implemented by K-composition. Whales are large animals.
Every induction head in layer 1 was studied; an induction head again.
"""


def test_json_output_has_exactly_the_contract_keys():
    result = scan_text(PAPER, TERMS)
    data = result.to_json()
    assert set(data) == {"mentions", "summary"}
    for mention in data["mentions"]:
        assert set(mention) == {"concept", "sense", "cues", "line", "sentence"}
        assert mention["sense"] in {"behavioral", "mechanistic", "unclear"}


def test_mentions_report_sense_cues_and_input_line():
    mentions = scan_text(PAPER, TERMS).to_json()["mentions"]
    assert mentions[0] == {
        "concept": "induction-head",
        "sense": "behavioral",
        "cues": ["score highly", "on repeated random tokens"],
        "line": 1,
        "sentence": "Induction heads score highly on repeated random tokens.",
    }
    assert (mentions[1]["sense"], mentions[1]["line"]) == ("mechanistic", 3)
    assert (mentions[2]["concept"], mentions[2]["sense"]) == ("whale", "unclear")


def test_a_term_used_twice_in_a_sentence_is_one_use():
    result = scan_text(PAPER, TERMS)
    last = [m for m in result.mentions if m.sentence.startswith("Every induction head")]
    assert len(last) == 1


def test_definition_cues_of_the_concept_decide_its_sense():
    result = scan_text("An induction head reads from a previous-token head.", TERMS)
    assert result.mentions[0].sense is Sense.mechanistic
    assert "previous-token head" in result.mentions[0].cues


def test_paper_using_a_term_in_both_senses_gets_a_conflation_warning():
    summary = scan_text(PAPER, TERMS).summary()
    assert summary["concepts"]["induction-head"] == {
        "behavioral": 1,
        "mechanistic": 1,
        "unclear": 1,
        "total": 3,
        "conflation": True,
    }
    [warning] = summary["conflations"]
    assert "induction-head" in warning and "line 1" in warning and "line 3" in warning


def test_paper_using_a_term_in_one_sense_gets_no_warning():
    summary = scan_text("Induction heads score highly. Induction heads attend to tokens.", TERMS).summary()
    assert summary["conflations"] == []
    assert summary["concepts"]["induction-head"]["conflation"] is False


def test_latex_mentions_carry_the_tex_file_line_numbers(tmp_path):
    path = tmp_path / "paper.tex"
    path.write_text(
        "\\documentclass{article}\n\\begin{document}\n% induction heads\n\n"
        "Induction heads \\cite{x}\nscore highly.\n\\end{document}\n"
    )
    [mention] = scan_file(path, TERMS).mentions
    assert (mention.line, mention.sentence) == (5, "Induction heads score highly.")


def test_code_urls_and_bibliography_give_no_mentions(tmp_path):
    path = tmp_path / "paper.md"
    path.write_text(
        "Text.\n\n```\ninduction heads\n```\n\nSee https://x.org/induction-heads.\n\n"
        "# References\n\nInduction heads, 2022.\n"
    )
    assert scan_file(path, TERMS).mentions == []


SHORT_PAPER = [
    "Induction heads are heads that score highly on repeated random tokens. In small models, "
    "induction heads are implemented by K-composition with a previous-token head.",
    "Whales swim in the sea, although a whale breathes air. We ablate every induction head "
    "and the in-context learning score drops.",
]


def _versions(tmp_path, make_pdf):
    wrapped = [textwrap.wrap(paragraph, 70) for paragraph in SHORT_PAPER]
    markdown = tmp_path / "paper.md"
    markdown.write_text("\n\n".join("\n".join(lines) for lines in wrapped) + "\n")
    pdf = make_pdf([[line for lines in wrapped for line in lines]])
    return markdown, pdf


def test_markdown_and_pdf_versions_of_a_paper_give_the_same_mentions(tmp_path, make_pdf):
    markdown, pdf = _versions(tmp_path, make_pdf)

    def essence(result):
        return [(m.concept, m.sense, m.cues, m.sentence) for m in result.mentions]

    from_markdown = scan_file(markdown, TERMS)
    from_pdf = scan_file(pdf, TERMS)
    assert len(from_markdown.mentions) == 4
    assert essence(from_pdf) == essence(from_markdown)


def test_pdf_mentions_carry_page_and_line_in_json(tmp_path, make_pdf):
    _, pdf = _versions(tmp_path, make_pdf)
    data = scan_file(pdf, TERMS).to_json()
    assert all(set(m) == {"concept", "sense", "cues", "line", "sentence", "page"} for m in data["mentions"])
    assert data["mentions"][0]["page"] == 1 and data["mentions"][0]["line"] == 1


def test_draft_claims_validate_as_an_interchange_document(tmp_path):
    path = tmp_path / "paper.md"
    path.write_text(PAPER)
    document = draft_claims(scan_file(path, TERMS), "olsson2022")
    dumped = yaml.safe_load(yaml.safe_dump(document.model_dump(mode="json", exclude_none=True)))
    assert models.Document.model_validate(dumped) == document
    assert [c.key for c in document.claims] == [
        "olsson2022-induction-head-1",
        "olsson2022-induction-head-2",
        "olsson2022-whale-1",
        "olsson2022-induction-head-3",
    ]


def test_draft_claims_carry_origin_guessed_kind_and_no_evidence(tmp_path):
    path = tmp_path / "paper.md"
    path.write_text(PAPER)
    claims = draft_claims(scan_file(path, TERMS), "olsson2022").claims
    assert claims[0].text.endswith("(origin: paper.md:1)")
    assert [c.stated_kind for c in claims] == [models.Kind.behavioral, models.Kind.mechanistic, None, None]
    assert all(c.evidence == [] and c.source == "olsson2022" for c in claims)


def test_draft_claims_of_a_pdf_name_the_page_in_the_origin(tmp_path, make_pdf):
    _, pdf = _versions(tmp_path, make_pdf)
    claims = draft_claims(scan_file(pdf, TERMS), "x2024").claims
    assert claims[0].text.endswith("(origin: paper.pdf:p1:1)")


def test_draft_claims_can_carry_the_source_record():
    document = draft_claims(
        scan_text(PAPER, TERMS), "olsson2022", source_title="In-context Learning and Induction Heads"
    )
    assert [s.key for s in document.sources] == ["olsson2022"]


def test_scanning_twice_gives_the_same_draft():
    first = draft_claims(scan_text(PAPER, TERMS), "s")
    second = draft_claims(scan_text(PAPER, TERMS), "s")
    assert first == second

from pathlib import Path

import pytest

from kb.paper.extract import (
    TextFormat,
    detect_format,
    extract_file,
    extract_latex,
    extract_markdown,
    extract_plain,
)


def prose(lines):
    """{line number: text} of the non-blank extracted lines."""
    return {item.line: item.text.strip() for item in lines if item.text.strip()}


def test_markdown_keeps_input_line_numbers():
    text = "# Title\n\nFirst paragraph.\n\nSecond paragraph\non two lines.\n"
    assert prose(extract_markdown(text)) == {
        1: "# Title",
        3: "First paragraph.",
        5: "Second paragraph",
        6: "on two lines.",
    }


def test_markdown_skips_fenced_code_blocks():
    text = "Before.\n```python\ninduction_heads = 1\n```\n~~~\nmore code\n~~~\nAfter.\n"
    assert prose(extract_markdown(text)) == {1: "Before.", 8: "After."}


def test_markdown_skips_indented_code_blocks():
    text = "Prose.\n\n    induction heads in code\n    more code\n\nProse again.\n"
    assert prose(extract_markdown(text)) == {1: "Prose.", 6: "Prose again."}


def test_markdown_skips_inline_code():
    [line] = extract_markdown("Call `induction_heads()` here.")
    assert "induction" not in line.text


def test_markdown_link_keeps_its_text_but_not_its_url():
    [line] = extract_markdown("See [induction heads](https://example.org/induction-heads) now.")
    assert " ".join(line.text.split()) == "See induction heads now."


def test_bare_urls_are_blanked():
    [line] = extract_plain("Read https://example.org/induction-heads.html today.")
    assert "induction" not in line.text
    assert line.text.startswith("Read ") and line.text.endswith(" today.")


def test_markdown_skips_the_references_section():
    text = "Body.\n\n## References\n\nOlsson et al. Induction heads.\n"
    assert prose(extract_markdown(text)) == {1: "Body."}


def test_markdown_resumes_after_the_references_section_at_a_same_level_heading():
    text = "Body.\n\n## Bibliography\n\nOlsson.\n\n## Appendix\n\nMore prose.\n"
    assert prose(extract_markdown(text)) == {1: "Body.", 7: "## Appendix", 9: "More prose."}


def test_markdown_setext_references_heading_is_recognised():
    text = "Body.\n\nReferences\n----------\n\nOlsson.\n"
    assert prose(extract_markdown(text)) == {1: "Body."}


def test_plain_text_stops_at_a_references_line():
    text = "Body.\n\n7 References\nOlsson et al.\n"
    assert prose(extract_plain(text)) == {1: "Body."}


LATEX = r"""\documentclass{article}
\usepackage{amsmath}
\begin{document}
% induction heads in a comment
Induction heads \cite{olsson2022} attend $x_i$ to
the token after; see Section~\ref{sec:x}. % trailing comment
\begin{equation}
  \text{induction head} = W_{OV}
\end{equation}
\section{Mechanism}\label{sec:x}
They are \emph{implemented by} K-composition.
\begin{thebibliography}{9}
\bibitem{olsson2022} Olsson. Induction heads.
\end{thebibliography}
\end{document}
"""


def test_latex_keeps_input_line_numbers():
    found = prose(extract_latex(LATEX))
    assert set(found) == {5, 6, 10, 11}
    assert found[10] == "Mechanism"


def test_latex_drops_comments_citations_references_and_math():
    found = prose(extract_latex(LATEX))
    assert " ".join(found[5].split()) == "Induction heads attend to"
    assert " ".join(found[6].split()) == "the token after; see Section ."
    assert " ".join(found[11].split()) == "They are implemented by K-composition."


def test_latex_skips_thebibliography():
    assert all("Olsson" not in line.text for line in extract_latex(LATEX))


def test_latex_stops_at_the_bibliography_command():
    text = "Body text.\n\\bibliography{refs}\nAfter it.\n"
    assert prose(extract_latex(text)) == {1: "Body text."}


def test_latex_math_spanning_lines_keeps_later_line_numbers():
    text = "A \\[\n x \\\\\n y \\] B.\nInduction heads.\n"
    assert prose(extract_latex(text))[4] == "Induction heads."


def test_pdf_lines_carry_page_and_line_within_page(make_pdf):
    path = make_pdf([["First page."], ["Second page,", "second line."]])
    lines = [(item.page, item.line, item.text) for item in extract_file(path) if item.text.strip()]
    assert lines == [(1, 1, "First page."), (2, 1, "Second page,"), (2, 2, "second line.")]


def test_pdf_text_after_a_references_heading_is_skipped(make_pdf):
    path = make_pdf([["Body."], ["More body.", "References", "Olsson. Induction heads."], ["Appendix."]])
    texts = [item.text for item in extract_file(path) if item.text.strip()]
    assert texts == ["Body.", "More body."]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("p.md", TextFormat.markdown),
        ("p.markdown", TextFormat.markdown),
        ("p.tex", TextFormat.latex),
        ("P.PDF", TextFormat.pdf),
        ("p.txt", TextFormat.text),
        ("p", TextFormat.text),
    ],
)
def test_format_follows_the_file_extension(name, expected):
    assert detect_format(Path(name)) is expected

from kb.paper.extract import TextLine
from kb.paper.sentences import split_sentences


def lines(*texts, page=None):
    return [TextLine(text, number, page) for number, text in enumerate(texts, start=1)]


def test_sentences_split_at_full_stops():
    found = split_sentences(lines("Heads attend. They copy! Do they? Yes."))
    assert [s.text for s in found] == ["Heads attend.", "They copy!", "Do they?", "Yes."]


def test_sentence_spanning_lines_keeps_the_line_of_each_character():
    [sentence] = split_sentences(lines("Induction heads", "are implemented by", "composition."))
    assert sentence.text == "Induction heads are implemented by composition."
    assert sentence.line == 1
    assert sentence.location(sentence.text.index("composition")) == (3, None)


def test_abbreviations_do_not_end_sentences():
    found = split_sentences(lines("Heads (e.g. head 1.4) copy, cf. Olsson et al. 2022 for more."))
    assert len(found) == 1


def test_blank_line_ends_a_paragraph_and_its_sentence():
    found = split_sentences(lines("A heading without a stop", "", "Text follows."))
    assert [s.text for s in found] == ["A heading without a stop", "Text follows."]


def test_markdown_heading_and_list_items_are_separate_sentences():
    found = split_sentences(lines("# Induction heads", "- first item", "- second item"))
    assert [s.text for s in found] == ["Induction heads", "first item", "second item"]


def test_word_hyphenated_at_a_line_end_stays_joined():
    [sentence] = split_sentences(lines("the induction-", "heads of the model"))
    assert sentence.text == "the induction-heads of the model"


def test_pdf_sentences_carry_their_page():
    [sentence] = split_sentences(lines("Whales swim.", page=2))
    assert (sentence.line, sentence.page) == (1, 2)

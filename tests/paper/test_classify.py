import pytest

from kb.paper.classify import (
    SHARED_BEHAVIORAL_CUES,
    Sense,
    Vocabulary,
    bundled_vocabulary_path,
    classify_sentence,
    load_vocabulary,
    parse_vocabulary,
)


def test_behavioral_cues_give_behavioral_and_are_reported():
    result = classify_sentence("These heads score highly on repeated random tokens.")
    assert result.sense is Sense.behavioral
    assert result.cues == ("score highly", "on repeated random tokens")


def test_mechanistic_cues_give_mechanistic():
    result = classify_sentence("The head is implemented by K-composition with an earlier head.")
    assert result.sense is Sense.mechanistic
    assert result.cues == ("implemented by", "K-composition")


def test_sentence_without_cues_is_unclear():
    result = classify_sentence("Induction heads are named by analogy to inductive reasoning.")
    assert (result.sense, result.cues) == (Sense.unclear, ())


def test_tie_is_unclear_and_reports_the_cues_of_both_senses():
    result = classify_sentence("Its accuracy comes from a circuit.")
    assert result.sense is Sense.unclear
    assert result.behavioral_cues == ("accuracy",) and result.mechanistic_cues == ("circuit",)
    assert set(result.cues) == {"accuracy", "circuit"}


def test_inflections_and_british_spelling_match_cues():
    assert classify_sentence("It was implemented twice.").cues == ("implemented",)
    assert classify_sentence("Its behaviour changed.").cues == ("behaviour",)


def test_cue_inside_a_longer_word_does_not_match():
    assert classify_sentence("Lossless compression.").sense is Sense.unclear


def test_definition_cues_extend_the_vocabulary():
    plain = classify_sentence(
        "The head has a positive OV eigenvalue spectrum on tokens.", Vocabulary(behavioral=(), mechanistic=())
    )
    assert plain.sense is Sense.unclear
    extended = Vocabulary(behavioral=(), mechanistic=()).with_definition_cues(
        {"mechanistic": ["OV eigenvalue"]}
    )
    assert (
        classify_sentence("The head has a positive OV eigenvalue spectrum.", extended).sense
        is Sense.mechanistic
    )


def test_ignored_term_is_not_read_as_a_cue():
    sentence = "The IOI circuit was studied."
    assert classify_sentence(sentence).sense is Sense.mechanistic
    assert classify_sentence(sentence, ignore=["IOI circuit"]).sense is Sense.unclear


def test_extended_vocabulary_keeps_the_shared_cues_and_drops_duplicates():
    extended = Vocabulary().extended(behavioral=["Score", "swims"])
    assert extended.behavioral[: len(SHARED_BEHAVIORAL_CUES)] == SHARED_BEHAVIORAL_CUES
    assert extended.behavioral[-1] == "swims" and len(extended.behavioral) == len(SHARED_BEHAVIORAL_CUES) + 1


def test_kb_vocabulary_file_adds_its_cues(tmp_path):
    path = tmp_path / "vocabulary.yaml"
    path.write_text("behavioral: [swims in the sea]\nmechanistic: [breathes with lungs]\n")
    vocabulary = load_vocabulary(path)
    assert classify_sentence("A whale swims in the sea.", vocabulary).sense is Sense.behavioral
    assert classify_sentence("A whale breathes with lungs.", vocabulary).sense is Sense.mechanistic


def test_vocabulary_file_with_unknown_keys_is_rejected():
    with pytest.raises(ValueError, match="unknown vocabulary keys: behavioural"):
        parse_vocabulary({"behavioural": ["x"]})


def test_missing_vocabulary_file_asked_for_by_name_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_vocabulary(tmp_path / "nope.yaml")


def test_bundled_vocabulary_file_parses_and_extends_the_shared_one():
    vocabulary = load_vocabulary(bundled_vocabulary_path())
    assert "phlogiston" in vocabulary.mechanistic
    assert set(SHARED_BEHAVIORAL_CUES) <= set(vocabulary.behavioral)

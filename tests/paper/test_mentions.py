from kb.paper.mentions import ConceptTerms, find_mentions

INDUCTION = ConceptTerms("induction-head", "induction head")


def surfaces(text, concepts=(INDUCTION,)):
    return [m.surface for m in find_mentions(text, concepts)]


def test_name_matches_whatever_its_case():
    assert surfaces("Induction Head 1.4 and an INDUCTION HEAD.") == ["Induction Head", "INDUCTION HEAD"]


def test_plural_of_the_last_word_matches():
    assert surfaces("Two induction heads formed.") == ["induction heads"]


def test_hyphen_and_space_variants_match():
    text = "an induction-head, induction\u2011heads and induction  heads"
    assert surfaces(text) == ["induction-head", "induction\u2011heads", "induction  heads"]


def test_term_split_across_a_line_break_matches():
    assert surfaces("the induction\nheads of layer 1") == ["induction\nheads"]


def test_term_must_stand_as_whole_words():
    fire = ConceptTerms("fire", "fire")
    assert surfaces("a firewall, a misfire and surefire plans", (fire,)) == []
    assert surfaces("Fires went out.", (fire,)) == ["Fires"]


def test_alias_matches_as_its_concept():
    concept = ConceptTerms("inner-misalignment", "inner misalignment", ("goal misgeneralization",))
    [match] = find_mentions("This is goal misgeneralization.", [concept])
    assert (match.concept, match.surface) == ("inner-misalignment", "goal misgeneralization")


def test_plural_of_a_word_ending_in_consonant_y():
    policy = ConceptTerms("policy", "policy")
    assert surfaces("two policies and one policy", (policy,)) == ["policies", "policy"]


def test_possessive_matches():
    assert surfaces("the induction head's keys") == ["induction head's"]


def test_longest_term_wins_an_overlap():
    head = ConceptTerms("attention-head", "head")
    matches = find_mentions("an induction head and a head", [head, INDUCTION])
    assert [(m.concept, m.surface) for m in matches] == [
        ("induction-head", "induction head"),
        ("attention-head", "head"),
    ]


def test_concept_terms_accept_lists_and_drop_duplicate_terms():
    concept = ConceptTerms("whale", "Whale", ["whale", "cetacean"], {"behavioral": ["swims"]})
    assert concept.terms == ("Whale", "cetacean")
    assert concept.cues_by_kind == {"behavioral": ("swims",)}

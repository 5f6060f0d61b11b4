"""How well the cue classifier reads the sense of real sentences from real papers.

The labelled set (labelled_sentences.yaml) holds verbatim sentences with hand labels. This test
classifies each one the way `kb paper scan` does (shared vocabulary + data/vocabulary.yaml, the
sentence's own term blanked out), prints precision and recall per sense, and fails when a
figure drops below the bar set from the first honest measurement (see README, "Paper scan").
Run with `-s` to see the figures and the misread sentences.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from kb.paper.classify import Sense, classify_sentence, load_vocabulary
from kb.paper.mentions import ConceptTerms, find_mentions

LABELLED = Path(__file__).with_name("labelled_sentences.yaml")

# The words for each concept of the labelled set, as a KB would record them.
TERMS = [
    ConceptTerms("induction-head", "induction head"),
    ConceptTerms("previous-token-head", "previous token head"),
    ConceptTerms("duplicate-token-head", "duplicate token head"),
    ConceptTerms(
        "name-mover-head", "name mover head", ("negative name mover head", "backup name mover head")
    ),
    ConceptTerms("s-inhibition-head", "S-inhibition head"),
    ConceptTerms("ioi-circuit", "IOI circuit"),
    ConceptTerms("indirect-object-identification", "indirect object identification", ("IOI", "IOI task")),
    ConceptTerms("copy-suppression", "copy suppression"),
    ConceptTerms("self-repair", "self-repair"),
    ConceptTerms("grokking", "grokking"),
    ConceptTerms("progress-measure", "progress measure"),
    ConceptTerms("emergence", "emergent behavior"),
    ConceptTerms("mesa-optimizer", "mesa-optimizer", ("mesa-optimization",)),
    ConceptTerms("inner-misalignment", "inner misalignment", ("inner misaligned", "inner alignment failure")),
    ConceptTerms("outer-misalignment", "outer misalignment", ("outer alignment failure",)),
    ConceptTerms("goal-misgeneralization", "goal misgeneralization"),
    ConceptTerms(
        "capabilities-misgeneralization",
        "capabilities misgeneralization",
        ("capability generalization failure",),
    ),
    ConceptTerms("fire", "fire"),
    ConceptTerms("whale", "whale"),
]

# The bar: set slightly below the figures of the first measurement (README, "Paper scan").
# First measurement (158 sentences, 10 sources): precision / recall behavioral 0.75 / 0.80,
# mechanistic 0.82 / 0.75, unclear 0.69 / 0.72 (accuracy 0.75).
MIN_PRECISION = {Sense.behavioral: 0.70, Sense.mechanistic: 0.75, Sense.unclear: 0.64}
MIN_RECALL = {Sense.behavioral: 0.72, Sense.mechanistic: 0.70, Sense.unclear: 0.64}


@dataclass(frozen=True)
class Scores:
    precision: dict[Sense, float]
    recall: dict[Sense, float]
    accuracy: float
    size: int
    sources: int


def _entries() -> list[dict]:
    return yaml.safe_load(LABELLED.read_text(encoding="utf-8"))["sentences"]


def _predict(entry: dict, vocabulary) -> Sense:
    sentence = " ".join(entry["sentence"].replace("\u00a0", " ").split())
    own = [m.surface for m in find_mentions(sentence, TERMS) if m.concept == entry["concept"]]
    return classify_sentence(sentence, vocabulary, ignore=own).sense


def evaluate() -> tuple[Scores, list[tuple[str, Sense, dict]]]:
    """Precision and recall per sense over the labelled set, and the misread entries."""
    vocabulary = load_vocabulary()
    entries = _entries()
    true_positive: Counter[Sense] = Counter()
    predicted: Counter[Sense] = Counter()
    actual: Counter[Sense] = Counter()
    misread = []
    for entry in entries:
        label = Sense(entry["label"])
        guess = _predict(entry, vocabulary)
        predicted[guess] += 1
        actual[label] += 1
        if guess is label:
            true_positive[label] += 1
        else:
            misread.append((entry["label"], guess, entry))
    precision = {s: true_positive[s] / predicted[s] if predicted[s] else 0.0 for s in Sense}
    recall = {s: true_positive[s] / actual[s] if actual[s] else 0.0 for s in Sense}
    accuracy = sum(true_positive.values()) / len(entries)
    sources = len({e["source"] for e in entries})
    return Scores(precision, recall, accuracy, len(entries), sources), misread


def test_labelled_set_is_big_and_varied_enough():
    entries = _entries()
    assert len(entries) >= 150
    assert len({e["source"] for e in entries}) >= 10
    for entry in entries:
        assert entry["label"] in {"behavioral", "mechanistic", "unclear"}, entry
        assert entry["sentence"].strip() and entry["where"].strip() and entry["concept"].strip()


def test_labelled_sentences_are_unique():
    sentences = [e["sentence"] for e in _entries()]
    assert len(sentences) == len(set(sentences))


def test_classifier_meets_the_bar_on_real_sentences():
    scores, misread = evaluate()
    print(
        f"\nlabelled sentences: {scores.size} from {scores.sources} sources; accuracy {scores.accuracy:.2f}"
    )
    for sense in Sense:
        print(
            f"  {sense.value:<12} precision {scores.precision[sense]:.2f}  recall {scores.recall[sense]:.2f}"
        )
    for label, guess, entry in misread:
        print(f"  [{label} read as {guess.value}] {entry['source']}: {entry['sentence'][:100]}")
    failures = [
        f"{sense.value} {name} {value:.2f} < {bar:.2f}"
        for name, values, bars in (
            ("precision", scores.precision, MIN_PRECISION),
            ("recall", scores.recall, MIN_RECALL),
        )
        for sense, bar in bars.items()
        if (value := values[sense]) < bar
    ]
    assert not failures, "; ".join(failures)


if __name__ == "__main__":  # pragma: no cover - convenience for `python tests/paper/test_classifier_eval.py`
    pytest.main([__file__, "-s", "-q"])

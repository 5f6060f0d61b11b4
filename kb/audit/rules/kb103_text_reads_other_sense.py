"""KB103: the claim's own words read in the other sense than the one it states."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from kb.audit.facts import ClaimFacts
from kb.audit.rules.base import Rule, Severity, Violation


@cache
def _kb_vocabulary():  # type: ignore[no-untyped-def]
    """The shared cue vocabulary plus the KB's `data/vocabulary.yaml`, read once per process."""
    from kb.paper.classify import load_vocabulary

    return load_vocabulary()


class Rule_KB103(Rule):
    """The claim's text reads in the other sense than its stated kind.

    ## What it flags
    A claim whose stated kind is behavioral while its own text reads mechanistically (or the
    reverse), judged by the same cue classifier as `kb paper scan`: the shared vocabulary, the
    KB's `data/vocabulary.yaml`, and the `cues` of the concept's definitions. The message names
    the cue words. Text that reads `unclear` (no cues, or as many of each sense) is never
    flagged, and neither is a claim without a stated kind.

    ## Why it matters
    A claim recorded as behavioral (extensional: "scores high on repeated random tokens") but
    written as mechanistic (intensional: "implements induction through K-composition") tells its
    reader more than its author checked. This is the slide the seed post warns about, in the
    claim's own words: the record says one sense, the sentence a reader quotes says the other.
    It is `info` because a cue classifier reads words, not intent: the finding asks for a second
    look at the wording or the stated kind.

    ## Failing example
    ```yaml
    claims:
      - key: l5h5
        concept: induction-head
        stated_kind: behavioral
        text: "L5H5 implements induction through a K-composition circuit."
    ```

    ## Passing example
    ```yaml
    claims:
      - key: l5h5
        concept: induction-head
        stated_kind: behavioral
        text: "L5H5 scores highly on prefix matching on repeated random tokens."
    ```
    """

    code = "KB103"
    name = "text-reads-other-sense"
    default_severity = Severity.info

    def check(self, claim: ClaimFacts) -> Iterator[Violation]:
        from kb.paper.classify import classify_sentence

        stated = claim.stated_kind
        view = claim.claim
        if stated is None or not view.text:
            return
        vocabulary = _kb_vocabulary().with_definition_cues(dict(view.concept_cues))
        reading = classify_sentence(view.text, vocabulary, ignore=view.concept_terms)
        if reading.sense.value in ("unclear", stated):
            return
        cues = ", ".join(f"'{cue}'" for cue in reading.cues)
        yield Violation(
            f"states the {stated} sense but its text reads {reading.sense.value} (cues: {cues}); "
            f"reword the claim or change its stated kind",
            anchor=reading.sense.value,
        )

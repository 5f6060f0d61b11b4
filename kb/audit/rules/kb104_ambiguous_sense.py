"""KB104: a claim uses a term with two senses without saying which."""

from __future__ import annotations

from collections.abc import Iterator

from kb.audit.facts import ClaimFacts
from kb.audit.rules.base import Rule, Severity, Violation

BOTH = frozenset({"behavioral", "mechanistic"})


class Rule_KB104(Rule):
    """A claim has no stated kind, and its concept has both behavioral and mechanistic definitions.

    ## What it flags
    A claim with neither `stated_kind` nor `definition`, about a concept that has at least one
    behavioral and at least one mechanistic definition.

    ## Why it matters
    When a term has a behavioral (extensional) and a mechanistic (intensional) definition, the
    two can pick out different things: a head can behave like an induction head without the
    K-composition mechanism, and a whale is a fish by habitat and a mammal by anatomy. A claim
    that does not say which sense it uses cannot be checked against its evidence, and readers
    will fill in the sense they know.

    ## Failing example
    ```yaml
    claims:
      - key: l5h5-induction
        concept: induction-head     # has a behavioral and a mechanistic definition
        text: L5H5 is an induction head.
    ```

    ## Passing example
    ```yaml
    claims:
      - key: l5h5-induction
        concept: induction-head
        definition: induction-head/olsson2022
        text: L5H5 is an induction head in the behavioral sense.
    ```
    """

    code = "KB104"
    name = "ambiguous-sense"
    default_severity = Severity.warning

    def check(self, claim: ClaimFacts) -> Iterator[Violation]:
        if claim.stated_kind is None and BOTH <= claim.claim.concept_definition_kinds:
            yield Violation(
                f"does not say which sense of {claim.claim.concept!r} it uses, and the concept has both "
                "behavioral and mechanistic definitions; set stated_kind or definition"
            )

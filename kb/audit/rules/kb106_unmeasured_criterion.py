"""KB106: a criterion of the stated definition that no direct supporting run measures."""

from __future__ import annotations

from collections.abc import Iterator

from kb.audit.facts import ClaimFacts
from kb.audit.rules.base import Rule, Severity, Violation
from kb.criteria import describe


class Rule_KB106(Rule):
    """A criterion of the claim's definition is measured by none of its direct supporting runs.

    ## What it flags
    A claim naming a `definition` with criteria, where some criterion's method is the method of
    none of the claim's own `supports` runs. One finding per such method.

    ## Why it matters
    A definition's criteria say what must be measured to place something under it, and a
    behavioral definition often has several (an induction head both prefix-matches and copies).
    Evidence for part of the definition is not evidence for all of it: TransformerLens' induction
    detector checks prefix matching only, not copying. The same holds for a mechanistic
    definition with a composition and an eigenvalue criterion.

    ## Failing example
    ```yaml
    claims:
      - key: l5h5-induction
        concept: induction-head
        definition: induction-head/olsson2022   # prefix-matching-score >= 0.5, copying-score >= 0.5
        evidence:
          - run: l5h5-prefix-matching
    ```

    ## Passing example
    ```yaml
    claims:
      - key: l5h5-induction
        concept: induction-head
        definition: induction-head/olsson2022
        evidence:
          - run: l5h5-prefix-matching
          - run: l5h5-copying
    ```
    """

    code = "KB106"
    name = "unmeasured-criterion"
    default_severity = Severity.warning

    def check(self, claim: ClaimFacts) -> Iterator[Violation]:
        definition = claim.claim.definition
        if definition is None:
            return
        measured = {e.method for e in claim.direct_supporting_runs}
        reported: set[str] = set()
        for criterion in definition.criteria:
            if criterion.method in measured or criterion.method in reported:
                continue
            reported.add(criterion.method)
            yield Violation(
                f"definition {definition.ref} requires {describe(criterion.method, criterion.op, criterion.threshold)}, "
                f"but no supporting run of the claim measures {criterion.method}",
                anchor=criterion.method,
            )

"""KB107: a supporting run whose value fails the stated definition's criterion."""

from __future__ import annotations

from collections.abc import Iterator

from kb.audit.facts import ClaimFacts
from kb.audit.rules.base import Rule, Severity, Violation
from kb.criteria import describe, satisfies


class Rule_KB107(Rule):
    """A direct supporting run measures a criterion's method and its value fails the criterion.

    ## What it flags
    A claim naming a `definition`, with a `supports` run of a method one of the definition's
    criteria names, whose value does not meet that criterion (`kb.criteria.satisfies` is false).
    A run without a value, or a criterion without a threshold, cannot fail. One finding per run
    and criterion.

    ## Why it matters
    Under a behavioral (extensional) definition with a threshold, the measured value decides
    membership; under a mechanistic (intensional) one, the measured mechanism does. A run that
    falls short of the definition's own bar is evidence against the claim, however it is cited.

    ## Failing example
    ```yaml
    runs:
      - key: l3h0-prefix-matching
        method: prefix-matching-score
        value: 0.12
    claims:
      - key: l3h0-induction
        concept: induction-head
        definition: induction-head/olsson2022   # prefix-matching-score >= 0.5
        evidence:
          - run: l3h0-prefix-matching
    ```

    ## Passing example
    ```yaml
    runs:
      - key: l3h0-prefix-matching
        method: prefix-matching-score
        value: 0.82
    claims:
      - key: l3h0-induction
        concept: induction-head
        definition: induction-head/olsson2022
        evidence:
          - run: l3h0-prefix-matching
    ```
    """

    code = "KB107"
    name = "failed-criterion"
    default_severity = Severity.error

    def check(self, claim: ClaimFacts) -> Iterator[Violation]:
        definition = claim.claim.definition
        if definition is None or not definition.criteria:
            return
        for run in claim.direct_supporting_runs:
            for criterion in definition.criteria:
                if criterion.method != run.method:
                    continue
                if satisfies(criterion.op, criterion.threshold, run.value) is False:
                    wanted = describe(criterion.method, criterion.op, criterion.threshold)
                    yield Violation(
                        f"run {run.run} measured {run.method} = {run.value:g}, which fails {wanted} "
                        f"of definition {definition.ref}",
                        anchor=f"{run.run} {wanted}",
                    )

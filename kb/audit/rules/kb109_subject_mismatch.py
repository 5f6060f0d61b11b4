"""KB109: an evidence run about another subject than the claim."""

from __future__ import annotations

from collections.abc import Iterator

from kb.audit.facts import ClaimFacts
from kb.audit.rules.base import Rule, Severity, Violation


class Rule_KB109(Rule):
    """A direct evidence run's subject differs from the claim's subject.

    ## What it flags
    A claim with a `subject` and a run linked to it (supporting or contradicting) whose
    `subject` is given and different. One finding per run.

    ## Why it matters
    Behavioral (extensional) and mechanistic (intensional) evidence are both about a particular
    object: a head, a model, a policy. Evidence about another head, or about the same head in
    another model, says nothing about this one; results from small models are often carried over
    to large ones this way. When the subjects really are the same object under two names,
    suppress the finding and say so.

    ## Failing example
    ```yaml
    runs:
      - key: l5h1-prefix-matching
        method: prefix-matching-score
        subject: gpt2-small/L5H1
    claims:
      - key: l5h5-induction
        subject: gpt2-small/L5H5
        evidence:
          - run: l5h1-prefix-matching
    ```

    ## Passing example
    ```yaml
    runs:
      - key: l5h5-prefix-matching
        method: prefix-matching-score
        subject: gpt2-small/L5H5
    claims:
      - key: l5h5-induction
        subject: gpt2-small/L5H5
        evidence:
          - run: l5h5-prefix-matching
    ```
    """

    code = "KB109"
    name = "subject-mismatch"
    default_severity = Severity.warning

    def check(self, claim: ClaimFacts) -> Iterator[Violation]:
        subject = claim.claim.subject
        if subject is None:
            return
        for run in claim.direct_runs:
            if run.subject is not None and run.subject != subject:
                yield Violation(
                    f"run {run.run} is about {run.subject!r}, the claim about {subject!r}", anchor=run.run or ""
                )

"""KB102: a behavioral claim backed by mechanistic evidence only."""

from __future__ import annotations

from collections.abc import Iterator

from kb.audit.facts import ClaimFacts
from kb.audit.rules.base import Rule, Severity, Violation
from kb.audit.rules.evidence_text import sense_text, support_text


class Rule_KB102(Rule):
    """A claim states the behavioral sense, but all its supporting evidence is mechanistic.

    ## What it flags
    A claim whose stated kind is `behavioral` (its `stated_kind`, else the kind of its
    `definition`) and whose supporting evidence, followed through the claims it cites, reaches
    at least one run, none of them behavioral.

    ## Why it matters
    A behavioral (extensional) definition admits a thing by what the model observably does on
    inputs; a mechanistic (intensional) one by how it is implemented. A mechanism found in the
    weights need not produce the behaviour on the inputs that matter (it may be suppressed, or
    outweighed by other heads), so mechanistic runs alone do not show the behaviour the claim
    asserts. Measure the behaviour, or state the mechanistic sense.

    ## Failing example
    ```yaml
    claims:
      - key: l1h6-induction
        concept: induction-head
        definition: induction-head/olsson2022   # kind: behavioral
        evidence:
          - run: l1h6-k-composition             # method k-composition-score: mechanistic
    ```

    ## Passing example
    ```yaml
    claims:
      - key: l1h6-induction
        concept: induction-head
        definition: induction-head/olsson2022
        evidence:
          - run: l1h6-k-composition
          - run: l1h6-prefix-matching           # method prefix-matching-score: behavioral
    ```
    """

    code = "KB102"
    name = "behavioral-claim-mechanistic-evidence"
    default_severity = Severity.warning

    def check(self, claim: ClaimFacts) -> Iterator[Violation]:
        if claim.stated_kind == "behavioral" and claim.reaches_run and "behavioral" not in claim.supporting_kinds:
            yield Violation(
                f"{sense_text(claim)} but its supporting evidence is mechanistic only ({support_text(claim)}); "
                "add a behavioral run or state the mechanistic sense"
            )

"""KB101: a mechanistic claim backed by behavioral evidence only."""

from __future__ import annotations

from collections.abc import Iterator

from kb.audit.facts import ClaimFacts
from kb.audit.rules.base import Rule, Severity, Violation
from kb.audit.rules.evidence_text import sense_text, support_text


class Rule_KB101(Rule):
    """A claim states the mechanistic sense, but all its supporting evidence is behavioral.

    ## What it flags
    A claim whose stated kind is `mechanistic` (its `stated_kind`, else the kind of its
    `definition`) and whose supporting evidence, followed through the claims it cites, reaches
    at least one run, none of them mechanistic. A run's kind is its own `kind`, else its method's.

    ## Why it matters
    A mechanistic (intensional) definition admits a thing by how it is implemented inside the
    model; a behavioral (extensional) one by what it observably does. Behavioral runs show the
    behaviour, not the mechanism: GPT-2 has heads that prefix-match and copy like induction heads
    through Q-composition with positional information rather than K-composition. Reporting a
    mechanistic finding on behavioral tests alone overstates what was measured.

    ## Failing example
    ```yaml
    claims:
      - key: wang2022-l5h5-induction
        concept: induction-head
        stated_kind: mechanistic
        evidence:
          - run: l5h5-prefix-matching    # method prefix-matching-score: behavioral
    ```

    ## Passing example
    ```yaml
    claims:
      - key: wang2022-l5h5-induction
        concept: induction-head
        stated_kind: mechanistic
        evidence:
          - run: l5h5-prefix-matching
          - run: l5h5-k-composition      # method k-composition-score: mechanistic
    ```
    """

    code = "KB101"
    name = "mechanistic-claim-behavioral-evidence"
    default_severity = Severity.error

    def check(self, claim: ClaimFacts) -> Iterator[Violation]:
        if claim.stated_kind == "mechanistic" and claim.reaches_run and "mechanistic" not in claim.supporting_kinds:
            yield Violation(
                f"{sense_text(claim)} but its supporting evidence is behavioral only ({support_text(claim)}); "
                "add a mechanistic run (ablation, patching, weight analysis) or state the behavioral sense"
            )

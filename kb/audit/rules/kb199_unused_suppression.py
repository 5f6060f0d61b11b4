"""KB199: a suppression that silences nothing."""

from __future__ import annotations

from collections.abc import Iterator

from kb.audit.facts import ClaimFacts
from kb.audit.rules.base import Severity, SuppressionRule, Violation


class Rule_KB199(SuppressionRule):
    """A suppression on the claim matched no finding.

    ## What it flags
    An entry `suppress: [{code, reason}]` on a claim for which the audit found nothing under
    that code (including codes of no rule at all). Suppressions of KB199 itself are exempt.

    ## Why it matters
    A suppression records a decision: "this claim uses the behavioral sense on purpose" or "this
    mechanistic evidence is about the same head under another name". When the claim or its
    evidence changes and the finding goes away, a stale suppression stays behind, and it would
    silently hide the next behavioral/mechanistic mismatch under that code. Remove it.

    ## Failing example
    ```yaml
    claims:
      - key: l5h5-induction
        stated_kind: behavioral
        evidence: [{run: l5h5-prefix-matching}]     # behavioral: nothing for KB102 to find
        suppress:
          - {code: KB102, reason: only weight analysis was feasible}
    ```

    ## Passing example
    ```yaml
    claims:
      - key: l5h5-induction
        stated_kind: behavioral
        evidence: [{run: l5h5-k-composition}]       # mechanistic only: KB102 fires and is silenced
        suppress:
          - {code: KB102, reason: only weight analysis was feasible}
    ```
    """

    code = "KB199"
    name = "unused-suppression"
    default_severity = Severity.warning

    def check_suppressions(self, claim: ClaimFacts, raised: set[str], known: set[str]) -> Iterator[Violation]:
        for code in dict.fromkeys(s.code for s in claim.claim.suppressions):
            if code == self.code or code in raised:
                continue
            note = "" if code in known else f" (kb has no rule {code})"
            yield Violation(f"suppression of {code} matches no finding{note}; remove it", anchor=code)

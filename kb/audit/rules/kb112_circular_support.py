"""KB112: a claim that supports itself through cited claims."""

from __future__ import annotations

from collections.abc import Iterator

from kb.audit.facts import ClaimFacts
from kb.audit.rules.base import Rule, Severity, Violation, key_list


class Rule_KB112(Rule):
    """The claim supports itself through a cycle of cited claims.

    ## What it flags
    A claim that cites (for support) a claim that, directly or through further citations, cites
    it back, or that cites itself. Every claim on the cycle is flagged.

    ## Why it matters
    Citations pass evidence along: a claim inherits the behavioral or mechanistic kind of the
    runs behind the claims it cites. Around a cycle, each claim lends the others a support it
    only has from them, so the cycle can make a mechanistic claim look backed by mechanistic
    evidence that no run on it ever measured. Break the cycle and cite the runs.

    ## Failing example
    ```yaml
    claims:
      - key: a
        evidence: [{claim: b}]
      - key: b
        evidence: [{claim: a}]
    ```

    ## Passing example
    ```yaml
    claims:
      - key: a
        evidence: [{claim: b}]
      - key: b
        evidence: [{run: l5h5-k-composition}]
    ```
    """

    code = "KB112"
    name = "circular-support"
    default_severity = Severity.error

    def check(self, claim: ClaimFacts) -> Iterator[Violation]:
        if not claim.cycle:
            return
        if claim.cycle == (claim.claim.key,):
            yield Violation("cites itself as support")
        else:
            yield Violation(
                f"supports itself through a cycle of {len(claim.cycle)} cited claims ({key_list(claim.cycle)})"
            )

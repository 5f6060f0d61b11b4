"""KB110: a claim with a contradicting run."""

from __future__ import annotations

from collections.abc import Iterator

from kb.audit.facts import ClaimFacts
from kb.audit.rules.base import Rule, Severity, Violation


class Rule_KB110(Rule):
    """The claim has a run linked with stance `contradicts`.

    ## What it flags
    A claim with an evidence link `{run: ..., stance: contradicts}`. One finding per run.

    ## Why it matters
    Contradicting runs are worth recording, and worth a second look: often they measure the
    other kind of evidence. A head can pass the behavioral (extensional) test and fail the
    mechanistic (intensional) one, or the reverse, and then the claim is true in one sense and
    false in the other. Either say which sense the claim uses and why the run does not bear on
    it, or revise the claim; a suppression with that reason documents the decision.

    ## Failing example
    ```yaml
    claims:
      - key: l5h5-induction
        evidence:
          - run: l5h5-prefix-matching
          - run: l5h5-k-composition
            stance: contradicts
    ```

    ## Passing example
    ```yaml
    claims:
      - key: l5h5-induction
        evidence:
          - run: l5h5-prefix-matching
    ```
    """

    code = "KB110"
    name = "contradicting-run"
    default_severity = Severity.warning

    def check(self, claim: ClaimFacts) -> Iterator[Violation]:
        for run in claim.contradicting_runs:
            kind = f" ({run.run_kind})" if run.run_kind else ""
            yield Violation(f"run {run.run}{kind} contradicts the claim", anchor=run.run or "")

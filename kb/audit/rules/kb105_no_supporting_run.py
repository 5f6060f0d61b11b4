"""KB105: a claim whose support reaches no run."""

from __future__ import annotations

from collections.abc import Iterator

from kb.audit.facts import ClaimFacts
from kb.audit.rules.base import Rule, Severity, Violation, key_list


class Rule_KB105(Rule):
    """A claim's supporting evidence, followed through cited claims, reaches no run.

    ## What it flags
    A claim with no `supports` run of its own and none among the claims it cites for support,
    however far the citations are followed.

    ## Why it matters
    The audit compares the sense a claim states, behavioral or mechanistic, with the kind of
    the runs behind it. A claim backed by no run at all has no evidence of either kind: its
    behavioral or mechanistic reading is untested, and citing other claims that are themselves
    unsupported only moves the gap.

    ## Failing example
    ```yaml
    claims:
      - key: icl-from-induction
        concept: induction-head
        stated_kind: mechanistic
        evidence:
          - claim: olsson2022-argument   # itself backed by no run
    ```

    ## Passing example
    ```yaml
    claims:
      - key: icl-from-induction
        concept: induction-head
        stated_kind: mechanistic
        evidence:
          - run: small-model-head-ablation
    ```
    """

    code = "KB105"
    name = "no-supporting-run"
    default_severity = Severity.warning

    def check(self, claim: ClaimFacts) -> Iterator[Violation]:
        if claim.reaches_run:
            return
        cited = list(dict.fromkeys(claim.cited_claims))
        if cited:
            yield Violation(f"no supporting run, directly or through its cited claims ({key_list(cited)})")
        else:
            yield Violation("no supporting run; link the runs that back it")

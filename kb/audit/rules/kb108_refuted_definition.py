"""KB108: a claim that uses a refuted definition."""

from __future__ import annotations

from collections.abc import Iterator

from kb.audit.facts import ClaimFacts
from kb.audit.rules.base import Rule, Severity, Violation


class Rule_KB108(Rule):
    """The claim's definition has status `refuted`.

    ## What it flags
    A claim whose `definition` is recorded with `status: refuted`.

    ## Why it matters
    Mechanistic (intensional) definitions are theories of how a thing works, and theories get
    refuted: fire as the release of phlogiston gave way to rapid oxidation. Behavioral
    (extensional) definitions can be dropped too, when the behaviour turns out not to pick out
    one kind of thing. A claim placed under a refuted definition asserts membership in a category
    that the knowledge base records as not existing as described.

    ## Failing example
    ```yaml
    claims:
      - key: candle-phlogiston
        concept: fire
        definition: fire/phlogiston   # status: refuted
    ```

    ## Passing example
    ```yaml
    claims:
      - key: candle-oxidation
        concept: fire
        definition: fire/oxidation    # status: active
    ```
    """

    code = "KB108"
    name = "refuted-definition"
    default_severity = Severity.warning

    def check(self, claim: ClaimFacts) -> Iterator[Violation]:
        definition = claim.claim.definition
        if definition is not None and definition.status == "refuted":
            yield Violation(f"uses definition {definition.ref}, which is refuted")

"""KB113: a claim's stated kind contradicts its own definition."""

from __future__ import annotations

from collections.abc import Iterator

from kb.audit.facts import ClaimFacts
from kb.audit.rules.base import Rule, Severity, Violation


class Rule_KB113(Rule):
    """The claim's `stated_kind` and the kind of its `definition` disagree.

    ## What it flags
    A claim that gives both `stated_kind` and `definition`, where the definition's kind is the
    other one.

    ## Why it matters
    The claim says in one field that it uses the behavioral (extensional) sense and in another
    that it uses a mechanistic (intensional) definition, or the reverse. Every other rule
    depends on which sense the claim uses, and readers cannot tell either; this is the
    confusion kb exists to catch, written into one record.

    ## Failing example
    ```yaml
    claims:
      - key: l5h5-induction
        stated_kind: mechanistic
        definition: induction-head/olsson2022   # kind: behavioral
    ```

    ## Passing example
    ```yaml
    claims:
      - key: l5h5-induction
        stated_kind: mechanistic
        definition: induction-head/elhage2021   # kind: mechanistic
    ```
    """

    code = "KB113"
    name = "stated-kind-disagrees-with-definition"
    default_severity = Severity.error

    def check(self, claim: ClaimFacts) -> Iterator[Violation]:
        stated, definition = claim.claim.stated_kind, claim.claim.definition
        if stated is not None and definition is not None and stated != definition.kind:
            yield Violation(f"stated_kind is {stated} but definition {definition.ref} is {definition.kind}")

"""KB111: a claim whose definition rests on a concept that is refuted throughout."""

from __future__ import annotations

from collections.abc import Iterator

from kb.audit.facts import ClaimFacts
from kb.audit.rules.base import Rule, Severity, Violation
from kb.graph.doubt import chain_text


class Rule_KB111(Rule):
    """The claim's definition depends, directly or transitively, on a concept all of whose definitions are refuted.

    ## What it flags
    A claim whose `definition` lists in `depends_on` a concept every definition of which has
    `status: refuted`, or depends on a concept whose standing (not refuted) definitions lead
    there in turn. The message names the chain, one finding per refuted concept reached:
    `fire/stahl1697 -> phlogiston (all definitions refuted)`. The chains come from the concept
    graph (`kb graph dependents phlogiston` shows the same from the other end).

    ## Why it matters
    A mechanistic (intensional) definition often explains one thing in terms of others: an
    induction head is a previous-token head composed with a copying head. When a concept it
    rests on falls (phlogiston was never found; every account of it is refuted), the
    definition built on it falls with it, even if its own status was never updated. Behavioral
    (extensional) definitions can rest on refuted notions too. The claim may still be right,
    but its stated sense no longer names anything the knowledge base believes in.

    ## Failing example
    ```yaml
    concepts:
      - key: phlogiston
        definitions: [{key: stahl1697, kind: mechanistic, status: refuted}]
      - key: calx
        definitions: [{key: stahl, kind: mechanistic, depends_on: [phlogiston]}]
    claims:
      - key: rust-is-calx
        definition: calx/stahl       # calx/stahl -> phlogiston (all definitions refuted)
    ```

    ## Passing example
    ```yaml
    concepts:
      - key: oxidation
        definitions: [{key: lavoisier1789, kind: mechanistic}]
      - key: calx
        definitions: [{key: lavoisier, kind: mechanistic, depends_on: [oxidation]}]
    claims:
      - key: rust-is-an-oxide
        definition: calx/lavoisier
    ```
    """

    code = "KB111"
    name = "rests-on-refuted-concept"
    default_severity = Severity.warning

    def check(self, claim: ClaimFacts) -> Iterator[Violation]:
        for chain in claim.refuted_chains:
            yield Violation(f"its definition rests on a refuted concept: {chain_text(list(chain))}", anchor=chain[-1])

"""How rule messages name a claim's evidence."""

from __future__ import annotations

from kb.audit.facts import ClaimFacts
from kb.audit.rules.base import key_list


def sense_text(claim: ClaimFacts) -> str:
    """`states the mechanistic sense` or `uses the mechanistic definition induction-head/elhage2021`."""
    definition = claim.claim.definition
    if claim.claim.stated_kind is None and definition is not None:
        return f"uses the {definition.kind} definition {definition.ref}"
    return f"states the {claim.stated_kind} sense"


def support_text(claim: ClaimFacts) -> str:
    """`runs r1, r2; cited claims c3`: the claim's direct supporting runs and cited claims."""
    parts = []
    runs = list(dict.fromkeys(e.run for e in claim.direct_supporting_runs if e.run is not None))
    if runs:
        parts.append(f"run{'s' if len(runs) > 1 else ''} {key_list(runs)}")
    cited = list(dict.fromkeys(claim.cited_claims))
    if cited:
        parts.append(f"cited claim{'s' if len(cited) > 1 else ''} {key_list(cited)}")
    return "; ".join(parts)

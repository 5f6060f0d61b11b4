"""Facts the rules share, derived once per audit from the view.

- A claim's **stated kind**: its `stated_kind` when given, else its definition's kind, else none.
- A claim's **supporting evidence kinds**: the kinds of its `supports` runs plus, followed
  transitively, those of the claims it cites for support.
- Whether a claim **supports itself** through a cycle of such citations.
- The **refuted chains** of a claim's definition: what it rests on, through `depends_on`, that
  is refuted throughout (from the concept graph, `kb.graph.doubt`).

Citations form a directed graph that may have cycles. Its strongly connected components are
found with an iterative Tarjan (no recursion, so a chain of 100,000 citations is fine), and each
component's kinds are computed once, after those of the components it cites: linear in claims
plus links, and it terminates on cycles by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kb.audit.view import AuditView, ClaimView, EvidenceView
from kb.graph.doubt import refuted_chains, standing_dependencies


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """One audited claim with what the engine derived about it (see `ClaimFacts.of`)."""

    claim: ClaimView
    stated_kind: str | None
    supporting_kinds: frozenset[str]  # kinds of every supporting run reached, through cited claims too
    cycle: tuple[str, ...]  # the claims on its citation cycle (itself included), sorted; () when none
    direct_supporting_runs: tuple[EvidenceView, ...]  # its own `supports` runs, each once, in link order
    contradicting_runs: tuple[EvidenceView, ...]  # its own `contradicts` runs, each once
    direct_runs: tuple[EvidenceView, ...]  # every run linked to it, whatever the stance, each once
    cited_claims: tuple[str, ...]  # the claims it cites for support, each once
    # chains from its definition to each concept whose definitions are all refuted (kb.graph.doubt)
    refuted_chains: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def of(
        cls,
        claim: ClaimView,
        supporting_kinds: frozenset[str],
        cycle: tuple[str, ...],
        refuted_chains: tuple[tuple[str, ...], ...] = (),
    ) -> ClaimFacts:
        supporting: dict[str, EvidenceView] = {}
        contradicting: dict[str, EvidenceView] = {}
        every: dict[str, EvidenceView] = {}
        cited: dict[str, None] = {}
        for link in claim.evidence:
            if link.run is not None:
                (supporting if link.supports else contradicting).setdefault(link.run, link)
                every.setdefault(link.run, link)
            elif link.cited_claim is not None and link.supports:
                cited[link.cited_claim] = None
        return cls(
            claim=claim,
            stated_kind=stated_kind(claim),
            supporting_kinds=supporting_kinds,
            cycle=cycle,
            direct_supporting_runs=tuple(supporting.values()),
            contradicting_runs=tuple(contradicting.values()),
            direct_runs=tuple(every.values()),
            cited_claims=tuple(cited),
            refuted_chains=refuted_chains,
        )

    @property
    def reaches_run(self) -> bool:
        # Every run has a kind (its own, else its method's), so kinds are empty exactly when no run is reached.
        return bool(self.supporting_kinds)


def stated_kind(claim: ClaimView) -> str | None:
    if claim.stated_kind is not None:
        return claim.stated_kind
    return claim.definition.kind if claim.definition is not None else None


def derive_facts(view: AuditView) -> list[ClaimFacts]:
    """Facts of every audited claim, in the order of `view.audited`."""
    cites = {
        key: [e.cited_claim for e in claim.evidence if e.supports and e.cited_claim in view.claims]
        for key, claim in view.claims.items()
    }
    kinds: dict[str, frozenset[str]] = {}
    cycles: dict[str, tuple[str, ...]] = {}
    component_of: dict[str, int] = {}
    component_kinds: list[frozenset[str]] = []
    for number, component in enumerate(strongly_connected_components(view.claims, cites)):
        for key in component:
            component_of[key] = number
        found = {
            e.run_kind
            for key in component
            for e in view.claims[key].evidence
            if e.is_run and e.supports and e.run_kind is not None
        }
        for key in component:
            for target in cites[key]:
                if component_of[target] != number:  # earlier components are complete
                    found |= component_kinds[component_of[target]]
        component_kinds.append(frozenset(found))
        if len(component) > 1 or component[0] in cites[component[0]]:
            members = tuple(sorted(component))
            cycles.update(dict.fromkeys(component, members))
        for key in component:
            kinds[key] = component_kinds[number]
    chains = _refuted_chains(view)
    return [
        ClaimFacts.of(view.claims[key], kinds[key], cycles.get(key, ()), chains.get(key, ()))
        for key in view.audited
    ]


def _refuted_chains(view: AuditView) -> dict[str, tuple[tuple[str, ...], ...]]:
    """For each audited claim with a definition, the chains from that definition to refuted
    concepts (`kb.graph.doubt.refuted_chains`), computed once per definition."""
    if view.concepts is None:
        return {}
    standing = standing_dependencies(view.concepts)
    by_definition: dict[str, tuple[tuple[str, ...], ...]] = {}
    found: dict[str, tuple[tuple[str, ...], ...]] = {}
    for key in view.audited:
        definition = view.claims[key].definition
        if definition is None:
            continue
        if definition.ref not in by_definition:
            by_definition[definition.ref] = tuple(
                tuple(chain) for chain in refuted_chains(view.concepts, definition.ref, standing)
            )
        if by_definition[definition.ref]:
            found[key] = by_definition[definition.ref]
    return found


def strongly_connected_components(
    nodes: Iterable[str], successors: Mapping[str, Sequence[str]]
) -> list[list[str]]:
    """Tarjan's algorithm without recursion.

    Components come out in reverse topological order: each after every component it reaches.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []

    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(successors.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, pending = work[-1]
            for successor in pending:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(successors.get(successor, ()))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(component)
    return components

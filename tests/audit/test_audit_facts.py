"""Derived facts without a database: stated kind, transitive support, cycles, at depth."""

from __future__ import annotations

import sys
import time
from types import MappingProxyType

from kb.audit.facts import derive_facts, strongly_connected_components
from kb.audit.view import AuditView, ClaimView, DefinitionView, EvidenceView


def make_claim(key: str, *evidence: EvidenceView, stated_kind: str | None = None,
               definition: DefinitionView | None = None) -> ClaimView:
    return ClaimView(key=key, paper="p", concept="c", stated_kind=stated_kind, definition=definition, subject=None,
                     origin_file=None, origin_line=None, evidence=evidence, suppressions=(),
                     concept_definition_kinds=frozenset())


def cites(key: str, stance: str = "supports") -> EvidenceView:
    return EvidenceView(stance=stance, cited_claim=key)


def run(key: str, kind: str, stance: str = "supports") -> EvidenceView:
    return EvidenceView(stance=stance, run=key, run_kind=kind, method="m")


def view(*claims: ClaimView) -> AuditView:
    return AuditView(claims=MappingProxyType({c.key: c for c in claims}), audited=tuple(sorted(c.key for c in claims)))


def facts_by_key(v: AuditView):  # type: ignore[no-untyped-def]
    return {f.claim.key: f for f in derive_facts(v)}


def test_stated_kind_is_the_claims_else_its_definitions_else_none() -> None:
    mech = DefinitionView("c/m", "mechanistic", "active", ())
    facts = facts_by_key(view(
        make_claim("own", stated_kind="behavioral", definition=mech),
        make_claim("from-definition", definition=mech),
        make_claim("none"),
    ))
    assert {k: f.stated_kind for k, f in facts.items()} == {
        "own": "behavioral", "from-definition": "mechanistic", "none": None}


def test_support_follows_supporting_citations_only() -> None:
    facts = facts_by_key(view(
        make_claim("a", run("r1", "behavioral"), cites("b")),
        make_claim("b", run("r2", "mechanistic"), cites("c")),
        make_claim("c", run("r3", "behavioral", stance="contradicts"), cites("d", stance="contradicts")),
        make_claim("d", run("r4", "mechanistic")),
    ))
    assert facts["a"].supporting_kinds == {"behavioral", "mechanistic"}
    assert facts["b"].supporting_kinds == {"mechanistic"}
    assert facts["c"].supporting_kinds == frozenset() and not facts["c"].reaches_run
    assert not any(f.cycle for f in facts.values())


def test_cycle_members_share_support_and_are_marked() -> None:
    facts = facts_by_key(view(
        make_claim("x", cites("y")),
        make_claim("y", cites("z")),
        make_claim("z", cites("x"), run("r", "mechanistic")),
        make_claim("outside", cites("x")),
        make_claim("self", cites("self")),
    ))
    for key in "xyz":
        assert facts[key].supporting_kinds == {"mechanistic"}
        assert facts[key].cycle == ("x", "y", "z")
    assert facts["outside"].cycle == () and facts["outside"].supporting_kinds == {"mechanistic"}
    assert facts["self"].cycle == ("self",) and not facts["self"].reaches_run


def test_a_long_chain_and_a_long_cycle_need_no_recursion() -> None:
    n = max(50_000, sys.getrecursionlimit() * 20)
    chain = [make_claim(f"c{i}", cites(f"c{i + 1}")) for i in range(n - 1)] + [
        make_claim(f"c{n - 1}", run("r", "behavioral"))]
    ring = [make_claim(f"k{i}", cites(f"k{(i + 1) % n}")) for i in range(n)]
    start = time.perf_counter()
    facts = facts_by_key(view(*chain, *ring))
    assert time.perf_counter() - start < 30
    assert facts["c0"].supporting_kinds == {"behavioral"} and facts["c0"].cycle == ()
    assert len(facts["k0"].cycle) == n and not facts["k0"].reaches_run


def test_components_come_after_the_components_they_reach() -> None:
    successors = {"a": ["b"], "b": ["c", "a"], "c": ["d"], "d": []}
    components = strongly_connected_components(["a", "b", "c", "d"], successors)
    order = {node: i for i, comp in enumerate(components) for node in comp}
    assert sorted(map(sorted, components)) == [["a", "b"], ["c"], ["d"]]
    assert order["d"] < order["c"] < order["a"] == order["b"]

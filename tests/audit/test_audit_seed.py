"""The audit on the seed ontology (data/), on both backends."""

from __future__ import annotations

from kb.audit import AuditOptions, run_audit
from kb.services.importing import import_files
from tests.test_seed_data import CLAIMS_WITHOUT_RUNS, SEED_FILES


def test_the_seeds_claims_without_runs_are_kb105(store) -> None:  # type: ignore[no-untyped-def]
    import_files(store, SEED_FILES)
    with store.session() as session:
        result = run_audit(session, AuditOptions(include_suppressed=True))
        kb105 = run_audit(session, AuditOptions(rules=("KB105",)))
    assert {f.claim for f in kb105.findings} == CLAIMS_WITHOUT_RUNS
    assert result.claims_audited >= 25
    assert all(f.origin_file and f.origin_file.endswith(".yaml") and f.origin_line for f in result.findings)


# The audit of the seed data, pinned: a rule change that moves these codes must show up here and
# be explained in its commit. Claims not listed have no findings.
SEED_FINDINGS = {
    "chan2023-behavioral-heads-do-more": ["KB102", "KB103"],
    "chan2023-fire-survives-theory-change": ["KB105"],
    "grietzer2023-shard-hypothesis": ["KB101"],
    "hubinger2019-deceptive-alignment": ["KB105"],
    "mauricejudd1818-whale-is-fish": ["KB110"],
    "olsson2022-abstract-heads": ["KB107"],
    "olsson2022-large-model-mechanism": ["KB109"],
    "olsson2022-phase-change": ["KB106"],
    "olsson2022-pointer-arithmetic": ["KB105"],
    "stahl1697-phlogiston-regeneration": ["KB101", "KB108", "KB110", "KB111"],
    "transformerlens-induction-detector": ["KB106", "KB106"],
    "wang2022-induction-heads": ["KB101", "KB113"],
    "wang2022-name-movers": ["KB103"],
    "wang2022-negative-name-movers": ["KB103"],
    "wang2022-previous-token-heads": ["KB103"],
}


def test_the_seed_audit_is_pinned(store) -> None:  # type: ignore[no-untyped-def]
    import_files(store, SEED_FILES)
    with store.session() as session:
        result = run_audit(session, AuditOptions())
    codes: dict[str, list[str]] = {}
    for finding in result.findings:
        codes.setdefault(finding.claim, []).append(finding.code)
    assert {claim: sorted(found) for claim, found in codes.items()} == SEED_FINDINGS


def test_the_phlogiston_chain_yields_kb111_where_it_should(store) -> None:  # type: ignore[no-untyped-def]
    import_files(store, SEED_FILES)
    with store.session() as session:
        result = run_audit(session, AuditOptions(rules=("KB111",), include_suppressed=True))
    assert [(f.claim, f.severity.value, f.message) for f in result.findings] == [
        ("stahl1697-phlogiston-regeneration", "warning",
         "its definition rests on a refuted concept: fire/stahl1697 -> phlogiston (all definitions refuted)"),
    ]

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


def test_the_phlogiston_chain_yields_kb111_where_it_should(store) -> None:  # type: ignore[no-untyped-def]
    import_files(store, SEED_FILES)
    with store.session() as session:
        result = run_audit(session, AuditOptions(rules=("KB111",), include_suppressed=True))
    assert [(f.claim, f.severity.value, f.message) for f in result.findings] == [
        ("stahl1697-phlogiston-regeneration", "warning",
         "its definition rests on a refuted concept: fire/stahl1697 -> phlogiston (all definitions refuted)"),
    ]

"""The seed ontology in data/: importable alone and together, complete and sourced."""

from __future__ import annotations

import pytest

from kb.services.exporting import export_document
from kb.services.importing import import_files
from tests.conftest import REPO

SEED_FILES = sorted(p for p in (REPO / "data").glob("*.yaml") if p.name != "vocabulary.yaml")
# Claims that deliberately rest on no run (theory, argument, or a paper that shows no data);
# the audit reports them as KB105.
CLAIMS_WITHOUT_RUNS = {
    "olsson2022-pointer-arithmetic",
    "hubinger2019-deceptive-alignment",
    "chan2023-fire-survives-theory-change",
}


@pytest.fixture
def seed(store):  # type: ignore[no-untyped-def]
    import_files(store, SEED_FILES)
    with store.session() as session:
        return export_document(session)


def test_seed_files_are_split_by_theme() -> None:
    assert [p.name for p in SEED_FILES] == ["alignment.yaml", "classic.yaml", "interpretability.yaml"]


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_each_seed_file_imports_alone(store, path) -> None:
    report = import_files(store, [path])
    assert sum(c["added"] for c in report.counts().values()) > 0


def test_seed_has_the_promised_breadth(seed) -> None:
    assert len(seed.concepts) >= 15
    assert len(seed.claims) >= 25
    assert len({c.source for c in seed.claims}) >= 8


def test_the_four_seed_concepts_have_both_kinds(seed) -> None:
    kinds = {c.key: {d.kind.value for d in c.definitions} for c in seed.concepts}
    for key in ("induction-head", "inner-misalignment", "outer-misalignment", "fire", "whale"):
        assert kinds[key] == {"behavioral", "mechanistic"}, key


def test_every_source_has_a_year_and_a_title(seed) -> None:
    assert [s.key for s in seed.sources if not (s.year and s.title)] == []


def test_every_concept_has_a_definition(seed) -> None:
    assert [c.key for c in seed.concepts if not c.definitions] == []


def test_every_domain_metric_is_a_method_with_its_kind(seed) -> None:
    kinds = {m.key: m.kind.value for m in seed.methods}
    expected = {
        "prefix-matching-score": "behavioral", "copying-score": "behavioral", "previous-token-score": "behavioral",
        "induction-detector-score": "behavioral", "in-context-learning-score": "behavioral",
        "ov-copying-eigenvalue-score": "mechanistic", "k-composition-score": "mechanistic",
        "qk-eigenvalue-trace": "mechanistic", "head-ablation": "mechanistic", "path-patching": "mechanistic",
        "causal-scrubbing": "mechanistic", "activation-probe": "mechanistic", "policy-rollout": "behavioral",
    }
    assert {k: kinds.get(k) for k in expected} == expected


def test_every_claim_has_runs_or_is_a_deliberate_kb105(seed) -> None:
    by_key = {c.key: c for c in seed.claims}

    def reaches_a_run(key: str, seen: frozenset[str] = frozenset()) -> bool:
        claim = by_key[key]
        return any(link.run or (link.claim not in seen and reaches_a_run(link.claim, seen | {key}))
                   for link in claim.evidence)

    assert {k for k in by_key if not reaches_a_run(k)} == CLAIMS_WITHOUT_RUNS


def test_induction_head_criteria_are_the_documented_thresholds(seed) -> None:
    [concept] = [c for c in seed.concepts if c.key == "induction-head"]
    criteria = {d.key: [c.render() for c in d.criteria] for d in concept.definitions}
    assert criteria["olsson2022"] == ["prefix-matching-score >= 0.5", "copying-score >= 0.5"]
    assert criteria["elhage2021"] == ["k-composition-score >= 0.1", "ov-copying-eigenvalue-score >= 0.5"]


def test_seed_export_import_export_is_identical(store, tmp_path) -> None:
    from kb.services.exporting import export_text
    from kb.store.database import Store
    from kb.store.migrate import upgrade

    import_files(store, SEED_FILES)
    with store.session() as session:
        first = export_text(session)
    exported = tmp_path / "export.yaml"
    exported.write_text(first, encoding="utf-8")
    other = Store(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    upgrade(other)
    import_files(other, [exported])
    with other.session() as session:
        assert export_text(session) == first
    other.dispose()

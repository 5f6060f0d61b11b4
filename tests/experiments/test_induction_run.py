"""A tiny configuration end to end: trains, scores, records a valid kb document (needs torch)."""

import time

import pytest

torch = pytest.importorskip("torch")

from kb.agreement import compute_agreement  # noqa: E402
from kb.experiments.induction import InductionConfig, run_experiment  # noqa: E402
from schema import Criterion, Definition, Document  # noqa: E402

TINY = InductionConfig(
    layers=2,
    heads=2,
    d_model=32,
    vocab=32,
    seq_len=104,
    batch_size=8,
    steps=40,
    score_sequences=2,
    kcomp_baseline_samples=20,
    eval_batches=1,
    seed=7,
    model_key="tiny-test",
)
METHODS = {
    "prefix-matching-score": "behavioral",
    "copying-score": "behavioral",
    "previous-token-score": "behavioral",
    "k-composition-score": "mechanistic",
    "ov-copying-eigenvalue-score": "mechanistic",
}


@pytest.fixture(scope="module")
def experiment():
    calls = []
    start = time.perf_counter()
    result = run_experiment(TINY, progress=lambda stage, done, total: calls.append((stage, done, total)))
    return result, calls, time.perf_counter() - start


def test_tiny_run_finishes_within_a_minute(experiment):
    _result, _calls, seconds = experiment
    assert seconds < 60


def test_document_round_trips_through_the_interchange_schema(experiment):
    document = experiment[0].document
    assert Document.model_validate_json(document.model_dump_json()) == document


def test_document_has_no_concepts_or_definitions(experiment):
    assert experiment[0].document.concepts == []


def test_document_declares_the_five_methods_with_their_kinds(experiment):
    methods = {m.key: m.kind.value for m in experiment[0].document.methods}
    assert methods == METHODS


def test_one_run_per_head_and_method_without_k_composition_in_layer_zero(experiment):
    runs = experiment[0].document.runs
    assert len(runs) == 2 * 4 + 2 * 5
    assert {r.method for r in runs if r.subject == "tiny-test/L0H1"} == set(METHODS) - {"k-composition-score"}
    assert {r.method for r in runs if r.subject == "tiny-test/L1H0"} == set(METHODS)


def test_run_keys_name_model_head_and_method_without_slashes(experiment):
    keys = {r.key for r in experiment[0].document.runs}
    assert "tiny-test-L1H0-prefix-matching-score" in keys
    assert not any("/" in key for key in keys)


def test_run_params_record_seed_steps_config_and_versions(experiment):
    params = experiment[0].document.runs[0].params
    assert params["seed"] == 7 and params["steps"] == 40
    assert params["config"]["d_model"] == 32 and params["config"]["model_key"] == "tiny-test"
    assert set(params["versions"]) >= {"python", "torch"}


def test_k_composition_run_records_partner_baseline_and_every_pair(experiment):
    run = next(r for r in experiment[0].document.runs if r.key == "tiny-test-L1H1-k-composition-score")
    assert run.params["partner"] in {"L0H0", "L0H1"}
    assert set(run.params["pairs"]) == {"L0H0", "L0H1"}
    assert run.value == pytest.approx(max(run.params["pairs"].values()))
    assert run.params["baseline"] > 0


def test_behavioral_runs_name_their_dataset(experiment):
    runs = experiment[0].document.runs
    assert {r.dataset for r in runs if METHODS[r.method] == "behavioral"} == {"repeated-random-tokens"}


def test_two_claims_per_head_under_each_induction_definition(experiment):
    claims = experiment[0].document.claims
    assert len(claims) == 2 * 4
    l1h0 = {c.definition for c in claims if c.subject == "tiny-test/L1H0"}
    assert l1h0 == {"induction-head/olsson2022", "induction-head/elhage2021"}
    assert all(c.concept == "induction-head" and c.source == "tiny-test" for c in claims)


def test_claims_cite_the_heads_runs_of_their_definitions_methods(experiment):
    document = experiment[0].document
    runs = {r.key: r for r in document.runs}
    claim = next(c for c in document.claims if c.key == "tiny-test-L1H0-induction-head-elhage2021")
    cited = [runs[e.run] for e in claim.evidence]
    assert {r.method for r in cited} == {"k-composition-score", "ov-copying-eigenvalue-score"}
    assert {r.subject for r in cited} == {claim.subject}
    assert all(e.stance.value == "supports" for e in claim.evidence)


def test_claims_and_runs_cite_the_experiments_source_record(experiment):
    document = experiment[0].document
    assert [s.key for s in document.sources] == ["tiny-test"]
    assert {r.source for r in document.runs} == {"tiny-test"}


def test_progress_reports_every_training_step_and_every_head(experiment):
    calls = experiment[1]
    assert [c for c in calls if c[0] == "train"][-1] == ("train", 40, 40)
    assert [c for c in calls if c[0] == "score"] == [("score", i, 4) for i in range(1, 5)]


def test_result_reports_first_half_and_repeated_half_losses(experiment):
    training = experiment[0].training
    for losses in (training.before, training.after):
        assert 0 < losses.first_half < 10 and 0 < losses.repeated_half < 10


def test_measurements_feed_the_agreement_matrix(experiment):
    result = experiment[0]
    definitions = [
        Definition(
            key="olsson2022",
            kind="behavioral",
            text="b",
            criteria=[Criterion.parse("prefix-matching-score >= 0.5")],
        ),
        Definition(
            key="elhage2021",
            kind="mechanistic",
            text="m",
            criteria=[Criterion.parse("k-composition-score >= 0.1")],
        ),
    ]
    agreement = compute_agreement(definitions, result.measurements())
    assert [row.subject for row in agreement.subjects] == ["tiny-test/L1H0", "tiny-test/L1H1"]

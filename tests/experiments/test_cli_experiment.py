"""`kb experiment induction-heads` end to end through the CLI, on a tiny configuration."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.conftest import REPO, database_url

SEED = REPO / "data" / "interpretability.yaml"
TINY = ["experiment", "induction-heads", "--layers", "2", "--heads", "2", "--steps", "2", "--model-key", "tiny"]


@dataclass
class Invocation:
    exit_code: int
    stdout: str
    stderr: str


class Kb:
    def __init__(self, url: str) -> None:
        self.url, self.runner = url, CliRunner()

    def __call__(self, *args: str) -> Invocation:
        result = self.runner.invoke(app, ["--db", self.url, *args], catch_exceptions=False)
        return Invocation(result.exit_code, result.stdout, result.stderr)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kb]:
    """A database with the seed's induction-head definitions, shared by this module's tests."""
    with database_url(request.param, tmp_path_factory.mktemp("experiment")) as url:
        kb = Kb(url)
        assert kb("init").exit_code == 0
        assert kb("import", str(SEED)).exit_code == 0
        yield kb


@pytest.fixture(scope="module")
def first_run(seeded: Kb) -> Invocation:
    pytest.importorskip("torch")
    return seeded(*TINY)


@pytest.fixture(scope="module")
def second_run(seeded: Kb, first_run: Invocation) -> Invocation:
    """The same configuration again, as JSON: the import finds everything unchanged."""
    return seeded(*TINY, "--format", "json")


def test_experiment_refuses_without_the_seed_definitions(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with database_url("sqlite", tmp_path) as url:
        kb = Kb(url)
        kb("init")
        result = kb(*TINY)
    assert result.exit_code == 2
    assert "induction-head/olsson2022" in result.stderr and "kb import data/interpretability.yaml" in result.stderr


def test_experiment_prints_a_row_per_head_with_both_verdicts(first_run: Invocation) -> None:
    assert first_run.exit_code == 0, first_run.stderr
    for head in ("L0H0", "L0H1", "L1H0", "L1H1"):
        assert head in first_run.stdout
    assert "olsson2022" in first_run.stdout and "elhage2021" in first_run.stdout


def test_experiment_reports_progress_and_losses_on_stderr(first_run: Invocation) -> None:
    assert "training" in first_run.stderr and "scoring heads" in first_run.stderr
    assert "repeated half" in first_run.stderr


def test_experiment_imports_runs_for_each_head(seeded: Kb, first_run: Invocation) -> None:
    runs = json.loads(seeded("run", "list", "--format", "json").stdout)
    keys = {r["key"] for r in runs}
    assert "tiny-L1H1-k-composition-score" in keys and "tiny-L0H0-copying-score" in keys
    assert "tiny-L0H0-k-composition-score" not in keys


def test_experiment_imports_claims_under_both_definitions(seeded: Kb, first_run: Invocation) -> None:
    claim = json.loads(seeded("claim", "show", "tiny-L1H0-induction-head-elhage2021", "--format", "json").stdout)
    assert claim["definition"] == "induction-head/elhage2021" and claim["subject"] == "tiny/L1H0"
    assert {e["run"] for e in claim["evidence"]} == {
        "tiny-L1H0-k-composition-score",
        "tiny-L1H0-ov-copying-eigenvalue-score",
    }


def test_experiment_leaves_the_seeds_method_records_as_they_are(seeded: Kb, first_run: Invocation) -> None:
    method = json.loads(seeded("method", "show", "copying-score", "--format", "json").stdout)
    assert "olsson2022" in method["description"] and method["name"] == "Copying score"
    seed_text = SEED.read_text(encoding="utf-8")
    assert method["description"] in seed_text


def test_experiment_claims_are_audited(seeded: Kb, first_run: Invocation) -> None:
    result = seeded("audit", "--paper", "tiny", "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0
    assert "tiny-L1H0-induction-head-olsson2022" in result.stdout


def test_rerun_with_the_same_seed_imports_nothing_new(second_run: Invocation) -> None:
    assert second_run.exit_code == 0, second_run.stderr
    data = json.loads(second_run.stdout)
    assert data["import"]["added"] == {}
    assert data["model_key"] == "tiny" and len(data["heads"]) == 4


def test_experiment_json_carries_the_agreement_matrix(second_run: Invocation) -> None:
    agreement = json.loads(second_run.stdout)["agreement"]
    assert agreement["concept"] == "induction-head"
    assert agreement["definitions"] == ["elhage2021", "olsson2022"]


def test_agreement_command_reads_the_experiments_runs(seeded: Kb, first_run: Invocation) -> None:
    data = json.loads(seeded("agreement", "induction-head", "--format", "json").stdout)
    subjects = [row["subject"] for row in data["subjects"]]
    assert "tiny/L1H0" in subjects and "tiny/L1H1" in subjects


def test_experiment_rejects_an_invalid_model_key(seeded: Kb) -> None:
    result = seeded("experiment", "induction-heads", "--model-key", "a/b", "--steps", "1")
    assert result.exit_code == 2
    assert "model key" in result.stderr


def test_help_defaults_match_the_experiments_configuration() -> None:
    pytest.importorskip("torch")
    import typer.main

    from kb.experiments.induction import InductionConfig

    default = InductionConfig()
    command = typer.main.get_command(app).commands["experiment"].commands["induction-heads"]  # type: ignore[attr-defined]
    helps = {p.name: p.help for p in command.params}
    assert f"(default {default.layers})" in helps["layers"] and f"(default {default.heads})" in helps["heads"]
    assert f"(default {default.seed})" in helps["seed"] and f"(default {default.key})" in helps["model_key"]


def test_experiment_refuses_cuda_when_torch_sees_none(seeded: Kb) -> None:
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device")
    result = seeded("experiment", "induction-heads", "--device", "cuda", "--steps", "1")
    assert result.exit_code == 2
    assert "cuda" in result.stderr

"""Behavioral vs mechanistic induction heads, measured on a transformer kb trains itself.

`run_experiment(InductionConfig())` trains a small attention-only transformer on sequences of
repeated random spans, scores every head with olsson2022's behavioral metrics and elhage2021's
mechanistic ones, and returns a `schema.Document` of runs and claims ready for `kb import`.
Import this package only where torch is wanted: it imports torch.
"""

from kb.experiments.induction.config import InductionConfig
from kb.experiments.induction.run import ExperimentResult, HeadScores, check_device, run_experiment

__all__ = ["ExperimentResult", "HeadScores", "InductionConfig", "check_device", "run_experiment"]

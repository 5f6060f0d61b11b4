"""The experiment end to end: train, score every head, record the document."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from kb.experiments.induction import metrics
from kb.experiments.induction.config import InductionConfig
from kb.experiments.induction.data import DATASET, repeated_random_tokens
from kb.experiments.induction.model import AttentionOnlyTransformer, Trace, Weights
from kb.experiments.induction.record import (
    Measurement,
    build_document,
    head_label,
    library_versions,
    subject,
)
from kb.experiments.induction.train import Progress, TrainingReport, train
from schema import Document


@dataclass(frozen=True)
class HeadScores:
    """One row of the metric table."""

    layer: int
    head: int
    prefix_matching: float
    copying: float
    previous_token: float
    ov_copying_eigenvalue: float
    k_composition: float | None  # None in layer 0: no earlier head to compose with
    k_composition_partner: tuple[int, int] | None

    @property
    def label(self) -> str:
        return head_label(self.layer, self.head)

    def values(self) -> dict[str, float | None]:
        """Method key -> value, as recorded in the runs."""
        return {
            "prefix-matching-score": self.prefix_matching,
            "copying-score": self.copying,
            "previous-token-score": self.previous_token,
            "k-composition-score": self.k_composition,
            "ov-copying-eigenvalue-score": self.ov_copying_eigenvalue,
        }

    def to_json(self) -> dict[str, Any]:
        partner = self.k_composition_partner
        return {
            "head": self.label,
            **self.values(),
            "k-composition-partner": head_label(*partner) if partner else None,
        }


@dataclass(frozen=True)
class ExperimentResult:
    config: InductionConfig
    document: Document
    heads: tuple[HeadScores, ...]
    training: TrainingReport
    timing: dict[str, float]  # seconds: train, score, total (wall) and cpu (process time)

    @property
    def model_key(self) -> str:
        return self.config.key

    def measurements(self) -> dict[tuple[str, str], float]:
        """`{(subject, method): value}` for `kb.agreement.compute_agreement`."""
        return {
            (subject(self.model_key, row.layer, row.head), method): value
            for row in self.heads
            for method, value in row.values().items()
            if value is not None
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "model_key": self.model_key,
            "config": self.config.to_json(),
            "training": {
                "steps": self.training.steps,
                "final_train_loss": self.training.final_train_loss,
                "loss_before": vars(self.training.before),
                "loss_after": vars(self.training.after),
            },
            "timing": self.timing,
            "heads": [row.to_json() for row in self.heads],
        }


def run_experiment(config: InductionConfig, progress: Progress | None = None) -> ExperimentResult:
    """Train the model `config` describes, score every head and record the document.

    `progress(stage, completed, total)` is called once per training step (stage "train") and
    once per scored head (stage "score"). Deterministic for a given config on a given machine.
    """
    check_device(config)
    previous_threads = torch.get_num_threads()
    if config.threads is not None:
        torch.set_num_threads(config.threads)
    try:
        start, cpu_start = time.perf_counter(), time.process_time()
        torch.manual_seed(config.seed)
        model = AttentionOnlyTransformer(config).to(config.device)
        training = train(model, config, torch.Generator().manual_seed(config.seed), progress)
        train_done = time.perf_counter()
        heads, measurements = score_heads(model, config, progress)
    finally:
        torch.set_num_threads(previous_threads)
    document = build_document(
        model_key=config.key,
        title=_title(config),
        measurements=measurements,
        common_params={
            "seed": config.seed,
            "steps": config.steps,
            "config": config.to_json(),
            "versions": library_versions(),
        },
        heads=[(row.layer, row.head) for row in heads],
    )
    end = time.perf_counter()
    timing = {
        "train_seconds": round(train_done - start, 2),
        "score_seconds": round(end - train_done, 2),
        "total_seconds": round(end - start, 2),
        "cpu_seconds": round(time.process_time() - cpu_start, 2),
    }
    return ExperimentResult(config=config, document=document, heads=heads, training=training, timing=timing)


def check_device(config: InductionConfig) -> None:
    """Raise ValueError when the config asks for a device torch cannot use."""
    if config.device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was requested but torch sees no CUDA device (this build may be CPU-only)")


@torch.no_grad()
def score_heads(
    model: AttentionOnlyTransformer, config: InductionConfig, progress: Progress | None = None
) -> tuple[tuple[HeadScores, ...], list[Measurement]]:
    """Every metric for every head, as table rows and as measurements to record."""
    model.eval()
    generator = torch.Generator().manual_seed(config.seed + 2)
    tokens = repeated_random_tokens(
        config.score_sequences, config.score_span, config.score_repeats, config.vocab, generator
    )
    trace = model.run_with_trace(tokens.to(next(model.parameters()).device))
    weights = model.weights()
    kcomp = metrics.k_composition_scores(
        weights.W_Q, weights.W_K, weights.W_V, weights.W_O, config.kcomp_baseline_samples, config.seed
    )
    token_array = tokens.numpy()
    behavioral = {
        "sequences": config.score_sequences,
        "span": config.score_span,
        "repeats": config.score_repeats,
        "sequence_seed": config.seed + 2,
    }
    rows, measured = [], []
    total, done = config.layers * config.heads, 0
    for layer in range(config.layers):
        for head in range(config.heads):
            row = _score_head(layer, head, trace, weights, kcomp, token_array)
            rows.append(row)
            measured.extend(_measurements(row, kcomp, behavioral))
            done += 1
            if progress is not None:
                progress("score", done, total)
    return tuple(rows), measured


def _score_head(
    layer: int, head: int, trace: Trace, weights: Weights, kcomp: metrics.KComposition, tokens: np.ndarray
) -> HeadScores:
    pattern = trace.patterns[layer][:, head].to("cpu", torch.float64).numpy()
    # Copying is judged at every non-BOS position: each is the token an induction head attends to
    # when the token before it recurs.
    resid = trace.resid_pre[layer][:, 1:].to("cpu", torch.float64).numpy()
    sources = resid.reshape(-1, resid.shape[-1])
    source_tokens = tokens[:, 1:].reshape(-1)
    best = kcomp.best((layer, head))
    return HeadScores(
        layer=layer,
        head=head,
        prefix_matching=metrics.prefix_matching_score(pattern, tokens),
        copying=metrics.copying_score(
            sources, source_tokens, weights.W_V[layer, head], weights.W_O[layer, head], weights.W_U
        ),
        previous_token=metrics.previous_token_score(pattern),
        ov_copying_eigenvalue=metrics.ov_copying_eigenvalue_score(
            weights.W_E, weights.W_V[layer, head], weights.W_O[layer, head], weights.W_U
        ),
        k_composition=best[1] if best else None,
        k_composition_partner=best[0] if best else None,
    )


def _measurements(
    row: HeadScores, kcomp: metrics.KComposition, behavioral: dict[str, Any]
) -> list[Measurement]:
    out = [
        Measurement(row.layer, row.head, "prefix-matching-score", row.prefix_matching, behavioral, DATASET),
        Measurement(row.layer, row.head, "copying-score", row.copying, behavioral, DATASET),
        Measurement(row.layer, row.head, "previous-token-score", row.previous_token, behavioral, DATASET),
    ]
    if row.k_composition is not None and row.k_composition_partner is not None:
        pairs = kcomp.scores[(row.layer, row.head)]
        out.append(
            Measurement(
                row.layer,
                row.head,
                "k-composition-score",
                row.k_composition,
                {
                    "partner": head_label(*row.k_composition_partner),
                    "baseline": kcomp.baseline,
                    "baseline_subtracted": True,
                    "pairs": {head_label(*writer): score for writer, score in sorted(pairs.items())},
                },
                None,
            )
        )
    out.append(
        Measurement(row.layer, row.head, "ov-copying-eigenvalue-score", row.ov_copying_eigenvalue, {}, None)
    )
    return out


def _title(config: InductionConfig) -> str:
    return (
        f"kb experiment: induction heads in a {config.layers}-layer attention-only transformer "
        f"({config.heads} heads per layer, d_model {config.d_model}) trained on repeated random tokens, "
        f"seed {config.seed}, {config.steps} steps"
    )

"""Per-head scores for induction, as pure functions of attention patterns and weights (numpy).

Behavioral (olsson2022: what the head does on repeated random tokens)
  prefix_matching_score    attention to the token after the current token's earlier occurrences
  copying_score            how much of the head's logit raise goes to the token it attends to
  previous_token_score     attention to the immediately preceding position
Mechanistic (elhage2021: what the weights are)
  k_composition_scores     how much a head's keys read an earlier head's output, random baseline subtracted
  ov_copying_eigenvalue_score   whether the OV circuit's token-to-token map has positive eigenvalues

Conventions are row vectors, as in `model.py`: OV = W_V @ W_O and QK = W_Q @ W_K.T are
`[d_model, d_model]`; a token embedding is a row of W_E; logits are `x @ W_U`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

Head = tuple[int, int]  # (layer, head)


def prefix_matching_score(patterns: np.ndarray, tokens: np.ndarray) -> float:
    """Mean attention from each token to the tokens that followed its earlier occurrences.

    `patterns` is one head's attention `[n_seq, query, key]`, `tokens` the ids `[n_seq, pos]`.
    For every query whose token occurred before, the attention it pays to all positions right
    after those earlier occurrences is summed; the score is the mean over such queries within a
    sequence, then over sequences. 1 for a perfect induction pattern, ~0 for most other heads.
    """
    patterns, tokens = np.asarray(patterns, dtype=float), np.asarray(tokens)
    per_sequence = []
    for pattern, seq in zip(patterns, tokens, strict=True):
        hits = []
        for q in range(1, len(seq)):
            earlier = np.flatnonzero(seq[:q] == seq[q])
            if earlier.size:
                hits.append(pattern[q, earlier + 1].sum())
        if hits:
            per_sequence.append(float(np.mean(hits)))
    if not per_sequence:
        raise ValueError("no token repeats in the sequences: prefix matching is undefined")
    return float(np.mean(per_sequence))


def previous_token_score(patterns: np.ndarray) -> float:
    """Mean attention from position i to position i-1 (over i >= 1 and sequences)."""
    patterns = np.asarray(patterns, dtype=float)
    positions = np.arange(1, patterns.shape[-1])
    return float(patterns[:, positions, positions - 1].mean())


def copying_score(
    source_residuals: np.ndarray, source_tokens: np.ndarray, W_V: np.ndarray, W_O: np.ndarray, W_U: np.ndarray
) -> float:
    """olsson2022's copying: does attending to a token raise that token's logit, and only it?

    For each source position (its residual stream `x` and token `t`), the head's direct effect on
    the logits if it attended there fully is `x @ W_V @ W_O @ W_U`. Subtract its mean over the
    vocabulary, keep the raises (ReLU) and take the share that goes to `t`: 1 when the head raises
    only `t`, 0 when it raises anything but `t`. The mean share is rescaled to [-1, 1] (2 * share
    - 1), so 0 means half of the raise goes to the copied token.
    """
    x = np.asarray(source_residuals, dtype=float)
    tokens = np.asarray(source_tokens)
    raise_ = x @ W_V @ W_O @ W_U  # [n, vocab]
    raise_ = np.maximum(raise_ - raise_.mean(axis=1, keepdims=True), 0.0)
    total = raise_.sum(axis=1)
    own = raise_[np.arange(len(tokens)), tokens]
    share = np.divide(own, total, out=np.zeros_like(own), where=total > 0)
    return float(2.0 * share.mean() - 1.0)


def ov_copying_eigenvalue_score(W_E: np.ndarray, W_V: np.ndarray, W_O: np.ndarray, W_U: np.ndarray) -> float:
    """sum(λ) / sum(|λ|) over the eigenvalues λ of the OV circuit's token-to-token map (elhage2021).

    The map is `W_E @ W_V @ W_O @ W_U` (`[vocab, vocab]`, row t: logits raised by attending to
    token t; elhage2021's W_U W_OV W_E in column convention). Its nonzero eigenvalues are those of
    the `[d_model, d_model]` product `W_V @ W_O @ W_U @ W_E`, which is what is decomposed. The sum
    of the eigenvalues of a real matrix is real. 1: a copying map (all eigenvalues positive);
    -1: an anti-copying one; 0 when the map is zero.
    """
    small = W_V @ W_O @ W_U @ W_E
    eigenvalues = np.linalg.eigvals(small)
    magnitude = float(np.abs(eigenvalues).sum())
    if magnitude == 0.0:
        return 0.0
    return float(eigenvalues.sum().real / magnitude)


def k_composition_score(W_Q: np.ndarray, W_K: np.ndarray, W_V: np.ndarray, W_O: np.ndarray) -> float:
    """Raw K-composition of a reader head (W_Q, W_K) with a writer head (W_V, W_O), elhage2021:

    ||W_QK^reader W_OV^writer||_F / (||W_QK^reader||_F ||W_OV^writer||_F); in row conventions
    the product is `OV @ QK.T`, the part of the reader's keys computed from the writer's output.
    The norms are computed from the factors (`||A||_F^2 = tr(A^T A)`), so nothing of size
    `[d_model, d_model]` is formed: `OV @ QK.T = W_V (W_O W_K) W_Q.T`.
    """
    vv, qq = W_V.T @ W_V, W_Q.T @ W_Q  # [d_head, d_head] Gram matrices
    middle = W_O @ W_K  # [d_head, d_head]
    product = np.trace(vv @ middle @ qq @ middle.T)
    ov = np.trace(vv @ (W_O @ W_O.T))
    qk = np.trace(qq @ (W_K.T @ W_K))
    if ov <= 0.0 or qk <= 0.0:
        return 0.0
    return float(np.sqrt(max(product, 0.0) / (ov * qk)))


def k_composition_baseline(d_model: int, d_head: int, samples: int = 200, seed: int = 0) -> float:
    """Mean raw K-composition of random heads of the same shapes (elhage2021 subtracts it).

    Each sample draws W_Q, W_K, W_V `[d_model, d_head]` and W_O `[d_head, d_model]` with
    independent standard normal entries (the score does not depend on their scale), so the
    products have the same rank as a real head's.
    """
    rng = np.random.default_rng(seed)
    scores = [
        k_composition_score(
            rng.standard_normal((d_model, d_head)),
            rng.standard_normal((d_model, d_head)),
            rng.standard_normal((d_model, d_head)),
            rng.standard_normal((d_head, d_model)),
        )
        for _ in range(samples)
    ]
    return float(np.mean(scores))


@dataclass(frozen=True)
class KComposition:
    """Baseline-subtracted K-composition of every head with every head of an earlier layer."""

    baseline: float
    scores: Mapping[Head, Mapping[Head, float]]  # reader -> writer -> score - baseline

    def best(self, reader: Head) -> tuple[Head, float] | None:
        """The earlier head whose output the reader's keys read most, and that score; None in layer 0."""
        partners = self.scores.get(reader) or {}
        if not partners:
            return None
        writer = max(partners, key=lambda w: (partners[w], (-w[0], -w[1])))
        return writer, partners[writer]


def k_composition_scores(
    W_Q: np.ndarray,
    W_K: np.ndarray,
    W_V: np.ndarray,
    W_O: np.ndarray,
    baseline_samples: int = 200,
    seed: int = 0,
) -> KComposition:
    """K-composition for every (reader, writer) pair with writer in an earlier layer.

    Arrays are stacked `[layers, heads, ...]` as in `model.Weights`. The random baseline for
    heads of these shapes is subtracted from every raw score, so unrelated heads score near 0.
    """
    layers, heads, d_model, d_head = W_Q.shape
    baseline = k_composition_baseline(d_model, d_head, baseline_samples, seed)
    scores: dict[Head, dict[Head, float]] = {}
    for l2 in range(layers):
        for h2 in range(heads):
            scores[(l2, h2)] = {
                (l1, h1): k_composition_score(W_Q[l2, h2], W_K[l2, h2], W_V[l1, h1], W_O[l1, h1]) - baseline
                for l1 in range(l2)
                for h1 in range(heads)
            }
    return KComposition(baseline=baseline, scores=scores)

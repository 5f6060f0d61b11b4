"""Metric functions on hand-built weights and patterns with known answers (numpy only)."""

import pytest

np = pytest.importorskip("numpy")

from kb.experiments.induction import metrics  # noqa: E402


def induction_sequence(span: int, repeats: int) -> np.ndarray:
    """BOS (0) then tokens 1..span repeated: each token's earlier occurrences are known."""
    return np.concatenate([[0], np.tile(np.arange(1, span + 1), repeats)])


def previous_token_pattern(length: int) -> np.ndarray:
    pattern = np.zeros((length, length))
    pattern[0, 0] = 1.0
    for i in range(1, length):
        pattern[i, i - 1] = 1.0
    return pattern


def induction_pattern(tokens: np.ndarray) -> np.ndarray:
    """Attend to the token after the most recent earlier occurrence; else to BOS."""
    pattern = np.zeros((len(tokens), len(tokens)))
    for q, token in enumerate(tokens):
        earlier = np.flatnonzero(tokens[:q] == token)
        pattern[q, earlier[-1] + 1 if earlier.size else 0] = 1.0
    return pattern


def test_prefix_matching_score_is_one_for_an_induction_pattern():
    tokens = induction_sequence(span=5, repeats=3)
    assert metrics.prefix_matching_score(induction_pattern(tokens)[None], tokens[None]) == pytest.approx(1.0)


def test_prefix_matching_score_is_zero_for_a_previous_token_pattern():
    tokens = induction_sequence(span=5, repeats=3)
    pattern = previous_token_pattern(len(tokens))
    assert metrics.prefix_matching_score(pattern[None], tokens[None]) == pytest.approx(0.0)


def test_prefix_matching_score_needs_a_repeated_token():
    tokens = np.arange(6)
    with pytest.raises(ValueError, match="no token repeats"):
        metrics.prefix_matching_score(previous_token_pattern(6)[None], tokens[None])


def test_previous_token_score_is_one_for_a_pure_previous_token_pattern():
    assert metrics.previous_token_score(previous_token_pattern(10)[None]) == pytest.approx(1.0)


def test_previous_token_score_is_zero_for_attention_to_self():
    assert metrics.previous_token_score(np.eye(10)[None]) == pytest.approx(0.0)


def orthonormal_embedding(vocab: int, d_model: int, seed: int = 0) -> np.ndarray:
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((d_model, vocab)))
    return q.T  # [vocab, d_model], orthonormal rows


def test_copying_score_is_one_when_ov_is_identity():
    vocab, d = 8, 12
    W_E = orthonormal_embedding(vocab, d)
    tokens = np.arange(vocab)
    score = metrics.copying_score(W_E[tokens], tokens, np.eye(d), np.eye(d), W_E.T)
    assert score == pytest.approx(1.0)


def test_copying_score_is_minus_one_when_ov_raises_another_token():
    vocab, d = 8, 12
    W_E = orthonormal_embedding(vocab, d)
    shift = W_E.T @ np.roll(np.eye(vocab), 1, axis=1) @ W_E  # maps token t's embedding to t+1's
    tokens = np.arange(vocab)
    score = metrics.copying_score(W_E[tokens], tokens, shift, np.eye(d), W_E.T)
    assert score == pytest.approx(-1.0)


def test_ov_copying_eigenvalue_score_is_one_when_ov_is_identity():
    W_E = orthonormal_embedding(8, 12)
    assert metrics.ov_copying_eigenvalue_score(W_E, np.eye(12), np.eye(12), W_E.T) == pytest.approx(1.0)


def test_ov_copying_eigenvalue_score_is_minus_one_when_ov_negates():
    W_E = orthonormal_embedding(8, 12)
    assert metrics.ov_copying_eigenvalue_score(W_E, -np.eye(12), np.eye(12), W_E.T) == pytest.approx(-1.0)


def test_ov_copying_eigenvalue_score_is_zero_for_a_zero_circuit():
    W_E = orthonormal_embedding(8, 12)
    assert metrics.ov_copying_eigenvalue_score(W_E, np.zeros((12, 4)), np.zeros((4, 12)), W_E.T) == 0.0


def random_heads(layers: int, heads: int, d_model: int, d_head: int, seed: int):
    rng = np.random.default_rng(seed)
    return (
        rng.standard_normal((layers, heads, d_model, d_head)),
        rng.standard_normal((layers, heads, d_model, d_head)),
        rng.standard_normal((layers, heads, d_model, d_head)),
        rng.standard_normal((layers, heads, d_head, d_model)),
    )


def test_k_composition_of_random_heads_is_near_zero_after_the_baseline():
    kcomp = metrics.k_composition_scores(*random_heads(2, 4, 32, 8, seed=1), baseline_samples=300, seed=2)
    scores = [s for partners in kcomp.scores.values() for s in partners.values()]
    assert kcomp.baseline > 0.05  # the raw scores of random heads are well above zero ...
    assert abs(float(np.mean(scores))) < 0.01  # ... and the baseline removes that
    assert max(abs(s) for s in scores) < 0.1  # below the elhage2021 criterion (>= 0.1)


def test_k_composition_is_high_when_the_readers_keys_read_the_writers_output():
    d_model, d_head = 32, 4
    W_Q, W_K, W_V, W_O = random_heads(2, 2, d_model, d_head, seed=3)
    subspace = np.eye(d_model)[:, :d_head]  # the writer writes into these directions ...
    W_O[0, 1] = subspace.T
    W_K[1, 0] = subspace  # ... and the reader's keys read exactly them
    kcomp = metrics.k_composition_scores(W_Q, W_K, W_V, W_O, baseline_samples=100)
    assert kcomp.best((1, 0)) == ((0, 1), pytest.approx(kcomp.scores[(1, 0)][(0, 1)]))
    assert kcomp.scores[(1, 0)][(0, 1)] > 0.2


def test_k_composition_has_no_partner_in_layer_zero():
    kcomp = metrics.k_composition_scores(*random_heads(2, 2, 16, 4, seed=4), baseline_samples=10)
    assert kcomp.best((0, 1)) is None
    assert set(kcomp.scores[(1, 1)]) == {(0, 0), (0, 1)}


def test_k_composition_score_is_one_for_aligned_rank_one_circuits():
    u = np.zeros((8, 1))
    u[0, 0] = 1.0
    assert metrics.k_composition_score(u, u, u, u.T) == pytest.approx(1.0)


def test_k_composition_baseline_is_deterministic_for_a_seed():
    assert metrics.k_composition_baseline(16, 4, 20, seed=5) == metrics.k_composition_baseline(
        16, 4, 20, seed=5
    )


def test_k_composition_score_equals_the_frobenius_norm_formula():
    rng = np.random.default_rng(6)
    W_Q, W_K, W_V = (rng.standard_normal((12, 3)) for _ in range(3))
    W_O = rng.standard_normal((3, 12))
    qk, ov = W_Q @ W_K.T, W_V @ W_O
    expected = np.linalg.norm(ov @ qk.T) / (np.linalg.norm(qk) * np.linalg.norm(ov))
    assert metrics.k_composition_score(W_Q, W_K, W_V, W_O) == pytest.approx(expected)

"""The transformer and the data generators (needs torch)."""

import pytest

torch = pytest.importorskip("torch")

from kb.experiments.induction.config import InductionConfig  # noqa: E402
from kb.experiments.induction.data import BOS, repeated_random_tokens, repeated_span_batch  # noqa: E402
from kb.experiments.induction.model import AttentionOnlyTransformer  # noqa: E402

SMALL = InductionConfig(layers=2, heads=2, d_model=16, vocab=20, seq_len=32, score_span=5, score_repeats=3)


def test_traced_forward_gives_the_same_logits_as_the_fused_one():
    model = AttentionOnlyTransformer(SMALL).eval()
    tokens = repeated_span_batch(3, 32, 20, 2, 6, torch.Generator().manual_seed(0))
    assert torch.allclose(model(tokens), model.run_with_trace(tokens).logits, atol=1e-5)


def test_trace_patterns_are_causal_and_sum_to_one():
    model = AttentionOnlyTransformer(SMALL)
    tokens = repeated_span_batch(2, 32, 20, 2, 6, torch.Generator().manual_seed(1))
    pattern = model.run_with_trace(tokens).patterns[1]
    assert pattern.shape == (2, 2, 32, 32)
    assert torch.allclose(pattern.sum(-1), torch.ones(2, 2, 32))
    assert torch.all(pattern.triu(diagonal=1) == 0)


def test_head_output_is_its_pattern_times_its_ov_circuit():
    model = AttentionOnlyTransformer(SMALL).eval()
    tokens = repeated_span_batch(2, 32, 20, 2, 6, torch.Generator().manual_seed(2))
    trace = model.run_with_trace(tokens)
    with torch.no_grad():
        by_heads = trace.resid_pre[0] + sum(
            trace.patterns[0][:, h] @ trace.resid_pre[0] @ model.W_V[0, h] @ model.W_O[0, h] for h in range(2)
        )
    assert torch.allclose(trace.resid_pre[1], by_heads, atol=1e-5)


def test_weights_are_float64_numpy_arrays_of_the_documented_shapes():
    weights = AttentionOnlyTransformer(SMALL).weights()
    assert weights.W_Q.shape == (2, 2, 16, 8) and weights.W_O.shape == (2, 2, 8, 16)
    assert weights.W_E.shape == (20, 16) and weights.W_U.shape == (16, 20)
    assert weights.W_E.dtype.name == "float64"


def test_training_sequences_start_with_bos_and_repeat_their_span():
    tokens = repeated_span_batch(8, 40, 20, 3, 7, torch.Generator().manual_seed(3))
    assert tokens.shape == (8, 40)
    assert torch.all(tokens[:, 0] == BOS) and torch.all(tokens[:, 1:] != BOS)
    for row in tokens[:, 1:]:
        period = next(p for p in range(3, 8) if torch.equal(row[p:], row[:-p]))
        assert 3 <= period <= 7


def test_scoring_sequences_repeat_distinct_tokens_after_bos():
    tokens = repeated_random_tokens(4, 5, 3, 20, torch.Generator().manual_seed(4))
    assert tokens.shape == (4, 16)
    assert torch.all(tokens[:, 0] == BOS)
    span = tokens[:, 1:6]
    assert all(len(set(row.tolist())) == 5 for row in span)
    assert torch.equal(tokens[:, 1:], span.repeat(1, 3))


def test_config_rejects_a_model_key_that_is_not_a_kb_key():
    with pytest.raises(ValueError, match="model key"):
        InductionConfig(model_key="my/model")


def test_config_rejects_scoring_sequences_longer_than_the_context():
    with pytest.raises(ValueError, match="do not fit"):
        InductionConfig(seq_len=64, score_span=25, score_repeats=4)


def test_config_derives_the_model_key_from_its_shape_and_seed():
    assert InductionConfig(layers=2, heads=8, seed=3).key == "attn-only-2l8h-seed3"


def test_head_dropout_acts_only_in_training_mode():
    config = InductionConfig(
        layers=2, heads=4, d_model=16, vocab=20, seq_len=32, score_span=5, score_repeats=3, head_dropout=0.5
    )
    model = AttentionOnlyTransformer(config)
    tokens = repeated_span_batch(2, 32, 20, 2, 6, torch.Generator().manual_seed(5))
    model.eval()
    assert torch.equal(model(tokens), model(tokens))
    model.train()
    torch.manual_seed(0)
    first = model(tokens)
    torch.manual_seed(1)
    assert not torch.allclose(first, model(tokens))

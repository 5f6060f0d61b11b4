"""Synthetic token sequences: random spans repeated, the only structure a model can learn.

Token 0 is BOS and never appears elsewhere. A first occurrence of a span is unpredictable (loss
about ln(vocab - 1)); every later token is predictable by looking up what followed the same token
earlier, which is exactly what an induction head does. Span lengths vary so that attending a
fixed distance back does not work.
"""

from __future__ import annotations

import torch

BOS = 0
DATASET = "repeated-random-tokens"


def repeated_span_batch(
    batch_size: int, seq_len: int, vocab: int, span_min: int, span_max: int, generator: torch.Generator
) -> torch.Tensor:
    """`[batch, seq_len]` training sequences: BOS, then a random span repeated to fill the rest.

    Each sequence has its own span length, uniform in [span_min, span_max]; span tokens are drawn
    uniformly (with replacement) from 1..vocab-1.
    """
    body = seq_len - 1
    lengths = torch.randint(span_min, span_max + 1, (batch_size,), generator=generator)
    spans = torch.randint(1, vocab, (batch_size, span_max), generator=generator)
    positions = torch.arange(body).unsqueeze(0) % lengths.unsqueeze(1)  # [batch, body]
    repeated = spans.gather(1, positions)
    bos = torch.full((batch_size, 1), BOS, dtype=torch.long)
    return torch.cat([bos, repeated], dim=1)


def repeated_random_tokens(
    n_sequences: int, span: int, repeats: int, vocab: int, generator: torch.Generator
) -> torch.Tensor:
    """`[n, 1 + span * repeats]` scoring sequences (olsson2022): BOS, then `span` distinct random
    tokens repeated `repeats` times. Distinct tokens make "the earlier occurrence" unambiguous."""
    if span > vocab - 1:
        raise ValueError(f"cannot draw {span} distinct tokens from {vocab - 1}")
    spans = torch.stack(
        [torch.randperm(vocab - 1, generator=generator)[:span] + 1 for _ in range(n_sequences)]
    )
    bos = torch.full((n_sequences, 1), BOS, dtype=torch.long)
    return torch.cat([bos, spans.repeat(1, repeats)], dim=1)

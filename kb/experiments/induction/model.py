"""An attention-only transformer in plain PyTorch, written so its circuits can be read off.

No LayerNorm and no biases: the residual stream is a sum of the embedding, the positional
embedding and every head's output, so a head's OV and QK circuits are exactly the products of its
weight matrices (elhage2021's setting). Weights use row-vector conventions, as TransformerLens:
`q = x @ W_Q[l, h]`, head output `= pattern @ (x @ W_V[l, h]) @ W_O[l, h]`, logits `= x @ W_U`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from kb.experiments.induction.config import InductionConfig


@dataclass
class Trace:
    """What one forward pass saw: logits, every layer's attention patterns and inputs."""

    logits: torch.Tensor  # [batch, pos, vocab]
    patterns: list[torch.Tensor]  # per layer: [batch, head, query, key]
    resid_pre: list[torch.Tensor]  # per layer: the residual stream the layer reads, [batch, pos, d_model]


@dataclass(frozen=True)
class Weights:
    """The model's weights as float64 numpy arrays, for the metric functions."""

    W_E: np.ndarray  # [vocab, d_model]
    W_pos: np.ndarray  # [n_ctx, d_model]
    W_Q: np.ndarray  # [layers, heads, d_model, d_head]
    W_K: np.ndarray  # [layers, heads, d_model, d_head]
    W_V: np.ndarray  # [layers, heads, d_model, d_head]
    W_O: np.ndarray  # [layers, heads, d_head, d_model]
    W_U: np.ndarray  # [d_model, vocab]


class AttentionOnlyTransformer(nn.Module):
    """Token + learned positional embedding, `layers` layers of `heads` causal heads, unembedding."""

    def __init__(self, config: InductionConfig) -> None:
        super().__init__()
        self.config = config
        L, H, d, dh, V = config.layers, config.heads, config.d_model, config.head_dim, config.vocab
        self.W_E = nn.Parameter(torch.randn(V, d) / math.sqrt(d))
        self.W_pos = nn.Parameter(torch.randn(config.seq_len, d) / math.sqrt(d))
        self.W_Q = nn.Parameter(torch.randn(L, H, d, dh) / math.sqrt(d))
        self.W_K = nn.Parameter(torch.randn(L, H, d, dh) / math.sqrt(d))
        self.W_V = nn.Parameter(torch.randn(L, H, d, dh) / math.sqrt(d))
        # Output projections start smaller (GPT-2 scales them down too), so every OV circuit
        # begins near zero.
        self.W_O = nn.Parameter(torch.randn(L, H, dh, d) / math.sqrt(dh * H) * config.out_init_scale)
        self.W_U = nn.Parameter(torch.randn(d, V) / math.sqrt(d))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits `[batch, pos, vocab]` for token ids `[batch, pos]` (fused attention, for training)."""
        return self._run(tokens, keep=False).logits

    def run_with_trace(self, tokens: torch.Tensor) -> Trace:
        """Logits plus every layer's attention patterns and input residual stream (for scoring)."""
        return self._run(tokens, keep=True)

    def _run(self, tokens: torch.Tensor, keep: bool) -> Trace:
        B, T = tokens.shape
        if T > self.W_pos.shape[0]:
            raise ValueError(f"sequence of {T} tokens is longer than the context ({self.W_pos.shape[0]})")
        H, dh, d = self.config.heads, self.config.head_dim, self.config.d_model
        x = self.W_E[tokens] + self.W_pos[:T]
        causal = torch.ones(T, T, dtype=torch.bool, device=tokens.device).tril()
        patterns, resid_pre = [], []
        for layer in range(self.config.layers):
            # [d_model, 3 * heads * d_head]: one matrix product for every head's q, k and v.
            qkv_weight = torch.stack([self.W_Q[layer], self.W_K[layer], self.W_V[layer]])  # [3, H, d, dh]
            qkv_weight = qkv_weight.permute(2, 0, 1, 3).reshape(d, 3 * H * dh)
            q, k, v = (x @ qkv_weight).view(B, T, 3, H, dh).permute(2, 0, 3, 1, 4)  # each [B, H, T, dh]
            if keep:
                resid_pre.append(x)
                scores = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
                pattern = scores.masked_fill(~causal, float("-inf")).softmax(dim=-1)
                patterns.append(pattern)
                z = pattern @ v
            else:
                z = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            if self.training and self.config.head_dropout > 0:
                # Drop whole heads (per sequence), so no head can lean on the others to cancel its errors.
                kept = torch.rand(B, H, 1, 1, device=z.device) >= self.config.head_dropout
                z = z * kept / (1.0 - self.config.head_dropout)
            x = x + z.transpose(1, 2).reshape(B, T, H * dh) @ self.W_O[layer].reshape(H * dh, d)
        return Trace(logits=x @ self.W_U, patterns=patterns, resid_pre=resid_pre)

    def weights(self) -> Weights:
        def arr(t: torch.Tensor) -> np.ndarray:
            return t.detach().to("cpu", torch.float64).numpy()

        return Weights(
            W_E=arr(self.W_E),
            W_pos=arr(self.W_pos),
            W_Q=arr(self.W_Q),
            W_K=arr(self.W_K),
            W_V=arr(self.W_V),
            W_O=arr(self.W_O),
            W_U=arr(self.W_U),
        )

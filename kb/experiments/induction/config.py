"""The experiment's settings: model size, data, training and scoring. No torch here."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from schema.models import KEY_PATTERN


@dataclass(frozen=True)
class InductionConfig:
    """Everything that determines one run of the experiment (with the library versions).

    The defaults are the configuration documented in `docs/experiment-induction-heads.md`.
    """

    layers: int = 2
    heads: int = 8
    d_model: int = 256
    d_head: int | None = None  # None: d_model // heads
    vocab: int = 32  # including the BOS token (id 0); scoring needs score_span + 1
    seq_len: int = 104  # training sequence length, BOS included; also the context size
    span_min: int = 4  # training spans: a random span of this many tokens ...
    span_max: int = 40  # ... up to this many, repeated until the sequence is full
    batch_size: int = 16
    steps: int = 3000
    learning_rate: float = 2e-3
    weight_decay: float = 0.1
    out_init_scale: float = 0.1  # W_O's initial scale relative to 1/sqrt(fan-in), as GPT-2 shrinks it
    head_dropout: float = 0.1  # training only: probability of dropping a head's output for a sequence
    seed: int = 0
    device: str = "cpu"
    # CPU threads for torch. One by default: on a shared two-core machine, two threads spent five
    # times the CPU time per step waiting for each other. None: torch's default (one per core).
    threads: int | None = 1
    model_key: str | None = None  # None: derived from layers, heads and seed
    # Scoring, after olsson2022: 25 random tokens repeated 4 times after BOS, 10 sequences.
    score_span: int = 25
    score_repeats: int = 4
    score_sequences: int = 10
    kcomp_baseline_samples: int = 200
    eval_batches: int = 4  # batches for the first-half / repeated-half loss

    def __post_init__(self) -> None:
        if self.layers < 1 or self.heads < 1:
            raise ValueError("layers and heads must be at least 1")
        if self.d_head is None and self.d_model % self.heads:
            raise ValueError(f"d_model {self.d_model} is not divisible by heads {self.heads}; set d_head")
        if not 2 <= self.span_min <= self.span_max:
            raise ValueError("need 2 <= span_min <= span_max")
        if 1 + self.score_span * self.score_repeats > self.seq_len:
            raise ValueError(
                f"scoring sequences ({1 + self.score_span * self.score_repeats} tokens) do not fit "
                f"in seq_len {self.seq_len}"
            )
        if self.score_span > self.vocab - 1:
            raise ValueError("score_span must not exceed the number of non-BOS tokens (vocab - 1)")
        if self.model_key is not None and (
            not re.match(KEY_PATTERN, self.model_key) or len(self.model_key) > 120
        ):
            raise ValueError(
                f"model key {self.model_key!r} must start with a letter or digit and use only "
                "letters, digits and ._:+- (at most 120 characters)"
            )
        if not 0.0 <= self.head_dropout < 1.0:
            raise ValueError("head_dropout must be in [0, 1)")
        if self.threads is not None and self.threads < 1:
            raise ValueError("threads must be at least 1")
        if self.device not in ("cpu", "cuda"):
            raise ValueError(f"device must be 'cpu' or 'cuda', not {self.device!r}")

    @property
    def head_dim(self) -> int:
        return self.d_head if self.d_head is not None else self.d_model // self.heads

    @property
    def key(self) -> str:
        """The model key: prefix of every subject (`KEY/L1H3`) and run key, and the source key."""
        return self.model_key or f"attn-only-{self.layers}l{self.heads}h-seed{self.seed}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["d_head"] = self.head_dim
        data["model_key"] = self.key
        return data

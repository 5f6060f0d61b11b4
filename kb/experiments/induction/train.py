"""Training loop, and the loss on a sequence's first half vs its repeated half."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from kb.experiments.induction.config import InductionConfig
from kb.experiments.induction.data import BOS, repeated_span_batch
from kb.experiments.induction.model import AttentionOnlyTransformer

# progress(stage, completed, total): stage is "train" or "score".
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class HalfLosses:
    """Mean next-token loss on BOS + span + the same span again.

    The first half is unpredictable (about ln(vocab - 1)); the repeated half is predictable by
    induction, so a large gap between the two is the behavioral sign that induction has formed.
    """

    first_half: float
    repeated_half: float


@dataclass(frozen=True)
class TrainingReport:
    steps: int
    seconds: float
    final_train_loss: float
    before: HalfLosses  # at initialisation
    after: HalfLosses  # after training
    history: list[tuple[int, float]] = field(default_factory=list)  # (step, training loss), sampled


def train(
    model: AttentionOnlyTransformer,
    config: InductionConfig,
    generator: torch.Generator,
    progress: Progress | None = None,
) -> TrainingReport:
    """Train with AdamW on repeated-span sequences; the loss ignores the prediction made at BOS."""
    device = next(model.parameters()).device
    eval_generator = torch.Generator().manual_seed(config.seed + 1)
    model.eval()
    before = half_losses(model, config, eval_generator)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: _warmup_cosine(step, config.steps))
    history: list[tuple[int, float]] = []
    every = max(1, config.steps // 50)
    start = time.perf_counter()
    loss_value = float("nan")
    model.train()
    batches = training_batches(config, generator)
    for step in range(1, config.steps + 1):
        tokens = next(batches).to(device)
        loss = next_token_loss(model(tokens), tokens)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        loss_value = loss.item()
        if step % every == 0 or step == config.steps:
            history.append((step, loss_value))
        if progress is not None:
            progress("train", step, config.steps)
    seconds = time.perf_counter() - start
    model.eval()
    eval_generator = torch.Generator().manual_seed(config.seed + 1)
    after = half_losses(model, config, eval_generator)
    return TrainingReport(
        steps=config.steps,
        seconds=seconds,
        final_train_loss=loss_value,
        before=before,
        after=after,
        history=history,
    )


def training_batches(config: InductionConfig, generator: torch.Generator) -> Iterator[torch.Tensor]:
    """Endless training batches of repeated random spans."""
    while True:
        yield repeated_span_batch(
            config.batch_size, config.seq_len, config.vocab, config.span_min, config.span_max, generator
        )


def next_token_loss(logits: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of predicting token i+1 at position i, over all positions."""
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1))


@torch.no_grad()
def half_losses(
    model: AttentionOnlyTransformer, config: InductionConfig, generator: torch.Generator
) -> HalfLosses:
    """Loss on the first and the repeated half of BOS + span + span (span = (seq_len - 1) // 2).

    Span tokens are distinct, so nothing in the first half predicts anything else in it.
    """
    device = next(model.parameters()).device
    half = (config.seq_len - 1) // 2
    span = min(half, config.vocab - 1)
    first, repeated = [], []
    for _ in range(config.eval_batches):
        spans = torch.stack(
            [
                torch.randperm(config.vocab - 1, generator=generator)[:span] + 1
                for _ in range(config.batch_size)
            ]
        )
        tokens = torch.cat([torch.full((config.batch_size, 1), BOS), spans, spans], dim=1).to(device)
        logits = model(tokens)
        per_token = F.cross_entropy(
            logits[:, :-1].transpose(1, 2), tokens[:, 1:], reduction="none"
        )  # [batch, pos]; column j predicts token j + 1
        # Predictions of first-half tokens 2..span (the first token after BOS is excluded: it is
        # predicted from BOS alone), and of the repeated half's tokens.
        first.append(per_token[:, 1:span].mean().item())
        repeated.append(per_token[:, span + 1 :].mean().item())
    return HalfLosses(first_half=sum(first) / len(first), repeated_half=sum(repeated) / len(repeated))


def _warmup_cosine(step: int, total: int) -> float:
    warmup = max(1, total // 20)
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.1 + 0.9 * 0.5 * (1.0 + torch.cos(torch.tensor(progress * torch.pi)).item())

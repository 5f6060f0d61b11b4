"""`kb experiment ...`: produce evidence runs by measuring a model kb trains itself.

torch is imported only inside the command (the optional `experiments` extra), never when the
CLI starts.
"""

from __future__ import annotations

from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.common import given
from cli.context import fail, info, state
from cli.output import Format, print_json, render_rows

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

app = typer.Typer(
    help="Run an experiment that measures a model kb trains itself and imports the measurements as runs and claims.",
    no_args_is_help=True,
)

CONCEPT = "induction-head"
DEFINITIONS = ["induction-head/olsson2022", "induction-head/elhage2021"]


class Device(StrEnum):
    cpu = "cpu"
    cuda = "cuda"


class TableFormat(StrEnum):
    table = "table"
    json = "json"


@app.command("induction-heads")
def induction_heads(
    ctx: typer.Context,
    layers: Annotated[int | None, typer.Option("--layers", help="Attention layers (default 2).", min=1)] = None,
    heads: Annotated[int | None, typer.Option("--heads", help="Heads per layer (default 8).", min=1)] = None,
    steps: Annotated[
        int | None, typer.Option("--steps", help="Training steps (default: the documented configuration's).", min=1)
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed for weights, data and scoring (default 0).")] = None,
    model_key: Annotated[
        str | None,
        typer.Option("--model-key", help="Key of the trained model: subjects are KEY/L1H3 (default attn-only-2l8h-seed0)."),
    ] = None,
    device: Annotated[Device, typer.Option("--device", help="cpu, or cuda when torch sees a GPU.")] = Device.cpu,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="table or json.")] = TableFormat.table,
) -> None:
    """Train a small transformer, measure induction in every head, import the runs and claims.

    Trains an attention-only transformer on repeated random spans, scores every head with the
    behavioral metrics (prefix matching, copying, previous token) and the mechanistic ones
    (K-composition, OV copying eigenvalues), imports one run per head and metric and two claims
    per head (an induction head under induction-head/olsson2022 and under /elhage2021), and
    prints the metric table with each head's verdicts. Needs the seed data's induction-head
    definitions and the optional extra (pip install 'kb[experiments]').
    """
    from kb.services.agreement import definition_records, missing_definitions

    store = state(ctx).store()
    missing = missing_definitions(store, DEFINITIONS)
    if missing:
        fail(
            f"kb holds no definition {', '.join(missing)}: the experiment's claims are judged against them. "
            "Import the seed data first: `kb import data/interpretability.yaml`"
        )
    try:
        from kb.experiments.induction import InductionConfig, check_device, run_experiment
    except ImportError as exc:
        fail(f"`kb experiment` needs the optional extra: pip install 'kb[experiments]' ({exc})")
    try:
        config = InductionConfig(
            **given(layers=layers, heads=heads, steps=steps, seed=seed, model_key=model_key), device=device.value
        )
        check_device(config)
    except ValueError as exc:
        fail(str(exc))

    info(ctx, f"training {config.key}: {config.layers} layers x {config.heads} heads, {config.steps} steps")
    with _progress(ctx) as progress:
        result = run_experiment(config, progress=progress)

    from kb.agreement import compute_agreement
    from kb.services.importing import import_document

    report = import_document(
        store, result.document, origin=f"kb experiment induction-heads ({config.key})", keep_existing=("method",)
    )
    added = {t: len(keys) for t, keys in report.added.items() if keys}
    changed = {t: len(keys) for t, keys in report.changed.items() if keys}
    info(ctx, f"imported {config.key}: added {_counts(added)}; changed {_counts(changed)}")
    losses = result.training.after
    info(
        ctx,
        f"loss after training: first half {losses.first_half:.3f}, repeated half {losses.repeated_half:.3f} "
        f"(before: {result.training.before.first_half:.3f} / {result.training.before.repeated_half:.3f}); "
        f"{result.timing['total_seconds']:.0f} s",
    )
    agreement = compute_agreement(definition_records(store, DEFINITIONS), result.measurements(), concept=CONCEPT)
    if fmt == TableFormat.json:
        print_json({**result.to_json(), "import": report.to_json(), "agreement": agreement.to_json()})
        return
    verdicts = {row.subject: row.verdicts for row in agreement.subjects}
    rows = [_table_row(row, verdicts.get(f"{config.key}/{row.label}", {})) for row in result.heads]
    render_rows(rows, list(rows[0]), Format.table, title=f"{config.key}: per-head scores (seed {config.seed})")


def _table_row(row: Any, verdicts: dict[str, bool | None]) -> dict[str, Any]:
    def num(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    partner = row.k_composition_partner
    mark = {True: "yes", False: "no", None: "-"}
    return {
        "head": row.label,
        "prefix-matching": num(row.prefix_matching),
        "copying": num(row.copying),
        "previous-token": num(row.previous_token),
        "k-composition": num(row.k_composition) + (f" (L{partner[0]}H{partner[1]})" if partner else ""),
        "ov-eigenvalue": num(row.ov_copying_eigenvalue),
        "olsson2022": mark[verdicts.get("olsson2022")],
        "elhage2021": mark[verdicts.get("elhage2021")],
    }


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {type_}s" for type_, n in counts.items()) or "nothing"


@contextmanager
def _progress(ctx: typer.Context) -> Iterator[Callable[[str, int, int], None] | None]:
    """A `progress(stage, done, total)` callback drawing rich progress bars on stderr (None if --quiet)."""
    if state(ctx).quiet:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    labels = {"train": "training", "score": "scoring heads"}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as bars:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(labels.get(stage, stage), total=total)
            bars.update(tasks[stage], completed=done)

        yield update

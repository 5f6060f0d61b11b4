"""`kb run ...`: evidence runs, a method measured on a subject."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import add_common_commands, given, parse_params, report_change
from cli.context import state

app = typer.Typer(help="Evidence runs: a method measured on a subject (e.g. gpt2-small/L5H5), with a value.")

Method = Annotated[str | None, typer.Option("--method", help="Key of the method measured.")]
Subject = Annotated[str | None, typer.Option("--subject", help="What was measured, e.g. gpt2-small/L5H5.")]
Value = Annotated[float | None, typer.Option("--value", help="The measured value (leave out if none was reported).")]
Dataset = Annotated[str | None, typer.Option("--dataset", help="Data it was measured on.")]
Source = Annotated[str | None, typer.Option("--source", help="Key of the source reporting it.")]
Params = Annotated[list[str] | None, typer.Option("--param", help="KEY=VALUE setting of the run; repeat.")]
Kind = Annotated[
    str | None, typer.Option("--kind", help="Override the method's kind for this run: behavioral or mechanistic.")
]


@app.command("add")
def add(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Run key, e.g. r1.")],
    method: Method = None,
    subject: Subject = None,
    value: Value = None,
    dataset: Dataset = None,
    source: Source = None,
    param: Params = None,
    kind: Kind = None,
) -> None:
    """Add a run: kb run add r1 --method prefix-matching-score --subject gpt2-small/L5H5 --value 0.9."""
    from kb.services.editing import add_record

    data = given(
        key=key, method=method, subject=subject, value=value, dataset=dataset, source=source,
        params=parse_params(param), kind=kind,
    )
    report_change(ctx, "added run", key, add_record(state(ctx).store(), "run", data))


@app.command("edit")
def edit(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Run key.")],
    method: Method = None,
    subject: Subject = None,
    value: Value = None,
    dataset: Dataset = None,
    source: Source = None,
    param: Params = None,
    kind: Kind = None,
) -> None:
    """Change the given fields of a run (--param replaces all params)."""
    from kb.services.editing import edit_record

    changes = given(
        method=method, subject=subject, value=value, dataset=dataset, source=source,
        params=parse_params(param), kind=kind,
    )
    _, report = edit_record(state(ctx).store(), "run", key, changes)
    report_change(ctx, "changed run", key, report)


add_common_commands(app, "run", "Run key, e.g. r1.")

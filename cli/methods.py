"""`kb method ...`: how evidence is measured, and whether that is behavioral or mechanistic."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import add_common_commands, given, report_change
from cli.context import state

app = typer.Typer(help="Methods: how evidence is measured (prefix-matching score is behavioral, K-composition mechanistic).")

Kind = Annotated[
    str | None,
    typer.Option("--kind", help="behavioral or mechanistic (aliases: extensional, intensional)."),
]
Name = Annotated[str | None, typer.Option("--name", help="Human-readable name.")]
Description = Annotated[str | None, typer.Option("--description", help="What it computes.")]


@app.command("add")
def add(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Method key, e.g. prefix-matching-score.")],
    kind: Kind = None,
    name: Name = None,
    description: Description = None,
) -> None:
    """Add a method: kb method add prefix-matching-score --kind behavioral --name "Prefix-matching score"."""
    from kb.services.editing import add_record

    data = given(key=key, kind=kind, name=name if name is not None else key, description=description)
    report_change(ctx, "added method", key, add_record(state(ctx).store(), "method", data))


@app.command("edit")
def edit(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Method key.")],
    kind: Kind = None,
    name: Name = None,
    description: Description = None,
) -> None:
    """Change the given fields of a method."""
    from kb.services.editing import edit_record

    _, report = edit_record(state(ctx).store(), "method", key, given(kind=kind, name=name, description=description))
    report_change(ctx, "changed method", key, report)


add_common_commands(app, "method", "Method key, e.g. prefix-matching-score.")

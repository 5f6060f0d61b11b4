"""`kb summary`: counts of what the knowledge base holds, and its audit findings by severity."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import state
from cli.output import print_json


def summary(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Show counts of concepts, definitions by kind, sources, methods, runs, claims and findings by severity."""
    from kb.services.summary import summarize, summary_lines

    data = summarize(state(ctx).store())
    if as_json:
        print_json(data)
        return
    for line in summary_lines(data):
        typer.echo(line)

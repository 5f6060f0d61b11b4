"""`kb source ...`: the papers, posts and books that definitions, runs and claims cite."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import add_common_commands, given, report_change
from cli.context import state

app = typer.Typer(help="Sources: papers, posts and books (key, title, authors, year, url, arXiv id, DOI).")

Title = Annotated[str | None, typer.Option("--title", help="Title of the work.")]
Year = Annotated[int | None, typer.Option("--year", help="Year of publication.")]
Authors = Annotated[list[str] | None, typer.Option("--author", help="An author, in order; repeat for each.")]
Url = Annotated[str | None, typer.Option("--url", help="Where to read it.")]
Arxiv = Annotated[str | None, typer.Option("--arxiv", help="arXiv id, e.g. 2209.11895.")]
Doi = Annotated[str | None, typer.Option("--doi", help="DOI.")]


@app.command("add")
def add(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Source key, e.g. olsson2022.")],
    title: Title = None,
    year: Year = None,
    author: Authors = None,
    url: Url = None,
    arxiv: Arxiv = None,
    doi: Doi = None,
) -> None:
    """Add a source: kb source add olsson2022 --title "In-context Learning and Induction Heads" --year 2022."""
    from kb.services.editing import add_record

    data = given(key=key, title=title, year=year, authors=author, url=url, arxiv=arxiv, doi=doi)
    report_change(ctx, "added source", key, add_record(state(ctx).store(), "source", data))


@app.command("edit")
def edit(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Source key.")],
    title: Title = None,
    year: Year = None,
    author: Authors = None,
    url: Url = None,
    arxiv: Arxiv = None,
    doi: Doi = None,
) -> None:
    """Change the given fields of a source (--author replaces the author list)."""
    from kb.services.editing import edit_record

    changes = given(title=title, year=year, authors=author, url=url, arxiv=arxiv, doi=doi)
    _, report = edit_record(state(ctx).store(), "source", key, changes)
    report_change(ctx, "changed source", key, report)


add_common_commands(app, "source", "Source key, e.g. olsson2022.")

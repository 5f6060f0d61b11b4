"""`kb report`: write the glossary and audit as a static HTML site (or one self-contained page)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.audit import ConfigOption
from cli.context import info, state


def report(
    ctx: typer.Context,
    out_dir: Annotated[
        Path, typer.Option("-o", "--output-dir", help="Folder to write the site into (created if missing).")
    ],
    single_file: Annotated[
        str | None,
        typer.Option(
            "--single-file",
            metavar="FILE.html",
            help="Instead of the site, write one self-contained page at this path inside -o DIR.",
        ),
    ] = None,
    title: Annotated[str, typer.Option("--title", help="The knowledge base's title on every page.")] = (
        "Knowledge base glossary"
    ),
    stamp: Annotated[
        bool, typer.Option("--stamp", help="Show the generation time (without it, same database, same bytes).")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Render concepts, definitions, claims and audit findings as HTML that works from file://.

    Writes index.html, concepts/KEY.html, papers/SOURCE.html, audit.html, sources.html,
    rules.html, vocabulary.html and assets/ below -o DIR, never outside it, and prints the path
    of the index page. Findings are those of `kb audit --include-suppressed`, with the same
    severities (kb.toml or --config).
    """
    from kb.report.render import ReportOptions, write_report

    result = write_report(
        state(ctx).store(), out_dir, ReportOptions(title=title, stamp=stamp, single_file=single_file, config=config)
    )
    info(ctx, result.summary())
    if result.stale:
        names = ", ".join(str(p.relative_to(result.out_dir)) for p in result.stale)
        info(ctx, f"note: {len(result.stale)} page(s) from an earlier run are not part of this report: {names}")
    typer.echo(str(result.index))

"""`kb paper ...`: read a paper's text and audit how it uses the knowledge base's terms."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.context import info, state
from cli.output import print_json

if TYPE_CHECKING:
    from kb.paper.scan import ScanResult

app = typer.Typer(help="Papers: find each use of a known term in a paper and the sense it is used in.")


class ScanFormat(StrEnum):
    table = "table"
    json = "json"
    yaml = "yaml"


class InputFormat(StrEnum):
    markdown = "markdown"
    text = "text"
    latex = "latex"
    pdf = "pdf"


@app.command("scan")
def scan(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The paper: Markdown, plain text, LaTeX source or PDF.")],
    source: Annotated[str, typer.Option("--source", "-s", help="Source key of the paper, e.g. olsson2022.")],
    fmt: Annotated[ScanFormat, typer.Option("--format", "-f", help="table, json or yaml.")] = ScanFormat.table,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write draft claims here (YAML; JSON if the name ends in .json)."),
    ] = None,
    input_format: Annotated[
        InputFormat | None,
        typer.Option("--input-format", help="Read FILE as this format instead of guessing from its extension."),
    ] = None,
    vocabulary: Annotated[
        Path | None,
        typer.Option("--vocabulary", help="Cue file to use instead of the KB's data/vocabulary.yaml."),
    ] = None,
) -> None:
    """Find every use of a known concept in FILE, say in which sense each use reads (behavioral,
    mechanistic or unclear, with the cue words that decided), warn when the paper uses a term in
    both senses, and with -o draft a claims file for the reviewer to complete with evidence.

    kb paper scan paper.pdf --source olsson2022 -o claims.yaml
    """
    from kb.services.papers import scan_paper

    scan_result = scan_paper(
        state(ctx).store(),
        file,
        source,
        vocabulary_path=vocabulary,
        text_format=input_format.value if input_format else None,
    )
    result = scan_result.result
    if scan_result.concept_count == 0:
        info(ctx, "note: the knowledge base has no concepts yet, so no term can be found (kb import data/)")
    if fmt is ScanFormat.json:
        print_json(result.to_json())
    elif fmt is ScanFormat.yaml:
        import yaml

        typer.echo(yaml.safe_dump(result.to_json(), sort_keys=False, allow_unicode=True, width=100), nl=False)
    else:
        _render_table(result)
    if output is not None:
        _write_draft(ctx, scan_result.draft(), output)


def _render_table(result: ScanResult) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=False)
    table = Table(title=f"{len(result.mentions)} use(s) of known terms", header_style="bold")
    for column in ("where", "concept", "sense", "cues", "sentence"):
        table.add_column(column, overflow="fold")
    for mention in result.mentions:
        where = f"p{mention.page}:{mention.line}" if mention.page is not None else str(mention.line)
        table.add_row(where, mention.concept, mention.sense.value, ", ".join(mention.cues), mention.sentence)
    console.print(table)
    summary: dict[str, Any] = result.summary()
    for concept, counts in summary["concepts"].items():
        typer.echo(
            f"{concept}: {counts['behavioral']} behavioral, {counts['mechanistic']} mechanistic, "
            f"{counts['unclear']} unclear"
        )
    for warning in summary["conflations"]:
        typer.echo(f"conflation: {warning}")


def _write_draft(ctx: typer.Context, document: Any, output: Path) -> None:
    from kb.services.exporting import document_data, dump

    text = dump(document_data(document), "json" if output.suffix.lower() == ".json" else "yaml")
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(output)
    info(ctx, f"wrote {len(document.claims)} draft claim(s) to {output}; add evidence, then kb import {output}")

"""`kb import`, `kb export` and `kb schema`: moving the whole knowledge base as reviewable files."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.context import fail, info, state
from cli.output import print_json


class DocFormat(StrEnum):
    yaml = "yaml"
    json = "json"
    jsonl = "jsonl"


def import_(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Interchange files: YAML/JSON documents, JSONL or CSV streams of runs, claims and "
            "evidence links, BibTeX sources (.bib). A folder means the files of these kinds in it."
        ),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check everything and report, write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")] = False,
) -> None:
    """Import files in one transaction: upsert by key; any error anywhere means nothing is written.

    JSONL and CSV files are streamed in batches: a line is a run, a claim or an evidence link by
    its "type" field, else by the file's name (*runs.jsonl, *claims.jsonl, *evidence.jsonl;
    *runs.csv, *evidence.csv). CSV params.NAME columns become params.
    """
    from cli.progress import stream_progress
    from kb.services.importing import import_files

    paths = expand_paths(files)
    with stream_progress(enabled=not state(ctx).quiet) as on_progress:
        report = import_files(state(ctx).store(), paths, dry_run=dry_run, on_progress=on_progress)
    if as_json:
        print_json(report.to_json())
        return
    verb = "would import" if dry_run else "imported"
    counts = report.counts()
    parts = []
    for type_, c in counts.items():
        if any(c.values()):
            label = "evidence links" if type_ == "evidence" else f"{type_}s"
            parts.append(f"{label}: {c['added']:,} added, {c['changed']:,} changed, {c['unchanged']:,} unchanged")
    info(ctx, f"{verb} {len(paths)} file(s)" + (": " + "; ".join(parts) if parts else ": nothing in them"))
    if dry_run:
        for type_ in counts:
            for key in sorted(report.added.get(type_, [])):
                typer.echo(f"+ {type_} {key}")
            for key in sorted(report.changed.get(type_, [])):
                typer.echo(f"~ {type_} {key}")


IMPORT_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl", ".csv", ".bib")


def expand_paths(files: list[Path]) -> list[Path]:
    paths: list[Path] = []
    for path in files:
        if path.is_dir():
            paths.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in IMPORT_SUFFIXES))
        else:
            paths.append(path)
    return paths


def export(
    ctx: typer.Context,
    fmt: Annotated[
        DocFormat,
        typer.Option(
            "--format", "-f",
            help="yaml or json: one document; jsonl: a folder (-o) of kb.yaml, runs.jsonl and claims.jsonl, "
            "streamed, for knowledge bases of millions of runs.",
        ),
    ] = DocFormat.yaml,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (a folder for jsonl) instead of stdout.")
    ] = None,
) -> None:
    """Export the whole knowledge base as interchange files (deterministic: sorted by key)."""
    from kb.store.migrate import require_current

    store = state(ctx).store()
    require_current(store)
    if fmt == DocFormat.jsonl:
        from kb.bulk.export import export_folder

        if output is None:
            fail("--format jsonl writes a folder: give it with -o FOLDER")
        with store.session() as session:
            sizes = export_folder(session, output)
        info(ctx, f"wrote {output}/: " + ", ".join(f"{name} ({size:,} characters)" for name, size in sizes.items()))
        return
    from kb.services.exporting import export_text

    with store.session() as session:
        text = export_text(session, fmt.value)
    if output is None:
        typer.echo(text, nl=False)
        return
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(output)
    info(ctx, f"wrote {output} ({len(text.encode()):,} bytes)")


def schema_cmd() -> None:
    """Print the JSON Schema of the interchange format (also committed as schema/kb.schema.json)."""
    from schema import json_schema

    print_json(json_schema())

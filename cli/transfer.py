"""`kb import`, `kb export` and `kb schema`: moving the whole knowledge base as reviewable files."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.context import info, state
from cli.output import print_json


class DocFormat(StrEnum):
    yaml = "yaml"
    json = "json"


def import_(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="YAML or JSON interchange files (a folder means its *.yaml/*.json).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check everything and report, write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")] = False,
) -> None:
    """Import files in one transaction: upsert by key; any error anywhere means nothing is written."""
    from kb.services.importing import import_files

    paths = expand_paths(files)
    report = import_files(state(ctx).store(), paths, dry_run=dry_run)
    if as_json:
        print_json(report.to_json())
        return
    verb = "would import" if dry_run else "imported"
    counts = report.counts()
    parts = []
    for type_, c in counts.items():
        if any(c.values()):
            parts.append(f"{type_}s: {c['added']} added, {c['changed']} changed, {c['unchanged']} unchanged")
    info(ctx, f"{verb} {len(paths)} file(s)" + (": " + "; ".join(parts) if parts else ": nothing in them"))
    if dry_run:
        for type_ in counts:
            for key in sorted(report.added[type_]):
                typer.echo(f"+ {type_} {key}")
            for key in sorted(report.changed[type_]):
                typer.echo(f"~ {type_} {key}")


def expand_paths(files: list[Path]) -> list[Path]:
    paths: list[Path] = []
    for path in files:
        if path.is_dir():
            paths.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml", ".json")))
        else:
            paths.append(path)
    return paths


def export(
    ctx: typer.Context,
    fmt: Annotated[DocFormat, typer.Option("--format", "-f", help="yaml or json.")] = DocFormat.yaml,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Export the whole knowledge base as one interchange document (deterministic: sorted by key)."""
    from kb.services.exporting import export_text
    from kb.store.migrate import require_current

    store = state(ctx).store()
    require_current(store)
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

"""`kb graph ...`: the concept graph (relations and definition dependencies) and what rests on what."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.context import info, state
from cli.output import Format, print_json, render_rows

app = typer.Typer(
    help="The concept graph: relations (broader, part_of, related), definitions' dependencies, and "
    "what rests on what."
)


class ExportChoice(StrEnum):
    """The formats of `kb.graph.export.ExportFormat` (kept here so `kb --help` loads no networkx)."""

    graphml = "graphml"
    gexf = "gexf"
    json = "json"
    dot = "dot"
    mermaid = "mermaid"


class WhichGraph(StrEnum):
    concepts = "concepts"
    evidence = "evidence"


class TableOrJson(StrEnum):
    table = "table"
    json = "json"


Key = Annotated[str, typer.Argument(help="Concept key, e.g. induction-head.")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, json or csv.")]


@app.command("neighbors")
def neighbors(
    ctx: typer.Context,
    key: Key,
    depth: Annotated[int, typer.Option("--depth", "-d", min=1, help="How many edges away (default 1).")] = 1,
    fmt: FormatOpt = Format.table,
) -> None:
    """Concepts within --depth edges of KEY, of any type and either direction, nearest first, with
    the edges that reach them."""
    from kb.graph.queries import neighbors_of

    rows = neighbors_of(state(ctx).store(), key, depth)
    render_rows(rows, ["key", "name", "kinds", "distance", "via"], fmt)


@app.command("path")
def path(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="Concept key to start from.")],
    b: Annotated[str, typer.Argument(help="Concept key to reach.")],
    fmt: FormatOpt = Format.table,
) -> None:
    """The shortest chain of edges between two concepts (either direction; each edge shown as it
    points). Exit code 1 when they are not connected."""
    from kb.graph.queries import path_of

    rows = path_of(state(ctx).store(), a, b)
    if rows is None:
        info(ctx, f"no path between {a} and {b}")
        raise typer.Exit(code=1)
    render_rows(rows, ["step", "from", "to", "edges"], fmt)


@app.command("dependents")
def dependents(ctx: typer.Context, key: Key, fmt: FormatOpt = Format.table) -> None:
    """What rests on KEY: definitions depending on it (directly or through other concepts), the
    concepts they define, the claims stating them, and claims citing those claims."""
    from kb.graph.queries import dependents_of

    rows = dependents_of(state(ctx).store(), key)
    render_rows(rows, ["type", "key", "depth", "rests_on"], fmt)


@app.command("export")
def export(
    ctx: typer.Context,
    fmt: Annotated[ExportChoice, typer.Option("--format", "-f", help="graphml, gexf, json (node-link), dot or mermaid.")] = ExportChoice.graphml,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.")] = None,
    which: Annotated[WhichGraph, typer.Option("--graph", help="concepts (default) or evidence (claims -> runs, cited claims).")] = WhichGraph.concepts,
) -> None:
    """Export the concept graph (or the evidence graph) for Gephi, yEd, Graphviz, Mermaid or networkx."""
    from kb.graph.export import export_of

    text = export_of(state(ctx).store(), fmt.value, which.value)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    info(ctx, f"wrote the {which.value} graph as {fmt.value} to {output}")


@app.command("stats")
def stats(
    ctx: typer.Context,
    top: Annotated[int, typer.Option("--top", min=1, help="How many most depended-upon concepts to list.")] = 10,
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f", help="table or json.")] = TableOrJson.table,
) -> None:
    """Counts of concepts and edges, the most depended-upon concepts, orphan concepts (no edge
    at all) and connected components of two or more concepts."""
    from kb.graph.queries import stats_of

    data = stats_of(state(ctx).store(), top)
    if fmt == TableOrJson.json:
        print_json(data)
        return
    edges = ", ".join(f"{n} {t}" for t, n in data["edges"].items())
    typer.echo(f"{data['concepts']} concepts; edges: {edges}")
    sections = (
        ("Most depended-upon", data["most_depended_upon"], ["key", "name", "definitions", "concepts"]),
        ("Orphans (no edges)", [{"key": k} for k in data["orphans"]], ["key"]),
        ("Components", data["components"], ["size", "concepts"]),
    )
    for heading, rows, columns in sections:
        typer.echo(f"\n{heading}: {len(rows)}")
        if rows:
            render_rows(rows, columns, Format.table)

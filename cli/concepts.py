"""`kb concept ...`: the terms the knowledge base defines."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.common import add_common_commands, given, report_change
from cli.context import fail, state

app = typer.Typer(help="Concepts: the terms kb defines (induction head, inner misalignment, fire, whale, ...).")

Name = Annotated[str | None, typer.Option("--name", help="Display name, e.g. 'Induction head'.")]
Aliases = Annotated[list[str] | None, typer.Option("--alias", help="Another name; repeat for each.")]
Domain = Annotated[str | None, typer.Option("--domain", help="Field, e.g. interpretability.")]
Summary = Annotated[str | None, typer.Option("--summary", help="One-paragraph summary.")]
Relations = Annotated[
    list[str] | None,
    typer.Option("--relation", help="TYPE:TARGET with TYPE broader, narrower, related or part_of; repeat."),
]


def parse_relations(values: list[str] | None) -> list[dict[str, Any]] | None:
    if values is None:
        return None
    relations = []
    for item in values:
        type_, sep, target = item.partition(":")
        if not sep:
            fail(f"--relation {item!r}: expected TYPE:TARGET, e.g. --relation related:in-context-learning")
        relations.append({"type": type_.strip(), "target": target.strip()})
    return relations


@app.command("add")
def add(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Concept key, a kebab-case slug: induction-head.")],
    name: Name = None,
    alias: Aliases = None,
    domain: Domain = None,
    summary: Summary = None,
    relation: Relations = None,
) -> None:
    """Add a concept: kb concept add induction-head --name "Induction head" --alias "induction heads"."""
    from kb.services.editing import add_record

    data = given(
        key=key, name=name if name is not None else key.replace("-", " ").capitalize(), aliases=alias,
        domain=domain, summary=summary, relations=parse_relations(relation),
    )
    report_change(ctx, "added concept", key, add_record(state(ctx).store(), "concept", data))


@app.command("edit")
def edit(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Concept key.")],
    name: Name = None,
    alias: Aliases = None,
    domain: Domain = None,
    summary: Summary = None,
    relation: Relations = None,
) -> None:
    """Change the given fields of a concept (--alias and --relation replace their lists)."""
    from kb.services.editing import edit_record

    changes = given(name=name, aliases=alias, domain=domain, summary=summary, relations=parse_relations(relation))
    _, report = edit_record(state(ctx).store(), "concept", key, changes)
    report_change(ctx, "changed concept", key, report)


add_common_commands(app, "concept", "Concept key, e.g. induction-head.")

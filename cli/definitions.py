"""`kb definition ...`: behavioral and mechanistic definitions of a concept."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.common import add_common_commands, given, report_change
from cli.context import fail, state

app = typer.Typer(help="Definitions: a concept's behavioral and mechanistic definitions, referenced as CONCEPT/KEY.")

Kind = Annotated[
    str | None, typer.Option("--kind", help="behavioral or mechanistic (aliases: extensional, intensional).")
]
Text = Annotated[str | None, typer.Option("--text", help="The definition, in words.")]
Source = Annotated[str | None, typer.Option("--source", help="Key of the source that gives it.")]
Status = Annotated[str | None, typer.Option("--status", help="active, contested or refuted.")]
DependsOn = Annotated[list[str] | None, typer.Option("--depends-on", help="A concept it rests on; repeat.")]
Criteria = Annotated[
    list[str] | None,
    typer.Option("--criterion", help="'METHOD OP THRESHOLD', e.g. 'prefix-matching-score >= 0.5'; repeat."),
]
Cues = Annotated[list[str] | None, typer.Option("--cue", help="A phrase that marks this sense in text; repeat.")]


def parse_criteria(values: list[str] | None) -> list[dict[str, Any]] | None:
    if values is None:
        return None
    from schema import Criterion

    parsed = []
    for item in values:
        try:
            parsed.append(Criterion.parse(item).model_dump(mode="json"))
        except ValueError as exc:
            fail(f"--criterion: {exc}")
    return parsed


def _fields(kind, text, source, status, depends_on, criterion, cue) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return given(
        kind=kind, text=text, source=source, status=status, depends_on=depends_on,
        criteria=parse_criteria(criterion), cues=cue,
    )


@app.command("add")
def add(
    ctx: typer.Context,
    concept: Annotated[str, typer.Argument(help="Key of the concept it defines.")],
    key: Annotated[str, typer.Option("--key", help="Definition key, unique within the concept (e.g. olsson2022).")],
    kind: Kind = None,
    text: Text = None,
    source: Source = None,
    status: Status = None,
    depends_on: DependsOn = None,
    criterion: Criteria = None,
    cue: Cues = None,
) -> None:
    """Add a definition: kb definition add induction-head --key olsson2022 --kind behavioral --text "..."."""
    from kb.services.editing import add_record

    data = {"key": key, **_fields(kind, text, source, status, depends_on, criterion, cue)}
    report = add_record(state(ctx).store(), "definition", data, concept=concept)
    report_change(ctx, "added definition", f"{concept}/{key}", report)


@app.command("edit")
def edit(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="CONCEPT/KEY, e.g. induction-head/olsson2022.")],
    kind: Kind = None,
    text: Text = None,
    source: Source = None,
    status: Status = None,
    depends_on: DependsOn = None,
    criterion: Criteria = None,
    cue: Cues = None,
) -> None:
    """Change the given fields of a definition (list options replace their lists)."""
    from kb.services.editing import edit_record

    _, report = edit_record(
        state(ctx).store(), "definition", ref, _fields(kind, text, source, status, depends_on, criterion, cue)
    )
    report_change(ctx, "changed definition", ref, report)


add_common_commands(app, "definition", "CONCEPT/KEY, e.g. induction-head/olsson2022.")

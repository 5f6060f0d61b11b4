"""Commands every record type shares (list, show, remove) and helpers for add/edit options."""


import json
from typing import Annotated, Any

import typer

from cli.context import fail, info, state
from cli.output import Format, render_record, render_rows

CascadeOption = Annotated[
    bool, typer.Option("--cascade", help="Also remove what depends on the record, and say what went.")
]


def report_change(ctx: typer.Context, verb: str, what: str, report: Any) -> None:
    counts = report.counts()
    touched = sum(c["added"] + c["changed"] for c in counts.values())
    info(ctx, f"{verb} {what}" if touched else f"{what} unchanged")


def parse_params(values: list[str] | None) -> dict[str, Any] | None:
    """`--param n=10 --param name=x`: values parse as JSON where they can (10 -> int), else text."""
    if values is None:
        return None
    params: dict[str, Any] = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            fail(f"--param {item!r}: expected KEY=VALUE, e.g. --param n=10")
        try:
            params[key] = json.loads(raw)
        except ValueError:
            params[key] = raw
    return params


def given(**fields: Any) -> dict[str, Any]:
    """The options the user actually gave (None means 'not given' for edit)."""
    return {k: v for k, v in fields.items() if v is not None}


def add_common_commands(app: typer.Typer, type_: str, key_help: str) -> None:
    """Register `list`, `show` and `remove` for a record type."""

    @app.command("list")
    def list_(
        ctx: typer.Context,
        fmt: Annotated[Format, typer.Option("--format", "-f", help="table, json or csv.")] = Format.table,
    ) -> None:
        from kb.services.browse import LIST_COLUMNS, list_rows

        rows = list_rows(state(ctx).store(), type_)
        render_rows(rows, LIST_COLUMNS[type_], fmt)

    list_.__doc__ = f"List every {type_}, sorted by key."

    @app.command("show")
    def show(
        ctx: typer.Context,
        key: Annotated[str, typer.Argument(help=key_help)],
        fmt: Annotated[Format, typer.Option("--format", "-f", help="table, json or csv.")] = Format.table,
    ) -> None:
        from kb.services.editing import show_record

        record = show_record(state(ctx).store(), type_, key)
        render_record(record.model_dump(mode="json"), fmt)

    show.__doc__ = f"Show one {type_} with all its fields."

    @app.command("remove")
    def remove(
        ctx: typer.Context,
        key: Annotated[str, typer.Argument(help=key_help)],
        cascade: CascadeOption = False,
    ) -> None:
        from kb.services.removal import remove_record

        plan = remove_record(state(ctx).store(), type_, key, cascade=cascade)
        for line in plan.describe():
            info(ctx, f"  {line}")
        info(ctx, f"removed {type_} {key}")

    remove.__doc__ = (
        f"Remove a {type_}. Refused when other records reference it, unless --cascade, "
        "which lists what goes with it."
    )

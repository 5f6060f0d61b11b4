"""`kb init` and `kb db ...`: create, upgrade and inspect the database schema."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import info, state
from cli.output import Format, print_json, render_rows

app = typer.Typer(help="The database: schema version, upgrades and consistency checks.")


def init(ctx: typer.Context) -> None:
    """Create the database (or upgrade an older one) at --db / KB_DATABASE_URL (default: ./kb.sqlite3)."""
    from kb.store.migrate import schema_state, upgrade

    store = state(ctx).store()
    before = schema_state(store)
    after = upgrade(store)
    if before.current is None:
        info(ctx, f"created kb database {store.display_url} (schema {after.current})")
    elif before.current != after.current:
        info(ctx, f"upgraded {store.display_url} from schema {before.current} to {after.current}")
    else:
        info(ctx, f"{store.display_url} is already at schema {after.current}")


@app.command("upgrade")
def upgrade_cmd(ctx: typer.Context) -> None:
    """Upgrade the database schema to this kb's version."""
    init(ctx)


@app.command("current")
def current(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Show the database's schema revision and this kb's."""
    from kb.store.migrate import schema_state

    store = state(ctx).store()
    s = schema_state(store)
    data = {"database": store.display_url, "current": s.current, "head": s.head, "up_to_date": s.is_current}
    if as_json:
        print_json(data)
        return
    status = "up to date" if s.is_current else ("empty: run `kb init`" if s.current is None else "run `kb db upgrade`")
    typer.echo(f"{store.display_url}: schema {s.current or '(none)'}; this kb: {s.head} ({status})")


@app.command("check")
def check(
    ctx: typer.Context,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table, json or csv.")] = Format.table,
) -> None:
    """Check the stored data as a whole (e.g. no cycle of broader or part_of relations).

    Exit code 0 when clean, 1 when there are problems (listed on stdout).
    """
    from kb.services.checks import run_checks

    problems = run_checks(state(ctx).store())
    if problems or fmt != Format.table:
        render_rows([p.to_json() for p in problems], ["check", "record", "message"], fmt)
    if problems:
        info(ctx, f"{len(problems)} problem(s) found")
        raise typer.Exit(code=1)
    info(ctx, "no problems found")

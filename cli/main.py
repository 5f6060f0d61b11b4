"""The `kb` command: a thin face over the `kb` library.

Each command parses its options, calls one library function and renders the result. Heavy
modules (SQLAlchemy, Jinja, networkx) are imported inside the commands, so `kb --help` and
`kb --version` start fast.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cli import (
    audit,
    claims,
    concepts,
    database,
    definitions,
    graph,
    methods,
    paper,
    report,
    runs,
    sources,
    summary,
    transfer,
)
from cli.context import KbGroup, state

app = typer.Typer(
    cls=KbGroup,
    name="kb",
    help="kb: a knowledge base of behavioral and mechanistic definitions, their evidence, and audits of papers' claims.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from kb import __version__

        typer.echo(f"kb {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL or SQLite path (default: KB_DATABASE_URL, else ./kb.sqlite3)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only results, no progress or notes.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print kb's version and exit.")
    ] = False,
) -> None:
    """kb: a knowledge base of behavioral and mechanistic definitions, their evidence, and audits of papers' claims."""
    s = state(ctx)
    s.db, s.quiet = db, quiet
    ctx.call_on_close(s.close)


app.command("init")(database.init)
app.command("import")(transfer.import_)
app.command("export")(transfer.export)
app.command("schema")(transfer.schema_cmd)
app.command("report")(report.report)
app.command("summary")(summary.summary)
app.add_typer(database.app, name="db")
app.add_typer(sources.app, name="source")
app.add_typer(methods.app, name="method")
app.add_typer(concepts.app, name="concept")
app.add_typer(definitions.app, name="definition")
app.add_typer(runs.app, name="run")
app.add_typer(claims.app, name="claim")
app.add_typer(paper.app, name="paper")
app.command("audit")(audit.audit)
app.add_typer(audit.rules_app, name="rules")
app.add_typer(graph.app, name="graph")


def run() -> None:
    """Console-script entry point.

    `kb --version` alone is answered before Typer builds the parser of every command (a third of
    the start-up time); with any other argument, `--version` goes through the option as usual.
    """
    if sys.argv[1:] == ["--version"]:
        from kb import __version__

        typer.echo(f"kb {__version__}")
        return
    app()


if __name__ == "__main__":
    run()

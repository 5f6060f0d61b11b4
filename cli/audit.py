"""`kb audit` and `kb rules`: check claims against their evidence, and document the checks.

Exit codes of `kb audit`: 0 when no reported finding is at or above `--fail-on`, 1 when one is,
2 on usage errors (unknown rule, paper or concept; a bad kb.toml or baseline file).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.context import info, state
from cli.output import Format, render_rows, stdout_console

if TYPE_CHECKING:
    from rich.console import Console

    from kb.audit.findings import AuditResult

EXIT_FINDINGS = 1


class AuditFormat(StrEnum):
    """The audit's output formats: each renders the same AuditResult."""

    table = "table"
    json = "json"
    sarif = "sarif"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="Configuration file (default: kb.toml in the working directory, if any).",
                 dir_okay=False),
]


def audit(
    ctx: typer.Context,
    paper: Annotated[str | None, typer.Option("--paper", help="Audit only the claims of this source key.")] = None,
    concept: Annotated[str | None, typer.Option("--concept", help="Audit only the claims about this concept key.")] = None,
    rule: Annotated[list[str] | None, typer.Option("--rule", help="Report only this rule code; repeat.")] = None,
    fmt: Annotated[AuditFormat, typer.Option("--format", "-f", help="table, json or sarif.")] = AuditFormat.table,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at or above this severity (or never).")
    ] = FailOn.error,
    include_suppressed: Annotated[
        bool, typer.Option("--include-suppressed", help="Also report suppressed findings, marked as such.")
    ] = False,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="Report only findings not recorded in this baseline file.",
                                  dir_okay=False)
    ] = None,
    write_baseline: Annotated[
        Path | None, typer.Option("--write-baseline", help="Record today's findings in this baseline file.",
                                  dir_okay=False)
    ] = None,
    config: ConfigOption = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the report to this file.")] = None,
) -> None:
    """Audit claims: where a claim's stated sense (behavioral or mechanistic) and its evidence part ways."""
    from kb.audit import AuditOptions, run_audit
    from kb.audit.baseline import read_baseline
    from kb.audit.baseline import write_baseline as save_baseline
    from kb.audit.config import load_config
    from kb.store.migrate import require_current

    options = AuditOptions(
        paper=paper,
        concept=concept,
        rules=tuple(rule or ()),
        severities=load_config(config).severities,
        include_suppressed=include_suppressed,
        baseline=read_baseline(baseline) if baseline is not None else None,
    )
    store = state(ctx).store()
    require_current(store)
    with store.session() as session:
        result = run_audit(session, options)
    if write_baseline is not None:
        count = save_baseline(write_baseline, result.baseline_findings())
        info(ctx, f"wrote baseline {write_baseline} ({count} finding(s))")
    _emit(ctx, result, fmt, output)
    if result.fails(fail_on.value):
        raise typer.Exit(EXIT_FINDINGS)


def _emit(ctx: typer.Context, result: AuditResult, fmt: AuditFormat, output: Path | None) -> None:
    if fmt == AuditFormat.table:
        if output is None:
            _print_table(stdout_console(), result)
            return
        from rich.console import Console

        with output.open("w", encoding="utf-8") as handle:
            _print_table(Console(file=handle, width=200, no_color=True, soft_wrap=False), result)
        info(ctx, f"wrote {output}")
        return
    if fmt == AuditFormat.json:
        data = result.to_json()
    else:
        from kb.audit.sarif import to_sarif

        data = to_sarif(result)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(output)
    info(ctx, f"wrote {output}")


_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _print_table(console: Console, result: AuditResult) -> None:
    """One table per paper; a section per claim, named once with where it was imported from."""
    from itertools import groupby

    from rich.markup import escape
    from rich.table import Table

    for paper, findings in groupby(result.findings, key=lambda f: f.paper):
        table = Table(title=f"paper {escape(paper)}", title_justify="left", header_style="bold")
        table.add_column("claim", max_width=48, overflow="fold")
        table.add_column("code", no_wrap=True)
        table.add_column("severity", no_wrap=True)
        table.add_column("message", ratio=1, overflow="fold")
        for claim, in_claim in groupby(findings, key=lambda f: f.claim):
            for i, f in enumerate(in_claim):
                label = ""
                if i == 0:
                    where = f"{f.origin_file}:{f.origin_line}" if f.origin_line else (f.origin_file or "")
                    label = escape(claim) + (f"\n[dim]{escape(where)}[/]" if where else "")
                severity = f"[{_STYLES[f.severity.value]}]{f.severity.value}[/]"
                message = escape(f.message)
                if f.suppressed:
                    severity += "\n[dim]suppressed[/]"
                    message += f"\n[dim]suppressed: {escape(f.suppress_reason or '')}[/]"
                table.add_row(label, f.code, severity, message)
            table.add_section()
        console.print(table)
    s = result.summary()
    counts = ", ".join(_plural(n, sev) for sev, n in s["by_severity"].items() if n) or "no findings"
    extra = [f"{s['suppressed']} suppressed"] if s["suppressed"] else []
    extra += [f"{s['baselined']} in the baseline"] if s["baselined"] else []
    audited = _plural(s["claims"], "claim")
    console.print(f"{counts} in {audited} audited" + (f" ({', '.join(extra)})" if extra else ""))


rules_app = typer.Typer(help="The audit's rules: `kb rules` lists them, `kb rules show CODE` documents one.")


@rules_app.callback(invoke_without_command=True)
def rules(
    ctx: typer.Context,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table, json or csv.")] = Format.table,
    config: ConfigOption = None,
) -> None:
    """List the audit rules: code, severity (as configured in kb.toml) and summary."""
    if ctx.invoked_subcommand is not None:
        return
    from kb.audit.config import load_config
    from kb.audit.registry import default_registry

    severities = load_config(config).severities
    rows = [
        {
            "code": r.code,
            "name": r.name,
            "severity": severities.get(r.code, r.default_severity).value,
            "default_severity": r.default_severity.value,
            "summary": r.summary(),
        }
        for r in default_registry()
    ]
    render_rows(rows, ["code", "severity", "summary"], fmt)


@rules_app.command("show")
def show(code: Annotated[str, typer.Argument(help="Rule code, e.g. KB101.")]) -> None:
    """Print a rule's documentation: what it flags, why it matters, and examples."""
    from kb.audit.registry import default_registry

    rule = default_registry().get(code)
    typer.echo(f"{rule.code} ({rule.name}, default severity {rule.default_severity.value})\n")
    typer.echo(rule.documentation())

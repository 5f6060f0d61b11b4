"""One output bundle for every command: table (rich, default), json, csv. Every renderer reads
the same list of plain rows, so the formats never disagree."""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = typer.Option("table", "--format", "-f", help="Output format: table, json or csv.")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


# A spreadsheet opening a CSV file runs a cell starting with one of these as a formula
# (`=HYPERLINK(...)`, `@SUM(...)`); a leading quote makes it text (OWASP's advice).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> str:
    """A CSV cell: as `_cell`, but text that a spreadsheet would run as a formula gets a leading
    `'`. Numbers stay numbers (-0.5 is written -0.5)."""
    text = _cell(value)
    if text.startswith(_FORMULA_STARTS) and not isinstance(value, (int, float)):
        return "'" + text
    return text


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))


def render_rows(rows: list[dict[str, Any]], columns: list[str], fmt: Format, title: str | None = None) -> None:
    """Print rows; `columns` chooses and orders the table and CSV columns (JSON gets every key)."""
    if fmt == Format.json:
        print_json(rows)
        return
    if fmt == Format.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row.get(c)) for c in columns])
        typer.echo(buffer.getvalue(), nl=False)
        return
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    stdout_console().print(table)


def stdout_console() -> Console:
    """A rich console on stdout; a pipe or a test gets a wide one rather than one folded to 80 columns."""
    from rich.console import Console

    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 200)


def render_record(record: dict[str, Any], fmt: Format) -> None:
    """One record: JSON as is, a two-column table of fields, or CSV field,value lines."""
    if fmt == Format.json:
        print_json(record)
        return
    rows = [{"field": k, "value": v} for k, v in record.items() if v not in (None, [], {})]
    render_rows(rows, ["field", "value"], fmt)

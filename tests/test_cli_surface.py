"""The CLI's surface: help for every command, version, light start-up, errors without secrets."""

from __future__ import annotations

import subprocess
import sys

import typer.main
from typer.testing import CliRunner

from cli.main import app


def _commands(command, path=()):  # type: ignore[no-untyped-def]
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


def test_every_command_has_help_text() -> None:
    missing = [" ".join(path) for path, command in _commands(typer.main.get_command(app))
               if not (command.help or "").strip()]
    assert missing == []


def test_every_option_has_help_text() -> None:
    missing = []
    for path, command in _commands(typer.main.get_command(app)):
        for param in command.params:
            if param.param_type_name == "option" and not (getattr(param, "help", None) or "").strip():
                missing.append(f"{' '.join(path)} {param.opts[0]}")
    assert missing == []


def test_version_prints_the_package_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("kb ")


def test_help_and_version_do_not_import_heavy_libraries() -> None:
    code = ("import sys; from cli.main import app; from typer.testing import CliRunner; "
            "CliRunner().invoke(app, ['--help']); CliRunner().invoke(app, ['--version']); "
            "print(sorted(m for m in ('sqlalchemy', 'networkx', 'jinja2', 'alembic', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_database_passwords_are_never_printed() -> None:
    url = "postgresql+psycopg://kb:hunter2secret@127.0.0.1:1/nowhere"
    result = CliRunner().invoke(app, ["--db", url, "concept", "list"])
    assert result.exit_code == 2
    assert "hunter2secret" not in result.stdout + result.stderr
    assert "kb:***@127.0.0.1" in result.stderr


def test_unknown_command_is_a_usage_error() -> None:
    assert CliRunner().invoke(app, ["frobnicate"]).exit_code == 2

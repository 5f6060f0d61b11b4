"""Global CLI state (database URL, quiet) and the bridge from kb's errors to exit codes.

Imports here stay light: `kb --help` and `kb --version` must not load SQLAlchemy.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from kb.errors import KbError

if TYPE_CHECKING:
    from kb.store.database import Store

EXIT_USAGE = 2


class KbFailure(KbError):
    """A usage problem found by the CLI itself (a malformed option value)."""


def report_error(message: str) -> None:
    """Print an error for people: on stderr, passwords in URLs masked."""
    from kb.store.database import mask_secrets

    typer.echo(f"Error: {mask_secrets(message)}", err=True)


class KbGroup(TyperGroup):
    """Root group: every KbError raised by any command becomes a clean message and exit 2."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except KbError as exc:
            report_error(str(exc))
            raise typer.Exit(code=EXIT_USAGE) from None
        except Exception as exc:
            translated = _translate(exc, ctx)
            if translated is None:
                raise
            report_error(translated)
            raise typer.Exit(code=EXIT_USAGE) from None


def _translate(exc: Exception, ctx: typer.Context) -> str | None:
    """Database errors that mean 'cannot reach or open the database' as a message, else None."""
    if "sqlalchemy" not in sys.modules:
        return None
    from kb.store.database import describe_database_error, mask_secrets

    message = describe_database_error(exc)
    return None if message is None else f"{mask_secrets(state(ctx).url)}: {message}"


@dataclass
class State:
    db: str | None = None
    quiet: bool = False
    _store: Store | None = None

    @property
    def url(self) -> str:
        from kb.store.database import resolve_url

        return resolve_url(self.db)

    def store(self) -> Store:
        if self._store is None:
            from kb.store.database import Store

            self._store = Store(self.url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()
            self._store = None


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def info(ctx: typer.Context, message: str) -> None:
    """A progress or result note for people: stderr, silenced by --quiet."""
    if not state(ctx).quiet:
        typer.echo(message, err=True)


def fail(message: str) -> None:
    raise KbFailure(message)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()

"""Errors a user can act on. The CLI turns each into a message on stderr and exit code 2."""

from __future__ import annotations

from dataclasses import dataclass


class KbError(Exception):
    """Base of every error kb reports to users; the message says what to do."""


@dataclass(frozen=True)
class Location:
    """Where a bad value came from: file, line (where the format allows), record, field."""

    file: str | None = None
    line: int | None = None
    record: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        elif self.line:
            parts.append(f"line {self.line}")
        if self.record:
            parts.append(f"record {self.record!r}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)


class InvalidInput(KbError):
    """Input that fails validation; carries every problem found, each with its location."""

    def __init__(self, problems: list[tuple[Location, str]]):
        self.problems = problems
        lines = [f"{loc}: {msg}" if str(loc) else msg for loc, msg in problems]
        super().__init__("\n".join(lines))


def invalid(message: str, **where: object) -> InvalidInput:
    """Shorthand for a single problem: `invalid("unknown method", record="r1", field="method")`."""
    return InvalidInput([(Location(**where), message)])  # type: ignore[arg-type]


class NotFound(KbError):
    """A record named by key does not exist."""


class AlreadyExists(KbError):
    """`add` of a key that is taken (use `edit`, or `import` to upsert)."""


class Referenced(KbError):
    """Removing a record that others reference, without `--cascade`."""


class DatabaseNotReady(KbError):
    """The database is empty, older or newer than this kb: the message says what to run."""


class DatabaseUnavailable(KbError):
    """The database cannot be opened or reached."""

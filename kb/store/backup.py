"""`kb db backup`: a consistent copy of a SQLite database while it stays in use.

SQLite's online backup API copies a snapshot (writers in WAL mode go on meanwhile). The copy is
written next to the target under a temporary name, checked with `PRAGMA integrity_check`,
switched to a single self-contained file (no `-wal`), flushed to disk, and only then given the
target's name, so a crash never leaves a half-written file under that name. An existing file is
kept unless the caller forces it. PostgreSQL is backed up with its own tools (`pg_dump`).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from kb.errors import AlreadyExists, KbError
from kb.store.database import Store

PG_DUMP_HINT = (
    "back up PostgreSQL with its own tools: pg_dump --format=custom --file=kb.dump DATABASE_URL "
    "(restore into an empty database with pg_restore --no-owner --dbname=DATABASE_URL kb.dump); "
    "see docs/guarantees.md"
)


class BackupRefused(KbError):
    """The backup cannot be made as asked (wrong backend, bad target)."""


@dataclass(frozen=True)
class BackupResult:
    source: str
    target: Path
    bytes: int


def _source_path(store: Store) -> Path:
    if store.backend != "sqlite":
        raise BackupRefused(f"kb db backup copies SQLite databases; {store.display_url} is {store.backend}: {PG_DUMP_HINT}")
    database = make_url(store.url).database
    if not database or database == ":memory:":
        raise BackupRefused("an in-memory SQLite database has no file to back up")
    path = Path(database).expanduser()
    if not path.is_file():
        raise BackupRefused(f"{store.display_url} does not exist yet: nothing to back up")
    return path


def backup_sqlite(store: Store, target: Path, force: bool = False) -> BackupResult:
    """Copy the store's SQLite database to `target` (see module docstring)."""
    source = _source_path(store)
    target = target.expanduser()
    if target.is_dir():
        raise BackupRefused(f"{target} is a folder: give the backup's file name, e.g. {target / 'kb-backup.sqlite3'}")
    if not target.parent.is_dir():
        raise BackupRefused(f"folder {target.parent} does not exist")
    if target.exists() and target.resolve() == source.resolve():
        raise BackupRefused(f"{target} is the database itself: back it up to another file")
    if (target.exists() or target.is_symlink()) and not force:
        raise AlreadyExists(f"{target} already exists: choose another name, or use --force to replace it")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        _copy(store, temporary)
        _put_in_place(temporary, target, force)
    finally:
        temporary.unlink(missing_ok=True)
    return BackupResult(store.display_url, target, target.stat().st_size)


def _copy(store: Store, temporary: Path) -> None:
    raw = store.engine.raw_connection()
    try:
        destination = sqlite3.connect(temporary)
        try:
            raw.driver_connection.backup(destination)  # type: ignore[union-attr]
            verdict = destination.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise KbError(f"the copy failed its integrity check ({verdict}); nothing was written")
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()
    finally:
        raw.close()
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())


def _put_in_place(temporary: Path, target: Path, force: bool) -> None:
    if force:
        os.replace(temporary, target)
    else:
        try:
            os.link(temporary, target)  # fails if the name was taken meanwhile: never overwrites
        except FileExistsError:
            raise AlreadyExists(f"{target} already exists: choose another name, or use --force to replace it") from None
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)

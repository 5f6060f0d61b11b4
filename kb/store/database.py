"""Opening a kb database: URL resolution, engine set-up per backend, sessions, secrets masking."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from kb.errors import DatabaseUnavailable

DEFAULT_URL = "sqlite:///kb.sqlite3"
ENV_VAR = "KB_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def resolve_url(db: str | None) -> str:
    """`--db`, else `KB_DATABASE_URL`, else `kb.sqlite3` here. A bare path means a SQLite file."""
    url = db or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in url:
        url = f"sqlite:///{url}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


_PASSWORD_IN_URL = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)(?P<pw>[^@\s]*)(?P<tail>@)")


def mask_secrets(text: str) -> str:
    """Replace the password of every URL in `text` with `***`: URLs are never printed with one."""
    return _PASSWORD_IN_URL.sub(lambda m: f"{m['head']}***{m['tail']}", text)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    # Writers take the write lock up front (BEGIN IMMEDIATE) so that two writers queue on the
    # busy timeout instead of failing with "database is locked" when a read upgrades to a write.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("kb_write") else "BEGIN")


def create_kb_engine(url: str) -> Engine:
    """An engine with kb's per-backend settings (SQLite: foreign keys on, WAL, busy timeout)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailable(f"cannot parse database URL {mask_secrets(url)!r}") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            folder = Path(database).expanduser().resolve().parent
            if not folder.is_dir():
                raise DatabaseUnavailable(f"folder {folder} for the SQLite database does not exist")
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLAlchemy, not pysqlite, start transactions, so SAVEPOINT and BEGIN IMMEDIATE work.
        event.listen(engine, "connect", lambda conn, _rec: setattr(conn, "isolation_level", None))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise DatabaseUnavailable(
        f"unsupported database {parsed.get_backend_name()!r}: kb works with sqlite:/// and postgresql:// URLs"
    )


def describe_database_error(exc: BaseException) -> str | None:
    """A one-line, secret-free message for errors that mean the database cannot be used."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(exc, OperationalError):
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        return f"cannot use the database: {mask_secrets(detail)}"
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return "the database connection was lost; try again"
    return None


class Store:
    """A kb database: an engine plus sessions whose transaction commits or rolls back as a whole."""

    def __init__(self, url: str):
        self.url = url
        self.engine = create_kb_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        return mask_secrets(self.url)

    @contextmanager
    def session(self, write: bool = False) -> Iterator[Session]:
        """One transaction: committed when the block ends normally, rolled back on any error.

        `write=True` takes SQLite's write lock at the start, so concurrent writers wait their
        turn rather than fail half-way.
        """
        with self._sessions() as session, session.begin():
            session.connection(execution_options={"kb_write": write})
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

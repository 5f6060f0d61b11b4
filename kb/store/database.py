"""Opening a kb database: URL resolution, engine set-up per backend, sessions, secrets masking.

Writes go through `Store.transaction`, the one place that retries a transaction the database
refused for contention: SQLite busy/locked, PostgreSQL serialization failures and deadlocks.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.orm import Session, sessionmaker

from kb.errors import DatabaseBusy, DatabaseUnavailable

DEFAULT_URL = "sqlite:///kb.sqlite3"
ENV_VAR = "KB_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000

# Bounded retry of a whole transaction (see `Store.transaction`): attempts, and the first delay,
# doubled after each attempt (with jitter, so that writers that collided do not collide again).
RETRY_ATTEMPTS = 8
RETRY_FIRST_DELAY = 0.05
RETRY_MAX_DELAY = 2.0

T = TypeVar("T")


def resolve_url(db: str | None) -> str:
    """`--db`, else `KB_DATABASE_URL`, else `kb.sqlite3` here. A bare path means a SQLite file."""
    url = db or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in url:
        url = f"sqlite:///{url}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


# `scheme://user:PASSWORD@host`: the password runs to the last `@` before the path, so one that
# holds a raw `@` is masked whole. `password=...` covers URL query strings and libpq conninfo.
_PASSWORD_IN_URL = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)(?P<pw>[^\s/]*)(?P<tail>@)")
_PASSWORD_PARAMETER = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<pw>'[^']*'|[^&\s'\"]+)", re.IGNORECASE)


def mask_secrets(text: str) -> str:
    """Replace every password in `text` (in URLs, `password=` parameters) with `***`."""
    text = _PASSWORD_IN_URL.sub(lambda m: f"{m['head']}***{m['tail']}", text)
    return _PASSWORD_PARAMETER.sub(lambda m: f"{m['head']}***", text)


def _sqlite_pragmas(dbapi_connection, busy_timeout_ms: int) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    # Writers take the write lock up front (BEGIN IMMEDIATE) so that two writers queue on the
    # busy timeout instead of failing with "database is locked" when a read upgrades to a write.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("kb_write") else "BEGIN")


def _check_authority(url: str) -> None:
    """Refuse a URL whose user/password part holds a raw `@`: it would be read as part of the
    host name, and the host name appears in connection errors, password and all."""
    authority = url.split("://", 1)[1].split("/", 1)[0] if "://" in url else ""
    if authority.count("@") > 1:
        raise DatabaseUnavailable(
            f"the database URL {mask_secrets(url)!r} has more than one '@' before the host: "
            "write an '@' in the user name or password as %40"
        )


def create_kb_engine(url: str, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> Engine:
    """An engine with kb's per-backend settings (SQLite: foreign keys on, WAL, busy timeout)."""
    _check_authority(url)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise DatabaseUnavailable(
            f"cannot parse database URL {mask_secrets(url)!r}; expected sqlite:///PATH or "
            "postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            folder = Path(database).expanduser().resolve().parent
            if not folder.is_dir():
                raise DatabaseUnavailable(f"folder {folder} for the SQLite database does not exist")
        engine = _create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000})
        event.listen(engine, "connect", lambda conn, _rec: _sqlite_pragmas(conn, busy_timeout_ms))
        # Let SQLAlchemy, not pysqlite, start transactions, so SAVEPOINT and BEGIN IMMEDIATE work.
        event.listen(engine, "connect", lambda conn, _rec: setattr(conn, "isolation_level", None))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return _create_engine(url, pool_pre_ping=True)
    raise DatabaseUnavailable(
        f"unsupported database {parsed.get_backend_name()!r}: kb works with sqlite:/// and postgresql:// URLs"
    )


def _create_engine(url: str, **kwargs) -> Engine:  # type: ignore[no-untyped-def]
    try:
        return create_engine(url, **kwargs)
    except NoSuchModuleError:
        raise DatabaseUnavailable(
            f"unknown database driver in {mask_secrets(url)!r}: use sqlite:/// or postgresql:// (psycopg)"
        ) from None


def _first_line(exc: DBAPIError) -> str:
    text = str(exc.orig if exc.orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc.orig or exc).__name__


def describe_database_error(exc: BaseException) -> str | None:
    """A one-line, secret-free message for an error the database raised, else None."""
    if not isinstance(exc, DBAPIError):
        return None
    if exc.connection_invalidated:
        return (
            "the database connection was lost; a change in progress was written whole or not at all: "
            "check, then try again"
        )
    detail = mask_secrets(_first_line(exc))
    if isinstance(exc, (IntegrityError, DataError)):
        return f"the database refused the change, so nothing was written: {detail}"
    if isinstance(exc, OperationalError):
        return f"cannot use the database: {detail}"
    return f"database error: {detail}"


# PostgreSQL: serialization_failure, deadlock_detected, unique_violation.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "23505"})


def is_retryable(exc: BaseException) -> bool:
    """Whether running the transaction again may succeed: another writer held a lock (SQLite
    busy/locked), or PostgreSQL aborted it for a serialization failure, a deadlock or a unique
    key a concurrent transaction inserted first (on a retry, the key is found and updated)."""
    if not isinstance(exc, DBAPIError) or exc.connection_invalidated:
        return False
    orig = exc.orig
    name = getattr(orig, "sqlite_errorname", None)
    if name is not None:
        return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
    if "database is locked" in str(orig) or "database table is locked" in str(orig):
        return True
    return getattr(orig, "sqlstate", None) in RETRYABLE_SQLSTATES


class Store:
    """A kb database: an engine plus sessions whose transaction commits or rolls back as a whole."""

    def __init__(self, url: str, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, retry_attempts: int = RETRY_ATTEMPTS):
        self.url = url
        self.engine = create_kb_engine(url, busy_timeout_ms=busy_timeout_ms)
        self.retry_attempts = retry_attempts
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

    def transaction(self, work: Callable[[Session], T], write: bool = True) -> T:
        """Run `work(session)` in one transaction and return its result.

        When the database refuses the transaction for contention (`is_retryable`), it is rolled
        back and run again from the start, at most `retry_attempts` times, after a jittered,
        doubling delay. `work` must therefore act only through the session. Giving up raises
        `DatabaseBusy`; every other error propagates at once, the transaction rolled back.
        """
        delay = RETRY_FIRST_DELAY
        started = time.monotonic()
        unique_violations = 0
        for attempt in range(1, self.retry_attempts + 1):
            try:
                with self.session(write=write) as session:
                    return work(session)
            except DBAPIError as exc:
                if not is_retryable(exc):
                    raise
                if getattr(exc.orig, "sqlstate", None) == "23505":
                    unique_violations += 1  # a race resolves on one retry; twice is a real conflict
                    if unique_violations > 1:
                        raise
                if attempt == self.retry_attempts:
                    raise DatabaseBusy(
                        f"{self.display_url} stayed busy through {attempt} attempts in "
                        f"{time.monotonic() - started:.1f} s ({mask_secrets(_first_line(exc))}); "
                        "nothing was written; try again"
                    ) from exc
            time.sleep(min(delay, RETRY_MAX_DELAY) * random.uniform(0.5, 1.5))
            delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def dispose(self) -> None:
        self.engine.dispose()

"""`Store.transaction`: a transaction the database refused for contention runs again, a bounded
number of times; other errors are not retried; giving up is a clean error (exit 2)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from kb.errors import AlreadyExists, DatabaseBusy
from kb.store.database import Store, is_retryable
from kb.store.migrate import upgrade


def _sqlite_store(tmp_path: Path, **options) -> Store:  # type: ignore[no-untyped-def]
    store = Store(f"sqlite:///{tmp_path / 'kb.sqlite3'}", **options)
    upgrade(store)
    return store


def _hold_write_lock(path: Path, seconds: float, locked: threading.Event) -> None:
    """Another writer: takes SQLite's write lock and keeps it for `seconds`."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    locked.set()
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


def _insert_method(session, key: str = "m1") -> str:  # type: ignore[no-untyped-def]
    session.execute(text("INSERT INTO methods (key, name, kind) VALUES (:k, 'M', 'behavioral')"), {"k": key})
    return key


def test_a_locked_sqlite_database_is_retried_until_the_lock_goes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backoffs = []  # the jitter of each backoff delay is drawn once per retry
    monkeypatch.setattr("kb.store.database.random.uniform", lambda a, b: backoffs.append(1) or 1.0)
    store = _sqlite_store(tmp_path, busy_timeout_ms=50)
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(tmp_path / "kb.sqlite3", 0.6, locked))
    holder.start()
    locked.wait()
    attempts = []

    def work(session):  # type: ignore[no-untyped-def]
        attempts.append(1)
        return _insert_method(session)

    try:
        assert store.transaction(work) == "m1"
    finally:
        holder.join()
    # The lock made BEGIN IMMEDIATE fail (busy) before `work` ran, so the transaction was retried,
    # and once the lock went one run of `work` sufficed.
    assert len(backoffs) >= 1
    assert len(attempts) == 1
    with store.session() as session:
        assert session.execute(text("SELECT count(*) FROM methods")).scalar() == 1
    store.dispose()


def test_the_retry_is_bounded_and_ends_in_a_clean_error(tmp_path: Path) -> None:
    store = _sqlite_store(tmp_path, busy_timeout_ms=20, retry_attempts=3)
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(tmp_path / "kb.sqlite3", 3.0, locked))
    holder.start()
    locked.wait()
    started = time.monotonic()
    try:
        with pytest.raises(DatabaseBusy, match=r"stayed busy through 3 attempts .*database is locked.*nothing was written"):
            store.transaction(_insert_method)
        assert time.monotonic() - started < 3.0  # gave up while the lock was still held
    finally:
        holder.join()
    store.dispose()


def test_the_cli_turns_giving_up_into_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import cli.context
    from cli.main import app

    path = tmp_path / "kb.sqlite3"
    _sqlite_store(tmp_path).dispose()
    monkeypatch.setattr(cli.context.State, "store", lambda self: Store(self.url, busy_timeout_ms=20, retry_attempts=2))
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, 2.0, locked))
    holder.start()
    locked.wait()
    try:
        result = CliRunner().invoke(app, ["--db", str(path), "method", "add", "m1", "--name", "M", "--kind", "behavioral"])
    finally:
        holder.join()
    assert result.exit_code == 2
    assert "stayed busy through 2 attempts" in result.stderr and "Traceback" not in result.stderr


def test_errors_that_are_not_contention_are_not_retried(store) -> None:  # type: ignore[no-untyped-def]
    store.transaction(_insert_method)
    attempts = []

    def duplicate(session):  # type: ignore[no-untyped-def]
        attempts.append(1)
        return _insert_method(session)

    with pytest.raises(Exception) as raised:
        store.transaction(duplicate)
    # SQLite: not retried at all; PostgreSQL: a unique violation is retried once (it may be a
    # race with a concurrent insert), and the second one is final.
    assert len(attempts) == (1 if store.backend == "sqlite" else 2)
    assert not isinstance(raised.value, DatabaseBusy)


def test_kb_errors_roll_back_and_are_not_retried(store) -> None:  # type: ignore[no-untyped-def]
    attempts = []

    def refuse(session):  # type: ignore[no-untyped-def]
        attempts.append(1)
        _insert_method(session)
        raise AlreadyExists("no")

    with pytest.raises(AlreadyExists):
        store.transaction(refuse)
    assert attempts == [1]
    with store.session() as session:
        assert session.execute(text("SELECT count(*) FROM methods")).scalar() == 0


def test_a_postgres_deadlock_is_retried(db_url: str) -> None:
    """Two transactions lock two rows in opposite orders: PostgreSQL aborts one of them with a
    deadlock error; the retry runs it again and both land."""
    if not db_url.startswith("postgresql"):
        pytest.skip("deadlock detection is PostgreSQL's")
    store = Store(db_url)
    upgrade(store)
    store.transaction(lambda s: [_insert_method(s, "a"), _insert_method(s, "b")])
    barrier = threading.Barrier(2, timeout=30)
    attempts: dict[str, int] = {"ab": 0, "ba": 0}
    errors: list[BaseException] = []

    def lock_in_order(first: str, second: str) -> None:
        def work(session):  # type: ignore[no-untyped-def]
            attempts[first + second] += 1
            session.execute(text("UPDATE methods SET name = name || '+' WHERE key = :k"), {"k": first})
            if attempts[first + second] == 1:
                barrier.wait()  # both hold their first row: each now waits for the other's
            session.execute(text("UPDATE methods SET name = name || '+' WHERE key = :k"), {"k": second})

        try:
            store.transaction(work)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=lock_in_order, args=order) for order in (("a", "b"), ("b", "a"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(attempts.values()) == [1, 2]  # exactly one was aborted and retried
    with store.session() as session:
        names = session.execute(text("SELECT name FROM methods ORDER BY key")).scalars().all()
    assert names == ["M++", "M++"]
    store.dispose()


def test_retryable_errors_are_recognised() -> None:
    import psycopg.errors
    from sqlalchemy.exc import IntegrityError, OperationalError

    def wrapped(orig: BaseException, kind=OperationalError):  # type: ignore[no-untyped-def]
        return kind("stmt", {}, orig)

    assert is_retryable(wrapped(sqlite3.OperationalError("database is locked")))
    assert is_retryable(wrapped(psycopg.errors.SerializationFailure("could not serialize access")))
    assert is_retryable(wrapped(psycopg.errors.DeadlockDetected("deadlock detected")))
    assert not is_retryable(wrapped(sqlite3.OperationalError("no such table: runs")))
    assert not is_retryable(wrapped(psycopg.errors.UndefinedTable("no such table")))
    assert not is_retryable(ValueError("database is locked"))
    assert not is_retryable(wrapped(sqlite3.IntegrityError("UNIQUE constraint failed"), IntegrityError))

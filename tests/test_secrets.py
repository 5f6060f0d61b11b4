"""A database URL's password never appears in any message, log or error kb produces."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from cli.main import app
from kb.store.database import mask_secrets
from tests.conftest import REPO

SECRET = "S3cret-Pw9"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("postgresql://kb:S3cret-Pw9@db:5432/kb", "postgresql://kb:***@db:5432/kb"),
        ("postgresql+psycopg://kb:S3cret-Pw9@db/kb failed", "postgresql+psycopg://kb:***@db/kb failed"),
        # A raw '@' in the password: masked up to the last '@' before the host.
        ("postgresql://kb:S3c@ret-Pw9@db/kb", "postgresql://kb:***@db/kb"),
        ("postgresql://kb@db/kb?sslmode=require&password=S3cret-Pw9", "postgresql://kb@db/kb?sslmode=require&password=***"),
        ("host=db user=kb password=S3cret-Pw9 dbname=kb", "host=db user=kb password=*** dbname=kb"),
        ("host=db password='S3cret Pw9' dbname=kb", "host=db password=*** dbname=kb"),
        ("sqlite:///kb.sqlite3", "sqlite:///kb.sqlite3"),
        ("postgresql://kb@db/kb", "postgresql://kb@db/kb"),
    ],
)
def test_mask_secrets_hides_passwords_in_urls_and_parameters(text: str, masked: str) -> None:
    assert mask_secrets(text) == masked


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://kb:{SECRET}@127.0.0.1:1/kb",  # connection refused
        f"postgresql+psycopg://kb:{SECRET}@host.invalid/kb",  # unknown host
        f"postgresql+psycopg://kb:{SECRET}@127.0.0.1:notaport/kb",  # unparseable
        f"postgresql+psycopg://kb:{SECRET}@127.0.0.1:1/kb?no_such_option=1",  # rejected by libpq
        f"postgresql+psycopg://kb:{SECRET}@127.0.0.1:1/kb?sslmode=sometimes",
        f"postgresql+nosuchdriver://kb:{SECRET}@127.0.0.1/kb",
        "postgresql+psycopg://kb:S3c@ret-Pw9@127.0.0.1:1/kb",  # raw '@' in the password
        f"postgresql+psycopg://kb@127.0.0.1:1/kb?password={SECRET}",
        f"mysql://kb:{SECRET}@127.0.0.1/kb",
    ],
)
@pytest.mark.parametrize("command", [("db", "current"), ("init",), ("concept", "list")])
def test_bad_urls_and_connection_failures_never_show_the_password(url: str, command: tuple[str, ...]) -> None:
    code, output = run("--db", url, *command)
    assert code == 2, output
    assert output.startswith("Error: ")
    assert "Traceback" not in output
    assert SECRET not in output and "ret-Pw9" not in output


def test_a_raw_at_sign_in_the_password_is_refused_before_connecting() -> None:
    code, output = run("--db", "postgresql+psycopg://kb:S3c@ret-Pw9@127.0.0.1/kb", "db", "current")
    assert code == 2
    assert "write an '@' in the user name or password as %40" in output


def test_a_failing_connection_logs_no_password(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        run("--db", f"postgresql+psycopg://kb:{SECRET}@127.0.0.1:1/kb", "init")
    assert SECRET not in caplog.text


def test_a_real_kb_process_never_prints_the_password() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "--db", f"postgresql+psycopg://kb:{SECRET}@127.0.0.1:1/kb", "db", "current"],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert result.returncode == 2
    assert SECRET not in result.stdout + result.stderr
    assert "kb:***@127.0.0.1:1" in result.stderr


# --- against a real PostgreSQL server (the test URL's own password) -----------------------------


def _postgres_only(db_url: str) -> str:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite URLs carry no password")
    password = make_url(db_url).password
    assert password, "the PostgreSQL test URL has a password"
    return str(password)


def _leaks(output: str, db_url: str, password: str) -> bool:
    user = make_url(db_url).username
    return f"{user}:{password}@" in output or f"password={password}" in output


def test_db_current_masks_the_password(db_url: str, kb_init, caplog: pytest.LogCaptureFixture) -> None:
    password = _postgres_only(db_url)
    with caplog.at_level(logging.DEBUG):
        result = kb_init("db", "current")
        init = kb_init("init")
    assert result.exit_code == 0
    assert ":***@" in result.stdout
    for output in (result.stdout, result.stderr, init.stderr, caplog.text):
        assert not _leaks(output, db_url, password)


def test_a_wrong_password_is_not_echoed(db_url: str) -> None:
    _postgres_only(db_url)
    url = make_url(db_url).set(password=SECRET).render_as_string(hide_password=False)
    code, output = run("--db", url, "db", "current")
    assert code == 2
    assert "password authentication failed" in output
    assert SECRET not in output


def test_migration_errors_mask_the_password(db_url: str, kb) -> None:
    """A migration that fails half-way (a type named like a table kb creates) reports the masked
    URL, prints no traceback, and leaves no schema behind (PostgreSQL DDL is transactional)."""
    password = _postgres_only(db_url)
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TYPE runs AS (x integer)"))
    result = kb("init")
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert ":***@" in result.stderr and "failed and was rolled back" in result.stderr
    assert '"runs" already exists' in result.stderr
    assert not _leaks(result.stderr, db_url, password)
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == []
    engine.dispose()


def test_newer_schema_errors_mask_the_password(db_url: str, kb_init) -> None:
    password = _postgres_only(db_url)
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    for args in (("db", "current"), ("concept", "list"), ("init",)):
        result = kb_init(*args)
        assert not _leaks(result.stdout + result.stderr, db_url, password)
    result = kb_init("concept", "list")
    assert result.exit_code == 2 and "newer kb" in result.stderr and ":***@" in result.stderr

"""Shared fixtures: every store and CLI test runs on SQLite and on PostgreSQL.

PostgreSQL tests need KB_TEST_POSTGRES_URL (`.ci/run` starts a server and sets it). Without it
they skip with that reason; with KB_REQUIRE_POSTGRES=1 (as in CI) a missing server fails the run
instead, so CI can never pass on SQLite alone. Each PostgreSQL test gets a schema of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _postgres_base_url() -> str:
    url = os.environ.get("KB_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("KB_REQUIRE_POSTGRES"):
            pytest.fail("KB_REQUIRE_POSTGRES is set but KB_TEST_POSTGRES_URL is not: PostgreSQL tests cannot run")
        pytest.skip("PostgreSQL tests need KB_TEST_POSTGRES_URL (`.ci/run` starts a server and sets it)")
    return url


@contextmanager
def database_url(backend: str, directory: Path) -> Iterator[str]:
    """A URL of an empty database on `backend` ("sqlite" in `directory`, or a fresh PostgreSQL schema)."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'kb.sqlite3'}"
        return
    base = _postgres_base_url()
    from sqlalchemy import create_engine, text

    schema_name = f"kbtest_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema_name}"'))
    try:
        yield f"{base}?options=-csearch_path%3D{schema_name}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema_name}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database on each backend."""
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def empty_store(db_url: str):  # type: ignore[no-untyped-def]
    """A Store on an empty database (no schema yet)."""
    from kb.store.database import Store

    store = Store(db_url)
    yield store
    store.dispose()


@pytest.fixture
def store(empty_store):  # type: ignore[no-untyped-def]
    """A Store on a database at the current schema."""
    from kb.store.migrate import upgrade

    upgrade(empty_store)
    return empty_store


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def kb(db_url: str) -> Callable[..., CliResult]:
    """Run the kb CLI in-process against this test's database: kb("concept", "list")."""
    from typer.testing import CliRunner

    from cli.main import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> CliResult:
        result = runner.invoke(app, ["--db", db_url, *args], input=input, catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return invoke


@pytest.fixture
def kb_init(kb):  # type: ignore[no-untyped-def]
    """The CLI on an initialised database."""
    assert kb("init").exit_code == 0
    return kb

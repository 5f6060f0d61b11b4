"""`kb db backup FILE`: a consistent, checked copy of a SQLite database, even while another
process writes to it; never over an existing file unless --force; PostgreSQL points to pg_dump."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.conftest import REPO

SEED = sorted(str(p) for p in (REPO / "data").glob("*.yaml") if p.name != "vocabulary.yaml")


def kb(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def seeded(tmp_path: Path) -> str:
    db = str(tmp_path / "kb.sqlite3")
    assert kb("--db", db, "init").exit_code == 0
    assert kb("--db", db, "import", *SEED).exit_code == 0
    return db


def test_backup_is_a_faithful_single_file_copy(seeded: str, tmp_path: Path) -> None:
    target = tmp_path / "backup.sqlite3"
    result = kb("--db", seeded, "db", "backup", str(target))
    assert result.exit_code == 0, result.stderr
    assert "integrity checked" in result.stderr
    assert not Path(f"{target}-wal").exists() and not list(tmp_path.glob(".*.partial"))
    assert kb("--db", str(target), "export").stdout == kb("--db", seeded, "export").stdout
    assert kb("--db", str(target), "db", "check").exit_code == 0


def test_an_existing_file_is_kept_unless_forced(seeded: str, tmp_path: Path) -> None:
    target = tmp_path / "backup.sqlite3"
    target.write_bytes(b"precious")
    refused = kb("--db", seeded, "db", "backup", str(target))
    assert refused.exit_code == 2 and "already exists" in refused.stderr and "--force" in refused.stderr
    assert target.read_bytes() == b"precious"
    assert kb("--db", seeded, "db", "backup", str(target), "--force").exit_code == 0
    assert kb("--db", str(target), "export").stdout == kb("--db", seeded, "export").stdout


def test_a_symlink_is_not_followed_or_overwritten(seeded: str, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("keep me")
    link = tmp_path / "link.sqlite3"
    link.symlink_to(outside)
    assert kb("--db", seeded, "db", "backup", str(link)).exit_code == 2
    assert kb("--db", seeded, "db", "backup", str(link), "--force").exit_code == 0
    assert outside.read_text() == "keep me" and not link.is_symlink()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no-such-folder/backup.sqlite3", "does not exist"),
        (".", "is a folder"),
        ("kb.sqlite3", "is the database itself"),
    ],
)
def test_bad_targets_are_refused(seeded: str, tmp_path: Path, target: str, message: str) -> None:
    result = kb("--db", seeded, "db", "backup", str(tmp_path / target), "--force")
    assert result.exit_code == 2 and message in result.stderr


def _background_runs(db: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM runs WHERE key LIKE 'bg-%'").fetchone()[0]
    finally:
        conn.close()


def test_backup_while_another_process_writes(seeded: str, tmp_path: Path) -> None:
    """A backup taken during a stream of writes is a consistent snapshot that passes the checks."""
    writer = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys\n"
            "from kb.services.editing import add_record\n"
            "from kb.store.database import Store\n"
            "store = Store(sys.argv[1])\n"
            "for i in range(200):\n"
            "    add_record(store, 'run', {'key': f'bg-{i}', 'method': 'prefix-matching-score', 'value': i / 200})\n"
        ), f"sqlite:///{seeded}"],
        cwd=REPO,
    )
    try:
        deadline = time.monotonic() + 120
        while _background_runs(seeded) < 5:  # the writer is under way
            assert time.monotonic() < deadline and writer.poll() is None
            time.sleep(0.05)
        target = tmp_path / "during.sqlite3"
        assert kb("--db", seeded, "db", "backup", str(target)).exit_code == 0
        still_writing = writer.poll() is None
    finally:
        assert writer.wait(timeout=300) == 0
    assert still_writing, "the writer finished before the backup: the test proved nothing"
    assert 5 <= _background_runs(str(target)) < 200
    assert kb("--db", str(target), "db", "check").exit_code == 0
    assert kb("--db", str(target), "run", "list", "--format", "json").exit_code == 0


def test_postgres_points_to_pg_dump(db_url: str, kb_init, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if not db_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL message")
    result = kb_init("db", "backup", str(tmp_path / "x.dump"))
    assert result.exit_code == 2
    assert "pg_dump --format=custom" in result.stderr and "pg_restore" in result.stderr
    assert ":***@" in result.stderr
    assert not (tmp_path / "x.dump").exists()

"""A `kb import` killed with SIGKILL in the middle of its transaction leaves the database exactly
as it was, passing `kb db check`, and usable at once.

The import is a real process, of one JSON document or of a streamed JSONL file (the bulk path).
It is killed once it is provably inside its write transaction, with no hook in kb: a document
import on SQLite when the write-ahead log starts to grow (pages spill from the cache long before
the commit), on PostgreSQL when its backend holds a transaction id (it has written); a streamed
import when it has read into the stream (the transaction begins before the first line is read).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import REPO

RUNS = 12_000
STREAMED_RUNS = 400_000
APP_NAME = "kb-crash-test"


def generated(runs: int, value_offset: float) -> dict[str, Any]:
    """A document of `runs` runs and a claim per four runs; the first 100 runs also exist in the
    base (with other values), so the import changes rows as well as adding them."""
    return {
        "kb": 1,
        "sources": [{"key": "gen-src", "title": "Generated"}],
        "methods": [{"key": "gen-m", "name": "Generated method", "kind": "behavioral"}],
        "concepts": [{"key": "gen-c", "name": "Generated concept"}],
        "runs": [
            {"key": f"gen-r{i}", "method": "gen-m", "subject": f"m/L{i % 12}H{i % 16}", "value": i / runs + value_offset,
             "params": {"seed": i, "layers": [1, 2, 3]}}
            for i in range(runs)
        ],
        "claims": [
            {"key": f"gen-k{i}", "source": "gen-src", "concept": "gen-c", "text": f"Claim {i}. " * 10,
             "evidence": [{"run": f"gen-r{i}"}, {"run": f"gen-r{(i + 1) % runs}"}]}
            for i in range(0, runs, 4)
        ],
    }


def kb(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "--db", db_url, *args], capture_output=True, text=True, cwd=REPO, timeout=300
    )


def _wal_size(db_url: str) -> int:
    wal = Path(db_url.removeprefix("sqlite:///") + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def write_streamed(path: Path, runs: int, value_offset: float) -> None:
    """`runs` runs as JSONL, one per line; the first 100 also exist in the base."""
    with path.open("w", encoding="utf-8") as f:
        for i in range(runs):
            f.write(json.dumps({"key": f"gen-r{i}", "method": "gen-m", "value": i / runs + value_offset,
                                "params": {"seed": i}}) + "\n")


def _read_into(pid: int, path: Path) -> bool:
    """Whether process `pid` has `path` open and has read past its start (Linux /proc)."""
    fds = Path(f"/proc/{pid}/fd")
    try:
        for fd in fds.iterdir():
            if os.readlink(fd) == str(path):
                info = (Path(f"/proc/{pid}/fdinfo") / fd.name).read_text()
                return int(info.split("pos:")[1].split()[0]) > 0
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    return False


def _checkpoint(db_url: str) -> None:
    import sqlite3

    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _postgres_import_has_written(admin) -> bool:  # type: ignore[no-untyped-def]
    with admin.connect() as conn:
        return bool(
            conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :a AND backend_xid IS NOT NULL"),
                {"a": APP_NAME},
            ).scalar()
        )


def _postgres_import_is_gone(admin) -> bool:  # type: ignore[no-untyped-def]
    with admin.connect() as conn:
        return not conn.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :a"), {"a": APP_NAME}
        ).scalar()


@pytest.mark.slow
@pytest.mark.parametrize("form", ["document", "stream"])
def test_an_import_killed_mid_transaction_changes_nothing(db_url: str, tmp_path: Path, form: str) -> None:
    base = tmp_path / "base.json"
    base.write_text(json.dumps(generated(100, 0.0)), encoding="utf-8")
    if form == "document":
        big = tmp_path / "big.json"
        big.write_text(json.dumps(generated(RUNS, 1.0)), encoding="utf-8")
    else:
        big = tmp_path / "big-runs.jsonl"
        write_streamed(big, STREAMED_RUNS, 1.0)
    assert kb(db_url, "init").returncode == 0
    assert kb(db_url, "import", str(base)).returncode == 0
    before = kb(db_url, "export").stdout
    sqlite = db_url.startswith("sqlite")

    if sqlite:
        _checkpoint(db_url)
        import_url = db_url
        admin = None
    else:
        import_url = f"{db_url}&application_name={APP_NAME}"
        admin = create_engine(db_url)

    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "--db", import_url, "import", str(big)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 240
        def inside() -> bool:
            if form == "stream":
                return _read_into(process.pid, big)
            return _wal_size(db_url) > 0 if sqlite else _postgres_import_has_written(admin)

        while not inside():
            assert process.poll() is None, f"the import ended before it was killed: {process.stderr.read()!r}"  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.02)
        time.sleep(0.2)  # a little deeper into the transaction
        assert process.poll() is None, "the import committed before it could be killed (make the file larger)"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL

    if admin is not None:  # the server notices the dead client and rolls its transaction back
        deadline = time.monotonic() + 60
        while not _postgres_import_is_gone(admin):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        admin.dispose()

    assert kb(db_url, "export").stdout == before
    check = kb(db_url, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    # Nothing is left locked: the next write goes through at once.
    again = kb(db_url, "run", "add", "after-crash", "--method", "gen-m", "--value", "0.5")
    assert again.returncode == 0, again.stderr

"""Several processes adding runs and claims to one database at the same moment: every write lands,
none fails with "database is locked", and the counts add up (tests/concurrent_writer.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

COUNT = 12  # per worker: runs added, claims added, runs + claims in one import, runs streamed


@pytest.mark.slow
@pytest.mark.parametrize("workers", [2, 4])
def test_concurrent_writers_all_land(db_url: str, kb_init, tmp_path: Path, workers: int) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "kb: 1\nsources: [{key: s, title: S}]\nmethods: [{key: m, name: M, kind: behavioral}]\n"
        "concepts: [{key: c, name: C}]\n",
        encoding="utf-8",
    )
    assert kb_init("import", str(seed)).exit_code == 0

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.concurrent_writer", db_url, str(w), str(workers), str(COUNT), str(tmp_path)],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for w in range(workers)
    ]
    outputs = [p.communicate(timeout=600) for p in processes]
    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert "locked" not in stderr.lower() and "Traceback" not in stderr, stderr
        assert process.returncode == 0, stderr

    runs = kb_init("run", "list", "--format", "json")
    claims = kb_init("claim", "list", "--format", "json")
    run_keys = {r["key"] for r in json.loads(runs.stdout)}
    claim_keys = {c["key"] for c in json.loads(claims.stdout)}
    assert len(run_keys) == workers * COUNT * 3
    assert len(claim_keys) == workers * COUNT * 2
    for w in range(workers):
        for i in range(COUNT):
            assert {f"w{w}-r{i}", f"w{w}-imported-r{i}", f"w{w}-streamed-r{i}"} <= run_keys
            assert {f"w{w}-k{i}", f"w{w}-imported-k{i}"} <= claim_keys
    # Each claim kept its own evidence link (no write was half-applied or crossed with another).
    for w in range(workers):
        shown = json.loads(kb_init("claim", "show", f"w{w}-k{COUNT - 1}", "--format", "json").stdout)
        assert shown["evidence"] == [{"run": f"w{w}-r{COUNT - 1}", "claim": None, "stance": "supports"}]
    assert kb_init("db", "check").exit_code == 0

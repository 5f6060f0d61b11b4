"""`kb report -o DIR` writes only inside DIR: a symlink planted at any file or folder the report
writes (pointing out of DIR) is refused, never followed, and nothing outside DIR changes; odd
record keys and `--single-file` names cannot lead it out either."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.conftest import REPO

KB = """\
kb: 1
sources:
  - {key: "a..b", title: Dots}
  - {key: "x:..:y", title: Colons and dots}
  - {key: "S+1.0", title: Plus}
methods: [{key: m, name: M, kind: behavioral}]
concepts:
  - key: c
    name: C
    definitions: [{key: d, kind: behavioral, text: T, criteria: [{method: m, op: ">=", threshold: 0.5}]}]
runs: [{key: r, method: m, value: 0.9}]
claims:
  - {key: k1, source: "a..b", concept: c, text: T, evidence: [{run: r}]}
  - {key: k2, source: "x:..:y", concept: c, text: T, evidence: [{run: r}]}
  - {key: k3, source: "S+1.0", concept: c, text: T, evidence: [{run: r}]}
"""


def snapshot(folder: Path, skip: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below `folder` except those below `skip`: content and modification time."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_relative_to(skip) or path.is_symlink() or not path.is_file():
            continue
        found[str(path.relative_to(folder))] = (path.read_bytes(), path.stat().st_mtime_ns)
    return found


@pytest.fixture
def db(tmp_path: Path) -> str:
    source = tmp_path / "kb.yaml"
    source.write_text(KB, encoding="utf-8")
    db = str(tmp_path / "kb.sqlite3")
    for args in (["init"], ["import", str(source)]):
        assert CliRunner().invoke(app, ["--db", db, *args]).exit_code == 0
    return db


def report(db: str, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["--db", db, "report", *args], catch_exceptions=False)


def test_every_file_stays_inside_the_output_folder(db: str, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = report(db, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    written = [p for p in out.rglob("*")]
    assert written and all(p.resolve().is_relative_to(out.resolve()) for p in written)
    assert not any(p.is_symlink() for p in written)
    # Keys with dots, colons and plus signs name pages inside papers/, never a path.
    papers = sorted(p.name for p in (out / "papers").iterdir())
    assert len(papers) == 3 and all("/" not in name and not name.startswith(".") for name in papers)


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_a_symlink_planted_anywhere_is_refused_and_nothing_outside_changes(db: str, tmp_path: Path, kind: str) -> None:
    reference = tmp_path / "reference"
    assert report(db, "-o", str(reference)).exit_code == 0
    rel_paths = [p.relative_to(reference) for p in reference.rglob("*") if (p.is_file() if kind == "file" else p.is_dir())]
    assert rel_paths
    victims = tmp_path / "victims"
    victims.mkdir()
    for i, rel in enumerate(sorted(rel_paths)):
        out = tmp_path / f"out-{kind}-{i}"
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        if kind == "file":
            victim = victims / f"victim-{i}.html"
            victim.write_text("do not touch", encoding="utf-8")
            (out / rel).symlink_to(victim)
        else:
            victim = victims / f"folder-{i}"
            victim.mkdir()
            (out / rel).symlink_to(victim, target_is_directory=True)
        before = snapshot(tmp_path, skip=out)
        result = report(db, "-o", str(out))
        assert result.exit_code == 2, f"{rel}: {result.stderr}"
        assert "symlink" in result.stderr and "Traceback" not in result.stderr
        assert snapshot(tmp_path, skip=out) == before, f"{rel}: a file outside the output folder changed"
        assert (out / rel).is_symlink(), f"{rel}: the symlink was replaced"
        assert not any(victims.rglob(f"folder-{i}/*")), f"{rel}: something was written through the link"


@pytest.mark.parametrize("name", ["../escape.html", "../../escape.html", "sub/../../escape.html", "/tmp/kb-escape.html"])
def test_single_file_names_cannot_leave_the_folder(db: str, tmp_path: Path, name: str) -> None:
    out = tmp_path / "deep" / "site"
    before = snapshot(tmp_path, skip=out)
    result = report(db, "-o", str(out), "--single-file", name)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert snapshot(tmp_path, skip=out) == before
    assert not Path("/tmp/kb-escape.html").exists()


def test_a_real_process_refuses_a_symlinked_folder(db: str, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "site"
    out.mkdir()
    (out / "assets").symlink_to(outside, target_is_directory=True)
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "--db", db, "report", "-o", str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 2 and "symlink" in result.stderr and "Traceback" not in result.stderr
    assert list(outside.iterdir()) == []

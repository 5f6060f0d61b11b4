"""The hostile input corpus (tests/hostile/): every case is refused by the real CLI with exit 2,
a message naming the file and the problem, no traceback, and the database left as it was.

The cases and their expected message fragments are listed in tests/hostile/expected.yaml. Each
runs in-process (CliRunner) on SQLite and PostgreSQL; the cases marked `subprocess` also run as a
separate `kb` process whose peak memory and time are measured.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

HOSTILE = Path(__file__).resolve().parent / "hostile"
TABLE = "expected.yaml"
CASES: dict[str, Any] = yaml.safe_load((HOSTILE / TABLE).read_text(encoding="utf-8"))

BASE = """\
kb: 1
sources:
  - {key: s1, title: A source}
methods:
  - {key: m1, name: A method, kind: behavioral}
concepts:
  - key: c1
    name: C1
    definitions:
      - {key: d1, kind: behavioral, text: A definition., criteria: [{method: m1, op: ">=", threshold: 0.5}]}
runs:
  - {key: r1, method: m1, value: 0.7, params: {seed: 1}}
claims:
  - {key: k1, source: s1, concept: c1, text: A claim., evidence: [{run: r1}]}
"""


def expected(name: str) -> list[str]:
    case = CASES[name]
    return case["expect"] if isinstance(case, dict) else case


def runs_as_subprocess(name: str) -> bool:
    case = CASES[name]
    return isinstance(case, dict) and bool(case.get("subprocess"))


def materialise(name: str, tmp_path: Path) -> Path:
    """The case's file as `kb import` gets it (a `.gz` case unpacked next to the test's data)."""
    source = HOSTILE / name
    if not name.endswith(".gz"):
        return source
    target = tmp_path / name.removesuffix(".gz")
    target.write_bytes(gzip.decompress(source.read_bytes()))
    return target


def assert_refused(exit_code: int, stderr: str, stdout: str, path: Path, name: str) -> None:
    assert exit_code == 2, f"{name}: exit {exit_code}\n{stderr}"
    assert "Traceback" not in stderr + stdout
    assert stderr.startswith("Error: "), stderr[:500]
    assert path.name in stderr, f"{name}: the message does not name the file"
    for fragment in expected(name):
        assert fragment in stderr, f"{name}: {fragment!r} not in\n{stderr[:2000]}"


def test_every_case_has_an_expectation_and_every_expectation_a_case() -> None:
    files = {p.name for p in HOSTILE.iterdir() if p.name != TABLE}
    assert files == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_is_refused_and_changes_nothing(kb_init, tmp_path: Path, name: str) -> None:
    base = tmp_path / "base.yaml"
    base.write_text(BASE, encoding="utf-8")
    assert kb_init("import", str(base)).exit_code == 0
    before = kb_init("export").stdout
    path = materialise(name, tmp_path)
    result = kb_init("import", str(path))
    assert_refused(result.exit_code, result.stderr, result.stdout, path, name)
    assert kb_init("export").stdout == before


# Runs the CLI as `kb` does, then records the process's own peak resident memory (VmHWM: unlike
# getrusage's ru_maxrss, it is not inherited from the forking test process).
MEASURED_KB = """\
import os, sys
from cli.main import app
try:
    app(sys.argv[1:], prog_name="kb")
finally:
    status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
    with open(os.environ["KB_TEST_RSS_FILE"], "w") as f:
        f.write(status)
"""


def run_measured(args: list[str], tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], int, float]:
    """Run `kb ARGS` in a new process: its result, peak RSS in KiB, and wall time in seconds."""
    rss_file = tmp_path / "rss"
    env = {**os.environ, "KB_TEST_RSS_FILE": str(rss_file), "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, "-c", MEASURED_KB, *args], capture_output=True, text=True, env=env, cwd=tmp_path,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"kb {' '.join(args)} ran for more than 120 s")
    elapsed = time.perf_counter() - started
    return result, int(rss_file.read_text()), elapsed


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(n for n in CASES if runs_as_subprocess(n)))
def test_hostile_input_in_a_real_process_is_refused_within_bounded_memory(
    db_url: str, tmp_path: Path, name: str
) -> None:
    from kb.services.exporting import export_text
    from kb.services.importing import import_files
    from kb.store.database import Store
    from kb.store.migrate import upgrade

    store = Store(db_url)
    upgrade(store)
    base = tmp_path / "base.yaml"
    base.write_text(BASE, encoding="utf-8")
    import_files(store, [base])
    with store.session() as session:
        before = export_text(session)

    # Baseline: the same process importing a small valid file (the base again: nothing changes).
    _, baseline_kib, _ = run_measured(["--db", db_url, "import", str(base)], tmp_path)
    path = materialise(name, tmp_path)
    result, peak_kib, seconds = run_measured(["--db", db_url, "import", str(path)], tmp_path)

    assert_refused(result.returncode, result.stderr, result.stdout, path, name)
    # Memory bounded by the input, not by what it would expand to: at most 10x the file's size
    # above the baseline, plus 32 MiB of slack (an alias bomb of a few hundred bytes gets 32 MiB).
    allowed_kib = baseline_kib + 10 * path.stat().st_size // 1024 + 32 * 1024
    assert peak_kib <= allowed_kib, f"{name}: peak RSS {peak_kib} KiB, allowed {allowed_kib} KiB"
    assert seconds < 60, f"{name}: took {seconds:.1f} s"
    with store.session() as session:
        assert export_text(session) == before
    store.dispose()

"""kb's benchmark suite: five figures, each beside a baseline measured in the same run.

    python -m benchmarks.run [--scale 1.0] [--reps 3] [--only import,audit,report,startup,export]

1. import: `kb import runs.jsonl` (1M runs at scale 1) vs raw `sqlite3.executemany` of the same
   rows as ready tuples into the same schema, and `sqlite-utils insert --nl` of the same file.
   Goal <= 2.5x the raw floor, faster than sqlite-utils, peak RSS <= 250 MB.
2. audit: `kb audit --format json` vs one hand-written GROUP BY counting behavioral and
   mechanistic evidence per claim. Goal <= 3x. (Skipped while kb has no `audit` command.)
3. report: `kb report` of the whole KB vs writing the same bytes of pre-rendered HTML.
   Goal <= 5x. (Skipped while kb has no `report` command.)
4. startup: `kb --version` vs `python -c "import typer"`. Goal <= 1.5x.
5. export: `kb export --format jsonl` vs a hand-written sqlite3 dump of the same rows; and
   `kb import` of that export into an empty database vs raw executemany of the same rows.

Every figure is the median of `--reps` runs; kb runs as a child process (as a user runs it), so
its peak RSS is the child's own (`os.wait4`). Times are wall clock, with CPU time beside them:
on a shared machine the CPU ratio is the steadier one. Data and databases are kept in `--work`
(default: a folder under the system's temp dir) and reused by the next run at the same scale.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.generate import VERSION as GENERATOR_VERSION
from benchmarks.generate import Sizes, generate
from kb.bulk.loader import SQLITE_BULK_CACHE_KIB

BENCHMARKS = ("import", "audit", "report", "startup", "export")
BIN = Path(sys.executable).parent


@dataclass
class Measure:
    wall: float
    cpu: float
    maxrss_mb: float | None = None


@dataclass
class Result:
    name: str
    figure: str
    measures: list[Measure]
    baseline: str
    baseline_measures: list[Measure]
    goal: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def wall(self) -> float:
        return statistics.median(m.wall for m in self.measures)

    @property
    def cpu(self) -> float:
        return statistics.median(m.cpu for m in self.measures)

    @property
    def base_wall(self) -> float:
        return statistics.median(m.wall for m in self.baseline_measures)

    @property
    def base_cpu(self) -> float:
        return statistics.median(m.cpu for m in self.baseline_measures)

    @property
    def ratio(self) -> float:
        return self.wall / self.base_wall

    @property
    def cpu_ratio(self) -> float:
        return self.cpu / self.base_cpu if self.base_cpu else float("nan")

    def line(self) -> str:
        goal = ""
        if self.goal is not None:
            goal = f"  goal <= {self.goal:g}x: {'met' if self.ratio <= self.goal else 'MISSED'}"
        return (
            f"[{self.name}] {self.figure}: {self.wall:.3f} s (CPU {self.cpu:.3f} s) | "
            f"{self.baseline}: {self.base_wall:.3f} s (CPU {self.base_cpu:.3f} s) | "
            f"ratio {self.ratio:.2f}x (CPU {self.cpu_ratio:.2f}x){goal}"
        )


def say(text: str) -> None:
    print(text, flush=True)


# --- measuring -------------------------------------------------------------------------------


def kb_command() -> list[str]:
    script = BIN / "kb"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli.main"]


# Runs a command in a small process of its own, so that the command's peak RSS is its own: a
# child forked from this (large) benchmark process would count this process's pages until exec.
_WRAPPER = r"""
import json, os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
code = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as out:
    json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss, "code": code}, out)
sys.exit(code if code >= 0 else 1)
"""


def run_child(cmd: Sequence[str], stdout: Path | None = None, ok: tuple[int, ...] = (0,)) -> Measure:
    """Run a command to completion: its wall time, CPU time and peak RSS (its own, via wait4)."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
        out = stdout.open("wb") if stdout else subprocess.DEVNULL
        try:
            proc = subprocess.run([sys.executable, "-c", _WRAPPER, report.name, *cmd], stdout=out,
                                  stderr=subprocess.PIPE)
        finally:
            if stdout:
                out.close()  # type: ignore[union-attr]
        data = json.loads(Path(report.name).read_text() or "{}")
    if data.get("code") not in ok:
        err = proc.stderr.decode(errors="replace")
        raise RuntimeError(f"{' '.join(cmd)} exited {data.get('code', proc.returncode)}:\n{err[-3000:]}")
    return Measure(data["wall"], data["cpu"], data["maxrss_kb"] / 1024)


def in_process(fn: Callable[[], Any]) -> Measure:
    started, cpu = time.perf_counter(), time.process_time()
    fn()
    return Measure(time.perf_counter() - started, time.process_time() - cpu)


def fresh_copy(template: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return target


# --- data ------------------------------------------------------------------------------------


@dataclass
class Workspace:
    root: Path
    sizes: Sizes

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def template(self) -> Path:
        """Sources, methods and concepts imported: what a runs import starts from."""
        return self.root / "template.sqlite3"

    @property
    def full(self) -> Path:
        """The whole scale KB."""
        return self.root / "full.sqlite3"


def prepare(root: Path, scale: float, seed: int) -> Workspace:
    root.mkdir(parents=True, exist_ok=True)
    marker = root / "prepared.json"
    wanted = {"scale": scale, "seed": seed, "generator": GENERATOR_VERSION}
    sizes = Sizes.at(scale)
    ws = Workspace(root, sizes)
    if marker.exists() and json.loads(marker.read_text()) == wanted and ws.full.exists():
        say(f"reusing {root} ({sizes})")
        return ws
    say(f"generating {sizes} into {ws.data}")
    started = time.perf_counter()
    generate(ws.data, scale, seed)
    say(f"  generated in {time.perf_counter() - started:.1f} s")
    kb = kb_command()
    for path in (ws.template, ws.full):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    run_child([*kb, "--db", str(ws.template), "init"])
    small = [str(ws.data / n) for n in ("sources.yaml", "methods.yaml", "concepts.yaml")]
    m = run_child([*kb, "--db", str(ws.template), "--quiet", "import", *small])
    say(f"  template (sources, methods, concepts) imported in {m.wall:.1f} s")
    fresh_copy(ws.template, ws.full)
    m = run_child([*kb, "--db", str(ws.full), "--quiet", "import", str(ws.data / "runs.jsonl"), str(ws.data / "claims.jsonl")])
    say(f"  full KB (runs and claims added) imported in {m.wall:.1f} s")
    marker.write_text(json.dumps(wanted))
    return ws


# --- 1. import -------------------------------------------------------------------------------


def _run_tuples(ws: Workspace) -> list[tuple[Any, ...]]:
    with sqlite3.connect(ws.template) as conn:
        methods = dict(conn.execute("SELECT key, id FROM methods"))
        sources = dict(conn.execute("SELECT key, id FROM sources"))
    rows = []
    with (ws.data / "runs.jsonl").open("rb") as handle:
        for line in handle:
            r = json.loads(line)
            rows.append((
                r["key"], methods[r["method"]], r.get("subject"), r.get("value"), r.get("dataset"),
                json.dumps(r.get("params", {})), sources.get(r.get("source")), r.get("kind"),
            ))
    return rows


def bench_import(ws: Workspace, reps: int) -> list[Result]:
    kb = kb_command()
    runs = ws.data / "runs.jsonl"
    rows = _run_tuples(ws)
    target = ws.root / "import.sqlite3"
    sqlite_utils = BIN / "sqlite-utils"
    kb_m, raw_m, cached_m, su_m = [], [], [], []
    for rep in range(reps):
        fresh_copy(ws.template, target)
        kb_m.append(run_child([*kb, "--db", str(target), "--quiet", "import", str(runs)]))

        fresh_copy(ws.template, target)

        def raw() -> None:
            conn = sqlite3.connect(target)
            conn.executemany(
                "INSERT INTO runs (key, method_id, subject, value, dataset, params, source_id, kind) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows,
            )
            conn.commit()
            conn.close()

        raw_m.append(in_process(raw))
        fresh_copy(ws.template, target)

        def raw_cached() -> None:
            conn = sqlite3.connect(target)
            conn.execute(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}")
            conn.executemany(
                "INSERT INTO runs (key, method_id, subject, value, dataset, params, source_id, kind) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows,
            )
            conn.commit()
            conn.close()

        cached_m.append(in_process(raw_cached))
        if sqlite_utils.exists():
            su_db = ws.root / "sqlite-utils.sqlite3"
            su_db.unlink(missing_ok=True)
            su_m.append(run_child([str(sqlite_utils), "insert", str(su_db), "runs", str(runs), "--nl"]))
        say(f"  import rep {rep + 1}: kb {kb_m[-1].wall:.2f} s, raw {raw_m[-1].wall:.2f} s, "
            f"raw with kb's cache {cached_m[-1].wall:.2f} s"
            + (f", sqlite-utils {su_m[-1].wall:.2f} s" if su_m else ""))
    n = len(rows)
    result = Result(
        "1 import", f"kb import of {n:,} runs from JSONL", kb_m,
        "raw sqlite3.executemany of the same rows as tuples", raw_m, goal=2.5,
    )
    result.extra = {
        "rows": n,
        "rows_per_s": n / result.wall,
        "peak_rss_mb": max(m.maxrss_mb or 0 for m in kb_m),
        "rss_goal_mb": 250,
    }
    results = [result, Result(
        "1 import", f"kb import of {n:,} runs from JSONL", kb_m,
        f"the same executemany with kb's bulk page cache ({SQLITE_BULK_CACHE_KIB // 1024} MiB)", cached_m,
    )]
    if su_m:
        versus = Result("1 import", f"kb import of {n:,} runs from JSONL", kb_m,
                        "sqlite-utils insert --nl of the same file (no validation)", su_m, goal=1.0)
        results.append(versus)
    return results


# --- 2. audit --------------------------------------------------------------------------------

EVIDENCE_BY_KIND = """
SELECT e.claim_id,
       SUM(CASE WHEN COALESCE(r.kind, m.kind) = 'behavioral' THEN 1 ELSE 0 END),
       SUM(CASE WHEN COALESCE(r.kind, m.kind) = 'mechanistic' THEN 1 ELSE 0 END)
FROM evidence e JOIN runs r ON r.id = e.run_id JOIN methods m ON m.id = r.method_id
GROUP BY e.claim_id
"""


def has_command(name: str) -> bool:
    result = subprocess.run([*kb_command(), name, "--help"], capture_output=True)
    return result.returncode == 0


def bench_audit(ws: Workspace, reps: int) -> list[Result]:
    kb = kb_command()
    out = ws.root / "audit.json"
    kb_m, base_m = [], []
    for rep in range(reps):
        kb_m.append(run_child([*kb, "--db", str(ws.full), "audit", "--format", "json"], stdout=out, ok=(0, 1)))

        def group_by() -> None:
            conn = sqlite3.connect(ws.full)
            conn.execute(EVIDENCE_BY_KIND).fetchall()
            conn.close()

        base_m.append(in_process(group_by))
        say(f"  audit rep {rep + 1}: kb {kb_m[-1].wall:.2f} s, GROUP BY {base_m[-1].wall:.2f} s")
    claims = ws.sizes.claims
    return [Result("2 audit", f"kb audit --format json over {claims:,} claims", kb_m,
                   "one GROUP BY counting behavioral/mechanistic evidence per claim", base_m, goal=3.0,
                   extra={"output_bytes": out.stat().st_size, "peak_rss_mb": max(m.maxrss_mb or 0 for m in kb_m)})]


# --- 3. report -------------------------------------------------------------------------------


def bench_report(ws: Workspace, reps: int) -> list[Result]:
    kb = kb_command()
    site = ws.root / "site"
    copy = ws.root / "site-copy"
    kb_m, base_m = [], []
    for rep in range(reps):
        shutil.rmtree(site, ignore_errors=True)
        kb_m.append(run_child([*kb, "--db", str(ws.full), "report", "-o", str(site)]))
        pages = [(p.relative_to(site), p.read_bytes()) for p in sorted(site.rglob("*")) if p.is_file()]
        shutil.rmtree(copy, ignore_errors=True)

        def write_pages(pages: list[tuple[Path, bytes]] = pages) -> None:
            for relative, data in pages:
                path = copy / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)

        base_m.append(in_process(write_pages))
        say(f"  report rep {rep + 1}: kb {kb_m[-1].wall:.2f} s, writing the bytes {base_m[-1].wall:.2f} s")
    total = sum(len(data) for _, data in pages)
    return [Result("3 report", f"kb report of the whole KB ({len(pages):,} files, {total / 2**20:.1f} MiB)", kb_m,
                   "writing the same bytes of pre-rendered HTML", base_m, goal=5.0,
                   extra={"files": len(pages), "bytes": total, "peak_rss_mb": max(m.maxrss_mb or 0 for m in kb_m)})]


# --- 4. start-up -----------------------------------------------------------------------------


def bench_startup(reps: int) -> list[Result]:
    kb = kb_command()
    kb_m, base_m = [], []
    for _ in range(reps):
        kb_m.append(run_child([*kb, "--version"]))
        base_m.append(run_child([sys.executable, "-c", "import typer"]))
    return [Result("4 startup", "kb --version", kb_m, 'python -c "import typer"', base_m, goal=1.5)]


# --- 5. export and re-import -----------------------------------------------------------------


def _dump_jsonl(db: Path, folder: Path) -> None:
    """The hand-written floor: the same rows as JSON lines through a plain sqlite3 cursor."""
    folder.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db)
    with (folder / "runs.jsonl").open("w", encoding="utf-8") as out:
        for key, method, subject, value, dataset, params, source, kind in conn.execute(
            "SELECT r.key, m.key, r.subject, r.value, r.dataset, r.params, s.key, r.kind FROM runs r "
            "JOIN methods m ON m.id = r.method_id LEFT JOIN sources s ON s.id = r.source_id ORDER BY r.key"
        ):
            record = {"key": key, "method": method, "subject": subject, "value": value, "dataset": dataset,
                      "params": json.loads(params), "source": source, "kind": kind}
            out.write(json.dumps({k: v for k, v in record.items() if v not in (None, {})}) + "\n")
    links: dict[int, list[dict[str, str]]] = {}
    for claim_id, run_key, cited_key, stance in conn.execute(
        "SELECT e.claim_id, r.key, c.key, e.stance FROM evidence e LEFT JOIN runs r ON r.id = e.run_id "
        "LEFT JOIN claims c ON c.id = e.cited_claim_id ORDER BY e.claim_id, e.position"
    ):
        link = {"run": run_key} if run_key else {"claim": cited_key}
        links.setdefault(claim_id, []).append(link | {"stance": stance})
    with (folder / "claims.jsonl").open("w", encoding="utf-8") as out:
        for claim_id, key, source, concept, text, stated, subject in conn.execute(
            "SELECT c.id, c.key, s.key, k.key, c.text, c.stated_kind, c.subject FROM claims c "
            "JOIN sources s ON s.id = c.source_id JOIN concepts k ON k.id = c.concept_id ORDER BY c.key"
        ):
            record = {"key": key, "source": source, "concept": concept, "text": text, "stated_kind": stated,
                      "subject": subject, "evidence": links.get(claim_id)}
            out.write(json.dumps({k: v for k, v in record.items() if v is not None}) + "\n")
    conn.close()


TABLES = ("sources", "methods", "concepts", "definitions", "concept_relations", "definition_dependencies",
          "criteria", "runs", "claims", "evidence", "suppressions")


def bench_export(ws: Workspace, reps: int) -> list[Result]:
    kb = kb_command()
    folder, floor_folder = ws.root / "export", ws.root / "export-floor"
    empty = ws.root / "empty.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{empty}{suffix}").unlink(missing_ok=True)
    run_child([*kb, "--db", str(empty), "init"])
    with sqlite3.connect(ws.full) as conn:
        table_rows = {t: conn.execute(f"SELECT * FROM {t}").fetchall() for t in TABLES}
    export_m, dump_m, import_m, raw_m = [], [], [], []
    target = ws.root / "reimport.sqlite3"
    for rep in range(reps):
        shutil.rmtree(folder, ignore_errors=True)
        export_m.append(run_child([*kb, "--db", str(ws.full), "--quiet", "export", "--format", "jsonl", "-o", str(folder)]))
        shutil.rmtree(floor_folder, ignore_errors=True)
        dump_m.append(in_process(lambda: _dump_jsonl(ws.full, floor_folder)))

        fresh_copy(empty, target)
        import_m.append(run_child([*kb, "--db", str(target), "--quiet", "import", str(folder)]))
        fresh_copy(empty, target)

        def raw() -> None:
            conn = sqlite3.connect(target)
            for table, rows in table_rows.items():
                if rows:
                    conn.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
            conn.commit()
            conn.close()

        raw_m.append(in_process(raw))
        say(f"  export rep {rep + 1}: export {export_m[-1].wall:.2f} s, dump {dump_m[-1].wall:.2f} s, "
            f"import {import_m[-1].wall:.2f} s, raw {raw_m[-1].wall:.2f} s")
    sizes = {p.name: p.stat().st_size for p in sorted(folder.iterdir())}
    total_rows = sum(len(rows) for rows in table_rows.values())
    return [
        Result("5 export", "kb export --format jsonl of the whole KB", export_m,
               "hand-written sqlite3 dump of runs and claims to JSONL", dump_m,
               extra={"files": sizes, "peak_rss_mb": max(m.maxrss_mb or 0 for m in export_m)}),
        Result("5 re-import", "kb import of that export into an empty database", import_m,
               f"raw executemany of the same {total_rows:,} rows into every table", raw_m,
               extra={"rows": total_rows, "peak_rss_mb": max(m.maxrss_mb or 0 for m in import_m)}),
    ]


# --- main ------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        total_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{total_kb / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    from importlib.metadata import version

    versions = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for package in ("kb", "sqlalchemy", "pydantic", "typer", "sqlite-utils"):
        try:
            versions[package] = version(package)
        except Exception:
            versions[package] = "not installed"
    return {"nproc": os.cpu_count(), "memory": memory, "cpu": cpu, "platform": platform.platform(),
            "load_average": os.getloadavg(), "versions": versions,
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="size of the synthetic KB (1.0: 1M runs)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions per figure (median; at least 3)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated: " + ", ".join(BENCHMARKS))
    parser.add_argument("--work", type=Path, default=None, help="folder for data and databases (reused)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    reps = max(3, args.reps)
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(only) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    work = args.work or Path(tempfile.gettempdir()) / f"kb-bench-{args.scale:g}-{args.seed}"
    info = machine()
    say(f"machine: {info['nproc']} cores, {info['memory']}, {info['cpu']}; load {info['load_average']}")
    say(f"versions: {info['versions']}")
    ws = prepare(work, args.scale, args.seed)
    results: list[Result] = []
    skipped: dict[str, str] = {}
    for name in only:
        say(f"== {name}")
        if name in ("audit", "report") and not has_command(name):
            skipped[name] = f"kb has no `{name}` command yet"
            say(f"  skipped: {skipped[name]}")
            continue
        try:
            if name == "import":
                found = bench_import(ws, reps)
            elif name == "audit":
                found = bench_audit(ws, reps)
            elif name == "report":
                found = bench_report(ws, reps)
            elif name == "startup":
                found = bench_startup(max(reps, 10))
            else:
                found = bench_export(ws, reps)
        except RuntimeError as exc:  # a command failed: say so, and go on with the others
            skipped[name] = f"failed: {exc}"
            say(f"  FAILED: {exc}")
            continue
        for result in found:
            say(result.line())
            if result.extra:
                say(f"    {json.dumps(result.extra)}")
        results.extend(found)
    say("== summary")
    for result in results:
        say(result.line())
    for name, reason in skipped.items():
        say(f"[{name}] not measured: {reason.splitlines()[0]}")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": info, "scale": args.scale, "sizes": asdict(ws.sizes), "reps": reps, "skipped": skipped,
            "results": [
                {"name": r.name, "figure": r.figure, "baseline": r.baseline, "wall_s": r.wall, "cpu_s": r.cpu,
                 "baseline_wall_s": r.base_wall, "baseline_cpu_s": r.base_cpu, "ratio": r.ratio,
                 "cpu_ratio": r.cpu_ratio, "goal": r.goal, "extra": r.extra,
                 "measures": [asdict(m) for m in r.measures],
                 "baseline_measures": [asdict(m) for m in r.baseline_measures]}
                for r in results
            ],
        }, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

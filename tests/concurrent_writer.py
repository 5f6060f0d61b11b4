"""One of several processes writing to one database at once (tests/test_concurrency.py).

`python -m tests.concurrent_writer URL WORKER WORKERS COUNT FOLDER` says it is ready (a file in
FOLDER) and waits until all WORKERS are, so that they start together, then adds COUNT runs and COUNT claims
citing them through the CLI, one command (one transaction) each, imports one file of COUNT
more runs and claims, and streams COUNT more runs from a JSONL file (the bulk path). Every command must exit 0; the worker exits 1 at the first that does not.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cli.main import app


def kb(url: str, *args: str) -> None:
    code = app(["--db", url, *args], prog_name="kb", standalone_mode=False)
    if code not in (None, 0):
        print(f"kb {' '.join(args)} exited {code}", file=sys.stderr)
        raise SystemExit(1)


def main(url: str, worker: str, workers: int, count: int, folder: Path) -> None:
    doc = folder / f"worker-{worker}.yaml"
    lines = ["kb: 1", "runs:"]
    lines += [f"  - {{key: w{worker}-imported-r{i}, method: m, value: {i}}}" for i in range(count)]
    lines += ["claims:"]
    lines += [
        f"  - {{key: w{worker}-imported-k{i}, source: s, concept: c, text: t, evidence: [{{run: w{worker}-imported-r{i}}}]}}"
        for i in range(count)
    ]
    doc.write_text("\n".join(lines) + "\n", encoding="utf-8")
    streamed = folder / f"worker-{worker}-runs.jsonl"  # the bulk import path
    streamed.write_text(
        "".join(f'{{"key": "w{worker}-streamed-r{i}", "method": "m", "value": {i}}}\n' for i in range(count)),
        encoding="utf-8",
    )
    (folder / f"ready-{worker}").touch()
    deadline = time.monotonic() + 300
    while len(list(folder.glob("ready-*"))) < workers:
        if time.monotonic() > deadline:
            raise SystemExit("the other workers never got ready")
        time.sleep(0.01)
    for i in range(count):
        run = f"w{worker}-r{i}"
        kb(url, "-q", "run", "add", run, "--method", "m", "--value", str(i), "--param", f"worker={worker}")
        kb(url, "-q", "claim", "add", f"w{worker}-k{i}", "--source", "s", "--concept", "c", "--text", f"claim {i}",
           "--evidence", run)
        if i == count // 2:
            kb(url, "-q", "import", str(doc))
        if i == count // 3:
            kb(url, "-q", "import", str(streamed))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5]))

"""A progress bar for long imports: on a terminal only, on stderr, with rows and rows/s."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def stream_progress(enabled: bool) -> Iterator[Any]:
    """Yield an `on_progress(stream, bytes_done)` callback, or None when stderr is no terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    started: dict[str, float] = {}
    tasks: dict[str, Any] = {}
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]:>12,} rows  {task.fields[rate]:>9,.0f} rows/s"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )

    def on_progress(stream: Any, done: int) -> None:
        name = stream.name
        if name not in tasks:
            started[name] = time.perf_counter()
            tasks[name] = progress.add_task(name, total=stream.size or None, rows=0, rate=0.0)
        elapsed = max(time.perf_counter() - started[name], 1e-6)
        rows = stream.lines_read
        progress.update(tasks[name], completed=done, rows=rows, rate=rows / elapsed)

    with progress:
        yield on_progress

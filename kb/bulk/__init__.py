"""Bulk import: runs, claims and evidence links from JSONL and CSV streams, at a million rows.

`load_streams` reads each file one line at a time (`streams`), validates each line
(`records`), and upserts in batches with SQLAlchemy Core (`loader`); links between records wait
in temporary tables until the end (`staging`). Everything happens in the caller's transaction,
so the first bad line stops the import and nothing is written. Memory stays bounded by the
batch size, whatever the size of the files.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.orm import Session

from kb.bulk.loader import BulkLoader
from kb.bulk.records import validate_line
from kb.bulk.streams import ProgressCallback, Stream, is_stream
from kb.services.changeset import Incoming

__all__ = ["is_stream", "load_streams", "paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Keep the cyclic garbage collector out of a bulk build.

    Building a million small objects triggers a collection every few hundred allocations, and
    each one walks every object alive: most of the time of such a build goes there. Objects
    alive before the build are frozen (never scanned again), and collection is off until the end.
    """
    was_enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.unfreeze()


def load_streams(
    session: Session,
    paths: Sequence[Path],
    records: Sequence[Incoming] = (),
    on_progress: ProgressCallback | None = None,
) -> dict[str, dict[str, int]]:
    """Upsert `records` (runs and claims already validated, e.g. from YAML files of the same
    import) and every line of the JSONL/CSV `paths`, inside the session's transaction.

    Returns added/changed/unchanged counts for `run`, `claim` and `evidence`. Raises
    InvalidInput at the first bad line, naming file, line, record and field.
    """
    files = [str(path) for path in paths]
    origin_files = {name: i for i, name in enumerate(files)}
    for incoming in records:
        if incoming.origin.file not in origin_files:
            origin_files[str(incoming.origin.file)] = len(files)
            files.append(str(incoming.origin.file))

    def earlier(type_: str, key: str) -> tuple[int, int | None] | None:
        return _first_occurrence(type_, key, paths, records, origin_files)

    loader = BulkLoader(session.connection(), files, earlier)
    add = {"run": loader.add_run, "claim": loader.add_claim, "evidence": loader.add_evidence}
    try:
        with paused_gc():
            for incoming in records:
                add[incoming.type](incoming.record, origin_files[str(incoming.origin.file)], incoming.origin.line)
            for file_no, path in enumerate(paths):
                stream = Stream(path, file_no, on_progress)
                for line in stream:
                    add[line.kind](validate_line(line, stream.name), file_no, line.number)
            return loader.finish()
    finally:
        loader.close()


def _first_occurrence(
    type_: str, key: str, paths: Sequence[Path], records: Sequence[Incoming], origin_files: dict[str, int]
) -> tuple[int, int | None] | None:
    """Where a key first appears in this import (read again only when reporting a duplicate)."""
    for incoming in records:
        if incoming.type == type_ and incoming.key == key:
            return origin_files[str(incoming.origin.file)], incoming.origin.line
    needle = json.dumps(key).encode()
    for file_no, path in enumerate(paths):
        for line in Stream(path, file_no):
            if line.kind != type_:
                continue
            data = line.data
            if isinstance(data, bytes):
                if needle not in data:
                    continue
                try:
                    data = json.loads(data)
                except ValueError:
                    continue
            if isinstance(data, dict) and data.get("key") == key:
                return file_no, line.number
    return None

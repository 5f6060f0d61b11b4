"""`kb import`: read files, merge them, check every reference, then upsert in one transaction.

Any problem in any file means nothing is written. `dry_run` runs every check and reports what
would be added, changed and left unchanged, then writes nothing.

YAML and JSON documents and BibTeX files are read whole and merged into one changeset. JSONL and
CSV files (runs, claims, evidence links) are streamed through `kb.bulk`, after the changeset's
sources, methods, concepts and definitions are written and together with its runs and claims,
in the same transaction. A dry run with streams writes everything and rolls it back, so its
counts are exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from kb.bulk import is_stream, load_streams
from kb.bulk.streams import ProgressCallback
from kb.errors import InvalidInput, Location
from kb.graph.validate import check_changeset as check_graph
from kb.services import catalog
from kb.services.bibtex import load_bibtex
from kb.services.changeset import TYPES, Changeset, Incoming, from_documents
from kb.services.loading import LoadedDocument, load_document
from kb.services.references import check_references
from kb.services.writer import Writer
from kb.store import models as m
from kb.store.database import Store
from kb.store.migrate import require_current


@dataclass
class ImportReport:
    """What an import did (or, on a dry run, would do), by record type."""

    dry_run: bool = False
    added: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in TYPES})
    changed: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in TYPES})
    unchanged: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in TYPES})
    # Streamed records (runs, claims, evidence links) are counted, not listed by key.
    streamed: dict[str, dict[str, int]] = field(default_factory=dict)

    def counts(self) -> dict[str, dict[str, int]]:
        counts = {
            t: {"added": len(self.added[t]), "changed": len(self.changed[t]), "unchanged": len(self.unchanged[t])}
            for t in TYPES
        }
        for type_, streamed in self.streamed.items():
            total = counts.setdefault(type_, {"added": 0, "changed": 0, "unchanged": 0})
            for outcome, number in streamed.items():
                total[outcome] += number
        return counts

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "dry_run": self.dry_run,
            "added": {t: sorted(v) for t, v in self.added.items() if v},
            "changed": {t: sorted(v) for t, v in self.changed.items() if v},
            "unchanged": {t: len(v) for t, v in self.unchanged.items() if v},
        }
        if self.streamed:
            data["streamed"] = {t: c for t, c in self.streamed.items() if any(c.values())}
        return data


def load_files(paths: Sequence[Path]) -> list[LoadedDocument]:
    """Load every file, collecting the problems of all of them before giving up."""
    loaded: list[LoadedDocument] = []
    problems: list[tuple[Location, str]] = []
    for path in paths:
        try:
            loaded.append(load_bibtex(path) if path.suffix.lower() == ".bib" else load_document(path))
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInput(problems)
    return loaded


def _existing_records(session: Session, type_: str, keys: list[str]) -> dict[str, dict[str, Any]]:
    """The database's current version of each key, in the changeset's comparable shape."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        if type_ == "source":
            rows = session.scalars(select(m.Source).where(m.Source.key.in_(chunk)))
            found.update({r.key: catalog.source_record(r).model_dump(mode="json") for r in rows})
        elif type_ == "method":
            rows = session.scalars(select(m.Method).where(m.Method.key.in_(chunk)))
            found.update({r.key: catalog.method_record(r).model_dump(mode="json") for r in rows})
        elif type_ == "concept":
            rows = session.scalars(
                select(m.Concept)
                .where(m.Concept.key.in_(chunk))
                .options(selectinload(m.Concept.relations).selectinload(m.ConceptRelation.target))
            )
            for r in rows:
                data = catalog.concept_record(r, with_definitions=False).model_dump(mode="json")
                data.pop("definitions")
                found[r.key] = data
        elif type_ == "definition":
            concepts = sorted({k.split("/", 1)[0] for k in chunk})
            rows = session.scalars(
                select(m.Definition).join(m.Definition.concept).where(m.Concept.key.in_(concepts))
            )
            wanted = set(chunk)
            for r in rows:
                ref = f"{r.concept.key}/{r.key}"
                if ref in wanted:
                    found[ref] = catalog.definition_record(r).model_dump(mode="json")
        elif type_ == "run":
            rows = session.scalars(select(m.Run).where(m.Run.key.in_(chunk)))
            found.update({r.key: catalog.run_record(r).model_dump(mode="json") for r in rows})
        elif type_ == "claim":
            rows = session.scalars(select(m.Claim).where(m.Claim.key.in_(chunk)))
            found.update({r.key: catalog.claim_record(r).model_dump(mode="json") for r in rows})
    return found


def _missing_inverse_edges(session: Session, incoming: Incoming) -> bool:
    """A `narrower` relation is stored as the target's `broader` edge: is any of them missing?"""
    narrower = {r.target for r in incoming.record.relations if r.type == "narrower"}  # type: ignore[attr-defined]
    return bool(narrower) and not narrower <= _broader_sources(session, incoming.key)


def _broader_sources(session: Session, concept_key: str) -> set[str]:
    """Keys of the concepts whose `broader` edge points at `concept_key`."""
    target = session.scalars(select(m.Concept.id).where(m.Concept.key == concept_key)).one_or_none()
    if target is None:
        return set()
    return set(
        session.scalars(
            select(m.Concept.key)
            .join(m.ConceptRelation, m.ConceptRelation.concept_id == m.Concept.id)
            .where(m.ConceptRelation.type == "broader", m.ConceptRelation.target_id == target)
        )
    )


def classify(session: Session, changeset: Changeset) -> tuple[ImportReport, Changeset]:
    """Sort the changeset into added / changed / unchanged; return the part that must be written."""
    report = ImportReport()
    to_write = Changeset()
    for type_ in TYPES:
        items = changeset.of(type_)
        existing = _existing_records(session, type_, [i.key for i in items])
        for item in items:
            before = existing.get(item.key)
            if before is None:
                report.added[type_].append(item.key)
            elif before != item.comparable or (type_ == "concept" and _missing_inverse_edges(session, item)):
                report.changed[type_].append(item.key)
            else:
                report.unchanged[type_].append(item.key)
                continue
            to_write.records[type_][item.key] = item
    return report, to_write


def apply_changeset(session: Session, changeset: Changeset, dry_run: bool = False) -> ImportReport:
    """Check references and the resulting concept graph (no broader/part_of cycles), classify,
    and (unless a dry run) write: the caller owns the transaction."""
    check_references(session, changeset)
    check_graph(session, changeset)
    report, to_write = classify(session, changeset)
    report.dry_run = dry_run
    if not dry_run:
        Writer(session).write(to_write)
        _refresh_origins(session, [changeset.records["claim"][k] for k in report.unchanged["claim"]])
    return report


def _refresh_origins(session: Session, claims: list[Incoming]) -> None:
    """An unchanged claim read from another file now points at that file (audit locations)."""
    for item in claims:
        session.execute(
            update(m.Claim)
            .where(m.Claim.key == item.key)
            .values(origin_file=item.origin.file, origin_line=item.origin.line)
        )


def apply_with_streams(
    session: Session, changeset: Changeset, streams: Sequence[Path], on_progress: ProgressCallback | None = None
) -> ImportReport:
    """Write the changeset's small records, then stream its runs and claims and the files'."""
    small = Changeset()
    bulk: list[Incoming] = []
    for type_ in TYPES:
        if type_ in ("run", "claim"):
            bulk.extend(changeset.of(type_))
        else:
            small.records[type_] = changeset.records[type_]
    report = apply_changeset(session, small)
    session.flush()
    report.streamed = load_streams(session, streams, bulk, on_progress)
    return report


def import_files(
    store: Store, paths: Sequence[Path], dry_run: bool = False, on_progress: ProgressCallback | None = None
) -> ImportReport:
    """Import interchange files into the store in one transaction (see module docstring).

    `on_progress(stream, bytes_done)` is called now and then while a JSONL or CSV file is read.
    """
    require_current(store)
    streams = [p for p in paths if is_stream(p)]
    changeset = from_documents(load_files([p for p in paths if not is_stream(p)]))
    with store.session(write=bool(streams) or not dry_run) as session:
        if streams:
            report = apply_with_streams(session, changeset, streams, on_progress)
        else:
            report = apply_changeset(session, changeset, dry_run=dry_run)
        report.dry_run = dry_run
        if dry_run:
            session.rollback()
    return report

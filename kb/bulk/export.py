"""Export at scale: the knowledge base as the files a bulk import reads back.

`export_folder` writes `kb.yaml` (sources, methods, concepts with their definitions), then
`runs.jsonl` and `claims.jsonl`, one record per line in the interchange format, sorted by key,
with the same pruning as the YAML export (no None, no empty lists). Runs and claims are read a
page at a time by key (keyset pagination), so memory stays bounded; `kb import FOLDER` reads the
folder back. The same database gives the same bytes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import schema
from kb.services import catalog
from kb.services.exporting import document_data, dump
from kb.store import models as m

PAGE = 5_000

RUNS = m.Run.__table__
CLAIMS = m.Claim.__table__
EVIDENCE = m.EvidenceLink.__table__
SUPPRESSIONS = m.Suppression.__table__


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


def _pages(session: Session, query: Any, key_column: Any) -> Iterator[list[Any]]:
    last: str | None = None
    while True:
        page_query = query.order_by(key_column).limit(PAGE)
        if last is not None:
            page_query = page_query.where(key_column > last)
        rows = session.execute(page_query).all()
        if not rows:
            return
        yield rows
        last = rows[-1].key


def run_lines(session: Session) -> Iterator[str]:
    method, source = m.Method.__table__, m.Source.__table__
    query = (
        select(RUNS.c.key, method.c.key.label("method"), RUNS.c.subject, RUNS.c.value, RUNS.c.dataset,
               RUNS.c.params, source.c.key.label("source"), RUNS.c.kind)
        .join(method, method.c.id == RUNS.c.method_id)
        .outerjoin(source, source.c.id == RUNS.c.source_id)
    )
    for rows in _pages(session, query, RUNS.c.key):
        for row in rows:
            record = {k: v for k, v in row._mapping.items() if v is not None}
            if not record.get("params"):
                record.pop("params", None)
            yield _line(record)


def claim_lines(session: Session) -> Iterator[str]:
    source, concept = m.Source.__table__, m.Concept.__table__
    definition, def_concept = m.Definition.__table__, m.Concept.__table__.alias("def_concept")
    query = (
        select(CLAIMS.c.id, CLAIMS.c.key, source.c.key.label("source"), concept.c.key.label("concept"),
               CLAIMS.c.text, CLAIMS.c.stated_kind, def_concept.c.key.label("def_concept"),
               definition.c.key.label("def_key"), CLAIMS.c.subject)
        .join(source, source.c.id == CLAIMS.c.source_id)
        .join(concept, concept.c.id == CLAIMS.c.concept_id)
        .outerjoin(definition, definition.c.id == CLAIMS.c.definition_id)
        .outerjoin(def_concept, def_concept.c.id == definition.c.concept_id)
    )
    run, cited = RUNS.alias("r"), CLAIMS.alias("cc")
    for rows in _pages(session, query, CLAIMS.c.key):
        ids = [row.id for row in rows]
        evidence: dict[int, list[dict[str, str]]] = {i: [] for i in ids}
        for claim_id, run_key, cited_key, stance in session.execute(
            select(EVIDENCE.c.claim_id, run.c.key, cited.c.key, EVIDENCE.c.stance)
            .outerjoin(run, run.c.id == EVIDENCE.c.run_id)
            .outerjoin(cited, cited.c.id == EVIDENCE.c.cited_claim_id)
            .where(EVIDENCE.c.claim_id.in_(ids))
            .order_by(EVIDENCE.c.claim_id, EVIDENCE.c.position)
        ):
            link = {"run": run_key} if run_key is not None else {"claim": cited_key}
            link["stance"] = stance
            evidence[claim_id].append(link)
        suppress: dict[int, list[dict[str, str]]] = {i: [] for i in ids}
        for claim_id, code, reason in session.execute(
            select(SUPPRESSIONS.c.claim_id, SUPPRESSIONS.c.code, SUPPRESSIONS.c.reason)
            .where(SUPPRESSIONS.c.claim_id.in_(ids))
            .order_by(SUPPRESSIONS.c.claim_id, SUPPRESSIONS.c.position)
        ):
            suppress[claim_id].append({"code": code, "reason": reason})
        for row in rows:
            record: dict[str, Any] = {"key": row.key, "source": row.source, "concept": row.concept, "text": row.text}
            if row.stated_kind is not None:
                record["stated_kind"] = row.stated_kind
            if row.def_key is not None:
                record["definition"] = f"{row.def_concept}/{row.def_key}"
            if row.subject is not None:
                record["subject"] = row.subject
            if evidence[row.id]:
                record["evidence"] = evidence[row.id]
            if suppress[row.id]:
                record["suppress"] = suppress[row.id]
            yield _line(record)


def small_records_text(session: Session) -> str:
    """Sources, methods and concepts (with definitions) as one YAML document."""
    document = schema.Document(
        sources=[catalog.source_record(r) for r in catalog.list_sources(session)],
        methods=[catalog.method_record(r) for r in catalog.list_methods(session)],
        concepts=[catalog.concept_record(r) for r in catalog.list_concepts(session)],
    )
    return dump(document_data(document), "yaml")


def _write(path: Path, lines: Iterator[str]) -> int:
    tmp = path.with_name(path.name + ".tmp")
    size = 0
    with tmp.open("w", encoding="utf-8", newline="\n") as handle:
        for line in lines:
            handle.write(line)
            size += len(line)
    os.replace(tmp, path)
    return size


def export_folder(session: Session, folder: Path) -> dict[str, int]:
    """Write kb.yaml, runs.jsonl and claims.jsonl into `folder`; returns characters per file."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "kb.yaml": _write(folder / "kb.yaml", iter([small_records_text(session)])),
        "runs.jsonl": _write(folder / "runs.jsonl", run_lines(session)),
        "claims.jsonl": _write(folder / "claims.jsonl", claim_lines(session)),
    }

"""Writing validated runs, claims and evidence links in batches with SQLAlchemy Core.

Upsert by key as in the normal import: per batch, one query finds which keys the database
holds; new rows go in with one executemany INSERT, changed ones with one executemany UPDATE,
unchanged ones are only counted. References to small tables (methods, sources, concepts,
definitions) resolve through dictionaries loaded once, so a bad one stops the import at its own
line; references to runs and claims are staged (`kb.bulk.staging`) and resolved at the end.

A key given twice in one import is refused. Rows this import inserted have ids above the
table's largest id at the start (SQLite holds the write lock; PostgreSQL's tables are locked
against other writers), and pre-existing rows it updated are marked in a bitmap, so no set of a
million keys is ever built.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection

import schema
from kb.bulk import staging
from kb.errors import InvalidInput, Location
from kb.store import models as m

BATCH = 5_000
# SQLite's page cache during a bulk load (KiB): inserting a million rows updates four indexes
# in random order, and a 2 MB cache (the default) sends most page reads back to the OS.
SQLITE_BULK_CACHE_KIB = 65_536

RUNS = m.Run.__table__
CLAIMS = m.Claim.__table__
EVIDENCE = m.EvidenceLink.__table__
SUPPRESSIONS = m.Suppression.__table__

_json = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode

_RUN_COLUMNS = ("method_id", "subject", "value", "dataset", "params", "source_id", "kind")
_CLAIM_COLUMNS = ("source_id", "concept_id", "text", "stated_kind", "definition_id", "subject")

# Where an earlier record with a key was: (file_no, line) or None when it cannot be told.
EarlierLookup = Callable[[str, str], "tuple[int, int | None] | None"]


class _Seen:
    """Which rows of a table this import has already written, without a set of keys."""

    def __init__(self, start_max: int):
        self.start_max = start_max
        self._touched = bytearray(start_max // 8 + 1)

    def check_and_mark(self, row_id: int) -> bool:
        """True when the row was written earlier in this import; marks it written."""
        if row_id > self.start_max:
            return True
        byte, bit = divmod(row_id, 8)
        if self._touched[byte] & (1 << bit):
            return True
        self._touched[byte] |= 1 << bit
        return False


def _counts() -> dict[str, int]:
    return {"added": 0, "changed": 0, "unchanged": 0}


class BulkLoader:
    """Feed it records with `add_*`, then call `finish()`; all inside the caller's transaction."""

    def __init__(self, conn: Connection, files: list[str], earlier: EarlierLookup | None = None):
        self.conn = conn
        self.files = files
        self.earlier = earlier
        self.counts: dict[str, dict[str, int]] = {"run": _counts(), "claim": _counts(), "evidence": _counts()}
        self._cache_before: int | None = None
        if conn.dialect.name == "sqlite":
            self._cache_before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
            conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}")
        if conn.dialect.name == "postgresql":
            # Other writers wait; readers go on. Ids above the start maximum are then ours.
            conn.exec_driver_sql("LOCK TABLE runs, claims, evidence, suppressions IN SHARE ROW EXCLUSIVE MODE")
        self._methods = dict(conn.execute(select(m.Method.key, m.Method.id)).all())
        self._sources = dict(conn.execute(select(m.Source.key, m.Source.id)).all())
        self._concepts: dict[str, int] | None = None
        self._definitions: dict[str, int] = {}
        self._runs_seen = _Seen(conn.execute(select(func.coalesce(func.max(RUNS.c.id), 0))).scalar_one())
        self._claims_seen = _Seen(conn.execute(select(func.coalesce(func.max(CLAIMS.c.id), 0))).scalar_one())
        self._runs: list[tuple[Any, ...]] = []
        self._claims: list[tuple[Any, ...]] = []
        self._evidence: list[tuple[Any, ...]] = []
        self._suppressions: list[tuple[Any, ...]] = []
        self._seq = 0
        staging.create(conn)

    def close(self) -> None:
        """Give the connection back as it was (it returns to the pool)."""
        if self._cache_before is not None:
            self.conn.exec_driver_sql(f"PRAGMA cache_size = {int(self._cache_before)}")
            self._cache_before = None

    # --- errors -----------------------------------------------------------------------------

    def _where(self, file_no: int, line: int | None, record: str | None, field: str | None) -> Location:
        return Location(file=self.files[file_no], line=line, record=record, field=field)

    def _unknown(self, file_no: int, line: int | None, record: str, field: str, type_: str, key: str) -> InvalidInput:
        return InvalidInput([(self._where(file_no, line, record, field), f"unknown {type_} {key!r}")])

    def _duplicate(self, type_: str, key: str, file_no: int, line: int | None,
                   earlier: tuple[int, int | None] | None) -> InvalidInput:
        if earlier is None and self.earlier is not None:
            earlier = self.earlier(type_, key)
        also = ""
        if earlier is not None:
            also = f" (also at {self.files[earlier[0]]}" + (f":{earlier[1]})" if earlier[1] else ")")
        return InvalidInput([(
            self._where(file_no, line, key, "key"),
            f"duplicate {type_} key {key!r}{also}; one import cannot give a key twice",
        )])

    def _insert(self, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """INSERT many rows through the driver's executemany: SQLAlchemy's per-row parameter
        processing would cost as much as SQLite's own work. Values are ready for the driver
        (JSON already serialised)."""
        quote = self.conn.dialect.identifier_preparer.quote
        mark = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join([mark] * len(columns))})"
        )
        self.conn.exec_driver_sql(sql, rows)

    # --- runs -------------------------------------------------------------------------------

    def add_run(self, rec: schema.Run, file_no: int, line: int | None) -> None:
        method_id = self._methods.get(rec.method)
        if method_id is None:
            raise self._unknown(file_no, line, rec.key, "method", "method", rec.method)
        source_id = None
        if rec.source is not None:
            source_id = self._sources.get(rec.source)
            if source_id is None:
                raise self._unknown(file_no, line, rec.key, "source", "source", rec.source)
        kind = rec.kind.value if rec.kind is not None else None
        self._runs.append(
            (file_no, line, rec.key, method_id, rec.subject, rec.value, rec.dataset, rec.params, source_id, kind)
        )
        if len(self._runs) >= BATCH:
            self._write_runs()

    def _write_runs(self) -> None:
        batch, self._runs = self._runs, []
        positions: dict[str, int] = {}
        for i, row in enumerate(batch):
            earlier = positions.setdefault(row[2], i)
            if earlier != i:
                raise self._duplicate("run", row[2], row[0], row[1], (batch[earlier][0], batch[earlier][1]))
        existing = {
            r[0]: r[1:]
            for r in self.conn.execute(
                select(RUNS.c.key, RUNS.c.id, *(RUNS.c[c] for c in _RUN_COLUMNS)).where(
                    RUNS.c.key.in_(list(positions))
                )
            )
        }
        inserts: list[tuple[Any, ...]] = []
        updates: list[dict[str, Any]] = []
        unchanged = 0
        for row in batch:
            values = row[3:]
            found = existing.get(row[2])
            if found is None:
                params = row[7]
                inserts.append((row[2], row[3], row[4], row[5], row[6], _json(params), row[8], row[9]))
                continue
            if self._runs_seen.check_and_mark(found[0]):
                raise self._duplicate("run", row[2], row[0], row[1], None)
            if tuple(found[1:]) == values:
                unchanged += 1
            else:
                updates.append(dict(zip(_RUN_COLUMNS, values, strict=True), row_id=found[0]))
        if inserts:
            self._insert(RUNS, ("key", *_RUN_COLUMNS), inserts)
        if updates:
            self.conn.execute(
                update(RUNS).where(RUNS.c.id == bindparam("row_id")).values({c: bindparam(c) for c in _RUN_COLUMNS}),
                updates,
            )
        counts = self.counts["run"]
        counts["added"] += len(inserts)
        counts["changed"] += len(updates)
        counts["unchanged"] += unchanged

    # --- claims -----------------------------------------------------------------------------

    def _load_claim_targets(self) -> None:
        if self._concepts is None:
            self._concepts = dict(self.conn.execute(select(m.Concept.key, m.Concept.id)).all())
            rows = self.conn.execute(
                select(m.Concept.key, m.Definition.key, m.Definition.id).join(
                    m.Concept, m.Concept.id == m.Definition.concept_id
                )
            )
            self._definitions = {f"{c}/{d}": i for c, d, i in rows}

    def add_claim(self, rec: schema.Claim, file_no: int, line: int | None) -> None:
        self._load_claim_targets()
        assert self._concepts is not None
        source_id = self._sources.get(rec.source)
        if source_id is None:
            raise self._unknown(file_no, line, rec.key, "source", "source", rec.source)
        concept_id = self._concepts.get(rec.concept)
        if concept_id is None:
            raise self._unknown(file_no, line, rec.key, "concept", "concept", rec.concept)
        definition_id = None
        if rec.definition is not None:
            definition_id = self._definitions.get(rec.definition)
            if definition_id is None:
                raise self._unknown(file_no, line, rec.key, "definition", "definition", rec.definition)
        stated = rec.stated_kind.value if rec.stated_kind is not None else None
        evidence = tuple((e.run, e.claim, e.stance.value) for e in rec.evidence)
        suppress = tuple((s.code, s.reason) for s in rec.suppress)
        self._claims.append((
            file_no, line, rec.key, source_id, concept_id, rec.text, stated, definition_id, rec.subject,
            evidence, suppress,
        ))
        if len(self._claims) >= BATCH:
            self._write_claims()

    def _claim_lists(self, ids: list[int]) -> dict[int, tuple[tuple[Any, ...], tuple[Any, ...]]]:
        """The evidence and suppressions the database holds for these claims, by key."""
        run, cited = RUNS.alias("r"), CLAIMS.alias("cc")
        evidence: dict[int, list[tuple[Any, ...]]] = {i: [] for i in ids}
        suppress: dict[int, list[tuple[Any, ...]]] = {i: [] for i in ids}
        rows = self.conn.execute(
            select(EVIDENCE.c.claim_id, run.c.key, cited.c.key, EVIDENCE.c.stance)
            .outerjoin(run, run.c.id == EVIDENCE.c.run_id)
            .outerjoin(cited, cited.c.id == EVIDENCE.c.cited_claim_id)
            .where(EVIDENCE.c.claim_id.in_(ids))
            .order_by(EVIDENCE.c.claim_id, EVIDENCE.c.position)
        )
        for claim_id, run_key, cited_key, stance in rows:
            evidence[claim_id].append((run_key, cited_key, stance))
        rows = self.conn.execute(
            select(SUPPRESSIONS.c.claim_id, SUPPRESSIONS.c.code, SUPPRESSIONS.c.reason)
            .where(SUPPRESSIONS.c.claim_id.in_(ids))
            .order_by(SUPPRESSIONS.c.claim_id, SUPPRESSIONS.c.position)
        )
        for claim_id, code, reason in rows:
            suppress[claim_id].append((code, reason))
        return {i: (tuple(evidence[i]), tuple(suppress[i])) for i in ids}

    def _write_claims(self) -> None:
        batch, self._claims = self._claims, []
        positions: dict[str, int] = {}
        for i, row in enumerate(batch):
            earlier = positions.setdefault(row[2], i)
            if earlier != i:
                raise self._duplicate("claim", row[2], row[0], row[1], (batch[earlier][0], batch[earlier][1]))
        existing = {
            r[0]: r[1:]
            for r in self.conn.execute(
                select(CLAIMS.c.key, CLAIMS.c.id, *(CLAIMS.c[c] for c in _CLAIM_COLUMNS)).where(
                    CLAIMS.c.key.in_(list(positions))
                )
            )
        }
        for row in batch:
            found = existing.get(row[2])
            if found is not None and self._claims_seen.check_and_mark(found[0]):
                raise self._duplicate("claim", row[2], row[0], row[1], None)
        lists = self._claim_lists([found[0] for found in existing.values()]) if existing else {}
        inserts: list[tuple[Any, ...]] = []
        updates: list[dict[str, Any]] = []
        origins: list[dict[str, Any]] = []
        for row in batch:
            file_no, line, key = row[0], row[1], row[2]
            values, evidence, suppress = row[3:9], row[9], row[10]
            origin = {"origin_file": self.files[file_no], "origin_line": line}
            found = existing.get(key)
            if found is None:
                inserts.append((key, *values, origin["origin_file"], line))
            elif tuple(found[1:]) == values and lists[found[0]] == (evidence, suppress):
                origins.append(dict(origin, row_id=found[0]))
                continue
            else:
                updates.append(dict(zip(_CLAIM_COLUMNS, values, strict=True), row_id=found[0], **origin))
            for position, (run_key, cited_key, stance) in enumerate(evidence):
                self._stage_evidence(file_no, line, key, position, run_key, cited_key, stance)
            for position, (code, reason) in enumerate(suppress):
                self._suppressions.append((key, position, code, reason))
        if inserts:
            self._insert(CLAIMS, ("key", *_CLAIM_COLUMNS, "origin_file", "origin_line"), inserts)
        if updates:
            changed_ids = [u["row_id"] for u in updates]
            self.conn.execute(EVIDENCE.delete().where(EVIDENCE.c.claim_id.in_(changed_ids)))
            self.conn.execute(SUPPRESSIONS.delete().where(SUPPRESSIONS.c.claim_id.in_(changed_ids)))
            columns = (*_CLAIM_COLUMNS, "origin_file", "origin_line")
            self.conn.execute(
                update(CLAIMS).where(CLAIMS.c.id == bindparam("row_id")).values({c: bindparam(c) for c in columns}),
                updates,
            )
        if origins:
            self.conn.execute(
                update(CLAIMS)
                .where(CLAIMS.c.id == bindparam("row_id"))
                .values(origin_file=bindparam("origin_file"), origin_line=bindparam("origin_line")),
                origins,
            )
        counts = self.counts["claim"]
        counts["added"] += len(inserts)
        counts["changed"] += len(updates)
        counts["unchanged"] += len(origins)
        self._flush_staged()

    # --- evidence ---------------------------------------------------------------------------

    def _stage_evidence(self, file_no: int, line: int | None, claim: str, position: int | None,
                        run_key: str | None, cited_key: str | None, stance: str) -> None:
        self._seq += 1
        self._evidence.append((self._seq, file_no, line, claim, position, run_key, cited_key, stance))

    def add_evidence(self, rec: schema.EvidenceLine, file_no: int, line: int | None) -> None:
        self._stage_evidence(file_no, line, rec.claim, None, rec.run, rec.cites, rec.stance.value)
        if len(self._evidence) >= BATCH:
            self._flush_staged()

    def _flush_staged(self) -> None:
        if self._evidence:
            self._insert(staging.STAGE_EVIDENCE, staging.EVIDENCE_COLUMNS, self._evidence)
        if self._suppressions:
            self._insert(staging.STAGE_SUPPRESSIONS, staging.SUPPRESSION_COLUMNS, self._suppressions)
        self._evidence, self._suppressions = [], []

    # --- the end ----------------------------------------------------------------------------

    def flush(self) -> None:
        """Write what is batched (runs before claims, so that claims' counts are final)."""
        if self._runs:
            self._write_runs()
        if self._claims:
            self._write_claims()
        self._flush_staged()

    def finish(self) -> dict[str, dict[str, int]]:
        """Resolve staged links, refusing dangling or repeated ones; returns counts by type."""
        self.flush()
        dangling = staging.first_dangling(self.conn)
        if dangling is not None:
            raise InvalidInput([(
                self._where(dangling.file_no, dangling.line, dangling.claim_key, dangling.field),
                f"unknown {dangling.target_type} {dangling.target_key!r}",
            )])
        repeated = staging.repeated_line(self.conn)
        if repeated is not None:
            (first_file, first_line), (file_no, line), claim = repeated
            raise InvalidInput([(
                self._where(file_no, line, claim, None),
                f"this evidence link repeats the one at {self.files[first_file]}:{first_line}",
            )])
        staging.write_claim_lists(self.conn)
        self.counts["evidence"] = staging.write_evidence_lines(self.conn)
        staging.drop(self.conn)
        return self.counts

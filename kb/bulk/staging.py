"""Evidence links and suppressions wait in temporary tables until every run and claim is in.

A claim may cite a run or a claim that comes later in the same import (or in another file of
it), so links are staged by key and resolved at the end with a few set-based statements: one
query per kind of dangling reference, one INSERT ... SELECT for the links claims carry, and a
short sequence for links given on lines of their own. Nothing here holds a million keys in
Python.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, Text, text

_metadata = MetaData()

STAGE_EVIDENCE = Table(
    "kb_stage_evidence",
    _metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("file_no", Integer, nullable=False),
    Column("line", Integer),
    Column("claim_key", String(200), nullable=False),
    Column("position", Integer),  # NULL: an evidence line (appended); else the claim's own list
    Column("run_key", String(200)),
    Column("cited_key", String(200)),
    Column("stance", String(20), nullable=False),
    prefixes=["TEMPORARY"],
)

STAGE_SUPPRESSIONS = Table(
    "kb_stage_suppressions",
    _metadata,
    Column("claim_key", String(200), nullable=False),
    Column("position", Integer, nullable=False),
    Column("code", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    prefixes=["TEMPORARY"],
)

_LINKS = "kb_stage_links"


@dataclass(frozen=True)
class Dangling:
    """A staged reference that resolves to nothing: where it was and what it named."""

    seq: int
    file_no: int
    line: int | None
    claim_key: str
    field: str
    target_type: str
    target_key: str


def create(conn: Connection) -> None:
    drop(conn)
    STAGE_EVIDENCE.create(conn)
    STAGE_SUPPRESSIONS.create(conn)


def drop(conn: Connection) -> None:
    for name in ("kb_stage_evidence", "kb_stage_suppressions", _LINKS):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


EVIDENCE_COLUMNS = ("seq", "file_no", "line", "claim_key", "position", "run_key", "cited_key", "stance")
SUPPRESSION_COLUMNS = ("claim_key", "position", "code", "reason")


_DANGLING = {
    # (target type, the staged column, the table it must name a key of, field when on a claim)
    "run": ("run_key", "runs", "run"),
    "cites": ("cited_key", "claims", "claim"),
}


def first_dangling(conn: Connection) -> Dangling | None:
    """The earliest staged reference (in import order) to a run or claim that does not exist."""
    found: list[Dangling] = []
    for what, (column, table, claim_field) in _DANGLING.items():
        row = conn.execute(text(
            f"SELECT s.seq, s.file_no, s.line, s.claim_key, s.position, s.{column} FROM kb_stage_evidence s "
            f"WHERE s.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.key = s.{column}) "
            "ORDER BY s.seq LIMIT 1"
        )).first()
        if row is not None:
            field = what if row.position is None else f"evidence[{row.position}].{claim_field}"
            found.append(Dangling(row.seq, row.file_no, row.line, row.claim_key, field, table[:-1], row[5]))
    row = conn.execute(text(
        "SELECT s.seq, s.file_no, s.line, s.claim_key FROM kb_stage_evidence s "
        "WHERE s.position IS NULL AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.key = s.claim_key) "
        "ORDER BY s.seq LIMIT 1"
    )).first()
    if row is not None:
        found.append(Dangling(row.seq, row.file_no, row.line, row.claim_key, "claim", "claim", row.claim_key))
    return min(found, key=lambda d: d.seq) if found else None


def repeated_line(conn: Connection) -> tuple[tuple[int, int | None], tuple[int, int | None], str] | None:
    """Two evidence lines linking one claim to one target: (file_no, line) of each, and the claim."""
    group = conn.execute(text(
        "SELECT claim_key, run_key, cited_key FROM kb_stage_evidence WHERE position IS NULL "
        "GROUP BY claim_key, run_key, cited_key HAVING COUNT(*) > 1 ORDER BY MIN(seq) LIMIT 1"
    )).first()
    if group is None:
        return None
    first, second = conn.execute(
        text(
            "SELECT file_no, line FROM kb_stage_evidence WHERE position IS NULL AND claim_key = :c "
            "AND (run_key = :r OR cited_key = :k) ORDER BY seq LIMIT 2"
        ),
        {"c": group.claim_key, "r": group.run_key, "k": group.cited_key},
    ).all()
    return (first.file_no, first.line), (second.file_no, second.line), group.claim_key


def write_claim_lists(conn: Connection) -> None:
    """Insert the evidence lists and suppressions that claims carry (claims and runs exist now)."""
    conn.execute(text(
        "INSERT INTO evidence (claim_id, position, run_id, cited_claim_id, stance) "
        "SELECT c.id, s.position, r.id, cc.id, s.stance FROM kb_stage_evidence s "
        "JOIN claims c ON c.key = s.claim_key "
        "LEFT JOIN runs r ON r.key = s.run_key "
        "LEFT JOIN claims cc ON cc.key = s.cited_key "
        "WHERE s.position IS NOT NULL ORDER BY s.seq"
    ))
    conn.execute(text(
        "INSERT INTO suppressions (claim_id, position, code, reason) "
        "SELECT c.id, s.position, s.code, s.reason FROM kb_stage_suppressions s "
        "JOIN claims c ON c.key = s.claim_key"
    ))


def write_evidence_lines(conn: Connection) -> dict[str, int]:
    """Upsert links given on lines of their own: a link to a target the claim already cites
    takes the new stance; others are appended after the claim's last link. Returns counts."""
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {_LINKS} AS "
        "SELECT s.seq, c.id AS claim_id, r.id AS run_id, cc.id AS cited_id, s.stance, "
        "(SELECT MIN(e.id) FROM evidence e WHERE e.claim_id = c.id "
        " AND (e.run_id = r.id OR e.cited_claim_id = cc.id)) AS existing_id "
        "FROM kb_stage_evidence s JOIN claims c ON c.key = s.claim_key "
        "LEFT JOIN runs r ON r.key = s.run_key LEFT JOIN claims cc ON cc.key = s.cited_key "
        "WHERE s.position IS NULL"
    )
    counts = conn.execute(text(
        f"SELECT "
        f"SUM(CASE WHEN l.existing_id IS NULL THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN l.existing_id IS NOT NULL AND e.stance <> l.stance THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN l.existing_id IS NOT NULL AND e.stance = l.stance THEN 1 ELSE 0 END) "
        f"FROM {_LINKS} l LEFT JOIN evidence e ON e.id = l.existing_id"
    )).one()
    conn.execute(text(
        f"UPDATE evidence SET stance = (SELECT l.stance FROM {_LINKS} l WHERE l.existing_id = evidence.id) "
        f"WHERE id IN (SELECT l.existing_id FROM {_LINKS} l JOIN evidence e ON e.id = l.existing_id "
        f"WHERE e.stance <> l.stance)"
    ))
    conn.execute(text(
        "INSERT INTO evidence (claim_id, position, run_id, cited_claim_id, stance) "
        "SELECT l.claim_id, "
        "COALESCE((SELECT MAX(e.position) FROM evidence e WHERE e.claim_id = l.claim_id), -1) "
        "+ ROW_NUMBER() OVER (PARTITION BY l.claim_id ORDER BY l.seq), "
        f"l.run_id, l.cited_id, l.stance FROM {_LINKS} l WHERE l.existing_id IS NULL"
    ))
    conn.exec_driver_sql(f"DROP TABLE {_LINKS}")
    added, changed, unchanged = (int(v or 0) for v in counts)
    return {"added": added, "changed": changed, "unchanged": unchanged}

"""`kb db check`'s storage checks: is the database sound, and does every reference resolve?

- SQLite: `PRAGMA integrity_check` (pages, indexes) and `PRAGMA foreign_key_check`.
- PostgreSQL: the catalog still holds every foreign key of kb's schema, validated and enforced
  (triggers enabled), no index is left invalid, and an orphan query per foreign key finds no
  row pointing nowhere (the equivalent of `foreign_key_check`).
- Both: rows that break a CHECK constraint of the schema (an older or foreign writer may have
  bypassed it), such as evidence with no target or two, and claims whose citations come back
  to themselves. (Cycles of broader/part_of relations are `kb.graph.validate`'s check.)

Each check only reads, and reports what it finds as `Problem`s; a check the database cannot
answer at all (a damaged file) is reported by `run_checks` as a problem of its own.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Table, select, text
from sqlalchemy.orm import Session

from kb.services.checks import Problem, register
from kb.store import models as m

MAX_LISTED = 100  # per check: a database with a million orphans needs the first few, not all


def _backend(session: Session) -> str:
    return session.get_bind().dialect.name


def _tables() -> list[Table]:
    return list(m.Base.metadata.sorted_tables)


# --- SQLite -------------------------------------------------------------------------------------


@register
def sqlite_integrity(session: Session) -> list[Problem]:
    """SQLite's own check of every page, index and row (`PRAGMA integrity_check`)."""
    if _backend(session) != "sqlite":
        return []
    rows = session.execute(text(f"PRAGMA integrity_check({MAX_LISTED})")).scalars().all()
    return [Problem("sqlite.integrity", "database", str(row)) for row in rows if row != "ok"]


@register
def sqlite_foreign_keys(session: Session) -> list[Problem]:
    """Rows whose foreign key points at no row (`PRAGMA foreign_key_check`)."""
    if _backend(session) != "sqlite":
        return []
    rows = session.execute(text("PRAGMA foreign_key_check")).all()
    columns: dict[tuple[str, int], list[str]] = {}
    problems = []
    for table, rowid, parent, fkid in rows[:MAX_LISTED]:
        if (table, fkid) not in columns:
            listing = session.execute(text(f'PRAGMA foreign_key_list("{table}")')).all()
            columns[(table, fkid)] = [row[3] for row in listing if row[0] == fkid]
        names = columns[(table, fkid)]
        selected = ", ".join(f'"{name}"' for name in names) or "NULL"
        values = session.execute(text(f'SELECT {selected} FROM "{table}" WHERE rowid = :rowid'), {"rowid": rowid}).first()
        shown = ", ".join(f"{n}={v}" for n, v in zip(names, values or (), strict=False))
        problems.append(
            Problem("foreign_key", f"{table}#{rowid}", f"{table} row {rowid}: {shown} points at no {parent} row")
        )
    return problems + _more(len(rows), "foreign_key")


def _more(count: int, check: str) -> list[Problem]:
    if count <= MAX_LISTED:
        return []
    return [Problem(check, "database", f"... and {count - MAX_LISTED:,} more")]


# --- PostgreSQL ---------------------------------------------------------------------------------


@register
def postgres_catalog(session: Session) -> list[Problem]:
    """Every foreign key of the schema exists, is validated and enforced; no index is invalid."""
    if _backend(session) != "postgresql":
        return []
    problems: list[Problem] = []
    stored = {
        (row.table, row.name): row
        for row in session.execute(
            text(
                "SELECT c.relname AS table, con.conname AS name, con.convalidated AS validated "
                "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
                "WHERE con.contype = 'f' AND c.relnamespace = current_schema()::regnamespace"
            )
        )
    }
    for table in _tables():
        for fk in table.foreign_key_constraints:
            row = stored.get((table.name, fk.name))
            if row is None:
                problems.append(Problem("foreign_key", table.name, f"foreign key {fk.name} is missing from the database"))
            elif not row.validated:
                problems.append(Problem("foreign_key", table.name, f"foreign key {fk.name} is not validated"))
    disabled = session.execute(
        text(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgisinternal AND t.tgenabled = 'D' AND c.relnamespace = current_schema()::regnamespace "
            "ORDER BY 1, 2"
        )
    ).all()
    for table_name, trigger in disabled:
        problems.append(
            Problem("foreign_key", table_name, f"trigger {trigger} is disabled: foreign keys on {table_name} are not enforced")
        )
    invalid = session.execute(
        text(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE NOT (i.indisvalid AND i.indisready) AND c.relnamespace = current_schema()::regnamespace "
            "ORDER BY 1"
        )
    ).scalars()
    problems += [Problem("index", name, f"index {name} is invalid: rebuild it with REINDEX") for name in invalid]
    return problems


@register
def postgres_orphans(session: Session) -> list[Problem]:
    """Rows whose foreign key value matches no row of the table it refers to."""
    if _backend(session) != "postgresql":
        return []
    problems: list[Problem] = []
    for table in _tables():
        for fk in table.foreign_key_constraints:
            problems += _orphans(session, table, fk)
    return problems


def _orphans(session: Session, table: Table, fk: ForeignKeyConstraint) -> list[Problem]:
    parent = fk.referred_table
    (column,) = fk.columns  # kb's foreign keys are single-column
    (element,) = fk.elements
    target = parent.alias("parent")
    query = (
        select(table.c.id, column)
        .select_from(table.outerjoin(target, target.c[element.column.name] == column))
        .where(column.is_not(None), target.c[element.column.name].is_(None))
        .order_by(table.c.id)
        .limit(MAX_LISTED + 1)
    )
    rows = session.execute(query).all()
    return [
        Problem("foreign_key", f"{table.name}#{row_id}", f"{table.name} row {row_id}: {column.name}={value} points at no {parent.name} row")
        for row_id, value in rows[:MAX_LISTED]
    ] + _more(len(rows), "foreign_key")


# --- both backends ------------------------------------------------------------------------------


@register
def check_constraints(session: Session) -> list[Problem]:
    """Rows that break a CHECK constraint of kb's schema (an allowed value, evidence's one target)."""
    problems: list[Problem] = []
    for table in _tables():
        for constraint in table.constraints:
            if not isinstance(constraint, CheckConstraint):
                continue
            broken = text(f"NOT ({constraint.sqltext})")
            ids = session.execute(
                select(table.c.id).where(broken).order_by(table.c.id).limit(MAX_LISTED + 1)
            ).scalars().all()
            problems += [
                Problem("constraint", f"{table.name}#{row_id}", f"{table.name} row {row_id} breaks {constraint.name}: {constraint.sqltext}")
                for row_id in ids[:MAX_LISTED]
            ] + _more(len(ids), "constraint")
    return problems


@register
def citation_cycles(session: Session) -> list[Problem]:
    """A claim whose evidence, followed through the claims it cites, comes back to itself."""
    key_of = dict(session.execute(select(m.Claim.id, m.Claim.key)).all())
    edges = [
        (key_of.get(claim, claim), key_of.get(cited, cited))
        for claim, cited in session.execute(
            select(m.EvidenceLink.claim_id, m.EvidenceLink.cited_claim_id).where(m.EvidenceLink.cited_claim_id.is_not(None))
        )
    ]
    return [
        Problem("evidence.cycle", str(cycle[0]), f"claims cite each other in a circle: {' -> '.join(map(str, cycle))}")
        for cycle in _cycles(edges)
    ]


def _cycles(edges: list[tuple[Any, Any]]) -> list[tuple[Any, ...]]:
    """One cycle per strongly connected component (or self-loop), starting at its smallest node."""
    graph = nx.DiGraph()
    graph.add_edges_from(edges)
    cycles = []
    for component in nx.strongly_connected_components(graph):
        start = min(component, key=str)
        if len(component) == 1 and not graph.has_edge(start, start):
            continue
        sub = graph.subgraph(component)
        best = min(
            ((start, *nx.shortest_path(sub, succ, start)) for succ in sub.successors(start)),
            key=lambda path: (len(path), [str(n) for n in path]),
        )
        cycles.append(best)
    return sorted(cycles, key=lambda c: [str(n) for n in c])

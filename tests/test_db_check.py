"""`kb db check`: exit 0 on a sound database; exit 1 listing each problem when storage is damaged,
a reference points nowhere, a constraint was bypassed, or relations or citations form a cycle.

Damage is made the way it happens in life: writes with foreign keys or checks switched off
(SQLite pragmas, PostgreSQL's replica role or disabled triggers), a dropped constraint, a
damaged index.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import REPO

SEED = sorted(str(p) for p in (REPO / "data").glob("*.yaml") if p.name != "vocabulary.yaml")


def problems(kb_init) -> tuple[int, list[dict[str, str]]]:  # type: ignore[no-untyped-def]
    result = kb_init("db", "check", "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def raw_sql(db_url: str, *statements: str) -> None:
    """Run statements with the database's own safety nets off (as a careless tool would)."""
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("PRAGMA ignore_check_constraints=ON")
        for statement in statements:
            conn.execute(statement)
        conn.close()
        return
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # no foreign key triggers
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def test_a_sound_database_passes(kb_init) -> None:  # type: ignore[no-untyped-def]
    assert kb_init("import", *SEED).exit_code == 0
    result = kb_init("db", "check")
    assert result.exit_code == 0, result.stdout
    assert "no problems found" in result.stderr
    assert problems(kb_init) == (0, [])


def test_references_that_point_nowhere_are_listed(db_url: str, kb_init) -> None:  # type: ignore[no-untyped-def]
    assert kb_init("import", *SEED).exit_code == 0
    raw_sql(
        db_url,
        # a criterion without its definition, evidence pointing at no run, a claim of no concept
        "INSERT INTO criteria (definition_id, position, method_id, op, threshold) VALUES (999999, 0, 1, '>=', 0.5)",
        "INSERT INTO evidence (claim_id, position, run_id, stance) VALUES (1, 99, 888888, 'supports')",
        "UPDATE claims SET concept_id = 777777 WHERE id = 2",
    )
    code, found = problems(kb_init)
    assert code == 1
    messages = [p["message"] for p in found if p["check"] == "foreign_key"]
    assert any("definition_id=999999 points at no definitions row" in m for m in messages), found
    assert any("run_id=888888 points at no runs row" in m for m in messages), found
    assert any("concept_id=777777 points at no concepts row" in m for m in messages), found
    table = kb_init("db", "check")
    assert table.exit_code == 1 and "problem(s) found" in table.stderr


def test_rows_that_break_a_check_constraint_are_listed(db_url: str, kb_init) -> None:  # type: ignore[no-untyped-def]
    assert kb_init("import", *SEED).exit_code == 0
    if db_url.startswith("postgresql"):
        raw_sql(db_url, "ALTER TABLE evidence DROP CONSTRAINT ck_evidence_one_target")
    raw_sql(db_url, "INSERT INTO evidence (claim_id, position, run_id, cited_claim_id, stance) VALUES (1, 98, NULL, NULL, 'supports')")
    code, found = problems(kb_init)
    assert code == 1
    assert any(p["check"] == "constraint" and "ck_evidence_one_target" in p["message"] for p in found), found


def test_relation_and_citation_cycles_are_listed(db_url: str, kb_init, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc = tmp_path / "cycle.yaml"
    doc.write_text(
        "kb: 1\n"
        "sources: [{key: s, title: S}]\n"
        "concepts:\n  - {key: a, name: A}\n  - {key: b, name: B}\n  - {key: c, name: C}\n"
        "claims:\n"
        "  - {key: k1, source: s, concept: a, text: t, evidence: [{claim: k2}]}\n"
        "  - {key: k2, source: s, concept: a, text: t, evidence: [{claim: k1}]}\n",
        encoding="utf-8",
    )
    assert kb_init("import", str(doc)).exit_code == 0
    ids = "(SELECT id FROM concepts WHERE key = '{}')"
    raw_sql(
        db_url,
        *(
            f"INSERT INTO concept_relations (concept_id, type, target_id) VALUES ({ids.format(s)}, '{t}', {ids.format(d)})"
            for s, t, d in (("a", "broader", "b"), ("b", "broader", "c"), ("c", "broader", "a"), ("a", "part_of", "a"))
        ),
    )
    code, found = problems(kb_init)
    assert code == 1
    assert {"check": "graph.cycle", "record": "a", "message": "broader cycle: a -> b -> c -> a"} in found
    assert {"check": "graph.cycle", "record": "a", "message": "part_of cycle: a -> a"} in found
    assert {"check": "evidence.cycle", "record": "k1", "message": "claims cite each other in a circle: k1 -> k2 -> k1"} in found


def test_a_damaged_sqlite_index_is_found(db_url: str, kb_init) -> None:  # type: ignore[no-untyped-def]
    if not db_url.startswith("sqlite"):
        pytest.skip("PRAGMA integrity_check is SQLite's")
    assert kb_init("import", *SEED).exit_code == 0
    # Point an index's definition at another column: its entries no longer match the table.
    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_master SET sql = replace(sql, '(subject)', '(dataset)') WHERE name = 'ix_runs_subject'")
    conn.close()
    code, found = problems(kb_init)
    assert code == 1
    assert any(p["check"] == "sqlite.integrity" and "ix_runs_subject" in p["message"] for p in found), found


def test_a_damaged_sqlite_page_is_reported_not_a_crash(db_url: str, kb_init) -> None:  # type: ignore[no-untyped-def]
    if not db_url.startswith("sqlite"):
        pytest.skip("a SQLite file's pages")
    assert kb_init("import", *SEED).exit_code == 0
    path = db_url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")  # everything in the main file
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ix_runs_method_id'").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:
        f.seek(root * page_size - 300)
        f.write(b"\xff" * 300)
    result = kb_init("db", "check")
    assert result.exit_code == 1
    assert "malformed" in result.stdout and "Traceback" not in result.stderr


def test_postgres_catalog_problems_are_listed(db_url: str, kb_init) -> None:  # type: ignore[no-untyped-def]
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's catalog")
    assert kb_init("import", *SEED).exit_code == 0
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE runs DROP CONSTRAINT fk_runs_method_id_methods"))
        conn.execute(text("ALTER TABLE criteria DISABLE TRIGGER ALL"))
    engine.dispose()
    code, found = problems(kb_init)
    assert code == 1
    messages = [p["message"] for p in found]
    assert "foreign key fk_runs_method_id_methods is missing from the database" in messages
    assert any("foreign keys on criteria are not enforced" in m for m in messages), found

"""Migrations: one head, upgrade from empty, models match the DDL, down/up with data, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from kb.errors import DatabaseNotReady
from kb.store.migrate import MIGRATIONS, current_revision, downgrade, head_revision, require_current, upgrade
from kb.store.models import Base


def test_migrations_have_a_single_head() -> None:
    assert len(ScriptDirectory(str(MIGRATIONS)).get_heads()) == 1


def test_upgrade_from_empty_reaches_head(empty_store) -> None:
    upgrade(empty_store)
    assert current_revision(empty_store) == head_revision()


def test_models_match_migrations(store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_downgrade_then_upgrade_keeps_the_schema_usable(store, tmp_path) -> None:
    from kb.services.importing import import_files

    doc = tmp_path / "d.yaml"
    doc.write_text("kb: 1\nconcepts: [{key: whale, name: Whale}]\n")
    import_files(store, [doc])
    downgrade(store, "base")
    assert current_revision(store) is None
    upgrade(store)
    import_files(store, [doc])
    with store.session() as session:
        assert session.execute(text("SELECT count(*) FROM concepts")).scalar() == 1


def test_commands_on_an_empty_database_say_to_run_init(empty_store) -> None:
    with pytest.raises(DatabaseNotReady, match="run `kb init`"):
        require_current(empty_store)


def test_commands_on_an_older_database_say_to_upgrade(store, monkeypatch) -> None:
    monkeypatch.setattr("kb.store.migrate.head_revision", lambda: "9999")
    with pytest.raises(DatabaseNotReady, match="kb db upgrade"):
        require_current(store)


def test_commands_on_a_newer_database_say_to_upgrade_kb(store) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    with pytest.raises(DatabaseNotReady, match="newer kb"):
        require_current(store)

"""Schema versions: create or upgrade a database, and refuse to work on one that is not current.

Migration scripts ship inside the package (`kb/store/migrations`), so an installed kb can
upgrade a database without the repository's alembic.ini.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from kb.errors import DatabaseNotReady
from kb.store.database import Store

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(store: Store) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", store.url.replace("%", "%%"))
    return config


def head_revision() -> str:
    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"kb's migrations have {len(heads)} heads; expected one")
    return heads[0]


def current_revision(store: Store) -> str | None:
    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str
    has_tables: bool

    @property
    def is_current(self) -> bool:
        return self.current == self.head


def schema_state(store: Store) -> SchemaState:
    with store.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        has_tables = bool(set(inspect(conn).get_table_names()) - {"alembic_version"})
    return SchemaState(current=current, head=head_revision(), has_tables=has_tables)


def upgrade(store: Store, revision: str = "head") -> SchemaState:
    """Create the schema in an empty database, or bring an older one up to `revision`."""
    state = schema_state(store)
    if state.current is None and state.has_tables:
        raise DatabaseNotReady(
            f"{store.display_url} has tables but no kb schema version: it is not a kb database"
        )
    known = {rev.revision for rev in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    if state.current is not None and state.current not in known:
        raise DatabaseNotReady(_newer_message(store, state))
    config = alembic_config(store)
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    return schema_state(store)


def downgrade(store: Store, revision: str) -> SchemaState:
    config = alembic_config(store)
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
    return schema_state(store)


def _newer_message(store: Store, state: SchemaState) -> str:
    return (
        f"{store.display_url} is at schema revision {state.current}, which this kb does not know "
        "(it was written by a newer kb): upgrade kb"
    )


def require_current(store: Store) -> None:
    """Stop with a message saying what to run unless the database is at this kb's schema."""
    state = schema_state(store)
    if state.is_current:
        return
    if state.current is None:
        if state.has_tables:
            raise DatabaseNotReady(f"{store.display_url} is not a kb database (it has other tables)")
        raise DatabaseNotReady(f"{store.display_url} has no kb schema yet: run `kb init` first")
    known = {rev.revision for rev in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    if state.current not in known:
        raise DatabaseNotReady(_newer_message(store, state))
    raise DatabaseNotReady(
        f"{store.display_url} is at schema revision {state.current}, older than this kb's "
        f"{state.head}: run `kb db upgrade`"
    )

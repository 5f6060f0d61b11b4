"""Alembic environment: runs kb's migrations on the connection kb hands over, or on the URL
from KB_DATABASE_URL when a developer runs the `alembic` command itself."""

from __future__ import annotations

from alembic import context

from kb.store.database import create_kb_engine, resolve_url
from kb.store.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_kb_engine(resolve_url(config.get_main_option("sqlalchemy.url") or None))
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("kb migrations run online only: use `kb db upgrade`")
run_migrations_online()

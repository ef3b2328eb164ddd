"""Alembic environment: the database URL comes from DATABASE_URL (or the caller)."""
from __future__ import annotations

from alembic import context

from ratecard import models  # noqa: F401  (registers every table)
from ratecard.config import default_database_url
from ratecard.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    import os

    return (config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
            or default_database_url())


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(database_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

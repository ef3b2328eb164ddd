"""Running Alembic from code: `ratecard db upgrade`, the development `ratecard serve`, the
tests. Every other command only checks that the schema is current (`pending`): a production
database changes schema when an operator says so, not as a side effect of `users list`."""
from __future__ import annotations

import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from ratecard.config import PROJECT_ROOT
from ratecard.db import Database

_LOCK_KEY = (0x5A7E << 32) | zlib.crc32(b"schema")   # the namespace of services/locks.py


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    # '%' is ConfigParser's interpolation character; URLs may contain it.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Migrate, one process at a time: a second one waits, then finds nothing to do."""
    config = alembic_config(database.url)
    with _schema_lock(database), database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    _fill_catalog_rows(database)


def _fill_catalog_rows(database: Database) -> None:
    """A database that had models before the catalog's rows (migration 0014) gets them
    now, so the catalog is whole before the next sync (services/catalog_rows.py)."""
    if not inspect(database.engine).has_table("catalog_rows"):
        return              # an older revision was asked for
    from ratecard.services.catalog_rows import fill_if_empty
    with database.session() as session:
        fill_if_empty(session)


def pending(database: Database) -> str | None:
    """None when the schema is the one this code needs, else what is wrong, in a line."""
    heads = set(ScriptDirectory.from_config(alembic_config(database.url)).get_heads())
    with database.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current == heads:
        return None
    if not current:
        return "the database has no schema yet"
    return (f"the database schema is at revision {', '.join(sorted(current))}; this version "
            f"of Ratecard needs {', '.join(sorted(heads))}")


def is_empty(database: Database) -> bool:
    return not inspect(database.engine).has_table("models")


@contextmanager
def _schema_lock(database: Database) -> Iterator[None]:
    """PostgreSQL: an advisory lock (waited for). SQLite: a lock file beside the database
    (SQLite is one machine). An in-memory database needs none."""
    url = database.engine.url
    if url.get_backend_name() == "postgresql":
        with database.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
                connection.commit()
        return
    if not url.database or url.database == ":memory:":
        yield
        return
    with open(Path(url.database).with_name(Path(url.database).name + ".migrate-lock"),
              "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

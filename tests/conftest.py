"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL when
RATECARD_TEST_DATABASE_URL is set, as in CI), the app, its client and CLI runner."""
from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from ratecard import create_app
from ratecard.db import Database
from ratecard.migrate import upgrade
from tests.faultserver import fault_server  # noqa: F401  (fixture)

PG_URL = os.environ.get("RATECARD_TEST_DATABASE_URL")


def _reset_postgres(url: str) -> None:
    database = Database(url)
    with database.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    database.dispose()


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """SQLite: one database migrated to head per session, copied for each test that wants
    a migrated one (a copy costs a millisecond, a migration half a second)."""
    if PG_URL:
        return None
    path = tmp_path_factory.mktemp("template") / "ratecard.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    with database.engine.connect() as conn:     # everything in the main file, none in -wal
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


def _emptied_postgres(url: str) -> bool:
    """Empty every table of a database already at head, and restart its id sequences
    (DELETE: ~0.05 s on a test's few rows, against ~1.5 s for a new schema and ~1 s for
    TRUNCATE). False when it is not at head."""
    from alembic.runtime.migration import MigrationContext

    import ratecard.models  # noqa: F401  (every table on Base.metadata)
    from ratecard.db import Base

    database = Database(url)
    try:
        with database.engine.begin() as conn:
            if set(MigrationContext.configure(conn).get_current_heads()) != _heads(url):
                return False
            tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
            if not set(tables) <= set(conn.dialect.get_table_names(conn)):
                return False
            sequences = conn.execute(text(
                "SELECT sequence_name FROM information_schema.sequences "
                "WHERE sequence_schema = 'public'")).scalars().all()
            conn.exec_driver_sql("; ".join(
                [f'DELETE FROM "{t}"' for t in tables]
                + [f'ALTER SEQUENCE "{s}" RESTART' for s in sequences]))
            return True
    finally:
        database.dispose()


@functools.cache
def _heads(url: str) -> frozenset[str]:
    from alembic.script import ScriptDirectory

    from ratecard.migrate import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config(url)).get_heads())


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path,
                 _migrated_template: Path | None) -> str:
    """A database of this test's own: migrated to head and empty when the test uses `db`
    (or anything built on it), else empty with no schema at all."""
    migrated = "db" in request.fixturenames
    if PG_URL:
        if not (migrated and _emptied_postgres(PG_URL)):
            _reset_postgres(PG_URL)
        return PG_URL
    path = tmp_path / "ratecard.db"
    if migrated and _migrated_template is not None:
        shutil.copyfile(_migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)          # a no-op on a prepared database; a migration on PostgreSQL's first
    yield database
    database.dispose()


@pytest.fixture
def app(db: Database, database_url: str):  # type: ignore[no-untyped-def]
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "RATECARD_OFFLINE": True})
    yield app
    app.extensions["ratecard.db"].dispose()


@pytest.fixture
def make_app(database_url: str):  # type: ignore[no-untyped-def]
    """Apps a test configures itself, each with its database connections closed at the end:
    an app left to the garbage collector takes an open PostgreSQL connection with it, and
    the warning lands on whichever later test happens to collect it."""
    made = []

    def make(**config):  # type: ignore[no-untyped-def]
        made.append(create_app({"TESTING": True, "DATABASE_URL": database_url,
                                "RATECARD_OFFLINE": True, **config}))
        return made[-1]

    yield make
    for app in made:
        app.extensions["ratecard.db"].dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app, database_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    return app.test_cli_runner()


# -- a catalog loaded from real snapshots, built once per test session (read-only use) ------

def own_database_url(tmp_root: Path, suffix: str) -> str:
    """A database of the test's own, emptied: a SQLite file under tmp_root, or on PostgreSQL a
    database named after the test database plus the suffix (the per-test fixtures above wipe
    the main one; two suites on two test databases never share one)."""
    if not PG_URL:
        return f"sqlite:///{tmp_root / (suffix + '.db')}"
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    name = f"{url.database}_ratecard_{suffix}"
    admin = Database(PG_URL)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def site_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """Every source synced from real data: the full snapshots when ../shared is there,
    the project's own small fixtures otherwise (a fresh clone)."""
    from tests.catalog_loader import load_catalog

    database = Database(own_database_url(tmp_path_factory.mktemp("site"), "site"))
    upgrade(database)
    load_catalog(database)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def site_app(site_db: Database):  # type: ignore[no-untyped-def]
    # Tests read every model of the catalog through the API: no per-address rate limit here
    # (tests/web/test_api_v1.py tests the limit on an app of its own).
    app = create_app({"TESTING": True, "DATABASE_URL": site_db.url, "RATECARD_OFFLINE": True,
                      "RATECARD_API_RATE_LIMIT": 0})
    yield app
    app.extensions["ratecard.db"].dispose()


@pytest.fixture
def site_client(site_app):  # type: ignore[no-untyped-def]
    return site_app.test_client()

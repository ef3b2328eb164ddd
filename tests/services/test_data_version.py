"""The data version read again only when the database changed (queries/version.py: on
SQLite a connection keeps the version it read until PRAGMA data_version moves, or it
commits itself): whoever writes, in whatever connection, the next read sees it."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from ratecard.db import Database
from ratecard.models import SyncRun
from ratecard.queries.version import data_version

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _run(connection, n: int) -> None:  # type: ignore[no-untyped-def]
    connection.execute(insert(SyncRun).values(
        source="litellm", status="ok", started_at=NOW, finished_at=NOW + dt.timedelta(n),
        as_of=NOW))


def _fresh(database: Database) -> str:
    """The version computed, nothing kept: a connection of a new engine."""
    other = Database(database.url)
    try:
        with other.engine.connect() as connection:
            return data_version(connection)[0]
    finally:
        other.dispose()


def test_another_connections_commit_changes_the_version(db: Database) -> None:
    writer = Database(db.url)
    try:
        with db.engine.connect() as connection:
            first = data_version(connection)[0]
            assert data_version(connection)[0] == first     # kept, or read again: same
        with writer.engine.begin() as connection:
            _run(connection, 1)
        with db.engine.connect() as connection:
            second = data_version(connection)[0]
        assert second != first and second == _fresh(db)
    finally:
        writer.dispose()


def test_a_connections_own_commit_changes_the_version(db: Database) -> None:
    with db.engine.connect() as connection:
        first = data_version(connection)[0]
        _run(connection, 1)
        connection.commit()
        second = data_version(connection)[0]
    assert second != first and second == _fresh(db)
    with db.engine.connect() as connection:               # the pool's same connection
        assert data_version(connection)[0] == second


def test_a_version_read_inside_uncommitted_writes_is_not_kept(db: Database) -> None:
    with db.engine.connect() as connection:
        first = data_version(connection)[0]
        _run(connection, 1)
        assert data_version(connection)[0] != first        # this transaction's own rows
        connection.rollback()
        assert data_version(connection)[0] == first == _fresh(db)


def test_sessions_see_the_same(db: Database) -> None:
    with db.session() as session:
        first = data_version(session)[0]
    with db.session() as session:
        session.execute(insert(SyncRun).values(
            source="litellm", status="ok", started_at=NOW, finished_at=NOW, as_of=NOW))
    with db.session() as session:
        assert data_version(session)[0] != first
        assert data_version(session)[0] == _fresh(db)

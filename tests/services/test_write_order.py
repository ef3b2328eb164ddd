"""Writers of the tables the data version and the page store's marks read (db.py,
MARKED_TABLES) commit in the order of their ids on PostgreSQL, as SQLite's one writer
does: a reader that remembers the newest id it saw never misses a write that took a lower
id and committed later (a page build after two overlapping syncs)."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from ratecard.db import Database
from ratecard.models import ChangeEvent, PageBuild
from ratecard.queries import page_store as q
from ratecard.services.page_store import reconcile


def _event(note: str) -> ChangeEvent:
    return ChangeEvent(model_id=None, source="test", kind="catalog_loaded", new_value=note,
                       occurred_at=dt.datetime.now(dt.UTC))


@pytest.fixture
def postgres(db: Database) -> Database:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time by itself")
    return db


def test_a_second_writer_waits_for_the_first_to_commit(postgres: Database) -> None:
    first = postgres.sessionmaker()
    try:
        first.add(event := _event("first"))
        first.flush()
        ids: list[int] = []

        def second() -> None:
            with postgres.session() as session:
                session.add(other := _event("second"))
                session.flush()
                ids.append(other.id)

        writer = threading.Thread(target=second)
        writer.start()
        writer.join(2)
        assert writer.is_alive(), "the second writer did not wait for the first"
        first.commit()
        writer.join(30)
        assert ids and ids[0] > event.id
    finally:
        first.close()


def test_a_build_reads_the_marks_after_the_writes_under_way(postgres: Database) -> None:
    with postgres.session() as session:
        reconcile(session, "v0")
    writing = postgres.sessionmaker()
    try:
        writing.add(event := _event("under way"))
        writing.flush()
        marks: list[dict[str, object]] = []

        def build() -> None:
            with postgres.session() as session:
                reconcile(session, "v1")
                marks.append(dict(session.scalars(select(PageBuild).order_by(
                    PageBuild.id.desc())).first().marks))

        builder = threading.Thread(target=build)
        builder.start()
        builder.join(2)
        assert builder.is_alive(), "the build read its marks while a write was under way"
        writing.commit()
        builder.join(30)
        assert marks and marks[0]["event"] >= event.id
        with postgres.session() as session:
            assert q.last_marks(session)["event"] >= event.id
    finally:
        writing.close()

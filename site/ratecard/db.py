"""Declarative base, engine and sessions (plain SQLAlchemy 2.0, no Flask-SQLAlchemy).

Views get one session per request (closed at teardown); the scheduler, CLI and
sync jobs open their own with `Database.session()`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    TypeDecorator,
    create_engine,
    event,
)
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import Numeric, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:
        # Every model maps one Table (none a join or a subquery), so `Model.__table__` can
        # be updated, deleted from and named like one.
        __table__: ClassVar[Table]


class Money(TypeDecorator[Decimal]):
    """Exact USD amounts: NUMERIC on PostgreSQL, text on SQLite (whose NUMERIC is a float)."""

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(48))
        return dialect.type_descriptor(Numeric(asdecimal=True))

    # `object`, not Decimal: a float reaching here is refused at run time, not coerced.
    def process_bind_param(self, value: object, dialect: Dialect) -> str | Decimal | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"Money needs a Decimal, got {type(value).__name__}")
        from ratecard.money import exact_text
        # One text per value on SQLite ("2.5", never "2.50"), so equality in SQL is exact.
        return exact_text(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: str | Decimal | None,
                             dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        from scrapers.values import normalise
        return normalise(Decimal(value))


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None,
                           dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: Ratecard stores UTC-aware times only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None,
                             dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# Where a SQLite connection keeps the data version it read, with the PRAGMA data_version
# it read it at (queries/version.py).
VERSION_KEPT = "ratecard.data_version"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: object) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        # A connection's own commits do not change what PRAGMA data_version says to it:
        # the data version it keeps (queries/version.py) goes with each of them.
        @event.listens_for(engine, "commit")
        def _committed(conn: Any) -> None:
            conn.info.pop(VERSION_KEPT, None)

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    engine = create_engine(url, pool_pre_ping=True)
    _writes_in_commit_order(engine)
    return engine


# The tables whose newest ids and times say what was written (the data version,
# queries/version.py; the page store's marks, queries/page_store.py).
MARKED_TABLES = frozenset({"sync_runs", "change_events", "quarantined_changes", "probe_runs",
                           "verdicts", "content_pages", "media_files"})
# pg_advisory_xact_lock's key for "a transaction writing MARKED_TABLES" (services/locks.py's
# namespace, 0x5A7E, in the high half).
DATA_WRITES_KEY = (0x5A7E << 32) | 0x0DA7A


def _writes_in_commit_order(engine: Engine) -> None:
    """PostgreSQL hands out ids (and writers read clocks) before they commit, so two writers
    can commit out of order: a reader that remembers "the newest id I have seen" would never
    look at the one that committed last with the lower ids. A transaction's first write to a
    marked table therefore takes one transaction-level advisory lock, held to its commit:
    writers of those tables commit one at a time, in the order of their ids, as SQLite's
    single writer does; a page build takes the same lock to read where writes stand."""

    @event.listens_for(engine, "before_cursor_execute")
    def _lock(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
              executemany: bool) -> None:
        if (context is None or conn.info.get("data_write")
                or not (context.isinsert or context.isupdate or context.isdelete)):
            return
        table = getattr(getattr(context.compiled, "statement", None), "table", None)
        if getattr(table, "name", None) in MARKED_TABLES:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (DATA_WRITES_KEY,))
            conn.info["data_write"] = True

    def _ended(conn: Any, *_args: Any) -> None:
        conn.info.pop("data_write", None)

    event.listen(engine, "commit", _ended)
    event.listen(engine, "rollback", _ended)
    # A connection returned to the pool mid-transaction is rolled back by the pool itself.
    @event.listens_for(engine.pool, "reset")
    def _reset(dbapi_connection: Any, connection_record: Any, reset_state: Any) -> None:
        connection_record.info.pop("data_write", None)


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for one unit of work: committed on success, rolled back on error."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()

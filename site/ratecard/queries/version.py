"""The data version: changes whenever a sync or an edit changes what pages show."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from ratecard.cache import current_cache
from ratecard.db import VERSION_KEPT
from ratecard.models import ChangeEvent, QuarantinedChange, SyncRun
from ratecard.models.probes import ProbeRun
from ratecard.models.verdicts import Verdict

T = TypeVar("T")


@cache
def _statement() -> Select[tuple[object, ...]]:
    """Everything the version depends on in one statement (each value a scalar subquery on
    an index or a small table); built once: building it costs more than running it."""
    return select(*version_columns())


def version_columns() -> list[Any]:
    """The version's values as columns: data_version's statement, or part of another
    (the page store's front, web/page_store.py, reads a stored page in the same one)."""
    from ratecard.queries.content import content_stamp_columns  # it imports this module

    return [
        select(func.max(SyncRun.id)).scalar_subquery(),
        select(func.max(SyncRun.finished_at)).scalar_subquery(),
        select(func.max(ChangeEvent.id)).scalar_subquery(),
        select(func.max(QuarantinedChange.decided_at)).scalar_subquery(),
        select(func.max(ProbeRun.id)).scalar_subquery(),     # availability sections
        # weekly verdicts (a re-run week replaces its row: the newest computation counts)
        select(func.max(Verdict.computed_at)).scalar_subquery(),
        *content_stamp_columns()]


def data_version(session: Session | Connection) -> tuple[str, dt.datetime | None]:
    """(opaque version tag, when the data last changed). One query; on SQLite, none while
    the database has not changed since this connection last read it."""
    connection = session.connection() if isinstance(session, Session) else session
    mark = _change_count(connection)
    if mark is not None:
        kept = connection.info.get(VERSION_KEPT)
        if kept is not None and kept[0] == mark:
            return kept[1]
    found = version_of(connection.execute(_statement()).one())
    if mark is not None:
        connection.info[VERSION_KEPT] = (mark, found)
    return found


def _change_count(connection: Connection) -> int | None:
    """SQLite's PRAGMA data_version: it changes for this connection whenever another
    connection (of any process) commits, so an unchanged value means an unchanged
    version; the connection's own commits drop what it kept (db.py). None where that
    does not hold: another database, or writes of this connection not committed yet."""
    if connection.dialect.name != "sqlite":
        return None
    raw = connection.connection.driver_connection
    if raw is None or raw.in_transaction:
        return None
    return int(raw.execute("PRAGMA data_version").fetchone()[0])


def version_of(values: Sequence[Any]) -> tuple[str, dt.datetime | None]:
    """(version tag, when the data last changed) from version_columns()' values."""
    from ratecard.queries.content import content_stamp_of  # it imports this module

    run_id, finished, event_id, decided, probe_id, verdict_at, *content = values
    content_tag, content_changed = content_stamp_of(content)
    stamp = max((t for t in (finished, decided, content_changed) if t is not None), default=None)
    if stamp is not None and stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    decided_tag = decided.timestamp() if decided else 0
    verdict_tag = verdict_at.timestamp() if verdict_at else 0
    # A run's end counts too: a run that changed nothing still changes the profiles'
    # "last checked" and the freshness table (its row was numbered when it began).
    if finished is not None and finished.tzinfo is None:
        finished = finished.replace(tzinfo=dt.UTC)
    finished_tag = finished.timestamp() if finished else 0
    return (f"{run_id or 0}.{finished_tag}.{event_id or 0}.{decided_tag}.{probe_id or 0}."
            f"{verdict_tag}.{content_tag}"), stamp


def derived(session: Session, name: str, version: Hashable, build: Callable[[], T],
            key: Hashable = ()) -> T:
    """A value derived from this session's database at `version` (a search or suggestion
    index, facets, a rendered page of content), kept in ratecard.cache: built once, then
    shared read-only. Keyed by the database's URL too: tests run several in one process."""
    return current_cache().get(name, version, build,
                               key=(str(session.get_bind().engine.url), key))

"""Read-side queries over the change log (change_events), newest first."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, contains_eager
from sqlalchemy.sql.elements import ColumnElement

from ratecard.config import SOURCE_PRECEDENCE
from ratecard.models import ChangeEvent, Model, Provider, SyncRun

PAGE_SIZE = 50
OK_STATUSES = ("success", "not_modified")
KINDS = ("price_added", "price_changed", "price_corrected", "price_removed", "capability_added",
         "capability_removed", "model_added", "model_deprecated", "model_vanished",
         "model_returned", "catalog_loaded")
# Kinds that carry an old and a new value; with both equal they said nothing (an older
# version recorded such events: they are left out on read).
VALUE_KINDS = ("price_changed", "price_corrected")


@dataclass(frozen=True)
class ChangeFilters:
    provider: str | None = None
    kind: str | None = None
    start: dt.date | None = None     # inclusive
    end: dt.date | None = None       # inclusive (the whole day)


@dataclass
class ChangePage:
    rows: list[tuple[ChangeEvent, Model | None]]
    total: int
    page: int
    pages: int


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def real_change() -> ColumnElement[bool]:
    """Every event but a "change" from a value to the same value."""
    return or_(ChangeEvent.kind.not_in(VALUE_KINDS), ChangeEvent.old_value.is_(None),
               ChangeEvent.new_value.is_(None), ChangeEvent.old_value != ChangeEvent.new_value)


def _where(filters: ChangeFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [real_change()]
    if filters.provider:
        where.append(Provider.slug == filters.provider)
    if filters.kind:
        where.append(ChangeEvent.kind == filters.kind)
    if filters.start:
        where.append(ChangeEvent.occurred_at >= _midnight(filters.start))
    if filters.end:
        where.append(ChangeEvent.occurred_at < _midnight(filters.end + dt.timedelta(days=1)))
    return where


def count(session: Session, filters: ChangeFilters) -> int:
    query = select(func.count()).select_from(ChangeEvent)
    if filters.provider:
        query = query.join(Model, Model.id == ChangeEvent.model_id).join(Model.provider)
    return session.scalar(query.where(*_where(filters))) or 0


def events(session: Session, filters: ChangeFilters, page: int = 1,
           per_page: int = PAGE_SIZE) -> ChangePage:
    total = count(session, filters)
    pages = max(1, math.ceil(total / per_page))
    rows = latest(session, filters, limit=per_page, offset=(page - 1) * per_page)
    return ChangePage(rows=rows, total=total, page=page, pages=pages)


def latest(session: Session, filters: ChangeFilters = ChangeFilters(), limit: int = 10,
           offset: int = 0, exclude: tuple[str, ...] = ()
           ) -> list[tuple[ChangeEvent, Model | None]]:
    """Newest first, each with its model and the model's provider loaded (two queries);
    an event about the whole catalog (catalog_loaded) has no model."""
    query = select(ChangeEvent).where(*_where(filters))
    if filters.provider:
        query = query.join(Model, Model.id == ChangeEvent.model_id).join(Model.provider)
    if exclude:
        query = query.where(ChangeEvent.kind.not_in(exclude))
    found = list(session.scalars(query.order_by(
        ChangeEvent.occurred_at.desc(), ChangeEvent.id.desc()).limit(limit).offset(offset)))
    ids = {event.model_id for event in found}
    models = {m.id: m for m in session.scalars(select(Model).join(Model.provider).options(
        contains_eager(Model.provider)).where(Model.id.in_(ids)))} if ids else {}
    return [(event, models.get(event.model_id) if event.model_id is not None else None)
            for event in found]


def new_models(session: Session, limit: int = 10) -> list[tuple[ChangeEvent, Model | None]]:
    """Models a source started listing after it was first synced: its first successful
    run lists what it already had (the catalog's first load, or a source added later),
    which is not new upstream."""
    firsts = select(func.min(SyncRun.id)).where(SyncRun.status == "success").group_by(
        SyncRun.source)
    query = select(ChangeEvent).where(
        ChangeEvent.kind == "model_added",
        or_(ChangeEvent.sync_run_id.is_(None), ChangeEvent.sync_run_id.not_in(firsts)))
    found = list(session.scalars(query.order_by(
        ChangeEvent.occurred_at.desc(), ChangeEvent.id.desc()).limit(limit)))
    ids = {event.model_id for event in found}
    models = {m.id: m for m in session.scalars(select(Model).join(Model.provider).options(
        contains_eager(Model.provider)).where(Model.id.in_(ids)))} if ids else {}
    return [(event, models.get(event.model_id) if event.model_id is not None else None)
            for event in found]


def freshness(session: Session) -> list[tuple[str, SyncRun | None, SyncRun | None]]:
    """Per source: (source, last successful run, newest run of any status), in precedence
    order, sources that never ran included. One query over at most two rows per source."""
    ok = select(func.max(SyncRun.id)).where(
        SyncRun.status.in_(OK_STATUSES)).group_by(SyncRun.source)
    newest = select(func.max(SyncRun.id)).group_by(SyncRun.source)
    runs = list(session.scalars(select(SyncRun).where(
        SyncRun.id.in_(ok.union(newest))).order_by(SyncRun.id)))
    last_ok: dict[str, SyncRun] = {}
    last_any: dict[str, SyncRun] = {}
    for run in runs:                       # ascending ids: the last one written wins
        last_any[run.source] = run
        if run.status in OK_STATUSES:
            last_ok[run.source] = run
    sources = list(SOURCE_PRECEDENCE) + sorted(set(last_any) - set(SOURCE_PRECEDENCE))
    return [(source, last_ok.get(source), last_any.get(source)) for source in sources]

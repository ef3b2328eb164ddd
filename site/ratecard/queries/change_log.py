"""The change log for the API: queries.changes' filters plus one model, paged by keyset
(newest first: occurred_at, then id), so a page never shifts when new events arrive."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, contains_eager

from ratecard.models import ChangeEvent, Model, Provider
from ratecard.queries.changes import ChangeFilters, _where


def page(session: Session, filters: ChangeFilters, model_id: int | None, limit: int,
         after: tuple[dt.datetime, int] | None = None
         ) -> tuple[list[tuple[ChangeEvent, Model | None]], bool]:
    """Up to `limit` events older than `after` (occurred_at, id), each with its model and
    provider (None for an event about the whole catalog); and whether more follow."""
    query = select(ChangeEvent, Model).outerjoin(
        Model, Model.id == ChangeEvent.model_id).outerjoin(
        Provider, Provider.id == Model.provider_id).options(contains_eager(Model.provider))
    query = query.where(*_where(filters))
    if model_id is not None:
        query = query.where(ChangeEvent.model_id == model_id)
    if after is not None:
        stamp, event_id = after
        query = query.where(or_(ChangeEvent.occurred_at < stamp, and_(
            ChangeEvent.occurred_at == stamp, ChangeEvent.id < event_id)))
    rows: list[tuple[ChangeEvent, Model | None]] = [      # Model is outer-joined
        (event, model) for event, model in session.execute(query.order_by(
            ChangeEvent.occurred_at.desc(), ChangeEvent.id.desc()).limit(limit + 1)).tuples()]
    return rows[:limit], len(rows) > limit

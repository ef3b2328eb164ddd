"""The change events a feed shows: newest first, for everything, a provider or a model."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from ratecard.models import ChangeEvent, Model, Provider
from ratecard.queries.changes import real_change

FEED_SIZE = 50


def feed_events(session: Session, *, provider_id: int | None = None,
                model_id: int | None = None,
                limit: int = FEED_SIZE) -> list[tuple[ChangeEvent, Model | None]]:
    """Events of one model or provider; or, with neither, every event, those about the
    whole catalog (no model: "catalog loaded") included."""
    query = (select(ChangeEvent, Model).outerjoin(Model, Model.id == ChangeEvent.model_id)
             .outerjoin(Model.provider).options(contains_eager(Model.provider))
             .where(real_change()))
    if provider_id is not None:
        query = query.where(Model.provider_id == provider_id)
    if model_id is not None:
        query = query.where(ChangeEvent.model_id == model_id)
    query = query.order_by(ChangeEvent.occurred_at.desc(), ChangeEvent.id.desc()).limit(limit)
    return [(event, model) for event, model in session.execute(query).tuples()]


def provider_by_slug(session: Session, slug: str) -> Provider | None:
    return session.scalar(select(Provider).where(Provider.slug == slug))

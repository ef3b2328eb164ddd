"""Reads of /sitemap.xml: every model's address and the day it last changed."""
from __future__ import annotations

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from ratecard.models import ChangeEvent, ContentPage, Model, Provider


def sitemap_entries(session: Session) -> list[tuple[str, str, str | None]]:
    """(provider slug, canonical id, UTC day of the model's last change or None) of every
    model, by canonical id: one query, the day formatted in SQL (thousands of rows)."""
    last = select(ChangeEvent.model_id.label("model_id"),
                  func.max(ChangeEvent.occurred_at).label("at")).group_by(
        ChangeEvent.model_id).subquery()
    if session.get_bind().dialect.name == "sqlite":   # stored as UTC text, date first
        day = func.substr(type_coerce(last.c.at, String), 1, 10)
    else:
        day = func.to_char(func.timezone("UTC", last.c.at), "YYYY-MM-DD")
    return [(slug, cid, when) for slug, cid, when in session.execute(
        select(Provider.slug, Model.canonical_id, day).join(
            Provider, Provider.id == Model.provider_id).outerjoin(
            last, last.c.model_id == Model.id).order_by(Model.canonical_id))]


def published_pages(session: Session) -> list[str]:
    """The slugs of the published editorial pages with an address of their own (about,
    methodology, guides/…), by slug; model and provider editorials are parts of those pages."""
    return list(session.scalars(select(ContentPage.slug).where(
        ContentPage.kind == "page", ContentPage.published_revision_id.is_not(None))
        .order_by(ContentPage.slug)))

"""Read-side queries over the whole catalog."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import case, func, or_, select, type_coerce
from sqlalchemy.orm import Session, contains_eager, selectinload

from ratecard.db import Money
from ratecard.models import Capability, ChangeEvent, Model, Price, Provider
from ratecard.queries.shown import (
    IMAGE_MODES,
    base_price,
    cheapest_image_price,
    joins_prices,
    numeric,
    shown_base,
    shown_cheapest_image,
)


def model_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Model)) or 0


# -- added for the public pages (compare, home): batch reads for a handful of models ---------

def provider_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Provider)) or 0


def change_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ChangeEvent)) or 0


def model_ids(session: Session) -> list[str]:
    """Every canonical id, sorted (the compare picker's suggestions)."""
    return list(session.scalars(select(Model.canonical_id).order_by(Model.canonical_id)))


def models_by_ids(session: Session, canonical_ids: list[str]) -> dict[str, Model]:
    return {m.canonical_id: m for m in session.scalars(select(Model).options(
        selectinload(Model.provider)).where(Model.canonical_id.in_(canonical_ids)))}


def current_prices_for(session: Session, model_ids: list[int]) -> dict[int, list[Price]]:
    """Current price rows of several models (one query), grouped by model id."""
    out: dict[int, list[Price]] = {i: [] for i in model_ids}
    for price in session.scalars(select(Price).where(
            Price.model_id.in_(model_ids), Price.valid_to.is_(None)).order_by(
            Price.meter, Price.unit, Price.conditions_key, Price.source)):
        out[price.model_id].append(price)
    return out


def current_capabilities_for(session: Session,
                             model_ids: list[int]) -> dict[int, list[Capability]]:
    out: dict[int, list[Capability]] = {i: [] for i in model_ids}
    for cap in session.scalars(select(Capability).where(
            Capability.model_id.in_(model_ids), Capability.valid_to.is_(None)).order_by(
            Capability.name, Capability.source)):
        out[cap.model_id].append(cap)
    return out


def base_price_history(session: Session, model_ids: list[int],
                       meters: tuple[str, ...] = ("input", "output")) -> list[Price]:
    """Every base-condition row per 1M tokens of these meters, every source, oldest first."""
    return list(session.scalars(select(Price).where(
        Price.model_id.in_(model_ids), Price.meter.in_(meters), Price.unit == "1M_tokens",
        Price.conditions_key == "").order_by(
        Price.model_id, Price.meter, Price.source, Price.valid_from)))


def models_for_sitemap(session: Session) -> list[tuple[int, str, str]]:
    """(model id, provider slug, canonical id) of every model, by canonical id: plain rows,
    no ORM objects, one query."""
    return [(i, slug, cid) for i, slug, cid in session.execute(
        select(Model.id, Provider.slug, Model.canonical_id).join(
            Provider, Provider.id == Model.provider_id).order_by(Model.canonical_id))]


def cheapest_per_mode(session: Session, today: dt.date) -> list[tuple[str, Model, Decimal, str]]:
    """(mode, model, price, unit): the cheapest current model of each mode with a paid price,
    per 1M input tokens, or per image for image generation. Free ($0) listings are left out."""
    joined = joins_prices(session)
    image, tokens = shown_cheapest_image(), shown_base("input")
    price = type_coerce(case(
        (Model.mode.in_(IMAGE_MODES), image.c.amount if joined else cheapest_image_price()),
        else_=tokens.c.amount if joined else base_price("input")), Money())
    # Each price is computed once (the innermost query), then ranked within its mode.
    priced = select(Model.id.label("id"), Model.mode.label("mode"), price.label("price"))
    if joined:
        priced = priced.outerjoin(image, image.c.model_id == Model.id).outerjoin(
            tokens, tokens.c.model_id == Model.id)
    priced = priced.where(
        Model.mode.is_not(None),
        or_(Model.deprecation_date.is_(None), Model.deprecation_date > today)).subquery()
    key = numeric(priced.c.price)
    inner = select(priced.c.id, priced.c.mode, priced.c.price, func.row_number().over(
        partition_by=priced.c.mode, order_by=(key, priced.c.id)).label("n")).where(
        key > 0).subquery()
    picked = session.execute(select(inner.c.id, inner.c.mode, inner.c.price).where(
        inner.c.n == 1).order_by(inner.c.mode)).all()
    models = {m.id: m for m in session.scalars(select(Model).join(Model.provider).options(
        contains_eager(Model.provider)).where(Model.id.in_([row[0] for row in picked])))}
    return [(mode, models[mid], amount, "image" if mode in IMAGE_MODES else "1M_tokens")
            for mid, mode, amount in picked]

"""Reads of the home page: the catalog's counts and the cheapest model of each mode."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import String, and_, case, cast, func, not_, or_, select, type_coerce
from sqlalchemy.orm import Session, contains_eager
from sqlalchemy.sql.elements import ColumnElement

from ratecard.db import Money
from ratecard.models import ChangeEvent, Model, Provider
from ratecard.queries.changes import real_change
from ratecard.queries.shown import (
    base_price,
    cheapest_image_price,
    joins_prices,
    numeric,
    shown_base,
    shown_cheapest_image,
)
from scrapers.vocabulary import IMAGE_MODES, TEXT_MODES


def provider_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Provider)) or 0


def change_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ChangeEvent).where(
        real_change())) or 0


# Text modes whose "cheapest" must be a text model: some sources file image models (FLUX on
# Fireworks, say) under chat with nominal token prices. The rule: recorded output modalities
# must include text; where none are recorded, the id must not name an image-generation family.
IMAGE_FAMILIES = ("flux", "stable-diffusion", "stable_diffusion", "sdxl", "dall-e", "imagen",
                  "ideogram", "recraft", "kandinsky", "playground-v")


def _text_model() -> ColumnElement[bool]:
    outputs = func.coalesce(cast(Model.output_modalities, String), "")
    named_image = or_(*(func.lower(Model.canonical_id).like(f"%{name}%")
                        for name in IMAGE_FAMILIES))
    return or_(Model.mode.not_in(TEXT_MODES), outputs.like('%"text"%'),
               and_(not_(outputs.like('%"%')), not_(named_image)))


def cheapest_per_mode(session: Session, today: dt.date) -> list[tuple[str, Model, Decimal, str]]:
    """(mode, model, price, unit): the cheapest current model of each mode with a paid price,
    per 1M input tokens, or per image for image generation. Free ($0) listings are left out."""
    joined = joins_prices(session)
    image, tokens = shown_cheapest_image(), shown_base("input")
    price = type_coerce(case(
        (Model.mode.in_(IMAGE_MODES), image.c.amount if joined else cheapest_image_price()),
        else_=tokens.c.amount if joined else base_price("input")), Money())
    # Each price is computed once (the innermost query), then ranked within its mode.
    pricing = select(Model.id.label("id"), Model.mode.label("mode"), price.label("price"))
    if joined:
        pricing = pricing.outerjoin(image, image.c.model_id == Model.id).outerjoin(
            tokens, tokens.c.model_id == Model.id)
    priced = pricing.where(
        Model.mode.is_not(None), _text_model(),
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

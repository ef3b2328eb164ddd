"""Read-side queries over the whole catalog."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import String, and_, case, cast, func, not_, or_, select, type_coerce
from sqlalchemy.orm import Session, contains_eager, selectinload
from sqlalchemy.sql.elements import ColumnElement

from ratecard.db import Money
from ratecard.models import Capability, ChangeEvent, Model, Price, Provider
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


def model_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Model)) or 0


# -- added for the public pages (compare, home): batch reads for a handful of models ---------

def provider_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Provider)) or 0


def change_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ChangeEvent).where(
        real_change())) or 0


def model_ids(session: Session) -> list[str]:
    """Every canonical id, sorted (the compare picker's suggestions)."""
    return list(session.scalars(select(Model.canonical_id).order_by(Model.canonical_id)))


def model_names(session: Session) -> list[tuple[str, str]]:
    """(canonical id, name) of every model, by id (the compare picker's suggestions)."""
    return [(cid, name) for cid, name in session.execute(
        select(Model.canonical_id, Model.name).order_by(Model.canonical_id))]


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


class BaseRow(NamedTuple):
    """One base-condition price row per 1M tokens, as plain values (no ORM object)."""

    model_id: int
    source: str
    meter: str
    amount: Decimal
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    shown: bool


def base_history_of(session: Session, series: dict[tuple[int, str], str | None]
                    ) -> list[BaseRow]:
    """The base-condition rows per 1M tokens of each (model id, meter) in `series`, of the
    given source only (None: every source), oldest first. A chart reads the series it
    draws and nothing else: each term is a seek on ix_prices_lookup."""
    if not series:
        return []
    terms = [and_(Price.model_id == model_id, Price.meter == meter,
                  *(() if source is None else (Price.source == source,)))
             for (model_id, meter), source in series.items()]
    return [BaseRow(*row) for row in session.execute(select(
        Price.model_id, Price.source, Price.meter, Price.amount, Price.valid_from,
        Price.valid_to, Price.shown).where(or_(*terms), Price.unit == "1M_tokens",
                              Price.conditions_key == "").order_by(
        Price.model_id, Price.meter, Price.source, Price.valid_from))]


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
    priced = select(Model.id.label("id"), Model.mode.label("mode"), price.label("price"))
    if joined:
        priced = priced.outerjoin(image, image.c.model_id == Model.id).outerjoin(
            tokens, tokens.c.model_id == Model.id)
    priced = priced.where(
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

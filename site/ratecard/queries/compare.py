"""Reads of the compare page: the picker's names, the chosen models with their current prices
and capabilities (one query each), and the base price history its chart draws."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from ratecard.models import Capability, Model, Price


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

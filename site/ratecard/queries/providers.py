"""Read-side queries about providers: their model counts, modes and price ranges."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ratecard.models import Model, Provider
from ratecard.queries.shown import base_price, input_price, joins_prices, shown_base


@dataclass
class PriceRange:
    low: Decimal | None = None
    high: Decimal | None = None
    priced: int = 0                  # how many models have a price here

    def add(self, amount: Decimal | None) -> None:
        if amount is None:
            return
        self.priced += 1
        self.low = amount if self.low is None else min(self.low, amount)
        self.high = amount if self.high is None else max(self.high, amount)


@dataclass
class ProviderSummary:
    provider: Provider
    models: int = 0
    modes: Counter[str] = field(default_factory=Counter)
    input: PriceRange = field(default_factory=PriceRange)

    @property
    def mode_list(self) -> list[str]:
        return [mode for mode, _n in self.modes.most_common()]


def provider_by_slug(session: Session, slug: str) -> Provider | None:
    return session.scalar(select(Provider).where(Provider.slug == slug))


def summaries(session: Session, today: dt.date | None = None) -> list[ProviderSummary]:
    """Every provider with its model count, modes and the range of its shown input prices
    per 1M tokens (deprecated models left out of the range). Two queries; the prices are
    computed in SQL (see queries.catalog), one row per model."""
    today = today or dt.datetime.now(dt.UTC).date()
    found = {p.id: ProviderSummary(provider=p) for p in session.scalars(
        select(Provider).order_by(func.lower(Provider.name)))}
    query = select(Model.provider_id, Model.mode, Model.deprecation_date,
                   input_price(joins_prices(session)))
    if joins_prices(session):
        shown = shown_base("input")
        query = query.outerjoin(shown, shown.c.model_id == Model.id)
    for provider_id, mode, deprecation, amount in session.execute(query):
        summary = found[provider_id]
        summary.models += 1
        summary.modes[mode or "unknown"] += 1
        if deprecation is None or deprecation > today:
            summary.input.add(amount)
    return [s for s in found.values() if s.models]


@dataclass
class ProviderDetail:
    models: int = 0
    deprecated: int = 0
    modes: Counter[str] = field(default_factory=Counter)
    input: PriceRange = field(default_factory=PriceRange)
    output: PriceRange = field(default_factory=PriceRange)


def summary(session: Session, provider: Provider, today: dt.date | None = None) -> ProviderDetail:
    """Counts, modes and price ranges (per 1M tokens) over one provider's models; the
    ranges leave deprecated models out. One query, prices computed in SQL."""
    today = today or dt.datetime.now(dt.UTC).date()
    detail = ProviderDetail()
    for mode, deprecation, amount_in, amount_out in session.execute(select(
            Model.mode, Model.deprecation_date, base_price("input"),
            base_price("output")).where(Model.provider_id == provider.id)):
        # one provider's models: a seek per model beats pricing the whole catalog
        detail.models += 1
        detail.modes[mode or "unknown"] += 1
        if deprecation is not None and deprecation <= today:
            detail.deprecated += 1
            continue
        detail.input.add(amount_in)
        detail.output.add(amount_out)
    return detail

"""What the database holds for one source, loaded once per run so the diff is in memory."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratecard.models import Capability, Model, ModelAlias, Price, Provider, QuarantinedChange
from ratecard.models.pricing import CONDITION_COLUMNS
from scrapers.base import Conditions

PriceKey = tuple[int, str, str, str]          # model_id, meter, unit, conditions_key


class CurrentPrice(NamedTuple):
    """A current price row as plain values: loading thousands of ORM objects per run is slow."""

    id: int
    meter: str
    unit: str
    amount: Decimal
    valid_from: dt.datetime
    conditions_key: str
    quality: str | None
    size: str | None
    context_above: int | None
    service_tier: str | None
    time_window: str | None
    region: str | None

    def conditions(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in CONDITION_COLUMNS if getattr(self, k) is not None}


class CurrentCapability(NamedTuple):
    id: int
    name: str
    value: bool


def conditions_key(conditions: Conditions) -> str:
    """Canonical text of a condition set: '' for the base price."""
    return ";".join(f"{k}={v}" for k, v in sorted(conditions.as_dict().items()))


@dataclass
class SourceState:
    providers: dict[str, Provider] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)
    aliases: dict[str, ModelAlias] = field(default_factory=dict)
    # Current rows grouped by model id, so one model's diff never scans the others.
    prices: dict[int, dict[tuple[str, str, str], CurrentPrice]] = field(default_factory=dict)
    capabilities: dict[int, dict[str, CurrentCapability]] = field(default_factory=dict)
    pending: dict[PriceKey, QuarantinedChange] = field(default_factory=dict)

    def live_model_ids(self) -> set[str]:
        """Canonical ids this source currently publishes (some alias not vanished)."""
        by_id = {m.id: m.canonical_id for m in self.models.values()}
        return {by_id[a.model_id] for a in self.aliases.values()
                if a.vanished_at is None and a.model_id in by_id}


def load_state(session: Session, source: str) -> SourceState:
    state = SourceState()
    state.providers = {p.slug: p for p in session.scalars(select(Provider))}
    state.models = {m.canonical_id: m for m in session.scalars(select(Model))}
    state.aliases = {a.key: a for a in session.scalars(
        select(ModelAlias).where(ModelAlias.source == source))}
    price_columns = [getattr(Price, name) for name in CurrentPrice._fields]
    for model_id, *values in session.execute(select(Price.model_id, *price_columns).where(
            Price.source == source, Price.valid_to.is_(None))):
        row = CurrentPrice(*values)
        state.prices.setdefault(model_id, {})[(row.meter, row.unit, row.conditions_key)] = row
    for model_id, *values in session.execute(select(
            Capability.model_id, Capability.id, Capability.name, Capability.value).where(
            Capability.source == source, Capability.valid_to.is_(None))):
        cap = CurrentCapability(*values)
        state.capabilities.setdefault(model_id, {})[cap.name] = cap
    state.pending = {
        (q.model_id, q.meter, q.unit, q.conditions_key): q
        for q in session.scalars(select(QuarantinedChange).where(
            QuarantinedChange.source == source, QuarantinedChange.status == "pending"))
    }
    return state

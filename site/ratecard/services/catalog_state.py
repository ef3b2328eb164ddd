"""What the database holds for one source, loaded once per run so the diff is in memory."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratecard.models import Capability, Model, ModelAlias, Price, Provider, QuarantinedChange
from scrapers.base import Conditions

PriceKey = tuple[int, str, str, str]          # model_id, meter, unit, conditions_key


def conditions_key(conditions: Conditions) -> str:
    """Canonical text of a condition set: '' for the base price."""
    return ";".join(f"{k}={v}" for k, v in sorted(conditions.as_dict().items()))


@dataclass
class SourceState:
    providers: dict[str, Provider] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)
    aliases: dict[str, ModelAlias] = field(default_factory=dict)
    prices: dict[PriceKey, Price] = field(default_factory=dict)
    capabilities: dict[tuple[int, str], Capability] = field(default_factory=dict)
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
    state.prices = {
        (p.model_id, p.meter, p.unit, p.conditions_key): p
        for p in session.scalars(
            select(Price).where(Price.source == source, Price.valid_to.is_(None)))
    }
    state.capabilities = {
        (c.model_id, c.name): c
        for c in session.scalars(
            select(Capability).where(Capability.source == source, Capability.valid_to.is_(None)))
    }
    state.pending = {
        (q.model_id, q.meter, q.unit, q.conditions_key): q
        for q in session.scalars(select(QuarantinedChange).where(
            QuarantinedChange.source == source, QuarantinedChange.status == "pending"))
    }
    return state

"""Read-side queries about models: lookup by id or alias, current prices, history."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ratecard.config import SOURCE_PRECEDENCE
from ratecard.models import Capability, Disagreement, Model, ModelAlias, Price


def model_by_id(session: Session, canonical_id: str) -> Model | None:
    return session.scalar(select(Model).options(selectinload(Model.provider)).where(
        Model.canonical_id == canonical_id.lower()))


def model_by_alias(session: Session, key: str) -> Model | None:
    """A model reached through any source's own key (for redirects)."""
    return session.scalar(select(Model).join(ModelAlias).where(ModelAlias.key == key).limit(1))


def price_history(session: Session, model_id: int) -> list[Price]:
    """Every price row of every source, oldest first."""
    return list(session.scalars(select(Price).where(Price.model_id == model_id).order_by(
        Price.meter, Price.unit, Price.conditions_key, Price.source, Price.valid_from)))


def current_prices(session: Session, model_id: int) -> list[Price]:
    return list(session.scalars(select(Price).where(
        Price.model_id == model_id, Price.valid_to.is_(None)).order_by(
        Price.meter, Price.unit, Price.conditions_key, Price.source)))


def current_capabilities(session: Session, model_id: int) -> list[Capability]:
    return list(session.scalars(select(Capability).where(
        Capability.model_id == model_id, Capability.valid_to.is_(None)).order_by(
        Capability.name, Capability.source)))


def disagreements(session: Session, model_id: int) -> list[Disagreement]:
    return list(session.scalars(select(Disagreement).where(
        Disagreement.model_id == model_id).order_by(Disagreement.meter, Disagreement.unit)))


def precedence_rank(source: str) -> int:
    return SOURCE_PRECEDENCE.index(source) if source in SOURCE_PRECEDENCE else 99


def shown_prices(prices: list[Price]) -> dict[tuple[str, str, str], Price]:
    """The one value shown per meter/unit/conditions: the highest-precedence source's."""
    shown: dict[tuple[str, str, str], Price] = {}
    for price in sorted(prices, key=lambda p: precedence_rank(p.source)):
        shown.setdefault((price.meter, price.unit, price.conditions_key), price)
    return shown


def shown_capabilities(caps: list[Capability]) -> dict[str, Capability]:
    shown: dict[str, Capability] = {}
    for cap in sorted(caps, key=lambda c: precedence_rank(c.source)):
        shown.setdefault(cap.name, cap)
    return shown

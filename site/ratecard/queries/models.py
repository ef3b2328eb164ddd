"""Read-side queries about models: how many, every id, lookup by id or alias, current prices,
history."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ratecard.models import Capability, Disagreement, Model, ModelAlias, Price
from ratecard.precedence import rank


def model_count(session: Session) -> int:
    """How many models (the home page's count; 0 means an empty database to load)."""
    return session.scalar(select(func.count()).select_from(Model)) or 0


def model_ids(session: Session) -> list[str]:
    """Every canonical id, sorted (the editor lists the models without a page)."""
    return list(session.scalars(select(Model.canonical_id).order_by(Model.canonical_id)))


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


def precedence_rank(source: str) -> tuple[int, str]:
    """For listing sources in precedence order (not for picking the shown value: that is
    the `shown` flag, set by ratecard.precedence's rule)."""
    return rank(source)


def shown_prices(prices: list[Price]) -> dict[tuple[str, str, str], Price]:
    """The one value shown per meter/unit/conditions among these rows: the flagged one."""
    return {(p.meter, p.unit, p.conditions_key): p for p in prices
            if p.shown and p.valid_to is None}


def shown_capabilities(caps: list[Capability]) -> dict[str, Capability]:
    return {c.name: c for c in caps if c.shown and c.valid_to is None}

"""What the probes read: which models to measure and the prices a call is costed at."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select, true
from sqlalchemy.orm import Session, joinedload

from ratecard.models import ContentPage, Model, Price
from ratecard.probes.cost import ProbeRates
from ratecard.queries.shown import image_only


def editorial_models(session: Session) -> list[Model]:
    """Models with a published editorial page (the default set to measure)."""
    return list(session.scalars(select(Model).join(
        ContentPage, (ContentPage.model_id == Model.id) & (ContentPage.kind == "model")).where(
        ContentPage.published_revision_id.is_not(None)).options(
        joinedload(Model.provider)).order_by(Model.canonical_id)).unique())


def models_by_ids(session: Session, ids: Sequence[str]) -> tuple[list[Model], list[str]]:
    """(the models with these canonical ids, in the given order; the ids not found)."""
    found = {m.canonical_id: m for m in session.scalars(select(Model).where(
        Model.canonical_id.in_(list(ids))).options(joinedload(Model.provider)))}
    return [found[i] for i in ids if i in found], [i for i in ids if i not in found]


def probe_rates(session: Session, model_id: int) -> ProbeRates:
    """The shown current prices a probe call is costed at: base input/output per 1M tokens,
    output image tokens, and the cheapest per-image price."""
    tokens: dict[str, Decimal] = {}
    cheapest: Decimal | None = None
    for meter, unit, key, amount in session.execute(select(
            Price.meter, Price.unit, Price.conditions_key, Price.amount).where(
            Price.model_id == model_id, Price.shown == true(), Price.valid_to.is_(None),
            Price.meter.in_(("input", "output", "output_image", "image")))):
        if meter == "image" and unit == "image" and image_only(key):
            cheapest = amount if cheapest is None or amount < cheapest else cheapest
        elif unit == "1M_tokens" and key == "":
            tokens[meter] = amount
    return ProbeRates(input=tokens.get("input"), output=tokens.get("output"),
                      output_image=tokens.get("output_image"), per_image=cheapest)

"""Image models' prices for lists: the cheapest published per-image price, the price per
1M image output tokens and the cost of one standard image (published, or computed by
ratecard.image_costs), from the shown current rows. The catalog sorts by them from its
rows (services/catalog_rows.py stores each model's keys, from page_image_prices).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from ratecard.image_costs import ImageCost, Option, option_of, standard_cost
from ratecard.models import Disagreement, Price
from ratecard.queries.shown import image_only

# Catalog sorts by image prices: per 1M image output tokens, cheapest published per-image
# price, one standard image.
IMAGE_SORTS = ("image_tokens", "per_image", "image")


@dataclass(frozen=True)
class ImagePrices:
    per_image_from: Decimal | None = None        # cheapest published per-image option
    output_image: Decimal | None = None          # per 1M image output tokens
    standard: ImageCost | None = None            # one standard image (may be computed)
    # (low, high) where sources differ by more than 1 % (services.disagreements)
    per_image_split: tuple[Decimal, Decimal] | None = None
    output_image_split: tuple[Decimal, Decimal] | None = None

    def key(self, sort: str) -> Decimal | None:
        if sort == "image_tokens":
            return self.output_image
        if sort == "per_image":
            return self.per_image_from
        return self.standard.amount if self.standard else None


_COLUMNS = (Price.model_id, Price.meter, Price.unit, Price.conditions_key, Price.amount)
_TERMS = (Price.shown == true(), Price.valid_to.is_(None),
          Price.meter.in_(("image", "output_image")), Price.unit.in_(("image", "1M_tokens")))


@cache
def _page_stmt() -> Select[Any]:
    return select(*_COLUMNS).where(*_TERMS, Price.model_id.in_(bindparam("ids",
                                                                        expanding=True)))


@cache
def _split_stmt() -> Select[Any]:
    return select(Disagreement.model_id, Disagreement.meter, Disagreement.unit,
                  Disagreement.conditions_key, Disagreement.low, Disagreement.high).where(
        Disagreement.model_id.in_(bindparam("ids", expanding=True)),
        Disagreement.meter.in_(("image", "output_image")))


def _collect(rows: Iterable[Sequence[Any]]
             ) -> tuple[dict[int, dict[Option, Decimal]], dict[int, Decimal]]:
    """Per-image options (quality/size conditions only) and base image-token rates."""
    options: dict[int, dict[Option, Decimal]] = {}
    tokens: dict[int, Decimal] = {}
    for model_id, meter, unit, conditions_key, amount in rows:
        if meter == "image" and unit == "image" and image_only(conditions_key):
            options.setdefault(model_id, {})[option_of(conditions_key)] = amount
        elif meter == "output_image" and unit == "1M_tokens" and conditions_key == "":
            tokens[model_id] = amount
    return options, tokens


def _prices(canonical_id: str, options: dict[Option, Decimal], rate: Decimal | None
            ) -> ImagePrices:
    return ImagePrices(per_image_from=min(options.values()) if options else None,
                       output_image=rate, standard=standard_cost(canonical_id, options, rate))


def page_image_prices(session: Session, models: Sequence[tuple[int, str]]
                      ) -> dict[int, ImagePrices]:
    """(model id, canonical id) of a page's image models -> their ImagePrices (two small
    queries: prices and disagreements)."""
    if not models:
        return {}
    ids = [model_id for model_id, _ in models]
    options, tokens = _collect(session.execute(_page_stmt(), {"ids": ids}))
    splits: dict[tuple[int, str], tuple[Decimal, Decimal]] = {}
    for model_id, meter, unit, ckey, low, high in session.execute(_split_stmt(), {"ids": ids}):
        if (meter, unit) == ("image", "image") and image_only(ckey):
            was = splits.get((model_id, meter))
            splits[(model_id, meter)] = (low, high) if was is None else (
                min(low, was[0]), max(high, was[1]))
        elif (meter, unit, ckey) == ("output_image", "1M_tokens", ""):
            splits[(model_id, meter)] = (low, high)
    out = {}
    for model_id, canonical_id in models:
        found = _prices(canonical_id, options.get(model_id, {}), tokens.get(model_id))
        out[model_id] = ImagePrices(
            found.per_image_from, found.output_image, found.standard,
            per_image_split=splits.get((model_id, "image")),
            output_image_split=splits.get((model_id, "output_image")))
    return out

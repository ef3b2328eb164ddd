"""The shown price and capability of a model, in SQL: current rows flagged `shown`.

Which source's value is shown is decided once, by ratecard.precedence, and stored as the
`shown` flag on current rows by services.shown after every write. These expressions select,
sort and filter by it and decide nothing themselves. Two forms, both on ix_prices_shown (a
partial index of current shown rows only):
- correlated subqueries, one exact seek per model: for a page of rows, and on SQLite for
  every row too (its planner joins a derived table without an index: quadratic);
- a derived table of one meter's shown prices joined once: how PostgreSQL sorts or filters
  every model (a subquery per model costs far more there).
Amounts are Decimal (Money); `numeric()` is for ORDER BY and range filters only.
"""
from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Float, case, cast, exists, func, select, true, type_coerce
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Select, Subquery
from sqlalchemy.sql.elements import ColumnElement

from ratecard.db import Money
from ratecard.models import Capability, Model, Price
from scrapers.vocabulary import IMAGE_MODES


def _shown(p: type[Price]) -> ColumnElement[bool]:
    # The exact terms of ix_prices_shown's WHERE, so both planners use the partial index.
    return (p.shown == true()) & p.valid_to.is_(None)


# A per-image price's own conditions: quality and size. One with any other condition (a
# batch tier, a region) is not an option of the picture itself, so never "from $X".
IMAGE_CONDITIONS = ("quality=", "size=")


def image_only(conditions_key: str) -> bool:
    return all(part.startswith(IMAGE_CONDITIONS) for part in conditions_key.split(";") if part)


def _image_only(p: type[Price]) -> ColumnElement[bool]:
    return (p.context_above.is_(None) & p.service_tier.is_(None) & p.time_window.is_(None)
            & p.region.is_(None))


@cache
def base_price(meter: str, unit: str = "1M_tokens") -> ColumnElement[Decimal]:
    """The shown current base price of `meter` for the outer query's model (Decimal).
    Expressions are immutable, so each is built once."""
    p = aliased(Price)
    return type_coerce(select(p.amount).where(
        p.meter == meter, p.unit == unit, p.conditions_key == "", p.model_id == Model.id,
        _shown(p)).limit(1).scalar_subquery(), Money())


@cache
def cheapest_image_price() -> ColumnElement[Decimal]:
    """The lowest shown per-image price over every quality/size (Decimal)."""
    p = aliased(Price)
    return type_coerce(select(p.amount).where(
        p.meter == "image", p.unit == "image", p.model_id == Model.id, _shown(p),
        _image_only(p)).order_by(
        cast(p.amount, Float)).limit(1).scalar_subquery(), Money())


@cache
def output_price() -> ColumnElement[Decimal]:
    """Per 1M output tokens; for image models the cheapest per-image price when they have one."""
    tokens = base_price("output")
    return case((Model.mode.in_(IMAGE_MODES), func.coalesce(cheapest_image_price(), tokens)),
                else_=tokens)


@cache
def shown_base(meter: str, unit: str = "1M_tokens") -> Subquery:
    """(model_id, amount): the shown current base price of `meter` of every model that has
    one, as a derived table to join (PostgreSQL only, see joins_prices)."""
    return select(Price.model_id.label("model_id"), Price.amount.label("amount")).where(
        Price.meter == meter, Price.unit == unit, Price.conditions_key == "",
        _shown(Price)).subquery(f"shown_{meter}")


@cache
def shown_cheapest_image() -> Subquery:
    """(model_id, amount): the lowest shown per-image price of every model that has one
    (PostgreSQL only)."""
    return select(Price.model_id.label("model_id"), Price.amount.label("amount")).where(
        Price.meter == "image", Price.unit == "image", _shown(Price),
        _image_only(Price)).distinct(
        Price.model_id).order_by(Price.model_id, cast(Price.amount, Float)).subquery(
        "shown_image")


def with_prices(query: Select[Any], tables: set[str]) -> Select[Any]:
    """Join the shown-price tables a sort or filter needs (LEFT: unpriced models stay)."""
    for name in ("input", "output", "image"):
        if name in tables:
            table = shown_cheapest_image() if name == "image" else shown_base(name)
            query = query.outerjoin(table, table.c.model_id == Model.id)
    return query


def joins_prices(session: Session) -> bool:
    """Whether to price every row with joined tables (PostgreSQL) or subqueries (SQLite)."""
    return session.get_bind().dialect.name != "sqlite"


def input_price(joined: bool) -> ColumnElement[Decimal]:
    return shown_base("input").c.amount if joined else base_price("input")


@cache
def output_for_sort(joined: bool) -> ColumnElement[Decimal]:
    """output_price(), from the joined tables when `joined`."""
    if not joined:
        return output_price()
    tokens = shown_base("output").c.amount
    return case((Model.mode.in_(IMAGE_MODES),
                 func.coalesce(shown_cheapest_image().c.amount, tokens)), else_=tokens)


def numeric(expr: ColumnElement[Decimal]) -> ColumnElement[float]:
    """For ORDER BY and range filters only: never displayed."""
    return cast(expr, Float)


@cache
def has_capability(name: str) -> ColumnElement[bool]:
    """The shown current value of capability `name` is true."""
    c = aliased(Capability)
    return exists().where(c.model_id == Model.id, c.name == name, c.valid_to.is_(None),
                          c.shown == true(), c.value == true())

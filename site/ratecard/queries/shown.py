"""The shown price and capability of a model, in SQL: the precedence rule of
queries.models.shown_prices / shown_capabilities as expressions to select, sort and filter by.

The shown price of a model/meter is the current base row (valid_to NULL, conditions_key '')
of the highest-precedence source (config.SOURCE_PRECEDENCE). Two forms, both reading current
rows only (ix_prices_lookup, ix_prices_current), never the price history:
- correlated subqueries, one exact index seek per source: for a page of rows, and on SQLite
  for every row too (its planner joins a derived table without an index: quadratic);
- a derived table of shown prices (DISTINCT ON over the current rows) joined once: how
  PostgreSQL sorts or filters every model (a subquery per model costs far more there).
Amounts are Decimal (Money); `numeric()` is for ORDER BY and range filters only.
"""
from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Float, case, cast, exists, func, select, type_coerce
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Select, Subquery
from sqlalchemy.sql.elements import ColumnElement

from ratecard.config import SOURCE_PRECEDENCE
from ratecard.db import Money
from ratecard.models import Capability, Model, Price

IMAGE_MODES = ("image_generation",)


def price_sources() -> tuple[str, ...]:
    """Every source that can write prices, in precedence order (sources missing from
    SOURCE_PRECEDENCE rank last, by name, as in queries.models.precedence_rank)."""
    from scrapers.registry import SOURCES

    others = sorted({s.name for s in SOURCES} - set(SOURCE_PRECEDENCE))
    return (*SOURCE_PRECEDENCE, *others)


def source_rank(column: ColumnElement[str]) -> ColumnElement[int]:
    """Precedence as a number (0 = shown first); unknown sources after every known one."""
    return case({s: i for i, s in enumerate(price_sources())}, value=column, else_=99)


@cache
def base_price(meter: str, unit: str = "1M_tokens") -> ColumnElement[Decimal]:
    """The shown current base price of `meter` for the outer query's model (Decimal):
    the first source, in precedence order, with a current base row. Each branch is an exact
    seek on ix_prices_lookup; COALESCE stops at the first hit. Expressions are immutable,
    so each is built once (building them costs more than running them)."""
    p = aliased(Price)
    where = (p.model_id == Model.id, p.meter == meter, p.unit == unit, p.conditions_key == "",
             p.valid_to.is_(None))
    parts = [select(p.amount).where(*where, p.source == source).limit(1).scalar_subquery()
             for source in price_sources()]
    return type_coerce(func.coalesce(*parts), Money())


@cache
def cheapest_image_price() -> ColumnElement[Decimal]:
    """The lowest shown per-image price over every quality/size (Decimal): rows outranked
    by a higher-precedence source for the same conditions are skipped. `source IN (…)`
    lets both lookups seek on ix_prices_lookup instead of scanning the model's history."""
    p, q = aliased(Price), aliased(Price)
    sources = price_sources()
    outranked = exists().where(
        q.model_id == p.model_id, q.source.in_(sources), q.meter == p.meter,
        q.unit == p.unit, q.conditions_key == p.conditions_key, q.valid_to.is_(None),
        source_rank(q.source) < source_rank(p.source))
    return type_coerce(select(p.amount).where(
        p.model_id == Model.id, p.source.in_(sources), p.meter == "image", p.unit == "image",
        p.valid_to.is_(None), ~outranked).order_by(cast(p.amount, Float)).limit(1)
        .scalar_subquery(), Money())


@cache
def output_price() -> ColumnElement[Decimal]:
    """Per 1M output tokens; for image models the cheapest per-image price when they have one."""
    tokens = base_price("output")
    return case((Model.mode.in_(IMAGE_MODES), func.coalesce(cheapest_image_price(), tokens)),
                else_=tokens)


@cache
def shown_base(meter: str, unit: str = "1M_tokens") -> Subquery:
    """(model_id, amount): the shown current base price of `meter` of every model that has
    one, as a derived table to join (PostgreSQL only, see joins_prices). DISTINCT ON, not a
    row_number() window filtered to 1: the planner estimates a window's "n = 1" at a handful
    of rows and joins it in a nested loop (quadratic); DISTINCT ON it estimates as the
    number of models."""
    return select(Price.model_id.label("model_id"), Price.amount.label("amount")).where(
        Price.source.in_(price_sources()), Price.valid_to.is_(None),
        Price.conditions_key == "", Price.meter == meter, Price.unit == unit).distinct(
        Price.model_id).order_by(Price.model_id, source_rank(Price.source)).subquery(
        f"shown_{meter}")


@cache
def shown_cheapest_image() -> Subquery:
    """(model_id, amount): the lowest shown per-image price of every model that has one
    (PostgreSQL only; DISTINCT ON as in shown_base)."""
    shown = select(Price.model_id.label("model_id"), Price.amount.label("amount")).where(
        Price.source.in_(price_sources()), Price.valid_to.is_(None),
        Price.meter == "image", Price.unit == "image").distinct(
        Price.model_id, Price.conditions_key).order_by(
        Price.model_id, Price.conditions_key, source_rank(Price.source)).subquery()
    return select(shown.c.model_id, shown.c.amount).distinct(shown.c.model_id).order_by(
        shown.c.model_id, cast(shown.c.amount, Float)).subquery("shown_image")


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
    """The shown (highest-precedence) current value of capability `name` is true."""
    c, d = aliased(Capability), aliased(Capability)
    outranked = exists().where(
        d.model_id == c.model_id, d.name == c.name, d.valid_to.is_(None),
        source_rank(d.source) < source_rank(c.source))
    return exists().where(c.model_id == Model.id, c.name == name, c.valid_to.is_(None),
                          c.value.is_(True), ~outranked)

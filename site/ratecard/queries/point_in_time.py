"""What was in force at an instant: price and capability rows with valid_from <= at < valid_to
(valid_to NULL = still current), and which of them readers were shown then.

The shown value at a past instant is decided by the same rule as today's flag
(ratecard.precedence), applied to the rows in force at that instant: the stored `shown` flag
only describes current rows. With no instant, current rows and their stored flags are read.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import SQLColumnExpression, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ratecard.models import Capability, Model, Price
from ratecard.precedence import Candidate, applicable, pick_consensus, pick_price

PriceKey = tuple[str, str, str]          # meter, unit, conditions_key


def _in_force(column_from: SQLColumnExpression[dt.datetime],
              column_to: SQLColumnExpression[dt.datetime | None], at: dt.datetime
              ) -> list[ColumnElement[bool]]:
    return [column_from <= at, or_(column_to.is_(None), column_to > at)]


def prices_at(session: Session, model: Model, at: dt.datetime | None, *,
              meter: str | None = None, source: str | None = None
              ) -> list[tuple[Price, bool]]:
    """(row, shown) for every price row of `model` in force at `at` (None: now), ordered
    by meter, unit, conditions and source. `meter` and `source` narrow the rows returned,
    not the rows the shown pick is made from."""
    where: list[ColumnElement[bool]] = [Price.model_id == model.id]
    if at is None:
        where.append(Price.valid_to.is_(None))
    else:
        where += _in_force(Price.valid_from, Price.valid_to, at)
    rows = list(session.scalars(select(Price).where(*where).order_by(
        Price.meter, Price.unit, Price.conditions_key, Price.source)))
    shown = {p.id for p in rows if p.shown} if at is None else _picks(session, model, rows)
    return [(p, p.id in shown) for p in rows
            if (meter is None or p.meter == meter) and (source is None or p.source == source)]


def _picks(session: Session, model: Model, rows: list[Price]) -> set[int]:
    """The ids of the rows precedence picks among those in force (one per key)."""
    if not rows:
        return set()
    # A change, not a first listing: the same source's own row for the key ended where
    # this one began, with another amount (services.shown's `replaced`).
    ends = {(p.source, p.meter, p.unit, p.conditions_key, p.valid_to): p.amount
            for p in session.scalars(select(Price).where(
                Price.model_id == model.id, Price.valid_to.in_({p.valid_from for p in rows})))}
    keys: dict[PriceKey, list[Candidate[int]]] = defaultdict(list)
    for p in rows:
        before = ends.get((p.source, p.meter, p.unit, p.conditions_key, p.valid_from))
        changed = p.valid_from if before is not None and before != p.amount else None
        keys[(p.meter, p.unit, p.conditions_key)].append(
            Candidate(p.source, p.amount, p.valid_from, changed, p.id))
    return {pick_price(candidates).ref for key, candidates in keys.items()
            if applicable(key[0], model.mode)}


def capabilities_at(session: Session, model_id: int, at: dt.datetime | None
                    ) -> list[tuple[Capability, bool]]:
    """(row, shown) for every capability row in force at `at` (None: now), by name, source."""
    where: list[ColumnElement[bool]] = [Capability.model_id == model_id]
    if at is None:
        where.append(Capability.valid_to.is_(None))
    else:
        where += _in_force(Capability.valid_from, Capability.valid_to, at)
    rows = list(session.scalars(select(Capability).where(*where).order_by(
        Capability.name, Capability.source)))
    if at is None:
        return [(c, bool(c.shown)) for c in rows]
    by_name: dict[str, list[tuple[str, object, int]]] = defaultdict(list)
    for c in rows:
        by_name[c.name].append((c.source, bool(c.value), c.id))
    shown = {pick_consensus(values) for values in by_name.values()}
    return [(c, c.id in shown) for c in rows]

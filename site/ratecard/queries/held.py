"""Held price values still waiting for a person: for the profile page, the API and
`ratecard quarantine list`."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratecard.models import Price, QuarantinedChange
from ratecard.money import exact_text


@dataclass(frozen=True)
class Held:
    """One pending held value. `first`: the source never had a value for this price (a
    held first sight); otherwise a change from `old_amount`."""

    id: int
    source: str
    meter: str
    unit: str
    conditions: dict[str, object]
    old_amount: Decimal | None
    new_amount: Decimal
    seen_at: dt.datetime
    reason: str

    @property
    def first(self) -> bool:
        return self.old_amount is None

    def as_json(self) -> dict[str, object]:
        return {
            "source": self.source, "meter": self.meter, "unit": self.unit,
            "conditions": self.conditions or {}, "kind": "new" if self.first else "change",
            "current": exact_text(self.old_amount),
            "held": exact_text(self.new_amount), "seen": self.seen_at.date().isoformat(),
            "reason": self.reason,
        }


def pending(session: Session, model_id: int) -> list[Held]:
    """This model's pending held values, by meter, source and date (one indexed query)."""
    rows = session.scalars(select(QuarantinedChange).where(
        QuarantinedChange.model_id == model_id, QuarantinedChange.status == "pending"
    ).order_by(QuarantinedChange.meter, QuarantinedChange.unit, QuarantinedChange.source,
               QuarantinedChange.seen_at, QuarantinedChange.id))
    return [Held(q.id, q.source, q.meter, q.unit, q.conditions or {}, q.old_amount,
                 q.new_amount, q.seen_at, q.reason) for q in rows]


def others_now(session: Session, changes: list[QuarantinedChange]
               ) -> dict[int, list[tuple[str, Decimal]]]:
    """For each held change (by id), what the other sources currently say for the same
    model, meter, unit and conditions: (source, amount) pairs, one query."""
    keys = {(q.model_id, q.meter, q.unit, q.conditions_key) for q in changes}
    found: dict[tuple[int, str, str, str], list[tuple[str, Decimal]]] = {}
    if keys:
        columns = (Price.model_id, Price.meter, Price.unit, Price.conditions_key)
        for *key, source, amount in session.execute(select(*columns, Price.source,
                                                           Price.amount).where(
                Price.valid_to.is_(None), Price.model_id.in_({k[0] for k in keys}))):
            if tuple(key) in keys:
                found.setdefault(tuple(key), []).append((source, amount))
    return {q.id: sorted((s, a) for s, a in found.get(
        (q.model_id, q.meter, q.unit, q.conditions_key), []) if s != q.source)
        for q in changes}

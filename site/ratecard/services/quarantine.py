"""Settling held price changes: approve (takes effect when it was seen) or reject."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratecard.db import utcnow
from ratecard.models import ChangeEvent, Price, QuarantinedChange
from ratecard.services import derived
from ratecard.services.apply import money


class QuarantineError(ValueError):
    pass


def _pending(session: Session, ids: list[int] | None) -> list[QuarantinedChange]:
    query = select(QuarantinedChange).where(QuarantinedChange.status == "pending")
    if ids is not None:
        query = query.where(QuarantinedChange.id.in_(ids))
    found = list(session.scalars(query.order_by(QuarantinedChange.id).with_for_update()))
    if ids is not None:
        missing = sorted(set(ids) - {q.id for q in found})
        if missing:
            raise QuarantineError(
                "no pending held change with id " + ", ".join(map(str, missing)))
    return found


def approve(session: Session, ids: list[int] | None) -> list[QuarantinedChange]:
    """Publish held changes; each takes effect at the date it was seen."""
    held = _pending(session, ids)
    for change in held:
        current = session.scalar(select(Price).where(
            Price.model_id == change.model_id, Price.source == change.source,
            Price.meter == change.meter, Price.unit == change.unit,
            Price.conditions_key == change.conditions_key, Price.valid_to.is_(None)))
        start = change.seen_at
        if current is not None:
            # A later change may already have moved the row on; never end it before it began.
            start = max(start, current.valid_from)
            current.valid_to = start
        c = change.conditions
        session.add(Price(
            model_id=change.model_id, source=change.source, meter=change.meter,
            unit=change.unit, amount=change.new_amount, currency="USD",
            quality=c.get("quality"), size=c.get("size"), context_above=c.get("context_above"),
            service_tier=c.get("service_tier"), time_window=c.get("time_window"),
            region=c.get("region"), conditions_key=change.conditions_key, valid_from=start,
            valid_to=None, sync_run_id=change.sync_run_id))
        # A held first-sight value (nothing current, nothing before it) is an addition.
        first = current is None and change.old_amount is None
        session.add(ChangeEvent(
            model_id=change.model_id, source=change.source,
            kind="price_added" if first else "price_changed",
            subject=f"{change.meter}/{change.unit}", conditions=c or None,
            old_value=money(current.amount if current else change.old_amount),
            new_value=money(change.new_amount), occurred_at=start,
            sync_run_id=change.sync_run_id))
        change.status, change.decided_at = "approved", utcnow()
    derived.refresh(session, {change.model_id for change in held}, utcnow())
    return held


def reject(session: Session, ids: list[int] | None) -> list[QuarantinedChange]:
    held = _pending(session, ids)
    for change in held:
        change.status, change.decided_at = "rejected", utcnow()
    return held

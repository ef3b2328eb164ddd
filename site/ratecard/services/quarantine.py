"""Settling held price changes: approve (takes effect when it was seen) or reject; held
values that became corrections publish by themselves (redecide)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratecard.db import utcnow
from ratecard.models import ChangeEvent, Price, QuarantinedChange
from ratecard.money import exact_text
from ratecard.services import derived
from ratecard.services.corrections import References, correction


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
        publish(session, change)
    derived.refresh(session, {change.model_id for change in held}, utcnow())
    return held


def publish(session: Session, change: QuarantinedChange, corrected: bool = False) -> None:
    """Write one held value as current from the date it was seen. `corrected`: it
    published by itself (services/corrections.py), recorded as a correction. The caller
    refreshes what is derived (derived.refresh) for the models it published."""
    current = session.scalar(select(Price).where(
        Price.model_id == change.model_id, Price.source == change.source,
        Price.meter == change.meter, Price.unit == change.unit,
        Price.conditions_key == change.conditions_key, Price.valid_to.is_(None)))
    start = change.seen_at
    if current is not None and current.amount == change.new_amount:
        # What was held is what is current now: publishing it would record a change of
        # nothing ("$14.00 → $14.00").
        change.status = "corrected" if corrected else "approved"
        change.decided_at = utcnow()
        return
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
    kind = "price_added" if first else ("price_corrected" if corrected else "price_changed")
    session.add(ChangeEvent(
        model_id=change.model_id, source=change.source, kind=kind,
        subject=f"{change.meter}/{change.unit}", conditions=c or None,
        old_value=exact_text(current.amount if current else change.old_amount),
        new_value=exact_text(change.new_amount), occurred_at=start,
        sync_run_id=change.sync_run_id))
    change.status = "corrected" if corrected else "approved"
    change.decided_at = utcnow()


def redecide(session: Session, refs: References, source: str, own: bool = False) -> set[int]:
    """Held values of the other sources, decided again against what is current now (a
    sync of `source` is starting: the others may have caught up since). Those that are
    corrections publish; the models they touched are returned for derived.refresh.
    The source's own held values are decided by its diff (services/apply.py), except
    after a rebuild of its history (own=True: only its own are decided), where the other
    sources' later runs that decided them are not replayed."""
    mine = QuarantinedChange.source == source
    touched: set[int] = set()
    for change in list(session.scalars(select(QuarantinedChange).where(
            QuarantinedChange.status == "pending", mine if own else ~mine
    ).order_by(QuarantinedChange.id))):
        key = (change.meter, change.unit, change.conditions_key)
        ref = refs.around(change.model_id, change.source, key, few=True)
        why = correction(change.old_amount, change.new_amount, change.unit, ref)
        if why is None:
            continue
        publish(session, change, corrected=change.old_amount is not None)
        change.reason = f"{change.reason}; published: {why}"
        refs.note(change.model_id, change.source, key, change.new_amount)
        refs.held(change.model_id, change.source, key, False)
        touched.add(change.model_id)
    return touched


def reject(session: Session, ids: list[int] | None) -> list[QuarantinedChange]:
    held = _pending(session, ids)
    for change in held:
        change.status, change.decided_at = "rejected", utcnow()
    return held

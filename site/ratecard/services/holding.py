"""The writer's held values: holding one back, settling it when upstream moves on, and
publishing it by itself when it turns out to be a correction (services/corrections.py)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from ratecard.models import QuarantinedChange
from ratecard.services import quarantine
from ratecard.services.catalog_state import PriceKey, SourceState
from ratecard.services.corrections import References, outlier, waiting
from ratecard.services.guards import check_plausible
from scrapers.base import PriceRecord


class Holding:
    """Mixed into services.apply.Writer, whose attributes these are."""

    session: Session
    source: str
    run_id: int
    as_of: dt.datetime
    state: SourceState
    counts: Any           # apply.Counts
    _references: References | None = None

    def _hold(self, model_id: int, key: PriceKey, record: PriceRecord, old: Decimal | None,
              reason: str, when: dt.datetime) -> None:
        """Keep one suspicious value back; the same value already waiting is not held twice."""
        self.counts.quarantined += 1
        self._refs().held(model_id, self.source, key[1:], True)
        pending = self.state.pending.get(key)
        if pending is not None and pending.new_amount == record.amount:
            pending.reason = reason      # what the others say now
            return
        self._settle_pending(key)
        self.session.add(QuarantinedChange(
            sync_run_id=self.run_id, model_id=model_id, source=self.source,
            meter=record.meter, unit=record.unit, conditions=record.conditions.as_dict(),
            conditions_key=key[3], old_amount=old, new_amount=record.amount, reason=reason,
            seen_at=when))

    def _hold_new(self, model_id: int, key: PriceKey, record: PriceRecord,
                  when: dt.datetime, slip: str | None = None) -> bool:
        """Hold a value this source never priced if it is implausible or an outlier, or
        arrives beside an implausible value of the same unit (`slip`, the same slip)."""
        own = check_plausible(record.unit, record.amount)
        reason = own or slip
        pending = self.state.pending.get(key)
        if reason is not None and pending is not None and pending.new_amount == record.amount:
            self._hold(model_id, key, record, None, pending.reason, when)
            return True       # implausible and already waiting: nothing to look up
        ref = self._refs().around(model_id, self.source, key[1:])
        reason = reason or outlier(record.amount, ref)
        if reason is not None:
            self._hold(model_id, key, record, None, waiting(reason, ref), when)
        return reason is not None

    def _refs(self) -> References:
        """What the other sources say, loaded at the run's first price; the other
        sources' held values are decided again then (they may have become corrections)."""
        if self._references is None:
            self._references = References(self.session)
            touched = quarantine.redecide(self.session, self._references, self.source)
            self.counts.touched |= touched
        return self._references

    def _corrected(self, key: PriceKey, record: PriceRecord, why: str,
                   when: dt.datetime) -> dt.datetime:
        """The held value this one settles, if the same: marked published, its date kept."""
        pending = self.state.pending.get(key)
        if pending is None or pending.new_amount != record.amount:
            return when
        pending.status, pending.decided_at = "corrected", self.as_of
        pending.reason = f"{pending.reason}; published: {why}"
        del self.state.pending[key]
        self._refs().held(key[0], self.source, key[1:], False)
        return min(pending.seen_at, when)

    def _settle_pending(self, key: PriceKey) -> None:
        """Upstream moved on from a held value: nothing left to review."""
        pending = self.state.pending.get(key)
        if pending is not None and pending.status == "pending":
            pending.status, pending.decided_at = "expired", self.as_of
            self._refs().held(key[0], self.source, key[1:], False)


"""Writing one parsed payload into the database: the diff against what is current.

Only values that changed produce rows; an unchanged payload writes no price rows.
Called inside the run's single transaction by services.sync.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from ratecard.config import SOURCE_PRECEDENCE
from ratecard.models import (
    Capability,
    ChangeEvent,
    Model,
    ModelAlias,
    Price,
    Provider,
)
from ratecard.money import exact_text
from ratecard.names import choose
from ratecard.services.catalog_state import (
    CurrentPrice,
    PriceKey,
    SourceState,
    conditions_key,
)
from ratecard.services.corrections import correction, waiting
from ratecard.services.guards import check_change, check_plausible
from ratecard.services.holding import Holding
from scrapers.base import ModelRecord, PriceRecord


@dataclass
class Counts:
    """What the writer itself tallies; the run summary adds model-level counts."""

    quarantined: int = 0
    price_rows: int = 0
    touched: set[int] = field(default_factory=set)   # model ids whose prices may have moved


# Rows buffered before they are written (in the run's one transaction): a payload of tens
# of thousands of models must not hold every pending row in memory at once.
FLUSH_ROWS = 5000
# Kinds whose old and new value may be equal by mistake: such an event says nothing.
NO_OP_KINDS = ("price_changed", "price_corrected")


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


class Writer(Holding):
    """Accumulates inserts and updates, then writes them in a few bulk statements."""

    def __init__(self, session: Session, source: str, run_id: int, as_of: dt.datetime,
                 state: SourceState):
        self.session, self.source, self.run_id, self.as_of = session, source, run_id, as_of
        self.state = state
        self.new_prices: list[dict[str, object]] = []
        self.closed_prices: list[dict[str, object]] = []
        self.new_caps: list[dict[str, object]] = []
        self.closed_caps: list[dict[str, object]] = []
        self.events: list[dict[str, object]] = []
        self.pending_deprecations: list[tuple[Model, dt.date]] = []
        self.counts = Counts()

    # -- events -------------------------------------------------------------------------
    def event(self, model_id: int, kind: str, when: dt.datetime, subject: str | None = None,
              old: str | None = None, new: str | None = None,
              conditions: dict[str, object] | None = None) -> None:
        if kind in NO_OP_KINDS and old is not None and new is not None and \
                Decimal(old) == Decimal(new):
            return      # a change of nothing is never recorded
        self.events.append({
            "model_id": model_id, "source": self.source, "kind": kind, "subject": subject,
            "conditions": conditions or None, "old_value": old, "new_value": new,
            "occurred_at": when, "sync_run_id": self.run_id,
        })

    # -- models -------------------------------------------------------------------------
    def model_for(self, record: ModelRecord, provider_names: dict[str, str]) -> tuple[Model, bool]:
        provider = self.state.providers.get(record.provider)
        if provider is None:
            provider = Provider(slug=record.provider,
                                name=provider_names.get(record.provider) or record.provider)
            self.session.add(provider)
            self.state.providers[record.provider] = provider
        model = self.state.models.get(record.canonical_id)
        created = model is None
        if model is None:
            ident = record.canonical_id.split("/", 1)[1]
            # a first name; services.names settles it once every source's name is known
            model = Model(canonical_id=record.canonical_id, provider=provider,
                          name=choose({self.source: record.name}, ident)[:255],
                          first_seen=self.as_of)
            self.session.add(model)
            self.state.models[record.canonical_id] = model
        self._describe(model, record, created)
        return model, created

    def _describe(self, model: Model, record: ModelRecord, created: bool) -> None:
        """Descriptive fields: the highest-precedence source wins; others only fill gaps."""
        rank = _rank(self.source)
        owns = created or model.meta_source is None or rank <= _rank(model.meta_source)
        fields = {     # the name is chosen by services.names, not by precedence here
            "mode": record.mode, "context_window": record.context_window,
            "max_output": record.max_output,
            "input_modalities": list(record.input_modalities) if record.input_modalities else None,
            "output_modalities": (list(record.output_modalities)
                                  if record.output_modalities else None),
            "release_date": record.release_date,
        }
        for name, value in fields.items():
            if value is not None and (owns or getattr(model, name) is None):
                if getattr(model, name) != value:
                    setattr(model, name, value)
        if owns:
            model.meta_source = self.source
        if record.deprecation_date and model.deprecation_date != record.deprecation_date:
            if owns or model.deprecation_date is None:
                if not created and model.deprecation_date is None:
                    self.pending_deprecations.append((model, record.deprecation_date))
                model.deprecation_date = record.deprecation_date

    def alias(self, model: Model, key: str) -> bool:
        """Record that the source published `key` now; True when it had vanished before."""
        alias = self.state.aliases.get(key)
        if alias is None:
            alias = ModelAlias(model=model, source=self.source, key=key,
                               first_seen=self.as_of, last_seen=self.as_of)
            self.session.add(alias)
            self.state.aliases[key] = alias
            return False
        returned = alias.vanished_at is not None
        if returned:
            alias.vanished_at = None
        # last_seen of every published alias is set in one statement by touch_aliases()
        if alias.model_id != model.id:
            alias.model = model   # a parser rule changed: follow it
        return returned

    # -- prices -------------------------------------------------------------------------
    def prices(self, model: Model, records: list[PriceRecord], announce: bool) -> bool:
        """Diff one model's prices; True when anything was written for it."""
        wrote = False
        by_key: dict[tuple[str, str, str], list[PriceRecord]] = defaultdict(list)
        for record in records:
            by_key[(record.meter, record.unit, conditions_key(record.conditions))].append(record)
        today = self.as_of.date()
        rows = self.state.prices.pop(model.id, {})
        now: dict[tuple[str, str, str], list[PriceRecord]] = {}
        for (meter, unit, ckey), entries in by_key.items():
            # Dated history from the source: what applies now, and what came before it.
            applicable = [e for e in entries if e.effective_from is None or
                          e.effective_from <= today]
            if applicable:     # else only future prices: they take effect on a later run
                applicable.sort(key=lambda e: (e.effective_from or dt.date.min))
                now[(meter, unit, ckey)] = applicable
        slipped = _slipped(list(now.values()))
        for (meter, unit, ckey), applicable in now.items():
            key: PriceKey = (model.id, meter, unit, ckey)
            row = rows.pop((meter, unit, ckey), None)
            wrote |= self._one_price(model, key, row, applicable[-1], applicable[:-1],
                                     announce, slipped.get(unit))
        # Whatever is still current but no longer published has been withdrawn.
        for row in rows.values():
            self.closed_prices.append({"id": row.id, "valid_to": self.as_of})
            self.event(model.id, "price_removed", self.as_of, f"{row.meter}/{row.unit}",
                       old=exact_text(row.amount), conditions=row.conditions())
            wrote = True
        return wrote

    def _one_price(self, model: Model, key: PriceKey, row: CurrentPrice | None,
                   current: PriceRecord,
                   earlier: list[PriceRecord], announce: bool,
                   slip: str | None = None) -> bool:
        refs = self._refs()    # the run's first price also re-decides others' held values
        if row is None:
            return self._first_sight(model, key, current, earlier, announce, slip)
        if row.amount == current.amount:
            self._settle_pending(key)
            return False
        when = self.as_of
        if current.effective_from is not None and midnight(current.effective_from) > row.valid_from:
            when = midnight(current.effective_from)
        kind = "price_changed"
        reason = check_change(row.amount, current.amount, current.unit)
        if reason is not None:
            ref = refs.around(model.id, self.source, key[1:], few=True)
            why = correction(row.amount, current.amount, current.unit, ref)
            if why is None:
                self._hold(model.id, key, current, row.amount, waiting(reason, ref), when)
                return False
            # A correction publishes by itself, from the date it was first seen.
            kind, when = "price_corrected", max(self._corrected(key, current, why, when),
                                                row.valid_from)
        self._settle_pending(key)
        self.closed_prices.append({"id": row.id, "valid_to": when})
        self._insert_price(model.id, current, when, None)
        self.event(model.id, kind, when, f"{current.meter}/{current.unit}",
                   exact_text(row.amount), exact_text(current.amount), current.conditions.as_dict())
        refs.note(model.id, self.source, key[1:], current.amount)
        return True

    def _first_sight(self, model: Model, key: PriceKey, current: PriceRecord,
                     earlier: list[PriceRecord], announce: bool,
                     slip: str | None = None) -> bool:
        """A key this source never priced before. A dated history backfills its segments;
        an undated segment that was already superseded has no known start, so it survives
        only as the old value of the change event. A new value passes the same bands as a
        change: an implausible current value is held, not written; an implausible
        superseded segment is left out of the history."""
        segments = [e for e in earlier if e.effective_from is not None] + [current]
        previous = next((e for e in reversed(earlier) if e.effective_from is None), None)
        starts = [midnight(e.effective_from) if e.effective_from else self.as_of
                  for e in segments]
        if self._hold_new(model.id, key, current, starts[-1], slip):
            return False
        if current.effective_from is None:   # a held first sight publishes from its date
            held = self._corrected(key, current, "no longer held", starts[-1])
            starts[-1] = max([held, *starts[:-1]])
        self._settle_pending(key)
        self._refs().note(model.id, self.source, key[1:], current.amount)
        subject, conds = f"{current.meter}/{current.unit}", current.conditions.as_dict()
        segments, starts = _merge_equal(segments, starts)
        for index, entry in enumerate(segments):
            if check_plausible(entry.unit, entry.amount) is not None:
                continue
            end = starts[index + 1] if index + 1 < len(segments) else None
            self._insert_price(model.id, entry, starts[index], end)
            old = previous.amount if previous else None
            # A dated price set repeats the meters it did not change (genai-prices' web
            # search stays $14 while the token prices move): the same amount is no change.
            if (announce or old is not None) and old != entry.amount:
                kind = "price_changed" if old is not None else "price_added"
                self.event(model.id, kind, starts[index], subject, exact_text(old),
                           exact_text(entry.amount), conds)
            previous = entry
        return True

    def _insert_price(self, model_id: int, record: PriceRecord, start: dt.datetime,
                      end: dt.datetime | None) -> None:
        c = record.conditions
        self.new_prices.append({
            "model_id": model_id, "source": self.source, "meter": record.meter,
            "unit": record.unit, "amount": record.amount, "currency": "USD",
            "quality": c.quality, "size": c.size, "context_above": c.context_above,
            "service_tier": c.service_tier, "time_window": c.time_window, "region": c.region,
            "conditions_key": conditions_key(c), "valid_from": start, "valid_to": end,
            "sync_run_id": self.run_id,
        })
        self.counts.price_rows += 1
        self.counts.touched.add(model_id)

    # -- capabilities ---------------------------------------------------------------------
    def capabilities(self, model: Model, flags: dict[str, bool], announce: bool) -> bool:
        wrote = False
        rows = self.state.capabilities.pop(model.id, {})
        for name, value in flags.items():
            row = rows.pop(name, None)
            if row is not None and row.value == value:
                continue
            if row is not None:
                self.closed_caps.append({"id": row.id, "valid_to": self.as_of})
            self.new_caps.append({
                "model_id": model.id, "source": self.source, "name": name, "value": value,
                "valid_from": self.as_of, "valid_to": None, "sync_run_id": self.run_id,
            })
            was = row.value if row is not None else None
            if announce and (value or was):
                kind = "capability_added" if value else "capability_removed"
                self.event(model.id, kind, self.as_of, name, _flag(was), _flag(value))
            wrote = True
        for row in rows.values():
            self.closed_caps.append({"id": row.id, "valid_to": self.as_of})
            if row.value:
                self.event(model.id, "capability_removed", self.as_of, row.name, "yes", None)
            wrote = True
        return wrote

    def touch_aliases(self) -> None:
        self.session.execute(update(ModelAlias).where(
            ModelAlias.source == self.source, ModelAlias.vanished_at.is_(None)).values(
            last_seen=self.as_of).execution_options(synchronize_session=False))

    # -- flush ----------------------------------------------------------------------------
    def flush_if_full(self) -> None:
        """Write what is buffered once it is large; call between models only, so a
        model's closed row is always written before (or with) its replacement."""
        buffered = (len(self.closed_prices) + len(self.new_prices) + len(self.closed_caps)
                    + len(self.new_caps) + len(self.events))
        if buffered >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        s = self.session
        for statement, rows in ((update(Price), self.closed_prices),
                                (insert(Price), self.new_prices),
                                (update(Capability), self.closed_caps),
                                (insert(Capability), self.new_caps),
                                (insert(ChangeEvent), self.events)):
            if rows:
                s.execute(statement, rows)
                rows.clear()


def _slipped(currents: list[list[PriceRecord]]) -> dict[str, str]:
    """Units in which one of a model's current values is implausible, with why. A slip in a
    source's entry moves every field of that unit at once (LiteLLM's wandb and watsonx
    entries: per-1M or per-1k figures in both per-token fields; never one field alone in
    any snapshot), so a plausible-looking sibling of the same unit is held with it."""
    found: dict[str, str] = {}
    for entries in currents:
        current = entries[-1]
        if current.unit not in found and (why := check_plausible(current.unit,
                                                                  current.amount)):
            found[current.unit] = (f"implausible beside {current.meter}: "
                                   f"{why.removeprefix('implausible: ')}")
    return found


def _merge_equal(segments: list[PriceRecord], starts: list[dt.datetime]
                 ) -> tuple[list[PriceRecord], list[dt.datetime]]:
    """Consecutive segments of one amount are one row from the first one's start."""
    kept: list[PriceRecord] = []
    begun: list[dt.datetime] = []
    for entry, start in zip(segments, starts, strict=True):
        if kept and kept[-1].amount == entry.amount:
            kept[-1] = entry          # the later record (the current one stays last)
            continue
        kept.append(entry)
        begun.append(start)
    return kept, begun


def _rank(source: str) -> int:
    return SOURCE_PRECEDENCE.index(source) if source in SOURCE_PRECEDENCE else len(
        SOURCE_PRECEDENCE)


def _flag(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")

"""One source's history as plain values, and what differs between two such snapshots.

Used by the rebuild (services/history_rebuild.py): a snapshot before and after the replay,
in the same transaction, gives the dry run's report. Rows are named by canonical id, not
by database id, so two databases (or a model re-created under its old id) compare equal.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratecard.models import Capability, ChangeEvent, Model, ModelAlias, Price
from ratecard.money import exact_text

# model, meter, unit, conditions, amount, valid_from, valid_to
PriceRow = tuple[str, str, str, str, str, dt.datetime, dt.datetime | None]
# model, name, value, valid_from, valid_to
CapRow = tuple[str, str, bool, dt.datetime, dt.datetime | None]
# model, kind, subject, conditions, old, new, occurred_at
EventRow = tuple[str, str, str, str, str | None, str | None, dt.datetime]


@dataclass
class Snapshot:
    prices: Counter[PriceRow] = field(default_factory=Counter)
    capabilities: Counter[CapRow] = field(default_factory=Counter)
    events: Counter[EventRow] = field(default_factory=Counter)
    aliases: dict[str, str] = field(default_factory=dict)     # key -> canonical id

    def counts(self) -> str:
        return (f"{sum(self.prices.values())} price rows, "
                f"{sum(self.capabilities.values())} capability rows, "
                f"{sum(self.events.values())} events, {len(self.aliases)} aliases")


@dataclass(frozen=True, order=True)
class Change:
    """One difference: `subject` is meter/unit (with conditions), a capability or '-'."""

    model: str
    subject: str
    kind: str       # added, removed, re-dated, moved meter, moved id, event +, event -, alias
    detail: str


def _when(value: dt.datetime | None) -> str:
    return "now" if value is None else f"{value:%Y-%m-%d}"


def snapshot(session: Session, source: str) -> Snapshot:
    shot = Snapshot()
    for model, meter, unit, ckey, amount, start, end in session.execute(select(
            Model.canonical_id, Price.meter, Price.unit, Price.conditions_key, Price.amount,
            Price.valid_from, Price.valid_to).join(Model, Model.id == Price.model_id).where(
            Price.source == source)):
        shot.prices[(model, meter, unit, ckey, exact_text(amount), start, end)] += 1
    for model, name, value, start, end in session.execute(select(
            Model.canonical_id, Capability.name, Capability.value, Capability.valid_from,
            Capability.valid_to).join(Model, Model.id == Capability.model_id).where(
            Capability.source == source)):
        shot.capabilities[(model, name, bool(value), start, end)] += 1
    for model, kind, subject, conds, old, new, when in session.execute(select(
            Model.canonical_id, ChangeEvent.kind, ChangeEvent.subject, ChangeEvent.conditions,
            ChangeEvent.old_value, ChangeEvent.new_value, ChangeEvent.occurred_at).join(
            Model, Model.id == ChangeEvent.model_id).where(ChangeEvent.source == source)):
        text = json.dumps(conds, sort_keys=True) if conds else ""
        shot.events[(model, kind, subject or "-", text, old, new, when)] += 1
    shot.aliases = dict(session.execute(select(ModelAlias.key, Model.canonical_id).join(
        Model, Model.id == ModelAlias.model_id).where(ModelAlias.source == source)).tuples().all())
    return shot


def _pair(removed: list[tuple], added: list[tuple], group: Callable[[tuple], Hashable],
          describe: Callable[[tuple, tuple], Change | None]) -> list[Change]:
    """Match removed rows to added rows of the same group (in date order); matched rows
    leave both lists and become one change each."""
    found: list[Change] = []
    pool: dict[Hashable, list[tuple]] = defaultdict(list)
    for row in sorted(added, key=repr):
        pool[group(row)].append(row)
    kept: list[tuple] = []
    for old in sorted(removed, key=repr):
        candidates = pool.get(group(old), [])
        for index, new in enumerate(candidates):
            change = describe(old, new)
            if change is not None:
                del candidates[index]
                added.remove(new)
                found.append(change)
                break
        else:
            kept.append(old)
    removed[:] = kept
    return found


def _subject(meter: str, unit: str, ckey: str) -> str:
    return f"{meter}/{unit}" + (f" [{ckey}]" if ckey else "")


def _span(row: tuple) -> str:
    return f"[{_when(row[-2])} .. {_when(row[-1])})"


def _prices(before: Counter[PriceRow], after: Counter[PriceRow]) -> list[Change]:
    removed = list((before - after).elements())
    added = list((after - before).elements())
    found: list[Change] = []

    def moved_meter(old: tuple, new: tuple) -> Change | None:
        if (old[1], old[2]) == (new[1], new[2]):
            return None
        return Change(old[0], _subject(*old[1:4]), "moved meter",
                      f"{old[4]} {_span(old)} now under {_subject(*new[1:4])}")

    def moved_id(old: tuple, new: tuple) -> Change | None:
        if old[0] == new[0]:
            return None
        return Change(old[0], _subject(*old[1:4]), "moved id",
                      f"{old[4]} {_span(old)} now under {new[0]}")

    def redated(old: tuple, new: tuple) -> Change:
        return Change(old[0], _subject(*old[1:4]), "re-dated",
                      f"{old[4]} {_span(old)} -> {_span(new)}")

    found += _pair(removed, added, lambda r: (r[0], r[3], r[4], r[5], r[6]), moved_meter)
    found += _pair(removed, added, lambda r: r[1:], moved_id)
    found += _pair(removed, added, lambda r: r[:5], redated)
    found += [Change(r[0], _subject(*r[1:4]), "removed", f"{r[4]} {_span(r)}") for r in removed]
    found += [Change(r[0], _subject(*r[1:4]), "added", f"{r[4]} {_span(r)}") for r in added]
    return found


def _capabilities(before: Counter[CapRow], after: Counter[CapRow]) -> list[Change]:
    removed = list((before - after).elements())
    added = list((after - before).elements())

    def flag(row: tuple) -> str:
        return f"{'yes' if row[2] else 'no'} {_span(row)}"

    found = _pair(removed, added, lambda r: r[1:],
                  lambda o, n: None if o[0] == n[0] else Change(
                      o[0], o[1], "moved id", f"{flag(o)} now under {n[0]}"))
    found += _pair(removed, added, lambda r: r[:3],
                   lambda o, n: Change(o[0], o[1], "re-dated", f"{flag(o)} -> {_span(n)}"))
    found += [Change(r[0], r[1], "removed", flag(r)) for r in removed]
    found += [Change(r[0], r[1], "added", flag(r)) for r in added]
    return found


def _events(before: Counter[EventRow], after: Counter[EventRow]) -> list[Change]:
    def one(row: EventRow, sign: str) -> Change:
        model, kind, subject, conds, old, new, when = row
        values = f"{old or '-'} -> {new or '-'}" if (old or new) else ""
        subject = subject + (f" {conds}" if conds else "")
        return Change(model, subject, f"event {sign}", f"{when:%Y-%m-%d} {kind} {values}".strip())

    return ([one(r, "-") for r in (before - after).elements()] +
            [one(r, "+") for r in (after - before).elements()])


def _aliases(before: dict[str, str], after: dict[str, str]) -> list[Change]:
    found = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            found.append(Change(old or new or "", "-", "alias",
                                f"key {key}: {old or 'none'} -> {new or 'none'}"))
    return found


def compare(before: Snapshot, after: Snapshot) -> list[Change]:
    """Every difference, sorted by model, subject and kind."""
    return sorted(_prices(before.prices, after.prices)
                  + _capabilities(before.capabilities, after.capabilities)
                  + _events(before.events, after.events)
                  + _aliases(before.aliases, after.aliases))


def report(changes: Iterable[Change]) -> list[str]:
    """The dry run's lines: a heading per model and subject with counts, then each change."""
    grouped: dict[tuple[str, str], list[Change]] = defaultdict(list)
    for change in changes:
        grouped[(change.model, change.subject)].append(change)
    lines = []
    for (model, subject), items in sorted(grouped.items()):
        tally = Counter(c.kind for c in items)
        lines.append(f"{model}  {subject}: " + ", ".join(
            f"{n} {kind}" for kind, n in sorted(tally.items())))
        lines += [f"    {c.kind}: {c.detail}" for c in items]
    return lines

"""Storing the shown value's pick (ratecard.precedence) as a flag on current rows.

Run for the models a write touched (services.derived), so readers select `shown` rows with
one index seek instead of re-deciding precedence per page, per sort and per surface. Works on
a Session or a bare Connection (the Alembic revision that backfills the flags uses it).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Connection, and_, bindparam, exists, select, update
from sqlalchemy.orm import Session, aliased

from ratecard.models import Capability, Model, Price
from ratecard.precedence import Candidate, applicable, pick_consensus, pick_price

BATCH = 500


def refresh_shown(db: Session | Connection, model_ids: Iterable[int]) -> int:
    """Recompute the shown flags of these models' current prices and capabilities; returns
    how many flags changed."""
    ids = sorted(set(model_ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        changed += _prices(db, chunk) + _capabilities(db, chunk)
    return changed


def _prices(db: Session | Connection, chunk: list[int]) -> int:
    earlier = aliased(Price)
    # A change, not a first listing: the source's own row for the key ended as this began.
    replaced = exists().where(
        earlier.model_id == Price.model_id, earlier.source == Price.source,
        earlier.meter == Price.meter, earlier.unit == Price.unit,
        earlier.conditions_key == Price.conditions_key, earlier.valid_to == Price.valid_from,
        earlier.amount != Price.amount)
    rows = db.execute(select(
        Price.id, Price.model_id, Price.meter, Price.unit, Price.conditions_key, Price.source,
        Price.amount, Price.valid_from, replaced, Price.shown, Model.mode).join(
        Model, Model.id == Price.model_id).where(
        Price.model_id.in_(chunk), Price.valid_to.is_(None)))
    keys: dict[tuple[object, ...], list[Candidate[tuple[int, bool]]]] = defaultdict(list)
    inapplicable: set[tuple[object, ...]] = set()
    for pid, model_id, meter, unit, ckey, source, amount, start, was_change, flag, mode in rows:
        key: tuple[object, ...] = (model_id, meter, unit, ckey)
        keys[key].append(Candidate(
            source, amount, start, start if was_change else None, (pid, bool(flag))))
        if not applicable(meter, mode):
            inapplicable.add(key)
    flips: list[dict[str, object]] = []
    for key, candidates in keys.items():
        winner = None if key in inapplicable else pick_price(candidates).ref[0]
        flips += [{"pid": pid, "flag": pid == winner} for c in candidates
                  for pid, flag in [c.ref] if flag != (pid == winner)]
    return _write(db, Price, flips)


def _capabilities(db: Session | Connection, chunk: list[int]) -> int:
    rows = db.execute(select(
        Capability.id, Capability.model_id, Capability.name, Capability.source,
        Capability.value, Capability.shown).where(
        Capability.model_id.in_(chunk), Capability.valid_to.is_(None)))
    keys: dict[tuple[int, str], list[tuple[str, object, tuple[int, bool]]]] = defaultdict(list)
    for cid, model_id, name, source, value, flag in rows:
        keys[(model_id, name)].append((source, bool(value), (cid, bool(flag))))
    flips: list[dict[str, object]] = []
    for values in keys.values():
        winner = pick_consensus(values)[0]
        flips += [{"pid": cid, "flag": cid == winner} for _s, _v, (cid, flag) in values
                  if flag != (cid == winner)]
    return _write(db, Capability, flips)


def _write(db: Session | Connection, table: type[Price] | type[Capability],
           flips: list[dict[str, object]]) -> int:
    if flips:
        statement = update(table.__table__).where(and_(
            table.__table__.c.id == bindparam("pid"))).values(shown=bindparam("flag"))
        db.execute(statement, flips)
    return len(flips)

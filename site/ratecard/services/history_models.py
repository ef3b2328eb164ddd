"""Model rows during a rebuild (services/history_rebuild.py).

Model rows are shared by every source, so a rebuild keeps them; but a replay must meet the
models this source created as new (that is what wrote their "model_added" events and their
first descriptive values). So those models are set aside under a placeholder id before the
replay, the replay creates them afresh, and afterwards everything the fresh row gathered
moves back onto the old row (its database id, other sources' rows and editorial content
stay), and the fresh row goes. A model left with nothing naming it goes too.
"""
from __future__ import annotations

from sqlalchemy import Column, Table, bindparam, delete, exists, or_, select, update
from sqlalchemy.orm import Session

from ratecard.db import Base
from ratecard.models import ChangeEvent, Disagreement, Model
from ratecard.precedence import rank

PLACEHOLDER = "~rebuild/{}"
_COPIED = ("name", "mode", "context_window", "max_output", "input_modalities",
           "output_modalities", "release_date", "deprecation_date", "regions", "meta_source")


def _referencing() -> list[tuple[Table, Column]]:
    """Every column of every table that names a model (found from the schema, so a table
    added later is moved and counted too), but the catalog's rows: derived, rebuilt after
    (history_rebuild refreshes them all)."""
    found = []
    for table in Base.metadata.sorted_tables:
        if table.name == "catalog_rows":
            continue
        for column in table.columns:
            if any(fk.column.table.name == "models" for fk in column.foreign_keys):
                found.append((table, column))
    return found


def set_aside(session: Session, source: str) -> dict[int, str]:
    """The models `source` created (its "model_added" event is their first), renamed to a
    placeholder id: old id -> canonical id."""
    first: dict[int, str] = {}
    for model_id, by in session.execute(select(ChangeEvent.model_id, ChangeEvent.source).where(
            ChangeEvent.kind == "model_added").order_by(ChangeEvent.occurred_at, ChangeEvent.id)):
        first.setdefault(model_id, by)
    mine = sorted(model_id for model_id, by in first.items() if by == source)
    names = dict(session.execute(select(Model.id, Model.canonical_id).where(
        Model.id.in_(mine))).tuples().all()) if mine else {}
    _rename(session, {model_id: PLACEHOLDER.format(model_id) for model_id in names})
    _forget_deprecations(session, source, set(names))
    return names


def _forget_deprecations(session: Session, source: str, aside: set[int]) -> None:
    """Clear the deprecation date this source announced (its "model_deprecated" event) on a
    model another source created: the replay sets it again and announces it as it did."""
    announced = set(session.scalars(select(ChangeEvent.model_id).where(
        ChangeEvent.kind == "model_deprecated", ChangeEvent.source == source)))
    # (a deprecation always names a model: the None test only says so to the type checker)
    others = sorted(m for m in announced - aside if m is not None)
    for start in range(0, len(others), 500):
        session.execute(update(Model.__table__).where(
            Model.__table__.c.id.in_(others[start:start + 500])).values(deprecation_date=None))


def _rename(session: Session, names: dict[int, str]) -> None:
    if names:
        table = Model.__table__
        session.execute(update(table).where(table.c.id == bindparam("b_id")).values(
            canonical_id=bindparam("b_name")),
            [{"b_id": i, "b_name": n} for i, n in names.items()])


def restore(session: Session, source: str, aside: dict[int, str],
            former: dict[str, int] | None = None) -> set[int]:
    """Move each fresh model's rows back onto the row set aside under its id, copy what it
    says about itself where this source decides it, drop the fresh row, restore the id.
    `former`: earlier ids of set-aside models (old id -> model), under which the replay
    creates them when another source's spelling has won since. Returns the old ids."""
    session.flush()
    if not aside:
        return set()
    models = Model.__table__
    wanted = {name: old for old, name in aside.items()}
    for name, old in (former or {}).items():
        wanted.setdefault(name, old)
    fresh = dict(session.execute(select(models.c.canonical_id, models.c.id).where(
        models.c.canonical_id.in_(list(wanted)))).tuples().all())
    found: dict[int, int] = {}
    for name, new in fresh.items():
        old = wanted[name]
        if aside.get(old) == name or old not in found:   # the current id first
            found[old] = new
    pairs = [{"b_old": old, "b_new": new} for old, new in found.items()]
    if pairs:
        for table, column in _referencing():
            session.execute(update(table).where(column == bindparam("b_new")).values(
                {column.name: bindparam("b_old")}), pairs)
        _copy(session, source, pairs)
        session.execute(delete(models).where(models.c.id.in_([p["b_new"] for p in pairs])))
    _rename(session, aside)
    session.expunge_all()
    return set(aside)


def _copy(session: Session, source: str, pairs: list[dict[str, int]]) -> None:
    models = Model.__table__
    new_ids = [p["b_new"] for p in pairs]
    rows = {row.id: row for row in session.execute(select(models).where(
        models.c.id.in_(new_ids)))}
    olds = {row.id: row for row in session.execute(select(models).where(
        models.c.id.in_([p["b_old"] for p in pairs])))}
    params = []
    for pair in pairs:
        new, old = rows[pair["b_new"]], olds[pair["b_old"]]
        # Another source of higher precedence may describe a shared model: keep its words.
        owns = old.meta_source is None or rank(source) <= rank(old.meta_source)
        values = {f"b_{name}": getattr(new if owns else old, name) for name in _COPIED}
        values["b_first_seen"] = new.first_seen     # this source listed it first
        params.append({"b_old": pair["b_old"], **values})
    statement = update(models).where(models.c.id == bindparam("b_old")).values(
        {name: bindparam(f"b_{name}") for name in (*_COPIED, "first_seen")})
    session.execute(statement, params)


def drop_orphans(session: Session, candidates: set[int]) -> int:
    """Delete the candidates nothing names any more (no row, alias, event or content of
    any source); their derived disagreements go with them."""
    if not candidates:
        return 0
    models = Model.__table__
    named = [exists().where(column == models.c.id) for table, column in _referencing()
             if table.name != Disagreement.__tablename__]
    ids = list(session.scalars(select(models.c.id).where(
        models.c.id.in_(sorted(candidates)), ~or_(*named))))
    if ids:
        session.execute(delete(Disagreement.__table__).where(
            Disagreement.__table__.c.model_id.in_(ids)))
        session.execute(delete(models).where(models.c.id.in_(ids)))
    return len(ids)

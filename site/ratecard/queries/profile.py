"""Read-side queries for a model's profile page: the model, its rows, its sources' runs.

Everything here is targeted: one model's rows through the (model_id, …) indexes. Other
models (same model elsewhere, similar models) are in queries/related.py.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, bindparam, func, or_, select
from sqlalchemy.orm import Session, contains_eager
from sqlalchemy.sql import Select

from ratecard.config import SOURCE_PRECEDENCE
from ratecard.models import (
    Capability,
    ChangeEvent,
    Disagreement,
    Model,
    ModelAlias,
    Price,
    SyncRun,
)
from ratecard.models.pricing import CONDITION_COLUMNS
from ratecard.queries.changes import real_change

OK_STATUSES = ("success", "not_modified")


# -- the model itself ------------------------------------------------------------------

# Statements are built once and bound per call (bindparam): building one and hashing it for
# the compiled cache costs more than running these indexed reads.

@cache
def _model_stmt() -> Select[tuple[Model]]:
    return select(Model).join(Model.provider).options(contains_eager(Model.provider)).where(
        Model.canonical_id == bindparam("canonical_id"))


def model_with_provider(session: Session, canonical_id: str) -> Model | None:
    return session.scalar(_model_stmt(), {"canonical_id": canonical_id.lower()})


def alias_target(session: Session, keys: list[str]) -> Model | None:
    """The model one of these source keys names (first key wins), through the
    (source, key) unique index."""
    wanted = list(dict.fromkeys(keys))
    rows = session.execute(select(ModelAlias.key, Model).join(Model).join(Model.provider).options(
        contains_eager(Model.provider)).where(
        ModelAlias.source.in_(SOURCE_PRECEDENCE), ModelAlias.key.in_(wanted)))
    found = {key: model for key, model in rows}
    return next((found[key] for key in wanted if key in found), None)


class PriceRow(NamedTuple):
    """One price row as plain values (a profile reads hundreds; ORM objects cost more)."""

    id: int
    source: str
    meter: str
    unit: str
    amount: Decimal
    currency: str
    conditions_key: str
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    quality: str | None
    size: str | None
    context_above: int | None
    service_tier: str | None
    time_window: str | None
    region: str | None
    shown: bool                # the value readers are shown for its key (current rows only)

    def conditions(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in CONDITION_COLUMNS if getattr(self, k) is not None}


def price_rows(session: Session, model_id: int) -> list[PriceRow]:
    """Every price row of the model, current and past, oldest first per series."""
    columns = [getattr(Price, name) for name in PriceRow._fields]
    return [PriceRow(*row) for row in session.execute(select(*columns).where(
        Price.model_id == model_id).order_by(
        Price.meter, Price.unit, Price.conditions_key, Price.source, Price.valid_from))]


@cache
def _profile_stmts() -> tuple[Select[Any], Select[Any]]:
    columns = [getattr(Price, name) for name in PriceRow._fields]
    rows = select(*columns).where(
        Price.model_id == bindparam("model_id"),
        or_(Price.valid_to.is_(None), Price.conditions_key == "")).order_by(
        Price.meter, Price.unit, Price.conditions_key, Price.source, Price.valid_from)
    sources = select(Price.source).where(Price.model_id == bindparam("model_id")).distinct()
    return rows, sources


def profile_rows(session: Session, model_id: int) -> tuple[list[PriceRow], set[str]]:
    """What a profile page shows of the model's prices: its current rows and the history of
    its base-condition prices (the chart and its table), oldest first per series; and every
    source that ever priced it. Past rows of other conditions (tiers, image sizes) are shown
    nowhere on the page, so they are not read (price_rows, for the CSV, reads everything)."""
    rows, sources = _profile_stmts()
    params = {"model_id": model_id}
    return ([PriceRow(*row) for row in session.execute(rows, params)],
            set(session.scalars(sources, params)))


@cache
def _per_model(name: str) -> Select[Any]:
    model_id: BindParameter[int] = bindparam("model_id")
    statements: dict[str, Callable[[], Select[Any]]] = {
        "capabilities": lambda: select(Capability).where(
            Capability.model_id == model_id, Capability.valid_to.is_(None)),
        "disagreements": lambda: select(Disagreement).where(Disagreement.model_id == model_id),
        "aliases": lambda: select(ModelAlias).where(ModelAlias.model_id == model_id).order_by(
            ModelAlias.source, ModelAlias.key),
        "changes": lambda: select(ChangeEvent).where(
            ChangeEvent.model_id == model_id, real_change()).order_by(
            ChangeEvent.occurred_at.desc(), ChangeEvent.id.desc()).limit(bindparam("limit")),
    }
    return statements[name]()


def capabilities(session: Session, model_id: int) -> list[Capability]:
    return list(session.scalars(_per_model("capabilities"), {"model_id": model_id}))


def disagreements(session: Session, model_id: int) -> list[Disagreement]:
    return list(session.scalars(_per_model("disagreements"), {"model_id": model_id}))


def aliases(session: Session, model_id: int) -> list[ModelAlias]:
    return list(session.scalars(_per_model("aliases"), {"model_id": model_id}))


def recent_changes(session: Session, model_id: int, limit: int = 15) -> list[ChangeEvent]:
    return list(session.scalars(_per_model("changes"), {"model_id": model_id, "limit": limit}))


@cache
def _runs_stmt() -> Select[tuple[SyncRun]]:
    sources: BindParameter[str] = bindparam("sources", expanding=True)
    ok_ids = select(func.max(SyncRun.id)).where(
        SyncRun.source.in_(sources), SyncRun.status.in_(OK_STATUSES)).group_by(SyncRun.source)
    last_ids = select(func.max(SyncRun.id)).where(
        SyncRun.source.in_(sources)).group_by(SyncRun.source)
    return select(SyncRun).where(SyncRun.id.in_(ok_ids.union(last_ids))).order_by(SyncRun.id)


@dataclass(frozen=True)
class SourceRuns:
    source: str
    last_success: SyncRun | None
    last_run: SyncRun | None


def source_runs(session: Session, sources: list[str]) -> dict[str, SourceRuns]:
    """The newest run and the newest successful run of each source (one query: at most
    two runs per source)."""
    if not sources:
        return {}
    ok: dict[str, SyncRun] = {}
    last: dict[str, SyncRun] = {}
    for run in session.scalars(_runs_stmt(), {"sources": list(sources)}):
        last[run.source] = run                # ascending ids: the newest is written last
        if run.status in OK_STATUSES:
            ok[run.source] = run
    return {s: SourceRuns(s, ok.get(s), last.get(s)) for s in sources}

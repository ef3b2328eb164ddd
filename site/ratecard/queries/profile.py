"""Read-side queries for a model's profile page: the model, its rows, its sources' runs.

Everything here is targeted: one model's rows through the (model_id, …) indexes. Other
models (same model elsewhere, similar models) are in queries/related.py.
"""
from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager

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

OK_STATUSES = ("success", "not_modified")


# -- the model itself ------------------------------------------------------------------

def model_with_provider(session: Session, canonical_id: str) -> Model | None:
    return session.scalar(select(Model).join(Model.provider).options(
        contains_eager(Model.provider)).where(Model.canonical_id == canonical_id.lower()))


def alias_target(session: Session, keys: list[str]) -> Model | None:
    """The model one of these source keys names (first key wins), through the
    (source, key) unique index."""
    wanted = list(dict.fromkeys(keys))
    rows = session.execute(select(ModelAlias.key, Model).join(Model).join(Model.provider).options(
        contains_eager(Model.provider)).where(
        ModelAlias.source.in_(SOURCE_PRECEDENCE), ModelAlias.key.in_(wanted)))
    found = {key: model for key, model in rows}
    return next((found[key] for key in wanted if key in found), None)


def suggestions(session: Session, wanted: str, n: int = 5) -> list[Model]:
    """The closest canonical ids and names to a mistyped one (only on a 404)."""
    wanted = wanted.lower()
    rows = session.execute(select(Model.canonical_id, Model.name)).all()
    by_text: dict[str, str] = {}
    for canonical_id, name in rows:
        by_text.setdefault(canonical_id, canonical_id)
        by_text.setdefault(canonical_id.split("/", 1)[-1], canonical_id)
        by_text.setdefault((name or "").lower(), canonical_id)
    short = wanted.split("/", 1)[-1]
    matches: list[str] = []
    for text in (wanted, short):
        for hit in difflib.get_close_matches(text, list(by_text), n=n * 2, cutoff=0.6):
            matches.append(by_text[hit])
    ids = list(dict.fromkeys(matches))[:n]
    if not ids:
        return []
    models = {m.canonical_id: m for m in session.scalars(select(Model).join(
        Model.provider).options(contains_eager(Model.provider)).where(
        Model.canonical_id.in_(ids)))}
    return [models[i] for i in ids if i in models]


_CONDITIONS = ("quality", "size", "context_above", "service_tier", "time_window", "region")


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

    def conditions(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in _CONDITIONS if getattr(self, k) is not None}


def price_rows(session: Session, model_id: int) -> list[PriceRow]:
    """Every price row of the model, current and past, oldest first per series."""
    columns = [getattr(Price, name) for name in PriceRow._fields]
    return [PriceRow(*row) for row in session.execute(select(*columns).where(
        Price.model_id == model_id).order_by(
        Price.meter, Price.unit, Price.conditions_key, Price.source, Price.valid_from))]


def capabilities(session: Session, model_id: int) -> list[Capability]:
    return list(session.scalars(select(Capability).where(
        Capability.model_id == model_id, Capability.valid_to.is_(None))))


def disagreements(session: Session, model_id: int) -> list[Disagreement]:
    return list(session.scalars(select(Disagreement).where(Disagreement.model_id == model_id)))


def aliases(session: Session, model_id: int) -> list[ModelAlias]:
    return list(session.scalars(select(ModelAlias).where(
        ModelAlias.model_id == model_id).order_by(ModelAlias.source, ModelAlias.key)))


def recent_changes(session: Session, model_id: int, limit: int = 15) -> list[ChangeEvent]:
    return list(session.scalars(select(ChangeEvent).where(
        ChangeEvent.model_id == model_id).order_by(
        ChangeEvent.occurred_at.desc(), ChangeEvent.id.desc()).limit(limit)))


@dataclass(frozen=True)
class SourceRuns:
    source: str
    last_success: SyncRun | None
    last_run: SyncRun | None


def source_runs(session: Session, sources: list[str]) -> dict[str, SourceRuns]:
    """The newest run and the newest successful run of each source."""
    if not sources:
        return {}

    def newest(*where: object) -> dict[str, SyncRun]:
        ids = select(func.max(SyncRun.id)).where(
            SyncRun.source.in_(sources), *where).group_by(SyncRun.source)  # type: ignore[arg-type]
        return {r.source: r for r in session.scalars(select(SyncRun).where(SyncRun.id.in_(ids)))}

    ok = newest(SyncRun.status.in_(OK_STATUSES))
    last = newest()
    return {s: SourceRuns(s, ok.get(s), last.get(s)) for s in sources}

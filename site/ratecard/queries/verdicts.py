"""Read-side queries for weekly verdicts: what a week holds, and the stored verdicts."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from ratecard.models import ChangeEvent, Model
from ratecard.models.probes import ProbeRun
from ratecard.models.verdicts import Verdict

# The change kinds a verdict speaks of (a model added, vanished or returned is the change
# log's business, not a comparison of two weeks).
VERDICT_KINDS = ("price_changed", "price_corrected", "price_added", "price_removed",
                 "capability_added", "capability_removed", "model_deprecated")


def week_events(session: Session, start: dt.datetime,
                end: dt.datetime) -> dict[int, list[ChangeEvent]]:
    """Per model, its verdict-worthy change events in [start, end), oldest first."""
    out: dict[int, list[ChangeEvent]] = {}
    for event in session.scalars(select(ChangeEvent).where(
            ChangeEvent.occurred_at >= start, ChangeEvent.occurred_at < end,
            ChangeEvent.kind.in_(VERDICT_KINDS)).order_by(
            ChangeEvent.occurred_at, ChangeEvent.id)):
        if event.model_id is not None:          # (each of these kinds names a model)
            out.setdefault(event.model_id, []).append(event)
    return out


def probed_models(session: Session, start: dt.datetime, end: dt.datetime) -> set[int]:
    """Models with at least one probe run in [start, end)."""
    return set(session.scalars(select(ProbeRun.model_id).where(
        ProbeRun.started_at >= start, ProbeRun.started_at < end).distinct()))


def for_model(session: Session, model_id: int, limit: int = 12) -> list[Verdict]:
    """A model's verdicts, newest week first."""
    return list(session.scalars(select(Verdict).where(Verdict.model_id == model_id).order_by(
        Verdict.week_ending.desc()).limit(limit)))


def latest(session: Session, limit: int = 10) -> list[tuple[Verdict, Model]]:
    """The newest verdicts over all models (newest week first), each with its model and
    the model's provider loaded."""
    rows = session.execute(select(Verdict, Model).join(Model, Model.id == Verdict.model_id)
                           .join(Model.provider).options(contains_eager(Model.provider))
                           .order_by(Verdict.week_ending.desc(), Verdict.id.desc())
                           .limit(limit)).all()
    return [(verdict, model) for verdict, model in rows]

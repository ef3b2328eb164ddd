"""Read-side queries about sync runs and held changes."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ratecard.models import Model, QuarantinedChange, SyncRun


def last_runs(session: Session) -> dict[str, SyncRun]:
    """The newest run of each source."""
    newest = select(SyncRun.source, func.max(SyncRun.id).label("id")).group_by(
        SyncRun.source).subquery()
    rows = session.scalars(select(SyncRun).join(newest, SyncRun.id == newest.c.id))
    return {run.source: run for run in rows}


def last_success(session: Session, source: str) -> SyncRun | None:
    return session.scalar(select(SyncRun).where(
        SyncRun.source == source, SyncRun.status.in_(("success", "not_modified"))).order_by(
        SyncRun.id.desc()).limit(1))


def held_changes(session: Session, status: str = "pending") -> list[tuple[QuarantinedChange, str]]:
    rows = session.execute(select(QuarantinedChange, Model.canonical_id).join(
        Model, Model.id == QuarantinedChange.model_id).where(
        QuarantinedChange.status == status).order_by(QuarantinedChange.id))
    return [(row[0], row[1]) for row in rows]

"""The data version: changes whenever a sync or an edit changes what pages show."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ratecard.models import ChangeEvent, QuarantinedChange, SyncRun


def data_version(session: Session) -> tuple[str, dt.datetime | None]:
    """(opaque version tag, when the data last changed)."""
    run_id, finished = session.execute(select(
        func.max(SyncRun.id), func.max(SyncRun.finished_at))).one()
    event_id = session.scalar(select(func.max(ChangeEvent.id)))
    decided = session.scalar(select(func.max(QuarantinedChange.decided_at)))
    from ratecard.queries.content import content_stamp  # it imports this module

    content_tag, content_changed = content_stamp(session)
    stamp = max((t for t in (finished, decided, content_changed) if t is not None), default=None)
    if stamp is not None and stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    decided_tag = decided.timestamp() if decided else 0
    return f"{run_id or 0}.{event_id or 0}.{decided_tag}.{content_tag}", stamp

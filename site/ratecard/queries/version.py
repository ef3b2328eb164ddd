"""The data version: changes whenever a sync or an edit changes what pages show."""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from functools import cache
from typing import Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from ratecard.models import ChangeEvent, QuarantinedChange, SyncRun
from ratecard.models.probes import ProbeRun
from ratecard.models.verdicts import Verdict

T = TypeVar("T")


@cache
def _statement() -> Select[tuple[object, ...]]:
    """Everything the version depends on in one statement (each value a scalar subquery on
    an index or a small table); built once: building it costs more than running it."""
    from ratecard.queries.content import content_stamp_columns  # it imports this module

    return select(
        select(func.max(SyncRun.id)).scalar_subquery(),
        select(func.max(SyncRun.finished_at)).scalar_subquery(),
        select(func.max(ChangeEvent.id)).scalar_subquery(),
        select(func.max(QuarantinedChange.decided_at)).scalar_subquery(),
        select(func.max(ProbeRun.id)).scalar_subquery(),     # availability sections
        # weekly verdicts (a re-run week replaces its row: the newest computation counts)
        select(func.max(Verdict.computed_at)).scalar_subquery(),
        *content_stamp_columns())


def data_version(session: Session) -> tuple[str, dt.datetime | None]:
    """(opaque version tag, when the data last changed). One query."""
    from ratecard.queries.content import content_stamp_of  # it imports this module

    run_id, finished, event_id, decided, probe_id, verdict_at, *content = session.execute(
        _statement()).one()
    content_tag, content_changed = content_stamp_of(content)
    stamp = max((t for t in (finished, decided, content_changed) if t is not None), default=None)
    if stamp is not None and stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    decided_tag = decided.timestamp() if decided else 0
    verdict_tag = verdict_at.timestamp() if verdict_at else 0
    return (f"{run_id or 0}.{event_id or 0}.{decided_tag}.{probe_id or 0}.{verdict_tag}."
            f"{content_tag}"), stamp


class NewestVersion(Generic[T]):
    """A value derived from the whole catalog (a search or suggestion index), kept for the
    newest (database, data version) only: built by one thread while the others wait for it
    (a flood of requests right after a sync builds it once), then shared read-only."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], T] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, version: str, build: Callable[[], T]) -> T:
        key = (str(session.get_bind().url), version)
        found = self._kept.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._kept.get(key)
            if found is None:
                found = build()
                self._kept.clear()
                self._kept[key] = found
        return found

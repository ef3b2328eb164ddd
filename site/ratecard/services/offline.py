"""Loading the offline catalog into an empty database (no network needed)."""
from __future__ import annotations

from sqlalchemy import func, select

from ratecard.db import Database, utcnow
from ratecard.models import ChangeEvent, Model
from ratecard.services.sync import Progress, RunSummary, run_sync
from scrapers.offline import offline_payloads
from scrapers.registry import get_source

# The source of the one event that records a first load (not a sync source).
CATALOG_SOURCE = "offline"


def load_offline_catalog(db: Database, progress: Progress | None = None) -> list[RunSummary]:
    """Feed the bundled snapshots through the normal parse + sync path, as recorded runs.

    Into an empty database this is its first load: one change-log entry "catalog loaded:
    N models" rather than one "model added" per model (thousands of them, none new)."""
    with db.session() as session:
        first = not session.scalar(select(func.count()).select_from(Model))
    summaries = []
    for bundle in offline_payloads():
        summaries.append(run_sync(db, get_source(bundle.source), payload=bundle.payload,
                                  as_of=bundle.as_of, origin=bundle.origin, url=bundle.url,
                                  progress=progress, first_load=first))
    if first and any(s.ok for s in summaries):
        record_catalog_loaded(db)
    return summaries


def record_catalog_loaded(db: Database) -> None:
    with db.session() as session:
        models = session.scalar(select(func.count()).select_from(Model)) or 0
        session.add(ChangeEvent(model_id=None, source=CATALOG_SOURCE, kind="catalog_loaded",
                                new_value=str(models), occurred_at=utcnow()))

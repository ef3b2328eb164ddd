"""Loading the offline catalog into an empty database (no network needed)."""
from __future__ import annotations

from ratecard.db import Database
from ratecard.services.sync import Progress, RunSummary, run_sync
from scrapers.offline import offline_payloads
from scrapers.registry import get_source


def load_offline_catalog(db: Database, progress: Progress | None = None) -> list[RunSummary]:
    """Feed the bundled snapshots through the normal parse + sync path, as recorded runs."""
    summaries = []
    for bundle in offline_payloads():
        summaries.append(run_sync(db, get_source(bundle.source), payload=bundle.payload,
                                  as_of=bundle.as_of, origin=bundle.origin, progress=progress))
    return summaries

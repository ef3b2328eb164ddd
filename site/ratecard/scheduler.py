"""Scheduled syncs (APScheduler 3.x): one job per source, never two at once.

`ratecard scheduler` is the production process; `ratecard serve` runs one in the
background (single-process mode). Web workers never start one: the database
lock in services.locks is what guarantees one sync per source even if they did.
"""
from __future__ import annotations

import datetime as dt
import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from ratecard.db import Database
from ratecard.services.locks import LockBusy
from ratecard.services.sync import SyncRefused, run_sync
from scrapers.registry import SOURCES, get_source

log = logging.getLogger("ratecard.scheduler")


def sync_job(db: Database, source_name: str, url: str) -> None:
    try:
        summary = run_sync(db, get_source(source_name), url=url)
    except (LockBusy, SyncRefused) as exc:
        log.info("skipped: %s", exc)
        return
    (log.info if summary.ok else log.warning)("%s", summary.line())


def build_scheduler(db: Database, settings: dict[str, object], *, background: bool,
                    start_now: bool = False) -> BaseScheduler:
    scheduler: BaseScheduler = (BackgroundScheduler if background else BlockingScheduler)(
        timezone=dt.UTC, job_defaults={"max_instances": 1, "coalesce": True,
                                       "misfire_grace_time": 3600})
    urls: dict[str, str] = settings["SOURCE_URLS"]  # type: ignore[assignment]
    hours: dict[str, float] = settings["SYNC_INTERVAL_HOURS"]  # type: ignore[assignment]
    now = dt.datetime.now(dt.UTC)
    for index, source in enumerate(SOURCES):
        extra = {}
        if start_now:
            # staggered first runs so two big parses don't compete for the 2 cores
            extra["next_run_time"] = now + dt.timedelta(seconds=5 + 20 * index)
        scheduler.add_job(
            sync_job, "interval", hours=hours[source.name], id=f"sync:{source.name}",
            name=f"sync {source.name}", args=(db, source.name, urls[source.name]),
            replace_existing=True, **extra,
        )
    return scheduler


CONTENT_INTERVAL_MINUTES = 10


def content_job(db: Database, root: str) -> None:
    from pathlib import Path

    from ratecard.services.content import run_import

    try:
        run_import(db, Path(root))
    except Exception:                      # a bad file must never stop the scheduler
        log.exception("content import failed")


def add_content_job(scheduler: BaseScheduler, db: Database, root: object) -> None:
    """Re-import content/ every 10 minutes (serve imports once at start)."""
    scheduler.add_job(
        content_job, "interval", minutes=CONTENT_INTERVAL_MINUTES, id="content:import",
        name="content import", args=(db, str(root)), replace_existing=True,
    )

"""Scheduled syncs (APScheduler 3.x): one job per source, never two at once.

`ratecard scheduler` is the production process; `ratecard serve` runs one in the
background (single-process mode). Web workers never start one: the database
lock in services.locks is what guarantees one sync per source even if they did.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

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
    alerts_job(db)                         # the new change events' webhooks, right away
    pages_job(db)


def pages_job(db: Database) -> None:
    """After a write: render again the stored pages it made stale (docs/pages.md), and the
    pages of RATECARD_SITE_URL not stored yet."""
    import os

    from ratecard.web.page_build import app_for, build_pages

    try:
        site = os.environ.get("RATECARD_SITE_URL") or ""
        log.info("%s", build_pages(app_for(db.url), sites=[site] if site else []).line())
    except Exception:                      # a page bug must never stop the scheduler
        log.exception("pages build failed")


def build_scheduler(db: Database, settings: Mapping[str, Any], *, background: bool,
                    start_now: bool = False) -> BaseScheduler:
    scheduler: BaseScheduler = (BackgroundScheduler if background else BlockingScheduler)(
        timezone=dt.UTC, job_defaults={"max_instances": 1, "coalesce": True,
                                       "misfire_grace_time": 3600})
    # settings: config.from_env()'s Settings, or the app.config they were loaded into
    urls: dict[str, str] = settings["SOURCE_URLS"]
    hours: dict[str, float] = settings["SYNC_INTERVAL_HOURS"]
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
    add_open_data_jobs(scheduler, db)
    add_verdicts_job(scheduler, db)
    add_pages_job(scheduler, db)
    return scheduler


def add_pages_job(scheduler: BaseScheduler, db: Database) -> None:
    """Pages read "today" (docs/pages.md): a new UTC day renders the stored pages again."""
    from apscheduler.triggers.cron import CronTrigger

    scheduler.add_job(pages_job, CronTrigger(hour=0, minute=5, timezone=dt.UTC), id="pages",
                      name="pages of the new day", args=(db,), replace_existing=True)


ALERT_TICK_SECONDS = 60


def alerts_job(db: Database) -> None:
    """Queue webhooks for new change events and send what is due (retries included)."""
    from ratecard.services.alerts import run_alerts

    try:
        report = run_alerts(db)
    except Exception:                      # a webhook bug must never stop the scheduler
        log.exception("alerts failed")
        return
    if report.delivered or report.retrying or report.failed:
        log.info("%s", report.line())


def export_job(db: Database) -> None:
    from ratecard.services.export import default_dir, write_exports

    try:
        log.info("export: %s", write_exports(db, default_dir()).line())
    except Exception:
        log.exception("export failed")


def add_open_data_jobs(scheduler: BaseScheduler, db: Database) -> None:
    """Webhook deliveries every minute; the dump nightly at 03:00 UTC, and soon after start
    when there is none yet (a fresh site serves one within minutes)."""
    from apscheduler.triggers.cron import CronTrigger

    from ratecard.services.export import DUMP_NAME, default_dir

    scheduler.add_job(alerts_job, "interval", seconds=ALERT_TICK_SECONDS, id="alerts",
                      name="alerts", args=(db,), replace_existing=True)
    extra = {} if (default_dir() / DUMP_NAME).exists() else {
        "next_run_time": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=3)}
    scheduler.add_job(export_job, CronTrigger(hour=3, timezone=dt.UTC), id="export",
                      name="nightly export", args=(db,), replace_existing=True, **extra)


CONTENT_INTERVAL_MINUTES = 10


def content_job(db: Database, root: str) -> None:
    from pathlib import Path

    from ratecard.services.content import run_import

    try:
        run_import(db, Path(root))
    except Exception:                      # a bad file must never stop the scheduler
        log.exception("content import failed")
        return
    pages_job(db)


def add_content_job(scheduler: BaseScheduler, db: Database, root: object) -> None:
    """Re-import content/ every 10 minutes (serve imports once at start)."""
    scheduler.add_job(
        content_job, "interval", minutes=CONTENT_INTERVAL_MINUTES, id="content:import",
        name="content import", args=(db, str(root)), replace_existing=True,
    )


PROBE_TICK_MINUTES = 30


def probe_job(db: Database) -> None:
    """Every model whose last probe cycle is older than its interval, under the per-provider
    lock (a provider another process is probing is skipped, as a busy sync is)."""
    from ratecard.probes.endpoints import ProbeSettings
    from ratecard.services.probes import run_due

    try:
        run_due(db, ProbeSettings.from_env())
    except Exception:                      # a probe bug must never stop the scheduler
        log.exception("probe job failed")
        return
    pages_job(db)


def add_probe_job(scheduler: BaseScheduler, db: Database) -> None:
    """Look for due models every 30 minutes (or the interval, when shorter), each tick
    started at a random moment up to the jitter later: calls never line up on the hour."""
    from ratecard.probes.endpoints import ProbeSettings

    settings = ProbeSettings.from_env()
    minutes = min(PROBE_TICK_MINUTES, settings.interval_hours * 60)
    scheduler.add_job(
        probe_job, "interval", minutes=minutes, id="probes", name="probes", args=(db,),
        jitter=min(settings.jitter_seconds, int(minutes * 30)), replace_existing=True,
    )


def verdicts_job(db: Database) -> None:
    """Judge the week that ended yesterday (UTC) against the week before (idempotent)."""
    from ratecard.services.verdicts import run_verdicts

    try:
        day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
        log.info("verdicts: %d for the week ending %s", len(run_verdicts(db, day)), day)
    except Exception:                      # a verdict bug must never stop the scheduler
        log.exception("verdicts failed")
        return
    pages_job(db)


def add_verdicts_job(scheduler: BaseScheduler, db: Database) -> None:
    """Weekly, Mondays 04:00 UTC: the week is whole and the night's syncs are done."""
    from apscheduler.triggers.cron import CronTrigger

    scheduler.add_job(verdicts_job, CronTrigger(day_of_week="mon", hour=4, timezone=dt.UTC),
                      id="verdicts", name="weekly verdicts", args=(db,), replace_existing=True)

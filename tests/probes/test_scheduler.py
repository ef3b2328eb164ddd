"""The scheduler's probe job: guarded like the syncs, jittered, on the configured interval."""
from __future__ import annotations

import datetime as dt

from apscheduler.schedulers.background import BackgroundScheduler

from ratecard.scheduler import PROBE_TICK_MINUTES, add_probe_job, probe_job
from tests.probes.conftest import env_for


def _job(db, monkeypatch, hours: str):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RATECARD_PROBE_INTERVAL_HOURS", hours)
    scheduler = BackgroundScheduler(timezone=dt.UTC, job_defaults={
        "max_instances": 1, "coalesce": True})
    add_probe_job(scheduler, db)
    scheduler.start(paused=True)
    job = scheduler.get_job("probes")
    scheduler.shutdown(wait=False)
    return job


def test_one_guarded_jittered_job(db, monkeypatch):
    job = _job(db, monkeypatch, "6")
    assert job.max_instances == 1 and job.coalesce is True
    assert job.trigger.interval == dt.timedelta(minutes=PROBE_TICK_MINUTES)
    assert 0 < job.trigger.jitter <= 600
    short = _job(db, monkeypatch, "0.1")          # 6 minutes: looks at least that often
    assert short.trigger.interval == dt.timedelta(minutes=6)


def test_the_job_probes_due_models_and_never_raises(db, models, fake, monkeypatch):
    from sqlalchemy import func, select

    from ratecard.models.probes import ProbeRun

    for name, value in env_for(fake, RATECARD_PROBE_MODELS="openai/test-chat").items():
        monkeypatch.setenv(name, value)
    fake.program("ok")
    probe_job(db)
    probe_job(db)                                 # not due again: no second cycle
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ProbeRun)) == 3
    monkeypatch.setenv("RATECARD_PROBE_DAILY_USD", "not money")
    probe_job(db)                                 # logged, not raised

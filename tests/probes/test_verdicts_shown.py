"""Weekly verdicts on the profile page (newest first), the weekly scheduler job,
and the profile's link to the live-test page (only for a model it can serve)."""
from __future__ import annotations

import datetime as dt

from ratecard.services.verdicts import run_verdicts
from tests.probes.conftest import env_for
from tests.probes.test_verdicts import AS_OF, history


def test_profile(db, models, client):  # type: ignore[no-untyped-def]
    history(db, models)
    run_verdicts(db, AS_OF - dt.timedelta(days=7))     # an older week first: newest first
    run_verdicts(db, AS_OF)
    page = client.get("/models/openai/test-chat").get_data(as_text=True)
    assert "Benchmark verdicts" in page and "Price cut 50 % (input)" in page
    assert "p95 latency rose 36 %: 1,100 ms → 1,500 ms." in page
    assert page.count('id="verdicts"') == 1
    assert page.index("2026-03-15") < page.index("2026-03-08")


def test_profile_links_the_live_test_only_when_it_can_serve(app, models, client, fake,
                                                             monkeypatch):  # type: ignore[no-untyped-def]
    for name, value in env_for(fake).items():
        monkeypatch.setenv(name, value)
    # Off (budget 0): no link. Pages are cached per data version, so each state is read
    # from a model not fetched before.
    assert "/live-test/" not in client.get("/models/anthropic/test-claude").get_data(
        as_text=True)
    app.config.update(LIVE_TEST_DAILY_USD="1")
    page = client.get("/models/openai/test-chat").get_data(as_text=True)
    assert 'href="/live-test/openai/test-chat"' in page
    for other in ("gpt-image-1", "unpriced"):              # image, no price: no link
        assert "/live-test/" not in client.get(f"/models/openai/{other}").get_data(as_text=True)


def test_weekly_scheduler_job(db, models):  # type: ignore[no-untyped-def]
    from apscheduler.schedulers.background import BackgroundScheduler
    from sqlalchemy import func, select

    from ratecard.models.verdicts import Verdict
    from ratecard.scheduler import add_verdicts_job, verdicts_job

    scheduler = BackgroundScheduler(timezone=dt.UTC)
    add_verdicts_job(scheduler, db)
    scheduler.start(paused=True)
    job = scheduler.get_job("verdicts")
    scheduler.shutdown(wait=False)
    monday = job.trigger.get_next_fire_time(None, dt.datetime(2026, 3, 11, tzinfo=dt.UTC))
    assert monday == dt.datetime(2026, 3, 16, 4, tzinfo=dt.UTC)
    # The job judges the week that ended yesterday: runs from the last few days count.
    with db.session() as s:
        from tests.probes.test_verdicts import _runs
        s.add_all(_runs(models["openai/test-chat"],
                        dt.datetime.now(dt.UTC) - dt.timedelta(days=2), [("ok", 700)] * 3))
    verdicts_job(db)
    verdicts_job(db)                                     # idempotent, never raises
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Verdict)) == 1

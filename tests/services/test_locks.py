"""One sync per source at a time: two real processes race for the same source."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from sqlalchemy import select

from ratecard.models import SyncLock, SyncRun
from ratecard.scheduler import build_scheduler
from ratecard.services.locks import LockBusy, source_lock
from tests.faultserver import fault_server_fixture  # noqa: F401

PAYLOAD = json.dumps({"gpt-4o": {"litellm_provider": "openai", "mode": "chat",
                                 "input_cost_per_token": 2.5e-06}}).encode()


def start_sync(database_url: str, url: str) -> subprocess.Popen[str]:
    env = dict(os.environ, DATABASE_URL=database_url, RATECARD_LITELLM_URL=url,
               RATECARD_HTTP_ATTEMPTS="1")
    return subprocess.Popen([sys.executable, "-m", "ratecard", "sync", "litellm"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_two_processes_racing_run_one_sync(db, database_url, fault_server):
    # The upstream answers slowly, so the first process holds the lock while fetching.
    fault_server.serve("/prices.json", PAYLOAD, delay=8.0)   # wide window on a busy machine
    first = start_sync(database_url, fault_server.url("/prices.json"))
    # Wait until the first process has taken the lock (its request reached the server).
    deadline = time.monotonic() + 60
    while fault_server.count("/prices.json") == 0:
        assert time.monotonic() < deadline, "first sync never fetched"
        time.sleep(0.05)
    second = start_sync(database_url, fault_server.url("/prices.json"))
    out2, err2 = second.communicate(timeout=120)
    out1, err1 = first.communicate(timeout=120)
    assert first.returncode == 0, err1
    assert "litellm: ok" in out1
    assert second.returncode == 2 and "another sync of this source is running" in err2
    assert fault_server.count("/prices.json") == 1
    with db.session() as session:
        runs = session.scalars(select(SyncRun)).all()
        assert [r.status for r in runs] == ["success"]
        assert session.scalars(select(SyncLock)).all() == []      # released


def test_lock_is_released_after_an_error_and_busy_while_held(db):
    try:
        with source_lock(db, "litellm"):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with source_lock(db, "litellm"):
        try:
            with source_lock(db, "litellm"):
                raise AssertionError("a second holder got the lock")
        except LockBusy:
            pass
    with source_lock(db, "litellm"):
        pass


def test_scheduler_has_one_guarded_job_per_source(db):
    from ratecard.config import from_env

    scheduler = build_scheduler(db, from_env(), background=True)
    scheduler.start(paused=True)      # job defaults are applied when the scheduler starts
    jobs = {job.id: job for job in scheduler.get_jobs()}
    scheduler.shutdown(wait=False)
    # one per source (the other jobs, alerts, the nightly export ..., are not syncs)
    assert {job for job in jobs if job.startswith("sync:")} == {
        "sync:litellm", "sync:openrouter", "sync:modelsdev", "sync:genai_prices"}
    hours = {name: jobs[f"sync:{name}"].trigger.interval.total_seconds() / 3600
             for name in ("litellm", "openrouter", "modelsdev", "genai_prices")}
    assert hours == {"litellm": 6, "openrouter": 1, "modelsdev": 6, "genai_prices": 24}
    for job in jobs.values():
        assert job.max_instances == 1 and job.coalesce is True

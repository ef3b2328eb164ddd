"""A dripping upstream cannot hang a sync: the fetch ends by RATECARD_HTTP_TOTAL_TIMEOUT,
the run is recorded failed with that reason, and the CLI exits non-zero with one line."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from ratecard.models import SyncRun
from ratecard.scheduler import sync_job
from ratecard.services.sync import run_sync
from scrapers import http, litellm
from tests.faultserver import fault_server_fixture  # noqa: F401

BODY = b'{"gpt-4o": {"litellm_provider": "openai", "input_cost_per_token": 2.5e-06}}' * 40
DEADLINE = 1.5
MARGIN = 3.0     # seconds past the deadline allowed for a busy machine (unbounded, it ran 100+ s)


@pytest.fixture(autouse=True)
def short_deadline(monkeypatch):
    monkeypatch.setenv("RATECARD_HTTP_TOTAL_TIMEOUT", str(DEADLINE))
    monkeypatch.setenv("RATECARD_HTTP_READ_TIMEOUT", "5")
    yield
    http.close_client()


def test_dripping_upstream_fails_the_run_by_the_deadline(db, fault_server):
    fault_server.serve("/drip.json", BODY, drip=0.05)       # ~150 s if nothing stops it
    url = fault_server.url("/drip.json")
    started = time.monotonic()
    summary = run_sync(db, litellm.SOURCE, url=url)
    elapsed = time.monotonic() - started
    assert elapsed < DEADLINE + MARGIN, f"sync ran {elapsed:.1f} s"
    assert summary.status == "failed"
    with db.session() as session:
        run = session.get_one(SyncRun, summary.run_id)
        assert run.status == "failed" and run.finished_at is not None
        assert run.error.startswith(f"fetch failed: {url}: ")
        assert f"total deadline of {DEADLINE:g} s" in run.error


def test_scheduler_job_returns_by_the_deadline(db, fault_server):
    """The scheduler runs one instance per source: a job that never returned would stop
    that source for good."""
    fault_server.serve("/drip.json", BODY, drip=0.05)
    started = time.monotonic()
    sync_job(db, "litellm", fault_server.url("/drip.json"))
    assert time.monotonic() - started < DEADLINE + MARGIN


def test_cli_exits_non_zero_with_one_line(db, database_url, fault_server):
    fault_server.serve("/drip.json", BODY, drip=0.05)
    env = dict(os.environ, DATABASE_URL=database_url,
               RATECARD_LITELLM_URL=fault_server.url("/drip.json"))
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "ratecard", "sync", "litellm"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 30          # process start included
    assert done.returncode == 1, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("litellm: FAILED (run 1): fetch failed: ")
    assert "total deadline of 1.5 s" in lines[0] and "Traceback" not in done.stderr

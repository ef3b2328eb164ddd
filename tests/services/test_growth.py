"""The growth guard beside the vanish guard: a run that would add far more models than the
source has is held (nothing written) unless an operator passes --allow-growth."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from ratecard.models import ChangeEvent, Model, Price, SyncRun
from ratecard.services.sync import run_sync
from scrapers import litellm


def payload(n: int, start: int = 0) -> bytes:
    return json.dumps({f"model-{i}": {"litellm_provider": "openai", "mode": "chat",
                                      "input_cost_per_token": 2.5e-06,
                                      "output_cost_per_token": 1e-05}
                       for i in range(start, start + n)}).encode()


def counts(db) -> tuple[int, int, int]:
    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(t))   # type: ignore[return-value]
                     for t in (Model, Price, ChangeEvent))


@pytest.fixture
def live(db):
    summary = run_sync(db, litellm.SOURCE, payload=payload(200))
    assert summary.status == "success" and summary.added == 200
    return counts(db)


def test_mass_addition_is_held_and_writes_nothing(db, live):
    summary = run_sync(db, litellm.SOURCE, payload=payload(45_200))   # 45,000 new models
    assert summary.status == "held"
    assert summary.error.startswith("45000 new models would join the 200 live ones (+22500%), "
                                    "more than the +150% allowed")
    assert "--allow-growth" in summary.error and "nothing written" in summary.error
    assert counts(db) == live
    with db.session() as s:
        assert s.get_one(SyncRun, summary.run_id).status == "held"


def test_operator_override_publishes_it(db, live):
    summary = run_sync(db, litellm.SOURCE, payload=payload(1200), allow_growth=True)
    assert summary.status == "success" and summary.added == 1000
    assert counts(db)[0] == 1200


def test_ordinary_growth_and_small_sources_pass(db, live):
    assert run_sync(db, litellm.SOURCE, payload=payload(500)).added == 300     # +150 %
    assert run_sync(db, litellm.SOURCE, payload=payload(1251)).status == "held"


def test_small_source_may_always_add_a_hundred(db):
    run_sync(db, litellm.SOURCE, payload=payload(3))
    assert run_sync(db, litellm.SOURCE, payload=payload(103)).status == "success"


def test_first_load_has_an_absolute_cap(db, monkeypatch):
    monkeypatch.setenv("RATECARD_SYNC_MAX_FIRST_LOAD", "50")
    summary = run_sync(db, litellm.SOURCE, payload=payload(51))
    assert summary.status == "held" and "first run of this source would add 51 models, " \
        "more than the 50 allowed for a first load" in summary.error
    assert counts(db) == (0, 0, 0)
    assert run_sync(db, litellm.SOURCE, payload=payload(50)).status == "success"


def test_growth_share_setting(db, live, monkeypatch):
    monkeypatch.setenv("RATECARD_SYNC_MAX_GROWTH", "0.6")   # at most +60 %: 120 new
    assert run_sync(db, litellm.SOURCE, payload=payload(321)).status == "held"
    assert run_sync(db, litellm.SOURCE, payload=payload(320)).status == "success"


def cli(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ratecard", "sync", *args], text=True,
                          capture_output=True, timeout=300,
                          env=dict(os.environ, DATABASE_URL=database_url, **env))


def test_cli_holds_then_publishes_with_allow_growth(db, database_url, live, tmp_path):
    path = tmp_path / "grown.json"
    path.write_bytes(payload(1200))
    held = cli(database_url, "litellm", "--file", str(path))
    assert held.returncode == 1 and "Traceback" not in held.stderr
    assert held.stdout.strip().startswith("litellm: HELD (run 2): 1000 new models")
    assert len(held.stdout.strip().splitlines()) == 1 and counts(db) == live
    done = cli(database_url, "litellm", "--file", str(path), "--allow-growth")
    assert done.returncode == 0 and "1000 added" in done.stdout, done.stderr


@pytest.mark.parametrize("name, value", [("RATECARD_SYNC_MAX_GROWTH", "lots"),
                                         ("RATECARD_SYNC_MAX_FIRST_LOAD", "-1"),
                                         ("RATECARD_HTTP_TOTAL_TIMEOUT", "soon")])
def test_cli_names_a_bad_setting_in_one_line(db, database_url, name, value):
    done = cli(database_url, "litellm", **{name: value})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and name in done.stderr

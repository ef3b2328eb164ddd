"""Guards against a real upstream on loopback: whatever it serves, earlier data stays intact
and the recorded run says why."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ratecard.models import Model, Price, QuarantinedChange, SyncRun
from ratecard.services.sync import run_sync
from scrapers import http, litellm
from tests.faultserver import Response, fault_server_fixture  # noqa: F401

GOOD = {f"model-{i}": {"litellm_provider": "openai", "mode": "chat",
                       "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05}
        for i in range(10)}


@pytest.fixture(autouse=True)
def fast_http(monkeypatch):
    monkeypatch.setenv("RATECARD_HTTP_ATTEMPTS", "2")
    monkeypatch.setenv("RATECARD_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("RATECARD_HTTP_READ_TIMEOUT", "0.5")
    yield
    http.close_client()


def snapshot(db):
    with db.session() as s:
        rows = s.execute(select(Model.canonical_id, Price.meter, Price.amount, Price.valid_from,
                                Price.valid_to).join(Model).order_by(Price.id)).all()
    return [tuple(r) for r in rows]


@pytest.fixture
def loaded(db, fault_server):
    fault_server.serve("/good.json", json.dumps(GOOD).encode())
    summary = run_sync(db, litellm.SOURCE, url=fault_server.url("/good.json"))
    assert summary.ok and summary.price_rows == 20
    return snapshot(db)


def sync_from(db, fault_server, body=None, **response):
    if body is not None:
        response["body"] = body if isinstance(body, bytes) else json.dumps(body).encode()
    fault_server.sequence("/bad.json", [Response(**response)])
    return run_sync(db, litellm.SOURCE, url=fault_server.url("/bad.json"))


def recorded(db, run_id):
    with db.session() as s:
        return s.get(SyncRun, run_id)


@pytest.mark.parametrize("case, body, response, status, reason", [
    ("truncated JSON", json.dumps(GOOD).encode()[:300], {}, "failed", "could not be parsed"),
    ("empty object", {}, {}, "failed", "empty payload"),
    ("mass vanish", {"model-1": GOOD["model-1"]}, {}, "held", "9 of 10 models (90%) would vanish"),
    ("HTTP 500", b"oops", {"status": 500}, "failed", "HTTP 500"),
    ("timeout", json.dumps(GOOD).encode(), {"delay": 2.0}, "failed", "timed out"),
    ("truncated transfer", json.dumps(GOOD).encode(), {"truncate_at": 100}, "failed",
     "fetch failed"),
    ("HTML error page", b"<html>maintenance</html>", {}, "failed", "could not be parsed"),
])
def test_broken_upstream_leaves_data_intact(db, fault_server, loaded, case, body, response,
                                            status, reason):
    summary = sync_from(db, fault_server, body, **response)
    assert summary.status == status, case
    assert reason in summary.error, summary.error
    assert snapshot(db) == loaded, f"{case} changed the published data"
    run = recorded(db, summary.run_id)
    assert run.status == status and reason in run.error and run.finished_at is not None


def test_hundredfold_jump_is_held_alone(db, fault_server, loaded):
    jumped = json.loads(json.dumps(GOOD))
    jumped["model-0"]["input_cost_per_token"] = 2.5e-04
    jumped["model-1"]["output_cost_per_token"] = 1.2e-05
    summary = sync_from(db, fault_server, jumped)
    assert summary.ok and summary.quarantined == 1 and summary.changed == 1
    with db.session() as s:
        held = s.scalars(select(QuarantinedChange)).one()
        assert held.reason.startswith("price moved up 100.0x")
        current = s.scalar(select(Price.amount).join(Model).where(
            Model.canonical_id == "openai/model-0", Price.meter == "input",
            Price.valid_to.is_(None)))
    assert str(current) == "2.5"


def test_garbage_entries_are_counted_not_published(db, fault_server, loaded):
    garbage = json.loads(json.dumps(GOOD))
    garbage["model-0"]["input_cost_per_token"] = "abc"
    garbage["model-1"]["input_cost_per_token"] = -1
    garbage["model-2"]["input_cost_per_token"] = None
    garbage["model-3"] = "not an object"
    summary = sync_from(db, fault_server, garbage)
    assert summary.ok and summary.rejected >= 3, summary.line()
    with db.session() as s:
        zero = s.scalar(select(func.count()).select_from(Price).where(Price.amount == Decimal(0)))
        run = s.get(SyncRun, summary.run_id)
    assert zero == 0
    assert {d["key"] for d in run.details} >= {"model-0", "model-1", "model-3"}


def test_not_modified_is_a_noop_run(db, fault_server):
    fault_server.serve("/etag.json", json.dumps(GOOD).encode(), etag='"v1"')
    url = fault_server.url("/etag.json")
    assert run_sync(db, litellm.SOURCE, url=url).status == "success"
    before = snapshot(db)
    again = run_sync(db, litellm.SOURCE, url=url)
    assert again.status == "not_modified"
    assert fault_server.requests[-1].headers.get("if-none-match") == '"v1"'
    assert snapshot(db) == before
    assert recorded(db, again.run_id).status == "not_modified"


def test_as_of_stamps_a_replayed_file(db, tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps(GOOD))
    summary = run_sync(db, litellm.SOURCE, url=str(path), as_of=dt.date(2025, 1, 19))
    assert summary.ok
    with db.session() as s:
        starts = set(s.scalars(select(Price.valid_from)))
    assert starts == {dt.datetime(2025, 1, 19, tzinfo=dt.UTC)}

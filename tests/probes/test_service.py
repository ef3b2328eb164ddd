"""Probe cycles on a real database against the fake provider: every call recorded with its
outcome and cost, the spend cap, the per-provider lock, and keys kept out of the database
and the logs."""
from __future__ import annotations

import logging
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from ratecard.models.probes import ProbeRun, ProbeSummary
from ratecard.probes.endpoints import NotMeasurable, ProbeSettings
from ratecard.services.locks import LockBusy, source_lock
from ratecard.services.probes import run_cycle, run_due, targets
from tests.probes.conftest import KEY, env_for
from tests.probes.fakeprovider import USAGE_IN, USAGE_OUT

SETTINGS = ProbeSettings(connect_timeout=1.0, read_timeout=0.5, chat_deadline=1.5,
                         image_deadline=1.5, daily_usd=Decimal("1.00"))
# what one ok call of openai/test-chat costs at $2.5 / $10 per 1M tokens
OK_COST = (Decimal(USAGE_IN) * Decimal("2.5") + Decimal(USAGE_OUT) * 10) / 1_000_000


def _target(db, fake, model_id: str, **env: str):  # type: ignore[no-untyped-def]
    chosen, unknown = targets(db, replace(SETTINGS, models=(model_id,)), env_for(fake, **env))
    assert not unknown
    return chosen[0]


def _runs(db) -> list[ProbeRun]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return list(session.scalars(select(ProbeRun).order_by(ProbeRun.id)))


def test_a_cycle_records_three_calls_with_outcomes_and_costs(db, models, fake, caplog):
    caplog.set_level(logging.DEBUG)
    fake.program("ok", "429", "401")
    target = _target(db, fake, "openai/test-chat")
    report = run_cycle(db, target, SETTINGS, env=env_for(fake))
    runs = _runs(db)
    assert [r.outcome for r in runs] == ["ok", "rate_limited", "auth_error"]
    assert [r.http_status for r in runs] == [200, 429, 401]
    assert len({r.cycle for r in runs}) == 1 and report.runs == runs or len(report.runs) == 3
    ok = runs[0]
    assert ok.cost_usd == OK_COST == Decimal("0.003105")
    assert (ok.input_tokens, ok.output_tokens) == (USAGE_IN, USAGE_OUT)
    assert ok.ttft_ms is not None and ok.output_tps is not None and ok.kind == "chat"
    assert runs[1].cost_usd == 0 and runs[2].cost_usd == 0     # nothing generated
    assert all(r.endpoint == fake.base("openai") and r.api == "openai_chat" for r in runs)
    # the 401 body echoed the key: neither the row nor a log line keeps it
    for run in runs:
        for column in ProbeRun.__table__.columns:
            assert KEY[8:] not in str(getattr(run, column.key))
    assert "Incorrect API key provided" in runs[2].error
    assert KEY[8:] not in caplog.text
    with db.session() as session:
        summary = session.get(ProbeSummary, models["openai/test-chat"])
        assert (summary.runs, summary.ok, summary.latency_p50_ms) == (3, 1, ok.latency_ms)


@pytest.mark.parametrize("model, shape, calls", [
    ("anthropic/test-claude", "anthropic", 3), ("google/test-gemini", "gemini", 3),
    ("openai/gpt-image-1", "openai_image", 1)])
def test_each_api_shape_is_recorded(db, models, fake, model, shape, calls):
    fake.program("ok")
    run_cycle(db, _target(db, fake, model), SETTINGS, env=env_for(fake))
    runs = _runs(db)
    assert len(runs) == calls and {r.api for r in runs} == {shape}
    assert {r.outcome for r in runs} == {"ok"}
    if shape == "openai_image":
        assert runs[0].cost_usd == Decimal("0.011") and runs[0].kind == "image"
    else:
        assert all(r.cost_usd > 0 for r in runs)


def test_faults_are_recorded_and_no_cycle_hangs(db, models, fake):
    import time

    fake.program("hang", "close", "drip")
    began = time.monotonic()
    run_cycle(db, _target(db, fake, "openai/test-chat"), SETTINGS, env=env_for(fake))
    assert time.monotonic() - began < 3 * SETTINGS.chat_deadline + 2
    assert [r.outcome for r in _runs(db)] == ["timeout", "network_error", "timeout"]


def test_the_spend_cap_stops_probing_before_it_is_passed(db, models, fake):
    # worst case per call: (200 x 2.5 + 400 x 10) / 1M = $0.0045; one ok call costs $0.003105
    fake.program("ok")
    capped = replace(SETTINGS, daily_usd=Decimal("0.007"))
    report = run_cycle(db, _target(db, fake, "openai/test-chat"), capped, env=env_for(fake))
    assert len(report.runs) == 1                   # 0.003105 + 0.0045 > 0.007
    assert report.stopped and "daily spend cap reached" in report.stopped
    second = run_cycle(db, _target(db, fake, "anthropic/test-claude"), capped,
                       env=env_for(fake))
    assert second.runs == [] and second.stopped
    spent = sum(r.cost_usd for r in _runs(db))
    assert spent <= capped.daily_usd


# A probing process of its own: waits for "go" on stdin, runs one cycle, prints its runs.
_OTHER_PROCESS = """
import json, sys
from dataclasses import replace
from decimal import Decimal
from ratecard.db import Database
from ratecard.probes.endpoints import ProbeSettings
from ratecard.services.probes import run_cycle, targets
url, model, env, cap = json.loads(sys.argv[1])
settings = ProbeSettings(connect_timeout=1.0, read_timeout=2.0, chat_deadline=3.0,
                         image_deadline=3.0, daily_usd=Decimal(cap), models=(model,))
db = Database(url)
chosen, _ = targets(db, settings, env)
print("ready", flush=True)
sys.stdin.readline()
report = run_cycle(db, chosen[0], settings, env=env)
print(len(report.runs), report.stopped, flush=True)
"""


def test_the_spend_cap_holds_across_processes(db, models, fake):
    """The scheduler and a `ratecard probe` side by side: each counts the other's call in
    flight at its worst case, so together they stop at the cap, not one call past it each.
    One ok call costs $0.003105 (openai) or $0.004626 (anthropic); the worst cases are
    $0.0045 and $0.0066, so under a $0.007 cap only one call may be in flight at a time, and
    after it none fits."""
    import json
    import subprocess
    import sys
    import threading

    fake.program("slow")                       # each call takes 0.3 s: the calls overlap
    capped = replace(SETTINGS, daily_usd=Decimal("0.007"), read_timeout=2.0,
                     chat_deadline=3.0)
    other = subprocess.Popen(
        [sys.executable, "-c", _OTHER_PROCESS,
         json.dumps([db.url, "anthropic/test-claude", env_for(fake), "0.007"])],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdin is not None
        assert other.stdout.readline().strip() == "ready"
        target = _target(db, fake, "openai/test-chat")
        mine: list[object] = []
        thread = threading.Thread(target=lambda: mine.append(
            run_cycle(db, target, capped, env=env_for(fake))))
        other.stdin.write("go\n")
        other.stdin.flush()
        thread.start()
        thread.join(30)
        out, _ = other.communicate(timeout=30)
    finally:
        other.kill()
    assert other.returncode == 0, out
    runs = _runs(db)
    assert len(runs) == 1, [(r.model_id, r.outcome) for r in runs]
    assert sum(r.cost_usd for r in runs) <= capped.daily_usd
    with db.session() as session:               # nothing is left held
        from ratecard.models.probes import SpendReservation
        assert session.scalars(select(SpendReservation)).all() == []


def test_one_cycle_per_provider_at_a_time(db, models, fake):
    target = _target(db, fake, "openai/test-chat")
    with source_lock(db, "probe:openai", purpose="probe"):
        with pytest.raises(LockBusy):
            run_cycle(db, target, SETTINGS, env=env_for(fake))
    assert _runs(db) == []


def test_who_is_measured(db, models, fake):
    env = env_for(fake)
    del env["GEMINI_API_KEY"]
    chosen, unknown = targets(db, replace(SETTINGS, models=(
        "openai/test-chat", "google/test-gemini", "openai/unpriced",
        "openai/text-embedding-x", "nobody/none")), env)
    reasons = {t.canonical_id: t.reason for t in chosen}
    assert unknown == ["nobody/none"]
    assert reasons["openai/test-chat"] is None
    assert "GEMINI_API_KEY is not set" in reasons["google/test-gemini"]
    assert "no published price" in reasons["openai/unpriced"]
    assert "not probed" in reasons["openai/text-embedding-x"]
    with pytest.raises(NotMeasurable):
        run_cycle(db, next(t for t in chosen if t.canonical_id == "google/test-gemini"),
                  SETTINGS, env=env)


def test_run_due_measures_each_due_model_once(db, models, fake):
    fake.program("ok")
    settings = replace(SETTINGS, models=("openai/test-chat", "anthropic/test-claude"))
    reports = run_due(db, settings, env_for(fake))
    assert sorted(r.target.canonical_id for r in reports) == [
        "anthropic/test-claude", "openai/test-chat"]
    assert len(_runs(db)) == 6
    assert run_due(db, settings, env_for(fake)) == []      # nothing due again yet
    assert len(_runs(db)) == 6


def test_a_credential_in_a_base_url_is_never_recorded(db, models, fake):
    fake.program("ok")
    root = fake.base("openai").replace("http://", "http://user:hunter2secret@") + "?key=abc123z"
    target = _target(db, fake, "openai/test-chat", OPENAI_BASE_URL=root)
    assert target.endpoint.public_url == fake.base("openai")
    run_cycle(db, target, replace(SETTINGS, calls_per_cycle=1), env=env_for(fake))
    run = _runs(db)[0]
    assert run.endpoint == fake.base("openai")
    assert "hunter2secret" not in str(run.error) and "abc123z" not in str(run.error)

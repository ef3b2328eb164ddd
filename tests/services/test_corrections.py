"""Corrections publish: a held change that agrees with the other sources goes live by
itself at the date it was seen (a "price_corrected" event); one moving away still waits;
a new value far from the same model elsewhere is held as an outlier."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy import select

from ratecard.models import ChangeEvent, Model, QuarantinedChange
from ratecard.services.corrections import Reference, correction, outlier
from ratecard.services.sync import run_sync
from scrapers import openrouter
from tests.services.test_sync import CATALOG, current, entry, sync


def router(db, day: str, **prices: str):
    """An OpenRouter listing of openai/model-1 with these per-token prices."""
    body = {"data": [{"id": "openai/model-1", "name": "Model 1", "context_length": 128000,
                      "architecture": {"input_modalities": ["text"],
                                       "output_modalities": ["text"]},
                      "pricing": {"prompt": "0.0000025", "completion": "0.00001"} | prices}]}
    return run_sync(db, openrouter.SOURCE, payload=json.dumps(body).encode(),
                    as_of=dt.date.fromisoformat(day))


def events(db, kind):
    with db.session() as s:
        return list(s.execute(select(Model.canonical_id, ChangeEvent).join(
            Model, Model.id == ChangeEvent.model_id).where(ChangeEvent.kind == kind)))


def held(db):
    with db.session() as s:
        return list(s.scalars(select(QuarantinedChange).order_by(QuarantinedChange.id)))


def test_a_fix_of_more_than_ten_times_towards_the_other_source_publishes(db):
    # LiteLLM's input is 20x too high ($50), and it is live: nobody else priced it then.
    sync(db, CATALOG | {"model-1": entry(inp="5e-05")}, "2026-01-01")
    assert current(db, "openai/model-1") == Decimal(50)
    # OpenRouter says $2.50: one other source cannot tell which is wrong, so it publishes
    # (the pages show the disagreement).
    assert router(db, "2026-01-02").quarantined == 0
    # Upstream fixes LiteLLM by 20x, towards OpenRouter: a correction, live at once.
    summary = sync(db, CATALOG | {"model-1": entry(inp="2.5e-06")}, "2026-01-03")
    assert summary.quarantined == 0
    assert current(db, "openai/model-1") == Decimal("2.5")
    [(cid, event)] = events(db, "price_corrected")
    assert (cid, event.source, event.old_value, event.new_value) == (
        "openai/model-1", "litellm", "50", "2.5")
    assert event.occurred_at.date() == dt.date(2026, 1, 3)
    assert held(db) == []


def test_a_held_fix_is_re_decided_when_the_other_sources_catch_up(db):
    sync(db, CATALOG | {"model-1": entry(inp="5e-05")}, "2026-01-01")
    # The fix arrives first, with nobody to agree with: it waits.
    assert sync(db, CATALOG | {"model-1": entry(inp="2.5e-06")}, "2026-01-02").quarantined == 1
    assert current(db, "openai/model-1") == Decimal(50)
    [waiting] = held(db)
    assert waiting.status == "pending" and "moved down 20" in waiting.reason
    # OpenRouter then lists $2.50 (LiteLLM's $50 is in doubt: no reference against it)...
    router(db, "2026-01-05")
    # ...and its next run, even with nothing changed, decides the held fix again.
    router(db, "2026-01-06")
    assert current(db, "openai/model-1") == Decimal("2.5")
    [(_, event)] = events(db, "price_corrected")
    assert event.occurred_at.date() == dt.date(2026, 1, 2)       # the date it was seen
    [settled] = held(db)
    assert settled.status == "corrected" and "published: agrees" in settled.reason


def test_a_change_moving_away_from_the_other_source_waits(db):
    sync(db, CATALOG | {"model-1": entry(inp="2.5e-06")}, "2026-01-01")
    router(db, "2026-01-02")
    # LiteLLM jumps 20x away from OpenRouter's $2.50: held, with what the others say.
    assert sync(db, CATALOG | {"model-1": entry(inp="5e-05")}, "2026-01-03").quarantined == 1
    assert current(db, "openai/model-1") == Decimal("2.5")
    [waiting] = held(db)
    assert waiting.status == "pending" and waiting.new_amount == Decimal(50)
    assert "the other sources' median $2.5" in waiting.reason
    router(db, "2026-01-04")                                         # re-decided: still waits
    assert held(db)[0].status == "pending" and events(db, "price_corrected") == []


def test_a_new_value_far_from_the_other_hosts_is_held_as_an_outlier(db):
    hosts = {f"{host}/model-x": entry(inp="2e-07", litellm_provider=host)
             for host in ("together_ai", "deepinfra", "fireworks_ai")}
    sync(db, CATALOG | hosts, "2026-01-01")
    # A new host at $50 per 1M (250x the others' $0.20): held, not shown.
    odd = {"wandb/model-x": entry(inp="5e-05", litellm_provider="wandb")}
    assert sync(db, CATALOG | hosts | odd, "2026-01-02").quarantined == 1
    [waiting] = held(db)
    assert waiting.old_amount is None and waiting.reason.startswith("outlier: 250x")
    assert "3 other host(s)" in waiting.reason
    with db.session() as s:
        cid = s.scalar(select(Model.canonical_id).where(Model.id == waiting.model_id))
    assert current(db, cid) is None and current(db, cid, "output") == Decimal(10)


def test_the_rules():
    ref = Reference(Decimal("2.5"), (Decimal("2.5"), Decimal("2.5")), hosts=False)
    one = Reference(Decimal("2.5"), (Decimal("2.5"),), hosts=False)
    # towards the others and within 10x: a correction; away or no closer: not
    assert correction(Decimal(50), Decimal("2.6"), "1M_tokens", ref)
    assert correction(Decimal("2.6"), Decimal(50), "1M_tokens", ref) is None
    assert correction(Decimal(50), Decimal(30), "1M_tokens", ref) is None     # 12x still
    assert correction(Decimal(50), Decimal(20), "1M_tokens", one)             # 8x: closer
    assert correction(Decimal(50), Decimal("0.3"), "1M_tokens", None) is None
    # out of an implausible value into the bands: a correction whoever else speaks
    assert correction(Decimal(35000), Decimal("27.5"), "1k_searches", None)
    assert correction(Decimal(35000), Decimal(2000), "1k_searches", None) is None
    # outliers need at least two other sources (or hosts) to be judged
    assert outlier(Decimal(50), ref) == "outlier: 20x the other sources' median $2.5"
    assert outlier(Decimal(50), one) is None
    assert outlier(Decimal(0), ref) is None and outlier(Decimal(25), ref) is None


def test_quarantine_list_says_why_and_what_the_others_say(db, database_url):
    from tests.cli.test_cli import ratecard

    sync(db, CATALOG | {"model-1": entry(inp="2.5e-06")}, "2026-01-01")
    router(db, "2026-01-02")
    sync(db, CATALOG | {"model-1": entry(inp="5e-05")}, "2026-01-03")
    result = ratecard(database_url, "quarantine", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "litellm  openai/model-1  input/1M_tokens: 2.5 -> 50" in lines[0]
    assert lines[1].strip().startswith("why: price moved up 20.0x")
    assert lines[2].strip() == "other sources now: openrouter 2.5"

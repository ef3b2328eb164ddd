"""Plausibility on first sight: absolute bands per unit hold nonsense, new or changed."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from ratecard.models import ChangeEvent, Model, Price, QuarantinedChange
from ratecard.services import quarantine
from ratecard.services.guards import PLAUSIBLE_MAX, check_change, check_plausible
from tests.services.test_sync import CATALOG, current, entry, sync


@pytest.mark.parametrize(("unit", "amount", "held"), [
    ("1M_tokens", Decimal("600"), False),        # o1-pro output, the honest extreme
    ("1M_tokens", Decimal("999.99"), False),
    ("1M_tokens", Decimal("1000"), True),
    ("1M_tokens", Decimal("135000"), True),      # a per-1M figure in a per-token field
    ("1k_searches", Decimal("35"), False),
    ("1k_searches", Decimal("35000"), True),
    ("image", Decimal("0.6"), False),
    ("image", Decimal("12"), True),
    ("second", Decimal("0.75"), False),
    ("1M_tokens", Decimal("-1"), True),
    ("some_new_unit", Decimal("1e9"), False),    # no band known: only the change guards
])
def test_bands(unit, amount, held):
    reason = check_plausible(unit, amount)
    assert (reason is not None) == held, reason
    if held:
        assert reason.startswith("implausible")


def test_a_change_into_a_band_is_held_even_under_ten_times():
    assert check_change(Decimal(200), Decimal(1500)) is None        # 7.5x: no unit, old rule
    assert "implausible" in check_change(Decimal(200), Decimal(1500), "1M_tokens")
    assert check_change(Decimal(200), Decimal(500), "1M_tokens") is None
    assert set(PLAUSIBLE_MAX) >= {"1M_tokens", "1k_searches", "1k_requests", "image"}


def held(db, cid):
    with db.session() as s:
        return list(s.scalars(select(QuarantinedChange).join(
            Model, Model.id == QuarantinedChange.model_id).where(
            Model.canonical_id == cid).order_by(QuarantinedChange.id)))


def test_a_new_model_at_an_implausible_price_is_held_not_written(db):
    # $135,000 per 1M input tokens: LiteLLM's wandb entries put per-1M figures here.
    catalog = CATALOG | {"wandb-r1": entry(inp="0.135", out="1e-05")}
    assert sync(db, catalog, "2026-07-01").quarantined == 2
    assert current(db, "openai/wandb-r1") is None                 # not shown
    # The sane-looking output of the same entry waits with it: a slip moves every field of
    # a unit at once (watsonx/core42/jais-13b-chat: $500 input beside $2,000 output).
    assert current(db, "openai/wandb-r1", "output") is None
    changes = held(db, "openai/wandb-r1")
    assert [(c.meter, c.old_amount, c.new_amount) for c in changes] == [
        ("input", None, Decimal("135000")), ("output", None, Decimal("10"))]
    assert changes[0].reason.startswith("implausible: 135000")
    assert changes[1].reason.startswith("implausible beside input: 135000")
    assert {c.status for c in changes} == {"pending"}
    # The next run sees the same values: still two held changes, still nothing written.
    assert sync(db, catalog, "2026-07-02").quarantined == 2
    assert len(held(db, "openai/wandb-r1")) == 2
    assert current(db, "openai/wandb-r1") is None


def test_a_slip_in_another_unit_holds_only_that_unit(db):
    # gpt-4o-mini's $35,000 web search said nothing about its token prices.
    searches = {"search_context_size_low": 35.0, "search_context_size_medium": 35.0,
                "search_context_size_high": 35.0}
    sync(db, CATALOG | {"mini": entry(search_context_cost_per_query=searches)}, "2026-07-01")
    assert current(db, "openai/mini") == Decimal("2.5")
    assert current(db, "openai/mini", "output") == Decimal("10")
    assert {c.meter for c in held(db, "openai/mini")} == {"web_search"}


def test_a_fixed_slip_publishes_its_sibling(db):
    sync(db, CATALOG | {"jais": entry(inp="0.0005", out="0.002")}, "2026-07-01")
    assert current(db, "openai/jais") is None
    sync(db, CATALOG | {"jais": entry(inp="0.0005", out="2e-06")}, "2026-07-02")
    # Nothing is implausible any more: both publish, the $500 input from the date seen
    # (a person may still think it high; nothing in the data says so).
    assert current(db, "openai/jais") == Decimal("500")
    assert current(db, "openai/jais", "output") == Decimal("2")
    assert sorted((c.meter, c.status) for c in held(db, "openai/jais")) == [
        ("input", "corrected"), ("output", "expired")]


def test_an_approved_first_sight_value_publishes_at_the_date_seen(db):
    sync(db, CATALOG | {"jais": entry(inp="0.0032", out=None)}, "2026-07-01")
    sync(db, CATALOG | {"jais": entry(inp="0.0032", out=None)}, "2026-07-05")
    [change] = held(db, "openai/jais")
    with db.session() as s:
        quarantine.approve(s, [change.id])
    with db.session() as s:
        row = s.scalars(select(Price).join(Model).where(
            Model.canonical_id == "openai/jais", Price.meter == "input")).one()
        event = s.scalars(select(ChangeEvent).join(Model).where(
            Model.canonical_id == "openai/jais", ChangeEvent.subject == "input/1M_tokens")).one()
    assert row.amount == Decimal("3200") and row.valid_to is None
    assert row.valid_from == dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    assert (event.kind, event.old_value, event.new_value) == ("price_added", None, "3200")
    assert event.occurred_at == dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


def test_a_held_first_sight_value_fixed_upstream_publishes_and_expires(db):
    sync(db, CATALOG | {"mini": entry(inp="0.0032", out=None)}, "2026-07-01")
    sync(db, CATALOG | {"mini": entry(inp="3e-06", out=None)}, "2026-07-02")
    assert current(db, "openai/mini") == Decimal("3")
    assert [c.status for c in held(db, "openai/mini")] == ["expired"]


def test_a_new_meter_of_a_known_model_passes_the_bands(db):
    sync(db, CATALOG, "2026-07-01")
    # web search at $35,000 per 1k searches arriving on a known model
    with_search = CATALOG | {"gpt-4o": entry(search_context_cost_per_query={
        "search_context_size_low": 35.0, "search_context_size_medium": 35.0,
        "search_context_size_high": 35.0})}
    summary = sync(db, with_search, "2026-07-02")
    assert summary.quarantined >= 1
    assert current(db, "openai/gpt-4o", "web_search") is None
    assert all(c.meter == "web_search" and c.reason.startswith("implausible")
               for c in held(db, "openai/gpt-4o"))


def test_a_change_into_an_implausible_band_is_held(db):
    sync(db, CATALOG | {"big": entry(inp="0.0002")}, "2026-07-01")          # $200 per 1M
    summary = sync(db, CATALOG | {"big": entry(inp="0.0015")}, "2026-07-02")  # $1,500: 7.5x
    assert summary.quarantined == 1
    assert current(db, "openai/big") == Decimal("200")
    [change] = held(db, "openai/big")
    assert change.old_amount == Decimal("200") and change.reason.startswith("implausible")

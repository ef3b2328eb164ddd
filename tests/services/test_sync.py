"""The sync service against a real database: diffing, guards, events, quarantine."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ratecard.models import (
    Capability,
    ChangeEvent,
    Disagreement,
    Model,
    Price,
    QuarantinedChange,
    SyncRun,
)
from ratecard.services import quarantine
from ratecard.services.sync import SyncRefused, run_sync
from scrapers import litellm, openrouter


def entry(inp: str | float | None = "2.5e-06", out: str | float | None = "1e-05", **extra):
    data = {"litellm_provider": "openai", "mode": "chat", "max_input_tokens": 128000}
    if inp is not None:
        data["input_cost_per_token"] = inp
    if out is not None:
        data["output_cost_per_token"] = out
    data.update(extra)
    return data


def payload(entries: dict) -> bytes:
    # Numbers are written as JSON numbers, exactly as LiteLLM publishes them.
    text = json.dumps(entries)
    for value in ("2.5e-06", "1e-05", "5e-06", "2.5e-05", "3e-06", "1.5e-05", "2.6e-06",
                  "2.5e-07", "0.0"):
        text = text.replace(f'"{value}"', value)
    return text.encode()


CATALOG = {f"model-{i}": entry() for i in range(10)} | {"gpt-4o": entry()}


def sync(db, entries, day, source=litellm.SOURCE):
    return run_sync(db, source, payload=payload(entries), as_of=dt.date.fromisoformat(day))


def count(db, what, *where):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(what).where(*where))


def current(db, cid, meter="input"):
    with db.session() as s:
        return s.scalar(select(Price.amount).join(Model).where(
            Model.canonical_id == cid, Price.meter == meter, Price.valid_to.is_(None),
            Price.conditions_key == ""))


def test_first_sync_then_noop_writes_no_rows(db):
    first = sync(db, CATALOG, "2026-01-01")
    assert first.ok and first.added == 11 and first.price_rows == 22
    assert current(db, "openai/gpt-4o") == Decimal("2.5")
    rows = count(db, Price)
    again = sync(db, CATALOG, "2026-01-02")
    assert again.ok and again.price_rows == 0 and again.unchanged == 11 and again.changed == 0
    assert count(db, Price) == rows
    assert count(db, ChangeEvent, ChangeEvent.kind != "model_added") == 0


def test_price_change_closes_old_row_and_records_event(db):
    sync(db, CATALOG, "2026-01-01")
    changed = dict(CATALOG, **{"gpt-4o": entry(inp="3e-06")})
    summary = sync(db, changed, "2026-02-01")
    assert summary.changed == 1 and summary.price_rows == 1
    with db.session() as s:
        rows = s.scalars(select(Price).join(Model).where(
            Model.canonical_id == "openai/gpt-4o", Price.meter == "input").order_by(
            Price.valid_from)).all()
        assert [(r.amount, r.valid_to) for r in rows] == [
            (Decimal("2.5"), dt.datetime(2026, 2, 1, tzinfo=dt.UTC)), (Decimal("3"), None)]
        event = s.scalars(select(ChangeEvent).where(ChangeEvent.kind == "price_changed")).one()
        assert (event.old_value, event.new_value, event.subject) == ("2.5", "3", "input/1M_tokens")
        assert event.occurred_at == dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


def test_hundredfold_jump_is_held_and_rest_published(db):
    sync(db, CATALOG, "2026-01-01")
    jumped = dict(CATALOG, **{"gpt-4o": entry(inp="2.5e-04"), "model-1": entry(inp="3e-06")})
    jumped["gpt-4o"]["input_cost_per_token"] = 0.00025
    text = json.dumps(jumped).encode()
    summary = run_sync(db, litellm.SOURCE, payload=text, as_of=dt.date(2026, 2, 1))
    assert summary.ok and summary.quarantined == 1
    assert current(db, "openai/gpt-4o") == Decimal("2.5")          # held back
    assert current(db, "openai/model-1") == Decimal("3")           # published
    with db.session() as s:
        held = s.scalars(select(QuarantinedChange)).one()
        assert "100.0x" in held.reason and held.status == "pending"
    # Seen again on the next run: still one held change, not two.
    run_sync(db, litellm.SOURCE, payload=text, as_of=dt.date(2026, 2, 2))
    assert count(db, QuarantinedChange) == 1
    with db.session() as s:
        quarantine.approve(s, [held.id])
    assert current(db, "openai/gpt-4o") == Decimal("250")
    with db.session() as s:
        row = s.scalars(select(Price).join(Model).where(
            Model.canonical_id == "openai/gpt-4o", Price.meter == "input",
            Price.valid_to.is_(None))).one()
        assert row.valid_from == dt.datetime(2026, 2, 1, tzinfo=dt.UTC)  # when it was seen


def test_drop_to_zero_is_held_then_rejected(db):
    sync(db, CATALOG, "2026-01-01")
    summary = sync(db, dict(CATALOG, **{"gpt-4o": entry(inp="0.0")}), "2026-02-01")
    assert summary.quarantined == 1
    with db.session() as s:
        held = s.scalars(select(QuarantinedChange)).one()
        assert "zero" in held.reason
        quarantine.reject(s, None)
    assert current(db, "openai/gpt-4o") == Decimal("2.5")
    with db.session() as s:
        with pytest.raises(quarantine.QuarantineError):
            quarantine.approve(s, [held.id])


def test_mass_vanish_is_held_and_writes_nothing(db):
    sync(db, CATALOG, "2026-01-01")
    rows, events = count(db, Price), count(db, ChangeEvent)
    summary = sync(db, {"gpt-4o": entry(), "model-1": entry()}, "2026-02-01")
    assert summary.status == "held" and "would vanish" in summary.error
    assert (count(db, Price), count(db, ChangeEvent)) == (rows, events)
    assert count(db, Price, Price.valid_to.is_(None)) == 22


def test_small_vanish_closes_rows_and_return_reopens(db):
    sync(db, CATALOG, "2026-01-01")
    fewer = {k: v for k, v in CATALOG.items() if k != "model-3"}
    assert sync(db, fewer, "2026-02-01").vanished == 1
    assert current(db, "openai/model-3") is None
    sync(db, CATALOG, "2026-03-01")
    assert current(db, "openai/model-3") == Decimal("2.5")
    with db.session() as s:
        kinds = s.scalars(select(ChangeEvent.kind).join(Model).where(
            Model.canonical_id == "openai/model-3").order_by(ChangeEvent.id)).all()
    assert kinds == ["model_added", "model_vanished", "model_returned"]


@pytest.mark.parametrize("body, reason", [
    (b'{"gpt-4o": {"litellm_provider": "openai", "input_cost', "could not be parsed"),
    (b"{}", "empty payload"),
    (b"[1, 2]", "could not be parsed"),
])
def test_broken_payload_fails_and_keeps_data(db, body, reason):
    sync(db, CATALOG, "2026-01-01")
    rows = count(db, Price)
    summary = run_sync(db, litellm.SOURCE, payload=body, as_of=dt.date(2026, 2, 1))
    assert summary.status == "failed" and reason in summary.error
    assert count(db, Price) == rows and count(db, Price, Price.valid_to.is_(None)) == 22
    with db.session() as s:
        run = s.get(SyncRun, summary.run_id)
        assert run.status == "failed" and run.payload_sha256    # the raw payload is kept


def test_garbage_entries_are_skipped_never_zero(db):
    garbage = dict(CATALOG)
    garbage["bad-null"] = entry(inp=None, out=None)
    garbage["bad-text"] = entry(inp="abc")
    garbage["bad-negative"] = entry(inp="-1")
    garbage["bad-nan"] = entry(inp="NaN")
    garbage["not-an-object"] = [1, 2, 3]
    summary = sync(db, garbage, "2026-01-01")
    assert summary.ok and summary.rejected >= 4
    for key in ("bad-text", "bad-negative", "bad-nan", "bad-null"):
        assert current(db, f"openai/{key}") is None     # unknown, not $0
    assert count(db, Price, Price.amount == Decimal(0)) == 0


def test_replays_must_go_forward(db):
    sync(db, CATALOG, "2026-02-01")
    with pytest.raises(SyncRefused, match="before the last successful run"):
        sync(db, CATALOG, "2026-01-01")


def test_capability_added_is_an_event(db):
    sync(db, CATALOG, "2026-01-01")
    sync(db, dict(CATALOG, **{"gpt-4o": entry(supports_vision=True)}), "2026-02-01")
    with db.session() as s:
        event = s.scalars(select(ChangeEvent).where(
            ChangeEvent.kind == "capability_added")).one()
        assert event.subject == "vision"
        assert s.scalar(select(Capability.value).where(Capability.name == "vision"))


def test_sources_disagreeing_are_recorded(db):
    sync(db, CATALOG, "2026-01-01")
    listing = {"data": [{
        "id": "openai/gpt-4o", "name": "OpenAI: GPT-4o", "created": 1715558400,
        "context_length": 128000, "architecture": {"input_modalities": ["text"],
                                                   "output_modalities": ["text"]},
        "pricing": {"prompt": "0.0000026", "completion": "0.00001"},
    }]}
    summary = run_sync(db, openrouter.SOURCE, payload=json.dumps(listing).encode(),
                       as_of=dt.date(2026, 1, 1))
    assert summary.ok
    with db.session() as s:
        found = s.scalars(select(Disagreement)).one()
        assert (found.meter, found.low, found.high) == ("input", Decimal("2.5"), Decimal("2.6"))
        assert found.amounts == {"litellm": "2.5", "openrouter": "2.6"}


def test_operator_can_publish_a_checked_mass_vanish(db):
    sync(db, CATALOG, "2026-01-01")
    held = sync(db, {"gpt-4o": entry(), "model-1": entry()}, "2026-02-01")
    assert held.status == "held" and "--allow-vanish" in held.error
    forced = run_sync(db, litellm.SOURCE, payload=payload({"gpt-4o": entry(), "model-1": entry()}),
                      as_of=dt.date(2026, 2, 2), allow_vanish=True)
    assert forced.ok and forced.vanished == 9
    assert current(db, "openai/model-5") is None and current(db, "openai/gpt-4o") == Decimal("2.5")

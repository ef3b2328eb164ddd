"""A change of nothing ("from $0.50 to $0.50") is never recorded, and one an older version
recorded is never shown (the change log, its count, the home page, feeds, the API)."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy import func, select

from ratecard import create_app
from ratecard.models import ChangeEvent, Model, Price
from ratecard.queries import changes
from ratecard.services.sync import run_sync
from scrapers import genai_prices

# genai-prices' own shape (its o3 entry): a base price set, then a dated one that cuts
# input and output and repeats cache reads and web searches unchanged.
PAYLOAD = [{
    "id": "openai", "name": "OpenAI", "api_pattern": "https://api\\.openai\\.com",
    "models": [{
        "id": "o3", "name": "o3", "match": {"equals": "o3"},
        "prices": [
            {"prices": {"input_mtok": 10, "cache_read_mtok": 0.5, "output_mtok": 40,
                        "web_searches_kcount": 10}},
            {"constraint": {"start_date": "2025-06-10"},
             "prices": {"input_mtok": 2, "cache_read_mtok": 0.5, "output_mtok": 8,
                        "web_searches_kcount": 10}},
        ],
    }, {
        "id": "gpt-4o", "name": "gpt 4o", "match": {"equals": "gpt-4o"},
        "prices": {"input_mtok": 2.5, "output_mtok": 10},
    }],
}]


def _sync(db, payload, day):  # type: ignore[no-untyped-def]
    summary = run_sync(db, genai_prices.SOURCE, payload=json.dumps(payload).encode(),
                       as_of=dt.date.fromisoformat(day))
    assert summary.ok, summary.line()
    return summary


def test_a_dated_price_set_repeating_a_meter_records_no_change_of_it(db):
    _sync(db, [dict(PAYLOAD[0], models=PAYLOAD[0]["models"][1:])], "2026-01-01")
    _sync(db, PAYLOAD, "2026-02-01")      # o3 is new to a source already loaded
    with db.session() as s:
        events = s.execute(select(ChangeEvent.kind, ChangeEvent.subject, ChangeEvent.old_value,
                                  ChangeEvent.new_value).join(Model).where(
            Model.canonical_id == "openai/o3")).all()
        cache_rows = s.scalars(select(Price).join(Model).where(
            Model.canonical_id == "openai/o3", Price.meter == "cache_read")).all()
    assert all(old != new for kind, _subject, old, new in events if kind.startswith("price_"))
    assert {(k, sub) for k, sub, _o, _n in events if k.startswith("price_")} == {
        ("price_changed", "input/1M_tokens"), ("price_changed", "output/1M_tokens")}
    moved = {subject for kind, subject, _o, _n in events if kind == "price_changed"}
    assert "cache_read/1M_tokens" not in moved and "web_search/1k_searches" not in moved
    # the unchanged meter is one row over its whole history, not two of the same amount
    assert [(r.amount, r.valid_to) for r in cache_rows] == [(Decimal("0.5"), None)]


def test_changes_of_nothing_recorded_before_are_not_shown(db, database_url):
    _sync(db, PAYLOAD, "2026-01-01")
    when = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with db.session() as s:
        model = s.scalar(select(Model).where(Model.canonical_id == "openai/o3"))
        s.add_all([
            ChangeEvent(model_id=model.id, source="genai_prices", kind="price_changed",
                        subject="web_search/1k_searches", old_value="14", new_value="14",
                        occurred_at=when),
            ChangeEvent(model_id=model.id, source="genai_prices", kind="price_changed",
                        subject="input/1M_tokens", old_value="2", new_value="3",
                        occurred_at=when)])
    with db.session() as s:
        stored = s.scalar(select(func.count()).select_from(ChangeEvent).where(
            ChangeEvent.kind == "price_changed"))
        shown = changes.events(s, changes.ChangeFilters(kind="price_changed"))
        latest = changes.latest(s, limit=50)
    assert stored == shown.total + 1          # the change of nothing is stored, not shown
    assert ("14", "14") not in {(e.old_value, e.new_value) for e, _m in shown.rows}
    assert ("2", "3") in {(e.old_value, e.new_value) for e, _m in shown.rows}
    assert all(not (e.old_value == e.new_value and e.kind == "price_changed")
               for e, _m in latest)
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "RATECARD_OFFLINE": True})
    try:
        client = app.test_client()
        for path in ("/changes", "/", "/feeds/changes.atom"):
            body = client.get(path).get_data(as_text=True)
            assert "from $14.00 to $14.00" not in body, path
            assert "from $2.00 to $3.00" in body, path
        api = client.get("/api/v1/changes?kind=price_changed").get_json()["changes"]
        pairs = [(c["old_value"], c["new_value"]) for c in api]
        assert ("2", "3") in pairs and ("14", "14") not in pairs
    finally:
        app.extensions["ratecard.db"].dispose()

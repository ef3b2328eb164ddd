"""The first JSON API: a model with current prices, and every price row of every source."""
from __future__ import annotations

import datetime as dt
import json

from ratecard.services.sync import run_sync
from scrapers import litellm

PAYLOAD = json.dumps({
    "gpt-4o": {"litellm_provider": "openai", "mode": "chat", "max_input_tokens": 128000,
               "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05,
               "input_cost_per_token_batches": 1.25e-06, "supports_vision": True},
    "low/1024-x-1024/gpt-image-1": {"litellm_provider": "openai", "mode": "image_generation",
                                    "input_cost_per_image": 0.011},
    "claude-sonnet-4-5": {"litellm_provider": "anthropic", "mode": "chat",
                          "input_cost_per_token": 3e-06,
                          "input_cost_per_token_above_200k_tokens": 6e-06},
}).encode()


def load(db, day="2026-01-01", payload=PAYLOAD):
    assert run_sync(db, litellm.SOURCE, payload=payload,
                    as_of=dt.date.fromisoformat(day)).ok


def test_model_detail_has_current_prices_with_sources(db, client):
    load(db)
    response = client.get("/api/v1/models/openai/gpt-4o")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == "openai/gpt-4o" and body["mode"] == "chat"
    prices = {(p["meter"], json.dumps(p["conditions"], sort_keys=True)): p
              for p in body["prices"]}
    base = prices[("input", "{}")]
    assert base["amount"] == "2.5" and base["unit"] == "1M_tokens"
    assert base["source"] == "litellm" and base["shown"] is True
    assert prices[("input", '{"service_tier": "batch"}')]["amount"] == "1.25"
    assert {"name": "vision", "value": True, "source": "litellm",
            "since": "2026-01-01T00:00:00Z"} in body["capabilities"]


def test_prices_history_uses_the_shared_vocabulary(db, client):
    load(db)
    changed = PAYLOAD.replace(b"2.5e-06", b"2e-06")
    load(db, "2026-03-01", changed)
    body = client.get("/api/v1/models/openai/gpt-4o/prices").get_json()
    assert body["model"] == "openai/gpt-4o"
    inputs = [p for p in body["prices"] if p["meter"] == "input" and not p["conditions"]]
    assert [(p["amount"], p["valid_from"], p["valid_to"]) for p in inputs] == [
        ("2.5", "2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z"),
        ("2", "2026-03-01T00:00:00Z", None),
    ]
    for price in body["prices"]:
        assert set(price) == {"meter", "unit", "amount", "currency", "conditions", "source",
                              "valid_from", "valid_to"}
        assert isinstance(price["amount"], str) and price["currency"] == "USD"


def test_image_and_context_tier_conditions(db, client):
    load(db)
    image = client.get("/api/v1/models/openai/gpt-image-1/prices").get_json()["prices"]
    assert [(p["meter"], p["unit"], p["amount"], p["conditions"]) for p in image] == [
        ("image", "image", "0.011", {"quality": "low", "size": "1024x1024"})]
    claude = client.get("/api/v1/models/anthropic/claude-sonnet-4-5/prices").get_json()
    tiers = {json.dumps(p["conditions"]): p["amount"] for p in claude["prices"]}
    assert tiers == {"{}": "3", '{"context_above": 200000}': "6"}


def test_unknown_model_is_a_problem_document(db, client):
    response = client.get("/api/v1/models/openai/no-such-model")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404 and "openai/no-such-model" in body["detail"]
    assert client.get("/api/v1/models/openai/no-such-model/prices").status_code == 404
    assert client.get("/api/v1/nothing").get_json()["status"] == 404


def test_model_ids_with_a_slash_in_the_model_part(db, client):
    # (LiteLLM's openrouter/openai/gpt-4o is no such id any more: a reseller's copy is an
    # alias of openai/gpt-4o, docs/sources.md.)
    wanted = "vertex_ai/meta/llama-3.1-405b-instruct-maas"
    payload = json.dumps({wanted: {
        "litellm_provider": "vertex_ai-llama_models", "mode": "chat",
        "input_cost_per_token": 5e-06, "output_cost_per_token": 1.6e-05}}).encode()
    load(db, payload=payload)
    detail = client.get(f"/api/v1/models/{wanted}")
    assert detail.status_code == 200 and detail.get_json()["id"] == wanted
    prices = client.get(f"/api/v1/models/{wanted}/prices").get_json()
    assert prices["model"] == wanted and len(prices["prices"]) == 2

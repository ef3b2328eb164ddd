"""/api/v1/cost against figures worked out by hand (Decimal, per 1M tokens): cache reads and
writes, the batch tier, a context tier, reasoning tokens, images, a past instant's prices,
and the comparison (POST)."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from ratecard.services.sync import run_sync
from scrapers import litellm

CLAUDE = {
    "litellm_provider": "anthropic", "mode": "chat", "max_input_tokens": 1000000,
    "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
    "cache_read_input_token_cost": 3e-07, "cache_creation_input_token_cost": 3.75e-06,
    "input_cost_per_token_above_200k_tokens": 6e-06,
    "output_cost_per_token_above_200k_tokens": 2.25e-05,
    "cache_read_input_token_cost_above_200k_tokens": 6e-07,
    "input_cost_per_token_batches": 1.5e-06, "output_cost_per_token_batches": 7.5e-06,
}
PAYLOAD = {
    "claude-sonnet-4-5": CLAUDE,
    "gpt-image-1": {"litellm_provider": "openai", "mode": "image_generation"},
    "low/1024-x-1024/gpt-image-1": {"litellm_provider": "openai", "mode": "image_generation",
                                    "input_cost_per_image": 0.011},
    "high/1024-x-1536/gpt-image-1": {"litellm_provider": "openai",
                                     "mode": "image_generation",
                                     "input_cost_per_image": 0.25},
}
URL = "/api/v1/cost?model=anthropic/claude-sonnet-4-5&"


@pytest.fixture
def priced(db):
    assert run_sync(db, litellm.SOURCE, payload=json.dumps(PAYLOAD).encode(),
                    as_of=dt.date(2026, 1, 1)).ok
    dearer = json.loads(json.dumps(PAYLOAD))
    dearer["claude-sonnet-4-5"]["input_cost_per_token"] = 4e-06
    assert run_sync(db, litellm.SOURCE, payload=json.dumps(dearer).encode(),
                    as_of=dt.date(2026, 3, 1)).ok
    return db


def lines(body: dict) -> dict[str, tuple[str, str, str]]:
    return {line["meter"]: (line["quantity"], line["rate"], line["amount"])
            for line in body["lines"]}


def test_cache_reads_and_writes_at_a_past_instant(priced, client):
    # 100 requests of 15k prompt tokens: under the 200k tier. February's input rate: $3.
    body = client.get(URL + "input_tokens=1000000&cache_read_tokens=500000"
                      "&cache_write_5m_tokens=100000&output_tokens=200000&requests=100"
                      "&at=2026-02-15").get_json()
    assert lines(body) == {
        "input": (1000000, "3", "3"),                    # 1,000,000 x $3 / 1M
        "cache_read": (500000, "0.3", "0.15"),           # 500,000 x $0.30 / 1M
        "cache_write_5m": (100000, "3.75", "0.375"),     # 100,000 x $3.75 / 1M
        "output": (200000, "15", "3"),                   # 200,000 x $15 / 1M
    }
    assert Decimal(body["total"]) == Decimal("6.525")
    assert body["at"] == "2026-02-15T00:00:00Z" and body["service_tier"] == "standard"
    assert {line["source"] for line in body["lines"]} == {"litellm"}
    # today's input rate is $4: the same workload now
    now = client.get(URL + "input_tokens=1000000&cache_read_tokens=500000"
                     "&cache_write_5m_tokens=100000&output_tokens=200000&requests=100"
                     ).get_json()
    assert lines(now)["input"] == (1000000, "4", "4")
    assert Decimal(now["total"]) == Decimal("7.525")


def test_a_context_tier_bills_every_token_meter_of_the_request(priced, client):
    # one request of 250k + 100k cached = 350k prompt tokens: above 200k
    body = client.get(URL + "input_tokens=250000&cache_read_tokens=100000"
                      "&output_tokens=10000&at=2026-02-01").get_json()
    assert lines(body) == {
        "input": (250000, "6", "1.5"),
        "cache_read": (100000, "0.6", "0.06"),
        "output": (10000, "22.5", "0.225"),
    }
    assert body["total"] == "1.785"
    conditions = {line["meter"]: line["conditions"] for line in body["lines"]}
    assert conditions["input"] == {"context_above": 200000}
    # the same tokens over two requests: 175k each, the base rates
    split = client.get(URL + "input_tokens=250000&cache_read_tokens=100000"
                       "&output_tokens=10000&requests=2&at=2026-02-01").get_json()
    assert lines(split)["input"] == (250000, "3", "0.75")
    assert split["total"] == "0.93"                      # 0.75 + 0.03 + 0.15


def test_batch_tier_and_its_fallback(priced, client):
    body = client.get(URL + "input_tokens=2000000&output_tokens=1000000&cache_read_tokens=100000"
                      "&requests=1000&service_tier=batch&at=2026-02-01").get_json()
    assert lines(body) == {
        "input": (2000000, "1.5", "3"),
        "cache_read": (100000, "0.3", "0.03"),           # no batch cache price: standard
        "output": (1000000, "7.5", "7.5"),
    }
    assert body["total"] == "10.53" and body["service_tier"] == "batch"
    assert any("cache_read" in note and "standard rate" in note for note in body["notes"])


def test_reasoning_at_the_output_rate_and_images(priced, client):
    body = client.get(URL + "reasoning_tokens=1000000&at=2026-02-01").get_json()
    assert lines(body) == {"reasoning": (1000000, "15", "15")}
    assert any("reasoning" in note for note in body["notes"])
    image = client.get("/api/v1/cost?model=openai/gpt-image-1&image=4:high:1024x1536"
                       "&image=10:low:1024x1024").get_json()
    assert [(x["quantity"], x["rate"], x["amount"]) for x in image["lines"]] == [
        (4, "0.25", "1"), (10, "0.011", "0.11")]
    assert Decimal(image["total"]) == Decimal("1.11")
    unpriced = client.get("/api/v1/cost?model=openai/gpt-image-1&image=1:ultra:9x9").get_json()
    assert unpriced["total"] is None and unpriced["missing"] == ["image"]


def test_compare_workloads_across_models(priced, client):
    response = client.post("/api/v1/cost", json={
        "models": ["anthropic/claude-sonnet-4-5", "openai/gpt-image-1"],
        "workloads": [{"input_tokens": 1000000, "requests": 10},
                      {"images": [{"count": 2, "quality": "low", "size": "1024x1024"}]}],
        "at": "2026-02-01"})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [(r["model"], r["workload"], r["total"]) for r in results] == [
        ("anthropic/claude-sonnet-4-5", 0, "3"),
        ("anthropic/claude-sonnet-4-5", 1, None),        # Claude has no per-image price
        ("openai/gpt-image-1", 0, None),                 # nor the image model an input one
        ("openai/gpt-image-1", 1, "0.022"),
    ]


@pytest.mark.parametrize("body,parameter", [
    ({"workloads": [{}]}, "models"),
    ({"models": ["anthropic/claude-sonnet-4-5"], "workloads": [{"input_tokens": 1.5}]},
     "workloads[0].input_tokens"),
    ({"models": ["anthropic/claude-sonnet-4-5"], "workloads": [{}, {"output_tokens": -1}]},
     "workloads[1].output_tokens"),
    ({"models": ["anthropic/claude-sonnet-4-5"], "workloads": [{"tokens": 1}]},
     "workloads[0].tokens"),
    ({"models": ["nobody/nothing"], "workloads": [{}]}, "models[0]"),
    ({"models": ["anthropic/claude-sonnet-4-5"], "workloads": [{}], "at": "soon"}, "at"),
    ({"models": ["anthropic/claude-sonnet-4-5"], "workloads": [{}], "service_tier": "vip"},
     "service_tier"),
    ({"models": ["anthropic/claude-sonnet-4-5"], "workloads": [{"input_tokens": True}]},
     "workloads[0].input_tokens"),
    ([1, 2], "body"),
])
def test_bad_comparison_bodies_name_the_field(priced, client, body, parameter):
    response = client.post("/api/v1/cost", json=body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["parameter"] == parameter


def test_bad_cost_queries_name_the_parameter(priced, client):
    for query, parameter in (("", "model"), ("model=x/y", "model"),
                             ("model=openai/gpt-image-1&image=two", "image"),
                             ("model=openai/gpt-image-1&input_tokens=1e6", "input_tokens"),
                             ("model=openai/gpt-image-1&service_tier=turbo", "service_tier")):
        response = client.get("/api/v1/cost?" + query)
        assert response.status_code == 400 and response.get_json()["parameter"] == parameter
    garbage = client.post("/api/v1/cost", data=b"{not json", content_type="application/json")
    assert garbage.status_code == 400 and garbage.get_json()["parameter"] == "body"

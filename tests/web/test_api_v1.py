"""The /api/v1 operations on a small real catalog: listing with cursors, prices and
capabilities at an instant, providers, the change log, ETag/304, CORS and the rate limit."""
from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from ratecard import create_app
from ratecard.services.sync import run_sync
from scrapers import litellm

BASE = {
    "gpt-4o": {"litellm_provider": "openai", "mode": "chat", "max_input_tokens": 128000,
               "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05,
               "supports_vision": True},
    "gpt-4o-mini": {"litellm_provider": "openai", "mode": "chat", "max_input_tokens": 128000,
                    "input_cost_per_token": 1.5e-07, "output_cost_per_token": 6e-07},
    "text-embedding-3-small": {"litellm_provider": "openai", "mode": "embedding",
                               "input_cost_per_token": 2e-08},
    "claude-sonnet-4-5": {"litellm_provider": "anthropic", "mode": "chat",
                          "max_input_tokens": 1000000,
                          "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
                          "supports_function_calling": True},
}


def sync(db, day: str, payload: dict) -> None:
    assert run_sync(db, litellm.SOURCE, payload=json.dumps(payload).encode(),
                    as_of=dt.date.fromisoformat(day)).ok


@pytest.fixture
def history(db):
    """Three dated snapshots: gpt-4o's input price cut on 03-01, vision dropped on 04-01."""
    sync(db, "2026-01-01", BASE)
    cut = json.loads(json.dumps(BASE))
    cut["gpt-4o"]["input_cost_per_token"] = 2e-06
    sync(db, "2026-03-01", cut)
    cut["gpt-4o"]["supports_vision"] = False
    sync(db, "2026-04-01", cut)
    return db


def _inputs(body: dict) -> list[tuple[str, bool]]:
    return [(p["amount"], p["shown"]) for p in body["prices"]
            if p["meter"] == "input" and not p["conditions"]]


def test_prices_at_an_instant_are_the_rows_in_force(history, client):
    url = "/api/v1/models/openai/gpt-4o/prices"
    assert _inputs(client.get(url + "?at=2026-02-28T23:59:59Z").get_json()) == [("2.5", True)]
    # valid_from is inclusive, valid_to exclusive: at the instant of the change, the new one
    assert _inputs(client.get(url + "?at=2026-03-01").get_json()) == [("2", True)]
    assert _inputs(client.get(url + "?at=2026-03-01T01:00:00%2B02:00").get_json()) == [
        ("2.5", True)]                                       # 2026-02-28T23:00Z
    # the same with "+" left unencoded (a query string reads it as a space)
    assert _inputs(client.get(url + "?at=2026-03-01T01:00:00+02:00").get_json()) == [
        ("2.5", True)]
    assert client.get(url + "?at=2025-12-31").get_json()["prices"] == []
    body = client.get(url + "?at=2026-02-01&meter=output&source=litellm").get_json()
    assert body["at"] == "2026-02-01T00:00:00Z"
    assert [(p["meter"], p["amount"]) for p in body["prices"]] == [("output", "10")]
    assert client.get(url + "?source=nobody").get_json()["prices"] == []
    detail = client.get("/api/v1/models/openai/gpt-4o?at=2026-02-01").get_json()
    assert _inputs(detail) == [("2.5", True)] and detail["at"] == "2026-02-01T00:00:00Z"
    assert _inputs(client.get("/api/v1/models/openai/gpt-4o").get_json()) == [("2", True)]


def test_capabilities_at_an_instant(history, client):
    url = "/api/v1/models/openai/gpt-4o/capabilities"
    before = client.get(url + "?at=2026-03-15").get_json()["capabilities"]
    assert [(c["name"], c["value"], c["shown"]) for c in before] == [("vision", True, True)]
    assert before[0]["until"] == "2026-04-01T00:00:00Z"
    now = client.get(url).get_json()
    assert now["at"] is None
    assert [(c["name"], c["value"], c["until"]) for c in now["capabilities"]] == [
        ("vision", False, None)]


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "2026-02-30T00:00:00Z",
                                 "99999-01-01", "2026-01-01T25:00", "２０２６-01-01"])
def test_a_bad_instant_is_a_problem_naming_at(history, client, bad):
    for url in ("/api/v1/models/openai/gpt-4o/prices", "/api/v1/models/openai/gpt-4o",
                "/api/v1/models/openai/gpt-4o/capabilities", "/api/v1/cost"):
        response = client.get(url, query_string={"at": bad, **(
            {"model": "openai/gpt-4o"} if url.endswith("cost") else {})})
        assert response.status_code == 400, (url, bad)
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["parameter"] == "at"


def test_listing_filters_sort_fields_and_cursor(history, client):
    body = client.get("/api/v1/models?provider=openai&sort=input").get_json()
    assert [m["id"] for m in body["models"]] == [
        "openai/text-embedding-3-small", "openai/gpt-4o-mini", "openai/gpt-4o"]
    assert body["total"] == 3 and body["next"] is None
    row = body["models"][2]
    assert row["input_price"] == "2" and row["output_price"] == "10"
    assert row["links"]["prices"] == "/api/v1/models/openai/gpt-4o/prices"
    thin = client.get("/api/v1/models?fields=id,input_price&mode=chat&q=mini").get_json()
    assert thin["models"] == [{"id": "openai/gpt-4o-mini", "input_price": "0.15"}]
    chat = client.get("/api/v1/models?capability=function_calling").get_json()
    assert [m["id"] for m in chat["models"]] == ["anthropic/claude-sonnet-4-5"]
    cheap = client.get("/api/v1/models?max_input_price=0.15&sort=name").get_json()
    assert {m["id"] for m in cheap["models"]} == {"openai/gpt-4o-mini",
                                                  "openai/text-embedding-3-small"}
    # Walk every page two at a time: each model once, in order; Link matches `next`
    seen, url = [], "/api/v1/models?limit=2&sort=name"
    while url:
        response = client.get(url)
        page = response.get_json()
        seen += [m["id"] for m in page["models"]]
        link = response.headers.get("Link")
        if page["next"] is None:
            assert link is None
            url = None
        else:
            target = link.split(">")[0].lstrip("<")
            assert parse_qs(urlsplit(target).query)["cursor"] == [page["next"]]
            url = "/api/v1/models?limit=2&sort=name&cursor=" + page["next"]
    everything = client.get("/api/v1/models?sort=name").get_json()
    assert seen == [m["id"] for m in everything["models"]] and len(seen) == 4


@pytest.mark.parametrize("query,parameter", [
    ("provider=nobody", "provider"), ("sort=price", "sort"), ("limit=0", "limit"),
    ("limit=201", "limit"), ("fields=id,secret", "fields"), ("cursor=abc", "cursor"),
    ("min_context=-1", "min_context"), ("max_input_price=cheap", "max_input_price"),
    ("capability=telepathy", "capability"), ("provder=openai", "provder"),
])
def test_listing_bad_parameters_are_named(history, client, query, parameter):
    response = client.get("/api/v1/models?" + query)
    assert response.status_code == 400
    assert response.get_json()["parameter"] == parameter


def test_a_cursor_is_only_good_for_its_own_query(history, client):
    first = client.get("/api/v1/models?limit=1").get_json()
    other = client.get("/api/v1/models?limit=1&provider=openai&cursor=" + first["next"])
    assert other.status_code == 400 and other.get_json()["parameter"] == "cursor"


def test_providers(history, client):
    body = client.get("/api/v1/providers").get_json()
    slugs = [p["slug"] for p in body["providers"]]
    assert slugs == ["anthropic", "openai"] and body["total"] == 2
    openai = body["providers"][1]
    assert openai["models"] == 3
    assert openai["input_price"] == {"low": "0.02", "high": "2", "priced_models": 3}
    detail = client.get("/api/v1/providers/openai").get_json()
    assert detail["output_price"]["high"] == "10" and detail["deprecated_models"] == 0
    assert client.get(detail["links"]["models"]).get_json()["total"] == 3
    missing = client.get("/api/v1/providers/nobody")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_change_log_filters_and_cursor(history, client):
    body = client.get("/api/v1/changes?model=openai/gpt-4o&kind=price_changed").get_json()
    assert [(c["subject"], c["old_value"], c["new_value"], c["occurred_at"])
            for c in body["changes"]] == [
        ("input/1M_tokens", "2.5", "2", "2026-03-01T00:00:00Z")]
    everything = client.get("/api/v1/changes?limit=200").get_json()["changes"]
    walked, url = [], "/api/v1/changes?limit=3"
    while url:
        page = client.get(url).get_json()
        walked += [c["id"] for c in page["changes"]]
        url = page["next"] and "/api/v1/changes?limit=3&cursor=" + page["next"]
    assert walked == [c["id"] for c in everything] and len(walked) > 3
    stamps = [c["occurred_at"] for c in everything]
    assert stamps == sorted(stamps, reverse=True)
    window = client.get("/api/v1/changes?from=2026-03-01&to=2026-03-31").get_json()
    assert {c["occurred_at"][:10] for c in window["changes"]} == {"2026-03-01"}
    assert client.get("/api/v1/changes?provider=anthropic&from=2026-02-01").get_json()[
        "changes"] == []
    bad = client.get("/api/v1/changes?model=openai/nothing")
    assert bad.status_code == 400 and bad.get_json()["parameter"] == "model"
    assert client.get("/api/v1/changes?kind=price_up").get_json()["parameter"] == "kind"


def test_etag_304_and_cors(history, client):
    first = client.get("/api/v1/models/openai/gpt-4o/prices?at=2026-02-01")
    etag = first.headers["ETag"]
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in first.headers["Access-Control-Expose-Headers"]
    again = client.get("/api/v1/models/openai/gpt-4o/prices?at=2026-02-01",
                       headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/api/v1/models/openai/gpt-4o/prices?at=2026-03-02",
                       headers={"If-None-Match": etag})
    assert other.status_code == 200
    # a new sync is a new data version: the old tag no longer matches
    sync(history, "2026-05-01", BASE)
    assert client.get("/api/v1/models/openai/gpt-4o/prices?at=2026-02-01",
                      headers={"If-None-Match": etag}).status_code == 200
    preflight = client.options("/api/v1/cost", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


def test_rate_limit_per_address(db, database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "RATECARD_OFFLINE": True,
                      "RATECARD_API_RATE_LIMIT": 3, "RATECARD_API_RATE_WINDOW": 3600})
    try:
        client = app.test_client()
        answers = [client.get("/api/v1/providers") for _ in range(3)]
        assert [r.headers["RateLimit-Remaining"] for r in answers] == ["2", "1", "0"]
        assert answers[0].headers["RateLimit-Limit"] == "3"
        assert answers[0].headers["RateLimit-Policy"] == "3;w=3600"
        over = client.get("/api/v1/models")
        assert over.status_code == 429 and over.mimetype == "application/problem+json"
        wait = int(over.headers["Retry-After"])
        assert 0 < wait <= 3600 and int(over.headers["RateLimit-Reset"]) == wait
        # another address has its own budget; pages outside the API are not counted
        other = client.get("/api/v1/providers", environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert other.status_code == 200 and other.headers["RateLimit-Remaining"] == "2"
        assert client.get("/robots.txt").status_code == 200
    finally:
        app.extensions["ratecard.db"].dispose()


def test_rate_limit_believes_only_our_proxies(db, database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "RATECARD_OFFLINE": True,
                      "RATECARD_API_RATE_LIMIT": 1, "RATECARD_PROXY_HOPS": 1})
    try:
        client = app.test_client()
        def get(forwarded):
            return client.get("/api/v1/providers", headers={"X-Forwarded-For": forwarded})
        assert get("198.51.100.1").status_code == 200
        assert get("198.51.100.1").status_code == 429
        # a client may prepend whatever it likes: only the hop our proxy appended counts
        assert get("203.0.113.9, 198.51.100.1").status_code == 429
        assert get("198.51.100.2").status_code == 200
    finally:
        app.extensions["ratecard.db"].dispose()


def test_docs_page_is_served_locally(client):
    page = client.get("/api/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for path in ("/api/v1/models", "/api/v1/cost", "/api/v1/changes", "/api/v1/providers"):
        assert path in html
    assert "http://" not in html.replace("http://localhost", "") and "cdn" not in html.lower()
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")

"""Alerts through the API and the pages: subscribe (secret shown once), state, removal by
the API call or the signed link, clear 400s naming the bad field, and no delivery from a
web request."""
from __future__ import annotations

import datetime as dt

import pytest

from ratecard.services.sync import run_sync
from scrapers import litellm
from tests.services.test_alerts import litellm_payload
from tests.webhook_receiver import Receiver


@pytest.fixture
def loaded(db):  # type: ignore[no-untyped-def]
    run_sync(db, litellm.SOURCE, payload=litellm_payload("2.5e-06"), as_of=dt.date(2026, 7, 1))
    return db


@pytest.fixture
def hooks(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RATECARD_WEBHOOK_ALLOW_PRIVATE", "1")
    with Receiver() as receiver:
        yield receiver


def test_subscribe_show_and_delete(loaded, client, hooks) -> None:  # type: ignore[no-untyped-def]
    hooks.program("/hook", ["echo"])
    response = client.post("/api/v1/alerts", json={
        "url": hooks.url("/hook"), "model": "openai/gpt-4o", "kinds": ["price_cut"]})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "pending" and body["model"] == "openai/gpt-4o"
    assert body["kinds"] == ["price_cut"] and body["secret"].startswith("whsec_")
    assert response.headers["Location"].endswith(f"/api/v1/alerts/{body['id']}")
    assert hooks.hits == []                       # a web request never delivers
    token = body["unsubscribe_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    shown = client.get(f"/api/v1/alerts/{body['id']}", headers=bearer).get_json()
    assert shown["status"] == "pending" and "secret" not in shown
    assert [d["kind"] for d in shown["deliveries"]] == ["verification"]
    for wrong in ({}, {"Authorization": "Bearer nope"}, {"Authorization": token}):
        missing = client.get(f"/api/v1/alerts/{body['id']}", headers=wrong)
        assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert client.get("/api/v1/alerts/sub_unknown", headers=bearer).status_code == 404
    assert client.delete(f"/api/v1/alerts/{body['id']}",
                         headers={"Authorization": "Bearer x"}).status_code == 404
    assert client.delete(f"/api/v1/alerts/{body['id']}?token=x").status_code == 404
    by_query = client.get(f"/api/v1/alerts/{body['id']}?token={token}")
    assert by_query.status_code == 200 and by_query.headers["Cache-Control"] == "no-store"
    assert client.delete(f"/api/v1/alerts/{body['id']}", headers=bearer).status_code == 204
    assert client.get(f"/api/v1/alerts/{body['id']}", headers=bearer).status_code == 404


@pytest.mark.parametrize(("fields", "parameter"), [
    ({"url": "http://127.0.0.1:1/x", "model": "openai/nope"}, "model"),
    ({"url": "http://127.0.0.1:1/x", "provider": "nope"}, "provider"),
    ({"url": "http://127.0.0.1:1/x", "model": "openai/gpt-4o", "provider": "openai"},
     "provider"),
    ({"url": "http://127.0.0.1:1/x", "kinds": ["price_drop"]}, "kinds"),
    ({"url": "http://127.0.0.1:1/x", "kinds": "price_cut,rise"}, "kinds"),
    ({"url": "http://127.0.0.1:1/x", "kinds": [1]}, "kinds"),
    ({"url": "gopher://x/"}, "url"),
    ({"url": 5}, "url"),
    ({}, "url"),
])
def test_bad_input_is_a_400_naming_the_field(loaded, client, hooks, fields,
                                             parameter) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/alerts", json=fields)
    assert response.status_code == 400
    assert response.get_json()["parameter"] == parameter


def test_loopback_refused_when_private_is_off(loaded, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("RATECARD_WEBHOOK_ALLOW_PRIVATE", raising=False)
    response = client.post("/api/v1/alerts", json={"url": "http://127.0.0.1:8080/hook"})
    assert response.status_code == 400 and response.get_json()["parameter"] == "url"
    assert "public addresses" in response.get_json()["detail"]
    page = client.post("/alerts", data={"url": "http://[::1]/hook", "provider": "openai"})
    assert page.status_code == 400 and "public addresses" in page.get_data(as_text=True)


def test_body_must_be_an_object(loaded, client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/alerts", data="[1]", content_type="application/json")
    assert response.status_code == 400 and response.get_json()["parameter"] == "body"


def test_pages_form_and_signed_removal_link(loaded, client, hooks) -> None:  # type: ignore[no-untyped-def]
    profile = client.get("/models/openai/gpt-4o").get_data(as_text=True)
    assert 'action="/alerts"' in profile and 'name="model" value="openai/gpt-4o"' in profile
    provider = client.get("/providers/openai").get_data(as_text=True)
    assert 'name="provider" value="openai"' in provider
    page = client.post("/alerts", data={"url": hooks.url("/hook"), "model": "openai/gpt-4o",
                                        "kinds": ["price_cut", "price_rise"]})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "whsec_" in text and "not shown again" in text
    link = text.split('<dd><a href="', 1)[1].split('"', 1)[0]
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path + "x").status_code == 404        # a forged token
    ask = client.get("/" + path)
    assert ask.status_code == 200 and "Remove the subscription" in ask.get_data(as_text=True)
    assert client.post("/" + path).status_code == 200
    assert client.get("/" + path).status_code == 404               # already removed

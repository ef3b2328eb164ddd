"""What still needs a person is shown: on the profile page and in the API's `pending`."""
from __future__ import annotations

import html
import re

from tests.services.test_corrections import router
from tests.services.test_sync import CATALOG, entry, sync


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _held_catalog(db):
    """model-1: LiteLLM jumps 20x away from OpenRouter's $2.50 (a held change);
    model-new: a new model whose input is implausible (a held first sight)."""
    sync(db, CATALOG | {"model-1": entry(inp="2.5e-06")}, "2026-01-01")
    router(db, "2026-01-02")
    sync(db, CATALOG | {"model-1": entry(inp="5e-05"), "model-new": entry(inp="0.135")},
         "2026-01-03")


def test_pending_items_show_on_the_profile_page(db, client):
    _held_catalog(db)
    page = client.get("/models/openai/model-1")
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert ("Input: a change to $50.00 from LiteLLM, seen 2026-01-03, is awaiting review"
            in text), text[text.find("Awaiting"):][:400]
    assert "the other sources' median $2.5" in text
    # the held value is not shown as the price: the rates still say $2.50
    rates = text[text.find("Rates"):text.find("Awaiting review")]
    assert "$2.50" in rates and "$50.00" not in rates

    first = _text(client.get("/models/openai/model-new").get_data(as_text=True))
    assert "Input: a price from LiteLLM is held for review" in first
    assert "$135,000.00" in first and "implausible" in first

    quiet = _text(client.get("/models/openai/model-3").get_data(as_text=True))
    assert "Awaiting review" not in quiet


def test_pending_items_are_in_the_api(db, client):
    _held_catalog(db)
    body = client.get("/api/v1/models/openai/model-1").get_json()
    [item] = body["pending"]
    assert item | {"reason": ""} == {
        "source": "litellm", "meter": "input", "unit": "1M_tokens", "conditions": {},
        "kind": "change", "current": "2.5", "held": "50", "seen": "2026-01-03", "reason": ""}
    assert item["reason"].startswith("price moved up 20")
    shown = [p for p in body["prices"] if p["meter"] == "input" and p["shown"]]
    assert [p["amount"] for p in shown] == ["2.5"]

    new = client.get("/api/v1/models/openai/model-new").get_json()
    # the output arrived beside the implausible input (same unit, same entry): held with it
    assert sorted((p["meter"], p["kind"], p["current"], p["held"]) for p in new["pending"]) == [
        ("input", "new", None, "135000"), ("output", "new", None, "10")]
    output = next(p for p in new["pending"] if p["meter"] == "output")
    assert output["reason"].startswith("implausible beside input"), output["reason"]
    assert client.get("/api/v1/models/openai/model-3").get_json()["pending"] == []
